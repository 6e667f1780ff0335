#!/usr/bin/env bash
# bench.sh: tcpdissect's benchmark, run by `make bench` as
#   tests/bench/bench.sh BUILDDIR SRCDIR
# It times a bare libpcap read loop (the speed reference), tcpdissect and,
# once, tshark's TCP analysis on a generated 1M-packet capture, measures
# tcpdissect's memory, and prints a table with PASS/MISS against the
# targets.  A benchmark reports: missing a target still exits 0; only a
# real error (a tool missing or failing) exits non-zero.
#
# Environment:
#   BENCH_PCAP=FILE        use FILE instead of generating the capture
#   BENCH_SKIP_TSHARK=1    do not run tshark (it takes ~20-60 s)
#   BENCH_SKIP_READERS=1   do not time the pcapng, pipe, gzip and zstd readers
#
# SRCDIR is taken for symmetry with the other make rules; nothing is read
# from it.
set -euo pipefail
export LC_ALL=C		# bash's `time` would print a decimal comma otherwise

RATIO_TARGET=0.50	# tcpdissect packet rate / readloop packet rate
SPEEDUP_TARGET=30	# tshark wall time / tcpdissect wall time
RUNS=3			# best of RUNS for readloop and tcpdissect
BYTES_TARGET=256	# RSS growth per tracked connection

die() {
	echo "bench: $*" >&2
	exit 1
}

[ $# -eq 2 ] || die "usage: bench.sh BUILDDIR SRCDIR"
[ -d "$1" ] || die "$1: no such build directory"
[ -d "$2" ] || die "$2: no such source directory"
BUILDDIR=$(cd "$1" && pwd)

missing=
for b in tcpdissect gen_bench readloop; do
	[ -x "$BUILDDIR/$b" ] || missing="$missing $b"
done
[ -z "$missing" ] || die "not built in $BUILDDIR:$missing (run make first)"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/tcpdissect-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# Wall times come from bash's own timer (ms resolution).  Peak RSS comes
# from GNU time when it is there (Debian's `time` package may not be);
# otherwise from polling VmHWM in /proc.  (getrusage() of a child is no
# substitute: its ru_maxrss keeps the pre-exec high-water mark of the
# process that forked it.)
if [ -x /usr/bin/time ] && /usr/bin/time -f '%M' -o "$TMP/probe" true 2>/dev/null; then
	RSS_TOOL=gnu-time
elif [ -r /proc/self/status ]; then
	RSS_TOOL=proc
else
	RSS_TOOL=none
fi

fail() {
	die "$(basename "$1") failed: $(tail -n 1 "$TMP/err" 2>/dev/null)"
}

# best_of N OUT CMD...: runs CMD N times with stdout to OUT; BEST = the
# least wall time in seconds.
best_of() {
	local n=$1 out=$2 i wall TIMEFORMAT=%3R
	shift 2
	BEST=''
	for ((i = 0; i < n; i++)); do
		{ time "$@" > "$out" 2> "$TMP/err"; } 2> "$TMP/wall" || fail "$@"
		wall=$(tail -n 1 "$TMP/wall")
		if [ -z "$BEST" ] || awk -v a="$wall" -v b="$BEST" 'BEGIN { exit !(a < b) }'; then
			BEST=$wall
		fi
	done
}

# peak_rss OUT CMD...: runs CMD once with stdout to OUT; RSS = its peak
# resident set in KB, or n/a.
peak_rss() {
	local out=$1 pid name key val state hwm=0 st=0
	shift
	case $RSS_TOOL in
	gnu-time)
		/usr/bin/time -f '%M' -o "$TMP/rss" "$@" > "$out" 2> "$TMP/err" || fail "$@"
		RSS=$(tail -n 1 "$TMP/rss")
		;;
	proc)
		# Builtins only, no sleep: the run on an empty capture lasts
		# a few milliseconds.  Until the child has exec'd CMD its
		# Name is the shell's, and so would its VmHWM be.
		name=$(basename "$1")
		name=${name:0:15}
		"$@" > "$out" 2> "$TMP/err" &
		pid=$!
		while [ -e "/proc/$pid" ]; do
			state=R
			{
				while read -r key val _; do
					case $key in
					Name:)	[ "$val" = "$name" ] || break ;;
					State:)	state=$val ;;
					VmHWM:)	[ "$val" -le "$hwm" ] || hwm=$val ;;
					esac
				done < "/proc/$pid/status"
			} 2>/dev/null || :
			[ "$state" != Z ] || break
		done
		wait "$pid" || st=$?
		[ "$st" -eq 0 ] || fail "$@"
		RSS=$hwm
		[ "$RSS" -gt 0 ] || RSS=n/a
		;;
	*)
		"$@" > "$out" 2> "$TMP/err" || fail "$@"
		RSS=n/a
		;;
	esac
}

