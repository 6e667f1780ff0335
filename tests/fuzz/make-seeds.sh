#!/bin/sh
# make-seeds.sh: seed corpora for the fuzz targets from the suite's
# captures (tests/pcaps), one directory per target under OUT (default
# /tmp/fuzz-seeds): source/ (each capture as it is), pipeline/ (each
# capture behind four option bytes, several choices of them per capture)
# and options/ (argument lists, NUL-separated, from the .args files and a
# few written here).  fuzz_decode's seeds: README.md.  Captures over
# 1 MiB are left out (libFuzzer's inputs stay small: -max_len).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-/tmp/fuzz-seeds}
mkdir -p "$out/source" "$out/pipeline" "$out/options"

# Option bytes: text; jsonl -v; json -w --at +N -c N; -q json --memcap 64K
# with a filter; libpcap reader, idle 0.001, stdin, flood hair trigger.
bytes() {	# hex digits -> those bytes (POSIX printf has octal escapes only)
	h=$1
	while [ -n "$h" ]; do
		printf "\\$(printf %o "0x${h%"${h#??}"}")"
		h=${h#??}
	done
}
sels='00000000 05400007 a2c1003c 1a0c0c00 815d38ff 01100513'
for f in "$top"/tests/pcaps/*.pcap "$top"/tests/pcaps/*.pcapng; do
	[ -f "$f" ] || continue
	size=$(wc -c < "$f")
	[ "$size" -le 1048576 ] || continue
	base=$(basename "$f")
	cp "$f" "$out/source/$base"
	for s in $sels; do
		{ bytes "$s"; cat "$f"; } > "$out/pipeline/$s-$base"
	done
done

n=0
for a in "$top"/tests/pcaps/*.args; do
	[ -f "$a" ] || continue
	n=$((n + 1))
	# One argument per word, each ended by a NUL, then an input name.
	{ tr -s ' \n' '\0\0' < "$a"; printf 'x.pcap\0'; } > "$out/options/args-$n"
done
while IFS= read -r line; do
	n=$((n + 1))
	printf '%s' "$line" | tr ' ' '\0' > "$out/options/args-$n"
done <<'LIST'
-o json -q --memcap 256M x.pcap
-o jsonl -v --at +1.5 --fail-on warning,syn_flood a.pcap b.pcapng tcp port 80
-r x.pcap -r y.pcap -w out.pcap -c 10 not port 22
--msl=30 --idle-timeout=0.5 --close-wait-timeout 0 --syn-flood-window 0.001 x.pcap
--syn-flood-syns 4294967295 --syn-flood-ratio 1000000 --strict -n x.pcap
-i lo --interval 0.1 --duration 5 --buffer-size 16M --no-promisc -Z nobody tcp
-D
--at 1700000000.123456789 --fail-on any,info,notice,alert x.pcap
-h
-V
LIST
echo "$out: $(ls "$out/source" | wc -l) source, $(ls "$out/pipeline" | wc -l) pipeline," \
    "$(ls "$out/options" | wc -l) options seeds"
