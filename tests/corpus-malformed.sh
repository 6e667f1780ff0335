#!/bin/bash
# corpus-malformed.sh: every capture marked malformed (in tests/pcaps/SOURCES.md,
# and in ../shared/corpus/MANIFEST.tsv when the shared corpus is beside the
# tree) ends with a SPEC.md exit status (0, 1, 2 or 3), a one-line error
# if it fails, no sanitizer report, within a time bound, and valid JSON.
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${TCPDISSECT:-./tcpdissect}
corpus=${CORPUS_DIR:-$top/../shared/corpus}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
files=()
while IFS= read -r name; do
	files+=("$top/tests/pcaps/$name")
done < <(awk -F'|' '$0 ~ /\| *yes *\|/ { gsub(/[` ]/, "", $2); print $2 }' \
    "$top/tests/pcaps/SOURCES.md")
if [ -f "$corpus/MANIFEST.tsv" ]; then
	while IFS= read -r path; do
		files+=("$corpus/$path")
	done < <(awk -F'\t' 'NR > 1 && $10 == "yes" { print $1 }' "$corpus/MANIFEST.tsv")
fi
[ ${#files[@]} -gt 0 ] || { echo "no malformed captures found"; exit 99; }
fail=0
for f in "${files[@]}"; do
	[ -f "$f" ] || { echo "FAIL missing $f"; fail=1; continue; }
	timeout 60 "$bin" -o jsonl "$f" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	why=""
	case $rc in
	0|1|2|3) ;;
	124) why="hung (killed after 60 s)" ;;
	*) why="exit status $rc" ;;
	esac
	if grep -qE 'runtime error|AddressSanitizer|LeakSanitizer' "$tmp/err"; then
		why="$why sanitizer report"
	fi
	if [ $rc != 0 ] && [ "$(grep -c '^tcpdissect: ' "$tmp/err")" -lt 1 ]; then
		why="$why failed without a 'tcpdissect: FILE: ...' line"
	fi
	if ! python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' \
	    "$tmp/out" 2>/dev/null; then
		why="$why invalid JSON output"
	fi
	if [ -n "$why" ]; then
		echo "FAIL $(basename "$f"): $why"
		head -5 "$tmp/err"
		fail=1
	else
		echo "ok $(basename "$f"): exit $rc"
	fi
done
echo "${#files[@]} malformed captures checked"
exit $fail
