# listen-common.sh: what the listen-queue recording scripts share.  Sourced
# by tests/record/{accept-overflow-*,syn-*,time-wait-reuse,close-wait-stuck,
# refused}.sh after they set $name; their first argument, if any, is the
# output pcap (default tests/pcaps/real-$name.pcap, nstat counters beside it
# in OUT.nstat).
#
# rec_setup: two network namespaces, $srv (10.202.0.1 on tdr0-$$) and $cli
#   (10.202.0.2 on tdr1-$$), joined by a veth pair with transmit checksum
#   offload off (so the capture has real checksums) and IPv6 off (no IPv6
#   noise in nstat); all removed on exit, with any $tcpdump_pid,
#   $server_pid, $client_pid or $flood_pid still running.
# rec_pin_server_mac: a permanent neighbour entry for the server in the
#   client namespace (no ARP in the capture).
# nstat_reset NS / nstat_delta NS: counters of one namespace since its reset.
# rec_capture FILTER: tcpdump on the server's veth into $tmp/cap.pcap.
# rec_stop [CLIENT_NOTE]: the nstat deltas of both namespaces (and
#   $tmp/notes, if written) into $tmp/nstat, then stop the capture.
# rec_save: report tcpdump's drops, write $out and $out.nstat.
out=${1:-$(cd "$(dirname "$0")/../pcaps" && pwd)/real-$name.pcap}
nstat_out=${out}.nstat
srv=tdrec-srv-$$
cli=tdrec-cli-$$
tmp=$(mktemp -d)

cleanup() {
	local pid

	for pid in "${tcpdump_pid:-}" "${server_pid:-}" "${client_pid:-}" "${flood_pid:-}"; do
		[ -n "$pid" ] && kill "$pid" 2>/dev/null
	done
	ip netns del "$srv" 2>/dev/null
	ip netns del "$cli" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

rec_setup() {
	local ns

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
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	done
	ip -n "$srv" link set "tdr0-$$" up
	ip -n "$cli" link set "tdr1-$$" up
}

rec_pin_server_mac() {
	srv_mac=$(ip netns exec "$srv" cat "/sys/class/net/tdr0-$$/address")
	ip -n "$cli" neigh replace 10.202.0.1 lladdr "$srv_mac" dev "tdr1-$$" nud permanent
}

# rec_wait_listen PORT: wait (at most 5 s) until the server namespace
# listens on PORT; the recording goes on either way, as it always did.
rec_wait_listen() {
	for i in $(seq 50); do
		ip netns exec "$srv" ss -lnt | grep -q ":$1 " && return 0
		sleep 0.1
	done
}
nstat_reset() { ip netns exec "$1" env NSTAT_HISTORY="$tmp/nstat.$1" nstat -n > /dev/null 2>&1; }
nstat_delta() { ip netns exec "$1" env NSTAT_HISTORY="$tmp/nstat.$1" nstat -z 2> /dev/null | grep -v '^#'; }

rec_capture() {
	ip netns exec "$srv" tcpdump -q -i "tdr0-$$" -s 2048 -B 8192 --immediate-mode -U \
	    -w "$tmp/cap.pcap" "$1" 2> "$tmp/tcpdump.err" &
	tcpdump_pid=$!
}

rec_stop() {
	{
		echo "# kernel $(uname -r); nstat deltas (nstat -z) for the run"
		[ -s "$tmp/notes" ] && cat "$tmp/notes"
		echo "# server namespace (10.202.0.1)"
		nstat_delta "$srv"
		echo "# client namespace (10.202.0.2${1:+; $1})"
		nstat_delta "$cli"
	} > "$tmp/nstat"
	kill "$tcpdump_pid"
	wait "$tcpdump_pid" 2>/dev/null
	tcpdump_pid=
}

rec_save() {
	grep -h "dropped by kernel" "$tmp/tcpdump.err"
	cp "$tmp/cap.pcap" "$out"
	cp "$tmp/nstat" "$nstat_out"
	echo "wrote $out ($(tcpdump -r "$out" 2>/dev/null | wc -l) packets) and $nstat_out"
}
