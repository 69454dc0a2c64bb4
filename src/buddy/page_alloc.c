/* SPDX-License-Identifier: MIT */
/*
 * buddy/page_alloc.c - the buddy page allocator and its per-CPU page lists.
 *
 * Each zone keeps free blocks of 2^order pages, order 0..MAX_PAGE_ORDER, on
 * free_area[order].free_list[migratetype].  A block's buddy is found by pfn
 * arithmetic (pfn ^ (1 << order)); freeing merges a block with its free buddy
 * as long as it can.  Allocation takes the smallest block of the wanted
 * migrate type that is big enough and splits it (expand()), or steals from
 * another type's pageblocks (__rmqueue_fallback()).
 *
 * In front of the zones, each CPU keeps per-CPU lists of free blocks of
 * orders 0..PAGE_ALLOC_COSTLY_ORDER, one per order and migrate type.
 * alloc_pages()/__free_pages() of those orders touch only the lists of the
 * CPU the thread runs on (taken in a restartable sequence, no lock and no
 * atomic: percpu/percpu.h) or holds; lists are refilled from and flushed to
 * the zone in batches under zone->lock.
 *
 * Locking: see internal.h.  rmqueue_bulk(), free_pcppages_bulk() and the
 * high-order paths take zone->lock, inside the CPU when one is taken.
 */
#include <sys/sysinfo.h>
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <time.h>

#include "buddy/internal.h"
#include "fault/fault_inject.h"
#include "report/report.h"

const unsigned char gfp_zone_table[16] = {
	[0] = ZONE_NORMAL,
	[___GFP_DMA] = ZONE_DMA,
	[___GFP_HIGHMEM] = ZONE_HIGHMEM,
	[___GFP_DMA32] = ZONE_DMA32,
	[___GFP_MOVABLE] = ZONE_NORMAL,
	[___GFP_MOVABLE | ___GFP_DMA] = ZONE_DMA,
	[___GFP_MOVABLE | ___GFP_HIGHMEM] = ZONE_HIGHMEM,
	[___GFP_MOVABLE | ___GFP_DMA32] = ZONE_DMA32,
	/* invalid combinations: the kernel BUGs; here the most restrictive zone wins */
	[___GFP_DMA | ___GFP_DMA32] = ZONE_DMA,
	[___GFP_DMA | ___GFP_HIGHMEM] = ZONE_DMA,
	[___GFP_DMA32 | ___GFP_HIGHMEM] = ZONE_DMA32,
	[___GFP_DMA | ___GFP_DMA32 | ___GFP_HIGHMEM] = ZONE_DMA,
	[___GFP_MOVABLE | ___GFP_DMA | ___GFP_DMA32] = ZONE_DMA,
	[___GFP_MOVABLE | ___GFP_DMA | ___GFP_HIGHMEM] = ZONE_DMA,
	[___GFP_MOVABLE | ___GFP_DMA32 | ___GFP_HIGHMEM] = ZONE_DMA32,
	[___GFP_MOVABLE | ___GFP_DMA | ___GFP_DMA32 | ___GFP_HIGHMEM] = ZONE_DMA,
};

const char *const kmm_migratetype_names[MIGRATE_TYPES] = {"Unmovable", "Movable", "Reclaimable",
							  "HighAtomic", "Isolate"};

/* Where a migrate type's allocation may steal from when its own lists are empty. */
static const int fallbacks[MIGRATE_PCPTYPES][MIGRATE_PCPTYPES - 1] = {
	[MIGRATE_UNMOVABLE] = {MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE},
	[MIGRATE_MOVABLE] = {MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE},
	[MIGRATE_RECLAIMABLE] = {MIGRATE_UNMOVABLE, MIGRATE_MOVABLE},
};

#define MAX_RECLAIM_RETRIES 16

static inline unsigned int order_to_pindex(int migratetype, unsigned int order)
{
	return order * MIGRATE_PCPTYPES + (unsigned int)migratetype;
}

static inline unsigned int pindex_to_order(unsigned int pindex)
{
	return pindex / MIGRATE_PCPTYPES;
}

static inline void unlink_lru(struct page *page)
{
	__list_del(page->lru.prev, page->lru.next);
}

/* Buddy bookkeeping: a free block's head is PageBuddy with its order in private. */
static inline void set_buddy_order(struct page *page, unsigned int order)
{
	page->private = order;
	page->page_type &= ~PG_buddy;
}

static inline void clear_buddy(struct page *page)
{
	page->page_type |= PG_buddy;
}

static inline bool page_is_buddy(const struct page *buddy, unsigned long buddy_pfn,
				 const struct zone *zone, unsigned int order)
{
	return zone_spans_pfn(zone, buddy_pfn) && PageBuddy(buddy) && buddy->private == order;
}

static inline void add_to_free_list(struct page *page, struct zone *zone, unsigned int order,
				    int migratetype)
{
	struct free_area *area = &zone->free_area[order];

	set_buddy_order(page, order);
	list_add(&page->lru, &area->free_list[migratetype]);
	area->nr_free++;
}

/* del_from_free_list - take a block off its list; a reported block is no longer reported. */
static inline void del_from_free_list(struct page *page, struct zone *zone, unsigned int order)
{
	if (kmm_unlikely(PageReported(page)))
		__ClearPageReported(page);
	unlink_lru(page);
	clear_buddy(page);
	zone->free_area[order].nr_free--;
}

/* Flags of __free_one_page_fpi() (the kernel's fpi_t). */
#define FPI_SKIP_REPORT_NOTIFY 0x1 /* do not tell page reporting about the block */
#define FPI_TO_TAIL	       0x2 /* put the block at the tail: allocated last */

/* __free_one_page_fpi - __free_one_page() with FPI_* flags. */
static void __free_one_page_fpi(struct page *page, unsigned long pfn, struct zone *zone,
				unsigned int order, int migratetype, unsigned int fpi)
{
	while (order < MAX_PAGE_ORDER) {
		unsigned long buddy_pfn = pfn ^ (1UL << order);
		struct page *buddy = pfn_to_page(buddy_pfn);
		unsigned long combined_pfn;

		if (!page_is_buddy(buddy, buddy_pfn, zone, order))
			break;
		del_from_free_list(buddy, zone, order);
		combined_pfn = buddy_pfn & pfn;
		page = pfn_to_page(combined_pfn);
		pfn = combined_pfn;
		order++;
	}
	add_to_free_list(page, zone, order, migratetype);
	if (kmm_unlikely(fpi))
		goto out_fpi;
	page_reporting_notify_free(order);
	return;
out_fpi:
	if (fpi & FPI_TO_TAIL)
		list_move_tail(&page->lru, &zone->free_area[order].free_list[migratetype]);
	if (!(fpi & FPI_SKIP_REPORT_NOTIFY))
		page_reporting_notify_free(order);
}

void __free_one_page(struct page *page, unsigned long pfn, struct zone *zone, unsigned int order,
		     int migratetype)
{
	__free_one_page_fpi(page, pfn, zone, order, migratetype, 0);
}

void __free_fresh_block(struct page *page, unsigned long pfn, struct zone *zone, unsigned int order,
			int migratetype)
{
	__free_one_page_fpi(page, pfn, zone, order, migratetype, FPI_SKIP_REPORT_NOTIFY);
	mark_reported_unless_merged(page, order);
}

/*
 * __isolate_free_page - take the free block @page of @order off the free lists
 * for page reporting, unless that would bring the zone below its min watermark
 * (the kernel's check).  zone->lock held.  Return: true if it was taken.
 */
