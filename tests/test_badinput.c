/* SPDX-License-Identifier: MIT */
/*
 * Bad input, each case in a fresh process: every bad input the issues name is
 * caught with a clear report and leaves the allocator consistent.
 *
 * A scenario is a function that boots its own machine, does one bad thing,
 * then proves the machine is still sound (the same pages free as before, no
 * page handed out twice, every allocator still working, caches destroyed
 * without a report) and returns.  Each cmocka test runs one scenario in a
 * fresh process (this binary re-executed with "--scenario NAME") and checks
 * the process's whole stderr and stdout against the scenario's expected
 * lines, and its exit status: 0, or the death the scenario expects.
 * Scenarios marked PANIC run a second time with panic_on_warn=1, which must
 * abort (SIGABRT) right after the first report.
 *
 * Expected lines: each pattern matches one whole line; '*' matches any run of
 * characters; "{name}" is a value the scenario printed with note() before the
 * bad call (an address as the library prints it, a pfn); a pattern of just
 * "..." matches any number of lines (the Mem-Info summary, a page dump).
 *
 * Adding a scenario: write its function, then one line in the scenarios[]
 * table with its flags and expected lines.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <urcu.h>
#include <kmm/kmm.h>
#include "fresh_process.h"
#include "kmm_test.h"

/* The child: helpers for scenarios. */

/* Parameters every boot of this run adds (" panic_on_warn=1" in the PANIC run). */
static const char *extra_params = "";

#define check(cond) ((cond) ? (void)0 : check_failed(#cond, __FILE__, __LINE__))

static void check_failed(const char *what, const char *file, int line)
{
	fprintf(stderr, "check failed: %s:%d: %s\n", file, line, what);
	fflush(stderr);
	_exit(3);
}

/* note - a value the expected lines name as "{name}"; printed before the bad call. */
static void kmm_format(2, 3) note(const char *name, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "@%s=", name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void note_ptr(const char *name, const void *p)
{
	note(name, "%p", p);
}

/* The free pages the scenario started with (see settled_free()). */
static unsigned long baseline;

/*
 * settled_free - free pages once every cached page is given back (the
 * documented leak check, kmm_drop_caches()); pages of page tables (kept once
 * made, as the kernel's) count as free.
 */
static unsigned long settled_free(void)
{
	return dropped_free() + (unsigned long)meminfo_kb("PageTables") / (PAGE_SIZE >> 10);
}

/* boot - the scenario's machine, and the baseline its consistency is checked against. */
static void boot(const char *cmdline)
{
	char line[512];

	snprintf(line, sizeof(line), "%s%s", cmdline, extra_params);
	check(kmm_init(line) == 0);
	vfree(vmalloc(PAGE_SIZE)); /* vmalloc's first use makes structures that stay */
	baseline = settled_free();
}

/* Every free lowmem page, taken one by one, is handed out once: no free list holds a page twice. */
static void check_pages_distinct(void)
{
	static unsigned char seen[1 << 16];
	static struct page *pages[1 << 16];
	struct page *page;
	unsigned long n = 0;

	check(kmm_max_pfn <= sizeof(seen));
	memset(seen, 0, sizeof(seen));
	while ((page = alloc_page(GFP_ATOMIC | __GFP_NOWARN)) != NULL) {
		check(!seen[page_to_pfn(page)]);
		check(n < sizeof(pages) / sizeof(pages[0]));
		seen[page_to_pfn(page)] = 1;
		pages[n++] = page;
	}
	check(n > 0);
	while (n)
		__free_page(pages[--n]);
}

/* Every allocator hands out memory that holds what is written, and takes it back. */
static void check_allocators_work(void)
{
	static const size_t sizes[] = {8, 64, 192, 1000, 4096, 8192, 100000};
	struct kmem_cache *s = kmem_cache_create("badinput_check", 200, 0, 0, NULL);
	void *k[sizeof(sizes) / sizeof(sizes[0])], *o[50];
	unsigned int order, i;
	struct page *page;
	char *v;

	check(s);
	for (order = 0; order <= MAX_PAGE_ORDER; order++) {
		page = alloc_pages(GFP_KERNEL, order);
		check(page);
		memset(page_address(page), 0x5a, PAGE_SIZE << order);
		__free_pages(page, order);
	}
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		k[i] = kmalloc(sizes[i], GFP_KERNEL);
		check(k[i] && ksize(k[i]) >= sizes[i]);
		memset(k[i], (int)i, sizes[i]);
	}
	for (i = 0; i < 50; i++) {
		o[i] = kmem_cache_alloc(s, GFP_KERNEL);
		check(o[i]);
		memset(o[i], (int)i, 200);
	}
	v = vmalloc(64 << 10);
	check(v);
	memset(v, 0x77, 64 << 10);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		check(((unsigned char *)k[i])[sizes[i] - 1] == i);
		kfree(k[i]);
	}
	for (i = 0; i < 50; i++) {
		check(((unsigned char *)o[i])[199] == i);
		kmem_cache_free(s, o[i]);
	}
	check(v[(64 << 10) - 1] == 0x77);
	vfree(v);
	kmem_cache_destroy(s);
}

/*
 * consistent - the end of every scenario: the pages free at boot are free
 * again, each once, every allocator works and gives everything back, and
 * the machine shuts down.  Any report printed meanwhile fails the test.
 * consistent_but_for() - the same but for @leaked pages the scenario made
 * the library leak on purpose (a slab taken out of service).
 */
static void consistent_but_for(unsigned long leaked)
{
	unsigned long now = settled_free();

	if (now + leaked != baseline)
		fprintf(stderr, "free pages: %lu at boot, %lu now\n", baseline, now);
	check(now + leaked == baseline);
	check_pages_distinct();
	check_allocators_work();
	now = settled_free();
	if (now + leaked != baseline)
		fprintf(stderr, "free pages: %lu at boot, %lu now\n", baseline, now);
	check(now + leaked == baseline);
	kmm_exit();
}

static void consistent(void)
{
	consistent_but_for(0);
}

static int a_global;

/* Slab caches (issue 3). */

static void kmem_cache_free_of_a_stack_address(void)
{
	struct kmem_cache *s;
	int local;

	boot("mem=64M");
	s = kmem_cache_create("victim", 64, 0, 0, NULL);
	note_ptr("p", &local);
	kmem_cache_free(s, &local);
	kmem_cache_destroy(s);
	consistent();
}

static void kmem_cache_free_of_a_global(void)
{
	struct kmem_cache *s;

	boot("mem=64M");
	s = kmem_cache_create("victim", 64, 0, 0, NULL);
	note_ptr("p", &a_global);
	kmem_cache_free(s, &a_global);
	kmem_cache_destroy(s);
	consistent();
}

static void kmem_cache_free_of_a_small_integer(void)
{
	struct kmem_cache *s;

	boot("mem=64M");
	s = kmem_cache_create("victim", 64, 0, 0, NULL);
	note_ptr("p", (void *)0x1234);
	kmem_cache_free(s, (void *)0x1234);
	kmem_cache_destroy(s);
	consistent();
}

static void kmem_cache_free_inside_an_object(void)
{
	struct kmem_cache *s;
	char *obj;

	boot("mem=64M");
	s = kmem_cache_create("victim", 64, 0, 0, NULL);
	obj = kmem_cache_alloc(s, GFP_KERNEL);
	note_ptr("p", obj + 8);
	kmem_cache_free(s, obj + 8);
	check(kmem_cache_shrink(s) == 1);
	kmem_cache_free(s, obj);
	kmem_cache_destroy(s);
	consistent();
}

static void kmem_cache_free_of_a_page(void)
{
	struct kmem_cache *s;
	unsigned long page;

	boot("mem=64M");
	s = kmem_cache_create("victim", 64, 0, 0, NULL);
	page = __get_free_page(GFP_KERNEL);
	note_ptr("p", (void *)page);
	kmem_cache_free(s, (void *)page);
	check(page_ref_count(virt_to_page((void *)page)) == 1);
	free_page(page);
	kmem_cache_destroy(s);
	consistent();
}

static void kmem_cache_free_twice(void)
{
	struct kmem_cache *s;
	void *obj, *x, *y;

	boot("mem=64M");
	s = kmem_cache_create("victim", 64, 0, 0, NULL);
	obj = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_free(s, obj);
	note_ptr("p", obj);
	kmem_cache_free(s, obj);
	/* on the array once: handed out once */
	x = kmem_cache_alloc(s, GFP_KERNEL);
	y = kmem_cache_alloc(s, GFP_KERNEL);
	check(x == obj && y != obj);
	kmem_cache_free(s, x);
	kmem_cache_free(s, y);
	kmem_cache_destroy(s);
	consistent();
}

static void kmem_cache_free_after_its_slab_went_back(void)
{
	struct kmem_cache *s;
	void *obj;

	boot("mem=64M");
	s = kmem_cache_create("victim", 64, 0, 0, NULL);
	obj = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_free(s, obj);
	check(kmem_cache_shrink(s) == 0);
	note_ptr("p", obj);
	kmem_cache_free(s, obj);
	kmem_cache_destroy(s);
	consistent();
}

/*
 * kfree()'s fast path reads the slab map: a slab's entries go back with it.
 * The CPU's array is live when the stale pointer comes, so only the map can
 * refuse it at once.
 */
static void kfree_after_its_slab_went_back(void)
{
	enum { N = 200 }; /* a few slabs of 64-byte objects */
	struct kmem_cache *s;
	void *objs[N], *obj, *other;
	int i;

	boot("mem=64M");
	s = kmem_cache_create("victim", 64, 0, 0, NULL);
	for (i = 0; i < N; i++)
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
	obj = objs[0];
	other = objs[N - 1];
	check(virt_to_page(obj) != virt_to_page(other));
	for (i = 0; i < N - 1; i++)
		kmem_cache_free(s, objs[i]);
	/* every slab but the last one's goes back, and the arrays with them */
	kmem_cache_shrink(s);
	check(!PageSlab(virt_to_page(obj)));
	/* the array made again, from the slab left (no slab grown on obj's page) */
	kmem_cache_free(s, kmem_cache_alloc(s, GFP_KERNEL));
	note_ptr("p", obj);
	kfree(obj);
	kmem_cache_free(s, other);
	kmem_cache_destroy(s);
	consistent();
}

static void kmem_cache_free_to_the_wrong_cache(void)
{
	struct kmem_cache *a, *b;
	void *obj;

	boot("mem=64M");
	a = kmem_cache_create("cache_a", 64, 0, 0, NULL);
	b = kmem_cache_create("cache_b", 64, 0, 0, NULL);
	obj = kmem_cache_alloc(a, GFP_KERNEL);
	note_ptr("p", obj);
	kmem_cache_free(b, obj);
	check(kmem_cache_shrink(b) == 0);
	check(kmem_cache_shrink(a) == 1);
	kmem_cache_free(a, obj);
	kmem_cache_destroy(a);
	kmem_cache_destroy(b);
	consistent();
}

static void kmem_cache_free_of_a_kmalloc_object(void)
{
	struct kmem_cache *s;
	void *obj;

	boot("mem=64M");
	s = kmem_cache_create("mine", 64, 0, 0, NULL);
	obj = kmalloc(64, GFP_KERNEL);
	note_ptr("p", obj);
	kmem_cache_free(s, obj);
	check(ksize(obj) == 64);
	kfree(obj);
	kmem_cache_destroy(s);
	consistent();
}

static void kmem_cache_free_bulk_with_a_bad_pointer(void)
{
	struct kmem_cache *s;
	void *objs[3];
	int local;

	boot("mem=64M");
	s = kmem_cache_create("victim", 64, 0, 0, NULL);
	objs[0] = kmem_cache_alloc(s, GFP_KERNEL);
	objs[1] = &local;
	objs[2] = kmem_cache_alloc(s, GFP_KERNEL);
	note_ptr("p", &local);
	kmem_cache_free_bulk(s, 3, objs);
	kmem_cache_destroy(s);
	consistent();
}

