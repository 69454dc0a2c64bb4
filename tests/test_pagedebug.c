/* SPDX-License-Identifier: MIT */
/*
 * Page debugging: debug_pagealloc= (a use after free faults), page_poison=
 * (a write after free is reported when the page is allocated again),
 * init_on_alloc=/init_on_free= for pages, and, in the ASan build, ASan's
 * report of a use after free_pages().
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <kmm/kmm.h>
#include <kmm/poison.h>
#include "kmm_test.h"

#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN 1
#endif

/*
 * Touching freed memory on purpose: not instrumented, so that in the ASan build
 * the access reaches the page (and faults, or writes) instead of being stopped
 * by ASan's own check, which is tested separately.
 */
__attribute__((noinline, no_sanitize_address)) static int peek(const void *p)
{
	return *(const volatile unsigned char *)p;
}

__attribute__((noinline, no_sanitize_address)) static void poke(void *p, unsigned char v)
{
	*(volatile unsigned char *)p = v;
}

/* debug_pagealloc */

static int use_after_free_child(void *arg)
{
	const char *cmdline = arg;
	struct page *page;
	char *p;

	if (kmm_init(cmdline))
		return 1;
	page = alloc_page(GFP_KERNEL);
	if (!page)
		return 2;
	p = page_address(page);
	p[0] = 1;
	__free_page(page);
	return peek(p + 100) == 0 ? 0 : 3; /* faults under debug_pagealloc */
}

static void test_debug_pagealloc_use_after_free_faults(void **state)
{
	(void)state;
	assert_int_equal(child_exit_status(use_after_free_child, "mem=64M debug_pagealloc=on"),
			 CHILD_FAULTED);
	/* The same program without it reads the free page. */
	assert_int_equal(child_exit_status(use_after_free_child, "mem=64M"), 0);
}

static int use_of_high_order_tail_child(void *arg)
{
	struct page *page;
	char *p;

	(void)arg;
	if (kmm_init("mem=64M debug_pagealloc=on"))
		return 1;
	page = alloc_pages(GFP_KERNEL, 3);
	if (!page)
		return 2;
	p = page_address(page);
	memset(p, 7, PAGE_SIZE << 3);
	free_pages((unsigned long)p, 3);
	return peek(p + 7 * PAGE_SIZE + 5) ? 3 : 0;
}

static void test_debug_pagealloc_unmaps_every_page_of_a_freed_block(void **state)
{
	(void)state;
	assert_int_equal(child_exit_status(use_of_high_order_tail_child, NULL), CHILD_FAULTED);
}

/* Read a page in the middle of a 1 GiB machine that nothing has allocated. */
static int never_allocated_child(void *arg)
{
	char line[64];

	snprintf(line, sizeof(line), "mem=1G %s", (const char *)arg);
	if (kmm_init(line))
		return 1;
	if (!alloc_page(GFP_KERNEL))
		return 2;
	return peek(__va(600UL << 20)) ? 3 : 0;
}

static void test_debug_pagealloc_unmaps_memory_never_allocated(void **state)
{
	(void)state;
	assert_int_equal(child_exit_status(never_allocated_child, "debug_pagealloc=on"),
			 CHILD_FAULTED);
	assert_int_equal(child_exit_status(never_allocated_child, ""), 0);
}

/* alloc_until - allocate pages with @gfp until @page comes back; the others are freed. */
static struct page *alloc_until(struct page *page, gfp_t gfp)
{
	static struct page *held[4096];
	int n = 0;

	do {
		held[n] = alloc_page(gfp);
		assert_non_null(held[n]);
	} while (held[n++] != page && n < 4096);
	assert_ptr_equal(held[n - 1], page);
	n--;
	while (n--)
		__free_page(held[n]);
	return page;
}

