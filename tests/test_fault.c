/* SPDX-License-Identifier: MIT */
/*
 * Fault injection: failslab= and fail_page_alloc= with the kernel's syntax,
 * defaults and knobs, changed at run time with kmm_fault_attr_set().
 */
#include <errno.h>
#include <pthread.h>
#include <kmm/kmm.h>
#include <kmm/fault-inject.h>
#include "kmm_test.h"

/* Allocate and free an order-@order block with @gfp: true if it succeeded. */
static bool page_ok(gfp_t gfp, unsigned int order)
{
	struct page *page = alloc_pages(gfp | __GFP_NOWARN, order);

	if (page)
		__free_pages(page, order);
	return page != NULL;
}

/* The pattern of @n allocations: 'o' for success, 'x' for an injected failure. */
static const char *pattern(gfp_t gfp, unsigned int order, int n)
{
	static char buf[128];
	int i;

	for (i = 0; i < n; i++)
		buf[i] = page_ok(gfp, order) ? 'o' : 'x';
	buf[n] = '\0';
	return buf;
}

static void test_defaults_are_the_kernels(void **state)
{
	struct kmm_fault_attr a;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	assert_int_equal(kmm_fault_attr_get("fail_page_alloc", &a), 0);
	assert_int_equal(a.probability, 0);
	assert_int_equal(a.interval, 1);
	assert_int_equal(a.times, 1);
	assert_int_equal(a.space, 0);
	assert_int_equal(a.verbose, 2);
	assert_true(a.ignore_gfp_wait);
	assert_true(a.ignore_gfp_highmem);
	assert_int_equal(a.min_order, 1);
	assert_int_equal(kmm_fault_attr_get("failslab", &a), 0);
	assert_int_equal(a.probability, 0);
	assert_int_equal(a.times, 1);
	assert_true(a.ignore_gfp_wait);
	assert_int_equal(kmm_fault_attr_get("fail_usercopy", &a), -ENOENT);
	/* Off by default: nothing fails. */
	assert_string_equal(pattern(GFP_ATOMIC, 1, 8), "oooooooo");
	kmm_exit();
}

static void test_boot_parameters_and_knobs_are_parsed(void **state)
{
	struct kmm_fault_attr a;

	(void)state;
	/* (ignore-gfp-wait stays Y for fail_page_alloc, its default, as in the kernel.) */
	assert_int_equal(
		kmm_init("mem=64M fail_page_alloc=3,50,4096,7 fail-page-alloc.min_order=2 "
			 "fail_page_alloc.ignore-gfp-highmem=0 fail_page_alloc.verbose=1 "
			 "failslab=2,100,0,-1 failslab.ignore-gfp-wait=n failslab.verbose=0"),
		0);
	assert_int_equal(kmm_fault_attr_get("fail_page_alloc", &a), 0);
	assert_int_equal(a.interval, 3);
	assert_int_equal(a.probability, 50);
	assert_int_equal(a.space, 4096);
	assert_int_equal(a.times, 7);
	assert_int_equal(a.min_order, 2);
	assert_true(a.ignore_gfp_wait);
	assert_false(a.ignore_gfp_highmem);
	assert_int_equal(a.verbose, 1);
	assert_int_equal(kmm_fault_attr_get("failslab", &a), 0);
	assert_int_equal(a.interval, 2);
	assert_int_equal(a.probability, 100);
	assert_int_equal(a.times, -1);
	assert_false(a.ignore_gfp_wait);
	assert_int_equal(a.verbose, 0);
	kmm_exit();
	/* The next boot starts from the defaults again. */
	assert_int_equal(kmm_init("mem=64M fail_page_alloc.ignore-gfp-wait=N"), 0);
	assert_int_equal(kmm_fault_attr_get("fail_page_alloc", &a), 0);
	assert_false(a.ignore_gfp_wait);
	assert_int_equal(a.interval, 1);
	assert_int_equal(kmm_fault_attr_get("failslab", &a), 0);
	assert_int_equal(a.probability, 0);
	assert_true(a.ignore_gfp_wait);
	kmm_exit();
}

