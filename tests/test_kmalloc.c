/* SPDX-License-Identifier: MIT */
/*
 * kmalloc: the kmm_kmalloc_info and size-index tables, the caches and their names,
 * size classes and alignment, DMA and reclaimable families, large kmallocs,
 * the k* helpers, kfree() of anything, kfree_rcu(), and the bad-input reports.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>
#include <kmm/kmm.h>
#include "kmm_test.h"
#include "rcu_reader.h"

/* The cache an object lives in (its page's), NULL if it is not a slab object. */
static struct kmem_cache *cache_of(const void *obj)
{
	struct page *page = virt_to_page(obj);

	return PageSlab(compound_head(page)) ? (struct kmem_cache *)page->mapping : NULL;
}

/* A cache's line in /proc/slabinfo: active objects and object size; false if it has none. */
static bool slabinfo_line(const char *text, const char *name, unsigned long *active,
			  unsigned int *objsize)
{
	char key[80];
	const char *line;
	unsigned long num;

	snprintf(key, sizeof(key), "\n%s ", name);
	line = strstr(text, key);
	if (!line)
		return false;
	assert_int_equal(sscanf(line + strlen(key), "%lu %lu %u", active, &num, objsize), 3);
	return true;
}

/* The object size slabinfo shows for a cache, 0 if it has no line. */
static unsigned int slabinfo_objsize(const char *text, const char *name)
{
	unsigned long active;
	unsigned int objsize;

	return slabinfo_line(text, name, &active, &objsize) ? objsize : 0;
}

static const char *ptr_text(const void *p)
{
	static char buf[32];

	snprintf(buf, sizeof(buf), "%p", p);
	return buf;
}

/* The tables. */

static void test_kmalloc_info_has_the_kernel_names_and_sizes(void **state)
{
	static const char *const names[] = {
		NULL,	       "kmalloc-96",  "kmalloc-192",  "kmalloc-8",    "kmalloc-16",
		"kmalloc-32",  "kmalloc-64",  "kmalloc-128",  "kmalloc-256",  "kmalloc-512",
		"kmalloc-1k",  "kmalloc-2k",  "kmalloc-4k",   "kmalloc-8k",   "kmalloc-16k",
		"kmalloc-32k", "kmalloc-64k", "kmalloc-128k", "kmalloc-256k", "kmalloc-512k",
		"kmalloc-1M",  "kmalloc-2M",  "kmalloc-4M",   "kmalloc-8M",   "kmalloc-16M",
		"kmalloc-32M", "kmalloc-64M",
	};
	unsigned int i;

	(void)state;
	assert_null(kmm_kmalloc_info[0].name);
	assert_int_equal(kmm_kmalloc_info[0].size, 0);
	assert_int_equal(kmm_kmalloc_info[1].size, 96);
	assert_int_equal(kmm_kmalloc_info[2].size, 192);
	for (i = 1; i <= 26; i++) {
		assert_string_equal(kmm_kmalloc_info[i].name, names[i]);
		if (i >= 3)
			assert_int_equal(kmm_kmalloc_info[i].size, 1u << i);
	}
}

static void test_size_index_table_has_the_kernel_entries(void **state)
{
	static const unsigned char expect[24] = {3, 4, 5, 5, 6, 6, 6, 6, 1, 1, 1, 1,
						 7, 7, 7, 7, 2, 2, 2, 2, 2, 2, 2, 2};
	int i;

	(void)state;
	for (i = 0; i < 24; i++)
		assert_int_equal(kmm_kmalloc_size_index[i], expect[i]);
}

/* Constant arguments: folded at compile time. */
static void test_kmalloc_index_of_constant_sizes(void **state)
{
	(void)state;
	assert_int_equal(kmalloc_index(0), 0);
	assert_int_equal(kmalloc_index(1), 3);
	assert_int_equal(kmalloc_index(8), 3);
	assert_int_equal(kmalloc_index(9), 4);
	assert_int_equal(kmalloc_index(64), 6);
	assert_int_equal(kmalloc_index(65), 1);
	assert_int_equal(kmalloc_index(96), 1);
	assert_int_equal(kmalloc_index(97), 7);
	assert_int_equal(kmalloc_index(128), 7);
	assert_int_equal(kmalloc_index(129), 2);
	assert_int_equal(kmalloc_index(192), 2);
	assert_int_equal(kmalloc_index(193), 8);
	assert_int_equal(kmalloc_index(4096), 12);
	assert_int_equal(kmalloc_index(4097), 13);
	assert_int_equal(kmalloc_index(4UL << 20), 22);
	assert_int_equal(kmalloc_index((4UL << 20) + 1), 23);
	assert_int_equal(kmalloc_index(64UL << 20), 26);
	assert_int_equal(kmalloc_index((64UL << 20) + 1), 27);
}

/* The index of the smallest kmalloc cache that holds @n bytes, by a search of kmm_kmalloc_info[]. */
static unsigned int smallest_class(size_t n)
{
	unsigned int idx, best = 0;

	for (idx = 1; idx <= KMALLOC_SHIFT_HIGH; idx++)
		if (kmm_kmalloc_info[idx].size >= n &&
		    (!best || kmm_kmalloc_info[idx].size < kmm_kmalloc_info[best].size))
			best = idx;
	return best;
}

/* Variable sizes: the size-index table and fls() give the smallest class, as kmalloc_index(). */
static void test_variable_sizes_index_as_constant_ones(void **state)
{
	volatile size_t v;
	size_t n;

	(void)state;
	for (n = 1; n <= KMALLOC_MAX_CACHE_SIZE; n++) {
		v = n;
		assert_int_equal(kmalloc_size_to_index(v), smallest_class(n));
		assert_int_equal(kmalloc_index(v), smallest_class(n));
	}
	v = 1;
	assert_int_equal(kmalloc_index(v), 3);
	v = 97;
	assert_int_equal(kmalloc_index(v), 7);
	v = (4UL << 20);
	assert_int_equal(kmalloc_index(v), 22);
}

/* The caches. */

