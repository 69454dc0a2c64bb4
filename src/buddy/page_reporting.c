/* SPDX-License-Identifier: MIT */
/*
 * buddy/page_reporting.c - free page reporting: giving idle free memory back
 * to the system (the kernel's mm/page_reporting.c).
 *
 * In a guest, the kernel reports free blocks of at least page_reporting_order
 * (pageblock_order, 2 MiB) to the hypervisor, which drops their backing.  Here
 * the "hypervisor" is the memfd that is physical memory: reporting a block is
 * fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE) on its range, so the
 * process's RSS and the memfd's pages go down, and the block reads as zeros
 * when it is next allocated (fine: it is fresh memory).
 *
 * What this file owns:
 *  - pr_state, the kernel's IDLE/REQUESTED/ACTIVE state: a free that makes a
 *    block of page_reporting_order or more (page_reporting_notify_free(), from
 *    __free_one_page()) moves IDLE to REQUESTED and schedules a pass
 *    PAGE_REPORTING_DELAY (2 s) later; frees while REQUESTED do nothing; a
 *    pass that ends with the state changed (new frees, or a spent budget)
 *    schedules the next one 2 s later.
 *  - the worker, "page_reporting": one thread, started at boot when reporting
 *    is on (never by a notify: creating a thread allocates, and a notify runs
 *    under zone->lock), again in a fork child, stopped at kmm_exit().  It
 *    waits for a request; it is not a CPU: it touches no per-CPU data.
 *  - the pass: for each zone with enough free memory (low watermark plus
 *    PAGE_REPORTING_CAPACITY blocks), each order from page_reporting_order up,
 *    each migrate type but Isolate, the blocks not yet PageReported are taken
 *    off the free lists (__isolate_free_page(), at most CAPACITY at a time, a
 *    budget of nr_free / (CAPACITY * 16) batches per list and pass), holes are
 *    punched with zone->lock dropped, and the blocks are put back at the tail
 *    of their lists (__putback_isolated_page()) and marked PageReported if they
 *    did not merge.  Allocating or merging a block clears the mark
 *    (del_from_free_list()).
 *
 * Off when page_reporting.page_reporting_order= is above MAX_PAGE_ORDER, and
 * with page_poison=1 (a punched page would lose its poison; the kernel
 * disables reporting with poisoning too).  debug_pagealloc is fine: punching
 * works on the memfd, whatever the direct map's protection; the isolated
 * blocks bypass the page debugging and ASan hooks (they stay unmapped and
 * poisoned).
 *
 * Locking: pr_lock is held across a whole pass, outside zone->lock; fork
 * takes it before the zone locks (page_reporting_fork_prepare(), after the
 * shrinker list), so no block is ever
 * isolated (off the lists, in no one's hands) when memory is copied for a
 * child.  zone->lock covers isolating, putting
 * back and the PageReported marks.  pr_wait_lock, innermost (taken under
 * zone->lock by a notify), protects the worker's wake-up state.  The punching
 * system calls run with no zone lock held.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <time.h>

#include "boot/subsys.h"
#include "buddy/internal.h"
#include "report/report.h"
#include "sync/kthread.h"

#define PAGE_REPORTING_DELAY_MS 2000 /* the kernel's 2 * HZ */
#define PAGE_REPORTING_CAPACITY 32   /* blocks isolated at a time, the kernel's */

enum { PAGE_REPORTING_IDLE, PAGE_REPORTING_REQUESTED, PAGE_REPORTING_ACTIVE };

unsigned int page_reporting_order = NR_PAGE_ORDERS;

static int pr_state;
static pthread_mutex_t pr_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t pr_wait_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pr_wait;
static pthread_once_t pr_wait_once = PTHREAD_ONCE_INIT;

/* The worker's wake-up state, under pr_wait_lock. */
static struct {
	pthread_t thread;
	bool running;	     /* the thread exists */
	bool stop;	     /* kmm_exit() asks it to end (and none may start) */
	struct timespec due; /* CLOCK_MONOTONIC time of the next pass */
} worker;

/* One isolated block (the kernel's scatterlist entry). */
struct reported_block {
	struct page *page;
	unsigned int order;
};

