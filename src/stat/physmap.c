/* SPDX-License-Identifier: MIT */
/*
 * stat/physmap.c - who owns each page frame: the "physmap" file (text, one
 * line per run of frames with one owner) and the picture of physical memory
 * (kmm_physmap_svg(), also the "physmap.svg" file).  Both come from one walk
 * of the memmap, so the kmmstat tool and a program draw the same picture.
 *
 * The walk goes node by node, zone by zone, in chunks of MAX_ORDER_NR_PAGES
 * aligned frames (no buddy block crosses a chunk) and names the owner of
 * each frame from its struct page:
 *   free          a PageBuddy head: the block of 2^private frames, by order;
 *   free uninit   a section whose struct pages are not initialised yet: its
 *                 frames are free (or reserved, by memblock's list);
 *   pcp           PagePcp, or an untyped page without references that no head
 *                 covers: free but off the buddy lists (a per-CPU list, the
 *                 tail of a per-CPU block, or isolated for page reporting);
 *   reserved      PG_reserved, named by its memblock range (memmap, ...);
 *   pagetable     PG_table;
 *   slab          a PG_slab head and its compound tails, named by the cache;
 *   kmalloc-large a PG_large_kmalloc head and its compound tails;
 *   vmalloc/vmap  a page of a vmalloc (or VM_MAP_PUT_PAGES vmap) area's
 *                 pages[], named by the area's address;
 *   alloc_pages   any other page with a reference; a head covers the 2^order
 *                 frames of its allocation (the order field of its flags).
 * Consecutive frames of one zone with the same owner are one run.
 *
 * Locking: racy but safe.  Each chunk is read under its zone->lock (with
 * interrupts off, held for at most MAX_ORDER_NR_PAGES struct pages), so free
 * blocks and the section_ready bits are exact; per-CPU lists, slab, table
 * and vmalloc marks change without that lock and are read as they are at
 * that moment, as the kernel's /proc/kpageflags reads them.  Nothing read
 * from a struct page is dereferenced but a compound head, checked first to
 * lie in the memmap: caches are recognised by comparing page->mapping with a
 * snapshot of the cache list taken under slab_mutex (names copied), vmalloc
 * pages by a snapshot of the areas' pages[] taken under vmap_area_lock (the
 * order of the reports: slab_mutex, then vmap_area_lock, then zone->lock,
 * never two at once).  Caches or areas made after the snapshots show as
 * alloc_pages.  No lock is held while printing, and nothing here allocates
 * from libkmm or the C library: scratch memory is mmap()ed, because the
 * kmmstat server walks too and must never become a CPU.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include <kmm/kmm.h>
#include "boot/machine.h"
#include "buddy/internal.h"
#include "slab/slab.h"
#include "stat/stat.h"
#include "vmalloc/vmalloc.h"

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

/* A cache of the snapshot. */
struct pm_cache {
	const void *cachep;  /* the struct kmem_cache, never dereferenced */
	char name[64];	     /* its name when the snapshot was taken */
	unsigned long pages; /* frames of its slabs found by the walk */
};

struct physmap;
typedef void (*physmap_emit_t)(struct physmap *pm, const struct zone *zone,
			       const struct pm_run *run);

