/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SipHash-2-4 (Aumasson and Bernstein) over whole 64-bit words: short
 * input, a keyed PRF. block: notify's cookies (notify.c) and the XDP
 * program's (lib/xdp/op25b_xdp.bpf.c, which includes this header: plain C
 * and <stdint.h> only, for the BPF target too) are this one function, so
 * that both make the same cookie; the block records' merge
 * (lib/records/merge.c) keys its index with it. In lib/stats, the module
 * every other one builds on, so that each of them may include it.
 */
#ifndef OP25B_SIPHASH24_H
#define OP25B_SIPHASH24_H

#include <stdint.h>

#define OP25B_SIP_ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define OP25B_SIPROUND                                                         \
	do {                                                                   \
		v0 += v1;                                                      \
		v1 = OP25B_SIP_ROTL(v1, 13);                                   \
		v1 ^= v0;                                                      \
		v0 = OP25B_SIP_ROTL(v0, 32);                                   \
		v2 += v3;                                                      \
		v3 = OP25B_SIP_ROTL(v3, 16);                                   \
		v3 ^= v2;                                                      \
		v0 += v3;                                                      \
		v3 = OP25B_SIP_ROTL(v3, 21);                                   \
		v3 ^= v0;                                                      \
		v2 += v1;                                                      \
		v1 = OP25B_SIP_ROTL(v1, 17);                                   \
		v1 ^= v2;                                                      \
		v2 = OP25B_SIP_ROTL(v2, 32);                                   \
	} while (0)

/* SipHash-2-4 under (@k0, @k1) of the @n words at @words (n * 8 bytes);
 * about 100 cycles for the six words of a cookie. */
static inline __attribute__((always_inline)) uint64_t
op25b_siphash24(uint64_t k0, uint64_t k1, const uint64_t *words, unsigned int n)
{
	uint64_t v0 = 0x736f6d6570736575ull ^ k0;
	uint64_t v1 = 0x646f72616e646f6dull ^ k1;
	uint64_t v2 = 0x6c7967656e657261ull ^ k0;
	uint64_t v3 = 0x7465646279746573ull ^ k1;
	uint64_t last = (uint64_t)(n * 8) << 56;
	unsigned int i;

	for (i = 0; i < n; i++) {
		v3 ^= words[i];
		OP25B_SIPROUND;
		OP25B_SIPROUND;
		v0 ^= words[i];
	}
	v3 ^= last;
	OP25B_SIPROUND;
	OP25B_SIPROUND;
	v0 ^= last;
	v2 ^= 0xff;
	OP25B_SIPROUND;
	OP25B_SIPROUND;
	OP25B_SIPROUND;
	OP25B_SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

#endif /* OP25B_SIPHASH24_H */
