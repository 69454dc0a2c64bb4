/* SPDX-License-Identifier: MIT */
/*
 * malloc/malloc.h - what the files of libkmm-malloc.so share: the thread's
 * "inside libkmm" depth, the boot of the machine, the bootstrap arena and the
 * frees deferred while a thread is inside libkmm.
 *
 * libkmm-malloc.so is a program of libkmm's, not part of the library: it
 * uses libkmm's public API and a few of its internal calls: for its checks,
 * kfree_target() and kmm_report(); for its boot, the host's limits
 * (boot/limits.h) and kmm_fork_init().  malloc.c owns the C API (malloc(), free(),
 * ...); bootstrap.c owns everything here.
 *
 * Locking: see bootstrap.c.  malloc_depth is the calling thread's own.
 */
#ifndef KMM_MALLOC_INTERNAL_H
#define KMM_MALLOC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

/*
 * malloc_depth - how many libkmm calls of the front end the calling thread is
 * inside.  Above 0, a malloc() comes from inside libkmm (its boot, or libc
 * called by a slow path: pthread_create() of a kernel thread, backtrace()...)
 * and must not re-enter libkmm, whose locks the thread may hold: it is
 * served by the bootstrap arena, and frees are deferred.
 */
extern __thread unsigned int malloc_depth __attribute__((tls_model("initial-exec")));

/*
 * malloc_boot - boot the machine if it is not running: KMM_CMDLINE after the
 * front end's defaults (bootstrap.c says which).  Called outside libkmm.
 * Return: 0 when a machine runs; -errno when none could be booted (reported
 * once; every allocation fails with ENOMEM from then on).
 */
int malloc_boot(void);

/* The bootstrap arena: 1 MiB of the library's bss, handed out once, never reused. */
#define BOOTSTRAP_ARENA_SIZE (1UL << 20)

/*
 * bootstrap_alloc - @size bytes aligned to @align (a power of two, at least
 * 16) from the bootstrap arena, zeroed (the arena is never reused).
 * Context: any, lock-free.  Return: the bytes; NULL when the arena is used
 * up (said once on stderr).
 */
void *bootstrap_alloc(size_t size, size_t align);

/* bootstrap_owns - is @ptr inside the bootstrap arena? */
bool bootstrap_owns(const void *ptr);

/* bootstrap_size - the bytes usable at @ptr, an address bootstrap_alloc() returned. */
size_t bootstrap_size(const void *ptr);

/*
 * defer_free - free @obj, a checked allocation of the machine, later: the
 * calling thread is inside libkmm.  Lock-free; the object holds the link.
 */
void defer_free(void *obj);

/* take_deferred_frees - the deferred objects, taken, in a list linked through their first word; NULL if none. */
void *take_deferred_frees(void);

/* deferred_pending - are frees waiting?  One relaxed load, for the slow paths. */
bool deferred_pending(void);

#endif /* KMM_MALLOC_INTERNAL_H */
