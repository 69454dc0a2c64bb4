/* SPDX-License-Identifier: MIT */
/*
 * <linux/overflow.h>: arithmetic that reports overflow, and the size helpers
 * allocation sizes are written with.  check_*_overflow() store the wrapped
 * result and return true when it overflowed; size_*(), array_size(),
 * struct_size() and flex_array_size() saturate at SIZE_MAX instead, so that an
 * allocation of an overflowed size fails rather than comes out small.
 */
#ifndef KMM_LINUX_OVERFLOW_H
#define KMM_LINUX_OVERFLOW_H

#include <stddef.h>
#include <stdint.h>

#define check_add_overflow(a, b, d) __builtin_add_overflow(a, b, d)
#define check_sub_overflow(a, b, d) __builtin_sub_overflow(a, b, d)
#define check_mul_overflow(a, b, d) __builtin_mul_overflow(a, b, d)

/* size_mul - @factor1 * @factor2, or SIZE_MAX if that overflows. */
static inline size_t size_mul(size_t factor1, size_t factor2)
{
	size_t bytes;

	if (check_mul_overflow(factor1, factor2, &bytes))
		return SIZE_MAX;
	return bytes;
}

/* size_add - @addend1 + @addend2, or SIZE_MAX if that overflows (or either is SIZE_MAX). */
static inline size_t size_add(size_t addend1, size_t addend2)
{
	size_t bytes;

	if (check_add_overflow(addend1, addend2, &bytes))
		return SIZE_MAX;
	return bytes;
}

/* size_sub - @minuend - @subtrahend; SIZE_MAX if either is SIZE_MAX or it goes below 0. */
static inline size_t size_sub(size_t minuend, size_t subtrahend)
{
	size_t bytes;

	if (minuend == SIZE_MAX || subtrahend == SIZE_MAX ||
	    check_sub_overflow(minuend, subtrahend, &bytes))
		return SIZE_MAX;
	return bytes;
}

#define array_size(a, b)		   size_mul(a, b)
#define array3_size(a, b, c)		   size_mul(size_mul(a, b), c)
/* flex_array_size - bytes of @count elements of the flexible array @member of *@p. */
#define flex_array_size(p, member, count)  size_mul(count, sizeof(*(p)->member))
/* struct_size - bytes of *@p with @count elements of its flexible array @member. */
#define struct_size(p, member, count)	   size_add(sizeof(*(p)), flex_array_size(p, member, count))
/* struct_size_t - struct_size() of the type @type. */
#define struct_size_t(type, member, count) struct_size((type *)NULL, member, count)

#endif /* KMM_LINUX_OVERFLOW_H */
