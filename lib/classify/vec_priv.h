/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The burst loop's pre-pass: which frames of a burst the scalar parser
 * must still read. The vector implementations settle plain non-SMTP
 * frames (untagged IPv4 without options or fragments, IPv6 without
 * extension headers; not TCP, or TCP to a port that is neither SMTP nor
 * submission) in bulk, with exactly the result the parser would give;
 * everything else is left to it.
 */
#ifndef OP25B_CLASSIFY_VEC_PRIV_H
#define OP25B_CLASSIFY_VEC_PRIV_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "classify_priv.h"

_Static_assert(OP25B_CLASSIFY_BURST_MAX <= 64,
	       "a burst's pending frames fit one 64-bit mask");

/* The frames of a burst of @n (n <= OP25B_CLASSIFY_BURST_MAX), bit i for
 * pkts[i]: what a pre-pass that settles nothing returns. */
static inline uint64_t
vec_burst_mask(unsigned int n)
{
	return n == 64 ? UINT64_MAX : (UINT64_C(1) << n) - 1;
}

/*
 * Settle what it can of @pkts[0..n) (n <= OP25B_CLASSIFY_BURST_MAX): each
 * settled frame's result is c->settled_result[OP25B_OUTCOME_NON_SMTP].
 * Other entries of @results may be overwritten too (the parser writes
 * every frame it reads). Counts nothing: the burst loop derives non_smtp
 * from what it counted. Returns the frames the parser must read, bit i
 * for pkts[i].
 */
typedef uint64_t (*vec_prepass_fn_t)(const struct op25b_classifier *c,
				     struct rte_mbuf **pkts, unsigned int n,
				     struct op25b_classify_result *results);

/* The pre-pass of the path in use; read once per burst. */
extern vec_prepass_fn_t classify_prepass;

/*
 * The IPv4 lookups of a batch in the source and destination tables, as
 * lpm4_stage_tbl16() and lpm4_stage_tbl8a() with hardware gathers
 * (lpm4_vec.h): @ea/@eb[0..n) become final entries (the value, no
 * LPM4_EXT), for lpm4_stage_value(). Only for tables lpm4_vec_fits().
 */
typedef void (*vec_lookup4_fn_t)(const struct lpm4 *ta, const uint32_t *ipa,
				 uint32_t *ea, const struct lpm4 *tb,
				 const uint32_t *ipb, uint32_t *eb,
				 unsigned int n);

/* The fewest addresses a batch gives the vector lookups (fewer take the
 * scalar stages): one AVX2 step. */
#define LOOKUP4_VEC_MIN 8

/* The lookups of the path in use; NULL: the scalar stages. */
extern vec_lookup4_fn_t classify_lookup4;

/*
 * The IPv6 lookups of a batch in the source and destination tables, as
 * lpm6_lookup_bulk2() with hardware gathers (lpm6_vec.h): @va/@vb[0..n)
 * become the values (n <= LPM6_BULK_MAX).
 */
typedef void (*vec_lookup6_fn_t)(const struct lpm6 *ta, const uint8_t (*a)[16],
				 uint32_t *va, const struct lpm6 *tb,
				 const uint8_t (*b)[16], uint32_t *vb,
				 unsigned int n);

/* The fewest addresses a batch gives the vector IPv6 lookups. */
#define LOOKUP6_VEC_MIN 8

/* The IPv6 lookups of the path in use; NULL: lpm6_lookup_bulk2(). */
extern vec_lookup6_fn_t classify_lookup6;

/*
 * The decisions of a batch of @n looked-up packets (@sv/@dv[i]: their
 * source and destination values; @idx[i]: their place in the burst, the
 * array a burst long) whose matrix cell is below @slow: results[idx[i]]
 * and the counters, as decide_slots() gives them (decide_vec.h). Returns
 * the packets left for decide_slots(), bit i for sv[i]. Set with the
 * path's lookups: never NULL when they are not.
 */
typedef uint64_t (*vec_decide_fn_t)(const struct op25b_classifier *c,
				    uint8_t slow, const uint32_t *sv,
				    const uint32_t *dv, const uint16_t *idx,
				    unsigned int n,
				    struct op25b_classify_result *results,
				    struct op25b_stats_counters *counters);

/* The decisions of the path in use; NULL: decide_slots() alone. */
extern vec_decide_fn_t classify_decide;

uint64_t
vec_prepass_avx2(const struct op25b_classifier *c, struct rte_mbuf **pkts,
		 unsigned int n, struct op25b_classify_result *results);
uint64_t
vec_prepass_avx512(const struct op25b_classifier *c, struct rte_mbuf **pkts,
		   unsigned int n, struct op25b_classify_result *results);

void vec_lookup4_avx2(const struct lpm4 *ta, const uint32_t *ipa, uint32_t *ea,
		      const struct lpm4 *tb, const uint32_t *ipb, uint32_t *eb,
		      unsigned int n);
void vec_lookup4_avx512(const struct lpm4 *ta, const uint32_t *ipa,
			uint32_t *ea, const struct lpm4 *tb,
			const uint32_t *ipb, uint32_t *eb, unsigned int n);

void vec_lookup6_avx2(const struct lpm6 *ta, const uint8_t (*a)[16],
		      uint32_t *va, const struct lpm6 *tb,
		      const uint8_t (*b)[16], uint32_t *vb, unsigned int n);
void vec_lookup6_avx512(const struct lpm6 *ta, const uint8_t (*a)[16],
			uint32_t *va, const struct lpm6 *tb,
			const uint8_t (*b)[16], uint32_t *vb, unsigned int n);

uint64_t
vec_decide_avx2(const struct op25b_classifier *c, uint8_t slow,
		const uint32_t *sv, const uint32_t *dv, const uint16_t *idx,
		unsigned int n, struct op25b_classify_result *results,
		struct op25b_stats_counters *counters);
uint64_t
vec_decide_avx512(const struct op25b_classifier *c, uint8_t slow,
		  const uint32_t *sv, const uint32_t *dv, const uint16_t *idx,
		  unsigned int n, struct op25b_classify_result *results,
		  struct op25b_stats_counters *counters);

#endif /* OP25B_CLASSIFY_VEC_PRIV_H */
