/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a reply (block: reset's RST, block: notify's answers) needs of the
 * TCP segment it answers, and what block: notify makes of an ACK, for the
 * classifier (reset.c, notify.c) and the XDP program
 * (lib/xdp/op25b_xdp.bpf.c, which includes this header: plain C and
 * <stdint.h> only, for the BPF target too).
 */
#ifndef OP25B_TCP_SEEN_H
#define OP25B_TCP_SEEN_H

#include <stdint.h>

#include "parse_code.h" /* TCP_SYN, TCP_FIN */

/* Read before a byte of the segment is overwritten. */
struct tcp_seen {
	uint8_t src[16], dst[16]; /* IPv4 in the first 4 bytes */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint32_t seg_len; /* sequence space: payload, SYN and FIN */
	uint8_t flags;
};

/*
 * The fields of @s that the TCP header tells: @tcp is its first 14 bytes
 * (network order, any alignment), @l4_len the segment's bytes, header
 * included. Byte by byte, which the BPF target needs and which gcc folds
 * into one load and bswap.
 */
static inline void
tcp_seen_header(struct tcp_seen *s, const uint8_t *tcp, uint32_t l4_len)
{
	uint32_t doff = (uint32_t)(tcp[12] >> 4) * 4;

	s->sport = (uint16_t)(tcp[0] << 8 | tcp[1]);
	s->dport = (uint16_t)(tcp[2] << 8 | tcp[3]);
	s->seq = (uint32_t)tcp[4] << 24 | (uint32_t)tcp[5] << 16 |
		 (uint32_t)tcp[6] << 8 | tcp[7];
	s->ack = (uint32_t)tcp[8] << 24 | (uint32_t)tcp[9] << 16 |
		 (uint32_t)tcp[10] << 8 | tcp[11];
	s->flags = tcp[13];
	/* RFC 9293 3.3.1: SYN and FIN each take a sequence number. */
	s->seg_len = l4_len - doff + ((s->flags & TCP_SYN) != 0) +
		     ((s->flags & TCP_FIN) != 0);
}

/* What block: notify makes of a segment, by its flags. */
enum notify_segment {
	NOTIFY_SEGMENT_DROP,	   /* answered by nothing */
	NOTIFY_SEGMENT_SYN,	   /* a SYN: the SYN-ACK with the cookie */
	NOTIFY_SEGMENT_ACK,	   /* an ACK: read by notify_ack_of() */
	NOTIFY_SEGMENT_BAD_COOKIE, /* no handshake of op25b's: a RST */
};

static inline enum notify_segment
notify_segment_of(uint8_t flags)
{
	flags &= TCP_SYN | TCP_ACK | TCP_RST | TCP_FIN;
	/* Nothing answers a RST; a segment with neither SYN nor ACK is not
	 * part of any handshake (RFC 9293 3.10.7.3 drops it). */
	if ((flags & TCP_RST) || !(flags & (TCP_SYN | TCP_ACK)))
		return NOTIFY_SEGMENT_DROP;
	if (flags == TCP_SYN)
		return NOTIFY_SEGMENT_SYN;
	/* A SYN-ACK from the client's side. */
	if (flags & TCP_SYN)
		return NOTIFY_SEGMENT_BAD_COOKIE;
	return NOTIFY_SEGMENT_ACK;
}

/* What a client's ACK (no SYN, no RST) says of block: notify's
 * connection whose SYN-ACK carried @cookie. */
enum notify_ack {
	NOTIFY_ACK_OTHER,     /* not this cookie's connection */
	NOTIFY_ACK_HANDSHAKE, /* its handshake's ACK: send the greeting */
	NOTIFY_ACK_BARE,      /* a bare ACK of the greeting: no answer */
	NOTIFY_ACK_RESET,     /* data or a FIN: the RST that ends it */
};

