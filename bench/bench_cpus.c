/* SPDX-License-Identifier: MIT */
/*
 * bench/bench_cpus.c - what many threads cost libkmm (executable bench_cpus,
 * a plain C program; scripts/bench runs it and keeps its lines):
 *
 *	bench_cpus                 every probe below, each in a child process
 *	bench_cpus drain KIND N    one kmm_drain_all() probe (a child)
 *	bench_cpus threads MAX     the many-threads probe (a child)
 *
 * drain: N threads (N = 1, 64, 256, 1000) allocate and free kmalloc(64)
 * objects in a loop, so that per-CPU caches hold objects and pages, while the
 * main thread, which allocates nothing, times 21 kmm_drain_all() calls.
 * KIND busy: the threads only do that; KIND blocked: each first blocks every
 * signal with pthread_sigmask().  One line per probe:
 *	drain_all threads=N kind=KIND status=ok calls=21 median_us=M max_us=X reports=R
 * median and max are over the calls that finished (calls=).  A watchdog
 * thread ends the probe with status=timeout when a call takes more than 5 s,
 * so a drain that never finishes cannot hang the run; no call starts after 4 s
 * of calls (status=budget), so that slow drains keep the whole run within two
 * minutes.
 *
 * threads: 0, 100, 1000 and 10000 threads alive at once (capped, with a
 * threads_cap line saying why, by ulimit -u, kernel.threads-max and
 * vm.max_map_count), each having allocated a kmalloc(64) object and an object
 * of one 64-byte kmem_cache, then waiting on a condition.  One line per count:
 *	threads=T ok=0|1 created=C alloc_failed=F cpus=P rss_kb=R slab_kb=S percpu_kb=Q
 * ok=1 when every thread was created and each allocation succeeded; rss_kb is
 * the process's VmRSS, slab_kb and percpu_kb libkmm's meminfo lines "Slab:"
 * and "Percpu:", cpus num_online_cpus().  Then the threads free their objects
 * and exit: threads_exit joined=C reports=R.
 *
 * reports=R counts the lines libkmm printed on stderr during the probe (its
 * reports); the first of them is copied to stderr.  Every thread has a 64 KiB
 * stack.  The parent kills a child that outlives its deadline and prints the
 * probe's line with status=killed.  The machine is mem=1G (machine.h).
 */
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <kmm/kmm.h>

#include "machine.h"

#define STACK_SIZE   (64UL << 10)
#define DRAIN_CALLS  21
#define DRAIN_LIMIT  (5LL * 1000 * 1000 * 1000)	 /* ns: a longer call is a timeout */
#define DRAIN_BUDGET (4LL * 1000 * 1000 * 1000)	 /* ns of calls per probe, then stop */
#define READY_LIMIT  (30LL * 1000 * 1000 * 1000) /* ns to wait for threads to start */
#define THREADS_MAX  10000
#define CHILD_LIMIT  60 /* s a child may run before it is killed */
#define BUSY_OBJECTS 8	/* kmalloc(64) objects a busy thread holds per round */

extern char **environ;

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_ms(long ms)
{
	nanosleep(&(struct timespec){ms / 1000, (ms % 1000) * 1000000L}, NULL);
}

/* --- libkmm's reports: stderr goes to a file for the probe, then is counted ------------ */

static int saved_stderr = -1;
static FILE *report_file;

static void reports_begin(void)
{
	fflush(stderr);
	saved_stderr = dup(2);
	report_file = tmpfile();
	if (saved_stderr < 0 || !report_file) {
		perror("bench_cpus: tmpfile");
		exit(1);
	}
	dup2(fileno(report_file), 2);
}

/* The lines printed on stderr since reports_begin(); the first is copied to stderr. */
static int reports_end(void)
{
	char line[512];
	int n = 0;

	fflush(stderr);
	dup2(saved_stderr, 2);
	rewind(report_file);
	while (fgets(line, sizeof(line), report_file)) {
		if (n == 0)
			fprintf(stderr, "bench_cpus: first report: %s", line);
		n += strchr(line, '\n') != NULL;
	}
	return n;
}

/* --- Memory figures --------------------------------------------------------------------- */

/* The process's VmRSS, in KiB; -1 if unknown. */
static long rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

