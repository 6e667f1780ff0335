#!/bin/bash
# --framing, head_of_line_blocked, framing_error and request/response times on the captures
# of tests/gen/gen_framing.py (its docstring says frame by frame what each holds): exact
# messages (offset, length, first and last frame), exact events and exchanges; without
# --framing nothing changes; bad rules are usage errors; the records validate against
# doc/schema; every capture of the suite runs under --framing auto without a crash.
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top/tests/tap-lib.sh"
tap_setup
need_python
G=$top/tests/gen

run() {	# name, args...: JSON Lines into $tmp/name.jsonl, status into $tmp/name.rc
	local name=$1
	shift
	"$bin" -o jsonl "$@" > "$tmp/$name.jsonl" 2> "$tmp/$name.err"
	echo $? > "$tmp/$name.rc"
}

# jq-like assertions in Python: the script gets the records as R (list of dicts),
# E(kind) the events of a kind, C(stream) a connection record; it must not raise.
assert() {	# description, name, python
	local what=$1 name=$2 code=$3
	check "$what" "$py" -c '
import json, sys
R = [json.loads(l) for l in open(sys.argv[1])]
def E(kind): return [r for r in R if r["type"] == "event" and r["kind"] == kind]
def C(s): return [r for r in R if r["type"] == "connection" and r["stream"] == s][0]
def M(s, side): return [(m["offset"], m["length"], m["first_frame"], m.get("last_frame"))
                       for m in C(s)["framing"][side].get("list", [])]
def want(got, exp):
    if got != exp:
        print("# got %r\n# want %r" % (got, exp))
        sys.exit(1)
'"$code" "$tmp/$name.jsonl"
}

# ---- line: several per segment, one over three segments across the 2^32 wrap, a hole ------
run line -v --framing line "$G/framing-line.pcap"
check "--framing line exits 0" test "$(cat "$tmp/line.rc")" = 0
assert "line: the client's seven messages, offsets, lengths, first and last frames" line '
want(M(0, "client"), [(0, 2, 4, 4), (2, 3, 4, 4), (5, 4, 4, 4), (9, 11, 4, 6), (20, 5, 10, 10),
                      (25, 4, 8, 8), (29, 4, 9, 9)])'
assert "line: counts, segments with several messages, sizes" line '
f = C(0)["framing"]["client"]
want((f["messages"], f["bytes"], f["multi_segment"], f["segments"], f["segments_multi"]),
     (7, 33, 1, 6, 1))
want(f["sizes"], {"min": 2, "max": 11, "log2": [0, 2, 4, 1]})'
assert "line: the threshold is the handshake RTT (20 ms)" line '
want(C(0)["framing"]["hol_threshold"], 0.02)'
assert "line: head_of_line_blocked at frame 10: hole 20-25 filled by frame 10, frame 8 after it" \
	line '
e = E("head_of_line_blocked")
want(len(e), 1)
d = e[0]["detail"]
want((e[0]["frame"], d["filled_by_frame"], d["first_after_hole_frame"], d["hole_offset"],
      d["hole_length"], d["messages"], d["delay"], d["filled"], d["direction"]),
     (10, 10, 8, 20, 5, 2, 0.4, True, "client"))'
assert "line: per message waits, total and worst" line '
f = C(0)["framing"]["client"]
want([m["hol"] for m in f["list"]], [0, 0, 0, 0, 0, 0.4, 0.39])
want(f["hol"], {"waited": 2, "over_threshold": 2, "total": 0.79, "max": 0.4, "max_frame": 10})'
assert "line: the overlap_conflict is still reported (frame 11)" line '
want([e["frame"] for e in E("overlap_conflict")], [11])'
assert "line: one-way requests do not alternate: no exchanges" line '
x = C(0)["framing"]["exchanges"]
want((x["count"], x["alternating"]), (0, False))'

run hol1 --framing line --hol-threshold 1 "$G/framing-line.pcap"
assert "--hol-threshold 1: the 0.4 s wait is counted, not reported" hol1 '
want(len(E("head_of_line_blocked")), 0)
f = C(0)["framing"]["client"]
want((f["hol"]["waited"], f["hol"]["over_threshold"]), (2, 0))'

