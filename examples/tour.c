/* SPDX-License-Identifier: MIT */
/*
 * tour.c - a guided tour of libkmm: boot a small machine and look inside it,
 * step by step, the way a teacher of the kernel's memory management would
 * show the allocators at work.
 *
 * Each step has a numbered heading, a few lines on what the kernel does and
 * what to look for, then what the machine says: values read from struct page
 * and struct zone, and excerpts of its /proc files (printed by kmm_show() into
 * a memory stream and filtered to the lines that matter, with the grep that
 * gives the same lines on a real machine).  The steps:
 *   1. boot            mem=64M highmem=16M: DMA, DMA32, an empty Normal, HighMem
 *   2. zones           watermarks and lowmem_reserve; which zone each GFP mask gets
 *   3. buddy           a block split in halves, then coalesced back (buddyinfo)
 *   4. slab cache      kmem_cache_create() with a constructor, slabinfo, shrink
 *   5. kmalloc         which kmalloc-N cache serves a size; ksize; kmalloc_large
 *   6. vmalloc, vmap   vmallocinfo; a page-table walk; two aliases of one frame
 *   7. highmem         kmap() and kmap_local_page() of a page with no address
 *   8. RCU             kfree_rcu() waits for a reader; SLAB_TYPESAFE_BY_RCU
 *   9. meminfo         the whole machine at the end
 *  10. physmap        who owns each page frame, as text and as an SVG picture
 *
 * Output: virtual addresses change from run to run (the machine lives
 * wherever mmap() puts it), so the tour prints them as offsets from the base
 * of their area (PAGE_OFFSET, VMALLOC_START, PKMAP_BASE); only vmallocinfo's
 * own lines show them raw.  Physical addresses, pfns and counts are the same
 * on every run, and the ctest "tour" checks the lines that matter: they are
 * listed in examples/tour.expect, checked by examples/expect.sh.
 *
 * Run it with `sh scripts/tour` (or build the target "tour").
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <urcu.h>

#include <kmm/kmm.h>

static void step(const char *title, const char *text)
{
	printf("\n== %s ==\n%s\n\n", title, text);
}

/* shown - the text of /proc/@file, to free(); NULL without memory. */
static char *shown(const char *file)
{
	char *text = NULL;
	size_t len;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	kmm_show(file, f);
	fclose(f);
	return text;
}

/*
 * grep_lines - print the lines of /proc/@file that start, after any leading
 * blanks, with one of the @n @needles.
 */
static void grep_lines(const char *file, const char *const *needles, size_t n)
{
	char *text = shown(file), *line, *save;
	size_t i;

	if (!text)
		return;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *start = line + strspn(line, " ");

		for (i = 0; i < n; i++) {
			if (strncmp(start, needles[i], strlen(needles[i])) == 0) {
				printf("%s\n", line);
				break;
			}
		}
	}
	free(text);
}

/*
 * excerpt - grep_lines() of the NULL-terminated needles, under the grep
 * command that prints the same lines on a real machine.
 */
