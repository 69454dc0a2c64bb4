/* SPDX-License-Identifier: MIT */
/*
 * bench/instr_peer.c - the malloc peers' fast paths in instructions
 * (executable bench_instr_peer, not linked with libkmm; instr.c's twin).
 *
 *	[LD_PRELOAD=<peer>] bench_instr_peer [N]     (default N = 100000)
 *
 * The allocator counted is whichever provides malloc(): glibc's unless
 * LD_PRELOAD names a peer's library (callgrind does not replace malloc, so a
 * preloaded one is the one counted).  Each pattern is a noinline function
 * running N hot pairs, against instr.c's:
 *   instr/malloc_pair/size:S          malloc(S) + free (vs instr/slab_pair/size:S)
 *   instr/posix_memalign_pair/4096    posix_memalign(4096, 4096) + free
 *                                     (vs instr/page_pair/order:0)
 *   instr/empty_loop                  the same loop with no pair: the overhead
 * Nothing is touched.  Warm-up, counting and output: instr.h.
 */
#include <stdint.h>

#include "instr.h"

static __attribute__((noinline)) int malloc_pair(void *arg, long n)
{
	size_t size = (size_t)(uintptr_t)arg;

	for (long i = 0; i < n; i++) {
		void *p = malloc(size);

		if (__builtin_expect(!p, 0))
			return -1;
		kmm_bench_do_not_optimize(p);
		free(p);
	}
	return 0;
}

static __attribute__((noinline)) int posix_memalign_pair(void *arg, long n)
{
	size_t size = (size_t)(uintptr_t)arg;

	for (long i = 0; i < n; i++) {
		void *p;

		if (__builtin_expect(posix_memalign(&p, 4096, size) != 0, 0))
			return -1;
		kmm_bench_do_not_optimize(p);
		free(p);
	}
	return 0;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000;
	char name[64];
	unsigned int i;

	if (n <= 0) {
		fprintf(stderr, "usage: bench_instr_peer [pairs]\n");
		return 2;
	}
	instr_measure("bench_instr_peer", "instr/empty_loop", empty_loop, NULL, n);
	for (i = 0; i < NR_SIZES; i++) {
		snprintf(name, sizeof(name), "instr/malloc_pair/size:%u", sizes[i]);
		instr_measure("bench_instr_peer", name, malloc_pair, (void *)(uintptr_t)sizes[i],
			      n);
	}
	instr_measure("bench_instr_peer", "instr/posix_memalign_pair/4096", posix_memalign_pair,
		      (void *)(uintptr_t)4096, n);
	return 0;
}
