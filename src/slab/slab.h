/* SPDX-License-Identifier: MIT */
/*
 * slab/slab.h - what the slab allocator's files share.
 *
 * A slab is 2^gfporder pages from the buddy allocator (a compound page when
 * gfporder > 0).  Its struct pages carry the slab's state, as the kernel's
 * struct slab overlays struct page:
 *   every page:  mapping = the cache, private = address of the first object
 *                (so kmem_cache_free() checks an object from any page of it);
 *   head page:   PG_slab, lru = slab_list (or the rcu_head while an RCU free
 *                is pending), index = the freelist, page_type = active (objects
 *                in use).
 * The freelist is an array of unsigned short object indices: freelist[active..
 * num) are the free objects, popped from the front.  For slabs of at most 4
 * objects it sits in the head page's `virtual` word; in caches without a
 * constructor or RCU readers, inside the free object freelist[num - 1] (the
 * last one handed out; a free into a full slab moves it to the freed object);
 * otherwise at the end of the slab.
 *
 * Locking order:
 *   slab_mutex (cache.c: the cache list, creation, destruction, tuning)
 *     -> kmem_cache_node.list_lock (one node's lists, shared array, counters)
 *       -> zone->lock (page allocator)
 * A CPU's arrays are its own: touched with its interrupts off, no lock.
 * Constructors and page allocations that may sleep run with interrupts on and
 * no list_lock held.
 */
#ifndef KMM_SLAB_INTERNAL_H
#define KMM_SLAB_INTERNAL_H

#include <kmm/slab.h>
#include "percpu/percpu.h"

/*
 * node_lock / node_unlock - a node's list_lock, always with interrupts off (the
 * kernel's spin_lock_irqsave): an IPI's drain hook takes list_lock too.
 */
static inline struct kmm_irq_state node_lock(struct kmem_cache_node *n)
{
	struct kmm_irq_state irq = kmm_irq_save();

	pthread_mutex_lock(&n->list_lock);
	return irq;
}

static inline void node_unlock(struct kmem_cache_node *n, struct kmm_irq_state irq)
{
	pthread_mutex_unlock(&n->list_lock);
	kmm_irq_restore(irq);
}

/* Slab state in the head page. */
#define slab_freelist(page)	 ((unsigned short *)(page)->index)
#define slab_active(page)	 (*(unsigned int *)&(page)->page_type)
#define SLAB_INLINE_FREELIST_MAX 4 /* objects whose indices fit in page->virtual */

/* The empty array every CPU starts with: avail 0, limit 0, never written. */
extern struct array_cache slab_empty_array;

extern struct list_head slab_caches;
extern pthread_mutex_t slab_mutex;

static inline struct page *obj_to_head(const void *obj)
{
	return compound_head(virt_to_page(obj));
}

/* A whole number of objects from the first: divide exactly by multiplying, as kmem_cache_obj_ok(). */
static inline unsigned int obj_to_index(const struct kmem_cache *s, const struct page *page,
					const void *obj)
{
	return (unsigned int)((((unsigned long)obj - page->private) >> s->obj_shift) *
			      s->obj_inverse);
}

static inline void *index_to_obj(const struct kmem_cache *s, const struct page *page,
				 unsigned int idx)
{
	return (void *)(page->private + (unsigned long)idx * s->size);
}

/* slab.c: objects */
/* slab_free - __kmem_cache_free(), with reports naming @call (kfree frees through it too). */
void slab_free(struct kmem_cache *s, void *obj, const char *call);
void free_block(struct kmem_cache *s, void **objs, int nr, int node, struct list_head *list);
void slabs_destroy(struct kmem_cache *s, struct list_head *list);
/* drain_freelist - release up to @tofree free slabs of node @n; list_lock not held. */
int drain_freelist(struct kmem_cache *s, struct kmem_cache_node *n, int tofree);
/* release_cpu_array - give all of @ac back to its node and free it (interrupts off). */
void release_cpu_array(struct kmm_cpu *cpu, struct array_cache *ac);
/* drain_array_objects - give up to @nr objects of @ac back to node @node. */
void drain_array_objects(struct kmem_cache *s, struct array_cache *ac, int node, int nr);
struct array_cache *alloc_array_cache(struct kmem_cache *s, unsigned int limit, unsigned int batch);
void free_array_cache(struct array_cache *ac);

/* cache.c: /proc/slabinfo, and the drain hook (a CPU's arrays back to the nodes) */
void show_slabinfo(FILE *out);
void slab_drain_cpu(struct kmm_cpu *cpu);

/* cache.c: teardown at kmm_exit() (stop the reaper, wait for RCU frees) */
void kmm_slab_exit(void);

/* cache.c: reports */
void slab_report(const char *call, const struct kmem_cache *s, const void *obj, const char *what);

#endif /* KMM_SLAB_INTERNAL_H */