static void test_malformed_boot_parameters_are_refused(void **state)
{
	static const char *const bad[] = {
		"fail_page_alloc=1,100,0",     "fail_page_alloc=1,100,0,1,5",
		"failslab=1,101,0,1",	       "failslab=0,100,0,1",
		"failslab=1,100,-5,1",	       "failslab=a,b,c,d",
		"fail_page_alloc.min-order=x", "failslab.ignore-gfp-wait=maybe",
		"fail_page_alloc.verbose=-1",
	};
	struct capture c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char line[128];

		snprintf(line, sizeof(line), "mem=64M %s", bad[i]);
		capture_begin(&c);
		assert_int_equal(kmm_init(line), -EINVAL);
		capture_end(&c);
		assert_non_null(strstr(c.text, "invalid value"));
		assert_false(kmm_booted());
	}
	/* A knob that only fail_page_alloc has is unknown for failslab. */
	capture_begin(&c);
	assert_int_equal(kmm_init("mem=64M failslab.min-order=1"), 0);
	capture_end(&c);
	assert_non_null(strstr(c.text, "unknown command line parameter \"failslab.min-order=1\""));
	kmm_exit();
}

static void test_times_limits_the_failures(void **state)
{
	(void)state;
	assert_int_equal(kmm_init("mem=64M fail_page_alloc=1,100,0,2 fail_page_alloc.verbose=0"),
			 0);
	assert_string_equal(pattern(GFP_ATOMIC, 1, 6), "xxoooo");
	kmm_exit();
	assert_int_equal(kmm_init("mem=64M fail_page_alloc=1,100,0,-1 fail_page_alloc.verbose=0"),
			 0);
	assert_string_equal(pattern(GFP_ATOMIC, 2, 40), "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	kmm_exit();
}

static void test_interval_fails_every_nth_candidate(void **state)
{
	(void)state;
	assert_int_equal(kmm_init("mem=64M fail_page_alloc=3,100,0,-1 fail_page_alloc.verbose=0"),
			 0);
	assert_string_equal(pattern(GFP_ATOMIC, 1, 9), "ooxooxoox");
	/* Allocations the filters let through are not candidates: they do not count. */
	assert_string_equal(pattern(GFP_ATOMIC, 0, 5), "ooooo");
	assert_string_equal(pattern(GFP_ATOMIC, 1, 3), "oox");
	kmm_exit();
}

static void test_space_is_used_up_before_failures_start(void **state)
{
	(void)state;
	/* Order 1 takes 2 pages of space: 8 -> 6 -> 4 -> 2, then 2 is not more than 2. */
	assert_int_equal(kmm_init("mem=64M fail_page_alloc=1,100,8,-1 fail_page_alloc.verbose=0"),
			 0);
	assert_string_equal(pattern(GFP_ATOMIC, 1, 6), "oooxxx");
	kmm_exit();
}

static void test_probability_is_a_percentage(void **state)
{
	int i, failed = 0;

	(void)state;
	assert_int_equal(kmm_init("mem=64M fail_page_alloc=1,30,0,-1 fail_page_alloc.verbose=0"),
			 0);
	for (i = 0; i < 2000; i++)
		failed += !page_ok(GFP_ATOMIC, 1);
	/* 600 expected; 6 standard deviations either side. */
	assert_in_range(failed, 480, 720);
	kmm_exit();
}

static void test_gfp_nofail_is_never_failed(void **state)
{
	(void)state;
	assert_int_equal(kmm_init("mem=64M fail_page_alloc=1,100,0,-1 fail_page_alloc.verbose=0"),
			 0);
	/* Set after boot here; at boot they would do the same (the boot is never failed). */
	assert_int_equal(kmm_fault_attr_set("fail_page_alloc", "ignore-gfp-wait", "0"), 0);
	assert_int_equal(kmm_fault_attr_set("fail_page_alloc", "min-order", "0"), 0);
	assert_string_equal(pattern(GFP_KERNEL | __GFP_NOFAIL, 0, 5), "ooooo");
	assert_string_equal(pattern(GFP_ATOMIC | __GFP_NOFAIL, 3, 5), "ooooo");
	assert_string_equal(pattern(GFP_KERNEL, 0, 5), "xxxxx");
	kmm_exit();
}

static void test_filters_min_order_gfp_wait_and_highmem(void **state)
{
	(void)state;
	assert_int_equal(kmm_init("mem=64M fail_page_alloc=1,100,0,-1 fail_page_alloc.verbose=0"),
			 0);
	/* Defaults: order 0, sleeping allocations and __GFP_HIGHMEM are left alone. */
	assert_string_equal(pattern(GFP_ATOMIC, 0, 3), "ooo");
	assert_string_equal(pattern(GFP_KERNEL, 2, 3), "ooo");
	assert_string_equal(pattern(GFP_ATOMIC | __GFP_HIGHMEM, 2, 3), "ooo");
	assert_string_equal(pattern(GFP_ATOMIC, 2, 3), "xxx");
	assert_int_equal(kmm_fault_attr_set("fail_page_alloc", "min-order", "3"), 0);
	assert_string_equal(pattern(GFP_ATOMIC, 2, 3), "ooo");
	assert_string_equal(pattern(GFP_ATOMIC, 3, 3), "xxx");
	assert_int_equal(kmm_fault_attr_set("fail_page_alloc", "ignore-gfp-wait", "N"), 0);
	assert_string_equal(pattern(GFP_KERNEL, 3, 3), "xxx");
	assert_int_equal(kmm_fault_attr_set("fail_page_alloc", "ignore_gfp_highmem", "n"), 0);
	assert_string_equal(pattern(GFP_ATOMIC | __GFP_HIGHMEM, 3, 3), "xxx");
	kmm_exit();
}

static void test_run_time_change_reaches_the_per_cpu_fast_path(void **state)
{
	struct kmm_fault_attr a;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	/* Warm the per-CPU lists: order-1 blocks wait there for the fast path. */
	assert_string_equal(pattern(GFP_ATOMIC, 1, 4), "oooo");
	assert_int_equal(kmm_fault_attr_set("fail_page_alloc", "verbose", "0"), 0);
	assert_int_equal(kmm_fault_attr_set("fail_page_alloc", "times", "-1"), 0);
	assert_int_equal(kmm_fault_attr_set("fail_page_alloc", "probability", "100"), 0);
	assert_string_equal(pattern(GFP_ATOMIC, 1, 4), "xxxx");
	assert_int_equal(kmm_fault_attr_set("fail_page_alloc", "interval", "2"), 0);
	assert_string_equal(pattern(GFP_ATOMIC, 1, 4), "oxox");
	assert_int_equal(kmm_fault_attr_get("fail_page_alloc", &a), 0);
	assert_int_equal(a.interval, 2);
	assert_int_equal(a.count, 4);
	assert_int_equal(kmm_fault_attr_set("fail_page_alloc", "probability", "0"), 0);
	assert_string_equal(pattern(GFP_ATOMIC, 1, 4), "oooo");
	/* Bad names and values change nothing. */
	assert_int_equal(kmm_fault_attr_set("fail_page_alloc", "colour", "1"), -ENOENT);
	assert_int_equal(kmm_fault_attr_set("failslab", "min-order", "1"), -ENOENT);
	assert_int_equal(kmm_fault_attr_set("fail_page_alloc", "probability", "101"), -EINVAL);
	assert_int_equal(kmm_fault_attr_set("fail_page_alloc", "interval", "0"), -EINVAL);
	assert_int_equal(kmm_fault_attr_set("fail_page_alloc", "times", "many"), -EINVAL);
	assert_int_equal(kmm_fault_attr_get("fail_page_alloc", &a), 0);
	assert_int_equal(a.probability, 0);
	assert_int_equal(a.times, -1);
	kmm_exit();
}

struct race {
	int failed;
};

static void *race_thread(void *arg)
{
	struct race *r = arg;
	int i, failed = 0;

	for (i = 0; i < 2000; i++)
		failed += !page_ok(GFP_ATOMIC, 1);
	__atomic_fetch_add(&r->failed, failed, __ATOMIC_RELAXED);
	return NULL;
}

static void test_times_is_exact_across_threads(void **state)
{
	struct race r = {0};
	pthread_t t[4];
	int i;

	(void)state;
	assert_int_equal(kmm_init("mem=64M fail_page_alloc=1,100,0,300 fail_page_alloc.verbose=0"),
			 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, race_thread, &r), 0);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(r.failed, 300);
	kmm_exit();
}

