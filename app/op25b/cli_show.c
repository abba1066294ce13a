/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CLI: ports, workers and counters.
 *   show port info|stats all|N [json]    clear port stats all|N
 *   show workers                         show counters [json]
 *   show counters class|group NAME
 *
 * Port and counter figures under the names of the lists in op25b_stats.h,
 * through their tables, as op25b-stat and Prometheus show them.
 *
 * `clear port stats` works as in testpmd, for what `show port stats` shows
 * only: the shared-memory counters (op25b-stat, Prometheus) never go
 * backwards, so the clear is a baseline kept here and subtracted.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>

#include "cli_priv.h"
#include "op25b_classify_path.h"

/* What `show port stats` counts from: the driver's figures (read live,
 * not the shared memory's copy of a second ago) and the workers'. */
struct port_figures {
	struct op25b_stats_port driver;
	struct op25b_stats_port_app app;
};

/* The figures at the last clear, by port id. */
static struct port_figures baseline[RTE_MAX_ETHPORTS];

struct cmd_port_result {
	cmdline_fixed_string_t verb;
	cmdline_fixed_string_t port;
	cmdline_fixed_string_t what;
	cmdline_fixed_string_t which;
	cmdline_fixed_string_t format;
};

/* Parse "all" or a port id of ours into @ids; returns the count, or 0
 * after cli_fail(). */
static unsigned int
select_ports(struct cmdline *cl, const char *which, uint16_t *ids)
{
	const struct op25b_app *app = cli_app();
	unsigned int i;
	unsigned long v;
	char *end;

	if (strcmp(which, "all") == 0) {
		for (i = 0; i < app->n_ports; i++)
			ids[i] = app->ports[i];
		return app->n_ports;
	}
	errno = 0;
	v = strtoul(which, &end, 10);
	if (which[0] >= '0' && which[0] <= '9' && *end == '\0' && errno == 0)
		for (i = 0; i < app->n_ports; i++)
			if (app->ports[i] == v) {
				ids[0] = app->ports[i];
				return 1;
			}
	cli_fail(cl, "no port '%s': give all or a port id (show port info all)",
		 which);
	return 0;
}

/* Index of port id @id in app->ports (and in the stats header). */
static unsigned int
port_index(uint16_t id)
{
	const struct op25b_app *app = cli_app();
	unsigned int i;

	for (i = 0; i < app->n_ports; i++)
		if (app->ports[i] == id)
			break;
	return i;
}

static const char *
role_of(uint16_t id, uint16_t *peer)
{
	const struct op25b_config *cfg = &cli_app()->config;
	unsigned int i;

	for (i = 0; i < cfg->n_pairs; i++) {
		if (cfg->pairs[i].sub == id) {
			*peer = cfg->pairs[i].up;
			return "subscriber";
		}
		if (cfg->pairs[i].up == id) {
			*peer = cfg->pairs[i].sub;
			return "upstream";
		}
	}
	*peer = id;
	return "unused";
}

static void
show_port_info(struct cmdline *cl, struct op25b_json *j, uint16_t id)
{
	const struct op25b_app *app = cli_app();
	struct rte_eth_dev_info info;
	struct rte_ether_addr mac;
	struct rte_eth_link link;
	char mac_text[RTE_ETHER_ADDR_FMT_SIZE] = "?";
	const char *role;
	uint16_t mtu = 0, peer;

	memset(&info, 0, sizeof(info));
	memset(&link, 0, sizeof(link));
	rte_eth_dev_info_get(id, &info);
	if (rte_eth_macaddr_get(id, &mac) == 0)
		rte_ether_format_addr(mac_text, sizeof(mac_text), &mac);
	op25b_port_link(id, &link);
	rte_eth_dev_get_mtu(id, &mtu);
	role = role_of(id, &peer);
	if (j != NULL) {
		op25b_json_object(j, NULL);
		op25b_json_u64(j, "port", id);
		op25b_json_string(j, "name", app->port_names[port_index(id)]);
		op25b_json_string(j, "driver",
				  info.driver_name ? info.driver_name : "?");
		op25b_json_string(j, "mac", mac_text);
		op25b_json_string(j, "link", link.link_status ? "up" : "down");
		op25b_json_u64(j, "speed_mbps", op25b_link_speed_mbps(&link));
		op25b_json_u64(j, "mtu", mtu);
		op25b_json_int(j, "socket", rte_eth_dev_socket_id(id));
		op25b_json_u64(j, "rx_queues", info.nb_rx_queues);
		op25b_json_u64(j, "tx_queues", info.nb_tx_queues);
		op25b_json_string(j, "role", role);
		op25b_json_u64(j, "peer", peer);
		op25b_json_close(j);
		return;
	}
	cli_printf(cl,
		   "port %u: %s\n"
		   "  driver     %s\n"
		   "  mac        %s\n"
		   "  link       %s, %u Mbps, %s duplex\n"
		   "  mtu        %u\n"
		   "  socket     %d\n"
		   "  queues     %u rx, %u tx (one each per worker)\n"
		   "  role       %s (paired with port %u)\n",
		   id, app->port_names[port_index(id)],
		   info.driver_name ? info.driver_name : "?", mac_text,
		   link.link_status ? "up" : "down",
		   op25b_link_speed_mbps(&link),
		   link.link_duplex ? "full" : "half", mtu,
		   rte_eth_dev_socket_id(id), info.nb_rx_queues,
		   info.nb_tx_queues, role, peer);
}

