/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Adaptive blocking: per-source tracking of new SMTP connections, shared
 * by every worker, so that a source that opens more than N connections
 * (or talks to more than M destinations) within a window is blocked for a
 * while, exactly at its (N+1)th connection whichever workers its
 * connections land on.
 *
 * The table lives outside the compiled policy: it is created once at
 * start, sized by the operator (--adaptive-entries), and survives policy
 * reloads. Each entry carries the class slot it was counted under; a
 * source found under another class starts again. The rules (limits in
 * clock ticks) are compiled per policy and passed to every call.
 *
 * Concurrency: no lock. The keys are an open-addressed array of buckets,
 * one cache line of eight 64-bit keys each, claimed with a CAS; an entry's
 * counters are 32-bit words updated with CAS loops. Time comes from an
 * injectable clock (the TSC in the appliance, capture timestamps in
 * replay, a variable in unit tests).
 */
#ifndef OP25B_ADAPTIVE_H
#define OP25B_ADAPTIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>
#include <rte_prefetch.h>
#include <rte_reciprocal.h>

#include "adaptive_key.h"
#include "op25b_policy.h"
#include "op25b_stats.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Default --adaptive-entries. */
#define OP25B_ADAPTIVE_DEFAULT_ENTRIES 1000000u
/** The smallest table (one bucket would make eviction the rule). */
#define OP25B_ADAPTIVE_MIN_ENTRIES 64u
/** Sub-windows a window is cut into: a connection is remembered for
 * between (OP25B_ADAPTIVE_SUBWINDOWS - 1) / OP25B_ADAPTIVE_SUBWINDOWS of
 * `per` and `per`, never longer. */
#define OP25B_ADAPTIVE_SUBWINDOWS 8
/** The most distinct destinations an entry tells apart: `destinations`
 * is at most this. */
#define OP25B_ADAPTIVE_MAX_DESTINATIONS 16

/** A clock: ticks since any origin, never going back. */
typedef uint64_t (*op25b_adaptive_clock_fn_t)(void *ctx);

struct op25b_adaptive_table;

/** How to create a table (libbpf-style: @c sz first, so it may grow). */
struct op25b_adaptive_params {
	size_t sz;	  /**< sizeof(struct op25b_adaptive_params) */
	uint32_t entries; /**< sources tracked at most (rounded up to 8) */
	int socket_id;	  /**< NUMA socket, or SOCKET_ID_ANY */
	uint64_t hz;	  /**< ticks per second of @c clock */
	op25b_adaptive_clock_fn_t clock; /**< NULL: the TSC (hz ignored) */
	void *clock_ctx;
	/**
	 * True when one thread alone accounts in the table (one worker, or a
	 * tool's replay): its updates are plain loads and stores instead of
	 * locked compare-and-swaps, which drain the store buffer (a churning
	 * table paid about 8 cycles a SYN for them). The control lcore may
	 * still clear, sweep, look up and walk. False: any number of threads
	 * account, the (N+1)th SYN of a source blocked exactly.
	 */
	bool single_writer;
};

/** A class's limits in ticks, compiled per policy by
 * op25b_adaptive_rule_init(). */
struct op25b_adaptive_rule {
	uint64_t per_ticks;
	uint64_t sub_ticks; /**< per_ticks / OP25B_ADAPTIVE_SUBWINDOWS */
	/** now / sub_ticks without a division (a 64-bit div is 40-90
	 * cycles, a third of a packet's budget). */
	struct rte_reciprocal_u64 sub_divisor;
	uint64_t block_ticks;
	uint32_t connections;  /**< more than this in a window: blocked */
	uint32_t destinations; /**< more distinct: blocked; 0: not checked */
	uint8_t ipv6_key;      /**< IPv6 prefix length of the key, 32..64 */
	uint8_t class_slot;    /**< 1..255 */
};

/** What the data path is told for one SMTP segment. */
enum op25b_adaptive_verdict {
	OP25B_ADAPTIVE_PASS = 0, /**< forward */
	OP25B_ADAPTIVE_BLOCK,	 /**< the source is blocked: handle as block */
};

