#!/bin/bash
# stream-keepalive.sh: record real Linux TCP keep-alives on an idle
# connection.
#
# What: the client connects to the server through relay.c (2 ms each way,
# no actions) with SO_KEEPALIVE, TCP_KEEPIDLE=1 and TCP_KEEPINTVL=1, sends
# a 100-byte request that the server answers with 100 bytes, then both
# stay idle for 3.5 s: every second the client sends a keep-alive (a
# 0-byte segment with sequence number snd_una - 1) and the server answers
# each with a duplicate ACK.  Then the client closes and the server closes.
# Why: ground truth for keep_alive and keep-alive ACKs (not dup_ack).
# Vantage point: the client's veth -> tests/pcaps/real-stream-keepalive.pcap;
#   real-stream-keepalive.relaylog and real-stream-keepalive.nstat beside
#   it (here "sender" is the client, which sends the keep-alives).
# Recorded on Linux 6.18.44-fc-v669 (no tc netem: hence relay.c).
# Re-run: sudo bash tests/record/stream-keepalive.sh   (overwrites the files)
. "$(dirname "$0")/stream-common.sh"
setup_net
start_relay --link-delay 2ms
start_capture single "$cli" "$ifc0"
ip netns exec "$srv" "$py" -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(1)
s.settimeout(20)
c, _ = s.accept()
c.settimeout(20)
got = b""
while len(got) < 100:
    d = c.recv(100 - len(got))
    if not d:
        break
    got += d
c.sendall(b"r" * 100)
while c.recv(4096):
    pass
c.close()
print("server done")
' "$srv_ip" "$port" > "$tmp/server.out" 2>&1 &
bg_pids+=($!)
wait_listen
ip netns exec "$cli" timeout 30 "$py" -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
s.settimeout(20)
s.connect((sys.argv[1], int(sys.argv[2])))
s.sendall(b"q" * 100)
got = b""
while len(got) < 100:
    d = s.recv(100 - len(got))
    if not d:
        break
    got += d
time.sleep(3.5)
s.close()
print("client done")
' "$srv_ip" "$port"
wait_bg
finish keepalive client
