/* SPDX-License-Identifier: MIT */
/*
 * <kunit/resource.h> for the kernel's self-tests: a test's named resources.
 * A resource lives on its test's list from kunit_add_named_resource() until
 * the case ends (its free function runs then).  The layout keeps the
 * kernel's first member, data, which is what code under test reads.
 */
#ifndef KMM_SHIM_KUNIT_RESOURCE_H
#define KMM_SHIM_KUNIT_RESOURCE_H

#include <linux/list.h>

struct kunit;
struct kunit_resource;

typedef int (*kunit_resource_init_t)(struct kunit_resource *, void *);
typedef void (*kunit_resource_free_t)(struct kunit_resource *);

struct kunit_resource {
	void *data;		    /* the resource itself */
	const char *name;	    /* its name, or NULL */
	kunit_resource_free_t free; /* run when the case ends, or NULL */
	int refcount;		    /* the list's reference and finds not yet put (atomic) */
	struct list_head node;	    /* on the test's resources */
};

int kunit_add_named_resource(struct kunit *test, kunit_resource_init_t init,
			     kunit_resource_free_t free, struct kunit_resource *res,
			     const char *name, void *data);
/* kunit_find_named_resource - the test's resource @name, held; put it with kunit_put_resource(). */
struct kunit_resource *kunit_find_named_resource(struct kunit *test, const char *name);
void kunit_put_resource(struct kunit_resource *res);

#endif /* KMM_SHIM_KUNIT_RESOURCE_H */