static int
port_figures(uint16_t id, const struct op25b_stats_snapshot *snap,
	     struct port_figures *f)
{
	memset(f, 0, sizeof(*f));
	if (op25b_port_figures(id, &f->driver) != 0)
		return -EIO;
	if (id < OP25B_STATS_MAX_PORTS)
		f->app = snap->port_app[id];
	return 0;
}

/* The figures of one family list, the counters less the baseline (a
 * gauge, the link, as it is): JSON members, or text cells three to a
 * line. */
static void
print_since(FILE *out, struct op25b_json *j,
	    const struct op25b_stats_field *fields, unsigned int n,
	    const void *now, const void *base, unsigned int *cell)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint64_t v = op25b_stats_field_get(&fields[i], now);

		if (fields[i].kind == OP25B_STATS_COUNTER)
			v -= op25b_stats_field_get(&fields[i], base);

		if (j != NULL) {
			op25b_json_u64(j, fields[i].key, v);
			continue;
		}
		fprintf(out, "%s%-11s %-14" PRIu64, *cell % 3 ? " " : "  ",
			fields[i].key, v);
		if (++*cell % 3 == 0)
			fputc('\n', out);
	}
}

static void
show_port_stats(struct cmdline *cl, FILE *out, struct op25b_json *j,
		uint16_t id, const struct op25b_stats_snapshot *snap)
{
	const struct port_figures *b = &baseline[id];
	struct port_figures f;
	unsigned int cell = 0;
	uint16_t peer;

	if (port_figures(id, snap, &f) != 0) {
		cli_fail(cl, "port %u: the driver gives no statistics", id);
		return;
	}
	if (j != NULL) {
		op25b_json_object(j, NULL);
		op25b_json_u64(j, "port", id);
		op25b_json_string(j, "name",
				  cli_app()->port_names[port_index(id)]);
		/* As every other view's port object. */
		op25b_json_string(j, "role", role_of(id, &peer));
	} else {
		fprintf(out, "port %u (%s) since start or clear:\n", id,
			cli_app()->port_names[port_index(id)]);
	}
	print_since(out, j, op25b_stats_port_driver_fields,
		    OP25B_PORT_DRIVER_FIELDS, &f.driver, &b->driver, &cell);
	print_since(out, j, op25b_stats_port_app_fields, OP25B_PORT_APP_FIELDS,
		    &f.app, &b->app, &cell);
	if (j != NULL)
		op25b_json_close(j);
	else if (cell % 3 != 0)
		fputc('\n', out);
}

static void
cmd_show_port_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_port_result *res = parsed;
	bool json = data != NULL;
	struct op25b_stats_snapshot *snap = NULL;
	uint16_t ids[OP25B_MAX_PORTS];
	unsigned int i, n;
	bool stats = strcmp(res->what, "stats") == 0;
	struct op25b_json j;
	FILE *out;

	n = select_ports(cl, res->which, ids);
	if (n == 0)
		return;
	if (stats) {
		snap = cli_snapshot(cl);
		if (snap == NULL)
			return;
	}
	out = cli_out(cl);
	if (out == NULL) {
		free(snap);
		return;
	}
	if (json) {
		op25b_json_init(&j, out, 0);
		op25b_json_array(&j, NULL);
	}
	for (i = 0; i < n; i++) {
		if (stats)
			show_port_stats(cl, out, json ? &j : NULL, ids[i],
					snap);
		else
			show_port_info(cl, json ? &j : NULL, ids[i]);
	}
	if (json)
		op25b_json_end(&j);
	free(snap);
}

