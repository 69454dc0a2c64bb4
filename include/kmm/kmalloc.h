/* SPDX-License-Identifier: MIT */
/*
 * kmm/kmalloc.h - kmalloc() and the k* helpers (<linux/slab.h>, with kstrdup()
 * and friends of <linux/string.h> and kfree_rcu() of <linux/rcupdate.h>).
 * Included by <kmm/slab.h>.
 *
 * kmalloc() serves a request from a family of general slab caches whose sizes
 * and names come from kmm_kmalloc_info[]: 8, 16, 32, 64, 96, 128, 192, 256, ...
 * KMALLOC_MAX_CACHE_SIZE bytes, one family per cache type (normal, DMA,
 * reclaimable).  The kernel's tables find the cache of a size: the 24-entry
 * kmm_kmalloc_size_index[] up to 192 bytes, fls(size - 1) above (for a variable
 * size of the normal family, worked out per 8 bytes in one table of caches,
 * kmm_kmalloc_normal_by_8[]).  Larger requests,
 * up to KMALLOC_MAX_SIZE, go to the page allocator as compound pages
 * (kmalloc_large()).  kfree() takes all of these and any kmem_cache object: the
 * struct page of the address says what it is.  Power-of-two sizes are
 * naturally aligned; 96 and 192 byte objects are 8-byte aligned.
 *
 * The fast paths are inline: kmalloc() finds its cache (at compile time for a
 * constant size) and pops the calling CPU's array with kmem_cache_alloc();
 * kfree() reads the cache from the slab map and pushes the object on the array.
 * Everything else (zero and large sizes, a call before boot, bad pointers) is out
 * of line.
 *
 * The caches are made at boot, as the kernel's kmem_cache_init() makes them;
 * before any machine is booted every kmm_kmalloc_caches[][] entry is
 * &kmm_unmade_cache, and the first kmalloc boots one from KMM_CMDLINE.
 *
 * Context: any thread.  Flags that allow direct reclaim (GFP_KERNEL) may run
 * reclaim.  kfree() may be called from any thread, not only the allocating one.
 */
#ifndef KMM_KMALLOC_H
#define KMM_KMALLOC_H

#include <stdarg.h>
#include <kmm/slab.h>

KMM_BEGIN_DECLS

/* Sizes: caches from 2^KMALLOC_SHIFT_LOW to 2^KMALLOC_SHIFT_HIGH bytes (SLUB's choice). */
#define KMALLOC_SHIFT_LOW      3
#define KMALLOC_SHIFT_HIGH     (PAGE_SHIFT + 1)
#define KMALLOC_SHIFT_MAX      (MAX_PAGE_ORDER + PAGE_SHIFT)
#define KMALLOC_MIN_SIZE       (1UL << KMALLOC_SHIFT_LOW)
#define KMALLOC_MAX_CACHE_SIZE (1UL << KMALLOC_SHIFT_HIGH)
/* KMALLOC_MAX_SIZE (the largest buddy block, 4 MiB) is in <kmm/slab.h>. */
_Static_assert(KMALLOC_MAX_SIZE == 1UL << KMALLOC_SHIFT_MAX, "kmalloc_large() tops out there");

/* kmalloc(0) returns ZERO_SIZE_PTR: not NULL, faults when touched, and kfree() takes it. */
#define ZERO_SIZE_PTR	    ((void *)16)
#define ZERO_OR_NULL_PTR(x) ((unsigned long)(x) <= (unsigned long)ZERO_SIZE_PTR)

/* The cache families, by the GFP flags of the request (see kmalloc_type()). */
enum kmalloc_cache_type {
	KMALLOC_NORMAL = 0, /* kmalloc-<size> */
	KMALLOC_RECLAIM,    /* kmalloc-rcl-<size>: __GFP_RECLAIMABLE, counted in SReclaimable */
	KMALLOC_DMA,	    /* dma-kmalloc-<size>: GFP_DMA, slabs in ZONE_DMA */
	NR_KMALLOC_TYPES
};

/* The flags that choose a family other than KMALLOC_NORMAL. */
#define KMALLOC_NOT_NORMAL_BITS (__GFP_RECLAIMABLE | __GFP_DMA)

/*
 * kmm_kmalloc_info - name (of the normal family) and object size of each cache
 * index: 0 is none, 1 is kmalloc-96, 2 is kmalloc-192, n >= 3 is kmalloc-2^n,
 * up to 26 (kmalloc-64M); the caches exist up to KMALLOC_SHIFT_HIGH.
 */
