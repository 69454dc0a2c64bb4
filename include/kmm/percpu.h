/* SPDX-License-Identifier: MIT */
/*
 * kmm/percpu.h - the calling thread's CPU, as the inline fast paths of the
 * slab and kmalloc see it, and the emulated interrupt flag they use.
 *
 * Each thread that uses libkmm owns a struct kmm_cpu (see <kmm/smp.h> for the
 * model); kmm_this_cpu points to it, or is NULL until the thread's first slow
 * path.  The inline fast paths read only the thread-local struct kmm_cpu_tls:
 * the CPU's id, which is KMM_NO_CPU for a thread without one (an array slot
 * every cache keeps empty, so the fast paths need no test for it), and the
 * fast-path flag.  Only the owning thread writes the fields above the "shared" line,
 * with its emulated interrupts off, so it needs neither locks nor atomics; the
 * IPI handler that drains a CPU runs on the owning thread, and only while its
 * interrupts are on.
 *
 * This header is for libkmm's inline fast paths; a program has no business
 * with struct kmm_cpu beyond smp_processor_id().
 */
#ifndef KMM_PERCPU_PUBLIC_H
#define KMM_PERCPU_PUBLIC_H

#include <pthread.h>
#include <signal.h>
#include <kmm/gfp.h>
#include <kmm/list.h>
#include <kmm/mmzone.h>
#include <kmm/smp.h>

KMM_BEGIN_DECLS

/* The GFP bits that choose the first zone and the migrate type of an allocation. */
#define PCP_FAST_MASK (GFP_ZONEMASK | __GFP_RECLAIMABLE)

/*
 * What alloc_pages() needs to know first, precomputed for each combination of
 * zone and mobility bits when the CPU comes online (and again whenever the
 * watermarks change): the first zone of the CPU node's zonelist the bits allow,
 * its low watermark plus the lowmem reserve the request must leave, and the
 * migrate type.
 */
struct pcp_fast {
	struct per_cpu_pages *pcp; /* the first zone's per-CPU lists (NULL: none) */
	long mark;		   /* free pages must stay above this */
	int migratetype;	   /* gfp_migratetype() */
};

struct kmm_cpu {
	/* emulated interrupts off (1) or on (0); only the owner (and its handler) touch it */
	volatile sig_atomic_t irq_off;
	/* an IPI arrived while interrupts were off: run it at local_irq_restore() */
	volatile sig_atomic_t ipi_pending;
	/* the page allocator's fast path is in its critical section; IPIs wait */
	volatile sig_atomic_t in_fastpath;
	/* CPU id (slot index) and node */
	int id, node;
	/* where the page allocation fast path starts, by gfp & PCP_FAST_MASK */
	struct pcp_fast pcp_fast[PCP_FAST_MASK + 1];
	/* per-CPU page lists, by node and zone: [nid * MAX_NR_ZONES + zid] (see cpu_pcp()) */
	struct per_cpu_pages pcp[MAX_NUMNODES * MAX_NR_ZONES];
	/* slab array caches this CPU holds (struct array_cache.cpu_list) */
	struct list_head slab_arrays;
	/* --- below: shared with other threads, under cpu_registry_lock or atomic --- */
	/* the slot is owned by a live thread */
	bool online;
	/* the owner, for pthread_kill() */
	pthread_t thread;
	/* the owner's struct kmm_cpu_tls, cleared when the machine goes away */
	struct kmm_cpu_tls *owner_tls;
	/* drain requests sent and answered (atomic, never reset: slots are reused) */
	unsigned int drain_req, drain_ack;
	/* the owner's IPI handler found it inside a fast path and dropped it (atomic) */
	int ipi_dropped;
};

/* The CPU id of a thread that has no CPU: every cache's cpu_cache[KMM_NO_CPU] is empty. */
#define KMM_NO_CPU NR_CPUS

/* What a thread knows of its CPU (thread-local, initial-exec). */
struct kmm_cpu_tls {
	/* the thread's CPU, NULL until its first slow path (and while a fork borrows it) */
	struct kmm_cpu *cpu;
	/* cpu->id, or KMM_NO_CPU: the only field the inline fast paths read */
	unsigned int id;
	/* an inline fast path is in its critical section (they never nest); IPIs wait */
	volatile sig_atomic_t in_fastpath;
};

extern __thread struct kmm_cpu_tls kmm_cpu_tls __attribute__((tls_model("initial-exec")));

/* kmm_this_cpu - the calling thread's CPU, or NULL. */
#define kmm_this_cpu (kmm_cpu_tls.cpu)

/* kmm_ipi_process - run the IPI that arrived while @cpu had interrupts off. */
void kmm_ipi_process(struct kmm_cpu *cpu);

/*
 * kmm_local_irq_save / kmm_local_irq_restore - the emulated interrupt flag of
 * @cpu, as the kernel's local_irq_save(flags)/local_irq_restore(flags): only
 * the owner writes it, so a plain store between compiler barriers suffices.
 * Restoring to "on" runs an IPI that arrived meanwhile.
 */
static kmm_always_inline int kmm_local_irq_save(struct kmm_cpu *cpu)
{
	int was_off = cpu->irq_off;

	cpu->irq_off = 1;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	return was_off;
}

static kmm_always_inline void kmm_local_irq_restore(struct kmm_cpu *cpu, int was_off)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	cpu->irq_off = was_off;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (kmm_unlikely(cpu->ipi_pending) && !was_off)
		kmm_ipi_process(cpu);
}

/*
 * kmm_fastpath_enter / kmm_fastpath_exit - bracket the few instructions of an
 * inline fast path that touch per-CPU data.  An IPI arriving in between is
 * dropped and the sender sends it again (kmm_on_each_cpu() does, until it is
 * answered), so leaving the bracket is one store: nothing to check or run.
 * The bracket need not save a previous state: the fast paths never nest, and
 * an enclosing local_irq_save() is left alone (an IPI then waits for it).
 */
static kmm_always_inline void kmm_fastpath_enter(void)
{
	kmm_cpu_tls.in_fastpath = 1;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

static kmm_always_inline void kmm_fastpath_exit(void)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	kmm_cpu_tls.in_fastpath = 0;
}

/*
 * kmm_cpu_fastpath_enter / kmm_cpu_fastpath_exit - the same bracket for a fast
 * path that holds its CPU (the page allocator's, in the library): a flag in
 * struct kmm_cpu, which the IPI handler checks too.  A store through the CPU
 * pointer in a register costs less there than a thread-local one (measured: the
 * page pair 0.3 ns faster, 1 ns with the page touched).
 */
static kmm_always_inline void kmm_cpu_fastpath_enter(struct kmm_cpu *cpu)
{
	cpu->in_fastpath = 1;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

static kmm_always_inline void kmm_cpu_fastpath_exit(struct kmm_cpu *cpu)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	cpu->in_fastpath = 0;
}

/*
 * --- The per-CPU allocator (<linux/percpu.h>): alloc_percpu(), free_percpu() ---
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

#endif /* KMM_PERCPU_PUBLIC_H */
