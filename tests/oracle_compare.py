#!/usr/bin/env python3
"""tshark oracle for tcpdissect (driven by tests/oracle-tshark.sh).

For every capture: ask tshark for the TCP packets (tcp.stream, frame.number, addresses, ports,
SYN/ACK flags), derive per stream first_frame / client / server, run `tcpdissect -o jsonl FILE`,
take its "type":"connection" records and compare stream by stream.

    oracle_compare.py [-j JOBS] [-v] [--tshark-only] [--timeout SECONDS] FILE...

  --tshark-only   print tshark's view (one JSON object per stream) and do not run tcpdissect
  -v              show every mismatch instead of the first 10 per file

Environment: TCPDISSECT (default ./tcpdissect), TSHARK (default tshark).
Exit status: 0 when no mismatch, 1 otherwise, 99 on a usage/setup error.
"""

import argparse
import concurrent.futures
import hashlib
import ipaddress
import json
import os
import shutil
import subprocess
import sys
import tempfile

FIELDS = ["tcp.stream", "frame.number", "ip.src", "ipv6.src", "tcp.srcport", "ip.dst",
          "ipv6.dst", "tcp.dstport", "tcp.flags.syn", "tcp.flags.ack", "frame.protocols"]
MAX_SHOWN = 10


def norm_ip(s):
    """Canonical text form (IPv6 compressed); anything unparsable is returned unchanged."""
    try:
        return ipaddress.ip_address(str(s).strip()).compressed
    except ValueError:
        return str(s)


def flag(v):
    return v.strip() in ("1", "True", "true")


def pick_addr(v4, v6, protocols):
    """With -E occurrence=l we get the last IPv4 and the last IPv6 address of the packet. When
    both exist (6in4, 4in6, ICMP errors quoting the other family) the innermost one is the
    one whose layer comes last in frame.protocols, which is the one the TCP header belongs to."""
    if v4 and v6:
        layers = protocols.split(":")
        last4 = max((i for i, p in enumerate(layers) if p == "ip"), default=-1)
        last6 = max((i for i, p in enumerate(layers) if p == "ipv6"), default=-1)
        return v6 if last6 > last4 else v4
    return v4 or v6


def tshark_streams(path, env, timeout):
    """-> (streams dict or None, note).  None means: tshark cannot read the file (skip)."""
    cmd = [os.environ.get("TSHARK", "tshark"), "-n", "-r", path, "-Y", "tcp", "-T", "fields",
           "-E", "occurrence=l", "-E", "separator=/t"]
    for f in FIELDS:
        cmd += ["-e", f]
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "tshark timed out"
    err = [ln for ln in p.stderr.decode("utf-8", "replace").splitlines()
           if ln.strip() and not ln.startswith("Running as user")]
    out = p.stdout.decode("utf-8", "replace")
    streams = {}
    for line in out.splitlines():
        cols = line.split("\t")
        if len(cols) < len(FIELDS):
            cols += [""] * (len(FIELDS) - len(cols))
        sid, frame, s4, s6, sport, d4, d6, dport, syn, ack, protos = cols[:len(FIELDS)]
        if not sid.strip():
            continue
        sid = int(sid)
        src = (norm_ip(pick_addr(s4, s6, protos)), int(sport) if sport else None)
        dst = (norm_ip(pick_addr(d4, d6, protos)), int(dport) if dport else None)
        st = streams.get(sid)
        if st is None:
            st = streams[sid] = {"first_frame": int(frame), "first": (src, dst), "syn": None,
                                 "synack": None}
        st["first_frame"] = min(st["first_frame"], int(frame))
        if st["syn"] is None and flag(syn) and not flag(ack):
            st["syn"] = (src, dst)
        if st["synack"] is None and st["syn"] is None and flag(syn) and flag(ack):
            st["synack"] = (dst, src)   # a SYN-ACK seen before any SYN: its receiver is the client
    if p.returncode != 0:
        msg = (" ".join(err) or "exit status %d" % p.returncode).replace(
            '"%s"' % path, os.path.basename(path))
        if not streams and not out.strip():
            return None, "tshark cannot read it: " + msg
        note = "tshark read only a prefix: " + msg
    else:
        note = ""
    result = {}
    for sid, st in streams.items():
        if st["syn"] is not None:
            cli, srv = st["syn"]
        elif st["synack"] is not None:
            cli, srv = st["synack"]
        else:
            a, b = st["first"]
            if (a[1] or 0) > (b[1] or 0):
                cli, srv = a, b
            elif (b[1] or 0) > (a[1] or 0):
                cli, srv = b, a
            else:
                cli, srv = a, b
        result[sid] = {"stream": sid, "first_frame": st["first_frame"],
                       "client": {"ip": cli[0], "port": cli[1]},
                       "server": {"ip": srv[0], "port": srv[1]}}
    return result, note


