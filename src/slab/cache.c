/* SPDX-License-Identifier: MIT */
/*
 * slab/cache.c - caches: creation (object layout, slab order, colouring),
 * destruction, shrinking, tunables, periodic reaping, /proc/slabinfo, the
 * snapshot of the cache list for the physmap, and the slab allocator's
 * reports.
 *
 * The numbers are SLAB's: calculate_slab_order() accepts an order when the
 * space left over is at most 1/8 of the slab (orders above slab_max_order=,
 * by default 1 on machines above 32 MiB, only when an object needs them); array limits by
 * object size from enable_cpucache() (120/54/24/8/1, batch (limit+1)/2,
 * shared 8); cache_reap() every 2 seconds returns a fifth of the objects of
 * arrays not used since the last pass, and free slabs the node did not use.
 *
 * Locking: slab_mutex protects slab_caches and every cache's tunables and
 * refcount; see slab.h for the order.  slab_caches_snapshot() (the physmap's
 * copy of the cache list) takes slab_mutex alone.  Work on other CPUs' arrays is done holding
 * those CPUs, by kmm_on_each_cpu(); a drain of a node's lists without
 * slab_mutex is a batch (slab.h), which fork waits for.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <urcu.h>

#include "boot/machine.h"
#include "boot/subsys.h"
#include "buddy/internal.h"
#include "fault/fault_inject.h"
#include "report/report.h"
#include "slab/slab.h"
#include "sync/kthread.h"

LIST_HEAD(slab_caches);
pthread_mutex_t slab_mutex = PTHREAD_MUTEX_INITIALIZER;

/*
 * Descriptors of destroyed caches, kept (on s->list, under slab_mutex) for
 * the next creation, so that a stale pointer finds a dead descriptor (every
 * CPU array not made, self saying dead) rather than memory reused for
 * anything else; beyond DEAD_CACHES_MAX the oldest goes back to the page
 * allocator, and drop_slab() gives them all back.
 */
static LIST_HEAD(dead_caches);
static unsigned int nr_dead_caches;
#define DEAD_CACHES_MAX	   64
#define cache_dead_mark(s) ((struct kmem_cache *)~(unsigned long)(s))

/*
 * Descriptors, as the kernel's kmem_cache cache: the first cache made is
 * "kmem_cache", whose descriptor is pages of the library's own (slab.c,
 * slab_descriptor_bytes (kmem_cache_bytes(): cpu_array[] up to nr_cpu_ids,
 * then the online nodes' lists), a cache line aligned.  Seven fit in a page
 * on a machine of 2 CPUs and one node, where a descriptor of NR_CPUS array
 * pointers and MAX_NUMNODES lists took a page of its own.  It is a SLAB_OWN cache: a
 * program's kfree() of a descriptor is refused, and slub_debug= does not
 * change its layout (SLAB_NO_USER_FLAGS), which slab_cache_live() checks.
 * Both set under slab_mutex as the boot makes the first cache; the
 * machine's teardown forgets the cache.
 */
struct kmem_cache *kmem_cache_cachep;
size_t slab_descriptor_bytes;

#define REAPTIMEOUT_SEC 2

void slab_report(const char *call, const struct kmem_cache *s, const void *obj, const char *what)
{
	kmm_report("%s: %s: %s (object %p), refused", call, s ? s->name : "(null)", what, obj);
}

bool slab_cache_check(const char *call, const struct kmem_cache *s)
{
	if (kmm_likely(slab_cache_live(s)))
		return true;
	if (no_cache(s))
		kmm_report("%s: %s cache, refused", call, s ? "unmade kmalloc" : "NULL");
	else if (slab_descriptor_page(s) && s->self == cache_dead_mark(s))
		kmm_report("%s: cache %p was destroyed (it was %.63s), refused", call, (void *)s,
			   s->name_buf);
	else
		kmm_report("%s: %p is not a cache, refused", call, (void *)s);
	return false;
}

/* The alignment objects get: the caller's, a word at least, cache lines if asked. */
static unsigned int calculate_alignment(slab_flags_t flags, unsigned int align, unsigned int size)
{
	if (flags & SLAB_HWCACHE_ALIGN) {
		unsigned int ralign = CACHE_LINE_SIZE;

		while (size <= ralign / 2)
			ralign /= 2;
		if (ralign > align)
			align = ralign;
	}
	if (align < sizeof(void *))
		align = sizeof(void *);
	return align;
}

/*
 * Objects of @s fitting a slab of @order, with their freelist; the bytes left
 * over.  The freelist (an index and a free bit per object) goes in the head
 * page for up to 4 objects; else, as the kernel's OBJFREELIST_SLAB, inside a free object when
 * one can hold it and free objects are not precious (no constructor, no RCU
 * readers after the free); else at the end of the slab.
 */
