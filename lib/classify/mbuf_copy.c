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

		/* A segment after the first that would take nothing (@rest
		 * 0, no tailroom) would never end the chain; nor may it
		 * outgrow nb_segs. */
		if (head != NULL &&
		    (rest == 0 || head->nb_segs == UINT16_MAX)) {
			rte_pktmbuf_free(head);
			rte_errno = EINVAL;
			return NULL;
		}
		m = rte_pktmbuf_alloc(pool);
		if (m == NULL) {
			rte_pktmbuf_free(head);
			rte_errno = ENOMEM;
			return NULL;
		}
		n = RTE_MIN(len - off, head != NULL ? rest : first);
		n = RTE_MIN(n, (uint32_t)rte_pktmbuf_tailroom(m));
		if (n == 0 && head != NULL) {
			rte_pktmbuf_free(m);
			rte_pktmbuf_free(head);
			rte_errno = EINVAL;
			return NULL;
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
}
