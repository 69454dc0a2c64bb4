/* SPDX-License-Identifier: MIT */
/*
 * fork(): parent and child each own a copy of the machine.  Contents allocated
 * before the fork are the fork-time bytes in the child, later writes stay on
 * their side, both sides allocate at once without handing out each other's
 * memory, per-CPU caches of threads that do not exist in the child come back
 * there, and nothing deadlocks while other threads allocate.
 */
#include <pthread.h>
#include <time.h>
#include <urcu.h>
#include <kmm/kmm.h>
#include "kmm_test.h"

#define FORK_CMDLINE "mem=64M"

/* The tag a process writes into memory it owns: its pid and a serial. */
static unsigned long tag(unsigned long serial)
{
	return ((unsigned long)getpid() << 32) ^ serial ^ 0xa5a5a5a5UL;
}

static void fill(void *p, size_t len, unsigned long v)
{
	unsigned long *w = p;
	size_t i;

	for (i = 0; i < len / sizeof(long); i++)
		w[i] = v + i;
}

static bool check(const void *p, size_t len, unsigned long v)
{
	const unsigned long *w = p;
	size_t i;

	for (i = 0; i < len / sizeof(long); i++)
		if (w[i] != v + i)
			return false;
	return true;
}

/* A child that waits for the parent, and a parent that waits for the child, over pipes. */
struct rendezvous {
	int to_child[2], to_parent[2];
};

static void rv_init(struct rendezvous *rv)
{
	assert_int_equal(pipe(rv->to_child), 0);
	assert_int_equal(pipe(rv->to_parent), 0);
}

static void rv_signal(int fd)
{
	char c = 1;

	(void)!write(fd, &c, 1);
}

static void rv_wait(int fd)
{
	char c;

	(void)!read(fd, &c, 1);
}

static int wait_child(pid_t pid)
{
	int status;

	assert_true(waitpid(pid, &status, 0) == pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* child_exit_status() with a real fork(): the child gets its own machine. */
static int fork_status(int (*fn)(void *arg), void *arg)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fn(arg));
	return wait_child(pid);
}

/* Memory of every kind, allocated and filled before the fork. */
struct before {
	struct page *page, *high, *run;
	struct kmem_cache *cache;
	void *obj, *kmem, *vmem;
	unsigned long vtag;
};

#define VMEM_SIZE (256UL << 10)
/* a run of pages longer than a buddy block (alloc_contig_pages()) */
#define RUN_PAGES (MAX_ORDER_NR_PAGES + 300)

static void before_alloc(struct before *b, unsigned long v)
{
	b->page = alloc_pages(GFP_KERNEL, 2);
	b->high = alloc_page(GFP_HIGHUSER);
	b->cache = kmem_cache_create("fork_test", 200, 0, 0, NULL);
	assert_non_null(b->page);
	assert_non_null(b->high);
	assert_non_null(b->cache);
	b->obj = kmem_cache_alloc(b->cache, GFP_KERNEL);
	b->kmem = kmalloc(3000, GFP_KERNEL);
	b->vmem = vmalloc(VMEM_SIZE);
	b->run = alloc_contig_pages(RUN_PAGES, GFP_KERNEL, NUMA_NO_NODE, NULL);
	assert_non_null(b->run);
	assert_non_null(b->obj);
	assert_non_null(b->kmem);
	assert_non_null(b->vmem);
	b->vtag = v;
	fill(page_address(b->page), PAGE_SIZE << 2, v + 1);
	fill(b->obj, 200, v + 2);
	fill(b->kmem, 3000, v + 3);
	fill(b->vmem, VMEM_SIZE, v + 4);
	fill(kmap(b->high), PAGE_SIZE, v + 5);
	kunmap(b->high);
	fill(page_address(b->run), RUN_PAGES * PAGE_SIZE, v + 6);
}