run segs --hol-threshold 0.1 "$G/framing-line.pcap"
assert "--hol-threshold alone: segments are the unit (frames 8 and 9 waited)" segs '
e = E("head_of_line_blocked")
want(len(e), 1)
want((e[0]["detail"]["segments"], e[0]["detail"]["first_after_hole_frame"]), (2, 8))
f = C(0)["framing"]
want((f["rule"], f["unit"], f["client"]["messages"]), ("none", "segment", 0))'

# ---- len:4: a prefix split inside itself, an empty message, 2 GiB ---------------------------
run len -v --framing len:4 "$G/framing-len.pcap"
assert "len:4: three messages, the second's prefix split between frames 4 and 5" len '
want(M(0, "client"), [(0, 7, 4, 4), (7, 9, 4, 5), (16, 4, 6, 6)])'
assert "len:4: framing_error at server offset 0, frame 7, then not cut" len '
e = E("framing_error")
want([(x["frame"], x["detail"]["offset"], x["detail"]["direction"]) for x in e], [(7, 0, "server")])
want(C(0)["framing"]["server"]["stopped"]["offset"], 0)
want(C(0)["framing"]["server"]["messages"], 0)'

# ---- auto: HTTP (Content-Length, chunked), TLS, RESP, a garbled head ------------------------
run auto -v --framing auto "$G/framing-auto.pcap"
assert "auto: the rules detected per connection" auto '
want([C(s)["framing"]["rule"] for s in range(4)], ["http", "tls", "resp", "http"])'
assert "http: requests 27 and 42 bytes, responses 49 (frames 5-6) and 68 (chunked)" auto '
want(M(0, "client"), [(0, 27, 4, 4), (27, 42, 7, 7)])
want(M(0, "server"), [(0, 49, 5, 6), (49, 68, 8, 8)])'
assert "http: two exchanges, first byte 50 and 30 ms, last byte 70 and 30 ms" auto '
x = C(0)["framing"]["exchanges"]
want((x["count"], x["alternating"], x["requests_from"]), (2, True, "client"))
want([(e["request_frame"], e["response_first_frame"], e["response_last_frame"], e["first_byte"],
       e["last_byte"]) for e in x["list"]], [(4, 5, 6, 0.05, 0.07), (7, 8, 8, 0.03, 0.03)])
want((x["first_byte_median"], x["first_byte_max"], x["last_byte_median"], x["last_byte_max"]),
     (0.04, 0.05, 0.05, 0.07))'
assert "tls: two records in one segment, one record over two segments" auto '
want(M(1, "client"), [(0, 10, 15, 15), (10, 7, 15, 15)])
want(M(1, "server"), [(0, 9, 16, 17)])
want("exchanges" in C(1)["framing"], False)'
assert "resp: PING/PONG and SET/OK, 1 and 2 ms" auto '
want(M(2, "client"), [(0, 14, 24, 24), (14, 27, 26, 26)])
want(M(2, "server"), [(0, 7, 25, 25), (7, 5, 27, 27)])
want([e["first_byte"] for e in C(2)["framing"]["exchanges"]["list"]], [0.001, 0.002])'
assert "http: a header without a colon is a framing_error at offset 0 (frame 34)" auto '
e = [x for x in E("framing_error") if x["stream"] == 3]
want([(x["frame"], x["detail"]["offset"], x["detail"]["rule"]) for x in e], [(34, 0, "http")])'

# ---- kernel recordings (tests/record/framing-nagle.sh): 200 writes of one line each -------
run nagle --framing line "$G/real-framing-nagle-on.pcap"
assert "Nagle on: 200 lines in 36 segments, 10 of them with several lines" nagle '
f = C(0)["framing"]["client"]
want((f["messages"], f["bytes"], f["segments"], f["segments_multi"], f["multi_segment"]),
     (200, 2400, 36, 10, 0))'
