#!/usr/bin/env python3
"""Per-kind recall and precision of tcpdissect's events on the recordings of the Linux kernel
(tests/pcaps/real-*.pcap), against truth built without tcpdissect (driven by
tests/kind-recall.sh).

    kind_recall.py [--top DIR] [--min PERCENT] [--markdown]

Truth sources, each complete for the kinds it names:
  tests/record/stream-truth/NAME.truth    `KIND FRAME STREAM`, complete for the byte-stream
                                          kinds (truth_check.BYTE_STREAM_KINDS) of NAME.pcap
  tests/listen-truth/real-*.truth         listen_truth.py's format (pcap, args, kinds lines)
  tests/record/kind-truth/*.truth         the same format, plus
                                            KIND * STREAM   one event of KIND on STREAM, at a
                                                            frame the truth does not know
                                                            (matched by connection)
                                            ignore KIND FRAME STREAM   an event that is neither
                                                            required nor forbidden (the
                                                            comment above it says why)
Where two sources name the same kind for the same capture, the listen/kind truth wins.

Per kind: TP (an event of the truth reported at its frame and stream, or on its stream for
'*'), FN (in the truth, not reported), FP (reported, in no truth complete for that kind on that
capture).  Recall = TP / (TP + FN), precision = TP / (TP + FP); macro = the mean over the
captures where the kind is in the truth (recall) or reported (precision).  A kind fails when
its macro recall or precision is under --min (default 97); a kind no recording shows must be in
tests/kind-recall.known with the reason and the generated capture used instead.
Exit: 0 pass, 1 a kind under the bar or unexplained, 99 setup error.
"""

import argparse
import collections
import glob
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import truth_check  # noqa: E402


def parse_truth(path):
    """(pcap, args, kinds, want Counter of (kind, frame|None, stream), ignore set)."""
    pcap, args, kinds = None, [], None
    want, ignore = collections.Counter(), set()
    with open(path) as f:
        for n, line in enumerate(f, 1):
            parts = line.split()
            if not parts or parts[0].startswith("#"):
                continue
            if parts[0] == "pcap":
                pcap = parts[1]
            elif parts[0] == "args":
                args = parts[1:]
            elif parts[0] == "kinds":
                kinds = set(parts[1:])
            else:
                ign = parts[0] == "ignore"
                if ign:
                    parts = parts[1:]
                if len(parts) < 3 or not (parts[1].isdigit() or parts[1] == "*") or \
                        not (parts[2].isdigit() or parts[2] == "-"):
                    raise ValueError("%s:%d: want '[ignore] KIND FRAME STREAM'" % (path, n))
                key = (parts[0], None if parts[1] == "*" else int(parts[1]),
                       None if parts[2] == "-" else int(parts[2]))
                if ign:
                    ignore.add(key)
                else:
                    want[key] += 1
    if pcap is None or kinds is None:
        raise ValueError("%s: needs 'pcap' and 'kinds' lines" % path)
    bad = [k for k in list(want) + list(ignore) if k[0] not in kinds]
    if bad:
        raise ValueError("%s: %s is not among its kinds" % (path, bad[0][0]))
    return pcap, args, kinds, want, ignore


def collect(top):
    """{(pcap, args tuple): [kinds, want, ignore, sources]} over every truth source."""
    caps = {}

    def add(pcap, args, kinds, want, ignore, src, wins):
        c = caps.setdefault((pcap, tuple(args)), [set(), collections.Counter(), set(), []])
        if wins:        # drop the weaker source's lines for these kinds
            for k in [k for k in c[1] if k[0] in kinds]:
                del c[1][k]
            c[2] = {k for k in c[2] if k[0] not in kinds}
        else:
            kinds = kinds - c[0]
            want = collections.Counter({k: v for k, v in want.items() if k[0] in kinds})
        c[0] |= kinds
        c[1].update(want)
        c[2] |= ignore
        c[3].append(os.path.relpath(src, top))

    for tf in sorted(glob.glob(os.path.join(top, "tests/record/stream-truth/*.truth"))):
        _, want = truth_check.read_truth(tf)
        name = os.path.basename(tf)[:-len(".truth")] + ".pcap"
        add(name, [], set(truth_check.BYTE_STREAM_KINDS), want, set(), tf, False)
    for tf in sorted(glob.glob(os.path.join(top, "tests/listen-truth/real-*.truth")) +
                     glob.glob(os.path.join(top, "tests/record/kind-truth/*.truth"))):
        pcap, args, kinds, want, ignore = parse_truth(tf)
        add(pcap, args, kinds, want, ignore, tf, True)
    return caps


def run(binary, pcap, args):
    out = subprocess.run([binary, "-o", "jsonl"] + list(args) + [pcap], capture_output=True,
                         text=True, timeout=120, env=dict(os.environ, TZ="UTC", LC_ALL="C"))
    if out.returncode not in (0, 3):
        raise ValueError("%s: tcpdissect exit %d: %s" % (pcap, out.returncode,
                                                          out.stderr.strip()))
    return [r for r in map(json.loads, out.stdout.splitlines()) if r.get("type") == "event"]


