#!/bin/bash
# live-netns.sh: live capture (tcpdissect -i IFACE) end to end, in two private
# network namespaces joined by a veth pair:
#   server ns  10.201.0.1/24 on tdls-PID   (tcpdissect captures here, -Z nobody,
#                                          --interval 1)
#   client ns  10.201.0.2/24 on tdlc-PID
# Traffic (python3, standard library only): a connection refused on port 9,
# a complete echo exchange on port 8080, and an accept-queue overflow on port
# 8081 with net.ipv4.tcp_abort_on_overflow=1.  Checks that events stream while
# the capture runs, that -Z really drops uid, gid, groups and capabilities,
# that SIGINT ends the run with status 0 and a final summary record, and that
# the completed connection is reported.
#
# Needs root, ip netns and veth; otherwise, or when "$TCPDISSECT -D" says live
# capture is unavailable, it is skipped (exit 77).  Nothing touches the host's
# own network: everything lives in the two namespaces, which an EXIT trap
# deletes (with every process still inside them) whatever happens.
# Exit: 0 all checks passed, 1 a check failed, 77 skipped, 99 setup error.
# shellcheck disable=SC2317,SC2015  # functions run via check/poll; A && B || error
set -u

bin=${TCPDISSECT:-./tcpdissect}
srv=tdlive-srv-$$
cli=tdlive-cli-$$
vs=tdls-$$	# interface names: at most 15 characters (pid <= 7 digits)
vc=tdlc-$$
srv_ip=10.201.0.1
cli_ip=10.201.0.2
tmp=
td_pid=
echo_pid=
overflow_pid=
made_ns=()
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}/tests/tap-lib.sh"

skip() { echo "SKIP: $*"; exit 77; }
hard() { echo "ERROR: $*"; exit 99; }

