/* SPDX-License-Identifier: MIT */
/*
 * kmm/pgtable.h - the kernel page table (<linux/pgtable.h>, <asm/pgtable_64_types.h>,
 * <asm/pgtable_types.h>): four levels as on x86-64, the entry bits, the
 * accessors, kmm_init_mm, and the layout of the kernel address space this
 * machine manages (VMALLOC_START..VMALLOC_END).
 *
 * The table is software: pgd, pud, pmd and pte tables of 512 eight-byte
 * entries each, pgd indexed by bits 39..47 of the address (PGDIR_SHIFT 39),
 * pud by 30..38, pmd by 21..29, pte by 12..20.  p4d is folded into pgd, as a
 * four-level x86-64 kernel does (PTRS_PER_P4D 1, p4d_offset() returns the pgd
 * entry), so code written for five levels compiles.  The pgd is a static
 * array, kmm_swapper_pg_dir; the lower tables are pages of the page allocator,
 * linked by physical address and reached through the direct map, and are
 * counted in meminfo's PageTables.
 *
 * The software table is the authority, and the process's own mappings follow
 * it: every present entry is mirrored by a real shared mapping of that frame
 * of the physical-memory object at that address, with the entry's protection
 * (an entry without _PAGE_RW is mapped read-only, so writing through it
 * faults; without _PAGE_NX it is also executable).  The mirroring plays the
 * MMU and its TLB: vmalloc(), vmap() and vm_map_ram() (<kmm/vmalloc.h>) mirror
 * entries as they write them, one mmap() per physically contiguous run;
 * entries written any other way (set_pte() under apply_to_page_range(), say)
 * are mirrored by the walk of flush_cache_vmap()/flush_tlb_kernel_range(),
 * which make the real mappings of a range equal to the table.  Clearing entries does not unmap
 * until that flush, as clearing a kernel pte does not reach the TLB until
 * flush_tlb_kernel_range(); vfree() batches those flushes (see <kmm/vmalloc.h>).
 * Unmapped parts of the area are PROT_NONE: the reservation, or a revoked
 * mirror (mprotect()), so touching them faults.
 *
 * The table maps only the vmalloc area (and, with highmem=, the PKMAP and
 * kmap_local areas after it).  The direct map (PAGE_OFFSET) is one
 * mapping made at boot, not described by entries: a walk of a direct-map
 * address finds none.
 *
 * Context: the accessors are plain loads and stores (the kernel's READ_ONCE/
 * WRITE_ONCE), for any thread.  Entries of a range belong to whoever owns the
 * range (the vmalloc area); installing and freeing table pages is done under
 * kmm_init_mm.page_table_lock.
 */
#ifndef KMM_PGTABLE_H
#define KMM_PGTABLE_H

#include <pthread.h>
#include <kmm/mm.h>
#include <kmm/types.h>

KMM_BEGIN_DECLS

/* Geometry: four levels of 512 entries, p4d folded into pgd. */
#define PGDIR_SHIFT	      39
#define P4D_SHIFT	      PGDIR_SHIFT
#define PUD_SHIFT	      30
#define PMD_SHIFT	      21
#define PTRS_PER_PGD	      512
#define PTRS_PER_P4D	      1
#define PTRS_PER_PUD	      512
#define PTRS_PER_PMD	      512
#define PTRS_PER_PTE	      512
#define PGDIR_SIZE	      (1UL << PGDIR_SHIFT)
#define PGDIR_MASK	      (~(PGDIR_SIZE - 1))
#define P4D_SIZE	      PGDIR_SIZE
#define P4D_MASK	      PGDIR_MASK
#define PUD_SIZE	      (1UL << PUD_SHIFT)
#define PUD_MASK	      (~(PUD_SIZE - 1))
#define PMD_SIZE	      (1UL << PMD_SHIFT)
#define PMD_MASK	      (~(PMD_SIZE - 1))
#define CONFIG_PGTABLE_LEVELS 4

/* Entry bits, x86's. */
#define _PAGE_BIT_PRESENT  0  /* is present */
#define _PAGE_BIT_RW	   1  /* writeable */
#define _PAGE_BIT_USER	   2  /* userspace addressable */
#define _PAGE_BIT_PWT	   3  /* page write through */
#define _PAGE_BIT_PCD	   4  /* page cache disabled */
#define _PAGE_BIT_ACCESSED 5  /* was accessed */
#define _PAGE_BIT_DIRTY	   6  /* was written to */
#define _PAGE_BIT_PSE	   7  /* a leaf at the pmd or pud level (2 MiB, 1 GiB) */
#define _PAGE_BIT_GLOBAL   8  /* global TLB entry */
#define _PAGE_BIT_NX	   63 /* no execute */

