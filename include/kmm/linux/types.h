/* SPDX-License-Identifier: MIT */
/*
 * <linux/types.h>: the kernel's fixed-width types (u8 .. u64, s8 .. s64, on
 * the system's __u8 .. __s64), with libkmm's gfp_t, phys_addr_t and struct
 * list_head (<kmm/types.h>).  Only types: no general kernel environment.
 *
 * With this folder on the include path, the system's headers that include
 * <linux/types.h> (the uapi one: __le32, __kernel_*, ...) get this file, so it
 * includes the system's too.
 */
#ifndef KMM_LINUX_TYPES_H
#define KMM_LINUX_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include_next <linux/types.h>
#include <kmm/types.h>

/* As the kernel's: u64 is unsigned long long (print it with %llu), on the system's __u64. */
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s8 s8;
typedef __s16 s16;
typedef __s32 s32;
typedef __s64 s64;
typedef phys_addr_t resource_size_t;
typedef unsigned long pgoff_t;

#endif /* KMM_LINUX_TYPES_H */
