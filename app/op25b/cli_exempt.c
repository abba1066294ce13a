/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CLI: exemptions, the per-customer opt-outs.
 *   exempt add PREFIX [ttl DURATION] [force] [reason TEXT...]
 *   exempt del PREFIX
 *   exempt list [json]
 *   exempt export [FILE]
 *   exempt import FILE [replace|merge] [force]
 * They apply at once (a small table swapped under RCU, no policy
 * recompile), outlive reloads, expire on their own and are audited
 * (exempt.c); they are kept in the state file across restarts, whose
 * format export and import share.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "cli_priv.h"

struct cmd_exempt_result {
	cmdline_fixed_string_t w0;
	cmdline_fixed_string_t w1;
	cmdline_fixed_string_t prefix;
	cmdline_fixed_string_t json;
	cmdline_multi_string_t options; /* exempt add's, parsed here */
	cmdline_fixed_string_t mode;
};

const struct op25b_exempt_entry *
cli_exempt_covering(const struct op25b_prefix *addr)
{
	/* The longest match, as the data path applies it. */
	return op25b_exempt_registry_lookup(cli_app()->exempts, addr->family,
					    addr->addr);
}

static int
parse_prefix(struct cmdline *cl, const char *verb, const char *text,
	     struct op25b_prefix *prefix)
{
	const char *why = NULL;
	char message[256];

	if (op25b_prefix_parse(text, prefix, &why) < 0) {
		/* The loader's words, "did you mean" included. */
		op25b_prefix_error_message(message, sizeof(message), text,
					   strlen(text), prefix, why);
		cli_fail(cl, "exempt %s: bad prefix %s", verb, message);
		return -1;
	}
	return 0;
}

/* What follows the prefix of exempt add. */
struct add_options {
	bool has_ttl;
	uint32_t ttl;
	bool force;
	bool has_reason;
	char reason[STR_MULTI_TOKEN_SIZE];
};

/* The next blank-separated word of *@p into @p word; false at the end. */
static bool
next_word(const char **p, char *word, size_t size)
{
	size_t len;

	*p += strspn(*p, " \t");
	len = strcspn(*p, " \t");
	if (len == 0)
		return false;
	snprintf(word, size, "%.*s", (int)len, *p);
	*p += len;
	return true;
}

/*
 * A reason in double quotes (\" and \\ escaped), after which options may
 * follow. Returns 0, or -1 after cli_fail().
 */
static int
quoted_reason(struct cmdline *cl, const char *shown, const char **p, char *out,
	      size_t size)
{
	const char *q = *p + 1;
	size_t o = 0;

	for (; *q != '\0' && *q != '"'; q++) {
		if (*q == '\\' && (q[1] == '"' || q[1] == '\\'))
			q++;
		if (o + 1 < size)
			out[o++] = *q;
	}
	out[o] = '\0';
	if (*q != '"') {
		cli_fail(cl, "exempt add %s: the reason has no closing quote",
			 shown);
		return -1;
	}
	q++;
	if (*q != '\0' && *q != ' ' && *q != '\t') {
		cli_fail(cl,
			 "exempt add %s: text right after the reason's "
			 "closing quote",
			 shown);
		return -1;
	}
	*p = q;
	return 0;
}

/*
 * An unquoted reason runs to the end of the line. It may not hold the
 * words ttl or force: "reason ttl 5m" was meant as a TTL, and taking it
 * for the reason would grant for ever (options go before an unquoted
 * reason, or the reason is quoted). Returns 0, or -1 after cli_fail().
 */
static int
plain_reason(struct cmdline *cl, const char *shown, const char *p, char *out,
	     size_t size)
{
	char word[CLI_WORD_MAX];
	const char *w = p;
	size_t len;

	p += strspn(p, " \t");
	len = strlen(p);
	while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
		len--;
	snprintf(out, size, "%.*s", (int)len, p);
	while (next_word(&w, word, sizeof(word))) {
		if (strcmp(word, "ttl") == 0 || strcmp(word, "force") == 0) {
			cli_fail(cl,
				 "exempt add %s: the reason \"%s\" holds the "
				 "word %s: give ttl DURATION and force before "
				 "reason, or quote the reason (reason "
				 "\"TEXT\")",
				 shown, out, word);
			return -1;
		}
	}
	return 0;
}

