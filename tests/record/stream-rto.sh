#!/bin/bash
# stream-rto.sh: record a real Linux retransmission timeout (RTO) after a
# tail loss whose tail loss probe is lost too.
#
# What: the client sends 20 full-size segments (28960 bytes) to the server
# through relay.c (2 ms each way), then keeps the connection open and idle
# for 2 s before closing it.  The relay drops the last data segment
# (rel=27513) twice: the original and its first retransmission, the tail
# loss probe (TcpExtTCPLossProbes).  Nothing is left to trigger a fast
# retransmit, so the retransmission timer (>= 200 ms) fires and the sender
# retransmits it a second time (TcpExtTCPTimeouts), which gets through.
# Why: ground truth for an RTO retransmission (and a retransmitted
# retransmission), seen from both ends.
# Vantage points: client's (sender's) veth -> real-stream-rto-sender.pcap,
#   server's (receiver's) veth -> real-stream-rto-receiver.pcap, same run;
#   real-stream-rto.relaylog, real-stream-rto.nstat beside them.
# Recorded on Linux 6.18.44-fc-v669 (no tc netem: hence relay.c).
# Re-run: sudo bash tests/record/stream-rto.sh   (overwrites the files)
. "$(dirname "$0")/stream-common.sh"
setup_net
start_relay --link-delay 2ms --drop c2s:rel=$((1 + 19 * 1448))x2
start_capture sender "$cli" "$ifc0"
start_capture receiver "$srv" "$ifs0"
run_server
run_client $((20 * 1448)) 2
wait_bg
finish rto client
