/* SPDX-License-Identifier: MIT */
/*
 * signals.c - a multithreaded program that sleeps while libkmm-malloc.so
 * works, for the signal tests (run it with LD_PRELOAD; tests/malloc/signals.sh
 * does).  It owns nothing of libkmm's: it checks, as any program would, that
 * the allocator under it never interrupts its threads and never takes its
 * signals.
 *
 * The program installs a counting handler for SIGRTMIN+5 before its first
 * allocation.  Worker threads allocate and free blocks of every size class
 * (so each holds per-CPU caches of the allocator), then sleep 3.5 s, each in
 * one of nanosleep(), poll(), select() and epoll_wait() on an empty set.
 * Meanwhile the main thread keeps the allocator's cross-CPU work busy: it
 * allocates blocks that a churning thread frees (remote frees, and arrays for
 * the 2 s reaper to trim), and forks twice (the fork path quiesces every CPU).
 * Afterwards:
 *   - every sleep returned normally (0, not -1 with EINTR) after >= 3.4 s;
 *   - the handler ran 0 times, and sigaction() still returns it;
 *   - kill(getpid(), SIGRTMIN+5) reaches it exactly once.
 * The blocks must lie in the machine's memory ("kmm-physmem" in
 * /proc/self/maps), so a run without the preload does not pass unnoticed.
 *
 *   signals
 * Exit status: 0 when every check passed; 1 otherwise, with a line saying which.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/wait.h>

#define SLEEP_MS     3500
#define SLEPT_MIN_MS 3400

static int failures;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "signals: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
}

static volatile sig_atomic_t handled;

static void count_signal(int sig)
{
	(void)sig;
	handled++;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Allocate, fill, check and free blocks of 8 bytes to 1 MiB: every source of the front end. */
static void touch_allocator(unsigned int seed)
{
	void *held[64] = {0};
	size_t sizes[64] = {0};
	int i, round;

	for (round = 0; round < 4000; round++) {
		i = (int)(rand_r(&seed) % 64);
		if (held[i]) {
			if (((unsigned char *)held[i])[sizes[i] - 1] != (unsigned char)i)
				fail("block %p changed", held[i]);
			free(held[i]);
			held[i] = NULL;
		} else {
			sizes[i] = (size_t)8 << (rand_r(&seed) % 18);
			held[i] = malloc(sizes[i]);
			if (!held[i]) {
				fail("malloc(%zu) failed", sizes[i]);
				continue;
			}
			memset(held[i], i, sizes[i]);
		}
	}
	for (i = 0; i < 64; i++)
		free(held[i]);
}

/* The sleeps, one per worker. */
enum sleep_kind { SLEEP_NANOSLEEP, SLEEP_POLL, SLEEP_SELECT, SLEEP_EPOLL, NR_SLEEPS };

static const char *const sleep_name[NR_SLEEPS] = {"nanosleep", "poll", "select", "epoll_wait"};

struct sleeper {
	enum sleep_kind kind;
	int epfd;	 /* SLEEP_EPOLL: an epoll set with nothing in it */
	int ret;	 /* the call's return value */
	int err;	 /* errno after it */
	long long slept; /* ms, CLOCK_MONOTONIC */
};

static pthread_barrier_t sleeping; /* the workers have touched the allocator */

static void *sleeper_main(void *arg)
{
	struct sleeper *s = arg;
	struct timespec ts = {.tv_sec = SLEEP_MS / 1000, .tv_nsec = SLEEP_MS % 1000 * 1000000L};
	struct timeval tv = {.tv_sec = SLEEP_MS / 1000, .tv_usec = SLEEP_MS % 1000 * 1000L};
	struct epoll_event ev;
	long long start;

	touch_allocator((unsigned int)s->kind + 1);
	pthread_barrier_wait(&sleeping);
	start = now_ms();
	errno = 0;
	switch (s->kind) {
	case SLEEP_NANOSLEEP:
		s->ret = nanosleep(&ts, NULL);
		break;
	case SLEEP_POLL:
		s->ret = poll(NULL, 0, SLEEP_MS);
		break;
	case SLEEP_SELECT:
		s->ret = select(0, NULL, NULL, NULL, &tv);
		break;
	case SLEEP_EPOLL:
		s->ret = epoll_wait(s->epfd, &ev, 1, SLEEP_MS);
		break;
	default:
		break;
	}
	s->err = errno;
	s->slept = now_ms() - start;
	return NULL;
}

/* Blocks the main thread allocates and the churner frees: remote frees. */
#define HANDOFF 256
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	void *slot[HANDOFF];
	unsigned int head, tail;
	bool done;
} handoff = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

