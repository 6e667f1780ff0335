#!/bin/bash
# stream-reorder.sh: record real Linux behaviour when one data segment is
# reordered by the network.
#
# What: a bulk transfer client -> server (80 full-size segments) through
# relay.c (2 ms each way); the relay holds the client's data segment idx 30
# (0-based count of payload-carrying segments) and releases it right after
# the next 2 data segments.  The receiver queues those two out of order
# (TcpExtTCPOFOQueue) and answers each at once with an ACK that repeats the
# cumulative ACK and carries a SACK block (its advertised window may grow
# meanwhile); then the held segment arrives and fills the hole.  Two duplicate ACKs are
# below the sender's reordering threshold, so it retransmits nothing.
# Why: ground truth for out_of_order (a segment that was never
# retransmitted) and dup_ack without loss.
# Vantage point: the server's (receiver's) veth ->
#   tests/pcaps/real-stream-reorder.pcap; real-stream-reorder.relaylog and
#   real-stream-reorder.nstat beside it.
# Recorded on Linux 6.18.44-fc-v669 (no tc netem: hence relay.c).
# Re-run: sudo bash tests/record/stream-reorder.sh   (overwrites the files)
. "$(dirname "$0")/stream-common.sh"
setup_net
start_relay --link-delay 2ms --hold c2s:30:2
start_capture single "$srv" "$ifs0"
run_server
run_client $((80 * 1448)) 0.3
wait_bg
finish reorder client
