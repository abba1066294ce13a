/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a reply (block: reset's RST, block: notify's answers) needs of the
 * TCP segment it answers, for the classifier (reset.c, notify.c) and the
 * XDP program (lib/xdp/op25b_xdp.bpf.c, which includes this header: plain
 * C and <stdint.h> only, for the BPF target too).
 */
#ifndef OP25B_TCP_SEEN_H
#define OP25B_TCP_SEEN_H

#include <stdint.h>

/* Read before a byte of the segment is overwritten. */
struct tcp_seen {
	uint8_t src[16], dst[16]; /* IPv4 in the first 4 bytes */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint32_t seg_len; /* sequence space: payload, SYN and FIN */
	uint8_t flags;
};

#endif /* OP25B_TCP_SEEN_H */
