#!/usr/bin/env bash
# report-open.sh: how big tcpdissect's --report page is and how long it
# takes to open, on a capture (the benchmark's, from `make bench`):
#   tests/bench/report-open.sh TCPDISSECT CAPTURE [RUNS]
# Headless Chromium (tests/chromium-lib.sh) opens the page from file://
# RUNS times (default 3); the page's self-test (#timing: only the times and
# counts; HASH=selftest in the environment runs all its checks as well)
# records, from the navigation's start, when the page was parsed and when
# it was first laid out.  Also timed: the browser's whole run (its own start-up
# included), wall and CPU (user + system of the browser and its
# children: the figure to trust on a loaded machine), and tcpdissect
# writing the page.  The baseline, opened the same way: a tiny report
# (tests/pcaps/real-refused.pcap), whose cost is the browser's own.  The
# load average is printed.  A benchmark: it prints figures, asserts
# nothing, and exits non-zero only when a tool fails.
set -euo pipefail
export LC_ALL=C
[ $# -ge 2 ] || { echo "usage: report-open.sh TCPDISSECT CAPTURE [RUNS]" >&2; exit 2; }
bin=$1 pcap=$2 runs=${3:-3} hash=${HASH:-timing}
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/report-open.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
. "$top/tests/chromium-lib.sh"
[ -n "$chrome" ] || { echo "report-open: no Chromium (apt-get install chromium)" >&2; exit 1; }

now() { date +%s.%N; }
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
"$bin" -q --report "$tmp/tiny.html" "$top/tests/pcaps/real-refused.pcap" > /dev/null
t0=$(now)
"$bin" -q --report "$tmp/report.html" "$pcap" > /dev/null
t1=$(now)
size=$(stat -c %s "$tmp/report.html")
printf 'report: %s bytes (%.1f MiB), written in %.2f s\n' "$size" \
    "$(awk "BEGIN{print $size/1048576}")" "$(awk "BEGIN{print $t1-$t0}")"

open() {	# PAGE RUN: one browser run, its figures on one line
	local s e cpu
	rm -rf "$tmp/profile"
	s=$(now)
	TIMEFORMAT='%U %S'
	{ time chrome_run --dump-dom "file://$1#$hash" > "$tmp/dom.html"; } 2> "$tmp/cpu" ||
	    { echo "report-open: Chromium failed: $(tail -n 1 "$tmp/chrome.err")" >&2; exit 1; }
	e=$(now)
	cpu=$(awk '{print $1 + $2}' "$tmp/cpu")
	python3 - "$tmp/dom.html" "$(awk "BEGIN{print $e-$s}")" "$2" "$cpu" <<'PY'
import html, json, re, sys
m = re.search(r'<pre id="selftest-result"[^>]*>(.*?)</pre>', open(sys.argv[1]).read(), re.S)
if not m or not m.group(1).strip():
    sys.exit("report-open: the page's self-test wrote nothing")
r = json.loads(html.unescape(m.group(1)))
print("%s: parsed %d ms, laid out %d ms after navigation; browser run %.2f s, CPU %.2f s; "
      "%d events, %d connections, %d SVGs" % (sys.argv[3], r["ms_parsed"], r["ms_laid_out"],
      float(sys.argv[2]), float(sys.argv[4]), r["events"], r["connections"], r["svgs"]))
PY
}
for ((i = 1; i <= runs; i++)); do
	open "$tmp/report.html" "run $i"
	open "$tmp/tiny.html" "tiny report, run $i"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
