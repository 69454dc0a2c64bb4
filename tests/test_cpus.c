/* SPDX-License-Identifier: MIT */
/* The host's CPUs: per-CPU page lists, exact counts after draining, drains of idle threads' CPUs. */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>
#include <kmm/kmm.h>
#include "kmm_test.h"

/* Four threads churn pages of mixed orders, each page checked before it is freed. */
struct churn {
	unsigned int seed;
	int id;
	long errors;
};

static unsigned long pattern(int id, struct page *page)
{
	return ((unsigned long)id << 48) ^ page_to_pfn(page) ^ 0x5a5a5a5aUL;
}

static void *churn_main(void *arg)
{
	struct churn *c = arg;
	struct page *held[32] = {0};
	unsigned int orders[32] = {0};
	int i, round;

	for (round = 0; round < 20000; round++) {
		i = (int)(rand_r(&c->seed) % 32);
		if (held[i]) {
			unsigned long *p = page_address(held[i]), n;

			for (n = 0; n < (PAGE_SIZE << orders[i]) / sizeof(long); n += 512)
				if (p[n] != pattern(c->id, held[i]))
					c->errors++;
			__free_pages(held[i], orders[i]);
			held[i] = NULL;
		} else {
			unsigned int order = rand_r(&c->seed) % 16 ? rand_r(&c->seed) % 4
								   : 4 + rand_r(&c->seed) % 3;
			unsigned long *p, n;

			held[i] = alloc_pages(GFP_KERNEL, order);
			if (!held[i]) {
				c->errors++;
				continue;
			}
			orders[i] = order;
			p = page_address(held[i]);
			for (n = 0; n < (PAGE_SIZE << order) / sizeof(long); n += 512)
				p[n] = pattern(c->id, held[i]);
		}
	}
	for (i = 0; i < 32; i++)
		if (held[i])
			__free_pages(held[i], orders[i]);
	return NULL;
}

static void test_four_threads_churn_with_an_exact_count_after(void **state)
{
	struct churn c[4];
	pthread_t t[4];
	unsigned long before;
	int i;

	(void)state;
	assert_int_equal(kmm_init("mem=256M"), 0);
	before = drained_free();
	for (i = 0; i < 4; i++) {
		c[i] = (struct churn){.seed = (unsigned int)i + 1, .id = i};
		pthread_create(&t[i], NULL, churn_main, &c[i]);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(c[i].errors, 0);
	}
	assert_int_equal(drained_free(), before);
	kmm_exit();
}

/* Pages allocated by a producer, checked and freed by a consumer. */
#define QUEUE 64
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct page *slot[QUEUE];
	int head, tail;
	bool done;
	long errors;
} q = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

static void *producer_main(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < 20000; i++) {
		struct page *page = alloc_page(GFP_KERNEL);

		*(unsigned long *)page_address(page) = page_to_pfn(page) * 3;
		pthread_mutex_lock(&q.lock);
		while (q.head - q.tail == QUEUE)
			pthread_cond_wait(&q.cond, &q.lock);
		q.slot[q.head++ % QUEUE] = page;
		pthread_cond_broadcast(&q.cond);
		pthread_mutex_unlock(&q.lock);
	}
	pthread_mutex_lock(&q.lock);
	q.done = true;
	pthread_cond_broadcast(&q.cond);
	pthread_mutex_unlock(&q.lock);
	return NULL;
}

static void *consumer_main(void *arg)
{
	(void)arg;
	for (;;) {
		struct page *page;

		pthread_mutex_lock(&q.lock);
		while (q.head == q.tail && !q.done)
			pthread_cond_wait(&q.cond, &q.lock);
		if (q.head == q.tail) {
			pthread_mutex_unlock(&q.lock);
			return NULL;
		}
		page = q.slot[q.tail++ % QUEUE];
		pthread_cond_broadcast(&q.cond);
		pthread_mutex_unlock(&q.lock);
		if (*(unsigned long *)page_address(page) != page_to_pfn(page) * 3)
			q.errors++;
		__free_page(page);
	}
}

