/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK telemetry commands, answered from a shared-memory snapshot (the
 * same copy op25b-stat reads, so the numbers agree):
 *   /op25b/stats        outcome and frame totals, upstream, and the
 *                       header figures (OP25B_HEADER_LIST: generation,
 *                       reloads, exemptions, mode, block)
 *   /op25b/port,ID      one port's figures (the port lists); without an
 *                       id, the port ids
 *   /op25b/worker,LCORE one worker's polling loops; without an lcore,
 *                       the workers' lcores
 *   /op25b/policy       policy (its file), generation, class and group
 *                       totals and names, and those of the classes and
 *                       groups a reload removed (as many as fit)
 *   /op25b/classes,N    class names from the N-th, "next" for the rest
 *   /op25b/groups,N     destination group names, the same way
 *   /op25b/removed_classes,N  removed classes' names, the same way
 *   /op25b/removed_groups,N   removed groups' names, the same way
 *   /op25b/class,NAME   the verdict counters of one class
 *   /op25b/group,NAME   the verdict counters of one destination group
 *   /op25b/notify,NAME  the block: notify counters of one class
 *   /op25b/adaptive,NAME  the adaptive counters of one class
 * Class names may hold '-' and '.', which 22.11's telemetry refuses in
 * dictionary keys; hence one command per name rather than a nested dict.
 */
#include <errno.h>
#include <stdlib.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <rte_telemetry.h>

#include "op25b_app.h"

static const char *instance;

/* By the segment's name, not op25b_app_snapshot()'s writer mapping: DPDK
 * 22.11's telemetry thread is never stopped, and a request after the
 * writer is destroyed at exit would read it freed. */
static struct op25b_stats_snapshot *
snapshot(void)
{
	int err;

	return op25b_report_snapshot(op25b_stats_reader_open(instance), 1000,
				     &err);
}

/* The figures of one family list as members of dictionary @p d. */
static void
add_fields(struct rte_tel_data *d, const struct op25b_stats_field *fields,
	   unsigned int n, const void *base)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint64_t v = op25b_stats_field_get(&fields[i], base);

		if (fields[i].kind == OP25B_STATS_STATE)
			rte_tel_data_add_dict_string(
				d, fields[i].key,
				op25b_stats_state_name(&fields[i], v));
		else
			rte_tel_data_add_dict_u64(d, fields[i].key, v);
	}
}

static int
stats_cmd(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct op25b_stats_snapshot *s = snapshot();
	unsigned int i;

	(void)cmd;
	(void)params;
	if (s == NULL)
		return -EIO;
	rte_tel_data_start_dict(d);
	for (i = 0; i < OP25B_OUTCOME_MAX; i++)
		rte_tel_data_add_dict_u64(d, op25b_outcome_name(i),
					  s->totals.outcome[i]);
	for (i = 0; i < OP25B_FRAME_MAX; i++)
		rte_tel_data_add_dict_u64(d, op25b_frame_counter_name(i),
					  s->totals.frame[i]);
	rte_tel_data_add_dict_u64(d, "upstream", s->upstream);
	add_fields(d, op25b_stats_header_fields, OP25B_HEADER_FIELDS,
		   &s->header);
	free(s);
	return 0;
}

/* One port as --stats-json lists it, by port id (22.11's telemetry nests
 * no dictionary in an array: one command per port, as per class); with
 * no id, the ids. */
static int
port_cmd(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct op25b_stats_snapshot *s = snapshot();
	const struct op25b_stats_header *h;
	const struct op25b_stats_port *p = NULL;
	unsigned long id = 0;
	unsigned int i;
	char *end;

	(void)cmd;
	if (s == NULL)
		return -EIO;
	h = &s->header;
	if (params == NULL || params[0] == '\0') {
		rte_tel_data_start_array(d, RTE_TEL_U64_VAL);
		for (i = 0; i < h->n_ports; i++)
			rte_tel_data_add_array_u64(d, h->ports[i].port_id);
		free(s);
		return 0;
	}
	id = strtoul(params, &end, 10);
	for (i = 0; *end == '\0' && i < h->n_ports; i++)
		if (h->ports[i].port_id == id)
			p = &h->ports[i];
	if (p == NULL) {
		free(s);
		return -ENOENT;
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "port", p->port_id);
	rte_tel_data_add_dict_string(d, "name", p->name);
	rte_tel_data_add_dict_string(d, "role", op25b_stats_port_role(p));
	add_fields(d, op25b_stats_port_driver_fields, OP25B_PORT_DRIVER_FIELDS,
		   p);
	add_fields(d, op25b_stats_port_app_fields, OP25B_PORT_APP_FIELDS,
		   op25b_stats_port_app_of(s, p));
	free(s);
	return 0;
}

