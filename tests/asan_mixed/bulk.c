/* SPDX-License-Identifier: MIT */
/*
 * An ASan program on the plain libkmm: objects from kmem_cache_alloc_bulk()
 * are usable and objects after kmem_cache_free_bulk() are poisoned, as with
 * the inline kmem_cache_alloc()/kmem_cache_free().  Built with KMM_NO_INLINE
 * too, where kmem_cache_alloc()/kmem_cache_free() are libkmm's exported
 * out-of-line calls, which must poison alike.  Each case runs in a forked
 * child whose stderr the parent reads: an ASan report ends the child.
 */
#include <kmm/kmm.h>
#include "kmm_test.h"

#ifndef KMM_ASAN
#error "this program must be built with -fsanitize=address"
#endif

enum { NR = 64, SIZE = 96 };

/* run_child - @fn in a forked child; its stderr into @out; its exit status (-1: killed). */
static int run_child(void (*fn)(void), char *out, size_t len)
{
	int fds[2], status;
	size_t used = 0;
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], 2);
		fn();
		_exit(0);
	}
	close(fds[1]);
	while (used + 1 < len && (n = read(fds[0], out + used, len - used - 1)) > 0)
		used += (size_t)n;
	out[used] = '\0';
	close(fds[0]);
	assert_true(waitpid(pid, &status, 0) == pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A new cache: its objects were never freed, so never poisoned. */
static struct kmem_cache *fresh_cache(void)
{
	struct kmem_cache *s;

	if (kmm_init("mem=64M"))
		_exit(3);
	s = kmem_cache_create("mixed", SIZE, 0, 0, NULL);
	if (!s)
		_exit(3);
	return s;
}

static struct kmem_cache *cache_with_freed_objects(void)
{
	struct kmem_cache *s = fresh_cache();
	void *objs[NR];
	int i;

	/* freed inline, poisoned by this program: they wait on the CPU's array */
	for (i = 0; i < NR; i++)
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
	for (i = 0; i < NR; i++)
		kmem_cache_free(s, objs[i]);
	return s;
}

static void write_bulk_objects(void)
{
	struct kmem_cache *s = cache_with_freed_objects();
	void *objs[NR];
	int i;

	if (kmem_cache_alloc_bulk(s, GFP_KERNEL, NR, objs) != NR)
		_exit(4);
	for (i = 0; i < NR; i++)
		memset(objs[i], i, SIZE);
	kmem_cache_free_bulk(s, NR, objs);
	/* zeroed ones too: the library zeroes them only once they are usable */
	if (kmem_cache_alloc_bulk(s, GFP_KERNEL | __GFP_ZERO, NR, objs) != NR)
		_exit(4);
	for (i = 0; i < NR; i++)
		if (((unsigned char *)objs[i])[SIZE - 1] != 0)
			_exit(5);
	kmem_cache_free_bulk(s, NR, objs);
}

/* freed - tell the parent that what follows is the use after free (a report before it is a bug). */
static void freed(void)
{
	static const char mark[] = "FREED\n";

	if (write(2, mark, sizeof(mark) - 1) < 0)
		_exit(6);
}

static void write_allocated_objects(void)
{
	struct kmem_cache *s = cache_with_freed_objects();
	void *objs[NR];
	int i;

	for (i = 0; i < NR; i++) {
		objs[i] = kmem_cache_alloc(s, i % 2 ? GFP_KERNEL : GFP_KERNEL | __GFP_ZERO);
		memset(objs[i], i, SIZE);
	}
	for (i = 0; i < NR; i++)
		kmem_cache_free(s, objs[i]);
}

static void use_after_bulk_free(void)
{
	struct kmem_cache *s = fresh_cache();
	void *objs[NR];
	int i;

	/* usable objects (the inline path unpoisons them in this program), freed in bulk */
	for (i = 0; i < NR; i++) {
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
		memset(objs[i], i, SIZE);
	}
	kmem_cache_free_bulk(s, NR, objs);
	freed();
	*(volatile char *)objs[NR / 2] = 1;
	_exit(0);
}

static void use_after_free(void)
{
	struct kmem_cache *s = cache_with_freed_objects();
	char *obj = kmem_cache_alloc(s, GFP_KERNEL);

	memset(obj, 1, SIZE);
	kmem_cache_free(s, obj);
	freed();
	*(volatile char *)obj = 1;
	_exit(0);
}

/* kmalloc()/kfree(): objects freed by this program first, then reused. */
static void *kmalloc_reused(void)
{
	void *objs[NR], *obj;
	int i;

	if (kmm_init("mem=64M"))
		_exit(3);
	for (i = 0; i < NR; i++) {
		objs[i] = kmalloc(SIZE, GFP_KERNEL);
		memset(objs[i], i, SIZE);
	}
	for (i = 0; i < NR; i++)
		kfree(objs[i]);
	obj = kmalloc(SIZE, GFP_KERNEL);
	memset(obj, 2, SIZE);
	return obj;
}

static void write_kmalloc_objects(void)
{
	kfree(kmalloc_reused());
}

static void use_after_kfree(void)
{
	char *obj = kmalloc_reused();

	kfree(obj);
	freed();
	*(volatile char *)obj = 1;
	_exit(0);
}

/* The child's output reports a use after free, and only after the free. */
static void assert_reported_after_the_free(const char *out)
{
	const char *mark = strstr(out, "FREED\n");

	assert_non_null(mark);
	assert_null(memmem(out, (size_t)(mark - out), "AddressSanitizer", 16));
	assert_non_null(strstr(mark, "ERROR: AddressSanitizer: use-after-poison"));
}

static void test_bulk_allocated_objects_are_writable(void **state)
{
	static char out[1 << 16];

	(void)state;
	assert_int_equal(run_child(write_bulk_objects, out, sizeof(out)), 0);
	assert_null(strstr(out, "AddressSanitizer"));
}

static void test_use_after_bulk_free_is_reported(void **state)
{
	static char out[1 << 16];

	(void)state;
	assert_int_not_equal(run_child(use_after_bulk_free, out, sizeof(out)), 0);
	assert_reported_after_the_free(out);
}

/* kmem_cache_alloc()/kmem_cache_free(): inline, or exported with KMM_NO_INLINE. */
static void test_allocated_objects_are_writable(void **state)
{
	static char out[1 << 16];

	(void)state;
	assert_int_equal(run_child(write_allocated_objects, out, sizeof(out)), 0);
	assert_null(strstr(out, "AddressSanitizer"));
}

static void test_use_after_free_is_reported(void **state)
{
	static char out[1 << 16];

	(void)state;
	assert_int_not_equal(run_child(use_after_free, out, sizeof(out)), 0);
	assert_reported_after_the_free(out);
}

static void test_kmalloc_objects_are_writable(void **state)
{
	static char out[1 << 16];

	(void)state;
	assert_int_equal(run_child(write_kmalloc_objects, out, sizeof(out)), 0);
	assert_null(strstr(out, "AddressSanitizer"));
}

static void test_use_after_kfree_is_reported(void **state)
{
	static char out[1 << 16];

	(void)state;
	assert_int_not_equal(run_child(use_after_kfree, out, sizeof(out)), 0);
	assert_reported_after_the_free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bulk_allocated_objects_are_writable),
		cmocka_unit_test(test_use_after_bulk_free_is_reported),
		cmocka_unit_test(test_allocated_objects_are_writable),
		cmocka_unit_test(test_use_after_free_is_reported),
		cmocka_unit_test(test_kmalloc_objects_are_writable),
		cmocka_unit_test(test_use_after_kfree_is_reported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
