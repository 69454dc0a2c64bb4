/* SPDX-License-Identifier: MIT */
/*
 * kmm/mm.h - pages and addresses: page flags, reference counts, the direct map
 * (<linux/mm.h>, <asm/page.h>).
 *
 * The emulated machine's physical memory starts at physical address 0 and is
 * mapped once, at PAGE_OFFSET, in the direct map; the memmap (the struct page
 * array) is indexed by pfn.  So every conversion here is arithmetic, exactly
 * as on x86-64: __pa(), __va(), virt_to_page(), page_address(), ...  With
 * highmem=, the direct map stops at kmm_max_low_pfn, as on x86-32: page_address()
 * of a page above it is its kmap() address or NULL (<kmm/highmem.h>).
 *
 * Context: any.  Reference counts are atomic; page flags of an allocated page
 * belong to its owner.
 */
#ifndef KMM_MM_H
#define KMM_MM_H

#include <kmm/types.h>
#include <kmm/mm_types.h>
#include <kmm/mmzone.h>
#include <kmm/gfp.h>

KMM_BEGIN_DECLS

#define PAGE_SHIFT	   12
#define PAGE_SIZE	   (1UL << PAGE_SHIFT)
#define PAGE_MASK	   (~(PAGE_SIZE - 1))
#define PAGE_ALIGN(addr)   (((unsigned long)(addr) + PAGE_SIZE - 1) & PAGE_MASK)
#define PAGE_ALIGNED(addr) ((((unsigned long)(addr)) & (PAGE_SIZE - 1)) == 0)
#define PFN_UP(x)	   (((x) + PAGE_SIZE - 1) >> PAGE_SHIFT)
#define PFN_DOWN(x)	   ((x) >> PAGE_SHIFT)
#define PFN_PHYS(x)	   ((phys_addr_t)(x) << PAGE_SHIFT)
#define PHYS_PFN(x)	   ((unsigned long)((x) >> PAGE_SHIFT))

/* The direct map's base: the virtual address of physical address 0 (0 before boot). */
extern unsigned long kmm_page_offset;
/* The memmap: struct page of pfn N is kmm_vmemmap[N] (NULL before boot). */
extern struct page *kmm_vmemmap;

struct kmem_cache;
/*
 * The slab map: for each pfn of the direct map, the two fields of its struct
 * page that the free fast paths check, the slab's cache (->mapping) and its
 * first object (->private), or NULL and 0 on a page of no slab.  The slab
 * allocator keeps it with the memmap; it is a quarter of its size (16 bytes
 * a page where a struct page is 64), so that on a working set too large for
 * the CPU's caches a free misses them less often.  NULL before boot.
 */
struct kmm_slab_map_entry {
	struct kmem_cache *cache;
	unsigned long first;
};
extern struct kmm_slab_map_entry *kmm_slab_map;
/* One past the last pfn of the machine; pfns of the direct map are below kmm_max_low_pfn. */
extern unsigned long kmm_max_pfn, kmm_max_low_pfn;

#define PAGE_OFFSET kmm_page_offset
#define mem_map	    kmm_vmemmap

#define __pa(x)		   ((phys_addr_t)((unsigned long)(x)-PAGE_OFFSET))
#define __va(x)		   ((void *)((unsigned long)(x) + PAGE_OFFSET))
#define __pa_symbol(x)	   __pa(x)
#define pfn_to_page(pfn)   (kmm_vmemmap + (pfn))
#define page_to_pfn(page)  ((unsigned long)((page)-kmm_vmemmap))
#define page_to_phys(page) PFN_PHYS(page_to_pfn(page))
#define phys_to_page(phys) pfn_to_page(PHYS_PFN(phys))
#define virt_to_pfn(x)	   PHYS_PFN(__pa(x))
#define virt_to_page(x)	   pfn_to_page(virt_to_pfn(x))
#define pfn_to_virt(pfn)   __va(PFN_PHYS(pfn))

static inline phys_addr_t virt_to_phys(const volatile void *address)
{
	return __pa(address);
}

static inline void *phys_to_virt(phys_addr_t address)
{
	return __va(address);
}

/* pfn_valid - does @pfn name a page frame of the machine? */
static inline bool pfn_valid(unsigned long pfn)
{
	return pfn < kmm_max_pfn;
}

/* virt_addr_valid - is @x an address of the direct map (of a booted machine)? */
static inline bool virt_addr_valid(const volatile void *x)
{
	return kmm_page_offset &&
	       (unsigned long)x - kmm_page_offset < (kmm_max_low_pfn << PAGE_SHIFT);
}

