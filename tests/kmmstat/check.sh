#!/bin/sh
# SPDX-License-Identifier: MIT
# The kmmstat tool against a running program (kmmstat-demo, mem=256M kmmstat=1):
# a file, top, the list of programs, the physmap text and picture, its errors.
#   check.sh <kmmstat> <kmmstat-demo>
set -eu
kmmstat=$1
demo=$2
dir=$(mktemp -d)
pid=
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$dir"
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

"$demo" --svg "$dir/inprocess.svg" --linger 240 >"$dir/ready" &
pid=$!
# The demo prints "ready <pid>" once its allocations are made (a generous bound, not a timing check).
i=0
until grep -qx "ready $pid" "$dir/ready"; do
	kill -0 "$pid" 2>/dev/null || fail "the demo exited before it was ready"
	i=$((i + 1))
	[ $i -lt 1200 ] || fail "the demo did not get ready"
	sleep 0.1
done

# A file: slabinfo, with the demo's caches and their objects (4000 inodes, 2000 dentries).
"$kmmstat" "$pid" slabinfo >"$dir/slabinfo" || fail "kmmstat slabinfo"
head -n 1 "$dir/slabinfo" | grep -qx "slabinfo - version: 2.1" || fail "slabinfo header"
[ "$(awk '$1 == "demo_inode" { print $2 }' "$dir/slabinfo")" = 4000 ] || fail "demo_inode objects"
[ "$(awk '$1 == "demo_dentry" { print $2 }' "$dir/slabinfo")" = 2000 ] || fail "demo_dentry objects"
"$kmmstat" "$pid" meminfo | grep -Eq "^MemTotal: +[1-9][0-9]* kB$" || fail "meminfo MemTotal"

# top: two refreshes, each with slabtop's summary, caches by size, biggest first.
"$kmmstat" -n 2 -d 0.2 "$pid" top >"$dir/top" || fail "kmmstat top"
[ "$(grep -c "Active / Total Objects" "$dir/top")" = 2 ] || fail "top: two refreshes"
[ "$(grep -c "CACHE SIZE NAME" "$dir/top")" = 2 ] || fail "top: two tables"
grep -q "demo_inode$" "$dir/top" || fail "top lists demo_inode"
if grep -q "$(printf '\033')" "$dir/top"; then fail "top: escape sequences on a pipe"; fi
awk '/CACHE SIZE NAME/ { table++; last = -1; next }
     table == 1 && $7 ~ /K$/ { size = $7 + 0; if (last >= 0 && size > last) bad = 1; last = size }
     END { exit bad }' "$dir/top" || fail "top: caches not sorted by size"

# -l: the demo is listed, by pid and command.
"$kmmstat" -l >"$dir/list" || fail "kmmstat -l"
grep -Eq "^ *$pid  kmmstat-demo$" "$dir/list" || fail "-l does not list the demo"

# physmap: every frame of mem=256M exactly once, in order.
"$kmmstat" "$pid" physmap >"$dir/physmap" || fail "kmmstat physmap"
awk 'function hex(s,  i, v) { v = 0; s = tolower(substr(s, 3))
		for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return v }
     /^pfn / { split($2, r, "-"); a = hex(r[1]); b = hex(r[2]);
		if (a != next_pfn || b < a) bad = 1; next_pfn = b + 1 }
     END { if (bad || next_pfn != 65536) exit 1 }' "$dir/physmap" ||
	fail "physmap does not cover pfn 0-65535 once, in order"
grep -q "  slab demo_inode$" "$dir/physmap" || fail "physmap: no demo_inode slab"
grep -q "  vmalloc 0x" "$dir/physmap" || fail "physmap: no vmalloc area"
grep -q "  kmalloc-large$" "$dir/physmap" || fail "physmap: no kmalloc-large"

# physmap --svg: the picture the program draws of itself (kmm_physmap_svg()).
"$kmmstat" "$pid" physmap --svg "$dir/out.svg" || fail "kmmstat physmap --svg"
head -n 1 "$dir/out.svg" | grep -q '^<?xml' || fail "svg: no XML declaration"
tail -n 1 "$dir/out.svg" | grep -qx '</svg>' || fail "svg: not closed"
[ "$(grep -c '<g class="legend">' "$dir/out.svg")" -ge 9 ] || fail "svg: legend entries"
grep -q '<g class="legend">.*>demo_inode <' "$dir/out.svg" || fail "svg: demo_inode not in the legend"
[ "$(grep 'libkmm physical memory' "$dir/out.svg")" = \
	"$(grep 'libkmm physical memory' "$dir/inprocess.svg")" ] || fail "svg: title differs from the in-process one"
[ "$(grep -c '<g class="legend">' "$dir/out.svg")" = \
	"$(grep -c '<g class="legend">' "$dir/inprocess.svg")" ] || fail "svg: legend differs from the in-process one"

# Errors: an unknown file, a process that serves nothing, --svg without physmap.
if "$kmmstat" "$pid" nosuchfile 2>"$dir/err"; then fail "an unknown file succeeded"; fi
grep -q "no such file: nosuchfile" "$dir/err" || fail "unknown file: $(cat "$dir/err")"
if "$kmmstat" $$ slabinfo 2>"$dir/err"; then fail "a process without a server answered"; fi
grep -q "serves no statistics" "$dir/err" || fail "no server: $(cat "$dir/err")"
if "$kmmstat" "$pid" slabinfo --svg "$dir/x.svg" 2>/dev/null; then fail "--svg with slabinfo"; fi

# Gone with the process.
kill "$pid"
wait "$pid" || fail "the demo exited with an error"
pid_gone=$pid
pid=
if "$kmmstat" -l | grep -Eq "^ *$pid_gone "; then fail "-l lists an exited program"; fi
echo "kmmstat: all checks passed"
