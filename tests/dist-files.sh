#!/bin/bash
# dist-files.sh: every file git tracks is in the release tarball, unless it
# is listed below as left out on purpose.  `make distcheck` proves that the
# tarball builds and that the tests it runs find their files; .ci/run's
# distcheck runs only a few tests (the whole suite already ran twice), so
# this test is what keeps a capture, a truth file or a helper script from
# being left out of EXTRA_DIST.  Runs in the build tree of a git checkout;
# skipped in an unpacked tarball (no .git to compare with).
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top/tests/tap-lib.sh"

if ! command -v git > /dev/null || ! git -C "$top" rev-parse --git-dir > /dev/null 2>&1; then
	echo "1..0 # SKIP not a git checkout (an unpacked tarball has nothing to compare with)"
	exit 77
fi
if [ ! -f Makefile ]; then
	echo "1..0 # SKIP no Makefile in $(pwd) (run from the build tree)"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Left out on purpose: git's own files, and the empty directory marker
# that keeps m4/ in git (autoreconf fills m4/ in the tarball).
left_out='^(\.gitignore|\.gitattributes|m4/\.keep)$'

# DISTFILES as make sees it; a directory there ships all that is under it.
make -s -f Makefile -f - print-distfiles > "$tmp/dist.raw" 2> "$tmp/err" <<'EOF'
print-distfiles:
	@for f in $(DISTFILES); do echo "$$f"; done
EOF
check "make prints the distribution's file list" test -s "$tmp/dist.raw"
sed -e "s|^$top/||" -e 's|^\./||' -e 's|^\$(srcdir)/||' "$tmp/dist.raw" | sort -u > "$tmp/dist"
git -C "$top" ls-files | grep -Ev "$left_out" | sort > "$tmp/git"

missing=0
while IFS= read -r f; do
	grep -qxF "$f" "$tmp/dist" && continue
	# shipped as part of a directory named in DISTFILES?
	d=$f
	found=false
	while [ "$d" != "${d%/*}" ]; do
		d=${d%/*}
		if grep -qxF "$d" "$tmp/dist"; then
			found=true
			break
		fi
	done
	$found && continue
	echo "# not in the tarball: $f (add it to EXTRA_DIST or a _SOURCES list in Makefile.am)"
	missing=$((missing + 1))
done < "$tmp/git"
check "every tracked file ships ($missing missing)" test "$missing" = 0
echo "1..$n"
[ "$fails" = 0 ]