static void kmem_cache_free_bulk_with_an_object_twice(void)
{
	struct kmem_cache *s;
	void *objs[4], *x[3];

	boot("mem=64M");
	s = kmem_cache_create("victim", 64, 0, 0, NULL);
	check(kmem_cache_alloc_bulk(s, GFP_KERNEL, 3, x) == 3);
	objs[0] = x[0];
	objs[1] = x[1];
	objs[2] = x[1];
	objs[3] = x[2];
	note_ptr("p", x[1]);
	kmem_cache_free_bulk(s, 4, objs);
	/* each on the array once: handed out once */
	check(kmem_cache_alloc_bulk(s, GFP_KERNEL, 3, objs) == 3);
	check(objs[0] != objs[1] && objs[1] != objs[2] && objs[0] != objs[2]);
	kmem_cache_free_bulk(s, 3, objs);
	kmem_cache_destroy(s);
	consistent();
}

static void kmem_cache_free_with_a_null_cache(void)
{
	struct kmem_cache *s;
	void *obj;

	boot("mem=64M");
	s = kmem_cache_create("victim", 64, 0, 0, NULL);
	obj = kmem_cache_alloc(s, GFP_KERNEL);
	note_ptr("p", obj);
	kmem_cache_free(NULL, obj);
	kmem_cache_free(s, obj);
	kmem_cache_destroy(s);
	consistent();
}

static void kmem_cache_alloc_from_a_null_cache(void)
{
	boot("mem=64M");
	check(kmem_cache_alloc(NULL, GFP_KERNEL) == NULL);
	consistent();
}

static void create_refused(const char *name, unsigned int size, unsigned int align)
{
	boot("mem=64M");
	check(kmem_cache_create(name, size, align, 0, NULL) == NULL);
	consistent();
}

static void kmem_cache_create_without_a_name(void)
{
	create_refused(NULL, 64, 0);
}

static void kmem_cache_create_of_size_0(void)
{
	create_refused("empty", 0, 0);
}

static void kmem_cache_create_above_kmalloc_max_size(void)
{
	create_refused("huge", (unsigned int)KMALLOC_MAX_SIZE + 1, 0);
}

static void kmem_cache_create_with_a_crooked_align(void)
{
	create_refused("crooked", 64, 24);
}

static void kmem_cache_create_with_usercopy_outside_the_object(void)
{
	boot("mem=64M");
	check(kmem_cache_create_usercopy("leaky_copy", 64, 0, 0, 48, 32, NULL) == NULL);
	consistent();
}

static void kmem_cache_create_with_slab_panic_fails(void)
{
	boot("mem=64M");
	kmem_cache_create("panicky", 0, 0, SLAB_PANIC, NULL);
	check(!"SLAB_PANIC returned");
}

static void kmem_cache_destroy_with_live_objects(void)
{
	struct kmem_cache *s;
	void *obj;

	boot("mem=64M");
	s = kmem_cache_create("leaky_cache", 64, 0, 0, NULL);
	obj = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_destroy(s);
	/* kept: the object is intact, the cache works, and goes once empty */
	memset(obj, 1, 64);
	kmem_cache_free(s, kmem_cache_alloc(s, GFP_KERNEL));
	kmem_cache_free(s, obj);
	kmem_cache_destroy(s);
	consistent();
}

static void kmem_cache_alloc_out_of_memory(void)
{
	static void *obj[1 << 14];
	struct kmem_cache *s;
	int n = 0;

	boot("mem=64M");
	s = kmem_cache_create("oom_cache", 4096, 0, 0, NULL);
	while (n < (1 << 14) && (obj[n] = kmem_cache_alloc(s, GFP_KERNEL | __GFP_NOWARN)))
		n++;
	check(n > 1000 && n < (1 << 14));
	check(kmem_cache_alloc(s, GFP_KERNEL) == NULL);
	while (n)
		kmem_cache_free(s, obj[--n]);
	kmem_cache_destroy(s);
	consistent();
}

/* kmalloc (issue 4). */

static void kfree_of_a_stack_address(void)
{
	int local;

	boot("mem=64M");
	note_ptr("p", &local);
	kfree(&local);
	consistent();
}

static void kfree_of_a_global(void)
{
	boot("mem=64M");
	note_ptr("p", &a_global);
	kfree(&a_global);
	consistent();
}

static void kfree_of_a_small_integer(void)
{
	boot("mem=64M");
	note_ptr("p", (void *)0x1234);
	kfree((void *)0x1234);
	consistent();
}

static void kfree_inside_an_object(void)
{
	char *p;

	boot("mem=64M");
	p = kmalloc(64, GFP_KERNEL);
	note_ptr("p", p + 8);
	kfree(p + 8);
	check(ksize(p) == 64);
	kfree(p);
	consistent();
}

static void kfree_inside_a_large_kmalloc(void)
{
	char *p;

	boot("mem=64M");
	p = kmalloc(100000, GFP_KERNEL);
	note_ptr("p", p + 4096);
	note_ptr("big", p);
	kfree(p + 4096);
	check(PageLargeKmalloc(virt_to_page(p)));
	kfree(p);
	consistent();
}

static void kfree_of_a_page(void)
{
	struct page *page;

	boot("mem=64M");
	page = alloc_page(GFP_KERNEL);
	note_ptr("p", page_address(page));
	kfree(page_address(page));
	check(page_ref_count(page) == 1);
	__free_page(page);
	consistent();
}

static void kfree_twice(void)
{
	void *p, *q, *r;

	boot("mem=64M");
	p = kmalloc(64, GFP_KERNEL);
	kfree(p);
	note_ptr("p", p);
	kfree(p);
	q = kmalloc(64, GFP_KERNEL);
	r = kmalloc(64, GFP_KERNEL);
	check(q == p && r != p);
	kfree(q);
	kfree(r);
	consistent();
}

static void kfree_of_a_large_kmalloc_twice(void)
{
	void *p;

	boot("mem=64M");
	p = kmalloc(100000, GFP_KERNEL);
	kfree(p);
	note_ptr("p", p);
	kfree(p);
	consistent();
}

static void kfree_of_a_vmalloc_address(void)
{
	void *v;

	boot("mem=64M");
	v = vmalloc(PAGE_SIZE);
	note_ptr("p", v);
	kfree(v);
	vfree(v);
	consistent();
}

static void ksize_inside_an_object(void)
{
	char *p;

	boot("mem=64M");
	p = kmalloc(64, GFP_KERNEL);
	note_ptr("p", p + 1);
	check(ksize(p + 1) == 0);
	kfree(p);
	consistent();
}

static void krealloc_of_a_stack_address(void)
{
	int local;

	boot("mem=64M");
	note_ptr("p", &local);
	check(krealloc(&local, 100, GFP_KERNEL) == NULL);
	consistent();
}

static void kfree_sensitive_inside_an_object(void)
{
	char *p;

	boot("mem=64M");
	p = kmalloc(64, GFP_KERNEL);
	note_ptr("p", p + 16);
	kfree_sensitive(p + 16);
	check(ksize(p) == 64);
	kfree(p);
	consistent();
}

static void kmalloc_above_kmalloc_max_size(void)
{
	volatile size_t size = KMALLOC_MAX_SIZE + 1;

	boot("mem=64M");
	check(kmalloc(size, GFP_KERNEL) == NULL);
	consistent();
}

static void kmalloc_large_with_gfp_dma32(void)
{
	volatile size_t size = 100000;
	void *p;

	boot("mem=64M");
	p = kmalloc(size, GFP_KERNEL | __GFP_DMA32);
	check(p);
	kfree(p);
	consistent();
}

static void kmalloc_with_gfp_highmem(void)
{
	volatile size_t size = 64;
	void *p;

	boot("mem=64M");
	p = kmalloc(size, GFP_KERNEL | __GFP_HIGHMEM);
	check(p);
	kfree(p);
	consistent();
}

static void kmem_cache_alloc_with_gfp_dma32(void)
{
	struct kmem_cache *s;
	void *p;

	boot("mem=64M");
	s = kmem_cache_create("victim", 64, 0, 0, NULL);
	p = kmem_cache_alloc(s, GFP_KERNEL | __GFP_DMA32);
	check(p);
	kmem_cache_free(s, p);
	kmem_cache_destroy(s);
	consistent();
}

static void kvmalloc_above_int_max(void)
{
	boot("mem=64M");
	check(kvmalloc((size_t)INT_MAX + 1, GFP_KERNEL) == NULL);
	consistent();
}

struct rcu_obj {
	char before[40];
	struct rcu_head rcu;
	char after[150];
};

static void kfree_rcu_of_a_stack_object(void)
{
	struct rcu_obj on_stack;

	boot("mem=64M");
	note_ptr("p", &on_stack);
	kfree_rcu(&on_stack, rcu);
	rcu_barrier();
	consistent();
}

static void kfree_rcu_with_the_head_in_another_object(void)
{
	struct rcu_obj *a, *b;

	boot("mem=64M");
	a = kmalloc(sizeof(*a), GFP_KERNEL);
	b = kmalloc(sizeof(*b), GFP_KERNEL);
	note_ptr("head", &b->rcu);
	note_ptr("p", a);
	kvfree_call_rcu(&b->rcu, a);
	rcu_barrier();
	check(ksize(a) == 256 && ksize(b) == 256);
	kfree(a);
	kfree(b);
	consistent();
}

static void kvfree_rcu_inside_a_vmalloc_area(void)
{
	char *v;

	boot("mem=64M");
	v = vmalloc(2 * PAGE_SIZE);
	note_ptr("p", v + PAGE_SIZE);
	kvfree_call_rcu((struct rcu_head *)(v + PAGE_SIZE), v + PAGE_SIZE);
	rcu_barrier();
	vfree(v);
	consistent();
}

/* Pages (issue 2). */

static void free_page_twice_on_a_per_cpu_list(void)
{
	struct page *page;

	boot("mem=64M");
	page = alloc_page(GFP_KERNEL);
	__free_page(page);
	note("pfn", "%05lx", page_to_pfn(page));
	note("pfnx", "%#lx", page_to_pfn(page));
	__free_page(page);
	consistent();
}

static void free_page_twice_in_the_buddy_lists(void)
{
	struct page *page;

	boot("mem=64M");
	page = alloc_page(GFP_KERNEL);
	__free_page(page);
	kmm_drain_all();
	note("pfn", "%05lx", page_to_pfn(page));
	note("pfnx", "%#lx", page_to_pfn(page));
	__free_page(page);
	consistent();
}

static void free_pages_with_a_smaller_order(void)
{
	struct page *page;

	boot("mem=64M");
	page = alloc_pages(GFP_KERNEL, 2);
	note("pfn", "%05lx", page_to_pfn(page));
	note("pfnx", "%#lx", page_to_pfn(page));
	note_ptr("addr", page_address(page));
	__free_pages(page, 0);
	__free_pages(page, 2);
	consistent();
}

static void free_pages_with_a_larger_order(void)
{
	struct page *page;

	boot("mem=64M");
	page = alloc_pages(GFP_KERNEL, 2);
	note("pfnx", "%#lx", page_to_pfn(page));
	__free_pages(page, 3);
	__free_pages(page, 2);
	consistent();
}

static void free_page_of_a_reserved_page(void)
{
	boot("mem=64M");
	__free_page(pfn_to_page(0));
	consistent();
}

