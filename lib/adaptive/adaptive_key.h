/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The adaptive table's source keys, for lib/adaptive (op25b_adaptive.h)
 * and the XDP program (lib/xdp/op25b_xdp.bpf.c, which includes this
 * header: plain C and <stdint.h> only, for the BPF target too), so that
 * both count a source under the same key.
 *
 * A key is 64 bits; 0 and UINT64_MAX are the tables' own markers (a free
 * way, a way being claimed) and never a key. The kinds never meet:
 *
 *   IPv6, its first ipv6_key bits (32..64)  not 0, top byte not 0xff
 *   IPv4                                    ff00 0000 AAAA AAAA
 *   IPv6 in ::/ipv6_key, others             ff01 + 48 bits of the address
 *   IPv6 in ff00::/8                        ff02 + 48 bits of its prefix
 *   IPv6, IPv4-mapped ::ffff:A.A.A.A        ff03 0000 AAAA AAAA
 *
 * The last three are no subscriber's prefix: ::/ipv6_key holds the
 * IPv4-mapped ::ffff:0:0/96 (a policy may name it), the loopback and the
 * unspecified address; ff00::/8 is multicast, which is never a source
 * (RFC 4291 2.7). Keyed by their prefix, every such source would share
 * one key (they are counted per address instead), or meet IPv4's keys
 * (ff00:0:c612:5:: would be 198.18.0.5's): one forged source would block
 * another subscriber. An IPv4-mapped address's key is exact; the other
 * two kinds' 48 bits are folded.
 */
#ifndef OP25B_ADAPTIVE_KEY_H
#define OP25B_ADAPTIVE_KEY_H

#include <stdint.h>

#define ADAPTIVE_KEY_IPV4 0xff00000000000000ull
#define ADAPTIVE_KEY_IPV6_ZERO 0xff01000000000000ull
#define ADAPTIVE_KEY_IPV6_MULTICAST 0xff02000000000000ull
#define ADAPTIVE_KEY_IPV6_MAPPED 0xff03000000000000ull
/* The bits under the kinds' marks. */
#define ADAPTIVE_KEY_LOW48 0x0000ffffffffffffull

/* 48 bits of @x, the top 16 folded in (none when they are 0). */
static inline uint64_t
adaptive_key_fold48(uint64_t x)
{
	return (x ^ (x >> 48)) & ADAPTIVE_KEY_LOW48;
}

/* The key of an IPv4 source (host byte order). */
static inline uint64_t
adaptive_key4(uint32_t addr)
{
	return ADAPTIVE_KEY_IPV4 | addr;
}

/* The key of an IPv6 source whose first and last 64 bits, in host byte
 * order, are @hi and @lo, under its class's @length (32..64). */
static inline uint64_t
adaptive_key6(uint64_t hi, uint64_t lo, unsigned int length)
{
	uint64_t prefix = length >= 64 ? hi : hi & ~(~0ull >> (length & 63));

	if (hi == 0 && lo >> 32 == 0xffff)
		return ADAPTIVE_KEY_IPV6_MAPPED | (lo & 0xffffffffull);
	if (prefix == 0)
		return ADAPTIVE_KEY_IPV6_ZERO | adaptive_key_fold48(hi ^ lo);
	if ((prefix >> 56) == 0xff)
		return ADAPTIVE_KEY_IPV6_MULTICAST |
		       adaptive_key_fold48(prefix);
	return prefix;
}

/* The address a key stands for, into @addr (16 bytes, network byte
 * order; IPv4 in the first 4, the rest 0): 4 for an IPv4 key, 6 for an
 * IPv4-mapped address or an IPv6 prefix (its first address), 0 for the
 * folded kinds and the tables' markers, which name no address. A reload
 * asks it which class a held source is in now. */
static inline int
adaptive_key_address(uint64_t key, uint8_t addr[16])
{
	uint64_t low = key & ADAPTIVE_KEY_LOW48;
	int i;

	for (i = 0; i < 16; i++)
		addr[i] = 0;
	if (key == 0 || key == ~0ull)
		return 0;
	if ((key >> 32) == ADAPTIVE_KEY_IPV4 >> 32) {
		for (i = 0; i < 4; i++)
			addr[i] = (uint8_t)(key >> (24 - 8 * i));
		return 4;
	}
	if (key - low == ADAPTIVE_KEY_IPV6_MAPPED) {
		addr[10] = addr[11] = 0xff;
		for (i = 0; i < 4; i++)
			addr[12 + i] = (uint8_t)(key >> (24 - 8 * i));
		return 6;
	}
	/* Every other kind under the top byte 0xff folds its bits. */
	if (key >> 56 == 0xff)
		return 0;
	for (i = 0; i < 8; i++)
		addr[i] = (uint8_t)(key >> (56 - 8 * i));
	return 6;
}

/*
 * Whether a reload keeps the source of @key (@addr, @family as
 * adaptive_key_address() gave them) (doc/policy.md, "Reloads"): only
 * where a SYN of it would still be counted under that key. @own: the
 * IPv6 key length of the class it was counted under, that class still
 * adaptive (0: it is not); @now: that of the adaptive class its address
 * is in now (0: none, or not looked up for a folded key). One rule for
 * op25b (lib/classify) and op25b-xdp (lib/xdp), each with its own
 * lookup. A source whose key is its address (IPv4, IPv4-mapped) is kept
 * while the class it is in now is adaptive (its own, renamed, or the
 * one it moved to, whose SYNs find the entry and keep a block to its
 * end); in a class made allow, removed, or moved out of an adaptive one,
 * it is forgotten, blocks too: they would come back with the class, and
 * be shown meanwhile. An IPv6 prefix is kept while its own class keys
 * it so (a shorter ipv6_key makes other keys; a longer one finds the
 * first of its prefixes), or, that class gone, while the class its first
 * address is in now does (its first address may not be one of its
 * sources': so the former test first). The folded kinds name no
 * address: kept with their class.
 */
static inline int
adaptive_key_kept(uint64_t key, const uint8_t addr[16], int family,
		  unsigned int own, unsigned int now)
{
	uint64_t hi = 0, lo = 0;
	int i;

	if (family == 0)
		return own != 0;
	if (family == 4 ||
	    key - (key & ADAPTIVE_KEY_LOW48) == ADAPTIVE_KEY_IPV6_MAPPED)
		return now != 0;
	for (i = 0; i < 8; i++) {
		hi = hi << 8 | addr[i];
		lo = lo << 8 | addr[8 + i];
	}
	return (own != 0 && adaptive_key6(hi, lo, own) == key) ||
	       (now != 0 && adaptive_key6(hi, lo, now) == key);
}

#endif /* OP25B_ADAPTIVE_KEY_H */