static bool before_check(struct before *b, unsigned long v)
{
	bool ok = check(page_address(b->page), PAGE_SIZE << 2, v + 1) &&
		  check(b->obj, 200, v + 2) && check(b->kmem, 3000, v + 3) &&
		  check(b->vmem, VMEM_SIZE, v + 4) &&
		  check(page_address(b->run), RUN_PAGES * PAGE_SIZE, v + 6);
	void *h = kmap_local_page(b->high);

	ok = ok && check(h, PAGE_SIZE, v + 5);
	kunmap_local(h);
	return ok;
}

static void before_fill(struct before *b, unsigned long v)
{
	void *h;

	fill(page_address(b->page), PAGE_SIZE << 2, v + 1);
	fill(b->obj, 200, v + 2);
	fill(b->kmem, 3000, v + 3);
	fill(b->vmem, VMEM_SIZE, v + 4);
	h = kmap_local_page(b->high);
	fill(h, PAGE_SIZE, v + 5);
	kunmap_local(h);
	fill(page_address(b->run), RUN_PAGES * PAGE_SIZE, v + 6);
}

static void before_free(struct before *b)
{
	free_contig_range(page_to_pfn(b->run), RUN_PAGES);
	vfree(b->vmem);
	kfree(b->kmem);
	kmem_cache_free(b->cache, b->obj);
	kmem_cache_destroy(b->cache);
	__free_page(b->high);
	__free_pages(b->page, 2);
}

/*
 * churn - allocate @rounds sets of pages, objects, kmallocs and vmallocs, each
 * filled with this process's tag, keep up to 64 of each, check each before it
 * is freed.  Return: the number of bad contents.
 */
static int churn(struct kmem_cache *cache, int rounds, unsigned int seed)
{
	struct {
		struct page *page;
		void *obj, *kmem, *vmem;
		size_t ksize;
		unsigned long t;
	} held[64] = {{0}};
	int r, bad = 0;

	for (r = 0; r < rounds; r++) {
		int i = (int)(rand_r(&seed) % 64);

		if (held[i].page) {
			bad += !check(page_address(held[i].page), PAGE_SIZE, held[i].t);
			bad += !check(held[i].obj, 200, held[i].t + 1);
			bad += !check(held[i].kmem, held[i].ksize, held[i].t + 2);
			bad += !check(held[i].vmem, 3 * PAGE_SIZE, held[i].t + 3);
			__free_page(held[i].page);
			kmem_cache_free(cache, held[i].obj);
			kfree(held[i].kmem);
			if (r % 4 == 0)
				vfree(held[i].vmem);
			else
				vfree_atomic(held[i].vmem);
			held[i].page = NULL;
			continue;
		}
		held[i].t = tag((unsigned long)r << 8);
		held[i].ksize = 8 + rand_r(&seed) % 4000;
		held[i].page = alloc_page(GFP_KERNEL);
		held[i].obj = kmem_cache_alloc(cache, GFP_KERNEL);
		held[i].kmem = kmalloc(held[i].ksize, GFP_KERNEL);
		held[i].vmem = vmalloc(3 * PAGE_SIZE);
		if (!held[i].page || !held[i].obj || !held[i].kmem || !held[i].vmem)
			return 1000;
		held[i].ksize &= ~(sizeof(long) - 1);
		fill(page_address(held[i].page), PAGE_SIZE, held[i].t);
		fill(held[i].obj, 200, held[i].t + 1);
		fill(held[i].kmem, held[i].ksize, held[i].t + 2);
		fill(held[i].vmem, 3 * PAGE_SIZE, held[i].t + 3);
	}
	for (r = 0; r < 64; r++) {
		if (!held[r].page)
			continue;
		bad += !check(page_address(held[r].page), PAGE_SIZE, held[r].t);
		bad += !check(held[r].obj, 200, held[r].t + 1);
		bad += !check(held[r].kmem, held[r].ksize, held[r].t + 2);
		bad += !check(held[r].vmem, 3 * PAGE_SIZE, held[r].t + 3);
		__free_page(held[r].page);
		kmem_cache_free(cache, held[r].obj);
		kfree(held[r].kmem);
		vfree(held[r].vmem);
	}
	return bad;
}

