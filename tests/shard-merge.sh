#!/bin/bash
# shard-merge.sh (issue 16): every capture of tests/pcaps analysed as 1, 2, 3
# and 7 shards (--shard K/N) and merged (tcpdissect merge) must give the
# single run's JSON Lines byte for byte: records, their order, the summary.
# Captures in tests/shard-merge.known differ for a documented reason: for
# them every TCP packet must still be analysed once (tcp_packets).  Then the GNU parallel
# recipe of doc/tcpdissect.1, on this machine, if parallel is installed.
# Under the sanitizer build (libasan linked) only the 2- and 7-shard runs.
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${TCPDISSECT:-./tcpdissect}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")	# the recipe runs elsewhere
P=$top/tests/pcaps
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$top/tests/tap-lib.sh"
export TZ=UTC LC_ALL=C

counts="1 2 3 7"
asan=false
if ldd "$bin" 2>/dev/null | grep -q libasan; then
	counts="2 7"
	asan=true
	echo "# sanitizer build: the listed captures only, as 2 and 7 shards"
fi

known() {	# name: is it listed in shard-merge.known?
	grep -q "^$1 " "$top/tests/shard-merge.known"
}

# sharded LABEL N ARGS...: N shard logs of the run with ARGS, merged into
# $tmp/LABEL.N (the merge's exit status)
sharded() {
	local label=$1 n=$2 k logs=()
	shift 2
	for ((k = 0; k < n; k++)); do
		"$bin" -o jsonl --shard "$k/$n" "$@" > "$tmp/$label.s$k" 2> /dev/null
		logs+=("$tmp/$label.s$k")
	done
	"$bin" merge "${logs[@]}" > "$tmp/$label.$n" 2> "$tmp/$label.err"
}

first_diff() {	# a b: the first differing line of each, cut
	diff "$1" "$2" | head -n 4 | cut -c 1-300 | sed 's/^/# /'
}

# Each capture alone (several inputs in one run share per-run detector
# memories, such as the network-duplicate table, whose sharded contents
# differ: doc/architecture.md).  Every capture as 2 shards; 1, 3 and 7 too on
# the captures with the most cross-connection state (listeners, reuse,
# expiry), to keep the run short (one process per capture and shard).
full=" real-syn-flood-cookies.pcap real-accept-overflow-rst.pcap real-time-wait-reuse.pcap
 real-syn-retries.pcap gen-reuse.pcap gen-tw-reuse-wrap.pcap gen-idle.pcap gen-evict.pcap
 corpus-tcpdump-kday4.pcap corpus-zeek-rotation.pcap gen-syn-flood-drops.pcap
 corpus-suricata-verify-tls-tls-subjectaltname-input.pcap gen-pcapng-sections.pcapng "
