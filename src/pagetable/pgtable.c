/* SPDX-License-Identifier: MIT */
/*
 * pagetable/pgtable.c - the kernel page table: kmm_init_mm and kmm_swapper_pg_dir, the
 * table pages below it, apply_to_page_range(), and the reservation of the
 * vmalloc area the table describes.
 *
 * The vmalloc area is vmalloc= bytes of address space reserved at boot with
 * one PROT_NONE, MAP_NORESERVE mapping (it costs no memory), aligned to 1 GiB;
 * with highmem= the same reservation goes on to hold the PKMAP and kmap_local
 * areas (<kmm/pgtable.h>).  Only the table's mirrors (mmu.c) map anything
 * inside it, and only inside it; what they give back is mapped with the
 * reservation's flags (MAP_RESERVATION), so the reservation merges whole
 * again.
 *
 * Table pages come from the page allocator zeroed, carry the PageTable type
 * and are counted in their zone's NR_ZONE_PAGETABLE (meminfo's PageTables).
 * As in the kernel, kernel tables are never freed when they empty, except a
 * pte table replaced by a 2 MiB leaf; they go with the machine at kmm_exit().
 *
 * Locking: kmm_init_mm.page_table_lock serialises installing a table page in an
 * empty entry and taking an empty pte table out for a leaf (see internal.h).
 * A table page is allocated before the lock is taken; a thread that loses the
 * race to install it frees its page.  Entries are published with a release
 * store so that a walker on another thread sees a zeroed table behind them.
 */
#include <errno.h>
#include <string.h>

#include "boot/machine.h"
#include "boot/subsys.h"
#include "buddy/internal.h"
#include "fault/fault_inject.h"
#include "pagetable/internal.h"
#include "report/report.h"

unsigned long kmm_vmalloc_base, kmm_vmalloc_end;
unsigned long kmm_pkmap_base, kmm_kmap_local_base, kmm_kmap_local_end;
pgd_t kmm_swapper_pg_dir[PTRS_PER_PGD] __attribute__((aligned(PAGE_SIZE)));
struct mm_struct kmm_init_mm = {
	.pgd = kmm_swapper_pg_dir,
	.page_table_lock = PTHREAD_MUTEX_INITIALIZER,
};

/*
 * The kmap areas after a vmalloc area of @size bytes at offset 0: the PKMAP
 * area 2 MiB aligned, at least a guard page after the vmalloc area; the
 * kmap_local area 2 MiB after it.  Return: the end of the kmap_local area.
 */
static unsigned long kmap_areas_layout(unsigned long size, unsigned long *pkmap,
				       unsigned long *local)
{
	*pkmap = (size + PAGE_SIZE + PMD_SIZE - 1) & PMD_MASK;
	*local = *pkmap + 2 * PMD_SIZE;
	return *local + ((unsigned long)KM_MAX_IDX * KMAP_LOCAL_TASKS << PAGE_SHIFT);
}

/*
 * pagetable_init - reserve the machine's vmalloc= bytes of address space
 * (rounded to pages) for the vmalloc area, inaccessible, and start from an
 * empty table.  With highmem=, reserve the PKMAP and kmap_local areas after
 * it.  Return: 0 or -ENOMEM (reported).
 */
static int pagetable_init(void)
{
	bool kmap_areas = kmm_max_pfn > kmm_max_low_pfn;
	unsigned long size = PAGE_ALIGN(kmm_machine.vmalloc_bytes), start, pkmap = 0, local = 0;
	unsigned long total = kmap_areas ? kmap_areas_layout(size, &pkmap, &local) : size;
	void *map;

	memset(kmm_swapper_pg_dir, 0, sizeof(kmm_swapper_pg_dir));
	/* exactly [start, start + total), without the alignment slack (RLIMIT_AS counts it) */
	map = reserve_aligned(total, VMALLOC_ALIGN);
	if (map == MAP_FAILED) {
		kmm_report("kmm_init: cannot reserve %lu MiB of address space for vmalloc=: %s",
			   total >> 20, strerror(errno));
		return -ENOMEM;
	}
	start = (unsigned long)map;
	kmm_vmalloc_base = start;
	kmm_vmalloc_end = start + size;
	kmm_pkmap_base = kmap_areas ? start + pkmap : 0;
	kmm_kmap_local_base = kmap_areas ? start + local : 0;
	kmm_kmap_local_end = kmap_areas ? start + total : 0;
	return 0;
}

