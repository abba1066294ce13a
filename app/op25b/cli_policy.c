/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CLI: the policy.
 *   show policy                 policy check FILE
 *   policy reload [FILE]        explain SRC DST [PORT] [json]
 *   set mode enforce|monitor|file
 *   set block drop|reset|notify|file
 *
 * A reload or a switch goes through the control lcore's own functions
 * (the SIGHUP path): load or recompile off to the side, one pointer swap.
 */
#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "cli_priv.h"

struct cmd_policy_result {
	cmdline_fixed_string_t w0;
	cmdline_fixed_string_t w1;
	cmdline_fixed_string_t arg;
	cmdline_fixed_string_t arg2;
	cmdline_fixed_string_t arg3;
};

static size_t
count_family(const struct op25b_prefix_list *l, int family)
{
	size_t i, n = 0;

	for (i = 0; i < l->count; i++)
		n += l->prefixes[i].family == family;
	return n;
}

static const char *
mode_name(enum op25b_policy_mode m)
{
	return m == OP25B_MODE_MONITOR ? "monitor" : "enforce";
}

static const char *
block_name(enum op25b_block_style b)
{
	return op25b_block_style_name(b);
}

static void
print_ports(struct cmdline *cl, const char *label, const uint16_t *ports,
	    unsigned int n)
{
	unsigned int i;

	cli_printf(cl, "%-12s", label);
	for (i = 0; i < n; i++)
		cli_printf(cl, "%s%u", i ? ", " : "", ports[i]);
	cli_printf(cl, "%s\n", n ? "" : "none");
}

static void
json_ports(struct cmdline *cl, const uint16_t *ports, unsigned int n)
{
	unsigned int i;

	cli_printf(cl, "[");
	for (i = 0; i < n; i++)
		cli_printf(cl, "%s%u", i ? "," : "", ports[i]);
	cli_printf(cl, "]");
}

static void
show_policy_json(struct cmdline *cl)
{
	const struct op25b_app *app = cli_app();
	const struct op25b_policy *p = app->policy;
	const struct op25b_stats_header *h =
		op25b_stats_writer_header(app->stats);
	unsigned int i, j;

	cli_printf(cl, "{\"policy\":");
	cli_json_string(cl, app->config.policy_path);
	cli_printf(cl,
		   ",\"generation\":%" PRIu64 ",\"loaded_seconds\":%.3f"
		   ",\"reload_ok\":%" PRIu64 ",\"reload_failed\":%" PRIu64
		   ",\"mode\":\"%s\",\"file_mode\":\"%s\",\"block\":\"%s\""
		   ",\"file_block\":\"%s\",\"default\":\"%s\""
		   ",\"malformed\":\"%s\",\"smtp_ports\":",
		   h->policy_generation, (double)app->policy_loaded_ns / 1e9,
		   h->reload_ok, h->reload_failed, mode_name(p->mode),
		   mode_name(app->file_mode), block_name(p->block),
		   block_name(app->file_block),
		   op25b_action_name(p->default_action),
		   p->malformed == OP25B_MALFORMED_FORWARD ? "forward"
							   : "drop");
	json_ports(cl, p->smtp_ports, p->n_smtp_ports);
	cli_printf(cl, ",\"submission_ports\":");
	json_ports(cl, p->submission_ports, p->n_submission_ports);
	cli_printf(cl, ",\"notice\":");
	if (p->notice[0] != '\0')
		cli_json_string(cl, p->notice);
	else
		cli_printf(cl, "null");
	cli_printf(cl, ",\"notify_rate\":%u", p->notify_rate);
	cli_printf(cl, ",\"table_bytes\":%zu,\"classes\":[",
		   op25b_classifier_memory(atomic_load(&app->classifier)));
	for (i = 0; i < p->n_classes; i++) {
		const struct op25b_policy_class *c = &p->classes[i];
		bool first = true;

		cli_printf(cl, "%s{\"name\":", i ? "," : "");
		cli_json_string(cl, c->name);
		cli_printf(cl,
			   ",\"action\":\"%s\",\"ipv4\":%zu,\"ipv6\":%zu,"
			   "\"to\":{",
			   op25b_action_name(c->action),
			   count_family(&c->prefixes, AF_INET),
			   count_family(&c->prefixes, AF_INET6));
		for (j = 0; j < p->n_groups; j++) {
			if (c->to[j] == OP25B_ACTION_NONE)
				continue;
			cli_printf(cl, "%s", first ? "" : ",");
			cli_json_string(cl, p->groups[j].name);
			cli_printf(cl, ":\"%s\"", op25b_action_name(c->to[j]));
			first = false;
		}
		cli_printf(cl, "}");
		if (c->block_set)
			cli_printf(cl, ",\"block\":\"%s\"",
				   block_name(c->block));
		cli_printf(cl, "}");
	}
	cli_printf(cl, "],\"groups\":[");
	for (i = 0; i < p->n_groups; i++) {
		const struct op25b_policy_group *g = &p->groups[i];

		cli_printf(cl, "%s{\"name\":", i ? "," : "");
		cli_json_string(cl, g->name);
		cli_printf(cl, ",\"action\":%s%s%s,\"ipv4\":%zu,\"ipv6\":%zu}",
			   g->action == OP25B_ACTION_NONE ? "" : "\"",
			   g->action == OP25B_ACTION_NONE
				   ? "null"
				   : op25b_action_name(g->action),
			   g->action == OP25B_ACTION_NONE ? "" : "\"",
			   count_family(&g->prefixes, AF_INET),
			   count_family(&g->prefixes, AF_INET6));
	}
	cli_printf(cl, "],\"exemptions\":%u}\n",
		   op25b_exempt_registry_count(app->exempts));
}

