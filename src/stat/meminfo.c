/* SPDX-License-Identifier: MIT */
/*
 * stat/meminfo.c - /proc/meminfo of the emulated machine, in the kernel's
 * layout: the buddy allocator's totals and zone counters, with the slab,
 * page-table, vmalloc and per-CPU allocator pages they count, each asked of
 * its owner through its header.
 *
 * Locking: none taken here.  The counters are read without locks, as the
 * kernel does; the numbers of a busy machine may be a moment apart.
 * vmalloc_largest_free() takes free_vmap_area_lock itself (vmalloc.h).
 */
#include <sys/sysinfo.h>

#include <kmm/mm.h>
#include <kmm/percpu_alloc.h>
#include <kmm/pgtable.h>

#include "stat/stat.h"
#include "vmalloc/vmalloc.h"

#define K(x) ((x) << (PAGE_SHIFT - 10))

/* Pages kept back from userspace-like use: max lowmem reserve plus the high watermark. */
static unsigned long totalreserve_pages(void)
{
	unsigned long total = 0;
	int nid, zid, i;

	for (nid = 0; nid < kmm_nr_online_nodes; nid++) {
		for (zid = 0; zid < MAX_NR_ZONES; zid++) {
			struct zone *zone = &NODE_DATA(nid)->node_zones[zid];
			long max = 0;

			for (i = zid; i < MAX_NR_ZONES; i++)
				if (zone->lowmem_reserve[i] > max)
					max = zone->lowmem_reserve[i];
			total += (unsigned long)max + high_wmark_pages(zone);
		}
	}
	return total;
}

static void show_val_kb(FILE *out, const char *name, unsigned long pages)
{
	fprintf(out, "%-16s%8lu kB\n", name, K(pages));
}

static unsigned long sum_zone_stat(enum zone_stat_item item)
{
	unsigned long sum = 0;
	int nid, zid;

	for (nid = 0; nid < kmm_nr_online_nodes; nid++)
		for (zid = 0; zid < MAX_NR_ZONES; zid++)
			sum += zone_page_state(&NODE_DATA(nid)->node_zones[zid], item);
	return sum;
}

void show_meminfo(FILE *out)
{
	struct sysinfo si;
	unsigned long reserve = totalreserve_pages(), available;

	si_meminfo(&si);
	/* As si_mem_available(): free pages above the reserves, plus reclaimable slab. */
	available = si.freeram > reserve ? si.freeram - reserve : 0;
	available += sum_zone_stat(NR_ZONE_SLAB_RECL) / 2;
	show_val_kb(out, "MemTotal:", si.totalram);
	show_val_kb(out, "MemFree:", si.freeram);
	show_val_kb(out, "MemAvailable:", available);
	show_val_kb(out, "Buffers:", 0);
	show_val_kb(out, "Cached:", 0);
	show_val_kb(out, "SwapCached:", 0);
	if (si.totalhigh) {
		show_val_kb(out, "HighTotal:", si.totalhigh);
		show_val_kb(out, "HighFree:", si.freehigh);
		show_val_kb(out, "LowTotal:", si.totalram - si.totalhigh);
		show_val_kb(out, "LowFree:", si.freeram - si.freehigh);
	}
	show_val_kb(out, "SwapTotal:", 0);
	show_val_kb(out, "SwapFree:", 0);
	show_val_kb(out,
		    "Slab:", sum_zone_stat(NR_ZONE_SLAB_RECL) + sum_zone_stat(NR_ZONE_SLAB_UNRECL));
	show_val_kb(out, "SReclaimable:", sum_zone_stat(NR_ZONE_SLAB_RECL));
	show_val_kb(out, "SUnreclaim:", sum_zone_stat(NR_ZONE_SLAB_UNRECL));
	show_val_kb(out, "PageTables:", sum_zone_stat(NR_ZONE_PAGETABLE));
	fprintf(out, "%-16s%8lu kB\n", "VmallocTotal:", VMALLOC_TOTAL >> 10);
	show_val_kb(out, "VmallocUsed:", sum_zone_stat(NR_ZONE_VMALLOC));
	/* The largest free range, as kernels before 4.19 showed it (later ones print 0). */
	fprintf(out, "%-16s%8lu kB\n", "VmallocChunk:", vmalloc_largest_free() >> 10);
	show_val_kb(out, "Percpu:", pcpu_nr_pages());
}
