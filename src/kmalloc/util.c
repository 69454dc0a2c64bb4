/* SPDX-License-Identifier: MIT */
/*
 * kmalloc/util.c - copies into kmalloc memory: kmemdup(), kstrdup() and
 * friends, kasprintf() (the kernel's mm/util.c and lib/kasprintf.c).
 *
 * kstrdup_const() and kfree_const() need the kernel's is_kernel_rodata(): here,
 * an address in a loaded ELF object's segment that is mapped without write
 * permission (where string literals live), found with dl_iterate_phdr().
 *
 * Locking: none of its own (dl_iterate_phdr() takes the loader's lock).
 */
#include <link.h>
#include <stdio.h>
#include <string.h>

#include "kmalloc/kmalloc.h"

void *kmemdup(const void *src, size_t len, gfp_t gfp)
{
	void *p = kmalloc(len, gfp);

	if (!ZERO_OR_NULL_PTR(p))
		memcpy(p, src, len);
	return p;
}

char *kmemdup_nul(const char *s, size_t len, gfp_t gfp)
{
	char *buf;

	if (!s)
		return NULL;
	buf = kmalloc(len + 1, gfp);
	if (buf) {
		memcpy(buf, s, len);
		buf[len] = '\0';
	}
	return buf;
}

char *kstrdup(const char *s, gfp_t gfp)
{
	if (!s)
		return NULL;
	return kmemdup(s, strlen(s) + 1, gfp);
}

char *kstrndup(const char *s, size_t max, gfp_t gfp)
{
	if (!s)
		return NULL;
	return kmemdup_nul(s, strnlen(s, max), gfp);
}

struct rodata_search {
	unsigned long addr; /* the address looked for */
	bool found;	    /* it is in a read-only segment */
};

static int rodata_search_object(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct rodata_search *search = arg;
	int i;

	(void)size;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		unsigned long start = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type == PT_LOAD && !(ph->p_flags & PF_W) && search->addr >= start &&
		    search->addr - start < ph->p_memsz) {
			search->found = true;
			return 1;
		}
	}
	return 0;
}

/* is_kernel_rodata - is @addr in the program's read-only data (a string literal)? */
static bool is_kernel_rodata(const void *addr)
{
	struct rodata_search search = {(unsigned long)addr, false};

	dl_iterate_phdr(rodata_search_object, &search);
	return search.found;
}

const char *kstrdup_const(const char *s, gfp_t gfp)
{
	if (is_kernel_rodata(s))
		return s;
	return kstrdup(s, gfp);
}

void kfree_const(const void *x)
{
	if (!is_kernel_rodata(x))
		kfree(x);
}

char *kvasprintf(gfp_t gfp, const char *fmt, va_list ap)
{
	va_list aq;
	char *p;
	int len;

	va_copy(aq, ap);
	len = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (len < 0)
		return NULL;
	p = kmalloc((size_t)len + 1, gfp);
	if (p)
		vsnprintf(p, (size_t)len + 1, fmt, ap);
	return p;
}

char *kasprintf(gfp_t gfp, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = kvasprintf(gfp, fmt, ap);
	va_end(ap);
	return p;
}