struct kmalloc_info_struct {
	const char *name;  /* "kmalloc-96", "kmalloc-4k", ... */
	unsigned int size; /* object size in bytes */
};
extern const struct kmalloc_info_struct kmm_kmalloc_info[];

/* kmm_kmalloc_size_index - the cache index of sizes 1..192, by (size - 1) / 8. */
extern const unsigned char kmm_kmalloc_size_index[24];

/*
 * kmm_kmalloc_caches - each family's caches by index.  A slot with no cache (every
 * slot while no machine is booted, and index 0) holds &kmm_unmade_cache: a cache
 * of no objects whose CPU arrays are all empty, so that kmalloc()'s inline
 * path needs no test for it and its slow path makes the caches first.
 */
extern struct kmem_cache *kmm_kmalloc_caches[NR_KMALLOC_TYPES][KMALLOC_SHIFT_HIGH + 1];
/*
 * kmm_kmalloc_normal_by_8 - the normal family's cache of every size up to
 * KMALLOC_MAX_CACHE_SIZE, by (size - 1) / 8: kmm_kmalloc_caches[KMALLOC_NORMAL]
 * of the size's index, worked out for each 8 bytes, so that kmalloc() of a
 * variable size finds its cache with one load and no branch on the size (which
 * random sizes would mispredict).  Filled as the caches are made.
 */
extern struct kmem_cache *kmm_kmalloc_normal_by_8[KMALLOC_MAX_CACHE_SIZE / 8];

/* kmalloc_type - the family of a request: GFP_DMA first, then __GFP_RECLAIMABLE. */
static kmm_always_inline enum kmalloc_cache_type kmalloc_type(gfp_t flags)
{
	if (kmm_likely((flags & KMALLOC_NOT_NORMAL_BITS) == 0))
		return KMALLOC_NORMAL;
	return (flags & __GFP_DMA) ? KMALLOC_DMA : KMALLOC_RECLAIM;
}

/*
 * kmalloc_index - the kmm_kmalloc_info[] index whose size holds @size bytes: 0 for
 * 0, 1 for 65..96, 2 for 129..192, else the power of two ceil(log2(size)), at
 * least KMALLOC_SHIFT_LOW.  Any size: above 64M the index is past the table.
 * Folds to a constant for a constant size.
 */
static kmm_always_inline unsigned int kmalloc_index(size_t size)
{
	if (!size)
		return 0;
	if (size <= KMALLOC_MIN_SIZE)
		return KMALLOC_SHIFT_LOW;
	if (size > 64 && size <= 96)
		return 1;
	if (size > 128 && size <= 192)
		return 2;
	return (unsigned int)(64 - __builtin_clzl(size - 1));
}

/*
 * kmalloc_size_to_index - kmalloc_index() the way a variable size goes: the
 * size-index table up to 192 bytes, fls(size - 1) above.  @size is 1 ..
 * KMALLOC_MAX_CACHE_SIZE.
 */
static kmm_always_inline unsigned int kmalloc_size_to_index(size_t size)
{
	if (size <= 192)
		return kmm_kmalloc_size_index[(size - 1) / 8];
	return (unsigned int)(32 - __builtin_clz((unsigned int)(size - 1)));
}

/*
 * kmalloc_slab - the cache kmalloc(@size, @flags) allocates from (making the
 * kmalloc caches if this machine has none yet).
 * Return: the cache; NULL for 0, for sizes above KMALLOC_MAX_CACHE_SIZE (they
 * are kmalloc_large()'s), or if the caches cannot be made.
 */
struct kmem_cache *kmalloc_slab(size_t size, gfp_t flags);

/* The out-of-line paths of kmalloc(), kmalloc_node() and kfree(). */
void *__kmalloc(size_t size, gfp_t flags);
/*
 * __kmalloc_cache - @size bytes from @s, its kmalloc cache, when the CPU's
 * array is empty (always, for kmm_unmade_cache: then the caches are made first).
 */
void *__kmalloc_cache(struct kmem_cache *s, gfp_t flags, size_t size);

/*
 * Under AddressSanitizer, the bytes of a kmalloc object beyond the size asked
 * for stay poisoned (until ksize() or krealloc() hands them out), so ASan
 * reports an overflow into them.  Other builds compile none of this.
 */
