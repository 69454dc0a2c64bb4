/* SPDX-License-Identifier: MIT */
/*
 * percpu/cpu.c - the machine's CPUs: bringing them up from the host's, the
 * fence of the slab fast paths, holding a CPU, cross-CPU calls, fork.
 *
 * See percpu.h for the model.  Locking: each CPU's lock makes its caches
 * the holder's; cpu_call_lock serialises the callers that hold more than one
 * CPU (kmm_on_each_cpu(), fork).  kmm_cpu_fast[] is written only by the
 * holder of the CPU concerned (and by boot and teardown, when no fast path
 * runs), read by the fast paths inside their sequences.
 */
#include <errno.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <kmm/kmm.h>
#include "boot/machine.h"
#include "boot/subsys.h"
#include "percpu/percpu.h"
#include "report/report.h"

_Static_assert(NR_CPUS <= KMM_MAX_HOST_CPUS, "every CPU has a fast-path index");

__thread struct kmm_cpu_tls kmm_cpu_tls __attribute__((tls_model("initial-exec")));

uint32_t kmm_cpu_fast[KMM_MAX_HOST_CPUS];
struct kmm_cpu kmm_cpus[NR_CPUS];
static pthread_mutex_t cpu_call_lock = PTHREAD_MUTEX_INITIALIZER;
/* the fast paths run: rseq is registered and membarrier can abort its sequences */
bool kmm_cpus_rseq;
/* nr_cpus=: at most this many CPUs */
static long param_nr_cpus;

/*
 * The per-CPU hooks every subsystem declares (struct kmm_cpu_ops,
 * boot/subsys.h), handed over by boot (kmm_cpuhp_setup()): online up the
 * steps, drain down them.
 */
static const struct kmm_cpu_ops *const *cpu_hooks;
static size_t nr_cpu_hooks;

void kmm_cpuhp_setup(const struct kmm_cpu_ops *const *ops, size_t n)
{
	cpu_hooks = ops;
	nr_cpu_hooks = n;
}

static void cpu_online_hooks(struct kmm_cpu *cpu)
{
	size_t i;
	int step;

	for (step = 0; step < NR_KMM_CPU_STEPS; step++)
		for (i = 0; i < nr_cpu_hooks; i++)
			if ((int)cpu_hooks[i]->step == step && cpu_hooks[i]->online)
				cpu_hooks[i]->online(cpu);
}

static void cpu_drain_hooks(struct kmm_cpu *cpu)
{
	size_t i;
	int step;

	for (step = NR_KMM_CPU_STEPS; step-- > 0;)
		for (i = 0; i < nr_cpu_hooks; i++)
			if ((int)cpu_hooks[i]->step == step && cpu_hooks[i]->drain)
				cpu_hooks[i]->drain(cpu);
}

/* The fence. */

static int membarrier(int cmd, unsigned int flags, int cpu)
{
	return (int)syscall(__NR_membarrier, cmd, flags, cpu);
}

#ifdef KMM_HAVE_RSEQ
/*
 * fence_here - kmm_cpu_fast[@id] = 0 in a sequence that commits only while
 * the thread runs on host CPU @id.  False (nothing stored) when it runs
 * elsewhere.
 */
static bool fence_here(unsigned int id)
{
	unsigned long tmp;

	/* clang-format off */
	asm volatile goto(
		KMM_RSEQ_ENTER("[off]", "[tmp]")
		"movl %%fs:(%[off]), %k[tmp]\n\t"
		"cmpl %k[tmp], %[id]\n\t"
		"jne %l[elsewhere]\n\t"
		"movl $0, (%[slot])\n\t"		/* commit */
		"2:\n\t"
		: [tmp] "=&r"(tmp)
		: [off] "r"(__rseq_offset), [id] "r"(id), [slot] "r"(&kmm_cpu_fast[id])
		: "memory", "cc"
		: elsewhere);
	/* clang-format on */
	return true;
elsewhere:
	return false;
}
#else
static bool fence_here(unsigned int id)
{
	(void)id;
	return false;
}
#endif