/** The table's gauges and event counters: the fields of
 * OP25B_ADAPTIVE_LIST (op25b_stats.h), the names every view shows. */
struct op25b_adaptive_totals {
	OP25B_ADAPTIVE_LIST(OP25B_STATS_FIELD_DECLARE)
};

/** One source's state, for the CLI and explain. */
struct op25b_adaptive_info {
	uint64_t key;
	uint8_t class_slot;
	uint32_t connections;	     /**< SYNs in the window */
	uint32_t destinations;	     /**< distinct destinations in the window */
	uint64_t blocked_ticks_left; /**< 0: not blocked */
	uint64_t idle_ticks_left;    /**< until its state ages out */
	/** The sub-window its counts were made in (its rule's sub_ticks
	 * then): a rule of @c class_slot with another now (a reload changed
	 * `per`) starts the source again at its next SYN, as another class
	 * does. */
	uint64_t sub_ticks;
};

/**
 * Create a table of @c entries sources (rounded up to a multiple of 8).
 *
 * @return the table, or NULL with rte_errno: EINVAL (params NULL, entries
 *   below OP25B_ADAPTIVE_MIN_ENTRIES or above 2^30, hz 0 with a clock),
 *   ENOMEM.
 */
struct op25b_adaptive_table *
op25b_adaptive_create(const struct op25b_adaptive_params *params);

/** Free a table; NULL is accepted. */
void op25b_adaptive_free(struct op25b_adaptive_table *t);

/** Bytes the table holds (printed at start). */
size_t op25b_adaptive_memory(const struct op25b_adaptive_table *t);

/** Whether the table was made for one writer (its params' single_writer). */
bool op25b_adaptive_single_writer(const struct op25b_adaptive_table *t);

/** Entries (sources) the table holds at most. */
uint32_t op25b_adaptive_capacity(const struct op25b_adaptive_table *t);
/** The table's clock now, in ticks. */
uint64_t op25b_adaptive_now(const struct op25b_adaptive_table *t);
/** Ticks per second of the table's clock. */
uint64_t op25b_adaptive_hz(const struct op25b_adaptive_table *t);

/**
 * Compile a class's @p limit into @p rule for the clock of @p t.
 * @return 0, or -EINVAL (NULL argument, slot 0, a limit of 0,
 *   destinations above OP25B_ADAPTIVE_MAX_DESTINATIONS).
 */
int
op25b_adaptive_rule_init(const struct op25b_adaptive_table *t,
			 const struct op25b_adaptive_limit *limit,
			 uint8_t class_slot, struct op25b_adaptive_rule *rule);

/** The key of an IPv4 source (host byte order). Never 0. */
static inline uint64_t
op25b_adaptive_key4(uint32_t addr)
{
	return adaptive_key4(addr);
}

/** The key of an IPv6 source (network byte order): its first @p length
 * bits (32..64); a source in ::/length or ff00::/8, which is no
 * subscriber's prefix, keyed apart (adaptive_key.h). Never 0. */
static inline uint64_t
op25b_adaptive_key6(const uint8_t *addr, unsigned int length)
{
	uint64_t hi, lo;

	memcpy(&hi, addr, sizeof(hi));
	memcpy(&lo, addr + 8, sizeof(lo));
	return adaptive_key6(__builtin_bswap64(hi), __builtin_bswap64(lo),
			     length);
}

/** A destination for the distinct-destination count: 16 bits of a hash
 * of the address, never 0. */
static inline uint16_t
op25b_adaptive_dest_hash(const uint8_t *addr, unsigned int len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	unsigned int i;

	for (i = 0; i < len; i++)
		h = (h ^ addr[i]) * 0x100000001b3ull;
	h ^= h >> 32;
	h ^= h >> 16;
	return (uint16_t)h == 0 ? 1 : (uint16_t)h;
}

/** The first member of every table (the rest is private): what the
 * inline op25b_adaptive_prefetch() reads. */