#ifdef KMM_ASAN
#define kmm_asan_kmalloc_tail(s, obj, size)                                                        \
	ASAN_POISON_MEMORY_REGION((char *)(obj) + (size), (s)->object_size - (size))
#else
#define kmm_asan_kmalloc_tail(s, obj, size) ((void)0)
#endif
void *__kmalloc_node(size_t size, gfp_t flags, int node);
void __kfree(const void *obj);

/**
 * kmalloc_large_node - @size bytes straight from the page allocator: a compound
 * page of order get_order(@size) on node @node (NUMA_NO_NODE: the caller's),
 * marked as a large kmalloc (PG_large_kmalloc) and counted in SUnreclaim.
 * Return: its address, or NULL; above KMALLOC_MAX_SIZE, NULL with a warning
 * unless __GFP_NOWARN.  Free with kfree().
 */
void *kmalloc_large_node(size_t size, gfp_t flags, int node);
/* kmalloc_large - kmalloc_large_node() on any node. */
void *kmalloc_large(size_t size, gfp_t flags);

/* The page type of a large kmalloc's head page (a cleared bit, as mm.h's PG_buddy). */
#define PG_large_kmalloc 0x00001000u

static inline bool PageLargeKmalloc(const struct page *page)
{
	return PageType(page, PG_large_kmalloc);
}

#ifndef KMM_NO_INLINE
/**
 * kmalloc - @size bytes.
 * @flags: GFP flags: GFP_KERNEL (may reclaim), GFP_ATOMIC or GFP_NOWAIT (never
 *         waits); GFP_DMA for memory below 16 MiB, __GFP_RECLAIMABLE for objects
 *         a shrinker can free, __GFP_ZERO to zero the object, __GFP_NOWARN.
 *
 * The object holds ksize() bytes, its cache's size (a power of two, 96 or 192);
 * a power-of-two size is aligned to itself.
 * Context: any thread.
 * Return: the object; ZERO_SIZE_PTR for 0; NULL when memory runs out, or, with
 * a warning unless __GFP_NOWARN, for sizes above KMALLOC_MAX_SIZE.
 */
static kmm_always_inline void *kmalloc(size_t size, gfp_t flags)
{
	struct kmem_cache *s;
	void *obj;

	if (__builtin_constant_p(size)) {
		if (!size)
			return ZERO_SIZE_PTR;
		if (size > KMALLOC_MAX_CACHE_SIZE)
			return kmalloc_large(size, flags);
		s = kmm_kmalloc_caches[kmalloc_type(flags)][kmalloc_index(size)];
	} else if (kmm_unlikely(size - 1 >= KMALLOC_MAX_CACHE_SIZE)) {
		return __kmalloc(size, flags);
	} else if (kmm_likely(kmalloc_type(flags) == KMALLOC_NORMAL)) {
		/* kmalloc_size_to_index() and the cache in one, the checks for 0 and large sizes folded in */
		s = kmm_kmalloc_normal_by_8[(size - 1) / 8];
	} else {
		s = kmm_kmalloc_caches[kmalloc_type(flags)][kmalloc_size_to_index(size)];
	}
	if (kmm_likely(kmem_cache_alloc_fast(s, flags, &obj))) {
		kmm_asan_kmalloc_tail(s, obj, size);
		return obj;
	}
	return __kmalloc_cache(s, flags, size);
}

/* kmalloc_node - kmalloc() with the memory on node @node (NUMA_NO_NODE: any). */
static kmm_always_inline void *kmalloc_node(size_t size, gfp_t flags, int node)
{
	if (__builtin_constant_p(node) && node == NUMA_NO_NODE)
		return kmalloc(size, flags);
	return __kmalloc_node(size, flags, node);
}

/* kzalloc - kmalloc() zeroed. */
static kmm_always_inline void *kzalloc(size_t size, gfp_t flags)
{
	return kmalloc(size, flags | __GFP_ZERO);
}

/* kzalloc_node - kmalloc_node() zeroed. */
static kmm_always_inline void *kzalloc_node(size_t size, gfp_t flags, int node)
{
	return kmalloc_node(size, flags | __GFP_ZERO, node);
}

/* kmalloc_array - @n objects of @size bytes; NULL if @n * @size overflows. */
static kmm_always_inline void *kmalloc_array(size_t n, size_t size, gfp_t flags)
{
	size_t bytes;

	if (kmm_unlikely(__builtin_mul_overflow(n, size, &bytes)))
		return NULL;
	return kmalloc(bytes, flags);
}

