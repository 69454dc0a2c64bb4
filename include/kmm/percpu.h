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

KMM_END_DECLS

#endif /* KMM_PERCPU_PUBLIC_H */
