#!/bin/bash
# stream-zerowin.sh: record a real Linux zero-window episode: a receiver
# that stops reading, the sender's zero-window probes, and the window
# update when the receiver reads again.
#
# What: the server sets SO_RCVBUF 4096 (before listen, so the accepted
# socket has it from the handshake on: a 2896-byte window), accepts,
# sleeps 3 s, then reads to EOF.  The client sends 64 KiB through relay.c
# (2 ms each way, no actions) and closes.  The client fills the window
# exactly with each flight (window full); the server's buffer fills and it
# advertises a zero window (TcpExtTCPToZeroWindowAdv).  The client then
# sends zero-window probes with exponential backoff (TcpExtTCPWinProbe):
# Linux's probes are 0-byte segments with sequence number snd_una - 1 (the
# same form as its keep-alives); the server answers them with zero-window
# ACKs, but rate-limits those out-of-window ACKs (tcp_invalid_ratelimit,
# 500 ms; TcpExtTCPACKSkippedSeq), so one probe goes unanswered.  When the
# server reads, it sends a window update (TcpExtTCPFromZeroWindowAdv) and
# the transfer completes.  In this recording the client also sent one tail
# loss probe before the zero window (the server delayed its ACK; the probe
# was a duplicate, D-SACKed).
# Why: ground truth for zero_window, zero_window_probe (and its ACKs),
# window_full and window_update.
# Vantage point: the client's (sender's) veth ->
#   tests/pcaps/real-stream-zerowin.pcap; real-stream-zerowin.relaylog and
#   real-stream-zerowin.nstat beside it.
# Recorded on Linux 6.18.44-fc-v669 (no tc netem: hence relay.c).
# Re-run: sudo bash tests/record/stream-zerowin.sh   (overwrites the files)
. "$(dirname "$0")/stream-common.sh"
setup_net
start_relay --link-delay 2ms
start_capture single "$cli" "$ifc0"
run_server 4096 3
run_client 65536
wait_bg
finish zerowin client
