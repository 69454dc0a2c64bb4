/* SPDX-License-Identifier: MIT */
/*
 * sync/lock.h - kmm_lock_t, the lock of the allocators' shared state: a
 * zone's free lists (zone->lock), a slab cache's node lists (list_lock) and
 * a CPU's caches (kmm_cpu.lock); and kmm_mutex_lock(), which takes the
 * library's pthread mutexes that fork holds.
 *
 * The classic three-state futex mutex: 0 free, 1 held, 2 held with a thread
 * waiting (or about to).  Taking a free lock is one compare-and-swap and
 * letting it go one exchange, both inline; only a lock that is held waits
 * in the host kernel (FUTEX_WAIT), and only a release that finds 2 wakes a
 * waiter (lock.c).  It is a sleeping lock, as the kernel's spinlock_t is
 * under PREEMPT_RT: a holder the host preempts makes waiters sleep, not spin.
 * Not recursive; no owner is recorded.  fork()'s child, which has only the
 * forking thread, starts every lock its parent held over at 0.
 */
#ifndef KMM_SYNC_LOCK_H
#define KMM_SYNC_LOCK_H

#include <pthread.h>
#include <kmm/types.h>

static kmm_always_inline void kmm_lock_init(kmm_lock_t *lock)
{
	__atomic_store_n(&lock->state, 0, __ATOMIC_RELAXED);
}

/* kmm_lock_try - take @lock if it is free: true if taken. */
static kmm_always_inline bool kmm_lock_try(kmm_lock_t *lock)
{
	int free = 0;

	return __atomic_compare_exchange_n(&lock->state, &free, 1, false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

/* kmm_lock_is_held - is @lock held by some thread?  A sequentially consistent read. */
static kmm_always_inline bool kmm_lock_is_held(kmm_lock_t *lock)
{
	return __atomic_load_n(&lock->state, __ATOMIC_SEQ_CST) != 0;
}

/*
 * kmm_lock_waits_forever - set in the forking thread from fork's copy of
 * physical memory to its parent or child hook (boot/fork.c), while that
 * thread holds every allocator lock: a wait for one then is a wait for
 * itself (a libkmm call from a pthread_atfork() handler that runs inside
 * libkmm's), which kmm_lock_wait() and kmm_mutex_lock() report, aborting
 * (kmm_lock_wait_forever()), rather than hang.
 */
extern __thread bool kmm_lock_waits_forever __attribute__((tls_model("initial-exec")));

/* kmm_lock_wait_forever - report the wait of kmm_lock_waits_forever and abort (lock.c). */
void __attribute__((noreturn, cold)) kmm_lock_wait_forever(void);

/* kmm_lock_wait - take @lock, held by another thread: sleep until it is let go (lock.c). */
void kmm_lock_wait(kmm_lock_t *lock);

/* kmm_lock_wake - wake one thread waiting for @lock (lock.c). */
void kmm_lock_wake(kmm_lock_t *lock);

static kmm_always_inline void kmm_lock(kmm_lock_t *lock)
{
	if (kmm_unlikely(!kmm_lock_try(lock)))
		kmm_lock_wait(lock);
}

static kmm_always_inline void kmm_unlock(kmm_lock_t *lock)
{
	if (kmm_unlikely(__atomic_exchange_n(&lock->state, 0, __ATOMIC_RELEASE) == 2))
		kmm_lock_wake(lock);
}

/*
 * kmm_mutex_lock - pthread_mutex_lock() of @m, one of the library's mutexes
 * that fork's prepare takes (the boot lock, slab_mutex, the vmalloc and kmap
 * locks, pcpu_lock...; the others, which fork never holds, are taken with
 * pthread_mutex_lock()).  Inside fork, where the forking thread holds them,
 * one that is held is reported as kmm_lock_wait() reports a held lock, not
 * waited for.
 */
static kmm_always_inline void kmm_mutex_lock(pthread_mutex_t *m)
{
	if (kmm_unlikely(kmm_lock_waits_forever)) {
		if (pthread_mutex_trylock(m) != 0)
			kmm_lock_wait_forever();
		return;
	}
	pthread_mutex_lock(m);
}

/* kmm_rwlock_lock - kmm_mutex_lock() for a rwlock fork holds, for writing if @write. */
static kmm_always_inline void kmm_rwlock_lock(pthread_rwlock_t *l, bool write)
{
	if (kmm_unlikely(kmm_lock_waits_forever)) {
		if ((write ? pthread_rwlock_trywrlock(l) : pthread_rwlock_tryrdlock(l)) != 0)
			kmm_lock_wait_forever();
		return;
	}
	if (write)
		pthread_rwlock_wrlock(l);
	else
		pthread_rwlock_rdlock(l);
}

#endif /* KMM_SYNC_LOCK_H */
