/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * What a block record needs from a frame the classifier has judged: read
 * back off the rare path (blocked, reset and would-block frames only), so
 * that the burst loop pays nothing for records.
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
 * Fill @p h from @p m, which op25b_classifier_classify_burst() gave
 * @p result (an outcome op25b_records_wanted() takes). A reset's frame
 * has been rewritten into its reply: its addresses, ports and MACs are
 * read back the way round the SYN had them. Walks the same L2 (VLAN tags,
 * PPPoE) as the classifier. No allocation, lock or syscall.
 *
 * @param port
 *   The port @p m came in on (@p h->port).
 * @return 0, or -EINVAL when the frame no longer parses (then @p h is
 *   not to be counted).
 */
int op25b_classifier_record_hint(const struct op25b_classifier *classifier,
				 const struct rte_mbuf *m,
				 const struct op25b_classify_result *result,
				 uint16_t port, struct op25b_record_hint *h);

#ifdef __cplusplus
}
#endif

#endif /* OP25B_CLASSIFY_RECORD_H */
