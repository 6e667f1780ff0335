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
rec_setup
ip netns exec "$srv" sysctl -qw net.ipv4.tcp_abort_on_overflow=0
ip netns exec "$srv" sysctl -qw net.ipv4.tcp_syncookies=2
ip netns exec "$srv" sysctl -qw net.ipv4.tcp_synack_retries=5

rec_capture "tcp port 8080"
ip netns exec "$srv" /usr/bin/python3 -c '
import socket, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.202.0.1", 8080))
s.listen(1)          # backlog 1, never accepted
time.sleep(40)
' &
server_pid=$!
for i in $(seq 50); do
	ip netns exec "$srv" ss -lnt | grep -q ':8080' && break
	sleep 0.1
done
sleep 0.5
nstat_reset "$srv"; nstat_reset "$cli"
ip netns exec "$cli" /usr/bin/python3 -c '
import socket, sys, time
SRV = ("10.202.0.1", 8080)
t0 = time.time()
def at(t):
    d = t0 + t - time.time()
    if d > 0: time.sleep(d)
late = []
for i in range(2):                      # C, D
    s = socket.socket()
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_DEFER_ACCEPT, 1)  # delay final ACK
    s.setblocking(False)
    s.connect_ex(SRV)
    late.append(s)
early = []
for i in range(2):                      # A, B
    at(0.05 * (i + 1))
    s = socket.socket()
    s.settimeout(2)
    s.connect(SRV)
    early.append(s)
at(0.15)
e = socket.socket()                     # E: SYN while the queue is full
e.setblocking(False)
e.connect_ex(SRV)
at(0.5)
for s in early + late:
    try:
        s.send(b"GET / HTTP/1.1\r\n\r\n")
    except OSError as err:
        print("send:", err)
at(10.5)
open(sys.argv[1], "w").close()          # done: the script stops the capture,
time.sleep(60)                          # then kills us (no FINs in the pcap)
' "$tmp/done" &
client_pid=$!
for i in $(seq 300); do [ -e "$tmp/done" ] && break; sleep 0.1; done
sleep 0.3
rec_stop
kill "$client_pid" 2>/dev/null
client_pid=
rec_save
