#!/bin/bash
# nflog-swapped.sh: NFLOG records in a pcapng section of the other byte
# order.  Their TLV length and type fields are in the capturing host's
# order, and libpcap swaps them when it loads such a record; the pcapng
# reader (src/reader_pcapng.c) must do the same.  gen-nflog.pcap is
# rewritten as a little-endian and as a big-endian pcapng (no options);
# both, through the pcapng reader and through libpcap, must give the run
# of the classic file.
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${TCPDISSECT:-./tcpdissect}
P=$top/tests/pcaps
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$top/tests/tap-lib.sh"
need_python

"$py" - "$P/gen-nflog.pcap" "$tmp/le.pcapng" "$tmp/be.pcapng" <<'PY'
import struct, sys
raw = open(sys.argv[1], "rb").read()
magic, = struct.unpack("<I", raw[:4])
assert magic == 0xa1b2c3d4, "gen-nflog.pcap: expected a little-endian us pcap"
linktype, = struct.unpack("<I", raw[20:24])
recs, off = [], 24
while off + 16 <= len(raw):
    sec, usec, cap, wire = struct.unpack("<IIII", raw[off:off + 16])
    recs.append((sec * 10**6 + usec, wire, raw[off + 16:off + 16 + cap]))
    off += 16 + cap

def swap_tlvs(d):
    """libpcap's swap_nflog_header, the other way: host order -> other."""
    d = bytearray(d)
    if len(d) < 4 or d[1] != 0:
        return bytes(d)
    p = 4
    while len(d) - p >= 4:
        size, typ = struct.unpack("<HH", d[p:p + 4])
        d[p:p + 4] = struct.pack(">HH", size, typ)
        if size % 4:
            size += 4 - size % 4
        if size < 4 or len(d) - p < size:
            break
        p += size
    return bytes(d)

for path, e in ((sys.argv[2], "<"), (sys.argv[3], ">")):
    out = [struct.pack(e + "IIIHHqI", 0x0a0d0d0a, 28, 0x1a2b3c4d, 1, 0, -1, 28),
           struct.pack(e + "IIHHII", 1, 20, linktype, 0, 262144, 20)]
    for t, wire, d in recs:
        if e == ">":
            d = swap_tlvs(d)
        pad = (-len(d)) & 3
        total = 32 + len(d) + pad
        out.append(struct.pack(e + "IIIIIII", 6, total, 0, t >> 32, t & 0xffffffff, len(d), wire)
                   + d + b"\0" * pad + struct.pack(e + "I", total))
    open(path, "wb").write(b"".join(out))
PY

# the summary names its file: left out of the comparison
run() { "$@" 2>&1 | sed 's/"files":\[[^]]*\],//'; }
run "$bin" -o jsonl "$P/gen-nflog.pcap" > "$tmp/classic"
check "the classic capture has TCP connections" grep -q '"type":"connection"' "$tmp/classic"
for f in le be; do
	run "$bin" -o jsonl "$tmp/$f.pcapng" > "$tmp/$f"
	check "$f pcapng, pcapng reader: the classic file's run" cmp -s "$tmp/classic" "$tmp/$f"
	run env TCPDISSECT_READER=libpcap "$bin" -o jsonl "$tmp/$f.pcapng" > "$tmp/$f-libpcap"
	check "$f pcapng, libpcap: the classic file's run" cmp -s "$tmp/classic" "$tmp/$f-libpcap"
done

echo "1..$n"
[ "$fails" = 0 ]