static void test_fork_without_machine_is_a_no_op(void **state)
{
	pid_t pid;

	(void)state;
	assert_false(kmm_booted());
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(kmm_booted() ? 1 : 0);
	assert_int_equal(wait_child(pid), 0);
	/* after kmm_exit() too */
	assert_int_equal(kmm_init(FORK_CMDLINE), 0);
	kmm_exit();
	pid = fork();
	if (pid == 0)
		_exit(kmm_booted() ? 1 : 0);
	assert_int_equal(wait_child(pid), 0);
}

/*
 * Both sides check the fork-time contents, write their own, allocate and free
 * at once (a rendezvous makes them overlap), and see only their own writes.
 */
static void test_fork_contents_are_copied_and_private(void **state)
{
	struct rendezvous rv;
	struct before b;
	unsigned long v0;
	pid_t pid;

	(void)state;
	assert_int_equal(kmm_init(FORK_CMDLINE " highmem=16M"), 0);
	v0 = tag(0x100);
	before_alloc(&b, v0);
	rv_init(&rv);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int bad = 0;

		bad += !before_check(&b, v0);
		before_fill(&b, tag(0x200));
		rv_signal(rv.to_parent[1]);
		rv_wait(rv.to_child[0]); /* the parent has written its own bytes */
		bad += !before_check(&b, tag(0x200));
		bad += churn(b.cache, 3000, 1);
		bad += !before_check(&b, tag(0x200));
		before_free(&b);
		_exit(bad ? 1 : 0);
	}
	assert_true(before_check(&b, v0));
	rv_wait(rv.to_parent[0]); /* the child has written its own bytes */
	assert_true(before_check(&b, v0));
	before_fill(&b, tag(0x300));
	rv_signal(rv.to_child[1]);
	assert_int_equal(churn(b.cache, 3000, 2), 0);
	assert_int_equal(wait_child(pid), 0);
	assert_true(before_check(&b, tag(0x300)));
	before_free(&b);
}

/*
 * Each side allocates every page it can, tags each with its pid, and only
 * checks after both are done: a page handed out on both sides would carry the
 * other side's tag.
 */
static int grab_all_pages(struct page ***out)
{
	struct page **pages = malloc(sizeof(*pages) * 20000);
	int n = 0;

	while (n < 20000) {
		struct page *page = alloc_page(GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY);

		if (!page)
			break;
		fill(page_address(page), PAGE_SIZE, tag(page_to_pfn(page)));
		pages[n++] = page;
	}
	*out = pages;
	return n;
}

static int check_and_free(struct page **pages, int n)
{
	int i, bad = 0;

	for (i = 0; i < n; i++) {
		bad += !check(page_address(pages[i]), PAGE_SIZE, tag(page_to_pfn(pages[i])));
		__free_page(pages[i]);
	}
	free(pages);
	return bad;
}

static void test_fork_allocations_never_share_memory(void **state)
{
	struct rendezvous rv;
	struct page **pages;
	int n;
	pid_t pid;

	(void)state;
	assert_int_equal(kmm_init(FORK_CMDLINE), 0);
	rv_init(&rv);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int got = grab_all_pages(&pages), bad;

		rv_signal(rv.to_parent[1]);
		rv_wait(rv.to_child[0]);
		bad = check_and_free(pages, got);
		_exit(bad ? 1 : got > 10000 ? 0 : 2);
	}
	n = grab_all_pages(&pages);
	assert_true(n > 10000);
	rv_signal(rv.to_child[1]);
	rv_wait(rv.to_parent[0]);
	assert_int_equal(check_and_free(pages, n), 0);
	assert_int_equal(wait_child(pid), 0);
}

