/* SPDX-License-Identifier: MIT */
/*
 * highmem: the HighMem zone at the top of memory, outside the direct map;
 * __GFP_HIGHMEM placement; kmap()/kunmap() over the PKMAP area and
 * kmap_local_page()/kunmap_local() over per-thread slots, with real aliased
 * mappings; zeroing highmem pages; vmalloc on highmem pages; reports.
 */
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <kmm/kmm.h>
#include "kmm_test.h"

#define MACHINE	      "mem=256M highmem=64M"
#define HIGHMEM_PAGES ((64UL << 20) >> PAGE_SHIFT)
#define LOWMEM_PAGES  ((192UL << 20) >> PAGE_SHIFT)

static int read_byte(void *p)
{
	return *(volatile unsigned char *)p;
}

static bool in_pkmap(const void *p)
{
	return (unsigned long)p - PKMAP_BASE < (unsigned long)LAST_PKMAP << PAGE_SHIFT;
}

static bool in_kmap_local(const void *p)
{
	return (unsigned long)p >= kmm_kmap_local_base && (unsigned long)p < kmm_kmap_local_end;
}

/* Free pages of the HighMem zone with every per-CPU list drained: an exact count. */
static unsigned long drained_free_high(void)
{
	kmm_drain_all();
	return nr_free_highpages();
}

static void test_highmem_is_the_top_of_memory_outside_the_direct_map(void **state)
{
	pg_data_t *pgdat;
	struct zone *high;
	char buf[1 << 14];

	(void)state;
	assert_int_equal(kmm_init(MACHINE), 0);
	pgdat = NODE_DATA(0);
	high = &pgdat->node_zones[ZONE_HIGHMEM];
	assert_int_equal(kmm_max_pfn, LOWMEM_PAGES + HIGHMEM_PAGES);
	assert_int_equal(kmm_max_low_pfn, LOWMEM_PAGES);
	assert_int_equal(kmm_direct_map_bytes, 192UL << 20);
	assert_string_equal(high->name, "HighMem");
	assert_int_equal(high->zone_start_pfn, LOWMEM_PAGES);
	assert_int_equal(high->spanned_pages, HIGHMEM_PAGES);
	assert_int_equal(high->managed_pages, HIGHMEM_PAGES);
	/* lowmem zones end at kmm_max_low_pfn: DMA and DMA32, Normal empty */
	assert_int_equal(pgdat->node_zones[ZONE_DMA32].zone_start_pfn +
				 pgdat->node_zones[ZONE_DMA32].spanned_pages,
			 LOWMEM_PAGES);
	assert_false(populated_zone(&pgdat->node_zones[ZONE_NORMAL]));
	assert_int_equal(pgdat->nr_zones, MAX_NR_ZONES);
	assert_int_equal(totalhigh_pages(), HIGHMEM_PAGES);
	assert_false(virt_addr_valid((void *)(PAGE_OFFSET + (kmm_max_low_pfn << PAGE_SHIFT))));
	/* the PKMAP and kmap_local areas follow the vmalloc area */
	assert_true(PKMAP_BASE >= VMALLOC_END + PAGE_SIZE);
	assert_int_equal(PKMAP_BASE & (PMD_SIZE - 1), 0);
	assert_true(kmm_kmap_local_base >= PKMAP_BASE + ((unsigned long)LAST_PKMAP << PAGE_SHIFT));
	assert_int_equal(kmm_kmap_local_end - kmm_kmap_local_base,
			 (unsigned long)KM_MAX_IDX * KMAP_LOCAL_TASKS << PAGE_SHIFT);
	assert_non_null(strstr(show_to_string("zoneinfo", buf, sizeof(buf)), "zone  HighMem"));
	assert_non_null(strstr(show_to_string("buddyinfo", buf, sizeof(buf)), "zone  HighMem"));
	kmm_exit();
}

