/* SPDX-License-Identifier: MIT */
/*
 * The kernel page table: x86-64's geometry and entry bits, tables from the
 * page allocator counted in PageTables, and real mappings that follow the
 * table (read-only entries really read-only, cleared entries unmapped at the
 * flush, not before).
 */
#include <errno.h>
#include <kmm/kmm.h>
#include "kmm_test.h"

static int read_byte(void *p)
{
	return *(volatile unsigned char *)p;
}

static int write_byte(void *p)
{
	*(volatile unsigned char *)p = 0x77;
	return 0;
}

/* A pte_fn_t: map the page after the one *data points at, at each address. */
static int map_next_page(pte_t *pte, unsigned long addr, void *data)
{
	struct page ***next = data;

	(void)addr;
	set_pte(pte, mk_pte(*(*next)++, PAGE_KERNEL));
	return 0;
}

static int map_next_page_ro(pte_t *pte, unsigned long addr, void *data)
{
	struct page ***next = data;

	(void)addr;
	set_pte(pte, mk_pte(*(*next)++, PAGE_KERNEL_RO));
	return 0;
}

static int clear_pte(pte_t *pte, unsigned long addr, void *data)
{
	pte_clear(&kmm_init_mm, addr, pte);
	(*(int *)data)++;
	return 0;
}

static int count_present(pte_t *pte, unsigned long addr, void *data)
{
	(void)addr;
	*(int *)data += pte_present(ptep_get(pte));
	return 0;
}

/* walk - the pte of @addr from pgd down, as kernel code walks; NULL if a level is missing. */
static pte_t *walk(unsigned long addr)
{
	pgd_t *pgd = pgd_offset_k(addr);
	p4d_t *p4d;
	pud_t *pud;
	pmd_t *pmd;

	if (pgd_none(*pgd) || pgd_bad(*pgd))
		return NULL;
	p4d = p4d_offset(pgd, addr);
	if (p4d_none(*p4d) || p4d_bad(*p4d))
		return NULL;
	pud = pud_offset(p4d, addr);
	if (pud_none(*pud) || pud_bad(*pud))
		return NULL;
	pmd = pmd_offset(pud, addr);
	if (pmd_none(*pmd) || pmd_leaf(*pmd) || pmd_bad(*pmd))
		return NULL;
	return pte_offset_kernel(pmd, addr);
}

static void test_geometry_and_entry_bits_are_x86_64s(void **state)
{
	pte_t pte = pfn_pte(0x12345, PAGE_KERNEL);
	pgd_t pgd[PTRS_PER_PGD];

	(void)state;
	assert_int_equal(PGDIR_SHIFT, 39);
	assert_int_equal(PUD_SHIFT, 30);
	assert_int_equal(PMD_SHIFT, 21);
	assert_int_equal(PAGE_SHIFT, 12);
	assert_int_equal(PTRS_PER_PGD, 512);
	assert_int_equal(PTRS_PER_PUD, 512);
	assert_int_equal(PTRS_PER_PMD, 512);
	assert_int_equal(PTRS_PER_PTE, 512);
	assert_int_equal(PTRS_PER_P4D, 1);
	assert_int_equal(sizeof(pte_t), 8);
	assert_int_equal(_PAGE_PRESENT, 0x1);
	assert_int_equal(_PAGE_RW, 0x2);
	assert_int_equal(_PAGE_PSE, 0x80);
	assert_int_equal(_PAGE_NX, 1UL << 63);
	assert_int_equal(pte_val(pte), 0x12345000UL | __PAGE_KERNEL);
	assert_int_equal(pte_pfn(pte), 0x12345);
	assert_true(pte_present(pte));
	assert_true(pte_write(pte));
	assert_false(pte_exec(pte));
	assert_false(pte_write(pfn_pte(7, PAGE_KERNEL_RO)));
	assert_true(pte_present(pfn_pte(7, PAGE_KERNEL_RO)));
	assert_true(pte_exec(pfn_pte(7, PAGE_KERNEL_EXEC)));
	assert_false(pte_write(pte_wrprotect(pte)));
	assert_true(pte_none(__pte(0)));
	assert_true(pmd_leaf(pfn_pmd(512, PAGE_KERNEL_LARGE)));
	assert_int_equal(pmd_pfn(pfn_pmd(512, PAGE_KERNEL_LARGE)), 512);
	assert_false(pmd_leaf(__pmd(0x5000 | _KERNPG_TABLE)));
	assert_false(pmd_bad(__pmd(0x5000 | _KERNPG_TABLE)));
	assert_true(pmd_bad(pfn_pmd(512, PAGE_KERNEL_LARGE)));
	/* The indexes of an address at each level. */
	assert_int_equal(pgd_index(0x00007f8040401000UL), 0xff);
	assert_int_equal(pud_index(0x00007f8040401000UL), 0x1);
	assert_int_equal(pmd_index(0x00007f8040401000UL), 0x2);
	assert_int_equal(pte_index(0x00007f8040401000UL), 0x1);
	/* p4d is folded: its entry is the pgd entry, and pgd is never none. */
	assert_ptr_equal(p4d_offset(&pgd[3], 0), (void *)&pgd[3]);
	assert_false(pgd_none(__pgd(0)));
	assert_true(pgd_present(__pgd(0)));
	assert_int_equal(pgd_addr_end(0x7f0000001000UL, ~0UL), 0x7f8000000000UL);
	assert_int_equal(pmd_addr_end(0x200000UL, 0x300000UL), 0x300000UL);
}