static void free_page_of_a_tail_page(void)
{
	struct page *comp;

	boot("mem=64M");
	comp = alloc_pages(GFP_KERNEL | __GFP_COMP, 2);
	note("pfnx", "%#lx", page_to_pfn(comp + 1));
	__free_pages(comp + 1, 0);
	__free_pages(comp, 2);
	consistent();
}

static void free_pages_of_a_slab_page(void)
{
	struct page *page;
	void *p;

	boot("mem=64M");
	p = kmalloc(64, GFP_KERNEL);
	page = virt_to_page(p);
	note("pfnx", "%#lx", page_to_pfn(page));
	__free_pages(page, 0);
	check(ksize(p) == 64);
	kfree(p);
	consistent();
}

static void free_page_with_a_flag_still_set(void)
{
	struct page *page;

	boot("mem=64M");
	page = alloc_page(GFP_KERNEL);
	SetPageLocked(page);
	note("pfnx", "%#lx", page_to_pfn(page));
	__free_page(page);
	ClearPageLocked(page);
	__free_page(page);
	consistent();
}

static void put_page_of_a_free_page(void)
{
	struct page *page;

	boot("mem=64M");
	page = alloc_page(GFP_KERNEL);
	__free_page(page);
	kmm_drain_all();
	note("pfnx", "%#lx", page_to_pfn(page));
	put_page(page);
	consistent();
}

static void free_pages_of_a_struct_page_on_the_stack(void)
{
	struct page fake;

	boot("mem=64M");
	memset(&fake, 0, sizeof(fake));
	note_ptr("p", &fake);
	__free_pages(&fake, 0);
	consistent();
}

static void free_pages_of_a_pfn_outside_memory(void)
{
	struct page *page;

	boot("mem=64M");
	page = pfn_to_page(kmm_max_pfn + 1);
	note_ptr("p", page);
	__free_pages(page, 0);
	consistent();
}

static void free_pages_of_a_stack_address(void)
{
	int local;

	boot("mem=64M");
	note("addr", "%#lx", (unsigned long)&local);
	free_pages((unsigned long)&local, 0);
	consistent();
}

static void free_pages_of_an_unaligned_address(void)
{
	unsigned long addr;

	boot("mem=64M");
	addr = __get_free_page(GFP_KERNEL);
	note("addr", "%#lx", addr + 8);
	free_pages(addr + 8, 0);
	free_page(addr);
	consistent();
}

static void free_pages_above_max_page_order(void)
{
	unsigned long addr;

	boot("mem=64M");
	addr = __get_free_page(GFP_KERNEL);
	note("addr", "%#lx", addr);
	free_pages(addr, MAX_PAGE_ORDER + 1);
	free_page(addr);
	consistent();
}

static void free_pages_of_an_address_twice(void)
{
	unsigned long addr;

	boot("mem=64M");
	addr = __get_free_page(GFP_KERNEL);
	free_page(addr);
	note("pfnx", "%#lx", __pa(addr) >> PAGE_SHIFT);
	free_page(addr);
	consistent();
}

static void alloc_pages_above_max_page_order(void)
{
	volatile unsigned int order = MAX_PAGE_ORDER + 1;

	boot("mem=64M");
	check(alloc_pages(GFP_KERNEL, order) == NULL);
	consistent();
}

static void alloc_pages_node_of_an_offline_node(void)
{
	struct page *page;

	boot("mem=64M");
	page = alloc_pages_node(5, GFP_KERNEL, 0);
	check(page && page_to_nid(page) == 0);
	__free_page(page);
	consistent();
}

static void split_page_of_a_compound_page(void)
{
	struct page *comp;

	boot("mem=64M");
	comp = alloc_pages(GFP_KERNEL | __GFP_COMP, 2);
	note("pfnx", "%#lx", page_to_pfn(comp));
	split_page(comp, 2);
	__free_pages(comp, 2);
	consistent();
}

static void alloc_pages_exact_with_gfp_comp(void)
{
	void *p;

	boot("mem=64M");
	p = alloc_pages_exact(3 * PAGE_SIZE, GFP_KERNEL | __GFP_COMP);
	check(p);
	free_pages_exact(p, 3 * PAGE_SIZE);
	consistent();
}

static void alloc_pages_out_of_memory(void)
{
	static struct page *blocks[64];
	int n = 0;

	boot("mem=64M");
	while (n < 64 && (blocks[n] = alloc_pages(GFP_KERNEL | __GFP_NOWARN, MAX_PAGE_ORDER)))
		n++;
	check(n > 0 && n < 64);
	check(alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER) == NULL);
	while (n)
		__free_pages(blocks[--n], MAX_PAGE_ORDER);
	consistent();
}

static void alloc_pages_of_two_zones(gfp_t gfp)
{
	struct page *page;

	boot("mem=64M");
	page = alloc_page(gfp);
	if (page)
		__free_page(page);
	consistent();
}

static void alloc_pages_with_gfp_dma_and_dma32(void)
{
	alloc_pages_of_two_zones(GFP_KERNEL | GFP_DMA | GFP_DMA32);
}

static void alloc_pages_with_movable_and_reclaimable(void)
{
	alloc_pages_of_two_zones(GFP_KERNEL | __GFP_MOVABLE | __GFP_RECLAIMABLE);
}

static void alloc_pages_nofail_above_order_1(void)
{
	struct page *page;

	boot("mem=64M");
	page = alloc_pages(GFP_KERNEL | __GFP_NOFAIL, 4);
	check(page);
	__free_pages(page, 4);
	consistent();
}

static unsigned long count_nothing(struct shrinker *s, struct shrink_control *sc)
{
	(void)s;
	(void)sc;
	return 0;
}

static void shrinker_register_without_scan(void)
{
	struct shrinker *shrinker;

	boot("mem=64M");
	shrinker = shrinker_alloc(0, "half_done");
	check(shrinker);
	shrinker->count_objects = count_nothing;
	shrinker_register(shrinker);
	shrinker_free(shrinker);
	consistent();
}

/* vmalloc (issue 5). */

static void vfree_of_a_kmalloc_pointer(void)
{
	void *k;

	boot("mem=64M");
	k = kmalloc(100, GFP_KERNEL);
	note_ptr("p", k);
	vfree(k);
	check(ksize(k) == 128);
	kfree(k);
	consistent();
}

static void vfree_of_a_stack_address(void)
{
	int local;

	boot("mem=64M");
	note_ptr("p", &local);
	vfree(&local);
	consistent();
}

static void vfree_inside_an_area(void)
{
	char *v;

	boot("mem=64M");
	v = vmalloc(4 * PAGE_SIZE);
	memset(v, 0x11, 4 * PAGE_SIZE);
	note_ptr("p", v + PAGE_SIZE);
	note("start", "%#lx", (unsigned long)v);
	vfree(v + PAGE_SIZE);
	check(v[4 * PAGE_SIZE - 1] == 0x11);
	vfree(v);
	consistent();
}

static void vfree_twice(void)
{
	void *v;

	boot("mem=64M");
	v = vmalloc(PAGE_SIZE);
	vfree(v);
	note_ptr("p", v);
	vfree(v);
	consistent();
}

static void vfree_twice_after_the_purge(void)
{
	void *v;

	boot("mem=64M");
	v = vmalloc(PAGE_SIZE);
	vfree(v);
	vm_unmap_aliases();
	note_ptr("p", v);
	vfree(v);
	consistent();
}

static void vfree_atomic_twice(void)
{
	void *v;

	boot("mem=64M");
	v = vmalloc(PAGE_SIZE);
	vfree_atomic(v);
	note_ptr("p", v);
	vfree_atomic(v);
	consistent();
}

static void vfree_of_an_address_never_allocated(void)
{
	void *p;

	boot("mem=64M");
	p = (void *)(VMALLOC_START + (VMALLOC_END - VMALLOC_START) / 2);
	note_ptr("p", p);
	vfree(p);
	consistent();
}

static void vfree_of_a_vm_map_ram_area(void)
{
	struct page *page;
	void *r;

	boot("mem=64M");
	page = alloc_page(GFP_KERNEL);
	r = vm_map_ram(&page, 1, NUMA_NO_NODE);
	check(r);
	note_ptr("p", r);
	vfree(r);
	vm_unmap_ram(r, 1);
	__free_page(page);
	consistent();
}

static void vunmap_of_a_vmalloc_area(void)
{
	char *v;

	boot("mem=64M");
	v = vmalloc(PAGE_SIZE);
	v[0] = 1;
	note_ptr("p", v);
	vunmap(v);
	check(v[0] == 1);
	vfree(v);
	consistent();
}

static void vunmap_inside_an_area(void)
{
	struct page *pages[2];
	char *m;

	boot("mem=64M");
	pages[0] = alloc_page(GFP_KERNEL);
	pages[1] = alloc_page(GFP_KERNEL);
	m = vmap(pages, 2, VM_MAP, PAGE_KERNEL);
	check(m);
	note_ptr("p", m + 8);
	note("start", "%#lx", (unsigned long)m);
	vunmap(m + 8);
	m[PAGE_SIZE] = 2;
	vunmap(m);
	__free_page(pages[0]);
	__free_page(pages[1]);
	consistent();
}

static void vunmap_twice(void)
{
	struct page *page;
	void *m;

	boot("mem=64M");
	page = alloc_page(GFP_KERNEL);
	m = vmap(&page, 1, VM_MAP, PAGE_KERNEL);
	check(m);
	vunmap(m);
	note_ptr("p", m);
	vunmap(m);
	__free_page(page);
	consistent();
}

static void vm_unmap_ram_of_a_vmalloc_area(void)
{
	void *v;

	boot("mem=64M");
	v = vmalloc(PAGE_SIZE);
	note_ptr("p", v);
	vm_unmap_ram(v, 1);
	vfree(v);
	consistent();
}

static void vm_unmap_ram_with_the_wrong_count(void)
{
	struct page *pages[2];
	void *r;

	boot("mem=64M");
	pages[0] = alloc_page(GFP_KERNEL);
	pages[1] = alloc_page(GFP_KERNEL);
	r = vm_map_ram(pages, 2, NUMA_NO_NODE);
	check(r);
	note_ptr("p", r);
	vm_unmap_ram(r, 1);
	check(!find_vm_area(r));
	__free_page(pages[0]);
	__free_page(pages[1]);
	consistent();
}

static void vrealloc_inside_an_area(void)
{
	char *v;

	boot("mem=64M");
	v = vmalloc(2 * PAGE_SIZE);
	note_ptr("p", v + PAGE_SIZE);
	note("start", "%#lx", (unsigned long)v);
	check(vrealloc(v + PAGE_SIZE, 4 * PAGE_SIZE, GFP_KERNEL) == NULL);
	vfree(v);
	consistent();
}

static void vrealloc_of_a_vmap_area(void)
{
	struct page *page;
	void *m;

	boot("mem=64M");
	page = alloc_page(GFP_KERNEL);
	m = vmap(&page, 1, VM_MAP, PAGE_KERNEL);
	note_ptr("p", m);
	check(vrealloc(m, 2 * PAGE_SIZE, GFP_KERNEL) == NULL);
	vunmap(m);
	__free_page(page);
	consistent();
}

static void free_vm_area_of_an_area_not_live(void)
{
	struct vm_struct fake;

	boot("mem=64M");
	memset(&fake, 0, sizeof(fake));
	fake.addr = (void *)(VMALLOC_START + (VMALLOC_END - VMALLOC_START) / 2);
	note_ptr("p", &fake);
	note_ptr("addr", fake.addr);
	free_vm_area(&fake);
	consistent();
}

static void vmalloc_of_size_0(void)
{
	boot("mem=64M");
	check(vmalloc(0) == NULL);
	check(vmalloc(0) == NULL); /* warned once */
	consistent();
}

