/* SPDX-License-Identifier: MIT */
/*
 * <linux/module.h> for the kernel's self-tests: a test module becomes a
 * program.  module_init() and module_exit() register the module's functions
 * (with constructors, before main()); the shim's main() (shim/module.c) sets
 * the module's parameters from its arguments, as insmod's "name=value", runs
 * the init function, then the exit function if init succeeded, and exits
 * nonzero if init failed, as insmod does.  The MODULE_*() tags are checked
 * for being strings and kept nowhere.  As the kernel's, it includes
 * <linux/percpu.h> and <linux/rcupdate.h> (libkmm's: alloc_percpu(),
 * rcu_read_lock(), kfree_rcu()).
 */
#ifndef KMM_SHIM_LINUX_MODULE_H
#define KMM_SHIM_LINUX_MODULE_H

#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h> /* libkmm's, as the kernel's module.h includes it */
#include <linux/rcupdate.h>

/* kmm_module_register - the module's init and exit functions (either may be NULL). */
void kmm_module_register_init(int (*init)(void));
void kmm_module_register_exit(void (*exit)(void));

#define module_init(fn)                                                                            \
	__attribute__((constructor)) static void __kmm_module_init_##fn(void)                      \
	{                                                                                          \
		kmm_module_register_init(fn);                                                      \
	}
#define module_exit(fn)                                                                            \
	__attribute__((constructor)) static void __kmm_module_exit_##fn(void)                      \
	{                                                                                          \
		kmm_module_register_exit(fn);                                                      \
	}

#define __kmm_module_tag(tag, s) _Static_assert(sizeof(s "") > 0, tag)
#define MODULE_LICENSE(s)	 __kmm_module_tag("MODULE_LICENSE", s)
#define MODULE_AUTHOR(s)	 __kmm_module_tag("MODULE_AUTHOR", s)
#define MODULE_DESCRIPTION(s)	 __kmm_module_tag("MODULE_DESCRIPTION", s)
#define MODULE_VERSION(s)	 __kmm_module_tag("MODULE_VERSION", s)
#define MODULE_ALIAS(s)		 __kmm_module_tag("MODULE_ALIAS", s)
#define THIS_MODULE		 ((struct module *)0)

struct module;

#endif /* KMM_SHIM_LINUX_MODULE_H */
