#!/bin/bash
# reader-paths.sh: every reader gives the same run (src/reader.h).
#
# Every capture of the suite goes through the file (mapped: reader_pcap.c
# / reader_pcapng.c), libpcap (TCPDISSECT_READER=libpcap), and one of the
# other ways of reading it, in turn: standard input (a pipe: the stream
# input), libpcap on standard input, and compressed with gzip (a file),
# zstd (a pipe) and lz4 (a file); each of these reads a fifth of the
# suite, and the options below go through every way.  Compressed files keep the capture's own name:
# they are recognised by content, not by name.  stdout, stderr (with "-"
# read as the capture's name) and the exit status must be identical.
# libpcap is left out where it cannot read the capture (pcapng interfaces
# that differ), which reader_pcapng.c reads as Wireshark does.
#
# A byte-swapped copy of each classic capture and damaged variants (cut
# inside a record header and inside a record's data, a capture length
# over the snapshot length and over any maximum, random bytes over record
# headers) go through the file, libpcap and standard input; -c, a BPF
# filter, -w and all captures in one run through the file and libpcap.
# Then: a truncated gzip file is damage reported after what it held;
# bzip2, xz and a non-capture are refused with a message saying what
# they are; pcapng files made by mergecap from captures of different link
# types and snapshot lengths number like tshark (tests/oracle_compare.py).
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${TCPDISSECT:-./tcpdissect}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v python3 > /dev/null || { echo "1..0 # SKIP python3 missing"; exit 0; }
n=0
fail=0
have() { command -v "$1" > /dev/null; }
built() {	# does this build read what the command $1 compresses?
	"$1" -c "$top/tests/pcaps/gen-pcapng.pcapng" > "$tmp/probe" 2> /dev/null &&
	    "$bin" -q "$tmp/probe" > /dev/null 2>&1
}

# run HOW NAME ARGS...: one run, its output in $tmp/HOW.{out,err}.  The
# capture is @IN@ in ARGS; every way reads it under its own NAME, from a
# directory of its own.
run() {
	local how=$1 name=$2 dir a args=() env=() st
	shift 2
	case $how in
	mapped|libpcap) dir=$srcdir_pcap ;;
	*) dir=$tmp/$how ;;
	esac
	[ "$how" = libpcap ] || [ "$how" = libpcap-stdin ] && env=(TCPDISSECT_READER=libpcap)
	for a in "$@"; do
		if [ "$a" = @IN@ ]; then
			case $how in
			stdin|libpcap-stdin|zstd) args+=(-) ;;
			*) args+=("$name") ;;
			esac
		else
			args+=("$a")
		fi
	done
	(
		cd "$dir" || exit 99
		case $how in
		stdin|libpcap-stdin) env "${env[@]}" "$bin" "${args[@]}" < "$name" ;;
		zstd) cat "$name" | "$bin" "${args[@]}" ;;
		*) env "${env[@]}" "$bin" "${args[@]}" ;;
		esac
	) > "$tmp/$how.out" 2> "$tmp/$how.err"
	st=$?
	echo "exit $st" >> "$tmp/$how.err"
	# a message about the content says it was compressed
	sed -i -e "s/ (in $how-compressed data)//" -e "s/ (after $how decompression)//" \
	    "$tmp/$how.err"
	case $how in
	stdin|libpcap-stdin|zstd)
		sed -i -e "s|^tcpdissect: -:|tcpdissect: $name:|" "$tmp/$how.err"
		sed -i -e "s|\"files\":\[\"-\"\]|\"files\":[\"$name\"]|" \
		    -e "s|^tcpdissect \([0-9.]*\): (stdin)\$|tcpdissect \1: $name|" "$tmp/$how.out"
		;;
	esac
}