static unsigned int cache_estimate(const struct kmem_cache *s, unsigned int order,
				   unsigned int *freelist, unsigned int *left_over, bool *in_object)
{
	unsigned long slab_size = PAGE_SIZE << order;
	unsigned long num = slab_size / s->size;
	bool obj_ok = !s->ctor && !s->bypass_arrays && !(s->flags & SLAB_TYPESAFE_BY_RCU);

	*freelist = 0;
	*in_object = false;
	if (num > SLAB_OBJ_MAX_NUM)
		num = SLAB_OBJ_MAX_NUM;
	if (num > SLAB_INLINE_FREELIST_MAX) {
		if (obj_ok && SLAB_OBJ_FREELIST_OFFSET + slab_freelist_bytes(num) <= s->size) {
			*in_object = true;
		} else {
			/* an index and a free bit per object at the end of the slab */
			num = slab_size * 8 / (s->size * 8UL + 8 * sizeof(unsigned short) + 1);
			if (num > SLAB_OBJ_MAX_NUM)
				num = SLAB_OBJ_MAX_NUM;
			/* rounded to keep the indices aligned */
			while (num * s->size + ((slab_freelist_bytes(num) + 1) & ~1UL) > slab_size)
				num--;
			*freelist = (unsigned int)((slab_freelist_bytes(num) + 1) & ~1UL);
		}
	}
	*left_over = (unsigned int)(slab_size - num * s->size - *freelist);
	return (unsigned int)num;
}

/*
 * slab_max_order= (the kernel's SLAB parameter): the highest order a slab may
 * take to waste less than 1/8 (-1, the default: 1 on machines above 32 MiB,
 * else 0).  A cache whose object needs more still gets it; the library's own
 * caches (SLAB_OWN) take the order that wastes less than 1/8 whatever it is.
 */
static long param_slab_max_order;

static void calculate_slab_order(struct kmem_cache *s)
{
	unsigned int slab_max_order = param_slab_max_order >= 0 ? (unsigned int)param_slab_max_order
				      : totalram_pages() > ((32UL << 20) >> PAGE_SHIFT) ? 1
											: 0;
	unsigned int order, num, freelist, left;
	bool in_object;

	for (order = 0; order <= MAX_PAGE_ORDER; order++) {
		num = cache_estimate(s, order, &freelist, &left, &in_object);
		if (!num)
			continue;
		s->num = num;
		s->gfporder = order;
		s->freelist_size = freelist;
		s->obj_freelist = in_object;
		s->colour = left / s->colour_off + 1;
		if (s->flags & SLAB_RECLAIM_ACCOUNT)
			break;
		/*
		 * The library's own caches pack their objects whatever the order:
		 * the descriptors' objects grow with the CPUs (16 KiB and more
		 * with 256 of them, which an order-3 slab would hold one of).
		 */
		if (order >= slab_max_order && !(s->flags & SLAB_OWN))
			break;
		if (left * 8 <= (PAGE_SIZE << order))
			break;
	}
}

/* The inverse of @size's odd part modulo 2^64, for kmem_cache_obj_ok(). */
static void set_obj_inverse(struct kmem_cache *s)
{
	unsigned int shift = (unsigned int)__builtin_ctz(s->size);
	unsigned long odd = s->size >> shift, inv = odd;
	int i;

	for (i = 0; i < 6; i++)
		inv *= 2 - odd * inv;
	s->obj_inverse = inv;
	s->obj_shift = shift;
}

/* The kernel's enable_cpucache() defaults. */
static void default_tunables(struct kmem_cache *s)
{
	unsigned int limit;

	if (s->size > 131072)
		limit = 1;
	else if (s->size > PAGE_SIZE)
		limit = 8;
	else if (s->size > 1024)
		limit = 24;
	else if (s->size > 256)
		limit = 54;
	else
		limit = 120;
	s->limit = limit;
	s->batchcount = (limit + 1) / 2;
	s->shared = (s->size <= PAGE_SIZE && num_online_cpus() > 1 && !s->bypass_arrays) ? 8 : 0;
}

/*
 * setup_node_shared - (re)size the nodes' shared arrays: the old ones are
 * emptied and freed; the new ones are made by the first flush that would use
 * them (make_node_shared()), so a cache never freed to costs none.
 */
static void setup_node_shared(struct kmem_cache *s)
{
	int nid;

	for (nid = 0; nid < kmm_nr_online_nodes; nid++) {
		struct kmem_cache_node *n = &s->node[nid];
		struct array_cache *old;
		LIST_HEAD(list);

		slab_batch_begin();
		node_lock(n);
		old = n->shared;
		if (old)
			free_block(s, old->entry, (int)ac_avail(old), nid, &list);
		n->shared = NULL;
		n->free_limit = (1 + num_online_cpus()) * s->batchcount + s->num;
		node_unlock(n);
		slabs_destroy(s, &list);
		slab_batch_end();
		if (old)
			free_shared_array(old);
	}
}

static void reaper_start(void);

/*
 * cache_wants_bypass - must every allocation and free of @s take the slow
 * path?  Debugging caches and the library's own do, and every cache while objects are zeroed
 * (init_on_alloc/init_on_free) or Valgrind's memcheck watches; and while
 * failslab is active, every cache it may fail (all of them, or with
 * cache-filter=Y those with SLAB_FAILSLAB).
 */
static bool cache_wants_bypass(const struct kmem_cache *s)
{
	return (s->flags & (SLAB_DEBUG_FLAGS | SLAB_OWN)) || mem_init_on_alloc() ||
	       mem_init_on_free() || slab_under_memcheck ||
	       (failslab_active() && failslab_cache_candidate(s));
}

