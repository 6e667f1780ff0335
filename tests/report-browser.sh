#!/bin/bash
# report-browser.sh: the --report page in a real browser.  Headless Chromium
# (Debian's chromium, contrib/install-deps.sh) opens it from file:// with the
# network cut off (a network namespace of its own where unshare can make
# one, and a proxy and resolver that lead nowhere in any case); the page's
# self-test (#selftest, html_report.c) checks its DOM: every event and
# connection in the tables' data, the first page of rows drawn, "show more"
# and "show all" (with pages of two rows), sorting both ways (of the data,
# not only the rows drawn), filtering, every drawn row's Wireshark filter,
# every SVG laid out with a non-zero size.  A screenshot is left in the build tree,
# tests/report-browser/report.png.  Skipped, with the reason, when no
# Chromium is installed or it cannot start.
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${TCPDISSECT:-./tcpdissect}
P=$top/tests/pcaps
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$top/tests/tap-lib.sh"
need_python

. "$top/tests/chromium-lib.sh"
if [ -z "$chrome" ]; then
	echo "1..0 # SKIP no Chromium (apt-get install chromium; contrib/install-deps.sh)"
	exit 77
fi
out=$PWD/tests/report-browser
mkdir -p "$out" || exit 99
pcap=$P/real-accept-overflow-synresend.pcap
"$bin" -o jsonl --report "$out/report.html" "$pcap" > "$tmp/r.jsonl" || exit 99

run() {
	chrome_run "$@"
}
if ! run --dump-dom "file://$out/report.html#selftest" > "$tmp/dom.html" ||
    ! grep -q 'id="selftest-result"' "$tmp/dom.html"; then
	echo "1..0 # SKIP Chromium could not start: $(grep -v '^$' "$tmp/chrome.err" |
	    tail -1 | cut -c1-160)"
	exit 77
fi

dom() {	# [DOM RECORDS]: the self-test's verdict against the run's records
	"$py" - "${1:-$tmp/dom.html}" "${2:-$tmp/r.jsonl}" <<'PY'
import json, re, sys
from html import unescape
dom = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<pre id="selftest-result"[^>]*>(.*?)</pre>', dom, re.S)
if not m or not m.group(1).strip():
    print("# the self-test wrote nothing")
    sys.exit(1)
res = json.loads(unescape(m.group(1)))
recs = [json.loads(l) for l in open(sys.argv[2])]
nev = sum(r["type"] == "event" for r in recs)
ncn = sum(r["type"] == "connection" for r in recs)
page = res.get("page", 0)
# every row is data; the first page of each drawn; with pages of 2 rows,
# "show more" draws 2 more and "show all" all; sorting orders the data
# (the one row drawn is the greatest); every drawn row gives its filter
want = {"events": nev, "connections": ncn, "events_rendered": min(page, nev),
        "connections_rendered": min(page, ncn), "paging": [min(2, nev), min(4, nev), nev],
        "sort_ascending": True, "sort_descending": True, "sort_on_data": True,
        "filters_missing": 0, "filter_none": 0, "filter_all": nev, "svgs_empty": 0}
bad = [] if 0 < page < 1000 else ["page"]
bad += [k for k, v in want.items() if res.get(k) != v]
if res.get("svgs", 0) < 2:
    bad.append("svgs")
# the page's own timing, which tests/bench/report-open.sh reads
for k in ("ms_parsed", "ms_laid_out"):
    if not isinstance(res.get(k), int) or res[k] < 0:
        bad.append(k)
for k in bad:
    print("# %s: %r, expected %r" % (k, res.get(k), want.get(k, ">= 2")))
print("# " + json.dumps(res))
sys.exit(1 if bad else 0)
PY
}
check "in Chromium: all rows in the data, paging, sorting, filtering, every SVG sized" dom

more_than_a_page() {	# 1,014 events, 1,004 connections: the first 200 of each drawn
	"$bin" -o jsonl --report "$out/flood.html" "$P/real-syn-flood-cookies.pcap" \
	    > "$tmp/flood.jsonl" || return 1
	run --dump-dom "file://$out/flood.html#selftest" > "$tmp/flood-dom.html" &&
	    dom "$tmp/flood-dom.html" "$tmp/flood.jsonl"
}
check "in Chromium, more rows than a page: the first page drawn, paging" more_than_a_page

shot() {
	rm -f "$out/report.png"
	run --window-size=1280,2400 --screenshot="$out/report.png" \
	    "file://$out/report.html" > /dev/null || return 1
	[ "$(head -c 8 "$out/report.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
}
check "a screenshot in the build tree (tests/report-browser/report.png)" shot

echo "1..$n"
[ "$fails" = 0 ]