static void
cmd_show_policy_parsed(void *parsed, struct cmdline *cl, void *data)
{
	const struct op25b_app *app = cli_app();
	const struct op25b_policy *p = app->policy;
	const struct op25b_stats_header *h =
		op25b_stats_writer_header(app->stats);
	time_t loaded = (time_t)(app->policy_loaded_ns / 1000000000ull);
	char when[32];
	struct tm tm;
	unsigned int i, j;

	if (data != NULL) {
		show_policy_json(cl);
		return;
	}
	gmtime_r(&loaded, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	cli_printf(cl, "%-12s%s\n", "file", app->config.policy_path);
	cli_printf(cl,
		   "%-12s%" PRIu64 " (loaded %s; %" PRIu64 " reloads, %" PRIu64
		   " failed)\n",
		   "generation", h->policy_generation, when, h->reload_ok,
		   h->reload_failed);
	cli_printf(cl, "%-12s%s%s%s%s\n", "mode", mode_name(p->mode),
		   app->mode_override >= 0 ? " (set mode; the file says " : "",
		   app->mode_override >= 0 ? mode_name(app->file_mode) : "",
		   app->mode_override >= 0 ? ")" : "");
	cli_printf(cl, "%-12s%s%s%s%s\n", "block", block_name(p->block),
		   app->block_override >= 0 ? " (set block; the file says "
					    : "",
		   app->block_override >= 0 ? block_name(app->file_block) : "",
		   app->block_override >= 0 ? ")" : "");
	if (p->notice[0] != '\0')
		cli_printf(cl, "%-12s%s (notify_rate %u a second per worker)\n",
			   "notice", p->notice, p->notify_rate);
	cli_printf(cl, "%-12s%s\n", "default",
		   op25b_action_name(p->default_action));
	cli_printf(cl, "%-12s%s\n", "malformed",
		   p->malformed == OP25B_MALFORMED_FORWARD ? "forward"
							   : "drop");
	print_ports(cl, "smtp", p->smtp_ports, p->n_smtp_ports);
	print_ports(cl, "submission", p->submission_ports,
		    p->n_submission_ports);
	cli_printf(cl, "%-12s%zu KB\n", "tables",
		   op25b_classifier_memory(atomic_load(&app->classifier)) /
			   1024);
	cli_printf(cl, "classes (%u):\n", p->n_classes);
	for (i = 0; i < p->n_classes; i++) {
		const struct op25b_policy_class *c = &p->classes[i];

		cli_printf(cl, "  %-20s %-9s %zu prefixes (%zu IPv4, %zu IPv6)",
			   c->name, op25b_action_name(c->action),
			   c->prefixes.count,
			   count_family(&c->prefixes, AF_INET),
			   count_family(&c->prefixes, AF_INET6));
		if (c->block_set)
			cli_printf(cl, " block: %s", block_name(c->block));
		for (j = 0; j < p->n_groups; j++)
			if (c->to[j] != OP25B_ACTION_NONE)
				cli_printf(cl, "; to %s: %s", p->groups[j].name,
					   op25b_action_name(c->to[j]));
		cli_printf(cl, "\n");
	}
	cli_printf(cl, "destination groups (%u):\n", p->n_groups);
	for (i = 0; i < p->n_groups; i++) {
		const struct op25b_policy_group *g = &p->groups[i];

		cli_printf(
			cl, "  %-20s %-9s %zu prefixes (%zu IPv4, %zu IPv6)\n",
			g->name,
			g->action == OP25B_ACTION_NONE
				? "-"
				: op25b_action_name(g->action),
			g->prefixes.count, count_family(&g->prefixes, AF_INET),
			count_family(&g->prefixes, AF_INET6));
	}
	cli_printf(cl, "%-12s%u (exempt list)\n", "exemptions",
		   op25b_exempt_registry_count(app->exempts));
}

CLI_SHOW_VIEW(cmd_show_policy, cmd_policy_w1, "policy", cmd_show_policy_parsed,
	      "show policy: the running policy, its switches and tables",
	      "show policy json: the same as JSON");

/* ------------------------------------------------------------------ */

/* The dry run's note after an answer, when @p p (NULL: none) is in
 * monitor mode and drops malformed frames. */
static void
monitor_note(struct cmdline *cl, const struct op25b_policy *p)
{
	const char *note =
		p != NULL ? op25b_policy_monitor_note(p->mode, p->malformed)
			  : NULL;

	if (note != NULL)
		cli_printf(cl, "%s\n", note);
}

static void
cmd_policy_check_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_policy_result *res = parsed;
	struct op25b_policy_error err;
	struct op25b_policy *p;
	char msg[OP25B_POLICY_ERROR_TEXT_MAX];
	size_t n = 0, memory;
	unsigned int i;

	if (cli_check_path(cl, "policy check", res->arg) < 0)
		return;
	p = op25b_policy_load(res->arg, &err);
	if (p == NULL) {
		op25b_policy_error_format(&err, msg, sizeof(msg));
		cli_fail(cl, "%s", msg);
		return;
	}
	for (i = 0; i < p->n_warnings; i++)
		cli_printf(cl, "%s\n", p->warnings[i]);
	/* What a reload would refuse it for, in the running op25b: the
	 * switches in force, the names left, the tables, the adaptive
	 * table. What `check` accepts, a reload loads. */
	if (op25b_control_check(cli_app(), p, &memory, msg, sizeof(msg)) != 0) {
		cli_fail(cl, "%s", msg);
		op25b_policy_free(p);
		return;
	}
	for (i = 0; i < p->n_classes; i++)
		n += p->classes[i].prefixes.count;
	for (i = 0; i < p->n_groups; i++)
		n += p->groups[i].prefixes.count;
	cli_printf(cl,
		   "%s: valid: %u classes, %u destination groups, %zu "
		   "prefixes, %zu KB of tables (not loaded: policy reload "
		   "%s)\n",
		   res->arg, p->n_classes, p->n_groups, n, memory / 1024,
		   res->arg);
	monitor_note(cl, p);
	op25b_policy_free(p);
}

