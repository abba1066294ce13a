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

/*
 * Bulk lookup. The tbl24 lines of the whole batch are prefetched before the
 * first one is read: with a 64 MB table almost every lookup misses the
 * cache, and issuing all misses at once overlaps their latency instead of
 * paying it n times.
 */
static inline void
lpm4_lookup_bulk(const struct lpm4 *t, const uint32_t *ips, uint16_t *values,
		 unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		rte_prefetch0(&t->tbl24[ips[i] >> 8]);
	for (i = 0; i < n; i++)
		values[i] = lpm4_lookup(t, ips[i]);
}

#endif /* OP25B_LPM4_H */
