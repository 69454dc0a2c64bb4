# scripts/peers.sh - sourced by scripts/bench and scripts/bench-instr: finds the malloc
# peers' shared libraries and sets
#   allocs                       "kmm glibc" and each peer found (jemalloc mimalloc tcmalloc)
#   jemalloc mimalloc tcmalloc   the library to LD_PRELOAD, or empty
# Peers not installed are reported on stderr, prefixed with $peers_prefix, and skipped.

# peer_lib <dev package> <library> <soname>: the shared library to preload, from the
# package's file list (the -dev package ships <library>; the runtime one <soname>).
peer_lib() {
	dev=$(dpkg -L "$1" 2>/dev/null | grep "/$2\$" | head -n 1)
	[ -n "$dev" ] || return 0
	if [ -e "$(dirname "$dev")/$3" ]; then
		echo "$(dirname "$dev")/$3"
	else
		readlink -f "$dev"
	fi
}

allocs="kmm glibc"
jemalloc=$(peer_lib libjemalloc-dev libjemalloc.so libjemalloc.so.2)
mimalloc=$(peer_lib libmimalloc-dev libmimalloc.so libmimalloc.so.2)
tcmalloc=$(peer_lib libgoogle-perftools-dev libtcmalloc_minimal.so libtcmalloc_minimal.so.4)
for a in jemalloc mimalloc tcmalloc; do
	eval "lib=\$$a"
	if [ -n "$lib" ]; then
		allocs="$allocs $a"
	else
		echo "$peers_prefix: $a not found, skipped" >&2
	fi
done
