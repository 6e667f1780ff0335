#!/bin/bash
# run-pcap.sh: automake test driver for one capture in tests/pcaps/.
#
# Runs tcpdissect -o jsonl on the capture (plus the options in NAME.args,
# if present) with TZ=UTC LC_ALL=C, checks the exit status against
# tests/expected/NAME.exit (default 0) and compares the records with
# tests/expected/NAME.jsonl, record by record, printing a readable diff.
# A missing expectation is a hard error (99): expectations are only ever
# written by tests/update-expected.sh.
set -u

pcap=$1
name=$(basename "$pcap")
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${TCPDISSECT:-./tcpdissect}
expected=$top/tests/expected/$name.jsonl
want_rc=0
[ -f "$top/tests/expected/$name.exit" ] && want_rc=$(cat "$top/tests/expected/$name.exit")

if [ ! -f "$expected" ]; then
	echo "ERROR: no expectation $expected; write it with tests/update-expected.sh $name"
	exit 99
fi
args=()
if [ -f "$top/tests/pcaps/$name.args" ]; then
	read -r -a args < "$top/tests/pcaps/$name.args"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
TZ=UTC LC_ALL=C "$bin" -o jsonl "${args[@]}" "$pcap" > "$tmp/out" 2> "$tmp/err"
rc=$?
status=0
if [ "$rc" != "$want_rc" ]; then
	echo "FAIL: exit status $rc, expected $want_rc"
	sed 's/^/  stderr: /' "$tmp/err"
	status=1
fi
if grep -q -e 'runtime error' -e 'AddressSanitizer' -e 'LeakSanitizer' "$tmp/err"; then
	echo "FAIL: sanitizer report"
	cat "$tmp/err"
	status=1
fi
if ! python3 "$top/tests/compare_jsonl.py" "$expected" "$tmp/out"; then
	status=1
fi
[ "$status" = 0 ] && echo "ok $name ($(wc -l < "$tmp/out") records)"
exit $status
