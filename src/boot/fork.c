/* SPDX-License-Identifier: MIT */
/*
 * boot/fork.c - fork(): the child gets a machine of its own.
 *
 * Physical memory is a memfd mapped shared, so after a plain fork() parent
 * and child would allocate from one memory.  The pthread_atfork() handlers,
 * registered before the first boot takes the boot lock (so a fork() during
 * another thread's boot waits for it, and the child never inherits the lock
 * held), give the child a copy instead.
 *
 * The work is in the subsystems' fork steps (struct kmm_fork_ops, in the
 * lock order of enum kmm_fork_step, boot/subsys.h); this file runs them and
 * copies physical memory in between:
 *
 * prepare (the forking thread, before fork()):
 *   1. the boot lock (a fork with no machine booted stops here: nothing to do);
 *   2. every step's prepare, down the steps: the kmmstat server's lock (held
 *      for one non-blocking step at a time, never while waiting for a client),
 *      liburcu's call_rcu_before_fork(), slab_mutex, the shrinker list
 *      (read), page reporting's pr_lock, the vmalloc locks, kmap_lock,
 *      init_mm.page_table_lock; then KMM_FORK_CPUS takes every CPU over (its
 *      lock, its slab fast paths fenced off, their sequences in flight
 *      aborted), so no per-CPU cache is half-changed; then every node's
 *      list_lock and every zone lock.  Other threads go on running: their
 *      allocator calls wait for these locks until the parent hook;
 *   3. the copy: a new memfd of the same size gets the frames in use (holes
 *      skipped with SEEK_DATA/SEEK_HOLE, free buddy blocks and per-CPU pages
 *      skipped by their struct pages; all of them copied when page debugging
 *      keeps poison in free pages), by copy_file_range() between the two
 *      files, so HighMem frames, which have no direct map, are copied too;
 *   4. every step's copied hook, back up the steps: the zone counters are
 *      saved.  From here to the parent or child hook the forking thread
 *      holds every allocator lock, and a wait of its for one (a libkmm call
 *      from a pthread_atfork() handler registered before the first boot,
 *      which runs after libkmm's prepare) aborts with a report instead of
 *      hanging (kmm_lock_waits_forever, sync/lock.h).
 * parent: every step's parent hook, back up the steps; the new memfd closed.
 * child (one thread: the one that forked): the direct map is mapped anew
 *   from the new memfd, which takes the old one's descriptor number; the
 *   table's areas (vmalloc, PKMAP, kmap_local) are replaced by a fresh
 *   reservation and every present entry mirrored again from the page table
 *   (flush_tlb_kernel_range()), so nothing maps the parent's memory; then every
 *   step's child hook, back up the steps: the locks are initialised afresh
 *   (a step's hooks may need only the steps after it), every CPU's caches are
 *   the child's as they were (none belongs to a thread); the call_rcu
 *   thread, the kmmstat server, the slab reaper and page reporting start
 *   again; kswapd starts at its next wake-up.
 *
 * The guarantee (docs/design.md, "fork"): the child's machine is the parent's
 * at the copy; memory the forking thread owns has exactly its fork-time
 * contents; memory other threads write during the fork may show any mix of
 * old and new bytes (those threads do not exist in the child); allocations
 * they had in flight are leaked in the child.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <kmm/kmm.h>
#include "boot/limits.h"
#include "boot/machine.h"
#include "boot/subsys.h"
#include "buddy/internal.h"
#include "pagetable/internal.h"
#include "report/report.h"

/* What prepare leaves for the parent and child handlers. */
static struct {
	bool active;	      /* a machine is booted: the handlers have work */
	int newfd;	      /* the child's physical memory, or -1 */
	int err;	      /* errno of a failed copy (reported by the parent) */
	unsigned long copied; /* pages copied */
} fork_state = {.newfd = -1};

/* A bounce buffer for hosts without copy_file_range() between memfds. */
static char fork_bounce[1 << 16];

