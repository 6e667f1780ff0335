#!/bin/bash
# stream-wrap.sh: record a real Linux bulk transfer whose sequence numbers
# cross 2^32.
#
# What: a bulk transfer client -> server (80 full-size segments, 115840
# bytes) through relay.c (2 ms each way) with --wrap-seq 50000: the relay
# shifts the client's sequence space so that the server sees the client's
# ISN as 2^32 - 50000 (and shifts the server's acknowledgements and SACK
# blocks back), as a sequence-randomising firewall does.  Linux cannot be
# told its ISN, and 4 GiB of data would not fit a test capture; both
# kernels run unmodified TCP on their side of the rewrite.
# Why: ground truth for seq_wraparound (the client's data crosses 2^32 at
# byte 50000, in its 35th segment) and for a clean transfer across the
# wrap (no retransmission: nstat TcpRetransSegs 0).
# Vantage point: the server's veth (after the rewrite) ->
#   tests/pcaps/real-stream-wrap.pcap; .relaylog and .nstat beside it.
# Re-run: sudo bash tests/record/stream-wrap.sh   (overwrites the files)
. "$(dirname "$0")/stream-common.sh"
setup_net
start_relay --link-delay 2ms --wrap-seq 50000
start_capture single "$srv" "$ifs0"
run_server
run_client $((80 * 1448)) 0.3
wait_bg
finish wrap client
