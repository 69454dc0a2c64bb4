/* SPDX-License-Identifier: MIT */
/*
 * kmm/vmalloc.h - virtually contiguous memory (<linux/vmalloc.h>), and
 * kvmalloc() and friends (<linux/slab.h>, <linux/mm.h>).
 *
 * vmalloc() hands out memory that is contiguous in the vmalloc area
 * (VMALLOC_START..VMALLOC_END, <kmm/pgtable.h>) and made of pages from the
 * page allocator wherever they are: it finds a free range of the area, takes
 * the pages, and writes page-table entries that map the range onto them.  The
 * mapping is real, so an area's bytes and its pages' direct-map bytes
 * (page_address(vmalloc_to_page(p))) are the same memory.
 *
 * Address space.  Free ranges are kept in an address-sorted tree augmented
 * with the largest free range below each node, so the lowest fitting range
 * is found in O(log n), as the kernel's rb-tree does.  Every area is followed
 * by a guard page (unless VM_NO_GUARD) that is never mapped: running off the
 * end of an area faults.  Freed ranges are reused, after a purge (below).
 *
 * Pages.  vmalloc() takes the largest blocks the page allocator has free
 * without reclaiming (up to 4 MiB), then order-0 pages, and splits every
 * block (split_page()), so vm_struct.pages[] holds order-0 pages as in the
 * kernel.  Physically contiguous pages are mapped with one mmap(), so a
 * 16 MiB vmalloc() is usually one system call.  vfree() gives each block back
 * whole.
 *
 * Lazy unmapping.  vfree() clears the area's entries at once but revokes its
 * real mapping later, in a purge that revokes many freed areas (merged into
 * runs, one call each) at a time: the kernel's lazy TLB flush, done when more
 * than lazy_max_pages() (32 MiB per log2 of the CPUs) wait, when the area runs
 * out of space, or on vm_unmap_aliases().  Until its purge, a freed range is not
 * handed out again, and touching it still reaches its old pages (the kernel's
 * stale TLB entries); the guard pages and never-allocated space always fault.
 *
 * Context: every call may be made from any thread; vmalloc() and friends may
 * sleep (GFP_KERNEL reclaim), vfree() may wait for a purge; vfree_atomic()
 * never waits for one.  An area's owner may free it from any thread.
 * Limits of the host: a live area holds one of the process's memory mappings
 * per physically contiguous run, plus one for the split of the reservation
 * at its guard page, so vm.max_map_count (usually 65530) bounds the live
 * areas at about 32000.  Freed areas give theirs back: a purge keeps up to
 * about a quarter of that limit for reuse, vm_unmap_aliases() gives back
 * everything, and when the host refuses a mapping the call purges, gives
 * back and retries before it fails (NULL, as when memory runs out).
 */
#ifndef KMM_VMALLOC_H
#define KMM_VMALLOC_H

#include <kmm/gfp.h>
#include <kmm/list.h>
#include <kmm/mm.h>
#include <kmm/pgtable.h>
#include <kmm/slab.h>

KMM_BEGIN_DECLS

/* vm_struct.flags, the kernel's values. */
#define VM_ALLOC	   0x00000002 /* vmalloc(): pages allocated and freed with the area */
#define VM_MAP		   0x00000004 /* vmap(): the caller's pages */
#define VM_UNINITIALIZED   0x00000020 /* still being set up (vmallocinfo skips it) */
#define VM_NO_GUARD	   0x00000040 /* no guard page after the area */
#define VM_MAP_PUT_PAGES   0x00000200 /* vmap(): vfree() frees the pages and the array */
#define VM_ALLOW_HUGE_VMAP 0x00000400 /* may be mapped with 2 MiB leaves */

/* vmap_area.flags: an area of vm_map_ram() (no vm_struct). */
#define VMAP_RAM 0x1

/* The links of a vmap area in its address-sorted tree (the kernel's rb_node; an AVL tree here). */
struct vmap_tree_node {
	struct vmap_area *left;	 /* areas below */
	struct vmap_area *right; /* areas above */
	int height;		 /* of the subtree rooted here (a leaf is 1) */
};

