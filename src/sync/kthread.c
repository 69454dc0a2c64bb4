/* SPDX-License-Identifier: MIT */
/*
 * sync/kthread.c - kmm_kthread_create() (sync/kthread.h): the creating
 * thread blocks every signal around pthread_create(), which the new thread
 * inherits, and restores its own mask (a signal that arrives meanwhile waits
 * for it, or goes to another of the program's threads).  Nothing allocates:
 * a fork() by another thread never finds this call inside malloc().  No state
 * and no lock.
 */
#include <signal.h>

#include "sync/kthread.h"

int kmm_kthread_create(pthread_t *thread, void *(*fn)(void *), void *arg, size_t stack)
{
	pthread_attr_t attr;
	sigset_t all, old;
	int err;

	err = pthread_attr_init(&attr);
	if (err)
		return err;
	if (stack)
		err = pthread_attr_setstacksize(&attr, stack);
	sigfillset(&all);
	if (!err)
		err = pthread_sigmask(SIG_SETMASK, &all, &old);
	if (!err) {
		err = pthread_create(thread, &attr, fn, arg);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	pthread_attr_destroy(&attr);
	return err;
}