/* The kernel's page flag bits, in its order. */
enum pageflags {
	PG_locked,
	PG_writeback,
	PG_referenced,
	PG_uptodate,
	PG_dirty,
	PG_lru,
	PG_head,
	PG_waiters,
	PG_active,
	PG_workingset,
	PG_error,
	PG_slab,
	PG_owner_priv_1,
	PG_arch_1,
	PG_reserved,
	PG_private,
	PG_private_2,
	PG_mappedtodisk,
	PG_reclaim,
	PG_swapbacked,
	PG_unevictable,
	PG_mlocked,
	NR_PAGEFLAGS
};

/*
 * page->flags layout: | node:3 | zone:2 | ... | order:4 | PG_* bits |, as the kernel's
 * | NODE | ZONE | ... | FLAGS |, so flags >> ZONES_PGSHIFT is node * MAX_NR_ZONES + zone.
 * The order field is this machine's: the order of the allocation a page heads,
 * so that a free with the wrong order is caught even for non-compound blocks.
 * Beside it, the migrate type the block was allocated as (its per-CPU list).
 */
#define ZONES_WIDTH	     2
#define NODES_WIDTH	     3
#define NODES_PGSHIFT	     (64 - NODES_WIDTH)
#define ZONES_PGSHIFT	     (NODES_PGSHIFT - ZONES_WIDTH)
#define ZONES_MASK	     ((1UL << ZONES_WIDTH) - 1)
#define NODES_MASK	     ((1UL << NODES_WIDTH) - 1)
#define PAGE_ORDER_PGSHIFT   24
#define PAGE_ORDER_MASK	     (0xfUL << PAGE_ORDER_PGSHIFT)
/* The migrate type the page was allocated as: the per-CPU list it goes back to. */
#define PAGE_PCPTYPE_PGSHIFT 28
#define PAGE_PCPTYPE_MASK    (0x3UL << PAGE_PCPTYPE_PGSHIFT)
#define PAGE_ZONE_NODE_MASK  ((ZONES_MASK << ZONES_PGSHIFT) | (NODES_MASK << NODES_PGSHIFT))

/* Flags that must be clear when a page is freed. */
#define PAGE_FLAGS_CHECK_AT_FREE                                                                   \
	(1UL << PG_lru | 1UL << PG_locked | 1UL << PG_private | 1UL << PG_private_2 |              \
	 1UL << PG_writeback | 1UL << PG_reserved | 1UL << PG_slab | 1UL << PG_active |            \
	 1UL << PG_unevictable | 1UL << PG_mlocked)

