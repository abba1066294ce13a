/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The adaptive table's layout: keys apart from state, so that a probe
 * reads one cache line of eight keys and only the matching entry's state.
 */
#ifndef OP25B_ADAPTIVE_PRIV_H
#define OP25B_ADAPTIVE_PRIV_H

#include <stdatomic.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_lcore.h>

#include "op25b_adaptive.h"

/* Ways of a bucket: eight 64-bit keys fill one cache line. */
#define ADAPTIVE_WAYS 8
/* A way being set up: no source has this key (an IPv6 key in ff00::/8 is
 * multicast; IPv4 keys have 32 zero bits above the address). */
#define ADAPTIVE_KEY_CLAIMING UINT64_MAX

/* Window and destination words: the sub-window index (16 bits, modulo
 * 65536) above a 16-bit count or destination hash. Aliasing needs an
 * entry idle for 65536 sub-windows (2.3 h at per: 1s), and the sweep
 * frees an idle entry within one pass (seconds), so it cannot happen. */
#define ADAPTIVE_EPOCH_MASK 0xffffu
#define ADAPTIVE_COUNT_MAX 0xffffu

struct adaptive_entry {
	/* Ticks until which the source is blocked; 0: not blocked. */
	_Atomic uint64_t blocked_until;
	/* Ticks at which its window is empty (last counted SYN + per). */
	_Atomic uint64_t expire_at;
	_Atomic uint32_t class_slot;
	/* 1 when dest[] was cleared with the window: a class without a
	 * destination limit never writes (nor misses on) that line. */
	_Atomic uint32_t dest_valid;
	/* The rule's sub-window when the window was started: a reload that
	 * changes `per` restarts the window rather than misread it. */
	_Atomic uint64_t sub_ticks;
	/* window[i]: epoch << 16 | SYNs of sub-window epoch, at i = epoch % 8 */
	_Atomic uint32_t window[OP25B_ADAPTIVE_SUBWINDOWS];
	/* hash << 16 | epoch of its last SYN; 0: empty */
	_Atomic uint32_t dest[OP25B_ADAPTIVE_MAX_DESTINATIONS];
} __rte_cache_aligned;

_Static_assert(sizeof(struct adaptive_entry) == 2 * RTE_CACHE_LINE_SIZE,
	       "an entry is two cache lines: counts, then destinations");

/* Counted by the lcore that saw the event: no line is shared by two
 * writers. Slot RTE_MAX_LCORE is for threads that are not EAL lcores. */
struct adaptive_lcore_counts {
	uint64_t triggered;
	uint64_t evicted;
	uint64_t table_full;
	uint64_t class_triggered[OP25B_STATS_SLOTS];
} __rte_cache_aligned;

struct op25b_adaptive_table {
	_Atomic uint64_t *keys; /* n_buckets * ADAPTIVE_WAYS */
	struct adaptive_entry *entries;
	uint32_t n_buckets;
	uint64_t hz;
	op25b_adaptive_clock_fn_t clock;
	void *clock_ctx;
	size_t memory;
	/* The sweep's place and running sums, and the gauges of its last
	 * full pass (read by other threads: atomic). */
	uint64_t sweep_next;
	uint64_t sweep_tracked, sweep_blocked;
	_Atomic uint64_t tracked, blocked;
	struct adaptive_lcore_counts counts[RTE_MAX_LCORE + 1];
};

#endif /* OP25B_ADAPTIVE_PRIV_H */
