/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CLI: adaptive blocking, for the abuse desk.
 *   show adaptive [json]              the table's figures, per class
 *   show adaptive SRC [json]          one source: window, destinations, block
 *   show adaptive top N [json]        the blocked, then the busiest sources
 *   adaptive clear SRC|all            forget (unblock) a source, or all
 * A source is looked up under the class the running policy gives it, with
 * that class's key (an IPv4 address, an IPv6 /64 or its ipv6_key). Clears
 * are audited like exemptions.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmdline_parse_num.h>

#include "cli_priv.h"
#include "op25b_adaptive.h"

/* The most sources `show adaptive top` lists. */
#define TOP_MAX 1000

struct cmd_adaptive_result {
	cmdline_fixed_string_t w0;
	cmdline_fixed_string_t w1;
	cmdline_fixed_string_t src;
	cmdline_fixed_string_t json;
	uint32_t n;
};

/* A source as the table keys it, with its class's rule. */
struct source {
	uint64_t key;
	uint8_t class_slot;
	const struct op25b_adaptive_rule *rule; /* NULL: not adaptive */
	char text[64];				/* the key as text */
};

static const char *
class_name(uint8_t slot)
{
	const struct op25b_stats_names *names =
		op25b_stats_writer_names(cli_app()->stats);

	return slot == 0 ? "(none)" : names->class_name[slot];
}

static double
seconds(uint64_t ticks)
{
	return (double)ticks / (double)op25b_adaptive_hz(cli_app()->adaptive);
}

/* The class the running policy gives @p addr, and the key the table
 * knows it by; false when its class is not adaptive. */
static bool
resolve(const struct op25b_prefix *addr, struct source *s)
{
	const struct op25b_classifier *c = atomic_load(&cli_app()->classifier);
	uint8_t any[16] = { 0 }, group_slot;

	memset(s, 0, sizeof(*s));
	op25b_classifier_lookup(c, addr->family, addr->addr, any,
				&s->class_slot, &group_slot);
	s->rule = op25b_classifier_adaptive_rule(c, s->class_slot);
	if (s->rule == NULL)
		return false;
	s->key = addr->family == AF_INET
			 ? op25b_adaptive_key4((uint32_t)addr->addr[0] << 24 |
					       (uint32_t)addr->addr[1] << 16 |
					       (uint32_t)addr->addr[2] << 8 |
					       addr->addr[3])
			 : op25b_adaptive_key6(addr->addr, s->rule->ipv6_key);
	op25b_adaptive_key_format(s->key, s->rule->ipv6_key, s->text,
				  sizeof(s->text));
	return true;
}

/* Parse @p text (an address) and resolve it; 0, or -1 after saying why. */
static int
source_of(struct cmdline *cl, const char *verb, const char *text,
	  struct source *s)
{
	struct op25b_prefix addr;
	const char *why = NULL;

	if (strchr(text, '/') != NULL ||
	    op25b_prefix_parse(text, &addr, &why) < 0) {
		cli_fail(cl, "%s: bad source '%s': %s", verb, text,
			 why != NULL ? why : "an address, not a prefix");
		return -1;
	}
	if (!resolve(&addr, s)) {
		cli_fail(cl, "%s: %s is in %s%s, which is not adaptive", verb,
			 text, s->class_slot ? "class " : "",
			 s->class_slot ? class_name(s->class_slot)
				       : "no class");
		return -1;
	}
	return 0;
}

/* The rule a tracked entry of @p class_slot is counted under now (NULL:
 * its class is no longer adaptive). */
static const struct op25b_adaptive_rule *
rule_of_slot(uint8_t class_slot)
{
	return op25b_classifier_adaptive_rule(
		atomic_load(&cli_app()->classifier), class_slot);
}

/* The class the policy now puts the source of @key in (0: none). */
static uint8_t
class_of_key(uint64_t key)
{
	const struct op25b_classifier *c = atomic_load(&cli_app()->classifier);
	uint8_t addr[16], none[16] = { 0 }, slot = 0, group;
	int family = op25b_adaptive_key_address(key, addr);

	if (family == 0 ||
	    op25b_classifier_lookup(c, family, addr, none, &slot, &group) != 0)
		return 0;
	return slot;
}

