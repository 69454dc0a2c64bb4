/* SPDX-License-Identifier: MIT */
/*
 * percpu/cpu.c - the CPU slot table, thread registration and exit, and IPIs.
 *
 * See percpu.h for the model.  Locking: cpu_registry_lock protects the slot
 * table (online, thread, owner_tls of every slot, nr_cpus_online) and is held
 * while IPIs are sent, so that a target cannot release its slot in between.
 * ipi_call_lock serialises cross-CPU calls: it protects ipi_call, which the
 * targets read after seeing their drain_req move (acquire).  drain_req and
 * drain_ack are atomics.  Everything else in a slot is its owner's.
 */
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <kmm/kmm.h>
#include "boot/machine.h"
#include "boot/subsys.h"
#include "percpu/percpu.h"
#include "report/report.h"

__thread struct kmm_cpu_tls kmm_cpu_tls
	__attribute__((tls_model("initial-exec"))) = {.cpu = NULL, .id = KMM_NO_CPU};

static struct kmm_cpu cpu_slots[NR_CPUS];
static pthread_mutex_t cpu_registry_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned int nr_cpus_online;
static pthread_key_t cpu_exit_key;
static struct sigaction saved_ipi_action;

/* The cross-CPU call in progress (one at a time, under ipi_call_lock). */
static struct {
	void (*fn)(struct kmm_cpu *cpu, void *info);
	void *info;
} ipi_call;
static pthread_mutex_t ipi_call_lock = PTHREAD_MUTEX_INITIALIZER;

/* How long kmm_on_each_cpu() waits for a CPU to answer before reporting it. */
#define IPI_TIMEOUT_NS (2LL * 1000 * 1000 * 1000)

/*
 * cpu_tls_set - make @cpu (or none, for NULL) the CPU of the thread that owns
 * @tls.  The id the fast paths read goes last when a CPU is given and first
 * when it is taken, so they never use a CPU the thread no longer has.
 */
static void cpu_tls_set(struct kmm_cpu_tls *tls, struct kmm_cpu *cpu)
{
	if (cpu) {
		__atomic_store_n(&tls->cpu, cpu, __ATOMIC_RELEASE);
		__atomic_store_n(&tls->id, (unsigned int)cpu->id, __ATOMIC_RELEASE);
	} else {
		__atomic_store_n(&tls->id, KMM_NO_CPU, __ATOMIC_RELEASE);
		__atomic_store_n(&tls->cpu, NULL, __ATOMIC_RELEASE);
	}
}

/*
 * The per-CPU hooks every subsystem declares (struct kmm_cpu_ops,
 * boot/subsys.h), handed over by boot (kmm_cpuhp_setup()): online up the
 * steps, drain and dead down them.
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

/* cpu_down_hooks - give back everything @cpu caches; if it goes for good (@dead), release it. */
static void cpu_down_hooks(struct kmm_cpu *cpu, bool dead, bool forked)
{
	size_t i;
	int step;

	for (step = NR_KMM_CPU_STEPS; step-- > 0;) {
		for (i = 0; i < nr_cpu_hooks; i++) {
			const struct kmm_cpu_ops *ops = cpu_hooks[i];

			if ((int)ops->step != step)
				continue;
			if (dead && ops->dead)
				ops->dead(cpu, forked);
			if (ops->drain)
				ops->drain(cpu);
		}
	}
}

static void run_drain_hooks(struct kmm_cpu *cpu, void *info)
{
	(void)info;
	cpu_down_hooks(cpu, false, false);
}

/* kmm_ipi_process - answer the pending drain request; interrupts were on. */
void kmm_ipi_process(struct kmm_cpu *cpu)
{
	do {
		unsigned int req;

		local_irq_save_cpu(cpu);
		cpu->ipi_pending = 0;
		req = __atomic_load_n(&cpu->drain_req, __ATOMIC_ACQUIRE);
		if (req != __atomic_load_n(&cpu->drain_ack, __ATOMIC_RELAXED)) {
			ipi_call.fn(cpu, ipi_call.info);
			__atomic_store_n(&cpu->drain_ack, req, __ATOMIC_RELEASE);
		}
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		cpu->irq_off = 0;
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
	} while (cpu->ipi_pending);
}

