/* SPDX-License-Identifier: MIT */
/*
 * vmalloc/show.c - /proc/vmallocinfo in the kernel's layout, and the
 * snapshot of the areas' pages the physmap names frames by.
 *
 * One line per busy area in address order:
 *   0x<start>-0x<end> <size> <caller> pages=<n> [phys=..] vmalloc|vmap [vpages] N<node>=<n>...
 * with the size including the guard page, the caller as %pS prints it
 * (symbol+offset/size, resolved with dladdr(); the address when the symbol is
 * not exported), vm_map_ram areas as "... vm_map_ram", then one line per
 * merged run of lazily freed areas, "... unpurged vm_area".
 *
 * Locking: the busy tree and its vm_structs are read under vmap_area_lock,
 * the purge tree under purge_vmap_area_lock, as the kernel's
 * vmalloc_info_show() does, one lock at a time.  vmap_pages_snapshot() takes
 * vmap_area_lock alone.
 */
#include <dlfcn.h>
#include <link.h>

#include "sync/lock.h"
#include "vmalloc/vmalloc.h"

/* print_caller - %pS: "function+0xoff/0xsize", or the bare address. */
static void print_caller(FILE *out, const void *caller)
{
	const ElfW(Sym) *sym = NULL;
	Dl_info info;

	if (dladdr1(caller, &info, (void **)&sym, RTLD_DL_SYMENT) && info.dli_sname &&
	    info.dli_saddr) {
		unsigned long off = (unsigned long)caller - (unsigned long)info.dli_saddr;

		if (sym && sym->st_size)
			fprintf(out, " %s+0x%lx/0x%lx", info.dli_sname, off,
				(unsigned long)sym->st_size);
		else
			fprintf(out, " %s+0x%lx", info.dli_sname, off);
		return;
	}
	fprintf(out, " 0x%lx", (unsigned long)caller);
}

/* show_numa_info - " N<node>=<pages>" for each node the area's pages are on. */
static void show_numa_info(FILE *out, const struct vm_struct *v)
{
	unsigned int counters[MAX_NUMNODES] = {0}, nr, step = 1U << v->page_order;
	int nid;

	for (nr = 0; nr < v->nr_pages; nr += step)
		counters[page_to_nid(v->pages[nr])] += step;
	for (nid = 0; nid < kmm_nr_online_nodes; nid++)
		if (counters[nid])
			fprintf(out, " N%d=%u", nid, counters[nid]);
}

void show_vmallocinfo(FILE *out)
{
	struct vmap_area *va;

	kmm_mutex_lock(&vmap_area_lock);
	list_for_each_entry(va, &vmap_area_root.list, list) {
		struct vm_struct *v = va->vm;
		unsigned long flags;

		if (!v) {
			if (va->flags & VMAP_RAM)
				fprintf(out, "0x%016lx-0x%016lx %7ld vm_map_ram\n", va->va_start,
					va->va_end, (long)va_size(va));
			continue;
		}
		flags = __atomic_load_n(&v->flags, __ATOMIC_ACQUIRE);
		if (flags & VM_UNINITIALIZED)
			continue;
		fprintf(out, "0x%016lx-0x%016lx %7ld", (unsigned long)v->addr,
			(unsigned long)v->addr + v->size, (long)v->size);
		if (v->caller)
			print_caller(out, v->caller);
		if (v->nr_pages)
			fprintf(out, " pages=%u", v->nr_pages);
		if (v->phys_addr)
			fprintf(out, " phys=0x%016llx", (unsigned long long)v->phys_addr);
		if (flags & VM_ALLOC)
			fputs(" vmalloc", out);
		if (flags & VM_MAP)
			fputs(" vmap", out);
		if (v->pages && is_vmalloc_addr(v->pages))
			fputs(" vpages", out);
		if (v->pages)
			show_numa_info(out, v);
		fputc('\n', out);
	}
	pthread_mutex_unlock(&vmap_area_lock);
	kmm_mutex_lock(&purge_vmap_area_lock);
	list_for_each_entry(va, &purge_vmap_area_root.list, list)
		fprintf(out, "0x%016lx-0x%016lx %7ld unpurged vm_area\n", va->va_start, va->va_end,
			(long)va_size(va));
	pthread_mutex_unlock(&purge_vmap_area_lock);
}

unsigned long vmap_pages_snapshot(struct vmap_page_snapshot *snap, unsigned long max)
{
	const struct vmap_area *va;
	unsigned long nr = 0;

	kmm_mutex_lock(&vmap_area_lock);
	list_for_each_entry(va, &vmap_area_root.list, list) {
		const struct vm_struct *v = va->vm;
		unsigned long flags, i;

		if (!v)
			continue;
		flags = __atomic_load_n(&v->flags, __ATOMIC_ACQUIRE);
		if ((flags & VM_UNINITIALIZED) || !v->pages ||
		    !(flags & (VM_ALLOC | VM_MAP_PUT_PAGES)))
			continue;
		for (i = 0; i < v->nr_pages && nr + i < max; i++) {
			snap[nr + i].pfn = page_to_pfn(v->pages[i]);
			snap[nr + i].addr = (unsigned long)v->addr;
			snap[nr + i].vmap = !(flags & VM_ALLOC);
		}
		nr += v->nr_pages;
	}
	pthread_mutex_unlock(&vmap_area_lock);
	return nr;
}
