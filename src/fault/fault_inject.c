/* SPDX-License-Identifier: MIT */
/*
 * fault/fault_inject.c - failslab and fail_page_alloc: the attributes, the
 * decision (the kernel's should_fail_ex()), the verbose report, and the
 * run-time interface that stands for the kernel's debugfs files.
 *
 * Each capability owns one struct fault_attr.  Its fields are read without a
 * lock by every allocation that asks (relaxed atomics: a change made by
 * kmm_fault_attr_set() is seen by the next allocations, not necessarily all
 * at once), and written by kmm_fault_attr_set() and at boot.  times, space
 * and count change on the allocation paths, with atomic read-modify-writes,
 * so that "times=N" fails exactly N allocations however many threads race.
 * A capability is active (fault_cap_active) only while armed: from the end of
 * boot (fault_inject_init()) to the start of teardown (fault_inject_exit()),
 * so the boot's and teardown's own allocations never fail and
 * spend nothing; the library's later bookkeeping is spared per thread by
 * memalloc_nofault_save() (current_nofault).
 *
 * Locking: fault_set_lock serialises writers (kmm_fault_attr_set(),
 * fault_inject_init() and fault_inject_exit()), so that the active flags and
 * what follows them (the subsystems' fault_switched hooks, which boot hands
 * over with fault_inject_setup(): the page allocator's per-CPU lists, the slab
 * caches' bypass) follow the last write.  It is taken with no other libkmm
 * lock held and may be held across kmm_on_each_cpu() (through those hooks):
 * nothing that holds a CPU takes it.  ratelimit_lock protects the
 * verbose reports' rate-limit state; nothing is taken under it.
 */
#include <ctype.h>
#include <errno.h>
#include <execinfo.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <kmm/kmm.h>
#include "boot/subsys.h"
#include "fault/fault_inject.h"
#include "report/report.h"
#include "slab/slab.h"

/* The kernel's struct fault_attr with the capability's own knobs (all atomics). */
struct fault_attr {
	const char *name;	     /* "failslab", "fail_page_alloc" */
	unsigned long probability;   /* percent; 0: the capability is off */
	unsigned long interval;	     /* every interval-th candidate may fail */
	int times;		     /* failures left, -1: no limit */
	int space;		     /* size left before failures start */
	unsigned long verbose;	     /* 0, 1: the report, 2: and the call trace */
	unsigned int rl_interval_ms; /* verbose_ratelimit_interval_ms, 0: no limit */
	unsigned int rl_burst;	     /* verbose_ratelimit_burst */
	bool ignore_gfp_wait;	     /* skip allocations with __GFP_DIRECT_RECLAIM */
	bool ignore_gfp_highmem;     /* fail_page_alloc: skip __GFP_HIGHMEM */
	unsigned int min_order;	     /* fail_page_alloc: skip smaller orders */
	bool cache_filter;	     /* failslab: only caches with SLAB_FAILSLAB */
	unsigned long count;	     /* candidates that reached the interval test */
	/* verbose rate limit, under ratelimit_lock */
	long long rl_begin_ns;
	unsigned int rl_printed;
};

bool fault_cap_active[NR_FAULT_CAPS];
__thread bool current_nofault __attribute__((tls_model("initial-exec")));
/* the boot has ended: a capability with a probability is active (under fault_set_lock) */
static bool fault_armed;

static struct fault_attr fault_attrs[NR_FAULT_CAPS] = {
	[FAULT_FAILSLAB] = {.name = "failslab",
			    .interval = KMM_FAULT_DEFAULT_INTERVAL,
			    .times = KMM_FAULT_DEFAULT_TIMES,
			    .verbose = KMM_FAULT_DEFAULT_VERBOSE,
			    .ignore_gfp_wait = true},
	[FAULT_PAGE_ALLOC] = {.name = "fail_page_alloc",
			      .interval = KMM_FAULT_DEFAULT_INTERVAL,
			      .times = KMM_FAULT_DEFAULT_TIMES,
			      .verbose = KMM_FAULT_DEFAULT_VERBOSE,
			      .ignore_gfp_wait = true,
			      .ignore_gfp_highmem = true,
			      .min_order = KMM_FAULT_DEFAULT_MIN_ORDER},
};

static pthread_mutex_t fault_set_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t ratelimit_lock = PTHREAD_MUTEX_INITIALIZER;

#define LOAD(x)	    __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

/* Parsing, shared by the command line and kmm_fault_attr_set(). */