/* A vmalloc area of before the fork, through its vmalloc address and the direct map. */
static int vmalloc_aliases_child(void *arg)
{
	unsigned char *v = arg;
	unsigned long i;
	void *fresh;

	for (i = 0; i < 8; i++) {
		unsigned char *direct = page_address(vmalloc_to_page(v + i * PAGE_SIZE));

		if (direct[0] != (unsigned char)i || v[i * PAGE_SIZE] != (unsigned char)i)
			return 1;
		direct[1] = (unsigned char)(0x80 + i);
		if (v[i * PAGE_SIZE + 1] != (unsigned char)(0x80 + i))
			return 2;
	}
	fresh = vmalloc(1UL << 20);
	if (!fresh)
		return 3;
	memset(fresh, 0x5a, 1UL << 20);
	vfree(fresh);
	vfree(v);
	vm_unmap_aliases();
	return 0;
}

static void test_fork_child_vmalloc_through_both_aliases(void **state)
{
	unsigned char *v;
	unsigned long i;

	(void)state;
	assert_int_equal(kmm_init(FORK_CMDLINE), 0);
	v = vmalloc(8 * PAGE_SIZE);
	assert_non_null(v);
	for (i = 0; i < 8; i++) {
		v[i * PAGE_SIZE] = (unsigned char)i;
		v[i * PAGE_SIZE + 1] = 0;
	}
	assert_int_equal(fork_status(vmalloc_aliases_child, v), 0);
	for (i = 0; i < 8; i++)
		assert_int_equal(v[i * PAGE_SIZE + 1], 0);
	vfree(v);
}

/* Threads that allocate and free, so their CPUs hold pages and objects, then wait. */
struct holders {
	pthread_t thread[3];
	struct kmem_cache *cache;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int ready;
	bool release;
};

static void *holder_main(void *arg)
{
	struct holders *h = arg;
	void *objs[40];
	struct page *pages[20];
	int i;

	for (i = 0; i < 40; i++)
		objs[i] = kmem_cache_alloc(h->cache, GFP_KERNEL);
	for (i = 0; i < 20; i++)
		pages[i] = alloc_page(GFP_KERNEL);
	for (i = 0; i < 40; i++)
		kmem_cache_free(h->cache, objs[i]);
	for (i = 0; i < 20; i++)
		__free_page(pages[i]);
	pthread_mutex_lock(&h->lock);
	h->ready++;
	pthread_cond_broadcast(&h->cond);
	while (!h->release)
		pthread_cond_wait(&h->cond, &h->lock);
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

static void holders_start(struct holders *h)
{
	int i;

	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->cond, NULL);
	h->ready = 0;
	h->release = false;
	for (i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&h->thread[i], NULL, holder_main, h), 0);
	pthread_mutex_lock(&h->lock);
	while (h->ready < 3)
		pthread_cond_wait(&h->cond, &h->lock);
	pthread_mutex_unlock(&h->lock);
}

static void holders_stop(struct holders *h)
{
	int i;

	pthread_mutex_lock(&h->lock);
	h->release = true;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
	for (i = 0; i < 3; i++)
		pthread_join(h->thread[i], NULL);
}

/* The slabinfo line of @name: active objects, or -1. */
static long slab_active(const char *name)
{
	static char buf[1 << 15];
	char *p;
	long active = -1;

	show_to_string("slabinfo", buf, sizeof(buf));
	p = strstr(buf, name);
	if (p)
		sscanf(p + strlen(name), " %ld", &active);
	return active;
}

/*
 * The child, whose only thread is the forking one, owns every CPU's caches:
 * the objects other threads freed onto them come back at a drain, the cache
 * is destroyed without finding objects, and the child finds as many free
 * pages as the parent once its threads exit.
 */
