/* SPDX-License-Identifier: MIT */
/*
 * slab/slab.c - objects: growing and destroying slabs (and their entries in
 * the slab map, <kmm/mm.h>), refilling and flushing per-CPU arrays, the
 * allocation and free slow paths, bulk calls, the colour of the library's
 * own descriptors and arrays' entries, and the empty stand-in the fast paths
 * meet instead of a test: kmm_unmade_cache (a kmalloc slot with no cache,
 * every CPU's array of it not made).
 *
 * This is the kernel's SLAB: cache_alloc_refill() takes batchcount objects
 * from the node's shared array or its partial/free slabs (growing the cache
 * when both are empty); cache_flusharray() puts batchcount objects into the
 * shared array or back into their slabs (free_block()), and slabs left with
 * no object in use beyond the node's free_limit go back to the page
 * allocator.  SLAB_TYPESAFE_BY_RCU slabs go back only after an RCU grace
 * period (liburcu's call_rcu), while their objects may be reused at once.
 *
 * Locking: see slab.h.  A CPU's arrays are used out of line holding the CPU
 * (percpu/percpu.h); the node's list_lock is taken inside that, unless it is
 * taken already ("Short holds" below); page allocations that may sleep and
 * constructors run with no CPU and no lock held.
 */
#include <errno.h>
#include <urcu.h>

#include "buddy/internal.h"
#include "fault/fault_inject.h"
#include "report/report.h"
#include "slab/slab.h"

/* Refills of an array not used since the last reap take at most this many objects. */
#define BATCHREFILL_LIMIT 16

struct kmem_cache kmm_unmade_cache = {
	.name = "kmalloc-unmade",
};

static struct kmem_cache_node *get_node(struct kmem_cache *s, int node)
{
	return &s->node[node];
}

static void slab_account(struct kmem_cache *s, struct page *page, long nr)
{
	zone_stat_add(page_zone(page),
		      (s->flags & SLAB_RECLAIM_ACCOUNT) ? NR_ZONE_SLAB_RECL : NR_ZONE_SLAB_UNRECL,
		      nr);
}

/*
 * The free fast path's double-free check (__kmem_cache_push() in
 * <kmm/slab.h>) compares the object with top[-1] without testing for an
 * empty array first: then it reads entry[-1], which is set below to
 * the cache, never an object of it.  So an array's entries are stored after
 * one slot more, and entry points past it.
 */
#define ARRAY_SLOTS_BYTES(limit) ((1 + (size_t)(limit)) * sizeof(void *))
/*
 * Colour of the library's own slab structures.  Arrays' entries (and the
 * descriptor of the descriptors' cache, cache.c) are pages of their own; left at the
 * start of its page, the hot words of every one (an array's top entries)
 * would fall into the same sets of the CPU's L1
 * cache, which the address bits below the page size index, and a program
 * using more caches than the cache has ways would miss on each of them.  So,
 * as SLAB colours the objects of its slabs, each structure starts at the next
 * colour: a whole number of cache lines into its first page, within what its
 * last page leaves over (never a page more).
 */
static unsigned int slab_own_colour;

void *slab_own_alloc(size_t bytes, gfp_t gfp)
{
	size_t colours = (PAGE_ALIGN(bytes) - bytes) / CACHE_LINE_SIZE + 1;
	unsigned int next = __atomic_fetch_add(&slab_own_colour, 1, __ATOMIC_RELAXED);
	size_t colour = (next % colours) * CACHE_LINE_SIZE;
	bool nofault = memalloc_nofault_save();
	char *base = kmm_alloc_own_pages(bytes + colour, gfp);

	memalloc_nofault_restore(nofault);
	return base ? base + colour : NULL;
}

void slab_own_free(void *p, size_t bytes)
{
	size_t colour = (unsigned long)p & ~PAGE_MASK;

	kmm_free_own_pages((char *)p - colour, bytes + colour);
}

/*
 * Arrays' entries: the library's own pages, coloured (the kernel uses
 * kmalloc).  entry_slots_alloc() gives the entries of an array of @limit
 * objects of @s, entry[-1] holding @s; NULL without memory.
 */
static void **entry_slots_alloc(struct kmem_cache *s, unsigned int limit)
{
	void **slots = slab_own_alloc(ARRAY_SLOTS_BYTES(limit), GFP_NOWAIT | __GFP_NOWARN);

	if (!slots)
		return NULL;
	slots[0] = s;
	return slots + 1;
}

static void entry_slots_free(void **entry, unsigned int limit)
{
	slab_own_free(entry - 1, ARRAY_SLOTS_BYTES(limit));
}

/* init_array - @ac an empty array of @s with @entry for @limit objects. */
static void init_array(struct array_cache *ac, struct kmem_cache *s, void **entry,
		       unsigned int limit, unsigned int batch)
{
	ac->limit = limit;
	ac->batchcount = batch;
	ac->touched = 0;
	ac->cache = s;
	INIT_LIST_HEAD(&ac->cpu_list);
	/* the entries before the pointers into them, for racy readers (array_holds()) */
	__atomic_store_n(&ac->entry, entry, __ATOMIC_RELEASE);
	ac->top = entry;
	ac->end = entry + limit;
}

/* A node's shared array: the array and its entries in one allocation. */
struct array_cache *alloc_shared_array(struct kmem_cache *s, unsigned int limit)
{
	struct array_cache *ac =
		slab_own_alloc(sizeof(*ac) + ARRAY_SLOTS_BYTES(limit), GFP_NOWAIT | __GFP_NOWARN);
	void **slots;

	if (!ac)
		return NULL;
	slots = (void **)(ac + 1);
	slots[0] = s;
	init_array(ac, s, slots + 1, limit, 0xbaadf00d);
	return ac;
}

void free_shared_array(struct array_cache *ac)
{
	slab_own_free(ac, sizeof(*ac) + ARRAY_SLOTS_BYTES(ac->limit));
}

/*
 * free_object_hidden - @obj is free: poisoned for ASan (unless RCU readers may
 * still read it) and, in caches that bypass the arrays under Valgrind, no
 * longer addressable for memcheck.
 */
static void free_object_hidden(const struct kmem_cache *s, void *obj)
{
	if (!(s->flags & SLAB_TYPESAFE_BY_RCU))
		kmm_asan_poison(obj, s->object_size);
	if (s->bypass_arrays && slab_under_memcheck)
		VALGRIND_MAKE_MEM_NOACCESS(obj, s->object_size);
}

gfp_t slab_fix_gfp(const char *call, gfp_t flags)
{
	gfp_t invalid = flags & GFP_SLAB_BUG_MASK;
	char bad[128], fixed[256];

	flags &= ~GFP_SLAB_BUG_MASK;
	kmm_report("WARNING: %s: Unexpected gfp: %#x (%s). Fixing up to gfp: %#x (%s). "
		   "Fix your code!",
		   call, invalid, format_gfp(invalid, bad, sizeof(bad)), flags,
		   format_gfp(flags, fixed, sizeof(fixed)));
	return flags;
}

/*
 * slab_map_set - the slab map's entries of the @nr pages from @page: @s and
 * @first for a new slab, NULL and 0 for one going back.  Each is written
 * whole before the fast paths may see it (a new slab's objects are handed
 * out under list_lock, which orders it).
 */
static void slab_map_set(struct page *page, unsigned long nr, struct kmem_cache *s,
			 unsigned long first)
{
	struct kmm_slab_map_entry *e = kmm_slab_map + page_to_pfn(page);
	unsigned long i;

	for (i = 0; i < nr; i++)
		e[i] = (struct kmm_slab_map_entry){.cache = s, .first = first};
}

/* Growing: a new slab, its objects constructed, not yet on a list. */
static struct page *cache_grow_begin(struct kmem_cache *s, gfp_t gfp, int node)
{
	gfp_t page_gfp =
		(gfp & (GFP_KERNEL | GFP_ATOMIC | __GFP_NOWARN | __GFP_NORETRY | __GFP_NOFAIL |
			__GFP_RETRY_MAYFAIL | __GFP_MEMALLOC | __GFP_NOMEMALLOC | __GFP_THISNODE)) |
		s->allocflags;
	struct kmem_cache_node *n;
	struct page *page;
	unsigned long base, first, i, nr = 1UL << s->gfporder;
	unsigned int colour, idx;
	unsigned short *freelist;

