/* SPDX-License-Identifier: MIT */
/*
 * kmm/gfp.h - GFP flags and the page allocator's entry points (<linux/gfp.h>).
 *
 * The flag bits and their composites are the kernel's (6.12 numbering), so a
 * "mode:0xcc0(GFP_KERNEL)" in a report means what it means in a kernel log.
 *
 * Context: every call here may be made from any thread.  Calls whose flags
 * allow direct reclaim (__GFP_DIRECT_RECLAIM, e.g. GFP_KERNEL) may run the
 * registered shrinkers and wait for the kswapd thread; GFP_ATOMIC and
 * GFP_NOWAIT never wait.  The first call boots a machine from the KMM_CMDLINE
 * environment variable if kmm_init() was not called.
 */
#ifndef KMM_GFP_H
#define KMM_GFP_H

#include <kmm/types.h>

KMM_BEGIN_DECLS

struct page;

/*
 * Plain bits (the kernel's ___GFP_*), numbered as 6.12 numbers them for
 * Debian's amd64 configuration: no hardware tag-based KASAN, so
 * __GFP_SKIP_ZERO and __GFP_SKIP_KASAN are 0; no lockdep, so __GFP_NOLOCKDEP
 * is 0; slab object extensions (memcg), so __GFP_NO_OBJ_EXT is bit 24.  The
 * test build checks every value against the packaged kernel's headers
 * (tests/kernel/flags/).
 */
#define ___GFP_DMA	      0x01u
#define ___GFP_HIGHMEM	      0x02u
#define ___GFP_DMA32	      0x04u
#define ___GFP_MOVABLE	      0x08u
#define ___GFP_RECLAIMABLE    0x10u
#define ___GFP_HIGH	      0x20u
#define ___GFP_IO	      0x40u
#define ___GFP_FS	      0x80u
#define ___GFP_ZERO	      0x100u
#define ___GFP_DIRECT_RECLAIM 0x400u
#define ___GFP_KSWAPD_RECLAIM 0x800u
#define ___GFP_WRITE	      0x1000u
#define ___GFP_NOWARN	      0x2000u
#define ___GFP_RETRY_MAYFAIL  0x4000u
#define ___GFP_NOFAIL	      0x8000u
#define ___GFP_NORETRY	      0x10000u
#define ___GFP_MEMALLOC	      0x20000u
#define ___GFP_COMP	      0x40000u
#define ___GFP_NOMEMALLOC     0x80000u
#define ___GFP_HARDWALL	      0x100000u
#define ___GFP_THISNODE	      0x200000u
#define ___GFP_ACCOUNT	      0x400000u
#define ___GFP_ZEROTAGS	      0x800000u
#define ___GFP_SKIP_ZERO      0u
#define ___GFP_SKIP_KASAN     0u
#define ___GFP_NOLOCKDEP      0u
#define ___GFP_NO_OBJ_EXT     0x1000000u
#define ___GFP_LAST_BIT	      25