static void
cmd_policy_reload_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_policy_result *res = parsed;
	struct op25b_app *app = cli_app();
	const char *path = data != NULL ? res->arg : app->config.policy_path;
	char msg[OP25B_POLICY_ERROR_TEXT_MAX];

	if (data != NULL && cli_check_path(cl, "policy reload", path) < 0)
		return;
	if (op25b_control_reload(app, path, "cli", cli_uid(cl), msg,
				 sizeof(msg)) != 0) {
		cli_fail(cl, "%s", msg);
		return;
	}
	if (path != app->config.policy_path) {
		/* SIGHUP and a bare `policy reload` read this file now. */
		snprintf(app->config.policy_path_buf,
			 sizeof(app->config.policy_path_buf), "%s", path);
		app->config.policy_path = app->config.policy_path_buf;
	}
	cli_printf(cl, "%s\n", msg);
	monitor_note(cl, app->policy);
}

CLI_WORD(cmd_policy_w0, struct cmd_policy_result, w0, "policy");
CLI_WORD(cmd_policy_check, struct cmd_policy_result, w1, "check");
CLI_WORD(cmd_policy_reload, struct cmd_policy_result, w1, "reload");
CLI_WORD(cmd_policy_arg, struct cmd_policy_result, arg, NULL);

CLI_INST(cmd_policy_check_file, cmd_policy_check_parsed, 0,
	 "policy check FILE: what a reload of FILE would refuse it "
	 "for, without loading it",
	 (void *)&cmd_policy_w0, (void *)&cmd_policy_check,
	 (void *)&cmd_policy_arg);
