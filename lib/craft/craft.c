/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frame builder: lay out the headers a spec asks for, then write them front
 * to back, then fill in lengths and checksums, then cut. The layout is
 * computed first so that every length field can be written in one pass and
 * so that -ENOSPC is known before a byte is stored.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "craft_priv.h"
#include "op25b_craft.h"

#define IPV4_HDR_LEN 20
#define IPV6_HDR_LEN 40
#define TCP_HDR_LEN 20
#define UDP_HDR_LEN 8
#define ICMP_HDR_LEN 8
#define IP_OPTIONS_MAX 40
#define TCP_OPTIONS_MAX 40
#define IPV4_FRAG_OFFSET_MAX 0x1fff
#define IPV4_FLAG_MF 0x2000
#define IPV4_ID 0x1234
#define IPV6_FRAG_ID 0x12345678u
#define TCP_WINDOW 65535
/* A non-first fragment still carries some bytes, as a real one would. */
#define NONFIRST_FRAGMENT_MIN_PAYLOAD 8
#define OPTION_NOP 0x01

void
craft_set_error(char *err, size_t err_size, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || err_size == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, err_size, fmt, ap);
	va_end(ap);
}

void
op25b_craft_spec_init(struct op25b_craft_spec *spec)
{
	static const uint8_t src4[] = CRAFT_DEFAULT_SRC4;
	static const uint8_t dst4[] = CRAFT_DEFAULT_DST4;

	memset(spec, 0, sizeof(*spec));
	memcpy(spec->src_mac, (uint8_t[6]){ 0x02, 0, 0, 0, 0, 0x01 }, 6);
	memcpy(spec->dst_mac, (uint8_t[6]){ 0x02, 0, 0, 0, 0, 0x02 }, 6);
	spec->family = AF_INET;
	memcpy(spec->src, src4, sizeof(src4));
	memcpy(spec->dst, dst4, sizeof(dst4));
	spec->ttl = 64;
	spec->proto = IPPROTO_TCP_;
	spec->sport = 40000;
	spec->dport = 25;
	spec->tcp_flags = 0x02;
	spec->seq = 1000;
}

/* The one address of a source route (srr=): 198.51.100.25. */
static const uint8_t srr_hop[4] = { 198, 51, 100, 25 };

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* One's complement sum of big-endian 16-bit words, not yet folded. */
static uint32_t
sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t
fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/**
 * Internet checksum of @p len bytes.
 * @return the value to store (big-endian) in a checksum field that was zero
 *   while summing; over data that already holds a correct checksum, 0.
 */
uint16_t
op25b_craft_ip_checksum(const void *data, size_t len)
{
	return fold(sum16(data, len, 0));
}

/**
 * TCP/UDP/ICMPv6 checksum over the pseudo-header (addresses of @p family,
 * protocol, @p l4_len) and the @p l4_len bytes at @p l4.
 * @return as op25b_craft_ip_checksum(); a UDP sender stores 0xffff for 0.
 */
uint16_t
op25b_craft_l4_checksum(int family, const uint8_t *src, const uint8_t *dst,
			uint8_t proto, const void *l4, size_t l4_len)
{
	size_t alen = family == AF_INET6 ? 16 : 4;
	uint32_t sum = 0;

	sum = sum16(src, alen, sum);
	sum = sum16(dst, alen, sum);
	/* Both pseudo-headers reduce to these words once summed: the IPv6
	 * one has a 32-bit length and the next header in a 32-bit word. */
	sum += (uint32_t)(l4_len >> 16) + (uint32_t)(l4_len & 0xffff);
	sum += proto;
	return fold(sum16(l4, l4_len, sum));
}

/* Whether a field of @p spec is to be built as it is: set to nonzero, or
 * given as 0 (its OP25B_CRAFT_LITERAL_* @p bit). */
static bool
given(const struct op25b_craft_spec *spec, uint32_t bit, uint32_t value)
{
	return value != 0 || (spec->literal & bit) != 0;
}

