/* SPDX-License-Identifier: MIT */
/*
 * kmm/highmem.h - high memory: pages the direct map does not cover, and the
 * temporary mappings that reach them (<linux/highmem.h>, mm/highmem.c).
 *
 * With highmem=SIZE the top SIZE bytes of physical memory are ZONE_HIGHMEM,
 * as on x86-32: their frames are in physical memory (the memfd) but not in the
 * direct map, so page_address() of such a page is NULL unless it is kmapped.
 * __GFP_HIGHMEM (GFP_HIGHUSER, GFP_HIGHUSER_MOVABLE, and vmalloc's pages) lets
 * an allocation take them, HighMem first.  To touch one:
 *  - kmap()/kunmap(): a mapping in the PKMAP area (LAST_PKMAP = 512 pages),
 *    shared by all threads, reference counted per page; while a page is
 *    kmapped, page_address() returns that address.  kmap() may sleep: when
 *    every entry is in use it waits for a kunmap().  Entries whose count drops
 *    to zero are cleared lazily, all at once, when the area wraps around (the
 *    kernel's flush_all_zero_pkmaps()), so a page kmapped again soon after
 *    usually gets its old address back without a system call.
 *  - kmap_local_page()/kunmap_local(): a slot of the calling thread's own
 *    stack of KM_MAX_IDX (16) slots in the kmap_local area; never sleeps,
 *    unmapped in reverse order (LIFO); the address is the thread's only.
 *    kmap_atomic()/kunmap_atomic() are the same (deprecated in the kernel).
 * Entries are written in the software page table and mirrored by a real
 * mapping of the frame (<kmm/pgtable.h>), so the kmapped address, a vmap()
 * of the page and any other mapping of it are the same bytes.
 *
 * A lowmem page needs none of that: kmap() and kmap_local_page() return its
 * direct-map address and unmapping it does nothing.  Without highmem= every
 * page is lowmem, and these are page_address().
 *
 * Context: kmap() may sleep (not from code that holds a CPU); the rest may
 * be called from any thread.  Bad input (kunmap() of a page that is not
 * kmapped, kunmap_local() of an address that is not this thread's last
 * kmap_local slot) is reported in one line and refused.
 */
#ifndef KMM_HIGHMEM_H
#define KMM_HIGHMEM_H

#include <string.h>
#include <kmm/mm.h>
#include <kmm/pgtable.h>
#include <kmm/types.h>

KMM_BEGIN_DECLS

/* PageHighMem - is @page above the direct map (in ZONE_HIGHMEM)? */
static inline bool PageHighMem(const struct page *page)
{
	return page_to_pfn(page) >= kmm_max_low_pfn;
}

/* is_highmem_idx - is the zone index @idx ZONE_HIGHMEM? */
static inline bool is_highmem_idx(int idx)
{
	return idx == ZONE_HIGHMEM;
}

/* is_highmem - is @zone a HighMem zone? */
static inline bool is_highmem(const struct zone *zone)
{
	return is_highmem_idx(zone->zone_idx);
}

/* The out-of-line halves, for highmem pages (src/highmem/, the kernel's mm/highmem.c). */
void *kmap_high(struct page *page);
void kunmap_high(struct page *page);
void *__kmap_local_page(struct page *page);
void kunmap_local_indexed(const void *vaddr);

/**
 * kmap - map @page for a while, in any thread's view.
 *
 * Context: may sleep (waits when all LAST_PKMAP entries are in use).
 * Return: the page's address: the direct map for lowmem, a PKMAP address for
 * highmem (page_address() returns it too, until the entry is cleared some time
 * after the last kunmap()); NULL, reported, for a page of no running machine.
 */
static inline void *kmap(struct page *page)
{
	if (kmm_likely(!PageHighMem(page)))
		return page_address(page);
	return kmap_high(page);
}

/*
 * kunmap - drop the kmap() of @page.  Lowmem: nothing.  A highmem page that
 * is not kmapped is reported and refused.
 */
static inline void kunmap(struct page *page)
{
	if (kmm_unlikely(PageHighMem(page)))
		kunmap_high(page);
}

/**
 * kmap_local_page - map @page for the calling thread, on its stack of slots.
 *
 * Context: any; never sleeps.  Unmap with kunmap_local() in reverse order.
 * Return: the direct-map address of a lowmem page (no slot used); a slot's
 * address for a highmem page; NULL (reported) when the thread's KM_MAX_IDX
 * slots are all in use.
 */
static inline void *kmap_local_page(struct page *page)
{
	if (kmm_likely(!PageHighMem(page)))
		return page_address(page);
	return __kmap_local_page(page);
}

/* kmap_local_folio - the kernel's folio spelling: @offset bytes into the (compound) @page. */
static inline void *kmap_local_folio(struct page *page, size_t offset)
{
	struct page *p = page + (offset >> PAGE_SHIFT);

	return (char *)kmap_local_page(p) + (offset & ~PAGE_MASK);
}

