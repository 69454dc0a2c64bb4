/* SPDX-License-Identifier: MIT */
/*
 * kmalloc/kmalloc.c - the kmalloc caches and tables, kmalloc_large(), and the
 * out-of-line paths: a kmalloc before boot, zero and large sizes,
 * kmalloc_node(), kfree() of anything but a slab head page's object on a CPU,
 * ksize(), krealloc(), kfree_sensitive() (the kernel's mm/slab_common.c).
 *
 * The caches: for each family (normal, reclaimable, DMA), one cache per
 * kmm_kmalloc_info[] index from KMALLOC_SHIFT_LOW to KMALLOC_SHIFT_HIGH, plus
 * 96 and 192, created with SLAB_KMALLOC as the kernel's new_kmalloc_cache():
 * power-of-two sizes aligned to themselves, the usercopy window the whole
 * object.  They are made at boot, as the kernel's kmem_cache_init() does, so
 * slabinfo lists them from the start; that is the boot's first allocation,
 * which initialises a section of the memmap (2 MiB of struct pages for 128 MiB)
 * and costs each cache a few pages.  A kmalloc before any kmm_init() boots
 * the machine from KMM_CMDLINE, caches included.
 *
 * A large kmalloc is a compound page whose head carries the page type
 * PG_large_kmalloc, so that kfree() tells it from any other page (a freed one,
 * whose type becomes PG_pcp or PG_buddy, included).  Its pages count as
 * unreclaimable slab memory (SUnreclaim), as the kernel's do.
 *
 * Locking: see kmalloc.h.  kfree() takes no lock of its own.
 */
#include <errno.h>
#include <string.h>
#include <kmm/vmalloc.h>

#include "boot/machine.h"
#include "boot/subsys.h"
#include "buddy/internal.h"
#include "kmalloc/kmalloc.h"
#include "report/report.h"
#include "slab/slab.h"

const struct kmalloc_info_struct kmm_kmalloc_info[] = {
	{NULL, 0},
	{"kmalloc-96", 96},
	{"kmalloc-192", 192},
	{"kmalloc-8", 8},
	{"kmalloc-16", 16},
	{"kmalloc-32", 32},
	{"kmalloc-64", 64},
	{"kmalloc-128", 128},
	{"kmalloc-256", 256},
	{"kmalloc-512", 512},
	{"kmalloc-1k", 1024},
	{"kmalloc-2k", 2048},
	{"kmalloc-4k", 4096},
	{"kmalloc-8k", 8192},
	{"kmalloc-16k", 16384},
	{"kmalloc-32k", 32768},
	{"kmalloc-64k", 65536},
	{"kmalloc-128k", 131072},
	{"kmalloc-256k", 262144},
	{"kmalloc-512k", 524288},
	{"kmalloc-1M", 1048576},
	{"kmalloc-2M", 2097152},
	{"kmalloc-4M", 4194304},
	{"kmalloc-8M", 8388608},
	{"kmalloc-16M", 16777216},
	{"kmalloc-32M", 33554432},
	{"kmalloc-64M", 67108864},
};
_Static_assert(sizeof(kmm_kmalloc_info) / sizeof(kmm_kmalloc_info[0]) == 27, "indices 0..26");
_Static_assert(KMALLOC_SHIFT_HIGH <= 26, "every cache has a kmm_kmalloc_info[] entry");

/* The kernel's size_index[]: the cache index of sizes 8, 16, 24, ... 192, by (size - 1) / 8. */
const unsigned char kmm_kmalloc_size_index[24] = {
	3, 4, 5, 5, 6, 6, 6, 6, /* 8, 16, 24, 32, 40, 48, 56, 64 */
	1, 1, 1, 1, 7, 7, 7, 7, /* 72, 80, 88, 96, 104, 112, 120, 128 */
	2, 2, 2, 2, 2, 2, 2, 2, /* 136, 144, 152, 160, 168, 176, 184, 192 */
};

