/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CLI: block records.
 *   records reopen              records flush
 *   show blocked top N [json]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "cli_priv.h"
#include "op25b_records.h"

struct cmd_records_result {
	cmdline_fixed_string_t w0;
	cmdline_fixed_string_t w1;
	cmdline_fixed_string_t w2;
	uint32_t n;
	cmdline_fixed_string_t json;
};

static void
cmd_records_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_records_result *res = parsed;
	struct op25b_app *app = cli_app();
	char msg[512];

	(void)data;
	if (app->records == NULL) {
		cli_fail(cl, "no block records (start op25b with "
			     "--block-records FILE|syslog)");
		return;
	}
	if (strcmp(res->w1, "flush") == 0) {
		op25b_records_end_interval(app);
		cli_printf(cl, "block records: interval ended; its records "
			       "follow once every worker has handed its "
			       "over\n");
		return;
	}
	if (op25b_records_reopen(app, msg, sizeof(msg)) != 0)
		cli_fail(cl, "%s", msg);
	else
		cli_printf(cl, "%s\n", msg);
}

static cmdline_parse_token_string_t cmd_records_w0 =
	TOKEN_STRING_INITIALIZER(struct cmd_records_result, w0, "records");
static cmdline_parse_token_string_t cmd_records_reopen =
	TOKEN_STRING_INITIALIZER(struct cmd_records_result, w1, "reopen");
static cmdline_parse_token_string_t cmd_records_flush =
	TOKEN_STRING_INITIALIZER(struct cmd_records_result, w1, "flush");
static cmdline_parse_inst_t cmd_records_reopen_inst = {
	.f = cmd_records_parsed,
	.help_str = "records reopen: reopen the block records file (after "
		    "log rotation; SIGUSR1 does the same)",
	.tokens = { (void *)&cmd_records_w0, (void *)&cmd_records_reopen,
		    NULL },
};
static cmdline_parse_inst_t cmd_records_flush_inst = {
	.f = cmd_records_parsed,
	.help_str = "records flush: end the block records' interval now "
		    "(its records are written at once)",
	.tokens = { (void *)&cmd_records_w0, (void *)&cmd_records_flush, NULL },
};

static void
print_top(struct cmdline *cl, const struct op25b_records_merged *r,
	  unsigned int rank)
{
	char src[INET6_ADDRSTRLEN], vlan[64] = "-", pppoe[16] = "-";
	unsigned int i;
	int n = 0;

	inet_ntop(r->r.family == 4 ? AF_INET : AF_INET6, r->r.src, src,
		  sizeof(src));
	for (i = 0; i < r->r.n_vlans && n >= 0 && (size_t)n < sizeof(vlan); i++)
		n += snprintf(vlan + n, sizeof(vlan) - (size_t)n, "%s%u",
			      i ? "," : "", r->r.vlan[i]);
	if (r->r.pppoe_session >= 0)
		snprintf(pppoe, sizeof(pppoe), "%d", (int)r->r.pppoe_session);
	cli_printf(cl,
		   "%3u  %-39s %8u %9u %6u  %-12s %-8s "
		   "%02x:%02x:%02x:%02x:%02x:%02x %4u\n",
		   rank, src, r->r.syns, r->r.segments, r->destinations, vlan,
		   pppoe, r->r.src_mac[0], r->r.src_mac[1], r->r.src_mac[2],
		   r->r.src_mac[3], r->r.src_mac[4], r->r.src_mac[5],
		   r->r.port);
}

static void
cmd_blocked_top_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_records_result *res = parsed;
	const struct op25b_app *app = cli_app();
	const struct op25b_records_merged *top = NULL;
	int n = op25b_records_top(app, &top), i;
	FILE *out;

	if (n < 0) {
		cli_fail(cl, "no block records (start op25b with "
			     "--block-records FILE|syslog)");
		return;
	}
	if ((uint32_t)n > res->n)
		n = (int)res->n;
	if (data != NULL) {
		/* One record a line, as the records file has them. */
		out = cli_out(cl);
		if (out == NULL)
			return;
		fputs("[", out);
		for (i = 0; i < n; i++) {
			fputs(i ? ",\n" : "\n", out);
			op25b_records_write_json(out, &top[i],
						 op25b_records_view(app));
			/* The writer ends a record with a line feed. */
			fseek(out, -1, SEEK_CUR);
		}
		fputs(n ? "\n]\n" : "]\n", out);
		return;
	}
	cli_printf(cl,
		   "the last interval's sources, most blocked SYNs first\n"
		   "  #  %-39s %8s %9s %6s  %-12s %-8s %-17s %4s\n",
		   "source", "syns", "segments", "dsts", "vlan", "pppoe", "mac",
		   "port");
	for (i = 0; i < n; i++)
		print_top(cl, &top[i], (unsigned int)i + 1);
}

static cmdline_parse_token_string_t cmd_blocked_w0 =
	TOKEN_STRING_INITIALIZER(struct cmd_records_result, w0, "show");
static cmdline_parse_token_string_t cmd_blocked_w1 =
	TOKEN_STRING_INITIALIZER(struct cmd_records_result, w1, "blocked");
static cmdline_parse_token_string_t cmd_blocked_w2 =
	TOKEN_STRING_INITIALIZER(struct cmd_records_result, w2, "top");
static cmdline_parse_token_num_t cmd_blocked_n =
	TOKEN_NUM_INITIALIZER(struct cmd_records_result, n, RTE_UINT32);
static cmdline_parse_token_string_t cmd_blocked_json =
	TOKEN_STRING_INITIALIZER(struct cmd_records_result, json, "json");
static cmdline_parse_inst_t cmd_blocked_top = {
	.f = cmd_blocked_top_parsed,
	.help_str = "show blocked top N: the last interval's N sources with "
		    "the most blocked SYNs, with VLAN, PPPoE session and MAC",
	.tokens = { (void *)&cmd_blocked_w0, (void *)&cmd_blocked_w1,
		    (void *)&cmd_blocked_w2, (void *)&cmd_blocked_n, NULL },
};
static cmdline_parse_inst_t cmd_blocked_top_json = {
	.f = cmd_blocked_top_parsed,
	.data = (void *)1,
	.help_str = "show blocked top N json: the same as a JSON array of "
		    "block records",
	.tokens = { (void *)&cmd_blocked_w0, (void *)&cmd_blocked_w1,
		    (void *)&cmd_blocked_w2, (void *)&cmd_blocked_n,
		    (void *)&cmd_blocked_json, NULL },
};

cmdline_parse_inst_t *op25b_cli_records_commands[] = {
	&cmd_records_reopen_inst,
	&cmd_records_flush_inst,
	&cmd_blocked_top,
	&cmd_blocked_top_json,
	NULL,
};
