/* SPDX-License-Identifier: MIT */
/*
 * flag_names.h - the flag and constant names whose values libkmm shares with
 * the packaged kernel, as an X-macro list: dump.c prints the kernel's values,
 * check.c asserts libkmm's equal them.
 */
#define KMM_KERNEL_GFP_NAMES(X)                                                                    \
	X(___GFP_DMA)                                                                              \
	X(___GFP_HIGHMEM)                                                                          \
	X(___GFP_DMA32)                                                                            \
	X(___GFP_MOVABLE)                                                                          \
	X(___GFP_RECLAIMABLE)                                                                      \
	X(___GFP_HIGH)                                                                             \
	X(___GFP_IO)                                                                               \
	X(___GFP_FS)                                                                               \
	X(___GFP_ZERO)                                                                             \
	X(___GFP_DIRECT_RECLAIM)                                                                   \
	X(___GFP_KSWAPD_RECLAIM)                                                                   \
	X(___GFP_WRITE)                                                                            \
	X(___GFP_NOWARN)                                                                           \
	X(___GFP_RETRY_MAYFAIL)                                                                    \
	X(___GFP_NOFAIL)                                                                           \
	X(___GFP_NORETRY)                                                                          \
	X(___GFP_MEMALLOC)                                                                         \
	X(___GFP_COMP)                                                                             \
	X(___GFP_NOMEMALLOC)                                                                       \
	X(___GFP_HARDWALL)                                                                         \
	X(___GFP_THISNODE)                                                                         \
	X(___GFP_ACCOUNT)                                                                          \
	X(___GFP_ZEROTAGS)                                                                         \
	X(___GFP_SKIP_ZERO)                                                                        \
	X(___GFP_SKIP_KASAN)                                                                       \
	X(___GFP_NOLOCKDEP)                                                                        \
	X(___GFP_NO_OBJ_EXT)                                                                       \
	X(___GFP_LAST_BIT)                                                                         \
	X(__GFP_BITS_SHIFT)                                                                        \
	X(__GFP_BITS_MASK)                                                                         \
	X(GFP_ZONEMASK)                                                                            \
	X(__GFP_RECLAIM)                                                                           \
	X(GFP_ATOMIC)                                                                              \
	X(GFP_KERNEL)                                                                              \
	X(GFP_KERNEL_ACCOUNT)                                                                      \
	X(GFP_NOWAIT)                                                                              \
	X(GFP_NOIO)                                                                                \
	X(GFP_NOFS)                                                                                \
	X(GFP_USER)                                                                                \
	X(GFP_DMA)                                                                                 \
	X(GFP_DMA32)                                                                               \
	X(GFP_HIGHUSER)                                                                            \
	X(GFP_HIGHUSER_MOVABLE)                                                                    \
	X(GFP_TRANSHUGE_LIGHT)                                                                     \
	X(GFP_TRANSHUGE)

#define KMM_KERNEL_SLAB_NAMES(X)                                                                   \
	X(SLAB_CONSISTENCY_CHECKS)                                                                 \
	X(SLAB_RED_ZONE)                                                                           \
	X(SLAB_POISON)                                                                             \
	X(SLAB_KMALLOC)                                                                            \
	X(SLAB_HWCACHE_ALIGN)                                                                      \
	X(SLAB_CACHE_DMA)                                                                          \
	X(SLAB_CACHE_DMA32)                                                                        \
	X(SLAB_STORE_USER)                                                                         \
	X(SLAB_PANIC)                                                                              \
	X(SLAB_TYPESAFE_BY_RCU)                                                                    \
	X(SLAB_TRACE)                                                                              \
	X(SLAB_DEBUG_OBJECTS)                                                                      \
	X(SLAB_NOLEAKTRACE)                                                                        \
	X(SLAB_NO_MERGE)                                                                           \
	X(SLAB_FAILSLAB)                                                                           \
	X(SLAB_ACCOUNT)                                                                            \
	X(SLAB_KASAN)                                                                              \
	X(SLAB_NO_USER_FLAGS)                                                                      \
	X(SLAB_SKIP_KFENCE)                                                                        \
	X(SLAB_RECLAIM_ACCOUNT)                                                                    \
	X(SLAB_TEMPORARY)                                                                          \
	X(SLAB_NO_OBJ_EXT)

#define KMM_KERNEL_MMZONE_NAMES(X)                                                                 \
	X(MAX_PAGE_ORDER)                                                                          \
	X(MAX_ORDER_NR_PAGES)                                                                      \
	X(NR_PAGE_ORDERS)
