/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * op25b-policy explain FILE SRC DST [PORT]: for the support desk, which
 * class and group a flow falls in, which rule of the precedence decided,
 * and what the appliance then does with the packets.
 *
 * The lookups are the policy library's reference ones (linear scan), not the
 * classifier's tables: explain states what the policy means. The words are
 * op25b_policy_explain()'s, shared with the appliance's explain command.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "op25b_json.h"
#include "policy_tool.h"

enum explain_option {
	EXPLAIN_JSON = OP25B_OPTION_LONG_ONLY,
	EXPLAIN_HELP = 'h',
};

static const struct op25b_option explain_options[] = {
	OP25B_OPTION("json", EXPLAIN_JSON, NULL,
		     "one JSON object instead of text, with the positions the "
		     "text shows (class_location, group_location: file, line, "
		     "column)"),
	OP25B_OPTION("help", EXPLAIN_HELP, NULL, "this text"),
};

#define N_OPTIONS (sizeof(explain_options) / sizeof(explain_options[0]))

static void
explain_usage(FILE *out)
{
	op25b_tool_usage(out, "explain [--json] FILE SRC DST [PORT]",
			 "How the policy FILE treats a TCP flow from SRC to "
			 "DST port PORT (default 25).\n",
			 explain_options, N_OPTIONS,
			 "0 explained, 1 the policy does not load, 2 usage "
			 "error");
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
		fprintf(stderr, "op25b-policy explain: bad %s '%s': %s\n", what,
			text, why);
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

int
op25b_tool_explain(int argc, char **argv)
{
	struct op25b_prefix src, dst;
	struct op25b_explanation x;
	struct op25b_json j;
	char out[4096];
	struct op25b_policy *policy;
	struct op25b_getopt g;
	char **positional;
	bool json = false;
	uint16_t port = 25;
	int opt, n;

	op25b_options_getopt(&g, explain_options, N_OPTIONS, NULL, NULL);
	/* GNU getopt permutes: --json may come before or after FILE. */
	optind = 1;
	while ((opt = getopt_long(argc, argv, g.shortopts, g.longopts, NULL)) !=
	       -1) {
		switch (opt) {
		case EXPLAIN_JSON:
			json = true;
			break;
		case EXPLAIN_HELP:
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
	op25b_policy_explain(policy, &src, &dst, port, &x);
	if (json) {
		op25b_json_init(&j, stdout, 0);
		op25b_json_object(&j, NULL);
		op25b_explanation_json(&x, &j);
		op25b_json_close(&j);
		op25b_json_end(&j);
	} else {
		op25b_explanation_text(&x, out, sizeof(out));
		fputs(out, stdout);
	}
	op25b_policy_free(policy);
	return OP25B_TOOL_OK;
}
