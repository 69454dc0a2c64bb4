/* SPDX-License-Identifier: MIT */
/*
 * bench/bench_peer.c - the malloc peers' equivalents of bench_page.c's and
 * bench_slab.c's patterns (executable bench_peer, not linked with libkmm).
 *
 * Plain malloc()/posix_memalign()/free(): the allocator measured is whichever
 * provides them, glibc's unless the run sets LD_PRELOAD to a peer's library
 * (jemalloc, mimalloc, tcmalloc; scripts/bench does).  The patterns, against
 * bench_page.c's:
 *   peer/posix_memalign_free_pair/4096   posix_memalign(4096, 4096), first byte
 *                                        written, free (vs page/alloc_*_pair/order:0)
 *   peer/posix_memalign_free_batch/S     256 blocks of S = 4096 << K bytes, 4096
 *                                        aligned, first byte written, then all freed
 *                                        in allocation order (vs page/alloc_free_batch/order:K)
 *   peer/posix_memalign_free_pair/4096/threads:2   the pair on two threads at once
 * and against bench_slab.c's (no object is touched unless said so):
 *   peer/malloc_free_pair/size:N         malloc(N) + free (vs slab/alloc_free_pair/size:N)
 *   peer/malloc_free_batch/size:64       1000 mallocs, then the 1000 frees in
 *                                        allocation order (vs slab/alloc_free_batch/size:64)
 *   peer/malloc_free_bulk/size:64        64 mallocs, then the 64 frees
 *                                        (vs slab/alloc_free_bulk/size:64)
 *   peer/malloc_free_pair/size:64/threads:2   the pair on two threads at once
 *   peer/producer_consumer/size:64       batches of 256 mallocs with a check word
 *                                        written, freed by a consumer thread after
 *                                        the check, through handoff.h's ring; wall
 *                                        time (vs slab/producer_consumer/size:64)
 * and against bench_kmalloc.c's:
 *   peer/malloc_pair_const/size:N        malloc(N) + free with N a compile-time
 *                                        constant, N = 8, 64, 192, 512, 4096
 *                                        (vs kmalloc/pair_const/size:N)
 *   peer/malloc_pair_var/size:N          the same with N read through a volatile
 *                                        at every pair (vs kmalloc/pair_var/size:N)
 *   peer/malloc_random_window            random_sizes.h's sizes, 8..4096 bytes: 64
 *                                        live blocks, each operation frees the oldest
 *                                        and mallocs one of the next size
 *                                        (vs kmalloc/random_window)
 *   peer/malloc_random_large_set         large_set.h's 2^20 live 64-byte blocks: each
 *                                        operation frees one at random and mallocs
 *                                        its replacement (vs kmalloc/random_large_set)
 * and against bench_vmalloc.c's (nothing touched):
 *   peer/mmap_munmap_pair/size:N         an anonymous private mmap() of N bytes and
 *                                        its munmap(), N = 4 KiB .. 16 MiB
 *                                        (vs vmalloc/vmalloc_vfree_pair/size:N)
 *   peer/mmap_touch_munmap_pair/size:N   the same with a byte written in every
 *                                        4 KiB page before munmap(), N = 1 MiB, 16 MiB
 *                                        (vs vmalloc/vmalloc_touch_vfree_pair/size:N)
 *   peer/malloc_free_pair/size:N         malloc(N) + free for N = 64 KiB, 4 MiB and
 *                                        4 MiB + 4 KiB (vs vmalloc/kvmalloc_kvfree_pair/size:N)
 * and against bench_server.c's (the same headers, so the same requests):
 *   peer/malloc_footprint/real_time      footprint.h's 256 MiB burst, malloc for the
 *                                        objects, posix_memalign(4096) for the
 *                                        blocks; counters base_mib, peak_mib,
 *                                        final_mib; registered first, so it starts
 *                                        from a fresh heap (vs kmalloc/footprint)
 *   peer/malloc_larson/threads:N         larson.h's server pattern, N = 1, 2
 *                                        (vs kmalloc/larson/threads:N)
 * items_per_second counts operations: pairs, or blocks for the others.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "handoff.h"
#include "large_set.h"
#include "random_sizes.h"
#include "shim.h"

#define BATCH	     256
#define ALIGN	     4096
/* Blocks per batch of peer/malloc_free_batch, and of peer/malloc_free_bulk. */
#define MALLOC_BATCH 1000
#define MALLOC_BULK  64

