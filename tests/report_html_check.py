#!/usr/bin/env python3
"""report_html_check.py PAGE.html REPORT.jsonl MAX_GRAPHS: check a --report
page with python's html.parser against the run's own JSON Lines.

- well-formed enough: every element closed in order (void elements apart),
  nothing left open at the end;
- self-contained: no element or attribute that fetches anything (src, href
  other than #fragments, <link>, <iframe>, url(...) or @import in CSS), so
  the page works offline and from file://;
- every event of the run is a row (kind and frame), with its
  frame.number == N filter; every connection record is a row with its
  tcp.stream eq N filter;
- one listener timeline per listener of the summary (at most 8), and two
  graphs (one per direction) for each of the worst connections: those
  with an event above info, at most MAX_GRAPHS.
Prints what is wrong and exits 1."""
import collections
import json
import sys
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "source", "track", "wbr"}
SEVERITY = {"info": 0, "notice": 1, "warning": 2, "alert": 3}


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.bad = [], []
        self.events, self.conns = collections.Counter(), collections.Counter()
        self.row = None
        self.text = []
        self.listeners = self.graphs = self.svgs = 0
        self.figure = None
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag not in VOID:
            self.stack.append(tag)
        if tag in ("link", "iframe", "img", "object", "embed", "base", "audio", "video"):
            self.bad.append("<%s> element" % tag)
        for k, v in attrs:
            v = v or ""
            if k in ("src", "srcset", "action", "formaction", "data", "poster"):
                self.bad.append("%s=%r on <%s>" % (k, v, tag))
            if k.endswith("href") and not v.startswith("#"):
                self.bad.append("%s=%r on <%s>" % (k, v, tag))
            if "url(" in v:
                self.bad.append("url() in an attribute of <%s>" % tag)
        if tag == "script":
            self.scripts += 1
        if tag == "tr" and a.get("class") in ("event", "connection"):
            self.row = (a.get("class"), a)
            self.text = []
        if tag == "figure":
            self.figure = a.get("class")
        if tag == "svg":
            self.svgs += 1
            if self.figure == "listener":
                self.listeners += 1
            elif self.figure == "graph":
                self.graphs += 1

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)	# <path .../>: opened and closed
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.bad.append("</%s> closes <%s>" % (tag, self.stack[-1] if self.stack else "nothing"))
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()
        if tag == "figure":
            self.figure = None
        if tag == "tr" and self.row is not None:
            kind, a = self.row
            text = "".join(self.text)
            if kind == "event":
                f = int(a["data-frame"])
                self.events[(a["data-kind"], f)] += 1
                if "frame.number == %d" % f not in text:
                    self.bad.append("event row of frame %d lacks its filter" % f)
            else:
                st = int(a["data-stream"])
                self.conns[st] += 1
                if "tcp.stream eq %d" % st not in text:
                    self.bad.append("connection row %d lacks its filter" % st)
            self.row = None

    def handle_data(self, data):
        if self.row is not None:
            self.text.append(data)
        if self.stack and self.stack[-1] in ("style", "script"):
            if "@import" in data or "url(" in data:
                self.bad.append("@import or url() in <%s>" % self.stack[-1])
            if self.stack[-1] == "script" and ("fetch(" in data or "XMLHttpRequest" in data):
                self.bad.append("the script fetches")


def main():
    page, report, maxg = sys.argv[1], sys.argv[2], int(sys.argv[3])
    p = Page()
    p.feed(open(page, encoding="utf-8").read())
    p.close()
    bad = p.bad
    if p.stack:
        bad.append("left open at the end: %s" % p.stack)
    recs = [json.loads(line) for line in open(report)]
    want_ev = collections.Counter((r["kind"], r["frame"]) for r in recs if r["type"] == "event")
    want_cn = collections.Counter(r["stream"] for r in recs if r["type"] == "connection")
    for k, n in (want_ev - p.events).items():
        bad.append("event %s at frame %d: %d row(s) missing" % (k[0], k[1], n))
    for k, n in (p.events - want_ev).items():
        bad.append("event %s at frame %d: %d row(s) too many" % (k[0], k[1], n))
    if want_cn != p.conns:
        bad.append("connection rows %s, records %s" % (sorted(p.conns.elements())[:20],
                                                        sorted(want_cn.elements())[:20]))
    summary = [r for r in recs if r["type"] == "summary"][-1]
    nl = min(len(summary.get("listeners", [])), 8)
    if p.listeners != nl:
        bad.append("%d listener timelines, %d listeners" % (p.listeners, nl))
    # the page weighs a connection by the event counts of its record
    sev = {}
    for e in recs:
        if e["type"] == "event":
            sev[e["kind"]] = max(sev.get(e["kind"], 0), SEVERITY[e["severity"]])
    worst = sum(1 for r in recs if r["type"] == "connection" and any(
        sev.get(k, 0) >= 1 for k in r.get("events", {})))
    if p.graphs != 2 * min(worst, maxg):
        bad.append("%d graphs, expected 2 x min(%d connections with notices, %d)"
                   % (p.graphs, worst, maxg))
    if p.scripts != 1:
        bad.append("%d scripts" % p.scripts)
    for b in bad[:40]:
        print("# " + b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
