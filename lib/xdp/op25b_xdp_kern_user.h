/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the XDP program (op25b_xdp.bpf.c) and its loader (lib/xdp) share:
 * the map layouts and constants, in the manner of xdp-tools' *_kern_user.h.
 * Plain C types only: this header is compiled for the BPF target too.
 *
 * A policy lives in two generations (0 and 1). The program reads the
 * active generation once per packet and uses only that generation's
 * tables: a reload fills new tables aside, puts them into the idle
 * generation's slots, then switches with one store into op25b_active, so
 * no packet sees half a policy; after an RCU grace period it releases the
 * old generation's tables.
 */
#ifndef OP25B_XDP_KERN_USER_H
#define OP25B_XDP_KERN_USER_H

#include <stdint.h>

#include "op25b_stats.h"

#define OP25B_XDP_GENERATIONS 2
/* The parser's bounds, as lib/classify's (classify_priv.h). */
#define OP25B_XDP_PARSE_DEPTH 1024
#define OP25B_XDP_IPV6_EXT_MAX 8
#define OP25B_XDP_IPV4_AH_MAX 8
#define OP25B_XDP_IPV4_AH_FRAG_MIN 8
#define OP25B_XDP_MAX_VLAN_TAGS 8

/* Prefix tables: BPF_MAP_TYPE_LPM_TRIE maps of these keys, the value a
 * class or group slot (1..255). The loader creates one per side and
 * family for each policy, fills it aside and puts it into its slot of an
 * BPF_MAP_TYPE_ARRAY_OF_MAPS (op25b_src4, ...: one slot per generation).
 * The exemptions use the same keys. */
struct op25b_xdp_key4 {
	uint32_t prefixlen;
	uint8_t addr[4];
};

struct op25b_xdp_key6 {
	uint32_t prefixlen;
	uint8_t addr[16];
};

/* A matrix cell of an adaptive class (lib/classify's MATRIX_ADAPTIVE):
 * forwarded unless its source is blocked, then the class's block_outcome. */
#define OP25B_XDP_MATRIX_ADAPTIVE OP25B_OUTCOME_MAX
/* A matrix cell of block: notify (lib/classify's MATRIX_NOTIFY): the
 * program answers the segment (a SYN-ACK, the greeting, or a RST). */
#define OP25B_XDP_MATRIX_NOTIFY (OP25B_OUTCOME_MAX + 1)

/* An adaptive class's limit in nanoseconds of the program's clock
 * (lib/adaptive's struct op25b_adaptive_rule, by class slot). */
struct op25b_xdp_adaptive_rule {
	uint64_t per_ns;
	uint64_t sub_ns; /* per_ns / OP25B_XDP_ADAPTIVE_SUBWINDOWS, >= 1 */
	uint64_t block_ns;
	uint32_t connections;  /* more in a window: blocked */
	uint32_t destinations; /* more distinct: blocked; 0: not checked */
	uint8_t ipv6_key;      /* the IPv6 key's prefix length, 32..64 */
	uint8_t block_outcome; /* BLOCKED, RESET, NOTIFY or COUNTED (monitor) */
	uint8_t pad[6];
};

/* One generation of everything but the prefixes (BPF_MAP_TYPE_ARRAY, one
 * entry per generation). */
struct op25b_xdp_policy {
	/* enum op25b_port_kind by destination port */
	uint8_t port_kind[65536];
	/* outcome[class_slot * 256 + group_slot]: FORWARDED, COUNTED,
	 * BLOCKED or RESET (a reset if the packet is a bare SYN), monitor
	 * mode and block style applied, as lib/classify's matrix. */
	uint8_t matrix[OP25B_STATS_SLOTS * OP25B_STATS_SLOTS];
	uint8_t max_vlan_tags;
	uint8_t malformed_forward; /* malformed: forward */
	/* The generation's mode and block style for op25b-stat (the matrix
	 * has them applied; the program reads neither): 1 + enum
	 * op25b_stats_mode, 1 + enum op25b_stats_block; 0: written by an
	 * op25b-xdp from before them. */
	uint8_t stats_mode;
	uint8_t stats_block;
	uint8_t pad[4];
	/* by class slot; set where the class is adaptive */
	struct op25b_xdp_adaptive_rule adaptive[OP25B_STATS_SLOTS];
};

/* The active generation (BPF_MAP_TYPE_ARRAY, one entry), and what each
 * generation holds, for the loader and status. */
struct op25b_xdp_active {
	/* Bit 0: the active generation, all a program reads (gen & 1, in
	 * every version of it). Bits 1..31: reloads refused (a policy that
	 * does not load, maps that refuse it), which op25b-stat --xdp shows
	 * as reload_failed: kept here, not in a member of their own, so that
	 * the entry's size stays what a loaded program's map has. */
	uint32_t gen;
	uint32_t ifindex; /* where op25b-xdp load attached it; 0: none */
	uint64_t prefixes[OP25B_XDP_GENERATIONS];
	uint64_t reloads; /* successful applies after the first */
	char policy[256]; /* the file, for reload without --policy */
	/* the exemptions file (lib/exempt's state-file format) reload and
	 * op25b-xdp exempt read and write; "" : none */
	char exemptions[256];
};

/* The most prefixes one table of a generation holds (one side, one
 * family): a cap; an LPM trie's nodes are allocated as inserted. */
