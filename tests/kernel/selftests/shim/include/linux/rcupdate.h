/* SPDX-License-Identifier: MIT */
/*
 * <linux/rcupdate.h> for the kernel's self-tests: libkmm's RCU is liburcu's
 * default flavour (<urcu.h>: rcu_read_lock(), synchronize_rcu(), struct
 * rcu_head), with kfree_rcu() in libkmm's <linux/slab.h>.  Once libkmm has
 * its own <linux/rcupdate.h> (the build defines KMM_HAVE_LINUX_RCUPDATE_H),
 * that one is used.
 */
#ifndef KMM_SHIM_LINUX_RCUPDATE_H
#define KMM_SHIM_LINUX_RCUPDATE_H

#ifdef KMM_HAVE_LINUX_RCUPDATE_H
#include_next <linux/rcupdate.h>
#else
#include <urcu.h>
#include <linux/slab.h>
#endif

#endif /* KMM_SHIM_LINUX_RCUPDATE_H */
