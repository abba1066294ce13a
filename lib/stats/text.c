/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The text view of a snapshot: one renderer for op25b's exit report,
 * `show counters` and op25b-stat, the family lists walked as the JSON
 * writer walks them. op25b-stat adds its rate columns through the hook.
 *
 * Class and group rows: named slots in slot order, then "(none)" (slot 0).
 * A name that left the policy keeps its row (its counts never vanish),
 * marked "(removed)".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "op25b_stats.h"

/* Widths of the extra columns, as the columns they follow. */
#define ROW_RATE_WIDTH 12
#define VERDICT_RATE_WIDTH 11

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

static void
hook_head(FILE *out, const struct op25b_stats_text_hook *hook,
	  const char *column, int width)
{
	if (hook != NULL && hook->head != NULL)
		hook->head(out, column, width, hook->ctx);
}

static void
hook_cell(FILE *out, const struct op25b_stats_text_hook *hook,
	  const uint64_t *value, int width)
{
	if (hook != NULL && hook->cell != NULL)
		hook->cell(out, value, width, hook->ctx);
}

/* "policy FILE, generation 1, reload_ok 0, ..., mode enforce, block drop":
 * the header list, in list order. */
static void
print_header(FILE *out, const struct op25b_stats_snapshot *snap)
{
	const struct op25b_stats_header *h = &snap->header;
	unsigned int i;

	fprintf(out, "op25b instance '%s', pid %" PRIu64 ", up ", h->instance,
		h->pid);
	print_duration(out, op25b_stats_uptime(snap));
	fprintf(out, "\npolicy %s", h->policy_file[0] ? h->policy_file : "-");
	for (i = 0; i < OP25B_HEADER_FIELDS; i++) {
		const struct op25b_stats_field *f =
			&op25b_stats_header_fields[i];
		uint64_t v = op25b_stats_field_get(f, h);

		/* The adaptive figures (the list's tail) on a line of
		 * their own. */
		if (i == OP25B_HEADER_FIELDS - OP25B_ADAPTIVE_FIELDS)
			fprintf(out, "\n%s %" PRIu64, f->key, v);
		else if (f->kind == OP25B_STATS_STATE)
			fprintf(out, ", %s %s", f->key,
				op25b_stats_state_name(f, v));
		else
			fprintf(out, ", %s %" PRIu64, f->key, v);
	}
	fputc('\n', out);
}

/* When the driver figures were sampled: they are copied about once a
 * second, while the packet counters below are live. */
