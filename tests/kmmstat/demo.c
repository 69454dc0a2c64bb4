/* SPDX-License-Identifier: MIT */
/*
 * kmmstat-demo - a small program on libkmm to look at with kmmstat: a few
 * slab caches, kmalloc of every size, vmalloc areas, kmalloc-large, page
 * tables, and fragmentation (every other page of a run freed).
 *
 *   kmmstat-demo [--svg FILE] [--cmdline "mem=256M ..."] [--linger SECONDS]
 *
 * It boots (by default "mem=256M kmmstat=1"), makes its allocations, prints
 * "ready <pid>" on stdout and then waits for SIGTERM or SIGINT (at most
 * --linger seconds, 60 by default) before it frees everything and exits.
 * With --svg it writes kmm_physmap_svg() to FILE first (docs/physmap.svg is
 * made this way).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <kmm/kmm.h>

#define NR_OBJECTS 6000
#define NR_PAGES   4096

struct inode_like {
	unsigned long ino;
	char name[500];
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	const char *svg = NULL, *cmdline = "mem=256M kmmstat=1";
	static void *objects[NR_OBJECTS], *small[NR_OBJECTS], *areas[8], *large[8];
	static struct page *pages[NR_PAGES];
	struct kmem_cache *inodes, *dentries;
	struct sigaction sa;
	int linger = 60, i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--svg") && i + 1 < argc)
			svg = argv[++i];
		else if (!strcmp(argv[i], "--cmdline") && i + 1 < argc)
			cmdline = argv[++i];
		else if (!strcmp(argv[i], "--linger") && i + 1 < argc)
			linger = atoi(argv[++i]);
		else {
			fprintf(stderr,
				"usage: %s [--svg FILE] [--cmdline CMDLINE] [--linger SECONDS]\n",
				argv[0]);
			return 2;
		}
	}
	ret = kmm_init(cmdline);
	if (ret) {
		fprintf(stderr, "kmmstat-demo: kmm_init: %s\n", strerror(-ret));
		return 1;
	}
	inodes = kmem_cache_create("demo_inode", sizeof(struct inode_like), 0, SLAB_HWCACHE_ALIGN,
				   NULL);
	dentries = kmem_cache_create("demo_dentry", 192, 0, SLAB_HWCACHE_ALIGN, NULL);
	/* Fragmentation: a run of pages, every other one given back. */
	for (i = 0; i < NR_PAGES; i++)
		pages[i] = alloc_page(GFP_KERNEL);
	for (i = 0; i < NR_PAGES; i += 2) {
		__free_page(pages[i]);
		pages[i] = NULL;
	}
	for (i = 0; i < NR_OBJECTS; i++) {
		objects[i] = kmem_cache_alloc(i % 3 ? inodes : dentries, GFP_KERNEL);
		small[i] = kmalloc(16 << (i % 9), GFP_KERNEL);
	}
	for (i = 0; i < 8; i++) {
		areas[i] = vmalloc((size_t)(i + 1) << 20);
		large[i] = kmalloc(64 << 10 << (i % 3), GFP_KERNEL);
	}
	/* Exact slab counts (no object in a per-CPU array), then a few pages on a per-CPU list. */
	kmm_drain_all();
	for (i = 0; i < 64; i++)
		pages[i * 2] = alloc_page(GFP_KERNEL);
	for (i = 0; i < 64; i++) {
		__free_page(pages[i * 2]);
		pages[i * 2] = NULL;
	}
	if (svg) {
		FILE *f = fopen(svg, "w");

		if (!f || kmm_physmap_svg(f) || fclose(f)) {
			fprintf(stderr, "kmmstat-demo: cannot write %s\n", svg);
			return 1;
		}
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	while (!stop && linger-- > 0)
		sleep(1);
	for (i = 0; i < 8; i++) {
		vfree(areas[i]);
		kfree(large[i]);
	}
	for (i = 0; i < NR_OBJECTS; i++) {
		kmem_cache_free(i % 3 ? inodes : dentries, objects[i]);
		kfree(small[i]);
	}
	for (i = 0; i < NR_PAGES; i++)
		if (pages[i])
			__free_page(pages[i]);
	kmem_cache_destroy(inodes);
	kmem_cache_destroy(dentries);
	kmm_exit();
	return 0;
}
