/* SPDX-License-Identifier: MIT */
/*
 * tests/fastpath/loops.c - the loops whose hot paths tests/fastpath/check.sh
 * counts from the disassembly: a slab pair, a kmalloc pair of a variable
 * size, and the empty loop to subtract (bench/instr.c's, built as the tests
 * are).  Run, it also checks that the pairs work.
 */
#include <stdint.h>
#include <stdio.h>
#include <kmm/kmm.h>

static __attribute__((noinline)) int empty_loop(void *arg, long n)
{
	for (long i = 0; i < n; i++)
		__asm__ volatile("" : : "r"(arg) : "memory");
	return 0;
}

static __attribute__((noinline)) int slab_pair(void *arg, long n)
{
	struct kmem_cache *s = arg;

	for (long i = 0; i < n; i++) {
		void *obj = kmem_cache_alloc(s, GFP_KERNEL);

		if (kmm_unlikely(!obj))
			return -1;
		__asm__ volatile("" : : "r"(obj) : "memory");
		kmem_cache_free(s, obj);
	}
	return 0;
}

static __attribute__((noinline)) int kmalloc_pair_var(void *arg, long n)
{
	volatile size_t size = (size_t)(uintptr_t)arg;

	for (long i = 0; i < n; i++) {
		void *obj = kmalloc(size, GFP_KERNEL);

		if (kmm_unlikely(!obj))
			return -1;
		__asm__ volatile("" : : "r"(obj) : "memory");
		kfree(obj);
	}
	return 0;
}

int main(void)
{
	/* read at run time: no clone of the loops for a constant count */
	static volatile long pairs = 100000;
	struct kmem_cache *s;

	if (kmm_init("mem=64M") || !(s = kmem_cache_create("fastpath", 64, 0, 0, NULL)))
		return 1;
	if (empty_loop(s, pairs) || slab_pair(s, pairs) ||
	    kmalloc_pair_var((void *)(uintptr_t)64, pairs)) {
		fprintf(stderr, "fastpath: a pair failed\n");
		return 1;
	}
	kmem_cache_destroy(s);
	kmm_exit();
	return 0;
}
