#!/bin/bash
# stream-loss-fast.sh: record a real Linux fast retransmission (SACK
# recovery) after the loss of two consecutive data segments.
#
# What: a bulk transfer client -> server (80 full-size segments) through
# relay.c, which adds 2 ms each way and drops the client's data segments
# idx 20 and 21 (0-based count of payload-carrying segments) once.  The
# receiver answers the segments after the hole with duplicate ACKs carrying
# SACK blocks; the sender enters SACK recovery and fast-retransmits both
# segments (TcpExtTCPSackRecovery, TcpExtTCPFastRetrans).
# Why: ground truth for tcpdissect's lost_segment, dup_ack,
# fast_retransmission and retransmission analysis, seen from both ends.
# Vantage points: tcpdump on the client's (sender's) veth ->
#   tests/pcaps/real-stream-loss-fast-sender.pcap, and on the server's
#   (receiver's) veth -> tests/pcaps/real-stream-loss-fast-receiver.pcap,
#   same run.  real-stream-loss-fast.relaylog says what the relay did,
#   real-stream-loss-fast.nstat the kernel counters of both ends.
# Recorded on Linux 6.18.44-fc-v669 (no tc netem: hence relay.c).
# Re-run: sudo bash tests/record/stream-loss-fast.sh   (overwrites the files)
. "$(dirname "$0")/stream-common.sh"
setup_net
start_relay --link-delay 2ms --drop c2s:20 --drop c2s:21
start_capture sender "$cli" "$ifc0"
start_capture receiver "$srv" "$ifs0"
run_server
run_client $((80 * 1448)) 0.3
wait_bg
finish loss-fast client
