/* SPDX-License-Identifier: MIT */
/*
 * stress.c - every allocator of libkmm at once, from many threads, under
 * memory pressure, for a set time.
 *
 *   stress [-t SECONDS] [-j THREADS] [-f] [-c CMDLINE] [-v]
 *
 *   -t SECONDS  how long to run (default 60; hours are fine: -t 14400)
 *   -j THREADS  worker threads (default 4 per host CPU)
 *   -f          also fork: a worker now and then forks a child that allocates,
 *               checks contents (its own and the copies of the worker's) and
 *               exits, while the parent's threads go on (needs fork safety,
 *               src/boot/fork.c)
 *   -c CMDLINE  the machine (default STRESS_CMDLINE below: 128M, 32M of it
 *               highmem; e.g. -c "mem=256M numa=fake=2" for two nodes)
 *   -v          print progress every 5 seconds
 *
 * Each worker mixes kmalloc (and kfree_rcu), three shared slab caches (one
 * with a constructor, one SLAB_TYPESAFE_BY_RCU), pages of orders 0..3
 * (highmem ones reached with kmap and kmap_local_page), vmalloc, kvmalloc and
 * vmap.  Every allocation is filled with a pattern derived from its id and
 * checked before it is freed; some are handed to other threads through a
 * shared ring and freed there.  Workers also grow a pool of objects of a
 * cache with a shrinker until the machine is at its watermarks, so kswapd and
 * direct reclaim run the shrinker (which checks each object before freeing
 * it), and now and then shrink the caches, drain every CPU, reap and purge
 * lazily freed vmalloc areas.
 *
 * At the end everything is freed, the caches destroyed and every cached page
 * given back (kmm_drop_caches()); then each kmalloc cache's active objects and MemFree (with the
 * Slab and PageTables growth) must be back at the values measured at boot.
 * A broken pattern, a lost page, a child that fails or a run that does not
 * stop within a minute of its end exits nonzero (abort()).
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <urcu.h>
#include <kmm/kmm.h>

#include "../pattern.h"

#define STRESS_CMDLINE "mem=128M highmem=32M"
#define LOCAL_MAX      48	  /* allocations a worker holds */
#define RING_SIZE      1024	  /* allocations in flight between threads */
#define POOL_OBJ_SIZE  2048	  /* bytes of a pool object */
#define VMAP_PAGES     4	  /* pages of a vmap */
#define MAX_BYTES      (64 << 10) /* the largest allocation */

enum kind { S_KMALLOC, S_CACHE, S_PAGES, S_VMALLOC, S_KVMALLOC, S_VMAP, NR_KINDS };

static const char *const kind_names[NR_KINDS] = {"kmalloc", "cache",	"pages",
						 "vmalloc", "kvmalloc", "vmap"};

/* One allocation. */
struct item {
	enum kind kind;
	uint32_t id;			/* the pattern's seed */
	unsigned char *ptr;		/* first byte (NULL for highmem pages) */
	size_t size;			/* bytes filled */
	struct page *page;		/* S_PAGES: the first page; S_VMAP: unused */
	unsigned int order;		/* S_PAGES */
	int cache;			/* S_CACHE: index in caches[] */
	struct page *pages[VMAP_PAGES]; /* S_VMAP */
};

/* The shared caches. */
static struct {
	const char *name;
	unsigned int size;
	slab_flags_t flags;
	bool ctor;
	struct kmem_cache *s;
} caches[] = {
	{"stress-ctor", 72, 0, true, NULL},
	{"stress-aligned", 700, SLAB_HWCACHE_ALIGN, false, NULL},
	{"stress-rcu", 160, SLAB_TYPESAFE_BY_RCU, false, NULL},
};
#define NR_CACHES (int)(sizeof(caches) / sizeof(caches[0]))
#define CTOR_BYTE 0xc7

static void stress_ctor(void *obj)
{
	memset(obj, CTOR_BYTE, caches[0].size);
}

