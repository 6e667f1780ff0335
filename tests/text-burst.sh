#!/bin/bash
# text-burst.sh: the text output groups a burst of events (consecutive
# events of one burst kind on one stream, in one direction, dup ACKs of
# one original frame) into one record headed "... xN, frames A-B"; a run of
# one prints as before; the JSON outputs keep every event.
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top/tests/tap-lib.sh"
tap_setup

# records TEXT: the event records of the text output, one per line:
# "#F TIME SEV KIND stream S[ xN, frames F-L] | SRC > DST: MESSAGE", the
# head line and its indented continuation joined
records() {
	python3 - "$1" <<'EOF'
import sys
out, cur = [], None
for l in open(sys.argv[1]):
    l = l.rstrip("\n")
    if l.startswith("#"):
        cur = [l, []]
        out.append(cur)
    elif cur is not None and l.startswith("    "):
        cur[1].append(l.strip())
    else:
        cur = None
for head, body in out:
    print(head + " | " + " ".join(body))
EOF
}

# consistent TEXT JSONL: the text event records, read in order, account for
# every JSON event exactly once: a record "#F TIME SEV KIND stream S xN,
# frames F-L | SRC > DST: MESSAGE" stands for the next N JSON events, all
# of KIND on the record's stream and endpoints, the first being frame F
# with MESSAGE, the last frame L; a record without "xN" stands for one.
consistent() {
	records "$1" > "$1.rec"
	python3 - "$1.rec" "$2" <<'EOF'
import json, re, sys

text = [l.rstrip("\n") for l in open(sys.argv[1])]
recs = [json.loads(l) for l in open(sys.argv[2])]
events = [r for r in recs if r["type"] == "event"]
line_re = re.compile(r"^#(\d+) \S+ (\w+) (\w+) stream (\d+)"
                     r"(?: x(\d+), frames (\d+)-(\d+))? \| (\S+) > (\S+): (.*)$")

def ep(ip, port):
    return ("[%s]:%d" if ":" in ip else "%s:%d") % (ip, port)

j = 0
for l in text:
    m = line_re.match(l)
    if not m:
        sys.exit("unparsed record: " + l)
    frame, sev, kind, stream = m.group(1, 2, 3, 4)
    src, dst, msg = m.group(8, 9, 10)
    count = int(m.group(5) or 1)
    if m.group(5) is not None:
        if count < 2 or int(m.group(6)) != int(frame):
            sys.exit("bad burst: " + l)
        last = int(m.group(7))
    else:
        last = int(frame)
    run = events[j:j + count]
    if len(run) != count:
        sys.exit("more events in text than in JSON at: " + l)
    first = run[0]
    if (first["frame"], first["message"], first["severity"]) != (int(frame), msg, sev):
        sys.exit("record %s is not JSON event %r" % (l, first))
    for e in run:
        if (e["kind"], e["stream"], ep(e["src_ip"], e["src_port"]),
                ep(e["dst_ip"], e["dst_port"])) != (kind, int(stream), src, dst):
            sys.exit("record %s groups a different event %r" % (l, e))
    if run[-1]["frame"] != last:
        sys.exit("record %s: the run's last JSON frame is %d" % (l, run[-1]["frame"]))
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

# outputs LABEL BASE CAPTURE: the text and JSON Lines outputs of CAPTURE in
# $tmp/BASE.txt and $tmp/BASE.jsonl, each exiting 0, and the text's records
# exactly the lines on standard input
outputs() {
	local label=$1 base=$2 f=$3
	"$bin" "$f" > "$tmp/$base.txt" 2>> "$tmp/err"
	check "$label: text exit 0" test $? = 0
	"$bin" -o jsonl "$f" > "$tmp/$base.jsonl" 2>> "$tmp/err"
	check "$label: jsonl exit 0" test $? = 0
	cat > "$tmp/want"
	records "$tmp/$base.txt" > "$tmp/got"
	check "$label: exactly the grouped lines" diff "$tmp/want" "$tmp/got"
}

# ---- a generated burst: 30 dup ACKs of frame 37, a fast retransmission
# after the third
f=$P/gen-stream-dup-ack-burst-30.pcap
outputs dup-ack-burst-30 burst "$f" <<'EOF'
#38 22:13:25.022750 info dup_ack stream 0 x3, frames 38-40 | 198.51.100.20:8080 > 192.0.2.10:40000: server repeated its ACK of frame 37 (duplicate #1)
#41 22:13:25.023850 notice fast_retransmission stream 0 | 192.0.2.10:40000 > 198.51.100.20:8080: client re-sent 1000 bytes at seq 1001 (after duplicate ACKs)
#42 22:13:25.023900 info dup_ack stream 0 x27, frames 42-68 | 198.51.100.20:8080 > 192.0.2.10:40000: server repeated its ACK of frame 37 (duplicate #4)
EOF
check "dup-ack-burst-30: JSON keeps all 30 dup ACKs" \
    events_are "$tmp/burst.jsonl" dup_ack 38 39 40 $(seq 42 68)
check "dup-ack-burst-30: and the one fast retransmission" \
    events_are "$tmp/burst.jsonl" fast_retransmission 41
check "dup-ack-burst-30: the summary counts 30 dup ACKs" \
    test "$(summary_count "$tmp/burst.jsonl" dup_ack)" = 30
check "dup-ack-burst-30: the text accounts for every JSON event, in order" \
    consistent "$tmp/burst.txt" "$tmp/burst.jsonl"
check "dup-ack-burst-30: a single event prints ungrouped" \
    grep -qx '#41 22:13:25.023850 notice fast_retransmission stream 0' "$tmp/burst.txt"
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
outputs loss-fast-sender real "$f" <<'EOF'
#63 04:53:56.856395 info dup_ack stream 0 x3, frames 63-72 | 10.203.0.2:9000 > 10.203.0.1:48474: server repeated its ACK of frame 62 (duplicate #1)
#73 04:53:56.857456 notice fast_retransmission stream 0 | 10.203.0.1:48474 > 10.203.0.2:9000: client re-sent 1448 bytes at seq 28961 (after duplicate ACKs)
#74 04:53:56.857461 info dup_ack stream 0 x3, frames 74-76 | 10.203.0.2:9000 > 10.203.0.1:48474: server repeated its ACK of frame 62 (duplicate #4)
#77 04:53:56.857586 notice fast_retransmission stream 0 | 10.203.0.1:48474 > 10.203.0.2:9000: client re-sent 1448 bytes at seq 30409 (fills a hole the peer's SACK blocks show)
#78 04:53:56.857672 info dup_ack stream 0 x3, frames 78-93 | 10.203.0.2:9000 > 10.203.0.1:48474: server repeated its ACK of frame 62 (duplicate #7)
EOF
check "loss-fast-sender: JSON keeps all 9 dup ACKs" \
    events_are "$tmp/real.jsonl" dup_ack 63 64 72 74 75 76 78 83 93
check "loss-fast-sender: and both fast retransmissions" \
    events_are "$tmp/real.jsonl" fast_retransmission 73 77
check "loss-fast-sender: the text accounts for every JSON event, in order" \
    consistent "$tmp/real.txt" "$tmp/real.jsonl"
check "loss-fast-sender: no line groups a fast retransmission" \
    test "$(grep -c 'fast_retransmission .* x[0-9]' "$tmp/real.txt")" = 0

# ---- a port scan (tests/gen/gen_captures.py gen_port_scan): one SYN to each
# of ports 1-1000 of 198.51.100.20 (22, 80, 443 open; 100-149 filtered; 947
# refused), then port 23 of 40 hosts, all refused.  Each refused port is a
# listener of its own: the host's 947 become one line with the port ranges
# (as nmap's and Zeek's scan summaries put it), the 50 unanswered another,
# the 40 hosts' port 23 one line under the scanner; the open ports' resets
# stay as they are
outputs port-scan scan "$P/gen-port-scan.pcap" <<'EOF'
#2 22:13:20.000100 notice connection_refused x947, frames 2-1953 | from 198.51.100.20, 947 ports 1-21,23-79,81-99,150-442,444-1000: e.g. stream 0 (#2), stream 1 (#4), stream 2 (#6), ...; the first: RST answered the SYN to port 1 after 1 SYN (0.000100 s after the first)
#55 22:13:20.005400 warning syn_unanswered x50, frames 55-1849 | to 198.51.100.20, 50 ports 100-149: e.g. stream 27 (#55), stream 30 (#60), stream 33 (#65), ...; the first: 1 SYN over 0.000 s, no SYN-ACK or RST seen
#1109 22:13:20.113600 notice connection_reset stream 567 | 203.0.113.9:51234 > 198.51.100.20:80: client reset the connection (established)
#1302 22:13:20.133400 notice connection_reset stream 666 | 203.0.113.9:51234 > 198.51.100.20:443: client reset the connection (established)
#1434 22:13:20.146800 notice connection_reset stream 733 | 203.0.113.9:51234 > 198.51.100.20:22: client reset the connection (established)
#1955 22:13:20.200100 notice connection_refused x40, frames 1955-2033 | to 203.0.113.9 from any host, 1 port 23: e.g. stream 1000 (#1955), stream 1001 (#1957), stream 1002 (#1959), ...; the first: RST answered the SYN to port 23 after 1 SYN (0.000100 s after the first)
EOF
# the grouped lines' counts, frames and ports are those of the JSON events
scan_json() {
	python3 - "$1" <<'EOF'
import json, sys
ev = [r for r in map(json.loads, open(sys.argv[1])) if r["type"] == "event"]
def group(kind, port, other=lambda e: True, **match):
    g = [e for e in ev if e["kind"] == kind and other(e) and
         all(e[k] == v for k, v in match.items())]
    return len(g), g[0]["frame"], g[-1]["frame"], sorted({e[port] for e in g})
n, a, b, ports = group("connection_refused", "src_port", src_ip="198.51.100.20")
assert (n, a, b) == (947, 2, 1953), (n, a, b)
assert ports == [p for p in range(1, 1001) if p not in (22, 80, 443) and not 100 <= p < 150]
n, a, b, ports = group("syn_unanswered", "dst_port", dst_ip="198.51.100.20")
assert (n, a, b, ports) == (50, 55, 1849, list(range(100, 150))), (n, a, b)
n, a, b, ports = group("connection_refused", "src_port", lambda e: e["src_ip"] != "198.51.100.20",
                       dst_ip="203.0.113.9", src_port=23)
assert (n, a, b, ports) == (40, 1955, 2033, [23]), (n, a, b, ports)
assert len({e["src_ip"] for e in ev if e["src_port"] == 23}) == 41
assert len(ev) == 947 + 50 + 3 + 40, len(ev)
EOF
}
check "port-scan: each grouped line is its JSON events" scan_json "$tmp/scan.jsonl"
check "port-scan: the diagnosis names the host once" \
    grep -qx '  198.51.100.20 (50 ports): 50 connection attempts never answered' "$tmp/scan.txt"
check "port-scan: the text summary counts every event" \
    grep -q '^  events: syn_unanswered 50, connection_refused 987, connection_reset 3$' \
    "$tmp/scan.txt"
check "port-scan: every line fits 80 columns" python3 "$top/tests/text_check.py" width \
    "$tmp/scan.txt"

# ---- one client's data trouble with many servers: 30 connections from
# 192.0.2.50, each to a host of its own, each with one retransmission.  No
# listener or host has more than one; past 20 lines they fold under the
# client (a client's data kinds wait for more lines than a scan's do)
python3 - "$tmp/peer.pcap" <<'EOF'
import struct, sys
def pkt(src, dst, sport, dport, seq, ack, flags, ipid, data=b""):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(data), ipid, 0, 64, 6,
                       0, bytes(src), bytes(dst)) + tcp + data