static void *churner_main(void *arg)
{
	(void)arg;
	for (;;) {
		void *p;

		pthread_mutex_lock(&handoff.lock);
		while (handoff.head == handoff.tail && !handoff.done)
			pthread_cond_wait(&handoff.cond, &handoff.lock);
		if (handoff.head == handoff.tail) {
			pthread_mutex_unlock(&handoff.lock);
			return NULL;
		}
		p = handoff.slot[handoff.tail++ % HANDOFF];
		pthread_cond_broadcast(&handoff.cond);
		pthread_mutex_unlock(&handoff.lock);
		free(p);
		free(malloc(64));
	}
}

static void hand_off(void *p)
{
	pthread_mutex_lock(&handoff.lock);
	while (handoff.head - handoff.tail == HANDOFF)
		pthread_cond_wait(&handoff.cond, &handoff.lock);
	handoff.slot[handoff.head++ % HANDOFF] = p;
	pthread_cond_broadcast(&handoff.cond);
	pthread_mutex_unlock(&handoff.lock);
}

/* A child that allocates a little and exits 0. */
static void fork_once(void)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fail("fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		free(malloc(100));
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail("forked child did not exit 0 (status %#x)", status);
}

/* Until the sleepers are done: blocks of many sizes handed to the churner, and two forks. */
static void keep_the_allocator_busy(long long until)
{
	unsigned int seed = 99, n = 0;
	bool forked[2] = {false, false};
	long long start = now_ms();

	while (now_ms() < until) {
		size_t size = (size_t)16 << (rand_r(&seed) % 12);
		void *p = malloc(size);

		if (!p) {
			fail("malloc(%zu) failed", size);
			continue;
		}
		memset(p, 0x5a, size);
		hand_off(p);
		if (++n % 64 == 0)
			free(malloc(size * 3));
		if (!forked[0] && now_ms() - start > 1000) {
			forked[0] = true;
			fork_once();
		}
		if (!forked[1] && now_ms() - start > 2500) {
			forked[1] = true;
			fork_once();
		}
	}
	pthread_mutex_lock(&handoff.lock);
	handoff.done = true;
	pthread_cond_broadcast(&handoff.cond);
	pthread_mutex_unlock(&handoff.lock);
}

static bool on_libkmm(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	bool found = false;

	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, "kmm-physmem") != NULL;
	if (f)
		fclose(f);
	return found;
}

int main(void)
{
	struct sleeper s[NR_SLEEPS];
	pthread_t t[NR_SLEEPS], churner;
	struct sigaction sa, now;
	long long until;
	int i;

	/* Before the first allocation: the signal is the program's from the start. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = count_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGRTMIN + 5, &sa, NULL) != 0) {
		perror("signals: sigaction");
		return 1;
	}

	touch_allocator(1000);
	if (!on_libkmm())
		fail("no kmm-physmem mapping: not running on libkmm-malloc.so");
	pthread_barrier_init(&sleeping, NULL, NR_SLEEPS + 1);
	pthread_create(&churner, NULL, churner_main, NULL);
	for (i = 0; i < NR_SLEEPS; i++) {
		s[i] = (struct sleeper){.kind = (enum sleep_kind)i, .epfd = -1};
		if (i == SLEEP_EPOLL && (s[i].epfd = epoll_create1(0)) < 0)
			fail("epoll_create1: %s", strerror(errno));
		pthread_create(&t[i], NULL, sleeper_main, &s[i]);
	}
	pthread_barrier_wait(&sleeping);
	until = now_ms() + SLEEP_MS;
	keep_the_allocator_busy(until);
	pthread_join(churner, NULL);
	for (i = 0; i < NR_SLEEPS; i++) {
		pthread_join(t[i], NULL);
		if (s[i].ret != 0)
			fail("%s returned %d (%s) after %lld ms", sleep_name[i], s[i].ret,
			     strerror(s[i].err), s[i].slept);
		else if (s[i].slept < SLEPT_MIN_MS)
			fail("%s slept %lld ms of %d", sleep_name[i], s[i].slept, SLEEP_MS);
		else
			printf("signals: %s slept %lld ms\n", sleep_name[i], s[i].slept);
		if (s[i].epfd >= 0)
			close(s[i].epfd);
	}

	if (handled != 0)
		fail("the SIGRTMIN+5 handler ran %d time(s), the program sent none", (int)handled);
	if (sigaction(SIGRTMIN + 5, NULL, &now) != 0 || now.sa_handler != count_signal)
		fail("sigaction(SIGRTMIN+5) no longer returns the program's handler");

	handled = 0;
	kill(getpid(), SIGRTMIN + 5);
	/* kill() delivers to this thread before it returns; wait a little for any other */
	for (i = 0; i < 100 && handled == 0; i++)
		poll(NULL, 0, 10);
	poll(NULL, 0, 50);
	if (handled != 1)
		fail("kill(SIGRTMIN+5) reached the handler %d time(s), not once", (int)handled);

	if (failures)
		return 1;
	printf("signals: every sleep whole, SIGRTMIN+5 the program's\n");
	return 0;
}
