/* SPDX-License-Identifier: MIT */
/*
 * kmm/mm_types.h - struct page, one per page frame of the emulated machine.
 *
 * The array of struct page (the memmap) lives inside the emulated physical
 * memory, reserved at boot, and pfn_to_page() is an index into it.  A struct
 * page is 64 bytes, as on a 64-bit kernel, so that a cache line holds one.
 *
 * Which fields mean what depends on who owns the page:
 *  - free in the buddy allocator: PageBuddy, lru links it into a free_area list,
 *    private is the block's order;
 *  - free on a per-CPU list: PagePcp, lru links it into the list, index is the
 *    migrate type the list serves;
 *  - allocated: the owner may use mapping, index and private as it wishes;
 *  - in a slab (PageSlab on every page of it, as the kernel's PageSlab() of a
 *    tail answers for its folio): mapping is the kmem_cache and private the
 *    first object's address on every page of the slab, so
 *    virt_to_page(obj)->mapping finds an object's cache;
 *  - tail of a compound page: compound_head is the head page's address | 1;
 *    the first tail page holds the compound order.
 */
#ifndef KMM_MM_TYPES_H
#define KMM_MM_TYPES_H

#include <kmm/types.h>

KMM_BEGIN_DECLS

struct page {
	/* PG_* bits, the order of the allocation this page heads, node and zone: see kmm/mm.h */
	unsigned long flags;
	union {
		struct {
			/* free lists, per-CPU lists, or the owner's own list */
			struct list_head lru;
			/* the owner's object pointer; NULL when free */
			void *mapping;
			/* the owner's offset; on a per-CPU list, its migrate type */
			unsigned long index;
			/* buddy order while PageBuddy; the owner's otherwise */
			unsigned long private;
		};
		struct {
			/* in a tail page: the head page's address with bit 0 set */
			unsigned long compound_head;
			/* in the first tail page: the compound page's order */
			unsigned char compound_order;
		};
		/* room for the slab's view of a page (struct slab overlays it) */
		unsigned long _slab_words[5];
	};
	union {
		/* -1 (all bits set) for no type; PG_buddy etc. are cleared bits, see PageType() */
		unsigned int page_type;
		/* mappings of this page into user page tables, minus one; -1 for none */
		int _mapcount;
		/* in a slab's head page (PG_slab): its objects in use, and for a slab of
		   at most 4 objects the bit per object that says it is free in the slab */
		struct {
			unsigned short slab_inuse;
			unsigned short slab_inline_free;
		};
	};
	/* references; the page is freed when the last one is dropped (atomic) */
	int _refcount;
	/* the address a highmem page is kmapped at, NULL if not mapped */
	void *virtual;
};

_Static_assert(sizeof(struct page) == 64, "struct page must stay at 64 bytes");

KMM_END_DECLS

#endif /* KMM_MM_TYPES_H */