bool __isolate_free_page(struct page *page, unsigned int order)
{
	struct zone *zone = page_zone(page);

	if (!zone_watermark_ok(zone, 0, min_wmark_pages(zone) + (1UL << order), 0, 0))
		return false;
	del_from_free_list(page, zone, order);
	zone_stat_add(zone, NR_FREE_PAGES, -(1L << order));
	return true;
}

/*
 * __putback_isolated_page - give a block taken by __isolate_free_page() back,
 * at the tail of its list and without a new reporting request.  zone->lock held.
 */
void __putback_isolated_page(struct page *page, unsigned int order, int migratetype)
{
	struct zone *zone = page_zone(page);

	__free_one_page_fpi(page, page_to_pfn(page), zone, order, migratetype,
			    FPI_SKIP_REPORT_NOTIFY | FPI_TO_TAIL);
	zone_stat_add(zone, NR_FREE_PAGES, 1L << order);
}

/* expand - split a 2^high block down to 2^low, giving the upper halves back. */
static inline void expand(struct zone *zone, struct page *page, unsigned int low, unsigned int high,
			  int migratetype)
{
	unsigned long size = 1UL << high;

	while (high > low) {
		high--;
		size >>= 1;
		add_to_free_list(&page[size], zone, high, migratetype);
	}
}

static struct page *__rmqueue_smallest(struct zone *zone, unsigned int order, int migratetype)
{
	unsigned int current_order;

	for (current_order = order; current_order < NR_PAGE_ORDERS; current_order++) {
		struct list_head *list = &zone->free_area[current_order].free_list[migratetype];
		struct page *page;

		if (list_empty(list))
			continue;
		page = list_first_entry(list, struct page, lru);
		del_from_free_list(page, zone, current_order);
		expand(zone, page, order, current_order, migratetype);
		return page;
	}
	return NULL;
}

/* move_freepages_block - move the free blocks of @page's pageblock to @migratetype's lists. */
static unsigned long move_freepages_block(struct zone *zone, struct page *page, int migratetype)
{
	unsigned long pfn = page_to_pfn(page) & ~(pageblock_nr_pages - 1);
	unsigned long end = pfn + pageblock_nr_pages, moved = 0;

	if (pfn < zone->zone_start_pfn)
		pfn = zone->zone_start_pfn;
	if (end > zone_end_pfn(zone))
		end = zone_end_pfn(zone);
	while (pfn < end) {
		struct page *p = pfn_to_page(pfn);

		if (!PageBuddy(p)) {
			pfn++;
			continue;
		}
		list_move(&p->lru, &zone->free_area[p->private].free_list[migratetype]);
		moved += 1UL << p->private;
		pfn += 1UL << p->private;
	}
	return moved;
}

/*
 * __rmqueue_fallback - take the largest free block of a fallback type, and
 * claim its pageblock for @start_type if the block is big or the pageblock
 * is mostly free (the kernel's steal_suitable_fallback()).
 */
static bool __rmqueue_fallback(struct zone *zone, unsigned int order, int start_type)
{
	int current_order, i;

	for (current_order = MAX_PAGE_ORDER; current_order >= (int)order; current_order--) {
		struct free_area *area = &zone->free_area[current_order];

		for (i = 0; i < MIGRATE_PCPTYPES - 1; i++) {
			int fallback_mt = fallbacks[start_type][i];
			struct page *page;
			unsigned long pfn;

			if (list_empty(&area->free_list[fallback_mt]))
				continue;
			page = list_first_entry(&area->free_list[fallback_mt], struct page, lru);
			pfn = page_to_pfn(page);
			if (current_order >= pageblock_order) {
				unsigned long nr = 1UL << (current_order - pageblock_order), b;

				for (b = 0; b < nr; b++)
					set_pageblock_migratetype(pfn + b * pageblock_nr_pages,
								  start_type);
				list_move(&page->lru, &area->free_list[start_type]);
			} else if (current_order >= pageblock_order / 2 ||
				   start_type != MIGRATE_MOVABLE) {
				unsigned long free_pages =
					move_freepages_block(zone, page, start_type);

				if (free_pages >= (1UL << (pageblock_order - 1)))
					set_pageblock_migratetype(pfn, start_type);
			} else {
				list_move(&page->lru, &area->free_list[start_type]);
			}
			return true;
		}
	}
	return false;
}

static struct page *__rmqueue(struct zone *zone, unsigned int order, int migratetype)
{
	struct page *page;

	for (;;) {
		page = __rmqueue_smallest(zone, order, migratetype);
		if (page)
			return page;
		if (__rmqueue_fallback(zone, order, migratetype))
			continue;
		if (!deferred_grow_zone(zone))
			return NULL;
	}
}

/* rmqueue_bulk - move up to @count blocks of @order from the zone to a per-CPU list. */
static int rmqueue_bulk(struct zone *zone, unsigned int order, int count, struct list_head *list,
			int migratetype)
{
	int i;

	kmm_lock(&zone->lock);
	for (i = 0; i < count; i++) {
		struct page *page = __rmqueue(zone, order, migratetype);

		if (!page)
			break;
		page->page_type &= ~PG_pcp;
		list_add_tail(&page->lru, list);
	}
	zone_stat_add(zone, NR_FREE_PAGES, -((long)i << order));
	kmm_unlock(&zone->lock);
	return i;
}

/*
 * free_pcppages_bulk - give @count pages from @pcp back to @zone: round robin
 * over the non-empty lists, a run from each, coldest (tail) pages first, as the
 * kernel does.  The round robin carries on from where the last flush stopped,
 * so that blocks parked on one list are flushed in turn instead of the list in
 * use being emptied (and refilled) by every flush.
 */
static void free_pcppages_bulk(struct zone *zone, int count, struct per_cpu_pages *pcp)
{
	unsigned int pindex = (unsigned int)pcp->flush_pindex;
	long freed = 0;

	if (count > pcp->count)
		count = pcp->count;
	kmm_lock(&zone->lock);
	while (count > 0) {
		struct list_head *list;
		unsigned int order;

		do {
			pindex = pindex == NR_PCP_LISTS - 1 ? 0 : pindex + 1;
			list = &pcp->lists[pindex];
		} while (list_empty(list));
		order = pindex_to_order(pindex);
		do {
			struct page *page = list_last_entry(list, struct page, lru);
			unsigned long pfn = page_to_pfn(page);

			unlink_lru(page);
			page->page_type |= PG_pcp;
			pcp->count -= 1 << order;
			count -= 1 << order;
			freed += 1L << order;
			__free_one_page(page, pfn, zone, order, get_pageblock_migratetype(pfn));
		} while (count > 0 && !list_empty(list));
	}
	pcp->flush_pindex = (int)pindex;
	zone_stat_add(zone, NR_FREE_PAGES, freed);
	kmm_unlock(&zone->lock);
}

/* drain_local_pages - empty every per-CPU list of @cpu, which is held. */
void drain_local_pages(struct kmm_cpu *cpu)
{
	int nid, zid;

	for (nid = 0; nid < kmm_nr_online_nodes; nid++) {
		for (zid = 0; zid < MAX_NR_ZONES; zid++) {
			struct per_cpu_pages *pcp = cpu_pcp(cpu, nid, zid);

			if (pcp->count)
				free_pcppages_bulk(&NODE_DATA(nid)->node_zones[zid], pcp->count,
						   pcp);
		}
	}
}

/*
 * rmqueue_pcplist - a block of order <= PAGE_ALLOC_COSTLY_ORDER from the lists
 * of @cpu, which the caller holds.
 */