	/* as the kernel's SLAB, checked when the cache grows, not on every allocation */
	if (kmm_unlikely(gfp & GFP_SLAB_BUG_MASK)) {
		char call[96];

		snprintf(call, sizeof(call), "kmem_cache_alloc(%s)", s->name);
		slab_fix_gfp(call, gfp);
	}
	if (s->gfporder)
		page_gfp |= __GFP_COMP;
	page = alloc_pages_node(node, page_gfp, s->gfporder);
	if (!page)
		return NULL;
	node = page_to_nid(page);
	n = get_node(s, node);
	node_lock(n);
	colour = n->colour_next;
	if (++n->colour_next >= s->colour)
		n->colour_next = 0;
	node_unlock(n);
	base = (unsigned long)page_address(page);
	first = base + colour * s->colour_off + s->red_left_pad;
	/*
	 * PG_slab on every page, after the cache and first object: the kernel's
	 * PageSlab() answers for a tail page through its folio, and here kfree()'s
	 * fast path reads the object's own page, whichever page of the slab,
	 * in the slab map.
	 */
	for (i = 0; i < nr; i++) {
		page[i].mapping = s;
		page[i].private = first;
		__SetPageSlab(page + i);
	}
	slab_map_set(page, nr, s, first);
	if (s->obj_freelist)
		/* in the last object, which the freelist hands out last */
		freelist = (unsigned short *)(base + colour * s->colour_off +
					      (unsigned long)(s->num - 1) * s->size +
					      SLAB_OBJ_FREELIST_OFFSET);
	else if (s->freelist_size)
		freelist = (unsigned short *)(base + (PAGE_SIZE << s->gfporder) - s->freelist_size);
	else
		freelist = (unsigned short *)&page->virtual;
	page->index = (unsigned long)freelist;
	/*
	 * One store for the count and the inline bits: the page allocator reads
	 * other pages' types without their owners' locks (move_freepages_block()),
	 * and a half-written one (0xffff0000) would pass for PageBuddy.
	 */
	page->page_type = 0;
	memset(slab_free_bits(s, page), 0xff, (s->num + 7) / 8);
	for (idx = 0; idx < s->num; idx++) {
		void *obj = index_to_obj(s, page, idx);

		freelist[idx] = (unsigned short)idx;
		if (s->flags & SLAB_DEBUG_FLAGS)
			slab_debug_init_object(s, obj);
		if (s->ctor)
			s->ctor(obj);
	}
	/* Free objects are off limits to ASan and Valgrind; the freelist in one is not. */
	for (idx = 0; idx < s->num; idx++)
		free_object_hidden(s, index_to_obj(s, page, idx));
	if (s->obj_freelist)
		kmm_asan_unpoison(freelist, slab_freelist_bytes(s->num));
	slab_account(s, page, (long)nr);
	return page;
}

/* cache_grow_end - put a new slab on its node's free list. */
static void cache_grow_end(struct kmem_cache *s, struct page *page)
{
	struct kmem_cache_node *n = get_node(s, page_to_nid(page));

	node_lock(n);
	list_add_tail(&page->lru, slab_active(page) ? &n->slabs_partial : &n->slabs_free);
	if (!slab_active(page))
		n->free_slabs++;
	if (slab_active(page) == s->num) {
		list_move(&page->lru, &n->slabs_full);
	}
	n->total_slabs++;
	n->free_objects += s->num - slab_active(page);
	node_unlock(n);
}

/*
 * slab_isolate - @page's freelist entry @pos, @idx, is no free object (the
 * program wrote over the freelist): report it, and take the slab out of
 * service with its free objects (see PG_slab_isolated).  list_lock held.
 */
static void slab_isolate(struct kmem_cache *s, struct kmem_cache_node *n, struct page *page,
			 unsigned int pos, unsigned int idx)
{
	unsigned int active = slab_active(page);

	slab_report_freelist_corrupt(s, page, pos, idx);
	if (!active)
		n->free_slabs--;
	n->free_objects -= s->num - active;
	slab_active(page) = (unsigned short)s->num;
	page->flags |= 1UL << PG_slab_isolated;
	list_move(&page->lru, &n->slabs_full);
}

/* freelist_entry_bad - is @idx, taken from a freelist, no free object of the slab? */
static kmm_always_inline bool freelist_entry_bad(const struct kmem_cache *s,
						 const unsigned char *bits, unsigned int idx)
{
	return kmm_unlikely(idx >= s->num || !slab_obj_free(bits, idx));
}

/* __slab_get_obj - the next free object of @page, a slab just made (its freelist is sound). */
static void *__slab_get_obj(struct kmem_cache *s, struct page *page)
{
	unsigned int active = slab_active(page), idx = slab_freelist(page)[active];
	unsigned char *bits = slab_free_bits(s, page);

	bits[idx / 8] &= (unsigned char)~(1u << (idx % 8));
	slab_active(page) = (unsigned short)(active + 1);
	return index_to_obj(s, page, idx);
}

/* slab_get_obj - the next free object of @page (on node @n), or NULL if its freelist is corrupt. */
static void *slab_get_obj(struct kmem_cache *s, struct kmem_cache_node *n, struct page *page)
{
	unsigned int active = slab_active(page), idx = slab_freelist(page)[active];

	if (freelist_entry_bad(s, slab_free_bits(s, page), idx)) {
		slab_isolate(s, n, page, active, idx);
		return NULL;
	}
	return __slab_get_obj(s, page);
}

/*
 * A window of one byte onto a slab's free bits, held in a register for a run
 * of objects of the slab.  The objects of a run mostly have neighbouring
 * indices, so without it each object's load of its byte would wait for the
 * store to the same byte by the object before it.
 */
struct free_bits_window {
	unsigned char *bits;
	unsigned int at; /* the index of the byte held */
	unsigned char byte;
};

static kmm_always_inline void free_bits_window_open(struct free_bits_window *w, unsigned char *bits)
{
	w->bits = bits;
	w->at = 0;
	w->byte = bits[0];
}

/* free_bits_window_test - is object @idx's bit set?  Its byte is now the one held. */
static kmm_always_inline bool free_bits_window_test(struct free_bits_window *w, unsigned int idx)
{
	if (idx / 8 != w->at) {
		w->bits[w->at] = w->byte;
		w->at = idx / 8;
		w->byte = w->bits[w->at];
	}
	return w->byte & (1u << (idx % 8));
}

/* free_bits_window_flip - flip object @idx's bit, just tested. */
static kmm_always_inline void free_bits_window_flip(struct free_bits_window *w, unsigned int idx)
{
	w->byte ^= (unsigned char)(1u << (idx % 8));
}

/* free_bits_window_close - write the byte held back to the bits. */
static kmm_always_inline void free_bits_window_close(struct free_bits_window *w)
{
	w->bits[w->at] = w->byte;
}

/*
 * slab_put_objs - put the objects of @objs[0..@nr), all of the slab @page,
 * back on its freelist, with the slab's count in a register for the run (a
 * batch frees runs of objects of one slab: the count is read and written
 * once).  An object the slab holds free already is reported and left out.
 * Return: the objects put back.
 */
