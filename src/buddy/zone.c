/* SPDX-License-Identifier: MIT */
/*
 * buddy/zone.c - zones at boot: free areas, watermarks, lowmem reserves,
 * per-CPU list sizes, zonelists; and the deferred initialisation of struct pages.
 *
 * The formulas are the kernel's (calculate_min_free_kbytes(),
 * __setup_per_zone_wmarks(), setup_per_zone_lowmem_reserve(), zone_batchsize(),
 * zone_highsize()), so a zoneinfo of the same memory size reads the same.
 *
 * Deferred init: a zone's memmap chunks are initialised in address order, one at a
 * time, when __rmqueue() finds nothing (deferred_grow_zone()), or out of order
 * when a report needs a struct page (init_page_memmap()).  memmap_ready has a
 * bit per zone for each chunk.  Locking: zone->lock for all of it.
 */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "boot/subsys.h"
#include "buddy/internal.h"
#include "percpu/percpu.h"
#include "report/report.h"

/* The kernel's sysctl_lowmem_reserve_ratio and watermark_scale_factor. */
static const int lowmem_reserve_ratio[MAX_NR_ZONES] = {256, 256, 32, 0};
#define WATERMARK_SCALE_FACTOR 10
#define SWAP_CLUSTER_MAX       32UL

static int min_free_kbytes;

#define for_each_zone(zone, nid, zid)                                                              \
	for (nid = 0; nid < kmm_nr_online_nodes; nid++)                                            \
		for (zid = 0; zid < MAX_NR_ZONES && ((zone) = &NODE_DATA(nid)->node_zones[zid]);   \
		     zid++)

static unsigned long lowmem_managed_pages(void)
{
	struct zone *zone;
	unsigned long sum = 0;
	int nid, zid;

	for_each_zone(zone, nid, zid)
		if (!is_highmem_idx(zid))
			sum += zone->managed_pages;
	return sum;
}

static unsigned long int_sqrt(unsigned long x)
{
	unsigned long r = 0, bit = 1UL << 62;

	while (bit > x)
		bit >>= 2;
	while (bit) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	return r;
}

static int calculate_min_free_kbytes(void)
{
	unsigned long lowmem_kbytes = lowmem_managed_pages() * (PAGE_SIZE >> 10);
	long kbytes = (long)int_sqrt(lowmem_kbytes * 16);

	if (kbytes < 128)
		kbytes = 128;
	if (kbytes > 262144)
		kbytes = 262144;
	return (int)kbytes;
}

static void setup_per_zone_wmarks(void)
{
	unsigned long pages_min = (unsigned long)min_free_kbytes >> (PAGE_SHIFT - 10);
	unsigned long lowmem_pages = lowmem_managed_pages();
	struct zone *zone;
	int nid, zid;

	for_each_zone(zone, nid, zid) {
		unsigned long tmp =
			lowmem_pages ? pages_min * zone->managed_pages / lowmem_pages : 0;
		unsigned long scale = zone->managed_pages * WATERMARK_SCALE_FACTOR / 10000;

		if (is_highmem_idx(zid)) {
			unsigned long min_pages = zone->managed_pages / 1024;

			if (min_pages < SWAP_CLUSTER_MAX)
				min_pages = SWAP_CLUSTER_MAX;
			if (min_pages > 128)
				min_pages = 128;
			zone->_watermark[WMARK_MIN] = zone->managed_pages ? min_pages : 0;
		} else {
			zone->_watermark[WMARK_MIN] = tmp;
		}
		tmp = (tmp >> 2) > scale ? tmp >> 2 : scale;
		zone->watermark_boost = 0;
		zone->_watermark[WMARK_LOW] = zone->_watermark[WMARK_MIN] + tmp;
		zone->_watermark[WMARK_HIGH] = zone->_watermark[WMARK_LOW] + tmp;
		zone->_watermark[WMARK_PROMO] = zone->_watermark[WMARK_HIGH] + tmp;
	}
}

static void setup_per_zone_lowmem_reserve(void)
{
	int nid, i, j;

	for (nid = 0; nid < kmm_nr_online_nodes; nid++) {
		pg_data_t *pgdat = NODE_DATA(nid);

		for (i = 0; i < MAX_NR_ZONES; i++) {
			struct zone *zone = &pgdat->node_zones[i];
			int ratio = lowmem_reserve_ratio[i];
			bool clear = !ratio || !zone->managed_pages;
			unsigned long managed = 0;

			for (j = 0; j <= i; j++)
				zone->lowmem_reserve[j] = 0;
			for (j = i + 1; j < MAX_NR_ZONES; j++) {
				managed += pgdat->node_zones[j].managed_pages;
				zone->lowmem_reserve[j] =
					clear ? 0 : (long)(managed / (unsigned)ratio);
			}
		}
	}
}

