/* SPDX-License-Identifier: MIT */
/*
 * buddy/show.c - /proc/buddyinfo, /proc/zoneinfo and /proc/pagetypeinfo of
 * the emulated machine, in the kernel's exact layouts (/proc/meminfo, which
 * sums the subsystems above the buddy allocator too, is stat/meminfo.c's).
 *
 * Free blocks of memmap chunks whose struct pages are not initialised yet are
 * counted as what they will become (maximal blocks, movable), so the numbers
 * always add up to MemFree.
 *
 * Locking: the free lists are walked under zone->lock (pagetypeinfo), the
 * counters read without locks, as the kernel does.
 */
#include <string.h>

#include "buddy/internal.h"

static const char *const zone_stat_names[NR_VM_ZONE_STAT_ITEMS] = {
	"nr_free_pages",	 "nr_page_table_pages", "nr_slab_reclaimable",
	"nr_slab_unreclaimable", "nr_kmalloc_large",	"nr_vmalloc",
};

/* The free blocks of each order of @zone, deferred chunks included. */
static void zone_nr_free(struct zone *zone, unsigned long nr[NR_PAGE_ORDERS])
{
	int order;

	for (order = 0; order < NR_PAGE_ORDERS; order++)
		nr[order] = __atomic_load_n(&zone->free_area[order].nr_free, __ATOMIC_RELAXED);
	deferred_free_blocks(zone, nr);
}

void show_buddyinfo(FILE *out)
{
	int nid, zid, order;

	for (nid = 0; nid < kmm_nr_online_nodes; nid++) {
		for (zid = 0; zid < MAX_NR_ZONES; zid++) {
			struct zone *zone = &NODE_DATA(nid)->node_zones[zid];
			unsigned long nr[NR_PAGE_ORDERS];

			if (!populated_zone(zone))
				continue;
			zone_nr_free(zone, nr);
			fprintf(out, "Node %d, zone %8s ", nid, zone->name);
			for (order = 0; order < NR_PAGE_ORDERS; order++)
				fprintf(out, "%6lu ", nr[order]);
			fputc('\n', out);
		}
	}
}

static void count_deferred_movable(unsigned long pfn, unsigned int order, void *arg)
{
	unsigned long *nr = arg;

	(void)pfn;
	nr[order]++;
}

void show_pagetypeinfo(FILE *out)
{
	int nid, zid, order, mt;

	fprintf(out, "Page block order: %d\n", pageblock_order);
	fprintf(out, "Pages per block:  %lu\n\n", pageblock_nr_pages);
	fprintf(out, "%-43s ", "Free pages count per migrate type at order");
	for (order = 0; order < NR_PAGE_ORDERS; order++)
		fprintf(out, "%6d ", order);
	fputc('\n', out);
	for (nid = 0; nid < kmm_nr_online_nodes; nid++) {
		for (zid = 0; zid < MAX_NR_ZONES; zid++) {
			struct zone *zone = &NODE_DATA(nid)->node_zones[zid];
			unsigned long counts[MIGRATE_TYPES][NR_PAGE_ORDERS];

			if (!populated_zone(zone))
				continue;
			memset(counts, 0, sizeof(counts));
			kmm_lock(&zone->lock);
			for (mt = 0; mt < MIGRATE_TYPES; mt++) {
				for (order = 0; order < NR_PAGE_ORDERS; order++) {
					struct list_head *pos;

					list_for_each(pos, &zone->free_area[order].free_list[mt]) {
						if (++counts[mt][order] >= 100000)
							break;
					}
				}
			}
			kmm_unlock(&zone->lock);
			{
				unsigned long pfn = zone->deferred_pfn;

				while (pfn < zone_end_pfn(zone)) {
					unsigned long s = pfn & ~(PAGES_PER_MEMMAP_CHUNK - 1);
					unsigned long e = s + PAGES_PER_MEMMAP_CHUNK;

					if (s < zone->zone_start_pfn)
						s = zone->zone_start_pfn;
					if (e > zone_end_pfn(zone))
						e = zone_end_pfn(zone);
					if (!memmap_chunk_ready(zone, s))
						for_each_free_block(s, e, count_deferred_movable,
								    counts[MIGRATE_MOVABLE]);
					pfn = e;
				}
			}
			for (mt = 0; mt < MIGRATE_TYPES; mt++) {
				fprintf(out, "Node %4d, zone %8s, type %12s ", nid, zone->name,
					kmm_migratetype_names[mt]);
				for (order = 0; order < NR_PAGE_ORDERS; order++) {
					bool overflow = counts[mt][order] >= 100000;

					fprintf(out, "%s%6lu ", overflow ? ">" : "",
						counts[mt][order]);
				}
				fputc('\n', out);
			}
		}
	}
	fprintf(out, "\n%-23s", "Number of blocks type ");
	for (mt = 0; mt < MIGRATE_TYPES; mt++)
		fprintf(out, "%12s ", kmm_migratetype_names[mt]);
	fputc('\n', out);
	for (nid = 0; nid < kmm_nr_online_nodes; nid++) {
		for (zid = 0; zid < MAX_NR_ZONES; zid++) {
			struct zone *zone = &NODE_DATA(nid)->node_zones[zid];
			unsigned long blocks[MIGRATE_TYPES] = {0}, pfn;

			if (!populated_zone(zone))
				continue;
			for (pfn = zone->zone_start_pfn & ~(pageblock_nr_pages - 1);
			     pfn < zone_end_pfn(zone); pfn += pageblock_nr_pages)
				blocks[get_pageblock_migratetype(pfn)]++;
			fprintf(out, "Node %d, zone %8s ", nid, zone->name);
			for (mt = 0; mt < MIGRATE_TYPES; mt++)
				fprintf(out, "%12lu ", blocks[mt]);
			fputc('\n', out);
		}
	}
}

