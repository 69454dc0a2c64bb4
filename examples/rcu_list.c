/* SPDX-License-Identifier: MIT */
/*
 * rcu_list.c - a list read under RCU while a writer replaces its entries and
 * frees the old ones with kfree_rcu() and call_rcu(): kernel code on libkmm
 * and liburcu.
 *
 * What it shows: a routing table kept as an RCU list of struct route, each
 * from a slab cache.  Readers walk it under rcu_read_lock() and take no lock;
 * the writer (serialised by a mutex, the kernel's spinlock) changes a route
 * by publishing an updated copy in its place (list_replace_rcu()) and frees
 * the old one with kfree_rcu(), and deletes with list_del_rcu() and a
 * call_rcu() callback.  The old route stays allocated until every reader that
 * might still see it has left its critical section: the grace period.
 *
 * How the program shows it:
 *  - step by step: a reader thread parks inside rcu_read_lock() holding the
 *    route it found; the writer replaces that route; slabinfo counts one
 *    object more than the list holds, and the reader still reads the old
 *    route intact, until it leaves and rcu_barrier() has run the free;
 *  - under load: readers check every route they see while the writer makes
 *    20000 replacements.  The machine boots with slub_debug=P,route, so a
 *    route is overwritten with POISON_FREE (0x6b) the moment it is really
 *    freed, and a reader that saw freed memory would find its checksum
 *    broken (under ASan, the example-rcu-list-asan test, the read itself is
 *    reported).  No reader ever does.  Meanwhile the cache stays small: freed
 *    routes' memory is reused, after their grace period;
 *  - at the end every route is deleted and slabinfo shows none left.
 * The program exits non-zero if any check fails.
 *
 * Porting: RCU comes from liburcu (<urcu.h>), which has the kernel's names:
 * rcu_read_lock(), rcu_read_unlock(), synchronize_rcu(), call_rcu(),
 * rcu_barrier(), struct rcu_head; libkmm's kfree_rcu() queues its frees
 * there.  The RCU list is liburcu's <urcu/rculist.h> on struct cds_list_head,
 * with a cds_ prefix: list_add_tail_rcu() is cds_list_add_tail_rcu(),
 * list_for_each_entry_rcu() cds_list_for_each_entry_rcu(), list_replace_rcu()
 * cds_list_replace_rcu(), list_del_rcu() cds_list_del_rcu().  A porter
 * renames those, and registers each thread that reads under RCU
 * (rcu_register_thread()), which in the kernel every CPU is.  The slab calls
 * are unchanged (<linux/slab.h> of kmm-linux).  Build with
 * `cc rcu_list.c $(pkg-config --cflags --libs kmm-linux liburcu)`.
 */
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <urcu.h>
#include <urcu/rculist.h>

#include <linux/compiler.h>
#include <linux/gfp.h>
#include <linux/slab.h>

#include <kmm/kmm.h> /* the harness: kmm_init(), kmm_show() */

/* --- kernel code --- */

struct route {
	struct cds_list_head node; /* on route_list, under RCU */
	uint32_t prefix;	   /* the key: a /24 network */
	uint32_t gateway;	   /* where packets for it go */
	uint32_t version;	   /* bumped by every change */
	uint32_t check;		   /* route_check() of the three above */
	struct rcu_head rcu;	   /* the deferred free */
};

static CDS_LIST_HEAD(route_list);
/* Serialises the writers (the kernel would use a spinlock). */
static pthread_mutex_t route_lock = PTHREAD_MUTEX_INITIALIZER;
static struct kmem_cache *route_cache;
/* Frees done by route_free_rcu(), the call_rcu() callback. */
static unsigned long route_rcu_frees;

static uint32_t route_check(const struct route *r)
{
	return (r->prefix * 0x9e3779b1u) ^ (r->gateway * 0x85ebca77u) ^ (r->version * 0xc2b2ae3du);
}

static int route_add(uint32_t prefix, uint32_t gateway)
{
	struct route *r = kmem_cache_alloc(route_cache, GFP_KERNEL);

	if (!r)
		return -1;
	r->prefix = prefix;
	r->gateway = gateway;
	r->version = 0;
	r->check = route_check(r);
	pthread_mutex_lock(&route_lock);
	cds_list_add_tail_rcu(&r->node, &route_list);
	pthread_mutex_unlock(&route_lock);
	return 0;
}

/* route_find - the route of @prefix.  Context: under rcu_read_lock() or route_lock. */
static struct route *route_find(uint32_t prefix)
{
	struct route *r;

	cds_list_for_each_entry_rcu(r, &route_list, node)
		if (r->prefix == prefix)
			return r;
	return NULL;
}

/*
 * route_change - send @prefix to @gateway: publish an updated copy in place
 * of the route, free the old one after a grace period.  Readers see either.
 */
static int route_change(uint32_t prefix, uint32_t gateway)
{
	struct route *old, *new = kmem_cache_alloc(route_cache, GFP_KERNEL);

	if (!new)
		return -1;
	pthread_mutex_lock(&route_lock);
	old = route_find(prefix);
	if (!old) {
		pthread_mutex_unlock(&route_lock);
		kmem_cache_free(route_cache, new);
		return -1;
	}
	*new = *old;
	new->gateway = gateway;
	new->version++;
	new->check = route_check(new);
	cds_list_replace_rcu(&old->node, &new->node);
	pthread_mutex_unlock(&route_lock);
	kfree_rcu(old, rcu);
	return 0;
}

static void route_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(route_cache, container_of(head, struct route, rcu));
	__atomic_fetch_add(&route_rcu_frees, 1, __ATOMIC_RELAXED);
}