static int rounddown_pow_of_two(int n)
{
	int p = 1;

	while (p * 2 <= n)
		p *= 2;
	return p;
}

/* Per-CPU list batch and high, as zone_batchsize() and zone_highsize() with two splits. */
static void setup_pcp_sizes(struct zone *zone)
{
	long batch = (long)(zone->managed_pages >> 10);
	long high;
	long nr_split = 2L * sysconf(_SC_NPROCESSORS_ONLN);

	if (batch > 256)
		batch = 256;
	batch /= 4;
	if (batch < 1)
		batch = 1;
	batch = rounddown_pow_of_two((int)(batch + batch / 2)) - 1;
	if (batch < 1)
		batch = 1;
	high = (long)low_wmark_pages(zone) / (nr_split > 0 ? nr_split : 2);
	if (high < batch * 4)
		high = batch * 4;
	zone->pcp_batch = (int)batch;
	zone->pcp_high = (int)high;
}

/* Zonelists: the local node's zones from highest to lowest, then the next nodes'. */
static void build_zonelists(pg_data_t *pgdat)
{
	struct zoneref *fallback = pgdat->node_zonelists[ZONELIST_FALLBACK]._zonerefs;
	struct zoneref *local = pgdat->node_zonelists[ZONELIST_NOFALLBACK]._zonerefs;
	int n, zid;

	for (n = 0; n < kmm_nr_online_nodes; n++) {
		pg_data_t *node = NODE_DATA((pgdat->node_id + n) % kmm_nr_online_nodes);

		for (zid = MAX_NR_ZONES - 1; zid >= 0; zid--) {
			struct zone *zone = &node->node_zones[zid];

			if (!managed_zone(zone))
				continue;
			*fallback++ = (struct zoneref){zone, zid};
			if (n == 0)
				*local++ = (struct zoneref){zone, zid};
		}
	}
	*fallback = (struct zoneref){NULL, 0};
	*local = (struct zoneref){NULL, 0};
}

/* min_free_kbytes=: -1 (the default) computes it as the kernel does. */
static long param_min_free_kbytes;

static int buddy_init(void)
{
	struct zone *zone;
	int nid, zid, order, mt;

	for_each_zone(zone, nid, zid) {
		kmm_lock_init(&zone->lock);
		for (order = 0; order < NR_PAGE_ORDERS; order++) {
			for (mt = 0; mt < MIGRATE_TYPES; mt++)
				INIT_LIST_HEAD(&zone->free_area[order].free_list[mt]);
			zone->free_area[order].nr_free = 0;
		}
		memset(zone->vm_stat, 0, sizeof(zone->vm_stat));
		zone->vm_stat[NR_FREE_PAGES] = (long)zone->managed_pages;
	}
	min_free_kbytes = param_min_free_kbytes >= 0 ? (int)param_min_free_kbytes
						     : calculate_min_free_kbytes();
	setup_per_zone_wmarks();
	setup_per_zone_lowmem_reserve();
	for_each_zone(zone, nid, zid)
		setup_pcp_sizes(zone);
	for (nid = 0; nid < kmm_nr_online_nodes; nid++)
		build_zonelists(NODE_DATA(nid));
	return 0;
}

/* The part of @pfn's memmap chunk that belongs to @zone: [*start, *end). */
static void memmap_chunk(const struct zone *zone, unsigned long pfn, unsigned long *start,
			 unsigned long *end)
{
	unsigned long s = pfn & ~(PAGES_PER_MEMMAP_CHUNK - 1), e = s + PAGES_PER_MEMMAP_CHUNK;

	*start = s < zone->zone_start_pfn ? zone->zone_start_pfn : s;
	*end = e > zone_end_pfn(zone) ? zone_end_pfn(zone) : e;
}

struct chunk_free_ctx {
	struct zone *zone;
};

static void free_boot_block(unsigned long pfn, unsigned int order, void *arg)
{
	struct chunk_free_ctx *ctx = arg;
	unsigned long i;

	for (i = 0; i < (1UL << order); i++)
		set_page_count(pfn_to_page(pfn + i), 0);
	__free_fresh_block(pfn_to_page(pfn), pfn, ctx->zone, order, get_pageblock_migratetype(pfn));
}

