/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Block records' hints, filled at the end of a classified burst from what
 * the parse found (private to lib/classify).
 */
#ifndef OP25B_RECORD_HINT_H
#define OP25B_RECORD_HINT_H

#include "classify_priv.h"
#include "op25b_classify_record.h"

/*
 * Fill @hints, in the burst's order, with one hint for each of the first
 * @max of the @n frames whose result op25b_records_wanted() takes; @meta
 * is the burst's parse (valid for every such frame: only a policy
 * decision gives those outcomes), @c the classifier that decided (its
 * precedence steps). Returns the number of hints.
 */
uint16_t record_hints_fill(const struct op25b_classifier *c,
			   struct rte_mbuf *const *pkts,
			   const struct op25b_classify_result *results,
			   const struct pkt_meta *meta, uint16_t n,
			   struct op25b_record_hint *hints, uint16_t max);

#endif /* OP25B_RECORD_HINT_H */
