/* SPDX-License-Identifier: MIT */
/*
 * pagetable/vmap.c - writing and clearing the entries of a range: what
 * vmalloc, vmap and vm_map_ram map areas with (the page-table half of the
 * kernel's mm/vmalloc.c: vmap_pages_range(), vunmap_range_noflush()).
 *
 * vmap_pages_range() mirrors as it writes: each entry extends the current run
 * (consecutive frames, one protection) or flushes it as one mmap() and starts
 * a new one, so mapping costs one system call per physically contiguous run
 * and no second walk, and one host mapping per run.  With page_shift
 * PMD_SHIFT, every 2 MiB of the range that is 2 MiB aligned in both address
 * and frames becomes a pmd leaf.  A mapping the host refuses for want of host
 * mappings stops the walk with -ENOMEM, unreported: the caller fails (or
 * retries) its allocation.
 *
 * Locking: the caller owns the range; tables are installed under
 * kmm_init_mm.page_table_lock by pgtable.c.
 */
#include <errno.h>
#include <string.h>

#include "pagetable/internal.h"
#include "report/report.h"

/* The state of one vmap_pages_range() call. */
struct vmap_cursor {
	struct page **pages; /* the next page to map */
	pgprot_t prot;	     /* the entries' protection */
	int mmap_prot;	     /* the same, for mmap() */
	struct mmu_run run;  /* the run being collected */
};

/*
 * pages_contiguous - how many of @pages[0..@nr) are consecutive struct pages
 * (so consecutive frames) from @pages[0]: at least 1.  Four entries are
 * compared per branch while the run lasts: the arrays of vmalloc are long runs.
 */
static unsigned long pages_contiguous(struct page *const *pages, unsigned long nr)
{
	struct page *first = pages[0];
	unsigned long run;

	for (run = 1; run + 4 <= nr; run += 4)
		if ((pages[run] != first + run) | (pages[run + 1] != first + run + 1) |
		    (pages[run + 2] != first + run + 2) | (pages[run + 3] != first + run + 3))
			break;
	for (; run < nr && pages[run] == first + run; run++)
		;
	return run;
}

/*
 * vmap_pte_range - the ptes of [@addr, @end), one table.  Pages are taken a
 * physically contiguous run at a time, whose entries are one simple loop.
 */
static int vmap_pte_range(struct vmap_cursor *c, pmd_t *pmd, unsigned long addr, unsigned long end)
{
	pte_t *pte = pte_alloc_kernel(pmd, addr);
	unsigned long nr = (end - addr) >> PAGE_SHIFT, run, i, used;
	pteval_t entry;

	if (!pte)
		return -ENOMEM;
	while (nr) {
		struct page *first = c->pages[0];

		if (kmm_unlikely(!first)) {
			kmm_report("WARNING: vmap_pages_range: NULL page at 0x%lx, refused", addr);
			return -EINVAL;
		}
		run = pages_contiguous(c->pages, nr);
		entry = pte_val(pfn_pte(page_to_pfn(first), c->prot));
		/* The range is the caller's and unpublished: plain stores, checked as they go. */
		used = 0;
		for (i = 0; i < run; i++) {
			used |= pte[i].pte;
			pte[i].pte = entry + (i << PAGE_SHIFT);
		}
		if (kmm_unlikely(used)) {
			kmm_report("WARNING: vmap_pages_range: entry already present in [0x%lx, "
				   "0x%lx), "
				   "refused",
				   addr, addr + (run << PAGE_SHIFT));
			return -EBUSY;
		}
		mmu_run_add(&c->run, addr, run, page_to_pfn(first), c->mmap_prot);
		if (kmm_unlikely(c->run.err))
			return c->run.err;
		c->pages += run;
		pte += run;
		addr += run << PAGE_SHIFT;
		nr -= run;
	}
	return 0;
}

/* Can the 2 MiB at @addr be one leaf: the next 512 pages consecutive frames, 2 MiB aligned? */
static bool vmap_pmd_fits(const struct vmap_cursor *c, unsigned long addr, unsigned long next)
{
	if (next - addr != PMD_SIZE || (addr & ~PMD_MASK) || !c->pages[0])
		return false;
	if (page_to_pfn(c->pages[0]) & (PTRS_PER_PTE - 1))
		return false;
	return pages_contiguous(c->pages, PTRS_PER_PTE) == PTRS_PER_PTE;
}

