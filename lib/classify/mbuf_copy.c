/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A frame copied into a chain of mbufs, as a PMD with RX scatter would hand
 * it over: for the replay tool and the tests that cut one frame many ways.
 */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include "op25b_classify.h"

struct rte_mbuf *
op25b_mbuf_chain_copy(struct rte_mempool *pool, const uint8_t *frame,
		      uint32_t len, uint32_t first, uint32_t rest)
{
	struct rte_mbuf *head = NULL, *tail = NULL;
	uint32_t off = 0;

	do {
		struct rte_mbuf *m;
		uint32_t n;

		if (head != NULL && head->nb_segs == UINT16_MAX) {
			rte_errno = EINVAL; /* nb_segs would wrap */
			goto fail;
		}
		m = rte_pktmbuf_alloc(pool);
		if (m == NULL) {
			rte_errno = ENOMEM;
			goto fail;
		}
		n = RTE_MIN(len - off, head != NULL ? rest : first);
		n = RTE_MIN(n, (uint32_t)rte_pktmbuf_tailroom(m));
		/* A segment after the first that takes nothing (@rest 0, no
		 * tailroom) would never end the chain. */
		if (n == 0 && head != NULL) {
			rte_pktmbuf_free(m);
			rte_errno = EINVAL;
			goto fail;
		}
		memcpy(rte_pktmbuf_mtod(m, void *), frame + off, n);
		m->data_len = (uint16_t)n;
		if (head == NULL) {
			head = m;
		} else {
			tail->next = m;
			head->nb_segs++;
		}
		head->pkt_len += n;
		tail = m;
		off += n;
	} while (off < len);
	return head;

fail:
	rte_pktmbuf_free(head);
	return NULL;
}
