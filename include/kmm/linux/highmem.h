/* SPDX-License-Identifier: MIT */
/* <linux/highmem.h>: the kernel's spelling of <kmm/highmem.h>. */
#ifndef KMM_LINUX_HIGHMEM_H
#define KMM_LINUX_HIGHMEM_H

#include <kmm/highmem.h>
#include "pgtable.h"

#endif /* KMM_LINUX_HIGHMEM_H */
