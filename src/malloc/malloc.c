/* SPDX-License-Identifier: MIT */
/*
 * malloc/malloc.c - the C allocation API on libkmm: malloc(), free(),
 * calloc(), realloc(), reallocarray(), posix_memalign(), aligned_alloc(),
 * memalign(), valloc(), pvalloc() and malloc_usable_size(), exported by
 * libkmm-malloc.so for LD_PRELOAD (docs/malloc.md).
 *
 * Where memory comes from.  A program is "process context": every request
 * is GFP_KERNEL (it may reclaim) with __GFP_NOWARN (a failure is the caller's
 * NULL and ENOMEM, as the C API says, not a kernel warning).
 *   0 .. 8 KiB (KMALLOC_MAX_CACHE_SIZE)  slab caches by size class (0 takes one
 *                                        byte): kmalloc's up to 256 bytes and
 *                                        for the powers of two; between those,
 *                                        malloc's own caches of 1.25, 1.5 and
 *                                        1.75 times a power of two (malloc-320,
 *                                        ..., malloc-3584), and of every eighth
 *                                        of 4 KiB above it (malloc-4608, ...,
 *                                        malloc-7680), made at first use
 *   .. 64 KiB (MALLOC_BLOCK_MAX)         malloc's block caches malloc-16384,
 *                                        malloc-32768 and malloc-65536: the block
 *                                        a large kmalloc would be (2^order pages,
 *                                        one a slab), kept on CPU arrays
 *   .. 4 MiB (KMALLOC_MAX_SIZE)          kvmalloc(): a large kmalloc (a compound
 *                                        block of the page allocator) when one is
 *                                        free without heavy reclaim, else vmalloc
 *   above                                a run of the direct map's pages
 *                                        (alloc_contig_pages()) when one is free,
 *                                        else vmalloc, with 2 MiB leaves where
 *                                        they fit
 * A run is mapped already (the direct map), so it costs no new mapping and,
 * memory being reused, no page fault; its head page carries the run's mark
 * (page->mapping) and length (page->private), so that free() knows it.
 * Alignments above 16 bytes and below a page, with max(size, alignment) up to
 * 8 KiB, take the kmalloc cache of the power of two holding it: power-of-two
 * caches are naturally aligned, as the kernel guarantees.  Other alignments
 * above 16 take a large kmalloc of max(size, alignment) bytes: buddy blocks
 * are naturally aligned in physical memory and the direct map starts 1 GiB
 * aligned (boot/machine.c), so they are in virtual memory too; above 4 MiB, or
 * when no block is free, a vmalloc area with the alignment.  Everything is 16-byte aligned except the
 * objects of kmalloc-8 (requests of 8 bytes and less), which are 8-byte
 * aligned, as jemalloc's, mimalloc's and tcmalloc's are.
 *
 * Where memory goes back.  free() tells the sources apart by address with
 * libkmm's own checks: kfree()'s inline one (the start of an object on the
 * head page of a slab), then the bootstrap arena (bootstrap.c), the vmalloc
 * area and find_vm_area() (the start of a vmalloc() area), the head of a
 * run, kfree_target() (objects and large kmallocs of the direct map).  Any
 * other pointer is reported in one line naming the call and the address, as
 * kfree() reports a wild free, and refused.
 *
 * Fast paths.  malloc(), calloc() and free() of up to 8 KiB are kmalloc's
 * and kfree()'s inline fast paths (a pop and a push of the CPU's array) with
 * one more test: the thread is not inside libkmm (malloc_depth), where its
 * per-CPU data may be in flux and locks held; a malloc() from there (libc,
 * called by libkmm) goes the slow way, which sends it to the bootstrap arena.
 * realloc() within the size class an object already has is inline too.
 *
 * Double frees.  An object is never handed out while it is handed out
 * already, whichever objects were freed in between (free(a); free(b);
 * free(a)): as glibc's tcache, free() leaves a key in the object's first word
 * (free_key ^ its address; slab.c keeps that word of a free object), and
 * malloc() clears it.  A free that finds the key suspects a double free and
 * asks the slab allocator (slab_object_free()); a real one is reported and
 * refused, a coincidence is freed.  The cost is a load, a compare and a
 * store on the free fast path and a store on the malloc one.  realloc() of
 * an object holding the key asks the same, and refuses one that is free
 * (NULL, EINVAL), rather than hand it back or copy from it.
 *
 * Locking: none of its own; libkmm's.  Every call into libkmm from here is
 * made with malloc_depth raised (see malloc.h).
 */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

