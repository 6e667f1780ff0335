#!/usr/bin/env python3
"""listen_plot_check.py REPORT.jsonl SVGDIR [AT.jsonl...]: check the
--plot-listeners pictures of one input against the run's own report.

- every SVG parses (python's XML parser) and is self-contained: no script,
  no reference outside the document;
- every incident of a drawn listener (accept overflows, SYN floods, SYN
  cookies, SYNs dropped) is a mark with its kind and frame (and first and
  last frame) in data attributes and in its <title> tool tip;
- the new SYNs and completed handshakes summed over the bins are the
  listener's counts in the summary; the highest half-open and TIME_WAIT
  bins are the summary's peaks, established + closing never above its
  peak established;
- each --at socket table (AT.jsonl, -o jsonl --at +T) is plausible: the
  listener's sockets by state at T are at most the peaks of T's bin.
Prints what is wrong and exits 1."""
import json
import os
import sys
import xml.etree.ElementTree as ET

NS = "{http://www.w3.org/2000/svg}"
INCIDENTS = {"accept_overflow_drop", "accept_overflow_rst", "accept_overflow_syn_drop",
             "syn_flood", "syn_cookie"}
CATEGORY = {"SYN_RECEIVED": "half-open", "ESTABLISHED": "established",
            "FIN_WAIT_1": "closing", "FIN_WAIT_2": "closing", "CLOSE_WAIT": "closing",
            "CLOSING": "closing", "LAST_ACK": "closing", "TIME_WAIT": "TIME_WAIT"}

bad = []


def self_contained(path, root):
    for el in root.iter():
        tag = el.tag.replace(NS, "")
        if tag in ("script", "foreignObject", "image", "use", "a"):
            bad.append("%s: <%s> element" % (path, tag))
        for k, v in el.attrib.items():
            if k.endswith("href") or "url(" in v:
                bad.append("%s: external reference %s=%r" % (path, k, v))


def ep_key(e):
    return (e["ip"], e["port"]) if e else None


def main():
    report, svgdir, ats = sys.argv[1], sys.argv[2], sys.argv[3:]
    recs = [json.loads(line) for line in open(report)]
    summary = [r for r in recs if r["type"] == "summary"][-1]
    listeners = {(l["ip"], l["port"]): l for l in summary.get("listeners", [])}
    events = [r for r in recs if r["type"] == "event" and r["kind"] in INCIDENTS]
    drawn = {}
    for name in sorted(os.listdir(svgdir)):
        if not name.startswith("listener-") or not name.endswith(".svg"):
            continue
        path = os.path.join(svgdir, name)
        root = ET.parse(path).getroot()
        self_contained(path, root)
        ip, port = name[len("listener-"):-4].rsplit("-", 1)
        drawn[(ip, int(port))] = (path, root)
    if not drawn:
        bad.append("no listener picture in %s" % svgdir)
    for key, (path, root) in drawn.items():
        l = listeners.get(key)
        if l is None:
            bad.append("%s: not a listener of the summary" % path)
            continue
        peaks = {p.get("data-state"): [int(v) for v in p.get("data-peaks").split()]
                 for p in root.iter(NS + "path") if p.get("class") == "state"}
        counts = {p.get("data-series"): [int(v) for v in p.get("data-counts").split()]
                  for p in root.iter(NS + "path") if p.get("class") == "rate"}
        nb = int(root.get("data-bins"))
        if any(len(v) != nb for v in list(peaks.values()) + list(counts.values())):
            bad.append("%s: series of other lengths than data-bins" % path)
            continue
        if sum(counts["syn"]) != l["connections"]:
            bad.append("%s: %d new SYNs over the bins, the summary says %d"
                       % (path, sum(counts["syn"]), l["connections"]))
        if sum(counts["completed"]) != l["completed"]:
            bad.append("%s: %d handshakes over the bins, the summary says %d"
                       % (path, sum(counts["completed"]), l["completed"]))
        if max(peaks["half-open"]) != l["peak_half_open"]:
            bad.append("%s: half-open peaks at %d, the summary at %d"
                       % (path, max(peaks["half-open"]), l["peak_half_open"]))
        if max(peaks["TIME_WAIT"]) != l.get("peak_time_wait", 0):
            bad.append("%s: TIME_WAIT peaks at %d, the summary at %d"
                       % (path, max(peaks["TIME_WAIT"]), l.get("peak_time_wait", 0)))
        if max(peaks["established"]) > l["peak_established"]:
            bad.append("%s: established above the summary's peak" % path)
        marks = {}
        for g in root.iter(NS + "g"):
            if g.get("class") == "mark":
                marks.setdefault((g.get("data-kind"), int(g.get("data-frame"))), []).append(g)
        for ev in events:
            if key not in (ep_key(ev.get("dst")), ep_key(ev.get("src"))):
                continue
            found = marks.get((ev["kind"], ev["frame"]))
            if not found:
                bad.append("%s: no mark for %s at frame %d" % (path, ev["kind"], ev["frame"]))
                continue
            g = found[0]
            title = g.find(NS + "title")
            if title is None or "frame.number == %d" % ev["frame"] not in title.text:
                bad.append("%s: %s mark's tool tip lacks its frame" % (path, ev["kind"]))
            for k in ("first_frame", "last_frame"):
                if k in ev and g.get("data-" + k.replace("_", "-")) != str(ev[k]):
                    bad.append("%s: %s mark's %s is not %s" % (path, ev["kind"], k, ev[k]))
        t0, width = int(root.get("data-t0-ns")), int(root.get("data-bin-ns"))
        for at in ats:
            rows = [json.loads(line) for line in open(at)]
            socks = [r for r in rows if r["type"] == "socket"]
            if not socks:
                continue
            k = min((socks[0]["ts_ns"] - t0) // width, nb - 1)
            have = {}
            for r in socks:
                if ep_key(r["local"]) == key and r["state"] in CATEGORY:
                    c = CATEGORY[r["state"]]
                    have[c] = have.get(c, 0) + 1
            est = have.get("established", 0) + have.get("closing", 0)
            if est > peaks["established"][k] + peaks["closing"][k]:
                bad.append("%s: %s: %d established or closing sockets, the bin says %d"
                           % (path, at, est, peaks["established"][k] + peaks["closing"][k]))
            for c in ("half-open", "TIME_WAIT"):
                if have.get(c, 0) > peaks[c][k]:
                    bad.append("%s: %s: %d %s sockets, the bin says %d"
                               % (path, at, have.get(c, 0), c, peaks[c][k]))
    for b in bad:
        print("# " + b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