static void ipi_handler(int sig)
{
	int saved_errno = errno;
	struct kmm_cpu *cpu = kmm_this_cpu;

	(void)sig;
	/*
	 * Interrupts off: answered at local_irq_restore().  Inside an inline fast
	 * path: dropped, and the sender, told so, sends it again.  Otherwise: now.
	 */
	if (cpu) {
		if (cpu->irq_off)
			cpu->ipi_pending = 1;
		else if (kmm_cpu_tls.in_fastpath || cpu->in_fastpath)
			__atomic_store_n(&cpu->ipi_dropped, 1, __ATOMIC_RELEASE);
		else
			kmm_ipi_process(cpu);
	}
	errno = saved_errno;
}

static void init_slot(struct kmm_cpu *cpu)
{
	cpu->irq_off = 0;
	cpu->ipi_pending = 0;
	cpu->in_fastpath = 0;
	cpu->node = cpu->id % kmm_nr_online_nodes;
	cpu_online_hooks(cpu);
}

/* Called by the thread-exit destructor: give everything back, release the slot. */
static void cpu_thread_exit(void *arg)
{
	struct kmm_cpu *cpu = arg;

	if (kmm_this_cpu != cpu)
		return;
	pthread_mutex_lock(&cpu_registry_lock);
	local_irq_save_cpu(cpu);
	cpu_down_hooks(cpu, true, false);
	__atomic_store_n(&cpu->drain_ack, __atomic_load_n(&cpu->drain_req, __ATOMIC_ACQUIRE),
			 __ATOMIC_RELEASE);
	cpu->ipi_pending = 0;
	cpu_tls_set(&kmm_cpu_tls, NULL);
	cpu->online = false;
	cpu->owner_tls = NULL;
	nr_cpus_online--;
	cpu->irq_off = 0;
	pthread_mutex_unlock(&cpu_registry_lock);
}

/*
 * unblock_ipi - a CPU must answer IPIs: a thread that blocks every signal
 * (liburcu's call_rcu thread does in newer releases, and so do many thread
 * pools) would otherwise stall each kmm_drain_all() for 2 s.  Only libkmm's
 * own signal is unblocked.
 */
static void unblock_ipi(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, KMM_IPI_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

static struct kmm_cpu *cpu_online_self(void)
{
	struct kmm_cpu *cpu = NULL;
	int i;

	pthread_mutex_lock(&cpu_registry_lock);
	/* a thread whose CPU a fork took away for a moment has it back now */
	if (kmm_this_cpu) {
		cpu = kmm_this_cpu;
		pthread_mutex_unlock(&cpu_registry_lock);
		return cpu;
	}
	if (kmm_booted()) {
		for (i = 0; i < NR_CPUS; i++) {
			if (!cpu_slots[i].online) {
				cpu = &cpu_slots[i];
				break;
			}
		}
	}
	if (cpu) {
		cpu->id = i;
		init_slot(cpu);
		cpu->thread = pthread_self();
		cpu->owner_tls = &kmm_cpu_tls;
		cpu->online = true;
		nr_cpus_online++;
		cpu_tls_set(&kmm_cpu_tls, cpu);
		pthread_setspecific(cpu_exit_key, cpu);
		unblock_ipi();
	}
	pthread_mutex_unlock(&cpu_registry_lock);
	return cpu;
}

struct kmm_cpu *kmm_cpu_get(void)
{
	struct kmm_cpu *cpu = kmm_this_cpu;

	if (kmm_likely(cpu))
		return cpu;
	if (!kmm_booted() && kmm_boot_default() != 0)
		return NULL;
	return cpu_online_self();
}

static int percpu_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ipi_handler;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(KMM_IPI_SIGNAL, &sa, &saved_ipi_action) != 0)
		return -errno;
	if (pthread_key_create(&cpu_exit_key, cpu_thread_exit) != 0) {
		sigaction(KMM_IPI_SIGNAL, &saved_ipi_action, NULL);
		return -ENOMEM;
	}
	return 0;
}