/* kcalloc - kmalloc_array() zeroed. */
static kmm_always_inline void *kcalloc(size_t n, size_t size, gfp_t flags)
{
	return kmalloc_array(n, size, flags | __GFP_ZERO);
}

/**
 * kfree - free an object of kmalloc(), kmalloc_large() or any kmem_cache.
 *
 * NULL and ZERO_SIZE_PTR are ignored.  An address that is not the start of a
 * slab object or of a large kmalloc (a stack or global address, a pointer
 * into an object, a freed large kmalloc), or the object freed just before on
 * this CPU (a double free), is reported in one line naming kfree and the
 * address, and the free is refused; an object its slab holds free already is
 * refused when it reaches the slab, as kmem_cache_free() says.
 * Context: any thread.
 */
static kmm_always_inline void kfree(const void *objp)
{
	void *obj = (void *)objp;
	const struct kmm_slab_map_entry *e;

	/* Objects of a slab: the slab map names the cache, whichever page of the slab. */
	if (kmm_likely(slab_map_entry(obj, &e))) {
		struct kmem_cache *s = e->cache;

		if (kmm_likely(s != NULL && slab_obj_index_ok(s, &e->first, obj) &&
			       kmem_cache_push(s, obj)))
			return;
	}
	__kfree(obj);
}
#else  /* KMM_NO_INLINE (<kmm/slab.h>): the same calls, out of line */
void *kmalloc(size_t size, gfp_t flags);
void *kmalloc_node(size_t size, gfp_t flags, int node);
void *kzalloc(size_t size, gfp_t flags);
void *kzalloc_node(size_t size, gfp_t flags, int node);
void *kmalloc_array(size_t n, size_t size, gfp_t flags);
void *kcalloc(size_t n, size_t size, gfp_t flags);
void kfree(const void *objp);
#endif /* KMM_NO_INLINE */

/*
 * The 6.12 spellings of allocation profiling (alloc_hooks()): the same calls.
 * __kmalloc_cache_noprof() is kmalloc() of @size bytes from the cache @s, a
 * kmalloc cache or one created with SLAB_KMALLOC (its kmalloc red zone covers
 * the bytes past @size).
 */
#define kmalloc_noprof	      kmalloc
#define kmalloc_node_noprof   kmalloc_node
#define kzalloc_noprof	      kzalloc
#define kmalloc_array_noprof  kmalloc_array
#define kcalloc_noprof	      kcalloc
#define __kmalloc_noprof      __kmalloc
#define __kmalloc_node_noprof __kmalloc_node
#define krealloc_noprof	      krealloc
#define kmemdup_noprof	      kmemdup
#define kmalloc_large_noprof  kmalloc_large
void *__kmalloc_cache_noprof(struct kmem_cache *s, gfp_t flags, size_t size);
void *__kmalloc_cache_node_noprof(struct kmem_cache *s, gfp_t flags, int node, size_t size);

/*
 * ksize - the bytes usable in the object @obj: its cache's object size, or
 * the whole compound page of a large kmalloc.  0 for NULL and ZERO_SIZE_PTR;
 * 0 with a report for an address kfree() would refuse.
 */
size_t ksize(const void *obj);

/*
 * kmalloc_size_roundup - the size kmalloc(@size) really gives (what ksize()
 * will say): the cache's size, or whole pages above KMALLOC_MAX_CACHE_SIZE.
 * @size itself for 0 and above KMALLOC_MAX_SIZE.
 */
size_t kmalloc_size_roundup(size_t size);

/**
 * krealloc - resize @p to @new_size bytes, keeping its contents.
 *
 * If the object already holds @new_size bytes (ksize()), @p itself is
 * returned; otherwise a new object gets the contents and @p is freed.  With
 * __GFP_ZERO, bytes past the old contents are zero if every earlier allocation
 * of the object asked for __GFP_ZERO too.  krealloc(NULL, n) is kmalloc(n);
 * krealloc(p, 0) frees @p and returns ZERO_SIZE_PTR.
 * Return: the object; NULL (and @p untouched) when memory runs out, or with a
 * report when @p is not an object kfree() would take.
 */
void *krealloc(const void *p, size_t new_size, gfp_t flags);

