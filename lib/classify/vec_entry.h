/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A path's entry points (declared in vec_priv.h), defined once for every
 * instruction set: the including file (vec_avx2.c, vec_avx512.c) names
 * its set in VEC_SUFFIX (avx2: vec_prepass_avx2(), vec_lookup4_avx2(),
 * vec_lookup6_avx2(), vec_decide_avx2()) after including the bodies
 * (vec_body.h, lpm4_vec.h, lpm6_vec.h, decide_vec.h) built with its
 * definitions.
 */
#ifndef OP25B_CLASSIFY_VEC_ENTRY_H
#define OP25B_CLASSIFY_VEC_ENTRY_H

#define VEC_ENTRY_CAT(name, set) name##_##set
#define VEC_ENTRY_NAME(name, set) VEC_ENTRY_CAT(name, set)
#define VEC_ENTRY(name) VEC_ENTRY_NAME(name, VEC_SUFFIX)

uint64_t
VEC_ENTRY(vec_prepass)(const struct op25b_classifier *c, struct rte_mbuf **pkts,
		       unsigned int n, struct op25b_classify_result *results)
{
	return vec_prepass_body(c, pkts, n, results);
}

void
VEC_ENTRY(vec_lookup4)(const struct lpm4 *ta, const uint32_t *ipa, uint32_t *ea,
		       const struct lpm4 *tb, const uint32_t *ipb, uint32_t *eb,
		       unsigned int n)
{
	lpm4_vec_lookup2(ta, ipa, ea, tb, ipb, eb, n);
}

void
VEC_ENTRY(vec_lookup6)(const struct lpm6 *ta, const uint8_t (*a)[16],
		       uint32_t *va, const struct lpm6 *tb,
		       const uint8_t (*b)[16], uint32_t *vb, unsigned int n)
{
	lpm6_vec_lookup2(ta, a, va, tb, b, vb, n);
}

uint64_t
VEC_ENTRY(vec_decide)(const struct op25b_classifier *c, uint8_t slow,
		      const uint32_t *sv, const uint32_t *dv,
		      const uint16_t *idx, unsigned int n,
		      struct op25b_classify_result *results,
		      struct op25b_stats_counters *counters)
{
	return decide_vec(c, slow, sv, dv, idx, n, results, counters);
}

#endif /* OP25B_CLASSIFY_VEC_ENTRY_H */
