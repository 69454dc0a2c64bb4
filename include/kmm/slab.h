/* SPDX-License-Identifier: MIT */
/*
 * kmm/slab.h - slab caches (<linux/slab.h>), the kernel's SLAB allocator.
 *
 * A cache hands out objects of one size.  Objects live in slabs (one or more
 * pages from the buddy allocator); each node keeps its slabs on three lists
 * (full, partial, free).  In front of the lists, every CPU has an array
 * cache: kmem_cache_alloc() pops the array of the CPU the thread runs on,
 * kmem_cache_free() pushes, inline, in a restartable sequence, with no lock
 * and no atomic instruction (<kmm/percpu.h>).  An empty array is refilled
 * with batchcount objects from the node (the shared array, then the slabs,
 * growing the cache when needed); a full one flushes batchcount objects back.
 *
 * Context: every call may be made from any thread.  kmem_cache_alloc() with a
 * GFP mask that may sleep can run reclaim.  kmem_cache_create()/destroy()/
 * shrink() take every CPU over in turn: do not call them from a
 * constructor or a shrinker.
 *
 * The fast paths are inline.  Code that defines KMM_NO_INLINE before including
 * any libkmm header (a port whose own headers declare these calls, or which
 * must not see struct kmem_cache) gets the same calls out of line instead:
 * libkmm exports every inline call of its headers under its kernel name, as a
 * weak symbol, so a program may also define one itself without redirecting
 * libkmm's own calls.
 */
#ifndef KMM_SLAB_H
#define KMM_SLAB_H

#include <string.h>
#include <kmm/gfp.h>
#include <kmm/mm.h>
#include <kmm/percpu.h>
#include <kmm/types.h>

KMM_BEGIN_DECLS

typedef unsigned int slab_flags_t;

/*
 * Flags of kmem_cache_create(), with 6.12's values for Debian's amd64
 * configuration with fault injection (CONFIG_FAILSLAB, which libkmm implements):
 * each flag's bit is its place in the kernel's enum _slab_flag_bits, and flags
 * of options that configuration leaves out (SLAB_DEBUG_OBJECTS, SLAB_KASAN)
 * are 0.  The test build checks every value against the packaged kernel's
 * headers (tests/kernel/flags/).
 */
#define SLAB_CONSISTENCY_CHECKS ((slab_flags_t)0x00000001U) /* debug: check on free */
#define SLAB_RED_ZONE		((slab_flags_t)0x00000002U) /* debug: red zones */
#define SLAB_POISON		((slab_flags_t)0x00000004U) /* debug: poison free objects */
#define SLAB_KMALLOC		((slab_flags_t)0x00000008U) /* a kmalloc cache */
#define SLAB_HWCACHE_ALIGN	((slab_flags_t)0x00000010U) /* align objects to cache lines */
#define SLAB_CACHE_DMA		((slab_flags_t)0x00000020U) /* slabs from ZONE_DMA */
#define SLAB_CACHE_DMA32	((slab_flags_t)0x00000040U) /* slabs from ZONE_DMA32 */
#define SLAB_STORE_USER		((slab_flags_t)0x00000080U) /* debug: record callers */
#define SLAB_PANIC		((slab_flags_t)0x00000100U) /* abort if creation fails */
#define SLAB_TYPESAFE_BY_RCU	((slab_flags_t)0x00000200U) /* free slab pages after a grace period */
#define SLAB_TRACE		((slab_flags_t)0x00000400U) /* debug: trace allocs and frees */
#define SLAB_DEBUG_OBJECTS	((slab_flags_t)0U)	    /* no debugobjects here */
#define SLAB_NOLEAKTRACE	((slab_flags_t)0x00000800U) /* kmemleak: ignore */
#define SLAB_NO_MERGE		((slab_flags_t)0x00001000U) /* never merged (no cache is) */
#define SLAB_FAILSLAB		((slab_flags_t)0x00002000U) /* failslab candidate (cache-filter) */
#define SLAB_ACCOUNT		((slab_flags_t)0x00004000U) /* charge to a memory cgroup */
#define SLAB_KASAN		((slab_flags_t)0U)	    /* no generic KASAN here */
#define SLAB_NO_USER_FLAGS	((slab_flags_t)0x00008000U) /* slub_debug= does not apply */
#define SLAB_SKIP_KFENCE	((slab_flags_t)0x00010000U) /* kfence: skip (there is none) */
#define SLAB_RECLAIM_ACCOUNT	((slab_flags_t)0x00020000U) /* reclaimable (SReclaimable) */
#define SLAB_TEMPORARY		SLAB_RECLAIM_ACCOUNT	    /* objects are short-lived */
#define SLAB_NO_OBJ_EXT		((slab_flags_t)0x00100000U) /* no object extension vector */
/*
 * The flags kmem_cache_create() takes; any other bit is refused, as the kernel
 * refuses it (SLAB_FAILSLAB, SLAB_SKIP_KFENCE and SLAB_NO_OBJ_EXT are set on a
 * cache after creation, as the kernel sets them).
 */