/* Zone modifiers: which zones may serve the request (see gfp_zone()). */
#define __GFP_DMA	     ((gfp_t)___GFP_DMA)
#define __GFP_HIGHMEM	     ((gfp_t)___GFP_HIGHMEM)
#define __GFP_DMA32	     ((gfp_t)___GFP_DMA32)
#define __GFP_MOVABLE	     ((gfp_t)___GFP_MOVABLE)
#define GFP_ZONEMASK	     (__GFP_DMA | __GFP_HIGHMEM | __GFP_DMA32 | __GFP_MOVABLE)
/* Page mobility: which migrate type's pageblocks are used. */
#define __GFP_RECLAIMABLE    ((gfp_t)___GFP_RECLAIMABLE)
#define __GFP_WRITE	     ((gfp_t)___GFP_WRITE)
#define __GFP_HARDWALL	     ((gfp_t)___GFP_HARDWALL)
#define __GFP_THISNODE	     ((gfp_t)___GFP_THISNODE)
#define __GFP_ACCOUNT	     ((gfp_t)___GFP_ACCOUNT)
#define __GFP_NO_OBJ_EXT     ((gfp_t)___GFP_NO_OBJ_EXT) /* no slab object extension vector */
/* Watermark modifiers: access to the reserves below the min watermark. */
#define __GFP_HIGH	     ((gfp_t)___GFP_HIGH)
#define __GFP_MEMALLOC	     ((gfp_t)___GFP_MEMALLOC)
#define __GFP_NOMEMALLOC     ((gfp_t)___GFP_NOMEMALLOC)
/* Reclaim modifiers. */
#define __GFP_IO	     ((gfp_t)___GFP_IO)
#define __GFP_FS	     ((gfp_t)___GFP_FS)
#define __GFP_DIRECT_RECLAIM ((gfp_t)___GFP_DIRECT_RECLAIM)
#define __GFP_KSWAPD_RECLAIM ((gfp_t)___GFP_KSWAPD_RECLAIM)
#define __GFP_RECLAIM	     ((gfp_t)(___GFP_DIRECT_RECLAIM | ___GFP_KSWAPD_RECLAIM))
#define __GFP_RETRY_MAYFAIL  ((gfp_t)___GFP_RETRY_MAYFAIL)
#define __GFP_NOFAIL	     ((gfp_t)___GFP_NOFAIL)
#define __GFP_NORETRY	     ((gfp_t)___GFP_NORETRY)
/* Action modifiers. */
#define __GFP_NOWARN	     ((gfp_t)___GFP_NOWARN)
#define __GFP_COMP	     ((gfp_t)___GFP_COMP)
#define __GFP_ZERO	     ((gfp_t)___GFP_ZERO)
#define __GFP_ZEROTAGS	     ((gfp_t)___GFP_ZEROTAGS)
#define __GFP_SKIP_ZERO	     ((gfp_t)___GFP_SKIP_ZERO)
#define __GFP_SKIP_KASAN     ((gfp_t)___GFP_SKIP_KASAN)
#define __GFP_NOLOCKDEP	     ((gfp_t)___GFP_NOLOCKDEP)
#define __GFP_BITS_SHIFT     ___GFP_LAST_BIT
#define __GFP_BITS_MASK	     ((gfp_t)((1u << __GFP_BITS_SHIFT) - 1))

/* The composites every caller uses. */
#define GFP_ATOMIC	     (__GFP_HIGH | __GFP_KSWAPD_RECLAIM)
#define GFP_KERNEL	     (__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_KERNEL_ACCOUNT   (GFP_KERNEL | __GFP_ACCOUNT)
#define GFP_NOWAIT	     (__GFP_KSWAPD_RECLAIM | __GFP_NOWARN)
#define GFP_NOIO	     (__GFP_RECLAIM)
#define GFP_NOFS	     (__GFP_RECLAIM | __GFP_IO)
#define GFP_USER	     (__GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HARDWALL)
#define GFP_DMA		     __GFP_DMA
#define GFP_DMA32	     __GFP_DMA32
#define GFP_HIGHUSER	     (GFP_USER | __GFP_HIGHMEM)
#define GFP_HIGHUSER_MOVABLE (GFP_HIGHUSER | __GFP_MOVABLE | __GFP_SKIP_KASAN)
#define GFP_TRANSHUGE_LIGHT                                                                        \
	((GFP_HIGHUSER_MOVABLE | __GFP_COMP | __GFP_NOMEMALLOC | __GFP_NOWARN) & ~__GFP_RECLAIM)
#define GFP_TRANSHUGE (GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM)

/* gfpflags_allow_blocking - true if @gfp may sleep in direct reclaim. */
static inline bool gfpflags_allow_blocking(gfp_t gfp)
{
	return !!(gfp & __GFP_DIRECT_RECLAIM);
}

/*
 * get_order - the smallest order whose block holds @size bytes.
 * get_order(0) is undefined in the kernel; here it is 52 - PAGE_SHIFT, as there.
 */
static inline int get_order(unsigned long size)
{
	if (size <= 4096)
		return 0;
	return 64 - __builtin_clzl((size - 1) >> 12);
}

