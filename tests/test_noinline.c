/* SPDX-License-Identifier: MIT */
/*
 * test_noinline.c - libkmm's calls out of line, as code compiled against other
 * headers sees them: KMM_NO_INLINE keeps struct kmem_cache opaque (this file
 * even defines a struct kmem_cache of its own, as a kernel test harness does)
 * and every call that is inline elsewhere goes to the symbol libkmm exports
 * under its kernel name.  The results must be those of the inline calls.
 */
#define KMM_NO_INLINE
#include <kmm/kmm.h>
#include <kmm/slab.h>
#include <kmm/vmalloc.h>

#include "kmm_test.h"

/* A name that would clash if libkmm's headers defined struct kmem_cache here. */
struct kmem_cache {
	int harness_private;
};

static int setup(void **state)
{
	(void)state;
	return kmm_init("mem=64M") ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	kmm_exit();
	return 0;
}

static void cache_calls_are_exported_symbols(void **state)
{
	struct kmem_cache *s = kmem_cache_create("noinline", 40, 0, SLAB_HWCACHE_ALIGN, NULL);
	unsigned char *a, *z;
	size_t i;

	(void)state;
	assert_non_null(s);
	a = kmem_cache_alloc(s, GFP_KERNEL);
	z = kmem_cache_zalloc(s, GFP_KERNEL);
	assert_non_null(a);
	assert_non_null(z);
	for (i = 0; i < 40; i++)
		assert_int_equal(z[i], 0);
	assert_int_equal(kmem_cache_live_objects(s), 2);
	kmem_cache_free(s, a);
	kmem_cache_free(s, z);
	assert_int_equal(kmem_cache_live_objects(s), 0);
	kmem_cache_destroy(s);
}

static void kmalloc_calls_are_exported_symbols(void **state)
{
	unsigned long before = kmm_live_objects();
	char *p = kmalloc(100, GFP_KERNEL);
	int *z = kcalloc(16, sizeof(int), GFP_KERNEL);
	void *n = kmalloc_node(64, GFP_KERNEL, 0);
	int i;

	(void)state;
	assert_non_null(p);
	assert_non_null(z);
	assert_non_null(n);
	assert_int_equal(ksize(p), 128);
	for (i = 0; i < 16; i++)
		assert_int_equal(z[i], 0);
	assert_null(kmalloc_array(SIZE_MAX / 2, 4, GFP_KERNEL));
	assert_int_equal(kmm_live_objects(), before + 3);
	kfree(p);
	kfree(z);
	kfree(n);
	kfree(NULL);
	assert_int_equal(kmm_live_objects(), before);
}

static void kvmalloc_calls_are_exported_symbols(void **state)
{
	void *small = kvmalloc(64, GFP_KERNEL);
	void *big = kvzalloc(8 << 20, GFP_KERNEL);

	(void)state;
	assert_non_null(small);
	assert_non_null(big);
	assert_false(is_vmalloc_addr(small));
	assert_true(is_vmalloc_addr(big));
	kvfree(small);
	kvfree(big);
}

static void a_bad_free_is_refused_out_of_line_too(void **state)
{
	struct capture c;
	int on_stack;

	(void)state;
	capture_begin(&c);
	kfree(&on_stack);
	assert_non_null(strstr(capture_end(&c), "kfree"));
	assert_int_equal(kmm_validate_all(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cache_calls_are_exported_symbols),
		cmocka_unit_test(kmalloc_calls_are_exported_symbols),
		cmocka_unit_test(kvmalloc_calls_are_exported_symbols),
		cmocka_unit_test(a_bad_free_is_refused_out_of_line_too),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
