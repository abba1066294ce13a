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

struct lpm_wide_candidate {
	uint32_t count; /* what earns the /16 its wide group */
	uint16_t i16;	/* the /16 */
};

static inline int
lpm_compare_wide_candidates(const void *a, const void *b)
{
	const struct lpm_wide_candidate *ca = a, *cb = b;

	if (ca->count != cb->count)
		return ca->count > cb->count ? -1 : 1;
	return (int)ca->i16 - (int)cb->i16;
}

/*
 * The wide groups of a table (lpm4.h, lpm6.h): of the 65,536 /16s, those
 * with a nonzero @per16 count, the largest first (the lower /16 on a
 * tie), at most @max, set in the bitmap @wide (8 KB, zeroed); *@sum gets
 * their counts added up. Returns how many, or -ENOMEM.
 */
static inline int
lpm_pick_wide(const uint32_t *per16, uint32_t max, uint8_t *wide, uint64_t *sum)
{
	struct lpm_wide_candidate *cand;
	unsigned int i, n = 0;

	*sum = 0;
	for (i = 0; i < 65536; i++)
		n += per16[i] != 0;
	cand = malloc(n * sizeof(*cand) + 1);
	if (cand == NULL)
		return -ENOMEM;
	for (i = 0, n = 0; i < 65536; i++)
		if (per16[i] != 0)
			cand[n++] = (struct lpm_wide_candidate){
				.count = per16[i], .i16 = (uint16_t)i
			};
	qsort(cand, n, sizeof(*cand), lpm_compare_wide_candidates);
	if (n > max)
		n = max;
	for (i = 0; i < n; i++) {
		wide[cand[i].i16 / 8] |= (uint8_t)(1u << (cand[i].i16 % 8));
		*sum += cand[i].count;
	}
	free(cand);
	return (int)n;
}

/* Whether lpm_pick_wide() set the /16 @i16 in @wide. */
static inline bool
lpm_is_wide(const uint8_t *wide, uint32_t i16)
{
	return wide[i16 / 8] & (1u << (i16 % 8));
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
