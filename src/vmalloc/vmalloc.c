/* SPDX-License-Identifier: MIT */
/*
 * vmalloc/vmalloc.c - vm areas: vmalloc() and vfree(), vmap(), vm_map_ram(),
 * get_vm_area(), vrealloc(), and the pages behind vmalloc areas.
 *
 * A vmalloc() is the kernel's __vmalloc_node_range(): a vm_struct, a range
 * from alloc_vmap_area() (with VM_UNINITIALIZED set, so vmallocinfo skips it
 * until it is whole), the pages, then vmap_pages_range() to write and mirror
 * the entries.  vfree() takes the range out of the busy tree, frees it lazily
 * (vmap_area.c), and gives the pages back.
 *
 * Pages of an area (vm_area_alloc_pages()).  The kernel takes order-0 pages
 * (or 2 MiB blocks for vmalloc_huge()).  Here a plain vmalloc() first takes
 * the largest blocks the page allocator has free without reclaim or warning
 * (up to MAX_PAGE_ORDER, stepping down when an order fails), then order-0
 * pages with the caller's flags, and splits every block with split_page(), so
 * pages[] holds order-0 pages with a reference each, as the kernel's.  Blocks
 * are placed in the area in pfn order (in groups of 64), so that blocks the
 * allocator hands out back to back form one physically contiguous run: one
 * mmap() for the whole area.  vfree() gives back each naturally aligned run
 * of consecutive pages whose pages still have one reference as one block
 * (rejoin_order()), where the kernel frees page by page: a 16 MiB vfree() is
 * four frees, not 4096.
 *
 * Highmem.  Unless GFP_DMA or GFP_DMA32 is asked for, area pages are taken
 * with __GFP_HIGHMEM, as the kernel's: HighMem first, lowmem when it runs
 * out.  Nothing here needs their direct-map address: entries are written by
 * pfn, and vfree() works on struct pages.
 *
 * Host mappings.  Every mapping of an area's pages (vmalloc(), vmap(),
 * vm_map_ram()) goes through map_area_pages(): when the host refuses a
 * mapping for want of host mappings (vm.max_map_count), lazily freed and
 * parked areas may be what holds them, so the area's entries are cleared,
 * the purge gives the free space back, and the mapping is tried once more; if the host still refuses, the call fails like an allocation
 * (NULL, and for vmalloc() the "failed to map pages" error).
 *
 * Reports: the kernel's words.  "Trying to vfree() nonexistent vm area (%p)"
 * for an address that is not the start of a live area (with why), and
 * "vmalloc error: size %lu, ..." (warn_alloc(), with the Mem-Info summary,
 * rate-limited, unless __GFP_NOWARN) when an allocation fails.
 *
 * Locking: see vmalloc.h.  Nothing here holds a lock across a call into
 * another file; a vm_struct belongs to its area's owner.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "boot/machine.h"
#include "boot/subsys.h"
#include "buddy/internal.h"
#include "fault/fault_inject.h"
#include "pagetable/internal.h"
#include "report/report.h"
#include "slab/slab.h"
#include "vmalloc/vmalloc.h"

#define GFP_VMALLOC32  (GFP_DMA32 | GFP_KERNEL)
/* Blocks sorted by pfn at a time before they are placed in an area. */
#define VM_BLOCK_BATCH 64

static struct kmm_ratelimit vmalloc_error_rs = KMM_RATELIMIT_INIT;
/* vmalloc(0) was warned about on this machine (the kernel's WARN_ON_ONCE). */
static bool zero_size_warned;

static struct kmem_cache *vm_struct_cachep;
struct kmem_cache *vmap_area_cachep;

/* At boot, after the slab layer and kmalloc: empty trees, the vmalloc caches. */
static int vmalloc_init(void)
{
	vmap_area_init();
	zero_size_warned = false;
	vm_struct_cachep = kmem_cache_create_own(
		"vm_struct", sizeof(struct vm_struct) + VM_INLINE_PAGES * sizeof(struct page *));
	vmap_area_cachep = kmem_cache_create_own("vmap_area", sizeof(struct vmap_area));
	if (vm_struct_cachep && vmap_area_cachep)
		return 0;
	kmm_report("kmm_init: cannot create the vmalloc caches: %s", strerror(ENOMEM));
	return -ENOMEM;
}

