#!/bin/bash
# Byte-stream oracle: tcpdissect's retransmission / dup ACK / zero-window / keep-alive / ...
# events against tshark's tcp.analysis.* flags, per frame and per kind, summed over every
# capture in tests/pcaps/ that is not marked malformed in tests/pcaps/SOURCES.md (tshark-unreadable
# files and files tcpdissect refuses are skipped with a note; NAME.args options are passed to
# tcpdissect).  Prints an agreement table (both / tcpdissect-only / tshark-only / allowlisted /
# precision / recall, tshark as the reference).
#
# Usage (automake runs it with no arguments, TCPDISSECT and srcdir set):
#   tests/oracle-stream.sh [-v] [-j JOBS] [--known FILE] [FILE...]
#     -v   also list, per capture, the frames where the two disagree
#   The allowlist tests/oracle-stream.known (lines `CAPTURE FRAME KIND reason-class`) holds
#   documented disagreements where tcpdissect is right; they are counted apart.
#   TCPDISSECT=path/to/tcpdissect (default ./tcpdissect), TSHARK=tshark, ORACLE_TIMEOUT=60 (s)
# Exit: 0 = every kind with >= 20 tshark frames has precision and recall >= 0.95, 1 = not,
#       77 = skipped (no tshark / python3), 99 = setup error.
set -euo pipefail

srcdir=${srcdir:-.}
here=$(cd "$(dirname "$0")" && pwd)
top=${TOP_SRCDIR:-$(cd "$here/.." && pwd)}
export TCPDISSECT=${TCPDISSECT:-./tcpdissect}
export TSHARK=${TSHARK:-tshark}
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3 || true)

if ! command -v "$TSHARK" >/dev/null 2>&1; then
    echo "1..0 # SKIP tshark not found"; exit 0
fi
if [ -z "$py" ]; then
    echo "1..0 # SKIP python3 not found"; exit 0
fi

opts=()
files=()
while [ $# -gt 0 ]; do
    case $1 in
        -j|--known) opts+=("$1" "$2"); shift 2 ;;
        -*) opts+=("$1"); shift ;;
        *) files+=("$1"); shift ;;
    esac
done

if [ ${#files[@]} -eq 0 ]; then
    pcapdir=$top/tests/pcaps
    [ -d "$pcapdir" ] || { echo "ERROR: no $pcapdir"; exit 99; }
    # the malformed captures, picked exactly as tests/corpus-malformed.sh does
    malformed=$(awk -F'|' '$0 ~ /\| *yes *\|/ { gsub(/[` ]/, "", $2); print $2 }' \
        "$pcapdir/SOURCES.md")
    shopt -s nullglob
    for f in "$pcapdir"/*.pcap "$pcapdir"/*.pcapng; do
        if grep -qxF "$(basename "$f")" <<<"$malformed"; then continue; fi
        files+=("$f")
    done
    shopt -u nullglob
    [ ${#files[@]} -gt 0 ] || { echo "ERROR: no captures in $pcapdir"; exit 99; }
fi

# TAP for automake's driver: the table as comments, one verdict.
rc=0
out=$("$py" "$here/oracle_stream.py" ${opts[@]+"${opts[@]}"} "${files[@]}" 2>&1) || rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
echo "1..1"
if [ "$rc" = 0 ]; then
    echo "ok 1 - byte-stream flags agree with tshark (precision and recall >= 0.95 per kind)"
else
    echo "not ok 1 - byte-stream flags disagree with tshark (exit $rc; table above)"
    exit 1	# automake judges .sh tests by their exit status
fi
