/* SPDX-License-Identifier: MIT */
/*
 * <linux/completion.h> for the kernel's self-tests: a count of completions
 * under a mutex and a condition variable (CLOCK_MONOTONIC for timeouts).
 * Timeouts are in jiffies (HZ is 1000, <linux/timex.h>).
 */
#ifndef KMM_SHIM_LINUX_COMPLETION_H
#define KMM_SHIM_LINUX_COMPLETION_H

#include <pthread.h>
#include <linux/timex.h>

struct completion {
	unsigned int done;     /* complete() calls not yet consumed by a waiter; UINT_MAX: all */
	pthread_mutex_t lock;  /* protects done */
	pthread_cond_t wakeup; /* signalled on complete(); uses CLOCK_MONOTONIC */
	bool clock_set;	       /* wakeup was initialised with CLOCK_MONOTONIC */
};

#define COMPLETION_INITIALIZER(work)                                                               \
	{                                                                                          \
		0, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false                      \
	}
#define DECLARE_COMPLETION(work) struct completion work = COMPLETION_INITIALIZER(work)

void init_completion(struct completion *x);
void complete(struct completion *x);
void complete_all(struct completion *x);
void wait_for_completion(struct completion *x);
/* wait_for_completion_timeout - 0 if @timeout jiffies passed, else the jiffies left (>= 1). */
unsigned long wait_for_completion_timeout(struct completion *x, unsigned long timeout);

static inline void reinit_completion(struct completion *x)
{
	x->done = 0;
}

#endif /* KMM_SHIM_LINUX_COMPLETION_H */
