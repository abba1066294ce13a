/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CLI: exemptions, the per-customer opt-outs.
 *   exempt add PREFIX [ttl DURATION] [reason TEXT...]
 *   exempt del PREFIX
 *   exempt list [json]
 *   exempt export [FILE]
 *   exempt import FILE [replace|merge]
 * They apply at once (a small table swapped under RCU, no policy
 * recompile), outlive reloads, expire on their own and are audited
 * (exempt.c); they are kept in the state file across restarts, whose
 * format export and import share.
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
	cmdline_fixed_string_t mode;
};

const struct op25b_exempt_entry *
cli_exempt_covering(const struct op25b_prefix *addr)
{
	/* The longest match, as the data path applies it. */
	return op25b_exempt_lookup(cli_app()->exempts, addr->family,
				   addr->addr);
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

/*
 * A FILE from a socket session must be absolute: op25b's working
 * directory is not the client's (op25b-cli makes a relative path
 * absolute before sending it). The terminal and --cmdline-file are
 * op25b's own, where a relative path means what it says.
 */
static int
check_path(struct cmdline *cl, const char *verb, const char *path)
{
	if (path[0] != '/' && cli_is_socket(cl)) {
		cli_fail(cl,
			 "exempt %s %s: a relative path, and op25b does not "
			 "run in your directory: give an absolute path "
			 "(op25b-cli makes it absolute)",
			 verb, path);
		return -1;
	}
	return 0;
}

static void
cmd_exempt_export_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_exempt_result *res = parsed;
	const struct op25b_exempt_registry *reg = cli_app()->exempts;
	char *text = NULL;
	size_t len = 0;
	FILE *out;
	int err;

	if (data == NULL) {
		/* Into memory first: a session's descriptor is not a FILE. */
		out = open_memstream(&text, &len);
		if (out == NULL ||
		    (err = op25b_exempt_state_write(reg, out)) != 0) {
			err = out == NULL ? -errno : err;
			if (out != NULL)
				fclose(out);
			free(text);
			cli_fail(cl, "exempt export: %s", strerror(-err));
			return;
		}
		fclose(out);
		cli_write(cl, text, len);
		free(text);
		return;
	}
	if (check_path(cl, "export", res->prefix) < 0)
		return;
	/* Atomic like the state file: configuration management that
	 * picks the file up never reads half of it. */
	err = op25b_exempt_state_save(reg, res->prefix);
	if (err != 0) {
		cli_fail(cl, "exempt export %s: %s", res->prefix,
			 strerror(-err));
		return;
	}
	cli_printf(cl, "exempt export %s: %u exemptions written\n",
		   res->prefix, op25b_exempt_count(reg));
}

static void
cmd_exempt_import_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_exempt_result *res = parsed;
	bool replace = data != NULL && strcmp(res->mode, "replace") == 0;
	char msg[4800];

	if (check_path(cl, "import", res->prefix) < 0)
		return;
	if (op25b_control_exempt_import(cli_app(), res->prefix, replace,
					cli_uid(cl), msg, sizeof(msg)) != 0)
		cli_fail(cl, "%s", msg);
	else
		cli_printf(cl, "%s\n", msg);
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
static cmdline_parse_token_string_t cmd_exempt_export =
	TOKEN_STRING_INITIALIZER(struct cmd_exempt_result, w1, "export");
static cmdline_parse_token_string_t cmd_exempt_import =
	TOKEN_STRING_INITIALIZER(struct cmd_exempt_result, w1, "import");
static cmdline_parse_token_string_t cmd_exempt_mode =
	TOKEN_STRING_INITIALIZER(struct cmd_exempt_result, mode,
				 "replace#merge");
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

/* FILE goes in the prefix field: the struct is shared by the commands. */
static cmdline_parse_inst_t cmd_exempt_export_out = {
	.f = cmd_exempt_export_parsed,
	.help_str = "exempt export: the exemptions in the state-file format "
		    "(exempt import reads it)",
	.tokens = {(void *)&cmd_exempt_w0, (void *)&cmd_exempt_export, NULL},
};
static cmdline_parse_inst_t cmd_exempt_export_file = {
	.f = cmd_exempt_export_parsed,
	.data = (void *)1,
	.help_str = "exempt export FILE: the same into FILE (replaced "
		    "atomically)",
	.tokens = {(void *)&cmd_exempt_w0, (void *)&cmd_exempt_export,
		   (void *)&cmd_exempt_prefix, NULL},
};
static cmdline_parse_inst_t cmd_exempt_import_merge = {
	.f = cmd_exempt_import_parsed,
	.help_str = "exempt import FILE: add or replace the exemptions of "
		    "FILE (checked whole first: one bad line, nothing "
		    "changes)",
	.tokens = {(void *)&cmd_exempt_w0, (void *)&cmd_exempt_import,
		   (void *)&cmd_exempt_prefix, NULL},
};
static cmdline_parse_inst_t cmd_exempt_import_mode = {
	.f = cmd_exempt_import_parsed,
	.data = (void *)1,
	.help_str = "exempt import FILE replace|merge: replace: the "
		    "exemptions become FILE's; merge: as without a mode",
	.tokens = {(void *)&cmd_exempt_w0, (void *)&cmd_exempt_import,
		   (void *)&cmd_exempt_prefix, (void *)&cmd_exempt_mode, NULL},
};

cmdline_parse_inst_t *op25b_cli_exempt_commands[] = {
	&cmd_exempt_add_bare,     &cmd_exempt_add_ttl,
	&cmd_exempt_add_reason,   &cmd_exempt_add_ttl_reason,
	&cmd_exempt_del_inst,     &cmd_exempt_list_inst,
	&cmd_exempt_list_json,    &cmd_exempt_export_out,
	&cmd_exempt_export_file,  &cmd_exempt_import_merge,
	&cmd_exempt_import_mode,  NULL,
};
