/* SPDX-License-Identifier: MIT */
/*
 * boot/cmdline.c - the parameter table and the command-line parser.
 *
 * A command line is a list of words separated by white space; a word is
 * "name=value" or a bare "name".  As in the kernel, '-' and '_' are the same
 * in names, and the last occurrence of a parameter wins.  No locking: parsing
 * happens in kmm_init() into a caller's struct, before the machine runs.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "boot/cmdline.h"
#include "fault/fault_inject.h"
#include "report/report.h"

struct kmm_params kmm_params;

#define MEM_DEFAULT (1ULL << 30)
#define MEM_MIN	    (16ULL << 20)
#define MEM_MAX	    (4ULL << 40)
#define VMALLOC_MIN (1ULL << 20)
#define VMALLOC_MAX (16ULL << 40)

bool kmm_memparse(const char *s, unsigned long long *out)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno)
		return false;
	switch (*end) {
	case 'E':
	case 'e':
		shift += 10; /* fall through */
	case 'P':
	case 'p':
		shift += 10; /* fall through */
	case 'T':
	case 't':
		shift += 10; /* fall through */
	case 'G':
	case 'g':
		shift += 10; /* fall through */
	case 'M':
	case 'm':
		shift += 10; /* fall through */
	case 'K':
	case 'k':
		shift += 10;
		end++;
		break;
	default:
		break;
	}
	if (*end || (shift && v > (ULLONG_MAX >> shift)))
		return false;
	*out = v << shift;
	return true;
}

static bool parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!*s)
		return false;
	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static bool parse_bool(const char *s, bool *out)
{
	if (!s || !strcmp(s, "1") || !strcmp(s, "y") || !strcmp(s, "Y") || !strcmp(s, "on"))
		*out = true;
	else if (!strcmp(s, "0") || !strcmp(s, "n") || !strcmp(s, "N") || !strcmp(s, "off"))
		*out = false;
	else
		return false;
	return true;
}

static bool set_mem(const char *val, struct kmm_params *p)
{
	unsigned long long v;

	if (!val || !kmm_memparse(val, &v) || v < MEM_MIN || v > MEM_MAX)
		return false;
	p->mem = v;
	return true;
}

static bool set_numa(const char *val, struct kmm_params *p)
{
	long n;

	if (!val || strncmp(val, "fake=", 5) || !parse_long(val + 5, 1, 8, &n))
		return false;
	p->numa_fake = (int)n;
	return true;
}

static bool set_min_free_kbytes(const char *val, struct kmm_params *p)
{
	return val && parse_long(val, 0, 1L << 30, &p->min_free_kbytes);
}

static bool set_vmalloc(const char *val, struct kmm_params *p)
{
	unsigned long long v;

	if (!val || !kmm_memparse(val, &v) || v < VMALLOC_MIN || v > VMALLOC_MAX)
		return false;
	p->vmalloc = v;
	return true;
}

/* highmem=: checked against mem= at boot (at least MEM_MIN of lowmem must stay). */
static bool set_highmem(const char *val, struct kmm_params *p)
{
	unsigned long long v;

	if (!val || !kmm_memparse(val, &v) || v > MEM_MAX)
		return false;
	p->highmem = v;
	return true;
}

static bool set_panic_on_warn(const char *val, struct kmm_params *p)
{
	return parse_bool(val, &p->panic_on_warn);
}

/*
 * slub_debug=: the value is checked when caches are made (slab/debug.c); a
 * bare "slub_debug" means every check on every cache, as in the kernel.
 */
static bool set_slub_debug(const char *val, struct kmm_params *p)
{
	const char *v = val ? val : "FZPU";

	if (strlen(v) >= sizeof(p->slub_debug))
		return false;
	strcpy(p->slub_debug, v);
	return true;
}

static bool set_init_on_alloc(const char *val, struct kmm_params *p)
{
	return parse_bool(val, &p->init_on_alloc);
}

static bool set_init_on_free(const char *val, struct kmm_params *p)
{
	return parse_bool(val, &p->init_on_free);
}

static bool set_debug_pagealloc(const char *val, struct kmm_params *p)
{
	return parse_bool(val, &p->debug_pagealloc);
}

static bool set_page_poison(const char *val, struct kmm_params *p)
{
	return parse_bool(val, &p->page_poison);
}

static bool set_page_reporting_order(const char *val, struct kmm_params *p)
{
	long v;

	if (!val || !parse_long(val, 0, INT_MAX, &v))
		return false;
	p->page_reporting_order = (unsigned int)v;
	return true;
}

/* kmmstat=: a server thread answers the kmmstat tool (stat/server.c). */
static bool set_kmmstat(const char *val, struct kmm_params *p)
{
	return parse_bool(val, &p->kmmstat);
}

/* failslab=, fail_page_alloc=: "<interval>,<probability>,<space>,<times>", as setup_fault_attr(). */
static bool set_failslab(const char *val, struct kmm_params *p)
{
	return fault_attr_parse_setup(&p->failslab, val);
}

static bool set_fail_page_alloc(const char *val, struct kmm_params *p)
{
	return fault_attr_parse_setup(&p->fail_page_alloc, val);
}

/* The knobs of the kernel's debugfs directories, as "<capability>.<knob>=" parameters. */
#define FAULT_KNOB_SETTER(fn, cap, field, knob)                                                    \
	static bool fn(const char *val, struct kmm_params *p)                                      \
	{                                                                                          \
		return fault_attr_parse_knob(&p->field, cap, knob, val);                           \
	}
