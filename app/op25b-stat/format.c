/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One snapshot, three ways: the text view of lib/stats (with rate columns
 * in watch mode), the JSON of op25b's --stats-json, and the Prometheus
 * text format. Every name comes from the lists of op25b_stats.h: the
 * outcomes, frames and verdicts by their name functions, the header and
 * port figures through their tables.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "op25b_json.h"
#include "stat_tool.h"

/* Metric names, in one place: tests and dashboards depend on them. */
#define PROM_PREFIX "op25b_"

/* ------------------------------------------------------------------ */
/* Text: lib/stats's renderer, with rate columns in watch mode          */

/* The counter @p value points to (inside view->snap) in view->prev. */
static const uint64_t *
earlier(const uint64_t *value, void *ctx)
{
	const struct stat_view *view = ctx;

	if (view->prev == NULL)
		return NULL;
	return (const uint64_t *)((const char *)view->prev +
				  ((const char *)value -
				   (const char *)view->snap));
}

static void
rate_head(FILE *out, const char *column, int width, void *ctx)
{
	char head[OP25B_STATS_NAME_MAX + 24];

	(void)ctx;
	if (strcmp(column, "total") == 0)
		snprintf(head, sizeof(head), "per second");
	else
		snprintf(head, sizeof(head), "%s/s", column);
	fprintf(out, " %*s", width, head);
}

/* Seconds between the two snapshots for the counter at @p value: the
 * driver's port figures are samples the appliance takes about once a
 * second, so theirs is the time between the two samples, not between
 * our two reads (0 when both reads saw the same sample). */
static double
interval_of(const struct stat_view *view, const uint64_t *value)
{
	const char *ports = (const char *)view->snap->header.ports;
	const char *v = (const char *)value;

	if (v >= ports && v < ports + sizeof(view->snap->header.ports)) {
		uint64_t now = view->snap->header.ports_updated_ns;
		uint64_t then = view->prev->header.ports_updated_ns;

		return now > then ? (double)(now - then) / 1e9 : 0;
	}
	return view->interval;
}

/* A per-second rate: "-" until there are two snapshots (or two samples of
 * the port figures), or if a counter went back, which a restarted writer
 * would do. */
static void
rate_cell(FILE *out, const uint64_t *value, int width, void *ctx)
{
	const struct stat_view *view = ctx;
	const uint64_t *before = earlier(value, ctx);
	double interval = before != NULL ? interval_of(view, value) : 0;

	if (before == NULL || interval <= 0 || *value < *before)
		fprintf(out, " %*s", width, "-");
	else
		fprintf(out, " %*.1f", width,
			(double)(*value - *before) / interval);
}