/**
 * alloc_pages - allocate 2^@order physically contiguous, naturally aligned pages.
 * @gfp: GFP flags: zone (GFP_DMA, GFP_DMA32, __GFP_HIGHMEM), mobility, reclaim
 *       behaviour, __GFP_ZERO, __GFP_COMP for a compound page.
 * @order: 0 .. MAX_PAGE_ORDER (10).
 *
 * Context: any thread.  Orders 0..3 are served from the calling thread's
 * per-CPU lists without taking a lock.
 * Return: the first page, with a reference count of 1, or NULL when no zone
 * the flags allow has a free block above its watermark (a "page allocation
 * failure" report is printed unless __GFP_NOWARN).  An order above
 * MAX_PAGE_ORDER returns NULL with a warning.
 */
struct page *alloc_pages(gfp_t gfp, unsigned int order);

/* alloc_pages_node - alloc_pages() preferring node @nid (NUMA_NO_NODE: the caller's). */
struct page *alloc_pages_node(int nid, gfp_t gfp, unsigned int order);

/*
 * __alloc_pages - the allocator's heart: @preferred_nid's zonelist, restricted to
 * the nodes in @nodemask (a bitmap of nodes; NULL for all).
 */
struct page *__alloc_pages(gfp_t gfp, unsigned int order, int preferred_nid,
			   const unsigned long *nodemask);

#define alloc_page(gfp) alloc_pages(gfp, 0)

/**
 * __free_pages - drop a reference to a block from alloc_pages() of order @order.
 *
 * The last reference frees the block.  If other references remain on a
 * non-compound block, the pages after the first are freed and the first stays
 * with its holders, as the kernel does.  Freeing a free page, a reserved or slab
 * page, or with an order other than the allocation's prints "BUG: Bad page state"
 * and the free is refused.
 */
void __free_pages(struct page *page, unsigned int order);
#define __free_page(page) __free_pages((page), 0)

/* __get_free_pages - alloc_pages() returning the direct-map address (0 on failure). */
unsigned long __get_free_pages(gfp_t gfp, unsigned int order);
#define __get_free_page(gfp) __get_free_pages((gfp), 0)
/* get_zeroed_page - one zero-filled page, by address (0 on failure). */
unsigned long get_zeroed_page(gfp_t gfp);

/*
 * free_pages - __free_pages() by direct-map address.  0 is ignored; an address
 * outside the direct map or not page aligned is reported and refused.
 */
void free_pages(unsigned long addr, unsigned int order);
#define free_page(addr) free_pages((addr), 0)

/*
 * alloc_pages_exact - @size bytes rounded up to whole pages, physically contiguous;
 * the pages past the end of the rounded size are given back.  Free with
 * free_pages_exact() and the same @size.
 */
void *alloc_pages_exact(size_t size, gfp_t gfp);
void free_pages_exact(void *virt, size_t size);

/* The 6.12 spellings of allocation profiling (alloc_hooks()): the same calls. */
#define alloc_pages_noprof	 alloc_pages
#define alloc_pages_node_noprof	 alloc_pages_node
#define __alloc_pages_noprof	 __alloc_pages
#define get_free_pages_noprof	 __get_free_pages
#define get_zeroed_page_noprof	 get_zeroed_page
#define alloc_pages_exact_noprof alloc_pages_exact

/**
 * alloc_contig_pages - @nr_pages physically contiguous pages, of any number
 * (the kernel's, which serves gigantic pages and CMA-like users).
 * @gfp: the zones allowed and __GFP_ZERO; __GFP_COMP is not supported (reported, ignored).
 * @nid: the node to try first (NUMA_NO_NODE: the caller's); @nodemask: the
 *       nodes allowed (a bitmap; NULL for all).
 *
 * The run is made of free blocks of MAX_PAGE_ORDER next to each other, the
 * first aligned to 4 MiB; what the run does not need of its last block is
 * given back at once.  Unlike the kernel's, nothing in use is migrated out
 * of the way (nothing here can move): it fails when no such blocks are free,
 * or when taking them would bring the zone below its low watermark; it
 * neither reclaims nor warns.  Each page is an order-0 page with one
 * reference: free the run with free_contig_range(), or page by page.
 * Context: any thread.
 * Return: the first page, or NULL.
 */
