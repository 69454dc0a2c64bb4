/* SPDX-License-Identifier: MIT */
/*
 * kmm_test.h - what the cmocka suites share: capturing the reports libkmm
 * prints on stderr, reading the process's memory use and /proc files, and
 * tearing a test's machine down.
 */
#ifndef KMM_TEST_H
#define KMM_TEST_H

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <cmocka.h>

/* Everything written to stderr between capture_begin() and capture_end(). */
struct capture {
	int saved_fd;
	FILE *file;
	char text[1 << 16];
};

static inline void capture_begin(struct capture *c)
{
	fflush(stderr);
	c->saved_fd = dup(2);
	c->file = tmpfile();
	assert_non_null(c->file);
	dup2(fileno(c->file), 2);
}

static inline const char *capture_end(struct capture *c)
{
	size_t n;

	fflush(stderr);
	dup2(c->saved_fd, 2);
	close(c->saved_fd);
	rewind(c->file);
	n = fread(c->text, 1, sizeof(c->text) - 1, c->file);
	c->text[n] = '\0';
	fclose(c->file);
	return c->text;
}

static inline int count_lines(const char *text)
{
	int n = 0;

	for (; *text; text++)
		n += *text == '\n';
	return n;
}

/* The line of /proc/self/status that starts with @key (as "Key: %ld kB"), in KiB. */
static inline long status_kib(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	size_t len = strlen(key);
	char line[256];
	long kib = -1;

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ':' &&
		    sscanf(line + len + 1, "%ld kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib;
}

/* The process's resident set, in KiB. */
static inline long rss_kib(void)
{
	return status_kib("VmRSS");
}

/* The threads of this process named @comm (-1 if /proc cannot tell). */
static inline int threads_named(const char *comm)
{
	char path[320], name[32];
	struct dirent *d;
	int nr = 0;
	DIR *tasks = opendir("/proc/self/task");

	if (!tasks)
		return -1;
	while ((d = readdir(tasks))) {
		FILE *f;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(name, sizeof(name), f)) {
			name[strcspn(name, "\n")] = '\0';
			nr += !strcmp(name, comm);
		}
		fclose(f);
	}
	closedir(tasks);
	return nr;
}

/*
 * The resident part of the machine's physical memory (the memfd, the only
 * shared memory a test maps), in KiB: what page reporting gives back, without
 * the anonymous memory beside it (ASan's shadow of the direct map is an eighth
 * of it, written when free memory is poisoned).
 */
static inline long phys_rss_kib(void)
{
	return status_kib("RssShmem");
}

/* kmm_show() into a string. */
static inline char *show_to_string(const char *file, char *buf, size_t len)
{
	FILE *f = fmemopen(buf, len, "w");

	assert_non_null(f);
	assert_int_equal(kmm_show(file, f), 0);
	fclose(f);
	return buf;
}

/* nr_free_pages() after every CPU's lists and arrays are drained: an exact count. */
static inline unsigned long drained_free(void)
{
	kmm_drain_all();
	return nr_free_pages();
}

/*
 * dropped_free - nr_free_pages() once every cached page is given back
 * (kmm_drop_caches()): after kmem_cache_destroy(), whose descriptor is kept
 * for the next creation.
 */
static inline unsigned long dropped_free(void)
{
	kmm_drop_caches();
	return nr_free_pages();
}

/* A meminfo line's value in kB, by name without the colon ("Slab", "PageTables"). */
static inline long meminfo_kb(const char *field)
{
	static char buf[1 << 13];
	char key[64];
	const char *p;
	long kb = -1;

	/* buf[0] is a newline, so the first line is found like any other */
	buf[0] = '\n';
	show_to_string("meminfo", buf + 1, sizeof(buf) - 1);
	snprintf(key, sizeof(key), "\n%s:", field);
	p = strstr(buf, key);
	assert_non_null(p);
	assert_int_equal(sscanf(p + strlen(key), " %ld kB", &kb), 1);
	return kb;
}

/*
 * pin_to_this_cpu - keep the calling thread on the CPU it runs on now, as
 * preempt_disable() would, saving its affinity in @was for unpin(): every call
 * that follows meets the same CPU's caches (an object freed twice in a row is
 * on that CPU's array, not on the array of a CPU the host moved the thread to).
 */
static inline void pin_to_this_cpu(cpu_set_t *was)
{
	cpu_set_t one;
	int cpu = sched_getcpu();

	assert_int_equal(sched_getaffinity(0, sizeof(*was), was), 0);
	CPU_ZERO(&one);
	CPU_SET(cpu < 0 ? 0 : cpu, &one);
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
}

