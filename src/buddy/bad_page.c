/* SPDX-License-Identifier: MIT */
/*
 * buddy/bad_page.c - the page allocator's reports, in the kernel's words:
 * "BUG: Bad page state" with the page dump (the kernel's bad_page()), and
 * "page allocation failure" with the Mem-Info summary.  Not to be confused
 * with page_reporting.c, free page reporting to a hypervisor.
 *
 * Locking: reports are printed under the report lock (report.c).  Zone data
 * is read without zone locks, as the kernel's show_free_areas() does; the
 * numbers of a busy machine may be a moment apart.
 */
#include <string.h>

#include "buddy/internal.h"
#include "report/report.h"

/* Names of gfp flags, composites first, as the kernel's __def_gfpflag_names. */
static const struct {
	gfp_t mask;
	const char *name;
} gfp_names[] = {
	{GFP_TRANSHUGE, "GFP_TRANSHUGE"},
	{GFP_TRANSHUGE_LIGHT, "GFP_TRANSHUGE_LIGHT"},
	{GFP_HIGHUSER_MOVABLE, "GFP_HIGHUSER_MOVABLE"},
	{GFP_HIGHUSER, "GFP_HIGHUSER"},
	{GFP_USER, "GFP_USER"},
	{GFP_KERNEL_ACCOUNT, "GFP_KERNEL_ACCOUNT"},
	{GFP_KERNEL, "GFP_KERNEL"},
	{GFP_NOFS, "GFP_NOFS"},
	{GFP_ATOMIC, "GFP_ATOMIC"},
	{GFP_NOIO, "GFP_NOIO"},
	{GFP_NOWAIT, "GFP_NOWAIT"},
	{GFP_DMA, "GFP_DMA"},
	{__GFP_HIGHMEM, "__GFP_HIGHMEM"},
	{GFP_DMA32, "GFP_DMA32"},
	{__GFP_HIGH, "__GFP_HIGH"},
	{__GFP_IO, "__GFP_IO"},
	{__GFP_FS, "__GFP_FS"},
	{__GFP_NOWARN, "__GFP_NOWARN"},
	{__GFP_RETRY_MAYFAIL, "__GFP_RETRY_MAYFAIL"},
	{__GFP_NOFAIL, "__GFP_NOFAIL"},
	{__GFP_NORETRY, "__GFP_NORETRY"},
	{__GFP_COMP, "__GFP_COMP"},
	{__GFP_ZERO, "__GFP_ZERO"},
	{__GFP_NOMEMALLOC, "__GFP_NOMEMALLOC"},
	{__GFP_MEMALLOC, "__GFP_MEMALLOC"},
	{__GFP_HARDWALL, "__GFP_HARDWALL"},
	{__GFP_THISNODE, "__GFP_THISNODE"},
	{__GFP_RECLAIMABLE, "__GFP_RECLAIMABLE"},
	{__GFP_MOVABLE, "__GFP_MOVABLE"},
	{__GFP_ACCOUNT, "__GFP_ACCOUNT"},
	{__GFP_WRITE, "__GFP_WRITE"},
	{__GFP_RECLAIM, "__GFP_RECLAIM"},
	{__GFP_DIRECT_RECLAIM, "__GFP_DIRECT_RECLAIM"},
	{__GFP_KSWAPD_RECLAIM, "__GFP_KSWAPD_RECLAIM"},
	{__GFP_ZEROTAGS, "__GFP_ZEROTAGS"},
	{__GFP_NO_OBJ_EXT, "__GFP_NO_OBJ_EXT"},
};

const char *format_gfp(gfp_t gfp, char *buf, size_t len)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(gfp_names) / sizeof(gfp_names[0]) && gfp; i++) {
		if ((gfp & gfp_names[i].mask) != gfp_names[i].mask)
			continue;
		gfp &= ~gfp_names[i].mask;
		used += (size_t)snprintf(buf + used, used < len ? len - used : 0, "%s%s",
					 used ? "|" : "", gfp_names[i].name);
	}
	if (gfp)
		snprintf(buf + used, used < len ? len - used : 0, "%s%#x", used ? "|" : "", gfp);
	if (!buf[0])
		snprintf(buf, len, "0");
	return buf;
}

static const char *const pageflag_names[NR_PAGEFLAGS] = {
	"locked",	"writeback",  "referenced",  "uptodate",   "dirty",	"lru",
	"head",		"waiters",    "active",	     "workingset", "error",	"slab",
	"owner_priv_1", "arch_1",     "reserved",    "private",	   "private_2", "mappedtodisk",
	"reclaim",	"swapbacked", "unevictable", "mlocked",
};

