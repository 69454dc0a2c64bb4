/* SPDX-License-Identifier: MIT */
/*
 * <linux/slab.h>: the kernel's spelling of <kmm/slab.h>, with kvmalloc()
 * (<linux/vmalloc.h>) and the kernel's names of the kmalloc tables (libkmm
 * exports them with a kmm_ prefix).
 */
#ifndef KMM_LINUX_SLAB_H
#define KMM_LINUX_SLAB_H

#include <kmm/slab.h>
#include "mm.h"
#include "vmalloc.h"

#define kmalloc_caches	   kmm_kmalloc_caches
#define kmalloc_info	   kmm_kmalloc_info
#define kmalloc_size_index kmm_kmalloc_size_index

#endif /* KMM_LINUX_SLAB_H */
