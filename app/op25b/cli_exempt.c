/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CLI: exemptions, the per-customer opt-outs.
 *   exempt add PREFIX [ttl DURATION] [reason TEXT...]
 *   exempt del PREFIX
 *   exempt list [json]
 * They apply at once (a small table swapped under RCU, no policy
 * recompile), outlive reloads, expire on their own and are audited
 * (exempt.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_priv.h"

struct cmd_exempt_result {
	cmdline_fixed_string_t w0;
	cmdline_fixed_string_t w1;
	cmdline_fixed_string_t prefix;
	cmdline_fixed_string_t ttl_word;
	cmdline_fixed_string_t ttl;
	cmdline_fixed_string_t reason_word;
	cmdline_multi_string_t reason;
};

/* Whether @p covers the host prefix @addr. */
static bool
covers(const struct op25b_prefix *p, const struct op25b_prefix *addr)
{
	unsigned int full = p->length / 8, rest = p->length % 8;

	if (p->family != addr->family)
		return false;
	if (memcmp(p->addr, addr->addr, full) != 0)
		return false;
	return rest == 0 ||
	       ((p->addr[full] ^ addr->addr[full]) &
		(uint8_t)(0xff << (8 - rest))) == 0;
}

const struct op25b_exempt_entry *
cli_exempt_covering(const struct op25b_prefix *addr)
{
	const struct op25b_exempt_registry *reg = cli_app()->exempts;
	const struct op25b_exempt_entry *e = op25b_exempt_entries(reg);
	unsigned int i, n = op25b_exempt_count(reg);

	for (i = 0; i < n; i++)
		if (covers(&e[i].prefix, addr))
			return &e[i];
	return NULL;
}

static int
parse_prefix(struct cmdline *cl, const char *verb, const char *text,
	     struct op25b_prefix *prefix)
{
	const char *why = NULL;

	if (op25b_prefix_parse(text, prefix, &why) < 0) {
		cli_fail(cl, "exempt %s: bad prefix '%s': %s", verb, text, why);
		return -1;
	}
	return 0;
}

static void
cmd_exempt_add_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_exempt_result *res = parsed;
	uintptr_t form = (uintptr_t)data; /* bit 0: ttl, bit 1: reason */
	struct op25b_prefix prefix;
	uint32_t ttl = 0;
	char msg[512];

	if (parse_prefix(cl, "add", res->prefix, &prefix) < 0)
		return;
	if ((form & 1) && op25b_duration_parse(res->ttl, &ttl) < 0) {
		cli_fail(cl,
			 "exempt add: bad duration '%s': a positive number "
			 "with an optional unit s, m, h or d (90, 15m, 2d)",
			 res->ttl);
		return;
	}
	if (op25b_control_exempt_add(cli_app(), &prefix, ttl,
				     (form & 2) ? res->reason : NULL,
				     cli_uid(cl), msg, sizeof(msg)) != 0)
		cli_fail(cl, "%s", msg);
	else
		cli_printf(cl, "%s\n", msg);
}

static void
cmd_exempt_del_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_exempt_result *res = parsed;
	struct op25b_prefix prefix;
	char msg[512];

	if (parse_prefix(cl, "del", res->prefix, &prefix) < 0)
		return;
	if (op25b_control_exempt_del(cli_app(), &prefix, cli_uid(cl), msg,
				     sizeof(msg)) != 0)
		cli_fail(cl, "%s", msg);
	else
		cli_printf(cl, "%s\n", msg);
}

static void
format_left(uint64_t expires, uint64_t now, char *buf, size_t size)
{
	uint64_t s;

	if (expires == 0) {
		snprintf(buf, size, "never");
		return;
	}
	s = expires > now ? (expires - now + 999) / 1000 : 0;
	if (s >= 86400)
		snprintf(buf, size, "%" PRIu64 "d%02" PRIu64 "h", s / 86400,
			 s % 86400 / 3600);
	else if (s >= 3600)
		snprintf(buf, size, "%" PRIu64 "h%02" PRIu64 "m", s / 3600,
			 s % 3600 / 60);
	else if (s >= 60)
		snprintf(buf, size, "%" PRIu64 "m%02" PRIu64 "s", s / 60,
			 s % 60);
	else
		snprintf(buf, size, "%" PRIu64 "s", s);
}

