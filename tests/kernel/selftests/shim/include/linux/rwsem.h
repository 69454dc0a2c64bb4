/* SPDX-License-Identifier: MIT */
/*
 * <linux/rwsem.h> for the kernel's self-tests: a read-write semaphore on
 * pthread_rwlock_t (writer-preferring, as rwsems hold new readers behind a
 * waiting writer).
 */
#ifndef KMM_SHIM_LINUX_RWSEM_H
#define KMM_SHIM_LINUX_RWSEM_H

#include <pthread.h>

struct rw_semaphore {
	pthread_rwlock_t lock;
};

#define __RWSEM_INITIALIZER(name)                                                                  \
	{                                                                                          \
		PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP                                  \
	}
#define DECLARE_RWSEM(name) struct rw_semaphore name = __RWSEM_INITIALIZER(name)

static inline void init_rwsem(struct rw_semaphore *sem)
{
	pthread_rwlockattr_t attr;

	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&sem->lock, &attr);
	pthread_rwlockattr_destroy(&attr);
}

static inline void down_read(struct rw_semaphore *sem)
{
	pthread_rwlock_rdlock(&sem->lock);
}

static inline void up_read(struct rw_semaphore *sem)
{
	pthread_rwlock_unlock(&sem->lock);
}

static inline void down_write(struct rw_semaphore *sem)
{
	pthread_rwlock_wrlock(&sem->lock);
}

static inline void up_write(struct rw_semaphore *sem)
{
	pthread_rwlock_unlock(&sem->lock);
}

#endif /* KMM_SHIM_LINUX_RWSEM_H */