/* pagetable_exit - unmap the table's areas (and so every mirror) and forget the table. */
static void pagetable_exit(void)
{
	unsigned long end = kmm_kmap_local_end ? kmm_kmap_local_end : kmm_vmalloc_end;

	if (kmm_vmalloc_base)
		munmap((void *)kmm_vmalloc_base, end - kmm_vmalloc_base);
	memset(kmm_swapper_pg_dir, 0, sizeof(kmm_swapper_pg_dir));
	kmm_vmalloc_base = kmm_vmalloc_end = 0;
	kmm_pkmap_base = kmm_kmap_local_base = kmm_kmap_local_end = 0;
}

/* A zeroed table page, typed and counted, by its direct-map address; NULL if none is left. */
static void *pgtable_alloc_page(void)
{
	bool nofault = memalloc_nofault_save();
	struct page *page = alloc_page(GFP_PGTABLE_KERNEL);

	memalloc_nofault_restore(nofault);
	if (!page)
		return NULL;
	page->page_type &= ~PG_table;
	kmm_own_page(page); /* a program's free of it is refused */
	zone_stat_add(page_zone(page), NR_ZONE_PAGETABLE, 1);
	return page_address(page);
}

static void pgtable_free_page(void *table)
{
	struct page *page = virt_to_page(table);

	page->page_type |= PG_table;
	kmm_disown_page(page);
	zone_stat_add(page_zone(page), NR_ZONE_PAGETABLE, -1);
	__free_page(page);
}

/*
 * install_table - make the empty entry @entry point to a new table page,
 * unless another thread did first.  Return: false if no page is left.
 */
