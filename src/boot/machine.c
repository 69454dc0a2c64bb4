/* SPDX-License-Identifier: MIT */
/*
 * boot/machine.c - the emulated machine: its parameters (mem=, numa=fake=,
 * vmalloc=, highmem=), physical memory (a memfd) and the direct map, the
 * memblock reservations of the memmap, the slab map and the pageblock
 * types, the layout of nodes and zones, and whether a machine is booted.
 * Its init is the first step of a boot after the report layer
 * (boot/subsys.c); its exit the last.
 *
 * Host limits.  Before anything is created, boot checks that the machine fits
 * the process's limits (boot/limits.h): mem= within RLIMIT_FSIZE, which a
 * bigger memfd would break with SIGXFSZ, and the whole machine's address
 * space within what RLIMIT_AS leaves; a machine that does not fit is refused
 * with one line naming kmm_init, the parameters and the limit.  vmalloc=,
 * when not given, is 32G or what the address-space limit leaves for it.
 *
 * Locking: init and exit run under the boot lock (boot/boot.c).
 * kmm_machine.booted is read without it (an acquire load) by the
 * allocation slow paths.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <kmm/kmm.h>
#include "boot/limits.h"
#include "boot/machine.h"
#include "boot/subsys.h"
#include "report/report.h"

struct kmm_machine kmm_machine = {.memfd = -1};
unsigned long kmm_page_offset;
struct page *kmm_vmemmap;
struct kmm_slab_map_entry *kmm_slab_map;
unsigned long kmm_max_pfn, kmm_max_low_pfn;
struct pglist_data *kmm_node_data[MAX_NUMNODES];
int kmm_nr_online_nodes = 1;
unsigned long kmm_direct_map_bytes;

static struct pglist_data node_data_storage[MAX_NUMNODES];

/* The machine's parameters (machine_params below). */
static unsigned long long param_mem, param_vmalloc, param_highmem;
static int param_numa_fake;

#define MEM_DEFAULT	    (1ULL << 30)
#define MEM_MIN		    (16ULL << 20)
#define MEM_MAX		    (4ULL << 40)
#define VMALLOC_MIN	    (1ULL << 20)
#define VMALLOC_MAX	    (16ULL << 40)
#define DIRECT_MAP_ALIGN    (1UL << 30)
/* highmem= must leave this much lowmem (the smallest mem=). */
#define MIN_LOWMEM_BYTES    (16ULL << 20)
/* vmalloc= when not given: address space only, a generous default costs nothing... */
#define VMALLOC_DEFAULT	    (32ULL << 30)
/* ...unless RLIMIT_AS counts it: then at most half of what the rest of the machine leaves */
#define VMALLOC_MIN_DEFAULT (16ULL << 20)

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
	phys_addr_t slab_map_bytes =
		(phys_addr_t)kmm_max_low_pfn * sizeof(struct kmm_slab_map_entry);
	phys_addr_t nr_types = (kmm_max_pfn >> pageblock_order) + 1;
	phys_addr_t nr_chunks = (kmm_max_pfn >> MEMMAP_CHUNK_SHIFT) + 1;
	phys_addr_t types_bytes = PAGE_ALIGN(nr_types + nr_chunks);
	phys_addr_t at;

	m->nr_reserved = 0;
	/* memblock allocates from lowmem only: it is used through the direct map. */
	m->memblock_top = PFN_PHYS(kmm_max_low_pfn);
	/* Page 0 stays reserved, as the kernel keeps it for the BIOS. */
	memblock_reserve(0, PAGE_SIZE, "BIOS page 0");
	at = memblock_alloc(PAGE_ALIGN(memmap_bytes), 2UL << 20, "memmap");
	kmm_vmemmap = __va(at);
	/* zero, as the memfd is: no page is a slab's yet */
	at = memblock_alloc(PAGE_ALIGN(slab_map_bytes), PAGE_SIZE, "slab map");
	kmm_slab_map = __va(at);
	at = memblock_alloc(types_bytes, PAGE_SIZE, "pageblock types");
	m->pageblock_types = __va(at);
	/* All pageblocks start movable, as the kernel's memmap_init() leaves them. */
	memset(m->pageblock_types, MIGRATE_MOVABLE, nr_types);
	m->memmap_ready = m->pageblock_types + nr_types;
	memset(m->memmap_ready, 0, nr_chunks);
}

/*
 * fit_host_limits - size the default vmalloc area, then refuse (with a report)
 * a machine the process's limits cannot hold.  Return: 0, -EFBIG or -ENOMEM.
 */
static int fit_host_limits(void)
{
	unsigned long long fsize = host_fsize_limit(), left = host_as_left(), need;
	unsigned long long vmalloc = param_vmalloc;

	if (param_mem > fsize) {
		kmm_report("kmm_init: mem=%lluM is above the file size limit (RLIMIT_FSIZE, "
			   "ulimit -f) of %llu bytes, refused",
			   param_mem >> 20, fsize);
		return -EFBIG;
	}
	if (!vmalloc) {
		vmalloc = VMALLOC_DEFAULT;
		if (left != HOST_UNLIMITED) {
			need = machine_address_space(param_mem, param_highmem, 0, param_numa_fake);
			need = need < left ? (left - need) / 2 & ~((1ULL << 20) - 1) : 0;
			if (need < vmalloc)
				vmalloc = need > VMALLOC_MIN_DEFAULT ? need : VMALLOC_MIN_DEFAULT;
		}
	}
	need = machine_address_space(param_mem, param_highmem, vmalloc, param_numa_fake);
	if (need > left) {
		kmm_report(
			"kmm_init: mem=%lluM vmalloc=%lluM need %lluM of address space, %lluM left "
			"under the address-space limit (RLIMIT_AS, ulimit -v) of %llu bytes, "
			"refused",
			param_mem >> 20, vmalloc >> 20, need >> 20, left >> 20, host_as_limit());
		return -ENOMEM;
	}
	kmm_machine.vmalloc_bytes = vmalloc;
	return 0;
}

