/* SPDX-License-Identifier: MIT */
/*
 * <linux/random.h> for the kernel's self-tests: get_random_*() from a
 * per-thread xorshift64* generator, seeded from the clock, the thread and a
 * global counter (shim/random.c).  Statistical quality only, as the tests need.
 */
#ifndef KMM_SHIM_LINUX_RANDOM_H
#define KMM_SHIM_LINUX_RANDOM_H

#include <linux/types.h>

u64 get_random_u64(void);

static inline u32 get_random_u32(void)
{
	return (u32)(get_random_u64() >> 32);
}

static inline u16 get_random_u16(void)
{
	return (u16)(get_random_u64() >> 48);
}

static inline u8 get_random_u8(void)
{
	return (u8)(get_random_u64() >> 56);
}

/* get_random_u32_below - uniform in [0, @ceil); @ceil 0 gives 0. */
static inline u32 get_random_u32_below(u32 ceil)
{
	return ceil ? (u32)(((u64)get_random_u32() * ceil) >> 32) : 0;
}

/* get_random_u32_inclusive - uniform in [@floor, @ceil]. */
static inline u32 get_random_u32_inclusive(u32 floor, u32 ceil)
{
	return floor + get_random_u32_below(ceil - floor + 1);
}

static inline void get_random_bytes(void *buf, size_t len)
{
	u8 *p = buf;

	while (len--)
		*p++ = get_random_u8();
}

#endif /* KMM_SHIM_LINUX_RANDOM_H */
