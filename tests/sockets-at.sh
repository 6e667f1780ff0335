#!/bin/bash
# sockets-at.sh: --at TIME lists the sockets as ss -tan would have at TIME,
# on real recordings whose ground truth is in tests/record/LISTEN.md.
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${TCPDISSECT:-./tcpdissect}
P=$top/tests/pcaps
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$top/tests/tap-lib.sh"

# rows PCAP AT: "STATE RECVQ SENDQ LOCAL PEER STREAM" per socket, from -o jsonl
rows() {
	"$bin" -q -o jsonl --at "$2" "$1" | python3 -c '
import json, sys
for r in map(json.loads, sys.stdin):
    if r["type"] != "socket":
        continue
    q = lambda v: "-" if v is None else str(v)
    ep = lambda e: "*:*" if e is None else "%s:%d" % (e["ip"], e["port"])
    print(r["ss_state"], q(r["recv_q"]), q(r["send_q"]), ep(r["local"]), ep(r["peer"]),
          r.get("stream", "-"))'
}
same() {	# got-file expected-text
	printf '%s\n' "$2" | diff -u - "$1" >&2
}

# close-wait-stuck: the client's FIN (frame 6, t 0.0003) is acknowledged;
# the server closes only at frame 19 (t 12.0): at +5 s the server is in
# CLOSE-WAIT and the client in FIN-WAIT-2.
rows "$P/real-close-wait-stuck.pcap" +5 > "$tmp/cw"
check "close-wait-stuck at +5 s: LISTEN, CLOSE-WAIT, FIN-WAIT-2" same "$tmp/cw" \
"LISTEN - - 10.202.0.1:8080 *:* -
CLOSE-WAIT 0 0 10.202.0.1:8080 10.202.0.2:55730 0
FIN-WAIT-2 0 0 10.202.0.2:55730 10.202.0.1:8080 0"

# The same moment given as seconds since the epoch.
t0=$(tshark -r "$P/real-close-wait-stuck.pcap" -c 1 -T fields -e frame.time_epoch 2>/dev/null)
abs=$(python3 -c "from decimal import Decimal as D; print(D('$t0') + 5)")
rows "$P/real-close-wait-stuck.pcap" "$abs" > "$tmp/cw-abs"
check "--at EPOCH equals --at +SECONDS" cmp -s "$tmp/cw" "$tmp/cw-abs"

# accept-overflow-synresend at +0.6 s: C's and D's 18-byte requests (18, 19
# at t 0.5005) were dropped by the server, never acknowledged: 18 bytes in
# the client's Send-Q and the server's Recv-Q; E's SYN is unanswered.
rows "$P/real-accept-overflow-synresend.pcap" +0.6 > "$tmp/ao"
check "synresend at +0.6 s: unacknowledged requests in the queues" same "$tmp/ao" \
"LISTEN - - 10.202.0.1:8080 *:* -
ESTAB 18 0 10.202.0.1:8080 10.202.0.2:55734 0
ESTAB 0 18 10.202.0.2:55734 10.202.0.1:8080 0
ESTAB 18 0 10.202.0.1:8080 10.202.0.2:55746 1
ESTAB 0 18 10.202.0.2:55746 10.202.0.1:8080 1
ESTAB 0 0 10.202.0.1:8080 10.202.0.2:55756 2
ESTAB 0 0 10.202.0.2:55756 10.202.0.1:8080 2
ESTAB 0 0 10.202.0.1:8080 10.202.0.2:55786 3
ESTAB 0 0 10.202.0.2:55786 10.202.0.1:8080 3
SYN-SENT 0 0 10.202.0.2:55802 10.202.0.1:8080 4"

# time-wait-reuse at +0.05 s: the server closed first (FIN frame 8), so its
# side of stream 0 is in TIME-WAIT; the client's side is closed (gone).
rows "$P/real-time-wait-reuse.pcap" +0.05 > "$tmp/tw"
check "time-wait-reuse at +0.05 s: the server's TIME-WAIT" same "$tmp/tw" \
"LISTEN - - 10.202.0.1:8080 *:* -
TIME-WAIT 0 0 10.202.0.1:8080 10.202.0.2:45001 0"

# A moment after the capture: the table as of its last packet, said so.
"$bin" -q -o jsonl --at +1000 "$P/real-time-wait-reuse.pcap" > "$tmp/late"
check "after the capture: marked as of the last packet" \
    grep -q '"type":"socket".*"as_of_last_packet":true' "$tmp/late"
check "text output has the ss header" \
    sh -c "'$bin' -q --at +5 '$P/real-close-wait-stuck.pcap' | grep -q '^State  *Recv-Q Send-Q Local Address:Port'"
check "-o json carries a sockets array" \
    sh -c "'$bin' -o json --at +5 '$P/real-close-wait-stuck.pcap' | python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d[\"sockets\"]) == 3'"
"$bin" --at 12x "$P/real-close-wait-stuck.pcap" > /dev/null 2> "$tmp/err"
check "a bad --at is a usage error (exit 1, one line)" \
    sh -c "[ $? = 1 ] && [ \$(wc -l < '$tmp/err') = 1 ]"

# Capacity figures per listener (summary): the server's TIME_WAIT sockets
# (it closed first) for 2*MSL, ended early when a new SYN takes the 4-tuple.
listener() {	# pcap field -> the first listener's value
	"$bin" -q -o jsonl "$1" | python3 -c '
import json, sys
print(json.load(sys.stdin)["listeners"][0][sys.argv[1]])' "$2"
}
# time-wait-reuse: 45001's TIME_WAIT (frame 10) is taken over by the SYN of
# frame 11; stream 1's stays (no later SYN on 45001); stream 2's (frame 30)
# ends at the client's RST 33: at most two at once (t 1.135-1.243).
check "time-wait-reuse: peak TIME_WAIT 2" [ "$(listener "$P/real-time-wait-reuse.pcap" peak_time_wait)" = 2 ]
# syn-flood-cookies: the four legitimate connections, server FIN first
# (server nstat TcpExtTW 4).
check "syn-flood-cookies: peak TIME_WAIT 4 = TcpExtTW" \
    [ "$(listener "$P/real-syn-flood-cookies.pcap" peak_time_wait)" = 4 ]
# close-wait-stuck: the client closed first; the server has none.
check "close-wait-stuck: no server TIME_WAIT" \
    [ "$(listener "$P/real-close-wait-stuck.pcap" peak_time_wait)" = 0 ]
# kernel bytes: 1000 half-open entries and the 4 TIME_WAIT sockets at the
# flood's peak (320 and 256 bytes each, report.h).
check "syn-flood-cookies: peak kernel bytes 1000*320 + 4*256" \
    [ "$(listener "$P/real-syn-flood-cookies.pcap" peak_kernel_bytes)" = 321024 ]

echo "1..$n"
[ "$fails" = 0 ]
