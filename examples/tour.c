/* Placeholder replaced below. */
#include <kmm/kmm.h>
int main(void)
{
	kmm_init("mem=64M");
	kmm_show("buddyinfo", stdout);
	kmm_exit();
	return 0;
}