/* libkmm's meminfo line @field ("Slab", "Percpu"), in kB; -1 if missing. */
static long meminfo_kb(const char *field)
{
	static char buf[1 << 13];
	char key[64];
	const char *p;
	long kb = -1;
	FILE *f;

	buf[0] = '\n'; /* so the first line is found like any other */
	f = fmemopen(buf + 1, sizeof(buf) - 1, "w");
	if (!f)
		return -1;
	if (kmm_show("meminfo", f) != 0) {
		fclose(f);
		return -1;
	}
	fclose(f);
	snprintf(key, sizeof(key), "\n%s:", field);
	p = strstr(buf, key);
	if (p && sscanf(p + strlen(key), " %ld kB", &kb) != 1)
		kb = -1;
	return kb;
}

static int start_thread(pthread_t *t, void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	int err;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, STACK_SIZE);
	err = pthread_create(t, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	return err;
}

/* --- drain: kmm_drain_all() against busy threads ---------------------------------------- */

static struct {
	bool blocked;		   /* the threads block every signal first */
	int threads;		   /* N */
	pthread_mutex_t lock;	   /* protects ready and go */
	pthread_cond_t cond;	   /* ready or go changed */
	int ready;		   /* threads through their first round */
	bool go;		   /* the threads may loop */
	atomic_bool stop;	   /* the threads return */
	atomic_llong call_start;   /* ns the current call began, 0 between calls */
	long long us[DRAIN_CALLS]; /* each finished call, µs */
	atomic_int done;	   /* finished calls */
} drain = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

/* One round: BUSY_OBJECTS kmalloc(64) objects allocated, written and freed. */
static void busy_round(void)
{
	void *objs[BUSY_OBJECTS];
	int i;

	for (i = 0; i < BUSY_OBJECTS; i++) {
		objs[i] = kmalloc(64, GFP_KERNEL);
		if (objs[i])
			*(volatile char *)objs[i] = (char)i;
	}
	for (i = 0; i < BUSY_OBJECTS; i++)
		kfree(objs[i]);
}

/* A round, then a wait until every thread has had its round, then rounds until stop. */
static void *busy_main(void *arg)
{
	(void)arg;
	if (drain.blocked) {
		sigset_t all;

		sigfillset(&all);
		pthread_sigmask(SIG_BLOCK, &all, NULL);
	}
	busy_round();
	pthread_mutex_lock(&drain.lock);
	drain.ready++;
	pthread_cond_broadcast(&drain.cond);
	while (!drain.go)
		pthread_cond_wait(&drain.cond, &drain.lock);
	pthread_mutex_unlock(&drain.lock);
	while (!atomic_load_explicit(&drain.stop, memory_order_relaxed))
		busy_round();
	return NULL;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* The probe's line from the calls done so far. */
static void drain_print(const char *status, int reports)
{
	long long sorted[DRAIN_CALLS];
	int n = atomic_load(&drain.done);

	memcpy(sorted, drain.us, sizeof(sorted));
	qsort(sorted, (size_t)n, sizeof(sorted[0]), cmp_ll);
	printf("drain_all threads=%d kind=%s status=%s calls=%d", drain.threads,
	       drain.blocked ? "blocked" : "busy", status, n);
	if (n)
		printf(" median_us=%lld max_us=%lld", sorted[n / 2], sorted[n - 1]);
	else
		printf(" median_us=- max_us=-");
	if (reports >= 0)
		printf(" reports=%d", reports);
	printf("\n");
	fflush(stdout);
}

/* The watchdog: it touches no libkmm state, so it runs whatever a drain holds. */
static void *drain_watchdog(void *arg)
{
	(void)arg;
	for (;;) {
		long long start = atomic_load(&drain.call_start);

		if (start && now_ns() - start > DRAIN_LIMIT) {
			drain_print("timeout", reports_end());
			_exit(0);
		}
		sleep_ms(10);
	}
	return NULL;
}

static int run_drain(const char *kind, int n)
{
	pthread_t *t = calloc((size_t)n, sizeof(*t)), dog;
	long long deadline, first;
	int i, calls, ready, created = 0;

	drain.blocked = strcmp(kind, "blocked") == 0;
	drain.threads = n;
	if (!t || (!drain.blocked && strcmp(kind, "busy") != 0)) {
		fprintf(stderr, "bench_cpus: drain busy|blocked N\n");
		return 2;
	}
	bench_boot_1g("bench_cpus");
	reports_begin();
	for (i = 0; i < n; i++, created++)
		if (start_thread(&t[i], busy_main, NULL))
			break;
	deadline = now_ns() + READY_LIMIT;
	pthread_mutex_lock(&drain.lock);
	while (drain.ready < created && now_ns() < deadline) {
		pthread_mutex_unlock(&drain.lock);
		sleep_ms(1);
		pthread_mutex_lock(&drain.lock);
	}
	ready = drain.ready;
	drain.go = true;
	pthread_cond_broadcast(&drain.cond);
	pthread_mutex_unlock(&drain.lock);
	if (created < n || ready < n) {
		atomic_store(&drain.stop, true);
		for (i = 0; i < created; i++)
			pthread_join(t[i], NULL);
		drain_print("error", reports_end());
		printf("drain_all_error threads=%d created=%d ready=%d\n", n, created, ready);
		return 1;
	}
	if (start_thread(&dog, drain_watchdog, NULL)) {
		fprintf(stderr, "bench_cpus: no watchdog thread\n");
		return 1;
	}
	first = now_ns();
	for (i = 0; i < DRAIN_CALLS; i++) {
		long long t0 = now_ns();

		if (t0 - first > DRAIN_BUDGET)
			break;

		atomic_store(&drain.call_start, t0);
		kmm_drain_all();
		drain.us[i] = (now_ns() - t0) / 1000;
		atomic_store(&drain.call_start, 0);
		atomic_fetch_add(&drain.done, 1);
	}
	calls = i;
	atomic_store(&drain.stop, true);
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	drain_print(calls == DRAIN_CALLS ? "ok" : "budget", reports_end());
	free(t);
	return 0;
}

/* --- threads: many threads alive at once, each holding objects ------------------------- */

static struct {
	struct kmem_cache *cache;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int ready;	   /* threads holding their objects, under lock */
	bool release;	   /* the threads free and return, under lock */
	atomic_int failed; /* allocations that failed */
} many = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

static void *holder_main(void *arg)
{
	void *k = kmalloc(64, GFP_KERNEL);
	void *c = kmem_cache_alloc(many.cache, GFP_KERNEL);

	(void)arg;
	if (k)
		memset(k, 0x5a, 64);
	else
		atomic_fetch_add(&many.failed, 1);
	if (c)
		memset(c, 0xa5, 64);
	else
		atomic_fetch_add(&many.failed, 1);
	pthread_mutex_lock(&many.lock);
	many.ready++;
	pthread_cond_broadcast(&many.cond);
	while (!many.release)
		pthread_cond_wait(&many.cond, &many.lock);
	pthread_mutex_unlock(&many.lock);
	kfree(k);
	if (c)
		kmem_cache_free(many.cache, c);
	return NULL;
}

static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* Lines of /proc/self/maps: the mappings this process has now. */
static long nr_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	long n = 0;
	int ch;

	while (f && (ch = fgetc(f)) != EOF)
		n += ch == '\n';
	if (f)
		fclose(f);
	return n;
}