#define SLAB_FLAGS_PERMITTED                                                                       \
	(SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON | SLAB_KMALLOC |                    \
	 SLAB_HWCACHE_ALIGN | SLAB_CACHE_DMA | SLAB_CACHE_DMA32 | SLAB_STORE_USER | SLAB_PANIC |   \
	 SLAB_TYPESAFE_BY_RCU | SLAB_TRACE | SLAB_DEBUG_OBJECTS | SLAB_NOLEAKTRACE |               \
	 SLAB_NO_MERGE | SLAB_ACCOUNT | SLAB_NO_USER_FLAGS | SLAB_RECLAIM_ACCOUNT)

/* The largest object a cache may hold: the largest buddy block. */
#define KMALLOC_MAX_SIZE (1UL << (MAX_PAGE_ORDER + PAGE_SHIFT))

#ifndef KMM_NO_INLINE
/*
 * A CPU's array of free objects of one cache (and the node's shared array).
 * A CPU's array is a cache line of its cache's descriptor (cpu_array[]), so
 * that a fast path finds it by arithmetic from the cache; its entries are
 * storage of their own (entry[-1], below the first, holds the cache, never an
 * object of it).  The inline fast paths read top, end and entry, as tcmalloc's
 * and mimalloc's read pointers, not counts: a push is one instruction
 * shorter.  A CPU's array not made yet, or given back, is all zero: top and
 * end NULL, so a fast path meeting it finds it empty and full, and falls to
 * the slow path.
 */
struct array_cache {
	void **top;		   /* entry + the objects in it: the next free slot */
	void **end;		   /* entry + limit: full when top reaches it */
	void **entry;		   /* the objects, LIFO (the top is top[-1]); NULL: not made */
	unsigned int limit;	   /* entry[] holds at most this many */
	unsigned int batchcount;   /* objects moved to or from the node at a time */
	unsigned int touched;	   /* used since the last reap pass */
	struct list_head cpu_list; /* on its CPU's slab_arrays list */
	struct kmem_cache *cache;  /* the cache */
};

/* The slab lists of one node. */
struct kmem_cache_node {
	kmm_lock_t list_lock;		/* protects everything below and the slabs' freelists */
	struct list_head slabs_partial; /* slabs with free and used objects */
	struct list_head slabs_full;	/* slabs with no free object */
	struct list_head slabs_free;	/* slabs with no used object */
	unsigned long total_slabs;	/* slabs on the three lists */
	unsigned long free_slabs;	/* slabs on slabs_free */
	unsigned long free_objects;	/* free objects in the slabs (not in arrays) */
	unsigned int free_limit;	/* free objects kept before free slabs are released */
	unsigned int colour_next;	/* the colour of the next slab */
	struct array_cache *shared;	/* objects shared by the node's CPUs, or NULL */
	int free_touched;		/* the free lists were used since the last reap */
};

/* The bytes of a descriptor before its fast-path fields: whole cache lines. */
#define KMEM_CACHE_COLD_BYTES 192