/* Code that passes an empty slot of kmm_kmalloc_caches[][] on, as it would a NULL one. */
static void test_an_empty_slot_is_no_cache(void **state)
{
	struct kmem_cache *unmade = kmm_kmalloc_caches[KMALLOC_NORMAL][0];
	struct capture c;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	assert_ptr_equal(unmade, &kmm_unmade_cache);
	capture_begin(&c);
	assert_int_equal(kmem_cache_shrink(unmade), 0);
	assert_int_equal(kmem_cache_validate(unmade), 0);
	assert_int_equal(kmem_cache_tune(unmade, 16, 8, 0), -EINVAL);
	kmem_cache_destroy(unmade);
	assert_null(kmem_cache_alloc(unmade, GFP_KERNEL));
	assert_string_equal(capture_end(&c), "kmem_cache_alloc: unmade kmalloc cache, refused\n");
	assert_int_equal(kmm_validate_all(), 0);
	kmm_exit();
}

static void test_caches_are_made_at_boot_and_forgotten_at_exit(void **state)
{
	static char text[1 << 16];
	void *p;

	(void)state;
	assert_ptr_equal(kmm_kmalloc_caches[KMALLOC_NORMAL][6], &kmm_unmade_cache);
	assert_int_equal(kmm_init("mem=64G"), 0);
	assert_ptr_not_equal(kmm_kmalloc_caches[KMALLOC_NORMAL][6], &kmm_unmade_cache);
	assert_ptr_not_equal(kmm_kmalloc_caches[KMALLOC_DMA][KMALLOC_SHIFT_HIGH],
			     &kmm_unmade_cache);
	assert_int_equal(
		slabinfo_objsize(show_to_string("slabinfo", text, sizeof(text)), "kmalloc-64"), 64);
	p = kmalloc(64, GFP_KERNEL);
	assert_non_null(p);
	assert_ptr_equal(cache_of(p), kmm_kmalloc_caches[KMALLOC_NORMAL][6]);
	kfree(p);
	kmm_exit();
	assert_ptr_equal(kmm_kmalloc_caches[KMALLOC_NORMAL][6], &kmm_unmade_cache);
	assert_ptr_equal(kmm_kmalloc_caches[KMALLOC_RECLAIM][1], &kmm_unmade_cache);
}

/* Without kmm_init(), the first kmalloc boots a machine from KMM_CMDLINE, caches and all. */
static void test_first_kmalloc_boots_the_machine(void **state)
{
	void *p;

	(void)state;
	assert_false(kmm_booted());
	setenv("KMM_CMDLINE", "mem=64M", 1);
	p = kmalloc(100, GFP_KERNEL);
	unsetenv("KMM_CMDLINE");
	assert_non_null(p);
	assert_true(kmm_booted());
	assert_int_equal(kmm_max_pfn, (64UL << 20) >> PAGE_SHIFT);
	assert_ptr_equal(cache_of(p), kmm_kmalloc_caches[KMALLOC_NORMAL][7]);
	kfree(p);
	kmm_exit();
}

static void test_slabinfo_lists_every_kmalloc_cache(void **state)
{
	static const char *const prefix[NR_KMALLOC_TYPES] = {
		[KMALLOC_NORMAL] = "kmalloc-",
		[KMALLOC_RECLAIM] = "kmalloc-rcl-",
		[KMALLOC_DMA] = "dma-kmalloc-",
	};
	static char text[1 << 16];
	int type, idx;

	(void)state;
	assert_int_equal(kmm_init("mem=128M"), 0);
	kfree(kmalloc(8, GFP_KERNEL)); /* the first kmalloc makes every cache */
	show_to_string("slabinfo", text, sizeof(text));
	for (type = 0; type < NR_KMALLOC_TYPES; type++) {
		for (idx = 1; idx <= KMALLOC_SHIFT_HIGH; idx++) {
			char name[40];

			snprintf(name, sizeof(name), "%s%s", prefix[type],
				 kmm_kmalloc_info[idx].name + strlen("kmalloc-"));
			assert_int_equal(slabinfo_objsize(text, name), kmm_kmalloc_info[idx].size);
			assert_string_equal(kmem_cache_name(kmm_kmalloc_caches[type][idx]), name);
			assert_int_equal(kmem_cache_size(kmm_kmalloc_caches[type][idx]),
					 kmm_kmalloc_info[idx].size);
		}
	}
	/* Nothing above KMALLOC_SHIFT_HIGH: those sizes are the page allocator's. */
	assert_int_equal(slabinfo_objsize(text, kmm_kmalloc_info[KMALLOC_SHIFT_HIGH + 1].name), 0);
	kmm_exit();
}

static void test_kmalloc_slab_picks_the_family_by_gfp(void **state)
{
	struct kmem_cache *s;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	s = kmalloc_slab(100, GFP_KERNEL); /* makes the caches */
	assert_ptr_equal(s, kmm_kmalloc_caches[KMALLOC_NORMAL][7]);
	assert_string_equal(kmem_cache_name(s), "kmalloc-128");
	assert_ptr_equal(kmalloc_slab(100, GFP_KERNEL | __GFP_RECLAIMABLE),
			 kmm_kmalloc_caches[KMALLOC_RECLAIM][7]);
	assert_ptr_equal(kmalloc_slab(100, GFP_KERNEL | GFP_DMA),
			 kmm_kmalloc_caches[KMALLOC_DMA][7]);
	/* GFP_DMA wins over __GFP_RECLAIMABLE, as in the kernel. */
	assert_ptr_equal(kmalloc_slab(100, GFP_DMA | __GFP_RECLAIMABLE),
			 kmm_kmalloc_caches[KMALLOC_DMA][7]);
	assert_ptr_equal(kmalloc_slab(KMALLOC_MAX_CACHE_SIZE, GFP_KERNEL),
			 kmm_kmalloc_caches[KMALLOC_NORMAL][KMALLOC_SHIFT_HIGH]);
	assert_null(kmalloc_slab(0, GFP_KERNEL));
	assert_null(kmalloc_slab(KMALLOC_MAX_CACHE_SIZE + 1, GFP_KERNEL));
	kmm_exit();
}

