/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bulk IPv4 lookups of lpm4.h with hardware gathers: both tables of a
 * batch (sources and destinations), one level at a time, VEC_LANES
 * addresses a gather. Included by the files built for one instruction set
 * (vec_avx2.c, vec_avx512.c), each of which defines, for its width:
 *   vec_i32      the vector type of 32-bit lanes
 *   vec_mask     its lane mask (a mask register, or a vector of lanes)
 *   VEC_LANES    the lanes a step
 *   vec_load(k, p)          lanes k of p[], the others 0
 *   vec_gather(old, k, idx, base, scale)
 *                           lanes k of base[idx], the others from old
 *   vec_ext(k, e)           the lanes of k whose e has LPM4_EXT
 *   vec_not_wide(k, e)      the lanes of k whose e has no LPM4_WIDE
 *   vec_any(k)              whether k has a lane
 *   vec_store(p, k, e)      lanes k of e into p[]
 *   vec_first_mask(n)       the first n lanes (n <= VEC_LANES)
 *
 * Why: the scalar stages spend about 11 instructions per address and
 * level (an index, a load, a test, a prefetch, the array stores between
 * stages); a gather does VEC_LANES addresses' level in one instruction
 * plus five for the indexes, and issues all their loads at once, so a
 * batch's misses overlap without prefetches. What it costs and gains on
 * this machine class: doc/bench.md.
 *
 * Indexes are signed 32-bit lanes: lpm4_vec_fits() says whether a table's
 * groups fit them (always, short of 8 million third-level groups); the
 * third level is gathered 32 bits at a byte's offset, so up to 3 bytes
 * past the byte wanted are read: today the level's spare group lies
 * there, and lpm4_build() leaves LPM4_TBL8B_PAD bytes after the level so
 * that it stays so whatever the level's sizing becomes.
 *
 * A lane whose first-level entry is wide (lpm4.h) computes its third-
 * level group instead of gathering a second-level entry: a batch whose
 * addresses all lie under wide /16s gathers twice, not three times.
 */
#ifndef OP25B_LPM4_VEC_H
#define OP25B_LPM4_VEC_H

#include "lpm4.h"

#define LPM4_VEC_MAX_STEPS (64 / VEC_LANES)

typedef int32_t lpm4_vec_s32 __attribute__((vector_size(sizeof(vec_i32))));

/* The index of @e's group entry for @byte (both lanes of 32 bits). */
static __rte_always_inline vec_i32
lpm4_vec_group_index(vec_i32 e, vec_i32 byte)
{
	return ((e & ~LPM4_EXT) << 8) | byte;
}

/* Lanes @k of @e (first-level entries with LPM4_EXT) to their second-
 * level entries for @ip: a narrow lane's gathered, a wide lane's the
 * /16's first third-level group plus the address's third byte
 * (lpm4_second()). */
static __rte_always_inline vec_i32
lpm4_vec_second(const struct lpm4 *t, vec_i32 e, vec_mask k, vec_i32 ip)
{
	vec_i32 byte = (ip >> 8) & 0xff;
	vec_mask narrow = vec_not_wide(k, e);
	/* All ones in the lanes with LPM4_WIDE (bit 30), moved to the sign
	 * and spread; no other lane has the bit (values are bytes). */
	vec_i32 wide = (vec_i32)((lpm4_vec_s32)(e << 1) >> 31);

	e += wide & (byte - LPM4_WIDE);
	if (vec_any(narrow))
		e = vec_gather(e, narrow, lpm4_vec_group_index(e, byte),
			       t->tbl8a, 4);
	return e;
}

/* Lanes @k of @ip to their first-level entries in @t, through its
 * summary when it has one (lpm4_summarize()): a lane whose bit is clear
 * takes the background without reading the first level. The other lanes
 * are 0 without a summary, and may be the background with one. */