static kmm_always_inline struct page *rmqueue_pcplist(struct kmm_cpu *cpu, struct zone *zone,
						      unsigned int order, int migratetype)
{
	struct per_cpu_pages *pcp = cpu_pcp(cpu, zone->node, zone->zone_idx);
	struct list_head *list = &pcp->lists[order_to_pindex(migratetype, order)];
	struct page *page = NULL;

	if (kmm_unlikely(list_empty(list))) {
		int batch = pcp->batch;

		if (order)
			batch = (batch >> order) > 2 ? batch >> order : 2;
		/* Lists off (page debugging, fail_page_alloc): one block, straight through. */
		if (kmm_unlikely(!pcp->high))
			batch = 1;
		pcp->count += rmqueue_bulk(zone, order, batch, list, migratetype) << order;
		if (list_empty(list))
			goto out;
	}
	page = list_first_entry(list, struct page, lru);
	unlink_lru(page);
	pcp->count -= 1 << order;
out:
	return page;
}

static struct page *rmqueue_buddy(struct zone *zone, unsigned int order, int migratetype)
{
	struct page *page;

	kmm_lock(&zone->lock);
	page = __rmqueue(zone, order, migratetype);
	if (page)
		zone_stat_add(zone, NR_FREE_PAGES, -(1L << order));
	kmm_unlock(&zone->lock);
	return page;
}

static void prep_compound_page(struct page *page, unsigned int order)
{
	unsigned long i, nr = 1UL << order;

	__SetPageHead(page);
	for (i = 1; i < nr; i++)
		page[i].compound_head = (unsigned long)page + 1;
	page[1].compound_order = (unsigned char)order;
}

/* The rare parts of preparing a block: zeroing it, making it compound. */
static __attribute__((noinline)) void prep_new_page_extra(struct page *page, unsigned int order,
							  gfp_t gfp)
{
	if (gfp & __GFP_ZERO) {
		unsigned long i;

		/* A highmem block has no address: zero it a page at a time through kmap_local. */
		if (kmm_unlikely(PageHighMem(page)))
			for (i = 0; i < (1UL << order); i++)
				clear_highpage(page + i);
		else
			memset(page_address(page), 0, PAGE_SIZE << order);
	}
	if (order && (gfp & __GFP_COMP))
		prep_compound_page(page, order);
}

static kmm_always_inline void prep_new_page(struct page *page, unsigned int order, gfp_t gfp)
{
	page->flags = (page->flags & PAGE_ZONE_NODE_MASK) |
		      ((unsigned long)order << PAGE_ORDER_PGSHIFT) |
		      ((unsigned long)gfp_migratetype(gfp) << PAGE_PCPTYPE_PGSHIFT);
	page->page_type = ~0u;
	page->mapping = NULL;
	page->private = 0;
	set_page_count(page, 1);
	if (kmm_unlikely(gfp & (__GFP_ZERO | __GFP_COMP)))
		prep_new_page_extra(page, order, gfp);
}

static bool __zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark,
				int highest_zoneidx, unsigned int alloc_flags, long free_pages)
{
	long min = (long)mark;
	unsigned int o;
	int mt;

	free_pages -= (1L << order) - 1;
	if (alloc_flags & ALLOC_RESERVES) {
		if (alloc_flags & ALLOC_MIN_RESERVE) {
			min -= min / 2;
			if (alloc_flags & ALLOC_NON_BLOCK)
				min -= min / 4;
		}
		if (alloc_flags & ALLOC_OOM)
			min -= min / 2;
	}
	if (free_pages <= min + z->lowmem_reserve[highest_zoneidx])
		return false;
	if (!order)
		return true;
	/* A block of the order must exist; memmap chunks not yet initialised are 4 MiB blocks. */
	if (zone_has_deferred(z))
		return true;
	for (o = order; o < NR_PAGE_ORDERS; o++) {
		struct free_area *area = &z->free_area[o];

		if (!__atomic_load_n(&area->nr_free, __ATOMIC_RELAXED))
			continue;
		for (mt = 0; mt < MIGRATE_PCPTYPES; mt++)
			if (!list_empty(&area->free_list[mt]))
				return true;
	}
	return false;
}

bool zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark, int highest_zoneidx,
		       unsigned int alloc_flags)
{
	return __zone_watermark_ok(z, order, mark, highest_zoneidx, alloc_flags,
				   (long)zone_page_state(z, NR_FREE_PAGES));
}

static kmm_always_inline bool zone_watermark_fast(struct zone *z, unsigned int order,
						  unsigned long mark, int highest_zoneidx,
						  unsigned int alloc_flags)
{
	long free_pages = (long)zone_page_state(z, NR_FREE_PAGES);

	if (kmm_likely(!order) && free_pages > (long)mark + z->lowmem_reserve[highest_zoneidx])
		return true;
	return __zone_watermark_ok(z, order, mark, highest_zoneidx, alloc_flags, free_pages);
}

/*
 * get_page_from_freelist - the first zone of the zonelist above its watermark
 * gives the block: from the per-CPU lists of the CPU the thread holds, or
 * runs on if it can hold it, else from the zone itself.
 */
static kmm_always_inline struct page *get_page_from_freelist(gfp_t gfp, unsigned int order,
							     unsigned int alloc_flags,
							     const struct alloc_context *ac)
{
	struct zoneref *z;

	for (z = ac->zonelist->_zonerefs; z->zone; z++) {
		struct zone *zone = z->zone;
		struct page *page;

		if (z->zone_idx > ac->highest_zoneidx)
			continue;
		if (ac->nodemask && !(ac->nodemask[0] & (1UL << zone->node)))
			continue;
		if (!(alloc_flags & ALLOC_NO_WATERMARKS) &&
		    !zone_watermark_fast(zone, order,
					 wmark_pages(zone, alloc_flags & ALLOC_WMARK_MASK),
					 ac->highest_zoneidx, alloc_flags))
			continue;
		page = NULL;
		if (kmm_likely(order <= PAGE_ALLOC_COSTLY_ORDER)) {
			struct kmm_cpu *cpu = kmm_cpu_hold();

			if (cpu) {
				page = rmqueue_pcplist(cpu, zone, order, ac->migratetype);
				kmm_cpu_release(cpu);
				if (!page)
					continue;
			}
		}
		if (!page)
			page = rmqueue_buddy(zone, order, ac->migratetype);
		if (kmm_likely(page != NULL)) {
			if (kmm_unlikely(page_debug_enabled))
				gfp = page_debug_alloc(page, order, gfp);
			kasan_alloc_block(page, order);
			prep_new_page(page, order, gfp);
			return page;
		}
	}
	return NULL;
}

static unsigned int gfp_to_alloc_flags(gfp_t gfp, unsigned int order)
{
	unsigned int alloc_flags = ALLOC_WMARK_MIN;

	alloc_flags |= gfp & (__GFP_HIGH | __GFP_KSWAPD_RECLAIM);
	if (!(gfp & __GFP_DIRECT_RECLAIM) && !(gfp & __GFP_NOMEMALLOC)) {
		alloc_flags |= ALLOC_NON_BLOCK;
		if (order > 0)
			alloc_flags |= ALLOC_HIGHATOMIC;
	}
	if ((gfp & __GFP_MEMALLOC) && !(gfp & __GFP_NOMEMALLOC))
		alloc_flags |= ALLOC_NO_WATERMARKS;
	return alloc_flags;
}

static void wake_all_kswapds(unsigned int order, gfp_t gfp, const struct alloc_context *ac)
{
	struct zoneref *z;

	for (z = ac->zonelist->_zonerefs; z->zone; z++)
		if (z->zone_idx <= ac->highest_zoneidx)
			wakeup_kswapd(z->zone, gfp, order, ac->highest_zoneidx);
}

