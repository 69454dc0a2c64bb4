/* SPDX-License-Identifier: MIT */
/*
 * vmalloc/vmap_area.c - the address space of the vmalloc area: which ranges
 * are free, in use or waiting for a purge, and the lazy purge.
 *
 * Three trees of vmap areas, as the kernel's: the free tree (augmented with
 * subtree_max_size) holds the free ranges, merged; the busy tree the ranges in
 * use, each with its vm_struct (or VMAP_RAM); the purge tree the ranges freed
 * but still mapped, merged.  The free tree starts as one range, the whole
 * vmalloc area, made on the first allocation.
 *
 * Placement (alloc_vmap_area()): the lowest free range with room at the
 * alignment, in O(log n); the request is cut from it (whole range, left
 * edge, right edge, or the middle, which needs a second node: allocated
 * before the lock is taken again).  A vmalloc range includes its guard page,
 * so freed ranges abut and merge.
 *
 * Lazy freeing (free_unmap_vmap_area()): a freed range's entries are cleared
 * at once, but its real mappings stay until a purge, and the range stays out
 * of the free tree until then, so it cannot be handed out while still mapped.
 * The purge (__purge_vmap_area_lazy()) takes the whole purge tree, revokes the
 * mirrors of its merged runs (one mprotect() per run, pagetable/mmu.c), and
 * gives the runs to the free tree.  It starts when more than lazy_max_pages()
 * pages wait (the kernel's 32 MiB per log2 of the CPUs), when an allocation
 * finds no room, or on vm_unmap_aliases().  The kernel purges to flush stale
 * TLB entries; here the revoking is the flush, and batching it is what makes
 * vfree() cheaper than munmap().
 *
 * Host mappings.  A revoked mirror is still a host mapping (VMA), of which
 * the process has vm.max_map_count.  The purge leaves them parked in the
 * free ranges it makes (VMAP_PARKED), because the next areas there usually
 * replace them like for like, half the cost of splitting the reservation
 * again; give_back_free_ranges() maps the parked free ranges back into the
 * reservation (pagetable/mmu.c), which returns their host mappings.  That is
 * done on vm_unmap_aliases() (so that after freeing everything, the process
 * has the mappings it had before), when the host refuses a mapping
 * (vmalloc.c purges, gives back and retries), and when the estimate of
 * parked mappings (the smaller of two per area purged and one per parked
 * page) passes a quarter of the usual limit plus one purge's worth, which a
 * program reusing one window of the area never reaches.
 *
 * Locking: see vmalloc.h.  vmap_purge_lock is held across the purge's
 * system calls and the giving back, which takes the free tree whole for its
 * system calls (an allocation that finds it taken waits on vmap_purge_lock);
 * the tree locks are taken only around tree operations.  vmap_parked_areas
 * is under vmap_purge_lock; vmap_parked_pages, free_vmap_area_taken and the
 * VMAP_PARKED flags under free_vmap_area_lock (give_back_free_ranges()
 * clears the flags of the tree it has taken, which nobody else reads).
 */
#include <stdio.h>

#include <kmm/kmm.h>
#include "pagetable/internal.h"
#include "report/report.h"
#include "slab/slab.h"
#include "vmalloc/vmalloc.h"

struct vmap_tree vmap_area_root, purge_vmap_area_root;
static struct vmap_tree free_vmap_area_root;
pthread_mutex_t vmap_area_lock = PTHREAD_MUTEX_INITIALIZER;
pthread_mutex_t purge_vmap_area_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t free_vmap_area_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t vmap_purge_lock = PTHREAD_MUTEX_INITIALIZER;
/* Pages of the ranges in the purge tree (atomic). */
static unsigned long vmap_lazy_nr;
/* Areas freed into the purge tree since the last purge took it (atomic). */
static unsigned long vmap_lazy_areas;
/*
 * What bounds the host mappings that mirrors revoked in place still hold in
 * free space, since the free ranges were last given back: two per area
 * purged in place (a mirror, and the split of the reservation after it;
 * vmap_purge_lock), and one per page of the VMAP_PARKED free ranges
 * (free_vmap_area_lock).  The smaller is the estimate.
 */
