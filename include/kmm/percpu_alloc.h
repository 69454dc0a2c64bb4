/* SPDX-License-Identifier: MIT */
/*
 * kmm/percpu_alloc.h - the per-CPU allocator (<linux/percpu.h>):
 * alloc_percpu(), free_percpu(), per_cpu_ptr(), this_cpu_ptr(), this_cpu_*().
 *
 * A header of its own, apart from <kmm/percpu.h> (which every inline fast
 * path includes), so that code with its own per-CPU macros (the kernel's
 * userspace test harnesses define this_cpu_ptr() for plain variables) can
 * use libkmm's allocators without them; <linux/percpu.h> includes it.
 *
 * An allocation holds one copy of its bytes, its unit, for each possible
 * CPU: the CPU ids the per-CPU layer above hands out, 0 .. nr_cpu_ids - 1.
 * As in the kernel's mm/percpu.c, memory comes in chunks of nr_cpu_ids units
 * of PCPU_UNIT_SIZE bytes, unit after unit, so an allocation is at the same
 * offset in every unit and the __percpu pointer (CPU 0's copy) reaches CPU
 * n's by adding n * PCPU_UNIT_SIZE: per_cpu_ptr() is arithmetic, with no
 * lookup.  A __percpu pointer must be dereferenced only through
 * per_cpu_ptr()/this_cpu_ptr() and the this_cpu_*() operations.
 *
 * nr_cpu_ids follows the per-CPU layer: today every thread is a CPU, with ids
 * up to NR_CPUS, so each unit is there NR_CPUS times and a chunk takes
 * NR_CPUS * PCPU_UNIT_SIZE bytes (8 MiB) of the machine's memory, on the first
 * alloc_percpu(); when CPUs become the host's, nr_cpu_ids and the cost shrink
 * with them.  The memory shows as meminfo's "Percpu:" line.
 */
#ifndef KMM_PERCPU_ALLOC_H
#define KMM_PERCPU_ALLOC_H

#include <stddef.h>
#include <kmm/gfp.h>
#include <kmm/percpu.h>
#include <kmm/smp.h>

KMM_BEGIN_DECLS

/* __percpu - marks a pointer into per-CPU space (sparse's annotation; nothing here). */
#ifndef __percpu
#define __percpu
#endif

/* nr_cpu_ids - the number of possible CPU ids: the per-CPU layer's ids are below it. */
#define nr_cpu_ids		   ((unsigned int)NR_CPUS)
/* cpu_possible - can @cpu be a CPU's id? */
#define cpu_possible(cpu)	   ((unsigned int)(cpu) < nr_cpu_ids)
/* for_each_possible_cpu - @cpu (an int) over every possible CPU id. */
#define for_each_possible_cpu(cpu) for ((cpu) = 0; (cpu) < (int)nr_cpu_ids; (cpu)++)

/* The bytes of a unit: the largest allocation (the kernel's is its unit size, 32 KiB and up). */
#define PCPU_UNIT_SIZE	    8192UL
/* The allocation granule: sizes and alignments are rounded up to it, as the kernel's. */
#define PCPU_MIN_ALLOC_SIZE 4

/**
 * __alloc_percpu_gfp - @size zeroed bytes for every possible CPU, aligned to @align.
 * @size: 1 .. PCPU_UNIT_SIZE.
 * @align: a power of two up to PAGE_SIZE (smaller ones count as PCPU_MIN_ALLOC_SIZE).
 * @gfp: GFP_KERNEL (a new chunk may be made: it may reclaim), or a mask that
 *       may not sleep (GFP_NOWAIT, GFP_ATOMIC): then a chunk is still made
 *       when none has room (libkmm has no atomic reserve to keep); __GFP_NOWARN
 *       silences the failure report.
 *
 * Context: any thread.  Every CPU's copy is zeroed, the caller's included.
 * Return: the __percpu pointer, or NULL: "percpu: illegal size (S) or align
 * (A) for percpu allocation" for a bad @size or @align (a warning, as the
 * kernel's), "percpu: allocation failed, ..." when no chunk could be made.
 */
void __percpu *__alloc_percpu_gfp(size_t size, size_t align, gfp_t gfp);
/* __alloc_percpu - __alloc_percpu_gfp() with GFP_KERNEL. */
void __percpu *__alloc_percpu(size_t size, size_t align);
#define alloc_percpu_gfp(type, gfp)                                                                \
	((typeof(type) __percpu *)__alloc_percpu_gfp(sizeof(type), __alignof__(type), (gfp)))
