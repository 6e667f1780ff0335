# accept-overflow-common.sh: the run accept-overflow-synresend.sh and
# accept-overflow-silent.sh share (their header comments say what it shows).
# Sourced after listen-common.sh.
#
# accept_overflow_run SYNCOOKIES SECONDS: a listener on 10.202.0.1:8080 with
# backlog 1 that never accept()s, server sysctls tcp_abort_on_overflow=0,
# tcp_syncookies=SYNCOOKIES, tcp_synack_retries=5; the client sequence C, D
# (final ACK delayed 200 ms), A, B, E, requests at 0.5 s; the capture stops
# SECONDS after t0.
accept_overflow_run() {
	rec_setup
	ip netns exec "$srv" sysctl -qw net.ipv4.tcp_abort_on_overflow=0
	ip netns exec "$srv" sysctl -qw net.ipv4.tcp_syncookies="$1"
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
	rec_wait_listen 8080
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
at(float(sys.argv[2]))
open(sys.argv[1], "w").close()          # done: the script stops the capture,
time.sleep(60)                          # then kills us (no FINs in the pcap)
' "$tmp/done" "$2" &
	client_pid=$!
	for i in $(seq 300); do [ -e "$tmp/done" ] && break; sleep 0.1; done
	sleep 0.3
	rec_stop
	kill "$client_pid" 2>/dev/null
	client_pid=
	rec_save
}