static void
print_sample_time(FILE *out, const struct op25b_stats_header *h)
{
	struct timespec now;
	char when[32];
	struct tm tm;
	time_t t;
	double ago;

	if (h->ports_updated_ns == 0) {
		fputs("ports (driver figures not sampled yet)\n", out);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	t = (time_t)(h->ports_updated_ns / 1000000000u);
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	ago = (double)now.tv_sec + (double)now.tv_nsec / 1e9 -
	      (double)h->ports_updated_ns / 1e9;
	fprintf(out, "ports (driver figures sampled %s.%03uZ, %.1f s ago)\n",
		when, (unsigned int)(h->ports_updated_ns / 1000000u % 1000u),
		ago > 0 ? ago : 0.0);
}

/* A row per figure of one port list (@p app: the workers' list, else the
 * driver's), a column per port. */
static void
print_port_rows(FILE *out, const struct op25b_stats_snapshot *snap,
		const struct op25b_stats_text_hook *hook,
		const struct op25b_stats_field *fields, unsigned int n,
		bool app, const int *widths)
{
	const struct op25b_stats_header *h = &snap->header;
	const uint64_t *values[OP25B_STATS_MAX_PORTS];
	unsigned int i, k;

	for (k = 0; k < n; k++) {
		for (i = 0; i < h->n_ports; i++) {
			const void *base =
				app ? (const void *)op25b_stats_port_app_of(
					      snap, &h->ports[i])
				    : (const void *)&h->ports[i];

			values[i] = (const uint64_t *)((const char *)base +
						       fields[k].offset);
		}
		fprintf(out, "%-12s", fields[k].key);
		for (i = 0; i < h->n_ports; i++)
			fprintf(out, " %*" PRIu64, widths[i], *values[i]);
		/* A gauge (the link) has no rate. */
		for (i = 0; i < h->n_ports; i++)
			if (fields[k].kind == OP25B_STATS_COUNTER)
				hook_cell(out, hook, values[i], widths[i]);
			else if (hook != NULL && hook->cell != NULL)
				fprintf(out, " %*s", widths[i], "");
		fputc('\n', out);
	}
}

/* One column per port, one row per figure of the port lists: the lists
 * grow down the screen, not across it. */
static void
print_ports(FILE *out, const struct op25b_stats_snapshot *snap,
	    const struct op25b_stats_text_hook *hook)
{
	const struct op25b_stats_header *h = &snap->header;
	char heads[OP25B_STATS_MAX_PORTS][OP25B_STATS_NAME_MAX + 16];
	int widths[OP25B_STATS_MAX_PORTS];
	unsigned int i;

	print_sample_time(out, h);
	if (h->n_ports == 0)
		return;
	fprintf(out, "%-12s", "port");
	for (i = 0; i < h->n_ports; i++) {
		int len = snprintf(heads[i], sizeof(heads[i]), "%u %s",
				   h->ports[i].port_id, h->ports[i].name);

		widths[i] = len > 14 ? len : 14;
		fprintf(out, " %*s", widths[i], heads[i]);
	}
	for (i = 0; i < h->n_ports; i++)
		hook_head(out, hook, heads[i], widths[i]);
	fprintf(out, "\n%-12s", "role");
	for (i = 0; i < h->n_ports; i++)
		fprintf(out, " %*s", widths[i],
			op25b_stats_port_role(&h->ports[i]));
	fputc('\n', out);
	print_port_rows(out, snap, hook, op25b_stats_port_driver_fields,
			OP25B_PORT_DRIVER_FIELDS, false, widths);
	print_port_rows(out, snap, hook, op25b_stats_port_app_fields,
			OP25B_PORT_APP_FIELDS, true, widths);
}

static void
print_counter_row(FILE *out, const struct op25b_stats_text_hook *hook,
		  const char *name, const uint64_t *value)
{
	fprintf(out, "%-20s %14" PRIu64, name, *value);
	hook_cell(out, hook, value, ROW_RATE_WIDTH);
	fputc('\n', out);
}

/* A table of @p n counters named by @p name_of, under @p title. */
static void
print_counter_table(FILE *out, const struct op25b_stats_text_hook *hook,
		    const char *title, const char *(*name_of)(unsigned int),
		    const uint64_t *counters, unsigned int n)
{
	unsigned int i;

	fprintf(out, "%-20s %14s", title, "total");
	hook_head(out, hook, "total", ROW_RATE_WIDTH);
	fputc('\n', out);
	for (i = 0; i < n; i++)
		print_counter_row(out, hook, name_of(i), &counters[i]);
}

/* Upstream packets are one of the packets rows, after the outcomes. */
static void
print_outcomes(FILE *out, const struct op25b_stats_snapshot *snap,
	       const struct op25b_stats_text_hook *hook)
{
	print_counter_table(out, hook, "packets", op25b_outcome_name,
			    snap->totals.outcome, OP25B_OUTCOME_MAX);
	print_counter_row(out, hook, "upstream", &snap->upstream);
	print_counter_table(out, hook, "frames", op25b_frame_counter_name,
			    snap->totals.frame, OP25B_FRAME_MAX);
}

static void
print_verdicts(FILE *out, const struct op25b_stats_text_hook *hook,
	       const char *title, unsigned int n_slots,
	       const char (*names)[OP25B_STATS_NAME_MAX], const uint8_t *active,
	       const uint64_t (*table)[OP25B_VERDICT_MAX])
{
	unsigned int i, v;

	fprintf(out, "%-24s", title);
	for (v = 0; v < OP25B_VERDICT_MAX; v++)
		fprintf(out, " %12s", op25b_verdict_name(v));
	for (v = 0; v < OP25B_VERDICT_MAX; v++)
		hook_head(out, hook, op25b_verdict_name(v), VERDICT_RATE_WIDTH);
	fputc('\n', out);
	for (i = 0; i < n_slots; i++) {
		unsigned int slot = op25b_stats_row_slot(i, n_slots);
		char label[OP25B_STATS_NAME_MAX + 16];

		snprintf(label, sizeof(label), "%s%s", names[slot],
			 active[slot] ? "" : " (removed)");
		fprintf(out, "%-24s", label);
		for (v = 0; v < OP25B_VERDICT_MAX; v++)
			fprintf(out, " %12" PRIu64, table[slot][v]);
		for (v = 0; v < OP25B_VERDICT_MAX; v++)
			hook_cell(out, hook, &table[slot][v],
				  VERDICT_RATE_WIDTH);
		fputc('\n', out);
	}
}

/* A per-class family (block: notify, adaptive), the classes that have
 * counted anything: a policy without the feature keeps its report as it
 * was. @p table: n_cols counters per slot. */
static void
print_class_family(FILE *out, const struct op25b_stats_names *n,
		   const char *title, const uint64_t *table,
		   unsigned int n_cols,
		   const char *(*column_name)(unsigned int))
{
	unsigned int i, v;
	bool head = false;

	for (i = 0; i < n->n_class_slots; i++) {
		unsigned int slot = op25b_stats_row_slot(i, n->n_class_slots);
		const uint64_t *row = &table[slot * n_cols];
		uint64_t any = 0;

		for (v = 0; v < n_cols; v++)
			any |= row[v];
		if (any == 0)
			continue;
		if (!head) {
			fprintf(out, "%-24s", title);
			for (v = 0; v < n_cols; v++)
				fprintf(out, " %18s", column_name(v));
			fputc('\n', out);
			head = true;
		}
		fprintf(out, "%-24s", n->class_name[slot]);
		for (v = 0; v < n_cols; v++)
			fprintf(out, " %18" PRIu64, row[v]);
		fputc('\n', out);
	}
	if (head)
		fputc('\n', out);
}

static void
print_workers(FILE *out, const struct op25b_stats_snapshot *snap,
	      const struct op25b_stats_text_hook *hook)
{
	unsigned int w;

	fprintf(out, "%-6s %5s %16s %16s %7s", "worker", "lcore", "loops",
		"busy_loops", "busy");
	hook_head(out, hook, "loops", ROW_RATE_WIDTH);
	fputc('\n', out);
	for (w = 0; w < snap->n_workers; w++) {
		uint64_t loops = snap->workers[w].loops;
		uint64_t busy = snap->workers[w].busy_loops;
		const uint64_t *loops0 = NULL, *busy0 = NULL;

		if (hook != NULL && hook->before != NULL) {
			loops0 = hook->before(&snap->workers[w].loops,
					      hook->ctx);
			busy0 = hook->before(&snap->workers[w].busy_loops,
					     hook->ctx);
		}
		/* Busy share since the earlier snapshot when there is one:
		 * the share since start hides what is happening now. */
		if (loops0 != NULL && busy0 != NULL && loops > *loops0 &&
		    busy >= *busy0) {
			loops -= *loops0;
			busy -= *busy0;
		}
		fprintf(out, "%-6u %5u %16" PRIu64 " %16" PRIu64 " %6.1f%%", w,
			snap->workers[w].lcore_id, snap->workers[w].loops,
			snap->workers[w].busy_loops,
			loops ? 100.0 * (double)busy / (double)loops : 0.0);
		hook_cell(out, hook, &snap->workers[w].loops, ROW_RATE_WIDTH);
		fputc('\n', out);
	}
}

int
op25b_stats_print_text(FILE *out, const struct op25b_stats_snapshot *snap,
		       const struct op25b_stats_text_hook *hook)
{
	const struct op25b_stats_names *n = &snap->names;

	print_header(out, snap);
	fputc('\n', out);
	print_ports(out, snap, hook);
	fputc('\n', out);
	print_outcomes(out, snap, hook);
	fputc('\n', out);
	print_verdicts(out, hook, "class", n->n_class_slots, n->class_name,
		       n->class_active, snap->totals.class_verdict);
	fputc('\n', out);
	print_verdicts(out, hook, "destination group", n->n_group_slots,
		       n->group_name, n->group_active,
		       snap->totals.group_verdict);
	fputc('\n', out);
	print_class_family(out, n, "class (block: notify)",
			   snap->totals.class_notify[0], OP25B_NOTIFY_MAX,
			   op25b_notify_counter_name);
	print_class_family(out, n, "class (adaptive)",
			   snap->header.class_adaptive[0],
			   OP25B_CLASS_ADAPTIVE_MAX, op25b_class_adaptive_name);
	print_workers(out, snap, hook);
	return ferror(out) ? -EIO : 0;
}