/* A range of the vmalloc area: free, in use (busy) or freed and waiting for the purge. */
struct vmap_area {
	unsigned long va_start;	    /* first address */
	unsigned long va_end;	    /* one past the last (the guard page included) */
	struct vmap_tree_node node; /* in the free, busy or purge tree */
	struct list_head list;	    /* in the same tree's address-sorted list */
	union {
		unsigned long subtree_max_size; /* free tree: the largest range in the subtree */
		struct vm_struct *vm;		/* busy tree: the area (NULL for vm_map_ram) */
	};
	unsigned long flags; /* VMAP_RAM */
};

/* An area of vmalloc(), vmap() or get_vm_area(). */
struct vm_struct {
	struct vm_struct *next;	      /* the kernel's early-boot vmlist link; always NULL here */
	void *addr;		      /* first address */
	unsigned long size;	      /* bytes, the guard page included */
	unsigned long flags;	      /* VM_* */
	struct page **pages;	      /* the pages mapped, in order (vmalloc, VM_MAP_PUT_PAGES) */
	unsigned int page_order;      /* 9 when mapped with 2 MiB leaves, else 0 */
	unsigned int nr_pages;	      /* entries of pages[] */
	phys_addr_t phys_addr;	      /* ioremap's physical address; 0 here */
	const void *caller;	      /* who asked for it, for vmallocinfo */
	unsigned long requested_size; /* bytes asked for (vrealloc() may change it) */
};

/* get_vm_area_size - the usable bytes of @area (without its guard page). */
static inline size_t get_vm_area_size(const struct vm_struct *area)
{
	if (!(area->flags & VM_NO_GUARD))
		return area->size - PAGE_SIZE;
	return area->size;
}

/* is_vmalloc_addr - is @x inside the vmalloc area? */
static inline bool is_vmalloc_addr(const void *x)
{
	return (unsigned long)x - VMALLOC_START < VMALLOC_END - VMALLOC_START;
}

/**
 * vmalloc_to_page - the page mapped at @addr, by walking the page table
 * (inline: four loads).  Context: any thread.
 * Return: the page; NULL if nothing is mapped there (also for addresses
 * outside the vmalloc area, and before boot).
 */
static inline struct page *vmalloc_to_page(const void *addr)
{
	unsigned long a = (unsigned long)addr;
	p4d_t p4d = p4dp_get(p4d_offset(pgd_offset_k(a), a));
	pud_t pud;
	pmd_t pmd;
	pte_t pte;

	if (p4d_none(p4d))
		return NULL;
	pud = pudp_get(p4d_pgtable(p4d) + pud_index(a));
	if (pud_none(pud))
		return NULL;
	if (kmm_unlikely(pud_leaf(pud)))
		return pfn_to_page(pud_pfn(pud) + ((a & ~PUD_MASK) >> PAGE_SHIFT));
	pmd = pmdp_get(pud_pgtable(pud) + pmd_index(a));
	if (pmd_none(pmd))
		return NULL;
	if (pmd_leaf(pmd))
		return pfn_to_page(pmd_pfn(pmd) + pte_index(a));
	pte = ptep_get((pte_t *)pmd_page_vaddr(pmd) + pte_index(a));
	return pte_present(pte) ? pte_page(pte) : NULL;
}

/* vmalloc_to_pfn - the frame mapped at @addr, 0 if none. */
static inline unsigned long vmalloc_to_pfn(const void *addr)
{
	struct page *page = vmalloc_to_page(addr);

	return page ? page_to_pfn(page) : 0;
}

/**
 * vmalloc - @size bytes, virtually contiguous, in whole pages (GFP_KERNEL).
 *
 * Context: a thread that may sleep.
 * Return: the area's address (page aligned); NULL for 0 (with a one-time
 * warning, as the kernel), or when address space or memory runs out (a
 * "vmalloc error" report, with the page allocator's Mem-Info).
 */
void *vmalloc(unsigned long size);
/* vzalloc - vmalloc() zeroed. */
void *vzalloc(unsigned long size);
/* vmalloc_node - vmalloc() with the pages on node @node (NUMA_NO_NODE: the caller's). */
void *vmalloc_node(unsigned long size, int node);
/* vzalloc_node - vmalloc_node() zeroed. */
void *vzalloc_node(unsigned long size, int node);
/* __vmalloc - vmalloc() with @gfp_mask for the pages (GFP_DMA32, __GFP_ZERO, __GFP_NOWARN...). */
void *__vmalloc(unsigned long size, gfp_t gfp_mask);
/* vmalloc_32 - vmalloc() of pages below 4 GiB (GFP_DMA32). */
void *vmalloc_32(unsigned long size);
/*
 * vmalloc_huge - vmalloc() that maps with 2 MiB leaves (one mmap() each) when
 * @size is at least 2 MiB: the area is 2 MiB aligned and sized and its pages
 * come in 2 MiB blocks; without such blocks, ptes as vmalloc().
 */