out = [struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101)]    # DLT_RAW
t = 1700000000 * 10**6
cli = [192, 0, 2, 50]
for i in range(30):
    srv, cp = [198, 51, 100, 100 + i], 40000 + i
    for dt, p in ((0, pkt(cli, srv, cp, 443, 1000, 0, 0x02, 1)),
                  (1000, pkt(srv, cli, 443, cp, 5000, 1001, 0x12, 2)),
                  (1000, pkt(cli, srv, cp, 443, 1001, 5001, 0x10, 3)),
                  (1000, pkt(cli, srv, cp, 443, 1001, 5001, 0x18, 4, b"x" * 100)),
                  (300000, pkt(cli, srv, cp, 443, 1001, 5001, 0x18, 5, b"x" * 100)),
                  (1000, pkt(srv, cli, 443, cp, 5001, 1101, 0x10, 6))):
        t += dt
        out.append(struct.pack("<IIII", t // 10**6, t % 10**6, len(p), len(p)) + p)
open(sys.argv[1], "wb").write(b"".join(out))
EOF
(cd "$tmp" && "$bin" peer.pcap) > "$tmp/peer.txt" 2>> "$tmp/err"
"$bin" -o jsonl "$tmp/peer.pcap" > "$tmp/peer.jsonl" 2>> "$tmp/err"
check "one client, 30 servers: JSON has 30 retransmissions" \
    test "$(summary_count "$tmp/peer.jsonl" retransmission)" = 30
check "one client, 30 servers: one line for the 30" \
    test "$(grep -c '^#' "$tmp/peer.txt")" = 1
check "one client, 30 servers: it names the client and the port" \
    grep -q '^    from 192.0.2.50 to any host, 1 port 443 (client): e.g. stream 0 (#5),' \
    "$tmp/peer.txt"
check "one client, 30 servers: the count and frames" \
    grep -qx '#5 22:13:20.303000 notice retransmission x30, frames 5-179' "$tmp/peer.txt"

# ---- -q prints no event line, grouped or not
"$bin" -q "$P/gen-stream-dup-ack-burst-30.pcap" > "$tmp/q.txt" 2>> "$tmp/err"
check "-q: no event lines" test "$(grep -c '^#' "$tmp/q.txt")" = 0
check "-q: the summary" grep -q '^summary: ' "$tmp/q.txt"

# ---- -v: a connection line comes at its first frame, before its events;
# two inputs print as each alone
"$bin" -v "$P/gen-stream-dup-ack-burst-30.pcap" "$P/real-stream-loss-fast-sender.pcap" \
    > "$tmp/two.txt" 2>> "$tmp/err"
{
	grep '^#' "$tmp/burst.txt"
	grep '^#' "$tmp/real.txt"
} > "$tmp/want"
check "two inputs: the same event lines as each alone" \
    diff "$tmp/want" <(grep '^#' "$tmp/two.txt")
check "-v: each connection line before its events, each input in its section" python3 -c '
import sys
l = open(sys.argv[1]).read().splitlines()
heads = [k for k, x in enumerate(l) if x.startswith("tcpdissect ")]
conns = [k for k, x in enumerate(l) if x.startswith("stream 0 ")]
first = [k for k, x in enumerate(l) if x.startswith("#38 ") or x.startswith("#63 ")]
assert len(heads) == 2 and len(conns) == 2 and len(first) == 2, (heads, conns, first)
assert heads[0] < conns[0] < first[0] < heads[1] < conns[1] < first[1], l' "$tmp/two.txt"


check "nothing on stderr" test ! -s "$tmp/err"

tap_done
