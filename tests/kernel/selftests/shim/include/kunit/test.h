/* SPDX-License-Identifier: MIT */
/*
 * <kunit/test.h> for the kernel's self-tests: KUnit's test cases, suites,
 * expectations and skips, run by shim/kunit.c in one process.
 *
 * kunit_test_suite() registers a suite (a constructor, before main()); the
 * shim's main() runs every registered suite, each case on its own kthread
 * (so a failed assertion or kunit_skip() ends just that case, as KUnit's
 * try-catch does), and prints KTAP: "ok N name", "not ok N name",
 * "ok N name # SKIP reason", and per suite "# name: pass:P fail:F skip:S
 * total:T".  The program exits nonzero if any case failed.
 *
 * The program's arguments may name cases to skip, "kunit.skip=case:reason"
 * (the build passes them for the cases that read SLUB's private fields).
 */
#ifndef KMM_SHIM_KUNIT_TEST_H
#define KMM_SHIM_KUNIT_TEST_H

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <kunit/resource.h>
#include <kunit/test-bug.h>

enum kunit_status {
	KUNIT_SUCCESS,
	KUNIT_FAILURE,
	KUNIT_SKIPPED,
};

struct kunit_case {
	void (*run_case)(struct kunit *test); /* the case */
	const char *name;		      /* its name */
	const char *module_name;	      /* the module that defines it */
};

struct kunit_suite {
	const char name[256];			  /* the suite's name */
	int (*suite_init)(struct kunit_suite *);  /* before the first case */
	void (*suite_exit)(struct kunit_suite *); /* after the last */
	int (*init)(struct kunit *test);	  /* before each case */
	void (*exit)(struct kunit *test);	  /* after each case */
	struct kunit_case *test_cases;		  /* the cases, ended by an empty one */
};

/* One running case. */
struct kunit {
	const char *name;	    /* the case's name */
	enum kunit_status status;   /* how it went so far */
	char status_comment[256];   /* a skip's reason */
	struct list_head resources; /* its resources, newest first (resource.c) */
	pthread_mutex_t lock;	    /* protects resources */
};

#define KUNIT_CASE(test_name)                                                                      \
	{                                                                                          \
		.run_case = test_name, .name = #test_name, .module_name = KBUILD_MODNAME           \
	}

void kunit_register_suite(struct kunit_suite *suite);
#define kunit_test_suites(...)                                                                     \
	__attribute__((constructor)) static void __kmm_kunit_register(void)                        \
	{                                                                                          \
		struct kunit_suite *suites[] = {__VA_ARGS__};                                      \
		for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)                    \
			kunit_register_suite(suites[i]);                                           \
	}
#define kunit_test_suite(suite) kunit_test_suites(&(suite))

/* kunit_fail_current - record a failed expectation (file, line, what) on @test. */
void kunit_fail(struct kunit *test, const char *file, int line, const char *fmt, ...)
	__printf(4, 5);
/* kunit_end_case - end the running case now (its kthread exits). */
void kunit_end_case(struct kunit *test) __attribute__((noreturn));
void kunit_mark_skipped(struct kunit *test, const char *fmt, ...) __printf(2, 3);