/* The IPv6 key length @key was made under, by the test a reload keeps a
 * source by (adaptive_keeps()): its class's, when that class keys it so;
 * else that of the class it is in now, whose SYNs find it. */
static unsigned int
key_length_of(uint64_t key, uint8_t class_slot)
{
	const struct op25b_adaptive_rule *r = rule_of_slot(class_slot);
	uint8_t addr[16];
	int family = op25b_adaptive_key_address(key, addr);

	if (r != NULL && (family != AF_INET6 ||
			  op25b_adaptive_key6(addr, r->ipv6_key) == key))
		return r->ipv6_key;
	/* Slot 0 (no class, or no address) is never adaptive. */
	r = rule_of_slot(class_of_key(key));
	return r != NULL ? r->ipv6_key : 64;
}

/*
 * @info as the source's next SYN sees it: counted under the class the
 * policy puts it in now (@class_slot) with that class's `per`, or, when a
 * reload moved it or changed `per`, none (its next SYN after any block
 * starts it again: entry_restart()); a blocked source keeps the counts
 * that blocked it. Named by the class it is in now, in every view.
 */
static void
info_now(struct op25b_adaptive_info *info, uint8_t class_slot)
{
	const struct op25b_adaptive_rule *r = rule_of_slot(class_slot);

	if (info->blocked_ticks_left != 0) {
		/* The block stands whatever the reload did. */
	} else if (r == NULL || info->class_slot != class_slot ||
		   info->sub_ticks != r->sub_ticks) {
		info->connections = 0;
		info->destinations = 0;
	} else if (r->destinations == 0) {
		info->destinations = 0;
	}
	if (r != NULL)
		info->class_slot = class_slot;
}

static void
info_json(struct op25b_json *j, const struct op25b_adaptive_info *info,
	  const char *source)
{
	op25b_json_string(j, "source", source);
	op25b_json_string(j, "class", class_name(info->class_slot));
	op25b_json_u64(j, "connections", info->connections);
	op25b_json_u64(j, "destinations", info->destinations);
	op25b_json_bool(j, "blocked", info->blocked_ticks_left != 0);
	op25b_json_seconds(j, "blocked_seconds_left",
			   seconds(info->blocked_ticks_left));
}

static void
limit_text(const struct op25b_adaptive_rule *r, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%" PRIu32 " connections per %.0f s",
			 r->connections, seconds(r->per_ticks));

	if (r->destinations != 0 && n > 0 && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n,
			 ", %" PRIu32 " destinations", r->destinations);
}

/* The live state of @p s (explain and show adaptive SRC share it). */
static void
source_state(struct cmdline *cl, const struct source *s, struct op25b_json *j)
{
	struct op25b_app *app = cli_app();
	struct op25b_adaptive_info info;
	char limit[96];
	bool found = op25b_adaptive_lookup(app->adaptive, s->key,
					   op25b_adaptive_now(app->adaptive),
					   &info) == 0;

	if (!found) {
		memset(&info, 0, sizeof(info));
		info.class_slot = s->class_slot;
	}
	info_now(&info, s->class_slot);
	if (j != NULL) {
		info_json(j, &info, s->text);
		op25b_json_bool(j, "tracked", found);
		op25b_json_u64(j, "limit_connections", s->rule->connections);
		op25b_json_seconds(j, "limit_per_seconds",
				   seconds(s->rule->per_ticks));
		op25b_json_u64(j, "limit_destinations", s->rule->destinations);
		op25b_json_seconds(j, "block_for_seconds",
				   seconds(s->rule->block_ticks));
		return;
	}
	limit_text(s->rule, limit, sizeof(limit));
	cli_printf(cl, "%-13s%s (class %s: %s, block_for %.0f s)\n",
		   "adaptive:", s->text, class_name(s->class_slot), limit,
		   seconds(s->rule->block_ticks));
	if (!found) {
		cli_printf(cl,
			   "%-13snot tracked (no SMTP connection in the "
			   "window)\n",
			   "");
		return;
	}
	cli_printf(cl,
		   "%-13s%" PRIu32 " connections, %" PRIu32
		   " destinations in the window\n",
		   "", info.connections, info.destinations);
	if (info.blocked_ticks_left != 0)
		cli_printf(cl, "%-13sblocked, %.0f s left\n", "",
			   seconds(info.blocked_ticks_left));
	else
		cli_printf(cl, "%-13snot blocked\n", "");
}

