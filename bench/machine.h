/* SPDX-License-Identifier: MIT */
/*
 * bench/machine.h - the machine libkmm's benchmarks run on: mem=1G, booted by
 * the first benchmark's setup and kept for the rest of the run.  Parameters
 * in KMM_CMDLINE are added, to measure what debugging costs, e.g.
 * KMM_CMDLINE="slub_debug=FZPU" build/release/bench/bench_slab.
 */
#ifndef KMM_BENCH_MACHINE_H
#define KMM_BENCH_MACHINE_H

#include <stdio.h>
#include <stdlib.h>

#include <kmm/kmm.h>

/* bench_boot_1g - boot the benchmarks' machine unless it runs; exit if it cannot. */
static inline void bench_boot_1g(const char *prog)
{
	const char *extra = getenv("KMM_CMDLINE");
	char cmdline[512];
	int err;

	if (kmm_booted())
		return;
	snprintf(cmdline, sizeof(cmdline), "mem=1G %s", extra ? extra : "");
	err = kmm_init(cmdline);
	if (err) {
		fprintf(stderr, "%s: kmm_init(\"%s\"): %d\n", prog, cmdline, err);
		exit(1);
	}
}

#endif /* KMM_BENCH_MACHINE_H */
