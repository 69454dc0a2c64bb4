/* SPDX-License-Identifier: MIT */
/*
 * rcu_typesafe.c - lookups under RCU in a SLAB_TYPESAFE_BY_RCU cache, where a
 * freed object may be reused at once: kernel code on libkmm and liburcu.
 *
 * What it shows: the other way the kernel frees RCU-read objects (struct
 * sock, anon_vma, files): the cache is made with SLAB_TYPESAFE_BY_RCU, objects
 * are freed with plain kmem_cache_free() and handed out again at once, and
 * only the slab pages wait for a grace period.  So a reader inside
 * rcu_read_lock() may hold a pointer to an object that has meanwhile been
 * freed and reused for another session: the memory is still a struct session
 * (type-safe), never anything else, but not necessarily the one it looked
 * for.  The lookup therefore takes a reference only if the count is not zero
 * (the object is live) and then checks the key again, retrying on a mismatch.
 * The constructor sets the count to zero once, when the slab is made: the
 * count is always meaningful, in a free object too.
 *
 * How the program shows it:
 *  - step by step: a reader finds session 7 and pauses inside rcu_read_lock();
 *    the writer ends session 7 (freed at once) and starts session 519 in the
 *    same slot, which gets the very same memory; the reader's reference
 *    succeeds, but the key check sees 519 and the lookup says "not found", as
 *    it must;
 *  - under load: readers look sessions up while the writer ends and starts
 *    20000 of them; every reference a reader takes is to a consistent session
 *    with the key it asked for, while objects are reused at once;
 *  - at the end every session is ended and slabinfo shows none left.
 * The program exits non-zero if any check fails.
 *
 * Porting: as rcu_list.c (RCU from liburcu under the kernel's names,
 * rcu_register_thread() for reader threads); <linux/atomic.h> and refcount_t
 * are not part of libkmm, so the count uses the compiler's __atomic builtins
 * in three helpers named after the kernel's.  The slab calls, the flag and
 * the constructor are unchanged.  Build with
 * `cc rcu_typesafe.c $(pkg-config --cflags --libs kmm-linux liburcu)`.
 */
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <urcu.h>

#include <linux/compiler.h>
#include <linux/gfp.h>
#include <linux/slab.h>

#include <kmm/kmm.h> /* the harness: kmm_init(), kmm_show() */

/* --- kernel code --- */

struct session {
	int refcount;	/* 0: free (the constructor's value), else live */
	uint32_t id;	/* the key */
	uint32_t owner; /* the payload */
	uint32_t check; /* session_check() of id and owner */
};

#define NR_SLOTS 64

/* sessions[id % NR_SLOTS]: the live session of that slot, or NULL. */
static struct session *sessions[NR_SLOTS];
static struct kmem_cache *session_cache;

/* atomic_inc_not_zero(), atomic_dec_and_test() and atomic_set_release(), on builtins. */
static bool ref_get_not_zero(int *ref)
{
	int old = __atomic_load_n(ref, __ATOMIC_RELAXED);

	do {
		if (old == 0)
			return false;
	} while (!__atomic_compare_exchange_n(ref, &old, old + 1, true, __ATOMIC_ACQUIRE,
					      __ATOMIC_RELAXED));
	return true;
}

static bool ref_put_and_test(int *ref)
{
	return __atomic_sub_fetch(ref, 1, __ATOMIC_RELEASE) == 0;
}

static void ref_set_release(int *ref, int val)
{
	__atomic_store_n(ref, val, __ATOMIC_RELEASE);
}

static uint32_t session_check(uint32_t id, uint32_t owner)
{
	return (id * 0x9e3779b1u) ^ (owner * 0x85ebca77u) ^ 0x5bd1e995u;
}

static void session_ctor(void *obj)
{
	struct session *s = obj;

	s->refcount = 0;
}

static int session_init(void)
{
	session_cache = kmem_cache_create("session", sizeof(struct session), 0,
					  SLAB_TYPESAFE_BY_RCU | SLAB_HWCACHE_ALIGN, session_ctor);
	return session_cache ? 0 : -1;
}

