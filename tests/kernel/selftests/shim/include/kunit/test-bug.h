/* SPDX-License-Identifier: MIT */
/*
 * <kunit/test-bug.h> for the kernel's self-tests: the KUnit test running on
 * the calling thread, for code under test that reports to it.
 *
 * kunit_get_current_test() is a real function here (the kernel's is inline):
 * libkmm's slab debugging refers to it, kunit_find_named_resource() and
 * kunit_put_resource() weakly, to count its error reports in a test's
 * "slab_errors" resource as the kernel's SLUB does.
 */
#ifndef KMM_SHIM_KUNIT_TEST_BUG_H
#define KMM_SHIM_KUNIT_TEST_BUG_H

struct kunit;

struct kunit *kunit_get_current_test(void);
void __kunit_fail_current_test(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define kunit_fail_current_test(fmt, ...)                                                          \
	__kunit_fail_current_test(__FILE__, __LINE__, fmt, ##__VA_ARGS__)

#endif /* KMM_SHIM_KUNIT_TEST_BUG_H */
