/* SPDX-License-Identifier: MIT */
/*
 * <linux/pgtable.h>: the kernel's spelling of <kmm/pgtable.h>, with the
 * kernel's names of the kernel page table and the vmalloc area's start (libkmm
 * exports them with a kmm_ prefix).
 */
#ifndef KMM_LINUX_PGTABLE_H
#define KMM_LINUX_PGTABLE_H

#include <kmm/pgtable.h>
#include "mm.h"

#define init_mm	       kmm_init_mm
#define swapper_pg_dir kmm_swapper_pg_dir
#define vmalloc_base   kmm_vmalloc_base

#endif /* KMM_LINUX_PGTABLE_H */
