/* SPDX-License-Identifier: MIT */
/*
 * stat/physmap.c - who owns each page frame: the walk of the memmap and the
 * "physmap" file (text, one line per run of frames with one owner).  The
 * picture of physical memory (kmm_physmap_svg(), also the "physmap.svg"
 * file) is physmap_svg.c's, drawn from the same walk (physmap.h), so the
 * kmmstat tool and a program draw the same picture.
 *
 * The walk goes node by node, zone by zone, in chunks of MAX_ORDER_NR_PAGES
 * aligned frames (no buddy block crosses a chunk) and names the owner of
 * each frame from its struct page:
 *   free          a PageBuddy head: the block of 2^private frames, by order;
 *   free uninit   a memmap chunk whose struct pages are not initialised yet: its
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
 * Locking: racy but safe.  Each chunk is read under its zone->lock (held for
 * at most MAX_ORDER_NR_PAGES struct pages), so free
 * blocks and the memmap_ready bits are exact; per-CPU lists, slab, table
 * and vmalloc marks change without that lock and are read as they are at
 * that moment, as the kernel's /proc/kpageflags reads them.  Nothing read
 * from a struct page is dereferenced but a compound head, checked first to
 * lie in the memmap: caches are recognised by comparing page->mapping with a
 * snapshot of the cache list that slab takes under slab_mutex
 * (slab_caches_snapshot(), names copied), vmalloc pages by a snapshot of the
 * areas' pages[] that vmalloc takes under vmap_area_lock
 * (vmap_pages_snapshot()); this file touches neither list nor lock itself.
 * The order of the locks: slab_mutex, then vmap_area_lock (each taken and
 * dropped by its owner), then zone->lock, never two at once.  Caches or
 * areas made after the snapshots show as alloc_pages.  No lock is held while printing, and nothing here allocates
 * from libkmm or the C library: scratch memory is mmap()ed, because the
 * kmmstat server walks too and must never become a CPU.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include <kmm/kmm.h>
#include "boot/machine.h"
#include "buddy/internal.h"
#include "slab/slab.h"
#include "stat/physmap.h"
#include "stat/stat.h"
#include "vmalloc/vmalloc.h"

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

void pm_sort(struct pm_pair *p, unsigned long n)
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

/*
 * physmap_snapshot - count the caches and the vmalloc areas' pages, map
 * scratch memory for them and a margin, then have slab and vmalloc copy them
 * in (at most what was mapped: what appears in between shows as alloc_pages),
 * and sort them for the walk's lookups.
 */
int physmap_snapshot(struct physmap *pm)
{
	unsigned long nr_caches, nr_vm, i;
	struct vmap_page_snapshot *vm_snap;
	size_t len;
	char *p;

	nr_caches = slab_caches_snapshot(NULL, 0) + 16;
	nr_vm = vmap_pages_snapshot(NULL, 0) + 1024;
	len = nr_caches * (sizeof(struct kmem_cache_snapshot) + sizeof(unsigned long) +
			   sizeof(struct pm_pair)) +
	      nr_vm * (sizeof(struct vmap_page_snapshot) + sizeof(struct pm_pair)) +
	      MAX_ORDER_NR_PAGES * sizeof(struct pm_run);
	len = PAGE_ALIGN(len);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -ENOMEM;
	memset(pm, 0, sizeof(*pm));
	pm->scratch = p;
	pm->scratch_len = len;
	pm->chunk_runs = (struct pm_run *)p;
	p += MAX_ORDER_NR_PAGES * sizeof(struct pm_run);
	pm->caches = (struct kmem_cache_snapshot *)p;
	p += nr_caches * sizeof(struct kmem_cache_snapshot);
	pm->cache_pages = (unsigned long *)p;
	p += nr_caches * sizeof(unsigned long);
	pm->cache_by_ptr = (struct pm_pair *)p;
	p += nr_caches * sizeof(struct pm_pair);
	pm->vm_pages = (struct pm_pair *)p;
	p += nr_vm * sizeof(struct pm_pair);
	vm_snap = (struct vmap_page_snapshot *)p;

	pm->nr_caches = slab_caches_snapshot(pm->caches, nr_caches);
	if (pm->nr_caches > nr_caches)
		pm->nr_caches = nr_caches;
	for (i = 0; i < pm->nr_caches; i++) {
		pm->cache_by_ptr[i].key = (unsigned long)pm->caches[i].cachep;
		pm->cache_by_ptr[i].val = i;
	}
	pm_sort(pm->cache_by_ptr, pm->nr_caches);

	pm->nr_vm_pages = vmap_pages_snapshot(vm_snap, nr_vm);
	if (pm->nr_vm_pages > nr_vm)
		pm->nr_vm_pages = nr_vm;
	for (i = 0; i < pm->nr_vm_pages; i++) {
		pm->vm_pages[i].key = vm_snap[i].pfn;
		pm->vm_pages[i].val = vm_snap[i].addr | vm_snap[i].vmap;
	}
	pm_sort(pm->vm_pages, pm->nr_vm_pages);
	return 0;
}

void physmap_release(struct physmap *pm)
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

	if (!memmap_chunk_ready(zone, pfn)) {
		unsigned long next, chunk_end = (pfn | (PAGES_PER_MEMMAP_CHUNK - 1)) + 1;

		r = reserved_range(pfn, &next);
		owner->kind = r >= 0 ? PM_RESERVED : PM_UNINIT;
		owner->detail = r >= 0 ? (unsigned long)r : 0;
		n = next < chunk_end ? next - pfn : chunk_end - pfn;
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
		pm->cache_pages[run->owner.detail] += run->nr;
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
	unsigned long pfn, n, nr_runs = 0, i;

	kmm_lock(&zone->lock);
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
	kmm_unlock(&zone->lock);
	for (i = 0; i < nr_runs; i++)
		add_run(pm, zone, &runs[i]);
}

void physmap_walk(struct physmap *pm)
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

const char *format_size(unsigned long long bytes, char *buf, size_t len)
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
