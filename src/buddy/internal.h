/* SPDX-License-Identifier: MIT */
/*
 * buddy/internal.h - what the page allocator's files share (the kernel's mm/internal.h).
 *
 * Locking, for all of src/buddy/:
 *  - zone->lock: the zone's free_area lists and nr_free, the pageblock types of
 *    its pfns, its deferred-init frontier and section_ready bits.  Taken with
 *    emulated interrupts off (kmm_irq_save()) so that an IPI never runs a drain
 *    on a thread that holds it.  Never two zone locks at once.
 *  - per-CPU lists: their thread's, with interrupts off; no lock.
 *  - shrinker_rwsem (reclaim.c): the shrinker list; callbacks run under it
 *    for reading, with no zone lock held and interrupts on.
 *  - kswapd's wait lock (reclaim.c): the wake-up state of each node's kswapd.
 * Counters in zone->vm_stat are atomics, changed under zone->lock and read anywhere.
 */
#ifndef KMM_BUDDY_INTERNAL_H
#define KMM_BUDDY_INTERNAL_H

#include <stdio.h>
#include <kmm/kmm.h>
#include "boot/machine.h"
#include "percpu/percpu.h"

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

static inline bool section_chunk_ready(const struct zone *zone, unsigned long pfn)
{
	return kmm_machine.section_ready[pfn >> PFN_SECTION_SHIFT] & (1u << zone->zone_idx);
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
void buddy_init(void);
void buddy_exit(void);
void setup_per_zone_wmarks(void);
/* deferred_grow_zone - initialise the zone's next section; zone->lock held. */
bool deferred_grow_zone(struct zone *zone);
/* init_page_section - make sure @pfn's struct page is initialised (takes zone->lock). */
void init_page_section(unsigned long pfn);
/* deferred_free_blocks - add the free blocks of not yet initialised sections to @nr_free. */
void deferred_free_blocks(struct zone *zone, unsigned long nr_free[NR_PAGE_ORDERS]);
/* __free_one_page - put a block on the free lists, merging buddies; zone->lock held. */
void __free_one_page(struct page *page, unsigned long pfn, struct zone *zone, unsigned int order,
		     int migratetype);

/* page_alloc.c */
void drain_local_pages(struct kmm_cpu *cpu);
bool __zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark,
			 int highest_zoneidx, unsigned int alloc_flags, long free_pages);

/* reclaim.c: shrinkers, direct reclaim, kswapd */
unsigned long try_to_free_pages(const struct alloc_context *ac, unsigned int order, gfp_t gfp);
void wakeup_kswapd(struct zone *zone, gfp_t gfp, unsigned int order, int highest_zoneidx);
void kswapd_stop_all(void);

/* page_report.c: bad pages, allocation failures */
/* bad_page - "BUG: Bad page state" for @page, then "<call>: ... refused". */
void bad_page(const struct page *page, const char *reason, const char *call, unsigned int order);
void warn_alloc(gfp_t gfp, const unsigned long *nodemask, unsigned int order);
/* format_gfp - "GFP_KERNEL|__GFP_ZERO" for @gfp into @buf. */
const char *format_gfp(gfp_t gfp, char *buf, size_t len);
/* show.c: the /proc files of the page allocator, for kmm_show() */
void show_buddyinfo(FILE *out);
void show_pagetypeinfo(FILE *out);
void show_zoneinfo(FILE *out);
void show_meminfo(FILE *out);

/* show_free_areas - the kernel's Mem-Info summary, printed after an allocation failure. */
void show_free_areas(FILE *out);

#endif /* KMM_BUDDY_INTERNAL_H */
