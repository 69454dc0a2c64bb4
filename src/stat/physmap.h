/* SPDX-License-Identifier: MIT */
/*
 * stat/physmap.h - what the walk of the memmap and the text file
 * (physmap.c) share with the picture (physmap_svg.c): the owner of a frame,
 * a run of frames, one walk's state, and the calls that take the snapshots,
 * walk and release them.  Internal to stat/.
 *
 * Locking: see physmap.c.  A walk holds no lock while it calls its emitter.
 */
#ifndef KMM_STAT_PHYSMAP_H
#define KMM_STAT_PHYSMAP_H

#include <stddef.h>

#include <kmm/mmzone.h>
#include "slab/slab.h"

enum physmap_kind {
	PM_FREE,     /* detail: the buddy order */
	PM_UNINIT,   /* free, struct pages not initialised */
	PM_PCP,	     /* free, off the buddy lists */
	PM_RESERVED, /* detail: memblock range index, or PM_NONE */
	PM_TABLE,    /* a page-table page */
	PM_SLAB,     /* detail: index in the cache snapshot, or PM_NONE */
	PM_LARGE,    /* kmalloc-large */
	PM_VMALLOC,  /* detail: the area's address, | 1 for a vmap area */
	PM_OTHER,    /* alloc_pages */
	NR_PM_KINDS
};

#define PM_NONE (~0UL)

struct pm_owner {
	enum physmap_kind kind;
	unsigned long detail; /* as the kind says */
};

/* A run of frames of one zone with one owner. */
struct pm_run {
	unsigned long pfn; /* first frame */
	unsigned long nr;  /* frames */
	struct pm_owner owner;
};

/* A sort key and its value: (cache address, index), (pfn, area), (pages, index). */
struct pm_pair {
	unsigned long key;
	unsigned long val;
};

struct physmap;
typedef void (*physmap_emit_t)(struct physmap *pm, const struct zone *zone,
			       const struct pm_run *run);

/* One walk: the snapshots, the run being merged, and what to do with each run. */
struct physmap {
	struct kmem_cache_snapshot *caches; /* the cache list, in list order (slab's copy) */
	unsigned long *cache_pages;	    /* frames of each cache's slabs found by the walk */
	struct pm_pair *cache_by_ptr;	    /* (cachep, index) sorted by address */
	unsigned long nr_caches;
	struct pm_pair *vm_pages; /* (pfn, area address | vmap) sorted by pfn */
	unsigned long nr_vm_pages;
	unsigned long vm_cursor;   /* the walk's position in vm_pages */
	struct pm_run *chunk_runs; /* the runs of the chunk under its zone lock */
	void *scratch;		   /* one mapping for all of the above */
	size_t scratch_len;
	struct pm_run pending; /* the run being extended; nr == 0 if none */
	const struct zone *pending_zone;
	unsigned long kind_pages[NR_PM_KINDS];	   /* frames per kind */
	unsigned long order_pages[NR_PAGE_ORDERS]; /* free frames per buddy order */
	physmap_emit_t emit;
	void *arg; /* the emitter's state */
};

/* pm_sort - heapsort of @n pairs by key, then value (no allocation, unlike qsort()). */
void pm_sort(struct pm_pair *p, unsigned long n);

/*
 * physmap_snapshot - set up @pm for one walk: scratch memory and the
 * snapshots of the cache list and the vmalloc areas' pages, taken by their
 * owners (slab_caches_snapshot(), vmap_pages_snapshot()).  Return: 0, or
 * -ENOMEM if the scratch memory cannot be mapped.
 */
int physmap_snapshot(struct physmap *pm);
/* physmap_release - unmap the scratch memory of physmap_snapshot(). */
void physmap_release(struct physmap *pm);
/* physmap_walk - every frame of the machine, in pfn order, to @pm->emit (set by the caller). */
void physmap_walk(struct physmap *pm);

/* format_size - @bytes as "512K", "12.5M", "1.25G" into @buf. */
const char *format_size(unsigned long long bytes, char *buf, size_t len);

#endif /* KMM_STAT_PHYSMAP_H */
