/* SPDX-License-Identifier: MIT */
/*
 * Slab caches: object layout, constructors, slabinfo and meminfo, tunables,
 * reaping, threads (cross-thread frees, idle and exiting threads), RCU-deferred
 * slab release, exact page counts after destroy, and the bad-input reports.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <kmm/kmm.h>
#include <kmm/list_lru.h>
#include "kmm_test.h"
#include "rcu_reader.h"

/* One cache's line of /proc/slabinfo. */
struct slabinfo {
	unsigned long active_objs, num_objs;
	unsigned int objsize, objperslab, pagesperslab;
	unsigned int limit, batchcount, shared;
	unsigned long active_slabs, num_slabs, sharedavail;
};

static char *slabinfo_text(void)
{
	static char buf[1 << 16];

	return show_to_string("slabinfo", buf, sizeof(buf));
}

/* The slabinfo line of cache @name; fails the test if there is none. */
static struct slabinfo slabinfo_of(const char *name)
{
	const char *line = slabinfo_text();
	size_t len = strlen(name);
	struct slabinfo si = {0};

	while ((line = strchr(line, '\n')) != NULL) {
		line++;
		if (strncmp(line, name, len) == 0 && line[len] == ' ') {
			int n = sscanf(
				line + len,
				" %lu %lu %u %u %u : tunables %u %u %u : slabdata %lu %lu %lu",
				&si.active_objs, &si.num_objs, &si.objsize, &si.objperslab,
				&si.pagesperslab, &si.limit, &si.batchcount, &si.shared,
				&si.active_slabs, &si.num_slabs, &si.sharedavail);

			assert_int_equal(n, 11);
			return si;
		}
	}
	fail_msg("no slabinfo line for %s", name);
	return si;
}

static bool slabinfo_has(const char *name)
{
	const char *text = slabinfo_text();
	char key[80];

	snprintf(key, sizeof(key), "\n%s ", name);
	return strstr(text, key) != NULL;
}

/* Alignment: the caller's, at least a word; SLAB_HWCACHE_ALIGN to the cache line. */
static void test_objects_are_aligned_as_asked(void **state)
{
	static const struct {
		unsigned int size, align;
		slab_flags_t flags;
		unsigned int want_align, want_size;
	} cases[] = {
		{24, 0, 0, 8, 24},
		{13, 0, 0, 8, 16},
		{40, 64, 0, 64, 64},
		{100, 0, SLAB_HWCACHE_ALIGN, 64, 128},
		{20, 0, SLAB_HWCACHE_ALIGN, 32, 32},
		{300, 256, 0, 256, 512},
		{4096, 4096, 0, 4096, 4096},
	};
	size_t c;

	(void)state;
	assert_int_equal(kmm_init("mem=128M"), 0);
	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct kmem_cache *s = kmem_cache_create("align_test", cases[c].size,
							 cases[c].align, cases[c].flags, NULL);
		void *obj[300];
		int i;

		assert_non_null(s);
		assert_int_equal(kmem_cache_size(s), cases[c].size);
		for (i = 0; i < 300; i++) {
			obj[i] = kmem_cache_alloc(s, GFP_KERNEL);
			assert_non_null(obj[i]);
			assert_int_equal((unsigned long)obj[i] % cases[c].want_align, 0);
			memset(obj[i], 0xa5, cases[c].size);
		}
		assert_int_equal(slabinfo_of("align_test").objsize, cases[c].want_size);
		for (i = 0; i < 300; i++)
			kmem_cache_free(s, obj[i]);
		kmem_cache_destroy(s);
	}
	kmm_exit();
}

static void zero_ctor(void *obj)
{
	memset(obj, 0, 256);
}

/*
 * Colouring: 256-byte objects with a constructor keep their freelist at the end
 * of the slab and leave 226 bytes of a page unused, so successive
 * slabs start their first object 0, 64, 128 and 192 bytes into the page.
 */
static void test_successive_slabs_are_coloured(void **state)
{
	struct kmem_cache *s;
	void *obj[15 * 8];
	unsigned int seen = 0;
	int i;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	s = kmem_cache_create("colour_test", 256, 0, SLAB_HWCACHE_ALIGN, zero_ctor);
	assert_non_null(s);
	assert_int_equal(slabinfo_of("colour_test").objperslab, 15);
	for (i = 0; i < 15 * 8; i++) {
		obj[i] = kmem_cache_alloc(s, GFP_KERNEL);
		assert_non_null(obj[i]);
	}
	for (i = 0; i < 15 * 8; i++) {
		unsigned long first = virt_to_page(obj[i])->private;

		assert_int_equal(first % 64, 0);
		assert_true(first % PAGE_SIZE < 256);
		seen |= 1u << (first % PAGE_SIZE / 64);
	}
	assert_int_equal(seen, 0xf);
	for (i = 0; i < 15 * 8; i++)
		kmem_cache_free(s, obj[i]);
	kmem_cache_destroy(s);
	kmm_exit();
}

/*
 * Descriptors are objects of the "kmem_cache" cache, sized by the machine's
 * CPUs and nodes: on two CPUs and one node (a cache line of array for each
 * CPU) seven or more fit in a page, so 30 new caches take at most 5 pages
 * (11 when every descriptor held MAX_NUMNODES node lists, 30 when it held
 * NR_CPUS array pointers too), and slabinfo
 * counts them.  Destroyed and dropped, they give their pages back.  With
 * four nodes a descriptor holds three node lists more.
 */
static void test_descriptors_are_objects_of_kmem_cache(void **state)
{
	struct kmem_cache *caches[30];
	unsigned long before, active, objsize;
	char name[32];
	int i;

	(void)state;
	assert_int_equal(kmm_init("mem=64M nr_cpus=2"), 0);
	before = drained_free();
	active = slabinfo_of("kmem_cache").active_objs;
	for (i = 0; i < 30; i++) {
		snprintf(name, sizeof(name), "descriptor-%d", i);
		caches[i] = kmem_cache_create(name, 64, 0, 0, NULL);
		assert_non_null(caches[i]);
		assert_ptr_equal(virt_to_page(caches[i])->mapping,
				 virt_to_page(caches[0])->mapping);
		assert_true(PageSlab(virt_to_page(caches[i])));
	}
	assert_true(before - nr_free_pages() <= 5);
	assert_int_equal(slabinfo_of("kmem_cache").active_objs, active + 30);
	assert_true(slabinfo_of("kmem_cache").objperslab >= 7);
	objsize = slabinfo_of("kmem_cache").objsize;
	for (i = 0; i < 30; i++)
		kmem_cache_destroy(caches[i]);
	assert_int_equal(dropped_free(), before);
	kmm_exit();
	assert_int_equal(kmm_init("mem=512M nr_cpus=2 numa=fake=4"), 0);
	assert_true(slabinfo_of("kmem_cache").objsize + 63 >=
		    objsize + 3 * sizeof(struct kmem_cache_node));
	kmm_exit();
}

/*
 * Without a constructor, a 512-byte cache keeps its freelist in a free object
 * and fits 8 objects a page, not 7.  Objects fully written, freed in a
 * scrambled order and allocated again come back whole and distinct.
 */
static void test_freelist_in_a_free_object(void **state)
{
	enum { NR = 8 * 20 };
	struct kmem_cache *s;
	unsigned char *obj[NR];
	unsigned long before;
	int i, j, round;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	before = drained_free();
	s = kmem_cache_create("objfreelist_test", 512, 0, 0, NULL);
	assert_int_equal(kmem_cache_tune(s, 1, 1, 0), 0);
	assert_int_equal(slabinfo_of("objfreelist_test").objperslab, 8);
	for (round = 0; round < 3; round++) {
		for (i = 0; i < NR; i++) {
			obj[i] = kmem_cache_alloc(s, GFP_KERNEL);
			assert_non_null(obj[i]);
			memset(obj[i], i & 0xff, 512);
		}
		for (i = 0; i < NR; i++)
			for (j = 0; j < 512; j += 64)
				assert_int_equal(obj[i][j], i & 0xff);
		for (i = 0; i < NR; i++)
			kmem_cache_free(s, obj[(i * 7 + round) % NR]);
	}
	assert_int_equal(kmem_cache_shrink(s), 0);
	kmem_cache_destroy(s);
	assert_int_equal(dropped_free(), before);
	kmm_exit();
}

