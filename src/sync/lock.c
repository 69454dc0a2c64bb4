/* SPDX-License-Identifier: MIT */
/*
 * sync/lock.c - the out-of-line halves of kmm_lock_t (sync/lock.h): waiting
 * for a held lock and waking a waiter, and the forking thread's flag that
 * such a wait would be forever (kmm_lock_waits_forever), with its report.
 */
#include <linux/futex.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sync/lock.h"

__thread bool kmm_lock_waits_forever __attribute__((tls_model("initial-exec")));

/* One write and no lock: the thread holds every lock of the allocators. */
void kmm_lock_wait_forever(void)
{
	static const char msg[] =
		"kmm: fork: a libkmm call inside fork, after libkmm's prepare (from a "
		"pthread_atfork() handler registered before the first boot?), would wait "
		"forever for a lock the forking thread holds; aborting\n";

	(void)!write(2, msg, sizeof(msg) - 1);
	abort();
}

void kmm_lock_wait(kmm_lock_t *lock)
{
	if (kmm_unlikely(kmm_lock_waits_forever))
		kmm_lock_wait_forever();
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