/*
 * kunmap_local - unmap the kmap_local_page() address @vaddr (any address
 * inside the page).  A direct-map address is left alone.  Anything but the
 * thread's most recent slot is reported and refused.
 */
static inline void kunmap_local(const void *vaddr)
{
	if (kmm_likely(virt_addr_valid(vaddr)))
		return;
	kunmap_local_indexed(vaddr);
}

/* kmap_atomic, kunmap_atomic - kmap_local_page() and kunmap_local(), as the kernel's. */
static inline void *kmap_atomic(struct page *page)
{
	return kmap_local_page(page);
}

static inline void kunmap_atomic(const void *addr)
{
	kunmap_local(addr);
}

/* kmap_to_page - the page mapped at the kmap(), kmap_local or direct-map address @addr. */
struct page *kmap_to_page(const void *addr);

/* nr_free_highpages - free pages in HighMem zones (not counting per-CPU lists). */
unsigned long nr_free_highpages(void);

/* Copying and zeroing through kmap_local_page(). */

/* clear_highpage - zero @page. */
static inline void clear_highpage(struct page *page)
{
	void *kaddr = kmap_local_page(page);

	memset(kaddr, 0, PAGE_SIZE);
	kunmap_local(kaddr);
}

/* copy_highpage - copy the bytes of @from to @to. */
static inline void copy_highpage(struct page *to, struct page *from)
{
	char *vfrom = (char *)kmap_local_page(from), *vto = (char *)kmap_local_page(to);

	memcpy(vto, vfrom, PAGE_SIZE);
	kunmap_local(vto);
	kunmap_local(vfrom);
}

/* memcpy_to_page - copy @len bytes of @from to @offset of @page (inside the page). */
static inline void memcpy_to_page(struct page *page, size_t offset, const void *from, size_t len)
{
	char *to = (char *)kmap_local_page(page);

	memcpy(to + offset, from, len);
	kunmap_local(to);
}

/* memcpy_from_page - copy @len bytes at @offset of @page to @to. */
static inline void memcpy_from_page(void *to, struct page *page, size_t offset, size_t len)
{
	char *from = (char *)kmap_local_page(page);

	memcpy(to, from + offset, len);
	kunmap_local(from);
}

/* memcpy_page - copy @len bytes from @src_off of @src_page to @dst_off of @dst_page. */
static inline void memcpy_page(struct page *dst_page, size_t dst_off, struct page *src_page,
			       size_t src_off, size_t len)
{
	char *src = (char *)kmap_local_page(src_page), *dst = (char *)kmap_local_page(dst_page);

	memcpy(dst + dst_off, src + src_off, len);
	kunmap_local(dst);
	kunmap_local(src);
}

/* memset_page - set @len bytes at @offset of @page to @val. */
static inline void memset_page(struct page *page, size_t offset, int val, size_t len)
{
	char *addr = (char *)kmap_local_page(page);

	memset(addr + offset, val, len);
	kunmap_local(addr);
}

/* memzero_page - zero @len bytes at @offset of @page. */
static inline void memzero_page(struct page *page, size_t offset, size_t len)
{
	memset_page(page, offset, 0, len);
}

/*
 * zero_user_segments - zero [@start1, @end1) and [@start2, @end2) of the
 * (compound) @page, page by page through kmap_local_page().
 */
static inline void zero_user_segments(struct page *page, unsigned int start1, unsigned int end1,
				      unsigned int start2, unsigned int end2)
{
	unsigned int i, nr = (unsigned int)compound_nr(page);

	for (i = 0; i < nr; i++) {
		unsigned int lo = i * (unsigned int)PAGE_SIZE, hi = lo + (unsigned int)PAGE_SIZE;
		char *kaddr;

		if ((end1 <= lo || start1 >= hi) && (end2 <= lo || start2 >= hi))
			continue;
		kaddr = (char *)kmap_local_page(page + i);
		if (end1 > lo && start1 < hi)
			memset(kaddr + (start1 > lo ? start1 - lo : 0), 0,
			       (end1 < hi ? end1 : hi) - (start1 > lo ? start1 : lo));
		if (end2 > lo && start2 < hi)
			memset(kaddr + (start2 > lo ? start2 - lo : 0), 0,
			       (end2 < hi ? end2 : hi) - (start2 > lo ? start2 : lo));
		kunmap_local(kaddr);
	}
}

static inline void zero_user_segment(struct page *page, unsigned int start, unsigned int end)
{
	zero_user_segments(page, start, end, 0, 0);
}

static inline void zero_user(struct page *page, unsigned int start, unsigned int size)
{
	zero_user_segments(page, start, start + size, 0, 0);
}

KMM_END_DECLS

#endif /* KMM_HIGHMEM_H */