void
cli_adaptive_explain(struct cmdline *cl, const struct op25b_prefix *src,
		     struct op25b_json *j)
{
	struct source s;

	if (cli_app()->adaptive == NULL || !resolve(src, &s))
		return;
	if (j != NULL)
		op25b_json_object(j, "adaptive");
	source_state(cl, &s, j);
	if (j != NULL)
		op25b_json_close(j);
}

/* ------------------------------------------------------------------ */

/* Start a command's one JSON object; -1 when the session has no output. */
static int
json_open(struct cmdline *cl, struct op25b_json *j)
{
	FILE *out = cli_out(cl);

	if (out == NULL)
		return -1;
	op25b_json_init(j, out, 0);
	op25b_json_object(j, NULL);
	return 0;
}

static bool
no_table(struct cmdline *cl, const char *verb)
{
	if (cli_app()->adaptive != NULL)
		return false;
	cli_fail(cl,
		 "%s: no adaptive table: the policy has had no adaptive "
		 "class",
		 verb);
	return true;
}

static void
cmd_show_adaptive_source(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_adaptive_result *res = parsed;
	struct op25b_json j;
	struct source s;

	(void)data;
	if (no_table(cl, "show adaptive") ||
	    source_of(cl, "show adaptive", res->src, &s) < 0)
		return;
	if (!(uintptr_t)data) {
		source_state(cl, &s, NULL);
		return;
	}
	if (json_open(cl, &j) != 0)
		return;
	source_state(cl, &s, &j);
	op25b_json_close(&j);
	op25b_json_end(&j);
}

