/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Classifier internals: the compiled tables and the frame parser.
 */
#ifndef OP25B_CLASSIFY_PRIV_H
#define OP25B_CLASSIFY_PRIV_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "lpm4.h"
#include "lpm6.h"
#include "op25b_adaptive.h"
#include "op25b_classify.h"
#include "parse_code.h"
#include "tcp_seen.h" /* struct tcp_seen, shared with the XDP program */

/* A matrix cell of an adaptive class: forwarded unless the source is
 * blocked (classify_adaptive), then the policy's block. Above every
 * verdict outcome, so that decide_as()'s one test for the rare verdicts
 * catches it and the common ones never pay for it. */
#define MATRIX_ADAPTIVE OP25B_OUTCOME_MAX

/* The adaptive classes of a compiled policy: their limits by class slot
 * (the table's clock turns them into rules when the table is attached),
 * and the outcome a blocked source's packets get. */
struct classify_adaptive {
	struct op25b_adaptive_table *table; /* NULL: acts as allow */
	/* What a blocked source's packets get, by class slot (a class may
	 * set its own block:): BLOCKED, RESET, MATRIX_NOTIFY or COUNTED. */
	uint8_t block_outcome[OP25B_STATS_SLOTS];
	bool is_adaptive[OP25B_STATS_SLOTS];
	struct op25b_adaptive_limit limit[OP25B_STATS_SLOTS];
	struct op25b_adaptive_rule rule[OP25B_STATS_SLOTS];
};
struct op25b_notify;

/* At most this many IPv6 extension headers are walked before the packet is
 * called malformed: a chain longer than any legitimate one (RFC 8200 order
 * has at most 6) is either an attack or a loop. */
#define OP25B_IPV6_EXT_MAX 8

/* IPv4 has one header of IPv6's chain: AH (IPsec in transport mode, RFC
 * 4302, whose TCP header lies behind it). As many are walked as IPv6
 * extension headers; one is what real traffic has. */
#define OP25B_IPV4_AH_MAX OP25B_IPV6_EXT_MAX
/* A later fragment of an AH packet below this offset (8-byte units: 64
 * bytes) is malformed (parse_ipv4_rest()). */
#define OP25B_IPV4_AH_FRAG_MIN 8

/*
 * Every byte the parser reads lies in the first OP25B_PARSE_DEPTH bytes of
 * a frame: an IPv6 extension chain that would put the TCP header beyond
 * them is malformed. With tags, PPPoE and IPv4 options a header stack is
 * at most 14 + 4 * OP25B_POLICY_MAX_VLAN_TAGS + 8 + 60 + 20 bytes, so the
 * bound only ever cuts an IPv6 extension chain or IPv4's AH headers, and
 * RFC 7112 already wants a whole chain in the first fragment (1280 bytes
 * at IPv6's minimum MTU).
 * Why a bound at all: a frame in a chain of mbufs is parsed in place when
 * its first segment holds these bytes (any 2 KB data room does), else
 * from a copy of them on the stack; the same bound for one segment or
 * many gives both the same verdict.
 */
#define OP25B_PARSE_DEPTH 1024

#define ETHER_TYPE_IPV4 0x0800
#define ETHER_TYPE_IPV6 0x86dd
#define ETHER_TYPE_ARP 0x0806
#define ETHER_TYPE_VLAN 0x8100
#define ETHER_TYPE_QINQ 0x88a8
#define ETHER_TYPE_QINQ_OLD 0x9100
#define ETHER_TYPE_PPPOE_SESSION 0x8864
#define ETHER_TYPE_MPLS 0x8847
#define ETHER_TYPE_MPLS_MULTICAST 0x8848
#define PPPOE_HEADER_LEN 6

/* TCP flags, PPP protocols, PARSE_SMTP, PARSE_FRAME() and
 * parse_code_outcome() are in parse_code.h, which the XDP program shares. */
/* `chained` is counted by the burst loop, never returned by a parse. */
#define PARSE_CODE_MAX PARSE_FRAME(CHAINED)

/* The vector decisions (decide_vec.h) read a cell as the low byte of 32
 * bits: the matrix has this many bytes after its last cell. */
#define MATRIX_PAD 3

/* A matrix cell that is no outcome: block: notify answers the packet, and
 * its outcome is blocked (dropped or answered) or reset. */
#define MATRIX_NOTIFY (OP25B_OUTCOME_MAX + 1)
_Static_assert(MATRIX_ADAPTIVE != MATRIX_NOTIFY && MATRIX_NOTIFY <= UINT8_MAX,
	       "the matrix's two cells that are no outcome differ");

_Static_assert(OP25B_FRAME_CHAINED == OP25B_FRAME_MAX - 1,
	       "chained is the last frame counter: parse codes end before it");

