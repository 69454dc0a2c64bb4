/* SPDX-License-Identifier: MIT */
/*
 * hashtable.c - a hash table of objects from their own slab cache, written
 * as kernel code and run on libkmm.
 *
 * What it shows: the everyday shape of a kernel data structure.  A flow table
 * (a connection tracker's, say) keeps one struct flow per 4-tuple, allocated
 * from a cache made with KMEM_CACHE() and linked into buckets of struct
 * list_head; the bucket array comes from kcalloc().  Packets are accounted to
 * their flow (lookup, or insert on a miss), idle flows are expired (delete),
 * and the table is torn down.  At the end slabinfo shows the cache with no
 * object active, and kmem_cache_destroy() reports nothing: every object came
 * back.  The program checks its table against a plain shadow copy and exits
 * non-zero on any difference.
 *
 * Porting: everything above the harness is kernel code as a module would
 * have it (<linux/slab.h>, <linux/list.h>, GFP_KERNEL, kmem_cache_zalloc(),
 * list_for_each_entry_safe(), kcalloc()) and compiles unchanged against
 * libkmm's kernel spellings: the kmm::linux CMake target, or
 * `cc hashtable.c $(pkg-config --cflags --libs kmm-linux)`.  What a porter
 * changes is only what libkmm does not provide: <linux/types.h> (u32 and
 * friends, here <stdint.h>), <linux/hash.h> (hash_32(), here four lines of
 * its own) and printk (the harness prints).  The harness plays the kernel: it
 * boots a machine with kmm_init() and calls the table's init and exit as a
 * module's would be called.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/compiler.h>
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/slab.h>

#include <kmm/kmm.h> /* the harness: kmm_init(), kmm_show() */

/* --- kernel code --- */

#define FLOW_HASH_BITS 8
#define FLOW_HASH_SIZE (1U << FLOW_HASH_BITS)

struct flow_key {
	uint32_t saddr, daddr;
	uint16_t sport, dport;
};

struct flow {
	struct list_head node; /* in its bucket */
	struct flow_key key;
	uint64_t packets;
	uint64_t bytes;
};

struct flow_table {
	struct kmem_cache *cache;  /* struct flow objects */
	struct list_head *buckets; /* FLOW_HASH_SIZE chains */
	unsigned int count;	   /* flows in the table */
};

/* hash_32() of <linux/hash.h>: multiply by 2^32 / phi, keep the top bits. */
static inline uint32_t flow_hash(const struct flow_key *k)
{
	uint32_t val = k->saddr ^ (k->daddr * 31) ^ ((uint32_t)k->sport << 16 | k->dport);

	return (val * 0x61C88647u) >> (32 - FLOW_HASH_BITS);
}

static bool flow_key_equal(const struct flow_key *a, const struct flow_key *b)
{
	return a->saddr == b->saddr && a->daddr == b->daddr && a->sport == b->sport &&
	       a->dport == b->dport;
}

static int flow_table_init(struct flow_table *t)
{
	unsigned int i;

	t->cache = KMEM_CACHE(flow, SLAB_HWCACHE_ALIGN);
	if (!t->cache)
		return -ENOMEM;
	t->buckets = kcalloc(FLOW_HASH_SIZE, sizeof(*t->buckets), GFP_KERNEL);
	if (!t->buckets) {
		kmem_cache_destroy(t->cache);
		return -ENOMEM;
	}
	for (i = 0; i < FLOW_HASH_SIZE; i++)
		INIT_LIST_HEAD(&t->buckets[i]);
	t->count = 0;
	return 0;
}

static struct flow *flow_lookup(struct flow_table *t, const struct flow_key *key)
{
	struct flow *f;

	list_for_each_entry(f, &t->buckets[flow_hash(key)], node)
		if (flow_key_equal(&f->key, key))
			return f;
	return NULL;
}

/* flow_account - count a packet of @len bytes to its flow, made on the first packet. */
static int flow_account(struct flow_table *t, const struct flow_key *key, unsigned int len)
{
	struct flow *f = flow_lookup(t, key);

	if (!f) {
		f = kmem_cache_zalloc(t->cache, GFP_KERNEL);
		if (unlikely(!f))
			return -ENOMEM;
		f->key = *key;
		list_add(&f->node, &t->buckets[flow_hash(key)]);
		t->count++;
	}
	f->packets++;
	f->bytes += len;
	return 0;
}

static void flow_delete(struct flow_table *t, struct flow *f)
{
	list_del(&f->node);
	kmem_cache_free(t->cache, f);
	t->count--;
}

