/* SPDX-License-Identifier: MIT */
/*
 * Signals stay the program's: cross-CPU work (kmm_drain_all(), cache shrink and
 * destroy, kmm_drop_caches(), fork) sends no signal to the program's threads.
 * The program's SIGRTMIN+5 handler, installed before boot, stays installed and
 * is called only by the program's own kill(); threads sleeping in nanosleep()
 * sleep their whole time; a thread that blocks every signal keeps them blocked;
 * no thread of libkmm's takes a signal sent to the process.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <kmm/kmm.h>
#include "kmm_test.h"

/* The program's signal, and its handler's count (from any thread). */
#define PROGRAM_SIGNAL (SIGRTMIN + 5)

static int handled;
static struct sigaction saved_action;

static void count_signal(int sig)
{
	(void)sig;
	__atomic_add_fetch(&handled, 1, __ATOMIC_RELAXED);
}

static int nr_handled(void)
{
	return __atomic_load_n(&handled, __ATOMIC_RELAXED);
}

/* Install the counting handler, as a program does before it first uses libkmm. */
static void own_the_signal(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = count_signal;
	sigemptyset(&sa.sa_mask);
	__atomic_store_n(&handled, 0, __ATOMIC_RELAXED);
	assert_int_equal(sigaction(PROGRAM_SIGNAL, &sa, &saved_action), 0);
}

static bool handler_is_the_programs(void)
{
	struct sigaction now;

	return sigaction(PROGRAM_SIGNAL, NULL, &now) == 0 && now.sa_handler == count_signal;
}

/* A teardown: the machine down, then the signal's disposition as before the test. */
static int signal_down(void **state)
{
	machine_down(state);
	sigaction(PROGRAM_SIGNAL, &saved_action, NULL);
	return 0;
}

#define signals_test(f) cmocka_unit_test_teardown(f, signal_down)

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * A worker: allocates and frees from a cache and from kmalloc, so that its CPU
 * holds objects in per-CPU arrays (whichever CPU it runs on), then sleeps.
 */
#define NR_WORKERS 3
#define SLEEP_MS   2500

struct worker {
	struct kmem_cache *cache;
	long errors;	 /* objects whose bytes changed, or failed allocations */
	int ret;	 /* nanosleep()'s return value */
	int err;	 /* errno after it */
	long long slept; /* ms, CLOCK_MONOTONIC */
};

static pthread_barrier_t allocated;

static void *worker_main(void *arg)
{
	struct timespec ts = {.tv_sec = SLEEP_MS / 1000, .tv_nsec = SLEEP_MS % 1000 * 1000000L};
	struct worker *w = arg;
	unsigned char *obj[32], *buf[32];
	long long start;
	int round, i;

	for (round = 0; round < 50; round++) {
		for (i = 0; i < 32; i++) {
			obj[i] = kmem_cache_alloc(w->cache, GFP_KERNEL);
			buf[i] = kmalloc((size_t)16 << (i % 10), GFP_KERNEL);
			if (!obj[i] || !buf[i]) {
				w->errors++;
				kmem_cache_free(w->cache, obj[i]);
				kfree(buf[i]);
				obj[i] = buf[i] = NULL;
				continue;
			}
			obj[i][0] = buf[i][0] = (unsigned char)(round + i);
		}
		for (i = 0; i < 32; i++) {
			if (!obj[i])
				continue;
			if (obj[i][0] != (unsigned char)(round + i) ||
			    buf[i][0] != (unsigned char)(round + i))
				w->errors++;
			kmem_cache_free(w->cache, obj[i]);
			kfree(buf[i]);
		}
	}
	pthread_barrier_wait(&allocated);
	start = now_ms();
	errno = 0;
	w->ret = nanosleep(&ts, NULL);
	w->err = errno;
	w->slept = now_ms() - start;
	return NULL;
}

