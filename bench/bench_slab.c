/* SPDX-License-Identifier: MIT */
/*
 * bench/bench_slab.c - the slab allocator's benchmarks (executable bench_slab).
 *
 * Every benchmark runs on one machine, booted with mem=1G by the first setup
 * and kept, with one cache per object size (16, 64, 256 and 1024 bytes, no
 * flags, no constructor) created there and kept too.  The patterns, each with
 * its malloc equivalent in bench_peer.c (same loop, same touches):
 *   slab/alloc_free_pair/size:N         kmem_cache_alloc() + kmem_cache_free(),
 *                                       object untouched (vs peer/malloc_free_pair/size:N)
 *   slab/alloc_free_batch/size:64       1000 allocations, then the 1000 frees in
 *                                       allocation order (vs peer/malloc_free_batch/size:64)
 *   slab/alloc_free_bulk/size:64        kmem_cache_alloc_bulk() of 64, then
 *                                       kmem_cache_free_bulk() of the 64 (vs
 *                                       peer/malloc_free_bulk/size:64: 64 mallocs, 64 frees)
 *   slab/alloc_free_pair/size:64/threads:2  the pair on two threads at once
 *   slab/producer_consumer/size:64      the benchmark thread allocates batches of
 *                                       256 objects, writes a check word in each and
 *                                       hands each batch to a consumer thread through
 *                                       handoff.h's ring; the consumer checks the words
 *                                       and frees the objects.  Wall time, up to the
 *                                       last batch freed (vs peer/producer_consumer/size:64)
 * and with no peer:
 *   floor/tls_array_pair                floor.h's pop and push of a thread-local
 *                                       array: the hardware floor of a pair
 * items_per_second counts operations: pairs, or objects for the others.  A
 * thread gets its CPU (per-CPU arrays) at its first allocation; every run of
 * the two-thread benchmark has a new second thread, whose arrays go back at
 * exit.  The consumer thread is started by the first setup that needs it and
 * kept (asleep between runs); it takes its CPU as it starts.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <kmm/kmm.h>

#include "floor.h"
#include "handoff.h"
#include "machine.h"
#include "shim.h"

/* Objects per batch of slab/alloc_free_batch. */
#define BATCH 1000
/* Objects per call of slab/alloc_free_bulk. */
#define BULK  64

static const unsigned int cache_sizes[] = {16, 64, 256, 1024};
#define NR_CACHES (sizeof(cache_sizes) / sizeof(cache_sizes[0]))
static struct kmem_cache *caches[NR_CACHES];

/* The producer/consumer benchmark's ring and its consumer thread. */
static struct handoff ring;
static bool consumer_started;

/* Boot the machine and create the caches, unless done. */
static void boot_1g(const struct kmm_bench_state *st)
{
	char name[32];
	unsigned int i;

	(void)st;
	bench_boot_1g("bench_slab");
	for (i = 0; i < NR_CACHES; i++) {
		if (caches[i])
			continue;
		snprintf(name, sizeof(name), "bench-%u", cache_sizes[i]);
		caches[i] = kmem_cache_create(name, cache_sizes[i], 0, 0, NULL);
		if (!caches[i]) {
			fprintf(stderr, "bench_slab: kmem_cache_create(%s) failed\n", name);
			exit(1);
		}
	}
}

/* cache_of - the cache of the run's object size. */
static struct kmem_cache *cache_of(const struct kmm_bench_state *st)
{
	long size = kmm_bench_range(st, 0);
	unsigned int i;

	for (i = 0; i < NR_CACHES; i++)
		if (cache_sizes[i] == size)
			return caches[i];
	fprintf(stderr, "bench_slab: no cache of %ld bytes\n", size);
	exit(1);
}

static void alloc_free_pair(struct kmm_bench_state *st)
{
	struct kmem_cache *s = cache_of(st);

	for (long n; (n = kmm_bench_iterations(st)) != 0;) {
		while (n--) {
			void *obj = kmem_cache_alloc(s, GFP_KERNEL);

			if (kmm_unlikely(!obj)) {
				kmm_bench_skip(st, "kmem_cache_alloc failed");
				break;
			}
			kmm_bench_do_not_optimize(obj);
			kmem_cache_free(s, obj);
		}
	}
	kmm_bench_set_items_processed(st, kmm_bench_iterations_run(st));
}
KMM_BENCHMARK(alloc_free_pair, .name = "slab/alloc_free_pair", .arg_name = "size",
	      KMM_BENCH_ARGS(16, 64, 256, 1024), .setup = boot_1g);

static void floor_pair(struct kmm_bench_state *st)
{
	for (long n; (n = kmm_bench_iterations(st)) != 0;) {
		while (n--) {
			void *obj = floor_pop();

			kmm_bench_do_not_optimize(obj);
			floor_push(obj);
		}
	}
	kmm_bench_set_items_processed(st, kmm_bench_iterations_run(st));
}
KMM_BENCHMARK(floor_pair, .name = "floor/tls_array_pair");