# The capture.
if [ -n "${BENCH_PCAP:-}" ]; then
	[ -r "$BENCH_PCAP" ] || die "BENCH_PCAP=$BENCH_PCAP: not readable"
	PCAP=$BENCH_PCAP
else
	PCAP=$TMP/bench.pcap
	echo "bench: generating $PCAP ..."
	"$BUILDDIR/gen_bench" "$PCAP" || die "gen_bench failed"
	# Write the file back now, not while the runs are being timed.
	sync "$PCAP" 2>/dev/null || sync
fi
SIZE=$(stat -c %s "$PCAP")

# (a) the bare read loop; its output gives the packet count.
echo "bench: readloop x$RUNS ..."
best_of "$RUNS" "$TMP/readloop.out" "$BUILDDIR/readloop" "$PCAP"
T_READ=$BEST
PACKETS=$(awk '{ print $1; exit }' "$TMP/readloop.out")
if [ -z "$PACKETS" ] || [ "$PACKETS" -le 0 ]; then
	die "readloop counted no packets in $PCAP"
fi

# (b) tcpdissect, full per-connection output.  Its peak RSS is taken in a
# run of its own so that timing and measuring do not disturb each other.
echo "bench: tcpdissect -o jsonl x$RUNS ..."
best_of "$RUNS" /dev/null "$BUILDDIR/tcpdissect" -o jsonl "$PCAP"
T_TD=$BEST
# Peak RSS varies by a few hundred KB from run to run (which page-cache
# folios the mapped reader's window lands on): the median of three runs.
median3() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
echo "bench: tcpdissect -o jsonl, peak RSS x3 ..."
r=()
for ((i = 0; i < 3; i++)); do
	peak_rss /dev/null "$BUILDDIR/tcpdissect" -o jsonl "$PCAP"
	r+=("$RSS")
done
RSS_TD=$(median3 "${r[@]}")
case $RSS_TD in *[!0-9]*|'') RSS_TD=n/a ;; esac

