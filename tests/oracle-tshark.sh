#!/bin/bash
# tshark oracle: tcpdissect's connection numbering must be Wireshark's.
#
# For each capture, tshark's tcp.stream / frame.number give, per stream, the first frame and the
# client / server endpoints (client = source of the first SYN without ACK, else the endpoint
# with the higher port, else the source of the first packet).  tcpdissect -o jsonl must emit one
# "type":"connection" record per stream with the same stream, first_frame, client.ip/port and
# server.ip/port.  Files tshark cannot read, and files tcpdissect refuses (non-zero exit), are
# skipped ('skip NAME: reason'); a crash, a hang or a jsonl line that is not JSON is a failure.
#
# Usage (automake runs it with no arguments, TCPDISSECT and srcdir set):
#   tests/oracle-tshark.sh [-v] [-j JOBS] [--tshark-only] [FILE...]
#     default FILEs: tests/pcaps/*.pcap* and, when the directory exists, every file under
#     ${CORPUS_DIR:-$srcdir/../shared/corpus} (files with identical bytes are run once)
#     -v             show every mismatch, not only the first 10 per file
#     --tshark-only  print tshark's view per stream as JSON; tcpdissect is not needed
#   TCPDISSECT=path/to/tcpdissect (default ./tcpdissect), TSHARK=tshark, ORACLE_TIMEOUT=60 (s)
# Exit: 0 = no mismatch, 1 = mismatches, 77 = skipped (no tshark / python3), 99 = setup error.
set -euo pipefail

srcdir=${srcdir:-.}
here=$(cd "$(dirname "$0")" && pwd)
export TCPDISSECT=${TCPDISSECT:-./tcpdissect}
export TSHARK=${TSHARK:-tshark}

if ! command -v "$TSHARK" >/dev/null 2>&1; then
    echo "SKIP: tshark not found (install tshark / wireshark-cli to run the oracle)"
    exit 77
fi
if ! command -v python3 >/dev/null 2>&1; then
    echo "SKIP: python3 not found"
    exit 77
fi

opts=()
files=()
while [ $# -gt 0 ]; do
    case $1 in
        -j) opts+=("$1" "$2"); shift 2 ;;
        -*) opts+=("$1"); shift ;;
        *) files+=("$1"); shift ;;
    esac
done

if [ ${#files[@]} -eq 0 ]; then
    pcapdir=
    for d in "$here/pcaps" "$srcdir/tests/pcaps" "$srcdir/pcaps"; do
        if [ -d "$d" ]; then pcapdir=$d; break; fi
    done
    if [ -n "$pcapdir" ]; then
        shopt -s nullglob
        files+=("$pcapdir"/*.pcap*)
        shopt -u nullglob
    fi
    corpus=${CORPUS_DIR:-$srcdir/../shared/corpus}
    if [ -d "$corpus" ]; then
        while IFS= read -r -d '' f; do
            case ${f##*/} in
                *.md|*.tsv|*.txt) ;;           # the corpus README / MANIFEST, not captures
                *) files+=("$f") ;;
            esac
        done < <(find "$corpus" -type f -print0 | LC_ALL=C sort -z)
    fi
    if [ ${#files[@]} -eq 0 ]; then
        echo "SKIP: no captures found (looked in $here/pcaps and $corpus)"
        exit 77
    fi
fi

exec python3 "$here/oracle_compare.py" ${opts[@]+"${opts[@]}"} "${files[@]}"
