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

/* The L2 and mbuf side of a reply of @ip_len bytes of IP written at
 * @p + meta->l3 in @m's only segment: MACs swapped, the PPPoE length
 * set, the lengths, no offload. */
static __rte_always_inline void
reply_finish(struct rte_mbuf *m, uint8_t *p, const struct pkt_meta *meta,
	     uint32_t ip_len)
{
	uint8_t mac[6];

	memcpy(mac, p, 6);
	memcpy(p, p + 6, 6);
	memcpy(p + 6, mac, 6);
	if (meta->pppoe != 0) {
		/* The PPPoE length covers the PPP protocol field (one byte
		 * when compressed, two otherwise) and the packet. */
		uint16_t len =
			rte_cpu_to_be_16((uint16_t)(meta->l3 - meta->pppoe -
						    PPPOE_HEADER_LEN + ip_len));

		memcpy(p + meta->pppoe + 4, &len, sizeof(len));
	}
	m->data_len = (uint16_t)(meta->l3 + ip_len);
	m->pkt_len = m->data_len;
	/* Checksums are complete: no offload may touch them again. */
	m->ol_flags = 0;
}

int
op25b_tcp_seen_read(const struct rte_mbuf *m, const struct pkt_meta *meta,
		    struct tcp_seen *seen)
{
	uint8_t addr_copy[32], tcp_copy[14];
	const uint8_t *addrs, *tcp;
	uint32_t alen = meta->family == 4 ? 4 : 16;

	/* rte_pktmbuf_read() points into the segment when the bytes are
	 * there, so a single-segment frame is read in place. */
	addrs = rte_pktmbuf_read(m, meta->l3 + (meta->family == 4 ? 12 : 8),
				 2 * alen, addr_copy);
	tcp = rte_pktmbuf_read(m, meta->l4, sizeof(tcp_copy), tcp_copy);
	if (addrs == NULL || tcp == NULL)
		return -1;
	memcpy(seen->src, addrs, alen);
	memcpy(seen->dst, addrs + alen, alen);
	tcp_seen_header(seen, tcp, meta->l4_end - meta->l4);
	return 0;
}

int
op25b_reply_allowed(const struct rte_mbuf *m, const struct pkt_meta *meta)
{
	uint8_t macs_copy[12], addrs_copy[32];
	uint32_t alen = meta->family == 4 ? 4 : 16;
	const uint8_t *macs = rte_pktmbuf_read(m, 0, 12, macs_copy);
	const uint8_t *addrs =
		rte_pktmbuf_read(m, meta->l3 + (meta->family == 4 ? 12 : 8),
				 2 * alen, addrs_copy);

	return macs != NULL && addrs != NULL &&
	       tcp_reply_allowed(meta->family, addrs, addrs + alen, macs);
}

int
op25b_tcp_reply_build(struct rte_mbuf *m, const struct pkt_meta *meta,
		      const struct tcp_seen *seen, const struct tcp_reply *r)
{
	uint8_t l2_copy[REPLY_L2_MAX];
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

	if (m->next != NULL) {
		rte_pktmbuf_free(m->next);
		m->next = NULL;
		m->nb_segs = 1;
	}
	reply_finish(m, p, meta, ip_len);
	return 0;
}

/*
 * The RST+ACK answering a bare SYN, IP and TCP headers as they leave, with
 * zeroes where the SYN's fields go (addresses, ports, ack, checksums). A
 * reset copies one of these and fills in the gaps, and its checksums are
 * the template's constant part (RST_*_SUM, summed once here as network
 * order 16-bit words) plus the words it filled in (RFC 1071, RFC 1624), in
 * place of summing every header word (rte_ipv4_cksum(),
 * rte_ipv4_udptcp_cksum(): 338 of a reset's 462 instructions). The bytes
 * are those op25b_tcp_reply_build() writes: test_classify compares them.
 */
#define RST_FLAGS (RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG)
#define RST_TCP                                                                \
	{                                                                      \
		/* seq 0: RFC 9293 3.10.7.1 */                                 \
		.data_off = 5 << 4, .tcp_flags = RST_FLAGS,                    \
	}

static const struct {
	struct rte_ipv4_hdr ip;
	struct rte_tcp_hdr tcp;
} __rte_packed rst_template4 = {
	.ip = {
		.version_ihl = RTE_IPV4_VHL_DEF,
		.total_length = RTE_BE16(40),
		.fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG),
		.time_to_live = REPLY_TTL,
		.next_proto_id = IPPROTO_TCP,
	},
	.tcp = RST_TCP,
};
static const struct {
	struct rte_ipv6_hdr ip;
	struct rte_tcp_hdr tcp;
} __rte_packed rst_template6 = {
	.ip = {
		.vtc_flow = RTE_BE32(6u << 28),
		.payload_len = RTE_BE16(20),
		.proto = IPPROTO_TCP,
		.hop_limits = REPLY_TTL,
	},
	.tcp = RST_TCP,
};
_Static_assert(sizeof(rst_template4) == 40 && sizeof(rst_template6) == 60,
	       "bare headers");

