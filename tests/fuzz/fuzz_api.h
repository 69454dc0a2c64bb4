/* SPDX-License-Identifier: MIT */
/*
 * fuzz_api.h - the entry points of the fuzz harness (fuzz_api.c), as libFuzzer
 * calls them, for replay.c's main() to call the same way.
 */
#ifndef KMM_FUZZ_API_H
#define KMM_FUZZ_API_H

#include <stddef.h>
#include <stdint.h>

/*
 * Once, before the first input: probes the build, reads FUZZ_WINDOW and
 * FUZZ_VERBOSE, sets up the capture of libkmm's output, and has the exit run
 * the full check of the last window.
 */
int LLVMFuzzerInitialize(int *argc, char ***argv);
/* Run one input (a program of operations); aborts on any failure.  Returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* KMM_FUZZ_API_H */
