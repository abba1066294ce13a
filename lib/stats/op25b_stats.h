/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * op25b's counters in shared memory: the layout (any C program may include
 * this header and read /dev/shm/op25b.NAME), the writer used by the
 * appliance, and a reader that never blocks the writer.
 *
 * No DPDK dependency. Errors are -errno (or NULL with errno set).
 *
 * Layout of the segment (all offsets in the header, all blocks 64-byte
 * aligned):
 *
 *   struct op25b_stats_header        magic, version, sizes, epoch, ...
 *   struct op25b_stats_names         class and group names by slot
 *   struct op25b_stats_worker [n]    one block per worker, written only by
 *                                    that worker, with plain 64-bit stores
 *
 * Slots: class and group counters are indexed by slot. Slot 0 is "no class"
 * / "no group"; slots 1..255 are names. A name keeps its slot for the life
 * of the segment (across policy reloads), so a class that survives a reload
 * keeps counting where it was and no total ever goes backwards; a class
 * that is removed keeps its slot and its counts, and is no longer in
 * the current policy (see op25b_stats_names.class_active).
 *
 * Epoch: even while the layout (names, slots in use, policy generation)
 * and the drivers' port figures with their time are stable, odd while the
 * writer changes them. A reader copies what it needs,
 * then checks that the epoch was even and has not changed; otherwise it
 * retries. Counters themselves are not covered by the epoch: each is an
 * aligned 64-bit word that only grows.
 */
#ifndef OP25B_STATS_H
#define OP25B_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OP25B_STATS_MAGIC 0x4b54534235325f4full /* bytes "O_25BSTK" */
#define OP25B_STATS_LAYOUT_VERSION 13
/** From this layout version on, the writer holds flock(LOCK_EX) on the
 * segment for its life: whether it lives is whether the lock is held
 * (a pid can be reused, or be a zombie's). Before it, the header's pid. */
#define OP25B_STATS_LOCKED_SINCE 12
#define OP25B_STATS_SLOTS 256 /**< slot 0: none; 1..255: names */
#define OP25B_STATS_NAME_MAX 64
#define OP25B_STATS_MAX_PORTS 32
#define OP25B_STATS_MAX_WORKERS 128
#define OP25B_STATS_PATH_MAX 256

/**
 * A counter family from its list X(ENUM, name, help): `enum tag`, one
 * value per entry in list order (@p ENTRY, defined around the call, makes
 * PREFIX_ENUM of an entry), then @p MAX, the family's size; and its two
 * accessors, defined in stats.c from the same list:
 *   const char *name_fn(unsigned int counter): the counter's name, as in
 *     shared memory, JSON, the CLI and Prometheus; "unknown" out of range;
 *   const char *help_fn(unsigned int counter): its line of help.
 */
#define OP25B_COUNTER_FAMILY(tag, LIST, ENTRY, MAX, name_fn, help_fn)          \
	enum tag {                                                             \
		LIST(ENTRY) MAX                                                \
	};                                                                     \
	const char *name_fn(unsigned int counter);                             \
	const char *help_fn(unsigned int counter);

/**
 * Every packet a subscriber port receives gets exactly one outcome, so that
 * rx = sum of outcomes holds by construction. One list feeds the enum, the
 * counter names (shared memory, JSON, CLI, Prometheus) and their help text.
 *   X(ENUM, name, help)
 */
#define OP25B_OUTCOME_LIST(X)                                                  \
	X(NON_SMTP, non_smtp,                                                  \
	  "not TCP to an SMTP or submission port: forwarded untouched")        \
	X(SUBMISSION, submission, "TCP to a submission port: forwarded")       \
	X(FRAGMENTS, fragments, "non-first IP fragments: forwarded")           \
	X(MALFORMED, malformed,                                                \
	  "truncated or inconsistent headers, or SMTP under a source route: "  \
	  "dropped or forwarded, per malformed")                               \
	X(EXEMPTED, exempted,                                                  \
	  "SMTP packets the policy would block or count, from a source with "  \
	  "an exemption (exempt add): forwarded")                              \
	X(FORWARDED, forwarded,                                                \
	  "SMTP packets allowed by the policy: forwarded")                     \
	X(COUNTED, counted,                                                    \
	  "SMTP packets that would be blocked (count, monitor mode): "         \
	  "forwarded")                                                         \
	X(BLOCKED, blocked,                                                    \
	  "SMTP packets blocked: dropped; under block: notify, SYN-ACKs and "  \
	  "greetings sent back")                                               \
	X(RESET, reset,                                                        \
	  "blocked packets answered with a TCP RST (bare SYNs under block: "   \
	  "reset, and what block: notify resets): the reply goes back to the " \
	  "subscriber")