/*
 * populate_memmap - fault in the memmap of pfns @start..@end in one call
 * rather than a page fault per 64 struct pages (each fault costs microseconds
 * on a virtual machine).  Best effort: without MADV_POPULATE_WRITE (Linux
 * 5.14) the loop below faults the pages in itself.
 */
static void populate_memmap(unsigned long start, unsigned long end)
{
#ifdef MADV_POPULATE_WRITE
	unsigned long from = (unsigned long)pfn_to_page(start) & PAGE_MASK;
	unsigned long to = PAGE_ALIGN((unsigned long)pfn_to_page(end));

	madvise((void *)from, to - from, MADV_POPULATE_WRITE);
#else
	(void)start;
	(void)end;
#endif
}

/* init_memmap_chunk - initialise the struct pages of @zone's part of a memmap chunk. */
static void init_memmap_chunk(struct zone *zone, unsigned long start, unsigned long end)
{
	unsigned long zone_node = ((unsigned long)zone->zone_idx << ZONES_PGSHIFT) |
				  ((unsigned long)zone->node << NODES_PGSHIFT);
	struct chunk_free_ctx ctx = {zone};
	unsigned long pfn;

	populate_memmap(start, end);
	for (pfn = start; pfn < end; pfn++) {
		struct page *page = pfn_to_page(pfn);

		memset(page, 0, sizeof(*page));
		page->flags = zone_node;
		page->page_type = ~0u;
		/* Reserved until freed, as the kernel's __init_single_page() leaves them. */
		page->_refcount = 1;
	}
	for (pfn = start; pfn < end; pfn++)
		if (memblock_is_reserved(pfn))
			pfn_to_page(pfn)->flags |= 1UL << PG_reserved;
	for_each_free_block(start, end, free_boot_block, &ctx);
	kmm_machine.memmap_ready[start >> MEMMAP_CHUNK_SHIFT] |=
		(unsigned char)(1u << zone->zone_idx);
}

bool deferred_grow_zone(struct zone *zone)
{
	unsigned long pfn = zone->deferred_pfn, end = zone_end_pfn(zone);

	while (pfn < end) {
		unsigned long s, e;

		memmap_chunk(zone, pfn, &s, &e);
		pfn = e;
		if (!memmap_chunk_ready(zone, s)) {
			init_memmap_chunk(zone, s, e);
			__atomic_store_n(&zone->deferred_pfn, pfn, __ATOMIC_RELAXED);
			return true;
		}
	}
	__atomic_store_n(&zone->deferred_pfn, pfn, __ATOMIC_RELAXED);
	return false;
}

void init_memmap_chunk_locked(struct zone *zone, unsigned long pfn)
{
	unsigned long s, e;

	memmap_chunk(zone, pfn, &s, &e);
	if (!memmap_chunk_ready(zone, s))
		init_memmap_chunk(zone, s, e);
}

void init_page_memmap(unsigned long pfn)
{
	struct zone *zone = pfn_zone(pfn);

	if (!zone || memmap_chunk_ready(zone, pfn))
		return;
	kmm_lock(&zone->lock);
	init_memmap_chunk_locked(zone, pfn);
	kmm_unlock(&zone->lock);
}

static void count_block(unsigned long pfn, unsigned int order, void *arg)
{
	unsigned long *nr_free = arg;

	(void)pfn;
	nr_free[order]++;
}

void deferred_free_blocks(struct zone *zone, unsigned long nr_free[NR_PAGE_ORDERS])
{
	unsigned long pfn = zone->deferred_pfn, end = zone_end_pfn(zone);

	while (pfn < end) {
		unsigned long s, e;

		memmap_chunk(zone, pfn, &s, &e);
		if (!memmap_chunk_ready(zone, s))
			for_each_free_block(s, e, count_block, nr_free);
		pfn = e;
	}
}

/*
 * fork (the step KMM_FORK_ZONES): every zone lock is held across fork(), one
 * node after another, and the zone counters are saved at the copy of
 * physical memory: the child gets them back with the pages they count.
 */
static long fork_vm_stat[MAX_NUMNODES][MAX_NR_ZONES][NR_VM_ZONE_STAT_ITEMS];

static void for_each_zone_lock(void (*op)(kmm_lock_t *lock))
{
	int nid, zid;

	for (nid = 0; nid < kmm_nr_online_nodes; nid++)
		for (zid = 0; zid < MAX_NR_ZONES; zid++)
			op(&NODE_DATA(nid)->node_zones[zid].lock);
}