static __attribute__((noinline)) void fence_cpu_rseq(struct kmm_cpu *cpu, bool local)
{
	if (local && fence_here((unsigned int)cpu->id))
		return;
	__atomic_store_n(&kmm_cpu_fast[cpu->id], 0, __ATOMIC_SEQ_CST);
	if (membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ, MEMBARRIER_CMD_FLAG_CPU, cpu->id))
		membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ, 0, 0);
}

/*
 * fence_cpu - no slab fast path uses @cpu's arrays until unfence_cpu(); @cpu
 * is held.  Without rseq there is nothing to fence: no fast path runs.
 */
static kmm_always_inline void fence_cpu(struct kmm_cpu *cpu, bool local)
{
	if (kmm_cpus_rseq)
		fence_cpu_rseq(cpu, local);
}

/* unfence_cpu - the fast paths may use @cpu again, once it is set up. */
static void unfence_cpu(struct kmm_cpu *cpu)
{
	if (kmm_cpus_rseq && cpu->online)
		__atomic_store_n(&kmm_cpu_fast[cpu->id],
				 ((uint32_t)cpu->id + 1) * KMM_CPU_FAST_STRIDE, __ATOMIC_RELEASE);
}

/* Holding. */

/*
 * hold_locked - the rest of kmm_cpu_hold() for @cpu, whose lock the thread
 * has just taken: the fence, then the CPU is the thread's, set up at its
 * first hold.  NULL, the lock let go, if a page fast path has the CPU.
 */
static __attribute__((noinline)) struct kmm_cpu *hold_locked(struct kmm_cpu *cpu)
{
	fence_cpu(cpu, true);
	/* a page fast path that came first (preempted, so not running here) keeps it */
	if (kmm_unlikely(__atomic_load_n(&cpu->busy, __ATOMIC_ACQUIRE))) {
		unfence_cpu(cpu);
		kmm_unlock(&cpu->lock);
		return NULL;
	}
	kmm_cpu_tls.cpu = cpu;
	kmm_cpu_tls.depth = 1;
	if (kmm_unlikely(!cpu->online)) {
		cpu_online_hooks(cpu);
		__atomic_store_n(&cpu->online, true, __ATOMIC_RELEASE);
	}
	return cpu;
}

struct kmm_cpu *kmm_cpu_hold(void)
{
	struct kmm_cpu *cpu = kmm_cpu_tls.cpu;

	if (cpu) {
		kmm_cpu_tls.depth++;
		return cpu;
	}
	if (!kmm_machine_up())
		return NULL;
	cpu = kmm_cpu_current();
	if (!kmm_lock_try(&cpu->lock))
		return NULL;
	/* without rseq no fast path runs: nothing to fence, and no busy word set */
	if (kmm_likely(!kmm_cpus_rseq && cpu->online)) {
		kmm_cpu_tls.cpu = cpu;
		kmm_cpu_tls.depth = 1;
		return cpu;
	}
	return hold_locked(cpu);
}

void kmm_cpu_release(struct kmm_cpu *cpu)
{
	if (--kmm_cpu_tls.depth)
		return;
	kmm_cpu_tls.cpu = NULL;
	unfence_cpu(cpu);
	kmm_unlock(&cpu->lock);
}

/* wait_not_busy - a page fast path that took @cpu before the fence is done with it. */
static void wait_not_busy(struct kmm_cpu *cpu)
{
	while (__atomic_load_n(&cpu->busy, __ATOMIC_ACQUIRE))
		sched_yield();
}

/* take_cpu / give_cpu - hold @cpu from anywhere, waiting for its lock. */
static void take_cpu(struct kmm_cpu *cpu)
{
	kmm_lock(&cpu->lock);
	fence_cpu(cpu, false);
	wait_not_busy(cpu);
}

