/* SPDX-License-Identifier: MIT */
/*
 * vmalloc: real aliased mappings, the page-table walk, vmap and vm_map_ram,
 * guard pages and read-only mappings that fault, lazy purging, address-space
 * reuse, host mappings given back and the host's map limit, threads, exact
 * page counts, reports, vrealloc and kvmalloc.
 */
#include <errno.h>
#include <pthread.h>
#include <sys/mman.h>
#include <kmm/kmm.h>
#include "kmm_test.h"
#include "rcu_reader.h"

/*
 * accounted_pages - free pages (per-CPU lists drained) plus those in page
 * tables and slabs: what vmalloc and vfree leave unchanged, whatever tables
 * and slab pages for their structs they make.
 */
static unsigned long accounted_pages(void)
{
	return drained_free() + (unsigned long)(meminfo_kb("PageTables") + meminfo_kb("Slab")) / 4;
}

/* The vmallocinfo line of the area at @addr, copied to @line; NULL if there is none. */
static char *vmallocinfo_line(const void *addr, char *line, size_t len)
{
	static char buf[1 << 16];
	char start[32];
	const char *at, *end;

	snprintf(start, sizeof(start), "0x%016lx-", (unsigned long)addr);
	at = strstr(show_to_string("vmallocinfo", buf, sizeof(buf)), start);
	if (!at)
		return NULL;
	end = strchr(at, '\n');
	snprintf(line, len, "%.*s", (int)(end - at), at);
	return line;
}

static int read_byte(void *p)
{
	return *(volatile unsigned char *)p;
}

static int write_byte(void *p)
{
	*(volatile unsigned char *)p = 0x77;
	return 0;
}

static void test_every_page_of_10m_reads_back_through_the_direct_map(void **state)
{
	const unsigned long size = 10UL << 20;
	unsigned long i;
	char *p;

	(void)state;
	assert_int_equal(kmm_init("mem=256M"), 0);
	p = vmalloc(size);
	assert_non_null(p);
	assert_true(is_vmalloc_addr(p));
	assert_true(is_vmalloc_addr(p + size - 1));
	assert_int_equal((unsigned long)p & (PAGE_SIZE - 1), 0);
	for (i = 0; i < size; i += PAGE_SIZE)
		*(unsigned long *)(p + i) = i ^ 0x5a5a;
	for (i = 0; i < size; i += PAGE_SIZE) {
		struct page *page = vmalloc_to_page(p + i + 100);
		unsigned long *d;

		assert_non_null(page);
		assert_true(page_ref_count(page) == 1);
		d = page_address(page);
		assert_int_equal(d[0], i ^ 0x5a5a);
		d[1] = ~i;
	}
	for (i = 0; i < size; i += PAGE_SIZE)
		assert_int_equal(((unsigned long *)(p + i))[1], ~i);
	vfree(p);
	kmm_exit();
}

static void test_the_first_vmalloc_boots_a_machine(void **state)
{
	char *p;

	(void)state;
	assert_false(kmm_booted());
	p = vmalloc(PAGE_SIZE);
	assert_non_null(p);
	assert_true(kmm_booted());
	assert_true(is_vmalloc_addr(p));
	p[PAGE_SIZE - 1] = 1;
	vfree(p);
}

static void test_walk_agrees_with_vmalloc_to_pfn_and_pages(void **state)
{
	const unsigned long size = 3UL << 20;
	struct vm_struct *vm;
	unsigned long i, addr;
	char *p;

	(void)state;
	assert_int_equal(kmm_init("mem=256M"), 0);
	p = vmalloc(size);
	assert_non_null(p);
	vm = find_vm_area(p);
	assert_non_null(vm);
	assert_ptr_equal(vm->addr, p);
	assert_int_equal(vm->size, size + PAGE_SIZE);
	assert_int_equal(vm->nr_pages, size >> PAGE_SHIFT);
	assert_true(vm->flags & VM_ALLOC);
	assert_ptr_equal(find_vm_area(p + size - 1), vm);
	/* the guard page belongs to the area, as in the kernel */
	assert_ptr_equal(find_vm_area(p + size), vm);
	assert_null(find_vm_area(p + size + PAGE_SIZE));
	for (i = 0; i <= vm->nr_pages; i++) {
		pgd_t *pgd;
		p4d_t *p4d;
		pud_t *pud;
		pmd_t *pmd;
		pte_t *pte;

		addr = (unsigned long)p + i * PAGE_SIZE;
		pgd = pgd_offset_k(addr);
		assert_false(pgd_none(*pgd));
		p4d = p4d_offset(pgd, addr);
		assert_true(p4d_present(*p4d));
		assert_false(p4d_bad(*p4d));
		pud = pud_offset(p4d, addr);
		assert_true(pud_present(*pud));
		assert_false(pud_leaf(*pud));
		pmd = pmd_offset(pud, addr);
		assert_true(pmd_present(*pmd));
		assert_false(pmd_leaf(*pmd));
		assert_false(pmd_bad(*pmd));
		pte = pte_offset_kernel(pmd, addr);
		if (i == vm->nr_pages) {
			/* the guard page */
			assert_true(pte_none(*pte));
			assert_null(vmalloc_to_page((void *)addr));
			break;
		}
		assert_true(pte_present(*pte));
		assert_true(pte_write(*pte));
		assert_int_equal(pte_pfn(*pte), vmalloc_to_pfn((void *)addr));
		assert_int_equal(pte_pfn(*pte), page_to_pfn(vm->pages[i]));
		assert_ptr_equal(pte_page(*pte), vmalloc_to_page((void *)(addr + 4095)));
	}
	vfree(p);
	assert_null(vmalloc_to_page(p));
	kmm_exit();
}

