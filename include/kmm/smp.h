/* SPDX-License-Identifier: MIT */
/*
 * kmm/smp.h - CPUs of the emulated machine (<linux/smp.h>, <linux/topology.h>).
 *
 * The machine's CPUs are the host's: nr_cpu_ids is the host's configured CPUs
 * (lowered by nr_cpus=), all online from boot, and smp_processor_id() is the
 * CPU the calling thread runs on now (from its restartable-sequence area), so
 * it may change at any moment unless the thread holds its CPU inside libkmm.
 * A host CPU numbered nr_cpu_ids or above counts as CPU (n % nr_cpu_ids).
 * Threads are tasks: any number of them, none owning a per-CPU cache.  CPU n
 * belongs to node n % kmm_nr_online_nodes.
 *
 * Cross-CPU work (the kernel's IPIs) sends no signal: the caller takes each
 * CPU's caches over (see <kmm/percpu.h>), whatever the threads are doing.
 */
#ifndef KMM_SMP_H
#define KMM_SMP_H

#include <kmm/types.h>

KMM_BEGIN_DECLS

/* The most CPUs the machine has; a larger host's further CPUs share them (CPU n % NR_CPUS). */
#define NR_CPUS 256

/* smp_processor_id - the CPU the calling thread runs on. */
int smp_processor_id(void);
#define raw_smp_processor_id() smp_processor_id()
/* numa_node_id - the node of the calling thread's CPU. */
int numa_node_id(void);
/* num_online_cpus - the machine's CPUs (nr_cpu_ids: all are online). */
unsigned int num_online_cpus(void);

/*
 * kmm_drain_all - give back everything held in every CPU's caches (the slab
 * CPU arrays, then the page lists) to the shared pools.
 * Context: any thread, not from a signal handler, not inside a libkmm
 * callback.  Afterwards nr_free_pages() counts every free page exactly
 * (unless another thread allocates meanwhile).
 */
void kmm_drain_all(void);

KMM_END_DECLS

#endif /* KMM_SMP_H */