static void test_walks_before_boot_find_nothing(void **state)
{
	int x;

	(void)state;
	assert_false(kmm_booted());
	assert_int_equal(VMALLOC_START, 0);
	assert_null(vmalloc_to_page(&x));
	assert_null(vmalloc_to_page((void *)0x7f0000000000UL));
	assert_false(is_vmalloc_addr(&x));
}

static void test_apply_to_page_range_makes_tables_counted_in_pagetables(void **state)
{
	enum { NR = 600 }; /* more than one pte table */
	struct page *pages[NR], **next = pages;
	struct vm_struct *area;
	long before;
	int i, present = 0;
	char *p;

	(void)state;
	assert_int_equal(kmm_init("mem=128M"), 0);
	before = meminfo_kb("PageTables");
	assert_int_equal(before, 0);
	area = get_vm_area(NR * PAGE_SIZE, VM_MAP);
	assert_non_null(area);
	p = area->addr;
	for (i = 0; i < NR; i++) {
		pages[i] = alloc_page(GFP_KERNEL);
		assert_non_null(pages[i]);
		*(int *)page_address(pages[i]) = i;
	}
	assert_int_equal(apply_to_page_range(&kmm_init_mm, (unsigned long)p, NR * PAGE_SIZE,
					     map_next_page, &next),
			 0);
	/* a pud table, a pmd table, and two or three pte tables */
	assert_true(meminfo_kb("PageTables") >= 16 && meminfo_kb("PageTables") <= 20);
	for (i = 0; i < NR; i++) {
		pte_t *pte = walk((unsigned long)p + i * PAGE_SIZE);

		assert_non_null(pte);
		assert_int_equal(pte_pfn(*pte), page_to_pfn(pages[i]));
		assert_true(PageTable(virt_to_page(pte)));
		/* the mapping is real: the direct map's bytes, seen at the vmalloc address */
		assert_int_equal(*(int *)(p + i * PAGE_SIZE), i);
		*(int *)(p + i * PAGE_SIZE + 8) = -i;
		assert_int_equal(((int *)page_address(pages[i]))[2], -i);
	}
	assert_int_equal(apply_to_existing_page_range(&kmm_init_mm, (unsigned long)p,
						      NR * PAGE_SIZE, count_present, &present),
			 0);
	assert_int_equal(present, NR);
	free_vm_area(area);
	vm_unmap_aliases();
	for (i = 0; i < NR; i++)
		__free_page(pages[i]);
	kmm_exit();
}

