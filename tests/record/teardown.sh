#!/bin/bash
# teardown.sh: record how real Linux resets, reuses, opens and closes
# connections in the ways no other recording shows, into OUT (default
# tests/pcaps/real-teardown.pcap), with the nstat counter deltas of both
# namespaces beside it in real-teardown.pcap.nstat and the script's own log
# of what it did (client ports, times, the injected segment) in
# real-teardown.pcap.runlog.  Run as root; it creates two network namespaces
# joined by a veth pair (listen-common.sh) and removes them on exit.  Needs
# /usr/bin/python3 with scapy, tcpdump, iproute2, ethtool, nftables (nft).
#
# Server 10.202.0.1 (listener :8080), client 10.202.0.2; every scenario has
# its own client port, so its stream is known by port (LISTEN.md):
#   A 41001  established, then the client closes with SO_LINGER {1, 0}: the
#            kernel sends a RST instead of a FIN (connection_reset, by the
#            client, established).
#   B 41001  0.5 s later a new socket bound to the same port (SO_REUSEADDR)
#            connects again: A ended by a RST, so no TIME_WAIT holds the
#            4-tuple and the listener accepts the SYN (port_reuse).
#   C 41002  the client sends 100 bytes and shuts down its side (FIN); the
#            server never reads them and close()s 0.3 s later: with unread
#            data Linux sends a RST, not a FIN (RFC 2525; connection_reset by
#            the server while the client's side is closed).
#   D 41003  the client sends 10 bytes every 0.1 s, echoed; scapy, in the
#            client namespace, sniffs one of the client's segments and
#            injects a RST with that sequence number + 2^31, far outside the
#            server's receive window: the kernel ignores it (the echo goes
#            on), which is rst_out_of_window; then a normal close.
#   E 42001<->42000  simultaneous open: one socket in each namespace, bound
#            to the port the other connects to; nft drops both SYNs at input
#            (after the capture point) for 0.5 s, so both sockets sit in
#            SYN_SENT, then the rules go and the re-sent SYNs cross: each
#            kernel answers the other's SYN with a SYN-ACK (RFC 793 fig. 8).
#   F 41006  simultaneous close: nft drops FINs of this connection at input
#            in both namespaces, both sides shutdown() 10 ms apart, the rules
#            go 0.4 s later and the re-sent FINs cross (both sides CLOSING).
#   G 43000  synack_new_isn: scapy opens a connection (SYN, the server's
#            SYN-ACK, ACK); the server accept()s and aborts it at once with
#            SO_LINGER {1, 0}, its RST dropped by nft at output (a server
#            whose socket vanished without a word on the wire, as after a
#            restart); 0.4 s later scapy re-sends its SYN (same ISN) and the
#            listener answers with a SYN-ACK carrying a NEW ISN.  The client
#            kernel's RSTs for port 43000 are dropped by nft (scapy owns it).
# No sysctl is changed.
set -uo pipefail
name=teardown
. "$(dirname "$0")/listen-common.sh"
command -v nft > /dev/null || { echo "nft (Debian package nftables) is needed" >&2; exit 1; }
log_out=${out}.runlog
rec_setup
rec_pin_server_mac
cli_mac=$(ip netns exec "$cli" cat "/sys/class/net/tdr1-$$/address")
ip -n "$srv" neigh replace 10.202.0.2 lladdr "$cli_mac" dev "tdr0-$$" nud permanent

for ns in "$srv" "$cli"; do
	ip netns exec "$ns" nft -f - <<'EOF'
table inet rec {
	chain in { type filter hook input priority 0; }
	chain out { type filter hook output priority 0; }
}
EOF
	# E: drop the first SYNs of the simultaneous open (removed at t0 + 4.5)
	ip netns exec "$ns" nft add rule inet rec in tcp dport '{42000, 42001}' \
	    tcp flags '& (syn | ack) == syn' drop comment synE
done
# G: the server's abort RST and the client kernel's RSTs never reach the wire
ip netns exec "$srv" nft add rule inet rec out tcp dport 43000 tcp flags '& rst == rst' drop
ip netns exec "$cli" nft add rule inet rec out tcp sport 43000 tcp flags '& rst == rst' drop