#include <kmm/kmm.h>
#include "kmalloc/kmalloc.h"
#include "malloc/malloc.h"
#include "report/report.h"
#include "slab/slab.h"

#define MALLOC_API   __attribute__((visibility("default")))
/* Every request: process context, failures told by NULL and errno alone. */
#define MALLOC_GFP   (GFP_KERNEL | __GFP_NOWARN)
/* The alignment of every block above 8 bytes (glibc's MALLOC_ALIGNMENT on x86-64). */
#define MALLOC_ALIGN 16UL

#define CALLER __builtin_return_address(0)

/* The double-free key: random per process (AT_RANDOM), set before main(); 0 until then. */
static unsigned long free_key;

__attribute__((constructor)) static void free_key_init(void)
{
	const unsigned long *random = (const unsigned long *)getauxval(AT_RANDOM);

	free_key = (random ? random[0] ^ random[1] : 0) | 1;
}

/* free_key_of - the key free() leaves in the object @ptr. */
static kmm_always_inline unsigned long free_key_of(const void *ptr)
{
	return free_key ^ (unsigned long)ptr;
}

/* holds_free_key - does the object @ptr hold its free key (is it free, or a coincidence)? */
static kmm_always_inline bool holds_free_key(const void *ptr)
{
	return *(const unsigned long *)ptr == free_key_of(ptr);
}

static void *malloc_slow(size_t size, gfp_t gfp, const void *caller);
static void free_slow(void *ptr);
static void free_slab_slow(struct kmem_cache *s, void *ptr);
static void *realloc_slow(void *ptr, size_t size, const void *caller);
static void *realloc_move(struct kmem_cache *s, void *ptr, size_t size, const void *caller);
static void *aligned_slow(size_t align, size_t size, gfp_t gfp, const void *caller);
static size_t usable_size_slow(const void *ptr);

/*
 * slab_object - the cache of @ptr if it is the start of an object of a slab
 * (kfree()'s inline check), else NULL.
 */
static kmm_always_inline struct kmem_cache *slab_object(const void *ptr)
{
	const struct kmm_slab_map_entry *e;

	if (kmm_likely(slab_map_entry(ptr, &e))) {
		struct kmem_cache *s = e->cache;

		if (kmm_likely(s != NULL && slab_obj_index_ok(s, &e->first, ptr)))
			return s;
	}
	return NULL;
}

/*
 * Size classes.  kmalloc's classes double above 256 bytes, so a block of
 * 4.2 KiB (sqlite3's page cache) takes 8 KiB; malloc() puts three classes of
 * its own between each power of two and the next (a quarter of the power
 * apart), as the peers do, so that no block above 256 bytes wastes more
 * than a fifth, and seven between 4 and 8 KiB (512 bytes apart), so that
 * sqlite3's page-cache blocks of 4104 and 4368 bytes take 4.5 KiB, not 5
 * (its maximum resident set 59 -> 52 MB).  malloc_caches[] gives the cache
 * of every size to 8 KiB, by 8-byte slot; a slot is kmm_unmade_cache (its
 * fast path always fails) until the slow path first fills it
 * (malloc_cache()), making the class's cache if it is malloc's own.
 * Written with release stores (a class's own slot with a compare-and-swap,
 * so that it is made once); read racily.
 */
#define MALLOC_SLOTS ((KMALLOC_MAX_CACHE_SIZE >> 3) + 1)
static struct kmem_cache *malloc_caches[MALLOC_SLOTS] = {[0 ... MALLOC_SLOTS - 1] =
								 &kmm_unmade_cache};

/* malloc_slot - the slot of @size, 1..8 KiB (8 bytes a slot, kmalloc-8 alone in slot 1). */
static kmm_always_inline size_t malloc_slot(size_t size)
{
	return (size + 7) >> 3;
}

/* malloc_class_bytes - the object size of @size's class (1..8 KiB). */
static kmm_always_inline size_t malloc_class_bytes(size_t size)
{
	size_t step;

	if (size <= 256)
		return kmm_kmalloc_info[kmalloc_size_to_index(size)].size;
	/* a quarter of the power below; an eighth above 4 KiB */
	step = 1UL << (61 - __builtin_clzl(size - 1) - (size > 4096));
	return ((size - 1) | (step - 1)) + 1;
}

