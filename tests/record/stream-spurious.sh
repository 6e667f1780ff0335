#!/bin/bash
# stream-spurious.sh: record a real Linux spurious fast retransmission
# caused by reordering, and its D-SACK undo.
#
# What: a bulk transfer client -> server (80 full-size segments) through
# relay.c (2 ms each way); the relay delays the client's data segment idx
# 30 (0-based count of payload-carrying segments) by 3 ms more (5 ms one
# way), so the segments after it overtake it.  The receiver sends duplicate
# ACKs with SACK blocks; once 3 segments above the hole are SACKed the
# sender (RACK, no reordering seen yet) fast-retransmits the segment, which
# was not lost (TcpExtTCPFastRetrans, TcpExtTCPSackRecovery).  The delayed
# original reaches the receiver first and fills the hole; the
# retransmission arrives about 1.7 ms later as a duplicate of data already
# acknowledged: the receiver answers it with a D-SACK
# (TcpExtTCPDSACKOldSent) and the sender undoes the recovery
# (TcpExtTCPDSACKRecv, TcpExtTCPTSReorder, TcpExtTCPPartialUndo).
# Why: ground truth for spurious_retransmission (a retransmission of data
# the receiver already had) next to out_of_order, from both ends.
# Vantage points: client's (sender's) veth ->
#   real-stream-spurious-sender.pcap, server's (receiver's) veth ->
#   real-stream-spurious-receiver.pcap, same run; real-stream-spurious.relaylog
#   and real-stream-spurious.nstat beside them.
# Recorded on Linux 6.18.44-fc-v669 (no tc netem: hence relay.c).
# Re-run: sudo bash tests/record/stream-spurious.sh   (overwrites the files)
. "$(dirname "$0")/stream-common.sh"
setup_net
start_relay --link-delay 2ms --delay c2s:30:3ms
start_capture sender "$cli" "$ifc0"
start_capture receiver "$srv" "$ifs0"
run_server
run_client $((80 * 1448)) 0.3
wait_bg
finish spurious client
