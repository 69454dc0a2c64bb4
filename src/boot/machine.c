/* SPDX-License-Identifier: MIT */
/*
 * boot/machine.c - booting and tearing down the emulated machine.
 *
 * kmm_init() parses the command line, creates physical memory (a memfd) and
 * the direct map, reserves the memmap and the pageblock types with memblock,
 * lays out nodes and zones, and hands over to the buddy allocator and the
 * per-CPU layer.  kmm_exit() undoes all of it.  Also here: the kmm_show()
 * registry of /proc-style files.
 *
 * Host limits.  Before anything is created, boot checks that the machine fits
 * the process's limits (boot/limits.h): mem= within RLIMIT_FSIZE, which a
 * bigger memfd would break with SIGXFSZ, and the whole machine's address
 * space within what RLIMIT_AS leaves; a machine that does not fit is refused
 * with one line naming kmm_init, the parameters and the limit.  vmalloc=,
 * when not given, is 32G or what the address-space limit leaves for it.
 *
 * Locking: boot_lock serialises boot and teardown.  kmm_machine.booted is
 * read without the lock (an acquire load) by the allocation slow paths.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <kmm/kmm.h>
#include "boot/cmdline.h"
#include "boot/limits.h"
#include "boot/machine.h"
#include "buddy/internal.h"
#include "fault/fault_inject.h"
#include "highmem/highmem.h"
#include "kmalloc/kmalloc.h"
#include "pagetable/internal.h"
#include "percpu/percpu.h"
#include "report/report.h"
#include "slab/slab.h"
#include "stat/stat.h"
#include "vmalloc/vmalloc.h"

struct kmm_machine kmm_machine = {.memfd = -1};
unsigned long kmm_page_offset;
struct page *kmm_vmemmap;
unsigned long kmm_max_pfn, kmm_max_low_pfn;
struct pglist_data *kmm_node_data[MAX_NUMNODES];
int kmm_nr_online_nodes = 1;
unsigned long kmm_direct_map_bytes;

static struct pglist_data node_data_storage[MAX_NUMNODES];
static pthread_mutex_t boot_lock = PTHREAD_MUTEX_INITIALIZER;

#define DIRECT_MAP_ALIGN    (1UL << 30)
/* highmem= must leave this much lowmem (the smallest mem=). */
#define MIN_LOWMEM_BYTES    (16ULL << 20)
/* vmalloc= when not given: address space only, a generous default costs nothing... */
#define VMALLOC_DEFAULT	    (32ULL << 30)
/* ...unless RLIMIT_AS counts it: then at most half of what the rest of the machine leaves */
#define VMALLOC_MIN_DEFAULT (16ULL << 20)

bool kmm_booted(void)
{
	return __atomic_load_n(&kmm_machine.booted, __ATOMIC_ACQUIRE);
}

static void *reserve(void *addr, size_t len, int flags)
{
	return mmap(addr, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | flags, -1,
		    0);
}

/* Aligned addresses reserve_aligned() tries near a free range, before over-reserving. */
#define RESERVE_TRIES 4

void *reserve_aligned(size_t len, size_t align)
{
	unsigned long res, start, free_at;
	void *map = reserve(NULL, len, 0);
	int i;

	if (map == MAP_FAILED || !((unsigned long)map & (align - 1)))
		return map;
	/*
	 * Mappings grow down from the top: around a free range the space is
	 * usually free too, so try the aligned address above it, then those
	 * below, each at exactly @len.
	 */
	munmap(map, len);
	free_at = (unsigned long)map;
	for (i = 0; i < RESERVE_TRIES; i++) {
		start = (free_at & ~(align - 1)) + align - (unsigned long)i * align;
		if (start > free_at + align || start < align)
			break; /* below address 0 */
		map = reserve((void *)start, len, MAP_FIXED_NOREPLACE);
		if (map == (void *)start)
			return map;
		/* a kernel without MAP_FIXED_NOREPLACE takes the address as a hint */
		if (map != MAP_FAILED)
			munmap(map, len);
	}
	/* Over-reserve by the alignment, keep exactly [start, start + len). */
	map = reserve(NULL, len + align, 0);
	if (map == MAP_FAILED)
		return map;
	res = (unsigned long)map;
	start = (res + align - 1) & ~(align - 1);
	if (start > res)
		munmap(map, start - res);
	if (res + align > start)
		munmap((void *)(start + len), res + align - start);
	return (void *)start;
}

/*
 * Physical memory and the direct map: a memfd of @bytes, of which the first
 * @lowmem_bytes are mapped at PAGE_OFFSET.  With highmem=, the frames above
 * stay in the memfd, reachable only through page-table entries (kmap, vmap).
 */
