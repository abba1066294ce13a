/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Helpers shared by the craft library's files; not installed.
 */
#ifndef OP25B_CRAFT_PRIV_H
#define OP25B_CRAFT_PRIV_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Default addresses: a source no class of the default policy names and a
 * documentation destination, so that a bare spec is plain forwarded SMTP. */
#define CRAFT_DEFAULT_SRC4                                                     \
	{                                                                      \
		192, 0, 2, 1                                                   \
	}
#define CRAFT_DEFAULT_DST4                                                     \
	{                                                                      \
		203, 0, 113, 1                                                 \
	}
#define CRAFT_DEFAULT_SRC6                                                     \
	{                                                                      \
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01  \
	}
#define CRAFT_DEFAULT_DST6                                                     \
	{                                                                      \
		0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, \
			0x01                                                   \
	}

#define CRAFT_ETHERTYPE_IPV4 0x0800
#define CRAFT_ETHERTYPE_IPV6 0x86dd
#define CRAFT_ETHERTYPE_VLAN 0x8100
#define CRAFT_ETHERTYPE_QINQ 0x88a8
#define CRAFT_ETHERTYPE_PPPOE_SESSION 0x8864
#define CRAFT_PPP_IPV4 0x0021
#define CRAFT_PPP_IPV6 0x0057

/* IP protocol numbers and IPv6 extension header types, for the builder
 * (craft.c) and the spec's checks (spec.c). */
#define IPPROTO_HOPOPTS_ 0
#define IPPROTO_ICMP_ 1
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPPROTO_ROUTING_ 43
#define IPPROTO_FRAGMENT_ 44
#define IPPROTO_AH_ 51
#define IPPROTO_ICMPV6_ 58
#define IPPROTO_DSTOPTS_ 60

/* The most extpad an AH header takes: 16 + 1008 bytes, its length field
 * counting 4-byte words less 2 in a byte, and extpad a multiple of 8. */
#define CRAFT_AH_PAD_MAX 1008

/** snprintf into a caller's error buffer, which may be NULL or empty. */
void craft_set_error(char *err, size_t err_size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* OP25B_CRAFT_PRIV_H */