CLI_INST_OPTIONAL(cmd_reload_policy, _file, cmd_policy_reload_parsed, 0,
		  "policy reload: reload the policy file (as SIGHUP does)",
		  "policy reload FILE: load FILE; it becomes the policy "
		  "file",
		  cmd_policy_arg, (void *)&cmd_policy_w0,
		  (void *)&cmd_policy_reload);

/* ------------------------------------------------------------------ */

static int
parse_endpoint(struct cmdline *cl, const char *what, const char *text,
	       struct op25b_prefix *addr)
{
	const char *why = NULL;

	if (strchr(text, '/') != NULL) {
		cli_fail(cl, "explain: bad %s '%s': an address, not a prefix",
			 what, text);
		return -1;
	}
	if (op25b_prefix_parse(text, addr, &why) < 0) {
		cli_fail(cl, "explain: bad %s '%s': %s", what, text, why);
		return -1;
	}
	return 0;
}

/* explain's .data: which of the optional tokens the form has. */
#define EXPLAIN_JSON CLI_JSON_FORM
#define EXPLAIN_PORT 0x2

static void
cmd_explain_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_policy_result *res = parsed;
	struct op25b_app *app = cli_app();
	const struct op25b_exempt_entry *ex;
	unsigned int form = (unsigned int)(uintptr_t)data;
	struct op25b_explanation x;
	struct op25b_prefix src, dst;
	unsigned long port = 25;
	char text[4096], prefix[64];
	struct op25b_json j;
	char *end;
	FILE *out;

	if (parse_endpoint(cl, "source address", res->arg, &src) < 0 ||
	    parse_endpoint(cl, "destination address", res->arg2, &dst) < 0)
		return;
	if (form & EXPLAIN_PORT) {
		port = strtoul(res->arg3, &end, 10);
		if (res->arg3[0] < '0' || res->arg3[0] > '9' || *end != '\0' ||
		    port == 0 || port > 65535) {
			cli_fail(cl,
				 "explain: bad port '%s': expected an "
				 "integer 1..65535",
				 res->arg3);
			return;
		}
	}
	if (src.family != dst.family) {
		cli_fail(cl,
			 "explain: %s and %s are of different address "
			 "families",
			 res->arg, res->arg2);
		return;
	}
	op25b_policy_explain(app->policy, &src, &dst, (uint16_t)port, &x);
	ex = cli_exempt_covering(&src);
	if (ex != NULL && x.port_kind == OP25B_PORT_SMTP &&
	    strcmp(x.verdict, "allow") != 0) {
		/* An adaptive class's exempt source is not counted against
		 * its limit either. */
		x.note = strcmp(x.verdict, "adaptive") == 0
				 ? "the source is exempt: forwarded, counted "
				   "as exempted, and not counted against the "
				   "class's limit"
				 : "the source is exempt: forwarded, counted "
				   "as exempted";
		x.verdict = "forward";
	}
	if (ex != NULL)
		op25b_prefix_format(&ex->prefix, prefix, sizeof(prefix));
	if (form & EXPLAIN_JSON) {
		out = cli_out(cl);
		if (out == NULL)
			return;
		op25b_json_init(&j, out, 0);
		op25b_json_object(&j, NULL);
		op25b_explanation_json(&x, &j);
		if (ex == NULL) {
			op25b_json_null(&j, "exempt");
		} else {
			op25b_json_object(&j, "exempt");
			op25b_json_string(&j, "prefix", prefix);
			op25b_json_string(&j, "reason", ex->reason);
			op25b_json_close(&j);
		}
		cli_adaptive_explain(cl, &src, &j);
		op25b_json_close(&j);
		op25b_json_end(&j);
		return;
	}
	op25b_explanation_text(&x, text, sizeof(text));
	cli_write(cl, text, strlen(text));
	if (ex != NULL)
		cli_printf(cl, "%-13s%s (reason \"%s\")\n", "exempt:", prefix,
			   ex->reason);
	cli_adaptive_explain(cl, &src, NULL);
}

CLI_WORD(cmd_explain_w0, struct cmd_policy_result, w0, "explain");
CLI_WORD(cmd_explain_src, struct cmd_policy_result, arg, NULL);
CLI_WORD(cmd_explain_dst, struct cmd_policy_result, arg2, NULL);
CLI_WORD(cmd_explain_json_w1, struct cmd_policy_result, w1, "json");
CLI_WORD(cmd_explain_json_arg3, struct cmd_policy_result, arg3, "json");

