#!/bin/bash
# write-safety.sh: -w never harms a file it should not (issue 11, defects 3
# and 4) and "-w -" writes the capture to standard output (issue 17 item 4).
#  - an output that is one of the inputs (itself or through a symlink) is
#    refused in one line and the input is left as it was;
#  - a run that fails or is interrupted leaves the output's old content
#    (the capture is written to a temporary file renamed at the end) and no
#    temporary file;
#  - a symlink another user planted in a shared directory is not followed;
#  - live, -Z USER opens -w as USER (tcpdump's order), so neither a
#    symlink nor a root-only directory gets root's rights (needs root and
#    live capture on lo, else those checks are skipped);
#  - "-w -" writes a capture tcpdump (as in "tcpdump -r -") reads, and the
#    report goes to stderr.
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top/tests/tap-lib.sh"
td_pid=
tap_cleanup() {
	[ -n "$td_pid" ] && kill "$td_pid" 2>/dev/null
}
tap_setup absolute
cd "$tmp" || exit 99

sum() { md5sum < "$1"; }
no_tmp_left() { [ -z "$(find "$1" -name '.*.pcap.*' -print)" ]; }
is_pcap() {	# a classic pcap header (nanosecond magic, either byte order)
	[ "$(head -c 4 "$1" | od -An -tx1 | tr -d ' \n')" = 4d3cb2a1 ] ||
	    [ "$(head -c 4 "$1" | od -An -tx1 | tr -d ' \n')" = a1b23c4d ]
}

# ---- an output that is an input
cp "$P/gen-reset.pcap" x.pcap
before=$(sum x.pcap)
"$bin" -q -w x.pcap x.pcap > out 2> err
rc=$?
check "-w naming its input: exit 1" test "$rc" = 1
check "... one line saying why" test "$(wc -l < err)" = 1 -a -n "$(grep 'also an input' err)"
check "... the input unharmed" test "$(sum x.pcap)" = "$before"
ln -s x.pcap alias.pcap
"$bin" -q -w alias.pcap x.pcap > out 2> err
check "-w naming the input through a symlink: refused" test $? = 1 -a "$(sum x.pcap)" = "$before"
"$bin" -q -w x.pcap "$P/gen-refused.pcap" alias.pcap > out 2> err
check "an input given through a symlink: refused" test $? = 1 -a "$(sum x.pcap)" = "$before"

# ---- a failed run leaves the old output alone
echo "old content" > keep.pcap
"$bin" -q -w keep.pcap no-such-input.pcap > out 2> err
check "-w with an unreadable input: exit 2" test $? = 2
check "... the old output unchanged" test "$(cat keep.pcap)" = "old content"
check "... no temporary file left" no_tmp_left .

# ---- an interrupted run: the report goes to a FIFO the test holds open
# and never reads, so the run is blocked inside its first pass (216 KB of
# records, more than a pipe holds) when it is stopped.  (The input cannot
# be the FIFO: -w refuses inputs that cannot be read twice.)
mkfifo slow.out
"$bin" -o jsonl -w keep.pcap "$P/corpus-suricata-verify-tls-tls-subjectaltname-input.pcap" \
    > slow.out 2> err &
td_pid=$!
exec 3< slow.out
for _ in $(seq 1 200); do	# until the output exists (bounded: 20 s)
	[ -n "$(find . -name '.keep.pcap.*' -print)" ] && break
	sleep 0.1
done
kill -TERM "$td_pid"
wait "$td_pid" 2>/dev/null
td_pid=
exec 3<&-
check "an interrupted run leaves the old output" test "$(cat keep.pcap)" = "old content"
check "... and no temporary file" no_tmp_left .

# ---- a complete run writes the capture under its name
"$bin" -q -w new.pcap "$P/gen-reset.pcap" > out 2> err
check "-w: the capture is written" is_pcap new.pcap
check "... with no temporary file left" no_tmp_left .

# ---- "-w -": the capture on stdout, the report on stderr
"$bin" -w - "$P/gen-reset.pcap" > cap.out 2> rep.err
check "-w -: exit 0" test $? = 0
check "... no file named '-'" test ! -e ./-
check "... a capture on stdout" is_pcap cap.out
check "... the report on stderr" grep -q '^summary:' rep.err
if command -v tcpdump > /dev/null; then
	"$bin" -q -w - "$P/gen-reset.pcap" 2> /dev/null | tcpdump -n -r - > td.out 2> td.err
	check "tcpdissect -w - f.pcap | tcpdump -r - reads it (tcpdump's own -w - habit)" \
	    test "${PIPESTATUS[1]:-1}" = 0 -a "$(wc -l < td.out)" = 8
else
	echo "ok $((n += 1)) # SKIP tcpdump not installed"
fi

# ---- symlinks and -Z: need root
if [ "$(id -u)" != 0 ] || ! id nobody > /dev/null 2>&1; then
	echo "ok $((n += 1)) # SKIP not root, or no user nobody: symlink and -Z checks"
else
	mkdir -m 1777 shared
	echo secret > shared/secret
	chmod 600 shared/secret
	chmod 755 "$tmp"
	su -s /bin/sh nobody -c "ln -s '$tmp/shared/secret' '$tmp/shared/planted.pcap'"
	"$bin" -q -w shared/planted.pcap "$P/gen-reset.pcap" > out 2> err
	check "a symlink another user planted is not followed" \
	    test $? = 1 -a "$(cat shared/secret)" = secret
	ln -s x.pcap mine.pcap
	"$bin" -q -w mine.pcap "$P/gen-reset.pcap" > out 2> err
	check "a symlink of one's own is followed" test -L mine.pcap -a "$(sum x.pcap)" != "$before"
	if "$bin" -D > /dev/null 2>&1; then
		timeout 20 "$bin" -q -i lo -Z nobody -w shared/planted.pcap --duration 1 \
		    > out 2> err
		check "live -Z nobody -w LINK: the root-only file it names is unharmed" \
		    test "$(cat shared/secret)" = secret
		mkdir -m 700 rootonly
		timeout 20 "$bin" -q -i lo -Z nobody -w rootonly/o.pcap --duration 1 > out 2> err
		check "live -Z nobody -w: opened as nobody (a root-only directory refuses)" \
		    test $? = 2 -a ! -e rootonly/o.pcap
	else
		echo "ok $((n += 1)) # SKIP no live capture here"
	fi
fi

tap_done
