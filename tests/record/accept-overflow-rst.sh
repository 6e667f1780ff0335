#!/bin/bash
# accept-overflow-rst.sh: record a real Linux accept-queue overflow with
# net.ipv4.tcp_abort_on_overflow=1 into OUT.pcap (default
# tests/pcaps/real-accept-overflow-rst.pcap), with the server's nstat
# counters beside it (OUT.nstat).  Run as root; it creates two network
# namespaces joined by a veth pair and removes them on exit.
#
# The server listens with a backlog of 1 and never calls accept(), with
# TCP_DEFER_ACCEPT so that a connection only moves to the accept queue when
# its first data arrives; the client completes four handshakes, then sends
# a request on each.  The first two fill the accept queue (backlog + 1);
# for the others the kernel finds it full and, with tcp_abort_on_overflow=1,
# answers with a RST (TcpExtListenOverflows).  Without TCP_DEFER_ACCEPT the
# same needs link delay (tc netem, absent from this kernel): a full queue
# also makes Linux drop new SYNs (TcpExtListenDrops), so handshakes made one
# after another never reach the overflow.
set -uo pipefail
out=${1:-$(cd "$(dirname "$0")/../pcaps" && pwd)/real-accept-overflow-rst.pcap}
srv=tdrec-srv-$$
cli=tdrec-cli-$$
tmp=$(mktemp -d)
cleanup() {
	[ -n "${tcpdump_pid:-}" ] && kill "$tcpdump_pid" 2>/dev/null || true
	[ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null || true
	ip netns del "$srv" 2>/dev/null || true
	ip netns del "$cli" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
ip netns add "$srv"
ip netns add "$cli"
ip link add "tdr0-$$" type veth peer name "tdr1-$$"
ip link set "tdr0-$$" netns "$srv"
ip link set "tdr1-$$" netns "$cli"
ip -n "$srv" addr add 10.202.0.1/24 dev "tdr0-$$"
ip -n "$cli" addr add 10.202.0.2/24 dev "tdr1-$$"
for ns in "$srv" "$cli"; do
	ip -n "$ns" link set lo up
done
ip -n "$srv" link set "tdr0-$$" up
ip -n "$cli" link set "tdr1-$$" up
ip netns exec "$srv" sysctl -qw net.ipv4.tcp_abort_on_overflow=1
ip netns exec "$srv" sysctl -qw net.ipv4.tcp_syncookies=1

ip netns exec "$srv" tcpdump -q -i "tdr0-$$" -U -w "$tmp/cap.pcap" "tcp port 8080" \
    2> "$tmp/tcpdump.err" &
tcpdump_pid=$!
ip netns exec "$srv" /usr/bin/python3 -c '
import socket, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_DEFER_ACCEPT, 5)
s.bind(("10.202.0.1", 8080))
s.listen(1)          # backlog 1, never accepted
time.sleep(30)
' &
server_pid=$!
rec_wait_listen 8080
sleep 0.5
ip netns exec "$srv" nstat -n > /dev/null 2>&1 || true		# reset the deltas
ip netns exec "$cli" /usr/bin/python3 -c '
import socket, time
socks = []
for i in range(4):
    s = socket.socket()
    s.settimeout(2)
    try:
        s.connect(("10.202.0.1", 8080))
        socks.append(s)
    except OSError as e:
        print("connect %d: %s" % (i, e))
    time.sleep(0.05)
time.sleep(0.2)
for i, s in enumerate(socks):
    try:
        s.send(b"GET / HTTP/1.1\r\n\r\n")
    except OSError as e:
        print("connection %d: %s" % (i, e))
    time.sleep(0.05)
time.sleep(1)
'
sleep 0.5
ip netns exec "$srv" nstat -z TcpExtListenOverflows TcpExtListenDrops TcpExtEmbryonicRsts \
    TcpExtTCPAbortOnData TcpExtSyncookiesSent TcpExtSyncookiesRecv 2> /dev/null | grep -v '^#' > "$tmp/nstat" || true
kill "$tcpdump_pid"
wait "$tcpdump_pid" 2>/dev/null || true
tcpdump_pid=
cp "$tmp/cap.pcap" "$out"
{
	echo "# kernel $(uname -r); nstat deltas in the server namespace during the run"
	cat "$tmp/nstat"
} > "$out.nstat"
echo "wrote $out ($(tcpdump -r "$out" 2>/dev/null | wc -l) packets) and $out.nstat"
cat "$out.nstat"