/* What the parser learned about one frame. */
struct pkt_meta {
	uint16_t l3;	 /* offset of the IP header */
	uint16_t l4;	 /* offset of the TCP header */
	uint32_t l4_end; /* end of the IP payload (IP length, not frame): a
			  * 64 KB IPv4 packet under tags ends past 65535 */
	uint16_t pppoe;	 /* offset of the PPPoE header, 0: none */
	uint8_t family;	 /* 4 or 6 */
	uint8_t tcp_flags;
};

/* Filled for every SMTP packet of a burst and read back when it is
 * decided: a burst's worth stays within a few cache lines. */
_Static_assert(sizeof(struct pkt_meta) == 12, "pkt_meta is 12 bytes");

struct op25b_classifier {
	/* enum op25b_port_kind by destination port: one load tells a packet
	 * that leaves now from one the policy decides. A byte a port (64 KB)
	 * rather than bitmaps: the ports of real traffic are few, so their
	 * lines stay in L1, and it saves the second test an SMTP packet
	 * needed. Indexed by the port as it lies in the frame (network
	 * byte order, read as a host integer: op25b_policy_port_table()'s
	 * wire order), so that a frame's port needs no byte swap. */
	uint8_t port_kind[65536];
	struct lpm4 *src4; /* NULL: no IPv4 prefix on this side */
	struct lpm4 *dst4;
	struct lpm6 *src6;
	struct lpm6 *dst6;
	/* outcome[class_slot * n_group_slots + group_slot], precedence,
	 * monitor mode and block style already applied: FORWARDED, COUNTED,
	 * BLOCKED, RESET (a reset if the packet is a bare SYN), or
	 * MATRIX_NOTIFY (op25b_notify_answer() decides). The same
	 * allocation holds the cells' precedence steps after it
	 * (classifier_rules()). */
	uint8_t *matrix; /* MATRIX_PAD bytes more, then the rules */
	uint16_t n_group_slots;
	uint8_t malformed_disposition;
	uint8_t max_vlan_tags; /* the policy's max_vlan_tags */
	/* The matrix's rows; op25b_classifier_memory() sums the parts rather
	 * than keeping a total here, where every byte is a hot line's. */
	uint16_t n_class_slots;
	/* block: notify's greeting, key and rate; NULL when no class
	 * notifies. */
	const struct op25b_notify *notify;
	/* The whole result word per parse code (outcome and disposition): one
	 * load and one store a packet. */
	struct op25b_classify_result settled_result[PARSE_CODE_MAX];
	/* NULL: the policy has no adaptive class. */
	struct classify_adaptive *adaptive;
} __rte_cache_aligned;

/* The port map fills the first 64 KB; everything else a packet may touch
 * (the tables, the matrix, the settled results) lies in the 128 bytes
 * after it, two cache lines. A new field or parse code that grows it past
 * them costs every burst a line: move something out first. */
_Static_assert(offsetof(struct op25b_classifier, port_kind) == 0 &&
		       sizeof(((struct op25b_classifier *)0)->port_kind) ==
			       65536,
	       "the port map comes first, 64 KB");
_Static_assert(sizeof(struct op25b_classifier) == 65536 + 128,
	       "the classifier is the port map and two cache lines");
_Static_assert(_Alignof(struct op25b_classifier) == RTE_CACHE_LINE_SIZE,
	       "the classifier starts a cache line");

/* rule[class_slot * n_group_slots + group_slot]: the precedence step
 * (enum op25b_rule) that decided the matrix's cell, with
 * OP25B_RECORD_RULE_MONITOR in monitor mode, for the block records of the
 * frames it decided (the cell's own, not that of a policy or mode in force
 * when the record is written). After the matrix and its padding: the
 * classifier's two lines have no byte left for a pointer. */
static inline uint8_t *
classifier_rules(const struct op25b_classifier *c)
{
	return c->matrix + (size_t)c->n_class_slots * c->n_group_slots +
	       MATRIX_PAD;
}

/* The bytes of the matrix's allocation: the cells, their padding, the
 * rules. */
static inline size_t
classifier_matrix_bytes(const struct op25b_classifier *c)
{
	return 2 * (size_t)c->n_class_slots * c->n_group_slots + MATRIX_PAD;
}

/*
 * Byte order: DPDK 22.11's x86 rte_be_to_cpu_16() is inline asm, which the
 * compiler can neither fold into a comparison with a constant nor schedule;
 * on this path it cost 9 of ~90 instructions a packet. Ethertypes are
 * compared raw against big-endian constants (RTE_BE16, computed at compile
 * time), and lengths are swapped with the compiler's builtin.
 */
/* Defines @name(), the @type that lies at @p as it lies, at any alignment
 * (memcpy, which the compiler makes one load). */
#define DEFINE_LOAD_RAW(name, type)                                            \
	static __rte_always_inline type name(const void *p)                    \
	{                                                                      \
		type v;                                                        \
                                                                               \
		memcpy(&v, p, sizeof(v));                                      \
		return v;                                                      \
	}

