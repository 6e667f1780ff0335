#!/bin/bash
# framing-nagle.sh: record tests/gen/real-framing-nagle-on.pcap and
# real-framing-nagle-off.pcap: in a network namespace of its own (loopback
# only, tcp_autocorking off so that only Nagle decides), a client writes
# 10 bursts of 20 lines of 12 bytes ("line NNNNNN\n"), one write per line,
# and after each burst waits for the server's "ok\n"; once with Nagle's
# algorithm (the default) and once with TCP_NODELAY.  With Nagle a small
# write waits while a small segment is unacknowledged, and the server,
# which answers (so its ACKs are delayed), acknowledges late: the rest of
# a burst leaves in segments of several lines.  With TCP_NODELAY each
# write is a segment of its own.  tests/framing.sh checks
# what --framing line finds in both.
#
# Needs root, iproute2, tcpdump and /usr/bin/python3.  Everything it
# creates carries its PID and is removed on exit.
set -uo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
pcapdir=$top/tests/gen	# beside the generated framing captures: not in the suite's list
py=/usr/bin/python3
ns=tds-nagle-$$
tmp=$(mktemp -d)
cap_pid=

cleanup() {
	[ -n "$cap_pid" ] && kill "$cap_pid" 2>/dev/null
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || { echo "$0: run as root" >&2; exit 1; }
command -v tcpdump > /dev/null || { echo "$0: tcpdump is missing" >&2; exit 1; }

ip netns add "$ns" || exit 1
ip -n "$ns" link set lo up
ip netns exec "$ns" sysctl -qw net.ipv4.tcp_autocorking=0

cat > "$tmp/peer.py" <<'EOF'
import socket, sys, time
mode, port = sys.argv[1], int(sys.argv[2])
if mode == "server":
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(1)
    c, _ = s.accept()
    n = 0
    while True:
        b = c.recv(65536)
        if not b:
            break
        for _ in range((n + len(b)) // 240 - n // 240):
            c.sendall(b"ok\n")              # one answer per 20 lines
        n += len(b)
    c.close()
    print(n)
else:
    c = socket.socket()
    if mode == "nodelay":
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for _ in range(100):                     # the server may not listen yet
        try:
            c.connect(("127.0.0.1", port))
            break
        except ConnectionRefusedError:
            time.sleep(0.01)
    for burst in range(10):
        for i in range(20):
            c.sendall(b"line %06d\n" % (burst * 20 + i))
        got = b""
        while not got.endswith(b"ok\n"):
            got += c.recv(16)
    c.close()
EOF

record() {	# record NAME MODE PORT
	local name=$1 mode=$2 port=$3 out srv
	ip netns exec "$ns" tcpdump -i lo -U --immediate-mode -B 16384 -s 0 -w "$tmp/$name.pcap" "tcp port $port" \
	    2> "$tmp/tcpdump.err" &
	cap_pid=$!
	sleep 1
	ip netns exec "$ns" "$py" "$tmp/peer.py" server "$port" > "$tmp/server.out" &
	srv=$!
	sleep 0.2
	ip netns exec "$ns" "$py" "$tmp/peer.py" "$mode" "$port"
	wait "$srv"
	sleep 1.5
	kill "$cap_pid"
	wait "$cap_pid" 2> /dev/null
	cap_pid=
	grep -q "^0 packets dropped by kernel" "$tmp/tcpdump.err" ||
	    { echo "$0: $name: tcpdump dropped packets; run again" >&2; exit 1; }
	out=$(cat "$tmp/server.out")
	[ "$out" = 2400 ] || { echo "$0: $name: the server read $out bytes, not 2400" >&2; exit 1; }
	cp "$tmp/$name.pcap" "$pcapdir/$name.pcap"
	echo "$pcapdir/$name.pcap"
}

record real-framing-nagle-on nagle 9100
record real-framing-nagle-off nodelay 9101
