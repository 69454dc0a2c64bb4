/* SPDX-License-Identifier: MIT */
/*
 * The per-CPU allocator (<kmm/percpu.h>): alloc_percpu() gives every possible
 * CPU its own zeroed copy, per_cpu_ptr()/this_cpu_*() reach them, the calling
 * thread's copy follows its CPU id, free_percpu() refuses bad pointers, and
 * meminfo's Percpu: line shows the chunks.
 */
#include <errno.h>
#include <pthread.h>
#include <kmm/kmm.h>
#include <kmm/linux/percpu.h>
#include "kmm_test.h"

struct counters {
	long events;
	int cpu_seen;
	char name[20];
};

static void test_every_possible_cpu_has_a_zeroed_copy(void **state)
{
	struct counters __percpu *c;
	int cpu;

	(void)state;
	assert_int_equal(kmm_init("mem=128M"), 0);
	c = alloc_percpu(struct counters);
	assert_non_null(c);
	for_each_possible_cpu(cpu)
	{
		struct counters *mine = per_cpu_ptr(c, cpu);

		assert_int_equal(mine->events, 0);
		assert_int_equal(mine->cpu_seen, 0);
		mine->events = cpu;
	}
	/* each copy is its own: writing one left the others alone */
	for_each_possible_cpu(cpu) assert_int_equal(per_cpu_ptr(c, cpu)->events, cpu);
	assert_true((unsigned long)per_cpu_ptr(c, 1) - (unsigned long)per_cpu_ptr(c, 0) >=
		    sizeof(struct counters));
	free_percpu(c);
	kmm_exit();
}

static void test_a_reused_area_is_zeroed_again(void **state)
{
	long __percpu *a, *b;
	int cpu;

	(void)state;
	assert_int_equal(kmm_init("mem=128M"), 0);
	a = alloc_percpu(long);
	assert_non_null(a);
	for_each_possible_cpu(cpu) * per_cpu_ptr(a, cpu) = -1;
	free_percpu(a);
	b = alloc_percpu(long);
	assert_ptr_equal(b, a); /* first fit: the same area */
	for_each_possible_cpu(cpu) assert_int_equal(*per_cpu_ptr(b, cpu), 0);
	free_percpu(b);
	kmm_exit();
}

static void test_allocations_do_not_overlap_and_keep_their_alignment(void **state)
{
	enum { N = 200 };
	char __percpu *p[N];
	int i, j;

	(void)state;
	assert_int_equal(kmm_init("mem=128M"), 0);
	for (i = 0; i < N; i++) {
		size_t size = 1 + (size_t)(i * 7) % 90, align = (size_t)1 << (i % 7);

		p[i] = __alloc_percpu(size, align);
		assert_non_null(p[i]);
		assert_int_equal((unsigned long)p[i] % (align < 4 ? 4 : align), 0);
		memset(this_cpu_ptr(p[i]), i, size);
	}
	for (i = 0; i < N; i++) {
		size_t size = 1 + (size_t)(i * 7) % 90;

		for (j = 0; j < (int)size; j++)
			assert_int_equal((unsigned char)this_cpu_ptr(p[i])[j], i);
	}
	for (i = 0; i < N; i += 2)
		free_percpu(p[i]);
	for (i = 1; i < N; i += 2)
		free_percpu(p[i]);
	kmm_exit();
}

static void *count_on_own_cpu(void *arg)
{
	struct counters __percpu *c = arg;
	int i;

	for (i = 0; i < 1000; i++)
		this_cpu_inc(c->events);
	this_cpu_write(c->cpu_seen, smp_processor_id() + 1);
	return NULL;
}

static void test_this_cpu_ops_touch_the_calling_cpus_copy(void **state)
{
	struct counters __percpu *c;
	pthread_t threads[4];
	long total = 0;
	int i, cpu, seen = 0;

	(void)state;
	assert_int_equal(kmm_init("mem=128M"), 0);
	c = alloc_percpu(struct counters);
	assert_non_null(c);
	this_cpu_add(c->events, 5);
	this_cpu_sub(c->events, 2);
	assert_int_equal(this_cpu_read(c->events), 3);
	assert_int_equal(per_cpu_ptr(c, smp_processor_id())->events, 3);
	assert_int_equal(this_cpu_add_return(c->events, 7), 10);
	this_cpu_dec(c->events);
	assert_int_equal(this_cpu_read(c->events), 9);
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&threads[i], NULL, count_on_own_cpu, c), 0);
	for (i = 0; i < 4; i++)
		pthread_join(threads[i], NULL);
	/* nothing lost: every thread counted on its own CPU's copy (the summing of percpu_counter) */
	for_each_possible_cpu(cpu)
	{
		total += per_cpu_ptr(c, cpu)->events;
		seen += per_cpu_ptr(c, cpu)->cpu_seen != 0;
		if (per_cpu_ptr(c, cpu)->cpu_seen)
			assert_int_equal(per_cpu_ptr(c, cpu)->cpu_seen, cpu + 1);
	}
	assert_int_equal(total, 9 + 4 * 1000);
	assert_true(seen >= 1);
	free_percpu(c);
	kmm_exit();
}

