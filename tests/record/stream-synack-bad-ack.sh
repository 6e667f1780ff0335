#!/bin/bash
# stream-synack-bad-ack.sh: record how Linux handles a SYN-ACK whose
# acknowledgement number is not its ISN + 1.
#
# What: relay.c (2 ms each way) adds 1000 to the acknowledgement number of
# the server's first SYN-ACK (--synack-ack-add 1000), as a broken middlebox
# would; the client kernel answers it with a RST (seq = the bad ack) and
# re-sends its SYN 1 s later; the server's request socket re-sends its
# SYN-ACK (same ISN, now intact) and the connection completes; then 10
# full segments and a close.
# Why: ground truth for synack_bad_ack (the first SYN-ACK, at the client),
# for the SYN re-send and the SYN-ACK re-send that follow it.
# Vantage point: the client's veth -> tests/pcaps/real-stream-synack-bad-ack.pcap
#   (.relaylog, .nstat beside it).
# Re-run: sudo bash tests/record/stream-synack-bad-ack.sh
. "$(dirname "$0")/stream-common.sh"
setup_net
start_relay --link-delay 2ms --synack-ack-add 1000
start_capture single "$cli" "$ifc0"
run_server
run_client $((10 * 1448)) 0.3
wait_bg
finish synack-bad-ack client
