/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frames as chains of mbufs, cut where a test says: the classifier must
 * judge a frame the same whatever the segments a NIC or PMD gave it.
 */
#ifndef OP25B_TEST_MBUF_H
#define OP25B_TEST_MBUF_H

#include <string.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "op25b_classify.h"

/* @p len bytes of @p frame in mbufs of @p pool: the first segment @p first
 * bytes, every other @p rest bytes (op25b_mbuf_chain_copy). */
static inline struct rte_mbuf *
test_mbuf_chain(struct rte_mempool *pool, const uint8_t *frame,
		unsigned int len, unsigned int first, unsigned int rest)
{
	return op25b_mbuf_chain_copy(pool, frame, len, first, rest);
}

#endif /* OP25B_TEST_MBUF_H */
