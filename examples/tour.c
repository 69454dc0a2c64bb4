/* SPDX-License-Identifier: MIT */
/*
 * tour.c - a guided tour of libkmm: boot a small machine and look inside it
 * at each step, the way a teacher would show the kernel's allocators.
 *
 * Run it with `sh scripts/tour`.  Every report printed is the machine's own
 * /proc file, in the kernel's format.
 */
#include <stdio.h>
#include <string.h>

#include <kmm/kmm.h>

static void step(const char *title, const char *text)
{
	printf("\n== %s ==\n%s\n\n", title, text);
}

static void show(const char *file)
{
	printf("$ cat /proc/%s\n", file);
	kmm_show(file, stdout);
}

/* Print the lines of a /proc file that contain @needle. */
static void show_grep(const char *file, const char *needle)
{
	char buf[1 << 16], *line;
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	kmm_show(file, f);
	fclose(f);
	printf("$ grep '%s' /proc/%s\n", needle, file);
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		if (strstr(line, needle))
			printf("%s\n", line);
}

int main(void)
{
	struct page *page, *block, *dma, *comp;
	unsigned long before;

	step("1. Boot", "kmm_init() boots an emulated machine from a kernel command line.  Its\n"
			"physical memory is one memfd, mapped once as the direct map; a struct\n"
			"page per 4 KiB frame lives inside that memory.  128 MiB gives a DMA zone\n"
			"(below 16 MiB) and a DMA32 zone (the rest, below 4 GiB).");
	if (kmm_init("mem=128M") != 0)
		return 1;
	printf("kmm_init(\"mem=128M\"): %lu pages, %lu of them free, PAGE_OFFSET=%#lx\n",
	       totalram_pages(), nr_free_pages(), PAGE_OFFSET);
	show("meminfo");

	step("2. The buddy allocator",
	     "Each zone keeps free blocks of 2^order pages, order 0 to 10 (4 MiB).\n"
	     "buddyinfo counts the free blocks of each order in each zone.  A freshly\n"
	     "booted machine is almost all order-10 blocks; the odd small ones are\n"
	     "around page 0 (reserved, as on a PC) and below the memmap, which boot\n"
	     "reserved at the top of memory.");
	show("buddyinfo");

	step("3. Splitting a block",
	     "alloc_pages(GFP_KERNEL, 3) asks for 8 contiguous pages.  The allocator\n"
	     "takes the smallest free block big enough and splits it in halves, giving\n"
	     "back a buddy at each order on the way down: an order-10 block goes, orders\n"
	     "4..9 gain one.  (Order 3 itself does not: the thread took a batch of two\n"
	     "order-3 blocks for its per-CPU list, see step 4.)");
	block = alloc_pages(GFP_KERNEL, 3);
	printf("order-3 block: pfn %#lx, physical %#llx, virtual %p\n", page_to_pfn(block),
	       (unsigned long long)page_to_phys(block), page_address(block));
	printf("the address arithmetic: __pa(%p) = %#llx, virt_to_page() = pfn %#lx\n",
	       page_address(block), (unsigned long long)__pa(page_address(block)),
	       page_to_pfn(virt_to_page(page_address(block))));
	show("buddyinfo");

	step("4. Per-CPU page lists",
	     "Single pages do not come from the buddy lists one at a time: each thread\n"
	     "(a \"CPU\" here) keeps its own lists, refilled in batches, so alloc_page()\n"
	     "and __free_page() take no lock.  One alloc_page() moved a batch of pages\n"
	     "off the zone, so MemFree dropped by more than one page:");
	before = nr_free_pages();
	page = alloc_page(GFP_KERNEL);
	printf("free pages before: %lu, after one alloc_page(): %lu\n", before, nr_free_pages());
	printf("This thread's per-CPU lists, per zone (zoneinfo's pagesets):\n");
	show_grep("zoneinfo", "count:");
	show_grep("zoneinfo", "batch:");
	__free_page(page);
	__free_pages(block, 3);
	kmm_drain_all();
	printf("after freeing and kmm_drain_all() (drain_all_pages): %lu free, as at boot\n",
	       nr_free_pages());

	step("5. Zones and GFP flags",
	     "GFP_DMA asks for memory an ISA device can reach: below 16 MiB.  GFP_KERNEL\n"
	     "prefers the highest zone and falls back down the zonelist.  __GFP_COMP\n"
	     "makes a compound page: one head, tails pointing to it.");
	dma = alloc_page(GFP_DMA);
	comp = alloc_pages(GFP_KERNEL | __GFP_COMP, 2);
	printf("GFP_DMA page: pfn %#lx in zone %s\n", page_to_pfn(dma), page_zone(dma)->name);
	printf("compound order-2: head pfn %#lx, compound_head(tail 3) = pfn %#lx, order %u\n",
	       page_to_pfn(comp), page_to_pfn(compound_head(comp + 3)), compound_order(comp));
	put_page(comp);
	__free_page(dma);

	step("6. Watermarks",
	     "Each zone keeps min/low/high watermarks derived from min_free_kbytes.\n"
	     "Below low, kswapd is woken; below min only GFP_ATOMIC and other\n"
	     "high-priority requests may allocate.  'protection' is lowmem_reserve.");
	show_grep("zoneinfo", "zone");
	show_grep("zoneinfo", "min ");
	show_grep("zoneinfo", "protection");

	step("7. Migrate types",
	     "Pageblocks (2 MiB) carry a migrate type so that unmovable allocations\n"
	     "cluster together.  The GFP_KERNEL allocations above claimed a pageblock\n"
	     "for Unmovable; the rest are still Movable.");
	show("pagetypeinfo");

	step("8. Bad input never corrupts",
	     "Freeing a page twice is the kernel's \"Bad page state\": reported, the\n"
	     "second free refused, the allocator still consistent.");
	page = alloc_page(GFP_KERNEL);
	__free_page(page);
	fflush(stdout);
	__free_page(page);
	kmm_drain_all();
	printf("free pages afterwards: %lu (unchanged)\n", nr_free_pages());

	step("9. Slab caches",
	     "Small objects come from slab caches.  A cache carves slabs (pages from the\n"
	     "buddy allocator) into objects of one size; the constructor runs when a\n"
	     "slab is made, not on every allocation.  Each thread keeps an array of\n"
	     "free objects, so kmem_cache_alloc() is a pop and kmem_cache_free() a push.\n"
	     "slabinfo shows the cache: 62 objects per one-page slab, the 1000 we hold\n"
	     "plus what the last refill left in this thread's array, and the per-CPU\n"
	     "array limits (tunables) SLAB picks for 64-byte objects.");
	{
		struct kmem_cache *cache;
		void *objs[1000];
		int i;

		cache = kmem_cache_create("tour_object", 64, 0, SLAB_HWCACHE_ALIGN, NULL);
		for (i = 0; i < 1000; i++)
			objs[i] = kmem_cache_alloc(cache, GFP_KERNEL);
		show_grep("slabinfo", "# name");
		show_grep("slabinfo", "tour_object");
		printf("virt_to_page(obj)->mapping == cache: %s (the free path finds the cache\n"
		       "from struct page, with no search)\n",
		       virt_to_page(objs[0])->mapping == (void *)cache ? "yes" : "no");
		for (i = 0; i < 1000; i++)
			kmem_cache_free(cache, objs[i]);
		printf("\nAll freed: objects parked in this thread's array (up to its limit) and\n"
		       "in the node's shared array (sharedavail) still count as active, as in\n"
		       "the kernel, until they flow back to their slabs.\n");
		show_grep("slabinfo", "tour_object");
		show_grep("meminfo", "Slab");
		kmem_cache_destroy(cache);
		printf("kmem_cache_destroy(): every page back, nothing reported.\n");
	}

	step("10. kmalloc",
	     "kmalloc() is slab caches too: boot made one general cache per size class\n"
	     "(8 bytes to 8 KiB, plus 96 and 192), named as the kernel names them.  A\n"
	     "size finds its class through the kernel's size-index table (up to 192\n"
	     "bytes) or fls(size - 1); ksize() says how much the object really holds.\n"
	     "Above 8 KiB, kmalloc() takes compound pages straight from the buddy\n"
	     "allocator.  kfree() finds which, and which cache, from struct page.");
	{
		static const size_t sizes[] = {1, 8, 9, 72, 100, 192, 193, 3000, 5000, 20000};
		void *p[sizeof(sizes) / sizeof(sizes[0])];
		size_t i;

		show_grep("slabinfo", "kmalloc-96 ");
		show_grep("slabinfo", "kmalloc-8k");
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			p[i] = kmalloc(sizes[i], GFP_KERNEL);
			printf("kmalloc(%5zu): ksize %5zu, %s\n", sizes[i], ksize(p[i]),
			       PageSlab(compound_head(virt_to_page(p[i])))
				       ? kmem_cache_name(virt_to_page(p[i])->mapping)
				       : "pages from the buddy allocator");
		}
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
			kfree(p[i]);
	}

	step("11. vmalloc",
	     "vmalloc() gives memory that is contiguous in the vmalloc area but made of\n"
	     "pages from anywhere: it takes pages from the buddy allocator, finds a free\n"
	     "range, and writes page-table entries.  Here the entries are real: each is\n"
	     "mirrored by a mapping of the same physical page, so the bytes written at\n"
	     "the vmalloc address are the bytes at the page's direct-map address.");
	{
		char *v = vmalloc(1 << 20);
		char *direct = page_address(vmalloc_to_page(v + 5 * PAGE_SIZE));

		strcpy(v + 5 * PAGE_SIZE, "written through vmalloc");
		printf("vmalloc(1 MiB) = %p; page 5 is pfn %#lx, direct map %p\n", (void *)v,
		       vmalloc_to_pfn(v + 5 * PAGE_SIZE), (void *)direct);
		printf("read through the direct map: \"%s\"\n", direct);
		show("vmallocinfo");
		show_grep("meminfo", "Vmalloc");
		vfree(v);
	}

	kmm_exit();

	step("12. HIGHMEM",
	     "Reboot with highmem=32M: the top 32 MiB become a HighMem zone, as on\n"
	     "x86-32, which the direct map does not cover.  GFP_HIGHUSER takes its\n"
	     "pages first; such a page has no address until kmap() maps it through the\n"
	     "PKMAP area of the page table (kmap_local_page() uses a slot of the\n"
	     "thread's own).  The mapping is real: a vmap() of the page sees the bytes.");
	if (kmm_init("mem=128M highmem=32M") != 0)
		return 1;
	{
		struct page *high = alloc_page(GFP_HIGHUSER);
		char *k, *v;

		printf("alloc_page(GFP_HIGHUSER): pfn %#lx (max_low_pfn %#lx), zone %s, "
		       "page_address %p\n",
		       page_to_pfn(high), max_low_pfn, page_zone(high)->name, page_address(high));
		k = kmap(high);
		strcpy(k, "written through kmap");
		printf("kmap() = %p (PKMAP_BASE %#lx), page_address now %p\n", (void *)k,
		       PKMAP_BASE, page_address(high));
		v = vmap(&high, 1, VM_MAP, PAGE_KERNEL);
		printf("read through vmap() at %p: \"%s\"\n", (void *)v, v);
		vunmap(v);
		kunmap(high);
		__free_page(high);
		show_grep("meminfo", "High");
		show_grep("meminfo", "Low");
	}
	kmm_exit();
	printf("\nkmm_exit(): the machine is gone.  See docs/design.md for how it works.\n");
	return 0;
}