static unsigned long vmap_parked_areas, vmap_parked_pages;
/* The root of the free tree while give_back_free_ranges() has it, else NULL (free_vmap_area_lock). */
static struct vmap_area *free_vmap_area_taken;
/*
 * The estimate past which a purge gives the free ranges back: a quarter of
 * the usual vm.max_map_count (65530), plus what one purge frees, so that
 * areas that keep reusing one window of the vmalloc area (the common case)
 * never pay for giving it back and splitting the reservation again.
 */
#define VMAP_PARKED_MIN 16384UL
/* The free tree holds the vmalloc area (set once per boot, under free_vmap_area_lock). */
static bool vmap_initialized;
static struct kmm_ratelimit vmap_overflow_rs = KMM_RATELIMIT_INIT;

/* fork: every vmalloc lock is held across fork(), vmap_purge_lock first. */
void vmap_fork_prepare(void)
{
	kmm_mutex_lock(&vmap_purge_lock);
	kmm_mutex_lock(&free_vmap_area_lock);
	kmm_mutex_lock(&purge_vmap_area_lock);
	kmm_mutex_lock(&vmap_area_lock);
}

void vmap_fork_parent(void)
{
	pthread_mutex_unlock(&vmap_area_lock);
	pthread_mutex_unlock(&purge_vmap_area_lock);
	pthread_mutex_unlock(&free_vmap_area_lock);
	pthread_mutex_unlock(&vmap_purge_lock);
}

void vmap_fork_child(void)
{
	pthread_mutex_init(&vmap_area_lock, NULL);
	pthread_mutex_init(&purge_vmap_area_lock, NULL);
	pthread_mutex_init(&free_vmap_area_lock, NULL);
	pthread_mutex_init(&vmap_purge_lock, NULL);
}

void vmap_area_init(void)
{
	vmap_tree_init(&free_vmap_area_root, true);
	vmap_tree_init(&vmap_area_root, false);
	vmap_tree_init(&purge_vmap_area_root, false);
	vmap_lazy_nr = 0;
	vmap_lazy_areas = 0;
	vmap_parked_areas = vmap_parked_pages = 0;
	free_vmap_area_taken = NULL;
	vmap_initialized = false;
}

/* The first allocation of a machine: the whole vmalloc area becomes one free range. */
static bool vmap_init_free_space(gfp_t gfp)
{
	struct vmap_area *va;

	if (kmm_likely(__atomic_load_n(&vmap_initialized, __ATOMIC_ACQUIRE)))
		return true;
	va = kmem_cache_alloc(vmap_area_cachep, gfp);
	if (!va)
		return false;
	va->va_start = VMALLOC_START;
	va->va_end = VMALLOC_END;
	va->flags = 0;
	kmm_mutex_lock(&free_vmap_area_lock);
	if (!vmap_initialized) {
		vmap_tree_insert(&free_vmap_area_root, va);
		__atomic_store_n(&vmap_initialized, true, __ATOMIC_RELEASE);
		va = NULL;
	}
	pthread_mutex_unlock(&free_vmap_area_lock);
	kmem_cache_free_own(vmap_area_cachep, va);
	return true;
}

/*
 * merge_or_add_vmap_area - put the range @va into @tree, merged with the
 * ranges it touches (their nodes absorb it and its flags, and @va is freed).
 * Return: the node that now holds the range.
 */
static struct vmap_area *merge_or_add_vmap_area(struct vmap_tree *tree, struct vmap_area *va)
{
	struct vmap_area *next = vmap_tree_find_next(tree, va->va_end), *prev = NULL;
	struct list_head *before = next ? next->list.prev : tree->list.prev;
	bool merged = false;

	if (before != &tree->list)
		prev = list_entry(before, struct vmap_area, list);
	if (next && next->va_start == va->va_end) {
		next->va_start = va->va_start;
		next->flags |= va->flags;
		kmem_cache_free_own(vmap_area_cachep, va);
		va = next;
		merged = true;
	}
	if (prev && prev->va_end == va->va_start) {
		prev->va_end = va->va_end;
		prev->flags |= va->flags;
		if (merged)
			vmap_tree_erase(tree, va);
		kmem_cache_free_own(vmap_area_cachep, va);
		va = prev;
		merged = true;
	}
	if (merged)
		vmap_tree_resized(tree, va);
	else
		vmap_tree_insert(tree, va);
	return va;
}