static void
cmd_show_adaptive(void *parsed, struct cmdline *cl, void *data)
{
	struct op25b_app *app = cli_app();
	struct op25b_adaptive_totals x;
	uint64_t per_class[OP25B_STATS_SLOTS];
	struct op25b_json j;
	unsigned int slot;

	(void)parsed;
	if (no_table(cl, "show adaptive"))
		return;
	op25b_adaptive_totals(app->adaptive, &x, per_class);
	if (!(uintptr_t)data) {
		cli_printf(cl, "adaptive table: %" PRIu32 " sources, %zu KB\n",
			   op25b_adaptive_capacity(app->adaptive),
			   op25b_adaptive_memory(app->adaptive) >> 10);
#define SHOW(field, key, prom, kind, help)                                     \
	cli_printf(cl, "%-20s %" PRIu64 "\n", #key, x.field);
		OP25B_ADAPTIVE_LIST(SHOW)
#undef SHOW
		for (slot = 1; slot < OP25B_STATS_SLOTS; slot++)
			if (rule_of_slot((uint8_t)slot) != NULL ||
			    per_class[slot] != 0)
				cli_printf(
					cl, "class %-14s %s %" PRIu64 "\n",
					class_name((uint8_t)slot),
					op25b_class_adaptive_name(
						OP25B_CLASS_ADAPTIVE_TRIGGERED),
					per_class[slot]);
		return;
	}
	if (json_open(cl, &j) != 0)
		return;
	op25b_json_u64(&j, "capacity", op25b_adaptive_capacity(app->adaptive));
	op25b_json_u64(&j, "memory_bytes",
		       op25b_adaptive_memory(app->adaptive));
#define SHOW_JSON(field, key, prom, kind, help)                                \
	op25b_json_u64(&j, #key, x.field);
	OP25B_ADAPTIVE_LIST(SHOW_JSON)
#undef SHOW_JSON
	op25b_json_object(&j, "classes");
	for (slot = 1; slot < OP25B_STATS_SLOTS; slot++)
		if (rule_of_slot((uint8_t)slot) != NULL || per_class[slot] != 0)
			op25b_json_u64(&j, class_name((uint8_t)slot),
				       per_class[slot]);
	op25b_json_close(&j);
	op25b_json_close(&j);
	op25b_json_end(&j);
}

/* The top N: blocked first (longest left), then most connections. */
struct top {
	struct op25b_adaptive_info *v;
	unsigned int n, max;
};

static bool
busier(const struct op25b_adaptive_info *a, const struct op25b_adaptive_info *b)
{
	if ((a->blocked_ticks_left != 0) != (b->blocked_ticks_left != 0))
		return a->blocked_ticks_left != 0;
	if (a->blocked_ticks_left != b->blocked_ticks_left)
		return a->blocked_ticks_left > b->blocked_ticks_left;
	if (a->connections != b->connections)
		return a->connections > b->connections;
	return a->key < b->key;
}

static int
top_add(const struct op25b_adaptive_info *seen, void *ctx)
{
	struct op25b_adaptive_info now = *seen, *info = &now;
	struct top *t = ctx;
	unsigned int i;

	info_now(info, class_of_key(info->key));
	if (t->n == t->max && !busier(info, &t->v[t->n - 1]))
		return 0;
	i = t->n < t->max ? t->n++ : t->n - 1;
	for (; i > 0 && busier(info, &t->v[i - 1]); i--)
		t->v[i] = t->v[i - 1];
	t->v[i] = *info;
	return 0;
}

static void
cmd_show_adaptive_top(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_adaptive_result *res = parsed;
	struct op25b_app *app = cli_app();
	struct top t = { 0 };
	struct op25b_json j;
	char key[64];
	unsigned int i;
	FILE *out = NULL;

	if (no_table(cl, "show adaptive top"))
		return;
	if (res->n == 0 || res->n > TOP_MAX) {
		cli_fail(cl, "show adaptive top: N is 1..%u", TOP_MAX);
		return;
	}
	t.max = res->n;
	t.v = calloc(t.max, sizeof(*t.v));
	if (t.v == NULL) {
		cli_fail(cl, "show adaptive top: out of memory");
		return;
	}
	op25b_adaptive_walk(app->adaptive, op25b_adaptive_now(app->adaptive),
			    top_add, &t);
	if ((uintptr_t)data) {
		out = cli_out(cl);
		if (out == NULL)
			goto free_top;
		op25b_json_init(&j, out, 0);
		op25b_json_array(&j, NULL);
	} else {
		cli_printf(cl, "%-28s %-14s %11s %12s %s\n", "source", "class",
			   "connections", "destinations", "blocked");
	}
	for (i = 0; i < t.n; i++) {
		op25b_adaptive_key_format(
			t.v[i].key,
			key_length_of(t.v[i].key, t.v[i].class_slot), key,
			sizeof(key));
		if (out != NULL) {
			op25b_json_object(&j, NULL);
			info_json(&j, &t.v[i], key);
			op25b_json_close(&j);
			continue;
		}
		if (t.v[i].blocked_ticks_left != 0)
			cli_printf(cl,
				   "%-28s %-14s %11" PRIu32 " %12" PRIu32
				   " %.0f s left\n",
				   key, class_name(t.v[i].class_slot),
				   t.v[i].connections, t.v[i].destinations,
				   seconds(t.v[i].blocked_ticks_left));
		else
			cli_printf(cl,
				   "%-28s %-14s %11" PRIu32 " %12" PRIu32
				   " no\n",
				   key, class_name(t.v[i].class_slot),
				   t.v[i].connections, t.v[i].destinations);
	}
	if (out != NULL) {
		op25b_json_close(&j);
		op25b_json_end(&j);
	}
free_top:
	free(t.v);
}

static void
cmd_adaptive_clear(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_adaptive_result *res = parsed;
	struct op25b_app *app = cli_app();
	struct source s;
	uint64_t n;

	(void)data;
	if (no_table(cl, "adaptive clear"))
		return;
	if (strcmp(res->src, "all") == 0) {
		n = op25b_adaptive_clear_all(app->adaptive,
					     op25b_adaptive_now(app->adaptive));
		op25b_audit(app,
			    "adaptive-clear source=all uid=%" PRIu32
			    " cleared=%" PRIu64,
			    cli_uid(cl), n);
		cli_printf(cl,
			   "adaptive clear all: %" PRIu64
			   " sources forgotten\n",
			   n);
		return;
	}
	if (source_of(cl, "adaptive clear", res->src, &s) < 0)
		return;
	if (op25b_adaptive_clear(app->adaptive, s.key) != 0) {
		cli_fail(cl, "adaptive clear %s: not tracked", s.text);
		return;
	}
	op25b_audit(app, "adaptive-clear source=%s class=%s uid=%" PRIu32,
		    s.text, class_name(s.class_slot), cli_uid(cl));
	cli_printf(cl, "adaptive clear %s: forgotten (unblocked)\n", s.text);
}

CLI_WORD(tok_show, struct cmd_adaptive_result, w0, "show");
CLI_WORD(tok_adaptive_w1, struct cmd_adaptive_result, w1, "adaptive");
CLI_WORD(tok_adaptive_w0, struct cmd_adaptive_result, w0, "adaptive");
CLI_WORD(tok_clear, struct cmd_adaptive_result, w1, "clear");
CLI_WORD(tok_top, struct cmd_adaptive_result, src, "top");
CLI_WORD(tok_json, struct cmd_adaptive_result, json, "json");
/* SRC: any word but "json" and "top", which are other forms'. */
static const char *const source_word_except[] = { "json", "top", NULL };
static struct cli_word_token tok_src =
	CLI_WORD_EXCEPT(struct cmd_adaptive_result, src, source_word_except);
CLI_WORD(tok_any, struct cmd_adaptive_result, src, NULL);
static cmdline_parse_token_num_t tok_n =
	TOKEN_NUM_INITIALIZER(struct cmd_adaptive_result, n, RTE_UINT32);

CLI_INST_JSON(cmd_show_adaptive_inst, cmd_show_adaptive, 0,
	      "show adaptive: the adaptive table's figures, per class",
	      "show adaptive json: the same as JSON", tok_json,
	      (void *)&tok_show, (void *)&tok_adaptive_w1);
CLI_INST_JSON(cmd_show_adaptive_src_inst, cmd_show_adaptive_source, 0,
	      "show adaptive SRC: a source's connections and "
	      "destinations in the window, and its block",
	      "show adaptive SRC json: the same as JSON", tok_json,
	      (void *)&tok_show, (void *)&tok_adaptive_w1, (void *)&tok_src);
CLI_INST_JSON(cmd_show_adaptive_top_inst, cmd_show_adaptive_top, 0,
	      "show adaptive top N: the blocked sources, then the "
	      "busiest (N 1..1000)",
	      "show adaptive top N json: the same as JSON", tok_json,
	      (void *)&tok_show, (void *)&tok_adaptive_w1, (void *)&tok_top,
	      (void *)&tok_n);
CLI_INST(cmd_adaptive_clear_inst, cmd_adaptive_clear, 0,
	 "adaptive clear SRC|all: forget a source (unblock it), "
	 "or every source; audited",
	 (void *)&tok_adaptive_w0, (void *)&tok_clear, (void *)&tok_any);

cmdline_parse_inst_t *op25b_cli_adaptive_commands[] = {
	&cmd_show_adaptive_inst,     &cmd_show_adaptive_inst_json,
	&cmd_show_adaptive_src_inst, &cmd_show_adaptive_src_inst_json,
	&cmd_show_adaptive_top_inst, &cmd_show_adaptive_top_inst_json,
	&cmd_adaptive_clear_inst,    NULL,
};