#define alloc_percpu(type)                                                                         \
	((typeof(type) __percpu *)__alloc_percpu(sizeof(type), __alignof__(type)))

/*
 * free_percpu - give back an allocation of __alloc_percpu_gfp().  NULL is
 * ignored.  A pointer that is no per-CPU allocation, points inside one, or
 * was freed already is reported ("free_percpu: ...") and refused.
 * Context: any thread.
 */
void free_percpu(void __percpu *ptr);

/* pcpu_nr_pages - the pages the per-CPU allocator holds (meminfo's "Percpu:"). */
unsigned long pcpu_nr_pages(void);

/*
 * per_cpu_ptr - CPU @cpu's copy of the per-CPU object @ptr points to.  @cpu
 * must be possible (below nr_cpu_ids); no check is made, as in the kernel.
 */
#define per_cpu_ptr(ptr, cpu)                                                                      \
	((typeof(ptr))((unsigned long)(ptr) + (unsigned long)(cpu)*PCPU_UNIT_SIZE))

/*
 * kmm_percpu_cpu - the calling thread's CPU id for this_cpu_ptr(): the one
 * the fast paths read, or, for a thread that has none yet, the one
 * smp_processor_id() assigns.
 */
static kmm_always_inline unsigned int kmm_percpu_cpu(void)
{
	unsigned int id = kmm_cpu_tls.id;

	return kmm_likely(id < nr_cpu_ids) ? id : (unsigned int)smp_processor_id();
}

/* this_cpu_ptr / raw_cpu_ptr - the calling CPU's copy. */
#define this_cpu_ptr(ptr) per_cpu_ptr((ptr), kmm_percpu_cpu())
#define raw_cpu_ptr(ptr)  this_cpu_ptr(ptr)

/*
 * this_cpu_read/write/add/sub/inc/dec and their _return forms: @pcp is the
 * per-CPU lvalue (e.g. *p or p->count for a __percpu p), as the kernel's.
 * They are plain accesses to the calling CPU's copy, as the kernel's generic
 * versions are with preemption off: a thread is its own CPU and is never
 * preempted off it, so nothing else writes that copy through them.  Another
 * thread may read it racily (for_each_possible_cpu() sums), as in the kernel.
 * raw_cpu_*() and __this_cpu_*() are the same operations.
 */
#define this_cpu_read(pcp)	      (*this_cpu_ptr(&(pcp)))
#define this_cpu_write(pcp, val)      ((void)(*this_cpu_ptr(&(pcp)) = (val)))
#define this_cpu_add(pcp, val)	      ((void)(*this_cpu_ptr(&(pcp)) += (val)))
#define this_cpu_sub(pcp, val)	      ((void)(*this_cpu_ptr(&(pcp)) -= (val)))
#define this_cpu_inc(pcp)	      this_cpu_add(pcp, 1)
#define this_cpu_dec(pcp)	      this_cpu_sub(pcp, 1)
#define this_cpu_add_return(pcp, val) (*this_cpu_ptr(&(pcp)) += (val))
#define this_cpu_inc_return(pcp)      this_cpu_add_return(pcp, 1)
#define this_cpu_dec_return(pcp)      this_cpu_add_return(pcp, -1)
#define raw_cpu_read(pcp)	      this_cpu_read(pcp)
#define raw_cpu_write(pcp, val)	      this_cpu_write(pcp, val)
#define raw_cpu_add(pcp, val)	      this_cpu_add(pcp, val)
#define raw_cpu_inc(pcp)	      this_cpu_inc(pcp)
#define raw_cpu_dec(pcp)	      this_cpu_dec(pcp)
#define __this_cpu_read(pcp)	      this_cpu_read(pcp)
#define __this_cpu_write(pcp, val)    this_cpu_write(pcp, val)
#define __this_cpu_add(pcp, val)      this_cpu_add(pcp, val)
#define __this_cpu_sub(pcp, val)      this_cpu_sub(pcp, val)
#define __this_cpu_inc(pcp)	      this_cpu_inc(pcp)
#define __this_cpu_dec(pcp)	      this_cpu_dec(pcp)

KMM_END_DECLS

#endif /* KMM_PERCPU_ALLOC_H */