static void excerpt(const char *file, ...)
{
	const char *needles[16], *sep = "";
	size_t n = 0, i;
	va_list ap;

	va_start(ap, file);
	while (n < 16 && (needles[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	printf("$ grep -E '^ *(");
	for (i = 0; i < n; i++, sep = "|")
		printf("%s%s", sep, needles[i]);
	printf(")' /proc/%s\n", file);
	grep_lines(file, needles, n);
}

/* slab_num_objs - slabinfo's <num_objs> of cache @name (0 if it is not there). */
static unsigned long slab_num_objs(const char *name)
{
	unsigned long active, total = 0;
	char *text = shown("slabinfo"), *line, *save, cache[64];

	if (!text)
		return 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "%63s %lu %lu", cache, &active, &total) == 3 &&
		    strcmp(cache, name) == 0)
			break;
	free(text);
	return line ? total : 0;
}

/*
 * highmem_max_order_blocks - the free order-10 blocks of node 0's HighMem
 * zone, by buddyinfo (which counts the blocks whose struct pages are not
 * initialised yet too), or 0.
 */
static unsigned long highmem_max_order_blocks(void)
{
	unsigned long n[NR_PAGE_ORDERS] = {0};
	char *text = shown("buddyinfo"), *line;

	if (!text)
		return 0;
	line = strstr(text, "zone  HighMem");
	if (line)
		sscanf(line, "zone HighMem %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu", &n[0],
		       &n[1], &n[2], &n[3], &n[4], &n[5], &n[6], &n[7], &n[8], &n[9], &n[10]);
	free(text);
	return n[MAX_PAGE_ORDER];
}

/*
 * walk - walk the kernel page table down to the pte of @addr, as the MMU
 * would, printing the entry at each level (with !@upper, only the pte's);
 * returns the pte's pfn (0 if none).
 */
static unsigned long walk(const char *what, const void *addr, bool upper)
{
	unsigned long a = (unsigned long)addr;
	pgd_t *pgd = pgd_offset_k(a);
	p4d_t *p4d = p4d_offset(pgd, a);
	pud_t *pud;
	pmd_t *pmd;
	pte_t pte;

	printf("page-table walk of %s:\n", what);
	if (p4d_none(p4dp_get(p4d)))
		return 0;
	if (upper)
		printf("  pgd[%3lu] = %#018lx  -> pud table at phys %#lx\n", pgd_index(a),
		       pgd_val(pgdp_get(pgd)), p4d_val(p4dp_get(p4d)) & PTE_PFN_MASK);
	pud = pud_offset(p4d, a);
	if (pud_none(pudp_get(pud)))
		return 0;
	if (upper)
		printf("  pud[%3lu] = %#018lx  -> pmd table at phys %#lx\n", pud_index(a),
		       pud_val(pudp_get(pud)), pud_val(pudp_get(pud)) & PTE_PFN_MASK);
	pmd = pmd_offset(pud, a);
	if (pmd_none(pmdp_get(pmd)) || pmd_leaf(pmdp_get(pmd)))
		return 0;
	if (upper)
		printf("  pmd[%3lu] = %#018lx  -> pte table at phys %#lx\n", pmd_index(a),
		       pmd_val(pmdp_get(pmd)), pmd_val(pmdp_get(pmd)) & PTE_PFN_MASK);
	pte = ptep_get(pte_offset_kernel(pmd, a));
	printf("  pte[%3lu] = %#018lx  -> pfn %#lx%s%s%s\n", pte_index(a), pte_val(pte),
	       pte_pfn(pte), pte_present(pte) ? ", present" : "", pte_write(pte) ? ", RW" : "",
	       pte_exec(pte) ? "" : ", NX");
	return pte_present(pte) ? pte_pfn(pte) : 0;
}

/* show_highmem_buddies - HighMem's line of buddyinfo, after a line saying when. */
static void show_highmem_buddies(const char *when)
{
	static const char *const highmem = "Node 0, zone  HighMem";

	printf("%s:\n", when);
	grep_lines("buddyinfo", &highmem, 1);
}

/* A reader thread that sits inside rcu_read_lock() until told to leave. */
struct rcu_reader {
	pthread_t thread;
	sem_t inside, leave;
};

static void *rcu_reader_main(void *arg)
{
	struct rcu_reader *r = arg;

	rcu_register_thread();
	rcu_read_lock();
	sem_post(&r->inside);
	sem_wait(&r->leave);
	rcu_read_unlock();
	rcu_unregister_thread();
	return NULL;
}

static void rcu_reader_enter(struct rcu_reader *r)
{
	sem_init(&r->inside, 0, 0);
	sem_init(&r->leave, 0, 0);
	if (pthread_create(&r->thread, NULL, rcu_reader_main, r) != 0) {
		perror("pthread_create");
		exit(1);
	}
	sem_wait(&r->inside);
}

static void rcu_reader_leave(struct rcu_reader *r)
{
	sem_post(&r->leave);
	pthread_join(r->thread, NULL);
	sem_destroy(&r->inside);
	sem_destroy(&r->leave);
}

static void step_boot(void)
{
	step("1. Boot",
	     "kmm_init() boots an emulated machine from a kernel command line.  Its\n"
	     "physical memory is one memfd; the lowmem part is mapped once at PAGE_OFFSET\n"
	     "(the direct map), so a page's address is PAGE_OFFSET + its physical address.\n"
	     "highmem=16M makes the top 16 MiB a HighMem zone, outside the direct map, as\n"
	     "on a 32-bit kernel.  One struct page per 4 KiB frame (the memmap) sits in\n"
	     "reserved memory at the top of lowmem.  Look at MemTotal against LowTotal +\n"
	     "HighTotal, and at max_low_pfn: the first frame the direct map does not cover.");
	printf("kmm_init(\"mem=64M highmem=16M\"): %lu pages managed, %lu free\n", totalram_pages(),
	       nr_free_pages());
	printf("lowmem: pfn 0..%#lx (%lu MiB), highmem: pfn %#lx..%#lx\n", kmm_max_low_pfn - 1,
	       kmm_max_low_pfn >> (20 - PAGE_SHIFT), kmm_max_low_pfn,
	       kmm_max_low_pfn + totalhigh_pages() - 1);
	printf("__va(0x100000) = PAGE_OFFSET + 0x%lx, __pa() of it = %#llx\n",
	       (unsigned long)__va(0x100000) - PAGE_OFFSET,
	       (unsigned long long)__pa(__va(0x100000)));
	excerpt("meminfo", "MemTotal", "MemFree", "HighTotal", "LowTotal", NULL);
}

static void step_zones(void)
{
	static const struct {
		const char *name;
		gfp_t gfp;
	} masks[] = {
		{"GFP_DMA", GFP_DMA},
		{"GFP_DMA32", GFP_DMA32},
		{"GFP_KERNEL", GFP_KERNEL},
		{"GFP_HIGHUSER", GFP_HIGHUSER},
	};
	size_t i;

	step("2. Zones and watermarks",
	     "Each zone's share of min_free_kbytes is its min watermark; low and high\n"
	     "sit above.  Below low, kswapd wakes; below min, only GFP_ATOMIC and other\n"
	     "high-priority requests go on.  'protection' is lowmem_reserve: what a\n"
	     "request that could have used a higher zone must leave in this one.\n"
	     "Normal is empty: all lowmem is below 4 GiB.  A GFP mask names the highest\n"
	     "zone it may use, the allocator falls back down from there.  A freed page\n"
	     "goes to the CPU's list first (GFP_KERNEL gets the page GFP_DMA32 freed).");
	excerpt("zoneinfo", "Node", "pages free", "min ", "low ", "high ", "protection", NULL);
	for (i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		struct page *page = alloc_page(masks[i].gfp);

		printf("alloc_page(%-12s): zone %-7s pfn %#06lx, phys %#09llx\n", masks[i].name,
		       page_zone(page)->name, page_to_pfn(page),
		       (unsigned long long)page_to_phys(page));
		__free_page(page);
	}
	kmm_drain_all();
}

static void step_buddy(void)
{
	unsigned long order10 = highmem_max_order_blocks();
	struct page *a, *b;

	step("3. The buddy allocator: splitting and coalescing",
	     "A zone keeps free blocks of 2^order pages, order 0 to 10 (4 MiB); buddyinfo\n"
	     "counts them by order (columns 0..10).  HighMem holds nothing: four\n"
	     "order-10 blocks.  An order-4 request (16 pages) splits an order-10 block in\n"
	     "halves down to order 4, keeping one free half at each order 4..9.  A second\n"
	     "order-4 request takes the spare half: the buddy of the first, whose pfn\n"
	     "differs in bit 4 only.  Freeing both merges each block with its free buddy,\n"
	     "order by order, back to order 10.  (Orders 0..3 pass through per-CPU\n"
	     "lists, which take and give back pages in batches: buddyinfo sees those.)");
	printf("$ grep HighMem /proc/buddyinfo, before and after each call:\n");
	show_highmem_buddies("before");
	a = alloc_pages(GFP_HIGHUSER, 4);
	show_highmem_buddies("alloc_pages(GFP_HIGHUSER, 4): split 10 -> 9+9 -> ... -> 4+4");
	b = alloc_pages(GFP_HIGHUSER, 4);
	show_highmem_buddies("a second order-4 block: the spare half, no split");
	printf("first block pfn %#lx, second pfn %#lx: buddies (pfn ^ 1<<4) %s\n", page_to_pfn(a),
	       page_to_pfn(b), (page_to_pfn(a) ^ (1UL << 4)) == page_to_pfn(b) ? "yes" : "no");
	__free_pages(a, 4);
	show_highmem_buddies("free the first: its buddy is in use, it stays order 4");
	__free_pages(b, 4);
	show_highmem_buddies("free the second: 4+4 -> 5, 5+5 -> 6, ... -> 10");
	printf("coalesced: HighMem has %lu free order-10 blocks, as at boot (%lu)\n",
	       highmem_max_order_blocks(), order10);
}

/* The constructor of the tour's cache: runs once per object, when its slab is made. */
static unsigned long tour_object_ctors;

static void tour_object_ctor(void *obj)
{
	memset(obj, 0, 200);
	tour_object_ctors++;
}

static void step_slab(void)
{
	struct kmem_cache *cache;
	void *objs[100];
	int i;

	step("4. A slab cache",
	     "kmem_cache_create() makes a cache of one object size.  It carves slabs\n"
	     "(pages from the buddy allocator) into objects; here 200-byte objects,\n"
	     "aligned to 64-byte cache lines, so 256 bytes apart.  The constructor runs\n"
	     "on each object when its slab is made, not at each allocation.  Each CPU\n"
	     "(thread) keeps an array of free objects (the tunables: limit, batchcount),\n"
	     "so kmem_cache_alloc() is a pop and kmem_cache_free() a push; objects in\n"
	     "the arrays count as active in slabinfo.  kmem_cache_shrink() drains the\n"
	     "arrays and gives the free slabs back to the buddy allocator.");
	cache = kmem_cache_create("tour_object", 200, 0, SLAB_HWCACHE_ALIGN, tour_object_ctor);
	excerpt("slabinfo", "# name", "tour_object", NULL);
	for (i = 0; i < 100; i++)
		objs[i] = kmem_cache_alloc(cache, GFP_KERNEL);
	printf("after 100 kmem_cache_alloc():\n");
	excerpt("slabinfo", "tour_object", NULL);
	printf("the constructor ran %lu times: for every object of the slabs made (slabinfo's\n"
	       "<num_objs>: %s), not for each of the 100 allocations\n",
	       tour_object_ctors, tour_object_ctors == slab_num_objs("tour_object") ? "yes" : "no");
	printf("virt_to_page(obj)->mapping == the cache: %s (how kfree() finds it)\n",
	       virt_to_page(objs[0])->mapping == (void *)cache ? "yes" : "no");
	for (i = 0; i < 100; i++)
		kmem_cache_free(cache, objs[i]);
	printf("after freeing them all (many wait in the CPU's array, still 'active'):\n");
	excerpt("slabinfo", "tour_object", NULL);
	printf("kmem_cache_shrink() = %d (0: nothing left in use)\n", kmem_cache_shrink(cache));
	excerpt("slabinfo", "tour_object", NULL);
	kmem_cache_destroy(cache);
}

static void step_kmalloc(void)
{
	static const size_t sizes[] = {8,   13,	 64,   72,   96,   100,	 150,
				       192, 193, 1000, 5000, 8192, 8193, 20000};
	void *p[sizeof(sizes) / sizeof(sizes[0])];
	size_t i;

	step("5. kmalloc",
	     "kmalloc() serves sizes from general caches made at boot, kmalloc-8 to\n"
	     "kmalloc-8k: powers of two, plus kmalloc-96 and kmalloc-192 so that 65..96\n"
	     "and 129..192 bytes do not waste a third.  Up to 192 bytes the kernel's\n"
	     "size-index table picks the cache, above it fls(size - 1).  ksize() says\n"
	     "what the object really holds.  Beyond the biggest class (8 KiB) kmalloc()\n"
	     "takes a compound page from the buddy allocator (kmalloc_large), and\n"
	     "kfree() tells which from struct page.");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct page *head;

		p[i] = kmalloc(sizes[i], GFP_KERNEL);
		head = compound_head(virt_to_page(p[i]));
		if (PageSlab(head))
			printf("kmalloc(%5zu) -> %-14s ksize %5zu\n", sizes[i],
			       kmem_cache_name(virt_to_page(p[i])->mapping), ksize(p[i]));
		else
			printf("kmalloc(%5zu) -> %-14s ksize %5zu: an order-%u compound page\n",
			       sizes[i], "kmalloc_large", ksize(p[i]), compound_order(head));
	}
	printf("holding those, the two odd-sized caches (active counts the objects\n"
	       "a refill brought into this CPU's array too):\n");
	excerpt("slabinfo", "# name", "kmalloc-96 ", "kmalloc-192 ", NULL);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		kfree(p[i]);
}