/*
 * A cache's descriptor.  The fields the inline fast paths read come last,
 * starting a cache line, then the CPUs' arrays: a descriptor is allocated
 * only up to cpu_array[nr_cpu_ids - 1], followed by the online nodes' lists, which node
 * points at (slab/cache.c; the kernel's kmem_cache ends at node[nr_node_ids]),
 * so that its size follows the CPUs and the nodes.
 */
struct kmem_cache {
	union {
		/* --- the rest of the cache, in KMEM_CACHE_COLD_BYTES --- */
		struct {
			unsigned int align;	 /* object alignment */
			slab_flags_t flags;	 /* SLAB_* */
			unsigned int gfporder;	 /* pages per slab: 2^gfporder */
			gfp_t allocflags;	 /* GFP bits for slab pages (zone, reclaimable) */
			unsigned int colour;	 /* offsets a slab's first object may start at */
			unsigned int colour_off; /* bytes between colours */
			/* bytes of on-slab freelist (0: in an object or struct page) */
			unsigned int freelist_size;
			/* the freelist lives in a free object (the kernel's OBJFREELIST) */
			bool obj_freelist;
			/* every allocation and free takes the out-of-line path: no CPU arrays */
			bool bypass_arrays;
			/* SLAB_RED_ZONE: bytes of red zone before each object */
			unsigned int red_left_pad;
			/* object and right red zone: where SLAB_STORE_USER's records start */
			unsigned int inuse;
			unsigned int limit;	 /* per-CPU array size (tunable) */
			unsigned int batchcount; /* per-CPU array batch (tunable) */
			unsigned int shared;	 /* shared array factor (tunable; 0: none) */
			unsigned int useroffset; /* usercopy region offset */
			unsigned int usersize;	 /* usercopy region size */
			void (*ctor)(void *obj); /* runs on every object when its slab is made */
			const char *name;	 /* the cache's name (name_buf) */
			struct list_head list;	 /* on slab_caches */
			/* creations that share this cache; -1 for a boot (kmalloc) cache */
			int refcount;
			/* the cache itself while it is live, NULL once destroyed */
			struct kmem_cache *self;
			char name_buf[64]; /* the name, truncated to 63 characters */
			/* [kmm_nr_online_nodes]: per-node lists, after cpu_array[] */
			struct kmem_cache_node *node;
		};
		unsigned char cold_lines[KMEM_CACHE_COLD_BYTES];
	};
	/*
	 * --- read by the inline fast paths: a cache line, which is also the
	 * fenced array, the one a fast path meets on a fenced CPU (offset 0
	 * of kmm_cpu_fast[]): its top and end are always NULL; its entry is
	 * the two fields after them, no pointer, but an allocation only
	 * compares it with top (NULL is never above it: empty), and nothing
	 * else of it is read ---
	 */
	union {
		struct {
			void *fenced_top;	/* NULL: the fenced array is empty */
			void *fenced_end;	/* NULL: and has no room */
			unsigned int obj_shift; /* trailing zero bits of size */
			unsigned int size;	/* bytes per object, with padding: the stride */
			/* multiplicative inverse of size's odd part (mod 2^64) */
			unsigned long obj_inverse;
			/* objects per slab (a long, for the free check's compare) */
			unsigned long num;
			unsigned int object_size; /* bytes asked for at creation */
		};
		struct array_cache fenced_array;
	};
	/*
	 * [n]: CPU n's array, all zero until its first use, for n below
	 * nr_cpu_ids (the arrays beyond are not allocated); a cache line
	 * each, at kmm_cpu_fast[] bytes from the fenced array.
	 */
	struct array_cache cpu_array[NR_CPUS];
};
_Static_assert(sizeof(struct array_cache) == KMM_CPU_FAST_STRIDE &&
		       offsetof(struct kmem_cache, cpu_array) ==
			       offsetof(struct kmem_cache, fenced_array) + KMM_CPU_FAST_STRIDE,
	       "kmm_cpu_fast[] gives the byte offset of a CPU's array from the fenced array");