cleanup() {
	local p ns
	exec 2> /dev/null	# no "Killed" job notices from the shell
	for p in $td_pid $echo_pid $overflow_pid; do
		kill -KILL "$p" 2> /dev/null
	done
	for ns in ${made_ns[@]+"${made_ns[@]}"}; do
		# anything still running inside our namespaces is ours
		for p in $(ip netns pids "$ns" 2> /dev/null); do
			kill -KILL "$p" 2> /dev/null
		done
		ip netns del "$ns" 2> /dev/null ||
			echo "# warning: could not delete network namespace $ns"
	done
	made_ns=()
	for p in $td_pid $echo_pid $overflow_pid; do
		wait "$p" 2> /dev/null
	done
	td_pid='' echo_pid='' overflow_pid=''
	[ -n "$tmp" ] && rm -rf "$tmp"
	tmp=
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- preflight
[ "$(id -u)" = 0 ] || skip "live capture test needs root (network namespaces, veth, capture)"
command -v ip > /dev/null 2>&1 || skip "ip (iproute2) not found"
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3) || skip "python3 not found"
nobody_uid=$(id -u nobody 2> /dev/null) || skip "no user 'nobody' to test -Z with"
nobody_gid=$(id -g nobody)
case $bin in */*) ;; *) bin=./$bin ;; esac
[ -x "$bin" ] && [ -f "$bin" ] || hard "TCPDISSECT=$bin: not an executable file"
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
tmp=$(mktemp -d) || hard "mktemp -d failed"
chmod 755 "$tmp"

timeout 10 "$bin" -D > "$tmp/D.out" 2> "$tmp/D.err"
rc=$?
[ "$rc" = 0 ] ||
	skip "live capture not available ($bin -D: status $rc) $(head -n 1 "$tmp/D.err")"

for ns in "$srv" "$cli"; do
	ip netns add "$ns" 2> "$tmp/ns.err" ||
		skip "cannot create network namespace $ns: $(head -n 1 "$tmp/ns.err")"
	made_ns+=("$ns")
done
# both ends are created directly inside the namespaces: nothing in the host's
ip link add "$vs" netns "$srv" type veth peer name "$vc" netns "$cli" 2> "$tmp/ns.err" ||
	skip "cannot create a veth pair: $(head -n 1 "$tmp/ns.err")"
ip -n "$srv" addr add "$srv_ip/24" dev "$vs" &&
	ip -n "$cli" addr add "$cli_ip/24" dev "$vc" &&
	ip -n "$srv" link set lo up && ip -n "$cli" link set lo up &&
	ip -n "$srv" link set "$vs" up && ip -n "$cli" link set "$vc" up ||
	hard "cannot configure the veth pair"

# poll CMD... every 0.1 s for up to $1 seconds; true when CMD succeeded
poll() {
	local tenths=$(($1 * 10))
	shift
	while [ "$tenths" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		tenths=$((tenths - 1))
	done
	"$@"
}
link_up() { ip -n "$1" link show "$2" 2> /dev/null | grep -q 'state UP'; }
poll 10 link_up "$srv" "$vs" && poll 10 link_up "$cli" "$vc" ||
	hard "veth pair did not come up"

# --------------------------------------------------------------- helpers

dump() {
	echo "# --- stderr of tcpdissect ($tmp/err.txt):"
	sed 's/^/#   /' "$tmp/err.txt" 2> /dev/null
	echo "# --- last 20 lines of out.jsonl:"
	tail -n 20 "$tmp/out.jsonl" 2> /dev/null | sed 's/^/#   /'
}

finish() {
	echo "1..$n"
	if [ "$fails" != 0 ]; then
		echo "# $fails of $n checks failed"
		dump
		exit 1
	fi
	exit 0
}

# jl_wait SECONDS EXPR: poll out.jsonl until a complete line is a JSON object r
# for which the python expression EXPR is true (prints that line)
cat > "$tmp/jl_wait.py" <<'EOF'
import json, sys, time
path, limit, expr = sys.argv[1], float(sys.argv[2]), sys.argv[3]
deadline = time.monotonic() + limit
def port(side):
    return side.get("port") if isinstance(side, dict) else None
while True:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().split("\n")[:-1]	# complete lines only
    except OSError:
        lines = []
    for line in lines:
        try:
            r = json.loads(line)
            if isinstance(r, dict) and eval(expr, {"r": r, "port": port}):
                print(line)
                sys.exit(0)
        except Exception:
            pass
    if time.monotonic() >= deadline:
        sys.exit(1)
    time.sleep(0.1)
EOF
jl_wait() { "$py" "$tmp/jl_wait.py" "$tmp/out.jsonl" "$1" "$2" > /dev/null; }

# -------------------------------------------------------- start the capture
: > "$tmp/out.jsonl"
: > "$tmp/err.txt"
ip netns exec "$srv" "$bin" -i "$vs" -o jsonl -Z nobody --interval 1 > "$tmp/out.jsonl" \
    2> "$tmp/err.txt" &
td_pid=$!

alive() { kill -0 "$td_pid" 2> /dev/null; }
status_line() {	# the fields of one line of /proc/PID/status, tab-separated
	sed -n "s/^$1:[[:space:]]*//p" "$tmp/status" | tr -s ' \t' '\t'
}
dropped() {	# running with every uid = nobody: activated and privileges dropped
	alive && cp "/proc/$td_pid/status" "$tmp/status" 2> /dev/null &&
		[ "$(status_line Uid)" = "$(printf '%s\t%s\t%s\t%s' "$nobody_uid" "$nobody_uid" "$nobody_uid" "$nobody_uid")" ]
}
poll_dropped() {	# up to 10 s; stop early if the process is gone
	local _
	for _ in $(seq 100); do
		dropped && return 0
		alive || return 1
		sleep 0.1
	done
	dropped
}
if ! poll_dropped; then
	if alive; then
		check "tcpdissect -i $vs -Z nobody is capturing as uid $nobody_uid within 10 s" false
	else
		wait "$td_pid"
		check "tcpdissect -i $vs -Z nobody keeps running (it exited with status $?)" false
		td_pid=
	fi
	finish
