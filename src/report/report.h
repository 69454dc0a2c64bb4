/* SPDX-License-Identifier: MIT */
/*
 * report/report.h - how libkmm tells the user something went wrong.
 *
 * Every report goes to stderr
 * as whole lines under one lock, so reports of two threads never interleave.
 * After a report that the kernel would count as a warning or a BUG,
 * kmm_report_end() aborts if panic_on_warn=1.
 */
#ifndef KMM_REPORT_H
#define KMM_REPORT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <kmm/types.h>

/* Ratelimit state, the kernel's DEFINE_RATELIMIT_STATE(name, 5 * HZ, 10). */
struct kmm_ratelimit {
	long long begin_ns; /* start of the current interval */
	int printed;	    /* reports printed in it */
	int missed;	    /* reports suppressed in it */
};
#define KMM_RATELIMIT_INIT                                                                         \
	{                                                                                          \
		0, 0, 0                                                                            \
	}

/* kmm_report_begin - take the report lock; print with kmm_pr(), finish with kmm_report_end(). */
void kmm_report_begin(void);
/*
 * kmm_report_begin_quiet - kmm_report_begin() for a report that was counted
 * instead of printed (a KUnit test counts slab errors, slab/debug.c): its
 * kmm_pr() lines are dropped and its kmm_report_end() is no warning.
 */
void kmm_report_begin_quiet(void);
void kmm_pr(const char *fmt, ...) kmm_format(1, 2);
/* @warn: true for a warning or BUG (honours panic_on_warn), false for information. */
void kmm_report_end(bool warn);

/* kmm_report - a whole one-line warning: begin, the line, end. */
void kmm_report(const char *fmt, ...) kmm_format(1, 2);
/* kmm_info - a one-line notice (not a warning: panic_on_warn ignores it). */
void kmm_info(const char *fmt, ...) kmm_format(1, 2);

/* __ratelimit - true if a report may be printed now (10 per 5 seconds). */
bool kmm_ratelimit(struct kmm_ratelimit *rs);

/* kmm_current_comm - the calling thread's name, as the kernel's current->comm. */
const char *kmm_current_comm(char buf[16]);

extern bool kmm_panic_on_warn;

/* kmm_report_fork_child - in a forked child: a fresh report lock (its holder may be gone). */
void kmm_report_fork_child(void);

#endif /* KMM_REPORT_H */