static int map_physical_memory(phys_addr_t bytes, phys_addr_t lowmem_bytes)
{
	struct kmm_machine *m = &kmm_machine;
	void *res, *map;
	int ret;

	m->memfd = memfd_create("kmm-physmem", MFD_CLOEXEC);
	if (m->memfd < 0)
		return -errno;
	/* EFBIG (with SIGXFSZ ignored) only if RLIMIT_FSIZE shrank since the check */
	if (ftruncate(m->memfd, (off_t)bytes) != 0)
		goto fail;
	res = reserve_aligned(lowmem_bytes, DIRECT_MAP_ALIGN);
	if (res == MAP_FAILED)
		goto fail;
	m->reservation = res;
	m->reservation_len = lowmem_bytes;
	map = mmap(res, lowmem_bytes, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_FIXED | MAP_NORESERVE, m->memfd, 0);
	if (map == MAP_FAILED)
		goto fail;
	kmm_page_offset = (unsigned long)res;
	return 0;
fail:
	ret = -errno;
	if (m->reservation)
		munmap(m->reservation, m->reservation_len);
	m->reservation = NULL;
	close(m->memfd);
	m->memfd = -1;
	return ret;
}

static void unmap_physical_memory(void)
{
	struct kmm_machine *m = &kmm_machine;

	if (m->reservation)
		munmap(m->reservation, m->reservation_len);
	if (m->memfd >= 0)
		close(m->memfd);
	m->reservation = NULL;
	m->memfd = -1;
	kmm_page_offset = 0;
}

static const char *const zone_names[MAX_NR_ZONES] = {"DMA", "DMA32", "Normal", "HighMem"};

