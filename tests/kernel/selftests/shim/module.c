/* SPDX-License-Identifier: MIT */
/*
 * shim/module.c - a kernel test module as a program: its parameters, its
 * init and exit functions, its KUnit suites, and main().
 *
 * main() takes insmod's arguments: "name=value" sets the module parameter
 * @name (module_param()), "kunit.skip=case:reason" skips a KUnit case, and
 * "kmm.check_leaks=1" makes the program fail if the emulated machine has
 * fewer free pages after the module than before (after kmm_drop_caches()).
 * libkmm's own command line is KMM_CMDLINE (the first allocation boots it).
 * Then it runs the module's init function and its KUnit suites; if init
 * succeeded, the exit function.  Exit status: 1 if init failed (as insmod's
 * "could not insert module") or a KUnit case failed, 2 for a bad argument.
 *
 * Locking: everything here runs on the main thread, the registrations
 * before main() (constructors), the rest from main().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <urcu.h>
#include <kmm/kmm.h>

#include <linux/module.h>
#include "shim.h"

#define MAX_PARAMS 32

static struct module_param {
	const char *name;  /* the parameter's name */
	const char *type;  /* its kernel type: "int", "bool", ... */
	void *var;	   /* the variable */
	unsigned int size; /* sizeof the variable */
} params[MAX_PARAMS];
static int nr_params;
static int (*module_init_fn)(void);
static void (*module_exit_fn)(void);

void kmm_module_register_init(int (*init)(void))
{
	module_init_fn = init;
}

void kmm_module_register_exit(void (*exit)(void))
{
	module_exit_fn = exit;
}

void kmm_module_param_register(const char *name, const char *type, void *var, unsigned int size)
{
	if (nr_params == MAX_PARAMS) {
		fprintf(stderr, "module: more than %d parameters\n", MAX_PARAMS);
		exit(2);
	}
	params[nr_params++] = (struct module_param){name, type, var, size};
}

static bool parse_bool(const char *val, bool *out)
{
	if (!strcmp(val, "1") || !strcasecmp(val, "y") || !strcasecmp(val, "on") ||
	    !strcasecmp(val, "true"))
		*out = true;
	else if (!strcmp(val, "0") || !strcasecmp(val, "n") || !strcasecmp(val, "off") ||
		 !strcasecmp(val, "false"))
		*out = false;
	else
		return false;
	return true;
}

/* Set @p from @val as the kernel's param_set_<type>() would; false if @val does not parse. */
static bool param_set(const struct module_param *p, const char *val)
{
	char *end;
	bool b;

	/* "_Bool": a macro around module_param() (test_vmalloc's __param) expanded <stdbool.h>'s bool */
	if (!strcmp(p->type, "bool") || !strcmp(p->type, "_Bool") || !strcmp(p->type, "invbool")) {
		if (p->size != sizeof(bool))
			return false;
		if (!parse_bool(val, &b))
			return false;
		*(bool *)p->var = p->type[0] == 'i' ? !b : b;
		return true;
	}
	if (!strcmp(p->type, "charp")) {
		*(const char **)p->var = val;
		return true;
	}
	errno = 0;
	if (p->type[0] == 'u') {
		unsigned long long v = strtoull(val, &end, 0);

		if (errno || end == val || *end || val[0] == '-')
			return false;
		if (p->size == sizeof(unsigned char))
			*(unsigned char *)p->var = (unsigned char)v;
		else if (p->size == sizeof(unsigned short))
			*(unsigned short *)p->var = (unsigned short)v;
		else if (p->size == sizeof(unsigned int))
			*(unsigned int *)p->var = (unsigned int)v;
		else
			*(unsigned long long *)p->var = v;
	} else {
		long long v = strtoll(val, &end, 0);

		if (errno || end == val || *end)
			return false;
		if (p->size == sizeof(short))
			*(short *)p->var = (short)v;
		else if (p->size == sizeof(int))
			*(int *)p->var = (int)v;
		else
			*(long long *)p->var = v;
	}
	return true;
}

static bool set_argument(const char *arg, bool *check_leaks)
{
	const char *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
	const char *val = eq ? eq + 1 : "1";
	int i;

	if (!strncmp(arg, "kunit.skip", len) && len == strlen("kunit.skip"))
		return kunit_skip_case(val);
	if (!strncmp(arg, "kmm.check_leaks", len) && len == strlen("kmm.check_leaks"))
		return parse_bool(val, check_leaks);
	for (i = 0; i < nr_params; i++) {
		if (strlen(params[i].name) != len || strncmp(params[i].name, arg, len))
			continue;
		if (param_set(&params[i], val))
			return true;
		fprintf(stderr, "%s: invalid value '%s' for parameter '%s' (%s)\n",
			program_invocation_short_name, val, params[i].name, params[i].type);
		return false;
	}
	fprintf(stderr, "%s: Unknown parameter '%.*s'\n", program_invocation_short_name, (int)len,
		arg);
	return false;
}

int main(int argc, char **argv)
{
	unsigned long free_before = 0, free_after;
	bool check_leaks = false;
	int i, ret = 0, status = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc; i++)
		if (!set_argument(argv[i], &check_leaks))
			return 2;
	rcu_register_thread();
	if (check_leaks) {
		nr_free_pages(); /* boots the machine: its boot-time caches count as before */
		kmm_drop_caches();
		free_before = nr_free_pages();
	}
	if (module_init_fn) {
		ret = module_init_fn();
		if (ret < 0) {
			printf("insmod: ERROR: could not insert module %s: %s\n",
			       program_invocation_short_name, strerror(-ret));
			status = 1;
		}
	}
	if (kunit_run_suites() != 0)
		status = 1;
	if (ret >= 0 && module_exit_fn)
		module_exit_fn();
	if (check_leaks) {
		kmm_drop_caches();
		free_after = nr_free_pages();
		if (free_after != free_before) {
			printf("%s: %ld pages leaked (free pages %lu before, %lu after)\n",
			       program_invocation_short_name, (long)(free_before - free_after),
			       free_before, free_after);
			status = 1;
		}
	}
	rcu_unregister_thread();
	return status;
}
