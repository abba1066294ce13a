/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A DIR-24-8 IPv4 longest-prefix table built in one pass.
 *
 * Why not rte_lpm or rte_fib: rte_lpm_add() searches linearly among the
 * rules of the same depth, so a million prefixes take minutes to insert, and
 * rte_fib's DIR24_8 in 22.11 returns wrong next hops for some insertion
 * orders (see doc/design.md). A table that is rebuilt whole on every policy
 * load needs neither incremental insert nor delete: sorting the prefixes by
 * length and filling shorter ones first gives longest-prefix-wins for free,
 * in time linear in the entries written.
 *
 * Layout: tbl24 has one 32-bit entry per /24. An entry with
 * LPM4_EXT set holds the index of a 256-entry tbl8 group for the /25../32
 * prefixes under it; otherwise it holds the value (0: no match). tbl8
 * entries are 16-bit values.
 */
#ifndef OP25B_LPM4_H
#define OP25B_LPM4_H

#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_prefetch.h>

#define LPM4_EXT 0x80000000u
#define LPM4_TBL24_ENTRIES (1u << 24)

struct lpm4_rule {
	uint32_t ip; /* host byte order, host bits clear */
	uint8_t depth;
	uint16_t value; /* nonzero */
};

struct lpm4 {
	uint32_t *tbl24;
	uint16_t *tbl8;
	uint32_t n_groups;
	size_t memory;
};

/*
 * Build a table from @rules (reordered in place). Duplicate (ip, depth)
 * pairs: the last one wins. Returns NULL with rte_errno = ENOMEM or EINVAL.
 */
struct lpm4 *lpm4_build(struct lpm4_rule *rules, size_t n, int socket_id);
void lpm4_free(struct lpm4 *t);

static inline uint16_t
lpm4_lookup(const struct lpm4 *t, uint32_t ip)
{
	uint32_t e = t->tbl24[ip >> 8];

	if (unlikely(e & LPM4_EXT))
		return t->tbl8[((e & ~LPM4_EXT) << 8) | (ip & 0xff)];
	return (uint16_t)e;
}


static inline uint32_t
lpm4_tbl8_index(uint32_t e, uint32_t ip)
{
	return ((e & ~LPM4_EXT) << 8) | (ip & 0xff);
}

/*
 * Bulk lookup of one batch in two tables (sources and destinations), in
 * three stages: prefetch every tbl24 entry of both; read them and prefetch
 * every tbl8 entry they point to; read those (lpm4_stage_value, which the
 * caller runs in its own last loop). Tables far larger than the cache miss
 * on almost every step, and a tbl8 read depends on its tbl24 read: staging
 * both tables together keeps a whole batch's misses of both in flight at
 * once instead of paying one latency after another.
 * A NULL table matches nothing, without a branch per address: it reads one
 * static zero entry.
 */
static const uint32_t lpm4_no_table[1];

static __rte_always_inline const uint32_t *
lpm4_tbl24_of(const struct lpm4 *t, uint32_t *mask)
{
	*mask = t ? ~0u : 0;
	return t ? t->tbl24 : lpm4_no_table;
}

static __rte_always_inline void
lpm4_stage_prefetch(const struct lpm4 *ta, const uint32_t *ipa,
		    const struct lpm4 *tb, const uint32_t *ipb, unsigned int n)
{
	uint32_t ma, mb;
	const uint32_t *a = lpm4_tbl24_of(ta, &ma), *b = lpm4_tbl24_of(tb, &mb);
	unsigned int i;

	for (i = 0; i < n; i++) {
		rte_prefetch0(&a[(ipa[i] >> 8) & ma]);
		rte_prefetch0(&b[(ipb[i] >> 8) & mb]);
	}
}

static __rte_always_inline void
lpm4_stage_tbl24(const struct lpm4 *ta, const uint32_t *ipa, uint32_t *ea,
		 const struct lpm4 *tb, const uint32_t *ipb, uint32_t *eb,
		 unsigned int n)
{
	uint32_t ma, mb;
	const uint32_t *a = lpm4_tbl24_of(ta, &ma), *b = lpm4_tbl24_of(tb, &mb);
	unsigned int i;

	for (i = 0; i < n; i++) {
		ea[i] = a[(ipa[i] >> 8) & ma];
		eb[i] = b[(ipb[i] >> 8) & mb];
		if (unlikely(ea[i] & LPM4_EXT))
			rte_prefetch0(&ta->tbl8[lpm4_tbl8_index(ea[i], ipa[i])]);
		if (unlikely(eb[i] & LPM4_EXT))
			rte_prefetch0(&tb->tbl8[lpm4_tbl8_index(eb[i], ipb[i])]);
	}
}

/* The value for @ip whose tbl24 entry is @e (from lpm4_stage_tbl24). */
static __rte_always_inline uint16_t
lpm4_stage_value(const struct lpm4 *t, uint32_t e, uint32_t ip)
{
	return (e & LPM4_EXT) ? t->tbl8[lpm4_tbl8_index(e, ip)] : (uint16_t)e;
}

#endif /* OP25B_LPM4_H */
