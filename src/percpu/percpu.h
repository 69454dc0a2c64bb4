/* SPDX-License-Identifier: MIT */
/*
 * percpu/percpu.h - the host's CPUs: each CPU's caches, holding a CPU, and
 * cross-CPU calls.
 *
 * One struct kmm_cpu per CPU (kmm_cpus[0 .. nr_cpu_ids - 1]) holds the page
 * allocator's per-CPU lists and the list of the slab arrays the CPU has; the
 * arrays themselves are in each cache's descriptor (cpu_array[id]).  A CPU's caches
 * are set up by the subsystems' online hooks at its first hold after boot.  A thread that
 * works on a CPU's caches out of line holds the CPU: its lock, the kernel's
 * local_lock / pcp->lock (and, where the kernel disables interrupts, what
 * it protects).  Holding is per thread and nests (kmm_cpu_tls.depth); while
 * a thread holds a CPU, kmm_this_cpu is that CPU, and every per-CPU cache it
 * touches is that CPU's, wherever the thread runs meanwhile.
 *
 * - Locally (kmm_cpu_hold()) a thread holds the CPU it runs on, with a
 *   trylock: a CPU held by another thread is not waited for; the caller goes
 *   to the shared pools (the node's slabs, the zone) instead, as the
 *   kernel's page allocator does when pcp_spin_trylock() fails.
 * - Remotely (kmm_on_each_cpu(), fork) a thread takes a CPU over: it waits
 *   for the lock.  Holders never sleep and never wait for anything but node
 *   and zone locks, so the wait is as short as their work, unless the host
 *   preempts a holder (the kernel would not).
 *
 * The slab fast paths take no lock: they run in restartable sequences on
 * the CPU's arrays (<kmm/percpu.h>).  Holding a CPU therefore fences them
 * off first: kmm_cpu_fast[id] = 0, stored inside a sequence that commits only
 * while the thread runs on that CPU (every sequence in flight there was
 * preempted by it, so restarts), else followed by
 * membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ) on that CPU.  Releasing
 * stores the offset back.  Without rseq the fast paths always fall through
 * and every slab call holds the CPU instead.
 *
 * The page allocator's fast path works on lists, which one store cannot
 * commit, so it takes the CPU for the few instructions it needs: with rseq,
 * a sequence sets the CPU's busy word if the CPU is not fenced and not busy
 * (no atomic: no other thread on that CPU can be inside the sequence), and
 * a plain store clears it; a holder, once its fence is in place, waits for
 * busy to clear (remotely) or gives up (locally).  Without rseq it is a
 * trylock of the CPU's lock.  Either way a CPU taken elsewhere sends the
 * call to the zone, as the kernel's does when pcp_spin_trylock() fails.
 *
 * Lock order: a CPU's lock, then slab node list_locks, then zone locks.
 * Only kmm_on_each_cpu() and fork hold more than one CPU, serialised by
 * cpu_call_lock (cpu.c); nothing waits for a CPU's lock while holding one.
 */
#ifndef KMM_PERCPU_H
#define KMM_PERCPU_H

#include <sched.h>
#include <stdbool.h>
#include <kmm/gfp.h>
#include <kmm/list.h>
#include <kmm/mm.h>
#include <kmm/mmzone.h>
#include <kmm/percpu.h>
#include <kmm/percpu_alloc.h>
#include <kmm/smp.h>
#include "sync/lock.h"

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
	/* held: the CPU's caches are the holder's */
	kmm_lock_t lock;
	/* a page fast path on this CPU uses its lists (with rseq: see kmm_cpu_trylock()) */
	int busy;
	/* CPU id and node */
	int id, node;
	/* its caches were set up (at the first hold after boot; read racily) */
	bool online;
	/* --- below: the holder's --- */
	/* where the page allocation fast path starts, by gfp & PCP_FAST_MASK */
	struct pcp_fast pcp_fast[PCP_FAST_MASK + 1];
	/* per-CPU page lists, by node and zone: [nid * MAX_NR_ZONES + zid] (see cpu_pcp()) */
	struct per_cpu_pages pcp[MAX_NUMNODES * MAX_NR_ZONES];
	/* slab array caches this CPU holds (struct array_cache.cpu_list) */
	struct list_head slab_arrays;
} __attribute__((aligned(KMM_CPU_FAST_STRIDE))); /* kmm_cpu_trylock() scales by it */

extern struct kmm_cpu kmm_cpus[NR_CPUS];

/* What a thread holds (thread-local, initial-exec). */
struct kmm_cpu_tls {
	struct kmm_cpu *cpu; /* the CPU held, or NULL */
	unsigned int depth;  /* nested holds of it */
};

extern __thread struct kmm_cpu_tls kmm_cpu_tls __attribute__((tls_model("initial-exec")));

/* kmm_this_cpu - the CPU the calling thread holds, or NULL. */
#define kmm_this_cpu (kmm_cpu_tls.cpu)

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

