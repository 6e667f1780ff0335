#!/bin/bash
# update-pcap-list.sh: regenerate tests/pcaps.am, the list of capture
# tests, from the captures in tests/pcaps/.  Run after adding a capture.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
{
	echo "# tests/pcaps.am: one automake test per capture (tests/update-pcap-list.sh)."
	echo "PCAP_TESTS = \\"
	(cd "$top" && ls tests/pcaps/*.pcap tests/pcaps/*.pcapng 2>/dev/null | LC_ALL=C sort) |
	    sed 's/^/	/; s/$/ \\/'
	echo "	\$(NULL)"
	echo "NULL ="
} > "$top/tests/pcaps.am"
echo "$(grep -c 'tests/pcaps/' "$top/tests/pcaps.am") captures listed in tests/pcaps.am"
