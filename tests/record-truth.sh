#!/bin/bash
# record-truth.sh: tcpdissect's byte-stream events on the captures recorded from
# the Linux kernel (tests/pcaps/real-stream-*.pcap, made by
# tests/record/stream-*.sh through tests/record/relay.c) must be exactly those
# of tests/record/stream-truth/NAME.truth, whose frames come from the relay's
# log of what it dropped, delayed or duplicated and from the kernel's nstat
# counters (tests/record/STREAM.md).  TAP, one line per capture: the checker
# of stream-truth.sh, pointed at the recordings' truth files.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=${TOP_SRCDIR:-$(cd "$here/.." && pwd)}
exec bash "$here/stream-truth.sh" --truthdir "$top/tests/record/stream-truth" \
    --pcap-name %s.pcap "$@"
