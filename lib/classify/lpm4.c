/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "lpm4.h"
#include "lpm_build.h"

/* Groups needed: one second-level group per /16 holding a prefix longer
 * than /16, one third-level group per /24 holding a prefix longer than
 * /24. Bitmaps of all /16s (8 KB) and /24s (2 MB) count them exactly;
 * @per16 (LPM4_TBL16_ENTRIES, zeroed) gets each /16's third-level
 * groups. */
static int
count_groups(const struct lpm4_rule *rules, size_t n, uint32_t *groups_a,
	     uint32_t *groups_b, uint32_t *per16)
{
	uint64_t *seen16 = calloc(LPM4_TBL16_ENTRIES / 64, sizeof(uint64_t));
	uint64_t *seen24 = calloc((1u << 24) / 64, sizeof(uint64_t));
	size_t i;

	*groups_a = *groups_b = 0;
	if (lpm_scratch_pair(seen16, seen24) != 0)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		uint32_t i16 = rules[i].ip >> 16, i24 = rules[i].ip >> 8;

		if (rules[i].depth > 16 &&
		    !(seen16[i16 / 64] & (1ull << (i16 % 64)))) {
			seen16[i16 / 64] |= 1ull << (i16 % 64);
			(*groups_a)++;
		}
		if (rules[i].depth > 24 &&
		    !(seen24[i24 / 64] & (1ull << (i24 % 64)))) {
			seen24[i24 / 64] |= 1ull << (i24 % 64);
			(*groups_b)++;
			per16[i16]++;
		}
	}
	free(seen16);
	free(seen24);
	return 0;
}

/*
 * Which /16s are wide, as a bitmap into @wide (8 KB, zeroed): those with
 * third-level groups (@per16, as counted), most first, at most
 * max(LPM4_WIDE_MIN, @groups_b / 256), and few enough that the level
 * stays within a gather's indexes (lpm4_vec_fits()). *@replaced gets the
 * narrow groups the wide ones replace. Returns how many, or -ENOMEM.
 */
static int
plan_wide(const uint32_t *per16, uint32_t groups_b, uint8_t *wide,
	  uint32_t *replaced)
{
	/* Below LPM4_VEC_MAX_GROUPS after the runs. */
	const uint32_t fits = LPM4_VEC_MAX_GROUPS - 1;
	uint32_t max = RTE_MAX(LPM4_WIDE_MIN, groups_b / 256);
	uint32_t room = groups_b < fits ? (fits - groups_b) / 256 : 0;
	uint64_t sum;
	int n;

	n = lpm_pick_wide(per16, RTE_MIN(max, room), wide, &sum);
	*replaced = (uint32_t)sum;
	return n;
}

/* The group that @entry points to, made on first use: it starts as 256
 * copies of the value @entry held (all shorter prefixes are in place by
 * then, so that value is final). */
static uint32_t *
group_a_of(struct lpm4 *t, uint32_t *entry)
{
	if (!(*entry & LPM4_EXT)) {
		lpm_fill32(&t->tbl8a[(size_t)t->n_groups_a << 8], 256, *entry);
		*entry = LPM4_EXT | t->n_groups_a++;
	}
	return &t->tbl8a[(size_t)(*entry & ~LPM4_EXT) << 8];
}

/* The third-level group @entry points to, made on first use (as
 * group_a_of()): @span groups in a row, 1, or 256 for a wide /16 (one per
 * /24, flagged LPM4_WIDE in its first-level @entry). */
static uint8_t *
groups_b_of(struct lpm4 *t, uint32_t *entry, uint32_t span)
{
	if (!(*entry & LPM4_EXT)) {
		memset(&t->tbl8b[(size_t)t->n_groups_b << 8], (uint8_t)*entry,
		       (size_t)span << 8);
		*entry = LPM4_EXT | (span > 1 ? LPM4_WIDE : 0) | t->n_groups_b;
		t->n_groups_b += span;
		t->n_wide += span > 1;
	}
	return &t->tbl8b[(size_t)(*entry & ~(LPM4_EXT | LPM4_WIDE)) << 8];
}

