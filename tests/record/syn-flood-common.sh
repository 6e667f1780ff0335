# syn-flood-common.sh: the SYN flood recording that syn-flood-cookies.sh and
# syn-flood-nocookies.sh share (sourced after listen-common.sh, whose
# rec_setup it calls).  Server 10.202.0.1:8080 (listen backlog 8; accept()s,
# reads the request, answers "ok\n" and closes), tcp_max_syn_backlog=16; the
# flood: scapy SYNs from the client namespace in bursts of 100, 0.15 s apart
# from t0 + 0.3 s, from the spoofed addresses 10.202.0.100-199 (i % 100),
# source port 20000 + i / 100, MSS option only, random ISNs; the server
# namespace has permanent neighbour entries for them pointing to no station,
# so its SYN-ACKs are sent (and captured) but reach nobody.  Legitimate
# kernel clients from 10.202.0.2 connect at the given offsets from t0.
# The caller sets:
#   flood_syncookies       net.ipv4.tcp_syncookies in the server namespace
#   flood_synack_retries   net.ipv4.tcp_synack_retries there
#   flood_syns             how many spoofed SYNs
#   flood_legit_at         the legitimate connections' offsets from t0 (s)
# (The body is not indented: it holds python programs in quotes.)
flood_record() {
rec_setup
ip netns exec "$srv" sysctl -qw net.ipv4.tcp_syncookies="$flood_syncookies"
ip netns exec "$srv" sysctl -qw net.ipv4.tcp_max_syn_backlog=16
ip netns exec "$srv" sysctl -qw net.ipv4.tcp_synack_retries="$flood_synack_retries"
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
rec_wait_listen 8080
rec_pin_server_mac
sleep 0.5
nstat_reset "$srv"; nstat_reset "$cli"
# the flood (scapy, in the background): it builds its packets, then writes
# t0 (the common time origin, 0.2 s ahead) to $tmp/t0 and sends on schedule
ip netns exec "$cli" /usr/bin/python3 -c '
import sys, time, random
from scapy.all import Ether, IP, TCP, conf
conf.verb = 0
iface, dmac, t0file, nsyn = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
rnd = random.Random(8080)
pkts = [bytes(Ether(dst=dmac) / IP(src="10.202.0.%d" % (100 + i % 100), dst="10.202.0.1") /
              TCP(sport=20000 + i // 100, dport=8080, flags="S", seq=rnd.getrandbits(32),
                  window=64240, options=[("MSS", 1460)]))
        for i in range(nsyn)]
s = conf.L2socket(iface=iface)
t0 = time.time() + 0.2
with open(t0file + ".new", "w") as f:
    f.write("%.6f\n" % t0)
import os
os.rename(t0file + ".new", t0file)
for b in range((nsyn + 99) // 100):
    d = t0 + 0.3 + 0.15 * b - time.time()
    if d > 0:
        time.sleep(d)
    for p in pkts[100 * b:100 * (b + 1)]:
        s.send(p)
s.close()
' "tdr1-$$" "$srv_mac" "$tmp/t0" "$flood_syns" &
flood_pid=$!
for i in $(seq 300); do [ -s "$tmp/t0" ] && break; sleep 0.1; done
t0=$(cat "$tmp/t0") || exit 1
ip netns exec "$cli" /usr/bin/python3 -c '
import socket, sys, time
t0 = float(sys.argv[1])
for i, t in enumerate(float(x) for x in sys.argv[2].split()):
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
' "$t0" "$flood_legit_at"
wait "$flood_pid"
flood_pid=
now=$(date +%s.%N)
sleep "$(echo "$t0 + 4 - $now" | bc 2>/dev/null || echo 2)"
rec_stop "the flood bypasses its TCP stack"
rec_save
}
