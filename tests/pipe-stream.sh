#!/bin/bash
# pipe-stream.sh: records stream out of a pipe (issue 17 item 4).  As with
# `tcpdump -U -w - | tcpdissect -o jsonl -`, a writer sends a capture
# header and a refused connection (SYN, RST) into a pipe and keeps it open
# until tcpdissect's first record has arrived: the record must leave before
# the input ends.  No sleeps: the writer blocks on tcpdissect's output,
# bounded by timeouts.  Also for a named FIFO, and with -l.
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top/tests/tap-lib.sh"
tap_setup
need_python

# writer MODE ARGS...: run tcpdissect ARGS reading gen-refused.pcap's first
# two packets through a pipe (MODE stdin) or a FIFO (MODE fifo); prints the
# first line it wrote while its input was still open, or fails.
writer() {
	timeout 60 "$py" - "$P/gen-refused.pcap" "$tmp/fifo" "$@" <<'PY'
import os, select, struct, subprocess, sys

cap, fifo, mode, cmd = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
data = open(cap, "rb").read()
# the global header, then the first two records (SYN, then the RST)
end, recs = 24, 0
while recs < 2:
    incl = struct.unpack("<I", data[end + 8:end + 12])[0]
    end += 16 + incl
    recs += 1
if mode == "stdin":
    proc = subprocess.Popen(cmd + ["-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    out = proc.stdin
else:
    proc = subprocess.Popen(cmd + [fifo], stdout=subprocess.PIPE)
    out = open(fifo, "wb")
out.write(data[:end])
out.flush()
ready, _, _ = select.select([proc.stdout], [], [], 30)
line = proc.stdout.readline() if ready else b""
out.close()				# only now does the input end
rest = proc.stdout.read()
proc.wait()
if not line:
    sys.exit("no record before the input ended")
sys.stdout.write(line.decode())
PY
}

first_is_refused() { grep -q '"kind":"connection_refused"' "$tmp/line"; }

writer stdin "$bin" -o jsonl > "$tmp/line"
check "stdin pipe, jsonl: first record before the writer closes" first_is_refused

mkfifo "$tmp/fifo"
writer fifo "$bin" -o jsonl > "$tmp/line"
check "named FIFO, jsonl: first record before the writer closes" first_is_refused

writer stdin "$bin" > "$tmp/line"
check "stdin pipe, text: first line before the writer closes" test -s "$tmp/line"

writer stdin "$bin" -l -o jsonl > "$tmp/line"
check "-l: first record before the writer closes" first_is_refused

# A regular file keeps the batched path and the same records.
"$bin" -o jsonl "$P/gen-refused.pcap" > "$tmp/file.jsonl"
"$bin" -l -o jsonl "$P/gen-refused.pcap" > "$tmp/l.jsonl"
check "-l on a regular file: the same records" cmp -s "$tmp/file.jsonl" "$tmp/l.jsonl"
"$bin" -o jsonl - < "$P/gen-refused.pcap" > "$tmp/stdin.jsonl"
check "stdin from a file: the same records" \
    cmp -s <(grep -v '"summary"' "$tmp/file.jsonl") <(grep -v '"summary"' "$tmp/stdin.jsonl")
cat "$P/gen-refused.pcap" | "$bin" -o jsonl - > "$tmp/stdin.jsonl"
check "stdin from a pipe: the same records" \
    cmp -s <(grep -v '"summary"' "$tmp/file.jsonl") <(grep -v '"summary"' "$tmp/stdin.jsonl")

tap_done
