/* SPDX-License-Identifier: MIT */
/*
 * slab/slab.h - what the slab allocator's files share.
 *
 * A slab is 2^gfporder pages from the buddy allocator (a compound page when
 * gfporder > 0).  Its struct pages carry the slab's state, as the kernel's
 * struct slab overlays struct page:
 *   every page:  PG_slab, mapping = the cache, private = address of the first
 *                object (so kmem_cache_free() and kfree() check an object from
 *                any page of it);
 *   head page:   lru = slab_list (or the rcu_head while an RCU free
 *                is pending), index = the freelist, slab_inuse = active (objects
 *                in use).
 * The freelist is an array of unsigned short object indices: freelist[active..
 * num) are the free objects, popped from the front.  Behind it, a bit per
 * object says the object is free in the slab (on the freelist), so that every
 * object coming back to its slab is checked in O(1): a free of an object the
 * slab already holds (a double free that reached the slab, a wild pointer to a
 * free object) is reported and dropped, never put on the freelist twice.  For
 * slabs of at most 4 objects the freelist sits in the head page's `virtual`
 * word and the bits in slab_inline_free; in caches without a constructor or
 * RCU readers, inside the free object freelist[num - 1] (the last one handed
 * out; a free into a full slab moves it, and the bits, all clear in a full
 * slab, to the freed object), a word in (SLAB_OBJ_FREELIST_OFFSET); otherwise
 * at the end of the slab.
 *
 * Locking order:
 *   slab_mutex (cache.c: the cache list, creation, destruction, tuning; the
 *               physmap's slab_caches_snapshot() takes it alone)
 *     -> a CPU's lock (holding it: percpu/percpu.h)
 *     -> slab_batch_gate (slab.c, "Batches and fork": fork holds it while no
 *        batch may begin; a batch begun waits for nothing fork holds)
 *     -> kmem_cache_node.list_lock (one node's lists, shared array, counters)
 *       -> zone->lock (page allocator)
 * A CPU's arrays are touched by the inline fast paths (restartable sequences,
 * no lock) and otherwise only by a thread holding the CPU (percpu/percpu.h),
 * which takes list_lock and zone->lock inside, or, when list_lock is taken
 * already, lets the CPU go and waits for it without (slab.c, "Short holds");
 * other CPUs' arrays are only read, racily (ac_avail_racy(), array_holds()).
 * Constructors and page allocations that may sleep run with no CPU and no
 * list_lock held.
 */
#ifndef KMM_SLAB_INTERNAL_H
#define KMM_SLAB_INTERNAL_H

#include <pthread.h>
#include <kmm/slab.h>
#include "percpu/percpu.h"
#include "sync/lock.h"

/* The CPU's cache line: SLAB_HWCACHE_ALIGN, and the colour of descriptors and arrays. */
#define CACHE_LINE_SIZE 64

/* node_lock / node_unlock - a node's list_lock (taken inside a CPU's, if one is held). */
static inline void node_lock(struct kmem_cache_node *n)
{
	kmm_lock(&n->list_lock);
}

/* node_trylock - node_lock() if no one holds it: true if taken. */
static inline bool node_trylock(struct kmem_cache_node *n)
{
	return kmm_lock_try(&n->list_lock);
}

static inline void node_unlock(struct kmem_cache_node *n)
{
	kmm_unlock(&n->list_lock);
}

/*
 * kmalloc_redzoned - a red-zoned kmalloc cache also guards the bytes between
 * the size asked for and the object's end (SLUB's kmalloc red zone).
 */
static inline bool kmalloc_redzoned(const struct kmem_cache *s)
{
	return (s->flags & (SLAB_KMALLOC | SLAB_RED_ZONE)) == (SLAB_KMALLOC | SLAB_RED_ZONE);
}

/* The SLAB_* flags that make a debugging cache (slab/debug.c). */
#define SLAB_DEBUG_FLAGS                                                                           \
	(SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER | SLAB_TRACE)
