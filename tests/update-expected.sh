#!/bin/bash
# update-expected.sh NAME...: (re)write the expectations of the named
# captures of tests/pcaps/ from the current build.  The only way expected
# files are made: read the diff before committing it.
#   TCPDISSECT=path/to/tcpdissect tests/update-expected.sh gen-reuse.pcap
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${TCPDISSECT:-$top/tcpdissect}
[ $# -gt 0 ] || { echo "usage: $0 NAME... (names in tests/pcaps/, or --all)"; exit 1; }
if [ "$1" = "--all" ]; then
	set -- $(cd "$top/tests/pcaps" && ls *.pcap *.pcapng 2>/dev/null)
fi
for name in "$@"; do
	name=$(basename "$name")
	pcap=$top/tests/pcaps/$name
	[ -f "$pcap" ] || { echo "no such capture: $pcap"; exit 1; }
	args=()
	[ -f "$pcap.args" ] && read -r -a args < "$pcap.args"
	set +e
	(cd "$top/tests/pcaps" && TZ=UTC LC_ALL=C "$bin" -o jsonl "${args[@]}" "$name") \
	    > "$top/tests/expected/$name.jsonl" 2>/dev/null
	rc=$?
	set -e
	python3 "$top/tests/compare_jsonl.py" --strip "$top/tests/expected/$name.jsonl"
	if [ "$rc" != 0 ]; then
		echo "$rc" > "$top/tests/expected/$name.exit"
	else
		rm -f "$top/tests/expected/$name.exit"
	fi
	echo "$name: exit $rc, $(wc -l < "$top/tests/expected/$name.jsonl") records"
done
# The new expectation files must be distributed too.
bash "$top/tests/update-pcap-list.sh"
