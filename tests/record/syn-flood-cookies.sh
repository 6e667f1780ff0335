#!/bin/bash
# syn-flood-cookies.sh: record a real Linux SYN flood answered with SYN
# cookies into OUT (default tests/pcaps/real-syn-flood-cookies.pcap), with the
# nstat counter deltas of the server and the client namespace beside it in
# real-syn-flood-cookies.pcap.nstat.  Run as root; it creates two network
# namespaces joined by a veth pair (tx checksum/TSO offload off, so the
# capture has real checksums) and removes them on exit.  Recorded on kernel
# 6.18.44-fc-v669; needs /usr/bin/python3 with scapy, tcpdump, iproute2 (ip,
# nstat), ethtool.
#
# Why: the SYN queue of a listener is limited by its listen backlog (not by
# tcp_max_syn_backlog once syncookies are on): the first SYNs get request
# sockets and ordinary SYN-ACKs (re-sent 1 s, 2 s later as nobody answers),
# every later SYN is answered statelessly with a cookie SYN-ACK
# (TcpExtTCPReqQFullDoCookies, TcpExtSyncookiesSent) and legitimate clients
# still complete their handshake with the cookie (TcpExtSyncookiesRecv).
#
# Sequence (server 10.202.0.1:8080, listen backlog 8, accept()s, reads the
# request, answers "ok\n" and closes; legitimate client 10.202.0.2):
#   t0:        legitimate connection L0 (before the flood: ordinary SYN-ACK)
#   t0+0.3 s:  the flood: 1000 SYNs sent with scapy sendp from the client
#              namespace, 10 bursts of 100, 0.15 s apart, from the spoofed
#              addresses 10.202.0.100-10.202.0.199 (no such hosts), source
#              ports 20000-20009, MSS option only, random ISNs; the server
#              namespace has permanent neighbour entries for those addresses
#              pointing to 02:00:00:00:00:99 (no such station), so its SYN-ACKs
#              are sent (and captured) but reach nobody.
#   t0+0.5, 0.9, 1.3 s: legitimate connections L1, L2, L3 during the flood
#              (cookie SYN-ACKs; the handshakes complete)
#   capture ends ~4 s after t0.
# Sysctls (server namespace): tcp_syncookies=1, tcp_max_syn_backlog=16,
# tcp_synack_retries=5.
# Counters that should match (server): TcpExtSyncookiesSent = cookie
# SYN-ACKs, TcpExtTCPReqQFullDoCookies = the same SYNs, TcpExtSyncookiesRecv =
# 3 (L1-L3 ACKs), TcpExtListenDrops/TcpExtListenOverflows (0 expected: the
# accept queue never fills), TcpExtTCPSynRetrans = re-sent SYN-ACKs.
set -uo pipefail
name=syn-flood-cookies
. "$(dirname "$0")/listen-common.sh"
. "$(dirname "$0")/syn-flood-common.sh"
flood_syncookies=1
flood_synack_retries=5
flood_syns=1000
flood_legit_at="0.0 0.5 0.9 1.3"
flood_record
