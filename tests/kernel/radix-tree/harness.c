/* SPDX-License-Identifier: MIT */
/*
 * tests/kernel/radix-tree/harness.c - the test knobs of the kernel's radix-tree
 * test harness (tools/testing/radix-tree: xarray, idr-test, multiorder, main,
 * maple) on libkmm, in place of the harness's tools/testing/shared/linux.c and
 * tools/lib/slab.c, which put kmem_cache_*() and kmalloc() on malloc.
 *
 * Every object the upstream code allocates comes from libkmm: the harness_*()
 * entry points (harness.h renames the upstream calls to them) count, apply the
 * harness's rules for allocations that may not sleep, and call libkmm's own
 * kmem_cache_alloc_lru(), kmem_cache_free(), kmem_cache_alloc_bulk(),
 * kmem_cache_free_bulk(), kmalloc() and kfree().  The harness's rules, which
 * the upstream tests depend on:
 *  - An allocation without __GFP_DIRECT_RECLAIM (GFP_NOWAIT, GFP_ATOMIC) from a
 *    cache fails unless the cache's non_kernel count (kmem_cache_set_non_kernel())
 *    allows it, one object each, bulk allocations too (a bulk that needs more
 *    than is left fails whole and uses the count up).  A single allocation that
 *    fails so makes the next allocation from that cache run the cache's callback
 *    (kmem_cache_set_callback(), with kmem_cache_set_private()'s argument)
 *    first: the maple tree tests race a second writer in there.
 *  - kmalloc() without __GFP_DIRECT_RECLAIM always fails (idr-test's
 *    ida_check_nomem() expects -ENOMEM).
 *  - The harness's SLAB_PANIC and SLAB_RECLAIM_ACCOUNT values (harness.h) are
 *    translated to libkmm's; any other bit is refused, so a change of the
 *    harness's values cannot slip through as some other flag.
 * These rules are decided here, before libkmm is called, rather than with
 * libkmm's failslab: failslab has one budget (times, space) for all the
 * caches it filters where non_kernel is a count per cache, it decides once per
 * bulk call where the harness counts objects, and the callback needs to know
 * that the failure was the rule's.
 *
 * The machine boots in a constructor, kmm_init() with HARNESS_CMDLINE followed
 * by $KMM_CMDLINE (the test entries add slub_debug=FZPU there).  At exit the
 * harness's counts are checked against libkmm's: every cache's live objects
 * (kmem_cache_live_objects()) and slabinfo's active objects against its
 * nr_allocated, the sum over every cache (kmm_live_objects()) against
 * nr_allocated plus the live kmalloc objects, slabinfo's kmalloc caches
 * against the latter, and kmm_validate_all() must find nothing.  One line says
 * that they agree, or what disagrees and the run fails.
 *
 * Locking: the cache table is appended to under harness_lock and read without
 * it (the count is published with release, read with acquire; a slot never
 * changes once published).  The counters are atomics, as the harness's
 * uatomic_inc()s.  non_kernel, the callback, its argument and exec_callback are
 * plain fields set and read by the test's own thread, as in linux.c.
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kmm/kmm.h>

#define HARNESS_KNOBS_IMPL
#include "harness.h"

/* The machine: 2 GiB of sparse memory (idr-test's IDA trees are the largest user). */
#define HARNESS_CMDLINE	   "mem=2G"
/* The caches the harness's programs create: radix_tree_node, maple_node, two test caches. */
#define HARNESS_MAX_CACHES 8

int nr_allocated;
int preempt_count;
int test_verbose;
int kmalloc_verbose;

/* The harness's view of one libkmm cache (linux.c's struct kmem_cache, less the allocator). */
struct harness_cache {
	struct kmem_cache *cache;    /* libkmm's cache */
	unsigned int non_kernel;     /* allocations without __GFP_DIRECT_RECLAIM still allowed */
	bool exec_callback;	     /* one failed for that: run callback at the next allocation */
	void (*callback)(void *);    /* kmem_cache_set_callback() */
	void *private;		     /* callback's argument, kmem_cache_set_private() */
	unsigned long nr_allocated;  /* objects allocated and not freed (atomic) */
	unsigned long nr_tallocated; /* objects allocated since the last zeroing (atomic) */
};

