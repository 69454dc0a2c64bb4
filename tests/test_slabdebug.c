/* SPDX-License-Identifier: MIT */
/*
 * test_slabdebug.c - slab debugging: slub_debug= letters and cache lists, the
 * SLAB_* debug flags, red zones, poison, tracks, traces, every double free,
 * validation, init_on_alloc/init_on_free, and the AddressSanitizer and
 * Valgrind integrations.
 */
#include <kmm/kmm.h>
#include <kmm/poison.h>
#include <kmm/slab.h>

#include "kmm_test.h"

static void boot(const char *cmdline)
{
	assert_int_equal(kmm_init(cmdline), 0);
}

/* The slabinfo line of @name, or NULL. */
static const char *slabinfo_line(const char *name, char *buf, size_t len)
{
	char key[80];
	const char *p;

	show_to_string("slabinfo", buf, len);
	snprintf(key, sizeof(key), "\n%s ", name);
	p = strstr(buf, key);
	return p ? p + 1 : NULL;
}

/* The <objsize> column of @name in slabinfo. */
static unsigned int slabinfo_objsize(const char *name)
{
	static char buf[1 << 15];
	const char *line = slabinfo_line(name, buf, sizeof(buf));
	unsigned long active, num;
	unsigned int size = 0;
	char n[64];

	assert_non_null(line);
	assert_int_equal(sscanf(line, "%63s %lu %lu %u", n, &active, &num, &size), 4);
	return size;
}

static bool all_bytes(const unsigned char *p, unsigned char v, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != v)
			return false;
	return true;
}

static void test_slub_debug_all_lays_out_red_zones_and_tracks(void **state)
{
	(void)state;
	boot("mem=64M");
	assert_int_equal(slabinfo_objsize("kmalloc-64"), 64);
	assert_int_equal(slabinfo_objsize("kmalloc-96"), 96);
	kmm_exit();
	/*
	 * kmalloc-64's objects are aligned to 64, so its left red zone is 64
	 * bytes; then 64 + 8 of right red zone + two 80-byte tracks + the size
	 * asked for (8), rounded up to 64.  kmalloc-96 is aligned to 8.
	 */
	boot("mem=64M slub_debug");
	assert_int_equal(slabinfo_objsize("kmalloc-64"), 320);
	assert_int_equal(slabinfo_objsize("kmalloc-96"), 280);
	kmm_exit();
	boot("mem=64M slub_debug=Z");
	assert_int_equal(slabinfo_objsize("kmalloc-64"), 192);
	assert_int_equal(slabinfo_objsize("kmalloc-96"), 120);
}

static void test_named_caches_and_prefixes_choose_which_caches_debug(void **state)
{
	struct kmem_cache *foo, *bar;

	(void)state;
	boot("mem=64M slub_debug=Z,foo,kmalloc-1*");
	foo = kmem_cache_create("foo", 40, 0, 0, NULL);
	bar = kmem_cache_create("bar", 40, 0, 0, NULL);
	assert_true(foo->flags & SLAB_RED_ZONE);
	assert_false(bar->flags & SLAB_RED_ZONE);
	assert_true(kmm_kmalloc_caches[KMALLOC_NORMAL][kmalloc_index(128)]->flags & SLAB_RED_ZONE);
	assert_true(kmm_kmalloc_caches[KMALLOC_NORMAL][kmalloc_index(16)]->flags & SLAB_RED_ZONE);
	assert_false(kmm_kmalloc_caches[KMALLOC_NORMAL][kmalloc_index(64)]->flags & SLAB_RED_ZONE);
	kmem_cache_destroy(foo);
	kmem_cache_destroy(bar);
	kmm_exit();
	/* a global block, then one that switches debugging off for one cache */
	boot("mem=64M slub_debug=FP;-,kmalloc-64");
	assert_true(kmm_kmalloc_caches[KMALLOC_NORMAL][kmalloc_index(32)]->flags & SLAB_POISON);
	assert_false(kmm_kmalloc_caches[KMALLOC_NORMAL][kmalloc_index(64)]->flags & SLAB_POISON);
}

static void test_unknown_letters_are_skipped_with_a_notice(void **state)
{
	struct capture c;

	(void)state;
	capture_begin(&c);
	boot("mem=64M slub_debug=FQ");
	capture_end(&c);
	assert_non_null(strstr(c.text, "slub_debug option 'Q' unknown. skipped"));
	assert_true(kmm_kmalloc_caches[KMALLOC_NORMAL][1]->flags & SLAB_CONSISTENCY_CHECKS);
}