#define SLAB_OBJ_MAX_NUM 65535 /* objects a slab may hold: indices are unsigned short */

/*
 * kmm_asan_poison / kmm_asan_unpoison - mark bytes unusable or usable for
 * AddressSanitizer when the program runs with it, whether or not libkmm was
 * built with it (weak references to the ASan runtime); nothing otherwise.
 */
void __asan_poison_memory_region(void const volatile *addr, size_t size) __attribute__((weak));
void __asan_unpoison_memory_region(void const volatile *addr, size_t size) __attribute__((weak));

static inline void kmm_asan_poison(const void *addr, size_t size)
{
	if (__asan_poison_memory_region)
		__asan_poison_memory_region(addr, size);
}

static inline void kmm_asan_unpoison(const void *addr, size_t size)
{
	if (__asan_unpoison_memory_region)
		__asan_unpoison_memory_region(addr, size);
}

/*
 * Valgrind's client requests (memcheck.h), for the caches that bypass the CPU
 * arrays when the program runs under Valgrind; no-ops without the header.
 */
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#else
#define RUNNING_ON_VALGRIND				  0
#define VALGRIND_MALLOCLIKE_BLOCK(addr, size, rz, zeroed) ((void)0)
#define VALGRIND_FREELIKE_BLOCK(addr, rz)		  ((void)0)
#define VALGRIND_MAKE_MEM_NOACCESS(addr, size)		  ((void)0)
#define VALGRIND_MAKE_MEM_DEFINED(addr, size)		  ((void)0)
#endif

/* Slab state in the head page. */
#define slab_freelist(page)	 ((unsigned short *)(page)->index)
#define slab_active(page)	 ((page)->slab_inuse)
#define SLAB_INLINE_FREELIST_MAX 4 /* objects whose indices fit in page->virtual */

/*
 * PG_slab_isolated (the head page's PG_owner_priv_1): the slab's freelist was
 * found corrupt, so the slab was taken out of service: it counts as full,
 * is never handed objects from again, and frees of its objects are dropped
 * (leaked, as the kernel's "Marking all objects used").
 */
#define PG_slab_isolated   PG_owner_priv_1
#define SlabIsolated(page) (((page)->flags >> PG_slab_isolated) & 1)

/*
 * A freelist inside a free object starts one word in: the first word of a
 * free object stays its own (the malloc front end keeps its double-free key
 * there, so the key survives the object holding the freelist).
 */
#define SLAB_OBJ_FREELIST_OFFSET sizeof(unsigned long)

/* slab_freelist_bytes - a freelist of @num objects with its free bits. */
static inline unsigned long slab_freelist_bytes(unsigned long num)
{
	return num * sizeof(unsigned short) + (num + 7) / 8;
}

/* slab_free_bits - the slab's bit per object, set while the object is on the freelist. */
static inline unsigned char *slab_free_bits(const struct kmem_cache *s, struct page *page)
{
	if (s->num <= SLAB_INLINE_FREELIST_MAX)
		return (unsigned char *)&page->slab_inline_free;
	return (unsigned char *)(slab_freelist(page) + s->num);
}

static inline bool slab_obj_free(const unsigned char *bits, unsigned int idx)
{
	return bits[idx / 8] & (1u << (idx % 8));
}

/* ac_avail / ac_set_avail - the objects in @ac (held, or a shared array under list_lock). */
static inline unsigned int ac_avail(const struct array_cache *ac)
{
	return (unsigned int)(ac->top - ac->entry);
}

static inline void ac_set_avail(struct array_cache *ac, unsigned int avail)
{
	ac->top = ac->entry + avail;
}