/*
 * exempt add's options after PREFIX (@p shown, as typed), in any order:
 * ttl DURATION, force, reason TEXT (quoted, or the rest of the line).
 * Anything else, or an option twice, is refused: an option misread is an
 * exemption granted for ever, or to everyone. Returns 0, or -1 after
 * cli_fail().
 */
static int
parse_add_options(struct cmdline *cl, const char *shown, const char *text,
		  struct add_options *o)
{
	char word[CLI_WORD_MAX];
	const char *p = text;

	memset(o, 0, sizeof(*o));
	while (next_word(&p, word, sizeof(word))) {
		if (strcmp(word, "ttl") == 0) {
			if (o->has_ttl) {
				cli_fail(cl, "exempt add %s: ttl given twice",
					 shown);
				return -1;
			}
			if (!next_word(&p, word, sizeof(word))) {
				cli_fail(cl,
					 "exempt add %s: ttl needs a "
					 "DURATION (90, 15m, 12h, 30d)",
					 shown);
				return -1;
			}
			if (op25b_duration_parse(word, &o->ttl) < 0) {
				cli_fail(
					cl,
					"exempt add: bad duration '%s': a "
					"positive number with an optional unit "
					"s, m, h or d (90, 15m, 2d)",
					word);
				return -1;
			}
			o->has_ttl = true;
		} else if (strcmp(word, "force") == 0) {
			if (o->force) {
				cli_fail(cl, "exempt add %s: force given twice",
					 shown);
				return -1;
			}
			o->force = true;
		} else if (strcmp(word, "reason") == 0) {
			if (o->has_reason) {
				cli_fail(cl,
					 "exempt add %s: reason given twice",
					 shown);
				return -1;
			}
			o->has_reason = true;
			p += strspn(p, " \t");
			if (*p == '"') {
				if (quoted_reason(cl, shown, &p, o->reason,
						  sizeof(o->reason)) < 0)
					return -1;
				continue;
			}
			if (*p == '\0') {
				cli_fail(cl,
					 "exempt add %s: reason needs a "
					 "TEXT",
					 shown);
				return -1;
			}
			return plain_reason(cl, shown, p, o->reason,
					    sizeof(o->reason));
		} else {
			cli_fail(cl,
				 "exempt add %s: unexpected '%s': exempt add "
				 "PREFIX [ttl DURATION] [force] [reason TEXT]",
				 shown, word);
			return -1;
		}
	}
	return 0;
}

static void
cmd_exempt_add_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_exempt_result *res = parsed;
	struct add_options o = { 0 };
	struct op25b_prefix prefix;
	char msg[512];

	if (parse_prefix(cl, "add", res->prefix, &prefix) < 0)
		return;
	if (data != NULL &&
	    parse_add_options(cl, res->prefix, res->options, &o) < 0)
		return;
	if (op25b_exempt_mapped_refused(&prefix, msg, sizeof(msg))) {
		cli_fail(cl, "exempt add %s: %s", res->prefix, msg);
		return;
	}
	if (prefix.length == 0 && !o.force) {
		cli_fail(cl,
			 "exempt add %s: exempts every %s source, which turns "
			 "OP25B off: add force if that is meant",
			 res->prefix,
			 prefix.family == AF_INET ? "IPv4" : "IPv6");
		return;
	}
	cli_reply(cl,
		  op25b_app_exempt_add(cli_app(), &prefix, o.ttl,
				       o.has_reason ? o.reason : NULL,
				       cli_uid(cl), msg, sizeof(msg)),
		  msg);
}

static void
cmd_exempt_del_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_exempt_result *res = parsed;
	struct op25b_prefix prefix;
	char msg[512];

	if (parse_prefix(cl, "del", res->prefix, &prefix) < 0)
		return;
	cli_reply(cl,
		  op25b_app_exempt_del(cli_app(), &prefix, cli_uid(cl), msg,
				       sizeof(msg)),
		  msg);
}

static void
cmd_exempt_list_parsed(void *parsed, struct cmdline *cl, void *data)
{
	FILE *out = cli_out(cl);

	/* The table op25b-xdp's exempt list prints too (lib/exempt). */
	if (out != NULL)
		op25b_exempt_registry_print(cli_app()->exempts, op25b_now_ms(),
					    data != NULL, out);
}