static void test_fork_child_owns_the_caches_of_every_cpu(void **state)
{
	struct holders h;
	unsigned long child_free = 0;
	int fds[2];
	pid_t pid;

	(void)state;
	assert_int_equal(kmm_init(FORK_CMDLINE), 0);
	h.cache = kmem_cache_create("fork_held", 128, 0, 0, NULL);
	assert_non_null(h.cache);
	holders_start(&h);
	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct capture c;
		const char *out;
		unsigned long f;
		int ret = 0;

		kmm_drain_all();
		if (slab_active("fork_held") != 0)
			ret = 2;
		capture_begin(&c);
		kmem_cache_destroy(h.cache);
		out = capture_end(&c);
		if (strstr(out, "still has objects"))
			ret = 3;
		f = drained_free();
		(void)!write(fds[1], &f, sizeof(f));
		_exit(ret);
	}
	assert_int_equal(wait_child(pid), 0);
	assert_int_equal(read(fds[0], &child_free, sizeof(child_free)), sizeof(child_free));
	holders_stop(&h);
	kmm_drain_all();
	assert_int_equal(slab_active("fork_held"), 0);
	kmem_cache_destroy(h.cache);
	assert_int_equal(drained_free(), child_free);
	close(fds[0]);
	close(fds[1]);
}

/* Threads that allocate hard, with content checks, while the main thread forks. */
struct stormer {
	pthread_t thread;
	struct kmem_cache *cache;
	unsigned int seed;
	int bad;
	volatile bool *stop;
};

static void *stormer_main(void *arg)
{
	struct stormer *s = arg;

	while (!*s->stop)
		s->bad += churn(s->cache, 500, s->seed++);
	return NULL;
}

/* In a child forked amid the storm: churn, with threads of its own, and fork again. */
static void *child_thread_main(void *arg)
{
	return (void *)(long)churn(arg, 400, 77);
}

static int storm_child(struct kmem_cache *cache, int depth)
{
	pthread_t t[2];
	int i, bad = churn(cache, 400, 5);

	for (i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, child_thread_main, cache))
			return 10;
	for (i = 0; i < 2; i++) {
		void *ret;

		pthread_join(t[i], &ret);
		bad += (int)(long)ret;
	}
	if (depth > 0) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(storm_child(cache, depth - 1));
		bad += wait_child(pid);
	}
	return bad ? 1 : 0;
}

static void test_fork_while_threads_allocate_hard(void **state)
{
	struct stormer s[3];
	struct kmem_cache *cache;
	volatile bool stop = false;
	int i, round;

	(void)state;
	assert_int_equal(kmm_init(FORK_CMDLINE), 0);
	cache = kmem_cache_create("fork_storm", 200, 0, 0, NULL);
	assert_non_null(cache);
	for (i = 0; i < 3; i++) {
		s[i] = (struct stormer){
			.cache = cache, .seed = (unsigned int)i * 1000, .stop = &stop};
		assert_int_equal(pthread_create(&s[i].thread, NULL, stormer_main, &s[i]), 0);
	}
	alarm(60); /* a deadlock fails the suite rather than hanging it */
	for (round = 0; round < 3; round++) {
		pid_t pid;

		usleep(10000);
		fflush(NULL);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0)
			_exit(storm_child(cache, round == 0 ? 2 : 0));
		assert_int_equal(wait_child(pid), 0);
	}
	stop = true;
	for (i = 0; i < 3; i++) {
		pthread_join(s[i].thread, NULL);
		assert_int_equal(s[i].bad, 0);
	}
	alarm(0);
	kmem_cache_destroy(cache);
}

/* Threads that allocate once, then spin until told to return, so that they exit at the fork. */
struct exiter {
	pthread_t thread;
	volatile bool *leave;
	int *started; /* exiters that have allocated and freed (atomic) */
	bool ok;
};