/* At teardown: forget the areas and the caches (they go with the machine's memory). */
static void vmalloc_exit(void)
{
	vmap_area_init();
	vm_struct_cachep = vmap_area_cachep = NULL;
}

static const struct kmm_fork_ops vmalloc_fork_ops[] = {
	{.step = KMM_FORK_VMAP,
	 .prepare = vmap_fork_prepare,
	 .parent = vmap_fork_parent,
	 .child = vmap_fork_child},
};

static const struct kmm_proc_file vmalloc_proc[] = {
	{"vmallocinfo", show_vmallocinfo},
};

const struct kmm_subsys kmm_vmalloc_subsys = {
	.name = "vmalloc",
	.init = vmalloc_init,
	.exit = vmalloc_exit,
	KMM_SUBSYS_PROC(vmalloc_proc),
	KMM_SUBSYS_FORK(vmalloc_fork_ops),
};

/* vm_inline_pages - the pages array a vm_struct holds itself, after its fields. */
static struct page **vm_inline_pages(struct vm_struct *vm)
{
	return (struct page **)(vm + 1);
}

/* vm_pages_alloc - the pages array of @area's @nr pages: inside it, or whole pages of the library's. */
static struct page **vm_pages_alloc(struct vm_struct *area, unsigned int nr, gfp_t gfp)
{
	if (nr <= VM_INLINE_PAGES)
		return vm_inline_pages(area);
	return kmm_alloc_own_pages((size_t)nr * sizeof(struct page *), gfp | __GFP_NOWARN);
}

/*
 * vm_free_struct - give back @vm and a pages array of vm_pages_alloc()'s; a
 * vmap()'s VM_MAP_PUT_PAGES array is its caller's (vfree() kvfree()s it).
 */
static void vm_free_struct(struct vm_struct *vm)
{
	if (vm->pages && vm->pages != vm_inline_pages(vm) && !(vm->flags & VM_MAP_PUT_PAGES))
		kmm_free_own_pages(vm->pages,
				   (get_vm_area_size(vm) >> PAGE_SHIFT) * sizeof(struct page *));
	kmem_cache_free_own(vm_struct_cachep, vm);
}

/* warn_vmalloc - the kernel's warn_alloc() for vmalloc: the message, the flags, Mem-Info. */
static kmm_format(2, 3) void warn_vmalloc(gfp_t gfp, const char *fmt, ...)
{
	char comm[16], flags[256], msg[160];
	va_list ap;

	if ((gfp & __GFP_NOWARN) || !kmm_ratelimit(&vmalloc_error_rs))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kmm_report_begin();
	kmm_pr("%s: %s, mode:%#x(%s), nodemask=(null)\n", kmm_current_comm(comm), msg, gfp,
	       format_gfp(gfp, flags, sizeof(flags)));
	show_free_areas(stderr);
	kmm_report_end(true);
}

static void report_nonexistent(const char *call, const void *addr)
{
	char why[128];

	kmm_report("WARNING: Trying to %s() nonexistent vm area (%p): %s, refused", call, addr,
		   describe_vmalloc_addr((unsigned long)addr, why, sizeof(why)));
}

/*
 * map_area_pages - vmap_pages_range() of a new area at [@addr, @end).  When it
 * fails for want of memory, which includes the host refusing a mapping at its
 * vm.max_map_count, lazily freed and parked areas may be what holds the host
 * mappings (as they hold address space): clear the entries written, purge and
 * give the free space back, and try once more, as alloc_vmap_area() purges
 * when the address space is full.  The mirrors made before the failure map
 * the same frames at the same addresses, so the retry replaces them like for
 * like.  Return: 0 or vmap_pages_range()'s error.
 */
static int map_area_pages(unsigned long addr, unsigned long end, pgprot_t prot, struct page **pages,
			  unsigned int page_shift)
{
	int err = vmap_pages_range(addr, end, prot, pages, page_shift);

	if (kmm_likely(!err) || err != -ENOMEM)
		return err;
	vunmap_range_noflush(addr, end);
	purge_vmap_area_lazy(true);
	return vmap_pages_range(addr, end, prot, pages, page_shift);
}

/* The vm_struct level. */