/* One worker's loops (as op25b-stat lists them), by lcore; with no
 * lcore, the lcores. */
static int
worker_cmd(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct op25b_stats_snapshot *s = snapshot();
	unsigned long lcore;
	unsigned int i;
	char *end;
	int ret = -ENOENT;

	(void)cmd;
	if (s == NULL)
		return -EIO;
	if (params == NULL || params[0] == '\0') {
		rte_tel_data_start_array(d, RTE_TEL_U64_VAL);
		for (i = 0; i < s->n_workers; i++)
			rte_tel_data_add_array_u64(d, s->workers[i].lcore_id);
		free(s);
		return 0;
	}
	lcore = strtoul(params, &end, 10);
	for (i = 0; *end == '\0' && params[0] != '-' && i < s->n_workers; i++) {
		if (s->workers[i].lcore_id != lcore)
			continue;
		rte_tel_data_start_dict(d);
		rte_tel_data_add_dict_u64(d, "lcore", s->workers[i].lcore_id);
		rte_tel_data_add_dict_u64(d, "loops", s->workers[i].loops);
		rte_tel_data_add_dict_u64(d, "busy_loops",
					  s->workers[i].busy_loops);
		ret = 0;
		break;
	}
	free(s);
	return ret;
}

/*
 * DPDK 22.11's telemetry answers in one buffer of 16 KB and leaves out,
 * without a word, what does not fit: 255 names of 63 characters do not.
 * A reply lists names while they fit in NAMES_BUDGET bytes of JSON (a
 * name, its quotes and comma) and says how many there are; the rest are
 * asked for by offset (/op25b/classes,OFFSET, /op25b/groups,OFFSET).
 */
#define NAMES_BUDGET 6000

/* The names of a family in use (@removed false) or removed by a reload
 * (@removed true), in slot order, from the @offset-th on, while they fit
 * in @budget bytes: an array (NULL: no memory) and, in @listed, how many
 * it holds. */
static struct rte_tel_data *
name_array(unsigned int n_slots, const char (*names)[OP25B_STATS_NAME_MAX],
	   const uint8_t *active, bool removed, unsigned int offset,
	   size_t budget, unsigned int *listed)
{
	struct rte_tel_data *a = rte_tel_data_alloc();
	unsigned int slot, index = 0;
	size_t used = 0;

	*listed = 0;
	if (a == NULL)
		return NULL;
	rte_tel_data_start_array(a, RTE_TEL_STRING_VAL);
	for (slot = 1; slot < n_slots; slot++) {
		size_t cost;

		if (!active[slot] != removed || index++ < offset)
			continue;
		cost = strnlen(names[slot], OP25B_STATS_NAME_MAX) + 3;
		if (used + cost > budget ||
		    rte_tel_data_add_array_string(a, names[slot]) != 0)
			break;
		used += cost;
		(*listed)++;
	}
	return a;
}

/* The names of a family in use (@removed false) or removed. */
static unsigned int
name_count(unsigned int n_slots, const uint8_t *active, bool removed)
{
	unsigned int slot, n = 0;

	for (slot = 1; slot < n_slots; slot++)
		n += !active[slot] == removed;
	return n;
}

/* A family's names in use and removed: totals, and the names while they
 * fit in @p budget bytes (@p removed_budget for the removed). */
