/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "lpm4.h"

/* Counting sort by depth: O(n), and stable, so that among duplicates the
 * later rule is written later and wins. */
static int
sort_by_depth(struct lpm4_rule *rules, size_t n)
{
	size_t start[34] = {0};
	struct lpm4_rule *sorted;
	size_t i;

	for (i = 0; i < n; i++)
		start[rules[i].depth + 1]++;
	for (i = 1; i < 34; i++)
		start[i] += start[i - 1];
	sorted = malloc(n * sizeof(*sorted) + 1);
	if (sorted == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		sorted[start[rules[i].depth]++] = rules[i];
	memcpy(rules, sorted, n * sizeof(*sorted));
	free(sorted);
	return 0;
}

/* The number of /24 blocks that hold a prefix longer than /24: each needs
 * its own tbl8 group. A bitmap of all /24s (2 MB) counts them exactly. */
static int
count_groups(const struct lpm4_rule *rules, size_t n, uint32_t *count)
{
	uint64_t *seen = calloc(LPM4_TBL24_ENTRIES / 64, sizeof(uint64_t));
	uint32_t groups = 0;
	size_t i;

	if (seen == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		uint32_t idx = rules[i].ip >> 8;

		if (rules[i].depth <= 24)
			continue;
		if (!(seen[idx / 64] & (1ull << (idx % 64)))) {
			seen[idx / 64] |= 1ull << (idx % 64);
			groups++;
		}
	}
	free(seen);
	*count = groups;
	return 0;
}

struct lpm4 *
lpm4_build(struct lpm4_rule *rules, size_t n, int socket_id)
{
	struct lpm4 *t;
	uint32_t groups;
	size_t i;
	int err;

	for (i = 0; i < n; i++) {
		if (rules[i].depth > 32 || rules[i].value == 0) {
			rte_errno = EINVAL;
			return NULL;
		}
	}
	err = sort_by_depth(rules, n);
	if (err == 0)
		err = count_groups(rules, n, &groups);
	if (err != 0) {
		rte_errno = -err;
		return NULL;
	}

	t = rte_zmalloc_socket("op25b_lpm4", sizeof(*t), 0, socket_id);
	if (t == NULL)
		goto fail_nomem;
	t->tbl24 = rte_zmalloc_socket("op25b_lpm4_tbl24",
				      LPM4_TBL24_ENTRIES * sizeof(uint32_t),
				      RTE_CACHE_LINE_SIZE, socket_id);
	if (t->tbl24 == NULL)
		goto fail_free_table;
	/* One spare group so that an empty table still has a valid pointer. */
	t->tbl8 = rte_zmalloc_socket("op25b_lpm4_tbl8",
				     ((size_t)groups + 1) * 256 *
					     sizeof(uint16_t),
				     RTE_CACHE_LINE_SIZE, socket_id);
	if (t->tbl8 == NULL)
		goto fail_free_tbl24;
	t->memory = sizeof(*t) + LPM4_TBL24_ENTRIES * sizeof(uint32_t) +
		    ((size_t)groups + 1) * 256 * sizeof(uint16_t);

	/* Shorter prefixes first: a longer one overwrites what it covers. All
	 * /0../24 are in tbl24 before any tbl8 group is made, so a new group
	 * inherits the final value of its /24 from tbl24. */
	for (i = 0; i < n; i++) {
		const struct lpm4_rule *r = &rules[i];
		uint32_t idx = r->ip >> 8;

		if (r->depth <= 24) {
			uint32_t count = 1u << (24 - r->depth);
			uint32_t j;

			for (j = 0; j < count; j++)
				t->tbl24[idx + j] = r->value;
		} else {
			uint32_t e = t->tbl24[idx];
			uint32_t count = 1u << (32 - r->depth);
			uint16_t *group;
			uint32_t j;

			if (!(e & LPM4_EXT)) {
				group = &t->tbl8[(size_t)t->n_groups << 8];
				for (j = 0; j < 256; j++)
					group[j] = (uint16_t)e;
				t->tbl24[idx] = LPM4_EXT | t->n_groups;
				t->n_groups++;
			} else {
				group = &t->tbl8[(size_t)(e & ~LPM4_EXT) << 8];
			}
			for (j = 0; j < count; j++)
				group[(r->ip & 0xff) + j] = r->value;
		}
	}
	return t;

fail_free_tbl24:
	rte_free(t->tbl24);
fail_free_table:
	rte_free(t);
fail_nomem:
	rte_errno = ENOMEM;
	return NULL;
}

void
lpm4_free(struct lpm4 *t)
{
	if (t == NULL)
		return;
	rte_free(t->tbl8);
	rte_free(t->tbl24);
	rte_free(t);
}