static void fault_attr_defaults(struct kmm_fault_attr *attr, enum fault_cap cap)
{
	memset(attr, 0, sizeof(*attr));
	attr->interval = KMM_FAULT_DEFAULT_INTERVAL;
	attr->times = KMM_FAULT_DEFAULT_TIMES;
	attr->verbose = KMM_FAULT_DEFAULT_VERBOSE;
	attr->ignore_gfp_wait = true;
	if (cap == FAULT_PAGE_ALLOC) {
		attr->ignore_gfp_highmem = true;
		attr->min_order = KMM_FAULT_DEFAULT_MIN_ORDER;
	}
}

static bool parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

static bool parse_int(const char *s, long min, long max, int *out)
{
	long v;
	char *end;

	if (!s || !*s)
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = (int)v;
	return true;
}

/* A debugfs boolean: Y/N, 1/0, on/off (any case); a bare parameter means Y. */
static bool parse_bool(const char *s, bool *out)
{
	if (!s || !strcmp(s, "1") || !strcasecmp(s, "y") || !strcasecmp(s, "on"))
		*out = true;
	else if (!strcmp(s, "0") || !strcasecmp(s, "n") || !strcasecmp(s, "off"))
		*out = false;
	else
		return false;
	return true;
}

static bool fault_attr_parse_setup(struct kmm_fault_attr *attr, const char *value)
{
	char buf[96], *field[4], *save = NULL, *tok;
	unsigned long interval, probability;
	int i, space, times;

	if (!value || strlen(value) >= sizeof(buf))
		return false;
	strcpy(buf, value);
	for (i = 0, tok = strtok_r(buf, ",", &save); tok && i < 4; tok = strtok_r(NULL, ",", &save))
		field[i++] = tok;
	if (i != 4 || tok)
		return false;
	if (!parse_ulong(field[0], ULONG_MAX, &interval) || !interval ||
	    !parse_ulong(field[1], 100, &probability) || !parse_int(field[2], 0, INT_MAX, &space) ||
	    !parse_int(field[3], -1, INT_MAX, &times))
		return false;
	attr->interval = interval;
	attr->probability = probability;
	attr->space = space;
	attr->times = times;
	return true;
}

/* Knob names compare with '-' and '_' as one character, as the command line's. */
static bool knob_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if ((*a == '-' ? '_' : *a) != (*b == '-' ? '_' : *b))
			return false;
	return *a == *b;
}

static bool fault_attr_parse_knob(struct kmm_fault_attr *attr, enum fault_cap cap, const char *knob,
				  const char *value)
{
	unsigned long v;

	if (knob_eq(knob, "probability"))
		return parse_ulong(value, 100, &attr->probability);
	if (knob_eq(knob, "interval"))
		return parse_ulong(value, ULONG_MAX, &v) && v && (attr->interval = v);
	if (knob_eq(knob, "times"))
		return parse_int(value, -1, INT_MAX, &attr->times);
	if (knob_eq(knob, "space"))
		return parse_int(value, 0, INT_MAX, &attr->space);
	if (knob_eq(knob, "verbose"))
		return parse_ulong(value, ULONG_MAX, &attr->verbose);
	if (knob_eq(knob, "verbose_ratelimit_interval_ms"))
		return parse_ulong(value, UINT_MAX, &v) &&
		       ((attr->verbose_ratelimit_interval_ms = (unsigned int)v), true);
	if (knob_eq(knob, "verbose_ratelimit_burst"))
		return parse_ulong(value, UINT_MAX, &v) &&
		       ((attr->verbose_ratelimit_burst = (unsigned int)v), true);
	if (knob_eq(knob, "ignore-gfp-wait"))
		return parse_bool(value, &attr->ignore_gfp_wait);
	if (cap == FAULT_PAGE_ALLOC && knob_eq(knob, "ignore-gfp-highmem"))
		return parse_bool(value, &attr->ignore_gfp_highmem);
	if (cap == FAULT_PAGE_ALLOC && knob_eq(knob, "min-order"))
		return parse_ulong(value, UINT_MAX, &v) &&
		       ((attr->min_order = (unsigned int)v), true);
	if (cap == FAULT_FAILSLAB && knob_eq(knob, "cache-filter"))
		return parse_bool(value, &attr->cache_filter);
	return false;
}

/* Installing and reading whole attribute sets. */