#define CHECK_CONSTANT_SIZE(n)                                                                     \
	do {                                                                                       \
		volatile size_t v = (n);                                                           \
		void *c = kmalloc((n), GFP_KERNEL), *x = kmalloc(v, GFP_KERNEL);                   \
                                                                                                   \
		assert_non_null(c);                                                                \
		assert_non_null(x);                                                                \
		if ((n) <= KMALLOC_MAX_CACHE_SIZE) {                                               \
			assert_ptr_equal(cache_of(c), kmalloc_slab((n), GFP_KERNEL));              \
			assert_ptr_equal(cache_of(x), cache_of(c));                                \
		} else {                                                                           \
			assert_true(PageLargeKmalloc(virt_to_page(c)));                            \
			assert_true(PageLargeKmalloc(virt_to_page(x)));                            \
		}                                                                                  \
		assert_int_equal(ksize(c), ksize(x));                                              \
		kfree(c);                                                                          \
		kfree(x);                                                                          \
	} while (0)

static void test_constant_and_variable_sizes_use_the_same_cache(void **state)
{
	(void)state;
	assert_int_equal(kmm_init("mem=128M"), 0);
	CHECK_CONSTANT_SIZE(1);
	CHECK_CONSTANT_SIZE(8);
	CHECK_CONSTANT_SIZE(9);
	CHECK_CONSTANT_SIZE(96);
	CHECK_CONSTANT_SIZE(97);
	CHECK_CONSTANT_SIZE(192);
	CHECK_CONSTANT_SIZE(193);
	CHECK_CONSTANT_SIZE(4096);
	CHECK_CONSTANT_SIZE(4097);
	CHECK_CONSTANT_SIZE(8192);
	CHECK_CONSTANT_SIZE(8193);
	CHECK_CONSTANT_SIZE(4UL << 20);
	kmm_exit();
}

/* Size classes. */

static void test_ksize_is_the_size_class_of_every_size(void **state)
{
	unsigned int shift;
	size_t n;

	(void)state;
	assert_int_equal(kmm_init("mem=256M"), 0);
	for (n = 1; n <= 8192; n++) {
		void *p = kmalloc(n, GFP_KERNEL);
		size_t expect = n <= KMALLOC_MAX_CACHE_SIZE
					? kmm_kmalloc_info[kmalloc_index(n)].size
					: PAGE_SIZE << get_order(n);

		assert_non_null(p);
		assert_int_equal(ksize(p), expect);
		assert_int_equal(kmalloc_size_roundup(n), expect);
		kfree(p);
	}
	/* Each class boundary above: 2^k - 1, 2^k and 2^k + 1. */
	for (shift = 13; shift <= KMALLOC_SHIFT_MAX; shift++) {
		size_t sizes[3] = {(1UL << shift) - 1, 1UL << shift, (1UL << shift) + 1};
		int i;

		for (i = 0; i < 3; i++) {
			void *p;

			n = sizes[i];
			if (n > KMALLOC_MAX_SIZE)
				continue;
			p = kmalloc(n, GFP_KERNEL);
			assert_non_null(p);
			assert_int_equal(ksize(p), n <= KMALLOC_MAX_CACHE_SIZE
							   ? kmm_kmalloc_info[kmalloc_index(n)].size
							   : PAGE_SIZE << get_order(n));
			assert_int_equal(kmalloc_size_roundup(n), ksize(p));
			kfree(p);
		}
	}
	assert_int_equal(kmalloc_size_roundup(0), 0);
	assert_int_equal(kmalloc_size_roundup(KMALLOC_MAX_SIZE + 1), KMALLOC_MAX_SIZE + 1);
	kmm_exit();
}

static void test_power_of_two_sizes_are_naturally_aligned(void **state)
{
	static void *objs[8192];
	unsigned int shift;
	int i, n = 0;

	(void)state;
	assert_int_equal(kmm_init("mem=256M"), 0);
	/* Objects from several slabs of each cache: slab colouring must keep the alignment. */
	for (shift = KMALLOC_SHIFT_LOW; shift <= KMALLOC_SHIFT_MAX; shift++) {
		int count = shift <= 13 ? 3 * (8192 >> shift) : 3;

		for (i = 0; i < count; i++) {
			void *p = kmalloc(1UL << shift, GFP_KERNEL);

			assert_non_null(p);
			assert_int_equal((unsigned long)p & ((1UL << shift) - 1), 0);
			objs[n++] = p;
		}
	}
	for (i = 0; i < 3 * 8192 / 96; i++) {
		objs[n] = kmalloc(96, GFP_KERNEL);
		assert_int_equal((unsigned long)objs[n++] & 7, 0);
		objs[n] = kmalloc(192, GFP_KERNEL);
		assert_int_equal((unsigned long)objs[n++] & 7, 0);
	}
	while (n)
		kfree(objs[--n]);
	kmm_exit();
}

/* Families. */

static void test_gfp_dma_objects_lie_in_zone_dma(void **state)
{
	static const size_t sizes[] = {8, 96, 192, 512, 4096, 8192, 8193, 65536, 1UL << 20};
	size_t i;

	(void)state;
	assert_int_equal(kmm_init("mem=1G"), 0);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		void *p = kmalloc(sizes[i], GFP_KERNEL | GFP_DMA);
		struct page *page;

		assert_non_null(p);
		page = virt_to_page(p);
		assert_int_equal(page_zonenum(page), ZONE_DMA);
		assert_true(__pa(p) + sizes[i] <= (16UL << 20));
		if (sizes[i] <= KMALLOC_MAX_CACHE_SIZE) {
			assert_ptr_equal(cache_of(p),
					 kmm_kmalloc_caches[KMALLOC_DMA][kmalloc_index(sizes[i])]);
			assert_int_equal(strncmp(kmem_cache_name(cache_of(p)), "dma-kmalloc-", 12),
					 0);
		} else {
			assert_true(PageLargeKmalloc(page));
		}
		kfree(p);
	}
	kmm_exit();
}

