#!/bin/bash
# accept-overflow-synresend.sh: record a real Linux accept-queue overflow with
# net.ipv4.tcp_abort_on_overflow=0 (the default) into OUT (default
# tests/pcaps/real-accept-overflow-synresend.pcap), with the nstat counter
# deltas of the server and the client namespace beside it in
# real-accept-overflow-synresend.pcap.nstat.  Run as root; it creates two network
# namespaces joined by a veth pair (tx checksum/TSO offload off, so the
# capture has real checksums and MSS-sized segments) and removes them on exit.
# Recorded on kernel 6.18.44-fc-v669; needs python3 (no scapy), tcpdump,
# iproute2 (ip, nstat), ethtool.
#
# Why: with tcp_abort_on_overflow=0 a full accept queue makes the server DROP
# the handshake-completing ACK, keep the request socket (marked "acked") and
# RE-SEND its SYN-ACK on the request timer (1, 2, 4, 8 s apart: 1, 3, 7, 15 s
# after the first); the client, which believes it is established, answers
# each re-sent SYN-ACK with an ACK and retransmits its data on its own RTO,
# all dropped.  Linux also drops NEW SYNs while the accept queue is full, so
# the SYN must arrive while there is room and the final ACK when it is full.
# No tc netem here, so the delay comes from the client: TCP_DEFER_ACCEPT set on
# a CONNECTING socket makes Linux delay the handshake's final ACK by
# TCP_DELACK_MAX (200 ms) (tcp_rcv_synsent_state_process).  The capture
# stops before the client exits, so no FIN/RST ends it.
#
# Sequence (server 10.202.0.1:8080, listen backlog 1, never accept()s):
#   C, D: SYN at t0 with client-side TCP_DEFER_ACCEPT (final ACK at t0+200ms)
#   A, B: ordinary handshakes at t0+50ms, t0+100ms: the accept queue holds 2
#         (backlog + 1) and is full.  The SYN (request) queue is limited by
#         the listen backlog as well: with C and D's request sockets pending
#         it counts as full, so A and B are answered with SYN cookies
#         (TcpExtTCPReqQFullDoCookies, TcpExtSyncookiesSent/Recv 2) even with
#         tcp_syncookies=1 and no flood
#   E:    SYN at t0+150ms: dropped because the accept queue is full; the
#         client retransmits it (tcp_syn_linear_timeouts=4: 1 s, 1 s, 1 s, ...)
#   C, D: delayed final ACK at ~t0+200ms: dropped (ListenOverflows)
#   A..D: a 19-byte request each at t0+500ms (C, D: dropped, retransmitted)
#   capture ends ~16.5 s after t0.
# Sysctls (server namespace): tcp_abort_on_overflow=0, tcp_syncookies=1,
# tcp_synack_retries=5 (defaults, set explicitly).
# Counters that should match (server): TcpExtListenOverflows and
# TcpExtListenDrops = number of dropped final ACKs/data/ACK segments of C and
# D plus dropped SYNs of E; TcpExtTCPSynRetrans = re-sent SYN-ACKs;
# TcpExtTCPDeferAcceptDrop 0; TcpExtTCPReqQFullDrop 0; TcpExtSyncookiesSent and
# TcpExtSyncookiesRecv 2 (A and B, see above).
# Client: TcpExtTCPSynRetrans = E's SYN retransmissions, TcpRetransSegs.
set -uo pipefail
name=accept-overflow-synresend
. "$(dirname "$0")/listen-common.sh"
. "$(dirname "$0")/accept-overflow-common.sh"
accept_overflow_run 1 16.5