/* explain's PORT: any word but "json", which is the format. The number
 * is checked by the command, which says what is wrong with it. */
static const char *const port_word_except[] = { "json", NULL };
static struct cli_word_token cmd_explain_port_word =
	CLI_WORD_EXCEPT(struct cmd_policy_result, arg3, port_word_except);

/* explain's tokens start at w0 and skip w1: its result struct is shared. */
CLI_INST_JSON(cmd_explain, cmd_explain_parsed, 0,
	      "explain SRC DST: how the running policy treats a flow "
	      "to DST port 25",
	      "explain SRC DST json: the same as one JSON object",
	      cmd_explain_json_arg3, (void *)&cmd_explain_w0,
	      (void *)&cmd_explain_src, (void *)&cmd_explain_dst);
CLI_INST_JSON(cmd_explain_port, cmd_explain_parsed, EXPLAIN_PORT,
	      "explain SRC DST PORT: the same to another port",
	      "explain SRC DST PORT json: the same as one JSON object",
	      cmd_explain_json_w1, (void *)&cmd_explain_w0,
	      (void *)&cmd_explain_src, (void *)&cmd_explain_dst,
	      (void *)&cmd_explain_port_word);
/* ------------------------------------------------------------------ */

/* The switch values the tokens allow, as the control functions take
 * them. */
static int
switch_value(const char *word)
{
	static const struct {
		const char *word;
		int value;
	} values[] = {
		{ "enforce", OP25B_MODE_ENFORCE },
		{ "monitor", OP25B_MODE_MONITOR },
		{ "drop", OP25B_BLOCK_DROP },
		{ "reset", OP25B_BLOCK_RESET },
		{ "notify", OP25B_BLOCK_NOTIFY },
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(values); i++)
		if (strcmp(word, values[i].word) == 0)
			return values[i].value;
	return OP25B_SWITCH_FILE; /* "file" */
}

static void
cmd_set_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_policy_result *res = parsed;
	struct op25b_app *app = cli_app();
	int value = switch_value(res->arg);
	char msg[1024];
	int ret;

	if (strcmp(res->w1, "mode") == 0)
		ret = op25b_control_set_mode(app, value, msg, sizeof(msg));
	else
		ret = op25b_control_set_block(app, value, msg, sizeof(msg));
	op25b_audit(app, "set %s=%s uid=%u result=%s", res->w1, res->arg,
		    cli_uid(cl), ret == 0 ? "ok" : "failed");
	cli_reply(cl, ret, msg);
	/* Monitor mode counts what it would block; malformed frames are
	 * another matter, which a dry run's operator should not miss. */
	if (ret == 0 && strcmp(res->w1, "mode") == 0)
		monitor_note(cl, app->policy);
}

CLI_WORD(cmd_set_w0, struct cmd_policy_result, w0, "set");
CLI_WORD(cmd_set_mode, struct cmd_policy_result, w1, "mode");
CLI_WORD(cmd_set_mode_arg, struct cmd_policy_result, arg,
	 "enforce#monitor#file");
CLI_WORD(cmd_set_block, struct cmd_policy_result, w1, "block");
CLI_WORD(cmd_set_block_arg, struct cmd_policy_result, arg,
	 "drop#reset#notify#file");

CLI_INST(cmd_set_mode_inst, cmd_set_parsed, 0,
	 "set mode enforce|monitor|file: block, or only count "
	 "(outlives reloads); file: what the policy file says",
	 (void *)&cmd_set_w0, (void *)&cmd_set_mode, (void *)&cmd_set_mode_arg);
CLI_INST(cmd_set_block_inst, cmd_set_parsed, 0,
	 "set block drop|reset|notify|file: drop blocked packets, "
	 "answer SYNs with RST, or with 554 and the policy's "
	 "notice (outlives reloads); file: the file's",
	 (void *)&cmd_set_w0, (void *)&cmd_set_block,
	 (void *)&cmd_set_block_arg);

cmdline_parse_inst_t *op25b_cli_policy_commands[] = {
	&cmd_show_policy,   &cmd_show_policy_json,   &cmd_policy_check_file,
	&cmd_reload_policy, &cmd_reload_policy_file, &cmd_explain,
	&cmd_explain_port,  &cmd_explain_json,	     &cmd_explain_port_json,
	&cmd_set_mode_inst, &cmd_set_block_inst,     NULL,
};
