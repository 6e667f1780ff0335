#!/bin/bash
# text-burst.sh: the text output groups a burst of events (consecutive
# events of one burst kind on one stream, in one direction, dup ACKs of
# one original frame) into one line ending " [xN, frames A-B]"; a run of
# one prints as before; the JSON outputs keep every event.
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${TCPDISSECT:-./tcpdissect}
P=$top/tests/pcaps
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$top/tests/tap-lib.sh"

# consistent TEXT JSONL: the text event lines, read in order, account for
# every JSON event exactly once: a line "#F ... KIND: MESSAGE [xN, frames
# F-L]" stands for the next N JSON events, all of KIND on the line's
# stream and endpoints, the first being frame F with MESSAGE, the last
# frame L; a line without the suffix stands for one event.
consistent() {
	python3 - "$1" "$2" <<'EOF'
import json, re, sys

text = [l.rstrip("\n") for l in open(sys.argv[1]) if l.startswith("#")]
recs = [json.loads(l) for l in open(sys.argv[2])]
events = [r for r in recs if r["type"] == "event"]
line_re = re.compile(r"^#(\d+) \S+ stream (\d+) (\S+) > (\S+) (\w+) (\w+): (.*?)"
                     r"(?: \[x(\d+), frames (\d+)-(\d+)\])?$")

def ep(ip, port):
    return ("[%s]:%d" if ":" in ip else "%s:%d") % (ip, port)

j = 0
for l in text:
    m = line_re.match(l)
    if not m:
        sys.exit("unparsed line: " + l)
    frame, stream, src, dst, sev, kind, msg = m.group(1, 2, 3, 4, 5, 6, 7)
    count = int(m.group(8) or 1)
    if m.group(8) is not None:
        if count < 2 or int(m.group(9)) != int(frame):
            sys.exit("bad burst suffix: " + l)
        last = int(m.group(10))
    else:
        last = int(frame)
    run = events[j:j + count]
    if len(run) != count:
        sys.exit("more events in text than in JSON at: " + l)
    first = run[0]
    if (first["frame"], first["message"], first["severity"]) != (int(frame), msg, sev):
        sys.exit("line %s is not JSON event %r" % (l, first))
    for e in run:
        if (e["kind"], e["stream"], ep(e["src_ip"], e["src_port"]),
                ep(e["dst_ip"], e["dst_port"])) != (kind, int(stream), src, dst):
            sys.exit("line %s groups a different event %r" % (l, e))
    if run[-1]["frame"] != last:
        sys.exit("line %s: the run's last JSON frame is %d" % (l, run[-1]["frame"]))
    j += count
if j != len(events):
    sys.exit("JSON has %d events, the text accounts for %d" % (len(events), j))
EOF
}

# events_are FILE KIND FRAMES...: JSON Lines FILE has exactly one KIND
# event per listed frame, and no other
events_are() {
	local f=$1 kind=$2
	shift 2
	python3 -c '
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
got = [r["frame"] for r in recs if r["type"] == "event" and r["kind"] == sys.argv[2]]
want = [int(x) for x in sys.argv[3:]]
if got != want:
    sys.exit("%s: got frames %s, want %s" % (sys.argv[2], got, want))' "$f" "$kind" "$@"
}

# summary_count FILE KIND: the summary's count of KIND
summary_count() {
	python3 -c '
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
print([r for r in recs if r["type"] == "summary"][-1]["events"].get(sys.argv[2], 0))' "$1" "$2"
}

# ---- a generated burst: 30 dup ACKs of frame 37, a fast retransmission
# after the third
f=$P/gen-stream-dup-ack-burst-30.pcap
"$bin" "$f" > "$tmp/burst.txt" 2> "$tmp/err"
check "dup-ack-burst-30: text exit 0" test $? = 0
"$bin" -o jsonl "$f" > "$tmp/burst.jsonl" 2>> "$tmp/err"
check "dup-ack-burst-30: jsonl exit 0" test $? = 0
cat > "$tmp/want" <<'EOF'
#38 22:13:25.022750 stream 0 198.51.100.20:8080 > 192.0.2.10:40000 info dup_ack: server repeated its ACK of frame 37 (duplicate #1) [x3, frames 38-40]
#41 22:13:25.023850 stream 0 192.0.2.10:40000 > 198.51.100.20:8080 notice fast_retransmission: client re-sent 1000 bytes at seq 1001 (after duplicate ACKs)
#42 22:13:25.023900 stream 0 198.51.100.20:8080 > 192.0.2.10:40000 info dup_ack: server repeated its ACK of frame 37 (duplicate #4) [x27, frames 42-68]
EOF
grep '^#' "$tmp/burst.txt" > "$tmp/got"
check "dup-ack-burst-30: exactly the grouped lines" diff "$tmp/want" "$tmp/got"
check "dup-ack-burst-30: JSON keeps all 30 dup ACKs" \
    events_are "$tmp/burst.jsonl" dup_ack 38 39 40 $(seq 42 68)