void *vmalloc_huge(unsigned long size, gfp_t gfp_mask);
/* vmalloc_array - vmalloc() of @n * @size bytes; NULL if that overflows. */
void *vmalloc_array(size_t n, size_t size);
/* vcalloc - vmalloc_array() zeroed. */
void *vcalloc(size_t n, size_t size);

/*
 * __vmalloc_node - vmalloc() with an alignment (a power of two), flags, node
 * and the caller vmallocinfo shows.
 */
void *__vmalloc_node(unsigned long size, unsigned long align, gfp_t gfp_mask, int node,
		     const void *caller);
/**
 * __vmalloc_node_range - the heart of every vmalloc(): an area in [@start,
 * @end) (inside the vmalloc area) aligned to @align, mapped with @prot
 * (PAGE_KERNEL, PAGE_KERNEL_RO...), @vm_flags (VM_NO_GUARD,
 * VM_ALLOW_HUGE_VMAP) added to VM_ALLOC, pages from @node.
 * Return: the address or NULL, as vmalloc().
 */
void *__vmalloc_node_range(unsigned long size, unsigned long align, unsigned long start,
			   unsigned long end, gfp_t gfp_mask, pgprot_t prot, unsigned long vm_flags,
			   int node, const void *caller);

/**
 * vrealloc - resize the vmalloc() area @p to @size bytes, keeping its contents.
 *
 * An area whose pages already hold @size bytes is kept (with __GFP_ZERO, the
 * bytes past the old size are zeroed); otherwise a new area gets the contents
 * and @p is freed.  vrealloc(NULL, n) is __vmalloc(n); vrealloc(p, 0) frees @p.
 * Return: the area, or NULL (@p untouched) when memory runs out; NULL with a
 * report when @p is not an area of vmalloc().
 */
void *vrealloc(const void *p, size_t size, gfp_t flags);

/**
 * vfree - free the area of vmalloc() (or vmap(), vmalloc_huge()...) at @addr
 * and the pages it allocated.
 *
 * NULL is ignored.  An address that is not the start of a live area (an
 * address inside one, a freed area, a kmalloc pointer, any other address) is
 * reported ("Trying to vfree() nonexistent vm area") and refused.
 * Context: a thread that may sleep: it may purge lazily freed areas.
 */
void vfree(const void *addr);
/* vfree_atomic - vfree() that never waits for a purge (it leaves it to a later call). */
void vfree_atomic(const void *addr);

/**
 * vmap - map @count pages at consecutive addresses of a new area.
 * @flags: VM_MAP (vmallocinfo says "vmap"), VM_MAP_PUT_PAGES (vfree() will
 *         free the pages and the @pages array, which must be kvmalloc'ed).
 * @prot: PAGE_KERNEL, or PAGE_KERNEL_RO for a mapping that faults on write.
 * Return: the address, or NULL.  The pages stay the caller's (unless
 * VM_MAP_PUT_PAGES); the same page may be mapped several times.
 */
void *vmap(struct page **pages, unsigned int count, unsigned long flags, pgprot_t prot);
/* vunmap - unmap the area of vmap() at @addr (bad addresses as for vfree()). */
void vunmap(const void *addr);

/*
 * vm_map_ram - vmap() without a vm_struct and without a guard page, for
 * short-lived mappings (vmallocinfo says "vm_map_ram").  Free with
 * vm_unmap_ram() and the same @count.
 */
void *vm_map_ram(struct page **pages, unsigned int count, int node);
void vm_unmap_ram(const void *mem, unsigned int count);

/*
 * vm_unmap_aliases - purge every lazily freed area now: afterwards no freed
 * area is mapped anywhere, and all their ranges may be handed out again.
 */
void vm_unmap_aliases(void);

/* find_vm_area - the area of vmalloc()/vmap()/get_vm_area() containing @addr, or NULL. */
struct vm_struct *find_vm_area(const void *addr);

