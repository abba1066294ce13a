/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vector pre-pass, written once in GCC vector extensions and compiled
 * per instruction set (vec_avx2.c, vec_avx512.c): the including file
 * defines VEC_LANES, the vector type vu32 (VEC_LANES x uint32_t) and
 * uint64_t vec_mask_bits(vu32 mask), bit l set for each all-ones lane.
 *
 * Two steps per burst:
 *  1. Gather, one frame at a time: the header words the parser tests
 *     (bytes 12..23: ethertype, IPv4 version/IHL, lengths, fragment
 *     offset, protocol or IPv6 next header; the TCP data offset; the port
 *     kind of the TCP destination port) into one array per word. Scalar
 *     loads: hardware gathers (vpgatherqd/vpgatherdd from the frames'
 *     64-bit addresses) measured 3-5 cycles a frame slower on the AMD EPYC
 *     this was tuned on. Selects (no branches) keep the loop straight;
 *     a frame too short for a word reads zeros instead, which no lane
 *     settles.
 *  2. Test VEC_LANES frames a step, as the parser tests them.
 *
 * Every test below is the parser's (classify_priv.h) on the same bytes,
 * for the frames it settles as non_smtp: the differential test
 * (test_vector_diff) holds the two to the same results, counters and
 * bytes out.
 */
#ifndef OP25B_CLASSIFY_VEC_BODY_H
#define OP25B_CLASSIFY_VEC_BODY_H

#include <string.h>

#include "vec_priv.h"

/* A lane mask from a comparison (GCC gives signed all-ones lanes). */
#define VEC_IS(x) ((vu32)(x))

/* One array per header word, a burst long plus a step of padding. */
#define VEC_ARRAY (OP25B_CLASSIFY_BURST_MAX + VEC_LANES)

/* What step 1 gathers. */
struct vec_words {
	uint32_t len[VEC_ARRAY];   /* frame length; 0: chained or padding */
	uint32_t w12[VEC_ARRAY];   /* bytes 12..15 */
	uint32_t w16[VEC_ARRAY];   /* bytes 16..19 */
	uint32_t w20[VEC_ARRAY];   /* bytes 20..23 */
	uint32_t tcp12[VEC_ARRAY]; /* TCP bytes 12..15 (data offset) */
	uint32_t kind[VEC_ARRAY];  /* port_kind of the TCP destination port */
};

static __rte_always_inline vu32
vec_splat(uint32_t v)
{
	vu32 r;
	unsigned int l;

	for (l = 0; l < VEC_LANES; l++)
		r[l] = v;
	return r;
}

/* VEC_LANES words from @p on (classify_priv.h). */
DEFINE_LOAD_RAW(vec_load, vu32)

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

/* Step 1 for one frame. */
static __rte_always_inline void
vec_gather_one(const struct op25b_classifier *c, const struct rte_mbuf *m,
	       struct vec_words *w, unsigned int i)
{
	static const uint8_t zeros[64];
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *), *h, *t;
	/* A chain's first segment is not the frame: the parser reads it
	 * whole. */
	uint32_t len = m->nb_segs == 1 ? m->data_len : 0, l4;

	/* Bytes 12..23 exist in any frame long enough for an IPv4 header. */
	h = len >= 34 ? p : zeros;
	/* The TCP header of either family, when the frame holds its first
	 * 16 bytes (every TCP frame the lanes settle does). */
	l4 = load_raw32(h + 12) << 16 == 0xdd860000u ? 54 : 34;
	t = len >= l4 + 16 ? h + l4 : zeros;
	w->len[i] = len;
	w->w12[i] = load_raw32(h + 12);
	w->w16[i] = load_raw32(h + 16);
	w->w20[i] = load_raw32(h + 20);
	w->tcp12[i] = load_raw32(t + 12);
	w->kind[i] = c->port_kind[load_raw16(t + 2)];
}

/* Step 2: which of VEC_LANES frames from @i on are plain and certainly
 * not SMTP. */
