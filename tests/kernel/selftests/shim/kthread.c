/* SPDX-License-Identifier: MIT */
/*
 * shim/kthread.c - tasks, kthreads, completions and random numbers for the
 * kernel's self-tests.
 *
 * A kthread is a pthread registered with liburcu, started by
 * wake_up_process() and joined by kthread_stop().  `current` is a per-thread
 * pointer: a kthread's task, or a task made on first use for any other thread
 * (the main thread).  Tasks are the shim's own bookkeeping, on malloc(), not
 * on libkmm.
 *
 * Locking: a task's lock protects started; should_stop is atomic.  A
 * completion's lock protects its count.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <urcu.h>

#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/random.h>
#include "shim.h"

static __thread struct task_struct *current_task;
static __thread struct task_struct own_task;

void kthread_set_current(struct task_struct *task)
{
	current_task = task;
}

struct task_struct *kmm_current(void)
{
	if (!current_task) {
		own_task.thread = pthread_self();
		if (pthread_getname_np(own_task.thread, own_task.comm, sizeof(own_task.comm)))
			snprintf(own_task.comm, sizeof(own_task.comm), "%d", (int)gettid());
		current_task = &own_task;
	}
	return current_task;
}

static void *kthread_main(void *arg)
{
	struct task_struct *k = arg;

	current_task = k;
	pthread_setname_np(pthread_self(), k->comm);
	pthread_mutex_lock(&k->lock);
	while (!k->started)
		pthread_cond_wait(&k->wakeup, &k->lock);
	pthread_mutex_unlock(&k->lock);
	rcu_register_thread();
	k->result = k->threadfn(k->data);
	rcu_unregister_thread();
	return NULL;
}

struct task_struct *kthread_create(int (*threadfn)(void *data), void *data, const char *namefmt,
				   ...)
{
	struct task_struct *k = calloc(1, sizeof(*k));
	va_list ap;
	int err;

	if (!k)
		return ERR_PTR(-ENOMEM);
	k->threadfn = threadfn;
	k->data = data;
	pthread_mutex_init(&k->lock, NULL);
	pthread_cond_init(&k->wakeup, NULL);
	va_start(ap, namefmt);
	vsnprintf(k->comm, sizeof(k->comm), namefmt, ap);
	va_end(ap);
	err = pthread_create(&k->thread, NULL, kthread_main, k);
	if (err) {
		free(k);
		return ERR_PTR(-err);
	}
	return k;
}

void wake_up_process(struct task_struct *k)
{
	pthread_mutex_lock(&k->lock);
	k->started = true;
	pthread_cond_signal(&k->wakeup);
	pthread_mutex_unlock(&k->lock);
}

bool kthread_should_stop(void)
{
	return current_task && __atomic_load_n(&current_task->should_stop, __ATOMIC_ACQUIRE);
}

int kthread_stop(struct task_struct *k)
{
	int result;

	__atomic_store_n(&k->should_stop, true, __ATOMIC_RELEASE);
	wake_up_process(k);
	pthread_join(k->thread, NULL);
	result = k->result;
	pthread_mutex_destroy(&k->lock);
	pthread_cond_destroy(&k->wakeup);
	free(k);
	return result;
}

void init_completion(struct completion *x)
{
	*x = (struct completion)COMPLETION_INITIALIZER(*x);
}

/* The wait queue uses CLOCK_MONOTONIC; a statically initialised one is switched on first use. */
static void completion_clock(struct completion *x)
{
	pthread_condattr_t attr;

	if (x->clock_set)
		return;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_destroy(&x->wakeup);
	pthread_cond_init(&x->wakeup, &attr);
	pthread_condattr_destroy(&attr);
	x->clock_set = true;
}

void complete(struct completion *x)
{
	pthread_mutex_lock(&x->lock);
	completion_clock(x);
	if (x->done != UINT_MAX)
		x->done++;
	pthread_cond_broadcast(&x->wakeup);
	pthread_mutex_unlock(&x->lock);
}

void complete_all(struct completion *x)
{
	pthread_mutex_lock(&x->lock);
	completion_clock(x);
	x->done = UINT_MAX;
	pthread_cond_broadcast(&x->wakeup);
	pthread_mutex_unlock(&x->lock);
}

void wait_for_completion(struct completion *x)
{
	pthread_mutex_lock(&x->lock);
	completion_clock(x);
	while (!x->done)
		pthread_cond_wait(&x->wakeup, &x->lock);
	if (x->done != UINT_MAX)
		x->done--;
	pthread_mutex_unlock(&x->lock);
}

unsigned long wait_for_completion_timeout(struct completion *x, unsigned long timeout)
{
	ktime_t deadline = ktime_get() + (ktime_t)timeout * (1000000000 / HZ), now;
	struct timespec ts = {(time_t)(deadline / 1000000000), (long)(deadline % 1000000000)};
	unsigned long left = 0;

	pthread_mutex_lock(&x->lock);
	completion_clock(x);
	while (!x->done && pthread_cond_timedwait(&x->wakeup, &x->lock, &ts) != ETIMEDOUT)
		;
	if (x->done) {
		if (x->done != UINT_MAX)
			x->done--;
		now = ktime_get();
		left = now < deadline ? (unsigned long)((deadline - now) / (1000000000 / HZ)) : 0;
		left = left ? left : 1;
	}
	pthread_mutex_unlock(&x->lock);
	return left;
}

u64 get_random_u64(void)
{
	static u64 seed_counter;
	static __thread u64 state;

	if (!state)
		state = ((u64)ktime_get() ^ ((u64)gettid() << 32) ^
			 __atomic_add_fetch(&seed_counter, 0x9e3779b97f4a7c15ULL,
					    __ATOMIC_RELAXED)) |
			1;
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return state * 0x2545f4914f6cdd1dULL;
}