static void test_pages_freed_on_another_thread_come_back(void **state)
{
	pthread_t p, c;
	unsigned long before;

	(void)state;
	assert_int_equal(kmm_init("mem=128M"), 0);
	before = drained_free();
	q.head = q.tail = 0;
	q.done = false;
	q.errors = 0;
	pthread_create(&c, NULL, consumer_main, NULL);
	pthread_create(&p, NULL, producer_main, NULL);
	pthread_join(p, NULL);
	pthread_join(c, NULL);
	assert_int_equal(q.errors, 0);
	assert_int_equal(drained_free(), before);
	kmm_exit();
}

/* A thread that fills its per-CPU lists, then blocks and never calls libkmm again. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int stage;
	int cpu;
} idle = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

/* @arg non-NULL: block every signal first, as thread pools (and liburcu's threads) do. */
static void *idle_main(void *arg)
{
	struct page *pages[40];
	int i;

	if (arg) {
		sigset_t all;

		sigfillset(&all);
		pthread_sigmask(SIG_BLOCK, &all, NULL);
	}
	for (i = 0; i < 40; i++)
		pages[i] = alloc_page(GFP_KERNEL);
	for (i = 0; i < 40; i++)
		__free_page(pages[i]);
	pthread_mutex_lock(&idle.lock);
	idle.cpu = smp_processor_id();
	idle.stage = 1;
	pthread_cond_broadcast(&idle.cond);
	while (idle.stage != 2)
		pthread_cond_wait(&idle.cond, &idle.lock);
	pthread_mutex_unlock(&idle.lock);
	return NULL;
}

static void drain_a_thread_blocked_forever(bool blocks_signals)
{
	struct capture cap;
	unsigned long before;
	pthread_t t;

	assert_int_equal(kmm_init("mem=128M"), 0);
	before = drained_free();
	idle.stage = 0;
	pthread_create(&t, NULL, idle_main, blocks_signals ? &idle : NULL);
	pthread_mutex_lock(&idle.lock);
	while (idle.stage != 1)
		pthread_cond_wait(&idle.cond, &idle.lock);
	pthread_mutex_unlock(&idle.lock);
	/* Its freed pages sit on its per-CPU list. */
	assert_true(nr_free_pages() < before);
	capture_begin(&cap);
	kmm_drain_all();
	/* Taken over without the thread: nothing to report. */
	assert_string_equal(capture_end(&cap), "");
	assert_int_equal(nr_free_pages(), before);
	pthread_mutex_lock(&idle.lock);
	idle.stage = 2;
	pthread_cond_broadcast(&idle.cond);
	pthread_mutex_unlock(&idle.lock);
	pthread_join(t, NULL);
	kmm_exit();
}

static void test_drain_reaches_a_thread_blocked_forever(void **state)
{
	(void)state;
	drain_a_thread_blocked_forever(false);
}

/* A thread that blocked every signal: its CPU is drained all the same (no signal is sent). */
static void test_drain_reaches_a_thread_that_blocked_all_signals(void **state)
{
	(void)state;
	drain_a_thread_blocked_forever(true);
}

static void *alloc_free_some(void *arg)
{
	int i;

	for (i = 0; i < 50; i++)
		__free_page(alloc_page(GFP_KERNEL));
	if (arg)
		*(int *)arg = smp_processor_id();
	return NULL;
}

/* A thread's frees stay with its CPU when it exits, for the next thread there, until a drain. */
static void test_a_thread_exit_leaves_its_pages_to_the_cpu(void **state)
{
	unsigned long before;
	pthread_t t;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	before = drained_free();
	pthread_create(&t, NULL, alloc_free_some, NULL);
	pthread_join(t, NULL);
	assert_int_equal(drained_free(), before);
	kmm_exit();
}

/* pin_to - run the calling thread on host CPU @cpu only; false if the host has no such CPU. */
static bool pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) == 0;
}

