/* SPDX-License-Identifier: MIT */
/* <linux/mm.h>: the kernel's spelling of <kmm/mm.h>. */
#ifndef KMM_LINUX_MM_H
#define KMM_LINUX_MM_H

#include <kmm/mm.h>

#endif /* KMM_LINUX_MM_H */
