/* SPDX-License-Identifier: MIT */
/*
 * kmm/list_lru.h - a minimal struct list_lru (<linux/list_lru.h>): per-node
 * lists of objects with their counts, what kmem_cache_alloc_lru() takes.
 *
 * An object goes on the list of the node its memory is on (page_to_nid() of
 * its page in the direct map; node 0 for any other address), as the kernel's
 * list_lru_add_obj() does.  Each node's list has its own lock, so the calls
 * may be made from any thread; list_lru_count() sums the nodes' counts
 * without taking the locks (exact when no other thread adds or deletes).
 *
 * What libkmm leaves out: memory cgroups.  The kernel keeps a list per
 * cgroup in a memcg-aware lru (list_lru_init_memcg()) and charges a
 * kmem_cache_alloc_lru() object to the caller's cgroup, making room for the
 * object on that cgroup's list; libkmm has no cgroups, so every lru is the
 * root cgroup's and the lru plays no part in the allocation.  Walking and
 * isolating (list_lru_walk()) is not provided.
 */
#ifndef KMM_LIST_LRU_H
#define KMM_LIST_LRU_H

#include <pthread.h>
#include <stdbool.h>
#include <kmm/list.h>
#include <kmm/mmzone.h>
#include <kmm/types.h>

KMM_BEGIN_DECLS

struct shrinker;

/* One node's list. */
struct list_lru_one {
	struct list_head list; /* the objects, most recently added last */
	long nr_items;	       /* objects on list */
};

struct list_lru_node {
	pthread_mutex_t lock;	 /* protects lru */
	struct list_lru_one lru; /* the node's objects (the root cgroup's, the only one) */
	long nr_items;		 /* lru.nr_items, readable without the lock */
};

struct list_lru {
	struct list_lru_node node[MAX_NUMNODES]; /* by node id */
	bool memcg_aware;			 /* as asked for; no effect here */
};

/**
 * __list_lru_init - make @lru an empty lru on every node.
 * @memcg_aware: recorded only (see the top); @key, @shrinker: ignored.
 * Context: any; @lru must not be in use.
 * Return: 0 (the kernel's -ENOMEM cannot happen: the lists are in @lru).
 */
int __list_lru_init(struct list_lru *lru, bool memcg_aware, void *key, struct shrinker *shrinker);
#define list_lru_init(lru)		   __list_lru_init((lru), false, NULL, NULL)
#define list_lru_init_memcg(lru, shrinker) __list_lru_init((lru), true, NULL, (shrinker))

/* list_lru_destroy - release @lru (its objects are not touched; it may be initialised again). */
void list_lru_destroy(struct list_lru *lru);

/**
 * list_lru_add_obj - put @item on the list of the node its memory is on.
 * Context: any thread.
 * Return: true, or false when @item was on a list already (not empty as a list_head).
 */
bool list_lru_add_obj(struct list_lru *lru, struct list_head *item);

/**
 * list_lru_del_obj - take @item off its node's list (list_del_init()).
 * Return: true, or false when @item was on no list.
 */
bool list_lru_del_obj(struct list_lru *lru, struct list_head *item);

/* list_lru_count_node - the objects on @nid's list; list_lru_count - on every node's. */
unsigned long list_lru_count_node(struct list_lru *lru, int nid);
unsigned long list_lru_count(struct list_lru *lru);

KMM_END_DECLS

#endif /* KMM_LIST_LRU_H */
