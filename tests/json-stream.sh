#!/bin/bash
# json-stream.sh: -o json writes its one document in constant memory.  A
# capture of 20,000 SYNs, each from a new source (20,000 connection records
# and their events), is analysed with -o json under --memcap 4M: peak RSS
# must stay near what the table may use (before the document was streamed,
# every record was kept as a json-c tree to the end: about 18 KB a SYN, some
# 360 MB here), and the output must be one valid JSON document with every
# record in it.
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${TCPDISSECT:-./tcpdissect}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$top/tests/tap-lib.sh"
need_python

# Raw IPv4 (LINKTYPE_RAW): 20,000 SYNs from 10.0.x.y:1024+ to 192.0.2.1:80,
# 50 us apart.  Checksums are not verified by tcpdissect, so they stay 0.
"$py" - "$tmp/syns.pcap" <<'PY'
import struct, sys
with open(sys.argv[1], "wb") as out:
    out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))
    for i in range(20000):
        t = 1700000000 * 10**6 + 50 * i
        tcp = struct.pack("!HHIIBBHHH", 1024 + i % 50000, 80, i * 7919, 0, 0x50, 0x02,
                          64240, 0, 0)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 1, 0, 64, 6, 0,
                         bytes([10, 0, i >> 8 & 255, i & 255]), bytes([192, 0, 2, 1]))
        out.write(struct.pack("<IIII", t // 10**6, t % 10**6, 40, 40) + ip + tcp)
PY

/usr/bin/time -f %M -o "$tmp/rss" "$bin" -o json --memcap 4M "$tmp/syns.pcap" \
    > "$tmp/out.json" 2> "$tmp/err"
check "the capture is analysed (exit 0)" [ $? = 0 ]
check "the output is one JSON document with 20000 connections and the summary" \
    "$py" -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert list(d) == ["connections", "events", "summary"], list(d)
assert len(d["connections"]) == 20000, len(d["connections"])
assert d["summary"]["connections"] == 20000
assert all(e["type"] == "event" for e in d["events"])' "$tmp/out.json"
rss=$(tail -n 1 "$tmp/rss")
if ldd "$bin" 2>/dev/null | grep -q libasan; then
	n=$((n + 1))
	echo "ok $n # SKIP peak RSS: AddressSanitizer's shadow memory is not ours"
else
	check "peak RSS does not grow with the records (${rss} KiB < 32 MiB)" [ "$rss" -lt 32768 ]
fi
echo "1..$n"
[ "$fails" = 0 ]