/* ac_avail_racy - ac_avail() of another CPU's array: 0 to its limit, whatever it is doing. */
static inline unsigned int ac_avail_racy(const struct array_cache *ac)
{
	void **entry = __atomic_load_n(&ac->entry, __ATOMIC_ACQUIRE);
	void **top = __atomic_load_n(&ac->top, __ATOMIC_RELAXED);
	unsigned int limit = __atomic_load_n(&ac->limit, __ATOMIC_RELAXED);

	if (!entry || top < entry)
		return 0;
	return top - entry < (long)limit ? (unsigned int)(top - entry) : limit;
}

extern struct list_head slab_caches;
extern pthread_mutex_t slab_mutex;

/*
 * no_cache - @s is no cache: NULL, or kmm_unmade_cache, which stands in
 * kmm_kmalloc_caches[][]'s empty slots (so a program that passes such a slot on,
 * as it would a NULL one, is treated as with NULL).
 */
static inline bool no_cache(const struct kmem_cache *s)
{
	return !s || s == &kmm_unmade_cache;
}

static inline struct page *obj_to_head(const void *obj)
{
	return compound_head(virt_to_page(obj));
}

/* A whole number of objects from the first: divide exactly by multiplying, as kmem_cache_obj_ok(). */
static inline unsigned int obj_to_index(const struct kmem_cache *s, const struct page *page,
					const void *obj)
{
	return (unsigned int)((((unsigned long)obj - page->private) >> s->obj_shift) *
			      s->obj_inverse);
}

static inline void *index_to_obj(const struct kmem_cache *s, const struct page *page,
				 unsigned int idx)
{
	return (void *)(page->private + (unsigned long)idx * s->size);
}

/*
 * SLAB_OWN - a cache of the library's own objects (vmalloc's vm_struct and
 * vmap_area): no CPU arrays (every allocation and free takes the slow path),
 * destroy ignored as for a boot cache, and a program's free of one of its
 * objects (kfree(), kmem_cache_free()) is reported and refused; only
 * kmem_cache_free_own() frees them.  Not a flag kmem_cache_create() takes.
 */
#define SLAB_OWN ((slab_flags_t)0x80000000U)
/* kmem_cache_create_own - a SLAB_OWN cache of @size-byte objects; NULL without memory. */
struct kmem_cache *kmem_cache_create_own(const char *name, unsigned int size);
/* kmem_cache_free_own - the library's free of @obj, an object of the SLAB_OWN cache @s; NULL is ignored. */
void kmem_cache_free_own(struct kmem_cache *s, void *obj);

/*
 * slab_cache_live - is @s a cache kmem_cache_create() made and
 * kmem_cache_destroy() has not destroyed?  Reads nothing outside the direct
 * map.  slab_cache_check() reports the call (naming @call) when it is not;
 * both are for the slow paths, never the inline ones.
 */
/* kmem_cache_node_offset - where a descriptor's node lists start: past cpu_array[nr_cpu_ids - 1]. */
static inline size_t kmem_cache_node_offset(void)
{
	return offsetof(struct kmem_cache, cpu_array) +
	       (size_t)nr_cpu_ids * sizeof(struct array_cache);
}

/*
 * kmem_cache_bytes - the bytes of a descriptor on this machine: up to
 * cpu_array[nr_cpu_ids - 1], then a kmem_cache_node per online node, cache lines
 * whole.
 */
static inline size_t kmem_cache_bytes(void)
{
	size_t bytes = kmem_cache_node_offset() +
		       (size_t)kmm_nr_online_nodes * sizeof(struct kmem_cache_node);

	return (bytes + CACHE_LINE_SIZE - 1) & ~(size_t)(CACHE_LINE_SIZE - 1);
}

/* The cache of descriptors (cache.c): every descriptor but its own is one of its objects. */
extern struct kmem_cache *kmem_cache_cachep;
/* kmem_cache_bytes() of the machine, kept as the boot makes kmem_cache_cachep (cache.c). */
extern size_t slab_descriptor_bytes;