static void test_highmem_with_fake_numa_is_the_top_of_the_last_node(void **state)
{
	struct zone *high0, *high1;
	struct page *page;

	(void)state;
	assert_int_equal(kmm_init("mem=512M numa=fake=2 highmem=64M"), 0);
	high0 = &NODE_DATA(0)->node_zones[ZONE_HIGHMEM];
	high1 = &NODE_DATA(1)->node_zones[ZONE_HIGHMEM];
	assert_false(populated_zone(high0));
	assert_int_equal(high1->zone_start_pfn, (448UL << 20) >> PAGE_SHIFT);
	assert_int_equal(high1->spanned_pages, HIGHMEM_PAGES);
	assert_int_equal(totalhigh_pages(), HIGHMEM_PAGES);
	page = alloc_pages_node(1, GFP_HIGHUSER, 0);
	assert_non_null(page);
	assert_true(PageHighMem(page));
	assert_int_equal(page_to_nid(page), 1);
	__free_page(page);
	kmm_exit();
}

static void test_meminfo_shows_high_and_low_totals(void **state)
{
	long total, high_total, high_free;

	(void)state;
	assert_int_equal(kmm_init(MACHINE), 0);
	total = meminfo_kb("MemTotal");
	high_total = meminfo_kb("HighTotal");
	assert_int_equal(high_total, 64 << 10);
	assert_int_equal(meminfo_kb("LowTotal"), total - high_total);
	high_free = meminfo_kb("HighFree");
	assert_int_equal(high_free, (long)drained_free_high() * 4);
	assert_int_equal(meminfo_kb("LowFree"), meminfo_kb("MemFree") - high_free);
	kmm_exit();
}

static void test_without_highmem_nothing_changes(void **state)
{
	char buf[1 << 13];
	struct page *page;
	void *addr;

	(void)state;
	assert_int_equal(kmm_init("mem=256M highmem=0"), 0);
	assert_int_equal(kmm_max_low_pfn, kmm_max_pfn);
	assert_int_equal(PKMAP_BASE, 0);
	assert_int_equal(kmm_kmap_local_base, 0);
	assert_int_equal(totalhigh_pages(), 0);
	assert_null(strstr(show_to_string("meminfo", buf, sizeof(buf)), "HighTotal"));
	page = alloc_page(GFP_HIGHUSER);
	assert_non_null(page);
	assert_false(PageHighMem(page));
	assert_int_equal(page_zonenum(page), ZONE_DMA32);
	addr = page_address(page);
	assert_ptr_equal(kmap(page), addr);
	kunmap(page);
	assert_ptr_equal(kmap_local_page(page), addr);
	kunmap_local(addr);
	__free_page(page);
	kmm_exit();
}

static void test_highmem_that_leaves_too_little_lowmem_is_refused(void **state)
{
	struct capture cap;

	(void)state;
	capture_begin(&cap);
	assert_int_equal(kmm_init("mem=256M highmem=250M"), -EINVAL);
	assert_non_null(strstr(capture_end(&cap), "highmem=250M"));
	assert_false(kmm_booted());
	capture_begin(&cap);
	assert_int_equal(kmm_init("highmem=lots"), -EINVAL);
	assert_non_null(strstr(capture_end(&cap), "highmem"));
}

static void test_gfp_highuser_lands_in_highmem_without_an_address(void **state)
{
	struct page *high, *low;
	unsigned long addr;

	(void)state;
	assert_int_equal(kmm_init(MACHINE), 0);
	high = alloc_page(GFP_HIGHUSER);
	assert_non_null(high);
	assert_true(PageHighMem(high));
	assert_int_equal(page_zonenum(high), ZONE_HIGHMEM);
	assert_true(page_to_pfn(high) >= kmm_max_low_pfn);
	assert_null(page_address(high));
	low = alloc_page(GFP_KERNEL);
	assert_non_null(low);
	assert_false(PageHighMem(low));
	assert_non_null(page_address(low));
	/* an address is asked for: __get_free_pages() never takes highmem */
	addr = __get_free_page(GFP_HIGHUSER);
	assert_true(virt_addr_valid((void *)addr));
	free_page(addr);
	__free_page(low);
	__free_page(high);
	/* HighMem_MOVABLE and order > 0 too */
	high = alloc_pages(GFP_HIGHUSER_MOVABLE, 3);
	assert_non_null(high);
	assert_true(PageHighMem(high) && PageHighMem(high + 7));
	__free_pages(high, 3);
	kmm_exit();
}

