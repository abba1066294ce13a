/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TCP RST+ACK that answers a blocked SYN, written over the SYN itself:
 * no allocation on the data path, and the L2 encapsulation (VLAN tags,
 * PPPoE session) is already the right one for the way back.
 */
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "classify_priv.h"

#define RESET_TTL 64

int
op25b_reset_build(struct rte_mbuf *m, const struct pkt_meta *meta)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	uint8_t mac[6];
	uint32_t seq, seg_len, doff, ip_len;
	uint16_t sport, dport;
	struct rte_tcp_hdr *tcp;

	/* The frame is rewritten in place: only a private, single-segment
	 * mbuf may be. */
	if (!RTE_MBUF_DIRECT(m) || rte_mbuf_refcnt_read(m) != 1 ||
	    m->nb_segs != 1)
		return -1;

	/* Everything read from the SYN before a byte of it is overwritten. */
	sport = load_be16(p + meta->l4);
	dport = load_be16(p + meta->l4 + 2);
	seq = load_be32(p + meta->l4 + 4);
	doff = (uint32_t)(p[meta->l4 + 12] >> 4) * 4;
	/* RFC 9293 3.10.7.1: the SYN takes one sequence number, its data the
	 * rest; the RST acknowledges all of it and carries seq 0, since the
	 * SYN had no ACK to take a sequence number from. */
	seg_len = (uint32_t)(meta->l4_end - meta->l4) - doff + 1;

	memcpy(mac, p, 6);
	memcpy(p, p + 6, 6);
	memcpy(p + 6, mac, 6);

	if (meta->family == 4) {
		struct rte_ipv4_hdr *ip = (void *)(p + meta->l3);
		uint32_t src = ip->src_addr;

		/* IP options are not echoed: the reply is a bare header. */
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->type_of_service = 0;
		ip->total_length = rte_cpu_to_be_16(20 + 20);
		ip->packet_id = 0;
		ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
		ip->time_to_live = RESET_TTL;
		ip->next_proto_id = IPPROTO_TCP;
		ip->src_addr = ip->dst_addr;
		ip->dst_addr = src;
		ip->hdr_checksum = 0;
		tcp = (void *)(p + meta->l3 + 20);
		ip_len = 40;
	} else {
		struct rte_ipv6_hdr *ip = (void *)(p + meta->l3);
		uint8_t addr[16];

		/* Extension headers are not echoed either. */
		ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip->payload_len = rte_cpu_to_be_16(20);
		ip->proto = IPPROTO_TCP;
		ip->hop_limits = RESET_TTL;
		memcpy(addr, ip->src_addr, 16);
		memcpy(ip->src_addr, ip->dst_addr, 16);
		memcpy(ip->dst_addr, addr, 16);
		tcp = (void *)(p + meta->l3 + 40);
		ip_len = 60;
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
		/* PPPoE length covers the PPP protocol field and the packet. */
		uint16_t len = rte_cpu_to_be_16((uint16_t)(2 + ip_len));

		memcpy(p + meta->pppoe + 4, &len, sizeof(len));
	}
	m->data_len = (uint16_t)(meta->l3 + ip_len);
	m->pkt_len = m->data_len;
	/* Checksums are complete: no offload may touch them again. */
	m->ol_flags = 0;
	return 0;
}