/* session_put - drop a reference; the last one frees the object, at once. */
static void session_put(struct session *s)
{
	if (ref_put_and_test(&s->refcount))
		kmem_cache_free(session_cache, s);
}

/*
 * session_start - make session @id live in its slot (which must be empty).
 * The fields are written while the count is 0, so no reader can take the
 * object; the release of the count publishes them to the readers that can.
 */
static struct session *session_start(uint32_t id, uint32_t owner)
{
	struct session *s = kmem_cache_alloc(session_cache, GFP_KERNEL);

	if (!s)
		return NULL;
	s->id = id;
	s->owner = owner;
	s->check = session_check(id, owner);
	ref_set_release(&s->refcount, 1); /* the slot's reference */
	rcu_assign_pointer(sessions[id % NR_SLOTS], s);
	return s;
}

/* session_end - empty the slot of @id and drop its reference. */
static void session_end(uint32_t id)
{
	struct session *s = sessions[id % NR_SLOTS];

	rcu_assign_pointer(sessions[id % NR_SLOTS], NULL);
	session_put(s);
}

/*
 * session_get - a reference to session @id, or NULL.  Context: under
 * rcu_read_lock(), which keeps the memory a struct session; the count and
 * the key check make it the right one.
 */
static struct session *session_get(uint32_t id)
{
	struct session *s = rcu_dereference(sessions[id % NR_SLOTS]);

	if (!s || !ref_get_not_zero(&s->refcount))
		return NULL;
	if (READ_ONCE(s->id) != id) { /* freed and reused since we found it */
		session_put(s);
		return NULL;
	}
	return s;
}

/* --- the harness --- */

#define NR_CHANGES 20000
#define NR_READERS 3

/* The counts of cache @name in slabinfo (active objects, all objects); false if absent. */
static bool slabinfo_counts(const char *name, unsigned long *active, unsigned long *total)
{
	char *text = NULL, *line, *save, cache[64];
	bool found = false;
	size_t len;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return false;
	kmm_show("slabinfo", f);
	fclose(f);
	for (line = strtok_r(text, "\n", &save); line && !found; line = strtok_r(NULL, "\n", &save))
		found = sscanf(line, "%63s %lu %lu", cache, active, total) == 3 &&
			strcmp(cache, name) == 0;
	free(text);
	return found;
}

/* The paused reader of the step-by-step part. */
static sem_t found, go_on;
static struct session *found_ptr; /* what the reader found in slot 7 */
static uint32_t key_seen;	  /* the key it read after taking its reference */
static bool paused_lookup_ok;	  /* its lookup of 7 failed, as it must */

static void *paused_reader(void *arg)
{
	struct session *s;

	rcu_register_thread();
	rcu_read_lock();
	found_ptr = rcu_dereference(sessions[7]);
	sem_post(&found);
	sem_wait(&go_on);
	/* session_get(7), from the pointer found before the pause */
	s = found_ptr;
	if (ref_get_not_zero(&s->refcount)) {
		key_seen = READ_ONCE(s->id);
		paused_lookup_ok = key_seen != 7;
		session_put(s);
	}
	rcu_read_unlock();
	rcu_unregister_thread();
	return NULL;
}

/* Readers that have started, so that the writer does not finish before they do. */
static unsigned int readers_started;

static void wait_for_readers(unsigned int nr)
{
	while (__atomic_load_n(&readers_started, __ATOMIC_ACQUIRE) < nr)
		sched_yield();
}

/* The readers under load. */
static bool stop;
static unsigned long lookups, hits, inconsistent;

