/* SPDX-License-Identifier: MIT */
/*
 * bench/bench_kmalloc.c - kmalloc()'s benchmarks (executable bench_kmalloc).
 *
 * Every benchmark runs on one machine, booted with mem=1G by the first setup
 * and kept, with the kmalloc caches made at its boot.  The patterns, each with
 * its malloc equivalent in bench_peer.c (same loop, same touches):
 *   kmalloc/pair_const/size:N     kmalloc(N, GFP_KERNEL) + kfree() with N a
 *                                 compile-time constant (the cache is found at
 *                                 compile time), object untouched, N = 8, 64,
 *                                 192, 512, 4096 (vs peer/malloc_pair_const/size:N)
 *   kmalloc/pair_var/size:N       the same with N read through a volatile at
 *                                 every pair (the size-index table, or fls()
 *                                 above 192 bytes, finds the cache)
 *                                 (vs peer/malloc_pair_var/size:N)
 *   kmalloc/random_window         random_sizes.h's sizes, 8..4096 bytes: a window
 *                                 of 64 live objects, each operation kfree()s the
 *                                 oldest and kmalloc()s one of the next size
 *                                 (vs peer/malloc_random_window)
 *   kmalloc/random_large_set      large_set.h's 2^20 live 64-byte objects (64 MiB):
 *                                 each operation kfree()s one at random and
 *                                 kmalloc()s its replacement
 *                                 (vs peer/malloc_random_large_set)
 * items_per_second counts operations: pairs (a kfree and a kmalloc).  Compare
 * kmalloc/pair_const/size:64 with bench_slab.c's slab/alloc_free_pair/size:64
 * too: the same fast path once the cache is known.  A thread gets its CPU
 * (per-CPU arrays) at its first allocation.
 */
#include <stdio.h>
#include <stdlib.h>

#include <kmm/kmm.h>

#include "large_set.h"
#include "random_sizes.h"
#include "machine.h"
#include "shim.h"

/* The random-size benchmark's sizes. */
static unsigned int random_sizes[RANDOM_SIZES];

/* Boot the machine (which makes the kmalloc caches) unless it runs; fill the sizes. */
static void boot_1g(const struct kmm_bench_state *st)
{
	(void)st;
	random_sizes_fill(random_sizes);
	bench_boot_1g("bench_kmalloc");
}

/*
 * kmalloc_pairs - the pair loop.  @const_size: the size, a compile-time
 * constant once this is inlined; or 0: the run's size, read through a
 * volatile at every pair, so the compiler knows nothing of it.
 */
static kmm_always_inline void kmalloc_pairs(struct kmm_bench_state *st, size_t const_size)
{
	volatile size_t var_size = (size_t)kmm_bench_range(st, 0);

	for (long n; (n = kmm_bench_iterations(st)) != 0;) {
		while (n--) {
			void *obj = kmalloc(const_size ? const_size : var_size, GFP_KERNEL);

			if (kmm_unlikely(!obj)) {
				kmm_bench_skip(st, "kmalloc failed");
				break;
			}
			kmm_bench_do_not_optimize(obj);
			kfree(obj);
		}
	}
	kmm_bench_set_items_processed(st, kmm_bench_iterations_run(st));
}

/* KMALLOC_PAIR_CONST(size) - kmalloc/pair_const/size:<size>, its own function. */
#define KMALLOC_PAIR_CONST(size)                                                                   \
	static void pair_const_##size(struct kmm_bench_state *st)                                  \
	{                                                                                          \
		kmalloc_pairs(st, size);                                                           \
	}                                                                                          \
	KMM_BENCHMARK(pair_const_##size, .name = "kmalloc/pair_const", .arg_name = "size",         \
		      KMM_BENCH_ARGS(size), .setup = boot_1g)

KMALLOC_PAIR_CONST(8);
KMALLOC_PAIR_CONST(64);
KMALLOC_PAIR_CONST(192);
KMALLOC_PAIR_CONST(512);
KMALLOC_PAIR_CONST(4096);

static void pair_var(struct kmm_bench_state *st)
{
	kmalloc_pairs(st, 0);
}
KMM_BENCHMARK(pair_var, .name = "kmalloc/pair_var", .arg_name = "size",
	      KMM_BENCH_ARGS(8, 64, 192, 512, 4096), .setup = boot_1g);

static void random_window(struct kmm_bench_state *st)
{
	void *window[RANDOM_WINDOW];
	unsigned int i, next;

	for (next = 0; next < RANDOM_WINDOW; next++) {
		window[next] = kmalloc(random_sizes[next], GFP_KERNEL);
		kmm_bench_do_not_optimize(window[next]);
	}
	for (long n; (n = kmm_bench_iterations(st)) != 0;) {
		while (n--) {
			void **slot = &window[next % RANDOM_WINDOW];

			kfree(*slot);
			*slot = kmalloc(random_sizes[next % RANDOM_SIZES], GFP_KERNEL);
			if (kmm_unlikely(!*slot)) {
				kmm_bench_skip(st, "kmalloc failed");
				break;
			}
			kmm_bench_do_not_optimize(*slot);
			next++;
		}
	}
	for (i = 0; i < RANDOM_WINDOW; i++)
		kfree(window[i]);
	kmm_bench_set_items_processed(st, kmm_bench_iterations_run(st));
}
KMM_BENCHMARK(random_window, .name = "kmalloc/random_window", .setup = boot_1g);

static void random_large_set(struct kmm_bench_state *st)
{
	void **set = calloc(LARGE_SET, sizeof(void *));
	uint64_t x = LARGE_SET_SEED;
	long i;

	if (!set) {
		kmm_bench_skip(st, "calloc failed");
		return;
	}
	for (i = 0; i < LARGE_SET; i++)
		if (kmm_unlikely(!(set[i] = kmalloc(LARGE_SET_OBJECT, GFP_KERNEL))))
			break;
	for (long n; i == LARGE_SET && (n = kmm_bench_iterations(st)) != 0;) {
		while (n--) {
			void **slot = &set[large_set_next(&x)];

			kfree(*slot);
			*slot = kmalloc(LARGE_SET_OBJECT, GFP_KERNEL);
			if (kmm_unlikely(!*slot)) {
				kmm_bench_skip(st, "kmalloc failed");
				break;
			}
			kmm_bench_do_not_optimize(*slot);
		}
	}
	if (i < LARGE_SET)
		kmm_bench_skip(st, "kmalloc failed");
	while (i--)
		kfree(set[i]);
	free(set);
	kmm_bench_set_items_processed(st, kmm_bench_iterations_run(st));
}
KMM_BENCHMARK(random_large_set, .name = "kmalloc/random_large_set", .setup = boot_1g);
