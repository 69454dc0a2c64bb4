/* SPDX-License-Identifier: MIT */
/* The page allocator: orders, zones, exhaustion, compound pages, refcounts, reports. */
#include <sys/sysinfo.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <kmm/kmm.h>
#include "kmm_test.h"

static void test_every_order_is_aligned_writable_and_round_trips(void **state)
{
	unsigned long before;
	unsigned int order;

	(void)state;
	assert_int_equal(kmm_init("mem=256M"), 0);
	before = drained_free();
	for (order = 0; order <= MAX_PAGE_ORDER; order++) {
		struct page *page = alloc_pages(GFP_KERNEL, order);
		unsigned long pfn, addr, i;

		assert_non_null(page);
		pfn = page_to_pfn(page);
		addr = (unsigned long)page_address(page);
		assert_int_equal(pfn & ((1UL << order) - 1), 0);
		assert_int_equal(addr & ((PAGE_SIZE << order) - 1), 0);
		assert_int_equal(__pa(addr), PFN_PHYS(pfn));
		assert_ptr_equal(__va(page_to_phys(page)), (void *)addr);
		for (i = 0; i < (1UL << order); i++) {
			char *p = (char *)addr + i * PAGE_SIZE;

			memset(p, (int)i, PAGE_SIZE);
			assert_ptr_equal(virt_to_page(p + 17), page + i);
			assert_ptr_equal(pfn_to_page(pfn + i), page + i);
		}
		__free_pages(page, order);
	}
	assert_int_equal(drained_free(), before);
	kmm_exit();
}

static void test_zone_placement_of_gfp_flags_on_six_gib(void **state)
{
	struct page *dma, *dma32, *normal;

	(void)state;
	assert_int_equal(kmm_init("mem=6G"), 0);
	dma = alloc_page(GFP_DMA);
	dma32 = alloc_page(GFP_DMA32);
	normal = alloc_page(GFP_KERNEL);
	assert_non_null(dma);
	assert_non_null(dma32);
	assert_non_null(normal);
	assert_int_equal(page_zonenum(dma), ZONE_DMA);
	assert_true(page_to_phys(dma) < (16UL << 20));
	assert_int_equal(page_zonenum(dma32), ZONE_DMA32);
	assert_true(page_to_phys(dma32) < (4UL << 30));
	assert_int_equal(page_zonenum(normal), ZONE_NORMAL);
	assert_true(page_to_phys(normal) >= (4UL << 30));
	assert_string_equal(page_zone(normal)->name, "Normal");
	__free_page(dma);
	__free_page(dma32);
	__free_page(normal);
	kmm_exit();
}

static void test_gfp_kernel_falls_back_to_dma32_without_normal(void **state)
{
	struct page *page;

	(void)state;
	assert_int_equal(kmm_init("mem=1G"), 0);
	page = alloc_page(GFP_KERNEL);
	assert_non_null(page);
	assert_int_equal(page_zonenum(page), ZONE_DMA32);
	__free_page(page);
	kmm_exit();
}

static void test_exhausting_64m_hands_out_each_page_once(void **state)
{
	static unsigned char seen[(64UL << 20) >> PAGE_SHIFT];
	static struct page *pages[(64UL << 20) >> PAGE_SHIFT];
	unsigned long before, n = 0, kernel_pages, i;
	struct page *page;

	(void)state;
	memset(seen, 0, sizeof(seen));
	assert_int_equal(kmm_init("mem=64M"), 0);
	before = drained_free();
	while ((page = alloc_page(GFP_KERNEL | __GFP_NOWARN)) != NULL) {
		unsigned long pfn = page_to_pfn(page);

		assert_true(pfn < kmm_max_pfn);
		assert_int_equal(seen[pfn], 0);
		seen[pfn] = 1;
		*(unsigned long *)page_address(page) = pfn;
		pages[n++] = page;
	}
	kernel_pages = n;
	/* GFP_ATOMIC may go below the min watermark. */
	while ((page = alloc_page(GFP_ATOMIC | __GFP_NOWARN)) != NULL) {
		assert_int_equal(seen[page_to_pfn(page)], 0);
		seen[page_to_pfn(page)] = 1;
		*(unsigned long *)page_address(page) = page_to_pfn(page);
		pages[n++] = page;
	}
	assert_true(n > kernel_pages);
	assert_true(n > before - before / 20);
	for (i = 0; i < n; i++) {
		assert_int_equal(*(unsigned long *)page_address(pages[i]), page_to_pfn(pages[i]));
		__free_page(pages[i]);
	}
	assert_int_equal(drained_free(), before);
	page = alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER);
	assert_non_null(page);
	__free_pages(page, MAX_PAGE_ORDER);
	kmm_exit();
}

