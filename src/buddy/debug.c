/* SPDX-License-Identifier: MIT */
/*
 * buddy/debug.c - page allocator debugging: debug_pagealloc=, page_poison=,
 * init_on_alloc=/init_on_free= for pages, AddressSanitizer poisoning of free
 * pages, and switching the per-CPU page lists off (for those and for
 * fail_page_alloc).
 *
 * The kernel does its page debugging in free_pages_prepare() and
 * post_alloc_hook(), on every free and allocation.  Here the inline fast paths
 * (pcp_alloc_fast(), pcp_free_fast()) must stay as they are, so debugging
 * switches the per-CPU lists off instead: every zone's pcp high is 0 and a
 * per-CPU list never holds a block between two calls.  An allocation finds its
 * list empty and takes the general path (get_page_from_freelist(), which
 * moves one block at a time when high is 0); a free pushes the block and,
 * being over high, flushes it at once (pcp_free_flush()).  The debug work is
 * done on those out-of-line paths: page_debug_free() before a block reaches
 * the buddy lists, page_debug_alloc() after it leaves them.  Off, the only
 * cost is one predictable branch on those paths, none on the fast paths.
 *
 * Invariants while on:
 *  - debug_pagealloc: every page of the direct map that is free (on the buddy
 *    lists, or in a memmap chunk whose struct pages are not initialised yet) is
 *    PROT_NONE; allocated and reserved pages are read/write.  Nothing reads
 *    or writes a free page's bytes: the buddy allocator keeps its lists in the
 *    struct pages (the memmap is reserved memory, never freed).
 *  - page_poison: a free page that was freed since boot is all PAGE_POISON and
 *    has PG_poisoned; pages never allocated are zero (the memfd is sparse) and
 *    are not checked, where the kernel poisons all memory at boot.
 *  - init_on_free: every free page is zero, so __GFP_ZERO is dropped.
 *  - ASan builds (always): the direct-map bytes of every block freed since boot
 *    are poisoned in ASan's shadow until allocated again, per-CPU lists
 *    included.
 *
 * Locking: the hooks run on blocks the caller owns (just unlinked or about to
 * be linked), with no zone lock held, so they may sleep in a system call.
 * pcp_switch_lock serialises pcp_lists_update(); it is held across
 * kmm_on_each_cpu(); nothing that holds a CPU takes it.  dp_given_up is atomic.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>

#include <kmm/poison.h>
#include "boot/subsys.h"
#include "buddy/internal.h"
#include "fault/fault_inject.h"
#include "report/report.h"

/*
 * PG_poisoned - a free page filled with PAGE_POISON (the kernel kept this in
 * page_ext as PAGE_EXT_DEBUG_POISON).  Set on each page of a block when it is
 * freed, checked and cleared when it is allocated; only while page_poison=1.
 * A page dump shows it as "arch_1".
 */
#define PG_poisoned PG_arch_1

bool page_debug_enabled;

/* What is on, decided at boot from the command line. */
static struct {
	bool pagealloc;	    /* debug_pagealloc=on */
	bool poison;	    /* page_poison=1 */
	bool init_on_alloc; /* init_on_alloc=1 and not page_poison */
	bool init_on_free;  /* init_on_free=1 and not page_poison */
} dbg;

/* debug_pagealloc gave up unmapping after an mprotect() failure (atomic). */
static bool dp_given_up;

/* Per-CPU lists: whether they are off, and each zone's high to restore. */
static pthread_mutex_t pcp_switch_lock = PTHREAD_MUTEX_INITIALIZER;
static bool pcp_lists_off;
static int pcp_high_saved[MAX_NUMNODES][MAX_NR_ZONES];

/* ASan: a block's direct-map bytes, poisoned while free (lowmem only). */
#ifdef KMM_ASAN
static void kasan_unpoison_if_poisoned(unsigned long pfn, unsigned long nr)
{
	for (; nr--; pfn++)
		if (__asan_address_is_poisoned(pfn_to_virt(pfn)))
			ASAN_UNPOISON_MEMORY_REGION(pfn_to_virt(pfn), PAGE_SIZE);
}
#endif

