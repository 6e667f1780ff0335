#!/bin/bash
# port-reuse.sh: record a client reconnecting from the same address and port
# after the server's TIME_WAIT for the previous connection has expired, into
# OUT (default tests/pcaps/real-port-reuse.pcap), nstat deltas beside it
# (.nstat).  Run as root (listen-common.sh: two namespaces, removed on
# exit).  Needs /usr/bin/python3, tcpdump, iproute2, ethtool.  Takes 65 s.
#
# Server 10.202.0.1:8080 answers one request and closes first, so it holds
# TIME_WAIT; Linux keeps a TIME_WAIT socket 60 s (TCP_TIMEWAIT_LEN, not a
# sysctl).  The client (10.202.0.2, port 45101) connects, sends "a1", reads
# the answer and EOF, closes; 62 s later it connects again from port 45101.
# The TIME_WAIT is gone: the listener answers with a fresh ISN (not the old
# snd_nxt + 65537 that a SYN accepted from TIME_WAIT gets, as in
# real-time-wait-reuse.pcap), and the server counts TcpExtTW 2 (one per
# connection), TcpExtTWRecycled 0.
# Why: ground truth for port_reuse after 2*MSL, with MSL = 30 s (Linux's
# TIME_WAIT of 60 s); tcpdissect's default --msl 60 would keep the
# 4-tuple in TIME_WAIT for 120 s.
set -uo pipefail
name=port-reuse
. "$(dirname "$0")/listen-common.sh"
rec_setup
rec_pin_server_mac
rec_capture "tcp port 8080"
ip netns exec "$srv" timeout 80 /usr/bin/python3 -c '
import socket, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.202.0.1", 8080))
s.listen(8)
s.settimeout(1)
n = 0
end = time.time() + 75
while time.time() < end and n < 2:
    try:
        c, a = s.accept()
    except socket.timeout:
        continue
    c.settimeout(3)
    c.recv(100)
    c.sendall(b"answer\n")
    c.close()
    n += 1
' &
server_pid=$!
rec_wait_listen 8080
sleep 0.3
nstat_reset "$srv"; nstat_reset "$cli"
ip netns exec "$cli" timeout 75 /usr/bin/python3 -c '
import socket, time
for i, pause in enumerate((0, 62)):
    time.sleep(pause)
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("10.202.0.2", 45101))
    s.settimeout(3)
    s.connect(("10.202.0.1", 8080))
    s.sendall(b"a%d\n" % (i + 1))
    print("reply", s.recv(100), "eof", s.recv(100) == b"", time.time())
    s.close()
'
wait "$server_pid"
server_pid=
sleep 0.3
rec_stop
rec_save
