/* A program that uses an installed libkmm through the kernel's header spellings. */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <kmm/kmm.h>

int main(void)
{
	struct page *page;

	if (kmm_init("mem=32M") != 0)
		return 1;
	page = alloc_pages(GFP_KERNEL | __GFP_ZERO, 1);
	if (!page || ((char *)page_address(page))[100] != 0)
		return 2;
	__free_pages(page, 1);
	kmm_exit();
	return 0;
}
