/* SPDX-License-Identifier: MIT */
/*
 * highmem/highmem.c - temporary mappings of highmem pages (the kernel's
 * mm/highmem.c): kmap() over the PKMAP area, kmap_local_page() over per-CPU
 * slots of the kmap_local area, kmap_to_page().
 *
 * kmap().  The PKMAP area is LAST_PKMAP pages whose entries live in one pte
 * table (the kernel's pkmap_page_table), made at boot.  pkmap_count[nr] is 0
 * for a free entry, 1 for an entry no longer used but not yet cleared, and
 * 1 + the number of kmap()s for a used one; a kmapped page's address is in
 * page->virtual, which page_address() returns.  map_new_virtual() takes the
 * next free entry round robin; each time the search wraps, every entry at 1
 * is cleared and its mirror revoked in one pass (flush_all_zero_pkmaps()), so
 * kunmap() costs no system call and a page kmapped again soon keeps its
 * address.  When all entries are in use, kmap() waits for a kunmap().
 *
 * kmap_local_page().  As in the kernel since 5.11, the mappings belong to the
 * task: a thread takes one of KMAP_LOCAL_TASKS stacks of KM_MAX_IDX slots
 * (stack n: the slots from kmap_local base + n * KM_MAX_IDX pages) at its
 * first mapping and gives it back when it exits, unmapping (and reporting)
 * what it left mapped; idx (the kernel's kmap_ctrl.idx) is thread-local.
 * The pte tables are made at boot.  The areas' addresses are laid out by the page table's
 * init (<kmm/pgtable.h>).  Mapping writes the slot's entry and mirrors it; unmapping
 * clears it and revokes the mirror at once (the kernel flushes that TLB entry
 * at once too).
 *
 * Locking: kmap_lock protects pkmap_count[], last_pkmap_nr, the PKMAP entries
 * and their mirrors, and page->virtual of highmem pages; kmap() waits on
 * pkmap_map_wait under it.  It is held across the mmap()/mprotect() of an
 * entry, never across a page allocation, and no other lock is taken under it.
 * kmap_local slots belong to their thread: no lock; kmap_stacks_lock protects
 * the map of stacks taken (innermost, no other lock taken under it).
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "boot/subsys.h"
#include "buddy/internal.h"
#include "pagetable/internal.h"
#include "report/report.h"

/* The kmap_local area: KM_MAX_IDX slots for each of KMAP_LOCAL_TASKS stacks, in whole pte tables. */
#define KMAP_LOCAL_SLOTS  ((unsigned long)KM_MAX_IDX * KMAP_LOCAL_TASKS)
#define KMAP_LOCAL_TABLES (KMAP_LOCAL_SLOTS / PTRS_PER_PTE)

/* Entries of both areas: the kernel's kmap_prot. */
#define kmap_prot PAGE_KERNEL

static pthread_mutex_t kmap_lock = PTHREAD_MUTEX_INITIALIZER;
/* kmap() callers waiting for a free PKMAP entry (the kernel's pkmap_map_wait) */
static pthread_cond_t pkmap_map_wait = PTHREAD_COND_INITIALIZER;
/* 0 free, 1 unused but not cleared, n > 1: n - 1 kmap()s (kmap_lock) */
static int pkmap_count[LAST_PKMAP];
/* the entry the round-robin search took last (kmap_lock) */
static unsigned int last_pkmap_nr;
/* threads waiting on pkmap_map_wait (kmap_lock) */
static unsigned int pkmap_waiters;
/* the pte table of the PKMAP area, NULL without highmem */
static pte_t *pkmap_page_table;
/* the pte tables of the kmap_local area, in address order */
static pte_t *kmap_local_tables[KMAP_LOCAL_TABLES];
/* bumped at each boot, so a thread's slot stack of an earlier machine is forgotten */
static unsigned long kmap_generation;

/* A thread's kmap_local stack (the kernel's task_struct.kmap_ctrl). */
struct kmap_ctrl {
	unsigned long generation; /* the kmap_generation stack and idx belong to */
	int stack;		  /* 1 + the stack taken, or 0 */
	int idx;		  /* slots in use */
};

