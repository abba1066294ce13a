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

/* Written to a temporary file and renamed, so that a reader never sees
 * half a report. */
int
op25b_report_json(const struct op25b_stats_snapshot *s,
		  const struct rte_mempool *pool, const char *path)
{
	char tmp[4096], mempool[128];
	int err;
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (f == NULL)
		return -errno;
	snprintf(mempool, sizeof(mempool),
		 "\"mempool\": {\"size\": %u, \"available\": %u}", pool->size,
		 rte_mempool_avail_count(pool));
	err = op25b_stats_print_json(f, s, mempool);
	if (fclose(f) != 0 && err == 0)
		err = -errno;
	if (err == 0 && rename(tmp, path) != 0)
		err = -errno;
	if (err != 0)
		unlink(tmp);
	return err;
}