static void test_freeing_everything_restores_buddyinfo(void **state)
{
	char before[4096], after[4096];
	struct page *pages[64];
	int i;

	(void)state;
	assert_int_equal(kmm_init("mem=128M"), 0);
	/* Let the first section be initialised, then take a snapshot. */
	__free_page(alloc_page(GFP_KERNEL));
	kmm_drain_all();
	show_to_string("buddyinfo", before, sizeof(before));
	for (i = 0; i < 64; i++)
		pages[i] = alloc_pages(GFP_KERNEL, (unsigned int)i % 5);
	show_to_string("buddyinfo", after, sizeof(after));
	assert_string_not_equal(before, after);
	for (i = 0; i < 64; i++)
		__free_pages(pages[i], (unsigned int)i % 5);
	kmm_drain_all();
	show_to_string("buddyinfo", after, sizeof(after));
	assert_string_equal(before, after);
	kmm_exit();
}

static void test_gfp_zero_zeroes_a_dirtied_page(void **state)
{
	unsigned char *p;
	struct page *page;
	unsigned long addr;
	int i;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	page = alloc_pages(GFP_KERNEL, 1);
	memset(page_address(page), 0xa5, 2 * PAGE_SIZE);
	__free_pages(page, 1);
	page = alloc_pages(GFP_KERNEL | __GFP_ZERO, 1);
	p = page_address(page);
	for (i = 0; i < 2 * (int)PAGE_SIZE; i++)
		assert_int_equal(p[i], 0);
	__free_pages(page, 1);
	addr = get_zeroed_page(GFP_KERNEL);
	assert_true(addr != 0);
	for (i = 0; i < (int)PAGE_SIZE; i++)
		assert_int_equal(((unsigned char *)addr)[i], 0);
	free_page(addr);
	kmm_exit();
}

static void test_compound_page_heads_and_tails(void **state)
{
	unsigned long before;
	struct page *head;
	int i;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	before = drained_free();
	head = alloc_pages(GFP_KERNEL | __GFP_COMP, 3);
	assert_non_null(head);
	assert_true(PageHead(head));
	assert_int_equal(compound_order(head), 3);
	for (i = 1; i < 8; i++) {
		assert_true(PageTail(head + i));
		assert_ptr_equal(compound_head(head + i), head);
	}
	get_page(head + 5);
	assert_int_equal(page_count(head), 2);
	put_page(head + 2);
	assert_int_equal(page_count(head), 1);
	put_page(head);
	assert_int_equal(drained_free(), before);
	kmm_exit();
}

static void test_extra_reference_keeps_the_first_page(void **state)
{
	unsigned long before;
	struct page *page;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	before = drained_free();
	page = alloc_pages(GFP_KERNEL, 2);
	memset(page_address(page), 0x5a, PAGE_SIZE);
	get_page(page);
	__free_pages(page, 2);
	/* The three tail pages came back; the first stays with its holder. */
	assert_int_equal(drained_free(), before - 1);
	assert_int_equal(((unsigned char *)page_address(page))[100], 0x5a);
	put_page(page);
	assert_int_equal(drained_free(), before);
	kmm_exit();
}

static void test_split_page_frees_pages_one_by_one(void **state)
{
	unsigned long before;
	struct page *page;
	int i;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	before = drained_free();
	page = alloc_pages(GFP_KERNEL, 2);
	split_page(page, 2);
	for (i = 0; i < 4; i++) {
		assert_int_equal(page_count(page + i), 1);
		__free_page(page + i);
	}
	assert_int_equal(drained_free(), before);
	kmm_exit();
}

static void test_alloc_pages_exact_gives_back_the_rest(void **state)
{
	unsigned long before;
	void *p;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	before = drained_free();
	p = alloc_pages_exact(5 * PAGE_SIZE, GFP_KERNEL);
	assert_non_null(p);
	memset(p, 1, 5 * PAGE_SIZE);
	assert_int_equal(drained_free(), before - 5);
	free_pages_exact(p, 5 * PAGE_SIZE);
	assert_int_equal(drained_free(), before);
	kmm_exit();
}

