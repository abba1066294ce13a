/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "lpm6.h"
#include "lpm_build.h"

/* The group that @entry points to, made on first use: 256 copies of the
 * value @entry held (every shorter prefix is in place by then, so that
 * value is final). NULL when the groups planned run out. */
static uint32_t *
group_of(struct lpm6 *t, uint32_t *entry)
{
	uint32_t *g;
	unsigned int j;

	if (*entry < LPM6_GROUP_MIN) {
		if (t->n_groups >= t->max_groups)
			return NULL;
		/* Numbers from 1: group 0 would be the entry 0, no match. */
		g = &t->tbl8[(size_t)(t->n_groups + 1) << 8];
		for (j = 0; j < 256; j++)
			g[j] = *entry;
		*entry = ++t->n_groups << 8;
	}
	return &t->tbl8[*entry];
}

/* Write one rule: the range of entries it covers at the level its depth
 * ends in, through (and making) the groups above. */
static int
write_rule(struct lpm6 *t, const struct lpm6_rule *r)
{
	uint32_t *g, first = lpm6_first(r->addr);
	unsigned int b, bits;

	if (r->depth <= 16) {
		first &= ~((1u << (16 - r->depth)) - 1) & 0xffff;
		lpm_fill32(&t->tbl16[first], 1u << (16 - r->depth), r->value);
		return 0;
	}
	g = &t->tbl16[first];
	for (b = 2, bits = 24; r->depth > bits; b++, bits += 8) {
		g = group_of(t, g);
		if (g == NULL)
			return -EINVAL;
		g = &g[r->addr[b]];
	}
	/* @g is the entry, one level up, of the group the depth ends in. */
	g = group_of(t, g);
	if (g == NULL)
		return -EINVAL;
	lpm_fill32(&g[r->addr[b] & (0xffu << (bits - r->depth) & 0xff)],
		   1u << (bits - r->depth), r->value);
	return 0;
}

struct lpm6 *
lpm6_build(struct lpm6_rule *rules, size_t n, uint64_t groups, int socket_id)
{
	size_t i, size8;
	struct lpm6 *t;
	int err;

	if (groups > LPM6_MAX_GROUPS) {
		rte_errno = EINVAL;
		return NULL;
	}
	err = lpm_sort_by_depth(rules, n, sizeof(*rules),
				offsetof(struct lpm6_rule, depth),
				offsetof(struct lpm6_rule, value), 128);
	if (err != 0) {
		rte_errno = -err;
		return NULL;
	}
	/* Group 0 unused (numbers start at 1, lpm6.h), which also gives a
	 * table without groups a valid pointer. */
	size8 = ((size_t)groups + 1) * 256 * sizeof(uint32_t);
	t = rte_zmalloc_socket("op25b_lpm6", sizeof(*t), 0, socket_id);
	if (t == NULL)
		goto fail;
	t->refcnt = 1; /* so that lpm6_free() unwinds a partial table */
	t->memory = sizeof(*t);
	t->tbl16 = lpm_level_alloc("op25b_lpm6_tbl16",
				   LPM6_TBL16_ENTRIES * sizeof(uint32_t), true,
				   socket_id, &t->memory);
	t->tbl8 = lpm_level_alloc("op25b_lpm6_tbl8", size8, false, socket_id,
				  &t->memory);
	if (t->tbl16 == NULL || t->tbl8 == NULL)
		goto fail;
	t->max_groups = (uint32_t)groups;

	/* Shorter prefixes first: a longer one overwrites what it covers. */
	for (i = 0; i < n; i++) {
		if (write_rule(t, &rules[i]) != 0) {
			lpm6_free(t);
			rte_errno = EINVAL; /* @groups was too few */
			return NULL;
		}
	}
	return t;

fail:
	lpm6_free(t);
	rte_errno = ENOMEM;
	return NULL;
}

struct lpm6 *
lpm6_ref(struct lpm6 *t)
{
	if (t != NULL)
		__atomic_fetch_add(&t->refcnt, 1, __ATOMIC_RELAXED);
	return t;
}

void
lpm6_free(struct lpm6 *t)
{
	if (t == NULL ||
	    __atomic_sub_fetch(&t->refcnt, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	rte_free(t->tbl8);
	rte_free(t->tbl16);
	rte_free(t);
}