/* Threads running on the host now (/proc/loadavg's "running/total"). */
static long host_threads(void)
{
	FILE *f = fopen("/proc/loadavg", "r");
	long total = -1;

	if (f) {
		if (fscanf(f, "%*s %*s %*s %*d/%ld", &total) != 1)
			total = -1;
		fclose(f);
	}
	return total;
}

/* How many threads the host lets this process add, each a stack and a guard mapping. */
static int threads_cap(int want)
{
	long tmax = read_long("/proc/sys/kernel/threads-max");
	long maps = read_long("/proc/sys/vm/max_map_count");
	long others = host_threads();
	struct rlimit nproc;
	long cap;

	others = others < 0 ? 0 : others;
	if (getrlimit(RLIMIT_NPROC, &nproc) == 0 && nproc.rlim_cur != RLIM_INFINITY) {
		cap = (long)nproc.rlim_cur - others - 64;
		if (cap < want) {
			printf("threads_cap max=%ld reason=ulimit_u limit=%ld threads_now=%ld\n",
			       cap, (long)nproc.rlim_cur, others);
			want = (int)(cap < 0 ? 0 : cap);
		}
	}
	if (tmax > 0 && tmax - others - 64 < want) {
		cap = tmax - others - 64;
		printf("threads_cap max=%ld reason=threads_max limit=%ld threads_now=%ld\n", cap,
		       tmax, others);
		want = (int)(cap < 0 ? 0 : cap);
	}
	if (maps > 0 && (maps - nr_maps() - 1024) / 2 < want) {
		cap = (maps - nr_maps() - 1024) / 2;
		printf("threads_cap max=%ld reason=max_map_count limit=%ld maps_now=%ld\n", cap,
		       maps, nr_maps());
		want = (int)(cap < 0 ? 0 : cap);
	}
	fflush(stdout);
	return want;
}