struct lpm4 *
lpm4_build(struct lpm4_rule *rules, size_t n, int socket_id)
{
	uint8_t wide[LPM4_TBL16_ENTRIES / 8] = { 0 };
	uint32_t groups_a, groups_b, replaced, *per16;
	size_t i, size_a, size_b;
	struct lpm4 *t;
	int err, n_wide = 0;

	per16 = calloc(LPM4_TBL16_ENTRIES, sizeof(*per16));
	err = per16 == NULL
		      ? -ENOMEM
		      : lpm_sort_by_depth(rules, n, sizeof(*rules),
					  offsetof(struct lpm4_rule, depth),
					  offsetof(struct lpm4_rule, value),
					  32);
	/* Host bits clear, as lpm6_build() makes them: every level is
	 * filled from the address on, so a set one would write past the
	 * prefix's range (the policy loader refuses them; a caller that
	 * builds rules by hand may not). */
	for (i = 0; err == 0 && i < n; i++)
		rules[i].ip &= rules[i].depth == 0
				       ? 0
				       : UINT32_MAX << (32 - rules[i].depth);
	if (err == 0)
		err = count_groups(rules, n, &groups_a, &groups_b, per16);
	if (err == 0)
		err = n_wide = plan_wide(per16, groups_b, wide, &replaced);
	free(per16);
	if (err < 0) {
		rte_errno = -err;
		return NULL;
	}
	/* A wide /16 has no second-level group, and its run replaces the
	 * third-level groups it had. */
	groups_a -= (uint32_t)n_wide;
	groups_b += (uint32_t)n_wide * 256 - replaced;

	/* One spare group a level, so that an empty level still has a
	 * valid pointer. */
	size_a = ((size_t)groups_a + 1) * 256 * sizeof(uint32_t);
	size_b = ((size_t)groups_b + 1) * 256 * sizeof(uint8_t) +
		 LPM4_TBL8B_PAD;
	t = rte_zmalloc_socket("op25b_lpm4", sizeof(*t), 0, socket_id);
	if (t == NULL)
		goto fail;
	t->refcnt = 1; /* so that lpm4_free() unwinds a partial table */
	t->memory = sizeof(*t);
	t->tbl16 = lpm_level_alloc("op25b_lpm4_tbl16",
				   LPM4_TBL16_ENTRIES * sizeof(uint32_t), true,
				   socket_id, &t->memory);
	t->tbl8a = lpm_level_alloc("op25b_lpm4_tbl8a", size_a, false, socket_id,
				   &t->memory);
	t->tbl8b = lpm_level_alloc("op25b_lpm4_tbl8b", size_b, false, socket_id,
				   &t->memory);
	if (t->tbl16 == NULL || t->tbl8a == NULL || t->tbl8b == NULL)
		goto fail;

	/* Shorter prefixes first: a longer one overwrites what it covers,
	 * and a group is made only after every shorter prefix that covers it
	 * is in place, so it inherits the final value. */
	for (i = 0; i < n; i++) {
		const struct lpm4_rule *r = &rules[i];
		uint32_t *e16 = &t->tbl16[r->ip >> 16];

		if (r->depth <= 16) {
			lpm_fill32(e16, 1u << (16 - r->depth), r->value);
		} else if (lpm_is_wide(wide, r->ip >> 16)) {
			memset(&groups_b_of(t, e16, 256)[r->ip & 0xffff],
			       r->value, (size_t)1 << (32 - r->depth));
		} else {
			uint32_t *ga = group_a_of(t, e16);
			uint32_t *ea = &ga[(r->ip >> 8) & 0xff];

			if (r->depth <= 24) {
				lpm_fill32(ea, 1u << (24 - r->depth), r->value);
			} else {
				uint8_t *gb = groups_b_of(t, ea, 1);
				uint32_t j, count = 1u << (32 - r->depth);

				for (j = 0; j < count; j++)
					gb[(r->ip & 0xff) + j] = r->value;
			}
		}
	}
	return t;

fail:
	lpm4_free(t);
	rte_errno = ENOMEM;
	return NULL;
}

int
lpm4_summarize(struct lpm4 *t, int socket_id)
{
	uint32_t count[UINT8_MAX + 1] = { 0 }, background = 0, i;
	uint32_t *bits;

	/* Once, on a table no classifier reads yet (lpm4.h). */
	if (t->summary != NULL)
		return 0;
	/* Entries without LPM4_EXT are values, 0..255. */
	for (i = 0; i < LPM4_TBL16_ENTRIES; i++)
		if (t->tbl16[i] <= UINT8_MAX)
			count[t->tbl16[i]]++;
	for (i = 1; i <= UINT8_MAX; i++)
		if (count[i] > count[background])
			background = i;
	if (LPM4_TBL16_ENTRIES - count[background] > LPM4_SUMMARY_MAX_SET)
		return 0;
	bits = lpm_level_alloc("op25b_lpm4_summary",
			       LPM4_SUMMARY_WORDS * sizeof(*bits), true,
			       socket_id, &t->memory);
	if (bits == NULL)
		return -ENOMEM;
	for (i = 0; i < LPM4_TBL16_ENTRIES; i++)
		if (t->tbl16[i] != background)
			bits[i / 32] |= 1u << (i % 32);
	t->summary = bits;
	t->background = background;
	return 0;
}

struct lpm4 *
lpm4_ref(struct lpm4 *t)
{
	if (t != NULL)
		__atomic_fetch_add(&t->refcnt, 1, __ATOMIC_RELAXED);
	return t;
}

void
lpm4_free(struct lpm4 *t)
{
	if (t == NULL ||
	    __atomic_sub_fetch(&t->refcnt, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	rte_free(t->summary);
	rte_free(t->tbl8b);
	rte_free(t->tbl8a);
	rte_free(t->tbl16);
	rte_free(t);
}
