#!/bin/bash
# readme-ci.sh: README's two commands work one after the other in the same
# tree, in either order (issue 17 item 3).  A quick check, not the whole
# suite twice: in a copy of the source tree, README's quick start (its
# configure and build step; the dependencies are installed already, and
# CFLAGS=-O0 keeps the build short) followed by .ci/run's configure step
# (`.ci/run --configure-only`), then the other way round, then a tree
# configured in place by hand followed by .ci/run's configure step.
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
. "$top/tests/tap-lib.sh"

for t in autoreconf make; do
	if ! command -v "$t" > /dev/null; then
		echo "1..0 # SKIP $t not found (README's commands need it)"
		exit 77
	fi
done
# README's first command, without its dependency step.
cmd=$(sed -n '/^## Quick start/,/^## /p' "$top/README.md" |
    grep -m1 '^sh contrib/install-deps.sh && ')
cmd=${cmd#sh contrib/install-deps.sh && }
cmd=${cmd//-j\"\$(nproc)\"/-j2}
check "README has a quick-start command" test -n "$cmd"
configure_part=${cmd%%&& make*}

copy() {	# a fresh copy of the source tree at $tmp/$1
	mkdir "$tmp/$1"
	(cd "$top" && tar cf - --exclude='./build*' --exclude=./autom4te.cache --exclude=./.git \
	    --exclude=config.status --exclude=config.log --exclude='*.o' .) |
	    (cd "$tmp/$1" && tar xf -)
	chmod -R u+w "$tmp/$1"
}
ci_configure() { (cd "$tmp/$1" && bash .ci/run --configure-only) >> "$tmp/log" 2>&1; }

export CFLAGS=-O0
copy a
(cd "$tmp/a" && eval "$cmd") >> "$tmp/log" 2>&1
check "README quick start builds and runs" test $? = 0
ci_configure a
check "then .ci/run's configure step succeeds in the same tree" test $? = 0
check "... in build-ci" test -f "$tmp/a/build-ci/config.status"

copy b
ci_configure b
check ".ci/run's configure step in a fresh tree" test $? = 0
(cd "$tmp/b" && eval "$configure_part") >> "$tmp/log" 2>&1
check "then README's configure step succeeds" test $? = 0

(cd "$tmp/b" && ./configure -q) >> "$tmp/log" 2>&1
check "a configure in the source directory itself" test $? = 0
ci_configure b
check "then .ci/run's configure step still succeeds (make distclean)" test $? = 0
check "... and the in-place configure is gone" test ! -f "$tmp/b/config.status"

[ $fails = 0 ] || sed 's/^/# /' "$tmp/log" | tail -n 30
echo "1..$n"
[ $fails = 0 ]
