/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One snapshot, three ways: a text view for the operator (with rates in
 * watch mode), JSON with the names of op25b's --stats-json, and the
 * Prometheus text format. The counter names all come from
 * OP25B_OUTCOME_LIST through op25b_outcome_name() and op25b_verdict_name().
 *
 * Class and group rows: named slots in slot order, then "(none)" (slot 0),
 * as op25b's own report. A name that left the policy keeps its row (its
 * counts never vanish); the text view marks it "(removed)".
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "stat_tool.h"

/* Metric names, in one place: tests and dashboards depend on them. */
#define PROM_PREFIX "op25b_"

/* ------------------------------------------------------------------ */
/* Text                                                                */

static void
print_duration(FILE *out, double seconds)
{
	uint64_t s = (uint64_t)seconds;
	uint64_t d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60;

	if (d > 0)
		fprintf(out, "%" PRIu64 "d%02" PRIu64 "h%02" PRIu64 "m", d, h,
			m);
	else if (h > 0)
		fprintf(out, "%" PRIu64 "h%02" PRIu64 "m%02" PRIu64 "s", h, m,
			s % 60);
	else if (m > 0)
		fprintf(out, "%" PRIu64 "m%02" PRIu64 "s", m, s % 60);
	else
		fprintf(out, "%" PRIu64 "s", s % 60);
}

/* A per-second rate column: "-" until there are two snapshots (or if a
 * counter went back, which a restarted writer would do). */
static void
print_rate(FILE *out, const struct stat_view *view, uint64_t now,
	   uint64_t before, int width)
{
	if (view->prev == NULL || view->interval <= 0 || now < before)
		fprintf(out, " %*s", width, "-");
	else
		fprintf(out, " %*.1f", width,
			(double)(now - before) / view->interval);
}

static void
print_ports(FILE *out, const struct op25b_stats_snapshot *snap)
{
	const struct op25b_stats_header *h = &snap->header;
	unsigned int i;

	fprintf(out, "%-5s %-20s %-10s %12s %12s %10s %10s %10s %10s\n",
		"port", "name", "role", "rx", "tx", "rx_missed", "rx_errors",
		"tx_errors", "tx_dropped");
	for (i = 0; i < h->n_ports; i++) {
		const struct op25b_stats_port *p = &h->ports[i];

		fprintf(out,
			"%-5u %-20s %-10s %12" PRIu64 " %12" PRIu64
			" %10" PRIu64 " %10" PRIu64 " %10" PRIu64
			" %10" PRIu64 "\n",
			p->port_id, p->name, op25b_stats_port_role(p), p->rx, p->tx,
			p->rx_missed, p->rx_errors, p->tx_errors,
			op25b_stats_port_tx_dropped(snap, p));
	}
}

static void
print_outcomes(FILE *out, const struct stat_view *view)
{
	const struct op25b_stats_snapshot *snap = view->snap;
	const struct op25b_stats_snapshot *prev = view->prev;
	unsigned int i;

	fprintf(out, "%-20s %14s", "packets", "total");
	if (view->rates)
		fprintf(out, " %12s", "per second");
	fputc('\n', out);
	for (i = 0; i < OP25B_OUTCOME_MAX; i++) {
		fprintf(out, "%-20s %14" PRIu64, op25b_outcome_name(i),
			snap->totals.outcome[i]);
		if (view->rates)
			print_rate(out, view, snap->totals.outcome[i],
				   prev ? prev->totals.outcome[i] : 0, 12);
		fputc('\n', out);
	}
	fprintf(out, "%-20s %14" PRIu64, "upstream", snap->upstream);
	if (view->rates)
		print_rate(out, view, snap->upstream, prev ? prev->upstream : 0,
			   12);
	fputc('\n', out);
	fprintf(out, "%-20s %14s\n", "frames", "total");
	for (i = 0; i < OP25B_FRAME_MAX; i++) {
		fprintf(out, "%-20s %14" PRIu64, op25b_frame_counter_name(i),
			snap->totals.frame[i]);
		if (view->rates)
			print_rate(out, view, snap->totals.frame[i],
				   prev ? prev->totals.frame[i] : 0, 12);
		fputc('\n', out);
	}
}

