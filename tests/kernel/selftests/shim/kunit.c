/* SPDX-License-Identifier: MIT */
/*
 * shim/kunit.c - KUnit's runner, expectations and resources for the kernel's
 * self-tests.
 *
 * Every registered suite runs in order, each case on a thread of its own
 * (`current` is a task whose kunit_test is the case) so that a failed
 * assertion or kunit_skip() ends the case with pthread_exit(), as KUnit's
 * try-catch ends a case's kthread.  Output is KTAP, as KUnit prints it:
 *
 *   KTAP version 1
 *   1..<suites>
 *       KTAP version 1
 *       # Subtest: <suite>
 *       1..<cases>
 *       ok 1 <case>                   (or "not ok", or "ok 1 <case> # SKIP <why>")
 *       # <suite>: pass:P fail:F skip:S total:T
 *   ok 1 <suite>
 *   # Totals: pass:P fail:F skip:S total:T
 *
 * Locking: suites and skips are registered before the runner starts; a
 * test's resources are under its lock (code under test looks them up from
 * any thread).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <urcu.h>

#include <kunit/test.h>
#include "shim.h"

#define MAX_SUITES 16
#define MAX_SKIPS  16

static struct kunit_suite *suites[MAX_SUITES];
static int nr_suites;
static struct case_skip {
	char name[64];	  /* the case */
	char reason[192]; /* printed after "# SKIP " */
} skips[MAX_SKIPS];
static int nr_skips;

void kunit_register_suite(struct kunit_suite *suite)
{
	if (nr_suites < MAX_SUITES)
		suites[nr_suites++] = suite;
}

bool kunit_skip_case(const char *arg)
{
	const char *colon = strchr(arg, ':');

	if (!colon || colon == arg || nr_skips == MAX_SKIPS) {
		fprintf(stderr, "kunit.skip=%s: want kunit.skip=case:reason\n", arg);
		return false;
	}
	snprintf(skips[nr_skips].name, sizeof(skips[nr_skips].name), "%.*s", (int)(colon - arg),
		 arg);
	snprintf(skips[nr_skips].reason, sizeof(skips[nr_skips].reason), "%s", colon + 1);
	nr_skips++;
	return true;
}

static const char *skip_reason(const char *name)
{
	int i;

	for (i = 0; i < nr_skips; i++)
		if (!strcmp(skips[i].name, name))
			return skips[i].reason;
	return NULL;
}

struct kunit *kunit_get_current_test(void)
{
	struct task_struct *task = current;

	return task->kunit_test;
}

void kunit_fail(struct kunit *test, const char *file, int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	test->status = KUNIT_FAILURE;
	printf("    # %s: EXPECTATION FAILED at %s:%d\n    %s\n", test->name, file, line, msg);
}

void __kunit_fail_current_test(const char *file, int line, const char *fmt, ...)
{
	struct kunit *test = kunit_get_current_test();
	char msg[1024];
	va_list ap;

	if (!test)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kunit_fail(test, file, line, "%s", msg);
}

void kunit_mark_skipped(struct kunit *test, const char *fmt, ...)
{
	va_list ap;

	if (test->status == KUNIT_FAILURE)
		return;
	test->status = KUNIT_SKIPPED;
	va_start(ap, fmt);
	vsnprintf(test->status_comment, sizeof(test->status_comment), fmt, ap);
	va_end(ap);
}

void kunit_end_case(struct kunit *test)
{
	pthread_exit(NULL);
}

int kunit_add_named_resource(struct kunit *test, kunit_resource_init_t init,
			     kunit_resource_free_t free, struct kunit_resource *res,
			     const char *name, void *data)
{
	struct kunit_resource *existing = kunit_find_named_resource(test, name);
	int ret = 0;

	if (existing) {
		kunit_put_resource(existing);
		return -EEXIST;
	}
	res->name = name;
	res->free = free;
	res->refcount = 1;
	if (init)
		ret = init(res, data);
	else
		res->data = data;
	if (ret)
		return ret;
	pthread_mutex_lock(&test->lock);
	list_add(&res->node, &test->resources);
	pthread_mutex_unlock(&test->lock);
	return 0;
}

struct kunit_resource *kunit_find_named_resource(struct kunit *test, const char *name)
{
	struct kunit_resource *res, *found = NULL;

	pthread_mutex_lock(&test->lock);
	list_for_each_entry(res, &test->resources, node) {
		if (res->name && !strcmp(res->name, name)) {
			__atomic_add_fetch(&res->refcount, 1, __ATOMIC_RELAXED);
			found = res;
			break;
		}
	}
	pthread_mutex_unlock(&test->lock);
	return found;
}

