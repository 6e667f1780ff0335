#!/usr/bin/env python3
"""Byte-stream analysis oracle: tcpdissect's retransmission / dup ACK / zero window / ... events
against tshark's tcp.analysis.* flags (driven by tests/oracle-stream.sh).

    oracle_stream.py [-v] [-j JOBS] [--known FILE] [--timeout S] [--min-frames N]
                     [--threshold T] FILE...

For every capture: tshark -n -r FILE -T fields -e frame.number -e tcp.stream -e
tcp.analysis.<flag>... gives per frame the set of Wireshark flags; tcpdissect -o jsonl [ARGS from
FILE.args] FILE gives the "type":"event" records.  Both are reduced to (frame, kind) pairs and
compared per kind, summed over all captures.

Wireshark split (Wireshark 4.0 packet-tcp.c, tcp_sequence_number_analysis_print_retransmission):
a fast retransmission also sets tcp.analysis.retransmission, so does a spurious one; an
out-of-order segment sets only tcp.analysis.out_of_order.  So a frame counts as
fast_retransmission if tshark sets fast_retransmission, as spurious_retransmission if it sets
spurious_retransmission (the analysis sets at most one of fast / spurious / out-of-order /
plain retransmission), and as retransmission only if it sets retransmission and neither of the
two others.

The allowlist (--known, default tests/oracle-stream.known next to this script) has lines
`CAPTURE FRAME KIND reason-class` (CAPTURE = file name without directory, KIND = a tcpdissect
kind, '#' comments): such a (capture, frame, kind) is a documented disagreement where tcpdissect
is right; it is left out of both/only/precision/recall and counted in the 'known' column.

Exit: 0 = every kind with >= N (20) tshark frames has precision and recall >= T (0.95);
1 = otherwise; 99 = setup error.  Captures tshark cannot read, or tcpdissect refuses (non-zero
exit), are skipped with a note.
"""

import argparse
import collections
import concurrent.futures
import json
import os
import subprocess
import sys

# tcpdissect kind -> tshark field
KIND_FIELD = collections.OrderedDict([
    ("retransmission", "tcp.analysis.retransmission"),
    ("fast_retransmission", "tcp.analysis.fast_retransmission"),
    ("spurious_retransmission", "tcp.analysis.spurious_retransmission"),
    ("out_of_order", "tcp.analysis.out_of_order"),
    ("lost_segment", "tcp.analysis.lost_segment"),
    ("acked_unseen", "tcp.analysis.ack_lost_segment"),
    ("dup_ack", "tcp.analysis.duplicate_ack"),
    ("zero_window", "tcp.analysis.zero_window"),
    ("zero_window_probe", "tcp.analysis.zero_window_probe"),
    ("window_full", "tcp.analysis.window_full"),
    ("window_update", "tcp.analysis.window_update"),
    ("keep_alive", "tcp.analysis.keep_alive"),
])
FIELDS = ["frame.number", "tcp.stream"] + list(KIND_FIELD.values())
# tcpdissect's handshake kinds that Wireshark reports as tcp.analysis.retransmission
SYN_KINDS = {"syn_retransmit": "retransmission", "synack_retransmit": "retransmission"}


def tshark_flags(path, timeout, tshark=None):
    """-> ({frame: (stream, set(kinds))}, note) or (None, reason) if tshark cannot read it."""
    cmd = [tshark or os.environ.get("TSHARK", "tshark"), "-n", "-r", path, "-T", "fields",
           "-E", "separator=/t"]
    for f in FIELDS:
        cmd += ["-e", f]
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "tshark timed out"
    out = p.stdout.decode("utf-8", "replace")
    res = {}
    for line in out.splitlines():
        cols = line.split("\t")
        cols += [""] * (len(FIELDS) - len(cols))
        if not cols[0].strip().isdigit():
            continue
        frame = int(cols[0])
        stream = int(cols[1].split(",")[0]) if cols[1].strip() else None
        have = {k for k, v in zip(KIND_FIELD, cols[2:]) if v.strip()}
        kinds = set()
        if "fast_retransmission" in have:
            kinds.add("fast_retransmission")
        elif "spurious_retransmission" in have:
            kinds.add("spurious_retransmission")
        elif "retransmission" in have:
            kinds.add("retransmission")
        kinds |= have - {"retransmission", "fast_retransmission", "spurious_retransmission"}
        res[frame] = (stream, kinds)
    if p.returncode != 0 and not res:
        err = " ".join(ln for ln in p.stderr.decode("utf-8", "replace").splitlines()
                       if ln.strip() and not ln.startswith("Running as user"))
        return None, "tshark cannot read it: " + (err or "exit %d" % p.returncode)
    return res, ("tshark read only a prefix" if p.returncode != 0 else "")


def capture_args(path):
    if os.path.isfile(path + ".args"):
        with open(path + ".args") as f:
            return f.read().split()
    return []