/*
 * slab_descriptor_page - may @s be a cache descriptor: a cache line of the
 * direct map in an object page of kmem_cache_cachep, or kmem_cache_cachep's
 * own (pages of the library's own)?
 */
static inline bool slab_descriptor_page(const struct kmem_cache *s)
{
	unsigned long off = (unsigned long)s - kmm_page_offset;
	const struct page *page;

	/* no direct map before boot */
	if (off >= kmm_direct_map_bytes || kmm_direct_map_bytes - off < slab_descriptor_bytes ||
	    (off & (CACHE_LINE_SIZE - 1)))
		return false;
	page = virt_to_page(s);
	if (PageSlab(page))
		return page->mapping == kmem_cache_cachep;
	return s == kmem_cache_cachep;
}

static inline bool slab_cache_live(const struct kmem_cache *s)
{
	return slab_descriptor_page(s) && __atomic_load_n(&s->self, __ATOMIC_RELAXED) == s;
}

bool slab_cache_check(const char *call, const struct kmem_cache *s);

/* slab.c: objects */
/*
 * slab_free - __kmem_cache_free(), with reports naming @call (kfree frees
 * through it too); @caller is the return address into the program.
 */
void slab_free(struct kmem_cache *s, void *obj, const char *call, unsigned long caller);
/*
 * slab_alloc_outline / slab_free_outline - kmem_cache_alloc()/kmem_cache_free()
 * for the out-of-line calls (bulk, exports): the fast paths, with ASan
 * poisoning through the runtime whatever libkmm's build (slab.c).
 */
void *slab_alloc_outline(struct kmem_cache *s, gfp_t gfp, unsigned long caller);
void slab_free_outline(struct kmem_cache *s, void *obj, unsigned long caller);
/*
 * slab_object_free - is @obj, an object of @s, free: on the calling CPU's
 * array, on another CPU's (a racy look), on a node's shared array, or free
 * in its slab?  For a suspected double free; takes the node locks.
 */
bool slab_object_free(struct kmem_cache *s, const void *obj);
/*
 * Batches (slab.c, "Batches and fork"): work on the lists with neither a CPU
 * nor slab_mutex held, from taking objects or slabs off a list to destroying
 * the slabs freed.  slab_batch_begin() may wait for a fork in progress: no
 * list_lock, zone lock or batch held.  slab_batches_stop() (fork, every CPU
 * held) lets no batch begin and waits for those in flight to end;
 * slab_batches_resume() lets them begin again, in the parent or the child.
 */
void slab_batch_begin(void);
void slab_batch_end(void);
void slab_batches_stop(void);
void slab_batches_resume(bool child);
/* kmalloc_slab_alloc - @size bytes from @s, a kmalloc cache, on @node; for __kmalloc_node(). */
void *kmalloc_slab_alloc(struct kmem_cache *s, gfp_t flags, int node, size_t size,
			 unsigned long caller);
void free_block(struct kmem_cache *s, void **objs, int nr, int node, struct list_head *list);
void slabs_destroy(struct kmem_cache *s, struct list_head *list);
/* drain_freelist - release up to @tofree free slabs of node @n; list_lock not held. */
int drain_freelist(struct kmem_cache *s, struct kmem_cache_node *n, int tofree);
/* release_cpu_array - give all of @ac back to its node and free it (@cpu held). */
void release_cpu_array(struct kmm_cpu *cpu, struct array_cache *ac);
/* drain_array_objects - give up to @nr objects of @ac back to node @node. */
void drain_array_objects(struct kmem_cache *s, struct array_cache *ac, int node, int nr);
/* alloc_shared_array / free_shared_array - a node's shared array of @limit objects of @s. */
struct array_cache *alloc_shared_array(struct kmem_cache *s, unsigned int limit);
void free_shared_array(struct array_cache *ac);
/*
 * slab_own_alloc / slab_own_free - @bytes of the library's own pages for an
 * array (or kmem_cache_cachep's own descriptor), starting at the next cache colour (slab.c); freed
 * with the same @bytes.
 */
