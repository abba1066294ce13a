/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * op25b as an XDP program: the policy of lib/classify on one frame at a
 * time. The parser follows classify_priv.h rule for rule (the same outcomes
 * and frame counters for the same bytes; test_xdp_vectors checks it case by
 * case), with every read bounded for the verifier: an offset is checked
 * against OP25B_XDP_PARSE_DEPTH, then the bytes against data_end.
 *
 * Verdicts: forward -> XDP_PASS, drop -> XDP_DROP, reset -> the SYN
 * rewritten in place into lib/classify/reset.c's RST+ACK -> XDP_TX,
 * block: notify -> lib/classify/notify.c's answer (a SYN-ACK with a
 * cookie, the greeting, or a RST) written in place -> XDP_TX.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "adaptive_key.h"
#include "adaptive_word.h"
#include "op25b_xdp_kern_user.h"
#include "parse_code.h"
#include "siphash24.h"
#include "tcp_seen.h"

_Static_assert(OP25B_XDP_ADAPTIVE_SUBWINDOWS == ADAPTIVE_WORD_SUBWINDOWS,
	       "a window is the sub-windows adaptive_word.h reads");

#define ETH_P_IPV4 0x0800
#define ETH_P_IPV6 0x86dd
#define ETH_P_ARP 0x0806
#define ETH_P_VLAN 0x8100
#define ETH_P_QINQ 0x88a8
#define ETH_P_QINQ_OLD 0x9100
#define ETH_P_PPPOE_SESSION 0x8864
#define ETH_P_MPLS 0x8847
#define ETH_P_MPLS_MULTICAST 0x8848
#define PPPOE_HEADER_LEN 6

#define PROTO_HOPOPTS 0
#define PROTO_TCP 6
#define PROTO_ROUTING 43
#define PROTO_FRAGMENT 44
#define PROTO_AH 51

#define RESET_TTL 64

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* An LPM trie template @name of at most @max entries, @key keys and
 * @value values. Sizes, not types: libbpf 1.1 cannot size a key type in
 * an inner map's definition. */
#define LPM_TEMPLATE(name, max, key, value)                                    \
	struct name {                                                          \
		__uint(type, BPF_MAP_TYPE_LPM_TRIE);                           \
		__uint(max_entries, max);                                      \
		__uint(map_flags, BPF_F_NO_PREALLOC);                          \
		__uint(key_size, sizeof(key));                                 \
		__uint(value_size, sizeof(value));                             \
	}

/* One slot per generation, each a table of the template @inner; an empty
 * slot: no prefix on that side. */
#define PER_GENERATION(inner)                                                  \
	struct {                                                               \
		__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);                      \
		__uint(max_entries, OP25B_XDP_GENERATIONS);                    \
		__type(key, __u32);                                            \
		__array(values, struct inner);                                 \
	}

/* The prefix tables' templates: the loader makes tables of this very shape
 * (LPM tries take no BPF_F_INNER_MAP, so max_entries is the template's: a
 * cap, not an allocation, since their nodes are allocated as they are
 * inserted). */
LPM_TEMPLATE(lpm4, OP25B_XDP_PREFIXES_MAX, struct op25b_xdp_key4, __u8);
LPM_TEMPLATE(lpm6, OP25B_XDP_PREFIXES_MAX, struct op25b_xdp_key6, __u8);

PER_GENERATION(lpm4) op25b_src4 SEC(".maps"), op25b_dst4 SEC(".maps");
PER_GENERATION(lpm6) op25b_src6 SEC(".maps"), op25b_dst6 SEC(".maps");

/* The exemption tables' templates: the same keys, struct op25b_xdp_exempt
 * values. */
LPM_TEMPLATE(exempt4, OP25B_XDP_EXEMPTIONS_MAX, struct op25b_xdp_key4,
	     struct op25b_xdp_exempt);
LPM_TEMPLATE(exempt6, OP25B_XDP_EXEMPTIONS_MAX, struct op25b_xdp_key6,
	     struct op25b_xdp_exempt);

PER_GENERATION(exempt4) op25b_exempt4 SEC(".maps");
PER_GENERATION(exempt6) op25b_exempt6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, OP25B_XDP_GENERATIONS);
	__type(key, __u32);
	__type(value, struct op25b_xdp_policy);
} op25b_policy SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct op25b_xdp_active);
} op25b_active SEC(".maps");

/* The names of the counter slots, for the loader and the readers only:
 * lib/stats's layout, so that a class keeps its slot across reloads as in
 * op25b's shared memory. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct op25b_stats_names);
} op25b_names SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct op25b_stats_counters);
} op25b_counters SEC(".maps");

/* Per-source adaptive state, shared by every CPU; outside the
 * generations, so that a reload keeps it (op25b_xdp_kern_user.h). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, OP25B_XDP_ADAPTIVE_ENTRIES);
	__type(key, __u64);
	__type(value, struct op25b_xdp_adaptive_entry);
} op25b_adaptive SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct op25b_xdp_adaptive_counts);
} op25b_adaptive_counts SEC(".maps");

/* block: notify: the greeting by generation, the cookies' key (kept by
 * reloads), the per-CPU budget (op25b_xdp_kern_user.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, OP25B_XDP_GENERATIONS);
	__type(key, __u32);
	__type(value, struct op25b_xdp_notify);
} op25b_notify SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct op25b_xdp_notify_key);
} op25b_notify_key SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct op25b_xdp_notify_budget);
} op25b_notify_budget SEC(".maps");

/* The adaptive clock the tests set: replay writes each frame's capture
 * time (ns) here before its run, as op25b-policy replay runs lib/adaptive
 * on the capture's clock; 0 (never written on an interface): the
 * kernel's CLOCK_BOOTTIME. */
volatile __u64 op25b_clock_ns = 0;

/* A frame: its first buffer [data, end), where every header op25b reads
 * lies (OP25B_XDP_PARSE_DEPTH is within any buffer), and the length of the
 * whole frame, jumbo frames' other buffers (multi-buffer XDP) included,
 * which the length checks compare with, as lib/classify's whole-frame
 * length of a chain of mbufs. */
struct frame {
	const __u8 *data;
	const __u8 *end;
	__u32 len;
};

static __always_inline __u32
frame_len(struct xdp_md *ctx)
{
	return (__u32)bpf_xdp_get_buff_len(ctx);
}

/* @f: the frame @ctx holds, now (a helper that may move the packet,
 * bpf_xdp_adjust_*(), makes it stale). */
static __always_inline void
frame_load(struct xdp_md *ctx, struct frame *f)
{
	f->data = (const __u8 *)(long)ctx->data;
	f->end = (const __u8 *)(long)ctx->data_end;
	f->len = frame_len(ctx);
}

/* What the parser learned about an SMTP packet (lib/classify's pkt_meta). */
struct meta {
	__u32 l3, l4, l4_end, pppoe;
	__u8 family, tcp_flags;
};

/* @v & @mask, in an instruction the compiler cannot drop: after a range
 * test it folds into something else, the verifier must still see a bound
 * on the value itself. */
