#!/bin/bash
# --extract, --follow and overlap_conflict on tests/gen/bytestream.pcap (tests/gen/gen_bytestream.py
# says frame by frame what it holds): exact files, hole list, follow text and event; only runs
# that ask for bytes reassemble; bad option values are usage errors; tcpflow agrees where it
# can (skipped without it).
srcdir=${srcdir:-.}
top=${TOP_SRCDIR:-$srcdir}
TCPDISSECT=${TCPDISSECT:-./tcpdissect}
. "$top/tests/tap-lib.sh"
need_python
cap=$top/tests/gen/bytestream.pcap
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$TCPDISSECT" -o jsonl --extract "$tmp/x" "$cap" > "$tmp/out.jsonl"
check "--extract exits 0" test $? -eq 0
printf 'MSG1:wrap-around\nMSG2\nMSG3\n\0\0\0\0\0MSG5\n' > "$tmp/want-c"
check "client bytes in order across the wrap, hole as NUL bytes" \
	cmp "$tmp/x/0-10.0.0.1.40000-10.0.0.2.7000" "$tmp/want-c"
printf 'OK\n' > "$tmp/want-s"
check "server bytes" cmp "$tmp/x/0-10.0.0.2.7000-10.0.0.1.40000" "$tmp/want-s"
echo "27 5 acked_not_captured 10" > "$tmp/want-h"
check "the hole listed: offset, length, why, frame" \
	cmp "$tmp/x/0-10.0.0.1.40000-10.0.0.2.7000.holes" "$tmp/want-h"
check "no hole file for a direction without holes" \
	test ! -e "$tmp/x/0-10.0.0.2.7000-10.0.0.1.40000.holes"
check "one overlap_conflict, frame 8, frames 4 and 8, frame 4 kept, offset 5" "$py" -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if "\"overlap_conflict\"" in l]
ev = [e for e in ev if e["type"] == "event"]
assert len(ev) == 1, ev
e = ev[0]
d = e["detail"]
assert (e["frame"], e["stream"], e["src_port"]) == (8, 0, 40000), e
assert (d["first_frame"], d["second_frame"], d["kept_frame"]) == (4, 8, 4), d
assert (d["offset"], d["overlap"], d["differing"], d["already_read"]) == (5, 17, 1, True), d
' "$tmp/out.jsonl"
"$TCPDISSECT" -o jsonl "$cap" > "$tmp/plain.jsonl"
check "without --follow or --extract nothing is reassembled (no overlap_conflict)" \
	sh -c "! grep -q overlap_conflict '$tmp/plain.jsonl'"

cat > "$tmp/want-follow" <<'WANT'

===================================================================
Follow: tcp,ascii
Filter: tcp.stream eq 0
Node 0: 10.0.0.1:40000
Node 1: 10.0.0.2:7000
17 [offset 0, frame 4]
MSG1:wrap-around

5 [offset 17, frame 6]
MSG2

5 [offset 22, frame 6]
MSG3

	3 [offset 0, frame 7]
OK

[5 bytes missing in capture file]
5 [offset 32, frame 10]
MSG5

===================================================================
WANT
"$TCPDISSECT" --follow 0 "$cap" > "$tmp/follow"
check "--follow 0: blocks in reading order, offsets, completing frames, the hole" \
	diff -u "$tmp/want-follow" "$tmp/follow"
"$TCPDISSECT" --follow 0,raw "$cap" > "$tmp/raw"
check "--follow 0,raw: one hex line per block, the server's indented" \
	sh -c "grep -c '^	' '$tmp/raw' | grep -qx 1 && grep -qx '4d5347350a' '$tmp/raw'"
"$TCPDISSECT" --follow 0,hex "$cap" > "$tmp/hex"
check "--follow 0,hex: a hex dump with the ascii column" \
	grep -q '^00000000  4d 53 47 31 3a 77 72 61  70 2d 61 72 6f 75 6e 64  MSG1:wrap-around$' \
	"$tmp/hex"
"$TCPDISSECT" --follow 7 "$cap" > /dev/null 2> "$tmp/err"
check "--follow of a stream that is not there says so" grep -q "no tcp.stream 7" "$tmp/err"

