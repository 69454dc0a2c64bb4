/* SPDX-License-Identifier: MIT */
/*
 * test_malloc_api.c - the C allocation API of libkmm-malloc.so: where each
 * size and alignment comes from, usable sizes, realloc(), calloc(), errno,
 * frees of memory of every source, bad frees, threads as CPUs.
 *
 * This suite links the front end's sources (src/malloc/) itself, so that its
 * malloc() replaces libc's for the whole process exactly as the preloaded
 * library's does, and so that it can reach the bootstrap arena, which no
 * program can name.  The real programs run on the .so itself (program.sh).
 */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <kmm/kmm.h>
#include "fresh_process.h"
#include "kmm_test.h"
#include "malloc/malloc.h"

static int a_global;

/* Writes through a pointer the compiler cannot see through, so no call is elided. */
static void *volatile sink;

static void *keep(void *p)
{
	sink = p;
	return p;
}

/* A size the compiler cannot see (so impossible sizes raise no warning). */
static volatile size_t size_sink;

static size_t opaque(size_t n)
{
	size_sink = n;
	return size_sink;
}

static bool is_slab_object(const void *p)
{
	return virt_addr_valid(p) && PageSlab(compound_head(virt_to_page(p)));
}

static bool is_large_kmalloc(const void *p)
{
	return virt_addr_valid(p) && PageLargeKmalloc(compound_head(virt_to_page(p)));
}

/* fill / filled - a pattern of @seed over @n bytes. */
static unsigned char pattern(size_t i, int seed)
{
	return (unsigned char)(i * 7 + (i >> 12) + (size_t)seed);
}

static void fill(void *p, size_t n, int seed)
{
	unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = pattern(i, seed);
}

static bool filled(const void *p, size_t n, int seed)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != pattern(i, seed))
			return false;
	return true;
}

static bool all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static void the_first_malloc_boots_the_default_machine(void **state)
{
	long pages = sysconf(_SC_PHYS_PAGES);
	unsigned long long ram =
		(unsigned long long)pages * (unsigned long long)sysconf(_SC_PAGESIZE);
	unsigned long long gib = (ram + (1ULL << 30) - 1) >> 30;

	(void)state;
	assert_true(kmm_booted());
	if (!getenv("KMM_CMDLINE"))
		assert_int_equal((unsigned long long)kmm_max_pfn << PAGE_SHIFT, (gib ? gib : 1)
											<< 30);
	/* buddy blocks, naturally aligned in physical memory, are so in virtual memory too */
	assert_int_equal(kmm_page_offset & (KMALLOC_MAX_SIZE - 1), 0);
}

/*
 * size_class - malloc()'s class of @n bytes (1..8 KiB): kmalloc's up to 256
 * bytes, then 1, 1.25, 1.5 and 1.75 times each power of two, and eighths of
 * it from 4 KiB on (4.5 KiB, 5 KiB, ..., 7.5 KiB).
 */
static size_t size_class(size_t n)
{
	size_t power = 256, steps;

	if (n <= 256)
		return kmalloc_size_roundup(n);
	while (power * 2 < n)
		power *= 2;
	steps = power >= 4096 ? 8 : 4;
	for (size_t q = steps + 1; q <= 2 * steps; q++)
		if (power * q / steps >= n)
			return power * q / steps;
	return 0;
}

static void small_sizes_come_from_slab_caches_by_size_class(void **state)
{
	static void *kept[1024];
	size_t n, k = 0;

	(void)state;
	for (n = 1; n <= KMALLOC_MAX_CACHE_SIZE; n += n < 256 ? 1 : 61) {
		void *p = keep(malloc(n));
		struct kmem_cache *s;

		assert_non_null(p);
		assert_true(is_slab_object(p));
		assert_int_equal(malloc_usable_size(p), size_class(n));
		/* kmalloc's caches for its sizes, malloc's own between them */
		s = (struct kmem_cache *)virt_to_page(p)->mapping;
		if (size_class(n) <= 256 || !(size_class(n) & (size_class(n) - 1)))
			assert_true(!strncmp(s->name, "kmalloc-", 8));
		else
			assert_true(!strncmp(s->name, "malloc-", 7));
		/* above 256 bytes, less than a quarter more than asked for */
		assert_true(n <= 256 || malloc_usable_size(p) - n < n / 4);
		/* 16 bytes, as glibc, except kmalloc-8 */
		assert_int_equal((uintptr_t)p % (n > 8 ? 16 : 8), 0);
		memset(p, 0x5a, malloc_usable_size(p));
		kept[k++] = p;
	}
	while (k)
		free(kept[--k]);
}

