#!/bin/bash
# time-range.sh: times far from now are counted, never undefined behaviour.
# A pcapng record whose timestamp's high word is 0xffffffff (microseconds:
# the year 570,000) and one in an interface of 1-second resolution whose
# 64-bit count wraps libpcap's time_t negative once overflowed sec * 10^9;
# now each is counted as warnings.bad_timestamp and takes the previous
# record's time, so the records around them and the summary's span are
# unaffected.
# --at beyond 2116 (90000000009 overflowed in options.c) is a usage error;
# --at at the limit works, as absolute and as +SECONDS.  Run it in a
# sanitizer build (configure --enable-sanitizers) to see no UBSan report.
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${TCPDISSECT:-./tcpdissect}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$top/tests/tap-lib.sh"
need_python

# OUT TSRESOL UNITS...: a pcapng (raw IPv4) of one SYN per timestamp, in
# units of 10^-TSRESOL s on one interface.
"$py" - "$tmp" <<'PY'
import struct, sys
def block(btype, body):
    body += b"\0" * (-len(body) % 4)
    return struct.pack("<II", btype, len(body) + 12) + body + struct.pack("<I", len(body) + 12)
def capture(path, tsresol, units):
    out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    idb = struct.pack("<HHI", 101, 0, 65535)
    if tsresol != 6:
        idb += struct.pack("<HHB3x", 9, 1, tsresol)
    out += block(1, idb + struct.pack("<HH", 0, 0))
    for i, u in enumerate(units):
        tcp = struct.pack("!HHIIBBHHH", 40000 + i, 80, 1000 * i, 0, 0x50, 0x02, 64240, 0, 0)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 1, 0, 64, 6, 0,
                         bytes([198, 51, 100, 7]), bytes([192, 0, 2, 1]))
        out += block(6, struct.pack("<IIIII", 0, u >> 32, u & 0xffffffff, 40, 40) + ip + tcp)
    open(path, "wb").write(out)
t = 1700000000
capture(sys.argv[1] + "/high.pcapng", 6,
        [t * 10**6, 0xffffffff << 32 | 123456, t * 10**6 + 1000])
capture(sys.argv[1] + "/wrap.pcapng", 0, [t, 0xffffffffffffffff, t + 1])
PY

# FILE EXPR: the summary of FILE (jsonl) satisfies the python expression on s
summary() {
	"$bin" -q -o jsonl "$1" > "$tmp/out" 2> "$tmp/err" &&
		! grep -q "runtime error" "$tmp/err" &&
		"$py" -c 'import json, sys
s = json.loads(open(sys.argv[1]).read().splitlines()[-1])
sys.exit(0 if eval(sys.argv[2]) else 1)' "$tmp/out" "$2"
}
for f in high:1700000000.001 wrap:1700000001; do
	end=${f#*:} f=${f%:*}
	check "$f: analysed, no undefined behaviour, the bad time counted" \
	    summary "$tmp/$f.pcapng" 's["warnings"].get("bad_timestamp") == 1'
	check "$f: the summary spans the good records' times" \
	    summary "$tmp/$f.pcapng" "((s['start'], s['end']) == (1700000000, $end) and
	    'time_went_backwards' not in s['warnings'])"
done

# ARGS...: usage error (status 1), one line on stderr, no UBSan report
usage_error() {
	"$bin" -q "$@" "$tmp/high.pcapng" > /dev/null 2> "$tmp/err"
	[ $? = 1 ] && [ "$(wc -l < "$tmp/err")" = 1 ] && ! grep -q "runtime error" "$tmp/err"
}
runs_clean() {
	"$bin" -q "$@" "$tmp/high.pcapng" > /dev/null 2> "$tmp/err" &&
		! grep -q "runtime error" "$tmp/err"
}
check "--at 90000000009: a usage error, not an overflow" usage_error --at 90000000009
check "--at +90000000009: a usage error" usage_error --at +90000000009
check "--at 4611686019: past 2116, a usage error" usage_error --at 4611686019
check "--at 4611686018: accepted" runs_clean --at 4611686018
check "--at +4611686018.427387903: accepted, no overflow" runs_clean --at +4611686018.427387903
echo "1..$n"
[ "$fails" = 0 ]