#define _PAGE_PRESENT  (1UL << _PAGE_BIT_PRESENT)
#define _PAGE_RW       (1UL << _PAGE_BIT_RW)
#define _PAGE_USER     (1UL << _PAGE_BIT_USER)
#define _PAGE_PWT      (1UL << _PAGE_BIT_PWT)
#define _PAGE_PCD      (1UL << _PAGE_BIT_PCD)
#define _PAGE_ACCESSED (1UL << _PAGE_BIT_ACCESSED)
#define _PAGE_DIRTY    (1UL << _PAGE_BIT_DIRTY)
#define _PAGE_PSE      (1UL << _PAGE_BIT_PSE)
#define _PAGE_GLOBAL   (1UL << _PAGE_BIT_GLOBAL)
#define _PAGE_NX       (1UL << _PAGE_BIT_NX)

/* The physical address bits of an entry (bits 12..51). */
#define PTE_PFN_MASK   (((1UL << 52) - 1) & PAGE_MASK)
#define PTE_FLAGS_MASK (~PTE_PFN_MASK)

/* The flags of an entry that points to a lower table. */
#define _KERNPG_TABLE (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY)

typedef unsigned long pteval_t, pmdval_t, pudval_t, p4dval_t, pgdval_t, pgprotval_t;

typedef struct {
	pteval_t pte;
} pte_t;
typedef struct {
	pmdval_t pmd;
} pmd_t;
typedef struct {
	pudval_t pud;
} pud_t;
typedef struct {
	pgdval_t pgd;
} pgd_t;
/* The folded level: a p4d entry is the pgd entry. */
typedef struct {
	pgd_t pgd;
} p4d_t;
/* Protection bits of an entry (the flag bits without the frame). */
typedef struct {
	pgprotval_t pgprot;
} pgprot_t;

#define pte_val(x)    ((x).pte)
#define pmd_val(x)    ((x).pmd)
#define pud_val(x)    ((x).pud)
#define p4d_val(x)    ((x).pgd.pgd)
#define pgd_val(x)    ((x).pgd)
#define pgprot_val(x) ((x).pgprot)
#define __pte(x)      ((pte_t){(x)})
#define __pmd(x)      ((pmd_t){(x)})
#define __pud(x)      ((pud_t){(x)})
#define __p4d(x)      ((p4d_t){{(x)}})
#define __pgd(x)      ((pgd_t){(x)})
#define __pgprot(x)   ((pgprot_t){(x)})

/* Kernel protections, x86's __PAGE_KERNEL*. */
#define __PAGE_KERNEL_RO   (_PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_GLOBAL | _PAGE_NX)
#define __PAGE_KERNEL	   (__PAGE_KERNEL_RO | _PAGE_RW)
#define __PAGE_KERNEL_EXEC (__PAGE_KERNEL & ~_PAGE_NX)
#define PAGE_NONE	   __pgprot(0)
#define PAGE_KERNEL	   __pgprot(__PAGE_KERNEL)
#define PAGE_KERNEL_RO	   __pgprot(__PAGE_KERNEL_RO)
#define PAGE_KERNEL_EXEC   __pgprot(__PAGE_KERNEL_EXEC)
#define PAGE_KERNEL_LARGE  __pgprot(__PAGE_KERNEL | _PAGE_PSE)

/*
 * The vmalloc area, reserved at boot (vmalloc=SIZE, default 32G) at a 1 GiB
 * aligned address; both 0 before boot.  VMALLOC_END is exclusive.
 */
extern unsigned long kmm_vmalloc_base, kmm_vmalloc_end;
#define VMALLOC_START kmm_vmalloc_base
#define VMALLOC_END   kmm_vmalloc_end
#define VMALLOC_TOTAL (VMALLOC_END - VMALLOC_START)

/*
 * With highmem=, two more areas of the table follow the vmalloc area, as
 * PKMAP_BASE and the fixmap follow VMALLOC_END on x86-32 (see <kmm/highmem.h>):
 *  - the PKMAP area, LAST_PKMAP pages for kmap(), 2 MiB aligned so that one
 *    pte table (the kernel's pkmap_page_table) holds all its entries;
 *  - the kmap_local area, KM_MAX_IDX pages per CPU for kmap_local_page()
 *    (the kernel's FIX_KMAP_BEGIN..FIX_KMAP_END slots of the fixmap).
 * Unmapped guard space separates the three.  All 0 without highmem.
 */