/* A free block of MAX_PAGE_ORDER in the buddyinfo line of @zone_name, node 0. */
static unsigned long free_top_blocks(const char *zone_name)
{
	char *text = NULL, *line;
	size_t len;
	FILE *f = open_memstream(&text, &len);
	unsigned long n[NR_PAGE_ORDERS] = {0};
	char pattern[64];

	assert_non_null(f);
	kmm_show("buddyinfo", f);
	fclose(f);
	snprintf(pattern, sizeof(pattern), "zone %8s", zone_name);
	line = strstr(text, pattern);
	assert_non_null(line);
	line += strlen(pattern);
	for (int i = 0; i < NR_PAGE_ORDERS; i++)
		n[i] = strtoul(line, &line, 10);
	free(text);
	return n[MAX_PAGE_ORDER];
}

static void test_contig_pages_are_one_run_of_order_0_pages(void **state)
{
	unsigned long before, blocks, nr = 5 * 1024 + 3, i;
	struct page *page;
	char *p;

	(void)state;
	assert_int_equal(kmm_init("mem=256M"), 0);
	before = drained_free();
	blocks = free_top_blocks("DMA32");
	page = alloc_contig_pages(nr, GFP_KERNEL | __GFP_ZERO, NUMA_NO_NODE, NULL);
	assert_non_null(page);
	/* 4 MiB aligned, one run of the direct map, every page zeroed and its own */
	assert_int_equal(page_to_pfn(page) & (MAX_ORDER_NR_PAGES - 1), 0);
	p = page_address(page);
	for (i = 0; i < nr; i++) {
		assert_ptr_equal(page_address(page + i), p + i * PAGE_SIZE);
		assert_int_equal(page_count(page + i), 1);
		assert_false(PageCompound(page + i));
		assert_int_equal(p[i * PAGE_SIZE], 0);
		assert_int_equal(p[i * PAGE_SIZE + PAGE_SIZE - 1], 0);
	}
	memset(p, 0xa5, nr * PAGE_SIZE);
	/* six top-order blocks taken, the 1021 pages past the run given back */
	assert_int_equal(drained_free(), before - nr);
	assert_int_equal(free_top_blocks("DMA32"), blocks - 6);
	free_contig_range(page_to_pfn(page), nr);
	assert_int_equal(drained_free(), before);
	assert_int_equal(free_top_blocks("DMA32"), blocks);
	/* the same memory comes back, zeroed again */
	page = alloc_contig_pages(nr, GFP_KERNEL | __GFP_ZERO, NUMA_NO_NODE, NULL);
	assert_ptr_equal(page_address(page), p);
	for (i = 0; i < nr * PAGE_SIZE; i += 511)
		assert_int_equal(p[i], 0);
	/* a page given back on its own, then the rest */
	__free_page(page + 7);
	free_contig_range(page_to_pfn(page), 7);
	free_contig_range(page_to_pfn(page) + 8, nr - 8);
	assert_int_equal(drained_free(), before);
	kmm_exit();
}

static void test_contig_pages_fail_cleanly_when_no_run_is_free(void **state)
{
	unsigned long before;
	struct page *hold, *page;
	struct capture c;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	before = drained_free();
	/* more than the machine, then more than the low watermark leaves */
	capture_begin(&c);
	assert_null(alloc_contig_pages(kmm_max_pfn + 1, GFP_KERNEL, NUMA_NO_NODE, NULL));
	assert_null(alloc_contig_pages(before, GFP_KERNEL, NUMA_NO_NODE, NULL));
	assert_null(alloc_contig_pages(0, GFP_KERNEL, NUMA_NO_NODE, NULL));
	/*
	 * DMA's three free top-order blocks (page 0 is reserved) are one run; with
	 * a page of the middle one held, no run of two is left, one of one is
	 */
	hold = alloc_contig_pages(3 * 1024, GFP_DMA, NUMA_NO_NODE, NULL);
	assert_non_null(hold);
	assert_int_equal(page_to_pfn(hold), 1024);
	assert_null(alloc_contig_pages(1, GFP_DMA, NUMA_NO_NODE, NULL));
	free_contig_range(page_to_pfn(hold), 1024 + 500);
	free_contig_range(page_to_pfn(hold) + 1024 + 501, 2 * 1024 - 501);
	assert_null(alloc_contig_pages(2 * 1024, GFP_DMA, NUMA_NO_NODE, NULL));
	page = alloc_contig_pages(1024, GFP_DMA, NUMA_NO_NODE, NULL);
	assert_non_null(page);
	assert_int_equal(page_to_pfn(page), 1024);
	free_contig_range(page_to_pfn(page), 1024);
	assert_string_equal(capture_end(&c), "");
	__free_page(hold + 1024 + 500);
	assert_int_equal(drained_free(), before);
	kmm_exit();
}