/* debug_pagealloc: the direct map of @nr pages at @pfn. */

/* dp_give_up - one report, then every page mapped again, and no more unmapping. */
static void dp_give_up(int err, unsigned long pfn, unsigned long nr, bool unmap)
{
	if (__atomic_exchange_n(&dp_given_up, true, __ATOMIC_RELAXED))
		return;
	kmm_report("debug_pagealloc: cannot %s pfn %#lx (%lu pages) in the direct map: %s%s; "
		   "free pages stay mapped from now on",
		   unmap ? "unmap" : "map back", pfn, nr, strerror(err),
		   err == ENOMEM ? " (too many mappings? see vm.max_map_count)" : "");
	if (mprotect((void *)PAGE_OFFSET, kmm_max_low_pfn << PAGE_SHIFT, PROT_READ | PROT_WRITE))
		kmm_report("debug_pagealloc: cannot map the direct map back: %s", strerror(errno));
}

static void dp_unmap(unsigned long pfn, unsigned long nr)
{
	if (__atomic_load_n(&dp_given_up, __ATOMIC_RELAXED))
		return;
	if (mprotect(pfn_to_virt(pfn), nr << PAGE_SHIFT, PROT_NONE))
		dp_give_up(errno, pfn, nr, true);
}

/* Mapping back is done even after giving up: a racing free may have unmapped the block. */
static void dp_map(unsigned long pfn, unsigned long nr)
{
	if (mprotect(pfn_to_virt(pfn), nr << PAGE_SHIFT, PROT_READ | PROT_WRITE))
		dp_give_up(errno, pfn, nr, false);
}

static void dp_unmap_block(unsigned long pfn, unsigned int order, void *arg)
{
	(void)arg;
	dp_unmap(pfn, 1UL << order);
}

/* The blocks of a free list, for_each_free_block() style. */
static void for_each_block_on(struct list_head *list, unsigned int order,
			      void (*fn)(unsigned long pfn, unsigned int order, void *arg))
{
	struct page *page;

	list_for_each_entry(page, list, lru) {
		fn(page_to_pfn(page), order, NULL);
	}
}

/* The free pages of the memmap chunks of @zone not yet initialised: for_each_free_block(). */
static void for_each_deferred_block(struct zone *zone,
				    void (*fn)(unsigned long pfn, unsigned int order, void *arg))
{
	unsigned long s, end = zone_end_pfn(zone);

	for (s = zone->zone_start_pfn & ~(PAGES_PER_MEMMAP_CHUNK - 1); s < end;
	     s += PAGES_PER_MEMMAP_CHUNK) {
		unsigned long from = s < zone->zone_start_pfn ? zone->zone_start_pfn : s;
		unsigned long to =
			s + PAGES_PER_MEMMAP_CHUNK < end ? s + PAGES_PER_MEMMAP_CHUNK : end;

		if (!memmap_chunk_ready(zone, from))
			for_each_free_block(from, to, fn, NULL);
	}
}

/*
 * debug_pagealloc_reprotect - unmap (PROT_NONE) every free page of the direct
 * map again, after the fork child mapped the direct map anew (the step
 * KMM_FORK_ZONES, after the zone locks are new); nothing unless
 * debug_pagealloc=on.
 */
static void debug_pagealloc_reprotect(void)
{
	int nid, zid;

	if (!dbg.pagealloc || __atomic_load_n(&dp_given_up, __ATOMIC_RELAXED))
		return;
	for (nid = 0; nid < kmm_nr_online_nodes; nid++) {
		for (zid = 0; zid < MAX_NR_ZONES; zid++) {
			struct zone *zone = &NODE_DATA(nid)->node_zones[zid];
			unsigned int order;
			int mt;

			if (!zone->spanned_pages || is_highmem_idx(zid))
				continue;
			kmm_lock(&zone->lock);
			for (order = 0; order < NR_PAGE_ORDERS; order++)
				for (mt = 0; mt < MIGRATE_TYPES; mt++)
					for_each_block_on(&zone->free_area[order].free_list[mt],
							  order, dp_unmap_block);
			for_each_deferred_block(zone, dp_unmap_block);
			kmm_unlock(&zone->lock);
		}
	}
}

