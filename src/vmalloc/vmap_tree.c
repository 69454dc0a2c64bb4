/* SPDX-License-Identifier: MIT */
/*
 * vmalloc/vmap_tree.c - address-sorted trees of vmap areas.
 *
 * The kernel keeps vmap areas in red-black trees (the free one augmented with
 * subtree_max_size, the largest free range below each node) and, beside each
 * tree, a list in address order.  Here the tree is an AVL tree, written
 * recursively without parent pointers: the same O(log n) bounds (its height
 * is at most 1.44 log2 n, against 2 log2 n), and each operation is a short
 * descent that fixes heights and sizes on the way back up.  Areas never
 * overlap, so va_start orders them.  The list gives neighbours in O(1), for
 * merging a freed range with the free ranges around it.
 *
 * Locking: none here; every tree has its owner's lock (vmalloc.h).
 */
#include "vmalloc/vmalloc.h"

static inline int height(const struct vmap_area *va)
{
	return va ? va->node.height : 0;
}

static inline unsigned long max_size(const struct vmap_area *va)
{
	return va ? va->subtree_max_size : 0;
}

/* update - recompute @va's height (and largest range) from its children. */
static void update(const struct vmap_tree *tree, struct vmap_area *va)
{
	struct vmap_area *l = va->node.left, *r = va->node.right;
	int hl = height(l), hr = height(r);

	va->node.height = 1 + (hl > hr ? hl : hr);
	if (tree->augmented) {
		unsigned long m = va_size(va);

		if (max_size(l) > m)
			m = max_size(l);
		if (max_size(r) > m)
			m = max_size(r);
		va->subtree_max_size = m;
	}
}

static struct vmap_area *rotate_right(const struct vmap_tree *tree, struct vmap_area *va)
{
	struct vmap_area *l = va->node.left;

	va->node.left = l->node.right;
	l->node.right = va;
	update(tree, va);
	update(tree, l);
	return l;
}

static struct vmap_area *rotate_left(const struct vmap_tree *tree, struct vmap_area *va)
{
	struct vmap_area *r = va->node.right;

	va->node.right = r->node.left;
	r->node.left = va;
	update(tree, va);
	update(tree, r);
	return r;
}

/* rebalance - @va's subtrees changed height by at most one: restore the AVL balance. */
static struct vmap_area *rebalance(const struct vmap_tree *tree, struct vmap_area *va)
{
	int balance = height(va->node.left) - height(va->node.right);

	if (balance > 1) {
		struct vmap_area *l = va->node.left;

		if (height(l->node.left) < height(l->node.right))
			va->node.left = rotate_left(tree, l);
		return rotate_right(tree, va);
	}
	if (balance < -1) {
		struct vmap_area *r = va->node.right;

		if (height(r->node.right) < height(r->node.left))
			va->node.right = rotate_right(tree, r);
		return rotate_left(tree, va);
	}
	update(tree, va);
	return va;
}

void vmap_tree_init(struct vmap_tree *tree, bool augmented)
{
	tree->root = NULL;
	INIT_LIST_HEAD(&tree->list);
	tree->augmented = augmented;
}

/* Insert @va below @at; *@prev ends as the area just below @va, or NULL. */
static struct vmap_area *insert(const struct vmap_tree *tree, struct vmap_area *at,
				struct vmap_area *va, struct vmap_area **prev)
{
	if (!at) {
		va->node.left = va->node.right = NULL;
		update(tree, va);
		return va;
	}
	if (va->va_start < at->va_start) {
		at->node.left = insert(tree, at->node.left, va, prev);
	} else {
		*prev = at;
		at->node.right = insert(tree, at->node.right, va, prev);
	}
	return rebalance(tree, at);
}

void vmap_tree_insert(struct vmap_tree *tree, struct vmap_area *va)
{
	struct vmap_area *prev = NULL;

	tree->root = insert(tree, tree->root, va, &prev);
	list_add(&va->list, prev ? &prev->list : &tree->list);
}

/* Take the lowest area of @at's subtree out into *@min. */
static struct vmap_area *erase_min(const struct vmap_tree *tree, struct vmap_area *at,
				   struct vmap_area **min)
{
	if (!at->node.left) {
		*min = at;
		return at->node.right;
	}
	at->node.left = erase_min(tree, at->node.left, min);
	return rebalance(tree, at);
}

static struct vmap_area *erase(const struct vmap_tree *tree, struct vmap_area *at,
			       struct vmap_area *va)
{
	struct vmap_area *min, *right;

	if (va->va_start < at->va_start) {
		at->node.left = erase(tree, at->node.left, va);
		return rebalance(tree, at);
	}
	if (va != at) {
		at->node.right = erase(tree, at->node.right, va);
		return rebalance(tree, at);
	}
	if (!at->node.left)
		return at->node.right;
	if (!at->node.right)
		return at->node.left;
	right = erase_min(tree, at->node.right, &min);
	min->node.left = at->node.left;
	min->node.right = right;
	return rebalance(tree, min);
}

void vmap_tree_erase(struct vmap_tree *tree, struct vmap_area *va)
{
	tree->root = erase(tree, tree->root, va);
	list_del(&va->list);
}

struct vmap_area *vmap_tree_find(const struct vmap_tree *tree, unsigned long addr)
{
	struct vmap_area *va = tree->root;

	while (va) {
		if (addr < va->va_start)
			va = va->node.left;
		else if (addr >= va->va_end)
			va = va->node.right;
		else
			return va;
	}
	return NULL;
}

struct vmap_area *vmap_tree_find_next(const struct vmap_tree *tree, unsigned long addr)
{
	struct vmap_area *va = tree->root, *best = NULL;

	while (va) {
		if (va->va_start >= addr) {
			best = va;
			va = va->node.left;
		} else {
			va = va->node.right;
		}
	}
	return best;
}

static void resized(const struct vmap_tree *tree, struct vmap_area *at, struct vmap_area *va)
{
	if (va != at)
		resized(tree, va->va_start < at->va_start ? at->node.left : at->node.right, va);
	update(tree, at);
}

void vmap_tree_resized(struct vmap_tree *tree, struct vmap_area *va)
{
	resized(tree, tree->root, va);
}

/* Does @va have @size bytes at an @align-aligned address at or above @vstart? */
static bool fits(const struct vmap_area *va, unsigned long size, unsigned long align,
		 unsigned long vstart)
{
	unsigned long start = va_fit_start(va, align, vstart);

	return start >= va->va_start && start + size >= start && start + size <= va->va_end;
}

static struct vmap_area *lowest_fit(struct vmap_area *at, unsigned long size, unsigned long align,
				    unsigned long vstart, unsigned long length)
{
	struct vmap_area *va;

	if (!at || at->subtree_max_size < length)
		return NULL;
	/* The left subtree ends below at->va_start: worth a look only above vstart. */
	if (at->va_start > vstart) {
		va = lowest_fit(at->node.left, size, align, vstart, length);
		if (va)
			return va;
	}
	if (fits(at, size, align, vstart))
		return at;
	return lowest_fit(at->node.right, size, align, vstart, length);
}

struct vmap_area *vmap_tree_lowest_fit(const struct vmap_tree *tree, unsigned long size,
				       unsigned long align, unsigned long vstart,
				       unsigned long length)
{
	return lowest_fit(tree->root, size, align, vstart, length);
}