static void
print_verdicts(FILE *out, const struct stat_view *view, const char *title,
	       unsigned int n_slots, const char (*names)[OP25B_STATS_NAME_MAX],
	       const uint8_t *active,
	       const uint64_t (*table)[OP25B_VERDICT_MAX],
	       const uint64_t (*prev_table)[OP25B_VERDICT_MAX])
{
	unsigned int i, v;

	fprintf(out, "%-24s", title);
	for (v = 0; v < OP25B_VERDICT_MAX; v++)
		fprintf(out, " %12s", op25b_verdict_name(v));
	if (view->rates)
		for (v = 0; v < OP25B_VERDICT_MAX; v++) {
			char head[OP25B_STATS_NAME_MAX];

			snprintf(head, sizeof(head), "%s/s",
				 op25b_verdict_name(v));
			fprintf(out, " %11s", head);
		}
	fputc('\n', out);
	for (i = 0; i < n_slots; i++) {
		unsigned int slot = op25b_stats_row_slot(i, n_slots);
		char label[OP25B_STATS_NAME_MAX + 16];

		snprintf(label, sizeof(label), "%s%s", names[slot],
			 active[slot] ? "" : " (removed)");
		fprintf(out, "%-24s", label);
		for (v = 0; v < OP25B_VERDICT_MAX; v++)
			fprintf(out, " %12" PRIu64, table[slot][v]);
		if (view->rates)
			for (v = 0; v < OP25B_VERDICT_MAX; v++)
				print_rate(out, view, table[slot][v],
					   prev_table ? prev_table[slot][v] : 0,
					   11);
		fputc('\n', out);
	}
}

static void
print_workers(FILE *out, const struct stat_view *view)
{
	const struct op25b_stats_snapshot *snap = view->snap;
	const struct op25b_stats_snapshot *prev = view->prev;
	unsigned int w;

	fprintf(out, "%-6s %5s %16s %16s %7s", "worker", "lcore", "loops",
		"busy_loops", "busy");
	if (view->rates)
		fprintf(out, " %12s", "loops/s");
	fputc('\n', out);
	for (w = 0; w < snap->n_workers; w++) {
		uint64_t loops = snap->workers[w].loops;
		uint64_t busy = snap->workers[w].busy_loops;

		/* Busy share since the last refresh when there is one: the
		 * share since start hides what is happening now. */
		if (prev != NULL && loops > prev->workers[w].loops &&
		    busy >= prev->workers[w].busy_loops) {
			loops -= prev->workers[w].loops;
			busy -= prev->workers[w].busy_loops;
		}
		fprintf(out, "%-6u %5u %16" PRIu64 " %16" PRIu64 " %6.1f%%", w,
			snap->workers[w].lcore_id, snap->workers[w].loops,
			snap->workers[w].busy_loops,
			loops ? 100.0 * (double)busy / (double)loops : 0.0);
		if (view->rates)
			print_rate(out, view, snap->workers[w].loops,
				   prev ? prev->workers[w].loops : 0, 12);
		fputc('\n', out);
	}
}

void
stat_print_text(FILE *out, const struct stat_view *view)
{
	const struct op25b_stats_snapshot *snap = view->snap;
	const struct op25b_stats_snapshot *prev = view->prev;
	const struct op25b_stats_header *h = &snap->header;
	const struct op25b_stats_names *n = &snap->names;

	fprintf(out, "op25b instance '%s', pid %" PRIu64 ", up ", h->instance,
		h->pid);
	print_duration(out, op25b_stats_uptime(snap));
	fprintf(out,
		"\npolicy %s, generation %" PRIu64 ", reloads %" PRIu64
		" ok %" PRIu64 " failed, exemptions %" PRIu64 "\n\n",
		h->policy_file[0] ? h->policy_file : "-", h->policy_generation,
		h->reload_ok, h->reload_failed, h->exemptions);
	print_ports(out, snap);
	fputc('\n', out);
	print_outcomes(out, view);
	fputc('\n', out);
	print_verdicts(out, view, "class", n->n_class_slots, n->class_name,
		       n->class_active, snap->totals.class_verdict,
		       prev ? prev->totals.class_verdict : NULL);
	fputc('\n', out);
	print_verdicts(out, view, "destination group", n->n_group_slots,
		       n->group_name, n->group_active,
		       snap->totals.group_verdict,
		       prev ? prev->totals.group_verdict : NULL);
	fputc('\n', out);
	print_workers(out, view);
}