/* dump_page - the kernel's __dump_page(): refcount, mapcount, flags and the raw words. */
void dump_page(const struct page *page, const char *reason)
{
	const unsigned long *raw = (const unsigned long *)page;
	char flags[256];
	size_t used = 0;
	int i;

	flags[0] = '\0';
	for (i = 0; i < NR_PAGEFLAGS; i++)
		if (page->flags & (1UL << i))
			used += (size_t)snprintf(flags + used, sizeof(flags) - used, "%s|",
						 pageflag_names[i]);
	kmm_pr("page: refcount:%d mapcount:%d mapping:%016lx index:0x%lx pfn:0x%lx\n",
	       page_ref_count(page), PageBuddy(page) || PagePcp(page) ? 0 : page->_mapcount + 1,
	       (unsigned long)page->mapping, page->index, page_to_pfn(page));
	if (PageBuddy(page) || PagePcp(page))
		kmm_pr("page_type: %#x(%s)\n", page->page_type, PageBuddy(page) ? "buddy" : "pcp");
	kmm_pr("flags: %#lx(%snode=%d|zone=%d)\n", page->flags, flags, page_to_nid(page),
	       page_zonenum(page));
	kmm_pr("raw: %016lx %016lx %016lx %016lx\n", raw[0], raw[1], raw[2], raw[3]);
	kmm_pr("raw: %016lx %016lx %016lx %016lx\n", raw[4], raw[5], raw[6], raw[7]);
	kmm_pr("page dumped because: %s\n", reason);
}

void bad_page(const struct page *page, const char *reason, const char *call, unsigned int order)
{
	char comm[16];

	kmm_report_begin();
	kmm_pr("BUG: Bad page state in process %s  pfn:%05lx\n", kmm_current_comm(comm),
	       page_to_pfn(page));
	dump_page(page, reason);
	kmm_pr("%s: free of pfn %#lx (order %u, address %p) refused\n", call, page_to_pfn(page),
	       order, page_to_pfn(page) < kmm_max_low_pfn ? page_address(page) : NULL);
	kmm_report_end(true);
}

static struct kmm_ratelimit nopage_rs = KMM_RATELIMIT_INIT;

void warn_alloc(gfp_t gfp, const unsigned long *nodemask, unsigned int order)
{
	char comm[16], flags[256], nodes[64];

	if ((gfp & __GFP_NOWARN) || !kmm_ratelimit(&nopage_rs))
		return;
	if (nodemask)
		snprintf(nodes, sizeof(nodes), "%#lx", nodemask[0]);
	else
		snprintf(nodes, sizeof(nodes), "(null)");
	kmm_report_begin();
	kmm_pr("%s: page allocation failure: order:%u, mode:%#x(%s), nodemask=%s\n",
	       kmm_current_comm(comm), order, gfp, format_gfp(gfp, flags, sizeof(flags)), nodes);
	show_free_areas(stderr);
	kmm_report_end(true);
}

/* The kernel's letters for migrate types in show_free_areas(): U, M, E, H, I. */
static const char type_letters[MIGRATE_TYPES] = {'U', 'M', 'E', 'H', 'I'};

#define K(x) ((x) << (PAGE_SHIFT - 10))

void show_free_areas(FILE *out)
{
	int nid, zid, order, mt;

	fprintf(out, "Mem-Info:\n");
	for (nid = 0; nid < kmm_nr_online_nodes; nid++) {
		for (zid = 0; zid < MAX_NR_ZONES; zid++) {
			struct zone *zone = &NODE_DATA(nid)->node_zones[zid];
			int i;

			if (!populated_zone(zone))
				continue;
			fprintf(out,
				"Node %d %s free:%lukB boost:%lukB min:%lukB low:%lukB high:%lukB "
				"present:%lukB managed:%lukB\n",
				nid, zone->name, K(zone_page_state(zone, NR_FREE_PAGES)),
				K(zone->watermark_boost), K(min_wmark_pages(zone)),
				K(low_wmark_pages(zone)), K(high_wmark_pages(zone)),
				K(zone->present_pages), K(zone->managed_pages));
			fprintf(out, "lowmem_reserve[]:");
			for (i = 0; i < MAX_NR_ZONES; i++)
				fprintf(out, " %ld", zone->lowmem_reserve[i]);
			fprintf(out, "\n");
		}
	}
	for (nid = 0; nid < kmm_nr_online_nodes; nid++) {
		for (zid = 0; zid < MAX_NR_ZONES; zid++) {
			struct zone *zone = &NODE_DATA(nid)->node_zones[zid];
			unsigned long nr[NR_PAGE_ORDERS] = {0}, total = 0;
			unsigned char types[NR_PAGE_ORDERS] = {0};

			if (!populated_zone(zone))
				continue;
			for (order = 0; order < NR_PAGE_ORDERS; order++) {
				nr[order] = zone->free_area[order].nr_free;
				for (mt = 0; mt < MIGRATE_TYPES; mt++)
					if (!list_empty(&zone->free_area[order].free_list[mt]))
						types[order] |= (unsigned char)(1u << mt);
			}
			deferred_free_blocks(zone, nr);
			if (zone_has_deferred(zone))
				types[MAX_PAGE_ORDER] |= 1u << MIGRATE_MOVABLE;
			fprintf(out, "Node %d %s: ", nid, zone->name);
			for (order = 0; order < NR_PAGE_ORDERS; order++) {
				fprintf(out, "%lu*%lukB ", nr[order], K(1UL << order));
				total += nr[order] << order;
				if (nr[order]) {
					fputc('(', out);
					for (mt = 0; mt < MIGRATE_TYPES; mt++)
						if (types[order] & (1u << mt))
							fputc(type_letters[mt], out);
					fputs(") ", out);
				}
			}
			fprintf(out, "= %lukB\n", K(total));
		}
	}
	fprintf(out, "%lu pages RAM\n%lu pages HighMem/MovableOnly\n%lu pages reserved\n",
		kmm_max_pfn, totalhigh_pages(), kmm_max_pfn - totalram_pages());
}
