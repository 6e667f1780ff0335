#!/bin/bash
# nstat-match.sh: captures of real Linux behaviour (tests/pcaps/real-*.pcap,
# recorded by the scripts in tests/record/) come with the kernel's nstat
# counters for the run (NAME.nstat: the server namespace's, then, after a
# "# client namespace" line, the client's).  The events tcpdissect reports
# must match what the kernel counted, where the two count the same thing:
#   accept_overflow_rst  = TcpExtEmbryonicRsts and = TcpExtListenOverflows
#                          (every overflow of that recording was answered
#                          with a reset, tcp_abort_on_overflow=1)
#   synack_retransmit    = the server's TcpExtTCPSynRetrans (SYN-ACKs re-sent
#                          by its request sockets), every recording
#   syn_retransmit       = the client's TcpExtTCPSynRetrans, where every SYN
#                          came from the client's kernel (not real-time-wait-
#                          reuse nor real-syn-flood-cookies: scapy SYNs)
#   accept_overflow_drop dropped_segments + accept_overflow_syn_drop syns
#                        = the server's TcpExtListenOverflows (each segment
#                          a full accept queue dropped: final ACKs, data,
#                          answers, SYNs), with tcp_abort_on_overflow=0
#   syn_cookie cookie_synacks (summed) = the server's TcpExtSyncookiesSent,
#                          where the .nstat has it and the capture shows the
#                          fate of every cookie SYN-ACK (all these do)
# The nstat counters count what reached the kernel, the events what passed
# the capture point: both are on the server's side of the veth here.
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${TCPDISSECT:-./tcpdissect}
P=$top/tests/pcaps
fail=0
n=0
counter() {	# file, name [, server|client] -> value; empty if absent
	awk -v k="$2" -v want="${3:-server}" '
	BEGIN { sec = "server" }
	/^# client namespace/ { sec = "client" }
	$1 == k && sec == want { print $2; exit }' "$1"
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
stats() {	# pcap -> "KIND count" and "KIND.KEY sum" lines (one run per capture)
	local c=$tmp/$(basename "$1").stats
	[ -f "$c" ] || "$bin" -o jsonl "$1" | python3 -c '
import collections, json, sys
t = collections.Counter()
for r in map(json.loads, sys.stdin):
    if r["type"] != "event":
        continue
    t[r["kind"]] += 1
    for k, v in r["detail"].items():
        if isinstance(v, int) and not isinstance(v, bool):
            t[r["kind"] + "." + k] += v
for k, v in t.items():
    print(k, v)' > "$c"
	cat "$c"
}
events() {	# pcap, kind -> count
	stats "$1" | awk -v k="$2" '$1 == k { v = $2 } END { print v + 0 }'
}
detail_sum() {	# pcap, kind, detail key -> sum over the kind's events
	stats "$1" | awk -v k="$2.$3" '$1 == k { v = $2 } END { print v + 0 }'
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

f=$P/real-accept-overflow-rst.pcap
got=$(events "$f" accept_overflow_rst)
check "accept_overflow_rst = TcpExtEmbryonicRsts" "$got" "$(counter "$f.nstat" TcpExtEmbryonicRsts)"
check "accept_overflow_rst = TcpExtListenOverflows" "$got" "$(counter "$f.nstat" TcpExtListenOverflows)"
check "no connection_reset for those resets" "$(events "$f" connection_reset)" 0

for name in real-syn-retries real-accept-overflow-synresend real-accept-overflow-silent \
    real-syn-flood-cookies real-refused real-time-wait-reuse real-close-wait-stuck; do
	f=$P/$name.pcap
	check "$name: synack_retransmit = server TcpExtTCPSynRetrans" \
	    "$(events "$f" synack_retransmit)" "$(counter "$f.nstat" TcpExtTCPSynRetrans)"
	check "$name: syn_cookie SYN-ACKs = server TcpExtSyncookiesSent" \
	    "$(detail_sum "$f" syn_cookie cookie_synacks)" \
	    "$(counter "$f.nstat" TcpExtSyncookiesSent)"
	check "$name: segments dropped by a full accept queue = server TcpExtListenOverflows" \
	    "$(( $(detail_sum "$f" accept_overflow_drop dropped_segments) +
	    $(detail_sum "$f" accept_overflow_syn_drop syns) ))" \
	    "$(counter "$f.nstat" TcpExtListenOverflows)"
done
for name in real-syn-retries real-accept-overflow-synresend real-accept-overflow-silent \
    real-refused real-close-wait-stuck; do
	f=$P/$name.pcap
	check "$name: syn_retransmit = client TcpExtTCPSynRetrans" \
	    "$(events "$f" syn_retransmit)" "$(counter "$f.nstat" TcpExtTCPSynRetrans client)"
done
# one overflowing connection per pair of dropped final ACKs the recordings made
for name in real-accept-overflow-synresend real-accept-overflow-silent; do
	check "$name: accept_overflow_drop connections (C and D)" \
	    "$(events "$P/$name.pcap" accept_overflow_drop)" 2
done
echo "1..$n"
exit $fail
