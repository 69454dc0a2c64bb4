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
 * CPU, 0 .. nr_cpu_ids - 1.  As in the kernel's mm/percpu.c, memory comes in
 * chunks of nr_cpu_ids units of PCPU_UNIT_SIZE bytes, unit after unit, so an
 * allocation is at the same offset in every unit and the __percpu pointer
 * (CPU 0's copy) reaches CPU n's by adding n * PCPU_UNIT_SIZE: per_cpu_ptr()
 * is arithmetic, with no lookup.  A __percpu pointer must be dereferenced
 * only through per_cpu_ptr()/this_cpu_ptr() and the this_cpu_*() operations.
 *
 * The possible CPUs are the machine's (<kmm/smp.h>: the host's, lowered by
 * nr_cpus=).  A thread may move to another CPU at any moment, and the
 * threads on one CPU share its unit, so the this_cpu_*() operations are
 * atomic on their unit (relaxed atomics); code that changes a unit through
 * this_cpu_ptr() with several statements must not rely on having it to
 * itself.  The memory shows as meminfo's "Percpu:" line.
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

/*
 * nr_cpu_ids - the number of possible CPUs: the host's configured CPUs, at
 * most NR_CPUS, until a boot lowers them (nr_cpus=) for its machine.
 */
extern unsigned int kmm_nr_cpu_ids;
unsigned int kmm_pcpu_setup(void);
static kmm_always_inline unsigned int kmm_possible_cpus(void)
{
	unsigned int n = __atomic_load_n(&kmm_nr_cpu_ids, __ATOMIC_RELAXED);

	return kmm_likely(n != 0) ? n : kmm_pcpu_setup();
}
#define nr_cpu_ids		   kmm_possible_cpus()
/* cpu_possible - is @cpu a possible CPU? */
#define cpu_possible(cpu)	   ((unsigned int)(cpu) < nr_cpu_ids)
/* for_each_possible_cpu - @cpu (an int) over every possible CPU. */
#define for_each_possible_cpu(cpu) for ((cpu) = 0; (cpu) < (int)nr_cpu_ids; (cpu)++)

/* The bytes of a unit: the largest allocation (the kernel's is its unit size, 32 KiB and up). */
#define PCPU_UNIT_SIZE	    (64UL << 10)
/* The allocation granule: sizes and alignments are rounded up to it, as the kernel's. */
#define PCPU_MIN_ALLOC_SIZE 4

/**
 * __alloc_percpu_gfp - @size zeroed bytes for every possible CPU, aligned to @align.
 * @size: 1 .. PCPU_UNIT_SIZE.
 * @align: a power of two up to PAGE_SIZE (smaller ones count as PCPU_MIN_ALLOC_SIZE).
 * @gfp: GFP_KERNEL, or a mask that may not sleep (GFP_NOWAIT, GFP_ATOMIC):
 *       a new chunk is made either way when none has room (libkmm keeps no
 *       atomic reserve); __GFP_NOWARN silences the failure report.
 *
 * Context: any thread.  Every CPU's copy is zeroed.
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

/* kmm_pcpu_unit - the unit of CPU id @cpu: itself for a possible CPU, else @cpu modulo nr_cpu_ids. */
static kmm_always_inline unsigned long kmm_pcpu_unit(unsigned int cpu)
{
	unsigned int n = nr_cpu_ids;

	return kmm_likely(cpu < n) ? cpu : cpu % n;
}

/* per_cpu_ptr - CPU @cpu's copy of the per-CPU object @ptr points to. */
#define per_cpu_ptr(ptr, cpu)                                                                      \
	((typeof(ptr))((unsigned long)(ptr) + kmm_pcpu_unit(cpu) * PCPU_UNIT_SIZE))

/* kmm_percpu_cpu - the CPU the calling thread runs on, for this_cpu_ptr(). */
static kmm_always_inline unsigned int kmm_percpu_cpu(void)
{
	return (unsigned int)smp_processor_id();
}

/* this_cpu_ptr / raw_cpu_ptr - the calling CPU's copy. */
#define this_cpu_ptr(ptr) per_cpu_ptr((ptr), kmm_percpu_cpu())
#define raw_cpu_ptr(ptr)  this_cpu_ptr(ptr)

/*
 * this_cpu_read/write/add/sub/inc/dec/xchg/cmpxchg and the _return forms: @pcp
 * is the per-CPU lvalue (e.g. *p or p->count for a __percpu p), a scalar, as
 * in the kernel.  Each is one relaxed atomic operation on the calling CPU's
 * copy (see the top: a unit may be shared).  raw_cpu_*() and __this_cpu_*()
 * are the same operations.
 */
#define this_cpu_read(pcp)	 __atomic_load_n(this_cpu_ptr(&(pcp)), __ATOMIC_RELAXED)
#define this_cpu_write(pcp, val) __atomic_store_n(this_cpu_ptr(&(pcp)), (val), __ATOMIC_RELAXED)
#define this_cpu_add_return(pcp, val)                                                              \
	__atomic_add_fetch(this_cpu_ptr(&(pcp)), (val), __ATOMIC_RELAXED)
#define this_cpu_sub_return(pcp, val)                                                              \
	__atomic_sub_fetch(this_cpu_ptr(&(pcp)), (val), __ATOMIC_RELAXED)
#define this_cpu_add(pcp, val)	 ((void)this_cpu_add_return(pcp, val))
#define this_cpu_sub(pcp, val)	 ((void)this_cpu_sub_return(pcp, val))
#define this_cpu_inc(pcp)	 this_cpu_add(pcp, 1)
#define this_cpu_dec(pcp)	 this_cpu_sub(pcp, 1)
#define this_cpu_inc_return(pcp) this_cpu_add_return(pcp, 1)
#define this_cpu_dec_return(pcp) this_cpu_sub_return(pcp, 1)
#define this_cpu_xchg(pcp, val)	 __atomic_exchange_n(this_cpu_ptr(&(pcp)), (val), __ATOMIC_RELAXED)
#define this_cpu_cmpxchg(pcp, oval, nval)                                                          \
	({                                                                                         \
		typeof(pcp) __old = (oval);                                                        \
		__atomic_compare_exchange_n(this_cpu_ptr(&(pcp)), &__old, (nval), false,           \
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED);                   \
		__old;                                                                             \
	})
#define raw_cpu_read(pcp)	   this_cpu_read(pcp)
#define raw_cpu_write(pcp, val)	   this_cpu_write(pcp, val)
#define raw_cpu_add(pcp, val)	   this_cpu_add(pcp, val)
#define raw_cpu_inc(pcp)	   this_cpu_inc(pcp)
#define raw_cpu_dec(pcp)	   this_cpu_dec(pcp)
#define __this_cpu_read(pcp)	   this_cpu_read(pcp)
#define __this_cpu_write(pcp, val) this_cpu_write(pcp, val)
#define __this_cpu_add(pcp, val)   this_cpu_add(pcp, val)
#define __this_cpu_sub(pcp, val)   this_cpu_sub(pcp, val)
#define __this_cpu_inc(pcp)	   this_cpu_inc(pcp)
#define __this_cpu_dec(pcp)	   this_cpu_dec(pcp)

KMM_END_DECLS

#endif /* KMM_PERCPU_ALLOC_H */