# same LABEL NAME HOWS ARGS...: run every way in HOWS (space-separated; the
# first is the reference), one TAP line.
same() {
	local label=$1 name=$2 hows=$3 how ref= bad=
	shift 3
	n=$((n + 1))
	for how in $hows; do
		rm -f "$tmp/w.pcap"
		run "$how" "$name" "$@"
		[ -f "$tmp/w.pcap" ] && mv "$tmp/w.pcap" "$tmp/$how.w"
		if { [ "$how" = libpcap ] || [ "$how" = libpcap-stdin ]; } &&
		    grep -q "libpcap cannot read such a pcapng" "$tmp/$how.err"
		then
			continue	# interfaces that differ: Wireshark reads them, libpcap not
		fi
		if [ -z "$ref" ]; then
			ref=$how
			continue
		fi
		if ! cmp -s "$tmp/$ref.out" "$tmp/$how.out" || ! cmp -s "$tmp/$ref.err" "$tmp/$how.err" ||
		    { [ -f "$tmp/$ref.w" ] && ! cmp -s "$tmp/$ref.w" "$tmp/$how.w"; }; then
			bad="$bad $how"
			diff "$tmp/$ref.err" "$tmp/$how.err" | head -5
			diff "$tmp/$ref.out" "$tmp/$how.out" | head -5
		fi
	done
	rm -f "$tmp"/*.w
	if [ -z "$bad" ]; then
		echo "ok $n - $label ($hows)"
	else
		echo "not ok $n - $label: differs from $ref:$bad"
		fail=1
	fi
}

# The variants of a classic pcap, written by python: swapped byte order,
# cuts, bad capture lengths, random damage to record headers.
variants() {
	python3 - "$1" "$2" <<'PY'
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

ways="mapped libpcap stdin libpcap-stdin"
mkdir -p "$tmp/stdin" "$tmp/libpcap-stdin"
for z in gzip zstd lz4; do
	if have "$z" && built "$z"; then
		ways="$ways $z"
		mkdir -p "$tmp/$z"
	else
		echo "# $z: not tested (no $z command, or not built in)"
	fi
done
# compress NAME FROM [WAY]: the copies each way (or WAY only) reads,
# compressed under NAME.
compress() {
	local w=${3:-all}
	ln -sf "$2" "$tmp/stdin/$1"
	ln -sf "$2" "$tmp/libpcap-stdin/$1"
	case $w in all|gzip) [ -d "$tmp/gzip" ] && gzip -c "$2" > "$tmp/gzip/$1" ;; esac
	case $w in all|zstd) [ -d "$tmp/zstd" ] && zstd -qc < "$2" > "$tmp/zstd/$1" ;; esac
	case $w in all|lz4) [ -d "$tmp/lz4" ] && lz4 -qc "$2" > "$tmp/lz4/$1" ;; esac
	return 0
}

srcdir_pcap=$top/tests/pcaps
# Every capture through the mapped reader, libpcap and one other way in
# turn; the damaged variants of every VARIANT_STRIDE-th classic capture
# (they cost three runs each: all of them would take most of make check's
# time).  Under AddressSanitizer (ten times slower) every capture goes
# through the mapped reader and one other way in turn (libpcap among
# them), and the variants of a quarter as many captures.
variant_stride=6
base_ways="mapped libpcap"
turn_ways=${ways#mapped libpcap }
if ldd "$bin" 2>/dev/null | grep -q libasan; then
	variant_stride=24
	base_ways=mapped
	turn_ways="libpcap $turn_ways"
	echo "# AddressSanitizer build: mapped and one of ($turn_ways) in turn;" \
	    "variants of 1 capture in $variant_stride"
fi
read -r -a turns <<< "$turn_ways"
ncapture=0
all=()
nclassic=0
for f in "$top"/tests/pcaps/*.pcap "$top"/tests/pcaps/*.pcapng; do
	[ -f "$f" ] || continue
	name=$(basename "$f")
	args=()
	if [ -f "$f.args" ]; then
		read -r -a args < "$f.args"
	fi
	all+=("$name")
	turn=${turns[$((ncapture % ${#turns[@]}))]}
	compress "$name" "$f" "$turn"
	ncapture=$((ncapture + 1))
	same "$name" "$name" "$base_ways $turn" -o jsonl "${args[@]}" @IN@
	case $name in
	*.pcap)
		magic=$(head -c 4 "$f" | od -An -tx1 | tr -d ' \n')
		case $magic in
		d4c3b2a1|a1b2c3d4|4d3cb2a1|a1b23c4d) ;;
		*) continue ;;
		esac
		nclassic=$((nclassic + 1))
		[ $((nclassic % variant_stride)) = 1 ] || continue
		rm -rf "$tmp/v"
		mkdir -p "$tmp/v"
		variants "$f" "$tmp/v/v"
		for v in "$tmp"/v/v-*.pcap; do
			vn=${v#"$tmp"/v/v-}
			ln -sf "$v" "$tmp/stdin/${v##*/}"
			srcdir_pcap=$tmp/v same "$name ${vn%.pcap}" "${v#"$tmp"/v/}" \
			    "mapped libpcap stdin" -o jsonl "${args[@]}" @IN@
		done
		;;
	esac
