/* SPDX-License-Identifier: MIT */
/*
 * kmalloc/export.c - the out-of-line versions, under the kernel's names, of
 * every allocation call that <kmm/slab.h>, <kmm/kmalloc.h> and <kmm/vmalloc.h>
 * make inline: kmem_cache_alloc(), kmem_cache_free(), kmalloc(), kfree(),
 * kvmalloc(), ...
 *
 * Code compiled against other headers (a kernel test harness's own
 * tools/include, or libkmm's with KMM_NO_INLINE) calls these; each runs the
 * same inline fast path as a caller of libkmm's headers.  They are weak: a
 * program may define any of these names itself (the kernel's userspace test
 * harnesses do) and call libkmm's __kmem_cache_alloc(), __kmalloc(), ... from
 * there; libkmm's own code never calls these names (libkmm.so is linked with
 * -Bsymbolic-functions, so its calls between its functions never leave it).
 *
 * Each definition takes its exported name from an asm label, so that the C
 * name of the inline call stays the header's.
 *
 * Locking: none of its own; each call's rules are the inline call's.
 */
#include <stdio.h>
#include <kmm/slab.h>
#include <kmm/vmalloc.h>
#include "slab/slab.h"

#define kmm_export(name) __asm__(#name) __attribute__((weak, visibility("default")))

/*
 * <kmm/slab.h>: the fast paths through slab_alloc_outline()/slab_free_outline(),
 * which poison for ASan through its runtime, so that a program built with ASan
 * gets usable objects and poisoned frees from a libkmm built without it.
 */
#define CALLER ((unsigned long)__builtin_return_address(0))

void *export_kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp) kmm_export(kmem_cache_alloc);
void *export_kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp)
{
	return slab_alloc_outline(s, gfp, CALLER);
}

void *export_kmem_cache_zalloc(struct kmem_cache *s, gfp_t gfp) kmm_export(kmem_cache_zalloc);
void *export_kmem_cache_zalloc(struct kmem_cache *s, gfp_t gfp)
{
	return slab_alloc_outline(s, gfp | __GFP_ZERO, CALLER);
}

/* kmem_cache_alloc_lru: the tools harness's <linux/slab.h> declares it a function */
void *export_kmem_cache_alloc_lru(struct kmem_cache *s, struct list_lru *lru, gfp_t gfp)
	kmm_export(kmem_cache_alloc_lru);
void *export_kmem_cache_alloc_lru(struct kmem_cache *s, struct list_lru *lru, gfp_t gfp)
{
	(void)lru;
	return slab_alloc_outline(s, gfp, CALLER);
}

void *export_kmem_cache_alloc_lru_noprof(struct kmem_cache *s, struct list_lru *lru, gfp_t gfp)
	kmm_export(kmem_cache_alloc_lru_noprof);
void *export_kmem_cache_alloc_lru_noprof(struct kmem_cache *s, struct list_lru *lru, gfp_t gfp)
{
	(void)lru;
	return slab_alloc_outline(s, gfp, CALLER);
}

void export_kmem_cache_free(struct kmem_cache *s, void *obj) kmm_export(kmem_cache_free);
void export_kmem_cache_free(struct kmem_cache *s, void *obj)
{
	slab_free_outline(s, obj, CALLER);
}

/*
 * <kmm/kmalloc.h>.  When the program runs with ASan (its runtime is there),
 * these take the out-of-line paths, which poison through the runtime: the
 * inline fast paths compiled here, in a libkmm built without ASan, would hand
 * out objects still poisoned and leave freed ones usable.  Without ASan, one
 * predictable branch in front of the fast paths.
 */
static inline bool asan_runtime(void)
{
	return __asan_unpoison_memory_region != NULL;
}

static inline void *kmalloc_node_any(size_t size, gfp_t flags, int node)
{
	if (kmm_unlikely(asan_runtime()))
		return __kmalloc_node(size, flags, node);
	return kmalloc_node(size, flags, node);
}

