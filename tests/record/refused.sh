#!/bin/bash
# refused.sh: record connections refused by a closed port into OUT (default
# tests/pcaps/real-refused.pcap), with the nstat counter deltas of the server
# and the client namespace beside it in real-refused.pcap.nstat.  Run as root; it
# creates two network namespaces joined by a veth pair (tx checksum/TSO
# offload off, so the capture has real checksums) and removes them on exit.
# Recorded on kernel 6.18.44-fc-v669; needs python3 (no scapy), tcpdump,
# iproute2 (ip, nstat), ethtool.
#
# Why: a SYN to a port with no listener is answered by the kernel with a
# RST|ACK (seq 0, ack = ISN + 1, no options, window 0) and connect() fails at
# once with ECONNREFUSED, without retransmitting the SYN.  The client
# (10.202.0.2) connects three times, 0.1 s apart, to 10.202.0.1:9999 where
# nothing listens (the server namespace has no listener at all).  No sysctl is
# changed.
# Counters that should match: server TcpOutRsts 3, TcpInSegs 3; client
# TcpActiveOpens 3, TcpAttemptFails 3, TcpExtTCPSynRetrans 0.
set -uo pipefail
name=refused
out=${1:-$(cd "$(dirname "$0")/../pcaps" && pwd)/real-$name.pcap}
nstat_out=${out}.nstat
srv=tdrec-srv-$$
cli=tdrec-cli-$$
tmp=$(mktemp -d)
cleanup() {
	[ -n "${tcpdump_pid:-}" ] && kill "$tcpdump_pid" 2>/dev/null
	[ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null
	ip netns del "$srv" 2>/dev/null
	ip netns del "$cli" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
ip netns add "$srv" || exit 1
ip netns add "$cli" || exit 1
ip link add "tdr0-$$" type veth peer name "tdr1-$$" || exit 1
ip link set "tdr0-$$" netns "$srv"
ip link set "tdr1-$$" netns "$cli"
ip -n "$srv" addr add 10.202.0.1/24 dev "tdr0-$$"
ip -n "$cli" addr add 10.202.0.2/24 dev "tdr1-$$"
ip netns exec "$srv" ethtool -K "tdr0-$$" tx off > /dev/null 2>&1
ip netns exec "$cli" ethtool -K "tdr1-$$" tx off > /dev/null 2>&1
for ns in "$srv" "$cli"; do
	ip -n "$ns" link set lo up
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1	# no IPv6 noise in nstat
done
ip -n "$srv" link set "tdr0-$$" up
ip -n "$cli" link set "tdr1-$$" up
srv_mac=$(ip netns exec "$srv" cat "/sys/class/net/tdr0-$$/address")
ip -n "$cli" neigh replace 10.202.0.1 lladdr "$srv_mac" dev "tdr1-$$" nud permanent
nstat_reset() { ip netns exec "$1" env NSTAT_HISTORY="$tmp/nstat.$1" nstat -n > /dev/null 2>&1; }
nstat_delta() { ip netns exec "$1" env NSTAT_HISTORY="$tmp/nstat.$1" nstat -z 2> /dev/null | grep -v '^#'; }

ip netns exec "$srv" tcpdump -q -i "tdr0-$$" -s 2048 -B 8192 --immediate-mode -U \
    -w "$tmp/cap.pcap" "tcp" 2> "$tmp/tcpdump.err" &
tcpdump_pid=$!
sleep 0.3
nstat_reset "$srv"; nstat_reset "$cli"
ip netns exec "$cli" /usr/bin/python3 -c '
import socket, time
for i in range(3):
    s = socket.socket()
    s.settimeout(3)
    try:
        s.connect(("10.202.0.1", 9999))
        print("connected?!")
    except OSError as e:
        print("connect %d: %s" % (i, e))
    s.close()
    time.sleep(0.1)
'
sleep 0.3
{
	echo "# kernel $(uname -r); nstat deltas (nstat -z) for the run"
	[ -s "$tmp/notes" ] && cat "$tmp/notes"
	echo "# server namespace (10.202.0.1)"
	nstat_delta "$srv"
	echo "# client namespace (10.202.0.2)"
	nstat_delta "$cli"
} > "$tmp/nstat"
kill "$tcpdump_pid"
wait "$tcpdump_pid" 2>/dev/null
tcpdump_pid=
grep -h "dropped by kernel" "$tmp/tcpdump.err"
cp "$tmp/cap.pcap" "$out"
cp "$tmp/nstat" "$nstat_out"
echo "wrote $out ($(tcpdump -r "$out" 2>/dev/null | wc -l) packets) and $nstat_out"