static void pr_wait_init(void)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&pr_wait, &attr);
	pthread_condattr_destroy(&attr);
}

static void due_in_delay(void)
{
	clock_gettime(CLOCK_MONOTONIC, &worker.due);
	worker.due.tv_sec += PAGE_REPORTING_DELAY_MS / 1000;
	worker.due.tv_nsec += (PAGE_REPORTING_DELAY_MS % 1000) * 1000000L;
	if (worker.due.tv_nsec >= 1000000000L) {
		worker.due.tv_sec++;
		worker.due.tv_nsec -= 1000000000L;
	}
}

/* report - punch the holes; 0 or the first -errno. */
static int report(const struct reported_block *blocks, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		unsigned long pfn = page_to_pfn(blocks[i].page);

		if (fallocate(kmm_machine.memfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			      (off_t)PFN_PHYS(pfn), (off_t)(PAGE_SIZE << blocks[i].order)) != 0)
			return -errno;
	}
	return 0;
}

/* page_reporting_drain - put the blocks back, marked if reported and unmerged; zone->lock held. */
static void page_reporting_drain(const struct reported_block *blocks, unsigned int nr,
				 bool reported)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		struct page *page = blocks[i].page;
		unsigned int order = blocks[i].order;

		__putback_isolated_page(page, order, get_pageblock_migratetype(page_to_pfn(page)));
		if (reported)
			mark_reported_unless_merged(page, order);
	}
}

/* Make @entry the first of @list (the kernel's list_rotate_to_front()). */
static void rotate_to_front(struct list_head *entry, struct list_head *list)
{
	list_move_tail(list, entry);
}

/*
 * page_reporting_cycle - report the unreported blocks of one free list.  Blocks
 * collect in @blocks from its end down to *@offset; a full array is reported
 * here, a partial one is left for the next list or the end of the zone.
 */
static int page_reporting_cycle(struct zone *zone, unsigned int order, int mt,
				struct reported_block *blocks, unsigned int *offset)
{
	struct free_area *area = &zone->free_area[order];
	struct list_head *list = &area->free_list[mt];
	struct page *page, *next;
	long budget;
	int err = 0;

	kmm_lock(&zone->lock);
	if (list_empty(list))
		goto out;
	budget = (long)((area->nr_free + PAGE_REPORTING_CAPACITY * 16 - 1) /
			(PAGE_REPORTING_CAPACITY * 16));
	list_for_each_entry_safe(page, next, list, lru) {
		if (PageReported(page))
			continue;
		if (budget < 0) {
			/* more to do: another pass after the delay */
			__atomic_store_n(&pr_state, PAGE_REPORTING_REQUESTED, __ATOMIC_RELAXED);
			next = page;
			break;
		}
		if (*offset) {
			if (!__isolate_free_page(page, order)) {
				next = page;
				break;
			}
			--*offset;
			blocks[*offset] = (struct reported_block){page, order};
			continue;
		}
		/* The array is full: @page stays first of the list while the lock is dropped. */
		if (list->next != &page->lru)
			rotate_to_front(&page->lru, list);
		kmm_unlock(&zone->lock);
		err = report(blocks, PAGE_REPORTING_CAPACITY);
		*offset = PAGE_REPORTING_CAPACITY;
		budget--;
		kmm_lock(&zone->lock);
		page_reporting_drain(blocks, PAGE_REPORTING_CAPACITY, !err);
		/* the old next may have gone while the lock was dropped */
		next = list_first_entry(list, struct page, lru);
		if (err)
			break;
	}
	/* leftover unreported blocks go to the front, for the next pass */
	if (&next->lru != list && list->next != &next->lru)
		rotate_to_front(&next->lru, list);
out:
	kmm_unlock(&zone->lock);
	return err;
}

