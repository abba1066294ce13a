/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Block records for the abuse desk: one record per source per interval
 * for every source that had a blocking (or, in monitor mode, would-block)
 * verdict, with what the desk joins on (VLAN tags, PPPoE session, MAC);
 * each worker counts up to its rate of such frames a second into them
 * (op25b_records_budget, --block-records-rate).
 *
 * Two halves, neither of which needs DPDK:
 *  - the worker's table (op25b_records_table_*): a small, bounded,
 *    open-addressed table per worker, keyed by source, that turns a
 *    bot's million SYNs into a few fixed-size records. No allocation,
 *    lock or syscall after create; what does not fit is handed over at
 *    once as a record of its own, never waited for;
 *  - the control lcore's merge (op25b_records_merge_*): the pieces of
 *    all workers merged per source per interval, then written as JSON
 *    lines.
 * The appliance carries records from one to the other through an
 * rte_ring of struct op25b_record.
 */
#ifndef OP25B_RECORDS_H
#define OP25B_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "op25b_stats.h"

#ifdef __cplusplus
extern "C" {
#endif

/** VLAN tags a record keeps, outermost first (the policy's limit). */
#define OP25B_RECORD_VLANS_MAX 8
/** Distinct destinations a worker's piece of a record carries; a source
 * that reaches more in one interval hands a piece over and starts the
 * next. */
#define OP25B_RECORD_DSTS 8
/** The count of distinct destinations is exact up to this, then stays. */
#define OP25B_RECORD_DESTINATIONS_MAX 255

/*
 * The figures the last frame of a source sets, in the same order in a
 * frame's hint and in its record (struct op25b_record_last): a frame
 * counted for a source already in the table copies them as one block.
 *   dst            the destination, network byte order (IPv4: first 4)
 *   vlan, n_vlans  VLAN ids, outermost first
 *   pppoe_session  -1: none
 *   dport, port    the destination port; the DPDK port it came in on
 *   src_mac        its source MAC
 *   outcome        enum op25b_outcome
 *   class_slot, group_slot
 *   family         4 or 6 (a source's own, copied with the rest)
 */
#define OP25B_RECORD_LAST_MEMBERS                                              \
	uint8_t dst[16];                                                       \
	uint16_t vlan[OP25B_RECORD_VLANS_MAX];                                 \
	int32_t pppoe_session;                                                 \
	uint16_t dport;                                                        \
	uint16_t port;                                                         \
	uint8_t src_mac[6];                                                    \
	uint8_t n_vlans;                                                       \
	uint8_t outcome;                                                       \
	uint8_t class_slot;                                                    \
	uint8_t group_slot;                                                    \
	uint8_t family;                                                        \
	uint8_t rule; /* the step (enum op25b_rule), | RULE_MONITOR */

/** Bit 7 of a hint's and a record's rule: the frame was judged in monitor
 * mode (its would-block counted, not blocked). The classifier compiles it
 * into the step of each cell (lib/classify/compile.c), so that a record
 * gives the mode the source's last frame was judged in, not the mode when
 * the record is written: `set mode` and a reload do not end an interval.
 * Bits 0..6: the precedence step, enum op25b_rule. */
#define OP25B_RECORD_RULE_MONITOR 0x80

/** The precedence step of a record's @p rule (enum op25b_rule). */
static inline uint8_t
op25b_record_rule_step(uint8_t rule)
{
	return rule & (uint8_t)~OP25B_RECORD_RULE_MONITOR;
}

/** "monitor" or "enforce": the mode a record's @p rule was judged in. */
static inline const char *
op25b_record_mode_name(uint8_t rule)
{
	return rule & OP25B_RECORD_RULE_MONITOR ? "monitor" : "enforce";
}

/** The last frame's figures as one block (OP25B_RECORD_LAST_MEMBERS). */
struct op25b_record_last {
	OP25B_RECORD_LAST_MEMBERS
};

/** What one blocked frame tells a record: filled by the classifier from
 * what its parse found (op25b_classifier_classify_burst_hints()), or by
 * hand in tests. */
struct op25b_record_hint {
	uint8_t src[16]; /**< network byte order; IPv4 in the first 4 */
	union {
		struct {
			OP25B_RECORD_LAST_MEMBERS
		};
		struct op25b_record_last last;
	};
	uint8_t syn; /**< 1: a bare SYN (a connection attempt) */
	uint8_t pad[3];
	/** op25b_record_source_hash(family, src): whoever fills the hint
	 * sets it, so that a frame's source is hashed once. */
	uint64_t hash;
};

/** One source in one interval, or a worker's piece of it: the element of
 * the ring between the workers and the control lcore (the worker's table
 * keeps a source in parts of its own, table.c). */
struct op25b_record {
	uint8_t src[16];
	uint64_t last_tsc;
	uint64_t first_tsc;
	uint32_t segments;
	uint32_t syns;
	uint32_t interval; /**< the interval it belongs to */
	uint8_t n_dsts;	   /**< of dst_key */
	uint8_t pad[3];
	union {
		struct {
			OP25B_RECORD_LAST_MEMBERS
		};
		struct op25b_record_last last;
	};
	uint32_t pad2;
	/** Distinct destinations of this piece: an IPv4 address as is, an
	 * IPv6 one folded to 64 bits. */
	uint64_t dst_key[OP25B_RECORD_DSTS];
};

_Static_assert(sizeof(struct op25b_record_last) == 52,
	       "the last frame's figures are one 52-byte block");
_Static_assert(sizeof(struct op25b_record) % 8 == 0 &&
		       sizeof(struct op25b_record) == 168,
	       "a record is a fixed 168 bytes: rings take 4-byte multiples");

/** The destination key of an address: what dst_key[] holds. */
static inline uint64_t
op25b_record_dst_key(uint8_t family, const uint8_t *addr)
{
	uint64_t hi, lo, k;
	uint32_t a;

	if (family == 4) {
		memcpy(&a, addr, 4);
		return a;
	}
	memcpy(&hi, addr, 8);
	memcpy(&lo, addr + 8, 8);
	/* A multiplicative fold: two addresses of one /64 differ in lo,
	 * which the multiplication spreads upwards, and the shifts
	 * downwards. A multiplication by an odd number moves a half's top
	 * bit nowhere: without the shifts before it, addresses that differ
	 * in bit 63 of hi or of lo alone (2001:db8:1::25, 2001:db8:1:80::25)
	 * folded to keys that differ in bit 63 alone, or to one key, and the
	 * top bit, set so that no IPv6 key equals an IPv4 one, merged them:
	 * one destination. */
	k = (hi ^ hi >> 31) * 0x9e3779b97f4a7c15ull ^
	    (lo ^ lo >> 29) * 0xc2b2ae3d27d4eb4full;
	return (k ^ k >> 32) | 1ull << 63;
}

/** A source's hash in the worker's table (struct op25b_record_hint's
 * hash): the high half places it, the low half (never 0) is its tag. */
static inline uint64_t
op25b_record_source_hash(uint8_t family, const uint8_t *src)
{
	return (op25b_record_dst_key(family, src) * 0x9e3779b97f4a7c15ull) | 1;
}

/* ------------------------------------------------------------------ */
/* The worker's table                                                  */

struct op25b_records_table;

/**
 * A table of @p capacity sources (a power of two, 16..1<<20) for one
 * worker, in @p mem of op25b_records_table_size(@p capacity) bytes, 64-byte
 * aligned, that the caller allocates (rte_zmalloc_socket() on the worker's
 * NUMA node, or aligned_alloc() in tests) and frees.
 * @return the table (at @p mem), or NULL with errno EINVAL (a capacity
 *   out of range, or @p mem NULL or not aligned).
 */
struct op25b_records_table *
op25b_records_table_init(void *mem, uint32_t capacity);

/** Bytes a table of @p capacity takes (0: not a valid capacity). */
size_t op25b_records_table_size(uint32_t capacity);

/**
 * Count frame @p h (its hash set), seen at @p tsc, for its source in the
 * current interval. No allocation, lock or syscall.
 *
 * @param out
 *   Filled when a record is finished by this frame: the source's piece
 *   had OP25B_RECORD_DSTS destinations and this is one more (the piece
 *   goes, the source starts its next piece with this frame), or the table
 *   has no room for a new source (this frame alone is the record). NULL:
 *   the caller has no room to hand one over (its ring is full).
 * @return 1 when @p out is to be handed over, 0 when the frame was
 *   counted in the table, -ENOBUFS when a record was finished and
 *   @p out is NULL (the record is lost: count it).
 */
int op25b_records_table_add(struct op25b_records_table *t,
			    const struct op25b_record_hint *h, uint64_t tsc,
			    uint32_t interval, struct op25b_record *out);

/**
 * Request the table's lines of the sources of @p n hints (their hash set),
 * for an op25b_records_table_add_burst() of them a little later: the
 * later, the more of the misses are over by then.
 */
void
op25b_records_table_prefetch(const struct op25b_records_table *t,
			     const struct op25b_record_hint *h, unsigned int n);

/**
 * op25b_records_table_add() for @p n frames of a burst, in their order
 * (frame i seen at @p tsc + i). Its lines are best requested with
 * op25b_records_table_prefetch() first.
 *
 * @param out
 *   Filled with the records the frames finish, up to @p room of them.
 * @param lost
 *   Increased by the records finished beyond @p room (lost: count them).
 * @return the number of records written to @p out.
 */
unsigned int
op25b_records_table_add_burst(struct op25b_records_table *t,
			      const struct op25b_record_hint *h, unsigned int n,
			      uint64_t tsc, uint32_t interval,
			      struct op25b_record *out, unsigned int room,
			      uint64_t *lost);

/**
 * Hand over up to @p max of the table's records, emptying their slots.
 * Call again until it returns 0 to empty the table; sources added
 * between two calls are handed over too, before it returns 0.
 * @return the number of records written to @p out.
 */
unsigned int
op25b_records_table_flush(struct op25b_records_table *t,
			  struct op25b_record *out, unsigned int max);

/** Sources in the table. */
uint32_t op25b_records_table_count(const struct op25b_records_table *t);

/* ------------------------------------------------------------------ */
/* A worker's rate of frames into its table (--block-records-rate)     */

/**
 * How many blocked (and would-block) frames a second a worker counts into
 * block records: a token bucket, so that a flood of blocked frames (a scan
 * from spoofed sources at line rate) costs the worker the table's misses
 * of no more than @c rate frames a second, and forwarding keeps its speed;
 * the frames over it are counted (records_over_rate) and their sources'
 * records count less than they sent. The bucket holds one second of
 * frames: a burst below that is taken whole. Credit is kept in units of
 * a TSC tick times a frame: each tick adds @c rate, each frame takes
 * @c tsc_hz, so that no rate is rounded. Only its worker touches it.
 */
struct op25b_records_budget {
	uint64_t rate;	 /**< frames a second; 0: no limit */
	uint64_t tsc_hz; /**< what a frame takes */
	uint64_t depth;	 /**< the most credit kept: rate * tsc_hz */
	uint64_t credit; /**< credit left */
	uint64_t last;	 /**< TSC of the last refill */
};

/**
 * A full bucket for @p rate frames a second (0: no limit), at TSC
 * @p tsc_hz (0: no limit), as of TSC @p now. A rate whose second of credit
 * would not fit in 64 bits (over 3.5e9 frames a second at 5 GHz) is
 * taken as the most that fits.
 */
static inline void
op25b_records_budget_init(struct op25b_records_budget *b, uint64_t rate,
			  uint64_t tsc_hz, uint64_t now)
{
	/* Half the range: a refill adds up to one more second before the
	 * cap is applied. No clock: no limit. */
	uint64_t most = tsc_hz == 0 ? 0 : UINT64_MAX / 2 / tsc_hz;

	b->rate = rate < most ? rate : most;
	b->tsc_hz = tsc_hz;
	b->depth = b->rate * tsc_hz;
	b->credit = b->depth;
	b->last = now;
}

/** Add the credit of the ticks from the last refill to TSC @p now (a
 * clock that went back adds none), at most a full bucket: an hour idle
 * buys one second of frames, not an hour's. */
static inline void
op25b_records_budget_refill(struct op25b_records_budget *b, uint64_t now)
{
	uint64_t ticks = now > b->last ? now - b->last : 0;

	if (ticks > b->tsc_hz)
		ticks = b->tsc_hz;
	b->credit += ticks * b->rate;
	if (b->credit > b->depth)
		b->credit = b->depth;
	b->last = now;
}

/**
 * How many of @p n frames the bucket takes now (all with no limit). The
 * common case, a full burst's credit in hand, reads no clock; short of
 * it, @p clock is read (into @p now) and the bucket refilled first, so
 * that the first burst after a quiet spell is judged on the credit the
 * spell gave.
 */
static inline uint16_t
op25b_records_budget_frames(struct op25b_records_budget *b, uint16_t n,
			    uint64_t (*clock)(void), uint64_t *now)
{
	if (b->rate == 0 || b->credit >= n * b->tsc_hz)
		return n;
	/* A full bucket gains nothing by a look at the clock (a rate below
	 * a burst's frames would read it every burst). */
	if (b->credit == b->depth)
		return (uint16_t)(n < b->rate ? n : b->rate);
	*now = clock();
	op25b_records_budget_refill(b, *now);
	if (b->credit >= n * b->tsc_hz)
		return n;
	return (uint16_t)(b->credit / b->tsc_hz);
}

/** Take @p taken frames' credit (never below empty). */
static inline void
op25b_records_budget_take(struct op25b_records_budget *b, uint16_t taken)
{
	uint64_t cost = taken * b->tsc_hz;

	b->credit = cost < b->credit ? b->credit - cost : 0;
}

/* ------------------------------------------------------------------ */
/* The control lcore's merge and output                                */

struct op25b_records_merge;

/** An empty merge of at most @p max_sources sources at a time (pieces of
 * sources it holds are always merged; a new source beyond it is refused:
 * a flood of spoofed sources costs records, not the control lcore's
 * memory). Its index is hashed under a key drawn from getrandom(2).
 * @return it, or NULL with errno ENOMEM (EINVAL: 0 sources; getrandom's
 * errno when it fails). */
struct op25b_records_merge *op25b_records_merge_create(size_t max_sources);
/** Free it; NULL is accepted. */
void op25b_records_merge_free(struct op25b_records_merge *m);

/**
 * Merge piece @p r into its source's record of its interval: counts
 * summed, first the earliest, the last frame's destination, port and
 * encapsulation, distinct destinations united (exact up to
 * OP25B_RECORD_DESTINATIONS_MAX).
 * @return 0; -ENOSPC when @p r is of a new source and the merge holds
 *   its most, -ENOMEM when no memory takes a new source (either way the
 *   piece is lost: count it). A destination that finds no memory is
 *   left out of `destinations`; the piece is merged.
 */
int op25b_records_merge_add(struct op25b_records_merge *m,
			    const struct op25b_record *r);

/** A merged record as written: the record, its counts and its distinct
 * destinations. */
struct op25b_records_merged {
	struct op25b_record r; /**< segments, syns, dst_key, n_dsts unused */
	uint32_t destinations;
	/** The pieces' sums: 64-bit, where a piece's are 32 (a worker hands
	 * a piece over before it wraps; a source at line rate passes 2^32
	 * in an interval of minutes). */
	uint64_t segments;
	uint64_t syns;
};

/**
 * Take out every merged record of intervals up to @p interval, in the
 * order of their first frame (sources in address order for a tie).
 * @param out
 *   Set to an array the caller frees (NULL with 0).
 * @return the number of records, or -ENOMEM.
 */
int op25b_records_merge_take(struct op25b_records_merge *m, uint32_t interval,
			     struct op25b_records_merged **out);

/** Records held (for tests and `show blocked`). */
size_t op25b_records_merge_count(const struct op25b_records_merge *m);

/** How the writer names what a record holds as numbers. */
struct op25b_records_view {
	/** The name of a class or group slot; NULL: none (written null). */
	const char *(*class_name)(void *ctx, uint8_t slot);
	const char *(*group_name)(void *ctx, uint8_t slot);
	/** The name of the precedence step that decided (enum op25b_rule,
	 * as the classifier gave it, without OP25B_RECORD_RULE_MONITOR:
	 * op25b_rule_name()). */
	const char *(*rule)(void *ctx, uint8_t rule);
	void *ctx;
	/** NULL: the mode of the record's rule (op25b_record_mode_name());
	 * else this (a top list's, resolved before). */
	const char *mode;
	/* TSC -> wall clock: wall_ns0 was CLOCK_REALTIME at tsc0. */
	uint64_t tsc_hz;
	uint64_t tsc0;
	uint64_t wall_ns0;
};

/** A record's outcome (not the classifier's) for a blocked frame answered
 * in place by `block: notify` (a SYN-ACK or the greeting): action
 * "notify". */
#define OP25B_RECORD_OUTCOME_NOTIFY OP25B_OUTCOME_MAX

/** The action a record's outcome names: "drop", "reset", "count",
 * "notify" (OP25B_RECORD_OUTCOME_NOTIFY), or the outcome's counter name
 * for any later one. */
const char *op25b_records_action_name(unsigned int outcome);

/** Whether frames of @p outcome are recorded: every outcome from
 * `counted` on (would-block, block, reset and the blocking outcomes added
 * after them), as the classifier's exemption test takes them. Inline: the
 * worker asks for every frame. */
static inline bool
op25b_records_wanted(unsigned int outcome)
{
	return outcome >= OP25B_OUTCOME_COUNTED && outcome < OP25B_OUTCOME_MAX;
}

/** CLOCK_REALTIME nanoseconds of @p tsc under @p v. */
uint64_t
op25b_records_wall_ns(const struct op25b_records_view *v, uint64_t tsc);

/** RFC 3339 UTC with milliseconds ("2026-12-03T18:20:01.123Z"). */
void op25b_records_time(uint64_t wall_ns, char *buf, size_t size);

/**
 * Write @p rec as one JSON object on one line with the members time,
 * first, src, class, group, rule, action, dport, dst, destinations,
 * segments, syns, vlan, pppoe_session, src_mac, port, mode.
 * @return 0, or -EIO when @p out has an error.
 */
int op25b_records_write_json(FILE *out, const struct op25b_records_merged *rec,
			     const struct op25b_records_view *v);

/** RFC 5424 MSGID of a block record sent to syslog. */
#define OP25B_RECORDS_MSGID "block-record"
/** Its SD-ID: op25b@ and a private enterprise number (32473 is the one
 * RFC 5612 reserves for documentation: an operator's own number goes
 * here when one is assigned). */
#define OP25B_RECORDS_SD_ID "op25b@32473"

/**
 * Write @p rec as RFC 5424's MSGID and one STRUCTURED-DATA element, no
 * newline: `block-record [op25b@32473 time="..." first="..." src="..."
 * ...]`, the members op25b_records_write_json() writes, in its order and
 * under its names; a null member is left out, numbers in decimal, vlan
 * the ids outermost first joined with commas ("" when untagged); values
 * escaped per RFC 5424 section 6.3.3 (`"`, `\` and `]` after a
 * backslash).
 * @return 0, or -EIO when @p out has an error.
 */
int op25b_records_write_sd(FILE *out, const struct op25b_records_merged *rec,
			   const struct op25b_records_view *v);

/* ------------------------------------------------------------------ */
/* The last interval's worst sources (show blocked top, op25b-stat)    */

/** Entries a top list holds at most (what op25b saves, and a reader
 * takes). */
#define OP25B_RECORDS_TOP_MAX 1024

/** A merged record with its names and times resolved: readable without
 * the policy or the TSC. */
struct op25b_records_top {
	struct op25b_records_merged m;
	uint64_t first_ns, time_ns; /**< CLOCK_REALTIME */
	char class_name[64];
	char group_name[64];
	char rule[16];
	char mode[16];
	uint8_t has_class, has_group;
	uint8_t pad[6];
};

/** Resolve @p m under @p v into @p t. */
void op25b_records_top_resolve(struct op25b_records_top *t,
			       const struct op25b_records_merged *m,
			       const struct op25b_records_view *v);

/**
 * Replace the file at @p path with @p n entries (a temporary file renamed
 * over it: readers see the old list or the new).
 * @return 0, or -errno (-EIO for a short write).
 */
int op25b_records_top_save(const char *path, const struct op25b_records_top *t,
			   unsigned int n);

/**
 * Read a file op25b_records_top_save() wrote.
 * @param out
 *   Set to the entries (free() them; NULL with 0).
 * @return the number of entries, or -errno: ENOENT (none: the appliance
 *   has no block records, or wrote no interval yet), EPROTO (not such a
 *   file, or another version), EPERM (another user's file:
 *   op25b_shm_owner_trusted()), ENOMEM.
 */
int op25b_records_top_load(const char *path, struct op25b_records_top **out);

/** The entries as a table: rank, source, SYNs, segments, destinations,
 * VLAN ids, PPPoE session, MAC, port. @return 0 or -EIO. */
int op25b_records_top_text(FILE *out, const struct op25b_records_top *t,
			   unsigned int n);

/** The entries as a JSON array of block records, one a line.
 * @return 0 or -EIO. */
int op25b_records_top_json(FILE *out, const struct op25b_records_top *t,
			   unsigned int n);

#ifdef __cplusplus
}
#endif

#endif /* OP25B_RECORDS_H */
