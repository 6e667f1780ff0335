#!/usr/bin/env python3
"""compare_jsonl.py EXPECTED ACTUAL: compare tcpdissect jsonl outputs record
by record and print, for each difference, the record and the fields that
differ.  Fields that legitimately vary between builds and machines are
normalised first: the summary's file paths (to base names) and the
memory figures that follow sizeof(struct conn) and --memcap (capacity,
bytes_per_connection).  Expectation files never record those two
(`compare_jsonl.py --strip FILE` removes them; update-expected.sh uses it),
so that a change of struct size rewrites no expectation."""
import json
import os
import re
import sys


def load(path):
    recs = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line:
                continue
            try:
                recs.append(json.loads(line))
            except ValueError as e:
                print(f"{path}:{n}: not JSON ({e}): {line[:200]}")
                sys.exit(1)
    return recs


VOLATILE_MEMORY = ("capacity", "bytes_per_connection")


def strip_volatile(r):
    """Remove the summary's figures that follow struct sizes and --memcap."""
    mem = r.get("memory")
    if isinstance(mem, dict):
        for k in VOLATILE_MEMORY:
            mem.pop(k, None)
    return r


def strip_file(path):
    """Rewrite an expectation file without the volatile figures, keeping
    every other byte of each line (key order, number spelling)."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith('{"type":"summary"') and '"memory":' in line:
                for k in VOLATILE_MEMORY:
                    line = re.sub(r'"%s":-?[0-9]+,?' % k, "", line)
                line = line.replace(',}', '}').replace('{,', '{')
                json.loads(line)
            out.append(line)
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(out)


def normalise(r):
    if r.get("type") == "summary":
        strip_volatile(r)
        if "files" in r:
            r["files"] = [os.path.basename(x) for x in r["files"]]
    if "file" in r:
        r["file"] = os.path.basename(r["file"])
    return r


def label(r):
    t = r.get("type", "?")
    if t == "event":
        return f"event {r.get('kind')} frame {r.get('frame')} stream {r.get('stream')}"
    if t == "connection":
        return f"connection stream {r.get('stream')}"
    return t


def diff_fields(a, b, prefix=""):
    out = []
    for k in sorted(set(a) | set(b)):
        va, vb = a.get(k, "<absent>"), b.get(k, "<absent>")
        if isinstance(va, dict) and isinstance(vb, dict):
            out += diff_fields(va, vb, prefix + k + ".")
        elif va != vb:
            out.append(f"    {prefix}{k}: expected {json.dumps(va)}, got {json.dumps(vb)}")
    return out


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--strip":
        for path in sys.argv[2:]:
            strip_file(path)
        return 0
    exp = [normalise(r) for r in load(sys.argv[1])]
    act = [normalise(r) for r in load(sys.argv[2])]
    problems = 0
    for i in range(max(len(exp), len(act))):
        if i >= len(exp):
            print(f"  record {i + 1}: unexpected {label(act[i])}")
            problems += 1
        elif i >= len(act):
            print(f"  record {i + 1}: missing {label(exp[i])}")
            problems += 1
        elif exp[i] != act[i]:
            print(f"  record {i + 1}: {label(exp[i])} differs"
                  + ("" if label(exp[i]) == label(act[i]) else f" (got {label(act[i])})"))
            print("\n".join(diff_fields(exp[i], act[i])))
            problems += 1
        if problems >= 20:
            print("  ... (more differences not shown)")
            break
    if problems:
        print(f"FAIL: {problems} record(s) differ ({len(exp)} expected, {len(act)} got)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