static void
cmd_exempt_list_parsed(void *parsed, struct cmdline *cl, void *data)
{
	const struct op25b_exempt_registry *reg = cli_app()->exempts;
	const struct op25b_exempt_entry *e = op25b_exempt_entries(reg);
	unsigned int i, n = op25b_exempt_count(reg);
	uint64_t now = op25b_now_ms();
	bool json = data != NULL;
	char prefix[64], left[32], when[32];

	if (json)
		cli_printf(cl, "[");
	else if (n == 0)
		cli_printf(cl, "no exemptions\n");
	else
		cli_printf(cl, "%-44s %-9s %-20s %-6s %s\n", "prefix",
			   "time left", "granted (UTC)", "uid", "reason");
	for (i = 0; i < n; i++) {
		time_t added = (time_t)(e[i].added / 1000);
		struct tm tm;

		op25b_prefix_format(&e[i].prefix, prefix, sizeof(prefix));
		format_left(e[i].expires, now, left, sizeof(left));
		gmtime_r(&added, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		if (json) {
			cli_printf(cl,
				   "%s{\"prefix\":\"%s\",\"ttl\":%" PRIu32
				   ",\"seconds_left\":%" PRIu64
				   ",\"granted\":\"%s\",\"uid\":%" PRIu32
				   ",\"reason\":",
				   i ? "," : "", prefix, e[i].ttl,
				   e[i].expires == 0 ? 0
				   : e[i].expires > now
					   ? (e[i].expires - now + 999) / 1000
					   : 0,
				   when, e[i].uid);
			cli_json_string(cl, e[i].reason);
			cli_printf(cl, "}");
		} else {
			cli_printf(cl, "%-44s %-9s %-20s %-6" PRIu32 " %s\n",
				   prefix, left, when, e[i].uid, e[i].reason);
		}
	}
	if (json)
		cli_printf(cl, "]\n");
}

static cmdline_parse_token_string_t cmd_exempt_w0 =
	TOKEN_STRING_INITIALIZER(struct cmd_exempt_result, w0, "exempt");
static cmdline_parse_token_string_t cmd_exempt_add =
	TOKEN_STRING_INITIALIZER(struct cmd_exempt_result, w1, "add");
static cmdline_parse_token_string_t cmd_exempt_del =
	TOKEN_STRING_INITIALIZER(struct cmd_exempt_result, w1, "del");
static cmdline_parse_token_string_t cmd_exempt_list =
	TOKEN_STRING_INITIALIZER(struct cmd_exempt_result, w1, "list");
static cmdline_parse_token_string_t cmd_exempt_prefix =
	TOKEN_STRING_INITIALIZER(struct cmd_exempt_result, prefix, NULL);
static cmdline_parse_token_string_t cmd_exempt_ttl_word =
	TOKEN_STRING_INITIALIZER(struct cmd_exempt_result, ttl_word, "ttl");
static cmdline_parse_token_string_t cmd_exempt_ttl =
	TOKEN_STRING_INITIALIZER(struct cmd_exempt_result, ttl, NULL);
static cmdline_parse_token_string_t cmd_exempt_reason_word =
	TOKEN_STRING_INITIALIZER(struct cmd_exempt_result, reason_word,
				 "reason");
static cmdline_parse_token_string_t cmd_exempt_reason =
	TOKEN_STRING_INITIALIZER(struct cmd_exempt_result, reason,
				 TOKEN_STRING_MULTI);
static cmdline_parse_token_string_t cmd_exempt_json =
	TOKEN_STRING_INITIALIZER(struct cmd_exempt_result, ttl_word, "json");

static cmdline_parse_inst_t cmd_exempt_add_bare = {
	.f = cmd_exempt_add_parsed,
	.data = (void *)0,
	.help_str = "exempt add PREFIX [ttl DURATION] [reason TEXT]: forward "
		    "SMTP from PREFIX whatever the policy says",
	.tokens = {(void *)&cmd_exempt_w0, (void *)&cmd_exempt_add,
		   (void *)&cmd_exempt_prefix, NULL},
};
static cmdline_parse_inst_t cmd_exempt_add_ttl = {
	.f = cmd_exempt_add_parsed,
	.data = (void *)1,
	.help_str = "exempt add PREFIX ttl DURATION: ... expiring after "
		    "DURATION (90, 15m, 12h, 30d)",
	.tokens = {(void *)&cmd_exempt_w0, (void *)&cmd_exempt_add,
		   (void *)&cmd_exempt_prefix, (void *)&cmd_exempt_ttl_word,
		   (void *)&cmd_exempt_ttl, NULL},
};
static cmdline_parse_inst_t cmd_exempt_add_reason = {
	.f = cmd_exempt_add_parsed,
	.data = (void *)2,
	.help_str = "exempt add PREFIX reason TEXT: ... with the reason "
		    "kept in the audit log",
	.tokens = {(void *)&cmd_exempt_w0, (void *)&cmd_exempt_add,
		   (void *)&cmd_exempt_prefix, (void *)&cmd_exempt_reason_word,
		   (void *)&cmd_exempt_reason, NULL},
};
static cmdline_parse_inst_t cmd_exempt_add_ttl_reason = {
	.f = cmd_exempt_add_parsed,
	.data = (void *)3,
	.help_str = "exempt add PREFIX ttl DURATION reason TEXT",
	.tokens = {(void *)&cmd_exempt_w0, (void *)&cmd_exempt_add,
		   (void *)&cmd_exempt_prefix, (void *)&cmd_exempt_ttl_word,
		   (void *)&cmd_exempt_ttl, (void *)&cmd_exempt_reason_word,
		   (void *)&cmd_exempt_reason, NULL},
};
static cmdline_parse_inst_t cmd_exempt_del_inst = {
	.f = cmd_exempt_del_parsed,
	.help_str = "exempt del PREFIX: end an exemption now",
	.tokens = {(void *)&cmd_exempt_w0, (void *)&cmd_exempt_del,
		   (void *)&cmd_exempt_prefix, NULL},
};
static cmdline_parse_inst_t cmd_exempt_list_inst = {
	.f = cmd_exempt_list_parsed,
	.help_str = "exempt list: the exemptions with the time each has left",
	.tokens = {(void *)&cmd_exempt_w0, (void *)&cmd_exempt_list, NULL},
};
static cmdline_parse_inst_t cmd_exempt_list_json = {
	.f = cmd_exempt_list_parsed,
	.data = (void *)1,
	.help_str = "exempt list json: the same as JSON",
	.tokens = {(void *)&cmd_exempt_w0, (void *)&cmd_exempt_list,
		   (void *)&cmd_exempt_json, NULL},
};

cmdline_parse_inst_t *op25b_cli_exempt_commands[] = {
	&cmd_exempt_add_bare,   &cmd_exempt_add_ttl,
	&cmd_exempt_add_reason, &cmd_exempt_add_ttl_reason,
	&cmd_exempt_del_inst,   &cmd_exempt_list_inst,
	&cmd_exempt_list_json,  NULL,
};