cat > "$tmp/srv.py" <<'EOF'
import socket, struct, sys, threading, time
t0 = float(sys.argv[1])
def at(t):
    d = t0 + t - time.time()
    if d > 0:
        time.sleep(d)
def linger0(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
def handle(c, port, n):
    c.settimeout(10)
    try:
        if port == 41001 and n == 0:       # A: answer; the client resets
            c.recv(100); c.sendall(b"ok\n")
            while c.recv(100):
                pass
        elif port == 41002:                # C: never read, close with data unread
            time.sleep(0.3)
        elif port == 41003:                # D: echo until EOF
            while True:
                d = c.recv(100)
                if not d:
                    break
                c.sendall(d)
        elif port == 41006:                # F: shutdown at t0 + 7.01
            c.recv(100); c.sendall(b"ok\n")
            at(7.01); c.shutdown(socket.SHUT_WR)
            while c.recv(100):
                pass
        elif port == 43000:                # G: abort at once (RST dropped by nft)
            linger0(c)
        else:                              # B: answer, read to EOF
            c.recv(100); c.sendall(b"ok\n")
            while c.recv(100):
                pass
    except OSError as e:
        print("server port %d: %s" % (port, e))
    c.close()
def simopen():
    at(4.0)
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("10.202.0.1", 42000)); s.settimeout(5)
    s.connect(("10.202.0.2", 42001))
    s.sendall(b"srv\n"); s.recv(100); time.sleep(0.2); s.close()
    print("E: server side connected")
threading.Thread(target=simopen).start()
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("10.202.0.1", 8080)); ls.listen(16); ls.settimeout(1)
seen = {}
end = t0 + 12
while time.time() < end:
    try:
        c, a = ls.accept()
    except socket.timeout:
        continue
    n = seen.get(a[1], 0); seen[a[1]] = n + 1
    threading.Thread(target=handle, args=(c, a[1], n)).start()
EOF

cat > "$tmp/cli.py" <<'EOF'
import socket, struct, sys, threading, time
t0 = float(sys.argv[1])
S = ("10.202.0.1", 8080)
def at(t):
    d = t0 + t - time.time()
    if d > 0:
        time.sleep(d)
def sock(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("10.202.0.2", port)); s.settimeout(5)
    return s
def log(*a):
    print("t0+%.3f" % (time.time() - t0), *a, flush=True)
at(0)                                      # A
s = sock(41001); s.connect(S); s.sendall(b"request A\n"); s.recv(100); time.sleep(0.1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); s.close()
log("A: port 41001 closed with SO_LINGER {1,0} (RST)")
at(0.6)                                    # B
s = sock(41001); s.connect(S); s.sendall(b"request B\n"); s.recv(100)
s.shutdown(socket.SHUT_WR); s.recv(100); s.close()
log("B: port 41001 reused, closed normally")
at(1.2)                                    # C
s = sock(41002); s.connect(S); s.sendall(b"c" * 100); s.shutdown(socket.SHUT_WR)
try:
    log("C: recv ->", s.recv(100))
except OSError as e:
    log("C: recv ->", e)
s.close()
at(2.0)                                    # D
s = sock(41003); s.connect(S)
for i in range(12):
    s.sendall(b"echo %04d\n" % i); s.recv(100); time.sleep(0.1)
s.shutdown(socket.SHUT_WR); s.recv(100); s.close()
log("D: 12 echoes answered, closed normally")
def simopen():
    at(4.0)
    e = sock(42001); e.connect(("10.202.0.1", 42000))
    e.sendall(b"cli\n"); e.recv(100); time.sleep(0.2); e.close()
    log("E: client side connected")
threading.Thread(target=simopen).start()
at(6.0)                                    # F
s = sock(41006); s.connect(S); s.sendall(b"request F\n"); s.recv(100)
at(7.0); s.shutdown(socket.SHUT_WR)
log("F: client shutdown")
s.recv(100); s.close()
log("F: closed")
EOF

cat > "$tmp/inject.py" <<'EOF'
# D: sniff a client segment of port 41003, inject a RST at its seq + 2^31
import sys, time
from scapy.all import IP, TCP, sniff, send, conf
conf.verb = 0
p = sniff(iface=sys.argv[1], filter="tcp src port 41003 and tcp[13] & 8 != 0", count=3,
          timeout=4)
