/* SPDX-License-Identifier: MIT */
/*
 * percpu/percpu.h - threads as CPUs: the per-CPU area, emulated interrupts, IPIs.
 *
 * Each thread that uses libkmm gets a struct kmm_cpu from a static table of
 * NR_CPUS slots; kmm_this_cpu (kmm_cpu_tls.cpu, thread-local, initial-exec)
 * points to it, or is NULL for a thread that has none yet, and kmm_cpu_tls.id
 * holds its id (KMM_NO_CPU for none) for the fast paths.  Per-CPU data is touched only by its
 * owning thread, with emulated interrupts off (local_irq_save()), and by that
 * same thread's IPI handler, which runs only when interrupts are on.  So the
 * owner needs no lock and no atomic instruction: disabling interrupts is a
 * store to a thread-local counter with compiler barriers around it.
 *
 * Cross-CPU requests (kmm_drain_all()) bump the target's drain_req, send it
 * KMM_IPI_SIGNAL and wait for drain_ack to catch up.  The handler runs the
 * drain hooks the subsystems declare (struct kmm_cpu_ops, handed over by boot
 * with kmm_cpuhp_setup()) at once when interrupts are on, or marks the request
 * pending so that local_irq_restore() runs it on the way out; inside an inline
 * fast path (kmm_fastpath_enter()) it drops the request, and the sender,
 * still waiting, signals again.
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
#include <kmm/percpu.h>
#include <kmm/smp.h>

#define local_irq_save_cpu    kmm_local_irq_save
#define local_irq_restore_cpu kmm_local_irq_restore

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

/*
 * kmm_on_each_cpu - run @fn(cpu, @info) on every online CPU, each on its own
 * thread (by IPI; directly for the caller's), and wait for all of them: the
 * kernel's on_each_cpu(..., wait=1).  @fn runs with interrupts off.  A CPU whose
 * thread exits meanwhile answers by running the drain hooks instead, which
 * gives back everything it holds.  Context: interrupts on, no lock held.
 */
void kmm_on_each_cpu(void (*fn)(struct kmm_cpu *cpu, void *info), void *info);
/*
 * kmm_on_each_cpu_cond - the same, only on the CPUs for which @cond(cpu, @info)
 * is true (the kernel's on_each_cpu_cond()); @cond runs on the caller and may
 * only read the target's data racily.
 */
void kmm_on_each_cpu_cond(bool (*cond)(struct kmm_cpu *cpu, void *info),
			  void (*fn)(struct kmm_cpu *cpu, void *info), void *info);

/* kmm_cpu_get - the calling thread's CPU, booting the machine and assigning a slot if
 * needed; NULL if the machine cannot boot or all NR_CPUS slots are taken. */
struct kmm_cpu *kmm_cpu_get(void);

/*
 * for_each_online_cpu - iterate the slots of live threads.  Their per-CPU data
 * may be read (racily, as the kernel's reports do) but not written.
 */
struct kmm_cpu *kmm_next_online_cpu(struct kmm_cpu *prev);
#define for_each_online_cpu(cpu)                                                                   \
	for ((cpu) = kmm_next_online_cpu(NULL); (cpu); (cpu) = kmm_next_online_cpu(cpu))

struct kmm_cpu_ops;
/*
 * kmm_cpuhp_setup - the per-CPU hooks of every subsystem, @n of them in boot
 * order (the kernel's cpuhp_setup_state()); boot hands them over before the
 * first CPU comes up.  @ops stays the caller's.
 */
void kmm_cpuhp_setup(const struct kmm_cpu_ops *const *ops, size_t n);

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