static pthread_mutex_t harness_lock = PTHREAD_MUTEX_INITIALIZER;
static struct harness_cache harness_caches[HARNESS_MAX_CACHES];
static unsigned int nr_harness_caches;	   /* slots published (release/acquire) */
static unsigned long kmalloc_nr_allocated; /* kmalloc() objects not kfree()d (atomic) */
static unsigned long harness_nr_objects;   /* objects libkmm handed out in all (atomic) */

static void harness_fail(const char *what, ...) kmm_format(1, 2) __attribute__((noreturn));

/* harness_fail - a misuse of the harness: one line, then abort as a failed assert() would. */
static void harness_fail(const char *what, ...)
{
	va_list ap;

	fprintf(stderr, "radix-tree harness: ");
	va_start(ap, what);
	vfprintf(stderr, what, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}

/* harness_cache_of - the harness's record of @s, which harness_kmem_cache_create() made. */
static struct harness_cache *harness_cache_of(struct kmem_cache *s)
{
	unsigned int i, nr = __atomic_load_n(&nr_harness_caches, __ATOMIC_ACQUIRE);

	for (i = 0; i < nr; i++)
		if (harness_caches[i].cache == s)
			return &harness_caches[i];
	harness_fail("%p is not a cache the harness created", (void *)s);
}

/*
 * harness_may_alloc - the harness's rule for @nr objects from @hc with @gfp: an
 * allocation that may sleep always may; one that may not takes @nr from
 * non_kernel, or, when fewer are left, uses them up and fails.
 */
static bool harness_may_alloc(struct harness_cache *hc, gfp_t gfp, size_t nr)
{
	if (gfp & __GFP_DIRECT_RECLAIM)
		return true;
	if (hc->non_kernel < nr) {
		hc->non_kernel = 0;
		return false;
	}
	hc->non_kernel -= nr;
	return true;
}

static void harness_count_alloc(struct harness_cache *hc, size_t nr)
{
	__atomic_add_fetch(&hc->nr_allocated, nr, __ATOMIC_RELAXED);
	__atomic_add_fetch(&hc->nr_tallocated, nr, __ATOMIC_RELAXED);
	__atomic_add_fetch(&nr_allocated, (int)nr, __ATOMIC_RELAXED);
	__atomic_add_fetch(&harness_nr_objects, nr, __ATOMIC_RELAXED);
}

static void harness_count_free(struct harness_cache *hc, size_t nr)
{
	__atomic_sub_fetch(&hc->nr_allocated, nr, __ATOMIC_RELAXED);
	__atomic_sub_fetch(&nr_allocated, (int)nr, __ATOMIC_RELAXED);
}

struct kmem_cache *harness_kmem_cache_create(const char *name, unsigned int size,
					     unsigned int align, unsigned int flags,
					     void (*ctor)(void *))
{
	slab_flags_t kmm_flags = 0;
	struct kmem_cache *s;
	unsigned int nr;

	if (flags & ~(HARNESS_SLAB_PANIC | HARNESS_SLAB_RECLAIM_ACCOUNT))
		harness_fail("kmem_cache_create(\"%s\"): flags %#x hold a bit the harness has no "
			     "value for",
			     name, flags);
	if (flags & HARNESS_SLAB_PANIC)
		kmm_flags |= SLAB_PANIC;
	if (flags & HARNESS_SLAB_RECLAIM_ACCOUNT)
		kmm_flags |= SLAB_RECLAIM_ACCOUNT;
	s = kmem_cache_create(name, size, align, kmm_flags, ctor);
	if (!s)
		return NULL;

	pthread_mutex_lock(&harness_lock);
	nr = nr_harness_caches;
	if (nr == HARNESS_MAX_CACHES)
		harness_fail("kmem_cache_create(\"%s\"): more than %d caches", name,
			     HARNESS_MAX_CACHES);
	harness_caches[nr] = (struct harness_cache){.cache = s};
	__atomic_store_n(&nr_harness_caches, nr + 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&harness_lock);
	return s;
}

void *harness_kmem_cache_alloc_lru(struct kmem_cache *s, struct list_lru *lru, int gfp)
{
	struct harness_cache *hc = harness_cache_of(s);
	void *obj;

	if (hc->exec_callback) {
		if (hc->callback)
			hc->callback(hc->private);
		hc->exec_callback = false;
	}
	if (!harness_may_alloc(hc, (gfp_t)gfp, 1)) {
		hc->exec_callback = true;
		return NULL;
	}
	obj = kmem_cache_alloc_lru(s, lru, (gfp_t)gfp);
	if (!obj)
		return NULL;
	harness_count_alloc(hc, 1);
	if (kmalloc_verbose)
		printf("Allocating %p from %s\n", obj, kmem_cache_name(s));
	return obj;
}

void harness_kmem_cache_free(struct kmem_cache *s, void *obj)
{
	struct harness_cache *hc = harness_cache_of(s);

	if (!obj)
		harness_fail("kmem_cache_free(%s, NULL)", kmem_cache_name(s));
	harness_count_free(hc, 1);
	if (kmalloc_verbose)
		printf("Freeing %p to %s\n", obj, kmem_cache_name(s));
	kmem_cache_free(s, obj);
}

int harness_kmem_cache_alloc_bulk(struct kmem_cache *s, unsigned int gfp, size_t nr, void **p)
{
	struct harness_cache *hc = harness_cache_of(s);

	if (kmalloc_verbose)
		printf("Bulk alloc %zu from %s\n", nr, kmem_cache_name(s));
	if (!harness_may_alloc(hc, gfp, nr))
		return 0;
	if (kmem_cache_alloc_bulk(s, gfp, nr, p) == 0)
		return 0;
	harness_count_alloc(hc, nr);
	return (int)nr;
}

void harness_kmem_cache_free_bulk(struct kmem_cache *s, size_t nr, void **p)
{
	struct harness_cache *hc = harness_cache_of(s);

	if (kmalloc_verbose)
		printf("Bulk free %p[0-%zu] to %s\n", (void *)p, nr - 1, kmem_cache_name(s));
	harness_count_free(hc, nr);
	kmem_cache_free_bulk(s, nr, p);
}

void *harness_kmalloc(size_t size, unsigned int gfp)
{
	void *p;

	if (!(gfp & __GFP_DIRECT_RECLAIM))
		return NULL;
	p = kmalloc(size, gfp);
	if (!p)
		return NULL;
	__atomic_add_fetch(&kmalloc_nr_allocated, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&harness_nr_objects, 1, __ATOMIC_RELAXED);
	if (kmalloc_verbose)
		printf("Allocating %p from kmalloc\n", p);
	return p;
}

void harness_kfree(void *p)
{
	if (!p)
		return;
	__atomic_sub_fetch(&kmalloc_nr_allocated, 1, __ATOMIC_RELAXED);
	if (kmalloc_verbose)
		printf("Freeing %p to kmalloc\n", p);
	kfree(p);
}

void kmem_cache_set_non_kernel(struct kmem_cache *s, unsigned int val)
{
	harness_cache_of(s)->non_kernel = val;
}

void kmem_cache_set_callback(struct kmem_cache *s, void (*callback)(void *))
{
	harness_cache_of(s)->callback = callback;
}

void kmem_cache_set_private(struct kmem_cache *s, void *private)
{
	harness_cache_of(s)->private = private;
}

unsigned long kmem_cache_get_alloc(struct kmem_cache *s)
{
	return kmem_cache_size(s) *
	       __atomic_load_n(&harness_cache_of(s)->nr_allocated, __ATOMIC_RELAXED);
}

void kmem_cache_zero_nr_tallocated(struct kmem_cache *s)
{
	__atomic_store_n(&harness_cache_of(s)->nr_tallocated, 0, __ATOMIC_RELAXED);
}

unsigned int kmem_cache_nr_tallocated(struct kmem_cache *s)
{
	return (unsigned int)__atomic_load_n(&harness_cache_of(s)->nr_tallocated, __ATOMIC_RELAXED);
}

unsigned int kmem_cache_nr_allocated(struct kmem_cache *s)
{
	return (unsigned int)__atomic_load_n(&harness_cache_of(s)->nr_allocated, __ATOMIC_RELAXED);
}

static unsigned int test_callback_runs;

static void test_callback(void *private)
{
	assert(private == &test_callback_runs);
	test_callback_runs++;
}

/* test_bulk_objects_ok - @nr objects of @s at @p, @align-aligned, each counted by libkmm. */
static void test_bulk_objects_ok(struct kmem_cache *s, void **p, size_t nr, uintptr_t align)
{
	size_t i;

	for (i = 0; i < nr; i++)
		assert(p[i] && (uintptr_t)p[i] % align == 0);
	assert(kmem_cache_nr_allocated(s) == nr);
	assert(kmem_cache_live_objects(s) == nr);
}

/*
 * test_kmem_cache_bulk - maple.c's test of the harness's own allocator (linux.c's
 * checks its freelist of reused objects, which libkmm has no counterpart of):
 * here, that single and bulk allocations and frees are counted by the harness
 * and by libkmm alike, that aligned caches hand out aligned objects, and the
 * non_kernel and callback rules the maple tests rely on.
 */
void test_kmem_cache_bulk(void)
{
	struct kmem_cache *test_cache, *test_cache2;
	void *list[12];
	int i;

	test_cache = harness_kmem_cache_create("test_cache", 256, 0, HARNESS_SLAB_PANIC, NULL);
	for (i = 0; i < 5; i++)
		list[i] = harness_kmem_cache_alloc_lru(test_cache, NULL, __GFP_DIRECT_RECLAIM);
	test_bulk_objects_ok(test_cache, list, 5, sizeof(void *));
	for (i = 0; i < 5; i++)
		harness_kmem_cache_free(test_cache, list[i]);
	test_bulk_objects_ok(test_cache, list, 0, 1);

	assert(harness_kmem_cache_alloc_bulk(test_cache, __GFP_DIRECT_RECLAIM, 12, list) == 12);
	test_bulk_objects_ok(test_cache, list, 12, sizeof(void *));
	harness_kmem_cache_free_bulk(test_cache, 12, list);
	test_bulk_objects_ok(test_cache, list, 0, 1);
	assert(kmem_cache_nr_tallocated(test_cache) == 17);
	kmem_cache_zero_nr_tallocated(test_cache);

	/* without __GFP_DIRECT_RECLAIM: one non_kernel per object, a short bulk fails whole */
	kmem_cache_set_non_kernel(test_cache, 4);
	assert(harness_kmem_cache_alloc_bulk(test_cache, GFP_NOWAIT, 5, list) == 0);
	kmem_cache_set_callback(test_cache, test_callback);
	kmem_cache_set_private(test_cache, &test_callback_runs);
	assert(!harness_kmem_cache_alloc_lru(test_cache, NULL, GFP_NOWAIT));
	assert(test_callback_runs == 0);
	kmem_cache_set_non_kernel(test_cache, 5);
	assert(harness_kmem_cache_alloc_bulk(test_cache, GFP_NOWAIT, 4, list) == 4);
	list[4] = harness_kmem_cache_alloc_lru(test_cache, NULL, GFP_NOWAIT);
	assert(test_callback_runs == 1); /* run once, by the allocation after the failure */
	test_bulk_objects_ok(test_cache, list, 5, sizeof(void *));
	assert(!harness_kmem_cache_alloc_lru(test_cache, NULL, GFP_NOWAIT));
	harness_kmem_cache_free_bulk(test_cache, 5, list);
	kmem_cache_set_callback(test_cache, NULL);
	assert(kmem_cache_nr_tallocated(test_cache) == 5);

	test_cache2 = harness_kmem_cache_create("test_cache2", 128, 128, HARNESS_SLAB_PANIC, NULL);
	assert(harness_kmem_cache_alloc_bulk(test_cache2, __GFP_DIRECT_RECLAIM, 10, list) == 10);
	test_bulk_objects_ok(test_cache2, list, 10, 128);
	harness_kmem_cache_free_bulk(test_cache2, 10, list);
	test_bulk_objects_ok(test_cache2, list, 0, 1);
}

/* slabinfo_active - slabinfo's active objects of the cache @name, or of every kmalloc cache. */
static unsigned long slabinfo_active(const char *slabinfo, const char *name, bool of_kmalloc)
{
	const char *line, *next;
	unsigned long sum = 0;

	for (line = slabinfo; line; line = next) {
		char cache[64];
		unsigned long active;

		next = strchr(line, '\n');
		if (next)
			next++;
		if (*line == '#' || sscanf(line, "%63s %lu", cache, &active) != 2)
			continue;
		if (of_kmalloc ? strncmp(cache, "kmalloc-", 8) == 0 : strcmp(cache, name) == 0)
			sum += active;
	}
	return sum;
}

/* harness_disagree - one count libkmm and the harness disagree on. */
static bool harness_disagree(const char *what, unsigned long kmm, unsigned long harness)
{
	if (kmm == harness)
		return false;
	fprintf(stderr, "radix-tree harness: %s: %lu in libkmm, %lu in the harness\n", what, kmm,
		harness);
	return true;
}

/*
 * harness_check_at_exit - libkmm's counts against the harness's (atexit, so before
 * any destructor).  Pending RCU frees are run and every CPU's arrays drained
 * first (drop_slab()), so that slabinfo's active objects are the live ones.
 */
static void harness_check_at_exit(void)
{
	unsigned int i, nr = __atomic_load_n(&nr_harness_caches, __ATOMIC_ACQUIRE);
	unsigned long live, kmalloc_live;
	char *slabinfo = NULL, what[96];
	size_t slabinfo_len;
	bool bad = false;
	FILE *out;
	int problems;

	drop_slab(); /* its rcu_barrier() also runs the frees the program left pending */
	live = (unsigned long)__atomic_load_n(&nr_allocated, __ATOMIC_RELAXED);
	kmalloc_live = __atomic_load_n(&kmalloc_nr_allocated, __ATOMIC_RELAXED);
	out = open_memstream(&slabinfo, &slabinfo_len);
	if (!out || kmm_show("slabinfo", out) != 0 || fclose(out) != 0)
		harness_fail("cannot read libkmm's slabinfo");
	for (i = 0; i < nr; i++) {
		struct harness_cache *hc = &harness_caches[i];
		const char *name = kmem_cache_name(hc->cache);

		snprintf(what, sizeof(what), "live objects of %s", name);
		bad |= harness_disagree(what, kmem_cache_live_objects(hc->cache), hc->nr_allocated);
		snprintf(what, sizeof(what), "slabinfo's active objects of %s", name);
		bad |= harness_disagree(what, slabinfo_active(slabinfo, name, false),
					hc->nr_allocated);
	}
	bad |= harness_disagree("live objects of every cache", kmm_live_objects(),
				live + kmalloc_live);
	bad |= harness_disagree("slabinfo's active objects of the kmalloc caches",
				slabinfo_active(slabinfo, NULL, true), kmalloc_live);
	free(slabinfo);
	problems = kmm_validate_all();
	if (problems) {
		fprintf(stderr, "radix-tree harness: kmm_validate_all() found %d problems\n",
			problems);
		bad = true;
	}
	if (bad) {
		fprintf(stderr, "radix-tree harness: FAILED: libkmm's counts disagree with the "
				"harness's, or its caches are damaged\n");
		fflush(NULL);
		_exit(EXIT_FAILURE);
	}
	printf("radix-tree harness: libkmm agrees: %lu objects from libkmm in all, %lu live in "
	       "%u caches (nr_allocated %d) and %lu kmalloc, kmm_validate_all() clean\n",
	       __atomic_load_n(&harness_nr_objects, __ATOMIC_RELAXED), live, nr, nr_allocated,
	       kmalloc_live);
}

/* harness_boot - boot the machine before main() and check the counts at exit. */
__attribute__((constructor)) static void harness_boot(void)
{
	const char *extra = getenv("KMM_CMDLINE");
	char cmdline[512];
	int ret;

	/* line by line, so that what a run printed before an abort is in its log */
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(cmdline, sizeof(cmdline), "%s %s", HARNESS_CMDLINE, extra ? extra : "");
	ret = kmm_init(cmdline);
	if (ret)
		harness_fail("kmm_init(\"%s\"): %s", cmdline, strerror(-ret));
	printf("radix-tree harness: libkmm booted with \"%s\"\n", cmdline);
	atexit(harness_check_at_exit);
}