static void test_kmap_round_trips_and_aliases_a_vmap(void **state)
{
	struct page *page;
	unsigned char *p, *q, *v;
	unsigned long i;

	(void)state;
	assert_int_equal(kmm_init(MACHINE), 0);
	page = alloc_page(GFP_HIGHUSER);
	assert_non_null(page);
	p = kmap(page);
	assert_non_null(p);
	assert_true(in_pkmap(p));
	assert_ptr_equal(page_address(page), p);
	assert_ptr_equal(kmap_to_page(p + 100), page);
	for (i = 0; i < PAGE_SIZE; i++)
		p[i] = (unsigned char)(i * 7 + 3);
	kunmap(page);
	/* a second kmap, possibly at another address, sees the same bytes */
	q = kmap(page);
	assert_non_null(q);
	assert_true(in_pkmap(q));
	for (i = 0; i < PAGE_SIZE; i++)
		assert_int_equal(q[i], (unsigned char)(i * 7 + 3));
	/* so does a vmap of the page, both ways */
	v = vmap(&page, 1, VM_MAP, PAGE_KERNEL);
	assert_non_null(v);
	assert_memory_equal(v, q, PAGE_SIZE);
	v[17] = 0xee;
	assert_int_equal(q[17], 0xee);
	q[18] = 0xdd;
	assert_int_equal(v[18], 0xdd);
	vunmap(v);
	/* kmap twice: one address, two references */
	assert_ptr_equal(kmap(page), q);
	kunmap(page);
	assert_ptr_equal(page_address(page), q);
	kunmap(page);
	__free_page(page);
	kmm_exit();
}

static void test_kmap_of_lowmem_is_page_address(void **state)
{
	struct page *page;
	void *addr;

	(void)state;
	assert_int_equal(kmm_init(MACHINE), 0);
	page = alloc_page(GFP_KERNEL);
	assert_non_null(page);
	addr = page_address(page);
	assert_true(virt_addr_valid(addr));
	assert_ptr_equal(kmap(page), addr);
	kunmap(page);
	assert_ptr_equal(kmap_local_page(page), addr);
	assert_ptr_equal(kmap_atomic(page), addr);
	kunmap_atomic(addr);
	kunmap_local(addr);
	assert_ptr_equal(kmap_to_page(addr), page);
	__free_page(page);
	kmm_exit();
}

static void test_kmap_local_nests_lifo_per_thread(void **state)
{
	struct page *pages[3];
	unsigned char *a[3];
	int i;

	(void)state;
	assert_int_equal(kmm_init(MACHINE), 0);
	for (i = 0; i < 3; i++) {
		pages[i] = alloc_page(GFP_HIGHUSER);
		assert_non_null(pages[i]);
		a[i] = kmap_local_page(pages[i]);
		assert_non_null(a[i]);
		assert_true(in_kmap_local(a[i]));
		assert_ptr_equal(kmap_to_page(a[i]), pages[i]);
		/* a kmap_local mapping is not the page's address */
		assert_null(page_address(pages[i]));
		memset(a[i], 'a' + i, PAGE_SIZE);
	}
	/* consecutive slots of this thread's stack */
	assert_ptr_equal(a[1], a[0] + PAGE_SIZE);
	assert_ptr_equal(a[2], a[1] + PAGE_SIZE);
	for (i = 0; i < 3; i++)
		assert_int_equal(a[i][PAGE_SIZE - 1], 'a' + i);
	for (i = 2; i >= 0; i--)
		kunmap_local(a[i] + 5);
	/* unmapped means unmapped: the slot faults */
	assert_int_equal(child_exit_status(read_byte, a[0]), CHILD_FAULTED);
	/* the bytes are in the pages, seen through a fresh mapping (the same slot) */
	for (i = 0; i < 3; i++) {
		unsigned char *p = kmap_local_page(pages[i]);

		assert_ptr_equal(p, a[0]);
		assert_int_equal(p[123], 'a' + i);
		kunmap_local(p);
		__free_page(pages[i]);
	}
	kmm_exit();
}