static void attr_snapshot(const struct fault_attr *fa, struct kmm_fault_attr *attr)
{
	attr->probability = LOAD(fa->probability);
	attr->interval = LOAD(fa->interval);
	attr->times = LOAD(fa->times);
	attr->space = LOAD(fa->space);
	attr->verbose = LOAD(fa->verbose);
	attr->verbose_ratelimit_interval_ms = LOAD(fa->rl_interval_ms);
	attr->verbose_ratelimit_burst = LOAD(fa->rl_burst);
	attr->ignore_gfp_wait = LOAD(fa->ignore_gfp_wait);
	attr->ignore_gfp_highmem = LOAD(fa->ignore_gfp_highmem);
	attr->min_order = LOAD(fa->min_order);
	attr->cache_filter = LOAD(fa->cache_filter);
	attr->count = LOAD(fa->count);
}

/* attr_install - make @attr the capability's attributes; fault_set_lock held. */
static void attr_install(enum fault_cap cap, const struct kmm_fault_attr *attr)
{
	struct fault_attr *fa = &fault_attrs[cap];

	STORE(fa->interval, attr->interval);
	STORE(fa->times, attr->times);
	STORE(fa->space, attr->space);
	STORE(fa->verbose, attr->verbose);
	STORE(fa->rl_interval_ms, attr->verbose_ratelimit_interval_ms);
	STORE(fa->rl_burst, attr->verbose_ratelimit_burst);
	STORE(fa->ignore_gfp_wait, attr->ignore_gfp_wait);
	STORE(fa->ignore_gfp_highmem, attr->ignore_gfp_highmem);
	STORE(fa->min_order, attr->min_order);
	STORE(fa->cache_filter, attr->cache_filter);
	/* probability last: the capability switches on with everything else in place */
	STORE(fa->probability, attr->probability);
	STORE(fault_cap_active[cap], fault_armed && attr->probability != 0);
}

static int cap_by_name(const char *name)
{
	int cap;

	for (cap = 0; name && cap < NR_FAULT_CAPS; cap++)
		if (knob_eq(name, fault_attrs[cap].name))
			return cap;
	return -1;
}

int kmm_fault_attr_get(const char *name, struct kmm_fault_attr *attr)
{
	int cap = cap_by_name(name);

	if (cap < 0)
		return -ENOENT;
	attr_snapshot(&fault_attrs[cap], attr);
	return 0;
}

/* Whether @knob names an attribute of @cap (for -ENOENT against -EINVAL). */
static bool knob_exists(enum fault_cap cap, const char *knob)
{
	static const char *const common[] = {"probability",
					     "interval",
					     "times",
					     "space",
					     "verbose",
					     "verbose_ratelimit_interval_ms",
					     "verbose_ratelimit_burst",
					     "ignore-gfp-wait"};
	size_t i;

	for (i = 0; i < sizeof(common) / sizeof(common[0]); i++)
		if (knob_eq(knob, common[i]))
			return true;
	if (cap == FAULT_FAILSLAB)
		return knob_eq(knob, "cache-filter");
	return knob_eq(knob, "ignore-gfp-highmem") || knob_eq(knob, "min-order");
}

/* The subsystems' reactions to a capability being switched, handed over by boot. */
static void (*const *switch_hooks)(int cap);
static size_t nr_switch_hooks;

void fault_inject_setup(void (*const *hooks)(int cap), size_t n)
{
	switch_hooks = hooks;
	nr_switch_hooks = n;
}

/* fault_switched - capability @cap changed: every subsystem that follows it adapts. */
static void fault_switched(int cap)
{
	size_t i;

	for (i = 0; i < nr_switch_hooks; i++)
		switch_hooks[i](cap);
}

int kmm_fault_attr_set(const char *name, const char *knob, const char *value)
{
	int cap = cap_by_name(name);
	struct kmm_fault_attr attr;

	if (cap < 0 || !knob || !knob_exists((enum fault_cap)cap, knob))
		return -ENOENT;
	pthread_mutex_lock(&fault_set_lock);
	attr_snapshot(&fault_attrs[cap], &attr);
	if (!fault_attr_parse_knob(&attr, (enum fault_cap)cap, knob, value)) {
		pthread_mutex_unlock(&fault_set_lock);
		return -EINVAL;
	}
	attr_install((enum fault_cap)cap, &attr);
	/* Writing "interval" restarts its count, so "every Nth from now" holds. */
	if (knob_eq(knob, "interval"))
		STORE(fault_attrs[cap].count, 0);
	if (kmm_booted())
		fault_switched(cap);
	pthread_mutex_unlock(&fault_set_lock);
	return 0;
}

/* The command line's attributes (failslab=, fail_page_alloc= and their knobs). */
static struct kmm_fault_attr cmdline_attrs[NR_FAULT_CAPS];

/*
 * At the end of a boot: the command line's attributes, counters at zero, and
 * the capabilities armed; what boot made with them off now follows them, as
 * after kmm_fault_attr_set().  From here on the program's allocations are
 * candidates.
 */