static __attribute__((noinline)) struct page *__alloc_pages_slowpath(gfp_t gfp, unsigned int order,
								     const struct alloc_context *ac)
{
	unsigned int alloc_flags = gfp_to_alloc_flags(gfp, order);
	/* Reclaim takes the other CPUs over: never holding one. */
	bool can_direct_reclaim = (gfp & __GFP_DIRECT_RECLAIM) && !kmm_this_cpu;
	int loops = 0;
	struct page *page;

	if (alloc_flags & ALLOC_KSWAPD)
		wake_all_kswapds(order, gfp, ac);
	page = get_page_from_freelist(gfp, order, alloc_flags, ac);
	if (page)
		return page;
	if (!can_direct_reclaim && !(gfp & __GFP_NOFAIL))
		goto nopage;
	for (;;) {
		unsigned long progress = 0;

		if (can_direct_reclaim) {
			/* Direct reclaim: the shrinkers, then whatever other CPUs hold. */
			progress = try_to_free_pages(ac, order, gfp);
			page = get_page_from_freelist(gfp, order, alloc_flags, ac);
			if (page)
				return page;
			kmm_drain_all();
			page = get_page_from_freelist(gfp, order, alloc_flags, ac);
			if (page)
				return page;
		}
		if (gfp & __GFP_NOFAIL) {
			/* Never fails: dip into the reserves and wait for someone to free. */
			alloc_flags |= ALLOC_MIN_RESERVE | ALLOC_NON_BLOCK;
			page = get_page_from_freelist(gfp, order, alloc_flags, ac);
			if (page)
				return page;
			nanosleep(&(struct timespec){0, 1000000}, NULL);
			continue;
		}
		if (gfp & __GFP_NORETRY)
			break;
		if (order > PAGE_ALLOC_COSTLY_ORDER && !(gfp & __GFP_RETRY_MAYFAIL))
			break;
		if (++loops > MAX_RECLAIM_RETRIES || (!progress && loops > 2))
			break;
	}
nopage:
	warn_alloc(gfp, ac->nodemask, order);
	return NULL;
}

/*
 * check_gfp - the masks the kernel rejects: two zone modifiers (gfp_zone()'s
 * VM_BUG_ON) are refused; __GFP_MOVABLE with __GFP_RECLAIMABLE
 * (gfp_migratetype()'s VM_WARN_ON) is reported and allocated as movable;
 * __GFP_NOFAIL above order 1 (rmqueue()'s WARN_ON_ONCE) is reported once.
 * The per-CPU fast path never takes the first two (gfp_mask_bad()).
 * Return: false to refuse the allocation.
 */
static __attribute__((cold, noinline)) bool check_gfp(gfp_t gfp, unsigned int order)
{
	static bool nofail_warned;
	char flags[256];

	if (gfp_zone_bad(gfp)) {
		kmm_report("WARNING: alloc_pages: more than one zone modifier in gfp %#x (%s), "
			   "refused",
			   gfp, format_gfp(gfp, flags, sizeof(flags)));
		return false;
	}
	if ((gfp & GFP_MOVABLE_MASK) == GFP_MOVABLE_MASK)
		kmm_report("WARNING: alloc_pages: __GFP_MOVABLE and __GFP_RECLAIMABLE together in "
			   "gfp %#x (%s), allocated as movable",
			   gfp, format_gfp(gfp, flags, sizeof(flags)));
	if ((gfp & __GFP_NOFAIL) && order > 1 &&
	    !__atomic_exchange_n(&nofail_warned, true, __ATOMIC_RELAXED))
		kmm_report(
			"WARNING: alloc_pages: __GFP_NOFAIL above order 1 (order %u): it may wait "
			"forever; do not use it in new code",
			order);
	return true;
}

/* The general path: any order, node and zone, watermarks, then the slow path. */
static __attribute__((noinline)) struct page *
alloc_pages_common(gfp_t gfp, unsigned int order, int nid, const unsigned long *nodemask)
{
	struct alloc_context ac;
	struct page *page;

	if (kmm_unlikely(order > MAX_PAGE_ORDER)) {
		if (!(gfp & __GFP_NOWARN))
			kmm_report("WARNING: alloc_pages: order %u > MAX_PAGE_ORDER (%d), refused",
				   order, MAX_PAGE_ORDER);
		return NULL;
	}
	if (!kmm_machine_up())
		return NULL;
	if (nid == NUMA_NO_NODE)
		nid = numa_node_id();
	else if (kmm_unlikely(nid < 0 || nid >= kmm_nr_online_nodes)) {
		kmm_report("WARNING: alloc_pages_node: node %d is not online, using node 0", nid);
		nid = 0;
	}
	gfp &= __GFP_BITS_MASK;
	if (kmm_unlikely(gfp_mask_bad(gfp) || ((gfp & __GFP_NOFAIL) && order > 1)) &&
	    !check_gfp(gfp, order))
		return NULL;
	/* As the kernel's prepare_alloc_pages(): an injected failure, without warn_alloc(). */
	if (kmm_unlikely(fail_page_alloc_active()) && should_fail_alloc_page(gfp, order))
		return NULL;
	ac.zonelist = &NODE_DATA(nid)->node_zonelists[(gfp & __GFP_THISNODE) ? ZONELIST_NOFALLBACK
									     : ZONELIST_FALLBACK];
	ac.nodemask = nodemask;
	ac.migratetype = gfp_migratetype(gfp);
	ac.highest_zoneidx = gfp_zone(gfp);
	page = get_page_from_freelist(gfp, order, ALLOC_WMARK_LOW, &ac);
	if (kmm_likely(page != NULL))
		return page;
	return __alloc_pages_slowpath(gfp, order, &ac);
}

/*
 * pcp_alloc_fast - a block of order <= PAGE_ALLOC_COSTLY_ORDER from the list
 * of @cpu (held or locked by the caller) for the preferred zone, when that
 * zone is above its low watermark; NULL to take the general path.  It takes
 * exactly the block get_page_from_freelist() would take first.  Zeroing and
 * compound set-up are the caller's, once the CPU is let go.
 */
static kmm_always_inline struct page *pcp_alloc_fast(struct kmm_cpu *cpu, gfp_t gfp,
						     unsigned int order)
{
	const struct pcp_fast *fast = &cpu->pcp_fast[gfp & PCP_FAST_MASK];
	struct per_cpu_pages *pcp = fast->pcp;
	struct list_head *list;
	struct page *page;

	if (kmm_unlikely(!pcp))
		return NULL;
	if (kmm_unlikely(__atomic_load_n(&pcp->zone->vm_stat[NR_FREE_PAGES], __ATOMIC_RELAXED) -
				 ((1L << order) - 1) <=
			 fast->mark))
		return NULL;
	list = &pcp->lists[order_to_pindex(fast->migratetype, order)];
	if (kmm_unlikely(list_empty(list)))
		return NULL;
	page = list_first_entry(list, struct page, lru);
	unlink_lru(page);
	pcp->count -= 1 << order;
	kasan_alloc_block(page, order);
	page->flags = (page->flags & PAGE_ZONE_NODE_MASK) |
		      ((unsigned long)order << PAGE_ORDER_PGSHIFT) |
		      ((unsigned long)fast->migratetype << PAGE_PCPTYPE_PGSHIFT);
	page->page_type = ~0u;
	page->mapping = NULL;
	page->private = 0;
	set_page_count(page, 1);
	return page;
}

/* pcp_alloc_finish - the rare end of a fast allocation: zeroing, a compound page. */
static __attribute__((noinline)) struct page *pcp_alloc_finish(struct page *page,
							       unsigned int order, gfp_t gfp)
{
	prep_new_page_extra(page, order, gfp);
	return page;
}

static struct page *pcp_alloc_locked(gfp_t gfp, unsigned int order);