check "dup-ack-burst-30: and the one fast retransmission" \
    events_are "$tmp/burst.jsonl" fast_retransmission 41
check "dup-ack-burst-30: the summary counts 30 dup ACKs" \
    test "$(summary_count "$tmp/burst.jsonl" dup_ack)" = 30
check "dup-ack-burst-30: the text accounts for every JSON event, in order" \
    consistent "$tmp/burst.txt" "$tmp/burst.jsonl"
check "dup-ack-burst-30: a single event prints ungrouped" \
    grep -qx '#41 .* fast_retransmission: client re-sent 1000 bytes at seq 1001 (after duplicate ACKs)' \
    "$tmp/burst.txt"
check "dup-ack-burst-30: the text summary still counts every event" \
    grep -q '^  events: fast_retransmission 1, dup_ack 30$' "$tmp/burst.txt"
"$bin" -o json "$f" > "$tmp/burst.json" 2>> "$tmp/err"
check "dup-ack-burst-30: -o json keeps all 31 events" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert [e["frame"] for e in d["events"]] == [38, 39, 40, 41] + list(range(42, 69)), d["events"]
' "$tmp/burst.json"

# ---- a real capture: dup ACKs of frame 62 interleaved with two fast
# retransmissions; each run of three is one line, the retransmissions are
# runs of one
f=$P/real-stream-loss-fast-sender.pcap
"$bin" "$f" > "$tmp/real.txt" 2>> "$tmp/err"
check "loss-fast-sender: text exit 0" test $? = 0
"$bin" -o jsonl "$f" > "$tmp/real.jsonl" 2>> "$tmp/err"
cat > "$tmp/want" <<'EOF'
#63 04:53:56.856395 stream 0 10.203.0.2:9000 > 10.203.0.1:48474 info dup_ack: server repeated its ACK of frame 62 (duplicate #1) [x3, frames 63-72]
#73 04:53:56.857456 stream 0 10.203.0.1:48474 > 10.203.0.2:9000 notice fast_retransmission: client re-sent 1448 bytes at seq 28961 (after duplicate ACKs)
#74 04:53:56.857461 stream 0 10.203.0.2:9000 > 10.203.0.1:48474 info dup_ack: server repeated its ACK of frame 62 (duplicate #4) [x3, frames 74-76]
#77 04:53:56.857586 stream 0 10.203.0.1:48474 > 10.203.0.2:9000 notice fast_retransmission: client re-sent 1448 bytes at seq 30409 (fills a hole the peer's SACK blocks show)
#78 04:53:56.857672 stream 0 10.203.0.2:9000 > 10.203.0.1:48474 info dup_ack: server repeated its ACK of frame 62 (duplicate #7) [x3, frames 78-93]
EOF
grep '^#' "$tmp/real.txt" > "$tmp/got"
check "loss-fast-sender: exactly the grouped lines" diff "$tmp/want" "$tmp/got"
check "loss-fast-sender: JSON keeps all 9 dup ACKs" \
    events_are "$tmp/real.jsonl" dup_ack 63 64 72 74 75 76 78 83 93
check "loss-fast-sender: and both fast retransmissions" \
    events_are "$tmp/real.jsonl" fast_retransmission 73 77
check "loss-fast-sender: the text accounts for every JSON event, in order" \
    consistent "$tmp/real.txt" "$tmp/real.jsonl"
check "loss-fast-sender: no line groups a fast retransmission" \
    test "$(grep -c 'fast_retransmission: .*\[x[0-9]' "$tmp/real.txt")" = 0

# ---- -q prints no event line, grouped or not
"$bin" -q "$P/gen-stream-dup-ack-burst-30.pcap" > "$tmp/q.txt" 2>> "$tmp/err"
check "-q: no event lines" test "$(grep -c '^#' "$tmp/q.txt")" = 0
check "-q: the summary" grep -q '^summary: ' "$tmp/q.txt"

# ---- -v: connection lines come after the burst they follow; two inputs
# print as each alone
"$bin" -v "$P/gen-stream-dup-ack-burst-30.pcap" "$P/real-stream-loss-fast-sender.pcap" \
    > "$tmp/two.txt" 2>> "$tmp/err"
{
	grep '^#' "$tmp/burst.txt"
	grep '^#' "$tmp/real.txt"
} > "$tmp/want"
check "two inputs: the same event lines as each alone" \
    diff "$tmp/want" <(grep '^#' "$tmp/two.txt")
check "-v: the last burst is printed before its connection line" python3 -c '
import sys
l = open(sys.argv[1]).read().splitlines()
i = next(k for k, x in enumerate(l) if x.startswith("#42 "))
assert l[i + 1].startswith("stream 0 "), l[i + 1]
assert l[i + 2].startswith("tcpdissect "), l[i + 2]' "$tmp/two.txt"

check "nothing on stderr" test ! -s "$tmp/err"

echo "1..$n"
[ $fails = 0 ]
