/* SPDX-License-Identifier: MIT */
/* <linux/ktime.h> for the kernel's self-tests: in <linux/timex.h>. */
#include <linux/timex.h>