static int slab_put_objs(struct kmem_cache *s, struct page *page, void *const *objs, int nr)
{
	/* in locals: the stores to the bits (chars) would make the compiler reload them */
	const unsigned int num = s->num, shift = s->obj_shift;
	const unsigned long first = page->private, inverse = s->obj_inverse;
	unsigned int active = slab_active(page);
	unsigned short *freelist = slab_freelist(page);
	struct free_bits_window w;
	int i = 0, put = 0;

	if (active == num) {
		/*
		 * A full slab holds nothing free, and its bits are all clear; in
		 * a slab whose freelist lives in an object, that object was handed
		 * out: the first object freed holds the freelist and the bits now.
		 */
		if (s->obj_freelist) {
			page->index = (unsigned long)objs[0] + SLAB_OBJ_FREELIST_OFFSET;
			freelist = slab_freelist(page);
			kmm_asan_unpoison(freelist, slab_freelist_bytes(num));
			memset(slab_free_bits(s, page), 0, (num + 7) / 8);
		}
	} else if (s->obj_freelist) {
		/* a wild free of the object holding the freelist poisoned it for ASan */
		kmm_asan_unpoison(freelist, slab_freelist_bytes(num));
	}
	free_bits_window_open(&w, slab_free_bits(s, page));
	for (; i < nr; i++) {
		unsigned int idx =
			(unsigned int)((((unsigned long)objs[i] - first) >> shift) * inverse);

		/*
		 * An object freed twice may sit on an array while its slab goes
		 * back and comes again, in another colour: no object of it.
		 */
		if (kmm_unlikely(idx >= num)) {
			kmm_report("slab: object %p of cache '%s' is no object of its slab: a "
				   "double or wild free, refused",
				   objs[i], s->name);
			continue;
		}
		if (kmm_unlikely(free_bits_window_test(&w, idx))) {
			kmm_report("slab: double free detected in cache '%s', objp %p: "
				   "already free in its slab, refused",
				   s->name, objs[i]);
			continue;
		}
		freelist[--active] = (unsigned short)idx;
		free_bits_window_flip(&w, idx);
		put++;
	}
	free_bits_window_close(&w);
	slab_active(page) = (unsigned short)active;
	return put;
}

/* Destroying: the slab's pages go back to the buddy allocator. */
static void kmem_freepages(struct kmem_cache *s, struct page *page)
{
	unsigned long i, nr = 1UL << s->gfporder;

	slab_account(s, page, -(long)nr);
	slab_map_set(page, nr, NULL, 0);
	kmm_asan_unpoison(page_address(page), PAGE_SIZE << s->gfporder);
	if (s->bypass_arrays && slab_under_memcheck)
		VALGRIND_MAKE_MEM_DEFINED(page_address(page), PAGE_SIZE << s->gfporder);
	for (i = 0; i < nr; i++) {
		__ClearPageSlab(page + i);
		page[i].mapping = NULL;
		page[i].private = 0;
	}
	page->flags &= ~(1UL << PG_slab_isolated);
	page->index = 0;
	page->virtual = NULL;
	page->page_type = ~0u;
	__free_pages(page, s->gfporder);
}

struct slab_rcu {
	struct rcu_head head; /* overlays the page's lru */
};

static void kmem_rcu_free(struct rcu_head *head)
{
	struct page *page = kmm_container_of((struct list_head *)head, struct page, lru);
	struct kmem_cache *s = (struct kmem_cache *)page->mapping;

	kmem_freepages(s, page);
}

static void slab_destroy(struct kmem_cache *s, struct page *page)
{
	_Static_assert(sizeof(struct rcu_head) <= sizeof(struct list_head), "rcu_head fits lru");
	if (s->flags & SLAB_TYPESAFE_BY_RCU)
		call_rcu((struct rcu_head *)&page->lru, kmem_rcu_free);
	else
		kmem_freepages(s, page);
}

void slabs_destroy(struct kmem_cache *s, struct list_head *list)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, list, lru) {
		list_del(&page->lru);
		slab_destroy(s, page);
	}
}

/*
 * free_block - put @nr objects back into their slabs, moving the slabs between
 * lists; free slabs beyond the node's free_limit move to @list, for
 * slabs_destroy() once list_lock is dropped.  list_lock held.
 */
void free_block(struct kmem_cache *s, void **objs, int nr, int node, struct list_head *list)
{
	struct kmem_cache_node *n = get_node(s, node);
	const unsigned long span = (unsigned long)s->num * s->size;
	unsigned long first;
	int i;

	for (i = 0; i < nr;) {
		struct page *page = obj_to_head(objs[i]);
		bool was_full = slab_active(page) == s->num;
		int run = 1, put;

		/*
		 * An object the slab had free when a wild free put it on an array
		 * may find its slab gone back to the page allocator.
		 */
		if (kmm_unlikely(!PageSlab(page) || page->mapping != (void *)s)) {
			kmm_report("slab: object %p of cache '%s' is on no slab of it: a double or "
				   "wild free, refused",
				   objs[i], s->name);
			i++;
			continue;
		}
		if (kmm_unlikely(SlabIsolated(page))) {
			i++; /* out of service: the object is leaked with its slab */
			continue;
		}
		/*
		 * Objects freed together are mostly of one slab: put them back as
		 * a run.  An object on an array is one of the cache's (the free
		 * that put it there checked it), so it is of this slab if it lies
		 * in the slab's span of objects: no struct page to look up.
		 */
		first = page->private;
		while (i + run < nr && (unsigned long)objs[i + run] - first < span)
			run++;
		put = slab_put_objs(s, page, objs + i, run);
		n->free_objects += (unsigned long)put;
		i += run;
		/* A slab changes lists only when it changes state (full, partial, free). */
		if (kmm_unlikely(!put)) {
			continue;
		} else if (slab_active(page) == 0) {
			list_move(&page->lru, &n->slabs_free);
			n->free_slabs++;
		} else if (was_full) {
			list_move_tail(&page->lru, &n->slabs_partial);
		}
	}
	while (n->free_objects > n->free_limit && !list_empty(&n->slabs_free)) {
		struct page *page = list_last_entry(&n->slabs_free, struct page, lru);

		list_move(&page->lru, list);
		n->free_objects -= s->num;
		n->free_slabs--;
		n->total_slabs--;
	}
}

/* The objects of @objs may be on several nodes: free each run to its own node. */
static void free_block_any_node(struct kmem_cache *s, void **objs, int nr)
{
	LIST_HEAD(list);
	int i = 0;

	while (i < nr) {
		int node = kmm_nr_online_nodes > 1 ? page_to_nid(virt_to_page(objs[i])) : 0,
		    j = i + 1;
		struct kmem_cache_node *n = get_node(s, node);

		if (kmm_nr_online_nodes == 1)
			j = nr;
		while (j < nr && page_to_nid(virt_to_page(objs[j])) == node)
			j++;
		node_lock(n);
		free_block(s, objs + i, j - i, node, &list);
		node_unlock(n);
		i = j;
	}
	slabs_destroy(s, &list);
}

void drain_array_objects(struct kmem_cache *s, struct array_cache *ac, int node, int nr)
{
	unsigned int avail = ac_avail(ac);

	(void)node;
	if (nr > (int)avail)
		nr = (int)avail;
	if (nr <= 0)
		return;
	free_block_any_node(s, ac->entry, nr);
	avail -= (unsigned int)nr;
	memmove(ac->entry, ac->entry + nr, sizeof(void *) * avail);
	ac_set_avail(ac, avail);
}

void release_cpu_array(struct kmm_cpu *cpu, struct array_cache *ac)
{
	void **entry = ac->entry;
	unsigned int limit = ac->limit;

	drain_array_objects(ac->cache, ac, cpu->node, (int)ac_avail(ac));
	list_del(&ac->cpu_list);
	/* all zero again, as before its first use: the entries last, for racy readers */
	ac->top = ac->end = NULL;
	__atomic_store_n(&ac->entry, NULL, __ATOMIC_RELEASE);
	memset(ac, 0, sizeof(*ac));
	entry_slots_free(entry, limit);
}

int drain_freelist(struct kmem_cache *s, struct kmem_cache_node *n, int tofree)
{
	LIST_HEAD(list);
	int freed = 0;

	slab_batch_begin();
	node_lock(n);
	while (freed < tofree && !list_empty(&n->slabs_free)) {
		struct page *page = list_last_entry(&n->slabs_free, struct page, lru);

		list_move(&page->lru, &list);
		n->free_objects -= s->num;
		n->free_slabs--;
		n->total_slabs--;
		freed++;
	}
	node_unlock(n);
	slabs_destroy(s, &list);
	slab_batch_end();
	return freed;
}

/* Move up to @max objects from @from to @to (the shared array and a CPU's). */
static int transfer_objects(struct array_cache *to, struct array_cache *from, unsigned int max)
{
	unsigned int nr = ac_avail(from), room = to->limit - ac_avail(to);

	if (nr > max)
		nr = max;
	if (nr > room)
		nr = room;
	if (!nr)
		return 0;
	from->top -= nr;
	memcpy(to->top, from->top, sizeof(void *) * nr);
	to->top += nr;
	return (int)nr;
}