static void
add_names(struct rte_tel_data *d, const char *key, const char *removed_key,
	  unsigned int n_slots, const char (*names)[OP25B_STATS_NAME_MAX],
	  const uint8_t *active, size_t budget, size_t removed_budget)
{
	char total[64];
	struct rte_tel_data *a;
	unsigned int listed, k;

	for (k = 0; k < 2; k++) {
		const char *name = k == 0 ? key : removed_key;

		snprintf(total, sizeof(total), "%s_total", name);
		rte_tel_data_add_dict_u64(d, total,
					  name_count(n_slots, active, k == 1));
		a = name_array(n_slots, names, active, k == 1, 0,
			       k == 0 ? budget : removed_budget, &listed);
		if (a != NULL)
			rte_tel_data_add_dict_container(d, name, a, 0);
	}
}

static int
policy_cmd(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct op25b_stats_snapshot *s = snapshot();

	(void)cmd;
	(void)params;
	if (s == NULL)
		return -EIO;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "policy", s->header.policy_file);
	rte_tel_data_add_dict_u64(d, "generation", s->header.policy_generation);
	/* Four lists in the reply's 16 KB, 12 KB of names at most:
	 * classes are the most, removed names few (a reload that fails
	 * takes its new ones back). */
	add_names(d, "classes", "removed_classes", s->names.n_class_slots,
		  s->names.class_name, s->names.class_active, NAMES_BUDGET,
		  NAMES_BUDGET / 4);
	add_names(d, "groups", "removed_groups", s->names.n_group_slots,
		  s->names.group_name, s->names.group_active, NAMES_BUDGET / 2,
		  NAMES_BUDGET / 4);
	free(s);
	return 0;
}

/* /op25b/classes,OFFSET and /op25b/groups,OFFSET (and the removed ones,
 * /op25b/removed_classes,OFFSET and /op25b/removed_groups,OFFSET): the
 * names from the OFFSET-th (none: 0) while they fit, their total, the
 * policy's generation, and "next", the offset to ask for the rest, when
 * some are left. */
