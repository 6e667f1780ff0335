#!/bin/bash
# live-signals.sh (stress, not part of make check): 100 live runs of each way
# to stop tcpdissect -i lo with signals, in a private network namespace:
#   timeout -s INT 1, timeout -s TERM 1   (--preserve-status; timeout signals the
#                                          child, then its process group: two
#                                          signals at once)
#   two SIGINTs / two SIGTERMs 0.5-3 ms apart once the handlers are in place
# Each run must end with the summary record and exit 0.  Prints a tally per
# way (the figures doc/reliability.md records) and exits 1 if any run failed.
#
# usage: tests/stress/live-signals.sh [TCPDISSECT] [RUNS]   (as root)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-${TCPDISSECT:-./tcpdissect}}
runs=${2:-100}
ns=tdstress-$$
case $bin in */*) ;; *) bin=./$bin ;; esac
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
[ "$(id -u)" = 0 ] || { echo "needs root (a network namespace, live capture)"; exit 2; }
ip netns add "$ns" || exit 2
trap 'ip netns del "$ns"' EXIT
ip -n "$ns" link set lo up || exit 2
status=0
for mode in timeout-int timeout-term int2 term2; do
	python3 "$top/tests/live_signals.py" "$bin" "$ns" "$mode" "$runs" || status=1
done
exit $status