static inline void *kmalloc_array_any(size_t n, size_t size, gfp_t flags)
{
	size_t bytes;

	if (kmm_unlikely(__builtin_mul_overflow(n, size, &bytes)))
		return NULL;
	return kmalloc_node_any(bytes, flags, NUMA_NO_NODE);
}

void *export_kmalloc(size_t size, gfp_t flags) kmm_export(kmalloc);
void *export_kmalloc(size_t size, gfp_t flags)
{
	return kmalloc_node_any(size, flags, NUMA_NO_NODE);
}

void *export_kzalloc(size_t size, gfp_t flags) kmm_export(kzalloc);
void *export_kzalloc(size_t size, gfp_t flags)
{
	return kmalloc_node_any(size, flags | __GFP_ZERO, NUMA_NO_NODE);
}

void *export_kmalloc_node(size_t size, gfp_t flags, int node) kmm_export(kmalloc_node);
void *export_kmalloc_node(size_t size, gfp_t flags, int node)
{
	return kmalloc_node_any(size, flags, node);
}

void *export_kzalloc_node(size_t size, gfp_t flags, int node) kmm_export(kzalloc_node);
void *export_kzalloc_node(size_t size, gfp_t flags, int node)
{
	return kmalloc_node_any(size, flags | __GFP_ZERO, node);
}

void *export_kmalloc_array(size_t n, size_t size, gfp_t flags) kmm_export(kmalloc_array);
void *export_kmalloc_array(size_t n, size_t size, gfp_t flags)
{
	return kmalloc_array_any(n, size, flags);
}

void *export_kcalloc(size_t n, size_t size, gfp_t flags) kmm_export(kcalloc);
void *export_kcalloc(size_t n, size_t size, gfp_t flags)
{
	return kmalloc_array_any(n, size, flags | __GFP_ZERO);
}

void *export_krealloc_array(void *p, size_t new_n, size_t new_size, gfp_t flags)
	kmm_export(krealloc_array);
void *export_krealloc_array(void *p, size_t new_n, size_t new_size, gfp_t flags)
{
	return krealloc_array(p, new_n, new_size, flags);
}

void export_kfree(const void *objp) kmm_export(kfree);
void export_kfree(const void *objp)
{
	if (kmm_unlikely(asan_runtime()))
		__kfree(objp);
	else
		kfree(objp);
}

/* <kmm/vmalloc.h>: the kvmalloc() family around kvmalloc_node() */
void *export_kvmalloc(size_t size, gfp_t flags) kmm_export(kvmalloc);
void *export_kvmalloc(size_t size, gfp_t flags)
{
	return kvmalloc_node(size, flags, NUMA_NO_NODE);
}

void *export_kvzalloc(size_t size, gfp_t flags) kmm_export(kvzalloc);
void *export_kvzalloc(size_t size, gfp_t flags)
{
	return kvmalloc_node(size, flags | __GFP_ZERO, NUMA_NO_NODE);
}

void *export_kvzalloc_node(size_t size, gfp_t flags, int node) kmm_export(kvzalloc_node);
void *export_kvzalloc_node(size_t size, gfp_t flags, int node)
{
	return kvmalloc_node(size, flags | __GFP_ZERO, node);
}

void *export_kvmalloc_array(size_t n, size_t size, gfp_t flags) kmm_export(kvmalloc_array);
void *export_kvmalloc_array(size_t n, size_t size, gfp_t flags)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	return kvmalloc_node(bytes, flags, NUMA_NO_NODE);
}

void *export_kvcalloc(size_t n, size_t size, gfp_t flags) kmm_export(kvcalloc);
void *export_kvcalloc(size_t n, size_t size, gfp_t flags)
{
	return export_kvmalloc_array(n, size, flags | __GFP_ZERO);
}

void export_kvfree(const void *addr) kmm_export(kvfree);
void export_kvfree(const void *addr)
{
	if (is_vmalloc_addr(addr))
		vfree(addr);
	else
		kfree(addr);
}
