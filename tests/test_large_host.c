/* SPDX-License-Identifier: MIT */
/*
 * A host of NR_CPUS CPUs, as the machine sees it: this suite answers
 * sysconf(_SC_NPROCESSORS_CONF) itself, so the boot makes 256 CPUs whatever
 * the host has (the threads run on the host's few, which are CPUs 0.. of
 * them).  Each cache's descriptor then holds 256 CPU arrays, a cache line
 * each, and takes several pages: the descriptors' slabs pack them (an eighth
 * wasted at most), caches work, every check that a pointer is a live cache
 * still holds, and destroyed descriptors are kept and reused.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <kmm/kmm.h>
#include "kmm_test.h"

#define HOST_CPUS 256

long sysconf(int name)
{
	static long (*real)(int);

	if (name == _SC_NPROCESSORS_CONF)
		return HOST_CPUS;
	if (!real)
		real = (long (*)(int))dlsym(RTLD_NEXT, "sysconf");
	return real(name);
}

/* The "kmem_cache" line of slabinfo: objsize, objperslab and pagesperslab. */
static void descriptor_cache(unsigned int *objsize, unsigned int *per_slab, unsigned int *pages)
{
	static char buf[1 << 16];
	const char *line;

	show_to_string("slabinfo", buf, sizeof(buf));
	line = strstr(buf, "\nkmem_cache ");
	assert_non_null(line);
	assert_int_equal(sscanf(line, "\nkmem_cache %*u %*u %u %u %u", objsize, per_slab, pages),
			 3);
}

static void test_descriptors_of_256_cpus_span_pages(void **state)
{
	struct kmem_cache *s[8];
	unsigned int objsize, per_slab, pages;
	char name[16];
	void *obj;
	int i;

	(void)state;
	assert_int_equal(kmm_init("mem=256M"), 0);
	assert_int_equal(num_online_cpus(), HOST_CPUS);
	descriptor_cache(&objsize, &per_slab, &pages);
	assert_true(objsize >= HOST_CPUS * 64);
	/* larger than a page, and packed: an eighth of a slab wasted at most */
	assert_true(pages > 1);
	assert_true((unsigned long)per_slab * objsize * 8 >= (unsigned long)pages * PAGE_SIZE * 7);
	for (i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "big-host-%d", i);
		s[i] = kmem_cache_create(name, 64, 0, 0, NULL);
		assert_non_null(s[i]);
		obj = kmem_cache_alloc(s[i], GFP_KERNEL);
		assert_non_null(obj);
		kmem_cache_free(s[i], obj);
		assert_int_equal(kmem_cache_live_objects(s[i]), 0);
	}
	obj = kmalloc(100, GFP_KERNEL);
	assert_non_null(obj);
	kfree(obj);
	assert_int_equal(kmm_validate_all(), 0);
	for (i = 0; i < 8; i++)
		kmem_cache_destroy(s[i]);
	kmm_exit();
}

/* A pointer into a descriptor's later pages, or to a destroyed one, is no cache. */
static void test_pointers_that_are_no_cache_are_refused(void **state)
{
	struct kmem_cache *s, *again;
	struct capture c;
	const char *out;

	(void)state;
	assert_int_equal(kmm_init("mem=256M"), 0);
	s = kmem_cache_create("big-host", 64, 0, 0, NULL);
	assert_non_null(s);
	capture_begin(&c);
	assert_null(kmem_cache_alloc((struct kmem_cache *)((char *)s + 4 * PAGE_SIZE), GFP_KERNEL));
	kmem_cache_destroy(s);
	assert_null(kmem_cache_alloc(s, GFP_KERNEL));
	out = capture_end(&c);
	assert_non_null(strstr(out, "kmem_cache_alloc: "));
	assert_non_null(strstr(out, "was destroyed (it was big-host), refused"));
	/* the kept descriptor is the next cache's */
	again = kmem_cache_create("big-host-2", 64, 0, 0, NULL);
	assert_ptr_equal(again, s);
	kmem_cache_free(again, kmem_cache_alloc(again, GFP_KERNEL));
	kmem_cache_destroy(again);
	kmm_exit();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kmm_test(test_descriptors_of_256_cpus_span_pages),
		kmm_test(test_pointers_that_are_no_cache_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