static void test_free_contig_range_reports_bad_pages_and_pages_in_use(void **state)
{
	unsigned long before;
	struct page *page;
	struct capture c;
	const char *out;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	before = drained_free();
	page = alloc_contig_pages(1500, GFP_KERNEL, NUMA_NO_NODE, NULL);
	assert_non_null(page);
	get_page(page + 100);
	capture_begin(&c);
	free_contig_range(page_to_pfn(page), 1500);
	out = capture_end(&c);
	assert_non_null(strstr(out, "free_contig_range: 1 pages are still in use!"));
	assert_int_equal(count_lines(out), 1);
	assert_int_equal(page_count(page + 100), 1);
	/* freed again: every page is reported once as free, none is freed twice */
	capture_begin(&c);
	free_contig_range(page_to_pfn(page), 2);
	out = capture_end(&c);
	assert_non_null(strstr(out, "Bad page state"));
	capture_begin(&c);
	free_contig_range(kmm_max_pfn - 1, 2);
	assert_non_null(strstr(capture_end(&c), "free_contig_range: pfns"));
	__free_page(page + 100);
	assert_int_equal(drained_free(), before);
	kmm_exit();
}

static void test_order_above_max_fails(void **state)
{
	struct capture c;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	capture_begin(&c);
	assert_null(alloc_pages(GFP_KERNEL | __GFP_NOWARN, MAX_PAGE_ORDER + 1));
	assert_string_equal(capture_end(&c), "");
	capture_begin(&c);
	assert_null(alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER + 1));
	assert_int_equal(count_lines(capture_end(&c)), 1);
	kmm_exit();
}

static void test_failure_report_names_order_and_mode(void **state)
{
	struct page *big[64];
	struct capture c;
	const char *out;
	int n = 0;

	(void)state;
	assert_int_equal(kmm_init("mem=32M"), 0);
	while (n < 64 && (big[n] = alloc_pages(GFP_KERNEL | __GFP_NOWARN, MAX_PAGE_ORDER)))
		n++;
	capture_begin(&c);
	assert_null(alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER));
	out = capture_end(&c);
	assert_non_null(strstr(out, ": page allocation failure: order:10, mode:0xcc0(GFP_KERNEL)"));
	assert_non_null(strstr(out, "Mem-Info:"));
	while (n--)
		__free_pages(big[n], MAX_PAGE_ORDER);
	kmm_exit();
}

static int shrinker_calls;
static struct page *shrinker_stash[256];
static int shrinker_nr;

static unsigned long stash_count(struct shrinker *s, struct shrink_control *sc)
{
	(void)s;
	(void)sc;
	return (unsigned long)shrinker_nr;
}

static unsigned long stash_scan(struct shrinker *s, struct shrink_control *sc)
{
	unsigned long freed = 0;

	(void)s;
	shrinker_calls++;
	while (freed < sc->nr_to_scan && shrinker_nr > 0) {
		__free_page(shrinker_stash[--shrinker_nr]);
		freed++;
	}
	return freed;
}

static void test_shrinker_frees_memory_for_a_full_machine(void **state)
{
	static struct page *rest[16384];
	struct shrinker *shrinker;
	struct page *page;
	int n = 0;

	(void)state;
	assert_int_equal(kmm_init("mem=32M"), 0);
	shrinker_calls = 0;
	for (shrinker_nr = 0; shrinker_nr < 256; shrinker_nr++)
		shrinker_stash[shrinker_nr] = alloc_page(GFP_KERNEL);
	shrinker = shrinker_alloc(0, "test-stash");
	assert_non_null(shrinker);
	shrinker->count_objects = stash_count;
	shrinker->scan_objects = stash_scan;
	shrinker->batch = 32;
	shrinker_register(shrinker);
	while ((page = alloc_page(GFP_NOWAIT | __GFP_NOWARN)) != NULL)
		rest[n++] = page;
	/* Nothing free: GFP_KERNEL reclaims from the shrinker and succeeds. */
	page = alloc_page(GFP_KERNEL);
	assert_non_null(page);
	assert_true(shrinker_calls > 0);
	assert_true(shrinker_nr < 256);
	__free_page(page);
	shrinker_free(shrinker);
	shrinker_calls = 0;
	kmm_reclaim(NUMA_NO_NODE, 1024, GFP_KERNEL);
	assert_int_equal(shrinker_calls, 0);
	while (n--)
		__free_page(rest[n]);
	while (shrinker_nr)
		__free_page(shrinker_stash[--shrinker_nr]);
	kmm_exit();
}