/* The pool: objects of a cache with a shrinker, grown until memory is short. */
static struct {
	pthread_mutex_t lock;
	struct kmem_cache *s;
	struct shrinker *shrinker;
	void *head; /* objects linked through their first word */
	long count;
	atomic_long scans_kswapd, scans_direct, freed;
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* The ring: allocations handed from one thread to another. */
static struct {
	pthread_mutex_t lock;
	struct item slot[RING_SIZE];
	unsigned int head, tail; /* slot[tail..head) are in the ring */
} ring = {.lock = PTHREAD_MUTEX_INITIALIZER};

static struct {
	int seconds, threads;
	bool fork, verbose;
	const char *cmdline;
} opt = {60, 0, false, false, STRESS_CMDLINE};

static atomic_bool stop;
static atomic_uint next_id;
static atomic_long nr_allocs, nr_frees, nr_cross, nr_forks, nr_failed_allocs, nr_maint;
static bool in_fork_child; /* set in a fork child (one thread), by mark_fork_child() */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "stress: FAILURE: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* ---- patterns ---- */

/* Fill (@check false) or check @it, page by page through kmap_local_page() where needed. */
static void item_pattern(struct item *it, bool check, const char *when)
{
	unsigned int i;
	long bad;

	if (it->kind == S_PAGES && !it->ptr) {
		for (i = 0; i < 1u << it->order; i++) {
			unsigned char *k = kmap_local_page(it->page + i);

			if (!k)
				die("kmap_local_page(pfn %#lx) failed", page_to_pfn(it->page + i));
			bad = pattern(k, it->id, (unsigned long)i << PAGE_SHIFT, PAGE_SIZE, check);
			kunmap_local(k);
			if (bad >= 0)
				die("%s: highmem page %u of id %u (pfn %#lx) broken at byte %ld",
				    when, i, it->id, page_to_pfn(it->page + i), bad);
		}
		return;
	}
	bad = pattern(it->ptr, it->id, 0, it->size, check);
	if (bad >= 0)
		die("%s: %s id %u at %p (%zu bytes) broken at byte %ld: %#x", when,
		    kind_names[it->kind], it->id, (void *)it->ptr, it->size, bad, it->ptr[bad]);
	if (check && it->kind == S_VMAP)
		for (i = 0; i < VMAP_PAGES; i++) {
			unsigned char *k = kmap_local_page(it->pages[i]);

			bad = pattern(k, it->id, (unsigned long)i << PAGE_SHIFT, PAGE_SIZE, true);
			kunmap_local(k);
			if (bad >= 0)
				die("%s: vmap id %u page %u differs through kmap_local_page", when,
				    it->id, i);
		}
}

/* ---- a worker's random numbers ---- */

struct worker {
	pthread_t thread;
	int index;
	uint64_t rnd;
	struct item local[LOCAL_MAX];
	int nr_local;
	atomic_bool done;
	atomic_long ops;
};

static inline uint32_t rnd(struct worker *w)
{
	w->rnd ^= w->rnd << 13;
	w->rnd ^= w->rnd >> 7;
	w->rnd ^= w->rnd << 17;
	return (uint32_t)(w->rnd >> 16);
}

static size_t rnd_size(struct worker *w)
{
	switch (rnd(w) % 8) {
	case 0:
	case 1:
	case 2:
		return 1 + rnd(w) % 128;
	case 3:
	case 4:
		return 1 + rnd(w) % 1024;
	case 5:
	case 6:
		return 1 + rnd(w) % 8192;
	default:
		return 1 + rnd(w) % MAX_BYTES;
	}
}

/* GFP flags: mostly GFP_KERNEL, some that never sleep; no warnings but now and then. */
static gfp_t rnd_gfp(struct worker *w)
{
	uint32_t r = rnd(w);
	gfp_t gfp = (r & 7) == 0 ? GFP_ATOMIC : (r & 7) == 1 ? GFP_NOWAIT : GFP_KERNEL;

	if (r & 0x78)
		gfp |= __GFP_NOWARN;
	return gfp;
}

/* ---- allocations ---- */

static bool item_alloc(struct worker *w, struct item *it)
{
	gfp_t gfp = rnd_gfp(w);
	unsigned int i;

	memset(it, 0, sizeof(*it));
	it->id = atomic_fetch_add(&next_id, 1) + 1;
	/* weights: the kinds that make mappings (a system call each) are rarer */
	static const enum kind mix[16] = {S_KMALLOC,  S_KMALLOC,  S_KMALLOC, S_KMALLOC,
					  S_KMALLOC,  S_CACHE,	  S_CACHE,   S_CACHE,
					  S_CACHE,    S_PAGES,	  S_PAGES,   S_PAGES,
					  S_KVMALLOC, S_KVMALLOC, S_VMALLOC, S_VMAP};

	it->kind = mix[rnd(w) % 16];
	switch (it->kind) {
	case S_KMALLOC:
		it->size = rnd_size(w);
		it->ptr = (rnd(w) & 1) ? kmalloc(it->size, gfp) : kzalloc(it->size, gfp);
		break;
	case S_CACHE:
		it->cache = (int)(rnd(w) % NR_CACHES);
		it->size = caches[it->cache].size;
		it->ptr = kmem_cache_alloc(caches[it->cache].s, gfp);
		if (it->ptr && caches[it->cache].ctor) {
			for (i = 0; i < it->size; i++)
				if (it->ptr[i] != CTOR_BYTE)
					die("object %p of %s not in its constructed state",
					    (void *)it->ptr, caches[it->cache].name);
		}
		break;
	case S_PAGES:
		it->order = rnd(w) % 4;
		it->page = alloc_pages(gfp | ((rnd(w) & 3) == 0 ? __GFP_HIGHMEM : 0) |
					       ((rnd(w) & 1) ? __GFP_COMP : 0),
				       it->order);
		if (it->page) {
			it->ptr = PageHighMem(it->page) ? NULL : page_address(it->page);
			it->size = PAGE_SIZE << it->order;
		}
		break;
	case S_VMALLOC:
		if (!gfpflags_allow_blocking(gfp))
			gfp |= GFP_KERNEL;
		it->size = rnd_size(w) + (rnd(w) % 4) * PAGE_SIZE;
		it->ptr = __vmalloc(it->size, gfp | __GFP_HIGHMEM);
		break;
	case S_KVMALLOC:
		it->size = rnd_size(w) * (1 + rnd(w) % 4);
		it->ptr = kvmalloc(it->size, gfp);
		break;
	case S_VMAP:
		for (i = 0; i < VMAP_PAGES; i++) {
			it->pages[i] = alloc_page(GFP_HIGHUSER | __GFP_NOWARN);
			if (!it->pages[i]) {
				while (i--)
					__free_page(it->pages[i]);
				break;
			}
		}
		if (it->pages[0]) {
			it->ptr = vmap(it->pages, VMAP_PAGES, VM_MAP, PAGE_KERNEL);
			if (!it->ptr)
				for (i = 0; i < VMAP_PAGES; i++)
					__free_page(it->pages[i]);
		}
		it->size = VMAP_PAGES * PAGE_SIZE;
		break;
	default:
		break;
	}
	if (!it->ptr && !it->page) {
		atomic_fetch_add(&nr_failed_allocs, 1);
		return false;
	}
	atomic_fetch_add(&nr_allocs, 1);
	item_pattern(it, false, "fill");
	return true;
}

static void item_free(struct worker *w, struct item *it, const char *when)
{
	unsigned int i;

	item_pattern(it, true, when);
	switch (it->kind) {
	case S_KMALLOC:
		if (it->size >= sizeof(struct rcu_head) && (rnd(w) % 16) == 0)
			kvfree_call_rcu((struct rcu_head *)it->ptr, it->ptr);
		else
			kfree(it->ptr);
		break;
	case S_CACHE:
		if (caches[it->cache].ctor)
			memset(it->ptr, CTOR_BYTE, it->size);
		kmem_cache_free(caches[it->cache].s, it->ptr);
		break;
	case S_PAGES:
		if (it->ptr || (rnd(w) & 1)) {
			__free_pages(it->page, it->order);
		} else {
			/* a highmem page kmapped on the way out */
			unsigned char *k = kmap(it->page);

			if (pattern(k, it->id, 0, PAGE_SIZE, true) >= 0)
				die("highmem page id %u differs through kmap", it->id);
			kunmap(it->page);
			__free_pages(it->page, it->order);
		}
		break;
	case S_VMALLOC:
		if (rnd(w) & 1)
			vfree(it->ptr);
		else
			kvfree(it->ptr);
		break;
	case S_KVMALLOC:
		kvfree(it->ptr);
		break;
	case S_VMAP:
		vunmap(it->ptr);
		for (i = 0; i < VMAP_PAGES; i++)
			__free_page(it->pages[i]);
		break;
	default:
		break;
	}
	atomic_fetch_add(&nr_frees, 1);
}

/* ---- the ring ---- */

static bool ring_push(const struct item *it)
{
	bool ok;

	pthread_mutex_lock(&ring.lock);
	ok = ring.head - ring.tail < RING_SIZE;
	if (ok)
		ring.slot[ring.head++ % RING_SIZE] = *it;
	pthread_mutex_unlock(&ring.lock);
	return ok;
}

static bool ring_pop(struct item *it)
{
	bool ok;

	pthread_mutex_lock(&ring.lock);
	ok = ring.head != ring.tail;
	if (ok)
		*it = ring.slot[ring.tail++ % RING_SIZE];
	pthread_mutex_unlock(&ring.lock);
	return ok;
}

/* ---- the pool and its shrinker ---- */

static void pool_obj_check(void *obj, const char *when)
{
	uint32_t id;
	long bad;

	memcpy(&id, (char *)obj + 8, sizeof(id));
	bad = pattern((unsigned char *)obj + 16, id, 16, POOL_OBJ_SIZE - 16, true);
	if (bad >= 0)
		die("%s: pool object %p (id %u) broken at byte %ld", when, obj, id, bad + 16);
}

static void pool_add(struct worker *w)
{
	void *obj = kmem_cache_alloc(pool.s, (rnd(w) & 3) ? GFP_KERNEL | __GFP_NOWARN
							  : GFP_NOWAIT | __GFP_NOWARN);
	uint32_t id = atomic_fetch_add(&next_id, 1) + 1;

	if (!obj)
		return;
	memcpy((char *)obj + 8, &id, sizeof(id));
	pattern((unsigned char *)obj + 16, id, 16, POOL_OBJ_SIZE - 16, false);
	/* allocated before the lock is taken: reclaim in the allocation runs the shrinker */
	pthread_mutex_lock(&pool.lock);
	*(void **)obj = pool.head;
	pool.head = obj;
	pool.count++;
	pthread_mutex_unlock(&pool.lock);
}

static unsigned long pool_count(struct shrinker *s, struct shrink_control *sc)
{
	long n;

	(void)s;
	(void)sc;
	/*
	 * In a fork child the pool is other threads' data, which may be any mix
	 * of before and after the copy (docs/design.md, "fork"), and its lock
	 * may have been held at the fork: the child leaves it alone.
	 */
	if (in_fork_child)
		return SHRINK_EMPTY;
	pthread_mutex_lock(&pool.lock);
	n = pool.count;
	pthread_mutex_unlock(&pool.lock);
	return n ? (unsigned long)n : SHRINK_EMPTY;
}

static unsigned long pool_scan(struct shrinker *s, struct shrink_control *sc)
{
	char name[16] = "";
	unsigned long n = 0;
	void *list = NULL;

	(void)s;
	pthread_getname_np(pthread_self(), name, sizeof(name));
	if (!strncmp(name, "kswapd", 6))
		atomic_fetch_add(&pool.scans_kswapd, 1);
	else
		atomic_fetch_add(&pool.scans_direct, 1);
	pthread_mutex_lock(&pool.lock);
	while (pool.head && n < sc->nr_to_scan) {
		void *obj = pool.head;

		pool.head = *(void **)obj;
		*(void **)obj = list;
		list = obj;
		pool.count--;
		n++;
	}
	pthread_mutex_unlock(&pool.lock);
	while (list) {
		void *obj = list;

		list = *(void **)obj;
		pool_obj_check(obj, "shrinker");
		kmem_cache_free(pool.s, obj);
	}
	atomic_fetch_add(&pool.freed, (long)n);
	return n ? n : SHRINK_STOP;
}

/* A few objects at a time: the pool outgrows what the workers hold. */
static void pool_grow(struct worker *w)
{
	int i;

	for (i = 0; i < 8; i++)
		pool_add(w);
}

/* ---- fork ---- */

/* In a child, first of the pthread_atfork() child handlers (see main()). */
static void mark_fork_child(void)
{
	in_fork_child = true;
}

/* The child: allocate and check, with the worker's copied allocations checked too. */
static int child_main(struct worker *w)
{
	struct item items[32];
	int i, round, n;

	for (i = 0; i < w->nr_local; i++)
		item_pattern(&w->local[i], true, "child, the parent's copy");
	for (round = 0; round < 20; round++) {
		for (n = 0; n < 32; n++)
			if (!item_alloc(w, &items[n]))
				break;
		for (i = 0; i < n; i++)
			item_pattern(&items[i], true, "child");
		while (n--)
			item_free(w, &items[n], "child");
	}
	for (i = 0; i < w->nr_local; i++)
		item_pattern(&w->local[i], true, "child, the parent's copy at exit");
	return 0;
}

static void do_fork(struct worker *w)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return;
	if (pid == 0)
		_exit(child_main(w));
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		die("forked child failed (status %#x)", status);
	atomic_fetch_add(&nr_forks, 1);
	/* the parent's own allocations are intact too */
	for (int i = 0; i < w->nr_local; i++)
		item_pattern(&w->local[i], true, "parent after fork");
}

