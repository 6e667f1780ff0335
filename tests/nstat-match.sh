#!/bin/bash
# nstat-match.sh: captures of real Linux behaviour (tests/pcaps/real-*.pcap,
# recorded by the scripts in tests/record/) come with the kernel's nstat
# counters for the run (NAME.nstat).  The events tcpdissect reports must
# match what the kernel counted:
#   accept_overflow_rst  = TcpExtEmbryonicRsts and = TcpExtListenOverflows
#                          (every overflow of this recording was answered
#                          with a reset, tcp_abort_on_overflow=1)
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${TCPDISSECT:-./tcpdissect}
fail=0
n=0
counter() {	# file, name -> value (0 if absent)
	awk -v k="$2" '$1 == k { print $2; found = 1 } END { if (!found) print 0 }' "$1"
}
events() {	# pcap, kind -> count
	"$bin" -o jsonl "$1" | python3 -c '
import json, sys
print(sum(1 for r in map(json.loads, sys.stdin)
          if r["type"] == "event" and r["kind"] == sys.argv[1]))' "$2"
}
check() {	# what, got, want
	n=$((n + 1))
	if [ "$2" = "$3" ]; then
		echo "ok $n - $1 ($2)"
	else
		echo "not ok $n - $1: tcpdissect $2, kernel $3"
		fail=1
	fi
}
f=$top/tests/pcaps/real-accept-overflow-rst.pcap
got=$(events "$f" accept_overflow_rst)
check "accept_overflow_rst = TcpExtEmbryonicRsts" "$got" "$(counter "$f.nstat" TcpExtEmbryonicRsts)"
check "accept_overflow_rst = TcpExtListenOverflows" "$got" "$(counter "$f.nstat" TcpExtListenOverflows)"
check "no connection_reset for those resets" "$(events "$f" connection_reset)" 0
echo "1..$n"
exit $fail
