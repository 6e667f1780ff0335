#!/usr/bin/env python3
"""plot_check.py JSONL DIR STREAM...: the --plot SVGs in DIR are well-formed
XML, self-contained (no script, no link, no external url or font), and every
event of each STREAM in the JSON Lines report is a mark with its frame number
(data-frame, data-kind, and "frame N" in its <title>).  Prints one problem a
line; exit 1 if any."""
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

NS = "{http://www.w3.org/2000/svg}"


def external(svg_path, root, problems):
    for el in root.iter():
        tag = el.tag.replace(NS, "")
        if tag in ("script", "image", "a", "foreignObject", "use", "style"):
            problems.append("%s: <%s> element" % (svg_path, tag))
        for k, v in el.attrib.items():
            if "href" in k:
                problems.append("%s: %s attribute" % (svg_path, k))
            if k.startswith("on"):
                problems.append("%s: event handler %s" % (svg_path, k))
            if re.search(r"url\(\s*['\"]?(?!#)", v) or "@import" in v:
                problems.append("%s: external reference in %s=%r" % (svg_path, k, v))
    with open(svg_path, encoding="utf-8") as f:
        text = f.read()
    # The only URI allowed is the SVG namespace.
    for m in re.finditer(r"(https?|file|ftp|data):", text):
        ctx = text[max(0, m.start() - 8):m.start() + 40]
        if "http://www.w3.org/2000/svg" not in ctx:
            problems.append("%s: URI in the document: %r" % (svg_path, ctx))


def main():
    jsonl, d, streams = sys.argv[1], sys.argv[2], [int(s) for s in sys.argv[3:]]
    problems = []
    events = {s: [] for s in streams}
    for line in open(jsonl, encoding="utf-8"):
        r = json.loads(line)
        if r.get("type") == "event" and r.get("stream") in events:
            events[r["stream"]].append((r["frame"], r["kind"]))
    for s in streams:
        marks = set()
        nfiles = 0
        for tag in ("A", "B"):
            path = os.path.join(d, "stream-%d-%s.svg" % (s, tag))
            if not os.path.exists(path):
                problems.append("%s: missing" % path)
                continue
            nfiles += 1
            try:
                root = ET.parse(path).getroot()
            except ET.ParseError as e:
                problems.append("%s: not well-formed: %s" % (path, e))
                continue
            if root.tag != NS + "svg":
                problems.append("%s: root is %s" % (path, root.tag))
            if not root.get("width") or not root.get("height"):
                problems.append("%s: no size" % path)
            external(path, root, problems)
            for el in root.iter(NS + "g"):
                if el.get("class") != "mark":
                    continue
                frame, kind = int(el.get("data-frame")), el.get("data-kind")
                title = el.find(NS + "title")
                if title is None or ("frame %d:" % frame) not in (title.text or ""):
                    problems.append("%s: mark of frame %d has no title naming it"
                                    % (path, frame))
                marks.add((frame, kind))
        for ev in events[s]:
            if ev not in marks:
                problems.append("stream %d: event %s at frame %d has no mark"
                                % (s, ev[1], ev[0]))
        print("# stream %d: %d events, %d marks, %d files"
              % (s, len(events[s]), len(marks), nfiles))
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
