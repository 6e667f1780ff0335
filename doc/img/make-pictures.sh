#!/bin/sh
# make-pictures.sh TCPDISSECT TOP_SRCDIR: regenerate the README's pictures
# (doc/img/*.svg: time-sequence graphs and a listener timeline) from the kernel
# recordings in tests/pcaps (`make pictures`).
# Captures are named relative to the source tree, so the pictures do not
# carry the builder's paths.
set -eu
bin=$1
cd "$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
# picture capture stream direction(A: the first segment's sender)
while read -r name cap stream dir; do
	"$bin" -q --plot "$stream" --plot-dir "$tmp/$name" "tests/pcaps/$cap" > /dev/null
	cp "$tmp/$name/stream-$stream-$dir.svg" "doc/img/$name.svg"
	echo "doc/img/$name.svg"
done <<'LIST'
plot-loss-fast real-stream-loss-fast-sender.pcap 0 A
plot-zero-window real-stream-zerowin.pcap 0 A
plot-rto real-stream-rto-sender.pcap 0 A
LIST
# listener timelines: picture capture listener(IP-PORT)
while read -r name cap listener; do
	"$bin" -q --plot-listeners --plot-dir "$tmp/$name" "tests/pcaps/$cap" > /dev/null
	cp "$tmp/$name/listener-$listener.svg" "doc/img/$name.svg"
	echo "doc/img/$name.svg"
done <<'LIST'
listener-syn-flood real-syn-flood-cookies.pcap 10.202.0.1-8080
LIST
