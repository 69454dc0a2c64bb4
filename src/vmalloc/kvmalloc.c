/* SPDX-License-Identifier: MIT */
/*
 * vmalloc/kvmalloc.c - kvmalloc() and kvrealloc(): kmalloc when it can have
 * the memory at once, vmalloc otherwise (the kernel's mm/util.c).
 *
 * Above a page, kmalloc is asked with __GFP_NOWARN and, unless the caller
 * said __GFP_RETRY_MAYFAIL, __GFP_NORETRY: a large physically contiguous
 * block is better for fragmentation when it is there, but not worth heavy
 * reclaim or a warning, since vmalloc can take over.  Up to a page, kmalloc's
 * answer is final.  The vmalloc fallback may use 2 MiB leaves
 * (VM_ALLOW_HUGE_VMAP): kvmalloc()'s callers assume nothing about the mapping.
 *
 * Locking: none of its own.
 */
#include <limits.h>
#include <string.h>

#include "report/report.h"
#include "vmalloc/vmalloc.h"

/* The flags kmalloc is tried with for a kvmalloc() of @size bytes. */
static gfp_t kmalloc_gfp_adjust(gfp_t flags, size_t size)
{
	if (size > PAGE_SIZE) {
		flags |= __GFP_NOWARN;
		if (!(flags & __GFP_RETRY_MAYFAIL))
			flags |= __GFP_NORETRY;
		/* __GFP_NOFAIL is the vmalloc fallback's to honour */
		flags &= ~__GFP_NOFAIL;
	}
	return flags;
}

void *kvmalloc_node(size_t size, gfp_t flags, int node)
{
	void *ret = kmalloc_node(size, kmalloc_gfp_adjust(flags, size), node);

	if (ret || size <= PAGE_SIZE)
		return ret;
	/* vmalloc may sleep: a caller that may not gets kmalloc's answer. */
	if (!gfpflags_allow_blocking(flags))
		return NULL;
	if (kmm_unlikely(size > INT_MAX)) {
		if (!(flags & __GFP_NOWARN))
			kmm_report("WARNING: kvmalloc: size %zu is above INT_MAX, refused", size);
		return NULL;
	}
	return __vmalloc_node_range(size, 1, VMALLOC_START, VMALLOC_END, flags, PAGE_KERNEL,
				    VM_ALLOW_HUGE_VMAP, node, __builtin_return_address(0));
}

void *kvrealloc(const void *p, size_t size, gfp_t flags)
{
	size_t old;
	void *n;

	if (is_vmalloc_addr(p))
		return vrealloc(p, size, flags);
	n = krealloc(p, size, kmalloc_gfp_adjust(flags, size));
	if (n)
		return n;
	/* kmalloc could not grow it: kvmalloc() and copy. */
	n = kvmalloc(size, flags);
	if (!n || !p)
		return n;
	old = ksize(p);
	memcpy(n, p, old < size ? old : size);
	kfree(p);
	return n;
}