static struct page *get_first_slab(struct kmem_cache_node *n)
{
	if (!list_empty(&n->slabs_partial))
		return list_first_entry(&n->slabs_partial, struct page, lru);
	if (!list_empty(&n->slabs_free)) {
		n->free_touched = 1;
		return list_first_entry(&n->slabs_free, struct page, lru);
	}
	return NULL;
}

/* Take objects from @page into @ac until it has @batch or the slab is empty; fix its list. */
static int alloc_block(struct kmem_cache *s, struct kmem_cache_node *n, struct array_cache *ac,
		       struct page *page, int batch)
{
	/* in locals: the stores to the bits (chars) would make the compiler reload them */
	const unsigned int num = s->num, size = s->size;
	const unsigned long first = page->private;
	unsigned int active = slab_active(page), avail = ac_avail(ac);
	const unsigned short *freelist = slab_freelist(page);
	struct free_bits_window w;
	void **entry = ac->entry;
	bool was_free = active == 0;

	/* the slab's count, the array's and a byte of the bits in registers for the run */
	free_bits_window_open(&w, slab_free_bits(s, page));
	for (; active < num && batch > 0; batch--) {
		unsigned int idx = freelist[active];

		if (kmm_unlikely(idx >= num || !free_bits_window_test(&w, idx))) {
			free_bits_window_close(&w);
			slab_active(page) = (unsigned short)active;
			ac_set_avail(ac, avail);
			if (was_free && active)
				n->free_slabs--; /* no longer free by its count */
			slab_isolate(s, n, page, active, idx);
			return batch;
		}
		active++;
		free_bits_window_flip(&w, idx);
		entry[avail++] = (void *)(first + (unsigned long)idx * size);
	}
	free_bits_window_close(&w);
	slab_active(page) = (unsigned short)active;
	ac_set_avail(ac, avail);
	list_del(&page->lru);
	if (was_free)
		n->free_slabs--;
	list_add(&page->lru, slab_active(page) == s->num ? &n->slabs_full : &n->slabs_partial);
	return batch;
}

/* The array of @cpu (held) for @s, made on first use; NULL without memory. */
static struct array_cache *cpu_array(struct kmem_cache *s, struct kmm_cpu *cpu)
{
	struct array_cache *ac = &s->cpu_array[cpu->id];
	void **entry;

	if (kmm_likely(ac->entry != NULL))
		return ac;
	entry = entry_slots_alloc(s, s->limit);
	if (!entry)
		return NULL;
	init_array(ac, s, entry, s->limit, s->batchcount);
	list_add(&ac->cpu_list, &cpu->slab_arrays);
	return ac;
}

/*
 * take_from_node - up to @batch objects of node @n into @to: from the shared
 * array, else from the partial and free slabs.  list_lock held.
 */
static void take_from_node(struct kmem_cache *s, struct kmem_cache_node *n, struct array_cache *to,
			   int batch)
{
	unsigned int before = ac_avail(to);
	struct page *page;

	if (n->shared && transfer_objects(to, n->shared, (unsigned int)batch)) {
		n->shared->touched = 1;
		return;
	}
	while (batch > 0 && (page = get_first_slab(n)) != NULL)
		batch = alloc_block(s, n, to, page, batch);
	n->free_objects -= ac_avail(to) - before;
}

/* take_from_new_slab - up to @batch objects of @page, a slab just grown, into @to. */
static void take_from_new_slab(struct kmem_cache *s, struct page *page, struct array_cache *to,
			       int batch)
{
	/* as alloc_block(), the counts and a byte of the bits in registers for the run */
	const unsigned int num = s->num, size = s->size, limit = to->limit;
	const unsigned long first = page->private;
	const unsigned short *freelist = slab_freelist(page);
	unsigned int active = slab_active(page), avail = ac_avail(to);
	struct free_bits_window w;

	free_bits_window_open(&w, slab_free_bits(s, page));
	for (; avail < limit && batch > 0 && active < num; batch--) {
		unsigned int idx = freelist[active++];

		free_bits_window_test(&w, idx);
		free_bits_window_flip(&w, idx);
		to->entry[avail++] = (void *)(first + (unsigned long)idx * size);
	}
	free_bits_window_close(&w);
	slab_active(page) = (unsigned short)active;
	ac_set_avail(to, avail);
}

/*
 * Short holds.  A thread preempted, or asleep on list_lock, while it holds
 * its CPU keeps every other thread on that CPU off the fast paths until it
 * runs again (with many threads to a CPU, for whole time slices).  So a
 * refill or a flush that finds list_lock taken lets the CPU go: it gathers
 * its batch from the node, or hands it to the node, with the CPU held only
 * to put the batch into, or take it out of, the array.  (One that finds the
 * lock free keeps the CPU: the work under it is short, and the cheapest.)
 * Meanwhile the batch is in the thread's hands (on its stack).
 *
 * Batches and fork.  Work on the lists done with neither a CPU nor
 * slab_mutex held (such a batch; a free with no CPU; a bypassing cache's
 * free; a shrink's drain) is a batch too: from before it takes anything off
 * a list until the slabs it frees are destroyed, it is counted in
 * slab_batches_in_flight.  Fork (slab_batches_stop(), every CPU held) takes
 * slab_batch_gate and waits for the count to fall to 0; a batch that finds
 * the gate held once it has raised the count backs out, and sleeps on the
 * gate until the fork lets it go.  So while fork takes the node lists and
 * copies memory, no thread the child does not have holds free objects off
 * the lists, and no slab is being destroyed: a SLAB_TYPESAFE_BY_RCU slab's
 * call_rcu() writes its rcu_head (physical memory, copied first) and
 * liburcu's queue (copied at fork()), and one queued between the two would
 * give the child a callback from a head its memory never had.
 * slab_batch_begin() may wait for a fork, so its
 * caller holds no list_lock, zone lock or batch (a CPU or slab_mutex is
 * fine: while a thread holds either, fork has not taken the gate).  Inside
 * a batch the thread only takes list_lock and zone locks, tries CPUs and
 * queues slabs for call_rcu() (the call_rcu thread was started when the
 * cache was made), never waits for anything fork holds.
 */
#define LOCAL_BATCH_MAX 128

static unsigned long slab_batches_in_flight;
/* held by fork while no batch may begin; a batch that finds it held sleeps on it */
static kmm_lock_t slab_batch_gate;

/* A batch on the stack: an array_cache with room for LOCAL_BATCH_MAX objects. */
struct local_batch {
	struct array_cache ac;
	void *slots[LOCAL_BATCH_MAX];
};

void slab_batch_begin(void)
{
	for (;;) {
		__atomic_fetch_add(&slab_batches_in_flight, 1, __ATOMIC_SEQ_CST);
		if (kmm_likely(!kmm_lock_is_held(&slab_batch_gate)))
			return;
		__atomic_fetch_sub(&slab_batches_in_flight, 1, __ATOMIC_RELEASE);
		kmm_lock(&slab_batch_gate);
		kmm_unlock(&slab_batch_gate);
	}
}

void slab_batch_end(void)
{
	__atomic_fetch_sub(&slab_batches_in_flight, 1, __ATOMIC_RELEASE);
}

void slab_batches_stop(void)
{
	kmm_lock(&slab_batch_gate);
	/* the gate taken before the count is read: see slab_batch_begin() */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	while (__atomic_load_n(&slab_batches_in_flight, __ATOMIC_SEQ_CST))
		sched_yield();
}

void slab_batches_resume(bool child)
{
	if (child) {
		/* a count raised by a thread backing out is one no thread of the child lowers */
		__atomic_store_n(&slab_batches_in_flight, 0, __ATOMIC_RELAXED);
		kmm_lock_init(&slab_batch_gate);
	} else {
		kmm_unlock(&slab_batch_gate);
	}
}

/*
 * refill_unheld - cache_alloc_refill() with the CPU *@cpup let go while up to
 * @batch objects are gathered from node @node (the shared array, else the
 * slabs, else a new slab); then the CPU the thread is on is held again
 * (*@cpup, or NULL) and takes them, but for the one returned, into its array;
 * what it has no room for goes back to the slabs.
 */