static void test_verbose_reports_each_injected_failure(void **state)
{
	struct capture c;

	(void)state;
	assert_int_equal(kmm_init("mem=64M fail_page_alloc=1,100,0,-1"), 0);
	/* verbose=2 (the default): the notice, the attributes and the call trace. */
	capture_begin(&c);
	assert_null(alloc_pages(GFP_ATOMIC, 1));
	capture_end(&c);
	assert_non_null(strstr(c.text,
			       "FAULT_INJECTION: forcing a failure.\n"
			       "name fail_page_alloc, interval 1, probability 100, space 0, "
			       "times -1\n"));
	assert_non_null(strstr(c.text, "Call Trace:\n"));
	/* An injected failure is not an allocation failure report. */
	assert_null(strstr(c.text, "page allocation failure"));
	/* verbose=1: the two lines only. */
	assert_int_equal(kmm_fault_attr_set("fail_page_alloc", "verbose", "1"), 0);
	capture_begin(&c);
	assert_null(alloc_pages(GFP_ATOMIC, 1));
	capture_end(&c);
	assert_string_equal(c.text, "FAULT_INJECTION: forcing a failure.\n"
				    "name fail_page_alloc, interval 1, probability 100, space 0, "
				    "times -1\n");
	/* __GFP_NOWARN and verbose=0: silent. */
	capture_begin(&c);
	assert_null(alloc_pages(GFP_ATOMIC | __GFP_NOWARN, 1));
	assert_int_equal(kmm_fault_attr_set("fail_page_alloc", "verbose", "0"), 0);
	assert_null(alloc_pages(GFP_ATOMIC, 1));
	capture_end(&c);
	assert_string_equal(c.text, "");
	kmm_exit();
}