struct op25b_adaptive_head {
	const void *keys;   /**< the buckets' key lines, one cache line each */
	uint32_t n_buckets; /**< at least OP25B_ADAPTIVE_MIN_ENTRIES / 8 */
};

/** The bucket of @p key: Fibonacci hashing, then multiply-shift onto any
 * number of buckets, so that sequential addresses (a pool) spread over
 * the whole table. */
static inline uint32_t
op25b_adaptive_bucket(const struct op25b_adaptive_table *t, uint64_t key)
{
	const struct op25b_adaptive_head *h =
		(const struct op25b_adaptive_head *)(const void *)t;
	uint64_t x = key * 0x9e3779b97f4a7c15ull;

	return (uint32_t)(((x >> 32) * h->n_buckets) >> 32);
}

/** Start loading the cache line of @p key's bucket (a burst loop calls it
 * one stage ahead of op25b_adaptive_account()). Inline: the parse loop
 * calls it for every IPv4 SMTP packet, and the call cost 8 instructions
 * a packet (callgrind's churn: 471.6 -> 463.6). */
static inline void
op25b_adaptive_prefetch(const struct op25b_adaptive_table *t, uint64_t key)
{
	const struct op25b_adaptive_head *h =
		(const struct op25b_adaptive_head *)(const void *)t;

	rte_prefetch0((const char *)h->keys +
		      (size_t)op25b_adaptive_bucket(t, key) *
			      RTE_CACHE_LINE_SIZE);
}

/** Start loading the entry of @p key (its own, or the one a full bucket
 * would give it), once its bucket's line is in cache; @p destinations:
 * its destination line too. */
void op25b_adaptive_prefetch_entry(const struct op25b_adaptive_table *t,
				   uint64_t key, bool destinations);

/**
 * Account one SMTP segment of a source of an adaptive class. A bare SYN
 * (SYN without ACK) is a new connection: it is counted (the source is
 * added if new), and when it takes the source over a limit the source is
 * blocked for the rule's block_for, this SYN included. Other segments
 * only look the source up. No allocation, lock, syscall or log.
 *
 * @param key op25b_adaptive_key4() or op25b_adaptive_key6() with the
 *   rule's ipv6_key; 0: never tracked (PASS).
 * @param dest op25b_adaptive_dest_hash() of the destination.
 * @param now the table's clock (read once per burst).
 * @return OP25B_ADAPTIVE_PASS or OP25B_ADAPTIVE_BLOCK.
 */
enum op25b_adaptive_verdict
op25b_adaptive_account(struct op25b_adaptive_table *t,
		       const struct op25b_adaptive_rule *rule, uint64_t key,
		       uint16_t dest, bool syn, uint64_t now);

/** One SMTP segment of a burst for op25b_adaptive_account_burst(). */
struct op25b_adaptive_req {
	uint64_t key; /**< as for op25b_adaptive_account() */
	uint32_t
		base; /**< its bucket, set by op25b_adaptive_prefetch_burst() */
	uint16_t dest; /**< op25b_adaptive_dest_hash(), 0 without a limit */
	uint8_t rule;  /**< index of its rule in the rules array */
	bool syn;      /**< a bare SYN */
};

/**
 * Stage a burst: find the bucket of each request (into its @c base) and
 * start loading the entry it will use (as op25b_adaptive_prefetch_entry()),
 * once the buckets' lines have been requested (op25b_adaptive_prefetch()).
 * Must come before op25b_adaptive_account_burst() on the same requests.
 */
void
op25b_adaptive_prefetch_burst(const struct op25b_adaptive_table *t,
			      const struct op25b_adaptive_rule *rules,
			      struct op25b_adaptive_req *reqs, unsigned int n);

/**
 * op25b_adaptive_account() for each of @p n staged requests, in order
 * (the same counts, evictions and blocks as one call per packet), without
 * a call or a bucket hash per packet.
 *
 * @param rules indexed by each request's @c rule.
 * @param verdicts gets an enum op25b_adaptive_verdict per request.
 */
