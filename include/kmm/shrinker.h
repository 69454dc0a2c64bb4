/* SPDX-License-Identifier: MIT */
/*
 * kmm/shrinker.h - reclaim callbacks (<linux/shrinker.h>).
 *
 * A subsystem that caches memory it could give back registers a shrinker.
 * Reclaim (direct reclaim in an allocation that may sleep, or the kswapd thread
 * woken when a zone falls below its low watermark) asks each shrinker how much
 * it could free (count_objects) and then asks it to free a share of that
 * (scan_objects), in batches.
 *
 * Context: the callbacks run in the allocating thread or in kswapd, with no
 * libkmm lock held; they may allocate with GFP_NOWAIT and free memory.
 */
#ifndef KMM_SHRINKER_H
#define KMM_SHRINKER_H

#include <kmm/types.h>

KMM_BEGIN_DECLS

struct shrink_control {
	gfp_t gfp_mask;		  /* the flags of the allocation that caused reclaim */
	int nid;		  /* the node being reclaimed */
	unsigned long nr_to_scan; /* objects scan_objects should look at */
	unsigned long nr_scanned; /* objects it looked at, if not nr_to_scan */
};

/* scan_objects: nothing can be freed now, stop asking.  count_objects: nothing cached. */
#define SHRINK_STOP   (~0UL)
#define SHRINK_EMPTY  (~0UL - 1)
#define DEFAULT_SEEKS 2

#define SHRINKER_REGISTERED 0x1u
#define SHRINKER_NUMA_AWARE 0x4u

struct shrinker {
	/* how many objects could be freed now (0 or SHRINK_EMPTY: none) */
	unsigned long (*count_objects)(struct shrinker *, struct shrink_control *sc);
	/* free up to sc->nr_to_scan objects; return how many were freed, or SHRINK_STOP */
	unsigned long (*scan_objects)(struct shrinker *, struct shrink_control *sc);
	long batch;	    /* objects per scan_objects call; 0 for the default of 128 */
	int seeks;	    /* cost of recreating an object (DEFAULT_SEEKS) */
	unsigned int flags; /* SHRINKER_* */
	void *private_data; /* the owner's */
	/* internal: registration list, name, the scan work carried over between passes */
	struct list_head list;
	long nr_deferred;
	char name[48];
};

/*
 * shrinker_alloc - a zeroed shrinker named by @fmt (printf-like); fill in the
 * callbacks, then shrinker_register().  Return: NULL if out of memory.
 */
struct shrinker *shrinker_alloc(unsigned int flags, const char *fmt, ...) kmm_format(2, 3);
/* shrinker_register - make @shrinker visible to reclaim. */
void shrinker_register(struct shrinker *shrinker);
/* shrinker_free - unregister (waiting for running callbacks) and free @shrinker. */
void shrinker_free(struct shrinker *shrinker);

/*
 * kmm_reclaim - run one reclaim pass over the shrinkers as direct reclaim would,
 * asking for @nr_pages pages on node @nid (NUMA_NO_NODE: all nodes).
 * Return: the objects the shrinkers reported freed.
 */
unsigned long kmm_reclaim(int nid, unsigned long nr_pages, gfp_t gfp);

KMM_END_DECLS

#endif /* KMM_SHRINKER_H */