static void *exiter_main(void *arg)
{
	struct exiter *e = arg;
	struct page *page = alloc_pages(GFP_KERNEL, 0);
	void *obj = kmalloc(128, GFP_KERNEL);

	e->ok = page && obj;
	if (page)
		__free_pages(page, 0);
	kfree(obj);
	__atomic_add_fetch(e->started, 1, __ATOMIC_RELEASE);
	while (!*e->leave)
		;
	return NULL;
}

static int alloc_child(void *arg)
{
	struct page *page;
	void *obj;

	(void)arg;
	alarm(20); /* a child stuck in the fork's aftermath fails rather than hangs */
	page = alloc_pages(GFP_KERNEL, 0);
	obj = kmalloc(128, GFP_KERNEL);
	if (!page || !obj)
		return 1;
	memset(page_address(page), 0x5a, PAGE_SIZE);
	memset(obj, 0xa5, 128);
	__free_pages(page, 0);
	kfree(obj);
	return 0;
}

/*
 * The main thread forks the moment its threads start to exit: whatever the
 * exiting threads' caches held is neither lost nor doubled in the parent, the
 * child allocates, and nothing is reported.
 */
static void test_fork_while_threads_exit(void **state)
{
	enum { ROUNDS = 20, THREADS = 4 };
	static struct exiter e[ROUNDS][THREADS];
	volatile bool leave[ROUNDS] = {false};
	int started[ROUNDS] = {0};
	unsigned long before;
	struct capture c;
	const char *out;
	int r, i;

	(void)state;
	assert_int_equal(kmm_init(FORK_CMDLINE), 0);
	before = dropped_free();
	alarm(200); /* a deadlock fails the suite rather than hanging it */
	capture_begin(&c);
	for (r = 0; r < ROUNDS; r++) {
		for (i = 0; i < THREADS; i++) {
			e[r][i] = (struct exiter){.leave = &leave[r], .started = &started[r]};
			assert_int_equal(
				pthread_create(&e[r][i].thread, NULL, exiter_main, &e[r][i]), 0);
		}
		while (__atomic_load_n(&started[r], __ATOMIC_ACQUIRE) < THREADS)
			sched_yield();
		leave[r] = true;
		assert_int_equal(fork_status(alloc_child, NULL), 0);
	}
	for (r = 0; r < ROUNDS; r++)
		for (i = 0; i < THREADS; i++) {
			pthread_join(e[r][i].thread, NULL);
			assert_true(e[r][i].ok);
		}
	out = capture_end(&c);
	alarm(0);
	if (*out)
		print_message("reports:\n%s", out);
	assert_int_equal(count_lines(out), 0);
	assert_int_equal(dropped_free(), before);
}

/* A thread that never used libkmm forks; the child's thread becomes a CPU on first use. */
static void *forker_main(void *arg)
{
	pid_t pid;

	(void)arg;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		struct kmem_cache *c = kmem_cache_create("fork_noncpu", 200, 0, 0, NULL);

		_exit(c && churn(c, 2000, 9) == 0 ? 0 : 1);
	}
	return (void *)(long)wait_child(pid);
}

static void test_fork_from_a_thread_that_is_not_a_cpu(void **state)
{
	pthread_t t;
	void *ret;

	(void)state;
	assert_int_equal(kmm_init(FORK_CMDLINE), 0);
	assert_int_equal(pthread_create(&t, NULL, forker_main, NULL), 0);
	pthread_join(t, &ret);
	assert_int_equal((long)ret, 0);
}

/* kmm_exit() in the child, then a new machine there; the parent's goes on. */
static int exit_child(void *arg)
{
	void *p = arg;

	if (!check(p, 512, 0x1234))
		return 1;
	kmm_exit();
	if (kmm_booted() || kmm_init("mem=32M") != 0)
		return 2;
	p = kmalloc(512, GFP_KERNEL);
	fill(p, 512, 7);
	kfree(p);
	kmm_exit();
	return 0;
}