extern unsigned long kmm_pkmap_base, kmm_kmap_local_base, kmm_kmap_local_end;
#define LAST_PKMAP	 512
#define LAST_PKMAP_MASK	 (LAST_PKMAP - 1)
#define PKMAP_BASE	 kmm_pkmap_base
#define PKMAP_ADDR(nr)	 (PKMAP_BASE + ((unsigned long)(nr) << PAGE_SHIFT))
#define PKMAP_NR(virt)	 (((unsigned long)(virt)-PKMAP_BASE) >> PAGE_SHIFT)
/* kmap_local_page() slots per task, as the kernel's KM_MAX_IDX. */
#define KM_MAX_IDX	 16
/*
 * The most threads with kmap_local_page() mappings at once: each such thread
 * holds one stack of KM_MAX_IDX slots of the kmap_local area, from its first
 * mapping until it exits.
 */
#define KMAP_LOCAL_TASKS 1024

/* An address space: here only the kernel's, kmm_init_mm. */
struct mm_struct {
	pgd_t *pgd;			 /* the top-level table (kmm_init_mm: kmm_swapper_pg_dir) */
	pthread_mutex_t page_table_lock; /* installing and freeing table pages */
};

extern struct mm_struct kmm_init_mm;
/* The kernel's pgd, 512 entries (static, so walks before boot find nothing). */
extern pgd_t kmm_swapper_pg_dir[PTRS_PER_PGD];

/* Indexes of an address at each level. */
static inline unsigned long pgd_index(unsigned long addr)
{
	return (addr >> PGDIR_SHIFT) & (PTRS_PER_PGD - 1);
}

static inline unsigned long pud_index(unsigned long addr)
{
	return (addr >> PUD_SHIFT) & (PTRS_PER_PUD - 1);
}

static inline unsigned long pmd_index(unsigned long addr)
{
	return (addr >> PMD_SHIFT) & (PTRS_PER_PMD - 1);
}

static inline unsigned long pte_index(unsigned long addr)
{
	return (addr >> PAGE_SHIFT) & (PTRS_PER_PTE - 1);
}

/*
 * Reading entries (once: other threads may write them).  A table entry is
 * read with acquire, pairing with the release that installs a table, so the
 * zeroed table behind it is seen.
 */
static inline pte_t ptep_get(const pte_t *ptep)
{
	return __pte(__atomic_load_n(&ptep->pte, __ATOMIC_RELAXED));
}

static inline pmd_t pmdp_get(const pmd_t *pmdp)
{
	return __pmd(__atomic_load_n(&pmdp->pmd, __ATOMIC_ACQUIRE));
}

static inline pud_t pudp_get(const pud_t *pudp)
{
	return __pud(__atomic_load_n(&pudp->pud, __ATOMIC_ACQUIRE));
}

static inline p4d_t p4dp_get(const p4d_t *p4dp)
{
	return __p4d(__atomic_load_n(&p4dp->pgd.pgd, __ATOMIC_ACQUIRE));
}

static inline pgd_t pgdp_get(const pgd_t *pgdp)
{
	return __pgd(__atomic_load_n(&pgdp->pgd, __ATOMIC_RELAXED));
}

/* The folded pgd level: never none, always present, never bad (asm-generic/pgtable-nop4d.h). */
static inline int pgd_none(pgd_t pgd)
{
	(void)pgd;
	return 0;
}

static inline int pgd_present(pgd_t pgd)
{
	(void)pgd;
	return 1;
}

static inline int pgd_bad(pgd_t pgd)
{
	(void)pgd;
	return 0;
}

/* An entry that points to a table is bad if it has flags a table entry never has. */
#define __table_entry_bad(val)                                                                     \
	((((val)&PTE_FLAGS_MASK) & ~(_PAGE_USER | _PAGE_ACCESSED)) !=                              \
	 (_KERNPG_TABLE & ~_PAGE_ACCESSED))

static inline int p4d_none(p4d_t p4d)
{
	return p4d_val(p4d) == 0;
}

static inline int p4d_present(p4d_t p4d)
{
	return (p4d_val(p4d) & _PAGE_PRESENT) != 0;
}

static inline int p4d_bad(p4d_t p4d)
{
	return __table_entry_bad(p4d_val(p4d));
}

static inline int pud_none(pud_t pud)
{
	return pud_val(pud) == 0;
}