#define OP25B_XDP_PREFIXES_MAX (16u * 1024 * 1024)
#define OP25B_XDP_EXEMPTIONS_MAX 65536

/* The exemptions: LPM tries of the keys above, one per family and
 * generation (op25b_exempt4/6, ARRAY_OF_MAPS like the prefix tables), so
 * that a reload switches the policy and the exemptions in one store;
 * op25b-xdp exempt add/del update the active generation's table in place.
 * An exemption past its expiry no longer applies: the program then looks
 * for a shorter one covering the source (at most
 * OP25B_XDP_EXEMPT_EXPIRED_WALK expired ones in a row), as if the expired
 * one were gone, which it is at the next change or within a second under
 * op25b-xdp run. */
struct op25b_xdp_exempt {
	uint64_t expires_ns; /* CLOCK_BOOTTIME (bpf_ktime_get_boot_ns); 0:
			      * never */
	uint32_t prefixlen;  /* the entry's own length, to look below it */
	uint32_t pad;
};

#define OP25B_XDP_EXEMPT_EXPIRED_WALK 4

/*
 * Adaptive state: lib/adaptive's struct adaptive_entry (adaptive_priv.h),
 * one per source, in one BPF_MAP_TYPE_LRU_HASH (op25b_adaptive; not per
 * CPU: a source's SYNs land on any CPU), keyed by op25b_adaptive_key4/6()
 * (lib/adaptive/op25b_adaptive.h). It lives outside the generations: a
 * reload keeps it, as op25b's table. Times in ns of the program's clock:
 * CLOCK_BOOTTIME (bpf_ktime_get_boot_ns()), or op25b_clock_ns (.bss) when
 * it is not 0, which replay and the tests set before each run.
 */
#define OP25B_XDP_ADAPTIVE_ENTRIES 131072 /* by default */
#define OP25B_XDP_ADAPTIVE_SUBWINDOWS 8
#define OP25B_XDP_ADAPTIVE_DESTINATIONS 16

/* blocked_until of an entry a SYN is starting anew (lib/adaptive's
 * ADAPTIVE_RESTARTING): held as blocked by the program, read as no block
 * by the views. */
#define OP25B_XDP_ADAPTIVE_RESTARTING UINT64_MAX

struct op25b_xdp_adaptive_entry {
	uint64_t blocked_until; /* 0: not blocked */
	uint64_t expire_at;	/* the window is empty then */
	uint64_t sub_ns;	/* the rule's when the window started */
	uint32_t class_slot;
	uint32_t dest_valid; /* dest[] cleared with the window */
	/* window[i]: epoch << 16 | SYNs of sub-window epoch, i = epoch % 8 */
	uint32_t window[OP25B_XDP_ADAPTIVE_SUBWINDOWS];
	/* hash << 16 | epoch of its last SYN; 0: empty */
	uint32_t dest[OP25B_XDP_ADAPTIVE_DESTINATIONS];
};

/* The adaptive events (BPF_MAP_TYPE_PERCPU_ARRAY, one entry): per class
 * slot, OP25B_CLASS_ADAPTIVE_LIST's counters (op25b_stats_header's
 * class_adaptive); new sources the LRU hash refused (adaptive_table_full).
 * An LRU hash evicts without telling: adaptive_evicted stays 0. */
struct op25b_xdp_adaptive_counts {
	uint64_t table_full;
	uint64_t class_adaptive[OP25B_STATS_SLOTS][OP25B_CLASS_ADAPTIVE_MAX];
};

/*
 * block: notify (lib/classify/notify.h, the design): stateless answers
 * with SYN cookies. What a generation's policy says (BPF_MAP_TYPE_ARRAY
 * op25b_notify, one entry per generation): the greeting made from its
 * notice by op25b_notify_greeting(), and its one's complement sum (16-bit
 * big-endian words, an odd last byte padded with 0), which the program
 * folds into the TCP checksum with the headers'; the rate (replies a
 * second per CPU, notify_rate).
 */
#define OP25B_XDP_NOTIFY_GREETING_MAX 512
#define OP25B_XDP_NOTIFY_SLOT_NS (64ull * 1000000000ull) /* 64 s */

struct op25b_xdp_notify {
	uint64_t rate;
	uint32_t greeting_len; /* the 554 greeting's length (0: none: the
				* program sends no greeting then) */
	uint32_t greeting_sum;
	uint8_t greeting[OP25B_XDP_NOTIFY_GREETING_MAX];
};

/* The cookies' SipHash key (BPF_MAP_TYPE_ARRAY, one entry, outside the
 * generations): random at load, kept by reloads, so that a handshake
 * survives a reload (as op25b keeps its key per start). */
struct op25b_xdp_notify_key {
	uint64_t key[2];
};

/* The per-CPU budget (BPF_MAP_TYPE_PERCPU_ARRAY, one entry): a token
 * bucket of a second's replies in units of 1/10^9 of a reply, on the
 * program's clock (notify.c's, per lcore). */
struct op25b_xdp_notify_budget {
	uint64_t units;
	uint64_t last;
};

/* The counters are lib/stats's struct op25b_stats_counters, one per CPU
 * (BPF_MAP_TYPE_PERCPU_ARRAY, one entry): the same outcome and frame
 * lists, the same names everywhere. */

#endif /* OP25B_XDP_KERN_USER_H */