static void test_verbose_ratelimit(void **state)
{
	struct capture c;
	int i;

	(void)state;
	assert_int_equal(kmm_init("mem=64M fail_page_alloc=1,100,0,-1 fail_page_alloc.verbose=1"),
			 0);
	assert_int_equal(
		kmm_fault_attr_set("fail_page_alloc", "verbose_ratelimit_interval_ms", "100000"),
		0);
	assert_int_equal(kmm_fault_attr_set("fail_page_alloc", "verbose_ratelimit_burst", "3"), 0);
	capture_begin(&c);
	for (i = 0; i < 10; i++)
		assert_null(alloc_pages(GFP_ATOMIC, 1));
	capture_end(&c);
	assert_int_equal(count_lines(c.text), 3 * 2);
	kmm_exit();
}

static void test_failslab_fails_slab_allocations(void **state)
{
	struct kmem_cache *s;
	void *obj;
	int i;

	(void)state;
	assert_int_equal(kmm_init("mem=64M failslab=1,100,0,3 failslab.verbose=0"), 0);
	s = kmem_cache_create("failme", 100, 0, 0, NULL);
	assert_non_null(s);
	/* Sleeping allocations are ignored by default. */
	obj = kmem_cache_alloc(s, GFP_KERNEL);
	assert_non_null(obj);
	kmem_cache_free(s, obj);
	for (i = 0; i < 3; i++)
		assert_null(kmem_cache_alloc(s, GFP_ATOMIC));
	obj = kmem_cache_alloc(s, GFP_ATOMIC);
	assert_non_null(obj);
	kmem_cache_free(s, obj);
	assert_int_equal(kmm_fault_attr_set("failslab", "times", "-1"), 0);
	assert_null(kmalloc(64, GFP_ATOMIC));
	obj = kmem_cache_alloc(s, GFP_ATOMIC | __GFP_NOFAIL);
	assert_non_null(obj);
	kmem_cache_free(s, obj);
	assert_int_equal(kmm_fault_attr_set("failslab", "probability", "0"), 0);
	obj = kmem_cache_alloc(s, GFP_ATOMIC);
	assert_non_null(obj);
	kmem_cache_free(s, obj);
	kmem_cache_destroy(s);
	kmm_exit();
}

/* The slabinfo active_objs of cache @name (objects not free in its slabs: arrays count). */
static unsigned long slab_active_objs(const char *name)
{
	static char buf[1 << 16];
	char key[80];
	const char *line;
	unsigned long active = 0;

	snprintf(key, sizeof(key), "\n%s ", name);
	line = strstr(show_to_string("slabinfo", buf, sizeof(buf)), key);
	assert_non_null(line);
	assert_int_equal(sscanf(line + strlen(key), " %lu", &active), 1);
	return active;
}

