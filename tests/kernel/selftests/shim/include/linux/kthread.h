/* SPDX-License-Identifier: MIT */
/*
 * <linux/kthread.h> for the kernel's self-tests: a kthread is a pthread,
 * registered with liburcu (its RCU readers are libkmm's) and named as the
 * kernel names it.  kthread_stop() asks it to stop, waits for its function to
 * return and gives its return value.
 */
#ifndef KMM_SHIM_LINUX_KTHREAD_H
#define KMM_SHIM_LINUX_KTHREAD_H

#include <pthread.h>
#include <stdbool.h>
#include <linux/kernel.h>
#include <linux/sched.h>

struct task_struct *kthread_create(int (*threadfn)(void *data), void *data, const char *namefmt,
				   ...) __printf(3, 4);
void wake_up_process(struct task_struct *k);
/* kthread_run - create and start; an ERR_PTR() if the thread could not be made. */
#define kthread_run(threadfn, data, namefmt, ...)                                                  \
	({                                                                                         \
		struct task_struct *__kmm_k =                                                      \
			kthread_create(threadfn, data, namefmt, ##__VA_ARGS__);                    \
		if (!IS_ERR(__kmm_k))                                                              \
			wake_up_process(__kmm_k);                                                  \
		__kmm_k;                                                                           \
	})
bool kthread_should_stop(void);
int kthread_stop(struct task_struct *k);

#endif /* KMM_SHIM_LINUX_KTHREAD_H */