static unsigned long clamp_pfn(unsigned long v, unsigned long lo, unsigned long hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/*
 * Nodes of equal size (whole sections), zones cut at the x86-64 boundaries;
 * the lowmem zones end at kmm_max_low_pfn and ZONE_HIGHMEM takes the rest (empty
 * without highmem=).
 */
static void layout_nodes(int nr_nodes)
{
	unsigned long per_node = (kmm_max_pfn / (unsigned long)nr_nodes) & ~(PAGES_PER_SECTION - 1);
	static const unsigned long zone_limit[MAX_NR_ZONES] = {MAX_DMA_PFN, MAX_DMA32_PFN, ~0UL,
							       ~0UL};
	int nid, zid;

	kmm_nr_online_nodes = nr_nodes;
	for (nid = 0; nid < nr_nodes; nid++) {
		pg_data_t *pgdat = &node_data_storage[nid];
		unsigned long start = per_node * (unsigned long)nid;
		unsigned long end = nid == nr_nodes - 1 ? kmm_max_pfn : start + per_node;
		unsigned long zone_lo = 0;

		memset(pgdat, 0, sizeof(*pgdat));
		kmm_node_data[nid] = pgdat;
		pgdat->node_id = nid;
		pgdat->node_start_pfn = start;
		pgdat->node_spanned_pages = end - start;
		pgdat->node_present_pages = end - start;
		for (zid = 0; zid < MAX_NR_ZONES; zid++) {
			struct zone *zone = &pgdat->node_zones[zid];
			unsigned long lo, hi, limit = zone_limit[zid];

			if (zid != ZONE_HIGHMEM && limit > kmm_max_low_pfn)
				limit = kmm_max_low_pfn;
			lo = clamp_pfn(zone_lo, start, end);
			hi = clamp_pfn(limit, start, end);
			zone_lo = limit;
			zone->name = zone_names[zid];
			zone->node = nid;
			zone->zone_idx = zid;
			zone->zone_pgdat = pgdat;
			zone->zone_start_pfn = lo;
			zone->spanned_pages = hi - lo;
			zone->present_pages = hi - lo;
			zone->managed_pages = (hi - lo) - memblock_reserved_pages(lo, hi);
			zone->deferred_pfn = lo;
			if (zone->present_pages)
				pgdat->nr_zones = zid + 1;
		}
	}
	for (; nid < MAX_NUMNODES; nid++)
		kmm_node_data[nid] = NULL;
}

struct zone *pfn_zone(unsigned long pfn)
{
	int nid, zid;

	for (nid = 0; nid < kmm_nr_online_nodes; nid++) {
		for (zid = 0; zid < MAX_NR_ZONES; zid++) {
			struct zone *zone = &NODE_DATA(nid)->node_zones[zid];

			if (zone_spans_pfn(zone, pfn))
				return zone;
		}
	}
	return NULL;
}

static void reserve_boot_memory(void)
{
	struct kmm_machine *m = &kmm_machine;
	phys_addr_t memmap_bytes = (phys_addr_t)kmm_max_pfn * sizeof(struct page);
	phys_addr_t types_bytes = PAGE_ALIGN((kmm_max_pfn >> pageblock_order) + 1);
	phys_addr_t at;

	m->nr_reserved = 0;
	/* memblock allocates from lowmem only: it is used through the direct map. */
	m->memblock_top = PFN_PHYS(kmm_max_low_pfn);
	/* Page 0 stays reserved, as the kernel keeps it for the BIOS. */
	memblock_reserve(0, PAGE_SIZE, "BIOS page 0");
	at = memblock_alloc(PAGE_ALIGN(memmap_bytes), 2UL << 20, "memmap");
	kmm_vmemmap = __va(at);
	at = memblock_alloc(types_bytes, PAGE_SIZE, "pageblock types");
	m->pageblock_types = __va(at);
	/* All pageblocks start movable, as the kernel's memmap_init() leaves them. */
	memset(m->pageblock_types, MIGRATE_MOVABLE, types_bytes);
	memset(m->section_ready, 0, sizeof(m->section_ready));
}

/* shutdown_machine - undo a whole boot: subsystems, CPUs, memory.  boot_lock held. */
static void shutdown_machine(void)
{
	kmm_stat_stop();
	kmm_slab_exit();
	kmalloc_exit();
	highmem_exit();
	buddy_exit();
	pcpu_alloc_exit();
	kmm_percpu_exit();
	__atomic_store_n(&kmm_machine.booted, false, __ATOMIC_RELEASE);
	pagetable_exit();
	unmap_physical_memory();
	kmm_vmemmap = NULL;
	kmm_max_pfn = kmm_max_low_pfn = 0;
	kmm_direct_map_bytes = 0;
}

/*
 * fit_host_limits - size the default vmalloc area, then refuse (with a report)
 * a machine the process's limits cannot hold.  Return: 0, -EFBIG or -ENOMEM.
 */
static int fit_host_limits(struct kmm_params *p)
{
	unsigned long long fsize = host_fsize_limit(), left = host_as_left(), need;

	if (p->mem > fsize) {
		kmm_report("kmm_init: mem=%lluM is above the file size limit (RLIMIT_FSIZE, "
			   "ulimit -f) of %llu bytes, refused",
			   p->mem >> 20, fsize);
		return -EFBIG;
	}
	if (!p->vmalloc) {
		p->vmalloc = VMALLOC_DEFAULT;
		if (left != HOST_UNLIMITED) {
			need = machine_address_space(p->mem, p->highmem, 0, p->numa_fake);
			need = need < left ? (left - need) / 2 & ~((1ULL << 20) - 1) : 0;
			if (need < p->vmalloc)
				p->vmalloc =
					need > VMALLOC_MIN_DEFAULT ? need : VMALLOC_MIN_DEFAULT;
		}
	}
	need = machine_address_space(p->mem, p->highmem, p->vmalloc, p->numa_fake);
	if (need > left) {
		kmm_report(
			"kmm_init: mem=%lluM vmalloc=%lluM need %lluM of address space, %lluM left "
			"under the address-space limit (RLIMIT_AS, ulimit -v) of %llu bytes, "
			"refused",
			p->mem >> 20, p->vmalloc >> 20, need >> 20, left >> 20, host_as_limit());
		return -ENOMEM;
	}
	return 0;
}

static int boot(const char *cmdline)
{
	struct kmm_params params;
	int ret;

	ret = kmm_parse_cmdline(cmdline, &params);
	if (ret)
		return ret;
	if (params.numa_fake > 1 &&
	    (params.mem >> SECTION_SIZE_BITS) < (unsigned)params.numa_fake) {
		kmm_report("kmm_init: numa=fake=%d needs at least 128M per node (mem=%lluM)",
			   params.numa_fake, params.mem >> 20);
		return -EINVAL;
	}
	params.highmem &= PAGE_MASK;
	if (params.highmem && params.highmem + MIN_LOWMEM_BYTES > (params.mem & PAGE_MASK)) {
		kmm_report("kmm_init: highmem=%lluM leaves less than %lluM of lowmem (mem=%lluM)",
			   params.highmem >> 20, MIN_LOWMEM_BYTES >> 20, params.mem >> 20);
		return -EINVAL;
	}
	ret = fit_host_limits(&params);
	if (ret)
		return ret;
	kmm_params = params;
	kmm_panic_on_warn = params.panic_on_warn;
	kmm_machine.mem_bytes = params.mem & PAGE_MASK;
	ret = map_physical_memory(kmm_machine.mem_bytes, kmm_machine.mem_bytes - params.highmem);
	if (ret) {
		kmm_report("kmm_init: cannot create %llu MiB of physical memory: %s",
			   (unsigned long long)kmm_machine.mem_bytes >> 20, strerror(-ret));
		return ret;
	}
	kmm_max_pfn = PFN_DOWN(kmm_machine.mem_bytes);
	kmm_max_low_pfn = PFN_DOWN(kmm_machine.mem_bytes - params.highmem);
	kmm_direct_map_bytes = kmm_max_low_pfn << PAGE_SHIFT;
	reserve_boot_memory();
	layout_nodes(params.numa_fake);
	buddy_init();
	ret = kmm_percpu_init();
	if (!ret) {
		ret = pagetable_init(params.vmalloc, params.highmem != 0);
		if (ret)
			kmm_percpu_exit();
	}
	if (ret) {
		buddy_exit();
		unmap_physical_memory();
		return ret;
	}
	vmalloc_init();
	__atomic_store_n(&kmm_machine.booted, true, __ATOMIC_RELEASE);
	ret = highmem_init();
	if (ret) {
		kmm_report("kmm_init: cannot make the kmap page tables: %s", strerror(-ret));
		shutdown_machine();
		return ret;
	}
	slab_debug_setup();
	ret = create_kmalloc_caches();
	if (!ret)
		ret = vmalloc_caches_init();
	if (ret) {
		kmm_report("kmm_init: cannot create the kmalloc and vmalloc caches: %s",
			   strerror(-ret));
		shutdown_machine();
		return ret;
	}
	/* failslab=, fail_page_alloc=: from here on, for the program's allocations only */
	fault_inject_arm();
	if (params.kmmstat)
		kmm_stat_start();
	return 0;
}

/* boot/fork.c holds the boot lock across fork(); the child starts with a fresh one. */
void kmm_boot_lock_fork_prepare(void)
{
	pthread_mutex_lock(&boot_lock);
}

void kmm_boot_lock_fork_parent(void)
{
	pthread_mutex_unlock(&boot_lock);
}

void kmm_boot_lock_fork_child(void)
{
	pthread_mutex_init(&boot_lock, NULL);
}

/*
 * The implicit boot that failed, under boot_lock: the first call's report
 * said why, so the next calls with the same KMM_CMDLINE fail with the same
 * error and no new report (a program that retries in a loop gets one line).
 * A different KMM_CMDLINE, or kmm_init(), boots afresh.
 */
static struct {
	int error;	   /* -errno of the failed boot; 0: none failed */
	char cmdline[256]; /* its KMM_CMDLINE */
} default_boot_failed;

/*
 * The fork handlers are registered before the first boot takes the boot lock:
 * a fork() while another thread boots then waits for the boot to end, instead
 * of leaving the child a boot lock that nobody will ever release.
 */
int kmm_init(const char *cmdline)
{
	int ret;

	kmm_fork_init();
	pthread_mutex_lock(&boot_lock);
	ret = kmm_booted() ? -EBUSY : boot(cmdline);
	if (!ret)
		default_boot_failed.error = 0;
	pthread_mutex_unlock(&boot_lock);
	return ret;
}

int kmm_boot_default(void)
{
	const char *env = getenv("KMM_CMDLINE");
	int ret = 0;

	if (!env)
		env = "";
	kmm_fork_init();
	pthread_mutex_lock(&boot_lock);
	if (kmm_booted())
		goto out;
	if (default_boot_failed.error && !strcmp(default_boot_failed.cmdline, env)) {
		ret = default_boot_failed.error;
		goto out;
	}
	ret = boot(env);
	default_boot_failed.error = strlen(env) < sizeof(default_boot_failed.cmdline) ? ret : 0;
	if (ret)
		snprintf(default_boot_failed.cmdline, sizeof(default_boot_failed.cmdline), "%s",
			 env);
out:
	pthread_mutex_unlock(&boot_lock);
	return ret;
}

void kmm_exit(void)
{
	pthread_mutex_lock(&boot_lock);
	if (kmm_booted())
		shutdown_machine();
	pthread_mutex_unlock(&boot_lock);
}

/* kmm_show: every /proc-style file of every subsystem. */
static const struct {
	const char *name;
	void (*show)(FILE *out);
} show_files[] = {
	{"buddyinfo", show_buddyinfo}, {"pagetypeinfo", show_pagetypeinfo},
	{"zoneinfo", show_zoneinfo},   {"meminfo", show_meminfo},
	{"slabinfo", show_slabinfo},   {"vmallocinfo", show_vmallocinfo},
	{"physmap", show_physmap},     {"physmap.svg", show_physmap_svg},
};

int kmm_show(const char *file, FILE *out)
{
	size_t i;

	for (i = 0; file && i < sizeof(show_files) / sizeof(show_files[0]); i++) {
		if (strcmp(show_files[i].name, file))
			continue;
		if (!kmm_booted() && kmm_boot_default() != 0)
			return -ENODEV;
		show_files[i].show(out);
		return 0;
	}
	return -ENOENT;
}

void kmm_drop_caches(void)
{
	if (!kmm_booted())
		return;
	drop_slab();
	vm_unmap_aliases();
	/* last: the slab pages and ranges just freed wait on this CPU's page lists */
	kmm_drain_all();
}