static void threads_print(int step, int created)
{
	int failed = atomic_load(&many.failed);

	printf("threads=%d ok=%d created=%d alloc_failed=%d cpus=%u rss_kb=%ld slab_kb=%ld "
	       "percpu_kb=%ld\n",
	       step, created == step && failed == 0, created, failed, num_online_cpus(), rss_kb(),
	       meminfo_kb("Slab"), meminfo_kb("Percpu"));
	fflush(stdout);
}

static int run_threads(int max)
{
	static const int steps[] = {0, 100, 1000, THREADS_MAX};
	pthread_t *t;
	int s, i, created = 0;
	bool stalled = false;

	max = threads_cap(max);
	t = calloc((size_t)max + 1, sizeof(*t));
	if (!t)
		return 1;
	bench_boot_1g("bench_cpus");
	many.cache = kmem_cache_create("bench_cpus", 64, 0, 0, NULL);
	if (!many.cache) {
		fprintf(stderr, "bench_cpus: kmem_cache_create failed\n");
		return 1;
	}
	reports_begin();
	for (s = 0; s < (int)(sizeof(steps) / sizeof(steps[0])) && !stalled; s++) {
		int step = steps[s] < max ? steps[s] : max;
		long long deadline;

		if (s > 0 && step <= steps[s - 1])
			break; /* capped: the host cannot run more */
		for (i = created; i < step; i++, created++) {
			int err = start_thread(&t[i], holder_main, NULL);

			if (err) {
				printf("threads_error created=%d pthread_create=%s\n", created,
				       strerror(err));
				break;
			}
		}
		deadline = now_ns() + READY_LIMIT;
		pthread_mutex_lock(&many.lock);
		while (many.ready < created && now_ns() < deadline) {
			pthread_mutex_unlock(&many.lock);
			sleep_ms(1);
			pthread_mutex_lock(&many.lock);
		}
		if (many.ready < created) {
			printf("threads_error created=%d ready=%d (threads did not start in 30 "
			       "s)\n",
			       created, many.ready);
			stalled = true;
		}
		pthread_mutex_unlock(&many.lock);
		threads_print(step, created);
		if (created < step)
			break;
	}
	if (stalled) {
		printf("threads_exit joined=0 reports=%d\n", reports_end());
		fflush(stdout);
		_exit(1); /* threads that never started cannot be joined */
	}
	pthread_mutex_lock(&many.lock);
	many.release = true;
	pthread_cond_broadcast(&many.cond);
	pthread_mutex_unlock(&many.lock);
	for (i = 0; i < created; i++)
		pthread_join(t[i], NULL);
	kmem_cache_destroy(many.cache);
	printf("threads_exit joined=%d reports=%d\n", created, reports_end());
	free(t);
	return 0;
}

/* --- The parent: each probe in a child process, killed at its deadline ------------------ */

static void run_child(const char *what, char *const argv[])
{
	long long deadline = now_ns() + CHILD_LIMIT * 1000000000LL;
	int status, err;
	pid_t pid;

	fflush(stdout);
	err = posix_spawn(&pid, "/proc/self/exe", NULL, NULL, argv, environ);
	if (err) {
		printf("%s status=error spawn=%s\n", what, strerror(err));
		return;
	}
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (now_ns() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			printf("%s status=killed after_s=%d\n", what, CHILD_LIMIT);
			return;
		}
		sleep_ms(20);
	}
	if (WIFSIGNALED(status))
		printf("%s status=crashed signal=%d\n", what, WTERMSIG(status));
}

int main(int argc, char **argv)
{
	static const int counts[] = {1, 64, 256, 1000};
	static const char *const kinds[] = {"busy", "blocked"};
	char n[16], what[64];
	unsigned int k, c;

	if (argc == 4 && strcmp(argv[1], "drain") == 0)
		return run_drain(argv[2], atoi(argv[3]));
	if (argc == 3 && strcmp(argv[1], "threads") == 0)
		return run_threads(atoi(argv[2]));
	if (argc != 1) {
		fprintf(stderr, "usage: bench_cpus [drain busy|blocked N | threads MAX]\n");
		return 2;
	}
	for (k = 0; k < 2; k++) {
		for (c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
			char *args[] = {argv[0], "drain", (char *)kinds[k], n, NULL};

			snprintf(n, sizeof(n), "%d", counts[c]);
			snprintf(what, sizeof(what), "drain_all threads=%d kind=%s", counts[c],
				 kinds[k]);
			run_child(what, args);
		}
	}
	snprintf(n, sizeof(n), "%d", THREADS_MAX);
	run_child("threads", (char *[]){argv[0], "threads", n, NULL});
	return 0;
}
