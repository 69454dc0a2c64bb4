/* SPDX-License-Identifier: MIT */
/* <linux/shrinker.h>: the kernel's spelling of <kmm/shrinker.h>. */
#ifndef KMM_LINUX_SHRINKER_H
#define KMM_LINUX_SHRINKER_H

#include <kmm/shrinker.h>

#endif /* KMM_LINUX_SHRINKER_H */
