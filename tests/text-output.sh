#!/bin/bash
# text-output.sh (issue 17 item 5): the text output a person reads.
# Events in frame order, also those known only later; bursts and floods
# grouped (JSON keeps every event); a diagnosis before the events and the
# hints after them; 80 columns; -v's connection facts; times that say their
# zone, in tcpdump's -t formats or local time; singular and plural; colour
# on a terminal only.  The whole suite's text output is checked by
# tests/text_check.py.
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top/tests/tap-lib.sh"
tap_setup absolute	# the suite runs in $P
need_python
export TZ=UTC LC_ALL=C
unset NO_COLOR

# ---- the whole suite, default and -v
# Under the sanitizer build one capture in three, and those this script
# looks at by name (each capture is its own sanitized test as well).
mkdir "$tmp/suite"
stride=1
sanitizer_build && stride=3
named=" $(grep -o 'suite/[A-Za-z0-9_.-]*\.pcap[ng]*' "$0" | sed 's#^suite/##' | tr '\n' ' ') "
i=0
for f in "$P"/*.pcap "$P"/*.pcapng; do
	b=$(basename "$f")
	i=$((i + 1))
	[ $(((i - 1) % stride)) = 0 ] || [[ $named == *" $b "* ]] || continue
	args=()
	[ -f "$f.args" ] && read -r -a args < "$f.args"
	(cd "$P" && "$bin" "${args[@]}" "$b") > "$tmp/suite/$b.txt" 2> /dev/null
	(cd "$P" && "$bin" -v "${args[@]}" "$b") > "$tmp/suite/$b.v.txt" 2> /dev/null
	# the JSON outputs keep every event: the text must account for them
	(cd "$P" && "$bin" -o jsonl "${args[@]}" "$b") > "$tmp/suite/$b.jsonl" 2> /dev/null
done
check "suite: a text output for every capture" \
    test "$(find "$tmp/suite" -name '*.pcap*.txt' -size +0 | wc -l)" -ge $((500 / stride))
check "suite: every line fits 80 columns (but for one unbreakable word)" \
    "$py" "$top/tests/text_check.py" width "$tmp"/suite/*.txt
check "suite: events in frame order" "$py" "$top/tests/text_check.py" order "$tmp"/suite/*.txt
check "suite: a count of one takes the singular" \
    "$py" "$top/tests/text_check.py" plural "$tmp"/suite/*.txt

# every event of the JSON output is counted once by a text line: "xN" for
# a burst or a folded group, 1 otherwise (one python for the whole suite)
accounts() {	# TEXT...: each beside its .jsonl
	"$py" - "$@" <<'PYEOF'
import collections, json, re, sys
bad = 0
for t in sys.argv[1:]:
    want = collections.Counter()
    for l in open(t[:-len(".txt")] + ".jsonl"):
        r = json.loads(l)
        if r["type"] == "event":
            want[r["kind"]] += 1
    got = collections.Counter()
    for l in open(t):
        m = re.match(r"#\d+ (?:\S+ )*?(info|notice|warning|alert) (\w+)", l)
        if m:
            x = re.search(r" x(\d+), frames \d+-\d+$", l)
            got[m.group(2)] += int(x.group(1)) if x else 1
    if got != want:
        print("%s: text %s, JSON %s" % (t, dict(got), dict(want)))
        bad += 1
sys.exit(1 if bad else 0)
PYEOF
}
texts=()
for t in "$tmp"/suite/*.pcap.txt "$tmp"/suite/*.pcapng.txt; do
	[ -s "${t%.txt}.jsonl" ] && texts+=("$t")
done
check "suite: the text lines account for every JSON event (${#texts[@]} files)" \
    accounts "${texts[@]}"

# ---- frame order: the accept_overflow_drop at frame 3 is known only at
# the SYN-ACK re-sends (frames 5, 8), yet prints first
t=$tmp/suite/gen-accept-overflow-drop-fin.pcap.txt
check "late event: #3 prints before #5" \
    test "$(grep -o '^#[0-9]*' "$t" | head -2 | tr '\n' ' ')" = "#3 #5 "

# ---- a SYN flood: 200 syn_unanswered become one line with the count, the
# frames and examples; JSON keeps the 200 (notices: the capture shows
# nothing from the server's address, doc/anomalies.md)
t=$tmp/suite/corpus-suricata-verify-firewall-tcp-session-syn-flood-drop-precedence-input.pcap
check "flood: one syn_unanswered line" test "$(grep -c '^#.* syn_unanswered' "$t.txt")" = 1
check "flood: with the count and frames" \
    grep -q '^#1 22:13:20.000000 notice syn_unanswered x200, frames 1-200$' "$t.txt"
check "flood: the listener and example streams" \
    grep -q '^    to 198.51.100.5:443: e.g. stream 0 (#1), stream 1 (#2), stream 2 (#3), ...;' \
    "$t.txt"
check "flood: JSON keeps 200" test "$(grep -c '"kind":"syn_unanswered"' "$t.jsonl")" = 200

# ---- diagnosis first, hints once per kind
t=$tmp/suite/real-accept-overflow-rst.pcap.txt
check "diagnosis: right after the header" \
    test "$(sed -n 2p "$t")" = "diagnosis:"
check "diagnosis: accept queue overflow with tcp_abort_on_overflow=1" \
    grep -q '^  10\.[0-9.]*:[0-9]*: accept queue overflowed [0-9]* times\{0,1\} (tcp_abort_on_overflow=1' \
    "$t"
check "diagnosis: before the first event" \
    test "$(grep -n '^diagnosis:' "$t" | cut -d: -f1)" -lt "$(grep -n -m1 '^#' "$t" | cut -d: -f1)"
t=$tmp/suite/gen-accept-overflow-drop-fin.pcap.txt
check "diagnosis: tcp_abort_on_overflow=0 for a dropped final ACK" \
    grep -q '^  198.51.100.74:8080: accept queue overflowed 1 time (tcp_abort_on_overflow=0:' "$t"
check "hints: after the events, once per kind" \
    test "$(sed -n '/^hints:/,/^summary:/p' "$t" | grep -c '^  [a-z_]*: ')" = 4
check "hints: accept_overflow_drop's hint" \
    grep -q '^  accept_overflow_drop: accept queue full: the application does not call' "$t"
t=$tmp/suite/real-stream-loss-fast-sender.pcap.txt
check "diagnosis: says when nothing is serious" \
    grep -qx '  no warning or alert; the events below are notices and information' "$t"

# ---- -v: per connection, what a user asks first
t=$tmp/suite/gen-accept-overflow-drop-fin.pcap.v.txt
tr '\n' ' ' < "$t" | sed 's/  */ /g' > "$tmp/flat"
for want in "frames 1-10, 3.405 s" "opened: complete" \
    "closed: half_closed (client FIN_WAIT_1, server CLOSE_WAIT)" \
    "bytes: 174 from the client, 0 from the server" "handshake RTT 2.000 ms" \
    "retransmissions: 2 by the client, 0 by the server"; do
	check "-v: $want" grep -qF "$want" "$tmp/flat"