/* init_cache - lay out the cache @s, a zeroed descriptor, and make it live. */
static void init_cache(struct kmem_cache *s, const char *name, unsigned int size,
		       unsigned int align, slab_flags_t flags, unsigned int useroffset,
		       unsigned int usersize, void (*ctor)(void *))
{
	int nid;

	s->object_size = size;
	/* SLAB_NO_USER_FLAGS: slub_debug= does not apply, as in the kernel's kmem_cache_flags() */
	s->flags = (flags & SLAB_NO_USER_FLAGS) ? flags : slab_debug_flags(name, flags);
	s->ctor = ctor;
	s->bypass_arrays = cache_wants_bypass(s);
	s->useroffset = useroffset;
	s->usersize = usersize;
	s->align = calculate_alignment(flags, align, size);
	s->size = (size + s->align - 1) & ~(s->align - 1);
	slab_debug_layout(s);
	s->colour_off = s->align > CACHE_LINE_SIZE ? s->align : CACHE_LINE_SIZE;
	if (flags & SLAB_CACHE_DMA)
		s->allocflags |= GFP_DMA;
	if (flags & SLAB_CACHE_DMA32)
		s->allocflags |= GFP_DMA32;
	if (flags & SLAB_RECLAIM_ACCOUNT)
		s->allocflags |= __GFP_RECLAIMABLE;
	calculate_slab_order(s);
	set_obj_inverse(s);
	default_tunables(s);
	snprintf(s->name_buf, sizeof(s->name_buf), "%s", name);
	s->name = s->name_buf;
	s->refcount = 1;
	s->node = (struct kmem_cache_node *)((char *)s + kmem_cache_node_offset());
	for (nid = 0; nid < kmm_nr_online_nodes; nid++) {
		struct kmem_cache_node *n = &s->node[nid];

		kmm_lock_init(&n->list_lock);
		INIT_LIST_HEAD(&n->slabs_partial);
		INIT_LIST_HEAD(&n->slabs_full);
		INIT_LIST_HEAD(&n->slabs_free);
	}
	setup_node_shared(s);
	__atomic_store_n(&s->self, s, __ATOMIC_RELEASE);
}

/*
 * descriptor_alloc - a zeroed descriptor (slab_mutex held): an object of
 * kmem_cache_cachep, made first if it is not there yet.
 */
static struct kmem_cache *descriptor_alloc(void)
{
	struct kmem_cache *s;
	bool nofault;

	if (!kmem_cache_cachep) {
		slab_descriptor_bytes = kmem_cache_bytes();
		s = slab_own_alloc(slab_descriptor_bytes, GFP_KERNEL | __GFP_ZERO);
		if (!s)
			return NULL;
		init_cache(s, "kmem_cache", (unsigned int)slab_descriptor_bytes, CACHE_LINE_SIZE,
			   SLAB_OWN | SLAB_NO_USER_FLAGS, 0, 0, NULL);
		s->refcount = -1; /* as a boot cache: never destroyed */
		list_add(&s->list, &slab_caches);
		kmem_cache_cachep = s;
	}
	/* the library's bookkeeping, not the program's: no fault injection */
	nofault = memalloc_nofault_save();
	s = kmem_cache_alloc(kmem_cache_cachep, GFP_KERNEL | __GFP_ZERO);
	memalloc_nofault_restore(nofault);
	return s;
}

/* descriptor_free - give back a descriptor of descriptor_alloc()'s. */
static void descriptor_free(struct kmem_cache *s)
{
	kmem_cache_free_own(kmem_cache_cachep, s);
}

static struct kmem_cache *create_cache(const char *name, unsigned int size, unsigned int align,
				       slab_flags_t flags, unsigned int useroffset,
				       unsigned int usersize, void (*ctor)(void *))
{
	struct kmem_cache *s;

	/* slab_mutex held: a destroyed cache's descriptor first */
	if (!list_empty(&dead_caches)) {
		s = list_first_entry(&dead_caches, struct kmem_cache, list);
		list_del(&s->list);
		nr_dead_caches--;
		memset(s, 0, slab_descriptor_bytes);
	} else {
		s = descriptor_alloc();
	}
	if (s)
		init_cache(s, name, size, align, flags, useroffset, usersize, ctor);
	return s;
}

/* shown_name - @name for a report line: at most 63 bytes, control characters as \xNN. */
static void shown_name(const char *name, char *buf, size_t len)
{
	size_t used = 0;
	int i;

	if (!name) {
		snprintf(buf, len, "(null)");
		return;
	}
	for (i = 0; name[i] && i < 63 && used + 5 < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c < ' ' || c == 0x7f)
			used += (size_t)snprintf(buf + used, len - used, "\\x%02x", c);
		else
			buf[used++] = (char)c;
	}
	buf[used] = '\0';
}

static bool is_power_of_2(unsigned int n)
{
	return n && !(n & (n - 1));
}