/* sqlite3's page-cache blocks (4104 and 4368 bytes) take 4.5 KiB, not 5 KiB. */
static void page_cache_blocks_take_an_eighth_more_than_4_kib(void **state)
{
	static const size_t sizes[] = {4097, 4104, 4368, 4608};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		void *p = malloc(sizes[i]);

		assert_non_null(p);
		assert_int_equal(malloc_usable_size(p), 4608);
		assert_string_equal(((struct kmem_cache *)virt_to_page(p)->mapping)->name,
				    "malloc-4608");
		free(p);
	}
}

/* A class's cache is tuned when malloc() first serves it: CPU arrays of up to 256 KiB, 120 objects. */
static void class_caches_get_arrays_of_256_kib(void **state)
{
	static const size_t sizes[] = {100, 600, 1500, 3000, 5000, 8192};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		void *p = malloc(sizes[i]);
		struct kmem_cache *s = (struct kmem_cache *)virt_to_page(p)->mapping;
		size_t want = (256 << 10) / size_class(sizes[i]);

		assert_non_null(p);
		want = want > 120 ? 120 : want;
		assert_int_equal(s->limit, want);
		assert_int_equal(s->batchcount, (want + 1) / 2);
		free(p);
	}
}

static void malloc_zero_gives_unique_freeable_pointers(void **state)
{
	void *p[64];
	struct capture c;
	int i, j;

	(void)state;
	capture_begin(&c);
	for (i = 0; i < 64; i++) {
		p[i] = keep(malloc(0));
		assert_non_null(p[i]);
		for (j = 0; j < i; j++)
			assert_ptr_not_equal(p[i], p[j]);
	}
	for (i = 0; i < 64; i++)
		free(p[i]);
	assert_string_equal(capture_end(&c), "");
}

/*
 * 8 KiB + 1 .. 64 KiB: the block a large kmalloc would be (2^order pages,
 * page-aligned), from malloc's block cache of that order, and back to it;
 * calloc() of one zeroes the whole block.
 */
static void block_sizes_come_from_the_block_caches(void **state)
{
	static const size_t sizes[] = {
		KMALLOC_MAX_CACHE_SIZE + 1, 12000, 16384, 16385, 50000, 65536};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t bytes = PAGE_SIZE << get_order(sizes[i]);
		char name[32];
		void *p = keep(malloc(sizes[i])), *q;

		assert_non_null(p);
		assert_true(is_slab_object(p));
		snprintf(name, sizeof(name), "malloc-%zu", bytes);
		assert_string_equal(((struct kmem_cache *)virt_to_page(p)->mapping)->name, name);
		assert_int_equal((uintptr_t)p % PAGE_SIZE, 0);
		assert_int_equal(malloc_usable_size(p), bytes);
		fill(p, bytes, (int)i);
		assert_true(filled(p, bytes, (int)i));
		free(p);
		/* most likely the block just freed, its pattern cleared */
		q = keep(calloc(1, sizes[i]));
		assert_true(is_slab_object(q) && malloc_usable_size(q) == bytes);
		assert_true(all_zero(q, bytes));
		free(q);
	}
}

static void large_sizes_come_from_the_page_allocator(void **state)
{
	static const size_t sizes[] = {(PAGE_SIZE << 4) + 1, 100000, 1 << 20, 3 << 20,
				       KMALLOC_MAX_SIZE};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		void *p = keep(malloc(sizes[i]));

		assert_non_null(p);
		assert_true(is_large_kmalloc(p));
		assert_int_equal(malloc_usable_size(p), PAGE_SIZE << get_order(sizes[i]));
		fill(p, sizes[i], (int)i);
		assert_true(filled(p, sizes[i], (int)i));
		free(p);
	}
}

/* is_run - is @p a block of the direct map that is neither a slab object nor a large kmalloc? */
static bool is_run(const void *p)
{
	return virt_addr_valid(p) && !is_slab_object(p) && !is_large_kmalloc(p);
}

