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