static void
cmd_clear_port_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_port_result *res = parsed;
	struct op25b_stats_snapshot *snap;
	struct port_figures now;
	uint16_t ids[OP25B_MAX_PORTS];
	unsigned int i, n, failed = 0;

	n = select_ports(cl, res->which, ids);
	if (n == 0)
		return;
	snap = cli_snapshot(cl);
	if (snap == NULL)
		return;
	/* A port whose driver gives nothing keeps its baseline whole (the
	 * failed read zeroed it: half cleared, its next show counted from
	 * 0), and the command fails rather than say it cleared. */
	for (i = 0; i < n; i++) {
		if (port_figures(ids[i], snap, &now) != 0) {
			cli_fail(cl, "port %u: the driver gives no statistics",
				 ids[i]);
			failed++;
			continue;
		}
		baseline[ids[i]] = now;
	}
	free(snap);
	if (failed != 0)
		return;
	cli_printf(cl,
		   "port statistics cleared for %s (shared memory and "
		   "Prometheus keep their totals)\n",
		   strcmp(res->which, "all") == 0 ? "all ports" : res->which);
}

CLI_WORD(cmd_port_show, struct cmd_port_result, verb, "show");
CLI_WORD(cmd_port_clear, struct cmd_port_result, verb, "clear");
CLI_WORD(cmd_port_port, struct cmd_port_result, port, "port");
CLI_WORD(cmd_port_what, struct cmd_port_result, what, "info#stats");
CLI_WORD(cmd_port_stats, struct cmd_port_result, what, "stats");
CLI_WORD(cmd_port_which, struct cmd_port_result, which, NULL);
CLI_WORD(cmd_port_json, struct cmd_port_result, format, "json");

CLI_INST_JSON(cmd_show_port, cmd_show_port_parsed, 0,
	      "show port info|stats all|N: a port's device, link and "
	      "role, or its packet counts",
	      "show port info|stats all|N json: the same as JSON",
	      cmd_port_json, (void *)&cmd_port_show, (void *)&cmd_port_port,
	      (void *)&cmd_port_what, (void *)&cmd_port_which);

CLI_INST(cmd_clear_port, cmd_clear_port_parsed, 0,
	 "clear port stats all|N: zero what show port stats "
	 "counts from",
	 (void *)&cmd_port_clear, (void *)&cmd_port_port,
	 (void *)&cmd_port_stats, (void *)&cmd_port_which);

/* ------------------------------------------------------------------ */

static void
cmd_show_workers_parsed(void *parsed, struct cmdline *cl, void *data)
{
	const struct op25b_app *app = cli_app();
	struct op25b_stats_snapshot *snap = cli_snapshot(cl);
	unsigned int i;

	if (snap == NULL)
		return;
	if (data != NULL) {
		cli_printf(cl,
			   "{\"burst\":%u,\"pairs\":%u,\"classifier\":\"%s\","
			   "\"workers\":[",
			   app->config.burst, app->config.n_pairs,
			   op25b_classify_path_name(op25b_classify_path_get()));
		for (i = 0; i < snap->n_workers && i < app->n_workers; i++)
			cli_printf(cl,
				   "%s{\"worker\":%u,\"lcore\":%u,\"queue\":%u,"
				   "\"loops\":%" PRIu64
				   ",\"busy_loops\":%" PRIu64 "}",
				   i ? "," : "", i, snap->workers[i].lcore_id,
				   app->workers[i].queue,
				   snap->workers[i].loops,
				   snap->workers[i].busy_loops);
		cli_printf(cl, "]}\n");
		free(snap);
		return;
	}
	cli_printf(cl, "%-7s %-6s %-6s %14s %14s %6s\n", "worker", "lcore",
		   "queue", "loops", "busy loops", "busy");
	for (i = 0; i < snap->n_workers && i < app->n_workers; i++) {
		uint64_t loops = snap->workers[i].loops;
		uint64_t busy = snap->workers[i].busy_loops;

		cli_printf(cl,
			   "%-7u %-6u %-6u %14" PRIu64 " %14" PRIu64
			   " %5.1f%%\n",
			   i, snap->workers[i].lcore_id, app->workers[i].queue,
			   loops, busy,
			   loops ? 100.0 * (double)busy / (double)loops : 0.0);
	}
	cli_printf(cl,
		   "%u worker(s), %u port pair(s), burst %u, classifier %s\n",
		   app->n_workers, app->config.n_pairs, app->config.burst,
		   op25b_classify_path_name(op25b_classify_path_get()));
	free(snap);
}

CLI_SHOW_VIEW(cmd_show_workers, cmd_w1_workers, "workers",
	      cmd_show_workers_parsed,
	      "show workers: each worker lcore's queue and how busy it is",
	      "show workers json: the same as JSON");

