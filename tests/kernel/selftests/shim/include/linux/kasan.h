/* SPDX-License-Identifier: MIT */
/*
 * <linux/kasan.h> for the kernel's self-tests: KASAN's per-task switch has no
 * counterpart under AddressSanitizer, which cannot be told to ignore one
 * thread's accesses; the calls do nothing.
 */
#ifndef KMM_SHIM_LINUX_KASAN_H
#define KMM_SHIM_LINUX_KASAN_H

static inline void kasan_disable_current(void)
{
}

static inline void kasan_enable_current(void)
{
}

#endif /* KMM_SHIM_LINUX_KASAN_H */