DEFINE_LOAD_RAW(load_raw16, uint16_t)
/* Four header bytes as they lie, for the vector pre-pass's lanes. */
DEFINE_LOAD_RAW(load_raw32, uint32_t)

static __rte_always_inline uint16_t
load_be16(const uint8_t *p)
{
	return __builtin_bswap16(load_raw16(p));
}

static __rte_always_inline uint32_t
load_be32(const uint8_t *p)
{
	return __builtin_bswap32(load_raw32(p));
}

/*
 * The parse functions return a parse code (see PARSE_SMTP): the outcome
 * or frame counter when parsing alone settles the packet, or PARSE_SMTP
 * after filling @m for the policy to decide. @m is written only on that
 * path: most packets are not SMTP. Each header's sanity checks are OR-ed
 * into one branch (all operands are safe to compute), so a well-formed
 * packet pays one predictable branch a header. @len (and @end) is the
 * length of the whole frame, which may span mbuf segments; @p holds its
 * first min(len, OP25B_PARSE_DEPTH) bytes, and no read goes further.
 */
/* parse_tcp() once the IP layer has put l4 + 20 <= l4_end. */
static __rte_always_inline uint8_t
parse_tcp_header_in(const struct op25b_classifier *c, const uint8_t *p,
		    uint32_t l3, uint32_t l4, uint32_t l4_end, uint32_t pppoe,
		    uint8_t family, struct pkt_meta *m)
{
	uint32_t room = l4_end - l4, doff;
	uint8_t kind;

	doff = (uint32_t)(p[l4 + 12] >> 4) * 4;
	kind = c->port_kind[load_raw16(p + l4 + 2)];
	/* 20 <= doff <= room in one unsigned compare: a doff below 20
	 * wraps past any room. */
	if (unlikely(doff - 20 > room - 20))
		return OP25B_OUTCOME_MALFORMED;
	if (likely(kind == OP25B_PORT_OTHER))
		return OP25B_OUTCOME_NON_SMTP;
	if (kind == OP25B_PORT_SUBMISSION)
		return OP25B_OUTCOME_SUBMISSION;
	m->l3 = (uint16_t)l3;
	m->l4 = (uint16_t)l4;
	m->l4_end = l4_end;
	m->pppoe = (uint16_t)pppoe;
	m->family = family;
	m->tcp_flags = p[l4 + 13];
	return PARSE_SMTP;
}

static __rte_always_inline uint8_t
parse_tcp(const struct op25b_classifier *c, const uint8_t *p, uint32_t l3,
	  uint32_t l4, uint32_t l4_end, uint32_t pppoe, uint8_t family,
	  struct pkt_meta *m)
{
	/* The IP layer's checks put l4 <= l4_end. Also RFC 1858: a first
	 * fragment must carry the whole fixed TCP header, or its flags could
	 * be overwritten by the next one. */
	if (unlikely(l4_end - l4 < 20))
		return OP25B_OUTCOME_MALFORMED;
	return parse_tcp_header_in(c, p, l3, l4, l4_end, pppoe, family, m);
}

/*
 * Whether the IPv4 options @o (@len bytes) hold a loose or strict source
 * route (LSRR 0x83, SSRR 0x89) not yet complete (RFC 791: its pointer not
 * past its length): the destination address is then a hop on the way, not
 * where the packet goes, and the destination groups cannot decide it. A
 * broken option list ends the scan (a router refuses such a packet). Out
 * of line: options are rare, source routes rarer (RFC 7126 wants them
 * dropped).
 */
static __rte_noinline __rte_unused bool
ipv4_source_routed(const uint8_t *o, uint32_t len)
{
	uint32_t i = 0, olen;

	while (i < len && o[i] != IPV4_OPT_END) {
		if (o[i] == IPV4_OPT_NOP) {
			i++;
			continue;
		}
		if (i + 2 > len)
			break;
		olen = o[i + 1];
		if (olen < 2 || i + olen > len)
			break;
		if ((o[i] == IPV4_OPT_LSRR || o[i] == IPV4_OPT_SSRR) &&
		    olen >= 3 && o[i + 2] <= olen)
			return true;
		i += olen;
	}
	return false;
}

/* An SMTP segment (@code PARSE_SMTP) of an IPv4 header of @ihl bytes at
 * @l3 that a source route takes elsewhere than its destination address
 * says: malformed (policy.md), as the XDP program. */
static __rte_always_inline uint8_t
ipv4_routed_check(const uint8_t *p, uint32_t l3, uint32_t ihl, uint8_t code)
{
	if (ihl > 20 && unlikely(code == PARSE_SMTP) &&
	    ipv4_source_routed(p + l3 + 20, ihl - 20))
		return OP25B_OUTCOME_MALFORMED;
	return code;
}

