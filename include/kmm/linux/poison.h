/* SPDX-License-Identifier: MIT */
/* <linux/poison.h>: the kernel's spelling of <kmm/poison.h>. */
#ifndef KMM_LINUX_POISON_H
#define KMM_LINUX_POISON_H

#include <kmm/poison.h>

#endif /* KMM_LINUX_POISON_H */