/* IPv4 header: version/IHL, total length 40, DF, TTL and protocol. */
#define RST_IP4_SUM (0x4500u + 40u + 0x4000u + (REPLY_TTL << 8 | IPPROTO_TCP))
/* Pseudo-header protocol and TCP length 20, then data offset and flags. */
#define RST_TCP_SUM (IPPROTO_TCP + 20u + (0x50u << 8 | RST_FLAGS))

/* The one's complement of the one's complement sum @sum (of 16-bit words,
 * never 0 here), as rte_raw_cksum() folds it: network order. */
static __rte_always_inline uint16_t
cksum_finish(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return rte_cpu_to_be_16((uint16_t)~sum);
}

/* The sum of the 16-bit words of @n bytes at @p (a multiple of 4). */
static __rte_always_inline uint32_t
sum_words(const uint8_t *p, unsigned int n)
{
	uint32_t sum = 0, v;
	unsigned int i;

	for (i = 0; i < n; i += 4) {
		v = load_be32(p + i);
		sum += (v >> 16) + (v & 0xffff);
	}
	return sum;
}

/* The old way, for what the template's path does not take: a SYN in a
 * chain of mbufs, or one that must not be written in place. */
static int
reset_build_general(struct rte_mbuf *m, const struct pkt_meta *meta)
{
	struct tcp_seen seen;
	/* RFC 9293 3.10.7.1: the RST acknowledges all of the SYN and carries
	 * seq 0, since the SYN had no ACK to take a sequence number from. */
	struct tcp_reply r = {
		.flags = RST_FLAGS,
	};

	if (!op25b_reply_allowed(m, meta) ||
	    op25b_tcp_seen_read(m, meta, &seen) != 0)
		return -1;
	r.ack = seen.seq + seen.seg_len;
	return op25b_tcp_reply_build(m, meta, &seen, &r);
}

int
op25b_reset_build(struct rte_mbuf *m, const struct pkt_meta *meta)
{
	uint8_t *p, *ip, *tcp, flags;
	uint32_t ip_len, sum, ack, doff, ports;
	const uint8_t *syn;
	uint16_t c;

	/* One direct segment of ours holding the whole TCP header: then the
	 * reply (bare headers) fits where the SYN's headers were. */
	if (unlikely(m->next != NULL || !RTE_MBUF_DIRECT(m) ||
		     rte_mbuf_refcnt_read(m) != 1 || meta->l3 > REPLY_L2_MAX ||
		     (uint32_t)meta->l4 + 20 > m->data_len))
		return reset_build_general(m, meta);

	p = rte_pktmbuf_mtod(m, uint8_t *);
	ip = p + meta->l3;
	syn = p + meta->l4;
	/* No answer from or to a group or loopback address (RFC 1122
	 * 4.2.3.10, 3.2.1.3; RFC 4291 2.5.3, 2.7; tcp_reply_allowed()): the
	 * SYN is dropped, blocked. */
	if (!tcp_reply_allowed(meta->family, ip + (meta->family == 4 ? 12 : 8),
			       ip + (meta->family == 4 ? 16 : 24), p))
		return -1;

	/* Everything of the SYN is read before its headers are written
	 * over: the reply's start where the SYN's did. */
	ports = load_be32(syn);
	flags = syn[13];
	doff = (uint32_t)(syn[12] >> 4) * 4;
	/* RFC 9293 3.3.1: SYN and FIN each take a sequence number. */
	ack = load_be32(syn + 4) + meta->l4_end - meta->l4 - doff +
	      ((flags & TCP_SYN) != 0) + ((flags & TCP_FIN) != 0);
	/* Swapping the addresses or ports changes no sum. */
	sum = RST_TCP_SUM + (ports >> 16) + (ports & 0xffff) + (ack >> 16) +
	      (ack & 0xffff);

	if (meta->family == 4) {
		uint8_t addrs[8];
		uint32_t addr_sum;

		memcpy(addrs, ip + 12, sizeof(addrs));
		/* The IP header and the TCP pseudo-header share it. */
		addr_sum = sum_words(addrs, sizeof(addrs));
		sum += addr_sum;
		memcpy(ip, &rst_template4, sizeof(rst_template4));
		memcpy(ip + 12, addrs + 4, 4);
		memcpy(ip + 16, addrs, 4);
		c = cksum_finish(RST_IP4_SUM + addr_sum);
		memcpy(ip + 10, &c, 2);
		ip_len = 40;
	} else {
		uint8_t addrs[32];

		memcpy(addrs, ip + 8, sizeof(addrs));
		sum += sum_words(addrs, sizeof(addrs));
		memcpy(ip, &rst_template6, sizeof(rst_template6));
		memcpy(ip + 8, addrs + 16, 16);
		memcpy(ip + 24, addrs, 16);
		ip_len = 60;
	}
	tcp = ip + ip_len - 20;
	ports = rte_cpu_to_be_32(ports << 16 | ports >> 16);
	memcpy(tcp, &ports, 4);
	ack = rte_cpu_to_be_32(ack);
	memcpy(tcp + 8, &ack, 4);
	c = cksum_finish(sum);
	memcpy(tcp + 16, &c, 2);
	reply_finish(m, p, meta, ip_len);
	return 0;
}