def tcpdissect_events(path, timeout, binary=None, kinds=None):
    """-> ('ok', [event dicts]) / ('skip', reason) / ('fail', reason)."""
    binary = binary or os.environ.get("TCPDISSECT", "./tcpdissect")
    try:
        p = subprocess.run([binary, "-o", "jsonl"] + capture_args(path) + [path],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "fail", "tcpdissect did not finish within %d s" % timeout
    except OSError as e:
        return "fail", "cannot run %s: %s" % (binary, e)
    err = p.stderr.decode("utf-8", "replace").strip().splitlines()
    if p.returncode < 0 or p.returncode >= 126:
        return "fail", "tcpdissect crashed (exit %d)%s" % (p.returncode,
                                                          (": " + err[-1]) if err else "")
    if p.returncode != 0:
        return "skip", "tcpdissect exit %d%s" % (p.returncode, (": " + err[0]) if err else "")
    evs = []
    for n, line in enumerate(p.stdout.decode("utf-8", "replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError:
            return "fail", "jsonl line %d is not JSON: %.200s" % (n, line)
        if isinstance(rec, dict) and rec.get("type") == "event" and \
                (kinds is None or rec.get("kind") in kinds):
            evs.append(rec)
    return "ok", evs


def load_known(path):
    known = {}
    if not path or not os.path.isfile(path):
        return known
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split()
            if len(parts) < 4 or not parts[1].isdigit() or parts[2] not in KIND_FIELD:
                sys.exit("oracle_stream.py: %s:%d: want 'CAPTURE FRAME KIND reason-class' with "
                         "KIND one of %s" % (path, n, " ".join(KIND_FIELD)))
            known[(parts[0], int(parts[1]), parts[2])] = " ".join(parts[3:])
    return known


def one(path, timeout):
    ts, note = tshark_flags(path, timeout)
    if ts is None:
        return path, "skip", note, None
    st, evs = tcpdissect_events(path, timeout, kinds=set(KIND_FIELD) | set(SYN_KINDS) | {"network_duplicate"})
    if st != "ok":
        return path, st, evs, None
    td = collections.defaultdict(set)
    for e in evs:
        if isinstance(e.get("frame"), int):
            # Wireshark flags a re-sent SYN or SYN-ACK as a retransmission
            td[e["frame"]].add(SYN_KINDS.get(e["kind"], e["kind"]))
    return path, "ok", note, (ts, td)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="tcpdissect vs tshark byte-stream flags")
    ap.add_argument("-v", action="store_true", help="list the disagreeing frames per capture")
    ap.add_argument("-j", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--known", default=os.path.join(here, "oracle-stream.known"))
    ap.add_argument("--timeout", type=int, default=int(os.environ.get("ORACLE_TIMEOUT", "60")))
    ap.add_argument("--min-frames", type=int, default=20)
    ap.add_argument("--threshold", type=float, default=0.95)
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    known = load_known(a.known)
    both = collections.Counter()
    only_td = collections.Counter()
    only_ts = collections.Counter()
    nknown = collections.Counter()
    used_known = set()
    failed = 0
    details = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.j)) as ex:
        results = list(ex.map(lambda f: one(f, a.timeout), a.files))
    ncap = 0
    for path, status, note, data in results:
        name = os.path.basename(path)
        if status == "skip":
            print("skip %s: %s" % (name, note))
            continue
        if status == "fail":
            print("FAIL %s: %s" % (name, note))
            failed += 1
            continue
        ncap += 1
        if note:
            print("note %s: %s" % (name, note))
        ts, td = data
        lines = []
        for frame in sorted(set(ts) | set(td)):
            stream, tk = ts.get(frame, (None, set()))
            dk = td.get(frame, set())
            for kind in KIND_FIELD:
                a_in, b_in = kind in dk, kind in tk
                if not (a_in or b_in):
                    continue
                key = (name, frame, kind)
                if key in known:
                    nknown[kind] += 1
                    used_known.add(key)
                    continue
                if a_in and b_in:
                    both[kind] += 1
                elif a_in:
                    only_td[kind] += 1
                    lines.append("  frame %d stream %s %s: tcpdissect only (tshark: %s)" % (
                        frame, stream, kind, ",".join(sorted(tk)) or "-"))
                else:
                    only_ts[kind] += 1
                    lines.append("  frame %d stream %s %s: tshark only (tcpdissect: %s)" % (
                        frame, stream, kind, ",".join(sorted(dk)) or "-"))
        if lines:
            details.append((name, lines))
    if a.v:
        for name, lines in details:
            print("%s: %d disagreement(s)" % (name, len(lines)))
            for ln in lines:
                print(ln)
    for key in sorted(set(known) - used_known):
        print("note: allowlist entry not matched by any disagreement: %s %d %s" % key)
    print()
    print("%-24s %7s %7s %7s %7s %9s %7s" % ("kind", "both", "td-only", "ts-only", "known",
                                             "precision", "recall"))
    bad = []
    for kind in KIND_FIELD:
        b, d, t = both[kind], only_td[kind], only_ts[kind]
        prec = b / (b + d) if b + d else None
        rec = b / (b + t) if b + t else None
        print("%-24s %7d %7d %7d %7d %9s %7s" % (
            kind, b, d, t, nknown[kind], "-" if prec is None else "%.3f" % prec,
            "-" if rec is None else "%.3f" % rec))
        if b + t >= a.min_frames and ((prec or 0) < a.threshold or (rec or 0) < a.threshold):
            bad.append(kind)
    print("%d capture(s) compared; tshark is the reference; 'known' = allowlisted in %s" % (
        ncap, os.path.relpath(a.known) if os.path.exists(a.known) else a.known))
    if bad:
        print("FAIL: precision or recall < %.2f for: %s (kinds with >= %d tshark frames)" % (
            a.threshold, " ".join(bad), a.min_frames))
    if failed:
        print("FAIL: %d capture(s) crashed / hung / wrote bad JSON" % failed)
    return 1 if bad or failed else 0


if __name__ == "__main__":
    sys.exit(main())