static void step_vmalloc(void)
{
	struct page *pages[4];
	char *v, *m, *direct;
	unsigned long pfn;
	int i;

	step("6. vmalloc and vmap",
	     "vmalloc() finds a free range of the vmalloc area, takes pages from\n"
	     "anywhere (HighMem first: it maps them itself) and writes page-table\n"
	     "entries; vmap() maps pages the caller has.  A walk goes pgd -> pud -> pmd\n"
	     "-> pte, each entry the next table's physical address plus flags (0x63:\n"
	     "present, RW, accessed, dirty).  The table is real: every present pte is\n"
	     "mirrored by a mapping of its frame, so the vmap address and the direct map\n"
	     "are two aliases of the same bytes.  vmallocinfo lists the areas: size\n"
	     "(with a guard page), caller, pages, kind.");
	v = vmalloc(16 * PAGE_SIZE);
	printf("vmalloc(64 KiB) = VMALLOC_START + 0x%lx\n", (unsigned long)v - VMALLOC_START);
	pfn = walk("vmalloc + 3 pages", v + 3 * PAGE_SIZE, true);
	printf("vmalloc_to_pfn() agrees: %s; that page is in zone %s (no direct-map alias)\n",
	       pfn == vmalloc_to_pfn(v + 3 * PAGE_SIZE) ? "yes" : "no",
	       page_zone(vmalloc_to_page(v + 3 * PAGE_SIZE))->name);

	for (i = 0; i < 4; i++)
		pages[i] = alloc_page(GFP_KERNEL);
	m = vmap(pages, 4, VM_MAP, PAGE_KERNEL);
	printf("\nvmap() of 4 lowmem pages = VMALLOC_START + 0x%lx\n",
	       (unsigned long)m - VMALLOC_START);
	pfn = walk("vmap + 2 pages (the upper tables are the same)", m + 2 * PAGE_SIZE, false);
	direct = page_address(pages[2]);
	printf("the pte maps pages[2] (pfn %#lx): %s; its direct-map address: PAGE_OFFSET + "
	       "0x%lx\n",
	       page_to_pfn(pages[2]), pfn == page_to_pfn(pages[2]) ? "yes" : "no",
	       (unsigned long)direct - PAGE_OFFSET);
	strcpy(m + 2 * PAGE_SIZE, "written through vmap");
	printf("write through vmap, read through the direct map: \"%s\"\n", direct);
	strcpy(direct + 100, "written through the direct map");
	printf("write through the direct map, read through vmap: \"%s\"\n",
	       m + 2 * PAGE_SIZE + 100);
	printf("alias read matches: %s\n",
	       strcmp(direct, "written through vmap") == 0 &&
			       strcmp(m + 2 * PAGE_SIZE + 100, "written through the direct map") ==
				       0
		       ? "yes"
		       : "no");
	excerpt("vmallocinfo", "0x", NULL);
	excerpt("meminfo", "VmallocUsed", NULL);
	vunmap(m);
	for (i = 0; i < 4; i++)
		__free_page(pages[i]);
	vfree(v);
}

