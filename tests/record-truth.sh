#!/bin/bash
# record-truth.sh: tcpdissect's byte-stream events on the captures recorded from
# the Linux kernel (tests/pcaps/real-stream-*.pcap, made by
# tests/record/stream-*.sh through tests/record/relay.c) must be exactly those
# of tests/record/stream-truth/NAME.truth, whose frames come from the relay's
# log of what it dropped, delayed or duplicated and from the kernel's nstat
# counters (tests/record/STREAM.md).  TAP, one line per capture.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=${TOP_SRCDIR:-$(cd "$here/.." && pwd)}
export TCPDISSECT=${TCPDISSECT:-./tcpdissect}
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3 || true)
if [ -z "$py" ]; then
	echo "1..0 # SKIP python3 not found"
	exit 77
fi
exec "$py" "$top/tests/truth_check.py" --truthdir "$top/tests/record/stream-truth" \
    --pcapdir "$top/tests/pcaps" --pcap-name %s.pcap "$@"