#define OP25B_OUTCOME_ENUM(e, n, h) OP25B_OUTCOME_##e,
OP25B_COUNTER_FAMILY(op25b_outcome, OP25B_OUTCOME_LIST, OP25B_OUTCOME_ENUM,
		     OP25B_OUTCOME_MAX, op25b_outcome_name, op25b_outcome_help)
#undef OP25B_OUTCOME_ENUM

/** The four outcomes of a policy decision, counted per class and group:
 * verdict index = outcome - OP25B_OUTCOME_FORWARDED. */
#define OP25B_VERDICT_MAX 4
#define OP25B_VERDICT_OF(outcome) ((outcome)-OP25B_OUTCOME_FORWARDED)

/** Name of a verdict index: "forwarded", "counted", "blocked", "reset". */
const char *op25b_verdict_name(unsigned int verdict);

/**
 * What the parser saw beyond the outcome: the frames it forwarded without
 * reading them (non-IP, by kind), malformed frames with a cause of their
 * own, and frames judged across mbuf segments. A non_ip_* or malformed
 * cause is counted under its outcome too (non_smtp, malformed), so the
 * outcomes still sum to rx; `chained` is counted besides its outcome.
 * `chained` stays last: the classifier's parse codes end before it.
 *   X(ENUM, name, help)
 */
#define OP25B_FRAME_LIST(X)                                                    \
	X(NON_IP_ARP, non_ip_arp,                                              \
	  "ARP (0x0806): forwarded untouched (non_smtp)")                      \
	X(NON_IP_MPLS, non_ip_mpls,                                            \
	  "MPLS (0x8847, 0x8848): forwarded untouched, not looked into "       \
	  "(non_smtp)")                                                        \
	X(NON_IP_PPP, non_ip_ppp,                                              \
	  "PPPoE session frames that carry no IP (LCP, IPCP, ...): forwarded " \
	  "untouched (non_smtp)")                                              \
	X(NON_IP_OTHER, non_ip_other,                                          \
	  "other ethertypes (PPPoE discovery, LLDP, ...): forwarded "          \
	  "untouched (non_smtp)")                                              \
	X(VLAN_TOO_DEEP, vlan_too_deep,                                        \
	  "more VLAN tags than the policy's max_vlan_tags (malformed)")        \
	X(PPP_VJ, ppp_vj,                                                      \
	  "Van Jacobson compressed TCP/IP over PPPoE (PPP 0x002d, 0x002f), "   \
	  "which op25b cannot read (malformed)")                               \
	X(OPAQUE_IP, opaque_ip,                                                \
	  "IP op25b cannot read: PPP Multilink (0x003d), compressed (0x00fd, " \
	  "0x00fb), encrypted (0x0053, 0x0055), IPHC (0x0061, 0x0063, "        \
	  "0x2063), ROHC (0x0003, 0x0005) or bridged (0x0031) datagrams over " \
	  "PPPoE; IP behind an 802.3 LLC/SNAP header (RFC 1042) (malformed)")  \
	X(CHAINED, chained,                                                    \
	  "frames in more than one mbuf segment, judged on the whole frame")

#define OP25B_FRAME_ENUM(e, n, h) OP25B_FRAME_##e,
OP25B_COUNTER_FAMILY(op25b_frame_counter, OP25B_FRAME_LIST, OP25B_FRAME_ENUM,
		     OP25B_FRAME_MAX, op25b_frame_counter_name,
		     op25b_frame_counter_help)
#undef OP25B_FRAME_ENUM

/**
 * block: notify, per class: how op25b answered the connections of the
 * class's blocked sources (the packets themselves count as blocked, or
 * reset when a RST answered them).
 *   X(ENUM, name, help)
 */
#define OP25B_NOTIFY_LIST(X)                                                   \
	X(SYN_ACK, notify_syn_ack,                                             \
	  "blocked SYNs answered with a SYN-ACK whose sequence number is a "   \
	  "cookie (block: notify)")                                            \
	X(NOTIFIED, notified,                                                  \
	  "554 greetings with the notice, sent after a handshake whose "       \
	  "cookie checked")                                                    \
	X(BAD_COOKIE, notify_bad_cookie,                                       \
	  "segments of a notify class that are not part of op25b's "           \
	  "handshake (a stray ACK, data, an old cookie): answered with RST")   \
	X(OVER_BUDGET, notify_over_budget,                                     \
	  "SYN-ACKs and greetings over the worker's notify_rate: a RST was "   \
	  "sent instead")                                                      \
	X(NO_ROOM, notify_no_room,                                             \
	  "SYN-ACKs and greetings the frame could not carry (a shared mbuf; "  \
	  "in op25b-xdp, a driver's frame too small for the greeting): a RST " \
	  "was sent instead where the frame could take one")