struct kmem_cache *kmm_kmalloc_caches[NR_KMALLOC_TYPES][KMALLOC_SHIFT_HIGH + 1] = {
	[0 ... NR_KMALLOC_TYPES - 1] = {[0 ... KMALLOC_SHIFT_HIGH] = &kmm_unmade_cache},
};

static pthread_mutex_t kmalloc_mutex = PTHREAD_MUTEX_INITIALIZER;
struct kmem_cache *kmm_kmalloc_normal_by_8[KMALLOC_MAX_CACHE_SIZE / 8] = {
	[0 ... KMALLOC_MAX_CACHE_SIZE / 8 - 1] = &kmm_unmade_cache,
};

/* set_kmalloc_cache - @s is cache @idx of family @type, in both tables. */
static void set_kmalloc_cache(enum kmalloc_cache_type type, unsigned int idx, struct kmem_cache *s)
{
	size_t slot;

	__atomic_store_n(&kmm_kmalloc_caches[type][idx], s, __ATOMIC_RELEASE);
	if (type != KMALLOC_NORMAL)
		return;
	for (slot = 0; slot < KMALLOC_MAX_CACHE_SIZE / 8; slot++)
		if (kmalloc_size_to_index(slot * 8 + 1) == idx)
			__atomic_store_n(&kmm_kmalloc_normal_by_8[slot], s, __ATOMIC_RELEASE);
}

/* Every cache of kmm_kmalloc_caches[][] is made (acquire/release). */
static bool kmalloc_caches_made;

static const char *const kmalloc_family_format[NR_KMALLOC_TYPES] = {
	[KMALLOC_NORMAL] = "kmalloc-%s",
	[KMALLOC_RECLAIM] = "kmalloc-rcl-%s",
	[KMALLOC_DMA] = "dma-kmalloc-%s",
};

static const slab_flags_t kmalloc_family_flags[NR_KMALLOC_TYPES] = {
	[KMALLOC_NORMAL] = 0,
	[KMALLOC_RECLAIM] = SLAB_RECLAIM_ACCOUNT,
	[KMALLOC_DMA] = SLAB_CACHE_DMA,
};

/* The kernel's new_kmalloc_cache(): cache @idx of family @type, named as the kernel names it. */
static int new_kmalloc_cache(unsigned int idx, enum kmalloc_cache_type type)
{
	unsigned int size = kmm_kmalloc_info[idx].size;
	unsigned int align = (size & (size - 1)) ? 0 : size;
	struct kmem_cache *s;
	char name[32];

	if (kmm_kmalloc_caches[type][idx] != &kmm_unmade_cache)
		return 0;
	snprintf(name, sizeof(name), kmalloc_family_format[type],
		 kmm_kmalloc_info[idx].name + strlen("kmalloc-"));
	s = kmem_cache_create_usercopy(name, size, align, SLAB_KMALLOC | kmalloc_family_flags[type],
				       0, size, NULL);
	if (!s)
		return -ENOMEM;
	s->refcount = -1; /* a boot cache: kmem_cache_destroy() ignores it, as the kernel's */
	set_kmalloc_cache(type, idx, s);
	return 0;
}

/*
 * create_kmalloc_caches - make every kmalloc cache of this machine unless
 * made already (at boot; booting the machine if called before).  0, or
 * -ENOMEM (reported by kmem_cache_create(); the caches made so far stay, a
 * later call retries).
 */
static int create_kmalloc_caches(void)
{
	int type, i, ret = 0;

	if (kmm_likely(__atomic_load_n(&kmalloc_caches_made, __ATOMIC_ACQUIRE)))
		return 0;
	if (!kmm_machine_up())
		return -ENODEV;
	pthread_mutex_lock(&kmalloc_mutex);
	/* In size order, 96 after 64 and 192 after 128, as the kernel's create_kmalloc_caches(). */
	for (type = 0; type < NR_KMALLOC_TYPES && !ret; type++) {
		for (i = KMALLOC_SHIFT_LOW; i <= KMALLOC_SHIFT_HIGH && !ret; i++) {
			ret = new_kmalloc_cache((unsigned int)i, type);
			if (i == 6 && !ret)
				ret = new_kmalloc_cache(1, type);
			if (i == 7 && !ret)
				ret = new_kmalloc_cache(2, type);
		}
	}
	if (!ret)
		__atomic_store_n(&kmalloc_caches_made, true, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&kmalloc_mutex);
	return ret;
}

