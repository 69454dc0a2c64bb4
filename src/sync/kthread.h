/* SPDX-License-Identifier: MIT */
/*
 * sync/kthread.h - starting libkmm's own threads (kswapd, the slab reaper,
 * page reporting's worker, the kmmstat server): kthread_run()'s part.
 */
#ifndef KMM_SYNC_KTHREAD_H
#define KMM_SYNC_KTHREAD_H

#include <pthread.h>
#include <stddef.h>

/*
 * kmm_kthread_create - start @fn(@arg) in a thread of libkmm's, with @stack
 * bytes of stack (0: the default), into *@thread.  The thread blocks every
 * signal from its first instruction, whatever the caller's mask, so a signal
 * sent to the process goes to one of the program's threads (or waits for one
 * that takes it with sigwait() or a signalfd).  The caller or @fn names it.
 * Return: 0, or pthread_create()'s error.
 */
int kmm_kthread_create(pthread_t *thread, void *(*fn)(void *), void *arg, size_t stack);

#endif /* KMM_SYNC_KTHREAD_H */