/*
 * pcp_alloc - the per-CPU fast path, on the CPU the thread holds or, with a
 * trylock (the kernel's pcp_spin_trylock()), the one it runs on; else, or
 * when that list is empty, the general path.  Everything rare ends in a tail
 * call (the locked path without rseq too, @rseq being false there), so the
 * fast path keeps its state in caller-saved registers.
 */
static kmm_always_inline struct page *pcp_alloc(gfp_t gfp, unsigned int order, bool rseq)
{
	struct kmm_cpu *cpu = kmm_this_cpu;
	struct page *page;

	if (kmm_unlikely(cpu != NULL)) {
		page = pcp_alloc_fast(cpu, gfp, order);
	} else {
		if (rseq && kmm_unlikely(!kmm_cpus_rseq))
			return pcp_alloc_locked(gfp, order);
		cpu = kmm_cpu_trylock(rseq);
		if (kmm_unlikely(cpu == NULL))
			return alloc_pages_common(gfp, order, NUMA_NO_NODE, NULL);
		page = pcp_alloc_fast(cpu, gfp, order);
		kmm_cpu_unlock(cpu, rseq);
	}
	if (kmm_unlikely(page == NULL))
		return alloc_pages_common(gfp, order, NUMA_NO_NODE, NULL);
	if (kmm_unlikely(gfp & (__GFP_ZERO | __GFP_COMP)))
		return pcp_alloc_finish(page, order, gfp);
	return page;
}

static __attribute__((noinline)) struct page *pcp_alloc_locked(gfp_t gfp, unsigned int order)
{
	return pcp_alloc(gfp, order, false);
}

/* alloc_pages - pcp_alloc() (order 0 specialised) up to PAGE_ALLOC_COSTLY_ORDER. */
struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	if (kmm_likely(order == 0))
		return pcp_alloc(gfp, 0, true);
	if (order <= PAGE_ALLOC_COSTLY_ORDER)
		return pcp_alloc(gfp, order, true);
	return alloc_pages_common(gfp, order, NUMA_NO_NODE, NULL);
}

struct page *alloc_pages_node(int nid, gfp_t gfp, unsigned int order)
{
	return alloc_pages_common(gfp, order, nid, NULL);
}

struct page *__alloc_pages(gfp_t gfp, unsigned int order, int preferred_nid,
			   const unsigned long *nodemask)
{
	return alloc_pages_common(gfp, order, preferred_nid, nodemask);
}

/* Freeing. */

/* free_pages_prepare - undo what the owner and prep_new_page() did to the block. */
static inline void free_pages_prepare(struct page *page, unsigned int order)
{
	if (kmm_unlikely(page->flags & (1UL << PG_head))) {
		unsigned long i, nr = 1UL << order;

		for (i = 1; i < nr; i++)
			page[i].compound_head = 0;
		page[1].compound_order = 0;
	}
	page->flags &= PAGE_ZONE_NODE_MASK;
	page->page_type = ~0u;
	page->mapping = NULL;
	if (kmm_unlikely(page_debug_enabled))
		page_debug_free(page, order);
	kasan_free_block(page, order);
}

/* free_the_page - a block whose last reference is gone goes to a per-CPU list or the zone. */
static kmm_always_inline void free_the_page(struct page *page, unsigned int order)
{
	unsigned long pfn = page_to_pfn(page);
	int migratetype = (int)((page->flags & PAGE_PCPTYPE_MASK) >> PAGE_PCPTYPE_PGSHIFT);
	struct zone *zone = page_zone(page);
	struct kmm_cpu *cpu = NULL;

	free_pages_prepare(page, order);
	if (kmm_likely(order <= PAGE_ALLOC_COSTLY_ORDER))
		cpu = kmm_cpu_hold();
	if (kmm_likely(cpu != NULL)) {
		struct per_cpu_pages *pcp = cpu_pcp(cpu, zone->node, zone->zone_idx);

		page->page_type = ~PG_pcp;
		list_add(&page->lru, &pcp->lists[order_to_pindex(migratetype, order)]);
		pcp->count += 1 << order;
		if (kmm_unlikely(pcp->count >= pcp->high))
			free_pcppages_bulk(zone, pcp->batch, pcp);
		kmm_cpu_release(cpu);
	} else {

		kmm_lock(&zone->lock);
		__free_one_page(page, pfn, zone, order, get_pageblock_migratetype(pfn));
		zone_stat_add(zone, NR_FREE_PAGES, 1L << order);
		kmm_unlock(&zone->lock);
	}
}

/* The size of the buffer free_page_problem() may write its reason into. */
#define FREE_PAGE_PROBLEM_LEN 80

/*
 * free_page_problem - the reason @page of @order may not be freed, or NULL if
 * it may.  A reason with numbers in it is written into the caller's @why, so
 * threads reporting at once do not share a buffer.
 */
static const char *free_page_problem(struct page *page, unsigned int order,
				     char why[FREE_PAGE_PROBLEM_LEN])
{
	unsigned long alloc_order;

	if (page_ref_count(page) <= 0) {
		init_page_memmap(page_to_pfn(page));
		if (PageReserved(page))
			return "PAGE_FLAGS_CHECK_AT_FREE flag(s) set";
		if (PageBuddy(page))
			return "page is already free (in the buddy allocator)";
		if (PagePcp(page))
			return "page is already free (on a per-CPU list)";
		if (PageTail(page))
			return "tail page of a compound page";
		if (page_ref_count(page) < 0)
			return "negative refcount";
		return "page is not allocated (refcount 0)";
	}
	if (PageTable(page))
		return "page table in use (PageTable)";
	if (page->flags & PAGE_FLAGS_CHECK_AT_FREE)
		return "PAGE_FLAGS_CHECK_AT_FREE flag(s) set";
	alloc_order = (page->flags & PAGE_ORDER_MASK) >> PAGE_ORDER_PGSHIFT;
	if (alloc_order != order) {
		snprintf(why, FREE_PAGE_PROBLEM_LEN,
			 "freed with order %u but allocated with order %lu", order, alloc_order);
		return why;
	}
	return NULL;
}

static __attribute__((noinline)) void __free_pages_slow(struct page *page, unsigned int order,
							const char *call)
{
	char why[FREE_PAGE_PROBLEM_LEN];
	const char *problem;

	if (!kmm_machine_booted() || (unsigned long)(page - kmm_vmemmap) >= kmm_max_pfn) {
		kmm_report("%s: %p is not a struct page of this machine, refused", call,
			   (void *)page);
		return;
	}
	problem = free_page_problem(page, order, why);
	if (problem) {
		bad_page(page, problem, call, order);
		return;
	}
	if (page_ref_count(page) == 1) {
		set_page_count(page, 0);
		free_the_page(page, order);
		return;
	}
	/* Other references remain: the first page stays with them as an order-0 page. */
	if (!PageHead(page))
		__atomic_fetch_and(&page->flags, ~PAGE_ORDER_MASK, __ATOMIC_RELAXED);
	if (page_ref_dec_and_test(page)) {
		free_the_page(page, order);
	} else if (!PageHead(page)) {
		while (order-- > 0)
			free_the_page(page + (1UL << order), order);
	}
}

/* pcp_free_flush - the rare end of a fast free: flush a batch past high (or all, lists off). */
static __attribute__((noinline)) void pcp_free_flush(struct per_cpu_pages *pcp)
{
	if (kmm_unlikely(page_debug_enabled)) {
		/* Lists off: the block just pushed is debugged and flushed. */
		page_debug_pcp_free(pcp);
		free_pcppages_bulk(pcp->zone, pcp->count, pcp);
		return;
	}
	free_pcppages_bulk(pcp->zone, pcp->batch, pcp);
}