static void step_highmem(void)
{
	struct page *page = alloc_page(GFP_HIGHUSER);
	char *k, *l;

	step("7. Highmem: kmap and kmap_local_page",
	     "A HighMem page has a struct page and a frame but no address: the direct\n"
	     "map stops at max_low_pfn, so page_address() is NULL.  kmap() borrows one of\n"
	     "the 512 PKMAP entries of the page table (shared by all threads, may sleep);\n"
	     "kmap_local_page() a slot of the calling thread's own (never sleeps, LIFO).\n"
	     "Both write a pte; the bytes are the page's whichever way they are reached.");
	printf("alloc_page(GFP_HIGHUSER) = pfn %#lx (max_low_pfn %#lx), zone %s\n",
	       page_to_pfn(page), kmm_max_low_pfn, page_zone(page)->name);
	printf("page_address() = %s\n", page_address(page) ? "an address" : "NULL");
	k = kmap(page);
	printf("kmap() = PKMAP_BASE + 0x%lx (PKMAP entry %lu); page_address() now the same: %s\n",
	       (unsigned long)k - PKMAP_BASE, PKMAP_NR(k), page_address(page) == k ? "yes" : "no");
	printf("the kmap pte maps the page: %s\n",
	       walk("the kmap address", k, true) == page_to_pfn(page) ? "yes" : "no");
	strcpy(k, "written through kmap");
	kunmap(page);
	l = kmap_local_page(page);
	printf("kmap_local_page() = slot address kmap_local_base + 0x%lx, reads \"%s\"\n",
	       (unsigned long)l - kmm_kmap_local_base, l);
	kunmap_local(l);
	excerpt("meminfo", "HighTotal", "HighFree", "LowTotal", "LowFree", NULL);
	__free_page(page);
}

