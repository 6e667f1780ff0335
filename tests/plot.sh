#!/bin/bash
# plot.sh: --plot writes, for each stream asked for, two self-contained
# SVGs (one per direction) that python's XML parser reads, with every event
# of the stream as a mark naming its frame (tests/plot_check.py); usage
# errors for bad stream lists; a missing stream is said, not fatal.
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${TCPDISSECT:-./tcpdissect}
P=$top/tests/pcaps
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$top/tests/tap-lib.sh"
need_python

# plotted PCAP: every stream with an event (at most 16), checked.
plotted() {
	local name=$1 pcap=$P/$1 out=$tmp/$1 streams
	mkdir -p "$out"
	"$bin" -o jsonl "$pcap" > "$out/all.jsonl" || return 1
	streams=$("$py" -c '
import json, sys
s = sorted({r["stream"] for r in map(json.loads, open(sys.argv[1]))
            if r["type"] == "event" and "stream" in r})
print(",".join(map(str, s[:16])) or "0")' "$out/all.jsonl")
	"$bin" -o jsonl --plot "$streams" --plot-dir "$out/svg" "$pcap" > "$out/plot.jsonl" ||
	    return 1
	# The report itself is unchanged by --plot.
	if ! cmp -s "$out/all.jsonl" "$out/plot.jsonl"; then
		echo "# --plot changed the report"
		return 1
	fi
	"$py" "$top/tests/plot_check.py" "$out/plot.jsonl" "$out/svg" ${streams//,/ }
}

for c in real-stream-loss-fast-receiver.pcap real-stream-loss-fast-sender.pcap \
    real-stream-zerowin.pcap real-stream-rto-sender.pcap real-stream-reorder.pcap \
    real-stream-spurious-sender.pcap real-stream-dup.pcap real-close-wait-stuck.pcap \
    real-time-wait-reuse.pcap real-accept-overflow-rst.pcap real-syn-flood-cookies.pcap; do
	[ -e "$P/$c" ] || continue
	check "$c: SVGs well-formed, self-contained, every event marked" plotted "$c"
done

# Sequence numbers past 2^32 in the suite's wraparound capture.
for c in "$P"/gen-wrap.pcap "$P"/gen-stream-seq-wraparound.pcap \
    "$P"/gen-stream-wrap-*-across.pcap; do
	[ -e "$c" ] || continue
	check "$(basename "$c"): plotted across the wrap" plotted "$(basename "$c")"
done

usage() { "$bin" "$@" "$P/real-stream-zerowin.pcap" > /dev/null 2> "$tmp/err"; [ $? = 1 ]; }
check "--plot x is a usage error" usage --plot x
check "--plot 1,,2 is a usage error" usage --plot 1,,2
check "--plot 99999999999 is a usage error" usage --plot 99999999999

missing() {
	"$bin" -q --plot 12345 --plot-dir "$tmp/none" "$P/real-stream-zerowin.pcap" \
	    > /dev/null 2> "$tmp/err" || return 1
	grep -q "no TCP stream 12345" "$tmp/err"
}
check "a stream not in the capture is said on stderr, exit 0" missing

unwritable() {
	"$bin" -q --plot 0 --plot-dir /proc/no/such "$P/real-stream-zerowin.pcap" \
	    > /dev/null 2> "$tmp/err"
	[ $? = 2 ] && grep -q "plot-dir" "$tmp/err"
}
check "an unwritable --plot-dir: one line, exit 2" unwritable

echo "1..$n"
[ "$fails" = 0 ]