/*
 * pcp_free_fast - put the only reference to a clean, non-compound block of
 * order <= PAGE_ALLOC_COSTLY_ORDER (checked by the caller) on the list of
 * @cpu (held or locked by the caller) for the page's zone, found from the
 * page's node and zone bits.
 */
static kmm_always_inline void pcp_free_fast(struct kmm_cpu *cpu, struct page *page,
					    unsigned long flags, unsigned int order)
{
	struct per_cpu_pages *pcp = cpu_pcp_of_flags(cpu, flags);
	int migratetype = (int)((flags & PAGE_PCPTYPE_MASK) >> PAGE_PCPTYPE_PGSHIFT);

	set_page_count(page, 0);
	page->flags = flags & PAGE_ZONE_NODE_MASK;
	page->mapping = NULL;
	kasan_free_block(page, order);
	page->page_type = ~PG_pcp;
	list_add(&page->lru, &pcp->lists[order_to_pindex(migratetype, order)]);
	pcp->count += 1 << order;
	if (kmm_unlikely(pcp->count >= pcp->high))
		pcp_free_flush(pcp);
}

/* Whether a block may take the free fast path: one reference, clean, not compound. */
static kmm_always_inline bool free_fast_ok(const struct page *page, unsigned long flags,
					   unsigned int order)
{
	return page_ref_count(page) == 1 &&
	       (flags & (PAGE_FLAGS_CHECK_AT_FREE | PAGE_ORDER_MASK | 1UL << PG_head)) ==
		       ((unsigned long)order << PAGE_ORDER_PGSHIFT);
}

/*
 * pcp_free - the per-CPU fast path of a block free_fast_ok() accepted, on the
 * CPU the thread holds or, with a trylock, the one it runs on; else the
 * checked path.
 */
static void pcp_free_locked(struct page *page, unsigned long flags, unsigned int order);

static kmm_always_inline void pcp_free(struct page *page, unsigned long flags, unsigned int order,
				       bool rseq)
{
	struct kmm_cpu *cpu = kmm_this_cpu;

	if (kmm_unlikely(cpu != NULL)) {
		pcp_free_fast(cpu, page, flags, order);
		return;
	}
	if (rseq && kmm_unlikely(!kmm_cpus_rseq)) {
		pcp_free_locked(page, flags, order);
		return;
	}
	cpu = kmm_cpu_trylock(rseq);
	if (kmm_unlikely(cpu == NULL)) {
		__free_pages_slow(page, order, "__free_pages");
		return;
	}
	pcp_free_fast(cpu, page, flags, order);
	kmm_cpu_unlock(cpu, rseq);
}

static __attribute__((noinline)) void pcp_free_locked(struct page *page, unsigned long flags,
						      unsigned int order)
{
	pcp_free(page, flags, order, false);
}

/* __free_pages - pcp_free() (order 0 specialised), else the checked path. */
void __free_pages(struct page *page, unsigned int order)
{
	unsigned long flags = page->flags;

	if (kmm_likely(order == 0 && free_fast_ok(page, flags, 0))) {
		pcp_free(page, flags, 0, true);
		return;
	}
	if (order <= PAGE_ALLOC_COSTLY_ORDER && free_fast_ok(page, flags, order)) {
		pcp_free(page, flags, order, true);
		return;
	}
	__free_pages_slow(page, order, "__free_pages");
}

void put_page(struct page *page)
{
	char why[FREE_PAGE_PROBLEM_LEN];
	const char *problem;
	unsigned int order;

	page = compound_head(page);
	order = compound_order(page);
	if (kmm_unlikely(page_ref_count(page) <= 0)) {
		bad_page(page, free_page_problem(page, order, why), "put_page", order);
		return;
	}
	if (!page_ref_dec_and_test(page))
		return;
	/* The last reference: check the page as __free_pages() would, refusing keeps it. */
	set_page_count(page, 1);
	problem = free_page_problem(page, order, why);
	if (problem) {
		bad_page(page, problem, "put_page", order);
		return;
	}
	set_page_count(page, 0);
	free_the_page(page, order);
}

void free_pages(unsigned long addr, unsigned int order)
{
	if (!addr)
		return;
	if (!virt_addr_valid((void *)addr) || !PAGE_ALIGNED(addr)) {
		kmm_report(
			"free_pages: 0x%lx is not the address of a page in the direct map, refused",
			addr);
		return;
	}
	if (order > MAX_PAGE_ORDER) {
		kmm_report("free_pages: order %u > MAX_PAGE_ORDER at 0x%lx, refused", order, addr);
		return;
	}
	__free_pages(virt_to_page((void *)addr), order);
}

unsigned long __get_free_pages(gfp_t gfp, unsigned int order)
{
	struct page *page = alloc_pages(gfp & ~__GFP_HIGHMEM, order);

	return page ? (unsigned long)page_address(page) : 0;
}

unsigned long get_zeroed_page(gfp_t gfp)
{
	return __get_free_pages(gfp | __GFP_ZERO, 0);
}

void split_page(struct page *page, unsigned int order)
{
	unsigned long i;

	if (PageCompound(page)) {
		kmm_report("split_page: pfn 0x%lx is a compound page, refused", page_to_pfn(page));
		return;
	}
	__atomic_fetch_and(&page->flags, ~PAGE_ORDER_MASK, __ATOMIC_RELAXED);
	for (i = 1; i < (1UL << order); i++)
		set_page_count(page + i, 1);
}

void *alloc_pages_exact(size_t size, gfp_t gfp)
{
	unsigned int order = (unsigned int)get_order(size);
	unsigned long addr, used, end;

	if (gfp & __GFP_COMP) {
		kmm_report("WARNING: alloc_pages_exact: __GFP_COMP is not allowed, ignored");
		gfp &= ~__GFP_COMP;
	}
	addr = __get_free_pages(gfp, order);
	if (!addr)
		return NULL;
	split_page(virt_to_page((void *)addr), order);
	used = addr + PAGE_ALIGN(size);
	end = addr + (PAGE_SIZE << order);
	for (; used < end; used += PAGE_SIZE)
		free_page(used);
	return (void *)addr;
}

void free_pages_exact(void *virt, size_t size)
{
	unsigned long addr = (unsigned long)virt, end = addr + PAGE_ALIGN(size);

	for (; addr < end; addr += PAGE_SIZE)
		free_page(addr);
}

void *kmm_alloc_own_pages(size_t size, gfp_t gfp)
{
	void *virt = alloc_pages_exact(size, gfp);
	unsigned long i;

	for (i = 0; virt && i < PAGE_ALIGN(size) >> PAGE_SHIFT; i++)
		kmm_own_page(virt_to_page(virt) + i);
	return virt;
}

void kmm_free_own_pages(void *virt, size_t size)
{
	unsigned long i;

	for (i = 0; i < PAGE_ALIGN(size) >> PAGE_SHIFT; i++)
		kmm_disown_page(virt_to_page(virt) + i);
	free_pages_exact(virt, size);
}

/*
 * Runs of pages longer than a buddy block: the kernel's alloc_contig_pages()
 * and free_contig_range().  The kernel isolates a pfn range and migrates what
 * is in use out of it; nothing here can move (every page in use is the
 * kernel's own), so a run is made of free blocks of MAX_PAGE_ORDER that lie
 * next to each other, the first aligned to its size (so the run is 4 MiB
 * aligned in the direct map too), and what the run does not need of its last
 * block goes straight back.  The zone is scanned from its start under
 * zone->lock, its lazy memmap initialised on the way; the pages are prepared
 * with the lock dropped.  Each page of a run is an order-0 page with one
 * reference, as the kernel's.
 */
#define RUN_BLOCK (1UL << MAX_PAGE_ORDER)

