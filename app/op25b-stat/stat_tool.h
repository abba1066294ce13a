/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * op25b-stat internals: where snapshots come from (source.c), the three
 * ways of printing one (format.c), and the /metrics server (http.c).
 */
#ifndef OP25B_STAT_TOOL_H
#define OP25B_STAT_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "op25b_stats.h"

/* A reload changes the layout in microseconds: op25b_stats_reader_read() tries
 * this many copies (yielding while the epoch is odd), and a source that
 * still gets -EAGAIN sleeps a millisecond and tries again, up to
 * STAT_READ_ROUNDS times, in case the writer was preempted mid-change. */
#define STAT_READ_TRIES 1000
#define STAT_READ_ROUNDS 100

/** One instance's segment, opened lazily and reopened when replaced. */
struct stat_source {
	const char *name;
	bool xdp; /* an op25b-xdp instance's pinned counters (xdp_source.c) */
	char path[OP25B_STATS_PATH_MAX];
	struct op25b_stats_reader *reader;
};

/**
 * Take a fresh snapshot of @p src: open the segment if it is not open, and
 * open it again if a new op25b replaced it.
 * @return 0; -ESRCH when the snapshot was taken but the writer process is
 *   gone (its last counters; @p why says so); another -errno when there is
 *   no snapshot, with one line for the operator in @p why.
 */
int stat_source_read(struct stat_source *src, struct op25b_stats_snapshot *snap,
		     char *why, size_t why_size);

/**
 * The same snapshot from an op25b-xdp instance: its pinned counters, the
 * class and group names of its policy file, its generation and reloads;
 * no ports, no workers. Same contract as stat_source_read(); -ENOTSUP when
 * op25b-stat was built without XDP.
 */
int stat_xdp_read(struct stat_source *src, struct op25b_stats_snapshot *snap,
		  char *why, size_t why_size);

/** Close the segment (the source can be read again later). */
void stat_source_close(struct stat_source *src);

/* Why the file at @path, another user's (EPERM from lib/stats), is not
 * read: its owner, and --owner for an op25b run as that user. @what:
 * "counters", "block records list". */
void
stat_owner_refused(const char *path, const char *what, char *why, size_t size);

/** What the text view shows: a snapshot, and rates against @p prev. */
struct stat_view {
	const struct op25b_stats_snapshot *snap;
	/** the previous snapshot of the same writer, NULL: no rates yet */
	const struct op25b_stats_snapshot *prev;
	double interval; /**< seconds from @p prev to @p snap */
	bool rates;	 /**< rate columns ("-" while @p prev is NULL) */
};

/** The operator's view: instance, ports, outcomes, classes, groups,
 * workers. */
void stat_print_text(FILE *out, const struct stat_view *view);

/** One JSON object, with the names of op25b's --stats-json. */
void stat_print_json(FILE *out, const struct op25b_stats_snapshot *snap);

/** The Prometheus text exposition format, version 0.0.4. */
void stat_print_prometheus(FILE *out, const struct op25b_stats_snapshot *snap);

/**
 * Parse "HOST:PORT" with HOST an IPv4 literal or a bracketed IPv6 one
 * ("127.0.0.1:9125", "[::1]:9125").
 * @return 0, or -EINVAL.
 */
int stat_parse_listen(const char *text, void *sockaddr_storage,
		      size_t *sockaddr_len);

/**
 * Serve GET /metrics on @p listen until SIGINT or SIGTERM (which the
 * caller has blocked in every thread).
 * @return the exit status: 0 after a signal, 1 when it cannot listen.
 */
int stat_serve(struct stat_source *src, const char *listen,
	       const void *sockaddr, size_t sockaddr_len);

#endif /* OP25B_STAT_TOOL_H */
