#!/bin/bash
# cli.sh: the command-line contract of SPEC.md: exit codes, one-line
# errors, stdin, multiple files, -c, filters that keep frame numbers,
# --fail-on, a closed pipe, and output that is always valid JSON.
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top/tests/tap-lib.sh"
tap_setup

# run ARGS...: run tcpdissect, leaving stdout, stderr and the exit status
run() {
	"$bin" "$@" > "$tmp/out" 2> "$tmp/err"
	echo $? > "$tmp/rc"
}
rc_is() { [ "$(cat "$tmp/rc")" = "$1" ]; }
one_error_line() {	# exactly one stderr line, "tcpdissect: WHAT: ...", matching $1
	[ "$(wc -l < "$tmp/err")" = 1 ] && grep -q "^tcpdissect: .*$1" "$tmp/err"
}
no_sanitizer() { ! grep -qE 'runtime error|AddressSanitizer|LeakSanitizer' "$tmp/err"; }
json_ok() {	# every stdout line is a JSON object
	python3 -c '
import json, sys
for n, l in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    if not isinstance(json.loads(l), dict):
        sys.exit("line %d is not an object" % n)' "$tmp/out"
}
field() {	# python expression over the summary record "s"
	python3 -c '
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
s = [r for r in recs if r["type"] == "summary"][-1]
conns = [r for r in recs if r["type"] == "connection"]
events = [r for r in recs if r["type"] == "event"]
print(eval(sys.argv[2]))' "$tmp/out" "$1"
}

run "$P/no-such-file.pcap"
check "missing file: exit 2" rc_is 2
check "missing file: one line naming it" one_error_line "no-such-file.pcap: No such file"
check "missing file: no report on stdout" test ! -s "$tmp/out"

run "$P/gen-empty-file.pcap"
check "empty file: exit 2" rc_is 2
check "empty file: one line" one_error_line "empty file"

run "$P/gen-not-a-capture.pcap"
check "not a capture: exit 2" rc_is 2
check "not a capture: one line" one_error_line "not a pcap or pcapng capture"

run "$P"
check "a directory: exit 2" rc_is 2

run --no-such-option "$P/gen-refused.pcap"
check "bad option: exit 1" rc_is 1
check "bad option: one line" one_error_line "unknown option"

run -o xml "$P/gen-refused.pcap"
check "bad output format: exit 1" rc_is 1

run -c 0 "$P/gen-refused.pcap"
check "bad count: exit 1" rc_is 1

run --fail-on no_such_kind "$P/gen-refused.pcap"
check "unknown --fail-on kind: exit 1" rc_is 1

for bad in "--syn-flood-syns 0" "--syn-flood-ratio x" "--syn-flood-window 0"; do
	run $bad "$P/gen-refused.pcap"
	check "bad $bad: exit 1" rc_is 1
done

run "$P/gen-refused.pcap" 'tcp and and port'
check "bad filter: exit 1" rc_is 1
check "bad filter: one line" one_error_line "bad filter expression"

run -o jsonl "$P/gen-truncated-file.pcap"
check "truncated capture: exit 0" rc_is 0
check "truncated capture: one warning line" one_error_line "capture damaged after frame 10"
check "truncated capture: analysed up to the damage" \
    test "$(field 's["packets"]')" = 10
check "truncated capture: counted in warnings" \
    test "$(field 's["warnings"].get("capture_truncated")')" = 1
run --strict -q "$P/gen-truncated-file.pcap"
check "truncated capture with --strict: exit 2" rc_is 2

run -V
check "--version: exit 0" rc_is 0
check "--version prints the version" grep -q '^tcpdissect [0-9]' "$tmp/out"
run --help
check "--help: exit 0 and usage" grep -q '^usage: tcpdissect' "$tmp/out"

# stdin gives the same records as the file
run -o jsonl "$P/corpus-zeek-http-get.pcap"
cp "$tmp/out" "$tmp/file.jsonl"
"$bin" -o jsonl - < "$P/corpus-zeek-http-get.pcap" > "$tmp/out" 2> "$tmp/err"
check "stdin: same connection records as the file" \
    diff <(grep -v '"summary"' "$tmp/file.jsonl") <(grep -v '"summary"' "$tmp/out")
cat "$P/gen-nano.pcap" | "$bin" -o jsonl - > "$tmp/out" 2> "$tmp/err"
check "stdin through a pipe keeps nanoseconds" grep -q '"start":[0-9]*\.[0-9]\{9\},' "$tmp/out"

# nanosecond and microsecond digits as the capture has them
run -o jsonl "$P/gen-nano.pcap"
check "nanosecond capture: 9 fraction digits" grep -q '"ts":[0-9]*\.[0-9]\{9\}\|"start":[0-9]*\.[0-9]\{9\},' "$tmp/out"
run -o jsonl "$P/gen-pcapng.pcapng"
check "pcapng with if_tsresol 9: 9 digits" grep -q '"start":[0-9]*\.[0-9]\{9\},' "$tmp/out"
run -o jsonl "$P/corpus-zeek-http-get.pcap"
check "microsecond capture: 6 digits" grep -q '"start":[0-9]*\.[0-9]\{6\},' "$tmp/out"

# several files: numbering restarts, records carry "file"
run -o jsonl "$P/gen-refused.pcap" "$P/gen-reuse.pcap"
check "two files: exit 0" rc_is 0
check "two files: stream 0 in each" \
    test "$(field 'sorted(set((c["file"].split("/")[-1], c["stream"]) for c in conns if c["stream"] == 0))')" \
    = "[('gen-refused.pcap', 0), ('gen-reuse.pcap', 0)]"
check "two files: one summary naming both" test "$(field 'len(s["files"])')" = 2

