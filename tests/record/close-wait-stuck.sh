#!/bin/bash
# close-wait-stuck.sh: record a server stuck in CLOSE_WAIT into OUT (default
# tests/pcaps/real-close-wait-stuck.pcap), with the nstat counter deltas of
# the server and the client namespace beside it in real-close-wait-stuck.pcap.nstat
# (plus the server's `ss` lines taken while it is in CLOSE-WAIT).  Run as
# root; it creates two network namespaces joined by a veth pair (tx
# checksum/TSO offload off, so the capture has real checksums) and removes
# them on exit.  Recorded on kernel 6.18.44-fc-v669; needs python3 (no
# scapy), tcpdump, iproute2 (ip, nstat, ss), ethtool.  Takes about 14 s.
#
# Why: a peer's FIN only moves the server to CLOSE_WAIT; the connection stays
# alive (and may carry data the other way) until the application closes.
# The client (10.202.0.2) connects to 10.202.0.1:8080, sends a 16-byte
# request and half-closes with shutdown(SHUT_WR) (a FIN; it keeps reading:
# with a full close() the client kernel would answer the server's later data
# with a RST).  The server reads the request and the EOF but does not close:
# it sends "tick N\n" (7 bytes) every 2 s, six times (t = 0, 2, ..., 10 s
# after the EOF), then waits 2 s more and closes (its FIN; the client
# answers with its ACK and ends in TIME_WAIT).  No sysctl is changed.
# Counters that should match: server TcpPassiveOpens 1, TcpEstabResets 0,
# client TcpActiveOpens 1, TcpExtTW 1 (client TIME_WAIT), no retransmissions.
set -uo pipefail
name=close-wait-stuck
. "$(dirname "$0")/listen-common.sh"
rec_setup
rec_pin_server_mac

rec_capture "tcp"
ip netns exec "$srv" /usr/bin/python3 -c '
import socket, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.202.0.1", 8080))
s.listen(8)
s.settimeout(10)
c, a = s.accept()
c.settimeout(5)
req = b""
for i in range(10):
    d = c.recv(100)
    if not d:
        break                        # the client FIN: CLOSE_WAIT from here
    req += d
for n in range(6):
    c.sendall(b"tick %d\n" % n)
    time.sleep(2)
c.close()
time.sleep(5)
' &
server_pid=$!
rec_wait_listen 8080
sleep 0.5
nstat_reset "$srv"; nstat_reset "$cli"
ip netns exec "$cli" /usr/bin/python3 -c '
import socket, time
s = socket.socket()
s.settimeout(20)
s.connect(("10.202.0.1", 8080))
s.sendall(b"GET /stuck HTTP\n")
s.shutdown(socket.SHUT_WR)
data = b""
for i in range(20):
    d = s.recv(100)
    if not d:
        break
    data += d
print(data)
s.close()
' &
client_pid=$!
sleep 5
{
	echo "# server namespace ss -tn about 5 s after the client FIN:"
	ip netns exec "$srv" ss -tn | sed 's/^/#   /'
} > "$tmp/notes"
for i in $(seq 150); do kill -0 "$client_pid" 2>/dev/null || break; sleep 0.1; done
wait "$server_pid" 2>/dev/null
server_pid=
sleep 0.3
rec_stop
rec_save