/* SLAB's slab order and default tunables, as slabinfo shows them. */
static void test_slab_order_and_default_tunables(void **state)
{
	static const struct {
		unsigned int size, objsize, objperslab, pagesperslab, limit;
	} cases[] = {
		/* 64: 61 objects, each with a 2-byte index and a free bit at the slab's end */
		{64, 64, 61, 1, 120},  {512, 512, 8, 1, 54},	   {2100, 2104, 3, 2, 24},
		{8192, 8192, 1, 2, 8}, {200000, 200000, 1, 64, 1},
	};
	bool smp = sysconf(_SC_NPROCESSORS_ONLN) > 1;
	size_t c;

	(void)state;
	assert_int_equal(kmm_init("mem=256M"), 0);
	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct kmem_cache *s = kmem_cache_create("order_test", cases[c].size, 0, 0, NULL);
		struct slabinfo si;

		assert_non_null(s);
		si = slabinfo_of("order_test");
		assert_int_equal(si.objsize, cases[c].objsize);
		assert_int_equal(si.objperslab, cases[c].objperslab);
		assert_int_equal(si.pagesperslab, cases[c].pagesperslab);
		assert_int_equal(si.limit, cases[c].limit);
		assert_int_equal(si.batchcount, (cases[c].limit + 1) / 2);
		assert_int_equal(si.shared, smp && cases[c].objsize <= PAGE_SIZE ? 8 : 0);
		assert_int_equal(si.num_objs, 0);
		kmem_cache_destroy(s);
	}
	kmm_exit();
}

/* slab_max_order=: a 5120-byte object takes an order-1 slab alone by default, three share order 2. */
static void test_slab_max_order_packs_large_objects(void **state)
{
	static const struct {
		const char *cmdline;
		unsigned int objperslab, pagesperslab;
	} cases[] = {
		{"mem=256M", 1, 2},
		{"mem=256M slab_max_order=3", 3, 4}, /* 1/16 wasted at order 2 */
		{"mem=256M slab_max_order=0", 1, 2}, /* an object needs order 1: it gets it */
	};
	size_t c;

	(void)state;
	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct kmem_cache *s;
		struct slabinfo si;

		assert_int_equal(kmm_init(cases[c].cmdline), 0);
		s = kmem_cache_create("order_test", 5120, 64, 0, NULL);
		assert_non_null(s);
		si = slabinfo_of("order_test");
		assert_int_equal(si.objperslab, cases[c].objperslab);
		assert_int_equal(si.pagesperslab, cases[c].pagesperslab);
		/* kmalloc-8k packs whole at order 1 whatever the limit */
		si = slabinfo_of("kmalloc-8k");
		assert_int_equal(si.objperslab, 1);
		assert_int_equal(si.pagesperslab, 2);
		kmem_cache_destroy(s);
		kmm_exit();
	}
}

/* The header and one line in the kernel's column layout; counts exact after a shrink. */
static void test_slabinfo_layout_and_counts(void **state)
{
	static const char head[] =
		"slabinfo - version: 2.1\n"
		"# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>"
		" : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs>"
		" <num_slabs> <sharedavail>\n";
	struct kmem_cache *s;
	struct slabinfo si;
	void *obj[100];
	char line[200];
	const char *p;
	int i;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	s = kmem_cache_create("layout_test", 64, 0, 0, NULL);
	assert_non_null(s);
	assert_int_equal(kmem_cache_tune(s, 120, 60, 0), 0);
	for (i = 0; i < 100; i++)
		obj[i] = kmem_cache_alloc(s, GFP_KERNEL);
	assert_int_equal(kmem_cache_shrink(s), 1);
	assert_memory_equal(slabinfo_text(), head, sizeof(head) - 1);
	p = strstr(slabinfo_text(), "\nlayout_test ");
	assert_non_null(p);
	snprintf(line, sizeof(line), "%.*s", (int)(strchr(p + 1, '\n') - p - 1), p + 1);
	assert_string_equal(line,
			    "layout_test          100    122     64   61    1 : tunables  120   "
			    "60    0 : slabdata      2      2      0");
	for (i = 0; i < 100; i++)
		kmem_cache_free(s, obj[i]);
	assert_int_equal(kmem_cache_shrink(s), 0);
	si = slabinfo_of("layout_test");
	assert_int_equal(si.active_objs, 0);
	assert_int_equal(si.num_objs, 0);
	assert_int_equal(si.num_slabs, 0);
	kmem_cache_destroy(s);
	assert_false(slabinfo_has("layout_test"));
	kmm_exit();
}

/* Constructors run once per object, when its slab is made; freed objects stay constructed. */
static int ctor_calls;

static void count_ctor(void *obj)
{
	ctor_calls++;
	memcpy(obj, "constructed", 12);
}

static void test_constructor_runs_once_per_object(void **state)
{
	struct kmem_cache *s;
	void *obj[200];
	int i, calls;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	ctor_calls = 0;
	s = kmem_cache_create("ctor_test", 48, 0, 0, count_ctor);
	assert_non_null(s);
	assert_int_equal(ctor_calls, 0);
	for (i = 0; i < 200; i++) {
		obj[i] = kmem_cache_alloc(s, GFP_KERNEL);
		assert_string_equal(obj[i], "constructed");
	}
	calls = ctor_calls;
	assert_int_equal(calls, (int)slabinfo_of("ctor_test").num_objs);
	for (i = 0; i < 200; i++)
		kmem_cache_free(s, obj[i]);
	for (i = 0; i < 200; i++) {
		obj[i] = kmem_cache_alloc(s, GFP_KERNEL);
		assert_string_equal(obj[i], "constructed");
	}
	assert_int_equal(ctor_calls, calls);
	for (i = 0; i < 200; i++)
		kmem_cache_free(s, obj[i]);
	kmem_cache_destroy(s);
	kmm_exit();
}

static void test_zalloc_zeroes_a_dirtied_object(void **state)
{
	struct kmem_cache *s;
	unsigned char *obj, *again;
	int i;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	s = kmem_cache_create("zero_test", 200, 0, 0, NULL);
	obj = kmem_cache_alloc(s, GFP_KERNEL);
	memset(obj, 0xff, 200);
	kmem_cache_free(s, obj);
	again = kmem_cache_zalloc(s, GFP_KERNEL);
	assert_ptr_equal(again, obj);
	for (i = 0; i < 200; i++)
		assert_int_equal(again[i], 0);
	kmem_cache_free(s, again);
	kmem_cache_destroy(s);
	kmm_exit();
}

/*
 * Every byte of an object leads, through its struct page, to the cache: no
 * lock, no search.  PageSlab() is true of every page of a slab, as the
 * kernel's answers for a tail page through its folio, and of none once the
 * slab is gone.
 */
static void test_virt_to_page_finds_the_cache(void **state)
{
	struct kmem_cache *s;
	char *obj[9];
	int i;
	unsigned int b;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	s = kmem_cache_create("lookup_test", 2100, 0, 0, NULL);
	assert_int_equal(slabinfo_of("lookup_test").pagesperslab, 2);
	for (i = 0; i < 9; i++) {
		obj[i] = kmem_cache_alloc(s, GFP_KERNEL);
		for (b = 0; b < 2100; b += 100) {
			struct page *page = virt_to_page(obj[i] + b);

			assert_ptr_equal(page->mapping, s);
			assert_true(PageSlab(page));
			assert_true(PageSlab(compound_head(page)));
			assert_int_equal(compound_order(compound_head(page)), 1);
			assert_int_equal(((unsigned long)obj[i] - page->private) % 2104, 0);
		}
	}
	for (i = 0; i < 9; i++)
		kmem_cache_free(s, obj[i]);
	kmem_cache_destroy(s);
	for (i = 0; i < 9; i++)
		for (b = 0; b < 2100; b += 100)
			assert_false(PageSlab(virt_to_page(obj[i] + b)));
	kmm_exit();
}

static void test_bulk_allocates_all_or_nothing(void **state)
{
	struct kmem_cache *s, *big;
	void *obj[300];
	unsigned long before;
	int i, j;

	(void)state;
	assert_int_equal(kmm_init("mem=32M"), 0);
	before = drained_free();
	s = kmem_cache_create("bulk_test", 64, 0, 0, NULL);
	assert_int_equal(kmem_cache_alloc_bulk(s, GFP_KERNEL, 300, obj), 300);
	for (i = 0; i < 300; i++) {
		assert_ptr_equal(virt_to_page(obj[i])->mapping, s);
		for (j = 0; j < i; j++)
			assert_ptr_not_equal(obj[i], obj[j]);
	}
	assert_int_equal(kmem_cache_shrink(s), 1);
	assert_int_equal(slabinfo_of("bulk_test").active_objs, 300);
	kmem_cache_free_bulk(s, 300, obj);
	kmem_cache_destroy(s);

	/* 64 objects of 1 MiB do not fit in 32 MiB: nothing is allocated. */
	big = kmem_cache_create("bulk_big", 1 << 20, 0, 0, NULL);
	assert_int_equal(kmem_cache_alloc_bulk(big, GFP_KERNEL | __GFP_NOWARN, 64, obj), 0);
	assert_int_equal(kmem_cache_shrink(big), 0);
	kmem_cache_destroy(big);
	assert_int_equal(dropped_free(), before);
	kmm_exit();
}

