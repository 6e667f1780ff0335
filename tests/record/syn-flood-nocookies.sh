#!/bin/bash
# syn-flood-nocookies.sh: record a SYN flood against a listener WITHOUT SYN
# cookies into OUT (default tests/pcaps/real-syn-flood-nocookies.pcap), nstat
# deltas beside it (.nstat).  Run as root (listen-common.sh: two namespaces,
# removed on exit).  Needs /usr/bin/python3 with scapy, tcpdump, iproute2,
# ethtool, bc.
#
# Server sysctls: tcp_syncookies=0, tcp_max_syn_backlog=16,
# tcp_synack_retries=1 (request sockets expire after about 3 s).  Listener
# :8080, backlog 8, accept()s, answers "ok\n", closes.  The flood: 300 scapy
# SYNs from 10.202.0.100-199 (i % 100), source port 20000 + i/100, options
# MSS 1460, in 3 bursts of 100 0.15 s apart from t0 + 0.3; the server
# namespace has permanent neighbour entries for them, so its SYN-ACKs are
# captured and nobody answers.  Legitimate clients (10.202.0.2, kernel) at
# t0 (L0, before), t0 + 0.35 and t0 + 0.5 (L1, L2, during).
# Why: without cookies a full SYN queue DROPS new SYNs (TcpExtListenDrops;
# no SYN-ACK, so no request socket and no memory for them): the server
# answers only as many SYNs as its queue holds, re-sends those SYN-ACKs
# once (TcpExtTCPSynRetrans), and the legitimate clients retry their SYNs
# until a slot frees.  Issue 12, item 5.
set -uo pipefail
name=syn-flood-nocookies
. "$(dirname "$0")/listen-common.sh"
. "$(dirname "$0")/syn-flood-common.sh"
flood_syncookies=0
flood_synack_retries=1
flood_syns=300
flood_legit_at="0.0 0.35 0.5"
flood_record