/* page_poison */

static bool single_bit_flip(unsigned char a, unsigned char b)
{
	unsigned char error = a ^ b;

	return error && !(error & (error - 1));
}

/* The kernel's print_hex_dump(DUMP_PREFIX_ADDRESS, 16 bytes a row, ASCII column). */
static void print_hex_dump(const unsigned char *start, size_t len)
{
	size_t row, i;

	for (row = 0; row < len; row += 16) {
		char hex[16 * 3 + 1], ascii[17];
		size_t n = len - row < 16 ? len - row : 16;

		for (i = 0; i < n; i++) {
			unsigned char c = start[row + i];

			snprintf(hex + i * 3, 4, "%02x%s", c, i + 1 < n ? " " : "");
			ascii[i] = c >= 0x20 && c < 0x7f ? (char)c : '.';
		}
		ascii[n] = '\0';
		kmm_pr("%016lx: %-47s  %s\n", (unsigned long)(start + row), hex, ascii);
	}
}

static struct kmm_ratelimit poison_rs = KMM_RATELIMIT_INIT;

/* The most bytes of a corrupted range dumped (the kernel dumps all of it). */
#define POISON_DUMP_MAX 128

/*
 * check_poison_page - report the bytes of a free page that are not PAGE_POISON
 * any more (a write after free): the kernel's check_poison_mem().  @mem is the
 * page's address (direct map or kmap_local).
 */
static void check_poison_page(struct page *page, const unsigned char *mem)
{
	const unsigned char *start = NULL, *end;
	size_t i, len;

	for (i = 0; i < PAGE_SIZE; i++) {
		if (mem[i] != PAGE_POISON) {
			start = mem + i;
			break;
		}
	}
	if (!start)
		return;
	for (end = mem + PAGE_SIZE - 1; end > start && *end == PAGE_POISON; end--)
		;
	if (!kmm_ratelimit(&poison_rs))
		return;
	len = (size_t)(end - start) + 1;
	kmm_report_begin();
	if (start == end && single_bit_flip(*start, PAGE_POISON))
		kmm_pr("pagealloc: single bit error\n");
	else
		kmm_pr("pagealloc: memory corruption\n");
	print_hex_dump(start, len < POISON_DUMP_MAX ? len : POISON_DUMP_MAX);
	if (len > POISON_DUMP_MAX)
		kmm_pr("... (%zu more bytes up to offset %#lx)\n", len - POISON_DUMP_MAX,
		       (unsigned long)(end - mem));
	kmm_pr("pagealloc: pfn %#lx (address %p): bytes %#lx..%#lx written after the page was "
	       "freed\n",
	       page_to_pfn(page), page_address(page), (unsigned long)(start - mem),
	       (unsigned long)(end - mem));
	dump_page(page, "pagealloc: corrupted page details");
	kmm_report_end(true);
}

/* The bytes of page @page, through kmap_local for a highmem page. */
static void *page_map(struct page *page)
{
	return kmap_local_page(page);
}

static void page_unmap(void *addr)
{
	kunmap_local(addr);
}

/* The hooks. */

void page_debug_free(struct page *page, unsigned int order)
{
	unsigned long pfn = page_to_pfn(page), i, nr = 1UL << order;
	bool lowmem = pfn < kmm_max_low_pfn;

	kasan_alloc_block(page, order); /* its bytes are written here */
	if (dbg.poison || dbg.init_on_free) {
		for (i = 0; i < nr; i++) {
			void *addr = page_map(page + i);

			memset(addr, dbg.poison ? PAGE_POISON : 0, PAGE_SIZE);
			page_unmap(addr);
			if (dbg.poison)
				page[i].flags |= 1UL << PG_poisoned;
		}
	}
	if (dbg.pagealloc && lowmem)
		dp_unmap(pfn, nr);
	kasan_free_block(page, order);
}

