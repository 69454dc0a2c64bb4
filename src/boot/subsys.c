/* SPDX-License-Identifier: MIT */
/*
 * boot/subsys.c - the subsystems, in boot order: the one list that boot,
 * teardown, fork, the per-CPU hooks, the command line and kmm_show() walk
 * (boot/subsys.h).  Adding a subsystem is one line here and a descriptor in
 * its own folder.  Constant: no locking.
 */
#include "boot/subsys.h"

/* One line each, in boot order: what comes later may use what came before. */
#define KMM_SUBSYSTEMS(S)                                                                          \
	S(report)	  /* reports and panic_on_warn: first, so every boot report honours it */  \
	S(machine)	  /* physical memory, the direct map, memblock, nodes and zones */         \
	S(pagetable)	  /* the kernel page table and its address space */                        \
	S(percpu)	  /* the host CPUs, holding them, cross-CPU calls */                       \
	S(buddy)	  /* the free lists, watermarks, per-CPU page lists */                     \
	S(page_debug)	  /* debug_pagealloc, page_poison, init_on_alloc/free */                   \
	S(page_reporting) /* free page reporting */                                                \
	S(reclaim)	  /* shrinkers and kswapd */                                               \
	S(highmem)	  /* kmap, kmap_local */                                                   \
	S(slab)		  /* slab caches */                                                        \
	S(slab_debug)	  /* slub_debug= */                                                        \
	S(kmalloc)	  /* the kmalloc caches */                                                 \
	S(vmalloc)	  /* vmalloc, vmap and their caches */                                     \
	S(pcpu_alloc)	  /* alloc_percpu() */                                                     \
	S(fault)	  /* fault injection: armed last, for the program's allocations only */    \
	S(stat)		  /* the kmmstat server, meminfo and the physmap */

#define KMM_SUBSYS_DECLARE(name) extern const struct kmm_subsys kmm_##name##_subsys;
#define KMM_SUBSYS_ENTRY(name)	 &kmm_##name##_subsys,

KMM_SUBSYSTEMS(KMM_SUBSYS_DECLARE)

const struct kmm_subsys *const kmm_subsystems[] = {KMM_SUBSYSTEMS(KMM_SUBSYS_ENTRY)};
const size_t kmm_nr_subsystems = KMM_ARRAY_SIZE(kmm_subsystems);
_Static_assert(KMM_ARRAY_SIZE(kmm_subsystems) <= KMM_MAX_SUBSYSTEMS, "raise KMM_MAX_SUBSYSTEMS");
