/* SPDX-License-Identifier: MIT */
/*
 * boot/cmdline.h - the boot parameters, parsed from a kernel-style command line.
 *
 * All parameters of every subsystem are fields of struct kmm_params and rows
 * of the one table in cmdline.c; a later subsystem adds its parameter there.
 * kmm_params is written only by kmm_init() before the machine runs, and only
 * read afterwards.
 */
#ifndef KMM_BOOT_CMDLINE_H
#define KMM_BOOT_CMDLINE_H

#include <stdbool.h>
#include <kmm/fault-inject.h>

struct kmm_params {
	unsigned long long mem; /* mem=: bytes of physical memory */
	int numa_fake;		/* numa=fake=N: the number of nodes */
	long min_free_kbytes;	/* min_free_kbytes=: -1 to compute it as the kernel does */
	/* vmalloc=: bytes of address space for the vmalloc area; 0 until boot sizes the default */
	unsigned long long vmalloc;
	unsigned long long highmem; /* highmem=: bytes at the top of memory for ZONE_HIGHMEM */
	bool panic_on_warn;	    /* panic_on_warn=: abort after any report */
	/* slub_debug= / slab_debug=: flag letters and cache names; "" when off */
	char slub_debug[200];
	bool init_on_alloc;   /* init_on_alloc=: zero pages and objects when allocated */
	bool init_on_free;    /* init_on_free=: zero pages and objects when freed */
	bool debug_pagealloc; /* debug_pagealloc=: free pages unmapped from the direct map */
	bool page_poison;     /* page_poison=: free pages filled with PAGE_POISON, checked */
	/* page_reporting.page_reporting_order=: free blocks of this order and more are given
	 * back to the system (holes punched); above MAX_PAGE_ORDER: off */
	unsigned int page_reporting_order;
	/* failslab=, fail_page_alloc= and their knobs (failslab.verbose=, ...): see fault/ */
	struct kmm_fault_attr failslab, fail_page_alloc;
	bool kmmstat; /* kmmstat=: serve the kmm_show() files to the kmmstat tool */
};

extern struct kmm_params kmm_params;

/*
 * kmm_parse_cmdline - parse @cmdline into @params (starting from the defaults).
 * Return: 0, or -EINVAL after a one-line report naming the malformed parameter.
 * Unknown parameters are reported and ignored.
 */
int kmm_parse_cmdline(const char *cmdline, struct kmm_params *params);

/* kmm_memparse - the kernel's memparse(): a number with an optional K/M/G/T/P/E suffix. */
bool kmm_memparse(const char *s, unsigned long long *out);

#endif /* KMM_BOOT_CMDLINE_H */
