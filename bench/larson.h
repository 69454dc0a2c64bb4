/* SPDX-License-Identifier: MIT */
/*
 * bench/larson.h - the larson-style server pattern, shared by bench_server.c
 * (kmalloc) and bench_peer.c (malloc), so both run exactly the same loop.
 *
 * Larson and Krishnan's server benchmark: each thread owns LARSON_SLOTS live
 * objects of random sizes LARSON_SIZE_MIN..LARSON_SIZE_MAX; an operation picks a
 * random slot, frees its object and allocates a new one of a random size.  In
 * larson a new thread inherits a finished thread's objects, so servers free
 * what other threads allocated; here one object in LARSON_HANDOFF_EVERY is
 * handed to the next thread (thread index + 1, itself with one thread) instead
 * of freed: it goes into a local batch that is passed, LARSON_BATCH at a time,
 * through the next thread's mailbox, and each thread frees what its mailbox
 * holds every LARSON_BATCH operations.  One operation is one free (local or
 * remote) and one allocation.
 *
 * The includer defines, before including this header:
 *   static inline void *larson_alloc(size_t size);   NULL on failure
 *   static inline void larson_free(void *p);
 * and registers larson_run() with .setup = larson_setup (after its own setup, if
 * any) and .teardown = larson_teardown.
 */
#ifndef KMM_BENCH_LARSON_H
#define KMM_BENCH_LARSON_H

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "shim.h"

#define LARSON_SLOTS	     1024
#define LARSON_SIZE_MIN	     8
#define LARSON_SIZE_MAX	     1024
#define LARSON_HANDOFF_EVERY 16 /* one object in 16 is freed by another thread */
#define LARSON_BATCH	     64
#define LARSON_MAX_THREADS   8
#define LARSON_MAILBOX	     (LARSON_BATCH * 64)

/* A thread's mailbox: objects other threads handed it to free. */
struct larson_mailbox {
	pthread_mutex_t lock;
	int nr;			   /* objects in obj[] (read without the lock to peek) */
	void *obj[LARSON_MAILBOX]; /* under lock */
} __attribute__((aligned(64)));

static struct larson_mailbox larson_mailboxes[LARSON_MAX_THREADS];

static inline uint32_t larson_rand(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static inline size_t larson_size(uint32_t *x)
{
	return LARSON_SIZE_MIN + larson_rand(x) % (LARSON_SIZE_MAX - LARSON_SIZE_MIN + 1);
}

/* larson_send - hand @nr objects to @mb; those that do not fit are freed here. */
static void larson_send(struct larson_mailbox *mb, void **obj, int nr)
{
	int i = 0;

	pthread_mutex_lock(&mb->lock);
	for (; i < nr && mb->nr < LARSON_MAILBOX; i++)
		mb->obj[mb->nr++] = obj[i];
	pthread_mutex_unlock(&mb->lock);
	for (; i < nr; i++)
		larson_free(obj[i]);
}

/* larson_receive - free what @mb holds. */
static void larson_receive(struct larson_mailbox *mb)
{
	void *obj[LARSON_MAILBOX];
	int i, nr;

	if (!__atomic_load_n(&mb->nr, __ATOMIC_RELAXED))
		return;
	pthread_mutex_lock(&mb->lock);
	nr = mb->nr;
	memcpy(obj, mb->obj, sizeof(void *) * (size_t)nr);
	mb->nr = 0;
	pthread_mutex_unlock(&mb->lock);
	for (i = 0; i < nr; i++)
		larson_free(obj[i]);
}

static void larson_setup(const struct kmm_bench_state *st)
{
	int i;

	(void)st;
	for (i = 0; i < LARSON_MAX_THREADS; i++) {
		pthread_mutex_init(&larson_mailboxes[i].lock, NULL);
		larson_mailboxes[i].nr = 0;
	}
}

/* After the run (all threads joined): free what is left in the mailboxes. */
static void larson_teardown(const struct kmm_bench_state *st)
{
	int i;

	(void)st;
	for (i = 0; i < LARSON_MAX_THREADS; i++)
		larson_receive(&larson_mailboxes[i]);
}

static void larson_run(struct kmm_bench_state *st)
{
	int self = kmm_bench_thread_index(st), nr_threads = kmm_bench_threads(st);
	struct larson_mailbox *inbox = &larson_mailboxes[self];
	struct larson_mailbox *next = &larson_mailboxes[(self + 1) % nr_threads];
	void *slot[LARSON_SLOTS], *out[LARSON_BATCH];
	uint32_t x = 0x9e3779b9u * (uint32_t)(self + 1);
	int i, nr_out = 0;
	long ops = 0;

	if (nr_threads > LARSON_MAX_THREADS) {
		kmm_bench_skip(st, "too many threads");
		return;
	}
	for (i = 0; i < LARSON_SLOTS; i++) {
		slot[i] = larson_alloc(larson_size(&x));
		if (!slot[i]) {
			while (i--)
				larson_free(slot[i]);
			kmm_bench_skip(st, "allocation failed");
			return;
		}
	}
	for (long n; (n = kmm_bench_iterations(st)) != 0;) {
		while (n--) {
			uint32_t r = larson_rand(&x);
			void **s = &slot[r % LARSON_SLOTS];

			if (__builtin_expect((r >> 24) % LARSON_HANDOFF_EVERY == 0, 0)) {
				out[nr_out++] = *s;
				if (nr_out == LARSON_BATCH) {
					larson_send(next, out, nr_out);
					nr_out = 0;
				}
			} else {
				larson_free(*s);
			}
			*s = larson_alloc(larson_size(&x));
			if (__builtin_expect(!*s, 0)) {
				kmm_bench_skip(st, "allocation failed");
				break;
			}
			kmm_bench_do_not_optimize(*s);
			if (__builtin_expect(++ops % LARSON_BATCH == 0, 0))
				larson_receive(inbox);
		}
	}
	for (i = 0; i < nr_out; i++)
		larson_free(out[i]);
	for (i = 0; i < LARSON_SLOTS; i++)
		if (slot[i])
			larson_free(slot[i]);
	larson_receive(inbox);
	kmm_bench_set_items_processed(st, kmm_bench_iterations_run(st));
}

#endif /* KMM_BENCH_LARSON_H */
