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

/*
 * kmm_stat_start - start the server of this process (kmmstat=1), at the end of
 * a boot, boot lock held.  A failure is reported in one line, a name already
 * bound by another process too (naming it); the machine runs without the
 * server.
 */
void kmm_stat_start(void);
/* kmm_stat_stop - stop the server and wait for its thread (kmm_exit(), boot lock held). */
void kmm_stat_stop(void);

/*
 * fork (boot/fork.c): prepare takes kmmstat_lock after the boot lock, so no
 * step of the server is half done across fork() (it waits for one step at
 * most, never for a client); the parent drops it; the child closes the
 * parent's socket and connections and starts a server of its own, for its
 * own pid.
 */
void kmm_stat_fork_prepare(void);
void kmm_stat_fork_parent(void);
void kmm_stat_fork_child(void);

#endif /* KMM_STAT_H */