static void test_right_red_zone_overwrite_is_reported_and_restored(void **state)
{
	struct capture c;
	unsigned char *p;

	(void)state;
	boot("mem=64M slub_debug=FZ");
	p = kmalloc(64, GFP_KERNEL);
	assert_non_null(p);
	p[64] = 0x11;
	p[66] = 0x22;
	capture_begin(&c);
	kfree(p);
	capture_end(&c);
	assert_non_null(strstr(c.text, "BUG kmalloc-64 (Not tainted): Redzone overwritten"));
	assert_non_null(strstr(c.text, "@offset=64. First byte 0x11 instead of 0xcc"));
	assert_non_null(strstr(c.text, "Object   "));
	assert_non_null(strstr(c.text, "FIX kmalloc-64: Restoring Redzone"));
	/* the free went ahead, the bytes were put back: nothing left to find */
	assert_int_equal(kmm_validate_all(), 0);
	assert_ptr_equal(kmalloc(64, GFP_KERNEL), p);
}

static void test_kmalloc_red_zone_guards_the_bytes_not_asked_for(void **state)
{
	struct capture c;
	unsigned char *p;

	(void)state;
	boot("mem=64M slub_debug=Z,kmalloc-32");
	p = kmalloc(24, GFP_KERNEL);
	asan_allow(p + 24, 1);
	p[24] = 0x77; /* inside kmalloc-32's object, beyond the 24 bytes asked for */
	capture_begin(&c);
	kfree(p);
	capture_end(&c);
	assert_non_null(
		strstr(c.text, "BUG kmalloc-32 (Not tainted): kmalloc Redzone overwritten"));
	assert_non_null(strstr(c.text, "@offset=24. First byte 0x77 instead of 0xcc"));
	assert_int_equal(kmm_validate_all(), 0);
	/* ksize() hands out the whole object: then all 32 bytes are the caller's */
	p = kmalloc(24, GFP_KERNEL);
	assert_int_equal(ksize(p), 32);
	p[31] = 1;
	capture_begin(&c);
	kfree(p);
	capture_end(&c);
	assert_string_equal(c.text, "");
	/* kzalloc zeroes what was asked for and leaves the red zone */
	p = kzalloc(20, GFP_KERNEL);
	asan_allow(p + 20, 12);
	assert_true(all_bytes(p, 0, 20));
	assert_true(all_bytes(p + 20, SLUB_RED_ACTIVE, 12));
	kfree(p);
}

static void test_left_red_zone_overwrite_is_reported(void **state)
{
	struct kmem_cache *s;
	struct capture c;
	unsigned char *p;

	(void)state;
	boot("mem=64M");
	/* the SLAB_* flag turns it on for one cache, without slub_debug= */
	s = kmem_cache_create("lefty", 100, 0, SLAB_RED_ZONE, NULL);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	p[-3] = 0;
	capture_begin(&c);
	kmem_cache_free(s, p);
	capture_end(&c);
	assert_non_null(strstr(c.text, "BUG lefty (Not tainted): Left Redzone overwritten"));
	assert_non_null(strstr(c.text, "First byte 0x0 instead of 0xcc"));
	assert_non_null(strstr(c.text, "FIX lefty: Restoring Left Redzone"));
	kmem_cache_destroy(s);
	assert_int_equal(kmm_validate_all(), 0);
}

static void test_write_after_free_is_found_by_the_next_allocation(void **state)
{
	struct capture c;
	unsigned char *p, *q;

	(void)state;
	boot("mem=64M slub_debug=P");
	p = kmalloc(128, GFP_KERNEL);
	kfree(p);
	/* the freed object is poisoned; write into it behind the allocator's back */
	asan_allow(p, 128);
	assert_true(all_bytes(p, POISON_FREE, 127));
	assert_int_equal(p[127], POISON_END);
	p[5] = 0x42;
	capture_begin(&c);
	q = kmalloc(128, GFP_KERNEL);
	capture_end(&c);
	assert_ptr_equal(q, p);
	assert_non_null(strstr(c.text, "BUG kmalloc-128 (Not tainted): Poison overwritten"));
	assert_non_null(strstr(c.text, "@offset=5. First byte 0x42 instead of 0x6b"));
	assert_non_null(strstr(c.text, "FIX kmalloc-128: Restoring Poison"));
	/* handed out as the kernel does: still poisoned, so uninitialised bytes read 0x6b */
	assert_int_equal(q[5], POISON_FREE);
	kfree(q);
}

