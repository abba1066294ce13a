/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pre-pass on AVX-512 (F, BW, DQ, VL): 16 frames a step, each gather
 * 2 x 8 lanes (the frames' addresses are 64-bit). Built with those flags
 * alone: only called when the CPU has them (vec.c).
 */
#include <immintrin.h>

#include <rte_common.h>

typedef uint32_t vu32 __attribute__((vector_size(64)));
#define VEC_LANES 16

static __rte_always_inline vu32
vec_gather_frame(const uint64_t *addr, vu32 off, vu32 mask)
{
	__m512i o = (__m512i)off;
	__mmask16 k = _mm512_movepi32_mask((__m512i)mask);
	__m512i a0 = _mm512_add_epi64(
		_mm512_loadu_si512(addr),
		_mm512_cvtepu32_epi64(_mm512_castsi512_si256(o)));
	__m512i a1 = _mm512_add_epi64(
		_mm512_loadu_si512(addr + 8),
		_mm512_cvtepu32_epi64(_mm512_extracti64x4_epi64(o, 1)));
	/* Absolute addresses: base 0, scale 1. */
	__m256i g0 = _mm512_mask_i64gather_epi32(
		_mm256_setzero_si256(), (__mmask8)k, a0, (const void *)0, 1);
	__m256i g1 = _mm512_mask_i64gather_epi32(_mm256_setzero_si256(),
						 (__mmask8)(k >> 8), a1,
						 (const void *)0, 1);

	return (vu32)_mm512_inserti64x4(_mm512_castsi256_si512(g0), g1, 1);
}

static __rte_always_inline vu32
vec_gather_kind(const uint8_t *port_kind, vu32 port, vu32 mask)
{
	return (vu32)_mm512_mask_i32gather_epi32(
		_mm512_setzero_si512(), _mm512_movepi32_mask((__m512i)mask),
		(__m512i)port, port_kind, 1);
}

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
