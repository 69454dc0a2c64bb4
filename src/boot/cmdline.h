/* SPDX-License-Identifier: MIT */
/*
 * boot/cmdline.h - the kernel-style command line.
 *
 * Every parameter is declared by the subsystem that owns its variable, in its
 * struct kmm_subsys (boot/subsys.h); this parser knows none of them by name.
 * No locking: parsing happens in kmm_init() under the boot lock, before the
 * machine runs, and the variables are only read afterwards.
 */
#ifndef KMM_BOOT_CMDLINE_H
#define KMM_BOOT_CMDLINE_H

#include <stdbool.h>
#include <stdio.h>

/*
 * kmm_parse_cmdline - every parameter to its default, then @cmdline's words
 * into their owners' variables.  The word "help" prints every parameter
 * (kmm_print_params()) to stdout.  Return: 0, or -EINVAL after a one-line
 * report naming the malformed parameter.  Unknown parameters are reported
 * and ignored.
 */
int kmm_parse_cmdline(const char *cmdline);

/* kmm_print_params - every subsystem's parameters: name, values, default and what it does. */
void kmm_print_params(FILE *out);

/* kmm_memparse - the kernel's memparse(): a number with an optional K/M/G/T/P/E suffix. */
bool kmm_memparse(const char *s, unsigned long long *out);

#endif /* KMM_BOOT_CMDLINE_H */