static __thread struct kmap_ctrl kmap_ctrl __attribute__((tls_model("initial-exec")));

/* the stacks taken (kmap_stacks_lock) */
static bool kmap_stacks_used[KMAP_LOCAL_TASKS];
static pthread_mutex_t kmap_stacks_lock = PTHREAD_MUTEX_INITIALIZER;
/* its destructor gives a thread's stack back at exit */
static pthread_key_t kmap_exit_key;
static pthread_once_t kmap_exit_key_once = PTHREAD_ONCE_INIT;

/* The entry of kmap_local slot @slot (a CPU's KM_MAX_IDX slots are consecutive). */
static inline pte_t *kmap_local_pte(unsigned long slot)
{
	return kmap_local_tables[slot / PTRS_PER_PTE] + slot % PTRS_PER_PTE;
}

static inline unsigned long kmap_local_addr(unsigned long slot)
{
	return kmm_kmap_local_base + (slot << PAGE_SHIFT);
}

/*
 * mirror_one - make the real mapping of the page at @vaddr frame @pfn, or none
 * (MMU_NO_PFN).  Only kmap_local slots are unmapped one by one: they are a
 * fixed set of pages, so their mirrors are revoked in place and the next
 * mapping of the slot replaces them like for like.
 */
static void mirror_one(unsigned long vaddr, unsigned long pfn)
{
	struct mmu_run run = {.in_place = true};

	mmu_run_add(&run, vaddr, 1, pfn,
		    pfn == MMU_NO_PFN ? PROT_NONE : pgprot_to_mmap_prot(kmap_prot));
	mmu_run_flush(&run);
}

/* A pte table for @addr of a kmap area (the tables above it made as needed). */
static pte_t *kmap_pte_table(unsigned long addr)
{
	p4d_t *p4d = p4d_alloc(&kmm_init_mm, pgd_offset_k(addr), addr);
	pud_t *pud = pud_alloc(&kmm_init_mm, p4d, addr);
	pmd_t *pmd = pud ? pmd_alloc(&kmm_init_mm, pud, addr) : NULL;
	pte_t *pte = pmd ? pte_alloc_kernel(pmd, addr) : NULL;

	return pte ? pte - pte_index(addr) : NULL;
}

static void highmem_exit(void);

/*
 * kmap_tables_init - forget the last machine's kmaps and, with highmem=,
 * make the pte tables of the PKMAP and kmap_local areas.  0 or -ENOMEM.
 */
static int kmap_tables_init(void)
{
	unsigned long i;

	kmap_generation++;
	memset(kmap_stacks_used, 0, sizeof(kmap_stacks_used));
	memset(pkmap_count, 0, sizeof(pkmap_count));
	last_pkmap_nr = 0;
	pkmap_waiters = 0;
	highmem_exit();
	if (!PKMAP_BASE)
		return 0;
	pkmap_page_table = kmap_pte_table(PKMAP_BASE);
	if (!pkmap_page_table)
		return -ENOMEM;
	for (i = 0; i < KMAP_LOCAL_TABLES; i++) {
		kmap_local_tables[i] = kmap_pte_table(kmm_kmap_local_base + i * PMD_SIZE);
		if (!kmap_local_tables[i])
			return -ENOMEM;
	}
	return 0;
}

/* highmem_init - at boot, once the page allocator runs: the kmap tables. */
static int highmem_init(void)
{
	int ret = kmap_tables_init();

	if (ret) {
		kmm_report("kmm_init: cannot make the kmap page tables: %s", strerror(-ret));
		highmem_exit();
	}
	return ret;
}

/* highmem_exit - forget the tables (they go with the machine's memory). */
static void highmem_exit(void)
{
	pkmap_page_table = NULL;
	memset(kmap_local_tables, 0, sizeof(kmap_local_tables));
}

/* Is @page a highmem page of the running machine (with its kmap areas)? */
static bool highmem_page_valid(const struct page *page)
{
	unsigned long pfn = page_to_pfn(page);

	return kmm_booted() && pkmap_page_table && pfn >= kmm_max_low_pfn && pfn < kmm_max_pfn;
}

/* kmap() */

