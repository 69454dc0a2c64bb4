/* SPDX-License-Identifier: MIT */
/*
 * First calls, each in a fresh process: every family of the public API works
 * as a program's first call to libkmm, without kmm_init(), booting the machine
 * from KMM_CMDLINE; from the main thread, from a second thread while the main
 * thread only waits, and in the child of a fork() made before any libkmm call.
 * Also here: fault injection named on the command line never fails the boot,
 * and its times= budget is spent on the program's own allocations only.
 *
 * Each cmocka test runs one case in a fresh process (this binary re-executed
 * with "--case NAME", KMM_CMDLINE set to the case's command line) under an
 * alarm, so a hang fails the test instead of blocking the suite.  The parent
 * checks the child's exit status (0) and its whole output against the case's
 * expected lines: each pattern matches one whole line, '*' any run of
 * characters.  A case checks what its first call did (the machine the call
 * booted is the one KMM_CMDLINE describes), then that the allocators work.
 * Each family's case runs twice: from the main thread, and from a second
 * thread while the main thread only waits for it.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <urcu.h>
#include <kmm/kmm.h>
#include <kmm/fault-inject.h>
#include "fresh_process.h"
#include "kmm_test.h"

/* The child's side. */

#define check(cond) ((cond) ? (void)0 : check_failed(#cond, __FILE__, __LINE__))

static void check_failed(const char *what, const char *file, int line)
{
	fprintf(stderr, "check failed: %s:%d: %s\n", file, line, what);
	fflush(stderr);
	_exit(3);
}

/* The machine booted is KMM_CMDLINE's (mem=64M unless the case says otherwise). */
static void check_booted(unsigned long mem_mib)
{
	check(kmm_booted());
	check(kmm_max_pfn == (mem_mib << 20) >> PAGE_SHIFT);
}

/* After the first call, every allocator hands out memory that holds what is written. */
static void check_allocators_work(void)
{
	struct kmem_cache *s = kmem_cache_create("firstcall_check", 200, 0, 0, NULL);
	struct page *page = alloc_pages(GFP_KERNEL, 2);
	void *k = kmalloc(1000, GFP_KERNEL), *o, *v = vmalloc(5 * PAGE_SIZE);

	check(s && page && k && v);
	o = kmem_cache_alloc(s, GFP_KERNEL);
	check(o);
	memset(page_address(page), 0x5a, 4 * PAGE_SIZE);
	memset(k, 0x5a, 1000);
	memset(o, 0x5a, 200);
	memset(v, 0x5a, 5 * PAGE_SIZE);
	vfree(v);
	kmem_cache_free(s, o);
	kmem_cache_destroy(s);
	kfree(k);
	__free_pages(page, 2);
	check(kmm_validate_all() == 0);
}

static void first_alloc_pages(void)
{
	struct page *page = alloc_pages(GFP_KERNEL, 3);

	check(page);
	check_booted(64);
	memset(page_address(page), 1, 8 * PAGE_SIZE);
	__free_pages(page, 3);
}

static void first_get_free_pages(void)
{
	unsigned long addr = __get_free_pages(GFP_KERNEL, 1);

	check(addr);
	check_booted(64);
	memset((void *)addr, 1, 2 * PAGE_SIZE);
	free_pages(addr, 1);
}

/* A run longer than a buddy block, zeroed: one page more than two top-order blocks. */
static void first_alloc_contig_pages(void)
{
	unsigned long nr = 2 * MAX_ORDER_NR_PAGES + 1, i;
	struct page *page = alloc_contig_pages(nr, GFP_KERNEL | __GFP_ZERO, NUMA_NO_NODE, NULL);
	char *p;

	check(page);
	check_booted(64);
	p = page_address(page);
	for (i = 0; i < nr; i++)
		check(p[i * PAGE_SIZE] == 0 && page_count(page + i) == 1);
	memset(p, 1, nr * PAGE_SIZE);
	free_contig_range(page_to_pfn(page), nr);
}

/* Freeing nothing is a no-op as in the kernel: it needs no machine, and reports nothing. */
static void first_free_nothing(void)
{
	free_contig_range(0, 0);
	free_pages(0, 0);
	kfree(NULL);
	vfree(NULL);
	kmem_cache_destroy(NULL);
}

struct firstcall_obj {
	long a, b;
	char name[40];
};

static void first_kmem_cache_create(void)
{
	struct kmem_cache *s = KMEM_CACHE(firstcall_obj, SLAB_HWCACHE_ALIGN);
	struct firstcall_obj *obj;

	check(s);
	check_booted(64);
	obj = kmem_cache_alloc(s, GFP_KERNEL);
	check(obj);
	obj->a = 1;
	kmem_cache_free(s, obj);
	kmem_cache_destroy(s);
}

static void first_kmalloc(void)
{
	char *p = kmalloc(100, GFP_KERNEL);

	check(p);
	check_booted(64);
	memset(p, 1, 100);
	kfree(p);
}

static void first_krealloc(void)
{
	char *p = krealloc(NULL, 300, GFP_KERNEL);

	check(p);
	check_booted(64);
	memset(p, 1, 300);
	p = krealloc(p, 5000, GFP_KERNEL);
	check(p && p[299] == 1);
	kfree(p);
}

