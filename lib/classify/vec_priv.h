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

uint64_t
vec_prepass_avx2(const struct op25b_classifier *c, struct rte_mbuf **pkts,
		 unsigned int n, struct op25b_classify_result *results);
uint64_t
vec_prepass_avx512(const struct op25b_classifier *c, struct rte_mbuf **pkts,
		   unsigned int n, struct op25b_classify_result *results);

#endif /* OP25B_CLASSIFY_VEC_PRIV_H */