static void huge_sizes_come_from_runs_of_the_direct_map(void **state)
{
	static const size_t sizes[] = {KMALLOC_MAX_SIZE + 1, 9 << 20, 64 << 20};
	unsigned long vmalloc_before = vmalloc_nr_pages(), free_before = drained_free();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char *p = keep(malloc(sizes[i]));

		assert_non_null(p);
		assert_true(is_run(p));
		/* 4 MiB aligned, whole pages, nothing more */
		assert_int_equal((unsigned long)p & ((4UL << 20) - 1), 0);
		assert_int_equal(malloc_usable_size(p), PAGE_ALIGN(sizes[i]));
		assert_int_equal(drained_free(),
				 free_before - (PAGE_ALIGN(sizes[i]) >> PAGE_SHIFT));
		fill(p, sizes[i], (int)i);
		assert_true(filled(p, sizes[i], (int)i));
		free(p);
		/* calloc() of the same memory: zeroed again */
		p = keep(calloc(1, sizes[i]));
		assert_true(is_run(p));
		assert_int_equal(p[0] | p[sizes[i] / 2] | p[sizes[i] - 1], 0);
		free(p);
	}
	assert_int_equal(vmalloc_nr_pages(), vmalloc_before);
	assert_int_equal(drained_free(), free_before);
}

/*
 * With every other top-order block in use, no two free ones are adjacent:
 * a block above 4 MiB is a vmalloc area then.  In a fresh process booted
 * with mem=64M, so that taking the blocks is quick; exit status 0 if so.
 */
static int fragmented_huge_malloc(void)
{
	struct page *block[64];
	int n = 0, i, ok;
	char *p;

	free(malloc(1)); /* the boot */
	while (n < 64 && (block[n] = alloc_pages(GFP_KERNEL | __GFP_NOWARN, MAX_PAGE_ORDER)))
		n++;
	for (i = 0; i < n; i += 2)
		__free_pages(block[i], MAX_PAGE_ORDER);
	p = malloc(5 << 20);
	ok = n > 4 && p && is_vmalloc_addr(p) && malloc_usable_size(p) >= (5 << 20);
	if (p)
		memset(p, 1, 5 << 20);
	free(p);
	for (i = 1; i < n; i += 2)
		__free_pages(block[i], MAX_PAGE_ORDER);
	/* the blocks are free again: one run */
	p = malloc(5 << 20);
	ok = ok && p && is_run(p);
	free(p);
	return ok && kmm_validate_all() == 0 ? 0 : 1;
}

static void huge_sizes_come_from_vmalloc_without_a_free_run(void **state)
{
	char *const argv[] = {"test_malloc_api", "fragmented", "", NULL};
	static char out[1 << 16];
	unsigned long vmalloc_before = vmalloc_nr_pages();
	char *a;
	int status;

	(void)state;
	status = run_fresh(argv, "mem=64M", out, sizeof(out));
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_string_equal(out, "");
	/* an alignment above 4 MiB is vmalloc's too */
	a = keep(aligned_alloc(8 << 20, 5 << 20));
	assert_true(is_vmalloc_addr(a));
	assert_int_equal((unsigned long)a & ((8UL << 20) - 1), 0);
	free(a);
	assert_int_equal(vmalloc_nr_pages(), vmalloc_before);
}

/* One aligned allocation by @how: where it must come from, and that it is usable. */
static void check_aligned(int how, size_t align, size_t size)
{
	size_t bytes = size > align ? size : align;
	void *p = NULL;

	switch (how) {
	case 0:
		assert_int_equal(posix_memalign(&p, align, size), 0);
		break;
	case 1:
		p = aligned_alloc(align, size);
		break;
	default:
		p = memalign(align, size);
		break;
	}
	keep(p);
	assert_non_null(p);
	assert_int_equal((uintptr_t)p % align, 0);
	assert_true(malloc_usable_size(p) >= size);
	if (align >= PAGE_SIZE && bytes <= KMALLOC_MAX_SIZE)
		assert_true(is_large_kmalloc(p));
	else if (bytes <= KMALLOC_MAX_CACHE_SIZE)
		assert_true(is_slab_object(p));
	fill(p, size < 65536 ? size : 65536, 3);
	((char *)p)[size ? size - 1 : 0] = 1;
	free(p);
}

static void aligned_allocations_are_aligned(void **state)
{
	static const size_t sizes[] = {0, 1, 24, 100, 3000, 9000, 70000, 5 << 20};
	size_t align, i;
	int how;

	(void)state;
	for (align = 8; align <= (8 << 20); align *= 2)
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
			for (how = 0; how < 3; how++)
				check_aligned(how, align, sizes[i]);
}