#define OP25B_NOTIFY_ENUM(e, n, h) OP25B_NOTIFY_##e,
OP25B_COUNTER_FAMILY(op25b_notify_counter, OP25B_NOTIFY_LIST, OP25B_NOTIFY_ENUM,
		     OP25B_NOTIFY_MAX, op25b_notify_counter_name,
		     op25b_notify_counter_help)
#undef OP25B_NOTIFY_ENUM

/**
 * Adaptive blocking per class: the adaptive table's events by the class a
 * source was counted under, under the names of their instance totals
 * (OP25B_ADAPTIVE_LIST). The table is shared by every worker, so they are
 * in the header (op25b_stats_header.class_adaptive), published with the
 * totals by the control lcore.
 *   X(ENUM, name, help)
 */
#define OP25B_CLASS_ADAPTIVE_LIST(X)                                           \
	X(TRIGGERED, adaptive_triggered,                                       \
	  "times a source of the class went over its adaptive limit and was "  \
	  "blocked")

#define OP25B_CLASS_ADAPTIVE_ENUM(e, n, h) OP25B_CLASS_ADAPTIVE_##e,
OP25B_COUNTER_FAMILY(op25b_class_adaptive_counter, OP25B_CLASS_ADAPTIVE_LIST,
		     OP25B_CLASS_ADAPTIVE_ENUM, OP25B_CLASS_ADAPTIVE_MAX,
		     op25b_class_adaptive_name, op25b_class_adaptive_help)
#undef OP25B_CLASS_ADAPTIVE_ENUM

/** What the classifier increments: one per worker. */
struct op25b_stats_counters {
	uint64_t outcome[OP25B_OUTCOME_MAX];
	uint64_t frame[OP25B_FRAME_MAX];
	uint64_t class_verdict[OP25B_STATS_SLOTS][OP25B_VERDICT_MAX];
	uint64_t group_verdict[OP25B_STATS_SLOTS][OP25B_VERDICT_MAX];
	uint64_t class_notify[OP25B_STATS_SLOTS][OP25B_NOTIFY_MAX];
};

/*
 * The families below are listed once each, like OP25B_OUTCOME_LIST; the
 * lists make the struct fields and every view (the JSON of
 * op25b_stats_print_json(), telemetry, Prometheus, the text of
 * op25b_stats_print_text(), the CLI) through the tables of struct
 * op25b_stats_field.
 *   X(field, key, prometheus, kind, help)
 * field: the uint64_t in the struct; key: its one name in JSON, telemetry,
 * text and the CLI; prometheus: the metric after "op25b_" (a counter's
 * name carries its unit, as Prometheus's conventions want, and may end in
 * constant labels: reloads_total{result="ok"}); kind: COUNTER (only
 * grows), GAUGE (a level) or STATE (the index of a name in a list of
 * names: one Prometheus sample per name, 1 for the one in force).
 */

/** A port as the workers' loops count it (per worker, summed by readers). */
#define OP25B_PORT_APP_LIST(X)                                                 \
	X(rx, worker_rx, "port_worker_rx_packets_total", COUNTER,              \
	  "Packets op25b's workers received from the port.")                   \
	X(tx, worker_tx, "port_worker_tx_packets_total", COUNTER,              \
	  "Packets op25b's workers handed to the port to send.")               \
	X(tx_dropped, tx_dropped, "port_tx_dropped_packets_total", COUNTER,    \
	  "Packets op25b freed unsent because the TX queue was full.")