static void fork_a_child(void)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_true(waitpid(pid, &status, 0) == pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/*
 * Boot with the program's handler installed, start the workers and, while they
 * sleep, do every kind of cross-CPU work; the workers joined, @w says how they
 * slept.
 */
static void remote_work_while_workers_sleep(struct worker w[NR_WORKERS])
{
	struct kmem_cache *cache;
	pthread_t t[NR_WORKERS];
	int i;

	own_the_signal();
	assert_int_equal(kmm_init("mem=128M"), 0);
	cache = kmem_cache_create("signals_test", 200, 0, 0, NULL);
	assert_non_null(cache);
	pthread_barrier_init(&allocated, NULL, NR_WORKERS + 1);
	for (i = 0; i < NR_WORKERS; i++) {
		w[i] = (struct worker){.cache = cache, .ret = -2};
		assert_int_equal(pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
	}
	pthread_barrier_wait(&allocated);
	/* let them reach nanosleep(); a signal before it would still be counted */
	poll(NULL, 0, 100);
	kmm_drain_all();
	assert_int_equal(kmem_cache_shrink(cache), 0);
	kmem_cache_destroy(cache);
	kmm_drop_caches();
	fork_a_child();
	kmm_drain_all();
	for (i = 0; i < NR_WORKERS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&allocated);
	for (i = 0; i < NR_WORKERS; i++)
		assert_int_equal(w[i].errors, 0);
}

static void test_remote_drains_leave_the_programs_handler_installed(void **state)
{
	struct worker w[NR_WORKERS];

	(void)state;
	remote_work_while_workers_sleep(w);
	assert_true(handler_is_the_programs());
	assert_int_equal(nr_handled(), 0);
	kmm_exit();
	assert_true(handler_is_the_programs());
	assert_int_equal(nr_handled(), 0);
}

static void test_remote_drains_do_not_interrupt_sleeping_threads(void **state)
{
	struct worker w[NR_WORKERS];
	int i;

	(void)state;
	remote_work_while_workers_sleep(w);
	for (i = 0; i < NR_WORKERS; i++) {
		if (w[i].ret != 0)
			print_error("worker %d: nanosleep returned %d (%s) after %lld ms\n", i,
				    w[i].ret, strerror(w[i].err), w[i].slept);
		assert_int_equal(w[i].ret, 0);
		assert_true(w[i].slept >= SLEEP_MS - 50);
	}
	kmm_exit();
}

/* A thread that allocated, then waits until told to go. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int stage; /* 1: it allocated (and its mask is read), 2: main is done with it */
	bool block_all;
	sigset_t before, after; /* its mask once it blocked, and after main's drain */
} holder = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

static void *holder_main(void *arg)
{
	struct kmem_cache *cache = arg;
	void *obj[40], *buf[40];
	struct page *pages[40];
	int i;

	if (holder.block_all) {
		sigset_t all;

		sigfillset(&all);
		pthread_sigmask(SIG_BLOCK, &all, NULL);
	}
	pthread_sigmask(SIG_BLOCK, NULL, &holder.before);
	for (i = 0; i < 40; i++) {
		obj[i] = kmem_cache_alloc(cache, GFP_KERNEL);
		buf[i] = kmalloc(64 + (size_t)i * 32, GFP_KERNEL);
		pages[i] = alloc_page(GFP_KERNEL);
	}
	for (i = 0; i < 40; i++) {
		kmem_cache_free(cache, obj[i]);
		kfree(buf[i]);
		if (pages[i])
			__free_page(pages[i]);
	}
	pthread_mutex_lock(&holder.lock);
	holder.stage = 1;
	pthread_cond_broadcast(&holder.cond);
	while (holder.stage != 2)
		pthread_cond_wait(&holder.cond, &holder.lock);
	pthread_mutex_unlock(&holder.lock);
	pthread_sigmask(SIG_BLOCK, NULL, &holder.after);
	return NULL;
}

static void holder_start(pthread_t *t, struct kmem_cache *cache, bool block_all)
{
	holder.stage = 0;
	holder.block_all = block_all;
	assert_int_equal(pthread_create(t, NULL, holder_main, cache), 0);
	pthread_mutex_lock(&holder.lock);
	while (holder.stage != 1)
		pthread_cond_wait(&holder.cond, &holder.lock);
	pthread_mutex_unlock(&holder.lock);
}

static void holder_stop(pthread_t t)
{
	pthread_mutex_lock(&holder.lock);
	holder.stage = 2;
	pthread_cond_broadcast(&holder.cond);
	pthread_mutex_unlock(&holder.lock);
	pthread_join(t, NULL);
}

/* Up to 1 s for the count to reach @n (a signal to another thread is delivered there). */
static int handled_reaches(int n)
{
	int i;

	for (i = 0; i < 100 && nr_handled() < n; i++)
		poll(NULL, 0, 10);
	poll(NULL, 0, 20);
	return nr_handled();
}

static void test_the_programs_own_signal_reaches_its_handler(void **state)
{
	struct kmem_cache *cache;
	int to_process, to_thread;
	pthread_t t;

	(void)state;
	own_the_signal();
	assert_int_equal(kmm_init("mem=128M"), 0);
	cache = kmem_cache_create("signals_test", 200, 0, 0, NULL);
	assert_non_null(cache);
	holder_start(&t, cache, false);
	kmm_drain_all();
	assert_int_equal(kill(getpid(), PROGRAM_SIGNAL), 0);
	to_process = handled_reaches(1);
	/* to a thread that uses libkmm */
	assert_int_equal(pthread_kill(t, PROGRAM_SIGNAL), 0);
	to_thread = handled_reaches(to_process + 1) - to_process;
	holder_stop(t);
	assert_int_equal(to_process, 1);
	assert_int_equal(to_thread, 1);
	kmem_cache_destroy(cache);
	kmm_exit();
}

static void test_a_drain_leaves_a_thread_that_blocks_every_signal_blocked(void **state)
{
	struct kmem_cache *cache;
	struct capture cap;
	long long start, took;
	const char *said;
	pthread_t t;
	int sig;

	(void)state;
	own_the_signal();
	assert_int_equal(kmm_init("mem=128M"), 0);
	cache = kmem_cache_create("signals_test", 200, 0, 0, NULL);
	assert_non_null(cache);
	holder_start(&t, cache, true);
	capture_begin(&cap);
	start = now_ms();
	kmm_drain_all();
	took = now_ms() - start;
	said = capture_end(&cap);
	holder_stop(t);
	/* no report of a CPU that did not answer, and no waiting for one */
	assert_string_equal(said, "");
	assert_true(took < 1000);
	assert_true(sigismember(&holder.before, PROGRAM_SIGNAL));
	for (sig = 1; sig <= SIGRTMAX; sig++) {
		if (sigismember(&holder.before, sig) != sigismember(&holder.after, sig))
			print_error("signal %d: blocked %d before, %d after\n", sig,
				    sigismember(&holder.before, sig),
				    sigismember(&holder.after, sig));
		assert_int_equal(sigismember(&holder.after, sig), sigismember(&holder.before, sig));
	}
	assert_int_equal(kmem_cache_shrink(cache), 0);
	kmem_cache_destroy(cache);
	assert_int_equal(nr_handled(), 0);
	kmm_exit();
}

/*
 * A program that blocks its signal in every thread of its own, to take it with
 * sigtimedwait() (or a signalfd), gets it there: no thread of libkmm's
 * (kswapd, the slab reaper, page reporting, the kmmstat server) takes it and
 * runs the handler instead.
 */
static void test_a_signal_to_the_process_waits_for_the_program(void **state)
{
	struct timespec wait = {.tv_sec = 5};
	sigset_t sig, old;

	(void)state;
	own_the_signal();
	assert_int_equal(kmm_init("mem=128M kmmstat=1"), 0);
	kfree(kmalloc(64, GFP_KERNEL));
	sigemptyset(&sig);
	sigaddset(&sig, PROGRAM_SIGNAL);
	assert_int_equal(pthread_sigmask(SIG_BLOCK, &sig, &old), 0);
	assert_int_equal(kill(getpid(), PROGRAM_SIGNAL), 0);
	poll(NULL, 0, 200); /* time for a thread that takes it to run the handler */
	assert_int_equal(sigtimedwait(&sig, NULL, &wait), PROGRAM_SIGNAL);
	assert_int_equal(pthread_sigmask(SIG_SETMASK, &old, NULL), 0);
	assert_int_equal(nr_handled(), 0);
	kmm_exit();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		signals_test(test_remote_drains_leave_the_programs_handler_installed),
		signals_test(test_remote_drains_do_not_interrupt_sleeping_threads),
		signals_test(test_the_programs_own_signal_reaches_its_handler),
		signals_test(test_a_drain_leaves_a_thread_that_blocks_every_signal_blocked),
		signals_test(test_a_signal_to_the_process_waits_for_the_program),
	};

	return cmocka_run_group_tests_name("signals", tests, NULL, NULL);
}