/* The producer/consumer benchmark's ring and its consumer thread. */
static struct handoff ring;
static bool consumer_started;

static inline void *footprint_alloc(size_t size)
{
	return malloc(size);
}

static inline void footprint_free(void *p)
{
	free(p);
}

static inline void *footprint_alloc_block(unsigned int order)
{
	void *p;

	return posix_memalign(&p, ALIGN, (size_t)ALIGN << order) == 0 ? p : NULL;
}

static inline void footprint_free_block(void *p, unsigned int order)
{
	(void)order;
	free(p);
}

/* Nothing to ask of malloc: each peer gives memory back on its own (or not). */
static void footprint_idle(void)
{
}

#include "footprint.h"

/* First of all, from a fresh heap. */
KMM_BENCHMARK(footprint_run, .name = "peer/malloc_footprint", .real_time = true);

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

static void malloc_free_pair(struct kmm_bench_state *st)
{
	size_t size = (size_t)kmm_bench_range(st, 0);

	for (long n; (n = kmm_bench_iterations(st)) != 0;) {
		while (n--) {
			void *p = malloc(size);

			if (__builtin_expect(!p, 0)) {
				kmm_bench_skip(st, "malloc failed");
				break;
			}
			kmm_bench_do_not_optimize(p);
			free(p);
		}
	}
	kmm_bench_set_items_processed(st, kmm_bench_iterations_run(st));
}
KMM_BENCHMARK(malloc_free_pair, .name = "peer/malloc_free_pair", .arg_name = "size",
	      KMM_BENCH_ARGS(16, 64, 256, 1024));

/* malloc_free_blocks - @nr mallocs of the run's size, then the @nr frees. */
static void malloc_free_blocks(struct kmm_bench_state *st, void **blocks, int nr)
{
	size_t size = (size_t)kmm_bench_range(st, 0);
	int i;

	for (long n; (n = kmm_bench_iterations(st)) != 0;) {
		while (n--) {
			for (i = 0; i < nr; i++) {
				blocks[i] = malloc(size);
				if (__builtin_expect(!blocks[i], 0))
					break;
			}
			if (__builtin_expect(i < nr, 0)) {
				while (i--)
					free(blocks[i]);
				kmm_bench_skip(st, "malloc failed");
				break;
			}
			kmm_bench_do_not_optimize(blocks);
			for (i = 0; i < nr; i++)
				free(blocks[i]);
		}
	}
	kmm_bench_set_items_processed(st, kmm_bench_iterations_run(st) * nr);
}

static void malloc_free_batch(struct kmm_bench_state *st)
{
	void *blocks[MALLOC_BATCH];

	malloc_free_blocks(st, blocks, MALLOC_BATCH);
}
KMM_BENCHMARK(malloc_free_batch, .name = "peer/malloc_free_batch", .arg_name = "size",
	      KMM_BENCH_ARGS(64));

static void malloc_free_bulk(struct kmm_bench_state *st)
{
	void *blocks[MALLOC_BULK];

	malloc_free_blocks(st, blocks, MALLOC_BULK);
}
KMM_BENCHMARK(malloc_free_bulk, .name = "peer/malloc_free_bulk", .arg_name = "size",
	      KMM_BENCH_ARGS(64));

KMM_BENCHMARK(malloc_free_pair, .name = "peer/malloc_free_pair", .arg_name = "size",
	      KMM_BENCH_ARGS(64), .threads = 2);

/*
 * malloc_pairs - kmalloc_pairs() of bench_kmalloc.c: @const_size, a constant
 * once inlined, or 0: the run's size through a volatile at every pair.
 */
static inline __attribute__((always_inline)) void malloc_pairs(struct kmm_bench_state *st,
							       size_t const_size)
{
	volatile size_t var_size = (size_t)kmm_bench_range(st, 0);

	for (long n; (n = kmm_bench_iterations(st)) != 0;) {
		while (n--) {
			void *p = malloc(const_size ? const_size : var_size);

			if (__builtin_expect(!p, 0)) {
				kmm_bench_skip(st, "malloc failed");
				break;
			}
			kmm_bench_do_not_optimize(p);
			free(p);
		}
	}
	kmm_bench_set_items_processed(st, kmm_bench_iterations_run(st));
}

