#!/bin/bash
# cli-habits.sh: tcpdump's command-line habits and a CI gate over a corpus
# (issue 17 items 2, 6, 7): options after the file names, trailing filter
# words, -F FILE, "--"; no cap on the number of inputs, one -q line per
# file, --fail-on naming each file's first match; a report that cannot be
# written (/dev/full) is an error.  tcpdump is the model: its options may
# follow its filter words, -F reads the expression from a file, and "--"
# ends the options.
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top/tests/tap-lib.sh"
tap_setup absolute

run() {
	"$bin" "$@" > "$tmp/out" 2> "$tmp/err"
	echo $? > "$tmp/rc"
}
rc_is() { [ "$(cat "$tmp/rc")" = "$1" ]; }
same_as() { cmp -s "$tmp/out" "$1"; }
R=$P/gen-reset.pcap
RU=$P/gen-reuse.pcap

# --- option order ------------------------------------------------------
"$bin" -o jsonl "$R" > "$tmp/want" 2>&1
run "$R" -o jsonl
check "option after the file: exit 0" rc_is 0
check "option after the file: same output as before it" same_as "$tmp/want"

"$bin" -o jsonl "$R" port 80 > "$tmp/want" 2>&1
run "$R" port 80 -o jsonl
check "option after the filter words: exit 0" rc_is 0
check "option after the filter words: same output" same_as "$tmp/want"
run "$R" -o jsonl port 80
check "option between file and filter: same output" same_as "$tmp/want"
run "$R" port 81 -o jsonl
check "the filter still applies: no connection on port 81" \
    test "$(grep -c '"type":"connection"' "$tmp/out")" = 0

"$bin" -q "$R" "$RU" > "$tmp/want" 2>&1
run "$R" -q "$RU"
check "option between two files: both are inputs" same_as "$tmp/want"

# --- "--" ends the options ----------------------------------------------
run -o jsonl -- "$R" -q
check "after --, '-q' is a filter word, not an option" rc_is 1
grep -q 'bad filter expression' "$tmp/err"
check "after --: said as a bad filter" test $? = 0
cp "$R" "$tmp/-q.pcap"
(cd "$tmp" && "$bin" -o jsonl -- -q.pcap > out2 2> err2; echo $? > rc2)
check "after --, a file named -q.pcap is read" test "$(cat "$tmp/rc2")" = 0
check "after --: the file's records" grep -q '"type":"connection"' "$tmp/out2"

# --- -F FILE ------------------------------------------------------------
"$bin" -o jsonl "$R" "$RU" 'port 80 and tcp' > "$tmp/want" 2>&1
printf '# web only\nport 80\n  and tcp   # and TCP\n' > "$tmp/filter"
run -F "$tmp/filter" -o jsonl "$R" "$RU"
check "-F: exit 0" rc_is 0
check "-F: same as the filter on the command line" same_as "$tmp/want"
printf 'port 81\n' > "$tmp/filter81"
run -F "$tmp/filter81" -o jsonl "$R"
check "-F: its filter applies" test "$(grep -c '"type":"connection"' "$tmp/out")" = 0
run -F "$tmp/no-such-filter" "$R"
check "-F missing file: exit 1" rc_is 1
check "-F missing file: one line naming it" \
    grep -q "^tcpdissect: .*no-such-filter: No such file" "$tmp/err"
printf 'tcp and and\n' > "$tmp/badfilter"
run -F "$tmp/badfilter" "$R"
check "-F bad expression: exit 1" rc_is 1
run -F "$tmp/filter" -r "$R" port 80
check "-F with filter words too: exit 1" rc_is 1

# --- no cap on inputs: more files than the old 64 -------------------------
mkdir "$tmp/corpus"
for i in $(seq 1 150); do
	ln -s "$R" "$tmp/corpus/a$i.pcap"
	ln -s "$P/gen-refused.pcap" "$tmp/corpus/b$i.pcap"