/* find_free_run - the first pfn of @nr_blocks free adjacent top-order blocks of @zone, or ULONG_MAX. */
static unsigned long find_free_run(struct zone *zone, unsigned long nr_blocks)
{
	unsigned long pfn = (zone->zone_start_pfn + RUN_BLOCK - 1) & ~(RUN_BLOCK - 1), run = 0;

	for (; pfn + (nr_blocks - run) * RUN_BLOCK <= zone_end_pfn(zone); pfn += RUN_BLOCK) {
		struct page *page;

		init_memmap_chunk_locked(zone, pfn);
		page = pfn_to_page(pfn);
		if (!PageBuddy(page) || page->private != MAX_PAGE_ORDER)
			run = 0;
		else if (++run == nr_blocks)
			return pfn - (nr_blocks - 1) * RUN_BLOCK;
	}
	return ULONG_MAX;
}

/*
 * free_range_locked - the free pages [@pfn, @end) of @zone onto its free lists
 * as naturally aligned blocks (the counters are the caller's).  zone->lock held.
 */
static void free_range_locked(struct zone *zone, unsigned long pfn, unsigned long end)
{
	while (pfn < end) {
		unsigned int order = (unsigned int)__builtin_ctzl(pfn);

		if (order > MAX_PAGE_ORDER)
			order = MAX_PAGE_ORDER;
		while (pfn + (1UL << order) > end)
			order--;
		__free_one_page(pfn_to_page(pfn), pfn, zone, order, get_pageblock_migratetype(pfn));
		pfn += 1UL << order;
	}
}

/*
 * take_run - off the free lists: the blocks of the run at @pfn, and back on
 * them the pages past @nr_pages.  A block that page reporting punched out
 * reads as zeros: its head's private says so to prep_run().  zone->lock held.
 */
static void take_run(struct zone *zone, unsigned long pfn, unsigned long nr_pages,
		     unsigned long nr_blocks)
{
	unsigned long i, end = pfn + nr_blocks * RUN_BLOCK, tail = pfn + nr_pages;

	for (i = 0; i < nr_blocks; i++) {
		struct page *page = pfn_to_page(pfn + i * RUN_BLOCK);
		bool zeroed = PageReported(page);

		del_from_free_list(page, zone, MAX_PAGE_ORDER);
		page->private = zeroed;
	}
	free_range_locked(zone, tail, end);
	zone_stat_add(zone, NR_FREE_PAGES, -(long)nr_pages);
}

/* prep_run - make the run's pages order-0 pages with one reference; zero them for __GFP_ZERO. */
static void prep_run(struct page *first, unsigned long nr_pages, gfp_t gfp)
{
	unsigned long i;

	for (i = 0; i < nr_pages; i += RUN_BLOCK) {
		struct page *block = first + i;
		unsigned long j, n = nr_pages - i < RUN_BLOCK ? nr_pages - i : RUN_BLOCK;
		bool zeroed = block->private;
		gfp_t page_gfp = gfp & ~(__GFP_ZERO | __GFP_COMP);

		for (j = 0; j < n; j++) {
			gfp_t g = page_gfp;

			/* page debugging may ask for the page zeroed (init_on_alloc): prep does it */
			if (kmm_unlikely(page_debug_enabled))
				g = page_debug_alloc(block + j, 0, g);
			kasan_alloc_block(block + j, 0);
			prep_new_page(block + j, 0, g);
		}
		if (!(gfp & __GFP_ZERO) || zeroed)
			continue;
		if (kmm_unlikely(PageHighMem(block)))
			for (j = 0; j < n; j++)
				clear_highpage(block + j);
		else
			memset(page_address(block), 0, n << PAGE_SHIFT);
	}
}

struct page *alloc_contig_pages(unsigned long nr_pages, gfp_t gfp, int nid,
				const unsigned long *nodemask)
{
	unsigned long nr_blocks = (nr_pages + RUN_BLOCK - 1) / RUN_BLOCK, pfn;
	struct zonelist *zonelist;
	struct zoneref *z;

	if (!kmm_machine_up())
		return NULL;
	if (!nr_pages || nr_pages > kmm_max_pfn)
		return NULL;
	if (gfp & __GFP_COMP) {
		kmm_report("WARNING: alloc_contig_pages: __GFP_COMP is not supported, ignored");
		gfp &= ~__GFP_COMP;
	}
	if (nid == NUMA_NO_NODE)
		nid = numa_node_id();
	else if (nid < 0 || nid >= kmm_nr_online_nodes)
		nid = 0;
	gfp &= __GFP_BITS_MASK;
	if (gfp_mask_bad(gfp) && !check_gfp(gfp, MAX_PAGE_ORDER))
		return NULL;
	zonelist = &NODE_DATA(nid)->node_zonelists[(gfp & __GFP_THISNODE) ? ZONELIST_NOFALLBACK
									  : ZONELIST_FALLBACK];
	for (z = zonelist->_zonerefs; z->zone; z++) {
		struct zone *zone = z->zone;

		if (z->zone_idx > gfp_zone(gfp))
			continue;
		if (nodemask && !(nodemask[0] & (1UL << zone->node)))
			continue;
		/* the zone keeps its low watermark: a run is never worth reclaim or reserves */
		if (!zone_watermark_ok(zone, 0, low_wmark_pages(zone) + nr_pages, gfp_zone(gfp), 0))
			continue;
		kmm_lock(&zone->lock);
		pfn = find_free_run(zone, nr_blocks);
		if (pfn != ULONG_MAX)
			take_run(zone, pfn, nr_pages, nr_blocks);
		kmm_unlock(&zone->lock);
		if (pfn != ULONG_MAX) {
			prep_run(pfn_to_page(pfn), nr_pages, gfp);
			return pfn_to_page(pfn);
		}
	}
	return NULL;
}

/* free_run_pages - give [@pfn, @end), pages of one zone already prepared for it, back. */
static void free_run_pages(struct zone *zone, unsigned long pfn, unsigned long end)
{
	unsigned long n = end - pfn;

	kmm_lock(&zone->lock);
	free_range_locked(zone, pfn, end);
	zone_stat_add(zone, NR_FREE_PAGES, (long)n);
	kmm_unlock(&zone->lock);
}

void free_contig_range(unsigned long pfn, unsigned long nr_pages)
{
	unsigned long end = pfn + nr_pages, start = pfn, in_use = 0;
	struct zone *zone = NULL;
	char why[FREE_PAGE_PROBLEM_LEN];

	if (!nr_pages)
		return;
	if (!kmm_machine_booted() || end > kmm_max_pfn || end < pfn) {
		kmm_report("free_contig_range: pfns 0x%lx+%lu are not this machine's, refused", pfn,
			   nr_pages);
		return;
	}
	/*
	 * Runs of pages that are plain allocated order-0 pages with one reference
	 * go back a zone lock at a time; any other page goes through
	 * __free_page(), which reports a bad one or drops one of its references.
	 */
	for (; pfn < end; pfn++) {
		struct page *page = pfn_to_page(pfn);
		bool plain = page_ref_count(page) == 1 && !free_page_problem(page, 0, why);

		if (zone && (!plain || page_zone(page) != zone)) {
			free_run_pages(zone, start, pfn);
			zone = NULL;
		}
		if (plain) {
			if (!zone) {
				zone = page_zone(page);
				start = pfn;
			}
			set_page_count(page, 0);
			free_pages_prepare(page, 0);
			continue;
		}
		in_use += page_ref_count(page) > 1;
		__free_pages(page, 0);
	}
	if (zone)
		free_run_pages(zone, start, end);
	if (in_use)
		kmm_report("WARNING: free_contig_range: %lu pages are still in use!", in_use);
}

