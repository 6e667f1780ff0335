#!/usr/bin/env python3
"""report_html_check.py PAGE.html REPORT.jsonl MAX_GRAPHS [COPIES]: check a
--report page with python's html.parser against the run's own JSON Lines
(of COPIES inputs that are the same capture, default 1).

- well-formed enough: every element closed in order (void elements apart),
  nothing left open at the end;
- self-contained: no element or attribute that fetches anything (src, href
  other than #fragments, <link>, <iframe>, url(...) or @import in CSS), so
  the page works offline and from file://;
- the tables' rows are JSON data (<script type="application/json">, no
  '<' in it, so no string can end the script), drawn by the page's one
  script, which gives each row its filter (frame.number == N, tcp.stream
  eq N): every event of the run is a row of data with its kind, frame,
  severity, stream and message, every connection record one with its
  stream, endpoints and first frame, which the filters are made of; when
  there are more than ROWS_MAX, the table keeps the weightiest (an event's
  severity, a connection's worst event's), the earliest first within a
  weight, in order, and the page says how many it leaves out; a
  <noscript> says that -o jsonl has the rows;
- one listener timeline per listener of the summary (at most 8), and two
  graphs (one per direction) for each of the worst connections: those
  with an event above info, at most MAX_GRAPHS.
Prints what is wrong and exits 1."""
import collections
import json
import re
import sys
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "source", "track", "wbr"}
SEVERITY = {"info": 0, "notice": 1, "warning": 2, "alert": 3}


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.bad = [], []
        self.data = {}		# id of a JSON data script -> its text
        self.data_id = None
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
        if tag == "script" and a.get("type") == "application/json":
            self.data_id = a.get("id")
            self.data[self.data_id] = ""
        elif tag == "script":
            self.scripts += 1
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
        if tag == "script":
            self.data_id = None

    def handle_data(self, data):
        if self.data_id is not None:
            self.data[self.data_id] += data
            return
        if self.stack and self.stack[-1] in ("style", "script"):
            if "@import" in data or "url(" in data:
                self.bad.append("@import or url() in <%s>" % self.stack[-1])
            if self.stack[-1] == "script" and ("fetch(" in data or "XMLHttpRequest" in data):
                self.bad.append("the script fetches")
            if self.stack[-1] == "script":
                self.script = data


ROWS_MAX = 5000	# html_report.h's HTML_ROWS_MAX


def kept(rows, weight):
    """What a table keeps of rows (in order), and how many it leaves out."""
    if len(rows) <= ROWS_MAX:
        return rows, 0
    best = sorted(range(len(rows)), key=lambda i: (-weight(rows[i]), i))[:ROWS_MAX]
    return [rows[i] for i in sorted(best)], len(rows) - ROWS_MAX


def endpoint(ip, port):
    return ("[%s]:%d" if ":" in ip else "%s:%d") % (ip, port)


def table(p, name, bad):
    """The rows of a table's data, as a list; what is wrong into bad."""
    text = p.data.get(name + "-data")
    if text is None:
        bad.append("no %s-data" % name)
        return []
    for k, v in p.data.items():
        if "<" in v:
            bad.append("'<' in %s" % k)
    try:
        return json.loads(text)
    except ValueError as e:
        bad.append("%s-data is not JSON: %s" % (name, e))
        return []


def main():
    page, report, maxg = sys.argv[1], sys.argv[2], int(sys.argv[3])
    copies = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    p = Page()
    p.raw = open(page, encoding="utf-8").read()
    p.feed(p.raw)
    p.close()
    bad = p.bad
    if p.stack:
        bad.append("left open at the end: %s" % p.stack)
    recs = [json.loads(line) for line in open(report)]
    # an event row: [frame, time, stream, input, severity, kind, from, to, message,
    # first frame, last frame]; a connection row: [stream, input, client, server, start,
    # duration, packets, bytes, bytes, sent again, handshake, close, worst, events,
    # first frame]: the script makes the filters of frame and stream
    script = getattr(p, "script", "")
    for f in ("'frame.number == '+r[0]", "'tcp.stream eq '+r[2]", "'tcp.stream eq '+r[0]"):
        if f not in script:
            bad.append("the script does not make the filter %s" % f)
    sev = {}
    for e in recs:
        if e["type"] == "event":
            sev[e["kind"]] = max(sev.get(e["kind"], 0), SEVERITY[e["severity"]])
    evs, ev_more = kept([r for r in recs if r["type"] == "event"],
                        lambda r: SEVERITY[r["severity"]])
    want_ev = [(r["kind"], r["frame"], r.get("stream", -1), SEVERITY[r["severity"]],
                r["message"]) for r in evs]
    have_ev = [(r[5], r[0], r[2], r[4], r[8]) for r in table(p, "events", bad)]
    if want_ev != have_ev:
        for k, n in (collections.Counter(want_ev) - collections.Counter(have_ev)).items():
            bad.append("event %s at frame %d: %d row(s) missing" % (k[0], k[1], n))
        for k, n in (collections.Counter(have_ev) - collections.Counter(want_ev)).items():
            bad.append("event %s at frame %d: %d row(s) too many" % (k[0], k[1], n))
        if collections.Counter(want_ev) == collections.Counter(have_ev):
            bad.append("event rows out of order")
    cns, cn_more = kept([r for r in recs if r["type"] == "connection"],
                        lambda r: max([sev.get(k, -1) for k in r.get("events", {})] + [-1]))
    want_cn = [(r["stream"], endpoint(r["client"]["ip"], r["client"]["port"]),
                endpoint(r["server"]["ip"], r["server"]["port"]), r["first_frame"])
               for r in cns]
    have_cn = [(r[0], r[2], r[3], r[14]) for r in table(p, "connections", bad)]
    if want_cn != have_cn:
        bad.append("connection rows %s, records %s" % (have_cn[:5], want_cn[:5]))
    for more, what in ((ev_more, "events"), (cn_more, "connections")):
        if more and "<p>%d more %s are not listed" % (more, what) not in p.raw:
            bad.append("the page does not say %d more %s" % (more, what))
    summary = [r for r in recs if r["type"] == "summary"][-1]
    nl = min(len(summary.get("listeners", [])), 8)
    nl *= copies
    if p.listeners != nl:
        bad.append("%d listener timelines, %d listeners" % (p.listeners, nl))
    # the page weighs a connection by the event counts of its record
    worst = sum(1 for r in recs if r["type"] == "connection" and any(
        sev.get(k, 0) >= 1 for k in r.get("events", {})))
    worst //= copies
    if p.graphs != 2 * min(worst, maxg) * copies:
        bad.append("%d graphs, expected 2 x min(%d connections with notices, %d)"
                   % (p.graphs, worst, maxg))
    m = re.search(r"<noscript>(.*?)</noscript>", p.raw, re.S)
    if not m or "-o jsonl" not in m.group(1):
        bad.append("no <noscript> saying that -o jsonl has the rows")
    if p.scripts != 1:
        bad.append("%d scripts" % p.scripts)
    for b in bad[:40]:
        print("# " + b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
