/* SPDX-License-Identifier: MIT */
/*
 * pagetable/mmu.c - the emulated MMU: real mappings of the process that mirror
 * the software page table, and flush_tlb_kernel_range().
 *
 * A present entry for frame F at address A is mirrored by a shared mapping of
 * byte F << PAGE_SHIFT of the physical-memory memfd at A, with the entry's
 * protection; that is what makes the vmalloc address and the direct-map
 * address of a frame the same bytes.  Runs of pages with consecutive frames
 * and one protection are mapped with one mmap(MAP_FIXED), so a physically
 * contiguous vmalloc area costs one system call however large it is.
 *
 * Host mappings.  Each mirror run is one of the process's mappings (VMAs),
 * and the host allows vm.max_map_count of them (usually 65530).  The
 * reservation is one mapping (anonymous, PROT_NONE, MAP_NORESERVE: it costs
 * no memory); a mirror inside it splits it, so an area costs its runs plus
 * one (its guard page stays the reservation, which a neighbour's mirror
 * fences off).  Where neighbouring mirrors map adjacent memfd offsets with
 * one protection, the host merges them.  Unmapping gives a range back:
 * mmu_give_back() maps it anonymous PROT_NONE with the reservation's flags
 * (MAP_RESERVATION), which the host merges with the reservation around it,
 * so the host mappings it held are returned, whatever the mirrors were.  A
 * run flagged in_place is revoked in place instead (mprotect(PROT_NONE)):
 * its mirrors stay host mappings, and the next mirror at the same place
 * replaces one like for like, about half the cost of splitting the
 * reservation; vmalloc's purge and kmap_local use that, and vmalloc gives
 * such ranges back later (vmalloc/vmap_area.c).  Past the host's limit the
 * host refuses every mmap(); a give-back then unmaps the range and remakes
 * the reservation in the hole (MAP_FIXED_NOREPLACE, so a mapping another
 * thread made there in that moment is not replaced, only reported), and a
 * mapping refused with ENOMEM fails the caller's allocation (reported only
 * if the caller cannot fail).
 *
 * The mirrors play the TLB: clearing an entry leaves its mirror in place
 * until flush_tlb_kernel_range() walks the range and makes the mirrors equal
 * to the table (giving back what no entry maps).  vmalloc's lazy purge relies
 * on that to revoke many freed areas in one call (see vmalloc/vmap_area.c).
 *
 * Locking: none.  The owner of a range changes its mirrors; mmap(MAP_FIXED)
 * calls on disjoint ranges do not interfere.  Every call stays inside the
 * table's areas (vmalloc, and the kmap areas with highmem=), so no mapping
 * of the program is ever replaced.
 */
#include <errno.h>
#include <string.h>

#include "boot/machine.h"
#include "pagetable/internal.h"
#include "report/report.h"

/*
 * mmu_give_back - make [@addr, @addr + @len) part of the reservation again:
 * an anonymous PROT_NONE mapping with the reservation's flags, which the host
 * merges with the reservation around it, so the mirrors it replaces stop
 * costing host mappings.  Past the host's limit (the program's own mappings
 * can take the count there) the host refuses every mmap() but still allows
 * munmap(): the range is unmapped, which gives its mappings back, and the
 * reservation remade in the hole without replacing anything
 * (MAP_FIXED_NOREPLACE).  Where even that is refused, the mirrors are only
 * revoked in place (mprotect()), which keeps them inaccessible.
 * Return: 0, or -errno if the range could be neither given back nor revoked.
 */
static int mmu_give_back(void *addr, unsigned long len)
{
	void *map;
	int err;

	if (kmm_likely(mmap(addr, len, PROT_NONE, MAP_RESERVATION | MAP_FIXED, -1, 0) !=
		       MAP_FAILED))
		return 0;
	err = errno;
	if (err == ENOMEM && munmap(addr, len) == 0) {
		map = mmap(addr, len, PROT_NONE, MAP_RESERVATION | MAP_FIXED_NOREPLACE, -1, 0);
		if (kmm_likely(map == addr))
			return 0;
		/* In the moment the range was a hole, another mapping of the program took it. */
		err = map == MAP_FAILED ? errno : EEXIST;
		if (map != MAP_FAILED)
			munmap(map, len);
		kmm_report("WARNING: mmu: [0x%lx, 0x%lx) was unmapped at the host's map limit "
			   "and could not be reserved again: %s",
			   (unsigned long)addr, (unsigned long)addr + len, strerror(err));
		return 0;
	}
	if (mprotect(addr, len, PROT_NONE) == 0)
		return 0;
	return -err;
}

/*
 * mmu_revoke - make the mirrors of [@addr, @addr + @len) inaccessible in
 * place (mprotect()), one call however many: they keep their host mappings,
 * and the next mirror of the same range replaces one like for like, without
 * splitting the reservation.  Where mprotect() finds no mapping (a mapping
 * that failed), the range is given back instead.
 * Return: 0, or -errno.
 */
static int mmu_revoke(void *addr, unsigned long len)
{
	if (kmm_likely(mprotect(addr, len, PROT_NONE) == 0))
		return 0;
	return mmu_give_back(addr, len);
}

