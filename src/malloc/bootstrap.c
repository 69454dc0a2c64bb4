/* SPDX-License-Identifier: MIT */
/*
 * malloc/bootstrap.c - what libkmm-malloc.so does before and around libkmm:
 * the boot of the machine with the front end's defaults, the bootstrap arena
 * for the allocations libkmm cannot serve, and the frees it cannot take yet.
 *
 * The boot.  The first malloc() of the process (usually made by libc or the
 * dynamic loader before main()) boots the machine, from KMM_CMDLINE placed
 * after the front end's defaults, so that any parameter KMM_CMDLINE names wins
 * (the last occurrence of a parameter wins).  The defaults are sized for real
 * programs: mem= is the host's RAM rounded up to a GiB (at least 1G), so that
 * a program can use what the machine it runs on has; it costs only what is
 * touched (the memfd is sparse, the memmap is initialised 4 MiB of frames at
 * a time, and free page reporting punches idle free blocks out of the memfd).
 * vmalloc= is twice that, at least libkmm's 32G: large allocations that find
 * no run of free pages live there, and it is address space only.
 * slab_max_order=3 (SLUB's default largest order; SLAB's is 1) lets the
 * caches of malloc's size classes pack: malloc-5120 holds 3 objects in 16 KiB
 * instead of one in 8 KiB.  Unless the process's limits say
 * less (boot/limits.h): mem= is at most the memory cgroup's limit and the
 * file size limit (the memfd), and under an address-space limit the whole
 * machine (mem=, vmalloc= of twice that, libkmm's thread stacks) takes at
 * most half of the address space left, the other half staying the
 * program's (its stacks, libraries, file mappings).  A KMM_CMDLINE the
 * limits cannot hold is refused like a malformed one: the defaults boot.
 *
 * The bootstrap arena.  While a thread is inside libkmm (malloc_depth > 0:
 * booting, or a slow path that called libc, which called malloc()), its
 * allocations come from a static 1 MiB arena: a bump pointer, 16-byte headers
 * holding the size, never reused, so its memory is zero until handed out.
 * Frees of arena memory are recognised by address and ignored; realloc() of it
 * moves to the machine.  What uses it in practice: the boot's own allocations
 * (pthread_atfork()'s handler list, the first thread-specific data) and
 * libc's bookkeeping when libkmm starts its threads (kswapd, the slab reaper,
 * page reporting), a few KiB.
 *
 * Deferred frees.  A free() inside libkmm of memory of the machine cannot go
 * to libkmm either: the object is pushed on a lock-free stack, linked through
 * its first word, and freed by the next slow path outside libkmm.
 *
 * Locking: boot_mutex serialises booting, and is taken before libkmm's boot
 * lock; across fork() it is held too, its handlers registered after libkmm's
 * so that its prepare handler runs first, in that order, and a child never
 * inherits it held by a thread that is not there.  bootstrap_used only grows, by
 * compare-and-swap; deferred_head is pushed by compare-and-swap and taken
 * whole by an exchange (no ABA problem: nothing is ever popped alone).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kmm/kmm.h>
#include "boot/limits.h"
#include "boot/machine.h"
#include "malloc/malloc.h"
#include "report/report.h"

__thread unsigned int malloc_depth __attribute__((tls_model("initial-exec")));

static pthread_mutex_t boot_mutex = PTHREAD_MUTEX_INITIALIZER;
/* -errno of the boot that failed: no second attempt, no second report */
static int boot_error;

/* The largest machine the defaults make (libkmm's own limit of mem=), in MiB. */
#define DEFAULT_MEM_MAX_MIB	(4096ULL << 10)
#define DEFAULT_MEM_MIN_MIB	16ULL /* libkmm's smallest mem= */
#define DEFAULT_VMALLOC_MIN_MIB (32ULL << 10)
#define DEFAULT_VMALLOC_MAX_MIB (16384ULL << 10)

static unsigned long long min_ull(unsigned long long a, unsigned long long b)
{
	return a < b ? a : b;
}

/* default_mem_mib - mem= of the front end's default machine, in MiB (see the top). */
static unsigned long long default_mem_mib(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGESIZE);
	unsigned long long ram =
		pages > 0 && page_size > 0 ? (unsigned long long)pages * page_size : 0;
	unsigned long long mem = ((ram + (1ULL << 30) - 1) >> 30 << 30), left = host_as_left();

	if (mem < (1ULL << 30))
		mem = 1ULL << 30;
	mem = min_ull(mem, host_memcg_limit());
	mem = min_ull(mem, host_fsize_limit());
	if (left != HOST_UNLIMITED) {
		/* half of what is left, for mem= + vmalloc= (2 * mem=) + the thread stacks */
		unsigned long long stacks = machine_address_space(0, 0, 0, 1), half = left / 2;

		mem = min_ull(mem, half > stacks ? (half - stacks) / 3 : 0);
	}
	mem >>= 20;
	if (mem < DEFAULT_MEM_MIN_MIB)
		mem = DEFAULT_MEM_MIN_MIB;
	return min_ull(mem, DEFAULT_MEM_MAX_MIB);
}

/*
 * boot_cmdline - the defaults, then KMM_CMDLINE unless @defaults_only, in @buf;
 * KMM_CMDLINE alone if it is too long for @buf.
 */
