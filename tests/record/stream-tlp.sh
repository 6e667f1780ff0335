#!/bin/bash
# stream-tlp.sh: record a real Linux tail loss probe (RACK-TLP) repairing
# the loss of the last segment of a burst.
#
# What: the client sends 20 full-size segments (28960 bytes) to the server
# through relay.c (2 ms each way), then keeps the connection open and idle
# for 1.5 s before closing it.  The relay drops the last data segment
# (rel=27513, first transmission only), so nothing follows it that could
# produce duplicate ACKs.  After about two RTTs the sender's probe timer
# fires and it retransmits that segment (TcpExtTCPLossProbes); the ACK for
# the probe repairs the loss (TcpExtTCPLossProbeRecovery), no RTO.
# Why: ground truth for a retransmission that is neither fast nor RTO-timed
# (a tail loss probe), with the receiver's "previous segment not captured"
# view of the same hole.
# Vantage points: client's (sender's) veth -> real-stream-tlp-sender.pcap,
#   server's (receiver's) veth -> real-stream-tlp-receiver.pcap, same run;
#   real-stream-tlp.relaylog, real-stream-tlp.nstat beside them.
# Recorded on Linux 6.18.44-fc-v669 (no tc netem: hence relay.c).
# Re-run: sudo bash tests/record/stream-tlp.sh   (overwrites the files)
. "$(dirname "$0")/stream-common.sh"
setup_net
start_relay --link-delay 2ms --drop c2s:rel=$((1 + 19 * 1448))
start_capture sender "$cli" "$ifc0"
start_capture receiver "$srv" "$ifs0"
run_server
run_client $((20 * 1448)) 1.5
wait_bg
finish tlp client