/* At teardown: forget the caches (their memory goes with the machine). */
static void kmalloc_exit(void)
{
	int type, i;

	pthread_mutex_lock(&kmalloc_mutex);
	for (type = 0; type < NR_KMALLOC_TYPES; type++)
		for (i = 0; i <= KMALLOC_SHIFT_HIGH; i++)
			set_kmalloc_cache(type, (unsigned int)i, &kmm_unmade_cache);
	__atomic_store_n(&kmalloc_caches_made, false, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&kmalloc_mutex);
}

/* At boot, after the slab layer: every kmalloc cache. */
static int kmalloc_init(void)
{
	int ret = create_kmalloc_caches();

	if (ret) {
		kmm_report("kmm_init: cannot create the kmalloc caches: %s", strerror(-ret));
		kmalloc_exit();
	}
	return ret;
}

const struct kmm_subsys kmm_kmalloc_subsys = {
	.name = "kmalloc",
	.init = kmalloc_init,
	.exit = kmalloc_exit,
	KMM_SUBSYS_FORK(kfree_rcu_fork_ops),
};

struct kmem_cache *kmalloc_slab(size_t size, gfp_t flags)
{
	if (!size || size > KMALLOC_MAX_CACHE_SIZE || create_kmalloc_caches())
		return NULL;
	return kmm_kmalloc_caches[kmalloc_type(flags)][kmalloc_size_to_index(size)];
}

void *kmalloc_large_node(size_t size, gfp_t flags, int node)
{
	unsigned int order;
	struct page *page;

	if (kmm_unlikely(size > KMALLOC_MAX_SIZE)) {
		if (!(flags & __GFP_NOWARN))
			kmm_report(
				"WARNING: kmalloc: size %zu above KMALLOC_MAX_SIZE (%lu), refused",
				size, KMALLOC_MAX_SIZE);
		return NULL;
	}
	if (!size)
		return ZERO_SIZE_PTR;
	if (kmm_unlikely(flags & GFP_SLAB_BUG_MASK))
		flags = slab_fix_gfp("kmalloc", flags);
	order = (unsigned int)get_order(size);
	flags |= __GFP_COMP;
	if (node == NUMA_NO_NODE)
		page = alloc_pages(flags, order);
	else
		page = alloc_pages_node(node, flags, order);
	if (!page)
		return NULL;
	page->page_type &= ~PG_large_kmalloc;
	zone_stat_add(page_zone(page), NR_ZONE_SLAB_UNRECL, 1L << order);
	return page_address(page);
}

void *kmalloc_large(size_t size, gfp_t flags)
{
	return kmalloc_large_node(size, flags, NUMA_NO_NODE);
}

static void free_large_kmalloc(struct page *head)
{
	unsigned int order = compound_order(head);

	head->page_type |= PG_large_kmalloc;
	zone_stat_add(page_zone(head), NR_ZONE_SLAB_UNRECL, -(1L << order));
	__free_pages(head, order);
}

void *__kmalloc_node(size_t size, gfp_t flags, int node)
{
	struct kmem_cache *s;

	if (size > KMALLOC_MAX_CACHE_SIZE)
		return kmalloc_large_node(size, flags, node);
	if (!size)
		return ZERO_SIZE_PTR;
	s = kmalloc_slab(size, flags);
	if (kmm_unlikely(!s))
		return NULL;
	return kmalloc_slab_alloc(s, flags, node, size, (unsigned long)__builtin_return_address(0));
}

void *__kmalloc(size_t size, gfp_t flags)
{
	return __kmalloc_node(size, flags, NUMA_NO_NODE);
}

