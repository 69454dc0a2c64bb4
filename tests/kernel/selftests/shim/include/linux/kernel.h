/* SPDX-License-Identifier: MIT */
/*
 * <linux/kernel.h> for the kernel's self-tests: the kernel's everyday macros
 * (WARN_ON, min/max/clamp, swap, fls, do_div, IS_ENABLED, error pointers),
 * printk, atomic_t and time, on the C library.  Nothing here allocates.
 */
#ifndef KMM_SHIM_LINUX_KERNEL_H
#define KMM_SHIM_LINUX_KERNEL_H

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/atomic.h>
#include <linux/compiler.h>
#include <linux/init.h>
#include <linux/printk.h>
#include <linux/timex.h>
#include <linux/types.h>

#ifndef KBUILD_MODNAME
#define KBUILD_MODNAME "kmm_selftest"
#endif

#define __force
#define __user
#define __iomem
#define __percpu
#define __maybe_unused __attribute__((unused))
#ifndef noinline
#define noinline __attribute__((noinline))
#endif
#define __printf(a, b) __attribute__((format(printf, a, b)))

#define BITS_PER_LONG		(8 * (int)sizeof(long))
#define BITS_PER_LONG_LONG	64
/* x86-64's THREAD_SIZE (16 KiB stacks): vmalloc'ed stacks are aligned to it. */
#define THREAD_ALIGN		(4UL * 4096)
#define IS_ALIGNED(x, a)	(((x) & ((__typeof__(x))(a)-1)) == 0)
#define DIV_ROUND_UP(n, d)	(((n) + (d)-1) / (d))
#define OPTIMIZER_HIDE_VAR(var) __asm__("" : "=r"(var) : "0"(var))

/* IS_ENABLED(CONFIG_X): 1 when CONFIG_X is defined to 1, as the kernel's Kconfig macros. */
#define __kmm_arg_placeholder_1			 0,
#define __kmm_take_second_arg(ignored, val, ...) val
#define __kmm_is_defined(x)			 ___kmm_is_defined(x)
#define ___kmm_is_defined(val)			 ____kmm_is_defined(__kmm_arg_placeholder_##val)
#define ____kmm_is_defined(arg1_or_junk)	 __kmm_take_second_arg(arg1_or_junk 1, 0)
#define IS_BUILTIN(option)			 __kmm_is_defined(option)
#define IS_MODULE(option)			 __kmm_is_defined(option##_MODULE)
#define IS_ENABLED(option)			 (IS_BUILTIN(option) || IS_MODULE(option))

/* WARN_ON - print where @cond held and go on; the value of @cond, as the kernel's. */
#define WARN_ON(cond)                                                                              \
	({                                                                                         \
		int __kmm_warned = !!(cond);                                                       \
		if (__kmm_warned)                                                                  \
			printk("WARNING: %s:%d %s: %s\n", __FILE__, __LINE__, __func__, #cond);    \
		__kmm_warned;                                                                      \
	})
#define WARN_ON_ONCE(cond) WARN_ON(cond)
#define WARN(cond, fmt, ...)                                                                       \
	({                                                                                         \
		int __kmm_warned = !!(cond);                                                       \
		if (__kmm_warned)                                                                  \
			printk("WARNING: %s:%d: " fmt, __FILE__, __LINE__, ##__VA_ARGS__);         \
		__kmm_warned;                                                                      \
	})
#define BUG_ON(cond)                                                                               \
	do {                                                                                       \
		if (cond) {                                                                        \
			printk("kernel BUG at %s:%d: %s\n", __FILE__, __LINE__, #cond);            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)
#define BUG() BUG_ON(1)

#define min(a, b)                                                                                  \
	({                                                                                         \
		__typeof__(a) __kmm_a = (a);                                                       \
		__typeof__(b) __kmm_b = (b);                                                       \
		__kmm_a < __kmm_b ? __kmm_a : __kmm_b;                                             \
	})
#define max(a, b)                                                                                  \
	({                                                                                         \
		__typeof__(a) __kmm_a = (a);                                                       \
		__typeof__(b) __kmm_b = (b);                                                       \
		__kmm_a > __kmm_b ? __kmm_a : __kmm_b;                                             \
	})
#define min_t(type, a, b)	   min((type)(a), (type)(b))
#define max_t(type, a, b)	   max((type)(a), (type)(b))
#define clamp(val, lo, hi)	   min(max(val, lo), hi)
#define clamp_t(type, val, lo, hi) clamp((type)(val), (type)(lo), (type)(hi))
#define swap(a, b)                                                                                 \
	do {                                                                                       \
		__typeof__(a) __kmm_tmp = (a);                                                     \
		(a) = (b);                                                                         \
		(b) = __kmm_tmp;                                                                   \
	} while (0)

/* fls - the position of the last (most significant) set bit, 1-based; 0 for 0. */
static inline int fls(unsigned int x)
{
	return x ? 32 - __builtin_clz(x) : 0;
}

static inline int fls64(u64 x)
{
	return x ? 64 - __builtin_clzll(x) : 0;
}

/* do_div - divide the u64 @n by @base in place; the remainder is the value. */
#define do_div(n, base)                                                                            \
	({                                                                                         \
		u32 __kmm_base = (base);                                                           \
		u32 __kmm_rem = (u32)((n) % __kmm_base);                                           \
		(n) /= __kmm_base;                                                                 \
		__kmm_rem;                                                                         \
	})

/* Error pointers: the top 4095 addresses are -errno. */
#define MAX_ERRNO	4095
#define IS_ERR_VALUE(x) ((unsigned long)(void *)(x) >= (unsigned long)-MAX_ERRNO)
static inline void *ERR_PTR(long error)
{
	return (void *)error;
}

static inline long PTR_ERR(const void *ptr)
{
	return (long)ptr;
}

static inline bool IS_ERR(const void *ptr)
{
	return IS_ERR_VALUE(ptr);
}

static inline bool IS_ERR_OR_NULL(const void *ptr)
{
	return !ptr || IS_ERR_VALUE(ptr);
}

#endif /* KMM_SHIM_LINUX_KERNEL_H */