/* failslab for every candidate from now on, quietly. */
static void failslab_always(void)
{
	assert_int_equal(kmm_fault_attr_set("failslab", "verbose", "0"), 0);
	assert_int_equal(kmm_fault_attr_set("failslab", "times", "-1"), 0);
	assert_int_equal(kmm_fault_attr_set("failslab", "probability", "100"), 0);
}

static void test_cache_filter_fails_the_flagged_caches_only(void **state)
{
	struct kmem_cache *victim, *bystander;
	struct kmm_fault_attr a;
	void *obj;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	assert_int_equal(kmm_fault_attr_get("failslab", &a), 0);
	assert_false(a.cache_filter); /* the kernel's default */
	victim = kmem_cache_create("victim", 128, 0, 0, NULL);
	bystander = kmem_cache_create("bystander", 128, 0, 0, NULL);
	assert_int_equal(kmem_cache_attr_set(victim, "failslab", "1"), 0);
	assert_int_equal(kmm_fault_attr_set("failslab", "cache-filter", "Y"), 0);
	assert_int_equal(kmm_fault_attr_get("failslab", &a), 0);
	assert_true(a.cache_filter);
	assert_int_equal(kmm_fault_attr_set("fail_page_alloc", "cache-filter", "Y"), -ENOENT);
	assert_int_equal(kmm_fault_attr_set("failslab", "cache-filter", "maybe"), -EINVAL);
	failslab_always();
	assert_null(kmem_cache_alloc(victim, GFP_ATOMIC));
	obj = kmem_cache_alloc(bystander, GFP_ATOMIC);
	assert_non_null(obj);
	kmem_cache_free(bystander, obj);
	obj = kmalloc(128, GFP_ATOMIC);
	assert_non_null(obj);
	kfree(obj);
	/* the attribute written at run time: the bystander becomes a candidate, the victim not */
	assert_int_equal(kmem_cache_attr_set(bystander, "failslab", "1"), 0);
	assert_int_equal(kmem_cache_attr_set(victim, "failslab", "0"), 0);
	assert_null(kmem_cache_alloc(bystander, GFP_ATOMIC));
	obj = kmem_cache_alloc(victim, GFP_ATOMIC);
	assert_non_null(obj);
	kmem_cache_free(victim, obj);
	/* cache-filter off: every cache is a candidate again */
	assert_int_equal(kmm_fault_attr_set("failslab", "cache-filter", "N"), 0);
	assert_null(kmem_cache_alloc(victim, GFP_ATOMIC));
	assert_null(kmalloc(128, GFP_ATOMIC));
	assert_int_equal(kmm_fault_attr_set("failslab", "probability", "0"), 0);
	kmem_cache_destroy(victim);
	kmem_cache_destroy(bystander);
	kmm_exit();
}

/* space = N * size + 1 lets exactly N allocations of the cache succeed, the next fails. */
static void test_space_lets_n_allocations_succeed_then_fail(void **state)
{
	struct kmem_cache *victim, *bystander;
	void *objs[8], *other;
	char space[16];
	int n, i;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	victim = kmem_cache_create("victim", 100, 0, 0, NULL);
	bystander = kmem_cache_create("bystander", 100, 0, 0, NULL);
	assert_int_equal(kmem_cache_attr_set(victim, "failslab", "1"), 0);
	assert_int_equal(kmm_fault_attr_set("failslab", "cache-filter", "Y"), 0);
	assert_int_equal(kmm_fault_attr_set("failslab", "verbose", "0"), 0);
	for (n = 0; n <= 5; n++) {
		snprintf(space, sizeof(space), "%u", n * kmem_cache_size(victim) + 1);
		assert_int_equal(kmm_fault_attr_set("failslab", "space", space), 0);
		assert_int_equal(kmm_fault_attr_set("failslab", "times", "1"), 0);
		assert_int_equal(kmm_fault_attr_set("failslab", "probability", "100"), 0);
		for (i = 0; i < n; i++) {
			objs[i] = kmem_cache_alloc(victim, GFP_ATOMIC);
			assert_non_null(objs[i]);
			/* other caches are no candidates: they use no space up */
			other = kmem_cache_alloc(bystander, GFP_ATOMIC);
			assert_non_null(other);
			kmem_cache_free(bystander, other);
		}
		assert_null(kmem_cache_alloc(victim, GFP_ATOMIC));
		/* times 1: that was the one failure */
		objs[n] = kmem_cache_alloc(victim, GFP_ATOMIC);
		assert_non_null(objs[n]);
		for (i = 0; i <= n; i++)
			kmem_cache_free(victim, objs[i]);
	}
	/* space N * size is used up by N - 1: the Nth fails */
	snprintf(space, sizeof(space), "%u", 3 * kmem_cache_size(victim));
	assert_int_equal(kmm_fault_attr_set("failslab", "space", space), 0);
	assert_int_equal(kmm_fault_attr_set("failslab", "times", "1"), 0);
	objs[0] = kmem_cache_alloc(victim, GFP_ATOMIC);
	objs[1] = kmem_cache_alloc(victim, GFP_ATOMIC);
	assert_non_null(objs[0]);
	assert_non_null(objs[1]);
	assert_null(kmem_cache_alloc(victim, GFP_ATOMIC));
	kmem_cache_free(victim, objs[0]);
	kmem_cache_free(victim, objs[1]);
	assert_int_equal(kmm_fault_attr_set("failslab", "probability", "0"), 0);
	kmem_cache_destroy(victim);
	kmem_cache_destroy(bystander);
	kmm_exit();
}