static void test_fork_child_may_kmm_exit(void **state)
{
	void *p;

	(void)state;
	assert_int_equal(kmm_init(FORK_CMDLINE), 0);
	p = kmalloc(512, GFP_KERNEL);
	fill(p, 512, 0x1234);
	assert_int_equal(fork_status(exit_child, p), 0);
	assert_true(check(p, 512, 0x1234));
	kfree(p);
}

/* kfree_rcu() pending at the fork: the child's new call_rcu thread runs it. */
struct rcu_obj {
	long payload[8];
	struct rcu_head rcu;
};

static int rcu_child(void *arg)
{
	struct kmem_cache *s = kmalloc_slab(sizeof(struct rcu_obj), GFP_KERNEL);

	(void)arg;
	rcu_barrier();
	kmm_drain_all();
	(void)s;
	return 0;
}

static void test_fork_runs_pending_rcu_frees_in_the_child(void **state)
{
	unsigned long free_after;
	int i;

	(void)state;
	assert_int_equal(kmm_init(FORK_CMDLINE), 0);
	for (i = 0; i < 100; i++) {
		struct rcu_obj *o = kmalloc(sizeof(*o), GFP_KERNEL);

		kfree_rcu(o, rcu);
	}
	assert_int_equal(fork_status(rcu_child, NULL), 0);
	rcu_barrier();
	free_after = drained_free();
	assert_true(free_after > 0);
}

/*
 * Threads that kfree_rcu() objects all through the forks: every callback the
 * child's call_rcu thread runs is one whose rcu_head the child's memory holds
 * (the head is in the object, in physical memory, which is copied before
 * fork(); the queue is in the process's memory, copied at fork()).
 */
static volatile bool rcu_storm_stop;

static void *rcu_storm_main(void *arg)
{
	(void)arg;
	while (!rcu_storm_stop) {
		struct rcu_obj *o = kmalloc(sizeof(*o), GFP_KERNEL);

		if (!o)
			continue;
		/* a head never written would call this */
		memset(o, 0, sizeof(*o));
		kfree_rcu(o, rcu);
	}
	return NULL;
}

static void test_fork_while_threads_kfree_rcu(void **state)
{
	pthread_t t[2];
	int i, failed = 0;

	(void)state;
	assert_int_equal(kmm_init(FORK_CMDLINE), 0);
	rcu_storm_stop = false;
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, rcu_storm_main, NULL), 0);
	for (i = 0; i < 20; i++)
		failed += fork_status(rcu_child, NULL) != 0;
	rcu_storm_stop = true;
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	rcu_barrier();
	assert_int_equal(failed, 0);
}

/* The fork of a mem=1G machine with little in use: printed, not asserted. */
static void test_fork_cost(void **state)
{
	struct timespec t0, t1;
	void *v;
	pid_t pid;

	(void)state;
	assert_int_equal(kmm_init("mem=1G"), 0);
	v = vmalloc(4UL << 20);
	memset(v, 1, 4UL << 20);
	fflush(NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid == 0)
		_exit(0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(wait_child(pid), 0);
	print_message("fork of mem=1G (about %lu MiB in use): %.2f ms in the parent\n",
		      (totalram_pages() - nr_free_pages()) >> 8,
		      (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
			      (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	vfree(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kmm_test(test_fork_without_machine_is_a_no_op),
		kmm_test(test_fork_contents_are_copied_and_private),
		kmm_test(test_fork_allocations_never_share_memory),
		kmm_test(test_fork_child_vmalloc_through_both_aliases),
		kmm_test(test_fork_child_owns_the_caches_of_every_cpu),
		kmm_test(test_fork_while_threads_allocate_hard),
		kmm_test(test_fork_while_threads_exit),
		kmm_test(test_fork_from_a_thread_that_is_not_a_cpu),
		kmm_test(test_fork_child_may_kmm_exit),
		kmm_test(test_fork_runs_pending_rcu_frees_in_the_child),
		kmm_test(test_fork_while_threads_kfree_rcu),
		kmm_test(test_fork_cost),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
