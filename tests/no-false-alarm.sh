#!/bin/bash
# no-false-alarm.sh: no warning or alert on healthy traffic (issue 12).  For
# each capture in tests/healthy-captures.list (the corpus captures tagged
# only with formats and normal traffic, and the suite's clean ones), every
# event of severity warning or alert must be listed, with why it is right,
# in tests/no-false-alarm.known; an entry no run reports any more is stale
# and fails too.  One TAP line per capture.
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${TCPDISSECT:-./tcpdissect}
. "$top/tests/tap-lib.sh"
need_python

"$py" - "$bin" "$top/tests" <<'PY'
import json, os, subprocess, sys

binary, tests = sys.argv[1], sys.argv[2]
def entries(path):
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if line and not line.startswith("#"):
            yield line.split()
healthy = [e[0] for e in entries(os.path.join(tests, "healthy-captures.list"))]
known = {}
for e in entries(os.path.join(tests, "no-false-alarm.known")):
    if len(e) < 4:
        print("Bail out! no-false-alarm.known: an entry without its reason: %s" % " ".join(e))
        sys.exit(1)
    known[(e[0], e[1], int(e[2]))] = " ".join(e[3:])
n = fails = 0
used = set()
for name in healthy:
    n += 1
    path = os.path.join(tests, "pcaps", name)
    p = subprocess.run([binary, "-o", "jsonl", path], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, timeout=120)
    bad = []
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        r = json.loads(line)
        if r["type"] != "event" or r["severity"] not in ("warning", "alert"):
            continue
        key = (name, r["kind"], r.get("frame", 0))
        if key in known:
            used.add(key)
        else:
            bad.append("%s at frame %s (stream %s): %s" % (r["kind"], r.get("frame"),
                       r.get("stream"), r.get("message", "")[:80]))
    if p.returncode not in (0, 3) or bad:
        fails += 1
        print("not ok %d - %s: exit %d" % (n, name, p.returncode))
        for b in bad[:5]:
            print("#   %s" % b)
    else:
        print("ok %d - %s" % (n, name))
n += 1
stale = sorted(set(known) - used)
if stale:
    fails += 1
    print("not ok %d - stale entries in no-false-alarm.known: %s" % (n, stale))
else:
    print("ok %d - every no-false-alarm.known entry is still reported" % n)
print("1..%d" % n)
sys.exit(1 if fails else 0)
PY