struct kmem_cache *kmem_cache_create_usercopy(const char *name, unsigned int size,
					      unsigned int align, slab_flags_t flags,
					      unsigned int useroffset, unsigned int usersize,
					      void (*ctor)(void *))
{
	const char *why = NULL, *c;
	char shown[64 * 4 + 1], bad_flags[64];
	struct kmem_cache *s = NULL;

	for (c = name; c && *c && (unsigned char)*c > ' ' && *c != 0x7f; c++)
		;
	snprintf(bad_flags, sizeof(bad_flags), "flags %#x outside SLAB_FLAGS_PERMITTED",
		 flags & ~SLAB_FLAGS_PERMITTED);
	if (!name)
		why = "no name";
	else if (*c || !*name)
		why = "name is empty or has a control character or white space";
	else if (!size)
		why = "size 0";
	else if (size > KMALLOC_MAX_SIZE)
		why = "size above KMALLOC_MAX_SIZE";
	else if (align && !is_power_of_2(align))
		why = "align is not a power of two";
	else if (((unsigned long)size + align - 1) / (align ? align : 1) * align > KMALLOC_MAX_SIZE)
		why = "size aligned to align above KMALLOC_MAX_SIZE";
	else if (flags & ~SLAB_FLAGS_PERMITTED)
		why = bad_flags;
	else if (useroffset > size || usersize > size - useroffset)
		why = "usercopy region outside the object";
	/* boot first: making the kmalloc caches takes slab_mutex too */
	if (!why && !kmm_booted() && kmm_boot_default() != 0)
		why = "no machine (boot failed)";
	/*
	 * Its slabs go back through call_rcu(), and a process's first call_rcu()
	 * takes liburcu's call_rcu_mutex to start the call_rcu thread.  Fork holds
	 * that mutex while it waits for every CPU and for the batches in flight,
	 * and a thread holding either may be destroying a slab: the thread is
	 * started now, before slab_mutex.
	 */
	if (!why && (flags & SLAB_TYPESAFE_BY_RCU))
		(void)get_default_call_rcu_data();
	if (!why) {
		kmm_mutex_lock(&slab_mutex);
		s = create_cache(name, size, align, flags, useroffset, usersize, ctor);
		if (s)
			list_add(&s->list, &slab_caches);
		pthread_mutex_unlock(&slab_mutex);
		if (!s)
			why = "out of memory";
		else
			reaper_start();
	}
	if (why) {
		shown_name(name, shown, sizeof(shown));
		if (flags & SLAB_PANIC) {
			kmm_report_begin();
			kmm_pr("kmem_cache_create: Failed to create slab '%s'. Error %s\n", shown,
			       why);
			kmm_pr("Kernel panic - not syncing: SLAB_PANIC\n");
			kmm_report_end(false);
			abort();
		}
		kmm_report("kmem_cache_create(%s): %s (size %u, align %u), refused", shown, why,
			   size, align);
	}
	return s;
}

struct kmem_cache *kmem_cache_create_own(const char *name, unsigned int size)
{
	struct kmem_cache *s;

	kmm_mutex_lock(&slab_mutex);
	s = create_cache(name, size, 0, SLAB_OWN, 0, 0, NULL);
	if (s) {
		s->refcount = -1; /* as a boot cache: kmem_cache_destroy() ignores it */
		list_add(&s->list, &slab_caches);
	}
	pthread_mutex_unlock(&slab_mutex);
	if (s)
		reaper_start();
	return s;
}

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size, unsigned int align,
				     slab_flags_t flags, void (*ctor)(void *))
{
	return kmem_cache_create_usercopy(name, size, align, flags, 0, 0, ctor);
}

unsigned int kmem_cache_size(struct kmem_cache *s)
{
	return s->object_size;
}

const char *kmem_cache_name(struct kmem_cache *s)
{
	return s->name;
}

/* On each CPU: give back (and free) the CPU's array of the cache @info. */
static void release_array_on_cpu(struct kmm_cpu *cpu, void *info)
{
	struct kmem_cache *s = info;
	struct array_cache *ac = &s->cpu_array[cpu->id];

	if (ac->entry)
		release_cpu_array(cpu, ac);
}

/* Does @cpu hold an array of the cache @info?  (A racy read of another CPU's pointer.) */
static bool cpu_has_array(struct kmm_cpu *cpu, void *info)
{
	struct kmem_cache *s = info;

	return __atomic_load_n(&s->cpu_array[cpu->id].entry, __ATOMIC_RELAXED) != NULL;
}

/*
 * Every CPU's array and the shared arrays of @s back to the slabs, the arrays
 * freed (the next use makes them again); then the free slabs.
 */
static void drain_cache(struct kmem_cache *s)
{
	int nid;

	kmm_on_each_cpu_cond(cpu_has_array, release_array_on_cpu, s);
	setup_node_shared(s);
	for (nid = 0; nid < kmm_nr_online_nodes; nid++)
		drain_freelist(s, &s->node[nid], INT32_MAX);
}

static bool cache_has_objects(struct kmem_cache *s)
{
	int nid;

	for (nid = 0; nid < kmm_nr_online_nodes; nid++)
		if (s->node[nid].total_slabs)
			return true;
	return false;
}

