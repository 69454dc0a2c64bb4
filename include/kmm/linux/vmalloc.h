/* SPDX-License-Identifier: MIT */
/* <linux/vmalloc.h>: the kernel's spelling of <kmm/vmalloc.h>. */
#ifndef KMM_LINUX_VMALLOC_H
#define KMM_LINUX_VMALLOC_H

#include <kmm/vmalloc.h>
#include "pgtable.h"
#include "slab.h"

#endif /* KMM_LINUX_VMALLOC_H */