done
# Options that change how far and what is read, on a mixed capture.
f=corpus-zeek-wikipedia.pcap
compress "$f" "$top/tests/pcaps/$f"
same "-c 7" "$f" "$ways" -o jsonl -c 7 @IN@
same "filter" "$f" "$ways" -o jsonl @IN@ tcp port 80
same "-w" "$f" "mapped libpcap" -o json -w "$tmp/w.pcap" @IN@
same "-w, filter, -c" "$f" "mapped libpcap" -o jsonl -c 40 -w "$tmp/w.pcap" @IN@ tcp
# (not through a pipe: text output from a pipe streams, unordered by design)
same "text" "$f" "${ways/ zstd/}" -o text @IN@
same "all captures, one run, -c across them" "" "mapped libpcap" -o jsonl -c 5000 "${all[@]}"
same "all captures, one run" "" "mapped libpcap" -q -o json "${all[@]}"

# A cut compressed file: the damage is reported after what it held.
if [ -d "$tmp/gzip" ]; then
	n=$((n + 1))
	gzip -c "$top/tests/pcaps/$f" > "$tmp/whole.gz"
	head -c $(( $(wc -c < "$tmp/whole.gz") * 2 / 3 )) "$tmp/whole.gz" > "$tmp/cut.gz"
	"$bin" -q "$tmp/cut.gz" > "$tmp/o" 2> "$tmp/e"
	st=$?
	if [ $st = 0 ] && grep -q "damaged after frame [1-9].*gzip data ends early" "$tmp/e" &&
	    grep -q "^summary: [1-9]" "$tmp/o"; then
		echo "ok $n - a cut gzip file: damage reported after its frames"
	else
		echo "not ok $n - a cut gzip file (exit $st): $(head -c 300 "$tmp/e")"
		fail=1
	fi
fi
# Formats that are not read say what they are and what to do, in one line.
for z in bzip2 xz; do
	have "$z" || continue
	n=$((n + 1))
	"$z" -c "$top/tests/pcaps/$f" > "$tmp/c.$z"
	"$bin" -q "$tmp/c.$z" > "$tmp/o" 2> "$tmp/e"
	st=$?
	if [ $st = 2 ] && [ "$(wc -l < "$tmp/e")" = 1 ] && grep -q "$z-compressed.*$z -dc" "$tmp/e"
	then
		echo "ok $n - a $z file is named and refused"
	else
		echo "not ok $n - a $z file (exit $st): $(cat "$tmp/e")"
		fail=1
	fi
done
if [ -d "$tmp/gzip" ]; then
	n=$((n + 1))
	printf 'hello, not a capture\n' | gzip -c > "$tmp/text.gz"
	"$bin" -q "$tmp/text.gz" > "$tmp/o" 2> "$tmp/e"
	st=$?
	if [ $st = 2 ] && [ "$(wc -l < "$tmp/e")" = 1 ] &&
	    grep -q "not a pcap or pcapng capture (in gzip-compressed data)" "$tmp/e"; then
		echo "ok $n - gzip-compressed text is named and refused"
	else
		echo "not ok $n - gzip-compressed text (exit $st): $(cat "$tmp/e")"
		fail=1
	fi
fi

# pcapng files whose interfaces differ, made by mergecap and editcap, are
# numbered as tshark numbers them.
if have mergecap && have editcap && have "${TSHARK:-tshark}"; then
	p=$top/tests/pcaps
	mergecap -F pcapng -w "$tmp/m-linktypes.pcapng" "$p/gen-raw-ipv4.pcap" \
	    "$p/corpus-zeek-wikipedia.pcap" "$p/gen-sll2.pcap" 2> /dev/null
	editcap -F pcapng -s 80 "$p/corpus-zeek-wikipedia.pcap" "$tmp/short.pcapng" 2> /dev/null
	mergecap -F pcapng -w "$tmp/m-snaplens.pcapng" "$tmp/short.pcapng" \
	    "$p/gen-reuse.pcap" 2> /dev/null
	for m in "$tmp"/m-*.pcapng; do
		n=$((n + 1))
		if [ ! -s "$m" ]; then
			echo "ok $n - $(basename "$m") # SKIP mergecap made nothing"
		elif out=$(TCPDISSECT=$bin python3 "$top/tests/oracle_compare.py" "$m" 2>&1) &&
		    echo "$out" | grep -q "0 mismatches" && ! echo "$out" | grep -q "^skip"; then
			echo "ok $n - $(basename "$m"): $(echo "$out" | tail -n 1)"
		else
			echo "not ok $n - $(basename "$m"): $(echo "$out" | tail -n 3)"
			fail=1
		fi
	done
fi
echo "1..$n"
exit $fail