/*
 * The AH headers from @cur on (an IPv4 packet whose protocol is AH, not a
 * later fragment) up to what follows them, as parse_ipv6()'s walk steps over
 * IPv6's: TCP is parsed, any other protocol is no SMTP, a header past the
 * IP payload or the parse depth is malformed. Out of line: rare traffic,
 * kept off the hot path's code.
 */
static __rte_noinline __rte_unused uint8_t
parse_ipv4_ah(const struct op25b_classifier *c, const uint8_t *p, uint32_t l3,
	      uint32_t cur, uint32_t l4_end, uint32_t pppoe, struct pkt_meta *m)
{
	uint32_t ihl = cur - l3;
	uint8_t nh = IPPROTO_AH;
	unsigned int i;

	for (i = 0; nh == IPPROTO_AH; i++) {
		uint32_t hlen;

		/* The first AH header lies within a header stack's bytes
		 * (OP25B_PARSE_DEPTH); the test below keeps the later ones
		 * there. */
		if (unlikely(i >= OP25B_IPV4_AH_MAX || cur + 8 > l4_end))
			return OP25B_OUTCOME_MALFORMED;
		hlen = ((uint32_t)p[cur + 1] + 2) * 4;
		if (unlikely(cur + hlen > l4_end))
			return OP25B_OUTCOME_MALFORMED;
		nh = p[cur];
		cur += hlen;
		if (unlikely((nh == IPPROTO_TCP || nh == IPPROTO_AH) &&
			     cur + (nh == IPPROTO_TCP ? 20 : 8) >
				     OP25B_PARSE_DEPTH))
			return OP25B_OUTCOME_MALFORMED;
	}
	if (nh != IPPROTO_TCP)
		return OP25B_OUTCOME_NON_SMTP;
	return ipv4_routed_check(p, l3, ihl,
				 parse_tcp(c, p, l3, cur, l4_end, pppoe, 4, m));
}

/* parse_ipv4() after the header's lengths are checked. */
static __rte_always_inline uint8_t
parse_ipv4_rest(const struct op25b_classifier *c, const uint8_t *p,
		uint32_t off, uint32_t ihl, uint32_t total, uint32_t pppoe,
		struct pkt_meta *m)
{
	/* Bytes 6..9 as they lie: flags and fragment offset, TTL, protocol.
	 * Not a fragment and TCP, the common case, in one compare. */
	uint32_t key = load_raw32(p + off + 6) & RTE_BE32(0x1fff00ff);
	uint16_t frag_offset;

	if (likely(key == RTE_BE32(IPPROTO_TCP)))
		return ipv4_routed_check(p, off, ihl,
					 parse_tcp(c, p, off, off + ihl,
						   off + total, pppoe, 4, m));
	/* Not a fragment and AH: SMTP behind AH is decided as any other
	 * (IPv6's walk steps over AH too). One compare of the masked word
	 * in a register. */
	if (unlikely(key == RTE_BE32(IPPROTO_AH)))
		return parse_ipv4_ah(c, p, off, off + ihl, off + total, pppoe,
				     m);
	frag_offset = load_raw16(p + off + 6) & RTE_BE16(0x1fff);
	if (unlikely(frag_offset != 0)) {
		/* Offset 1 (8 bytes) with TCP can only serve to rewrite the
		 * first fragment's TCP flags (RFC 1858); behind AH the TCP
		 * header lies further in, and an offset below 64 bytes can
		 * only serve to rewrite its ports or flags (an AH with an
		 * ICV of up to 32 bytes: every usual algorithm). */
		if ((frag_offset == RTE_BE16(1) && p[off + 9] == IPPROTO_TCP) ||
		    (p[off + 9] == IPPROTO_AH &&
		     (load_be16(p + off + 6) & 0x1fff) <
			     OP25B_IPV4_AH_FRAG_MIN))
			return OP25B_OUTCOME_MALFORMED;
		return OP25B_OUTCOME_FRAGMENTS;
	}
	/* Not a fragment, so not TCP. */
	return OP25B_OUTCOME_NON_SMTP;
}

/* parse_ipv4() of a header without options (version 4, IHL 5), whose
 * total length @total the caller has read. */
static __rte_always_inline uint8_t
parse_ipv4_no_options(const struct op25b_classifier *c, const uint8_t *p,
		      uint32_t off, uint32_t end, uint32_t total,
		      uint32_t pppoe, struct pkt_meta *m)
{
	/* One unsigned compare says 20 <= total and off + total <= end. */
	if (unlikely(total - 20 > end - off - 20))
		return OP25B_OUTCOME_MALFORMED;
	/* The rest with a constant header length, which folds into the TCP
	 * header's offsets (an untagged frame's are all constants). */
	return parse_ipv4_rest(c, p, off, 20, total, pppoe, m);
}

