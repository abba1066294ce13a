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

#include "op25b_json.h"
#include "op25b_stats.h"

double
op25b_stats_uptime(const struct op25b_stats_snapshot *snap)
{
	struct timespec now;
	double t;

	clock_gettime(CLOCK_REALTIME, &now);
	t = snap->stopped_ns != 0
		    ? (double)snap->stopped_ns / 1e9
		    : (double)now.tv_sec + (double)now.tv_nsec / 1e9;
	t -= (double)snap->header.start_time_ns / 1e9;
	return t > 0 ? t : 0;
}

const char *
op25b_stats_port_role(const struct op25b_stats_port *port)
{
	return port->is_subscriber ? "subscriber" : "upstream";
}

/* Indexed by port id: a port beyond the array has no loop counters. */
const struct op25b_stats_port_app *
op25b_stats_port_app_of(const struct op25b_stats_snapshot *snap,
			const struct op25b_stats_port *port)
{
	static const struct op25b_stats_port_app none;

	return port->port_id < OP25B_STATS_MAX_PORTS
		       ? &snap->port_app[port->port_id]
		       : &none;
}

unsigned int
op25b_stats_row_slot(unsigned int i, unsigned int n_slots)
{
	return (i + 1) % n_slots;
}

/* The figures of one family list as members of the current object. */
static void
json_fields(struct op25b_json *j, const struct op25b_stats_field *fields,
	    unsigned int n, const void *base, bool unknown)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint64_t v = op25b_stats_field_get(&fields[i], base);

		if (unknown)
			op25b_json_null(j, fields[i].key);
		else if (fields[i].kind == OP25B_STATS_STATE)
			op25b_json_string(
				j, fields[i].key,
				op25b_stats_state_name(&fields[i], v));
		else
			op25b_json_u64(j, fields[i].key, v);
	}
}

/* A row per name of @p n_cols counters (table[slot * n_cols + column]),
 * each under its @p column_name: verdicts, or notify counters. */
static void
json_rows(struct op25b_json *j, const char *key, unsigned int n_slots,
	  const char (*names)[OP25B_STATS_NAME_MAX], const uint64_t *table,
	  unsigned int n_cols, const char *(*column_name)(unsigned int))
{
	unsigned int i, v;

	op25b_json_object(j, key);
	for (i = 0; i < n_slots; i++) {
		unsigned int slot = op25b_stats_row_slot(i, n_slots);

		op25b_json_object(j, names[slot]);
		for (v = 0; v < n_cols; v++)
			op25b_json_u64(j, column_name(v),
				       table[slot * n_cols + v]);
		op25b_json_close(j);
	}
	op25b_json_close(j);
}

/* Names no longer in the policy: their rows stay in "classes"/"groups". */
static void
json_removed(struct op25b_json *j, const char *key, unsigned int n_slots,
	     const char (*names)[OP25B_STATS_NAME_MAX], const uint8_t *active)
{
	unsigned int slot;

	op25b_json_array(j, key);
	for (slot = 1; slot < n_slots; slot++)
		if (!active[slot])
			op25b_json_string(j, NULL, names[slot]);
	op25b_json_close(j);
}

int
op25b_stats_print_json(FILE *out, const struct op25b_stats_snapshot *snap,
		       const char *extra)
{
	const struct op25b_stats_header *h = &snap->header;
	const struct op25b_stats_names *n = &snap->names;
	struct op25b_json j;
	unsigned int i;

	/* Members of the object and of its tables on lines of their own, a
	 * port's or a row's figures on one line. */
	op25b_json_init(&j, out, 2);
	op25b_json_object(&j, NULL);
	op25b_json_string(&j, "instance", h->instance);
	op25b_json_u64(&j, "pid", h->pid);
	op25b_json_string(&j, "policy", h->policy_file);
	op25b_json_seconds(&j, "start_time_seconds",
			   (double)h->start_time_ns / 1e9);
	op25b_json_seconds(&j, "uptime_seconds", op25b_stats_uptime(snap));
	json_fields(&j, op25b_stats_header_fields, OP25B_HEADER_FIELDS, h,
		    false);
	/* Before op25b's first sample of its ports (about once a second,
	 * from their start), the driver figures are none, not zeros: a
	 * link_up 0 read as a link down. */
	if (h->ports_updated_ns == 0)
		op25b_json_null(&j, "ports_updated_seconds");
	else
		op25b_json_seconds(&j, "ports_updated_seconds",
				   (double)h->ports_updated_ns / 1e9);
	op25b_json_array(&j, "ports");
	for (i = 0; i < h->n_ports; i++) {
		const struct op25b_stats_port *p = &h->ports[i];

		op25b_json_object(&j, NULL);
		op25b_json_u64(&j, "port", p->port_id);
		op25b_json_string(&j, "name", p->name);
		op25b_json_string(&j, "role", op25b_stats_port_role(p));
		json_fields(&j, op25b_stats_port_driver_fields,
			    OP25B_PORT_DRIVER_FIELDS, p,
			    h->ports_updated_ns == 0);
		json_fields(&j, op25b_stats_port_app_fields,
			    OP25B_PORT_APP_FIELDS,
			    op25b_stats_port_app_of(snap, p), false);
		op25b_json_close(&j);
	}
	op25b_json_close(&j);
	op25b_json_object(&j, "packets");
	for (i = 0; i < OP25B_OUTCOME_MAX; i++)
		op25b_json_u64(&j, op25b_outcome_name(i),
			       snap->totals.outcome[i]);
	op25b_json_u64(&j, "upstream", snap->upstream);
	op25b_json_close(&j);
	op25b_json_object(&j, "frames");
	for (i = 0; i < OP25B_FRAME_MAX; i++)
		op25b_json_u64(&j, op25b_frame_counter_name(i),
			       snap->totals.frame[i]);
	op25b_json_close(&j);
	json_rows(&j, "classes", n->n_class_slots, n->class_name,
		  snap->totals.class_verdict[0], OP25B_VERDICT_MAX,
		  op25b_verdict_name);
	json_rows(&j, "groups", n->n_group_slots, n->group_name,
		  snap->totals.group_verdict[0], OP25B_VERDICT_MAX,
		  op25b_verdict_name);
	json_rows(&j, "notify", n->n_class_slots, n->class_name,
		  snap->totals.class_notify[0], OP25B_NOTIFY_MAX,
		  op25b_notify_counter_name);
	json_rows(&j, "adaptive", n->n_class_slots, n->class_name,
		  h->class_adaptive[0], OP25B_CLASS_ADAPTIVE_MAX,
		  op25b_class_adaptive_name);
	json_removed(&j, "removed_classes", n->n_class_slots, n->class_name,
		     n->class_active);
	json_removed(&j, "removed_groups", n->n_group_slots, n->group_name,
		     n->group_active);
	op25b_json_array(&j, "workers");
	for (i = 0; i < snap->n_workers; i++) {
		op25b_json_object(&j, NULL);
		op25b_json_u64(&j, "lcore", snap->workers[i].lcore_id);
		op25b_json_u64(&j, "loops", snap->workers[i].loops);
		op25b_json_u64(&j, "busy_loops", snap->workers[i].busy_loops);
		op25b_json_close(&j);
	}
	op25b_json_close(&j);
	if (extra != NULL)
		op25b_json_raw(&j, NULL, extra);
	return op25b_json_end(&j);
}