def score(kinds, want, ignore, events):
    """{kind: [tp, fn, fp, misses, extras]} for one capture."""
    res = {k: [0, 0, 0, [], []] for k in kinds}
    got = collections.Counter((e["kind"], e.get("frame"), e.get("stream")) for e in events
                              if e["kind"] in kinds)
    left = collections.Counter(want)
    for key, n in sorted(got.items(), key=str):
        kind = key[0]
        for _ in range(n):
            if left[key] > 0:
                left[key] -= 1
                res[kind][0] += 1
            elif left[(kind, None, key[2])] > 0:
                left[(kind, None, key[2])] -= 1
                res[kind][0] += 1
            elif key in ignore or (kind, None, key[2]) in ignore:
                pass
            else:
                res[kind][2] += 1
                res[kind][4].append(key)
    for key, n in left.items():
        if n > 0:
            res[key[0]][1] += n
            res[key[0]][3].extend([key] * n)
    return res


def read_known(path):
    """({kind: reason} of kinds no recording shows, {(pcap, kind, frame, stream): reason} of
    allowed misses: lines `miss PCAP KIND FRAME STREAM REASON`)."""
    known, misses = {}, {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                parts = line.split(None, 1)
                if not parts or parts[0].startswith("#"):
                    continue
                if parts[0] == "miss":
                    m = line.split(None, 5)
                    misses[(m[1], m[2], int(m[3]), int(m[4]))] = m[5].strip()
                else:
                    known[parts[0]] = parts[1].strip() if len(parts) > 1 else ""
    return known, misses


def all_kinds(top):
    kinds = []
    with open(os.path.join(top, "src/event_kinds.def")) as f:
        for line in f:
            if line.startswith("X(") and '"' in line:
                kinds.append(line.split('"')[1])
    return kinds


def pct(x):
    return "-" if x is None else "%.1f" % (100 * x)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="per-kind recall/precision on the real-* captures")
    ap.add_argument("--top", default=os.path.dirname(here))
    ap.add_argument("--min", type=float, default=97.0)
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    a = ap.parse_args()
    binary = os.environ.get("TCPDISSECT", "./tcpdissect")
    try:
        caps = collect(a.top)
        known, allowed = read_known(os.path.join(a.top, "tests/kind-recall.known"))
        kinds = all_kinds(a.top)
    except (OSError, ValueError) as e:
        print("Bail out! %s" % e)
        return 99
    total = {k: [0, 0, 0] for k in kinds}
    per_cap = collections.defaultdict(list)     # kind -> [(recall|None, precision|None)]
    detail = collections.defaultdict(list)
    for (pcap, args), (ks, want, ignore, srcs) in sorted(caps.items()):
        try:
            evs = run(binary, os.path.join(a.top, "tests/pcaps", pcap), args)
        except (OSError, ValueError, subprocess.SubprocessError) as e:
            print("Bail out! %s" % e)
            return 99
        for kind, (tp, fn, fp, miss, extra) in score(ks, want, ignore, evs).items():
            if kind not in total:
                total[kind] = [0, 0, 0]
            for m in list(miss):
                if (pcap, kind, m[1], m[2]) in allowed:
                    miss.remove(m)
                    fn -= 1
                    detail[kind].append("%s: allowed miss frame %s stream %s (%s)" % (
                        pcap, m[1], m[2], allowed[(pcap, kind, m[1], m[2])]))
                    continue
                detail[kind].append("%s: missed frame %s stream %s" % (pcap, m[1] or "*", m[2]))
            for x in extra:
                detail[kind].append("%s: extra frame %s stream %s" % (pcap, x[1], x[2]))
            total[kind][0] += tp
            total[kind][1] += fn
            total[kind][2] += fp
            if tp + fn + fp:
                per_cap[kind].append((tp / (tp + fn) if tp + fn else None,
                                      tp / (tp + fp) if tp + fp else None))
    rows, failed = [], []
    for kind in sorted(total):
        tp, fn, fp = total[kind]
        rs = [r for r, _ in per_cap[kind] if r is not None]
        ps = [p for _, p in per_cap[kind] if p is not None]
        mr = sum(rs) / len(rs) if rs else None
        mp = sum(ps) / len(ps) if ps else None
        ncap = sum(1 for (_, _), (ks, want, _, _) in caps.items() if kind in ks)
        ntruth = sum(1 for (_, _), (ks, want, _, _) in caps.items()
                     if any(k[0] == kind for k in want))
        if tp + fn == 0:
            verdict = "generated (tests/kind-recall.known)" if kind in known else \
                "FAIL: no recording shows it"
            if kind not in known or fp:
                failed.append(kind)
        elif (mr is not None and mr * 100 < a.min) or (mp is not None and mp * 100 < a.min):
            verdict = "FAIL"
            failed.append(kind)
        else:
            verdict = "ok"
        rows.append((kind, ncap, ntruth, tp, fn, fp, pct(mr), pct(mp), verdict))
    head = ("kind", "captures", "showing", "TP", "FN", "FP", "macro recall %",
            "macro precision %", "verdict")
    if a.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for r in rows:
            print("| " + " | ".join(str(x) for x in r) + " |")
    else:
        print("%-25s %8s %7s %5s %4s %4s %7s %7s  %s" % ("kind", "captures", "showing", "TP",
                                                       "FN", "FP", "recall", "precis.",
                                                       "verdict"))
        for r in rows:
            print("%-25s %8d %7d %5d %4d %4d %7s %7s  %s" % r)
    for kind in sorted(detail):
        for d in detail[kind]:
            print("# %s %s" % (kind, d))
    for kind in failed:
        print("FAIL %s%s" % (kind, "" if total[kind][0] + total[kind][1] else
                             " (no recording; add one or explain it in tests/kind-recall.known)"))
    print("%d kinds, %d recordings, %d failing (bar: %.0f%% macro recall and precision)" % (
        len(rows), len(caps), len(failed), a.min))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