/** A port as its driver counts it (rte_eth_stats). */
#define OP25B_PORT_DRIVER_LIST(X)                                              \
	X(rx, rx, "port_rx_packets_total", COUNTER,                            \
	  "Packets the port received (ipackets).")                             \
	X(tx, tx, "port_tx_packets_total", COUNTER,                            \
	  "Packets the port sent (opackets).")                                 \
	X(rx_bytes, rx_bytes, "port_rx_bytes_total", COUNTER,                  \
	  "Bytes the port received (ibytes).")                                 \
	X(tx_bytes, tx_bytes, "port_tx_bytes_total", COUNTER,                  \
	  "Bytes the port sent (obytes).")                                     \
	X(rx_missed, rx_missed, "port_rx_missed_packets_total", COUNTER,       \
	  "Packets the NIC dropped for want of room in the RX queue "          \
	  "(imissed).")                                                        \
	X(rx_errors, rx_errors, "port_rx_errors_total", COUNTER,               \
	  "Erroneous received packets, and receives that found no mbuf "       \
	  "(ierrors + rx_nombuf).")                                            \
	X(rx_nombuf, rx_nombuf, "port_rx_nombuf_total", COUNTER,               \
	  "Receives that found no mbuf (rx_nombuf; also in rx_errors).")       \
	X(tx_errors, tx_errors, "port_tx_errors_total", COUNTER,               \
	  "Packets the port failed to send (oerrors).")                        \
	X(link_up, link_up, "port_link_up", GAUGE,                             \
	  "1 while the port's link is up, 0 while it is down: an inline "      \
	  "appliance with a link down passes no traffic.")                     \
	X(link_speed_mbps, speed_mbps, "port_link_speed_mbps", GAUGE,          \
	  "The link's speed in Mbit/s (0: down, or the driver does not "       \
	  "know).")

/** Block records (--block-records), written by the control lcore. */
#define OP25B_RECORDS_LIST(X)                                                  \
	X(records_written, records_written, "records_written_total", COUNTER,  \
	  "Block records written (one per source per interval).")              \
	X(records_dropped, records_dropped, "records_dropped_total", COUNTER,  \
	  "Block records or pieces of one lost: a worker's ring to the "       \
	  "control lcore or the merge was full (never waited for), or a "      \
	  "record could not be written.")                                      \
	X(records_over_rate, records_over_rate, "records_over_rate_total",     \
	  COUNTER,                                                             \
	  "Blocked (and would-block) frames the workers did not count into "   \
	  "block records, over --block-records-rate (their sources' records "  \
	  "count less than they sent, or are missing).")

/** Adaptive blocking: one table shared by every worker, so its figures are
 * the instance's (in the header), refreshed by the control lcore about
 * every 10 ms; the gauges by its sweep, one pass of the table a few
 * hundred milliseconds. */
#define OP25B_ADAPTIVE_LIST(X)                                                 \
	X(adaptive_tracked, adaptive_tracked, "adaptive_tracked", GAUGE,       \
	  "Sources the adaptive table holds state for (SYNs in the window "    \
	  "or blocked).")                                                      \
	X(adaptive_blocked, adaptive_blocked, "adaptive_blocked", GAUGE,       \
	  "Sources blocked now for going over an adaptive limit.")             \
	X(adaptive_triggered, adaptive_triggered, "adaptive_triggered_total",  \
	  COUNTER,                                                             \
	  "Times a source went over an adaptive limit and was blocked.")       \
	X(adaptive_evicted, adaptive_evicted, "adaptive_evicted_total",        \
	  COUNTER,                                                             \
	  "Live sources dropped from the full adaptive table for a new one "   \
	  "(--adaptive-entries).")                                             \
	X(adaptive_table_full, adaptive_table_full,                            \
	  "adaptive_table_full_total", COUNTER,                                \
	  "New sources left untracked: their bucket held only blocked "        \
	  "sources.")

/** The instance's own figures, in the header (the adaptive list last). */
#define OP25B_HEADER_LIST(X)                                                   \
	X(policy_generation, generation, "policy_generation", GAUGE,           \
	  "1 for the policy loaded at start, +1 each successful reload, "      \
	  "set mode and set block.")                                           \
	X(reload_ok, reload_ok, "reloads_total{result=\"ok\"}", COUNTER,       \
	  "Policy reloads, by result (a failed reload keeps the old policy).") \
	X(reload_failed, reload_failed, "reloads_total{result=\"failed\"}",    \
	  COUNTER,                                                             \
	  "Policy reloads, by result (a failed reload keeps the old policy).") \
	X(exemptions, exemptions, "exemptions", GAUGE,                         \
	  "Exemptions in force (op25b-cli exempt list).")                      \
	X(mode, mode, "mode", STATE,                                           \
	  "The mode in force, 1 for its name: enforce, or monitor (every "     \
	  "block is only counted). Follows set mode and reloads.")             \
	X(block, block, "block", STATE,                                        \
	  "What a block does, 1 for its name: drop, reset (a blocked SYN "     \
	  "is answered with a TCP RST), or notify (with 554 and the "          \
	  "notice). Follows set block and reloads.")                           \
	OP25B_RECORDS_LIST(X)                                                  \
	OP25B_ADAPTIVE_LIST(X)