static const char *boot_cmdline(char *buf, size_t len, bool defaults_only)
{
	unsigned long long mem_mib = default_mem_mib(), vmalloc_mib = 2 * mem_mib;
	const char *env = defaults_only ? NULL : getenv("KMM_CMDLINE");
	int n;

	/* a generous vmalloc area costs nothing, unless RLIMIT_AS counts it */
	if (vmalloc_mib < DEFAULT_VMALLOC_MIN_MIB && host_as_limit() == HOST_UNLIMITED)
		vmalloc_mib = DEFAULT_VMALLOC_MIN_MIB;
	vmalloc_mib = min_ull(vmalloc_mib, DEFAULT_VMALLOC_MAX_MIB);
	n = snprintf(buf, len, "mem=%lluM vmalloc=%lluM slab_max_order=3 %s", mem_mib, vmalloc_mib,
		     env ? env : "");
	if (n < 0 || (size_t)n >= len)
		return env;
	return buf;
}

static void boot_mutex_fork_prepare(void)
{
	pthread_mutex_lock(&boot_mutex);
}

static void boot_mutex_fork_parent(void)
{
	pthread_mutex_unlock(&boot_mutex);
}

static void boot_mutex_fork_child(void)
{
	pthread_mutex_init(&boot_mutex, NULL);
}

/* libkmm's fork handlers first: prepare handlers run in the reverse order. */
static void register_fork_handlers(void)
{
	kmm_fork_init();
	pthread_atfork(boot_mutex_fork_prepare, boot_mutex_fork_parent, boot_mutex_fork_child);
}

int malloc_boot(void)
{
	static pthread_once_t fork_handlers_once = PTHREAD_ONCE_INIT;
	static char cmdline[4096];
	int ret;

	if (kmm_likely(kmm_booted()))
		return 0;
	malloc_depth++;
	pthread_once(&fork_handlers_once, register_fork_handlers);
	pthread_mutex_lock(&boot_mutex);
	ret = boot_error;
	if (!ret && !kmm_booted()) {
		ret = kmm_init(boot_cmdline(cmdline, sizeof(cmdline), false));
		if (ret && ret != -EBUSY && getenv("KMM_CMDLINE")) {
			/* kmm_init() named the bad parameter or the limit; the program still needs a malloc */
			kmm_report("libkmm-malloc: KMM_CMDLINE refused, booting with the defaults");
			ret = kmm_init(boot_cmdline(cmdline, sizeof(cmdline), true));
		}
		if (ret == -EBUSY)
			ret = 0;
		if (ret) {
			boot_error = ret;
			kmm_report("libkmm-malloc: cannot boot the machine: %s; every allocation "
				   "fails from now on",
				   strerror(-ret));
		}
	}
	pthread_mutex_unlock(&boot_mutex);
	malloc_depth--;
	return ret;
}

static char bootstrap_arena[BOOTSTRAP_ARENA_SIZE] __attribute__((aligned(4096)));
static unsigned long bootstrap_used;

/* Each allocation of the arena is preceded by one of these. */
struct bootstrap_header {
	size_t size; /* bytes usable after the header */
	size_t pad;  /* keeps the allocation 16-byte aligned */
};

void *bootstrap_alloc(size_t size, size_t align)
{
	static int exhausted_said;
	unsigned long used = __atomic_load_n(&bootstrap_used, __ATOMIC_RELAXED), start, end;
	struct bootstrap_header *h;

	do {
		if (size > BOOTSTRAP_ARENA_SIZE || align > BOOTSTRAP_ARENA_SIZE)
			goto exhausted;
		start = (used + sizeof(*h) + align - 1) & ~(align - 1);
		end = (start + size + 15) & ~15UL;
		if (end > BOOTSTRAP_ARENA_SIZE)
			goto exhausted;
	} while (!__atomic_compare_exchange_n(&bootstrap_used, &used, end, true, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	h = (struct bootstrap_header *)(bootstrap_arena + start) - 1;
	h->size = end - start;
	return bootstrap_arena + start;
exhausted:
	/* a thread inside libkmm: no stdio, no report lock, one write */
	if (!__atomic_exchange_n(&exhausted_said, 1, __ATOMIC_RELAXED)) {
		static const char msg[] = "libkmm-malloc: the bootstrap arena is used up; "
					  "allocations made inside libkmm fail\n";

		(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
	}
	return NULL;
}

bool bootstrap_owns(const void *ptr)
{
	return (unsigned long)ptr - (unsigned long)bootstrap_arena < BOOTSTRAP_ARENA_SIZE;
}

size_t bootstrap_size(const void *ptr)
{
	return ((const struct bootstrap_header *)ptr - 1)->size;
}

static void *deferred_head;

void defer_free(void *obj)
{
	void *head = __atomic_load_n(&deferred_head, __ATOMIC_RELAXED);

	do
		*(void **)obj = head;
	while (!__atomic_compare_exchange_n(&deferred_head, &head, obj, true, __ATOMIC_RELEASE,
					    __ATOMIC_RELAXED));
}

void *take_deferred_frees(void)
{
	return __atomic_exchange_n(&deferred_head, NULL, __ATOMIC_ACQUIRE);
}

bool deferred_pending(void)
{
	return __atomic_load_n(&deferred_head, __ATOMIC_RELAXED) != NULL;
}