int kmem_cache_shrink(struct kmem_cache *s)
{
	int ret;

	if (no_cache(s) || !slab_cache_check("kmem_cache_shrink", s))
		return 0;
	drain_cache(s);
	kmm_mutex_lock(&slab_mutex);
	ret = cache_has_objects(s) ? 1 : 0;
	pthread_mutex_unlock(&slab_mutex);
	return ret;
}

void kmem_cache_destroy(struct kmem_cache *s)
{
	int nid;

	if (no_cache(s) || !slab_cache_check("kmem_cache_destroy", s))
		return;
	kmm_mutex_lock(&slab_mutex);
	if (s->refcount < 0) {
		pthread_mutex_unlock(&slab_mutex);
		kmm_report("kmem_cache_destroy %s: a boot cache, ignored", s->name);
		return;
	}
	if (--s->refcount > 0) {
		pthread_mutex_unlock(&slab_mutex);
		return;
	}
	pthread_mutex_unlock(&slab_mutex);
	drain_cache(s);
	kmm_mutex_lock(&slab_mutex);
	if (cache_has_objects(s)) {
		/* kfree_rcu()s in flight may hold them: wait, as the kernel's kvfree_rcu_barrier() */
		pthread_mutex_unlock(&slab_mutex);
		rcu_barrier();
		drain_cache(s);
		kmm_mutex_lock(&slab_mutex);
	}
	if (cache_has_objects(s)) {
		s->refcount++;
		pthread_mutex_unlock(&slab_mutex);
		slab_report_destroy_busy(s, kmem_cache_live_objects(s));
		return;
	}
	list_del(&s->list);
	__atomic_store_n(&s->self, cache_dead_mark(s), __ATOMIC_RELEASE);
	pthread_mutex_unlock(&slab_mutex);
	if (s->flags & SLAB_TYPESAFE_BY_RCU)
		rcu_barrier();
	for (nid = 0; nid < kmm_nr_online_nodes; nid++) {
		if (s->node[nid].shared)
			free_shared_array(s->node[nid].shared);
		s->node[nid].shared = NULL;
	}
	/* every CPU array is unmade again: a stale pointer's fast paths fall through */
	kmm_mutex_lock(&slab_mutex);
	list_add_tail(&s->list, &dead_caches);
	if (++nr_dead_caches > DEAD_CACHES_MAX) {
		struct kmem_cache *oldest = list_first_entry(&dead_caches, struct kmem_cache, list);

		list_del(&oldest->list);
		nr_dead_caches--;
		descriptor_free(oldest);
	}
	pthread_mutex_unlock(&slab_mutex);
}

unsigned long kmem_cache_live_objects(struct kmem_cache *s)
{
	unsigned long held = 0, free = 0;
	int nid, cpu;

	if (no_cache(s) || !slab_cache_check("kmem_cache_live_objects", s))
		return 0;
	for (nid = 0; nid < kmm_nr_online_nodes; nid++) {
		struct kmem_cache_node *n = &s->node[nid];

		node_lock(n);
		held += n->total_slabs * s->num;
		free += n->free_objects + (n->shared ? ac_avail(n->shared) : 0);
		node_unlock(n);
	}
	/* objects in CPU arrays are free too: a racy read of other CPUs' counts */
	for (cpu = 0; cpu < (int)nr_cpu_ids; cpu++)
		free += ac_avail_racy(&s->cpu_array[cpu]);
	return held > free ? held - free : 0;
}

unsigned long kmm_live_objects(void)
{
	struct kmem_cache *s;
	unsigned long sum = 0;

	if (!kmm_booted())
		return 0;
	kmm_mutex_lock(&slab_mutex);
	/* the library's own caches (descriptors, vmalloc's bookkeeping) are not a program's */
	list_for_each_entry(s, &slab_caches, list) {
		if (!(s->flags & SLAB_OWN))
			sum += kmem_cache_live_objects(s);
	}
	pthread_mutex_unlock(&slab_mutex);
	return sum;
}

/* free_dead_caches - give every kept descriptor of a destroyed cache back. */
static void free_dead_caches(void)
{
	kmm_mutex_lock(&slab_mutex);
	while (!list_empty(&dead_caches)) {
		struct kmem_cache *s = list_first_entry(&dead_caches, struct kmem_cache, list);

		list_del(&s->list);
		descriptor_free(s);
	}
	nr_dead_caches = 0;
	pthread_mutex_unlock(&slab_mutex);
}

void drop_slab(void)
{
	struct kmem_cache *s;

	if (!kmm_booted())
		return;
	rcu_barrier(); /* kfree_rcu() objects and SLAB_TYPESAFE_BY_RCU slabs first */
	/* the kept descriptors first: kmem_cache_cachep's slabs they free go with the drain */
	free_dead_caches();
	kmm_mutex_lock(&slab_mutex);
	list_for_each_entry(s, &slab_caches, list) {
		drain_cache(s);
	}
	pthread_mutex_unlock(&slab_mutex);
}