/* Bytes an extension header of @p type takes when we build it. */
static size_t
ext_header_len(const struct op25b_craft_spec *spec, uint8_t type)
{
	/* AH: payload length 2 means (2 + 2) * 4 = 16 bytes: 12 fixed
	 * bytes and a 4-byte ICV, and extpad's bytes more of ICV. Routing:
	 * a segment routing header with one segment, 8 + 16 bytes (RFC 8754
	 * requires at least one). Options
	 * (hop-by-hop, destination): 8 bytes and extpad's. A fragment
	 * header is 8. */
	if (type == IPPROTO_AH_)
		return 16 + (size_t)spec->ext_pad;
	if (type == IPPROTO_HOPOPTS_ || type == IPPROTO_DSTOPTS_)
		return 8 + (size_t)spec->ext_pad;
	return type == IPPROTO_ROUTING_ ? 24 : 8;
}

/* Where each part starts, decided before any byte is written. */
struct craft_layout {
	size_t l3;	   /* offset of the IP header */
	size_t l3_hdr_len; /* IP header incl. options / extension headers */
	size_t ip_hdr_len; /* the IP header alone (IPv4: with its options) */
	size_t l4;	   /* offset of the L4 header (or fragment data) */
	size_t l4_hdr_len; /* 0 for non-first fragments and unknown protos */
	size_t payload;	   /* offset of the payload */
	size_t payload_len;
	size_t total;
	uint8_t chain[OP25B_CRAFT_MAX_EXT + 1]; /* extension header types */
	unsigned int n_chain;
	bool nonfirst_fragment;
};

static int
craft_layout(const struct op25b_craft_spec *spec, struct craft_layout *lay)
{
	bool v6 = spec->family == AF_INET6;
	bool has_frag = false;
	unsigned int i;
	size_t off;

	memset(lay, 0, sizeof(*lay));
	if (spec->family != AF_INET && spec->family != AF_INET6 &&
	    spec->family != 0)
		return -EINVAL;
	if (spec->n_vlans > OP25B_CRAFT_MAX_VLANS ||
	    spec->n_ext > OP25B_CRAFT_MAX_EXT)
		return -EINVAL;
	if (spec->ipv4_options_len % 4 ||
	    spec->ipv4_options_len > IP_OPTIONS_MAX || spec->ipv4_ihl > 15)
		return -EINVAL;
	if (spec->tcp_options_len % 4 ||
	    spec->tcp_options_len > TCP_OPTIONS_MAX || spec->tcp_doff > 15)
		return -EINVAL;
	if (spec->frag_offset > IPV4_FRAG_OFFSET_MAX)
		return -EINVAL;
	/* IPv4 has one header of IPv6's chain, AH, and IPv6 no IHL or
	 * options: asking for others is a mistake in the spec. */
	if (!v6 && spec->ext_loop != 0)
		return -EINVAL;
	for (i = 0; !v6 && i < spec->n_ext; i++)
		if (spec->ext[i] != IPPROTO_AH_)
			return -EINVAL;
	/* AH is in an IPv4 packet's first fragment only. */
	if (!v6 && spec->n_ext > 0 && spec->frag_offset != 0)
		return -EINVAL;
	/* 802.3 with LLC/SNAP, or PPPoE (an ethertype of its own). */
	if (spec->llc_snap && spec->pppoe)
		return -EINVAL;
	/* An options header is a whole number of 8 bytes, at most 2048; an
	 * AH header at most (255 + 2) * 4 = 1028 bytes. */
	if (spec->ext_pad % 8 != 0 || spec->ext_pad > 2040)
		return -EINVAL;
	for (i = 0; i < spec->n_ext; i++)
		if (spec->ext[i] == IPPROTO_AH_ &&
		    spec->ext_pad > CRAFT_AH_PAD_MAX)
			return -EINVAL;
	if (v6 && (spec->ipv4_ihl != 0 || spec->ipv4_options_len != 0 ||
		   (spec->literal & OP25B_CRAFT_LITERAL_IHL)))
		return -EINVAL;

	off = 12 + 4 * (size_t)spec->n_vlans + 2;
	if (spec->pppoe)
		off += 6 + (spec->pppoe_pfc ? 1 : 2); /* session + protocol */
	else if (spec->llc_snap)
		off += 8; /* LLC and SNAP, RFC 1042 */
	lay->l3 = off;

	lay->ip_hdr_len = v6 ? IPV6_HDR_LEN
			     : IPV4_HDR_LEN + spec->ipv4_options_len;
	lay->l3_hdr_len = lay->ip_hdr_len;
	if (v6) {
		for (i = 0; i < spec->n_ext; i++) {
			lay->chain[lay->n_chain++] = spec->ext[i];
			lay->l3_hdr_len += ext_header_len(spec, spec->ext[i]);
			if (spec->ext[i] == IPPROTO_FRAGMENT_)
				has_frag = true;
		}
		if (!has_frag && (spec->frag_offset || spec->more_fragments ||
				  spec->frag_header)) {
			lay->chain[lay->n_chain++] = IPPROTO_FRAGMENT_;
			lay->l3_hdr_len +=
				ext_header_len(spec, IPPROTO_FRAGMENT_);
		}
	} else {
		/* AH headers after the options (IPsec transport mode). */
		for (i = 0; i < spec->n_ext; i++) {
			lay->chain[lay->n_chain++] = spec->ext[i];
			lay->l3_hdr_len += ext_header_len(spec, spec->ext[i]);
		}
	}
	lay->l4 = lay->l3 + lay->l3_hdr_len;

	lay->nonfirst_fragment = spec->frag_offset > 0;
	lay->payload_len = spec->payload_len;
	if (lay->nonfirst_fragment) {
		/* Only the first fragment carries the L4 header: from here
		 * on it is all data. */
		if (lay->payload_len < NONFIRST_FRAGMENT_MIN_PAYLOAD)
			lay->payload_len = NONFIRST_FRAGMENT_MIN_PAYLOAD;
	} else if (spec->proto == IPPROTO_TCP_) {
		lay->l4_hdr_len = TCP_HDR_LEN + spec->tcp_options_len;
	} else if (spec->proto == IPPROTO_UDP_) {
		lay->l4_hdr_len = UDP_HDR_LEN;
	} else if (spec->proto == IPPROTO_ICMP_ ||
		   spec->proto == IPPROTO_ICMPV6_) {
		lay->l4_hdr_len = ICMP_HDR_LEN;
	}
	lay->payload = lay->l4 + lay->l4_hdr_len;
	lay->total = lay->payload + lay->payload_len;
	if (spec->frame_len > lay->total) {
		lay->payload_len += spec->frame_len - lay->total;
		lay->total = spec->frame_len;
	} else if (spec->frame_len != 0 && spec->frame_len < lay->total) {
		return -EINVAL; /* a frame it cannot be: trunc= cuts */
	}
	return 0;
}

