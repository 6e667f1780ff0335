#!/bin/bash
# threads.sh (issue 16): --threads N runs --shard's N shards in one process
# (a reader thread, N shard threads, the merge at the end) and must write
# --threads 1's JSON Lines, JSON and text byte for byte.  A sample of the suite's captures
# (tests/shard-merge.sh runs all of them as shards): listener events,
# 4-tuple reuse, expiry, pcapng sections, a filter, several inputs in one
# run, and a one-connection capture, where all but one shard get no
# connection.  Captures listed in tests/shard-merge.known differ as shards
# do (listener-level events decided per shard): every TCP packet is still
# analysed once.  Then the options --threads refuses.
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top/tests/tap-lib.sh"
tap_setup
export TZ=UTC LC_ALL=C

known() {	# name: is it listed in shard-merge.known?
	grep -q "^$1 " "$top/tests/shard-merge.known"
}

# same LABEL ARGS...: --threads 2 and 3 write what --threads 1 writes, as
# JSON Lines, and (--threads 2) as the JSON document and as text
same() {
	local label=$1 t f
	shift
	for f in jsonl json text; do
		"$bin" -o $f --threads 1 "$@" > "$tmp/one" 2> "$tmp/one.err"
		for t in 2 3; do
			[ $f != jsonl ] && [ $t = 3 ] && continue
			"$bin" -o $f --threads "$t" "$@" > "$tmp/many" 2> "$tmp/many.err"
			check "$label, -o $f --threads $t: exit 0" test $? = 0
			check "$label, -o $f --threads $t: the same records, order and summary" \
			    cmp -s "$tmp/one" "$tmp/many"
			cmp -s "$tmp/one" "$tmp/many" || diff "$tmp/one" "$tmp/many" | head -n 4 |
			    cut -c 1-300 | sed 's/^/# /'
			check "$label, -o $f --threads $t: the same messages" \
			    cmp -s "$tmp/one.err" "$tmp/many.err"
		done
	done
}

for name in gen-reuse.pcap real-time-wait-reuse.pcap gen-tw-reuse-wrap.pcap \
    real-syn-retries.pcap gen-idle.pcap corpus-tcpdump-kday4.pcap corpus-zeek-rotation.pcap \
    gen-accept-overflow-rst.pcap gen-accept-overflow-drop-fin.pcap \
    gen-pcapng-sections.pcapng corpus-gopacket-pcap-test_loopback.pcap; do
	args=()
	[ -f "$P/$name.args" ] && read -r -a args < "$P/$name.args"
	same "$name" "${args[@]}" "$P/$name"
done
# the one connection is one shard's: the others end with empty logs
"$bin" -o jsonl "$P/corpus-gopacket-pcap-test_loopback.pcap" | grep -q '"connections":1,'
check "corpus-gopacket-pcap-test_loopback.pcap has one connection" test $? = 0

same "several inputs in one run" "$P/gen-reuse.pcap" "$P/real-syn-retries.pcap"
same "a BPF filter" "$P/corpus-tcpdump-kday4.pcap" tcp port 80
same "-q" -q "$P/real-time-wait-reuse.pcap"
same "-q, several inputs (text: a line each)" -q "$P/gen-reuse.pcap" "$P/gen-idle.pcap"
same "-ttttt (text: times since the first packet)" -ttttt "$P/real-syn-retries.pcap"
same "-c 50" -c 50 "$P/corpus-tcpdump-kday4.pcap"
same "bad timestamps" "$P/corpus-tcpdump-timestamp_invalid_micro.pcap"
same "a damaged capture" "$P/gen-truncated-file.pcap"

for name in real-syn-flood-cookies.pcap gen-syn-flood-drops.pcap; do
	known "$name"
	check "$name is listed in shard-merge.known" test $? = 0
	"$bin" -o jsonl "$P/$name" | grep -o '"tcp_packets":[0-9]*' > "$tmp/one"
	"$bin" -o jsonl --threads 2 "$P/$name" | grep -o '"tcp_packets":[0-9]*' > "$tmp/many"
	check "$name (known to differ), --threads 2: the same tcp_packets" \
	    cmp -s "$tmp/one" "$tmp/many"
done

cap=$P/gen-reuse.pcap
for bad in 0 65 -1 x 2x ''; do
	"$bin" -o jsonl --threads "$bad" "$cap" > /dev/null 2> "$tmp/err"
	check "--threads '$bad': usage error (exit 1)" test $? = 1
	check "... with a one-line error" test "$(wc -l < "$tmp/err")" = 1
done
# (--framing and --hol-threshold: their results are not in a shard log;
# dropped silently before they were refused)
for refused in "-o text -v" "--fail-on warning" "-w $tmp/w.pcap" "--shard 0/2" \
    "--framing line" "--hol-threshold 0.1"; do
	# shellcheck disable=SC2086
	"$bin" -o jsonl --threads 2 $refused "$cap" > /dev/null 2> "$tmp/err"
	check "--threads 2 $refused: usage error (exit 1)" test $? = 1
	check "... with a one-line error" test "$(wc -l < "$tmp/err")" = 1
done
"$bin" -o jsonl --shard 0/2 --framing auto "$cap" > /dev/null 2> "$tmp/err"
check "--shard 0/2 --framing auto: usage error (exit 1)" test $? = 1
"$bin" -o jsonl --threads 2 -i lo > /dev/null 2> "$tmp/err"
check "--threads 2 -i: usage error (exit 1)" test $? = 1
TMPDIR=$tmp/none "$bin" -o jsonl --threads 2 "$cap" > /dev/null 2> "$tmp/err"
check "--threads 2 without a temporary directory: exit 2" test $? = 2
check "... with a one-line error" test "$(wc -l < "$tmp/err")" = 1
"$bin" -o jsonl --threads 1 - < "$cap" > "$tmp/one"
"$bin" -o jsonl --threads 2 - < "$cap" > "$tmp/many"
check "standard input, --threads 2: the same" cmp -s "$tmp/one" "$tmp/many"
"$bin" -o jsonl --threads 2 "$P/no-such-file.pcap" > /dev/null 2> "$tmp/err"
check "--threads 2 on a missing file: exit 2" test $? = 2
check "... with a one-line error" test "$(wc -l < "$tmp/err")" = 1
tap_done
