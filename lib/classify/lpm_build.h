/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the one-pass builds of lpm4.c and lpm6.c share: the rules in depth
 * order, and runs of entries set to one value.
 */
#ifndef OP25B_LPM_BUILD_H
#define OP25B_LPM_BUILD_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include "op25b_policy.h"

/*
 * Counting sort of @n rules of @size bytes by the depth byte at
 * @depth_offset (0..@max_depth): O(n), and stable, so that among
 * duplicates the later rule is written later and wins. The rules are
 * checked first: a depth past @max_depth, or a zero value byte at
 * @value_offset, leaves them as they were.
 * Returns 0, -EINVAL (a bad rule) or -ENOMEM.
 */
static inline int
lpm_sort_by_depth(void *rules, size_t n, size_t size, size_t depth_offset,
		  size_t value_offset, unsigned int max_depth)
{
	uint8_t *r = rules, *sorted;
	size_t start[128 + 2] = { 0 }; /* depth + 1, 0..129 */
	size_t i;

	if (max_depth > 128)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (r[i * size + depth_offset] > max_depth ||
		    r[i * size + value_offset] == 0)
			return -EINVAL;
	for (i = 0; i < n; i++)
		start[r[i * size + depth_offset] + 1]++;
	for (i = 1; i <= max_depth + 1; i++)
		start[i] += start[i - 1];
	sorted = op25b_alloc_large(n * size + 1);
	if (sorted == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		memcpy(&sorted[start[r[i * size + depth_offset]]++ * size],
		       &r[i * size], size);
	memcpy(rules, sorted, n * size);
	free(sorted);
	return 0;
}

/*
 * One level of a table: @size bytes on @socket_id, cache-aligned, zeroed
 * when @zero (the first level, whose entries start empty; a group is
 * filled when it is made), counted in *@memory. NULL when out of memory.
 */
static inline void *
lpm_level_alloc(const char *name, size_t size, bool zero, int socket_id,
		size_t *memory)
{
	void *level = zero ? rte_zmalloc_socket(name, size, RTE_CACHE_LINE_SIZE,
						socket_id)
			   : rte_malloc_socket(name, size, RTE_CACHE_LINE_SIZE,
					       socket_id);

	if (level != NULL)
		*memory += size;
	return level;
}

/* A count's two scratch buffers, @a and @b, fresh from malloc or calloc:
 * 0 when both came, -ENOMEM (and neither is left) when one did not. */
static inline int
lpm_scratch_pair(void *a, void *b)
{
	if (a != NULL && b != NULL)
		return 0;
	free(a);
	free(b);
	return -ENOMEM;
}

/* @count entries from @e set to @value. */
static inline void
lpm_fill32(uint32_t *e, uint32_t count, uint32_t value)
{
	uint32_t j;

	for (j = 0; j < count; j++)
		e[j] = value;
}

#endif /* OP25B_LPM_BUILD_H */