static void test_debug_pagealloc_maps_pages_back_on_allocation(void **state)
{
	enum { N = 300 };
	static void *addr[N];
	unsigned long before;
	int i, round;

	(void)state;
	assert_int_equal(kmm_init("mem=64M debug_pagealloc=on"), 0);
	before = drained_free();
	/* Reuse the same pages over and over, every order, zeroed or not. */
	for (round = 0; round < 3; round++) {
		for (i = 0; i < N; i++) {
			unsigned int order = (unsigned int)(i % 5);
			gfp_t gfp = GFP_KERNEL | (i & 1 ? __GFP_ZERO : 0);

			addr[i] = (void *)__get_free_pages(gfp, order);
			assert_non_null(addr[i]);
			if (gfp & __GFP_ZERO)
				assert_int_equal(((char *)addr[i])[(PAGE_SIZE << order) - 1], 0);
			memset(addr[i], round + 1, PAGE_SIZE << order);
		}
		for (i = 0; i < N; i++)
			free_pages((unsigned long)addr[i], (unsigned int)(i % 5));
	}
	/* The per-CPU lists are off: every free page is back in the buddy lists at once. */
	assert_int_equal(nr_free_pages(), before);
	kmm_exit();
}

/* page_poison */

/*
 * Free a page, write @value at @offset of it, and allocate pages until that
 * page comes back; stderr is returned in @c.
 */
static void write_after_free(const char *cmdline, size_t offset, unsigned char value,
			     struct capture *c, unsigned long *pfn)
{
	struct page *page;
	char *p;

	assert_int_equal(kmm_init(cmdline), 0);
	page = alloc_page(GFP_KERNEL);
	assert_non_null(page);
	*pfn = page_to_pfn(page);
	p = page_address(page);
	memset(p, 0x11, PAGE_SIZE);
	__free_page(page);
	poke(p + offset, value);
	capture_begin(c);
	alloc_until(page, GFP_KERNEL);
	capture_end(c);
	__free_page(page);
}

static void test_page_poison_reports_a_write_after_free(void **state)
{
	struct capture c;
	unsigned long pfn;
	char line[128];

	(void)state;
	write_after_free("mem=64M page_poison=1", 0x123, 0x5a, &c, &pfn);
	assert_non_null(strstr(c.text, "pagealloc: memory corruption\n"));
	/* The hex dump starts at the bad byte: its address, then the byte. */
	snprintf(line, sizeof(line), "%016lx: %-47s  Z\n", (unsigned long)pfn_to_virt(pfn) + 0x123,
		 "5a");
	assert_non_null(strstr(c.text, line));
	snprintf(line, sizeof(line), "pagealloc: pfn %#lx (address %p): bytes 0x123..0x123", pfn,
		 pfn_to_virt(pfn));
	assert_non_null(strstr(c.text, line));
	assert_non_null(strstr(c.text, "page dumped because: pagealloc: corrupted page details"));
	kmm_exit();
}

static void test_page_poison_names_a_single_bit_error(void **state)
{
	struct capture c;
	unsigned long pfn;

	(void)state;
	write_after_free("mem=64M page_poison=1", 4000, PAGE_POISON ^ 0x10, &c, &pfn);
	assert_non_null(strstr(c.text, "pagealloc: single bit error\n"));
	assert_null(strstr(c.text, "memory corruption"));
	kmm_exit();
}

static void test_page_poison_is_silent_without_a_write_after_free(void **state)
{
	struct capture c;
	unsigned long pfn;

	(void)state;
	/* Writing PAGE_POISON itself changes nothing: no report. */
	write_after_free("mem=64M page_poison=1", 10, PAGE_POISON, &c, &pfn);
	assert_string_equal(c.text, "");
	kmm_exit();
	/* And without page_poison=1 a real write after free goes unnoticed. */
	write_after_free("mem=64M", 10, 0x5a, &c, &pfn);
	assert_string_equal(c.text, "");
	kmm_exit();
}

static void test_page_poison_fills_free_pages_and_reports_once(void **state)
{
	struct capture c;
	unsigned long pfn;
	struct page *page;

	(void)state;
	write_after_free("mem=64M page_poison=1", 0, 0, &c, &pfn);
	assert_non_null(strstr(c.text, "memory corruption"));
	/* Freed again untouched, the page is all PAGE_POISON and comes back silently. */
	page = pfn_to_page(pfn);
	assert_int_equal(peek((char *)page_address(page) + 77), PAGE_POISON);
	capture_begin(&c);
	alloc_until(page, GFP_KERNEL);
	capture_end(&c);
	assert_string_equal(c.text, "");
	__free_page(page);
	kmm_exit();
}

static void poison_write_after_free(void)
{
	struct page *page = alloc_page(GFP_KERNEL);
	char *p = page_address(page);
	int i;

	__free_page(page);
	poke(p + 8, 0);
	for (i = 0; i < 4096 && alloc_page(GFP_KERNEL) != page; i++)
		;
}

