#!/bin/bash
# time-wait-reuse.sh: record a client reconnecting from the SAME address and
# port to a server that still holds the previous connection in TIME_WAIT,
# into OUT (default tests/pcaps/real-time-wait-reuse.pcap), with the nstat
# counter deltas of the server and the client namespace beside it in
# real-time-wait-reuse.pcap.nstat.  Run as root; it creates two network namespaces
# joined by a veth pair (tx checksum/TSO offload off, so the capture has real
# checksums) and removes them on exit.  Recorded on kernel 6.18.44-fc-v669;
# needs /usr/bin/python3 with scapy, tcpdump, iproute2 (ip, nstat), ethtool,
# nftables (nft).
#
# Why: Linux's tcp_timewait_state_process() accepts a new SYN for a 4-tuple
# in TIME_WAIT only if its TSval is newer than the one remembered or, without
# timestamps, its sequence number is after the old rcv_nxt; the new
# connection then gets the ISN tw_snd_nxt + 65537.  Any other SYN is answered
# with a bare ACK for the OLD connection; the client's RST to that ACK
# (seq = the ACK's ack number = old rcv_nxt) kills the TIME_WAIT socket
# (tcp_rfc1337=0) and the re-sent SYN then finds the listener.
#
# Server 10.202.0.1:8080 accept()s, reads one request, answers and closes
# first (so it ends in TIME_WAIT); client 10.202.0.2.
#   (a) port 45001, timestamps on (client tcp_timestamps=1): kernel client
#       connects, sends "a1", reads the answer and EOF, closes; 0.1 s later a
#       new socket bound to the same port connects again: the SYN (newer
#       TSval, higher ISN) is accepted from TIME_WAIT: SYN-ACK with ISN =
#       old server snd_nxt + 65537; request "a2", answer, close as before.
#   (b) port 45002, client tcp_timestamps=0: kernel client, same exchange
#       ("b1").  0.1 s later scapy sends, from the same address and port, a
#       SYN without timestamps whose ISN is the OLD connection's ISN (not
#       after the old rcv_nxt).  The server's TIME_WAIT socket answers with a
#       bare ACK (old snd_nxt / old rcv_nxt); the client kernel, which has no
#       socket for it, answers that with a RST; 1 s later scapy re-sends the
#       same SYN, the listener answers with a SYN-ACK, scapy completes the
#       handshake with an ACK and then aborts with a RST|ACK (nft in the
#       client namespace drops the client kernel's own RSTs from port 45002
#       from the re-sent SYN on, so that they do not interfere).
# Sysctls: server tcp_timestamps=1, tcp_rfc1337=0 (defaults); client
# tcp_timestamps=1 for (a), 0 for (b).
# Counters that should match: server TcpExtTW (TIME_WAIT sockets scheduled:
# (a) 2, (b) 1), TcpExtTCPTimeWaitOverflow 0, TcpExtPAWSEstab 0.
set -uo pipefail
name=time-wait-reuse
. "$(dirname "$0")/listen-common.sh"
command -v nft > /dev/null || { echo "nft (Debian package nftables) is needed" >&2; exit 1; }
rec_setup
ip netns exec "$srv" sysctl -qw net.ipv4.tcp_timestamps=1
ip netns exec "$srv" sysctl -qw net.ipv4.tcp_rfc1337=0
ip netns exec "$cli" sysctl -qw net.ipv4.tcp_timestamps=1
rec_pin_server_mac

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
        req = c.recv(100)
        if req:
            c.sendall(b"answer to " + req)
    except OSError:
        pass
    c.close()            # the server closes first: TIME_WAIT here
' &
server_pid=$!
rec_wait_listen 8080
sleep 0.5
nstat_reset "$srv"; nstat_reset "$cli"
# (a) timestamps on
ip netns exec "$cli" /usr/bin/python3 -c '
import socket, time
for req in (b"a1\n", b"a2\n"):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("10.202.0.2", 45001))
    s.settimeout(3)
    s.connect(("10.202.0.1", 8080))
    s.sendall(req)
    data = b""
    for i in range(10):
        d = s.recv(100)
        if not d:
            break
        data += d
    print("(a)", data)
    s.close()
    time.sleep(0.1)
