/* SPDX-License-Identifier: MIT */
/* <linux/jiffies.h> for the kernel's self-tests: in <linux/timex.h>. */
#include <linux/timex.h>