/*
 * flush_all_zero_pkmaps - clear every entry no longer used (count 1), forget
 * its page's address, and revoke the mirrors, adjacent ones in one call.
 * kmap_lock held.
 */
static void flush_all_zero_pkmaps(void)
{
	struct mmu_run run = {0};
	unsigned int i;

	for (i = 0; i < LAST_PKMAP; i++) {
		pte_t *ptep = &pkmap_page_table[i];

		if (pkmap_count[i] != 1)
			continue;
		pkmap_count[i] = 0;
		pte_page(ptep_get(ptep))->virtual = NULL;
		pte_clear(&kmm_init_mm, PKMAP_ADDR(i), ptep);
		mmu_run_add(&run, PKMAP_ADDR(i), 1, MMU_NO_PFN, PROT_NONE);
	}
	mmu_run_flush(&run);
}

/*
 * map_new_virtual - a PKMAP entry for @page, which has none: the next free
 * one round robin, clearing unused entries at each wrap; when none is free,
 * wait for a kunmap() (another thread may have mapped @page meanwhile).
 * kmap_lock held (released while waiting).  Return: the address.
 */
static unsigned long map_new_virtual(struct page *page)
{
	unsigned long vaddr;
	unsigned int count;

start:
	count = LAST_PKMAP;
	for (;;) {
		last_pkmap_nr = (last_pkmap_nr + 1) & LAST_PKMAP_MASK;
		if (!last_pkmap_nr) {
			flush_all_zero_pkmaps();
			count = LAST_PKMAP;
		}
		if (!pkmap_count[last_pkmap_nr])
			break;
		if (--count)
			continue;
		pkmap_waiters++;
		pthread_cond_wait(&pkmap_map_wait, &kmap_lock);
		pkmap_waiters--;
		if (page->virtual)
			return (unsigned long)page->virtual;
		goto start;
	}
	vaddr = PKMAP_ADDR(last_pkmap_nr);
	set_pte_at(&kmm_init_mm, vaddr, &pkmap_page_table[last_pkmap_nr], mk_pte(page, kmap_prot));
	mirror_one(vaddr, page_to_pfn(page));
	pkmap_count[last_pkmap_nr] = 1;
	page->virtual = (void *)vaddr;
	return vaddr;
}

void *kmap_high(struct page *page)
{
	unsigned long vaddr;

	if (kmm_unlikely(!highmem_page_valid(page))) {
		kmm_report("WARNING: kmap: %p is not a highmem page of this machine, refused",
			   (void *)page);
		return NULL;
	}
	kmm_mutex_lock(&kmap_lock);
	vaddr = (unsigned long)page->virtual;
	if (!vaddr)
		vaddr = map_new_virtual(page);
	pkmap_count[PKMAP_NR(vaddr)]++;
	pthread_mutex_unlock(&kmap_lock);
	return (void *)vaddr;
}

void kunmap_high(struct page *page)
{
	unsigned long vaddr, nr;
	bool wake = false;

	if (kmm_unlikely(!highmem_page_valid(page))) {
		kmm_report("WARNING: kunmap: %p is not a highmem page of this machine, refused",
			   (void *)page);
		return;
	}
	kmm_mutex_lock(&kmap_lock);
	vaddr = (unsigned long)page->virtual;
	nr = PKMAP_NR(vaddr);
	if (kmm_unlikely(!vaddr || nr >= LAST_PKMAP || pkmap_count[nr] < 2)) {
		pthread_mutex_unlock(&kmap_lock);
		kmm_report("WARNING: kunmap: pfn 0x%lx (HighMem) is not kmapped, refused",
			   page_to_pfn(page));
		return;
	}
	if (--pkmap_count[nr] == 1)
		wake = pkmap_waiters != 0;
	if (wake)
		pthread_cond_broadcast(&pkmap_map_wait);
	pthread_mutex_unlock(&kmap_lock);
}

/* kmap_local_page() */

/* The calling thread's slot stack, reset if it belongs to an earlier machine. */
static inline struct kmap_ctrl *current_kmap_ctrl(void)
{
	struct kmap_ctrl *ctrl = &kmap_ctrl;

	if (kmm_unlikely(ctrl->generation != kmap_generation)) {
		ctrl->generation = kmap_generation;
		ctrl->stack = 0;
		ctrl->idx = 0;
	}
	return ctrl;
}