/* MALLOC_PAIR_CONST(size) - peer/malloc_pair_const/size:<size>, its own function. */
#define MALLOC_PAIR_CONST(size)                                                                    \
	static void malloc_pair_const_##size(struct kmm_bench_state *st)                           \
	{                                                                                          \
		malloc_pairs(st, size);                                                            \
	}                                                                                          \
	KMM_BENCHMARK(malloc_pair_const_##size, .name = "peer/malloc_pair_const",                  \
		      .arg_name = "size", KMM_BENCH_ARGS(size))

MALLOC_PAIR_CONST(8);
MALLOC_PAIR_CONST(64);
MALLOC_PAIR_CONST(192);
MALLOC_PAIR_CONST(512);
MALLOC_PAIR_CONST(4096);

static void malloc_pair_var(struct kmm_bench_state *st)
{
	malloc_pairs(st, 0);
}
KMM_BENCHMARK(malloc_pair_var, .name = "peer/malloc_pair_var", .arg_name = "size",
	      KMM_BENCH_ARGS(8, 64, 192, 512, 4096));

/* The random-size benchmark's sizes. */
static unsigned int random_sizes[RANDOM_SIZES];

static void fill_random_sizes(const struct kmm_bench_state *st)
{
	(void)st;
	random_sizes_fill(random_sizes);
}

static void malloc_random_window(struct kmm_bench_state *st)
{
	void *window[RANDOM_WINDOW];
	unsigned int i, next;

	for (next = 0; next < RANDOM_WINDOW; next++) {
		window[next] = malloc(random_sizes[next]);
		kmm_bench_do_not_optimize(window[next]);
	}
	for (long n; (n = kmm_bench_iterations(st)) != 0;) {
		while (n--) {
			void **slot = &window[next % RANDOM_WINDOW];

			free(*slot);
			*slot = malloc(random_sizes[next % RANDOM_SIZES]);
			if (__builtin_expect(!*slot, 0)) {
				kmm_bench_skip(st, "malloc failed");
				break;
			}
			kmm_bench_do_not_optimize(*slot);
			next++;
		}
	}
	for (i = 0; i < RANDOM_WINDOW; i++)
		free(window[i]);
	kmm_bench_set_items_processed(st, kmm_bench_iterations_run(st));
}
KMM_BENCHMARK(malloc_random_window, .name = "peer/malloc_random_window",
	      .setup = fill_random_sizes);

static void malloc_random_large_set(struct kmm_bench_state *st)
{
	void **set = calloc(LARGE_SET, sizeof(void *));
	uint64_t x = LARGE_SET_SEED;
	long i;

	if (!set) {
		kmm_bench_skip(st, "calloc failed");
		return;
	}
	for (i = 0; i < LARGE_SET; i++)
		if (__builtin_expect(!(set[i] = malloc(LARGE_SET_OBJECT)), 0))
			break;
	for (long n; i == LARGE_SET && (n = kmm_bench_iterations(st)) != 0;) {
		while (n--) {
			void **slot = &set[large_set_next(&x)];

			free(*slot);
			*slot = malloc(LARGE_SET_OBJECT);
			if (__builtin_expect(!*slot, 0)) {
				kmm_bench_skip(st, "malloc failed");
				break;
			}
			kmm_bench_do_not_optimize(*slot);
		}
	}
	if (i < LARGE_SET)
		kmm_bench_skip(st, "malloc failed");
	while (i--)
		free(set[i]);
	free(set);
	kmm_bench_set_items_processed(st, kmm_bench_iterations_run(st));
}
KMM_BENCHMARK(malloc_random_large_set, .name = "peer/malloc_random_large_set");

/* The consumer: check and free every block of every batch, forever. */
static void *consumer(void *arg)
{
	int i;

	(void)arg;
	for (;;) {
		struct handoff_batch *b = handoff_take(&ring);

		for (i = 0; i < HANDOFF_BATCH; i++) {
			handoff_check(&ring, b->obj[i]);
			free(b->obj[i]);
		}
		handoff_release(&ring);
	}
	return NULL;
}