FAULT_KNOB_SETTER(set_failslab_ignore_gfp_wait, FAULT_FAILSLAB, failslab, "ignore-gfp-wait")
FAULT_KNOB_SETTER(set_failslab_verbose, FAULT_FAILSLAB, failslab, "verbose")
FAULT_KNOB_SETTER(set_fail_page_alloc_ignore_gfp_wait, FAULT_PAGE_ALLOC, fail_page_alloc,
		  "ignore-gfp-wait")
FAULT_KNOB_SETTER(set_fail_page_alloc_ignore_gfp_highmem, FAULT_PAGE_ALLOC, fail_page_alloc,
		  "ignore-gfp-highmem")
FAULT_KNOB_SETTER(set_fail_page_alloc_min_order, FAULT_PAGE_ALLOC, fail_page_alloc, "min-order")
FAULT_KNOB_SETTER(set_fail_page_alloc_verbose, FAULT_PAGE_ALLOC, fail_page_alloc, "verbose")

/* The parameter table: one row per kernel parameter, with what it accepts. */
static const struct kmm_param {
	const char *name;
	bool (*set)(const char *val, struct kmm_params *p);
	const char *accepts;
} param_table[] = {
	{"mem", set_mem, "a size from 16M to 4T, e.g. mem=512M"},
	{"numa", set_numa, "fake=N with N from 1 to 8"},
	{"min_free_kbytes", set_min_free_kbytes, "a number of kilobytes"},
	{"vmalloc", set_vmalloc, "a size from 1M to 16T, e.g. vmalloc=32G"},
	{"highmem", set_highmem, "a size below mem= minus 16M, e.g. highmem=64M"},
	{"panic_on_warn", set_panic_on_warn, "0 or 1"},
	{"slub_debug", set_slub_debug,
	 "flags[,cache,...][;flags[,cache,...]] below 200 characters"},
	{"slab_debug", set_slub_debug,
	 "flags[,cache,...][;flags[,cache,...]] below 200 characters"},
	{"init_on_alloc", set_init_on_alloc, "0 or 1"},
	{"init_on_free", set_init_on_free, "0 or 1"},
	{"debug_pagealloc", set_debug_pagealloc, "on or off"},
	{"page_poison", set_page_poison, "0 or 1"},
	{"page_reporting.page_reporting_order", set_page_reporting_order,
	 "an order; above MAX_PAGE_ORDER (10) turns free page reporting off"},
	{"failslab", set_failslab, "<interval>,<probability>,<space>,<times>, probability 0..100"},
	{"fail_page_alloc", set_fail_page_alloc,
	 "<interval>,<probability>,<space>,<times>, probability 0..100"},
	{"failslab.ignore-gfp-wait", set_failslab_ignore_gfp_wait, "Y or N"},
	{"failslab.verbose", set_failslab_verbose, "0, 1 or 2"},
	{"fail_page_alloc.ignore-gfp-wait", set_fail_page_alloc_ignore_gfp_wait, "Y or N"},
	{"fail_page_alloc.ignore-gfp-highmem", set_fail_page_alloc_ignore_gfp_highmem, "Y or N"},
	{"fail_page_alloc.min-order", set_fail_page_alloc_min_order, "an order"},
	{"fail_page_alloc.verbose", set_fail_page_alloc_verbose, "0, 1 or 2"},
	{"kmmstat", set_kmmstat, "0 or 1"},
};

static void defaults(struct kmm_params *p)
{
	memset(p, 0, sizeof(*p));
	p->mem = MEM_DEFAULT;
	p->numa_fake = 1;
	p->min_free_kbytes = -1;
	p->vmalloc = 0;		     /* sized at boot (boot/machine.c) */
	p->page_reporting_order = 9; /* pageblock_order, the kernel's default */
	fault_attr_defaults(&p->failslab, FAULT_FAILSLAB);
	fault_attr_defaults(&p->fail_page_alloc, FAULT_PAGE_ALLOC);
}

/* Names compare with '-' and '_' as one character, as the kernel's parameq(). */
static bool name_eq(const char *a, const char *b, size_t blen)
{
	size_t i;

	for (i = 0; i < blen; i++) {
		char ca = a[i] == '-' ? '_' : a[i], cb = b[i] == '-' ? '_' : b[i];

		if (!ca || ca != cb)
			return false;
	}
	return a[blen] == '\0';
}

int kmm_parse_cmdline(const char *cmdline, struct kmm_params *params)
{
	const char *s = cmdline ? cmdline : "";

	defaults(params);
	while (*s) {
		char word[256];
		const char *start, *eq;
		size_t len, namelen, i;

		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		start = s;
		while (*s && !isspace((unsigned char)*s))
			s++;
		len = (size_t)(s - start);
		if (len >= sizeof(word)) {
			kmm_report("kmm_init: command line word \"%.32s...\" is too long", start);
			return -EINVAL;
		}
		memcpy(word, start, len);
		word[len] = '\0';
		eq = strchr(word, '=');
		namelen = eq ? (size_t)(eq - word) : len;
		for (i = 0; i < sizeof(param_table) / sizeof(param_table[0]); i++) {
			const struct kmm_param *p = &param_table[i];

			if (!name_eq(p->name, word, namelen))
				continue;
			if (!p->set(eq ? eq + 1 : NULL, params)) {
				kmm_report("kmm_init: invalid value in \"%s\": %s expects %s", word,
					   p->name, p->accepts);
				return -EINVAL;
			}
			break;
		}
		if (i == sizeof(param_table) / sizeof(param_table[0]))
			kmm_info("kmm_init: unknown command line parameter \"%s\", ignored", word);
	}
	return 0;
}