static void vmalloc_above_total_memory(void)
{
	boot("mem=64M");
	check(vmalloc(1UL << 30) == NULL);
	consistent();
}

static void vmalloc_above_the_vmalloc_area(void)
{
	boot("mem=256M vmalloc=32M");
	check(vmalloc(64UL << 20) == NULL);
	consistent();
}

static void vmalloc_out_of_memory(void)
{
	boot("mem=64M");
	check(vmalloc(62UL << 20) == NULL);
	consistent();
}

static void vmap_of_a_null_page(void)
{
	struct page *pages[2];

	boot("mem=64M");
	pages[0] = alloc_page(GFP_KERNEL);
	pages[1] = NULL;
	check(vmap(pages, 2, VM_MAP, PAGE_KERNEL) == NULL);
	__free_page(pages[0]);
	consistent();
}

static int count_pte(pte_t *pte, unsigned long addr, void *data)
{
	(void)pte;
	(void)addr;
	++*(int *)data;
	return 0;
}

static void apply_to_page_range_outside_the_vmalloc_area(void)
{
	unsigned long addr;
	int n = 0;

	boot("mem=64M");
	addr = __get_free_page(GFP_KERNEL);
	note("addr", "%#lx", addr);
	check(apply_to_page_range(&kmm_init_mm, addr, PAGE_SIZE, count_pte, &n) == -EINVAL);
	check(n == 0);
	free_page(addr);
	consistent();
}

static int map_a_pfn_outside_memory(pte_t *pte, unsigned long addr, void *data)
{
	(void)data;
	set_pte_at(&kmm_init_mm, addr, pte, pfn_pte(kmm_max_pfn + 5, PAGE_KERNEL));
	return 0;
}

static int clear_pte(pte_t *pte, unsigned long addr, void *data)
{
	(void)data;
	pte_clear(&kmm_init_mm, addr, pte);
	return 0;
}

static void apply_to_page_range_mapping_a_pfn_outside_memory(void)
{
	struct vm_struct *area;
	unsigned long addr;

	boot("mem=64M");
	area = get_vm_area(PAGE_SIZE, VM_MAP);
	check(area);
	addr = (unsigned long)area->addr;
	note("addr", "%#lx", addr);
	note("pfnx", "%#lx", kmm_max_pfn + 5);
	note("max", "%#lx", kmm_max_pfn);
	apply_to_page_range(&kmm_init_mm, addr, PAGE_SIZE, map_a_pfn_outside_memory, NULL);
	check(apply_to_page_range(&kmm_init_mm, addr, PAGE_SIZE, clear_pte, NULL) == 0);
	free_vm_area(area);
	consistent();
}

static void apply_to_page_range_over_a_huge_mapping(void)
{
	char *v;
	int n = 0;

	boot("mem=64M");
	v = vmalloc_huge(2UL << 20, GFP_KERNEL);
	check(v);
	note("addr", "%#lx", (unsigned long)v);
	check(apply_to_page_range(&kmm_init_mm, (unsigned long)v, PAGE_SIZE, count_pte, &n) ==
	      -EINVAL);
	check(n == 0);
	vfree(v);
	consistent();
}

static char *guard_page;

static void guard_page_fault(int sig, siginfo_t *info, void *uc)
{
	char line[96];
	int len;

	(void)uc;
	len = snprintf(line, sizeof(line), "signal %d at %p (guard page %p)\n", sig, info->si_addr,
		       (void *)guard_page);
	if (write(2, line, (size_t)len) != len)
		_exit(4);
	_exit(0);
}

static void write_past_the_end_of_a_vmalloc_area(void)
{
	struct sigaction sa;
	char *v;

	boot("mem=64M");
	v = vmalloc(2 * PAGE_SIZE);
	guard_page = v + 2 * PAGE_SIZE;
	note_ptr("guard", guard_page);
	note("segv", "%d", SIGSEGV);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = guard_page_fault;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	*(volatile char *)guard_page = 1;
	check(!"the guard page did not fault");
}

/* HIGHMEM (issue 5). */

#define HIGHMEM_MACHINE "mem=64M highmem=32M"

static void kunmap_of_a_page_not_kmapped(void)
{
	struct page *page;

	boot(HIGHMEM_MACHINE);
	page = alloc_page(GFP_HIGHUSER);
	check(PageHighMem(page));
	note("pfnx", "%#lx", page_to_pfn(page));
	kunmap(page);
	__free_page(page);
	consistent();
}

static void kunmap_twice(void)
{
	struct page *page;
	char *p;

	boot(HIGHMEM_MACHINE);
	page = alloc_page(GFP_HIGHUSER);
	p = kmap(page);
	check(p);
	p[0] = 3;
	kunmap(page);
	note("pfnx", "%#lx", page_to_pfn(page));
	kunmap(page);
	__free_page(page);
	consistent();
}

static void kmap_of_a_struct_page_on_the_stack(void)
{
	struct page fake;

	boot(HIGHMEM_MACHINE);
	memset(&fake, 0, sizeof(fake));
	note_ptr("p", &fake);
	check(kmap(&fake) == NULL);
	consistent();
}

static void kunmap_local_of_a_vmalloc_address(void)
{
	void *v;

	boot(HIGHMEM_MACHINE);
	v = vmalloc(PAGE_SIZE);
	note_ptr("p", v);
	kunmap_local(v);
	vfree(v);
	consistent();
}

static void kunmap_local_out_of_order(void)
{
	struct page *a, *b;
	void *pa, *pb;

	boot(HIGHMEM_MACHINE);
	a = alloc_page(GFP_HIGHUSER);
	b = alloc_page(GFP_HIGHUSER);
	pa = kmap_local_page(a);
	pb = kmap_local_page(b);
	check(pa && pb);
	note_ptr("p", pa);
	note("last", "%#lx", (unsigned long)pb);
	kunmap_local(pa);
	kunmap_local(pb);
	kunmap_local(pa);
	__free_page(a);
	__free_page(b);
	consistent();
}

static void kunmap_local_twice(void)
{
	struct page *page;
	void *p;

	boot(HIGHMEM_MACHINE);
	page = alloc_page(GFP_HIGHUSER);
	p = kmap_local_page(page);
	check(p);
	kunmap_local(p);
	note_ptr("p", p);
	kunmap_local(p);
	__free_page(page);
	consistent();
}

static void kmap_local_page_seventeen_deep(void)
{
	struct page *page;
	void *p[KM_MAX_IDX];
	int i;

	boot(HIGHMEM_MACHINE);
	page = alloc_page(GFP_HIGHUSER);
	note("pfnx", "%#lx", page_to_pfn(page));
	for (i = 0; i < KM_MAX_IDX; i++) {
		p[i] = kmap_local_page(page);
		check(p[i]);
	}
	check(kmap_local_page(page) == NULL);
	for (i = KM_MAX_IDX - 1; i >= 0; i--)
		kunmap_local(p[i]);
	__free_page(page);
	consistent();
}

static void *kmap_local_and_exit(void *arg)
{
	check(kmap_local_page(arg) != NULL);
	return NULL;
}

static void kmap_local_left_at_thread_exit(void)
{
	struct page *page;
	pthread_t t;
	void *p;

	boot(HIGHMEM_MACHINE);
	page = alloc_page(GFP_HIGHUSER);
	check(pthread_create(&t, NULL, kmap_local_and_exit, page) == 0);
	pthread_join(t, NULL);
	/* the slots were unmapped: the next thread's stack starts empty */
	p = kmap_local_page(page);
	check(p);
	kunmap_local(p);
	__free_page(page);
	consistent();
}

/* The command line (issue 2). */

static void kmm_init_with_a_bad_value(void)
{
	check(kmm_init("mem=banana") == -EINVAL);
	check(!kmm_booted());
	boot("mem=64M");
	consistent();
}

static void kmm_init_with_every_parameter_bad(void)
{
	static const char *const bad[] = {
		"mem=8M",
		"mem=",
		"numa=fake=9",
		"numa=3",
		"min_free_kbytes=-1",
		"vmalloc=1K",
		"highmem=banana",
		"panic_on_warn=2",
		"init_on_alloc=yes",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		check(kmm_init(bad[i]) == -EINVAL);
		check(!kmm_booted());
	}
	boot("mem=64M");
	consistent();
}

static void kmm_init_with_an_unknown_parameter(void)
{
	boot("mem=64M quiet foo=bar");
	consistent();
}

static void kmm_init_with_a_word_too_long(void)
{
	char line[400];

	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	check(kmm_init(line) == -EINVAL);
	boot("mem=64M");
	consistent();
}

static void kmm_init_with_too_many_nodes(void)
{
	check(kmm_init("mem=64M numa=fake=2") == -EINVAL);
	boot("mem=64M");
	consistent();
}

static void kmm_init_with_too_much_highmem(void)
{
	check(kmm_init("mem=64M highmem=60M") == -EINVAL);
	boot("mem=64M");
	consistent();
}

/* Caches that are no live cache, and parameters the kernel refuses (issue 14). */

static void kmem_cache_destroy_twice(void)
{
	struct kmem_cache *s;

	boot("mem=64M");
	s = kmem_cache_create("victim", 64, 0, 0, NULL);
	kmem_cache_destroy(s);
	note_ptr("s", s);
	kmem_cache_destroy(s);
	consistent();
}

static void kmem_cache_destroy_of_a_kmalloc_cache(void)
{
	void *p;

	boot("mem=64M");
	kmem_cache_destroy(kmm_kmalloc_caches[KMALLOC_NORMAL][kmalloc_index(64)]);
	p = kmalloc(64, GFP_KERNEL); /* the cache still works */
	check(p && ksize(p) == 64);
	kfree(p);
	consistent();
}

static void kmem_cache_alloc_from_a_destroyed_cache(void)
{
	struct kmem_cache *s;

	boot("mem=64M");
	s = kmem_cache_create("victim", 64, 0, 0, NULL);
	kmem_cache_free(s, kmem_cache_alloc(s, GFP_KERNEL));
	kmem_cache_destroy(s);
	note_ptr("s", s);
	check(kmem_cache_alloc(s, GFP_KERNEL) == NULL);
	consistent();
}

static void kmem_cache_free_to_a_destroyed_cache(void)
{
	struct kmem_cache *s;
	void *p;

	boot("mem=64M");
	s = kmem_cache_create("victim", 64, 0, 0, NULL);
	kmem_cache_destroy(s);
	p = kmalloc(64, GFP_KERNEL);
	note_ptr("s", s);
	kmem_cache_free(s, p);
	kfree(p);
	consistent();
}

static void kmem_cache_shrink_of_a_destroyed_cache(void)
{
	struct kmem_cache *s;

	boot("mem=64M");
	s = kmem_cache_create("victim", 64, 0, 0, NULL);
	kmem_cache_destroy(s);
	note_ptr("s", s);
	check(kmem_cache_shrink(s) == 0);
	check(kmem_cache_validate(s) == 0);
	consistent();
}

static void kmem_cache_create_with_a_huge_align(void)
{
	boot("mem=64M");
	check(kmem_cache_create("huge_align", 64, 1U << 31, 0, NULL) == NULL);
	check(kmm_validate_all() == 0);
	consistent();
}

static void kmem_cache_create_with_flags_the_kernel_refuses(void)
{
	boot("mem=64M");
	check(kmem_cache_create("odd_flags", 64, 0, SLAB_FAILSLAB, NULL) == NULL);
	check(kmem_cache_create("odd_flags", 64, 0, SLAB_HWCACHE_ALIGN | 0x40000000, NULL) == NULL);
	consistent();
}

static void kmem_cache_create_with_a_newline_in_the_name(void)
{
	boot("mem=64M");
	check(kmem_cache_create("two\nlines", 64, 0, 0, NULL) == NULL);
	check(kmem_cache_create("with space", 64, 0, 0, NULL) == NULL);
	consistent();
}