/* Four pages far apart, each holding its index. */
static void alloc_scattered(struct page **pages, int nr)
{
	struct page *spacer[4];
	int i;

	for (i = 0; i < nr; i++) {
		spacer[i % 4] = alloc_pages(GFP_KERNEL, 2);
		pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		assert_non_null(pages[i]);
		*(int *)page_address(pages[i]) = i;
		__free_pages(spacer[i % 4], 2);
	}
}

static void test_vmap_of_scattered_pages_aliases_them(void **state)
{
	struct page *pages[4];
	char line[256];
	int *v, i;

	(void)state;
	assert_int_equal(kmm_init("mem=128M"), 0);
	alloc_scattered(pages, 4);
	v = vmap(pages, 4, VM_MAP, PAGE_KERNEL);
	assert_non_null(v);
	for (i = 0; i < 4; i++) {
		int *direct = page_address(pages[i]);

		assert_ptr_equal(vmalloc_to_page((char *)v + i * PAGE_SIZE), pages[i]);
		assert_int_equal(v[i * PAGE_SIZE / sizeof(int)], i);
		v[i * PAGE_SIZE / sizeof(int) + 1] = 100 + i;
		assert_int_equal(direct[1], 100 + i);
		direct[2] = 200 + i;
		assert_int_equal(v[i * PAGE_SIZE / sizeof(int) + 2], 200 + i);
	}
	assert_non_null(vmallocinfo_line(v, line, sizeof(line)));
	assert_non_null(strstr(line, " vmap"));
	assert_null(strstr(line, "pages="));
	vunmap(v);
	/* the pages stay the caller's */
	for (i = 0; i < 4; i++) {
		assert_int_equal(page_ref_count(pages[i]), 1);
		assert_int_equal(((int *)page_address(pages[i]))[1], 100 + i);
		__free_page(pages[i]);
	}
	kmm_exit();
}

static void test_read_only_vmap_faults_on_write(void **state)
{
	struct page *pages[2];
	unsigned char *ro;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	alloc_scattered(pages, 2);
	*((unsigned char *)page_address(pages[1]) + 5) = 0x5a;
	ro = vmap(pages, 2, VM_MAP, PAGE_KERNEL_RO);
	assert_non_null(ro);
	assert_int_equal(child_exit_status(read_byte, ro + PAGE_SIZE + 5), 0x5a);
	assert_int_equal(child_exit_status(write_byte, ro + PAGE_SIZE + 5), CHILD_FAULTED);
	assert_int_equal(child_exit_status(write_byte, ro), CHILD_FAULTED);
	assert_int_equal(*((unsigned char *)page_address(pages[1]) + 5), 0x5a);
	vunmap(ro);
	__free_page(pages[0]);
	__free_page(pages[1]);
	kmm_exit();
}

static void test_guard_page_faults_and_the_last_byte_does_not(void **state)
{
	char *p;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	p = vmalloc(3 * PAGE_SIZE);
	assert_non_null(p);
	assert_int_equal(child_exit_status(write_byte, p + 3 * PAGE_SIZE - 1), 0);
	/* the child's write reached the shared memory */
	assert_int_equal((unsigned char)p[3 * PAGE_SIZE - 1], 0x77);
	assert_int_equal(child_exit_status(write_byte, p + 3 * PAGE_SIZE), CHILD_FAULTED);
	assert_int_equal(child_exit_status(read_byte, p + 4 * PAGE_SIZE - 1), CHILD_FAULTED);
	vfree(p);
	kmm_exit();
}

static void test_freed_area_stays_mapped_until_the_purge(void **state)
{
	char *p;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	p = vmalloc(16 * PAGE_SIZE);
	assert_non_null(p);
	p[0] = 0x33;
	vfree(p);
	/* the entries are gone at once, the mapping at the purge (the lazy TLB flush) */
	assert_null(vmalloc_to_page(p));
	assert_null(find_vm_area(p));
	assert_int_equal(child_exit_status(read_byte, p), 0x33);
	vm_unmap_aliases();
	assert_int_equal(child_exit_status(read_byte, p), CHILD_FAULTED);
	kmm_exit();
}

static void test_a_freed_range_is_reused_only_after_the_purge(void **state)
{
	char *p, *q, *r;

	(void)state;
	assert_int_equal(kmm_init("mem=64M vmalloc=16M"), 0);
	p = vmalloc(1 << 20);
	assert_ptr_equal(p, (void *)VMALLOC_START);
	vfree(p);
	q = vmalloc(1 << 20);
	assert_non_null(q);
	assert_ptr_not_equal(q, p);
	vm_unmap_aliases();
	r = vmalloc(1 << 20);
	assert_ptr_equal(r, p);
	vfree(q);
	vfree(r);
	kmm_exit();
}

/*
 * host_mappings_in - the process's host mappings (VMAs, lines of
 * /proc/self/maps) that meet [@lo, @hi).  Those of the vmalloc area are
 * vmalloc's alone, whatever the test harness and ASan map elsewhere.
 */
static int host_mappings_in(unsigned long lo, unsigned long hi)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long start, end;
	char line[512];
	int n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx", &start, &end) == 2)
			n += start < hi && end > lo;
	fclose(f);
	return n;
}

static int vmalloc_host_mappings(void)
{
	return host_mappings_in(VMALLOC_START, VMALLOC_END);
}

/*
 * host_mapping_at - the host mapping containing @addr, in [*@start, *@end);
 * with @overlapping, the number of host mappings that meet [@addr, @addr + @len).
 * Return: false if no mapping contains @addr.
 */
