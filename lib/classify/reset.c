/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP replies written over the segment they answer: the RST+ACK that
 * answers a blocked SYN, and block: notify's SYN-ACK, greeting and RSTs
 * (notify.c). No allocation on the data path, and the L2 encapsulation
 * (VLAN tags, PPPoE session, compressed PPP protocol field) is already the
 * right one for the way back. A segment in a chain of mbufs is answered
 * from its first mbuf; the others are freed.
 */
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "classify_priv.h"

#define REPLY_TTL 64

/* The most L2 a reply can carry: Ethernet, every tag, PPPoE and PPP. */
#define REPLY_L2_MAX                                                           \
	(14 + 4 * OP25B_POLICY_MAX_VLAN_TAGS + PPPOE_HEADER_LEN + 2)

int
op25b_tcp_seen_read(const struct rte_mbuf *m, const struct pkt_meta *meta,
		    struct tcp_seen *seen)
{
	uint8_t addr_copy[32], tcp_copy[14];
	const uint8_t *addrs, *tcp;
	uint32_t alen = meta->family == 4 ? 4 : 16, doff;

	/* rte_pktmbuf_read() points into the segment when the bytes are
	 * there, so a single-segment frame is read in place. */
	addrs = rte_pktmbuf_read(m, meta->l3 + (meta->family == 4 ? 12 : 8),
				 2 * alen, addr_copy);
	tcp = rte_pktmbuf_read(m, meta->l4, sizeof(tcp_copy), tcp_copy);
	if (addrs == NULL || tcp == NULL)
		return -1;
	memcpy(seen->src, addrs, alen);
	memcpy(seen->dst, addrs + alen, alen);
	seen->sport = load_be16(tcp);
	seen->dport = load_be16(tcp + 2);
	seen->seq = load_be32(tcp + 4);
	seen->ack = load_be32(tcp + 8);
	seen->flags = tcp[13];
	doff = (uint32_t)(tcp[12] >> 4) * 4;
	/* RFC 9293 3.3.1: SYN and FIN each take a sequence number. */
	seen->seg_len = meta->l4_end - meta->l4 - doff +
			((seen->flags & TCP_SYN) != 0) +
			((seen->flags & TCP_FIN) != 0);
	return 0;
}

int
op25b_tcp_reply_build(struct rte_mbuf *m, const struct pkt_meta *meta,
		      const struct tcp_seen *seen, const struct tcp_reply *r)
{
	uint8_t l2_copy[REPLY_L2_MAX], mac[6];
	uint32_t ip_len, tcp_len;
	struct rte_tcp_hdr *tcp;
	const uint8_t *l2;
	uint8_t *p;

	tcp_len = 20u + r->options_len + r->payload_len;
	ip_len = (meta->family == 4 ? 20 : 40) + tcp_len;
	/* The reply is written into the first segment: it must be ours alone
	 * and have room for it. */
	if (!RTE_MBUF_DIRECT(m) || rte_mbuf_refcnt_read(m) != 1 ||
	    meta->l3 > REPLY_L2_MAX ||
	    (uint32_t)meta->l3 + ip_len > (uint32_t)m->buf_len - m->data_off)
		return -1;
	l2 = rte_pktmbuf_read(m, 0, meta->l3, l2_copy);
	if (l2 == NULL)
		return -1;

	p = rte_pktmbuf_mtod(m, uint8_t *);
	if (l2 != p)
		memcpy(p, l2, meta->l3);
	memcpy(mac, p, 6);
	memcpy(p, p + 6, 6);
	memcpy(p + 6, mac, 6);

	/* Options and extension headers are not echoed: the reply is bare
	 * headers, every field written. */
	if (meta->family == 4) {
		struct rte_ipv4_hdr *ip = (void *)(p + meta->l3);

		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->type_of_service = 0;
		ip->total_length = rte_cpu_to_be_16((uint16_t)ip_len);
		ip->packet_id = 0;
		ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
		ip->time_to_live = REPLY_TTL;
		ip->next_proto_id = IPPROTO_TCP;
		memcpy(&ip->src_addr, seen->dst, 4);
		memcpy(&ip->dst_addr, seen->src, 4);
		ip->hdr_checksum = 0;
		tcp = (void *)(p + meta->l3 + 20);
	} else {
		struct rte_ipv6_hdr *ip = (void *)(p + meta->l3);

		ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip->payload_len = rte_cpu_to_be_16((uint16_t)tcp_len);
		ip->proto = IPPROTO_TCP;
		ip->hop_limits = REPLY_TTL;
		memcpy(ip->src_addr, seen->dst, 16);
		memcpy(ip->dst_addr, seen->src, 16);
		tcp = (void *)(p + meta->l3 + 40);
	}

	tcp->src_port = rte_cpu_to_be_16(seen->dport);
	tcp->dst_port = rte_cpu_to_be_16(seen->sport);
	tcp->sent_seq = rte_cpu_to_be_32(r->seq);
	tcp->recv_ack = rte_cpu_to_be_32(r->ack);
	tcp->data_off = (uint8_t)(((20u + r->options_len) / 4) << 4);
	tcp->tcp_flags = r->flags;
	tcp->rx_win = rte_cpu_to_be_16(r->window);
	tcp->cksum = 0;
	tcp->tcp_urp = 0;
	if (r->options_len != 0)
		memcpy(tcp + 1, r->options, r->options_len);
	if (r->payload_len != 0)
		memcpy((uint8_t *)(tcp + 1) + r->options_len, r->payload,
		       r->payload_len);

	if (meta->family == 4) {
		struct rte_ipv4_hdr *ip = (void *)(p + meta->l3);

		ip->hdr_checksum = rte_ipv4_cksum(ip);
		tcp->cksum = rte_ipv4_udptcp_cksum(ip, tcp);
	} else {
		tcp->cksum = rte_ipv6_udptcp_cksum((void *)(p + meta->l3), tcp);
	}

	if (meta->pppoe != 0) {
		/* The PPPoE length covers the PPP protocol field (one byte
		 * when compressed, two otherwise) and the packet. */
		uint16_t len =
			rte_cpu_to_be_16((uint16_t)(meta->l3 - meta->pppoe -
						    PPPOE_HEADER_LEN + ip_len));

		memcpy(p + meta->pppoe + 4, &len, sizeof(len));
	}
	if (m->next != NULL) {
		rte_pktmbuf_free(m->next);
		m->next = NULL;
		m->nb_segs = 1;
	}
	m->data_len = (uint16_t)(meta->l3 + ip_len);
	m->pkt_len = m->data_len;
	/* Checksums are complete: no offload may touch them again. */
	m->ol_flags = 0;
	return 0;
}

int
op25b_reset_build(struct rte_mbuf *m, const struct pkt_meta *meta)
{
	struct tcp_seen seen;
	/* RFC 9293 3.10.7.1: the RST acknowledges all of the SYN and carries
	 * seq 0, since the SYN had no ACK to take a sequence number from. */
	struct tcp_reply r = {
		.flags = RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG,
	};

	if (op25b_tcp_seen_read(m, meta, &seen) != 0)
		return -1;
	r.ack = seen.seq + seen.seg_len;
	return op25b_tcp_reply_build(m, meta, &seen, &r);
}