static struct vm_struct *__get_vm_area_node(unsigned long size, unsigned long align,
					    unsigned int shift, unsigned long flags,
					    unsigned long start, unsigned long end, int node,
					    gfp_t gfp, const void *caller)
{
	unsigned long requested = size;
	struct vm_struct *area;
	bool nofault;

	size = (size + (1UL << shift) - 1) & ~((1UL << shift) - 1);
	if (kmm_unlikely(!size))
		return NULL;
	if (kmm_unlikely(!in_vmalloc_area(start, end) || (align & (align - 1)))) {
		kmm_report("WARNING: vmalloc: range [0x%lx, 0x%lx) or alignment %#lx is not inside "
			   "the vmalloc area [0x%lx, 0x%lx), refused",
			   start, end, align, VMALLOC_START, VMALLOC_END);
		return NULL;
	}
	/* the vm_struct and the vmap_area are the library's bookkeeping, not the program's */
	nofault = memalloc_nofault_save();
	area = kmem_cache_alloc_node(vm_struct_cachep, (gfp & GFP_RECLAIM_MASK) | __GFP_ZERO, node);
	if (kmm_likely(area)) {
		if (!(flags & VM_NO_GUARD))
			size += PAGE_SIZE;
		area->flags = flags;
		area->caller = caller;
		area->requested_size = requested;
		if (!alloc_vmap_area(size, align, start, end, node, gfp, 0, area)) {
			kmem_cache_free_own(vm_struct_cachep, area);
			area = NULL;
		}
	}
	memalloc_nofault_restore(nofault);
	return area;
}

struct vm_struct *__get_vm_area_caller(unsigned long size, unsigned long flags, unsigned long start,
				       unsigned long end, const void *caller)
{
	return __get_vm_area_node(size, 1, PAGE_SHIFT, flags, start, end, NUMA_NO_NODE, GFP_KERNEL,
				  caller);
}

struct vm_struct *get_vm_area_caller(unsigned long size, unsigned long flags, const void *caller)
{
	if (!kmm_machine_up()) /* before VMALLOC_START is read */
		return NULL;
	return __get_vm_area_caller(size, flags, VMALLOC_START, VMALLOC_END, caller);
}

struct vm_struct *get_vm_area(unsigned long size, unsigned long flags)
{
	return get_vm_area_caller(size, flags, __builtin_return_address(0));
}

struct vm_struct *find_vm_area(const void *addr)
{
	struct vmap_area *va = find_vmap_area((unsigned long)addr);

	return va ? va->vm : NULL;
}

/* __remove_vm_area - remove_vm_area(), starting a purge only with @may_purge. */
static struct vm_struct *__remove_vm_area(const void *addr, bool may_purge)
{
	struct vmap_area *va = find_unlink_vmap_area((unsigned long)addr, 0);
	struct vm_struct *vm;

	if (!va)
		return NULL;
	vm = va->vm;
	free_unmap_vmap_area(va, may_purge);
	return vm;
}

struct vm_struct *remove_vm_area(const void *addr)
{
	return __remove_vm_area(addr, true);
}

void free_vm_area(struct vm_struct *area)
{
	struct vm_struct *ret;

	if (!area)
		return;
	ret = remove_vm_area(area->addr);
	if (ret != area) {
		kmm_report("WARNING: free_vm_area: %p is not a live area (its address %p), refused",
			   (void *)area, area->addr);
		return;
	}
	vm_free_struct(area);
}

/* The pages of an area. */

/* A block from the page allocator, before it is split into an area's pages. */
struct vm_block {
	struct page *page;  /* its first page */
	unsigned int order; /* its order */
};

/* place_blocks - write the pages of @blocks to @pages in pfn order; return how many. */
static unsigned int place_blocks(struct vm_block *blocks, unsigned int nr, struct page **pages)
{
	unsigned int i, j, n = 0;

	for (i = 1; i < nr; i++) {
		struct vm_block b = blocks[i];

		for (j = i; j > 0 && blocks[j - 1].page > b.page; j--)
			blocks[j] = blocks[j - 1];
		blocks[j] = b;
	}
	for (i = 0; i < nr; i++) {
		unsigned long k, count = 1UL << blocks[i].order;

		for (k = 0; k < count; k++)
			pages[n + k] = blocks[i].page + k;
		n += (unsigned int)count;
	}
	return n;
}

static struct page *vm_alloc_block(int nid, gfp_t gfp, unsigned int order)
{
	struct page *page =
		nid == NUMA_NO_NODE ? alloc_pages(gfp, order) : alloc_pages_node(nid, gfp, order);

