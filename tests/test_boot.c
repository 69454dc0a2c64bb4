/* SPDX-License-Identifier: MIT */
/* Booting the emulated machine: the command line, the direct map, zones, lazy memmap. */
#include <errno.h>
#include <kmm/kmm.h>
#include "kmm_test.h"

static void test_default_boot_is_one_gib(void **state)
{
	(void)state;
	assert_int_equal(kmm_init(NULL), 0);
	assert_true(kmm_booted());
	assert_int_equal(kmm_max_pfn, (1UL << 30) >> PAGE_SHIFT);
	/* page 0, the memmap and the pageblock types are reserved; the rest is free
	 * but for the few pages of each kmalloc cache */
	assert_true(totalram_pages() < kmm_max_pfn);
	assert_true(totalram_pages() > kmm_max_pfn - kmm_max_pfn / 50);
	kmm_drain_all();
	assert_true(totalram_pages() - nr_free_pages() < 256);
	kmm_exit();
	assert_false(kmm_booted());
}

static void test_second_init_is_busy(void **state)
{
	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	assert_int_equal(kmm_init("mem=64M"), -EBUSY);
	kmm_exit();
}

static void test_bad_value_is_einval_with_one_line(void **state)
{
	struct capture c;
	const char *out;

	(void)state;
	capture_begin(&c);
	assert_int_equal(kmm_init("mem=banana"), -EINVAL);
	out = capture_end(&c);
	assert_false(kmm_booted());
	assert_int_equal(count_lines(out), 1);
	assert_non_null(strstr(out, "mem=banana"));
	capture_begin(&c);
	assert_int_equal(kmm_init("numa=fake=x"), -EINVAL);
	assert_int_equal(kmm_init("min_free_kbytes=-5"), -EINVAL);
	assert_int_equal(kmm_init("panic_on_warn=maybe"), -EINVAL);
	assert_int_equal(kmm_init("mem=1K"), -EINVAL);
	out = capture_end(&c);
	assert_int_equal(count_lines(out), 4);
	assert_false(kmm_booted());
}

static void test_unknown_parameter_is_reported_and_ignored(void **state)
{
	struct capture c;
	const char *out;

	(void)state;
	capture_begin(&c);
	assert_int_equal(kmm_init("mem=64M quiet foo=bar"), 0);
	out = capture_end(&c);
	assert_non_null(strstr(out, "\"quiet\""));
	assert_non_null(strstr(out, "\"foo=bar\""));
	assert_int_equal(kmm_max_pfn, (64UL << 20) >> PAGE_SHIFT);
	kmm_exit();
}