static void aligned_allocations_check_their_arguments(void **state)
{
	void *p = &a_global;

	(void)state;
	assert_int_equal(posix_memalign(&p, 24, 8), EINVAL);
	assert_int_equal(posix_memalign(&p, 4, 8), EINVAL); /* below sizeof(void *) */
	assert_int_equal(posix_memalign(&p, 0, 8), EINVAL);
	assert_ptr_equal(p, &a_global);
	errno = 0;
	assert_null(aligned_alloc(opaque(3), 8));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(aligned_alloc(opaque(0), 8));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(memalign(opaque(SIZE_MAX), 8));
	assert_int_equal(errno, EINVAL);
	/* memalign() rounds an alignment that is not a power of two up, as glibc's */
	p = keep(memalign(opaque(48), 10));
	assert_non_null(p);
	assert_int_equal((uintptr_t)p % 64, 0);
	free(p);
}

static void valloc_and_pvalloc_give_whole_pages(void **state)
{
	void *p = keep(valloc(100)), *q = keep(pvalloc(100)), *r = keep(pvalloc(0));

	(void)state;
	assert_non_null(p);
	assert_non_null(q);
	assert_non_null(r);
	assert_true(PAGE_ALIGNED(p) && PAGE_ALIGNED(q) && PAGE_ALIGNED(r));
	assert_true(malloc_usable_size(q) >= PAGE_SIZE);
	assert_true(malloc_usable_size(r) >= PAGE_SIZE);
	memset(q, 1, PAGE_SIZE);
	free(p);
	free(q);
	free(r);
}

static void calloc_zeroes_reused_memory(void **state)
{
	static const size_t sizes[] = {24, 1000, 8000, 20000, 3 << 20, 6 << 20};
	size_t i;
	int round;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (round = 0; round < 4; round++) {
			void *p = keep(malloc(sizes[i])), *q;

			assert_non_null(p);
			memset(p, 0xff, sizes[i]);
			free(p);
			q = keep(calloc(1, sizes[i]));
			assert_non_null(q);
			assert_true(all_zero(q, sizes[i]));
			free(q);
		}
	}
}

static void calloc_overflow_fails_with_enomem(void **state)
{
	(void)state;
	errno = 0;
	assert_null(calloc(opaque(SIZE_MAX / 2 + 1), 2));
	assert_int_equal(errno, ENOMEM);
	errno = 0;
	assert_null(calloc(opaque(1UL << 33), 1UL << 33));
	assert_int_equal(errno, ENOMEM);
}

static void impossible_sizes_fail_with_enomem_quietly(void **state)
{
	unsigned long long machine = (unsigned long long)kmm_max_pfn << PAGE_SHIFT;
	struct capture c;
	void *p = keep(malloc(100)), *q = &a_global;

	(void)state;
	memset(p, 7, 100);
	capture_begin(&c);
	errno = 0;
	assert_null(keep(malloc(opaque(SIZE_MAX))));
	assert_int_equal(errno, ENOMEM);
	errno = 0;
	assert_null(keep(malloc(opaque(PTRDIFF_MAX))));
	assert_int_equal(errno, ENOMEM);
	errno = 0;
	assert_null(keep(malloc(machine + 1)));
	assert_int_equal(errno, ENOMEM);
	errno = 0;
	assert_null(keep(aligned_alloc(1 << 20, opaque(SIZE_MAX / 2))));
	assert_int_equal(errno, ENOMEM);
	errno = 0;
	assert_null(keep(memalign(opaque((size_t)1 << 62), 1)));
	assert_int_equal(errno, ENOMEM);
	/* posix_memalign() returns the error and leaves errno alone */
	errno = 0;
	assert_int_equal(posix_memalign(&q, 64, opaque(SIZE_MAX)), ENOMEM);
	assert_int_equal(errno, 0);
	assert_ptr_equal(q, &a_global);
	errno = 0;
	assert_null(keep(realloc(p, opaque(SIZE_MAX))));
	assert_int_equal(errno, ENOMEM);
	assert_string_equal(capture_end(&c), "");
	/* the failed realloc() left the block as it was */
	assert_int_equal(((unsigned char *)p)[99], 7);
	free(p);
}

static void realloc_keeps_contents_across_sources(void **state)
{
	static const size_t sizes[] = {10,	100,	 1000,	 9000, 100000, 3 << 20,
				       9 << 20, 5 << 20, 100000, 5000, 50,     1};
	size_t i, prev = sizes[0];
	void *p = keep(malloc(sizes[0]));

	(void)state;
	fill(p, sizes[0], 0);
	for (i = 1; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		p = keep(realloc(p, sizes[i]));
		assert_non_null(p);
		assert_true(filled(p, prev < sizes[i] ? prev : sizes[i], (int)i - 1));
		assert_true(malloc_usable_size(p) >= sizes[i]);
		fill(p, sizes[i], (int)i);
		prev = sizes[i];
	}
	free(p);
}

