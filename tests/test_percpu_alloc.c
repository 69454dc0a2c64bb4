/* SPDX-License-Identifier: MIT */
/*
 * The per-CPU allocator (<kmm/percpu_alloc.h>): alloc_percpu() gives every
 * possible CPU its own zeroed copy, per_cpu_ptr()/this_cpu_*() reach them, the
 * calling thread's copy follows its CPU id (threads beyond the host's CPUs
 * share units, atomically), free_percpu() refuses bad pointers, and meminfo's
 * Percpu: line shows the chunks.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
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
	for_each_possible_cpu(cpu) {
		struct counters *mine = per_cpu_ptr(c, cpu);

		assert_int_equal(mine->events, 0);
		assert_int_equal(mine->cpu_seen, 0);
		mine->events = cpu;
	}
	/* each copy is its own: writing one left the others alone */
	for_each_possible_cpu(cpu) {
		assert_int_equal(per_cpu_ptr(c, cpu)->events, cpu);
	}
	if (nr_cpu_ids > 1)
		assert_int_equal((unsigned long)per_cpu_ptr(c, 1) -
					 (unsigned long)per_cpu_ptr(c, 0),
				 PCPU_UNIT_SIZE);
	/* a CPU id beyond the possible ones uses the unit of its id modulo nr_cpu_ids */
	assert_ptr_equal(per_cpu_ptr(c, nr_cpu_ids + 1), per_cpu_ptr(c, 1 % nr_cpu_ids));
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
	for_each_possible_cpu(cpu) {
		*per_cpu_ptr(a, cpu) = -1;
	}
	free_percpu(a);
	b = alloc_percpu(long);
	assert_ptr_equal(b, a); /* first fit: the same area */
	for_each_possible_cpu(cpu) {
		assert_int_equal(*per_cpu_ptr(b, cpu), 0);
	}
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

enum { THREADS = 8, INCS = 100000 };

static pthread_barrier_t start_together;

static void *count_on_own_cpu(void *arg)
{
	struct counters __percpu *c = arg;
	int i;

	pthread_barrier_wait(&start_together);
	for (i = 0; i < INCS; i++)
		this_cpu_inc(c->events);
	this_cpu_write(c->cpu_seen, smp_processor_id() + 1);
	return NULL;
}

static void test_this_cpu_ops_touch_the_calling_cpus_copy(void **state)
{
	struct counters __percpu *c;
	pthread_t threads[THREADS];
	long total = 0;
	int i, cpu, seen = 0;

	cpu_set_t all;

	(void)state;
	/* the calling CPU stays the same across the checks below */
	pin_to_this_cpu(&all);
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
	assert_int_equal(this_cpu_xchg(c->cpu_seen, 5), 0);
	assert_int_equal(this_cpu_cmpxchg(c->cpu_seen, 4, 6), 5); /* no match: unchanged */
	assert_int_equal(this_cpu_cmpxchg(c->cpu_seen, 5, 0), 5);
	assert_int_equal(this_cpu_read(c->cpu_seen), 0);
	pthread_barrier_init(&start_together, NULL, THREADS);
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&threads[i], NULL, count_on_own_cpu, c), 0);
	for (i = 0; i < THREADS; i++)
		pthread_join(threads[i], NULL);
	pthread_barrier_destroy(&start_together);
	/*
	 * Nothing lost, though more threads than host CPUs share units: the sum
	 * over the possible CPUs (percpu_counter's) is every increment.
	 */
	for_each_possible_cpu(cpu) {
		int last = per_cpu_ptr(c, cpu)->cpu_seen;

		total += per_cpu_ptr(c, cpu)->events;
		seen += last != 0;
		if (last)
			assert_int_equal(kmm_pcpu_unit((unsigned int)last - 1), cpu);
	}
	assert_int_equal(total, 9 + THREADS * INCS);
	assert_true(seen >= 1);
	free_percpu(c);
	kmm_exit();
	unpin(&all);
}

