/* SPDX-License-Identifier: MIT */
/* <linux/mutex.h> for the kernel's self-tests: struct mutex on pthread_mutex_t. */
#ifndef KMM_SHIM_LINUX_MUTEX_H
#define KMM_SHIM_LINUX_MUTEX_H

#include <pthread.h>

struct mutex {
	pthread_mutex_t lock;
};

#define DEFINE_MUTEX(name) struct mutex name = {PTHREAD_MUTEX_INITIALIZER}

static inline void mutex_init(struct mutex *m)
{
	pthread_mutex_init(&m->lock, NULL);
}

static inline void mutex_lock(struct mutex *m)
{
	pthread_mutex_lock(&m->lock);
}

static inline void mutex_unlock(struct mutex *m)
{
	pthread_mutex_unlock(&m->lock);
}

#endif /* KMM_SHIM_LINUX_MUTEX_H */
