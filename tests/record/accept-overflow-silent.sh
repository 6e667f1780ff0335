#!/bin/bash
# accept-overflow-silent.sh: record a real Linux accept-queue overflow with
# net.ipv4.tcp_syncookies=2 (always answer SYNs with a SYN cookie, never
# create a request socket) and tcp_abort_on_overflow=0 into OUT (default
# tests/pcaps/real-accept-overflow-silent.pcap), with the nstat counter
# deltas of the server and the client namespace beside it in
# real-accept-overflow-silent.pcap.nstat.  Run as root; it creates two network
# namespaces joined by a veth pair (tx checksum/TSO offload off, so the
# capture has real checksums and MSS-sized segments) and removes them on exit.
# Recorded on kernel 6.18.44-fc-v669; needs python3 (no scapy), tcpdump,
# iproute2 (ip, nstat), ethtool.
#
# Why: the counterpart of accept-overflow-synresend.sh.  With cookies only
# there is no request socket: when the cookie ACK arrives and the accept
# queue is full, the child cannot be queued, the ACK is dropped SILENTLY and
# nothing remembers the connection, so the server never re-sends a SYN-ACK;
# the client (established) retransmits its data on its RTO, unanswered.
# Linux drops new SYNs while the accept queue is full, so the SYN must arrive
# while there is room and the final ACK when it is full; no tc netem here, so
# TCP_DEFER_ACCEPT set on a CONNECTING socket makes the client delay the
# handshake's final ACK by TCP_DELACK_MAX (200 ms).
# The capture stops before the client exits, so no FIN/RST ends it.
#
# Sequence (server 10.202.0.1:8080, listen backlog 1, never accept()s):
#   C, D: SYN at t0 with client-side TCP_DEFER_ACCEPT (final ACK at t0+200ms)
#   A, B: ordinary handshakes at t0+50ms, t0+100ms: the accept queue holds 2
#         (backlog + 1) and is full
#   E:    SYN at t0+150ms: dropped because the accept queue is full; the
#         client retransmits it (tcp_syn_linear_timeouts=4: 1 s, 1 s, 1 s, ...)
#   C, D: delayed final ACK at ~t0+200ms: dropped (ListenOverflows)
#   A..D: a 19-byte request each at t0+500ms (C, D: dropped, retransmitted)
#   capture ends ~10.5 s after t0.
# Sysctls (server namespace): tcp_syncookies=2, tcp_abort_on_overflow=0,
# tcp_synack_retries=5.
# Counters that should match (server): TcpExtSyncookiesSent = SYN-ACKs (4),
# TcpExtSyncookiesRecv = valid cookie ACK/data segments (A, B and every
# dropped segment of C, D), TcpExtListenOverflows = TcpExtListenDrops =
# dropped segments of C and D plus dropped SYNs of E, TcpExtTCPSynRetrans 0,
# TcpExtTCPTimeouts 0.
set -uo pipefail
name=accept-overflow-silent
. "$(dirname "$0")/listen-common.sh"
. "$(dirname "$0")/accept-overflow-common.sh"
accept_overflow_run 2 10.5
