/* SPDX-License-Identifier: MIT */
/*
 * rcu_reader.h - a thread inside an RCU read-side critical section (liburcu's
 * default flavour), for the suites that test RCU-deferred frees: it stays
 * inside until released, or for a set time, so a grace period cannot end.
 */
#ifndef KMM_TEST_RCU_READER_H
#define KMM_TEST_RCU_READER_H

#include <pthread.h>
#include <stdbool.h>
#include <unistd.h>
#include <urcu.h>

struct rcu_reader {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int stage;			  /* 1: inside rcu_read_lock(); 2: may leave */
	bool running;			  /* started and not yet joined */
	long hold_ms;			  /* > 0: leave by itself after this long */
	void (*before_unlock)(void *arg); /* run inside the section just before leaving */
	void *arg;
};

static inline void rcu_reader_set(struct rcu_reader *r, int stage)
{
	pthread_mutex_lock(&r->lock);
	r->stage = stage;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
}

static inline void rcu_reader_wait(struct rcu_reader *r, int stage)
{
	pthread_mutex_lock(&r->lock);
	while (r->stage < stage)
		pthread_cond_wait(&r->cond, &r->lock);
	pthread_mutex_unlock(&r->lock);
}

static inline void *rcu_reader_main(void *arg)
{
	struct rcu_reader *r = arg;

	rcu_register_thread();
	rcu_read_lock();
	rcu_reader_set(r, 1);
	if (r->hold_ms > 0)
		usleep((useconds_t)r->hold_ms * 1000);
	else
		rcu_reader_wait(r, 2);
	if (r->before_unlock)
		r->before_unlock(r->arg);
	rcu_read_unlock();
	rcu_unregister_thread();
	return NULL;
}

/*
 * rcu_reader_start - start @r and return once it is inside its critical
 * section; @hold_ms > 0: it leaves by itself after that long, else at
 * rcu_reader_release().  @before_unlock(@arg), if set, runs just before it leaves.
 */
static inline void rcu_reader_start(struct rcu_reader *r, long hold_ms,
				    void (*before_unlock)(void *arg), void *arg)
{
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cond, NULL);
	r->stage = 0;
	r->hold_ms = hold_ms;
	r->before_unlock = before_unlock;
	r->arg = arg;
	r->running = pthread_create(&r->thread, NULL, rcu_reader_main, r) == 0;
	if (r->running)
		rcu_reader_wait(r, 1);
}

/* rcu_reader_release - let @r leave its section and wait for it; a no-op if not running. */
static inline void rcu_reader_release(struct rcu_reader *r)
{
	if (!r->running)
		return;
	rcu_reader_set(r, 2);
	pthread_join(r->thread, NULL);
	r->running = false;
}

#endif /* KMM_TEST_RCU_READER_H */
