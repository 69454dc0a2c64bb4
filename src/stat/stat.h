/* SPDX-License-Identifier: MIT */
/*
 * stat/stat.h - live statistics: the kmmstat server (server.c), which hands
 * the kmm_show() files to the kmmstat tool while the program runs, the
 * physmap and its picture (physmap.c, physmap_svg.c) and /proc/meminfo
 * (meminfo.c), which sums the subsystems.
 *
 * Locking: see each file.  The server's own lock (kmmstat_lock) is taken
 * after the boot lock and before any allocator lock, and never held by an
 * allocator path; the server holds it for one non-blocking step at a time,
 * never while it waits for a client.
 */
#ifndef KMM_STAT_H
#define KMM_STAT_H

#include <stdio.h>

/* The abstract unix socket of process @pid is "@" KMMSTAT_SOCKET_PREFIX "<pid>". */
#define KMMSTAT_SOCKET_PREFIX "kmm/"

/*
 * show_meminfo - the "meminfo" file: /proc/meminfo in the kernel's layout, the
 * buddy allocator's totals with the slab, page-table, vmalloc and per-CPU pages.
 */
void show_meminfo(FILE *out);

/*
 * show_physmap - the "physmap" file: one line per run of page frames with
 * one owner ("pfn 0x1000-0x10ff  slab kmalloc-64"), zone by zone.
 */
void show_physmap(FILE *out);
/* show_physmap_svg - the "physmap.svg" file: kmm_physmap_svg() as a kmm_show() file. */
void show_physmap_svg(FILE *out);

#endif /* KMM_STAT_H */