done
# a file-descriptor leak would show long before 300 files
(ulimit -n 40 && "$bin" -q "$tmp"/corpus/*.pcap > "$tmp/out" 2> "$tmp/err"; echo $? > "$tmp/rc")
check "300 inputs: exit 0 (fd limit 40)" rc_is 0
check "300 inputs: nothing on stderr" test ! -s "$tmp/err"
check "-q with 300 inputs: one line per file, then the total" \
    test "$(grep -c '^/.*corpus/[ab][0-9]*\.pcap: ' "$tmp/out")" = 300
check "-q per-file line says what the file had" \
    grep -qx "$tmp/corpus/a1.pcap: 8 packets, 1 connection, 1 event: connection_reset 1" \
    "$tmp/out"
check "-q: the total comes last" \
    test "$(grep -n '^summary: ' "$tmp/out" | cut -d: -f1)" = 301
check "the total counts every file" grep -q '^summary: 1800 packets' "$tmp/out"
run -o jsonl -q "$tmp"/corpus/*.pcap
check "json summary lists every file" \
    test "$(python3 -c 'import json,sys; print(len(json.load(sys.stdin)["files"]))' \
    < "$tmp/out")" = 300

# --- --fail-on over a corpus --------------------------------------------
run -q --fail-on connection_reset,connection_refused "$tmp"/corpus/*.pcap
check "--fail-on over 300 files: exit 3" rc_is 3
check "--fail-on: one stderr line per matching file" test "$(wc -l < "$tmp/err")" = 300
check "--fail-on: the line names file, kind, frame and stream" grep -qx \
    "tcpdissect: $tmp/corpus/a7.pcap: --fail-on matched 1 event; first: connection_reset (notice) at frame 8, stream 0" \
    "$tmp/err"
check "--fail-on: the first of several matches" grep -qx \
    "tcpdissect: $tmp/corpus/b7.pcap: --fail-on matched 2 events; first: connection_refused (notice) at frame 2, stream 0" \
    "$tmp/err"
run -q --fail-on warning "$R" "$P/gen-refused.pcap"
check "--fail-on warning, none: exit 0, stderr empty" \
    test "$(cat "$tmp/rc")" = 0 -a ! -s "$tmp/err"

# --- a report that cannot be written -------------------------------------
if [ -w /dev/full ]; then
	for fmt in text jsonl json; do
		"$bin" -o "$fmt" "$R" > /dev/full 2> "$tmp/err"
		rc=$?
		check "/dev/full, -o $fmt: exit 2" test $rc = 2
		check "/dev/full, -o $fmt: one line saying so" eval \
		    '[ "$(wc -l < "$tmp/err")" = 1 ] && grep -q "^tcpdissect: stdout: cannot write the report: No space left" "$tmp/err"'
	done
	"$bin" -q "$R" > /dev/full 2> "$tmp/err"
	check "/dev/full, -q: exit 2" test $? = 2
else
	echo "# /dev/full not writable: write-error checks skipped"
fi

# --- shell completion (contrib/bash-completion/tcpdissect) -------------------
comp() {	# words...: what bash completion offers for the last word
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _tcpdissect
	    printf "%s\n" "${COMPREPLY[@]}"' _ "$top/contrib/bash-completion/tcpdissect" "$@"
}
check "completion: -o offers the formats" \
    test "$(comp tcpdissect -o '' | sort | tr '\n' ' ')" = "json jsonl text "
check "completion: --filter-f completes" test "$(comp tcpdissect --filter-f)" = --filter-file
"$bin" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u > "$tmp/help-opts"
comp tcpdissect -- | grep -- '^--' | sort -u > "$tmp/comp-opts"
check "completion: every long option of --help" eval \
    '[ -s "$tmp/help-opts" ] && [ -z "$(comm -23 "$tmp/help-opts" "$tmp/comp-opts")" ]'
comm -23 "$tmp/help-opts" "$tmp/comp-opts" | sed 's/^/# missing: /'

tap_done
