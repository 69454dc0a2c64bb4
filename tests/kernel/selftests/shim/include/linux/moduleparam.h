/* SPDX-License-Identifier: MIT */
/*
 * <linux/moduleparam.h> for the kernel's self-tests: module_param(name, type,
 * perm) registers the variable @name (a constructor, before main()) under its
 * own name; the program's arguments "name=value" set it before the module's
 * init function runs.  Types: bool, invbool, int, uint, long, ulong, short,
 * ushort, charp.  A value that does not parse, or an unknown name, is an
 * error, as insmod's "Unknown parameter".
 */
#ifndef KMM_SHIM_LINUX_MODULEPARAM_H
#define KMM_SHIM_LINUX_MODULEPARAM_H

#include <stdbool.h>

/* kmm_module_param_register - @var of kernel type @type ("int", "bool", ...) is parameter @name. */
void kmm_module_param_register(const char *name, const char *type, void *var, unsigned int size);

/* The type is spelled before expansion where it can be: <stdbool.h> makes bool a macro for _Bool. */
#define __kmm_module_param(name, var, type_name)                                                   \
	__attribute__((constructor)) static void __kmm_module_param_##name(void)                   \
	{                                                                                          \
		kmm_module_param_register(#name, type_name, &(var), sizeof(var));                  \
	}                                                                                          \
	extern int __kmm_module_param_tail_##name
#define module_param_named(name, var, type, perm) __kmm_module_param(name, var, #type)
#define module_param(name, type, perm)		  __kmm_module_param(name, name, #type)
#define MODULE_PARM_DESC(name, desc)		  _Static_assert(sizeof(desc "") > 0, "MODULE_PARM_DESC")

#endif /* KMM_SHIM_LINUX_MODULEPARAM_H */
