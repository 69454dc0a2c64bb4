/* SPDX-License-Identifier: MIT */
/* <linux/pgtable.h>: the kernel's spelling of <kmm/pgtable.h>. */
#ifndef KMM_LINUX_PGTABLE_H
#define KMM_LINUX_PGTABLE_H

#include <kmm/pgtable.h>

#endif /* KMM_LINUX_PGTABLE_H */