'
sleep 0.5
# (b) timestamps off, then a crafted SYN with the old ISN
ip netns exec "$cli" sysctl -qw net.ipv4.tcp_timestamps=0
ip netns exec "$cli" /usr/bin/python3 -c '
import socket, struct, subprocess, sys, time
from scapy.all import Ether, IP, TCP, conf
conf.verb = 0
iface, dmac = sys.argv[1], sys.argv[2]
SPORT = 45002
raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))  # ETH_P_ALL: both directions
raw.bind((iface, 3))
raw.settimeout(0.2)
def tcp_segments(deadline):
    # yield (flags, seq, ack, direction) of port-45002 segments seen on iface
    while time.time() < deadline:
        try:
            f, addr = raw.recvfrom(2048)
        except socket.timeout:
            continue
        ip = f[14:]
        if f[12:14] != b"\x08\x00" or ip[9] != 6:
            continue
        t = ip[(ip[0] & 15) * 4:]
        sp, dp, seq, ack = struct.unpack("!HHII", t[:12])
        if SPORT in (sp, dp):
            yield t[13], seq, ack, ("out" if sp == SPORT else "in")
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.202.0.2", SPORT))
s.settimeout(3)
s.connect(("10.202.0.1", 8080))
s.sendall(b"b1\n")
data = b""
for i in range(10):
    d = s.recv(100)
    if not d:
        break
    data += d
print("(b)", data)
s.close()
old_isn = None
for flags, seq, ack, d in tcp_segments(time.time() + 1):
    if d == "out" and flags & 0x12 == 0x02:
        old_isn = seq
        break
if old_isn is None:
    sys.exit("(b): the old SYN was not seen")
time.sleep(0.1)
syn = Ether(dst=dmac) / IP(src="10.202.0.2", dst="10.202.0.1") / TCP(
    sport=SPORT, dport=8080, flags="S", seq=old_isn, window=64240,
    options=[("MSS", 1460), ("NOP", None), ("NOP", None), ("SAckOK", b""),
             ("NOP", None), ("WScale", 7)])
l2 = conf.L2socket(iface=iface)
l2.send(syn)
print("(b) SYN with the old ISN %u sent" % old_isn)
for flags, seq, ack, d in tcp_segments(time.time() + 1):
    print("(b)   %s flags %#x seq %u ack %u" % (d, flags, seq, ack))
# from now on the client kernel must not reset the new connection
subprocess.run(["nft", "-f", "-"], check=True, input=
    b"table inet tdrec {\n chain out {\n type filter hook output priority 0;\n"
    b" tcp sport 45002 tcp flags & rst == rst drop\n }\n}\n")
l2.send(syn)                       # the re-sent SYN, 1 s after the first
print("(b) SYN re-sent")
srv_isn = None
for flags, seq, ack, d in tcp_segments(time.time() + 2):
    if d == "in" and flags & 0x12 == 0x12 and ack == old_isn + 1:
        srv_isn = seq
        break
if srv_isn is None:
    sys.exit("(b): no SYN-ACK to the re-sent SYN")
base = Ether(dst=dmac) / IP(src="10.202.0.2", dst="10.202.0.1")
l2.send(base / TCP(sport=SPORT, dport=8080, flags="A", seq=old_isn + 1,
                   ack=srv_isn + 1, window=502))
time.sleep(0.2)
l2.send(base / TCP(sport=SPORT, dport=8080, flags="RA", seq=old_isn + 1,
                   ack=srv_isn + 1, window=0))
print("(b) handshake completed with server ISN %u, then aborted" % srv_isn)
' "tdr1-$$" "$srv_mac"
sleep 0.5
rec_stop
rec_save
