/* SPDX-License-Identifier: MIT */
/*
 * boot/subsys.h - what a subsystem declares about its own lifecycle.
 *
 * Each subsystem fills in one struct kmm_subsys next to its own state: its
 * boot parameters, its init and exit, what it stops at teardown, its /proc
 * files, its steps across fork(), its per-CPU hooks and its reaction to fault
 * injection being switched.  boot/subsys.c lists the subsystems in boot
 * order; boot, teardown, fork, the per-CPU drain and kmm_show() are loops over
 * that list, so the order is explicit in one place and the code stays with
 * its owner (the kernel's initcalls, cpuhp_setup_state(), syscore_ops,
 * early_param() and proc_create()).
 *
 * The orders:
 * - boot: init down the list (a failure runs the exits of those before it, up
 *   the list); then the machine is booted.  Teardown is the mirror: stop up
 *   the list (the subsystem's threads and callbacks end while the machine
 *   still runs; threads start on demand, so stop has no boot counterpart),
 *   then the machine is no longer booted, then exit up the list.
 * - fork: steps in lock order (enum kmm_fork_step): prepare down the steps;
 *   after the copy of physical memory, copied, then parent or child, back up.
 * - CPU: enum kmm_cpu_step: online up the steps; drain down them.
 *
 * This header is a leaf: it includes no subsystem's header.  Locking: the
 * descriptors are constant; the hooks run under the boot lock (boot,
 * teardown), in the fork handlers, or on the CPU concerned (see each enum).
 */
#ifndef KMM_BOOT_SUBSYS_H
#define KMM_BOOT_SUBSYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct kmm_cpu;

/* How a parameter's value is read. */
enum kmm_param_kind {
	KMM_PARAM_BOOL,	  /* bool: 1/y/Y/on or 0/n/N/off; a bare name means 1 */
	KMM_PARAM_LONG,	  /* long, from min to max */
	KMM_PARAM_SIZE,	  /* unsigned long long, memparse() (K, M, G, T, P, E), from min to max */
	KMM_PARAM_STRING, /* char[size]; a bare name sets the default */
	KMM_PARAM_CUSTOM, /* parse(): anything else */
};

/*
 * A boot parameter, declared by the subsystem that owns its variable.  The
 * parser sets every variable to its default first, so a boot never sees the
 * last boot's values.  Names compare with '-' and '_' as one character.
 */
struct kmm_param {
	const char *name; /* as on the kernel's command line: "mem", "failslab.verbose" */
	enum kmm_param_kind kind;
	void *var;		 /* the owner's variable */
	size_t size;		 /* KMM_PARAM_STRING: the array's size */
	long long def, min, max; /* BOOL, LONG, SIZE: the default and the range */
	const char *str_def;	 /* STRING: the default, and the value of a bare name */
	const char *example;	 /* SIZE: a value for the help and the reports */
	const char *accepts;	 /* the values, when the kind's own words do not say it */
	/* CUSTOM: @val NULL for a bare name; false if malformed.  @p->var is the owner's. */
	bool (*parse)(const struct kmm_param *p, const char *val);
	void (*set_default)(const struct kmm_param *p); /* CUSTOM: the default */
	const char *help;				/* what it does, one line */
};

#define KMM_PARAM_BOOL_VAR(n, v, d, acc, h)                                                        \
	{                                                                                          \
		.name = (n), .kind = KMM_PARAM_BOOL, .var = &(v), .def = (d), .accepts = (acc),    \
		.help = (h)                                                                        \
	}
#define KMM_PARAM_LONG_VAR(n, v, d, lo, hi, acc, h)                                                \
	{                                                                                          \
		.name = (n), .kind = KMM_PARAM_LONG, .var = &(v), .def = (d), .min = (lo),         \
		.max = (hi), .accepts = (acc), .help = (h)                                         \
	}
#define KMM_PARAM_SIZE_VAR(n, v, d, lo, hi, ex, h)                                                 \
	{                                                                                          \
		.name = (n), .kind = KMM_PARAM_SIZE, .var = &(v), .def = (long long)(d),           \
		.min = (long long)(lo), .max = (long long)(hi), .example = (ex), .help = (h)       \
	}
#define KMM_PARAM_STRING_VAR(n, v, d, acc, h)                                                      \
	{                                                                                          \
		.name = (n), .kind = KMM_PARAM_STRING, .var = (v), .size = sizeof(v),              \
		.str_def = (d), .accepts = (acc), .help = (h)                                      \
	}
#define KMM_PARAM_CUSTOM_VAR(n, v, fn, dfn, d, acc, h)                                             \
	{                                                                                          \
		.name = (n), .kind = KMM_PARAM_CUSTOM, .var = &(v), .parse = (fn),                 \
		.set_default = (dfn), .str_def = (d), .accepts = (acc), .help = (h)                \
	}