/* A thread that exits with kmap_local_page() mappings: reported, and its slots unmapped. */
static void *leave_a_kmap_local(void *arg)
{
	void **out = arg;

	out[1] = kmap_local_page(out[0]);
	return NULL;
}

static void test_thread_exit_unmaps_leftover_kmap_local(void **state)
{
	struct capture cap;
	void *io[2];
	const char *out;
	pthread_t t;

	(void)state;
	assert_int_equal(kmm_init(MACHINE), 0);
	io[0] = alloc_page(GFP_HIGHUSER);
	assert_non_null(io[0]);
	capture_begin(&cap);
	pthread_create(&t, NULL, leave_a_kmap_local, io);
	pthread_join(t, NULL);
	out = capture_end(&cap);
	assert_non_null(io[1]);
	assert_int_equal(count_lines(out), 1);
	assert_non_null(strstr(out, "thread exiting with 1 kmap_local_page() mapping"));
	assert_int_equal(child_exit_status(read_byte, io[1]), CHILD_FAULTED);
	__free_page(io[0]);
	kmm_exit();
}

static void test_kmap_local_has_km_max_idx_slots(void **state)
{
	struct page *page;
	struct capture cap;
	void *a[KM_MAX_IDX];
	int i;

	(void)state;
	assert_int_equal(kmm_init(MACHINE), 0);
	page = alloc_page(GFP_HIGHUSER);
	assert_non_null(page);
	for (i = 0; i < KM_MAX_IDX; i++) {
		a[i] = kmap_local_page(page);
		assert_non_null(a[i]);
	}
	capture_begin(&cap);
	assert_null(kmap_local_page(page));
	assert_non_null(strstr(capture_end(&cap), "slots"));
	for (i = KM_MAX_IDX - 1; i >= 0; i--)
		kunmap_local(a[i]);
	__free_page(page);
	kmm_exit();
}

static void test_kunmap_local_out_of_order_is_refused(void **state)
{
	struct page *p1, *p2;
	unsigned char *a, *b;
	struct capture cap;
	const char *out;
	int local;

	(void)state;
	assert_int_equal(kmm_init(MACHINE), 0);
	p1 = alloc_page(GFP_HIGHUSER | __GFP_ZERO);
	p2 = alloc_page(GFP_HIGHUSER | __GFP_ZERO);
	a = kmap_local_page(p1);
	b = kmap_local_page(p2);
	capture_begin(&cap);
	kunmap_local(a);
	out = capture_end(&cap);
	assert_non_null(strstr(out, "kunmap_local"));
	assert_non_null(strstr(out, "reverse order, refused"));
	assert_int_equal(count_lines(out), 1);
	/* refused: both still mapped */
	assert_int_equal(read_byte(a), 0);
	assert_int_equal(read_byte(b), 0);
	capture_begin(&cap);
	kunmap_local(b);
	kunmap_local(a);
	assert_string_equal(capture_end(&cap), "");
	/* nothing mapped any more, and an address that never was */
	capture_begin(&cap);
	kunmap_local((char *)kmm_kmap_local_base + 3 * PAGE_SIZE);
	kunmap_local(&local);
	out = capture_end(&cap);
	assert_non_null(strstr(out, "no kmap_local_page() mapping, refused"));
	assert_non_null(strstr(out, "is not a kmap_local_page() address, refused"));
	__free_page(p1);
	__free_page(p2);
	kmm_exit();
}