/* ---- workers ---- */

static void maintenance(struct worker *w)
{
	atomic_fetch_add(&nr_maint, 1);
	switch (rnd(w) % 6) {
	case 0:
		kmem_cache_shrink(caches[rnd(w) % NR_CACHES].s);
		break;
	case 1:
		kmm_drain_all();
		break;
	case 2:
		kmm_slab_reap();
		break;
	case 3:
		vm_unmap_aliases();
		break;
	case 4:
		kmem_cache_shrink(pool.s);
		break;
	default:
		if (opt.fork && w->index == 0)
			do_fork(w);
		break;
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	char name[16];
	struct item it;
	int i;

	snprintf(name, sizeof(name), "stress%d", w->index);
	pthread_setname_np(pthread_self(), name);
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		uint32_t r = rnd(w) % 1000;

		atomic_fetch_add_explicit(&w->ops, 1, memory_order_relaxed);
		if (r < 330) {
			if (w->nr_local < LOCAL_MAX && item_alloc(w, &w->local[w->nr_local]))
				w->nr_local++;
		} else if (r < 530) {
			if (w->nr_local) {
				i = (int)(rnd(w) % (unsigned int)w->nr_local);
				item_free(w, &w->local[i], "free");
				w->local[i] = w->local[--w->nr_local];
			}
		} else if (r < 630) {
			if (w->nr_local) {
				i = (int)(rnd(w) % (unsigned int)w->nr_local);
				if (ring_push(&w->local[i]))
					w->local[i] = w->local[--w->nr_local];
			}
		} else if (r < 740) {
			if (ring_pop(&it)) {
				item_free(w, &it, "cross-thread free");
				atomic_fetch_add(&nr_cross, 1);
			}
		} else if (r < 985) {
			pool_grow(w);
		} else if (r < 998) {
			for (i = 0; i < w->nr_local; i++)
				item_pattern(&w->local[i], true, "check");
		} else {
			maintenance(w);
		}
	}
	while (w->nr_local)
		item_free(w, &w->local[--w->nr_local], "free at exit");
	atomic_store(&w->done, true);
	return NULL;
}

