/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * op25b-policy explain FILE SRC DST [PORT]: for the support desk, which
 * class and group a flow falls in, which rule of the precedence decided,
 * and what the appliance then does with the packets.
 *
 * The lookups are the policy library's reference ones (linear scan), not the
 * classifier's tables: explain states what the policy means.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "policy_tool.h"

/* What explain found, printed as text or as JSON from the same fields. */
struct explanation {
	char src[64];
	char dst[64];
	uint16_t port;
	enum op25b_port_kind port_kind;
	const struct op25b_policy_class *cls;  /* NULL: no class */
	const struct op25b_prefix *class_prefix;
	const struct op25b_policy_group *grp;  /* NULL: no group */
	const struct op25b_prefix *group_prefix;
	bool decided;       /* false: not an SMTP port, no rule applies */
	enum op25b_rule rule;
	enum op25b_action action;
	const char *verdict;
	const char *note;
};

static void
explain_usage(FILE *out)
{
	fprintf(out,
		"usage: op25b-policy explain [--json] FILE SRC DST [PORT]\n"
		"  How the policy FILE treats a TCP flow from SRC to DST port "
		"PORT (default 25).\n"
		"  --json  one JSON object instead of text\n"
		"  Exit 0 explained, 1 the policy does not load, 2 usage "
		"error.\n");
}

static const char *
port_kind_name(enum op25b_port_kind kind)
{
	switch (kind) {
	case OP25B_PORT_SMTP:
		return "smtp";
	case OP25B_PORT_SUBMISSION:
		return "submission";
	case OP25B_PORT_OTHER:
		break;
	}
	return "other";
}

/* An address, not a prefix: the flow's endpoint. */
static int
parse_address(const char *what, const char *text, struct op25b_prefix *addr)
{
	const char *why = NULL;

	if (strchr(text, '/') != NULL) {
		fprintf(stderr,
			"op25b-policy explain: bad %s '%s': an address, not a "
			"prefix\n",
			what, text);
		return -1;
	}
	if (op25b_prefix_parse(text, addr, &why) < 0) {
		fprintf(stderr, "op25b-policy explain: bad %s '%s': %s\n",
			what, text, why);
		return -1;
	}
	return 0;
}

static int
parse_port(const char *text, uint16_t *port)
{
	char *end;
	unsigned long v;

	if (text[0] < '0' || text[0] > '9')
		goto bad;
	v = strtoul(text, &end, 10);
	if (*end != '\0' || v == 0 || v > 65535)
		goto bad;
	*port = (uint16_t)v;
	return 0;
bad:
	fprintf(stderr,
		"op25b-policy explain: bad port '%s': expected an integer "
		"1..65535\n",
		text);
	return -1;
}

/* The address without its /32 or /128. */
static void
format_address(const struct op25b_prefix *addr, char *buf, size_t size)
{
	char *slash;

	op25b_prefix_format(addr, buf, size);
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash = '\0';
}

/* What the appliance does once the rule has spoken: mode and block style
 * apply here, after op25b_policy_decide(), as in the classifier. */
static void
settle_verdict(const struct op25b_policy *policy, struct explanation *x)
{
	if (x->port_kind == OP25B_PORT_OTHER) {
		x->verdict = "forward";
		x->note = "not SMTP: forwarded untouched";
		return;
	}
	if (x->port_kind == OP25B_PORT_SUBMISSION) {
		x->verdict = "forward";
		x->note = "submission ports are always forwarded";
		return;
	}
	switch (x->action) {
	case OP25B_ACTION_BLOCK:
		if (policy->mode == OP25B_MODE_MONITOR) {
			x->verdict = "count";
			x->note = "block -> count (mode: monitor): forwarded "
				  "and counted as would-block";
		} else if (policy->block == OP25B_BLOCK_RESET) {
			x->verdict = "block";
			x->note = "block: reset -> a SYN is answered with TCP "
				  "RST";
		} else {
			x->verdict = "block";
			x->note = "block: drop -> the packets are dropped";
		}
		break;
	case OP25B_ACTION_COUNT:
		x->verdict = "count";
		x->note = "forwarded and counted as would-block";
		break;
	case OP25B_ACTION_ADAPTIVE:
		x->verdict = "allow";
		x->note = "adaptive: not enforced yet, acts as allow";
		break;
	case OP25B_ACTION_ALLOW:
	case OP25B_ACTION_NONE:
		x->verdict = "allow";
		x->note = "forwarded";
		break;
	}
}

static void
explain_flow(const struct op25b_policy *policy,
	     const struct op25b_prefix *src, const struct op25b_prefix *dst,
	     uint16_t port, struct explanation *x)
{
	int class_id, group_id;

	memset(x, 0, sizeof(*x));
	format_address(src, x->src, sizeof(x->src));
	format_address(dst, x->dst, sizeof(x->dst));
	x->port = port;
	x->port_kind = op25b_policy_port_kind(policy, port);
	/* Looked up for every port: the desk wants to know who the customer
	 * is even when the appliance never asks. */
	class_id = op25b_policy_match_source(policy, src->family, src->addr,
					     &x->class_prefix);
	group_id = op25b_policy_match_destination(policy, dst->family,
						  dst->addr, &x->group_prefix);
	if (class_id >= 0)
		x->cls = &policy->classes[class_id];
	if (group_id >= 0)
		x->grp = &policy->groups[group_id];
	if (x->port_kind == OP25B_PORT_SMTP) {
		x->action = op25b_policy_decide(policy, class_id, group_id,
						&x->rule);
		x->decided = true;
	}
	settle_verdict(policy, x);
}