_Static_assert(offsetof(struct kmem_cache, fenced_array) == KMEM_CACHE_COLD_BYTES &&
		       offsetof(struct kmem_cache, fenced_top) ==
			       offsetof(struct kmem_cache, fenced_array.top) &&
		       offsetof(struct kmem_cache, fenced_end) ==
			       offsetof(struct kmem_cache, fenced_array.end) &&
		       KMEM_CACHE_COLD_BYTES % 64 == 0,
	       "the fast-path fields start a cache line: KMEM_CACHE_COLD_BYTES holds the rest");
#else
struct kmem_cache; /* opaque: only the out-of-line calls are declared */
#endif /* KMM_NO_INLINE */

/*
 * kmm_unmade_cache - the cache that is not there: no objects, and no CPU
 * array made, so an allocation from it always takes the slow path.
 * Each kmalloc slot not made yet points at it; the kmem_cache calls treat it
 * as NULL.
 */
extern struct kmem_cache kmm_unmade_cache;

/**
 * kmem_cache_create - create a cache of @size-byte objects.
 * @name: for reports and slabinfo (copied).
 * @align: minimum alignment (a power of two, or 0).
 * @flags: SLAB_* flags.
 * @ctor: run on each object when its slab is created (not on every allocation);
 *        objects must be freed back in their constructed state.
 * Return: the cache, or NULL (one line says why; with SLAB_PANIC, abort) if
 * @name is NULL or holds a control character or white space (it would break
 * slabinfo's lines), @size is 0 or above KMALLOC_MAX_SIZE (@size aligned to
 * @align too), @align is not a power of two, or @flags has a bit outside
 * SLAB_FLAGS_PERMITTED (the flags above).
 */
struct kmem_cache *kmem_cache_create(const char *name, unsigned int size, unsigned int align,
				     slab_flags_t flags, void (*ctor)(void *));
/* kmem_cache_create_usercopy - as kmem_cache_create(), with the usercopy window recorded. */
struct kmem_cache *kmem_cache_create_usercopy(const char *name, unsigned int size,
					      unsigned int align, slab_flags_t flags,
					      unsigned int useroffset, unsigned int usersize,
					      void (*ctor)(void *));
#define KMEM_CACHE(__struct, __flags)                                                              \
	kmem_cache_create(#__struct, sizeof(struct __struct), __alignof__(struct __struct),        \
			  (__flags), NULL)

/*
 * kmem_cache_destroy - free the cache.  Objects parked in CPU arrays count as
 * free.  If objects are still allocated, "kmem_cache_destroy <name>: Slab cache
 * still has objects" is reported and the cache is kept.  NULL is ignored, and
 * so is a boot cache (kmalloc's), as the kernel does.  A pointer that is no
 * live cache (a cache destroyed already) is reported and refused; so is such a
 * pointer passed to every other call that takes a cache.  The descriptor of a
 * destroyed cache is kept for the next kmem_cache_create() (up to 64 of them;
 * drop_slab() gives them all back), so that a stale pointer to it is caught.
 */
void kmem_cache_destroy(struct kmem_cache *s);
/* kmem_cache_shrink - give back every free slab (after draining all arrays); 0 if none is left in use. */
int kmem_cache_shrink(struct kmem_cache *s);
/*
 * kmem_cache_live_objects - the objects of @s handed out and not freed (those
 * in CPU and shared arrays count as free); kmm_live_objects() - the same
 * summed over every cache, kmalloc's included (the library's own caches of
 * descriptors and vmalloc's bookkeeping are not): what the kernel's userspace
 * test harness counts in nr_allocated, for a test to assert that nothing
 * leaked.  Exact when no other thread allocates or frees meanwhile.
 */
unsigned long kmem_cache_live_objects(struct kmem_cache *s);
unsigned long kmm_live_objects(void);

/*
 * drop_slab - give back every page the slab allocator keeps cached: wait for
 * pending RCU frees (rcu_barrier()), drain every CPU's and every node's
 * arrays and free every empty slab of every cache (kmem_cache_shrink() of
 * each), and free the kept descriptors of destroyed caches.  It costs what
 * kmem_cache_shrink() of every cache costs plus a grace period, and the
 * arrays and slabs are made again at the next allocations.  kmm_drop_caches()
 * (kmm/kmm.h) does this and the page allocator's and vmalloc's share.
 */
