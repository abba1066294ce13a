/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CLI: ports, workers and counters.
 *   show port info|stats all|N [json]    clear port stats all|N
 *   show workers                         show counters [json]
 *   show counters class|group NAME
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

struct port_figures {
	uint64_t rx, tx, rx_bytes, tx_bytes, rx_missed, rx_errors, rx_nombuf,
		tx_errors;
	uint64_t classified, sent, tx_dropped; /* op25b's own counts */
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
show_port_info(struct cmdline *cl, uint16_t id, bool json, bool first)
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
	rte_eth_link_get_nowait(id, &link);
	rte_eth_dev_get_mtu(id, &mtu);
	role = role_of(id, &peer);
	if (json) {
		cli_printf(cl,
			   "%s{\"port\":%u,\"name\":\"%s\",\"driver\":\"%s\","
			   "\"mac\":\"%s\",\"link\":\"%s\",\"speed_mbps\":%u,"
			   "\"mtu\":%u,\"socket\":%d,\"rx_queues\":%u,"
			   "\"tx_queues\":%u,\"role\":\"%s\",\"peer\":%u}",
			   first ? "" : ",", id,
			   app->port_names[port_index(id)],
			   info.driver_name ? info.driver_name : "?", mac_text,
			   link.link_status ? "up" : "down", link.link_speed,
			   mtu, rte_eth_dev_socket_id(id), info.nb_rx_queues,
			   info.nb_tx_queues, role, peer);
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
		   link.link_status ? "up" : "down", link.link_speed,
		   link.link_duplex ? "full" : "half", mtu,
		   rte_eth_dev_socket_id(id), info.nb_rx_queues,
		   info.nb_tx_queues, role, peer);
}

static int
port_figures(uint16_t id, const struct op25b_stats_snapshot *snap,
	     struct port_figures *f)
{
	struct rte_eth_stats st;
	unsigned int k = port_index(id);

	memset(f, 0, sizeof(*f));
	if (rte_eth_stats_get(id, &st) != 0)
		return -EIO;
	f->rx = st.ipackets;
	f->tx = st.opackets;
	f->rx_bytes = st.ibytes;
	f->tx_bytes = st.obytes;
	f->rx_missed = st.imissed;
	f->rx_errors = st.ierrors;
	f->rx_nombuf = st.rx_nombuf;
	f->tx_errors = st.oerrors;
	f->classified = snap->port_app[id].rx;
	f->sent = snap->port_app[id].tx;
	if (k < snap->header.n_ports)
		f->tx_dropped = op25b_stats_port_tx_dropped(
			snap, &snap->header.ports[k]);
	return 0;
}

static void
show_port_stats(struct cmdline *cl, uint16_t id,
		const struct op25b_stats_snapshot *snap, bool json, bool first)
{
	const struct port_figures *b = &baseline[id];
	struct port_figures f;

	if (port_figures(id, snap, &f) != 0) {
		cli_fail(cl, "port %u: the driver gives no statistics", id);
		return;
	}
#define SINCE(field) (f.field - b->field)
	if (json) {
		cli_printf(cl,
			   "%s{\"port\":%u,\"rx_packets\":%" PRIu64
			   ",\"rx_bytes\":%" PRIu64 ",\"rx_missed\":%" PRIu64
			   ",\"rx_errors\":%" PRIu64 ",\"rx_nombuf\":%" PRIu64
			   ",\"tx_packets\":%" PRIu64 ",\"tx_bytes\":%" PRIu64
			   ",\"tx_errors\":%" PRIu64 ",\"op25b_rx\":%" PRIu64
			   ",\"op25b_tx\":%" PRIu64
			   ",\"op25b_tx_dropped\":%" PRIu64 "}",
			   first ? "" : ",", id, SINCE(rx), SINCE(rx_bytes),
			   SINCE(rx_missed), SINCE(rx_errors),
			   SINCE(rx_nombuf), SINCE(tx), SINCE(tx_bytes),
			   SINCE(tx_errors), SINCE(classified), SINCE(sent),
			   SINCE(tx_dropped));
		return;
	}
	cli_printf(cl,
		   "port %u (%s) since start or clear:\n"
		   "  rx-packets %-14" PRIu64 " rx-bytes %-16" PRIu64
		   " rx-missed %-10" PRIu64 "\n"
		   "  rx-errors  %-14" PRIu64 " rx-nombuf %-15" PRIu64 "\n"
		   "  tx-packets %-14" PRIu64 " tx-bytes %-16" PRIu64
		   " tx-errors %-10" PRIu64 "\n"
		   "  op25b: rx %" PRIu64 ", tx %" PRIu64
		   ", tx_dropped %" PRIu64 " (TX queue full)\n",
		   id, cli_app()->port_names[port_index(id)], SINCE(rx),
		   SINCE(rx_bytes), SINCE(rx_missed), SINCE(rx_errors),
		   SINCE(rx_nombuf), SINCE(tx), SINCE(tx_bytes),
		   SINCE(tx_errors), SINCE(classified), SINCE(sent),
		   SINCE(tx_dropped));
#undef SINCE
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

	n = select_ports(cl, res->which, ids);
	if (n == 0)
		return;
	if (stats) {
		snap = cli_snapshot(cl);
		if (snap == NULL)
			return;
	}
	if (json)
		cli_printf(cl, "[");
	for (i = 0; i < n; i++) {
		if (stats)
			show_port_stats(cl, ids[i], snap, json, i == 0);
		else
			show_port_info(cl, ids[i], json, i == 0);
	}
	if (json)
		cli_printf(cl, "]\n");
	free(snap);
}