static void test_kunmap_of_a_page_not_kmapped_is_reported(void **state)
{
	struct page *page;
	struct capture cap;
	const char *out;
	void *p;

	(void)state;
	assert_int_equal(kmm_init(MACHINE), 0);
	page = alloc_page(GFP_HIGHUSER);
	assert_non_null(page);
	capture_begin(&cap);
	kunmap(page);
	out = capture_end(&cap);
	assert_non_null(strstr(out, "kunmap: pfn"));
	assert_non_null(strstr(out, "is not kmapped, refused"));
	assert_int_equal(count_lines(out), 1);
	/* one kmap, two kunmaps: the second is refused and the first stands */
	p = kmap(page);
	kunmap(page);
	capture_begin(&cap);
	kunmap(page);
	assert_non_null(strstr(capture_end(&cap), "is not kmapped, refused"));
	assert_ptr_equal(kmap(page), p);
	kunmap(page);
	__free_page(page);
	kmm_exit();
}

struct kmap_waiter {
	struct page *page;
	void *addr;
	int done;
};

static void *kmap_thread(void *arg)
{
	struct kmap_waiter *w = arg;

	w->addr = kmap(w->page);
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void test_pkmap_fills_at_last_pkmap_then_waits_for_a_kunmap(void **state)
{
	struct page *pages[LAST_PKMAP + 1];
	void *addr[LAST_PKMAP];
	struct kmap_waiter w;
	unsigned long before;
	pthread_t thread;
	int i, j;

	(void)state;
	assert_int_equal(kmm_init(MACHINE), 0);
	for (i = 0; i <= LAST_PKMAP; i++) {
		pages[i] = alloc_page(GFP_HIGHUSER);
		assert_non_null(pages[i]);
	}
	before = drained_free();
	for (i = 0; i < LAST_PKMAP; i++) {
		addr[i] = kmap(pages[i]);
		assert_true(in_pkmap(addr[i]));
		*(unsigned long *)addr[i] = page_to_pfn(pages[i]);
	}
	/* every entry, each once; and kmaps take no memory (the tables are made at boot) */
	for (i = 0; i < LAST_PKMAP; i++)
		for (j = i + 1; j < LAST_PKMAP; j++)
			assert_ptr_not_equal(addr[i], addr[j]);
	assert_int_equal(drained_free(), before);
	/* the area is full: a kmap of another page waits for a kunmap */
	w.page = pages[LAST_PKMAP];
	w.addr = NULL;
	w.done = 0;
	assert_int_equal(pthread_create(&thread, NULL, kmap_thread, &w), 0);
	nanosleep(&(struct timespec){0, 100000000}, NULL);
	assert_int_equal(__atomic_load_n(&w.done, __ATOMIC_ACQUIRE), 0);
	kunmap(pages[7]);
	assert_int_equal(pthread_join(thread, NULL), 0);
	/* the only free entry: the one given back, now cleared for its old page */
	assert_ptr_equal(w.addr, addr[7]);
	assert_null(page_address(pages[7]));
	assert_ptr_equal(page_address(pages[LAST_PKMAP]), addr[7]);
	assert_ptr_equal(kmap_to_page(addr[7]), pages[LAST_PKMAP]);
	for (i = 0; i < LAST_PKMAP; i++)
		if (i != 7)
			assert_int_equal(*(unsigned long *)addr[i], page_to_pfn(pages[i]));
	for (i = 0; i <= LAST_PKMAP; i++) {
		if (i != 7)
			kunmap(pages[i]);
		__free_page(pages[i]);
	}
	kmm_exit();
}

static void test_kunmapped_entries_are_reused_after_a_wrap(void **state)
{
	struct page *pages[2 * LAST_PKMAP];
	void *first;
	int i;

	(void)state;
	assert_int_equal(kmm_init(MACHINE), 0);
	for (i = 0; i < 2 * LAST_PKMAP; i++) {
		pages[i] = alloc_page(GFP_HIGHUSER);
		assert_non_null(pages[i]);
	}
	first = kmap(pages[0]);
	kunmap(pages[0]);
	/* until the area wraps, an unused entry keeps its page's address */
	assert_ptr_equal(page_address(pages[0]), first);
	for (i = 1; i < 2 * LAST_PKMAP; i++) {
		unsigned long *p = kmap(pages[i]);

		assert_non_null(p);
		p[0] = (unsigned long)i;
		kunmap(pages[i]);
	}
	assert_null(page_address(pages[0]));
	for (i = 1; i < 2 * LAST_PKMAP; i++) {
		unsigned long *p = kmap_local_page(pages[i]);

		assert_int_equal(p[0], (unsigned long)i);
		kunmap_local(p);
		__free_page(pages[i]);
	}
	__free_page(pages[0]);
	kmm_exit();
}

static void test_gfp_zero_zeroes_highmem_pages(void **state)
{
	struct page *page, *again;
	unsigned long i, j;
	unsigned char *p;

	(void)state;
	assert_int_equal(kmm_init(MACHINE), 0);
	page = alloc_pages(GFP_HIGHUSER, 2);
	assert_non_null(page);
	for (i = 0; i < 4; i++) {
		p = kmap_local_page(page + i);
		memset(p, 0xaa, PAGE_SIZE);
		kunmap_local(p);
	}
	__free_pages(page, 2);
	/* the same block comes back from the per-CPU list, dirty: __GFP_ZERO cleans it */
	again = alloc_pages(GFP_HIGHUSER | __GFP_ZERO, 2);
	assert_ptr_equal(again, page);
	for (i = 0; i < 4; i++) {
		p = kmap_local_page(again + i);
		for (j = 0; j < PAGE_SIZE; j++)
			assert_int_equal(p[j], 0);
		kunmap_local(p);
	}
	__free_pages(again, 2);
	/* and a buddy-sized one, taken from the zone */
	page = alloc_pages(GFP_HIGHUSER | __GFP_ZERO, 6);
	assert_non_null(page);
	assert_true(PageHighMem(page));
	p = vmap(&page, 1, VM_MAP, PAGE_KERNEL);
	assert_non_null(p);
	for (j = 0; j < PAGE_SIZE; j++)
		assert_int_equal(p[j], 0);
	vunmap(p);
	__free_pages(page, 6);
	kmm_exit();
}

static void test_highmem_copy_and_zero_helpers(void **state)
{
	struct page *a, *b, *low;
	unsigned char buf[64], *p;

	(void)state;
	assert_int_equal(kmm_init(MACHINE), 0);
	a = alloc_page(GFP_HIGHUSER | __GFP_ZERO);
	b = alloc_page(GFP_HIGHUSER);
	low = alloc_page(GFP_KERNEL);
	memset(buf, 0x5c, sizeof(buf));
	memcpy_to_page(a, 100, buf, sizeof(buf));
	copy_highpage(b, a);
	copy_highpage(low, b);
	p = page_address(low);
	assert_int_equal(p[99], 0);
	assert_int_equal(p[100], 0x5c);
	assert_int_equal(p[163], 0x5c);
	assert_int_equal(p[164], 0);
	zero_user(b, 110, 10);
	memset(buf, 0, sizeof(buf));
	memcpy_from_page(buf, b, 100, sizeof(buf));
	assert_int_equal(buf[9], 0x5c);
	assert_int_equal(buf[10], 0);
	assert_int_equal(buf[19], 0);
	assert_int_equal(buf[20], 0x5c);
	clear_highpage(a);
	memcpy_from_page(buf, a, 100, sizeof(buf));
	assert_int_equal(buf[0], 0);
	__free_page(a);
	__free_page(b);
	__free_page(low);
	kmm_exit();
}

/* Every page of the area at @p is highmem and holds what was written through @p. */
static void check_area_pages(unsigned char *p, unsigned long size)
{
	unsigned long i;

	for (i = 0; i < size; i += PAGE_SIZE)
		*(unsigned long *)(p + i) = i ^ 0xa5a5;
	for (i = 0; i < size; i += PAGE_SIZE) {
		struct page *page = vmalloc_to_page(p + i);
		unsigned long *k;

		assert_true(PageHighMem(page));
		k = kmap_local_page(page);
		assert_int_equal(k[0], i ^ 0xa5a5);
		kunmap_local(k);
	}
}

static void test_vmalloc_takes_highmem_pages(void **state)
{
	const unsigned long size = 8UL << 20;
	unsigned long high_before;
	unsigned char *p;
	unsigned long i;

	(void)state;
	assert_int_equal(kmm_init(MACHINE), 0);
	high_before = drained_free_high();
	p = vmalloc(size);
	assert_non_null(p);
	check_area_pages(p, size);
	assert_int_equal(high_before - drained_free_high(), size >> PAGE_SHIFT);
	memset(p, 0xff, size);
	vfree(p);
	assert_int_equal(drained_free_high(), high_before);
	/* vzalloc of (likely the same) highmem pages: zero */
	p = vzalloc(size);
	assert_non_null(p);
	for (i = 0; i < size; i++)
		if (p[i])
			fail_msg("byte %lu of vzalloc() is %#x", i, p[i]);
	assert_true(PageHighMem(vmalloc_to_page(p)));
	vfree(p);
	/* vmalloc_32 stays below 4 GiB: never highmem */
	p = vmalloc_32(PAGE_SIZE);
	assert_false(PageHighMem(vmalloc_to_page(p)));
	vfree(p);
	kmm_exit();
}

static void test_vmalloc_with_lowmem_nearly_full_uses_highmem(void **state)
{
	const unsigned long size = 32UL << 20;
	struct page **low = calloc(LOWMEM_PAGES, sizeof(*low));
	unsigned long n = 0, high_before;
	unsigned char *p;

	(void)state;
	assert_non_null(low);
	assert_int_equal(kmm_init(MACHINE), 0);
	/* take lowmem until the watermarks stop us, then give 1 MiB back */
	while (n < LOWMEM_PAGES &&
	       (low[n] = alloc_page(GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY)) != NULL)
		n++;
	assert_true(n > LOWMEM_PAGES - 4096);
	for (int i = 0; i < 256; i++)
		__free_page(low[--n]);
	high_before = drained_free_high();
	p = vmalloc(size);
	assert_non_null(p);
	check_area_pages(p, size);
	/* the area's pages, and at most the few of its page array, came from HighMem */
	assert_true(high_before - drained_free_high() >= size >> PAGE_SHIFT);
	assert_true(high_before - drained_free_high() <= (size >> PAGE_SHIFT) + 32);
	vfree(p);
	assert_int_equal(drained_free_high(), high_before);
	while (n > 0)
		__free_page(low[--n]);
	free(low);
	kmm_exit();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kmm_test(test_highmem_is_the_top_of_memory_outside_the_direct_map),
		kmm_test(test_highmem_with_fake_numa_is_the_top_of_the_last_node),
		kmm_test(test_meminfo_shows_high_and_low_totals),
		kmm_test(test_without_highmem_nothing_changes),
		kmm_test(test_highmem_that_leaves_too_little_lowmem_is_refused),
		kmm_test(test_gfp_highuser_lands_in_highmem_without_an_address),
		kmm_test(test_kmap_round_trips_and_aliases_a_vmap),
		kmm_test(test_kmap_of_lowmem_is_page_address),
		kmm_test(test_kmap_local_nests_lifo_per_thread),
		kmm_test(test_kmap_local_has_km_max_idx_slots),
		kmm_test(test_thread_exit_unmaps_leftover_kmap_local),
		kmm_test(test_kunmap_local_out_of_order_is_refused),
		kmm_test(test_kunmap_of_a_page_not_kmapped_is_reported),
		kmm_test(test_pkmap_fills_at_last_pkmap_then_waits_for_a_kunmap),
		kmm_test(test_kunmapped_entries_are_reused_after_a_wrap),
		kmm_test(test_gfp_zero_zeroes_highmem_pages),
		kmm_test(test_highmem_copy_and_zero_helpers),
		kmm_test(test_vmalloc_takes_highmem_pages),
		kmm_test(test_vmalloc_with_lowmem_nearly_full_uses_highmem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
