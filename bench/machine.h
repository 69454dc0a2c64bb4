/* SPDX-License-Identifier: MIT */
/*
 * bench/machine.h - the machine libkmm's benchmarks run on: mem=1G, booted by
 * the first benchmark's setup and kept for the rest of the run.
 */
#ifndef KMM_BENCH_MACHINE_H
#define KMM_BENCH_MACHINE_H

#include <stdio.h>
#include <stdlib.h>

#include <kmm/kmm.h>

/* bench_boot_1g - boot the benchmarks' machine unless it runs; exit if it cannot. */
static inline void bench_boot_1g(const char *prog)
{
	int err;

	if (kmm_booted())
		return;
	err = kmm_init("mem=1G");
	if (err) {
		fprintf(stderr, "%s: kmm_init(\"mem=1G\"): %d\n", prog, err);
		exit(1);
	}
}

#endif /* KMM_BENCH_MACHINE_H */
