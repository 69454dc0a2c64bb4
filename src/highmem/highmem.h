/* SPDX-License-Identifier: MIT */
/*
 * highmem/highmem.h - the highmem subsystem's hooks into boot.
 *
 * highmem.c owns kmap() (the PKMAP area, pkmap_count[], the waiters) and
 * kmap_local_page() (each CPU's slots of the kmap_local area).  The areas'
 * addresses are laid out by pagetable_init() (<kmm/pgtable.h>).
 */
#ifndef KMM_HIGHMEM_INTERNAL_H
#define KMM_HIGHMEM_INTERNAL_H

/*
 * highmem_init - at kmm_init(), once the page allocator runs: forget the last
 * machine's kmaps and, with highmem=, make the pte tables of the PKMAP and
 * kmap_local areas (kmap_local_page() never allocates).
 * Return: 0, or -ENOMEM if a table page cannot be had.
 */
struct kmm_cpu;

int highmem_init(void);
/* highmem_exit - at kmm_exit(): forget the tables (they go with the machine's memory). */
void highmem_exit(void);

/*
 * kmap_local_thread_exit - the calling thread, @cpu's owner, is exiting: any
 * kmap_local_page() it left mapped is reported and unmapped, so the next owner
 * of the CPU's slots starts clean.
 */
void kmap_local_thread_exit(struct kmm_cpu *cpu);

/*
 * fork (boot/fork.c): kmap_lock is held across fork(); the child re-initialises
 * it and pkmap_map_wait (its waiters do not exist there).  PKMAP entries that
 * threads gone in the child held stay taken.  kmap_local_fork_release() clears
 * the kmap_local slots of @cpu, whose thread does not exist in the child.
 */
void kmap_fork_prepare(void);
void kmap_fork_parent(void);
void kmap_fork_child(void);
void kmap_local_fork_release(struct kmm_cpu *cpu);

#endif /* KMM_HIGHMEM_INTERNAL_H */
