/* SPDX-License-Identifier: MIT */
/*
 * buddy/reclaim.c - getting memory back: shrinkers, direct reclaim and kswapd.
 *
 * There is no page cache or anonymous memory to reclaim in this machine, so
 * reclaim is what the kernel's shrink_slab() does: ask every registered
 * shrinker for a share of its objects, a larger share at each lower priority
 * (DEF_PRIORITY 12 down to 0), until enough pages came back.
 *
 * kswapd: one thread per node, started the first time it is woken, woken when
 * an allocation finds a zone below its low watermark, and running reclaim
 * until the node's zones are above their high watermark again.
 *
 * Locking: shrinker_rwsem protects the shrinker list; reclaim holds it for
 * reading while it calls the shrinkers, so shrinker_free() (writer) waits for
 * running callbacks.  kswapd_lock/kswapd_wait protect each node's kswapd state.
 * No zone lock and no CPU is held here.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "boot/subsys.h"
#include "buddy/internal.h"
#include "report/report.h"
#include "sync/kthread.h"
#include "sync/lock.h"

#define DEF_PRIORITY	       12
#define SHRINK_BATCH	       128
#define SWAP_CLUSTER_MAX_PAGES 32UL

static LIST_HEAD(shrinker_list);
static pthread_rwlock_t shrinker_rwsem = PTHREAD_RWLOCK_INITIALIZER;

struct kswapd {
	pthread_t thread;
	bool running;	     /* the thread exists */
	bool stop;	     /* kmm_exit() asks it to end */
	bool woken;	     /* a wake-up is pending */
	unsigned int order;  /* the largest order it was woken for */
	int highest_zoneidx; /* the highest zone it balances */
};

static struct kswapd kswapds[MAX_NUMNODES];
static pthread_mutex_t kswapd_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t kswapd_wait = PTHREAD_COND_INITIALIZER;

struct shrinker *shrinker_alloc(unsigned int flags, const char *fmt, ...)
{
	struct shrinker *shrinker = (struct shrinker *)get_zeroed_page(GFP_KERNEL);
	va_list ap;

	if (!shrinker)
		return NULL;
	shrinker->flags = flags & ~SHRINKER_REGISTERED;
	shrinker->seeks = DEFAULT_SEEKS;
	INIT_LIST_HEAD(&shrinker->list);
	va_start(ap, fmt);
	vsnprintf(shrinker->name, sizeof(shrinker->name), fmt, ap);
	va_end(ap);
	return shrinker;
}

void shrinker_register(struct shrinker *shrinker)
{
	if (!shrinker->count_objects || !shrinker->scan_objects) {
		kmm_report("shrinker_register: shrinker %s has no count or scan callback, refused",
			   shrinker->name);
		return;
	}
	kmm_rwlock_lock(&shrinker_rwsem, true);
	if (!(shrinker->flags & SHRINKER_REGISTERED)) {
		list_add_tail(&shrinker->list, &shrinker_list);
		shrinker->flags |= SHRINKER_REGISTERED;
	}
	pthread_rwlock_unlock(&shrinker_rwsem);
}

void shrinker_free(struct shrinker *shrinker)
{
	if (!shrinker)
		return;
	kmm_rwlock_lock(&shrinker_rwsem, true);
	if (shrinker->flags & SHRINKER_REGISTERED) {
		list_del(&shrinker->list);
		shrinker->flags &= ~SHRINKER_REGISTERED;
	}
	pthread_rwlock_unlock(&shrinker_rwsem);
	free_page((unsigned long)shrinker);
}

/* do_shrink_slab - ask one shrinker for (freeable >> priority) * 4 / seeks objects. */
static unsigned long do_shrink_slab(struct shrinker *shrinker, struct shrink_control *sc,
				    int priority)
{
	unsigned long freeable = shrinker->count_objects(shrinker, sc), freed = 0;
	long batch = shrinker->batch ? shrinker->batch : SHRINK_BATCH;
	long total_scan, delta;

	if (freeable == 0 || freeable == SHRINK_EMPTY)
		return 0;
	delta = (long)((freeable >> priority) * 4 /
		       (unsigned)(shrinker->seeks ? shrinker->seeks : 1));
	total_scan = __atomic_exchange_n(&shrinker->nr_deferred, 0, __ATOMIC_RELAXED) + delta;
	if (total_scan > (long)freeable * 2)
		total_scan = (long)freeable * 2;
	while (total_scan >= batch || total_scan >= (long)freeable) {
		unsigned long ret, scanned;

		sc->nr_to_scan = (unsigned long)(total_scan < batch ? total_scan : batch);
		sc->nr_scanned = sc->nr_to_scan;
		if (!sc->nr_to_scan)
			break;
		ret = shrinker->scan_objects(shrinker, sc);
		if (ret == SHRINK_STOP)
			break;
		freed += ret;
		scanned = sc->nr_scanned ? sc->nr_scanned : sc->nr_to_scan;
		total_scan -= (long)scanned;
	}
	if (total_scan > 0)
		__atomic_fetch_add(&shrinker->nr_deferred, total_scan, __ATOMIC_RELAXED);
	return freed;
}

static unsigned long shrink_slab(gfp_t gfp, int nid, int priority)
{
	struct shrinker *shrinker;
	unsigned long freed = 0;

	pthread_rwlock_rdlock(&shrinker_rwsem);
	list_for_each_entry(shrinker, &shrinker_list, list) {
		struct shrink_control sc = {.gfp_mask = gfp, .nid = nid};

		if (!(shrinker->flags & SHRINKER_NUMA_AWARE))
			sc.nid = 0;
		freed += do_shrink_slab(shrinker, &sc, priority);
	}
	pthread_rwlock_unlock(&shrinker_rwsem);
	return freed;
}