def tcpdissect_streams(path, binary, timeout):
    """-> (status, streams or reason, problems).  status: 'ok', 'skip' or 'fail'."""
    # A capture's own options (tests/pcaps/NAME.args, e.g. a small
    # --memcap that forces eviction) apply here too: numbering must hold.
    extra = []
    if os.path.isfile(path + ".args"):
        with open(path + ".args") as f:
            extra = f.read().split()
    try:
        p = subprocess.run([binary, "-o", "jsonl"] + extra + [path], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "fail", "tcpdissect did not finish within %d s (hang?)" % timeout, []
    except OSError as e:
        return "fail", "cannot run %s: %s" % (binary, e), []
    err = p.stderr.decode("utf-8", "replace").strip().splitlines()
    if p.returncode < 0 or p.returncode >= 126:     # signal, or a shell reporting one
        sig = -p.returncode if p.returncode < 0 else p.returncode - 128
        return "fail", "tcpdissect crashed (signal %d, exit %d)%s" % (
            sig, p.returncode, (": " + err[-1]) if err else ""), []
    if p.returncode != 0:
        return "skip", "tcpdissect exit %d%s" % (p.returncode, (": " + err[0]) if err else ""), []
    streams, problems = {}, []
    lines = p.stdout.split(b"\n")
    if p.stdout.endswith(b"\n") or p.stdout == b"":
        lines.pop()                                 # after the newline ending the last record
    for n, raw in enumerate(lines, 1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            problems.append("jsonl line %d is not UTF-8: %.200r" % (n, raw))
            continue
        try:
            rec = json.loads(line)
        except ValueError as e:
            problems.append("jsonl line %d is not JSON (%s): %.200r" % (n, e, line))
            continue
        if not isinstance(rec, dict):
            problems.append("jsonl line %d is not a JSON object: %.200r" % (n, line))
            continue
        if rec.get("type") != "connection":
            continue
        try:
            sid = int(rec["stream"])
            conn = {"stream": sid, "first_frame": int(rec["first_frame"]),
                    "client": {"ip": norm_ip(rec["client"]["ip"]),
                               "port": int(rec["client"]["port"])},
                    "server": {"ip": norm_ip(rec["server"]["ip"]),
                               "port": int(rec["server"]["port"])}}
        except (KeyError, TypeError, ValueError) as e:
            problems.append("jsonl line %d: connection record lacks or mangles %s: %.200r"
                            % (n, e, line))
            continue
        if sid in streams and rec.get("resumed") is True:
            # A connection forgotten after --idle-timeout (or evicted) that
            # spoke again: same stream, a second record marked "resumed".
            streams[sid]["first_frame"] = min(streams[sid]["first_frame"], conn["first_frame"])
            continue
        if sid in streams:
            o = streams[sid]
            problems.append("stream %d: more than one connection record (jsonl lines %d and %d, "
                            "first_frame %d and %d, close %s and %s); tshark has one stream"
                            % (sid, o["_line"], n, o["first_frame"], conn["first_frame"],
                               o["_close"], rec.get("close")))
            continue
        conn["_close"] = rec.get("close")
        conn["_line"] = n
        streams[sid] = conn
    return "ok", streams, problems


def ep(e):
    ip = e["ip"]
    return ("[%s]:%s" if ":" in str(ip) else "%s:%s") % (ip, e["port"])


def describe(c):
    return "first_frame %s, client %s, server %s" % (c["first_frame"], ep(c["client"]),
                                                      ep(c["server"]))


def compare(want, got):
    mism = []
    for sid in sorted(set(want) | set(got)):
        w, g = want.get(sid), got.get(sid)
        if g is None:
            mism.append("stream %d: only in tshark (%s)" % (sid, describe(w)))
            continue
        if w is None:
            mism.append("stream %d: only in tcpdissect (%s)" % (sid, describe(g)))
            continue
        for key in ("first_frame",):
            if w[key] != g[key]:
                mism.append("stream %d: %s tshark %s, tcpdissect %s" % (sid, key, w[key], g[key]))
        for side in ("client", "server"):
            for key in ("ip", "port"):
                if w[side][key] != g[side][key]:
                    mism.append("stream %d: %s.%s tshark %s, tcpdissect %s"
                                % (sid, side, key, w[side][key], g[side][key]))
    return mism


def run_one(path, args, env):
    want, note = tshark_streams(path, env, args.timeout * 2)
    if want is None:
        return {"kind": "skip", "reason": note}
    if args.tshark_only:
        return {"kind": "dump", "want": want, "note": note}
    status, got, problems = tcpdissect_streams(path, args.tcpdissect, args.timeout)
    if status == "skip":
        return {"kind": "skip", "reason": got}
    if status == "fail":
        return {"kind": "done", "want": want, "mism": [got], "note": note}
    return {"kind": "done", "want": want, "mism": problems + compare(want, got), "note": note}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("-j", "--jobs", type=int, default=min(8, os.cpu_count() or 1))
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--tshark-only", action="store_true")
    ap.add_argument("--timeout", type=int, default=int(os.environ.get("ORACLE_TIMEOUT", "60")))
    args = ap.parse_args()
    args.tcpdissect = os.environ.get("TCPDISSECT", "./tcpdissect")
    if not args.tshark_only and not (os.path.isfile(args.tcpdissect)
                                     and os.access(args.tcpdissect, os.X_OK)):
        print("oracle: %s is not an executable (set TCPDISSECT)" % args.tcpdissect)
        return 99

    # the same bytes reached by two paths (tests/pcaps copy + shared corpus) are run once
    seen, files, dups = {}, [], 0
    for f in args.files:
        try:
            with open(f, "rb") as fh:
                h = hashlib.md5(fh.read()).hexdigest()
        except OSError as e:
            print("skip %s: %s" % (f, e.strerror))
            continue
        if h in seen:
            dups += 1
            continue
        seen[h] = f
        files.append(f)

    # tshark reads no user preferences: an empty personal configuration directory
    cfg = tempfile.mkdtemp(prefix="oracle-wsconf-")
    env = dict(os.environ, WIRESHARK_CONFIG_DIR=cfg)
    nfiles = nstreams = nmism = 0
    try:
        with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
            futs = [pool.submit(run_one, f, args, env) for f in files]
            for f, fut in zip(files, futs):
                r = fut.result()
                name = os.path.relpath(f)
                if name.startswith(".."):
                    name = os.path.normpath(f)
                note = (" [%s]" % r["note"]) if r.get("note") else ""
                if r["kind"] == "skip":
                    print("skip %s: %s" % (name, r["reason"]))
                    continue
                if r["kind"] == "dump":
                    print("# %s (%d streams)%s" % (name, len(r["want"]), note))
                    for sid in sorted(r["want"]):
                        print(json.dumps(r["want"][sid]))
                    nfiles += 1
                    nstreams += len(r["want"])
                    continue
                nfiles += 1
                nstreams += len(r["want"])
                nmism += len(r["mism"])
                if not r["mism"]:
                    print("ok %s (%d streams)%s" % (name, len(r["want"]), note))
                else:
                    print("FAIL %s: %d mismatches (%d tshark streams)%s"
                          % (name, len(r["mism"]), len(r["want"]), note))
                    shown = r["mism"] if args.verbose else r["mism"][:MAX_SHOWN]
                    for m in shown:
                        print("    " + m)
                    if len(shown) < len(r["mism"]):
                        print("    ... %d more (run with -v)" % (len(r["mism"]) - len(shown)))
                sys.stdout.flush()
    finally:
        shutil.rmtree(cfg, ignore_errors=True)
    if dups:
        print("(%d files with the same content as an earlier one were not run again)" % dups)
    print("oracle: %d files, %d streams, %d mismatches" % (nfiles, nstreams, nmism))
    return 0 if nmism == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