static void test_reclaimable_objects_count_as_sreclaimable(void **state)
{
	void *objs[100];
	long rcl, unrcl;
	int i;

	(void)state;
	assert_int_equal(kmm_init("mem=128M"), 0);
	kfree(kmalloc(8, GFP_KERNEL));
	rcl = meminfo_kb("SReclaimable");
	unrcl = meminfo_kb("SUnreclaim");
	for (i = 0; i < 100; i++) {
		objs[i] = kmalloc(1024, GFP_KERNEL | __GFP_RECLAIMABLE);
		assert_non_null(objs[i]);
		assert_string_equal(kmem_cache_name(cache_of(objs[i])), "kmalloc-rcl-1k");
	}
	/* 100 objects of 1 KiB, four to a page: at least 100 kB of reclaimable slab. */
	assert_true(meminfo_kb("SReclaimable") - rcl >= 100);
	assert_int_equal(meminfo_kb("SUnreclaim"), unrcl);
	for (i = 0; i < 100; i++)
		kfree(objs[i]);
	kmm_exit();
}

/* Zero, overflow and the limits. */

static void test_kmalloc_zero_is_zero_size_ptr(void **state)
{
	volatile size_t zero = 0;
	struct capture c;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	assert_ptr_equal(kmalloc(0, GFP_KERNEL), ZERO_SIZE_PTR);
	assert_ptr_equal(kmalloc(zero, GFP_KERNEL), ZERO_SIZE_PTR);
	assert_ptr_equal(kzalloc(zero, GFP_KERNEL), ZERO_SIZE_PTR);
	assert_ptr_equal(kmalloc_node(zero, GFP_KERNEL, 0), ZERO_SIZE_PTR);
	assert_true(ZERO_OR_NULL_PTR(ZERO_SIZE_PTR));
	assert_true(ZERO_OR_NULL_PTR(NULL));
	capture_begin(&c);
	kfree(ZERO_SIZE_PTR);
	kfree(NULL);
	assert_int_equal(ksize(ZERO_SIZE_PTR), 0);
	assert_int_equal(ksize(NULL), 0);
	kfree_sensitive(NULL);
	assert_string_equal(capture_end(&c), "");
	kmm_exit();
}

static void test_array_allocations_fail_on_overflow(void **state)
{
	volatile size_t huge = SIZE_MAX / 2 + 1;
	struct capture c;
	void *p;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	p = kmalloc_array(10, 10, GFP_KERNEL);
	assert_non_null(p);
	assert_int_equal(ksize(p), 128);
	capture_begin(&c);
	assert_null(kmalloc_array(huge, 2, GFP_KERNEL));
	assert_null(kcalloc(2, huge, GFP_KERNEL));
	assert_null(krealloc_array(p, huge, 4, GFP_KERNEL));
	assert_string_equal(capture_end(&c), "");
	/* The object krealloc_array() refused is untouched. */
	assert_int_equal(ksize(p), 128);
	kfree(p);
	kmm_exit();
}

static void test_above_kmalloc_max_size_warns_unless_nowarn(void **state)
{
	volatile size_t big = KMALLOC_MAX_SIZE + 1;
	struct capture c;
	const char *out;
	void *p;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	capture_begin(&c);
	assert_null(kmalloc(big, GFP_KERNEL));
	out = capture_end(&c);
	assert_int_equal(count_lines(out), 1);
	assert_non_null(strstr(out, "kmalloc"));
	assert_non_null(strstr(out, "KMALLOC_MAX_SIZE"));
	capture_begin(&c);
	assert_null(kmalloc(8UL << 20, GFP_KERNEL));
	assert_int_equal(count_lines(capture_end(&c)), 1);
	capture_begin(&c);
	assert_null(kmalloc(big, GFP_KERNEL | __GFP_NOWARN));
	assert_null(kmalloc(SIZE_MAX, GFP_KERNEL | __GFP_NOWARN));
	assert_null(kmalloc_array(KMALLOC_MAX_SIZE, 2, GFP_KERNEL | __GFP_NOWARN));
	assert_string_equal(capture_end(&c), "");
	/* KMALLOC_MAX_SIZE itself is fine. */
	p = kmalloc(KMALLOC_MAX_SIZE, GFP_KERNEL);
	assert_non_null(p);
	assert_int_equal(ksize(p), KMALLOC_MAX_SIZE);
	kfree(p);
	kmm_exit();
}

static void test_large_kmalloc_fixes_unexpected_gfp_flags(void **state)
{
	volatile size_t size = 100000;
	struct capture c;
	const char *out;
	void *p;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	capture_begin(&c);
	p = kmalloc(size, GFP_KERNEL | __GFP_DMA32);
	out = capture_end(&c);
	assert_non_null(p);
	assert_int_equal(count_lines(out), 1);
	assert_non_null(strstr(out, "Unexpected gfp: 0x4 (GFP_DMA32). Fixing up to gfp: 0xcc0"));
	kfree(p);
	kmm_exit();
}

/* Zeroing. */

static void test_kzalloc_and_kcalloc_zero_a_dirtied_object(void **state)
{
	unsigned char *p, *q;
	size_t i;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	p = kmalloc(200, GFP_KERNEL);
	memset(p, 0xa5, ksize(p));
	kfree(p);
	q = kzalloc(200, GFP_KERNEL);
	assert_ptr_equal(q, p); /* the same object, back from the CPU's array */
	for (i = 0; i < ksize(q); i++)
		assert_int_equal(q[i], 0);
	memset(q, 0xa5, ksize(q));
	kfree(q);
	q = kcalloc(25, 8, GFP_KERNEL);
	assert_ptr_equal(q, p);
	for (i = 0; i < ksize(q); i++)
		assert_int_equal(q[i], 0);
	kfree(q);
	p = kmalloc(100000, GFP_KERNEL);
	memset(p, 0xa5, 100000);
	kfree(p);
	p = kzalloc(100000, GFP_KERNEL);
	for (i = 0; i < ksize(p); i++)
		assert_int_equal(p[i], 0);
	kfree(p);
	kmm_exit();
}