run nodelay --framing line "$G/real-framing-nagle-off.pcap"
assert "TCP_NODELAY: 200 lines in 197 segments, 3 with several" nodelay '
f = C(0)["framing"]["client"]
want((f["messages"], f["bytes"], f["segments"], f["segments_multi"], f["multi_segment"]),
     (200, 2400, 197, 3, 0))'

# ---- text ----------------------------------------------------------------------------------
"$bin" -v --framing auto "$G/framing-auto.pcap" > "$tmp/auto.txt" 2>&1
check "text -v: the record says the rule, the messages and the exchanges" \
	grep -q "framing http (per message)" "$tmp/auto.txt"
check "text -v: per message offsets and frames" grep -q "0+49 frames 5-6" "$tmp/auto.txt"
check "text: framing_error listed with the other events" \
	grep -q "warning framing_error stream 3" "$tmp/auto.txt"

# ---- nothing changes without --framing -----------------------------------------------------
for cap in framing-line framing-len framing-auto; do
	"$bin" -o jsonl "$G/$cap.pcap" > "$tmp/plain-$cap.jsonl"
	check "$cap without --framing: no framing object, no new event" \
		sh -c "! grep -qE '\"framing\"|head_of_line_blocked|framing_error' '$tmp/plain-$cap.jsonl'"
done
"$bin" -o jsonl --framing line "$G/framing-line.pcap" | grep -v '"type":"connection"' |
	grep -vE 'head_of_line_blocked|overlap_conflict|"type":"summary"' > "$tmp/with.jsonl"
grep -v '"type":"connection"' "$tmp/plain-framing-line.jsonl" | grep -v '"type":"summary"' \
	> "$tmp/without.jsonl"
check "--framing adds its events (and the reassembly's) and the records' framing, nothing else" \
	cmp "$tmp/with.jsonl" "$tmp/without.jsonl"

# ---- bad values ----------------------------------------------------------------------------
for bad in len len:3 len:2:xx len:2:+99999 smtp lines ""; do
	"$bin" --framing "$bad" "$G/framing-line.pcap" > /dev/null 2> "$tmp/bad.err"
	rc=$?
	check "--framing '$bad' is a usage error, one line" \
		test "$rc" = 1 -a "$(wc -l < "$tmp/bad.err")" = 1
done
for bad in 0 -1 x; do
	"$bin" --hol-threshold "$bad" "$G/framing-line.pcap" > /dev/null 2>&1
	check "--hol-threshold '$bad' is a usage error" test $? = 1
done

# ---- the schema ----------------------------------------------------------------------------
if "$py" -c 'import jsonschema' 2> /dev/null; then
	"$bin" -o json -v --framing auto "$G/framing-auto.pcap" > "$tmp/auto-doc.json"
	check "records with framing validate against doc/schema" \
		"$py" "$top/tests/validate_schema.py" "$top/doc/schema" "$tmp/line.jsonl" \
		"$tmp/len.jsonl" "$tmp/auto.jsonl" "$tmp/segs.jsonl" "$tmp/auto-doc.json"
else
	echo "# python3-jsonschema not installed: schema not checked"
fi

# ---- every capture of the suite, any rule: no crash, no new exit status -------------------
# (under the sanitizer build each capture runs one of the two rules, in turn)
bad=0
i=0
san=false
sanitizer_build && san=true
for pcap in "$P"/*.pcap "$P"/*.pcapng; do
	args=()
	[ -f "$pcap.args" ] && read -r -a args < "$pcap.args"
	"$bin" -q "${args[@]}" "$pcap" > /dev/null 2>&1
	want=$?
	rules="auto len:2"
	if $san; then
		rules=auto
		[ $((i % 2)) = 1 ] && rules=len:2
	fi
	i=$((i + 1))
	for rule in $rules; do
		"$bin" -q -v -o jsonl --framing "$rule" "${args[@]}" "$pcap" > /dev/null 2>&1
		got=$?
		if [ "$got" != "$want" ]; then
			echo "# $pcap --framing $rule: exit $got, without it $want"
			bad=1
		fi
	done
done
check "the suite's captures under --framing auto and len:2: same exit status" test $bad = 0

tap_done