static void first_kstrdup(void)
{
	char *p = kstrdup("first call", GFP_KERNEL);

	check(p && strcmp(p, "first call") == 0);
	check_booted(64);
	kfree(p);
}

static void first_vmalloc(void)
{
	char *p = vmalloc(3 * PAGE_SIZE);

	check(p);
	check_booted(64);
	memset(p, 1, 3 * PAGE_SIZE);
	vfree(p);
}

/* vmap() of no pages is refused quietly, as the kernel's; a later vmap() has its machine. */
static void first_vmap(void)
{
	struct page *pages[2];
	char *p;

	check(vmap(pages, 0, VM_MAP, PAGE_KERNEL) == NULL);
	pages[0] = alloc_page(GFP_KERNEL);
	pages[1] = alloc_page(GFP_KERNEL);
	check(pages[0] && pages[1]);
	check_booted(64);
	p = vmap(pages, 2, VM_MAP, PAGE_KERNEL);
	check(p);
	memset(p, 7, 2 * PAGE_SIZE);
	check(*(char *)page_address(pages[1]) == 7);
	vunmap(p);
	__free_page(pages[0]);
	__free_page(pages[1]);
}

/* A highmem page, the first thing asked for, is reachable through kmap and kmap_local_page. */
static void first_kmap_highmem(void)
{
	struct page *page = alloc_page(GFP_HIGHUSER);
	char *p;

	check(page);
	check_booted(96);
	check(PageHighMem(page));
	p = kmap(page);
	check(p);
	memset(p, 3, PAGE_SIZE);
	kunmap(page);
	p = kmap_local_page(page);
	check(p && p[PAGE_SIZE - 1] == 3);
	kunmap_local(p);
	__free_page(page);
}

static void first_kmm_show(void)
{
	static char buf[1 << 14];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	check(f);
	check(kmm_show("meminfo", f) == 0);
	fclose(f);
	check_booted(64);
	check(strstr(buf, "MemTotal:"));
}

struct rcu_obj {
	long payload;
	struct rcu_head rcu;
};

/* kfree_rcu() of nothing and rcu_barrier() first, then a real deferred free. */
static void first_kfree_rcu(void)
{
	struct rcu_obj *none = NULL, *obj;

	kfree_rcu(none, rcu);
	rcu_barrier();
	obj = kmalloc(sizeof(*obj), GFP_KERNEL);
	check(obj);
	check_booted(64);
	kfree_rcu(obj, rcu);
	rcu_barrier();
}

/* kfree_rcu_mightsleep() of a kmalloc object, the call that boots nothing itself. */
static void first_kfree_rcu_mightsleep(void)
{
	char *p = NULL;

	kfree_rcu_mightsleep(p);
	p = kmalloc(64, GFP_KERNEL);
	check(p);
	kfree_rcu_mightsleep(p);
	check_booted(64);
}

static unsigned long count_nothing(struct shrinker *s, struct shrink_control *sc)
{
	(void)s;
	(void)sc;
	return 0;
}

static void first_shrinker(void)
{
	struct shrinker *s = shrinker_alloc(0, "firstcall");

	check(s);
	check_booted(64);
	s->count_objects = count_nothing;
	s->scan_objects = count_nothing;
	shrinker_register(s);
	kmm_reclaim(NUMA_NO_NODE, 16, GFP_KERNEL);
	shrinker_free(s);
}

/*
 * The calls that only maintain a machine (reclaim, validate, drain, drop
 * caches, count live objects) have
 * nothing to do without one: they boot nothing, and kmm_init() still can.
 */
static void boot_after_maintenance(void)
{
	check(!kmm_booted());
	check(kmm_init(getenv("KMM_CMDLINE")) == 0);
	check_booted(64);
}

static void first_kmm_reclaim(void)
{
	check(kmm_reclaim(NUMA_NO_NODE, 16, GFP_KERNEL) == 0);
	boot_after_maintenance();
}

static void first_kmm_validate_all(void)
{
	check(kmm_validate_all() == 0);
	boot_after_maintenance();
}

/* The first question a program asks is answered about the machine it boots. */
static void first_nr_free_pages(void)
{
	unsigned long free = nr_free_pages();

	check_booted(64);
	check(free > 0 && free <= kmm_max_pfn);
}

static void first_totalram_pages(void)
{
	unsigned long total = totalram_pages();

	check_booted(64);
	check(total > 0 && total <= kmm_max_pfn);
}

static void first_kmm_drain_all(void)
{
	kmm_drain_all();
	boot_after_maintenance();
}

static void first_kmm_drop_caches(void)
{
	kmm_drop_caches();
	check(kmm_live_objects() == 0);
	boot_after_maintenance();
}

/* The child of a fork() made before any libkmm call boots its own machine. */
static void first_call_after_fork(void)
{
	int status;
	pid_t pid = fork();

	check(pid >= 0);
	if (pid == 0) {
		first_kmalloc();
		check_allocators_work();
		_exit(0);
	}
	check(waitpid(pid, &status, 0) == pid);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* and the parent, still without a machine, boots one too */
	check(!kmm_booted());
	first_alloc_pages();
}

static int forked_pipe[2];

