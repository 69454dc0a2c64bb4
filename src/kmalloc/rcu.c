/* SPDX-License-Identifier: MIT */
/*
 * kmalloc/rcu.c - kfree_rcu() and kfree_rcu_mightsleep() on liburcu (its
 * default flavour, <urcu.h>), the kernel's kvfree_call_rcu().
 *
 * kfree_rcu(ptr, field) queues &ptr->field with call_rcu().  The callback gets
 * only that rcu_head's address and finds the object from it, as the kernel's
 * kfree_rcu() did with the head's offset: in a slab, every page records the
 * cache and the address of the slab's first object, so the object is
 * (head - first) / size objects in; in a large kmalloc it is the compound
 * head's address; in vmalloc memory (kvfree_rcu() of a kvmalloc() that fell
 * back), the start of the area that contains it.  The callback then frees it,
 * on liburcu's call_rcu thread.  kmm_exit() waits for pending callbacks
 * (rcu_barrier()) before the machine goes away.
 *
 * Locking: kfree_rcu_fork_lock, for reading around writing a head and
 * queueing it; fork (the step KMM_FORK_RCU) holds it for writing from
 * before physical memory is copied until fork() is over.  The head is in the
 * object, in physical memory, which the child gets as it was at the copy;
 * liburcu's queue is in the process's memory, which it gets at fork(): a
 * head queued in between would be queued in the child without its contents.
 * Fork takes liburcu's call_rcu_mutex before this lock, and a process's
 * first call_rcu() takes that mutex: the call_rcu thread is started before
 * the lock is taken.
 */
#include <pthread.h>
#include <urcu.h>

#include "boot/subsys.h"

#include <kmm/vmalloc.h>

#include "kmalloc/kmalloc.h"
#include "report/report.h"
#include "sync/lock.h"

/* a fork waits for heads being queued, and holds new ones off (writers first) */
static pthread_rwlock_t kfree_rcu_fork_lock = PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;

/* The start of the slab object or large kmalloc that contains @addr (kfree() checks it). */
static void *object_containing(const void *addr)
{
	struct page *page = virt_to_page(addr), *head = compound_head(page);

	if (PageSlab(head)) {
		const struct kmem_cache *s = (const struct kmem_cache *)page->mapping;
		unsigned long first = page->private;

		/* A true division: obj_to_index() is exact only for an object's start. */
		return (void *)(first + ((unsigned long)addr - first) / s->size * s->size);
	}
	return page_address(head);
}

static void kfree_rcu_callback(struct rcu_head *head)
{
	if (is_vmalloc_addr(head))
		vfree(find_vm_area(head)->addr);
	else
		kfree(object_containing(head));
}

/* The bytes of @ptr, the start of something kvfree() takes; 0 with a report otherwise. */
static size_t kvfree_rcu_size(const void *ptr)
{
	struct kmem_cache *s;
	struct page *large;
	const char *problem;
	char why[128];

	if (is_vmalloc_addr(ptr)) {
		struct vm_struct *area = find_vm_area(ptr);

		if (area && area->addr == ptr)
			return get_vm_area_size(area);
		kmm_report("kfree_rcu: %p: not the start of a vmalloc area, refused", ptr);
		return 0;
	}
	problem = kfree_target(ptr, &s, &large, why, sizeof(why));
	if (problem) {
		kmm_report("kfree_rcu: %p: %s, refused", ptr, problem);
		return 0;
	}
	return s ? s->object_size : PAGE_SIZE << compound_order(large);
}

void kvfree_call_rcu(struct rcu_head *head, void *ptr)
{
	size_t size;

	if (!head) {
		synchronize_rcu();
		kvfree(ptr);
		return;
	}
	size = kvfree_rcu_size(ptr);
	if (!size)
		return;
	if (size < sizeof(*head) ||
	    (unsigned long)head - (unsigned long)ptr > size - sizeof(*head)) {
		kmm_report("kfree_rcu: rcu_head %p is not inside the object %p, refused",
			   (void *)head, ptr);
		return;
	}
	(void)get_default_call_rcu_data(); /* see "Locking" above */
	kmm_rwlock_lock(&kfree_rcu_fork_lock, false);
	call_rcu(head, kfree_rcu_callback);
	pthread_rwlock_unlock(&kfree_rcu_fork_lock);
}

static void kfree_rcu_fork_prepare(void)
{
	pthread_rwlock_wrlock(&kfree_rcu_fork_lock);
}

static void kfree_rcu_fork_parent(void)
{
	pthread_rwlock_unlock(&kfree_rcu_fork_lock);
}

static void kfree_rcu_fork_child(void)
{
	kfree_rcu_fork_lock = (pthread_rwlock_t)PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;
}

const struct kmm_fork_ops kfree_rcu_fork_ops[1] = {
	{KMM_FORK_RCU, kfree_rcu_fork_prepare, NULL, kfree_rcu_fork_parent, kfree_rcu_fork_child},
};