static inline int pud_present(pud_t pud)
{
	return (pud_val(pud) & _PAGE_PRESENT) != 0;
}

/* pud_leaf - a 1 GiB mapping (never made here, recognised by walks). */
static inline int pud_leaf(pud_t pud)
{
	return (pud_val(pud) & (_PAGE_PSE | _PAGE_PRESENT)) == (_PAGE_PSE | _PAGE_PRESENT);
}

static inline int pud_bad(pud_t pud)
{
	return __table_entry_bad(pud_val(pud));
}

static inline int pmd_none(pmd_t pmd)
{
	return pmd_val(pmd) == 0;
}

static inline int pmd_present(pmd_t pmd)
{
	return (pmd_val(pmd) & _PAGE_PRESENT) != 0;
}

/* pmd_leaf - a 2 MiB mapping (vmalloc_huge()) rather than a pointer to a pte table. */
static inline int pmd_leaf(pmd_t pmd)
{
	return (pmd_val(pmd) & _PAGE_PSE) != 0;
}

/* pmd_bad - not a table pointer (a leaf counts as bad: check pmd_leaf() first). */
static inline int pmd_bad(pmd_t pmd)
{
	return __table_entry_bad(pmd_val(pmd));
}

static inline int pte_none(pte_t pte)
{
	return pte_val(pte) == 0;
}

static inline int pte_present(pte_t pte)
{
	return (pte_val(pte) & _PAGE_PRESENT) != 0;
}

static inline int pte_write(pte_t pte)
{
	return (pte_val(pte) & _PAGE_RW) != 0;
}

static inline int pte_exec(pte_t pte)
{
	return (pte_val(pte) & _PAGE_NX) == 0;
}

/* Frames and protections of entries. */
static inline unsigned long pte_pfn(pte_t pte)
{
	return (pte_val(pte) & PTE_PFN_MASK) >> PAGE_SHIFT;
}

static inline unsigned long pmd_pfn(pmd_t pmd)
{
	return (pmd_val(pmd) & PTE_PFN_MASK) >> PAGE_SHIFT;
}

static inline unsigned long pud_pfn(pud_t pud)
{
	return (pud_val(pud) & PTE_PFN_MASK) >> PAGE_SHIFT;
}

static inline pgprot_t pte_pgprot(pte_t pte)
{
	return __pgprot(pte_val(pte) & PTE_FLAGS_MASK);
}

static inline pte_t pfn_pte(unsigned long pfn, pgprot_t prot)
{
	return __pte(((pfn << PAGE_SHIFT) & PTE_PFN_MASK) | pgprot_val(prot));
}

/* pfn_pmd - a pmd entry for the 2 MiB at @pfn; a leaf if @prot has _PAGE_PSE. */
static inline pmd_t pfn_pmd(unsigned long pfn, pgprot_t prot)
{
	return __pmd(((pfn << PAGE_SHIFT) & PTE_PFN_MASK) | pgprot_val(prot));
}

#define pte_page(pte)	   pfn_to_page(pte_pfn(pte))
#define pmd_page(pmd)	   pfn_to_page(pmd_pfn(pmd))
#define mk_pte(page, prot) pfn_pte(page_to_pfn(page), (prot))

static inline pte_t pte_wrprotect(pte_t pte)
{
	return __pte(pte_val(pte) & ~_PAGE_RW);
}

static inline pte_t pte_mkwrite(pte_t pte)
{
	return __pte(pte_val(pte) | _PAGE_RW);
}

/* The virtual address of the table an entry points to (in the direct map). */
static inline pud_t *p4d_pgtable(p4d_t p4d)
{
	return (pud_t *)__va(p4d_val(p4d) & PTE_PFN_MASK);
}

static inline pmd_t *pud_pgtable(pud_t pud)
{
	return (pmd_t *)__va(pud_val(pud) & PTE_PFN_MASK);
}

static inline unsigned long pmd_page_vaddr(pmd_t pmd)
{
	return (unsigned long)__va(pmd_val(pmd) & PTE_PFN_MASK);
}

/* Walking down: the entry for @addr at each level. */
static inline pgd_t *pgd_offset_pgd(pgd_t *pgd, unsigned long addr)
{
	return pgd + pgd_index(addr);
}

#define pgd_offset(mm, addr) pgd_offset_pgd((mm)->pgd, (addr))
/* pgd_offset_k - the kernel pgd entry of @addr. */
#define pgd_offset_k(addr)   pgd_offset(&kmm_init_mm, (addr))

