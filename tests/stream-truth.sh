#!/bin/bash
# stream-truth.sh: tcpdissect's byte-stream events (retransmission, dup_ack, zero_window, ...)
# on the synthetic captures tests/pcaps/gen-stream-*.pcap must be exactly the ones listed in
# tests/gen/stream-truth/CASE.truth (written with the captures by tests/gen/gen_stream.py).
# TAP, one line per case; a failing case lists the missing (-) and unexpected (+) events.
# Uses $TCPDISSECT (default ./tcpdissect) and $srcdir / $TOP_SRCDIR for the sources.
# Usage: tests/stream-truth.sh [CASE...]
set -u
srcdir=${srcdir:-.}
here=$(cd "$(dirname "$0")" && pwd)
top=${TOP_SRCDIR:-$(cd "$here/.." && pwd)}
export TCPDISSECT=${TCPDISSECT:-./tcpdissect}
. "$here/tap-lib.sh"
need_python
exec "$py" "$top/tests/truth_check.py" --truthdir "$top/tests/gen/stream-truth" \
    --pcapdir "$top/tests/pcaps" "$@"
