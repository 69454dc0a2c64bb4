/* SPDX-License-Identifier: MIT */
/* <linux/topology.h>: the kernel's spelling of <kmm/smp.h>. */
#ifndef KMM_LINUX_TOPOLOGY_H
#define KMM_LINUX_TOPOLOGY_H

#include <kmm/smp.h>

#endif /* KMM_LINUX_TOPOLOGY_H */