/* pin_to_cpu - keep the calling thread on host CPU @cpu. */
static void pin_to_cpu(int cpu)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
}

static int compare_ptrs(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (void *const *)a, y = (uintptr_t) * (void *const *)b;

	return (x > y) - (x < y);
}

/*
 * The bulk calls move the CPU's array as single calls do, a run at a time:
 * the objects freed last come first, __GFP_ZERO zeroes each, and runs longer
 * than an array (limit 120 here) go through refills and flushes.
 */
static void test_bulk_calls_move_the_cpus_array(void **state)
{
	enum { N = 10, LONG = 1000 };
	static void *obj[N], *got[N], *many[LONG], *again[LONG];
	struct kmem_cache *s;
	cpu_set_t saved;
	int i, j;

	(void)state;
	assert_int_equal(sched_getaffinity(0, sizeof(saved), &saved), 0);
	pin_to_cpu(0);
	assert_int_equal(kmm_init("mem=64M"), 0);
	s = kmem_cache_create("bulk_order", 64, 0, 0, NULL);
	for (i = 0; i < N; i++) {
		obj[i] = kmem_cache_alloc(s, GFP_KERNEL);
		memset(obj[i], 0xa5, 64);
	}
	for (i = 0; i < N; i++)
		kmem_cache_free(s, obj[i]);
	assert_int_equal(kmem_cache_alloc_bulk(s, GFP_KERNEL | __GFP_ZERO, N, got), N);
	for (i = 0; i < N; i++) {
		assert_ptr_equal(got[i], obj[N - 1 - i]);
		for (j = 0; j < 64; j++)
			assert_int_equal(((unsigned char *)got[i])[j], 0);
	}
	/* given back in one call, taken back one by one: the last of the run first */
	kmem_cache_free_bulk(s, N, got);
	for (i = 0; i < N; i++)
		assert_ptr_equal(kmem_cache_alloc(s, GFP_KERNEL), got[N - 1 - i]);
	kmem_cache_free_bulk(s, N, got);

	assert_int_equal(kmem_cache_alloc_bulk(s, GFP_KERNEL, LONG, many), LONG);
	/* the arrays drained: what is in use is what the call handed out */
	kmem_cache_shrink(s);
	assert_int_equal(slabinfo_of("bulk_order").active_objs, LONG);
	kmem_cache_free_bulk(s, LONG, many);
	assert_int_equal(kmem_cache_alloc_bulk(s, GFP_KERNEL, LONG, again), LONG);
	for (i = 0; i < LONG; i++)
		assert_ptr_equal(virt_to_page(again[i])->mapping, s);
	qsort(again, LONG, sizeof(again[0]), compare_ptrs);
	for (i = 1; i < LONG; i++)
		assert_ptr_not_equal(again[i], again[i - 1]);
	kmem_cache_free_bulk(s, LONG, again);
	kmem_cache_destroy(s);
	kmm_exit();
	assert_int_equal(sched_setaffinity(0, sizeof(saved), &saved), 0);
}

/* Objects parked in arrays count as free: destroy returns every page and prints nothing. */
static void test_destroy_returns_every_page_silently(void **state)
{
	struct capture cap;
	struct kmem_cache *s;
	unsigned long before;
	void *obj[1000];
	int i;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	before = drained_free();
	capture_begin(&cap);
	s = kmem_cache_create("destroy_test", 96, 0, SLAB_HWCACHE_ALIGN, count_ctor);
	for (i = 0; i < 1000; i++)
		obj[i] = kmem_cache_alloc(s, GFP_KERNEL);
	assert_true(drained_free() < before);
	for (i = 0; i < 1000; i++)
		kmem_cache_free(s, obj[i]);
	kmem_cache_destroy(s);
	assert_string_equal(capture_end(&cap), "");
	assert_int_equal(dropped_free(), before);
	kmm_exit();
}

static void test_destroy_with_live_objects_keeps_the_cache(void **state)
{
	struct capture cap;
	struct kmem_cache *s;
	unsigned long before;
	const char *out;
	void *obj, *more;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	before = drained_free();
	s = kmem_cache_create("leaky_cache", 128, 0, 0, NULL);
	obj = kmem_cache_alloc(s, GFP_KERNEL);
	capture_begin(&cap);
	kmem_cache_destroy(s);
	out = capture_end(&cap);
	assert_int_equal(count_lines(out), 1);
	assert_non_null(
		strstr(out, "kmem_cache_destroy leaky_cache: Slab cache still has objects"));
	assert_true(slabinfo_has("leaky_cache"));
	more = kmem_cache_alloc(s, GFP_KERNEL);
	assert_non_null(more);
	kmem_cache_free(s, more);
	kmem_cache_free(s, obj);
	capture_begin(&cap);
	kmem_cache_destroy(s);
	assert_string_equal(capture_end(&cap), "");
	assert_false(slabinfo_has("leaky_cache"));
	assert_int_equal(dropped_free(), before);
	kmm_exit();
}

static void test_shrink_gives_back_free_slabs(void **state)
{
	struct kmem_cache *s;
	unsigned long before, full;
	void *obj[2000], *keep;
	int i;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	s = kmem_cache_create("shrink_test", 256, 0, 0, NULL);
	keep = kmem_cache_alloc(s, GFP_KERNEL);
	assert_int_equal(kmem_cache_shrink(s), 1);
	before = drained_free();
	for (i = 0; i < 2000; i++)
		obj[i] = kmem_cache_alloc(s, GFP_KERNEL);
	full = drained_free();
	assert_true(before - full >= 2000 / 16);
	for (i = 0; i < 2000; i++)
		kmem_cache_free(s, obj[i]);
	assert_int_equal(kmem_cache_shrink(s), 1);
	assert_int_equal(drained_free(), before);
	assert_int_equal(slabinfo_of("shrink_test").active_objs, 1);
	kmem_cache_free(s, keep);
	assert_int_equal(kmem_cache_shrink(s), 0);
	assert_int_equal(slabinfo_of("shrink_test").num_slabs, 0);
	kmem_cache_destroy(s);
	kmm_exit();
}

/* meminfo's Slab = SReclaimable + SUnreclaim, each growing with its caches' pages. */
static void test_meminfo_counts_slab_pages(void **state)
{
	struct kmem_cache *rcl, *unrcl;
	long slab0, rcl0, unrcl0;
	void *a[256], *b[256];
	int i;

	(void)state;
	assert_int_equal(kmm_init("mem=128M"), 0);
	rcl = kmem_cache_create("rcl_test", 4096, 0, SLAB_RECLAIM_ACCOUNT, NULL);
	unrcl = kmem_cache_create("unrcl_test", 4096, 0, 0, NULL);
	kmm_drain_all();
	slab0 = meminfo_kb("Slab");
	rcl0 = meminfo_kb("SReclaimable");
	unrcl0 = meminfo_kb("SUnreclaim");
	assert_int_equal(slab0, rcl0 + unrcl0);
	for (i = 0; i < 256; i++) {
		a[i] = kmem_cache_alloc(rcl, GFP_KERNEL);
		b[i] = kmem_cache_alloc(unrcl, GFP_KERNEL | __GFP_RECLAIMABLE);
	}
	assert_true(meminfo_kb("SReclaimable") - rcl0 >= 1024);
	assert_true(meminfo_kb("SUnreclaim") - unrcl0 >= 1024);
	assert_int_equal(meminfo_kb("Slab"), meminfo_kb("SReclaimable") + meminfo_kb("SUnreclaim"));
	for (i = 0; i < 256; i++) {
		kmem_cache_free(rcl, a[i]);
		kmem_cache_free(unrcl, b[i]);
	}
	kmem_cache_destroy(rcl);
	kmem_cache_destroy(unrcl);
	assert_int_equal(meminfo_kb("SReclaimable"), rcl0);
	assert_int_equal(meminfo_kb("SUnreclaim"), unrcl0);
	kmm_exit();
}