/* Frees of pages the library owns itself: refused as a bad page state (issue 14). */

/* free_own_page - a program's free_pages() of the page holding @addr, one of libkmm's own. */
static void free_own_page(void *addr)
{
	note("pfnx", "%#lx", page_to_pfn(virt_to_page(addr)));
	free_pages((unsigned long)addr & PAGE_MASK, 0);
}

static void free_pages_of_a_live_page_table(void)
{
	unsigned long v;
	pmd_t *pmd;

	boot("mem=64M");
	v = (unsigned long)vmalloc(4 * PAGE_SIZE);
	pmd = pmd_offset(pud_offset(p4d_offset(pgd_offset_k(v), v), v), v);
	free_own_page((void *)((unsigned long)pte_offset_kernel(pmd, v) & PAGE_MASK));
	memset((void *)v, 1, 4 * PAGE_SIZE); /* still mapped through that table */
	vfree((void *)v);
	consistent();
}

static void free_pages_of_a_kmem_cache(void)
{
	struct kmem_cache *s;

	boot("mem=64M");
	s = kmem_cache_create("victim", 64, 0, 0, NULL);
	free_own_page(s);
	kmem_cache_free(s, kmem_cache_alloc(s, GFP_KERNEL));
	kmem_cache_destroy(s);
	consistent();
}

/* The entries of the array some CPU of @s has (the one the thread ran on when it freed). */
static void *a_cpu_array(struct kmem_cache *s)
{
	int i;

	for (i = 0; i < (int)num_online_cpus(); i++)
		if (s->cpu_array[i].entry)
			return s->cpu_array[i].entry;
	check(!"a CPU of the cache has an array");
	return NULL;
}

static void free_pages_of_a_per_cpu_array(void)
{
	struct kmem_cache *s;

	boot("mem=64M");
	s = kmem_cache_create("victim", 64, 0, 0, NULL);
	kmem_cache_free(s, kmem_cache_alloc(s, GFP_KERNEL));
	free_own_page(a_cpu_array(s));
	kmem_cache_free(s, kmem_cache_alloc(s, GFP_KERNEL));
	kmem_cache_destroy(s);
	consistent();
}

/* vmalloc's bookkeeping lives in caches of the library's own: a program's kfree() of it is refused. */
static void kfree_of_a_vm_struct(void)
{
	struct vm_struct *vm;

	boot("mem=64M");
	vm = get_vm_area(4 * PAGE_SIZE, VM_MAP);
	check(vm != NULL);
	note_ptr("p", vm);
	kfree(vm);
	free_vm_area(vm); /* still whole */
	consistent();
}

/* A cache's descriptor is an object of the descriptors' cache, the library's own: kfree() refused. */
static void kfree_of_a_kmem_cache(void)
{
	struct kmem_cache *s;

	boot("mem=64M");
	s = kmem_cache_create("victim", 64, 0, 0, NULL);
	note_ptr("p", s);
	kfree(s);
	kmem_cache_free(s, kmem_cache_alloc(s, GFP_KERNEL)); /* still whole */
	kmem_cache_destroy(s);
	consistent();
}

static void free_pages_of_the_memmap(void)
{
	boot("mem=64M");
	free_own_page(kmm_vmemmap + kmm_max_pfn / 2);
	consistent();
}

/* Frees the slab's own record refuses: an object that is free in its slab already (issue 14). */

static void kmem_cache_free_of_an_object_back_in_its_slab(void)
{
	struct kmem_cache *s;
	void *a, *b;

	boot("mem=64M");
	s = kmem_cache_create("victim", 64, 0, 0, NULL);
	a = kmem_cache_alloc(s, GFP_KERNEL);
	b = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_free(s, a);
	kmem_cache_free(s, b);
	kmm_drain_all(); /* a and b are back in their slab */
	note_ptr("p", a);
	kmem_cache_free(s, a); /* the CPU's array takes it ... */
	kmm_drain_all();       /* ... and its slab refuses it */
	check(kmm_validate_all() == 0);
	kmem_cache_destroy(s);
	consistent();
}

/*
 * 100,000 kfree()s of almost-right pointers while nothing is allocated: page
 * starts anywhere in the direct map, and object starts in slabs full of free
 * objects.  Every one is refused (the reports go to /dev/null), and the
 * machine is whole afterwards.
 */
static void kfree_of_100000_almost_right_pointers(void)
{
	static const size_t sizes[] = {8, 16, 64, 96, 128, 192, 512, 1024, 4096, 8192};
	static void *objs[256];
	unsigned long pages, i;
	int saved = dup(2), null = open("/dev/null", O_WRONLY);
	size_t k;
	int j;

	boot("mem=64M");
	pages = kmm_max_low_pfn;
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		for (j = 0; j < 256; j++)
			check((objs[j] = kmalloc(sizes[k], GFP_KERNEL)) != NULL);
		for (j = 0; j < 256; j++)
			kfree(objs[j]);
	}
	kmm_drain_all();
	srand(14);
	check(saved >= 0 && null >= 0);
	dup2(null, 2);
	for (i = 0; i < 100000; i++) {
		char *p =
			(char *)page_address(pfn_to_page(1 + (unsigned long)rand() % (pages - 1)));
		struct page *page = virt_to_page(p);
		struct kmem_cache *s = page->mapping;

		if ((i & 1) && PageSlab(page) && s)
			p = (char *)page->private + (unsigned long)rand() % s->num * s->size;
		kfree(p);
		if (i % 1000 == 999)
			kmm_drain_all(); /* the objects the arrays took reach their slabs */
	}
	settled_free(); /* and those the shared arrays took */
	dup2(saved, 2);
	close(null);
	close(saved);
	fprintf(stderr, "100000 almost-right frees done\n");
	check(kmm_validate_all() == 0);
	consistent();
}

/* The table. */

enum {
	PANIC = 1,  /* with panic_on_warn=1 it aborts after the first report */
	CALM = 2,   /* with panic_on_warn=1 the same: a notice, not a warning */
	ABORTS = 4, /* aborts (SIGABRT) even without panic_on_warn */
	GAP = 8,    /* not caught yet: expected to fail until the library catches it */
};

struct scenario {
	const char *name;
	void (*run)(void);
	unsigned int flags;
	const char *expect; /* the lines, '\n'-separated (see the top of the file) */
};

/* Slab debugging (slub_debug= and the SLAB_* debug flags): kernel-style reports, fixed up. */

static void slub_debug_redzone_overwritten(void)
{
	unsigned char *p;

	boot("mem=64M slub_debug=FZ");
	p = kmalloc(64, GFP_KERNEL);
	p[64] = 0x11;
	note_ptr("p", p);
	kfree(p);
	check(kmm_validate_all() == 0);
	consistent();
}

static void slub_debug_kmalloc_redzone_overwritten(void)
{
	unsigned char *p;

	boot("mem=64M slub_debug=Z,kmalloc-32");
	p = kmalloc(24, GFP_KERNEL);
	asan_allow(p + 24, 1);
	p[24] = 0x11; /* beyond the 24 bytes asked for, inside kmalloc-32's object */
	note_ptr("p", p);
	kfree(p);
	check(kmm_validate_all() == 0);
	consistent();
}

static void slub_debug_left_redzone_overwritten(void)
{
	struct kmem_cache *s;
	unsigned char *p;

	boot("mem=64M");
	s = kmem_cache_create("victim", 100, 0, SLAB_RED_ZONE, NULL);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	p[-1] = 0;
	note_ptr("p", p);
	kmem_cache_free(s, p);
	check(kmem_cache_validate(s) == 0);
	kmem_cache_destroy(s);
	consistent();
}

static void slub_debug_poison_overwritten(void)
{
	unsigned char *p, *q;

	boot("mem=64M slub_debug=P,kmalloc-128");
	p = kmalloc(128, GFP_KERNEL);
	kfree(p);
	asan_allow(p, 128);
	p[5] = 0x42; /* a write after the free */
	note_ptr("p", p);
	q = kmalloc(128, GFP_KERNEL);
	check(q == p);
	kfree(q);
	check(kmm_validate_all() == 0);
	consistent();
}

static void slub_debug_object_already_free(void)
{
	struct kmem_cache *s;
	void *a, *b, *x, *y;

	boot("mem=64M slub_debug=F,victim");
	s = kmem_cache_create("victim", 48, 0, 0, NULL);
	a = kmem_cache_alloc(s, GFP_KERNEL);
	b = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_free(s, a);
	kmem_cache_free(s, b);
	note_ptr("p", a);
	kmem_cache_free(s, a); /* not the last object freed: found on the slab's freelist */
	x = kmem_cache_alloc(s, GFP_KERNEL);
	y = kmem_cache_alloc(s, GFP_KERNEL);
	check(x != y);
	kmem_cache_free(s, x);
	kmem_cache_free(s, y);
	check(kmem_cache_validate(s) == 0);
	kmem_cache_destroy(s);
	consistent();
}

static void slub_debug_validate_finds_a_redzone_in_use(void)
{
	unsigned char *p;

	boot("mem=64M slub_debug=Z,kmalloc-32");
	p = kmalloc(32, GFP_KERNEL);
	p[33] = 7;
	note_ptr("p", p);
	check(kmm_validate_all() == 1);
	check(kmm_validate_all() == 0);
	kfree(p);
	consistent();
}

/*
 * The on-slab freelist at a debugging slab's end overwritten: the slab is
 * reported and taken out of service, and no object is handed out twice.
 */
static void slub_debug_slab_tail_overwritten(void)
{
	static void *objs[2000];
	unsigned long descriptor_pages;
	struct kmem_cache *s;
	struct page *page;
	int i, j;

	boot("mem=64M slub_debug=F");
	descriptor_pages = settled_free();
	s = kmem_cache_create("victim", 200, 0, 0, NULL);
	/* the pages its descriptor took, if kmem_cache_cachep had to grow */
	descriptor_pages -= settled_free();
	objs[0] = kmem_cache_alloc(s, GFP_KERNEL);
	page = compound_head(virt_to_page(objs[0]));
	memset((char *)page_address(page) + (PAGE_SIZE << compound_order(page)) - 64, 0x41, 64);
	for (i = 1; i < 2000; i++) {
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
		check(objs[i] != NULL);
		memset(objs[i], 0, 200);
	}
	for (i = 0; i < 2000; i++)
		for (j = i + 1; j < 2000; j++)
			check(objs[j] >= (void *)((char *)objs[i] + 200) ||
			      objs[i] >= (void *)((char *)objs[j] + 200));
	check(kmm_validate_all() == 0);
	for (i = 0; i < 2000; i++)
		kmem_cache_free(s, objs[i]);
	/* the slab out of service keeps its pages; so does its cache's descriptor */
	kmem_cache_destroy(s);
	consistent_but_for((1UL << compound_order(page)) + descriptor_pages);
}

static void init_on_free_double_free(void)
{
	void *a, *b;

	boot("mem=64M init_on_free=1");
	a = kmalloc(64, GFP_KERNEL);
	b = kmalloc(64, GFP_KERNEL);
	kfree(a);
	kfree(b);
	note_ptr("p", a);
	kfree(a);
	check(kmm_validate_all() == 0);
	consistent();
}

#define SCENARIO(fn, fl, ex)                                                                       \
	{                                                                                          \
		.name = #fn, .run = fn, .flags = fl, .expect = ex                                  \
	}

/* The "BUG: Bad page state" dump of a refused free (the page_type line only for free pages). */
#define BAD_PAGE(why, call)                                                                        \
	"BUG: Bad page state in process *  pfn:*\n"                                                \
	"page: refcount:*\n"                                                                       \
	"...\n"                                                                                    \
	"page dumped because: " why "\n" call ": free of pfn {pfnx} (order *) refused"

