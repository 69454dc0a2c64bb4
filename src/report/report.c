/* SPDX-License-Identifier: MIT */
/*
 * report/report.c - printing reports: the report lock, panic_on_warn, ratelimits.
 *
 * Locking: report_lock serialises whole reports.  It is a recursive mutex so
 * that a report printed while building another (a nested BUG) cannot deadlock.
 * Nothing else is taken under it.  A quiet report (counted by a KUnit test
 * instead of printed, slab/debug.c) is tracked per thread.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "boot/subsys.h"
#include "report/report.h"

bool kmm_panic_on_warn;

/* panic_on_warn=, in effect from the report layer's init: the first of a boot. */
static bool param_panic_on_warn;

static int report_init(void)
{
	kmm_panic_on_warn = param_panic_on_warn;
	return 0;
}

static const struct kmm_param report_params[] = {
	KMM_PARAM_BOOL_VAR("panic_on_warn", param_panic_on_warn, 0, "0 or 1",
			   "abort after any warning or BUG report, for test suites"),
};

const struct kmm_subsys kmm_report_subsys = {
	.name = "report",
	KMM_SUBSYS_PARAMS(report_params),
	.init = report_init,
};

static pthread_mutex_t report_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
/*
 * The calling thread's reports: how deeply nested (report_depth), and the
 * depth of the quiet report it is in (0: none), whose lines, nested reports'
 * too, are dropped.
 */
static __thread int report_depth, report_quiet;

void kmm_report_begin(void)
{
	pthread_mutex_lock(&report_lock);
	report_depth++;
}

void kmm_report_begin_quiet(void)
{
	kmm_report_begin();
	if (!report_quiet)
		report_quiet = report_depth;
}

void kmm_pr(const char *fmt, ...)
{
	va_list ap;

	if (report_quiet)
		return;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

void kmm_report_end(bool warn)
{
	bool quiet = report_quiet != 0;

	if (report_quiet == report_depth)
		report_quiet = 0;
	report_depth--;
	if (quiet) {
		pthread_mutex_unlock(&report_lock);
		return;
	}
	fflush(stderr);
	pthread_mutex_unlock(&report_lock);
	if (warn && kmm_panic_on_warn) {
		fputs("Kernel panic - not syncing: panic_on_warn set ...\n", stderr);
		abort();
	}
}

/*
 * report_line - one line, in one write() where it fits: stderr is unbuffered,
 * and another process (a forked child reporting the same fork) may write to
 * it at the same time.
 */
static void report_line(bool warn, const char *fmt, va_list ap)
{
	char line[1024];
	va_list again;
	int n;

	kmm_report_begin();
	if (!report_quiet) {
		va_copy(again, ap);
		n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
		if (n >= 0 && (size_t)n < sizeof(line) - 1) {
			line[n] = '\n';
			fwrite(line, 1, (size_t)n + 1, stderr);
		} else {
			vfprintf(stderr, fmt, again);
			fputc('\n', stderr);
		}
		va_end(again);
	}
	kmm_report_end(warn);
}

void kmm_report(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_line(true, fmt, ap);
	va_end(ap);
}

void kmm_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_line(false, fmt, ap);
	va_end(ap);
}

#define RATELIMIT_INTERVAL_NS (5LL * 1000 * 1000 * 1000)
#define RATELIMIT_BURST	      10

bool kmm_ratelimit(struct kmm_ratelimit *rs)
{
	struct timespec ts;
	long long now;
	bool ok;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = ts.tv_sec * 1000000000LL + ts.tv_nsec;
	pthread_mutex_lock(&report_lock);
	if (!rs->begin_ns || now - rs->begin_ns >= RATELIMIT_INTERVAL_NS) {
		if (rs->missed)
			fprintf(stderr, "kmm: %d callbacks suppressed\n", rs->missed);
		rs->begin_ns = now;
		rs->printed = 0;
		rs->missed = 0;
	}
	ok = rs->printed < RATELIMIT_BURST;
	if (ok)
		rs->printed++;
	else
		rs->missed++;
	pthread_mutex_unlock(&report_lock);
	return ok;
}

const char *kmm_current_comm(char buf[16])
{
	if (pthread_getname_np(pthread_self(), buf, 16) != 0 || !buf[0])
		strcpy(buf, "?");
	return buf;
}

/* fork (boot/fork.c): a report another thread was printing does not go on in the child. */
void kmm_report_fork_child(void)
{
	pthread_mutex_t fresh = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

	report_lock = fresh;
	report_depth = 0;
	report_quiet = 0;
}
