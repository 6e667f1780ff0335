#!/bin/bash
# honest-words.sh (issue 17 item 9): the words tcpdissect prints say what
# the capture shows.  A connection whose SYN was never captured has
# handshake "missing" (SPEC.md: started before the capture), however it
# continued; byte counts in messages are payload bytes, never a FIN's
# sequence number; README.md and the man page name nothing outside the
# tree and no option the program does not take.
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top/tests/tap-lib.sh"
tap_setup

# hs FILE: "stream handshake" of each connection record of FILE
hs() {
	"$bin" -o jsonl "$1" 2>> "$tmp/err" | python3 -c '
import json, sys
for l in sys.stdin:
    r = json.loads(l)
    if r["type"] == "connection":
        print(r["stream"], r["handshake"])'
}

# ---- the capture starts at the SYN-ACK: the SYN is not in it (Zeek's
# tcp/missing-syn trace; tcpdump -r shows "Flags [S.]" first)
# (the capture checks need tcpdump; without it they are left out)
have_tcpdump() { command -v tcpdump > /dev/null 2>&1; }
have_tcpdump && check "missing-syn: the capture's first TCP segment is a SYN-ACK" \
    test "$(tcpdump -nr "$P/corpus-zeek-tcp-missing-syn.pcap" -c 1 2>/dev/null |
        grep -c 'Flags \[S\.\]')" = 1
check "missing-syn: handshake missing, not complete" \
    test "$(hs "$P/corpus-zeek-tcp-missing-syn.pcap")" = "0 missing"
check "missing-syn: -v says the same" \
    grep -q 'opened: missing' <("$bin" -v "$P/corpus-zeek-tcp-missing-syn.pcap" 2>> "$tmp/err" |
        tr '\n' ' ' | sed 's/  */ /g')
# and a connection that has its SYN keeps "complete"
check "a full handshake stays complete" \
    test "$(hs "$P/gen-reuse.pcap" | sed -n 1p)" = "0 complete"
# picked up mid-stream (data first): missing, as before
check "mid-stream: missing" test "$(hs "$P/gen-midstream.pcap" | sed -n 1p)" = "0 missing"

# ---- payload bytes, not sequence space: the client's one 58-byte request
# carries its FIN; the server, its accept queue full, acknowledges none of
# it (tcpdump -r shows "Flags [FP.], seq 1:59 ... length 58")
f=$P/gen-accept-overflow-drop-fin.pcap
have_tcpdump && check "drop-fin: the request is 58 bytes with a FIN" \
    test "$(tcpdump -nr "$f" 2>/dev/null | grep -c 'Flags \[FP\.\], seq 1:59, .*length 58')" = 3
"$bin" -o jsonl "$f" > "$tmp/fin.jsonl" 2>> "$tmp/err"
check "drop-fin: accept_overflow_drop counts the client's 58 bytes, not 59" python3 -c '
import json, sys
ev = [r for r in map(json.loads, open(sys.argv[1]))
      if r["type"] == "event" and r["kind"] == "accept_overflow_drop"]
assert len(ev) == 1, ev
assert ev[0]["message"].endswith("none of the client\x27s 58 bytes"), ev[0]["message"]
assert ev[0]["detail"]["unacked_bytes"] == 58, ev[0]["detail"]' "$tmp/fin.jsonl"

# ---- a one-byte gap is "1 byte ... was", not "1 bytes ... were"
"$bin" -o jsonl "$P/corpus-suricata-verify-bug-76-input.pcap" > "$tmp/gap.jsonl" 2>> "$tmp/err"
check "lost_segment: a 1-byte gap in the singular" \
    grep -q '"message":"1 byte of the client.s data before this segment was never captured"' \
    "$tmp/gap.jsonl"
check "lost_segment: never '1 bytes'" test "$(grep -c '"1 bytes ' "$tmp/gap.jsonl")" = 0

# ---- README and the man page: no path outside the tree, no option the
# program rejects
check "README and the man page name no file outside the tree" \
    test "$(grep -cE '/work/|/home/|/tmp/build|`\.\./' "$top/README.md" "$top/doc/tcpdissect.1" |
        awk -F: '{ s += $2 } END { print s }')" = 0
opts=$(grep -ohE '(^|[ `(])--[a-z][a-z-]+' "$top/README.md" "$top/doc/tcpdissect.1" |
    sed -E 's/^[ `(]//' | sort -u)
bad=
for o in $opts; do
	case $o in --disable-*|--enable-*|--with-*|--without-*|--prefix|--all|--strip) continue ;; esac
	"$bin" --help | grep -q -- "$o" || bad="$bad $o"
done
check "every --option README and the man page name is in --help ($bad)" test -z "$bad"

# "What it reports today" lists every kind the program can report (it once
# said the teardown detectors would "follow" after they had landed)
missing=
for k in $(sed -nE 's/^X\([A-Z_0-9]+, "([a-z_]+)".*/\1/p' "$top/src/event_kinds.def"); do
	grep -qw "$k" "$top/README.md" || missing="$missing $k"
done
check "README names every event kind ($missing)" test -z "$missing"
check "README promises nothing that is to follow" \
    test "$(grep -ciE 'listed here follow|to follow|will follow' "$top/README.md")" = 0

check "nothing on stderr" test ! -s "$tmp/err"

tap_done