/*
 * Block caches.  Above 8 KiB kmalloc() takes whole buddy blocks
 * (kmalloc_large()): 2^order pages, set up as a compound page and given back
 * at each free, through the zone's lock from order 4 on.  A program that
 * allocates blocks of 8..64 KiB over and over (buffers, windows) paid that
 * on every call: 59-78 ns a pair, against 4 ns for tcmalloc.  malloc() keeps
 * the same blocks, the size kmalloc_large() would give, in a cache of one
 * object a slab per order (malloc-16384, -32768, -65536; made at first use,
 * tuned as the classes are), so that its CPU arrays hand them out and take
 * them back.  malloc_blocks[] gives the cache by order - 2; kmm_unmade_cache
 * until made, written with a compare-and-swap, read racily.
 */
#define MALLOC_BLOCK_MAX    (PAGE_SIZE << 4)
#define MALLOC_BLOCK_ORDERS 3
static struct kmem_cache *malloc_blocks[MALLOC_BLOCK_ORDERS] = {[0 ... MALLOC_BLOCK_ORDERS - 1] =
									&kmm_unmade_cache};

/* malloc_block_index - the block cache of @size, 8 KiB + 1 .. 64 KiB: its order - 2. */
static kmm_always_inline unsigned int malloc_block_index(size_t size)
{
	return (unsigned int)get_order(size) - 2;
}

/* kmalloc(@size, @gfp)'s inline fast path for 1..8 KiB, on a CPU whose interrupts are on. */
static kmm_always_inline void *malloc_fast(size_t size, gfp_t gfp, const void *caller)
{
	void *obj;

	if (kmm_likely(size - 1 < KMALLOC_MAX_CACHE_SIZE && !malloc_depth)) {
		struct kmem_cache *s = malloc_caches[malloc_slot(size)];

		if (kmm_likely(kmem_cache_alloc_fast(s, gfp, &obj))) {
			if (!(gfp & __GFP_ZERO))
				*(unsigned long *)obj = 0; /* no free key left behind */
			return obj;
		}
	}
	return malloc_slow(size, gfp, caller);
}

/*
 * class_size - the bytes a new allocation of @size would hold: its size
 * class's, whole pages of a buddy block up to 4 MiB, @size above.
 */
static kmm_always_inline size_t class_size(size_t size)
{
	if (kmm_likely(size - 1 < KMALLOC_MAX_CACHE_SIZE))
		return malloc_class_bytes(size);
	return kmalloc_size_roundup(size);
}

/*
 * fits_in_place - may an allocation of @old usable bytes hold @size bytes
 * for realloc()?  It must be large enough, and not more than twice what a
 * new allocation would be: a shrink that halves the size class moves.
 */
static kmm_always_inline bool fits_in_place(size_t size, size_t old)
{
	return size <= old && old < 2 * class_size(size);
}

MALLOC_API void *malloc(size_t size)
{
	return malloc_fast(size, MALLOC_GFP, CALLER);
}

MALLOC_API void *calloc(size_t n, size_t size)
{
	size_t bytes;

	if (kmm_unlikely(__builtin_mul_overflow(n, size, &bytes))) {
		errno = ENOMEM;
		return NULL;
	}
	return malloc_fast(bytes, MALLOC_GFP | __GFP_ZERO, CALLER);
}

MALLOC_API void free(void *ptr)
{
	struct kmem_cache *s;

	if (kmm_likely(!malloc_depth && (s = slab_object(ptr)))) {
		/* the key on the array: a later free of @ptr finds it there */
		if (kmm_likely(!holds_free_key(ptr) &&
			       __kmem_cache_push(s, ptr, true, free_key_of(ptr))))
			return;
		free_slab_slow(s, ptr);
		return;
	}
	free_slow(ptr);
}

MALLOC_API void *realloc(void *ptr, size_t size)
{
	struct kmem_cache *s;

	if (!ptr)
		return malloc_fast(size, MALLOC_GFP, CALLER);
	if (!size) {
		/* glibc's answer: @ptr is freed and NULL returned */
		free(ptr);
		return NULL;
	}
	s = slab_object(ptr);
	/* an object holding its free key may be free: realloc_slow() asks its slab */
	if (s && kmm_likely(!holds_free_key(ptr))) {
		/* slub_debug=Z guards the bytes past the size asked for: no longer */
		if (kmm_unlikely(s->flags & SLAB_RED_ZONE))
			slab_kmalloc_whole(s, ptr);
		if (fits_in_place(size, s->object_size))
			return ptr;
		return realloc_move(s, ptr, size, CALLER);
	}
	return realloc_slow(ptr, size, CALLER);
}

