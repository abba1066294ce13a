/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pre-pass on AVX2: 8 frames a step, each gather 2 x 4 lanes (the
 * frames' addresses are 64-bit). Built with -mavx2 alone: only called
 * when the CPU has it (vec.c).
 */
#include <immintrin.h>

#include <rte_common.h>

typedef uint32_t vu32 __attribute__((vector_size(32)));
#define VEC_LANES 8

static __rte_always_inline vu32
vec_gather_frame(const uint64_t *addr, vu32 off, vu32 mask)
{
	__m256i o = (__m256i)off, m = (__m256i)mask;
	__m256i a0 = _mm256_add_epi64(
		_mm256_loadu_si256((const __m256i *)addr),
		_mm256_cvtepu32_epi64(_mm256_castsi256_si128(o)));
	__m256i a1 = _mm256_add_epi64(
		_mm256_loadu_si256((const __m256i *)(addr + 4)),
		_mm256_cvtepu32_epi64(_mm256_extracti128_si256(o, 1)));
	/* Absolute addresses: base 0, scale 1. */
	__m128i g0 = _mm256_mask_i64gather_epi32(_mm_setzero_si128(),
						 (const int *)0, a0,
						 _mm256_castsi256_si128(m), 1);
	__m128i g1 = _mm256_mask_i64gather_epi32(
		_mm_setzero_si128(), (const int *)0, a1,
		_mm256_extracti128_si256(m, 1), 1);

	return (vu32)_mm256_set_m128i(g1, g0);
}

static __rte_always_inline vu32
vec_gather_kind(const uint8_t *port_kind, vu32 port, vu32 mask)
{
	return (vu32)_mm256_mask_i32gather_epi32(
		_mm256_setzero_si256(), (const int *)port_kind, (__m256i)port,
		(__m256i)mask, 1);
}

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
