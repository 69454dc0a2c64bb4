/* SPDX-License-Identifier: MIT */
/*
 * bench/empty_loop.h - the loop of every counted pattern with no pair in it:
 * the overhead per iteration that instruction counts subtract (instr.h's
 * callgrind counts, tests/fastpath/'s counts from the disassembly).
 */
#ifndef KMM_BENCH_EMPTY_LOOP_H
#define KMM_BENCH_EMPTY_LOOP_H

#include "shim.h"

static __attribute__((noinline)) int empty_loop(void *arg, long n)
{
	(void)arg;
	for (long i = 0; i < n; i++)
		kmm_bench_clobber_memory();
	return 0;
}

#endif /* KMM_BENCH_EMPTY_LOOP_H */
