/* SPDX-License-Identifier: MIT */
/*
 * bench/bench_peer.c - the malloc peers' equivalents of bench_page.c's patterns
 * (executable bench_peer, not linked with libkmm).
 *
 * Plain posix_memalign()/free(): the allocator measured is whichever provides
 * them, glibc's unless the run sets LD_PRELOAD to a peer's library (jemalloc,
 * mimalloc, tcmalloc; scripts/bench does).  The patterns:
 *   peer/posix_memalign_free_pair/4096   posix_memalign(4096, 4096), first byte
 *                                        written, free (vs page/alloc_*_pair/order:0)
 *   peer/posix_memalign_free_batch/S     256 blocks of S = 4096 << K bytes, 4096
 *                                        aligned, first byte written, then all freed
 *                                        in allocation order (vs page/alloc_free_batch/order:K)
 *   peer/posix_memalign_free_pair/4096/threads:2   the pair on two threads at once
 * items_per_second counts operations: pairs, or blocks for a batch.
 */
#include <stdlib.h>

#include "shim.h"

#define BATCH 256
#define ALIGN 4096

static void posix_memalign_free_pair(struct kmm_bench_state *st)
{
	size_t size = (size_t)kmm_bench_range(st, 0);

	for (long n; (n = kmm_bench_iterations(st)) != 0;) {
		while (n--) {
			void *p;

			if (__builtin_expect(posix_memalign(&p, ALIGN, size) != 0, 0)) {
				kmm_bench_skip(st, "posix_memalign failed");
				break;
			}
			*(volatile char *)p = 1;
			free(p);
		}
	}
	kmm_bench_set_items_processed(st, kmm_bench_iterations_run(st));
}
KMM_BENCHMARK(posix_memalign_free_pair, .name = "peer/posix_memalign_free_pair",
	      KMM_BENCH_ARGS(4096));

static void posix_memalign_free_batch(struct kmm_bench_state *st)
{
	size_t size = (size_t)kmm_bench_range(st, 0);
	void *blocks[BATCH];
	int i;

	for (long n; (n = kmm_bench_iterations(st)) != 0;) {
		while (n--) {
			for (i = 0; i < BATCH; i++) {
				if (__builtin_expect(posix_memalign(&blocks[i], ALIGN, size) != 0,
						     0))
					break;
				*(volatile char *)blocks[i] = 1;
			}
			if (__builtin_expect(i < BATCH, 0)) {
				while (i--)
					free(blocks[i]);
				kmm_bench_skip(st, "posix_memalign failed");
				break;
			}
			for (i = 0; i < BATCH; i++)
				free(blocks[i]);
		}
	}
	kmm_bench_set_items_processed(st, kmm_bench_iterations_run(st) * BATCH);
}
KMM_BENCHMARK(posix_memalign_free_batch, .name = "peer/posix_memalign_free_batch",
	      KMM_BENCH_ARGS(4096, 8192, 16384, 32768));

KMM_BENCHMARK(posix_memalign_free_pair, .name = "peer/posix_memalign_free_pair",
	      KMM_BENCH_ARGS(4096), .threads = 2);