static void *refill_unheld(struct kmem_cache *s, struct kmm_cpu **cpup, gfp_t gfp, int node,
			   int batch)
{
	struct kmem_cache_node *n = get_node(s, node);
	struct local_batch local;
	struct array_cache *got = &local.ac, *ac;
	struct kmm_cpu *cpu;
	struct page *page;
	LIST_HEAD(list);
	void *obj;

	got->limit = (unsigned int)batch;
	got->entry = got->top = local.slots;
	got->end = local.slots + batch;
	kmm_cpu_release(*cpup);
	*cpup = NULL;
	slab_batch_begin();
	node_lock(n);
	take_from_node(s, n, got, batch);
	node_unlock(n);
	if (!ac_avail(got)) {
		/* the page allocator may reclaim, and shrinkers take slab_mutex: outside the batch */
		slab_batch_end();
		page = cache_grow_begin(s, gfp, node);
		if (!page) {
			*cpup = kmm_cpu_hold();
			return NULL;
		}
		slab_batch_begin(); /* a fork meanwhile leaves the new slab to this thread */
		take_from_new_slab(s, page, got, batch);
		cache_grow_end(s, page);
	}
	obj = *--got->top;
	*cpup = cpu = kmm_cpu_hold();
	if (cpu && cpu->node == node && (ac = cpu_array(s, cpu)) != NULL) {
		transfer_objects(ac, got, ac_avail(got));
		ac->touched = 1;
	}
	if (ac_avail(got)) {
		node_lock(n);
		free_block(s, got->entry, (int)ac_avail(got), node, &list);
		node_unlock(n);
	}
	slabs_destroy(s, &list);
	slab_batch_end();
	return obj;
}

/*
 * cache_alloc_refill - the array of *@cpup (held) is empty: refill it from
 * node @node and return one object.  Unless the caller held the CPU already
 * (kmm_cpu_nested()), the CPU is released to grow the cache and held again
 * afterwards: *@cpup is then the CPU the thread holds, which may be another
 * one, or NULL if it could not hold one; the new slab's objects go into its
 * array only if it is a CPU of @node.
 */
static void *cache_alloc_refill(struct kmem_cache *s, struct kmm_cpu **cpup, gfp_t gfp, int node)
{
	struct kmm_cpu *cpu = *cpup;
	struct array_cache *ac = cpu_array(s, cpu);
	struct kmem_cache_node *n = get_node(s, node);
	bool nested = kmm_cpu_nested();
	struct page *page;
	int batch;

	if (ac) {
		batch = (int)ac->batchcount;
		if (!ac->touched && batch > BATCHREFILL_LIMIT)
			batch = BATCHREFILL_LIMIT;
		/* list_lock taken at once: kept with the CPU; else waited for without it */
		if (nested || batch > LOCAL_BATCH_MAX)
			node_lock(n);
		else if (!node_trylock(n))
			return refill_unheld(s, cpup, gfp, node, batch);
		take_from_node(s, n, ac, batch);
		node_unlock(n);
		if (ac_avail(ac))
			goto done;
	}
	/* Grow: without the CPU if the caller did not hold it, else without sleeping. */
	if (nested)
		gfp &= ~__GFP_DIRECT_RECLAIM;
	else
		kmm_cpu_release(cpu);
	page = cache_grow_begin(s, gfp, node);
	if (!nested)
		*cpup = cpu = kmm_cpu_hold();
	if (!page)
		return NULL;
	/* a thread that moved meanwhile may hold a CPU of another node: not its array */
	ac = cpu && cpu->node == node ? cpu_array(s, cpu) : NULL;
	if (!ac) {
		void *obj = __slab_get_obj(s, page);

		cache_grow_end(s, page);
		return obj;
	}
	take_from_new_slab(s, page, ac, (int)ac->batchcount);
	cache_grow_end(s, page);
	if (!ac_avail(ac))
		return NULL;
done:
	ac->touched = 1;
	return *--ac->top;
}

/* An object straight from node @node's slabs (no CPU array: the CPU is held elsewhere). */
static void *alloc_from_node(struct kmem_cache *s, gfp_t gfp, int node)
{
	struct kmem_cache_node *n = get_node(s, node);
	struct page *page;
	void *obj = NULL;

	node_lock(n);
	/* a slab found corrupt is isolated and the next one tried */
	while (!obj && (page = get_first_slab(n)) != NULL) {
		bool was_free = slab_active(page) == 0;

		obj = slab_get_obj(s, n, page);
		if (!obj)
			continue;
		n->free_objects--;
		if (was_free)
			n->free_slabs--;
		list_move(&page->lru,
			  slab_active(page) == s->num ? &n->slabs_full : &n->slabs_partial);
	}
	node_unlock(n);
	if (obj)
		return obj;
	page = cache_grow_begin(s, gfp, node);
	if (!page)
		return NULL;
	obj = __slab_get_obj(s, page);
	cache_grow_end(s, page);
	return obj;
}

static int pick_node(struct kmm_cpu *cpu, int node)
{
	if (node == NUMA_NO_NODE || node < 0 || node >= kmm_nr_online_nodes)
		return cpu ? cpu->node : numa_node_id();
	return node;
}

/*
 * init_on_alloc=1 zeroes objects whose contents nobody relies on (the
 * kernel's rule); page_poison=1 takes precedence, as in the kernel.
 */
static bool want_init_on_alloc(const struct kmem_cache *s)
{
	return mem_init_on_alloc() && !s->ctor &&
	       !(s->flags & (SLAB_TYPESAFE_BY_RCU | SLAB_POISON));
}

static bool want_init_on_free(const struct kmem_cache *s)
{
	return mem_init_on_free() && !s->ctor && !(s->flags & (SLAB_TYPESAFE_BY_RCU | SLAB_POISON));
}

/*
 * hand_out - @obj goes to the caller: zeroed if @zero (a red-zoned kmalloc
 * object up to @orig_size, the rest being its red zone), and under ASan
 * usable up to @orig_size, the bytes asked for.
 */
static void hand_out(const struct kmem_cache *s, void *obj, size_t orig_size, bool zero)
{
	kmm_asan_unpoison(obj, s->object_size);
	if (zero)
		memset(obj, 0, kmalloc_redzoned(s) ? orig_size : s->object_size);
	if (orig_size < s->object_size)
		kmm_asan_poison((char *)obj + orig_size, s->object_size - orig_size);
}

/*
 * bypass_alloc - the allocation of a cache that bypasses the CPU arrays:
 * straight from the slabs, checked (debugging), zeroed (init_on_alloc),
 * announced to Valgrind.
 */
static void *bypass_alloc(struct kmem_cache *s, gfp_t gfp, int node, unsigned long caller,
			  unsigned int orig_size)
{
	void *obj = alloc_from_node(s, gfp, node);
	bool zeroed = (gfp & __GFP_ZERO) || want_init_on_alloc(s);

	if (!obj)
		return NULL;
	if (slab_under_memcheck)
		VALGRIND_MAKE_MEM_DEFINED(obj, s->object_size);
	if (s->flags & SLAB_DEBUG_FLAGS)
		slab_debug_alloc(s, obj_to_head(obj), obj, caller, orig_size);
	hand_out(s, obj, orig_size, zeroed);
	if (slab_under_memcheck)
		VALGRIND_MALLOCLIKE_BLOCK(obj, s->object_size, 0, zeroed);
	return obj;
}

/*
 * top_on_node - is the object on top of @ac (not empty) one of node @node's?
 * The inline free pushes an object whatever its node, so an array may hold
 * another node's: an allocation asked for on @node takes the top only if it
 * is one of @node's, else goes to the node's slabs.
 */
static bool top_on_node(const struct array_cache *ac, int node)
{
	return kmm_nr_online_nodes == 1 || page_to_nid(virt_to_page(ac->top[-1])) == node;
}

/*
 * The out-of-line allocation; @caller is the return address into the
 * program, @orig_size the bytes asked for (a kmalloc's size; else object_size).
 */
