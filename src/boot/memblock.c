/* SPDX-License-Identifier: MIT */
/*
 * boot/memblock.c - the boot-time allocator: reserved ranges of physical memory.
 *
 * Before the buddy allocator exists, boot carves what it needs (the memmap,
 * the pageblock types) from the top of memory down, as the kernel's memblock
 * does, and records each range as reserved.  The record is kept: a section's
 * struct pages are initialised later, and its reserved pages must then be
 * marked PG_reserved instead of being freed.
 *
 * Locking: written only during boot (under the boot lock), read-only afterwards.
 */
#include "boot/machine.h"
#include "report/report.h"

void memblock_reserve(phys_addr_t base, phys_addr_t size, const char *what)
{
	struct kmm_machine *m = &kmm_machine;

	if (m->nr_reserved == MEMBLOCK_MAX_RESERVED) {
		kmm_report("memblock_reserve: too many reserved ranges, %s not reserved", what);
		return;
	}
	m->reserved[m->nr_reserved++] = (struct memblock_region){base, size, what};
}

phys_addr_t memblock_alloc(phys_addr_t size, phys_addr_t align, const char *what)
{
	struct kmm_machine *m = &kmm_machine;
	phys_addr_t base = (m->memblock_top - size) & ~(align - 1);

	m->memblock_top = base;
	memblock_reserve(base, size, what);
	return base;
}

bool memblock_is_reserved(unsigned long pfn)
{
	phys_addr_t addr = PFN_PHYS(pfn);
	int i;

	for (i = 0; i < kmm_machine.nr_reserved; i++) {
		const struct memblock_region *r = &kmm_machine.reserved[i];

		if (addr >= r->base && addr < r->base + r->size)
			return true;
	}
	return false;
}

unsigned long memblock_reserved_pages(unsigned long start_pfn, unsigned long end_pfn)
{
	unsigned long total = 0;
	int i;

	for (i = 0; i < kmm_machine.nr_reserved; i++) {
		const struct memblock_region *r = &kmm_machine.reserved[i];
		unsigned long lo = PFN_DOWN(r->base), hi = PFN_UP(r->base + r->size);

		if (lo < start_pfn)
			lo = start_pfn;
		if (hi > end_pfn)
			hi = end_pfn;
		if (hi > lo)
			total += hi - lo;
	}
	return total;
}

/* The first reserved pfn at or after @pfn and below @end, or @end. */
static unsigned long next_reserved(unsigned long pfn, unsigned long end, unsigned long *res_end)
{
	unsigned long best = end;
	int i;

	*res_end = end;
	for (i = 0; i < kmm_machine.nr_reserved; i++) {
		const struct memblock_region *r = &kmm_machine.reserved[i];
		unsigned long lo = PFN_DOWN(r->base), hi = PFN_UP(r->base + r->size);

		if (hi <= pfn || lo >= best)
			continue;
		best = lo < pfn ? pfn : lo;
		*res_end = hi;
	}
	return best;
}

void for_each_free_block(unsigned long start_pfn, unsigned long end_pfn,
			 void (*fn)(unsigned long pfn, unsigned int order, void *arg), void *arg)
{
	unsigned long pfn = start_pfn;

	while (pfn < end_pfn) {
		unsigned long res_end, stop = next_reserved(pfn, end_pfn, &res_end);

		while (pfn < stop) {
			unsigned int order = MAX_PAGE_ORDER;

			while (order &&
			       ((pfn & ((1UL << order) - 1)) || pfn + (1UL << order) > stop))
				order--;
			fn(pfn, order, arg);
			pfn += 1UL << order;
		}
		if (stop < end_pfn)
			pfn = res_end;
	}
}
