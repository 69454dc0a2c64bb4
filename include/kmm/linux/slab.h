/* SPDX-License-Identifier: MIT */
/* <linux/slab.h>: the kernel's spelling of <kmm/slab.h>, with kvmalloc() (<kmm/vmalloc.h>). */
#ifndef KMM_LINUX_SLAB_H
#define KMM_LINUX_SLAB_H

#include <kmm/slab.h>
#include <kmm/vmalloc.h>

#endif /* KMM_LINUX_SLAB_H */
