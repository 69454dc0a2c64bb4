/* SPDX-License-Identifier: MIT */
/*
 * kmm/percpu.h - which CPU's caches the inline fast paths may use, and the
 * restartable sequences they run in.
 *
 * CPUs are the host's (<kmm/smp.h>).  A slab fast path on host CPU h uses
 * the arrays of CPU kmm_cpu_fast[h] / KMM_CPU_FAST_STRIDE - 1, inside a restartable sequence
 * (rseq(2), registered for every thread by glibc 2.35 and later): the
 * sequence reads the thread's CPU from its rseq area, finds the array, and
 * commits with one store; if the thread is preempted, migrated or signalled
 * before that store, the kernel restarts it from the top.  So no lock and no
 * atomic instruction is needed, and no other thread on that CPU can be in
 * the middle of the same array.
 *
 * kmm_cpu_fast[h] is 0 when the fast paths on h must not touch any array:
 * before boot, for a host CPU beyond the machine's, when rseq is not there
 * (Valgrind, GLIBC_TUNABLES=glibc.pthread.rseq=0, an old kernel: every
 * call then takes the locked slow path), and while some thread holds that
 * CPU (percpu/percpu.h).  Index 0 of every cache's cpu_array[] is an empty
 * array of limit 0, so a fast path that meets 0 falls to the slow path
 * without a test of its own.  A thread that takes a CPU over from elsewhere
 * stores 0 and then aborts every sequence in flight there with
 * membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ).
 *
 * This header is for libkmm's inline fast paths; a program has no business
 * here beyond smp_processor_id().
 */
#ifndef KMM_PERCPU_PUBLIC_H
#define KMM_PERCPU_PUBLIC_H

#include <stdint.h>
#include <sys/rseq.h>
#include <kmm/smp.h>
#include <kmm/types.h>

KMM_BEGIN_DECLS

/*
 * Host CPU ids kmm_cpu_fast[] covers: x86-64 Linux's largest CONFIG_NR_CPUS,
 * so the id the rseq area gives is always in range and the fast paths need
 * no bound check.
 */
#define KMM_MAX_HOST_CPUS 8192

/*
 * By host CPU: (1 + the CPU whose caches the fast paths there use) *
 * KMM_CPU_FAST_STRIDE, or 0 (see above): the byte offset of that CPU's
 * array from the first of a cache's cpu_array[] (<kmm/slab.h>), one cache
 * line each.
 */
#define KMM_CPU_FAST_STRIDE 64
extern uint32_t kmm_cpu_fast[KMM_MAX_HOST_CPUS];

#if defined(__x86_64__) && !defined(KMM_NO_RSEQ)
/*
 * KMM_RSEQ_ENTER(off, tmp) - the assembly that opens a restartable sequence:
 * its descriptor (start at label 1, commit done at label 2, abort at label 4,
 * after the signature the kernel checks), and the store of the descriptor's
 * address into the thread's rseq area (%fs:off + 8).  An abort jumps back to
 * label 0, before that store, since the kernel clears it on abort.  @off
 * and @tmp name the asm operands holding __rseq_offset and a scratch
 * register; the sequence itself follows, and ends with its commit and "2:".
 */
#define KMM_RSEQ_SIG 0x53053053
#define KMM_RSEQ_ENTER(off, tmp)                                                                   \
	".pushsection __rseq_cs, \"aw\"\n\t"                                                       \
	".balign 32\n\t"                                                                           \
	"3:\n\t"                                                                                   \
	".long 0, 0\n\t"                                                                           \
	".quad 1f, 2f - 1f, 4f\n\t"                                                                \
	".popsection\n\t"                                                                          \
	".pushsection __rseq_failure, \"ax\"\n\t"                                                  \
	".byte 0x0f, 0xb9, 0x3d\n\t"                                                               \
	".long 0x53053053\n\t"                                                                     \
	"4:\n\t"                                                                                   \
	"jmp 0f\n\t"                                                                               \
	".popsection\n\t"                                                                          \
	"0:\n\t"                                                                                   \
	"leaq 3b(%%rip), %" tmp "\n\t"                                                             \
	"movq %" tmp ", %%fs:8(%" off ")\n\t"                                                      \
	"1:\n\t"

/*
 * KMM_RSEQ_CPU_INDEX(off, idx) - in a sequence: @idx (a 64-bit register
 * operand) = kmm_cpu_fast[the thread's CPU], with the table's address in
 * operand "tab".
 */
#define KMM_RSEQ_CPU_INDEX(off, idx)                                                               \
	"movl %%fs:(%" off "), %k" idx "\n\t"                                                      \
	"movl (%[tab], %" idx ", 4), %k" idx "\n\t"
#define KMM_HAVE_RSEQ 1
#endif

KMM_END_DECLS

#endif /* KMM_PERCPU_PUBLIC_H */
