/* SPDX-License-Identifier: MIT */
/*
 * Free page reporting: free blocks of pageblock order (2 MiB) and more are
 * given back to the system (holes punched in the physical memory's memfd)
 * about 2 s after they were freed; given-back memory reads as zeros when it is
 * allocated again; memory in use and poisoned free memory are never given back.
 */
#include <kmm/kmm.h>
#include "kmm_test.h"

#define MIB	       (1L << 20)
#define BLOCK_ORDER    9 /* pageblock_order: 2 MiB */
#define BLOCK_BYTES    (PAGE_SIZE << BLOCK_ORDER)
#define NR_BLOCKS      16   /* 32 MiB */
#define REPORT_WAIT_MS 6000 /* the 2 s delay, and a pass, with room to spare */
#define NO_REPORT_MS   2300 /* long enough for a pass to have run */

/* Wait until the physical memory resident is at most @kib, up to @ms; what is resident at the end. */
static long wait_rss_below(long kib, int ms)
{
	long rss = phys_rss_kib();

	for (; rss > kib && ms > 0; ms -= 50) {
		usleep(50 * 1000);
		rss = phys_rss_kib();
	}
	return rss;
}

/*
 * Wait until @nr pages are free, up to @ms; the free pages at the end.  A pass
 * holds the blocks it reports off the free lists while it punches their holes.
 */
static long wait_free_pages(long nr, int ms)
{
	long free = (long)drained_free();

	for (; free != nr && ms > 0; ms -= 50) {
		usleep(50 * 1000);
		free = (long)drained_free();
	}
	return free;
}

static void fill_blocks(struct page **blocks, int nr, unsigned char c)
{
	int i;

	for (i = 0; i < nr; i++) {
		blocks[i] = alloc_pages(GFP_KERNEL, BLOCK_ORDER);
		assert_non_null(blocks[i]);
		memset(page_address(blocks[i]), c, BLOCK_BYTES);
	}
}

static void free_blocks(struct page **blocks, int nr)
{
	int i;

	for (i = 0; i < nr; i++)
		__free_pages(blocks[i], BLOCK_ORDER);
}

static void test_freed_pages_go_back_to_the_system_when_idle(void **state)
{
	enum { NR = (64 * MIB) / PAGE_SIZE };
	static void *pages[NR];
	long free_before, rss_used, rss;
	int i;

	(void)state;
	assert_int_equal(kmm_init("mem=512M"), 0);
	free_before = (long)drained_free();
	for (i = 0; i < NR; i++) {
		pages[i] = (void *)__get_free_pages(GFP_KERNEL, 0);
		assert_non_null(pages[i]);
		memset(pages[i], 0xa5, PAGE_SIZE);
	}
	rss_used = phys_rss_kib();
	for (i = 0; i < NR; i++)
		free_pages((unsigned long)pages[i], 0);
	kmm_drain_all();
	rss = wait_rss_below(rss_used - 56 * 1024, REPORT_WAIT_MS);
	assert_true(rss <= rss_used - 56 * 1024);
	/* given back, but still free memory of the machine once the pass is over */
	assert_int_equal(wait_free_pages(free_before, REPORT_WAIT_MS), free_before);
	assert_true(meminfo_kb("MemFree") >= free_before * (long)(PAGE_SIZE / 1024) - 1024);
}

/*
 * Memory the machine has never handed out was never written: it enters the
 * free lists as given back already, so a zeroed run of it right after boot
 * reads as zeros without being written (RSS stays), as it would after a pass.
 */
static void test_fresh_memory_counts_as_given_back(void **state)
{
	enum { NR = (32 * MIB) / PAGE_SIZE };
	struct page *run;
	long rss_before;
	unsigned long i;

	(void)state;
	assert_int_equal(kmm_init("mem=256M"), 0);
	rss_before = phys_rss_kib();
	run = alloc_contig_pages(NR, GFP_KERNEL | __GFP_ZERO, NUMA_NO_NODE, NULL);
	assert_non_null(run);
	assert_true(phys_rss_kib() < rss_before + 4 * 1024);
	for (i = 0; i < NR; i += 97)
		assert_int_equal(((unsigned char *)page_address(run + i))[i % PAGE_SIZE], 0);
	free_contig_range(page_to_pfn(run), NR);
}

static void test_debug_pagealloc_memory_goes_back_too(void **state)
{
	struct page *blocks[NR_BLOCKS];
	long rss_used;

	(void)state;
	assert_int_equal(kmm_init("mem=256M debug_pagealloc=on"), 0);
	fill_blocks(blocks, NR_BLOCKS, 0x11);
	rss_used = phys_rss_kib();
	free_blocks(blocks, NR_BLOCKS);
	assert_true(wait_rss_below(rss_used - 24 * 1024, REPORT_WAIT_MS) <= rss_used - 24 * 1024);
}

