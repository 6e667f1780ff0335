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
rec_setup
ip netns exec "$srv" sysctl -qw net.ipv4.tcp_syncookies=1
ip netns exec "$srv" sysctl -qw net.ipv4.tcp_max_syn_backlog=16
ip netns exec "$srv" sysctl -qw net.ipv4.tcp_synack_retries=5
for i in $(seq 100 199); do
	ip -n "$srv" neigh replace "10.202.0.$i" lladdr 02:00:00:00:00:99 \
	    dev "tdr0-$$" nud permanent
done

rec_capture "tcp port 8080"
ip netns exec "$srv" /usr/bin/python3 -c '
import socket, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.202.0.1", 8080))
s.listen(8)
s.settimeout(1)
end = time.time() + 40
while time.time() < end:
    try:
        c, a = s.accept()
    except socket.timeout:
        continue
    c.settimeout(2)
    try:
        c.recv(100)
        c.sendall(b"ok\n")
    except OSError:
        pass
    c.close()
' &
server_pid=$!
for i in $(seq 50); do
	ip netns exec "$srv" ss -lnt | grep -q ':8080' && break
	sleep 0.1
done
rec_pin_server_mac
sleep 0.5
nstat_reset "$srv"; nstat_reset "$cli"
# the flood (scapy, in the background): it builds its packets, then writes
# t0 (the common time origin, 0.2 s ahead) to $tmp/t0 and sends on schedule
ip netns exec "$cli" /usr/bin/python3 -c '
import sys, time, random
from scapy.all import Ether, IP, TCP, conf
conf.verb = 0
iface, dmac, t0file = sys.argv[1], sys.argv[2], sys.argv[3]
rnd = random.Random(8080)
pkts = [bytes(Ether(dst=dmac) / IP(src="10.202.0.%d" % (100 + i % 100), dst="10.202.0.1") /
              TCP(sport=20000 + i // 100, dport=8080, flags="S", seq=rnd.getrandbits(32),
                  window=64240, options=[("MSS", 1460)]))
        for i in range(1000)]
s = conf.L2socket(iface=iface)
t0 = time.time() + 0.2
with open(t0file + ".new", "w") as f:
    f.write("%.6f\n" % t0)
import os
os.rename(t0file + ".new", t0file)
for b in range(10):
    d = t0 + 0.3 + 0.15 * b - time.time()
    if d > 0:
        time.sleep(d)
    for p in pkts[100 * b:100 * (b + 1)]:
        s.send(p)
s.close()
' "tdr1-$$" "$srv_mac" "$tmp/t0" &
flood_pid=$!
for i in $(seq 300); do [ -s "$tmp/t0" ] && break; sleep 0.1; done
t0=$(cat "$tmp/t0") || exit 1
ip netns exec "$cli" /usr/bin/python3 -c '
import socket, sys, time
t0 = float(sys.argv[1])
for i, t in enumerate((0.0, 0.5, 0.9, 1.3)):
    d = t0 + t - time.time()
    if d > 0:
        time.sleep(d)
    s = socket.socket()
    s.settimeout(3)
    try:
        s.connect(("10.202.0.1", 8080))
        s.sendall(b"hello L%d\n" % i)
        print("L%d:" % i, s.recv(100))
    except OSError as e:
        print("L%d:" % i, e)
    s.close()
' "$t0"
wait "$flood_pid"
flood_pid=
now=$(date +%s.%N)
sleep "$(echo "$t0 + 4 - $now" | bc 2>/dev/null || echo 2)"
rec_stop "the flood bypasses its TCP stack"
rec_save