# (b2) the other readers (issue 13): the same capture as pcapng, on a
# pipe, gzip- and zstd-compressed, each beside what bounds it (the
# classic file, the decompressor alone).  BENCH_SKIP_READERS=1 skips them.
READER_ROWS=()
reader_row() {	# reader_row LABEL TIME BASE_LABEL BASE_TIME TARGET_RATIO [RSS]
	local ratio
	ratio=$(awk -v a="$2" -v b="$4" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')
	READER_ROWS+=("$(printf '  %-30s %9s  %5sx %-26s %6s  %s' "$1" "$2" "$ratio" \
	    "of $3 (<= ${5}x)" "${6:-}" \
	    "$(awk -v r="$ratio" -v t="$5" 'BEGIN { print (r <= t) ? "PASS" : "MISS" }')")")
}
if [ "${BENCH_SKIP_READERS:-0}" != 1 ]; then
	reader_row "classic pcap file" "$T_TD" "readloop" "$T_READ" 1.5
	if command -v editcap >/dev/null 2>&1; then
		echo "bench: pcapng x$RUNS ..."
		editcap -F pcapng "$PCAP" "$TMP/bench.pcapng" || die "editcap failed"
		best_of "$RUNS" /dev/null "$BUILDDIR/tcpdissect" -o jsonl "$TMP/bench.pcapng"
		peak_rss /dev/null "$BUILDDIR/tcpdissect" -o jsonl "$TMP/bench.pcapng"
		reader_row "pcapng file" "$BEST" "classic" "$T_TD" 1.2 "${RSS}KB"
		rm -f "$TMP/bench.pcapng"
	fi
	echo "bench: stdin (a pipe) x$RUNS ..."
	best_of "$RUNS" /dev/null bash -c 'cat "$1" | "$2" -o jsonl -' _ "$PCAP" \
	    "$BUILDDIR/tcpdissect"
	reader_row "classic pcap on a pipe" "$BEST" "classic" "$T_TD" 1.2
	for z in gzip zstd; do
		command -v "$z" >/dev/null 2>&1 || continue
		echo "bench: $z x$RUNS ..."
		"$z" -c < "$PCAP" > "$TMP/bench.$z" || die "$z failed"
		best_of "$RUNS" /dev/null "$z" -dc "$TMP/bench.$z"
		T_DZ=$BEST
		best_of "$RUNS" /dev/null "$BUILDDIR/tcpdissect" -o jsonl "$TMP/bench.$z"
		reader_row "$z-compressed file" "$BEST" "$z -dc" "$T_DZ" 1.1
		rm -f "$TMP/bench.$z"
	done
fi

# (b3) --framing (issue 15): every connection's bytes reassembled and cut
# into messages, against the analysis alone (target: at most 1.5x), and its
# peak RSS (the reassembly's budget, --stream-memcap 32M, on top).
FRAMING_ROWS=()
for rule in line auto; do
	echo "bench: tcpdissect -o jsonl --framing $rule x$RUNS ..."
	best_of "$RUNS" /dev/null "$BUILDDIR/tcpdissect" -o jsonl --framing "$rule" "$PCAP"
	T_FR=$BEST
	peak_rss /dev/null "$BUILDDIR/tcpdissect" -o jsonl --framing "$rule" "$PCAP"
	ratio=$(awk -v a="$T_FR" -v b="$T_TD" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')
	FRAMING_ROWS+=("$(printf '  %-30s %9s  %5sx %-26s %6s  %s' "--framing $rule" "$T_FR" \
	    "$ratio" "of no option (<= 1.5x)" "${RSS}KB" \
	    "$(awk -v r="$ratio" 'BEGIN { print (r <= 1.5) ? "PASS" : "MISS" }')")")
done

# What tcpdissect tracked, from its summary.  Fields it does not report
# (yet) print as n/a.
echo "bench: tcpdissect -q -o json ..."
"$BUILDDIR/tcpdissect" -q -o json "$PCAP" > "$TMP/summary.json" 2> "$TMP/err" ||
    fail tcpdissect
summary_field() {
	if command -v python3 >/dev/null 2>&1; then
		python3 - "$TMP/summary.json" "$1" <<'EOF' 2>/dev/null || echo n/a
import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    v = v[k]
print(v if isinstance(v, (int, float)) else "n/a")
EOF
	else
		echo n/a
	fi
}
CONNS=$(summary_field summary.connections)
PEAK_CONC=$(summary_field summary.peak_concurrent)
OWN_BPC=$(summary_field summary.memory.bytes_per_connection)
PEAK_TRACKED=$(summary_field summary.memory.peak_tracked)

# tcpdissect's footprint with no connections, to subtract from its peak
# when working out what one connection costs.
{	# a classic pcap header and no packets
	printf '\324\303\262\241\002\000\004\000'	# magic, version 2.4
	printf '\000\000\000\000\000\000\000\000'	# thiszone, sigfigs
	printf '\000\000\004\000\001\000\000\000'	# snaplen 262144, Ethernet
} > "$TMP/empty.pcap"
# Sampling /proc can miss most of a run that short: keep the best of many.
# With GNU time, the median of three, as for the peak.
RSS_EMPTY=n/a
if [ "$RSS_TOOL" = proc ]; then
	for ((i = 0; i < 20; i++)); do
		peak_rss /dev/null "$BUILDDIR/tcpdissect" -q -o json "$TMP/empty.pcap"
		if [ "$RSS" != n/a ] && { [ "$RSS_EMPTY" = n/a ] || [ "$RSS" -gt "$RSS_EMPTY" ]; }; then
			RSS_EMPTY=$RSS
		fi
	done
else
	r=()
	for ((i = 0; i < 3; i++)); do
		peak_rss /dev/null "$BUILDDIR/tcpdissect" -q -o json "$TMP/empty.pcap"
		r+=("$RSS")
	done
	RSS_EMPTY=$(median3 "${r[@]}")
	case $RSS_EMPTY in *[!0-9]*|'') RSS_EMPTY=n/a ;; esac
fi

# (c) tshark's TCP analysis, once: it is slow.
T_TSHARK=
TSHARK_NOTE=
if [ "${BENCH_SKIP_TSHARK:-0}" = 1 ]; then
	TSHARK_NOTE="skipped (BENCH_SKIP_TSHARK=1)"
elif ! command -v tshark >/dev/null 2>&1; then
	TSHARK_NOTE="skipped (tshark not installed)"
else
	echo "bench: tshark tcp.analysis x1 (slow) ..."
	TIMEFORMAT=%3R
	if { time tshark -n -r "$PCAP" -Y tcp.analysis.flags -T fields -e frame.number \
	    > /dev/null 2> "$TMP/err"; } 2> "$TMP/wall"; then
		T_TSHARK=$(tail -n 1 "$TMP/wall")
	else
		# The reference tool failing is worth a note, not a failed run.
		TSHARK_NOTE="failed: $(tail -n 1 "$TMP/err")"
	fi
fi

# The report.
calc() {
	awk "BEGIN { $1 }"
}
rate() {
	calc "if ($1 > 0) printf \"%.0f\", $PACKETS / $1; else print \"inf\""
}
verdict() {	# verdict VALUE TARGET
	calc "print ($1 >= $2) ? \"PASS\" : \"MISS\""
}

RATIO=$(calc "printf \"%.2f\", ($T_TD > 0) ? $T_READ / $T_TD : 0")
if [ -n "$T_TSHARK" ]; then
	SPEEDUP=$(calc "printf \"%.1f\", ($T_TD > 0) ? $T_TSHARK / $T_TD : 0")
	SPEEDUP_SHOW=${SPEEDUP}x
	SPEEDUP_RES=$(verdict "$SPEEDUP" "$SPEEDUP_TARGET")
	TSHARK_ROW=$(printf '%-30s %9s %12s' "tshark tcp.analysis (1 run)" "$T_TSHARK" \
	    "$(rate "$T_TSHARK")")
else
	SPEEDUP_SHOW=n/a
	SPEEDUP_RES=skipped
	TSHARK_ROW=$(printf '%-30s %s' "tshark tcp.analysis" "$TSHARK_NOTE")
fi
if [ "$RSS_TD" != n/a ] && [ "$RSS_EMPTY" != n/a ] && [ "$PEAK_CONC" != n/a ] &&
    calc "exit !($PEAK_CONC > 0)"; then
	BPC=$(calc "printf \"%.0f\", ($RSS_TD - $RSS_EMPTY) * 1024 / $PEAK_CONC")
else
	BPC=n/a
fi
# The target: whole-process memory growth over an empty run, divided by the
# most connections the table held at once (open ones and closed ones not
# yet reported); tombstones, buckets and buffers are all in the numerator.
if [ "$RSS_TD" != n/a ] && [ "$RSS_EMPTY" != n/a ] && [ "$PEAK_TRACKED" != n/a ] &&
    calc "exit !($PEAK_TRACKED > 0)"; then
	BPT=$(calc "printf \"%.0f\", ($RSS_TD - $RSS_EMPTY) * 1024 / $PEAK_TRACKED")
	BPT_RES=$(calc "print ($BPT <= $BYTES_TARGET) ? \"PASS\" : \"MISS\"")
else
	BPT=n/a
	BPT_RES=n/a
fi

echo
echo "tcpdissect benchmark: $PCAP"
printf '  %-28s %s\n' "packets" "$PACKETS"
printf '  %-28s %s bytes (%s MiB)\n' "file size" "$SIZE" \
    "$(calc "printf \"%.1f\", $SIZE / 1048576")"