MALLOC_API void *reallocarray(void *ptr, size_t n, size_t size)
{
	size_t bytes;

	if (kmm_unlikely(__builtin_mul_overflow(n, size, &bytes))) {
		errno = ENOMEM;
		return NULL;
	}
	if (!ptr)
		return malloc_fast(bytes, MALLOC_GFP, CALLER);
	if (!bytes) {
		free(ptr);
		return NULL;
	}
	return realloc_slow(ptr, bytes, CALLER);
}

MALLOC_API size_t malloc_usable_size(void *ptr)
{
	struct kmem_cache *s = slab_object(ptr);

	if (s) {
		/* all of it may be used now, as after ksize() */
		if (kmm_unlikely(s->flags & SLAB_RED_ZONE))
			slab_kmalloc_whole(s, ptr);
		return s->object_size;
	}
	return ptr ? usable_size_slow(ptr) : 0;
}

/* @align: a power of two. */
static kmm_always_inline void *alloc_aligned(size_t align, size_t size, const void *caller)
{
	size_t bytes = size > align ? size : align;

	/* 16 bytes: any cache but kmalloc-8, which a size of 16 or more never takes */
	if (align <= MALLOC_ALIGN)
		return malloc_fast(bytes, MALLOC_GFP, caller);
	/* a power-of-two cache: aligned to its size, at least @align */
	if (align < PAGE_SIZE && bytes <= KMALLOC_MAX_CACHE_SIZE)
		return malloc_fast(1UL << (64 - __builtin_clzl(bytes - 1)), MALLOC_GFP, caller);
	return aligned_slow(align, size, MALLOC_GFP, caller);
}

MALLOC_API int posix_memalign(void **memptr, size_t align, size_t size)
{
	int saved_errno = errno;
	void *p;

	if (align < sizeof(void *) || (align & (align - 1)))
		return EINVAL;
	p = alloc_aligned(align, size, CALLER);
	if (!p) {
		errno = saved_errno;
		return ENOMEM;
	}
	*memptr = p;
	return 0;
}

MALLOC_API void *aligned_alloc(size_t align, size_t size)
{
	if (!align || (align & (align - 1))) {
		errno = EINVAL;
		return NULL;
	}
	return alloc_aligned(align, size, CALLER);
}

/* memalign - as glibc's: an alignment that is not a power of two is rounded up to one. */
MALLOC_API void *memalign(size_t align, size_t size)
{
	if (align > SIZE_MAX / 2 + 1) {
		errno = EINVAL;
		return NULL;
	}
	if (align > MALLOC_ALIGN && (align & (align - 1)))
		align = 1UL << (64 - __builtin_clzl(align));
	return alloc_aligned(align, size, CALLER);
}

MALLOC_API void *valloc(size_t size)
{
	return alloc_aligned(PAGE_SIZE, size, CALLER);
}

/* pvalloc - valloc() of @size rounded up to whole pages (one page for 0). */
MALLOC_API void *pvalloc(size_t size)
{
	if (size > SIZE_MAX - PAGE_SIZE + 1) {
		errno = ENOMEM;
		return NULL;
	}
	return alloc_aligned(PAGE_SIZE, size ? PAGE_ALIGN(size) : PAGE_SIZE, CALLER);
}

/* The slow paths. */

/*
 * Runs.  malloc_run_mark's address in a head page's mapping says "a run of
 * malloc()'s, of page->private pages"; no other page of the machine that is
 * in use has it (a slab page's mapping is its cache, others' NULL).
 */
static const char malloc_run_mark;
#define MALLOC_RUN_MARK ((struct address_space *)(uintptr_t)&malloc_run_mark)

/* malloc_run - @size bytes (above 4 MiB) as a run of the direct map, or NULL; inside libkmm. */
static void *malloc_run(size_t size, gfp_t gfp)
{
	unsigned long nr = PAGE_ALIGN(size) >> PAGE_SHIFT;
	struct page *page = alloc_contig_pages(nr, gfp, NUMA_NO_NODE, NULL);

	if (!page)
		return NULL;
	page->private = nr;
	__atomic_store_n(&page->mapping, MALLOC_RUN_MARK, __ATOMIC_RELEASE);
	return page_address(page);
}

