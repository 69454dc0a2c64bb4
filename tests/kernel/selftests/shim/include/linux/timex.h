/* SPDX-License-Identifier: MIT */
/*
 * <linux/timex.h>, <linux/ktime.h> and jiffies for the kernel's self-tests:
 * CLOCK_MONOTONIC in nanoseconds; get_cycles() is the CPU's time-stamp
 * counter on x86 and nanoseconds elsewhere; HZ is 1000 (a jiffy is 1 ms).
 */
#ifndef KMM_SHIM_LINUX_TIMEX_H
#define KMM_SHIM_LINUX_TIMEX_H

#include <time.h>
#include <linux/types.h>

#define HZ 1000

typedef s64 ktime_t;
typedef unsigned long cycles_t;

static inline ktime_t ktime_get(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ktime_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline s64 ktime_to_us(ktime_t kt)
{
	return kt / 1000;
}

static inline s64 ktime_us_delta(ktime_t later, ktime_t earlier)
{
	return ktime_to_us(later - earlier);
}

static inline s64 ktime_to_ms(ktime_t kt)
{
	return kt / 1000000;
}

static inline cycles_t get_cycles(void)
{
#if defined(__x86_64__) || defined(__i386__)
	return (cycles_t)__builtin_ia32_rdtsc();
#else
	return (cycles_t)ktime_get();
#endif
}

/* jiffies - milliseconds of CLOCK_MONOTONIC (HZ is 1000). */
#define jiffies ((unsigned long)ktime_to_ms(ktime_get()))

static inline unsigned int jiffies_to_msecs(unsigned long j)
{
	return (unsigned int)j;
}

static inline unsigned long msecs_to_jiffies(unsigned int m)
{
	return m;
}

#endif /* KMM_SHIM_LINUX_TIMEX_H */