void
op25b_adaptive_account_burst(struct op25b_adaptive_table *t,
			     const struct op25b_adaptive_rule *rules,
			     const struct op25b_adaptive_req *reqs,
			     unsigned int n, uint64_t now, uint8_t *verdicts);

/**
 * Look @p key up without changing it.
 * @return 0 with @p info filled, -ENOENT (not tracked, or its state has
 *   aged out), -EINVAL.
 */
int op25b_adaptive_lookup(const struct op25b_adaptive_table *t, uint64_t key,
			  uint64_t now, struct op25b_adaptive_info *info);

/**
 * Forget @p key (the abuse desk unblocks a customer). Control lcore.
 * @return 0, -ENOENT (not tracked).
 */
int op25b_adaptive_clear(struct op25b_adaptive_table *t, uint64_t key);

/** Forget every source. @return how many were tracked at @p now (live:
 * blocked, or counting within their window; an entry expired and not
 * swept yet is cleared too, and not counted). */
uint64_t op25b_adaptive_clear_all(struct op25b_adaptive_table *t, uint64_t now);

/**
 * The address a source's @p key stands for, in network byte order in
 * @p addr (16 bytes; an IPv4 address in its first 4): an IPv4 address,
 * an IPv4-mapped IPv6 address, or the first address of an IPv6 prefix.
 * @return AF_INET, AF_INET6, or 0 for a key that folds its address (a
 *   source in ::/N or ff00::/8, adaptive_key.h) or is no key.
 */
int op25b_adaptive_key_address(uint64_t key, uint8_t addr[16]);

/** Whether a reload's rules keep the source of @p key, counted under
 * class slot @p class_slot (op25b_adaptive_forget()). */
typedef bool (*op25b_adaptive_keep_fn_t)(uint64_t key, uint8_t class_slot,
					 void *ctx);

/**
 * Forget every source that @p keep does not keep (NULL: every source,
 * op25b_adaptive_clear_all()): after a reload, the
 * sources of a class that is no longer adaptive (their counts and blocks
 * would otherwise come back with the class) and those whose keys the new
 * rules no longer make. Control lcore, once no worker reads the rules
 * before the reload.
 * @return how many were tracked at @p now (as op25b_adaptive_clear_all()).
 */
uint64_t op25b_adaptive_forget(struct op25b_adaptive_table *t, uint64_t now,
			       op25b_adaptive_keep_fn_t keep, void *ctx);

/**
 * Age the table: free up to @p max entries whose state has expired (their
 * window is empty and they are not blocked), continuing where the last
 * call stopped; at the end of each full pass the tracked and blocked
 * gauges are refreshed. Control lcore, a slice per turn.
 * @return entries freed.
 */
uint32_t op25b_adaptive_sweep(struct op25b_adaptive_table *t, uint64_t now,
			      uint32_t max);

/**
 * The counters summed over lcores, and the gauges of the last full sweep
 * pass; @p per_class (may be NULL) gets triggered per class slot.
 */
void op25b_adaptive_totals(const struct op25b_adaptive_table *t,
			   struct op25b_adaptive_totals *totals,
			   uint64_t per_class[OP25B_STATS_SLOTS]);

/**
 * Visit every tracked source (for `show adaptive top`): @p fn gets each
 * live entry; a non-zero return stops the walk.
 * @return entries visited.
 */
uint64_t op25b_adaptive_walk(const struct op25b_adaptive_table *t, uint64_t now,
			     int (*fn)(const struct op25b_adaptive_info *info,
				       void *ctx),
			     void *ctx);

/** Write a key as a source: "198.18.0.9", "2001:db8:1:2::/64",
 * "::ffff:198.18.0.9" (an IPv4-mapped address), or for the other sources
 * of ::/N and multicast ones, which their key folds, "::/64#" or
 * "ff00::/8#" and the key's 48 bits in hex.
 * @return snprintf's return value. */
int op25b_adaptive_key_format(uint64_t key, unsigned int ipv6_key, char *buf,
			      size_t size);

#ifdef __cplusplus
}
#endif

#endif /* OP25B_ADAPTIVE_H */