for bad in "--follow x" "--follow 0,ebcdic" "--follow -1" "--stream-memcap 1K" \
    "--stream-memcap lots" "--extract="; do
	# shellcheck disable=SC2086
	"$TCPDISSECT" $bad "$cap" > /dev/null 2> "$tmp/err"
	rc=$?
	check "$bad: usage error, one line" sh -c "test $rc -eq 1 && test \$(wc -l < '$tmp/err') -eq 1"
done
"$TCPDISSECT" --extract /proc/no/such "$cap" > /dev/null 2> "$tmp/err"
rc=$?
check "--extract into a directory that cannot be made: error exit, one line" \
	sh -c "test $rc -ne 0 && test \$(wc -l < '$tmp/err') -eq 1"

# A budget too small to wait for the hole: bytes still all there, the forcing counted.
"$TCPDISSECT" -o jsonl --stream-memcap 64K --extract "$tmp/y" "$cap" > "$tmp/small.jsonl"
check "--stream-memcap 64K: same bytes" cmp "$tmp/x/0-10.0.0.1.40000-10.0.0.2.7000" \
	"$tmp/y/0-10.0.0.1.40000-10.0.0.2.7000"
# A capture with bytes waiting behind holes: a 64K budget forces some holes to be passed over,
# counted in the summary, and yet every byte is written where the default budget writes it.
tls=$top/tests/pcaps/corpus-suricata-verify-tls-tls-subjectaltname-input.pcap
"$TCPDISSECT" -o jsonl --stream-memcap 64K --extract "$tmp/t1" "$tls" > "$tmp/t1.jsonl"
"$TCPDISSECT" -q --extract "$tmp/t2" "$tls" > /dev/null
check "--stream-memcap 64K: the holes no longer waited for are in the summary's warnings" \
	"$py" -c '
import json, sys
s = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{\"type\":\"summary\"")][0]
assert s["warnings"].get("stream_holes_forced", 0) >= 1, s["warnings"]
' "$tmp/t1.jsonl"
check "--stream-memcap 64K: the same bytes as the default budget outside the holes it lists" \
	"$py" -c '
import os, sys
a, b = sys.argv[1:3]
assert sorted(n for n in os.listdir(a) if not n.endswith(".holes")) == \
    sorted(n for n in os.listdir(b) if not n.endswith(".holes"))
forced = 0
for n in os.listdir(a):
    if n.endswith(".holes"):
        continue
    x = bytearray(open(os.path.join(a, n), "rb").read())
    y = bytearray(open(os.path.join(b, n), "rb").read())
    assert len(x) == len(y), n
    if os.path.exists(os.path.join(a, n + ".holes")):
        for line in open(os.path.join(a, n + ".holes")):
            off, ln, why = line.split()[:3]
            off, ln = int(off), int(ln)
            forced += why == "stream_memcap"
            assert x[off:off + ln] == bytes(ln), n
            y[off:off + ln] = bytes(ln)
    assert x == y, n
assert forced >= 1
' "$tmp/t1" "$tmp/t2"

if command -v tcpflow > /dev/null 2>&1; then
	http=$top/tests/pcaps/corpus-zeek-http-get.pcap
	mkdir "$tmp/tf" && tcpflow -r "$http" -o "$tmp/tf" > /dev/null 2>&1
	"$TCPDISSECT" -q --extract "$tmp/z" "$http" > /dev/null
	check "tcpflow: the request direction is the same bytes" \
		cmp "$tmp/tf/141.142.228.005.59856-192.150.187.043.00080" \
		"$tmp/z/0-141.142.228.5.59856-192.150.187.43.80"
	check "tcpflow: the response direction is the same bytes" \
		cmp "$tmp/tf/192.150.187.043.00080-141.142.228.005.59856" \
		"$tmp/z/0-192.150.187.43.80-141.142.228.5.59856"
else
	echo "# tcpflow not found: its comparison skipped"
fi
echo "1..$n"
[ "$fails" -eq 0 ]