/* @header_in: the caller knows off + 20 <= end. */
static __rte_always_inline uint8_t
parse_ipv4(const struct op25b_classifier *c, const uint8_t *p, uint32_t off,
	   uint32_t end, uint32_t pppoe, struct pkt_meta *m, bool header_in)
{
	uint32_t vihl, ihl, total;

	if (!header_in && unlikely(off + 20 > end))
		return OP25B_OUTCOME_MALFORMED;
	vihl = p[off];
	total = load_be16(p + off + 2);
	if (likely(vihl == 0x45))
		return parse_ipv4_no_options(c, p, off, end, total, pppoe, m);
	ihl = (vihl & 0x0f) * 4;
	if (unlikely(((vihl >> 4) != 4) | (ihl < 20) | (total < ihl) |
		     (off + total > end)))
		return OP25B_OUTCOME_MALFORMED;
	return parse_ipv4_rest(c, p, off, ihl, total, pppoe, m);
}

/*
 * An untagged IPv4 frame without options (the caller tested the ethertype,
 * version and header length), len >= 34. The common case, a TCP segment
 * that is no fragment, tests its lengths in one compare:
 * 40 <= total <= len - 14 (the IP header and the fixed TCP header in the
 * packet, the packet in the frame); anything else takes parse_ipv4()'s
 * tests, which tell the cases apart.
 */
static __rte_always_inline uint8_t
parse_ipv4_plain(const struct op25b_classifier *c, const uint8_t *p,
		 uint32_t len, struct pkt_meta *m)
{
	uint32_t total = load_be16(p + 16);

	/* A total below 40 wraps to above 2^32 - 41, more than any frame's
	 * len - 54; a frame shorter than 54 bytes makes the right side
	 * negative. */
	if (likely((load_raw32(p + 20) & RTE_BE32(0x1fff00ff)) ==
		   RTE_BE32(IPPROTO_TCP)) &&
	    likely((int64_t)(uint32_t)(total - 40) <= (int64_t)len - 54))
		return parse_tcp_header_in(c, p, 14, 34, 14 + total, 0, 4, m);
	return parse_ipv4_no_options(c, p, 14, len, total, 0, m);
}

/* @version_known: the caller tested the version nibble. */
static __rte_always_inline uint8_t
parse_ipv6(const struct op25b_classifier *c, const uint8_t *p, uint32_t off,
	   uint32_t end, uint32_t pppoe, struct pkt_meta *m, bool version_known)
{
	uint32_t plen, payload_end, cur, hlen;
	unsigned int i;
	uint8_t nh, segments_left = 0;

	if (unlikely(off + 40 > end))
		return OP25B_OUTCOME_MALFORMED;
	plen = load_be16(p + off + 4);
	payload_end = off + 40 + plen;
	/* Payload length 0 goes on, as any other: the walk below makes an
	 * empty packet with a next header op25b does not read (59, none) no
	 * SMTP, and a jumbogram (RFC 2675: behind a hop-by-hop header), or
	 * TCP with no room for its header, malformed; as the XDP program. */
	if (unlikely((!version_known && (p[off] >> 4) != 6) |
		     (plen > end - off - 40)))
		return OP25B_OUTCOME_MALFORMED;
	nh = p[off + 6];
	/* No extension header, the common case, peeled off the walk: the
	 * TCP header's offset is then a constant in an untagged frame. */
	if (likely(nh == IPPROTO_TCP))
		return parse_tcp(c, p, off, off + 40, payload_end, pppoe, 6, m);
	cur = off + 40;
	for (i = 0;; i++) {
		/* SMTP behind a routing header with segments left goes to
		 * its last segment, not to the destination address: no
		 * destination group can decide it (policy.md). */
		if (likely(nh == IPPROTO_TCP)) {
			uint8_t code = parse_tcp(c, p, off, cur, payload_end,
						 pppoe, 6, m);

			if (unlikely(segments_left != 0) && code == PARSE_SMTP)
				return OP25B_OUTCOME_MALFORMED;
			return code;
		}
		/* An extension header it steps over, or no SMTP. */
		if (!ipv6_walked(nh))
			return OP25B_OUTCOME_NON_SMTP;
		/* Hop-by-hop is only valid right after the IPv6 header. */
		if (unlikely(i >= OP25B_IPV6_EXT_MAX ||
			     (nh == IPPROTO_HOPOPTS && i != 0) ||
			     cur + 8 > payload_end))
			return OP25B_OUTCOME_MALFORMED;
		if (nh == IPPROTO_FRAGMENT) {
			hlen = 8;
			if ((load_raw16(p + cur + 2) & RTE_BE16(0xfff8)) != 0)
				return OP25B_OUTCOME_FRAGMENTS;
		} else if (nh == IPPROTO_AH) {
			hlen = ((uint32_t)p[cur + 1] + 2) * 4;
		} else {
			hlen = ((uint32_t)p[cur + 1] + 1) * 8;
			if (nh == IPPROTO_ROUTING)
				segments_left |= p[cur + 3];
		}
		if (unlikely(cur + hlen > payload_end))
			return OP25B_OUTCOME_MALFORMED;
		nh = p[cur];
		cur += hlen;
		/* What the walk reads next must lie in the bytes the parser
		 * may read (OP25B_PARSE_DEPTH): a TCP header, or the first 8
		 * bytes of an extension header it walks. A header it does
		 * not read (UDP, ESP, ...) is no SMTP however deep it lies. */
		if (unlikely(cur + 20 > OP25B_PARSE_DEPTH) && ipv6_walked(nh) &&
		    cur + (nh == IPPROTO_TCP ? 20 : 8) > OP25B_PARSE_DEPTH)
			return OP25B_OUTCOME_MALFORMED;
	}
}

