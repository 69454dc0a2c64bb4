/* SPDX-License-Identifier: MIT */
/*
 * <linux/rcupdate.h>: RCU for ported code, on liburcu's default flavour
 * (<urcu.h>: rcu_read_lock(), synchronize_rcu(), call_rcu(), rcu_barrier(),
 * rcu_dereference(), rcu_assign_pointer(); each thread that reads registers
 * with rcu_register_thread()), and kfree_rcu()/kvfree_rcu() where the kernel
 * declares them (libkmm's, <kmm/kmalloc.h>).  Link liburcu (pkg-config liburcu).
 */
#ifndef KMM_LINUX_RCUPDATE_H
#define KMM_LINUX_RCUPDATE_H

#include <urcu.h>
#include <kmm/slab.h>

#endif /* KMM_LINUX_RCUPDATE_H */