int kmem_cache_tune(struct kmem_cache *s, unsigned int limit, unsigned int batchcount,
		    unsigned int shared)
{
	if (no_cache(s) || !slab_cache_check("kmem_cache_tune", s) || !limit || !batchcount ||
	    batchcount > limit || limit > 4096 || shared > 64)
		return -EINVAL;
	kmm_mutex_lock(&slab_mutex);
	s->limit = limit;
	s->batchcount = batchcount;
	s->shared = shared;
	pthread_mutex_unlock(&slab_mutex);
	/* New arrays are made with the new sizes at each CPU's next use. */
	kmm_on_each_cpu_cond(cpu_has_array, release_array_on_cpu, s);
	kmm_mutex_lock(&slab_mutex);
	setup_node_shared(s);
	pthread_mutex_unlock(&slab_mutex);
	return 0;
}

/* cache_bypass_update - slab_bypass_update() of one cache; slab_mutex held. */
static void cache_bypass_update(struct kmem_cache *s)
{
	bool bypass = cache_wants_bypass(s);

	if (bypass == s->bypass_arrays)
		return;
	__atomic_store_n(&s->bypass_arrays, bypass, __ATOMIC_RELAXED);
	if (bypass)
		kmm_on_each_cpu_cond(cpu_has_array, release_array_on_cpu, s);
}

/*
 * slab_bypass_update - after failslab was switched on or off: caches that
 * must now bypass their CPU arrays give them back on every CPU, the others
 * make them again at their next use.
 */
static void slab_bypass_update(void)
{
	struct kmem_cache *s;

	kmm_mutex_lock(&slab_mutex);
	list_for_each_entry(s, &slab_caches, list) {
		cache_bypass_update(s);
	}
	pthread_mutex_unlock(&slab_mutex);
}

/*
 * The attribute files of /sys/kernel/slab/<cache>/ that may be written:
 * "failslab" (the kernel's failslab_show()/failslab_store()).  The flag is
 * changed under slab_mutex, and the cache's fast path follows it at once
 * (cache_bypass_update()) when failslab is active with cache-filter=Y.
 */
int kmem_cache_attr_set(struct kmem_cache *s, const char *attr, const char *value)
{
	if (!slab_cache_check("kmem_cache_attr_set", s))
		return -EINVAL;
	if (!attr || strcmp(attr, "failslab"))
		return -ENOENT;
	if (!value || !*value)
		return -EINVAL;
	kmm_mutex_lock(&slab_mutex);
	if (s->refcount > 1) {
		pthread_mutex_unlock(&slab_mutex);
		return -EINVAL;
	}
	if (value[0] == '1')
		__atomic_store_n(&s->flags, s->flags | SLAB_FAILSLAB, __ATOMIC_RELAXED);
	else
		__atomic_store_n(&s->flags, s->flags & ~SLAB_FAILSLAB, __ATOMIC_RELAXED);
	cache_bypass_update(s);
	pthread_mutex_unlock(&slab_mutex);
	return 0;
}

int kmem_cache_attr_get(struct kmem_cache *s, const char *attr, char *buf, size_t len)
{
	if (!slab_cache_check("kmem_cache_attr_get", s))
		return -EINVAL;
	if (!attr || strcmp(attr, "failslab"))
		return -ENOENT;
	if (!buf || len < 2)
		return -EINVAL;
	snprintf(buf, len, "%d", !!(__atomic_load_n(&s->flags, __ATOMIC_RELAXED) & SLAB_FAILSLAB));
	return 0;
}

/* The drain hook (the step KMM_CPU_SLAB): every array of the CPU back to the nodes. */
static void slab_drain_cpu(struct kmm_cpu *cpu)
{
	while (!list_empty(&cpu->slab_arrays))
		release_cpu_array(
			cpu, list_first_entry(&cpu->slab_arrays, struct array_cache, cpu_list));
}

/*
 * Reaping, the kernel's cache_reap(): on each CPU, an array not used since the
 * last pass gives back a fifth of its limit; then each node's shared array the
 * same, and free slabs the node did not use go back to the page allocator.
 * Unlike the kernel, an array found empty and unused is freed, so that a CPU
 * gone idle holds no arrays and the reaper stops taking it over.
 */
static void reap_cpu(struct kmm_cpu *cpu, void *info)
{
	struct array_cache *ac, *next;

	(void)info;
	list_for_each_entry_safe(ac, next, &cpu->slab_arrays, cpu_list) {
		if (ac->touched)
			ac->touched = 0;
		else if (ac_avail(ac))
			drain_array_objects(ac->cache, ac, cpu->node, (int)(ac->limit + 4) / 5);
		else
			release_cpu_array(cpu, ac);
	}
}

/* Does @cpu hold any array?  (A racy read of another CPU's list head.) */
static bool cpu_has_arrays(struct kmm_cpu *cpu, void *info)
{
	(void)info;
	return __atomic_load_n(&cpu->slab_arrays.next, __ATOMIC_RELAXED) != &cpu->slab_arrays;
}