static void test_kfree_sensitive_zeroes_before_freeing(void **state)
{
	unsigned char *p, *q, *bytes;
	size_t i;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	/* A plain kfree() leaves the bytes: the next kmalloc gets the same object back. */
	p = kmalloc(64, GFP_KERNEL);
	memset(p, 0x5a, 64);
	kfree(p);
	q = kmalloc(64, GFP_KERNEL);
	assert_ptr_equal(q, p);
	assert_int_equal(q[10], 0x5a);
	/* kfree_sensitive() zeroes them. */
	kfree_sensitive(q);
	q = kmalloc(64, GFP_KERNEL);
	assert_ptr_equal(q, p);
	for (i = 0; i < 64; i++)
		assert_int_equal(q[i], 0);
	kfree(q);
	/* A large one: its pages, still in the direct map after the free, are zero. */
	p = kmalloc(20000, GFP_KERNEL);
	memset(p, 0x5a, ksize(p));
	bytes = p;
	kfree_sensitive(p);
	asan_allow(bytes, 32768);
	for (i = 0; i < 32768; i++)
		assert_int_equal(bytes[i], 0);
	kmm_exit();
}

/* krealloc. */

static void test_krealloc_grows_in_place_within_the_class(void **state)
{
	char *p, *q;
	int i;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	p = kmalloc(100, GFP_KERNEL);
	for (i = 0; i < 100; i++)
		p[i] = (char)i;
	q = krealloc(p, 128, GFP_KERNEL);
	assert_ptr_equal(q, p);
	for (i = 0; i < 100; i++)
		assert_int_equal(q[i], (char)i);
	/* Shrinking keeps the object too. */
	assert_ptr_equal(krealloc(q, 10, GFP_KERNEL), p);
	kfree(p);
	/* A large kmalloc grows within its pages. */
	p = kmalloc(10000, GFP_KERNEL);
	p[9999] = 7;
	q = krealloc(p, 16384, GFP_KERNEL);
	assert_ptr_equal(q, p);
	assert_int_equal(q[9999], 7);
	kfree(q);
	kmm_exit();
}

static void test_krealloc_moves_to_a_bigger_object_keeping_contents(void **state)
{
	unsigned long before;
	char *p, *q, *r;
	int i;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	p = kmalloc(100, GFP_KERNEL);
	/* ksize() makes all 128 bytes the caller's (ASan guards the last 28 until then) */
	assert_int_equal(ksize(p), 128);
	for (i = 0; i < 128; i++)
		p[i] = (char)(i * 3);
	q = krealloc(p, 5000, GFP_KERNEL);
	assert_non_null(q);
	assert_ptr_not_equal(q, p);
	assert_int_equal(ksize(q), 8192);
	for (i = 0; i < 128; i++)
		assert_int_equal(q[i], (char)(i * 3));
	/* The old object was freed: it is the next of its class. */
	r = kmalloc(128, GFP_KERNEL);
	assert_ptr_equal(r, p);
	kfree(r);
	/* From a slab object to a large kmalloc and back to the pages. */
	before = drained_free();
	r = krealloc(q, 100000, GFP_KERNEL);
	assert_true(PageLargeKmalloc(virt_to_page(r)));
	for (i = 0; i < 128; i++)
		assert_int_equal(r[i], (char)(i * 3));
	kfree(r);
	assert_true(drained_free() >= before);
	kmm_exit();
}

static void test_krealloc_of_null_allocates_and_to_zero_frees(void **state)
{
	void *p, *q;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	p = krealloc(NULL, 50, GFP_KERNEL);
	assert_non_null(p);
	assert_int_equal(ksize(p), 64);
	assert_ptr_equal(krealloc(p, 0, GFP_KERNEL), ZERO_SIZE_PTR);
	q = kmalloc(64, GFP_KERNEL);
	assert_ptr_equal(q, p); /* freed by krealloc(p, 0) */
	kfree(q);
	p = krealloc(ZERO_SIZE_PTR, 10, GFP_KERNEL);
	assert_int_equal(ksize(p), 16);
	kfree(p);
	kmm_exit();
}

/* The helpers. */

static void test_string_and_memory_copies(void **state)
{
	static const unsigned char bytes[5] = {1, 0, 2, 0, 3};
	unsigned char *m;
	char *s;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	m = kmemdup(bytes, sizeof(bytes), GFP_KERNEL);
	assert_memory_equal(m, bytes, sizeof(bytes));
	assert_int_equal(ksize(m), 8);
	kfree(m);
	s = kmemdup_nul("abcdef", 3, GFP_KERNEL);
	assert_string_equal(s, "abc");
	kfree(s);
	assert_null(kmemdup_nul(NULL, 3, GFP_KERNEL));
	s = kstrdup("hello, world", GFP_KERNEL);
	assert_string_equal(s, "hello, world");
	assert_int_equal(ksize(s), 16);
	kfree(s);
	assert_null(kstrdup(NULL, GFP_KERNEL));
	s = kstrndup("hello, world", 5, GFP_KERNEL);
	assert_string_equal(s, "hello");
	kfree(s);
	s = kstrndup("hi", 5, GFP_KERNEL);
	assert_string_equal(s, "hi");
	kfree(s);
	kmm_exit();
}

static void test_kstrdup_const_keeps_literals(void **state)
{
	static const char literal[] = "a literal";
	char stack[16] = "on the stack";
	const char *lit, *copy, *dup;
	struct capture c;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	lit = kstrdup_const(literal, GFP_KERNEL);
	assert_ptr_equal(lit, literal);
	copy = kstrdup_const(stack, GFP_KERNEL);
	assert_ptr_not_equal(copy, stack);
	assert_string_equal(copy, "on the stack");
	assert_int_equal(ksize(copy), 16);
	dup = kstrdup_const(copy, GFP_KERNEL); /* kmalloc memory is not read-only */
	assert_ptr_not_equal(dup, copy);
	capture_begin(&c);
	kfree_const(lit);
	kfree_const(dup);
	kfree_const(copy);
	assert_string_equal(capture_end(&c), "");
	/* Both copies were freed: they come back, last freed first. */
	assert_ptr_equal(kmalloc(16, GFP_KERNEL), copy);
	assert_ptr_equal(kmalloc(16, GFP_KERNEL), dup);
	kmm_exit();
}