/* Tuning: slabinfo shows the new values and the array never holds more than limit. */
static void test_tune_limits_the_per_cpu_array(void **state)
{
	struct kmem_cache *s;
	struct slabinfo si;
	void *obj[500];
	int i;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	s = kmem_cache_create("tune_test", 64, 0, 0, NULL);
	assert_int_equal(kmem_cache_tune(s, 32, 16, 0), 0);
	assert_int_equal(kmem_cache_tune(s, 16, 32, 0), -EINVAL);
	assert_int_equal(kmem_cache_tune(s, 0, 0, 0), -EINVAL);
	assert_int_equal(kmem_cache_tune(NULL, 32, 16, 0), -EINVAL);
	for (i = 0; i < 500; i++)
		obj[i] = kmem_cache_alloc(s, GFP_KERNEL);
	for (i = 0; i < 500; i++)
		kmem_cache_free(s, obj[i]);
	si = slabinfo_of("tune_test");
	assert_int_equal(si.limit, 32);
	assert_int_equal(si.batchcount, 16);
	assert_int_equal(si.shared, 0);
	assert_true(si.active_objs <= 32);
	assert_true(si.active_objs > 0);
	/* Retuning with objects parked: they go back, nothing is lost. */
	assert_int_equal(kmem_cache_tune(s, 120, 60, 8), 0);
	assert_int_equal(slabinfo_of("tune_test").active_objs, 0);
	kmem_cache_destroy(s);
	kmm_exit();
}

/*
 * A CPU's array is a line of its cache's descriptor, its entries storage of
 * their own: tuned to the largest limit, one CPU's array parks as many
 * objects as the limit says, and flushes batchcount of them when full.
 */
static void test_tune_to_the_largest_limit(void **state)
{
	enum { LIMIT = 4096, BATCH = LIMIT / 2 };
	static void *obj[LIMIT];
	struct kmem_cache *s;
	unsigned long parked;
	int i;

	(void)state;
	assert_int_equal(kmm_init("mem=256M"), 0);
	s = kmem_cache_create("tune_large", 64, 0, 0, NULL);
	assert_int_equal(kmem_cache_tune(s, LIMIT, BATCH, 0), 0);
	assert_int_equal(kmem_cache_tune(s, LIMIT + 1, BATCH, 0), -EINVAL);
	for (i = 0; i < LIMIT; i++)
		assert_non_null(obj[i] = kmem_cache_alloc(s, GFP_KERNEL));
	for (i = 0; i < LIMIT; i++)
		kmem_cache_free(s, obj[i]);
	/* what is still active is parked on the one CPU's array */
	parked = slabinfo_of("tune_large").active_objs;
	assert_int_equal(slabinfo_of("tune_large").limit, LIMIT);
	assert_true(parked >= BATCH && parked <= LIMIT);
	assert_int_equal(kmem_cache_live_objects(s), 0);
	assert_int_equal(kmem_cache_tune(s, 120, 60, 8), 0);
	assert_int_equal(slabinfo_of("tune_large").active_objs, 0);
	kmem_cache_destroy(s);
	kmm_exit();
}

/* A thread that fills its arrays and then blocks, never calling libkmm again. */
struct idle_thread {
	pthread_t thread;
	struct kmem_cache *s;
	int nr;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool parked, release;
};

static void *idle_main(void *arg)
{
	struct idle_thread *t = arg;
	void *obj[400];
	int i;

	for (i = 0; i < t->nr; i++)
		obj[i] = kmem_cache_alloc(t->s, GFP_KERNEL);
	for (i = 0; i < t->nr; i++)
		kmem_cache_free(t->s, obj[i]);
	pthread_mutex_lock(&t->lock);
	t->parked = true;
	pthread_cond_broadcast(&t->cond);
	while (!t->release)
		pthread_cond_wait(&t->cond, &t->lock);
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

static void idle_start(struct idle_thread *t, struct kmem_cache *s, int nr)
{
	*t = (struct idle_thread){.s = s, .nr = nr};
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->cond, NULL);
	pthread_create(&t->thread, NULL, idle_main, t);
	pthread_mutex_lock(&t->lock);
	while (!t->parked)
		pthread_cond_wait(&t->cond, &t->lock);
	pthread_mutex_unlock(&t->lock);
}

static void idle_stop(struct idle_thread *t)
{
	pthread_mutex_lock(&t->lock);
	t->release = true;
	pthread_cond_broadcast(&t->cond);
	pthread_mutex_unlock(&t->lock);
	pthread_join(t->thread, NULL);
}

/* Reaping takes memory back from arrays and free slabs nobody uses, an idle thread's too. */
static void test_reaping_returns_an_idle_programs_memory(void **state)
{
	struct idle_thread t;
	struct kmem_cache *s;
	unsigned long before;
	int pass;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	before = drained_free();
	s = kmem_cache_create("reap_test", 32, 0, 0, NULL);
	idle_start(&t, s, 400);
	assert_true(slabinfo_of("reap_test").active_objs > 0);
	assert_true(nr_free_pages() < before);
	for (pass = 0; pass < 60 && slabinfo_of("reap_test").num_slabs; pass++)
		kmm_slab_reap();
	assert_true(pass < 60);
	assert_int_equal(slabinfo_of("reap_test").active_objs, 0);
	idle_stop(&t);
	kmem_cache_destroy(s);
	assert_int_equal(dropped_free(), before);
	kmm_exit();
}

/* shrink and destroy collect the objects parked in a blocked thread's array. */
static void test_shrink_and_destroy_collect_a_blocked_threads_objects(void **state)
{
	struct capture cap;
	struct idle_thread t1, t2;
	struct kmem_cache *s;
	unsigned long before;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	before = drained_free();
	s = kmem_cache_create("blocked_test", 512, 0, 0, NULL);
	idle_start(&t1, s, 50);
	assert_true(slabinfo_of("blocked_test").active_objs > 0);
	assert_int_equal(kmem_cache_shrink(s), 0);
	assert_int_equal(slabinfo_of("blocked_test").active_objs, 0);
	idle_start(&t2, s, 50);
	capture_begin(&cap);
	kmem_cache_destroy(s);
	assert_string_equal(capture_end(&cap), "");
	assert_int_equal(dropped_free(), before);
	idle_stop(&t1);
	idle_stop(&t2);
	kmm_exit();
}

/*
 * Arrays are the CPUs', not the threads': what a thread freed stays on its
 * CPU's array after it exits, for the next thread there, until a drain.
 */
static void *alloc_free_and_exit(void *arg)
{
	struct kmem_cache *s = arg;
	void *obj[100];
	int i;

	for (i = 0; i < 100; i++)
		obj[i] = kmem_cache_alloc(s, GFP_KERNEL);
	for (i = 0; i < 100; i++)
		kmem_cache_free(s, obj[i]);
	return NULL;
}

static void test_a_thread_exit_leaves_its_frees_to_the_cpu(void **state)
{
	struct kmem_cache *s;
	struct slabinfo si;
	pthread_t t;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	s = kmem_cache_create("exit_test", 64, 0, 0, NULL);
	assert_int_equal(kmem_cache_tune(s, 120, 60, 0), 0);
	pthread_create(&t, NULL, alloc_free_and_exit, s);
	pthread_join(t, NULL);
	/* slabinfo counts objects on CPU arrays as active, as the kernel's SLAB does */
	si = slabinfo_of("exit_test");
	assert_true(si.num_objs > 0);
	assert_true(si.active_objs > 0);
	assert_int_equal(kmem_cache_live_objects(s), 0);
	kmm_drain_all();
	si = slabinfo_of("exit_test");
	assert_int_equal(si.active_objs, 0);
	kmem_cache_destroy(s);
	kmm_exit();
}

/* Objects allocated by one thread, checked and freed by another. */
#define RING 256
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned long *slot[RING];
	unsigned long head, tail;
	bool done;
	long errors;
	struct kmem_cache *s;
} ring = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

static void *producer_main(void *arg)
{
	unsigned long i;

	(void)arg;
	for (i = 0; i < 100000; i++) {
		unsigned long *obj = kmem_cache_alloc(ring.s, GFP_KERNEL);

		if (!obj) {
			ring.errors++;
			continue;
		}
		obj[0] = i;
		obj[7] = ~i;
		pthread_mutex_lock(&ring.lock);
		while (ring.head - ring.tail == RING)
			pthread_cond_wait(&ring.cond, &ring.lock);
		ring.slot[ring.head++ % RING] = obj;
		pthread_cond_broadcast(&ring.cond);
		pthread_mutex_unlock(&ring.lock);
	}
	pthread_mutex_lock(&ring.lock);
	ring.done = true;
	pthread_cond_broadcast(&ring.cond);
	pthread_mutex_unlock(&ring.lock);
	return NULL;
}

static void *consumer_main(void *arg)
{
	unsigned long expect = 0;

	(void)arg;
	for (;;) {
		unsigned long *obj;

		pthread_mutex_lock(&ring.lock);
		while (ring.head == ring.tail && !ring.done)
			pthread_cond_wait(&ring.cond, &ring.lock);
		if (ring.head == ring.tail) {
			pthread_mutex_unlock(&ring.lock);
			return NULL;
		}
		obj = ring.slot[ring.tail++ % RING];
		pthread_cond_broadcast(&ring.cond);
		pthread_mutex_unlock(&ring.lock);
		if (obj[0] != expect || obj[7] != ~expect)
			ring.errors++;
		expect++;
		obj[0] = obj[7] = 0xdead;
		kmem_cache_free(ring.s, obj);
	}
}

