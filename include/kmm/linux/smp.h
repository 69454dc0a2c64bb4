/* SPDX-License-Identifier: MIT */
/* <linux/smp.h>: the kernel's spelling of <kmm/smp.h>. */
#ifndef KMM_LINUX_SMP_H
#define KMM_LINUX_SMP_H

#include <kmm/smp.h>

#endif /* KMM_LINUX_SMP_H */
