/* SPDX-License-Identifier: MIT */
/*
 * pagetable/internal.h - what the page-table files share with each other and
 * with src/vmalloc/: table pages, the emulated MMU (real mappings that mirror
 * the table), and the range operations vmalloc maps and unmaps areas with.
 *
 * pgtable.c owns the kernel address layout (the vmalloc area's reservation),
 * kmm_init_mm and its table pages, and apply_to_page_range(); mmu.c the real
 * mappings; vmap.c writing and clearing the entries of a range.
 *
 * Locking: kmm_init_mm.page_table_lock is taken to install a table page in an
 * empty entry (or, for a 2 MiB leaf, to take an empty pte table out), and for
 * nothing else; no other lock is taken under it and it is never held across a
 * page allocation or a system call.  Leaf entries are written without a lock
 * by the owner of their range.  The real mappings of a range are changed by
 * its owner too (mmap(MAP_FIXED) of disjoint ranges need no lock).
 */
#ifndef KMM_PAGETABLE_INTERNAL_H
#define KMM_PAGETABLE_INTERNAL_H

#include <sys/mman.h>
#include <kmm/pgtable.h>

/* The vmalloc area is aligned to a pud entry, so 2 MiB leaves and tables line up. */
#define VMALLOC_ALIGN PUD_SIZE

/*
 * The flags of the reservation (with PROT_NONE): anonymous, private, no swap
 * reserved.  Whatever gives a range back to the reservation maps it with
 * exactly these, so the host merges it with the reservation around it.
 */
#define MAP_RESERVATION (MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE)

/* The flags for allocating a table page: zeroed, may sleep. */
#define GFP_PGTABLE_KERNEL (GFP_KERNEL | __GFP_ZERO)

/* in_vmalloc_area - does [@start, @end) lie inside the vmalloc area? */
static inline bool in_vmalloc_area(unsigned long start, unsigned long end)
{
	return start >= VMALLOC_START && end <= VMALLOC_END && start < end;
}

/*
 * in_kernel_table_area - does [@start, @end) lie inside the address space the
 * table describes: the vmalloc area, and with highmem= the kmap areas after it?
 */
static inline bool in_kernel_table_area(unsigned long start, unsigned long end)
{
	unsigned long top = kmm_kmap_local_end ? kmm_kmap_local_end : VMALLOC_END;

	return start >= VMALLOC_START && end <= top && start < end;
}

/*
 * The tables below pgd: made on demand from the page allocator (zeroed,
 * PageTable, counted in NR_ZONE_PAGETABLE), installed under page_table_lock.
 * Each returns the entry for @addr at its level, or NULL when no page is left.
 */
pud_t *pud_alloc(struct mm_struct *mm, p4d_t *p4d, unsigned long addr);
pmd_t *pmd_alloc(struct mm_struct *mm, pud_t *pud, unsigned long addr);
pte_t *pte_alloc_kernel(pmd_t *pmd, unsigned long addr);

static inline p4d_t *p4d_alloc(struct mm_struct *mm, pgd_t *pgd, unsigned long addr)
{
	(void)mm;
	return p4d_offset(pgd, addr);
}

/*
 * pmd_free_pte_page - before a 2 MiB leaf goes into @pmd: take out and free
 * the pte table it points to, if every entry of that table is none.
 * Return: true if @pmd is now none (it was, or the table was freed).
 */
bool pmd_free_pte_page(pmd_t *pmd);

/* mmu.c: the real mappings */

/* The pfn of a run of inaccessible pages (entries that are none or not present). */
#define MMU_NO_PFN (~0UL)

/*
 * A run of pages to map in one call: consecutive addresses, consecutive frames
 * (or all inaccessible) and one protection.  Walks add pages to a run while
 * they extend it and flush it when one does not.
 */
struct mmu_run {
	unsigned long addr; /* the first page's address */
	unsigned long nr;   /* pages in the run; 0 for none yet */
	unsigned long pfn;  /* the first page's frame, or MMU_NO_PFN */
	int prot;	    /* PROT_* of the run (PROT_NONE with MMU_NO_PFN) */
	int err;	    /* the first error of a flush, 0 if none */
	bool nomem_ok;	    /* a mapping the host refuses with ENOMEM is not reported */
	bool in_place;	    /* MMU_NO_PFN: revoke the mirrors in place, keeping their host
			       mappings (the vmalloc purge), not give the range back */
};

/* pgprot_to_mmap_prot - the mmap() protection of entries with the flags @prot. */
static inline int pgprot_to_mmap_prot(pgprot_t prot)
{
	pgprotval_t v = pgprot_val(prot);

	if (!(v & _PAGE_PRESENT))
		return PROT_NONE;
	return PROT_READ | ((v & _PAGE_RW) ? PROT_WRITE : 0) | ((v & _PAGE_NX) ? 0 : PROT_EXEC);
}

/*
 * mmu_run_flush - map the pages of @run, or (MMU_NO_PFN) give them back to
 * the reservation, or with run->in_place revoke their mirrors in place; an
 * error goes to run->err.  A mapping refused for want of host mappings
 * (ENOMEM: vm.max_map_count) is reported unless run->nomem_ok, for callers
 * that fail an allocation instead.
 */
void mmu_run_flush(struct mmu_run *run);

/* mmu_run_add - add @nr pages at @addr (frames from @pfn, or MMU_NO_PFN) with @prot to @run. */
static inline void mmu_run_add(struct mmu_run *run, unsigned long addr, unsigned long nr,
			       unsigned long pfn, int prot)
{
	if (kmm_likely(run->nr && addr == run->addr + (run->nr << PAGE_SHIFT) &&
		       prot == run->prot &&
		       (pfn == MMU_NO_PFN ? run->pfn == MMU_NO_PFN
					  : run->pfn != MMU_NO_PFN && pfn == run->pfn + run->nr))) {
		run->nr += nr;
		return;
	}
	if (run->nr)
		mmu_run_flush(run);
	run->addr = addr;
	run->nr = nr;
	run->pfn = pfn;
	run->prot = prot;
}

/* vmap.c: the entries of a range */

/**
 * vmap_pages_range - map @pages at [@addr, @end) with @prot: write the entries
 * (making tables) and mirror them, one mmap() per physically contiguous run.
 * @page_shift: PAGE_SHIFT for ptes; PMD_SHIFT for 2 MiB leaves where the range
 *              and 512 consecutive pages line up (ptes elsewhere).
 * Context: the caller owns the range, whose entries are none.
 * Return: 0; -ENOMEM: no table page, or the host refused a mapping for want
 * of host mappings (vm.max_map_count; not reported, the caller fails its
 * allocation); -EINVAL (a NULL page) or -EBUSY (an entry present), reported.
 * The mapping stops at the first error; the entries written so far stay,
 * for the caller's unmap to clear.
 */
int vmap_pages_range(unsigned long addr, unsigned long end, pgprot_t prot, struct page **pages,
		     unsigned int page_shift);

/*
 * vunmap_range_noflush - clear the entries (ptes and leaves) of [@start, @end);
 * the real mappings stay until flush_tlb_kernel_range() of the range.  Empty
 * tables are kept, as the kernel keeps them.
 */
void vunmap_range_noflush(unsigned long start, unsigned long end);

#endif /* KMM_PAGETABLE_INTERNAL_H */
