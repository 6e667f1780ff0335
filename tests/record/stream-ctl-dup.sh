#!/bin/bash
# stream-ctl-dup.sh: record real Linux behaviour when the network
# duplicates control segments (the client's SYN and FIN).
#
# What: relay.c (2 ms each way) sends the client's SYN and its FIN twice,
# back to back (--dup c2s:syn --dup c2s:fin); 10 full segments in between.
# The server's request socket takes the second SYN for a re-sent one and
# re-sends its SYN-ACK (a real retransmission, counted in the server's
# TcpRetransSegs); the second FIN is a duplicate the server ACKs again.
# Why: ground truth for network_duplicate on control segments (the copies
# are the same frame, microseconds apart: the client sent each once,
# client TcpRetransSegs 0) and for the kernel's answer to them.
# Vantage point: the server's veth -> tests/pcaps/real-stream-ctl-dup.pcap
#   (.relaylog, .nstat beside it).
# Re-run: sudo bash tests/record/stream-ctl-dup.sh
. "$(dirname "$0")/stream-common.sh"
setup_net
start_relay --link-delay 2ms --dup c2s:syn --dup c2s:fin
start_capture single "$srv" "$ifs0"
run_server
run_client $((10 * 1448)) 0.3
wait_bg
finish ctl-dup client
