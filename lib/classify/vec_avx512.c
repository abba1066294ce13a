/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pre-pass on AVX-512 (F, BW, DQ, VL): 16 frames a step, the lane
 * masks in mask registers. Built with those flags alone: only called when
 * the CPU has them (vec.c).
 */
#include <immintrin.h>

#include <rte_common.h>

typedef uint32_t vu32 __attribute__((vector_size(64)));
#define VEC_LANES 16

static __rte_always_inline uint64_t
vec_mask_bits(vu32 mask)
{
	return _mm512_movepi32_mask((__m512i)mask);
}

#include "vec_body.h"

uint64_t
vec_prepass_avx512(const struct op25b_classifier *c, struct rte_mbuf **pkts,
		   unsigned int n, struct op25b_classify_result *results)
{
	return vec_prepass_body(c, pkts, n, results);
}
