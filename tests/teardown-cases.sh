#!/bin/bash
# teardown-cases.sh: the teardown and reuse events of the generated corner
# cases (tests/gen/gen_captures.py: gen_close_wait, gen_time_wait_reuse,
# gen_resets), frame by frame: which kind, where, and the detail that
# carries the verdict; also what the flow table keeps through a long
# silence and how retransmissions count old and new bytes
# (tests/gen/gen_stream.py's captures).  Each capture is a few dozen packets.
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${TCPDISSECT:-./tcpdissect}
P=$top/tests/pcaps
. "$top/tests/tap-lib.sh"

# events PCAP KIND [OPTIONS...]: one line per event of KIND,
# "frame stream key=value ..." with the detail items in their order
events() {
	local pcap=$1 kind=$2
	shift 2
	"$bin" -o jsonl "$@" "$pcap" | python3 -c '
import json, sys
for r in map(json.loads, sys.stdin):
    if r["type"] == "event" and r["kind"] == sys.argv[1]:
        d = " ".join("%s=%s" % (k, json.dumps(v)) for k, v in r["detail"].items())
        print(r["frame"], r["stream"], d)' "$kind"
}
# has PCAP KIND WANT [OPTIONS...]: the events of KIND, each line matched
# against the grep -E patterns of WANT (one line each, same count)
# matches GOT WANT: as many lines in each, each line of GOT matched by the grep -E pattern of
# the same line of WANT
matches() {
	local got=$1 want=$2
	[ "$(printf '%s\n' "$got" | grep -c .)" = "$(printf '%s\n' "$want" | grep -c .)" ] ||
		{ echo "# got: $got"; return 1; }
	paste -d '\n' <(printf '%s\n' "$got") <(printf '%s\n' "$want") | while read -r g && read -r w; do
		[[ "$g" =~ $w ]] || { echo "# '$g' !~ '$w'"; exit 1; }
	done
}
has() {
	local pcap=$1 kind=$2 want=$3
	shift 3
	matches "$(events "$pcap" "$kind" "$@")" "$want"
}
# message PCAP KIND WANT [OPTIONS...]: "frame message" of each event of KIND, matched line by
# line against the grep -E patterns of WANT; "frame ts sport>dport message" when KIND is
# close_wait_stuck
message() {
	local pcap=$1 kind=$2 want=$3 got ts=no
	shift 3
	[ "$kind" = close_wait_stuck ] && ts=ts
	got=$("$bin" -o jsonl "$@" "$pcap" | python3 -c '
import json, sys
for r in map(json.loads, sys.stdin):
    if r["type"] == "event" and r["kind"] == sys.argv[1]:
        if sys.argv[2] == "ts":
            print(r["frame"], r["ts"], "%d>%d" % (r["src_port"], r["dst_port"]), r["message"])
        else:
            print(r["frame"], r["message"])' "$kind" "$ts")
	matches "$got" "$want"
}
# records PCAP WANT [OPTIONS...]: the connection records, "stream first_frame close resumed",
# matched line by line against the grep -E patterns of WANT
records() {
	local pcap=$1 want=$2 got
	shift 2
	got=$("$bin" -o jsonl "$@" "$pcap" | python3 -c '
import json, sys
for r in map(json.loads, sys.stdin):
    if r["type"] == "connection":
        print(r["stream"], r["first_frame"], r["close"], json.dumps(r.get("resumed", False)))')
	matches "$got" "$want"
}
# conn_isn PCAP WANT: "stream client_isn server_isn" of each connection record
conn_isn() {
	matches "$("$bin" -o jsonl "$1" | python3 -c '
import json, sys
for r in map(json.loads, sys.stdin):
    if r["type"] == "connection":
        print(r["stream"], r["client"]["isn"], r["server"]["isn"])')" "$2"
}
# none PCAP KIND [OPTIONS...]: no event of KIND
none() {
	local got
	got=$(events "$@")
	[ -z "$got" ] || { echo "# got: $got"; return 1; }
}

# close_wait_stuck
F=$P/gen-close-wait-stuck.pcap
check "FIN re-sent, then 12 s in CLOSE_WAIT: one event at the ACK that entered it, found at the line 12 s after" \
	has "$F" close_wait_stuck '^11 0 side="server" fin_frame=9 fin_ack_frame=11 seconds=12.003 timeout=10.0 timeout_frame=18 data_bytes=35 evidence="packet" packet="data"$'
check "... with the ACK's time, from the server to the client" \
	message "$F" close_wait_stuck '^11 1700000000.253 8080>41010 server entered CLOSE_WAIT here \(the client.s FIN: frame 9\), still in it 12.003 s later \(frame 18\)'

check "... the re-sent FIN is a retransmission of a FIN" \
	has "$F" retransmission '^10 0 by="client" seq=39 len=0 .*fin=true'
check "... not with --close-wait-timeout 15: the FIN at 14 s is sooner" \
	none "$F" close_wait_stuck --close-wait-timeout 15
check "... with --close-wait-timeout 13: the server's late FIN shows it" \
	has "$F" close_wait_stuck '^11 0 .*seconds=14.004 timeout=13.0 timeout_frame=20 .*packet="fin"$' --close-wait-timeout 13
check "a half-close ended within the timeout: nothing" none "$P/gen-close-wait-ok.pcap" close_wait_stuck
check "FIN at 2^32-1, data across 2^32: 300 bytes in CLOSE_WAIT" \
	has "$P/gen-close-wait-wrap.pcap" close_wait_stuck '^8 0 side="server" fin_frame=7 fin_ack_frame=8 seconds=12.002 .*timeout_frame=13 data_bytes=300 '
check "silent after the ACK, capture goes on 16 s: reported at the end, at the ACK's frame" \
	has "$P/gen-close-wait-silent.pcap" close_wait_stuck '^13 0 side="server" fin_frame=12 fin_ack_frame=13 seconds=15.985 .*timeout_frame=29 .*evidence="no_fin_until" until="end_of_capture"$'
check "80 minutes into the connection: the time kept to the millisecond" \
	has "$P/gen-close-wait-late.pcap" close_wait_stuck '^53 0 side="server" fin_frame=52 fin_ack_frame=53 seconds=15\.0 .*timeout_frame=54 '
check "... and the ACK's time to the millisecond" \
	message "$P/gen-close-wait-late.pcap" close_wait_stuck '^53 1700004800.05 8080>41015 '

# time_wait_reuse and port_reuse
F=$P/gen-tw-reuse-ts-newer.pcap
check "ISN below the old one, TSval newer: acceptable, accepted by a SYN-ACK" \
	has "$F" time_wait_reuse '^10 1 previous_stream=0 age=1\.0 same_stream=false isn=40000000 time_wait_side="server" previous_snd_next=50000020 isn_above=false tsval=101005 previous_tsval=100004 tsval_newer=true acceptable=true response="syn_ack" response_frame=11$'
F=$P/gen-tw-reuse-refused.pcap
check "ISN and TSval below the old ones: PAWS, refused with an ACK of the old connection" \
	has "$F" time_wait_reuse '^10 1 .*isn_above=false tsval=95005 previous_tsval=100004 tsval_newer=false paws=true acceptable=false response="ack" response_frame=11$'
check "... the client's SYN re-sent after its RST is a retransmission (attempt 2)" \
	has "$F" syn_retransmit '^13 1 attempt=2 '
check "... and its RST answering the stale ACK resets nothing" none "$F" connection_reset
F=$P/gen-tw-reuse-wrap.pcap
check "ISN comparison across 2^32: 0x100 is above 2^32-180, 0xffffff00 below 0x16" \
	has "$F" time_wait_reuse '^10 1 .*isn=256 .*previous_snd_next=4294967116 isn_above=true acceptable=true response="syn_ack" response_frame=11$
^25 3 .*isn=4294967040 .*previous_snd_next=0 isn_above=false acceptable=false response="ack" response_frame=26$'
F=$P/gen-reuse.pcap
check "the client that closed first reopens the 4-tuple itself 2 s later" \
	has "$F" time_wait_reuse '^12 1 previous_stream=0 age=2\.0 same_stream=false isn=5000000 time_wait_side="client" reopened_by_time_wait_side=true$'
check "a new SYN 200 s after (TIME_WAIT 2*MSL = 120 s over): port_reuse" \
	has "$F" port_reuse '^23 2 previous_stream=1 age=200\.0 same_stream=false isn=90000000 previous_end="fin" time_wait_over=true$'
check "... which is time_wait_reuse again with --msl 120" \
	has "$F" time_wait_reuse '^12 1 
^23 2 .*time_wait_side="client"' --msl 120

# resets and FINs
F=$P/gen-rst-bad-seq.pcap
check "RSTs a receiver must ignore: wrong ack and no ACK in SYN-SENT, seq outside the window" \
	has "$F" rst_out_of_window '^2 0 expected_ack=1001 by="server" phase="handshake" seq=0 ack=1005 ack_flag=true$
^10 1 expected_ack=2001 by="server" phase="handshake" seq=6000 ack=0 ack_flag=false$
^19 2 expected_seq=7052 .*seq=3221232524 
^35 3 expected_seq=7052 .*seq=1073748876 '
check "... no connection_reset for them" none "$F" connection_reset
check "... and no retransmission after the ignored RSTs" none "$F" retransmission
check "a FIN re-sent before its ACK: one retransmission, of a FIN" \
	has "$P/gen-fin-retransmit.pcap" retransmission '^10 0 by="client" seq=39 len=0 .*fin=true$'

# re-sent bytes: old and new counted apart
check "a retransmission carrying 1000 old and 1000 new bytes says so in its detail" \
	has "$P/gen-stream-retrans-extra-data.pcap" retransmission '^7 0 by="client" seq=1001 len=2000 resent_bytes=1000 new_bytes=1000 '
check "... and in its message" \
	message "$P/gen-stream-retrans-extra-data.pcap" retransmission '^7 client re-sent 1000 bytes \+ 1000 new at seq 1001 '
check "a retransmission of old bytes only: no new_bytes, the message unchanged" \
	message "$P/gen-stream-retrans-overlap.pcap" retransmission '^8 client re-sent 1000 bytes at seq 1501 
^10 client re-sent 500 bytes at seq 2501 '

# a SYN-ACK with a new ISN on an established connection
F=$P/gen-synack-new-isn.pcap
check "a second server's SYN-ACK (ISN 9000000) after the first's (6000000) was taken: synack_new_isn" \
	has "$F" synack_new_isn '^8 0 by="server" isn=9000000 previous_isn=6000000 ack=5000001 acks_syn=true peer_state="ESTABLISHED"$'
check "... the connection goes on with the old ISN: no retransmission of the server's FIN" \
	none "$F" retransmission
check "... its record keeps the server's first ISN" \
	conn_isn "$F" '^0 5000000 6000000
^1 5100000 6100000$'
check "a SYN-ACK re-sent with the same ISN after the handshake: synack_retransmit, not this" \
	has "$F" synack_retransmit '^16 1 '

# long silences: a file keeps a connection through any silence; --idle-timeout given forgets it
F=$P/gen-stream-long-silence.pcap
check "310 s of silence in a file, then 600 bytes missed: lost_segment at the data after them" \
	has "$F" lost_segment '^6 0 by="client" gap_bytes=600 gap_from=301 previous_frame=4$'
check "... one record, closed by its FINs, not resumed" \
	records "$F" '^0 1 fin false$'
check "... with --idle-timeout 300 given: forgotten at the silence, the gap not seen" \
	none "$F" lost_segment --idle-timeout 300
check "... and two records, the second resumed" \
	records "$F" '^0 1 idle_timeout false
^0 6 fin true$' --idle-timeout 300

echo "1..$n"
exit $((fails > 0))
