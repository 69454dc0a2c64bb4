/* SPDX-License-Identifier: MIT */
/*
 * percpu/percpu.h - threads as CPUs: the per-CPU area, emulated interrupts, IPIs.
 *
 * Each thread that uses libkmm gets a struct kmm_cpu from a static table of
 * NR_CPUS slots; kmm_this_cpu (thread-local, initial-exec) points to it, or is
 * NULL for a thread that has none yet.  Per-CPU data is touched only by its
 * owning thread, with emulated interrupts off (local_irq_save()), and by that
 * same thread's IPI handler, which runs only when interrupts are on.  So the
 * owner needs no lock and no atomic instruction: disabling interrupts is a
 * store to a thread-local counter with compiler barriers around it.
 *
 * Cross-CPU requests (kmm_drain_all()) bump the target's drain_req, send it
 * KMM_IPI_SIGNAL and wait for drain_ack to catch up.  The handler runs the
 * registered drain hooks at once when interrupts are on, or marks the request
 * pending so that local_irq_restore() runs it on the way out.
 *
 * Locking: cpu_registry_lock (in cpu.c) protects the slot table: assigning and
 * releasing slots and sending IPIs (so a target cannot exit while signalled).
 * Zone locks may be taken with interrupts off; the registry lock is never
 * taken with interrupts off, and nothing waits for an IPI answer with
 * interrupts off or a zone lock held.
 */
#ifndef KMM_PERCPU_H
#define KMM_PERCPU_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <kmm/gfp.h>
#include <kmm/mm.h>
#include <kmm/mmzone.h>
#include <kmm/smp.h>

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
	/* CPU id (slot index) and node */
	int id, node;
	/* where the page allocation fast path starts, by gfp & PCP_FAST_MASK */
	struct pcp_fast pcp_fast[PCP_FAST_MASK + 1];
	/* per-CPU page lists, by node and zone: [nid * MAX_NR_ZONES + zid] (see cpu_pcp()) */
	struct per_cpu_pages pcp[MAX_NUMNODES * MAX_NR_ZONES];
	/* --- below: shared with other threads, under cpu_registry_lock or atomic --- */
	/* the slot is owned by a live thread */
	bool online;
	/* the owner, for pthread_kill() */
	pthread_t thread;
	/* the owner's kmm_this_cpu variable, cleared when the machine goes away */
	struct kmm_cpu **owner_ref;
	/* drain requests sent and answered (atomic, never reset: slots are reused) */
	unsigned int drain_req, drain_ack;
};

extern __thread struct kmm_cpu *kmm_this_cpu __attribute__((tls_model("initial-exec")));

_Static_assert(MAX_NR_ZONES == 1 << ZONES_WIDTH, "pcp index is the page's node|zone bits");

/* The per-CPU lists of @cpu for zone @zid of node @nid. */
static kmm_always_inline struct per_cpu_pages *cpu_pcp(struct kmm_cpu *cpu, int nid, int zid)
{
	return &cpu->pcp[nid * MAX_NR_ZONES + zid];
}

/* The per-CPU lists of @cpu for the zone @page_flags names (its node and zone bits). */
static kmm_always_inline struct per_cpu_pages *cpu_pcp_of_flags(struct kmm_cpu *cpu,
								unsigned long page_flags)
{
	return &cpu->pcp[page_flags >> ZONES_PGSHIFT];
}

/* A hook that empties one CPU's caches of one subsystem; runs with interrupts off. */
typedef void (*kmm_drain_hook_t)(struct kmm_cpu *cpu);
/* kmm_register_drain_hook - run @hook for kmm_drain_all() and at thread exit (once, at load). */
void kmm_register_drain_hook(kmm_drain_hook_t hook);

/* kmm_cpu_get - the calling thread's CPU, booting the machine and assigning a slot if
 * needed; NULL if the machine cannot boot or all NR_CPUS slots are taken. */
struct kmm_cpu *kmm_cpu_get(void);

/*
 * for_each_online_cpu - iterate the slots of live threads.  Their per-CPU data
 * may be read (racily, as the kernel's reports do) but not written.
 */
struct kmm_cpu *kmm_next_online_cpu(struct kmm_cpu *prev);
#define for_each_online_cpu(cpu) \
	for ((cpu) = kmm_next_online_cpu(NULL); (cpu); (cpu) = kmm_next_online_cpu(cpu))

/* Boot and teardown of the CPU layer (the IPI handler, the slot table). */
int kmm_percpu_init(void);
void kmm_percpu_exit(void);

void kmm_ipi_process(struct kmm_cpu *cpu);
/* kmm_cpu_refresh_fast - recompute @cpu's pcp_fast table (watermarks changed). */
void kmm_cpu_refresh_fast(struct kmm_cpu *cpu);

/*
 * local_irq_save_cpu / local_irq_restore_cpu - the emulated interrupt flag of
 * @cpu, as the kernel's local_irq_save(flags)/local_irq_restore(flags): only
 * the owner writes it, so a plain store between compiler barriers suffices.
 * Restoring to "on" runs an IPI that arrived meanwhile.
 */
static kmm_always_inline int local_irq_save_cpu(struct kmm_cpu *cpu)
{
	int was_off = cpu->irq_off;

	cpu->irq_off = 1;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	return was_off;
}

static kmm_always_inline void local_irq_restore_cpu(struct kmm_cpu *cpu, int was_off)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	cpu->irq_off = was_off;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (kmm_unlikely(cpu->ipi_pending) && !was_off)
		kmm_ipi_process(cpu);
}

/*
 * kmm_irq_save / kmm_irq_restore - interrupts off around code that takes zone
 * locks or touches per-CPU data; safe for threads without a CPU (no-ops).
 */
struct kmm_irq_state {
	struct kmm_cpu *cpu; /* the thread's CPU, or NULL */
	int was_off;	     /* the flag to restore */
};

static inline struct kmm_irq_state kmm_irq_save(void)
{
	struct kmm_irq_state st = {kmm_this_cpu, 0};

	if (st.cpu)
		st.was_off = local_irq_save_cpu(st.cpu);
	return st;
}

static inline void kmm_irq_restore(struct kmm_irq_state st)
{
	if (st.cpu)
		local_irq_restore_cpu(st.cpu, st.was_off);
}

#endif /* KMM_PERCPU_H */
