/* SPDX-License-Identifier: MIT */
/*
 * bench/bench_server.c - server-like patterns over kmalloc and the page
 * allocator (executable bench_server), each with its malloc twin in
 * bench_peer.c (same header, same loop):
 *   kmalloc/footprint/real_time   footprint.h: a 256 MiB burst of kmalloc
 *                                 objects (8..4096 bytes) and alloc_pages()
 *                                 blocks (orders 0..3), all freed; counters
 *                                 base_mib, peak_mib and final_mib (the RSS
 *                                 after the idle time, by which free page
 *                                 reporting has given the memory back)
 *                                 (vs peer/malloc_footprint/real_time)
 *   kmalloc/larson/threads:N      larson.h: N = 1, 2 server threads with 1024
 *                                 live objects of 8..1024 bytes each, freeing a
 *                                 random one and kmalloc()ing a new one, one in
 *                                 16 freed by the next thread; ns per kfree +
 *                                 kmalloc (vs peer/malloc_larson/threads:N)
 * The machine is bench_boot_1g()'s (mem=1G), booted by the first setup and
 * kept; the footprint run comes first, so it starts from a fresh machine.
 */
#include <stdio.h>
#include <stdlib.h>

#include <kmm/kmm.h>

#include "machine.h"
#include "shim.h"

static inline void *footprint_alloc(size_t size)
{
	return kmalloc(size, GFP_KERNEL);
}

static inline void footprint_free(void *p)
{
	kfree(p);
}

static inline void *footprint_alloc_block(unsigned int order)
{
	struct page *page = alloc_pages(GFP_KERNEL, order);

	return page ? page_address(page) : NULL;
}

static inline void footprint_free_block(void *p, unsigned int order)
{
	free_pages((unsigned long)p, order);
}

/* What drop_caches would do: the per-CPU caches drained, the kmalloc caches shrunk. */
static void footprint_idle(void)
{
	int type, index;

	kmm_drain_all();
	for (type = 0; type < NR_KMALLOC_TYPES; type++)
		for (index = 0; index <= KMALLOC_SHIFT_HIGH; index++)
			kmem_cache_shrink(kmm_kmalloc_caches[type][index]);
	kmm_drain_all();
}

#include "footprint.h"

static inline void *larson_alloc(size_t size)
{
	return kmalloc(size, GFP_KERNEL);
}

static inline void larson_free(void *p)
{
	kfree(p);
}

#include "larson.h"

static void boot(const struct kmm_bench_state *st)
{
	(void)st;
	bench_boot_1g("bench_server");
}

static void boot_larson(const struct kmm_bench_state *st)
{
	boot(st);
	larson_setup(st);
}

KMM_BENCHMARK(footprint_run, .name = "kmalloc/footprint", .real_time = true, .setup = boot);
KMM_BENCHMARK(larson_run, .name = "kmalloc/larson", .threads = 1, .setup = boot_larson,
	      .teardown = larson_teardown);
KMM_BENCHMARK(larson_run, .name = "kmalloc/larson", .threads = 2, .setup = boot_larson,
	      .teardown = larson_teardown);
