/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vector pre-pass, written once in GCC vector extensions and compiled
 * per instruction set (vec_avx2.c, vec_avx512.c). The including file
 * defines VEC_LANES, the vector type vu32 (VEC_LANES x uint32_t) and three
 * primitives before including it:
 *   vu32 vec_gather_frame(const uint64_t *addr, vu32 off, vu32 mask):
 *     the 32-bit word at addr[l] + off[l] in every lane l whose mask is
 *     all ones, 0 elsewhere (no load there);
 *   vu32 vec_gather_kind(const uint8_t *port_kind, vu32 port, vu32 mask):
 *     the word at port_kind + port[l] in the masked lanes (its low byte
 *     is the port's kind; the 3 bytes after port_kind[65535] lie in the
 *     classifier struct);
 *   uint64_t vec_mask_bits(vu32 mask): bit l set for each all-ones lane.
 *
 * Every test below is the parser's (classify_priv.h) on the same bytes,
 * for the frames it settles as non_smtp without reading past a header the
 * parser would read: the differential test (test_vector_diff) holds the
 * two to the same results, counters and bytes.
 */
#ifndef OP25B_CLASSIFY_VEC_BODY_H
#define OP25B_CLASSIFY_VEC_BODY_H

#include <string.h>

#include <rte_prefetch.h>

#include "vec_priv.h"

/* A lane mask from a comparison (GCC gives signed all-ones lanes). */
#define VEC_IS(x) ((vu32)(x))

static __rte_always_inline vu32
vec_splat(uint32_t v)
{
	vu32 r;
	unsigned int l;

	for (l = 0; l < VEC_LANES; l++)
		r[l] = v;
	return r;
}

/* The big-endian 16-bit field in the low (or high) half of each lane. */
static __rte_always_inline vu32
vec_be16_lo(vu32 w)
{
	return ((w & 0xff) << 8) | ((w >> 8) & 0xff);
}

static __rte_always_inline vu32
vec_be16_hi(vu32 w)
{
	return (((w >> 16) & 0xff) << 8) | (w >> 24);
}

/* Which of VEC_LANES frames are plain and certainly not SMTP. */
static __rte_always_inline uint64_t
vec_settle_lanes(const struct op25b_classifier *c, const uint64_t *addr,
		 vu32 len)
{
	vu32 ok, w12, w16, w20, wp, wd, type, total, plen, good4, good6, good,
		proto, tcp, ext6, payload, l4, kind, doff, settle;

	/* Bytes 12..23 (ethertype .. IPv4 protocol / IPv6 next header)
	 * exist in every frame long enough for an IPv4 header; shorter
	 * ones (len 0: chained or past the burst) are the parser's. */
	ok = VEC_IS(len >= 34);
	w12 = vec_gather_frame(addr, vec_splat(12), ok);
	w16 = vec_gather_frame(addr, vec_splat(16), ok);
	w20 = vec_gather_frame(addr, vec_splat(20), ok);
	/* Ethertypes compared raw: 08 00 and 86 dd read little-endian. */
	type = w12 & 0xffff;
	total = vec_be16_lo(w16);
	plen = vec_be16_hi(w16);
	/* parse_ipv4(): no options, 20 <= total <= len - 14 in one unsigned
	 * compare, fragment offset 0 (raw mask of 0x1fff big-endian). */
	good4 = ok & VEC_IS(type == 0x0008) &
		VEC_IS(((w12 >> 16) & 0xff) == 0x45) &
		VEC_IS(total - 20 <= len - 34) & VEC_IS((w20 & 0xff1f) == 0);
	/* parse_ipv6(): the fixed header in the frame, version 6, payload
	 * length neither 0 nor past the frame. */
	good6 = ok & VEC_IS(type == 0xdd86) & VEC_IS(len >= 54) &
		VEC_IS(((w12 >> 16) & 0xf0) == 0x60) & VEC_IS(plen != 0) &
		VEC_IS(plen <= len - 54);
	good = good4 | good6;
	/* All-ones lanes select: the protocol and the bytes of IP payload
	 * of whichever family the lane holds. */
	proto = (good4 & (w20 >> 24)) | (good6 & (w20 & 0xff));
	payload = (good4 & (total - 20)) | (good6 & plen);
	ext6 = good6 & (VEC_IS(proto == IPPROTO_HOPOPTS) |
			VEC_IS(proto == IPPROTO_ROUTING) |
			VEC_IS(proto == IPPROTO_DSTOPTS) |
			VEC_IS(proto == IPPROTO_FRAGMENT) |
			VEC_IS(proto == IPPROTO_AH));
	tcp = good & VEC_IS(proto == IPPROTO_TCP);
	settle = good & ~tcp & ~ext6;
	/* parse_tcp(): the fixed TCP header inside the IP payload, which
	 * lies in the frame: the two words read below do too. */
	tcp &= VEC_IS(payload >= 20);
	l4 = (good4 & 34) | (good6 & 54);
	wp = vec_gather_frame(addr, l4 + 2, tcp);
	wd = vec_gather_frame(addr, l4 + 12, tcp);
	kind = vec_gather_kind(c->port_kind, vec_be16_lo(wp), tcp) & 0xff;
	doff = (wd & 0xf0) >> 2;
	settle |= tcp & VEC_IS(kind == OP25B_PORT_OTHER) & VEC_IS(doff >= 20) &
		  VEC_IS(doff <= payload);
	return vec_mask_bits(settle);
}

static __rte_always_inline uint64_t
vec_prepass_body(const struct op25b_classifier *c, struct rte_mbuf **pkts,
		 unsigned int n, struct op25b_classify_result *results)
{
	/* Frame addresses and lengths, padded to whole steps with lengths
	 * of 0, which no lane settles. */
	uint64_t addr[OP25B_CLASSIFY_BURST_MAX + VEC_LANES] __rte_aligned(64);
	uint32_t len[OP25B_CLASSIFY_BURST_MAX + VEC_LANES] __rte_aligned(64);
	uint64_t settled = 0, all;
	uint32_t word;
	unsigned int i, l;

	for (i = 0; i < n; i++) {
		const struct rte_mbuf *m = pkts[i];

		addr[i] = (uintptr_t)m->buf_addr + m->data_off;
		/* A chain's first segment is not the frame: the parser reads
		 * it whole. */
		len[i] = m->nb_segs == 1 ? m->data_len : 0;
		rte_prefetch0((const void *)(uintptr_t)addr[i]);
	}
	for (l = n; l < RTE_ALIGN_CEIL(n, VEC_LANES); l++) {
		addr[l] = 0;
		len[l] = 0;
	}
	for (i = 0; i < n; i += VEC_LANES) {
		vu32 lv;

		memcpy(&lv, len + i, sizeof(lv));
		settled |= vec_settle_lanes(c, addr + i, lv) << i;
	}
	memcpy(&word, &c->settled_result[OP25B_OUTCOME_NON_SMTP], sizeof(word));
	/* Whole steps get the word in every lane (one store): the parser
	 * rewrites the results of the frames it reads. */
	for (i = 0; i + VEC_LANES <= n; i += VEC_LANES) {
		vu32 w = vec_splat(word);

		memcpy(results + i, &w, sizeof(w));
	}
	for (l = i; l < n; l++)
		if (settled >> l & 1)
			memcpy(results + l, &word, sizeof(word));
	all = n == 64 ? UINT64_MAX : (UINT64_C(1) << n) - 1;
	return all & ~settled;
}

#endif /* OP25B_CLASSIFY_VEC_BODY_H */