static void test_thisnode_stays_on_its_node(void **state)
{
	struct page *page;
	int n = 0;

	(void)state;
	assert_int_equal(kmm_init("mem=256M numa=fake=2"), 0);
	page = alloc_pages_node(1, GFP_KERNEL, 0);
	assert_int_equal(page_to_nid(page), 1);
	__free_page(page);
	/* Fill node 1: __GFP_THISNODE then fails instead of using node 0. */
	while ((page = alloc_pages_node(1, GFP_KERNEL | __GFP_THISNODE | __GFP_NOWARN, 0))) {
		assert_int_equal(page_to_nid(page), 1);
		n++;
	}
	assert_true(n > 0);
	page = alloc_pages_node(1, GFP_KERNEL | __GFP_NOWARN, 0);
	assert_non_null(page);
	assert_int_equal(page_to_nid(page), 0);
	kmm_exit();
}

static void test_meminfo_and_si_meminfo_agree(void **state)
{
	char buf[4096], *line;
	struct sysinfo si;
	unsigned long kb = 0;

	(void)state;
	assert_int_equal(kmm_init("mem=128M"), 0);
	kmm_drain_all();
	si_meminfo(&si);
	assert_int_equal(si.totalram, totalram_pages());
	assert_int_equal(si.freeram, nr_free_pages());
	assert_int_equal(si.mem_unit, PAGE_SIZE);
	show_to_string("meminfo", buf, sizeof(buf));
	line = strstr(buf, "MemFree:");
	assert_non_null(line);
	assert_int_equal(sscanf(line, "MemFree: %lu kB", &kb), 1);
	assert_int_equal(kb, nr_free_pages() * 4);
	assert_non_null(strstr(buf, "MemTotal:        "));
	assert_int_equal(kmm_show("nosuch", stdout), -ENOENT);
	kmm_exit();
}

static void test_report_formats(void **state)
{
	char buf[1 << 15];

	(void)state;
	assert_int_equal(kmm_init("mem=128M"), 0);
	show_to_string("buddyinfo", buf, sizeof(buf));
	assert_int_equal(strncmp(buf, "Node 0, zone      DMA ", 22), 0);
	show_to_string("pagetypeinfo", buf, sizeof(buf));
	assert_int_equal(strncmp(buf, "Page block order: 9\nPages per block:  512\n", 42), 0);
	show_to_string("zoneinfo", buf, sizeof(buf));
	assert_non_null(strstr(buf, "Node 0, zone    DMA32\n  pages free     "));
	assert_non_null(strstr(buf, "\n        protection: (0, "));
	kmm_exit();
}

/* Bad frees: reported, refused, the allocator still consistent. */
static void assert_all_pages_distinct(void)
{
	static unsigned char seen[(64UL << 20) >> PAGE_SHIFT];
	static struct page *pages[(64UL << 20) >> PAGE_SHIFT];
	struct page *page;
	unsigned long n = 0;

	memset(seen, 0, sizeof(seen));
	while ((page = alloc_page(GFP_ATOMIC | __GFP_NOWARN)) != NULL) {
		assert_int_equal(seen[page_to_pfn(page)], 0);
		seen[page_to_pfn(page)] = 1;
		pages[n++] = page;
	}
	while (n)
		__free_page(pages[--n]);
}

static void test_double_free_is_reported_and_refused(void **state)
{
	unsigned long before;
	struct capture c;
	struct page *page;
	const char *out;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	before = drained_free();
	page = alloc_page(GFP_KERNEL);
	__free_page(page);
	capture_begin(&c);
	__free_page(page);
	kmm_drain_all();
	__free_page(page); /* now in the buddy lists */
	out = capture_end(&c);
	assert_non_null(strstr(out, "BUG: Bad page state in process"));
	assert_non_null(
		strstr(out, "page dumped because: page is already free (on a per-CPU list)"));
	assert_non_null(strstr(out, "page dumped because: page is already free (in the buddy"));
	assert_non_null(strstr(out, "__free_pages: free of pfn"));
	assert_int_equal(drained_free(), before);
	assert_all_pages_distinct();
	kmm_exit();
}