/** The names of the header's STATE figures, by value: X(ENUM, name). */
#define OP25B_STATS_MODE_LIST(X) X(ENFORCE, enforce) X(MONITOR, monitor)
#define OP25B_STATS_BLOCK_LIST(X)                                              \
	X(DROP, drop) X(RESET, reset) X(NOTIFY, notify)

enum op25b_stats_mode {
#define OP25B_STATS_MODE_ENUM(e, n) OP25B_STATS_MODE_##e,
	OP25B_STATS_MODE_LIST(OP25B_STATS_MODE_ENUM)
#undef OP25B_STATS_MODE_ENUM
	OP25B_STATS_MODE_MAX
};

enum op25b_stats_block {
#define OP25B_STATS_BLOCK_ENUM(e, n) OP25B_STATS_BLOCK_##e,
	OP25B_STATS_BLOCK_LIST(OP25B_STATS_BLOCK_ENUM)
#undef OP25B_STATS_BLOCK_ENUM
	OP25B_STATS_BLOCK_MAX
};

#define OP25B_STATS_FIELD_DECLARE(field, key, prom, kind, help) uint64_t field;

/** A port as one worker's loop counts it. */
struct op25b_stats_port_app {
	OP25B_PORT_APP_LIST(OP25B_STATS_FIELD_DECLARE)
};

/** One worker's block: written only by that worker. */
struct op25b_stats_worker {
	struct op25b_stats_counters counters;
	struct op25b_stats_port_app port[OP25B_STATS_MAX_PORTS];
	uint64_t upstream;   /**< packets passed from upstream to subscribers */
	uint64_t loops;	     /**< polling loops */
	uint64_t busy_loops; /**< loops that received at least one packet */
	uint32_t lcore_id;
	uint32_t pad;
} __attribute__((aligned(64)));

/** A port as its driver counts it; written by the control lcore about once
 * a second and at exit (see op25b_stats_header.ports_updated_ns), every
 * port and the time in one change of the epoch: a snapshot holds one
 * sample of them all. */
struct op25b_stats_port {
	uint32_t port_id;
	uint32_t is_subscriber; /**< 1 subscriber side, 0 upstream side */
	char name[OP25B_STATS_NAME_MAX];
	OP25B_PORT_DRIVER_LIST(OP25B_STATS_FIELD_DECLARE)
};

struct op25b_stats_header {
	uint64_t magic;		 /**< OP25B_STATS_MAGIC */
	uint32_t layout_version; /**< OP25B_STATS_LAYOUT_VERSION */
	uint32_t header_size;	 /**< sizeof(struct op25b_stats_header) */
	uint64_t total_size;	 /**< bytes of the whole segment */
	uint64_t epoch;		 /**< even: stable; odd: layout changing */
	uint64_t start_time_ns;	 /**< CLOCK_REALTIME at creation */
	uint64_t tsc_hz;
	uint64_t pid; /**< the writer's process */
	/* policy_generation (+1 a successful reload; the epoch covers it,
	 * and mode and block), reload_ok, reload_failed, exemptions,
	 * mode (enum op25b_stats_mode), block (enum op25b_stats_block). */
	OP25B_HEADER_LIST(OP25B_STATS_FIELD_DECLARE)
	uint64_t ports_updated_ns; /**< CLOCK_REALTIME of the port figures */
	uint64_t names_offset;	   /**< of struct op25b_stats_names */
	uint64_t workers_offset; /**< of the first struct op25b_stats_worker */
	uint64_t worker_size;	 /**< sizeof(struct op25b_stats_worker) */
	uint32_t n_workers;
	uint32_t n_ports;
	char instance[OP25B_STATS_NAME_MAX]; /**< --name */
	char policy_file[OP25B_STATS_PATH_MAX];
	struct op25b_stats_port ports[OP25B_STATS_MAX_PORTS];
	/** OP25B_CLASS_ADAPTIVE_LIST by class slot, written by the control
	 * lcore (aligned 64-bit stores, like the adaptive totals). */
	uint64_t class_adaptive[OP25B_STATS_SLOTS][OP25B_CLASS_ADAPTIVE_MAX];
} __attribute__((aligned(64)));

/* Tools outside C read the layout's first words at these offsets
 * (test/integration/stat.sh marks a dead writer's layout change). */
_Static_assert(offsetof(struct op25b_stats_header, epoch) == 24 &&
		       offsetof(struct op25b_stats_header, pid) == 48,
	       "the header's epoch and pid stay where readers look");

