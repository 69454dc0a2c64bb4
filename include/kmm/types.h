/* SPDX-License-Identifier: MIT */
/*
 * kmm/types.h - the few basic types and helpers every libkmm header uses.
 *
 * Kernel spellings (gfp_t, phys_addr_t, struct list_head) are defined here once;
 * compiler helpers carry a kmm_ prefix so that including a libkmm header never
 * redefines a macro of the including program.  <linux/compiler.h> gives the
 * kernel's unprefixed spellings to code that wants them.
 */
#ifndef KMM_TYPES_H
#define KMM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Declarations between KMM_BEGIN_DECLS and KMM_END_DECLS are the public API:
 * C linkage, and exported from the shared library (everything else in libkmm
 * is built with hidden visibility).
 */
#ifdef __cplusplus
#define KMM_BEGIN_DECLS                                                                            \
	extern "C" {                                                                               \
	_Pragma("GCC visibility push(default)")
#define KMM_END_DECLS                                                                              \
	_Pragma("GCC visibility pop")                                                              \
	}
#else
#define KMM_BEGIN_DECLS _Pragma("GCC visibility push(default)")
#define KMM_END_DECLS	_Pragma("GCC visibility pop")
#endif

#define kmm_likely(x)			    __builtin_expect(!!(x), 1)
#define kmm_unlikely(x)			    __builtin_expect(!!(x), 0)
#define kmm_always_inline		    inline __attribute__((always_inline))
#define kmm_container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))
#define kmm_format(a, b)		    __attribute__((format(printf, a, b)))

/* KMM_ASAN: this file is being built with AddressSanitizer (gcc or clang). */
#if defined(__SANITIZE_ADDRESS__)
#define KMM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KMM_ASAN 1
#endif
#endif

/*
 * alloc_hooks - the kernel's allocation profiling wrapper (<linux/alloc_tag.h>,
 * 6.10 on): each allocation macro there is alloc_hooks(<call>_noprof(...)).
 * libkmm profiles nothing, so it is the call itself, and every *_noprof
 * spelling in these headers names the plain call.
 */
#ifndef alloc_hooks
#define alloc_hooks(_do_alloc) (_do_alloc)
#endif

/* Allocation flags: the kernel's __GFP_* bits, see <kmm/gfp.h>. */
typedef unsigned int gfp_t;
/* A physical address in the emulated machine (0 is the first byte of its memory). */
typedef uint64_t phys_addr_t;

/*
 * The lock of a zone, of a slab cache's node and of a CPU: a futex word
 * (0 free, 1 held, 2 held with a thread waiting), taken with one inline
 * compare-and-swap when free.  Its operations are the library's own.
 */
typedef struct {
	int state;
} kmm_lock_t;

/*
 * The kernel's intrusive doubly linked list; <kmm/list.h> has its operations.
 * The kernel's <linux/types.h> and the tools' one (tools/include) define the
 * same struct: code that includes one of them first keeps its definition
 * (told apart from the system's uapi <linux/types.h>, which has the same
 * guard but no list, by DECLARE_BITMAP).
 */
#if !(defined(_LINUX_TYPES_H) && defined(DECLARE_BITMAP)) && !defined(_TOOLS_LINUX_TYPES_H_)
struct list_head {
	struct list_head *next; /* next entry, or the head itself at the end */
	struct list_head *prev; /* previous entry, or the head itself at the start */
};
#endif

#endif /* KMM_TYPES_H */
