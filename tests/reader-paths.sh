#!/bin/bash
# reader-paths.sh: the mapped record reader (src/pcapmap.c) and libpcap's
# give the same run.  Every capture of the suite, a byte-swapped copy of
# each classic one, damaged variants (cut inside a record header and inside
# a record's data, a capture length over the snapshot length and over any
# maximum, random bytes over record headers), -c, a BPF filter, -w and all
# captures in one run go through tcpdissect twice, once with
# TCPDISSECT_READER=libpcap; stdout, stderr, the exit status and the -w file
# must be identical.
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${TCPDISSECT:-./tcpdissect}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v python3 > /dev/null || { echo "1..0 # SKIP python3 missing"; exit 0; }
n=0
fail=0

# same NAME ARGS...: run tcpdissect both ways, one TAP line.
same() {
	local name=$1 a b
	shift
	n=$((n + 1))
	for how in mapped libpcap; do
		rm -f "$tmp/w.pcap"
		if [ $how = libpcap ]; then
			TCPDISSECT_READER=libpcap "$bin" "$@" > "$tmp/$how.out" 2> "$tmp/$how.err"
		else
			"$bin" "$@" > "$tmp/$how.out" 2> "$tmp/$how.err"
		fi
		echo "exit $?" >> "$tmp/$how.err"
		[ -f "$tmp/w.pcap" ] && mv "$tmp/w.pcap" "$tmp/$how.w"
	done
	a=$(cat "$tmp/mapped.out" "$tmp/mapped.err" | md5sum)
	b=$(cat "$tmp/libpcap.out" "$tmp/libpcap.err" | md5sum)
	if [ "$a" = "$b" ] && { [ ! -f "$tmp/mapped.w" ] || cmp -s "$tmp/mapped.w" "$tmp/libpcap.w"; }
	then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name: the two readers differ"
		diff "$tmp/mapped.err" "$tmp/libpcap.err" | head -5
		diff "$tmp/mapped.out" "$tmp/libpcap.out" | head -5
		fail=1
	fi
	rm -f "$tmp/mapped.w" "$tmp/libpcap.w"
}

# The variants of a classic pcap, written by python: swapped byte order,
# cuts, bad capture lengths, random damage to record headers.
variants() {
	python3 - "$1" "$tmp/v" <<'PY'
import random, struct, sys
src, out = sys.argv[1], sys.argv[2]
b = bytes(open(src, "rb").read())
le = b[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1")
e = "<" if le else ">"
snap = struct.unpack(e + "I", b[16:20])[0]
recs, off = [], 24			# record header offsets
while off + 16 <= len(b):
    recs.append(off)
    off += 16 + struct.unpack(e + "I", b[off + 8:off + 12])[0]
def put(name, data):
    open(out + "-" + name + ".pcap", "wb").write(data)
# the other byte order: file header and every record header
s = e.replace("<", ">") if e == "<" else "<"
x = bytearray(b)
x[0:4] = b[0:4][::-1]
x[4:8] = struct.pack(s + "HH", *struct.unpack(e + "HH", b[4:8]))
x[8:24] = struct.pack(s + "iIII", *struct.unpack(e + "iIII", b[8:24]))
for o in recs:
    if o + 16 <= len(b):
        x[o:o + 16] = struct.pack(s + "IIII", *struct.unpack(e + "IIII", b[o:o + 16]))
put("swapped", x)
if recs:
    last = recs[-1]
    put("cut-hdr", b[:last + 7])	# inside the last record header
    put("cut-data", b[:len(b) - 1])	# inside the last record's data
    mid = recs[len(recs) // 2]
    for name, cl in (("over-snap", snap + 1), ("over-max", 0x7fffffff),
                     ("huge-snap", 262145)):
        y = bytearray(b)
        y[mid + 8:mid + 12] = struct.pack(e + "I", cl)
        put(name, y)
    r = random.Random(len(b))
    y = bytearray(b)
    for _ in range(8):
        o = recs[r.randrange(len(recs))] + r.randrange(16)
        if o < len(y):
            y[o] = r.randrange(256)
    put("scribbled", y)
PY
}

all=()
for f in "$top"/tests/pcaps/*.pcap "$top"/tests/pcaps/*.pcapng; do
	[ -f "$f" ] || continue
	name=$(basename "$f")
	args=()
	if [ -f "$f.args" ]; then
		read -r -a args < "$f.args"
	fi
	all+=("$f")
	same "$name" -o jsonl "${args[@]}" "$f"
	case $name in
	*.pcap)
		magic=$(head -c 4 "$f" | od -An -tx1 | tr -d ' \n')
		case $magic in
		d4c3b2a1|a1b2c3d4|4d3cb2a1|a1b23c4d) ;;
		*) continue ;;
		esac
		rm -f "$tmp"/v-*.pcap
		variants "$f"
		for v in "$tmp"/v-*.pcap; do
			vn=${v#"$tmp"/v-}
			same "$name ${vn%.pcap}" -o jsonl "${args[@]}" "$v"
		done
		;;
	esac
done
# Options that change how far and what is read, on a mixed capture.
f=$top/tests/pcaps/corpus-zeek-wikipedia.pcap
same "-c 7" -o jsonl -c 7 "$f"
same "filter" -o jsonl "$f" tcp port 80
same "-w" -o json -w "$tmp/w.pcap" "$f"
same "-w, filter, -c" -o jsonl -c 40 -w "$tmp/w.pcap" "$f" tcp
same "text" -o text "$f"
same "all captures, one run, -c across them" -o jsonl -c 5000 "${all[@]}"
same "all captures, one run" -q -o json "${all[@]}"
echo "1..$n"
exit $fail