/* route_flush - delete every route; call_rcu() frees each after a grace period. */
static void route_flush(void)
{
	struct route *r, *next;

	pthread_mutex_lock(&route_lock);
	cds_list_for_each_entry_safe(r, next, &route_list, node) {
		cds_list_del_rcu(&r->node);
		call_rcu(&r->rcu, route_free_rcu);
	}
	pthread_mutex_unlock(&route_lock);
}

/* --- the harness --- */

#define NR_ROUTES  64
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

static unsigned long active_routes(void)
{
	unsigned long active = 0, total;

	slabinfo_counts("route", &active, &total);
	return active;
}

/* The parked reader of the step-by-step part. */
static sem_t parked, leave;
static struct route seen_copy; /* the route as the parked reader first read it */
static bool parked_intact;     /* it read the same route again just before leaving */

static void *parked_reader(void *arg)
{
	struct route *r;

	rcu_register_thread();
	rcu_read_lock();
	r = route_find(7);
	seen_copy = *r;
	sem_post(&parked);
	sem_wait(&leave);
	parked_intact = r->gateway == seen_copy.gateway && r->version == seen_copy.version &&
			r->check == route_check(r);
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

/* The readers under load: walk the list, check every route, look one up. */
static bool stop;
static unsigned long traversals, bad_routes, missed;

static void *load_reader(void *arg)
{
	unsigned long walks = 0, bad = 0, miss = 0;
	uint32_t seed = (uint32_t)(uintptr_t)arg;

	rcu_register_thread();
	__atomic_fetch_add(&readers_started, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
		struct route *r;
		unsigned int n = 0;

		seed = seed * 1103515245u + 12345u;
		rcu_read_lock();
		cds_list_for_each_entry_rcu(r, &route_list, node) {
			if (READ_ONCE(r->check) != route_check(r))
				bad++;
			n++;
		}
		if (n != NR_ROUTES || !route_find((seed >> 8) % NR_ROUTES))
			miss++;
		rcu_read_unlock();
		walks++;
	}
	rcu_unregister_thread();
	__atomic_fetch_add(&traversals, walks, __ATOMIC_RELAXED);
	__atomic_fetch_add(&bad_routes, bad, __ATOMIC_RELAXED);
	__atomic_fetch_add(&missed, miss, __ATOMIC_RELAXED);
	return NULL;
}

static int fail(const char *what)
{
	printf("FAILED: %s\n", what);
	return 1;
}

int main(void)
{
	pthread_t parked_thread, readers[NR_READERS];
	unsigned long active, total;
	uint32_t seed = 42, gateway;
	unsigned int i;

	if (kmm_init("mem=64M slub_debug=P,route") != 0)
		return 1;
	rcu_register_thread();
	route_cache = KMEM_CACHE(route, 0);
	for (i = 0; i < NR_ROUTES; i++)
		if (route_add(i, 0xc0a80001u) != 0)
			return fail("route_add");
	printf("%d routes; slabinfo: %lu active route objects\n", NR_ROUTES, active_routes());

	/* Step by step: a reader holds route 7 while the writer replaces it. */
	sem_init(&parked, 0, 0);
	sem_init(&leave, 0, 0);
	pthread_create(&parked_thread, NULL, parked_reader, NULL);
	sem_wait(&parked);
	route_change(7, 0xc0a80002u);
	usleep(100 * 1000);
	printf("a reader inside rcu_read_lock() holds route 7 (gateway %#x); the writer\n"
	       "replaced it and kfree_rcu()ed the old one; 100 ms later slabinfo: %lu active\n",
	       seen_copy.gateway, active_routes());
	if (active_routes() != NR_ROUTES + 1)
		return fail("the old route was freed under its reader");
	sem_post(&leave);
	pthread_join(parked_thread, NULL);
	printf("the reader read the old route intact until it left: %s\n",
	       parked_intact ? "yes" : "no");
	rcu_barrier();
	rcu_read_lock();
	gateway = route_find(7)->gateway;
	rcu_read_unlock();
	printf("after rcu_barrier(): %lu active, and lookups find gateway %#x\n", active_routes(),
	       gateway);
	if (!parked_intact || active_routes() != NR_ROUTES)
		return fail("the step-by-step part");

	/* Under load. */
	for (i = 0; i < NR_READERS; i++)
		pthread_create(&readers[i], NULL, load_reader, (void *)(uintptr_t)(i + 1));
	wait_for_readers(NR_READERS);
	for (i = 0; i < NR_CHANGES; i++) {
		seed = seed * 1103515245u + 12345u;
		if (route_change((seed >> 8) % NR_ROUTES, seed) != 0)
			return fail("route_change");
	}
	__atomic_store_n(&stop, true, __ATOMIC_RELEASE);
	for (i = 0; i < NR_READERS; i++)
		pthread_join(readers[i], NULL);
	rcu_barrier();
	slabinfo_counts("route", &active, &total);
	printf("%d changes under %d readers (%lu list walks): routes seen freed: %lu, "
	       "lookups missed: %lu\n",
	       NR_CHANGES, NR_READERS, traversals, bad_routes, missed);
	printf("%d routes allocated in all, the cache has room for %lu: freed memory was reused\n",
	       NR_ROUTES + 1 + NR_CHANGES, total);
	if (bad_routes || missed || active != NR_ROUTES || total >= NR_CHANGES)
		return fail("the load part");

	/* Teardown. */
	route_flush();
	rcu_barrier();
	printf("route_flush(): %lu call_rcu() frees; slabinfo: %lu active\n", route_rcu_frees,
	       active_routes());
	if (route_rcu_frees != NR_ROUTES || active_routes() != 0 ||
	    kmem_cache_shrink(route_cache) != 0)
		return fail("the teardown");
	kmem_cache_destroy(route_cache);
	rcu_unregister_thread();
	kmm_exit();
	printf("rcu_list: every check passed\n");
	return 0;
}