static void
cmd_clear_port_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_port_result *res = parsed;
	struct op25b_stats_snapshot *snap;
	uint16_t ids[OP25B_MAX_PORTS];
	unsigned int i, n;

	n = select_ports(cl, res->which, ids);
	if (n == 0)
		return;
	snap = cli_snapshot(cl);
	if (snap == NULL)
		return;
	for (i = 0; i < n; i++)
		if (port_figures(ids[i], snap, &baseline[ids[i]]) != 0)
			cli_fail(cl, "port %u: the driver gives no statistics",
				 ids[i]);
	free(snap);
	cli_printf(cl, "port statistics cleared for %s (shared memory and "
		       "Prometheus keep their totals)\n",
		   strcmp(res->which, "all") == 0 ? "all ports" : res->which);
}

static cmdline_parse_token_string_t cmd_port_show =
	TOKEN_STRING_INITIALIZER(struct cmd_port_result, verb, "show");
static cmdline_parse_token_string_t cmd_port_clear =
	TOKEN_STRING_INITIALIZER(struct cmd_port_result, verb, "clear");
static cmdline_parse_token_string_t cmd_port_port =
	TOKEN_STRING_INITIALIZER(struct cmd_port_result, port, "port");
static cmdline_parse_token_string_t cmd_port_what =
	TOKEN_STRING_INITIALIZER(struct cmd_port_result, what, "info#stats");
static cmdline_parse_token_string_t cmd_port_stats =
	TOKEN_STRING_INITIALIZER(struct cmd_port_result, what, "stats");
static cmdline_parse_token_string_t cmd_port_which =
	TOKEN_STRING_INITIALIZER(struct cmd_port_result, which, NULL);
static cmdline_parse_token_string_t cmd_port_json =
	TOKEN_STRING_INITIALIZER(struct cmd_port_result, format, "json");

static cmdline_parse_inst_t cmd_show_port = {
	.f = cmd_show_port_parsed,
	.help_str = "show port info|stats all|N: a port's device, link and "
		    "role, or its packet counts",
	.tokens = {(void *)&cmd_port_show, (void *)&cmd_port_port,
		   (void *)&cmd_port_what, (void *)&cmd_port_which, NULL},
};

static cmdline_parse_inst_t cmd_show_port_json = {
	.f = cmd_show_port_parsed,
	.data = (void *)1,
	.help_str = "show port info|stats all|N json: the same as JSON",
	.tokens = {(void *)&cmd_port_show, (void *)&cmd_port_port,
		   (void *)&cmd_port_what, (void *)&cmd_port_which,
		   (void *)&cmd_port_json, NULL},
};

static cmdline_parse_inst_t cmd_clear_port = {
	.f = cmd_clear_port_parsed,
	.help_str = "clear port stats all|N: zero what show port stats "
		    "counts from",
	.tokens = {(void *)&cmd_port_clear, (void *)&cmd_port_port,
		   (void *)&cmd_port_stats, (void *)&cmd_port_which, NULL},
};

/* ------------------------------------------------------------------ */

struct cmd_words_result {
	cmdline_fixed_string_t w0;
	cmdline_fixed_string_t w1;
	cmdline_fixed_string_t w2;
	cmdline_fixed_string_t w3;
};