/* @path's directory, resolved, and its last name: two spellings of one
 * file (a "..", a link to the directory) come out alike, whether the file
 * exists or not. 0, or -errno of realpath(3). */
static int
resolved_path(const char *path, char *out, size_t size)
{
	char dir[PATH_MAX], real[PATH_MAX];
	const char *slash = strrchr(path, '/');
	const char *base = slash != NULL ? slash + 1 : path;

	snprintf(dir, sizeof(dir), "%.*s",
		 slash == NULL	 ? 1
		 : slash == path ? 1
				 : (int)(slash - path),
		 slash == NULL ? "." : path);
	if (realpath(dir, real) == NULL)
		return -errno;
	snprintf(out, size, "%s/%s", strcmp(real, "/") == 0 ? "" : real, base);
	return 0;
}

/* Whether @path is the state file or the temporary file its saves write
 * first (PATH.tmp): an export there writes over exemptions op25b holds
 * for its next start, perhaps a file it could not read (state_save()'s
 * guards keep the registry off it; an export had none), or races a
 * save. */
static bool
is_state_file(const struct op25b_app *app, const char *path)
{
	char want[PATH_MAX + 8], got[PATH_MAX + 8], tmp[PATH_MAX + 16];

	if (app->state_path[0] == '\0' ||
	    resolved_path(app->state_path, want, sizeof(want)) != 0 ||
	    resolved_path(path, got, sizeof(got)) != 0)
		return false;
	snprintf(tmp, sizeof(tmp), "%s.tmp", want);
	return strcmp(got, want) == 0 || strcmp(got, tmp) == 0;
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
		    (err = op25b_exempt_registry_write(reg, out)) != 0) {
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
	if (cli_check_path(cl, "exempt export", res->prefix) < 0)
		return;
	if (is_state_file(cli_app(), res->prefix)) {
		cli_fail(cl,
			 "exempt export %s: that is op25b's state file (or "
			 "its temporary file), which op25b keeps itself: "
			 "export to another file",
			 res->prefix);
		return;
	}
	/* Atomic like the state file: configuration management that
	 * picks the file up never reads half of it. */
	err = op25b_exempt_registry_export(reg, res->prefix);
	if (err == -EEXIST) {
		cli_fail(cl,
			 "exempt export %s: %s.tmp exists (the export is "
			 "written there first, then renamed): remove it or "
			 "export elsewhere",
			 res->prefix, res->prefix);
		return;
	}
	if (err != 0) {
		cli_fail(cl, "exempt export %s: %s", res->prefix,
			 strerror(-err));
		return;
	}
	cli_printf(cl, "exempt export %s: %u exemptions written\n", res->prefix,
		   op25b_exempt_registry_count(reg));
}

/* The data bit of exempt import's forms with force (CLI_LONGER_FORM:
 * those with a mode). */
#define IMPORT_FORCE 0x2

static void
cmd_exempt_import_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_exempt_result *res = parsed;
	uintptr_t form = (uintptr_t)data;
	bool replace = (form & CLI_LONGER_FORM) != 0 &&
		       strcmp(res->mode, "replace") == 0;
	char msg[4800];

	if (cli_check_path(cl, "exempt import", res->prefix) < 0)
		return;
	cli_reply(cl,
		  op25b_app_exempt_import(cli_app(), res->prefix, replace,
					  (form & IMPORT_FORCE) != 0,
					  cli_uid(cl), msg, sizeof(msg)),
		  msg);
}

CLI_WORD(cmd_exempt_w0, struct cmd_exempt_result, w0, "exempt");
CLI_WORD(cmd_exempt_add, struct cmd_exempt_result, w1, "add");
CLI_WORD(cmd_exempt_del, struct cmd_exempt_result, w1, "del");
CLI_WORD(cmd_exempt_list, struct cmd_exempt_result, w1, "list");
CLI_WORD(cmd_exempt_prefix, struct cmd_exempt_result, prefix, NULL);
static cmdline_parse_token_string_t cmd_exempt_options =
	TOKEN_STRING_INITIALIZER(struct cmd_exempt_result, options,
				 TOKEN_STRING_MULTI);