static void realloc_stays_in_place_while_the_class_fits(void **state)
{
	void *p = keep(malloc(100)), *q;

	(void)state;
	assert_int_equal(malloc_usable_size(p), 128);
	fill(p, 100, 1);
	/* kmalloc-128: 65..128 bytes stay, 64 and less move to a smaller cache */
	assert_ptr_equal(realloc(p, 128), p);
	assert_ptr_equal(realloc(p, 70), p);
	q = keep(realloc(p, 10));
	assert_ptr_not_equal(q, p);
	assert_true(filled(q, 10, 1));
	assert_int_equal(malloc_usable_size(q), 16);
	free(q);
	/* a large kmalloc of 32 KiB (order 3) keeps 16385..32768 bytes */
	p = keep(malloc(20000));
	assert_int_equal(malloc_usable_size(p), 32768);
	assert_ptr_equal(realloc(p, 30000), p);
	assert_ptr_equal(realloc(p, 17000), p);
	q = keep(realloc(p, 16000));
	assert_ptr_not_equal(q, p);
	free(q);
	/* a run keeps sizes above half of its class */
	p = keep(malloc(10 << 20));
	fill(p, 10 << 20, 2);
	assert_ptr_equal(realloc(p, 9 << 20), p);
	q = keep(realloc(p, 4 << 20));
	assert_ptr_not_equal(q, p);
	assert_true(filled(q, 4 << 20, 2));
	free(q);
}

static void realloc_of_null_mallocs_and_of_zero_frees(void **state)
{
	void *p = keep(realloc(NULL, 64)), *q;

	(void)state;
	assert_non_null(p);
	assert_true(is_slab_object(p));
	/* freed: the CPU's array gives it back first */
	assert_null(realloc(p, 0));
	q = keep(malloc(64));
	assert_ptr_equal(q, p);
	free(q);
}

static void reallocarray_checks_overflow(void **state)
{
	void *p = keep(reallocarray(NULL, 10, 10)), *q;

	(void)state;
	assert_non_null(p);
	fill(p, 100, 4);
	errno = 0;
	assert_null(reallocarray(p, opaque(SIZE_MAX / 2), 3));
	assert_int_equal(errno, ENOMEM);
	/* still ours (the compiler would have it freed: read it back through sink) */
	p = sink;
	assert_true(filled(p, 100, 4));
	q = keep(reallocarray(p, 100, 100));
	assert_non_null(q);
	assert_true(filled(q, 100, 4));
	free(q);
}

static void frees_of_every_source_are_silent(void **state)
{
	unsigned long vmalloc_before = vmalloc_nr_pages();
	struct capture c;
	void *p[7];
	int i;

	(void)state;
	capture_begin(&c);
	p[0] = keep(malloc(200));	       /* slab */
	p[1] = keep(malloc(100000));	       /* large kmalloc */
	p[2] = keep(aligned_alloc(65536, 10)); /* a naturally aligned buddy block */
	p[3] = keep(malloc(12 << 20));	       /* a run of the direct map */
	p[4] = keep(bootstrap_alloc(300, 16)); /* the bootstrap arena */
	p[5] = keep(memalign(8 << 20, 100));   /* vmalloc, aligned */
	p[6] = keep(malloc(50000));	       /* a block cache */
	assert_true(is_slab_object(p[0]) && is_slab_object(p[6]));
	assert_true(is_large_kmalloc(p[1]) && is_large_kmalloc(p[2]));
	assert_true(is_run(p[3]) && is_vmalloc_addr(p[5]));
	assert_true(bootstrap_owns(p[4]));
	for (i = 0; i < 7; i++) {
		memset(p[i], i, 100);
		free(p[i]);
	}
	assert_string_equal(capture_end(&c), "");
	assert_int_equal(vmalloc_nr_pages(), vmalloc_before);
}

static void bootstrap_memory_is_recognised_and_never_reused(void **state)
{
	char *p = keep(bootstrap_alloc(100, 16)), *q, *r;
	struct capture c;

	(void)state;
	assert_non_null(p);
	assert_true(bootstrap_owns(p));
	assert_int_equal((uintptr_t)p % 16, 0);
	assert_true(all_zero(p, 100));
	assert_true(malloc_usable_size(p) >= 100);
	fill(p, 100, 5);
	capture_begin(&c);
	free(p);
	assert_string_equal(capture_end(&c), "");
	q = keep(bootstrap_alloc(100, 16));
	assert_true(q > p);
	/* realloc() moves it to the machine */
	r = keep(realloc(p, 300));
	assert_true(is_slab_object(r));
	assert_true(filled(r, 100, 5));
	free(r);
}

