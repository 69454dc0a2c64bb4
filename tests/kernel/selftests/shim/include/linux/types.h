/* SPDX-License-Identifier: MIT */
/*
 * <linux/types.h> for the kernel's self-tests: the kernel's fixed-width
 * integer names (the __u8 family and the __kernel_* types are the system's,
 * which the system's <linux/sysinfo.h> needs).  Once libkmm has its own <linux/types.h> (the build defines
 * KMM_HAVE_LINUX_TYPES_H), that one is used instead.
 */
#ifndef KMM_SHIM_LINUX_TYPES_H
#define KMM_SHIM_LINUX_TYPES_H

#ifdef KMM_HAVE_LINUX_TYPES_H
#include_next <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <asm/types.h>
#include <linux/posix_types.h>
#include <kmm/types.h>

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed char s8;
typedef short s16;
typedef int s32;
typedef long long s64;
#endif

#endif /* KMM_SHIM_LINUX_TYPES_H */
