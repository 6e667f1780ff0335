#!/bin/bash
# listen-truth.sh: tcpdissect's handshake and listen-queue events (syn_retransmit,
# synack_retransmit, synack_bad_ack, accept_overflow_drop, accept_overflow_syn_drop,
# syn_cookie, syn_flood, ...) must be exactly those of tests/listen-truth/CASE.truth, frame,
# stream and the detail fields each line names.  The frames of the real-* recordings come
# from tests/record/LISTEN.md; gen-* from tests/gen/gen_captures.py.  TAP, one line per case.
# Uses $TCPDISSECT (default ./tcpdissect) and $TOP_SRCDIR.  Usage: tests/listen-truth.sh [CASE...]
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=${TOP_SRCDIR:-$(cd "$here/.." && pwd)}
export TCPDISSECT=${TCPDISSECT:-./tcpdissect}
. "$here/tap-lib.sh"
need_python
exec "$py" "$top/tests/listen_truth.py" --truthdir "$top/tests/listen-truth" \
    --pcapdir "$top/tests/pcaps" "$@"
