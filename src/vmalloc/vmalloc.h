/* SPDX-License-Identifier: MIT */
/*
 * vmalloc/vmalloc.h - what the vmalloc files share, and their hooks into boot
 * and the reports.
 *
 * vmap_tree.c owns the address-sorted trees of vmap areas; vmap_area.c the
 * three trees (free, busy, purge), placement, lazy freeing and the purge;
 * vmalloc.c the vm_struct level (vmalloc(), vfree(), vmap(), ...) and the
 * pages of areas; kvmalloc.c kvmalloc() and friends; show.c vmallocinfo and
 * the snapshot of the areas' pages for the physmap.
 *
 * Locking (the kernel's, with mutexes for its spinlocks):
 *  - vmap_purge_lock: serialises purges and the giving back of free ranges
 *    to the reservation; held across their system calls.  Taken before any
 *    of the three below, never under them.
 *  - free_vmap_area_lock: the free tree.
 *  - purge_vmap_area_lock: the purge tree (lazily freed areas).
 *  - vmap_area_lock: the busy tree, and the vm_struct of a busy area for
 *    vmallocinfo and vmap_pages_snapshot() while they read it.
 * The last three are never held together (but by fork, which takes all
 * four, purge lock first, prepare to parent: the step KMM_FORK_VMAP), never
 * across a page allocation,
 * a system call or a wait; kfree() is called under them (it never waits).
 * vmap_lazy_nr is atomic.  A vm_struct and its pages belong to the area's
 * owner; vmallocinfo and vmap_pages_snapshot() read them under
 * vmap_area_lock, after VM_UNINITIALIZED is cleared (with a release store).
 */
#ifndef KMM_VMALLOC_INTERNAL_H
#define KMM_VMALLOC_INTERNAL_H

#include <pthread.h>
#include <stdio.h>
#include <kmm/vmalloc.h>

/* The flags that say how hard to try, without zone or mobility (the kernel's GFP_RECLAIM_MASK). */
#define GFP_RECLAIM_MASK                                                                           \
	(__GFP_RECLAIM | __GFP_HIGH | __GFP_IO | __GFP_FS | __GFP_NOWARN | __GFP_RETRY_MAYFAIL |   \
	 __GFP_NOFAIL | __GFP_NORETRY | __GFP_MEMALLOC | __GFP_NOMEMALLOC)

/*
 * The library's own caches of vmalloc's bookkeeping (SLAB_OWN: a program's
 * kfree() of one of their objects is refused), made at the end of boot by
 * vmalloc_caches_init(), as the kernel makes vmap_area_cachep: this one, and
 * vmalloc.c's own cache of vm_structs.  A vm_struct
 * holds the pages array of an area of up to VM_INLINE_PAGES pages; a larger
 * one is whole pages of the library's own (kmm_alloc_own_pages()).
 */
extern struct kmem_cache *vmap_area_cachep;
#define VM_INLINE_PAGES 16

static inline unsigned long va_size(const struct vmap_area *va)
{
	return va->va_end - va->va_start;
}

/* vmap_tree.c: an address-sorted AVL tree of non-overlapping areas, with a sorted list. */
struct vmap_tree {
	struct vmap_area *root; /* NULL when empty */
	struct list_head list;	/* the areas in address order */
	bool augmented;		/* keep subtree_max_size (the free tree); else vm is left alone */
};

void vmap_tree_init(struct vmap_tree *tree, bool augmented);
/* vmap_tree_insert - add @va (which overlaps no area of @tree). */
void vmap_tree_insert(struct vmap_tree *tree, struct vmap_area *va);
/* vmap_tree_erase - take @va (an area of @tree) out. */
void vmap_tree_erase(struct vmap_tree *tree, struct vmap_area *va);
/* vmap_tree_find - the area containing @addr, or NULL. */
struct vmap_area *vmap_tree_find(const struct vmap_tree *tree, unsigned long addr);
/* vmap_tree_find_next - the lowest area starting at or above @addr, or NULL. */
struct vmap_area *vmap_tree_find_next(const struct vmap_tree *tree, unsigned long addr);
/* vmap_tree_resized - @va's bounds changed (not its place in the order): fix the sizes above it. */
void vmap_tree_resized(struct vmap_tree *tree, struct vmap_area *va);
/*
 * vmap_tree_lowest_fit - the lowest free area of the augmented @tree that has
 * @size bytes at an @align-aligned address at or above @vstart.  Subtrees
 * whose largest area is below @length are skipped (the caller passes @size,
 * or @size + @align - 1 when the alignment exceeds a page, as the kernel's
 * find_vmap_lowest_match()).
 */