static void test_read_only_entries_are_really_read_only(void **state)
{
	struct page *page, *pages[1], **next = pages;
	struct vm_struct *area;
	unsigned char *p;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	*(unsigned char *)page_address(page) = 0x5a;
	pages[0] = page;
	area = get_vm_area(PAGE_SIZE, VM_MAP);
	assert_int_equal(apply_to_page_range(&kmm_init_mm, (unsigned long)area->addr, PAGE_SIZE,
					     map_next_page_ro, &next),
			 0);
	p = area->addr;
	assert_false(pte_write(*walk((unsigned long)p)));
	assert_int_equal(child_exit_status(read_byte, p), 0x5a);
	assert_int_equal(child_exit_status(write_byte, p), CHILD_FAULTED);
	/* the write went nowhere */
	assert_int_equal(*(unsigned char *)page_address(page), 0x5a);
	free_vm_area(area);
	__free_page(page);
	kmm_exit();
}

static void test_set_pte_is_mirrored_at_the_flush_not_before(void **state)
{
	struct vm_struct *area;
	struct page *page;
	unsigned long addr;
	pte_t *pte;
	int cleared = 0;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	page = alloc_page(GFP_KERNEL);
	*(unsigned char *)page_address(page) = 9;
	area = get_vm_area(PAGE_SIZE, VM_MAP);
	addr = (unsigned long)area->addr;
	/* the tables exist once apply_to_page_range() has been over the range */
	assert_int_equal(
		apply_to_page_range(&kmm_init_mm, addr, PAGE_SIZE, count_present, &cleared), 0);
	pte = walk(addr);
	assert_non_null(pte);
	assert_true(pte_none(*pte));
	set_pte(pte, mk_pte(page, PAGE_KERNEL));
	assert_ptr_equal(vmalloc_to_page(area->addr), page);
	/* the MMU has not seen the entry yet */
	assert_int_equal(child_exit_status(read_byte, area->addr), CHILD_FAULTED);
	flush_cache_vmap(addr, addr + PAGE_SIZE);
	assert_int_equal(child_exit_status(read_byte, area->addr), 9);
	/* clearing: still mapped until the TLB flush */
	pte_clear(&kmm_init_mm, addr, pte);
	assert_null(vmalloc_to_page(area->addr));
	assert_int_equal(child_exit_status(read_byte, area->addr), 9);
	flush_tlb_kernel_range(addr, addr + PAGE_SIZE);
	assert_int_equal(child_exit_status(read_byte, area->addr), CHILD_FAULTED);
	free_vm_area(area);
	__free_page(page);
	kmm_exit();
}

static void test_entries_cleared_by_apply_to_page_range_are_unmapped(void **state)
{
	struct page *pages[4], **next = pages;
	struct vm_struct *area;
	unsigned long addr;
	int i, cleared = 0;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	for (i = 0; i < 4; i++)
		pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
	area = get_vm_area(4 * PAGE_SIZE, VM_MAP);
	addr = (unsigned long)area->addr;
	assert_int_equal(
		apply_to_page_range(&kmm_init_mm, addr, 4 * PAGE_SIZE, map_next_page, &next), 0);
	assert_int_equal(child_exit_status(read_byte, (char *)area->addr + 3 * PAGE_SIZE), 0);
	assert_int_equal(apply_to_existing_page_range(&kmm_init_mm, addr + 2 * PAGE_SIZE,
						      2 * PAGE_SIZE, clear_pte, &cleared),
			 0);
	assert_int_equal(cleared, 2);
	assert_int_equal(child_exit_status(read_byte, (char *)area->addr + PAGE_SIZE), 0);
	assert_int_equal(child_exit_status(read_byte, (char *)area->addr + 2 * PAGE_SIZE),
			 CHILD_FAULTED);
	assert_int_equal(child_exit_status(read_byte, (char *)area->addr + 3 * PAGE_SIZE),
			 CHILD_FAULTED);
	free_vm_area(area);
	for (i = 0; i < 4; i++)
		__free_page(pages[i]);
	kmm_exit();
}