/* The first slot of stack @stack. */
static inline unsigned long stack_slot(int stack)
{
	return (unsigned long)stack * KM_MAX_IDX;
}

/* unmap_slots - clear slots [@from, @to) of the kmap_local area and revoke their mirrors. */
static void unmap_slots(unsigned long from, unsigned long to)
{
	for (; from < to; from++) {
		if (pte_none(ptep_get(kmap_local_pte(from))))
			continue;
		pte_clear(&kmm_init_mm, kmap_local_addr(from), kmap_local_pte(from));
		mirror_one(kmap_local_addr(from), MMU_NO_PFN);
	}
}

/*
 * kmap_local_thread_exit - the thread is exiting: any kmap_local_page() it
 * left mapped is reported and unmapped, and its stack given back.
 */
static void kmap_local_thread_exit(void *arg)
{
	struct kmap_ctrl *ctrl = current_kmap_ctrl();
	int stack = ctrl->stack - 1;

	(void)arg;
	if (stack < 0)
		return;
	if (kmm_unlikely(ctrl->idx))
		kmm_report("WARNING: kmap_local: thread exiting with %d kmap_local_page() "
			   "mapping%s, unmapped",
			   ctrl->idx, ctrl->idx == 1 ? "" : "s");
	unmap_slots(stack_slot(stack), stack_slot(stack) + (unsigned long)ctrl->idx);
	ctrl->idx = 0;
	ctrl->stack = 0;
	kmm_mutex_lock(&kmap_stacks_lock);
	kmap_stacks_used[stack] = false;
	pthread_mutex_unlock(&kmap_stacks_lock);
}

static void kmap_exit_key_create(void)
{
	pthread_key_create(&kmap_exit_key, kmap_local_thread_exit);
}

/* take_stack - a free stack for the calling thread; false if every one is taken. */
static bool take_stack(struct kmap_ctrl *ctrl)
{
	int i;

	pthread_once(&kmap_exit_key_once, kmap_exit_key_create);
	kmm_mutex_lock(&kmap_stacks_lock);
	for (i = 0; i < KMAP_LOCAL_TASKS; i++) {
		if (!kmap_stacks_used[i]) {
			kmap_stacks_used[i] = true;
			break;
		}
	}
	pthread_mutex_unlock(&kmap_stacks_lock);
	if (i == KMAP_LOCAL_TASKS)
		return false;
	ctrl->stack = i + 1;
	pthread_setspecific(kmap_exit_key, ctrl);
	return true;
}

void *__kmap_local_page(struct page *page)
{
	struct kmap_ctrl *ctrl;
	unsigned long slot, vaddr;

	if (kmm_unlikely(!highmem_page_valid(page))) {
		kmm_report("WARNING: kmap_local_page: %p is not a highmem page of this machine, "
			   "refused",
			   (void *)page);
		return NULL;
	}
	ctrl = current_kmap_ctrl();
	if (kmm_unlikely(!ctrl->stack) && !take_stack(ctrl)) {
		kmm_report("WARNING: kmap_local_page: all %d kmap_local stacks are taken by "
			   "live threads, refused",
			   KMAP_LOCAL_TASKS);
		return NULL;
	}
	if (kmm_unlikely(ctrl->idx >= KM_MAX_IDX)) {
		kmm_report("WARNING: kmap_local_page: all %d slots of this thread are in use (pfn "
			   "0x%lx), refused",
			   KM_MAX_IDX, page_to_pfn(page));
		return NULL;
	}
	slot = stack_slot(ctrl->stack - 1) + (unsigned long)ctrl->idx++;
	vaddr = kmap_local_addr(slot);
	set_pte_at(&kmm_init_mm, vaddr, kmap_local_pte(slot), mk_pte(page, kmap_prot));
	mirror_one(vaddr, page_to_pfn(page));
	return (void *)vaddr;
}

