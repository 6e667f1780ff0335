#!/usr/bin/env python3
"""progress_pty.py TCPDISSECT CAPTURE: run tcpdissect with stderr on a
pseudo-terminal and print what it wrote there (stdout goes to /dev/null).
Extra arguments after the capture are passed on; CAPTURE '-' feeds the
file named by $STDIN_FILE on standard input."""
import os
import pty
import subprocess
import sys


def main():
    binary, capture, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
    master, slave = pty.openpty()
    stdin = open(os.environ["STDIN_FILE"], "rb") if capture == "-" else subprocess.DEVNULL
    p = subprocess.Popen([binary] + extra + [capture], stdin=stdin,
                         stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:		# EIO: the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    p.wait()
    sys.stdout.write(out.decode("utf-8", "replace"))
    return p.returncode


if __name__ == "__main__":
    sys.exit(main())
