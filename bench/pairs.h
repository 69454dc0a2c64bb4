/* SPDX-License-Identifier: MIT */
/*
 * bench/pairs.h - libkmm's hot pairs as loops, each a noinline function
 * running @n pairs on its argument: what bench_instr counts under callgrind
 * (instr.c) and tests/fastpath/ counts from the disassembly (the rseq fast
 * paths, which callgrind cannot run), with empty_loop.h's loop to subtract.
 * The pairs touch no object, like
 * bench_slab.c's.
 *   slab_pair           kmem_cache_alloc() + kmem_cache_free() on the cache @arg
 *   kmalloc_pair_const  kmalloc(64, GFP_KERNEL) + kfree(), the size a constant
 *   kmalloc_pair_var    the same with the size @arg read through a volatile at
 *                       every pair, so the compiler can neither fold nor hoist it
 *   page_pair           alloc_page(GFP_KERNEL) + __free_page()
 */
#ifndef KMM_BENCH_PAIRS_H
#define KMM_BENCH_PAIRS_H

#include <stdint.h>

#include <kmm/kmm.h>

#include "empty_loop.h"
#include "shim.h"

static __attribute__((noinline)) int slab_pair(void *arg, long n)
{
	struct kmem_cache *s = arg;

	for (long i = 0; i < n; i++) {
		void *obj = kmem_cache_alloc(s, GFP_KERNEL);

		if (kmm_unlikely(!obj))
			return -1;
		kmm_bench_do_not_optimize(obj);
		kmem_cache_free(s, obj);
	}
	return 0;
}

static __attribute__((noinline)) int kmalloc_pair_const(void *arg, long n)
{
	(void)arg;
	for (long i = 0; i < n; i++) {
		void *obj = kmalloc(64, GFP_KERNEL);

		if (kmm_unlikely(!obj))
			return -1;
		kmm_bench_do_not_optimize(obj);
		kfree(obj);
	}
	return 0;
}

static __attribute__((noinline)) int kmalloc_pair_var(void *arg, long n)
{
	volatile size_t size = (size_t)(uintptr_t)arg;

	for (long i = 0; i < n; i++) {
		void *obj = kmalloc(size, GFP_KERNEL);

		if (kmm_unlikely(!obj))
			return -1;
		kmm_bench_do_not_optimize(obj);
		kfree(obj);
	}
	return 0;
}

static __attribute__((noinline)) int page_pair(void *arg, long n)
{
	(void)arg;
	for (long i = 0; i < n; i++) {
		struct page *page = alloc_page(GFP_KERNEL);

		if (kmm_unlikely(!page))
			return -1;
		kmm_bench_do_not_optimize(page);
		__free_page(page);
	}
	return 0;
}

#endif /* KMM_BENCH_PAIRS_H */
