# stream-common.sh: shared by the tests/record/stream-*.sh recording scripts
# (sourced, not run).  It builds tests/record/relay.c, creates three network
# namespaces
#
#   client (10.203.0.1) <-veth-> relay namespace <-veth-> server (10.203.0.2)
#
# where relay.c forwards Ethernet frames between the two inner veth ends,
# applying the scripted actions it is given and logging each, runs tcpdump
# on the client's and/or the server's veth, and at the end writes the
# captures, the relay's log and the nstat counters of both end namespaces
# into tests/pcaps/.  Offloads are off on every veth end (TSO/GSO/GRO and
# checksum offload), so every segment is MSS-sized and checksummed.  All
# names carry the caller's PID; everything is removed on exit.
#
# Needs root, iproute2, tcpdump, ethtool, nstat (iproute2), a C compiler
# and /usr/bin/python3.

set -uo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
pcapdir=$top/tests/pcaps
py=/usr/bin/python3
port=9000
cli_ip=10.203.0.1
srv_ip=10.203.0.2
cli=tds-cli-$$
rly=tds-rly-$$
srv=tds-srv-$$
ifc0=tdc0-$$	# client's end
ifc1=tdc1-$$	# relay's end facing the client
ifs0=tds0-$$	# server's end
ifs1=tds1-$$	# relay's end facing the server
tmp=$(mktemp -d)
relay_pid=
cap_pids=()
bg_pids=()

