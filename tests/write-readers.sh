#!/bin/bash
# write-readers.sh: -w reads its second pass through the same readers as
# the analysis (src/source.c), so it works on every input the analysis
# reads: gzip, zstd and lz4 files, pcapng, and pcapng whose interfaces
# differ in link type (written as pcapng, one interface per link type).
#
# The oracle is tshark: the packets of the input whose tcp.stream is one
# of the streams the run reported an event on must be, in order, exactly
# the packets of the output (time to the nanosecond, lengths, bytes).  A
# FIFO is refused with one line before anything is read: a pipe cannot be
# read twice.
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${TCPDISSECT:-./tcpdissect}
P=$top/tests/pcaps
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$top/tests/tap-lib.sh"
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

tshark=${TSHARK:-tshark}
for t in python3 "$tshark" editcap mergecap gzip; do
	if ! command -v "$t" > /dev/null; then
		echo "1..0 # SKIP $t missing"
		exit 0
	fi
done

# packets FILE [STREAMS]: one line per packet (time, lengths, bytes), of
# every packet, or of those whose TCP stream is in the comma list STREAMS
packets() {
	"$tshark" -r "$1" -T json -x -j "frame tcp" 2> /dev/null | python3 -c '
import json, sys
want = None if len(sys.argv) < 2 else set(sys.argv[1].split(","))
for p in json.load(sys.stdin):
    l = p["_source"]["layers"]
    f = l["frame"]
    s = l.get("tcp", {}).get("tcp.stream")
    if want is not None and (s is None or s not in want):
        continue
    print(f["frame.time_epoch"], f["frame.len"], f["frame.cap_len"], l["frame_raw"][0])
' ${2+"$2"}
}

# flagged JSONL: the streams with an event, as a comma list
flagged() {
	python3 -c '
import json, sys
s = sorted({r["stream"] for r in map(json.loads, open(sys.argv[1]))
            if r["type"] == "event" and r.get("stream") is not None})
print(",".join(map(str, s)))' "$1"
}

# same_packets NAME COMPRESSED PLAIN: -w on COMPRESSED (or PLAIN itself)
# writes exactly the flagged packets of PLAIN
same_packets() {
	local name=$1 in=$2 plain=$3 streams rc
	"$bin" -o jsonl -w "$tmp/out" "$in" > "$tmp/run.jsonl" 2> "$tmp/err"
	rc=$?
	streams=$(flagged "$tmp/run.jsonl")
	packets "$plain" "$streams" > "$tmp/want"
	packets "$tmp/out" > "$tmp/got" 2> /dev/null
	check "$name: exit 0 ($(head -c 200 "$tmp/err"))" test "$rc" = 0
	check "$name: events on streams $streams" test -n "$streams"
	check "$name: the flagged packets, exactly ($(wc -l < "$tmp/want") of them)" \
	    cmp -s "$tmp/want" "$tmp/got"
	rm -f "$tmp/out"
}

tls=$P/corpus-suricata-verify-tls-tls-subjectaltname-input.pcap
gzip -c "$tls" > "$tmp/tls.pcap.gz"
same_packets "classic pcap" "$tls" "$tls"
same_packets "gzip-compressed pcap" "$tmp/tls.pcap.gz" "$tls"

editcap -F pcapng "$tls" "$tmp/tls.pcapng"
if command -v zstd > /dev/null && zstd -q -c "$tmp/tls.pcapng" > "$tmp/tls.pcapng.zst" &&
    "$bin" -q "$tmp/tls.pcapng.zst" > /dev/null 2>&1; then
	same_packets "zstd-compressed pcapng" "$tmp/tls.pcapng.zst" "$tmp/tls.pcapng"
else
	skip "zstd-compressed pcapng" "zstd missing or not built in"
fi
if command -v lz4 > /dev/null && lz4 -q -c "$tmp/tls.pcapng" > "$tmp/tls.pcapng.lz4" &&
    "$bin" -q "$tmp/tls.pcapng.lz4" > /dev/null 2>&1; then
	same_packets "lz4-compressed pcapng" "$tmp/tls.pcapng.lz4" "$tmp/tls.pcapng"
else
	skip "lz4-compressed pcapng" "lz4 missing or not built in"
fi

# Ethernet, raw IP (the same capture's Ethernet headers cut off), Ethernet:
# flagged connections on both link types
editcap -C 14 -T rawip "$P/gen-reset.pcap" "$tmp/reset-raw.pcap"
mergecap -F pcapng -w "$tmp/mixed.pcapng" "$P/gen-refused.pcap" "$tmp/reset-raw.pcap" \
    "$P/gen-close-wait-stuck.pcap"
gzip -c "$tmp/mixed.pcapng" > "$tmp/mixed.pcapng.gz"
same_packets "pcapng mixing link types" "$tmp/mixed.pcapng" "$tmp/mixed.pcapng"
"$bin" -q -w "$tmp/w.pcapng" "$tmp/mixed.pcapng" > /dev/null 2>&1
check "... written as pcapng with both link types" \
    test "$("$tshark" -r "$tmp/w.pcapng" -T fields -e frame.encap_type 2> /dev/null |
        sort -u | tr '\n' ' ')" = "1 7 "
same_packets "gzip-compressed pcapng mixing link types" "$tmp/mixed.pcapng.gz" \
    "$tmp/mixed.pcapng"

# A FIFO cannot be read twice: refused before anything is read
mkfifo "$tmp/fifo"
"$bin" -q -w "$tmp/x.pcap" "$tmp/fifo" > /dev/null 2> "$tmp/err"
rc=$?
check "-w with a FIFO input: exit 1" test "$rc" = 1
check "... one line saying why" \
    sh -c "[ \$(wc -l < '$tmp/err') = 1 ] &&
        grep -q 'cannot be (save it to a file first)' '$tmp/err'"
check "... and no output file" test ! -e "$tmp/x.pcap"

echo "1..$n"
[ $fails = 0 ]
