/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bulk IPv6 lookups of lpm6.h with hardware gathers: every address of
 * a batch in both tables (sources and destinations) walked one byte at a
 * time, VEC_LANES addresses a gather. Included by the files built for one
 * instruction set (vec_avx2.c, vec_avx512.c) after lpm4_vec.h, with its
 * vec_* definitions and these two:
 *   vec_group(k, e)   the lanes of k whose e is a group (>= LPM6_GROUP_MIN)
 *   vec_lane_index()  0, 1, ... VEC_LANES - 1
 *
 * Why: the scalar walk (lpm6_lookup()) is a chain of dependent loads per
 * address, each a compare, an or and a load; out-of-order execution
 * overlaps a few addresses' chains at most. A batch-wide staged walk in
 * scalar code paid its bookkeeping (a list of the addresses still
 * walking) in instructions (doc/bench.md). Here a step of VEC_LANES
 * addresses is a shift, an and, an or, a gather and a compare, for every
 * block of lanes of both tables before the next step, so that all their
 * loads are in flight together; a lane whose walk ended is masked off and
 * the walk stops when no lane of any block goes on. What it gains and
 * costs on this machine class: doc/bench.md.
 *
 * An address's bytes come from its four 32-bit words, gathered from the
 * batch's 16-byte addresses when the walk first needs them (a /56 walks
 * bytes 0..6: two words). Indexes are signed 32-bit lanes: a group entry
 * is below LPM6_WIDE (2^30), so entry | byte always fits.
 *
 * A lane whose first-level entry is wide (lpm6.h) reads bytes 2 and 3 at
 * step 2 and sits step 3 out; the others read byte 2, then byte 3; from
 * step 4 on all lanes are at the same byte again. Step 2 is the same
 * instructions for both kinds of lane (a variable shift puts byte 2
 * where the lane's group wants it), and a batch whose addresses all lie
 * under wide groups skips step 3's gathers.
 */
#ifndef OP25B_LPM6_VEC_H
#define OP25B_LPM6_VEC_H

#include "lpm6.h"

_Static_assert((uint64_t)LPM6_WIDE + 0xffff < (UINT64_C(1) << 31),
	       "group entries, and a wide group's by two bytes, fit a "
	       "gather's signed 32-bit index");

#define LPM6_VEC_MAX_BLOCKS (2 * LPM6_BULK_MAX / VEC_LANES)

/* VEC_LANES addresses of one table: their words as far as gathered, the
 * current entries, the lanes still walking. */
struct lpm6_vec_block {
	vec_i32 w[4];
	vec_i32 e;
	vec_mask k;
	vec_mask wide; /* lanes past step 3 already, waiting for step 4 */
	vec_mask in;   /* the block's lanes (the last block may be short) */
	const uint32_t *tbl8; /* its table's groups */
	const uint8_t (*addr)[16];
	uint32_t *val;
};

/* Word @j of the block's addresses. */
static __rte_always_inline void
lpm6_vec_word(struct lpm6_vec_block *b, unsigned int j)
{
	const vec_i32 zero = { 0 };

	b->w[j] = vec_gather(zero, b->in, (vec_lane_index() << 2) + j,
			     (const int *)b->addr, 4);
}

/* Byte @i (0..15) of each lane's address: little-endian words. */
static __rte_always_inline vec_i32
lpm6_vec_byte(const struct lpm6_vec_block *b, unsigned int i)
{
	return (b->w[i >> 2] >> (8 * (i & 3))) & 0xff;
}

/*
 * The values of @a[0..n) in @ta into @va and of @b[0..n) in @tb into
 * @vb (n <= LPM6_BULK_MAX), as lpm6_lookup_bulk2() gives them; a NULL
 * table gives every value 0.
 */
static __rte_always_inline void
lpm6_vec_lookup2(const struct lpm6 *ta, const uint8_t (*a)[16], uint32_t *va,
		 const struct lpm6 *tb, const uint8_t (*b)[16], uint32_t *vb,
		 unsigned int n)
{
	struct lpm6_vec_block blk[LPM6_VEC_MAX_BLOCKS];
	const vec_i32 zero = { 0 };
	unsigned int s, j, i, nb = 0, steps = (n + VEC_LANES - 1) / VEC_LANES;
	bool walking = false;

	/* The first level of every block (two bytes: word 0). */
	for (s = 0; s < steps; s++) {
		vec_mask in = vec_first_mask(
			RTE_MIN(n - s * VEC_LANES, (unsigned int)VEC_LANES));
		unsigned int side;

		for (side = 0; side < 2; side++) {
			const struct lpm6 *t = side == 0 ? ta : tb;
			uint32_t *val = (side == 0 ? va : vb) + s * VEC_LANES;
			struct lpm6_vec_block *x = &blk[nb];
			vec_i32 w0;

			if (t == NULL) {
				vec_store(val, in, zero);
				continue;
			}
			x->in = in;
			x->tbl8 = t->tbl8;
			x->addr = (side == 0 ? a : b) + s * VEC_LANES;
			x->val = val;
			lpm6_vec_word(x, 0);
			w0 = x->w[0];
			/* addr[0] << 8 | addr[1] */
			x->e = vec_gather(zero, in,
					  ((w0 & 0xff) << 8) |
						  ((w0 >> 8) & 0xff),
					  (const int *)t->tbl16, 4);
			x->k = vec_group(in, x->e);
			walking |= vec_any(x->k);
			nb++;
		}
	}
	/* Step 2: byte 2, or bytes 2 and 3 in a wide group. A wide entry's
	 * group is at entry - LPM6_WIDE, bytes 2 and 3 its index; a narrow
	 * one's at entry | byte 2 (its low byte is 0, so | is +). Step 3:
	 * byte 3 of the narrow lanes; then every lane is at byte 4. */
	if (walking) {
		for (j = 0; j < nb; j++) {
			struct lpm6_vec_block *x = &blk[j];
			vec_i32 wide, index;

			x->wide = vec_none();
			if (!vec_any(x->k))
				continue;
			wide = (x->e >> 30) & 1;
			index = (x->e & ~LPM6_WIDE) +
				((lpm6_vec_byte(x, 2) << (wide << 3)) |
				 (lpm6_vec_byte(x, 3) & -wide));
			x->e = vec_gather(x->e, x->k, index,
					  (const int *)x->tbl8, 4);
			x->k = vec_group(x->k, x->e);
			x->wide = vec_eq(x->k, wide, zero + 1);
			x->k = vec_eq(x->k, wide, zero);
		}
		walking = false;
		for (j = 0; j < nb; j++) {
			struct lpm6_vec_block *x = &blk[j];

			if (vec_any(x->k)) {
				x->e = vec_gather(x->e, x->k,
						  x->e | lpm6_vec_byte(x, 3),
						  (const int *)x->tbl8, 4);
				x->k = vec_group(x->k, x->e);
			}
			x->k |= x->wide;
			walking |= vec_any(x->k);
		}
	}
	/* Byte i of every block still walking, until none is. A group at
	 * byte i exists only under prefixes longer than 8 i bits: the walk
	 * ends at byte 15 at the latest, on a value. */
	for (i = 4; walking && i < 16; i++) {
		walking = false;
		for (j = 0; j < nb; j++) {
			struct lpm6_vec_block *x = &blk[j];

			if (!vec_any(x->k))
				continue;
			if ((i & 3) == 0)
				lpm6_vec_word(x, i >> 2);
			x->e = vec_gather(x->e, x->k,
					  x->e | lpm6_vec_byte(x, i),
					  (const int *)x->tbl8, 4);
			x->k = vec_group(x->k, x->e);
			walking |= vec_any(x->k);
		}
	}
	/* Every lane's entry is its value now. */
	for (j = 0; j < nb; j++)
		vec_store(blk[j].val, blk[j].in, blk[j].e);
}

#endif /* OP25B_LPM6_VEC_H */