static void give_cpu(struct kmm_cpu *cpu)
{
	unfence_cpu(cpu);
	kmm_unlock(&cpu->lock);
}

/* Cross-CPU calls. */

void kmm_on_each_cpu_cond(bool (*cond)(struct kmm_cpu *cpu, void *info),
			  void (*fn)(struct kmm_cpu *cpu, void *info), void *info)
{
	struct kmm_cpu_tls saved = kmm_cpu_tls;
	unsigned int i;

	if (!kmm_machine_booted())
		return;
	if (kmm_unlikely(saved.cpu)) {
		kmm_report("WARNING: kmm_on_each_cpu: called holding CPU %d; every CPU but that "
			   "one skipped",
			   saved.cpu->id);
		if (!cond || cond(saved.cpu, info))
			fn(saved.cpu, info);
		return;
	}
	kmm_mutex_lock(&cpu_call_lock);
	for (i = 0; i < kmm_nr_cpu_ids; i++) {
		struct kmm_cpu *cpu = &kmm_cpus[i];

		if (!__atomic_load_n(&cpu->online, __ATOMIC_ACQUIRE) || (cond && !cond(cpu, info)))
			continue;
		take_cpu(cpu);
		kmm_cpu_tls.cpu = cpu;
		kmm_cpu_tls.depth = 1;
		fn(cpu, info);
		kmm_cpu_tls = saved;
		give_cpu(cpu);
	}
	pthread_mutex_unlock(&cpu_call_lock);
}

void kmm_on_each_cpu(void (*fn)(struct kmm_cpu *cpu, void *info), void *info)
{
	kmm_on_each_cpu_cond(NULL, fn, info);
}

static void run_drain_hooks(struct kmm_cpu *cpu, void *info)
{
	(void)info;
	cpu_drain_hooks(cpu);
}

void kmm_drain_all(void)
{
	kmm_on_each_cpu(run_drain_hooks, NULL);
}

int smp_processor_id(void)
{
	struct kmm_cpu *cpu = kmm_cpu_tls.cpu;

	if (cpu)
		return cpu->id;
	/* before the first boot, the host's CPUs */
	if (kmm_unlikely(!kmm_nr_cpu_ids))
		kmm_pcpu_setup();
	return (int)(kmm_cpu_current() - kmm_cpus);
}

int numa_node_id(void)
{
	/* with one node, the CPU need not be known */
	if (kmm_nr_online_nodes <= 1 || !kmm_machine_booted())
		return 0;
	return smp_processor_id() % kmm_nr_online_nodes;
}

unsigned int num_online_cpus(void)
{
	return nr_cpu_ids;
}

/* Boot and teardown. */

/*
 * rseq_usable - the slab fast paths can run: glibc registered the thread's
 * rseq area, the host's CPU ids fit kmm_cpu_fast[], and membarrier can
 * abort sequences in flight (registered for the process here).
 */
static bool rseq_usable(void)
{
#ifdef KMM_HAVE_RSEQ
	int cpu_id, cmds;

	/* the rseq area's cpu_id: RSEQ_CPU_ID_REGISTRATION_FAILED (-2) if glibc could not */
	asm volatile("movl %%fs:4(%1), %0" : "=r"(cpu_id) : "r"(__rseq_offset));
	if (!__rseq_size || cpu_id < 0)
		return false;
	if (sysconf(_SC_NPROCESSORS_CONF) > KMM_MAX_HOST_CPUS)
		return false;
	cmds = membarrier(MEMBARRIER_CMD_QUERY, 0, 0);
	if (cmds < 0 || !(cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ))
		return false;
	return membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ, 0, 0) == 0;
#else
	return false;
#endif
}