#define MEM_INFO "Mem-Info:\n...\n* pages reserved"

static const struct scenario scenarios[] = {
	/* slab caches */
	SCENARIO(kmem_cache_free_of_a_stack_address, 0,
		 "kmem_cache_free: victim: Object is not in the direct map (object {p}), refused"),
	SCENARIO(kmem_cache_free_of_a_global, 0,
		 "kmem_cache_free: victim: Object is not in the direct map (object {p}), refused"),
	SCENARIO(kmem_cache_free_of_a_small_integer, 0,
		 "kmem_cache_free: victim: Object is not in the direct map (object {p}), refused"),
	SCENARIO(kmem_cache_free_inside_an_object, PANIC,
		 "kmem_cache_free: victim: not the start of an object (offset * in the slab) "
		 "(object {p}), refused"),
	SCENARIO(kmem_cache_free_of_a_page, 0,
		 "kmem_cache_free: victim: Object is not a Slab page (object {p}), refused"),
	SCENARIO(kmem_cache_free_twice, PANIC,
		 "kmem_cache_free: victim: double free (object {p}), refused"),
	SCENARIO(kmem_cache_free_after_its_slab_went_back, 0,
		 "kmem_cache_free: victim: Object is not a Slab page (object {p}), refused"),
	SCENARIO(kfree_after_its_slab_went_back, 0,
		 "kfree: {p}: Not a kmalloc allocation (its page is free), refused"),
	SCENARIO(kmem_cache_free_to_the_wrong_cache, PANIC,
		 "kmem_cache_free: cache_b: Wrong slab cache. cache_b but object is from cache_a "
		 "(object {p}), refused"),
	SCENARIO(kmem_cache_free_of_a_kmalloc_object, 0,
		 "kmem_cache_free: mine: Wrong slab cache. mine but object is from kmalloc-64 "
		 "(object {p}), refused"),
	SCENARIO(kmem_cache_free_bulk_with_a_bad_pointer, 0,
		 "kmem_cache_free: victim: Object is not in the direct map (object {p}), refused"),
	SCENARIO(kmem_cache_free_bulk_with_an_object_twice, PANIC,
		 "kmem_cache_free: victim: double free (object {p}), refused"),
	SCENARIO(kmem_cache_free_with_a_null_cache, 0,
		 "kmem_cache_free: NULL cache for object {p}, refused"),
	SCENARIO(kmem_cache_alloc_from_a_null_cache, GAP, "kmem_cache_alloc: NULL cache, refused"),
	SCENARIO(kmem_cache_create_without_a_name, 0,
		 "kmem_cache_create((null)): no name (size 64, align 0), refused"),
	SCENARIO(kmem_cache_create_of_size_0, PANIC,
		 "kmem_cache_create(empty): size 0 (size 0, align 0), refused"),
	SCENARIO(kmem_cache_create_above_kmalloc_max_size, 0,
		 "kmem_cache_create(huge): size above KMALLOC_MAX_SIZE (size 4194305, align 0), "
		 "refused"),
	SCENARIO(kmem_cache_create_with_a_crooked_align, 0,
		 "kmem_cache_create(crooked): align is not a power of two (size 64, align 24), "
		 "refused"),
	SCENARIO(kmem_cache_create_with_usercopy_outside_the_object, 0,
		 "kmem_cache_create(leaky_copy): usercopy region outside the object (size 64, "
		 "align 0), refused"),
	SCENARIO(kmem_cache_create_with_slab_panic_fails, ABORTS,
		 "kmem_cache_create: Failed to create slab 'panicky'. Error size 0\n"
		 "Kernel panic - not syncing: SLAB_PANIC"),
	SCENARIO(kmem_cache_destroy_with_live_objects, PANIC,
		 "kmem_cache_destroy leaky_cache: Slab cache still has objects"),
	SCENARIO(kmem_cache_alloc_out_of_memory, PANIC,
		 "*: page allocation failure: order:0, mode:0xcc0(GFP_KERNEL), "
		 "nodemask=(null)\n" MEM_INFO
		 "\nkmem_cache_alloc: oom_cache: out of memory (object size 4096, order 0)"),
	SCENARIO(kmem_cache_alloc_with_gfp_dma32, PANIC,
		 "WARNING: kmem_cache_alloc(victim): Unexpected gfp: 0x4 (GFP_DMA32). Fixing up to "
		 "gfp: 0xcc0 (GFP_KERNEL). Fix your code!"),

	/* kmalloc */
	SCENARIO(kfree_of_a_stack_address, PANIC, "kfree: {p}: not in the direct map, refused"),
	SCENARIO(kfree_of_a_global, 0, "kfree: {p}: not in the direct map, refused"),
	SCENARIO(kfree_of_a_small_integer, 0, "kfree: {p}: not in the direct map, refused"),
	SCENARIO(kfree_inside_an_object, PANIC,
		 "kfree: {p}: 8 bytes into an object of kmalloc-64, refused"),
	SCENARIO(kfree_inside_a_large_kmalloc, 0,
		 "kfree: {p}: 4096 bytes into a large kmalloc at {big}, refused"),
	SCENARIO(kfree_of_a_page, 0, "kfree: {p}: Not a kmalloc allocation, refused"),
	SCENARIO(kfree_twice, 0, "kfree: kmalloc-64: double free (object {p}), refused"),
	SCENARIO(kfree_of_a_large_kmalloc_twice, 0,
		 "kfree: {p}: Not a kmalloc allocation (its page is free), refused"),
	SCENARIO(kfree_of_a_vmalloc_address, 0,
		 "kfree: {p}: a vmalloc address, not in the direct map (vfree() or kvfree() frees "
		 "it), "
		 "refused"),
	SCENARIO(ksize_inside_an_object, 0,
		 "ksize: {p}: 1 bytes into an object of kmalloc-64, refused"),
	SCENARIO(krealloc_of_a_stack_address, 0, "krealloc: {p}: not in the direct map, refused"),
	SCENARIO(kfree_sensitive_inside_an_object, 0,
		 "kfree_sensitive: {p}: 16 bytes into an object of kmalloc-64, refused"),
	SCENARIO(kmalloc_above_kmalloc_max_size, 0,
		 "WARNING: kmalloc: size 4194305 above KMALLOC_MAX_SIZE (4194304), refused"),
	SCENARIO(kmalloc_large_with_gfp_dma32, PANIC,
		 "WARNING: kmalloc: Unexpected gfp: 0x4 (GFP_DMA32). Fixing up to gfp: 0xcc0 "
		 "(GFP_KERNEL). Fix your code!"),
	SCENARIO(kmalloc_with_gfp_highmem, GAP,
		 "WARNING: kmalloc: Unexpected gfp: 0x2 (__GFP_HIGHMEM). Fixing up to gfp: 0xcc0 "
		 "(GFP_KERNEL). Fix your code!"),
	SCENARIO(kvmalloc_above_int_max, 0,
		 "WARNING: kvmalloc: size 2147483648 is above INT_MAX, refused"),
	SCENARIO(kfree_rcu_of_a_stack_object, 0, "kfree_rcu: {p}: not in the direct map, refused"),
	SCENARIO(kfree_rcu_with_the_head_in_another_object, PANIC,
		 "kfree_rcu: rcu_head {head} is not inside the object {p}, refused"),
	SCENARIO(kvfree_rcu_inside_a_vmalloc_area, 0,
		 "kfree_rcu: {p}: not the start of a vmalloc area, refused"),

	/* pages */
	SCENARIO(free_page_twice_on_a_per_cpu_list, PANIC,
		 BAD_PAGE("page is already free (on a per-CPU list)", "__free_pages")),
	SCENARIO(free_page_twice_in_the_buddy_lists, 0,
		 BAD_PAGE("page is already free (in the buddy allocator)", "__free_pages")),
	SCENARIO(free_pages_with_a_smaller_order, PANIC,
		 BAD_PAGE("freed with order 0 but allocated with order 2", "__free_pages")),
	SCENARIO(free_pages_with_a_larger_order, 0,
		 BAD_PAGE("freed with order 3 but allocated with order 2", "__free_pages")),
	SCENARIO(free_page_of_a_reserved_page, 0,
		 "BUG: Bad page state in process *  pfn:00000\n"
		 "page: refcount:*\n"
		 "flags: *reserved|*\n"
		 "...\n"
		 "page dumped because: PAGE_FLAGS_CHECK_AT_FREE flag(s) set\n"
		 "__free_pages: free of pfn 0 (order 0, address *) refused"),
	SCENARIO(free_page_of_a_tail_page, 0,
		 BAD_PAGE("tail page of a compound page", "__free_pages")),
	SCENARIO(free_pages_of_a_slab_page, 0,
		 BAD_PAGE("PAGE_FLAGS_CHECK_AT_FREE flag(s) set", "__free_pages")),
	SCENARIO(free_page_with_a_flag_still_set, 0,
		 BAD_PAGE("PAGE_FLAGS_CHECK_AT_FREE flag(s) set", "__free_pages")),
	SCENARIO(put_page_of_a_free_page, 0,
		 BAD_PAGE("page is already free (in the buddy allocator)", "put_page")),
	SCENARIO(free_pages_of_a_struct_page_on_the_stack, 0,
		 "__free_pages: {p} is not a struct page of this machine, refused"),
	SCENARIO(free_pages_of_a_pfn_outside_memory, PANIC,
		 "__free_pages: {p} is not a struct page of this machine, refused"),
	SCENARIO(free_pages_of_a_stack_address, PANIC,
		 "free_pages: {addr} is not the address of a page in the direct map, refused"),
	SCENARIO(free_pages_of_an_unaligned_address, 0,
		 "free_pages: {addr} is not the address of a page in the direct map, refused"),
	SCENARIO(free_pages_above_max_page_order, 0,
		 "free_pages: order 11 > MAX_PAGE_ORDER at {addr}, refused"),
	SCENARIO(free_pages_of_an_address_twice, 0,
		 BAD_PAGE("page is already free (on a per-CPU list)", "__free_pages")),
	SCENARIO(alloc_pages_above_max_page_order, 0,
		 "WARNING: alloc_pages: order 11 > MAX_PAGE_ORDER (10), refused"),
	SCENARIO(alloc_pages_node_of_an_offline_node, 0,
		 "WARNING: alloc_pages_node: node 5 is not online, using node 0"),
	SCENARIO(split_page_of_a_compound_page, 0,
		 "split_page: pfn {pfnx} is a compound page, refused"),
	SCENARIO(alloc_pages_exact_with_gfp_comp, 0,
		 "WARNING: alloc_pages_exact: __GFP_COMP is not allowed, ignored"),
	SCENARIO(alloc_pages_out_of_memory, PANIC,
		 "*: page allocation failure: order:10, mode:0xcc0(GFP_KERNEL), "
		 "nodemask=(null)\n" MEM_INFO),
	SCENARIO(alloc_pages_with_gfp_dma_and_dma32, PANIC,
		 "WARNING: alloc_pages: more than one zone modifier in gfp 0xcc5 "
		 "(GFP_KERNEL|GFP_DMA|GFP_DMA32), refused"),
	SCENARIO(alloc_pages_with_movable_and_reclaimable, PANIC,
		 "WARNING: alloc_pages: __GFP_MOVABLE and __GFP_RECLAIMABLE together in gfp * "
		 "allocated as movable"),
	SCENARIO(alloc_pages_nofail_above_order_1, PANIC,
		 "WARNING: alloc_pages: __GFP_NOFAIL above order 1 (order 4): it may wait forever; "
		 "do not use it in new code"),
	SCENARIO(shrinker_register_without_scan, 0,
		 "shrinker_register: shrinker half_done has no count or scan callback, refused"),

	/* vmalloc */
	SCENARIO(vfree_of_a_kmalloc_pointer, PANIC,
		 "WARNING: Trying to vfree() nonexistent vm area ({p}): not in the vmalloc area (a "
		 "direct-map address: kmalloc or pages?), refused"),
	SCENARIO(vfree_of_a_stack_address, 0,
		 "WARNING: Trying to vfree() nonexistent vm area ({p}): not in the vmalloc area, "
		 "refused"),
	SCENARIO(vfree_inside_an_area, 0,
		 "WARNING: Trying to vfree() nonexistent vm area ({p}): inside the area {start}-*, "
		 "refused"),
	SCENARIO(vfree_twice, PANIC,
		 "WARNING: Trying to vfree() nonexistent vm area ({p}): in an area already freed "
		 "(not yet purged), refused"),
	SCENARIO(vfree_twice_after_the_purge, 0,
		 "WARNING: Trying to vfree() nonexistent vm area ({p}): in free space (an area "
		 "already freed, or never allocated), refused"),
	SCENARIO(vfree_atomic_twice, 0, /* names vfree(), see vfree_atomic() */
		 "WARNING: Trying to vfree() nonexistent vm area ({p}): in an area already "
		 "freed (not yet purged), refused"),
	SCENARIO(vfree_of_an_address_never_allocated, 0,
		 "WARNING: Trying to vfree() nonexistent vm area ({p}): in free space (an area "
		 "already freed, or never allocated), refused"),
	SCENARIO(vfree_of_a_vm_map_ram_area, 0,
		 "WARNING: Trying to vfree() nonexistent vm area ({p}): it is a vm_map_ram() area, "
		 "refused"),
	SCENARIO(vunmap_of_a_vmalloc_area, PANIC,
		 "WARNING: vunmap: {p} is an area of vmalloc(): free it with vfree(), refused"),
	SCENARIO(
		vunmap_inside_an_area, PANIC,
		"WARNING: Trying to vunmap() nonexistent vm area ({p}): inside the area {start}-*, "
		"refused"),
	SCENARIO(vunmap_twice, 0,
		 "WARNING: Trying to vunmap() nonexistent vm area ({p}): in an area already freed "
		 "(not yet purged), refused"),
	SCENARIO(vm_unmap_ram_of_a_vmalloc_area, 0,
		 "WARNING: vm_unmap_ram: {p} is not an area of vm_map_ram(): it is an area of "
		 "vmalloc() or vmap(), refused"),
	SCENARIO(vm_unmap_ram_with_the_wrong_count, 0,
		 "WARNING: vm_unmap_ram: {p} was mapped with 2 pages, not 1; unmapped"),
	SCENARIO(vrealloc_inside_an_area, 0,
		 "WARNING: Trying to vrealloc() nonexistent vm area ({p}): inside the area "
		 "{start}-*, refused"),
	SCENARIO(vrealloc_of_a_vmap_area, 0,
		 "WARNING: vrealloc: {p} is not an area of vmalloc(), refused"),
	SCENARIO(free_vm_area_of_an_area_not_live, 0,
		 "WARNING: free_vm_area: {p} is not a live area (its address {addr}), refused"),
	SCENARIO(vmalloc_of_size_0, 0, "WARNING: vmalloc: size 0 (warned once), returning NULL"),
	SCENARIO(vmalloc_above_total_memory, PANIC,
		 "*: vmalloc error: size 1073741824, exceeds total pages, mode:0xcc0(GFP_KERNEL), "
		 "nodemask=(null)\n" MEM_INFO),
	SCENARIO(vmalloc_above_the_vmalloc_area, 0,
		 "vmalloc_node_range for size 67112960 failed: Address range restricted to * - *\n"
		 "*: vmalloc error: size 67108864, vm_struct allocation failed, "
		 "mode:0xcc0(GFP_KERNEL), nodemask=(null)\n" MEM_INFO),
	SCENARIO(vmalloc_out_of_memory, 0,
		 "*: page allocation failure: order:0, mode:0xcc2(GFP_KERNEL|__GFP_HIGHMEM), "
		 "nodemask=(null)\n" MEM_INFO "\n"
		 "*: vmalloc error: size *, failed to allocate pages, mode:0xcc0(GFP_KERNEL), "
		 "nodemask=(null)\n" MEM_INFO),
	SCENARIO(vmap_of_a_null_page, 0, "WARNING: vmap_pages_range: NULL page at *, refused"),
	SCENARIO(apply_to_page_range_outside_the_vmalloc_area, 0,
		 "WARNING: apply_to_page_range: [{addr}, *) of init_mm is not a page-aligned range "
		 "of the vmalloc area [*, *), refused"),
	SCENARIO(apply_to_page_range_mapping_a_pfn_outside_memory, PANIC,
		 "WARNING: mmu: entries at {addr} map pfn {pfnx}..{pfnx}, beyond the machine's "
		 "{max} frames; mapped inaccessible"),
	SCENARIO(apply_to_page_range_over_a_huge_mapping, 0,
		 "WARNING: apply_to_page_range: leaf pmd * at {addr}, refused"),
	SCENARIO(write_past_the_end_of_a_vmalloc_area, 0,
		 "signal {segv} at {guard} (guard page {guard})"),

	/* highmem */
	SCENARIO(kunmap_of_a_page_not_kmapped, 0,
		 "WARNING: kunmap: pfn {pfnx} (HighMem) is not kmapped, refused"),
	SCENARIO(kunmap_twice, PANIC,
		 "WARNING: kunmap: pfn {pfnx} (HighMem) is not kmapped, refused"),
	SCENARIO(kmap_of_a_struct_page_on_the_stack, 0,
		 "WARNING: kmap: {p} is not a highmem page of this machine, refused"),
	SCENARIO(kunmap_local_of_a_vmalloc_address, 0,
		 "WARNING: kunmap_local: {p} is not a kmap_local_page() address, refused"),
	SCENARIO(kunmap_local_out_of_order, PANIC,
		 "WARNING: kunmap_local: {p} is not this thread's last kmap_local_page() ({last}): "
		 "unmap in reverse order, refused"),
	SCENARIO(kunmap_local_twice, 0,
		 "WARNING: kunmap_local: {p}: this thread has no kmap_local_page() mapping, "
		 "refused"),
	SCENARIO(kmap_local_page_seventeen_deep, PANIC,
		 "WARNING: kmap_local_page: all 16 slots of this thread are in use (pfn {pfnx}), "
		 "refused"),
	SCENARIO(kmap_local_left_at_thread_exit, PANIC,
		 "WARNING: kmap_local: thread exiting with 1 kmap_local_page() mapping, unmapped"),

	/* the command line */
	SCENARIO(kmm_init_with_a_bad_value, 0,
		 "kmm_init: invalid value in \"mem=banana\": mem expects a size from 16M to 4T, "
		 "e.g. mem=512M"),
	SCENARIO(kmm_init_with_every_parameter_bad, 0,
		 "kmm_init: invalid value in \"mem=8M\": mem expects *\n"
		 "kmm_init: invalid value in \"mem=\": mem expects *\n"
		 "kmm_init: invalid value in \"numa=fake=9\": numa expects fake=N with N from 1 to "
		 "8\n"
		 "kmm_init: invalid value in \"numa=3\": numa expects *\n"
		 "kmm_init: invalid value in \"min_free_kbytes=-1\": min_free_kbytes expects *\n"
		 "kmm_init: invalid value in \"vmalloc=1K\": vmalloc expects *\n"
		 "kmm_init: invalid value in \"highmem=banana\": highmem expects *\n"
		 "kmm_init: invalid value in \"panic_on_warn=2\": panic_on_warn expects 0 or 1\n"
		 "kmm_init: invalid value in \"init_on_alloc=yes\": init_on_alloc expects 0 or 1"),
	SCENARIO(kmm_init_with_an_unknown_parameter, CALM,
		 "kmm_init: unknown command line parameter \"quiet\", ignored\n"
		 "kmm_init: unknown command line parameter \"foo=bar\", ignored"),
	SCENARIO(kmm_init_with_a_word_too_long, 0,
		 "kmm_init: command line word \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...\" is too long"),
	SCENARIO(kmm_init_with_too_many_nodes, 0,
		 "kmm_init: numa=fake=2 needs at least 128M per node (mem=64M)"),
	SCENARIO(kmm_init_with_too_much_highmem, 0,
		 "kmm_init: highmem=60M leaves less than 16M of lowmem (mem=64M)"),
	SCENARIO(slub_debug_redzone_overwritten, PANIC,
		 "=============================================================================\n"
		 "BUG kmalloc-64 (Not tainted): Redzone overwritten\n"
		 "-----------------------------------------------------------------------------\n"
		 "...\n"
		 "FIX kmalloc-64: Restoring Redzone *=0xcc\n"),
	SCENARIO(slub_debug_kmalloc_redzone_overwritten, PANIC,
		 "=============================================================================\n"
		 "BUG kmalloc-32 (Not tainted): kmalloc Redzone overwritten\n"
		 "-----------------------------------------------------------------------------\n"
		 "...\n"
		 "FIX kmalloc-32: Restoring kmalloc Redzone *=0xcc\n"),
	SCENARIO(slub_debug_left_redzone_overwritten, PANIC,
		 "=============================================================================\n"
		 "BUG victim (Not tainted): Left Redzone overwritten\n"
		 "-----------------------------------------------------------------------------\n"
		 "...\n"
		 "FIX victim: Restoring Left Redzone *=0xcc\n"),
	SCENARIO(slub_debug_poison_overwritten, PANIC,
		 "=============================================================================\n"
		 "BUG kmalloc-128 (Not tainted): Poison overwritten\n"
		 "-----------------------------------------------------------------------------\n"
		 "...\n"
		 "FIX kmalloc-128: Restoring Poison *=0x6b\n"),
	SCENARIO(slub_debug_object_already_free, PANIC,
		 "=============================================================================\n"
		 "BUG victim (Not tainted): Object already free\n"
		 "-----------------------------------------------------------------------------\n"
		 "...\n"
		 "FIX victim: kmem_cache_free({p}) refused: Object at {p} not freed\n"),
	SCENARIO(slub_debug_validate_finds_a_redzone_in_use, PANIC,
		 "=============================================================================\n"
		 "BUG kmalloc-32 (Not tainted): Redzone overwritten\n"
		 "-----------------------------------------------------------------------------\n"
		 "...\n"
		 "FIX kmalloc-32: Restoring Redzone *=0xcc\n"),
	SCENARIO(slub_debug_slab_tail_overwritten, PANIC,
		 "=============================================================================\n"
		 "BUG victim (Not tainted): Freelist corrupt: entry 1 is 16705, beyond the slab\n"
		 "-----------------------------------------------------------------------------\n"
		 "...\n"
		 "FIX victim: Marking all objects used\n"
		 "\n"
		 "kmem_cache_destroy victim: Slab cache still has objects"),
	SCENARIO(init_on_free_double_free, PANIC,
		 "kfree: kmalloc-64: double free (object {p}), refused"),
	SCENARIO(kmem_cache_destroy_twice, PANIC,
		 "kmem_cache_destroy: cache {s} was destroyed (it was victim), refused"),
	SCENARIO(kmem_cache_destroy_of_a_kmalloc_cache, PANIC,
		 "kmem_cache_destroy kmalloc-64: a boot cache, ignored"),
	SCENARIO(kmem_cache_alloc_from_a_destroyed_cache, PANIC,
		 "kmem_cache_alloc: cache {s} was destroyed (it was victim), refused"),
	SCENARIO(kmem_cache_free_to_a_destroyed_cache, PANIC,
		 "kmem_cache_free: cache {s} was destroyed (it was victim), refused"),
	SCENARIO(kmem_cache_shrink_of_a_destroyed_cache, PANIC,
		 "kmem_cache_shrink: cache {s} was destroyed (it was victim), refused\n"
		 "kmem_cache_validate: cache {s} was destroyed (it was victim), refused"),
	SCENARIO(
		kmem_cache_create_with_a_huge_align, PANIC,
		"kmem_cache_create(huge_align): size aligned to align above KMALLOC_MAX_SIZE (size "
		"64, align 2147483648), refused"),
	SCENARIO(
		kmem_cache_create_with_flags_the_kernel_refuses, PANIC,
		"kmem_cache_create(odd_flags): flags 0x2000 outside SLAB_FLAGS_PERMITTED (size 64, "
		"align 0), refused\n"
		"kmem_cache_create(odd_flags): flags 0x40000000 outside SLAB_FLAGS_PERMITTED (size "
		"64, align 0), refused"),
	SCENARIO(kmem_cache_create_with_a_newline_in_the_name, PANIC,
		 "kmem_cache_create(two\\x0alines): name is empty or has a control character or "
		 "white space (size 64, align 0), refused\n"
		 "kmem_cache_create(with space): name is empty or has a control character or white "
		 "space (size 64, align 0), refused"),
	SCENARIO(free_pages_of_a_live_page_table, PANIC,
		 BAD_PAGE("page table in use (PageTable)", "__free_pages")),
	SCENARIO(free_pages_of_a_kmem_cache, PANIC,
		 BAD_PAGE("PAGE_FLAGS_CHECK_AT_FREE flag(s) set", "__free_pages")),
	SCENARIO(free_pages_of_a_per_cpu_array, PANIC,
		 BAD_PAGE("PAGE_FLAGS_CHECK_AT_FREE flag(s) set", "__free_pages")),
	SCENARIO(kfree_of_a_vm_struct, PANIC,
		 "kfree: vm_struct: an object of the library's own (object {p}), refused"),
	SCENARIO(kfree_of_a_kmem_cache, PANIC,
		 "kfree: kmem_cache: an object of the library's own (object {p}), refused"),
	SCENARIO(free_pages_of_the_memmap, PANIC,
		 BAD_PAGE("PAGE_FLAGS_CHECK_AT_FREE flag(s) set", "__free_pages")),
	SCENARIO(kmem_cache_free_of_an_object_back_in_its_slab, PANIC,
		 "slab: double free detected in cache 'victim', objp {p}: already free in its "
		 "slab, refused"),
	SCENARIO(kfree_of_100000_almost_right_pointers, 0, "100000 almost-right frees done"),
};