/* run_pages - the pages of the run @ptr heads, or 0 if it heads none.  Lock-free. */
static unsigned long run_pages(const void *ptr)
{
	struct page *page;

	if (!PAGE_ALIGNED(ptr) || !virt_addr_valid(ptr))
		return 0;
	page = virt_to_page(ptr);
	if (__atomic_load_n(&page->mapping, __ATOMIC_ACQUIRE) != MALLOC_RUN_MARK)
		return 0;
	return page->private;
}

/*
 * run_around - the run @ptr is inside of (past its first byte), or NULL: runs
 * start 4 MiB aligned, so the head is one of the aligned addresses below.
 */
static void *run_around(const void *ptr)
{
	unsigned long step = PAGE_SIZE << MAX_PAGE_ORDER, a = (unsigned long)ptr & ~(step - 1);

	for (;; a -= step) {
		unsigned long nr = run_pages((void *)a);

		if (nr)
			return (unsigned long)ptr - a < (nr << PAGE_SHIFT) ? (void *)a : NULL;
		if (a < kmm_page_offset + step)
			return NULL;
	}
}

/*
 * free_run - give the run @ptr heads back, once: of two threads freeing it at
 * once, the one that takes the mark frees it and the other is reported.
 */
static void free_run(void *ptr)
{
	struct page *page = virt_to_page(ptr);
	unsigned long nr = page->private;

	if (__atomic_exchange_n(&page->mapping, NULL, __ATOMIC_ACQ_REL) != MALLOC_RUN_MARK) {
		kmm_report("free: %p: double free (a run of pages freed already), refused", ptr);
		return;
	}
	page->private = 0;
	free_contig_range(page_to_pfn(page), nr);
}

/* nested_alloc - @size bytes for a thread inside libkmm: the bootstrap arena's. */
static void *nested_alloc(size_t size, size_t align)
{
	void *p = bootstrap_alloc(size ? size : 1, align > MALLOC_ALIGN ? align : MALLOC_ALIGN);

	if (!p)
		errno = ENOMEM;
	return p;
}

/* nested_size - the usable bytes of @ptr, for a thread inside libkmm: lock-free checks only. */
static size_t nested_size(const void *ptr)
{
	struct kmem_cache *s;
	struct page *head;
	char why[128];

	if (bootstrap_owns(ptr))
		return bootstrap_size(ptr);
	if (run_pages(ptr))
		return run_pages(ptr) << PAGE_SHIFT;
	if (is_vmalloc_addr(ptr) || kfree_target(ptr, &s, &head, why, sizeof(why)))
		return 0;
	return s ? s->object_size : PAGE_SIZE << compound_order(head);
}

/* release - give @ptr, a checked allocation of the machine, back to its allocator. */
static void release(void *ptr)
{
	if (is_vmalloc_addr(ptr))
		vfree(ptr);
	else if (run_pages(ptr))
		free_run(ptr);
	else
		kfree(ptr);
}

/* free_deferred - free what threads inside libkmm could not (bootstrap.c). */
static void free_deferred(void)
{
	void *obj = take_deferred_frees(), *next;

	malloc_depth++;
	for (; obj; obj = next) {
		next = *(void **)obj;
		release(obj);
	}
	malloc_depth--;
}

/*
 * enter_libkmm - the preamble of every slow path outside libkmm: the machine
 * booted, deferred frees done, malloc_depth raised (leave_libkmm() lowers it).
 * Return: false, with errno ENOMEM, if no machine could be booted.
 */
static bool enter_libkmm(void)
{
	if (kmm_unlikely(!kmm_booted()) && malloc_boot() != 0) {
		errno = ENOMEM;
		return false;
	}
	if (kmm_unlikely(deferred_pending()))
		free_deferred();
	malloc_depth++;
	return true;
}

static void leave_libkmm(void)
{
	malloc_depth--;
}

/* vmalloc_bytes - a vmalloc() area of @size bytes aligned to @align, 2 MiB leaves allowed. */
static void *vmalloc_bytes(size_t size, size_t align, gfp_t gfp, const void *caller)
{
	return __vmalloc_node_range(size, align, VMALLOC_START, VMALLOC_END, gfp, PAGE_KERNEL,
				    VM_ALLOW_HUGE_VMAP, NUMA_NO_NODE, caller);
}

