#!/bin/bash
# stream-capdrop.sh: a capture point that misses frames, made from a real
# recording: tests/pcaps/real-stream-capdrop.pcap is
# real-stream-clean-receiver.pcap (a clean Linux bulk transfer, receiver
# vantage, tests/record/stream-clean.sh) without its frames 37 and 52, two
# of the client's data segments that the server received and acknowledged
# (nstat of that run: no retransmission, no loss): as a capture that drops
# packets (pcap_stats ps_drop), or a SPAN port that loses some, records it.
# Frame 37 (rel 26065, 1448 bytes) is acknowledged at once by frame 38 of
# the original (ack 27513); frame 52 (rel 37649) only by frame 56 (ack
# 40545), after two more data segments.  The kernel traffic is real; only
# the capture's loss is made by removing frames (editcap, from Wireshark),
# since tcpdump does not lose frames on demand.
# Why: ground truth for acked_unseen (an ACK of bytes the capture never saw)
# and lost_segment (data after bytes the capture never saw).
# Writes real-stream-capdrop.pcap and real-stream-capdrop.pcap.runlog.
# Re-run: bash tests/record/stream-capdrop.sh   (no root needed)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
in=$top/tests/pcaps/real-stream-clean-receiver.pcap
out=$top/tests/pcaps/real-stream-capdrop.pcap
editcap -F pcap "$in" "$out" 37 52
{
	echo "# $(basename "$out"): $(basename "$in") without frames 37 and 52 (editcap)"
	echo "# removed frames (original numbering): frame seq len ack"
	tshark -n -r "$in" -Y 'frame.number == 37 || frame.number == 52' -T fields \
	    -e frame.number -e tcp.seq -e tcp.len -e tcp.ack
} > "$out.runlog"
echo "wrote $out ($(stat -c %s "$out") bytes) and $out.runlog"