/* The machine's init: check the parameters against each other and the host, then build it. */
static int machine_init(void)
{
	phys_addr_t highmem = param_highmem & PAGE_MASK;
	int ret;

	if (param_numa_fake > 1 && (param_mem >> SECTION_SIZE_BITS) < (unsigned)param_numa_fake) {
		kmm_report("kmm_init: numa=fake=%d needs at least 128M per node (mem=%lluM)",
			   param_numa_fake, param_mem >> 20);
		return -EINVAL;
	}
	if (highmem && highmem + MIN_LOWMEM_BYTES > (param_mem & PAGE_MASK)) {
		kmm_report("kmm_init: highmem=%lluM leaves less than %lluM of lowmem (mem=%lluM)",
			   (unsigned long long)highmem >> 20, MIN_LOWMEM_BYTES >> 20,
			   param_mem >> 20);
		return -EINVAL;
	}
	ret = fit_host_limits();
	if (ret)
		return ret;
	kmm_machine.mem_bytes = param_mem & PAGE_MASK;
	ret = map_physical_memory(kmm_machine.mem_bytes, kmm_machine.mem_bytes - highmem);
	if (ret) {
		kmm_report("kmm_init: cannot create %llu MiB of physical memory: %s",
			   (unsigned long long)kmm_machine.mem_bytes >> 20, strerror(-ret));
		return ret;
	}
	kmm_max_pfn = PFN_DOWN(kmm_machine.mem_bytes);
	kmm_max_low_pfn = PFN_DOWN(kmm_machine.mem_bytes - highmem);
	kmm_direct_map_bytes = kmm_max_low_pfn << PAGE_SHIFT;
	reserve_boot_memory();
	layout_nodes(param_numa_fake);
	return 0;
}

static void machine_exit(void)
{
	unmap_physical_memory();
	kmm_vmemmap = NULL;
	kmm_slab_map = NULL;
	kmm_max_pfn = kmm_max_low_pfn = 0;
	kmm_direct_map_bytes = 0;
	kmm_machine.vmalloc_bytes = 0;
}

static bool parse_numa(const struct kmm_param *p, const char *val)
{
	char *end;
	long n;

	if (!val || strncmp(val, "fake=", 5) || !val[5])
		return false;
	errno = 0;
	n = strtol(val + 5, &end, 0);
	if (errno || *end || n < 1 || n > MAX_NUMNODES)
		return false;
	*(int *)p->var = (int)n;
	return true;
}

static void numa_default(const struct kmm_param *p)
{
	*(int *)p->var = 1;
}

static const struct kmm_param machine_params[] = {
	KMM_PARAM_SIZE_VAR("mem", param_mem, MEM_DEFAULT, MEM_MIN, MEM_MAX, "512M",
			   "bytes of physical memory (one memfd)"),
	KMM_PARAM_CUSTOM_VAR("numa", param_numa_fake, parse_numa, numa_default, "fake=1",
			     "fake=N with N from 1 to 8",
			     "numa=fake=N: N nodes of equal size, at least 128M each"),
	{.name = "vmalloc",
	 .kind = KMM_PARAM_SIZE,
	 .var = &param_vmalloc,
	 .min = (long long)VMALLOC_MIN,
	 .max = (long long)VMALLOC_MAX,
	 .str_def = "32G, or half of what RLIMIT_AS leaves",
	 .example = "32G",
	 .help = "address space of the vmalloc area"},
	{.name = "highmem",
	 .kind = KMM_PARAM_SIZE,
	 .var = &param_highmem,
	 .max = (long long)MEM_MAX,
	 .accepts = "a size below mem= minus 16M, e.g. highmem=64M",
	 .help = "bytes at the top of memory for ZONE_HIGHMEM, outside the direct map"},
};

const struct kmm_subsys kmm_machine_subsys = {
	.name = "machine",
	KMM_SUBSYS_PARAMS(machine_params),
	.init = machine_init,
	.exit = machine_exit,
};

/*
 * The thread that boots the machine sees it booted from the first init on:
 * its own allocations (page tables, the boot caches) must not wait for the
 * boot lock it holds.  Every other thread waits for the whole boot.
 */
__thread bool kmm_booting_thread __attribute__((tls_model("initial-exec")));

bool kmm_booted(void)
{
	return kmm_machine_booted();
}

void kmm_machine_set_booting(bool booting)
{
	kmm_booting_thread = booting;
}

void kmm_machine_set_booted(bool booted)
{
	__atomic_store_n(&kmm_machine.booted, booted, __ATOMIC_RELEASE);
}