static __rte_always_inline uint64_t
vec_settle_lanes(const struct vec_words *w, unsigned int i)
{
	vu32 len = vec_load(w->len + i), w12 = vec_load(w->w12 + i);
	vu32 w16 = vec_load(w->w16 + i), w20 = vec_load(w->w20 + i);
	vu32 type = w12 & 0xffff, total = vec_be16_lo(w16);
	vu32 plen = vec_be16_hi(w16),
	     doff = (vec_load(w->tcp12 + i) & 0xf0) >> 2;
	vu32 good4, good6, good, proto, payload, ext, tcp, settle;

	/* parse_ipv4(): ethertype raw (08 00 read little-endian), no
	 * options, 20 <= total <= len - 14 in one unsigned compare, fragment
	 * offset 0 (0x1fff big-endian, read raw). */
	good4 = VEC_IS(len >= 34) & VEC_IS(type == 0x0008) &
		VEC_IS(((w12 >> 16) & 0xff) == 0x45) &
		VEC_IS(total - 20 <= len - 34) & VEC_IS((w20 & 0xff1f) == 0);
	/* parse_ipv6(): the fixed header in the frame, version 6, payload
	 * length neither 0 nor past the frame. */
	good6 = VEC_IS(len >= 54) & VEC_IS(type == 0xdd86) &
		VEC_IS(((w12 >> 16) & 0xf0) == 0x60) & VEC_IS(plen != 0) &
		VEC_IS(plen <= len - 54);
	good = good4 | good6;
	/* All-ones lanes select the protocol and the bytes of IP payload of
	 * the lane's family. */
	proto = (good4 & (w20 >> 24)) | (good6 & (w20 & 0xff));
	payload = (good4 & (total - 20)) | (good6 & plen);
	/* The headers the parser steps over to find TCP: IPv6's extension
	 * headers, and AH in both families. */
	ext = VEC_IS(proto == IPPROTO_AH) |
	      (good6 & (VEC_IS(proto == IPPROTO_HOPOPTS) |
			VEC_IS(proto == IPPROTO_ROUTING) |
			VEC_IS(proto == IPPROTO_DSTOPTS) |
			VEC_IS(proto == IPPROTO_FRAGMENT)));
	tcp = good & VEC_IS(proto == IPPROTO_TCP);
	settle = good & ~tcp & ~ext;
	/* parse_tcp(): the fixed header and its options in the IP payload
	 * (20 <= doff <= payload), a port neither SMTP nor submission. */
	settle |= tcp & VEC_IS(vec_load(w->kind + i) == OP25B_PORT_OTHER) &
		  VEC_IS(doff >= 20) & VEC_IS(doff <= payload);
	return vec_mask_bits(settle);
}

static __rte_always_inline uint64_t
vec_prepass_body(const struct op25b_classifier *c, struct rte_mbuf **pkts,
		 unsigned int n, struct op25b_classify_result *results)
{
	struct vec_words w __rte_aligned(64);
	uint64_t settled = 0;
	uint32_t word;
	unsigned int i;

	for (i = 0; i < n; i++)
		vec_gather_one(c, pkts[i], &w, i);
	for (; i < RTE_ALIGN_CEIL(n, VEC_LANES); i++)
		w.len[i] = 0;
	for (i = 0; i < n; i += VEC_LANES)
		settled |= vec_settle_lanes(&w, i) << i;
	memcpy(&word, &c->settled_result[OP25B_OUTCOME_NON_SMTP], sizeof(word));
	/* Whole steps get the word in every lane (one store): the parser
	 * rewrites the results of the frames it reads. */
	for (i = 0; i + VEC_LANES <= n; i += VEC_LANES) {
		vu32 v = vec_splat(word);

		memcpy(results + i, &v, sizeof(v));
	}
	for (; i < n; i++)
		if (settled >> i & 1)
			memcpy(results + i, &word, sizeof(word));
	return vec_burst_mask(n) & ~settled;
}

#endif /* OP25B_CLASSIFY_VEC_BODY_H */
