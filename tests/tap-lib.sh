# tap-lib.sh: the TAP helpers the shell tests share (sourced).  check
# DESCRIPTION COMMAND... runs the command and prints "ok N" or "not ok N";
# $n counts the checks and $fails the failures, for the plan at the end.
n=0
fails=0

check() {	# description, command...: the command must succeed
	local what=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n - $what"
	else
		echo "not ok $n - $what"
		fails=$((fails + 1))
	fi
}

need_python() {	# sets $py to a python3, or skips the whole test (exit 77)
	py=/usr/bin/python3
	[ -x "$py" ] || py=$(command -v python3 || true)
	if [ -z "$py" ]; then
		echo "1..0 # SKIP python3 not found"
		exit 77
	fi
}

# tap_setup [absolute]: the start the tests share, after "set -u", $top and
# sourcing this file.  Sets $bin, the program ($TCPDISSECT, else
# ./tcpdissect; with "absolute" made absolute, for a test that changes
# directory), $P, the captures, and $tmp, a scratch directory removed at
# exit (after tap_cleanup, if the test defines one: processes to stop).
tap_setup() {
	bin=${TCPDISSECT:-./tcpdissect}
	if [ "${1:-}" = absolute ]; then
		bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
	fi
	P=$top/tests/pcaps
	tmp=$(mktemp -d) || exit 99
	trap 'declare -F tap_cleanup > /dev/null && tap_cleanup; rm -rf "$tmp"' EXIT
}

# tap_done: the plan, and the test's status: 0 when every check passed.
tap_done() {
	echo "1..$n"
	[ "$fails" = 0 ]
}

# sanitizer_build: true when $bin is the AddressSanitizer build
# (configure --enable-sanitizers).  Tests that run the program on every
# capture of the suite sample the captures there: each capture already runs
# under the sanitizer as its own test (tests/run-pcap.sh), and a sanitized
# run costs several times a plain one.
sanitizer_build() {
	ldd "$bin" 2> /dev/null | grep -q libasan
}