static bool host_mapping_at(const void *addr, unsigned long len, unsigned long *start,
			    unsigned long *end, int *overlapping)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long a = (unsigned long)addr, lo, hi;
	char line[512];
	bool found = false;

	assert_non_null(f);
	*overlapping = 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2) {
			if (lo <= a && a < hi) {
				*start = lo;
				*end = hi;
				found = true;
			}
			*overlapping += lo < a + len && hi > a;
		}
	fclose(f);
	return found;
}

/* Boot, and have the first area's tables and the report buffers made. */
static void boot_for_host_mappings(const char *cmdline)
{
	assert_int_equal(kmm_init(cmdline), 0);
	vfree(vmalloc(PAGE_SIZE));
	vm_unmap_aliases();
}

static void test_freed_areas_give_their_host_mappings_back(void **state)
{
	enum { NR = 3000 };
	static void *areas[NR];
	struct page *pages[8];
	void *mapped, *ram;
	int base, i;

	(void)state;
	boot_for_host_mappings("mem=256M");
	base = vmalloc_host_mappings();
	alloc_scattered(pages, 8);
	for (i = 0; i < NR; i++) {
		areas[i] = vmalloc((unsigned long)(1 + i % 4) * PAGE_SIZE);
		assert_non_null(areas[i]);
	}
	mapped = vmap(pages, 8, VM_MAP, PAGE_KERNEL);
	ram = vm_map_ram(pages, 8, NUMA_NO_NODE);
	assert_non_null(mapped);
	assert_non_null(ram);
	/* a mirror and the split of the reservation after its guard, each */
	assert_true(vmalloc_host_mappings() >= base + 2 * NR);
	for (i = 0; i < NR; i++)
		vfree(areas[i]);
	vunmap(mapped);
	vm_unmap_ram(ram, 8);
	vm_unmap_aliases();
	assert_int_equal(vmalloc_host_mappings(), base);
	for (i = 0; i < 8; i++)
		__free_page(pages[i]);
	kmm_exit();
}

static void test_a_physically_contiguous_run_is_one_host_mapping(void **state)
{
	struct page *block, *pages[16];
	unsigned long start, end;
	int base, overlapping, i;
	char *p;

	(void)state;
	boot_for_host_mappings("mem=64M");
	base = vmalloc_host_mappings();
	block = alloc_pages(GFP_KERNEL, 4);
	assert_non_null(block);
	for (i = 0; i < 16; i++)
		pages[i] = block + i;
	p = vmap(pages, 16, VM_MAP, PAGE_KERNEL);
	assert_non_null(p);
	/* one mapping for the 16 pages, and the guard is the free reservation after it */
	assert_true(host_mapping_at(p, 16 * PAGE_SIZE, &start, &end, &overlapping));
	assert_int_equal(overlapping, 1);
	assert_int_equal(start, (unsigned long)p);
	assert_int_equal(end, (unsigned long)p + 16 * PAGE_SIZE);
	assert_true(host_mapping_at(p + 16 * PAGE_SIZE, PAGE_SIZE, &start, &end, &overlapping));
	assert_true(end > (unsigned long)p + 17 * PAGE_SIZE);
	vunmap(p);
	vm_unmap_aliases();
	/* back in the reservation, whole */
	assert_true(host_mapping_at(p, 17 * PAGE_SIZE, &start, &end, &overlapping));
	assert_int_equal(overlapping, 1);
	assert_int_equal(vmalloc_host_mappings(), base);
	__free_pages(block, 4);

	/* a vmalloc() of pages that came as one block is one mapping too */
	p = vmalloc(64 << 10);
	assert_non_null(p);
	assert_true(host_mapping_at(p, 64 << 10, &start, &end, &overlapping));
	assert_int_equal(overlapping, 1);
	vfree(p);
	kmm_exit();
}

static void test_kmap_gives_cleared_pkmap_entries_back(void **state)
{
	enum { NR = LAST_PKMAP + 10 };
	static struct page *pages[2 * NR];
	int i;

	(void)state;
	assert_int_equal(kmm_init("mem=128M highmem=32M"), 0);
	/* every other highmem page, so that no two mirrors could merge */
	for (i = 0; i < 2 * NR; i++) {
		pages[i] = alloc_page(GFP_HIGHUSER);
		assert_non_null(pages[i]);
	}
	for (i = 0; i < NR; i++) {
		char *p = kmap(pages[2 * i]);

		p[0] = (char)i;
		kunmap(pages[2 * i]);
	}
	/*
	 * The search wrapped once and cleared the 511 entries no longer used: only
	 * the 11 taken since hold mirrors, each a mapping and a split of the area.
	 */
	assert_true(host_mappings_in(PKMAP_BASE, PKMAP_ADDR(LAST_PKMAP)) <= 2 * 11 + 1);
	for (i = 0; i < 2 * NR; i++)
		__free_page(pages[i]);
	kmm_exit();
}

/* vm.max_map_count, or 0 if it cannot be read. */
static long max_map_count(void)
{
	FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
	long n = 0;

	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = 0;
		fclose(f);
	}
	return n;
}

/* The mapping fill_host_mappings() made, and its length; 0 when there is none. */
static char *host_fill;
static size_t host_fill_len;

/*
 * fill_host_mappings - leave about @headroom host mappings of vm.max_map_count
 * free: an anonymous mapping made into single-page mappings by mprotect().
 * Return: false if the limit is too high to fill quickly.
 */