static void
write_l2(const struct op25b_craft_spec *spec, const struct craft_layout *lay,
	 uint8_t *buf)
{
	bool v6 = spec->family == AF_INET6;
	uint16_t l3_type;
	int32_t pppoe_len;
	unsigned int i;
	uint8_t *p = buf;

	memcpy(p, spec->dst_mac, 6);
	memcpy(p + 6, spec->src_mac, 6);
	p += 12;
	for (i = 0; i < spec->n_vlans; i++) {
		put16(p, given(spec, OP25B_CRAFT_LITERAL_TPID << i,
			       spec->vlan_tpid[i])
				 ? spec->vlan_tpid[i]
				 : CRAFT_ETHERTYPE_VLAN);
		put16(p + 2, spec->vlan_tci[i]);
		p += 4;
	}
	if (spec->pppoe) {
		l3_type = spec->ethertype ? spec->ethertype
			  : v6		  ? CRAFT_PPP_IPV6
					  : CRAFT_PPP_IPV4;
		/* The PPPoE length counts the PPP protocol field too. */
		pppoe_len = (int32_t)(lay->total - lay->l3) +
			    (spec->pppoe_pfc ? 1 : 2) +
			    spec->pppoe_length_delta;
		put16(p, CRAFT_ETHERTYPE_PPPOE_SESSION);
		p[2] = 0x11; /* version 1, type 1 */
		p[3] = 0x00; /* code: session data */
		put16(p + 4, spec->pppoe_session);
		put16(p + 6, (uint16_t)pppoe_len);
		if (spec->pppoe_pfc)
			p[8] = (uint8_t)l3_type;
		else
			put16(p + 8, l3_type);
	} else if (spec->llc_snap) {
		/* 802.3: the length of what follows it (LLC, SNAP, the IP
		 * packet), then RFC 1042's header: DSAP, SSAP 0xaa, UI,
		 * OUI 0, the ethertype. */
		static const uint8_t llc[6] = { 0xaa, 0xaa, 0x03, 0, 0, 0 };

		l3_type = spec->ethertype ? spec->ethertype
			  : v6		  ? CRAFT_ETHERTYPE_IPV6
					  : CRAFT_ETHERTYPE_IPV4;
		put16(p, (uint16_t)(lay->total - lay->l3 + 8));
		memcpy(p + 2, llc, sizeof(llc));
		put16(p + 8, l3_type);
	} else {
		l3_type = spec->ethertype ? spec->ethertype
			  : v6		  ? CRAFT_ETHERTYPE_IPV6
					  : CRAFT_ETHERTYPE_IPV4;
		put16(p, l3_type);
	}
}

