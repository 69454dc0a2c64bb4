/* SPDX-License-Identifier: MIT */
/*
 * bench/instr.c - libkmm's fast paths in instructions (executable bench_instr,
 * run under callgrind by scripts/bench-instr; instr_peer.c is its malloc twin).
 *
 *	bench_instr [N]     (default N = 100000)
 *
 * Each pattern is a noinline function running N hot pairs:
 *   instr/slab_pair/size:S   kmem_cache_alloc() + kmem_cache_free() on a cache
 *                            of S-byte objects (S = 16, 64, 256, 1024)
 *   instr/kmalloc_pair_const/size:64  kmalloc(64, GFP_KERNEL) + kfree(), the
 *                            size a compile-time constant (cache found at
 *                            compile time)
 *   instr/kmalloc_pair_var/size:64    the same with the size passed in the
 *                            argument and read through a volatile at every pair,
 *                            so the compiler can neither fold nor hoist it
 *   instr/page_pair/order:0  alloc_page(GFP_KERNEL) + __free_page()
 *   instr/floor_pair         a pop and a push of a thread-local array (floor.h):
 *                            the hardware floor of a pair
 *   instr/empty_loop         the same loop with no pair: the overhead to subtract
 * The pairs touch no object, like bench_slab.c's; warm-up, counting and
 * output: instr.h.
 */
#include <stdint.h>

#include <kmm/kmm.h>

#include "floor.h"
#include "instr.h"
#include "pairs.h"

static __attribute__((noinline)) int floor_pair(void *arg, long n)
{
	(void)arg;
	for (long i = 0; i < n; i++) {
		void *obj = floor_pop();

		kmm_bench_do_not_optimize(obj);
		floor_push(obj);
	}
	return 0;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000;
	char name[64];
	unsigned int i;
	int err;

	if (n <= 0) {
		fprintf(stderr, "usage: bench_instr [pairs]\n");
		return 2;
	}
	err = kmm_init("mem=1G");
	if (err) {
		fprintf(stderr, "bench_instr: kmm_init(\"mem=1G\"): %d\n", err);
		return 1;
	}
	instr_measure("bench_instr", "instr/empty_loop", empty_loop, NULL, n);
	for (i = 0; i < NR_SIZES; i++) {
		struct kmem_cache *s;

		snprintf(name, sizeof(name), "instr-%u", sizes[i]);
		s = kmem_cache_create(name, sizes[i], 0, 0, NULL);
		if (!s) {
			fprintf(stderr, "bench_instr: kmem_cache_create(%s) failed\n", name);
			return 1;
		}
		snprintf(name, sizeof(name), "instr/slab_pair/size:%u", sizes[i]);
		instr_measure("bench_instr", name, slab_pair, s, n);
		kmem_cache_destroy(s);
	}
	instr_measure("bench_instr", "instr/kmalloc_pair_const/size:64", kmalloc_pair_const, NULL,
		      n);
	instr_measure("bench_instr", "instr/kmalloc_pair_var/size:64", kmalloc_pair_var,
		      (void *)(uintptr_t)64, n);
	instr_measure("bench_instr", "instr/page_pair/order:0", page_pair, NULL, n);
	instr_measure("bench_instr", "instr/floor_pair", floor_pair, NULL, n);
	kmm_exit();
	return 0;
}