static int fault_inject_init(void)
{
	int cap;

	pthread_mutex_lock(&fault_set_lock);
	fault_armed = true;
	for (cap = 0; cap < NR_FAULT_CAPS; cap++) {
		attr_install((enum fault_cap)cap, &cmdline_attrs[cap]);
		STORE(fault_attrs[cap].count, 0);
		if (LOAD(fault_cap_active[cap]))
			fault_switched(cap);
	}
	pthread_mutex_unlock(&fault_set_lock);
	return 0;
}

/* At teardown, first: nothing fails any more; the attributes stay for kmm_fault_attr_get(). */
static void fault_inject_exit(void)
{
	int cap;

	pthread_mutex_lock(&fault_set_lock);
	fault_armed = false;
	for (cap = 0; cap < NR_FAULT_CAPS; cap++)
		STORE(fault_cap_active[cap], false);
	pthread_mutex_unlock(&fault_set_lock);
}

static enum fault_cap param_cap(const struct kmm_param *p)
{
	return (enum fault_cap)((struct kmm_fault_attr *)p->var - cmdline_attrs);
}

/* failslab=, fail_page_alloc=: "<interval>,<probability>,<space>,<times>", as setup_fault_attr(). */
static bool parse_setup_param(const struct kmm_param *p, const char *val)
{
	return fault_attr_parse_setup(p->var, val);
}

static void setup_param_default(const struct kmm_param *p)
{
	fault_attr_defaults(p->var, param_cap(p));
}

/* "<capability>.<knob>=": the knobs of the kernel's debugfs directory. */
static bool parse_knob_param(const struct kmm_param *p, const char *val)
{
	return fault_attr_parse_knob(p->var, param_cap(p), strchr(p->name, '.') + 1, val);
}

#define SETUP_ACCEPTS "<interval>,<probability>,<space>,<times>, probability 0..100"
#define KNOB_PARAM(cap, name, def, acc, help)                                                      \
	KMM_PARAM_CUSTOM_VAR(name, cmdline_attrs[cap], parse_knob_param, NULL, def, acc, help)
static const struct kmm_param fault_params[] = {
	KMM_PARAM_CUSTOM_VAR("failslab", cmdline_attrs[FAULT_FAILSLAB], parse_setup_param,
			     setup_param_default, "1,0,0,1 (off)", SETUP_ACCEPTS,
			     "fail slab allocations (the kernel's failslab)"),
	KMM_PARAM_CUSTOM_VAR("fail_page_alloc", cmdline_attrs[FAULT_PAGE_ALLOC], parse_setup_param,
			     setup_param_default, "1,0,0,1 (off)", SETUP_ACCEPTS,
			     "fail page allocations (the kernel's fail_page_alloc)"),
	KNOB_PARAM(FAULT_FAILSLAB, "failslab.ignore-gfp-wait", "Y", "Y or N",
		   "failslab skips allocations that may sleep"),
	KNOB_PARAM(FAULT_FAILSLAB, "failslab.verbose", "2", "0, 1 or 2",
		   "failslab's report of each failure: 1 a line, 2 and the call trace"),
	KNOB_PARAM(FAULT_PAGE_ALLOC, "fail_page_alloc.ignore-gfp-wait", "Y", "Y or N",
		   "fail_page_alloc skips allocations that may sleep"),
	KNOB_PARAM(FAULT_PAGE_ALLOC, "fail_page_alloc.ignore-gfp-highmem", "Y", "Y or N",
		   "fail_page_alloc skips __GFP_HIGHMEM allocations"),
	KNOB_PARAM(FAULT_PAGE_ALLOC, "fail_page_alloc.min-order", "1", "an order",
		   "fail_page_alloc skips smaller orders"),
	KNOB_PARAM(FAULT_PAGE_ALLOC, "fail_page_alloc.verbose", "2", "0, 1 or 2",
		   "fail_page_alloc's report of each failure: 1 a line, 2 and the call trace"),
};

/* Fault injection is armed last, so that only the program's allocations are candidates. */
const struct kmm_subsys kmm_fault_subsys = {
	.name = "fault",
	KMM_SUBSYS_PARAMS(fault_params),
	.init = fault_inject_init,
	.exit = fault_inject_exit,
};

/* The decision. */

/* A random number below 100, from a per-thread xorshift64* generator. */
static unsigned int random_below_100(void)
{
	static __thread uint64_t state;
	uint64_t x = state;

	if (!x) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		x = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ (uintptr_t)&state;
		x |= 1;
	}
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	state = x;
	return (unsigned int)(((x * 0x2545F4914F6CDD1DULL) >> 32) % 100);
}