gfp_t page_debug_alloc(struct page *page, unsigned int order, gfp_t gfp)
{
	unsigned long pfn = page_to_pfn(page), i, nr = 1UL << order;

	kasan_alloc_block(page, order);
	page->page_type = ~0u; /* no longer free, for the page dump */
	if (dbg.pagealloc && pfn < kmm_max_low_pfn)
		dp_map(pfn, nr);
	if (dbg.poison) {
		for (i = 0; i < nr; i++) {
			void *addr;

			if (!(page[i].flags & (1UL << PG_poisoned)))
				continue;
			page[i].flags &= ~(1UL << PG_poisoned);
			addr = page_map(page + i);
			check_poison_page(page + i, addr);
			page_unmap(addr);
		}
	}
	/* As the kernel's post_alloc_hook(): a page freed zeroed needs no zeroing again. */
	if (dbg.init_on_free)
		gfp &= ~__GFP_ZERO;
	else if (dbg.init_on_alloc)
		gfp |= __GFP_ZERO;
	return gfp;
}

void page_debug_pcp_free(struct per_cpu_pages *pcp)
{
	unsigned int pindex;

	for (pindex = 0; pindex < NR_PCP_LISTS; pindex++) {
		struct page *page;

		list_for_each_entry(page, &pcp->lists[pindex], lru)
			page_debug_free(page, pindex / MIGRATE_PCPTYPES);
	}
}

/* Switching the per-CPU lists off and on. */

/* On each CPU: take the zones' high, and give every block back if the lists are off. */
static void pcp_set_high(struct kmm_cpu *cpu, void *info)
{
	int nid, zid;

	(void)info;
	for (nid = 0; nid < kmm_nr_online_nodes; nid++)
		for (zid = 0; zid < MAX_NR_ZONES; zid++)
			cpu_pcp(cpu, nid, zid)->high = NODE_DATA(nid)->node_zones[zid].pcp_high;
	if (pcp_lists_off)
		drain_local_pages(cpu);
}

static void set_zones_high(bool off)
{
	int nid, zid;

	for (nid = 0; nid < kmm_nr_online_nodes; nid++)
		for (zid = 0; zid < MAX_NR_ZONES; zid++)
			NODE_DATA(nid)->node_zones[zid].pcp_high =
				off ? 0 : pcp_high_saved[nid][zid];
}

/*
 * pcp_lists_update - switch the per-CPU lists off (high 0, drained) while page
 * debugging or fail_page_alloc is on, back on otherwise.  Context: no CPU and
 * no zone lock held; takes every CPU over.
 */
static void pcp_lists_update(void)
{
	bool off = page_debug_enabled || fail_page_alloc_active();

	pthread_mutex_lock(&pcp_switch_lock);
	if (off != pcp_lists_off) {
		pcp_lists_off = off;
		/* CPUs set up later copy the zones' high; the others are taken over. */
		set_zones_high(off);
		kmm_on_each_cpu(pcp_set_high, NULL);
	}
	pthread_mutex_unlock(&pcp_switch_lock);
}

/* Boot and teardown. */

/* The parameters, in effect from page_debug_init(). */
static bool param_debug_pagealloc, param_page_poison, param_init_on_alloc, param_init_on_free;

bool mem_init_on_alloc(void)
{
	return dbg.init_on_alloc;
}

bool mem_init_on_free(void)
{
	return dbg.init_on_free;
}

bool page_debug_poisons(void)
{
	return dbg.poison;
}

