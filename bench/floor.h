/* SPDX-License-Identifier: MIT */
/*
 * bench/floor.h - the hardware floor of an allocation pair: a pop and a push on
 * a thread-local array of free objects, with the empty and full checks and a
 * call out of line when either fails, and nothing else.  No allocator can do a
 * pair with less work; libkmm's slab pair does this plus the checks its
 * principles ask for (a CPU to run on, the interrupt bracket, a free checked
 * to be an object of the cache, the double free of the array's top).
 *
 * The objects are a static pool; floor_pop() and floor_push() never miss in the
 * benchmarks' loops (a hot pair), and their slow calls stand in for an
 * allocator's refill and flush, so the compiler sees a loop with calls in it,
 * as it does around kmem_cache_alloc().
 */
#ifndef KMM_BENCH_FLOOR_H
#define KMM_BENCH_FLOOR_H

#define FLOOR_SLOTS 128

struct floor_array {
	unsigned int avail;	  /* objects in entry[] */
	void *entry[FLOOR_SLOTS]; /* free objects, LIFO */
};

static __thread struct floor_array floor_array __attribute__((tls_model("initial-exec"), unused));
static char floor_pool[FLOOR_SLOTS][64] __attribute__((unused));

/* The refill: the array is empty; fill it from the pool and hand one out. */
static __attribute__((noinline, unused)) void *floor_refill(void)
{
	struct floor_array *a = &floor_array;

	for (a->avail = 0; a->avail < FLOOR_SLOTS; a->avail++)
		a->entry[a->avail] = floor_pool[a->avail];
	return a->entry[--a->avail];
}

/* The flush: the array is full; the object is dropped (the pool is static). */
static __attribute__((noinline, unused)) void floor_flush(void *obj)
{
	(void)obj;
}

static inline __attribute__((always_inline)) void *floor_pop(void)
{
	struct floor_array *a = &floor_array;
	unsigned int avail = a->avail;

	if (__builtin_expect(avail != 0, 1)) {
		a->avail = avail - 1;
		return a->entry[avail - 1];
	}
	return floor_refill();
}

static inline __attribute__((always_inline)) void floor_push(void *obj)
{
	struct floor_array *a = &floor_array;
	unsigned int avail = a->avail;

	if (__builtin_expect(avail < FLOOR_SLOTS, 1)) {
		a->entry[avail] = obj;
		a->avail = avail + 1;
		return;
	}
	floor_flush(obj);
}

#endif /* KMM_BENCH_FLOOR_H */
