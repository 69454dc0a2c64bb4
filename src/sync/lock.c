/* SPDX-License-Identifier: MIT */
/*
 * sync/lock.c - the out-of-line halves of kmm_lock_t (sync/lock.h): waiting
 * for a held lock and waking a waiter.  No state of its own.
 */
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sync/lock.h"

void kmm_lock_wait(kmm_lock_t *lock)
{
	/*
	 * 2 says a thread waits, so whoever lets the lock go wakes one; a
	 * thread woken (or a wait cut short by a signal) tries again, still
	 * as 2, since others may be waiting too.
	 */
	while (__atomic_exchange_n(&lock->state, 2, __ATOMIC_ACQUIRE) != 0)
		syscall(SYS_futex, &lock->state, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0);
}

void kmm_lock_wake(kmm_lock_t *lock)
{
	syscall(SYS_futex, &lock->state, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}