/*
 * With cache-filter=Y the caches failslab cannot fail keep their per-CPU
 * arrays: an allocation refills the array (up to batchcount objects leave
 * the slabs: slabinfo's active_objs), where a candidate cache takes one
 * object straight from its slabs.
 */
static void test_filtered_out_caches_keep_their_fast_path(void **state)
{
	struct kmem_cache *victim, *bystander;
	void *v, *b;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	victim = kmem_cache_create("victim", 256, 0, 0, NULL);
	bystander = kmem_cache_create("bystander", 256, 0, 0, NULL);
	assert_int_equal(kmem_cache_attr_set(victim, "failslab", "1"), 0);
	assert_int_equal(kmm_fault_attr_set("failslab", "cache-filter", "Y"), 0);
	failslab_always();
	assert_int_equal(kmm_fault_attr_set("failslab", "times", "0"), 0); /* none fails */
	v = kmem_cache_alloc(victim, GFP_ATOMIC);
	b = kmem_cache_alloc(bystander, GFP_ATOMIC);
	assert_non_null(v);
	assert_non_null(b);
	assert_int_equal(slab_active_objs("victim"), 1);
	/* the refill took a slab's worth at least: more than the one handed out */
	assert_true(slab_active_objs("bystander") > 1);
	assert_true(victim->bypass_arrays);
	assert_false(bystander->bypass_arrays);
	kmem_cache_free(victim, v);
	kmem_cache_free(bystander, b);
	/* the bystander flagged at run time leaves its fast path at once (its array drained) */
	assert_int_equal(kmem_cache_attr_set(bystander, "failslab", "1"), 0);
	assert_true(bystander->bypass_arrays);
	assert_int_equal(slab_active_objs("bystander"), 0);
	/* and failslab off gives every cache its fast path back */
	assert_int_equal(kmm_fault_attr_set("failslab", "probability", "0"), 0);
	assert_false(victim->bypass_arrays);
	assert_false(bystander->bypass_arrays);
	kmem_cache_destroy(victim);
	kmem_cache_destroy(bystander);
	kmm_exit();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kmm_test(test_defaults_are_the_kernels),
		kmm_test(test_boot_parameters_and_knobs_are_parsed),
		kmm_test(test_malformed_boot_parameters_are_refused),
		kmm_test(test_times_limits_the_failures),
		kmm_test(test_interval_fails_every_nth_candidate),
		kmm_test(test_space_is_used_up_before_failures_start),
		kmm_test(test_probability_is_a_percentage),
		kmm_test(test_gfp_nofail_is_never_failed),
		kmm_test(test_filters_min_order_gfp_wait_and_highmem),
		kmm_test(test_run_time_change_reaches_the_per_cpu_fast_path),
		kmm_test(test_times_is_exact_across_threads),
		kmm_test(test_verbose_reports_each_injected_failure),
		kmm_test(test_verbose_ratelimit),
		kmm_test(test_failslab_fails_slab_allocations),
		kmm_test(test_cache_filter_fails_the_flagged_caches_only),
		kmm_test(test_space_lets_n_allocations_succeed_then_fail),
		kmm_test(test_filtered_out_caches_keep_their_fast_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
