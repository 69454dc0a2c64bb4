/* SPDX-License-Identifier: MIT */
/*
 * bench/bench_page.c - the page allocator's benchmarks (executable bench_page).
 *
 * Every benchmark but the boot one runs on one machine, booted with mem=1G by
 * the first benchmark's setup and kept.  The patterns, each with its nearest
 * malloc equivalent in bench_peer.c (same loop, same touches):
 *   page/alloc_free_pair/order:0        alloc_page(GFP_KERNEL) + __free_page()
 *   page/alloc_touch_free_pair/order:0  the same, writing the page's first byte
 *                                       (exactly what peer/posix_memalign_free_pair does)
 *   page/alloc_free_batch/order:K       256 blocks of order K, first byte written,
 *                                       then all freed, in allocation order
 *   page/alloc_free_pair/order:0/threads:2  the pair on two threads at once
 *   page/kmm_init_exit/mem_gb:N         kmm_init("mem=NG") + kmm_exit() (wall time)
 * items_per_second counts operations: pairs, or blocks for a batch.  A thread
 * gets its CPU (per-CPU lists) at its first allocation; every run of a
 * two-thread benchmark has a new second thread, whose lists go back at exit.
 */
#include <stdio.h>
#include <stdlib.h>

#include <kmm/kmm.h>

#include "machine.h"
#include "shim.h"

#define BATCH 256

/* Boot the benchmarks' machine unless it runs (the boot benchmark stops it). */
static void boot_1g(const struct kmm_bench_state *st)
{
	(void)st;
	bench_boot_1g("bench_page");
}

static void stop_machine(const struct kmm_bench_state *st)
{
	(void)st;
	if (kmm_booted())
		kmm_exit();
}

static void alloc_free_pair(struct kmm_bench_state *st)
{
	unsigned int order = (unsigned int)kmm_bench_range(st, 0);

	for (long n; (n = kmm_bench_iterations(st)) != 0;) {
		while (n--) {
			struct page *page = alloc_pages(GFP_KERNEL, order);

			if (kmm_unlikely(!page)) {
				kmm_bench_skip(st, "alloc_pages failed");
				break;
			}
			kmm_bench_do_not_optimize(page);
			__free_pages(page, order);
		}
	}
	kmm_bench_set_items_processed(st, kmm_bench_iterations_run(st));
}
KMM_BENCHMARK(alloc_free_pair, .name = "page/alloc_free_pair", .arg_name = "order",
	      KMM_BENCH_ARGS(0), .setup = boot_1g);

static void alloc_touch_free_pair(struct kmm_bench_state *st)
{
	unsigned int order = (unsigned int)kmm_bench_range(st, 0);

	for (long n; (n = kmm_bench_iterations(st)) != 0;) {
		while (n--) {
			struct page *page = alloc_pages(GFP_KERNEL, order);

			if (kmm_unlikely(!page)) {
				kmm_bench_skip(st, "alloc_pages failed");
				break;
			}
			*(volatile char *)page_address(page) = 1;
			__free_pages(page, order);
		}
	}
	kmm_bench_set_items_processed(st, kmm_bench_iterations_run(st));
}
KMM_BENCHMARK(alloc_touch_free_pair, .name = "page/alloc_touch_free_pair", .arg_name = "order",
	      KMM_BENCH_ARGS(0), .setup = boot_1g);

static void alloc_free_batch(struct kmm_bench_state *st)
{
	unsigned int order = (unsigned int)kmm_bench_range(st, 0);
	struct page *pages[BATCH];
	int i;

	for (long n; (n = kmm_bench_iterations(st)) != 0;) {
		while (n--) {
			for (i = 0; i < BATCH; i++) {
				pages[i] = alloc_pages(GFP_KERNEL, order);
				if (kmm_unlikely(!pages[i]))
					break;
				*(volatile char *)page_address(pages[i]) = 1;
			}
			if (kmm_unlikely(i < BATCH)) {
				while (i--)
					__free_pages(pages[i], order);
				kmm_bench_skip(st, "alloc_pages failed");
				break;
			}
			for (i = 0; i < BATCH; i++)
				__free_pages(pages[i], order);
		}
	}
	kmm_bench_set_items_processed(st, kmm_bench_iterations_run(st) * BATCH);
}
KMM_BENCHMARK(alloc_free_batch, .name = "page/alloc_free_batch", .arg_name = "order",
	      KMM_BENCH_ARGS(0, 1, 2, 3), .setup = boot_1g);

KMM_BENCHMARK(alloc_free_pair, .name = "page/alloc_free_pair", .arg_name = "order",
	      KMM_BENCH_ARGS(0), .threads = 2, .setup = boot_1g);

static void kmm_init_exit(struct kmm_bench_state *st)
{
	char cmdline[32];
	int err;

	snprintf(cmdline, sizeof(cmdline), "mem=%ldG", kmm_bench_range(st, 0));
	for (long n; (n = kmm_bench_iterations(st)) != 0;) {
		while (n--) {
			err = kmm_init(cmdline);
			if (kmm_unlikely(err)) {
				kmm_bench_skip(st, "kmm_init failed");
				break;
			}
			kmm_exit();
		}
	}
}
KMM_BENCHMARK(kmm_init_exit, .name = "page/kmm_init_exit", .arg_name = "mem_gb",
	      KMM_BENCH_ARGS(1, 16, 64), .real_time = true, .setup = stop_machine);
