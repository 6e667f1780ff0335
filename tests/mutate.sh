#!/bin/bash
# mutate.sh: hostile input, end to end.  Forty deterministic mutations of a
# real capture (random bytes overwritten anywhere after the file header,
# record headers included, and some files cut short) go through the whole
# pipeline, with and without eviction, idle expiry and -w.  Each run must
# end with a SPEC exit status (0-3), no sanitizer report, no hang, and valid
# JSON.  (The decoder alone is fuzzed by tests/fuzz/fuzz_decode.c.)
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${TCPDISSECT:-./tcpdissect}
src=$top/tests/pcaps/corpus-suricata-verify-tls-tls-subjectaltname-input.pcap
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v python3 > /dev/null || { echo "SKIP: python3 missing"; exit 77; }
fail=0
for seed in $(seq 1 40); do
	python3 - "$src" "$tmp/m.pcap" "$seed" <<'PY'
import random, sys
b = bytearray(open(sys.argv[1], "rb").read())
r = random.Random(int(sys.argv[3]))
for _ in range(r.randint(1, 300)):
    b[r.randrange(24, len(b))] = r.randrange(256)
if r.random() < 0.3:
    b = b[:r.randrange(24, len(b))]
open(sys.argv[2], "wb").write(b)
PY
	if [ $((seed % 2)) = 0 ]; then
		opts=(-o jsonl)
	else
		opts=(-o json --memcap 64K --idle-timeout 1 -w "$tmp/w.pcap")
	fi
	timeout 60 "$bin" "${opts[@]}" "$tmp/m.pcap" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	why=
	[ $rc -le 3 ] || why="exit status $rc"
	grep -qE 'runtime error|AddressSanitizer|LeakSanitizer' "$tmp/err" && why="$why sanitizer"
	python3 -c '
import json, sys
text = open(sys.argv[1], encoding="utf-8").read()
if sys.argv[2] == "json":
    json.loads(text)
else:
    [json.loads(l) for l in text.splitlines()]' "$tmp/out" "${opts[1]}" 2> /dev/null ||
		why="$why invalid JSON"
	if [ -n "$why" ]; then
		echo "not ok $seed - mutation $seed: $why"
		head -5 "$tmp/err"
		fail=1
	else
		echo "ok $seed - mutation $seed (exit $rc)"
	fi
done
echo "1..40"
exit $fail