static void test_wrong_order_reserved_and_tail_frees_are_refused(void **state)
{
	unsigned long before;
	struct page *page, *comp;
	struct capture c;
	const char *out;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	before = drained_free();
	page = alloc_pages(GFP_KERNEL, 2);
	comp = alloc_pages(GFP_KERNEL | __GFP_COMP, 2);
	capture_begin(&c);
	__free_pages(page, 0);
	__free_pages(page, 3);
	__free_page(pfn_to_page(0));
	__free_pages(comp + 1, 0);
	out = capture_end(&c);
	assert_non_null(strstr(out, "freed with order 0 but allocated with order 2"));
	assert_non_null(strstr(out, "freed with order 3 but allocated with order 2"));
	assert_non_null(strstr(out, "reserved|"));
	assert_non_null(strstr(out, "tail page of a compound page"));
	__free_pages(page, 2);
	__free_pages(comp, 2);
	assert_int_equal(drained_free(), before);
	assert_all_pages_distinct();
	kmm_exit();
}

static void test_free_pages_outside_the_direct_map_is_refused(void **state)
{
	unsigned long before, addr;
	struct capture c;
	const char *out;
	int local;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	before = drained_free();
	addr = __get_free_page(GFP_KERNEL);
	capture_begin(&c);
	free_pages((unsigned long)&local, 0);
	free_pages(addr + 8, 0);
	free_pages(0, 0);
	out = capture_end(&c);
	assert_int_equal(count_lines(out), 2);
	assert_non_null(strstr(out, "free_pages: 0x"));
	free_page(addr);
	assert_int_equal(drained_free(), before);
	kmm_exit();
}

static void free_a_page_twice(void)
{
	struct page *page = alloc_page(GFP_KERNEL);

	__free_page(page);
	__free_page(page);
}

static void test_panic_on_warn_turns_a_bad_free_into_an_abort(void **state)
{
	(void)state;
	assert_panic_on_warn_aborts("mem=32M", free_a_page_twice);
}

/* alloc_pages_bulk_array() fills the NULL slots only, with distinct usable order-0 pages. */
static void test_bulk_array_fills_only_the_empty_slots(void **state)
{
	enum { N = 100 };
	struct page *pages[N] = {NULL}, *kept;
	unsigned long before;
	int i, j;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	before = drained_free();
	kept = alloc_page(GFP_KERNEL);
	assert_non_null(kept);
	pages[0] = kept;
	pages[57] = kept;
	assert_int_equal(alloc_pages_bulk_array(GFP_KERNEL, N, pages), N);
	assert_ptr_equal(pages[0], kept);
	assert_ptr_equal(pages[57], kept);
	for (i = 0; i < N; i++) {
		assert_non_null(pages[i]);
		assert_int_equal(page_count(pages[i]), 1);
		for (j = 0; j < i; j++)
			if (i != 57 || j != 0)
				assert_ptr_not_equal(pages[i], pages[j]);
		if (i != 0 && i != 57)
			memset(page_address(pages[i]), i, PAGE_SIZE);
	}
	/* a full array: nothing to do, its size comes back */
	assert_int_equal(alloc_pages_bulk_array(GFP_KERNEL, N, pages), N);
	for (i = 1; i < N; i++)
		if (i != 57)
			__free_page(pages[i]);
	__free_page(kept);
	assert_int_equal(drained_free(), before);
	kmm_exit();
}

/* alloc_pages_bulk_list() adds the pages to the list; __GFP_ZERO zeroes each. */
static void test_bulk_list_adds_zeroed_pages(void **state)
{
	LIST_HEAD(list);
	struct page *page, *next;
	unsigned long before, n = 0;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	before = drained_free();
	/* dirty some pages so that zeroing has something to do */
	page = alloc_pages(GFP_KERNEL, 6);
	memset(page_address(page), 0x5a, PAGE_SIZE << 6);
	__free_pages(page, 6);
	assert_int_equal(alloc_pages_bulk_list(GFP_KERNEL | __GFP_ZERO, 300, &list), 300);
	list_for_each_entry_safe(page, next, &list, lru) {
		const unsigned char *p = page_address(page);
		int i;

		for (i = 0; i < (int)PAGE_SIZE; i++)
			assert_int_equal(p[i], 0);
		list_del(&page->lru);
		__free_page(page);
		n++;
	}
	assert_int_equal(n, 300);
	assert_int_equal(drained_free(), before);
	/* no pages asked for: nothing */
	assert_int_equal(alloc_pages_bulk_list(GFP_KERNEL, 0, &list), 0);
	assert_true(list_empty(&list));
	kmm_exit();
}

