#!/usr/bin/env python3
"""Check tcpdissect's byte-stream events against the truth files tests/gen/stream-truth/*.truth
(written by tests/gen/gen_stream.py; driven by tests/stream-truth.sh).

    truth_check.py [--truthdir DIR] [--pcapdir DIR] [--tshark] [CASE...]

A truth file has '#' comment lines and lines `KIND FRAME STREAM`, one per event the rules
require in tests/pcaps/gen-stream-CASE.pcap.  It is complete for the byte-stream kinds: tcpdissect
must emit exactly those (kind, frame, stream) triples of these kinds, no more, no fewer, each
once; events of other kinds (handshake / teardown: connection_reset, ...) are ignored.

Output is TAP, one line per case, with a diff (missing / unexpected) under a failing case.
--tshark  compare the truths with tshark's tcp.analysis flags instead of tcpdissect (only the
          kinds tshark knows; Wireshark's split of fast / spurious / plain retransmissions), to
          see where the rules intentionally differ from Wireshark.  Never fails.
Environment: TCPDISSECT (default ./tcpdissect), TSHARK (default tshark).
Exit: 0 all cases pass, 1 a case failed, 99 setup error.
"""

import argparse
import collections
import glob
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle_stream  # noqa: E402

BYTE_STREAM_KINDS = {
    "zero_window_probe", "zero_window", "zero_window_end", "lost_segment", "keep_alive",
    "window_update", "window_full", "dup_ack", "acked_unseen", "network_duplicate",
    "spurious_retransmission", "fast_retransmission", "out_of_order", "retransmission",
    "seq_wraparound",
}


def read_truth(path):
    header, want = [], collections.Counter()
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            if line.startswith("#"):
                header.append(line.lstrip("# "))
                continue
            parts = line.split()
            if len(parts) != 3 or parts[0] not in BYTE_STREAM_KINDS or \
                    not parts[1].isdigit() or not parts[2].isdigit():
                raise ValueError("%s:%d: want 'KIND FRAME STREAM', got %r" % (path, n, line))
            want[(parts[0], int(parts[1]), int(parts[2]))] += 1
    return header, want


def truth_files(truthdir, cases):
    """The truth files to check: the named cases', or every *.truth of truthdir."""
    if cases:
        return [os.path.join(truthdir, c + ".truth") for c in cases]
    return sorted(glob.glob(os.path.join(truthdir, "*.truth")))


def fmt(t):
    return "%s frame %d stream %d" % t


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="tcpdissect vs the byte-stream truth files")
    ap.add_argument("--truthdir", default=os.path.join(here, "gen", "stream-truth"))
    ap.add_argument("--pcapdir", default=os.path.join(here, "pcaps"))
    ap.add_argument("--pcap-name", default="gen-stream-%s.pcap",
                    help="capture file name for a case (%%s = the case)")
    ap.add_argument("--tshark", action="store_true")
    ap.add_argument("--timeout", type=int, default=60)
    ap.add_argument("cases", nargs="*")
    a = ap.parse_args()
    files = truth_files(a.truthdir, a.cases)
    if not files:
        print("Bail out! no truth files in %s" % a.truthdir)
        return 99
    print("1..%d" % len(files))
    failed = 0
    for i, tf in enumerate(files, 1):
        case = os.path.basename(tf)[:-len(".truth")]
        pcap = os.path.join(a.pcapdir, a.pcap_name % case)
        try:
            header, want = read_truth(tf)
        except (OSError, ValueError) as e:
            print("not ok %d - %s # %s" % (i, case, e))
            failed += 1
            continue
        if not os.path.isfile(pcap):
            print("not ok %d - %s # missing %s" % (i, case, pcap))
            failed += 1
            continue
        got = collections.Counter()
        if a.tshark:
            ts, note = oracle_stream.tshark_flags(pcap, a.timeout)
            if ts is None:
                print("not ok %d - %s # %s" % (i, case, note))
                continue
            for frame, (stream, kinds) in ts.items():
                for k in kinds:
                    got[(k, frame, stream)] += 1
            comparable = set(oracle_stream.KIND_FIELD)
            want = collections.Counter({t: c for t, c in want.items() if t[0] in comparable})
        else:
            st, evs = oracle_stream.tcpdissect_events(pcap, a.timeout)
            if st != "ok":
                print("not ok %d - %s # %s" % (i, case, evs))
                failed += 1
                continue
            for e in evs:
                if e.get("kind") in BYTE_STREAM_KINDS:
                    got[(e["kind"], e.get("frame"), e.get("stream"))] += 1
        missing = sorted(set(want) - set(got), key=lambda t: (t[2], t[1], t[0]))
        extra = sorted(set(got) - set(want), key=lambda t: (t[2] or 0, t[1] or 0, t[0]))
        twice = sorted(t for t, c in got.items() if c > 1 and t in want)
        ok = not (missing or extra or twice)
        what = header[0] if header else case
        if a.tshark:
            print("%s %d - %s%s" % ("ok", i, case, "" if ok else " # tshark differs"))
        else:
            print("%s %d - %s" % ("ok" if ok else "not ok", i, case))
            failed += not ok
        if not ok:
            print("#   %s" % what)
            src = "tshark" if a.tshark else "tcpdissect"
            for t in missing:
                print("#   - %-60s (in the truth, not from %s)" % (fmt(t), src))
            for t in extra:
                print("#   + %-60s (from %s, not in the truth)" % (
                    "%s frame %s stream %s" % t, src))
            for t in twice:
                print("#   2 %-60s (emitted %d times)" % (fmt(t), got[t]))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