unsigned long kmm_reclaim(int nid, unsigned long nr_pages, gfp_t gfp)
{
	unsigned long freed = 0, before;
	int priority;

	if (!kmm_booted())
		return 0;
	before = nr_free_pages();
	for (priority = DEF_PRIORITY; priority >= 0; priority--) {
		freed += shrink_slab(gfp, nid == NUMA_NO_NODE ? 0 : nid, priority);
		if (nr_free_pages() >= before + nr_pages)
			break;
	}
	return freed;
}

unsigned long try_to_free_pages(const struct alloc_context *ac, unsigned int order, gfp_t gfp)
{
	(void)ac;
	return kmm_reclaim(NUMA_NO_NODE,
			   (1UL << order) > SWAP_CLUSTER_MAX_PAGES ? (1UL << order)
								   : SWAP_CLUSTER_MAX_PAGES,
			   gfp);
}

static bool pgdat_balanced(pg_data_t *pgdat, int highest_zoneidx)
{
	int zid;

	for (zid = 0; zid <= highest_zoneidx && zid < MAX_NR_ZONES; zid++) {
		struct zone *zone = &pgdat->node_zones[zid];

		if (managed_zone(zone) &&
		    zone_watermark_ok(zone, 0, high_wmark_pages(zone), highest_zoneidx, 0))
			return true;
	}
	return false;
}

static void *kswapd_main(void *arg)
{
	struct kswapd *k = arg;
	int nid = (int)(k - kswapds);
	char name[16];

	snprintf(name, sizeof(name), "kswapd%d", nid);
	pthread_setname_np(pthread_self(), name);
	pthread_mutex_lock(&kswapd_lock);
	while (!k->stop) {
		int highest, priority;

		if (!k->woken) {
			pthread_cond_wait(&kswapd_wait, &kswapd_lock);
			continue;
		}
		k->woken = false;
		highest = k->highest_zoneidx;
		pthread_mutex_unlock(&kswapd_lock);
		for (priority = DEF_PRIORITY; priority >= 0; priority--) {
			if (pgdat_balanced(NODE_DATA(nid), highest))
				break;
			if (!shrink_slab(GFP_KERNEL, nid, priority) && priority < DEF_PRIORITY - 2)
				break;
		}
		pthread_mutex_lock(&kswapd_lock);
	}
	pthread_mutex_unlock(&kswapd_lock);
	return NULL;
}

void wakeup_kswapd(struct zone *zone, gfp_t gfp, unsigned int order, int highest_zoneidx)
{
	struct kswapd *k = &kswapds[zone->node];

	(void)gfp;
	if (zone_watermark_ok(zone, order, low_wmark_pages(zone), highest_zoneidx, 0))
		return;
	pthread_mutex_lock(&kswapd_lock);
	if (!k->running && !k->stop) {
		k->stop = false;
		if (kmm_kthread_create(&k->thread, kswapd_main, k, 0) == 0)
			k->running = true;
	}
	if (order > k->order)
		k->order = order;
	k->highest_zoneidx = highest_zoneidx;
	k->woken = true;
	pthread_cond_broadcast(&kswapd_wait);
	pthread_mutex_unlock(&kswapd_lock);
}

/* At teardown: every kswapd thread stops. */
static void kswapd_stop_all(void)
{
	int nid;

	pthread_mutex_lock(&kswapd_lock);
	for (nid = 0; nid < MAX_NUMNODES; nid++)
		kswapds[nid].stop = true;
	pthread_cond_broadcast(&kswapd_wait);
	pthread_mutex_unlock(&kswapd_lock);
	for (nid = 0; nid < MAX_NUMNODES; nid++) {
		if (kswapds[nid].running)
			pthread_join(kswapds[nid].thread, NULL);
		kswapds[nid] = (struct kswapd){0};
	}
}

/*
 * fork (the step KMM_FORK_SHRINKERS): the shrinker list is held for reading
 * across fork(), so that no shrinker comes or goes, while reclaim already
 * running goes on.  The child has no kswapd threads: each starts again at its
 * node's next wake-up; their state is new at the step KMM_FORK_ZONES, before
 * anything in the child could wake one.
 */
static void reclaim_fork_prepare(void)
{
	pthread_rwlock_rdlock(&shrinker_rwsem);
}

static void reclaim_fork_parent(void)
{
	pthread_rwlock_unlock(&shrinker_rwsem);
}

static void reclaim_fork_child(void)
{
	pthread_rwlock_init(&shrinker_rwsem, NULL);
}

static void kswapd_fork_child(void)
{
	int nid;

	pthread_mutex_init(&kswapd_lock, NULL);
	pthread_cond_init(&kswapd_wait, NULL);
	for (nid = 0; nid < MAX_NUMNODES; nid++)
		kswapds[nid] = (struct kswapd){0};
}

static const struct kmm_fork_ops reclaim_fork_ops[] = {
	{.step = KMM_FORK_SHRINKERS,
	 .prepare = reclaim_fork_prepare,
	 .parent = reclaim_fork_parent,
	 .child = reclaim_fork_child},
	{.step = KMM_FORK_ZONES, .child = kswapd_fork_child},
};

const struct kmm_subsys kmm_reclaim_subsys = {
	.name = "reclaim",
	.stop = kswapd_stop_all,
	KMM_SUBSYS_FORK(reclaim_fork_ops),
};
