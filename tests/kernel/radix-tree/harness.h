/* SPDX-License-Identifier: MIT */
/*
 * tests/kernel/radix-tree/harness.h - the allocator entry points of the kernel's
 * radix-tree test harness (tools/testing/radix-tree), put on libkmm.
 *
 * The build force-includes this header (-include) into every upstream file of
 * the harness, which are compiled unmodified against the harness's own headers
 * (tools/include, tools/testing/shared).  The harness's allocator calls that
 * carry one of its test knobs (counting, failing GFP_NOWAIT, the callback) are
 * renamed here to harness_*() entry points that harness.c defines on libkmm's
 * own calls; the knob calls themselves (kmem_cache_set_non_kernel(), ...) keep
 * the names the upstream files declare.  Renaming, rather than defining the
 * kernel's names in the program, keeps the harness's signature quirks (an int
 * GFP mask, its own SLAB_* values) away from libkmm's symbols, and works the
 * same with libkmm.so and with the static ASan libkmm, where a program may not
 * define kmem_cache_create() or kmem_cache_alloc_bulk() itself.
 *
 * The prototypes below follow the harness's own declarations with plain C
 * types (the entry points: tools/include/linux/slab.h; the knobs: the externs
 * in lib/maple_tree.c, whose return types differ from linux.c's; the
 * variables: tools/testing/radix-tree/test.h and tools/testing/shared/linux/).
 * Seen before those declarations in every upstream file, they make the
 * compiler check that harness.c, compiled against libkmm's headers, defines
 * exactly what the upstream objects call.  harness.c includes this header with
 * HARNESS_KNOBS_IMPL defined: it gets the prototypes, not the renames.
 */
#ifndef KMM_RADIX_TREE_HARNESS_H
#define KMM_RADIX_TREE_HARNESS_H

#include <stddef.h>

struct kmem_cache;
struct list_lru;

/* The harness's SLAB_* values (tools/include/linux/slab.h), which are not the kernel's. */
#define HARNESS_SLAB_PANIC	     0x2u
#define HARNESS_SLAB_RECLAIM_ACCOUNT 0x00020000u

struct kmem_cache *harness_kmem_cache_create(const char *name, unsigned int size,
					     unsigned int align, unsigned int flags,
					     void (*ctor)(void *));
void *harness_kmem_cache_alloc_lru(struct kmem_cache *s, struct list_lru *lru, int gfp);
void harness_kmem_cache_free(struct kmem_cache *s, void *obj);
int harness_kmem_cache_alloc_bulk(struct kmem_cache *s, unsigned int gfp, size_t nr, void **p);
void harness_kmem_cache_free_bulk(struct kmem_cache *s, size_t nr, void **p);
void *harness_kmalloc(size_t size, unsigned int gfp);
void harness_kfree(void *p);

/* The harness's knobs: counters and switches the tests read and set. */
extern int nr_allocated;    /* objects of every cache allocated and not freed */
extern int preempt_count;   /* preempt_disable() depth (tools/testing/shared/linux/preempt.h) */
extern int test_verbose;    /* -v: printv()'s level */
extern int kmalloc_verbose; /* print every allocation and free */
void kmem_cache_set_non_kernel(struct kmem_cache *s, unsigned int val);
void kmem_cache_set_callback(struct kmem_cache *s, void (*callback)(void *));
void kmem_cache_set_private(struct kmem_cache *s, void *private);
unsigned long kmem_cache_get_alloc(struct kmem_cache *s);
void kmem_cache_zero_nr_tallocated(struct kmem_cache *s);
unsigned int kmem_cache_nr_tallocated(struct kmem_cache *s);
unsigned int kmem_cache_nr_allocated(struct kmem_cache *s);
void test_kmem_cache_bulk(void);

#ifndef HARNESS_KNOBS_IMPL
#define kmem_cache_create     harness_kmem_cache_create
#define kmem_cache_alloc_lru  harness_kmem_cache_alloc_lru
#define kmem_cache_free	      harness_kmem_cache_free
#define kmem_cache_alloc_bulk harness_kmem_cache_alloc_bulk
#define kmem_cache_free_bulk  harness_kmem_cache_free_bulk
#define kmalloc		      harness_kmalloc
#define kfree		      harness_kfree
#endif

#endif /* KMM_RADIX_TREE_HARNESS_H */