done

# ---- times
f=$P/gen-accept-overflow-drop-fin.pcap
check "times: the zone is said (UTC)" \
    grep -q '^events, in frame order (times UTC, 2023-11-14):$' "$tmp/suite/gen-accept-overflow-drop-fin.pcap.txt"
first() { "$bin" "$@" "$f" | grep -m1 '^#'; }
check "-t: no time" test "$(first -t)" = "#3 alert accept_overflow_drop stream 0"
check "-tt: seconds since the epoch" \
    test "$(first -tt)" = "#3 1700000000.002000 alert accept_overflow_drop stream 0"
check "-ttt: since the previous line" \
    test "$("$bin" -ttt "$f" | grep '^#' | sed -n 2p)" = \
    "#5 00:00:01.001000 warning synack_retransmit stream 0"
check "-tttt: date and time" \
    test "$(first -tttt)" = "#3 2023-11-14 22:13:20.002000 alert accept_overflow_drop stream 0"
check "-ttttt: since the first packet" \
    test "$(first -ttttt)" = "#3 00:00:00.002000 alert accept_overflow_drop stream 0"
check "-tttttt: a usage error" sh -c "'$bin' -tttttt '$f' > /dev/null 2>&1; test \$? = 1"
check "--local-time: the local zone, named" \
    test "$(TZ=Asia/Kolkata "$bin" --local-time "$f" | grep '^events')" = \
    "events, in frame order (times local time, UTC+05:30 (IST), 2023-11-15):"
