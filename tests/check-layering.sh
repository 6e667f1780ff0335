#!/bin/bash
# check-layering.sh: data flows one way.  Each module may include only the
# project headers of its own or a lower layer (doc/architecture.md has the
# table), json-c only in report_json.c, libevent only in live.c,
# <pcap/pcap.h> only in source.c, capture_writer.c, live.c and
# reader_libpcap.c, and the compression libraries only in
# reader_decompress.c.  Lines stay within 100 columns.
set -u
top=$(cd "${TOP_SRCDIR:-$(dirname "$0")/..}" && pwd)
cd "$top/src" || exit 99
fail=0

allowed() {	# module -> allowed project headers (besides its own)
	case $1 in
	seq|cursor|packet|stats) echo "" ;;
	event) echo "packet.h event_kinds.def" ;;
	decode|decode_link|decode_ip|decode_tcp|decode_int)
		echo "packet.h cursor.h stats.h decode.h decode_int.h" ;;
	tcpstate) echo "seq.h decode.h packet.h" ;;
	flow) echo "decode.h tcpstate.h stats.h seq.h packet.h bigmem.h" ;;
	report|report_text|report_json)
		echo "event.h flow.h tcpstate.h stats.h report.h util.h decode.h seq.h packet.h
		messages.h framing.h" | tr '\n\t' '  ' ;;
	util|bigmem) echo "" ;;
	gate) echo "event.h report.h util.h" ;;
	tee) echo "event.h report.h flow.h tcpstate.h stats.h decode.h seq.h packet.h" ;;
	analysis|analysis_int|detect_*)
		echo "seq.h tcpstate.h flow.h event.h report.h analysis.h analysis_int.h decode.h stats.h packet.h" ;;
	reassembly) echo "seq.h" ;;
	framing) echo "" ;;
	messages) echo "framing.h" ;;
	bytestream)
		echo "reassembly.h decode.h event.h flow.h report.h stats.h util.h packet.h tcpstate.h
		framing.h messages.h" | tr '\n\t' '  ' ;;
	pipeline) echo "packet.h decode.h flow.h tcpstate.h analysis.h report.h stats.h event.h sockets.h util.h plot.h
		bytestream.h shard.h listen_plot.h framing.h messages.h" | tr '\n\t' '  ' ;;
	shard) echo "decode.h report.h util.h event.h flow.h tcpstate.h stats.h packet.h" ;;
	merge) echo "report.h shard.h util.h decode.h event.h flow.h tcpstate.h stats.h packet.h" ;;
	threads) echo "pipeline.h shard.h merge.h report.h util.h analysis.h decode.h event.h flow.h
		tcpstate.h stats.h packet.h" | tr '\n\t' '  ' ;;
	plot|plot_svg|plot_int)
		echo "seq.h tcpstate.h flow.h event.h report.h decode.h stats.h packet.h util.h plot.h plot_int.h
		svg.h tee.h" | tr '\n\t' '  ' ;;
	svg) echo "" ;;
	html_report) echo "listen_plot.h pipeline.h source.h plot.h report.h analysis.h flow.h tcpstate.h
		event.h decode.h stats.h packet.h seq.h svg.h util.h tee.h" | tr '\n\t' '  ' ;;
	listen_plot) echo "analysis.h flow.h report.h tcpstate.h event.h decode.h stats.h packet.h seq.h
		svg.h util.h tee.h" | tr '\n\t' '  ' ;;
	sockets) echo "flow.h report.h tcpstate.h seq.h decode.h stats.h event.h packet.h" ;;
	source) echo "packet.h pipeline.h util.h decode.h report.h analysis.h stats.h reader.h
		progress.h" | tr '\n\t' '  ' ;;
	live) echo "packet.h pipeline.h util.h decode.h report.h analysis.h stats.h capture_writer.h
		source.h reader.h progress.h" | tr '\n\t' '  ' ;;
	capture_writer) echo "packet.h pipeline.h source.h util.h decode.h report.h analysis.h stats.h
		reader.h" | tr '\n\t' '  ' ;;
	reader|reader_*) echo "reader.h util.h" ;;
	progress) echo "" ;;
	main|options) echo "*" ;;
	community_id) echo "" ;;
	*) echo "?" ;;
	esac
}

for f in *.c *.h; do
	mod=${f%.*}
	ok=$(allowed "$mod")
	if [ "$ok" = "?" ]; then
		echo "$f: module not in the layering table (tests/check-layering.sh)"
		fail=1
		continue
	fi
	while IFS= read -r inc; do
		h=${inc#*\"}
		h=${h%\"*}
		[ "$h" = "config.h" ] && continue
		[ "$h" = "$mod.h" ] && continue
		[ "$ok" = "*" ] && continue
		case " $ok " in
		*" $h "*) ;;
		*) echo "$f: includes \"$h\", not allowed for layer of $mod"; fail=1 ;;
		esac
	done < <(grep -E '^#include "' "$f")
	if grep -qE '^#include <json-c/' "$f" && [ "$f" != report_json.c ]; then
		echo "$f: json-c is confined to report_json.c"; fail=1
	fi
	if grep -qE '^#include <event2/' "$f" && [ "$f" != live.c ]; then
		echo "$f: libevent is confined to live.c"; fail=1
	fi
	if grep -qE '^#include <pcap/pcap.h>|^#include <pcap.h>' "$f" &&
	    [ "$f" != source.c ] && [ "$f" != live.c ] && [ "$f" != reader_libpcap.c ] &&
	    [ "$f" != capture_writer.c ]; then
		echo "$f: <pcap/pcap.h> is confined to source.c, capture_writer.c, live.c and" \
		    "reader_libpcap.c"
		fail=1
	fi
	if grep -qE '^#include <(zlib|zstd|lz4frame)\.h>' "$f" && [ "$f" != reader_decompress.c ]
	then
		echo "$f: the compression libraries are confined to reader_decompress.c"; fail=1
	fi
	awk -v f="$f" '{ gsub(/\t/, "        "); if (length($0) > 100) { print f ":" NR ": line longer than 100 columns"; bad = 1 } } END { exit bad }' "$f" || fail=1
	case $f in
	*.c)
		first=$(grep -m1 -E '^#include' "$f")
		if [ "$first" != '#include "config.h"' ]; then
			echo "$f: config.h must be the first include"; fail=1
		fi ;;
	esac
done
# Every capture, expectation and option file is listed in tests/pcaps.am
# (run by make check and distributed by make dist).
for f in "$top"/tests/pcaps/*.pcap "$top"/tests/pcaps/*.pcapng "$top"/tests/pcaps/*.args \
    "$top"/tests/pcaps/*.nstat "$top"/tests/expected/*; do
	[ -e "$f" ] || continue
	rel=${f#"$top"/}
	if ! grep -qxF "	$rel \\" "$top/tests/pcaps.am"; then
		echo "$rel: not in tests/pcaps.am (run tests/update-pcap-list.sh)"
		fail=1
	fi
done
[ "$fail" = 0 ] && echo "layering and style: ok"
exit $fail