static void *load_reader(void *arg)
{
	unsigned long n = 0, hit = 0, bad = 0;
	uint32_t seed = (uint32_t)(uintptr_t)arg;

	rcu_register_thread();
	__atomic_fetch_add(&readers_started, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
		struct session *s;
		uint32_t id;

		seed = seed * 1103515245u + 12345u;
		/* the ids live now and recently: slot + NR_SLOTS * generation */
		id = (seed >> 8) % (NR_SLOTS * 4) + NR_SLOTS * (seed % 2 ? 0 : 4);
		rcu_read_lock();
		s = session_get(id);
		if (s) {
			hit++;
			if (s->id != id || s->check != session_check(s->id, s->owner))
				bad++;
			session_put(s);
		}
		rcu_read_unlock();
		n++;
	}
	rcu_unregister_thread();
	__atomic_fetch_add(&lookups, n, __ATOMIC_RELAXED);
	__atomic_fetch_add(&hits, hit, __ATOMIC_RELAXED);
	__atomic_fetch_add(&inconsistent, bad, __ATOMIC_RELAXED);
	return NULL;
}

static int fail(const char *what)
{
	printf("FAILED: %s\n", what);
	return 1;
}

int main(void)
{
	pthread_t paused, readers[NR_READERS];
	unsigned long active, total, reused = 0;
	struct session *old, *s;
	uint32_t seed = 42, generation[NR_SLOTS] = {0};
	unsigned int i;

	if (kmm_init("mem=64M") != 0)
		return 1;
	rcu_register_thread();
	if (session_init() != 0)
		return fail("session_init");
	for (i = 0; i < NR_SLOTS; i++)
		if (!session_start(i, 1000 + i))
			return fail("session_start");

	/* Step by step: reuse under a reader's feet, caught by the key check. */
	sem_init(&found, 0, 0);
	sem_init(&go_on, 0, 0);
	pthread_create(&paused, NULL, paused_reader, NULL);
	sem_wait(&found);
	old = sessions[7];
	session_end(7);
	s = session_start(7 + NR_SLOTS * 8, 42);
	printf("a reader found session 7 and paused inside rcu_read_lock(); the writer ended\n"
	       "session 7 and started session %u in its slot: the same memory: %s\n",
	       7 + NR_SLOTS * 8, s == old ? "yes" : "no");
	sem_post(&go_on);
	pthread_join(paused, NULL);
	printf("the reader's reference succeeded on key %u, so its lookup of 7 failed: %s\n",
	       key_seen, paused_lookup_ok ? "yes" : "no");
	if (s != old || !paused_lookup_ok)
		return fail("the step-by-step part");
	session_end(7 + NR_SLOTS * 8);
	session_start(7, 1007);

	/* Under load. */
	for (i = 0; i < NR_READERS; i++)
		pthread_create(&readers[i], NULL, load_reader, (void *)(uintptr_t)(i + 1));
	wait_for_readers(NR_READERS);
	for (i = 0; i < NR_CHANGES; i++) {
		uint32_t slot, id;

		seed = seed * 1103515245u + 12345u;
		slot = (seed >> 8) % NR_SLOTS;
		id = slot + NR_SLOTS * generation[slot];
		old = sessions[slot];
		session_end(id);
		generation[slot] = (generation[slot] + 1) % 8;
		s = session_start(slot + NR_SLOTS * generation[slot], seed);
		if (!s)
			return fail("session_start");
		reused += s == old;
	}
	__atomic_store_n(&stop, true, __ATOMIC_RELEASE);
	for (i = 0; i < NR_READERS; i++)
		pthread_join(readers[i], NULL);
	printf("%d sessions ended and started under %d readers: %lu lookups, %lu found,\n"
	       "inconsistent: %lu\n",
	       NR_CHANGES, NR_READERS, lookups, hits, inconsistent);
	printf("a new session took the memory of the one just ended %lu times: no grace period\n",
	       reused);
	if (inconsistent != 0 || reused == 0)
		return fail("the load part");

	/* Teardown: end every session; the slab pages go after a grace period. */
	for (i = 0; i < NR_SLOTS; i++)
		session_end(sessions[i]->id);
	if (kmem_cache_shrink(session_cache) != 0 || !slabinfo_counts("session", &active, &total) ||
	    active != 0)
		return fail("objects still in use after the teardown");
	rcu_barrier();
	printf("every session ended; slabinfo: %lu active, %lu objects\n", active, total);
	kmem_cache_destroy(session_cache);
	rcu_unregister_thread();
	kmm_exit();
	printf("rcu_typesafe: every check passed\n");
	return 0;
}