struct page *alloc_contig_pages(unsigned long nr_pages, gfp_t gfp, int nid,
				const unsigned long *nodemask);
#define alloc_contig_pages_noprof alloc_contig_pages

/*
 * free_contig_range - drop a reference to each of the @nr_pages pages from
 * @pfn, freeing those whose last it was, as the kernel's: pages still
 * referenced elsewhere are counted in one warning.  A range beyond the
 * machine is reported and refused; a bad page is reported (and kept) as
 * __free_page() reports it.  No pages is a no-op, with or without a machine.
 */
void free_contig_range(unsigned long pfn, unsigned long nr_pages);

/*
 * split_page - turn a non-compound order-@order block into 2^order independent
 * order-0 pages, each with a reference count of 1.
 */
void split_page(struct page *page, unsigned int order);

/* --- the bulk page allocator (issue 15) --- */

struct list_head;

/**
 * alloc_pages_bulk_noprof - up to @nr_pages order-0 pages at once (the
 * kernel's __alloc_pages_bulk()).
 * @preferred_nid: the node to allocate on (NUMA_NO_NODE: the caller's).
 * @nodemask: the nodes allowed (a bitmap; NULL for all).
 * @page_list: if not NULL, the pages are added to it (through page->lru);
 * @page_array: else the array of @nr_pages slots: only its NULL slots are
 *              filled, in order.
 *
 * The pages come from the calling CPU's list for the first allowed zone of
 * @preferred_nid that stays above its low watermark with @nr_pages fewer
 * free pages, holding the CPU once for the run and zone->lock once per
 * refill batch.  When that cannot be done (one page wanted, no such zone,
 * the list empty), one page is allocated as alloc_pages() would, reclaim
 * included; with page debugging on, every page is.  So fewer pages than asked
 * for may come back: callers loop, as the kernel's do.  __GFP_ZERO zeroes each
 * page; fail_page_alloc may fail the whole call, as the kernel's.
 * Context: any thread.
 * Return: the number of populated entries: for an array, its slots from the
 * start up to the last one filled (pre-populated ones included: @nr_pages
 * when every slot is filled); for a list, the pages added.  Neither a list
 * nor an array is reported and refused (0).
 */
unsigned long alloc_pages_bulk_noprof(gfp_t gfp, int preferred_nid, const unsigned long *nodemask,
				      int nr_pages, struct list_head *page_list,
				      struct page **page_array);
#define __alloc_pages_bulk(...) alloc_pages_bulk_noprof(__VA_ARGS__)

/* alloc_pages_bulk_list - @nr_pages pages onto @list; the pages added. */
#define alloc_pages_bulk_list(gfp, nr_pages, list)                                                 \
	alloc_pages_bulk_noprof((gfp), NUMA_NO_NODE, NULL, (int)(nr_pages), (list), NULL)
/* alloc_pages_bulk_array - fill the NULL slots of @array (@nr_pages); the populated entries. */
#define alloc_pages_bulk_array(gfp, nr_pages, array)                                               \
	alloc_pages_bulk_noprof((gfp), NUMA_NO_NODE, NULL, (int)(nr_pages), NULL, (array))
/* alloc_pages_bulk_array_node - the same on node @nid. */
#define alloc_pages_bulk_array_node(gfp, nid, nr_pages, array)                                     \
	alloc_pages_bulk_noprof((gfp), (nid), NULL, (int)(nr_pages), NULL, (array))
/* alloc_pages_bulk - the array form under the name later kernels (6.14) give it. */
#define alloc_pages_bulk(gfp, nr_pages, array) alloc_pages_bulk_array((gfp), (nr_pages), (array))

KMM_END_DECLS

#endif /* KMM_GFP_H */