/* The counters of one class or group slot by name; -1 if unknown. */
static int
find_slot(const struct op25b_stats_snapshot *snap, bool group, const char *name)
{
	const struct op25b_stats_names *n = &snap->names;
	unsigned int slots = group ? n->n_group_slots : n->n_class_slots;
	unsigned int i;

	for (i = 0; i < slots && i < OP25B_STATS_SLOTS; i++)
		if (strcmp(group ? n->group_name[i] : n->class_name[i], name) ==
		    0)
			return (int)i;
	return -1;
}

/* The data of the forms `show counters class|group NAME`. */
#define COUNTERS_NAMED 0x2

static void
cmd_show_counters_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cli_words *res = parsed;
	struct op25b_stats_snapshot *snap = cli_snapshot(cl);
	FILE *out;

	if (snap == NULL)
		return;
	if ((uintptr_t)data & COUNTERS_NAMED) { /* class or group NAME */
		bool group = strcmp(res->w2, "group") == 0;
		int slot = find_slot(snap, group, res->w3);
		const uint64_t *v;
		unsigned int i;

		if (slot < 0) {
			cli_fail(cl, "no %s '%s' (show policy lists them)",
				 group ? "destination group" : "class",
				 res->w3);
			free(snap);
			return;
		}
		v = group ? snap->totals.group_verdict[slot]
			  : snap->totals.class_verdict[slot];
		cli_printf(cl, "%s %s%s:\n", group ? "group" : "class", res->w3,
			   (group ? snap->names.group_active[slot]
				  : snap->names.class_active[slot])
				   ? ""
				   : " (not in the current policy)");
		for (i = 0; i < OP25B_VERDICT_MAX; i++)
			cli_printf(cl, "  %-10s %" PRIu64 "\n",
				   op25b_verdict_name(i), v[i]);
		for (i = 0; !group && i < OP25B_NOTIFY_MAX; i++)
			cli_printf(cl, "  %-18s %" PRIu64 "\n",
				   op25b_notify_counter_name(i),
				   snap->totals.class_notify[slot][i]);
		for (i = 0; !group && i < OP25B_CLASS_ADAPTIVE_MAX; i++)
			cli_printf(cl, "  %-18s %" PRIu64 "\n",
				   op25b_class_adaptive_name(i),
				   snap->header.class_adaptive[slot][i]);
		free(snap);
		return;
	}
	out = cli_out(cl);
	if (out != NULL && cli_is_json(res->w2))
		op25b_stats_print_json(out, snap, NULL);
	else if (out != NULL)
		op25b_stats_print_text(out, snap, NULL);
	free(snap);
}

CLI_WORD(cmd_w2_class, struct cli_words, w2, "class");
CLI_WORD(cmd_w2_group, struct cli_words, w2, "group");
static struct cli_name_token cmd_w3_class =
	CLI_NAME_TOKEN(struct cli_words, w3, CLI_NAME_CLASS);
static struct cli_name_token cmd_w3_group =
	CLI_NAME_TOKEN(struct cli_words, w3, CLI_NAME_GROUP);

CLI_SHOW_VIEW(cmd_show_counters, cmd_w1_counters, "counters",
	      cmd_show_counters_parsed,
	      "show counters: every outcome, class and group counter",
	      "show counters json: the same as op25b-stat --json");
/* One form each for class and group: TAB offers the names of the kind
 * the line asks for. */
CLI_INST(cmd_show_counters_class, cmd_show_counters_parsed, COUNTERS_NAMED,
	 "show counters class|group NAME: one class's or group's "
	 "verdicts (TAB offers the running policy's names)",
	 (void *)&cli_show_w0, (void *)&cmd_w1_counters, (void *)&cmd_w2_class,
	 (void *)&cmd_w3_class);
CLI_INST(cmd_show_counters_group, cmd_show_counters_parsed, COUNTERS_NAMED,
	 "show counters group NAME: (the group form of the "
	 "above)",
	 (void *)&cli_show_w0, (void *)&cmd_w1_counters, (void *)&cmd_w2_group,
	 (void *)&cmd_w3_group);

cmdline_parse_inst_t *op25b_cli_show_commands[] = {
	&cmd_show_port,		  &cmd_show_port_json,
	&cmd_clear_port,	  &cmd_show_workers,
	&cmd_show_workers_json,	  &cmd_show_counters,
	&cmd_show_counters_json,  &cmd_show_counters_class,
	&cmd_show_counters_group, NULL,
};
