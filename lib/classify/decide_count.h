/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The counters of decided packets, for the burst loop (classifier.c) and
 * the vector decisions (decide_vec.h).
 */
#ifndef OP25B_CLASSIFY_DECIDE_COUNT_H
#define OP25B_CLASSIFY_DECIDE_COUNT_H

#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>

#include "op25b_stats.h"

/* @n decided packets of @outcome from class slot @s to group slot @d:
 * the three counters every decision adds to. */
static __rte_always_inline void
count_verdicts(struct op25b_stats_counters *counters, uint8_t outcome,
	       uint16_t s, uint16_t d, uint32_t n)
{
	counters->outcome[outcome] += n;
	counters->class_verdict[s][OP25B_VERDICT_OF(outcome)] += n;
	counters->group_verdict[d][OP25B_VERDICT_OF(outcome)] += n;
}

/*
 * The counters of a run of packets with one outcome and the same slots.
 * A burst's SMTP packets mostly share them (a bot's SYNs, a scan of one
 * class to one group): each of the three counters then takes one add a
 * run, not a load, add and store a packet, whose chain through one
 * address (each load waiting on the last store) bounded the loop.
 */
struct count_run {
	uint32_t key; /* outcome | class slot << 8 | group slot << 16 */
	uint32_t n;
};

/* The key of a run: the packing decide_vec.h computes in its lanes. */
static __rte_always_inline uint32_t
count_run_key(uint8_t outcome, uint8_t s, uint8_t d)
{
	return outcome | (uint32_t)s << 8 | (uint32_t)d << 16;
}

static __rte_always_inline void
count_run_flush(const struct count_run *run,
		struct op25b_stats_counters *counters)
{
	count_verdicts(counters, (uint8_t)run->key, (uint8_t)(run->key >> 8),
		       (uint8_t)(run->key >> 16), run->n);
}

/* @n more packets of run @key. */
static __rte_always_inline void
count_run_add_n(struct count_run *run, uint32_t key, uint32_t n,
		struct op25b_stats_counters *counters)
{
	if (unlikely(key != run->key)) {
		if (run->n != 0)
			count_run_flush(run, counters);
		run->key = key;
		run->n = 0;
	}
	run->n += n;
}

static __rte_always_inline void
count_run_add(struct count_run *run, uint8_t outcome, uint8_t s, uint8_t d,
	      struct op25b_stats_counters *counters)
{
	count_run_add_n(run, count_run_key(outcome, s, d), 1, counters);
}

/* The last run's counters, after a burst's decisions. */
static __rte_always_inline void
count_run_end(const struct count_run *run,
	      struct op25b_stats_counters *counters)
{
	if (run->n != 0)
		count_run_flush(run, counters);
}

#endif /* OP25B_CLASSIFY_DECIDE_COUNT_H */