#define KMM_PAGEFLAG(uname, lname)                                                                 \
	static inline bool Page##uname(const struct page *page)                                    \
	{                                                                                          \
		return (page->flags >> PG_##lname) & 1;                                            \
	}                                                                                          \
	static inline void SetPage##uname(struct page *page)                                       \
	{                                                                                          \
		__atomic_fetch_or(&page->flags, 1UL << PG_##lname, __ATOMIC_RELAXED);              \
	}                                                                                          \
	static inline void ClearPage##uname(struct page *page)                                     \
	{                                                                                          \
		__atomic_fetch_and(&page->flags, ~(1UL << PG_##lname), __ATOMIC_RELAXED);          \
	}                                                                                          \
	static inline void __SetPage##uname(struct page *page)                                     \
	{                                                                                          \
		page->flags |= 1UL << PG_##lname;                                                  \
	}                                                                                          \
	static inline void __ClearPage##uname(struct page *page)                                   \
	{                                                                                          \
		page->flags &= ~(1UL << PG_##lname);                                               \
	}

KMM_PAGEFLAG(Locked, locked)
KMM_PAGEFLAG(Referenced, referenced)
KMM_PAGEFLAG(Uptodate, uptodate)
KMM_PAGEFLAG(Dirty, dirty)
KMM_PAGEFLAG(LRU, lru)
KMM_PAGEFLAG(Head, head)
KMM_PAGEFLAG(Active, active)
KMM_PAGEFLAG(Slab, slab)
KMM_PAGEFLAG(Reserved, reserved)
KMM_PAGEFLAG(Private, private)

/*
 * Page types live in page_type, which is all ones when the page has none; a
 * type is a cleared bit under PAGE_TYPE_BASE.  PG_pcp is this machine's: a free
 * page held on a per-CPU list (the kernel leaves such pages untyped).
 */
#define PAGE_TYPE_BASE	     0xf0000000u
#define PG_buddy	     0x00000080u
#define PG_offline	     0x00000100u
#define PG_table	     0x00000200u
#define PG_guard	     0x00000400u
#define PG_pcp		     0x00000800u
#define PageType(page, flag) (((page)->page_type & (PAGE_TYPE_BASE | (flag))) == PAGE_TYPE_BASE)

static inline bool PageBuddy(const struct page *page)
{
	return PageType(page, PG_buddy);
}

static inline bool PageTable(const struct page *page)
{
	return PageType(page, PG_table);
}

static inline bool PagePcp(const struct page *page)
{
	return PageType(page, PG_pcp);
}

/* Compound pages (__GFP_COMP). */
static inline bool PageTail(const struct page *page)
{
	return __atomic_load_n(&page->compound_head, __ATOMIC_RELAXED) & 1;
}

static inline bool PageCompound(const struct page *page)
{
	return PageHead(page) || PageTail(page);
}

static inline struct page *compound_head(const struct page *page)
{
	unsigned long head = __atomic_load_n(&page->compound_head, __ATOMIC_RELAXED);

	if (head & 1)
		return (struct page *)(head - 1);
	return (struct page *)page;
}

/* compound_order - the order of the compound page @page heads, 0 if it heads none. */
static inline unsigned int compound_order(const struct page *page)
{
	if (!PageHead(page))
		return 0;
	return page[1].compound_order;
}

static inline unsigned long compound_nr(const struct page *page)
{
	return 1UL << compound_order(page);
}

/* Reference counts. */
static inline int page_ref_count(const struct page *page)
{
	return __atomic_load_n(&page->_refcount, __ATOMIC_RELAXED);
}

static inline int page_count(const struct page *page)
{
	return page_ref_count(compound_head(page));
}

static inline void set_page_count(struct page *page, int v)
{
	__atomic_store_n(&page->_refcount, v, __ATOMIC_RELAXED);
}

static inline void page_ref_inc(struct page *page)
{
	__atomic_fetch_add(&page->_refcount, 1, __ATOMIC_RELAXED);
}

static inline bool page_ref_dec_and_test(struct page *page)
{
	return __atomic_sub_fetch(&page->_refcount, 1, __ATOMIC_ACQ_REL) == 0;
}

/* get_page - take a reference to the (compound) page @page belongs to. */
static inline void get_page(struct page *page)
{
	page_ref_inc(compound_head(page));
}

/* get_page_unless_zero - take a reference unless the page is free; true if taken. */
static inline bool get_page_unless_zero(struct page *page)
{
	int v = page_ref_count(page);

	while (v != 0)
		if (__atomic_compare_exchange_n(&page->_refcount, &v, v + 1, false,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return true;
	return false;
}

/*
 * put_page - drop a reference; the last one frees the page (the whole compound
 * page for a compound one).  Dropping a reference the page does not have is
 * reported ("Bad page state") and refused.
 */
void put_page(struct page *page);

/* Page placement. */
static inline int page_zonenum(const struct page *page)
{
	return (int)((page->flags >> ZONES_PGSHIFT) & ZONES_MASK);
}

static inline int page_to_nid(const struct page *page)
{
	return (int)((page->flags >> NODES_PGSHIFT) & NODES_MASK);
}

static inline struct zone *page_zone(const struct page *page)
{
	return &NODE_DATA(page_to_nid(page))->node_zones[page_zonenum(page)];
}

static inline pg_data_t *page_pgdat(const struct page *page)
{
	return NODE_DATA(page_to_nid(page));
}

/* The private field, as the kernel's helpers spell it. */
#define page_private(page)	  ((page)->private)
#define set_page_private(page, v) ((page)->private = (v))

/* page_address - the direct-map address of @page (for highmem: its kmap address or NULL). */
static inline void *page_address(const struct page *page)
{
	unsigned long pfn = page_to_pfn(page);

	if (kmm_likely(pfn < kmm_max_low_pfn))
		return __va(PFN_PHYS(pfn));
	return page->virtual;
}

/* Memory totals, in pages. */
unsigned long nr_free_pages(void);
unsigned long totalram_pages(void);
unsigned long totalhigh_pages(void);
/*
 * si_meminfo - fill totalram, freeram, totalhigh, freehigh and mem_unit
 * (PAGE_SIZE) of @val: the struct of <sys/sysinfo.h> (the kernel's
 * <uapi/linux/sysinfo.h>), which the caller includes; this header does not, so
 * that it never pulls the system's <linux/kernel.h> into kernel code.
 */
struct sysinfo;
void si_meminfo(struct sysinfo *val);

KMM_END_DECLS

#endif /* KMM_MM_H */
