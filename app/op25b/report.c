/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reports from a shared-memory snapshot: the final text and JSON reports
 * and the status line read the same copy that op25b-stat and telemetry
 * read, so their numbers cannot disagree.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_mempool.h>

#include "op25b_app.h"
#include "op25b_save.h"

void
op25b_report_status_line(const struct op25b_stats_snapshot *s, FILE *out)
{
	const struct op25b_stats_header *h = &s->header;
	uint64_t rx = 0;
	unsigned int i;

	for (i = 0; i < h->n_ports; i++)
		if (h->ports[i].is_subscriber)
			rx += s->port_app[h->ports[i].port_id].rx;
	fprintf(out,
		"op25b: %.0fs generation %" PRIu64 " subscriber rx %" PRIu64
		" upstream rx %" PRIu64 " forwarded %" PRIu64
		" counted %" PRIu64 " blocked %" PRIu64 " reset %" PRIu64
		" malformed %" PRIu64 "\n",
		op25b_stats_uptime(s), h->policy_generation, rx, s->upstream,
		s->totals.outcome[OP25B_OUTCOME_FORWARDED],
		s->totals.outcome[OP25B_OUTCOME_COUNTED],
		s->totals.outcome[OP25B_OUTCOME_BLOCKED],
		s->totals.outcome[OP25B_OUTCOME_RESET],
		s->totals.outcome[OP25B_OUTCOME_MALFORMED]);
	fflush(out);
}

/* The text view op25b-stat shows, without its rate columns. */
void
op25b_report_print(const struct op25b_stats_snapshot *s, FILE *out)
{
	op25b_stats_print_text(out, s, NULL);
}

struct report_json {
	const struct op25b_stats_snapshot *s;
	const char *mempool;
};

static int
write_report_json(FILE *f, const void *arg)
{
	const struct report_json *r = arg;

	return op25b_stats_print_json(f, r->s, r->mempool);
}

struct op25b_stats_snapshot *
op25b_report_snapshot(struct op25b_stats_reader *r, unsigned int tries,
		      int *err)
{
	struct op25b_stats_snapshot *snap =
		r != NULL ? op25b_stats_snapshot_alloc() : NULL;

	/* The reader says why by its return value, not errno. */
	*err = r == NULL      ? -errno
	       : snap == NULL ? -ENOMEM
			      : op25b_stats_reader_read(r, snap, tries);
	op25b_stats_reader_close(r);
	if (*err != 0) {
		free(snap);
		return NULL;
	}
	return snap;
}

struct op25b_stats_snapshot *
op25b_app_snapshot(const struct op25b_app *app, unsigned int tries, int *err)
{
	return op25b_report_snapshot(op25b_stats_writer_reader(app->stats),
				     tries, err);
}

int
op25b_report_json(const struct op25b_stats_snapshot *s,
		  const struct rte_mempool *pool, const char *path)
{
	char mempool[128];
	struct report_json r = { s, mempool };

	snprintf(mempool, sizeof(mempool),
		 "\"mempool\": {\"size\": %u, \"available\": %u}", pool->size,
		 rte_mempool_avail_count(pool));
	/* Counters and figures, no subscriber's: what fopen() would give. */
	return op25b_save_file(path, write_report_json, &r, 0666);
}