fi
check "tcpdissect -i $vs -Z nobody is capturing as uid $nobody_uid" true
sleep 0.3	# settle: the capture is active once privileges are dropped
cp "/proc/$td_pid/status" "$tmp/status" 2> /dev/null	# a fresh look for the -Z checks

# -------------------------------------------------- -Z: what it runs with now
all4() {	# LINE VALUE: the status line has VALUE in all four fields
	[ "$(status_line "$1")" = "$(printf '%s\t%s\t%s\t%s' "$2" "$2" "$2" "$2")" ]
}
groups_ok() {
	local g
	g=$(status_line Groups | tr -d '\t')
	[ -z "$g" ] || [ "$g" = "$nobody_gid" ]
}
caps_zero() {
	[ "$(status_line CapEff)" = 0000000000000000 ] &&
		[ "$(status_line CapPrm)" = 0000000000000000 ]
}
check "-Z: real, effective, saved and fs uid are $nobody_uid" all4 Uid "$nobody_uid"
check "-Z: real, effective, saved and fs gid are $nobody_gid" all4 Gid "$nobody_gid"
check "-Z: no supplementary groups but $nobody_gid" groups_ok
check "-Z: no effective or permitted capabilities" caps_zero
grep -E '^(Uid|Gid|Groups|CapPrm|CapEff):' "$tmp/status" | sed 's/^/#   /'

# ------------------------------------------------- traffic 1: refused, port 9
refused() {
	ip netns exec "$cli" "$py" - "$srv_ip" <<'EOF'
import errno, signal, socket, sys
signal.alarm(10)
s = socket.socket()
s.settimeout(5)
try:
    s.connect((sys.argv[1], 9))
except ConnectionRefusedError:
    sys.exit(0)
except Exception as e:
    sys.exit("expected ECONNREFUSED, got %r" % (e,))
sys.exit("port 9 accepted a connection")
EOF
}
check "client: connect to $srv_ip:9 is refused (ECONNREFUSED)" refused
check "a connection_refused event for port 9 streams out while capturing" \
	jl_wait 5 'r.get("type") == "event" and r.get("kind") == "connection_refused" and 9 in (r.get("src_port"), r.get("dst_port"))'

# -------------------------------------------- traffic 2: echo on port 8080
ip netns exec "$srv" "$py" - "$srv_ip" <<'EOF' > "$tmp/echo.out" 2>&1 &
import signal, socket, sys
signal.alarm(20)
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind((sys.argv[1], 8080))
l.listen(4)
c, _ = l.accept()
c.settimeout(5)
data = c.recv(4096)
c.sendall(data)
c.close()
l.close()
EOF
echo_pid=$!
listening() { ip netns exec "$srv" ss -Hlnt 2> /dev/null | grep -qF "$srv_ip:8080 "; }
check "echo server listens on $srv_ip:8080" poll 10 listening

echo_client() {
	ip netns exec "$cli" "$py" - "$srv_ip" <<'EOF'
import signal, socket, sys
signal.alarm(10)
s = socket.create_connection((sys.argv[1], 8080), timeout=5)
s.sendall(b"hello")
got = b""
while True:
    b = s.recv(4096)
    if not b:
        break
    got += b
s.close()
if got != b"hello":
    sys.exit("echo returned %r" % (got,))
EOF
}
check "client: hello echoed back on port 8080, connection closed" echo_client
echo_done() { ! kill -0 "$echo_pid" 2> /dev/null; }
poll 5 echo_done
wait "$echo_pid" 2> /dev/null
echo_pid=
sleep 0.5	# the closing FIN/ACKs reach the capture