static void test_every_double_free_is_caught_not_only_the_last(void **state)
{
	struct kmem_cache *s;
	struct capture c;
	void *a, *b, *x, *y, *z;

	(void)state;
	boot("mem=64M slub_debug=F");
	s = kmem_cache_create("twice", 48, 0, 0, NULL);
	a = kmem_cache_alloc(s, GFP_KERNEL);
	b = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_free(s, a);
	kmem_cache_free(s, b);
	capture_begin(&c);
	kmem_cache_free(s, a);
	capture_end(&c);
	assert_non_null(strstr(c.text, "BUG twice (Not tainted): Object already free"));
	assert_non_null(strstr(c.text, "FIX twice: kmem_cache_free("));
	assert_non_null(strstr(c.text, "not freed"));
	/* the freelist holds each object once: three allocations, three objects */
	x = kmem_cache_alloc(s, GFP_KERNEL);
	y = kmem_cache_alloc(s, GFP_KERNEL);
	z = kmem_cache_alloc(s, GFP_KERNEL);
	assert_true(x != y && y != z && x != z);
	assert_int_equal(kmem_cache_validate(s), 0);
	kmem_cache_free(s, x);
	kmem_cache_free(s, y);
	kmem_cache_free(s, z);
	kmem_cache_destroy(s);
}

/*
 * Named call sites for the tracks (exported: the tests link with -rdynamic);
 * the volatile keeps the compiler from turning the calls into jumps.
 */
__attribute__((noinline)) void *slabdebug_alloc_site(void)
{
	void *volatile p = kmalloc(32, GFP_KERNEL);

	return p;
}

__attribute__((noinline)) void slabdebug_free_site(void *p)
{
	volatile int after = 0;

	kfree(p);
	after++;
}

static void test_store_user_prints_who_allocated_and_freed(void **state)
{
	struct capture c;
	char *p;

	(void)state;
	boot("mem=64M slub_debug=FZPU,kmalloc-32");
	p = slabdebug_alloc_site();
	slabdebug_free_site(p);
	capture_begin(&c);
	slabdebug_free_site(p);
	capture_end(&c);
	assert_non_null(strstr(c.text, "Object already free"));
	assert_non_null(strstr(c.text, "Allocated in slabdebug_alloc_site+0x"));
	assert_non_null(strstr(c.text, "Freed in slabdebug_free_site+0x"));
	assert_non_null(strstr(c.text, " age="));
	assert_non_null(strstr(c.text, "Slab 0x"));
	assert_non_null(strstr(c.text, "Call Trace:"));
}

static void test_trace_prints_each_alloc_and_free_of_named_caches(void **state)
{
	struct capture c;
	void *p, *q;

	(void)state;
	boot("mem=64M slub_debug=T,kmalloc-256");
	capture_begin(&c);
	p = kmalloc(200, GFP_KERNEL);
	q = kmalloc(20, GFP_KERNEL);
	kfree(p);
	kfree(q);
	capture_end(&c);
	assert_non_null(strstr(c.text, "TRACE kmalloc-256 alloc 0x"));
	assert_non_null(strstr(c.text, "TRACE kmalloc-256 free 0x"));
	assert_null(strstr(c.text, "TRACE kmalloc-32"));
}

static void test_validate_finds_corruption_in_objects_in_use(void **state)
{
	struct capture c;
	unsigned char *p;

	(void)state;
	boot("mem=64M slub_debug=ZP");
	p = kmalloc(32, GFP_KERNEL);
	assert_int_equal(kmm_validate_all(), 0);
	p[33] = 7; /* the red zone begins right after the object */
	capture_begin(&c);
	assert_int_equal(kmm_validate_all(), 1);
	capture_end(&c);
	assert_non_null(strstr(c.text, "BUG kmalloc-32 (Not tainted): Redzone overwritten"));
	/* fixed up: a second pass is clean, and so is the free */
	assert_int_equal(kmm_validate_all(), 0);
	capture_begin(&c);
	kfree(p);
	capture_end(&c);
	assert_string_equal(c.text, "");
}

static void test_validate_checks_lists_of_caches_without_debugging(void **state)
{
	struct kmem_cache *s;
	void *objs[300];
	int i;

	(void)state;
	boot("mem=64M");
	s = kmem_cache_create("plain", 200, 0, 0, NULL);
	for (i = 0; i < 300; i++)
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
	for (i = 0; i < 300; i += 2)
		kmem_cache_free(s, objs[i]);
	kmm_drain_all();
	assert_int_equal(kmem_cache_validate(s), 0);
	assert_int_equal(kmm_validate_all(), 0);
	for (i = 1; i < 300; i += 2)
		kmem_cache_free(s, objs[i]);
	kmem_cache_destroy(s);
}