if len(p) < 3:
    print("D: no segment sniffed"); sys.exit(1)
q = p[-1]
seq = (q[TCP].seq + 2 ** 31) % 2 ** 32
time.sleep(0.02)
send(IP(src="10.202.0.2", dst="10.202.0.1") / TCP(sport=41003, dport=8080, flags="R", seq=seq))
print("D: injected RST seq %d (client segment seq %d + 2^31) at %.6f" % (seq, q[TCP].seq,
      time.time()))
EOF

cat > "$tmp/newisn.py" <<'EOF'
# G: a scapy client whose SYN is answered twice, with two ISNs
import random, sys, time
from scapy.all import IP, TCP, sr1, send, conf
conf.verb = 0
ip = IP(src="10.202.0.2", dst="10.202.0.1")
isn = random.randrange(2 ** 32)
syn = TCP(sport=43000, dport=8080, flags="S", seq=isn, options=[("MSS", 1460)])
a = sr1(ip / syn, timeout=2)
send(ip / TCP(sport=43000, dport=8080, flags="A", seq=isn + 1, ack=a[TCP].seq + 1))
print("G: SYN isn %d, SYN-ACK isn %d, ACK sent at %.6f" % (isn, a[TCP].seq, time.time()))
time.sleep(0.4)
b = sr1(ip / syn, timeout=2)
print("G: same SYN re-sent; SYN-ACK isn %s at %.6f" % (b and b[TCP].seq, time.time()))
time.sleep(0.1)
if b is not None:
    send(ip / TCP(sport=43000, dport=8080, flags="R", seq=isn + 1))
    print("G: RST seq %d sent" % (isn + 1))
EOF

rec_capture "tcp"
sleep 0.5
nstat_reset "$srv"; nstat_reset "$cli"
t0=$(/usr/bin/python3 -c 'import time; print("%.3f" % (time.time() + 1))')
ip netns exec "$srv" timeout 20 /usr/bin/python3 "$tmp/srv.py" "$t0" > "$tmp/srv.log" 2>&1 &
server_pid=$!
sleep 0.3
ip netns exec "$cli" timeout 20 /usr/bin/python3 "$tmp/cli.py" "$t0" > "$tmp/cli.log" 2>&1 &
client_pid=$!
wait_until() { sleep "$(/usr/bin/python3 -c "import time; print(max(0, $t0 + $1 - time.time()))")"; }
wait_until 2.05
ip netns exec "$cli" timeout 6 /usr/bin/python3 "$tmp/inject.py" "tdr1-$$" > "$tmp/inject.log" 2>&1
wait_until 4.5
for ns in "$srv" "$cli"; do
	h=$(ip netns exec "$ns" nft -a list chain inet rec in | awk '/synE/ { print $NF }')
	ip netns exec "$ns" nft delete rule inet rec in handle "$h"
done
wait_until 6.5
for ns in "$srv" "$cli"; do
	ip netns exec "$ns" nft add rule inet rec in tcp sport 41006 tcp flags '& fin == fin' \
	    drop comment finF
	ip netns exec "$ns" nft add rule inet rec in tcp dport 41006 tcp flags '& fin == fin' \
	    drop comment finF
done
wait_until 7.4
for ns in "$srv" "$cli"; do
	for h in $(ip netns exec "$ns" nft -a list chain inet rec in | awk '/finF/ { print $NF }'); do
		ip netns exec "$ns" nft delete rule inet rec in handle "$h"
	done
done
wait_until 9.0
ip netns exec "$cli" timeout 8 /usr/bin/python3 "$tmp/newisn.py" > "$tmp/newisn.log" 2>&1
wait "$client_pid"; client_pid=
wait "$server_pid"; server_pid=
sleep 0.5
{ echo "# t0 = $t0 (epoch s)"; cat "$tmp/cli.log" "$tmp/inject.log" "$tmp/newisn.log";
  sed 's/^/server: /' "$tmp/srv.log"; } > "$tmp/notes.log"
# what the counters count and the capture cannot show (tests/nstat-match.sh)
echo "# hidden: server TcpEstabResets 1 (G: the server's abort RST, dropped by nft before the capture point)" \
    > "$tmp/notes"
rec_stop
rec_save
cp "$tmp/notes.log" "$log_out"
cat "$log_out"
