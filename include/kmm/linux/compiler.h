/* SPDX-License-Identifier: MIT */
/* <linux/compiler.h>: the kernel's unprefixed compiler helpers, for ported code. */
#ifndef KMM_LINUX_COMPILER_H
#define KMM_LINUX_COMPILER_H

#include <kmm/types.h>

#ifndef likely
#define likely(x) kmm_likely(x)
#endif
#ifndef unlikely
#define unlikely(x) kmm_unlikely(x)
#endif
#ifndef __always_inline
#define __always_inline kmm_always_inline
#endif
#ifndef container_of
#define container_of(ptr, type, member) kmm_container_of(ptr, type, member)
#endif
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#ifndef READ_ONCE
#define READ_ONCE(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#endif
#ifndef WRITE_ONCE
#define WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#endif
#ifndef barrier
#define barrier() __asm__ __volatile__("" ::: "memory")
#endif

#endif /* KMM_LINUX_COMPILER_H */
