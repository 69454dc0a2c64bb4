/* SPDX-License-Identifier: MIT */
/*
 * <linux/printk.h> for the kernel's self-tests: printk() and pr_*() print to
 * standard output, one whole line per call (stdio's lock), with the file's
 * pr_fmt() prefix.  KERN_* levels are dropped.
 */
#ifndef KMM_SHIM_LINUX_PRINTK_H
#define KMM_SHIM_LINUX_PRINTK_H

#include <stdio.h>

#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif

#define KERN_EMERG   ""
#define KERN_ALERT   ""
#define KERN_CRIT    ""
#define KERN_ERR     ""
#define KERN_WARNING ""
#define KERN_NOTICE  ""
#define KERN_INFO    ""
#define KERN_DEBUG   ""
#define KERN_CONT    ""

#define printk(fmt, ...)    printf(fmt, ##__VA_ARGS__)
#define pr_emerg(fmt, ...)  printk(pr_fmt(fmt), ##__VA_ARGS__)
#define pr_alert(fmt, ...)  printk(pr_fmt(fmt), ##__VA_ARGS__)
#define pr_crit(fmt, ...)   printk(pr_fmt(fmt), ##__VA_ARGS__)
#define pr_err(fmt, ...)    printk(pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...)   printk(pr_fmt(fmt), ##__VA_ARGS__)
#define pr_notice(fmt, ...) printk(pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...)   printk(pr_fmt(fmt), ##__VA_ARGS__)
#define pr_cont(fmt, ...)   printk(fmt, ##__VA_ARGS__)
/* pr_debug() is compiled out unless DEBUG is defined, as without dynamic debug. */
#ifdef DEBUG
#define pr_debug(fmt, ...) printk(pr_fmt(fmt), ##__VA_ARGS__)
#else
#define pr_debug(fmt, ...)                                                                         \
	do {                                                                                       \
		if (0)                                                                             \
			printk(pr_fmt(fmt), ##__VA_ARGS__);                                        \
	} while (0)
#endif

#endif /* KMM_SHIM_LINUX_PRINTK_H */
