/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "lpm6.h"
#include "lpm_build.h"

/* The group that @entry points to, made on first use: @span groups in a
 * row (1, or 256 for a wide one, flagged LPM6_WIDE in @entry), all
 * copies of the value @entry held (every shorter prefix is in place by
 * then, so that value is final). NULL when the groups planned run out. */
static uint32_t *
groups_of(struct lpm6 *t, uint32_t *entry, uint32_t span)
{
	if (*entry < LPM6_GROUP_MIN) {
		/* Numbers from 1: group 0 would be the entry 0, no match. */
		uint32_t first = t->n_groups + 1;

		if (t->max_groups - t->n_groups < span)
			return NULL;
		lpm_fill32(&t->tbl8[(size_t)first << 8], span << 8, *entry);
		*entry = first << 8 | (span > 1 ? LPM6_WIDE : 0);
		t->n_groups += span;
		t->n_wide += span > 1;
	}
	return &t->tbl8[*entry & ~LPM6_WIDE];
}

/* Write one rule: the range of entries it covers at the level its depth
 * ends in, through (and making) the groups above. A /16 set in @wide (a
 * bitmap) has a wide group for bytes 2 and 3. */
static int
write_rule(struct lpm6 *t, const struct lpm6_rule *r, const uint8_t *wide)
{
	uint32_t *g, first = lpm6_first(r->addr);
	unsigned int b = 2, bits = 24;

	if (r->depth <= 16) {
		first &= ~((1u << (16 - r->depth)) - 1) & 0xffff;
		lpm_fill32(&t->tbl16[first], 1u << (16 - r->depth), r->value);
		return 0;
	}
	g = &t->tbl16[first];
	if (lpm_is_wide(wide, first)) {
		uint32_t second = lpm6_first(r->addr + 2);

		g = groups_of(t, g, 256);
		if (g == NULL)
			return -EINVAL;
		if (r->depth <= 32) {
			second &= ~((1u << (32 - r->depth)) - 1) & 0xffff;
			lpm_fill32(&g[second], 1u << (32 - r->depth), r->value);
			return 0;
		}
		g = &g[second];
		b = 4;
		bits = 40;
	}
	for (; r->depth > bits; b++, bits += 8) {
		g = groups_of(t, g, 1);
		if (g == NULL)
			return -EINVAL;
		g = &g[r->addr[b]];
	}
	/* @g is the entry, one level up, of the group the depth ends in. */
	g = groups_of(t, g, 1);
	if (g == NULL)
		return -EINVAL;
	lpm_fill32(&g[r->addr[b] & (0xffu << (bits - r->depth) & 0xff)],
		   1u << (bits - r->depth), r->value);
	return 0;
}

/*
 * Which /16s get a wide group, as a bitmap into @wide (8 KB, zeroed):
 * those with at least LPM6_WIDE_RULES_MIN rules longer than /24 (a
 * shorter one ends at byte 2 either way), most such rules first, at most
 * max(LPM6_WIDE_MIN, @groups / 256) of them, so that wide groups never cost more than 4 MB or than the
 * table's narrow ones. Returns how many, or -ENOMEM.
 */
static int
plan_wide(const struct lpm6_rule *rules, size_t n, uint64_t groups,
	  uint8_t *wide)
{
	uint32_t *count = calloc(LPM6_TBL16_ENTRIES, sizeof(*count));
	uint64_t max = RTE_MAX((uint64_t)LPM6_WIDE_MIN, groups / 256);
	/* and few enough that every group's number stays below the flag:
	 * groups + 256 room <= 2^22 - 1, so no entry (number << 8) reaches
	 * LPM6_WIDE (2^30); with groups = 2^21 the cap alone would allow
	 * 8192 and reach it. */
	uint64_t room = ((LPM6_WIDE >> 8) - 1 - groups) / 256, sum;
	size_t r;
	int picked;

	if (count == NULL)
		return -ENOMEM;
	for (r = 0; r < n; r++)
		if (rules[r].depth > 24)
			count[lpm6_first(rules[r].addr)]++;
	/* A /16 with few such rules (scattered relays' /128s) would gain a
	 * load on a handful of addresses for 256 KB: left narrow. */
	for (r = 0; r < LPM6_TBL16_ENTRIES; r++)
		if (count[r] < LPM6_WIDE_RULES_MIN)
			count[r] = 0;
	picked = lpm_pick_wide(count, (uint32_t)RTE_MIN(max, room), wide, &sum);
	free(count);
	return picked;
}

struct lpm6 *
lpm6_build(struct lpm6_rule *rules, size_t n, uint64_t groups, int socket_id)
{
	uint8_t wide[LPM6_TBL16_ENTRIES / 8] = { 0 };
	size_t i, size8;
	struct lpm6 *t;
	int err, n_wide;

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
	n_wide = plan_wide(rules, n, groups, wide);
	if (n_wide < 0) {
		rte_errno = ENOMEM;
		return NULL;
	}
	/* A wide group takes 256 in a row; the narrow ones it replaces (one
	 * at byte 2, one per /24 at byte 3) stay counted in @groups. */
	groups += (uint64_t)n_wide * 256;
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
		if (write_rule(t, &rules[i], wide) != 0) {
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
