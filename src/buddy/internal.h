/* SPDX-License-Identifier: MIT */
/*
 * buddy/internal.h - what the page allocator's files share (the kernel's mm/internal.h).
 *
 * Locking, for all of src/buddy/:
 *  - zone->lock: the zone's free_area lists and nr_free, the pageblock types of
 *    its pfns, its deferred-init frontier and memmap_ready bits.  Taken
 *    inside a CPU's lock, never the other way round.  Never two zone locks at
 *    once, except in fork, which holds every zone lock from prepare to parent
 *    (the step KMM_FORK_ZONES, after every CPU is held, so no thread can be
 *    waiting for a second one).
 *  - per-CPU lists: their CPU's lock (percpu/percpu.h): held (kmm_cpu_hold(),
 *    or the fast paths' kmm_cpu_trylock()) by the thread that uses them.
 *  - shrinker_rwsem (reclaim.c): the shrinker list; callbacks run under it
 *    for reading, with no zone lock and no CPU held.
 *  - kswapd's wait lock (reclaim.c): the wake-up state of each node's kswapd.
 *  - page reporting (page_reporting.c): pr_lock across a reporting pass, taken
 *    before zone->lock; pr_wait_lock, the worker's wake-up state, innermost
 *    (taken under zone->lock).
 * Counters in zone->vm_stat are atomics, changed under zone->lock and read anywhere.
 */
#ifndef KMM_BUDDY_INTERNAL_H
#define KMM_BUDDY_INTERNAL_H

#include <stdio.h>
#include <kmm/kmm.h>
#include "boot/machine.h"
#include "percpu/percpu.h"
#include "sync/lock.h"

/* alloc_flags, the kernel's values (ALLOC_MIN_RESERVE == __GFP_HIGH, ALLOC_KSWAPD ==
 * __GFP_KSWAPD_RECLAIM, so gfp_to_alloc_flags() can copy the bits). */
#define ALLOC_WMARK_MIN	    WMARK_MIN
#define ALLOC_WMARK_LOW	    WMARK_LOW
#define ALLOC_WMARK_HIGH    WMARK_HIGH
#define ALLOC_NO_WATERMARKS 0x04
#define ALLOC_WMARK_MASK    (ALLOC_NO_WATERMARKS - 1)
#define ALLOC_OOM	    0x08
#define ALLOC_NON_BLOCK	    0x10
#define ALLOC_MIN_RESERVE   0x20
#define ALLOC_HIGHATOMIC    0x200
#define ALLOC_KSWAPD	    0x800
#define ALLOC_RESERVES	    (ALLOC_NON_BLOCK | ALLOC_MIN_RESERVE | ALLOC_HIGHATOMIC | ALLOC_OOM)

/* What an allocation may use, computed once per call. */
struct alloc_context {
	struct zonelist *zonelist;     /* the zones to try, in order */
	const unsigned long *nodemask; /* the nodes allowed (NULL: all) */
	int migratetype;	       /* gfp_migratetype() */
	int highest_zoneidx;	       /* gfp_zone(): zones above it are skipped */
};

/* The zone a gfp mask allows at most, from its zone modifier bits (the kernel's GFP_ZONE_TABLE). */
extern const unsigned char gfp_zone_table[16];
static inline int gfp_zone(gfp_t gfp)
{
	return gfp_zone_table[gfp & GFP_ZONEMASK];
}

/* gfp_zone_bad - more than one of __GFP_DMA, __GFP_DMA32, __GFP_HIGHMEM (the kernel's GFP_ZONE_BAD). */
static inline bool gfp_zone_bad(gfp_t gfp)
{
	gfp_t zones = gfp & (__GFP_DMA | __GFP_DMA32 | __GFP_HIGHMEM);

	return (zones & (zones - 1)) != 0; /* two bits or more */
}

#define GFP_MOVABLE_MASK (__GFP_RECLAIMABLE | __GFP_MOVABLE)

/*
 * gfp_mask_bad - a mask the kernel rejects: two zone modifiers, or movable
 * with reclaimable.  The general path reports it (check_gfp()); the per-CPU
 * fast path's table never takes it.
 */
static inline bool gfp_mask_bad(gfp_t gfp)
{
	return gfp_zone_bad(gfp) || (gfp & GFP_MOVABLE_MASK) == GFP_MOVABLE_MASK;
}