void
stat_print_text(FILE *out, const struct stat_view *view)
{
	struct op25b_stats_text_hook rates = {
		.head = rate_head,
		.cell = rate_cell,
		.before = earlier,
		.ctx = (void *)view,
	};

	op25b_stats_print_text(out, view->snap, view->rates ? &rates : NULL);
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
	while (*s != '\0') {
		size_t n = op25b_utf8_len(s);

		if (*s == '\\' || *s == '"')
			fprintf(out, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", out);
		else if (n == 0) /* a label value is UTF-8 */
			fputs(OP25B_UTF8_REPLACEMENT, out);
		else
			fwrite(s, 1, n, out);
		s += n == 0 ? 1 : n;
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

/* A counter family: its HELP and TYPE, then one row per counter of a
 * list, labelled with its name, each after its help as a comment (a
 * family has one HELP line; parsers skip other comments). */
static void
prom_named_rows(FILE *out, const char *family, const char *family_help,
		const char *label, const char *(*name)(unsigned int),
		const char *(*help)(unsigned int), const uint64_t *v,
		unsigned int n)
{
	unsigned int i;

	prom_family(out, family, "counter", family_help);
	for (i = 0; i < n; i++) {
		fprintf(out, "# %s \"%s\": %s\n", label, name(i), help(i));
		fprintf(out, PROM_PREFIX "%s{%s=\"%s\"} %" PRIu64 "\n", family,
			label, name(i), v[i]);
	}
}

/* A counter family: its HELP and TYPE, then a row per slot and verdict. */
static void
prom_verdict_rows(FILE *out, const char *family, const char *family_help,
		  const char *label, unsigned int n_slots,
		  const char (*names)[OP25B_STATS_NAME_MAX],
		  const uint64_t (*table)[OP25B_VERDICT_MAX])
{
	unsigned int i, v;

	prom_family(out, family, "counter", family_help);
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

/* Whether each name is in the policy in force (1) or was removed by a
 * reload (0, its counts kept): a dashboard tells a class gone from one
 * that stopped counting, as the text view's "(removed)" and the JSON's
 * removed_classes do. */
static void
prom_active_rows(FILE *out, const char *family, const char *family_help,
		 const char *label, unsigned int n_slots,
		 const char (*names)[OP25B_STATS_NAME_MAX],
		 const uint8_t *active)
{
	unsigned int i;

	prom_family(out, family, "gauge", family_help);
	for (i = 0; i < n_slots; i++) {
		unsigned int slot = op25b_stats_row_slot(i, n_slots);

		fprintf(out, PROM_PREFIX "%s{%s=", family, label);
		prom_label_value(out, names[slot]);
		fprintf(out, "} %u\n", active[slot] != 0);
	}
}

/* A per-class family list (block: notify, adaptive): one counter family
 * per entry, named @p prefix + its one name + "_total", a sample per
 * class. @p table: n_cols counters per slot. */
static void
prom_class_family(FILE *out, const struct op25b_stats_names *n,
		  const char *prefix, const uint64_t *table,
		  unsigned int n_cols, const char *(*column_name)(unsigned int),
		  const char *(*column_help)(unsigned int))
{
	unsigned int i, r;

	for (i = 0; i < n_cols; i++) {
		char family[96];

		snprintf(family, sizeof(family), "%s%s_total", prefix,
			 column_name(i));
		prom_family(out, family, "counter", column_help(i));
		for (r = 0; r < n->n_class_slots; r++) {
			unsigned int slot =
				op25b_stats_row_slot(r, n->n_class_slots);

			fprintf(out, PROM_PREFIX "%s{class=", family);
			prom_label_value(out, n->class_name[slot]);
			fprintf(out, "} %" PRIu64 "\n",
				table[slot * n_cols + i]);
		}
	}
}

/* The metric name of @p f without its constant labels, if any. */
static int
prom_family_name(const struct op25b_stats_field *f, char *buf, size_t size)
{
	const char *brace = strchr(f->prometheus, '{');
	int len = brace ? (int)(brace - f->prometheus)
			: (int)strlen(f->prometheus);

	return snprintf(buf, size, "%.*s", len, f->prometheus);
}

static const char *
prom_type(const struct op25b_stats_field *f)
{
	return f->kind == OP25B_STATS_COUNTER ? "counter" : "gauge";
}

/* HELP and TYPE when @p f opens a family (the figures of one family are
 * next to each other in their list). */
static void
prom_family_of(FILE *out, const struct op25b_stats_field *fields,
	       unsigned int i)
{
	char name[128], prev[128];

	prom_family_name(&fields[i], name, sizeof(name));
	if (i > 0) {
		prom_family_name(&fields[i - 1], prev, sizeof(prev));
		if (strcmp(name, prev) == 0)
			return;
	}
	prom_family(out, name, prom_type(&fields[i]), fields[i].help);
}

/* The header list: a STATE figure is one gauge per name, 1 for the one
 * in force (op25b_mode{mode="monitor"} 1), as alerting rules want. */
static void
prom_header(FILE *out, const struct op25b_stats_header *h)
{
	unsigned int i, k;

	for (i = 0; i < OP25B_HEADER_FIELDS; i++) {
		const struct op25b_stats_field *f =
			&op25b_stats_header_fields[i];
		uint64_t v = op25b_stats_field_get(f, h);

		prom_family_of(out, op25b_stats_header_fields, i);
		if (f->kind != OP25B_STATS_STATE) {
			fprintf(out, PROM_PREFIX "%s %" PRIu64 "\n",
				f->prometheus, v);
			continue;
		}
		for (k = 0; k < f->n_names; k++)
			fprintf(out, PROM_PREFIX "%s{%s=\"%s\"} %d\n",
				f->prometheus, f->key, f->names[k], v == k);
	}
}

/* One family per figure of a port list, one sample per port. */
static void
prom_ports(FILE *out, const struct op25b_stats_snapshot *snap,
	   const struct op25b_stats_field *fields, unsigned int n, bool app)
{
	const struct op25b_stats_header *h = &snap->header;
	unsigned int i, m;

	for (m = 0; m < n; m++) {
		prom_family_of(out, fields, m);
		for (i = 0; i < h->n_ports; i++) {
			const struct op25b_stats_port *p = &h->ports[i];
			const void *base =
				app ? (const void *)op25b_stats_port_app_of(
					      snap, p)
				    : (const void *)p;

			fprintf(out, PROM_PREFIX "%s{port=\"%u\",name=",
				fields[m].prometheus, p->port_id);
			prom_label_value(out, p->name);
			fprintf(out, ",role=\"%s\"} %" PRIu64 "\n",
				op25b_stats_port_role(p),
				op25b_stats_field_get(&fields[m], base));
		}
	}
}

void
stat_print_prometheus(FILE *out, const struct op25b_stats_snapshot *snap)
{
	const struct op25b_stats_header *h = &snap->header;
	const struct op25b_stats_names *n = &snap->names;
	unsigned int i;

	/* Its name under "name": "instance" is Prometheus's own target
	 * label, which a scrape renames ours to exported_instance beside. */
	prom_family(
		out, "info", "gauge",
		"The op25b instance (name) and its policy file (always 1).");
	fputs(PROM_PREFIX "info{name=", out);
	prom_label_value(out, h->instance);
	fputs(",policy=", out);
	prom_label_value(out, h->policy_file);
	fputs("} 1\n", out);

	prom_family(out, "start_time_seconds", "gauge",
		    "When op25b started, in seconds since the Unix epoch.");
	fprintf(out, PROM_PREFIX "start_time_seconds %.3f\n",
		(double)h->start_time_ns / 1e9);

	prom_header(out, h);
	prom_family(out, "ports_updated_seconds", "gauge",
		    "When the port figures (op25b_port_*) were sampled, in "
		    "seconds since the Unix epoch; op25b samples them about "
		    "once a second.");
	fprintf(out, PROM_PREFIX "ports_updated_seconds %.3f\n",
		(double)h->ports_updated_ns / 1e9);

	prom_named_rows(out, "packets_total",
			"Packets received on subscriber ports, by outcome; "
			"each packet has exactly one.",
			"outcome", op25b_outcome_name, op25b_outcome_help,
			snap->totals.outcome, OP25B_OUTCOME_MAX);

	prom_named_rows(out, "frames_total",
			"What the parser saw beyond the outcome, by kind: "
			"non-IP frames, malformed causes, chained frames.",
			"kind", op25b_frame_counter_name,
			op25b_frame_counter_help, snap->totals.frame,
			OP25B_FRAME_MAX);

	prom_family(out, "upstream_packets_total", "counter",
		    "Packets received on upstream ports and passed back to "
		    "subscribers untouched.");
	fprintf(out, PROM_PREFIX "upstream_packets_total %" PRIu64 "\n",
		snap->upstream);

	prom_verdict_rows(out, "class_packets_total",
			  "SMTP packets by source class and policy verdict "
			  "(class \"(none)\": in no class).",
			  "class", n->n_class_slots, n->class_name,
			  snap->totals.class_verdict);
	prom_active_rows(out, "class_active",
			 "Whether the source class is in the policy in force "
			 "(1), or was removed by a reload (0: its counts "
			 "kept, no longer growing).",
			 "class", n->n_class_slots, n->class_name,
			 n->class_active);

	/* block: notify, one family per counter under its one name. */
	prom_class_family(out, n, "", snap->totals.class_notify[0],
			  OP25B_NOTIFY_MAX, op25b_notify_counter_name,
			  op25b_notify_counter_help);
	/* Adaptive per class: "class_" keeps them apart from the instance's
	 * totals of the same names, which a sum would count twice. */
	prom_class_family(out, n, "class_", snap->header.class_adaptive[0],
			  OP25B_CLASS_ADAPTIVE_MAX, op25b_class_adaptive_name,
			  op25b_class_adaptive_help);

	prom_verdict_rows(out, "group_packets_total",
			  "SMTP packets by destination group and policy "
			  "verdict (group \"(none)\": in no group).",
			  "group", n->n_group_slots, n->group_name,
			  snap->totals.group_verdict);
	prom_active_rows(out, "group_active",
			 "Whether the destination group is in the policy in "
			 "force (1), or was removed by a reload (0: its counts "
			 "kept, no longer growing).",
			 "group", n->n_group_slots, n->group_name,
			 n->group_active);

	/* The drivers' figures only once op25b has sampled them (about a
	 * second after start): zeros before were a link_up 0, a false link
	 * down at every restart for a dashboard or a short alert. */
	if (h->ports_updated_ns != 0)
		prom_ports(out, snap, op25b_stats_port_driver_fields,
			   OP25B_PORT_DRIVER_FIELDS, false);
	prom_ports(out, snap, op25b_stats_port_app_fields,
		   OP25B_PORT_APP_FIELDS, true);

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