/* A /proc-style file, for kmm_show() and the kmmstat server. */
struct kmm_proc_file {
	const char *name;
	void (*show)(FILE *out);
};

/*
 * The fork steps, in lock order: what each step's prepare takes, every
 * earlier step's prepare has taken first.  KMM_FORK_CPUS takes every CPU
 * over (percpu/percpu.h); the steps after it take locks that holders of a
 * CPU take.
 */
enum kmm_fork_step {
	KMM_FORK_THREADS,	 /* the child: libkmm's threads start again */
	KMM_FORK_KMMSTAT,	 /* the kmmstat server's lock */
	KMM_FORK_RCU,		 /* liburcu's call_rcu threads pause between batches */
	KMM_FORK_SLAB_MUTEX,	 /* slab_mutex: no cache comes or goes */
	KMM_FORK_SHRINKERS,	 /* the shrinker list, for reading */
	KMM_FORK_PAGE_REPORTING, /* no block is isolated for reporting */
	KMM_FORK_VMAP,		 /* the vmalloc locks, the purge lock first */
	KMM_FORK_KMAP,		 /* kmap_lock */
	KMM_FORK_PAGE_TABLE,	 /* kmm_init_mm.page_table_lock */
	KMM_FORK_CPUS,		 /* every CPU held by the forking thread */
	KMM_FORK_NODE_LISTS,	 /* every slab node's list_lock */
	KMM_FORK_ZONES,		 /* every zone lock */
	NR_KMM_FORK_STEPS
};

/*
 * One step of a subsystem across fork().  prepare runs in the forking
 * thread before fork(); copied after physical memory was copied for the
 * child (still before fork(): system calls only); parent and child after
 * fork(), in the parent and in the child (one thread: the forking one).
 * Any hook may be NULL.  A fork with no machine booted runs none of them.
 */
struct kmm_fork_ops {
	enum kmm_fork_step step;
	void (*prepare)(void);
	void (*copied)(void);
	void (*parent)(void);
	void (*child)(void);
};

/* The per-CPU steps: online runs up this list, drain down it. */
enum kmm_cpu_step {
	KMM_CPU_PAGES, /* the page allocator's per-CPU lists */
	KMM_CPU_SLAB,  /* the slab array caches */
	NR_KMM_CPU_STEPS
};

/*
 * A subsystem's per-CPU hooks, each run holding @cpu: online, when the CPU's
 * caches are set up (at its first hold after boot; its part starts empty);
 * drain, to give back what the CPU caches (kmm_drain_all()).
 */
struct kmm_cpu_ops {
	enum kmm_cpu_step step;
	void (*online)(struct kmm_cpu *cpu);
	void (*drain)(struct kmm_cpu *cpu);
};

struct kmm_subsys {
	const char *name; /* the folder: "buddy", "slab", ... */
	const struct kmm_param *params;
	size_t nr_params;
	/* init: 0 or -errno after a report naming kmm_init; the machine is not booted yet */
	int (*init)(void);
	/* stop: end the subsystem's threads and pending callbacks; the machine still runs */
	void (*stop)(void);
	/* exit: forget everything init made (the machine's memory goes after it) */
	void (*exit)(void);
	const struct kmm_proc_file *proc;
	size_t nr_proc;
	const struct kmm_fork_ops *fork;
	size_t nr_fork;
	const struct kmm_cpu_ops *cpu;
	/* fault injection for capability @cap (enum fault_cap) was switched; machine booted */
	void (*fault_switched)(int cap);
};

#define KMM_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A descriptor's arrays: .params = a, .nr_params = its size; the same for /proc files and fork steps. */
#define KMM_SUBSYS_PARAMS(a) .params = (a), .nr_params = KMM_ARRAY_SIZE(a)
#define KMM_SUBSYS_PROC(a)   .proc = (a), .nr_proc = KMM_ARRAY_SIZE(a)
#define KMM_SUBSYS_FORK(a)   .fork = (a), .nr_fork = KMM_ARRAY_SIZE(a)

/* At most this many subsystems (a static assert in boot/subsys.c). */
#define KMM_MAX_SUBSYSTEMS 32

/* The subsystems in boot order (boot/subsys.c); each descriptor is defined next to its state. */
extern const struct kmm_subsys *const kmm_subsystems[];
extern const size_t kmm_nr_subsystems;

/* for_each_subsys - @s over the subsystems in boot order (@i: a size_t). */
#define for_each_subsys(s, i)                                                                      \
	for ((i) = 0; (i) < kmm_nr_subsystems && ((s) = kmm_subsystems[i], 1); (i)++)

#endif /* KMM_BOOT_SUBSYS_H */