static void *slab_alloc(struct kmem_cache *s, gfp_t gfp, int node, unsigned long caller,
			size_t orig_size)
{
	struct kmm_cpu *cpu;
	void *obj;

	if (kmm_unlikely(!slab_cache_live(s)) && !slab_cache_check("kmem_cache_alloc", s))
		return NULL;
	if (!kmm_machine_up())
		return NULL;
	if (__atomic_load_n(&s->bypass_arrays, __ATOMIC_RELAXED)) {
		/* an injected failure is not out of memory: no report but failslab's own */
		if (failslab_active() && should_failslab(s, gfp))
			return NULL;
		obj = bypass_alloc(s, gfp, pick_node(kmm_this_cpu, node), caller,
				   (unsigned int)orig_size);
	} else if (!(cpu = kmm_cpu_hold())) {
		obj = alloc_from_node(s, gfp, pick_node(NULL, node));
	} else {
		struct array_cache *ac = &s->cpu_array[cpu->id];
		bool asked = node >= 0 && node < kmm_nr_online_nodes;

		node = pick_node(cpu, node);
		if (node == cpu->node && ac_avail(ac) && (!asked || top_on_node(ac, node))) {
			obj = *--ac->top;
			ac->touched = 1;
		} else if (node == cpu->node && !ac_avail(ac)) {
			obj = cache_alloc_refill(s, &cpu, gfp, node);
		} else {
			/*
			 * Another node (or the array's top is another node's):
			 * straight from the node's slabs, as the kernel's
			 * ____cache_alloc_node(), without the CPU (the cache may grow).
			 */
			kmm_cpu_release(cpu);
			cpu = NULL;
			obj = alloc_from_node(s, gfp, node);
		}
		if (cpu)
			kmm_cpu_release(cpu);
	}
	if (obj) {
		hand_out(s, obj, orig_size, gfp & __GFP_ZERO);
	} else if (!(gfp & __GFP_NOWARN)) {
		kmm_report("kmem_cache_alloc: %s: out of memory (object size %u, order %u)",
			   s->name, s->size, s->gfporder);
	}
	return obj;
}

void *__kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp, int node)
{
	return slab_alloc(s, gfp, node, (unsigned long)__builtin_return_address(0),
			  s ? s->object_size : 0);
}

void *kmem_cache_alloc_node(struct kmem_cache *s, gfp_t gfp, int node)
{
	if (node == NUMA_NO_NODE)
		return kmem_cache_alloc(s, gfp);
	return slab_alloc(s, gfp, node, (unsigned long)__builtin_return_address(0),
			  s ? s->object_size : 0);
}

void *__kmalloc_cache(struct kmem_cache *s, gfp_t flags, size_t size)
{
	if (kmm_unlikely(s == &kmm_unmade_cache))
		return __kmalloc(size, flags);
	return slab_alloc(s, flags, NUMA_NO_NODE, (unsigned long)__builtin_return_address(0), size);
}

/* kmalloc_cache_alloc - @size bytes from the given kmalloc (or SLAB_KMALLOC) cache @s. */
static void *kmalloc_cache_alloc(struct kmem_cache *s, gfp_t flags, int node, size_t size,
				 unsigned long caller)
{
	if (kmm_unlikely(s == &kmm_unmade_cache))
		return __kmalloc_node(size, flags, node);
	if (slab_cache_live(s) && size > s->object_size) {
		kmm_report(
			"__kmalloc_cache_noprof: %zu bytes from %s, whose objects hold %u, refused",
			size, s->name, s->object_size);
		return NULL;
	}
	return slab_alloc(s, flags, node, caller, size);
}

void *__kmalloc_cache_noprof(struct kmem_cache *s, gfp_t flags, size_t size)
{
	return kmalloc_cache_alloc(s, flags, NUMA_NO_NODE, size,
				   (unsigned long)__builtin_return_address(0));
}

void *__kmalloc_cache_node_noprof(struct kmem_cache *s, gfp_t flags, int node, size_t size)
{
	return kmalloc_cache_alloc(s, flags, node, size,
				   (unsigned long)__builtin_return_address(0));
}

void *kmalloc_slab_alloc(struct kmem_cache *s, gfp_t flags, int node, size_t size,
			 unsigned long caller)
{
	return slab_alloc(s, flags, node, caller, size);
}

/* Why @obj may not be freed to @s, or NULL (the checks of the inline fast path, spelled out). */
static const char *free_problem(struct kmem_cache *s, const void *obj, char *why, size_t len)
{
	unsigned long off = (unsigned long)obj - kmm_page_offset;
	struct page *page;
	struct kmem_cache *owner;
	unsigned long delta;

	if (!kmm_machine_booted() || off >= kmm_direct_map_bytes)
		return "Object is not in the direct map";
	page = virt_to_page(obj);
	owner = (struct kmem_cache *)page->mapping;
	if (!PageSlab(compound_head(page)) || !owner)
		return "Object is not a Slab page";
	if (owner != s) {
		snprintf(why, len, "Wrong slab cache. %s but object is from %s", s->name,
			 owner->name);
		return why;
	}
	delta = (unsigned long)obj - page->private;
	if ((unsigned long)obj < page->private || delta % s->size || delta / s->size >= s->num) {
		snprintf(why, len, "not the start of an object (offset %lu in the slab)", delta);
		return why;
	}
	return NULL;
}

/* all_on_node - are the @nr objects of @objs all on node @node? */
static bool all_on_node(void *const *objs, unsigned int nr, int node)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (page_to_nid(virt_to_page(objs[i])) != node)
			return false;
	return true;
}

/*
 * make_node_shared - the shared array of @n, made at the first flush that
 * would use it (setup_node_shared() leaves none): without reclaim, as the
 * CPU arrays are; none if memory is short (the flush goes to the slabs).
 */
static void make_node_shared(struct kmem_cache *s, struct kmem_cache_node *n)
{
	struct array_cache *shared = alloc_shared_array(s, s->shared * s->batchcount);

	if (!shared)
		return;
	node_lock(n);
	if (!n->shared) {
		n->shared = shared;
		shared = NULL;
	}
	node_unlock(n);
	if (shared)
		free_shared_array(shared);
}

/*
 * flush_objects - @nr objects of @s, off a CPU's array, to node @node: as
 * many as its shared array has room for, the rest back to their slabs.  On
 * a NUMA machine a batch with another node's object goes back to the slabs,
 * each to its own node (the kernel sends those to its alien caches); a
 * shared array holds only its node's objects.  (The kernel's
 * cache_flusharray() moves only what the shared array has room for.)
 */
static void flush_objects(struct kmem_cache *s, int node, void **objs, unsigned int nr, bool locked)
{
	struct kmem_cache_node *n = get_node(s, node);
	LIST_HEAD(list);

	if (kmm_unlikely(!__atomic_load_n(&n->shared, __ATOMIC_RELAXED) && s->shared)) {
		if (locked)
			node_unlock(n);
		make_node_shared(s, n);
		locked = false;
	}
	if (!locked)
		node_lock(n);
	if (n->shared && ac_avail(n->shared) < n->shared->limit &&
	    (kmm_nr_online_nodes == 1 || all_on_node(objs, nr, node))) {
		unsigned int room = n->shared->limit - ac_avail(n->shared);

		if (room > nr)
			room = nr;
		memcpy(n->shared->top, objs, sizeof(void *) * room);
		n->shared->top += room;
		objs += room;
		nr -= room;
	}
	if (nr && kmm_nr_online_nodes == 1) {
		free_block(s, objs, (int)nr, node, &list);
		nr = 0;
	}
	node_unlock(n);
	slabs_destroy(s, &list);
	if (nr)
		free_block_any_node(s, objs, (int)nr);
}

/*
 * cache_flusharray - the array is full: its batchcount oldest objects go to
 * the node (flush_objects(); @locked: its list_lock is held already), the
 * CPU held throughout.
 */
static void cache_flusharray(struct kmem_cache *s, struct array_cache *ac, int node, bool locked)
{
	unsigned int avail = ac_avail(ac), batch = ac->batchcount < avail ? ac->batchcount : avail;

	flush_objects(s, node, ac->entry, batch, locked);
	memmove(ac->entry, ac->entry + batch, sizeof(void *) * (avail - batch));
	ac_set_avail(ac, avail - batch);
}