/* ---- counts ---- */

static char show_buf[1 << 17];

static const char *show(const char *file)
{
	FILE *f = fmemopen(show_buf, sizeof(show_buf), "w");

	if (!f || kmm_show(file, f) != 0)
		die("kmm_show(%s) failed", file);
	fclose(f);
	return show_buf;
}

static long field(const char *text, const char *key)
{
	const char *p = strstr(text, key);
	long v;

	if (!p || sscanf(p + strlen(key), " %ld", &v) != 1)
		die("no \"%s\" in the report", key);
	return v;
}

struct counts {
	long free_kb, slab_kb, pt_kb, vmalloc_used_kb;
	long active[NR_KMALLOC_TYPES][KMALLOC_SHIFT_HIGH + 1];
};

static void measure(struct counts *c)
{
	int t, i;

	kmm_drop_caches(); /* every cached page back: the leak check */
	show("meminfo");
	c->free_kb = field(show_buf, "MemFree:");
	c->slab_kb = field(show_buf, "\nSlab:");
	c->pt_kb = field(show_buf, "PageTables:");
	c->vmalloc_used_kb = field(show_buf, "VmallocUsed:");
	show("slabinfo");
	for (t = 0; t < NR_KMALLOC_TYPES; t++)
		for (i = 0; i <= KMALLOC_SHIFT_HIGH; i++) {
			char key[64];

			c->active[t][i] = -1;
			if (kmm_kmalloc_caches[t][i] == &kmm_unmade_cache)
				continue;
			snprintf(key, sizeof(key), "\n%s ", kmm_kmalloc_caches[t][i]->name);
			c->active[t][i] = field(show_buf, key);
		}
}