/* Under memory pressure the bulk call returns what it could, never more than fits. */
static void test_bulk_returns_fewer_pages_when_memory_runs_out(void **state)
{
	enum { N = 12288 }; /* 48 MiB of pages on a 32 MiB machine */
	static struct page *pages[N];
	unsigned long got = 0, now, i;

	(void)state;
	assert_int_equal(kmm_init("mem=32M"), 0);
	memset(pages, 0, sizeof(pages));
	/* callers loop until no page comes (the kernel's vmalloc does) */
	while ((now = alloc_pages_bulk_array(GFP_NOWAIT | __GFP_NOWARN, N, pages)) > got)
		got = now;
	assert_true(got > 4096);
	assert_true(got < N);
	for (i = 0; i < got; i++)
		assert_non_null(pages[i]);
	for (i = got; i < N; i++)
		assert_null(pages[i]);
	for (i = 0; i < got; i++)
		__free_page(pages[i]);
	kmm_exit();
}

/* The bulk call works with the per-CPU lists off (fail_page_alloc active), and leaves them empty. */
static void test_bulk_with_the_per_cpu_lists_off(void **state)
{
	struct page *pages[64] = {NULL};
	unsigned long before;
	int i;

	(void)state;
	assert_int_equal(kmm_init("mem=64M fail_page_alloc=1,100,0,-1"), 0);
	before = drained_free();
	/* order 0 is below min-order: never a candidate, as in the kernel */
	assert_int_equal(alloc_pages_bulk_array(GFP_ATOMIC, 64, pages), 64);
	assert_int_equal(nr_free_pages(), before - 64);
	for (i = 0; i < 64; i++)
		__free_page(pages[i]);
	assert_int_equal(nr_free_pages(), before);
	kmm_exit();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kmm_test(test_every_order_is_aligned_writable_and_round_trips),
		kmm_test(test_zone_placement_of_gfp_flags_on_six_gib),
		kmm_test(test_gfp_kernel_falls_back_to_dma32_without_normal),
		kmm_test(test_exhausting_64m_hands_out_each_page_once),
		kmm_test(test_freeing_everything_restores_buddyinfo),
		kmm_test(test_gfp_zero_zeroes_a_dirtied_page),
		kmm_test(test_compound_page_heads_and_tails),
		kmm_test(test_extra_reference_keeps_the_first_page),
		kmm_test(test_split_page_frees_pages_one_by_one),
		kmm_test(test_alloc_pages_exact_gives_back_the_rest),
		kmm_test(test_contig_pages_are_one_run_of_order_0_pages),
		kmm_test(test_contig_pages_fail_cleanly_when_no_run_is_free),
		kmm_test(test_free_contig_range_reports_bad_pages_and_pages_in_use),
		kmm_test(test_order_above_max_fails),
		kmm_test(test_failure_report_names_order_and_mode),
		kmm_test(test_shrinker_frees_memory_for_a_full_machine),
		kmm_test(test_thisnode_stays_on_its_node),
		kmm_test(test_meminfo_and_si_meminfo_agree),
		kmm_test(test_report_formats),
		kmm_test(test_double_free_is_reported_and_refused),
		kmm_test(test_wrong_order_reserved_and_tail_frees_are_refused),
		kmm_test(test_free_pages_outside_the_direct_map_is_refused),
		kmm_test(test_panic_on_warn_turns_a_bad_free_into_an_abort),
		kmm_test(test_bulk_array_fills_only_the_empty_slots),
		kmm_test(test_bulk_list_adds_zeroed_pages),
		kmm_test(test_bulk_returns_fewer_pages_when_memory_runs_out),
		kmm_test(test_bulk_with_the_per_cpu_lists_off),
	};

	return cmocka_run_group_tests_name("pages", tests, NULL, NULL);
}