static int percpu_init(void)
{
	long host = sysconf(_SC_NPROCESSORS_CONF);
	unsigned int i, n;

	if (host < 1)
		host = 1;
	if (host > NR_CPUS)
		host = NR_CPUS;
	n = param_nr_cpus && param_nr_cpus < host ? (unsigned int)param_nr_cpus
						  : (unsigned int)host;
	__atomic_store_n(&kmm_nr_cpu_ids, n, __ATOMIC_RELAXED);
	kmm_cpus_rseq = rseq_usable();
	for (i = 0; i < n; i++) {
		struct kmm_cpu *cpu = &kmm_cpus[i];

		kmm_lock_init(&cpu->lock);
		cpu->id = (int)i;
		cpu->node = (int)i % kmm_nr_online_nodes;
		cpu->busy = 0;
		cpu->online = false;
	}
	return 0;
}

/* No fast path may reach a cache once the machine stops. */
static void percpu_stop(void)
{
	unsigned int i;

	/* only the machine's CPUs' entries were ever set (unfence_cpu()) */
	for (i = 0; i < kmm_nr_cpu_ids; i++)
		__atomic_store_n(&kmm_cpu_fast[i], 0, __ATOMIC_RELEASE);
	if (kmm_cpus_rseq)
		membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ, 0, 0);
	kmm_cpus_rseq = false;
}

/* The CPUs' caches went with the machine: the next boot sets them up again. */
static void percpu_exit(void)
{
	unsigned int i;

	for (i = 0; i < NR_CPUS; i++)
		kmm_cpus[i].online = false;
}

/*
 * fork (the step KMM_FORK_CPUS): every CPU is taken over, so no cache is
 * half-changed when memory is copied, and every sequence in flight was
 * aborted.  The child, whose only thread is the forking one, then owns every
 * CPU's caches as they are: nothing belonged to a thread that is not there.
 */
static void percpu_fork_prepare(void)
{
	unsigned int i;

	kmm_mutex_lock(&cpu_call_lock);
	for (i = 0; i < kmm_nr_cpu_ids; i++) {
		kmm_lock(&kmm_cpus[i].lock);
		if (kmm_cpus_rseq)
			__atomic_store_n(&kmm_cpu_fast[i], 0, __ATOMIC_SEQ_CST);
	}
	if (kmm_cpus_rseq)
		membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ, 0, 0);
	for (i = 0; i < kmm_nr_cpu_ids; i++)
		wait_not_busy(&kmm_cpus[i]);
}

static void percpu_fork_parent(void)
{
	unsigned int i;

	for (i = 0; i < kmm_nr_cpu_ids; i++)
		give_cpu(&kmm_cpus[i]);
	pthread_mutex_unlock(&cpu_call_lock);
}

static void percpu_fork_child(void)
{
	unsigned int i;

	pthread_mutex_init(&cpu_call_lock, NULL);
	/* the child's process needs its own registration before it can abort sequences */
	if (kmm_cpus_rseq && membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ, 0, 0))
		kmm_cpus_rseq = false; /* the fast paths stay fenced: every call holds */
	for (i = 0; i < kmm_nr_cpu_ids; i++) {
		kmm_lock_init(&kmm_cpus[i].lock);
		unfence_cpu(&kmm_cpus[i]);
	}
}

static const struct kmm_fork_ops percpu_fork_ops[] = {
	{KMM_FORK_CPUS, percpu_fork_prepare, NULL, percpu_fork_parent, percpu_fork_child},
};

static const struct kmm_param percpu_params[] = {
	KMM_PARAM_LONG_VAR("nr_cpus", param_nr_cpus, 0, 1, NR_CPUS, "1-256",
			   "at most this many CPUs (0, the default: the host's, up to 256)"),
	KMM_PARAM_LONG_VAR("possible_cpus", param_nr_cpus, 0, 1, NR_CPUS, "1-256",
			   "the same as nr_cpus="),
};

const struct kmm_subsys kmm_percpu_subsys = {
	.name = "percpu",
	KMM_SUBSYS_PARAMS(percpu_params),
	.init = percpu_init,
	.stop = percpu_stop,
	.exit = percpu_exit,
	KMM_SUBSYS_FORK(percpu_fork_ops),
};
