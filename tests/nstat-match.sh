#!/bin/bash
# nstat-match.sh: captures of real Linux behaviour (tests/pcaps/real-*.pcap,
# recorded by the scripts in tests/record/) come with the kernel's nstat
# counters for the run (NAME.nstat).  The events tcpdissect reports must
# match what the kernel counted:
#   accept_overflow_rst  = TcpExtEmbryonicRsts and = TcpExtListenOverflows
#                          (every overflow of this recording was answered
#                          with a reset, tcp_abort_on_overflow=1)
# and the exact frames of the close_wait_stuck of real-close-wait-stuck.pcap
# (tests/record/LISTEN.md), whose socket must be the one ss showed in
# CLOSE-WAIT during the run.
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

# ---- teardown ---------------------------------------------------------------
# teardown PCAP EXPR...: python expressions over the run's records (conns,
# events; ev(kind) lists the events of a kind), one output line each
teardown() {
	local pcap=$1
	shift
	"$bin" -o jsonl "$pcap" | python3 -c '
import json, sys
recs = [json.loads(l) for l in sys.stdin]
conns = [r for r in recs if r["type"] == "connection"]
events = [r for r in recs if r["type"] == "event"]
ev = lambda k: [e for e in events if e["kind"] == k]
for expr in sys.argv[1:]:
    print(eval(expr))' "$@"
}
f=$top/tests/pcaps/real-close-wait-stuck.pcap
check "close_wait_stuck: frame 17, stream 0, the server, FIN 6, ACK 7" \
    "$(teardown "$f" '" ".join("%d/%d/%s/%d/%d" % (e["frame"], e["stream"], e["detail"]["side"], e["detail"]["fin_frame"], e["detail"]["fin_ack_frame"]) for e in ev("close_wait_stuck"))')" \
    "17/0/server/6/7"
# the ss line the recording script took 5 s after the client's FIN
cw=$(awk '/^#   CLOSE-WAIT/ { print $5 " " $6 }' "$f.nstat")
check "... the socket ss showed in CLOSE-WAIT" \
    "$(teardown "$f" '" ".join("%s:%d %s:%d" % (e["src_ip"], e["src_port"], e["dst_ip"], e["dst_port"]) for e in ev("close_wait_stuck"))')" \
    "$cw"

echo "1..$n"
exit $fail
