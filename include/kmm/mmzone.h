/* SPDX-License-Identifier: MIT */
/*
 * kmm/mmzone.h - nodes, zones, free areas and migrate types (<linux/mmzone.h>).
 *
 * Physical memory is split into nodes (numa=fake=N) and each node into zones by
 * physical address, as on x86-64: ZONE_DMA below 16 MiB, ZONE_DMA32 below 4 GiB,
 * ZONE_NORMAL above, and ZONE_HIGHMEM (only with highmem=SIZE) at the top.
 * Every zone runs a buddy allocator over free_area[0..MAX_PAGE_ORDER], one free
 * list per migrate type and order.
 *
 * Locking: zone->lock protects free_area, the pageblock migrate types of the
 * zone and the deferred-init frontier.  The counters in vm_stat are atomic and
 * may be read without the lock.  Per-CPU page lists belong to their CPU.
 */
#ifndef KMM_MMZONE_H
#define KMM_MMZONE_H

#include <kmm/list.h>
#include <kmm/mm_types.h>

KMM_BEGIN_DECLS

/* The largest block the buddy allocator hands out is 2^MAX_PAGE_ORDER pages (4 MiB). */
#define MAX_PAGE_ORDER		10
/*
 * MAX_ORDER is the spelling of kernels 6.4 to 6.7, where it already meant the
 * largest order, inclusive, as MAX_PAGE_ORDER does now.  (Before 6.4 it was one
 * more: an exclusive bound of 11; 6.8 on has no MAX_ORDER.)  It is kept for
 * ports of 6.4 to 6.7: MAX_ORDER == MAX_PAGE_ORDER == 10.
 */
#define MAX_ORDER		MAX_PAGE_ORDER
#define MAX_ORDER_NR_PAGES	(1 << MAX_PAGE_ORDER)
#define NR_PAGE_ORDERS		(MAX_PAGE_ORDER + 1)
/* Orders above this are "costly": not kept on per-CPU lists, reclaim tries less. */
#define PAGE_ALLOC_COSTLY_ORDER 3
/* A pageblock is the unit that carries a migrate type: 2 MiB, as on x86-64. */
#define pageblock_order		9
#define pageblock_nr_pages	(1UL << pageblock_order)

/* Up to eight nodes with numa=fake=N. */
#define MAX_NUMNODES 8
#define NUMA_NO_NODE (-1)

enum migratetype {
	MIGRATE_UNMOVABLE,
	MIGRATE_MOVABLE,
	MIGRATE_RECLAIMABLE,
	MIGRATE_PCPTYPES, /* the number of types on the per-CPU lists */
	MIGRATE_HIGHATOMIC = MIGRATE_PCPTYPES,
	MIGRATE_ISOLATE,
	MIGRATE_TYPES
};

extern const char *const kmm_migratetype_names[MIGRATE_TYPES];

enum zone_type {
	ZONE_DMA,     /* below 16 MiB: ISA DMA */
	ZONE_DMA32,   /* below 4 GiB: 32-bit DMA */
	ZONE_NORMAL,  /* the rest of the direct map */
	ZONE_HIGHMEM, /* with highmem=SIZE: the top of memory, outside the direct map */
	MAX_NR_ZONES
};

enum zone_watermarks { WMARK_MIN, WMARK_LOW, WMARK_HIGH, WMARK_PROMO, NR_WMARK };

/* Zone counters shown in zoneinfo; only the first few are kept by this machine. */
enum zone_stat_item {
	NR_FREE_PAGES,	       /* pages in the buddy lists (not on per-CPU lists) */
	NR_ZONE_PAGETABLE,     /* pages used for page tables (vmalloc) */
	NR_ZONE_SLAB_RECL,     /* pages in reclaimable slab caches */
	NR_ZONE_SLAB_UNRECL,   /* pages in other slab caches */
	NR_ZONE_KMALLOC_LARGE, /* pages of kmalloc allocations above the caches */
	NR_ZONE_VMALLOC,       /* pages backing vmalloc areas */
	NR_VM_ZONE_STAT_ITEMS
};

/* The number of per-CPU lists: one per pcp migrate type and order 0..COSTLY. */
#define NR_PCP_LISTS (MIGRATE_PCPTYPES * (PAGE_ALLOC_COSTLY_ORDER + 1))

struct zone;

/* A thread's ("CPU"'s) cache of free pages of one zone (cache aligned: 256 bytes). */
struct __attribute__((aligned(64))) per_cpu_pages {
	struct zone *zone;		      /* the zone the pages belong to */
	int count;			      /* pages on all the lists */
	int high;			      /* above this, batch pages go back to the zone */
	int batch;			      /* pages moved to or from the zone at a time */
	int flush_pindex;		      /* the list a flush took from last (round robin) */
	struct list_head lists[NR_PCP_LISTS]; /* one per order and migrate type */
};