#define BOUND(v, mask)                                                         \
	({                                                                     \
		__u64 _v = (v);                                                \
		asm volatile("%0 &= " #mask : "+r"(_v));                       \
		_v;                                                            \
	})

/* @n bytes at @off, or NULL: the one place packet bytes are reached. */
static __always_inline const __u8 *
at(const struct frame *f, __u32 off, __u32 n)
{
	const __u8 *p;

	if (off > OP25B_XDP_PARSE_DEPTH)
		return NULL;
	p = f->data + BOUND(off, 0x7ff);
	if (p + n > f->end)
		return NULL;
	return p;
}

static __always_inline __u32
be16(const __u8 *p)
{
	return ((__u32)p[0] << 8) | p[1];
}

static __always_inline __u32
be32(const __u8 *p)
{
	return ((__u32)p[0] << 24) | ((__u32)p[1] << 16) | ((__u32)p[2] << 8) |
	       p[3];
}

static __always_inline __u8
parse_tcp(const struct frame *f, const struct op25b_xdp_policy *pol, __u32 l3,
	  __u32 l4, __u32 l4_end, __u32 pppoe, __u8 family, struct meta *m)
{
	const __u8 *t;
	__u32 doff;
	__u8 kind, flags;

	if (l4 + 20 > l4_end)
		return OP25B_OUTCOME_MALFORMED;
	t = at(f, l4, 20);
	if (t == NULL)
		return OP25B_OUTCOME_MALFORMED;
	doff = (__u32)(t[12] >> 4) * 4;
	/* Read with the header's other bytes: read after the lookup below,
	 * clang rebuilt @t from the offset without the verifier's range. */
	flags = t[13];
	if (doff < 20 || l4 + doff > l4_end)
		return OP25B_OUTCOME_MALFORMED;
	kind = pol->port_kind[BOUND(be16(t + 2), 0xffff)];
	if (kind == 0 /* OP25B_PORT_OTHER */)
		return OP25B_OUTCOME_NON_SMTP;
	if (kind == 2 /* OP25B_PORT_SUBMISSION */)
		return OP25B_OUTCOME_SUBMISSION;
	m->l3 = l3;
	m->l4 = l4;
	m->l4_end = l4_end;
	m->pppoe = pppoe;
	m->family = family;
	m->tcp_flags = flags;
	return PARSE_SMTP;
}

/* Where a TCP header lies under IPv6's extension headers
 * (op25b_ipv6_walk()) or IPv4's AH headers (op25b_ipv4_ah_walk()). */
struct tcp_at {
	__u32 l4;
	__u32 l4_end;
};

/* op25b_ipv6_walk()'s PARSE_SMTP for a TCP header behind a routing header
 * with segments left: no parse code (those stay below 64). A field of
 * tcp_at instead grew the program's stack past 6.1's 512 bytes for the
 * deepest chain of calls. */
#define WALK_TCP_ROUTED 0xfe

/* op25b_ipv4_option_step()'s answers besides the next option's offset. */
#define OPTION_WALK_DONE (-1)
#define OPTION_WALK_ROUTED (-2)

/*
 * One step of lib/classify's ipv4_source_routed(): the option at @cur of
 * the @olen bytes of IPv4 options at @base. Returns the next option's
 * offset, OPTION_WALK_ROUTED for a source route not yet complete, or
 * OPTION_WALK_DONE (the end of the list, or a broken one). Global: its
 * answer is a value the verifier does not follow, so the walk below is 40
 * calls, not 40 rounds of branches multiplied (a million instructions
 * inlined). It reads 3 bytes at an option's start: within the frame, the
 * TCP header lying after the options.
 */
__noinline int
op25b_ipv4_option_step(struct xdp_md *ctx, __u32 base, __u32 cur, __u32 olen)
{
	const __u8 *o;
	struct frame f;
	__u32 l;

	frame_load(ctx, &f);
	if (cur >= olen || olen > 40)
		return OPTION_WALK_DONE;
	o = at(&f, base + cur, 3);
	if (o == NULL || o[0] == IPV4_OPT_END)
		return OPTION_WALK_DONE;
	if (o[0] == IPV4_OPT_NOP)
		return (int)cur + 1;
	l = o[1];
	if (cur + 2 > olen || l < 2 || cur + l > olen)
		return OPTION_WALK_DONE;
	if ((o[0] == IPV4_OPT_LSRR || o[0] == IPV4_OPT_SSRR) && l >= 3 &&
	    o[2] <= l)
		return OPTION_WALK_ROUTED;
	return (int)(cur + l);
}

/* lib/classify's ipv4_source_routed(): whether the @olen bytes of IPv4
 * options at @base hold a loose or strict source route not yet complete.
 * At most 40 steps: each takes a byte at least. */
static __always_inline int
ipv4_source_routed(struct xdp_md *ctx, __u32 base, __u32 olen)
{
	int cur = 0, i;

#pragma clang loop unroll(full)
	for (i = 0; i < 40; i++) {
		cur = op25b_ipv4_option_step(ctx, base, (__u32)cur, olen);
		if (cur < 0)
			return cur == OPTION_WALK_ROUTED;
	}
	return 0;
}

/* An SMTP segment (@code PARSE_SMTP) under an IPv4 header of @ihl bytes
 * at @l3 that a source route takes elsewhere: malformed (classify_priv.h's
 * ipv4_routed_check()). */
static __always_inline __u8
ipv4_routed_check(struct xdp_md *ctx, __u32 l3, __u32 ihl, __u8 code)
{
	if (ihl > 20 && code == PARSE_SMTP &&
	    ipv4_source_routed(ctx, l3 + 20, ihl - 20))
		return OP25B_OUTCOME_MALFORMED;
	return code;
}

/*
 * lib/classify's parse_ipv4_ah(): the AH headers from @cur on, in an IPv4
 * packet whose payload ends at @l4_end, up to a TCP header: PARSE_SMTP
 * with @t filled, or the code that settles the frame. Global, verified
 * once on its own, as op25b_ipv6_walk().
 */
__noinline int
op25b_ipv4_ah_walk(struct xdp_md *ctx, __u32 cur, __u32 l4_end,
		   struct tcp_at *t)
{
	const __u8 *e;
	struct frame f;
	__u32 hlen, i;
	__u8 nh = PROTO_AH;

	if (t == NULL)
		return OP25B_OUTCOME_MALFORMED;
	frame_load(ctx, &f);
	/* Rounds with nothing left to walk do nothing: a loop of a
	 * constant count, which clang unrolls (an early exit made its count
	 * one known at run time only, a back-edge older verifiers refuse). */
#pragma clang loop unroll(full)
	for (i = 0; i < OP25B_XDP_IPV4_AH_MAX; i++) {
		if (nh != PROTO_AH)
			continue;
		if (cur + 8 > l4_end)
			return OP25B_OUTCOME_MALFORMED;
		e = at(&f, cur, 8);
		if (e == NULL)
			return OP25B_OUTCOME_MALFORMED;
		hlen = ((__u32)e[1] + 2) * 4;
		if (cur + hlen > l4_end)
			return OP25B_OUTCOME_MALFORMED;
		nh = e[0];
		cur += hlen;
		if ((nh == PROTO_TCP || nh == PROTO_AH) &&
		    cur + (nh == PROTO_TCP ? 20 : 8) > OP25B_XDP_PARSE_DEPTH)
			return OP25B_OUTCOME_MALFORMED;
	}
	/* A 9th AH header. */
	if (nh == PROTO_AH)
		return OP25B_OUTCOME_MALFORMED;
	if (nh != PROTO_TCP)
		return OP25B_OUTCOME_NON_SMTP;
	t->l4 = cur;
	t->l4_end = l4_end;
	return PARSE_SMTP;
}

static __always_inline __u8
parse_ipv4(struct xdp_md *ctx, const struct frame *f,
	   const struct op25b_xdp_policy *pol, __u32 off, __u32 end,
	   __u32 pppoe, struct meta *m)
{
	struct tcp_at t = { 0 };
	int code;

	const __u8 *ip;
	__u32 vihl, ihl, total, frag;

	if (off + 20 > end)
		return OP25B_OUTCOME_MALFORMED;
	ip = at(f, off, 20);
	if (ip == NULL)
		return OP25B_OUTCOME_MALFORMED;
	vihl = ip[0];
	total = be16(ip + 2);
	ihl = (vihl & 0x0f) * 4;
	if ((vihl >> 4) != 4 || ihl < 20 || total < ihl || off + total > end)
		return OP25B_OUTCOME_MALFORMED;
	frag = be16(ip + 6) & 0x1fff;
	if (frag != 0) {
		/* Offset 1 with TCP only serves to rewrite the first
		 * fragment's flags (RFC 1858); below 64 bytes behind AH,
		 * the TCP header's ports or flags (classify_priv.h). */
		if ((frag == 1 && ip[9] == PROTO_TCP) ||
		    (ip[9] == PROTO_AH && frag < OP25B_XDP_IPV4_AH_FRAG_MIN))
			return OP25B_OUTCOME_MALFORMED;
		return OP25B_OUTCOME_FRAGMENTS;
	}
	/* SMTP behind AH is decided as any other (as IPv6's walk). */
	if (ip[9] == PROTO_AH) {
		code = op25b_ipv4_ah_walk(ctx, off + ihl, off + total, &t);
		if (code != PARSE_SMTP)
			return (__u8)code;
		return ipv4_routed_check(
			ctx, off, ihl,
			parse_tcp(f, pol, off, t.l4, t.l4_end, pppoe, 4, m));
	}
	if (ip[9] != PROTO_TCP)
		return OP25B_OUTCOME_NON_SMTP;
	return ipv4_routed_check(
		ctx, off, ihl,
		parse_tcp(f, pol, off, off + ihl, off + total, pppoe, 4, m));
}

/*
 * The IPv6 header at @off and its extension headers, up to a TCP header:
 * PARSE_SMTP with @t filled, or the code that settles the frame. A global
 * function, verified once on its own: its loop, multiplied by the callers'
 * tag and PPPoE paths, would go over the verifier's budget.
 */
__noinline int
op25b_ipv6_walk(struct xdp_md *ctx, __u32 off, __u32 end, struct tcp_at *t)
{
	const __u8 *ip, *e;
	__u32 payload_end, cur, hlen, i, routed = 0;
	struct frame f;
	__u8 nh;

	if (t == NULL)
		return OP25B_OUTCOME_MALFORMED;
	frame_load(ctx, &f);
	if (off + 40 > end)
		return OP25B_OUTCOME_MALFORMED;
	ip = at(&f, off, 40);
	if (ip == NULL)
		return OP25B_OUTCOME_MALFORMED;
	payload_end = off + 40 + be16(ip + 4);
	/* Payload length 0 goes on, as in classify_priv.h's parse_ipv6():
	 * a next header op25b does not read makes it no SMTP below, TCP or
	 * an extension header malformed (no room for it). */
	if ((ip[0] >> 4) != 6 || payload_end > end)
		return OP25B_OUTCOME_MALFORMED;
	nh = ip[6];
	cur = off + 40;
	/* One more round than extension headers: the last can only find TCP
	 * or give up. Unrolled whole: 6.1's verifier refuses a back-edge
	 * (clang left this loop rolled once its body had the depth test of
	 * what the walk reads next). */
#pragma clang loop unroll(full)
	for (i = 0; i <= OP25B_XDP_IPV6_EXT_MAX; i++) {
		if (nh == PROTO_TCP)
			break;
		/* An extension header it steps over, or no SMTP. */
		if (!ipv6_walked(nh))
			return OP25B_OUTCOME_NON_SMTP;
		/* Hop-by-hop is only valid right after the IPv6 header. */
		if (i >= OP25B_XDP_IPV6_EXT_MAX ||
		    (nh == PROTO_HOPOPTS && i != 0) || cur + 8 > payload_end)
			return OP25B_OUTCOME_MALFORMED;
		e = at(&f, cur, 8);
		if (e == NULL)
			return OP25B_OUTCOME_MALFORMED;
		if (nh == PROTO_FRAGMENT) {
			hlen = 8;
			if ((be16(e + 2) & 0xfff8) != 0)
				return OP25B_OUTCOME_FRAGMENTS;
		} else if (nh == PROTO_AH) {
			hlen = ((__u32)e[1] + 2) * 4;
		} else {
			hlen = ((__u32)e[1] + 1) * 8;
			if (nh == PROTO_ROUTING)
				routed |= e[3];
		}
		if (cur + hlen > payload_end)
			return OP25B_OUTCOME_MALFORMED;
		nh = e[0];
		cur += hlen;
		/* What the walk reads next lies in the bytes the parser may
		 * read: a TCP header, or the first 8 bytes of an extension
		 * header it walks; a header it does not read (UDP, ESP, ...)
		 * is no SMTP however deep, as in classify_priv.h. */
		if (ipv6_walked(nh) &&
		    cur + (nh == PROTO_TCP ? 20 : 8) > OP25B_XDP_PARSE_DEPTH)
			return OP25B_OUTCOME_MALFORMED;
	}
	if (nh != PROTO_TCP)
		return OP25B_OUTCOME_MALFORMED;
	t->l4 = cur;
	t->l4_end = payload_end;
	return routed ? WALK_TCP_ROUTED : PARSE_SMTP;
}

static __always_inline int
is_vlan_tpid(__u32 type)
{
	return type == ETH_P_VLAN || type == ETH_P_QINQ ||
	       type == ETH_P_QINQ_OLD;
}

/* Where the IP header lies under tags and a PPPoE session. */
struct l2_walk {
	__u32 l3;
	__u32 end; /* the frame, or the PPPoE payload */
	__u32 pppoe;
	__u32 type; /* ETH_P_IPV4 or ETH_P_IPV6 */
};

/*
 * lib/classify's walk_l2(): VLAN tags (at most @max_tags) and a PPPoE
 * session from the ethertype at offset 12. PARSE_SMTP with @w filled when
 * IPv4 or IPv6 follows, else the code that settles the frame. Global, for
 * the verifier (see op25b_ipv6_walk()).
 */
__noinline int
op25b_walk_l2(struct xdp_md *ctx, __u32 max_tags, struct l2_walk *w)
{
	__u32 off = 14, tags = 0, type, i;
	const __u8 *h;
	struct frame f;

	if (w == NULL)
		return OP25B_OUTCOME_MALFORMED;
	frame_load(ctx, &f);
	w->pppoe = 0;
	w->end = f.len;
	h = at(&f, 0, 14);
	if (h == NULL)
		return OP25B_OUTCOME_MALFORMED;
	type = be16(h + 12);
	for (i = 0; i <= OP25B_XDP_MAX_VLAN_TAGS; i++) {
		if (!is_vlan_tpid(type))
			break;
		/* A tag beyond the limit is too deep even when cut short. */
		if (++tags > max_tags)
			return PARSE_FRAME(VLAN_TOO_DEEP);
		h = at(&f, off, 4);
		if (h == NULL)
			return OP25B_OUTCOME_MALFORMED;
		type = be16(h + 2);
		off += 4;
	}
	if (is_vlan_tpid(type))
		return PARSE_FRAME(VLAN_TOO_DEEP);
	if (type == ETH_P_PPPOE_SESSION) {
		__u32 pppoe_len, proto_len, proto;

		h = at(&f, off, PPPOE_HEADER_LEN + 1);
		if (h == NULL)
			return OP25B_OUTCOME_MALFORMED;
		/* RFC 1661 protocol field compression: a protocol whose first
		 * byte is odd is that one byte. */
		proto_len = 2 - (h[PPPOE_HEADER_LEN] & 1);
		pppoe_len = be16(h + 4);
		if (h[0] != 0x11 || h[1] != 0 || pppoe_len < proto_len ||
		    off + PPPOE_HEADER_LEN + pppoe_len > f.len)
			return OP25B_OUTCOME_MALFORMED;
		if (proto_len == 1) {
			proto = h[PPPOE_HEADER_LEN];
		} else {
			h = at(&f, off, PPPOE_HEADER_LEN + 2);
			if (h == NULL)
				return OP25B_OUTCOME_MALFORMED;
			proto = be16(h + PPPOE_HEADER_LEN);
		}
		w->pppoe = off;
		w->end = off + PPPOE_HEADER_LEN + pppoe_len;
		off += PPPOE_HEADER_LEN + proto_len;
		if (proto == PPP_PROTO_IPV4)
			type = ETH_P_IPV4;
		else if (proto == PPP_PROTO_IPV6)
			type = ETH_P_IPV6;
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
	if (type == ETH_P_IPV4 || type == ETH_P_IPV6)
		return PARSE_SMTP;
	if (type == ETH_P_ARP)
		return PARSE_FRAME(NON_IP_ARP);
	/* Not looked into: guessing IP under labels misreads pseudowires. */
	if (type == ETH_P_MPLS || type == ETH_P_MPLS_MULTICAST)
		return PARSE_FRAME(NON_IP_MPLS);
	if (type <= ETHER_LENGTH_MAX) {
		h = at(&f, off, 8);
		if (h != NULL && llc_snap_ip(h))
			return PARSE_FRAME(OPAQUE_IP);
	}
	return PARSE_FRAME(NON_IP_OTHER);
}

/* lib/classify's parse_frame(): PARSE_SMTP with @m filled, or the code
 * that settles the frame. */
static __always_inline __u8
parse_frame(struct xdp_md *ctx, const struct frame *f,
	    const struct op25b_xdp_policy *pol, struct meta *m)
{
	struct l2_walk w = { 0 };
	struct tcp_at t = { 0 };
	int code, routed;

	code = op25b_walk_l2(ctx, pol->max_vlan_tags, &w);
	if (code != PARSE_SMTP)
		return (__u8)code;
	if (w.type == ETH_P_IPV4)
		return parse_ipv4(ctx, f, pol, w.l3, w.end, w.pppoe, m);
	code = op25b_ipv6_walk(ctx, w.l3, w.end, &t);
	if (code != PARSE_SMTP && code != WALK_TCP_ROUTED)
		return (__u8)code;
	/* SMTP behind a routing header with segments left goes to its last
	 * segment: malformed, as classify_priv.h's parse_ipv6(). */
	routed = code == WALK_TCP_ROUTED;
	code = parse_tcp(f, pol, w.l3, t.l4, t.l4_end, w.pppoe, 6, m);
	if (routed && code == PARSE_SMTP)
		return OP25B_OUTCOME_MALFORMED;
	return (__u8)code;
}

/* One's complement sum of @n (even, constant) bytes at @p. */
static __always_inline __u32
csum_add(__u32 sum, const __u8 *p, __u32 n)
{
	__u32 i;

	for (i = 0; i < n; i += 2)
		sum += ((__u32)p[i] << 8) | p[i + 1];
	return sum;
}

static __always_inline __u16
csum_fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

static __always_inline void
put16(__u8 *p, __u32 v)
{
	p[0] = (__u8)(v >> 8);
	p[1] = (__u8)v;
}

static __always_inline void
put32(__u8 *p, __u32 v)
{
	p[0] = (__u8)(v >> 24);
	p[1] = (__u8)(v >> 16);
	p[2] = (__u8)(v >> 8);
	p[3] = (__u8)v;
}

/* Room for the longest L2 a reply keeps: Ethernet, every tag, PPPoE, PPP. */
#define RESET_L2_MAX (14 + 4 * OP25B_XDP_MAX_VLAN_TAGS + PPPOE_HEADER_LEN + 2)

/* The segment sent back (lib/classify's struct tcp_reply): the MSS option
 * of a SYN-ACK (@mss, 0: none) and @payload_len bytes of payload, which
 * the caller stores after the headers, their one's complement sum
 * @payload_sum computed at load. */
struct reply {
	__u32 seq, ack;
	__u32 window;
	__u32 flags;
	__u32 mss;
	__u32 payload_len;
	__u32 payload_sum;
};

/* lib/classify's op25b_tcp_seen_read(). Global: verified once. */
__noinline int
op25b_seen_read(struct xdp_md *ctx, const struct meta *m, struct tcp_seen *s)
{
	const __u8 *tcp, *a;
	struct frame f;

	if (m == NULL || s == NULL)
		return -1;
	frame_load(ctx, &f);
	/* Both families' addresses lie in the first 40 bytes, which any TCP
	 * segment has (an IPv4 one: 20 of IP and 20 of TCP). */
	a = at(&f, m->l3, 40);
	tcp = at(&f, m->l4, 14);
	if (a == NULL || tcp == NULL)
		return -1;
	__builtin_memset(s->src, 0, sizeof(s->src));
	__builtin_memset(s->dst, 0, sizeof(s->dst));
	if (m->family == 4) {
		__builtin_memcpy(s->src, a + 12, 4);
		__builtin_memcpy(s->dst, a + 16, 4);
	} else {
		__builtin_memcpy(s->src, a + 8, 16);
		__builtin_memcpy(s->dst, a + 24, 16);
	}
	tcp_seen_header(s, tcp, m->l4_end - m->l4);
	return 0;
}

/*
 * The frame grown by @delta bytes at its head, for a driver that leaves
 * no room at its tail (a veth gives a small skb's tail none, and always
 * XDP_PACKET_HEADROOM at its head): the @l3 bytes of L2 moved to the new
 * start; what follows them is written anew by the reply.
 */
static __always_inline int
grow_at_head(struct xdp_md *ctx, int delta, __u32 l3)
{
	/* 16 bytes at a time, front to back (each step's bytes are read
	 * before a later step writes there: the copy moves them towards the
	 * start): a 64-byte buffer put this frame's stack at 224 bytes, and
	 * notify's chain (op25b_xdp, op25b_notify_answer, op25b_reply_build)
	 * over the 512 bytes 6.1's verifier allows, frames rounded to 32. */
	__u8 chunk[16];
	__u32 i, off, n;

	if (l3 < 14 || l3 > 64 || bpf_xdp_adjust_head(ctx, -delta) != 0)
		return -1;
	for (i = 0; i < 4; i++) {
		off = i * 16;
		if (off >= l3)
			break;
		n = l3 - off < 16 ? l3 - off : 16;
		n = 1 + BOUND(n - 1, 0xf);
		if (bpf_xdp_load_bytes(ctx, delta + off, chunk, n) != 0 ||
		    bpf_xdp_store_bytes(ctx, off, chunk, n) != 0)
			return -1;
	}
	return 0;
}

/*
 * The segment rewritten in place into the reply @r to @s, as
 * lib/classify's op25b_tcp_reply_build(): MACs swapped, tags and PPPoE
 * kept (its length set), bare IP and TCP headers with every field written,
 * the frame cut (or grown, bpf_xdp_adjust_tail) to the reply's length;
 * the checksums count @r's payload, which the caller stores. Returns 0,
 * or -1 (then the segment is dropped). Global: verified once, on its own.
 */
__noinline int
op25b_reply_build(struct xdp_md *ctx, const struct meta *m,
		  const struct tcp_seen *s, const struct reply *r)
{
	__u32 ip_len, tcp_len, opt_len, sum, l3;
	__u8 *p, *ip, *tcp, mac[6];
	void *end;
	int delta;

	if (m == NULL || s == NULL || r == NULL)
		return -1;
	l3 = m->l3;
	opt_len = r->mss != 0 ? 4 : 0;
	if (l3 > RESET_L2_MAX || r->payload_len > OP25B_XDP_NOTIFY_GREETING_MAX)
		return -1;
	tcp_len = 20 + opt_len + r->payload_len;
	ip_len = (m->family == 4 ? 20 : 40) + tcp_len;
	/* The frame to the reply's length first; what it needs was read. */
	delta = (int)(l3 + ip_len) - (int)frame_len(ctx);
	if (delta != 0 && bpf_xdp_adjust_tail(ctx, delta) != 0 &&
	    (delta < 0 || grow_at_head(ctx, delta, l3) != 0))
		return -1;
	p = (__u8 *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	if ((void *)(p + 14) > end)
		return -1;
	ip = p + l3;
	__builtin_memcpy(mac, p, 6);
	__builtin_memcpy(p, p + 6, 6);
	__builtin_memcpy(p + 6, mac, 6);

	if (m->family == 4) {
		if ((void *)(ip + 40) > end)
			return -1;
		ip[0] = 0x45;
		ip[1] = 0;
		put16(ip + 2, ip_len);
		put16(ip + 4, 0);
		put16(ip + 6, 0x4000); /* DF */
		ip[8] = RESET_TTL;
		ip[9] = PROTO_TCP;
		put16(ip + 10, 0);
		__builtin_memcpy(ip + 12, s->dst, 4);
		__builtin_memcpy(ip + 16, s->src, 4);
		put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
		tcp = ip + 20;
	} else {
		if ((void *)(ip + 60) > end)
			return -1;
		put32(ip, 6u << 28);
		put16(ip + 4, tcp_len);
		ip[6] = PROTO_TCP;
		ip[7] = RESET_TTL;
		__builtin_memcpy(ip + 8, s->dst, 16);
		__builtin_memcpy(ip + 24, s->src, 16);
		tcp = ip + 40;
	}
	put16(tcp, s->dport);
	put16(tcp + 2, s->sport);
	put32(tcp + 4, r->seq);
	put32(tcp + 8, r->ack);
	tcp[12] = (__u8)(((20 + opt_len) / 4) << 4);
	tcp[13] = (__u8)r->flags;
	put16(tcp + 14, r->window);
	put16(tcp + 16, 0);
	put16(tcp + 18, 0);
	/* The pseudo-header: addresses, protocol, TCP length. */
	sum = PROTO_TCP + tcp_len + r->payload_sum;
	if (m->family == 4)
		sum = csum_add(sum, ip + 12, 8);
	else
		sum = csum_add(sum, ip + 8, 32);
	sum = csum_add(sum, tcp, 20);
	if (opt_len != 0) {
		/* Kind 2 (MSS), length 4: the only option (notify.c). */
		if ((void *)(tcp + 24) > end)
			return -1;
		tcp[20] = 2;
		tcp[21] = 4;
		put16(tcp + 22, r->mss);
		sum = csum_add(sum, tcp + 20, 4);
	}
	/* As rte_ipv4/ipv6_udptcp_cksum() and reset.c: a TCP sum of 0 is
	 * sent as 0 (DPDK 22.11 turns 0 into 0xffff for UDP alone), so that
	 * both paths write the same bytes. */
	put16(tcp + 16, csum_fold(sum));

	if (m->pppoe != 0) {
		__u32 off = m->pppoe;

		/* The PPPoE length covers the PPP protocol field and the
		 * packet. */
		if (off > RESET_L2_MAX || (void *)(p + off + 6) > end)
			return -1;
		put16(p + off + 4, l3 - off - PPPOE_HEADER_LEN + ip_len);
	}
	return 0;
}

/* lib/classify/reset.c's RST+ACK answering a bare SYN: seq 0, all of it
 * acknowledged (RFC 9293 3.10.7.1). Returns 0, or -1 (then dropped). A
 * subprogram: its stack is not the main program's. */
static __noinline int
reset_build(struct xdp_md *ctx, const struct meta *m)
{
	struct reply r = { .flags = TCP_RST | TCP_ACK };
	struct tcp_seen s;

	if (op25b_seen_read(ctx, m, &s) != 0)
		return -1;
	r.ack = s.seq + s.seg_len;
	return op25b_reply_build(ctx, m, &s, &r);
}
/*
 * Whether the exemption table @table (generation's) covers the source key
 * @key: the longest unexpired prefix, as lib/exempt's table once the
 * expired entries are gone. An expired match sends the lookup below its
 * own length (an LPM lookup only considers prefixes no longer than the
 * key's length).
 */
static __always_inline int
exempt_covers(void *table, void *key, __u64 now)
{
	const struct op25b_xdp_exempt *e;
	__u32 *prefixlen = key; /* the keys' first word */
	int i;

	for (i = 0; i <= OP25B_XDP_EXEMPT_EXPIRED_WALK; i++) {
		e = bpf_map_lookup_elem(table, key);
		if (e == NULL)
			return 0;
		if (e->expires_ns == 0 || now < e->expires_ns)
			return 1;
		if (e->prefixlen == 0)
			return 0;
		*prefixlen = e->prefixlen - 1;
	}
	return 0;
}

/* tcp_reply_allowed() (tcp_seen.h) of the frame's MACs and addresses, read
 * in place; each family with its own bounds, which the verifier follows. */
static __always_inline int
reply_allowed(const struct frame *f, const struct meta *m)
{
	const __u8 *macs = at(f, 0, 12), *a;

	if (macs == NULL)
		return 0;
	if (m->family == 4) {
		a = at(f, m->l3 + 12, 8);
		return a != NULL && tcp_reply_allowed(4, a, a + 4, macs);
	}
	a = at(f, m->l3 + 8, 32);
	return a != NULL && tcp_reply_allowed(6, a, a + 16, macs);
}

/* exempt_covers() of the source address, @len bytes at @off, in
 * generation @gen's table of @tables (op25b_exempt4 or op25b_exempt6). An
 * IPv6 key serves both, as in xdp.c: a lookup reads the map's key size,
 * and an IPv4 key is the first 8 bytes of it. */
static __always_inline int
exempt_source_in(const struct frame *f, void *tables, __u32 gen, __u32 off,
		 __u32 len, __u64 now)
{
	struct op25b_xdp_key6 k = { .prefixlen = len * 8 };
	const __u8 *a = at(f, off, len);
	void *table = bpf_map_lookup_elem(tables, &gen);

	if (a == NULL || table == NULL)
		return 0;
	__builtin_memcpy(k.addr, a, len);
	return exempt_covers(table, &k, now);
}

static __always_inline int
exempt_source(const struct frame *f, const struct meta *m, __u32 gen)
{
	__u64 now = bpf_ktime_get_boot_ns();

	if (m->family == 4)
		return exempt_source_in(f, &op25b_exempt4, gen, m->l3 + 12, 4,
					now);
	return exempt_source_in(f, &op25b_exempt6, gen, m->l3 + 8, 16, now);
}

#define EEXIST 17
#define ADAPTIVE_COUNT_MAX 0xffffu
/* lib/adaptive's ADAPTIVE_KEY_CLAIMING: a key no source has. */
#define ADAPTIVE_KEY_NONE (~0ull)
/* Compare-and-swap retries against other CPUs' SYNs of one source. */
#define ADAPTIVE_CAS_TRIES 8

static __always_inline __u64
adaptive_now(void)
{
	__u64 t = op25b_clock_ns;

	return t != 0 ? t : bpf_ktime_get_boot_ns();
}

/* lib/adaptive's entry_reset(): the window starts again at @now, the
 * block left to the caller (a new entry's is 0, adaptive_restart() stores
 * 0 after this). The rule's sub-window and class go last, as there, after
 * a compiler barrier (x86 keeps stores in order): a CPU that reads them
 * as the rule's reads the cleared window, not the old class's counts. */
static __always_inline void
adaptive_reset(struct op25b_xdp_adaptive_entry *e,
	       const struct op25b_xdp_adaptive_rule *rule, __u32 slot,
	       __u64 now)
{
	__u32 i;

	e->expire_at = now + rule->per_ns;
	for (i = 0; i < OP25B_XDP_ADAPTIVE_SUBWINDOWS; i++)
		e->window[i] = 0;
	e->dest_valid = rule->destinations != 0;
	if (rule->destinations != 0)
		for (i = 0; i < OP25B_XDP_ADAPTIVE_DESTINATIONS; i++)
			e->dest[i] = 0;
	asm volatile("" ::: "memory");
	e->sub_ns = rule->sub_ns;
	e->class_slot = slot;
}

/* lib/adaptive's !entry_rule_changed(): whether @e counts under class
 * @slot's @rule (its class and `per`). */
static __always_inline int
adaptive_of_rule(const struct op25b_xdp_adaptive_entry *e,
		 const struct op25b_xdp_adaptive_rule *rule, __u32 slot)
{
	return e->class_slot == slot && e->sub_ns == rule->sub_ns;
}

/* What adaptive_restart() leaves a packet: blocked (1), passed (0), or
 * to be counted. */
#define ADAPTIVE_RESTART_COUNT 2
/* lib/adaptive's ADAPTIVE_RESTART_SPINS: readings of another CPU's
 * restart before the SYN passes uncounted. */
#define ADAPTIVE_RESTART_SPINS 256

/* lib/adaptive's entry_restart(): a packet of a source blocked (@bu), its
 * block over, or counted under another class or `per`. One SYN restarts
 * the entry, the one whose CAS swaps blocked_until for
 * OP25B_XDP_ADAPTIVE_RESTARTING; 0 goes back (a CAS from the marker, which
 * orders the clearing stores before it) once the window is cleared, so no
 * CPU counts in the old window (over the limit: blocked again for a whole
 * block_for) nor has its SYN cleared by the restart. A SYN that meets the
 * marker reads again (a program runs to its end on its CPU: tens of
 * stores); when the readings run out it passes uncounted. The same loop
 * as there: each turn one reading, the last one honoured. */
static __always_inline int
adaptive_restart(struct op25b_xdp_adaptive_entry *e,
		 const struct op25b_xdp_adaptive_rule *rule, __u32 slot,
		 __u64 now, __u64 bu, __u32 syn)
{
	__u64 seen;
	__u32 i;

	/* Turns 0 to ADAPTIVE_RESTART_SPINS - 1 in the loop, the last one
	 * after it (that one CASes nothing): the verifier of Debian 12's 6.1
	 * refused the loop with the last turn inside it (a back-edge it took
	 * for a fall-through). */
	for (i = 0; i < ADAPTIVE_RESTART_SPINS; i++) {
		if (bu == OP25B_XDP_ADAPTIVE_RESTARTING) {
			if (!syn)
				return 0;
			bu = *(volatile __u64 *)&e->blocked_until;
			continue;
		}
		if (now < bu)
			return 1;
		if (!syn)
			return 0;
		if (bu == 0 && adaptive_of_rule(e, rule, slot))
			return ADAPTIVE_RESTART_COUNT;
		seen = __sync_val_compare_and_swap(
			&e->blocked_until, bu, OP25B_XDP_ADAPTIVE_RESTARTING);
		if (seen == bu)
			goto won;
		bu = seen;
	}
	if (bu != OP25B_XDP_ADAPTIVE_RESTARTING && now < bu)
		return 1;
	if (bu == 0 && syn && adaptive_of_rule(e, rule, slot))
		return ADAPTIVE_RESTART_COUNT;
	return 0;
won:
	/* Another CPU may have restarted it between the reading and the
	 * CAS (from 0): a second restart would clear its SYNs. */
	if (bu != 0 || !adaptive_of_rule(e, rule, slot))
		adaptive_reset(e, rule, slot, now);
	__sync_val_compare_and_swap(&e->blocked_until,
				    OP25B_XDP_ADAPTIVE_RESTARTING, 0);
	return ADAPTIVE_RESTART_COUNT;
}

/* lib/adaptive's clear_expired(): a window whose `per` passed without a
 * SYN up to @now loses its words, but those another CPU's SYN counted
 * since (in the window, and expire_at, which that CPU stored before its
 * atomic on the word, read after it is past @now); so does a source idle
 * for a multiple of the 16-bit sub-window index's range, whose words
 * read as in the window again (no sweep frees an idle entry here: the
 * LRU keeps it until it needs the room). */
static __always_inline void
adaptive_clear_expired(uint32_t *words, __u32 n, __u32 epoch,
		       const uint64_t *expire_at, __u64 now)
{
	__u32 i, v;

	for (i = 0; i < n; i++) {
		v = *(volatile uint32_t *)&words[i];
		if (v == 0 || (adaptive_word_in_window(v, epoch) &&
			       now < *(volatile const uint64_t *)expire_at))
			continue;
		__sync_val_compare_and_swap(&words[i], v, 0);
	}
}

/* lib/adaptive's count_syn(): one SYN in the sub-window of @epoch, and
 * the SYNs in the window, this one included; its own word's count is the
 * one its atomic add (or, for a new sub-window, its compare-and-swap)
 * wrote, so two racing SYNs see N and N + 1, never both N + 1. The first
 * SYN of a sub-window empties the words that have left the window, as
 * lib/adaptive's clear_stale(): left, they would count again when the
 * 16-bit sub-window index wraps. */
static __always_inline __u32
adaptive_count_syn(struct op25b_xdp_adaptive_entry *e, __u32 epoch)
{
	__u32 own = epoch % OP25B_XDP_ADAPTIVE_SUBWINDOWS;
	__u32 old, next = 1u << 16 | epoch, seen, sum = 0, v, i;

	old = e->window[own];
	for (i = 0; i < ADAPTIVE_CAS_TRIES; i++) {
		if ((old & ADAPTIVE_EPOCH_MASK) == epoch && old != 0) {
			/* The sub-window's count: one add, no retry (a
			 * full count stays, as lib/adaptive's). */
			if ((old >> 16) >= ADAPTIVE_COUNT_MAX) {
				next = old;
				break;
			}
			old = __sync_fetch_and_add(&e->window[own], 1u << 16);
			next = old + (1u << 16);
			break;
		}
		next = 1u << 16 | epoch;
		seen = __sync_val_compare_and_swap(&e->window[own], old, next);
		if (seen == old)
			break;
		old = seen;
	}
	for (i = 0; i < OP25B_XDP_ADAPTIVE_SUBWINDOWS; i++) {
		if (i == own)
			continue;
		v = e->window[i];
		if (adaptive_word_in_window(v, epoch))
			sum += v >> 16;
		else if ((next >> 16) == 1 && v != 0 &&
			 adaptive_word_stale(v, epoch))
			__sync_val_compare_and_swap(&e->window[i], v, 0);
	}
	return (next >> 16) + sum;
}

/* lib/adaptive's count_dest(): the distinct destinations in the window,
 * @dest included (OP25B_XDP_ADAPTIVE_DESTINATIONS + 1: no room for it).
 * In two passes, so that no index is carried from one iteration to the
 * next (the verifier would walk every combination): the known
 * destination renewed and the others counted, then, for a new one, the
 * first free or stale word claimed. */
static __always_inline __u32
adaptive_count_dest(struct op25b_xdp_adaptive_entry *e, __u32 dest, __u32 epoch)
{
	__u32 word = dest << 16 | epoch, tries, i, v, distinct;
	int found;

	for (tries = 0; tries < 4; tries++) {
		distinct = 1;
		found = 0;
		for (i = 0; i < OP25B_XDP_ADAPTIVE_DESTINATIONS; i++) {
			v = e->dest[i];
			if (v != 0 && (v >> 16) == dest) {
				e->dest[i] = word;
				found = 1;
			} else if (v != 0 &&
				   adaptive_word_in_window(v, epoch)) {
				distinct++;
			} else if (v != 0 && adaptive_word_stale(v, epoch)) {
				/* Left behind: emptied (count_syn()). */
				__sync_val_compare_and_swap(&e->dest[i], v, 0);
			}
		}
		if (found)
			return distinct;
		for (i = 0; i < OP25B_XDP_ADAPTIVE_DESTINATIONS; i++) {
			v = e->dest[i];
			if (v != 0 && adaptive_word_in_window(v, epoch))
				continue;
			if (__sync_val_compare_and_swap(&e->dest[i], v, word) ==
			    v)
				return distinct;
			break; /* another CPU took it: count again */
		}
		if (i == OP25B_XDP_ADAPTIVE_DESTINATIONS)
			return OP25B_XDP_ADAPTIVE_DESTINATIONS + 1;
	}
	/* Lost four races to other CPUs' SYNs of the same source: it is
	 * spraying. */
	return OP25B_XDP_ADAPTIVE_DESTINATIONS + 1;
}

/*
 * lib/adaptive's op25b_adaptive_account() for one SMTP segment of a
 * source of the adaptive class @slot under generation @gen's rule: 1 when
 * the source is blocked (this SYN may be the one that blocks it), else 0.
 * Global: verified once, on its own.
 */
__noinline int
op25b_adaptive_account(__u64 key, __u32 slot, __u32 dest, __u32 syn, __u32 gen)
{
	const struct op25b_xdp_adaptive_rule *rule;
	const struct op25b_xdp_policy *pol;
	struct op25b_xdp_adaptive_entry *e;
	struct op25b_xdp_adaptive_counts *cnt;
	__u64 now, bu;
	__u32 zero = 0, epoch, conns, dests = 0;
	int restart;
	long err;

	slot &= 0xff;
	gen &= 1;
	pol = bpf_map_lookup_elem(&op25b_policy, &gen);
	cnt = bpf_map_lookup_elem(&op25b_adaptive_counts, &zero);
	if (pol == NULL || cnt == NULL || key == 0 || key == ADAPTIVE_KEY_NONE)
		return 0;
	rule = &pol->adaptive[slot];
	now = adaptive_now();
	e = bpf_map_lookup_elem(&op25b_adaptive, &key);
	if (e == NULL) {
		struct op25b_xdp_adaptive_entry n;

		if (!syn)
			return 0;
		/* A new source: its entry starts with this SYN counted
		 * (within any limit: both are at least 1). */
		__builtin_memset(&n, 0, sizeof(n));
		adaptive_reset(&n, rule, slot, now);
		epoch = (__u32)(now / rule->sub_ns) & ADAPTIVE_EPOCH_MASK;
		n.window[epoch % OP25B_XDP_ADAPTIVE_SUBWINDOWS] = 1u << 16 |
								  epoch;
		if (rule->destinations != 0)
			n.dest[0] = dest << 16 | epoch;
		err = bpf_map_update_elem(&op25b_adaptive, &key, &n,
					  BPF_NOEXIST);
		if (err == 0)
			return 0;
		if (err != -EEXIST) {
			cnt->table_full++;
			return 0;
		}
		/* Another CPU's SYN of the same source made it first. */
		e = bpf_map_lookup_elem(&op25b_adaptive, &key);
		if (e == NULL)
			return 0;
	}
	/* Blocked, its block over, or counted under another class or `per`
	 * (the policy moved the source, or one key stands for sources of two
	 * classes: an IPv6 /56 key and another class's /64 inside it): its
	 * count does not carry over, but a block runs on (lib/adaptive does
	 * the same). */
	bu = e->blocked_until;
	if (bu != 0 || !adaptive_of_rule(e, rule, slot)) {
		if (now < bu && bu != OP25B_XDP_ADAPTIVE_RESTARTING)
			return 1;
		restart = adaptive_restart(e, rule, slot, now, bu, syn);
		if (restart != ADAPTIVE_RESTART_COUNT)
			return restart;
	}
	if (!syn)
		return 0;
	epoch = (__u32)(now / rule->sub_ns) & ADAPTIVE_EPOCH_MASK;
	/* No SYN for `per`: the words left are out of the window (or another
	 * CPU's SYN, in it, which stays). */
	if (now >= e->expire_at) {
		adaptive_clear_expired(e->window, OP25B_XDP_ADAPTIVE_SUBWINDOWS,
				       epoch, &e->expire_at, now);
		if (rule->destinations != 0 && e->dest_valid)
			adaptive_clear_expired(e->dest,
					       OP25B_XDP_ADAPTIVE_DESTINATIONS,
					       epoch, &e->expire_at, now);
	}
	e->expire_at = now + rule->per_ns;
	conns = adaptive_count_syn(e, epoch);
	if (rule->destinations != 0) {
		/* Counted so far without destinations (a reload added the
		 * limit): they start now. */
		if (!e->dest_valid) {
			__u32 i;

			for (i = 0; i < OP25B_XDP_ADAPTIVE_DESTINATIONS; i++)
				e->dest[i] = 0;
			e->dest_valid = 1;
		}
		dests = adaptive_count_dest(e, dest, epoch);
	}
	if (conns <= rule->connections && dests <= rule->destinations)
		return 0;
	if (__sync_val_compare_and_swap(&e->blocked_until, 0,
					now + rule->block_ns) == 0)
		cnt->class_adaptive[slot][OP25B_CLASS_ADAPTIVE_TRIGGERED]++;
	return 1;
}

/* lib/adaptive's op25b_adaptive_dest_hash(): FNV-1a, folded to 16 bits,
 * never 0. */
static __always_inline __u32
adaptive_dest_hash(const __u8 *addr, __u32 len)
{
	__u64 h = 0xcbf29ce484222325ull;
	__u32 i;

	for (i = 0; i < len; i++)
		h = (h ^ addr[i]) * 0x100000001b3ull;
	h ^= h >> 32;
	h ^= h >> 16;
	return (__u16)h == 0 ? 1 : (__u16)h;
}

/* An adaptive class's packet (lib/classify's adaptive_outcome()):
 * forwarded, or the class's block outcome when its source is blocked. */
static __always_inline __u8
adaptive_outcome(const struct frame *f, const struct meta *m,
		 const struct op25b_xdp_policy *pol, __u32 gen, __u32 slot)
{
	const struct op25b_xdp_adaptive_rule *rule =
		&pol->adaptive[slot & 0xff];
	__u32 dest = 0, syn;
	const __u8 *a;
	__u64 key, hi, lo;

	/* Only a bare SYN opens a connection; a SYN+ACK is not sent by a
	 * client. */
	syn = (m->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN;
	if (m->family == 4) {
		a = at(f, m->l3 + 12, 8);
		if (a == NULL)
			return OP25B_OUTCOME_FORWARDED;
		key = adaptive_key4(be32(a));
		if (rule->destinations != 0)
			dest = adaptive_dest_hash(a + 4, 4);
	} else {
		a = at(f, m->l3 + 8, 32);
		if (a == NULL)
			return OP25B_OUTCOME_FORWARDED;
		hi = (__u64)be32(a) << 32 | be32(a + 4);
		lo = (__u64)be32(a + 8) << 32 | be32(a + 12);
		key = adaptive_key6(hi, lo, rule->ipv6_key);
		if (rule->destinations != 0)
			dest = adaptive_dest_hash(a + 16, 16);
	}
	return op25b_adaptive_account(key, slot, dest, syn, gen)
		       ? rule->block_outcome
		       : OP25B_OUTCOME_FORWARDED;
}

/* block: notify's answers (notify_answer()). */
#define NOTIFY_DROP 0
#define NOTIFY_REPLY 1
#define NOTIFY_RESET 2
/* notify_greet(): the frame has no room for the greeting, and is as it
 * came (a RST can still answer it). */
#define NOTIFY_UNBUILT 3
#define NOTIFY_MSS4 1460 /* notify.h's OP25B_NOTIFY_MSS4/6 and WINDOW */
#define NOTIFY_MSS6 1440
#define NOTIFY_WINDOW 1024
#define NOTIFY_NS_PER_S 1000000000ull
#define TCP_PSH 0x08

/* op25b_notify_cookie(): the low 32 bits of SipHash-2-4 under @k over the
 * six words of notify.c (addresses as the host reads them, family and
 * ports, the slot). A subprogram of its own: its words stay off the
 * stack of the calls that build replies (512 bytes for a chain). */
static __noinline __u32
notify_cookie(const struct op25b_xdp_notify_key *k, __u32 family,
	      const struct tcp_seen *s, __u64 slot)
{
	/* uint64_t, as the function reads them: with __u64 (another type
	 * to the aliasing rules) clang dropped the stores of w[4] and w[5]. */
	uint64_t w[6];

	__builtin_memcpy(w, s->src, 16);
	__builtin_memcpy(&w[2], s->dst, 16);
	w[4] = (uint64_t)family << 32 | (uint64_t)s->sport << 16 | s->dport;
	w[5] = slot;
	return (__u32)op25b_siphash24(k->key[0], k->key[1], w, 6);
}

/* notify.c's budget_take(), on this CPU's bucket. */
static __always_inline int
notify_budget_take(const struct op25b_xdp_notify *n, __u64 now)
{
	struct op25b_xdp_notify_budget *b;
	__u64 full = n->rate * NOTIFY_NS_PER_S, elapsed, u;
	__u32 zero = 0;

	b = bpf_map_lookup_elem(&op25b_notify_budget, &zero);
	if (b == NULL)
		return 0;
	elapsed = now > b->last ? now - b->last : 0;
	if (b->last == 0 || elapsed >= NOTIFY_NS_PER_S) {
		b->units = full;
	} else {
		u = b->units + elapsed * n->rate;
		b->units = u < full ? u : full;
	}
	b->last = now;
	if (b->units < NOTIFY_NS_PER_S)
		return 0;
	b->units -= NOTIFY_NS_PER_S;
	return 1;
}

/* notify.c's budget_give_back(): a reply paid for could not be built. */
static __always_inline void
notify_budget_give_back(const struct op25b_xdp_notify *n)
{
	struct op25b_xdp_notify_budget *b;
	__u64 full = n->rate * NOTIFY_NS_PER_S, u;
	__u32 zero = 0;

	b = bpf_map_lookup_elem(&op25b_notify_budget, &zero);
	if (b == NULL)
		return;
	u = b->units + NOTIFY_NS_PER_S;
	b->units = u < full ? u : full;
}

/* RFC 9293 3.10.7.1: a RST answers a segment with ACK from its
 * acknowledgement number, one without from 0, acknowledging it all. */
static __always_inline int
notify_reset(struct xdp_md *ctx, const struct meta *m, const struct tcp_seen *s)
{
	struct reply r = { .flags = TCP_RST };

	if (s->flags & TCP_ACK) {
		r.seq = s->ack;
	} else {
		r.ack = s->seq + s->seg_len;
		r.flags |= TCP_ACK;
	}
	return op25b_reply_build(ctx, m, s, &r) == 0 ? NOTIFY_RESET
						     : NOTIFY_DROP;
}

/* The greeting after the reply's headers, from the generation's entry:
 * NOTIFY_REPLY, NOTIFY_UNBUILT (no room; the frame untouched) or
 * NOTIFY_DROP (the store failed after the headers were written). */
static __always_inline int
notify_greet(struct xdp_md *ctx, const struct meta *m, const struct tcp_seen *s,
	     const struct op25b_xdp_notify *n, __u32 cookie)
{
	struct reply r = {
		.seq = cookie + 1,
		.ack = s->seq,
		.window = NOTIFY_WINDOW,
		.flags = TCP_ACK | TCP_PSH | TCP_FIN,
		.payload_len = n->greeting_len,
		.payload_sum = n->greeting_sum,
	};
	__u32 off = m->l3 + (m->family == 4 ? 20 : 40) + 20;
	/* 1..512 for the verifier: the helper's length is never 0. */
	__u32 len = 1 + BOUND(n->greeting_len - 1, 0x1ff);

	if (op25b_reply_build(ctx, m, s, &r) != 0)
		return NOTIFY_UNBUILT;
	/* Rewritten already (MACs swapped): no RST can be made of it. */
	if (bpf_xdp_store_bytes(ctx, off, (void *)n->greeting, len) != 0)
		return NOTIFY_DROP;
	return NOTIFY_REPLY;
}

/*
 * notify.c's op25b_notify_answer() for a segment of class @slot under
 * generation @gen: NOTIFY_REPLY (a SYN-ACK or the greeting written in
 * place), NOTIFY_RESET (a RST written in place) or NOTIFY_DROP; counted in
 * the class's OP25B_NOTIFY_LIST counters. Global: verified once.
 */
__noinline int
op25b_notify_answer(struct xdp_md *ctx, const struct meta *m, __u32 gen,
		    __u32 slot)
{
	const struct op25b_xdp_notify_key *key;
	const struct op25b_xdp_notify *n;
	struct op25b_stats_counters *cnt;
	struct tcp_seen s;
	__u64 now, tslot;
	enum notify_segment segment;
	__u32 zero = 0, cookie, k;
	uint64_t *c;
	int ret;

	if (m == NULL)
		return NOTIFY_DROP;
	gen &= 1;
	n = bpf_map_lookup_elem(&op25b_notify, &gen);
	key = bpf_map_lookup_elem(&op25b_notify_key, &zero);
	cnt = bpf_map_lookup_elem(&op25b_counters, &zero);
	if (n == NULL || key == NULL || cnt == NULL || n->greeting_len == 0 ||
	    op25b_seen_read(ctx, m, &s) != 0)
		return NOTIFY_DROP;
	c = cnt->class_notify[slot & 0xff];
	segment = notify_segment_of(s.flags);
	if (segment == NOTIFY_SEGMENT_DROP)
		return NOTIFY_DROP;
	now = adaptive_now();
	tslot = now / OP25B_XDP_NOTIFY_SLOT_NS;
	if (segment == NOTIFY_SEGMENT_SYN) {
		struct reply r = {
			.ack = s.seq + 1,
			.window = NOTIFY_WINDOW,
			.flags = TCP_SYN | TCP_ACK,
			.mss = m->family == 4 ? NOTIFY_MSS4 : NOTIFY_MSS6,
		};

		if (!notify_budget_take(n, now)) {
			c[OP25B_NOTIFY_OVER_BUDGET]++;
			return notify_reset(ctx, m, &s);
		}
		/* Counted once built, as lib/classify's notify.c; a frame
		 * that cannot carry it gets the RST (nothing changed). */
		r.seq = notify_cookie(key, m->family, &s, tslot);
		if (op25b_reply_build(ctx, m, &s, &r) != 0) {
			notify_budget_give_back(n);
			c[OP25B_NOTIFY_NO_ROOM]++;
			return notify_reset(ctx, m, &s);
		}
		c[OP25B_NOTIFY_SYN_ACK]++;
		return NOTIFY_REPLY;
	}
	if (segment == NOTIFY_SEGMENT_BAD_COOKIE)
		goto bad_cookie;
	/* The cookie's slot and the one before it; slot 0 has none. */
	for (k = 0; k < 2 && k <= tslot; k++) {
		enum notify_ack ack;

		cookie = notify_cookie(key, m->family, &s, tslot - k);
		ack = notify_ack_of(&s, cookie, n->greeting_len);
		if (ack == NOTIFY_ACK_HANDSHAKE) {
			if (!notify_budget_take(n, now)) {
				c[OP25B_NOTIFY_OVER_BUDGET]++;
				return notify_reset(ctx, m, &s);
			}
			ret = notify_greet(ctx, m, &s, n, cookie);
			if (ret == NOTIFY_REPLY)
				c[OP25B_NOTIFY_NOTIFIED]++;
			if (ret != NOTIFY_UNBUILT)
				return ret;
			/* The frame the driver gave has no room for the
			 * greeting (a veth gives a small skb's tail little
			 * and its head XDP_PACKET_HEADROOM less the kernel's
			 * xdp_frame): the client is told at once by a RST
			 * rather than left waiting for a greeting. */
			notify_budget_give_back(n);
			c[OP25B_NOTIFY_NO_ROOM]++;
			return notify_reset(ctx, m, &s);
		}
		if (ack == NOTIFY_ACK_BARE)
			return NOTIFY_DROP;
		if (ack == NOTIFY_ACK_RESET)
			return notify_reset(ctx, m, &s);
	}
bad_cookie:
	c[OP25B_NOTIFY_BAD_COOKIE]++;
	return notify_reset(ctx, m, &s);
}

/* The slot @key has in the table of generation @gen in @outer, 0: none. */
static __always_inline __u32
slot_of(void *outer, __u32 gen, const void *key)
{
	const __u8 *v;
	void *table;

	table = bpf_map_lookup_elem(outer, &gen);
	if (table == NULL)
		return 0;
	v = bpf_map_lookup_elem(table, key);
	return v != NULL ? *v : 0;
}

/* Class and group slots of an SMTP packet, in generation @gen. */
static __always_inline void
lookup(const struct frame *f, const struct meta *m, __u32 gen, __u32 *src_slot,
       __u32 *dst_slot)
{
	const __u8 *a;

	*src_slot = *dst_slot = 0;
	if (m->family == 4) {
		struct op25b_xdp_key4 k = { .prefixlen = 32 };

		a = at(f, m->l3 + 12, 8);
		if (a == NULL)
			return;
		__builtin_memcpy(k.addr, a, 4);
		*src_slot = slot_of(&op25b_src4, gen, &k);
		__builtin_memcpy(k.addr, a + 4, 4);
		*dst_slot = slot_of(&op25b_dst4, gen, &k);
	} else {
		struct op25b_xdp_key6 k = { .prefixlen = 128 };

		a = at(f, m->l3 + 8, 32);
		if (a == NULL)
			return;
		__builtin_memcpy(k.addr, a, 16);
		*src_slot = slot_of(&op25b_src6, gen, &k);
		__builtin_memcpy(k.addr, a + 16, 16);
		*dst_slot = slot_of(&op25b_dst6, gen, &k);
	}
}

SEC("xdp.frags")
int
op25b_xdp(struct xdp_md *ctx)
{
	const struct op25b_xdp_active *active;
	const struct op25b_xdp_policy *pol;
	struct op25b_stats_counters *cnt;
	__u32 zero = 0, gen, src_slot, dst_slot;
	struct meta m = { 0 };
	struct frame f;
	__u8 code, outcome;
	int answer = NOTIFY_DROP;

	cnt = bpf_map_lookup_elem(&op25b_counters, &zero);
	active = bpf_map_lookup_elem(&op25b_active, &zero);
	if (cnt == NULL || active == NULL)
		return XDP_PASS;
	/* The generation is read once: the whole packet sees one policy. */
	gen = active->gen & 1;
	pol = bpf_map_lookup_elem(&op25b_policy, &gen);
	if (pol == NULL)
		return XDP_PASS;
	frame_load(ctx, &f);

	code = parse_frame(ctx, &f, pol, &m);
	if (code != PARSE_SMTP) {
		outcome = parse_code_outcome(code);
		if (code >= OP25B_OUTCOME_MAX &&
		    code < OP25B_OUTCOME_MAX + OP25B_FRAME_MAX)
			cnt->frame[BOUND(code - OP25B_OUTCOME_MAX, 7)]++;
		if (outcome < OP25B_OUTCOME_MAX)
			cnt->outcome[BOUND(outcome, 15)]++;
		if (outcome == OP25B_OUTCOME_MALFORMED &&
		    !pol->malformed_forward)
			return XDP_DROP;
		return XDP_PASS;
	}

	lookup(&f, &m, gen, &src_slot, &dst_slot);
	outcome = pol->matrix[BOUND(src_slot * OP25B_STATS_SLOTS + dst_slot,
				    0xffff)];
	/* An exemption is looked up only for what the policy would block or
	 * count, before a reset rewrites the frame; in an adaptive class
	 * before the source is counted, as classifier.c's decide_slots(): an
	 * exempt source is not counted against its class's limit. */
	if (outcome == OP25B_XDP_MATRIX_ADAPTIVE) {
		if (exempt_source(&f, &m, gen)) {
			cnt->outcome[OP25B_OUTCOME_EXEMPTED]++;
			return XDP_PASS;
		}
		outcome = adaptive_outcome(&f, &m, pol, gen, src_slot);
	}
	if (outcome >= OP25B_OUTCOME_COUNTED && exempt_source(&f, &m, gen)) {
		cnt->outcome[OP25B_OUTCOME_EXEMPTED]++;
		return XDP_PASS;
	}
	/* No answer from or to a group or loopback address (tcp_seen.h),
	 * as classifier.c's decide_as(): dropped, blocked. */
	if ((outcome == OP25B_XDP_MATRIX_NOTIFY ||
	     outcome == OP25B_OUTCOME_RESET) &&
	    !reply_allowed(&f, &m))
		outcome = OP25B_OUTCOME_BLOCKED;
	/* block: notify: a SYN-ACK or the greeting counts as blocked, a RST
	 * as reset; both go back. */
	if (outcome == OP25B_XDP_MATRIX_NOTIFY) {
		answer = op25b_notify_answer(ctx, &m, gen, src_slot);
		outcome = answer == NOTIFY_RESET ? OP25B_OUTCOME_RESET
						 : OP25B_OUTCOME_BLOCKED;
	} else if (outcome == OP25B_OUTCOME_RESET &&
		   ((m.tcp_flags & (TCP_SYN | TCP_ACK | TCP_RST | TCP_FIN)) !=
			    TCP_SYN ||
		    reset_build(ctx, &m) != 0)) {
		/* Only a bare SYN gets a reset; anything else mid-flow is
		 * dropped. */
		outcome = OP25B_OUTCOME_BLOCKED;
	}
	if (outcome < OP25B_OUTCOME_FORWARDED || outcome > OP25B_OUTCOME_RESET)
		outcome = OP25B_OUTCOME_FORWARDED;
	cnt->outcome[BOUND(outcome, 15)]++;
	cnt->class_verdict[BOUND(src_slot, 255)]
			  [BOUND(OP25B_VERDICT_OF(outcome), 3)]++;
	cnt->group_verdict[BOUND(dst_slot, 255)]
			  [BOUND(OP25B_VERDICT_OF(outcome), 3)]++;
	if (outcome == OP25B_OUTCOME_BLOCKED)
		return answer == NOTIFY_REPLY ? XDP_TX : XDP_DROP;
	if (outcome == OP25B_OUTCOME_RESET)
		return XDP_TX;
	return XDP_PASS;
}
