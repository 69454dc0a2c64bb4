/* SPDX-License-Identifier: MIT */
/*
 * slab/list_lru.c - struct list_lru (<kmm/list_lru.h>): per-node object lists.
 *
 * Locking: each node's lock protects its list and count; nothing else is
 * taken under it, and no call holds two.  nr_items is also read without the
 * lock (relaxed atomics) by list_lru_count_node().
 */
#include <kmm/list_lru.h>
#include <kmm/mm.h>

int __list_lru_init(struct list_lru *lru, bool memcg_aware, void *key, struct shrinker *shrinker)
{
	int nid;

	(void)key;
	(void)shrinker;
	for (nid = 0; nid < MAX_NUMNODES; nid++) {
		struct list_lru_node *nlru = &lru->node[nid];

		pthread_mutex_init(&nlru->lock, NULL);
		INIT_LIST_HEAD(&nlru->lru.list);
		nlru->lru.nr_items = 0;
		nlru->nr_items = 0;
	}
	lru->memcg_aware = memcg_aware;
	return 0;
}

void list_lru_destroy(struct list_lru *lru)
{
	int nid;

	for (nid = 0; nid < MAX_NUMNODES; nid++)
		pthread_mutex_destroy(&lru->node[nid].lock);
}

/* The node @item's memory is on: its page's in the direct map, else node 0. */
static int item_nid(const struct list_head *item)
{
	return virt_addr_valid(item) ? page_to_nid(virt_to_page(item)) : 0;
}

bool list_lru_add_obj(struct list_lru *lru, struct list_head *item)
{
	struct list_lru_node *nlru = &lru->node[item_nid(item)];
	bool added = false;

	pthread_mutex_lock(&nlru->lock);
	if (list_empty(item)) {
		list_add_tail(item, &nlru->lru.list);
		nlru->lru.nr_items++;
		__atomic_store_n(&nlru->nr_items, nlru->nr_items + 1, __ATOMIC_RELAXED);
		added = true;
	}
	pthread_mutex_unlock(&nlru->lock);
	return added;
}

bool list_lru_del_obj(struct list_lru *lru, struct list_head *item)
{
	struct list_lru_node *nlru = &lru->node[item_nid(item)];
	bool deleted = false;

	pthread_mutex_lock(&nlru->lock);
	if (!list_empty(item)) {
		list_del_init(item);
		nlru->lru.nr_items--;
		__atomic_store_n(&nlru->nr_items, nlru->nr_items - 1, __ATOMIC_RELAXED);
		deleted = true;
	}
	pthread_mutex_unlock(&nlru->lock);
	return deleted;
}

unsigned long list_lru_count_node(struct list_lru *lru, int nid)
{
	if (nid < 0 || nid >= MAX_NUMNODES)
		return 0;
	return (unsigned long)__atomic_load_n(&lru->node[nid].nr_items, __ATOMIC_RELAXED);
}

unsigned long list_lru_count(struct list_lru *lru)
{
	unsigned long count = 0;
	int nid;

	for (nid = 0; nid < MAX_NUMNODES; nid++)
		count += list_lru_count_node(lru, nid);
	return count;
}
