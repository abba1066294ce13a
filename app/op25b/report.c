/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Final and periodic reports: the workers' counters summed, as text for
 * the operator and as JSON for scripts (same names in both).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "op25b_app.h"

#define NO_NAME "(none)"

static const char *const verdict_names[OP25B_VERDICT_MAX] = {
	"forwarded", "counted", "blocked", "reset"};

struct totals {
	uint64_t outcome[OP25B_OUTCOME_MAX];
	uint64_t upstream;
	struct op25b_port_counters port[OP25B_MAX_PORTS];
	uint64_t class_verdict[OP25B_POLICY_MAX_CLASSES + 1][OP25B_VERDICT_MAX];
	uint64_t group_verdict[OP25B_POLICY_MAX_GROUPS + 1][OP25B_VERDICT_MAX];
};

static void
sum_workers(const struct op25b_app *app, struct totals *t)
{
	unsigned int w, i, v;

	memset(t, 0, sizeof(*t));
	for (w = 0; w < app->n_workers; w++) {
		const struct op25b_worker *wk = &app->workers[w];

		for (i = 0; i < OP25B_OUTCOME_MAX; i++)
			t->outcome[i] += wk->counters.outcome[i];
		t->upstream += wk->upstream;
		for (i = 0; i < OP25B_MAX_PORTS; i++) {
			t->port[i].rx += wk->port[i].rx;
			t->port[i].tx += wk->port[i].tx;
			t->port[i].tx_dropped += wk->port[i].tx_dropped;
		}
		for (i = 0; i <= app->policy->n_classes; i++)
			for (v = 0; v < OP25B_VERDICT_MAX; v++)
				t->class_verdict[i][v] +=
					wk->counters.class_verdict[i][v];
		for (i = 0; i <= app->policy->n_groups; i++)
			for (v = 0; v < OP25B_VERDICT_MAX; v++)
				t->group_verdict[i][v] +=
					wk->counters.group_verdict[i][v];
	}
}

static const char *
class_name(const struct op25b_policy *p, unsigned int slot)
{
	return slot == 0 ? NO_NAME : p->classes[slot - 1].name;
}

static const char *
group_name(const struct op25b_policy *p, unsigned int slot)
{
	return slot == 0 ? NO_NAME : p->groups[slot - 1].name;
}

static const char *
port_role(const struct op25b_app *app, uint16_t port)
{
	unsigned int i;

	for (i = 0; i < app->config.n_pairs; i++)
		if (app->config.pairs[i].sub == port)
			return "subscriber";
	return "upstream";
}

void
op25b_report_status_line(const struct op25b_app *app, FILE *out)
{
	struct totals t;
	uint64_t rx = 0;
	unsigned int i;

	sum_workers(app, &t);
	/* What subscribers sent: the packets the outcomes below add up to. */
	for (i = 0; i < app->config.n_pairs; i++)
		rx += t.port[app->config.pairs[i].sub].rx;
	fprintf(out,
		"op25b: %.0fs subscriber rx %" PRIu64 " upstream rx %" PRIu64
		" forwarded %" PRIu64
		" counted %" PRIu64 " blocked %" PRIu64 " reset %" PRIu64
		" malformed %" PRIu64 "\n",
		(double)(rte_rdtsc() - app->start_tsc) / rte_get_tsc_hz(), rx,
		t.upstream, t.outcome[OP25B_OUTCOME_FORWARDED],
		t.outcome[OP25B_OUTCOME_COUNTED],
		t.outcome[OP25B_OUTCOME_BLOCKED],
		t.outcome[OP25B_OUTCOME_RESET],
		t.outcome[OP25B_OUTCOME_MALFORMED]);
	fflush(out);
}

static void
print_verdict_table(FILE *out, const char *title, unsigned int n_slots,
		    uint64_t (*table)[OP25B_VERDICT_MAX],
		    const char *(*name)(const struct op25b_policy *,
					unsigned int),
		    const struct op25b_policy *policy)
{
	unsigned int s, v;

	fprintf(out, "%-24s", title);
	for (v = 0; v < OP25B_VERDICT_MAX; v++)
		fprintf(out, " %12s", verdict_names[v]);
	fputc('\n', out);
	for (s = 1; s <= n_slots; s++) {
		unsigned int slot = s % n_slots; /* named slots first, none last */

		fprintf(out, "%-24s", name(policy, slot));
		for (v = 0; v < OP25B_VERDICT_MAX; v++)
			fprintf(out, " %12" PRIu64, table[slot][v]);
		fputc('\n', out);
	}
}