static char *format_with_va_list(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = kvasprintf(GFP_KERNEL, fmt, ap);
	va_end(ap);
	return s;
}

static void test_kasprintf_prints_into_a_kmalloc_string(void **state)
{
	char *s, *long_s;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	s = kasprintf(GFP_KERNEL, "%s-%d:%#x", "node", 12345, 255);
	assert_string_equal(s, "node-12345:0xff");
	assert_int_equal(ksize(s), 16);
	kfree(s);
	long_s = kasprintf(GFP_KERNEL, "%5000d|", 7);
	assert_int_equal(strlen(long_s), 5001);
	assert_int_equal(ksize(long_s), 8192);
	kfree(long_s);
	s = format_with_va_list("%c%c%c", 'a', 'b', 'c');
	assert_string_equal(s, "abc");
	kfree(s);
	s = kasprintf(GFP_KERNEL, "%s", "");
	assert_string_equal(s, "");
	kfree(s);
	kmm_exit();
}

/* kfree of everything. */

static void test_kfree_frees_objects_of_any_kmem_cache(void **state)
{
	struct kmem_cache *s;
	void *objs[100];
	struct capture c;
	bool in_tail = false;
	int i;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	/* 2500-byte objects: three to an order-1 slab, the third on its tail page. */
	s = kmem_cache_create("kfree_test", 2500, 0, 0, NULL);
	assert_non_null(s);
	for (i = 0; i < 100; i++) {
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
		assert_non_null(objs[i]);
		in_tail |= PageTail(virt_to_page(objs[i]));
	}
	assert_true(in_tail);
	for (i = 0; i < 100; i++) {
		assert_int_equal(ksize(objs[i]), 2500);
		kfree(objs[i]);
	}
	/* Every object is back: the cache goes without "still has objects". */
	capture_begin(&c);
	kmem_cache_destroy(s);
	assert_string_equal(capture_end(&c), "");
	kmm_exit();
}

static void test_large_kmalloc_pages_come_back_exactly(void **state)
{
	static const size_t sizes[] = {8193, 16384, 100000, 1UL << 20, 4UL << 20};
	void *p[sizeof(sizes) / sizeof(sizes[0])];
	unsigned long before, pages = 0;
	long unrcl;
	size_t i;

	(void)state;
	assert_int_equal(kmm_init("mem=256M"), 0);
	kfree(kmalloc(8, GFP_KERNEL));
	before = drained_free();
	unrcl = meminfo_kb("SUnreclaim");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct page *head;

		p[i] = kmalloc(sizes[i], GFP_KERNEL);
		assert_non_null(p[i]);
		head = virt_to_page(p[i]);
		assert_true(PageLargeKmalloc(head));
		assert_true(PageHead(head));
		assert_int_equal(compound_order(head), get_order(sizes[i]));
		assert_int_equal(ksize(p[i]), PAGE_SIZE << get_order(sizes[i]));
		memset(p[i], 0x11, sizes[i]);
		pages += 1UL << get_order(sizes[i]);
	}
	assert_int_equal(drained_free(), before - pages);
	assert_int_equal(meminfo_kb("SUnreclaim") - unrcl, (long)pages * 4);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		kfree(p[i]);
	assert_int_equal(drained_free(), before);
	assert_int_equal(meminfo_kb("SUnreclaim"), unrcl);
	kmm_exit();
}

static void test_kmalloc_node_places_memory_on_the_node(void **state)
{
	unsigned char *p;
	int nid;

	(void)state;
	assert_int_equal(kmm_init("mem=512M numa=fake=2"), 0);
	for (nid = 0; nid < 2; nid++) {
		p = kmalloc_node(64, GFP_KERNEL, nid);
		assert_non_null(p);
		assert_int_equal(page_to_nid(virt_to_page(p)), nid);
		kfree(p);
		p = kzalloc_node(100000, GFP_KERNEL, nid);
		assert_non_null(p);
		assert_int_equal(page_to_nid(virt_to_page(p)), nid);
		assert_int_equal(p[99999], 0);
		kfree(p);
	}
	p = kmalloc_node(64, GFP_KERNEL, NUMA_NO_NODE);
	assert_non_null(p);
	kfree(p);
	kmm_exit();
}

/* A thread whose first libkmm call is kfree(): it frees without a CPU of its own yet. */
static void *kfree_all(void *arg)
{
	void **objs = arg;
	int i;

	for (i = 0; i < 50; i++)
		kfree(objs[i]);
	return NULL;
}

static void test_kfree_on_another_thread(void **state)
{
	struct kmem_cache *s;
	void *objs[50];
	struct capture c;
	pthread_t t;
	int i;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	s = kmem_cache_create("cross_thread", 64, 0, 0, NULL);
	for (i = 0; i < 50; i++)
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
	assert_int_equal(pthread_create(&t, NULL, kfree_all, objs), 0);
	pthread_join(t, NULL);
	capture_begin(&c);
	kmem_cache_destroy(s);
	assert_string_equal(capture_end(&c), "");
	kmm_exit();
}

/* Bad input. */

static int a_global;

/* Exactly one report line naming @call and @addr. */
static void assert_one_report(const char *out, const char *call, const void *addr)
{
	assert_int_equal(count_lines(out), 1);
	assert_non_null(strstr(out, call));
	assert_non_null(strstr(out, ptr_text(addr)));
	assert_non_null(strstr(out, "refused"));
}

