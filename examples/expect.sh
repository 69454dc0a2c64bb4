#!/bin/sh
# expect.sh PROGRAM [PATTERN | !PATTERN | -f FILE]...: the check behind the examples'
# ctests.  Runs PROGRAM and prints its output (stdout and stderr); passes if it
# exited 0, its output contains every PATTERN and none of the !PATTERNs (fixed
# strings), given as arguments or one per line of FILE (blank lines and lines
# starting with '#' skipped).  Each failure is named on its own line.
set -u
prog="$1"
shift
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
"$prog" >"$out" 2>&1
rc=$?
cat "$out"
status=0
if [ "$rc" -ne 0 ]; then
	echo "expect: $prog exited with status $rc"
	status=1
fi
check() {
	case "$1" in
	!*)
		if grep -qF -- "${1#!}" "$out"; then
			echo "expect: found what must not be there: ${1#!}"
			status=1
		fi
		;;
	*)
		if ! grep -qF -- "$1" "$out"; then
			echo "expect: missing: $1"
			status=1
		fi
		;;
	esac
}
while [ $# -gt 0 ]; do
	if [ "$1" = -f ]; then
		while IFS= read -r pattern; do
			case "$pattern" in
			'' | '#'*) ;;
			*) check "$pattern" ;;
			esac
		done <"$2"
		shift 2
	else
		check "$1"
		shift
	fi
done
exit $status
