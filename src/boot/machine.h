/* SPDX-License-Identifier: MIT */
/*
 * boot/machine.h - the emulated machine: physical memory, memblock, sections,
 * nodes and zones.  The boot sequence is boot/boot.c's loop over boot/subsys.c.
 *
 * Physical memory is one memfd of mem= bytes.  The direct map maps all of it
 * (with highmem=, all but the top highmem= bytes: pfns below kmm_max_low_pfn),
 * shared, at a 1 GiB aligned base (PAGE_OFFSET), so a physical address is an
 * offset into the memfd and __pa()/__va() are a subtraction and an addition.
 * A second mapping of the same frames elsewhere (vmalloc, kmap) sees the same
 * bytes.  memblock allocates from lowmem; the memmap covers every pfn.
 *
 * Boot-time allocations (the memmap, the pageblock types) come from memblock,
 * top down, and stay reserved.  The memmap is not written at boot: each
 * chunk (PAGES_PER_MEMMAP_CHUNK, 4 MiB of frames) of a zone is initialised the
 * first time the zone's free lists run dry, so booting mem=64G touches almost
 * nothing and a small program pays only for the struct pages near what it
 * uses.  The pages of a chunk not yet initialised are free and counted as free.
 *
 * Locking: the boot lock (boot/boot.c) serialises kmm_init(), kmm_exit() and
 * the implicit boot of the first allocation.  The machine state below is
 * written only at boot, then read without locks.
 */
#ifndef KMM_BOOT_MACHINE_H
#define KMM_BOOT_MACHINE_H

#include <stdio.h>
#include <kmm/kmm.h>
#include <kmm/mm.h>
#include <kmm/mmzone.h>

#define SECTION_SIZE_BITS	  27
#define PAGES_PER_SECTION	  (1UL << (SECTION_SIZE_BITS - PAGE_SHIFT))
#define PFN_SECTION_ALIGN_UP(pfn) (((pfn) + PAGES_PER_SECTION - 1) & ~(PAGES_PER_SECTION - 1))

/* Zone boundaries of x86-64, in pfns. */
#define MAX_DMA_PFN   ((16UL << 20) >> PAGE_SHIFT)
#define MAX_DMA32_PFN ((4UL << 30) >> PAGE_SHIFT)

/*
 * The memmap is initialised a chunk at a time: the frames of a largest buddy
 * block (4 MiB), whose struct pages take 64 KiB.
 */
#define MEMMAP_CHUNK_SHIFT     MAX_PAGE_ORDER
#define PAGES_PER_MEMMAP_CHUNK (1UL << MEMMAP_CHUNK_SHIFT)

#define MEMBLOCK_MAX_RESERVED 32

struct memblock_region {
	phys_addr_t base; /* first byte */
	phys_addr_t size; /* bytes */
	const char *what; /* who reserved it, for reports */
};

struct kmm_machine {
	int memfd;	   /* the physical memory object */
	void *reservation; /* the direct map's address space, exactly its size */
	size_t reservation_len;
	phys_addr_t mem_bytes; /* bytes of physical memory */
	/* memblock: reserved ranges, kept after boot to initialise sections */
	struct memblock_region reserved[MEMBLOCK_MAX_RESERVED];
	int nr_reserved;
	phys_addr_t memblock_top; /* top-down allocation cursor */
	/* migrate type of every pageblock, indexed by pfn >> pageblock_order (in memblock) */
	unsigned char *pageblock_types;
	/*
	 * per memmap chunk, a bit per zone index: that zone's part of the chunk is
	 * initialised (in memblock, after the pageblock types)
	 */
	unsigned char *memmap_ready;
	/* vmalloc=, or the default boot sized for the host's limits */
	unsigned long long vmalloc_bytes;
	bool booted;
};

extern struct kmm_machine kmm_machine;

/* pfn_zone - the zone @pfn belongs to, from the zone spans (not from struct page). */
struct zone *pfn_zone(unsigned long pfn);

/*
 * reserve_aligned - @len bytes of address space (PROT_NONE, MAP_NORESERVE) at
 * an @align-aligned address (a power of two), without keeping the slack:
 * under RLIMIT_AS a reservation costs what it maps.  MAP_FAILED if refused.
 */
void *reserve_aligned(size_t len, size_t align);

/*
 * kmm_boot_default - boot from KMM_CMDLINE unless a machine runs; 0 or -errno.
 * A failure is reported once: the next calls with the same KMM_CMDLINE get
 * the same -errno without booting again (boot/machine.c).
 */
int kmm_boot_default(void);

/* Set while the calling thread boots the machine (machine.c: it sees the machine booted). */
extern __thread bool kmm_booting_thread __attribute__((tls_model("initial-exec")));

/* kmm_machine_booted - kmm_booted(), inline for libkmm's own paths. */
static kmm_always_inline bool kmm_machine_booted(void)
{
	return __atomic_load_n(&kmm_machine.booted, __ATOMIC_ACQUIRE) || kmm_booting_thread;
}

/*
 * kmm_machine_up - true when a machine runs, booted now from KMM_CMDLINE if
 * none did: the first test of every public call that needs the machine, so
 * any of them works as a program's first call.  Not for the boot's own path
 * (the boot lock is held there): use kmm_machine_booted().
 */
static kmm_always_inline bool kmm_machine_up(void)
{
	return kmm_likely(kmm_machine_booted()) || kmm_boot_default() == 0;
}

/* kmm_machine_set_booting - the calling thread boots: it sees the machine booted. */
void kmm_machine_set_booting(bool booting);
/* kmm_machine_set_booted - every thread sees the machine booted, or not (boot/boot.c). */
void kmm_machine_set_booted(bool booted);

/* The boot lock across fork() (boot/fork.c). */
void kmm_boot_lock_fork_prepare(void);
void kmm_boot_lock_fork_parent(void);
void kmm_boot_lock_fork_child(void);
/* kmm_fork_init - register the fork handlers (once per process; boot/fork.c). */
void kmm_fork_init(void);

/* memblock */
void memblock_reserve(phys_addr_t base, phys_addr_t size, const char *what);
phys_addr_t memblock_alloc(phys_addr_t size, phys_addr_t align, const char *what);
/* memblock_reserved_pages - reserved pages in [start_pfn, end_pfn). */
unsigned long memblock_reserved_pages(unsigned long start_pfn, unsigned long end_pfn);
/*
 * for_each_free_block - call @fn for each maximal naturally aligned block (up to
 * MAX_PAGE_ORDER) of the unreserved pages in [start_pfn, end_pfn).
 */
void for_each_free_block(unsigned long start_pfn, unsigned long end_pfn,
			 void (*fn)(unsigned long pfn, unsigned int order, void *arg), void *arg);
bool memblock_is_reserved(unsigned long pfn);

/* The pageblock migrate type of @pfn. */
static inline int get_pageblock_migratetype(unsigned long pfn)
{
	return kmm_machine.pageblock_types[pfn >> pageblock_order];
}

static inline void set_pageblock_migratetype(unsigned long pfn, int mt)
{
	kmm_machine.pageblock_types[pfn >> pageblock_order] = (unsigned char)mt;
}

/* The zone end pfn (exclusive). */
static inline unsigned long zone_end_pfn(const struct zone *zone)
{
	return zone->zone_start_pfn + zone->spanned_pages;
}

static inline bool zone_spans_pfn(const struct zone *zone, unsigned long pfn)
{
	return pfn >= zone->zone_start_pfn && pfn < zone_end_pfn(zone);
}

#endif /* KMM_BOOT_MACHINE_H */
