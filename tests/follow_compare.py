#!/usr/bin/env python3
"""follow_compare.py: tcpdissect --extract against tshark -z follow,tcp,raw.

For one capture: tcpdissect --extract writes every direction to a directory,
then tshark prints `-z follow,tcp,raw,N` for each stream found there (at most
MAX_STREAMS) in one pass.  Each direction's
bytes must be equal, byte for byte, after the holes tcpdissect lists in its
.holes side file are cut out (tshark concatenates what it has).  With
--follow-raw the output of tcpdissect --follow N,raw for the first of them
must equal tshark's text for it exactly.

Usage: follow_compare.py TCPDISSECT TSHARK CAPTURE [--follow-raw]
Prints 'ok' lines or the differences; exit 0 = equal, 1 = different,
77 = nothing to compare (no payload, or tshark cannot read the file).
"""
import ipaddress
import os
import subprocess
import sys
import tempfile

MAX_STREAMS = 40


def endpoint(text):
    """'Node 0: 10.0.0.1:80' or '[2001:db8::1]:80' -> (address, port)."""
    host, _, port = text.rpartition(":")
    host = host.strip("[]")
    return (ipaddress.ip_address(host), int(port))


def parse_follow(text):
    """tshark's raw follow output -> {stream: (node0, node1, bytes0, bytes1)}."""
    out = {}
    cur = None
    for line in text.split("\n"):
        if line.startswith("Filter: tcp.stream eq "):
            cur = {"stream": int(line.split()[-1]), "nodes": [], "data": [bytearray(), bytearray()]}
        elif cur is None:
            continue
        elif line.startswith("Node "):
            cur["nodes"].append(endpoint(line.split(": ", 1)[1]))
        elif line.startswith("====="):
            out[cur["stream"]] = cur
            cur = None
        elif line.startswith("\t"):
            cur["data"][1] += bytes.fromhex(line[1:])
        elif line:
            cur["data"][0] += bytes.fromhex(line)
    return out


def ours(directory):
    """--extract's files -> {(stream, src, dst): bytes with the holes cut out}."""
    res = {}
    for name in os.listdir(directory):
        if name.endswith(".holes"):
            continue
        stream, src, dst = name.split("-", 2)
        def ep(s):
            a, _, p = s.rpartition(".")
            return (ipaddress.ip_address(a), int(p))
        with open(os.path.join(directory, name), "rb") as f:
            data = f.read()
        holes = []
        hp = os.path.join(directory, name + ".holes")
        if os.path.exists(hp):
            with open(hp) as f:
                for line in f:
                    off, ln = line.split()[:2]
                    holes.append((int(off), int(ln)))
        for off, ln in sorted(holes, reverse=True):
            data = data[:off] + data[off + ln:]
        res[(int(stream), ep(src), ep(dst))] = bytes(data)
    return res


def first_diff(a, b):
    for i in range(min(len(a), len(b))):
        if a[i] != b[i]:
            return i
    return min(len(a), len(b))


def block_of(text, stream):
    """The text tshark printed for one stream's follow, as a lone -z prints it."""
    lines = text.split("\n")
    out = []
    for i, line in enumerate(lines):
        if line == "Filter: tcp.stream eq %d" % stream:
            j = i + 1
            while not lines[j].startswith("====="):
                j += 1
            out = ["", lines[i - 2], lines[i - 1]] + lines[i:j + 1]
            break
    return "\n".join(out) + "\n"


def main():
    td, tshark, cap = sys.argv[1:4]
    follow_raw = "--follow-raw" in sys.argv[4:]
    bad = 0
    with tempfile.TemporaryDirectory() as d:
        x = os.path.join(d, "x")
        rr = subprocess.run([td, "-q", "--extract", x, cap], capture_output=True, timeout=300)
        if rr.returncode not in (0, 2):
            print("tcpdissect exited %d: %s" % (rr.returncode, rr.stderr.decode(errors="replace")))
            return 1
        mine = ours(x) if os.path.isdir(x) else {}
        streams = sorted(set(k[0] for k in mine))[:MAX_STREAMS]
        if not streams:
            print("# nothing to compare in %s" % os.path.basename(cap))
            return 77
        cmd = [tshark, "-n", "-r", cap, "-q"]
        for s in streams:
            cmd += ["-z", "follow,tcp,raw,%d" % s]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            print("# tshark failed on %s" % cap)
            return 77
        theirs = parse_follow(r.stdout)
        for s in streams:
            t = theirs.get(s)
            if t is None or len(t["nodes"]) != 2:
                print("# stream %d: no tshark follow output" % s)
                continue
            for i in (0, 1):
                key = (s, t["nodes"][i], t["nodes"][1 - i])
                want = bytes(t["data"][i])
                got = mine.get(key, b"")
                if got == want:
                    print("ok stream %d node %d: %d bytes" % (s, i, len(want)))
                else:
                    bad += 1
                    at = first_diff(got, want)
                    print("DIFF stream %d node %d: tcpdissect %d bytes, tshark %d, first "
                          "difference at %d" % (s, i, len(got), len(want), at))
        if follow_raw:
            rr = subprocess.run([td, "--follow", "%d,raw" % streams[0], cap],
                                capture_output=True, text=True, timeout=300)
            if rr.stdout == block_of(r.stdout, streams[0]):
                print("ok --follow %d,raw is tshark's text" % streams[0])
            else:
                bad += 1
                print("DIFF --follow %d,raw differs from tshark's text" % streams[0])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
