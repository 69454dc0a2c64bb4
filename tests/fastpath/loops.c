/* SPDX-License-Identifier: MIT */
/*
 * tests/fastpath/loops.c - bench/pairs.h's loops, built as the tests are,
 * for tests/fastpath/check.sh to count from the disassembly.  Run, it also
 * checks that the pairs work.
 */
#include <stdio.h>

#include "pairs.h"

int main(void)
{
	/* read at run time: no clone of the loops for a constant count */
	static volatile long pairs = 100000;
	struct kmem_cache *s;

	if (kmm_init("mem=64M") || !(s = kmem_cache_create("fastpath", 64, 0, 0, NULL)))
		return 1;
	if (empty_loop(s, pairs) || slab_pair(s, pairs) ||
	    kmalloc_pair_var((void *)(uintptr_t)64, pairs) || kmalloc_pair_const(NULL, pairs) ||
	    page_pair(NULL, pairs)) {
		fprintf(stderr, "fastpath: a pair failed\n");
		return 1;
	}
	kmem_cache_destroy(s);
	kmm_exit();
	return 0;
}
