#!/bin/bash
# teardown-cases.sh: the teardown and reuse events of the generated corner
# cases (tests/gen/gen_captures.py: gen_resets), frame by frame: which kind,
# where, and the detail that carries the verdict.  Each capture is a few
# dozen packets.
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
has() {
	local pcap=$1 kind=$2 want=$3 got
	shift 3
	got=$(events "$pcap" "$kind" "$@")
	[ "$(printf '%s\n' "$got" | grep -c .)" = "$(printf '%s\n' "$want" | grep -c .)" ] ||
		{ echo "# got: $got"; return 1; }
	paste -d '\n' <(printf '%s\n' "$got") <(printf '%s\n' "$want") | while read -r g && read -r w; do
		[[ "$g" =~ $w ]] || { echo "# '$g' !~ '$w'"; exit 1; }
	done
}
# none PCAP KIND [OPTIONS...]: no event of KIND
none() {
	local got
	got=$(events "$@")
	[ -z "$got" ] || { echo "# got: $got"; return 1; }
}

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

echo "1..$n"
exit $((fails > 0))
