#!/bin/bash
# json-schema.sh: every record the suite's captures produce, as JSON Lines
# and as one -o json document (and --at's socket records), is valid against
# doc/schema/ (issue 17 item 8); ts_ns, start_ns and end_ns are the exact
# instants ts, start and end print; conn_state matches Zeek's own baseline
# for its conn_state-RST-behavior traces (zeek/zeek testing/btest/Baseline/
# scripts.base.protocols.conn.conn_state-RST-behavior/out).
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${TCPDISSECT:-./tcpdissect}
P=$top/tests/pcaps
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$top/tests/tap-lib.sh"
need_python
if ! "$py" -c 'import jsonschema' 2> /dev/null; then
	echo "1..0 # SKIP python3-jsonschema not installed (contrib/install-deps.sh)"
	exit 77
fi

i=0
for pcap in "$P"/*.pcap "$P"/*.pcapng; do
	name=$(basename "$pcap")
	args=()
	[ -f "$pcap.args" ] && read -r -a args < "$pcap.args"
	i=$((i + 1))
	"$bin" -o jsonl "${args[@]}" "$pcap" > "$tmp/$i.jsonl" 2> /dev/null
	"$bin" -o json "${args[@]}" "$pcap" > "$tmp/$i.json" 2> /dev/null
	# an unreadable input writes no document: nothing to validate
	[ -s "$tmp/$i.json" ] || rm -f "$tmp/$i.json"
done
"$bin" -o jsonl --at +0.02 "$P/gen-reset.pcap" "$P/gen-reuse.pcap" > "$tmp/at.jsonl"
"$bin" -o json --at +0.02 "$P/gen-reset.pcap" > "$tmp/at.json"
check "socket records were made" grep -q '"type":"socket"' "$tmp/at.jsonl"
# a shard log (--shard, issue 16): its own lines and the records between them
"$bin" -o jsonl --shard 1/2 "$P/real-syn-flood-cookies.pcap" "$P/gen-reuse.pcap" \
    > "$tmp/shard.jsonl"
check "shard lines were made" grep -q '"type":"shard_ops"' "$tmp/shard.jsonl"
"$py" "$top/tests/validate_schema.py" "$top/doc/schema" "$tmp"/*.jsonl "$tmp"/*.json \
    > "$tmp/report"
check "every record of $i captures valid against doc/schema" test $? = 0
sed 's/^/# /' "$tmp/report" | head -n 20

# The integer twins are the printed instants, digit for digit as far as
# the printed ones go.
"$py" - "$tmp"/*.jsonl > "$tmp/exact" <<'PY'
import re, sys
pairs = [("ts", "ts_ns"), ("start", "start_ns"), ("end", "end_ns")]
bad = n = 0
for path in sys.argv[1:]:
    for line in open(path, encoding="utf-8"):
        for a, b in pairs:
            for m in re.finditer(r'"%s":(\d+)\.(\d+),(?:[^{}]*?)"%s":(\d+)' % (a, b), line):
                sec, frac, ns = m.group(1), m.group(2), m.group(3)
                n += 1
                # ts is printed at the input's precision (ts_digits: the
                # first interface's); ts_ns keeps every digit, so ts must
                # be ts_ns cut to the printed digits
                scale = 10 ** (9 - len(frac))
                if int(sec) * 10**9 + int(frac) * scale != int(ns) // scale * scale:
                    bad += 1
                    print("%s: %s %s.%s vs %s %s" % (path, a, sec, frac, b, ns))
print("pairs", n)
sys.exit(1 if bad or n == 0 else 0)
PY
check "ts_ns/start_ns/end_ns equal ts/start/end exactly" test $? = 0
tail -n 1 "$tmp/exact" | sed 's/^/# /'

zeek_state() {	# capture, Zeek's history, Zeek's conn_state
	"$bin" -o jsonl "$P/corpus-zeek-tcp-$1.pcap" 2> /dev/null > "$tmp/z"
	grep -q "\"conn_state\":\"$3\".*\"history\":\"$2\"" "$tmp/z"
}
check "Zeek single-rst: R, OTH" zeek_state single-rst R OTH
check "Zeek syn-then-rst: SR, RSTOS0" zeek_state syn-then-rst SR RSTOS0
check "Zeek syn-then-ack-then-rst: SaR, RSTOS0" zeek_state syn-then-ack-then-rst SaR RSTOS0
check "Zeek syn-then-stuff-then-rst: SaFR, OTH" zeek_state syn-then-stuff-then-rst SaFR OTH
"$bin" -o jsonl "$P/gen-refused.pcap" > "$tmp/z"
check "a refused connection is REJ" grep -q '"conn_state":"REJ"' "$tmp/z"
"$bin" -o jsonl "$P/gen-reuse.pcap" > "$tmp/z"
check "a normal close is SF" grep -q '"conn_state":"SF"' "$tmp/z"

echo "1..$n"
[ $fails = 0 ]