static void reap_nodes(void)
{
	struct kmem_cache *s;
	int nid;

	kmm_mutex_lock(&slab_mutex);
	list_for_each_entry(s, &slab_caches, list) {
		for (nid = 0; nid < kmm_nr_online_nodes; nid++) {
			struct kmem_cache_node *n = &s->node[nid];
			struct array_cache *shared = n->shared;
			LIST_HEAD(list);
			int tofree = 0;

			node_lock(n);
			if (shared && shared->touched) {
				shared->touched = 0;
			} else if (shared && ac_avail(shared)) {
				int nr = (int)(shared->limit + 4) / 5;

				if (nr > (int)ac_avail(shared))
					nr = (int)ac_avail(shared);
				free_block(s, shared->entry, nr, nid, &list);
				memmove(shared->entry, shared->entry + nr,
					sizeof(void *) * (ac_avail(shared) - (unsigned int)nr));
				ac_set_avail(shared, ac_avail(shared) - (unsigned int)nr);
			}
			if (n->free_touched)
				n->free_touched = 0;
			else
				tofree = (int)((n->free_limit + 5 * s->num - 1) / (5 * s->num));
			node_unlock(n);
			slabs_destroy(s, &list);
			if (tofree)
				drain_freelist(s, n, tofree);
		}
	}
	pthread_mutex_unlock(&slab_mutex);
}

/* kmm_slab_reap - one reap pass now (the reaper thread does one every 2 s). */
void kmm_slab_reap(void)
{
	if (!kmm_booted())
		return;
	kmm_on_each_cpu_cond(cpu_has_arrays, reap_cpu, NULL);
	reap_nodes();
}

static struct {
	pthread_t thread;
	bool running, stop;
	pthread_mutex_t lock;
	pthread_cond_t wake;
} reaper = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

static void *reaper_main(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "cache_reap");
	pthread_mutex_lock(&reaper.lock);
	while (!reaper.stop) {
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += REAPTIMEOUT_SEC;
		pthread_cond_timedwait(&reaper.wake, &reaper.lock, &until);
		if (reaper.stop)
			break;
		pthread_mutex_unlock(&reaper.lock);
		kmm_slab_reap();
		pthread_mutex_lock(&reaper.lock);
	}
	pthread_mutex_unlock(&reaper.lock);
	return NULL;
}

static void reaper_start(void)
{
	pthread_mutex_lock(&reaper.lock);
	if (!reaper.running && !reaper.stop)
		reaper.running = kmm_kthread_create(&reaper.thread, reaper_main, NULL, 0) == 0;
	pthread_mutex_unlock(&reaper.lock);
}

/*
 * Under ASan, the free objects of the slabs left at kmm_exit() are poisoned:
 * make them addressable again, since the next machine's memory may be mapped
 * at the same address.  slab_mutex held.
 */
static void slabs_unpoison_all(void)
{
	struct kmem_cache *s;
	struct page *page;
	int nid;

	list_for_each_entry(s, &slab_caches, list) {
		for (nid = 0; nid < kmm_nr_online_nodes; nid++) {
			struct kmem_cache_node *n = &s->node[nid];
			struct list_head *lists[] = {&n->slabs_full, &n->slabs_partial,
						     &n->slabs_free};
			unsigned int i;

			for (i = 0; i < 3; i++)
				list_for_each_entry(page, lists[i], lru) {
					kmm_asan_unpoison(page_address(page),
							  PAGE_SIZE << s->gfporder);
				}
		}
	}
}

/* At teardown, the machine still running: the reaper stops, RCU frees in flight end. */
static void slab_stop(void)
{
	pthread_mutex_lock(&reaper.lock);
	reaper.stop = true;
	pthread_cond_broadcast(&reaper.wake);
	pthread_mutex_unlock(&reaper.lock);
	if (reaper.running)
		pthread_join(reaper.thread, NULL);
	reaper.running = false;
	reaper.stop = false;
	rcu_barrier();
}

/* Then: forget the caches (their memory goes with the machine). */
static void slab_exit(void)
{
	kmm_mutex_lock(&slab_mutex);
	if (__asan_unpoison_memory_region)
		slabs_unpoison_all();
	INIT_LIST_HEAD(&slab_caches);
	INIT_LIST_HEAD(&dead_caches);
	nr_dead_caches = 0;
	kmem_cache_cachep = NULL;
	pthread_mutex_unlock(&slab_mutex);
}

/* /proc/slabinfo, version 2.1. */
static void show_slabinfo(FILE *out)
{
	struct kmem_cache *s;

	fprintf(out, "slabinfo - version: 2.1\n");
	fprintf(out, "# name            <active_objs> <num_objs> <objsize> <objperslab> "
		     "<pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata "
		     "<active_slabs> <num_slabs> <sharedavail>\n");
	kmm_mutex_lock(&slab_mutex);
	list_for_each_entry(s, &slab_caches, list) {
		unsigned long total_slabs = 0, free_slabs = 0, free_objs = 0, shared_avail = 0;
		unsigned long num_objs;
		int nid;

		for (nid = 0; nid < kmm_nr_online_nodes; nid++) {
			struct kmem_cache_node *n = &s->node[nid];

			node_lock(n);
			total_slabs += n->total_slabs;
			free_slabs += n->free_slabs;
			free_objs += n->free_objects;
			if (n->shared)
				shared_avail += ac_avail(n->shared);
			node_unlock(n);
		}
		num_objs = total_slabs * s->num;
		fprintf(out, "%-17s %6lu %6lu %6u %4lu %4d", s->name, num_objs - free_objs,
			num_objs, s->size, s->num, 1 << s->gfporder);
		fprintf(out, " : tunables %4u %4u %4u", s->limit, s->batchcount, s->shared);
		fprintf(out, " : slabdata %6lu %6lu %6lu\n", total_slabs - free_slabs, total_slabs,
			shared_avail);
	}
	pthread_mutex_unlock(&slab_mutex);
}

