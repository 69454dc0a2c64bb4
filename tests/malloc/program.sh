#!/bin/sh
# Runs a real program on libkmm-malloc.so and checks its results (ctest entries of
# tests/malloc/CMakeLists.txt).
#   program.sh python LIB workload.py   Debian's /usr/bin/python3, PYTHONMALLOC=malloc
#   program.sh sqlite LIB workload.sql  the sqlite3 shell on a new database file; the
#                                       output must equal workload.expected beside it
#   program.sh fork LIB forking         the forking C program (forking.c), with -k
#   program.sh workloads LIB workloads  every pattern of workloads.c at 3% of its size: the
#                                       output must equal the same run's without the preload
# Each also checks that the program really ran on libkmm's memory: the Python script and
# forking -k look at their own objects' addresses, the sqlite3 shell greps its own
# /proc/PID/maps for the machine's memfd (kmm-physmem).  Exit status 0 on success, 77
# (skipped) if the program is not installed.
set -eu
kind=$1
lib=$2
work=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
case $kind in
python)
	[ -x /usr/bin/python3 ] || { echo "program.sh: /usr/bin/python3 missing, skipped"; exit 77; }
	env LD_PRELOAD="$lib" PYTHONMALLOC=malloc KMM_EXPECT=1 /usr/bin/python3 "$work"
	;;
sqlite)
	command -v sqlite3 >/dev/null || { echo "program.sh: sqlite3 missing, skipped"; exit 77; }
	{
		cat "$work"
		# system() runs sh, whose parent is the sqlite3 shell
		echo '.system grep -q kmm-physmem /proc/$PPID/maps && echo on libkmm'
	} | env LD_PRELOAD="$lib" sqlite3 "$tmp/db" >"$tmp/out"
	{
		cat "${work%.sql}.expected"
		echo "on libkmm"
	} >"$tmp/expected"
	diff "$tmp/expected" "$tmp/out"
	echo "program.sh: sqlite3 output as expected ($(wc -l <"$tmp/out") lines)"
	;;
fork)
	env LD_PRELOAD="$lib" "$work" -k
	;;
workloads)
	for pattern in large churn xthread mixed threads server; do
		"$work" "$pattern" 3 >"$tmp/expected"
		env LD_PRELOAD="$lib" "$work" "$pattern" 3 >"$tmp/out"
		diff "$tmp/expected" "$tmp/out"
		echo "program.sh: workloads $(cat "$tmp/out"): as without libkmm"
	done
	;;
*)
	echo "usage: $0 python|sqlite|fork|workloads LIB WORKLOAD" >&2
	exit 2
	;;
esac