static void test_a_thread_without_a_cpu_yet_gets_one(void **state)
{
	int __percpu *v;

	(void)state;
	assert_int_equal(kmm_init("mem=128M"), 0);
	v = alloc_percpu(int);
	assert_non_null(v);
	/* the main thread may not have touched per-CPU data since the boot */
	this_cpu_write(*v, 42);
	assert_int_equal(*per_cpu_ptr(v, smp_processor_id()), 42);
	free_percpu(v);
	kmm_exit();
}

static void test_chunks_show_in_meminfo_and_go_back(void **state)
{
	enum { PER_CHUNK = PCPU_UNIT_SIZE / 1024 };
	void __percpu *p[PER_CHUNK + 1];
	long chunk_kb = (long)(PCPU_UNIT_SIZE * nr_cpu_ids / 1024);
	unsigned long free_before;
	int i;

	(void)state;
	assert_int_equal(kmm_init("mem=128M"), 0);
	assert_int_equal(meminfo_kb("Percpu"), 0);
	free_before = drained_free();
	for (i = 0; i < PER_CHUNK; i++)
		assert_non_null(p[i] = __alloc_percpu(1024, 8));
	assert_int_equal(meminfo_kb("Percpu"), chunk_kb);
	/* the chunk is full: one more makes a second */
	assert_non_null(p[PER_CHUNK] = __alloc_percpu(1024, 8));
	assert_int_equal(meminfo_kb("Percpu"), 2 * chunk_kb);
	/* an empty chunk goes back while another is left */
	free_percpu(p[PER_CHUNK]);
	assert_int_equal(meminfo_kb("Percpu"), chunk_kb);
	for (i = 0; i < PER_CHUNK; i++)
		free_percpu(p[i]);
	assert_int_equal(meminfo_kb("Percpu"), chunk_kb);
	assert_true(free_before - drained_free() >= (unsigned long)chunk_kb / 4);
	kmm_exit();
}

static void test_bad_sizes_and_alignments_are_refused(void **state)
{
	struct capture cap;
	const char *out;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	capture_begin(&cap);
	assert_null(__alloc_percpu(0, 4));
	assert_null(__alloc_percpu(PCPU_UNIT_SIZE + 1, 4));
	assert_null(__alloc_percpu(8, 12));
	assert_null(__alloc_percpu(8, 2 * 4096));
	assert_null(__alloc_percpu_gfp(0, 4, GFP_KERNEL | __GFP_NOWARN));
	out = capture_end(&cap);
	assert_int_equal(count_lines(out), 4);
	assert_non_null(strstr(out, "WARNING: percpu: illegal size (0) or align (4) for percpu "
				    "allocation\n"));
	assert_non_null(strstr(out, "illegal size (8) or align (12)"));
	/* the largest allocation is a whole unit */
	void __percpu *unit = __alloc_percpu(PCPU_UNIT_SIZE, 4096);

	assert_non_null(unit);
	free_percpu(unit);
	kmm_exit();
}

static void test_bad_frees_are_reported_and_refused(void **state)
{
	struct capture cap;
	const char *out;
	int local;
	long __percpu *a, *b;
	char text[512];

	(void)state;
	assert_int_equal(kmm_init("mem=128M"), 0);
	a = alloc_percpu(long);
	b = alloc_percpu(long);
	assert_non_null(a);
	assert_non_null(b);
	*per_cpu_ptr(b, 0) = 7;
	free_percpu(NULL);
	capture_begin(&cap);
	free_percpu(&local);
	free_percpu((char *)a + 4);
	free_percpu(per_cpu_ptr(a, 1));
	free_percpu(a);
	free_percpu(a);
	out = capture_end(&cap);
	snprintf(text, sizeof(text),
		 "free_percpu: %p is no per-CPU allocation, refused\n"
		 "free_percpu: %p is inside a per-CPU allocation, not its start, refused\n"
		 "free_percpu: %p is no per-CPU allocation, refused\n"
		 "free_percpu: %p is not allocated (freed already?), refused\n",
		 (void *)&local, (void *)((char *)a + 4), (void *)per_cpu_ptr(a, 1), (void *)a);
	assert_string_equal(out, text);
	/* the refused frees left the other allocation alone */
	assert_int_equal(*per_cpu_ptr(b, 0), 7);
	assert_ptr_equal(alloc_percpu(long), a);
	kmm_exit();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kmm_test(test_every_possible_cpu_has_a_zeroed_copy),
		kmm_test(test_a_reused_area_is_zeroed_again),
		kmm_test(test_allocations_do_not_overlap_and_keep_their_alignment),
		kmm_test(test_this_cpu_ops_touch_the_calling_cpus_copy),
		kmm_test(test_a_thread_without_a_cpu_yet_gets_one),
		kmm_test(test_chunks_show_in_meminfo_and_go_back),
		kmm_test(test_bad_sizes_and_alignments_are_refused),
		kmm_test(test_bad_frees_are_reported_and_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
