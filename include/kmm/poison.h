/* SPDX-License-Identifier: MIT */
/*
 * kmm/poison.h - the byte values debugging writes into memory (<linux/poison.h>),
 * the kernel's values, so that a hex dump reads as it would in a kernel report.
 */
#ifndef KMM_POISON_H
#define KMM_POISON_H

/* slub_debug=Z: the red zones around an object, while it is free and while in use. */
#define SLUB_RED_INACTIVE 0xbb
#define SLUB_RED_ACTIVE	  0xcc

/* slub_debug=P: a free object is POISON_FREE with POISON_END in its last byte. */
#define POISON_INUSE 0x5a /* padding (and, in the kernel, uninitialised bytes) */
#define POISON_FREE  0x6b
#define POISON_END   0xa5

/* page_poison=1: every byte of a free page. */
#define PAGE_POISON 0xaa

#endif /* KMM_POISON_H */