	if (page) {
		if (order)
			split_page(page, order);
		zone_stat_add(page_zone(page), NR_ZONE_VMALLOC, 1L << order);
	}
	return page;
}

/*
 * vm_area_alloc_pages - fill @pages with @nr_pages pages: 2^@page_order blocks
 * (vmalloc_huge()), or the largest blocks free at once, then order-0 pages.
 * Return: the pages allocated (fewer than @nr_pages when memory ran out).
 */
static unsigned int vm_area_alloc_pages(gfp_t gfp, int nid, unsigned int page_order,
					unsigned int nr_pages, struct page **pages)
{
	/* Blocks are split into order-0 pages: never compound. */
	gfp &= ~__GFP_COMP;
	/* For blocks above order 0: no reclaim, no reserves, no warning; a failure steps down. */
	gfp_t block_gfp = (gfp & ~(__GFP_RECLAIM | __GFP_NOFAIL | __GFP_COMP)) | __GFP_NOWARN |
			  __GFP_NOMEMALLOC;
	unsigned int nr_allocated = 0, pending = 0, nr_blocks = 0, max_order = MAX_PAGE_ORDER;
	struct vm_block blocks[VM_BLOCK_BATCH];
	bool nofault;

	while (nr_allocated + pending < nr_pages) {
		unsigned int left = nr_pages - nr_allocated - pending;
		unsigned int order = page_order;
		struct page *page = NULL;

		if (page_order) {
			page = vm_alloc_block(nid, gfp, page_order);
		} else {
			order = 31 - (unsigned int)__builtin_clz(left);
			if (order > max_order)
				order = max_order;
			/* the tries for blocks are the library's, not the program's: no fault injection */
			nofault = memalloc_nofault_save();
			while (order > 0) {
				page = vm_alloc_block(nid, block_gfp, order);
				if (page)
					break;
				order--;
			}
			memalloc_nofault_restore(nofault);
			max_order = order;
			if (!page)
				page = vm_alloc_block(nid, gfp, 0);
		}
		if (!page)
			break;
		blocks[nr_blocks].page = page;
		blocks[nr_blocks++].order = order;
		pending += 1U << order;
		if (nr_blocks == VM_BLOCK_BATCH) {
			nr_allocated += place_blocks(blocks, nr_blocks, pages + nr_allocated);
			nr_blocks = pending = 0;
		}
	}
	return nr_allocated + place_blocks(blocks, nr_blocks, pages + nr_allocated);
}

/* A page that may go back to the page allocator inside a block: one reference, clean, untyped. */
static inline bool page_rejoinable(const struct page *page)
{
	return page_ref_count(page) == 1 &&
	       !(page->flags & (PAGE_FLAGS_CHECK_AT_FREE | 1UL << PG_head)) &&
	       page->page_type == ~0u;
}

/*
 * rejoin_order - the order of the block @pages[0..] can go back as: the
 * largest naturally aligned run of consecutive, rejoinable pages (at most
 * @nr, MAX_PAGE_ORDER).  The run is made a block again: its tail pages lose
 * their reference and its head takes the order.
 */
static unsigned int rejoin_order(struct page **pages, unsigned int nr)
{
	struct page *head = pages[0];
	unsigned long pfn = page_to_pfn(head), run, i;
	unsigned int order = pfn ? (unsigned int)__builtin_ctzl(pfn) : MAX_PAGE_ORDER;

	if (order > MAX_PAGE_ORDER)
		order = MAX_PAGE_ORDER;
	while (order && (1UL << order) > nr)
		order--;
	if (!order || !page_rejoinable(head))
		return 0;
	/* Tails give up their reference as they are checked; a failure ends the run there. */
	for (run = 1; run < (1UL << order); run++) {
		if (pages[run] != head + run || kmm_unlikely(!page_rejoinable(head + run)))
			break;
		set_page_count(head + run, 0);
	}
	while ((1UL << order) > run)
		order--;
	for (i = 1UL << order; i < run; i++)
		set_page_count(head + i, 1);
	head->flags =
		(head->flags & ~PAGE_ORDER_MASK) | ((unsigned long)order << PAGE_ORDER_PGSHIFT);
	return order;
}

/* vm_free_pages - give back the pages of @vm, as blocks where they line up. */
static void vm_free_pages(struct vm_struct *vm, bool counted)
{
	unsigned int i = 0, order;

	while (i < vm->nr_pages) {
		struct page *page = vm->pages[i];

		order = rejoin_order(vm->pages + i, vm->nr_pages - i);
		if (counted)
			zone_stat_add(page_zone(page), NR_ZONE_VMALLOC, -(1L << order));
		__free_pages(page, order);
		i += 1U << order;
	}
}

