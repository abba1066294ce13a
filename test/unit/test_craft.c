/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/craft: every builder feature checked byte by byte at
 * its offset, checksums verified by summing over the stored value, the
 * spec parser's errors, vector files (good and each kind of bad line) and
 * the pcap writer's exact bytes.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "op25b_craft.h"

/* Offsets in an untagged frame. */
#define ETH_TYPE 12
#define L3 14
#define L4_V4 (L3 + 20)
#define L4_V6 (L3 + 40)

static uint8_t frame[OP25B_CRAFT_FRAME_MAX];

static unsigned int
get16(const uint8_t *p, size_t off)
{
	return (unsigned int)p[off] << 8 | p[off + 1];
}

static uint32_t
get32(const uint8_t *p, size_t off)
{
	return (uint32_t)p[off] << 24 | (uint32_t)p[off + 1] << 16 |
	       (uint32_t)p[off + 2] << 8 | p[off + 3];
}

static uint32_t
get_le32(const uint8_t *p, size_t off)
{
	return (uint32_t)p[off] | (uint32_t)p[off + 1] << 8 |
	       (uint32_t)p[off + 2] << 16 | (uint32_t)p[off + 3] << 24;
}

/* Parse @p tokens onto the defaults and build; fail the test on error. */
static int
build(const char *tokens, struct op25b_craft_spec *out)
{
	struct op25b_craft_spec spec;
	char err[256] = "";
	int len;

	op25b_craft_spec_init(&spec);
	if (op25b_craft_spec_parse(&spec, tokens, NULL, err, sizeof(err)) < 0)
		fail_msg("parse '%s': %s", tokens, err);
	len = op25b_craft_build(&spec, frame, sizeof(frame));
	if (len <= 0)
		fail_msg("build '%s': %d", tokens, len);
	if (out != NULL)
		*out = spec;
	return len;
}

/* What op25b_craft_build() returns for @p tokens (parsed as valid). */
static int
build_result(const char *tokens)
{
	struct op25b_craft_spec spec;
	char err[256] = "";

	op25b_craft_spec_init(&spec);
	if (op25b_craft_spec_parse(&spec, tokens, NULL, err, sizeof(err)) < 0)
		fail_msg("parse '%s': %s", tokens, err);
	return op25b_craft_build(&spec, frame, sizeof(frame));
}

/* The L4 checksum over the segment as stored: 0 when it is right. */
static uint16_t
verify_l4(const struct op25b_craft_spec *spec, size_t l4_off, int len)
{
	return op25b_craft_l4_checksum(spec->family, spec->src, spec->dst,
				       spec->proto, frame + l4_off,
				       (size_t)len - l4_off);
}

static void
test_checksum_rfc1071(void **state)
{
	/* RFC 1071's worked example: the sum is 0xddf2, stored as ~. */
	static const uint8_t data[] = { 0x00, 0x01, 0xf2, 0x03,
					0xf4, 0xf5, 0xf6, 0xf7 };
	uint8_t odd[] = { 0x01 };

	(void)state;
	assert_int_equal(op25b_craft_ip_checksum(data, sizeof(data)),
			 (uint16_t)~0xddf2);
	/* An odd trailing byte counts as the high byte of a word. */
	assert_int_equal(op25b_craft_ip_checksum(odd, 1), (uint16_t)~0x0100);
}

