/* SPDX-License-Identifier: MIT */
/*
 * bench/instr.h - what instr.c (libkmm) and instr_peer.c (the malloc peers)
 * share: the sizes, the empty loop, and counting one pattern under callgrind.
 *
 * A pattern is a noinline function running @n hot pairs, given an argument
 * (a cache, a size).  instr_measure() runs it WARMUP times uncounted (the
 * first allocations fill the caches), then @n times between two callgrind
 * client requests that switch collection on and off, and dumps the counts
 * under the pattern's name (run callgrind with --collect-atstart=no).
 * Outside valgrind the requests do nothing.  Prints "<name> <n>".
 */
#ifndef KMM_BENCH_INSTR_H
#define KMM_BENCH_INSTR_H

#include <stdio.h>
#include <stdlib.h>

#include <valgrind/callgrind.h>

#include "empty_loop.h"
#include "shim.h"

#define WARMUP 10000

static const unsigned int sizes[] = {16, 64, 256, 1024};
#define NR_SIZES (sizeof(sizes) / sizeof(sizes[0]))

typedef int (*instr_pattern)(void *arg, long n);

/* instr_measure - warm @fn up, then count its instructions over @n pairs as @name. */
static inline void instr_measure(const char *prog, const char *name, instr_pattern fn, void *arg,
				 long n)
{
	int err;

	if (fn(arg, WARMUP)) {
		fprintf(stderr, "%s: %s: allocation failed\n", prog, name);
		exit(1);
	}
	CALLGRIND_TOGGLE_COLLECT;
	err = fn(arg, n);
	CALLGRIND_TOGGLE_COLLECT;
	CALLGRIND_DUMP_STATS_AT(name);
	if (err) {
		fprintf(stderr, "%s: %s: allocation failed\n", prog, name);
		exit(1);
	}
	printf("%s %ld\n", name, n);
}

#endif /* KMM_BENCH_INSTR_H */