static void test_producer_consumer_across_threads(void **state)
{
	pthread_t p, c;
	unsigned long before;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	before = drained_free();
	ring.s = kmem_cache_create("pc_test", 64, 0, 0, NULL);
	ring.head = ring.tail = 0;
	ring.done = false;
	ring.errors = 0;
	pthread_create(&c, NULL, consumer_main, NULL);
	pthread_create(&p, NULL, producer_main, NULL);
	pthread_join(p, NULL);
	pthread_join(c, NULL);
	assert_int_equal(ring.errors, 0);
	assert_int_equal(kmem_cache_shrink(ring.s), 0);
	kmem_cache_destroy(ring.s);
	assert_int_equal(dropped_free(), before);
	kmm_exit();
}

/* Four threads churn three caches, each object checked before it is freed. */
struct churn {
	struct kmem_cache **caches;
	unsigned int seed;
	long errors;
};

static void *churn_main(void *arg)
{
	struct churn *c = arg;
	unsigned long *held[64] = {0};
	int which[64], round, i;

	for (round = 0; round < 50000; round++) {
		i = (int)(rand_r(&c->seed) % 64);
		if (held[i]) {
			if (held[i][0] != (unsigned long)held[i] * 7)
				c->errors++;
			kmem_cache_free(c->caches[which[i]], held[i]);
			held[i] = NULL;
		} else {
			which[i] = (int)(rand_r(&c->seed) % 3);
			held[i] = kmem_cache_alloc(c->caches[which[i]], GFP_KERNEL);
			if (!held[i]) {
				c->errors++;
				continue;
			}
			held[i][0] = (unsigned long)held[i] * 7;
		}
	}
	for (i = 0; i < 64; i++)
		if (held[i])
			kmem_cache_free(c->caches[which[i]], held[i]);
	return NULL;
}

static void test_four_threads_churn_three_caches(void **state)
{
	struct kmem_cache *caches[3];
	struct churn c[4];
	pthread_t t[4];
	unsigned long before;
	int i;

	(void)state;
	assert_int_equal(kmm_init("mem=128M"), 0);
	before = drained_free();
	caches[0] = kmem_cache_create("churn-16", 16, 0, 0, NULL);
	caches[1] = kmem_cache_create("churn-192", 192, 0, SLAB_HWCACHE_ALIGN, NULL);
	caches[2] = kmem_cache_create("churn-3000", 3000, 0, 0, NULL);
	for (i = 0; i < 4; i++) {
		c[i] = (struct churn){.caches = caches, .seed = (unsigned int)i + 11};
		pthread_create(&t[i], NULL, churn_main, &c[i]);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(c[i].errors, 0);
	}
	for (i = 0; i < 3; i++)
		kmem_cache_destroy(caches[i]);
	assert_int_equal(dropped_free(), before);
	kmm_exit();
}

/*
 * Shrinking while two threads live in the fast path: the IPIs that land inside
 * a fast path are dropped and sent again, so every shrink is answered (a lost
 * IPI would make it wait 2 s and print a report), and no object is lost.
 */
static struct {
	struct kmem_cache *s;
	volatile bool stop;
	int running;
	long errors;
} hammer;

static void *hammer_main(void *arg)
{
	long id = (long)arg;
	unsigned long *held[8] = {0};
	long n;
	int i;

	for (n = 0; !hammer.stop; n++) {
		unsigned long *obj = kmem_cache_alloc(hammer.s, GFP_KERNEL);

		if (!obj) {
			hammer.errors++;
			break;
		}
		*obj = (unsigned long)obj ^ (unsigned long)id;
		i = (int)(n % 8);
		if (held[i]) {
			if (*held[i] != ((unsigned long)held[i] ^ (unsigned long)id))
				hammer.errors++;
			kmem_cache_free(hammer.s, held[i]);
		}
		held[i] = obj;
		if (n == 1000)
			__atomic_add_fetch(&hammer.running, 1, __ATOMIC_RELEASE);
	}
	for (i = 0; i < 8; i++)
		if (held[i])
			kmem_cache_free(hammer.s, held[i]);
	return NULL;
}

static void test_shrink_while_threads_hammer_the_fast_path(void **state)
{
	struct capture cap;
	pthread_t t[2];
	unsigned long before;
	long i;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	before = drained_free();
	hammer.s = kmem_cache_create("hammer_test", 64, 0, 0, NULL);
	hammer.stop = false;
	hammer.errors = 0;
	hammer.running = 0;
	for (i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, hammer_main, (void *)i);
	while (__atomic_load_n(&hammer.running, __ATOMIC_ACQUIRE) < 2)
		sched_yield();
	capture_begin(&cap);
	for (i = 0; i < 100; i++)
		kmem_cache_shrink(hammer.s);
	hammer.stop = true;
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	assert_string_equal(capture_end(&cap), "");
	assert_int_equal(hammer.errors, 0);
	kmem_cache_destroy(hammer.s);
	assert_int_equal(dropped_free(), before);
	kmm_exit();
}

/*
 * SLAB_TYPESAFE_BY_RCU: a freed object may be reused at once, but its slab's
 * pages go back to the page allocator only after a grace period.
 */
/* The reader reads the object just before leaving its section. */
static unsigned long reader_seen;

static void read_the_object(void *obj)
{
	reader_seen = __atomic_load_n((unsigned long *)obj, __ATOMIC_RELAXED);
}

static void test_typesafe_by_rcu_defers_slab_release(void **state)
{
	struct kmem_cache *s;
	unsigned long before, *obj, *again;
	struct rcu_reader reader;

	(void)state;
	rcu_register_thread();
	assert_int_equal(kmm_init("mem=64M"), 0);
	s = kmem_cache_create("rcu_test", 1024, 0, SLAB_TYPESAFE_BY_RCU, NULL);
	assert_non_null(s);
	before = drained_free();
	obj = kmem_cache_alloc(s, GFP_KERNEL);
	*obj = 42;
	kmem_cache_free(s, obj);
	again = kmem_cache_alloc(s, GFP_KERNEL);
	assert_ptr_equal(again, obj);

	rcu_reader_start(&reader, 0, read_the_object, obj);
	kmem_cache_free(s, again);
	assert_int_equal(kmem_cache_shrink(s), 0);
	/* The slab left the cache but its pages wait for the reader's grace period. */
	assert_int_equal(slabinfo_of("rcu_test").num_slabs, 0);
	assert_true(drained_free() < before);
	assert_true(PageSlab(compound_head(virt_to_page(obj))));
	rcu_reader_release(&reader);
	assert_int_equal(reader_seen, 42);
	rcu_barrier();
	assert_false(PageSlab(compound_head(virt_to_page(obj))));
	assert_int_equal(drained_free(), before);
	kmem_cache_destroy(s);
	kmm_exit();
	rcu_unregister_thread();
}

/* NUMA: kmem_cache_alloc_node() puts objects on the node asked for. */
static void test_alloc_node_places_objects(void **state)
{
	struct kmem_cache *s;
	void *obj[2][100];
	unsigned long before;
	int nid, i;

	(void)state;
	assert_int_equal(kmm_init("mem=256M numa=fake=2"), 0);
	before = drained_free();
	s = kmem_cache_create("node_test", 128, 0, 0, NULL);
	for (nid = 0; nid < 2; nid++)
		for (i = 0; i < 100; i++) {
			obj[nid][i] = kmem_cache_alloc_node(s, GFP_KERNEL, nid);
			assert_non_null(obj[nid][i]);
			assert_int_equal(page_to_nid(virt_to_page(obj[nid][i])), nid);
		}
	for (nid = 0; nid < 2; nid++)
		for (i = 0; i < 100; i++)
			kmem_cache_free(s, obj[nid][i]);
	kmem_cache_destroy(s);
	assert_int_equal(dropped_free(), before);
	kmm_exit();
}

/*
 * boot_two_nodes_on_cpu - a machine of two CPUs on two nodes (CPU n on node
 * n), the calling thread pinned to host CPU @cpu, its affinity saved in
 * *@saved; the test is skipped on a host of one CPU.
 */
static void boot_two_nodes_on_cpu(int cpu, cpu_set_t *saved)
{
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		skip();
	assert_int_equal(sched_getaffinity(0, sizeof(*saved), saved), 0);
	pin_to_cpu(cpu);
	assert_int_equal(kmm_init("mem=256M nr_cpus=2 numa=fake=2"), 0);
}

/*
 * A refill that grows the cache lets the CPU go (the constructors may sleep)
 * and holds one again after: a thread that moved meanwhile holds a CPU of
 * another node, whose array must not take the new slab's objects, or that
 * node's kmem_cache_alloc_node() would hand them out.  Here the constructor
 * moves the thread from host CPU 0 (node 0) to CPU 1 (node 1).
 */