cleanup() {
	local p
	for p in "${bg_pids[@]}" "${cap_pids[@]}" $relay_pid; do
		kill "$p" 2>/dev/null || true
	done
	for p in "$cli" "$rly" "$srv"; do
		ip netns del "$p" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

need() {
	command -v "$1" > /dev/null || { echo "$0: $1 is missing (apt-get install $2)" >&2; exit 1; }
}
need ip iproute2
need tcpdump tcpdump
need ethtool ethtool
need nstat iproute2
[ -x "$py" ] || { echo "$0: $py is missing" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "$0: run as root" >&2; exit 1; }

# setup_net: namespaces, veths, addresses, offloads off, IPv6 off.
setup_net() {
	local ns dev
	cc -O2 -Wall -Wextra -o "$tmp/relay" "$top/tests/record/relay.c" || exit 1
	for ns in "$cli" "$rly" "$srv"; do
		ip netns add "$ns" || exit 1
		ip -n "$ns" link set lo up
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	done
	ip link add "$ifc0" type veth peer name "$ifc1" || exit 1
	ip link add "$ifs0" type veth peer name "$ifs1" || exit 1
	ip link set "$ifc0" netns "$cli"
	ip link set "$ifc1" netns "$rly"
	ip link set "$ifs0" netns "$srv"
	ip link set "$ifs1" netns "$rly"
	ip -n "$cli" addr add "$cli_ip/24" dev "$ifc0"
	ip -n "$srv" addr add "$srv_ip/24" dev "$ifs0"
	for ns_dev in "$cli:$ifc0" "$rly:$ifc1" "$rly:$ifs1" "$srv:$ifs0"; do
		ns=${ns_dev%%:*}
		dev=${ns_dev#*:}
		ip netns exec "$ns" ethtool -K "$dev" tso off gso off gro off tx off rx off \
		    > /dev/null 2>&1
		ip -n "$ns" link set "$dev" up
	done
}

# start_relay ARGS...: the relay in its namespace, logging to $tmp/relay.log.
start_relay() {
	ip netns exec "$rly" "$tmp/relay" --port "$port" --time-limit 60 \
	    --log "$tmp/relay.log" "$@" "$ifc1" "$ifs1" 2> "$tmp/relay.err" &
	relay_pid=$!
	sleep 0.2
	kill -0 "$relay_pid" 2>/dev/null || { cat "$tmp/relay.err" >&2; exit 1; }
}

# start_capture NAME NS DEV: tcpdump into $tmp/NAME.pcap.
start_capture() {
	local i
	ip netns exec "$2" tcpdump -n -U --immediate-mode -i "$3" -w "$tmp/$1.pcap" "tcp port $port" \
	    2> "$tmp/$1.tcpdump.err" &
	cap_pids+=($!)
	for i in $(seq 50); do
		grep -q listening "$tmp/$1.tcpdump.err" && return 0
		sleep 0.1
	done
	echo "$0: tcpdump did not start" >&2
	cat "$tmp/$1.tcpdump.err" >&2
	exit 1
}

# wait_listen: until the server listens on $port (bounded).
wait_listen() {
	local i
	for i in $(seq 50); do
		ip netns exec "$srv" ss -lnt | grep -q ":$port " && return 0
		sleep 0.1
	done
	echo "$0: server did not listen" >&2
	exit 1
}

# python programs shared by the scenarios
cat > "$tmp/server.py" <<'EOF'
# server.py IP PORT [RCVBUF [PAUSE_S]]: accept one connection, optionally
# with a small receive buffer and a pause before reading, read to EOF.
import socket, sys, time
ip, port = sys.argv[1], int(sys.argv[2])
rcvbuf = int(sys.argv[3]) if len(sys.argv) > 3 else 0
pause = float(sys.argv[4]) if len(sys.argv) > 4 else 0
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
if rcvbuf:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
s.bind((ip, port))
s.listen(1)
s.settimeout(20)
c, _ = s.accept()
c.settimeout(20)
if pause:
    time.sleep(pause)
n = 0
while True:
    d = c.recv(65536)
    if not d:
        break
    n += len(d)
print("server received", n)
c.close()
EOF
cat > "$tmp/client.py" <<'EOF'
# client.py IP PORT BYTES [LINGER_S]: send BYTES of a counting pattern,
# wait LINGER_S seconds (connection open, nothing to send), close.
import socket, sys, time
ip, port, nbytes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
linger = float(sys.argv[4]) if len(sys.argv) > 4 else 0
pat = b"".join(b"%07d\n" % i for i in range(nbytes // 8 + 1))[:nbytes]
s = socket.socket()
s.settimeout(20)
s.connect((ip, port))
s.sendall(pat)
if linger:
    time.sleep(linger)
s.close()
print("client sent", nbytes)
EOF

# run_server ARGS... (background) / run_client ARGS... (foreground)
run_server() {
	ip netns exec "$srv" "$py" "$tmp/server.py" "$srv_ip" "$port" "$@" \
	    > "$tmp/server.out" 2>&1 &
	bg_pids+=($!)
	wait_listen
}
run_client() {
	ip netns exec "$cli" timeout 30 "$py" "$tmp/client.py" "$srv_ip" "$port" "$@"
}

# wait_bg: wait for the background programs (bounded by their timeouts).
wait_bg() {
	local p
	for p in "${bg_pids[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	bg_pids=()
	cat "$tmp/server.out" 2>/dev/null || true
}

# finish NAME SENDER_NS_LABEL...: stop captures and relay, write
#   tests/pcaps/real-stream-NAME[-VANTAGE].pcap for each capture started as
#   "NAME" (single) or "sender"/"receiver" (both vantage points),
#   tests/pcaps/real-stream-NAME.relaylog and .nstat.
# $1: scenario name, $2: which namespace sends the data ("client"/"server").
finish() {
	local name=$1 sender=$2 p f out ns role label
	sleep 1	# let the last packets reach the captures
	for p in "${cap_pids[@]}"; do
		kill -INT "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	cap_pids=()
	kill -TERM "$relay_pid" 2>/dev/null || true
	wait "$relay_pid" 2>/dev/null || true
	relay_pid=
	for f in "$tmp"/*.pcap; do
		case $(basename "$f" .pcap) in
		single) out=$pcapdir/real-stream-$name.pcap ;;
		*) out=$pcapdir/real-stream-$name-$(basename "$f" .pcap).pcap ;;
		esac
		cp "$f" "$out"
		echo "wrote $out ($(tcpdump -n -r "$out" 2>/dev/null | wc -l) packets," \
		    "$(stat -c %s "$out") bytes)"
	done
	cp "$tmp/relay.log" "$pcapdir/real-stream-$name.relaylog"
	{
		echo "# kernel $(uname -r); nstat -az in each end namespace after the run."
		echo "# The namespaces were created for this run, so the values are the run's deltas."
		echo "# Lines: ROLE COUNTER VALUE (ROLE sender or receiver of the bulk data)."
		for role in sender receiver; do
			if { [ "$role" = sender ] && [ "$sender" = client ]; } ||
			   { [ "$role" = receiver ] && [ "$sender" = server ]; }; then
				ns=$cli label="client namespace, $cli_ip"
			else
				ns=$srv label="server namespace, $srv_ip"
			fi
			echo "# [$role] $label"
			NSTAT_HISTORY=$tmp/nstat.hist.$role ip netns exec "$ns" nstat -asz 2>/dev/null |
			    awk -v r="$role" '!/^#/ && NF >= 2 { print r, $1, $2 }'
		done
	} > "$pcapdir/real-stream-$name.nstat"
	echo "wrote $pcapdir/real-stream-$name.relaylog and .nstat"
	grep -v '^# rule' "$pcapdir/real-stream-$name.relaylog" | grep -c -v '^#' |
	    sed 's/^/relay actions: /'
	grep -E 'kernel_drops=[1-9]|overflows=[1-9]|[1-9][0-9]* queue overflows' \
	    "$pcapdir/real-stream-$name.relaylog" && echo "WARNING: relay lost frames" >&2
	return 0
}
