#!/bin/bash
# filter-numbering.sh: a trailing BPF filter never changes Wireshark's
# numbers (issue 17 item 1).  For every capture of tests/pcaps, the client
# port P of its highest-numbered connection is used as the filter
# 'port P', and every connection record of the filtered run must be the
# unfiltered run's record of that connection with the same stream,
# first_frame and last_frame, every event must name a stream that the
# unfiltered run gave to the same 4-tuple, and the summary must keep the
# file's totals apart from the filtered ones.  Then -c N counts matching
# packets, as tcpdump's -c does.
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${TCPDISSECT:-./tcpdissect}
. "$top/tests/tap-lib.sh"
need_python

# Under the sanitizer build one capture in three (each capture is its own
# sanitized test as well).
stride=1
sanitizer_build && stride=3
"$py" - "$bin" "$top/tests/pcaps" "$stride" <<'EOF'
import glob, json, os, subprocess, sys

binary, pcaps, stride = sys.argv[1], sys.argv[2], int(sys.argv[3])
n = fails = 0


def report(ok, what):
    global n, fails
    n += 1
    if not ok:
        fails += 1
    print("%s %d - %s" % ("ok" if ok else "not ok", n, what))


def run(*args):
    p = subprocess.run([binary, "-o", "jsonl"] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, timeout=120)
    recs = []
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        try:
            recs.append(json.loads(line))
        except ValueError:
            pass
    return p.returncode, recs


def ends(c):
    return frozenset([(c["client"]["ip"], c["client"]["port"]),
                      (c["server"]["ip"], c["server"]["port"])])


compared = 0
for path in sorted(glob.glob(pcaps + "/*.pcap") + glob.glob(pcaps + "/*.pcapng"))[::stride]:
    name = os.path.basename(path)
    rc, full = run(path)
    conns = [r for r in full if r["type"] == "connection"]
    if rc not in (0, 3) or not conns:
        continue	# unreadable, or no connection to filter on
    target = max(conns, key=lambda c: c["stream"])
    port = target["client"]["port"]
    rc, part = run(path, "port %d" % port)
    if rc == 1:
        continue	# 'port' does not compile for this link type
    s = [r for r in part if r["type"] == "summary"]
    if s and (s[-1].get("filter") or {}).get("packets") == 0:
        continue	# BPF's 'port' does not look inside this encapsulation
    compared += 1
    by_stream = {}
    for c in conns:	# an idle connection that speaks again has two records
        by_stream.setdefault(c["stream"], []).append(c)
    bad = []
    pconns = [r for r in part if r["type"] == "connection"]
    if not any(c["stream"] == target["stream"] for c in pconns):
        bad.append("no record of stream %d" % target["stream"])
    for c in pconns:
        us = by_stream.get(c["stream"], [])
        if not any(ends(u) == ends(c) for u in us):
            bad.append("stream %d is another connection unfiltered" % c["stream"])
        elif not any((u["first_frame"], u["last_frame"]) == (c["first_frame"], c["last_frame"])
                     for u in us):
            bad.append("stream %d: frames %d-%d, unfiltered %s" % (
                c["stream"], c["first_frame"], c["last_frame"],
                ", ".join("%d-%d" % (u["first_frame"], u["last_frame"]) for u in us)))
    for e in part:
        if e["type"] != "event" or e.get("stream") is None or "src_ip" not in e:
            continue
        pair = frozenset([(e["src_ip"], e["src_port"]), (e["dst_ip"], e["dst_port"])])
        if not any(ends(u) == pair for u in by_stream.get(e["stream"], [])):
            bad.append("%s at frame %d: stream %d is another connection unfiltered" % (
                e["kind"], e["frame"], e["stream"]))
    s = [r for r in part if r["type"] == "summary"]
    fs = [r for r in full if r["type"] == "summary"]
    if not s or not fs:
        bad.append("no summary")
    else:
        s, fs = s[-1], fs[-1]
        f = s.get("filter") or {}
        if s["packets"] != fs["packets"] or s["bytes"] != fs["bytes"]:
            bad.append("summary packets/bytes are not the file's")
        if f.get("expression") != "port %d" % port or f.get("packets", 0) < 1 or \
                f["packets"] > s["packets"] or s["tcp_packets"] > f["packets"]:
            bad.append("summary.filter wrong: %r" % (f,))
        if s["connections"] != len(pconns):
            bad.append("summary.connections %d, %d records" % (s["connections"], len(pconns)))
    report(not bad, "%s 'port %d': %s" % (name, port, "; ".join(bad[:3]) or "same numbers"))

report(compared >= 100 // stride, "compared %d captures" % compared)

# -c N counts the packets the filter matched (tcpdump's -c), and the frame
# numbers stay the file's.
path = pcaps + "/corpus-zeek-ftp-bruteforce.pcap"
rc, full = run(path)
want = [c for c in full if c["type"] == "connection" and c["client"]["port"] == 54047]
rc, part = run("-c", "5", path, "port 54047")
s = [r for r in part if r["type"] == "summary"][-1]
report(rc == 0 and (s.get("filter") or {}).get("packets") == 5 and s["tcp_packets"] == 5,
       "-c 5 with a filter: five matching packets analysed (%r)" % (s.get("filter"),))
got = [c for c in part if c["type"] == "connection"]
report(len(want) == 1 and len(got) == 1 and got[0]["stream"] == want[0]["stream"] and
       got[0]["first_frame"] == want[0]["first_frame"] and
       got[0]["last_frame"] == want[0]["first_frame"] + 4,
       "-c 5 with a filter: stream and frames of the file")
rc, part = run("-c", "5", path)
s = [r for r in part if r["type"] == "summary"][-1]
report(s["packets"] == 5 and "filter" not in s, "-c 5 without a filter: five packets")

print("1..%d" % n)
sys.exit(1 if fails else 0)
EOF
