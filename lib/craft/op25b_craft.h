/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Packet crafting for tests, test vectors and the traffic generator:
 * a frame described as key=value tokens ("src=10.1.2.3 dport=25 flags=S
 * vlan=100") is built byte by byte, well-formed or deliberately broken.
 *
 * No DPDK dependency. Errors are -errno with a message in a caller buffer.
 */
#ifndef OP25B_CRAFT_H
#define OP25B_CRAFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OP25B_CRAFT_MAX_VLANS 10
#define OP25B_CRAFT_MAX_EXT 16
#define OP25B_CRAFT_FRAME_MAX 9216

/** Everything a test can say about one frame. Zero means "default" for
 * every field whose default is noted. */
struct op25b_craft_spec {
	uint8_t src_mac[6], dst_mac[6]; /**< default 02:00:00:00:00:01 / :02 */
	unsigned int n_vlans;		/**< tags, outermost first */
	uint16_t vlan_tpid[OP25B_CRAFT_MAX_VLANS]; /**< default 0x8100; QinQ
						    * outer 0x88a8 */
	uint16_t vlan_tci[OP25B_CRAFT_MAX_VLANS];
	bool pppoe; /**< PPPoE session (0x8864) */
	uint16_t pppoe_session;
	int32_t pppoe_length_delta; /**< added to the true PPPoE length */
	bool pppoe_pfc;		    /**< PPP protocol field compressed to
					  * one byte (RFC 1661 PFC) */
	uint16_t ethertype;	    /**< override the L3 ethertype (or the
					  * PPP protocol under PPPoE); 0 = by
					  * family */

	int family;		       /**< AF_INET (default) or AF_INET6 */
	uint8_t src[16], dst[16];      /**< network byte order */
	uint8_t ttl;		       /**< default 64 */
	uint8_t ipv4_ihl;	       /**< 0 = 5 + options */
	uint8_t ipv4_options_len;      /**< bytes of NOP options (x4) */
	uint8_t ipv4_srr;	       /**< 0, or 0x83 (LSRR) / 0x89 (SSRR): a
				   * source route at the options' end */
	bool ipv4_srr_done;	       /**< its pointer past its one address */
	uint8_t ipv4_option_bytes[40]; /**< written at the options' start */
	uint8_t n_ipv4_option_bytes;
	int32_t ip_length_delta; /**< added to the true IPv4 total /
					  * IPv6 payload length */
	uint16_t frag_offset;	 /**< in 8-byte units */
	bool more_fragments;
	bool frag_header;   /**< IPv6: add a fragment header even
					  * when offset and M are 0 */
	unsigned int n_ext; /**< extension headers before L4 (IPv4: AH) */
	uint8_t ext[OP25B_CRAFT_MAX_EXT]; /**< types: 0 hop-by-hop, 43 routing,
					  * 44 fragment, 60 destination, 51 AH */
	uint8_t ext_loop;		  /**< nonzero: the last extension's
					  * next header points to this type */
	bool llc_snap;	  /**< 802.3: a length field and RFC 1042's LLC/SNAP
			* header in front of the IP packet (not with pppoe) */
	uint16_t ext_pad; /**< bytes of padding in each hop-by-hop and
			   * destination options header beyond its 8 (a
			   * multiple of 8, at most 2040) */
	uint8_t segments_left; /**< of each routing header (default 0) */

	uint8_t proto;		 /**< default 6 (TCP); 17 UDP, 1 ICMP */
	uint16_t sport, dport;	 /**< default 40000 / 25 */
	uint8_t tcp_flags;	 /**< default SYN (0x02) */
	uint32_t seq, ack;	 /**< default 1000 / 0 */
	uint8_t tcp_doff;	 /**< 0 = 5 (+ options) */
	uint8_t tcp_options_len; /**< bytes of NOP options (x4) */
	uint16_t payload_len;	 /**< L4 payload bytes (pattern) */

	uint16_t frame_len;   /**< pad payload so the frame has this
					  * length (0: as built) */
	uint16_t truncate;    /**< cut the frame to this many bytes
					  * after building (0: no cut) */
	uint16_t trailer;     /**< zero bytes after the IP packet, in no
			       * length or checksum: an Ethernet frame padded
			       * to its 60-byte minimum by the sender's NIC */
	uint8_t ip_version;   /**< the IP header's version nibble (0: the
			       * family's, 4 or 6); nothing else changes */
	bool bad_l4_checksum; /**< store a wrong TCP/UDP checksum */
	/** OP25B_CRAFT_LITERAL_* bits: the field was given, 0 included
	 * (without the bit, 0 means the default). */
	uint32_t literal;
};

/* Bits of op25b_craft_spec.literal: ihl, doff, ipver, and each tag's
 * tpid (bit OP25B_CRAFT_LITERAL_TPID << tag). */
#define OP25B_CRAFT_LITERAL_IHL (1u << 0)
#define OP25B_CRAFT_LITERAL_DOFF (1u << 1)
#define OP25B_CRAFT_LITERAL_IPVER (1u << 2)
#define OP25B_CRAFT_LITERAL_TPID (1u << 3)

/** Fill @p spec with the defaults: IPv4 TCP SYN 192.0.2.1:40000 ->
 * 203.0.113.1:25, TTL 64, seq 1000. A spec set to IPv6 by the parser gets
 * 2001:db8::1 -> 2001:db8:ffff::1 for the address it was not given. */
void op25b_craft_spec_init(struct op25b_craft_spec *spec);

/**
 * Apply "key=value" tokens separated by blanks to @p spec (call
 * op25b_craft_spec_init() first). Keys: src dst (v4 or v6 address; sets the
 * family) sport dport flags (letters SAFRPU, e.g. "SA", or a number) seq ack
 * ttl proto (tcp|udp|icmp|icmp6|number) smac dmac (aa:bb:cc:dd:ee:ff)
 * vlan (TCI, repeatable: outermost
 * first) qinq (OUTER,INNER: 0x88a8 + 0x8100) tpid (overrides the last tag's
 * TPID) pppoe (session id) pppoe_len (delta) pfc (0|1: one-byte PPP
 * protocol, the low byte of the two-byte one) snap (0|1: 802.3 length and
 * RFC 1042 LLC/SNAP before IP, an IP packet of 1492 bytes at most;
 * ethertype is then the SNAP's) ethertype ihl ipopts
 * ip_len (delta) frag (offset in 8-byte units) mf (0|1) fraghdr (0|1)
 * ext (comma list: hbh,rt,dst,frag,ah or numbers) ext_loop extpad (bytes
 * more in each hbh, dst and ah header, a multiple of 8; with ah at most
 * 1008) doff tcpopts
 * payload len (frame length, at least the frame built) trunc (at most the
 * frame's end) trailer (zero bytes past the IP packet, in no length)
 * ipver (the version nibble alone) badsum (0|1) srr (lsrr|ssrr|lsrr-done|
 * ssrr-done: an IPv4 source route of one address, 198.51.100.25, in the
 * last 7 bytes of ipopts, its pointer at the address or past it)
 * segleft (segments left of each routing header) ipoptbytes (hex, the
 * first bytes of the options, NOPs after them: any option list).
 * ihl, doff, ipver and tpid build a 0 given as 0 (left out, 0 in the
 * struct means the default: op25b_craft_spec.literal says which were).
 * Unknown keys are an error, and so is a key given twice (but vlan, and
 * tpid once per tag) or one that would change nothing: pfc or pppoe_len
 * without pppoe, extpad without an hbh, dst or ah header, doff or tcpopts
 * without a TCP header (UDP, ICMP, a later fragment), fraghdr on IPv4;
 * so is an IPv4 ext= with other headers than ah (AH in transport mode,
 * after the options), an IPv4 ext_loop, and ext=ah on a later IPv4
 * fragment, srr without 8 bytes of ipopts or on IPv6, segleft without rt
 * in ext, ipoptbytes longer than ipopts (or into srr's 7 bytes).
 * Keys in @p ignore (NULL-terminated, may be NULL) are skipped so that
 * vector files can carry expectations.
 * Numbers are decimal or 0x hex; flags also take E (ECE) and C (CWR);
 * "proto=icmp" means ICMPv6 when the spec ends up IPv6; ext_loop takes a
 * type name or number but not 0 (hbh), which means "no loop"; src and dst
 * given together must be of one family. Tokens already applied stay
 * applied when a later one fails.
 *
 * @return 0, or -EINVAL with "unknown key 'k'", "bad value for 'k': 'v'"
 *   or a more precise message in @p err, or -ENOMEM.
 */
int
op25b_craft_spec_parse(struct op25b_craft_spec *spec, const char *tokens,
		       const char *const *ignore, char *err, size_t err_size);

/**
 * Build the frame: Ethernet, VLAN tags, PPPoE session + PPP protocol, IPv4
 * (id 0x1234, NOP options) or IPv6 with its extension chain (a fragment
 * header is appended when frag/mf/fraghdr ask for one and ext has none),
 * then TCP (window 65535, NOP options), UDP, ICMP/ICMPv6 echo or, for other
 * protocols, payload only; the payload is the pattern byte i = i & 0xff.
 * A non-first fragment (frag_offset > 0) carries no L4 header, only
 * max(payload_len, 8) payload bytes. frame_len grows the payload (and every
 * length); trailer adds bytes past the IP packet that no length counts;
 * lengths and checksums are computed before truncate cuts.
 * ext_loop, with no extension header, replaces the IPv6 next header.
 * @return its length (> 0), or -ENOSPC when @p size is too small, or
 *   -EINVAL for a spec that cannot be built (too many headers, options not
 *   a multiple of 4 or over 40 bytes, IHL/doff over 15, offset over 8191,
 *   extension headers other than AH on IPv4 or AH on a later IPv4
 *   fragment, IHL/IPv4 options on IPv6, a length no 16-bit field can
 *   hold), or
 *   -ENOMEM when a truncated frame larger than @p size cannot be built
 *   aside.
 */
int op25b_craft_build(const struct op25b_craft_spec *spec, uint8_t *buf,
		      size_t size);

/**
 * Build the frame as op25b_craft_build() does, with the first bytes of the
 * L4 payload taken from @p payload instead of the pattern. The payload keeps
 * the length the spec gives it (payload_len, grown by frame_len), so set
 * payload_len to @p payload_size to carry exactly these bytes; lengths and
 * checksums cover the bytes as stored. The generator uses it to put real
 * SMTP, HTTP and DNS text in its packets.
 * @return as op25b_craft_build().
 */
int op25b_craft_build_payload(const struct op25b_craft_spec *spec,
			      const uint8_t *payload, size_t payload_size,
			      uint8_t *buf, size_t size);

/** Internet checksum of @p len bytes, for building and checking replies.
 * @return the value to store big-endian in a checksum field that was 0
 *   while summing; 0 over bytes that hold a correct checksum. */
uint16_t op25b_craft_ip_checksum(const void *data, size_t len);
/** TCP/UDP/ICMPv6 checksum over the pseudo-header; @p l4 covers @p l4_len
 * bytes. @return as op25b_craft_ip_checksum() (UDP stores 0xffff for 0). */
uint16_t
op25b_craft_l4_checksum(int family, const uint8_t *src, const uint8_t *dst,
			uint8_t proto, const void *l4, size_t l4_len);

/**
 * One case of a test vector file (test/vectors/ *.vec). Format, one case a
 * line, '#' comments:
 *
 *   policy FILE                      (relative to the .vec file; once)
 *   NAME expect=OUTCOME [class=C] [group=G] [counter=K] [reply=FLAGS]
 *        SPEC-TOKENS...
 *
 * OUTCOME is one of: non_smtp submission fragments malformed forwarded
 * counted blocked reset. class/group default to "-" (none). K names the
 * frame counter (OP25B_FRAME_LIST: non_ip_arp, vlan_too_deep, ...) the
 * frame must increment besides its outcome; "-" (the default): none.
 * FLAGS are the TCP flags of the reply sent back, in lib/craft's letters
 * (SAFRP: "SA" a SYN-ACK, "R" a RST, "RA" a RST+ACK) or "-" for none;
 * the default is "RA" for expect=reset and "-" for every other outcome
 * (block: notify answers blocked packets too).
 */
struct op25b_vector_case {
	char name[64];
	char expect[16];
	char class_name[64];
	char group_name[64];
	char counter[32];
	/** The TCP flags of the reply the frame gets ("RA", "SA", "R"), or
	 * "-": none. Default: "RA" for expect=reset, "-" otherwise. */
	char reply[8];
	unsigned int line;
	uint8_t frame[OP25B_CRAFT_FRAME_MAX];
	unsigned int frame_len;
};

struct op25b_vector_file {
	char policy_path[512]; /**< resolved against the .vec directory */
	struct op25b_vector_case *cases;
	unsigned int n_cases;
};

/**
 * Read a vector file and build every case's frame. Case names must be
 * unique; a file without a `policy` line loads with an empty policy_path.
 * On failure @p vf is left empty (nothing to free).
 * @return 0, or -errno with "file:line: message" in @p err (or
 *   "file: message" when the file cannot be read): -EINVAL for a bad line,
 *   -ENOSPC/-EINVAL for a case that cannot be built, -ENAMETOOLONG, -ENOMEM,
 *   -EIO, or fopen's errno.
 */
int op25b_vector_file_load(const char *path, struct op25b_vector_file *vf,
			   char *err, size_t err_size);
/** Free the cases of @p vf and leave it empty; safe on an empty one. */
void op25b_vector_file_free(struct op25b_vector_file *vf);

/*
 * Minimal pcap (not pcapng) writer, Ethernet link type, microsecond stamps,
 * little-endian, snap length 65535. Kept here so the generator does not
 * need libpcap.
 */
/** Write the 24-byte global header. @return 0 or -errno (-EIO). */
int op25b_pcap_write_header(FILE *f);
/** Write one record stamped @p usec after the epoch; frames over the snap
 * length are stored cut. @return 0 or -errno (-EIO). */
int op25b_pcap_write_frame(FILE *f, const uint8_t *frame, unsigned int len,
			   uint64_t usec);

#ifdef __cplusplus
}
#endif

#endif /* OP25B_CRAFT_H */