static bool move_in_ctor;

static void ctor_moving_to_cpu_1(void *obj)
{
	(void)obj;
	if (move_in_ctor) {
		move_in_ctor = false;
		pin_to_cpu(1);
	}
}

static void test_a_refill_that_moves_fills_no_array_of_another_node(void **state)
{
	struct kmem_cache *s;
	void *first, *obj[64];
	cpu_set_t saved;
	int i;

	(void)state;
	boot_two_nodes_on_cpu(0, &saved);
	s = kmem_cache_create("moving_refill", 128, 0, 0, ctor_moving_to_cpu_1);
	move_in_ctor = true;
	first = kmem_cache_alloc(s, GFP_KERNEL);
	assert_non_null(first);
	assert_int_equal(page_to_nid(virt_to_page(first)), 0);
	assert_int_equal(sched_getcpu(), 1);
	for (i = 0; i < 64; i++) {
		obj[i] = kmem_cache_alloc_node(s, GFP_KERNEL, 1);
		assert_non_null(obj[i]);
		assert_int_equal(page_to_nid(virt_to_page(obj[i])), 1);
	}
	for (i = 0; i < 64; i++)
		kmem_cache_free(s, obj[i]);
	kmem_cache_free(s, first);
	kmem_cache_destroy(s);
	assert_int_equal(sched_setaffinity(0, sizeof(saved), &saved), 0);
	kmm_exit();
}

/*
 * The inline free pushes an object on the CPU's array whatever its node; an
 * allocation asked for on the CPU's node must not take it from there.  On
 * host CPU 1 (node 1): an object of node 0, freed, then 64 allocations on
 * node 1, with and without __GFP_THISNODE.
 */
static void test_an_array_hands_out_no_other_nodes_object_for_its_node(void **state)
{
	struct kmem_cache *s;
	cpu_set_t saved;
	void *obj;
	int i;

	(void)state;
	boot_two_nodes_on_cpu(1, &saved);
	s = kmem_cache_create("foreign_on_array", 64, 0, 0, NULL);
	for (i = 0; i < 64; i++) {
		obj = kmem_cache_alloc_node(s, GFP_KERNEL, 0);
		assert_non_null(obj);
		assert_int_equal(page_to_nid(virt_to_page(obj)), 0);
		kmem_cache_free(s, obj);
		obj = kmem_cache_alloc_node(s, GFP_KERNEL | (i & 1 ? __GFP_THISNODE : 0), 1);
		assert_non_null(obj);
		assert_int_equal(page_to_nid(virt_to_page(obj)), 1);
		kmem_cache_free(s, obj);
	}
	kmem_cache_destroy(s);
	assert_int_equal(sched_setaffinity(0, sizeof(saved), &saved), 0);
	kmm_exit();
}

static void test_dma_caches_take_their_zones(void **state)
{
	struct kmem_cache *dma, *dma32, *normal;
	void *a, *b, *c;

	(void)state;
	assert_int_equal(kmm_init("mem=6G"), 0);
	dma = kmem_cache_create("dma_test", 256, 0, SLAB_CACHE_DMA, NULL);
	dma32 = kmem_cache_create("dma32_test", 256, 0, SLAB_CACHE_DMA32, NULL);
	normal = kmem_cache_create("normal_test", 256, 0, 0, NULL);
	a = kmem_cache_alloc(dma, GFP_KERNEL);
	b = kmem_cache_alloc(dma32, GFP_KERNEL);
	c = kmem_cache_alloc(normal, GFP_KERNEL);
	assert_int_equal(page_zonenum(virt_to_page(a)), ZONE_DMA);
	assert_int_equal(page_zonenum(virt_to_page(b)), ZONE_DMA32);
	assert_int_equal(page_zonenum(virt_to_page(c)), ZONE_NORMAL);
	kmem_cache_free(dma, a);
	kmem_cache_free(dma32, b);
	kmem_cache_free(normal, c);
	kmem_cache_destroy(dma);
	kmem_cache_destroy(dma32);
	kmem_cache_destroy(normal);
	kmm_exit();
}

struct kmm_test_node {
	struct kmm_test_node *next;
	char payload[40];
};

static void test_kmem_cache_macro_name_and_size(void **state)
{
	struct kmem_cache *s;
	struct kmm_test_node *n;

	(void)state;
	assert_int_equal(kmm_init("mem=32M"), 0);
	s = KMEM_CACHE(kmm_test_node, SLAB_HWCACHE_ALIGN);
	assert_non_null(s);
	assert_string_equal(kmem_cache_name(s), "kmm_test_node");
	assert_int_equal(kmem_cache_size(s), sizeof(struct kmm_test_node));
	n = kmem_cache_alloc(s, GFP_KERNEL);
	assert_int_equal((unsigned long)n % 64, 0);
	kmem_cache_free(s, n);
	kmem_cache_destroy(s);
	s = kmem_cache_create_usercopy("usercopy_test", 64, 0, 0, 8, 32, NULL);
	assert_non_null(s);
	kmem_cache_destroy(s);
	kmm_exit();
}

/* A cache grows until memory runs out, fails cleanly, and gives everything back. */
static void test_growing_until_memory_runs_out(void **state)
{
	static void *obj[16384];
	struct capture cap;
	struct kmem_cache *s;
	unsigned long before;
	const char *out;
	int n = 0, i;

	(void)state;
	assert_int_equal(kmm_init("mem=32M"), 0);
	before = drained_free();
	s = kmem_cache_create("oom_test", 4096, 0, 0, NULL);
	while (n < 16384 && (obj[n] = kmem_cache_alloc(s, GFP_KERNEL | __GFP_NOWARN)) != NULL)
		n++;
	assert_true(n > 1000 && n < 16384);
	capture_begin(&cap);
	assert_null(kmem_cache_alloc(s, GFP_KERNEL));
	out = capture_end(&cap);
	assert_non_null(strstr(out, "kmem_cache_alloc: oom_test: out of memory"));
	for (i = 0; i < n; i++)
		kmem_cache_free(s, obj[i]);
	kmem_cache_destroy(s);
	assert_int_equal(dropped_free(), before);
	kmm_exit();
}

/* Bad parameters: NULL and one line saying why. */
static void test_bad_create_parameters_are_refused(void **state)
{
	static const struct {
		const char *name;
		unsigned int size, align;
		const char *why;
	} cases[] = {
		{NULL, 64, 0, "no name"},
		{"zero", 0, 0, "size 0"},
		{"huge", (4u << 20) + 1, 0, "size above KMALLOC_MAX_SIZE"},
		{"crooked", 64, 24, "align is not a power of two"},
	};
	size_t c;

	(void)state;
	assert_int_equal(kmm_init("mem=32M"), 0);
	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct capture cap;
		const char *out;

		capture_begin(&cap);
		assert_null(
			kmem_cache_create(cases[c].name, cases[c].size, cases[c].align, 0, NULL));
		out = capture_end(&cap);
		assert_int_equal(count_lines(out), 1);
		assert_non_null(strstr(out, "kmem_cache_create"));
		assert_non_null(strstr(out, cases[c].why));
	}
	kmm_exit();
}

