/* SPDX-License-Identifier: MIT */
/*
 * kmm/smp.h - CPUs of the emulated machine (<linux/smp.h>, <linux/topology.h>).
 *
 * Every thread that uses libkmm is a CPU: the first call that needs per-CPU
 * data gives the thread the smallest free CPU id (up to NR_CPUS), and the id is
 * given back, with everything the thread's per-CPU caches hold, when the thread
 * exits.  CPU n belongs to node n % kmm_nr_online_nodes.
 *
 * Cross-CPU work (the kernel's IPIs) is done with a signal, KMM_IPI_SIGNAL,
 * whose handler runs the request on the target thread unless that thread is
 * inside libkmm with its emulated interrupts off, in which case the request
 * runs as soon as it leaves.  A thread that blocks KMM_IPI_SIGNAL cannot be
 * drained; kmm_drain_all() reports it after a timeout and goes on.
 */
#ifndef KMM_SMP_H
#define KMM_SMP_H

#include <signal.h>
#include <kmm/types.h>

KMM_BEGIN_DECLS

/* The most threads that have CPU ids at once; further threads run without per-CPU caches. */
#define NR_CPUS	       1024
/* The signal that carries cross-CPU requests. */
#define KMM_IPI_SIGNAL (SIGRTMIN + 5)

/* smp_processor_id - the calling thread's CPU id (assigned on first use). */
int smp_processor_id(void);
#define raw_smp_processor_id() smp_processor_id()
/* numa_node_id - the node of the calling thread's CPU. */
int numa_node_id(void);
/* num_online_cpus - the number of threads that hold a CPU id now. */
unsigned int num_online_cpus(void);

/*
 * kmm_drain_all - give back everything held in per-CPU caches of every live
 * thread (the slab CPU arrays, then the page lists) to the shared pools.
 * The calling thread drains its own at once; other threads are sent
 * KMM_IPI_SIGNAL and the call waits until each has answered.
 * Context: any thread, not from a signal handler.  Afterwards nr_free_pages()
 * counts every free page exactly (unless another thread allocates meanwhile).
 */
void kmm_drain_all(void);

KMM_END_DECLS

#endif /* KMM_SMP_H */