/* kmm_cpu_current - the CPU the calling thread runs on now (it may move at once). */
static kmm_always_inline struct kmm_cpu *kmm_cpu_current(void)
{
	unsigned int h = (unsigned int)sched_getcpu(), n = kmm_nr_cpu_ids;

	/* before boot n may be 0; a failed sched_getcpu() (-1) is any CPU */
	return &kmm_cpus[kmm_likely(h < n) ? h : n ? h % n : 0];
}

/*
 * kmm_cpu_hold - hold the CPU the calling thread runs on (or, nested, the
 * one it holds), booting the machine first if needed.  NULL when another
 * thread holds that CPU or there is no machine: the caller uses the shared
 * pools.  Release with kmm_cpu_release().
 */
struct kmm_cpu *kmm_cpu_hold(void);
void kmm_cpu_release(struct kmm_cpu *cpu);

/* kmm_cpu_nested - does the calling thread hold its CPU more than once? */
static inline bool kmm_cpu_nested(void)
{
	return kmm_cpu_tls.depth > 1;
}

/* kmm_cpus_rseq - the fast paths run in restartable sequences (fixed while a machine runs). */
extern bool kmm_cpus_rseq;

/*
 * kmm_cpu_trylock / kmm_cpu_unlock - the page allocator's fast path: the CPU
 * the thread runs on, for a few instructions, not waited for (NULL: held
 * elsewhere, or not set up yet), no nesting (the caller checked kmm_this_cpu
 * first).  See the top of this file.  @rseq is kmm_cpus_rseq, a constant at
 * the call, so that each path compiles to its own code.
 */
static kmm_always_inline struct kmm_cpu *kmm_cpu_trylock(bool rseq)
{
	struct kmm_cpu *cpu;

#ifdef KMM_HAVE_RSEQ
	if (rseq) {
		unsigned long idx;

		/* clang-format off */
		asm volatile goto(
			KMM_RSEQ_ENTER("[off]", "[idx]")
			KMM_RSEQ_CPU_INDEX("[off]", "[idx]")
			"testl %k[idx], %k[idx]\n\t"
			"jz %l[taken]\n\t"
			"imulq %[scale], %[idx], %[cpu]\n\t"
			"addq %[base], %[cpu]\n\t"
			"cmpl $0, %c[busy](%[cpu])\n\t"
			"jne %l[taken]\n\t"
			"movl $1, %c[busy](%[cpu])\n\t"	/* commit */
			"2:\n\t"
			: [idx] "=&r"(idx), [cpu] "=&r"(cpu)
			: [off] "r"(__rseq_offset), [tab] "r"(kmm_cpu_fast),
			  [base] "r"((unsigned long)kmm_cpus - sizeof(struct kmm_cpu)),
			  [scale] "i"(sizeof(struct kmm_cpu) / KMM_CPU_FAST_STRIDE),
			  [busy] "i"(offsetof(struct kmm_cpu, busy))
			: "memory", "cc"
			: taken);
		/* clang-format on */
		if (!cpu)
			__builtin_unreachable(); /* an entry of kmm_cpus[]: callers need not test */
		return cpu;
	taken:
		return NULL;
	}
#else
	(void)rseq;
#endif
	cpu = kmm_cpu_current();
	if (kmm_unlikely(!kmm_lock_try(&cpu->lock)))
		return NULL;
	if (kmm_likely(cpu->online))
		return cpu;
	kmm_unlock(&cpu->lock);
	return NULL;
}

static kmm_always_inline void kmm_cpu_unlock(struct kmm_cpu *cpu, bool rseq)
{
	if (rseq)
		__atomic_store_n(&cpu->busy, 0, __ATOMIC_RELEASE);
	else
		kmm_unlock(&cpu->lock);
}

/*
 * kmm_on_each_cpu - run @fn(cpu, @info) on every CPU, each taken over by the
 * caller in turn (the kernel's on_each_cpu(..., wait=1)): @fn runs holding
 * the CPU.  Context: no CPU held, no lock held.
 */
void kmm_on_each_cpu(void (*fn)(struct kmm_cpu *cpu, void *info), void *info);
/*
 * kmm_on_each_cpu_cond - the same, only on the CPUs for which @cond(cpu, @info)
 * is true (the kernel's on_each_cpu_cond()); @cond runs without the CPU and
 * may only read its data racily.
 */
void kmm_on_each_cpu_cond(bool (*cond)(struct kmm_cpu *cpu, void *info),
			  void (*fn)(struct kmm_cpu *cpu, void *info), void *info);

/* for_each_online_cpu - every CPU set up; its data may be read racily, not written. */
#define for_each_online_cpu(cpu)                                                                   \
	for ((cpu) = kmm_cpus; (cpu) < kmm_cpus + kmm_nr_cpu_ids; (cpu)++)                         \
		if (__atomic_load_n(&(cpu)->online, __ATOMIC_ACQUIRE))

struct kmm_cpu_ops;
/*
 * kmm_cpuhp_setup - the per-CPU hooks of every subsystem, @n of them in boot
 * order (the kernel's cpuhp_setup_state()); boot hands them over before the
 * CPUs come up.  @ops stays the caller's.
 */
void kmm_cpuhp_setup(const struct kmm_cpu_ops *const *ops, size_t n);

#endif /* KMM_PERCPU_H */