void kunit_put_resource(struct kunit_resource *res)
{
	if (__atomic_sub_fetch(&res->refcount, 1, __ATOMIC_ACQ_REL) == 0 && res->free)
		res->free(res);
}

/* The case's resources go when it ends, newest first. */
static void release_resources(struct kunit *test)
{
	struct kunit_resource *res, *next;

	pthread_mutex_lock(&test->lock);
	list_for_each_entry_safe(res, next, &test->resources, node) {
		list_del(&res->node);
		pthread_mutex_unlock(&test->lock);
		kunit_put_resource(res);
		pthread_mutex_lock(&test->lock);
	}
	pthread_mutex_unlock(&test->lock);
}

struct case_run {
	struct kunit_suite *suite;
	struct kunit_case *test_case;
	struct kunit *test;
	struct task_struct task;
};

static void case_unregister(void *arg)
{
	rcu_unregister_thread();
}

static void *case_main(void *arg)
{
	struct case_run *run = arg;

	run->task.thread = pthread_self();
	run->task.kunit_test = run->test;
	snprintf(run->task.comm, sizeof(run->task.comm), "kunit_try_catch");
	kthread_set_current(&run->task);
	rcu_register_thread();
	pthread_cleanup_push(case_unregister, NULL);
	if (!run->suite->init || run->suite->init(run->test) == 0) {
		run->test_case->run_case(run->test);
		if (run->suite->exit)
			run->suite->exit(run->test);
	} else {
		kunit_fail(run->test, __FILE__, __LINE__, "the suite's init failed");
	}
	pthread_cleanup_pop(1);
	return NULL;
}

static enum kunit_status run_case(struct kunit_suite *suite, struct kunit_case *test_case, int nr)
{
	struct kunit test = {.name = test_case->name, .status = KUNIT_SUCCESS};
	struct case_run run = {suite, test_case, &test, {0}};
	const char *reason = skip_reason(test_case->name);
	pthread_t thread;

	if (reason) {
		printf("    ok %d %s # SKIP %s\n", nr, test_case->name, reason);
		return KUNIT_SKIPPED;
	}
	INIT_LIST_HEAD(&test.resources);
	pthread_mutex_init(&test.lock, NULL);
	if (pthread_create(&thread, NULL, case_main, &run) != 0) {
		kunit_fail(&test, __FILE__, __LINE__, "could not start the case's thread");
	} else {
		pthread_join(thread, NULL);
	}
	release_resources(&test);
	pthread_mutex_destroy(&test.lock);
	if (test.status == KUNIT_SKIPPED)
		printf("    ok %d %s # SKIP %s\n", nr, test_case->name, test.status_comment);
	else
		printf("    %s %d %s\n", test.status == KUNIT_SUCCESS ? "ok" : "not ok", nr,
		       test_case->name);
	return test.status;
}

int kunit_run_suites(void)
{
	int s, total[3] = {0};

	if (!nr_suites)
		return 0;
	printf("KTAP version 1\n1..%d\n", nr_suites);
	for (s = 0; s < nr_suites; s++) {
		struct kunit_suite *suite = suites[s];
		int n = 0, count[3] = {0};
		struct kunit_case *c;

		for (c = suite->test_cases; c->run_case; c++)
			n++;
		printf("    KTAP version 1\n    # Subtest: %s\n    1..%d\n", suite->name, n);
		if (suite->suite_init && suite->suite_init(suite) != 0) {
			printf("    # %s: suite_init failed\n", suite->name);
			count[KUNIT_FAILURE] = n;
		} else {
			n = 0;
			for (c = suite->test_cases; c->run_case; c++)
				count[run_case(suite, c, ++n)]++;
			if (suite->suite_exit)
				suite->suite_exit(suite);
		}
		printf("    # %s: pass:%d fail:%d skip:%d total:%d\n", suite->name,
		       count[KUNIT_SUCCESS], count[KUNIT_FAILURE], count[KUNIT_SKIPPED],
		       count[0] + count[1] + count[2]);
		printf("%s %d %s\n", count[KUNIT_FAILURE] ? "not ok" : "ok", s + 1, suite->name);
		for (n = 0; n < 3; n++)
			total[n] += count[n];
	}
	printf("# Totals: pass:%d fail:%d skip:%d total:%d\n", total[KUNIT_SUCCESS],
	       total[KUNIT_FAILURE], total[KUNIT_SKIPPED],
	       total[KUNIT_SUCCESS] + total[KUNIT_FAILURE] + total[KUNIT_SKIPPED]);
	return total[KUNIT_FAILURE];
}