/* The booting thread: its first call, then it stays (a CPU) until the fork is over. */
static void *boot_then_wait(void *arg)
{
	char c;

	(void)arg;
	first_kmalloc();
	check(read(forked_pipe[0], &c, 1) == 1);
	return NULL;
}

/*
 * A KMM_CMDLINE that cannot boot: the first call reports it, the next ones
 * fail the same way without a new report, and a corrected one boots.
 */
static void failed_boot_reported_once(void)
{
	check(kmalloc(64, GFP_KERNEL | __GFP_NOWARN) == NULL);
	check(alloc_page(GFP_KERNEL | __GFP_NOWARN) == NULL);
	check(vmalloc(PAGE_SIZE) == NULL);
	check(kmm_show("meminfo", stderr) == -ENODEV);
	check(!kmm_booted());
	setenv("KMM_CMDLINE", "mem=64M", 1);
	first_kmalloc();
}

/*
 * tries_in_children - @run(0) .. @run(@n - 1), each in a child of this process
 * (which has no machine, so each is a fresh one), under an alarm: a hang fails.
 */
static void tries_in_children(unsigned int n, void (*run)(unsigned int i))
{
	unsigned int i;
	int status;

	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		check(pid >= 0);
		if (pid == 0) {
			alarm(10);
			run(i);
			_exit(0);
		}
		check(waitpid(pid, &status, 0) == pid);
		check(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
}

/* Try @i, in a process with no machine: fork() @i * 20 us into another thread's boot. */
static void fork_while_another_thread_boots(unsigned int i)
{
	pthread_t t;
	int status;
	pid_t pid;

	check(pipe(forked_pipe) == 0);
	check(pthread_create(&t, NULL, boot_then_wait, NULL) == 0);
	usleep(i * 20);
	pid = fork();
	check(pid >= 0);
	if (pid == 0) {
		alarm(5); /* a boot lock inherited held would hang here */
		first_kmalloc();
		_exit(0);
	}
	check(write(forked_pipe[1], "", 1) == 1);
	check(waitpid(pid, &status, 0) == pid);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	check(pthread_join(t, NULL) == 0);
}

/*
 * A fork() during another thread's first boot: the child boots a machine of
 * its own.  The fork lands at a different point of the boot in each try
 * (each in a fresh process, where nothing has been booted or registered).
 */
static void first_call_after_fork_during_boot(void)
{
	tries_in_children(30, fork_while_another_thread_boots);
}

/* Objects of @s allocated and freed again: free slabs, for a shrink to destroy. */
static void fill_and_empty_slabs(struct kmem_cache *s)
{
	void *objs[64];
	int i;

	for (i = 0; i < 64; i++) {
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
		check(objs[i]);
	}
	for (i = 0; i < 64; i++)
		kmem_cache_free(s, objs[i]);
}

static void *shrink_main(void *cache)
{
	kmem_cache_shrink(cache);
	return NULL;
}

/*
 * The first call_rcu() of a process takes liburcu's call_rcu_mutex to start
 * its call_rcu thread, and fork holds that mutex (call_rcu_before_fork(), in
 * its step KMM_FORK_RCU) while it waits for every CPU and the batches in
 * flight; a thread holding either may be destroying SLAB_TYPESAFE_BY_RCU
 * slabs, which go back through call_rcu().  So destroying them must never wait for the mutex:
 * here the fork's hold is made with liburcu's own hook, and a second thread
 * shrinks the cache, the process's first call_rcu(); it must finish.
 */
static void typesafe_slabs_go_back_while_fork_holds_rcu(void)
{
	struct kmem_cache *s =
		kmem_cache_create("firstcall-typesafe", 512, 0, SLAB_TYPESAFE_BY_RCU, NULL);
	struct timespec deadline;
	pthread_t t;

	check(s);
	fill_and_empty_slabs(s);
	call_rcu_before_fork();
	check(pthread_create(&t, NULL, shrink_main, s) == 0);
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 10;
	check(pthread_timedjoin_np(t, NULL, &deadline) == 0);
	call_rcu_after_fork_parent();
	kmem_cache_destroy(s);
}

/*
 * A slab of a SLAB_TYPESAFE_BY_RCU cache goes back through call_rcu(), which
 * writes the slab's rcu_head (in its struct page: physical memory, copied
 * for the child before fork()) and liburcu's queue (the process's memory,
 * copied at fork()).  So no slab may be queued between the copy and fork():
 * the child would run a callback from a head its memory never had.  The seam
 * is this binary's urcu_memb_call_rcu(), which comes before liburcu's: in the
 * shrinking thread its first call stops until the forking thread is past
 * libkmm's prepare (a prepare handler registered before the machine's runs
 * after it), or 1 s has passed.
 */
enum { CALL_RCU_RUNS, CALL_RCU_STOPPED, CALL_RCU_GO, CALL_RCU_DONE };
static int call_rcu_state;
static __thread bool call_rcu_stops;

/* Wait up to @ms milliseconds for call_rcu_state to be @state; is it? */
static bool call_rcu_state_reached(int state, int ms)
{
	while (__atomic_load_n(&call_rcu_state, __ATOMIC_ACQUIRE) != state && ms-- > 0)
		usleep(1000);
	return __atomic_load_n(&call_rcu_state, __ATOMIC_ACQUIRE) == state;
}

void urcu_memb_call_rcu(struct rcu_head *head, void (*func)(struct rcu_head *head))
{
	void (*real)(struct rcu_head *, void (*)(struct rcu_head *)) =
		(void (*)(struct rcu_head *, void (*)(struct rcu_head *)))dlsym(
			RTLD_NEXT, "urcu_memb_call_rcu");
	bool stop = call_rcu_stops;

	check(real);
	if (stop) {
		call_rcu_stops = false;
		__atomic_store_n(&call_rcu_state, CALL_RCU_STOPPED, __ATOMIC_RELEASE);
		(void)call_rcu_state_reached(CALL_RCU_GO, 1000);
	}
	real(head, func);
	if (stop)
		__atomic_store_n(&call_rcu_state, CALL_RCU_DONE, __ATOMIC_RELEASE);
}

/* The forking thread, after libkmm's prepare: let the stopped call_rcu() go on. */
static void call_rcu_go_after_prepare(void)
{
	if (__atomic_load_n(&call_rcu_state, __ATOMIC_ACQUIRE) != CALL_RCU_STOPPED)
		return;
	__atomic_store_n(&call_rcu_state, CALL_RCU_GO, __ATOMIC_RELEASE);
	(void)call_rcu_state_reached(CALL_RCU_DONE, 5000);
}

static void *shrink_stopping_in_call_rcu(void *cache)
{
	call_rcu_stops = true;
	kmem_cache_shrink(cache);
	return NULL;
}

static void typesafe_slabs_go_back_while_forking(void)
{
	struct kmem_cache *s;
	pthread_t t;
	int status;
	pid_t pid;

	check(pthread_atfork(call_rcu_go_after_prepare, NULL, NULL) == 0);
	/* a debugging cache: frees go straight to the slabs, which the shrink destroys */
	s = kmem_cache_create("firstcall-typesafe", 512, 0,
			      SLAB_TYPESAFE_BY_RCU | SLAB_CONSISTENCY_CHECKS, NULL);
	check(s);
	fill_and_empty_slabs(s);
	check(pthread_create(&t, NULL, shrink_stopping_in_call_rcu, s) == 0);
	check(call_rcu_state_reached(CALL_RCU_STOPPED, 5000));
	pid = fork();
	check(pid >= 0);
	if (pid == 0) {
		alarm(10);
		rcu_barrier(); /* the callbacks of every slab queued */
		kmem_cache_destroy(s);
		check_allocators_work();
		_exit(0);
	}
	check(pthread_join(t, NULL) == 0);
	check(waitpid(pid, &status, 0) == pid);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	rcu_barrier();
	kmem_cache_destroy(s);
}

/*
 * A thread that frees while another forks waits for the fork asleep: fork
 * holds every CPU, so the free goes to the node's lists as a batch, which
 * must not begin until the fork is over.  Here the wait is watched from the
 * forking thread, past libkmm's prepare: the freeing thread's state in
 * /proc (S, asleep; R, running or spinning) in 20 looks 5 ms apart.
 */
static int free_sleeper_tid, free_sleeper_go, free_sleeper_running = -1;

/* The state letter of thread @tid, from /proc/self/task/TID/stat ('?' if unread). */
static char thread_state(int tid)
{
	char path[64], buf[256], *close_paren;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return '?';
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return '?';
	buf[n] = 0;
	close_paren = strrchr(buf, ')');
	return close_paren && close_paren[1] == ' ' ? close_paren[2] : '?';
}

static void watch_the_free_after_prepare(void)
{
	int tid = __atomic_load_n(&free_sleeper_tid, __ATOMIC_ACQUIRE), i, running = 0;

	if (!tid)
		return;
	__atomic_store_n(&free_sleeper_go, 1, __ATOMIC_RELEASE);
	usleep(20000);
	for (i = 0; i < 20; i++) {
		running += thread_state(tid) == 'R';
		usleep(5000);
	}
	__atomic_store_n(&free_sleeper_running, running, __ATOMIC_RELEASE);
}

static void *free_once_forking(void *obj)
{
	__atomic_store_n(&free_sleeper_tid, (int)gettid(), __ATOMIC_RELEASE);
	while (!__atomic_load_n(&free_sleeper_go, __ATOMIC_ACQUIRE))
		usleep(1000);
	kfree(obj);
	return NULL;
}

static void free_sleeps_while_forking(void)
{
	void *obj;
	pthread_t t;
	pid_t pid;
	int status;

	check(pthread_atfork(watch_the_free_after_prepare, NULL, NULL) == 0);
	obj = kmalloc(64, GFP_KERNEL);
	check(obj);
	check(pthread_create(&t, NULL, free_once_forking, obj) == 0);
	while (!__atomic_load_n(&free_sleeper_tid, __ATOMIC_ACQUIRE))
		usleep(1000);
	pid = fork();
	check(pid >= 0);
	if (pid == 0)
		_exit(0);
	check(pthread_join(t, NULL) == 0);
	check(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* the first look may come before the thread is asleep; the rest must not see it run */
	check(free_sleeper_running >= 0 && free_sleeper_running <= 2);
}

/*
 * A prepare handler registered before the first boot runs after libkmm's,
 * while the forking thread holds every lock of the allocators: a libkmm
 * call from it would wait for the thread itself.  It is reported, and the
 * process aborts, rather than hang.  In a child of this process (which has
 * no machine), so that the handler is registered first.
 */
static void kmalloc_in_prepare(void)
{
	kfree(kmalloc(100, GFP_KERNEL));
}

/* slab_mutex first */
static void cache_create_in_prepare(void)
{
	kmem_cache_destroy(kmem_cache_create("in_prepare", 64, 0, 0, NULL));
}

/* the vmalloc area's lock first */
static void vmalloc_in_prepare(void)
{
	vfree(vmalloc(PAGE_SIZE));
}

/* What the handlers below are given, made after the boot. */
static struct rcu_obj *prepare_obj;
static struct shrinker *prepare_shrinker;

/* kfree_rcu()'s fork lock first */
static void kfree_rcu_in_prepare(void)
{
	kfree_rcu(prepare_obj, rcu);
}

/* the shrinker list, for writing, first */
static void shrinker_register_in_prepare(void)
{
	shrinker_register(prepare_shrinker);
}

static void fork_handler_call_is_reported(void (*prepare)(void))
{
	struct rcu_obj *first;
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	check(pid >= 0);
	if (pid == 0) {
		alarm(10);
		check(pthread_atfork(prepare, NULL, NULL) == 0);
		prepare_obj = kmalloc(sizeof(*prepare_obj), GFP_KERNEL); /* the boot */
		prepare_shrinker = shrinker_alloc(0, "in_prepare");
		check(prepare_obj && prepare_shrinker);
		/* the process's first call_rcu() needs call_rcu_mutex, which fork holds */
		first = kmalloc(sizeof(*first), GFP_KERNEL);
		check(first);
		kfree_rcu(first, rcu);
		prepare_shrinker->count_objects = count_nothing;
		prepare_shrinker->scan_objects = count_nothing;
		if (fork() == 0)
			_exit(0);
		_exit(0); /* not reached: the fork aborts */
	}
	check(waitpid(pid, &status, 0) == pid);
	check(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
}

static void allocating_fork_handler_is_reported(void)
{
	fork_handler_call_is_reported(kmalloc_in_prepare);
	fork_handler_call_is_reported(cache_create_in_prepare);
	fork_handler_call_is_reported(vmalloc_in_prepare);
	fork_handler_call_is_reported(kfree_rcu_in_prepare);
	fork_handler_call_is_reported(shrinker_register_in_prepare);
}

static bool forking_done;

static void *fork_until_done(void *unused)
{
	int status;

	(void)unused;
	while (!__atomic_load_n(&forking_done, __ATOMIC_ACQUIRE)) {
		pid_t pid = fork();

		check(pid >= 0);
		if (pid == 0)
			_exit(0);
		check(waitpid(pid, &status, 0) == pid);
	}
	return NULL;
}

/*
 * The threads of kfree_rcu_while_forking() meet here three times: to start,
 * when done, and once the forks are over.  No thread starts or ends while
 * another forks: under gcc 12's AddressSanitizer, which does not hold its
 * thread registry and allocator locks across fork(), such a fork leaves the
 * child's first pthread_create() (libkmm's and liburcu's threads start again
 * in the child) waiting forever.  For the same reason the forks begin only
 * once libkmm's own threads, started by the boot, have named themselves.
 */
static pthread_barrier_t kfree_rcu_meet;

static void wait_for_boot_threads(void)
{
	int ms;

	for (ms = 0; ms < 5000; ms++) {
		if (threads_named("cache_reap") == 1 && threads_named("page_reporting") == 1)
			return;
		poll(NULL, 0, 1);
	}
	check(!"libkmm's threads started within 5 s");
}

static void *kfree_rcu_many(void *unused)
{
	int i;

	(void)unused;
	pthread_barrier_wait(&kfree_rcu_meet);
	for (i = 0; i < 20000; i++) {
		struct rcu_obj *obj = kmalloc(sizeof(*obj), GFP_KERNEL);

		check(obj);
		kfree_rcu(obj, rcu);
	}
	pthread_barrier_wait(&kfree_rcu_meet);
	pthread_barrier_wait(&kfree_rcu_meet);
	return NULL;
}

/* Try @i, in a process with no machine: two threads kfree_rcu() while a third forks. */
static void kfree_rcu_while_forking(unsigned int i)
{
	pthread_t forker, t[2];
	int n;

	kfree(kmalloc(8, GFP_KERNEL)); /* the boot */
	wait_for_boot_threads();
	check(pthread_barrier_init(&kfree_rcu_meet, NULL, 3) == 0);
	for (n = 0; n < 2; n++)
		check(pthread_create(&t[n], NULL, kfree_rcu_many, NULL) == 0);
	check(pthread_create(&forker, NULL, fork_until_done, NULL) == 0);
	usleep(i * 200 % 20000);
	pthread_barrier_wait(&kfree_rcu_meet); /* the kfree_rcu()s start */
	pthread_barrier_wait(&kfree_rcu_meet); /* and are done */
	__atomic_store_n(&forking_done, true, __ATOMIC_RELEASE);
	check(pthread_join(forker, NULL) == 0);
	pthread_barrier_wait(&kfree_rcu_meet); /* the forks are over */
	for (n = 0; n < 2; n++)
		check(pthread_join(t[n], NULL) == 0);
	check(pthread_barrier_destroy(&kfree_rcu_meet) == 0);
	rcu_barrier();
}

/*
 * kfree_rcu() takes its fork lock for reading around call_rcu(); fork takes
 * call_rcu_mutex, then that lock for writing.  A process's first call_rcu()
 * takes call_rcu_mutex, so it must not come under the read lock.  Each try is
 * a fresh process whose first kfree_rcu()s meet forks at a different point;
 * before the call_rcu thread was started ahead of the lock, about one try in
 * forty hung.
 */
static void kfree_rcu_first_while_forking(void)
{
	tries_in_children(100, kfree_rcu_while_forking);
}

/*
 * The harness's side of a hung fork child: a process the case leaves behind,
 * holding its output, is killed and named in the output (run_fresh()), so
 * such a hang fails its test instead of stopping the suite.
 */
static void a_process_left_behind_is_killed(void)
{
	pid_t pid = fork();

	check(pid >= 0);
	if (pid == 0) {
		sleep(60);
		_exit(0);
	}
}

/* Fault injection from the command line: the boot never fails, the budget is the program's. */

/* @n order-0 pages, GFP_ATOMIC (which fail_page_alloc considers): 'o' got one, 'x' did not. */
static void print_page_pattern(int n)
{
	struct page *pages[16];
	char line[17];
	int i;

	for (i = 0; i < n; i++) {
		pages[i] = alloc_page(GFP_ATOMIC);
		line[i] = pages[i] ? 'o' : 'x';
	}
	line[n] = '\0';
	fprintf(stderr, "alloc_page: %s\n", line);
	for (i = 0; i < n; i++)
		if (pages[i])
			__free_page(pages[i]);
}

static void print_kmalloc_pattern(int n, gfp_t gfp)
{
	void *objs[16];
	char line[17];
	int i;

	for (i = 0; i < n; i++) {
		objs[i] = kmalloc(64, gfp);
		line[i] = objs[i] ? 'o' : 'x';
	}
	line[n] = '\0';
	fprintf(stderr, "kmalloc: %s\n", line);
	for (i = 0; i < n; i++)
		kfree(objs[i]);
}

/* @n order-1 pages, GFP_ATOMIC: candidates with the kernel's default knobs. */
static void print_order1_pattern(void)
{
	struct page *pages[5];
	char line[6];
	int i;

	for (i = 0; i < 5; i++) {
		pages[i] = alloc_pages(GFP_ATOMIC, 1);
		line[i] = pages[i] ? 'o' : 'x';
	}
	line[5] = '\0';
	fprintf(stderr, "alloc_pages: %s\n", line);
	for (i = 0; i < 5; i++)
		if (pages[i])
			__free_pages(pages[i], 1);
}

/* With the kernel's default knobs: order 1 and up, atomic allocations only. */
static void fail_page_alloc_kernel_defaults(void)
{
	check(kmm_init(getenv("KMM_CMDLINE")) == 0);
	print_order1_pattern();
}

/*
 * vmalloc's tries for large blocks (atomic, orders above 0, each stepping
 * down when it fails) are the library's way of filling the area, not the
 * program's allocations: they spend none of the budget, and a vmalloc_32()
 * (no __GFP_HIGHMEM for ignore-gfp-highmem to skip) succeeds untouched.
 */
static void fail_page_alloc_spares_vmalloc_blocks(void)
{
	void *v;

	check(kmm_init(getenv("KMM_CMDLINE")) == 0);
	v = vmalloc_32(1 << 20);
	check(v);
	vfree(v);
	print_order1_pattern();
}

static void failslab_kernel_defaults(void)
{
	check(kmm_init(getenv("KMM_CMDLINE")) == 0);
	print_kmalloc_pattern(5, GFP_ATOMIC);
}

/* kmm_init() with fail_page_alloc=: boots, then exactly three of the program's pages fail. */
static void fail_page_alloc_at_init(void)
{
	check(kmm_init(getenv("KMM_CMDLINE")) == 0);
	print_page_pattern(5);
}

/* The same as a first call: the boot it makes is not the program's allocation. */
static void fail_page_alloc_first_call(void)
{
	print_page_pattern(5);
	check_booted(64);
}

static void failslab_at_init(void)
{
	check(kmm_init(getenv("KMM_CMDLINE")) == 0);
	print_kmalloc_pattern(5, GFP_KERNEL);
}

static void failslab_first_call(void)
{
	print_kmalloc_pattern(5, GFP_KERNEL);
	check_booted(64);
}

/*
 * The library's own allocations after boot are not the program's: a vmalloc
 * (whose vmap_area, vm_struct and page tables the library allocates) and a
 * new cache (its descriptor, its arrays) spend nothing; the budget is still
 * whole for the program's kmalloc() calls.
 */
static void failslab_spares_internal_allocations(void)
{
	struct kmem_cache *s;
	void *v;

	check(kmm_init(getenv("KMM_CMDLINE")) == 0);
	v = vmalloc(PAGE_SIZE);
	check(v);
	vfree(v);
	s = kmem_cache_create("firstcall_inject", 100, 0, 0, NULL);
	check(s);
	kmem_cache_destroy(s);
	print_kmalloc_pattern(5, GFP_KERNEL);
}

/*
 * The same for fail_page_alloc (min-order=0, sleeping allocations ignored):
 * the page tables of a vmalloc() and the CPU array a new cache makes at its
 * first GFP_KERNEL allocation (an atomic page allocation of the library's)
 * do not take the program's failures.
 */
static void fail_page_alloc_spares_internal_allocations(void)
{
	struct kmem_cache *s;
	void *v, *obj;

	check(kmm_init(getenv("KMM_CMDLINE")) == 0);
	v = vmalloc(PAGE_SIZE);
	check(v);
	vfree(v);
	s = kmem_cache_create("firstcall_inject", 100, 0, 0, NULL);
	check(s);
	obj = kmem_cache_alloc(s, GFP_KERNEL);
	check(obj);
	kmem_cache_free(s, obj);
	kmem_cache_destroy(s);
	print_page_pattern(5);
}

struct fcase {
	const char *name;
	void (*run)(void);
	const char *cmdline; /* KMM_CMDLINE of the child */
	const char *expect;  /* every line of its output, '\n'-separated; "" for none */
	bool family;	     /* a family of the API: run from a second thread too */
};

#define QUIET "mem=64M"
#define FORK_HANDLER_REPORT                                                                        \
	"kmm: fork: a libkmm call inside fork, after libkmm's prepare (from a pthread_atfork() "   \
	"handler registered before the first boot?), would wait forever for a lock the forking "   \
	"thread holds; aborting\n"
/* The fault report of failure @n of @times (the line shows the times left after it). */
#define FAULT_REPORT(cap, left)                                                                    \
	"FAULT_INJECTION: forcing a failure.\n"                                                    \
	"name " cap ", interval 1, probability 100, space 0, times " #left "\n"
#define FAIL_PAGE_ALLOC                                                                            \
	"mem=64M fail_page_alloc=1,100,0,3 fail_page_alloc.min-order=0 "                           \
	"fail_page_alloc.ignore-gfp-wait=n fail_page_alloc.verbose=1"
#define FAILSLAB "mem=64M failslab=1,100,0,3 failslab.ignore-gfp-wait=n failslab.verbose=1"
#define PAGE_FAILURES                                                                              \
	FAULT_REPORT("fail_page_alloc", 2)                                                         \
	FAULT_REPORT("fail_page_alloc", 1)                                                         \
	FAULT_REPORT("fail_page_alloc", 0) "alloc_page: xxxoo"
#define SLAB_FAILURES                                                                              \
	FAULT_REPORT("failslab", 2)                                                                \
	FAULT_REPORT("failslab", 1) FAULT_REPORT("failslab", 0) "kmalloc: xxxoo"

static const struct fcase cases[] = {
	{"alloc_pages", first_alloc_pages, QUIET, "", true},
	{"get_free_pages", first_get_free_pages, QUIET, "", true},
	{"alloc_contig_pages", first_alloc_contig_pages, QUIET, "", true},
	{"free_nothing", first_free_nothing, QUIET, "", true},
	{"kmem_cache_create", first_kmem_cache_create, QUIET, "", true},
	{"kmalloc", first_kmalloc, QUIET, "", true},
	{"krealloc", first_krealloc, QUIET, "", true},
	{"kstrdup", first_kstrdup, QUIET, "", true},
	{"vmalloc", first_vmalloc, QUIET, "", true},
	{"vmap", first_vmap, QUIET, "", true},
	{"kmap_highmem", first_kmap_highmem, "mem=96M highmem=32M", "", true},
	{"kmm_show", first_kmm_show, QUIET, "", true},
	{"kfree_rcu", first_kfree_rcu, QUIET, "", true},
	{"kfree_rcu_mightsleep", first_kfree_rcu_mightsleep, QUIET, "", true},
	{"shrinker", first_shrinker, QUIET, "", true},
	{"kmm_reclaim", first_kmm_reclaim, QUIET, "", true},
	{"kmm_validate_all", first_kmm_validate_all, QUIET, "", true},
	{"nr_free_pages", first_nr_free_pages, QUIET, "", true},
	{"totalram_pages", first_totalram_pages, QUIET, "", true},
	{"kmm_drain_all", first_kmm_drain_all, QUIET, "", true},
	{"kmm_drop_caches", first_kmm_drop_caches, QUIET, "", true},
	{"after_fork", first_call_after_fork, QUIET, "", false},
	{"after_fork_during_boot", first_call_after_fork_during_boot, QUIET, "", false},
	{"typesafe_slabs_during_fork", typesafe_slabs_go_back_while_fork_holds_rcu, QUIET, "",
	 false},
	{"typesafe_slabs_while_forking", typesafe_slabs_go_back_while_forking, QUIET, "", false},
	{"free_sleeps_while_forking", free_sleeps_while_forking, QUIET, "", false},
	{"allocating_fork_handler_is_reported", allocating_fork_handler_is_reported, QUIET,
	 FORK_HANDLER_REPORT FORK_HANDLER_REPORT FORK_HANDLER_REPORT FORK_HANDLER_REPORT
		 FORK_HANDLER_REPORT,
	 false},
	{"kfree_rcu_first_while_forking", kfree_rcu_first_while_forking, QUIET, "", false},
	{"a_process_left_behind_is_killed", a_process_left_behind_is_killed, QUIET,
	 "run_fresh: a process of the case outlived it by 2000 ms, holding its output; killed",
	 false},
	{"failed_boot_reported_once", failed_boot_reported_once, "mem=64Q",
	 "kmm_init: invalid value in \"mem=64Q\": mem expects a size from 16M to 4T, e.g. "
	 "mem=512M",
	 false},
	{"fail_page_alloc_at_init", fail_page_alloc_at_init, FAIL_PAGE_ALLOC, PAGE_FAILURES, false},
	{"fail_page_alloc_first_call", fail_page_alloc_first_call, FAIL_PAGE_ALLOC, PAGE_FAILURES,
	 false},
	{"fail_page_alloc_spares_internal_allocations", fail_page_alloc_spares_internal_allocations,
	 "mem=64M fail_page_alloc=1,100,0,3 fail_page_alloc.min-order=0 "
	 "fail_page_alloc.verbose=0",
	 "alloc_page: xxxoo", false},
	{"fail_page_alloc_kernel_defaults", fail_page_alloc_kernel_defaults,
	 "mem=64M fail_page_alloc=1,100,0,3 fail_page_alloc.verbose=1",
	 FAULT_REPORT("fail_page_alloc", 2) FAULT_REPORT("fail_page_alloc", 1)
		 FAULT_REPORT("fail_page_alloc", 0) "alloc_pages: xxxoo",
	 false},
	{"fail_page_alloc_spares_vmalloc_blocks", fail_page_alloc_spares_vmalloc_blocks,
	 "mem=64M fail_page_alloc=1,100,0,3 fail_page_alloc.verbose=1",
	 FAULT_REPORT("fail_page_alloc", 2) FAULT_REPORT("fail_page_alloc", 1)
		 FAULT_REPORT("fail_page_alloc", 0) "alloc_pages: xxxoo",
	 false},
	{"failslab_kernel_defaults", failslab_kernel_defaults,
	 "mem=64M failslab=1,100,0,3 failslab.verbose=1", SLAB_FAILURES, false},
	{"failslab_at_init", failslab_at_init, FAILSLAB, SLAB_FAILURES, false},
	{"failslab_first_call", failslab_first_call, FAILSLAB, SLAB_FAILURES, false},
	{"failslab_spares_internal_allocations", failslab_spares_internal_allocations,
	 "mem=64M failslab=1,100,0,3 failslab.ignore-gfp-wait=n failslab.verbose=0",
	 "kmalloc: xxxoo", false},
};

#define NR_CASES (sizeof(cases) / sizeof(cases[0]))

static void *run_in_thread(void *c)
{
	((const struct fcase *)c)->run();
	return NULL;
}

/* Run case @name; with @threaded, from a second thread while the main thread waits. */
static int run_case(const char *name, bool threaded)
{
	pthread_t t;
	size_t i;

	for (i = 0; i < NR_CASES; i++) {
		if (strcmp(cases[i].name, name) != 0)
			continue;
		alarm(30); /* a hang fails the test */
		if (threaded) {
			check(pthread_create(&t, NULL, run_in_thread, (void *)&cases[i]) == 0);
			check(pthread_join(t, NULL) == 0);
		} else {
			cases[i].run();
		}
		if (kmm_booted())
			check_allocators_work();
		fflush(NULL);
		return 0;
	}
	fprintf(stderr, "no case %s\n", name);
	return 2;
}

/* The parent's side. */

/* A test: a case, run from the main thread or from a second one. */
struct ftest {
	const struct fcase *c;
	bool threaded;
};

static void test_case(void **state)
{
	const struct ftest *ft = *state;
	const struct fcase *c = ft->c;
	static char text[1 << 16];
	char *argv[] = {"test_firstcall", "--case", (char *)c->name,
			ft->threaded ? "--thread" : NULL, NULL};
	int status = run_fresh(argv, c->cmdline, text, sizeof(text));

	expect_exit_0_and(c->name, status, text, c->expect);
}

int main(int argc, char **argv)
{
	static struct CMUnitTest tests[2 * NR_CASES];
	static struct ftest ftests[2 * NR_CASES];
	static char names[NR_CASES][96];
	size_t i, n = 0;

	if (argc >= 3 && strcmp(argv[1], "--case") == 0)
		return run_case(argv[2], argc >= 4 && strcmp(argv[3], "--thread") == 0);
	for (i = 0; i < NR_CASES; i++) {
		ftests[n] = (struct ftest){&cases[i], false};
		tests[n] = (struct CMUnitTest){
			.name = cases[i].name, .test_func = test_case, .initial_state = &ftests[n]};
		n++;
		if (!cases[i].family)
			continue;
		snprintf(names[i], sizeof(names[i]), "%s_from_a_second_thread", cases[i].name);
		ftests[n] = (struct ftest){&cases[i], true};
		tests[n] = (struct CMUnitTest){
			.name = names[i], .test_func = test_case, .initial_state = &ftests[n]};
		n++;
	}
	return _cmocka_run_group_tests("firstcall", tests, n, NULL, NULL);
}