static inline void unpin(const cpu_set_t *was)
{
	assert_int_equal(sched_setaffinity(0, sizeof(*was), was), 0);
}

/* A cmocka teardown: no machine left running for the next test, even after a failure. */
static inline int machine_down(void **state)
{
	(void)state;
	if (kmm_booted())
		kmm_exit();
	return 0;
}

/* kmm_test(f) - a test that boots its own machine, torn down by machine_down(). */
#define kmm_test(f) cmocka_unit_test_teardown(f, machine_down)

/* The affinity a one-CPU test had before pin_setup(). */
static inline cpu_set_t *cpus_before_pin(void)
{
	static cpu_set_t cpus;

	return &cpus;
}

static inline int pin_setup(void **state)
{
	(void)state;
	pin_to_this_cpu(cpus_before_pin());
	return 0;
}

static inline int unpin_teardown_only(void **state)
{
	(void)state;
	unpin(cpus_before_pin());
	return 0;
}

static inline int unpin_teardown(void **state)
{
	machine_down(state);
	return unpin_teardown_only(state);
}

/*
 * kmm_one_cpu_test(f) - a kmm_test() pinned to the CPU it starts on: for a
 * test that frees and allocates again on one CPU's caches (the object freed
 * last is the next one handed out, a double free is caught at once).
 */
#define kmm_one_cpu_test(f) cmocka_unit_test_setup_teardown(f, pin_setup, unpin_teardown)

/* one_cpu_test(f) - the same without machine_down(), for suites whose machine outlives a test. */
#define one_cpu_test(f) cmocka_unit_test_setup_teardown(f, pin_setup, unpin_teardown_only)

/* The exit status of a child that faulted (SIGSEGV or SIGBUS) in child_exit_status(). */
#define CHILD_FAULTED 42

static inline void child_fault_exit(int sig)
{
	(void)sig;
	_exit(CHILD_FAULTED);
}

/*
 * child_exit_status - run @fn(@arg) in a forked child and return the child's
 * exit status: @fn's return value, or CHILD_FAULTED if it faulted.  The child
 * installs its own SIGSEGV/SIGBUS handler, so ASan's does not change the
 * status.  -1 if the child did not exit (killed by another signal).
 * The child is made by the bare fork system call, without the pthread_atfork()
 * handlers: it keeps sharing the parent's physical memory and sees the
 * parent's mappings as they are (stale TLB entries included), which is what a
 * probe of the emulated MMU wants.  A real fork() gets a copy of the machine
 * (tests/test_fork.c); @fn must not rely on libc state beyond the syscalls.
 */
static inline int child_exit_status(int (*fn)(void *arg), void *arg)
{
	struct sigaction sa;
	int status;
	pid_t pid;

	fflush(NULL);
	pid = (pid_t)syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
	assert_true(pid >= 0);
	if (pid == 0) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = child_fault_exit;
		sigaction(SIGSEGV, &sa, NULL);
		sigaction(SIGBUS, &sa, NULL);
		_exit(fn(arg));
	}
	assert_true(waitpid(pid, &status, 0) == pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * assert_panic_on_warn_aborts - run @bad() twice in forked children on a
 * machine booted from @cmdline, stderr silenced: as is, the report must let
 * the child go on and exit normally; with " panic_on_warn=1" added, it must
 * abort the child (SIGABRT).
 */
static inline void assert_panic_on_warn_aborts(const char *cmdline, void (*bad)(void))
{
	int status, panic;

	for (panic = 0; panic <= 1; panic++) {
		char line[256];
		pid_t pid;

		snprintf(line, sizeof(line), "%s%s", cmdline, panic ? " panic_on_warn=1" : "");
		fflush(NULL);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			dup2(open("/dev/null", O_WRONLY), 2);
			kmm_init(line);
			bad();
			_exit(7);
		}
		assert_true(waitpid(pid, &status, 0) == pid);
		if (panic) {
			assert_true(WIFSIGNALED(status));
			assert_int_equal(WTERMSIG(status), SIGABRT);
		} else {
			assert_true(WIFEXITED(status));
			assert_int_equal(WEXITSTATUS(status), 7);
		}
	}
}

/*
 * asan_allow - a test about to touch bytes libkmm poisoned for ASan on
 * purpose (freed memory, the tail of a kmalloc object) says so.
 */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define asan_allow(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define asan_allow(p, n) ((void)0)
#endif

#endif /* KMM_TEST_H */