static inline enum notify_ack
notify_ack_of(const struct tcp_seen *s, uint32_t cookie, uint32_t greeting_len)
{
	/* The handshake's ACK, or its retransmission: the greeting, again
	 * if need be. */
	if (s->ack == cookie + 1 && s->seg_len == 0)
		return NOTIFY_ACK_HANDSHAKE;
	/* The client acknowledges the greeting (and its FIN): nothing to
	 * say to a bare ACK; its QUIT or FIN gets the RST that ends the
	 * connection. */
	if (s->ack - cookie - 1 == greeting_len ||
	    s->ack - cookie - 1 == greeting_len + 1u)
		return s->seg_len == 0 ? NOTIFY_ACK_BARE : NOTIFY_ACK_RESET;
	/* Data or a FIN right after the handshake. */
	if (s->ack == cookie + 1)
		return NOTIFY_ACK_RESET;
	return NOTIFY_ACK_OTHER;
}

/* Whether IPv4 address @a (network order) takes no reply: 0.0.0.0/8,
 * 127.0.0.0/8 (loopback), 224.0.0.0/4 (multicast) and 240.0.0.0/4
 * (reserved, 255.255.255.255 among them). */
static inline int
tcp_ipv4_no_reply(const uint8_t *a)
{
	return a[0] == 0 || a[0] == 127 || a[0] >= 224;
}

/* tcp_ipv6_no_reply(), the rare case of tcp_reply_allowed(): out of line
 * in op25b, so that every reset inlines the rest (inlined whole, the
 * function grew past gcc's limit and went out of line: +24 instructions
 * a reset SYN under callgrind); inlined in the BPF program. */
#ifdef __bpf__
#define TCP_SEEN_RARE static inline
#else
#define TCP_SEEN_RARE static __attribute__((noinline, cold, unused))
#endif

/* Whether IPv6 address @a takes no reply: multicast (ff00::/8), or an
 * IPv4 address in IPv6 form, IPv4-mapped (::ffff:0:0/96) or
 * IPv4-compatible (::/96, :: and the loopback ::1 among them), that
 * tcp_ipv4_no_reply() refuses (::ffff:127.0.0.1 is a loopback address
 * too). The rest is read only for an address in 0::/8 (a unicast one is
 * in 2000::/3); the rest of 0::/8 (the NAT64 prefix 64:ff9b::/96) takes
 * replies. */
TCP_SEEN_RARE int
tcp_ipv6_no_reply(const uint8_t *a)
{
	unsigned int i, high = 0;

	if (a[0] != 0)
		return a[0] == 0xff;
	for (i = 1; i < 10; i++)
		high |= a[i];
	if (high != 0 || (a[10] != a[11]) || (a[10] != 0 && a[10] != 0xff))
		return 0;
	return tcp_ipv4_no_reply(a + 12);
}

/*
 * Whether a reply may answer a segment from @src to @dst (@family 4: the
 * first 4 bytes) whose frame's MACs are @macs (destination, then
 * source): no group, unspecified or loopback address on either side, at
 * either layer. A SYN to a multicast or broadcast address is silently
 * dropped (RFC 1122 4.2.3.10, RFC 9293 3.10.7.2), and none of those is
 * ever a source (RFC 1122 3.2.1.3, RFC 4291 2.7): an answer would come
 * from a group address, or go to one. A loopback address (127/8, ::1)
 * never leaves its host (RFC 1122 3.2.1.3(g), RFC 4291 2.5.3): on the
 * wire it is forged, and an answer to it is for no one. Byte by byte,
 * for the BPF target too.
 */
static inline __attribute__((always_inline)) int
tcp_reply_allowed(uint8_t family, const uint8_t *src, const uint8_t *dst,
		  const uint8_t *macs)
{
	/* The group bit of either MAC (broadcast among them). */
	if (((macs[0] | macs[6]) & 1) != 0)
		return 0;
	if (family == 4)
		return !tcp_ipv4_no_reply(src) && !tcp_ipv4_no_reply(dst);
	/* First bytes 1..0xfe (2000::/3 among them) settle it. */
	if ((uint8_t)(src[0] - 1) < 0xfe && (uint8_t)(dst[0] - 1) < 0xfe)
		return 1;
	return !tcp_ipv6_no_reply(src) && !tcp_ipv6_no_reply(dst);
}

#endif /* OP25B_TCP_SEEN_H */