static __rte_always_inline bool
is_vlan_tpid(uint16_t raw_type)
{
	return raw_type == RTE_BE16(ETHER_TYPE_VLAN) ||
	       raw_type == RTE_BE16(ETHER_TYPE_QINQ) ||
	       raw_type == RTE_BE16(ETHER_TYPE_QINQ_OLD);
}

/* Where a frame's IP header lies under its tags and PPPoE session. */
struct l2_walk {
	uint32_t l3;	/* the IP header */
	uint32_t end;	/* the end of the IP packet's room: the frame, or
			 * the PPPoE payload */
	uint32_t pppoe; /* the PPPoE header, 0: none */
	uint16_t type;	/* ethertype at l3, raw (big-endian): IPv4, IPv6 or
			 * one op25b does not read */
	uint8_t tags;	/* VLAN tags walked */
	uint8_t ppp_compressed; /* PPP protocol field in one byte (PFC) */
};

/*
 * Walk the VLAN tags (0x8100, 0x88a8, 0x9100 in any order, at most the
 * policy's max_vlan_tags) and a PPPoE session header, from the ethertype
 * @type at offset 12. Returns PARSE_SMTP with @w filled when an IPv4 or
 * IPv6 header follows, else the parse code that settles the frame. One
 * walker for the data path and describe(), so that a frame's description
 * can never disagree with its verdict; the data path's shortcut for the
 * commonest stacks (parse_l2_fixed()) is held to it by test_vector_diff.
 */
static __rte_always_inline uint8_t
walk_l2(const struct op25b_classifier *c, const uint8_t *p, uint32_t len,
	uint16_t type, struct l2_walk *w)
{
	uint32_t off = 14, tags = 0;

	w->pppoe = 0;
	w->end = len;
	w->ppp_compressed = 0;
	while (is_vlan_tpid(type)) {
		/* A tag beyond the limit is too deep even when cut short.
		 * The count is kept for describe() whatever the verdict (the
		 * data path never reads it: the store is dead there). */
		w->tags = (uint8_t)++tags;
		if (unlikely(tags > c->max_vlan_tags))
			return PARSE_FRAME(VLAN_TOO_DEEP);
		if (unlikely(off + 4 > len))
			return OP25B_OUTCOME_MALFORMED;
		type = load_raw16(p + off + 2);
		off += 4;
	}
	w->tags = (uint8_t)tags;
	if (type == RTE_BE16(ETHER_TYPE_PPPOE_SESSION)) {
		uint32_t pppoe_len, proto_len;
		uint16_t proto;

		if (unlikely(off + PPPOE_HEADER_LEN + 1 > len))
			return OP25B_OUTCOME_MALFORMED;
		/* RFC 1661 protocol field compression: a protocol whose first
		 * byte is odd is that one byte (0x21 IPv4, 0x57 IPv6). */
		proto_len = 2 - (p[off + PPPOE_HEADER_LEN] & 1);
		pppoe_len = load_be16(p + off + 4);
		if (unlikely((p[off] != 0x11) | (p[off + 1] != 0) |
			     (pppoe_len < proto_len) |
			     (off + PPPOE_HEADER_LEN + pppoe_len > len)))
			return OP25B_OUTCOME_MALFORMED;
		proto = proto_len == 1 ? p[off + PPPOE_HEADER_LEN]
				       : load_be16(p + off + PPPOE_HEADER_LEN);
		w->pppoe = off;
		w->end = off + PPPOE_HEADER_LEN + pppoe_len;
		w->ppp_compressed = proto_len == 1;
		off += PPPOE_HEADER_LEN + proto_len;
		if (proto == PPP_PROTO_IPV4)
			type = RTE_BE16(ETHER_TYPE_IPV4);
		else if (proto == PPP_PROTO_IPV6)
			type = RTE_BE16(ETHER_TYPE_IPV6);
		else if (proto == PPP_PROTO_VJ_COMPRESSED ||
			 proto == PPP_PROTO_VJ_UNCOMPRESSED)
			return PARSE_FRAME(PPP_VJ);
		else if (ppp_proto_opaque(proto))
			return PARSE_FRAME(OPAQUE_IP);
		else
			return PARSE_FRAME(NON_IP_PPP);
	}
	w->l3 = off;
	w->type = type;
	if (type == RTE_BE16(ETHER_TYPE_IPV4) ||
	    type == RTE_BE16(ETHER_TYPE_IPV6))
		return PARSE_SMTP;
	if (type == RTE_BE16(ETHER_TYPE_ARP))
		return PARSE_FRAME(NON_IP_ARP);
	/* Not looked into: guessing IP under a label stack from its first
	 * nibble misreads Ethernet pseudowires (RFC 4385). */
	if (type == RTE_BE16(ETHER_TYPE_MPLS) ||
	    type == RTE_BE16(ETHER_TYPE_MPLS_MULTICAST))
		return PARSE_FRAME(NON_IP_MPLS);
	if (unlikely(rte_be_to_cpu_16(type) <= ETHER_LENGTH_MAX) &&
	    off + 8 <= len && llc_snap_ip(p + off))
		return PARSE_FRAME(OPAQUE_IP);
	return PARSE_FRAME(NON_IP_OTHER);
}

