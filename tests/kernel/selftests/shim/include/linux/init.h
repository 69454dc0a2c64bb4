/* SPDX-License-Identifier: MIT */
/*
 * <linux/init.h> for the kernel's self-tests: the section markers are empty
 * (a program has no init memory to free); module_init() is in <linux/module.h>.
 */
#ifndef KMM_SHIM_LINUX_INIT_H
#define KMM_SHIM_LINUX_INIT_H

#define __init
#define __exit
#define __initdata
#define __initconst
#define __ref

#endif /* KMM_SHIM_LINUX_INIT_H */