CLI_WORD(cmd_exempt_export, struct cmd_exempt_result, w1, "export");
CLI_WORD(cmd_exempt_import, struct cmd_exempt_result, w1, "import");
CLI_WORD(cmd_exempt_mode, struct cmd_exempt_result, mode, "replace#merge");
CLI_WORD(cmd_exempt_json, struct cmd_exempt_result, json, "json");
/* exempt import's force, in the field import does not use otherwise. */
CLI_WORD(cmd_exempt_force, struct cmd_exempt_result, json, "force");

/* The options in any order: one token for them all, parsed by hand. */
CLI_INST_OPTIONAL(cmd_exempt_add_inst, _options, cmd_exempt_add_parsed, 0,
		  "exempt add PREFIX [ttl DURATION] [force] [reason TEXT]: "
		  "forward SMTP from PREFIX whatever the policy says, for "
		  "DURATION (90, 15m, 12h, 30d) or until deleted",
		  "exempt add PREFIX OPTIONS: in any order; reason TEXT "
		  "takes the rest of the line unless quoted (\"TEXT\"); "
		  "force: 0.0.0.0/0 or ::/0",
		  cmd_exempt_options, (void *)&cmd_exempt_w0,
		  (void *)&cmd_exempt_add, (void *)&cmd_exempt_prefix);
CLI_INST(cmd_exempt_del_inst, cmd_exempt_del_parsed, 0,
	 "exempt del PREFIX: end an exemption now", (void *)&cmd_exempt_w0,
	 (void *)&cmd_exempt_del, (void *)&cmd_exempt_prefix);
CLI_INST_JSON(cmd_exempt_list_inst, cmd_exempt_list_parsed, 0,
	      "exempt list: the exemptions with the time each has left",
	      "exempt list json: the same as JSON", cmd_exempt_json,
	      (void *)&cmd_exempt_w0, (void *)&cmd_exempt_list);

/* FILE goes in the prefix field: the struct is shared by the commands. */
CLI_INST_OPTIONAL(cmd_exempt_export_inst, _file, cmd_exempt_export_parsed, 0,
		  "exempt export: the exemptions in the state-file format "
		  "(exempt import reads it)",
		  "exempt export FILE: the same into FILE (replaced "
		  "atomically)",
		  cmd_exempt_prefix, (void *)&cmd_exempt_w0,
		  (void *)&cmd_exempt_export);
CLI_INST_OPTIONAL(cmd_exempt_import_inst, _mode, cmd_exempt_import_parsed, 0,
		  "exempt import FILE: add or replace the exemptions of "
		  "FILE (checked whole first: one bad line, nothing "
		  "changes)",
		  "exempt import FILE replace|merge: replace: the "
		  "exemptions become FILE's; merge: as without a mode",
		  cmd_exempt_mode, (void *)&cmd_exempt_w0,
		  (void *)&cmd_exempt_import, (void *)&cmd_exempt_prefix);
/* The same with force: a file may then hold 0.0.0.0/0 or ::/0. */
CLI_INST(cmd_exempt_import_force_inst, cmd_exempt_import_parsed, IMPORT_FORCE,
	 "exempt import FILE force: as without force, and FILE may exempt "
	 "0.0.0.0/0 or ::/0 (every source: OP25B off)",
	 (void *)&cmd_exempt_w0, (void *)&cmd_exempt_import,
	 (void *)&cmd_exempt_prefix, (void *)&cmd_exempt_force);
CLI_INST(cmd_exempt_import_mode_force_inst, cmd_exempt_import_parsed,
	 IMPORT_FORCE | CLI_LONGER_FORM,
	 "exempt import FILE replace|merge force: the same with a mode",
	 (void *)&cmd_exempt_w0, (void *)&cmd_exempt_import,
	 (void *)&cmd_exempt_prefix, (void *)&cmd_exempt_mode,
	 (void *)&cmd_exempt_force);

cmdline_parse_inst_t *op25b_cli_exempt_commands[] = {
	&cmd_exempt_add_inst,
	&cmd_exempt_add_inst_options,
	&cmd_exempt_del_inst,
	&cmd_exempt_list_inst,
	&cmd_exempt_list_inst_json,
	&cmd_exempt_export_inst,
	&cmd_exempt_export_inst_file,
	&cmd_exempt_import_inst,
	&cmd_exempt_import_inst_mode,
	&cmd_exempt_import_force_inst,
	&cmd_exempt_import_mode_force_inst,
	NULL,
};