/* One walk: the snapshots, the run being merged, and what to do with each run. */
struct physmap {
	struct pm_cache *caches;      /* the cache list, in list order */
	struct pm_pair *cache_by_ptr; /* (cachep, index) sorted by address */
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

static bool pair_less(const struct pm_pair *a, const struct pm_pair *b)
{
	return a->key < b->key || (a->key == b->key && a->val < b->val);
}

static void sift_down(struct pm_pair *p, unsigned long root, unsigned long n)
{
	for (;;) {
		unsigned long child = 2 * root + 1;
		struct pm_pair t;

		if (child >= n)
			return;
		if (child + 1 < n && pair_less(&p[child], &p[child + 1]))
			child++;
		if (!pair_less(&p[root], &p[child]))
			return;
		t = p[root];
		p[root] = p[child];
		p[child] = t;
		root = child;
	}
}

/* pm_sort - heapsort of @n pairs by key, then value (no allocation, unlike qsort()). */
static void pm_sort(struct pm_pair *p, unsigned long n)
{
	unsigned long i;

	for (i = n / 2; i-- > 0;)
		sift_down(p, i, n);
	for (i = n; i-- > 1;) {
		struct pm_pair t = p[0];

		p[0] = p[i];
		p[i] = t;
		sift_down(p, 0, i);
	}
}

/* pm_lookup - the value of the first pair with @key in the sorted @p, or PM_NONE. */
static unsigned long pm_lookup(const struct pm_pair *p, unsigned long n, unsigned long key)
{
	unsigned long lo = 0, hi = n;

	while (lo < hi) {
		unsigned long mid = lo + (hi - lo) / 2;

		if (p[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && p[lo].key == key ? p[lo].val : PM_NONE;
}

static bool area_has_pages(const struct vm_struct *v)
{
	unsigned long flags = __atomic_load_n(&v->flags, __ATOMIC_ACQUIRE);

	return !(flags & VM_UNINITIALIZED) && v->pages && (flags & (VM_ALLOC | VM_MAP_PUT_PAGES));
}

/*
 * physmap_snapshot - copy the cache list and the vmalloc areas' pages into
 * scratch memory: count under each lock, map, then copy under it again (at
 * most what was mapped: what appears in between shows as alloc_pages).
 */
static int physmap_snapshot(struct physmap *pm)
{
	unsigned long nr_caches = 0, nr_vm = 0, i;
	struct kmem_cache *s;
	struct vmap_area *va;
	size_t len;
	char *p;

	pthread_mutex_lock(&slab_mutex);
	list_for_each_entry(s, &slab_caches, list) nr_caches++;
	pthread_mutex_unlock(&slab_mutex);
	pthread_mutex_lock(&vmap_area_lock);
	list_for_each_entry(va, &vmap_area_root.list, list) if (va->vm && area_has_pages(va->vm))
		nr_vm += va->vm->nr_pages;
	pthread_mutex_unlock(&vmap_area_lock);
	nr_caches += 16;
	nr_vm += 1024;
	len = nr_caches * (sizeof(struct pm_cache) + sizeof(struct pm_pair)) +
	      nr_vm * sizeof(struct pm_pair) + MAX_ORDER_NR_PAGES * sizeof(struct pm_run);
	len = PAGE_ALIGN(len);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -ENOMEM;
	memset(pm, 0, sizeof(*pm));
	pm->scratch = p;
	pm->scratch_len = len;
	pm->chunk_runs = (struct pm_run *)p;
	p += MAX_ORDER_NR_PAGES * sizeof(struct pm_run);
	pm->caches = (struct pm_cache *)p;
	p += nr_caches * sizeof(struct pm_cache);
	pm->cache_by_ptr = (struct pm_pair *)p;
	p += nr_caches * sizeof(struct pm_pair);
	pm->vm_pages = (struct pm_pair *)p;

	pthread_mutex_lock(&slab_mutex);
	list_for_each_entry(s, &slab_caches, list)
	{
		struct pm_cache *c = &pm->caches[pm->nr_caches];

		if (pm->nr_caches == nr_caches)
			break;
		c->cachep = s;
		snprintf(c->name, sizeof(c->name), "%s", s->name);
		pm->cache_by_ptr[pm->nr_caches].key = (unsigned long)s;
		pm->cache_by_ptr[pm->nr_caches].val = pm->nr_caches;
		pm->nr_caches++;
	}
	pthread_mutex_unlock(&slab_mutex);
	pm_sort(pm->cache_by_ptr, pm->nr_caches);

	pthread_mutex_lock(&vmap_area_lock);
	list_for_each_entry(va, &vmap_area_root.list, list)
	{
		struct vm_struct *v = va->vm;
		unsigned long area;

		if (!v || !area_has_pages(v))
			continue;
		area = (unsigned long)v->addr | !(v->flags & VM_ALLOC);
		for (i = 0; i < v->nr_pages && pm->nr_vm_pages < nr_vm; i++) {
			pm->vm_pages[pm->nr_vm_pages].key = page_to_pfn(v->pages[i]);
			pm->vm_pages[pm->nr_vm_pages].val = area;
			pm->nr_vm_pages++;
		}
	}
	pthread_mutex_unlock(&vmap_area_lock);
	pm_sort(pm->vm_pages, pm->nr_vm_pages);
	return 0;
}

static void physmap_release(struct physmap *pm)
{
	munmap(pm->scratch, pm->scratch_len);
	pm->scratch = NULL;
}

/* reserved_range - the memblock range holding @pfn, or -1; *@next: where that answer ends. */
static long reserved_range(unsigned long pfn, unsigned long *next)
{
	phys_addr_t addr = PFN_PHYS(pfn);
	unsigned long end = ~0UL;
	int i;

	for (i = 0; i < kmm_machine.nr_reserved; i++) {
		const struct memblock_region *r = &kmm_machine.reserved[i];

		if (addr >= r->base && addr < r->base + r->size) {
			*next = PFN_UP(r->base + r->size);
			return i;
		}
		if (r->base > addr && PFN_DOWN(r->base) < end)
			end = PFN_DOWN(r->base);
	}
	*next = end;
	return -1;
}

/* vm_area_of - the vmalloc area mapping @pfn, or PM_NONE; @pfn only grows during a walk. */
static unsigned long vm_area_of(struct physmap *pm, unsigned long pfn)
{
	while (pm->vm_cursor < pm->nr_vm_pages && pm->vm_pages[pm->vm_cursor].key < pfn)
		pm->vm_cursor++;
	if (pm->vm_cursor < pm->nr_vm_pages && pm->vm_pages[pm->vm_cursor].key == pfn)
		return pm->vm_pages[pm->vm_cursor].val;
	return PM_NONE;
}

static unsigned int alloc_order(const struct page *page)
{
	return (unsigned int)((page->flags & PAGE_ORDER_MASK) >> PAGE_ORDER_PGSHIFT);
}

/* The frames an allocation of @order at @pfn covers, or 1 if the order makes no sense. */
static unsigned long order_span(unsigned long pfn, unsigned int order)
{
	if (order > MAX_PAGE_ORDER || (pfn & ((1UL << order) - 1)))
		return 1;
	return 1UL << order;
}

/* classify_tail - the owner of a compound page's tail @pfn (a copy of it in @page). */
static struct pm_owner classify_tail(struct physmap *pm, unsigned long pfn, const struct page *page)
{
	struct pm_owner owner = {PM_OTHER, 0};
	unsigned long head = page->compound_head - 1, head_pfn;
	struct page copy;

	if (head < (unsigned long)kmm_vmemmap ||
	    head >= (unsigned long)(kmm_vmemmap + kmm_max_pfn) ||
	    (head - (unsigned long)kmm_vmemmap) % sizeof(struct page))
		return owner;
	head_pfn = page_to_pfn((struct page *)head);
	if (head_pfn >= pfn || pfn - head_pfn >= MAX_ORDER_NR_PAGES)
		return owner;
	memcpy(&copy, (const void *)head, sizeof(copy));
	if (PageSlab(&copy)) {
		owner.kind = PM_SLAB;
		owner.detail =
			pm_lookup(pm->cache_by_ptr, pm->nr_caches, (unsigned long)copy.mapping);
	} else if (PageLargeKmalloc(&copy)) {
		owner.kind = PM_LARGE;
	}
	return owner;
}

/*
 * classify - the owner of @pfn and how many frames from it on share it (at
 * least 1, at most @end - @pfn).  @zone->lock held.
 */
static unsigned long classify(struct physmap *pm, const struct zone *zone, unsigned long pfn,
			      unsigned long end, struct pm_owner *owner)
{
	unsigned long n = 1, area;
	struct page page;
	long r;

	if (!section_chunk_ready(zone, pfn)) {
		unsigned long next, section_end = (pfn | (PAGES_PER_SECTION - 1)) + 1;

		r = reserved_range(pfn, &next);
		owner->kind = r >= 0 ? PM_RESERVED : PM_UNINIT;
		owner->detail = r >= 0 ? (unsigned long)r : 0;
		n = next < section_end ? next - pfn : section_end - pfn;
		return n < end - pfn ? n : end - pfn;
	}
	/* A racy copy: the struct page may change under us, the copy is read once. */
	memcpy(&page, pfn_to_page(pfn), sizeof(page));
	owner->detail = 0;
	if (PageBuddy(&page)) {
		/* exact under zone->lock; a block that makes no sense counts as one page */
		owner->kind = PM_FREE;
		if (page.private <= MAX_PAGE_ORDER)
			n = order_span(pfn, (unsigned int)page.private);
		owner->detail = n > 1 ? page.private : 0;
	} else if (PagePcp(&page)) {
		owner->kind = PM_PCP;
	} else if (PageTail(&page)) {
		*owner = classify_tail(pm, pfn, &page);
	} else if (PageTable(&page)) {
		owner->kind = PM_TABLE;
	} else if (PageReserved(&page) && (r = reserved_range(pfn, &(unsigned long){0})) >= 0) {
		owner->kind = PM_RESERVED;
		owner->detail = (unsigned long)r;
	} else if (PageSlab(&page)) {
		owner->kind = PM_SLAB;
		owner->detail =
			pm_lookup(pm->cache_by_ptr, pm->nr_caches, (unsigned long)page.mapping);
		n = order_span(pfn, alloc_order(&page));
	} else if (PageLargeKmalloc(&page)) {
		owner->kind = PM_LARGE;
		n = order_span(pfn, alloc_order(&page));
	} else if (page._refcount == 0) {
		owner->kind = PM_PCP;
	} else if ((area = vm_area_of(pm, pfn)) != PM_NONE) {
		owner->kind = PM_VMALLOC;
		owner->detail = area;
	} else {
		owner->kind = PM_OTHER;
		n = order_span(pfn, alloc_order(&page));
	}
	return n < end - pfn ? n : end - pfn;
}

static bool same_owner(const struct pm_owner *a, const struct pm_owner *b)
{
	return a->kind == b->kind && a->detail == b->detail;
}

/* flush_pending - hand the run being extended to the emitter, counting it. */
static void flush_pending(struct physmap *pm)
{
	struct pm_run *run = &pm->pending;

	if (!run->nr)
		return;
	pm->kind_pages[run->owner.kind] += run->nr;
	if (run->owner.kind == PM_FREE)
		pm->order_pages[run->owner.detail] += run->nr;
	if (run->owner.kind == PM_SLAB && run->owner.detail != PM_NONE)
		pm->caches[run->owner.detail].pages += run->nr;
	pm->emit(pm, pm->pending_zone, run);
	run->nr = 0;
}

static void add_run(struct physmap *pm, const struct zone *zone, const struct pm_run *run)
{
	struct pm_run *p = &pm->pending;

	if (p->nr && pm->pending_zone == zone && p->pfn + p->nr == run->pfn &&
	    same_owner(&p->owner, &run->owner)) {
		p->nr += run->nr;
		return;
	}
	flush_pending(pm);
	*p = *run;
	pm->pending_zone = zone;
}

/* walk_chunk - the runs of [@start, @end) of @zone, read under zone->lock, then emitted. */
static void walk_chunk(struct physmap *pm, struct zone *zone, unsigned long start,
		       unsigned long end)
{
	struct pm_run *runs = pm->chunk_runs;
	struct kmm_irq_state irq;
	unsigned long pfn, n, nr_runs = 0, i;

	irq = kmm_irq_save();
	pthread_mutex_lock(&zone->lock);
	for (pfn = start; pfn < end; pfn += n) {
		struct pm_owner owner;

		n = classify(pm, zone, pfn, end, &owner);
		if (nr_runs && same_owner(&runs[nr_runs - 1].owner, &owner)) {
			runs[nr_runs - 1].nr += n;
			continue;
		}
		runs[nr_runs].pfn = pfn;
		runs[nr_runs].nr = n;
		runs[nr_runs].owner = owner;
		nr_runs++;
	}
	pthread_mutex_unlock(&zone->lock);
	kmm_irq_restore(irq);
	for (i = 0; i < nr_runs; i++)
		add_run(pm, zone, &runs[i]);
}

/* physmap_walk - every frame of the machine, in pfn order, to @pm->emit. */
static void physmap_walk(struct physmap *pm)
{
	int nid, zid;

	for (nid = 0; nid < kmm_nr_online_nodes; nid++) {
		for (zid = 0; zid < MAX_NR_ZONES; zid++) {
			struct zone *zone = &NODE_DATA(nid)->node_zones[zid];
			unsigned long pfn = zone->zone_start_pfn, end = zone_end_pfn(zone);

			if (!populated_zone(zone))
				continue;
			while (pfn < end) {
				unsigned long next =
					(pfn & ~(MAX_ORDER_NR_PAGES - 1)) + MAX_ORDER_NR_PAGES;

				if (next > end)
					next = end;
				walk_chunk(pm, zone, pfn, next);
				pfn = next;
			}
			flush_pending(pm);
		}
	}
}

/* format_size - @bytes as "512K", "12.5M", "1.25G" into @buf. */
static const char *format_size(unsigned long long bytes, char *buf, size_t len)
{
	if (!bytes)
		snprintf(buf, len, "0");
	else if (bytes < (1ULL << 20))
		snprintf(buf, len, "%lluK", bytes >> 10);
	else if (bytes < (1ULL << 30))
		snprintf(buf, len, bytes % (1ULL << 20) ? "%.1fM" : "%.0fM",
			 (double)bytes / (1 << 20));
	else
		snprintf(buf, len, bytes % (1ULL << 30) ? "%.2fG" : "%.0fG",
			 (double)bytes / (1 << 30));
	return buf;
}

/* The text file. */

static void print_owner(FILE *out, const struct physmap *pm, const struct pm_owner *o)
{
	switch (o->kind) {
	case PM_FREE:
		fprintf(out, "free order %lu", o->detail);
		break;
	case PM_UNINIT:
		fputs("free uninit", out);
		break;
	case PM_PCP:
		fputs("pcp", out);
		break;
	case PM_RESERVED:
		if (o->detail == PM_NONE)
			fputs("reserved", out);
		else
			fprintf(out, "reserved %s", kmm_machine.reserved[o->detail].what);
		break;
	case PM_TABLE:
		fputs("pagetable", out);
		break;
	case PM_SLAB:
		fprintf(out, "slab %s",
			o->detail == PM_NONE ? "(unknown cache)" : pm->caches[o->detail].name);
		break;
	case PM_LARGE:
		fputs("kmalloc-large", out);
		break;
	case PM_VMALLOC:
		fprintf(out, "%s 0x%lx", o->detail & 1 ? "vmap" : "vmalloc", o->detail & ~1UL);
		break;
	default:
		fputs("alloc_pages", out);
		break;
	}
}

static void emit_text(struct physmap *pm, const struct zone *zone, const struct pm_run *run)
{
	FILE *out = pm->arg;

	fprintf(out, "pfn 0x%lx-0x%lx  ", run->pfn, run->pfn + run->nr - 1);
	print_owner(out, pm, &run->owner);
	fputc('\n', out);
}

void show_physmap(FILE *out)
{
	static const char *const kind_names[NR_PM_KINDS] = {
		"free", "free uninit",	 "pcp",	    "reserved",	  "pagetable",
		"slab", "kmalloc-large", "vmalloc", "alloc_pages"};
	struct physmap pm;
	char size[32];
	int nid, zid, k;

	if (physmap_snapshot(&pm)) {
		fprintf(out, "# physmap: no memory for the walk\n");
		return;
	}
	fprintf(out, "# physmap of mem=%s: %lu frames of %lu bytes, %d node(s)\n",
		format_size(kmm_machine.mem_bytes, size, sizeof(size)), kmm_max_pfn, PAGE_SIZE,
		kmm_nr_online_nodes);
	fprintf(out, "# zones:");
	for (nid = 0; nid < kmm_nr_online_nodes; nid++)
		for (zid = 0; zid < MAX_NR_ZONES; zid++) {
			const struct zone *zone = &NODE_DATA(nid)->node_zones[zid];

			if (populated_zone(zone))
				fprintf(out, " Node %d %s 0x%lx-0x%lx;", nid, zone->name,
					zone->zone_start_pfn, zone_end_pfn(zone) - 1);
		}
	fprintf(out, "\n# pfn <first>-<last>  <owner>, a line per run of frames with one owner\n");
	pm.emit = emit_text;
	pm.arg = out;
	physmap_walk(&pm);
	fprintf(out, "# frames:");
	for (k = 0; k < NR_PM_KINDS; k++)
		fprintf(out, " %s %lu%s", kind_names[k], pm.kind_pages[k],
			k == NR_PM_KINDS - 1 ? "\n" : ",");
	physmap_release(&pm);
}

/*
 * The picture.  A grid of SVG_COLS cells a row; a cell is one frame, or on a
 * machine of more than SVG_MAX_CELLS frames a power-of-two group of frames
 * coloured by the owner of most of them.  Each row's cells of one colour are
 * merged into one rect; each zone is outlined, with a band and its name at
 * the left; the legend on the right gives each colour's total.
 */
#define SVG_COLS       256
#define SVG_MAX_CELLS  65536UL
#define SVG_CELL       4   /* pixels a cell */
#define SVG_LEFT       150 /* the address ticks, then the zone labels */
#define SVG_TOP	       80  /* the title */
#define SVG_LEGEND_X   (SVG_LEFT + SVG_COLS * SVG_CELL + 28)
#define SVG_WIDTH      (SVG_LEGEND_X + 360)
#define SVG_TOP_CACHES 12 /* caches named in the legend */
#define SVG_NO_FRAME   UINT32_MAX

/* Cell keys: a free order, SVG_KEY_KIND + another kind, or SVG_KEY_SLAB + a cache index. */
#define SVG_KEY_KIND	   NR_PAGE_ORDERS
#define SVG_KEY_SLAB_OTHER (SVG_KEY_KIND + NR_PM_KINDS) /* a cache outside the snapshot */
#define SVG_KEY_SLAB	   (SVG_KEY_SLAB_OTHER + 1)

#define SVG_TALLY 8 /* owners counted in one cell (more are rare and left out) */

struct svg {
	unsigned long per_cell; /* frames per cell, a power of two */
	unsigned long nr_cells;
	uint32_t *cells;	 /* each cell's key, SVG_NO_FRAME past the last frame */
	size_t cells_len;	 /* the mapping of cells, by_size and rank */
	struct pm_pair *by_size; /* (~pages, cache index) of the caches with frames, sorted */
	unsigned long *rank;	 /* each cache's place in by_size, or PM_NONE */
	unsigned long nr_ranked;
	unsigned long cur; /* the cell being filled */
	/* the owners of the cell being filled and their frames */
	struct {
		uint32_t key;
		unsigned long nr;
	} tally[SVG_TALLY];
	int nr_tally;
};

/* The colours: free orders from small (stronger) to large (paler), then the kinds. */
static const char *const free_colours[NR_PAGE_ORDERS] = {"#4f9a2a", "#65a73d", "#7bb451", "#90c066",
							 "#a4cb7b", "#b6d58f", "#c6dfa2", "#d4e7b4",
							 "#e0eec5", "#e9f3d4", "#f1f7e3"};
static const char *const slab_colours[SVG_TOP_CACHES] = {
	"#d32f2f", "#8e24aa", "#3949ab", "#00897b", "#c2185b", "#6d4c41",
	"#e57373", "#ba68c8", "#7986cb", "#4db6ac", "#f06292", "#a1887f"};
#define SVG_SLAB_OTHER_COLOUR "#cfd8dc"
static const char *const zone_colours[MAX_NR_ZONES] = {"#795548", "#3f51b5", "#00897b", "#9c27b0"};

/* The other kinds in the legend's order: CSS class, colour, words. */
static const struct {
	enum physmap_kind kind;
	const char *cls;
	const char *colour;
	const char *label;
} kind_legend[] = {
	{PM_UNINIT, "u", "#fbfbf6", "free, memmap not initialised yet"},
	{PM_PCP, "p", "#4dd0e1", "free on per-CPU lists (or isolated)"},
	{PM_RESERVED, "r", "#37474f", "reserved: memmap, boot memory"},
	{PM_TABLE, "t", "#fdd835", "page tables"},
	{PM_VMALLOC, "v", "#1e88e5", "vmalloc / vmap pages"},
	{PM_LARGE, "l", "#ff7043", "kmalloc-large"},
	{PM_OTHER, "o", "#a1a1a1", "alloc_pages (other owners)"},
};
#define NR_KIND_LEGEND (int)(sizeof(kind_legend) / sizeof(kind_legend[0]))

static uint32_t owner_key(const struct pm_owner *o)
{
	if (o->kind == PM_FREE)
		return (uint32_t)o->detail;
	if (o->kind == PM_SLAB)
		return o->detail == PM_NONE ? SVG_KEY_SLAB_OTHER
					    : SVG_KEY_SLAB + (uint32_t)o->detail;
	return SVG_KEY_KIND + o->kind;
}

/* finish_cell - the key with most frames in the cell being filled goes into the grid. */
static void finish_cell(struct svg *g)
{
	unsigned long best = 0;
	int i;

	for (i = 0; i < g->nr_tally; i++)
		if (g->tally[i].nr > best) {
			best = g->tally[i].nr;
			g->cells[g->cur] = g->tally[i].key;
		}
	g->nr_tally = 0;
}

static void emit_cells(struct physmap *pm, const struct zone *zone, const struct pm_run *run)
{
	struct svg *g = pm->arg;
	uint32_t key = owner_key(&run->owner);
	unsigned long pfn = run->pfn, left = run->nr;

	if (g->per_cell == 1) {
		while (left--)
			g->cells[pfn++] = key;
		return;
	}
	while (left) {
		unsigned long cell = pfn / g->per_cell, take = (cell + 1) * g->per_cell - pfn;
		int i;

		if (take > left)
			take = left;
		if (cell != g->cur) {
			finish_cell(g);
			g->cur = cell;
		}
		for (i = 0; i < g->nr_tally && g->tally[i].key != key; i++)
			;
		if (i < g->nr_tally) {
			g->tally[i].nr += take;
		} else if (i < SVG_TALLY) {
			g->tally[i].key = key;
			g->tally[i].nr = take;
			g->nr_tally++;
		}
		pfn += take;
		left -= take;
	}
}

/*
 * Colour classes: a free order (0..10), then a kind of kind_legend[], then a
 * named cache by rank, then the other caches.
 */
#define SVG_CLASS_KIND	NR_PAGE_ORDERS
#define SVG_CLASS_SLAB	(SVG_CLASS_KIND + NR_KIND_LEGEND)
#define SVG_CLASS_OTHER (SVG_CLASS_SLAB + SVG_TOP_CACHES)

/* cell_class - the colour class of the cells of @key. */
static int cell_class(const struct svg *g, uint32_t key)
{
	int k;

	if (key < NR_PAGE_ORDERS)
		return (int)key;
	if (key >= SVG_KEY_SLAB && g->rank[key - SVG_KEY_SLAB] < SVG_TOP_CACHES)
		return SVG_CLASS_SLAB + (int)g->rank[key - SVG_KEY_SLAB];
	if (key >= SVG_KEY_SLAB_OTHER)
		return SVG_CLASS_OTHER;
	for (k = 0; k < NR_KIND_LEGEND - 1; k++)
		if (SVG_KEY_KIND + kind_legend[k].kind == key)
			break;
	return SVG_CLASS_KIND + k;
}

/* class_name - the CSS class name of colour class @cls, as svg_style() defines it. */
static const char *class_name(int cls, char *buf, size_t len)
{
	if (cls < SVG_CLASS_KIND)
		snprintf(buf, len, "f%d", cls);
	else if (cls < SVG_CLASS_SLAB)
		snprintf(buf, len, "%s", kind_legend[cls - SVG_CLASS_KIND].cls);
	else if (cls < SVG_CLASS_OTHER)
		snprintf(buf, len, "s%d", cls - SVG_CLASS_SLAB);
	else
		snprintf(buf, len, "sx");
	return buf;
}

/* xml_text - @s with XML's special characters escaped. */
static void xml_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '&':
			fputs("&amp;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		default:
			fputc(*s, out);
		}
	}
}

static void svg_title(FILE *out, const struct svg *g)
{
	char a[32], b[32];
	bool first = true;
	int nid, zid;

	fprintf(out,
		"<text x=\"16\" y=\"28\" font-size=\"19\" font-weight=\"bold\">libkmm physical "
		"memory: mem=%s, %d node%s, %lu page frames</text>\n",
		format_size(kmm_machine.mem_bytes, a, sizeof(a)), kmm_nr_online_nodes,
		kmm_nr_online_nodes > 1 ? "s" : "", kmm_max_pfn);
	fprintf(out, "<text x=\"16\" y=\"50\" font-size=\"13\">zones:");
	for (nid = 0; nid < kmm_nr_online_nodes; nid++)
		for (zid = 0; zid < MAX_NR_ZONES; zid++) {
			const struct zone *zone = &NODE_DATA(nid)->node_zones[zid];

			if (!populated_zone(zone))
				continue;
			fprintf(out, "%s Node %d %s %s-%s", first ? "" : " &#183;", nid, zone->name,
				format_size(PFN_PHYS(zone->zone_start_pfn), a, sizeof(a)),
				format_size(PFN_PHYS(zone_end_pfn(zone)), b, sizeof(b)));
			first = false;
		}
	fprintf(out, "</text>\n");
	fprintf(out,
		"<text x=\"16\" y=\"68\" font-size=\"12\" fill=\"#555\">one cell = %lu frame%s "
		"(%s)%s; a row = %s; addresses grow left to right, top to bottom</text>\n",
		g->per_cell, g->per_cell > 1 ? "s" : "",
		format_size(g->per_cell * PAGE_SIZE, a, sizeof(a)),
		g->per_cell > 1 ? ", coloured by the owner of most of them" : "",
		format_size((unsigned long long)g->per_cell * SVG_COLS * PAGE_SIZE, b, sizeof(b)));
}

/* svg_zones - each zone outlined on the grid, with a band and its name at the left. */
static void svg_zones(FILE *out, const struct svg *g)
{
	const unsigned long x0 = SVG_LEFT, x1 = SVG_LEFT + SVG_COLS * SVG_CELL;
	unsigned long label_y = 0; /* labels go no higher than below the last one */
	int nid, zid;

	for (nid = 0; nid < kmm_nr_online_nodes; nid++)
		for (zid = 0; zid < MAX_NR_ZONES; zid++) {
			const struct zone *zone = &NODE_DATA(nid)->node_zones[zid];
			unsigned long a, b, y0, y1, xa, xb;
			char node[16] = "";

			if (!populated_zone(zone))
				continue;
			a = zone->zone_start_pfn / g->per_cell;
			b = (zone_end_pfn(zone) + g->per_cell - 1) / g->per_cell;
			y0 = SVG_TOP + a / SVG_COLS * SVG_CELL;
			y1 = SVG_TOP + (b - 1) / SVG_COLS * SVG_CELL;
			xa = x0 + a % SVG_COLS * SVG_CELL;
			xb = x0 + ((b - 1) % SVG_COLS + 1) * SVG_CELL;
			if (kmm_nr_online_nodes > 1)
				snprintf(node, sizeof(node), "N%d ", nid);
			if (label_y < y0 + 11)
				label_y = y0 + 11;
			fprintf(out,
				"<rect x=\"%d\" y=\"%lu\" width=\"6\" height=\"%lu\" "
				"fill=\"%s\"/>\n"
				"<text x=\"%d\" y=\"%lu\" font-size=\"12\" font-weight=\"bold\" "
				"text-anchor=\"end\" fill=\"%s\">%s%s</text>\n",
				SVG_LEFT - 12, y0, y1 + SVG_CELL - y0, zone_colours[zid],
				SVG_LEFT - 18, label_y, zone_colours[zid], node, zone->name);
			label_y += 14;
			/* the outline of a row-major range: a staircase of eight corners */
			fprintf(out,
				"<polygon points=\"%lu,%lu %lu,%lu %lu,%lu %lu,%lu %lu,%lu %lu,%lu "
				"%lu,%lu %lu,%lu\" fill=\"none\" stroke=\"%s\" "
				"stroke-width=\"1.5\"/>\n",
				xa, y0, x1, y0, x1, y1, xb, y1, xb, y1 + SVG_CELL, x0,
				y1 + SVG_CELL, x0, y0 + SVG_CELL, xa, y0 + SVG_CELL,
				zone_colours[zid]);
		}
}

/* svg_ticks - the physical address at the left of every few rows. */
static void svg_ticks(FILE *out, const struct svg *g, unsigned long rows)
{
	unsigned long step = 1, r;
	char a[32];

	while (rows / step > 16)
		step *= 2;
	for (r = 0; r < rows; r += step)
		fprintf(out,
			"<text x=\"46\" y=\"%lu\" font-size=\"11\" fill=\"#666\" "
			"text-anchor=\"end\">%s</text>\n",
			SVG_TOP + r * SVG_CELL + 9,
			format_size((unsigned long long)r * SVG_COLS * g->per_cell * PAGE_SIZE, a,
				    sizeof(a)));
}

/* svg_cells - the grid: a rect per run of cells of one colour in a row. */
static void svg_cells(FILE *out, const struct svg *g)
{
	unsigned long i = 0;

	while (i < g->nr_cells) {
		unsigned long row_end = (i / SVG_COLS + 1) * SVG_COLS, j = i + 1;
		char name[16];
		int cls;

		if (g->cells[i] == SVG_NO_FRAME) {
			i++;
			continue;
		}
		if (row_end > g->nr_cells)
			row_end = g->nr_cells;
		cls = cell_class(g, g->cells[i]);
		while (j < row_end && g->cells[j] != SVG_NO_FRAME &&
		       cell_class(g, g->cells[j]) == cls)
			j++;
		fprintf(out,
			"<rect x=\"%lu\" y=\"%lu\" width=\"%lu\" height=\"%d\" class=\"%s\"/>\n",
			SVG_LEFT + i % SVG_COLS * SVG_CELL, SVG_TOP + i / SVG_COLS * SVG_CELL,
			(j - i) * SVG_CELL, SVG_CELL, class_name(cls, name, sizeof(name)));
		i = j;
	}
}

static void legend_entry(FILE *out, int x, int *y, const char *colour, const char *label,
			 unsigned long frames)
{
	char size[32];

	fprintf(out,
		"<g class=\"legend\"><rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" "
		"fill=\"%s\" stroke=\"#999\" stroke-width=\"0.5\"/><text x=\"%d\" y=\"%d\" "
		"font-size=\"12\">",
		x, *y, colour, x + 22, *y + 11);
	xml_text(out, label);
	fprintf(out, " <tspan fill=\"#666\">%s</tspan></text></g>\n",
		format_size((unsigned long long)frames * PAGE_SIZE, size, sizeof(size)));
	*y += 20;
}

/* Frames of slabs whose cache is not named in the legend, and how many such caches. */
static unsigned long unnamed_slab_frames(const struct physmap *pm, const struct svg *g,
					 unsigned long *nr_caches)
{
	unsigned long frames = pm->kind_pages[PM_SLAB], i;

	for (i = 0; i < g->nr_ranked && i < SVG_TOP_CACHES; i++)
		frames -= pm->caches[g->by_size[i].val].pages;
	*nr_caches = g->nr_ranked > SVG_TOP_CACHES ? g->nr_ranked - SVG_TOP_CACHES : 0;
	return frames;
}

/* The legend's height, to size the picture before drawing it. */
static int svg_legend_height(const struct physmap *pm, const struct svg *g)
{
	unsigned long nr_other, frames = unnamed_slab_frames(pm, g, &nr_other);
	unsigned long named = g->nr_ranked < SVG_TOP_CACHES ? g->nr_ranked : SVG_TOP_CACHES;

	return 22 + 36 + 20 * NR_KIND_LEGEND + 8 + 22 + 20 * (int)(named + (frames ? 1 : 0));
}

/* svg_legend - every colour with its total. */
static void svg_legend(FILE *out, const struct physmap *pm, const struct svg *g)
{
	int x = SVG_LEGEND_X, y = SVG_TOP, k;
	unsigned long i, free_frames = 0, nr_other, other_frames;
	char size[32];

	for (k = 0; k < NR_PAGE_ORDERS; k++)
		free_frames += pm->order_pages[k];
	fprintf(out,
		"<text x=\"%d\" y=\"%d\" font-size=\"13\" font-weight=\"bold\">Owners</text>\n", x,
		y + 10);
	y += 22;
	/* free blocks: a swatch per order, smallest first */
	fprintf(out, "<g class=\"legend\">");
	for (k = 0; k < NR_PAGE_ORDERS; k++)
		fprintf(out,
			"<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" fill=\"%s\" "
			"stroke=\"#999\" stroke-width=\"0.5\"/>",
			x + k * 16, y, free_colours[k]);
	fprintf(out,
		"<text x=\"%d\" y=\"%d\" font-size=\"10\" fill=\"#666\">order 0</text>"
		"<text x=\"%d\" y=\"%d\" font-size=\"10\" fill=\"#666\" text-anchor=\"end\">10"
		"</text><text x=\"%d\" y=\"%d\" font-size=\"12\">free buddy blocks <tspan "
		"fill=\"#666\">%s</tspan></text></g>\n",
		x, y + 26, x + NR_PAGE_ORDERS * 16 - 2, y + 26, x + NR_PAGE_ORDERS * 16 + 6, y + 11,
		format_size((unsigned long long)free_frames * PAGE_SIZE, size, sizeof(size)));
	y += 36;
	for (k = 0; k < NR_KIND_LEGEND; k++)
		legend_entry(out, x, &y, kind_legend[k].colour, kind_legend[k].label,
			     pm->kind_pages[kind_legend[k].kind]);
	y += 8;
	fprintf(out,
		"<text x=\"%d\" y=\"%d\" font-size=\"13\" font-weight=\"bold\">Slab caches, "
		"biggest "
		"first <tspan font-weight=\"normal\" fill=\"#666\">%s in all</tspan></text>\n",
		x, y + 10,
		format_size((unsigned long long)pm->kind_pages[PM_SLAB] * PAGE_SIZE, size,
			    sizeof(size)));
	y += 22;
	for (i = 0; i < g->nr_ranked && i < SVG_TOP_CACHES; i++) {
		const struct pm_cache *c = &pm->caches[g->by_size[i].val];

		legend_entry(out, x, &y, slab_colours[i], c->name, c->pages);
	}
	other_frames = unnamed_slab_frames(pm, g, &nr_other);
	if (other_frames) {
		char label[64];

		snprintf(label, sizeof(label), "%lu other cache%s", nr_other,
			 nr_other == 1 ? "" : "s");
		legend_entry(out, x, &y, SVG_SLAB_OTHER_COLOUR, label, other_frames);
	}
}

static void svg_style(FILE *out)
{
	int k;

	fprintf(out, "<style>");
	for (k = 0; k < NR_PAGE_ORDERS; k++)
		fprintf(out, ".f%d{fill:%s}", k, free_colours[k]);
	for (k = 0; k < NR_KIND_LEGEND; k++)
		fprintf(out, ".%s{fill:%s}", kind_legend[k].cls, kind_legend[k].colour);
	for (k = 0; k < SVG_TOP_CACHES; k++)
		fprintf(out, ".s%d{fill:%s}", k, slab_colours[k]);
	fprintf(out, ".sx{fill:%s}</style>\n", SVG_SLAB_OTHER_COLOUR);
}

/* rank_caches - the caches with frames, biggest first, and each cache's place. */
static void rank_caches(const struct physmap *pm, struct svg *g)
{
	unsigned long i;

	g->nr_ranked = 0;
	for (i = 0; i < pm->nr_caches; i++) {
		g->rank[i] = PM_NONE;
		if (!pm->caches[i].pages)
			continue;
		/* biggest first: the complement of the size sorts ascending */
		g->by_size[g->nr_ranked].key = ~pm->caches[i].pages;
		g->by_size[g->nr_ranked].val = i;
		g->nr_ranked++;
	}
	pm_sort(g->by_size, g->nr_ranked);
	for (i = 0; i < g->nr_ranked; i++)
		g->rank[g->by_size[i].val] = i;
}

static void render_svg(FILE *out, const struct physmap *pm, const struct svg *g)
{
	unsigned long rows = (g->nr_cells + SVG_COLS - 1) / SVG_COLS;
	int height = SVG_TOP + (int)rows * SVG_CELL, legend = SVG_TOP + svg_legend_height(pm, g);

	if (legend > height)
		height = legend;
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(out,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Helvetica, Arial, "
		"sans-serif\">\n",
		SVG_WIDTH, height + 24, SVG_WIDTH, height + 24);
	svg_style(out);
	fprintf(out, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", SVG_WIDTH,
		height + 24);
	svg_title(out, g);
	svg_ticks(out, g, rows);
	svg_cells(out, g);
	svg_zones(out, g);
	svg_legend(out, pm, g);
	fprintf(out, "</svg>\n");
}

/*
 * physmap_svg - the picture into @out.  Return: 0, -ENOMEM if scratch memory
 * cannot be mapped, -EIO if @out reports an error.
 */
static int physmap_svg(FILE *out)
{
	struct physmap pm;
	struct svg g = {.per_cell = 1};
	size_t cells_bytes;
	int ret = 0;

	if (physmap_snapshot(&pm))
		return -ENOMEM;
	while (kmm_max_pfn / g.per_cell > SVG_MAX_CELLS)
		g.per_cell *= 2;
	g.nr_cells = (kmm_max_pfn + g.per_cell - 1) / g.per_cell;
	cells_bytes = (g.nr_cells * sizeof(uint32_t) + 7) & ~7UL;
	g.cells_len = PAGE_ALIGN(cells_bytes +
				 pm.nr_caches * (sizeof(struct pm_pair) + sizeof(unsigned long)));
	g.cells =
		mmap(NULL, g.cells_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g.cells == MAP_FAILED) {
		physmap_release(&pm);
		return -ENOMEM;
	}
	g.by_size = (struct pm_pair *)((char *)g.cells + cells_bytes);
	g.rank = (unsigned long *)(g.by_size + pm.nr_caches);
	memset(g.cells, 0xff, g.nr_cells * sizeof(uint32_t));
	pm.emit = emit_cells;
	pm.arg = &g;
	physmap_walk(&pm);
	finish_cell(&g);
	rank_caches(&pm, &g);
	render_svg(out, &pm, &g);
	if (fflush(out) || ferror(out))
		ret = -EIO;
	munmap(g.cells, g.cells_len);
	physmap_release(&pm);
	return ret;
}

void show_physmap_svg(FILE *out)
{
	int ret = physmap_svg(out);

	if (ret == -ENOMEM)
		fprintf(out, "<!-- physmap.svg: no memory for the walk -->\n");
}

int kmm_physmap_svg(FILE *out)
{
	if (!out)
		return -EINVAL;
	if (!kmm_booted() && kmm_boot_default() != 0)
		return -ENODEV;
	return physmap_svg(out);
}