/* Forget every slot: the machine they cached pages of is going away. */
static void percpu_exit(void)
{
	int i;

	pthread_mutex_lock(&cpu_registry_lock);
	for (i = 0; i < NR_CPUS; i++) {
		struct kmm_cpu *cpu = &cpu_slots[i];

		if (!cpu->online)
			continue;
		if (cpu->owner_tls)
			cpu_tls_set(cpu->owner_tls, NULL);
		cpu->online = false;
		cpu->owner_tls = NULL;
		__atomic_store_n(&cpu->drain_ack,
				 __atomic_load_n(&cpu->drain_req, __ATOMIC_RELAXED),
				 __ATOMIC_RELEASE);
	}
	nr_cpus_online = 0;
	pthread_key_delete(cpu_exit_key);
	sigaction(KMM_IPI_SIGNAL, &saved_ipi_action, NULL);
	pthread_mutex_unlock(&cpu_registry_lock);
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static bool ipi_answered(struct kmm_cpu *cpu, unsigned int req)
{
	return (int)(__atomic_load_n(&cpu->drain_ack, __ATOMIC_ACQUIRE) - req) >= 0;
}

/*
 * resend_ipi - signal @cpu again: the last signal found it inside an inline
 * fast path and was dropped.  A CPU whose thread exited has answered
 * (cpu_thread_exit() acknowledges every request), so the thread is still there.
 */
static void resend_ipi(struct kmm_cpu *cpu, unsigned int req)
{
	pthread_mutex_lock(&cpu_registry_lock);
	if (cpu->online && !ipi_answered(cpu, req))
		pthread_kill(cpu->thread, KMM_IPI_SIGNAL);
	pthread_mutex_unlock(&cpu_registry_lock);
}

static void wait_for_ack(struct kmm_cpu *cpu, unsigned int req)
{
	long long start = now_ns();
	unsigned int spins = 0;

	while (!ipi_answered(cpu, req)) {
		if (__atomic_exchange_n(&cpu->ipi_dropped, 0, __ATOMIC_ACQ_REL))
			resend_ipi(cpu, req);
		if (++spins < 64) {
			sched_yield();
			continue;
		}
		if (now_ns() - start > IPI_TIMEOUT_NS) {
			kmm_report("kmm_on_each_cpu: CPU %d did not answer KMM_IPI_SIGNAL in 2 s "
				   "(signal blocked?); its per-CPU caches stay undrained",
				   cpu->id);
			return;
		}
		nanosleep(&(struct timespec){0, 50000}, NULL);
	}
}

void kmm_on_each_cpu_cond(bool (*cond)(struct kmm_cpu *cpu, void *info),
			  void (*fn)(struct kmm_cpu *cpu, void *info), void *info)
{
	static struct {
		struct kmm_cpu *cpu;
		unsigned int req;
	} targets[NR_CPUS];
	struct kmm_cpu *self = kmm_this_cpu;
	int i, n = 0;

	if (!kmm_booted())
		return;
	pthread_mutex_lock(&ipi_call_lock);
	ipi_call.fn = fn;
	ipi_call.info = info;
	pthread_mutex_lock(&cpu_registry_lock);
	for (i = 0; i < NR_CPUS; i++) {
		struct kmm_cpu *cpu = &cpu_slots[i];

		if (!cpu->online || cpu == self || (cond && !cond(cpu, info)))
			continue;
		targets[n].cpu = cpu;
		targets[n].req = __atomic_add_fetch(&cpu->drain_req, 1, __ATOMIC_ACQ_REL);
		if (pthread_kill(cpu->thread, KMM_IPI_SIGNAL) == 0)
			n++;
	}
	pthread_mutex_unlock(&cpu_registry_lock);
	if (self && (!cond || cond(self, info))) {
		int was_off = local_irq_save_cpu(self);

		fn(self, info);
		local_irq_restore_cpu(self, was_off);
	}
	for (i = 0; i < n; i++)
		wait_for_ack(targets[i].cpu, targets[i].req);
	pthread_mutex_unlock(&ipi_call_lock);
}

void kmm_on_each_cpu(void (*fn)(struct kmm_cpu *cpu, void *info), void *info)
{
	kmm_on_each_cpu_cond(NULL, fn, info);
}

void kmm_drain_all(void)
{
	kmm_on_each_cpu(run_drain_hooks, NULL);
}

struct kmm_cpu *kmm_next_online_cpu(struct kmm_cpu *prev)
{
	int i = prev ? prev->id + 1 : 0;

	for (; i < NR_CPUS; i++)
		if (__atomic_load_n(&cpu_slots[i].online, __ATOMIC_ACQUIRE))
			return &cpu_slots[i];
	return NULL;
}

int smp_processor_id(void)
{
	struct kmm_cpu *cpu = kmm_cpu_get();

	return cpu ? cpu->id : 0;
}

int numa_node_id(void)
{
	struct kmm_cpu *cpu = kmm_cpu_get();

	return cpu ? cpu->node : 0;
}

unsigned int num_online_cpus(void)
{
	return __atomic_load_n(&nr_cpus_online, __ATOMIC_RELAXED);
}

/*
 * fork (boot/fork.c): the other CPUs are parked at a point where their
 * per-CPU data is consistent (an IPI handler with interrupts on, outside any
 * fast path), their slots are copied, and they are let go before fork() itself
 * runs; the child restores the copies, so what it drains is what the copied
 * memory holds.  All of it under ipi_call_lock and cpu_registry_lock.
 */
static int fork_gate;		    /* 1 while parked CPUs must stay parked (futex) */
static int fork_detach;		    /* parked CPUs leave their thread when let go (atomic) */
static int fork_parked[NR_CPUS];    /* the CPU is parked in fork_park() (atomic) */
static bool fork_saved_ok[NR_CPUS]; /* fork_saved[id] holds the CPU's state at the copy */
static struct kmm_cpu *fork_saved;  /* NR_CPUS slots, anonymous, NORESERVE */

#define FORK_PARK_TRY_NS   (200LL * 1000 * 1000)
#define FORK_PARK_TOTAL_NS (2LL * 1000 * 1000 * 1000)

/*
 * The IPI function: wait, in the handler, until the forking thread opens the
 * gate.  Let go after the copy (fork_detach), the thread leaves its CPU until
 * the fork is over: its fast paths find no CPU and its slow paths wait for the
 * locks the fork holds, so nothing it allocates or frees between the copy and
 * fork() is missing from the child's copy.  The parent handler gives the CPU
 * back before it releases cpu_registry_lock.
 */
static void fork_park(struct kmm_cpu *cpu, void *info)
{
	(void)info;
	__atomic_store_n(&fork_parked[cpu->id], 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&fork_gate, __ATOMIC_ACQUIRE))
		syscall(SYS_futex, &fork_gate, FUTEX_WAIT_PRIVATE, 1, NULL, NULL, 0);
	if (__atomic_load_n(&fork_detach, __ATOMIC_ACQUIRE))
		cpu_tls_set(&kmm_cpu_tls, NULL);
	__atomic_store_n(&fork_parked[cpu->id], 0, __ATOMIC_RELEASE);
}