/**
 * get_vm_area - reserve @size bytes (rounded up to pages, plus a guard page
 * unless VM_NO_GUARD in @flags) of the vmalloc area, mapping nothing: fill it
 * with apply_to_page_range() and give it back with free_vm_area().
 * Return: the area, or NULL.
 */
struct vm_struct *get_vm_area(unsigned long size, unsigned long flags);
struct vm_struct *get_vm_area_caller(unsigned long size, unsigned long flags, const void *caller);
/* __get_vm_area_caller - get_vm_area() inside [@start, @end). */
struct vm_struct *__get_vm_area_caller(unsigned long size, unsigned long flags, unsigned long start,
				       unsigned long end, const void *caller);
/*
 * remove_vm_area - take the area at @addr out of use (its entries cleared,
 * its range freed lazily) and return it, for the caller to free; NULL if
 * there is no area starting at @addr.
 */
struct vm_struct *remove_vm_area(const void *addr);
/* free_vm_area - remove_vm_area() and free the struct. */
void free_vm_area(struct vm_struct *area);

/* vmalloc_nr_pages - pages held by vmalloc() areas (meminfo's VmallocUsed). */
unsigned long vmalloc_nr_pages(void);

/**
 * kvmalloc_node - @size bytes from kmalloc_node() if it can have them at once,
 * else from vmalloc (the kernel's kvmalloc_node()).
 *
 * Above a page, kmalloc is tried with __GFP_NOWARN and __GFP_NORETRY (no
 * warning, little reclaim) and vmalloc, with 2 MiB leaves where they fit, takes
 * over when it fails; up to a page, kmalloc's answer is final.  Flags that
 * cannot sleep (GFP_ATOMIC) never fall back to vmalloc.
 * Return: the memory (free with kvfree()), or NULL.
 */
void *kvmalloc_node(size_t size, gfp_t flags, int node);

static inline void *kvmalloc(size_t size, gfp_t flags)
{
	return kvmalloc_node(size, flags, NUMA_NO_NODE);
}

static inline void *kvzalloc(size_t size, gfp_t flags)
{
	return kvmalloc_node(size, flags | __GFP_ZERO, NUMA_NO_NODE);
}

static inline void *kvzalloc_node(size_t size, gfp_t flags, int node)
{
	return kvmalloc_node(size, flags | __GFP_ZERO, node);
}

/* kvmalloc_array - kvmalloc() of @n * @size bytes; NULL if that overflows. */
static inline void *kvmalloc_array(size_t n, size_t size, gfp_t flags)
{
	size_t bytes;

	if (kmm_unlikely(__builtin_mul_overflow(n, size, &bytes)))
		return NULL;
	return kvmalloc(bytes, flags);
}

/* kvcalloc - kvmalloc_array() zeroed. */
static inline void *kvcalloc(size_t n, size_t size, gfp_t flags)
{
	return kvmalloc_array(n, size, flags | __GFP_ZERO);
}

/**
 * kvrealloc - resize memory of kvmalloc() to @size bytes, keeping the contents:
 * krealloc() for kmalloc memory (falling back to kvmalloc() and a copy),
 * vrealloc() for vmalloc memory.
 * Return: the memory, or NULL (@p untouched).
 */
void *kvrealloc(const void *p, size_t size, gfp_t flags);

/* kvfree - free memory of kvmalloc(): vfree() or kfree() by its address.  NULL is ignored. */
static inline void kvfree(const void *addr)
{
	if (is_vmalloc_addr(addr))
		vfree(addr);
	else
		kfree(addr);
}

/* The 6.12 spellings of allocation profiling (alloc_hooks()): the same calls. */
#define vmalloc_noprof		    vmalloc
#define vzalloc_noprof		    vzalloc
#define vmalloc_node_noprof	    vmalloc_node
#define vzalloc_node_noprof	    vzalloc_node
#define __vmalloc_noprof	    __vmalloc
#define vmalloc_32_noprof	    vmalloc_32
#define vmalloc_huge_noprof	    vmalloc_huge
#define vmalloc_array_noprof	    vmalloc_array
#define vcalloc_noprof		    vcalloc
#define __vmalloc_node_noprof	    __vmalloc_node
#define __vmalloc_node_range_noprof __vmalloc_node_range
#define vrealloc_noprof		    vrealloc
#define kvmalloc_node_noprof	    kvmalloc_node
#define kvrealloc_noprof	    kvrealloc

KMM_END_DECLS

#endif /* KMM_VMALLOC_H */