static bool install_table(struct mm_struct *mm, unsigned long *entry)
{
	void *table = pgtable_alloc_page();
	unsigned long want = 0;

	if (!table)
		return false;
	kmm_mutex_lock(&mm->page_table_lock);
	if (__atomic_compare_exchange_n(entry, &want, (unsigned long)__pa(table) | _KERNPG_TABLE,
					false, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		table = NULL;
	pthread_mutex_unlock(&mm->page_table_lock);
	if (table)
		pgtable_free_page(table);
	return true;
}

pud_t *pud_alloc(struct mm_struct *mm, p4d_t *p4d, unsigned long addr)
{
	if (kmm_unlikely(p4d_none(p4dp_get(p4d))) && !install_table(mm, &p4d->pgd.pgd))
		return NULL;
	return pud_offset(p4d, addr);
}

pmd_t *pmd_alloc(struct mm_struct *mm, pud_t *pud, unsigned long addr)
{
	if (kmm_unlikely(pud_none(pudp_get(pud))) && !install_table(mm, &pud->pud))
		return NULL;
	return pmd_offset(pud, addr);
}

pte_t *pte_alloc_kernel(pmd_t *pmd, unsigned long addr)
{
	if (kmm_unlikely(pmd_none(pmdp_get(pmd))) && !install_table(&kmm_init_mm, &pmd->pmd))
		return NULL;
	return pte_offset_kernel(pmd, addr);
}

bool pmd_free_pte_page(pmd_t *pmd)
{
	pmd_t old = pmdp_get(pmd);
	pte_t *table;
	int i;

	if (pmd_none(old))
		return true;
	if (pmd_leaf(old))
		return false;
	table = (pte_t *)pmd_page_vaddr(old);
	for (i = 0; i < PTRS_PER_PTE; i++)
		if (!pte_none(ptep_get(&table[i])))
			return false;
	kmm_mutex_lock(&kmm_init_mm.page_table_lock);
	pmd_clear(pmd);
	pthread_mutex_unlock(&kmm_init_mm.page_table_lock);
	pgtable_free_page(table);
	return true;
}

/* apply_to_page_range() */

static int apply_to_pte_range(pmd_t *pmd, unsigned long addr, unsigned long end, pte_fn_t fn,
			      void *data, bool create)
{
	pte_t *pte;
	int err;

	if (create) {
		pte = pte_alloc_kernel(pmd, addr);
		if (!pte)
			return -ENOMEM;
	} else {
		pte = pte_offset_kernel(pmd, addr);
	}
	for (; addr < end; addr += PAGE_SIZE, pte++) {
		err = fn(pte, addr, data);
		if (err)
			return err;
	}
	return 0;
}

static int apply_to_pmd_range(pud_t *pud, unsigned long addr, unsigned long end, pte_fn_t fn,
			      void *data, bool create)
{
	unsigned long next;
	pmd_t *pmd;
	int err;

	if (create) {
		pmd = pmd_alloc(&kmm_init_mm, pud, addr);
		if (!pmd)
			return -ENOMEM;
	} else {
		pmd = pmd_offset(pud, addr);
	}
	for (; addr < end; addr = next, pmd++) {
		pmd_t v = pmdp_get(pmd);

		next = pmd_addr_end(addr, end);
		if (pmd_none(v) && !create)
			continue;
		if (pmd_leaf(v) || (!pmd_none(v) && pmd_bad(v))) {
			kmm_report("WARNING: apply_to_page_range: %s pmd %#lx at 0x%lx, refused",
				   pmd_leaf(v) ? "leaf" : "bad", pmd_val(v), addr);
			return -EINVAL;
		}
		err = apply_to_pte_range(pmd, addr, next, fn, data, create);
		if (err)
			return err;
	}
	return 0;
}

static int apply_to_pud_range(p4d_t *p4d, unsigned long addr, unsigned long end, pte_fn_t fn,
			      void *data, bool create)
{
	unsigned long next;
	pud_t *pud;
	int err;

	if (create) {
		pud = pud_alloc(&kmm_init_mm, p4d, addr);
		if (!pud)
			return -ENOMEM;
	} else {
		pud = pud_offset(p4d, addr);
	}
	for (; addr < end; addr = next, pud++) {
		pud_t v = pudp_get(pud);

		next = pud_addr_end(addr, end);
		if (pud_none(v) && !create)
			continue;
		if (pud_leaf(v) || (!pud_none(v) && pud_bad(v))) {
			kmm_report("WARNING: apply_to_page_range: bad pud %#lx at 0x%lx, refused",
				   pud_val(v), addr);
			return -EINVAL;
		}
		err = apply_to_pmd_range(pud, addr, next, fn, data, create);
		if (err)
			return err;
	}
	return 0;
}

static int __apply_to_page_range(struct mm_struct *mm, unsigned long addr, unsigned long size,
				 pte_fn_t fn, void *data, bool create)
{
	unsigned long start = addr, end = addr + size, next;
	int err = 0;

	if (mm != &kmm_init_mm || !PAGE_ALIGNED(addr) || !PAGE_ALIGNED(size) ||
	    !in_vmalloc_area(addr, end)) {
		kmm_report(
			"WARNING: apply_to_page_range: [0x%lx, 0x%lx) of %s is not a page-aligned "
			"range of the vmalloc area [0x%lx, 0x%lx), refused",
			addr, end, mm == &kmm_init_mm ? "init_mm" : "an unknown mm", VMALLOC_START,
			VMALLOC_END);
		return -EINVAL;
	}
	for (; addr < end && !err; addr = next) {
		p4d_t *p4d = p4d_alloc(mm, pgd_offset(mm, addr), addr);

		next = pgd_addr_end(addr, end);
		if (p4d_none(p4dp_get(p4d)) && !create)
			continue;
		err = apply_to_pud_range(p4d, addr, next, fn, data, create);
	}
	/* What the MMU will see from now on: whatever fn left in the entries. */
	flush_tlb_kernel_range(start, end);
	return err;
}

int apply_to_page_range(struct mm_struct *mm, unsigned long addr, unsigned long size, pte_fn_t fn,
			void *data)
{
	return __apply_to_page_range(mm, addr, size, fn, data, true);
}

int apply_to_existing_page_range(struct mm_struct *mm, unsigned long addr, unsigned long size,
				 pte_fn_t fn, void *data)
{
	return __apply_to_page_range(mm, addr, size, fn, data, false);
}

/* fork: kmm_init_mm.page_table_lock is held across fork(). */
static void page_table_lock_fork_prepare(void)
{
	kmm_mutex_lock(&kmm_init_mm.page_table_lock);
}

static void page_table_lock_fork_parent(void)
{
	pthread_mutex_unlock(&kmm_init_mm.page_table_lock);
}

static void page_table_lock_fork_child(void)
{
	pthread_mutex_init(&kmm_init_mm.page_table_lock, NULL);
}

static const struct kmm_fork_ops pagetable_fork_ops[] = {
	{.step = KMM_FORK_PAGE_TABLE,
	 .prepare = page_table_lock_fork_prepare,
	 .parent = page_table_lock_fork_parent,
	 .child = page_table_lock_fork_child},
};

const struct kmm_subsys kmm_pagetable_subsys = {
	.name = "pagetable",
	.init = pagetable_init,
	.exit = pagetable_exit,
	KMM_SUBSYS_FORK(pagetable_fork_ops),
};