#define kunit_skip(test, fmt, ...)                                                                 \
	do {                                                                                       \
		kunit_mark_skipped((test), fmt, ##__VA_ARGS__);                                    \
		kunit_end_case(test);                                                              \
	} while (0)
#define kunit_info(test, fmt, ...)     printk("    # %s: " fmt, (test)->name, ##__VA_ARGS__)
#define kunit_err(test, fmt, ...)      printk("    # %s: " fmt, (test)->name, ##__VA_ARGS__)
#define kunit_log(lvl, test, fmt, ...) printk(fmt, ##__VA_ARGS__)

/* Binary comparisons: both sides once, as integers (long long) or pointers. */
#define __KUNIT_BINARY(test, assert, type, left, op, right)                                        \
	do {                                                                                       \
		type __kmm_l = (type)(left);                                                       \
		type __kmm_r = (type)(right);                                                      \
		if (!(__kmm_l op __kmm_r)) {                                                       \
			kunit_fail(test, __FILE__, __LINE__,                                       \
				   "Expected %s %s %s, but\n        %s == %lld (0x%llx)\n"         \
				   "        %s == %lld (0x%llx)",                                  \
				   #left, #op, #right, #left, (long long)__kmm_l,                  \
				   (unsigned long long)__kmm_l, #right, (long long)__kmm_r,        \
				   (unsigned long long)__kmm_r);                                   \
			if (assert)                                                                \
				kunit_end_case(test);                                              \
		}                                                                                  \
	} while (0)
#define __KUNIT_PTR(test, assert, left, op, right)                                                 \
	__KUNIT_BINARY(test, assert, uintptr_t, (uintptr_t)(left), op, (uintptr_t)(right))
#define __KUNIT_TRUE(test, assert, cond, want)                                                     \
	do {                                                                                       \
		if (!!(cond) != (want)) {                                                          \
			kunit_fail(test, __FILE__, __LINE__, "Expected %s to be %s", #cond,        \
				   (want) ? "true" : "false");                                     \
			if (assert)                                                                \
				kunit_end_case(test);                                              \
		}                                                                                  \
	} while (0)

#define KUNIT_EXPECT_EQ(test, l, r)	      __KUNIT_BINARY(test, 0, long long, l, ==, r)
#define KUNIT_EXPECT_NE(test, l, r)	      __KUNIT_BINARY(test, 0, long long, l, !=, r)
#define KUNIT_EXPECT_LT(test, l, r)	      __KUNIT_BINARY(test, 0, long long, l, <, r)
#define KUNIT_EXPECT_LE(test, l, r)	      __KUNIT_BINARY(test, 0, long long, l, <=, r)
#define KUNIT_EXPECT_GT(test, l, r)	      __KUNIT_BINARY(test, 0, long long, l, >, r)
#define KUNIT_EXPECT_GE(test, l, r)	      __KUNIT_BINARY(test, 0, long long, l, >=, r)
#define KUNIT_ASSERT_EQ(test, l, r)	      __KUNIT_BINARY(test, 1, long long, l, ==, r)
#define KUNIT_ASSERT_NE(test, l, r)	      __KUNIT_BINARY(test, 1, long long, l, !=, r)
#define KUNIT_ASSERT_LT(test, l, r)	      __KUNIT_BINARY(test, 1, long long, l, <, r)
#define KUNIT_ASSERT_LE(test, l, r)	      __KUNIT_BINARY(test, 1, long long, l, <=, r)
#define KUNIT_ASSERT_GT(test, l, r)	      __KUNIT_BINARY(test, 1, long long, l, >, r)
#define KUNIT_ASSERT_GE(test, l, r)	      __KUNIT_BINARY(test, 1, long long, l, >=, r)
#define KUNIT_EXPECT_PTR_EQ(test, l, r)	      __KUNIT_PTR(test, 0, l, ==, r)
#define KUNIT_EXPECT_PTR_NE(test, l, r)	      __KUNIT_PTR(test, 0, l, !=, r)
#define KUNIT_ASSERT_PTR_EQ(test, l, r)	      __KUNIT_PTR(test, 1, l, ==, r)
#define KUNIT_ASSERT_PTR_NE(test, l, r)	      __KUNIT_PTR(test, 1, l, !=, r)
#define KUNIT_EXPECT_NULL(test, p)	      __KUNIT_PTR(test, 0, p, ==, NULL)
#define KUNIT_EXPECT_NOT_NULL(test, p)	      __KUNIT_PTR(test, 0, p, !=, NULL)
#define KUNIT_ASSERT_NOT_NULL(test, p)	      __KUNIT_PTR(test, 1, p, !=, NULL)
#define KUNIT_EXPECT_NOT_ERR_OR_NULL(test, p) __KUNIT_TRUE(test, 0, !IS_ERR_OR_NULL(p), true)
#define KUNIT_ASSERT_NOT_ERR_OR_NULL(test, p) __KUNIT_TRUE(test, 1, !IS_ERR_OR_NULL(p), true)
#define KUNIT_EXPECT_TRUE(test, c)	      __KUNIT_TRUE(test, 0, c, true)
#define KUNIT_EXPECT_FALSE(test, c)	      __KUNIT_TRUE(test, 0, c, false)
#define KUNIT_ASSERT_TRUE(test, c)	      __KUNIT_TRUE(test, 1, c, true)
#define KUNIT_ASSERT_FALSE(test, c)	      __KUNIT_TRUE(test, 1, c, false)
#define KUNIT_FAIL(test, fmt, ...)	      kunit_fail(test, __FILE__, __LINE__, fmt, ##__VA_ARGS__)

#endif /* KMM_SHIM_KUNIT_TEST_H */
