#!/bin/sh
# The rseq fast paths' instructions per pair, counted from the disassembly of
# tests/fastpath/loops.c (bench/pairs.h's loops; count.py: callgrind cannot run
# restartable sequences), stay at most what docs/performance.md gives: a slab pair 43, a
# variable-size kmalloc pair 50.
#   tests/fastpath/check.sh <loops-binary>
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
"$1"
counts=$(python3 "$here/count.py" "$1" empty_loop slab_pair kmalloc_pair_var)
echo "$counts"
loop=$(echo "$counts" | awk '$1 == "empty_loop" { print $2 }')
status=0
for limit in slab_pair:43 kmalloc_pair_var:50; do
	name=${limit%:*}
	n=$(echo "$counts" | awk -v f="$name" '$1 == f { print $2 }')
	net=$((n - loop))
	if [ "$net" -gt "${limit#*:}" ]; then
		echo "fastpath: $name takes $net instructions per pair, more than ${limit#*:}" >&2
		status=1
	fi
done
exit $status
