/* SPDX-License-Identifier: MIT */
/*
 * <linux/mm.h>: the kernel's spelling of <kmm/mm.h>, with the kernel's names of
 * the memmap and the pfn limits (libkmm exports them with a kmm_ prefix).
 */
#ifndef KMM_LINUX_MM_H
#define KMM_LINUX_MM_H

#include <kmm/mm.h>
#include "mmzone.h"

#define vmemmap	    kmm_vmemmap
#define max_pfn	    kmm_max_pfn
#define max_low_pfn kmm_max_low_pfn

#endif /* KMM_LINUX_MM_H */