static void test_slab_panic_aborts_on_failure(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	pid = fork();
	if (pid == 0) {
		dup2(open("/dev/null", O_WRONLY), 2);
		kmm_init("mem=32M");
		kmem_cache_create("panicky", 0, 0, SLAB_PANIC, NULL);
		_exit(7);
	}
	assert_true(waitpid(pid, &status, 0) == pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

static void test_wrong_cache_free_is_reported_and_refused(void **state)
{
	struct kmem_cache *a, *b;
	struct capture cap;
	const char *out;
	void *obj;

	(void)state;
	assert_int_equal(kmm_init("mem=32M"), 0);
	a = kmem_cache_create("cache_a", 64, 0, 0, NULL);
	b = kmem_cache_create("cache_b", 64, 0, 0, NULL);
	obj = kmem_cache_alloc(a, GFP_KERNEL);
	capture_begin(&cap);
	kmem_cache_free(b, obj);
	out = capture_end(&cap);
	assert_int_equal(count_lines(out), 1);
	assert_non_null(strstr(out, "Wrong slab cache. cache_b but object is from cache_a"));
	assert_int_equal(kmem_cache_shrink(b), 0);
	assert_int_equal(kmem_cache_shrink(a), 1);
	assert_int_equal(slabinfo_of("cache_a").active_objs, 1);
	kmem_cache_free(a, obj);
	kmem_cache_destroy(a);
	kmem_cache_destroy(b);
	kmm_exit();
}

/* Pointers into an object, into a non-slab page, outside memory: reported, refused. */
static void test_bad_pointers_are_reported_and_refused(void **state)
{
	struct kmem_cache *s;
	struct capture cap;
	const char *out;
	char *obj, local;
	unsigned long page;

	(void)state;
	assert_int_equal(kmm_init("mem=32M"), 0);
	s = kmem_cache_create("pointer_test", 64, 0, 0, NULL);
	obj = kmem_cache_alloc(s, GFP_KERNEL);
	page = __get_free_page(GFP_KERNEL);
	capture_begin(&cap);
	kmem_cache_free(s, obj + 8);
	kmem_cache_free(s, (void *)page);
	kmem_cache_free(s, &local);
	kmem_cache_free(s, NULL);
	out = capture_end(&cap);
	assert_int_equal(count_lines(out), 3);
	assert_non_null(strstr(out, "not the start of an object"));
	assert_non_null(strstr(out, "Object is not a Slab page"));
	assert_non_null(strstr(out, "Object is not in the direct map"));
	assert_non_null(strstr(out, "pointer_test"));
	assert_int_equal(kmem_cache_shrink(s), 1);
	assert_int_equal(slabinfo_of("pointer_test").active_objs, 1);
	free_page(page);
	kmem_cache_free(s, obj);
	kmem_cache_destroy(s);
	kmm_exit();
}

static struct kmem_cache *recolour_cache;

static void *free_on_cpu_1(void *obj)
{
	pin_to_cpu(1);
	kmem_cache_free(recolour_cache, obj);
	return NULL;
}

/*
 * An object freed twice, the second time on another CPU's array, while its
 * slab goes back to the page allocator and its page comes back as a slab of
 * the cache in the other colour: the stale pointer is no object of the new
 * slab.  The flush refuses it; the new slab's bits stay whole.
 */
static void test_stale_free_into_a_recoloured_slab_is_refused(void **state)
{
	void *abcd[4], *x[8], *more[16];
	struct kmem_cache *s;
	struct capture cap;
	pthread_t helper;
	const char *out;
	int i, n;

	(void)state;
	/* the CPUs the test may use: those it had before its setup pinned it */
	if (!CPU_ISSET(0, cpus_before_pin()) || !CPU_ISSET(1, cpus_before_pin()))
		skip();
	pin_to_cpu(0);
	assert_int_equal(kmm_init("mem=64M nr_cpus=2"), 0);
	/* four objects of 1000 bytes to a page, 96 bytes over: colours 0 and 64 */
	s = recolour_cache = kmem_cache_create("recolour", 1000, 8, 0, NULL);
	assert_non_null(s);
	/* arrays of one object, no shared array: free_limit is 3 * 1 + 4 = 7 */
	assert_int_equal(kmem_cache_tune(s, 1, 1, 0), 0);
	for (i = 0; i < 4; i++)
		abcd[i] = kmem_cache_alloc(s, GFP_KERNEL); /* slab P, colour 0 */
	for (i = 0; i < 8; i++)
		x[i] = kmem_cache_alloc(s, GFP_KERNEL); /* slabs Q1 (64) and Q2 (0) */
	for (i = 0; i < 4; i++)
		assert_ptr_equal(virt_to_page(abcd[i]), virt_to_page(abcd[0]));
	for (i = 0; i < 4; i++)
		kmem_cache_free(s, abcd[i]); /* A, B and C back in P, D on CPU 0's array */
	assert_int_equal(pthread_create(&helper, NULL, free_on_cpu_1, abcd[0]), 0);
	assert_int_equal(pthread_join(helper, NULL), 0); /* A again, on CPU 1's array */
	for (i = 0; i < 8; i++)
		kmem_cache_free(s, x[i]); /* P, free, is destroyed past free_limit */
	/* X8 from the array, then Q1's 4 and Q2's 3, then a new slab: P's page, colour 64 */
	for (n = 0; n < 16; n++) {
		more[n] = kmem_cache_alloc(s, GFP_KERNEL);
		if (virt_to_page(more[n]) == virt_to_page(abcd[0]))
			break;
	}
	assert_true(n < 16);
	assert_int_not_equal(((char *)abcd[0] - (char *)more[n]) % 1000, 0);
	capture_begin(&cap);
	kmm_drain_all(); /* CPU 1's array: the stale A */
	out = capture_end(&cap);
	assert_int_equal(count_lines(out), 1);
	assert_non_null(strstr(out, "is no object of its slab"));
	assert_non_null(strstr(out, "recolour"));
	/* the new slab hands out its other three objects, each once */
	for (i = 0; i < 3; i++) {
		void *obj = kmem_cache_alloc(s, GFP_KERNEL);

		assert_ptr_equal(virt_to_page(obj), virt_to_page(more[n]));
		assert_ptr_not_equal(obj, more[n]);
		more[++n] = obj;
	}
	assert_ptr_not_equal(more[n], more[n - 1]);
	assert_ptr_not_equal(more[n], more[n - 2]);
	assert_ptr_not_equal(more[n - 1], more[n - 2]);
	capture_begin(&cap);
	for (i = 0; i <= n; i++)
		kmem_cache_free(s, more[i]);
	kmem_cache_destroy(s);
	out = capture_end(&cap);
	assert_string_equal(out, "");
	kmm_exit();
}

/* The same object freed twice in a row on one thread is caught without debugging. */
static void test_double_free_on_top_of_the_array_is_caught(void **state)
{
	struct kmem_cache *s;
	struct capture cap;
	const char *out;
	void *obj, *x, *y;

	(void)state;
	assert_int_equal(kmm_init("mem=32M"), 0);
	s = kmem_cache_create("double_test", 64, 0, 0, NULL);
	obj = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_free(s, obj);
	capture_begin(&cap);
	kmem_cache_free(s, obj);
	out = capture_end(&cap);
	assert_int_equal(count_lines(out), 1);
	assert_non_null(strstr(out, "double free"));
	assert_non_null(strstr(out, "double_test"));
	x = kmem_cache_alloc(s, GFP_KERNEL);
	y = kmem_cache_alloc(s, GFP_KERNEL);
	assert_ptr_equal(x, obj);
	assert_ptr_not_equal(x, y);
	kmem_cache_free(s, x);
	kmem_cache_free(s, y);
	kmem_cache_destroy(s);
	kmm_exit();
}

static void free_to_the_wrong_cache(void)
{
	struct kmem_cache *a = kmem_cache_create("a", 64, 0, 0, NULL);
	struct kmem_cache *b = kmem_cache_create("b", 64, 0, 0, NULL);

	kmem_cache_free(b, kmem_cache_alloc(a, GFP_KERNEL));
}

static void test_panic_on_warn_turns_a_wrong_cache_free_into_an_abort(void **state)
{
	(void)state;
	assert_panic_on_warn_aborts("mem=32M", free_to_the_wrong_cache);
}

/* A thread that allocates, frees everything, and stays alive holding its CPU's caches. */
struct idle_holder {
	struct kmem_cache *s;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int stage; /* 1: its work is done; 2: it may exit */
};

static void *hold_caches_idle(void *arg)
{
	struct idle_holder *h = arg;
	void *objs[500], *k[500];
	int i;

	for (i = 0; i < 500; i++) {
		objs[i] = kmem_cache_alloc(h->s, GFP_KERNEL);
		k[i] = kmalloc(16 + (size_t)i * 7, GFP_KERNEL);
	}
	for (i = 0; i < 500; i++) {
		kmem_cache_free(h->s, objs[i]);
		kfree(k[i]);
	}
	free_pages((unsigned long)__get_free_pages(GFP_KERNEL, 1), 1);
	pthread_mutex_lock(&h->lock);
	h->stage = 1;
	pthread_cond_broadcast(&h->cond);
	while (h->stage < 2)
		pthread_cond_wait(&h->cond, &h->lock);
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

/* A leak check is exact: after kmm_drop_caches() the free pages are what they were. */
static void test_drop_caches_gives_back_every_cached_page(void **state)
{
	struct idle_holder h = {.lock = PTHREAD_MUTEX_INITIALIZER,
				.cond = PTHREAD_COND_INITIALIZER};
	unsigned long before;
	pthread_t thread;
	void *v;

	(void)state;
	assert_int_equal(kmm_init("mem=128M"), 0);
	vfree(vmalloc(PAGE_SIZE)); /* vmalloc's page tables stay once made, as the kernel's */
	kmm_drop_caches();
	before = nr_free_pages();
	h.s = kmem_cache_create("leak_check", 200, 0, 0, NULL);
	assert_non_null(h.s);
	assert_int_equal(pthread_create(&thread, NULL, hold_caches_idle, &h), 0);
	pthread_mutex_lock(&h.lock);
	while (h.stage < 1)
		pthread_cond_wait(&h.cond, &h.lock);
	pthread_mutex_unlock(&h.lock);
	v = vmalloc(64 << 10);
	assert_non_null(v);
	vfree(v);
	kmem_cache_destroy(h.s);
	/* the thread lives on with arrays, page lists and the cache's destroyed descriptor kept */
	assert_true(nr_free_pages() < before);
	kmm_drop_caches();
	assert_int_equal(nr_free_pages(), before);
	pthread_mutex_lock(&h.lock);
	h.stage = 2;
	pthread_cond_broadcast(&h.cond);
	pthread_mutex_unlock(&h.lock);
	pthread_join(thread, NULL);
	kmm_exit();
}

/* The live-object counts follow what is handed out, per cache and in all. */
static void test_live_objects_count_what_is_handed_out(void **state)
{
	struct kmem_cache *s;
	unsigned long total;
	void *objs[300], *k;
	int i;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	s = kmem_cache_create("counted", 100, 0, 0, NULL);
	assert_non_null(s);
	total = kmm_live_objects();
	assert_int_equal(kmem_cache_live_objects(s), 0);
	for (i = 0; i < 300; i++)
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
	k = kmalloc(100, GFP_KERNEL);
	assert_int_equal(kmem_cache_live_objects(s), 300);
	assert_int_equal(kmm_live_objects(), total + 301);
	for (i = 0; i < 299; i++)
		kmem_cache_free(s, objs[i]);
	kfree(k);
	assert_int_equal(kmem_cache_live_objects(s), 1);
	assert_int_equal(kmm_live_objects(), total + 1);
	kmem_cache_free(s, objs[299]);
	assert_int_equal(kmem_cache_live_objects(s), 0);
	assert_int_equal(kmm_live_objects(), total);
	kmem_cache_destroy(s);
	kmm_exit();
}

struct lru_item {
	struct list_head lru;
	long value;
};

/* kmem_cache_alloc_lru() allocates from the cache; the object goes on the lru when added. */
static void test_alloc_lru_allocates_from_the_cache(void **state)
{
	struct kmem_cache *s;
	struct list_lru lru;
	struct lru_item *item[10];
	int i;

	(void)state;
	assert_int_equal(kmm_init("mem=256M numa=fake=2"), 0);
	s = KMEM_CACHE(lru_item, 0);
	assert_non_null(s);
	assert_int_equal(list_lru_init(&lru), 0);
	for (i = 0; i < 10; i++) {
		item[i] = kmem_cache_alloc_lru(s, &lru, GFP_KERNEL);
		assert_non_null(item[i]);
		assert_ptr_equal(virt_to_page(item[i])->mapping, s);
		/* the kernel puts nothing on the lru at allocation */
		assert_int_equal(list_lru_count(&lru), 0);
		INIT_LIST_HEAD(&item[i]->lru);
	}
	assert_int_equal(kmem_cache_live_objects(s), 10);
	for (i = 0; i < 10; i++)
		assert_true(list_lru_add_obj(&lru, &item[i]->lru));
	/* an item on the list already is not added twice */
	assert_false(list_lru_add_obj(&lru, &item[3]->lru));
	assert_int_equal(list_lru_count(&lru), 10);
	assert_int_equal(list_lru_count_node(&lru, 0) + list_lru_count_node(&lru, 1), 10);
	assert_int_equal(list_lru_count_node(&lru, page_to_nid(virt_to_page(item[0]))) > 0, 1);
	for (i = 0; i < 10; i++) {
		assert_true(list_lru_del_obj(&lru, &item[i]->lru));
		assert_false(list_lru_del_obj(&lru, &item[i]->lru));
		kmem_cache_free(s, item[i]);
	}
	assert_int_equal(list_lru_count(&lru), 0);
	list_lru_destroy(&lru);
	kmem_cache_destroy(s);
	kmm_exit();
}

/*
 * The failslab attribute is SLAB_FAILSLAB, shown as 0/1 and set by writing it;
 * kmem_cache_create() refuses the flag, as the kernel's does.
 */
static void test_failslab_attribute_is_the_flag(void **state)
{
	struct kmem_cache *a, *b;
	struct capture cap;
	char buf[4];

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	capture_begin(&cap);
	assert_null(kmem_cache_create("attr_a", 32, 0, SLAB_FAILSLAB, NULL));
	assert_int_equal(count_lines(capture_end(&cap)), 1);
	a = kmem_cache_create("attr_a", 32, 0, 0, NULL);
	assert_non_null(a);
	assert_int_equal(kmem_cache_attr_set(a, "failslab", "1"), 0);
	/* every other flag leaves it clear */
	b = kmem_cache_create("attr_b", 32, 0, SLAB_FLAGS_PERMITTED & ~SLAB_PANIC, NULL);
	assert_non_null(b);
	assert_true(a->flags & SLAB_FAILSLAB);
	assert_int_equal(kmem_cache_attr_get(a, "failslab", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1");
	assert_int_equal(kmem_cache_attr_get(b, "failslab", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0");
	assert_int_equal(kmem_cache_attr_set(b, "failslab", "1"), 0);
	assert_true(b->flags & SLAB_FAILSLAB);
	assert_int_equal(kmem_cache_attr_set(a, "failslab", "0"), 0);
	assert_false(a->flags & SLAB_FAILSLAB);
	assert_int_equal(kmem_cache_attr_set(a, "failslab", "N"), 0);
	assert_int_equal(kmem_cache_attr_set(a, "failslab", ""), -EINVAL);
	assert_int_equal(kmem_cache_attr_set(a, "order", "1"), -ENOENT);
	assert_int_equal(kmem_cache_attr_get(a, "failslab", buf, 1), -EINVAL);
	kmem_cache_destroy(a);
	capture_begin(&cap);
	assert_int_equal(kmem_cache_attr_set(a, "failslab", "1"), -EINVAL);
	assert_int_equal(count_lines(capture_end(&cap)), 1);
	kmem_cache_destroy(b);
	kmm_exit();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kmm_test(test_objects_are_aligned_as_asked),
		kmm_test(test_successive_slabs_are_coloured),
		kmm_test(test_slab_order_and_default_tunables),
		kmm_test(test_slab_max_order_packs_large_objects),
		kmm_test(test_descriptors_are_objects_of_kmem_cache),
		kmm_test(test_freelist_in_a_free_object),
		kmm_test(test_slabinfo_layout_and_counts),
		kmm_test(test_constructor_runs_once_per_object),
		kmm_one_cpu_test(test_zalloc_zeroes_a_dirtied_object),
		kmm_test(test_virt_to_page_finds_the_cache),
		kmm_test(test_bulk_allocates_all_or_nothing),
		kmm_test(test_bulk_calls_move_the_cpus_array),
		kmm_test(test_destroy_returns_every_page_silently),
		kmm_test(test_destroy_with_live_objects_keeps_the_cache),
		kmm_test(test_shrink_gives_back_free_slabs),
		kmm_test(test_meminfo_counts_slab_pages),
		kmm_test(test_tune_limits_the_per_cpu_array),
		kmm_one_cpu_test(test_tune_to_the_largest_limit),
		kmm_test(test_reaping_returns_an_idle_programs_memory),
		kmm_test(test_shrink_and_destroy_collect_a_blocked_threads_objects),
		kmm_test(test_a_thread_exit_leaves_its_frees_to_the_cpu),
		kmm_test(test_producer_consumer_across_threads),
		kmm_test(test_four_threads_churn_three_caches),
		kmm_test(test_shrink_while_threads_hammer_the_fast_path),
		kmm_one_cpu_test(test_typesafe_by_rcu_defers_slab_release),
		kmm_test(test_alloc_node_places_objects),
		kmm_test(test_a_refill_that_moves_fills_no_array_of_another_node),
		kmm_test(test_an_array_hands_out_no_other_nodes_object_for_its_node),
		kmm_test(test_dma_caches_take_their_zones),
		kmm_test(test_kmem_cache_macro_name_and_size),
		kmm_test(test_growing_until_memory_runs_out),
		kmm_test(test_bad_create_parameters_are_refused),
		kmm_test(test_slab_panic_aborts_on_failure),
		kmm_test(test_wrong_cache_free_is_reported_and_refused),
		kmm_test(test_bad_pointers_are_reported_and_refused),
		kmm_one_cpu_test(test_double_free_on_top_of_the_array_is_caught),
		kmm_one_cpu_test(test_stale_free_into_a_recoloured_slab_is_refused),
		kmm_test(test_panic_on_warn_turns_a_wrong_cache_free_into_an_abort),
		kmm_test(test_drop_caches_gives_back_every_cached_page),
		kmm_test(test_live_objects_count_what_is_handed_out),
		kmm_test(test_alloc_lru_allocates_from_the_cache),
		kmm_test(test_failslab_attribute_is_the_flag),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