static void mallocs_inside_libkmm_use_the_bootstrap_arena(void **state)
{
	void *x = keep(malloc(64)), *p, *q, *a, *z;

	(void)state;
	malloc_depth++;
	p = keep(malloc(40));
	q = keep(calloc(10, 10));
	a = keep(aligned_alloc(256, 10));
	assert_true(bootstrap_owns(p) && bootstrap_owns(q) && bootstrap_owns(a));
	assert_true(all_zero(q, 100));
	assert_int_equal((uintptr_t)a % 256, 0);
	/* a free of the machine's memory waits for the next slow path outside libkmm */
	free(x);
	assert_true(deferred_pending());
	malloc_depth--;
	free(keep(malloc(0)));
	assert_false(deferred_pending());
	z = keep(malloc(64));
	assert_ptr_equal(z, x);
	free(z);
}

static void bad_frees_are_reported_and_refused(void **state)
{
	char *p = keep(malloc(64)), *v = keep(malloc(9 << 20)), *l = keep(malloc(100000));
	char *w = keep(aligned_alloc(8 << 20, 5 << 20));
	int local;
	struct capture c;
	const char *text, *line;
	int lines = 0;

	(void)state;
	capture_begin(&c);
	free(l);
	free(&local);
	free(&a_global);
	free(p + 8);
	free(v + 4096);
	free(w + 4096);
	free(l); /* twice */
	errno = 0;
	assert_null(realloc(&local, 10));
	assert_int_equal(errno, EINVAL);
	assert_int_equal(malloc_usable_size(p + 16), 0);
	text = capture_end(&c);
	for (line = text; *line; line = strchr(line, '\n') + 1, lines++) {
		const char *end = strchr(line, '\n');

		assert_non_null(end);
		assert_true(!strncmp(line, "free: 0x", 8) || !strncmp(line, "realloc: 0x", 11) ||
			    !strncmp(line, "malloc_usable_size: 0x", 22));
		assert_true(end - line > 9 && !strncmp(end - 9, ", refused", 9));
	}
	assert_int_equal(lines, 8);
	assert_non_null(strstr(text, "8 bytes into an object of kmalloc-64"));
	assert_non_null(strstr(text, "4096 bytes into a run of pages at"));
	assert_non_null(strstr(text, "4096 bytes into the vmalloc area"));
	assert_non_null(strstr(text, "its page is free"));
	/* nothing was freed: the blocks are whole, and free as usual */
	memset(p, 1, 64);
	memset(v, 1, 9 << 20);
	memset(w, 1, 5 << 20);
	capture_begin(&c);
	free(p);
	free(v);
	free(w);
	assert_string_equal(capture_end(&c), "");
	assert_int_equal(kmm_validate_all(), 0);
}

/*
 * realloc() of a freed block, to a size that stays in place or to one that
 * moves, is refused (NULL, EINVAL) with a report naming the cache: the block
 * is neither handed back, to be handed out twice, nor copied from.
 */
static void realloc_of_a_freed_block_is_refused(void **state)
{
	static const size_t sizes[] = {64, 40, 4000};
	char want[160], *p, *a, *b;
	struct capture c;
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		p = keep(malloc(64));
		free(p);
		capture_begin(&c);
		errno = 0;
		assert_null(realloc(p, opaque(sizes[k])));
		assert_int_equal(errno, EINVAL);
		snprintf(want, sizeof(want), "realloc: %s: object %p is free, refused\n",
			 kmm_kmalloc_caches[KMALLOC_NORMAL][kmalloc_index(64)]->name, (void *)p);
		assert_string_equal(capture_end(&c), want);
		/* still free once: handed out once */
		a = keep(malloc(64));
		b = keep(malloc(64));
		assert_ptr_not_equal(a, b);
		free(a);
		free(b);
	}
}

/*
 * free(a); free(b); free(a) is refused, whether a is still on the CPU's
 * array or back in its slab (even the slab's freelist object), and no
 * object is handed out twice afterwards.
 */
