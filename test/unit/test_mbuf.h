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

/*
 * @p len bytes of @p frame in mbufs of @p pool: the first segment @p first
 * bytes, every other @p rest bytes (each at most its tailroom). Returns
 * the head, or NULL (everything freed) when the pool runs dry.
 */
static inline struct rte_mbuf *
test_mbuf_chain(struct rte_mempool *pool, const uint8_t *frame,
		unsigned int len, unsigned int first, unsigned int rest)
{
	struct rte_mbuf *head = NULL, *tail = NULL;
	unsigned int off = 0;

	do {
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
		unsigned int n;

		if (m == NULL) {
			rte_pktmbuf_free(head);
			return NULL;
		}
		n = RTE_MIN(len - off, head ? rest : first);
		n = RTE_MIN(n, (unsigned int)rte_pktmbuf_tailroom(m));
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

#endif /* OP25B_TEST_MBUF_H */
