/* SPDX-License-Identifier: MIT */
/*
 * <linux/sched.h> for the kernel's self-tests: struct task_struct (a kthread
 * of shim/kthread.c, or the main thread) and `current`.
 */
#ifndef KMM_SHIM_LINUX_SCHED_H
#define KMM_SHIM_LINUX_SCHED_H

#include <pthread.h>
#include <stdbool.h>

struct kunit;

struct task_struct {
	pthread_t thread;	     /* the thread */
	int (*threadfn)(void *data); /* a kthread's function */
	void *data;		     /* its argument */
	int result;		     /* what it returned */
	bool should_stop;	     /* kthread_stop() was called (atomic) */
	pthread_mutex_t lock;	     /* protects started */
	pthread_cond_t wakeup;	     /* wake_up_process() */
	bool started;		     /* wake_up_process() was called */
	char comm[16];		     /* its name */
	struct kunit *kunit_test;    /* the KUnit test running on it, or NULL */
};

/* current - the calling thread's task (created on first use for threads the shim did not make). */
struct task_struct *kmm_current(void);
#define current kmm_current()

static inline void cond_resched(void)
{
}

#endif /* KMM_SHIM_LINUX_SCHED_H */
