#!/bin/bash
# one-sided.sh: captures of one direction (issue 12 class 3).  Each connection
# the capture saw in one direction only says so in its record (one_sided: the
# side seen), one whose client acknowledged the SYN-ACK the capture missed
# says its handshake completed without it (synack_unseen), the summary counts
# them, and a SYN unanswered towards an address the capture never saw
# sending is only a notice (peer_silent: a silent host and a one-sided
# capture look the same) (tests/gen/gen_captures.py: gen_one_sided, gen_one_sided_unanswered).
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${TCPDISSECT:-./tcpdissect}
P=$top/tests/pcaps
. "$top/tests/tap-lib.sh"
need_python
facts() {	# pcap -> one line per record: connections, events, the summary
	"$bin" -o jsonl "$1" | "$py" -c '
import json, sys
for r in map(json.loads, sys.stdin):
    if r["type"] == "connection":
        print("conn", r["stream"], r["first_frame"], r.get("one_sided"), r.get("synack_unseen"))
    elif r["type"] == "event":
        if r["kind"] == "syn_unanswered":
            print("event", r["kind"], r["frame"], r.get("stream"), r["severity"],
                  r.get("detail", {}).get("peer_silent"))
        else:
            print("event", r["kind"], r["frame"], r.get("stream"))
    else:
        print("summary", r.get("one_sided_connections"))'
}
f=$(facts "$P/gen-one-sided-unanswered.pcap")
check "stream 0: client side only, completed without the SYN-ACK captured" \
    grep -qx "conn 0 1 client True" <<< "$f"
check "streams 1 and 2: client side only, SYNs towards silent addresses" \
    test "$(grep -c -x -e "conn 1 7 client None" -e "conn 2 10 client None" <<< "$f")" = 2
check "syn_unanswered towards the silent addresses only a notice (the capture cannot tell)" \
    test "$(grep "^event syn_unanswered" <<< "$f" | tr '\n' ' ')" = \
    "event syn_unanswered 9 1 notice True event syn_unanswered 12 2 notice True "
check "the SYN re-sends are still reported: frames 8, 9 (stream 1), 11, 12 (stream 2)" \
    test "$(grep "^event syn_retransmit" <<< "$f" | tr '\n' ' ')" = \
    "event syn_retransmit 8 1 event syn_retransmit 9 1 event syn_retransmit 11 2 event syn_retransmit 12 2 "
check "summary: 3 connections seen one-sided" grep -qx "summary 3" <<< "$f"
check "text summary says so" \
    grep -q "3 connections seen in one direction only" <<< "$("$bin" "$P/gen-one-sided-unanswered.pcap")"
f=$(facts "$P/gen-one-sided.pcap")
check "gen-one-sided: stream 0 one-sided, completed without the SYN-ACK" \
    grep -qx "conn 0 1 client True" <<< "$f"
# both directions captured: nothing one-sided, unanswered SYNs still reported
f=$(facts "$P/real-syn-retries.pcap")
check "real-syn-retries: no connection one-sided" test "$(grep -c "client\|server" <<< "$f")" = 0
check "real-syn-retries: its unanswered SYNs still are" \
    test "$(grep -c "^event syn_unanswered" <<< "$f")" -gt 0
f=$(facts "$P/gen-syn-flood-drops.pcap")
check "gen-syn-flood-drops: the server answered others, so its dropped SYNs are unanswered" \
    test "$(grep -c "^event syn_unanswered" <<< "$f")" = 1850
echo "1..$n"
[ $fails = 0 ]