/* parse_l2_fixed()'s answer when the frame is none of its shapes. */
#define PARSE_WALK UINT8_MAX
_Static_assert(PARSE_CODE_MAX < PARSE_WALK, "PARSE_WALK is no parse code");

/*
 * The frame whose tags, if any, end at the constant @off (the ethertype
 * after them at @off - 2, the caller has checked len >= @off + 20): IPv4
 * without options, or a PPPoE session (RFC 2516, its protocol field not
 * compressed) over it, at constant offsets. What walk_l2() and
 * parse_ipv4() would conclude, without the walk's loop and branches;
 * PARSE_WALK for anything else, which the walk then reads. IPv6 walks:
 * parse_ipv6() inlined here twice more cost every untagged frame an
 * instruction (gcc no longer kept the burst's non_smtp result in a
 * register; doc/bench.md).
 */
static __rte_always_inline uint8_t
parse_l2_fixed(const struct op25b_classifier *c, const uint8_t *p, uint32_t len,
	       uint32_t off, struct pkt_meta *m)
{
	/* The IP header in a PPPoE session: after its header and the
	 * two-byte PPP protocol. */
	const uint32_t ppp_l3 = off + PPPOE_HEADER_LEN + 2;
	uint32_t head = load_raw32(p + off - 2), end;

	if ((head & RTE_BE32(0xffffff00)) ==
	    RTE_BE32((uint32_t)ETHER_TYPE_IPV4 << 16 | 0x4500))
		return parse_ipv4_no_options(c, p, off, len,
					     load_be16(p + off + 2), 0, m);
	if ((head & RTE_BE32(0xffffff00)) !=
		    RTE_BE32((uint32_t)ETHER_TYPE_PPPOE_SESSION << 16 |
			     0x1100) ||
	    len < ppp_l3 + 20)
		return PARSE_WALK;
	/* Version and type 1 (above), code 0 (session data); the session's
	 * end in the frame, with room for an IPv4 header. */
	end = off + PPPOE_HEADER_LEN + load_be16(p + off + 4);
	head = load_raw32(p + ppp_l3 - 2);
	if (p[off + 1] != 0 || end > len || end < ppp_l3 + 20)
		return PARSE_WALK;
	if ((head & RTE_BE32(0xffffff00)) ==
	    RTE_BE32((uint32_t)PPP_PROTO_IPV4 << 16 | 0x4500))
		return parse_ipv4_no_options(c, p, ppp_l3, end,
					     load_be16(p + ppp_l3 + 2), off, m);
	return PARSE_WALK;
}

/* The frame under whatever tags and PPPoE session walk_l2() reads: the
 * general case, and the reference that parse_l2_fixed() must agree with
 * (test_vector_diff). */
static __rte_always_inline uint8_t
parse_walked(const struct op25b_classifier *c, const uint8_t *p, uint32_t len,
	     uint16_t type, struct pkt_meta *m)
{
	struct l2_walk w;
	uint8_t code = walk_l2(c, p, len, type, &w);

	if (code != PARSE_SMTP)
		return code;
	if (w.type == RTE_BE16(ETHER_TYPE_IPV4))
		return parse_ipv4(c, p, w.l3, w.end, w.pppoe, m, false);
	return parse_ipv6(c, p, w.l3, w.end, w.pppoe, m, false);
}

/* VLAN tags, PPPoE and non-IP: every subscriber port of some deployments
 * is tagged or PPPoE, so this is not a cold path either. What a whole
 * access network sends, PPPoE, one tag or two (802.1ad) over IPv4 or
 * PPPoE, is read at constant offsets (parse_l2_fixed(): a tenth to a
 * fifth fewer cycles a frame than the walk, doc/bench.md); the rest
 * walks. */