/*
 * flush_unheld - the full array @ac of @cpu (held) takes @obj after giving
 * its batchcount oldest objects up; they go to the node once @cpu is let go
 * (see "Short holds").
 */
static void flush_unheld(struct kmem_cache *s, struct array_cache *ac, struct kmm_cpu *cpu,
			 void *obj)
{
	unsigned int avail = ac_avail(ac), batch = ac->batchcount < avail ? ac->batchcount : avail;
	void *objs[LOCAL_BATCH_MAX];
	int node = cpu->node;

	memcpy(objs, ac->entry, sizeof(void *) * batch);
	memmove(ac->entry, ac->entry + batch, sizeof(void *) * (avail - batch));
	ac_set_avail(ac, avail - batch);
	*ac->top++ = obj;
	slab_batch_begin(); /* the CPU held: no fork is waiting for batches */
	kmm_cpu_release(cpu);
	flush_objects(s, node, objs, batch, false);
	slab_batch_end();
}

/*
 * bypass_free - the free of a cache that bypasses the CPU arrays: checked
 * (every double free is found on the slab's freelist), zeroed (init_on_free),
 * hidden, and straight back to its slab.
 */
static void bypass_free(struct kmem_cache *s, void *obj, const char *call, unsigned long caller)
{
	struct page *page = obj_to_head(obj);
	int node = page_to_nid(page);
	struct kmem_cache_node *n = get_node(s, node);
	LIST_HEAD(list);

	slab_batch_begin();
	node_lock(n);
	if (s->flags & SLAB_DEBUG_FLAGS) {
		if (!slab_debug_free(s, page, obj, call, caller)) {
			node_unlock(n);
			slab_batch_end();
			return;
		}
	} else if (slab_on_freelist(s, page, obj)) {
		node_unlock(n);
		slab_batch_end();
		slab_report(call, s, obj, "double free");
		return;
	}
	if (want_init_on_free(s)) {
		kmm_asan_unpoison(obj, s->object_size);
		memset(obj, 0, s->object_size);
	}
	if (slab_under_memcheck)
		VALGRIND_FREELIKE_BLOCK(obj, 0);
	free_object_hidden(s, obj);
	free_block(s, &obj, 1, node, &list);
	node_unlock(n);
	slabs_destroy(s, &list);
	slab_batch_end();
}

/* __slab_free - slab_free() of the library's own objects too. */
static void __slab_free(struct kmem_cache *s, void *obj, const char *call, unsigned long caller,
			bool own_ok)
{
	struct kmm_cpu *cpu;
	const char *problem;
	char why[160];

	if (!obj)
		return;
	if (!s) {
		kmm_report("%s: NULL cache for object %p, refused", call, obj);
		return;
	}
	if (kmm_unlikely(!slab_cache_live(s)) && !slab_cache_check(call, s))
		return;
	problem = free_problem(s, obj, why, sizeof(why));
	if (problem) {
		slab_report(call, s, obj, problem);
		return;
	}
	if (kmm_unlikely((s->flags & SLAB_OWN) && !own_ok)) {
		slab_report(call, s, obj, "an object of the library's own");
		return;
	}
	if (__atomic_load_n(&s->bypass_arrays, __ATOMIC_RELAXED)) {
		bypass_free(s, obj, call, caller);
		return;
	}
	cpu = kmm_cpu_hold();
	if (cpu) {
		struct array_cache *ac = cpu_array(s, cpu);

		if (ac && ac_avail(ac) && ac->top[-1] == obj) {
			kmm_cpu_release(cpu);
			slab_report(call, s, obj, "double free");
			return;
		}
		free_object_hidden(s, obj);
		if (ac && page_to_nid(virt_to_page(obj)) == cpu->node) {
			if (ac_avail(ac) >= ac->limit) {
				/* list_lock taken at once: kept with the CPU; else waited for without it */
				bool locked = node_trylock(get_node(s, cpu->node));

				if (!locked && !kmm_cpu_nested() &&
				    ac->batchcount <= LOCAL_BATCH_MAX) {
					flush_unheld(s, ac, cpu, obj);
					return;
				}
				cache_flusharray(s, ac, cpu->node, locked);
			}
			*ac->top++ = obj;
			kmm_cpu_release(cpu);
			return;
		}
		/* No array, or an object of another node: straight back to its slab. */
		free_block_any_node(s, &obj, 1);
		kmm_cpu_release(cpu);
		return;
	}
	free_object_hidden(s, obj);
	slab_batch_begin(); /* no CPU held */
	free_block_any_node(s, &obj, 1);
	slab_batch_end();
}

/*
 * array_holds - is @obj among the first @max objects of @ac?  Another CPU's
 * array is read racily: its entries may be freed meanwhile (memory of the
 * direct map still), so only as many as their first page holds are read
 * (what the default limits fit).
 */
static bool array_holds(const struct array_cache *ac, const void *obj, unsigned int max)
{
	void *const *entry = __atomic_load_n(&ac->entry, __ATOMIC_ACQUIRE);
	unsigned int i, avail = ac_avail_racy(ac);

	if (!entry)
		return false;
	for (i = 0; i < avail && i < max; i++)
		if (__atomic_load_n(&entry[i], __ATOMIC_RELAXED) == obj)
			return true;
	return false;
}

/* How many entries of @ac are in the page its first is in. */
static unsigned int first_page_entries(const struct array_cache *ac)
{
	unsigned long first = (unsigned long)__atomic_load_n(&ac->entry, __ATOMIC_RELAXED);

	return (unsigned int)((PAGE_SIZE - (first & ~PAGE_MASK)) / sizeof(void *));
}

bool slab_object_free(struct kmem_cache *s, const void *obj)
{
	struct page *page = obj_to_head(obj);
	struct kmem_cache_node *n = get_node(s, page_to_nid(page));
	struct kmm_cpu *cpu = kmm_cpu_hold();
	bool found = false;
	int i;

	if (cpu) {
		struct array_cache *ac = &s->cpu_array[cpu->id];

		found = array_holds(ac, obj, ac->limit);
		kmm_cpu_release(cpu);
	}
	for (i = 0; !found && i < (int)nr_cpu_ids; i++)
		found = array_holds(&s->cpu_array[i], obj, first_page_entries(&s->cpu_array[i]));
	if (!found) {
		node_lock(n);

		found = (n->shared && array_holds(n->shared, obj, n->shared->limit)) ||
			slab_on_freelist(s, page, obj);
		node_unlock(n);
	}
	return found;
}

void slab_free(struct kmem_cache *s, void *obj, const char *call, unsigned long caller)
{
	__slab_free(s, obj, call, caller, false);
}

void kmem_cache_free_own(struct kmem_cache *s, void *obj)
{
	__slab_free(s, obj, "kmem_cache_free_own", (unsigned long)__builtin_return_address(0),
		    true);
}

void __kmem_cache_free(struct kmem_cache *s, void *obj)
{
	slab_free(s, obj, "kmem_cache_free", (unsigned long)__builtin_return_address(0));
}

/*
 * slab_alloc_outline / slab_free_outline - kmem_cache_alloc() and
 * kmem_cache_free() made inside the library, for the calls a program reaches
 * out of line (the bulk calls, and the kernel names src/kmalloc/export.c
 * exports).  They run the inline fast paths, where kmm_asan_object() is
 * compiled in only when libkmm itself is built with ASan; a program built
 * with ASan poisons the objects it frees inline whatever libkmm's build, so
 * these poison and unpoison through the ASan runtime when the program has one
 * (kmm_asan_poison(), weak references), as the slow paths do: any mix of
 * builds gets usable objects and poisoned frees.
 */
void *slab_alloc_outline(struct kmem_cache *s, gfp_t gfp, unsigned long caller)
{
	void *obj;

	/* zeroed here, once the object is usable */
	if (kmm_likely(s != NULL) &&
	    kmm_likely(kmem_cache_alloc_fast(s, gfp & ~__GFP_ZERO, &obj))) {
		if (!(s->flags & SLAB_TYPESAFE_BY_RCU))
			kmm_asan_unpoison(obj, s->object_size);
		if (gfp & __GFP_ZERO)
			memset(obj, 0, s->object_size);
		return obj;
	}
	return slab_alloc(s, gfp, NUMA_NO_NODE, caller, s ? s->object_size : 0);
}

