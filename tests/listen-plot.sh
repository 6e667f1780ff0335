#!/bin/bash
# listen-plot.sh: --plot-listeners on kernel recordings (accept overflows, a
# SYN flood answered with cookies, TIME_WAIT, CLOSE_WAIT): each listener's
# SVG parses, is self-contained, marks every incident with its frames, adds
# up to the summary's figures and agrees with the --at socket tables at a
# quarter, half and three quarters of the capture (tests/listen_plot_check.py).
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${TCPDISSECT:-./tcpdissect}
P=$top/tests/pcaps
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$top/tests/tap-lib.sh"
need_python

drawn() {
	local pcap=$P/$1 out=$tmp/$1 span f ats=""
	mkdir -p "$out"
	"$bin" -o jsonl "$pcap" > "$out/all.jsonl" || return 1
	"$bin" -o jsonl --plot-listeners --plot-dir "$out/svg" "$pcap" > "$out/plot.jsonl" ||
	    return 1
	if ! cmp -s "$out/all.jsonl" "$out/plot.jsonl"; then
		echo "# --plot-listeners changed the report"
		return 1
	fi
	span=$("$py" -c 'import json, sys
s = [json.loads(l) for l in open(sys.argv[1])][-1]
print((s["end_ns"] - s["start_ns"]) / 1e9)' "$out/all.jsonl")
	for f in 0.25 0.5 0.75; do
		"$bin" -q -o jsonl --at "+$("$py" -c "print('%.6f' % ($span * $f))")" "$pcap" \
		    > "$out/at-$f.jsonl" || return 1
		ats="$ats $out/at-$f.jsonl"
	done
	"$py" "$top/tests/listen_plot_check.py" "$out/plot.jsonl" "$out/svg" $ats
}

for c in real-accept-overflow-synresend.pcap real-accept-overflow-silent.pcap \
    real-accept-overflow-rst.pcap real-syn-flood-cookies.pcap real-time-wait-reuse.pcap \
    real-close-wait-stuck.pcap real-syn-retries.pcap real-refused.pcap; do
	[ -e "$P/$c" ] || continue
	check "$c: listener timelines parse, add up, mark every incident" drawn "$c"
done

# Several inputs: one picture per input and listener, prefixed.
several() {
	"$bin" -q --plot-listeners --plot-dir "$tmp/two" "$P/real-refused.pcap" \
	    "$P/real-syn-flood-cookies.pcap" > /dev/null || return 1
	[ -s "$tmp/two/in1-listener-10.202.0.1-9999.svg" ] &&
	    [ -s "$tmp/two/in2-listener-10.202.0.1-8080.svg" ]
}
check "several inputs: a picture per input" several

nosyn=$P/corpus-suricata-verify-bug-2491-02-simple_http_download.onesided.nosyn.pcap
nolistener() {
	"$bin" -q --plot-listeners --plot-dir "$tmp/none" "$nosyn" > /dev/null 2> "$tmp/err" ||
	    return 1
	grep -q "no listener" "$tmp/err"
}
check "an input without a SYN: said, exit 0" nolistener

unwritable() {
	"$bin" -q --plot-listeners --plot-dir /proc/no/such "$P/real-refused.pcap" \
	    > /dev/null 2> "$tmp/err"
	[ $? = 2 ] && grep -q "plot-dir" "$tmp/err"
}
check "an unwritable --plot-dir: one line, exit 2" unwritable

echo "1..$n"
[ "$fails" = 0 ]