static void clear_vm_uninitialized_flag(struct vm_struct *vm)
{
	__atomic_store_n(&vm->flags, vm->flags & ~VM_UNINITIALIZED, __ATOMIC_RELEASE);
}

/* __vfree - vfree(), reporting as @call, starting a purge only with @may_purge. */
static void __vfree(const void *addr, bool may_purge, const char *call)
{
	struct vm_struct *vm;

	if (!addr)
		return;
	vm = __remove_vm_area(addr, may_purge);
	if (kmm_unlikely(!vm)) {
		report_nonexistent(call, addr);
		return;
	}
	if (vm->pages) {
		vm_free_pages(vm, !(vm->flags & VM_MAP_PUT_PAGES));
		if (vm->flags & VM_MAP_PUT_PAGES)
			kvfree(vm->pages);
	}
	vm_free_struct(vm);
}

void vfree(const void *addr)
{
	__vfree(addr, true, "vfree");
}

void vfree_atomic(const void *addr)
{
	__vfree(addr, false, "vfree");
}

static void *__vmalloc_area_node(struct vm_struct *area, gfp_t gfp, pgprot_t prot,
				 unsigned int page_shift, int node)
{
	unsigned long addr = (unsigned long)area->addr, size = get_vm_area_size(area);
	unsigned int nr_small_pages = (unsigned int)(size >> PAGE_SHIFT);
	unsigned int page_order = page_shift - PAGE_SHIFT;
	size_t array_size = (size_t)nr_small_pages * sizeof(struct page *);
	gfp_t page_gfp = gfp;
	bool zero_after = false, nofault;

	/* As the kernel: unless DMA or DMA32 pages are asked for, HighMem pages will do. */
	if (!(gfp & (GFP_DMA | GFP_DMA32)))
		page_gfp |= __GFP_HIGHMEM;
	/*
	 * Highmem pages would be zeroed one kmap_local_page() at a time, two
	 * system calls each: with highmem=, zero the area through its own
	 * mapping instead, once it is mapped.
	 */
	if ((page_gfp & __GFP_ZERO) && kmm_max_low_pfn != kmm_max_pfn) {
		page_gfp &= ~__GFP_ZERO;
		zero_after = true;
	}

	/* the kernel's kvmalloc(); here the library's own memory, out of a program's reach */
	nofault = memalloc_nofault_save();
	area->pages = vm_pages_alloc(area, nr_small_pages, gfp & GFP_RECLAIM_MASK);
	memalloc_nofault_restore(nofault);
	if (!area->pages) {
		warn_vmalloc(gfp,
			     "vmalloc error: size %lu, failed to allocated page array size %zu",
			     size, array_size);
		free_vm_area(area);
		return NULL;
	}
	area->page_order = page_order;
	area->nr_pages = vm_area_alloc_pages(page_order ? page_gfp | __GFP_NOWARN : page_gfp, node,
					     page_order, nr_small_pages, area->pages);
	if (area->nr_pages != nr_small_pages) {
		if (!page_order)
			warn_vmalloc(gfp, "vmalloc error: size %lu, failed to allocate pages",
				     (unsigned long)area->nr_pages * PAGE_SIZE);
		goto fail;
	}
	if (map_area_pages(addr, addr + size, prot, area->pages, page_shift) < 0) {
		warn_vmalloc(gfp, "vmalloc error: size %lu, failed to map pages", size);
		goto fail;
	}
	if (zero_after)
		memset(area->addr, 0, size);
	return area->addr;
fail:
	vfree(area->addr);
	return NULL;
}