/* ------------------------------------------------------------------ */
/* JSON: the writer op25b's --stats-json uses too (lib/stats/json.c)     */

void
stat_print_json(FILE *out, const struct op25b_stats_snapshot *snap)
{
	op25b_stats_print_json(out, snap, NULL);
}

/* ------------------------------------------------------------------ */
/* Prometheus text format 0.0.4                                        */

/* Label values escape backslash, double quote and line feed. */
static void
prom_label_value(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(out, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

/* HELP text escapes backslash and line feed only. */
static void
prom_family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP " PROM_PREFIX "%s ", name);
	for (; *help != '\0'; help++) {
		if (*help == '\\')
			fputs("\\\\", out);
		else if (*help == '\n')
			fputs("\\n", out);
		else
			fputc(*help, out);
	}
	fprintf(out, "\n# TYPE " PROM_PREFIX "%s %s\n", name, type);
}

static void
prom_verdict_rows(FILE *out, const char *family, const char *label,
		  unsigned int n_slots,
		  const char (*names)[OP25B_STATS_NAME_MAX],
		  const uint64_t (*table)[OP25B_VERDICT_MAX])
{
	unsigned int i, v;

	for (i = 0; i < n_slots; i++) {
		unsigned int slot = op25b_stats_row_slot(i, n_slots);

		for (v = 0; v < OP25B_VERDICT_MAX; v++) {
			fprintf(out, PROM_PREFIX "%s{%s=", family, label);
			prom_label_value(out, names[slot]);
			fprintf(out, ",verdict=\"%s\"} %" PRIu64 "\n",
				op25b_verdict_name(v), table[slot][v]);
		}
	}
}

enum port_field {
	PORT_RX,
	PORT_TX,
	PORT_RX_MISSED,
	PORT_RX_ERRORS,
	PORT_TX_ERRORS,
	PORT_TX_DROPPED,
};

static const struct port_metric {
	enum port_field field;
	const char *name;
	const char *help;
} port_metrics[] = {
	{PORT_RX, "port_rx_packets_total", "Packets the port received."},
	{PORT_TX, "port_tx_packets_total", "Packets the port sent."},
	{PORT_RX_MISSED, "port_rx_missed_packets_total",
	 "Packets the NIC dropped for want of room in the RX queue."},
	{PORT_RX_ERRORS, "port_rx_errors_total",
	 "Erroneous received packets, and receives that found no mbuf."},
	{PORT_TX_ERRORS, "port_tx_errors_total",
	 "Packets the port failed to send."},
	{PORT_TX_DROPPED, "port_tx_dropped_packets_total",
	 "Packets op25b freed unsent because the TX queue was full."},
};

static uint64_t
port_value(const struct op25b_stats_snapshot *snap,
	   const struct op25b_stats_port *p, enum port_field field)
{
	switch (field) {
	case PORT_RX:
		return p->rx;
	case PORT_TX:
		return p->tx;
	case PORT_RX_MISSED:
		return p->rx_missed;
	case PORT_RX_ERRORS:
		return p->rx_errors;
	case PORT_TX_ERRORS:
		return p->tx_errors;
	case PORT_TX_DROPPED:
		return op25b_stats_port_tx_dropped(snap, p);
	}
	return 0;
}

void
stat_print_prometheus(FILE *out, const struct op25b_stats_snapshot *snap)
{
	const struct op25b_stats_header *h = &snap->header;
	const struct op25b_stats_names *n = &snap->names;
	unsigned int i, m;

	prom_family(out, "info", "gauge",
		    "The op25b instance and its policy file (always 1).");
	fputs(PROM_PREFIX "info{instance=", out);
	prom_label_value(out, h->instance);
	fputs(",policy=", out);
	prom_label_value(out, h->policy_file);
	fputs("} 1\n", out);

	prom_family(out, "start_time_seconds", "gauge",
		    "When op25b started, in seconds since the Unix epoch.");
	fprintf(out, PROM_PREFIX "start_time_seconds %.3f\n",
		(double)h->start_time_ns / 1e9);

	prom_family(out, "policy_generation", "gauge",
		    "1 for the policy loaded at start, +1 each successful "
		    "reload.");
	fprintf(out, PROM_PREFIX "policy_generation %" PRIu64 "\n",
		h->policy_generation);

	prom_family(out, "reloads_total", "counter",
		    "Policy reloads, by result (a failed reload keeps the "
		    "old policy).");
	fprintf(out, PROM_PREFIX "reloads_total{result=\"ok\"} %" PRIu64 "\n",
		h->reload_ok);
	fprintf(out,
		PROM_PREFIX "reloads_total{result=\"failed\"} %" PRIu64 "\n",
		h->reload_failed);

	prom_family(out, "exemptions", "gauge",
		    "Exemptions in force (op25b-cli exempt list).");
	fprintf(out, PROM_PREFIX "exemptions %" PRIu64 "\n", h->exemptions);

	prom_family(out, "packets_total", "counter",
		    "Packets received on subscriber ports, by outcome; each "
		    "packet has exactly one.");
	for (i = 0; i < OP25B_OUTCOME_MAX; i++) {
		/* The help of each outcome, as a comment (a family has one
		 * HELP line; parsers skip other comments). */
		fprintf(out, "# outcome \"%s\": %s\n", op25b_outcome_name(i),
			op25b_outcome_help(i));
		fprintf(out,
			PROM_PREFIX "packets_total{outcome=\"%s\"} %" PRIu64
				    "\n",
			op25b_outcome_name(i), snap->totals.outcome[i]);
	}

	prom_family(out, "frames_total", "counter",
		    "What the parser saw beyond the outcome, by kind: non-IP "
		    "frames, malformed causes, chained frames.");
	for (i = 0; i < OP25B_FRAME_MAX; i++) {
		fprintf(out, "# kind \"%s\": %s\n",
			op25b_frame_counter_name(i),
			op25b_frame_counter_help(i));
		fprintf(out,
			PROM_PREFIX "frames_total{kind=\"%s\"} %" PRIu64 "\n",
			op25b_frame_counter_name(i), snap->totals.frame[i]);
	}

	prom_family(out, "upstream_packets_total", "counter",
		    "Packets received on upstream ports and passed back to "
		    "subscribers untouched.");
	fprintf(out, PROM_PREFIX "upstream_packets_total %" PRIu64 "\n",
		snap->upstream);

	prom_family(out, "class_packets_total", "counter",
		    "SMTP packets by source class and policy verdict "
		    "(class \"(none)\": in no class).");
	prom_verdict_rows(out, "class_packets_total", "class", n->n_class_slots,
			  n->class_name, snap->totals.class_verdict);

	prom_family(out, "group_packets_total", "counter",
		    "SMTP packets by destination group and policy verdict "
		    "(group \"(none)\": in no group).");
	prom_verdict_rows(out, "group_packets_total", "group", n->n_group_slots,
			  n->group_name, snap->totals.group_verdict);

	for (m = 0; m < sizeof(port_metrics) / sizeof(port_metrics[0]); m++) {
		prom_family(out, port_metrics[m].name, "counter",
			    port_metrics[m].help);
		for (i = 0; i < h->n_ports; i++) {
			const struct op25b_stats_port *p = &h->ports[i];

			fprintf(out, PROM_PREFIX "%s{port=\"%u\",name=",
				port_metrics[m].name, p->port_id);
			prom_label_value(out, p->name);
			fprintf(out, ",role=\"%s\"} %" PRIu64 "\n",
				op25b_stats_port_role(p),
				port_value(snap, p, port_metrics[m].field));
		}
	}

	prom_family(out, "worker_loops_total", "counter",
		    "Polling loops of each worker lcore.");
	for (i = 0; i < snap->n_workers; i++)
		fprintf(out,
			PROM_PREFIX "worker_loops_total{lcore=\"%u\"} %" PRIu64
				    "\n",
			snap->workers[i].lcore_id, snap->workers[i].loops);
	prom_family(out, "worker_busy_loops_total", "counter",
		    "Polling loops that received at least one packet.");
	for (i = 0; i < snap->n_workers; i++)
		fprintf(out,
			PROM_PREFIX "worker_busy_loops_total{lcore=\"%u\"} "
				    "%" PRIu64 "\n",
			snap->workers[i].lcore_id, snap->workers[i].busy_loops);
}
