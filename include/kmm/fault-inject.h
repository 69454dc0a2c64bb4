/* SPDX-License-Identifier: MIT */
/*
 * kmm/fault-inject.h - fault injection: make slab and page allocations fail on
 * purpose, as the kernel's failslab and fail_page_alloc do
 * (Documentation/fault-injection/fault-injection.rst, <linux/fault-inject.h>).
 *
 * Each capability has one set of attributes (the kernel's struct fault_attr
 * plus the capability's own knobs).  They are set at boot from the command
 * line, with the kernel's syntax and defaults:
 *   failslab=<interval>,<probability>,<space>,<times>
 *   fail_page_alloc=<interval>,<probability>,<space>,<times>
 *   failslab.ignore-gfp-wait=Y|N  failslab.verbose=N
 *   fail_page_alloc.ignore-gfp-wait=Y|N  fail_page_alloc.ignore-gfp-highmem=Y|N
 *   fail_page_alloc.min-order=N  fail_page_alloc.verbose=N
 * and read or changed at run time with kmm_fault_attr_get()/kmm_fault_attr_set(),
 * which stand for the kernel's debugfs files (/sys/kernel/debug/failslab/...).
 *
 * An allocation is a candidate when the capability's filters let it through
 * (__GFP_NOFAIL never fails; ignore-gfp-wait skips allocations that may
 * sleep, i.e. with __GFP_DIRECT_RECLAIM such as GFP_KERNEL; failslab with
 * cache-filter=Y skips every cache without SLAB_FAILSLAB, the flag of the
 * cache's "failslab" attribute, kmem_cache_attr_set(); fail_page_alloc also
 * skips orders below min-order and, with ignore-gfp-highmem, __GFP_HIGHMEM).  A candidate then fails when, in this order: probability
 * is not 0, times is not 0, space is used up (each candidate first takes its
 * size, bytes for failslab and pages for fail_page_alloc, from space), it is
 * the interval-th candidate, and a random draw below 100 falls under
 * probability.  Each failure takes one from times (unless times is -1) and,
 * with verbose >= 1, prints "FAULT_INJECTION: forcing a failure." and the
 * attributes (verbose >= 2: and the call trace), unless the allocation has
 * __GFP_NOWARN.  A failed slab allocation returns NULL; a failed page
 * allocation returns NULL without the "page allocation failure" report.
 *
 * "Let N succeed, then fail": space, as the kernel's should_fail_ex() uses
 * it.  A candidate of size S passes while more than S is left and takes S;
 * so with probability 100 and space set to N * S + 1 (anything from that up
 * to (N + 1) * S), exactly N candidates of size S succeed and the next fails
 * (with times 1, only that one; space N * S lets only N - 1 succeed).  For
 * failslab S is the cache's object size (kmem_cache_size()), for
 * fail_page_alloc the pages of the order; only candidates use space up, so
 * with cache-filter=Y only the allocations of the SLAB_FAILSLAB caches count.
 *
 * Context: any thread, at any time; the counters are atomic.  A capability
 * whose probability is not 0 sends every allocation of its kind through the
 * allocator's slow path (the per-CPU caches are bypassed), so that each one
 * is decided; for failslab with cache-filter=Y only the allocations of the
 * SLAB_FAILSLAB caches: the other caches keep their fast path.
 */
#ifndef KMM_FAULT_INJECT_H
#define KMM_FAULT_INJECT_H

#include <stddef.h>
#include <kmm/types.h>

KMM_BEGIN_DECLS

/* The kernel's defaults (FAULT_ATTR_INITIALIZER, mm/failslab.c, mm/fail_page_alloc.c). */
#define KMM_FAULT_DEFAULT_INTERVAL  1
#define KMM_FAULT_DEFAULT_TIMES	    1
#define KMM_FAULT_DEFAULT_VERBOSE   2
#define KMM_FAULT_DEFAULT_MIN_ORDER 1

/*
 * struct kmm_fault_attr - the attributes of one capability, as a snapshot.
 * The names in quotes are the knobs of kmm_fault_attr_set() (the kernel's
 * debugfs file names).
 */
struct kmm_fault_attr {
	/* "probability": percent of the candidates that fail, 0..100 (0: off; default 0) */
	unsigned long probability;
	/* "interval": only every interval-th candidate may fail (default 1: each) */
	unsigned long interval;
	/* "times": failures left; -1 for no limit (default 1) */
	int times;
	/* "space": size the candidates use up before any fails (default 0) */
	int space;
	/* "verbose": 0 quiet, 1 a report per failure, 2 also the call trace (default 2) */
	unsigned long verbose;
	/* "verbose_ratelimit_interval_ms", "verbose_ratelimit_burst": at most burst
	 * reports per interval; an interval of 0 (the default) means no limit */
	unsigned int verbose_ratelimit_interval_ms;
	unsigned int verbose_ratelimit_burst;
	/* "ignore-gfp-wait": allocations that may sleep never fail (default Y) */
	bool ignore_gfp_wait;
	/* "ignore-gfp-highmem" (fail_page_alloc only): __GFP_HIGHMEM never fails (default Y) */
	bool ignore_gfp_highmem;
	/* "min-order" (fail_page_alloc only): smaller orders never fail (default 1) */
	unsigned int min_order;
	/* "cache-filter" (failslab only): only caches with SLAB_FAILSLAB fail (default N) */
	bool cache_filter;
	/* candidates counted for the interval so far (read only) */
	unsigned long count;
};

/**
 * kmm_fault_attr_get - a snapshot of a capability's attributes.
 * @name: "failslab" or "fail_page_alloc".
 * @attr: filled in.
 *
 * Context: any.  Before the first boot: the kernel's defaults.
 * Return: 0, or -ENOENT for an unknown @name.
 */
int kmm_fault_attr_get(const char *name, struct kmm_fault_attr *attr);

/**
 * kmm_fault_attr_set - change one attribute, as writing a debugfs file would.
 * @name: "failslab" or "fail_page_alloc".
 * @knob: "probability", "interval", "times", "space", "verbose",
 *        "verbose_ratelimit_interval_ms", "verbose_ratelimit_burst",
 *        "ignore-gfp-wait"; for failslab also "cache-filter"; for
 *        fail_page_alloc also "ignore-gfp-highmem" and "min-order" ('-' and
 *        '_' are the same).
 * @value: a decimal number (times: -1 for no limit; probability 0..100;
 *         interval at least 1), or Y/N/1/0/on/off for a boolean.
 *
 * Context: any thread that is not inside a libkmm call (it may wait for every
 * CPU to drain its per-CPU page lists when fail_page_alloc is switched on).
 * The change holds until it is changed again or the next kmm_init(), which
 * sets every attribute from its command line.
 * Return: 0, -ENOENT for an unknown @name or @knob, -EINVAL for a bad @value.
 */
int kmm_fault_attr_set(const char *name, const char *knob, const char *value);

KMM_END_DECLS

#endif /* KMM_FAULT_INJECT_H */