void *slab_own_alloc(size_t bytes, gfp_t gfp);
void slab_own_free(void *p, size_t bytes);

/* A cache as the physmap (stat/physmap.c) names the frames of its slabs. */
struct kmem_cache_snapshot {
	const struct kmem_cache *cachep; /* the descriptor: compared, never dereferenced */
	char name[64];			 /* its name when the snapshot was taken */
};
/*
 * slab_caches_snapshot - copy the first @max caches of slab_caches, in list
 * order, into @snap.  Takes slab_mutex, and no other lock.  Return: the
 * number of caches on the list, which may be more than @max (so @max 0
 * counts them).
 */
unsigned long slab_caches_snapshot(struct kmem_cache_snapshot *snap, unsigned long max);

/* Flags slab and kmalloc memory must not carry: the kernel's GFP_SLAB_BUG_MASK. */
#define GFP_SLAB_BUG_MASK (__GFP_DMA32 | __GFP_HIGHMEM | ~__GFP_BITS_MASK)
/* slab_fix_gfp - report @flags' GFP_SLAB_BUG_MASK bits (naming @call) and drop them. */
gfp_t slab_fix_gfp(const char *call, gfp_t flags);

/* debug.c: slub_debug= and the debugging caches */
/*
 * slab_under_memcheck - the program runs under Valgrind's memcheck (not any
 * Valgrind tool: callgrind counts the fast paths as they are).
 */
extern bool slab_under_memcheck;
/* slab_debug_flags - @flags with the slub_debug= flags for the cache @name added. */
slab_flags_t slab_debug_flags(const char *name, slab_flags_t flags);
/* slab_debug_layout - red zones and tracks: set red_left_pad, inuse and size. */
void slab_debug_layout(struct kmem_cache *s);
void slab_debug_init_object(struct kmem_cache *s, void *obj);
/* slab_on_freelist - is @obj free in its slab @page?  list_lock held. */
static inline bool slab_on_freelist(const struct kmem_cache *s, struct page *page, const void *obj)
{
	/* a full slab holds nothing free (its bits may be in a handed-out object) */
	return slab_active(page) != s->num &&
	       slab_obj_free(slab_free_bits(s, page), obj_to_index(s, page, obj));
}
/*
 * slab_debug_alloc - check and mark @obj, just taken from @page; records
 * @caller, and in red-zoned kmalloc caches @orig_size, the bytes asked for.
 */
void slab_debug_alloc(struct kmem_cache *s, struct page *page, void *obj, unsigned long caller,
		      unsigned int orig_size);
/* slab_kmalloc_whole - ksize() handed out all of @obj: its kmalloc red zone goes. */
void slab_kmalloc_whole(struct kmem_cache *s, void *obj);
/* slab_debug_free - check @obj before it goes back to @page: false (reported) to refuse. */
bool slab_debug_free(struct kmem_cache *s, struct page *page, void *obj, const char *call,
		     unsigned long caller);

/*
 * slab_report_freelist_corrupt - "BUG <cache>: Freelist corrupt" for @page,
 * whose freelist entry @pos is @idx, a slot that is not free; then "FIX:
 * Marking all objects used".  list_lock held.
 */
void slab_report_freelist_corrupt(const struct kmem_cache *s, const struct page *page,
				  unsigned int pos, unsigned int idx);

/*
 * slab_report_destroy_busy - "kmem_cache_destroy <cache>: Slab cache still has
 * objects", @objects of them; a KUnit test counting slab errors counts it as
 * SLUB's report of the same (its banner and a line per object).
 */
void slab_report_destroy_busy(const struct kmem_cache *s, unsigned long objects);

/* cache.c: reports */
void slab_report(const char *call, const struct kmem_cache *s, const void *obj, const char *what);

#endif /* KMM_SLAB_INTERNAL_H */