static void
print_match(const char *label, const char *kind, const char *none,
	    const char *name, const struct op25b_prefix *prefix)
{
	char text[64];

	if (name == NULL) {
		printf("%-13s%s\n", label, none);
		return;
	}
	op25b_prefix_format(prefix, text, sizeof(text));
	printf("%-13s%s %s (prefix %s, %s:%u:%u)\n", label, kind, name, text,
	       prefix->file, prefix->line, prefix->column);
}

static void
print_text(const struct explanation *x)
{
	printf("%-13s%s -> %s port %u (%s)\n", "flow:", x->src, x->dst,
	       x->port, port_kind_name(x->port_kind));
	print_match("source:", "class", "no class",
		    x->cls != NULL ? x->cls->name : NULL, x->class_prefix);
	print_match("destination:", "group", "no group",
		    x->grp != NULL ? x->grp->name : NULL, x->group_prefix);
	if (!x->decided) {
		printf("%-13snone (only smtp ports are classified)\n",
		       "rule:");
	} else {
		const char *action = op25b_action_name(x->action);

		printf("%-13s%s (", "rule:", op25b_rule_name(x->rule));
		switch (x->rule) {
		case OP25B_RULE_CLASS_TO:
			printf("%s.to.%s: %s", x->cls->name, x->grp->name,
			       action);
			break;
		case OP25B_RULE_GROUP:
			printf("%s: %s", x->grp->name, action);
			break;
		case OP25B_RULE_CLASS:
			printf("%s: %s", x->cls->name, action);
			break;
		case OP25B_RULE_DEFAULT:
			printf("default: %s", action);
			break;
		}
		printf(")\n");
	}
	printf("%-13s%s (%s)\n", "verdict:", x->verdict, x->note);
}

/* Every string printed here is an address, a name limited to
 * [A-Za-z0-9_.-] or a constant; escaping anyway keeps the output valid JSON
 * whatever changes upstream. */
static void
json_string(const char *s)
{
	if (s == NULL) {
		printf("null");
		return;
	}
	putchar('"');
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void
json_field(const char *key, const char *value, bool last)
{
	printf("\"%s\":", key);
	json_string(value);
	if (!last)
		putchar(',');
}

static void
print_json(const struct explanation *x)
{
	char class_prefix[64], group_prefix[64];

	if (x->class_prefix != NULL)
		op25b_prefix_format(x->class_prefix, class_prefix,
				    sizeof(class_prefix));
	if (x->group_prefix != NULL)
		op25b_prefix_format(x->group_prefix, group_prefix,
				    sizeof(group_prefix));
	putchar('{');
	json_field("src", x->src, false);
	json_field("dst", x->dst, false);
	printf("\"port\":%u,", x->port);
	json_field("port_kind", port_kind_name(x->port_kind), false);
	json_field("class", x->cls != NULL ? x->cls->name : NULL, false);
	json_field("class_prefix", x->class_prefix ? class_prefix : NULL,
		   false);
	json_field("group", x->grp != NULL ? x->grp->name : NULL, false);
	json_field("group_prefix", x->group_prefix ? group_prefix : NULL,
		   false);
	json_field("rule", x->decided ? op25b_rule_name(x->rule) : NULL,
		   false);
	json_field("action", x->decided ? op25b_action_name(x->action) : NULL,
		   false);
	json_field("verdict", x->verdict, false);
	json_field("note", x->note, true);
	printf("}\n");
}

int
op25b_tool_explain(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct op25b_prefix src, dst;
	struct explanation x;
	struct op25b_policy *policy;
	char **positional;
	bool json = false;
	uint16_t port = 25;
	int opt, n;

	/* GNU getopt permutes: --json may come before or after FILE. */
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'h':
			explain_usage(stdout);
			return OP25B_TOOL_OK;
		default:
			explain_usage(stderr);
			return OP25B_TOOL_USAGE;
		}
	}
	positional = argv + optind;
	n = argc - optind;
	if (n < 3 || n > 4) {
		explain_usage(stderr);
		return OP25B_TOOL_USAGE;
	}
	/* Arguments before the policy: a typo is a usage error whatever the
	 * state of the file. */
	if (parse_address("source address", positional[1], &src) < 0 ||
	    parse_address("destination address", positional[2], &dst) < 0 ||
	    (n == 4 && parse_port(positional[3], &port) < 0))
		return OP25B_TOOL_USAGE;
	if (src.family != dst.family) {
		fprintf(stderr,
			"op25b-policy explain: %s is IPv%d but %s is IPv%d: "
			"a flow has one address family\n",
			positional[1], src.family == AF_INET ? 4 : 6,
			positional[2], dst.family == AF_INET ? 4 : 6);
		return OP25B_TOOL_USAGE;
	}

	/* Warnings are check's business; the desk gets the verdict, and the
	 * one warning that matters to a flow (adaptive) is in its note. */
	policy = op25b_tool_load_policy(positional[0], false);
	if (policy == NULL)
		return OP25B_TOOL_BAD_POLICY;
	explain_flow(policy, &src, &dst, port, &x);
	if (json)
		print_json(&x);
	else
		print_text(&x);
	op25b_policy_free(policy);
	return OP25B_TOOL_OK;
}
