/* SPDX-License-Identifier: MIT */
/*
 * pattern.h - the byte pattern the fuzz harness and the stress test keep in
 * every live allocation: a function of the allocation's id and the byte's
 * offset, so a byte written by anyone else, or a block handed out twice, is
 * found when the pattern is checked.
 */
#ifndef KMM_TEST_PATTERN_H
#define KMM_TEST_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t pat_word(uint32_t id, unsigned long w)
{
	uint64_t x = ((uint64_t)id << 32 | (uint32_t)w) * 0x9E3779B97F4A7C15ULL;

	return x ^ x >> 29 ^ (uint64_t)w << 40;
}

static inline uint8_t pat_byte(uint32_t id, unsigned long off)
{
	return (uint8_t)(pat_word(id, off >> 3) >> ((off & 7) * 8));
}

/*
 * pattern - fill (@check false) or check @len bytes at @p with the pattern of
 * @id from offset @off on.  Return: the first bad byte's index, or -1.
 */
static inline long pattern(unsigned char *p, uint32_t id, unsigned long off, size_t len, bool check)
{
	size_t i;

	for (i = 0; i < len && ((off + i) & 7); i++)
		if (check ? p[i] != pat_byte(id, off + i) : (p[i] = pat_byte(id, off + i), false))
			return (long)i;
	for (; i + 8 <= len; i += 8) {
		uint64_t w = pat_word(id, (off + i) >> 3), v;

		if (check) {
			memcpy(&v, p + i, 8);
			if (v != w)
				return (long)i;
		} else {
			memcpy(p + i, &w, 8);
		}
	}
	for (; i < len; i++)
		if (check ? p[i] != pat_byte(id, off + i) : (p[i] = pat_byte(id, off + i), false))
			return (long)i;
	return -1;
}

#endif /* KMM_TEST_PATTERN_H */