static void test_page_poison_report_aborts_with_panic_on_warn(void **state)
{
	(void)state;
	assert_panic_on_warn_aborts("mem=64M page_poison=1", poison_write_after_free);
}

static void test_page_poison_and_debug_pagealloc_together(void **state)
{
	struct capture c;
	unsigned long pfn;
	struct page *page;

	(void)state;
	assert_int_equal(kmm_init("mem=64M page_poison=1 debug_pagealloc=on"), 0);
	capture_begin(&c);
	for (pfn = 0; pfn < 200; pfn++) {
		page = alloc_pages(GFP_KERNEL | (pfn & 1 ? __GFP_ZERO : 0), (unsigned int)pfn % 4);
		assert_non_null(page);
		memset(page_address(page), 3, PAGE_SIZE);
		__free_pages(page, (unsigned int)pfn % 4);
	}
	capture_end(&c);
	assert_string_equal(c.text, "");
	kmm_exit();
}

/* init_on_alloc / init_on_free */

static void dirty_and_free(int n, unsigned char value)
{
	static void *addr[64];
	int i;

	for (i = 0; i < n; i++) {
		addr[i] = (void *)__get_free_page(GFP_KERNEL);
		assert_non_null(addr[i]);
		memset(addr[i], value, PAGE_SIZE);
	}
	for (i = 0; i < n; i++)
		free_page((unsigned long)addr[i]);
}

/* How many of @n fresh pages hold a byte that is not zero. */
static int dirty_pages_allocated(int n)
{
	static void *addr[64];
	int i, dirty = 0;

	for (i = 0; i < n; i++) {
		unsigned char *p = (void *)__get_free_page(GFP_KERNEL);
		size_t j;

		assert_non_null(p);
		for (j = 0; j < PAGE_SIZE && !p[j]; j++)
			;
		dirty += j < PAGE_SIZE;
		addr[i] = p;
	}
	for (i = 0; i < n; i++)
		free_page((unsigned long)addr[i]);
	return dirty;
}

static void test_init_on_alloc_zeroes_every_page(void **state)
{
	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	dirty_and_free(32, 0x77);
	assert_true(dirty_pages_allocated(32) > 0);
	kmm_exit();
	assert_int_equal(kmm_init("mem=64M init_on_alloc=1"), 0);
	dirty_and_free(32, 0x77);
	assert_int_equal(dirty_pages_allocated(32), 0);
	kmm_exit();
}

static void test_init_on_free_zeroes_a_page_when_freed(void **state)
{
	char *p;

	(void)state;
	assert_int_equal(kmm_init("mem=64M init_on_free=1"), 0);
	p = (char *)__get_free_page(GFP_KERNEL);
	assert_non_null(p);
	memset(p, 0x77, PAGE_SIZE);
	free_page((unsigned long)p);
	assert_int_equal(peek(p), 0);
	assert_int_equal(peek(p + PAGE_SIZE - 1), 0);
	dirty_and_free(32, 0x55);
	assert_int_equal(dirty_pages_allocated(32), 0);
	kmm_exit();
}

static void test_init_on_free_makes_gfp_zero_skip_zeroing(void **state)
{
	struct page *page, *again;
	char *p;

	(void)state;
	assert_int_equal(kmm_init("mem=64M init_on_free=1 init_on_alloc=1"), 0);
	page = alloc_page(GFP_KERNEL);
	assert_non_null(page);
	p = page_address(page);
	__free_page(page);
	/* A write after free survives: the page is not zeroed a second time. */
	poke(p + 9, 0x42);
	again = alloc_until(page, GFP_KERNEL | __GFP_ZERO);
	assert_int_equal(p[9], 0x42);
	__free_page(again);
	kmm_exit();
	/* init_on_alloc alone zeroes on allocation: the write is gone. */
	assert_int_equal(kmm_init("mem=64M init_on_alloc=1"), 0);
	page = alloc_page(GFP_KERNEL);
	p = page_address(page);
	__free_page(page);
	poke(p + 9, 0x42);
	again = alloc_until(page, GFP_KERNEL);
	assert_int_equal(p[9], 0);
	__free_page(again);
	kmm_exit();
}