void mmu_run_flush(struct mmu_run *run)
{
	unsigned long len = run->nr << PAGE_SHIFT;
	void *addr = (void *)run->addr, *map;
	int err;

	if (!run->nr)
		return;
	run->nr = 0;
	if (kmm_unlikely(!in_kernel_table_area(run->addr, run->addr + len))) {
		kmm_report("WARNING: mmu: [0x%lx, 0x%lx) is outside the table's areas, not mapped",
			   run->addr, run->addr + len);
		run->err = run->err ? run->err : -EINVAL;
		return;
	}
	if (run->pfn != MMU_NO_PFN && kmm_unlikely(run->pfn + (len >> PAGE_SHIFT) > kmm_max_pfn)) {
		kmm_report(
			"WARNING: mmu: entries at 0x%lx map pfn 0x%lx..0x%lx, beyond the machine's "
			"0x%lx frames; mapped inaccessible",
			run->addr, run->pfn, run->pfn + (len >> PAGE_SHIFT) - 1, kmm_max_pfn);
		run->pfn = MMU_NO_PFN;
		run->prot = PROT_NONE;
		run->err = run->err ? run->err : -EINVAL;
	}
	if (run->pfn == MMU_NO_PFN) {
		err = run->in_place ? mmu_revoke(addr, len) : mmu_give_back(addr, len);
		if (kmm_unlikely(err)) {
			kmm_report("WARNING: mmu: unmapping [0x%lx, 0x%lx) failed: %s", run->addr,
				   run->addr + len, strerror(-err));
			run->err = run->err ? run->err : err;
		}
		return;
	}
	map = mmap(addr, len, run->prot, MAP_SHARED | MAP_FIXED, kmm_machine.memfd,
		   (off_t)PFN_PHYS(run->pfn));
	if (kmm_unlikely(map == MAP_FAILED)) {
		err = errno;
		/* At the host's map limit: the caller may fail its allocation instead. */
		if (!(err == ENOMEM && run->nomem_ok))
			kmm_report("WARNING: mmu: mapping [0x%lx, 0x%lx) failed: %s", run->addr,
				   run->addr + len, strerror(err));
		run->err = run->err ? run->err : -err;
		/* A failed MAP_FIXED may leave a hole: keep the reservation whole. */
		mmap(addr, len, PROT_NONE, MAP_RESERVATION | MAP_FIXED, -1, 0);
	}
}

/* A pte table's entries in [addr, end). */
static void sync_pte_range(struct mmu_run *run, pmd_t pmd, unsigned long addr, unsigned long end)
{
	pte_t *pte = (pte_t *)pmd_page_vaddr(pmd) + pte_index(addr);

	for (; addr < end; addr += PAGE_SIZE, pte++) {
		pte_t v = ptep_get(pte);

		if (pte_present(v))
			mmu_run_add(run, addr, 1, pte_pfn(v), pgprot_to_mmap_prot(pte_pgprot(v)));
		else
			mmu_run_add(run, addr, 1, MMU_NO_PFN, PROT_NONE);
	}
}

static void sync_pmd_range(struct mmu_run *run, pud_t pud, unsigned long addr, unsigned long end)
{
	pmd_t *pmd = pud_pgtable(pud) + pmd_index(addr);
	unsigned long next;

	for (; addr < end; addr = next, pmd++) {
		pmd_t v = pmdp_get(pmd);
		unsigned long nr;

		next = pmd_addr_end(addr, end);
		nr = (next - addr) >> PAGE_SHIFT;
		if (pmd_leaf(v) && pmd_present(v))
			mmu_run_add(run, addr, nr, pmd_pfn(v) + pte_index(addr),
				    pgprot_to_mmap_prot(__pgprot(pmd_val(v) & PTE_FLAGS_MASK)));
		else if (pmd_none(v) || pmd_leaf(v) || pmd_bad(v))
			mmu_run_add(run, addr, nr, MMU_NO_PFN, PROT_NONE);
		else
			sync_pte_range(run, v, addr, next);
	}
}

void flush_tlb_kernel_range(unsigned long start, unsigned long end)
{
	struct mmu_run run = {0};
	unsigned long addr, next;

	unsigned long top = kmm_kmap_local_end ? kmm_kmap_local_end : VMALLOC_END;

	start = start < VMALLOC_START ? VMALLOC_START : start & PAGE_MASK;
	end = end > top ? top : PAGE_ALIGN(end);
	for (addr = start; addr < end; addr = next) {
		p4d_t p4d = p4dp_get(p4d_offset(pgd_offset_k(addr), addr));
		unsigned long pud_next;

		next = pgd_addr_end(addr, end);
		if (p4d_none(p4d) || p4d_bad(p4d)) {
			mmu_run_add(&run, addr, (next - addr) >> PAGE_SHIFT, MMU_NO_PFN, PROT_NONE);
			continue;
		}
		for (; addr < next; addr = pud_next) {
			pud_t pud = pudp_get(p4d_pgtable(p4d) + pud_index(addr));

			pud_next = pud_addr_end(addr, next);
			if (pud_none(pud) || pud_leaf(pud) || pud_bad(pud))
				mmu_run_add(&run, addr, (pud_next - addr) >> PAGE_SHIFT, MMU_NO_PFN,
					    PROT_NONE);
			else
				sync_pmd_range(&run, pud, addr, pud_next);
		}
	}
	mmu_run_flush(&run);
}