/* Totals. */
unsigned long nr_free_pages(void)
{
	unsigned long sum = 0;
	int nid, zid;

	if (!kmm_machine_up())
		return 0;
	for (nid = 0; nid < kmm_nr_online_nodes; nid++)
		for (zid = 0; zid < MAX_NR_ZONES; zid++)
			sum += zone_page_state(&NODE_DATA(nid)->node_zones[zid], NR_FREE_PAGES);
	return sum;
}

static unsigned long sum_managed(bool highmem_only)
{
	unsigned long sum = 0;
	int nid, zid;

	if (!kmm_machine_up())
		return 0;
	for (nid = 0; nid < kmm_nr_online_nodes; nid++)
		for (zid = highmem_only ? ZONE_HIGHMEM : 0; zid < MAX_NR_ZONES; zid++)
			sum += NODE_DATA(nid)->node_zones[zid].managed_pages;
	return sum;
}

unsigned long totalram_pages(void)
{
	return sum_managed(false);
}

unsigned long totalhigh_pages(void)
{
	return sum_managed(true);
}

void si_meminfo(struct sysinfo *val)
{
	unsigned long freehigh = 0;
	int nid;

	memset(val, 0, sizeof(*val));
	for (nid = 0; kmm_machine_up() && nid < kmm_nr_online_nodes; nid++)
		freehigh +=
			zone_page_state(&NODE_DATA(nid)->node_zones[ZONE_HIGHMEM], NR_FREE_PAGES);
	val->totalram = totalram_pages();
	val->freeram = nr_free_pages();
	val->totalhigh = totalhigh_pages();
	val->freehigh = freehigh;
	val->mem_unit = PAGE_SIZE;
}

/*
 * The bulk allocator, the kernel's alloc_pages_bulk_noprof(): order-0 pages
 * for a list or the empty slots of an array, taken from the calling CPU's
 * list for the first zone that stays above its low watermark plus the pages
 * asked for, holding the CPU once for the whole run; the list is
 * refilled a batch at a time (zone->lock once per batch), as the kernel's
 * __rmqueue_pcplist() does.  Everything the run cannot do (one page wanted,
 * no CPU, a bad mask, the zone on another node, nothing on the list) falls
 * back to one page through the general path, which may reclaim.  With page
 * debugging on, the pages come one at a time through the general path (its
 * hooks want the allocation's own context).
 */

/* bulk_zone - the first zone of @ac that holds @nr pages above its low watermark, or NULL. */
static struct zone *bulk_zone(const struct alloc_context *ac, int preferred_nid, int nr)
{
	struct zoneref *z;

	for (z = ac->zonelist->_zonerefs; z->zone; z++) {
		struct zone *zone = z->zone;

		if (z->zone_idx > ac->highest_zoneidx)
			continue;
		if (ac->nodemask && !(ac->nodemask[0] & (1UL << zone->node)))
			continue;
		/* as the kernel: another node's zone is left to the general path */
		if (zone->node != preferred_nid)
			return NULL;
		do {
			if (zone_watermark_fast(zone, 0,
						wmark_pages(zone, WMARK_LOW) + (unsigned long)nr,
						ac->highest_zoneidx, ALLOC_WMARK_LOW))
				return zone;
		} while (zone_has_deferred(zone) && deferred_grow_zone(zone));
	}
	return NULL;
}

/*
 * bulk_run - fill the empty slots (or @page_list) from the list of @zone of
 * @cpu, held, starting at *@populated.  Returns the pages taken.
 */
static int bulk_run(struct kmm_cpu *cpu, struct zone *zone, int migratetype, gfp_t gfp,
		    int nr_pages, int *populated, struct list_head *page_list,
		    struct page **page_array)
{
	struct per_cpu_pages *pcp = cpu_pcp(cpu, zone->node, zone->zone_idx);
	struct list_head *list = &pcp->lists[order_to_pindex(migratetype, 0)];
	int nr_populated = *populated, taken = 0;

	while (nr_populated < nr_pages) {
		struct page *page;

		if (page_array && page_array[nr_populated]) {
			nr_populated++;
			continue;
		}
		if (list_empty(list)) {
			/* lists off (fail_page_alloc): what is left, flushed below if unused */
			int batch = pcp->high ? pcp->batch : nr_pages - nr_populated;

			pcp->count += rmqueue_bulk(zone, 0, batch, list, migratetype);
			if (list_empty(list))
				break;
		}
		page = list_first_entry(list, struct page, lru);
		unlink_lru(page);
		pcp->count--;
		kasan_alloc_block(page, 0);
		prep_new_page(page, 0, gfp);
		if (page_list)
			list_add(&page->lru, page_list);
		else
			page_array[nr_populated] = page;
		nr_populated++;
		taken++;
	}
	if (kmm_unlikely(!pcp->high) && pcp->count)
		free_pcppages_bulk(zone, pcp->count, pcp);
	*populated = nr_populated;
	return taken;
}

unsigned long alloc_pages_bulk_noprof(gfp_t gfp, int preferred_nid, const unsigned long *nodemask,
				      int nr_pages, struct list_head *page_list,
				      struct page **page_array)
{
	int nr_populated = 0, singles = 1;
	struct kmm_cpu *cpu;
	struct alloc_context ac;
	struct zone *zone;

	while (page_array && nr_populated < nr_pages && page_array[nr_populated])
		nr_populated++;
	if (kmm_unlikely(nr_pages <= 0) || (page_array && nr_populated == nr_pages))
		return (unsigned long)nr_populated;
	if (!page_list && !page_array) {
		kmm_report("WARNING: alloc_pages_bulk: neither a list nor an array, refused");
		return 0;
	}
	if (nr_pages - nr_populated == 1)
		goto single;
	if (kmm_unlikely(page_debug_enabled)) {
		singles = nr_pages;
		goto single;
	}
	if (!kmm_machine_up())
		return 0;
	gfp &= __GFP_BITS_MASK;
	if (gfp_mask_bad(gfp) || (preferred_nid != NUMA_NO_NODE &&
				  (preferred_nid < 0 || preferred_nid >= kmm_nr_online_nodes)))
		goto single;
	if (preferred_nid == NUMA_NO_NODE)
		preferred_nid = numa_node_id();
	/* As the kernel's prepare_alloc_pages(): an injected failure ends the call. */
	if (kmm_unlikely(fail_page_alloc_active()) && should_fail_alloc_page(gfp, 0))
		return (unsigned long)nr_populated;
	ac.zonelist = &NODE_DATA(preferred_nid)
			       ->node_zonelists[(gfp & __GFP_THISNODE) ? ZONELIST_NOFALLBACK
								       : ZONELIST_FALLBACK];
	ac.nodemask = nodemask;
	ac.migratetype = gfp_migratetype(gfp);
	ac.highest_zoneidx = gfp_zone(gfp);
	zone = bulk_zone(&ac, preferred_nid, nr_pages);
	cpu = zone ? kmm_cpu_hold() : NULL;
	if (cpu) {
		int taken = bulk_run(cpu, zone, ac.migratetype, gfp, nr_pages, &nr_populated,
				     page_list, page_array);

		kmm_cpu_release(cpu);
		if (taken)
			return (unsigned long)nr_populated;
	}
single:
	/* One page (every page, with page debugging) through the general path. */
	for (; singles > 0 && nr_populated < nr_pages; nr_populated++) {
		struct page *page;

		if (page_array && page_array[nr_populated])
			continue;
		page = alloc_pages_common(gfp, 0, preferred_nid, nodemask);
		if (!page)
			break;
		if (page_list)
			list_add(&page->lru, page_list);
		else
			page_array[nr_populated] = page;
		singles--;
	}
	return (unsigned long)nr_populated;
}