const char *kfree_target(const void *ptr, struct kmem_cache **s, struct page **head, char *why,
			 size_t len)
{
	unsigned long off = (unsigned long)ptr - kmm_page_offset;
	struct page *page;

	*s = NULL;
	*head = NULL;
	if (kmm_machine_booted() && is_vmalloc_addr(ptr))
		return "a vmalloc address, not in the direct map (vfree() or kvfree() frees it)";
	if (!kmm_machine_booted() || off >= kmm_direct_map_bytes)
		return "not in the direct map";
	page = virt_to_page(ptr);
	if (PageSlab(compound_head(page))) {
		struct kmem_cache *cache = (struct kmem_cache *)page->mapping;
		unsigned long delta = (unsigned long)ptr - page->private;

		if (kmem_cache_obj_ok(cache, ptr)) {
			*s = cache;
			return NULL;
		}
		if ((unsigned long)ptr < page->private || delta / cache->size >= cache->num)
			snprintf(why, len, "not an object of %s", cache->name);
		else
			snprintf(why, len, "%lu bytes into an object of %s", delta % cache->size,
				 cache->name);
		return why;
	}
	page = compound_head(page);
	if (PageLargeKmalloc(page)) {
		if (ptr == page_address(page)) {
			*head = page;
			return NULL;
		}
		snprintf(why, len, "%lu bytes into a large kmalloc at %p",
			 (unsigned long)ptr - (unsigned long)page_address(page),
			 page_address(page));
		return why;
	}
	if (PageBuddy(page) || PagePcp(page))
		return "Not a kmalloc allocation (its page is free)";
	return "Not a kmalloc allocation";
}

void __kfree(const void *ptr)
{
	struct kmem_cache *s;
	struct page *head;
	const char *problem;
	char why[128];

	if (ZERO_OR_NULL_PTR(ptr))
		return;
	problem = kfree_target(ptr, &s, &head, why, sizeof(why));
	if (problem)
		kmm_report("kfree: %p: %s, refused", ptr, problem);
	else if (s)
		slab_free(s, (void *)ptr, "kfree", (unsigned long)__builtin_return_address(0));
	else
		free_large_kmalloc(head);
}

/* The bytes usable at @ptr; 0 with a report naming @call if kfree() would refuse it. */
static size_t object_size(const void *ptr, const char *call)
{
	struct kmem_cache *s;
	struct page *head;
	const char *problem;
	char why[128];

	if (ZERO_OR_NULL_PTR(ptr))
		return 0;
	problem = kfree_target(ptr, &s, &head, why, sizeof(why));
	if (problem) {
		kmm_report("%s: %p: %s, refused", call, ptr, problem);
		return 0;
	}
	if (!s)
		return PAGE_SIZE << compound_order(head);
	/* all of it is the caller's now, as the kernel's ksize() says */
	slab_kmalloc_whole(s, (void *)ptr);
	return s->object_size;
}

size_t ksize(const void *obj)
{
	return object_size(obj, "ksize");
}

size_t kmalloc_size_roundup(size_t size)
{
	if (size && size <= KMALLOC_MAX_CACHE_SIZE)
		return kmm_kmalloc_info[kmalloc_size_to_index(size)].size;
	if (size && size <= KMALLOC_MAX_SIZE)
		return PAGE_SIZE << get_order(size);
	return size;
}

void *krealloc(const void *p, size_t new_size, gfp_t flags)
{
	size_t ks = 0;
	void *ret;

	if (kmm_unlikely(!new_size)) {
		kfree(p);
		return ZERO_SIZE_PTR;
	}
	if (!ZERO_OR_NULL_PTR(p)) {
		ks = object_size(p, "krealloc");
		if (!ks)
			return NULL;
	}
	if (ks >= new_size)
		return (void *)p;
	ret = kmalloc(new_size, flags);
	if (ret && ks) {
		memcpy(ret, p, ks);
		kfree(p);
	}
	return ret;
}

void kfree_sensitive(const void *p)
{
	size_t ks = object_size(p, "kfree_sensitive");

	if (!ks)
		return;
	explicit_bzero((void *)p, ks);
	kfree(p);
}
