/* SPDX-License-Identifier: MIT */
/* <linux/list.h>: the kernel's spelling of <kmm/list.h>. */
#ifndef KMM_LINUX_LIST_H
#define KMM_LINUX_LIST_H

#include <kmm/list.h>

#endif /* KMM_LINUX_LIST_H */
