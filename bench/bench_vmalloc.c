/* SPDX-License-Identifier: MIT */
/*
 * bench/bench_vmalloc.c - vmalloc's benchmarks (executable bench_vmalloc).
 *
 * Every benchmark runs on one machine, booted with mem=1G (and the default
 * 32G vmalloc area) by the first setup and kept.  The patterns, each with its
 * nearest equivalent in bench_peer.c (same loop, nothing touched):
 *   vmalloc/vmalloc_vfree_pair/size:N   vmalloc(N) + vfree(), N = 4 KiB, 64 KiB,
 *                                       1 MiB, 16 MiB; the lazy purges that
 *                                       vfree() triggers are part of the time
 *                                       (vs peer/mmap_munmap_pair/size:N, an
 *                                       anonymous mmap() + munmap())
 *   vmalloc/vmalloc_touch_vfree_pair/size:N  the same with a byte written in
 *                                       every page before vfree(), N = 1 MiB,
 *                                       16 MiB: the memory used, not only
 *                                       reserved (vs peer/mmap_touch_munmap_pair/size:N,
 *                                       whose pages fault in at the writes)
 *   vmalloc/vmalloc_to_page             the walk of a 1 MiB area's page table,
 *                                       one page after the other (no peer)
 *   vmalloc/kvmalloc_kvfree_pair/size:N kvmalloc(N, GFP_KERNEL) + kvfree() on
 *                                       both sides of the kmalloc/vmalloc
 *                                       boundary: 64 KiB and 4 MiB (kmalloc's
 *                                       largest) from kmalloc, 4 MiB + 4 KiB
 *                                       from vmalloc (vs peer/malloc_free_pair/size:N)
 * items_per_second counts pairs, or walks.
 */
#include <stdio.h>
#include <stdlib.h>

#include <kmm/kmm.h>

#include "machine.h"
#include "shim.h"

/* The vmalloc_to_page benchmark's area: pages walked in turn. */
#define WALK_PAGES 256

/* Boot the machine unless it runs. */
static void boot_1g(const struct kmm_bench_state *st)
{
	(void)st;
	bench_boot_1g("bench_vmalloc");
}

static void vmalloc_vfree_pair(struct kmm_bench_state *st)
{
	unsigned long size = (unsigned long)kmm_bench_range(st, 0);

	for (long n; (n = kmm_bench_iterations(st)) != 0;) {
		while (n--) {
			void *p = vmalloc(size);

			if (kmm_unlikely(!p)) {
				kmm_bench_skip(st, "vmalloc failed");
				break;
			}
			kmm_bench_do_not_optimize(p);
			vfree(p);
		}
	}
	kmm_bench_set_items_processed(st, kmm_bench_iterations_run(st));
}
KMM_BENCHMARK(vmalloc_vfree_pair, .name = "vmalloc/vmalloc_vfree_pair", .arg_name = "size",
	      KMM_BENCH_ARGS(4096, 65536, 1048576, 16777216), .setup = boot_1g);

static void vmalloc_touch_vfree_pair(struct kmm_bench_state *st)
{
	unsigned long size = (unsigned long)kmm_bench_range(st, 0);

	for (long n; (n = kmm_bench_iterations(st)) != 0;) {
		while (n--) {
			char *p = vmalloc(size);

			if (kmm_unlikely(!p)) {
				kmm_bench_skip(st, "vmalloc failed");
				break;
			}
			for (unsigned long off = 0; off < size; off += PAGE_SIZE)
				p[off] = 1;
			kmm_bench_do_not_optimize(p);
			vfree(p);
		}
	}
	kmm_bench_set_items_processed(st, kmm_bench_iterations_run(st));
}
KMM_BENCHMARK(vmalloc_touch_vfree_pair, .name = "vmalloc/vmalloc_touch_vfree_pair",
	      .arg_name = "size", KMM_BENCH_ARGS(1048576, 16777216), .setup = boot_1g);

static void walk_vmalloc_to_page(struct kmm_bench_state *st)
{
	char *area = vmalloc(WALK_PAGES * PAGE_SIZE);
	unsigned long i = 0;

	if (!area) {
		kmm_bench_skip(st, "vmalloc failed");
		return;
	}
	for (long n; (n = kmm_bench_iterations(st)) != 0;) {
		while (n--) {
			struct page *page = vmalloc_to_page(area + i * PAGE_SIZE);

			kmm_bench_do_not_optimize(page);
			i = (i + 1) % WALK_PAGES;
		}
	}
	vfree(area);
	kmm_bench_set_items_processed(st, kmm_bench_iterations_run(st));
}
KMM_BENCHMARK(walk_vmalloc_to_page, .name = "vmalloc/vmalloc_to_page", .setup = boot_1g);

static void kvmalloc_kvfree_pair(struct kmm_bench_state *st)
{
	size_t size = (size_t)kmm_bench_range(st, 0);

	for (long n; (n = kmm_bench_iterations(st)) != 0;) {
		while (n--) {
			void *p = kvmalloc(size, GFP_KERNEL);

			if (kmm_unlikely(!p)) {
				kmm_bench_skip(st, "kvmalloc failed");
				break;
			}
			kmm_bench_do_not_optimize(p);
			kvfree(p);
		}
	}
	kmm_bench_set_items_processed(st, kmm_bench_iterations_run(st));
}
KMM_BENCHMARK(kvmalloc_kvfree_pair, .name = "vmalloc/kvmalloc_kvfree_pair", .arg_name = "size",
	      KMM_BENCH_ARGS(65536, 4194304, 4198400), .setup = boot_1g);
