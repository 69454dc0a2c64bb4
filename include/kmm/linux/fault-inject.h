/* SPDX-License-Identifier: MIT */
/* <linux/fault-inject.h>: the kernel's spelling of <kmm/fault-inject.h>. */
#ifndef KMM_LINUX_FAULT_INJECT_H
#define KMM_LINUX_FAULT_INJECT_H

#include <kmm/fault-inject.h>

#endif /* KMM_LINUX_FAULT_INJECT_H */