/* large_bytes - @size bytes above 4 MiB: a run, else a vmalloc area aligned to @align. */
static void *large_bytes(size_t size, size_t align, gfp_t gfp, const void *caller)
{
	void *p = align <= (PAGE_SIZE << MAX_PAGE_ORDER) ? malloc_run(size, gfp) : NULL;

	return p ? p : vmalloc_bytes(size, align, gfp, caller);
}

/*
 * Class tunables.  SLAB sizes a cache's CPU arrays for kernel objects: 24
 * objects above 1 KiB, 8 above a page, moved 12 or 4 at a time, and a node
 * keeps (1 + CPUs) batches of free objects before it gives slabs back.  A
 * program's blocks of a few KiB then go to the slabs, and slabs to the page
 * allocator, every few calls.  As an administrator would through
 * /proc/slabinfo, malloc() tunes each class's cache when it first serves the
 * class (kmem_cache_tune()): arrays of up to MALLOC_ARRAY_BYTES, at most
 * SLAB's 120 objects, batch half of that; the shared factor stays SLAB's.
 */
#define MALLOC_ARRAY_BYTES (256UL << 10)
#define MALLOC_ARRAY_MAX   120U

static void tune_class(struct kmem_cache *s, size_t bytes)
{
	size_t want = MALLOC_ARRAY_BYTES / bytes;

	if (want > MALLOC_ARRAY_MAX)
		want = MALLOC_ARRAY_MAX;
	if (want > s->limit)
		kmem_cache_tune(s, (unsigned int)want, (unsigned int)(want + 1) / 2, s->shared);
}

/*
 * make_malloc_cache - the cache in *@slot, made first if the slot holds
 * kmm_unmade_cache: malloc-@bytes, its objects aligned to @align, a kmalloc
 * cache to the slab allocator (which then keeps each object's size asked
 * for, as kmalloc's).  Of two threads making it at once, the first to fill
 * the slot wins.  Inside libkmm.  NULL if it could not be made.
 */
static struct kmem_cache *make_malloc_cache(struct kmem_cache **slot, size_t bytes, size_t align)
{
	struct kmem_cache *s = __atomic_load_n(slot, __ATOMIC_ACQUIRE), *unmade = &kmm_unmade_cache;
	char name[32];

	if (s != &kmm_unmade_cache)
		return s;
	snprintf(name, sizeof(name), "malloc-%zu", bytes);
	s = kmem_cache_create(name, (unsigned int)bytes, (unsigned int)align, SLAB_KMALLOC, NULL);
	if (!s)
		return NULL;
	if (!__atomic_compare_exchange_n(slot, &unmade, s, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		kmem_cache_destroy(s);
		return unmade;
	}
	return s;
}

/*
 * malloc_cache - the cache of @size (1..8 KiB), its slot filled; the class's
 * cache made if it is malloc's own and not made yet.  Inside libkmm.  NULL
 * if it could not be made (kmalloc() serves the size then).
 */
static struct kmem_cache *malloc_cache(size_t size)
{
	size_t bytes = malloc_class_bytes(size), slot;
	struct kmem_cache *s;

	if (bytes <= 256 || !(bytes & (bytes - 1))) {
		s = kmm_kmalloc_caches[KMALLOC_NORMAL][kmalloc_size_to_index(bytes)];
	} else {
		/* 64-byte aligned: the class sizes are multiples of 64 (16 for malloc()) */
		s = make_malloc_cache(&malloc_caches[malloc_slot(bytes)], bytes, 64);
		if (!s)
			return NULL;
	}
	if (s == &kmm_unmade_cache)
		return NULL;
	/* filled already (the slow path runs whenever the CPU's array is empty) */
	if (__atomic_load_n(&malloc_caches[malloc_slot(size)], __ATOMIC_RELAXED) == s)
		return s;
	tune_class(s, bytes);
	/* every slot of the class: from the one after the class below to its own */
	for (slot = malloc_slot(size); slot > 1 && malloc_class_bytes((slot - 1) << 3) == bytes;
	     slot--)
		;
	for (; slot < MALLOC_SLOTS && malloc_class_bytes(slot << 3) == bytes; slot++)
		__atomic_store_n(&malloc_caches[slot], s, __ATOMIC_RELEASE);
	return s;
}

/*
 * malloc_block_cache - the block cache of @size (8 KiB + 1 .. 64 KiB), made
 * if not made yet.  Inside libkmm.  NULL if it could not be made (kmalloc()
 * serves the size then).
 */
static struct kmem_cache *malloc_block_cache(size_t size)
{
	size_t bytes = PAGE_SIZE << get_order(size);
	/* page-aligned objects, one a slab: the block a large kmalloc would be */
	struct kmem_cache *s =
		make_malloc_cache(&malloc_blocks[malloc_block_index(size)], bytes, PAGE_SIZE);