static void redzone_overwrite(void)
{
	unsigned char *p = kmalloc(8, GFP_KERNEL);

	p[8] = 1;
	kfree(p);
}

static void test_panic_on_warn_aborts_on_a_slab_bug(void **state)
{
	(void)state;
	assert_panic_on_warn_aborts("mem=64M slub_debug=Z", redzone_overwrite);
}

static int ctor_calls;

static void ctor_stamp(void *obj)
{
	memset(obj, 0x3c, 64);
	ctor_calls++;
}

static void test_poison_spares_constructed_objects(void **state)
{
	struct kmem_cache *s;
	unsigned char *p;

	(void)state;
	boot("mem=64M slub_debug=FZP");
	s = kmem_cache_create("made", 64, 0, 0, ctor_stamp);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	assert_true(all_bytes(p, 0x3c, 64));
	kmem_cache_free(s, p);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	assert_true(all_bytes(p, 0x3c, 64));
	kmem_cache_free(s, p);
	assert_int_equal(kmm_validate_all(), 0);
	kmem_cache_destroy(s);
}

static void test_init_on_alloc_and_init_on_free_zero_objects(void **state)
{
	unsigned char *p, *q;

	(void)state;
	boot("mem=64M init_on_alloc=1");
	p = kmalloc(100, GFP_KERNEL);
	memset(p, 0xff, 100);
	kfree(p);
	q = kmalloc(100, GFP_KERNEL);
	assert_ptr_equal(q, p);
	assert_true(all_bytes(q, 0, 100));
	kfree(q);
	kmm_exit();

	boot("mem=64M init_on_free=1");
	p = kmalloc(100, GFP_KERNEL);
	memset(p, 0xff, 100);
	kfree(p);
	asan_allow(p, 100);
	assert_true(all_bytes(p, 0, 100));
}

static void test_caches_that_bypass_arrays_catch_every_double_free(void **state)
{
	struct capture c;
	void *a, *b;

	(void)state;
	boot("mem=64M init_on_free=1");
	a = kmalloc(64, GFP_KERNEL);
	b = kmalloc(64, GFP_KERNEL);
	kfree(a);
	kfree(b);
	capture_begin(&c);
	kfree(a);
	capture_end(&c);
	assert_non_null(strstr(c.text, "kfree: kmalloc-64: double free"));
	assert_int_equal(count_lines(c.text), 1);
	assert_int_equal(kmm_validate_all(), 0);
}

/* The <active_objs> column of @name in slabinfo. */
static unsigned long slabinfo_active(const char *name)
{
	static char buf[1 << 15];
	const char *line = slabinfo_line(name, buf, sizeof(buf));
	unsigned long active = 0;
	char n[64];

	assert_non_null(line);
	assert_int_equal(sscanf(line, "%63s %lu", n, &active), 2);
	return active;
}

static void test_debug_caches_keep_no_cpu_arrays(void **state)
{
	struct kmem_cache *checked, *plain;
	void *p;

	(void)state;
	boot("mem=64M slub_debug=F,checked");
	checked = kmem_cache_create("checked", 64, 0, 0, NULL);
	plain = kmem_cache_create("plain", 64, 0, 0, NULL);
	p = kmem_cache_alloc(plain, GFP_KERNEL);
	kmem_cache_free(plain, p);
	/* a plain cache's refill took a batch into the CPU's array: all counted active */
	assert_true(slabinfo_active("plain") > 1);
	/* a debugging cache takes one object at a time */
	p = kmem_cache_alloc(checked, GFP_KERNEL);
	assert_int_equal(slabinfo_active("checked"), 1);
	kmem_cache_free(checked, p);
	/* a debugging cache's goes straight back to its slab */
	assert_int_equal(slabinfo_active("checked"), 0);
	kmem_cache_destroy(checked);
	kmem_cache_destroy(plain);
}

#ifdef KMM_ASAN
static int overflow_of_kmalloc(void *arg)
{
	volatile char *p;

	(void)arg;
	kmm_init("mem=64M");
	p = kmalloc(24, GFP_KERNEL);
	return p[24];
}

static int use_after_kfree(void *arg)
{
	volatile char *p;

	(void)arg;
	kmm_init("mem=64M");
	p = kmalloc(64, GFP_KERNEL);
	kfree((void *)p);
	return p[10];
}
#endif

#ifdef KMM_ASAN
/* The stderr of @fn run in a forked child (where ASan reports and aborts). */
static const char *asan_child_report(int (*fn)(void *arg))
{
	static char text[8192];
	char path[] = "/tmp/kmm-asan-XXXXXX";
	int fd = mkstemp(path), status;
	ssize_t n;
	pid_t pid;

	assert_true(fd >= 0);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		dup2(fd, 2);
		_exit(fn(NULL));
	}
	assert_true(waitpid(pid, &status, 0) == pid);
	n = pread(fd, text, sizeof(text) - 1, 0);
	text[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
	return text;
}
#endif

