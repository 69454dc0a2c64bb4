/* SPDX-License-Identifier: MIT */
/*
 * boot/limits.h - the host's limits on a machine, and what a machine costs in
 * them: shared by the boot (which refuses, with a report, a machine that does
 * not fit) and the malloc front end (which sizes its default machine to fit).
 *
 * A machine of mem= bytes, highmem= of them above the direct map, and a
 * vmalloc area of vmalloc= bytes costs:
 *  - RLIMIT_FSIZE (ulimit -f): mem= bytes, the size of the memfd;
 *  - RLIMIT_AS (ulimit -v): machine_address_space(): the direct map (mem=
 *    minus highmem=; the memmap and the pageblock types are inside it, carved
 *    by memblock), the vmalloc area (vmalloc=), with highmem= the PKMAP and
 *    kmap_local areas after it (KMAP_AREAS_BYTES), and a stack for each of
 *    libkmm's threads (kswapd per node, the slab reaper, free page reporting,
 *    kmmstat).  Both reservations are made at their exact size (boot/machine.c
 *    reserve_aligned()), not with their 1 GiB alignment slack on top;
 *  - the memory cgroup: only the frames the program touches.
 * See docs/malloc.md for the front end's rule.
 *
 * No locking; nothing here allocates or uses stdio (the front end calls it
 * inside its first malloc()).
 */
#ifndef KMM_BOOT_LIMITS_H
#define KMM_BOOT_LIMITS_H

/* No limit. */
#define HOST_UNLIMITED (~0ULL)

/* host_fsize_limit - RLIMIT_FSIZE's soft limit in bytes: the largest memfd; HOST_UNLIMITED. */
unsigned long long host_fsize_limit(void);

/* host_as_limit - RLIMIT_AS's soft limit in bytes; HOST_UNLIMITED. */
unsigned long long host_as_limit(void);

/*
 * host_as_left - the address space the process may still map: RLIMIT_AS minus
 * what it maps now (/proc/self/statm); HOST_UNLIMITED without a limit.
 */
unsigned long long host_as_left(void);

/*
 * host_memcg_limit - the memory limit of the process's memory cgroup and its
 * ancestors, the lowest (cgroup v2 memory.max, v1 memory.limit_in_bytes), in
 * bytes; HOST_UNLIMITED if none is set or none can be read.
 */
unsigned long long host_memcg_limit(void);

/* machine_address_space - the bytes of address space a machine of these parameters maps. */
unsigned long long machine_address_space(unsigned long long mem, unsigned long long highmem,
					 unsigned long long vmalloc, int nr_nodes);

#endif /* KMM_BOOT_LIMITS_H */
