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
rec_setup
ip netns exec "$srv" sysctl -qw net.ipv4.tcp_syncookies=0
ip netns exec "$srv" sysctl -qw net.ipv4.tcp_max_syn_backlog=16
ip netns exec "$srv" sysctl -qw net.ipv4.tcp_synack_retries=1
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
        for i in range(300)]
s = conf.L2socket(iface=iface)
t0 = time.time() + 0.2
with open(t0file + ".new", "w") as f:
    f.write("%.6f\n" % t0)
import os
os.rename(t0file + ".new", t0file)
for b in range(3):
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
for i, t in enumerate((0.0, 0.35, 0.5)):
    d = t0 + t - time.time()
    if d > 0:
        time.sleep(d)
    s = socket.socket()
    s.settimeout(6)
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
sleep "$(echo "$t0 + 5 - $now" | bc 2>/dev/null || echo 2)"
rec_stop "the flood bypasses its TCP stack"
rec_save