/* An object freed with kfree_rcu(): the rcu_head carries the deferred free. */
struct tour_rcu_obj {
	unsigned long value;
	struct rcu_head rcu;
};

static void step_rcu(void)
{
	struct rcu_reader reader;
	struct kmem_cache *cache;
	struct tour_rcu_obj *obj;
	void *first, *again;

	step("8. RCU-deferred frees",
	     "Under RCU, readers take no lock: rcu_read_lock() marks a section in which\n"
	     "an object they found stays valid.  A writer unpublishes the object, then\n"
	     "kfree_rcu() (or call_rcu()) frees it only after a grace period: once every\n"
	     "reader section running then has ended.  Below, a reader thread sits in\n"
	     "rcu_read_lock() while an object is kfree_rcu()ed: the object stays in use,\n"
	     "however the cache is shrunk, until the reader leaves.\n"
	     "SLAB_TYPESAFE_BY_RCU goes the other way: an object may be reused at once,\n"
	     "by an object of the same type (readers re-check what they found), but the\n"
	     "slab's pages go back to the buddy allocator only after a grace period.");
	rcu_register_thread();
	cache = KMEM_CACHE(tour_rcu_obj, 0);
	obj = kmem_cache_alloc(cache, GFP_KERNEL);
	obj->value = 42;
	rcu_reader_enter(&reader);
	printf("a reader is inside rcu_read_lock(); kfree_rcu(obj, rcu)\n");
	kfree_rcu(obj, rcu);
	usleep(100 * 1000);
	printf("100 ms later, kmem_cache_shrink() = %d: the object is still allocated\n",
	       kmem_cache_shrink(cache));
	excerpt("slabinfo", "tour_rcu_obj", NULL);
	rcu_reader_leave(&reader);
	rcu_barrier();
	printf("the reader left; after rcu_barrier(), kmem_cache_shrink() = %d: freed\n",
	       kmem_cache_shrink(cache));
	excerpt("slabinfo", "tour_rcu_obj", NULL);
	kmem_cache_destroy(cache);

	cache = kmem_cache_create("tour_typesafe", 256, 0, SLAB_TYPESAFE_BY_RCU, NULL);
	first = kmem_cache_alloc(cache, GFP_KERNEL);
	kmem_cache_free(cache, first);
	again = kmem_cache_alloc(cache, GFP_KERNEL);
	printf("\nSLAB_TYPESAFE_BY_RCU: free an object and allocate again: the same object: %s\n",
	       again == first ? "yes" : "no");
	rcu_reader_enter(&reader);
	kmem_cache_free(cache, again);
	printf("with a reader inside, free it and kmem_cache_shrink() = %d:\n",
	       kmem_cache_shrink(cache));
	excerpt("slabinfo", "tour_typesafe", NULL);
	printf("the slab left the cache, but its page is still a slab page: %s\n",
	       PageSlab(virt_to_page(first)) ? "yes" : "no");
	rcu_reader_leave(&reader);
	rcu_barrier();
	printf("the reader left; after the grace period the page is back in the buddy "
	       "allocator: %s\n",
	       PageSlab(virt_to_page(first)) ? "no" : "yes");
	kmem_cache_destroy(cache);
	rcu_unregister_thread();
}