/* What __alloc_vmap_area() returns when it cannot cut a range from the middle without @spare. */
#define VMAP_NEED_SPARE 1UL

/*
 * __alloc_vmap_area - cut @size bytes at @align from the lowest free range
 * that has them in [@vstart, @vend); free_vmap_area_lock held.
 * Return: the address; 0 if no range fits; VMAP_NEED_SPARE if the cut needs
 * *@spare and it is NULL (otherwise *@spare is used up and set to NULL).
 */
static unsigned long __alloc_vmap_area(unsigned long size, unsigned long align,
				       unsigned long vstart, unsigned long vend,
				       struct vmap_area **spare)
{
	unsigned long length = align > PAGE_SIZE ? size + align - 1 : size, start;
	struct vmap_tree *tree = &free_vmap_area_root;
	struct vmap_area *va = vmap_tree_lowest_fit(tree, size, align, vstart, length);

	if (!va)
		return 0;
	start = va_fit_start(va, align, vstart);
	if (start + size > vend)
		return 0;
	if (va->flags & VMAP_PARKED) {
		unsigned long taken = size >> PAGE_SHIFT;

		/* The range may be larger than what was parked in it. */
		vmap_parked_pages -= taken < vmap_parked_pages ? taken : vmap_parked_pages;
	}
	if (va->va_start == start && va->va_end == start + size) {
		vmap_tree_erase(tree, va);
		kmem_cache_free_own(vmap_area_cachep, va);
	} else if (va->va_start == start) {
		va->va_start += size;
		vmap_tree_resized(tree, va);
	} else if (va->va_end == start + size) {
		va->va_end = start;
		vmap_tree_resized(tree, va);
	} else {
		struct vmap_area *right = *spare;

		if (!right)
			return VMAP_NEED_SPARE;
		*spare = NULL;
		right->va_start = start + size;
		right->va_end = va->va_end;
		right->flags = va->flags;
		va->va_end = start;
		vmap_tree_resized(tree, va);
		vmap_tree_insert(tree, right);
	}
	return start;
}

struct vmap_area *alloc_vmap_area(unsigned long size, unsigned long align, unsigned long vstart,
				  unsigned long vend, int node, gfp_t gfp, unsigned long va_flags,
				  struct vm_struct *vm)
{
	gfp_t va_gfp = gfp & GFP_RECLAIM_MASK;
	struct vmap_area *va, *spare = NULL;
	bool purged = false;
	unsigned long addr;

	if (align < PAGE_SIZE)
		align = PAGE_SIZE;
	if (!vmap_init_free_space(va_gfp))
		return NULL;
	va = kmem_cache_alloc_node(vmap_area_cachep, va_gfp, node);
	if (!va)
		return NULL;
	for (;;) {
		bool taken;

		kmm_mutex_lock(&free_vmap_area_lock);
		addr = __alloc_vmap_area(size, align, vstart, vend, &spare);
		taken = free_vmap_area_taken;
		pthread_mutex_unlock(&free_vmap_area_lock);
		if (kmm_likely(addr > VMAP_NEED_SPARE))
			break;
		if (addr == VMAP_NEED_SPARE) {
			spare = kmem_cache_alloc_node(vmap_area_cachep, va_gfp, node);
			if (spare)
				continue;
		} else if (taken) {
			/* The free tree is being given back: wait for it, without counting a purge. */
			kmm_mutex_lock(&vmap_purge_lock);
			pthread_mutex_unlock(&vmap_purge_lock);
			continue;
		} else if (!purged) {
			/* Lazily freed ranges are free space not yet given back: purge, retry. */
			purge_vmap_area_lazy(false);
			purged = true;
			continue;
		} else if (!(gfp & __GFP_NOWARN) && kmm_ratelimit(&vmap_overflow_rs)) {
			kmm_report(
				"vmalloc_node_range for size %lu failed: Address range restricted "
				"to %#lx - %#lx",
				size, vstart, vend);
		}
		kmem_cache_free_own(vmap_area_cachep, va);
		kmem_cache_free_own(vmap_area_cachep, spare);
		return NULL;
	}
	kmem_cache_free_own(vmap_area_cachep, spare);
	va->va_start = addr;
	va->va_end = addr + size;
	va->flags = va_flags;
	va->vm = vm;
	if (vm) {
		vm->addr = (void *)addr;
		vm->size = size;
	}
	kmm_mutex_lock(&vmap_area_lock);
	vmap_tree_insert(&vmap_area_root, va);
	pthread_mutex_unlock(&vmap_area_lock);
	return va;
}

