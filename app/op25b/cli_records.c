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
	cli_reply(cl, op25b_records_reopen(app, msg, sizeof(msg)), msg);
}

CLI_WORD(cmd_records_w0, struct cmd_records_result, w0, "records");
CLI_WORD(cmd_records_reopen, struct cmd_records_result, w1, "reopen");
CLI_WORD(cmd_records_flush, struct cmd_records_result, w1, "flush");
CLI_INST(cmd_records_reopen_inst, cmd_records_parsed, 0,
	 "records reopen: reopen the block records file (after "
	 "log rotation; SIGUSR1 does the same)",
	 (void *)&cmd_records_w0, (void *)&cmd_records_reopen);
CLI_INST(cmd_records_flush_inst, cmd_records_parsed, 0,
	 "records flush: end the block records' interval now "
	 "(its records are written at once)",
	 (void *)&cmd_records_w0, (void *)&cmd_records_flush);

static void
cmd_blocked_top_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_records_result *res = parsed;
	const struct op25b_records_top *top = NULL;
	int n = op25b_records_top(cli_app(), &top);
	FILE *out;

	if (n < 0) {
		cli_fail(cl, "no block records (start op25b with "
			     "--block-records FILE|syslog)");
		return;
	}
	out = cli_out(cl);
	if (out == NULL)
		return;
	if ((uint32_t)n > res->n)
		n = (int)res->n;
	if (data != NULL)
		op25b_records_top_json(out, top, (unsigned int)n);
	else
		op25b_records_top_text(out, top, (unsigned int)n);
}

CLI_WORD(cmd_blocked_w0, struct cmd_records_result, w0, "show");
CLI_WORD(cmd_blocked_w1, struct cmd_records_result, w1, "blocked");
CLI_WORD(cmd_blocked_w2, struct cmd_records_result, w2, "top");
CLI_WORD(cmd_blocked_json, struct cmd_records_result, json, "json");
static cmdline_parse_token_num_t cmd_blocked_n =
	TOKEN_NUM_INITIALIZER(struct cmd_records_result, n, RTE_UINT32);
CLI_INST_JSON(cmd_blocked_top, cmd_blocked_top_parsed, 0,
	      "show blocked top N: the last interval's N sources with "
	      "the most blocked SYNs, with VLAN, PPPoE session and MAC",
	      "show blocked top N json: the same as a JSON array of "
	      "block records",
	      cmd_blocked_json, (void *)&cmd_blocked_w0,
	      (void *)&cmd_blocked_w1, (void *)&cmd_blocked_w2,
	      (void *)&cmd_blocked_n);

cmdline_parse_inst_t *op25b_cli_records_commands[] = {
	&cmd_records_reopen_inst,
	&cmd_records_flush_inst,
	&cmd_blocked_top,
	&cmd_blocked_top_json,
	NULL,
};
