/* SPDX-License-Identifier: MIT */
/* <linux/percpu.h>: the kernel's spelling of <kmm/percpu.h> and <kmm/percpu_alloc.h>. */
#ifndef KMM_LINUX_PERCPU_H
#define KMM_LINUX_PERCPU_H

#include <kmm/percpu.h>
#include <kmm/percpu_alloc.h>
#include "mmzone.h"

#endif /* KMM_LINUX_PERCPU_H */