void
op25b_report_print(const struct op25b_app *app,
		   const struct rte_eth_stats *stats, FILE *out)
{
	const struct op25b_policy *p = app->policy;
	struct totals t;
	unsigned int i;

	sum_workers(app, &t);
	fprintf(out, "%-5s %-20s %-10s %12s %12s %10s %10s %10s\n", "port",
		"name", "role", "rx", "tx", "rx_missed", "tx_errors",
		"tx_dropped");
	for (i = 0; i < app->n_ports; i++) {
		uint16_t port = app->ports[i];
		const char *name = app->port_names[i];

		fprintf(out,
			"%-5u %-20s %-10s %12" PRIu64 " %12" PRIu64
			" %10" PRIu64 " %10" PRIu64 " %10" PRIu64 "\n",
			port, name, port_role(app, port), stats[i].ipackets,
			stats[i].opackets, stats[i].imissed, stats[i].oerrors,
			t.port[port].tx_dropped);
	}
	fputs("packets:", out);
	for (i = 0; i < OP25B_OUTCOME_MAX; i++)
		fprintf(out, " %s %" PRIu64, op25b_outcome_name(i),
			t.outcome[i]);
	fprintf(out, " upstream %" PRIu64 "\n", t.upstream);
	print_verdict_table(out, "class", p->n_classes + 1, t.class_verdict,
			    class_name, p);
	print_verdict_table(out, "destination group", p->n_groups + 1,
			    t.group_verdict, group_name, p);
}

static void
json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void
json_verdicts(FILE *f, const uint64_t *v)
{
	unsigned int i;

	fputc('{', f);
	for (i = 0; i < OP25B_VERDICT_MAX; i++)
		fprintf(f, "%s\"%s\": %" PRIu64, i ? ", " : "",
			verdict_names[i], v[i]);
	fputc('}', f);
}

/* Written to a temporary file and renamed, so that a reader never sees
 * half a report. */
int
op25b_report_json(const struct op25b_app *app,
		  const struct rte_eth_stats *stats, const char *path)
{
	const struct op25b_policy *p = app->policy;
	char tmp[4096];
	struct totals t;
	unsigned int i;
	FILE *f;

	sum_workers(app, &t);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (f == NULL)
		return -errno;
	fputs("{\n  \"policy\": ", f);
	json_string(f, p->file);
	fputs(",\n  \"ports\": [", f);
	for (i = 0; i < app->n_ports; i++) {
		uint16_t port = app->ports[i];
		const char *name = app->port_names[i];

		fprintf(f,
			"%s\n    {\"port\": %u, \"name\": \"%s\", \"role\": "
			"\"%s\", \"rx\": %" PRIu64 ", \"tx\": %" PRIu64
			", \"rx_missed\": %" PRIu64 ", \"rx_errors\": %" PRIu64
			", \"tx_errors\": %" PRIu64 ", \"tx_dropped\": %" PRIu64
			"}",
			i ? "," : "", port, name, port_role(app, port),
			stats[i].ipackets, stats[i].opackets, stats[i].imissed,
			stats[i].ierrors + stats[i].rx_nombuf, stats[i].oerrors,
			t.port[port].tx_dropped);
	}
	fputs("\n  ],\n  \"packets\": {", f);
	for (i = 0; i < OP25B_OUTCOME_MAX; i++)
		fprintf(f, "%s\"%s\": %" PRIu64, i ? ", " : "",
			op25b_outcome_name(i), t.outcome[i]);
	fprintf(f, ", \"upstream\": %" PRIu64 "},\n  \"classes\": {", t.upstream);
	for (i = 0; i <= p->n_classes; i++) {
		unsigned int slot = (i + 1) % (p->n_classes + 1);

		fprintf(f, "%s\n    \"%s\": ", i ? "," : "", class_name(p, slot));
		json_verdicts(f, t.class_verdict[slot]);
	}
	fputs("\n  },\n  \"groups\": {", f);
	for (i = 0; i <= p->n_groups; i++) {
		unsigned int slot = (i + 1) % (p->n_groups + 1);

		fprintf(f, "%s\n    \"%s\": ", i ? "," : "", group_name(p, slot));
		json_verdicts(f, t.group_verdict[slot]);
	}
	fputs("\n  },\n  \"workers\": [", f);
	for (i = 0; i < app->n_workers; i++)
		fprintf(f,
			"%s{\"lcore\": %u, \"loops\": %" PRIu64
			", \"busy_loops\": %" PRIu64 "}",
			i ? ", " : "", app->workers[i].lcore_id,
			app->workers[i].loops, app->workers[i].busy_loops);
	fprintf(f,
		"],\n  \"mempool\": {\"size\": %u, \"available\": %u}\n}\n",
		app->pool->size, rte_mempool_avail_count(app->pool));
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		int err = -errno;

		unlink(tmp);
		return err;
	}
	return 0;
}