static void step_meminfo(void)
{
	step("9. meminfo",
	     "The whole machine at the end, with the per-CPU lists drained.  Every\n"
	     "object and page the tour took is back.  The kmalloc caches keep their free\n"
	     "slabs until the periodic reaping (Slab), and the page tables of the\n"
	     "vmalloc area stay once made, as the kernel's do (PageTables).");
	kmm_drain_all();
	printf("$ cat /proc/meminfo\n");
	kmm_show("meminfo", stdout);
}

/* physmap_frames - print the "# frames:" summary line of the physmap report. */
static void physmap_frames(void)
{
	char *text = shown("physmap"), *line;

	line = text ? strstr(text, "# frames:") : NULL;
	if (line)
		printf("%.*s\n", (int)strcspn(line, "\n"), line);
	free(text);
}

static void step_physmap(void)
{
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	void *objs[2000], *area, *large;
	char path[4096];
	FILE *svg;
	int i;

	step("10. A picture of physical memory",
	     "kmm_show(\"physmap\") names the owner of every page frame, a line per run\n"
	     "of frames: a free buddy block and its order, a per-CPU list, reserved\n"
	     "memory, page tables, a slab and its cache, a vmalloc area, kmalloc-large,\n"
	     "other pages.  kmm_physmap_svg() draws the same as a picture, one cell per\n"
	     "frame coloured by owner, with the zones outlined: fragmentation can be\n"
	     "seen.  A running program shows both to `kmmstat <pid> physmap [--svg f]`\n"
	     "when booted with kmmstat=1 (docs/kmmstat.md).  Here, with 2000 kmalloc(256)\n"
	     "objects, a 4 MiB vmalloc area and a kmalloc_large block held:");
	for (i = 0; i < 2000; i++)
		objs[i] = kmalloc(256, GFP_KERNEL);
	area = vmalloc(4 << 20);
	large = kmalloc(64 << 10, GFP_KERNEL);
	printf("$ kmmstat <pid> physmap | tail -1\n");
	physmap_frames();
	snprintf(path, sizeof(path), "%s/tour-physmap.svg", dir);
	svg = fopen(path, "w");
	if (svg && kmm_physmap_svg(svg) == 0)
		printf("kmm_physmap_svg(): the picture is in %s (open it in a browser)\n", path);
	if (svg)
		fclose(svg);
	kfree(large);
	vfree(area);
	for (i = 0; i < 2000; i++)
		kfree(objs[i]);
}

int main(void)
{
	if (kmm_init("mem=64M highmem=16M") != 0)
		return 1;
	step_boot();
	step_zones();
	step_buddy();
	step_slab();
	step_kmalloc();
	step_vmalloc();
	step_highmem();
	step_rcu();
	step_meminfo();
	step_physmap();
	kmm_exit();
	printf("\nkmm_exit(): the machine is gone.  See docs/design.md for how it works.\n");
	return 0;
}