static void
test_default_ipv4_tcp_syn(void **state)
{
	struct op25b_craft_spec spec;
	int len = build("", &spec);

	(void)state;
	assert_int_equal(len, 54);
	assert_memory_equal(frame, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01", 12);
	assert_int_equal(get16(frame, ETH_TYPE), 0x0800);
	assert_int_equal(frame[L3], 0x45);
	assert_int_equal(frame[L3 + 1], 0);
	assert_int_equal(get16(frame, L3 + 2), 40);
	assert_int_equal(get16(frame, L3 + 4), 0x1234);
	assert_int_equal(get16(frame, L3 + 6), 0);
	assert_int_equal(frame[L3 + 8], 64);
	assert_int_equal(frame[L3 + 9], 6);
	assert_memory_equal(frame + L3 + 12, "\xc0\x00\x02\x01", 4);
	assert_memory_equal(frame + L3 + 16, "\xcb\x00\x71\x01", 4);
	assert_int_equal(op25b_craft_ip_checksum(frame + L3, 20), 0);
	assert_int_equal(get16(frame, L4_V4), 40000);
	assert_int_equal(get16(frame, L4_V4 + 2), 25);
	assert_int_equal(get32(frame, L4_V4 + 4), 1000);
	assert_int_equal(get32(frame, L4_V4 + 8), 0);
	assert_int_equal(frame[L4_V4 + 12], 0x50);
	assert_int_equal(frame[L4_V4 + 13], 0x02);
	assert_int_equal(get16(frame, L4_V4 + 14), 65535);
	assert_int_equal(verify_l4(&spec, L4_V4, len), 0);
}

static void
test_vlan_tag(void **state)
{
	int len = build("vlan=100 ttl=7", NULL);

	(void)state;
	assert_int_equal(len, 58);
	assert_int_equal(get16(frame, 12), 0x8100);
	assert_int_equal(get16(frame, 14), 100);
	assert_int_equal(get16(frame, 16), 0x0800);
	assert_int_equal(frame[18], 0x45);
	assert_int_equal(frame[18 + 8], 7);
}

static void
test_qinq_and_tpid(void **state)
{
	int len = build("qinq=200,0x2064", NULL);

	(void)state;
	assert_int_equal(len, 62);
	assert_int_equal(get16(frame, 12), 0x88a8);
	assert_int_equal(get16(frame, 14), 200);
	assert_int_equal(get16(frame, 16), 0x8100);
	assert_int_equal(get16(frame, 18), 0x2064);
	assert_int_equal(get16(frame, 20), 0x0800);

	/* tpid rewrites only the last tag given so far. */
	build("vlan=5 vlan=6 tpid=0x9100", NULL);
	assert_int_equal(get16(frame, 12), 0x8100);
	assert_int_equal(get16(frame, 16), 0x9100);
	assert_int_equal(get16(frame, 18), 6);
}

static void
test_ethertype_override(void **state)
{
	(void)state;
	build("ethertype=0x86dd", NULL);
	assert_int_equal(get16(frame, 12), 0x86dd);
	assert_int_equal(frame[L3], 0x45); /* the body stays IPv4 */

	/* Under tags, the innermost type is the one replaced. */
	build("vlan=1 ethertype=0x88cc", NULL);
	assert_int_equal(get16(frame, 12), 0x8100);
	assert_int_equal(get16(frame, 16), 0x88cc);
}

static void
test_pppoe_ipv4(void **state)
{
	int len = build("pppoe=0x1234 payload=10", NULL);

	(void)state;
	assert_int_equal(len, 14 + 8 + 20 + 20 + 10);
	assert_int_equal(get16(frame, 12), 0x8864);
	assert_int_equal(frame[14], 0x11);
	assert_int_equal(frame[15], 0x00);
	assert_int_equal(get16(frame, 16), 0x1234);
	assert_int_equal(get16(frame, 18), 2 + 50); /* PPP protocol + IP */
	assert_int_equal(get16(frame, 20), 0x0021);
	assert_int_equal(frame[22], 0x45);
	assert_int_equal(get16(frame, 22 + 2), 50);

	build("pppoe=1 pppoe_len=-3", NULL);
	assert_int_equal(get16(frame, 18), 2 + 40 - 3);
}

static void
test_pppoe_ipv6_and_override(void **state)
{
	int len = build("pppoe=7 src=2001:db8::9", NULL);

	(void)state;
	assert_int_equal(len, 14 + 8 + 40 + 20);
	assert_int_equal(get16(frame, 12), 0x8864);
	assert_int_equal(get16(frame, 18), 2 + 60);
	assert_int_equal(get16(frame, 20), 0x0057);
	assert_int_equal(frame[22] >> 4, 6);

	/* ethertype under PPPoE replaces the PPP protocol, not 0x8864. */
	build("pppoe=7 ethertype=0xc021", NULL);
	assert_int_equal(get16(frame, 12), 0x8864);
	assert_int_equal(get16(frame, 20), 0xc021);
}

static void
test_ipv4_options(void **state)
{
	struct op25b_craft_spec spec;
	int len = build("ipopts=8", &spec);

	(void)state;
	assert_int_equal(len, 54 + 8);
	assert_int_equal(frame[L3], 0x47);
	assert_int_equal(get16(frame, L3 + 2), 48);
	assert_memory_equal(frame + L3 + 20, "\x01\x01\x01\x01\x01\x01\x01\x01",
			    8);
	assert_int_equal(op25b_craft_ip_checksum(frame + L3, 28), 0);
	assert_int_equal(get16(frame, L3 + 28 + 2), 25);
	assert_int_equal(verify_l4(&spec, L3 + 28, len), 0);
}

static void
test_ipv4_ihl_lie(void **state)
{
	int len = build("ihl=4", NULL);

	(void)state;
	assert_int_equal(len, 54);
	assert_int_equal(frame[L3], 0x44);
	/* Only the IHL lies: checksum over the 20 bytes built, TCP at 34. */
	assert_int_equal(op25b_craft_ip_checksum(frame + L3, 20), 0);
	assert_int_equal(get16(frame, L4_V4 + 2), 25);

	build("ihl=15 ipopts=4", NULL);
	assert_int_equal(frame[L3], 0x4f);
	assert_int_equal(op25b_craft_ip_checksum(frame + L3, 24), 0);
}

static void
test_ip_length_delta(void **state)
{
	struct op25b_craft_spec spec;
	int len = build("ip_len=+100", &spec);

	(void)state;
	assert_int_equal(len, 54);
	assert_int_equal(get16(frame, L3 + 2), 140);
	assert_int_equal(op25b_craft_ip_checksum(frame + L3, 20), 0);
	/* The TCP checksum covers the bytes really there. */
	assert_int_equal(verify_l4(&spec, L4_V4, len), 0);

	build("ip_len=-21", NULL);
	assert_int_equal(get16(frame, L3 + 2), 19);

	build("src=2001:db8::1 ip_len=-1", NULL);
	assert_int_equal(get16(frame, L3 + 4), 19);
}

static void
test_ipv4_fragments(void **state)
{
	struct op25b_craft_spec spec;
	int len = build("frag=10 mf=1", NULL);
	unsigned int i;

	(void)state;
	/* Non-first fragment: no TCP header, 8 bytes of pattern. */
	assert_int_equal(len, 14 + 20 + 8);
	assert_int_equal(get16(frame, L3 + 6), 0x2000 | 10);
	assert_int_equal(get16(frame, L3 + 2), 28);
	assert_int_equal(frame[L3 + 9], 6);
	for (i = 0; i < 8; i++)
		assert_int_equal(frame[L4_V4 + i], i);

	build("frag=8191 payload=20", NULL);
	assert_int_equal(get16(frame, L3 + 6), 0x1fff);
	assert_int_equal(get16(frame, L3 + 2), 40);

	/* First fragment: the TCP header is there. */
	len = build("mf=1 payload=16", &spec);
	assert_int_equal(len, 54 + 16);
	assert_int_equal(get16(frame, L3 + 6), 0x2000);
	assert_int_equal(get16(frame, L4_V4 + 2), 25);
	assert_int_equal(verify_l4(&spec, L4_V4, len), 0);
}

static void
test_ipv6_tcp(void **state)
{
	struct op25b_craft_spec spec;
	int len = build("src=2001:db8::1 dst=2001:db8::25 ttl=9 payload=5",
			&spec);

	(void)state;
	assert_int_equal(len, 14 + 40 + 20 + 5);
	assert_int_equal(get16(frame, ETH_TYPE), 0x86dd);
	assert_int_equal(get32(frame, L3), 0x60000000u);
	assert_int_equal(get16(frame, L3 + 4), 25);
	assert_int_equal(frame[L3 + 6], 6);
	assert_int_equal(frame[L3 + 7], 9);
	assert_memory_equal(frame + L3 + 8,
			    "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	assert_memory_equal(frame + L3 + 24,
			    "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x25", 16);
	assert_int_equal(verify_l4(&spec, L4_V6, len), 0);
}

static void
test_ipv6_default_other_address(void **state)
{
	(void)state;
	/* Only src given as IPv6: dst must not keep the IPv4 default. */
	build("src=2001:db8::7", NULL);
	assert_memory_equal(frame + L3 + 24,
			    "\x20\x01\x0d\xb8\xff\xff\0\0\0\0\0\0\0\0\0\x01",
			    16);
	build("dst=2001:db8::25", NULL);
	assert_memory_equal(frame + L3 + 8,
			    "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
}

static void
test_ipv6_each_extension(void **state)
{
	static const struct {
		const char *name;
		uint8_t type;
		unsigned int len;
	} exts[] = {
		{ "hbh", 0, 8 },   { "rt", 43, 24 }, { "dst", 60, 8 },
		{ "frag", 44, 8 }, { "ah", 51, 16 },
	};
	struct op25b_craft_spec spec;
	char tokens[64];
	const uint8_t *ext = frame + L4_V6;
	size_t i;
	int len;

	(void)state;
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		snprintf(tokens, sizeof(tokens), "src=2001:db8::1 ext=%s",
			 exts[i].name);
		len = build(tokens, &spec);
		assert_int_equal(len, 14 + 40 + exts[i].len + 20);
		assert_int_equal(frame[L3 + 6], exts[i].type);
		assert_int_equal(get16(frame, L3 + 4), exts[i].len + 20);
		assert_int_equal(ext[0], 6);
		assert_int_equal((ext[1] + (exts[i].type == 51 ? 2 : 1)) *
					 (exts[i].type == 51 ? 4 : 8),
				 exts[i].len);
		switch (exts[i].type) {
		case 0:
		case 60:
			assert_memory_equal(ext + 2, "\x01\x04\0\0\0\0", 6);
			break;
		case 43:
			assert_int_equal(ext[2], 4); /* segment routing */
			assert_int_equal(ext[3], 0); /* nothing left */
			/* its one segment is the destination */
			assert_memory_equal(ext + 8, frame + L3 + 24, 16);
			break;
		case 44:
			assert_int_equal(get16(ext, 2), 0); /* atomic */
			break;
		case 51:
			assert_int_equal(ext[1], 2);
			break;
		}
		assert_int_equal(get16(frame, L4_V6 + exts[i].len + 2), 25);
		assert_int_equal(verify_l4(&spec, L4_V6 + exts[i].len, len), 0);
	}
}

/* IPv4's one header of IPv6's chain: AH after the options, counted in
 * the total length but not in the IHL or the header checksum. */
static void
test_ipv4_ah(void **state)
{
	struct op25b_craft_spec spec;
	const uint8_t *ah = frame + L3 + 28;
	int len = build("ipopts=8 ext=ah,ah extpad=8", &spec);

	(void)state;
	assert_int_equal(len, 14 + 28 + 2 * 24 + 20);
	assert_int_equal(frame[L3], 0x47);
	assert_int_equal(frame[L3 + 9], 51);
	assert_int_equal(get16(frame, L3 + 2), 28 + 2 * 24 + 20);
	assert_int_equal(op25b_craft_ip_checksum(frame + L3, 28), 0);
	assert_int_equal(ah[0], 51);
	assert_int_equal(ah[1], 24 / 4 - 2);
	assert_int_equal(get32(ah, 4), 0x100); /* SPI */
	assert_int_equal(ah[24], 6);
	assert_int_equal(ah[25], 24 / 4 - 2);
	assert_int_equal(get16(frame, L3 + 28 + 48 + 2), 25);
	assert_int_equal(verify_l4(&spec, L3 + 28 + 48, len), 0);

	/* The largest extpad: (254 + 2) * 4 bytes, within AH's 1028. */
	build("ext=ah extpad=1008 proto=udp", NULL);
	assert_int_equal(frame[L3 + 20 + 1], 254);
	assert_int_equal(frame[L3 + 20], 17);
}

/* srr=: a source route of one address in the options' last 7 bytes,
 * after NOPs; segleft=: a routing header's segments left. */
static void
test_source_routes(void **state)
{
	struct op25b_craft_spec spec;
	const uint8_t *o = frame + L3 + 20;
	int len = build("ipopts=12 srr=lsrr", &spec);

	(void)state;
	assert_int_equal(len, 14 + 32 + 20);
	assert_int_equal(frame[L3], 0x48);
	assert_memory_equal(
		o, "\x01\x01\x01\x01\x01\x83\x07\x04\xc6\x33\x64\x19", 12);
	assert_int_equal(op25b_craft_ip_checksum(frame + L3, 32), 0);
	/* The route not done: TCP's pseudo-header holds its last address,
	 * the segment's destination, not the header's next hop. */
	assert_int_equal(
		op25b_craft_l4_checksum(
			AF_INET, spec.src, (const uint8_t *)"\xc6\x33\x64\x19",
			spec.proto, frame + L3 + 32, (size_t)len - (L3 + 32)),
		0);
	assert_int_not_equal(verify_l4(&spec, L3 + 32, len), 0);
	len = build("ipopts=8 srr=ssrr-done", &spec);
	assert_int_equal(verify_l4(&spec, L3 + 28, len), 0);
	assert_memory_equal(o, "\x01\x89\x07\x08\xc6\x33\x64\x19", 8);

	/* ipoptbytes=: any option list, NOPs after it. */
	build("ipopts=12 ipoptbytes=44040500 srr=lsrr", NULL);
	assert_memory_equal(o, "\x44\x04\x05\x00\x01\x83\x07\x04", 8);

	build("src=2001:db8::1 ext=dst,rt segleft=3", NULL);
	assert_int_equal(frame[L4_V6 + 8 + 2], 4); /* SRH */
	assert_int_equal(frame[L4_V6 + 8 + 3], 3);
}

static void
test_ipv6_chain_and_loop(void **state)
{
	int len = build("src=2001:db8::1 ext=hbh,dst,rt,ah proto=udp", NULL);

	(void)state;
	assert_int_equal(len, 14 + 40 + 8 + 8 + 24 + 16 + 8);
	assert_int_equal(frame[L3 + 6], 0);
	assert_int_equal(frame[L4_V6], 60);
	assert_int_equal(frame[L4_V6 + 8], 43);
	assert_int_equal(frame[L4_V6 + 16], 51);
	assert_int_equal(frame[L4_V6 + 40], 17);
	assert_int_equal(get16(frame, L3 + 4), 8 + 8 + 24 + 16 + 8);

	/* ext_loop: the last header points back into the chain. */
	build("src=2001:db8::1 ext=hbh,dst,rt ext_loop=dst", NULL);
	assert_int_equal(frame[L3 + 6], 0);
	assert_int_equal(frame[L4_V6], 60);
	assert_int_equal(frame[L4_V6 + 8], 43);
	assert_int_equal(frame[L4_V6 + 16], 60);
	/* the TCP header is still there after the chain */
	assert_int_equal(get16(frame, L4_V6 + 40 + 2), 25);

	/* Numbers are accepted for both. */
	build("src=2001:db8::1 ext=60 ext_loop=59", NULL);
	assert_int_equal(frame[L3 + 6], 60);
	assert_int_equal(frame[L4_V6], 59);
}

static void
test_ipv6_fragment_header(void **state)
{
	struct op25b_craft_spec spec;
	int len = build("src=2001:db8::1 frag=5 mf=1 payload=3", NULL);

	(void)state;
	/* Appended, and the fragment carries no TCP header. */
	assert_int_equal(len, 14 + 40 + 8 + 8);
	assert_int_equal(frame[L3 + 6], 44);
	assert_int_equal(frame[L4_V6], 6);
	assert_int_equal(get16(frame, L4_V6 + 2), 5 << 3 | 1);
	assert_int_equal(get32(frame, L4_V6 + 4), 0x12345678u);
	assert_int_equal(get16(frame, L3 + 4), 16);

	/* fraghdr=1: an atomic fragment, TCP header kept. */
	len = build("src=2001:db8::1 fraghdr=1", &spec);
	assert_int_equal(len, 14 + 40 + 8 + 20);
	assert_int_equal(frame[L3 + 6], 44);
	assert_int_equal(get16(frame, L4_V6 + 2), 0);
	assert_int_equal(verify_l4(&spec, L4_V6 + 8, len), 0);

	/* An explicit 44 in ext gets the offset; none is appended. */
	len = build("src=2001:db8::1 ext=hbh,frag frag=2", NULL);
	assert_int_equal(len, 14 + 40 + 8 + 8 + 8);
	assert_int_equal(frame[L4_V6], 44);
	assert_int_equal(get16(frame, L4_V6 + 8 + 2), 2 << 3);
}

static void
test_tcp_options_doff_flags(void **state)
{
	struct op25b_craft_spec spec;
	int len = build("tcpopts=12 flags=SA ack=77 sport=1 dport=587", &spec);

	(void)state;
	assert_int_equal(len, 54 + 12);
	assert_int_equal(frame[L4_V4 + 12], 8 << 4);
	assert_int_equal(frame[L4_V4 + 13], 0x12);
	assert_int_equal(get32(frame, L4_V4 + 8), 77);
	assert_int_equal(get16(frame, L4_V4), 1);
	assert_int_equal(get16(frame, L4_V4 + 2), 587);
	assert_memory_equal(frame + L4_V4 + 20, "\x01\x01\x01\x01", 4);
	assert_int_equal(verify_l4(&spec, L4_V4, len), 0);

	len = build("doff=3", &spec);
	assert_int_equal(frame[L4_V4 + 12], 3 << 4);
	assert_int_equal(verify_l4(&spec, L4_V4, len), 0);

	build("flags=FPU", NULL);
	assert_int_equal(frame[L4_V4 + 13], 0x29);
	build("flags=R", NULL);
	assert_int_equal(frame[L4_V4 + 13], 0x04);
	build("flags=0x3f", NULL);
	assert_int_equal(frame[L4_V4 + 13], 0x3f);
	build("flags=0", NULL);
	assert_int_equal(frame[L4_V4 + 13], 0);
}

static void
test_bad_checksum(void **state)
{
	struct op25b_craft_spec spec;
	int len = build("badsum=1 payload=9", &spec);

	(void)state;
	assert_int_not_equal(verify_l4(&spec, L4_V4, len), 0);
	/* Only L4 is broken. */
	assert_int_equal(op25b_craft_ip_checksum(frame + L3, 20), 0);

	len = build("proto=udp badsum=1", &spec);
	assert_int_not_equal(get16(frame, L4_V4 + 6), 0);
	assert_int_not_equal(verify_l4(&spec, L4_V4, len), 0);
}

static void
test_udp(void **state)
{
	struct op25b_craft_spec spec;
	int len = build("proto=udp sport=5353 dport=53 payload=12", &spec);

	(void)state;
	assert_int_equal(len, 14 + 20 + 8 + 12);
	assert_int_equal(frame[L3 + 9], 17);
	assert_int_equal(get16(frame, L4_V4), 5353);
	assert_int_equal(get16(frame, L4_V4 + 2), 53);
	assert_int_equal(get16(frame, L4_V4 + 4), 20);
	assert_int_not_equal(get16(frame, L4_V4 + 6), 0);
	assert_int_equal(verify_l4(&spec, L4_V4, len), 0);

	len = build("src=2001:db8::1 proto=17", &spec);
	assert_int_equal(frame[L3 + 6], 17);
	assert_int_equal(get16(frame, L3 + 4), 8);
	assert_int_equal(verify_l4(&spec, L4_V6, len), 0);
}

static void
test_icmp_echo(void **state)
{
	struct op25b_craft_spec spec;
	int len = build("proto=icmp payload=4", NULL);

	(void)state;
	assert_int_equal(len, 14 + 20 + 8 + 4);
	assert_int_equal(frame[L3 + 9], 1);
	assert_int_equal(frame[L4_V4], 8);
	assert_int_equal(frame[L4_V4 + 1], 0);
	assert_int_equal(op25b_craft_ip_checksum(frame + L4_V4, 12), 0);

	/* "icmp" on an IPv6 spec means ICMPv6, with the pseudo-header. */
	len = build("proto=icmp dst=2001:db8::2", &spec);
	assert_int_equal(spec.proto, 58);
	assert_int_equal(frame[L3 + 6], 58);
	assert_int_equal(frame[L4_V6], 128);
	assert_int_equal(verify_l4(&spec, L4_V6, len), 0);
}

static void
test_payload_pattern_and_custom(void **state)
{
	static const uint8_t hello[] = "EHLO x\r\n";
	struct op25b_craft_spec spec;
	unsigned int i;
	int len = build("payload=300", &spec);

	(void)state;
	for (i = 0; i < 300; i++)
		assert_int_equal(frame[L4_V4 + 20 + i], i & 0xff);

	spec.payload_len = 20;
	len = op25b_craft_build_payload(&spec, hello, sizeof(hello) - 1, frame,
					sizeof(frame));
	assert_int_equal(len, 54 + 20);
	assert_memory_equal(frame + L4_V4 + 20, hello, sizeof(hello) - 1);
	/* past the given bytes, the pattern goes on at its own index */
	assert_int_equal(frame[L4_V4 + 20 + 8], 8);
	assert_int_equal(verify_l4(&spec, L4_V4, len), 0);
}

static void
test_frame_len_grows_payload(void **state)
{
	struct op25b_craft_spec spec;
	int len = build("len=100 vlan=3", &spec);

	(void)state;
	assert_int_equal(len, 100);
	assert_int_equal(get16(frame, 18 + 2), 100 - 18);
	assert_int_equal(op25b_craft_ip_checksum(frame + 18, 20), 0);
	assert_int_equal(verify_l4(&spec, 18 + 20, len), 0);

	/* Smaller than built: refused (trunc= cuts). */
	assert_int_equal(build_result("len=10"), -EINVAL);
	assert_int_equal(build_result("len=54"), 54);
}

static void
test_truncate(void **state)
{
	struct op25b_craft_spec spec;
	uint8_t full[128], small[30];
	int len;

	(void)state;
	len = build("payload=40", &spec);
	memcpy(full, frame, (size_t)len);
	spec.truncate = 30;
	/* A buffer that fits only the cut frame is enough. */
	len = op25b_craft_build(&spec, small, sizeof(small));
	assert_int_equal(len, 30);
	assert_memory_equal(small, full, 30);
	/* The lengths still describe the uncut packet. */
	assert_int_equal(get16(small, L3 + 2), 80);

	/* Past the end: it would cut nothing, refused; at the end, whole. */
	assert_int_equal(build_result("trunc=1000"), -EINVAL);
	assert_int_equal(build_result("trunc=55"), -EINVAL);
	assert_int_equal(build_result("trunc=54"), 54);
	/* A trailer is in the frame: a cut may fall in it. */
	assert_int_equal(build_result("trailer=6 trunc=58"), 58);
}

/* trailer= adds zero bytes past the IP packet that no length or checksum
 * counts; ipver= sets the version nibble alone. */
static void
test_trailer_and_ipver(void **state)
{
	struct op25b_craft_spec spec;
	int len;

	(void)state;
	len = build("trailer=6", &spec);
	assert_int_equal(len, 60);
	assert_int_equal(get16(frame, L3 + 2), 40);
	assert_int_equal(op25b_craft_ip_checksum(frame + L3, 20), 0);
	assert_int_equal(verify_l4(&spec, L3 + 20, 54), 0);
	assert_memory_equal(frame + 54, "\0\0\0\0\0\0", 6);
	len = build("src=2001:db8::1 dst=2001:db8::2 trailer=4", &spec);
	assert_int_equal(len, 78);
	assert_int_equal(get16(frame, L3 + 4), 20);
	assert_int_equal(verify_l4(&spec, L3 + 40, 74), 0);

	/* A 0 given is built as 0, not read as the default. */
	build("ihl=0 doff=0", NULL);
	assert_int_equal(frame[L3], 0x40);
	assert_int_equal(frame[L4_V4 + 12], 0x00);
	build("ipver=0", NULL);
	assert_int_equal(frame[L3], 0x05);
	build("src=2001:db8::1 ipver=0", NULL);
	assert_int_equal(frame[L3] >> 4, 0);
	build("vlan=1 vlan=2 tpid=0", NULL);
	assert_int_equal(get16(frame, 12), 0x8100);
	assert_int_equal(get16(frame, 16), 0);

	build("ipver=6", NULL);
	assert_int_equal(frame[L3], 0x65);
	assert_int_equal(op25b_craft_ip_checksum(frame + L3, 20), 0);
	build("src=2001:db8::1 dst=2001:db8::2 ipver=4", NULL);
	assert_int_equal(frame[L3] >> 4, 4);
}

/* Keys that would change nothing of the frame, or a key given twice, are
 * refused: a vector line cannot test less than it says. */
static void
test_spec_refuses_inert_keys(void **state)
{
	static const struct {
		const char *tokens, *error;
	} bad[] = {
		{ "pfc=1", "pfc= and pppoe_len= need pppoe=" },
		{ "pppoe_len=2", "pfc= and pppoe_len= need pppoe=" },
		/* LCP compressed to its low byte was 0x21: IPv4. */
		{ "pppoe=1 pfc=1 ethertype=0xc021",
		  "pfc=1 compresses a PPP protocol below 0x100 only (0xc021 "
		  "is two bytes)" },
		{ "extpad=8", "extpad= needs a hop-by-hop, destination "
			      "options or ah header in ext=" },
		{ "src=2001:db8::1 dst=2001:db8::2 ext=rt extpad=8",
		  "extpad= needs a hop-by-hop, destination options or ah "
		  "header in ext=" },
		{ "src=2001:db8::1 ext=ah extpad=1016",
		  "extpad= is at most 1008 with ah in ext= (an AH header is "
		  "at most 1028 bytes)" },
		{ "ext=dst", "IPv4 takes only ah in ext= (no ext_loop=)" },
		{ "ext=ah,frag", "IPv4 takes only ah in ext= (no ext_loop=)" },
		{ "ext=ah ext_loop=ah",
		  "IPv4 takes only ah in ext= (no ext_loop=)" },
		{ "ext=ah frag=10",
		  "ext=ah is in an IPv4 packet's first fragment only" },
		{ "srr=lsrr", "srr= needs IPv4 and ipopts=8 or more" },
		{ "ipopts=4 srr=ssrr", "srr= needs IPv4 and ipopts=8 or more" },
		{ "src=2001:db8::1 srr=lsrr",
		  "srr= needs IPv4 and ipopts=8 or more" },
		{ "src=2001:db8::1 ext=dst segleft=1",
		  "segleft= needs rt in ext=" },
		{ "ipopts=8 ipoptbytes=000000000000000000",
		  "ipoptbytes= needs IPv4 and as many bytes of ipopts= (7 more "
		  "with srr=)" },
		{ "ipopts=8 ipoptbytes=4404 srr=lsrr",
		  "ipoptbytes= needs IPv4 and as many bytes of ipopts= (7 more "
		  "with srr=)" },
		{ "proto=udp doff=6", "doff= and tcpopts= need a TCP header "
				      "(TCP, not a later fragment)" },
		{ "proto=udp tcpopts=4", "doff= and tcpopts= need a TCP "
					 "header (TCP, not a later fragment)" },
		{ "frag=10 doff=8", "doff= and tcpopts= need a TCP header "
				    "(TCP, not a later fragment)" },
		{ "fraghdr=1", "fraghdr= is IPv6's" },
		{ "vlan=100 tpid=0x9100 tpid=0x88a8",
		  "'tpid' given twice for one tag" },
		{ "dport=25 dport=443", "'dport' given twice" },
		{ "pppoe=1 pppoe=2", "'pppoe' given twice" },
	};
	static const char *const good[] = {
		"vlan=1 vlan=2",
		"vlan=1 tpid=0x9100 vlan=2 tpid=0x88a8",
		"pppoe=3 pfc=1 pppoe_len=-2",
		"src=2001:db8::1 dst=2001:db8::2 ext=rt,dst extpad=8",
		"ext=ah extpad=1008",
		"ext=ah mf=1",
	};
	struct op25b_craft_spec spec;
	char err[128];
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		op25b_craft_spec_init(&spec);
		err[0] = '\0';
		if (op25b_craft_spec_parse(&spec, bad[i].tokens, NULL, err,
					   sizeof(err)) != -EINVAL)
			fail_msg("'%s' parsed", bad[i].tokens);
		assert_string_equal(err, bad[i].error);
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		build(good[i], NULL);
}

static void
test_build_errors(void **state)
{
	struct op25b_craft_spec spec;

	(void)state;
	op25b_craft_spec_init(&spec);
	assert_int_equal(op25b_craft_build(&spec, frame, 53), -ENOSPC);
	assert_int_equal(op25b_craft_build(&spec, frame, 54), 54);

	spec.n_vlans = OP25B_CRAFT_MAX_VLANS + 1;
	assert_int_equal(op25b_craft_build(&spec, frame, sizeof(frame)),
			 -EINVAL);
	op25b_craft_spec_init(&spec);
	spec.ipv4_options_len = 6;
	assert_int_equal(op25b_craft_build(&spec, frame, sizeof(frame)),
			 -EINVAL);
	op25b_craft_spec_init(&spec);
	spec.n_ext = 1; /* extension headers on IPv4 */
	assert_int_equal(op25b_craft_build(&spec, frame, sizeof(frame)),
			 -EINVAL);
	op25b_craft_spec_init(&spec);
	spec.ip_length_delta = -100; /* a negative total length */
	assert_int_equal(op25b_craft_build(&spec, frame, sizeof(frame)),
			 -EINVAL);
	op25b_craft_spec_init(&spec);
	spec.payload_len = 9200; /* larger than the caller's frame */
	assert_int_equal(op25b_craft_build(&spec, frame, sizeof(frame)),
			 -ENOSPC);
	/* 802.3 with LLC/SNAP: 8 + an IP packet of 1492 bytes is the most
	 * a length field says (1500); past it, an ethertype. */
	op25b_craft_spec_init(&spec);
	spec.llc_snap = true;
	spec.payload_len = 1492 - 40;
	assert_int_equal(op25b_craft_build(&spec, frame, sizeof(frame)),
			 14 + 8 + 1492);
	assert_int_equal(frame[12] << 8 | frame[13], 1500);
	spec.payload_len++;
	assert_int_equal(op25b_craft_build(&spec, frame, sizeof(frame)),
			 -EINVAL);
	/* Options headers: whole 8-byte units; LLC/SNAP is not PPPoE. */
	op25b_craft_spec_init(&spec);
	spec.family = AF_INET6;
	spec.n_ext = 1;
	spec.ext_pad = 12;
	assert_int_equal(op25b_craft_build(&spec, frame, sizeof(frame)),
			 -EINVAL);
	op25b_craft_spec_init(&spec);
	spec.llc_snap = true;
	spec.pppoe = 7;
	assert_int_equal(op25b_craft_build(&spec, frame, sizeof(frame)),
			 -EINVAL);
}

/* Expect parse to fail with exactly @p message. */
static void
expect_parse_error(const char *tokens, const char *message)
{
	struct op25b_craft_spec spec;
	char err[256] = "";

	op25b_craft_spec_init(&spec);
	assert_int_equal(
		op25b_craft_spec_parse(&spec, tokens, NULL, err, sizeof(err)),
		-EINVAL);
	assert_string_equal(err, message);
}

static void
test_spec_parse_errors(void **state)
{
	(void)state;
	expect_parse_error("x=1", "unknown key 'x'");
	expect_parse_error("ttl=300", "bad value for 'ttl': '300'");
	expect_parse_error("dport=25x", "bad value for 'dport': '25x'");
	expect_parse_error("src=10.0.0.256", "bad value for 'src': "
					     "'10.0.0.256'");
	expect_parse_error("flags=SX", "bad value for 'flags': 'SX'");
	expect_parse_error("mf=2", "bad value for 'mf': '2'");
	/* ext= builds extension headers: an upper layer's number (6: 8
	 * zero bytes announced as TCP) or ESP's (50) is none. */
	expect_parse_error("src=2001:db8::1 ext=6", "bad value for 'ext': '6'");
	expect_parse_error("src=2001:db8::1 ext=50",
			   "bad value for 'ext': '50'");
	expect_parse_error("ipopts=6", "bad value for 'ipopts': '6'");
	expect_parse_error("ext=hbh,,dst", "bad value for 'ext': 'hbh,,dst'");
	expect_parse_error("qinq=5", "bad value for 'qinq': '5'");
	expect_parse_error("proto=sctpx", "bad value for 'proto': 'sctpx'");
	expect_parse_error("frag=8192", "bad value for 'frag': '8192'");
	/* 0 means "no loop": hop-by-hop cannot be a loop's target */
	expect_parse_error("ext_loop=hbh", "bad value for 'ext_loop': 'hbh'");
	expect_parse_error("dport", "expected key=value, got 'dport'");
	expect_parse_error("tpid=0x9100",
			   "'tpid' needs a 'vlan' or 'qinq' before it");
	expect_parse_error("vlan=1 vlan=2 vlan=3 vlan=4 vlan=5 vlan=6 vlan=7 "
			   "vlan=8 vlan=9 qinq=4,5",
			   "too many VLAN tags (at most 10)");
	expect_parse_error("pfc=2", "bad value for 'pfc': '2'");
	expect_parse_error("src=10.0.0.1 dst=2001:db8::1",
			   "src and dst are of different families");
}

static void
test_spec_parse_values(void **state)
{
	static const char *const ignore[] = { "expect", "class", NULL };
	struct op25b_craft_spec spec;
	char err[128] = "";

	(void)state;
	op25b_craft_spec_init(&spec);
	assert_int_equal(
		op25b_craft_spec_parse(
			&spec,
			"expect=blocked class=x\tethertype=0x88A8 seq=0xffffffff "
			"src=2001:db8::1 dst=2001:db8::2 "
			"proto=icmp6 pppoe=1 pppoe_len=-2 ip_len=7 mf=1 "
			"fraghdr=1 ext=hbh,rt,dst,frag,ah,135 len=64 trunc=40 "
			"payload=0x10 badsum=1 ttl=0 vlan=0xe064",
			ignore, err, sizeof(err)),
		0);
	assert_int_equal(spec.ethertype, 0x88a8);
	assert_int_equal(spec.seq, 0xffffffffu);
	assert_int_equal(spec.proto, 58);
	assert_int_equal(spec.pppoe_length_delta, -2);
	assert_int_equal(spec.ip_length_delta, 7);
	assert_true(spec.more_fragments);
	assert_true(spec.frag_header);
	assert_int_equal(spec.n_ext, 6);
	assert_memory_equal(spec.ext, "\x00\x2b\x3c\x2c\x33\x87", 6);
	assert_int_equal(spec.frame_len, 64);
	assert_int_equal(spec.truncate, 40);
	assert_int_equal(spec.payload_len, 16);
	assert_true(spec.bad_l4_checksum);
	assert_int_equal(spec.ttl, 0);
	assert_int_equal(spec.n_vlans, 1);
	assert_int_equal(spec.vlan_tci[0], 0xe064);
	assert_int_equal(spec.vlan_tpid[0], 0x8100);
	op25b_craft_spec_init(&spec);
	assert_int_equal(op25b_craft_spec_parse(&spec, "doff=6 tcpopts=40",
						NULL, err, sizeof(err)),
			 0);
	assert_int_equal(spec.tcp_doff, 6);
	assert_int_equal(spec.tcp_options_len, 40);
	/* "010" is ten, not octal eight. */
	assert_int_equal(op25b_craft_spec_parse(&spec, "sport=010", NULL, err,
						sizeof(err)),
			 0);
	assert_int_equal(spec.sport, 10);
	/* Without the ignore list, vector keys are unknown. */
	assert_int_equal(op25b_craft_spec_parse(&spec, "expect=blocked", NULL,
						err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "unknown key 'expect'");
}

/* A temporary folder for vector files, removed by the teardown. */
struct vec_dir {
	char path[64];
	char files[8][128];
	unsigned int n_files;
};

static int
vec_dir_setup(void **state)
{
	struct vec_dir *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return -1;
	strcpy(d->path, "/tmp/op25b-craft-XXXXXX");
	if (mkdtemp(d->path) == NULL) {
		free(d);
		return -1;
	}
	*state = d;
	return 0;
}

static int
vec_dir_teardown(void **state)
{
	struct vec_dir *d = *state;
	unsigned int i;

	char bad[sizeof(d->files[0])];

	for (i = 0; i < d->n_files; i++)
		unlink(d->files[i]);
	/* expect_vector_error() rewrites this one file without tracking it. */
	snprintf(bad, sizeof(bad), "%s/bad.vec", d->path);
	unlink(bad);
	if (rmdir(d->path) != 0)
		fprintf(stderr, "test_craft: %s left behind\n", d->path);
	free(d);
	return 0;
}

static const char *
vec_write(struct vec_dir *d, const char *name, const char *text)
{
	char *path = d->files[d->n_files];
	char full[sizeof(d->files[0])];
	FILE *f;

	/* Through a local buffer: gcc cannot tell d->path from d->files. */
	snprintf(full, sizeof(full), "%s/%s", d->path, name);
	memcpy(path, full, sizeof(full));
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	d->n_files++;
	return path;
}

static void
test_vector_file_good(void **state)
{
	struct vec_dir *d = *state;
	struct op25b_vector_file vf;
	struct op25b_craft_spec spec;
	char err[256] = "", want[256];
	const char *path;
	int len;

	path = vec_write(
		d, "good.vec",
		"# the default policy\n"
		"policy ../config/op25b.yaml\n"
		"\n"
		"dyn_syn expect=reset class=dynamic src=198.18.1.2 flags=S\n"
		"   relay  expect=forwarded group=isp-relays  # trailing\n"
		"v6 expect=blocked class=dynamic group=g src=2001:db8:1000::1 "
		"vlan=10\n");
	assert_int_equal(op25b_vector_file_load(path, &vf, err, sizeof(err)),
			 0);
	snprintf(want, sizeof(want), "%s/../config/op25b.yaml", d->path);
	assert_string_equal(vf.policy_path, want);
	assert_int_equal(vf.n_cases, 3);
	assert_string_equal(vf.cases[0].name, "dyn_syn");
	assert_string_equal(vf.cases[0].expect, "reset");
	assert_string_equal(vf.cases[0].class_name, "dynamic");
	assert_string_equal(vf.cases[0].group_name, "-");
	assert_int_equal(vf.cases[0].line, 4);
	assert_string_equal(vf.cases[1].name, "relay");
	assert_string_equal(vf.cases[1].class_name, "-");
	assert_string_equal(vf.cases[1].group_name, "isp-relays");
	assert_int_equal(vf.cases[1].line, 5);
	assert_int_equal(vf.cases[2].line, 6);
	assert_string_equal(vf.cases[2].group_name, "g");

	/* The frames are what the spec builds. */
	op25b_craft_spec_init(&spec);
	assert_int_equal(op25b_craft_spec_parse(&spec,
						"src=2001:db8:1000::1 vlan=10",
						NULL, err, sizeof(err)),
			 0);
	len = op25b_craft_build(&spec, frame, sizeof(frame));
	assert_int_equal(vf.cases[2].frame_len, len);
	assert_memory_equal(vf.cases[2].frame, frame, (size_t)len);
	op25b_vector_file_free(&vf);
	assert_null(vf.cases);
	assert_int_equal(vf.n_cases, 0);
}

static void
expect_vector_error(struct vec_dir *d, const char *text, int ret,
		    const char *message)
{
	struct op25b_vector_file vf;
	char err[512] = "", want[512];
	const char *path = vec_write(d, "bad.vec", text);

	d->n_files--; /* the same file is rewritten by the next case */
	assert_int_equal(op25b_vector_file_load(path, &vf, err, sizeof(err)),
			 ret);
	snprintf(want, sizeof(want), "%s:%s", path, message);
	assert_string_equal(err, want);
	assert_null(vf.cases);
	assert_int_equal(vf.n_cases, 0);
}

static void
test_vector_file_errors(void **state)
{
	struct vec_dir *d = *state;
	struct op25b_vector_file vf;
	char err[512], missing[128];

	expect_vector_error(
		d, "a expect=blocked\nb expect=dropped\n", -EINVAL,
		"2: unknown outcome 'dropped' (one of: non_smtp submission "
		"fragments malformed forwarded counted blocked reset)");
	expect_vector_error(d, "a expect=blocked dport=25 expect=reset\n",
			    -EINVAL, "1: 'expect' given twice");
	expect_vector_error(d, "a expect=blocked class=x class=y\n", -EINVAL,
			    "1: 'class' given twice");
	expect_vector_error(d, "# c\na class=x dport=25\n", -EINVAL,
			    "2: case 'a' has no expect=");
	expect_vector_error(d,
			    "a expect=blocked\n\n\nb expect=blocked "
			    "colour=red\n",
			    -EINVAL, "4: unknown key 'colour'");
	expect_vector_error(d, "a expect=blocked ttl=-1\n", -EINVAL,
			    "1: bad value for 'ttl': '-1'");
	expect_vector_error(d, "policy a.yaml\npolicy b.yaml\n", -EINVAL,
			    "2: 'policy' given twice");
	expect_vector_error(d, "policy\n", -EINVAL,
			    "1: 'policy' needs a file name");
	expect_vector_error(d, "a expect=blocked\na expect=reset\n", -EINVAL,
			    "2: duplicate case 'a' (first on line 1)");
	expect_vector_error(
		d, "expect=blocked dport=25\n", -EINVAL,
		"1: a case starts with its name, not 'expect=blocked'");
	expect_vector_error(d, "a expect=malformed snap=1 pppoe=7\n", -EINVAL,
			    "1: case 'a' cannot be built: Invalid argument");
	expect_vector_error(d, "a expect=malformed ext=hbh\n", -EINVAL,
			    "1: IPv4 takes only ah in ext= (no ext_loop=)");
	expect_vector_error(
		d, "a expect=malformed payload=9200\n", -ENOSPC,
		"1: case 'a' cannot be built: No space left on device");

	snprintf(missing, sizeof(missing), "%s/none.vec", d->path);
	assert_int_equal(op25b_vector_file_load(missing, &vf, err, sizeof(err)),
			 -ENOENT);
}

static void
test_pcap_writer(void **state)
{
	static const uint8_t header[24] = {
		0xd4, 0xc3, 0xb2, 0xa1, 2,    0,    4, 0, 0, 0, 0, 0,
		0,    0,    0,	  0,	0xff, 0xff, 0, 0, 1, 0, 0, 0,
	};
	static const uint8_t data[3] = { 0xaa, 0xbb, 0xcc };
	char *buf = NULL;
	size_t size = 0;
	FILE *f;
	const uint8_t *p;

	(void)state;
	f = open_memstream(&buf, &size);
	assert_non_null(f);
	assert_int_equal(op25b_pcap_write_header(f), 0);
	assert_int_equal(op25b_pcap_write_frame(f, data, 3,
						1704067200ull * 1000000 + 42),
			 0);
	assert_int_equal(fclose(f), 0);
	p = (const uint8_t *)buf;
	assert_int_equal(size, 24 + 16 + 3);
	assert_memory_equal(p, header, 24);
	assert_int_equal(get_le32(p, 24), 1704067200u);
	assert_int_equal(get_le32(p, 28), 42);
	assert_int_equal(get_le32(p, 32), 3);
	assert_int_equal(get_le32(p, 36), 3);
	assert_memory_equal(p + 40, data, 3);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checksum_rfc1071),
		cmocka_unit_test(test_default_ipv4_tcp_syn),
		cmocka_unit_test(test_vlan_tag),
		cmocka_unit_test(test_qinq_and_tpid),
		cmocka_unit_test(test_ethertype_override),
		cmocka_unit_test(test_pppoe_ipv4),
		cmocka_unit_test(test_pppoe_ipv6_and_override),
		cmocka_unit_test(test_ipv4_options),
		cmocka_unit_test(test_ipv4_ihl_lie),
		cmocka_unit_test(test_ip_length_delta),
		cmocka_unit_test(test_ipv4_fragments),
		cmocka_unit_test(test_ipv6_tcp),
		cmocka_unit_test(test_ipv6_default_other_address),
		cmocka_unit_test(test_ipv6_each_extension),
		cmocka_unit_test(test_ipv4_ah),
		cmocka_unit_test(test_source_routes),
		cmocka_unit_test(test_ipv6_chain_and_loop),
		cmocka_unit_test(test_ipv6_fragment_header),
		cmocka_unit_test(test_tcp_options_doff_flags),
		cmocka_unit_test(test_bad_checksum),
		cmocka_unit_test(test_udp),
		cmocka_unit_test(test_icmp_echo),
		cmocka_unit_test(test_payload_pattern_and_custom),
		cmocka_unit_test(test_frame_len_grows_payload),
		cmocka_unit_test(test_truncate),
		cmocka_unit_test(test_trailer_and_ipver),
		cmocka_unit_test(test_spec_refuses_inert_keys),
		cmocka_unit_test(test_build_errors),
		cmocka_unit_test(test_spec_parse_errors),
		cmocka_unit_test(test_spec_parse_values),
		cmocka_unit_test_setup_teardown(
			test_vector_file_good, vec_dir_setup, vec_dir_teardown),
		cmocka_unit_test_setup_teardown(test_vector_file_errors,
						vec_dir_setup,
						vec_dir_teardown),
		cmocka_unit_test(test_pcap_writer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
