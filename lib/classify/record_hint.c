/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A blocked frame read back for its block record. Only blocked, reset and
 * would-block frames come here, so the burst loop's parse keeps no more
 * than its verdict needs; the headers are still in L1 when the worker
 * asks, right after the burst was classified.
 */
#include <errno.h>
#include <string.h>

#include "classify_priv.h"
#include "op25b_classify_record.h"

int
op25b_classifier_record_hint(const struct op25b_classifier *c,
			     const struct rte_mbuf *m,
			     const struct op25b_classify_result *result,
			     uint16_t port, struct op25b_record_hint *h)
{
	uint8_t copy[OP25B_PARSE_DEPTH];
	uint32_t len = rte_pktmbuf_pkt_len(m), alen, off = 14, l4;
	bool reply = result->outcome == OP25B_OUTCOME_RESET;
	struct pkt_meta meta;
	struct l2_walk w;
	const uint8_t *p;
	unsigned int i;

	p = rte_pktmbuf_read(m, 0, RTE_MIN(len, (uint32_t)OP25B_PARSE_DEPTH),
			     copy);
	if (p == NULL || len < 14 ||
	    walk_l2(c, p, len, load_raw16(p + 12), &w) != PARSE_SMTP)
		return -EINVAL;
	h->family = w.type == RTE_BE16(ETHER_TYPE_IPV6) ? 6 : 4;
	alen = h->family == 6 ? 16 : 4;
	if (reply) {
		/* The RST is bare headers (reset.c): TCP right after IP. */
		l4 = w.l3 + (h->family == 6 ? 40 : 20);
	} else {
		if (parse_frame(c, p, len, &meta) != PARSE_SMTP)
			return -EINVAL;
		l4 = meta.l4;
	}
	if (l4 + 14 > RTE_MIN(len, (uint32_t)OP25B_PARSE_DEPTH))
		return -EINVAL;
	memset(h->src, 0, sizeof(h->src));
	memset(h->dst, 0, sizeof(h->dst));
	/* A reply goes back: its destination is the source. */
	memcpy(reply ? h->dst : h->src, p + w.l3 + (alen == 16 ? 8 : 12), alen);
	memcpy(reply ? h->src : h->dst, p + w.l3 + (alen == 16 ? 24 : 16),
	       alen);
	memcpy(h->src_mac, p + (reply ? 0 : 6), 6);
	h->dport = load_be16(p + l4 + (reply ? 0 : 2));
	/* A reset answers only a bare SYN. */
	h->syn = reply || (p[l4 + 13] &
			   (TCP_SYN | TCP_ACK | TCP_RST | TCP_FIN)) == TCP_SYN;
	h->outcome = result->outcome;
	h->class_slot = result->class_slot;
	h->group_slot = result->group_slot;
	h->port = port;
	h->n_vlans = RTE_MIN(w.tags, (uint8_t)OP25B_RECORD_VLANS_MAX);
	for (i = 0; i < h->n_vlans; i++, off += 4)
		h->vlan[i] = load_be16(p + off) & 0x0fff;
	h->pppoe_session = w.pppoe != 0 ? load_be16(p + w.pppoe + 2) : -1;
	return 0;
}