static void test_kfree_of_foreign_addresses_is_reported_and_refused(void **state)
{
	unsigned long before;
	struct capture c;
	struct page *page;
	char *p, *big;
	int local;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	kfree(kmalloc(64, GFP_KERNEL)); /* kmalloc-64's first slab stays */
	before = drained_free();
	p = kmalloc(64, GFP_KERNEL);
	big = kmalloc(100000, GFP_KERNEL);
	page = alloc_page(GFP_KERNEL);

	capture_begin(&c);
	kfree(&local);
	assert_one_report(capture_end(&c), "kfree", &local);
	capture_begin(&c);
	kfree(&a_global);
	assert_one_report(capture_end(&c), "kfree", &a_global);
	capture_begin(&c);
	kfree((void *)0x1234);
	assert_one_report(capture_end(&c), "kfree", (void *)0x1234);
	capture_begin(&c);
	kfree(p + 8);
	assert_one_report(capture_end(&c), "kfree", p + 8);
	capture_begin(&c);
	kfree(big + 4096);
	assert_one_report(capture_end(&c), "kfree", big + 4096);
	capture_begin(&c);
	kfree(page_address(page));
	assert_one_report(capture_end(&c), "kfree", page_address(page));
	capture_begin(&c);
	assert_int_equal(ksize(p + 1), 0);
	assert_one_report(capture_end(&c), "ksize", p + 1);
	capture_begin(&c);
	assert_null(krealloc(&local, 100, GFP_KERNEL));
	assert_one_report(capture_end(&c), "krealloc", &local);

	/* Nothing was freed: the objects are intact and free normally. */
	assert_int_equal(ksize(p), 64);
	assert_true(PageLargeKmalloc(virt_to_page(big)));
	kfree(p);
	kfree(big);
	__free_page(page);
	assert_int_equal(drained_free(), before);
	kmm_exit();
}

static void test_double_kfree_is_reported_and_refused(void **state)
{
	unsigned long before;
	struct capture c;
	void *p, *q, *r, *big;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	kfree(kmalloc(64, GFP_KERNEL)); /* kmalloc-64's first slab stays */
	before = drained_free();
	/* A slab object freed twice in a row on one CPU. */
	p = kmalloc(64, GFP_KERNEL);
	kfree(p);
	capture_begin(&c);
	kfree(p);
	assert_one_report(capture_end(&c), "kfree", p);
	q = kmalloc(64, GFP_KERNEL);
	assert_ptr_equal(q, p);
	r = kmalloc(64, GFP_KERNEL);
	assert_ptr_not_equal(r, p); /* it was on the array once only */
	kfree(r);
	/* A large kmalloc freed twice: its page is free by then. */
	big = kmalloc(100000, GFP_KERNEL);
	kfree(big);
	capture_begin(&c);
	kfree(big);
	assert_one_report(capture_end(&c), "kfree", big);
	kfree(q);
	assert_int_equal(drained_free(), before);
	kmm_exit();
}

static void test_kmem_cache_free_of_a_kmalloc_object_names_both_caches(void **state)
{
	struct kmem_cache *s;
	struct capture c;
	const char *out;
	void *p;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	s = kmem_cache_create("other", 64, 0, 0, NULL);
	p = kmalloc(64, GFP_KERNEL);
	capture_begin(&c);
	kmem_cache_free(s, p);
	out = capture_end(&c);
	assert_int_equal(count_lines(out), 1);
	assert_non_null(strstr(out, "Wrong slab cache. other but object is from kmalloc-64"));
	assert_int_equal(ksize(p), 64);
	kfree(p);
	kmem_cache_destroy(s);
	kmm_exit();
}

/* kfree_rcu. */

struct rcu_obj {
	char before[40];
	struct rcu_head rcu;
	char after[150];
};

struct big_rcu_obj {
	char data[100000];
	struct rcu_head rcu; /* on a tail page of the compound page */
};

/* The suite's RCU reader; the teardown releases one a failed test left inside. */
static struct rcu_reader reader;

static void test_kfree_rcu_waits_for_the_reader_then_frees(void **state)
{
	struct big_rcu_obj *big;
	unsigned long before;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	kfree(kmalloc(8, GFP_KERNEL));
	before = drained_free();
	rcu_reader_start(&reader, 0, NULL, NULL);
	big = kmalloc(sizeof(*big), GFP_KERNEL);
	kfree_rcu(big, rcu);
	/* The reader still holds its lock: nothing may be freed, however long we wait. */
	usleep(100 * 1000);
	assert_true(PageLargeKmalloc(virt_to_page(big)));
	assert_int_equal(drained_free(), before - 32);
	rcu_reader_release(&reader);
	rcu_barrier();
	assert_false(PageLargeKmalloc(virt_to_page(big)));
	assert_int_equal(drained_free(), before);
	kmm_exit();
}

static void test_kfree_rcu_finds_objects_from_an_inner_rcu_head(void **state)
{
	struct tail_obj {
		char pad[1000];
		struct rcu_head rcu;
		char more[1484];
	} * objs[60];
	struct rcu_obj *kobjs[60];
	static char text[1 << 16];
	struct kmem_cache *s;
	unsigned long active;
	unsigned int objsize;
	struct capture c;
	int i;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	/* 2500-byte objects: some start on a slab's tail page. */
	s = kmem_cache_create("rcu_objs", sizeof(struct tail_obj), 0, 0, NULL);
	for (i = 0; i < 60; i++) {
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
		kobjs[i] = kmalloc(sizeof(struct rcu_obj), GFP_KERNEL);
	}
	for (i = 0; i < 60; i++) {
		kfree_rcu(objs[i], rcu);
		kfree_rcu(kobjs[i], rcu);
	}
	kfree_rcu((struct rcu_obj *)NULL, rcu);
	rcu_barrier();
	capture_begin(&c);
	kmem_cache_destroy(s); /* every object is back, or this reports */
	assert_string_equal(capture_end(&c), "");
	kmm_drain_all();
	assert_true(slabinfo_line(show_to_string("slabinfo", text, sizeof(text)), "kmalloc-256",
				  &active, &objsize));
	assert_int_equal(active, 0);
	kmm_exit();
}

/* The reader's last step inside its section: it is leaving. */
static void reader_leaving(void *left)
{
	__atomic_store_n((bool *)left, true, __ATOMIC_RELEASE);
}

static void test_kfree_rcu_mightsleep_waits_for_a_grace_period(void **state)
{
	unsigned long before;
	bool left = false;
	void *p;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	kfree(kmalloc(8, GFP_KERNEL));
	before = drained_free();
	p = kmalloc(20000, GFP_KERNEL);
	rcu_reader_start(&reader, 100, reader_leaving, &left);
	kfree_rcu_mightsleep(p);
	/* It returned only once the reader had left its 100 ms section, with the object freed. */
	assert_true(__atomic_load_n(&left, __ATOMIC_ACQUIRE));
	assert_false(PageLargeKmalloc(virt_to_page(p)));
	assert_int_equal(drained_free(), before);
	rcu_reader_release(&reader);
	kmm_exit();
}