struct vmap_area *find_unlink_vmap_area(unsigned long addr, unsigned long va_flags)
{
	struct vmap_area *va;

	kmm_mutex_lock(&vmap_area_lock);
	va = vmap_tree_find(&vmap_area_root, addr);
	if (va && va->va_start == addr && (va->flags & VMAP_RAM) == va_flags)
		vmap_tree_erase(&vmap_area_root, va);
	else
		va = NULL;
	pthread_mutex_unlock(&vmap_area_lock);
	return va;
}

struct vmap_area *find_vmap_area(unsigned long addr)
{
	struct vmap_area *va;

	kmm_mutex_lock(&vmap_area_lock);
	va = vmap_tree_find(&vmap_area_root, addr);
	pthread_mutex_unlock(&vmap_area_lock);
	return va;
}

/* lazy_max_pages - how many freed pages may wait for a purge: 32 MiB per log2 of the CPUs. */
static unsigned long lazy_max_pages(void)
{
	unsigned int cpus = num_online_cpus();
	unsigned int log = cpus ? 32 - (unsigned int)__builtin_clz(cpus) : 1;

	return log * ((32UL << 20) >> PAGE_SHIFT);
}

/*
 * give_back_free_ranges - give every free range that may hold mirrors revoked
 * in place (VMAP_PARKED) back to the reservation, and with them their host
 * mappings: one call per range; vmap_purge_lock held.  The free tree is taken
 * whole for the system calls (nothing else adds to it without
 * vmap_purge_lock; an allocation that finds it taken waits for this on
 * vmap_purge_lock) and put back as it was.
 */
static void give_back_free_ranges(void)
{
	struct mmu_run run = {0};
	struct vmap_area *root, *va;
	struct list_head list;

	INIT_LIST_HEAD(&list);
	kmm_mutex_lock(&free_vmap_area_lock);
	root = free_vmap_area_taken = free_vmap_area_root.root;
	list_splice_init(&free_vmap_area_root.list, &list);
	free_vmap_area_root.root = NULL;
	pthread_mutex_unlock(&free_vmap_area_lock);
	list_for_each_entry(va, &list, list) {
		if (!(va->flags & VMAP_PARKED))
			continue;
		va->flags &= ~VMAP_PARKED;
		mmu_run_add(&run, va->va_start, va_size(va) >> PAGE_SHIFT, MMU_NO_PFN, PROT_NONE);
	}
	mmu_run_flush(&run);
	kmm_mutex_lock(&free_vmap_area_lock);
	free_vmap_area_root.root = root;
	free_vmap_area_taken = NULL;
	list_splice_init(&list, &free_vmap_area_root.list);
	vmap_parked_pages = 0;
	pthread_mutex_unlock(&free_vmap_area_lock);
	vmap_parked_areas = 0;
}

/*
 * __purge_vmap_area_lazy - take every range of the purge tree, revoke its
 * mirrors and free it; vmap_purge_lock held.  The mirrors are revoked in
 * place (parked: the next areas there replace them like for like) unless
 * @give_back; the free ranges are given back to the reservation with
 * @give_back, or when the estimate of parked host mappings passes
 * VMAP_PARKED_MIN plus lazy_max_pages().
 */