#define NR_SCENARIOS (sizeof(scenarios) / sizeof(scenarios[0]))

/* The child's side: run one scenario; main() returns what this returns. */
static int run_scenario(const char *name, const char *params)
{
	static char extra[128];
	cpu_set_t cpus;
	size_t i;

	for (i = 0; i < NR_SCENARIOS; i++) {
		if (strcmp(scenarios[i].name, name) != 0)
			continue;
		if (params) {
			snprintf(extra, sizeof(extra), " %s", params);
			extra_params = extra;
		}
		alarm(30); /* a hang fails the test */
		/* a double free is caught at once on the CPU whose array holds the first free */
		pin_to_this_cpu(&cpus);
		scenarios[i].run();
		if (kmm_booted())
			kmm_exit();
		return 0;
	}
	fprintf(stderr, "no scenario %s\n", name);
	return 2;
}

/* The parent's side. */

/* What a run printed, split into lines, and how it ended. */
struct outcome {
	char text[1 << 16];
	char *line[512];
	int nr_lines;
	char *var_name[16], *var_value[16];
	int nr_vars;
	int status;
};

/* Run scenario @s in a fresh process, with @params added to its command lines. */
static void spawn(const struct scenario *s, const char *params, struct outcome *o)
{
	char *argv[] = {"test_badinput", "--scenario", (char *)s->name, (char *)params, NULL};
	char *p, *next;

	o->status = run_fresh(argv, NULL, o->text, sizeof(o->text));
	assert_true(o->status != -1);
	/* "@name=value" lines are the scenario's notes, the rest its output */
	o->nr_lines = o->nr_vars = 0;
	for (p = o->text; *p; p = next) {
		next = strchr(p, '\n');
		if (next)
			*next++ = '\0';
		else
			next = p + strlen(p);
		if (p[0] == '@' && strchr(p, '=') && o->nr_vars < 16) {
			char *eq = strchr(p, '=');

			*eq = '\0';
			o->var_name[o->nr_vars] = p + 1;
			o->var_value[o->nr_vars++] = eq + 1;
		} else if (o->nr_lines < 512) {
			o->line[o->nr_lines++] = p;
		}
	}
}

