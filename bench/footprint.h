/* SPDX-License-Identifier: MIT */
/*
 * bench/footprint.h - the memory-footprint run, shared by bench_server.c
 * (libkmm) and bench_peer.c (malloc), so both make exactly the same requests.
 *
 * One operation is a burst and its aftermath: FOOTPRINT_BYTES (256 MiB) in
 * two equal halves, interleaved, objects of random sizes
 * FOOTPRINT_SIZE_MIN..FOOTPRINT_SIZE_MAX (kmalloc / malloc) and blocks of
 * orders 0..3 (alloc_pages / posix_memalign(4096, 4096 << order)), each written
 * whole so it is resident; the RSS is read (the peak); everything is freed in
 * allocation order; footprint_idle() runs (libkmm: what drop_caches would do,
 * the per-CPU caches drained and the kmalloc caches shrunk; the peers: nothing);
 * then the allocator is left idle for FOOTPRINT_IDLE_MS (2.5 s), and on until
 * the RSS has not fallen for that long (up to FOOTPRINT_IDLE_MAX_MS), and the
 * RSS is read again (the final).  libkmm gives free memory back by free page reporting, 2 s
 * after it was freed; the peers by their own means (glibc's trim of the top of
 * the heap and munmap of large chunks, jemalloc's and tcmalloc's decay and
 * release, mimalloc's purge), each with the same idle time.
 *
 * Counters (MiB): base_mib, the RSS before the first burst; peak_mib and
 * final_mib, the peak and final RSS above base_mib.  The timed loop includes
 * the idle wait, so one iteration passes the minimum time: the time is not a
 * result (the run uses wall time so that Google Benchmark counts the sleep).
 *
 * The includer defines, before including this header:
 *   static inline void *footprint_alloc(size_t size);
 *   static inline void footprint_free(void *p);
 *   static inline void *footprint_alloc_block(unsigned int order);
 *   static inline void footprint_free_block(void *p, unsigned int order);
 *   static void footprint_idle(void);
 */
#ifndef KMM_BENCH_FOOTPRINT_H
#define KMM_BENCH_FOOTPRINT_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "shim.h"

#define FOOTPRINT_BYTES	      (256UL << 20)
#define FOOTPRINT_SIZE_MIN    8
#define FOOTPRINT_SIZE_MAX    4096
#define FOOTPRINT_MAX_ORDER   3
#define FOOTPRINT_IDLE_MS     2500
#define FOOTPRINT_IDLE_MAX_MS 12000
/* More than the burst can need: objects average 2 KiB, blocks 15 KiB. */
#define FOOTPRINT_MAX_ITEMS   (FOOTPRINT_BYTES / 2 / 2048 * 2 + FOOTPRINT_BYTES / 2 / 4096)

/* The burst's live items: an object (order -1) or a block of an order. */
static struct footprint_item {
	void *p;
	int order;
} footprint_items[FOOTPRINT_MAX_ITEMS];

/* footprint_rss_mib - the process's resident set (anonymous, file and shared), MiB. */
static double footprint_rss_mib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long size = 0, resident = 0;

	if (f) {
		if (fscanf(f, "%lu %lu", &size, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return (double)resident * (double)sysconf(_SC_PAGESIZE) / (1 << 20);
}

static void footprint_free_all(long nr)
{
	long i;

	for (i = 0; i < nr; i++) {
		if (footprint_items[i].order < 0)
			footprint_free(footprint_items[i].p);
		else
			footprint_free_block(footprint_items[i].p,
					     (unsigned int)footprint_items[i].order);
	}
}

/* footprint_burst - allocate the burst, each item written; the number of items, -1 on failure. */
static long footprint_burst(void)
{
	unsigned long objects = 0, blocks = 0;
	uint32_t x = 0x2545f491u;
	unsigned int order = 0;
	long nr = 0;

	while (objects < FOOTPRINT_BYTES / 2 || blocks < FOOTPRINT_BYTES / 2) {
		struct footprint_item *it = &footprint_items[nr];
		size_t size;

		if (nr == (long)FOOTPRINT_MAX_ITEMS) {
			footprint_free_all(nr);
			return -1;
		}
		if (objects <= blocks) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			size = FOOTPRINT_SIZE_MIN +
			       x % (FOOTPRINT_SIZE_MAX - FOOTPRINT_SIZE_MIN + 1);
			it->p = footprint_alloc(size);
			it->order = -1;
			objects += size;
		} else {
			size = 4096UL << order;
			it->p = footprint_alloc_block(order);
			it->order = (int)order;
			order = order == FOOTPRINT_MAX_ORDER ? 0 : order + 1;
			blocks += size;
		}
		if (!it->p) {
			footprint_free_all(nr);
			return -1;
		}
		memset(it->p, 0x5a, size);
		nr++;
	}
	return nr;
}

static void footprint_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/*
 * footprint_wait_idle - FOOTPRINT_IDLE_MS, then on until the RSS has not fallen
 * for FOOTPRINT_IDLE_MS (free page reporting works through large amounts in
 * passes 2 s apart), at most FOOTPRINT_IDLE_MAX_MS in all; the RSS then.
 */
static double footprint_wait_idle(void)
{
	long waited = FOOTPRINT_IDLE_MS, quiet = 0;
	double rss, low;

	footprint_sleep_ms(FOOTPRINT_IDLE_MS);
	low = rss = footprint_rss_mib();
	while (quiet < FOOTPRINT_IDLE_MS && waited < FOOTPRINT_IDLE_MAX_MS) {
		footprint_sleep_ms(250);
		waited += 250;
		rss = footprint_rss_mib();
		if (rss < low - 0.5) {
			low = rss;
			quiet = 0;
		} else {
			quiet += 250;
		}
	}
	return rss;
}

static void footprint_run(struct kmm_bench_state *st)
{
	double base = footprint_rss_mib(), peak = base, final = base;

	for (long n; (n = kmm_bench_iterations(st)) != 0;) {
		while (n--) {
			long nr = footprint_burst();
			double rss;

			if (nr < 0) {
				kmm_bench_skip(st, "allocation failed or too many items");
				break;
			}
			rss = footprint_rss_mib();
			if (rss > peak)
				peak = rss;
			footprint_free_all(nr);
			footprint_idle();
			final = footprint_wait_idle();
		}
	}
	kmm_bench_counter(st, "base_mib", base);
	kmm_bench_counter(st, "peak_mib", peak - base);
	kmm_bench_counter(st, "final_mib", final - base);
	kmm_bench_set_items_processed(st, kmm_bench_iterations_run(st));
}

#endif /* KMM_BENCH_FOOTPRINT_H */