/* After the zones' init: decide, set the zones' pcp high, unmap free memory. */
static int page_debug_init(void)
{
	int nid, zid;

	dbg.pagealloc = param_debug_pagealloc;
	dbg.poison = param_page_poison;
	dbg.init_on_alloc = param_init_on_alloc && !dbg.poison;
	dbg.init_on_free = param_init_on_free && !dbg.poison;
	dp_given_up = false;
	page_debug_enabled = dbg.pagealloc || dbg.poison || dbg.init_on_alloc || dbg.init_on_free;
	if (dbg.poison && (param_init_on_alloc || param_init_on_free))
		kmm_info(
			"mem auto-init: page_poison is on, will take precedence over init_on_alloc "
			"and init_on_free");
	for (nid = 0; nid < kmm_nr_online_nodes; nid++)
		for (zid = 0; zid < MAX_NR_ZONES; zid++)
			pcp_high_saved[nid][zid] = NODE_DATA(nid)->node_zones[zid].pcp_high;
	/* No CPU exists yet: the zones' high is all there is to set. */
	pcp_lists_off = page_debug_enabled || fail_page_alloc_active();
	set_zones_high(pcp_lists_off);
	if (dbg.pagealloc)
		for_each_free_block(0, kmm_max_low_pfn, dp_unmap_block, NULL);
	return 0;
}

#ifdef KMM_ASAN
static void kasan_unpoison_block(unsigned long pfn, unsigned int order, void *arg)
{
	(void)arg;
	if (pfn < kmm_max_low_pfn)
		kasan_unpoison_if_poisoned(pfn, 1UL << order);
}
#endif

/* Before the zones' exit: forget it all (and ASan's poison). */
static void page_debug_exit(void)
{
#ifdef KMM_ASAN
	/*
	 * ASan keeps its shadow when the direct map is unmapped, and the next
	 * machine is likely mapped at the same address: unpoison every free block.
	 */
	struct kmm_cpu *cpu;
	unsigned int order, pindex;
	int nid, zid, mt, i;

	for (nid = 0; nid < kmm_nr_online_nodes; nid++) {
		for (zid = 0; zid < ZONE_HIGHMEM; zid++) {
			struct free_area *area = NODE_DATA(nid)->node_zones[zid].free_area;

			for (order = 0; order < NR_PAGE_ORDERS; order++)
				for (mt = 0; mt < MIGRATE_TYPES; mt++)
					for_each_block_on(&area[order].free_list[mt], order,
							  kasan_unpoison_block);
		}
	}
	for_each_online_cpu(cpu) {
		for (i = 0; i < kmm_nr_online_nodes * MAX_NR_ZONES; i++)
			for (pindex = 0; pindex < NR_PCP_LISTS; pindex++)
				for_each_block_on(&cpu->pcp[i].lists[pindex],
						  pindex / MIGRATE_PCPTYPES, kasan_unpoison_block);
	}
#endif
	page_debug_enabled = false;
	memset(&dbg, 0, sizeof(dbg));
	pcp_lists_off = false;
}

/* fail_page_alloc switched: the per-CPU lists follow it. */
static void page_debug_fault_switched(int cap)
{
	if (cap == FAULT_PAGE_ALLOC)
		pcp_lists_update();
}

static const struct kmm_fork_ops page_debug_fork_ops[] = {
	{.step = KMM_FORK_ZONES, .child = debug_pagealloc_reprotect},
};

static const struct kmm_param page_debug_params[] = {
	KMM_PARAM_BOOL_VAR("debug_pagealloc", param_debug_pagealloc, 0, "on or off",
			   "free pages unmapped from the direct map (PROT_NONE)"),
	KMM_PARAM_BOOL_VAR("page_poison", param_page_poison, 0, "0 or 1",
			   "free pages filled with PAGE_POISON and checked when allocated"),
	KMM_PARAM_BOOL_VAR("init_on_alloc", param_init_on_alloc, 0, "0 or 1",
			   "pages and objects zeroed when allocated"),
	KMM_PARAM_BOOL_VAR("init_on_free", param_init_on_free, 0, "0 or 1",
			   "pages and objects zeroed when freed"),
};

const struct kmm_subsys kmm_page_debug_subsys = {
	.name = "page_debug",
	KMM_SUBSYS_PARAMS(page_debug_params),
	.init = page_debug_init,
	.exit = page_debug_exit,
	KMM_SUBSYS_FORK(page_debug_fork_ops),
	.fault_switched = page_debug_fault_switched,
};