struct op25b_stats_names {
	uint32_t n_class_slots; /**< slots in use, 1 + names (<= SLOTS) */
	uint32_t n_group_slots;
	/** 1 when the slot's name is in the current policy. Slot 0 ("no
	 * class"/"no group") is always active. */
	uint8_t class_active[OP25B_STATS_SLOTS];
	uint8_t group_active[OP25B_STATS_SLOTS];
	char class_name[OP25B_STATS_SLOTS][OP25B_STATS_NAME_MAX];
	char group_name[OP25B_STATS_SLOTS][OP25B_STATS_NAME_MAX];
} __attribute__((aligned(64)));

/* ------------------------------------------------------------------ */
/* Writer (the appliance)                                              */

struct op25b_stats_writer;

/**
 * Create (or replace a stale one of a dead process) /dev/shm/op25b.NAME,
 * sized for @p n_workers, and fill the header. Slot 0 is named "(none)".
 *
 * @return the writer, or NULL with errno: EINVAL (bad name: empty, '/',
 *   longer than OP25B_STATS_NAME_MAX - 1, or n_workers out of range),
 *   EEXIST (a live process owns that name), EPERM (a live process owns
 *   it, but the file is another user's: op25b_shm_owner_trusted()), or
 *   shm_open/ftruncate/mmap's.
 */
struct op25b_stats_writer *
op25b_stats_writer_create(const char *instance, unsigned int n_workers,
			  uint64_t tsc_hz);

/** The header, names and worker blocks of the segment (for writing). */
struct op25b_stats_header *
op25b_stats_writer_header(struct op25b_stats_writer *w);
struct op25b_stats_names *
op25b_stats_writer_names(struct op25b_stats_writer *w);
struct op25b_stats_worker *
op25b_stats_writer_worker(struct op25b_stats_writer *w, unsigned int worker);

/** Make the epoch odd (begin) and even again (end) around a layout change;
 * release ordering so that a reader that sees the even epoch sees the
 * change. */
void op25b_stats_writer_layout_begin(struct op25b_stats_writer *w);
void op25b_stats_writer_layout_end(struct op25b_stats_writer *w);

/**
 * The slot of class (or group) @p name, given one the first time the name
 * is seen. Call between layout_begin and layout_end.
 * @return the slot (1..255), or -ENOSPC when 255 names have been used
 *   since the segment was created, -EINVAL when @p name is empty or longer
 *   than OP25B_STATS_NAME_MAX - 1.
 */
int
op25b_stats_writer_class_slot(struct op25b_stats_writer *w, const char *name);
int
op25b_stats_writer_group_slot(struct op25b_stats_writer *w, const char *name);

/**
 * The slots op25b_stats_writer_class_slot() and
 * op25b_stats_writer_group_slot() would give the class names @p classes
 * and the group names @p groups (each list distinct), called in that
 * order, in @p class_slots and @p group_slots, without giving any: a
 * policy's slots are known before it compiles, and named only when it
 * goes live (one layout change), so that no reader sees names a policy
 * that failed gave, or a new policy's names before its generation.
 * @return 0, -ENOSPC past 255 names since the segment was created, or
 *   -EINVAL for a name empty or longer than OP25B_STATS_NAME_MAX - 1.
 */
int
op25b_stats_writer_slots_plan(const struct op25b_stats_writer *w,
			      const char *const *classes,
			      unsigned int n_classes, const char *const *groups,
			      unsigned int n_groups, uint8_t *class_slots,
			      uint8_t *group_slots);

/** Unmap and remove the segment; NULL is accepted. */
void op25b_stats_writer_destroy(struct op25b_stats_writer *w);

/* ------------------------------------------------------------------ */
/* Reader                                                              */

/** A consistent copy: the layout of one epoch, counters summed over the
 * workers. */
struct op25b_stats_snapshot {
	struct op25b_stats_header header;
	struct op25b_stats_names names;
	struct op25b_stats_counters totals;
	struct op25b_stats_port_app port_app[OP25B_STATS_MAX_PORTS];
	uint64_t upstream;
	uint32_t n_workers;
	struct {
		uint32_t lcore_id;
		uint64_t loops;
		uint64_t busy_loops;
	} workers[OP25B_STATS_MAX_WORKERS];
	/** Set by the reader, not the writer: when its writer died without
	 * removing the segment, the time of its last figures (0: alive), at
	 * which its uptime stopped (op25b_stats_uptime()). */
	uint64_t stopped_ns;
};

