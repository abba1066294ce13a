/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Block records for the abuse desk: one record per source per interval
 * for every source that had a blocking (or, in monitor mode, would-block)
 * verdict, with what the desk joins on (VLAN tags, PPPoE session, MAC).
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

/** What one blocked frame tells a record (filled off the classifier's
 * rare path: see op25b_classifier_record_hint()). */
struct op25b_record_hint {
	uint8_t src[16]; /**< network byte order; IPv4 in the first 4 */
	uint8_t dst[16];
	uint8_t family;	 /**< 4 or 6 */
	uint8_t outcome; /**< enum op25b_outcome */
	uint8_t class_slot;
	uint8_t group_slot;
	uint8_t syn; /**< 1: a bare SYN (a connection attempt) */
	uint8_t n_vlans;
	uint16_t dport;
	uint16_t vlan[OP25B_RECORD_VLANS_MAX]; /**< ids, outermost first */
	int32_t pppoe_session;		       /**< -1: none */
	uint8_t src_mac[6];
	uint16_t port; /**< the DPDK port it came in on */
};

/** One source in one interval, or a worker's piece of it: the element of
 * the ring between the workers and the control lcore. */
struct op25b_record {
	uint8_t src[16];
	uint8_t dst[16]; /**< the last destination */
	uint64_t first_tsc, last_tsc;
	/** Distinct destinations of this piece: an IPv4 address as is, an
	 * IPv6 one folded to 64 bits. */
	uint64_t dst_key[OP25B_RECORD_DSTS];
	uint32_t segments;
	uint32_t syns;
	uint32_t interval; /**< the interval it belongs to */
	int32_t pppoe_session;
	uint16_t vlan[OP25B_RECORD_VLANS_MAX];
	uint16_t dport;
	uint16_t port;
	uint8_t src_mac[6];
	uint8_t family;
	uint8_t n_vlans;
	uint8_t n_dsts; /**< of dst_key */
	uint8_t outcome;
	uint8_t class_slot;
	uint8_t group_slot;
};

_Static_assert(sizeof(struct op25b_record) % 8 == 0 &&
		       sizeof(struct op25b_record) == 160,
	       "a record is a fixed 160 bytes: rings take 4-byte multiples");

/** The destination key of an address: what dst_key[] holds. */
uint64_t op25b_record_dst_key(uint8_t family, const uint8_t *addr);

/* ------------------------------------------------------------------ */
/* The worker's table                                                  */

struct op25b_records_table;

/**
 * A table of @p capacity sources (a power of two, 16..1<<20) for one
 * worker, in @p mem of op25b_records_table_size(@p capacity) bytes that
 * the caller allocates (rte_zmalloc_socket() on the worker's NUMA node,
 * or calloc() in tests) and frees.
 * @return the table (at @p mem), or NULL with errno EINVAL.
 */
struct op25b_records_table *
op25b_records_table_init(void *mem, uint32_t capacity);

/** Bytes a table of @p capacity takes (0: not a valid capacity). */
size_t op25b_records_table_size(uint32_t capacity);

/**
 * Count frame @p h, seen at @p tsc, for its source in the current
 * interval. No allocation, lock or syscall.
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
 * Hand over up to @p max of the table's records, emptying their slots.
 * Call again until it returns 0 to empty the table.
 * @return the number of records written to @p out.
 */
unsigned int
op25b_records_table_flush(struct op25b_records_table *t,
			  struct op25b_record *out, unsigned int max);

/** Sources in the table. */
uint32_t op25b_records_table_count(const struct op25b_records_table *t);

/* ------------------------------------------------------------------ */
/* The control lcore's merge and output                                */

struct op25b_records_merge;

/** An empty merge. @return it, or NULL with errno ENOMEM. */
struct op25b_records_merge *op25b_records_merge_create(void);
/** Free it; NULL is accepted. */
void op25b_records_merge_free(struct op25b_records_merge *m);

/**
 * Merge piece @p r into its source's record of its interval: counts
 * summed, first the earliest, the last frame's destination, port and
 * encapsulation, distinct destinations united (exact up to
 * OP25B_RECORD_DESTINATIONS_MAX).
 * @return 0, or -ENOMEM (the piece is lost).
 */
int op25b_records_merge_add(struct op25b_records_merge *m,
			    const struct op25b_record *r);

/** A merged record as written: the record and its distinct
 * destinations. */
struct op25b_records_merged {
	struct op25b_record r; /**< dst_key/n_dsts unused */
	uint32_t destinations;
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
	/** The precedence step that decided (op25b_rule_name()). */
	const char *(*rule)(void *ctx, uint8_t class_slot, uint8_t group_slot);
	void *ctx;
	const char *mode; /**< "enforce" or "monitor" */
	/* TSC -> wall clock: wall_ns0 was CLOCK_REALTIME at tsc0. */
	uint64_t tsc_hz;
	uint64_t tsc0;
	uint64_t wall_ns0;
};

/** The action a record's outcome names: "drop", "reset", "count", or the
 * outcome's counter name for any later one. */
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

/* ------------------------------------------------------------------ */
/* The last interval's worst sources (show blocked top, op25b-stat)    */

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
 *   file, or another version), ENOMEM.
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
