/* SPDX-License-Identifier: MIT */
/*
 * <linux/mmzone.h>: the kernel's spelling of <kmm/mmzone.h>, with the kernel's
 * names of the node table (libkmm exports them with a kmm_ prefix).
 */
#ifndef KMM_LINUX_MMZONE_H
#define KMM_LINUX_MMZONE_H

#include <kmm/mmzone.h>

#define node_data	  kmm_node_data
#define nr_online_nodes	  kmm_nr_online_nodes
#define migratetype_names kmm_migratetype_names

#endif /* KMM_LINUX_MMZONE_H */