static int
names_cmd(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct op25b_stats_snapshot *s;
	bool removed = strncmp(cmd, "/op25b/removed_", 15) == 0;
	bool groups = strcmp(cmd + strlen(cmd) - 6, "groups") == 0;
	struct rte_tel_data *a;
	const char(*names)[OP25B_STATS_NAME_MAX];
	unsigned long offset = 0;
	unsigned int n_slots, total, listed;
	const uint8_t *active;
	uint64_t generation;
	char *end;

	if (params != NULL && params[0] != '\0') {
		errno = 0;
		offset = strtoul(params, &end, 10);
		if (*end != '\0' || errno != 0 || params[0] == '-' ||
		    offset > OP25B_STATS_SLOTS)
			return -EINVAL;
	}
	s = snapshot();
	if (s == NULL)
		return -EIO;
	n_slots = groups ? s->names.n_group_slots : s->names.n_class_slots;
	names = groups ? s->names.group_name : s->names.class_name;
	active = groups ? s->names.group_active : s->names.class_active;
	total = name_count(n_slots, active, removed);
	a = name_array(n_slots, names, active, removed, (unsigned int)offset,
		       2 * NAMES_BUDGET, &listed);
	generation = s->header.policy_generation;
	free(s);
	if (a == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(d);
	/* Pages of one generation make one list: a reload between two
	 * pages moves the names, and a client that sees the generation
	 * change starts again. */
	rte_tel_data_add_dict_u64(d, "generation", generation);
	rte_tel_data_add_dict_u64(d, "total", total);
	rte_tel_data_add_dict_u64(d, "offset", offset);
	if (offset + listed < total)
		rte_tel_data_add_dict_u64(d, "next", offset + listed);
	rte_tel_data_add_dict_container(d, "names", a, 0);
	return 0;
}

/* The row of @p name: @p n_cols counters (table[slot * n_cols + column]),
 * each under its @p column_name, as the JSON views have it. */
static int
row_of(const char *name, unsigned int n_slots,
       const char (*names)[OP25B_STATS_NAME_MAX], const uint64_t *table,
       unsigned int n_cols, const char *(*column_name)(unsigned int),
       struct rte_tel_data *d)
{
	unsigned int slot, v;

	if (name == NULL)
		return -EINVAL;
	for (slot = 0; slot < n_slots; slot++)
		if (strcmp(names[slot], name) == 0)
			break;
	if (slot == n_slots)
		return -ENOENT;
	rte_tel_data_start_dict(d);
	for (v = 0; v < n_cols; v++)
		rte_tel_data_add_dict_u64(d, column_name(v),
					  table[slot * n_cols + v]);
	return 0;
}

/* /op25b/class (verdicts), /op25b/notify (block: notify) and
 * /op25b/adaptive, by class. */
static int
class_cmd(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct op25b_stats_snapshot *s = snapshot();
	bool notify = strcmp(cmd, "/op25b/notify") == 0;
	int ret;

	if (s == NULL)
		return -EIO;
	if (notify)
		ret = row_of(params, s->names.n_class_slots,
			     s->names.class_name, s->totals.class_notify[0],
			     OP25B_NOTIFY_MAX, op25b_notify_counter_name, d);
	else if (strcmp(cmd, "/op25b/adaptive") == 0)
		ret = row_of(params, s->names.n_class_slots,
			     s->names.class_name, s->header.class_adaptive[0],
			     OP25B_CLASS_ADAPTIVE_MAX,
			     op25b_class_adaptive_name, d);
	else
		ret = row_of(params, s->names.n_class_slots,
			     s->names.class_name, s->totals.class_verdict[0],
			     OP25B_VERDICT_MAX, op25b_verdict_name, d);
	free(s);
	return ret;
}

static int
group_cmd(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct op25b_stats_snapshot *s = snapshot();
	int ret;

	(void)cmd;
	if (s == NULL)
		return -EIO;
	ret = row_of(params, s->names.n_group_slots, s->names.group_name,
		     s->totals.group_verdict[0], OP25B_VERDICT_MAX,
		     op25b_verdict_name, d);
	free(s);
	return ret;
}

/* DPDK 22.11 refuses a command whose help is longer than 127 bytes
 * (MAX_HELP_LEN), and answers it with null: each help below is shorter. */
void
op25b_telemetry_register(struct op25b_app *app)
{
	instance = app->config.instance;
	rte_telemetry_register_cmd("/op25b/stats", stats_cmd,
				   "Packet outcome and frame totals, upstream "
				   "packets, generation, reloads, exemptions, "
				   "mode and block");
	rte_telemetry_register_cmd("/op25b/port", port_cmd,
				   "A port's driver and worker figures. "
				   "Parameters: port id (none: the ids)");
	rte_telemetry_register_cmd("/op25b/worker", worker_cmd,
				   "A worker's polling loops. Parameters: "
				   "lcore id (none: the ids)");
	rte_telemetry_register_cmd(
		"/op25b/policy", policy_cmd,
		"Policy file, generation, class and group names, in use and "
		"removed, as many as fit (/op25b/classes,N etc.: the rest)");
	rte_telemetry_register_cmd(
		"/op25b/classes", names_cmd,
		"Class names in use. Parameters: the first to give (none: "
		"0); \"next\" says where the rest begin");
	rte_telemetry_register_cmd(
		"/op25b/groups", names_cmd,
		"Destination group names in use. Parameters: the first to "
		"give (none: 0); \"next\" says where the rest begin");
	rte_telemetry_register_cmd(
		"/op25b/removed_classes", names_cmd,
		"Names of classes a reload removed (their counts stay). "
		"Parameters: the first to give (none: 0)");
	rte_telemetry_register_cmd(
		"/op25b/removed_groups", names_cmd,
		"Names of destination groups a reload removed (their counts "
		"stay). Parameters: the first to give (none: 0)");
	rte_telemetry_register_cmd("/op25b/class", class_cmd,
				   "Verdict counters of a class. Parameters: "
				   "class name");
	rte_telemetry_register_cmd("/op25b/notify", class_cmd,
				   "block: notify counters of a class. "
				   "Parameters: class name");
	rte_telemetry_register_cmd("/op25b/adaptive", class_cmd,
				   "Adaptive blocking counters of a class. "
				   "Parameters: class name");
	rte_telemetry_register_cmd("/op25b/group", group_cmd,
				   "Verdict counters of a destination group. "
				   "Parameters: group name");
}
