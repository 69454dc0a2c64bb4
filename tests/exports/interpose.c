/* SPDX-License-Identifier: MIT */
/*
 * interpose.c - a program that defines kernel names libkmm.so also defines,
 * as the kernel's userspace test harnesses do (their own kmem_cache_free(),
 * kmalloc(), ...).  Its definitions must receive the program's calls only:
 * libkmm's calls between its own functions stay inside the library.  Each
 * definition here fails the run if libkmm ever calls it.
 *
 * Built against the shared library only: a static link of two strong
 * definitions of one name is refused by the linker, which is as loud.
 */
#define KMM_NO_INLINE
#include <stdio.h>
#include <stdlib.h>
#include <kmm/kmm.h>
#include <kmm/slab.h>
#include <kmm/vmalloc.h>

static void called_from_libkmm(const char *name)
{
	fprintf(stderr, "FAIL: libkmm called the program's %s()\n", name);
	exit(1);
}

void *__kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp, int node)
{
	called_from_libkmm(__func__);
	return NULL;
}

void __kfree(const void *obj)
{
	called_from_libkmm(__func__);
}

void *__kmalloc(size_t size, gfp_t flags)
{
	called_from_libkmm(__func__);
	return NULL;
}

void kmem_cache_free_bulk(struct kmem_cache *s, size_t nr, void **p)
{
	called_from_libkmm(__func__);
}

struct kmem_cache *kmem_cache_create_usercopy(const char *name, unsigned int size,
					      unsigned int align, slab_flags_t flags,
					      unsigned int useroffset, unsigned int usersize,
					      void (*ctor)(void *))
{
	called_from_libkmm(__func__);
	return NULL;
}

int main(void)
{
	static void *objs[4096];
	struct kmem_cache *s;
	int i, on_stack;
	void *v;

	if (kmm_init("mem=64M"))
		return 1;
	s = kmem_cache_create("interpose", 72, 0, 0, NULL);
	if (!s)
		return 1;
	/* enough objects for every slow path: refills, growth, flushes */
	for (i = 0; i < 4096; i++)
		if (!(objs[i] = kmem_cache_alloc(s, GFP_KERNEL)))
			return 1;
	for (i = 0; i < 4096; i++)
		kmem_cache_free(s, objs[i]);
	if (kmem_cache_live_objects(s)) {
		fprintf(stderr, "FAIL: %lu objects of the cache live\n",
			kmem_cache_live_objects(s));
		return 1;
	}
	for (i = 0; i < 4096; i++)
		if (!(objs[i] = kmalloc((size_t)(i % 3000) + 1, GFP_KERNEL)))
			return 1;
	for (i = 0; i < 4096; i++)
		kfree(objs[i]);
	kfree(&on_stack); /* the refused free: kfree()'s slow path */
	v = vmalloc(1 << 20);
	if (!v)
		return 1;
	vfree(v);
	kmem_cache_destroy(s);
	kmm_drop_caches();
	if (kmm_validate_all())
		return 1;
	kmm_exit();
	puts("interpose: libkmm never called the program's definitions");
	return 0;
}