/* flow_expire - delete the flows that saw fewer than @min_packets; returns how many. */
static unsigned int flow_expire(struct flow_table *t, uint64_t min_packets)
{
	unsigned int i, expired = 0;
	struct flow *f, *next;

	for (i = 0; i < FLOW_HASH_SIZE; i++) {
		list_for_each_entry_safe(f, next, &t->buckets[i], node) {
			if (f->packets < min_packets) {
				flow_delete(t, f);
				expired++;
			}
		}
	}
	return expired;
}

static void flow_table_flush(struct flow_table *t)
{
	flow_expire(t, UINT64_MAX);
}

static void flow_table_exit(struct flow_table *t)
{
	flow_table_flush(t);
	kfree(t->buckets);
	kmem_cache_destroy(t->cache);
}

/* --- the harness --- */

#define NR_KEYS	   4000	 /* distinct 4-tuples packets may belong to */
#define NR_PACKETS 20000 /* packets accounted */

/* The 4-tuple of key number @i (10.0.x.y -> 192.168.0.z, port 443 or 80). */
static struct flow_key key_of(unsigned int i)
{
	return (struct flow_key){.saddr = 0x0a000000u | i,
				 .daddr = 0xc0a80001u + i % 7,
				 .sport = (uint16_t)(1024 + i * 13 % 60000),
				 .dport = i % 3 ? 443 : 80};
}

/* The active and total object counts of cache @name in slabinfo; false if it is not there. */
static bool slabinfo_counts(const char *name, unsigned long *active, unsigned long *total)
{
	char *text = NULL, *line, *save, cache[64];
	bool found = false;
	size_t len;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return false;
	kmm_show("slabinfo", f);
	fclose(f);
	for (line = strtok_r(text, "\n", &save); line && !found; line = strtok_r(NULL, "\n", &save))
		found = sscanf(line, "%63s %lu %lu", cache, active, total) == 3 &&
			strcmp(cache, name) == 0;
	free(text);
	return found;
}

static int fail(const char *what)
{
	printf("FAILED: %s\n", what);
	return 1;
}

int main(void)
{
	static uint64_t shadow[NR_KEYS]; /* packets per key, kept by plain arrays */
	unsigned long active, total;
	unsigned int i, flows = 0, longest = 0, expired, left = 0;
	struct flow_table table;
	uint32_t seed = 12345;

	if (kmm_init("mem=64M") != 0)
		return 1;
	if (flow_table_init(&table) != 0)
		return fail("flow_table_init");

	for (i = 0; i < NR_PACKETS; i++) {
		struct flow_key key;
		unsigned int k;

		seed = seed * 1103515245u + 12345u;
		k = (seed >> 8) % NR_KEYS;
		key = key_of(k);
		if (flow_account(&table, &key, 64 + k % 1400) != 0)
			return fail("flow_account");
		flows += shadow[k]++ == 0;
	}
	for (i = 0; i < FLOW_HASH_SIZE; i++) {
		unsigned int n = 0;
		struct flow *f;

		list_for_each_entry(f, &table.buckets[i], node)
			n++;
		if (n > longest)
			longest = n;
	}
	printf("%u packets accounted to %u flows in %u buckets (longest chain %u)\n", NR_PACKETS,
	       table.count, FLOW_HASH_SIZE, longest);
	if (table.count != flows)
		return fail("the table's flow count differs from the shadow's");
	if (!slabinfo_counts("flow", &active, &total) || active < flows)
		return fail("slabinfo does not show the flows");
	printf("slabinfo: flow %lu active objects of %lu (%zu-byte objects, %u bytes apart)\n",
	       active, total, sizeof(struct flow), table.cache->size);

	expired = flow_expire(&table, 5);
	for (i = 0; i < NR_KEYS; i++) {
		struct flow_key key = key_of(i);
		struct flow *f = flow_lookup(&table, &key);

		if (shadow[i] >= 5) {
			left++;
			if (!f || f->packets != shadow[i])
				return fail("a live flow is missing or miscounted");
		} else if (f) {
			return fail("an expired flow is still found");
		}
	}
	printf("expired %u flows with fewer than 5 packets: %u left, each found with its count\n",
	       expired, table.count);
	if (table.count != left)
		return fail("the flow count after expiry");

	flow_table_flush(&table);
	if (table.count != 0 || kmem_cache_shrink(table.cache) != 0)
		return fail("objects still in use after the flush");
	if (!slabinfo_counts("flow", &active, &total) || active != 0 || total != 0)
		return fail("slabinfo still shows flow objects");
	printf("flushed and kmem_cache_shrink(): slabinfo shows flow with %lu active objects of "
	       "%lu\n",
	       active, total);
	flow_table_exit(&table);
	if (slabinfo_counts("flow", &active, &total))
		return fail("kmem_cache_destroy() kept the cache");
	printf("kmem_cache_destroy(): the cache is gone, every object came back\n");
	kmm_exit();
	printf("hashtable: every check passed\n");
	return 0;
}