static inline int gfp_migratetype(gfp_t gfp)
{
	unsigned int mt = (gfp & (__GFP_MOVABLE | __GFP_RECLAIMABLE)) >> 3;

	return mt == 3 ? MIGRATE_MOVABLE : (int)mt;
}

static inline void zone_stat_add(struct zone *zone, enum zone_stat_item item, long delta)
{
	__atomic_fetch_add(&zone->vm_stat[item], delta, __ATOMIC_RELAXED);
}

static inline bool zone_has_deferred(const struct zone *zone)
{
	return __atomic_load_n(&zone->deferred_pfn, __ATOMIC_RELAXED) < zone_end_pfn(zone);
}

static inline bool memmap_chunk_ready(const struct zone *zone, unsigned long pfn)
{
	return kmm_machine.memmap_ready[pfn >> MEMMAP_CHUNK_SHIFT] & (1u << zone->zone_idx);
}

/* first_zone_for - the first zone of @nid's fallback zonelist that @gfp's zone bits allow. */
static inline struct zone *first_zone_for(int nid, gfp_t gfp)
{
	struct zoneref *z = NODE_DATA(nid)->node_zonelists[ZONELIST_FALLBACK]._zonerefs;

	for (; z->zone; z++)
		if (z->zone_idx <= gfp_zone(gfp))
			return z->zone;
	return NULL;
}

/* zone.c: zones, watermarks, zonelists, deferred struct page init */
/* deferred_grow_zone - initialise the zone's next memmap chunk; zone->lock held. */
bool deferred_grow_zone(struct zone *zone);
/* init_memmap_chunk_locked - initialise @zone's part of @pfn's memmap chunk if it is not; zone->lock held. */
void init_memmap_chunk_locked(struct zone *zone, unsigned long pfn);
/* init_page_memmap - make sure @pfn's struct page is initialised (takes zone->lock). */
void init_page_memmap(unsigned long pfn);
/* deferred_free_blocks - add the free blocks of not yet initialised memmap chunks to @nr_free. */
void deferred_free_blocks(struct zone *zone, unsigned long nr_free[NR_PAGE_ORDERS]);
/* __free_one_page - put a block on the free lists, merging buddies; zone->lock held. */
void __free_one_page(struct page *page, unsigned long pfn, struct zone *zone, unsigned int order,
		     int migratetype);
/*
 * __free_fresh_block - __free_one_page() of a block whose frames were never
 * written (memory a memmap chunk brings in): not announced to page
 * reporting, and marked PageReported where it did not merge, since the
 * memfd has nothing of it to give back.  zone->lock held.
 */
void __free_fresh_block(struct page *page, unsigned long pfn, struct zone *zone, unsigned int order,
			int migratetype);

/* page_alloc.c */
/* drain_local_pages - empty every per-CPU list of @cpu; interrupts are off. */
void drain_local_pages(struct kmm_cpu *cpu);
bool __isolate_free_page(struct page *page, unsigned int order);
void __putback_isolated_page(struct page *page, unsigned int order, int migratetype);

/*
 * page_reporting.c: free page reporting (holes punched in free blocks of the
 * memfd).  PageReported (the kernel's alias of PG_uptodate) marks the head of
 * a free block whose memory was given back; it is set and cleared under
 * zone->lock, only on blocks in the free lists.
 */
#define PG_reported PG_uptodate
static inline bool PageReported(const struct page *page)
{
	return (page->flags >> PG_reported) & 1;
}

static inline void __SetPageReported(struct page *page)
{
	page->flags |= 1UL << PG_reported;
}

static inline void __ClearPageReported(struct page *page)
{
	page->flags &= ~(1UL << PG_reported);
}

/*
 * mark_reported_unless_merged - @page, just put on the free lists at @order
 * with nothing in it to give back: marked, unless it merged with a buddy
 * (the merged block holds memory that may not be a hole).  zone->lock held.
 */
static inline void mark_reported_unless_merged(struct page *page, unsigned int order)
{
	if (PageBuddy(page) && page->private == order)
		__SetPageReported(page);
}

/* The smallest order reported; above MAX_PAGE_ORDER while reporting is off. */
extern unsigned int page_reporting_order;
void __page_reporting_notify(void);
/* page_reporting_notify_free - a block of @order entered the free lists; zone->lock held. */
static inline void page_reporting_notify_free(unsigned int order)
{
	if (kmm_likely(order < page_reporting_order))
		return;
	__page_reporting_notify();
}