static bool fill_host_mappings(int headroom)
{
	long limit = max_map_count(), pages = limit - host_mappings_in(0, ~0UL) - headroom, i;

	if (limit <= 0 || limit > (1L << 20) || pages < 2)
		return false;
	host_fill_len = (size_t)pages * PAGE_SIZE;
	host_fill = mmap(NULL, host_fill_len, PROT_READ,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(host_fill != MAP_FAILED);
	for (i = 1; i < pages; i += 2)
		assert_int_equal(mprotect(host_fill + i * PAGE_SIZE, PAGE_SIZE, PROT_NONE), 0);
	return true;
}

/* A teardown: give the host mappings back, even after a failure, then machine_down(). */
static int unfill_host_mappings(void **state)
{
	if (host_fill && host_fill != MAP_FAILED)
		munmap(host_fill, host_fill_len);
	host_fill = NULL;
	return machine_down(state);
}

static void test_vmalloc_at_the_host_map_limit_fails_cleanly_and_recovers(void **state)
{
	enum { MAX = 4000 };
	static void *areas[MAX];
	struct capture cap;
	int base, nr, i;
	void *extra;

	(void)state;
	boot_for_host_mappings("mem=256M");
#ifdef __SANITIZE_ADDRESS__
	/* ASan maps memory of its own as it goes, and aborts when the host refuses */
	skip();
#endif
	/* the test's own mappings take all but 2000 of the limit: a few thousand areas reach it */
	if (!fill_host_mappings(2000))
		skip();
	base = vmalloc_host_mappings();
	capture_begin(&cap);
	for (nr = 0; nr < MAX; nr++) {
		areas[nr] = __vmalloc(2 * PAGE_SIZE, GFP_KERNEL | __GFP_NOWARN);
		if (!areas[nr])
			break;
	}
	assert_string_equal(capture_end(&cap), "");
	assert_true(nr > 100 && nr < MAX);
	capture_begin(&cap);
	assert_null(vmalloc(2 * PAGE_SIZE));
	assert_non_null(strstr(capture_end(&cap), "vmalloc error: size 8192, failed to map pages"));
	assert_null(strstr(cap.text, "WARNING"));
	/* a mapping of the program's own may take the count past the limit: no mmap() works then */
	extra = mmap(NULL, PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (i = 0; i < nr; i++)
		vfree(areas[i]);
	/* the freed areas wait for their purge, which the next refused mapping starts */
	for (i = 0; i < nr; i++) {
		areas[i] = vmalloc(PAGE_SIZE);
		assert_non_null(areas[i]);
	}
	for (i = 0; i < nr; i++)
		vfree(areas[i]);
	vm_unmap_aliases();
	assert_int_equal(vmalloc_host_mappings(), base);
	if (extra != MAP_FAILED)
		munmap(extra, PAGE_SIZE);
	kmm_exit();
}

static void test_20000_cycles_of_1m_in_a_32m_vmalloc_area(void **state)
{
	unsigned long before;
	int i;

	(void)state;
	assert_int_equal(kmm_init("mem=128M vmalloc=32M"), 0);
	before = accounted_pages();
	for (i = 0; i < 20000; i++) {
		char *p = vmalloc(1 << 20);

		assert_non_null(p);
		assert_true(is_vmalloc_addr(p + (1 << 20) - 1));
		p[i & ((1 << 20) - 1)] = (char)i;
		vfree(p);
	}
	assert_true(meminfo_kb("VmallocChunk") < 32L << 10);
	vm_unmap_aliases();
	assert_int_equal(meminfo_kb("VmallocChunk"), 32L << 10);
	assert_int_equal(meminfo_kb("VmallocUsed"), 0);
	/* tables stay, as the kernel's; everything else went back */
	assert_int_equal(accounted_pages(), before);
	kmm_exit();
}

struct stress_arg {
	unsigned int seed; /* xorshift state */
	int id;		   /* the thread's number, in every word it writes */
	int errors;	   /* content checks that failed */
};

static unsigned int xorshift(unsigned int *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void *stress(void *argp)
{
	struct stress_arg *arg = argp;
	unsigned long *live[16] = {0};
	unsigned long sizes[16] = {0};
	int i, k;

	for (i = 0; i < 1500; i++) {
		unsigned int slot = xorshift(&arg->seed) % 16;
		unsigned long *p = live[slot], words = sizes[slot] / sizeof(long);

		if (p) {
			for (k = 0; k < (int)words; k += 512)
				if (p[k] != ((unsigned long)arg->id << 32 | (unsigned long)k))
					arg->errors++;
			if (vmalloc_to_page(p) == NULL)
				arg->errors++;
			vfree(p);
			live[slot] = NULL;
			continue;
		}
		sizes[slot] = (1 + xorshift(&arg->seed) % 64) * PAGE_SIZE;
		p = xorshift(&arg->seed) % 4 ? vmalloc(sizes[slot]) : vzalloc(sizes[slot]);
		if (!p) {
			arg->errors++;
			continue;
		}
		words = sizes[slot] / sizeof(long);
		for (k = 0; k < (int)words; k += 512)
			p[k] = (unsigned long)arg->id << 32 | (unsigned long)k;
		live[slot] = p;
	}
	for (i = 0; i < 16; i++)
		vfree(live[i]);
	return NULL;
}

static void test_three_threads_vmalloc_and_vfree_at_random(void **state)
{
	struct stress_arg args[3];
	pthread_t threads[3];
	unsigned long before;
	int i;

	(void)state;
	assert_int_equal(kmm_init("mem=256M vmalloc=64M"), 0);
	before = accounted_pages();
	for (i = 0; i < 3; i++) {
		args[i] = (struct stress_arg){.seed = 0x9e3779b9u * (unsigned)(i + 1), .id = i + 1};
		assert_int_equal(pthread_create(&threads[i], NULL, stress, &args[i]), 0);
	}
	for (i = 0; i < 3; i++) {
		assert_int_equal(pthread_join(threads[i], NULL), 0);
		assert_int_equal(args[i].errors, 0);
	}
	vm_unmap_aliases();
	assert_int_equal(meminfo_kb("VmallocUsed"), 0);
	assert_int_equal(meminfo_kb("VmallocChunk"), 64L << 10);
	assert_int_equal(accounted_pages(), before);
	kmm_exit();
}

/* Areas of every kind of page run: one page, a few, 2 MiB + 1 page, 10 MiB. */
static void vmalloc_round(void)
{
	static const unsigned long sizes[] = {PAGE_SIZE, 5 * PAGE_SIZE, (2UL << 20) + PAGE_SIZE,
					      10UL << 20, 100};
	void *p[sizeof(sizes) / sizeof(sizes[0])];
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		p[i] = i % 2 ? vzalloc(sizes[i]) : vmalloc(sizes[i]);
		assert_non_null(p[i]);
		memset(p[i], 0xa5, sizes[i]);
	}
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		vfree(p[i]);
	vm_unmap_aliases();
}

static void test_vfree_gives_back_every_page(void **state)
{
	unsigned long before, after;
	long tables, slab;

	(void)state;
	assert_int_equal(kmm_init("mem=256M"), 0);
	slab = meminfo_kb("Slab") / 4;
	before = drained_free();
	vmalloc_round();
	after = drained_free();
	tables = meminfo_kb("PageTables") / 4;
	assert_true(tables >= 3);
	/* apart from the page tables and the slab pages of the areas' structs */
	assert_int_equal(before - after, tables + meminfo_kb("Slab") / 4 - slab);
	/* with the tables and slabs made, a second round gives back exactly what it took */
	vmalloc_round();
	assert_int_equal(drained_free(), after);
	assert_int_equal(meminfo_kb("PageTables") / 4, tables);
	assert_int_equal(meminfo_kb("VmallocUsed"), 0);
	kmm_exit();
}

static void test_vmallocinfo_shows_areas_in_the_kernels_format(void **state)
{
	struct page *pages[2];
	char line[256];
	void *a, *b, *m, *r;

	(void)state;
	assert_int_equal(kmm_init("mem=256M numa=fake=2"), 0);
	a = vmalloc(3 * PAGE_SIZE);
	b = vmalloc_node(5 * PAGE_SIZE, 1);
	alloc_scattered(pages, 2);
	m = vmap(pages, 2, VM_MAP, PAGE_KERNEL);
	r = vm_map_ram(pages, 2, NUMA_NO_NODE);
	assert_true(a && b && m && r);
	assert_non_null(vmallocinfo_line(a, line, sizeof(line)));
	/* range, size with the guard page, caller, pages=, kind, pages per node */
	assert_int_equal(strncmp(line + 18, "-0x", 3), 0);
	assert_int_equal(strtoul(line + 19, NULL, 16), (unsigned long)a + 4 * PAGE_SIZE);
	assert_non_null(strstr(line, "   16384 "));
	assert_non_null(strstr(line, " pages=3 vmalloc N"));
	assert_non_null(vmallocinfo_line(b, line, sizeof(line)));
	assert_non_null(strstr(line, " pages=5 vmalloc N1=5"));
	assert_non_null(vmallocinfo_line(m, line, sizeof(line)));
	assert_non_null(strstr(line, "   12288 "));
	assert_non_null(strstr(line, " vmap"));
	assert_non_null(vmallocinfo_line(r, line, sizeof(line)));
	assert_non_null(strstr(line, "    8192 vm_map_ram"));
	vfree(a);
	assert_non_null(vmallocinfo_line(a, line, sizeof(line)));
	assert_non_null(strstr(line, "   16384 unpurged vm_area"));
	vm_unmap_aliases();
	assert_null(vmallocinfo_line(a, line, sizeof(line)));
	vfree(b);
	vunmap(m);
	vm_unmap_ram(r, 2);
	__free_page(pages[0]);
	__free_page(pages[1]);
	kmm_exit();
}

static void test_vmallocinfo_resolves_the_caller(void **state)
{
	const void *caller = (const char *)(void *)abort + 0x10;
	char line[256];
	void *p;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	p = __vmalloc_node(PAGE_SIZE, 1, GFP_KERNEL, NUMA_NO_NODE, caller);
	assert_non_null(p);
	assert_non_null(vmallocinfo_line(p, line, sizeof(line)));
	assert_non_null(strstr(line, " abort+0x10/0x"));
	vfree(p);
	kmm_exit();
}

static void test_meminfo_shows_vmalloc_and_page_tables(void **state)
{
	void *p;

	(void)state;
	assert_int_equal(kmm_init("mem=128M vmalloc=64M"), 0);
	assert_int_equal(meminfo_kb("VmallocTotal"), 64L << 10);
	assert_int_equal(meminfo_kb("VmallocUsed"), 0);
	assert_int_equal(meminfo_kb("VmallocChunk"), 64L << 10);
	assert_int_equal(meminfo_kb("PageTables"), 0);
	p = vmalloc(1 << 20);
	assert_int_equal(meminfo_kb("VmallocUsed"), 1024);
	assert_int_equal(meminfo_kb("VmallocChunk"), (64L << 10) - 1024 - 4);
	/* a pud, a pmd and a pte table */
	assert_int_equal(meminfo_kb("PageTables"), 12);
	vfree(p);
	assert_int_equal(meminfo_kb("VmallocUsed"), 0);
	kmm_exit();
}

static void test_bad_frees_are_reported_and_refused(void **state)
{
	struct page *pages[1];
	struct capture cap;
	char *p, *q, *k;
	const char *out;
	void *r;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	p = vmalloc(4 * PAGE_SIZE);
	q = vmalloc(PAGE_SIZE);
	k = kmalloc(100, GFP_KERNEL);
	memset(p, 0x11, 4 * PAGE_SIZE);
	vfree(q);
	alloc_scattered(pages, 1);
	r = vm_map_ram(pages, 1, NUMA_NO_NODE);
	capture_begin(&cap);
	vfree(k);
	vfree(p + PAGE_SIZE);
	vfree(q);
	vfree((void *)(VMALLOC_START + (VMALLOC_END - VMALLOC_START) / 2));
	vfree(r);
	vunmap(p + 8);
	vunmap(p);
	vm_unmap_ram(p, 4);
	out = capture_end(&cap);
	assert_int_equal(count_lines(out), 8);
	assert_non_null(strstr(out, "Trying to vfree() nonexistent vm area"));
	assert_non_null(strstr(out, "not in the vmalloc area (a direct-map address"));
	assert_non_null(strstr(out, "inside the area 0x"));
	assert_non_null(strstr(out, "in an area already freed (not yet purged)"));
	assert_non_null(strstr(out, "in free space"));
	assert_non_null(strstr(out, "it is a vm_map_ram() area"));
	assert_non_null(strstr(out, "Trying to vunmap() nonexistent vm area"));
	assert_non_null(strstr(out, "is an area of vmalloc(): free it with vfree()"));
	assert_non_null(strstr(out, "vm_unmap_ram: 0x"));
	/* nothing was freed: the areas and the kmalloc object are intact */
	assert_int_equal(p[4 * PAGE_SIZE - 1], 0x11);
	assert_non_null(find_vm_area(p));
	capture_begin(&cap);
	vfree(p);
	vm_unmap_ram(r, 1);
	kfree(k);
	vfree(NULL);
	vunmap(NULL);
	assert_string_equal(capture_end(&cap), "");
	__free_page(pages[0]);
	kmm_exit();
}

static void test_vmalloc_of_nothing_or_too_much_is_null(void **state)
{
	struct capture cap;
	const char *out;

	(void)state;
	assert_int_equal(kmm_init("mem=256M vmalloc=32M"), 0);
	capture_begin(&cap);
	assert_null(vmalloc(0));
	assert_null(vmalloc(0));
	out = capture_end(&cap);
	assert_int_equal(count_lines(out), 1);
	assert_non_null(strstr(out, "WARNING: vmalloc: size 0"));
	/* more than the vmalloc area */
	capture_begin(&cap);
	assert_null(vmalloc(64UL << 20));
	out = capture_end(&cap);
	assert_non_null(strstr(out, "vmalloc_node_range for size 67112960 failed: Address range "
				    "restricted to"));
	assert_non_null(strstr(out, "vmalloc error: size 67108864, vm_struct allocation failed, "
				    "mode:0xcc0(GFP_KERNEL), nodemask=(null)"));
	assert_non_null(strstr(out, "Mem-Info:"));
	/* more than memory */
	capture_begin(&cap);
	assert_null(vmalloc(1UL << 30));
	out = capture_end(&cap);
	assert_non_null(strstr(out, "vmalloc error: size 1073741824, exceeds total pages"));
	/* nothing when asked not to warn */
	capture_begin(&cap);
	assert_null(__vmalloc(64UL << 20, GFP_KERNEL | __GFP_NOWARN));
	assert_string_equal(capture_end(&cap), "");
	/* and the area still works */
	vfree(vmalloc(31UL << 20));
	kmm_exit();
}

static void test_memory_running_out_fails_with_a_report(void **state)
{
	struct capture cap;
	const char *out;
	unsigned long before;
	void *p;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	before = accounted_pages();
	capture_begin(&cap);
	p = vmalloc(62UL << 20);
	out = capture_end(&cap);
	assert_null(p);
	assert_non_null(strstr(out, "vmalloc error: size"));
	assert_non_null(strstr(out, "failed to allocate pages"));
	/* what was taken went back */
	vm_unmap_aliases();
	assert_int_equal(accounted_pages(), before);
	assert_int_equal(meminfo_kb("VmallocUsed"), 0);
	kmm_exit();
}

static void test_zeroing_and_array_variants(void **state)
{
	unsigned char *p;
	size_t i;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	/* dirty some pages, then ask for zeroed ones */
	p = vmalloc(64 * PAGE_SIZE);
	memset(p, 0xff, 64 * PAGE_SIZE);
	vfree(p);
	vm_unmap_aliases();
	p = vzalloc(64 * PAGE_SIZE);
	for (i = 0; i < 64 * PAGE_SIZE; i++)
		assert_int_equal(p[i], 0);
	vfree(p);
	p = vcalloc(1000, 33);
	for (i = 0; i < 33000; i++)
		assert_int_equal(p[i], 0);
	vfree(p);
	assert_null(vmalloc_array(~0UL / 2, 3));
	assert_null(vcalloc(~0UL / 2, 3));
	p = vmalloc_array(10, 1000);
	assert_non_null(p);
	p[9999] = 1;
	vfree(p);
	vfree_atomic(vzalloc_node(PAGE_SIZE, 0));
	kmm_exit();
}

static void test_vmalloc_node_and_vmalloc_32_place_their_pages(void **state)
{
	struct vm_struct *vm;
	unsigned int i;
	void *p;

	(void)state;
	assert_int_equal(kmm_init("mem=6G numa=fake=2"), 0);
	p = vmalloc_node(2 << 20, 1);
	vm = find_vm_area(p);
	for (i = 0; i < vm->nr_pages; i++)
		assert_int_equal(page_to_nid(vm->pages[i]), 1);
	vfree(p);
	p = vmalloc_32(2 << 20);
	vm = find_vm_area(p);
	for (i = 0; i < vm->nr_pages; i++)
		assert_true(page_to_phys(vm->pages[i]) < (4UL << 30));
	vfree(p);
	/* __GFP_HIGHMEM is accepted (there is no HighMem zone yet) */
	p = __vmalloc(PAGE_SIZE, GFP_KERNEL | __GFP_HIGHMEM);
	assert_non_null(p);
	vfree(p);
	kmm_exit();
}

static void test_vmalloc_huge_maps_2m_leaves(void **state)
{
	const unsigned long size = (4UL << 20) + 1;
	unsigned long before, i, addr;
	struct vm_struct *vm;
	char line[256];
	char *p;

	(void)state;
	assert_int_equal(kmm_init("mem=256M"), 0);
	before = accounted_pages();
	p = vmalloc_huge(size, GFP_KERNEL);
	assert_non_null(p);
	addr = (unsigned long)p;
	assert_int_equal(addr & (PMD_SIZE - 1), 0);
	vm = find_vm_area(p);
	assert_int_equal(vm->page_order, 9);
	assert_int_equal(vm->nr_pages, 3 * 512);
	for (i = 0; i < 3; i++) {
		unsigned long a = addr + i * PMD_SIZE;
		pmd_t *pmd = pmd_offset(pud_offset(p4d_offset(pgd_offset_k(a), a), a), a);

		assert_true(pmd_leaf(*pmd));
		assert_int_equal(pmd_pfn(*pmd), page_to_pfn(vm->pages[i * 512]));
	}
	for (i = 0; i < 3 * 512; i++) {
		assert_ptr_equal(vmalloc_to_page(p + i * PAGE_SIZE + 7), vm->pages[i]);
		p[i * PAGE_SIZE] = (char)i;
		assert_int_equal(*(char *)page_address(vm->pages[i]), (char)i);
	}
	assert_non_null(vmallocinfo_line(p, line, sizeof(line)));
	assert_non_null(strstr(line, " 6295552 "));
	assert_non_null(strstr(line, " pages=1536 vmalloc N0=1536"));
	vfree(p);
	vm_unmap_aliases();
	assert_int_equal(accounted_pages(), before);
	/* below 2 MiB it is a vmalloc() */
	p = vmalloc_huge(PAGE_SIZE, GFP_KERNEL);
	assert_int_equal(find_vm_area(p)->page_order, 0);
	vfree(p);
	kmm_exit();
}

static void test_vm_map_ram_maps_and_unmaps(void **state)
{
	struct page *pages[5];
	int i, *v;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	alloc_scattered(pages, 5);
	v = vm_map_ram(pages, 5, NUMA_NO_NODE);
	assert_non_null(v);
	assert_null(find_vm_area(v));
	for (i = 0; i < 5; i++) {
		assert_int_equal(v[i * PAGE_SIZE / sizeof(int)], i);
		assert_ptr_equal(vmalloc_to_page((char *)v + i * PAGE_SIZE), pages[i]);
	}
	/* no guard page: the next area may start right after */
	vm_unmap_ram(v, 5);
	assert_null(vmalloc_to_page(v));
	for (i = 0; i < 5; i++)
		__free_page(pages[i]);
	kmm_exit();
}

static void test_get_vm_area_reserves_without_mapping(void **state)
{
	struct vm_struct *area, *bare;
	void *addr;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	area = get_vm_area(3 * PAGE_SIZE - 10, VM_MAP);
	assert_non_null(area);
	assert_int_equal(area->size, 4 * PAGE_SIZE);
	assert_int_equal(get_vm_area_size(area), 3 * PAGE_SIZE);
	assert_true(is_vmalloc_addr(area->addr));
	assert_null(vmalloc_to_page(area->addr));
	assert_ptr_equal(find_vm_area((char *)area->addr + PAGE_SIZE + 1), area);
	assert_int_equal(child_exit_status(read_byte, area->addr), CHILD_FAULTED);
	bare = get_vm_area(PAGE_SIZE, VM_MAP | VM_NO_GUARD);
	assert_int_equal(bare->size, PAGE_SIZE);
	assert_ptr_equal(bare->addr, (char *)area->addr + 4 * PAGE_SIZE);
	addr = bare->addr;
	free_vm_area(area);
	free_vm_area(bare);
	assert_null(find_vm_area(addr));
	kmm_exit();
}

static void test_vrealloc_keeps_the_contents(void **state)
{
	unsigned char *p, *q;
	struct capture cap;
	int i;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	p = vrealloc(NULL, 10000, GFP_KERNEL);
	assert_non_null(p);
	for (i = 0; i < 10000; i++)
		p[i] = (unsigned char)i;
	/* the area's third page holds up to 12288 bytes */
	q = vrealloc(p, 12000, GFP_KERNEL | __GFP_ZERO);
	assert_ptr_equal(q, p);
	for (i = 10000; i < 12000; i++)
		assert_int_equal(q[i], 0);
	q = vrealloc(p, 100000, GFP_KERNEL);
	assert_ptr_not_equal(q, p);
	for (i = 0; i < 10000; i++)
		assert_int_equal(q[i], (unsigned char)i);
	p = vrealloc(q, 50, GFP_KERNEL | __GFP_ZERO);
	assert_ptr_equal(p, q);
	p = vrealloc(p, 4096, GFP_KERNEL | __GFP_ZERO);
	for (i = 0; i < 50; i++)
		assert_int_equal(p[i], (unsigned char)i);
	for (i = 50; i < 4096; i++)
		assert_int_equal(p[i], 0);
	capture_begin(&cap);
	assert_null(vrealloc(p + PAGE_SIZE, 10, GFP_KERNEL));
	assert_non_null(strstr(capture_end(&cap), "Trying to vrealloc() nonexistent vm area"));
	assert_null(vrealloc(p, 0, GFP_KERNEL));
	assert_null(find_vm_area(p));
	kmm_exit();
}

static void test_kvmalloc_takes_kmalloc_up_to_its_limit_then_vmalloc(void **state)
{
	void *small, *limit, *above, *atomic;
	unsigned char *z, *grown;
	struct capture cap;
	size_t i;

	(void)state;
	assert_int_equal(kmm_init("mem=256M"), 0);
	small = kvmalloc(PAGE_SIZE, GFP_KERNEL);
	limit = kvmalloc(KMALLOC_MAX_SIZE, GFP_KERNEL);
	above = kvmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL);
	assert_true(small && limit && above);
	assert_false(is_vmalloc_addr(small));
	assert_false(is_vmalloc_addr(limit));
	assert_true(is_vmalloc_addr(above));
	/* the vmalloc fallback maps with 2 MiB leaves where it can */
	assert_int_equal(find_vm_area(above)->page_order, 9);
	/* no vmalloc for callers that may not sleep, and no warning */
	capture_begin(&cap);
	atomic = kvmalloc(KMALLOC_MAX_SIZE + 1, GFP_ATOMIC);
	assert_string_equal(capture_end(&cap), "");
	assert_null(atomic);
	assert_null(kvmalloc_array(~0UL / 2, 3, GFP_KERNEL));
	z = kvcalloc(3, KMALLOC_MAX_SIZE, GFP_KERNEL);
	assert_true(is_vmalloc_addr(z));
	for (i = 0; i < 3 * KMALLOC_MAX_SIZE; i += 4093)
		assert_int_equal(z[i], 0);
	kvfree(z);
	/* kvrealloc from kmalloc to vmalloc and back keeps the contents */
	memset(small, 0x42, PAGE_SIZE);
	grown = kvrealloc(small, 8UL << 20, GFP_KERNEL);
	assert_true(is_vmalloc_addr(grown));
	for (i = 0; i < PAGE_SIZE; i++)
		assert_int_equal(grown[i], 0x42);
	kvfree(kvrealloc(grown, 100, GFP_KERNEL));
	kvfree(limit);
	kvfree(above);
	kvfree(NULL);
	kmm_exit();
}

/* kvfree_rcu() of vmalloc memory: the area lives until a reader's grace period ends. */
struct rcu_area {
	char data[3 * 4096];
	struct rcu_head rcu; /* on the area's fourth page */
};

static void test_kvfree_rcu_of_vmalloc_memory_waits_for_readers(void **state)
{
	struct capture cap;
	struct rcu_area *a;
	struct rcu_reader reader;
	const char *out;

	(void)state;
	rcu_register_thread();
	assert_int_equal(kmm_init("mem=64M"), 0);
	a = vmalloc(sizeof(*a));
	assert_non_null(a);
	capture_begin(&cap);
	kvfree_call_rcu(&a->rcu, a->data + PAGE_SIZE);
	out = capture_end(&cap);
	assert_int_equal(count_lines(out), 1);
	assert_non_null(strstr(out, "not the start of a vmalloc area"));
	rcu_reader_start(&reader, 0, NULL, NULL);
	kvfree_rcu(a, rcu);
	usleep(50 * 1000);
	/* The reader still holds its lock: the area stays. */
	assert_ptr_equal(find_vm_area(a)->addr, a);
	rcu_reader_release(&reader);
	rcu_barrier();
	assert_null(find_vm_area(a));
	kmm_exit();
	rcu_unregister_thread();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kmm_test(test_every_page_of_10m_reads_back_through_the_direct_map),
		kmm_test(test_kvfree_rcu_of_vmalloc_memory_waits_for_readers),
		kmm_test(test_the_first_vmalloc_boots_a_machine),
		kmm_test(test_walk_agrees_with_vmalloc_to_pfn_and_pages),
		kmm_test(test_vmap_of_scattered_pages_aliases_them),
		kmm_test(test_read_only_vmap_faults_on_write),
		kmm_test(test_guard_page_faults_and_the_last_byte_does_not),
		kmm_test(test_freed_area_stays_mapped_until_the_purge),
		kmm_test(test_a_freed_range_is_reused_only_after_the_purge),
		kmm_test(test_freed_areas_give_their_host_mappings_back),
		kmm_test(test_a_physically_contiguous_run_is_one_host_mapping),
		kmm_test(test_kmap_gives_cleared_pkmap_entries_back),
		cmocka_unit_test_teardown(
			test_vmalloc_at_the_host_map_limit_fails_cleanly_and_recovers,
			unfill_host_mappings),
		kmm_test(test_20000_cycles_of_1m_in_a_32m_vmalloc_area),
		kmm_test(test_three_threads_vmalloc_and_vfree_at_random),
		kmm_test(test_vfree_gives_back_every_page),
		kmm_test(test_vmallocinfo_shows_areas_in_the_kernels_format),
		kmm_test(test_vmallocinfo_resolves_the_caller),
		kmm_test(test_meminfo_shows_vmalloc_and_page_tables),
		kmm_test(test_bad_frees_are_reported_and_refused),
		kmm_test(test_vmalloc_of_nothing_or_too_much_is_null),
		kmm_test(test_memory_running_out_fails_with_a_report),
		kmm_test(test_zeroing_and_array_variants),
		kmm_test(test_vmalloc_node_and_vmalloc_32_place_their_pages),
		kmm_test(test_vmalloc_huge_maps_2m_leaves),
		kmm_test(test_vm_map_ram_maps_and_unmaps),
		kmm_test(test_get_vm_area_reserves_without_mapping),
		kmm_test(test_vrealloc_keeps_the_contents),
		kmm_test(test_kvmalloc_takes_kmalloc_up_to_its_limit_then_vmalloc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
