/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Parse codes and TCP flags, for the classifier (classify_priv.h) and the
 * XDP program (lib/xdp/op25b_xdp.bpf.c, which includes this header: plain
 * C, <stdint.h> and op25b_stats.h only, for the BPF target too), so that
 * both count a settled frame under the same outcome.
 */
#ifndef OP25B_PARSE_CODE_H
#define OP25B_PARSE_CODE_H

#include <stdint.h>

#include "op25b_stats.h"

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

/* IPv4 option types (RFC 791) the parsers read to find a source route:
 * the end of the list, a NOP, the loose and the strict source route. */
#define IPV4_OPT_END 0x00
#define IPV4_OPT_NOP 0x01
#define IPV4_OPT_LSRR 0x83
#define IPV4_OPT_SSRR 0x89

/* PPP protocols of a PPPoE session. Van Jacobson TCP/IP header
 * compression (RFC 1144): compressed and uncompressed-with-state TCP,
 * whose headers op25b cannot read. */
#define PPP_PROTO_IPV4 0x0021
#define PPP_PROTO_IPV6 0x0057
#define PPP_PROTO_VJ_COMPRESSED 0x002d
#define PPP_PROTO_VJ_UNCOMPRESSED 0x002f
/* PPP protocols that carry IP in a form op25b cannot read: a Multilink
 * fragment (RFC 1990; the inner protocol is found only by guessing the
 * negotiated sequence format, and only in a first fragment), a compressed
 * datagram (CCP, RFC 1962: 0x00fd, per link 0x00fb) and an encrypted one
 * (ECP, RFC 1968: 0x0053, per link 0x0055); and the header compressions
 * other than Van Jacobson's that can carry TCP: IP Header Compression (RFC
 * 2509: a full header 0x0061, which the peer's context then abbreviates,
 * compressed TCP 0x0063 and 0x2063) and ROHC (RFC 3241: small CIDs 0x0003,
 * large 0x0005; RFC 6846 compresses TCP), as well as a bridged Ethernet
 * frame (BCP, RFC 3518: 0x0031), whose IP op25b does not parse. */
#define PPP_PROTO_MP 0x003d
#define PPP_PROTO_COMPRESSED 0x00fd
#define PPP_PROTO_COMPRESSED_LINK 0x00fb
#define PPP_PROTO_ENCRYPTED 0x0053
#define PPP_PROTO_ENCRYPTED_LINK 0x0055
#define PPP_PROTO_IPHC_FULL_HEADER 0x0061
#define PPP_PROTO_IPHC_COMPRESSED_TCP 0x0063
#define PPP_PROTO_IPHC_COMPRESSED_TCP_NODELTA 0x2063
#define PPP_PROTO_ROHC_SMALL_CID 0x0003
#define PPP_PROTO_ROHC_LARGE_CID 0x0005
#define PPP_PROTO_BRIDGED_ETHERNET 0x0031

/* Whether PPP protocol @proto hides its datagram (above): such a frame may
 * be IP with SMTP in it, so it is never passed unread as non_smtp. */
static inline int
ppp_proto_opaque(unsigned int proto)
{
	return proto == PPP_PROTO_MP || proto == PPP_PROTO_COMPRESSED ||
	       proto == PPP_PROTO_COMPRESSED_LINK ||
	       proto == PPP_PROTO_ENCRYPTED ||
	       proto == PPP_PROTO_ENCRYPTED_LINK ||
	       proto == PPP_PROTO_IPHC_FULL_HEADER ||
	       proto == PPP_PROTO_IPHC_COMPRESSED_TCP ||
	       proto == PPP_PROTO_IPHC_COMPRESSED_TCP_NODELTA ||
	       proto == PPP_PROTO_ROHC_SMALL_CID ||
	       proto == PPP_PROTO_ROHC_LARGE_CID ||
	       proto == PPP_PROTO_BRIDGED_ETHERNET;
}

/*
 * What a parse returns: an outcome (below OP25B_OUTCOME_MAX) when parsing
 * alone settles the frame; PARSE_SMTP when the policy must decide; or a
 * frame counter of its own (OP25B_FRAME_LIST), which also has an outcome
 * (parse_code_outcome()). FORWARDED is never a parse result otherwise.
 */
#define PARSE_SMTP OP25B_OUTCOME_FORWARDED
#define PARSE_FRAME(counter) (OP25B_OUTCOME_MAX + OP25B_FRAME_##counter)

/* An 802.3 frame's length field: below 0x0600 where an ethertype is at
 * least that (IEEE 802.3 3.2.6). */
#define ETHER_LENGTH_MAX 0x05ff

/* Whether the 8 bytes at @h, after an 802.3 length field, are RFC 1042's
 * LLC/SNAP header (DSAP and SSAP 0xaa, UI, OUI 0) in front of IPv4 or
 * IPv6: IP op25b does not parse there (every reply, record and offset
 * assumes an ethertype), but a router that takes RFC 1042 frames would
 * forward it, so it is never passed unread as non_smtp. */
static inline int
llc_snap_ip(const uint8_t *h)
{
	return h[0] == 0xaa && h[1] == 0xaa && h[2] == 0x03 && h[3] == 0 &&
	       h[4] == 0 && h[5] == 0 &&
	       ((h[6] == 0x08 && h[7] == 0x00) ||
		(h[6] == 0x86 && h[7] == 0xdd));
}

/* Whether the IPv6 walk reads a header of type @nh: TCP (6), or an
 * extension header it steps over: hop-by-hop (0), routing (43), fragment
 * (44), destination options (60), AH (51). */
static inline int
ipv6_walked(unsigned int nh)
{
	return nh == 6 || nh == 0 || nh == 43 || nh == 44 || nh == 60 ||
	       nh == 51;
}

/* The outcome a parse code is counted under. */
static inline uint8_t
parse_code_outcome(unsigned int code)
{
	switch (code) {
	case PARSE_FRAME(NON_IP_ARP):
	case PARSE_FRAME(NON_IP_MPLS):
	case PARSE_FRAME(NON_IP_PPP):
	case PARSE_FRAME(NON_IP_OTHER):
		return OP25B_OUTCOME_NON_SMTP;
	case PARSE_FRAME(VLAN_TOO_DEEP):
	case PARSE_FRAME(PPP_VJ):
	case PARSE_FRAME(OPAQUE_IP):
		return OP25B_OUTCOME_MALFORMED;
	default:
		return (uint8_t)code;
	}
}

#endif /* OP25B_PARSE_CODE_H */
