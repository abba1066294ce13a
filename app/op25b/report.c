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

static void
print_verdict_table(FILE *out, const char *title, unsigned int n_slots,
		    const uint64_t (*table)[OP25B_VERDICT_MAX],
		    const char (*names)[OP25B_STATS_NAME_MAX],
		    const uint8_t *active)
{
	unsigned int i, v;

	fprintf(out, "%-24s", title);
	for (v = 0; v < OP25B_VERDICT_MAX; v++)
		fprintf(out, " %12s", op25b_verdict_name(v));
	fputc('\n', out);
	for (i = 0; i < n_slots; i++) {
		unsigned int slot = op25b_stats_row_slot(i, n_slots);
		char label[OP25B_STATS_NAME_MAX + 16];

		snprintf(label, sizeof(label), "%s%s", names[slot],
			 active[slot] ? "" : " (removed)");
		fprintf(out, "%-24s", label);
		for (v = 0; v < OP25B_VERDICT_MAX; v++)
			fprintf(out, " %12" PRIu64, table[slot][v]);
		fputc('\n', out);
	}
}

void
op25b_report_print(const struct op25b_stats_snapshot *s, FILE *out)
{
	const struct op25b_stats_header *h = &s->header;
	unsigned int i;

	fprintf(out, "%-5s %-20s %-10s %12s %12s %10s %10s %10s\n", "port",
		"name", "role", "rx", "tx", "rx_missed", "tx_errors",
		"tx_dropped");
	for (i = 0; i < h->n_ports; i++) {
		const struct op25b_stats_port *p = &h->ports[i];

		fprintf(out,
			"%-5u %-20s %-10s %12" PRIu64 " %12" PRIu64
			" %10" PRIu64 " %10" PRIu64 " %10" PRIu64 "\n",
			p->port_id, p->name, op25b_stats_port_role(p), p->rx, p->tx,
			p->rx_missed, p->tx_errors,
			op25b_stats_port_tx_dropped(s, p));
	}
	fputs("packets:", out);
	for (i = 0; i < OP25B_OUTCOME_MAX; i++)
		fprintf(out, " %s %" PRIu64, op25b_outcome_name(i),
			s->totals.outcome[i]);
	fprintf(out, " upstream %" PRIu64 "\n", s->upstream);
	fputs("frames:", out);
	for (i = 0; i < OP25B_FRAME_MAX; i++)
		fprintf(out, " %s %" PRIu64, op25b_frame_counter_name(i),
			s->totals.frame[i]);
	fputc('\n', out);
	print_verdict_table(out, "class", s->names.n_class_slots,
			    s->totals.class_verdict, s->names.class_name,
			    s->names.class_active);
	print_verdict_table(out, "destination group", s->names.n_group_slots,
			    s->totals.group_verdict, s->names.group_name,
			    s->names.group_active);
	if (h->reload_ok || h->reload_failed)
		fprintf(out,
			"policy generation %" PRIu64 ": %" PRIu64
			" reloads, %" PRIu64 " failed\n",
			h->policy_generation, h->reload_ok, h->reload_failed);
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