static int vmap_pmd_range(struct vmap_cursor *c, pud_t *pud, unsigned long addr, unsigned long end,
			  unsigned int page_shift)
{
	pmd_t *pmd = pmd_alloc(&kmm_init_mm, pud, addr);
	unsigned long next;
	int err;

	if (!pmd)
		return -ENOMEM;
	for (; addr < end; addr = next, pmd++) {
		next = pmd_addr_end(addr, end);
		if (page_shift == PMD_SHIFT && vmap_pmd_fits(c, addr, next) &&
		    pmd_free_pte_page(pmd)) {
			unsigned long pfn = page_to_pfn(c->pages[0]);

			set_pmd(pmd, pfn_pmd(pfn, __pgprot(pgprot_val(c->prot) | _PAGE_PSE)));
			mmu_run_add(&c->run, addr, PTRS_PER_PTE, pfn, c->mmap_prot);
			if (kmm_unlikely(c->run.err))
				return c->run.err;
			c->pages += PTRS_PER_PTE;
			continue;
		}
		if (kmm_unlikely(pmd_leaf(pmdp_get(pmd)))) {
			kmm_report(
				"WARNING: vmap_pages_range: leaf already present at 0x%lx, refused",
				addr);
			return -EBUSY;
		}
		err = vmap_pte_range(c, pmd, addr, next);
		if (err)
			return err;
	}
	return 0;
}

int vmap_pages_range(unsigned long addr, unsigned long end, pgprot_t prot, struct page **pages,
		     unsigned int page_shift)
{
	struct vmap_cursor c = {pages, prot, pgprot_to_mmap_prot(prot), {.nomem_ok = true}};
	unsigned long next, pud_next;
	int err = 0;

	if (!in_vmalloc_area(addr, end))
		return -EINVAL;
	for (; addr < end && !err; addr = next) {
		p4d_t *p4d = p4d_alloc(&kmm_init_mm, pgd_offset_k(addr), addr);
		pud_t *pud = pud_alloc(&kmm_init_mm, p4d, addr);

		next = pgd_addr_end(addr, end);
		if (!pud) {
			err = -ENOMEM;
			break;
		}
		for (; addr < next && !err; addr = pud_next, pud++) {
			pud_next = pud_addr_end(addr, next);
			err = vmap_pmd_range(&c, pud, addr, pud_next, page_shift);
		}
	}
	mmu_run_flush(&c.run);
	return err ? err : c.run.err;
}

static void vunmap_pte_range(pmd_t pmd, unsigned long addr, unsigned long end)
{
	pte_t *pte = (pte_t *)pmd_page_vaddr(pmd) + pte_index(addr);

	/* pte_clear() of each entry, as one store loop: the range is the caller's. */
	memset(pte, 0, ((end - addr) >> PAGE_SHIFT) * sizeof(*pte));
}

static void vunmap_pmd_range(pud_t pud, unsigned long addr, unsigned long end)
{
	pmd_t *pmd = pud_pgtable(pud) + pmd_index(addr);
	unsigned long next;

	for (; addr < end; addr = next, pmd++) {
		pmd_t v = pmdp_get(pmd);

		next = pmd_addr_end(addr, end);
		if (pmd_none(v))
			continue;
		if (pmd_leaf(v)) {
			/* A leaf goes whole: vmalloc_huge() areas are 2 MiB aligned and sized. */
			if (next - addr == PMD_SIZE)
				pmd_clear(pmd);
			else
				kmm_report(
					"WARNING: vunmap_range: part of the 2 MiB leaf at 0x%lx, "
					"refused",
					addr & PMD_MASK);
			continue;
		}
		vunmap_pte_range(v, addr, next);
	}
}

void vunmap_range_noflush(unsigned long start, unsigned long end)
{
	unsigned long addr, next, pud_next;

	if (!in_vmalloc_area(start, end))
		return;
	for (addr = start; addr < end; addr = next) {
		p4d_t p4d = p4dp_get(p4d_offset(pgd_offset_k(addr), addr));
		pud_t *pud;

		next = pgd_addr_end(addr, end);
		if (p4d_none(p4d))
			continue;
		pud = p4d_pgtable(p4d) + pud_index(addr);
		for (; addr < next; addr = pud_next, pud++) {
			pud_t v = pudp_get(pud);

			pud_next = pud_addr_end(addr, next);
			if (!pud_none(v))
				vunmap_pmd_range(v, addr, pud_next);
		}
	}
}
