/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pre-pass on AVX2: 8 frames a step. Built with -mavx2 alone: only
 * called when the CPU has it (vec.c).
 */
#include <immintrin.h>

#include <rte_common.h>

typedef uint32_t vu32 __attribute__((vector_size(32)));
#define VEC_LANES 8

static __rte_always_inline uint64_t
vec_mask_bits(vu32 mask)
{
	return (uint32_t)_mm256_movemask_ps((__m256)mask);
}

#include "vec_body.h"

uint64_t
vec_prepass_avx2(const struct op25b_classifier *c, struct rte_mbuf **pkts,
		 unsigned int n, struct op25b_classify_result *results)
{
	return vec_prepass_body(c, pkts, n, results);
}