void drop_slab(void);

/* kmem_cache_size - the object size the cache was created with. */
unsigned int kmem_cache_size(struct kmem_cache *s);
/* kmem_cache_name - the cache's name (an extension). */
const char *kmem_cache_name(struct kmem_cache *s);

/*
 * kmem_cache_tune - set the per-CPU array size, batch and shared factor (the
 * kernel's "echo 'name limit batchcount shared' > /proc/slabinfo").
 * Return: 0, or -EINVAL for 0 < batchcount <= limit not holding.
 */
int kmem_cache_tune(struct kmem_cache *s, unsigned int limit, unsigned int batchcount,
		    unsigned int shared);

/*
 * kmem_cache_validate - check every slab of @s: list counters, freelists and,
 * in debugging caches, every object's red zones, poison and padding (the
 * kernel's /sys/kernel/slab/<cache>/validate).  Each problem is reported
 * ("BUG <cache>: ...") and fixed up where the bytes can be restored.
 * Return: the number of problems found.
 */
int kmem_cache_validate(struct kmem_cache *s);
/* kmm_validate_all - kmem_cache_validate() on every cache; the problems found. */
int kmm_validate_all(void);

/*
 * kmm_slab_reap - one pass of the periodic reaping now (a thread does one every
 * 2 s): arrays and free slabs left unused since the last pass give memory back.
 */
void kmm_slab_reap(void);

/* The slow paths (out of line). */
void *__kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp, int node);
void __kmem_cache_free(struct kmem_cache *s, void *obj);

/* kmem_cache_alloc_node - an object whose slab is on node @node (NUMA_NO_NODE: any). */
void *kmem_cache_alloc_node(struct kmem_cache *s, gfp_t gfp, int node);
/* kmem_cache_alloc_bulk - @nr objects into @p; returns @nr, or 0 (nothing allocated). */
int kmem_cache_alloc_bulk(struct kmem_cache *s, gfp_t gfp, size_t nr, void **p);
/* kmem_cache_free_bulk - free @nr objects of @p. */
void kmem_cache_free_bulk(struct kmem_cache *s, size_t nr, void **p);

#ifndef KMM_NO_INLINE
/*
 * Under AddressSanitizer, free objects are poisoned, so that ASan reports a use
 * after kmem_cache_free() or kfree().  Objects of SLAB_TYPESAFE_BY_RCU caches
 * stay readable after the free, as the flag promises.  Other builds compile
 * none of this.
 */
#ifdef KMM_ASAN
#include <sanitizer/asan_interface.h>
#define kmm_asan_object(s, obj, usable)                                                            \
	do {                                                                                       \
		if (!((s)->flags & SLAB_TYPESAFE_BY_RCU)) {                                        \
			if (usable)                                                                \
				ASAN_UNPOISON_MEMORY_REGION((obj), (s)->object_size);              \
			else                                                                       \
				ASAN_POISON_MEMORY_REGION((obj), (s)->object_size);                \
		}                                                                                  \
	} while (0)
#else
#define kmm_asan_object(s, obj, usable) ((void)0)
#endif

/* kmm_direct_map_bytes - bytes of the direct map (0 before boot), for the inline checks. */
extern unsigned long kmm_direct_map_bytes;

#ifdef KMM_HAVE_RSEQ
/*
 * KMM_RSEQ_CPU_ARRAY - the start of a sequence on the CPU's array of a cache:
 * the sequence opened, %[ac] = the array of cache %[s] on the thread's CPU
 * (the fenced array plus kmm_cpu_fast[] of that CPU: nothing is loaded
 * between the cache and its array; the array's fields are addressed from a
 * register of its own, without an index, so that each compare and store
 * stays one micro-op) and %[top] its top.  The asm names its operands
 * [off], [tab], [ac], [s] and [top], and KMM_CPU_ARRAY_FIELDS' [fa],
 * [tp], [ed], [en] and [to].
 */
