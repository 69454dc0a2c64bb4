#!/bin/sh
# Real programs on libkmm-malloc.so under the host's limits (ctest entry malloc_limits of
# tests/malloc/CMakeLists.txt): the front end's default machine fits what it finds, so
# `ls` and python3 run under `ulimit -v` (RLIMIT_AS) and `ulimit -f` (RLIMIT_FSIZE) as
# they do without the preload, on libkmm's memory (their /proc/self/maps show the
# machine's memfd, kmm-physmem), with address space left for the program's own mappings;
# and a KMM_CMDLINE whose mem= does not fit is refused in one line naming kmm_init, mem=
# and the limit, then the defaults boot.  Exit status 0 on success.
#   limits.sh LIB
set -eu
lib=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

# run NAME LIMIT COMMAND...: COMMAND under `ulimit LIMIT` with the preload; its stdout in
# $tmp/out, its stderr in $tmp/err; fails unless it exits 0.
run() {
	name=$1
	limit=$2
	shift 2
	if ! timeout 60 sh -c "ulimit $limit && exec env LD_PRELOAD='$lib' \"\$@\"" sh "$@" \
		>"$tmp/out" 2>"$tmp/err"; then
		echo "limits.sh: $name: exit status $?, stderr:"
		cat "$tmp/err"
		failed=1
		return 1
	fi
}

# quiet NAME FILE: FILE is empty.
quiet() {
	if [ -s "$2" ]; then
		echo "limits.sh: $1: unexpected output:"
		cat "$2"
		failed=1
	fi
}

# expect NAME FILE TEXT: FILE holds exactly the lines of TEXT.
expect() {
	printf '%s\n' "$3" >"$tmp/want"
	if ! diff "$tmp/want" "$2" >"$tmp/diff"; then
		echo "limits.sh: $1: unexpected output:"
		cat "$tmp/diff"
		failed=1
	fi
}

py_work='import mmap, sys
d = {i: str(i) * 10 for i in range(100000)}
m = mmap.mmap(-1, 1 << 30)  # the program keeps address space of its own
m[-1:] = b"x"
print(len(d), open("/proc/self/maps").read().count("kmm-physmem") > 0)'

for limit in "-v 4000000" "-f 100000"; do
	if run "ls under ulimit $limit" "$limit" ls /; then
		quiet "ls under ulimit $limit: stderr" "$tmp/err"
		grep -qx proc "$tmp/out" || { echo "limits.sh: ls under ulimit $limit: no /proc listed"; failed=1; }
	fi
	if run "grep under ulimit $limit" "$limit" grep -m1 -o kmm-physmem /proc/self/maps; then
		expect "grep under ulimit $limit" "$tmp/out" "kmm-physmem"
		quiet "grep under ulimit $limit: stderr" "$tmp/err"
	fi
	if [ -x /usr/bin/python3 ] && run "python3 under ulimit $limit" "$limit" \
		env PYTHONMALLOC=malloc /usr/bin/python3 -c "$py_work"; then
		expect "python3 under ulimit $limit" "$tmp/out" "100000 True"
		quiet "python3 under ulimit $limit: stderr" "$tmp/err"
	fi
done

# An explicit mem= the limits cannot hold: one line, then the defaults.
# (ulimit -v counts KiB; ulimit -f counts 1024-byte blocks in bash, 512-byte ones in dash)
export KMM_CMDLINE=mem=8G
if run "mem=8G under ulimit -v" "-v 4000000" grep -m1 -o kmm-physmem /proc/self/maps; then
	expect "mem=8G under ulimit -v" "$tmp/out" "kmm-physmem"
	sed 's/need [0-9]*M/need *M/; s/, [0-9]*M left/, *M left/; s/vmalloc=[0-9]*M/vmalloc=*M/' \
		"$tmp/err" >"$tmp/err.pattern"
	expect "mem=8G under ulimit -v: stderr" "$tmp/err.pattern" \
"kmm_init: mem=8192M vmalloc=*M need *M of address space, *M left under the address-space limit (RLIMIT_AS, ulimit -v) of 4096000000 bytes, refused
libkmm-malloc: KMM_CMDLINE refused, booting with the defaults"
fi
export KMM_CMDLINE=mem=1G
if run "mem=1G under ulimit -f" "-f 100000" grep -m1 -o kmm-physmem /proc/self/maps; then
	expect "mem=1G under ulimit -f" "$tmp/out" "kmm-physmem"
	sed 's/of [0-9]* bytes/of * bytes/' "$tmp/err" >"$tmp/err.pattern"
	expect "mem=1G under ulimit -f: stderr" "$tmp/err.pattern" \
"kmm_init: mem=1024M is above the file size limit (RLIMIT_FSIZE, ulimit -f) of * bytes, refused
libkmm-malloc: KMM_CMDLINE refused, booting with the defaults"
fi
unset KMM_CMDLINE
[ $failed = 0 ] && echo "limits.sh: every program ran under the limits"
exit $failed