unsigned long slab_caches_snapshot(struct kmem_cache_snapshot *snap, unsigned long max)
{
	const struct kmem_cache *s;
	unsigned long nr = 0;

	kmm_mutex_lock(&slab_mutex);
	list_for_each_entry(s, &slab_caches, list) {
		if (nr < max) {
			snap[nr].cachep = s;
			snprintf(snap[nr].name, sizeof(snap[nr].name), "%s", s->name);
		}
		nr++;
	}
	pthread_mutex_unlock(&slab_mutex);
	return nr;
}

/*
 * fork: liburcu's call_rcu threads pause between batches (KMM_FORK_RCU; they
 * free slab objects and slabs), slab_mutex is held (KMM_FORK_SLAB_MUTEX), and
 * every node's list_lock after every CPU is taken over
 * (KMM_FORK_NODE_LISTS).  The reaper thread does not exist in the child: the
 * slab_mutex step forgets it and KMM_FORK_THREADS starts a new one, last, if
 * the parent had one.
 */
static bool reaper_was_running;

static void slab_rcu_fork_child(void)
{
	call_rcu_after_fork_child();
}

static void slab_mutex_fork_prepare(void)
{
	kmm_mutex_lock(&slab_mutex);
}

static void slab_mutex_fork_parent(void)
{
	pthread_mutex_unlock(&slab_mutex);
}

static void slab_mutex_fork_child(void)
{
	pthread_mutex_init(&slab_mutex, NULL);
	pthread_mutex_init(&reaper.lock, NULL);
	pthread_cond_init(&reaper.wake, NULL);
	reaper_was_running = reaper.running && !reaper.stop;
	reaper.running = false;
	reaper.stop = false;
}

static void for_each_node_list_lock(void (*op)(kmm_lock_t *lock))
{
	struct kmem_cache *s;
	int nid;

	list_for_each_entry(s, &slab_caches, list) {
		for (nid = 0; nid < kmm_nr_online_nodes; nid++)
			op(&s->node[nid].list_lock);
	}
}

/*
 * The CPUs are held (KMM_FORK_CPUS comes first): no array changes now, no
 * batch begins (slab_batches_stop()), and those in flight end without
 * waiting for anything fork holds; once they have, the lists hold every free
 * object and no slab is being destroyed.
 */
static void node_lists_fork_prepare(void)
{
	slab_batches_stop();
	for_each_node_list_lock(kmm_lock);
}

static void node_lists_fork_parent(void)
{
	for_each_node_list_lock(kmm_unlock);
	slab_batches_resume(false);
}

static void node_lists_fork_child(void)
{
	for_each_node_list_lock(kmm_lock_init);
	slab_batches_resume(true);
}

static void reaper_fork_child(void)
{
	if (reaper_was_running)
		reaper_start();
}

static const struct kmm_fork_ops slab_fork_ops[] = {
	{KMM_FORK_THREADS, NULL, NULL, NULL, reaper_fork_child},
	{KMM_FORK_RCU, call_rcu_before_fork, NULL, call_rcu_after_fork_parent, slab_rcu_fork_child},
	{KMM_FORK_SLAB_MUTEX, slab_mutex_fork_prepare, NULL, slab_mutex_fork_parent,
	 slab_mutex_fork_child},
	{KMM_FORK_NODE_LISTS, node_lists_fork_prepare, NULL, node_lists_fork_parent,
	 node_lists_fork_child},
};

/* A CPU comes up with no arrays (the step KMM_CPU_SLAB); they are made at first use. */
static void slab_cpu_online(struct kmm_cpu *cpu)
{
	INIT_LIST_HEAD(&cpu->slab_arrays);
}

static const struct kmm_cpu_ops slab_cpu_ops = {
	.step = KMM_CPU_SLAB,
	.online = slab_cpu_online,
	.drain = slab_drain_cpu,
};

/* failslab switched: the caches it may fail leave their CPU arrays, or come back. */
static void slab_fault_switched(int cap)
{
	if (cap == FAULT_FAILSLAB)
		slab_bypass_update();
}

static const struct kmm_proc_file slab_proc[] = {
	{"slabinfo", show_slabinfo},
};

static const struct kmm_param slab_params[] = {
	KMM_PARAM_LONG_VAR("slab_max_order", param_slab_max_order, -1, -1, MAX_PAGE_ORDER - 1,
			   "-1 (1 above 32 MiB, else 0) or 0..9",
			   "the highest slab order taken to waste less than 1/8 of a slab"),
};

const struct kmm_subsys kmm_slab_subsys = {
	.name = "slab",
	KMM_SUBSYS_PARAMS(slab_params),
	.stop = slab_stop,
	.exit = slab_exit,
	KMM_SUBSYS_PROC(slab_proc),
	KMM_SUBSYS_FORK(slab_fork_ops),
	.cpu = &slab_cpu_ops,
	.fault_switched = slab_fault_switched,
};