static int page_reporting_process_zone(struct zone *zone, struct reported_block *blocks)
{
	unsigned int order, offset = PAGE_REPORTING_CAPACITY, leftover;
	unsigned long watermark;
	int mt, err = 0;

	/* Enough free memory to guarantee progress, or nothing (the kernel's rule). */
	watermark = low_wmark_pages(zone) +
		    ((unsigned long)PAGE_REPORTING_CAPACITY << page_reporting_order);
	if (!zone_watermark_ok(zone, 0, watermark, 0, 0))
		return 0;
	for (order = page_reporting_order; order < NR_PAGE_ORDERS; order++) {
		for (mt = 0; mt < MIGRATE_TYPES; mt++) {
			if (mt == MIGRATE_ISOLATE)
				continue;
			err = page_reporting_cycle(zone, order, mt, blocks, &offset);
			if (err)
				return err;
		}
	}
	leftover = PAGE_REPORTING_CAPACITY - offset;
	if (leftover) {

		err = report(blocks + offset, leftover);
		kmm_lock(&zone->lock);
		page_reporting_drain(blocks + offset, leftover, !err);
		kmm_unlock(&zone->lock);
	}
	return err;
}

/* page_reporting_process - one pass over every zone (the kernel's work function). */
static void page_reporting_process(void)
{
	struct reported_block blocks[PAGE_REPORTING_CAPACITY];
	int nid, zid, err = 0, state = PAGE_REPORTING_ACTIVE;

	kmm_mutex_lock(&pr_lock);
	__atomic_store_n(&pr_state, PAGE_REPORTING_ACTIVE, __ATOMIC_RELAXED);
	for (nid = 0; nid < kmm_nr_online_nodes && !err; nid++) {
		for (zid = 0; zid < MAX_NR_ZONES && !err; zid++) {
			struct zone *zone = &NODE_DATA(nid)->node_zones[zid];

			if (managed_zone(zone))
				err = page_reporting_process_zone(zone, blocks);
		}
	}
	pthread_mutex_unlock(&pr_lock);
	if (err) {
		/* e.g. EOPNOTSUPP: the memfd cannot punch holes; stop trying */
		kmm_info("page_reporting: punching a hole in physical memory failed (%s), "
			 "reporting is off",
			 strerror(-err));
		__atomic_store_n(&page_reporting_order, NR_PAGE_ORDERS, __ATOMIC_RELAXED);
		return;
	}
	/* New frees (or a spent budget) while active: another pass after the delay. */
	if (!__atomic_compare_exchange_n(&pr_state, &state, PAGE_REPORTING_IDLE, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
		pthread_mutex_lock(&pr_wait_lock);
		due_in_delay();
		pthread_mutex_unlock(&pr_wait_lock);
	}
}

static bool due_now(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > worker.due.tv_sec ||
	       (now.tv_sec == worker.due.tv_sec && now.tv_nsec >= worker.due.tv_nsec);
}

static void *page_reporting_main(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "page_reporting");
	pthread_mutex_lock(&pr_wait_lock);
	while (!worker.stop) {
		if (__atomic_load_n(&pr_state, __ATOMIC_RELAXED) == PAGE_REPORTING_IDLE) {
			pthread_cond_wait(&pr_wait, &pr_wait_lock);
			continue;
		}
		if (!due_now()) {
			pthread_cond_timedwait(&pr_wait, &pr_wait_lock, &worker.due);
			continue;
		}
		pthread_mutex_unlock(&pr_wait_lock);
		page_reporting_process();
		pthread_mutex_lock(&pr_wait_lock);
	}
	pthread_mutex_unlock(&pr_wait_lock);
	return NULL;
}

/*
 * worker_start - the worker, if reporting is on and none runs.  No lock held:
 * creating a thread allocates, and an allocation may free (a notify takes
 * pr_wait_lock).  Boot and a fork child's last step are single-threaded here.
 */
static void worker_start(void)
{
	bool start;

	pthread_mutex_lock(&pr_wait_lock);
	start = !worker.running && !worker.stop && page_reporting_order <= MAX_PAGE_ORDER;
	worker.running = start;
	pthread_mutex_unlock(&pr_wait_lock);
	if (start && kmm_kthread_create(&worker.thread, page_reporting_main, NULL, 0) != 0) {
		pthread_mutex_lock(&pr_wait_lock);
		worker.running = false;
		pthread_mutex_unlock(&pr_wait_lock);
	}
}

/*
 * __page_reporting_notify - a block of page_reporting_order or more was freed:
 * request a pass PAGE_REPORTING_DELAY from now unless one is requested already.
 * Context: zone->lock held.
 */
