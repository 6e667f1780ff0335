#!/usr/bin/env python3
"""text_check.py: checks on tcpdissect's text output (issue 17 item 5).

Usage:  text_check.py CHECK FILE...

  width   every line fits 80 columns, unless it is one word after its
          indentation (an address that cannot be broken) or the header
          "tcpdissect VERSION: FILE" (a file name cannot be broken either)
  order   within each input (from a "tcpdissect VERSION: NAME" header to
          the next) or chunk of one ("(NAME, continued)"), the event lines
          "#FRAME ..." come in frame order
  plural  no "1 connections", "1 packets", "1 times", ... (a count of one
          takes the singular) in the lines the text reporter words (event
          messages, worded by the detectors, are checked elsewhere)

Prints one line per offence (file:line: what) and exits 1 if there is any.
"""
import re
import sys

WIDTH = 80
PLURAL = re.compile(r"(?<![\d.,])1 (connections|packets|bytes|times|episodes|listeners|"
                    r"endpoints|gaps|windows|retransmissions|events|SYNs|sources|"
                    r"attempts|connection attempts)\b")


def width(path, lines):
    bad = []
    for n, l in enumerate(lines, 1):
        # the header names the input: a file name is one word, like an address
        header = re.match(r"tcpdissect \S+: \S+$", l)
        if len(l) > WIDTH and len(l.strip().split(" ")) > 1 and not header:
            bad.append("%s:%d: %d columns: %s" % (path, n, len(l), l))
    return bad


def order(path, lines):
    bad, last = [], 0
    for n, l in enumerate(lines, 1):
        if l.startswith("tcpdissect ") or (l.startswith("(") and l.endswith(", continued)")):
            last = 0    # a new input, or a new chunk of one (more lines than are held)
        m = re.match(r"#(\d+) ", l)
        if m:
            f = int(m.group(1))
            if f < last:
                bad.append("%s:%d: frame %d after frame %d" % (path, n, f, last))
            last = f
    return bad


def plural(path, lines):
    # the words tcpdissect's text reporter writes: not an event's message
    # (the lines indented under "#FRAME ..."), which the detectors word
    bad, in_event = [], False
    for n, l in enumerate(lines, 1):
        if l.startswith("#"):
            in_event = True
            continue
        if not l.startswith(" "):
            in_event = False
        if not in_event and PLURAL.search(l):
            bad.append("%s:%d: %s" % (path, n, l))
    return bad


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("width", "order", "plural"):
        sys.exit(__doc__)
    check = globals()[sys.argv[1]]
    bad = []
    for path in sys.argv[2:]:
        with open(path, encoding="utf-8", errors="replace") as f:
            bad += check(path, f.read().split("\n"))
    for b in bad:
        print(b)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
