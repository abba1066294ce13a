/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pre-pass, the IPv4 and IPv6 lookups and the decisions after them on
 * AVX-512 (F, BW, DQ, VL): 16 frames, addresses or packets a step, the
 * lane masks in mask registers. Built with those flags alone: only called
 * when the CPU has them (vec.c).
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

typedef vu32 vec_i32;
typedef __mmask16 vec_mask;
#define vec_none() ((vec_mask)0)
#define vec_any(k) ((k) != 0)
#define vec_first_mask(n) ((vec_mask)((1u << (n)) - 1))
#define vec_load(k, p) ((vec_i32)_mm512_maskz_loadu_epi32((k), (p)))
#define vec_store(p, k, v) _mm512_mask_storeu_epi32((p), (k), (__m512i)(v))
#define vec_ext(k, e)                                                          \
	_mm512_mask_test_epi32_mask((k), (__m512i)(e),                         \
				    _mm512_set1_epi32((int)LPM4_EXT))
#define vec_not_wide(k, e)                                                     \
	_mm512_mask_testn_epi32_mask((k), (__m512i)(e),                        \
				     _mm512_set1_epi32((int)LPM4_WIDE))
#define vec_gather(old, k, idx, base, scale)                                   \
	((vec_i32)_mm512_mask_i32gather_epi32(                                 \
		(__m512i)(old), (k), (__m512i)(idx), (base), (scale)))

#define vec_group(k, e)                                                        \
	_mm512_mask_cmpgt_epi32_mask(                                          \
		(k), (__m512i)(e), _mm512_set1_epi32((int)LPM6_GROUP_MIN - 1))
#define vec_lane_index()                                                       \
	((vec_i32)_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,  \
				    13, 14, 15))

#define vec_lt(k, a, b)                                                        \
	_mm512_mask_cmplt_epi32_mask((k), (__m512i)(a), (__m512i)(b))
#define vec_eq(k, a, b)                                                        \
	_mm512_mask_cmpeq_epi32_mask((k), (__m512i)(a), (__m512i)(b))
#define vec_bits(k) ((uint64_t)(k))
#define vec_permute(t, i)                                                      \
	((vec_i32)_mm512_permutexvar_epi32((__m512i)(i), (__m512i)(t)))
#define vec_load_u16(p)                                                        \
	((vec_i32)_mm512_cvtepu16_epi32(                                       \
		_mm256_loadu_si256((const __m256i *)(p))))

#include "lpm4_vec.h"
#include "lpm6_vec.h"
#include "decide_vec.h"

#define VEC_SUFFIX avx512
#include "vec_entry.h"
