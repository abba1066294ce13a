/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TCP RST+ACK that answers a blocked SYN, written over the SYN itself:
 * no allocation on the data path, and the L2 encapsulation (VLAN tags,
 * PPPoE session, compressed PPP protocol field) is already the right one
 * for the way back. A SYN in a chain of mbufs is answered from its first
 * segment; the other segments are freed.
 */
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "classify_priv.h"

#define RESET_TTL 64

/* The most L2 a reply can carry: Ethernet, every tag, PPPoE and PPP. */
#define RESET_L2_MAX                                                           \
	(14 + 4 * OP25B_POLICY_MAX_VLAN_TAGS + PPPOE_HEADER_LEN + 2)

int
op25b_reset_build(struct rte_mbuf *m, const struct pkt_meta *meta)
{
	uint8_t l2_copy[RESET_L2_MAX], addr_copy[32], tcp_copy[14];
	uint8_t src[16], dst[16], mac[6];
	const uint8_t *l2, *addrs, *syn;
	uint32_t seq, seg_len, doff, ip_len, alen;
	uint16_t sport, dport;
	struct rte_tcp_hdr *tcp;
	uint8_t *p;

	ip_len = meta->family == 4 ? 20 + 20 : 40 + 20;
	alen = meta->family == 4 ? 4 : 16;
	/* The reply is written into the first segment: it must be ours alone
	 * and have room for it. */
	if (!RTE_MBUF_DIRECT(m) || rte_mbuf_refcnt_read(m) != 1 ||
	    meta->l3 > RESET_L2_MAX ||
	    (uint32_t)meta->l3 + ip_len > (uint32_t)m->buf_len - m->data_off)
		return -1;

	/* Everything read from the SYN before a byte of it is overwritten.
	 * rte_pktmbuf_read() points into the segment when the bytes are
	 * there, so a single-segment SYN is read in place. */
	l2 = rte_pktmbuf_read(m, 0, meta->l3, l2_copy);
	addrs = rte_pktmbuf_read(m, meta->l3 + (meta->family == 4 ? 12 : 8),
				 2 * alen, addr_copy);
	syn = rte_pktmbuf_read(m, meta->l4, sizeof(tcp_copy), tcp_copy);
	if (l2 == NULL || addrs == NULL || syn == NULL)
		return -1;
	memcpy(src, addrs, alen);
	memcpy(dst, addrs + alen, alen);
	sport = load_be16(syn);
	dport = load_be16(syn + 2);
	seq = load_be32(syn + 4);
	doff = (uint32_t)(syn[12] >> 4) * 4;
	/* RFC 9293 3.10.7.1: the SYN takes one sequence number, its data the
	 * rest; the RST acknowledges all of it and carries seq 0, since the
	 * SYN had no ACK to take a sequence number from. */
	seg_len = meta->l4_end - meta->l4 - doff + 1;

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
		ip->total_length = rte_cpu_to_be_16(20 + 20);
		ip->packet_id = 0;
		ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
		ip->time_to_live = RESET_TTL;
		ip->next_proto_id = IPPROTO_TCP;
		memcpy(&ip->src_addr, dst, 4);
		memcpy(&ip->dst_addr, src, 4);
		ip->hdr_checksum = 0;
		tcp = (void *)(p + meta->l3 + 20);
	} else {
		struct rte_ipv6_hdr *ip = (void *)(p + meta->l3);

		ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip->payload_len = rte_cpu_to_be_16(20);
		ip->proto = IPPROTO_TCP;
		ip->hop_limits = RESET_TTL;
		memcpy(ip->src_addr, dst, 16);
		memcpy(ip->dst_addr, src, 16);
		tcp = (void *)(p + meta->l3 + 40);
	}

	tcp->src_port = rte_cpu_to_be_16(dport);
	tcp->dst_port = rte_cpu_to_be_16(sport);
	tcp->sent_seq = 0;
	tcp->recv_ack = rte_cpu_to_be_32(seq + seg_len);
	tcp->data_off = 5 << 4;
	tcp->tcp_flags = RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG;
	tcp->rx_win = 0;
	tcp->cksum = 0;
	tcp->tcp_urp = 0;

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