static __rte_always_inline vec_i32
lpm4_vec_first(const struct lpm4 *t, vec_mask k, vec_i32 ip)
{
	const vec_i32 zero = { 0 };
	vec_i32 words, background;

	if (t->summary == NULL)
		return vec_gather(zero, k, ip >> 16, t->tbl16, 4);
	words = vec_gather(zero, k, ip >> 21, t->summary, 4);
	k = k & ~vec_eq(k, words & ((zero + 1) << ((ip >> 16) & 31)), zero);
	background = zero + t->background;
	return vec_any(k) ? vec_gather(background, k, ip >> 16, t->tbl16, 4)
			  : background;
}

/* Lookups of @ipa[0..n) in @ta and of @ipb[0..n) in @tb: @ea and @eb
 * become the final entries (the value, LPM4_EXT clear), as
 * lpm4_stage_value() would read them; a NULL table gives every value 0.
 * n <= 64. */
static __rte_always_inline void
lpm4_vec_lookup2(const struct lpm4 *ta, const uint32_t *ipa, uint32_t *ea,
		 const struct lpm4 *tb, const uint32_t *ipb, uint32_t *eb,
		 unsigned int n)
{
	vec_i32 ia[LPM4_VEC_MAX_STEPS], ib[LPM4_VEC_MAX_STEPS];
	vec_i32 va[LPM4_VEC_MAX_STEPS], vb[LPM4_VEC_MAX_STEPS];
	vec_mask k[LPM4_VEC_MAX_STEPS], ka[LPM4_VEC_MAX_STEPS],
		kb[LPM4_VEC_MAX_STEPS];
	const vec_i32 zero = { 0 };
	unsigned int s, steps = (n + VEC_LANES - 1) / VEC_LANES;

	/* Every stage across the whole batch before the next: the stage's
	 * gathers are independent, so their misses are in flight together. */
	for (s = 0; s < steps; s++) {
		k[s] = vec_first_mask(
			RTE_MIN(n - s * VEC_LANES, (unsigned int)VEC_LANES));
		ka[s] = ta != NULL ? k[s] : vec_none();
		kb[s] = tb != NULL ? k[s] : vec_none();
		ia[s] = vec_load(k[s], ipa + s * VEC_LANES);
		ib[s] = vec_load(k[s], ipb + s * VEC_LANES);
		va[s] = vec_any(ka[s]) ? lpm4_vec_first(ta, ka[s], ia[s])
				       : zero;
		vb[s] = vec_any(kb[s]) ? lpm4_vec_first(tb, kb[s], ib[s])
				       : zero;
	}
	for (s = 0; s < steps; s++) {
		ka[s] = vec_ext(ka[s], va[s]);
		kb[s] = vec_ext(kb[s], vb[s]);
		if (vec_any(ka[s]))
			va[s] = lpm4_vec_second(ta, va[s], ka[s], ia[s]);
		if (vec_any(kb[s]))
			vb[s] = lpm4_vec_second(tb, vb[s], kb[s], ib[s]);
	}
	for (s = 0; s < steps; s++) {
		ka[s] = vec_ext(ka[s], va[s]);
		kb[s] = vec_ext(kb[s], vb[s]);
		if (vec_any(ka[s]))
			va[s] = vec_gather(
				va[s], ka[s],
				lpm4_vec_group_index(va[s], ia[s] & 0xff),
				ta->tbl8b, 1);
		if (vec_any(kb[s]))
			vb[s] = vec_gather(
				vb[s], kb[s],
				lpm4_vec_group_index(vb[s], ib[s] & 0xff),
				tb->tbl8b, 1);
		/* A third-level lane read 32 bits from its byte; every
		 * value is its entry's low byte. */
		vec_store(ea + s * VEC_LANES, k[s], va[s] & 0xff);
		vec_store(eb + s * VEC_LANES, k[s], vb[s] & 0xff);
	}
}

#endif /* OP25B_LPM4_VEC_H */