# ------------------------- traffic 3: accept queue overflow, port 8081
# net.ipv4.tcp_abort_on_overflow=1 in the server namespace; a listener with a
# backlog of 1 that never calls accept(), and TCP_DEFER_ACCEPT so that each
# connection joins the accept queue only when its first data arrives (without
# link delay, handshakes made one by one would never overflow: a full queue
# also drops new SYNs).  Four handshakes, then a request on each: two fit the
# queue (backlog + 1), the other two are reset by the kernel.
ip netns exec "$srv" sysctl -qw net.ipv4.tcp_abort_on_overflow=1
ip netns exec "$srv" "$py" - "$srv_ip" <<'EOF' > "$tmp/overflow.out" 2>&1 &
import signal, socket, sys, time
signal.alarm(20)
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.setsockopt(socket.IPPROTO_TCP, socket.TCP_DEFER_ACCEPT, 5)
l.bind((sys.argv[1], 8081))
l.listen(1)
time.sleep(15)
EOF
overflow_pid=$!
listening81() { ip netns exec "$srv" ss -Hlnt 2> /dev/null | grep -qF "$srv_ip:8081 "; }
check "overflow listener listens on $srv_ip:8081" poll 10 listening81
overflow_client() {
	ip netns exec "$cli" "$py" - "$srv_ip" <<'EOF'
import signal, socket, sys, time
signal.alarm(10)
socks = []
for i in range(4):
    s = socket.socket()
    s.settimeout(2)
    try:
        s.connect((sys.argv[1], 8081))
        socks.append(s)
    except OSError:
        pass
    time.sleep(0.05)
time.sleep(0.2)
for s in socks:
    try:
        s.send(b"GET / HTTP/1.1\r\n\r\n")
    except OSError:
        pass
    time.sleep(0.05)
time.sleep(0.5)
EOF
}
check "client: four connections to port 8081, a request on each" overflow_client
check "an accept_overflow_rst event for port 8081 streams out while capturing" \
	jl_wait 5 'r.get("type") == "event" and r.get("kind") == "accept_overflow_rst" and r.get("src_port") == 8081'
kill "$overflow_pid" 2> /dev/null
wait "$overflow_pid" 2> /dev/null
overflow_pid=

# ---------------------------------------------------------- stop with SIGINT
check "tcpdissect still running before SIGINT" alive
kill -INT "$td_pid" 2> /dev/null
gone() { ! alive; }
if poll 10 gone; then
	check "tcpdissect ends within 10 s of SIGINT" true
	wait "$td_pid"
	rc=$?
else
	check "tcpdissect ends within 10 s of SIGINT" false
	kill -KILL "$td_pid" 2> /dev/null
	wait "$td_pid" 2> /dev/null
	rc=killed
fi
td_pid=
check "exit status 0 after SIGINT (got $rc)" test "$rc" = 0

# ------------------------------------------------------- the final report
all_json() {
	"$py" -c '
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
if lines[-1] != "":
    sys.exit("last line is not terminated")
for i, l in enumerate(lines[:-1], 1):
    r = json.loads(l)
    if not isinstance(r, dict) or "type" not in r:
        sys.exit("line %d is not an object with a type" % i)' "$tmp/out.jsonl"
}
last_is_summary() {
	"$py" -c '
import json, sys
lines = [l for l in open(sys.argv[1], encoding="utf-8").read().split("\n") if l]
sys.exit(not lines or json.loads(lines[-1]).get("type") != "summary")' "$tmp/out.jsonl"
}
check "output: every line is a JSON object with a type" all_json
check "output: the last line is the summary record" last_is_summary
check "output: a connection record for port 8080 with handshake complete" \
	jl_wait 0 'r.get("type") == "connection" and 8080 in (port(r.get("client")), port(r.get("server"))) and r.get("handshake") == "complete"'
check "output: --interval 1 records with the kernel's capture counters" \
	jl_wait 0 'r.get("type") == "interval" and "dropped" in r.get("capture", {}) and "connections_open" in r'
check "output: the summary carries the kernel's capture counters" \
	jl_wait 0 'r.get("type") == "summary" and r.get("capture", {}).get("received", 0) > 0'

finish
