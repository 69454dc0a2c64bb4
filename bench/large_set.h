/* SPDX-License-Identifier: MIT */
/*
 * bench/large_set.h - the large working set of kmalloc/random_large_set and
 * peer/malloc_random_large_set: LARGE_SET live 64-byte objects (64 MiB),
 * and at each operation one picked at random (xorshift64, a fixed seed, the
 * same sequence in both programs) is freed and replaced.  Both objects and
 * their allocator's metadata are far more than the CPU's caches hold, as in a
 * program with a large heap: what a free reads to check and file the object
 * misses them.
 */
#ifndef KMM_BENCH_LARGE_SET_H
#define KMM_BENCH_LARGE_SET_H

#include <stdint.h>

#define LARGE_SET	 (1L << 20)
#define LARGE_SET_OBJECT 64
#define LARGE_SET_SEED	 0x2545f4914f6cdd1dULL

/* large_set_next - the slot of the next operation; *@x is the generator's state. */
static inline long large_set_next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return (long)(*x & (LARGE_SET - 1));
}

#endif /* KMM_BENCH_LARGE_SET_H */