static void test_this_cpu_is_the_cpu_the_thread_runs_on(void **state)
{
	cpu_set_t all;
	int __percpu *v;

	(void)state;
	pin_to_this_cpu(&all);
	assert_int_equal(kmm_init("mem=128M"), 0);
	assert_int_equal(smp_processor_id(), sched_getcpu() % (int)nr_cpu_ids);
	v = alloc_percpu(int);
	assert_non_null(v);
	this_cpu_write(*v, 42);
	assert_int_equal(*per_cpu_ptr(v, smp_processor_id()), 42);
	free_percpu(v);
	kmm_exit();
	unpin(&all);
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

/*
 * The kernel's test_vmalloc pcpu_alloc_test pattern: 35000 allocations of 1 to
 * PAGE_SIZE / 4 bytes aligned to 2 .. 2048, each CPU's copy written, then all
 * freed: every chunk but one goes back, and so does their memory.
 */
static void test_many_random_allocations_fit_and_go_back(void **state)
{
	enum { N = 35000 };
	static char __percpu *p[N];
	static unsigned short size[N];
	unsigned long free_before, used, seed = 1;
	int i, cpu;

	(void)state;
	assert_int_equal(kmm_init("mem=512M"), 0);
	free_before = drained_free();
	for (i = 0; i < N; i++) {
		size_t align;

		seed = seed * 6364136223846793005UL + 1442695040888963407UL;
		size[i] = (unsigned short)(1 + (seed >> 33) % (PAGE_SIZE / 4));
		align = (size_t)1 << (1 + (seed >> 20) % 11);
		p[i] = __alloc_percpu(size[i], align);
		assert_non_null(p[i]);
		assert_int_equal((unsigned long)p[i] % (align < 4 ? 4 : align), 0);
		for_each_possible_cpu(cpu) {
			memset(per_cpu_ptr(p[i], cpu), (char)i, size[i]);
		}
	}
	used = free_before - drained_free();
	assert_true(used > 1000); /* 35000 areas of ~1.5 KiB with padding, on each CPU */
	/* no area overlapped another: each still holds its own byte */
	for (i = 0; i < N; i++)
		for_each_possible_cpu(cpu) {
			assert_int_equal(per_cpu_ptr(p[i], cpu)[0], (char)i);
			assert_int_equal(per_cpu_ptr(p[i], cpu)[size[i] - 1], (char)i);
		}
	for (i = 0; i < N; i++)
		free_percpu(p[i]);
	assert_int_equal(meminfo_kb("Percpu"), (long)(PCPU_UNIT_SIZE * nr_cpu_ids / 1024));
	/* what is left is the last chunk, its descriptor and page tables */
	assert_true((free_before - dropped_free()) * 10 < used);
	kmm_exit();
}

/* After fork() the child has its own copy: the values of the fork, its own allocations. */
static void test_a_fork_child_has_its_own_copy(void **state)
{
	long __percpu *v;
	int status, cpu;
	pid_t pid;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	v = alloc_percpu(long);
	assert_non_null(v);
	for_each_possible_cpu(cpu)
		*per_cpu_ptr(v, cpu) = 41 + cpu;
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		long __percpu *w = alloc_percpu(long);
		bool ok = w && this_cpu_read(*w) == 0;

		for_each_possible_cpu(cpu) {
			ok = ok && *per_cpu_ptr(v, cpu) == 41 + cpu;
			*per_cpu_ptr(v, cpu) = 7;
		}
		free_percpu(w);
		free_percpu(v);
		_exit(ok ? 0 : 1);
	}
	assert_true(waitpid(pid, &status, 0) == pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* the child's writes and frees stayed in the child */
	for_each_possible_cpu(cpu)
		assert_int_equal(*per_cpu_ptr(v, cpu), 41 + cpu);
	free_percpu(v);
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
	free_percpu((char *)a + PCPU_UNIT_SIZE);
	free_percpu(a);
	free_percpu(a);
	out = capture_end(&cap);
	snprintf(text, sizeof(text),
		 "free_percpu: %p is no per-CPU allocation, refused\n"
		 "free_percpu: %p is inside a per-CPU allocation, not its start, refused\n"
		 "free_percpu: %p is no per-CPU allocation, refused\n"
		 "free_percpu: %p is not allocated (freed already?), refused\n",
		 (void *)&local, (void *)((char *)a + 4), (void *)((char *)a + PCPU_UNIT_SIZE),
		 (void *)a);
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
		kmm_test(test_this_cpu_is_the_cpu_the_thread_runs_on),
		kmm_test(test_chunks_show_in_meminfo_and_go_back),
		kmm_test(test_many_random_allocations_fit_and_go_back),
		kmm_test(test_a_fork_child_has_its_own_copy),
		kmm_test(test_bad_sizes_and_alignments_are_refused),
		kmm_test(test_bad_frees_are_reported_and_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