void slab_free_outline(struct kmem_cache *s, void *obj, unsigned long caller)
{
	if (kmm_likely(s != NULL) && kmm_likely(kmem_cache_obj_ok(s, obj))) {
		/* before the push, as __kmem_cache_push() does: once there, a drain may move it */
		if (!(s->flags & SLAB_TYPESAFE_BY_RCU))
			kmm_asan_poison(obj, s->object_size);
		if (kmm_likely(kmem_cache_push(s, obj)))
			return;
	}
	slab_free(s, obj, "kmem_cache_free", caller);
}

/*
 * Bulk calls.  Each takes or gives back as many objects as the CPU's array
 * has (or has room for) in one restartable sequence, as the single-object
 * fast paths do one: the sequence copies the pointers between the caller's
 * array and the CPU's, and commits with the one store of the new top; a
 * sequence aborted restarts and copies again, so nothing is taken or given
 * twice.  When the array is empty or full (always, without rseq or while the
 * CPU is held), one object goes the slow way, which refills or flushes it.
 * The frees' checks are the single free's: every object is checked as
 * kmem_cache_free() checks it before any is pushed, and the double-free
 * compare with the array's top becomes, inside a batch, a compare with the
 * object before it.
 */

#ifdef KMM_HAVE_RSEQ
/* The operands of both batch sequences (see KMM_RSEQ_CPU_ARRAY), clobbers included. */
/* clang-format off */
#define ARRAY_BATCH_OPERANDS							\
	[ac] "=&r"(ac), [top] "=&r"(top), [k] "=&r"(k), [j] "=&r"(j),		\
	[obj] "=&r"(obj)							\
	: [off] "r"(__rseq_offset), [tab] "r"(kmm_cpu_fast), [s] "r"(s),	\
	  [p] "r"(p), [nr] "r"(nr), KMM_CPU_ARRAY_FIELDS			\
	: "memory", "cc"
/* clang-format on */
#endif

/*
 * array_pop_batch - move up to @nr objects (at least 1) from the top of the
 * CPU's array of @s to @p[0..], the top first.  Return: how many (0: empty).
 */
static inline size_t array_pop_batch(struct kmem_cache *s, void **p, size_t nr)
{
#ifdef KMM_HAVE_RSEQ
	struct array_cache *ac;
	unsigned long k, j;
	void **top;
	void *obj;

	/* the fenced array's entry is no pointer: an empty top (NULL) is tested first */
	/* clang-format off */
	asm volatile goto(
		KMM_RSEQ_CPU_ARRAY
		"testq %[top], %[top]\n\t"
		"jz %l[empty]\n\t"
		"movq %[top], %[k]\n\t"
		"subq %c[en](%[ac]), %[k]\n\t"
		"shrq $3, %[k]\n\t"
		"cmpq %[nr], %[k]\n\t"
		"cmovaq %[nr], %[k]\n\t"
		"testq %[k], %[k]\n\t"
		"jz %l[empty]\n\t"
		"xorl %k[j], %k[j]\n\t"
		"6:\n\t"
		"subq $8, %[top]\n\t"
		"movq (%[top]), %[obj]\n\t"
		"movq %[obj], (%[p], %[j], 8)\n\t"
		"addq $1, %[j]\n\t"
		"cmpq %[k], %[j]\n\t"
		"jb 6b\n\t"
		"movl $1, %c[to](%[ac])\n\t"
		"movq %[top], %c[tp](%[ac])\n\t"	/* commit */
		"2:\n\t"
		: ARRAY_BATCH_OPERANDS
		: empty);
	/* clang-format on */
	return k;
empty:
#else
	(void)s;
	(void)p;
	(void)nr;
#endif
	return 0;
}

/*
 * array_push_batch - move up to @nr checked objects (at least 1) of @s from
 * @p[0..] onto the CPU's array, in order.  Return: how many (0: the array is
 * full, or @p[0] is its top: a double free for the slow path to report).
 */
static inline size_t array_push_batch(struct kmem_cache *s, void *const *p, size_t nr)
{
#ifdef KMM_HAVE_RSEQ
	struct array_cache *ac;
	unsigned long k, j;
	void **top;
	void *obj;

	/* top[-1] is entry[-1], the cache, when the array is empty (see the top) */
	/* clang-format off */
	asm volatile goto(
		KMM_RSEQ_CPU_ARRAY
		"movq %c[ed](%[ac]), %[k]\n\t"
		"subq %[top], %[k]\n\t"
		"shrq $3, %[k]\n\t"
		"cmpq %[nr], %[k]\n\t"
		"cmovaq %[nr], %[k]\n\t"
		"testq %[k], %[k]\n\t"
		"jz %l[full]\n\t"
		"movq (%[p]), %[obj]\n\t"
		"cmpq %[obj], -8(%[top])\n\t"
		"je %l[full]\n\t"
		"xorl %k[j], %k[j]\n\t"
		"6:\n\t"
		"movq (%[p], %[j], 8), %[obj]\n\t"
		"movq %[obj], (%[top])\n\t"
		"addq $8, %[top]\n\t"
		"addq $1, %[j]\n\t"
		"cmpq %[k], %[j]\n\t"
		"jb 6b\n\t"
		"movq %[top], %c[tp](%[ac])\n\t"	/* commit */
		"2:\n\t"
		: ARRAY_BATCH_OPERANDS
		: full);
	/* clang-format on */
	return k;
full:
#else
	(void)s;
	(void)p;
	(void)nr;
#endif
	return 0;
}

int kmem_cache_alloc_bulk(struct kmem_cache *s, gfp_t gfp, size_t nr, void **p)
{
	unsigned long caller = (unsigned long)__builtin_return_address(0);
	size_t i = 0, k, j;

	while (i < nr) {
		k = kmm_likely(s != NULL) ? array_pop_batch(s, p + i, nr - i) : 0;
		if (!k) {
			p[i] = slab_alloc_outline(s, gfp, caller);
			if (kmm_unlikely(!p[i])) {
				kmem_cache_free_bulk(s, i, p);
				return 0;
			}
			i++;
			continue;
		}
		/* what slab_alloc_outline() does after its pop */
		for (j = i; j < i + k; j++) {
			if (!(s->flags & SLAB_TYPESAFE_BY_RCU))
				kmm_asan_unpoison(p[j], s->object_size);
			if (gfp & __GFP_ZERO)
				memset(p[j], 0, s->object_size);
		}
		i += k;
	}
	return (int)nr;
}

/*
 * checked_run - the end of the run of @p[@i..@nr) that kmem_cache_free(@s)
 * would push: objects of @s, each different from the one before it.
 */
static size_t checked_run(const struct kmem_cache *s, void *const *p, size_t i, size_t nr)
{
	size_t end;

	for (end = i; end < nr && kmem_cache_obj_ok(s, p[end]); end++)
		if (end > i && kmm_unlikely(p[end] == p[end - 1]))
			break;
	return end;
}

void kmem_cache_free_bulk(struct kmem_cache *s, size_t nr, void **p)
{
	unsigned long caller = (unsigned long)__builtin_return_address(0);
	bool poison = s && !(s->flags & SLAB_TYPESAFE_BY_RCU);
	size_t i = 0, good = 0, k;

	while (i < nr) {
		/*
		 * p[i..good): the run of objects kmem_cache_free() would push, each
		 * poisoned before it is on the array, as slab_free_outline() does
		 */
		if (good <= i) {
			good = s ? checked_run(s, p, i, nr) : i;
			for (k = i; poison && k < good; k++)
				kmm_asan_poison(p[k], s->object_size);
		}
		k = good > i ? array_push_batch(s, p + i, good - i) : 0;
		if (!k) {
			/* full, a double free or a bad pointer: the slow path flushes or reports */
			if (good > i && poison)
				kmm_asan_unpoison(p[i], s->object_size);
			slab_free(s, p[i], "kmem_cache_free", caller);
			k = 1;
		}
		i += k;
	}
}