struct op25b_stats_reader;

/**
 * Open /dev/shm/op25b.NAME read-only.
 * @return the reader, or NULL with errno: ENOENT (no such instance),
 *   EPROTO (not an op25b segment, or another layout version), EPERM (a
 *   file of another user than root or this process's effective one:
 *   op25b_shm_owner_trusted()), EINVAL.
 */
struct op25b_stats_reader *op25b_stats_reader_open(const char *instance);

/**
 * A reader of the segment @p w writes, mapped by the writer's own
 * descriptor rather than by its name: the appliance's own views (the
 * report at exit, the status line, the CLI) read its counters whatever
 * has happened to /dev/shm/op25b.NAME (removed by hand: the exit report
 * failed, exit 1; another op25b's since: its counters were reported).
 * Close it with op25b_stats_reader_close().
 * @return the reader, or NULL with errno.
 */
struct op25b_stats_reader *
op25b_stats_writer_reader(const struct op25b_stats_writer *w);

/**
 * Copy a consistent snapshot: retried while the writer changes the
 * layout, at most @p max_tries times (0 counts as 1). Never blocks the
 * writer. Allocate @p snap with op25b_stats_snapshot_alloc(): it is large.
 * @return 0, or -EAGAIN (the layout kept changing), -EPROTO (the segment
 *   was replaced by one of another size: reopen).
 */
int op25b_stats_reader_read(struct op25b_stats_reader *r,
			    struct op25b_stats_snapshot *snap,
			    unsigned int max_tries);

/** Unmap and close; NULL is accepted. */
void op25b_stats_reader_close(struct op25b_stats_reader *r);

/**
 * What every source of a snapshot does before a view indexes or prints
 * it (op25b_stats_reader_read(), op25b-stat --xdp's maps): its counts kept
 * in range and its strings ended, whatever the segment or map held;
 * @p n_workers of its workers kept, the rest zeroed.
 * @return 0, or -EPROTO (slot counts out of range).
 */
int op25b_stats_snapshot_finish(struct op25b_stats_snapshot *snap,
				unsigned int n_workers);

/**
 * Whether the segment a reader opened is still the live one. A mapping
 * outlives the segment's name, so op25b_stats_reader_read() goes on returning the
 * last counters of a segment that was removed, replaced or left behind by
 * a dead writer; a reader that runs for long calls this to notice.
 * @return 0 (the name still refers to this segment and its writer process
 *   is alive), -ENOENT (the segment was removed: the appliance stopped),
 *   -EPROTO (another segment has that name now: reopen), -ESRCH (the
 *   writer process died without removing it: the counters are its last).
 */
int op25b_stats_reader_check(struct op25b_stats_reader *r);

/**
 * Allocate a zeroed snapshot aligned as its type requires (64 bytes, which
 * malloc() does not promise). Release it with free().
 * @return the snapshot, or NULL with errno ENOMEM.
 */
struct op25b_stats_snapshot *op25b_stats_snapshot_alloc(void);

/* What every view of a snapshot (the reports, op25b-stat, JSON) shows
 * the same way. */

/** Seconds since the writer created the segment, up to its last figures
 * when it died (stopped_ns); 0 if the clock went back. */
double op25b_stats_uptime(const struct op25b_stats_snapshot *snap);
/** "subscriber" or "upstream". */
const char *op25b_stats_port_role(const struct op25b_stats_port *port);
/** The workers' figures of @p port, summed (zeros for an id beyond the
 * array). */
const struct op25b_stats_port_app *
op25b_stats_port_app_of(const struct op25b_stats_snapshot *snap,
			const struct op25b_stats_port *port);
/** The slot shown in row @p i of a class or group table: named slots in
 * slot order first, "(none)" (slot 0) last. */
unsigned int op25b_stats_row_slot(unsigned int i, unsigned int n_slots);

/** How views show a figure of the family lists. */
enum op25b_stats_kind {
	OP25B_STATS_COUNTER, /**< only grows */
	OP25B_STATS_GAUGE,   /**< a level */
	OP25B_STATS_STATE,   /**< an index into op25b_stats_field.names */
};

/** One entry of a family list, as every view shows it. */
struct op25b_stats_field {
	const char *key;	/**< JSON, telemetry, text, CLI */
	const char *prometheus; /**< after "op25b_"; may end in {labels} */
	enum op25b_stats_kind kind;
	const char *help;
	size_t offset;		  /**< of the uint64_t in its struct */
	const char *const *names; /**< STATE: the name of each value */
	unsigned int n_names;
};

