/* SPDX-License-Identifier: MIT */
/*
 * bench/random_sizes.h - the request sizes of the random-size benchmarks
 * (bench_kmalloc.c and bench_peer.c fill the same table, so both allocators
 * see exactly the same sequence of sizes).
 *
 * RANDOM_SIZES sizes, uniform over RANDOM_SIZE_MIN..RANDOM_SIZE_MAX bytes,
 * from xorshift32 with a fixed seed.  The pattern keeps a window of
 * RANDOM_WINDOW live objects: each operation frees the oldest and allocates
 * one of the next size in the table (wrapping around), so the ith operation
 * frees the object of size i - RANDOM_WINDOW.
 */
#ifndef KMM_BENCH_RANDOM_SIZES_H
#define KMM_BENCH_RANDOM_SIZES_H

#include <stdint.h>

/* Sizes in the table, and live objects; both powers of two. */
#define RANDOM_SIZES	 4096
#define RANDOM_WINDOW	 64
#define RANDOM_SIZE_MIN	 8
#define RANDOM_SIZE_MAX	 4096
#define RANDOM_SIZE_SEED 0x9e3779b9u

_Static_assert((RANDOM_SIZES & (RANDOM_SIZES - 1)) == 0, "RANDOM_SIZES is a power of two");
_Static_assert((RANDOM_WINDOW & (RANDOM_WINDOW - 1)) == 0, "RANDOM_WINDOW is a power of two");

/* random_sizes_fill - the table: the same sizes on every call, in every program. */
static inline void random_sizes_fill(unsigned int sizes[RANDOM_SIZES])
{
	uint32_t x = RANDOM_SIZE_SEED;

	for (unsigned int i = 0; i < RANDOM_SIZES; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		sizes[i] = RANDOM_SIZE_MIN + x % (RANDOM_SIZE_MAX - RANDOM_SIZE_MIN + 1);
	}
}

#endif /* KMM_BENCH_RANDOM_SIZES_H */
