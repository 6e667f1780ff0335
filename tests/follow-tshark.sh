#!/bin/bash
# --extract and --follow against tshark -z follow,tcp,raw, byte for byte.
#
# For each capture below (the suite's captures with payload whose streams have no hole, no
# data on a RST and no conflicting copies: there tshark and Linux part ways, see
# doc/wireshark-differences.md), every direction tcpdissect --extract writes must hold exactly
# the bytes tshark's follow prints for it (tests/follow_compare.py), and for the first stream
# with payload `tcpdissect --follow N,raw` must print tshark's text exactly.
# Skipped (77) with the reason when tshark or python3 is missing.
srcdir=${srcdir:-.}
top=${TOP_SRCDIR:-$srcdir}
TCPDISSECT=${TCPDISSECT:-./tcpdissect}
TSHARK=${TSHARK:-tshark}
. "$top/tests/tap-lib.sh"
need_python
if ! command -v "$TSHARK" >/dev/null 2>&1; then
	echo "1..0 # SKIP tshark not found: install tshark to compare --follow/--extract with it"
	exit 77
fi

captures="
corpus-gopacket-pcap-test_loopback.pcap
corpus-suricata-verify-alert-testmyids-midstream-input.pcap
corpus-suricata-verify-bug-2491-02-simple_http_download.onesided.nosyn.pcap
corpus-suricata-verify-community-id-ipv6-input.pcap
corpus-suricata-verify-tcp-split-handshake-02-5whs-split-handshake-5whs.pcap
corpus-suricata-verify-tls-tls-subjectaltname-input.pcap
corpus-tcpdump-bigtcp-ipv6-hbh.pcap
corpus-tcpdump-ipv4_tcp_http_xml_tso.pcap
corpus-tcpdump-nfs-seg-fault-1.pcapng
corpus-tcpdump-tfo-5c1fa7f9ae91.pcap
corpus-tcpreplay-test.pcap
corpus-zeek-ftp-bruteforce.pcap
corpus-zeek-ftp-ipv6.pcap
corpus-zeek-http-get.pcap
corpus-zeek-mixed-vlan-mpls.pcap
corpus-zeek-tcp-handshake-reorder.pcap
$FOLLOW_EXTRA_CAPTURES
"
for c in $captures; do
	f=$top/tests/pcaps/$c
	[ -f "$f" ] || f=$top/tests/gen/$c
	out=$("$py" "$top/tests/follow_compare.py" "$TCPDISSECT" "$TSHARK" "$f" --follow-raw 2>&1)
	rc=$?
	n=$((n + 1))
	if [ $rc -eq 0 ]; then
		echo "ok $n - $c: $(echo "$out" | grep -c '^ok') directions and --follow raw equal"
	else
		echo "not ok $n - $c"
		echo "$out" | grep -v '^ok' | sed 's/^/# /'
		fails=$((fails + 1))
	fi
done
echo "1..$n"
[ "$fails" -eq 0 ]