#define OP25B_STATS_FIELD_COUNT(field, key, prom, kind, help) +1
#define OP25B_PORT_APP_FIELDS (0 OP25B_PORT_APP_LIST(OP25B_STATS_FIELD_COUNT))
#define OP25B_PORT_DRIVER_FIELDS                                               \
	(0 OP25B_PORT_DRIVER_LIST(OP25B_STATS_FIELD_COUNT))
#define OP25B_HEADER_FIELDS (0 OP25B_HEADER_LIST(OP25B_STATS_FIELD_COUNT))
#define OP25B_ADAPTIVE_FIELDS (0 OP25B_ADAPTIVE_LIST(OP25B_STATS_FIELD_COUNT))

/** The lists as tables, in list order: struct op25b_stats_port_app,
 * struct op25b_stats_port and struct op25b_stats_header. */
extern const struct op25b_stats_field
	op25b_stats_port_app_fields[OP25B_PORT_APP_FIELDS];
extern const struct op25b_stats_field
	op25b_stats_port_driver_fields[OP25B_PORT_DRIVER_FIELDS];
extern const struct op25b_stats_field
	op25b_stats_header_fields[OP25B_HEADER_FIELDS];

/** The figure @p f of the struct at @p base (a plain load: snapshots are
 * private copies). */
uint64_t
op25b_stats_field_get(const struct op25b_stats_field *f, const void *base);
/** The name of value @p v of a STATE figure ("unknown" out of range). */
const char *
op25b_stats_state_name(const struct op25b_stats_field *f, uint64_t v);

/**
 * Extra columns in the text view (op25b-stat's rates): after a table's
 * counter columns, one more column per counter column. @p value points to
 * the counter inside the snapshot being printed, so that a hook holding
 * an earlier snapshot finds the same counter at the same offset in it.
 */
struct op25b_stats_text_hook {
	/** Print the head of the extra column of counter column @p column. */
	void (*head)(FILE *out, const char *column, int width, void *ctx);
	/** Print the extra cell of the counter at @p value. */
	void (*cell)(FILE *out, const uint64_t *value, int width, void *ctx);
	/** Optional: the counter at @p value as an earlier snapshot had it,
	 * or NULL; a worker's busy share is then shown since that one. */
	const uint64_t *(*before)(const uint64_t *value, void *ctx);
	void *ctx;
};

/**
 * The operator's text view of @p snap: instance and header figures,
 * ports (with the time they were sampled), packets, frames, classes,
 * groups, workers. One renderer for op25b's exit report, `show counters`
 * and op25b-stat; @p hook (NULL: none) adds columns.
 * @return 0, or -EIO when @p out has an error.
 */
int op25b_stats_print_text(FILE *out, const struct op25b_stats_snapshot *snap,
			   const struct op25b_stats_text_hook *hook);

/**
 * Write @p snap as one JSON object: instance, pid, policy,
 * start_time_seconds, uptime_seconds, the header figures
 * (OP25B_HEADER_LIST: generation, reload_ok, reload_failed, exemptions,
 * mode, block), ports_updated_seconds, ports (port, name, role, then
 * OP25B_PORT_DRIVER_LIST and OP25B_PORT_APP_LIST),
 * packets (the outcomes and upstream), classes and groups (name -> the four
 * verdicts, "(none)" last), notify (class name -> OP25B_NOTIFY_LIST),
 * adaptive (class name -> OP25B_CLASS_ADAPTIVE_LIST),
 * removed_classes, removed_groups, workers; then
 * @p extra, when not NULL, as further members ("\"key\": value, ...").
 * One writer for op25b --stats-json and op25b-stat --json.
 * @return 0, or -EIO when @p out has an error.
 */
int op25b_stats_print_json(FILE *out, const struct op25b_stats_snapshot *snap,
			   const char *extra);

/**
 * Path of the segment of @p instance ("/dev/shm/op25b.NAME"); the same
 * object as shm_open("/op25b.NAME").
 * @return 0, -EINVAL (bad name: empty, with '/', or longer than
 *   OP25B_STATS_NAME_MAX - 1), -ENAMETOOLONG (@p size too small).
 */
int op25b_stats_path(const char *instance, char *buf, size_t size);

/**
 * Path of the block records' top list of @p instance
 * ("/dev/shm/op25b-top.NAME"): outside the segments' "op25b." names, so
 * that no instance's name ("NAME.top") can make it another's counters.
 * @return as op25b_stats_path().
 */
int op25b_stats_top_path(const char *instance, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* OP25B_STATS_H */
