/* SPDX-License-Identifier: MIT */
/*
 * check.c - libkmm's GFP flags, SLAB_* flags and page orders equal the
 * packaged kernel's, checked at compile time: this file does not build when
 * one differs.  Run, it says how many values it checked.
 */
#include <stdio.h>
#include <kmm/slab.h>

#include "kernel_flags.h"
#include "flag_names.h"

#define SAME(name)                                                                                 \
	_Static_assert((unsigned long)(name) == (unsigned long)KERNEL_##name,                      \
		       #name " differs from the packaged kernel's");
KMM_KERNEL_GFP_NAMES(SAME)
KMM_KERNEL_SLAB_NAMES(SAME)
KMM_KERNEL_MMZONE_NAMES(SAME)

#define COUNT(name) +1
int main(void)
{
	printf("%d flag and constant values equal the packaged kernel's\n",
	       0 KMM_KERNEL_GFP_NAMES(COUNT) KMM_KERNEL_SLAB_NAMES(COUNT)
		       KMM_KERNEL_MMZONE_NAMES(COUNT));
	return 0;
}
