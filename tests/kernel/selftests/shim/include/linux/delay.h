/* SPDX-License-Identifier: MIT */
/* <linux/delay.h> for the kernel's self-tests: sleeps on nanosleep(). */
#ifndef KMM_SHIM_LINUX_DELAY_H
#define KMM_SHIM_LINUX_DELAY_H

#include <time.h>

static inline void kmm_sleep_ns(unsigned long long ns)
{
	struct timespec ts = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};

	while (nanosleep(&ts, &ts) != 0)
		;
}

static inline void msleep(unsigned int ms)
{
	kmm_sleep_ns(ms * 1000000ULL);
}

static inline void usleep_range(unsigned long min, unsigned long max)
{
	kmm_sleep_ns(min * 1000ULL);
}

static inline void udelay(unsigned long us)
{
	kmm_sleep_ns(us * 1000ULL);
}

static inline void ndelay(unsigned long ns)
{
	kmm_sleep_ns(ns);
}

static inline void mdelay(unsigned long ms)
{
	kmm_sleep_ns(ms * 1000000ULL);
}

#endif /* KMM_SHIM_LINUX_DELAY_H */
