#!/bin/bash
# live-signals.sh: a live capture that gets more signals while it stops still
# writes its final records and summary and exits 0.  tcpdissect -i lo runs in
# a private network namespace (nothing touches the host's network); each run
# is ended, once its handlers are in place, by a storm of SIGINTs or SIGTERMs
# (one every 0.2 ms until it has exited) or by two of them 0.5 to 3 ms apart
# (tests/live_signals.py).  Before the fix a signal arriving after the
# handlers were freed (the default action restored) killed the run before
# or during the summary: every storm run failed.  tests/stress/live-signals.sh
# does 100 runs of each way to stop and records the tally.
#
# Needs root and ip netns; otherwise, or without live capture, skipped (77).
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${TCPDISSECT:-./tcpdissect}
ns=tdsig-$$
made=
. "$top/tests/tap-lib.sh"

cleanup() {
	[ -n "$made" ] && ip netns del "$ns" 2> /dev/null
}
trap cleanup EXIT

skip() { echo "1..0 # SKIP $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (a network namespace, live capture)"
command -v ip > /dev/null 2>&1 || skip "ip (iproute2) not found"
need_python
case $bin in */*) ;; *) bin=./$bin ;; esac
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
timeout 10 "$bin" -D > /dev/null 2>&1 || skip "live capture not available"
ip netns add "$ns" 2> /dev/null || skip "cannot create a network namespace"
made=1
ip -n "$ns" link set lo up || { echo "ERROR: cannot bring lo up in $ns"; exit 99; }

for mode in int-storm term-storm int2 term2; do
	case $mode in *-storm) runs=5 ;; *) runs=8 ;; esac
	out=$("$py" "$top/tests/live_signals.py" "$bin" "$ns" "$mode" "$runs")
	rc=$?
	[ "$rc" = 99 ] && { echo "ERROR: $out"; exit 99; }
	echo "$out"
	check "$mode: every run ends with the summary and exit 0" [ "$rc" = 0 ]
done
echo "1..$n"
[ "$fails" = 0 ]
