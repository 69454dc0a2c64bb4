/* SPDX-License-Identifier: MIT */
/*
 * mm/slab.h for lib/slub_kunit.c, which includes "../mm/slab.h", SLUB's
 * private header: the build compiles slub_kunit.c from a copy of the file in
 * <build>/lib/ beside this header copied to <build>/mm/slab.h, so the
 * relative include finds it.
 *
 * It gives the test what SLUB's header would: <linux/kasan.h>, which SLUB's
 * header includes (kasan_disable_current()), and validate_slab_cache(),
 * which is libkmm's kmem_cache_validate() (its errors are counted in the
 * test's "slab_errors" resource by libkmm's slab debugging, as SLUB counts
 * them).  The rest (SLAB_NO_MERGE, SLAB_SKIP_KFENCE, SLAB_NO_USER_FLAGS, alloc_hooks(),
 * __kmalloc_cache_noprof()) is in libkmm's own <linux/slab.h>.
 *
 * SLUB's s->offset, the free pointer's place in a free object, has no
 * counterpart: libkmm's slabs (the SLAB design) keep their freelist as an
 * array of indices.  The one case that reads it, test_next_pointer, is
 * skipped by the runner (the build passes kunit.skip=test_next_pointer:...);
 * so that the file compiles unmodified, `offset` below names a field of
 * libkmm's struct kmem_cache that the skipped case would have read instead.
 * Nothing else in slub_kunit.c is spelled "offset", and this header is its
 * last include.
 */
#ifndef KMM_SHIM_MM_SLAB_H
#define KMM_SHIM_MM_SLAB_H

#include <linux/kasan.h>
#include <linux/slab.h>

static inline long validate_slab_cache(struct kmem_cache *s)
{
	return kmem_cache_validate(s);
}

#define offset colour_off

#endif /* KMM_SHIM_MM_SLAB_H */