#define KMM_RSEQ_CPU_ARRAY                                                                         \
	KMM_RSEQ_ENTER("[off]", "[ac]")                                                            \
	KMM_RSEQ_CPU_INDEX("[off]", "[ac]")                                                        \
	"leaq %c[fa](%[s], %[ac]), %[ac]\n\t"                                                      \
	"movq %c[tp](%[ac]), %[top]\n\t"
#define KMM_CPU_ARRAY_FIELDS                                                                       \
	[fa] "i"(offsetof(struct kmem_cache, fenced_array)),                                       \
		[tp] "i"(offsetof(struct array_cache, top)),                                       \
		[ed] "i"(offsetof(struct array_cache, end)),                                       \
		[en] "i"(offsetof(struct array_cache, entry)),                                     \
		[to] "i"(offsetof(struct array_cache, touched))
#endif

/*
 * kmem_cache_alloc_fast - the allocation fast path: pop the array of the CPU
 * the thread runs on into *@objp (zeroed for __GFP_ZERO), in a restartable
 * sequence (<kmm/percpu.h>) that commits with the store of the new top.
 * False, with nothing done, when the array is empty (always, when the CPU is
 * held or rseq is not there): the caller takes a slow path.
 */
static kmm_always_inline bool kmem_cache_alloc_fast(struct kmem_cache *s, gfp_t gfp, void **objp)
{
#ifdef KMM_HAVE_RSEQ
	struct array_cache *ac;
	void **top;
	void *obj;

	/* clang-format off */
	asm volatile goto(
		KMM_RSEQ_CPU_ARRAY
		"cmpq %c[en](%[ac]), %[top]\n\t"
		"jbe %l[empty]\n\t"
		"movq -8(%[top]), %[obj]\n\t"
		"subq $8, %[top]\n\t"
		"movl $1, %c[to](%[ac])\n\t"
		"movq %[top], %c[tp](%[ac])\n\t"	/* commit */
		"2:\n\t"
		: [ac] "=&r"(ac), [top] "=&r"(top), [obj] "=&r"(obj)
		: [off] "r"(__rseq_offset), [tab] "r"(kmm_cpu_fast), [s] "r"(s),
		  KMM_CPU_ARRAY_FIELDS
		: "memory", "cc"
		: empty);
	/* clang-format on */
	kmm_asan_object(s, obj, true);
	if (gfp & __GFP_ZERO)
		memset(obj, 0, s->object_size);
	*objp = obj;
	return true;
empty:
#else
	(void)s;
	(void)gfp;
	(void)objp;
#endif
	return false;
}

/**
 * kmem_cache_alloc - an object from @s.
 * @gfp: GFP flags for growing the cache; __GFP_ZERO zeroes the object.
 *
 * Context: any thread; the fast path pops the calling CPU's array.
 * Return: the object, or NULL when the cache cannot grow.
 */
static kmm_always_inline void *kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp)
{
	void *obj;

	if (kmm_likely(kmem_cache_alloc_fast(s, gfp, &obj)))
		return obj;
	return __kmem_cache_alloc(s, gfp, NUMA_NO_NODE);
}

/* kmem_cache_zalloc - a zeroed object. */
static kmm_always_inline void *kmem_cache_zalloc(struct kmem_cache *s, gfp_t gfp)
{
	return kmem_cache_alloc(s, gfp | __GFP_ZERO);
}

/*
 * slab_obj_index_ok - is @obj the start of an object of @s, whose slab's
 * first object is at *@first (its slab map entry's)?  An offset from there
 * is a whole number of objects, below num, exactly when multiplying by the
 * inverse of size's odd part and rotating out size's zero bits gives an
 * index below num.
 */