static void test_apply_to_page_range_refuses_outside_the_vmalloc_area(void **state)
{
	struct capture cap;
	const char *out;
	int n = 0, stack;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	capture_begin(&cap);
	assert_int_equal(apply_to_page_range(&kmm_init_mm, (unsigned long)&stack & PAGE_MASK,
					     PAGE_SIZE, count_present, &n),
			 -EINVAL);
	assert_int_equal(apply_to_page_range(&kmm_init_mm, VMALLOC_START + 100, PAGE_SIZE,
					     count_present, &n),
			 -EINVAL);
	assert_int_equal(apply_to_page_range(&kmm_init_mm, VMALLOC_END - PAGE_SIZE, 2 * PAGE_SIZE,
					     count_present, &n),
			 -EINVAL);
	out = capture_end(&cap);
	assert_int_equal(count_lines(out), 3);
	assert_non_null(strstr(out, "apply_to_page_range: ["));
	assert_non_null(strstr(out, "refused"));
	assert_int_equal(n, 0);
	assert_int_equal(meminfo_kb("PageTables"), 0);
	kmm_exit();
}

static int stop_at_third(pte_t *pte, unsigned long addr, void *data)
{
	(void)pte;
	(void)addr;
	return ++*(int *)data == 3 ? -EIO : 0;
}

static void test_an_error_of_fn_stops_the_walk(void **state)
{
	struct vm_struct *area;
	int n = 0;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	area = get_vm_area(8 * PAGE_SIZE, VM_MAP);
	assert_int_equal(apply_to_page_range(&kmm_init_mm, (unsigned long)area->addr, 8 * PAGE_SIZE,
					     stop_at_third, &n),
			 -EIO);
	assert_int_equal(n, 3);
	free_vm_area(area);
	kmm_exit();
}

static void test_kmm_exit_unmaps_the_vmalloc_area(void **state)
{
	unsigned long start;
	char *p;

	(void)state;
	assert_int_equal(kmm_init("mem=64M vmalloc=64M"), 0);
	start = VMALLOC_START;
	assert_int_equal(start & (PUD_SIZE - 1), 0);
	assert_int_equal(VMALLOC_END - VMALLOC_START, 64UL << 20);
	p = vmalloc(PAGE_SIZE);
	assert_non_null(p);
	p[0] = 1;
	assert_int_equal(child_exit_status(read_byte, p), 1);
	kmm_exit();
	assert_int_equal(VMALLOC_START, 0);
	assert_null(vmalloc_to_page(p));
	assert_false(is_vmalloc_addr(p));
	assert_int_equal(child_exit_status(read_byte, p), CHILD_FAULTED);
	/* a new machine starts from an empty table */
	assert_int_equal(kmm_init("mem=64M"), 0);
	assert_int_equal(meminfo_kb("PageTables"), 0);
	assert_int_equal(meminfo_kb("VmallocTotal"), 32L << 20);
	p = vmalloc(PAGE_SIZE);
	assert_non_null(p);
	p[0] = 2;
	vfree(p);
	kmm_exit();
}

static void test_vmalloc_parameter_is_checked(void **state)
{
	struct capture cap;
	const char *out;

	(void)state;
	capture_begin(&cap);
	assert_int_equal(kmm_init("vmalloc=12"), -EINVAL);
	assert_int_equal(kmm_init("vmalloc=100T"), -EINVAL);
	out = capture_end(&cap);
	assert_int_equal(count_lines(out), 2);
	assert_non_null(strstr(out, "vmalloc expects a size from 1M to 16T"));
	assert_false(kmm_booted());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kmm_test(test_geometry_and_entry_bits_are_x86_64s),
		kmm_test(test_walks_before_boot_find_nothing),
		kmm_test(test_apply_to_page_range_makes_tables_counted_in_pagetables),
		kmm_test(test_read_only_entries_are_really_read_only),
		kmm_test(test_set_pte_is_mirrored_at_the_flush_not_before),
		kmm_test(test_entries_cleared_by_apply_to_page_range_are_unmapped),
		kmm_test(test_apply_to_page_range_refuses_outside_the_vmalloc_area),
		kmm_test(test_an_error_of_fn_stops_the_walk),
		kmm_test(test_kmm_exit_unmaps_the_vmalloc_area),
		kmm_test(test_vmalloc_parameter_is_checked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
