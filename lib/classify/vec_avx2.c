/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pre-pass, the IPv4 and IPv6 lookups and the decisions after them on
 * AVX2: 8 frames, addresses or packets a step. Built with -mavx2 alone:
 * only called when the CPU has it (vec.c).
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

/* Lane masks are vectors: a lane is in when its top bit is set, which for
 * an entry is LPM4_EXT, so vec_ext() is an and. */
typedef vu32 vec_i32;
typedef vu32 vec_mask;
#define vec_none() ((vec_mask){ 0 })
#define vec_any(k) (_mm256_movemask_ps((__m256)(k)) != 0)
#define vec_first_mask(n)                                                      \
	((vec_mask)_mm256_cmpgt_epi32(                                         \
		_mm256_set1_epi32((int)(n)),                                   \
		_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)))
#define vec_load(k, p)                                                         \
	((vec_i32)_mm256_maskload_epi32((const int *)(p), (__m256i)(k)))
#define vec_store(p, k, v)                                                     \
	_mm256_maskstore_epi32((int *)(p), (__m256i)(k), (__m256i)(v))
#define vec_ext(k, e) ((k) & (e))
/* LPM4_WIDE is bit 30: one left is the top bit. */
#define vec_not_wide(k, e) ((k) & ~((e) << 1))
#define vec_gather(old, k, idx, base, scale)                                   \
	((vec_i32)_mm256_mask_i32gather_epi32(                                 \
		(__m256i)(old), (const int *)(base), (__m256i)(idx),           \
		(__m256i)(k), (scale)))

#define vec_group(k, e)                                                        \
	((k) &                                                                 \
	 (vec_mask)_mm256_cmpgt_epi32(                                         \
		 (__m256i)(e), _mm256_set1_epi32((int)LPM6_GROUP_MIN - 1)))
#define vec_lane_index() ((vec_i32)_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))

#define vec_lt(k, a, b)                                                        \
	((k) & (vec_mask)_mm256_cmpgt_epi32((__m256i)(b), (__m256i)(a)))
#define vec_eq(k, a, b)                                                        \
	((k) & (vec_mask)_mm256_cmpeq_epi32((__m256i)(a), (__m256i)(b)))
#define vec_bits(k) vec_mask_bits(k)
#define vec_permute(t, i)                                                      \
	((vec_i32)_mm256_permutevar8x32_epi32((__m256i)(t), (__m256i)(i)))
#define vec_load_u16(p)                                                        \
	((vec_i32)_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(p))))

#include "lpm4_vec.h"
#include "lpm6_vec.h"
#include "decide_vec.h"

#define VEC_SUFFIX avx2
#include "vec_entry.h"