static kmm_always_inline bool slab_obj_index_ok(const struct kmem_cache *s,
						const unsigned long *first, const void *obj)
{
	unsigned long idx;

#ifdef __x86_64__
	/* the operands straight from memory: two instructions fewer than GCC makes of the C */
	asm("movq %[obj], %[idx]\n\t"
	    "subq %[first], %[idx]\n\t"
	    "imulq %[inv], %[idx]\n\t"
	    "rorq %%cl, %[idx]"
	    : [idx] "=&r"(idx)
	    : [obj] "r"(obj), [first] "m"(*first), [inv] "m"(s->obj_inverse), "c"(s->obj_shift)
	    : "cc");
#else
	idx = ((unsigned long)obj - *first) * s->obj_inverse;
	idx = (idx >> s->obj_shift) | (idx << ((64 - s->obj_shift) & 63));
#endif
	return kmm_likely(idx < s->num);
}

/*
 * slab_map_entry - the slab map's entry of @obj's page into *@e; false if
 * @obj is outside the direct map.
 */
static kmm_always_inline bool slab_map_entry(const void *obj, const struct kmm_slab_map_entry **e)
{
	unsigned long off = (unsigned long)obj - kmm_page_offset;

	if (kmm_unlikely(off >= kmm_direct_map_bytes))
		return false;
	*e = kmm_slab_map + (off >> PAGE_SHIFT);
	return true;
}

/* kmem_cache_obj_ok - is @obj the start of an object of @s in the direct map? */
static kmm_always_inline bool kmem_cache_obj_ok(const struct kmem_cache *s, const void *obj)
{
	const struct kmm_slab_map_entry *e;

	if (kmm_unlikely(!slab_map_entry(obj, &e) || e->cache != s))
		return false;
	return slab_obj_index_ok(s, &e->first, obj);
}

/*
 * __kmem_cache_push - put @obj, a checked object of @s, on the array of the
 * CPU the thread runs on, and if @marked store @mark in its first word just
 * before, in the same restartable sequence (no drain can have moved it on
 * yet).  False, with nothing done but the mark, when the array is full
 * (always, when the CPU is held or rseq is not there) or @obj is its top
 * (freed just before: a double free).
 */
static kmm_always_inline bool __kmem_cache_push(struct kmem_cache *s, void *obj, bool marked,
						unsigned long mark)
{
#ifdef KMM_HAVE_RSEQ
	struct array_cache *ac;
	void **top;

	/*
	 * Poisoned before it is on the array: once there, a drain may put it back
	 * in its slab and keep the slab's freelist in it.
	 */
	kmm_asan_object(s, obj, false);
	/*
	 * top[-1] is the last object freed, or entry[-1], the cache, when the
	 * array is empty (slab.c); an array whose top is its end (NULL, the
	 * fenced array's and an unmade one's) is not read.
	 */
	/* clang-format off */
#define KMM_PUSH_SEQ(mark_store)						\
		KMM_RSEQ_CPU_ARRAY						\
		"cmpq %c[ed](%[ac]), %[top]\n\t"				\
		"jae %l[full]\n\t"						\
		"cmpq %[obj], -8(%[top])\n\t"					\
		"je %l[full]\n\t"						\
		mark_store							\
		"movq %[obj], (%[top])\n\t"					\
		"addq $8, %[top]\n\t"						\
		"movq %[top], %c[tp](%[ac])\n\t"	/* commit */		\
		"2:\n\t"
#define KMM_PUSH_OPERANDS							\
		[off] "r"(__rseq_offset), [tab] "r"(kmm_cpu_fast), [s] "r"(s),	\
		[obj] "r"(obj), KMM_CPU_ARRAY_FIELDS
	if (marked)
		asm volatile goto(KMM_PUSH_SEQ("movq %[mark], (%[obj])\n\t")
			: [ac] "=&r"(ac), [top] "=&r"(top)
			: KMM_PUSH_OPERANDS, [mark] "r"(mark)
			: "memory", "cc"
			: full);
	else
		asm volatile goto(KMM_PUSH_SEQ("")
			: [ac] "=&r"(ac), [top] "=&r"(top)
			: KMM_PUSH_OPERANDS
			: "memory", "cc"
			: full);
#undef KMM_PUSH_SEQ
#undef KMM_PUSH_OPERANDS
	/* clang-format on */
	return true;
full:
	kmm_asan_object(s, obj, true);
#else
	(void)s;
	(void)obj;
	(void)marked;
	(void)mark;
#endif
	return false;
}

