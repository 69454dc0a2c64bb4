/* SPDX-License-Identifier: MIT */
/*
 * boot/cmdline.c - the command-line parser, over the parameters every
 * subsystem declares (struct kmm_param, boot/subsys.h).
 *
 * A command line is a list of words separated by white space; a word is
 * "name=value" or a bare "name".  As in the kernel, '-' and '_' are the same
 * in names, and the last occurrence of a parameter wins.  No locking: parsing
 * happens in kmm_init() under the boot lock, before the machine runs.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "boot/cmdline.h"
#include "boot/subsys.h"
#include "report/report.h"

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

static bool parse_long(const char *s, long long min, long long max, long *out)
{
	char *end;
	long v;

	if (!s || !*s)
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

/* One value into @p's variable; false if malformed. */
static bool param_set(const struct kmm_param *p, const char *val)
{
	unsigned long long size;

	switch (p->kind) {
	case KMM_PARAM_BOOL:
		return parse_bool(val, p->var);
	case KMM_PARAM_LONG:
		return parse_long(val, p->min, p->max, p->var);
	case KMM_PARAM_SIZE:
		if (!val || !kmm_memparse(val, &size) || size < (unsigned long long)p->min ||
		    size > (unsigned long long)p->max)
			return false;
		*(unsigned long long *)p->var = size;
		return true;
	case KMM_PARAM_STRING:
		if (!val)
			val = p->str_def;
		if (strlen(val) >= p->size)
			return false;
		strcpy(p->var, val);
		return true;
	case KMM_PARAM_CUSTOM:
		return p->parse(p, val);
	}
	return false;
}

static void param_set_default(const struct kmm_param *p)
{
	switch (p->kind) {
	case KMM_PARAM_BOOL:
		*(bool *)p->var = p->def != 0;
		break;
	case KMM_PARAM_LONG:
		*(long *)p->var = (long)p->def;
		break;
	case KMM_PARAM_SIZE:
		*(unsigned long long *)p->var = (unsigned long long)p->def;
		break;
	case KMM_PARAM_STRING:
		*(char *)p->var = '\0'; /* off until named: str_def is a bare name's value */
		break;
	case KMM_PARAM_CUSTOM:
		if (p->set_default)
			p->set_default(p);
		break;
	}
}

/* A size as the command line writes it: the largest unit that divides it. */
static const char *size_str(unsigned long long v, char buf[24])
{
	static const char units[] = "KMGTPE";
	int u = -1;

	while (v && !(v & 1023) && u < 5) {
		v >>= 10;
		u++;
	}
	if (u < 0)
		snprintf(buf, 24, "%llu", v);
	else
		snprintf(buf, 24, "%llu%c", v, units[u]);
	return buf;
}

/* What @p accepts, for reports and help. */
static const char *param_accepts(const struct kmm_param *p, char *buf, size_t len)
{
	char lo[24], hi[24];

	if (p->accepts)
		return p->accepts;
	switch (p->kind) {
	case KMM_PARAM_BOOL:
		return "0 or 1";
	case KMM_PARAM_LONG:
		snprintf(buf, len, "a number from %lld to %lld", p->min, p->max);
		return buf;
	case KMM_PARAM_SIZE:
		snprintf(buf, len, "a size from %s to %s%s%s%s%s",
			 size_str((unsigned long long)p->min, lo),
			 size_str((unsigned long long)p->max, hi), p->example ? ", e.g. " : "",
			 p->example ? p->name : "", p->example ? "=" : "",
			 p->example ? p->example : "");
		return buf;
	case KMM_PARAM_STRING:
	case KMM_PARAM_CUSTOM:
		break;
	}
	return "a value";
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

static const struct kmm_param *param_find(const char *word, size_t namelen)
{
	const struct kmm_subsys *sub;
	size_t s, i;

	for_each_subsys(sub, s) {
		for (i = 0; i < sub->nr_params; i++)
			if (name_eq(sub->params[i].name, word, namelen))
				return &sub->params[i];
	}
	return NULL;
}

static void param_show_default(const struct kmm_param *p, FILE *out)
{
	char buf[24];

	if (p->kind != KMM_PARAM_STRING && p->str_def) {
		fprintf(out, "%s", p->str_def);
		return;
	}
	switch (p->kind) {
	case KMM_PARAM_BOOL:
		/* in the parameter's own words: on/off, Y/N or 1/0 */
		if (p->accepts && strstr(p->accepts, "on"))
			fprintf(out, "%s", p->def ? "on" : "off");
		else if (p->accepts && strstr(p->accepts, "Y"))
			fprintf(out, "%s", p->def ? "Y" : "N");
		else
			fprintf(out, "%s", p->def ? "1" : "0");
		break;
	case KMM_PARAM_LONG:
		fprintf(out, "%lld", p->def);
		break;
	case KMM_PARAM_SIZE:
		fprintf(out, "%s", size_str((unsigned long long)p->def, buf));
		break;
	case KMM_PARAM_STRING:
		fprintf(out, "off; a bare %s means %s", p->name, p->str_def);
		break;
	case KMM_PARAM_CUSTOM:
		break;
	}
}

void kmm_print_params(FILE *out)
{
	const struct kmm_subsys *sub;
	size_t s, i;

	fprintf(out, "libkmm boot parameters (kmm_init() or KMM_CMDLINE), by subsystem in boot "
		     "order:\n");
	for_each_subsys(sub, s) {
		for (i = 0; i < sub->nr_params; i++) {
			const struct kmm_param *p = &sub->params[i];
			char buf[160];

			fprintf(out, "%s (%s): %s\n\tvalues: %s; default: ", p->name, sub->name,
				p->help, param_accepts(p, buf, sizeof(buf)));
			param_show_default(p, out);
			fputc('\n', out);
		}
	}
	fflush(out);
}

static void set_defaults(void)
{
	const struct kmm_subsys *sub;
	size_t s, i;

	for_each_subsys(sub, s)
		for (i = 0; i < sub->nr_params; i++)
			param_set_default(&sub->params[i]);
}

int kmm_parse_cmdline(const char *cmdline)
{
	const char *s = cmdline ? cmdline : "";

	set_defaults();
	while (*s) {
		const struct kmm_param *p;
		char word[256], buf[160];
		const char *start, *eq;
		size_t len, namelen;

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
		if (!strcmp(word, "help")) {
			kmm_print_params(stdout);
			continue;
		}
		eq = strchr(word, '=');
		namelen = eq ? (size_t)(eq - word) : len;
		p = param_find(word, namelen);
		if (!p) {
			kmm_info("kmm_init: unknown command line parameter \"%s\", ignored", word);
			continue;
		}
		if (!param_set(p, eq ? eq + 1 : NULL)) {
			kmm_report("kmm_init: invalid value in \"%s\": %s expects %s", word,
				   p->name, param_accepts(p, buf, sizeof(buf)));
			return -EINVAL;
		}
	}
	return 0;
}
