/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An IPv4 longest-prefix table built in one pass, with strides 16-8-8.
 *
 * Why not rte_lpm or rte_fib: rte_lpm_add() searches linearly among the
 * rules of the same depth, so a million prefixes take minutes to insert, and
 * rte_fib's DIR24_8 in 22.11 returns wrong next hops for some insertion
 * orders (see doc/design.md). A table that is rebuilt whole on every policy
 * load needs neither incremental insert nor delete: sorting the prefixes by
 * length and filling shorter ones first gives longest-prefix-wins for free,
 * in time linear in the entries written.
 *
 * Why 16-8-8 and not 24-8: a 24-bit first level is 64 MB whatever the
 * table holds, and a lookup of an address it does not cover (a random
 * destination against a handful of relay prefixes) misses the cache
 * there. A 16-bit first level is 256 KB and stays in L2; second- and
 * third-level groups exist only under /16s and /24s that hold longer
 * prefixes, so a million-prefix pool costs what it holds (about 1 KB per
 * such /16 and 256 B per such /24) and a sparse table costs almost nothing.
 *
 * Entries: tbl16 and tbl8a entries are 32-bit, LPM4_EXT set meaning "the
 * low bits index a group of 256 entries in the next level", otherwise the
 * value (0: no match). tbl8b entries are 8-bit values: values are class or
 * group slots (at most 255), and the deepest level is the one a large pool
 * list fills (a million prefixes of /25../27 make ~86k groups: 22 MB at a
 * byte an entry, which fits in L3, where two bytes missed it).
 *
 * Wide groups: a /16 under which many /24s hold longer prefixes (a pool
 * of subscriber /25../32s in an ISP's /16) has its first-level entry
 * flagged LPM4_WIDE, and no second-level group: its third-level groups
 * are 256 in a row, one for every /24 of the /16, the entry pointing to
 * the first. The group for an address is then the entry's plus its third
 * byte, computed rather than loaded: a lookup there reads two levels, not
 * three (each a cache miss in a large table). How many a table gets is
 * bounded (plan_wide() in lpm4.c): at most max(LPM4_WIDE_MIN, the
 * third-level groups / 256), so that they cost at most 1 MB or as much as
 * the table's narrow groups, and few enough that group numbers stay within
 * a gather's index (lpm4_vec_fits()); the /16s with the most /24s holding
 * longer prefixes get them first.
 */
#ifndef OP25B_LPM4_H
#define OP25B_LPM4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_prefetch.h>

#define LPM4_EXT 0x80000000u
/* A first-level entry's flag, with LPM4_EXT: its /16 is wide (above).
 * Group numbers stay below 2^24 + 2^24 (every /24 a group, every /16 a
 * wide run at most), far from it. */
#define LPM4_WIDE 0x40000000u
/* Wide /16s a table may have however few groups it has (16: 1 MB), short
 * of the gathers' bound on group numbers. */
#define LPM4_WIDE_MIN 16u
#define LPM4_TBL16_ENTRIES (1u << 16)
/* Bytes after the third level: a gather reads 32 bits at the offset of
 * each byte it wants (lpm4_vec.h). */
#define LPM4_TBL8B_PAD 3

struct lpm4_rule {
	uint32_t ip; /* host byte order (lpm4_build() clears host bits) */
	uint8_t depth;
	uint8_t value; /* nonzero */
};

struct lpm4 {
	uint32_t *tbl16; /* by ip >> 16 */
	uint32_t *tbl8a; /* groups by (ip >> 8) & 0xff */
	uint8_t *tbl8b;	 /* groups by ip & 0xff */
	uint32_t n_groups_a;
	uint32_t n_groups_b; /* a wide /16 counts 256 */
	uint32_t n_wide;     /* wide /16s (above) */
	/* lpm4_summarize(): a bit per /16, set where tbl16's entry is not
	 * @background (a value); NULL: the table has none. */
	uint32_t *summary;
	uint32_t background;
	size_t memory;
	uint32_t refcnt; /* classifiers sharing the table; the last frees */
};

/*
 * Build a table from @rules (reordered in place). Duplicate (ip, depth)
 * pairs: the last one wins. Returns NULL with rte_errno = ENOMEM or EINVAL.
 */
struct lpm4 *lpm4_build(struct lpm4_rule *rules, size_t n, int socket_id);
/*
 * Give @t a summary of its first level: a bit per /16, set where its
 * entry is not the value most of them hold (its background), when at
 * most LPM4_SUMMARY_MAX_SET (a sixteenth) are; a denser table gets none.
 * Called on a table just built, before any classifier reads it; a second
 * call changes nothing. 0, or -ENOMEM.
 *
 * Why: a destination table holds a few prefixes (the ISP's relays, some
 * carriers' mail servers) and is looked up with addresses from all over
 * the Internet, a bot's SYNs to random mail servers: each reads a
 * different line of the 256 KB first level, which misses L1 and L2 and
 * pushes out what the rest of the burst needs. The summary is 8 KB (a
 * bit a /16), stays in L1, and settles almost every such address by
 * itself; only one under a /16 that holds something reads the first
 * level. The vector lookups use it (lpm4_vec.h); the scalar ones read the
 * first level, which stays whole. A source table is not summarized: its
 * addresses are the subscribers' own, under the prefixes it holds, where
 * the summary would be one more read a lookup.
 */
#define LPM4_SUMMARY_WORDS (LPM4_TBL16_ENTRIES / 32)
#define LPM4_SUMMARY_MAX_SET (LPM4_TBL16_ENTRIES / 16)
int lpm4_summarize(struct lpm4 *t, int socket_id);

/* A new reference to @t (NULL: none): a classifier derived from another
 * shares its tables read-only. Only the control thread takes and drops
 * references. */
struct lpm4 *lpm4_ref(struct lpm4 *t);
/* Drop a reference to @t; the last one frees it (NULL: nothing). */
void lpm4_free(struct lpm4 *t);

/* Whether @t's group indexes fit the signed 32-bit lanes of a gather
 * (lpm4_vec.h): fewer than LPM4_VEC_MAX_GROUPS (8 million) groups in a
 * level; lpm4_build() makes no more wide runs than keep it so. NULL
 * fits. */
#define LPM4_VEC_MAX_GROUPS ((UINT32_C(1) << 23) - 1)

static inline bool
lpm4_vec_fits(const struct lpm4 *t)
{
	return t == NULL || (t->n_groups_a < LPM4_VEC_MAX_GROUPS &&
			     t->n_groups_b < LPM4_VEC_MAX_GROUPS);
}

static __rte_always_inline uint32_t
lpm4_group_index(uint32_t e, uint32_t byte)
{
	return ((e & ~LPM4_EXT) << 8) | byte;
}

/* The second-level entry for @ip under the first-level entry @e (a
 * group's): loaded, or for a wide /16 the third-level group of @ip's /24,
 * the /16's first plus the address's third byte. */
static __rte_always_inline uint32_t
lpm4_second(const struct lpm4 *t, uint32_t e, uint32_t ip)
{
	if (e & LPM4_WIDE)
		return e - LPM4_WIDE + ((ip >> 8) & 0xff);
	return t->tbl8a[lpm4_group_index(e, (ip >> 8) & 0xff)];
}

/* The third-level entry an address under the wide entry @e reads
 * (lpm4_second() and lpm4_group_index() in one). */
static __rte_always_inline uint32_t
lpm4_wide_index(uint32_t e, uint32_t ip)
{
	return ((e & ~(LPM4_EXT | LPM4_WIDE)) << 8) + (ip & 0xffff);
}

static inline uint8_t
lpm4_lookup(const struct lpm4 *t, uint32_t ip)
{
	uint32_t e = t->tbl16[ip >> 16];

	if (e & LPM4_EXT) {
		e = lpm4_second(t, e, ip);
		if (e & LPM4_EXT)
			return t->tbl8b[lpm4_group_index(e, ip & 0xff)];
	}
	return (uint8_t)e;
}

/*
 * Bulk lookup of one batch in two tables (sources and destinations), in
 * stages: prefetch every first-level entry of both (lpm4_prefetch_first,
 * which the caller runs as it learns each address), then read each level
 * and prefetch the next level's entries it points to, and so on; the last
 * read (lpm4_stage_value) the caller runs in its own loop. Tables larger
 * than the cache miss on almost every deep step, and each step depends on
 * the one before: staging both tables together keeps a whole batch's
 * misses of both in flight at once instead of paying one latency after
 * another. A NULL table matches nothing, without a branch per address: it
 * reads one static zero entry.
 */
static const uint32_t lpm4_no_table[1];

static __rte_always_inline const uint32_t *
lpm4_tbl16_of(const struct lpm4 *t, uint32_t *mask)
{
	*mask = t ? ~0u : 0;
	return t ? t->tbl16 : lpm4_no_table;
}

/* Stage one, per address: request the first-level entry. A branch
 * rather than lpm4_no_table's mask: it goes the same way for a whole
 * policy, and nothing is read (syn4: -2.0 instructions a packet). */
static __rte_always_inline void
lpm4_prefetch_first(const struct lpm4 *t, uint32_t ip)
{
	if (t != NULL)
		rte_prefetch0(&t->tbl16[ip >> 16]);
}

/* Request the entry that @ip's first-level entry @e leads to: in the
 * second level, or for a wide /16 directly in the third. */
static __rte_always_inline void
lpm4_prefetch_second(const struct lpm4 *t, uint32_t e, uint32_t ip)
{
	if (e & LPM4_EXT) {
		if (e & LPM4_WIDE)
			rte_prefetch0(&t->tbl8b[lpm4_wide_index(e, ip)]);
		else
			rte_prefetch0(&t->tbl8a[lpm4_group_index(
				e, (ip >> 8) & 0xff)]);
	}
}

/* lpm4_stage_tbl16() on first levels @a and @b, indexes masked with
 * @ma and @mb (0 for lpm4_no_table). */
static __rte_always_inline void
lpm4_stage_tbl16_masked(const struct lpm4 *ta, const uint32_t *a, uint32_t ma,
			const uint32_t *ipa, uint32_t *ea,
			const struct lpm4 *tb, const uint32_t *b, uint32_t mb,
			const uint32_t *ipb, uint32_t *eb, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		ea[i] = a[(ipa[i] >> 16) & ma];
		eb[i] = b[(ipb[i] >> 16) & mb];
		lpm4_prefetch_second(ta, ea[i], ipa[i]);
		lpm4_prefetch_second(tb, eb[i], ipb[i]);
	}
}