/* copy_range - bytes [@off, @off + @len) of @from into @to; 0 or -errno.  System calls only. */
static int copy_range(int from, int to, off_t off, size_t len)
{
	static bool no_copy_file_range;

	while (len) {
		off_t in = off, out = off;
		ssize_t n = -1;

		if (!no_copy_file_range) {
			n = copy_file_range(from, &in, to, &out, len, 0);
			if (n < 0 && (errno == ENOSYS || errno == EXDEV || errno == EINVAL ||
				      errno == EOPNOTSUPP)) {
				no_copy_file_range = true;
				continue;
			}
		} else {
			size_t chunk = len < sizeof(fork_bounce) ? len : sizeof(fork_bounce);

			n = pread(from, fork_bounce, chunk, off);
			if (n > 0)
				n = pwrite(to, fork_bounce, (size_t)n, off);
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		off += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * free_pages_at - how many pages from @pfn on are free and need no copy: a
 * buddy block, the head of a per-CPU block; 0 if @pfn is in use (or its
 * struct page is not initialised: then it is boot memory).
 */
static unsigned long free_pages_at(unsigned long pfn, struct zone **zonep)
{
	struct zone *zone = *zonep;
	struct page *page;

	if (!zone || !zone_spans_pfn(zone, pfn))
		zone = *zonep = pfn_zone(pfn);
	if (!zone || !memmap_chunk_ready(zone, pfn))
		return 0;
	page = pfn_to_page(pfn);
	if (PageBuddy(page))
		return 1UL << page->private;
	return PagePcp(page) ? 1 : 0;
}

/* copy_data_range - the pages in use among pfns [@start, @end), all with data. */
static int copy_data_range(int from, int to, unsigned long start, unsigned long end)
{
	unsigned long pfn = start, run = start;
	struct zone *zone = NULL;
	int ret = 0;

	while (pfn < end && !ret) {
		unsigned long skip = page_debug_enabled ? 0 : free_pages_at(pfn, &zone);

		if (!skip) {
			pfn++;
			continue;
		}
		if (pfn > run) {
			ret = copy_range(from, to, (off_t)PFN_PHYS(run), PFN_PHYS(pfn - run));
			fork_state.copied += pfn - run;
		}
		pfn += skip;
		run = pfn;
	}
	if (!ret && end > run) {
		ret = copy_range(from, to, (off_t)PFN_PHYS(run), PFN_PHYS(end - run));
		fork_state.copied += end - run;
	}
	return ret;
}

/* copy_physical_memory - a new memfd with the frames in use; its fd or -errno. */
static int copy_physical_memory(void)
{
	int from = kmm_machine.memfd, to, ret = 0;
	off_t pos = 0, size = (off_t)kmm_machine.mem_bytes;

	/* a file size limit lowered since boot: EFBIG, not SIGXFSZ (which would kill the parent) */
	if ((unsigned long long)size > host_fsize_limit())
		return -EFBIG;
	to = memfd_create("kmm-physmem", MFD_CLOEXEC);
	if (to < 0)
		return -errno;
	if (ftruncate(to, size) != 0)
		ret = -errno;
	while (!ret && pos < size) {
		off_t data = lseek(from, pos, SEEK_DATA), hole;

		if (data < 0) {
			ret = errno == ENXIO ? 0 : -errno;
			break;
		}
		hole = lseek(from, data, SEEK_HOLE);
		if (hole < 0) {
			ret = -errno;
			break;
		}
		ret = copy_data_range(from, to, PFN_DOWN(data), PFN_UP(hole));
		pos = hole;
	}
	if (ret) {
		close(to);
		return ret;
	}
	return to;
}

/* The four times a fork step runs. */
enum fork_phase { FORK_PREPARE, FORK_COPIED, FORK_PARENT, FORK_CHILD };

static void (*fork_hook(const struct kmm_fork_ops *ops, enum fork_phase phase))(void)
{
	switch (phase) {
	case FORK_PREPARE:
		return ops->prepare;
	case FORK_COPIED:
		return ops->copied;
	case FORK_PARENT:
		return ops->parent;
	case FORK_CHILD:
		break;
	}
	return ops->child;
}

/*
 * run_fork_steps - @phase's hook of every subsystem's fork ops, step by step:
 * prepare down the steps, the others back up; within a step, in boot order.
 */
static void run_fork_steps(enum fork_phase phase)
{
	const struct kmm_subsys *s;
	size_t i, f;
	int n;

	for (n = 0; n < NR_KMM_FORK_STEPS; n++) {
		int step = phase == FORK_PREPARE ? n : NR_KMM_FORK_STEPS - 1 - n;

		for_each_subsys(s, i) {
			for (f = 0; f < s->nr_fork; f++) {
				void (*fn)(void) = fork_hook(&s->fork[f], phase);

				if ((int)s->fork[f].step == step && fn)
					fn();
			}
		}
	}
}

static void fork_prepare(void)
{
	kmm_boot_lock_fork_prepare();
	fork_state.active = kmm_booted();
	if (!fork_state.active)
		return;
	run_fork_steps(FORK_PREPARE);
	fork_state.copied = 0;
	fork_state.newfd = copy_physical_memory();
	fork_state.err = fork_state.newfd < 0 ? -fork_state.newfd : 0;
	run_fork_steps(FORK_COPIED);
	kmm_lock_waits_forever = true;
}

static void fork_parent(void)
{
	kmm_lock_waits_forever = false;
	if (fork_state.active) {
		run_fork_steps(FORK_PARENT);
		if (fork_state.newfd >= 0)
			close(fork_state.newfd);
		fork_state.newfd = -1;
	}
	kmm_boot_lock_fork_parent();
	if (fork_state.active && fork_state.err)
		kmm_report("fork: cannot copy physical memory for the child: %s",
			   strerror(fork_state.err));
}

/* The child cannot go on sharing the parent's memory. */
static void __attribute__((noreturn)) fork_child_fail(const char *what)
{
	static const char msg[] = "kmm: fork: the child has no copy of physical memory (";
	static const char end[] = "); aborting\n";
	char line[256];
	size_t n = sizeof(msg) - 1, len = strlen(what);

	/* one write: the parent reports the same fork at the same time, on the same stderr */
	if (len > sizeof(line) - n - sizeof(end))
		len = sizeof(line) - n - sizeof(end);
	memcpy(line, msg, n);
	memcpy(line + n, what, len);
	memcpy(line + n + len, end, sizeof(end) - 1);
	(void)!write(2, line, n + len + sizeof(end) - 1);
	abort();
}

/*
 * switch_physical_memory - map the direct map and every mirror of the table
 * from @newfd, which replaces the old memfd (and takes its number).
 */
static void switch_physical_memory(int newfd)
{
	unsigned long top = kmm_kmap_local_end ? kmm_kmap_local_end : VMALLOC_END;
	void *map;

	map = mmap((void *)PAGE_OFFSET, kmm_direct_map_bytes, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_FIXED | MAP_NORESERVE, newfd, 0);
	if (map == MAP_FAILED)
		fork_child_fail("mapping the direct map failed");
	if (dup3(newfd, kmm_machine.memfd, O_CLOEXEC) < 0)
		fork_child_fail("dup3 failed");
	close(newfd);
	if (VMALLOC_START) {
		/* Revoked and stale mirrors still map the old memfd: drop them all. */
		map = mmap((void *)VMALLOC_START, top - VMALLOC_START, PROT_NONE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
		if (map == MAP_FAILED)
			fork_child_fail("replacing the vmalloc area failed");
		flush_tlb_kernel_range(VMALLOC_START, top);
	}
}

static void fork_child(void)
{
	kmm_lock_waits_forever = false;
	kmm_report_fork_child();
	if (!fork_state.active) {
		kmm_boot_lock_fork_child();
		return;
	}
	if (fork_state.newfd < 0)
		fork_child_fail(strerror(fork_state.err));
	switch_physical_memory(fork_state.newfd);
	fork_state.newfd = -1;
	run_fork_steps(FORK_CHILD);
	kmm_boot_lock_fork_child();
}

static void register_fork_handlers(void)
{
	pthread_atfork(fork_prepare, fork_parent, fork_child);
}

void kmm_fork_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, register_fork_handlers);
}
