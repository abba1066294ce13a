/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The JSON form of a snapshot: one writer for op25b's --stats-json and
 * op25b-stat --json, so that the two cannot drift apart; and the small
 * helpers every view of a snapshot shares.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "op25b_stats.h"

double
op25b_stats_uptime(const struct op25b_stats_snapshot *snap)
{
	struct timespec now;
	double t;

	clock_gettime(CLOCK_REALTIME, &now);
	t = (double)now.tv_sec + (double)now.tv_nsec / 1e9 -
	    (double)snap->header.start_time_ns / 1e9;
	return t > 0 ? t : 0;
}

const char *
op25b_stats_port_role(const struct op25b_stats_port *port)
{
	return port->is_subscriber ? "subscriber" : "upstream";
}

/* Indexed by port id: a port beyond the array has no loop counters. */
uint64_t
op25b_stats_port_tx_dropped(const struct op25b_stats_snapshot *snap,
			    const struct op25b_stats_port *port)
{
	return port->port_id < OP25B_STATS_MAX_PORTS
		       ? snap->port_app[port->port_id].tx_dropped
		       : 0;
}

unsigned int
op25b_stats_row_slot(unsigned int i, unsigned int n_slots)
{
	return (i + 1) % n_slots;
}

static void
json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(out, "\\u%04x", ch);
		else
			fputc(ch, out);
	}
	fputc('"', out);
}

static void
json_verdict_rows(FILE *out, unsigned int n_slots,
		  const char (*names)[OP25B_STATS_NAME_MAX],
		  const uint64_t (*table)[OP25B_VERDICT_MAX])
{
	unsigned int i, v;

	fputc('{', out);
	for (i = 0; i < n_slots; i++) {
		unsigned int slot = op25b_stats_row_slot(i, n_slots);

		fprintf(out, "%s\n    ", i ? "," : "");
		json_string(out, names[slot]);
		fputs(": {", out);
		for (v = 0; v < OP25B_VERDICT_MAX; v++)
			fprintf(out, "%s\"%s\": %" PRIu64, v ? ", " : "",
				op25b_verdict_name(v), table[slot][v]);
		fputc('}', out);
	}
	fputs("\n  }", out);
}

/* Names no longer in the policy: their rows stay in "classes"/"groups". */
static void
json_removed(FILE *out, unsigned int n_slots,
	     const char (*names)[OP25B_STATS_NAME_MAX], const uint8_t *active)
{
	unsigned int slot, k = 0;

	fputc('[', out);
	for (slot = 1; slot < n_slots; slot++)
		if (!active[slot]) {
			fputs(k++ ? ", " : "", out);
			json_string(out, names[slot]);
		}
	fputc(']', out);
}

int
op25b_stats_print_json(FILE *out, const struct op25b_stats_snapshot *snap,
		       const char *extra)
{
	const struct op25b_stats_header *h = &snap->header;
	const struct op25b_stats_names *n = &snap->names;
	unsigned int i;

	fputs("{\n  \"instance\": ", out);
	json_string(out, h->instance);
	fprintf(out, ",\n  \"pid\": %" PRIu64 ",\n  \"policy\": ", h->pid);
	json_string(out, h->policy_file);
	fprintf(out,
		",\n  \"generation\": %" PRIu64
		",\n  \"start_time_seconds\": %.3f"
		",\n  \"uptime_seconds\": %.3f"
		",\n  \"reload_ok\": %" PRIu64
		",\n  \"reload_failed\": %" PRIu64
		",\n  \"exemptions\": %" PRIu64 ",\n  \"ports\": [",
		h->policy_generation, (double)h->start_time_ns / 1e9,
		op25b_stats_uptime(snap), h->reload_ok, h->reload_failed,
		h->exemptions);
	for (i = 0; i < h->n_ports; i++) {
		const struct op25b_stats_port *p = &h->ports[i];

		fprintf(out, "%s\n    {\"port\": %u, \"name\": ", i ? "," : "",
			p->port_id);
		json_string(out, p->name);
		fprintf(out,
			", \"role\": \"%s\", \"rx\": %" PRIu64
			", \"tx\": %" PRIu64 ", \"rx_missed\": %" PRIu64
			", \"rx_errors\": %" PRIu64 ", \"tx_errors\": %" PRIu64
			", \"tx_dropped\": %" PRIu64 "}",
			op25b_stats_port_role(p), p->rx, p->tx, p->rx_missed, p->rx_errors,
			p->tx_errors, op25b_stats_port_tx_dropped(snap, p));
	}
	fputs("\n  ],\n  \"packets\": {", out);
	for (i = 0; i < OP25B_OUTCOME_MAX; i++)
		fprintf(out, "%s\"%s\": %" PRIu64, i ? ", " : "",
			op25b_outcome_name(i), snap->totals.outcome[i]);
	fprintf(out, ", \"upstream\": %" PRIu64 "},\n  \"frames\": {",
		snap->upstream);
	for (i = 0; i < OP25B_FRAME_MAX; i++)
		fprintf(out, "%s\"%s\": %" PRIu64, i ? ", " : "",
			op25b_frame_counter_name(i), snap->totals.frame[i]);
	fputs("},\n  \"classes\": ", out);
	json_verdict_rows(out, n->n_class_slots, n->class_name,
			  snap->totals.class_verdict);
	fputs(",\n  \"groups\": ", out);
	json_verdict_rows(out, n->n_group_slots, n->group_name,
			  snap->totals.group_verdict);
	fputs(",\n  \"removed_classes\": ", out);
	json_removed(out, n->n_class_slots, n->class_name, n->class_active);
	fputs(",\n  \"removed_groups\": ", out);
	json_removed(out, n->n_group_slots, n->group_name, n->group_active);
	fputs(",\n  \"workers\": [", out);
	for (i = 0; i < snap->n_workers; i++)
		fprintf(out,
			"%s{\"lcore\": %u, \"loops\": %" PRIu64
			", \"busy_loops\": %" PRIu64 "}",
			i ? ", " : "", snap->workers[i].lcore_id,
			snap->workers[i].loops, snap->workers[i].busy_loops);
	fputc(']', out);
	if (extra != NULL)
		fprintf(out, ",\n  %s", extra);
	fputs("\n}\n", out);
	return ferror(out) ? -EIO : 0;
}