static void
write_ext_header(const struct op25b_craft_spec *spec, uint8_t type,
		 uint8_t next, uint8_t *p)
{
	size_t len = ext_header_len(spec, type), o, n;

	memset(p, 0, len);
	p[0] = next;
	switch (type) {
	case IPPROTO_HOPOPTS_:
	case IPPROTO_DSTOPTS_:
		/* len - 2 option bytes to fill with PadN options of at most
		 * 255 data bytes each (6 bytes: one PadN of 4), a Pad1 for a
		 * last lone byte. */
		p[1] = (uint8_t)(len / 8 - 1);
		for (o = 2; o < len; o += n + 2) {
			if (len - o == 1)
				break; /* Pad1: the 0 memset wrote */
			n = len - o - 2 > 255 ? 255 : len - o - 2;
			p[o] = 0x01;
			p[o + 1] = (uint8_t)n;
		}
		break;
	case IPPROTO_ROUTING_:
		/* Segment routing header whose one segment is the final
		 * destination, already reached (segments left 0, unless
		 * segleft= says otherwise: only the parser reads it). */
		p[1] = 2; /* (2 + 1) * 8 = 24 bytes */
		p[2] = 4; /* SRH */
		p[3] = spec->segments_left;
		p[4] = 0; /* last entry */
		memcpy(p + 8, spec->dst, 16);
		break;
	case IPPROTO_FRAGMENT_:
		put16(p + 2, (uint16_t)(spec->frag_offset << 3 |
					(spec->more_fragments ? 1 : 0)));
		put32(p + 4, IPV6_FRAG_ID);
		break;
	case IPPROTO_AH_:
		p[1] = (uint8_t)(len / 4 - 2);
		put32(p + 4, 0x100); /* SPI */
		put32(p + 8, 1);     /* sequence number */
		break;
	default:
		break; /* unknown type: length 0, all zero */
	}
}

static void
write_ipv4(const struct op25b_craft_spec *spec, const struct craft_layout *lay,
	   uint8_t *ip)
{
	size_t words = lay->ip_hdr_len / 4;
	unsigned int i;
	int32_t total;
	uint8_t *p, version, ihl;

	total = (int32_t)(lay->total - lay->l3) + spec->ip_length_delta;
	version = given(spec, OP25B_CRAFT_LITERAL_IPVER, spec->ip_version)
			  ? spec->ip_version
			  : 4;
	ihl = given(spec, OP25B_CRAFT_LITERAL_IHL, spec->ipv4_ihl)
		      ? spec->ipv4_ihl
		      : (uint8_t)words;
	ip[0] = (uint8_t)(version << 4 | ihl);
	ip[1] = 0;
	put16(ip + 2, (uint16_t)total);
	put16(ip + 4, IPV4_ID);
	put16(ip + 6, (uint16_t)((spec->more_fragments ? IPV4_FLAG_MF : 0) |
				 spec->frag_offset));
	ip[8] = spec->ttl;
	ip[9] = lay->n_chain ? lay->chain[0] : spec->proto;
	put16(ip + 10, 0);
	memcpy(ip + 12, spec->src, 4);
	memcpy(ip + 16, spec->dst, 4);
	memset(ip + IPV4_HDR_LEN, OPTION_NOP, spec->ipv4_options_len);
	if (spec->n_ipv4_option_bytes <= spec->ipv4_options_len)
		memcpy(ip + IPV4_HDR_LEN, spec->ipv4_option_bytes,
		       spec->n_ipv4_option_bytes);
	if (spec->ipv4_srr != 0 && spec->ipv4_options_len >= 8) {
		/* A source route of one address, after the NOPs: type,
		 * length 7, the pointer at its address (4) or past it (8,
		 * the route done), the address. */
		p = ip + IPV4_HDR_LEN + spec->ipv4_options_len - 7;
		p[0] = spec->ipv4_srr;
		p[1] = 7;
		p[2] = spec->ipv4_srr_done ? 8 : 4;
		memcpy(p + 3, srr_hop, 4);
	}
	/* Summed over the bytes as built, not as a lying IHL claims, so
	 * that the only thing wrong in such a packet is the IHL. */
	put16(ip + 10, op25b_craft_ip_checksum(ip, lay->ip_hdr_len));
	p = ip + lay->ip_hdr_len;
	for (i = 0; i < lay->n_chain; i++) {
		write_ext_header(spec, lay->chain[i],
				 i + 1 < lay->n_chain ? lay->chain[i + 1]
						      : spec->proto,
				 p);
		p += ext_header_len(spec, lay->chain[i]);
	}
}