static void double_frees_between_other_frees_are_refused(void **state)
{
	static const size_t sizes[] = {8, 64, 128, 256, 1024, 4096};
	enum { NR = 200 };
	static char *objs[NR], *again[NR];
	char want[128];
	struct capture c;
	const char *text;
	int i, j, lines;
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		for (i = 0; i < NR; i++)
			objs[i] = keep(malloc(sizes[k]));
		free(objs[0]);
		free(objs[1]);
		capture_begin(&c);
		free(objs[0]); /* on the array, below objs[1] */
		snprintf(want, sizeof(want), "free: %s: double free (object %p), refused\n",
			 kmm_kmalloc_caches[KMALLOC_NORMAL][kmalloc_index(sizes[k])]->name,
			 (void *)objs[0]);
		assert_string_equal(capture_end(&c), want);
		for (i = 2; i < NR; i++)
			free(objs[i]);
		kmm_drain_all(); /* every object back in its slab */
		capture_begin(&c);
		for (i = 0; i < NR; i += 7)
			free(objs[i]);
		for (i = 0; i < NR; i++)
			again[i] = keep(malloc(sizes[k]));
		text = capture_end(&c);
		/* a double free, or a free of a page whose slab went back */
		for (lines = 0; (text = strstr(text, ", refused\n")) != NULL; text++)
			lines++;
		assert_int_equal(lines, (NR + 6) / 7);
		for (i = 0; i < NR; i++)
			for (j = i + 1; j < NR; j++)
				assert_ptr_not_equal(again[i], again[j]);
		for (i = 0; i < NR; i++)
			free(again[i]);
	}
	assert_int_equal(kmm_validate_all(), 0);
}

/* Threads are tasks on the host's CPUs: any number of them, none adding a CPU. */
static pthread_barrier_t cpu_barrier;
static int threads_off_the_machine;

static void *thread_allocates(void *arg)
{
	void *p = keep(malloc(100));

	if ((unsigned int)smp_processor_id() >= num_online_cpus())
		__atomic_add_fetch(&threads_off_the_machine, 1, __ATOMIC_RELAXED);
	free(p);
	if (arg) {
		/* alive until the main thread has counted */
		pthread_barrier_wait(&cpu_barrier);
		pthread_barrier_wait(&cpu_barrier);
	}
	return NULL;
}

static void threads_run_on_the_hosts_cpus(void **state)
{
	long host = sysconf(_SC_NPROCESSORS_CONF);
	unsigned int online = num_online_cpus();
	pthread_t t[8];
	int i;

	(void)state;
	assert_int_equal(online, host < NR_CPUS ? host : NR_CPUS);
	for (i = 0; i < NR_CPUS + 100; i++) {
		assert_int_equal(pthread_create(&t[0], NULL, thread_allocates, NULL), 0);
		pthread_join(t[0], NULL);
	}
	assert_int_equal(num_online_cpus(), online);
	pthread_barrier_init(&cpu_barrier, NULL, 9);
	for (i = 0; i < 8; i++)
		assert_int_equal(pthread_create(&t[i], NULL, thread_allocates, &cpu_barrier), 0);
	pthread_barrier_wait(&cpu_barrier);
	assert_int_equal(num_online_cpus(), online);
	pthread_barrier_wait(&cpu_barrier);
	for (i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&cpu_barrier);
	assert_int_equal(threads_off_the_machine, 0);
}

/*
 * The kmalloc red zone (slub_debug=Z) guards the bytes past the size asked
 * for; after a realloc() in place, or malloc_usable_size(), they are the
 * program's.  Each scenario runs in a fresh process booted with
 * "slub_debug=Z panic_on_warn=1" (the suite re-executes itself), so a report
 * is an abort.
 */
static int redzone_scenario(const char *name)
{
	char *p = malloc(10);
	size_t n;

	if (!strcmp(name, "realloc")) {
		p = realloc(p, 14);
		memset(p, 1, 14);
	} else if (!strcmp(name, "usable")) {
		n = malloc_usable_size(p);
		memset(p, 2, n);
	} else {
		/* "overflow": past the 10 bytes asked for, with neither: reported */
		memset(p, 3, opaque(14));
	}
	free(p);
	return 0;
}

