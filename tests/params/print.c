/* SPDX-License-Identifier: MIT */
/* Prints every boot parameter, as kmm_init("help") does (tests/params/check.sh). */
#include <kmm/kmm.h>

int main(void)
{
	int ret = kmm_init("help");

	kmm_exit();
	return ret ? 1 : 0;
}
