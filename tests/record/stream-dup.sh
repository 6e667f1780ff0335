#!/bin/bash
# stream-dup.sh: record real Linux behaviour when the network duplicates
# data segments.
#
# What: a bulk transfer client -> server (80 full-size segments) through
# relay.c (2 ms each way); the relay sends the client's data segments idx
# 15 and 40 (0-based count of payload-carrying segments) twice, back to
# back (microseconds apart).  The receiver answers each second copy at
# once with a duplicate ACK carrying a D-SACK block for it
# (TcpExtTCPDSACKOldSent); the sender counts them (TcpExtTCPDSACKRecv) and
# retransmits nothing.
# Why: ground truth for network duplicates, which are not retransmissions
# (the sender sent each segment once), and for D-SACK duplicate ACKs.
# Vantage point: the server's (receiver's) veth ->
#   tests/pcaps/real-stream-dup.pcap; real-stream-dup.relaylog and
#   real-stream-dup.nstat beside it.
# Recorded on Linux 6.18.44-fc-v669 (no tc netem: hence relay.c).
# Re-run: sudo bash tests/record/stream-dup.sh   (overwrites the files)
. "$(dirname "$0")/stream-common.sh"
setup_net
start_relay --link-delay 2ms --dup c2s:15 --dup c2s:40
start_capture single "$srv" "$ifs0"
run_server
run_client $((80 * 1448)) 0.3
wait_bg
finish dup client