struct vmap_area *vmap_tree_lowest_fit(const struct vmap_tree *tree, unsigned long size,
				       unsigned long align, unsigned long vstart,
				       unsigned long length);

/* The aligned start of an allocation of @align in @va at or above @vstart. */
static inline unsigned long va_fit_start(const struct vmap_area *va, unsigned long align,
					 unsigned long vstart)
{
	unsigned long from = va->va_start > vstart ? va->va_start : vstart;

	return (from + align - 1) & ~(align - 1);
}

/* vmap_area.c */
/*
 * vmap_area.flags of a free range: it may hold mirrors that a purge revoked
 * in place, which still cost host mappings until the range is given back.
 */
#define VMAP_PARKED 0x2

extern struct vmap_tree vmap_area_root, purge_vmap_area_root;
extern pthread_mutex_t vmap_area_lock, purge_vmap_area_lock;

/*
 * alloc_vmap_area - a range of @size bytes (guard included) aligned to @align
 * in [@vstart, @vend), put in the busy tree with @vm and @va_flags.  When no
 * range is free, lazily freed areas are purged and the search retried.
 * Return: the area, or NULL (reported unless @gfp has __GFP_NOWARN).
 */
struct vmap_area *alloc_vmap_area(unsigned long size, unsigned long align, unsigned long vstart,
				  unsigned long vend, int node, gfp_t gfp, unsigned long va_flags,
				  struct vm_struct *vm);
/*
 * find_unlink_vmap_area - take the busy area starting at @addr out of the busy
 * tree, if there is one and its VMAP_RAM flag is @va_flags.  Return: it, or NULL.
 */
struct vmap_area *find_unlink_vmap_area(unsigned long addr, unsigned long va_flags);
/* find_vmap_area - the busy area containing @addr, or NULL (the caller owns it). */
struct vmap_area *find_vmap_area(unsigned long addr);
/*
 * free_unmap_vmap_area - clear the entries of @va, unlinked from the busy
 * tree, and free it lazily: its range goes to the purge tree.  With
 * @may_purge, start a purge if too much waits (unless one is running).
 */
void free_unmap_vmap_area(struct vmap_area *va, bool may_purge);
/*
 * purge_vmap_area_lazy - purge every lazily freed area now (waits for a
 * running purge).  With @give_back, give every free range back to the
 * reservation too, so that free space holds no host mapping.
 */
void purge_vmap_area_lazy(bool give_back);
/*
 * describe_vmalloc_addr - why @addr is not the start of a busy area, in
 * @buf: outside the area, inside a busy one, freed and unpurged, free.
 */
const char *describe_vmalloc_addr(unsigned long addr, char *buf, size_t len);
/* vmalloc_largest_free - the largest free range of the vmalloc area, in bytes. */
unsigned long vmalloc_largest_free(void);
/*
 * fork (the step KMM_FORK_VMAP): vmap_fork_prepare() takes the four locks
 * (purge lock first); the parent releases them, the child re-initialises
 * them.  Lazily freed areas stay in the purge tree on both sides.
 */
void vmap_fork_prepare(void);
void vmap_fork_parent(void);
void vmap_fork_child(void);
/* vmap_area_init - empty trees: for a new machine, and at teardown (vmalloc.c). */
void vmap_area_init(void);

/* show.c */
void show_vmallocinfo(FILE *out);

/* A page of a vmalloc or vmap area, as the physmap (stat/physmap.c) names its frame. */
struct vmap_page_snapshot {
	unsigned long pfn;  /* the page's frame */
	unsigned long addr; /* the start of the area mapping it */
	bool vmap;	    /* the area is a VM_MAP_PUT_PAGES vmap, not a vmalloc */
};
/*
 * vmap_pages_snapshot - copy the first @max pages of the busy areas that own
 * their pages (vmalloc, VM_MAP_PUT_PAGES vmap; made, VM_UNINITIALIZED
 * cleared), area by area in address order and each area's pages[] in order,
 * into @snap.  Takes vmap_area_lock, and no other lock.  Return: the number
 * of such pages, which may be more than @max (so @max 0 counts them).
 */
unsigned long vmap_pages_snapshot(struct vmap_page_snapshot *snap, unsigned long max);

#endif /* KMM_VMALLOC_INTERNAL_H */
