/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The common decisions of a batch by vectors: a packet whose matrix cell
 * needs only its result word and its counters (forwarded, counted,
 * blocked with no exemption table: below the caller's @slow, see
 * classifier.c's slow_outcome()). Included by the files built for one
 * instruction set (vec_avx2.c, vec_avx512.c) after lpm4_vec.h, with its
 * vec_* definitions and these:
 *   vec_lt(k, a, b), vec_eq(k, a, b)   the lanes of k where a < b, a == b
 *   vec_bits(k)                        the lanes of k as bits, lane 0 low
 *   vec_permute(t, i)                  t[i] in each lane (i < 8)
 *   vec_load_u16(p)                    VEC_LANES uint16_t, widened
 *
 * Why: decided one at a time (decide_slots()), a packet takes about 30
 * instructions: its two slots, the cell's index and load, the result's
 * load, patch and store, the run's key and test. Here a step of
 * VEC_LANES packets takes about as many: the cells are one gather, the
 * result words a permute of the settled ones, stored in one masked store
 * when the step's packets lie in a row in the burst (all of them in a
 * burst of SMTP only), and the run's counters one add when the step's
 * packets share their key (a bot's SYNs, a scan: one class, one group).
 * What it gains on this machine class: doc/bench.md.
 */
#ifndef OP25B_DECIDE_VEC_H
#define OP25B_DECIDE_VEC_H

#include "decide_count.h"

/* The fast outcomes lie below slow_outcome()'s bound, at most reset: a
 * permute of the first 8 settled results holds them all. */
_Static_assert(OP25B_OUTCOME_RESET <= 8 && PARSE_CODE_MAX >= 8,
	       "the fast outcomes index the first 8 settled results");
/* idx[] is read a whole step at a time: a burst's arrays end on a step. */
_Static_assert(OP25B_CLASSIFY_BURST_MAX % VEC_LANES == 0,
	       "a burst is whole steps of lanes");

/*
 * Decide what can be decided of @n (n <= 64) packets with slots
 * @sv[i], @dv[i] (values of the lookups: the slot in the low byte) and
 * burst positions @idx[i] (read VEC_LANES at a time: the array is a
 * burst long): results[idx[i]] and the counters. The matrix is read 32
 * bits at a cell's byte (compile.c pads it). Returns the packets left
 * for decide_slots(), bit i for sv[i].
 */
static __rte_always_inline uint64_t
decide_vec(const struct op25b_classifier *c, uint8_t slow, const uint32_t *sv,
	   const uint32_t *dv, const uint16_t *idx, unsigned int n,
	   struct op25b_classify_result *results,
	   struct op25b_stats_counters *counters)
{
	const vec_i32 settled =
		vec_load(vec_first_mask(8), (const void *)c->settled_result);
	const vec_i32 zero = { 0 }, ng = vec_splat(c->n_group_slots),
		      slow_bound = vec_splat(slow);
	uint32_t keys[VEC_LANES], words[VEC_LANES];
	struct count_run run = { 0, 0 };
	uint64_t left = 0;
	unsigned int i, l, first;

	for (i = 0; i < n; i += VEC_LANES) {
		vec_mask k =
			vec_first_mask(RTE_MIN(n - i, (unsigned int)VEC_LANES));
		vec_i32 s = vec_load(k, sv + i) & 0xff;
		vec_i32 d = vec_load(k, dv + i) & 0xff;
		vec_i32 cell = vec_gather(zero, k, s * ng + d, c->matrix, 1) &
			       0xff;
		vec_mask fast = vec_lt(k, cell, slow_bound);
		vec_i32 word = (vec_permute(settled, cell) & 0xffff) | s << 16 |
			       d << 24;
		vec_i32 key = cell | s << 8 | d << 16;
		vec_i32 at = vec_load_u16(idx + i);
		uint64_t fast_bits = vec_bits(fast), base;

		left |= (vec_bits(k) & ~fast_bits) << i;
		/* A step with nothing to decide here is a guess that the
		 * rest is alike: a block: reset or notify policy's blocked
		 * SYNs (the shipped policy blocks by reset), or what an
		 * exemption table or an adaptive class may change. The rest
		 * goes to decide_slots() unread, right whatever it holds;
		 * the guess saves a vector step where decide_slots() would
		 * take each packet anyway. */
		if (unlikely(fast_bits == 0)) {
			left |= vec_burst_mask(n) &
				~vec_burst_mask(RTE_MIN(i + VEC_LANES, n));
			break;
		}
		first = (unsigned int)__builtin_ctzll(fast_bits);
		memcpy(keys, &key, sizeof(keys));
		/* Their counters: one add when they share the first's key. */
		if (likely(vec_bits(
				   vec_eq(fast, key, vec_splat(keys[first]))) ==
			   fast_bits)) {
			count_run_add_n(
				&run, keys[first],
				(uint32_t)__builtin_popcountll(fast_bits),
				counters);
		} else {
			for (l = first; l < VEC_LANES; l++)
				if (fast_bits >> l & 1)
					count_run_add_n(&run, keys[l], 1,
							counters);
		}
		/* Their results: one store when they lie in a row. */
		base = idx[i + first] - first;
		if (likely(vec_bits(vec_eq(fast, at,
					   vec_splat((uint32_t)base) +
						   vec_lane_index())) ==
			   fast_bits)) {
			vec_store(results + base, fast, word);
		} else {
			memcpy(words, &word, sizeof(words));
			for (l = first; l < VEC_LANES; l++)
				if (fast_bits >> l & 1)
					memcpy(&results[idx[i + l]], &words[l],
					       sizeof(words[l]));
		}
	}
	count_run_end(&run, counters);
	return left;
}

#endif /* OP25B_DECIDE_VEC_H */
