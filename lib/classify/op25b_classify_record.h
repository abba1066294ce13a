/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * What a block record needs from the frames the classifier judges: the
 * burst's blocked, reset and would-block frames described in the same
 * pass, from the offsets its parse already found, so that records cost
 * the burst loop a few stores a blocked frame and nothing else.
 */
#ifndef OP25B_CLASSIFY_RECORD_H
#define OP25B_CLASSIFY_RECORD_H

#include <rte_mbuf.h>

#include "op25b_classify.h"
#include "op25b_records.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * op25b_classifier_classify_burst(), and a record hint for each of the
 * first *@p n_hints frames whose outcome op25b_records_wanted() takes, in
 * the burst's order: its
 * source and destination, port, MAC, VLAN ids and PPPoE session as the
 * frame came in (a reset's or notify's frame, rewritten into its reply,
 * is read the way round the client sent it), its outcome, class and group
 * slots, whether it was a bare SYN, the source's hash, and the DPDK port
 * it came in on (the mbuf's port). No allocation, lock or syscall.
 *
 * @param hints
 *   Room for @p n hints.
 * @param n_hints
 *   In: the most hints to write (a worker over its records' rate writes
 *   fewer than the burst's blocked frames, or none); the first frames of
 *   the burst get them. Out: the number of hints written.
 * @param n_wanted
 *   Set to the number of frames records take, hints written or not: the
 *   growth of @p counters' outcomes records take over the call, so that
 *   nothing else may write @p counters meanwhile (a worker's own).
 * @return the number of packets classified, as
 *   op25b_classifier_classify_burst().
 */
uint16_t
op25b_classifier_classify_burst_hints(const struct op25b_classifier *classifier,
				      const struct op25b_exempt_table *exempt,
				      struct rte_mbuf **pkts, uint16_t n,
				      struct op25b_classify_result *results,
				      struct op25b_stats_counters *counters,
				      struct op25b_record_hint *hints,
				      uint16_t *n_hints, uint16_t *n_wanted);

#ifdef __cplusplus
}
#endif

#endif /* OP25B_CLASSIFY_RECORD_H */