# one missing among several: the rest is analysed, exit 2
run -o jsonl "$P/gen-refused.pcap" "$P/nope.pcap"
check "a missing file among others: exit 2" rc_is 2
check "... the others still analysed" test "$(field 's["packets"] > 0')" = True

# -c counts every record (no filter: every record matches)
run -o jsonl -c 3 "$P/corpus-zeek-http-get.pcap"
check "-c 3: three packets" test "$(field 's["packets"]')" = 3

# a filter hides packets but not their frame numbers
run -o jsonl "$P/gen-reuse.pcap" 'tcp[tcpflags] & tcp-syn != 0'
check "filter: exit 0" rc_is 0
check "filter: frame numbers are the file's" \
    test "$(field 'sorted(c["first_frame"] for c in conns)')" = \
    "$("$bin" -o jsonl "$P/gen-reuse.pcap" | python3 -c '
import json, sys
print(sorted(r["first_frame"] for r in map(json.loads, sys.stdin) if r["type"] == "connection"))')"

# --fail-on
run -q --fail-on connection_refused "$P/gen-refused.pcap"
check "--fail-on a kind that occurred: exit 3" rc_is 3
run -q --fail-on syn_flood "$P/gen-refused.pcap"
check "--fail-on a kind that did not occur: exit 0" rc_is 0
run -q --fail-on notice "$P/gen-refused.pcap"
check "--fail-on a severity at or below: exit 3" rc_is 3
run -q --fail-on alert "$P/gen-refused.pcap"
check "--fail-on a severity above: exit 0" rc_is 0
run -q --fail-on any "$P/corpus-zeek-http-get.pcap"
check "--fail-on any on a clean capture: exit 0" rc_is 0
# No false alarm: captures of healthy connections report nothing of severity
# notice or above (an info event states a fact: gen-wrap's sequence numbers
# do cross 2^32, and it says only that).
for clean in corpus-zeek-http-get.pcap corpus-zeek-ftp-ipv6.pcap \
    corpus-tcpdump-tcp-handshake-nano.pcap gen-wrap.pcap gen-reuse.pcap gen-midstream.pcap \
    gen-eth-qinq.pcap gen-mpls.pcap gen-pppoe.pcap gen-sll2.pcap gen-nflog.pcap \
    gen-loop.pcap gen-raw-ipv6.pcap gen-pcapng.pcapng gen-nano.pcap gen-ipv6-exthdrs.pcap \
    gen-snaplen.pcap gen-stream-clean.pcap real-stream-clean-sender.pcap \
    real-stream-clean-receiver.pcap; do
	run -q --fail-on notice "$P/$clean"
	check "no false alarm on clean $clean" rc_is 0
done

# -o json is one valid document
run -o json "$P/gen-reset.pcap"
check "-o json: one document with the three arrays" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert set(d) == {"connections", "events", "summary"}, d.keys()
assert d["summary"]["type"] == "summary"' "$tmp/out"

# every capture of the suite: valid JSON Lines, whatever the input (under
# the sanitizer one in eight: each capture is its own sanitized test too)
bad=0
stride=1
sanitizer_build && stride=8
i=0
for f in "$P"/*.pcap "$P"/*.pcapng; do
	i=$((i + 1))
	[ $(((i - 1) % stride)) = 0 ] || continue
	"$bin" -o jsonl "$f" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	if [ $rc -gt 3 ] || ! json_ok 2>/dev/null || ! no_sanitizer; then
		echo "# $f: exit $rc or invalid JSON or sanitizer report"
		bad=$((bad + 1))
	fi
done
check "every capture: exit 0-3, valid JSON Lines, no sanitizer report" test $bad = 0

# a file name that is not UTF-8 still gives valid JSON
cp "$P/gen-refused.pcap" "$tmp/caf$(printf '\xe9').pcap"
"$bin" -o jsonl "$tmp/caf$(printf '\xe9').pcap" "$P/gen-refused.pcap" > "$tmp/out" 2> "$tmp/err"
check "non-UTF-8 file name: valid JSON" json_ok

# -w: the packets of flagged connections, exactly
tls=$P/corpus-suricata-verify-tls-tls-subjectaltname-input.pcap
run -o jsonl -w "$tmp/flagged.pcap" "$tls"
check "-w: exit 0" rc_is 0
want=$(field 'sum(c["client"]["packets"] + c["server"]["packets"] for c in conns if c["stream"] in set(e["stream"] for e in events))')
run -o jsonl "$tmp/flagged.pcap"
check "-w: the file holds exactly the flagged connections' packets ($want)" \
    test "$(field 's["packets"]')" = "$want"
check "-w: and they are the same connections" \
    test "$(field 'len(conns)')" -gt 0
run -q -w "$tmp/none.pcap" "$P/corpus-zeek-http-get.pcap"
check "-w with nothing flagged: an empty capture" test -s "$tmp/none.pcap"
run -o jsonl "$tmp/none.pcap"
check "... with no packets" test "$(field 's["packets"]')" = 0
run -q -w "$tmp/x.pcap" - < "$P/gen-reset.pcap"
check "-w with stdin: exit 1 (it must be read twice)" rc_is 1
run -q -w "$tmp/no/such/dir/x.pcap" "$P/gen-reset.pcap"
check "-w to an impossible path: exit 1, one line" one_error_line "No such file"

# a closed pipe ends quietly
big=$P/corpus-suricata-verify-tls-tls-subjectaltname-input.pcap
"$bin" -o jsonl $(for i in $(seq 40); do echo "$big"; done) \
    2> "$tmp/err" | head -1 > /dev/null
rc=${PIPESTATUS[0]}
check "closed pipe: exit 0" test "$rc" = 0
check "closed pipe: nothing on stderr" test ! -s "$tmp/err"

tap_done
