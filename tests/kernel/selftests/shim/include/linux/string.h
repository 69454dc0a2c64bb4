/* SPDX-License-Identifier: MIT */
/* <linux/string.h> for the kernel's self-tests: the C library's <string.h>. */
#ifndef KMM_SHIM_LINUX_STRING_H
#define KMM_SHIM_LINUX_STRING_H

#include <string.h>

#endif /* KMM_SHIM_LINUX_STRING_H */