struct free_area {
	struct list_head free_list[MIGRATE_TYPES]; /* free blocks of this order, by type */
	unsigned long nr_free;			   /* blocks on all the lists */
};

struct pglist_data;

struct zone {
	/* min, low, high and promo watermarks, in pages */
	unsigned long _watermark[NR_WMARK];
	/* temporary raise of the watermarks after fragmentation events */
	unsigned long watermark_boost;
	/* pages kept back from allocations that could have used a higher zone */
	long lowmem_reserve[MAX_NR_ZONES];
	/* the node this zone belongs to */
	int node;
	/* the zone's index in its node (enum zone_type) */
	int zone_idx;
	struct pglist_data *zone_pgdat;
	/* per-CPU list parameters for new threads */
	int pcp_high, pcp_batch;
	/* first pfn, pfns spanned, pfns present, pages the buddy allocator manages */
	unsigned long zone_start_pfn, spanned_pages, present_pages, managed_pages;
	/* the kernel's name: "DMA", "DMA32", "Normal", "HighMem" */
	const char *name;
	/* protects free_area, pageblock types and deferred_pfn */
	kmm_lock_t lock;
	struct free_area free_area[NR_PAGE_ORDERS];
	/* first pfn of the sections whose struct pages are not initialised yet */
	unsigned long deferred_pfn;
	/* counters (atomic) */
	long vm_stat[NR_VM_ZONE_STAT_ITEMS];
};

/* An entry of a zonelist. */
struct zoneref {
	struct zone *zone; /* the zone, NULL at the end of the list */
	int zone_idx;	   /* its zone_type */
};

#define MAX_ZONES_PER_ZONELIST (MAX_NUMNODES * MAX_NR_ZONES)
enum { ZONELIST_FALLBACK, ZONELIST_NOFALLBACK, MAX_ZONELISTS };

/* The zones an allocation tries, in order: local node high to low, then the others. */
struct zonelist {
	struct zoneref _zonerefs[MAX_ZONES_PER_ZONELIST + 1];
};

typedef struct pglist_data {
	struct zone node_zones[MAX_NR_ZONES];	       /* this node's zones */
	struct zonelist node_zonelists[MAX_ZONELISTS]; /* fallback and this-node-only */
	int nr_zones;				       /* highest populated zone + 1 */
	unsigned long node_start_pfn;		       /* first pfn of the node */
	unsigned long node_present_pages;	       /* pages present in the node */
	unsigned long node_spanned_pages;	       /* pfns spanned by the node */
	int node_id;				       /* its number */
	int kswapd_order;			       /* order kswapd was woken for */
	enum zone_type kswapd_highest_zoneidx;	       /* highest zone kswapd balances */
} pg_data_t;

extern struct pglist_data *kmm_node_data[MAX_NUMNODES];
#define NODE_DATA(nid) (kmm_node_data[(nid)])

/* The number of nodes of the booted machine (numa=fake=N). */
extern int kmm_nr_online_nodes;

static inline bool populated_zone(const struct zone *zone)
{
	return zone->present_pages != 0;
}

static inline bool managed_zone(const struct zone *zone)
{
	return zone->managed_pages != 0;
}

static inline int zone_idx(const struct zone *zone)
{
	return zone->zone_idx;
}

static inline unsigned long zone_page_state(const struct zone *zone, enum zone_stat_item item)
{
	long x = __atomic_load_n(&zone->vm_stat[item], __ATOMIC_RELAXED);

	return x < 0 ? 0 : (unsigned long)x;
}

#define min_wmark_pages(z)  ((z)->_watermark[WMARK_MIN] + (z)->watermark_boost)
#define low_wmark_pages(z)  ((z)->_watermark[WMARK_LOW] + (z)->watermark_boost)
#define high_wmark_pages(z) ((z)->_watermark[WMARK_HIGH] + (z)->watermark_boost)
#define wmark_pages(z, i)   ((z)->_watermark[i] + (z)->watermark_boost)

/*
 * zone_watermark_ok - would @z still have @mark free pages plus the reserve kept
 * for allocations up to @highest_zoneidx after handing out an @order block?
 * @alloc_flags: 0, or ALLOC_* reserve flags of the allocator (internal).
 */
bool zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark, int highest_zoneidx,
		       unsigned int alloc_flags);

KMM_END_DECLS

#endif /* KMM_MMZONE_H */
