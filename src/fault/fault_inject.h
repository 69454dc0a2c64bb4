/* SPDX-License-Identifier: MIT */
/*
 * fault/fault_inject.h - the allocators' side of fault injection (the kernel's
 * should_failslab() and should_fail_alloc_page()); the user's side is
 * <kmm/fault-inject.h>.
 *
 * The allocators ask should_failslab()/should_fail_alloc_page() on their slow
 * paths, and only while failslab_active()/fail_page_alloc_active() is true:
 * their fast paths stay as they are.  The page allocator keeps every
 * allocation off its per-CPU lists while fail_page_alloc is active (see
 * buddy/debug.c, pcp_lists_update()); the slab allocator does the same with
 * its arrays while failslab is active.  Both may change at run time
 * (kmm_fault_attr_set()), so they are read as relaxed atomics.
 *
 * Whose allocations are candidates.  A user who writes times=3 means three of
 * the program's allocations, so the library's own never are: the capabilities
 * are armed only at the end of boot (fault injection is the last subsystem
 * but the kmmstat server to initialise, boot/subsys.c), once the kmalloc
 * caches and every other boot-time structure exist, and the library's
 * bookkeeping allocations after boot (cache descriptors, CPU arrays, page
 * tables, vm_structs, vmap areas, vmalloc's page arrays) and its
 * opportunistic tries (vmalloc's large blocks, each stepping down when it
 * fails) are made inside a memalloc_nofault_save() scope, which no
 * capability fails.  What the program asked for is still a candidate however
 * deep it is made: the slab pages of its kmalloc(), the order-0 pages of its
 * vmalloc().
 */
#ifndef KMM_FAULT_FAULT_INJECT_H
#define KMM_FAULT_FAULT_INJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <kmm/fault-inject.h>
#include <kmm/gfp.h>

struct kmem_cache;

/* Which capability: the index of its attributes. */
enum fault_cap { FAULT_FAILSLAB, FAULT_PAGE_ALLOC, NR_FAULT_CAPS };

/*
 * true while the capability is armed (from the end of boot) and its
 * probability is not 0 (written by fault_inject.c only).
 */
extern bool fault_cap_active[NR_FAULT_CAPS];

static inline bool failslab_active(void)
{
	return __atomic_load_n(&fault_cap_active[FAULT_FAILSLAB], __ATOMIC_RELAXED);
}

static inline bool fail_page_alloc_active(void)
{
	return __atomic_load_n(&fault_cap_active[FAULT_PAGE_ALLOC], __ATOMIC_RELAXED);
}

/*
 * should_failslab - true if this allocation from @s must fail (failslab).
 * Context: any; call only when failslab_active().  Prints the verbose report.
 */
bool should_failslab(struct kmem_cache *s, gfp_t gfp);

/*
 * failslab_cache_candidate - may failslab fail allocations of @s?  Yes unless
 * cache-filter is on and @s lacks SLAB_FAILSLAB: what decides whether @s must
 * leave its fast path while failslab is active (slab/cache.c).  Context: any.
 */
bool failslab_cache_candidate(const struct kmem_cache *s);

/*
 * should_fail_alloc_page - true if this page allocation must fail (fail_page_alloc).
 * Context: any; call only when fail_page_alloc_active().
 */
bool should_fail_alloc_page(gfp_t gfp, unsigned int order);

/*
 * fault_inject_setup - the @n subsystems' hooks (struct kmm_subsys's
 * fault_switched) to call when a capability is switched, in boot order;
 * boot hands them over before the first init.  @hooks stays the caller's.
 */
void fault_inject_setup(void (*const *hooks)(int cap), size_t n);

/* The calling thread is inside one of the library's own allocations (see the top). */
extern __thread bool current_nofault __attribute__((tls_model("initial-exec")));

/*
 * memalloc_nofault_save - until memalloc_nofault_restore() of what it
 * returned, the calling thread's allocations are the library's own: no
 * capability fails them, and they do not count against times or space.
 * Nests, as the kernel's memalloc_noio_save().
 */
static inline bool memalloc_nofault_save(void)
{
	bool old = current_nofault;

	current_nofault = true;
	return old;
}

static inline void memalloc_nofault_restore(bool old)
{
	current_nofault = old;
}

#endif /* KMM_FAULT_FAULT_INJECT_H */
