/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An IPv6 longest-prefix table built in one pass, with strides 16-8-8-...:
 * lpm4.h's design carried to 128 bits.
 *
 * Why not rte_lpm6: its first level is 2^24 entries, 64 MB per table
 * whatever the table holds (op25b has two, sources and destinations, and a
 * policy switch builds two more beside them), and a lookup of an address
 * it does not cover misses the cache there. Here the first level is 2^16
 * entries (256 KB, in L2) and a group of 256 entries (1 KB) exists only
 * under a prefix that holds longer ones, so the table costs what it holds:
 * 10,000 subscriber /56s under one /32 take about 11 MB.
 *
 * Entries are 32-bit: a value (a class or group slot, 0..255; 0: no
 * match), or, from LPM6_GROUP_MIN up, a group of 256 entries for the next
 * byte of the address: the group's number shifted left by 8 (numbers
 * start at 1; group 0 is never used), so that the next entry's index is
 * the entry or'ed with that byte. A step of the walk is then a compare,
 * an or and a load (a flag bit to clear and a shift cost two more
 * instructions a step; syn6, a /48 five steps deep: -10 a packet).
 *
 * Wide groups: a /16 under which prefixes longer than /24 lie (an ISP's
 * /32 or /29, where its subscribers' /48s and /56s are) has its first-
 * level entry flagged LPM6_WIDE, and the group it points to is 256 groups
 * in a row, 65536 entries indexed by bytes 2 and 3 together: a walk there
 * takes one load fewer. Only a /16 with at least LPM6_WIDE_RULES_MIN
 * prefixes longer than /24 gets one, and how many a table gets is
 * bounded (plan_wide() in lpm6.c): at most max(LPM6_WIDE_MIN, the narrow
 * groups / 256), so that
 * they cost at most 4 MB or as much as the table's narrow groups; the
 * /16s with the most such prefixes get them first. Wide groups deeper
 * down (bytes 4 and 5 under a /32: its /48s) were tried: one load fewer
 * again, but every even step paid the wide index, and forwarding was no
 * faster (doc/bench.md).
 *
 * Tables are rebuilt whole on every policy load, so as in lpm4.c the
 * prefixes are written shortest first and a group, made on first use,
 * starts as copies of the final value of the entry it replaces: longest
 * prefix wins without any bookkeeping.
 */
#ifndef OP25B_LPM6_H
#define OP25B_LPM6_H

#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_prefetch.h>

/* The smallest entry that is a group (group 1, shifted by 8). */
#define LPM6_GROUP_MIN 0x100u
#define LPM6_TBL16_ENTRIES (1u << 16)
/* A cap on narrow groups (1 KB each): 2 GB of groups, past any IPv6 plan
 * an operator would load, and a limit compile reports at the prefix where
 * it is crossed rather than an allocation failure without a line. Wide
 * groups come on top: as much again at most (plan_wide() in lpm6.c). */
#define LPM6_MAX_GROUPS (1u << 21)
/* A first-level entry's flag: its group is wide (above). Above every
 * group entry: a table's groups, wide ones included, stay below 2^22. */
#define LPM6_WIDE 0x40000000u
/* Wide groups a table may have whatever its size (16: 4 MB). */
#define LPM6_WIDE_MIN 16u
/* Prefixes longer than /24 a /16 must hold to get a wide group: a /16
 * with one or two (an MX's /128 in a group of scattered relays) would pay
 * 256 KB for one load fewer on a few addresses. 100,000 random /128s, a
 * /16 or two apiece, doubled a table's memory before. */
#define LPM6_WIDE_RULES_MIN 16u
_Static_assert((uint64_t)LPM6_MAX_GROUPS * 2 << 8 <= LPM6_WIDE,
	       "a table's groups, with its wide ones, stay below LPM6_WIDE");
/* The most addresses lpm6_lookup_bulk() takes at once. */
#define LPM6_BULK_MAX 64

struct lpm6_rule {
	uint8_t addr[16]; /* network byte order */
	uint8_t depth;	  /* 0..128 */
	uint8_t value;	  /* nonzero */
};

struct lpm6 {
	uint32_t *tbl16;   /* by the first two bytes */
	uint32_t *tbl8;	   /* groups of 256, by the next byte; wide ones */
	uint32_t n_groups; /* a wide group counts 256 */
	uint32_t max_groups;
	uint32_t n_wide; /* wide groups (above) */
	size_t memory;
	uint32_t refcnt; /* classifiers sharing the table; the last frees */
};

/*
 * Build a table from @rules (reordered in place), with room for @groups
 * groups (at most LPM6_MAX_GROUPS): one per distinct truncation to L
 * bits, L = 16, 24, ..., 120, among the rules longer than L; the wide
 * groups it makes get room of their own. Host bits past a rule's depth
 * are ignored; duplicate prefixes: the last one wins.
 * Returns NULL with rte_errno = ENOMEM, or EINVAL (a depth past 128, a
 * zero value, too few groups).
 */
struct lpm6 *
lpm6_build(struct lpm6_rule *rules, size_t n, uint64_t groups, int socket_id);
/* A new reference to @t (NULL: none): a classifier derived from another
 * shares its tables read-only. Only the control thread takes and drops
 * references. */
struct lpm6 *lpm6_ref(struct lpm6 *t);
/* Drop a reference to @t; the last one frees it (NULL: nothing). */
void lpm6_free(struct lpm6 *t);

static __rte_always_inline uint32_t
lpm6_first(const uint8_t *addr)
{
	return (uint32_t)addr[0] << 8 | addr[1];
}

/* The value for @addr; a NULL table matches nothing. */
static __rte_always_inline uint8_t
lpm6_lookup(const struct lpm6 *t, const uint8_t *addr)
{
	const uint8_t *next = addr + 2;
	uint32_t e;

	if (t == NULL)
		return 0;
	/* A group at byte b exists only under prefixes longer than 8 b
	 * bits: the 14 steps below read no further than addr[15], and the
	 * last one's entry is a value. Unrolled: a step is a load of the
	 * byte at a constant offset, an or, a load and a compare, with no
	 * pointer to advance (syn6: -7 instructions a packet). */
	e = t->tbl16[lpm6_first(addr)];
	/* A wide group: bytes 2 and 3 in one load, on at byte 4. */
	if (e & LPM6_WIDE) {
		e = t->tbl8[(e & ~LPM6_WIDE) + lpm6_first(addr + 2)];
		goto byte4;
	}
#define LPM6_STEP(k)                                                           \
	do {                                                                   \
		if (e < LPM6_GROUP_MIN)                                        \
			return (uint8_t)e;                                     \
		e = t->tbl8[e | next[k]];                                      \
	} while (0)
	LPM6_STEP(0);
	LPM6_STEP(1);
byte4:
	LPM6_STEP(2);
	LPM6_STEP(3);
	LPM6_STEP(4);
	LPM6_STEP(5);
	LPM6_STEP(6);
	LPM6_STEP(7);
	LPM6_STEP(8);
	LPM6_STEP(9);
	LPM6_STEP(10);
	LPM6_STEP(11);
	LPM6_STEP(12);
	LPM6_STEP(13);
#undef LPM6_STEP
	return (uint8_t)e;
}

/*
 * The values for @n (at most LPM6_BULK_MAX) addresses: the first-level
 * entries of the whole batch prefetched, then each address walked.
 */
static inline void
lpm6_lookup_bulk(const struct lpm6 *t, const uint8_t (*addrs)[16],
		 uint32_t *val, unsigned int n)
{
	unsigned int i;

	if (t == NULL) {
		for (i = 0; i < n; i++)
			val[i] = 0;
		return;
	}
	for (i = 0; i < n; i++)
		rte_prefetch0(&t->tbl16[lpm6_first(addrs[i])]);
	for (i = 0; i < n; i++)
		val[i] = lpm6_lookup(t, addrs[i]);
}

/*
 * lpm6_lookup_bulk() of a batch's sources in @ta and its destinations in
 * @tb together: one loop of prefetches and one of walks for both tables
 * (the loops' own instructions paid once; syn6: -7 a packet).
 */
static inline void
lpm6_lookup_bulk2(const struct lpm6 *ta, const uint8_t (*a)[16], uint32_t *va,
		  const struct lpm6 *tb, const uint8_t (*b)[16], uint32_t *vb,
		  unsigned int n)
{
	unsigned int i;

	if (ta == NULL || tb == NULL) {
		lpm6_lookup_bulk(ta, a, va, n);
		lpm6_lookup_bulk(tb, b, vb, n);
		return;
	}
	for (i = 0; i < n; i++) {
		rte_prefetch0(&ta->tbl16[lpm6_first(a[i])]);
		rte_prefetch0(&tb->tbl16[lpm6_first(b[i])]);
	}
	for (i = 0; i < n; i++) {
		va[i] = lpm6_lookup(ta, a[i]);
		vb[i] = lpm6_lookup(tb, b[i]);
	}
}

#endif /* OP25B_LPM6_H */