/* Start the consumer unless it runs. */
static void start_consumer(const struct kmm_bench_state *st)
{
	pthread_t thread;
	int err;

	(void)st;
	if (consumer_started)
		return;
	err = pthread_create(&thread, NULL, consumer, NULL);
	if (err) {
		fprintf(stderr, "bench_peer: pthread_create: %d\n", err);
		exit(1);
	}
	pthread_detach(thread);
	consumer_started = true;
}

static void producer_consumer(struct kmm_bench_state *st)
{
	size_t size = (size_t)kmm_bench_range(st, 0);
	unsigned long bad = __atomic_load_n(&ring.bad, __ATOMIC_RELAXED);
	int i;

	for (long n; (n = kmm_bench_iterations(st)) != 0;) {
		while (n--) {
			struct handoff_batch *b = handoff_next_slot(&ring);

			for (i = 0; i < HANDOFF_BATCH; i++) {
				unsigned long *p = malloc(size);

				if (__builtin_expect(!p, 0))
					break;
				*p = handoff_word(p);
				b->obj[i] = p;
			}
			if (__builtin_expect(i < HANDOFF_BATCH, 0)) {
				while (i--)
					free(b->obj[i]);
				kmm_bench_skip(st, "malloc failed");
				break;
			}
			handoff_publish(&ring);
		}
		/* the run ends when the last block is freed */
		handoff_wait_drained(&ring);
	}
	if (__atomic_load_n(&ring.bad, __ATOMIC_RELAXED) != bad)
		kmm_bench_skip(st, "the consumer found a check word overwritten");
	kmm_bench_set_items_processed(st, kmm_bench_iterations_run(st) * HANDOFF_BATCH);
}
KMM_BENCHMARK(producer_consumer, .name = "peer/producer_consumer", .arg_name = "size",
	      KMM_BENCH_ARGS(64), .real_time = true, .setup = start_consumer);

static void mmap_munmap_pair(struct kmm_bench_state *st)
{
	size_t size = (size_t)kmm_bench_range(st, 0);

	for (long n; (n = kmm_bench_iterations(st)) != 0;) {
		while (n--) {
			void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (__builtin_expect(p == MAP_FAILED, 0)) {
				kmm_bench_skip(st, "mmap failed");
				break;
			}
			kmm_bench_do_not_optimize(p);
			munmap(p, size);
		}
	}
	kmm_bench_set_items_processed(st, kmm_bench_iterations_run(st));
}
KMM_BENCHMARK(mmap_munmap_pair, .name = "peer/mmap_munmap_pair", .arg_name = "size",
	      KMM_BENCH_ARGS(4096, 65536, 1048576, 16777216));

static void mmap_touch_munmap_pair(struct kmm_bench_state *st)
{
	size_t size = (size_t)kmm_bench_range(st, 0);

	for (long n; (n = kmm_bench_iterations(st)) != 0;) {
		while (n--) {
			char *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (__builtin_expect(p == MAP_FAILED, 0)) {
				kmm_bench_skip(st, "mmap failed");
				break;
			}
			for (size_t off = 0; off < size; off += 4096)
				p[off] = 1;
			kmm_bench_do_not_optimize(p);
			munmap(p, size);
		}
	}
	kmm_bench_set_items_processed(st, kmm_bench_iterations_run(st));
}
KMM_BENCHMARK(mmap_touch_munmap_pair, .name = "peer/mmap_touch_munmap_pair", .arg_name = "size",
	      KMM_BENCH_ARGS(1048576, 16777216));

KMM_BENCHMARK(malloc_free_pair, .name = "peer/malloc_free_pair", .arg_name = "size",
	      KMM_BENCH_ARGS(65536, 4194304, 4198400));

static inline void *larson_alloc(size_t size)
{
	return malloc(size);
}

static inline void larson_free(void *p)
{
	free(p);
}

#include "larson.h"

KMM_BENCHMARK(larson_run, .name = "peer/malloc_larson", .threads = 1, .setup = larson_setup,
	      .teardown = larson_teardown);
KMM_BENCHMARK(larson_run, .name = "peer/malloc_larson", .threads = 2, .setup = larson_setup,
	      .teardown = larson_teardown);
