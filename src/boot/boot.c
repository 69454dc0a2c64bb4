/* SPDX-License-Identifier: MIT */
/*
 * boot/boot.c - booting and tearing down the machine, and the calls that act
 * on all of it: kmm_init(), the implicit boot of a program's first call,
 * kmm_exit(), kmm_show() and kmm_drop_caches().
 *
 * Boot parses the command line into every subsystem's parameters, then runs
 * the subsystems' init in the order of boot/subsys.c; the machine is booted
 * once all of them succeeded.  A failed init tears down those before it.
 * Teardown is the mirror (boot/subsys.h).
 *
 * Locking: boot_lock serialises boot and teardown, and is held across fork()
 * (boot/fork.c).  The booted flag (boot/machine.c) is read without it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <kmm/kmm.h>
#include "boot/cmdline.h"
#include "boot/machine.h"
#include "boot/subsys.h"
#include "fault/fault_inject.h"
#include "percpu/percpu.h"
#include "slab/slab.h"
#include "vmalloc/vmalloc.h"

static pthread_mutex_t boot_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * teardown - undo the first @n subsystems' boot: stop up the list, the
 * machine no longer booted, exit up the list.  boot_lock held.
 */
static void teardown(size_t n)
{
	size_t i;

	for (i = n; i-- > 0;)
		if (kmm_subsystems[i]->stop)
			kmm_subsystems[i]->stop();
	kmm_machine_set_booted(false);
	for (i = n; i-- > 0;)
		if (kmm_subsystems[i]->exit)
			kmm_subsystems[i]->exit();
}

/*
 * setup_hooks - hand the per-CPU layer and fault injection the hooks the
 * subsystems declare, so that neither needs to know the subsystems.
 */
static void setup_hooks(void)
{
	static const struct kmm_cpu_ops *cpu_ops[KMM_MAX_SUBSYSTEMS];
	static void (*switch_hooks[KMM_MAX_SUBSYSTEMS])(int cap);
	const struct kmm_subsys *s;
	size_t i, n_cpu = 0, n_switch = 0;

	for_each_subsys(s, i) {
		if (s->cpu)
			cpu_ops[n_cpu++] = s->cpu;
		if (s->fault_switched)
			switch_hooks[n_switch++] = s->fault_switched;
	}
	kmm_cpuhp_setup(cpu_ops, n_cpu);
	fault_inject_setup(switch_hooks, n_switch);
}

static int boot(const char *cmdline)
{
	const struct kmm_subsys *s;
	size_t i;
	int ret;

	ret = kmm_parse_cmdline(cmdline);
	if (ret)
		return ret;
	setup_hooks();
	kmm_machine_set_booting(true);
	for_each_subsys(s, i) {
		ret = s->init ? s->init() : 0;
		if (ret)
			break;
	}
	kmm_machine_set_booting(false);
	if (ret) {
		teardown(i);
		return ret;
	}
	kmm_machine_set_booted(true);
	return 0;
}

/* boot/fork.c holds the boot lock across fork(); the child starts with a fresh one. */
void kmm_boot_lock_fork_prepare(void)
{
	kmm_mutex_lock(&boot_lock);
}

void kmm_boot_lock_fork_parent(void)
{
	pthread_mutex_unlock(&boot_lock);
}

void kmm_boot_lock_fork_child(void)
{
	pthread_mutex_init(&boot_lock, NULL);
}

/*
 * The implicit boot that failed, under boot_lock: the first call's report
 * said why, so the next calls with the same KMM_CMDLINE fail with the same
 * error and no new report (a program that retries in a loop gets one line).
 * A different KMM_CMDLINE, or kmm_init(), boots afresh.
 */
static struct {
	int error;	   /* -errno of the failed boot; 0: none failed */
	char cmdline[256]; /* its KMM_CMDLINE */
} default_boot_failed;

/*
 * The fork handlers are registered before the first boot takes the boot lock:
 * a fork() while another thread boots then waits for the boot to end, instead
 * of leaving the child a boot lock that nobody will ever release.
 */
int kmm_init(const char *cmdline)
{
	int ret;

	kmm_fork_init();
	kmm_mutex_lock(&boot_lock);
	ret = kmm_booted() ? -EBUSY : boot(cmdline);
	if (!ret)
		default_boot_failed.error = 0;
	pthread_mutex_unlock(&boot_lock);
	return ret;
}

int kmm_boot_default(void)
{
	const char *env = getenv("KMM_CMDLINE");
	int ret = 0;

	if (!env)
		env = "";
	kmm_fork_init();
	kmm_mutex_lock(&boot_lock);
	if (kmm_booted())
		goto out;
	if (default_boot_failed.error && !strcmp(default_boot_failed.cmdline, env)) {
		ret = default_boot_failed.error;
		goto out;
	}
	ret = boot(env);
	default_boot_failed.error = strlen(env) < sizeof(default_boot_failed.cmdline) ? ret : 0;
	if (ret)
		snprintf(default_boot_failed.cmdline, sizeof(default_boot_failed.cmdline), "%s",
			 env);
out:
	pthread_mutex_unlock(&boot_lock);
	return ret;
}

void kmm_exit(void)
{
	kmm_mutex_lock(&boot_lock);
	if (kmm_booted())
		teardown(kmm_nr_subsystems);
	pthread_mutex_unlock(&boot_lock);
}

/* kmm_show: the /proc-style files every subsystem declares. */
int kmm_show(const char *file, FILE *out)
{
	const struct kmm_subsys *s;
	size_t i, f;

	for_each_subsys(s, i) {
		for (f = 0; file && f < s->nr_proc; f++) {
			if (strcmp(s->proc[f].name, file))
				continue;
			if (!kmm_booted() && kmm_boot_default() != 0)
				return -ENODEV;
			s->proc[f].show(out);
			return 0;
		}
	}
	return -ENOENT;
}

void kmm_drop_caches(void)
{
	if (!kmm_booted())
		return;
	drop_slab();
	vm_unmap_aliases();
	/* last: the slab pages and ranges just freed wait on this CPU's page lists */
	kmm_drain_all();
}