static void fork_open_gate(void)
{
	__atomic_store_n(&fork_gate, 0, __ATOMIC_RELEASE);
	syscall(SYS_futex, &fork_gate, FUTEX_WAKE_PRIVATE, NR_CPUS, NULL, NULL, 0);
}

/* One attempt: signal every unparked CPU, wait until all are parked or @until. */
static int fork_park_all(struct kmm_cpu *self, long long until)
{
	int i, left;

	for (i = 0; i < NR_CPUS; i++) {
		struct kmm_cpu *cpu = &cpu_slots[i];

		if (cpu->online && cpu != self &&
		    !__atomic_load_n(&fork_parked[i], __ATOMIC_ACQUIRE)) {
			__atomic_add_fetch(&cpu->drain_req, 1, __ATOMIC_ACQ_REL);
			pthread_kill(cpu->thread, KMM_IPI_SIGNAL);
		}
	}
	for (;;) {
		left = 0;
		for (i = 0; i < NR_CPUS; i++) {
			struct kmm_cpu *cpu = &cpu_slots[i];

			if (!cpu->online || cpu == self ||
			    __atomic_load_n(&fork_parked[i], __ATOMIC_ACQUIRE))
				continue;
			left++;
			if (__atomic_exchange_n(&cpu->ipi_dropped, 0, __ATOMIC_ACQ_REL))
				pthread_kill(cpu->thread, KMM_IPI_SIGNAL);
		}
		if (!left || now_ns() > until)
			return left;
		nanosleep(&(struct timespec){0, 20000}, NULL);
	}
}