check "--local-time: the time of day shifted" \
    test "$(TZ=Asia/Kolkata "$bin" --local-time "$f" | grep -m1 '^#')" = \
    "#3 03:43:20.002000 alert accept_overflow_drop stream 0"
check "summary: 1 connection, singular" \
    grep -q '^summary: 10 packets (10 TCP, 866 bytes), 1 connection, peak 1 concurrent$' \
    "$tmp/suite/gen-accept-overflow-drop-fin.pcap.txt"

# ---- colour: on a terminal only (script(1) gives the run a pty)
esc=$(printf '\033')
check "colour: never into a pipe" sh -c "! '$bin' '$f' | grep -q '$esc'"
check "colour: --color=always paints the severity" \
    sh -c "'$bin' --color=always '$f' | grep -q '^#3 [0-9:.]* ${esc}\[1;31malert${esc}\[0m '"
if command -v script > /dev/null 2>&1; then
	onpty() { script -qec "$*" /dev/null < /dev/null; }
	check "colour: auto on a terminal" sh -c "$(declare -f onpty); onpty '$bin' '$f' | grep -q '$esc\['"
	check "colour: NO_COLOR turns it off" \
	    sh -c "$(declare -f onpty); NO_COLOR=1 onpty '$bin' '$f' | grep -vq '$esc\[' && ! NO_COLOR=1 onpty '$bin' '$f' | grep -q '$esc\['"
	check "colour: --color=never turns it off" \
	    sh -c "$(declare -f onpty); ! onpty '$bin' --color=never '$f' | grep -q '$esc\['"
fi
check "--color=sometimes: a usage error" \
    sh -c "'$bin' --color=sometimes '$f' > /dev/null 2>&1; test \$? = 1"

# ---- an --at table in the middle of an input keeps the events decided
# after it (close_wait_stuck, decided at frame 17, named at frame 7 where
# CLOSE_WAIT began)
check "--at: the event after the table is printed" \
    sh -c "'$bin' --at +5 '$P/real-close-wait-stuck.pcap' | sed -n '/^State /,\$p' |
        grep -q '^#7 .* close_wait_stuck stream 0'"

# ---- the buffer is bounded: 5000 connections refused, each between two
# hosts of its own, make 5000 lines (no listener, host or client in common:
# nothing folds); past 4096 held lines the text prints what it holds and
# goes on under "(NAME, continued)"
"$py" - "$tmp/scan.pcap" <<'PYEOF'
import struct, sys
def pkt(src, dst, sport, dport, seq, ack, flags):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0,
                       bytes(src), bytes(dst)) + tcp
out = [struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101)]    # DLT_RAW
t = 1700000000 * 10**6
for port in range(1, 5001):
    cli, srv = [172, 16, port >> 8, port & 255], [10, 1, port >> 8, port & 255]
    for p in (pkt(cli, srv, 40000, port, 1000, 0, 0x02),
              pkt(srv, cli, port, 40000, 0, 1001, 0x14)):
        t += 100
        out.append(struct.pack("<IIII", t // 10**6, t % 10**6, len(p), len(p)) + p)
open(sys.argv[1], "wb").write(b"".join(out))
PYEOF
(cd "$tmp" && "$bin" scan.pcap) > "$tmp/scan.txt" 2> /dev/null
check "bound: 5000 refused connections, 5000 lines" \
    test "$(grep -c '^#.* connection_refused' "$tmp/scan.txt")" = 5000
check "bound: a second chunk" test "$(grep -c '^(scan.pcap, continued)$' "$tmp/scan.txt")" = 1
check "bound: each chunk in frame order" "$py" "$top/tests/text_check.py" order "$tmp/scan.txt"

# ---- README's example is what the program prints
awk '/^```$/ { if (on) exit; if (seen) on = 1; next } /real-stream-loss-fast-receiver.pcap.\)/ { seen = 1 }
    on' "$top/README.md" > "$tmp/readme"
(cd "$top" && "$bin" tests/pcaps/real-stream-loss-fast-receiver.pcap) > "$tmp/now" 2>&1
check "README: the text example is today's output" diff -u "$tmp/readme" "$tmp/now"

tap_done