static void __purge_vmap_area_lazy(bool give_back)
{
	unsigned long areas = __atomic_exchange_n(&vmap_lazy_areas, 0, __ATOMIC_RELAXED);
	unsigned long nr = 0, parked;
	struct vmap_area *va, *n;
	struct mmu_run run = {0};
	struct list_head list;

	INIT_LIST_HEAD(&list);
	kmm_mutex_lock(&purge_vmap_area_lock);
	list_splice_init(&purge_vmap_area_root.list, &list);
	purge_vmap_area_root.root = NULL;
	pthread_mutex_unlock(&purge_vmap_area_lock);
	/* The entries were cleared at free: only the mirrors are left to go. */
	run.in_place = !give_back;
	list_for_each_entry(va, &list, list) {
		mmu_run_add(&run, va->va_start, va_size(va) >> PAGE_SHIFT, MMU_NO_PFN, PROT_NONE);
		nr += va_size(va) >> PAGE_SHIFT;
	}
	mmu_run_flush(&run);
	if (!give_back)
		vmap_parked_areas += areas;
	kmm_mutex_lock(&free_vmap_area_lock);
	list_for_each_entry_safe(va, n, &list, list) {
		list_del(&va->list);
		va->flags = give_back ? 0 : VMAP_PARKED;
		merge_or_add_vmap_area(&free_vmap_area_root, va);
	}
	if (!give_back)
		vmap_parked_pages += nr;
	parked = 2 * vmap_parked_areas < vmap_parked_pages ? 2 * vmap_parked_areas
							   : vmap_parked_pages;
	pthread_mutex_unlock(&free_vmap_area_lock);
	__atomic_fetch_sub(&vmap_lazy_nr, nr, __ATOMIC_RELAXED);
	if (give_back || parked > VMAP_PARKED_MIN + lazy_max_pages())
		give_back_free_ranges();
}

void purge_vmap_area_lazy(bool give_back)
{
	kmm_mutex_lock(&vmap_purge_lock);
	__purge_vmap_area_lazy(give_back);
	pthread_mutex_unlock(&vmap_purge_lock);
}

void vm_unmap_aliases(void)
{
	if (kmm_booted())
		purge_vmap_area_lazy(true);
}

void free_unmap_vmap_area(struct vmap_area *va, bool may_purge)
{
	unsigned long nr = va_size(va) >> PAGE_SHIFT, lazy;

	vunmap_range_noflush(va->va_start, va->va_end);
	kmm_mutex_lock(&purge_vmap_area_lock);
	merge_or_add_vmap_area(&purge_vmap_area_root, va);
	pthread_mutex_unlock(&purge_vmap_area_lock);
	lazy = __atomic_add_fetch(&vmap_lazy_nr, nr, __ATOMIC_RELAXED);
	__atomic_fetch_add(&vmap_lazy_areas, 1, __ATOMIC_RELAXED);
	/* Too much waits: purge, unless another thread is at it. */
	if (may_purge && lazy > lazy_max_pages() && pthread_mutex_trylock(&vmap_purge_lock) == 0) {
		__purge_vmap_area_lazy(false);
		pthread_mutex_unlock(&vmap_purge_lock);
	}
}

const char *describe_vmalloc_addr(unsigned long addr, char *buf, size_t len)
{
	struct vmap_area *va;

	if (!is_vmalloc_addr((void *)addr)) {
		snprintf(buf, len, "not in the vmalloc area%s",
			 virt_addr_valid((void *)addr)
				 ? " (a direct-map address: kmalloc or pages?)"
				 : "");
		return buf;
	}
	kmm_mutex_lock(&vmap_area_lock);
	va = vmap_tree_find(&vmap_area_root, addr);
	if (va && va->va_start == addr)
		snprintf(buf, len, "%s",
			 (va->flags & VMAP_RAM) ? "it is a vm_map_ram() area"
						: "it is an area of vmalloc() or vmap()");
	else if (va)
		snprintf(buf, len, "inside the area 0x%lx-0x%lx", va->va_start, va->va_end);
	pthread_mutex_unlock(&vmap_area_lock);
	if (va)
		return buf;
	kmm_mutex_lock(&purge_vmap_area_lock);
	va = vmap_tree_find(&purge_vmap_area_root, addr);
	pthread_mutex_unlock(&purge_vmap_area_lock);
	snprintf(buf, len, "%s",
		 va ? "in an area already freed (not yet purged)"
		    : "in free space (an area already freed, or never allocated)");
	return buf;
}

unsigned long vmalloc_largest_free(void)
{
	const struct vmap_area *root;
	unsigned long largest;

	if (!__atomic_load_n(&vmap_initialized, __ATOMIC_ACQUIRE))
		return VMALLOC_TOTAL;
	kmm_mutex_lock(&free_vmap_area_lock);
	root = free_vmap_area_taken ?: free_vmap_area_root.root;
	largest = root ? root->subtree_max_size : 0;
	pthread_mutex_unlock(&free_vmap_area_lock);
	return largest;
}
