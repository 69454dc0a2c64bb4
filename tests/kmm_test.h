/* SPDX-License-Identifier: MIT */
/*
 * kmm_test.h - what the cmocka suites share: capturing the reports libkmm
 * prints on stderr, reading the process's memory use and /proc files, and
 * tearing a test's machine down.
 */
#ifndef KMM_TEST_H
#define KMM_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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

/* The process's resident set, in KiB. */
static inline long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib;
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

#endif /* KMM_TEST_H */