/*
 * Frees still pending at kmm_exit() run before the machine's memory goes: were
 * they run later, the callbacks would touch unmapped memory and kill the test.
 */
static void test_kfree_rcu_pending_at_exit_runs_before_teardown(void **state)
{
	int round, i;

	(void)state;
	for (round = 0; round < 3; round++) {
		assert_int_equal(kmm_init("mem=64M"), 0);
		for (i = 0; i < 100; i++) {
			struct rcu_obj *o = kmalloc(sizeof(*o), GFP_KERNEL);
			struct big_rcu_obj *b = kmalloc(sizeof(*b), GFP_KERNEL);

			kfree_rcu(o, rcu);
			kfree_rcu(b, rcu);
		}
		kmm_exit();
	}
	rcu_barrier();
}

static void test_kfree_rcu_of_a_bad_object_is_refused(void **state)
{
	struct rcu_obj on_stack, *a, *b;
	struct capture c;
	const char *out;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	capture_begin(&c);
	kfree_rcu(&on_stack, rcu);
	assert_one_report(capture_end(&c), "kfree_rcu", &on_stack);
	a = kmalloc(sizeof(*a), GFP_KERNEL);
	b = kmalloc(sizeof(*b), GFP_KERNEL);
	capture_begin(&c);
	kvfree_call_rcu(&b->rcu, a); /* the head is in another object */
	out = capture_end(&c);
	assert_int_equal(count_lines(out), 1);
	assert_non_null(strstr(out, "kfree_rcu: rcu_head"));
	rcu_barrier();
	/* Neither was queued: both are still allocated. */
	assert_int_equal(ksize(a), 256);
	assert_int_equal(ksize(b), 256);
	kfree(a);
	kfree(b);
	kmm_exit();
}

/*
 * Each test boots its own machine; the teardowns take it down even when an
 * assertion failed half-way, so that one failure does not fail the tests after it.
 */
/* Tests that use RCU: the test thread is an RCU reader (for rcu_barrier() and friends). */
static int rcu_thread_setup(void **state)
{
	(void)state;
	rcu_register_thread();
	return 0;
}

static int rcu_thread_teardown(void **state)
{
	rcu_reader_release(&reader);
	machine_down(state);
	rcu_unregister_thread();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kmm_test(test_kmalloc_info_has_the_kernel_names_and_sizes),
		kmm_test(test_size_index_table_has_the_kernel_entries),
		kmm_test(test_kmalloc_index_of_constant_sizes),
		kmm_test(test_variable_sizes_index_as_constant_ones),
		kmm_test(test_caches_are_made_at_boot_and_forgotten_at_exit),
		kmm_test(test_an_empty_slot_is_no_cache),
		kmm_test(test_first_kmalloc_boots_the_machine),
		kmm_test(test_slabinfo_lists_every_kmalloc_cache),
		kmm_test(test_kmalloc_slab_picks_the_family_by_gfp),
		kmm_test(test_constant_and_variable_sizes_use_the_same_cache),
		kmm_test(test_ksize_is_the_size_class_of_every_size),
		kmm_test(test_power_of_two_sizes_are_naturally_aligned),
		kmm_test(test_gfp_dma_objects_lie_in_zone_dma),
		kmm_test(test_reclaimable_objects_count_as_sreclaimable),
		kmm_test(test_kmalloc_zero_is_zero_size_ptr),
		kmm_test(test_array_allocations_fail_on_overflow),
		kmm_test(test_above_kmalloc_max_size_warns_unless_nowarn),
		kmm_test(test_large_kmalloc_fixes_unexpected_gfp_flags),
		kmm_one_cpu_test(test_kzalloc_and_kcalloc_zero_a_dirtied_object),
		kmm_one_cpu_test(test_kfree_sensitive_zeroes_before_freeing),
		kmm_test(test_krealloc_grows_in_place_within_the_class),
		kmm_one_cpu_test(test_krealloc_moves_to_a_bigger_object_keeping_contents),
		kmm_one_cpu_test(test_krealloc_of_null_allocates_and_to_zero_frees),
		kmm_test(test_string_and_memory_copies),
		kmm_one_cpu_test(test_kstrdup_const_keeps_literals),
		kmm_test(test_kasprintf_prints_into_a_kmalloc_string),
		kmm_test(test_kfree_frees_objects_of_any_kmem_cache),
		kmm_test(test_large_kmalloc_pages_come_back_exactly),
		kmm_test(test_kmalloc_node_places_memory_on_the_node),
		kmm_test(test_kfree_on_another_thread),
		kmm_test(test_kfree_of_foreign_addresses_is_reported_and_refused),
		kmm_one_cpu_test(test_double_kfree_is_reported_and_refused),
		kmm_test(test_kmem_cache_free_of_a_kmalloc_object_names_both_caches),
		cmocka_unit_test_setup_teardown(test_kfree_rcu_waits_for_the_reader_then_frees,
						rcu_thread_setup, rcu_thread_teardown),
		cmocka_unit_test_setup_teardown(test_kfree_rcu_finds_objects_from_an_inner_rcu_head,
						rcu_thread_setup, rcu_thread_teardown),
		cmocka_unit_test_setup_teardown(test_kfree_rcu_mightsleep_waits_for_a_grace_period,
						rcu_thread_setup, rcu_thread_teardown),
		cmocka_unit_test_setup_teardown(test_kfree_rcu_pending_at_exit_runs_before_teardown,
						rcu_thread_setup, rcu_thread_teardown),
		cmocka_unit_test_setup_teardown(test_kfree_rcu_of_a_bad_object_is_refused,
						rcu_thread_setup, rcu_thread_teardown),
	};

	return cmocka_run_group_tests_name("kmalloc", tests, NULL, NULL);
}