static void
cmd_show_workers_parsed(void *parsed, struct cmdline *cl, void *data)
{
	const struct op25b_app *app = cli_app();
	struct op25b_stats_snapshot *snap = cli_snapshot(cl);
	unsigned int i;

	if (snap == NULL)
		return;
	if (data != NULL) {
		cli_printf(cl, "{\"burst\":%u,\"pairs\":%u,\"workers\":[",
			   app->config.burst, app->config.n_pairs);
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
	cli_printf(cl, "%u worker(s), %u port pair(s), burst %u\n",
		   app->n_workers, app->config.n_pairs, app->config.burst);
	free(snap);
}

static cmdline_parse_token_string_t cmd_w0_show =
	TOKEN_STRING_INITIALIZER(struct cmd_words_result, w0, "show");
static cmdline_parse_token_string_t cmd_w1_workers =
	TOKEN_STRING_INITIALIZER(struct cmd_words_result, w1, "workers");
static cmdline_parse_token_string_t cmd_w2_workers_json =
	TOKEN_STRING_INITIALIZER(struct cmd_words_result, w2, "json");
static cmdline_parse_inst_t cmd_show_workers = {
	.f = cmd_show_workers_parsed,
	.help_str = "show workers: each worker lcore's queue and how busy "
		    "it is",
	.tokens = {(void *)&cmd_w0_show, (void *)&cmd_w1_workers, NULL},
};
static cmdline_parse_inst_t cmd_show_workers_json = {
	.f = cmd_show_workers_parsed,
	.data = (void *)1,
	.help_str = "show workers json: the same as JSON",
	.tokens = {(void *)&cmd_w0_show, (void *)&cmd_w1_workers,
		   (void *)&cmd_w2_workers_json, NULL},
};

/* The counters of one class or group slot by name; -1 if unknown. */
static int
find_slot(const struct op25b_stats_snapshot *snap, bool group,
	  const char *name)
{
	const struct op25b_stats_names *n = &snap->names;
	unsigned int slots = group ? n->n_group_slots : n->n_class_slots;
	unsigned int i;

	for (i = 0; i < slots && i < OP25B_STATS_SLOTS; i++)
		if (strcmp(group ? n->group_name[i] : n->class_name[i],
			   name) == 0)
			return (int)i;
	return -1;
}

static void
cmd_show_counters_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_words_result *res = parsed;
	struct op25b_stats_snapshot *snap = cli_snapshot(cl);
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	if (snap == NULL)
		return;
	if (data != NULL) { /* class or group NAME */
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
		cli_printf(cl, "%s %s%s:\n", group ? "group" : "class",
			   res->w3,
			   (group ? snap->names.group_active[slot]
				  : snap->names.class_active[slot])
				   ? ""
				   : " (not in the current policy)");
		for (i = 0; i < OP25B_VERDICT_MAX; i++)
			cli_printf(cl, "  %-10s %" PRIu64 "\n",
				   op25b_verdict_name(i), v[i]);
		free(snap);
		return;
	}
	out = open_memstream(&text, &len);
	if (out == NULL) {
		cli_fail(cl, "out of memory");
		free(snap);
		return;
	}
	if (cli_is_json(res->w2))
		op25b_stats_print_json(out, snap, NULL);
	else
		op25b_report_print(snap, out);
	fclose(out);
	cli_write(cl, text, len);
	free(text);
	free(snap);
}

static cmdline_parse_token_string_t cmd_w1_counters =
	TOKEN_STRING_INITIALIZER(struct cmd_words_result, w1, "counters");
static cmdline_parse_token_string_t cmd_w2_json =
	TOKEN_STRING_INITIALIZER(struct cmd_words_result, w2, "json");
static cmdline_parse_token_string_t cmd_w2_kind =
	TOKEN_STRING_INITIALIZER(struct cmd_words_result, w2, "class#group");
static cmdline_parse_token_string_t cmd_w3_name =
	TOKEN_STRING_INITIALIZER(struct cmd_words_result, w3, NULL);

static cmdline_parse_inst_t cmd_show_counters = {
	.f = cmd_show_counters_parsed,
	.help_str = "show counters: every outcome, class and group counter",
	.tokens = {(void *)&cmd_w0_show, (void *)&cmd_w1_counters, NULL},
};
static cmdline_parse_inst_t cmd_show_counters_json = {
	.f = cmd_show_counters_parsed,
	.help_str = "show counters json: the same as op25b-stat --json",
	.tokens = {(void *)&cmd_w0_show, (void *)&cmd_w1_counters,
		   (void *)&cmd_w2_json, NULL},
};
static cmdline_parse_inst_t cmd_show_counters_of = {
	.f = cmd_show_counters_parsed,
	.data = (void *)1,
	.help_str = "show counters class|group NAME: one class's or group's "
		    "verdicts",
	.tokens = {(void *)&cmd_w0_show, (void *)&cmd_w1_counters,
		   (void *)&cmd_w2_kind, (void *)&cmd_w3_name, NULL},
};

cmdline_parse_inst_t *op25b_cli_show_commands[] = {
	&cmd_show_port,     &cmd_show_port_json,     &cmd_clear_port,
	&cmd_show_workers,  &cmd_show_workers_json,
	&cmd_show_counters, &cmd_show_counters_json,
	&cmd_show_counters_of, NULL,
};