void __page_reporting_notify(void)
{
	if (__atomic_load_n(&pr_state, __ATOMIC_RELAXED) == PAGE_REPORTING_REQUESTED)
		return;
	if (__atomic_exchange_n(&pr_state, PAGE_REPORTING_REQUESTED, __ATOMIC_ACQ_REL) !=
	    PAGE_REPORTING_IDLE)
		return;
	pthread_mutex_lock(&pr_wait_lock);
	due_in_delay();
	pthread_cond_signal(&pr_wait);
	pthread_mutex_unlock(&pr_wait_lock);
}

/* page_reporting.page_reporting_order=, in effect from page_reporting_init(). */
static long param_order;

/* At boot, after page debugging: on unless page_poison=1. */
static int page_reporting_init(void)
{
	unsigned int order = (unsigned int)param_order;

	pthread_once(&pr_wait_once, pr_wait_init);
	pthread_mutex_lock(&pr_wait_lock);
	worker.stop = false;
	pthread_mutex_unlock(&pr_wait_lock);
	__atomic_store_n(&pr_state, PAGE_REPORTING_IDLE, __ATOMIC_RELAXED);
	if (page_debug_poisons() || param_order > MAX_PAGE_ORDER)
		order = NR_PAGE_ORDERS;
	__atomic_store_n(&page_reporting_order, order, __ATOMIC_RELAXED);
	worker_start();
	return 0;
}

/* At teardown: reporting off, the worker stopped (no zone lock held). */
static void page_reporting_stop(void)
{
	bool running;

	__atomic_store_n(&page_reporting_order, NR_PAGE_ORDERS, __ATOMIC_RELAXED);
	pthread_mutex_lock(&pr_wait_lock);
	worker.stop = true;
	running = worker.running;
	pthread_cond_signal(&pr_wait);
	pthread_mutex_unlock(&pr_wait_lock);
	if (running)
		pthread_join(worker.thread, NULL);
	worker.running = false;
}

/* fork (the step KMM_FORK_PAGE_REPORTING): pr_lock is held, so no block is isolated across fork(). */
static void page_reporting_fork_prepare(void)
{
	kmm_mutex_lock(&pr_lock);
}

static void page_reporting_fork_parent(void)
{
	pthread_mutex_unlock(&pr_lock);
}

static void page_reporting_fork_child(void)
{
	pthread_mutex_init(&pr_lock, NULL);
}

/*
 * The child has no worker; its free blocks keep their marks (they are holes in
 * the child's memfd too: fork copies no free block).  The notification's state
 * is new at the step KMM_FORK_ZONES, before any free in the child (the departed
 * CPUs' drain) can notify; a worker of its own starts at KMM_FORK_THREADS,
 * last, and finds the request such a free made.
 */
static void page_reporting_fork_child_notify(void)
{
	pthread_mutex_init(&pr_wait_lock, NULL);
	pr_wait_init();
	worker.running = false;
	__atomic_store_n(&pr_state, PAGE_REPORTING_IDLE, __ATOMIC_RELAXED);
}

static const struct kmm_fork_ops page_reporting_fork_ops[] = {
	{.step = KMM_FORK_PAGE_REPORTING,
	 .prepare = page_reporting_fork_prepare,
	 .parent = page_reporting_fork_parent,
	 .child = page_reporting_fork_child},
	{.step = KMM_FORK_ZONES, .child = page_reporting_fork_child_notify},
	{.step = KMM_FORK_THREADS, .child = worker_start},
};

static const struct kmm_param page_reporting_params[] = {
	KMM_PARAM_LONG_VAR("page_reporting.page_reporting_order", param_order, 9, 0, INT_MAX,
			   "an order; above MAX_PAGE_ORDER (10) turns free page reporting off",
			   "free blocks of this order and more are given back to the host when "
			   "idle (pageblock_order, 2 MiB)"),
};

const struct kmm_subsys kmm_page_reporting_subsys = {
	.name = "page_reporting",
	KMM_SUBSYS_PARAMS(page_reporting_params),
	.init = page_reporting_init,
	.stop = page_reporting_stop,
	KMM_SUBSYS_FORK(page_reporting_fork_ops),
};
