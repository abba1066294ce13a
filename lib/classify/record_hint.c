/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Block records' hints, at the end of a classified burst. The parse has
 * already found where each header lies (pkt_meta), so a blocked frame is
 * not walked again: VLAN tags lie between the MACs and the PPPoE header
 * (or the IP header), four bytes each; the session id is in the PPPoE
 * header; the addresses and the port are at fixed offsets from l3 and l4.
 * The headers are still in L1: the burst was parsed moments ago.
 */
#include <string.h>

#include "record_hint.h"

/* A chain's first bytes, copied out when its headers span segments
 * (rare: out of line, so that the common path keeps no 1 KB buffer). */
static __rte_noinline void
chained_hint_fill(const struct op25b_classifier *c, const struct rte_mbuf *m,
		  const struct op25b_classify_result *r,
		  const struct pkt_meta *meta, struct op25b_record_hint *h);

/*
 * A reset or notify rewrote the frame into its reply (reset.c,
 * tcp_reply_build()): the L2 and PPPoE headers at the same offsets with
 * the MACs swapped, then bare IP and TCP headers, addresses and ports
 * swapped. The answered segment's flags are the parse's. Every member is
 * stored once (no memset of the whole hint: ~80 bytes a frame).
 */
static __rte_always_inline void
hint_fill(const struct op25b_classifier *c, const uint8_t *p,
	  const struct rte_mbuf *m, const struct op25b_classify_result *r,
	  const struct pkt_meta *meta, struct op25b_record_hint *h)
{
	const uint8_t *rules = classifier_rules(c);
	uint32_t ng = c->n_group_slots;
	static const uint8_t zero[16];
	bool reply = r->disposition == OP25B_DISPOSITION_REPLY;
	uint32_t l3 = meta->l3, l4, l2_end;
	unsigned int i, n_vlans;

	if (likely(meta->family == 4)) {
		const uint8_t *sa = p + l3 + 12, *da = p + l3 + 16;

		memcpy(h->src, zero, 16);
		memcpy(h->dst, zero, 16);
		memcpy(h->src, reply ? da : sa, 4);
		memcpy(h->dst, reply ? sa : da, 4);
		h->hash = op25b_record_source_hash(4, h->src);
		l4 = reply ? l3 + 20 : meta->l4;
	} else {
		const uint8_t *sa = p + l3 + 8, *da = p + l3 + 24;

		memcpy(h->src, reply ? da : sa, 16);
		memcpy(h->dst, reply ? sa : da, 16);
		h->hash = op25b_record_source_hash(6, h->src);
		l4 = reply ? l3 + 40 : meta->l4;
	}
	h->family = meta->family;
	memcpy(h->src_mac, p + (reply ? 0 : 6), 6);
	h->dport = load_be16(p + l4 + (reply ? 0 : 2));
	h->syn = (meta->tcp_flags & (TCP_SYN | TCP_ACK | TCP_RST | TCP_FIN)) ==
		 TCP_SYN;
	/* A blocked frame sent back is notify's answer (a reset is
	 * RESET). */
	h->outcome = reply && r->outcome == OP25B_OUTCOME_BLOCKED
			     ? OP25B_RECORD_OUTCOME_NOTIFY
			     : r->outcome;
	h->class_slot = r->class_slot;
	h->group_slot = r->group_slot;
	h->port = m->port;
	h->rule = rules[r->class_slot * ng + r->group_slot];
	memset(h->pad, 0, sizeof(h->pad));
	memcpy(h->vlan, zero, sizeof(h->vlan));
	h->n_vlans = 0;
	h->pppoe_session = -1;
	/* Plain Ethernet: nothing between the MACs and IP. */
	if (likely(l3 == 14))
		return;
	/* Tags beyond what a record keeps are not named (the policy's
	 * max_vlan_tags is no more than that anyway). */
	l2_end = meta->pppoe != 0 ? meta->pppoe : l3;
	n_vlans = RTE_MIN((l2_end - 14) / 4,
			  (unsigned int)OP25B_RECORD_VLANS_MAX);
	h->n_vlans = (uint8_t)n_vlans;
	for (i = 0; i < n_vlans; i++)
		h->vlan[i] = load_be16(p + 14 + 4 * i) & 0x0fff;
	if (meta->pppoe != 0)
		h->pppoe_session = load_be16(p + meta->pppoe + 2);
}

static __rte_noinline void
chained_hint_fill(const struct op25b_classifier *c, const struct rte_mbuf *m,
		  const struct op25b_classify_result *r,
		  const struct pkt_meta *meta, struct op25b_record_hint *h)
{
	uint8_t copy[OP25B_PARSE_DEPTH];
	/* The parse read these bytes: they are there. */
	const uint8_t *p = rte_pktmbuf_read(
		m, 0,
		RTE_MIN(rte_pktmbuf_pkt_len(m), (uint32_t)OP25B_PARSE_DEPTH),
		copy);

	hint_fill(c, p, m, r, meta, h);
}

uint16_t
record_hints_fill(const struct op25b_classifier *c,
		  struct rte_mbuf *const *pkts,
		  const struct op25b_classify_result *results,
		  const struct pkt_meta *meta, uint16_t n,
		  struct op25b_record_hint *hints, uint16_t max)
{
	struct op25b_record_hint *h = hints, *end = hints + max;
	uint16_t i;

	/* The frames after the last hint wanted are not looked at. */
	for (i = 0; i < n && h != end; i++) {
		const struct rte_mbuf *m = pkts[i];

		if (!op25b_records_wanted(results[i].outcome))
			continue;
		/* A reply is one segment again (reset.c). */
		if (likely(m->nb_segs == 1))
			hint_fill(c, rte_pktmbuf_mtod(m, const uint8_t *), m,
				  &results[i], &meta[i], h++);
		else
			chained_hint_fill(c, m, &results[i], &meta[i], h++);
	}
	return (uint16_t)(h - hints);
}
