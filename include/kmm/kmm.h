/* SPDX-License-Identifier: MIT */
/*
 * kmm/kmm.h - libkmm's umbrella header: booting the emulated machine, its
 * reports, and every subsystem header.
 *
 * A program either calls kmm_init() with a kernel-style command line, or lets
 * its first call boot a machine from the KMM_CMDLINE environment variable
 * (empty: the defaults), from any thread, in a forked child too.  Every call
 * that allocates from the machine or asks about it (alloc_pages(),
 * kmem_cache_create(), kmalloc(), vmalloc(), kmap() of what those return,
 * kmm_show(), nr_free_pages(), shrinker_alloc(), ...) boots it; the calls
 * that only maintain one (kmm_drain_all(), kmm_reclaim(), kmm_validate_all())
 * and the frees of NULL have nothing to do without a machine and boot none.
 * If that boot fails, the first call reports why in one line and fails (NULL,
 * -ENODEV, ...); so does every later call, without a new report, until
 * KMM_CMDLINE changes or kmm_init() boots a machine.
 * Parameters (the kernel's names):
 *   mem=SIZE            physical memory, with K/M/G suffix (default 1G)
 *   numa=fake=N         split memory into N nodes (default 1, at most 8)
 *   min_free_kbytes=N   the min watermark, summed over zones (default: the
 *                       kernel's sqrt(16 * lowmem_kbytes), clamped to 128..262144)
 *   vmalloc=SIZE        address space of the vmalloc area (default 32G, or
 *                       under RLIMIT_AS half of what the rest of the machine
 *                       leaves; only reserved, it costs no memory)
 *   highmem=SIZE        the top SIZE bytes of memory are a HighMem zone outside
 *                       the direct map, reached through kmap() (default 0: none;
 *                       at least 16M of lowmem must stay)
 *   panic_on_warn=0|1   turn every report into an abort (for test suites)
 *   kmmstat=0|1         serve the kmm_show() files to the kmmstat tool while the
 *                       program runs: a thread listening on the abstract unix
 *                       socket "@kmm/<pid>" (default 0: no thread, no socket;
 *                       see docs/kmmstat.md)
 *   failslab=, fail_page_alloc=  <interval>,<probability>,<space>,<times>, the
 *                       kernel's fault injection (<kmm/fault-inject.h>): armed
 *                       at the end of boot, and only the program's own
 *                       allocations are candidates, so the boot never fails
 *                       from it and times=N fails N of the program's calls
 * An unknown parameter is reported and ignored.
 */
#ifndef KMM_KMM_H
#define KMM_KMM_H

#include <stdio.h>
#include <kmm/types.h>
#include <kmm/list.h>
#include <kmm/gfp.h>
#include <kmm/mm_types.h>
#include <kmm/mmzone.h>
#include <kmm/mm.h>
#include <kmm/smp.h>
#include <kmm/shrinker.h>
#include <kmm/percpu.h>
#include <kmm/slab.h>
#include <kmm/pgtable.h>
#include <kmm/vmalloc.h>
#include <kmm/highmem.h>

KMM_BEGIN_DECLS

/**
 * kmm_init - boot an emulated machine.
 * @cmdline: kernel-style parameters separated by spaces; NULL or "" for defaults.
 *
 * Context: once, before other threads use libkmm, or again after kmm_exit().
 * Return: 0; -EINVAL if a value is malformed (one line names the parameter and
 * nothing is booted); -EBUSY if a machine is already running; -EFBIG if mem=
 * is above the file size limit (RLIMIT_FSIZE: the machine's memory is one
 * memfd), and -ENOMEM if the machine's address space (the direct map, the
 * vmalloc area: docs/malloc.md) is more than RLIMIT_AS leaves, each after one
 * line naming the parameters and the limit, never a signal; -ENOMEM if the
 * host refuses the memory.
 */
int kmm_init(const char *cmdline);

/*
 * kmm_exit - tear the machine down: stop its threads, unmap its memory.  Every
 * pointer into it becomes invalid.  Context: no other thread may be using libkmm.
 */
void kmm_exit(void);

/**
 * kmm_drop_caches - give back every page the allocators keep cached, so that
 * nr_free_pages() is back to its count before the work when the work freed
 * all it allocated: a leak check is "free pages before == free pages after".
 *
 * What `echo 3 > /proc/sys/vm/drop_caches` asks of a kernel, taken to the
 * end: drop_slab() (pending RCU frees, every CPU's and node's arrays, every
 * empty slab, the kept descriptors of destroyed caches), vm_unmap_aliases()
 * (lazily freed vmalloc ranges), then every CPU's page lists (kmm_drain_all()).
 * Page tables made for vmalloc stay, as the kernel's do (meminfo's PageTables).
 * Cost: a grace period, every CPU taken over in turn and a pass over every cache; the
 * caches are refilled by the next allocations.  Context: a thread that may
 * sleep, not in an RCU read-side critical section.
 */
void kmm_drop_caches(void);

/*
 * kmm_booted - true while a machine is running, and to the thread booting one
 * from the start of its boot (its own allocations there need the machine).
 */
bool kmm_booted(void);

/**
 * kmm_show - print a /proc file of the machine, in the kernel's format.
 * @file: "buddyinfo", "zoneinfo", "pagetypeinfo", "meminfo", "slabinfo",
 *        "vmallocinfo"; and libkmm's "physmap" (the owner of every page frame,
 *        a line per run of frames: "pfn 0x1000-0x10ff  slab kmalloc-64") and
 *        "physmap.svg" (the picture kmm_physmap_svg() draws)
 * @out: where to print.
 * Return: 0, or -ENOENT for a file the machine does not have.
 */
int kmm_show(const char *file, FILE *out);

/**
 * kmm_physmap_svg - draw physical memory as an SVG picture.
 * @out: where to write the picture.
 *
 * Every page frame is a cell (on machines above 65536 frames, a power-of-two
 * group of frames, coloured by the owner of most of them), coloured by its
 * owner: free buddy blocks shaded by order, per-CPU lists, reserved memory,
 * page tables, vmalloc pages, kmalloc-large, each of the biggest slab caches,
 * other alloc_pages; zones are outlined; the legend gives each owner's total.
 * The same picture as "physmap.svg" of kmm_show() and `kmmstat <pid> physmap --svg`.
 *
 * Context: any thread; other threads may allocate meanwhile (each chunk of
 * the memmap is read under its zone lock, the rest racily, as a snapshot).
 * Boots the machine from KMM_CMDLINE if none runs.
 * Return: 0; -EINVAL if @out is NULL; -ENOMEM if no scratch memory could be
 * mapped; -EIO if writing to @out failed; -ENODEV if no machine could boot.
 */
int kmm_physmap_svg(FILE *out);

KMM_END_DECLS

#endif /* KMM_KMM_H */