static bool verbose_ratelimit(struct fault_attr *fa)
{
	unsigned int interval_ms = LOAD(fa->rl_interval_ms);
	struct timespec ts;
	long long now;
	bool ok;

	if (!interval_ms)
		return true;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = ts.tv_sec * 1000000000LL + ts.tv_nsec;
	pthread_mutex_lock(&ratelimit_lock);
	if (!fa->rl_begin_ns || now - fa->rl_begin_ns >= interval_ms * 1000000LL) {
		fa->rl_begin_ns = now;
		fa->rl_printed = 0;
	}
	ok = fa->rl_printed < LOAD(fa->rl_burst);
	if (ok)
		fa->rl_printed++;
	pthread_mutex_unlock(&ratelimit_lock);
	return ok;
}

/* fail_dump - the kernel's report of an injected failure (a notice, not a warning). */
static void fail_dump(struct fault_attr *fa)
{
	unsigned long verbose = LOAD(fa->verbose);
	char comm[16];

	if (!verbose || !verbose_ratelimit(fa))
		return;
	kmm_report_begin();
	kmm_pr("FAULT_INJECTION: forcing a failure.\n"
	       "name %s, interval %lu, probability %lu, space %d, times %d\n",
	       fa->name, LOAD(fa->interval), LOAD(fa->probability), LOAD(fa->space),
	       LOAD(fa->times));
	if (verbose > 1) {
		void *frames[32];
		int n = backtrace(frames, 32);

		kmm_pr("CPU: %d PID: %d Comm: %s\nCall Trace:\n", smp_processor_id(), (int)getpid(),
		       kmm_current_comm(comm));
		fflush(stderr);
		/* frames[0] is fail_dump itself */
		backtrace_symbols_fd(frames + 1, n - 1, STDERR_FILENO);
	}
	kmm_report_end(false);
}

/* should_fail - the kernel's should_fail_ex() for a candidate of @size. */
static bool should_fail(struct fault_attr *fa, int size, bool nowarn)
{
	unsigned long interval, probability = LOAD(fa->probability);
	int times, space;

	if (!probability)
		return false;
	if (!LOAD(fa->times))
		return false;
	/* Use up space first: each candidate takes its size while more than that is left. */
	space = LOAD(fa->space);
	while (space > size)
		if (__atomic_compare_exchange_n(&fa->space, &space, space - size, false,
						__ATOMIC_RELAXED, __ATOMIC_RELAXED))
			return false;
	interval = LOAD(fa->interval);
	if (interval > 1 && __atomic_add_fetch(&fa->count, 1, __ATOMIC_RELAXED) % interval)
		return false;
	if (probability <= random_below_100())
		return false;
	/* times: take one unless it is -1 (no limit); a racer that took the last one wins. */
	times = LOAD(fa->times);
	do {
		if (!times)
			return false;
		if (times == -1)
			break;
	} while (!__atomic_compare_exchange_n(&fa->times, &times, times - 1, false,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	if (!nowarn)
		fail_dump(fa);
	return true;
}

bool should_failslab(struct kmem_cache *s, gfp_t gfp)
{
	struct fault_attr *fa = &fault_attrs[FAULT_FAILSLAB];

	if ((gfp & __GFP_NOFAIL) || current_nofault)
		return false;
	if (LOAD(fa->ignore_gfp_wait) && (gfp & __GFP_DIRECT_RECLAIM))
		return false;
	if (LOAD(fa->cache_filter) && !(s && (LOAD(s->flags) & SLAB_FAILSLAB)))
		return false;
	return should_fail(fa, s ? (int)s->object_size : 0, gfp & __GFP_NOWARN);
}

bool failslab_cache_candidate(const struct kmem_cache *s)
{
	return !LOAD(fault_attrs[FAULT_FAILSLAB].cache_filter) || (LOAD(s->flags) & SLAB_FAILSLAB);
}

bool should_fail_alloc_page(gfp_t gfp, unsigned int order)
{
	struct fault_attr *fa = &fault_attrs[FAULT_PAGE_ALLOC];

	if (order < LOAD(fa->min_order))
		return false;
	if ((gfp & __GFP_NOFAIL) || current_nofault)
		return false;
	if (LOAD(fa->ignore_gfp_highmem) && (gfp & __GFP_HIGHMEM))
		return false;
	if (LOAD(fa->ignore_gfp_wait) && (gfp & __GFP_DIRECT_RECLAIM))
		return false;
	return should_fail(fa, 1 << order, gfp & __GFP_NOWARN);
}
