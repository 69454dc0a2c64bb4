/* SPDX-License-Identifier: MIT */
/*
 * kmalloc/kmalloc.h - what the kmalloc files share, and their hooks into boot.
 *
 * kmalloc.c owns the tables, the kmalloc caches, kmalloc_large() and the
 * out-of-line paths of kmalloc() and kfree(); util.c the string helpers
 * (the kernel's mm/util.c); rcu.c kfree_rcu().
 *
 * Locking: kmalloc_mutex (kmalloc.c) serialises making the caches; under it
 * only slab_mutex (through kmem_cache_create()) and the page allocator's
 * locks are taken.  kmm_kmalloc_caches[][] entries are written once each, under
 * it, with release stores, and read without a lock.
 */
#ifndef KMM_KMALLOC_INTERNAL_H
#define KMM_KMALLOC_INTERNAL_H

#include "boot/subsys.h"
#include <kmm/slab.h>

/*
 * kfree_target - what kfree(@ptr) would free: a slab object (*@s set, *@head
 * NULL) or a large kmalloc (*@head set, *@s NULL).
 * Return: NULL, or why @ptr is neither (the text may be in @why).
 */
const char *kfree_target(const void *ptr, struct kmem_cache **s, struct page **head, char *why,
			 size_t len);

/* kfree_rcu_fork_ops - rcu.c's step across fork (KMM_FORK_RCU), in kmalloc's descriptor. */
extern const struct kmm_fork_ops kfree_rcu_fork_ops[1];

#endif /* KMM_KMALLOC_INTERNAL_H */