static __rte_always_inline uint8_t
parse_encapsulated(const struct op25b_classifier *c, const uint8_t *p,
		   uint32_t len, uint16_t type, struct pkt_meta *m)
{
	uint8_t code = PARSE_WALK;

	if (type == RTE_BE16(ETHER_TYPE_PPPOE_SESSION)) {
		if (len >= 14 + 20)
			code = parse_l2_fixed(c, p, len, 14, m);
	} else if (is_vlan_tpid(type) && len >= 22 + 20) {
		/* One tag is always allowed: the policy refuses a
		 * max_vlan_tags of 0, and compile makes an absent one 4. */
		if (!is_vlan_tpid(load_raw16(p + 16)))
			code = parse_l2_fixed(c, p, len, 18, m);
		else if (c->max_vlan_tags >= 2)
			code = parse_l2_fixed(c, p, len, 22, m);
	}
	if (code != PARSE_WALK)
		return code;
	return parse_walked(c, p, len, type, m);
}

/*
 * Parse one frame of @len bytes, of which @p holds at least the first
 * min(len, OP25B_PARSE_DEPTH). Returns the parse code; PARSE_SMTP with @m
 * filled when the policy must decide. Never reads past p[len - 1] nor
 * past p[OP25B_PARSE_DEPTH - 1].
 */
static __rte_always_inline uint8_t
parse_frame(const struct op25b_classifier *c, const uint8_t *p, uint32_t len,
	    struct pkt_meta *m)
{
	uint16_t type;

	/* Untagged IPv4 with its header in the frame, the common case, in
	 * one length compare: the others, and frames too short for it, go
	 * on below. */
	if (likely(len >= 14 + 20)) {
		uint32_t head = load_raw32(p + 12);

		/* Ethertype, version and (IPv4) header length in one
		 * compare. */
		if (likely((head & RTE_BE32(0xffffff00)) ==
			   RTE_BE32((uint32_t)ETHER_TYPE_IPV4 << 16 | 0x4500)))
			return parse_ipv4_plain(c, p, len, m);
		if (likely((head & RTE_BE32(0xfffff000)) ==
			   RTE_BE32((uint32_t)ETHER_TYPE_IPV6 << 16 | 0x6000)))
			return parse_ipv6(c, p, 14, len, 0, m, true);
		type = load_raw16(p + 12);
		if (likely(type == RTE_BE16(ETHER_TYPE_IPV4)))
			return parse_ipv4(c, p, 14, len, 0, m, true);
	} else if (unlikely(len < 14)) {
		return OP25B_OUTCOME_MALFORMED;
	}
	type = load_raw16(p + 12);
	/* Here IPv4 is a frame too short for its header. */
	if (type == RTE_BE16(ETHER_TYPE_IPV4))
		return OP25B_OUTCOME_MALFORMED;
	if (type == RTE_BE16(ETHER_TYPE_IPV6))
		return parse_ipv6(c, p, 14, len, 0, m, false);
	return parse_encapsulated(c, p, len, type, m);
}

/* Whether a segment may be answered (reset, notify): no group or
 * unspecified address, IP or MAC, on either side (tcp_seen.h). The
 * reset's and notify's entry points ask before anything else, as the
 * XDP program does before either. */
int op25b_reply_allowed(const struct rte_mbuf *m, const struct pkt_meta *meta);

/* Rewrite a blocked SYN into its RST+ACK reply, in the mbuf's first
 * segment (a chained SYN's other segments are freed). Returns 0, or -1 when
 * the mbuf cannot be written (indirect or shared, or a first segment too
 * small for the reply): then it is dropped. */
int op25b_reset_build(struct rte_mbuf *m, const struct pkt_meta *meta);

/* The segment op25b sends back; the addresses and ports are the answered
 * segment's, swapped. @options (a multiple of 4 bytes) and @payload may
 * be NULL with a length of 0. */
struct tcp_reply {
	uint32_t seq, ack;
	uint16_t window;
	uint8_t flags;
	uint8_t options_len;
	const uint8_t *options;
	const uint8_t *payload;
	uint16_t payload_len;
};

/* Read @m's addresses, ports, sequence numbers and flags (across segments
 * if need be). Returns 0, or -1 when the headers cannot be read. */
int op25b_tcp_seen_read(const struct rte_mbuf *m, const struct pkt_meta *meta,
			struct tcp_seen *seen);

/* Rewrite @m in place into the reply @r to the segment @seen read from it:
 * L2 mirrored (MACs swapped; tags, PPPoE and its length kept right), bare
 * IP and TCP headers, checksums complete. Same contract as
 * op25b_reset_build(). */
int
op25b_tcp_reply_build(struct rte_mbuf *m, const struct pkt_meta *meta,
		      const struct tcp_seen *seen, const struct tcp_reply *r);

#endif /* OP25B_CLASSIFY_PRIV_H */