void show_zoneinfo(FILE *out)
{
	struct kmm_cpu *cpu;
	int nid, zid, i;

	for (nid = 0; nid < kmm_nr_online_nodes; nid++) {
		pg_data_t *pgdat = NODE_DATA(nid);
		bool first = true;

		for (zid = 0; zid < MAX_NR_ZONES; zid++) {
			struct zone *zone = &pgdat->node_zones[zid];

			fprintf(out, "Node %d, zone %8s", nid, zone->name);
			if (first && populated_zone(zone)) {
				unsigned long recl = 0, unrecl = 0;

				for (i = 0; i < MAX_NR_ZONES; i++) {
					recl += zone_page_state(&pgdat->node_zones[i],
								NR_ZONE_SLAB_RECL);
					unrecl += zone_page_state(&pgdat->node_zones[i],
								  NR_ZONE_SLAB_UNRECL);
				}
				first = false;
				fprintf(out, "\n  per-node stats");
				fprintf(out, "\n      %-12s %lu", "nr_slab_reclaimable", recl);
				fprintf(out, "\n      %-12s %lu", "nr_slab_unreclaimable", unrecl);
			}
			fprintf(out,
				"\n  pages free     %lu"
				"\n        boost    %lu"
				"\n        min      %lu"
				"\n        low      %lu"
				"\n        high     %lu"
				"\n        promo    %lu"
				"\n        spanned  %lu"
				"\n        present  %lu"
				"\n        managed  %lu"
				"\n        cma      %lu",
				zone_page_state(zone, NR_FREE_PAGES), zone->watermark_boost,
				min_wmark_pages(zone), low_wmark_pages(zone),
				high_wmark_pages(zone), wmark_pages(zone, WMARK_PROMO),
				zone->spanned_pages, zone->present_pages, zone->managed_pages, 0UL);
			fprintf(out, "\n        protection: (%ld", zone->lowmem_reserve[0]);
			for (i = 1; i < MAX_NR_ZONES; i++)
				fprintf(out, ", %ld", zone->lowmem_reserve[i]);
			fputc(')', out);
			if (!populated_zone(zone)) {
				fputc('\n', out);
				continue;
			}
			for (i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++)
				fprintf(out, "\n      %-12s %lu", zone_stat_names[i],
					zone_page_state(zone, (enum zone_stat_item)i));
			fprintf(out, "\n  pagesets");
			for_each_online_cpu(cpu) {
				struct per_cpu_pages *pcp = cpu_pcp(cpu, nid, zid);

				fprintf(out,
					"\n    cpu: %i"
					"\n              count: %i"
					"\n              high:  %i"
					"\n              batch: %i",
					cpu->id, __atomic_load_n(&pcp->count, __ATOMIC_RELAXED),
					pcp->high, pcp->batch);
				fprintf(out, "\n  vm stats threshold: %d", 0);
			}
			fprintf(out,
				"\n  node_unreclaimable:  %u"
				"\n  start_pfn:           %lu",
				0u, zone->zone_start_pfn);
			fputc('\n', out);
		}
	}
}