static void alloc_free_batch(struct kmm_bench_state *st)
{
	struct kmem_cache *s = cache_of(st);
	void *objs[BATCH];
	int i;

	for (long n; (n = kmm_bench_iterations(st)) != 0;) {
		while (n--) {
			for (i = 0; i < BATCH; i++) {
				objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
				if (kmm_unlikely(!objs[i]))
					break;
			}
			if (kmm_unlikely(i < BATCH)) {
				while (i--)
					kmem_cache_free(s, objs[i]);
				kmm_bench_skip(st, "kmem_cache_alloc failed");
				break;
			}
			kmm_bench_do_not_optimize(objs);
			for (i = 0; i < BATCH; i++)
				kmem_cache_free(s, objs[i]);
		}
	}
	kmm_bench_set_items_processed(st, kmm_bench_iterations_run(st) * BATCH);
}
KMM_BENCHMARK(alloc_free_batch, .name = "slab/alloc_free_batch", .arg_name = "size",
	      KMM_BENCH_ARGS(64), .setup = boot_1g);

static void alloc_free_bulk(struct kmm_bench_state *st)
{
	struct kmem_cache *s = cache_of(st);
	void *objs[BULK];

	for (long n; (n = kmm_bench_iterations(st)) != 0;) {
		while (n--) {
			if (kmm_unlikely(kmem_cache_alloc_bulk(s, GFP_KERNEL, BULK, objs) == 0)) {
				kmm_bench_skip(st, "kmem_cache_alloc_bulk failed");
				break;
			}
			kmm_bench_do_not_optimize(objs);
			kmem_cache_free_bulk(s, BULK, objs);
		}
	}
	kmm_bench_set_items_processed(st, kmm_bench_iterations_run(st) * BULK);
}
KMM_BENCHMARK(alloc_free_bulk, .name = "slab/alloc_free_bulk", .arg_name = "size",
	      KMM_BENCH_ARGS(64), .setup = boot_1g);

KMM_BENCHMARK(alloc_free_pair, .name = "slab/alloc_free_pair", .arg_name = "size",
	      KMM_BENCH_ARGS(64), .threads = 2, .setup = boot_1g);

/* The consumer: check and free every object of every batch, forever. */
static void *consumer(void *arg)
{
	struct kmem_cache *s = arg;
	int i;

	(void)smp_processor_id(); /* take a CPU now rather than in the first free */
	for (;;) {
		struct handoff_batch *b = handoff_take(&ring);

		for (i = 0; i < HANDOFF_BATCH; i++) {
			handoff_check(&ring, b->obj[i]);
			kmem_cache_free(s, b->obj[i]);
		}
		handoff_release(&ring);
	}
	return NULL;
}

/* Boot, create the caches and start the consumer, unless done. */
static void start_consumer(const struct kmm_bench_state *st)
{
	pthread_t thread;
	int err;

	boot_1g(st);
	if (consumer_started)
		return;
	err = pthread_create(&thread, NULL, consumer, cache_of(st));
	if (err) {
		fprintf(stderr, "bench_slab: pthread_create: %d\n", err);
		exit(1);
	}
	pthread_detach(thread);
	consumer_started = true;
}

static void producer_consumer(struct kmm_bench_state *st)
{
	struct kmem_cache *s = cache_of(st);
	unsigned long bad = __atomic_load_n(&ring.bad, __ATOMIC_RELAXED);
	int i;

	for (long n; (n = kmm_bench_iterations(st)) != 0;) {
		while (n--) {
			struct handoff_batch *b = handoff_next_slot(&ring);

			for (i = 0; i < HANDOFF_BATCH; i++) {
				unsigned long *obj = kmem_cache_alloc(s, GFP_KERNEL);

				if (kmm_unlikely(!obj))
					break;
				*obj = handoff_word(obj);
				b->obj[i] = obj;
			}
			if (kmm_unlikely(i < HANDOFF_BATCH)) {
				while (i--)
					kmem_cache_free(s, b->obj[i]);
				kmm_bench_skip(st, "kmem_cache_alloc failed");
				break;
			}
			handoff_publish(&ring);
		}
		/* the run ends when the last object is freed */
		handoff_wait_drained(&ring);
	}
	if (__atomic_load_n(&ring.bad, __ATOMIC_RELAXED) != bad)
		kmm_bench_skip(st, "the consumer found a check word overwritten");
	kmm_bench_set_items_processed(st, kmm_bench_iterations_run(st) * HANDOFF_BATCH);
}
KMM_BENCHMARK(producer_consumer, .name = "slab/producer_consumer", .arg_name = "size",
	      KMM_BENCH_ARGS(64), .real_time = true, .setup = start_consumer);
