/* SPDX-License-Identifier: MIT */
/* <linux/mm_types.h>: the kernel's spelling of <kmm/mm_types.h>. */
#ifndef KMM_LINUX_MM_TYPES_H
#define KMM_LINUX_MM_TYPES_H

#include <kmm/mm_types.h>

#endif /* KMM_LINUX_MM_TYPES_H */