	if (s)
		tune_class(s, bytes);
	return s;
}

static __attribute__((noinline)) void *malloc_slow(size_t size, gfp_t gfp, const void *caller)
{
	void *p;

	if (kmm_unlikely(malloc_depth))
		return nested_alloc(size, MALLOC_ALIGN);
	/* a block cache's fast path, as malloc_fast()'s for the classes */
	if (size - KMALLOC_MAX_CACHE_SIZE - 1 < MALLOC_BLOCK_MAX - KMALLOC_MAX_CACHE_SIZE &&
	    kmem_cache_alloc_fast(malloc_blocks[malloc_block_index(size)], gfp, &p)) {
		if (!(gfp & __GFP_ZERO))
			*(unsigned long *)p = 0;
		return p;
	}
	if (!enter_libkmm())
		return NULL;
	if (!size)
		size = 1;
	if (size <= MALLOC_BLOCK_MAX) {
		struct kmem_cache *s = size <= KMALLOC_MAX_CACHE_SIZE ? malloc_cache(size)
								      : malloc_block_cache(size);

		/* with the size asked for: slub_debug=Z guards the bytes past it */
		p = s ? __kmalloc_cache(s, gfp, size) : kmalloc(size, gfp);
		if (p && !(gfp & __GFP_ZERO))
			*(unsigned long *)p = 0; /* no free key left behind */
	} else if (size <= KMALLOC_MAX_SIZE)
		p = kvmalloc(size, gfp);
	else
		p = large_bytes(size, 1, gfp, caller);
	leave_libkmm();
	if (!p)
		errno = ENOMEM;
	return p;
}

/* aligned_slow - an alignment of a page or more, or above 16 for more than 8 KiB. */
static __attribute__((noinline)) void *aligned_slow(size_t align, size_t size, gfp_t gfp,
						    const void *caller)
{
	size_t bytes = size > align ? size : align;
	void *p = NULL;

	if (kmm_unlikely(malloc_depth))
		return nested_alloc(size, align);
	if (!enter_libkmm())
		return NULL;
	/* a buddy block of 2^order pages is aligned to its size, which is at least @bytes */
	if (bytes <= KMALLOC_MAX_SIZE)
		p = kmalloc_large(bytes, bytes > PAGE_SIZE ? gfp | __GFP_NORETRY : gfp);
	if (!p)
		p = bytes > KMALLOC_MAX_SIZE ? large_bytes(size ? size : 1, align, gfp, caller)
					     : vmalloc_bytes(size ? size : 1, align, gfp, caller);
	leave_libkmm();
	if (!p)
		errno = ENOMEM;
	return p;
}

/*
 * check_allocation - is @ptr the start of an allocation of the machine?
 * Context: inside libkmm (find_vm_area() takes the vmap locks).
 * Return: NULL, or why not (the text may be in @why).
 */
static const char *check_allocation(const void *ptr, char *why, size_t len)
{
	struct kmem_cache *s;
	struct page *head;
	const char *problem;
	void *run;

	if (is_vmalloc_addr(ptr)) {
		struct vm_struct *vm = find_vm_area(ptr);

		if (!vm)
			return "in the vmalloc space but in no area (freed already?)";
		if (vm->addr == ptr && (vm->flags & VM_ALLOC))
			return NULL;
		snprintf(why, len, "%lu bytes into the vmalloc area at %p",
			 (unsigned long)ptr - (unsigned long)vm->addr, vm->addr);
		return why;
	}
	if (!virt_addr_valid(ptr))
		return "not the machine's memory (neither the direct map, the vmalloc area nor "
		       "the bootstrap arena)";
	if (run_pages(ptr))
		return NULL;
	problem = kfree_target(ptr, &s, &head, why, len);
	/* not an allocation: a run's inside?  (a search, on this error path only) */
	if (problem && (run = run_around(ptr))) {
		snprintf(why, len, "%lu bytes into a run of pages at %p",
			 (unsigned long)ptr - (unsigned long)run, run);
		return why;
	}
	return problem;
}

/* The usable bytes at @ptr, a checked allocation; inside libkmm. */
static size_t checked_size(const void *ptr)
{
	if (is_vmalloc_addr(ptr))
		return get_vm_area_size(find_vm_area(ptr));
	if (run_pages(ptr))
		return run_pages(ptr) << PAGE_SHIFT;
	return ksize(ptr);
}

/*
 * usable_bytes - what malloc_usable_size() and realloc() need: the bytes
 * usable at @ptr, or 0 after a report naming @call (errno EINVAL) if @ptr is
 * no allocation.
 */
static size_t usable_bytes(const void *ptr, const char *call)
{
	struct kmem_cache *s;
	const char *problem;
	char why[128];
	size_t size = 0;

	if (bootstrap_owns(ptr))
		return bootstrap_size(ptr);
	if (malloc_depth)
		return nested_size(ptr);
	if (!enter_libkmm())
		return 0;
	s = slab_object(ptr);
	if (s && holds_free_key(ptr) && slab_object_free(s, ptr)) {
		kmm_report("%s: %s: object %p is free, refused", call, s->name, ptr);
		errno = EINVAL;
	} else if ((problem = check_allocation(ptr, why, sizeof(why))) != NULL) {
		kmm_report("%s: %p: %s, refused", call, ptr, problem);
		errno = EINVAL;
	} else {
		size = checked_size(ptr);
	}
	leave_libkmm();
	return size;
}

static __attribute__((noinline)) size_t usable_size_slow(const void *ptr)
{
	return usable_bytes(ptr, "malloc_usable_size");
}

static __attribute__((noinline)) void free_slow(void *ptr)
{
	const char *problem;
	char why[128];

	if (!ptr || bootstrap_owns(ptr))
		return;
	if (kmm_unlikely(malloc_depth)) {
		/* inside libkmm: later, if the lock-free checks pass; dropped otherwise */
		if (is_vmalloc_addr(ptr) ? PAGE_ALIGNED(ptr) && vmalloc_to_page(ptr)
					 : nested_size(ptr))
			defer_free(ptr);
		return;
	}
	if (!enter_libkmm())
		return;
	problem = check_allocation(ptr, why, sizeof(why));
	if (problem)
		kmm_report("free: %p: %s, refused", ptr, problem);
	else
		release(ptr);
	leave_libkmm();
}

/*
 * free_slab_slow - free() of @ptr, an object of @s, when the fast path would
 * not: the CPU's array is full, or the object holds its free key (a double
 * free, unless the program left the same bytes there).
 */
static __attribute__((noinline)) void free_slab_slow(struct kmem_cache *s, void *ptr)
{
	if (kmm_unlikely(malloc_depth)) {
		free_slow(ptr);
		return;
	}
	if (!enter_libkmm())
		return;
	if (__atomic_load_n(&s->bypass_arrays, __ATOMIC_RELAXED)) {
		/* straight to its slab, which finds any double free (and poison stays whole) */
		kfree(ptr);
	} else if (holds_free_key(ptr) && slab_object_free(s, ptr)) {
		kmm_report("free: %s: double free (object %p), refused", s->name, ptr);
	} else {
		/* before the free, which may put it on the array: a free there finds the key */
		*(unsigned long *)ptr = free_key_of(ptr);
		kfree(ptr);
	}
	leave_libkmm();
}

/* realloc_move - realloc() of @ptr, an object of @s in use, to a size its class does not fit. */
static __attribute__((noinline)) void *realloc_move(struct kmem_cache *s, void *ptr, size_t size,
						    const void *caller)
{
	void *p = malloc_fast(size, MALLOC_GFP, caller);

	if (p) {
		memcpy(p, ptr, s->object_size < size ? s->object_size : size);
		free(ptr);
	}
	return p;
}

static __attribute__((noinline)) void *realloc_slow(void *ptr, size_t size, const void *caller)
{
	size_t old = usable_bytes(ptr, "realloc");
	void *p;

	/* 0: refused (EINVAL), or no machine (ENOMEM) */
	if (!old)
		return NULL;
	if (!bootstrap_owns(ptr) && fits_in_place(size, old))
		return ptr;
	p = malloc_fast(size, MALLOC_GFP, caller);
	if (p) {
		memcpy(p, ptr, old < size ? old : size);
		free(ptr);
	}
	return p;
}