/* kmem_cache_push - the free fast path of kmem_cache_free() and kfree(): __kmem_cache_push(). */
static kmm_always_inline bool kmem_cache_push(struct kmem_cache *s, void *obj)
{
	return __kmem_cache_push(s, obj, false, 0);
}

/**
 * kmem_cache_free - give @obj back to @s.
 *
 * Context: any thread (the object goes to the calling CPU's array).  NULL is
 * ignored.  An object of another cache, a pointer that is not the start of an
 * object of a slab, or the object freed just before on this CPU (a double
 * free) is reported and the free refused; so is, when it reaches its slab
 * (the array's next flush or drain), an object the slab holds free already
 * ("slab: double free detected in cache"), and any object of a cache of the
 * library's own.
 */
static kmm_always_inline void kmem_cache_free(struct kmem_cache *s, void *obj)
{
	if (kmm_likely(kmem_cache_obj_ok(s, obj) && kmem_cache_push(s, obj)))
		return;
	__kmem_cache_free(s, obj);
}
#else  /* KMM_NO_INLINE: the same calls, out of line (exported under these names) */
void *kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp);
void *kmem_cache_zalloc(struct kmem_cache *s, gfp_t gfp);
void kmem_cache_free(struct kmem_cache *s, void *obj);
#endif /* KMM_NO_INLINE */

/* The 6.12 spellings of allocation profiling (alloc_hooks()): the same calls. */
#define kmem_cache_alloc_noprof	     kmem_cache_alloc
#define kmem_cache_alloc_node_noprof kmem_cache_alloc_node
#define kmem_cache_alloc_bulk_noprof kmem_cache_alloc_bulk

/* --- kmem_cache_alloc_lru(), failslab's per-cache attribute (issue 15) --- */

struct list_lru;

/**
 * kmem_cache_alloc_lru - an object from @s that will go on @lru.
 *
 * The kernel charges the object to the caller's memory cgroup and makes room
 * for it on that cgroup's list of @lru; libkmm has no cgroups (see
 * <kmm/list_lru.h>), so this is kmem_cache_alloc(@s, @gfp): the object is not
 * put on @lru, which the caller does with list_lru_add_obj().
 */
static kmm_always_inline void *kmem_cache_alloc_lru(struct kmem_cache *s, struct list_lru *lru,
						    gfp_t gfp)
{
	(void)lru;
	return kmem_cache_alloc(s, gfp);
}
#define kmem_cache_alloc_lru_noprof kmem_cache_alloc_lru

/**
 * kmem_cache_attr_set - write @value to the cache's attribute @attr, as
 * writing /sys/kernel/slab/<cache>/<attr> does.
 * @attr: "failslab": "1" sets SLAB_FAILSLAB, anything else starting with
 *        another character clears it (the kernel's failslab_store()).  This
 *        is how a cache gets the flag: kmem_cache_create() refuses it, as
 *        the kernel's does (there, slub_debug=A sets it too); with
 *        failslab's cache-filter=Y only such caches fail (<kmm/fault-inject.h>).
 *
 * Context: any thread not inside a libkmm call (it may wait for every CPU).
 * Return: 0; -ENOENT for an unknown @attr; -EINVAL for an empty @value, or,
 * as the kernel, when the cache is shared by more than one
 * kmem_cache_create() (a merged cache).  A pointer that is no live cache is
 * reported and refused (-EINVAL).
 */
int kmem_cache_attr_set(struct kmem_cache *s, const char *attr, const char *value);

/*
 * kmem_cache_attr_get - the attribute's value as reading the sysfs file
 * gives it, without the newline ("failslab": "0" or "1"), into @buf of @len.
 * Return: 0, -ENOENT for an unknown @attr, -EINVAL for a bad cache or a
 * @buf too small.
 */
int kmem_cache_attr_get(struct kmem_cache *s, const char *attr, char *buf, size_t len);

KMM_END_DECLS

#include <kmm/kmalloc.h>

#endif /* KMM_SLAB_H */
