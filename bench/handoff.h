/* SPDX-License-Identifier: MIT */
/*
 * bench/handoff.h - a bounded single-producer, single-consumer ring of object
 * batches, for the producer/consumer benchmarks (bench_slab.c and bench_peer.c
 * use it the same way, so both allocators do exactly the same work).
 *
 * The producer fills the slot handoff_next_slot() returns with HANDOFF_BATCH
 * objects and publishes it; the consumer takes the oldest published slot,
 * frees its objects and releases it.  At most HANDOFF_SLOTS batches are in
 * flight, so memory stays bounded whatever the speeds of the two threads.
 *
 * Synchronisation: head counts the batches published (written only by the
 * producer), tail the batches released (written only by the consumer); a slot
 * is the producer's while head - tail < HANDOFF_SLOTS says so, the consumer's
 * between publication and release.  Release stores and acquire loads of the
 * counters order the slots' contents.  A side that finds nothing to do spins
 * briefly, then sleeps on the counter it waits for (a futex): it sets its
 * waiting flag and reads the counter again; the other side stores the counter
 * and then reads the flag, both with a full fence in between, so at least one
 * of them sees the other's store and no wake-up is lost.  An idle consumer
 * therefore costs no CPU between runs.  Linux only (futex).
 */
#ifndef KMM_BENCH_HANDOFF_H
#define KMM_BENCH_HANDOFF_H

#include <linux/futex.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Objects per batch, and batches in flight at most. */
#define HANDOFF_BATCH 256
#define HANDOFF_SLOTS 8
/* Polls of a counter before a waiter goes to sleep on it. */
#define HANDOFF_SPIN  1000

struct handoff_batch {
	void *obj[HANDOFF_BATCH];
};

struct handoff {
	/* batches published; written by the producer, the consumer's futex word */
	_Alignas(64) uint32_t head;
	/* the consumer sleeps (or is about to) on head */
	uint32_t consumer_waiting;
	/* batches released; written by the consumer, the producer's futex word */
	_Alignas(64) uint32_t tail;
	/* the producer sleeps (or is about to) on tail */
	uint32_t producer_waiting;
	/* objects whose check word the consumer found wrong (atomic) */
	_Alignas(64) unsigned long bad;
	/* the ring: batch i lives in slot[i % HANDOFF_SLOTS] */
	struct handoff_batch slot[HANDOFF_SLOTS];
};

/* handoff_word - what the producer writes into @obj's first word, and the consumer checks. */
static inline unsigned long handoff_word(const void *obj)
{
	return (unsigned long)obj ^ 0x5a5a5a5a5a5a5a5aUL;
}

static inline void handoff_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield" ::: "memory");
#endif
}

/* handoff_wait - return once *@word differs from @old; sleep after a short spin. */
static inline void handoff_wait(uint32_t *word, uint32_t old, uint32_t *waiting)
{
	for (int i = 0; i < HANDOFF_SPIN; i++) {
		if (__atomic_load_n(word, __ATOMIC_ACQUIRE) != old)
			return;
		handoff_cpu_relax();
	}
	for (;;) {
		__atomic_store_n(waiting, 1, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (__atomic_load_n(word, __ATOMIC_ACQUIRE) != old)
			break;
		/* returns at once if *word changed meanwhile; EINTR: an IPI ran */
		syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, old, NULL, NULL, 0);
	}
	__atomic_store_n(waiting, 0, __ATOMIC_RELAXED);
}

/* handoff_advance - store @value to *@word and wake its waiter, if any. */
static inline void handoff_advance(uint32_t *word, uint32_t value, uint32_t *waiting)
{
	__atomic_store_n(word, value, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(waiting, __ATOMIC_RELAXED))
		syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* handoff_next_slot - producer: the slot to fill next, once the ring has room. */
static inline struct handoff_batch *handoff_next_slot(struct handoff *h)
{
	uint32_t head = h->head, tail;

	while (head - (tail = __atomic_load_n(&h->tail, __ATOMIC_ACQUIRE)) >= HANDOFF_SLOTS)
		handoff_wait(&h->tail, tail, &h->producer_waiting);
	return &h->slot[head % HANDOFF_SLOTS];
}

/* handoff_publish - producer: hand the filled slot to the consumer. */
static inline void handoff_publish(struct handoff *h)
{
	handoff_advance(&h->head, h->head + 1, &h->consumer_waiting);
}

/* handoff_wait_drained - producer: return once the consumer released every batch. */
static inline void handoff_wait_drained(struct handoff *h)
{
	uint32_t tail;

	while ((tail = __atomic_load_n(&h->tail, __ATOMIC_ACQUIRE)) != h->head)
		handoff_wait(&h->tail, tail, &h->producer_waiting);
}

/* handoff_take - consumer: the oldest published batch (waits for one). */
static inline struct handoff_batch *handoff_take(struct handoff *h)
{
	uint32_t tail = h->tail;

	handoff_wait(&h->head, tail, &h->consumer_waiting);
	return &h->slot[tail % HANDOFF_SLOTS];
}

/* handoff_release - consumer: give the taken slot back to the producer. */
static inline void handoff_release(struct handoff *h)
{
	handoff_advance(&h->tail, h->tail + 1, &h->producer_waiting);
}

/* handoff_check - consumer: count @obj as bad unless it holds handoff_word(). */
static inline void handoff_check(struct handoff *h, const void *obj)
{
	if (__builtin_expect(*(const unsigned long *)obj != handoff_word(obj), 0))
		__atomic_fetch_add(&h->bad, 1, __ATOMIC_RELAXED);
}

#endif /* KMM_BENCH_HANDOFF_H */