static void test_cpu_ids_are_the_hosts(void **state)
{
	long host = sysconf(_SC_NPROCESSORS_CONF);
	cpu_set_t all;
	int cpu, other = -1;
	pthread_t t;

	(void)state;
	assert_int_equal(sched_getaffinity(0, sizeof(all), &all), 0);
	assert_int_equal(kmm_init("mem=64M"), 0);
	assert_int_equal(num_online_cpus(), host < NR_CPUS ? host : NR_CPUS);
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &all) || !pin_to(cpu))
			continue;
		assert_int_equal(smp_processor_id(), cpu % (int)num_online_cpus());
		/* a thread started there runs there too, whatever thread it is */
		pthread_create(&t, NULL, alloc_free_some, &other);
		pthread_join(t, NULL);
		assert_int_equal(other, smp_processor_id());
	}
	kmm_exit();
	/* nr_cpus= lowers them: every host CPU is CPU 0 */
	assert_int_equal(kmm_init("mem=64M nr_cpus=1"), 0);
	assert_int_equal(num_online_cpus(), 1);
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &all) && pin_to(cpu))
			assert_int_equal(smp_processor_id(), 0);
	__free_page(alloc_page(GFP_KERNEL));
	assert_int_equal(kmm_validate_all(), 0);
	kmm_exit();
	sched_setaffinity(0, sizeof(all), &all);
}

/* On the CPU it runs on, pinned there: that CPU's node, and the node of a page it allocates. */
static void *node_of_cpu(void *arg)
{
	struct page *page;

	pin_to(sched_getcpu());
	page = alloc_page(GFP_KERNEL);

	((int *)arg)[0] = smp_processor_id();
	((int *)arg)[1] = numa_node_id();
	((int *)arg)[2] = page_to_nid(page);
	__free_page(page);
	return NULL;
}

static void test_cpus_map_to_nodes(void **state)
{
	int r[2][3];
	pthread_t t[2];
	int i;

	(void)state;
	assert_int_equal(kmm_init("mem=256M numa=fake=2"), 0);
	(void)smp_processor_id();
	for (i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, node_of_cpu, r[i]);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < 2; i++) {
		assert_int_equal(r[i][1], r[i][0] % 2);
		assert_int_equal(r[i][2], r[i][1]);
	}
	kmm_exit();
}

static volatile bool busy_stop;

static void *busy_main(void *arg)
{
	(void)arg;
	while (!busy_stop) {
		struct page *a = alloc_page(GFP_KERNEL), *b = alloc_pages(GFP_KERNEL, 2);

		*(int *)page_address(a) = 1;
		__free_pages(b, 2);
		__free_page(a);
	}
	return NULL;
}

static void test_drains_while_threads_are_busy_stay_exact(void **state)
{
	unsigned long before;
	pthread_t t[3];
	int i;

	(void)state;
	assert_int_equal(kmm_init("mem=128M"), 0);
	before = drained_free();
	busy_stop = false;
	for (i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, busy_main, NULL);
	for (i = 0; i < 200; i++)
		kmm_drain_all();
	busy_stop = true;
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(drained_free(), before);
	kmm_exit();
}

static void *drain_from_new_thread(void *arg)
{
	(void)arg;
	kmm_drain_all();
	return NULL;
}

static void test_drain_from_a_stranger_or_before_boot_is_harmless(void **state)
{
	pthread_t t;

	(void)state;
	kmm_drain_all();
	assert_int_equal(kmm_init("mem=64M"), 0);
	pthread_create(&t, NULL, drain_from_new_thread, NULL);
	pthread_join(t, NULL);
	kmm_exit();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kmm_test(test_four_threads_churn_with_an_exact_count_after),
		kmm_test(test_pages_freed_on_another_thread_come_back),
		kmm_test(test_drain_reaches_a_thread_blocked_forever),
		kmm_test(test_drain_reaches_a_thread_that_blocked_all_signals),
		kmm_test(test_a_thread_exit_leaves_its_pages_to_the_cpu),
		kmm_test(test_cpu_ids_are_the_hosts),
		kmm_test(test_cpus_map_to_nodes),
		kmm_test(test_drains_while_threads_are_busy_stay_exact),
		kmm_test(test_drain_from_a_stranger_or_before_boot_is_harmless),
	};

	return cmocka_run_group_tests_name("cpus", tests, NULL, NULL);
}
