#!/usr/bin/env python3
"""live_signals.py: end live captures with signals and check each run's end.

usage: live_signals.py TCPDISSECT NETNS MODE RUNS

Each run starts "TCPDISSECT -i lo -o jsonl" inside the network namespace
NETNS (made by the caller, its loopback up), with SIGINT and SIGTERM at
their default actions whatever this script inherited, and ends it by MODE:

  int2, term2   once the capture's SIGINT and SIGTERM handlers are in place
                (/proc/PID/status SigCgt), the signal twice, the second
                0.5 to 3 ms after the first (the gap cycles over the runs)
  int-storm, term-storm
                once the handlers are in place, the signal every 0.2 ms until
                the process has exited (at most 5 s): one of them is bound
                to arrive while it stops, whatever the machine's speed
  timeout-int, timeout-term
                "timeout --preserve-status -s INT|TERM 1" around the command
                (its status is the child's; timeout signals the child and
                then its whole process group: two signals)

A run passes when tcpdissect exits 0 and its last line is the summary
record.  Prints one line per failed run and a tally; exit 0 when every run
passed, 1 otherwise, 99 when the setup failed.  Every wait is bounded.
"""
import json
import os
import signal
import subprocess
import sys
import time

GAPS = (0.0005, 0.001, 0.002, 0.003)


def default_signals():
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def handlers_ready(pid):
    """True once the process catches both SIGINT and SIGTERM."""
    want = (1 << (signal.SIGINT - 1)) | (1 << (signal.SIGTERM - 1))
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("SigCgt:"):
                    return int(line.split()[1], 16) & want == want
    except OSError:
        pass
    return False


def spin(seconds):
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        pass


def storm(proc, sig):
    """sig every 0.2 ms until proc has exited; a zombie is not reaped before
    poll() says so, so the pid cannot be reused meanwhile."""
    deadline = time.monotonic() + 5
    while proc.poll() is None and time.monotonic() < deadline:
        os.kill(proc.pid, sig)
        spin(0.0002)


def ended_well(out, rc):
    if rc != 0:
        return "exit status %s" % rc
    lines = out.decode("utf-8", "replace").splitlines()
    if not lines:
        return "no output"
    try:
        last = json.loads(lines[-1])
    except ValueError:
        return "last line is not JSON: %.80s" % lines[-1]
    if last.get("type") != "summary":
        return "last record is %r, not the summary" % last.get("type")
    return None


def one_run(binary, netns, mode, i):
    cmd = ["ip", "netns", "exec", netns, binary, "-i", "lo", "-o", "jsonl"]
    if mode.startswith("timeout-"):
        sig = "INT" if mode == "timeout-int" else "TERM"
        cmd = ["timeout", "--preserve-status", "-s", sig, "1"] + cmd
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=default_signals, start_new_session=True)
    if not mode.startswith("timeout-"):
        sig = signal.SIGINT if mode.startswith("int") else signal.SIGTERM
        deadline = time.monotonic() + 10
        while not handlers_ready(proc.pid):
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                out, err = proc.communicate()
                return "never ready: %.200s" % err.decode("utf-8", "replace")
            time.sleep(0.01)
        if mode.endswith("-storm"):
            storm(proc, sig)
        else:
            os.kill(proc.pid, sig)
            spin(GAPS[i % len(GAPS)])
            os.kill(proc.pid, sig)  # not reaped yet: still its pid
    try:
        out, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return "did not end within 20 s"
    why = ended_well(out, proc.returncode)
    if why is not None and err:
        why += "; stderr: %.200s" % err.decode("utf-8", "replace").strip()
    return why


def main():
    if len(sys.argv) != 5:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 99
    binary, netns, mode, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    if mode not in ("int2", "term2", "int-storm", "term-storm", "timeout-int",
                    "timeout-term"):
        print("unknown mode %s" % mode, file=sys.stderr)
        return 99
    failed = 0
    for i in range(runs):
        why = one_run(binary, netns, mode, i)
        if why is not None:
            failed += 1
            print("# %s run %d: %s" % (mode, i + 1, why))
    print("# %s: %d of %d runs ended with the summary and exit 0"
          % (mode, runs - failed, runs))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
