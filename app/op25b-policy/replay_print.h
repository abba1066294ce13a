/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The output of a replay, shared by op25b-policy replay and op25b-xdp
 * replay: the same line a packet and the same totals for the same frames.
 */
#ifndef OP25B_REPLAY_PRINT_H
#define OP25B_REPLAY_PRINT_H

#include <stdbool.h>
#include <stdint.h>

#include <pcap/pcap.h>

#include "op25b_classify.h"
#include "op25b_policy.h"
#include "op25b_stats.h"

/* What a replay has counted, and how to print it. */
struct op25b_replay_report {
	const struct op25b_policy *policy;
	/* Describes frames (op25b_classifier_describe()): a compiled
	 * classifier, or one made by op25b_classifier_parser_create(). */
	const struct op25b_classifier *classifier;
	int json;
	uint32_t frame_max; /* longer frames are skipped (the note says) */
	struct op25b_stats_counters counters;
	uint64_t packets;
	uint64_t truncated;
	uint64_t oversize;
};

/* Packet @n: its outcome, disposition, class, group and description, as
 * text or as one JSON object. @frame is the frame as it came in. */
void op25b_replay_print_result(const struct op25b_replay_report *r, uint64_t n,
			       const uint8_t *frame, uint32_t len,
			       const struct op25b_classify_result *res);

/* The totals: the text summary on stdout (stderr with --json), or the
 * JSON totals object as the last line of stdout. */
void op25b_replay_print_totals(const struct op25b_replay_report *r);

/* Who would have been blocked, after the totals (on stderr with --json,
 * whose stdout is JSON lines): the adaptive events. */
void op25b_replay_print_adaptive(const struct op25b_replay_report *r,
				 uint64_t triggered, uint64_t evicted,
				 uint64_t table_full);

/* Where a replay writes what leaves: OUT (forwarded) and R (replies). */
struct op25b_replay_dumps {
	pcap_t *dead;
	pcap_dumper_t *out;			    /* NULL: not asked for */
	pcap_dumper_t *replies;			    /* NULL: not asked for */
	const char *tool, *out_path, *replies_path; /* for the errors */
};

/* Open the captures asked for (a NULL path: none), Ethernet, @snaplen.
 * Returns 0, or -1 with "TOOL: PATH: why" on stderr (then close). */
int op25b_replay_dumps_open(struct op25b_replay_dumps *d, const char *tool,
			    const char *out, const char *replies,
			    unsigned int snaplen);

/* Close what op25b_replay_dumps_open() opened; a zeroed @d is accepted. */
/* Close the captures, and the tool's standard output's last words out.
 * Returns 0, or -1 after "TOOL: PATH: write failed: why" on stderr for
 * each capture (or the standard output) a write to failed: a capture
 * cut short, or a --json cut off, is no result. */
int op25b_replay_dumps_close(struct op25b_replay_dumps *d);

/* A capture's clock, which never goes back (the appliance's does not): a
 * frame stamped before the latest seen is judged at that latest time. */
struct op25b_replay_clock {
	uint64_t latest_us;
	bool said;
};

/* The time to judge frame @packet (1-based) at, in microseconds: @ts, or
 * the latest seen when @ts is earlier (said once, "TOOL: warning: ..."). */
uint64_t
op25b_replay_clock_at(struct op25b_replay_clock *c, const struct timeval *ts,
		      uint64_t packet, const char *tool);

#endif /* OP25B_REPLAY_PRINT_H */