static void zone_counters_copy(bool restore)
{
	int nid, zid;

	for (nid = 0; nid < kmm_nr_online_nodes; nid++) {
		for (zid = 0; zid < MAX_NR_ZONES; zid++) {
			long *stat = NODE_DATA(nid)->node_zones[zid].vm_stat;

			if (restore)
				memcpy(stat, fork_vm_stat[nid][zid],
				       sizeof(fork_vm_stat[nid][zid]));
			else
				memcpy(fork_vm_stat[nid][zid], stat,
				       sizeof(fork_vm_stat[nid][zid]));
		}
	}
}

static void buddy_fork_prepare(void)
{
	for_each_zone_lock(kmm_lock);
}

static void buddy_fork_copied(void)
{
	zone_counters_copy(false);
}

static void buddy_fork_parent(void)
{
	for_each_zone_lock(kmm_unlock);
}

static void buddy_fork_child(void)
{
	for_each_zone_lock(kmm_lock_init);
	zone_counters_copy(true);
}

static const struct kmm_fork_ops buddy_fork_ops[] = {
	{KMM_FORK_ZONES, buddy_fork_prepare, buddy_fork_copied, buddy_fork_parent,
	 buddy_fork_child},
};

/* The fast path's table of @cpu: for each low gfp bits, the lists and the watermark to pass. */
static void cpu_pcp_fast_init(struct kmm_cpu *cpu)
{
	unsigned int bits;

	for (bits = 0; bits <= PCP_FAST_MASK; bits++) {
		struct pcp_fast *fast = &cpu->pcp_fast[bits];
		struct zone *zone = first_zone_for(cpu->node, (gfp_t)bits);

		fast->migratetype = gfp_migratetype((gfp_t)bits);
		fast->pcp = zone ? cpu_pcp(cpu, zone->node, zone->zone_idx) : NULL;
		/* masks the general path reports (check_gfp()) never take the fast path */
		if (gfp_mask_bad((gfp_t)bits))
			fast->pcp = NULL;
		fast->mark = zone ? (long)low_wmark_pages(zone) +
					     zone->lowmem_reserve[gfp_zone((gfp_t)bits)]
				  : 0;
	}
}

/* A CPU comes up (the step KMM_CPU_PAGES): empty lists for every zone, the zones' sizes. */
static void buddy_cpu_online(struct kmm_cpu *cpu)
{
	int nid, zid, i;

	for (nid = 0; nid < kmm_nr_online_nodes; nid++) {
		for (zid = 0; zid < MAX_NR_ZONES; zid++) {
			struct zone *zone = &NODE_DATA(nid)->node_zones[zid];
			struct per_cpu_pages *pcp = cpu_pcp(cpu, nid, zid);

			pcp->zone = zone;
			pcp->count = 0;
			pcp->flush_pindex = NR_PCP_LISTS - 1;
			pcp->high = zone->pcp_high;
			pcp->batch = zone->pcp_batch;
			for (i = 0; i < NR_PCP_LISTS; i++)
				INIT_LIST_HEAD(&pcp->lists[i]);
		}
	}
	cpu_pcp_fast_init(cpu);
}

static const struct kmm_cpu_ops buddy_cpu_ops = {
	.step = KMM_CPU_PAGES,
	.online = buddy_cpu_online,
	.drain = drain_local_pages,
};

static const struct kmm_param buddy_params[] = {
	{.name = "min_free_kbytes",
	 .kind = KMM_PARAM_LONG,
	 .var = &param_min_free_kbytes,
	 .def = -1,
	 .max = 1L << 30,
	 .str_def = "computed from memory, as the kernel does",
	 .accepts = "a number of kilobytes",
	 .help = "the total of the zones' min watermarks"},
};

static const struct kmm_proc_file buddy_proc[] = {
	{"buddyinfo", show_buddyinfo},
	{"pagetypeinfo", show_pagetypeinfo},
	{"zoneinfo", show_zoneinfo},
};

const struct kmm_subsys kmm_buddy_subsys = {
	.name = "buddy",
	KMM_SUBSYS_PARAMS(buddy_params),
	.init = buddy_init,
	KMM_SUBSYS_PROC(buddy_proc),
	KMM_SUBSYS_FORK(buddy_fork_ops),
	.cpu = &buddy_cpu_ops,
};