printf '  %-28s %s\n' "connections tracked" "$CONNS"
printf '  %-28s %s\n' "peak concurrent connections" "$PEAK_CONC"
printf '  %-28s %s\n' "peak tracked connections" "$PEAK_TRACKED"
echo
printf '  %-30s %9s %12s\n' "run (best of $RUNS)" "wall s" "packets/s"
printf '  %-30s %9s %12s\n' "readloop (libpcap baseline)" "$T_READ" "$(rate "$T_READ")"
printf '  %-30s %9s %12s\n' "tcpdissect -o jsonl" "$T_TD" "$(rate "$T_TD")"
printf '  %s\n' "$TSHARK_ROW"
echo
printf '  %-36s %10s %10s  %s\n' "measure" "value" "target" "result"
printf '  %-36s %10s %10s  %s\n' "tcpdissect/readloop packet rate" "$RATIO" \
    ">= $RATIO_TARGET" "$(verdict "$RATIO" "$RATIO_TARGET")"
printf '  %-36s %10s %10s  %s\n' "tshark/tcpdissect speedup" "$SPEEDUP_SHOW" \
    ">= ${SPEEDUP_TARGET}x" "$SPEEDUP_RES"
RSS_HOW=
[ "$RSS_TOOL" != proc ] || RSS_HOW="  (sampled from /proc: no GNU time)"
printf '  %-36s %10s%s\n' "tcpdissect peak RSS (KB)" "$RSS_TD" "$RSS_HOW"
printf '  %-36s %10s\n' "RSS on an empty capture (KB)" "$RSS_EMPTY"
printf '  %-36s %10s %10s  %s\n' "RSS bytes per tracked connection" "$BPT" \
    "<= $BYTES_TARGET" "$BPT_RES"
printf '  %-36s %10s\n' "RSS bytes per concurrent connection" "$BPC"
printf '  %-36s %10s\n' "own estimate, bytes per connection" "$OWN_BPC"
if [ ${#READER_ROWS[@]} -gt 0 ]; then
	echo
	printf '  %-30s %9s  %s\n' "readers (best of $RUNS)" "wall s" "ratio, target, peak RSS"
	printf '%s\n' "${READER_ROWS[@]}"
fi
echo
printf '  %-30s %9s  %s\n' "byte streams (best of $RUNS)" "wall s" "ratio, target, peak RSS"
printf '%s\n' "${FRAMING_ROWS[@]}"
exit 0