static int fork_park_others(void)
{
	struct kmm_cpu *self = kmm_this_cpu;
	long long start = now_ns();
	int left;

	if (!fork_saved) {
		void *p = mmap(NULL, sizeof(struct kmm_cpu) * NR_CPUS, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		fork_saved = p == MAP_FAILED ? NULL : p;
	}
	pthread_mutex_lock(&ipi_call_lock);
	pthread_mutex_lock(&cpu_registry_lock);
	ipi_call.fn = fork_park;
	ipi_call.info = NULL;
	for (;;) {
		__atomic_store_n(&fork_gate, 1, __ATOMIC_RELEASE);
		left = fork_park_all(self, now_ns() + FORK_PARK_TRY_NS);
		if (!left || now_ns() - start > FORK_PARK_TOTAL_NS)
			return left;
		/*
		 * A CPU that cannot get to a parking point may be waiting for
		 * something a parked thread holds (a stdio lock in a report, say):
		 * let everyone run a moment and try again.
		 */
		fork_open_gate();
		nanosleep(&(struct timespec){0, 1000000}, NULL);
	}
}

static void fork_save_parked(void)
{
	struct kmm_cpu *self = kmm_this_cpu;
	int i;

	for (i = 0; i < NR_CPUS; i++) {
		struct kmm_cpu *cpu = &cpu_slots[i];

		fork_saved_ok[i] = fork_saved && cpu->online && cpu != self &&
				   __atomic_load_n(&fork_parked[i], __ATOMIC_ACQUIRE);
		if (fork_saved_ok[i])
			memcpy(&fork_saved[i], cpu, sizeof(*cpu));
	}
}

static void fork_unpark(void)
{
	__atomic_store_n(&fork_detach, 1, __ATOMIC_RELEASE);
	fork_open_gate();
}

static void fork_give_back(void)
{
	int i;

	/* The detached threads get their CPUs back (a thread waiting in cpu_online_self() too). */
	for (i = 0; i < NR_CPUS; i++) {
		struct kmm_cpu *cpu = &cpu_slots[i];

		while (fork_saved_ok[i] && __atomic_load_n(&fork_parked[i], __ATOMIC_ACQUIRE))
			nanosleep(&(struct timespec){0, 20000}, NULL);
		if (fork_saved_ok[i] && cpu->owner_tls)
			cpu_tls_set(cpu->owner_tls, cpu);
	}
	__atomic_store_n(&fork_detach, 0, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&cpu_registry_lock);
	pthread_mutex_unlock(&ipi_call_lock);
}

static int fork_release_departed(void)
{
	int i, leaked = 0;

	pthread_mutex_init(&ipi_call_lock, NULL);
	pthread_mutex_init(&cpu_registry_lock, NULL);
	fork_gate = 0;
	fork_detach = 0;
	for (i = 0; i < NR_CPUS; i++) {
		struct kmm_cpu *cpu = &cpu_slots[i];

		fork_parked[i] = 0;
		/*
		 * This thread's CPU is not a departed one.  A thread with none at the
		 * fork gets one here, when the drain of a departed CPU below frees
		 * pages through it: hence kmm_this_cpu, read at each slot.
		 */
		if (!cpu->online || cpu == kmm_this_cpu)
			continue;
		if (!fork_saved_ok[i]) {
			/* Never parked: its caches may be torn.  Keep the slot, leak them. */
			leaked++;
			continue;
		}
		/* The thread is gone: give back what its CPU held, as at thread exit. */
		memcpy(cpu, &fork_saved[i], sizeof(*cpu));
		cpu->ipi_pending = 0;
		cpu->in_fastpath = 0;
		local_irq_save_cpu(cpu);
		cpu_down_hooks(cpu, true, true);
		cpu->online = false;
		cpu->owner_tls = NULL;
		cpu->irq_off = 0;
		cpu->ipi_dropped = 0;
		__atomic_store_n(&cpu->drain_ack, cpu->drain_req, __ATOMIC_RELEASE);
		nr_cpus_online--;
	}
	return leaked;
}

/* The fork step KMM_FORK_CPUS: park the others, interrupts off; after the copy, let them go. */
static struct {
	int unparked;		  /* CPUs that could not be parked */
	struct kmm_irq_state irq; /* the forking thread's interrupts, off until parent/child */
} fork_cpus;

static void percpu_fork_prepare(void)
{
	fork_cpus.unparked = fork_park_others();
	fork_cpus.irq = kmm_irq_save();
}

static void percpu_fork_copied(void)
{
	fork_save_parked();
	fork_unpark();
}

static void percpu_fork_parent(void)
{
	kmm_irq_restore(fork_cpus.irq);
	fork_give_back();
	if (fork_cpus.unparked)
		kmm_report("fork: %d CPU(s) did not answer KMM_IPI_SIGNAL in 2 s (signal "
			   "blocked?); the child leaks their per-CPU caches",
			   fork_cpus.unparked);
}

static void percpu_fork_child(void)
{
	int leaked;

	kmm_irq_restore(fork_cpus.irq);
	leaked = fork_release_departed();
	if (leaked)
		kmm_report("fork: %d CPU(s) could not be parked; their per-CPU caches are lost in "
			   "the child",
			   leaked);
}

static const struct kmm_fork_ops percpu_fork_ops[] = {
	{KMM_FORK_CPUS, percpu_fork_prepare, percpu_fork_copied, percpu_fork_parent,
	 percpu_fork_child},
};

const struct kmm_subsys kmm_percpu_subsys = {
	.name = "percpu",
	.init = percpu_init,
	.exit = percpu_exit,
	KMM_SUBSYS_FORK(percpu_fork_ops),
};
