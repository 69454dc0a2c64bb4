/* SPDX-License-Identifier: MIT */
/* <linux/gfp.h>: the kernel's spelling of <kmm/gfp.h>. */
#ifndef KMM_LINUX_GFP_H
#define KMM_LINUX_GFP_H

#include <kmm/gfp.h>

#endif /* KMM_LINUX_GFP_H */
