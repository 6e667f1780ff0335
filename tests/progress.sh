#!/bin/bash
# progress.sh: reading a file with stderr on a terminal draws a progress
# line (bytes read of the file's size, packets, rate, time left) and erases
# it at the end; never when stderr is not a terminal, nor with -q; from
# stdin (size unknown) without the size and time left.  The terminal is a
# pseudo-terminal (python's pty); TCPDISSECT_PROGRESS_MS=0 redraws at every
# record, so no check depends on timing.
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${TCPDISSECT:-./tcpdissect}
P=$top/tests/pcaps
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$top/tests/tap-lib.sh"
need_python
cap=$P/real-stream-zerowin.pcap
frames=$("$bin" -o jsonl -q "$cap" | "$py" -c '
import json, sys
print([r for r in map(json.loads, sys.stdin) if r["type"] == "summary"][0]["packets"])')
kb=$("$py" -c 'import os, sys; print("%.1f" % (os.path.getsize(sys.argv[1]) / 1000))' "$cap")
export TCPDISSECT_PROGRESS_MS=0

"$py" "$top/tests/progress_pty.py" "$bin" "$cap" > "$tmp/tty" 2>&1
check "on a terminal: the packets read, up to the last" grep -q " $frames packets" "$tmp/tty"
check "on a terminal: the bytes read of the file's size and time left" \
    grep -qE "of $kb kB \\(100%\\), $frames packets, [0-9.]+ [kMG]?B/s, [0-9]+ s left" "$tmp/tty"
erased() { "$py" -c 'import sys; sys.exit(not open(sys.argv[1], newline="").read().endswith("\r\x1b[K"))' "$1"; }
check "on a terminal: the line is erased at the end" erased "$tmp/tty"

"$py" "$top/tests/progress_pty.py" "$bin" "$cap" -q > "$tmp/quiet" 2>&1
check "-q: no progress" test ! -s "$tmp/quiet"

"$bin" "$cap" > /dev/null 2> "$tmp/pipe"
check "stderr not a terminal: no progress" test ! -s "$tmp/pipe"

STDIN_FILE=$cap "$py" "$top/tests/progress_pty.py" "$bin" - > "$tmp/stdin" 2>&1
check "stdin: packets and rate, no size" \
    grep -qE "^.*-: [0-9.]+ [kM]?B, $frames packets, [0-9.]+ [kMG]?B/s" "$tmp/stdin"
check "stdin: no time left without a size" bash -c "! grep -q \"s left\" \"$tmp/stdin\""

echo "1..$n"
[ "$fails" = 0 ]