/* Is every page free again but the growth of the slab and page-table pages? */
static bool pages_back(const struct counts *before, const struct counts *after)
{
	return after->free_kb + (after->slab_kb - before->slab_kb) +
		       (after->pt_kb - before->pt_kb) ==
	       before->free_kb;
}

static int usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-t seconds] [-j threads] [-f] [-c cmdline] [-v]\n", prog);
	return 2;
}

int main(int argc, char **argv)
{
	struct counts before, after;
	struct worker *workers;
	struct timespec t0, now;
	long host = sysconf(_SC_NPROCESSORS_ONLN), elapsed = 0;
	int c, i, t, failures = 0;
	struct item it;
	size_t size;

	while ((c = getopt(argc, argv, "t:j:fc:v")) != -1) {
		switch (c) {
		case 't':
			opt.seconds = atoi(optarg);
			break;
		case 'j':
			opt.threads = atoi(optarg);
			break;
		case 'f':
			opt.fork = true;
			break;
		case 'c':
			opt.cmdline = optarg;
			break;
		case 'v':
			opt.verbose = true;
			break;
		default:
			return usage(argv[0]);
		}
	}
	if (optind != argc || opt.seconds < 0)
		return usage(argv[0]);
	if (opt.threads <= 0)
		opt.threads = 4 * (int)(host > 0 ? host : 1);

	/*
	 * Before the boot registers libkmm's handlers, so that this one runs
	 * first in a child: libkmm's child handler starts the call_rcu thread,
	 * whose pending frees may wake kswapd and so run the pool's shrinker
	 * before fork() has returned to child_main().
	 */
	if (opt.fork)
		pthread_atfork(NULL, NULL, mark_fork_child);
	if (kmm_init(opt.cmdline) != 0)
		die("kmm_init(%s) failed", opt.cmdline);
	rcu_register_thread();
	/* every kmalloc cache of every family used once, so the baseline has them all */
	for (t = 0; t < 3; t++) {
		gfp_t gfp = t == 0 ? GFP_KERNEL : t == 1 ? GFP_KERNEL | __GFP_RECLAIMABLE : GFP_DMA;

		for (size = 8; size <= KMALLOC_MAX_CACHE_SIZE; size *= 2)
			kfree(kmalloc(size, gfp));
		kfree(kmalloc(96, gfp));
		kfree(kmalloc(192, gfp));
	}
	vfree(vmalloc(PAGE_SIZE));
	measure(&before);
	/*
	 * No thread is a registered RCU reader while the workers run: liburcu's
	 * default flavour does not survive a fork() with registered readers other
	 * than the forking thread (kfree_rcu() needs no registration).
	 */
	rcu_unregister_thread();

	for (i = 0; i < NR_CACHES; i++) {
		caches[i].s = kmem_cache_create(caches[i].name, caches[i].size, 0, caches[i].flags,
						caches[i].ctor ? stress_ctor : NULL);
		if (!caches[i].s)
			die("kmem_cache_create(%s) failed", caches[i].name);
	}
	pool.s = kmem_cache_create("stress-pool", POOL_OBJ_SIZE, 0, SLAB_RECLAIM_ACCOUNT, NULL);
	pool.shrinker = shrinker_alloc(0, "stress-pool");
	if (!pool.s || !pool.shrinker)
		die("the pool cache or its shrinker cannot be made");
	pool.shrinker->count_objects = pool_count;
	pool.shrinker->scan_objects = pool_scan;
	pool.shrinker->seeks = DEFAULT_SEEKS;
	shrinker_register(pool.shrinker);

	printf("stress: %d threads on %ld CPUs for %d s, machine \"%s\"%s\n", opt.threads, host,
	       opt.seconds, opt.cmdline, opt.fork ? ", with fork" : "");
	fflush(stdout);
	workers = calloc((size_t)opt.threads, sizeof(*workers));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < opt.threads; i++) {
		workers[i].index = i;
		workers[i].rnd = 0x9E3779B97F4A7C15ULL * (uint64_t)(i + 1) ^ (uint64_t)t0.tv_nsec;
		if (pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) != 0)
			die("pthread_create: %s", strerror(errno));
	}
	do {
		long last = elapsed;

		sleep(1); /* IPIs cut it short: this thread is a CPU too */
		clock_gettime(CLOCK_MONOTONIC, &now);
		elapsed = now.tv_sec - t0.tv_sec;
		if (opt.verbose && elapsed % 5 == 0 && elapsed != last)
			printf("stress: %lds: %ld allocs, %ld cross-thread frees, pool %ld, "
			       "%ld shrinker scans (kswapd %ld), free %lu pages\n",
			       elapsed, atomic_load(&nr_allocs), atomic_load(&nr_cross), pool.count,
			       atomic_load(&pool.scans_kswapd) + atomic_load(&pool.scans_direct),
			       atomic_load(&pool.scans_kswapd), nr_free_pages());
		fflush(stdout);
	} while (elapsed < opt.seconds);
	atomic_store(&stop, true);
	/* a worker that does not stop within a minute is hung */
	for (t = 0; t < 600; t++) {
		for (i = 0; i < opt.threads && atomic_load(&workers[i].done); i++)
			;
		if (i == opt.threads)
			break;
		usleep(100000);
	}
	if (t == 600) {
		for (i = 0; i < opt.threads; i++)
			if (!atomic_load(&workers[i].done))
				fprintf(stderr, "stress: worker %d is not done (%ld ops)\n", i,
					atomic_load(&workers[i].ops));
		die("workers hung after the end of the run");
	}
	for (i = 0; i < opt.threads; i++)
		pthread_join(workers[i].thread, NULL);
	rcu_register_thread();

	/* everything back */
	while (ring_pop(&it))
		item_free(&workers[0], &it, "ring at the end");
	shrinker_free(pool.shrinker);
	while (pool.head) {
		void *obj = pool.head;

		pool.head = *(void **)obj;
		pool_obj_check(obj, "pool at the end");
		kmem_cache_free(pool.s, obj);
	}
	rcu_barrier();
	for (i = 0; i < NR_CACHES; i++) {
		if (kmem_cache_shrink(caches[i].s) != 0)
			die("%s still has objects at the end", caches[i].name);
		kmem_cache_destroy(caches[i].s);
	}
	if (kmem_cache_shrink(pool.s) != 0)
		die("stress-pool still has objects at the end");
	kmem_cache_destroy(pool.s);
	measure(&after);
	/*
	 * A page reporting pass in flight holds up to 32 blocks off the free
	 * lists, and MemFree, while it punches them: a lost page stays lost.
	 */
	for (t = 0; t < 50 && !pages_back(&before, &after); t++) {
		usleep(100000);
		measure(&after);
	}

	printf("stress: %ld allocations, %ld frees (%ld cross-thread), %ld failed allocations, "
	       "%ld maintenance calls, %ld forks\n",
	       atomic_load(&nr_allocs), atomic_load(&nr_frees), atomic_load(&nr_cross),
	       atomic_load(&nr_failed_allocs), atomic_load(&nr_maint), atomic_load(&nr_forks));
	printf("stress: shrinker: %ld scans by kswapd, %ld by direct reclaim, %ld objects freed\n",
	       atomic_load(&pool.scans_kswapd), atomic_load(&pool.scans_direct),
	       atomic_load(&pool.freed));
	printf("stress: MemFree %ld kB (boot %ld), Slab %ld kB (%ld), PageTables %ld kB (%ld), "
	       "VmallocUsed %ld kB (%ld)\n",
	       after.free_kb, before.free_kb, after.slab_kb, before.slab_kb, after.pt_kb,
	       before.pt_kb, after.vmalloc_used_kb, before.vmalloc_used_kb);
	if (atomic_load(&nr_allocs) != atomic_load(&nr_frees)) {
		fprintf(stderr, "stress: %ld allocations but %ld frees\n", atomic_load(&nr_allocs),
			atomic_load(&nr_frees));
		failures++;
	}
	for (t = 0; t < NR_KMALLOC_TYPES; t++)
		for (i = 0; i <= KMALLOC_SHIFT_HIGH; i++)
			if (after.active[t][i] != before.active[t][i]) {
				fprintf(stderr, "stress: %s has %ld active objects, %ld at boot\n",
					kmm_kmalloc_caches[t][i]->name, after.active[t][i],
					before.active[t][i]);
				failures++;
			}
	if (after.vmalloc_used_kb != before.vmalloc_used_kb) {
		fprintf(stderr, "stress: VmallocUsed %ld kB, %ld kB at boot\n",
			after.vmalloc_used_kb, before.vmalloc_used_kb);
		failures++;
	}
	if (!pages_back(&before, &after)) {
		fprintf(stderr,
			"stress: MemFree %ld kB + Slab growth %ld kB + PageTables growth %ld kB "
			"!= MemFree at boot %ld kB: pages lost\n",
			after.free_kb, after.slab_kb - before.slab_kb, after.pt_kb - before.pt_kb,
			before.free_kb);
		failures++;
	}
	if (opt.seconds >= 10 && !atomic_load(&pool.scans_kswapd) &&
	    !atomic_load(&pool.scans_direct)) {
		fprintf(stderr, "stress: the shrinker never ran: no memory pressure\n");
		failures++;
	}
	free(workers);
	rcu_unregister_thread();
	kmm_exit();
	printf("stress: %s\n", failures ? "FAILED" : "passed");
	return failures ? 1 : 0;
}