/*
 * ASan builds: a read of a freed kmalloc object, or of the bytes of a kmalloc
 * object beyond the size asked for, is an ASan report (use-after-poison).
 */
static void test_asan_reports_use_after_kfree_and_overflow(void **state)
{
	(void)state;
#ifdef KMM_ASAN
	const char *text = asan_child_report(use_after_kfree);

	assert_non_null(strstr(text, "AddressSanitizer: use-after-poison"));
	assert_non_null(strstr(text, "use_after_kfree"));
	text = asan_child_report(overflow_of_kmalloc);
	assert_non_null(strstr(text, "AddressSanitizer: use-after-poison"));
	assert_non_null(strstr(text, "overflow_of_kmalloc"));
#else
	skip();
#endif
}

/*
 * Leaks a kmalloc object: nothing points to it once this returns.  (Not the
 * first object of its slab: the slab's struct page holds that one's address.)
 */
__attribute__((noinline)) void valgrind_leak(void)
{
	unsigned char *volatile keep = kmalloc(200, GFP_KERNEL);
	unsigned char *volatile leak = kmalloc(200, GFP_KERNEL);

	leak[0] = 1;
	leak = NULL;
	kfree(keep);
}

/* The program the Valgrind test runs under memcheck (main()'s "valgrind" argument). */
static volatile int valgrind_sink; /* a conditional store to it is a real branch */

static int valgrind_program(void)
{
	volatile unsigned char *p;
	unsigned char *u;

	kmm_init("mem=32M");
	p = kmalloc(48, GFP_KERNEL);
	kfree((void *)p);
	if (p[3] == 1) /* use after free */
		valgrind_sink = 1;
	u = kmalloc(32, GFP_KERNEL);
	if (u[7] == 9) /* uninitialised */
		valgrind_sink = 2;
	kfree(u);
	valgrind_leak();
	return 0;
}

static void test_valgrind_memcheck_sees_slab_objects(void **state)
{
	char cmd[512], text[1 << 15] = "";
	size_t n;
	FILE *f;

	(void)state;
#ifdef KMM_ASAN
	skip();
#endif
	if (system("command -v valgrind >/dev/null 2>&1") != 0)
		skip();
	snprintf(cmd, sizeof(cmd),
		 "valgrind --leak-check=full --error-exitcode=0 /proc/%d/exe valgrind 2>&1",
		 (int)getpid());
	f = popen(cmd, "r");
	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	pclose(f);
	assert_non_null(strstr(text, "Invalid read of size 1"));
	assert_non_null(strstr(text, "Conditional jump or move depends on uninitialised value"));
	assert_non_null(strstr(text, "256 bytes in 1 blocks are definitely lost"));
	assert_non_null(strstr(text, "valgrind_program"));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		kmm_test(test_slub_debug_all_lays_out_red_zones_and_tracks),
		kmm_test(test_named_caches_and_prefixes_choose_which_caches_debug),
		kmm_test(test_unknown_letters_are_skipped_with_a_notice),
		kmm_one_cpu_test(test_right_red_zone_overwrite_is_reported_and_restored),
		kmm_test(test_kmalloc_red_zone_guards_the_bytes_not_asked_for),
		kmm_test(test_left_red_zone_overwrite_is_reported),
		kmm_one_cpu_test(test_write_after_free_is_found_by_the_next_allocation),
		kmm_test(test_every_double_free_is_caught_not_only_the_last),
		kmm_test(test_store_user_prints_who_allocated_and_freed),
		kmm_test(test_trace_prints_each_alloc_and_free_of_named_caches),
		kmm_test(test_validate_finds_corruption_in_objects_in_use),
		kmm_test(test_validate_checks_lists_of_caches_without_debugging),
		kmm_test(test_panic_on_warn_aborts_on_a_slab_bug),
		kmm_test(test_poison_spares_constructed_objects),
		kmm_one_cpu_test(test_init_on_alloc_and_init_on_free_zero_objects),
		kmm_test(test_caches_that_bypass_arrays_catch_every_double_free),
		kmm_test(test_debug_caches_keep_no_cpu_arrays),
		kmm_test(test_asan_reports_use_after_kfree_and_overflow),
		kmm_test(test_valgrind_memcheck_sees_slab_objects),
	};

	if (argc > 1 && !strcmp(argv[1], "valgrind"))
		return valgrind_program();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