static void
write_ipv6(const struct op25b_craft_spec *spec, const struct craft_layout *lay,
	   uint8_t *ip)
{
	uint8_t last = spec->ext_loop ? spec->ext_loop : spec->proto;
	int32_t payload_len;
	unsigned int i;
	uint8_t *p;

	payload_len = (int32_t)(lay->total - lay->l3 - IPV6_HDR_LEN) +
		      spec->ip_length_delta;
	put32(ip, (uint32_t)(given(spec, OP25B_CRAFT_LITERAL_IPVER,
				   spec->ip_version)
				     ? spec->ip_version
				     : 6)
			  << 28);
	put16(ip + 4, (uint16_t)payload_len);
	ip[6] = lay->n_chain ? lay->chain[0] : last;
	ip[7] = spec->ttl;
	memcpy(ip + 8, spec->src, 16);
	memcpy(ip + 24, spec->dst, 16);
	p = ip + IPV6_HDR_LEN;
	for (i = 0; i < lay->n_chain; i++) {
		write_ext_header(
			spec, lay->chain[i],
			i + 1 < lay->n_chain ? lay->chain[i + 1] : last, p);
		p += ext_header_len(spec, lay->chain[i]);
	}
}

static uint16_t
l4_checksum_value(const struct op25b_craft_spec *spec, const uint8_t *l4,
		  size_t len)
{
	const uint8_t *dst = spec->dst;
	uint16_t csum;

	/* Under a source route not yet done, the segment's destination is
	 * the route's last address, which the sender sums (RFC 791's
	 * routes; as IPv6's routing header, RFC 8200 8.1): the header's is
	 * only the next hop. */
	if (spec->family != AF_INET6 && spec->ipv4_srr != 0 &&
	    !spec->ipv4_srr_done && spec->ipv4_options_len >= 8)
		dst = srr_hop;
	if (spec->proto == IPPROTO_ICMP_)
		csum = op25b_craft_ip_checksum(l4, len);
	else
		csum = op25b_craft_l4_checksum(
			spec->family == AF_INET6 ? AF_INET6 : AF_INET,
			spec->src, dst, spec->proto, l4, len);
	if (spec->proto == IPPROTO_UDP_ && csum == 0)
		csum = 0xffff; /* 0 would mean "no checksum" */
	if (spec->bad_l4_checksum) {
		/* Flip bits so the result is never the other zero (0 and
		 * 0xffff both verify) nor UDP's "no checksum". */
		csum ^= 0x0101;
		if (csum == 0)
			csum = 0x0202;
	}
	return csum;
}

