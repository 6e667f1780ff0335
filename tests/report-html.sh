#!/bin/bash
# report-html.sh: --report FILE.html on kernel recordings.  The page is read
# by python's html.parser (tests/report_html_check.py): well-formed, nothing
# fetched from outside, every event and connection a row of the tables' data
# (the weightiest when there are more than a table keeps) with what its
# Wireshark filter is made of, the listener timelines and the worst connections' graphs; the
# report on stdout is the same with --report; option and file errors.
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${TCPDISSECT:-./tcpdissect}
P=$top/tests/pcaps
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$top/tests/tap-lib.sh"
need_python

page() {	# NAME MAX
	local pcap=$P/$1 out=$tmp/$1
	mkdir -p "$out"
	"$bin" -o jsonl "$pcap" > "$out/all.jsonl" || return 1
	"$bin" -o jsonl --report "$out/r.html" --report-max "$2" "$pcap" > "$out/r.jsonl" ||
	    return 1
	if ! cmp -s "$out/all.jsonl" "$out/r.jsonl"; then
		echo "# --report changed the report"
		return 1
	fi
	"$py" "$top/tests/report_html_check.py" "$out/r.html" "$out/r.jsonl" "$2"
}

for c in real-accept-overflow-synresend.pcap real-accept-overflow-rst.pcap \
    real-syn-flood-cookies.pcap real-stream-loss-fast-sender.pcap real-stream-zerowin.pcap \
    real-time-wait-reuse.pcap real-close-wait-stuck.pcap real-refused.pcap \
    corpus-zeek-ftp-bruteforce.pcap corpus-tcpdump-empty.pcap; do
	[ -e "$P/$c" ] || continue
	check "$c: the page parses, is self-contained, lists every event" page "$c" 5
done
check "--report-max 1: one connection's graphs" page real-accept-overflow-synresend.pcap 1
check "--report-max 0: no graph" page real-syn-flood-cookies.pcap 0

several() {
	"$bin" -o jsonl --report "$tmp/two.html" "$P/real-refused.pcap" \
	    "$P/real-accept-overflow-rst.pcap" > "$tmp/two.jsonl" || return 1
	"$py" "$top/tests/report_html_check.py" "$tmp/two.html" "$tmp/two.jsonl" 5 &&
	    grep -q "<th>file</th>" "$tmp/two.html"
}
check "two inputs: one page, a file column" several

full() {	# 3 x 1,851 events, 3 x 2,001 connections: more than a table keeps
	local c=$P/gen-syn-flood-drops.pcap
	"$bin" -o jsonl --report "$tmp/full.html" "$c" "$c" "$c" > "$tmp/full.jsonl" || return 1
	"$py" "$top/tests/report_html_check.py" "$tmp/full.html" "$tmp/full.jsonl" 5 3
}
check "over 5,000 rows: each table keeps the weightiest, says how many it leaves" full

names() {	# file names with < > & " in the page's data, escaped
	cp "$P/real-refused.pcap" "$tmp/a<script>&\"b.pcap" || return 1
	"$bin" -o jsonl --report "$tmp/names.html" "$tmp/a<script>&\"b.pcap" \
	    "$P/real-accept-overflow-rst.pcap" > "$tmp/names.jsonl" || return 1
	"$py" "$top/tests/report_html_check.py" "$tmp/names.html" "$tmp/names.jsonl" 5 &&
	    grep -q 'a\\u003cscript\\u003e\\u0026\\"b.pcap' "$tmp/names.html"
}
check "a file name with < > & \" in the data: escaped, the page still parses" names

fromstdin() {
	"$bin" -q --report "$tmp/in.html" - < "$P/real-accept-overflow-rst.pcap" > /dev/null &&
	    grep -q "Standard input cannot be read a second time" "$tmp/in.html"
}
check "standard input: no graphs, said on the page" fromstdin

damaged() {	# read twice, the damage said once
	head -c 3000 "$P/real-accept-overflow-synresend.pcap" > "$tmp/cut.pcap"
	"$bin" -q --report "$tmp/cut.html" "$tmp/cut.pcap" > /dev/null 2> "$tmp/err" || return 1
	[ "$(grep -c "capture damaged" "$tmp/err")" = 1 ] && grep -q 'class="graph"' "$tmp/cut.html"
}
check "a damaged capture: graphs drawn, the damage said once" damaged

usage() { "$bin" "$@" "$P/real-refused.pcap" > /dev/null 2> "$tmp/err"; [ $? = 1 ]; }
check "--report-max 65 is a usage error" usage --report "$tmp/x.html" --report-max 65
check "--report-max x is a usage error" usage --report "$tmp/x.html" --report-max x
check "--report '' is a usage error" usage --report ''

unwritable() {
	"$bin" -q --report /proc/no/such.html "$P/real-refused.pcap" > /dev/null 2> "$tmp/err"
	[ $? = 2 ] && [ "$(wc -l < "$tmp/err")" = 1 ] && grep -q "such.html" "$tmp/err"
}
check "an unwritable --report file: one line, exit 2" unwritable

echo "1..$n"
[ "$fails" = 0 ]