/* reclaim.c: shrinkers, direct reclaim, kswapd */
unsigned long try_to_free_pages(const struct alloc_context *ac, unsigned int order, gfp_t gfp);
void wakeup_kswapd(struct zone *zone, gfp_t gfp, unsigned int order, int highest_zoneidx);

/*
 * debug.c: page debugging (debug_pagealloc=, page_poison=, init_on_alloc=/init_on_free=)
 * and the per-CPU lists' on/off switch.  While page_debug_enabled, every zone's
 * pcp high is 0, so the per-CPU lists never hold a block and the hooks below
 * see every block that enters or leaves the buddy lists.
 */
extern bool page_debug_enabled;
/* init_on_alloc=1 / init_on_free=1 in effect (page_poison=1 takes precedence). */
bool mem_init_on_alloc(void);
bool mem_init_on_free(void);
/* page_poison=1 in effect: free pages hold PAGE_POISON (so they are never given back). */
bool page_debug_poisons(void);
/* page_debug_free - a block leaving its owner for the buddy lists: poison/zero, unmap. */
void page_debug_free(struct page *page, unsigned int order);
/* page_debug_alloc - a block leaving the buddy lists: map, check poison; the gfp to prep with. */
gfp_t page_debug_alloc(struct page *page, unsigned int order, gfp_t gfp);
/* page_debug_pcp_free - page_debug_free() for the blocks on @pcp (one, pushed by a fast free). */
void page_debug_pcp_free(struct per_cpu_pages *pcp);

/* ASan builds: the direct-map bytes of a free block are poisoned in ASan's shadow. */
#ifdef KMM_ASAN
#include <sanitizer/asan_interface.h>
static inline void kasan_free_block(struct page *page, unsigned int order)
{
	if (page_to_pfn(page) < kmm_max_low_pfn)
		ASAN_POISON_MEMORY_REGION(page_address(page), PAGE_SIZE << order);
}

static inline void kasan_alloc_block(struct page *page, unsigned int order)
{
	if (page_to_pfn(page) < kmm_max_low_pfn)
		ASAN_UNPOISON_MEMORY_REGION(page_address(page), PAGE_SIZE << order);
}
#else
static inline void kasan_free_block(struct page *page, unsigned int order)
{
	(void)page;
	(void)order;
}

static inline void kasan_alloc_block(struct page *page, unsigned int order)
{
	(void)page;
	(void)order;
}
#endif

/* bad_page.c: bad pages, allocation failures */
/* dump_page - the kernel's __dump_page(): the struct page, then "page dumped because: @reason". */
void dump_page(const struct page *page, const char *reason);
/*
 * kmm_alloc_own_pages / kmm_free_own_pages - alloc_pages_exact() and
 * free_pages_exact() for the library's own structures (cache descriptors,
 * per-CPU arrays).  While the library holds them the pages are PG_reserved,
 * one of the PAGE_FLAGS_CHECK_AT_FREE bits, so a program's free of one is a
 * "Bad page state" report and refused on every path, the fast ones included,
 * at no cost there.  kmm_own_page() / kmm_disown_page() mark and unmark one
 * page allocated otherwise (a page table).
 */
void *kmm_alloc_own_pages(size_t size, gfp_t gfp);
void kmm_free_own_pages(void *virt, size_t size);
static inline void kmm_own_page(struct page *page)
{
	__SetPageReserved(page);
}

static inline void kmm_disown_page(struct page *page)
{
	__ClearPageReserved(page);
}

/* bad_page - "BUG: Bad page state" for @page, then "<call>: ... refused". */
void bad_page(const struct page *page, const char *reason, const char *call, unsigned int order);
void warn_alloc(gfp_t gfp, const unsigned long *nodemask, unsigned int order);
/* format_gfp - "GFP_KERNEL|__GFP_ZERO" for @gfp into @buf. */
const char *format_gfp(gfp_t gfp, char *buf, size_t len);
/* show.c: the /proc files of the page allocator, for kmm_show() */
void show_buddyinfo(FILE *out);
void show_pagetypeinfo(FILE *out);
void show_zoneinfo(FILE *out);

/* show_free_areas - the kernel's Mem-Info summary, printed after an allocation failure. */
void show_free_areas(FILE *out);

#endif /* KMM_BUDDY_INTERNAL_H */