/* @pat with each "{name}" replaced by the value the scenario noted; false if one is missing. */
static bool expand(const char *pat, const struct outcome *o, char *out, size_t len)
{
	size_t used = 0;

	while (*pat && used + 1 < len) {
		const char *close = *pat == '{' ? strchr(pat, '}') : NULL;
		int v;

		if (!close) {
			out[used++] = *pat++;
			continue;
		}
		for (v = 0; v < o->nr_vars; v++)
			if (strlen(o->var_name[v]) == (size_t)(close - pat - 1) &&
			    strncmp(o->var_name[v], pat + 1, (size_t)(close - pat - 1)) == 0)
				break;
		if (v == o->nr_vars)
			return false;
		used += (size_t)snprintf(out + used, len - used, "%s", o->var_value[v]);
		pat = close + 1;
	}
	out[used < len ? used : len - 1] = '\0';
	return true;
}

/* Do lines [@l, nr_lines) match patterns [@p, @np) exactly ("..." any number of lines)? */
static bool lines_match(char *const *pats, int p, int np, const struct outcome *o, int l,
			int nr_lines)
{
	char want[1024];

	if (p == np)
		return l == nr_lines;
	if (strcmp(pats[p], "...") == 0) {
		for (; l <= nr_lines; l++)
			if (lines_match(pats, p + 1, np, o, l, nr_lines))
				return true;
		return false;
	}
	if (l == nr_lines || !expand(pats[p], o, want, sizeof(want)))
		return false;
	return glob_match(want, o->line[l]) && lines_match(pats, p + 1, np, o, l + 1, nr_lines);
}

/* The expected lines of @s, split in @buf. */
static int split_expect(const struct scenario *s, char *buf, size_t len, char **pats)
{
	int n = 0;
	char *p;

	snprintf(buf, len, "%s", s->expect);
	for (p = buf; p && n < 64; n++) {
		pats[n] = p;
		p = strchr(p, '\n');
		if (p)
			*p++ = '\0';
	}
	return n;
}

static void print_outcome(const char *what, const struct outcome *o)
{
	int i;

	print_message("%s: status %#x (%s %d), output:\n", what, o->status,
		      WIFSIGNALED(o->status) ? "signal" : "exit",
		      WIFSIGNALED(o->status) ? WTERMSIG(o->status) : WEXITSTATUS(o->status));
	for (i = 0; i < o->nr_vars; i++)
		print_message("  {%s} = %s\n", o->var_name[i], o->var_value[i]);
	for (i = 0; i < o->nr_lines; i++)
		print_message("  | %s\n", o->line[i]);
}

/* Did the run end as @s expects, with exactly the expected lines? */
static bool as_expected(const struct scenario *s, const struct outcome *o)
{
	char buf[4096], *pats[64];
	int np = split_expect(s, buf, sizeof(buf), pats);
	bool died_right = (s->flags & ABORTS)
				  ? WIFSIGNALED(o->status) && WTERMSIG(o->status) == SIGABRT
				  : WIFEXITED(o->status) && WEXITSTATUS(o->status) == 0;

	return died_right && lines_match(pats, 0, np, o, 0, o->nr_lines);
}

/* The scenario in a fresh process: exactly its report, and a consistent machine (exit 0). */
static void test_scenario(void **state)
{
	const struct scenario *s = *state;
	static struct outcome o;

	spawn(s, NULL, &o);
	if (s->flags & GAP) {
		/* Not caught yet: fail once it is, so the entry loses GAP. */
		if (as_expected(s, &o)) {
			print_outcome(s->name, &o);
			fail_msg("%s is caught now: remove GAP from its entry", s->name);
		}
		print_message("[ GAP      ] %s: not caught yet (see the report to the lead)\n",
			      s->name);
		return;
	}
	if (!as_expected(s, &o)) {
		print_outcome(s->name, &o);
		fail_msg("%s: expected exit 0 and these lines:\n%s", s->name, s->expect);
	}
}

/* With panic_on_warn=1: SIGABRT right after the first report (PANIC), or no change (CALM). */
static void test_scenario_panic_on_warn(void **state)
{
	const struct scenario *s = *state;
	static const char panic_line[] = "Kernel panic - not syncing: panic_on_warn set ...";
	static struct outcome o;
	char buf[4096], *pats[64];
	int np = split_expect(s, buf, sizeof(buf), pats), k;

	spawn(s, "panic_on_warn=1", &o);
	if (s->flags & CALM) {
		if (!as_expected(s, &o)) {
			print_outcome(s->name, &o);
			fail_msg("%s with panic_on_warn=1: expected no change", s->name);
		}
		return;
	}
	if (!WIFSIGNALED(o.status) || WTERMSIG(o.status) != SIGABRT || o.nr_lines < 2 ||
	    strcmp(o.line[o.nr_lines - 1], panic_line) != 0)
		goto bad;
	/* what came before the panic: the first report, some leading part of the expected lines */
	for (k = 1; k <= np; k++)
		if (lines_match(pats, 0, k, &o, 0, o.nr_lines - 1))
			return;
bad:
	print_outcome(s->name, &o);
	fail_msg("%s with panic_on_warn=1: expected the report, then \"%s\" and SIGABRT", s->name,
		 panic_line);
}

/*
 * No expectation is met by silence: each needs at least one line of report,
 * and the first line is a real one, so the panic_on_warn check sees a report
 * before the panic.
 */
static void test_every_expectation_needs_its_report(void **state)
{
	static struct outcome silence;
	size_t i;

	(void)state;
	for (i = 0; i < NR_SCENARIOS; i++) {
		char buf[4096], *pats[64];
		int np = split_expect(&scenarios[i], buf, sizeof(buf), pats);

		if (lines_match(pats, 0, np, &silence, 0, 0) || strcmp(pats[0], "...") == 0)
			fail_msg("%s: its expectation is met without a report", scenarios[i].name);
	}
}

int main(int argc, char **argv)
{
	static struct CMUnitTest tests[2 * NR_SCENARIOS + 1];
	static char names[NR_SCENARIOS][128];
	size_t i, n = 0;

	if (argc >= 3 && strcmp(argv[1], "--scenario") == 0)
		return run_scenario(argv[2], argc >= 4 ? argv[3] : NULL);
	tests[n++] = (struct CMUnitTest){.name = "every_expectation_needs_its_report",
					 .test_func = test_every_expectation_needs_its_report};
	for (i = 0; i < NR_SCENARIOS; i++) {
		const struct scenario *s = &scenarios[i];

		tests[n++] = (struct CMUnitTest){
			.name = s->name, .test_func = test_scenario, .initial_state = (void *)s};
		if ((s->flags & (PANIC | CALM)) && !(s->flags & GAP)) {
			snprintf(names[i], sizeof(names[i]), "%s_with_panic_on_warn", s->name);
			tests[n++] = (struct CMUnitTest){.name = names[i],
							 .test_func = test_scenario_panic_on_warn,
							 .initial_state = (void *)s};
		}
	}
	return _cmocka_run_group_tests("badinput", tests, n, NULL, NULL);
}
