/* SPDX-License-Identifier: MIT */
/* <linux/list_lru.h>: the kernel's spelling of <kmm/list_lru.h>. */
#ifndef KMM_LINUX_LIST_LRU_H
#define KMM_LINUX_LIST_LRU_H

#include <kmm/list_lru.h>
#include "mmzone.h"

#endif /* KMM_LINUX_LIST_LRU_H */
