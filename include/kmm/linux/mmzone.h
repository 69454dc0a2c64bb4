/* SPDX-License-Identifier: MIT */
/* <linux/mmzone.h>: the kernel's spelling of <kmm/mmzone.h>. */
#ifndef KMM_LINUX_MMZONE_H
#define KMM_LINUX_MMZONE_H

#include <kmm/mmzone.h>

#endif /* KMM_LINUX_MMZONE_H */