/* Read the first level into @ea/@eb, prefetching the second. Both tables
 * there, the common case, take a loop of their own: no mask to apply
 * per address, and two registers fewer in the loop (syn4: -2.2
 * instructions a packet). */
static __rte_always_inline void
lpm4_stage_tbl16(const struct lpm4 *ta, const uint32_t *ipa, uint32_t *ea,
		 const struct lpm4 *tb, const uint32_t *ipb, uint32_t *eb,
		 unsigned int n)
{
	uint32_t ma, mb;
	const uint32_t *a, *b;

	if (likely(ta != NULL && tb != NULL)) {
		lpm4_stage_tbl16_masked(ta, ta->tbl16, ~0u, ipa, ea, tb,
					tb->tbl16, ~0u, ipb, eb, n);
		return;
	}
	a = lpm4_tbl16_of(ta, &ma);
	b = lpm4_tbl16_of(tb, &mb);
	lpm4_stage_tbl16_masked(ta, a, ma, ipa, ea, tb, b, mb, ipb, eb, n);
}

/* Follow @e[i] to its second-level entry when it points to a group,
 * prefetching the third (a wide /16's third-level entry the first stage
 * requested). */
static __rte_always_inline void
lpm4_step_tbl8a(const struct lpm4 *t, const uint32_t *ip, uint32_t *e,
		unsigned int i)
{
	if (e[i] & LPM4_EXT) {
		bool wide = e[i] & LPM4_WIDE;

		e[i] = lpm4_second(t, e[i], ip[i]);
		if (!wide && (e[i] & LPM4_EXT))
			rte_prefetch0(&t->tbl8b[lpm4_group_index(
				e[i], ip[i] & 0xff)]);
	}
}

/* Follow the entries that point to a second-level group, prefetching the
 * third. */
static __rte_always_inline void
lpm4_stage_tbl8a(const struct lpm4 *ta, const uint32_t *ipa, uint32_t *ea,
		 const struct lpm4 *tb, const uint32_t *ipb, uint32_t *eb,
		 unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		lpm4_step_tbl8a(ta, ipa, ea, i);
		lpm4_step_tbl8a(tb, ipb, eb, i);
	}
}

/* The value for @ip whose entry after lpm4_stage_tbl8a() is @e. */
static __rte_always_inline uint8_t
lpm4_stage_value(const struct lpm4 *t, uint32_t e, uint32_t ip)
{
	return (e & LPM4_EXT) ? t->tbl8b[lpm4_group_index(e, ip & 0xff)]
			      : (uint8_t)e;
}

#endif /* OP25B_LPM4_H */