same=0
for pcap in "$P"/*.pcap "$P"/*.pcapng; do
	name=$(basename "$pcap")
	args=()
	[ -f "$pcap.args" ] && read -r -a args < "$pcap.args"
	"$bin" -o jsonl "${args[@]}" "$pcap" > "$tmp/one.single" 2> /dev/null
	these=2
	case $full in
	*" $name "*) these=$counts ;;
	*) $asan && continue ;;
	esac
	for ns in $these; do
		sharded one "$ns" "${args[@]}" "$pcap"
		if known "$name"; then
			# what stays exact: every packet analysed once, by one shard
			grep -o '"tcp_packets":[0-9]*' "$tmp/one.single" > "$tmp/one.cs"
			grep -o '"tcp_packets":[0-9]*' "$tmp/one.$ns" > "$tmp/one.cm"
			check "$name as $ns shards: the same tcp_packets (known: $(grep "^$name " \
			    "$top/tests/shard-merge.known" | cut -d' ' -f2- | cut -d: -f1))" \
			    cmp -s "$tmp/one.cs" "$tmp/one.cm"
		elif cmp -s "$tmp/one.single" "$tmp/one.$ns"; then
			same=$((same + 1))
		else
			check "$name ${args[*]} as $ns shards: merged = single run" false
			first_diff "$tmp/one.single" "$tmp/one.$ns"
		fi
	done
done
# (under the sanitizer build only the listed captures run: 16 runs, a few
# of them known to differ)
enough=20
$asan && enough=10
check "$same capture runs merged = single run, byte for byte" test "$same" -gt "$enough"

# The merge refuses what is not a full set of one run's shards.
cap=$P/gen-reuse.pcap
"$bin" -o jsonl --shard 0/2 "$cap" > "$tmp/r0" 2> /dev/null
"$bin" -o jsonl --shard 1/2 "$cap" > "$tmp/r1" 2> /dev/null
"$bin" merge "$tmp/r0" > /dev/null 2> "$tmp/err"
check "merge of 1 log of 2 shards: exit 2" test $? = 2
check "... with a one-line error" test "$(wc -l < "$tmp/err")" = 1
"$bin" merge "$tmp/r0" "$tmp/r0" > /dev/null 2> /dev/null
check "merge of shard 0/2 twice: exit 2" test $? = 2
head -c 200 "$tmp/r1" > "$tmp/cut"
"$bin" merge "$tmp/r0" "$tmp/cut" > /dev/null 2> /dev/null
check "merge of a cut log: exit 2" test $? = 2
"$bin" merge "$cap" "$tmp/r1" > /dev/null 2> /dev/null
check "merge of a capture instead of a log: exit 2" test $? = 2
"$bin" merge "$tmp/r1" "$tmp/r0" > "$tmp/swapped" 2> /dev/null
"$bin" -o jsonl "$cap" > "$tmp/single" 2> /dev/null
check "logs in any order merge the same" cmp -s "$tmp/single" "$tmp/swapped"
# the merge reads a log more than once: a pipe, or standard input, is kept
"$bin" merge "$tmp/r0" - < <(cat "$tmp/r1") > "$tmp/piped" 2> /dev/null
check "a log from a pipe on standard input merges the same" cmp -s "$tmp/single" "$tmp/piped"
"$bin" merge <(cat "$tmp/r0") "$tmp/r1" > "$tmp/piped" 2> /dev/null
check "a log from a named pipe merges the same" cmp -s "$tmp/single" "$tmp/piped"
for bad in 2/2 1/0 x/3 1 -1/2 1/2x; do
	"$bin" -o jsonl --shard "$bad" "$cap" > /dev/null 2> "$tmp/err"
	check "--shard $bad: usage error (exit 1)" test $? = 1
done
"$bin" -o text --shard 0/2 "$cap" > /dev/null 2> /dev/null
check "--shard with -o text: usage error" test $? = 1
"$bin" -q -o jsonl --shard 0/2 "$cap" > /dev/null 2> /dev/null
check "--shard with -q: usage error" test $? = 1
"$bin" merge > /dev/null 2> /dev/null
check "merge without logs: usage error" test $? = 1

# The GNU parallel recipe (doc/tcpdissect.1 EXAMPLES), on this machine.
if command -v parallel > /dev/null 2>&1; then
	(cd "$tmp" && parallel --will-cite -j 2 "$bin" -o jsonl --shard {}/3 "$P/real-stream-dup.pcap" \
	    '>' par-{}.jsonl ::: 0 1 2 && "$bin" merge par-0.jsonl par-1.jsonl par-2.jsonl \
	    > par.merged)
	"$bin" -o jsonl "$P/real-stream-dup.pcap" > "$tmp/par.single" 2> /dev/null
	check "GNU parallel recipe: 3 shards merged = single run" cmp -s "$tmp/par.single" \
	    "$tmp/par.merged"
else
	echo "# parallel not installed (contrib/install-deps.sh): recipe not tried"
fi

echo "1..$n"
[ "$fails" = 0 ]