static void test_page_poison_takes_precedence_over_init_on_free(void **state)
{
	struct capture c;
	char *p;

	(void)state;
	capture_begin(&c);
	assert_int_equal(kmm_init("mem=64M page_poison=1 init_on_free=1"), 0);
	capture_end(&c);
	assert_non_null(strstr(c.text, "page_poison is on, will take precedence"));
	p = (char *)__get_free_page(GFP_KERNEL);
	free_page((unsigned long)p);
	assert_int_equal(peek(p), PAGE_POISON);
	kmm_exit();
}

static void test_highmem_pages_are_poisoned_and_zeroed_through_kmap(void **state)
{
	struct capture c;
	struct page *page;
	unsigned char *p;
	int i;

	(void)state;
	assert_int_equal(kmm_init("mem=128M highmem=64M page_poison=1 debug_pagealloc=on"), 0);
	capture_begin(&c);
	for (i = 0; i < 50; i++) {
		page = alloc_page(GFP_HIGHUSER | (i & 1 ? __GFP_ZERO : 0));
		assert_non_null(page);
		assert_true(PageHighMem(page));
		p = kmap_local_page(page);
		if (i & 1)
			assert_int_equal(p[PAGE_SIZE - 1], 0);
		memset(p, 1, PAGE_SIZE);
		kunmap_local(p);
		__free_page(page);
		/* Free, it holds PAGE_POISON (highmem has no direct map to unmap). */
		p = kmap_local_page(page);
		assert_int_equal(p[100], PAGE_POISON);
		kunmap_local(p);
	}
	capture_end(&c);
	assert_string_equal(c.text, "");
	kmm_exit();
}

/* AddressSanitizer */

#ifdef TEST_ASAN
static int asan_use_after_free_child(void *arg)
{
	char *p;

	(void)arg;
	dup2(*(int *)arg, 2);
	if (kmm_init("mem=64M"))
		return 1;
	p = (char *)__get_free_pages(GFP_KERNEL, 1);
	free_pages((unsigned long)p, 1);
	return *(volatile char *)(p + PAGE_SIZE + 3); /* ASan reports and aborts */
}
#endif

static void test_asan_reports_a_use_after_free_pages(void **state)
{
#ifdef TEST_ASAN
	FILE *f = tmpfile();
	int fd = fileno(f);
	char text[8192];
	size_t n;

	(void)state;
	assert_int_not_equal(child_exit_status(asan_use_after_free_child, &fd), 0);
	rewind(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	assert_non_null(strstr(text, "AddressSanitizer: use-after-poison"));
#else
	(void)state;
	skip();
#endif
}

static void test_asan_poison_does_not_outlive_the_machine(void **state)
{
	char *p;
	int i;

	(void)state;
	/* Free pages are poisoned at exit; the next machine at the same address must be clean. */
	for (i = 0; i < 3; i++) {
		assert_int_equal(kmm_init("mem=64M"), 0);
		p = (char *)__get_free_pages(GFP_KERNEL, 2);
		assert_non_null(p);
		memset(p, 1, PAGE_SIZE << 2);
		free_pages((unsigned long)p, 2);
		kmm_exit();
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kmm_test(test_debug_pagealloc_use_after_free_faults),
		kmm_test(test_debug_pagealloc_unmaps_every_page_of_a_freed_block),
		kmm_one_cpu_test(test_debug_pagealloc_unmaps_memory_never_allocated),
		kmm_test(test_debug_pagealloc_maps_pages_back_on_allocation),
		kmm_test(test_page_poison_reports_a_write_after_free),
		kmm_test(test_page_poison_names_a_single_bit_error),
		kmm_test(test_page_poison_is_silent_without_a_write_after_free),
		kmm_test(test_page_poison_fills_free_pages_and_reports_once),
		kmm_test(test_page_poison_report_aborts_with_panic_on_warn),
		kmm_test(test_page_poison_and_debug_pagealloc_together),
		kmm_test(test_init_on_alloc_zeroes_every_page),
		kmm_test(test_init_on_free_zeroes_a_page_when_freed),
		kmm_test(test_init_on_free_makes_gfp_zero_skip_zeroing),
		kmm_test(test_page_poison_takes_precedence_over_init_on_free),
		kmm_test(test_highmem_pages_are_poisoned_and_zeroed_through_kmap),
		kmm_test(test_asan_reports_a_use_after_free_pages),
		kmm_test(test_asan_poison_does_not_outlive_the_machine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