static int run_redzone_scenario(const char *name)
{
	char *const argv[] = {"test_malloc_api", "redzone", (char *)name, NULL};
	char *const envp[] = {"KMM_CMDLINE=mem=256M slub_debug=Z panic_on_warn=1",
			      "CMOCKA_MESSAGE_OUTPUT=stdout", NULL};
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		/* the overflow's report is expected: the status is what is checked */
		if (!freopen("/dev/null", "w", stderr))
			_exit(126);
		execve("/proc/self/exe", argv, envp);
		_exit(127);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void the_bytes_realloc_and_usable_size_give_are_the_programs(void **state)
{
	int status;

	(void)state;
	status = run_redzone_scenario("realloc");
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	status = run_redzone_scenario("usable");
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	status = run_redzone_scenario("overflow");
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
}

/*
 * Under slub_debug=P the free objects are poisoned: a double free is the
 * slab's report alone, and the poison stays whole (no later report blames
 * the program).  In a fresh process booted with it, its stderr read back.
 */
static int poisoned_double_free(void)
{
	char *a = malloc(64), *b = malloc(64), *c[4];
	int i;

	free(a);
	free(b);
	free(a);
	for (i = 0; i < 4; i++)
		c[i] = malloc(64);
	for (i = 0; i < 4; i++)
		free(c[i]);
	return kmm_validate_all() == 0 ? 0 : 1;
}

static void a_double_free_under_poisoning_is_reported_once(void **state)
{
	char *const argv[] = {"test_malloc_api", "poisoned", "", NULL};
	static char out[1 << 16];
	int status;

	(void)state;
	status = run_fresh(argv, "mem=256M slub_debug=P", out, sizeof(out));
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_non_null(strstr(out, "BUG kmalloc-64 (Not tainted): Object already free"));
	assert_null(strstr(out, "Tainted: B")); /* the only BUG */
	assert_null(strstr(out, "Poison overwritten"));
}

/* A thread-specific destructor that frees after libkmm's own gave the CPU back. */
static pthread_key_t late_key;

static void late_free(void *p)
{
	free(p);
}

static void *thread_frees_at_exit(void *arg)
{
	(void)arg;
	pthread_setspecific(late_key, keep(malloc(100)));
	free(keep(malloc(100)));
	return NULL;
}

static void frees_at_thread_exit_keep_no_cpu(void **state)
{
	unsigned int online = num_online_cpus();
	pthread_t t;
	int i;

	(void)state;
	assert_int_equal(pthread_key_create(&late_key, late_free), 0);
	for (i = 0; i < 50; i++) {
		assert_int_equal(pthread_create(&t, NULL, thread_frees_at_exit, NULL), 0);
		pthread_join(t, NULL);
	}
	assert_int_equal(num_online_cpus(), online);
	pthread_key_delete(late_key);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "redzone"))
		return redzone_scenario(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "poisoned"))
		return poisoned_double_free();
	if (argc == 3 && !strcmp(argv[1], "fragmented"))
		return fragmented_huge_malloc();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_first_malloc_boots_the_default_machine),
		cmocka_unit_test(small_sizes_come_from_slab_caches_by_size_class),
		cmocka_unit_test(page_cache_blocks_take_an_eighth_more_than_4_kib),
		cmocka_unit_test(class_caches_get_arrays_of_256_kib),
		cmocka_unit_test(malloc_zero_gives_unique_freeable_pointers),
		cmocka_unit_test(block_sizes_come_from_the_block_caches),
		cmocka_unit_test(large_sizes_come_from_the_page_allocator),
		cmocka_unit_test(huge_sizes_come_from_runs_of_the_direct_map),
		cmocka_unit_test(huge_sizes_come_from_vmalloc_without_a_free_run),
		cmocka_unit_test(aligned_allocations_are_aligned),
		cmocka_unit_test(aligned_allocations_check_their_arguments),
		cmocka_unit_test(valloc_and_pvalloc_give_whole_pages),
		cmocka_unit_test(calloc_zeroes_reused_memory),
		cmocka_unit_test(calloc_overflow_fails_with_enomem),
		cmocka_unit_test(impossible_sizes_fail_with_enomem_quietly),
		cmocka_unit_test(realloc_keeps_contents_across_sources),
		cmocka_unit_test(realloc_stays_in_place_while_the_class_fits),
		cmocka_unit_test(the_bytes_realloc_and_usable_size_give_are_the_programs),
		one_cpu_test(realloc_of_null_mallocs_and_of_zero_frees),
		cmocka_unit_test(reallocarray_checks_overflow),
		cmocka_unit_test(frees_of_every_source_are_silent),
		cmocka_unit_test(bootstrap_memory_is_recognised_and_never_reused),
		one_cpu_test(mallocs_inside_libkmm_use_the_bootstrap_arena),
		cmocka_unit_test(bad_frees_are_reported_and_refused),
		one_cpu_test(double_frees_between_other_frees_are_refused),
		one_cpu_test(realloc_of_a_freed_block_is_refused),
		cmocka_unit_test(a_double_free_under_poisoning_is_reported_once),
		cmocka_unit_test(threads_run_on_the_hosts_cpus),
		cmocka_unit_test(frees_at_thread_exit_keep_no_cpu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