static void test_a_reported_block_reads_zero_when_allocated_again(void **state)
{
	struct page *blocks[NR_BLOCKS], *again[256];
	unsigned long pfns[NR_BLOCKS];
	long rss_used, free_before;
	int i, j, n, found = 0;

	(void)state;
	assert_int_equal(kmm_init("mem=256M"), 0);
	free_before = (long)drained_free();
	fill_blocks(blocks, NR_BLOCKS, 0x5a);
	for (i = 0; i < NR_BLOCKS; i++)
		pfns[i] = page_to_pfn(blocks[i]);
	rss_used = phys_rss_kib();
	free_blocks(blocks, NR_BLOCKS);
	assert_true(wait_rss_below(rss_used - 24 * 1024, REPORT_WAIT_MS) <= rss_used - 24 * 1024);
	/* no block still held off the free lists by the pass */
	assert_int_equal(wait_free_pages(free_before, REPORT_WAIT_MS), free_before);
	/* take every block there is, so the reported ones are among them */
	for (n = 0; n < 256; n++) {
		again[n] = alloc_pages(GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN, BLOCK_ORDER);
		if (!again[n])
			break;
	}
	for (i = 0; i < n; i++) {
		const unsigned char *p = page_address(again[i]);

		for (j = 0; j < NR_BLOCKS; j++)
			if (page_to_pfn(again[i]) == pfns[j])
				break;
		if (j == NR_BLOCKS)
			continue;
		found++;
		assert_true(p[0] == 0 && !memcmp(p, p + 1, BLOCK_BYTES - 1));
		memset(page_address(again[i]), 0x77, BLOCK_BYTES);
		assert_int_equal(p[BLOCK_BYTES - 1], 0x77);
	}
	assert_true(found >= NR_BLOCKS / 2);
	free_blocks(again, n);
}

static void test_memory_in_use_is_not_reported(void **state)
{
	struct page *held[NR_BLOCKS], *freed[NR_BLOCKS];
	long rss_used;
	int i;

	(void)state;
	assert_int_equal(kmm_init("mem=256M"), 0);
	fill_blocks(held, NR_BLOCKS, 0x3c);
	fill_blocks(freed, NR_BLOCKS, 0xc3);
	rss_used = phys_rss_kib();
	free_blocks(freed, NR_BLOCKS);
	/* the freed half goes back ... */
	assert_true(wait_rss_below(rss_used - 24 * 1024, REPORT_WAIT_MS) <= rss_used - 24 * 1024);
	usleep(100 * 1000);
	/* ... the held half is untouched and still resident */
	assert_true(phys_rss_kib() >= (long)(NR_BLOCKS * BLOCK_BYTES / 1024));
	for (i = 0; i < NR_BLOCKS; i++) {
		const unsigned char *p = page_address(held[i]);

		assert_true(p[0] == 0x3c && !memcmp(p, p + 1, BLOCK_BYTES - 1));
	}
	free_blocks(held, NR_BLOCKS);
}

/* With page_poison=1 or the order above MAX_PAGE_ORDER, free memory stays resident. */
static void assert_nothing_reported(const char *cmdline)
{
	struct page *blocks[NR_BLOCKS];
	long rss_used;

	assert_int_equal(kmm_init(cmdline), 0);
	fill_blocks(blocks, NR_BLOCKS, 0x42);
	rss_used = phys_rss_kib();
	free_blocks(blocks, NR_BLOCKS);
	usleep(NO_REPORT_MS * 1000);
	assert_true(phys_rss_kib() >= rss_used - 4 * 1024);
	/* poisoned memory still checks clean when it is allocated again */
	fill_blocks(blocks, NR_BLOCKS, 0x43);
	free_blocks(blocks, NR_BLOCKS);
	kmm_exit();
}

static void test_nothing_is_reported_with_page_poison(void **state)
{
	(void)state;
	assert_nothing_reported("mem=256M page_poison=1");
}

static void test_reporting_order_above_max_turns_it_off(void **state)
{
	(void)state;
	assert_nothing_reported("mem=256M page_reporting.page_reporting_order=11");
}

/* A fork child of a machine with reported blocks allocates them as zeros, and reports its own. */
static int reported_blocks_in_child(void)
{
	struct page *blocks[64];
	int i, n;

	for (n = 0; n < 64; n++) {
		blocks[n] = alloc_pages(GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN, BLOCK_ORDER);
		if (!blocks[n])
			return 2;
		if (((const unsigned char *)page_address(blocks[n]))[BLOCK_BYTES / 2] != 0)
			return 3;
		memset(page_address(blocks[n]), 0x99, BLOCK_BYTES);
	}
	for (i = 0; i < n; i++)
		__free_pages(blocks[i], BLOCK_ORDER);
	return 0;
}

static void test_fork_child_keeps_reported_blocks_as_holes(void **state)
{
	struct page *blocks[NR_BLOCKS];
	long rss_used;
	pid_t pid;
	int status;

	(void)state;
	assert_int_equal(kmm_init("mem=256M"), 0);
	fill_blocks(blocks, NR_BLOCKS, 0x5a);
	rss_used = phys_rss_kib();
	free_blocks(blocks, NR_BLOCKS);
	assert_true(wait_rss_below(rss_used - 24 * 1024, REPORT_WAIT_MS) <= rss_used - 24 * 1024);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int ret = reported_blocks_in_child();

		kmm_exit();
		_exit(ret);
	}
	assert_true(waitpid(pid, &status, 0) == pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kmm_test(test_fresh_memory_counts_as_given_back),
		kmm_test(test_freed_pages_go_back_to_the_system_when_idle),
		kmm_test(test_debug_pagealloc_memory_goes_back_too),
		kmm_test(test_a_reported_block_reads_zero_when_allocated_again),
		kmm_test(test_memory_in_use_is_not_reported),
		kmm_test(test_nothing_is_reported_with_page_poison),
		kmm_test(test_reporting_order_above_max_turns_it_off),
		kmm_test(test_fork_child_keeps_reported_blocks_as_holes),
	};

	return cmocka_run_group_tests_name("page_reporting", tests, NULL, NULL);
}