void *__vmalloc_node_range(unsigned long size, unsigned long align, unsigned long start,
			   unsigned long end, gfp_t gfp_mask, pgprot_t prot, unsigned long vm_flags,
			   int node, const void *caller)
{
	unsigned long real_size = size, real_align = align;
	unsigned int shift = PAGE_SHIFT;
	struct vm_struct *area;

	if (kmm_unlikely(!size)) {
		if (!__atomic_exchange_n(&zero_size_warned, true, __ATOMIC_RELAXED))
			kmm_report("WARNING: vmalloc: size 0 (warned once), returning NULL");
		return NULL;
	}
	if (!kmm_machine_up())
		return NULL;
	if (kmm_unlikely((size >> PAGE_SHIFT) > totalram_pages())) {
		warn_vmalloc(gfp_mask, "vmalloc error: size %lu, exceeds total pages", real_size);
		return NULL;
	}
	if ((vm_flags & VM_ALLOW_HUGE_VMAP) && size >= PMD_SIZE) {
		shift = PMD_SHIFT;
		align = align > PMD_SIZE ? align : PMD_SIZE;
		size = (real_size + PMD_SIZE - 1) & PMD_MASK;
	}
	for (;;) {
		/* A failure of the 2 MiB attempt is not reported: ptes are tried next. */
		gfp_t gfp = shift == PAGE_SHIFT ? gfp_mask : gfp_mask | __GFP_NOWARN;

		area = __get_vm_area_node(size, align, shift,
					  VM_ALLOC | VM_UNINITIALIZED | vm_flags, start, end, node,
					  gfp, caller);
		if (area && __vmalloc_area_node(area, gfp, prot, shift, node)) {
			area->requested_size = real_size;
			clear_vm_uninitialized_flag(area);
			return area->addr;
		}
		if (shift > PAGE_SHIFT) {
			/* No 2 MiB blocks (or room): ptes, as vmalloc(). */
			shift = PAGE_SHIFT;
			align = real_align;
			size = real_size;
			continue;
		}
		if (area)
			return NULL;
		warn_vmalloc(gfp, "vmalloc error: size %lu, vm_struct allocation failed%s",
			     real_size, (gfp & __GFP_NOFAIL) ? ". Retrying." : "");
		if (!(gfp & __GFP_NOFAIL))
			return NULL;
		nanosleep(&(struct timespec){0, 1000000}, NULL);
	}
}

void *__vmalloc_node(unsigned long size, unsigned long align, gfp_t gfp_mask, int node,
		     const void *caller)
{
	if (!kmm_machine_up())
		return NULL;
	return __vmalloc_node_range(size, align, VMALLOC_START, VMALLOC_END, gfp_mask, PAGE_KERNEL,
				    0, node, caller);
}

void *vmalloc(unsigned long size)
{
	return __vmalloc_node(size, 1, GFP_KERNEL, NUMA_NO_NODE, __builtin_return_address(0));
}

void *vzalloc(unsigned long size)
{
	return __vmalloc_node(size, 1, GFP_KERNEL | __GFP_ZERO, NUMA_NO_NODE,
			      __builtin_return_address(0));
}

void *vmalloc_node(unsigned long size, int node)
{
	return __vmalloc_node(size, 1, GFP_KERNEL, node, __builtin_return_address(0));
}

void *vzalloc_node(unsigned long size, int node)
{
	return __vmalloc_node(size, 1, GFP_KERNEL | __GFP_ZERO, node, __builtin_return_address(0));
}

void *__vmalloc(unsigned long size, gfp_t gfp_mask)
{
	return __vmalloc_node(size, 1, gfp_mask, NUMA_NO_NODE, __builtin_return_address(0));
}

void *vmalloc_32(unsigned long size)
{
	return __vmalloc_node(size, 1, GFP_VMALLOC32, NUMA_NO_NODE, __builtin_return_address(0));
}

void *vmalloc_huge(unsigned long size, gfp_t gfp_mask)
{
	if (!kmm_machine_up())
		return NULL;
	return __vmalloc_node_range(size, 1, VMALLOC_START, VMALLOC_END, gfp_mask, PAGE_KERNEL,
				    VM_ALLOW_HUGE_VMAP, NUMA_NO_NODE, __builtin_return_address(0));
}

void *vmalloc_array(size_t n, size_t size)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	return __vmalloc_node(bytes, 1, GFP_KERNEL, NUMA_NO_NODE, __builtin_return_address(0));
}

void *vcalloc(size_t n, size_t size)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	return __vmalloc_node(bytes, 1, GFP_KERNEL | __GFP_ZERO, NUMA_NO_NODE,
			      __builtin_return_address(0));
}