/* krealloc_array - krealloc() to @new_n objects of @new_size bytes; NULL on overflow. */
static inline void *krealloc_array(void *p, size_t new_n, size_t new_size, gfp_t flags)
{
	size_t bytes;

	if (kmm_unlikely(__builtin_mul_overflow(new_n, new_size, &bytes)))
		return NULL;
	return krealloc(p, bytes, flags);
}

/*
 * kfree_sensitive - zero all ksize() bytes of @p (keys, passwords), then kfree()
 * it.  The zeroing is not optimised away.
 */
void kfree_sensitive(const void *p);

/* kmemdup - a kmalloc() copy of @len bytes at @src. */
void *kmemdup(const void *src, size_t len, gfp_t gfp);
/* kmemdup_nul - a kmalloc() copy of @len bytes at @s and a terminating NUL; NULL for NULL. */
char *kmemdup_nul(const char *s, size_t len, gfp_t gfp);
/* kstrdup - a kmalloc() copy of the string @s; NULL for NULL. */
char *kstrdup(const char *s, gfp_t gfp);
/* kstrndup - kstrdup() of at most @max characters of @s, NUL-terminated. */
char *kstrndup(const char *s, size_t max, gfp_t gfp);
/*
 * kstrdup_const - @s itself if it is read-only data of the program (a string
 * literal: the kernel's .rodata), else kstrdup().  Free with kfree_const().
 */
const char *kstrdup_const(const char *s, gfp_t gfp);
/* kfree_const - kfree() @x unless it is read-only data (see kstrdup_const()). */
void kfree_const(const void *x);
/* kasprintf - a kmalloc() string printed from @fmt; NULL when memory runs out. */
char *kasprintf(gfp_t gfp, const char *fmt, ...) kmm_format(2, 3);
/* kvasprintf - kasprintf() with a va_list. */
char *kvasprintf(gfp_t gfp, const char *fmt, va_list ap) kmm_format(2, 0);

/*
 * RCU-deferred frees, on liburcu (its default flavour, <urcu.h>): struct
 * rcu_head is liburcu's.  The object is freed after a grace period: once every
 * rcu_read_lock() section that was running when the free was asked for has
 * ended.  rcu_barrier() waits for every pending free; kmm_exit() does so too.
 */
struct rcu_head;

/*
 * kvfree_call_rcu - the body of kfree_rcu() (@head inside the object @ptr) and
 * of kfree_rcu_mightsleep() (@head NULL: wait for a grace period now, then
 * kvfree()).  @ptr must be an object kfree() takes or the start of a vmalloc
 * area (kvfree_rcu() of kvmalloc() memory), and @head must lie in it;
 * otherwise the call is reported and refused.  Context: with @head, any
 * thread; without, a thread that may sleep and is not in an RCU read-side
 * critical section.
 */
void kvfree_call_rcu(struct rcu_head *head, void *ptr);

/*
 * kfree_rcu - kfree(@ptr) after a grace period; @rhf names the struct rcu_head
 * member of *@ptr that carries the request.  NULL is ignored.  The callback
 * finds the object from the rcu_head's address alone.
 */
#define kfree_rcu(ptr, rhf)                                                                        \
	do {                                                                                       \
		__typeof__(ptr) ___kfree_rcu_p = (ptr);                                            \
                                                                                                   \
		if (___kfree_rcu_p)                                                                \
			kvfree_call_rcu(&___kfree_rcu_p->rhf, (void *)___kfree_rcu_p);             \
	} while (0)

/* kvfree_rcu - kfree_rcu() for kvmalloc() memory too (kmalloc or vmalloc): the kernel's name. */
#define kvfree_rcu(ptr, rhf) kfree_rcu(ptr, rhf)

/* kfree_rcu_mightsleep - kfree(@ptr) after a grace period waited for here (no rcu_head). */
#define kfree_rcu_mightsleep(ptr)                                                                  \
	do {                                                                                       \
		__typeof__(ptr) ___kfree_rcu_p = (ptr);                                            \
                                                                                                   \
		if (___kfree_rcu_p)                                                                \
			kvfree_call_rcu(NULL, (void *)___kfree_rcu_p);                             \
	} while (0)

/* kvfree_rcu_mightsleep - kfree_rcu_mightsleep() for kvmalloc() memory too. */
#define kvfree_rcu_mightsleep(ptr) kfree_rcu_mightsleep(ptr)

KMM_END_DECLS

#endif /* KMM_KMALLOC_H */