/* kmm_init("help") prints every subsystem's parameters to stdout, then boots. */
static void test_help_lists_every_parameter(void **state)
{
	static const char *const names[] = {
		"panic_on_warn (report)",
		"mem (machine)",
		"numa (machine)",
		"vmalloc (machine)",
		"highmem (machine)",
		"min_free_kbytes (buddy)",
		"debug_pagealloc (page_debug)",
		"init_on_free (page_debug)",
		"slub_debug (slab_debug)",
		"failslab (fault)",
		"fail_page_alloc.min-order (fault)",
		"kmmstat (stat)",
	};
	FILE *f = tmpfile();
	char out[8192];
	size_t i, n;
	int saved = dup(1);

	(void)state;
	assert_non_null(f);
	fflush(stdout);
	dup2(fileno(f), 1);
	assert_int_equal(kmm_init("mem=64M help"), 0);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	assert_true(kmm_booted());
	assert_int_equal(kmm_max_pfn, (64UL << 20) >> PAGE_SHIFT);
	kmm_exit();
	rewind(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	fclose(f);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_non_null(strstr(out, names[i]));
	assert_non_null(
		strstr(out, "\tvalues: a size from 16M to 4T, e.g. mem=512M; default: 1G\n"));
	assert_non_null(strstr(out, "\tvalues: on or off; default: off\n"));
}

/* Every boot starts from the defaults: the last boot's parameters do not carry over. */
static void test_parameters_reset_at_each_boot(void **state)
{
	struct kmem_cache *c;

	(void)state;
	assert_int_equal(kmm_init("mem=64M slub_debug=FZ init_on_free=1"), 0);
	c = kmem_cache_create("reset-check", 64, 0, 0, NULL);
	assert_non_null(c);
	assert_true(c->flags & SLAB_CONSISTENCY_CHECKS);
	kmem_cache_destroy(c);
	kmm_exit();
	assert_int_equal(kmm_init("mem=64M"), 0);
	c = kmem_cache_create("reset-check", 64, 0, 0, NULL);
	assert_non_null(c);
	assert_false(c->flags & (SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE));
	kmem_cache_destroy(c);
	kmm_exit();
}

static void test_first_allocation_boots_from_environment(void **state)
{
	struct page *page;

	(void)state;
	setenv("KMM_CMDLINE", "mem=96M", 1);
	page = alloc_page(GFP_KERNEL);
	assert_non_null(page);
	assert_true(kmm_booted());
	assert_int_equal(kmm_max_pfn, (96UL << 20) >> PAGE_SHIFT);
	__free_page(page);
	kmm_exit();
	unsetenv("KMM_CMDLINE");
}

static void test_direct_map_is_gib_aligned_arithmetic(void **state)
{
	unsigned long addr;
	struct page *page;

	(void)state;
	assert_int_equal(kmm_init("mem=128M"), 0);
	assert_int_equal(PAGE_OFFSET & ((1UL << 30) - 1), 0);
	page = alloc_page(GFP_KERNEL);
	assert_non_null(page);
	addr = (unsigned long)page_address(page);
	assert_int_equal(addr, PAGE_OFFSET + (page_to_pfn(page) << PAGE_SHIFT));
	assert_int_equal(__pa(addr), page_to_phys(page));
	assert_ptr_equal(__va(page_to_phys(page)), (void *)addr);
	assert_ptr_equal(virt_to_page((void *)(addr + 123)), page);
	assert_ptr_equal(pfn_to_page(page_to_pfn(page)), page);
	assert_ptr_equal(phys_to_virt(virt_to_phys((void *)addr)), (void *)addr);
	assert_true(virt_addr_valid((void *)addr));
	assert_false(virt_addr_valid(&addr));
	assert_false(virt_addr_valid((void *)(PAGE_OFFSET + (kmm_max_pfn << PAGE_SHIFT))));
	__free_page(page);
	kmm_exit();
}

static void test_zones_of_six_gib(void **state)
{
	pg_data_t *pgdat;

	(void)state;
	assert_int_equal(kmm_init("mem=6G"), 0);
	pgdat = NODE_DATA(0);
	assert_string_equal(pgdat->node_zones[ZONE_DMA].name, "DMA");
	assert_string_equal(pgdat->node_zones[ZONE_DMA32].name, "DMA32");
	assert_string_equal(pgdat->node_zones[ZONE_NORMAL].name, "Normal");
	assert_int_equal(pgdat->node_zones[ZONE_DMA].zone_start_pfn, 0);
	assert_int_equal(pgdat->node_zones[ZONE_DMA].spanned_pages, (16UL << 20) >> PAGE_SHIFT);
	assert_int_equal(pgdat->node_zones[ZONE_DMA32].zone_start_pfn, (16UL << 20) >> PAGE_SHIFT);
	assert_int_equal(pgdat->node_zones[ZONE_NORMAL].zone_start_pfn, (4UL << 30) >> PAGE_SHIFT);
	assert_int_equal(pgdat->node_zones[ZONE_NORMAL].spanned_pages, (2UL << 30) >> PAGE_SHIFT);
	assert_false(populated_zone(&pgdat->node_zones[ZONE_HIGHMEM]));
	kmm_exit();
}

static void test_fake_numa_splits_nodes(void **state)
{
	struct page *page;
	int nid;

	(void)state;
	assert_int_equal(kmm_init("mem=1G numa=fake=4"), 0);
	assert_int_equal(kmm_nr_online_nodes, 4);
	for (nid = 0; nid < 4; nid++) {
		assert_int_equal(NODE_DATA(nid)->node_spanned_pages, (256UL << 20) >> PAGE_SHIFT);
		page = alloc_pages_node(nid, GFP_KERNEL, 0);
		assert_non_null(page);
		assert_int_equal(page_to_nid(page), nid);
		__free_page(page);
	}
	kmm_exit();
	assert_int_equal(kmm_init("mem=256M numa=fake=4"), -EINVAL);
}

static void test_boot_of_64g_stays_small(void **state)
{
	long before, after;
	struct page *page;

	(void)state;
	before = rss_kib();
	assert_int_equal(kmm_init("mem=64G"), 0);
	after = rss_kib();
	assert_int_equal(kmm_max_pfn, (64UL << 30) >> PAGE_SHIFT);
	/* The memmap of 64G is 1 GiB; booting must touch almost none of it. */
	assert_true(after - before < 8 * 1024);
	assert_true(nr_free_pages() > kmm_max_pfn - kmm_max_pfn / 50);
	page = alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER);
	assert_non_null(page);
	__free_pages(page, MAX_PAGE_ORDER);
	assert_true(rss_kib() - before < 16 * 1024);
	kmm_exit();
}

static void test_exit_and_reboot_many_times(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < 20; i++) {
		struct page *page;

		assert_int_equal(kmm_init(i % 2 ? "mem=32M" : "mem=48M"), 0);
		page = alloc_pages(GFP_KERNEL, (unsigned)i % 4);
		assert_non_null(page);
		memset(page_address(page), i, PAGE_SIZE << (i % 4));
		__free_pages(page, (unsigned)i % 4);
		kmm_exit();
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kmm_test(test_default_boot_is_one_gib),
		kmm_test(test_second_init_is_busy),
		kmm_test(test_bad_value_is_einval_with_one_line),
		kmm_test(test_unknown_parameter_is_reported_and_ignored),
		kmm_test(test_help_lists_every_parameter),
		kmm_test(test_parameters_reset_at_each_boot),
		kmm_test(test_first_allocation_boots_from_environment),
		kmm_test(test_direct_map_is_gib_aligned_arithmetic),
		kmm_test(test_zones_of_six_gib),
		kmm_test(test_fake_numa_splits_nodes),
		kmm_test(test_boot_of_64g_stays_small),
		kmm_test(test_exit_and_reboot_many_times),
	};

	return cmocka_run_group_tests_name("boot", tests, NULL, NULL);
}
