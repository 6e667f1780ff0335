#!/usr/bin/env python3
"""Check tcpdissect's handshake and listen-queue events against tests/listen-truth/*.truth
(driven by tests/listen-truth.sh).

    listen_truth.py [--truthdir DIR] [--pcapdir DIR] [CASE...]

A truth file has '#' comment lines, then

    pcap NAME.pcap                  the capture (in --pcapdir)
    args OPTION...                  (optional) options to run tcpdissect with
    kinds KIND...                   the kinds this file is complete for
    KIND FRAME STREAM [CHECK...]    one line per event; STREAM is '-' for a listener-level
                                    (aggregate) event, which has no stream

For the listed kinds tcpdissect must report exactly the (kind, frame, stream) of the lines,
each once: none missing, none more.  Events of other kinds are ignored.  Each CHECK is
    key=value     the event's detail[key] (or its top-level key: first_frame, last_frame)
                  written as JSON writes it (true, 13, "a,b" without quotes, 1.5)
    key~value%p   a number within p percent of value
Output is TAP, one line per truth file, with what differs under a failing one.
Environment: TCPDISSECT (default ./tcpdissect).  Exit: 0 all pass, 1 a case failed, 99 setup.
"""

import argparse
import collections
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import truth_check  # noqa: E402


def parse(path):
    pcap, kinds, args, want, checks = None, None, [], collections.Counter(), {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split()
            if parts[0] == "pcap":
                pcap = parts[1]
                continue
            if parts[0] == "args":
                args = parts[1:]
                continue
            if parts[0] == "kinds":
                kinds = set(parts[1:])
                continue
            if len(parts) < 3 or not parts[1].isdigit() or \
                    not (parts[2].isdigit() or parts[2] == "-"):
                raise ValueError("%s:%d: want 'KIND FRAME STREAM [CHECK...]'" % (path, n))
            key = (parts[0], int(parts[1]), None if parts[2] == "-" else int(parts[2]))
            want[key] += 1
            checks[key] = parts[3:]
    if pcap is None or kinds is None:
        raise ValueError("%s: needs 'pcap' and 'kinds' lines" % path)
    for k in want:
        if k[0] not in kinds:
            raise ValueError("%s: %s is not among the kinds" % (path, k[0]))
    return pcap, kinds, args, want, checks


def jtext(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def check_one(ev, check):
    if "~" in check and "=" not in check:
        key, rest = check.split("~", 1)
        val, pct = rest.split("%", 1)
        got = ev["detail"].get(key, ev.get(key))
        if not isinstance(got, (int, float)) or isinstance(got, bool):
            return "%s: %r is not a number" % (key, got)
        if abs(got - float(val)) > abs(float(val)) * float(pct) / 100:
            return "%s: %s not within %s%% of %s" % (key, got, pct, val)
        return None
    key, val = check.split("=", 1)
    if key in ev["detail"]:
        got = ev["detail"][key]
    elif key in ev:
        got = ev[key]
    else:
        return "%s: absent" % key
    return None if jtext(got) == val else "%s: %s, want %s" % (key, jtext(got), val)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="tcpdissect vs the listen-queue truth files")
    ap.add_argument("--truthdir", default=os.path.join(here, "listen-truth"))
    ap.add_argument("--pcapdir", default=os.path.join(here, "pcaps"))
    ap.add_argument("cases", nargs="*")
    a = ap.parse_args()
    files = truth_check.truth_files(a.truthdir, a.cases)
    if not files:
        print("Bail out! no truth files in %s" % a.truthdir)
        return 99
    binary = os.environ.get("TCPDISSECT", "./tcpdissect")
    print("1..%d" % len(files))
    failed = 0
    for i, tf in enumerate(files, 1):
        case = os.path.basename(tf)[:-len(".truth")]
        problems = []
        try:
            pcap, kinds, args, want, checks = parse(tf)
            out = subprocess.run([binary, "-o", "jsonl"] + args + [os.path.join(a.pcapdir, pcap)],
                                 capture_output=True, text=True, timeout=60,
                                 env=dict(os.environ, TZ="UTC", LC_ALL="C"))
            if out.returncode not in (0, 3):
                raise ValueError("tcpdissect exit %d: %s" % (out.returncode, out.stderr.strip()))
            evs = [r for r in map(json.loads, out.stdout.splitlines())
                   if r["type"] == "event" and r["kind"] in kinds]
        except (OSError, ValueError, subprocess.SubprocessError) as e:
            print("not ok %d - %s # %s" % (i, case, e))
            failed += 1
            continue
        got = collections.Counter((e["kind"], e["frame"], e.get("stream")) for e in evs)
        for k in sorted(set(want) - set(got), key=str):
            problems.append("- %s frame %d stream %s (in the truth, not reported)" % k)
        for k in sorted(set(got) - set(want), key=str):
            problems.append("+ %s frame %d stream %s (reported, not in the truth)" % k)
        for k, c in got.items():
            if c > 1:
                problems.append("2 %s frame %d stream %s (reported %d times)" % (k + (c,)))
        for e in evs:
            k = (e["kind"], e["frame"], e.get("stream"))
            for c in checks.get(k, []):
                p = check_one(e, c)
                if p:
                    problems.append("! %s frame %d stream %s: %s" % (k + (p,)))
        print("%s %d - %s" % ("not ok" if problems else "ok", i, case))
        for p in problems:
            print("#   " + p)
        failed += bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