void *vrealloc(const void *p, size_t size, gfp_t flags)
{
	struct vm_struct *vm = NULL;
	size_t alloced_size = 0, old_size = 0;
	void *n;

	if (!size) {
		vfree(p);
		return NULL;
	}
	if (p) {
		vm = find_vm_area(p);
		if (kmm_unlikely(!vm || vm->addr != p)) {
			report_nonexistent("vrealloc", p);
			return NULL;
		}
		if (kmm_unlikely(!(vm->flags & VM_ALLOC))) {
			kmm_report("WARNING: vrealloc: %p is not an area of vmalloc(), refused", p);
			return NULL;
		}
		alloced_size = get_vm_area_size(vm);
		old_size = vm->requested_size;
	}
	if (size <= alloced_size) {
		/* The pages are there: only the bytes between the sizes change. */
		if (flags & __GFP_ZERO) {
			if (size > old_size)
				memset((char *)p + old_size, 0, size - old_size);
			else
				memset((char *)p + size, 0, old_size - size);
		}
		vm->requested_size = size;
		return (void *)p;
	}
	n = __vmalloc_node(size, 1, flags, NUMA_NO_NODE, __builtin_return_address(0));
	if (!n)
		return NULL;
	if (p) {
		memcpy(n, p, old_size);
		vfree(p);
	}
	return n;
}

/* vmap() and vm_map_ram(). */

void *vmap(struct page **pages, unsigned int count, unsigned long flags, pgprot_t prot)
{
	unsigned long size = (unsigned long)count << PAGE_SHIFT, addr;
	struct vm_struct *area;

	if (!count || count > totalram_pages())
		return NULL;
	area = get_vm_area_caller(size, flags, __builtin_return_address(0));
	if (!area)
		return NULL;
	addr = (unsigned long)area->addr;
	if (map_area_pages(addr, addr + size, prot, pages, PAGE_SHIFT) < 0) {
		vunmap(area->addr);
		return NULL;
	}
	if (flags & VM_MAP_PUT_PAGES) {
		area->pages = pages;
		area->nr_pages = count;
	}
	return area->addr;
}

void vunmap(const void *addr)
{
	struct vm_struct *vm;

	if (!addr)
		return;
	vm = find_vm_area(addr);
	if (vm && vm->addr == addr && (vm->flags & VM_ALLOC)) {
		kmm_report("WARNING: vunmap: %p is an area of vmalloc(): free it with vfree(), "
			   "refused",
			   addr);
		return;
	}
	vm = remove_vm_area(addr);
	if (kmm_unlikely(!vm)) {
		report_nonexistent("vunmap", addr);
		return;
	}
	vm_free_struct(vm);
}

void *vm_map_ram(struct page **pages, unsigned int count, int node)
{
	unsigned long size = (unsigned long)count << PAGE_SHIFT, addr;
	struct vmap_area *va;
	bool nofault;

	if (!count || count > totalram_pages())
		return NULL;
	nofault = memalloc_nofault_save();
	va = alloc_vmap_area(size, PAGE_SIZE, VMALLOC_START, VMALLOC_END, node, GFP_KERNEL,
			     VMAP_RAM, NULL);
	memalloc_nofault_restore(nofault);
	if (!va)
		return NULL;
	addr = va->va_start;
	if (map_area_pages(addr, addr + size, PAGE_KERNEL, pages, PAGE_SHIFT) < 0) {
		vm_unmap_ram((void *)addr, count);
		return NULL;
	}
	return (void *)addr;
}

void vm_unmap_ram(const void *mem, unsigned int count)
{
	struct vmap_area *va = find_unlink_vmap_area((unsigned long)mem, VMAP_RAM);
	char why[128];

	if (!va) {
		kmm_report("WARNING: vm_unmap_ram: %p is not an area of vm_map_ram(): %s, refused",
			   mem, describe_vmalloc_addr((unsigned long)mem, why, sizeof(why)));
		return;
	}
	if (va_size(va) != (unsigned long)count << PAGE_SHIFT)
		kmm_report("WARNING: vm_unmap_ram: %p was mapped with %lu pages, not %u; unmapped",
			   mem, va_size(va) >> PAGE_SHIFT, count);
	free_unmap_vmap_area(va, true);
}

unsigned long vmalloc_nr_pages(void)
{
	unsigned long sum = 0;
	int nid, zid;

	for (nid = 0; kmm_booted() && nid < kmm_nr_online_nodes; nid++)
		for (zid = 0; zid < MAX_NR_ZONES; zid++)
			sum += zone_page_state(&NODE_DATA(nid)->node_zones[zid], NR_ZONE_VMALLOC);
	return sum;
}