static void
write_l4(const struct op25b_craft_spec *spec, const struct craft_layout *lay,
	 const uint8_t *data, size_t data_size, uint8_t *buf)
{
	uint8_t *l4 = buf + lay->l4;
	uint8_t *pl = buf + lay->payload;
	size_t l4_len = lay->total - lay->l4;
	size_t i, n;
	uint8_t doff;

	for (i = 0; i < lay->payload_len; i++)
		pl[i] = (uint8_t)i;
	n = data_size < lay->payload_len ? data_size : lay->payload_len;
	if (n > 0 && data != NULL)
		memcpy(pl, data, n);
	if (lay->l4_hdr_len == 0)
		return;

	memset(l4, 0, lay->l4_hdr_len);
	switch (spec->proto) {
	case IPPROTO_TCP_:
		doff = given(spec, OP25B_CRAFT_LITERAL_DOFF, spec->tcp_doff)
			       ? spec->tcp_doff
			       : (uint8_t)(lay->l4_hdr_len / 4);
		put16(l4, spec->sport);
		put16(l4 + 2, spec->dport);
		put32(l4 + 4, spec->seq);
		put32(l4 + 8, spec->ack);
		l4[12] = (uint8_t)(doff << 4);
		l4[13] = spec->tcp_flags;
		put16(l4 + 14, TCP_WINDOW);
		memset(l4 + TCP_HDR_LEN, OPTION_NOP, spec->tcp_options_len);
		put16(l4 + 16, l4_checksum_value(spec, l4, l4_len));
		break;
	case IPPROTO_UDP_:
		put16(l4, spec->sport);
		put16(l4 + 2, spec->dport);
		put16(l4 + 4, (uint16_t)l4_len);
		put16(l4 + 6, l4_checksum_value(spec, l4, l4_len));
		break;
	default: /* ICMP / ICMPv6 echo request */
		l4[0] = spec->proto == IPPROTO_ICMP_ ? 8 : 128;
		put16(l4 + 4, spec->sport);
		put16(l4 + 6, (uint16_t)spec->seq);
		put16(l4 + 2, l4_checksum_value(spec, l4, l4_len));
		break;
	}
}

/* Reject lengths that no 16-bit field can hold, lies included. */
static int
check_lengths(const struct op25b_craft_spec *spec,
	      const struct craft_layout *lay)
{
	int64_t l3_len = (int64_t)(lay->total - lay->l3);
	int64_t v;

	if (lay->total > 0xffff + lay->l3)
		return -EINVAL;
	if (spec->family == AF_INET6)
		v = l3_len - IPV6_HDR_LEN + spec->ip_length_delta;
	else
		v = l3_len + spec->ip_length_delta;
	if (v < 0 || v > 0xffff)
		return -EINVAL;
	if (spec->pppoe) {
		v = l3_len + (spec->pppoe_pfc ? 1 : 2) +
		    spec->pppoe_length_delta;
		if (v < 0 || v > 0xffff)
			return -EINVAL;
	}
	/* An 802.3 length is at most 1500: past it the field reads as an
	 * ethertype (0x0600 and up), not the frame asked for. */
	if (spec->llc_snap && l3_len + 8 > 1500)
		return -EINVAL;
	if (lay->total - lay->l4 > 0xffff)
		return -EINVAL;
	return 0;
}

int
op25b_craft_build_payload(const struct op25b_craft_spec *spec,
			  const uint8_t *payload, size_t payload_size,
			  uint8_t *buf, size_t size)
{
	struct craft_layout lay;
	uint8_t *frame = buf;
	size_t out_len;
	int ret;

	ret = craft_layout(spec, &lay);
	if (ret < 0)
		return ret;
	ret = check_lengths(spec, &lay);
	if (ret < 0)
		return ret;
	/* The trailer follows the IP packet: no length counts it. A cut
	 * past the frame's end would cut nothing. */
	out_len = lay.total + spec->trailer;
	if (out_len > 0xffff || spec->truncate > out_len)
		return -EINVAL;
	if (spec->truncate && spec->truncate < out_len)
		out_len = spec->truncate;
	if (out_len > size)
		return -ENOSPC;
	/* Checksums need the whole frame: a cut one is built aside. */
	if (lay.total + spec->trailer > size) {
		frame = malloc(lay.total + spec->trailer);
		if (frame == NULL)
			return -ENOMEM;
	}
	memset(frame + lay.total, 0, spec->trailer);

	write_l2(spec, &lay, frame);
	if (spec->family == AF_INET6)
		write_ipv6(spec, &lay, frame + lay.l3);
	else
		write_ipv4(spec, &lay, frame + lay.l3);
	write_l4(spec, &lay, payload, payload_size, frame);

	if (frame != buf) {
		memcpy(buf, frame, out_len);
		free(frame);
	}
	return (int)out_len;
}

int
op25b_craft_build(const struct op25b_craft_spec *spec, uint8_t *buf,
		  size_t size)
{
	return op25b_craft_build_payload(spec, NULL, 0, buf, size);
}