void kunmap_local_indexed(const void *vaddr)
{
	unsigned long addr = (unsigned long)vaddr & PAGE_MASK, slot;
	struct kmap_ctrl *ctrl;

	if (kmm_unlikely(!kmm_kmap_local_base || addr < kmm_kmap_local_base ||
			 addr >= kmm_kmap_local_end)) {
		kmm_report("WARNING: kunmap_local: %p is not a kmap_local_page() address, refused",
			   vaddr);
		return;
	}
	ctrl = current_kmap_ctrl();
	if (kmm_unlikely(!ctrl->idx)) {
		kmm_report("WARNING: kunmap_local: %p: this thread has no kmap_local_page() "
			   "mapping, refused",
			   vaddr);
		return;
	}
	slot = stack_slot(ctrl->stack - 1) + (unsigned long)ctrl->idx - 1;
	if (kmm_unlikely(addr != kmap_local_addr(slot))) {
		kmm_report("WARNING: kunmap_local: %p is not this thread's last kmap_local_page() "
			   "(0x%lx): unmap in reverse order, refused",
			   vaddr, kmap_local_addr(slot));
		return;
	}
	pte_clear(&kmm_init_mm, addr, kmap_local_pte(slot));
	mirror_one(addr, MMU_NO_PFN);
	ctrl->idx--;
}

/*
 * fork (the step KMM_FORK_KMAP): kmap_lock and kmap_stacks_lock are held
 * across fork(); the child re-initialises them and pkmap_map_wait (its
 * waiters do not exist there), and unmaps and frees the kmap_local stacks of
 * the threads that are not there.  PKMAP entries those threads held stay
 * taken.
 */
static void kmap_fork_prepare(void)
{
	kmm_mutex_lock(&kmap_lock);
	kmm_mutex_lock(&kmap_stacks_lock);
}

static void kmap_fork_parent(void)
{
	pthread_mutex_unlock(&kmap_stacks_lock);
	pthread_mutex_unlock(&kmap_lock);
}

static void kmap_fork_child(void)
{
	int own = current_kmap_ctrl()->stack - 1, i;

	pthread_mutex_init(&kmap_lock, NULL);
	pthread_mutex_init(&kmap_stacks_lock, NULL);
	pthread_cond_init(&pkmap_map_wait, NULL);
	pkmap_waiters = 0;
	for (i = 0; kmap_local_tables[0] && i < KMAP_LOCAL_TASKS; i++) {
		if (i == own || !kmap_stacks_used[i])
			continue;
		unmap_slots(stack_slot(i), stack_slot(i) + KM_MAX_IDX);
		kmap_stacks_used[i] = false;
	}
}

struct page *kmap_to_page(const void *vaddr)
{
	unsigned long addr = (unsigned long)vaddr;
	pte_t pte = __pte(0);

	if (pkmap_page_table && addr - PKMAP_BASE < (unsigned long)LAST_PKMAP << PAGE_SHIFT)
		pte = ptep_get(&pkmap_page_table[PKMAP_NR(addr)]);
	else if (kmap_local_tables[0] && addr >= kmm_kmap_local_base && addr < kmm_kmap_local_end)
		pte = ptep_get(kmap_local_pte((addr - kmm_kmap_local_base) >> PAGE_SHIFT));
	else if (virt_addr_valid(vaddr))
		return virt_to_page(vaddr);
	return pte_present(pte) ? pte_page(pte) : NULL;
}

unsigned long nr_free_highpages(void)
{
	unsigned long sum = 0;
	int nid;

	for (nid = 0; kmm_booted() && nid < kmm_nr_online_nodes; nid++)
		sum += zone_page_state(&NODE_DATA(nid)->node_zones[ZONE_HIGHMEM], NR_FREE_PAGES);
	return sum;
}

static const struct kmm_fork_ops highmem_fork_ops[] = {
	{.step = KMM_FORK_KMAP,
	 .prepare = kmap_fork_prepare,
	 .parent = kmap_fork_parent,
	 .child = kmap_fork_child},
};

const struct kmm_subsys kmm_highmem_subsys = {
	.name = "highmem",
	.init = highmem_init,
	.exit = highmem_exit,
	KMM_SUBSYS_FORK(highmem_fork_ops),
};