static inline p4d_t *p4d_offset(pgd_t *pgd, unsigned long addr)
{
	(void)addr;
	return (p4d_t *)pgd;
}

static inline pud_t *pud_offset(p4d_t *p4d, unsigned long addr)
{
	return p4d_pgtable(p4dp_get(p4d)) + pud_index(addr);
}

static inline pmd_t *pmd_offset(pud_t *pud, unsigned long addr)
{
	return pud_pgtable(pudp_get(pud)) + pmd_index(addr);
}

static inline pte_t *pte_offset_kernel(pmd_t *pmd, unsigned long addr)
{
	return (pte_t *)pmd_page_vaddr(pmdp_get(pmd)) + pte_index(addr);
}

/*
 * Writing entries.  These change the software table only: the real mapping
 * follows at the next flush_cache_vmap()/flush_tlb_kernel_range() of the
 * range (or as apply_to_page_range() returns).
 */
static inline void set_pte(pte_t *ptep, pte_t pte)
{
	__atomic_store_n(&ptep->pte, pte_val(pte), __ATOMIC_RELAXED);
}

static inline void set_pte_at(struct mm_struct *mm, unsigned long addr, pte_t *ptep, pte_t pte)
{
	(void)mm;
	(void)addr;
	set_pte(ptep, pte);
}

static inline void pte_clear(struct mm_struct *mm, unsigned long addr, pte_t *ptep)
{
	set_pte_at(mm, addr, ptep, __pte(0));
}

static inline void set_pmd(pmd_t *pmdp, pmd_t pmd)
{
	__atomic_store_n(&pmdp->pmd, pmd_val(pmd), __ATOMIC_RELAXED);
}

static inline void pmd_clear(pmd_t *pmdp)
{
	set_pmd(pmdp, __pmd(0));
}

/* The boundary of the next entry at a level, or @end if that comes first. */
#define __entry_addr_end(addr, end, size)                                                          \
	({                                                                                         \
		unsigned long __boundary = ((addr) + (size)) & ~((size)-1);                        \
		(__boundary - 1 < (end)-1) ? __boundary : (end);                                   \
	})
#define pgd_addr_end(addr, end) __entry_addr_end(addr, end, PGDIR_SIZE)
#define p4d_addr_end(addr, end) (end)
#define pud_addr_end(addr, end) __entry_addr_end(addr, end, PUD_SIZE)
#define pmd_addr_end(addr, end) __entry_addr_end(addr, end, PMD_SIZE)

/* A function apply_to_page_range() calls for each pte: 0 to go on, an error to stop. */
typedef int (*pte_fn_t)(pte_t *pte, unsigned long addr, void *data);

/**
 * apply_to_page_range - call @fn on the pte of every page of [@addr, @addr + @size),
 * making the missing pud, pmd and pte tables (from the page allocator, counted
 * in PageTables).
 * @mm: &kmm_init_mm (the only address space).
 * @fn: may read and set the entry (set_pte(), pte_clear()).
 *
 * When @fn has run on the range (or stopped it), the real mappings of the
 * range are made to match the table, as flush_tlb_kernel_range() does.
 * Context: a thread that may sleep; the caller owns the range (a vm area).
 * Return: 0; @fn's error; -ENOMEM if a table page cannot be had; -EINVAL,
 * reported, if the range is not inside the vmalloc area, is not page
 * aligned, or meets a 2 MiB leaf.
 */
int apply_to_page_range(struct mm_struct *mm, unsigned long addr, unsigned long size, pte_fn_t fn,
			void *data);
/* apply_to_existing_page_range - the same, skipping (not making) missing tables. */
int apply_to_existing_page_range(struct mm_struct *mm, unsigned long addr, unsigned long size,
				 pte_fn_t fn, void *data);

/**
 * flush_tlb_kernel_range - make the real mappings of [@start, @end) match the
 * table: frames of present entries mapped with their protection (a run of
 * consecutive frames in one mmap()), everything else inaccessible.  The
 * kernel's TLB flush after clearing or changing kernel entries, and
 * flush_cache_vmap() after installing them.  The range is clipped to the
 * table's areas (the vmalloc area, and the kmap areas with highmem=).
 * Context: any thread; the caller owns the range.
 */
void flush_tlb_kernel_range(unsigned long start, unsigned long end);

static inline void flush_cache_vmap(unsigned long start, unsigned long end)
{
	flush_tlb_kernel_range(start, end);
}

KMM_END_DECLS

#endif /* KMM_PGTABLE_H */
