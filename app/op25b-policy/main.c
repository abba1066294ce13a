/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * op25b-policy: the classifier without ports, for operators.
 *   check FILE                      validate, compile, summarise a policy
 *   explain FILE SRC DST [PORT]     the verdict for one flow, and why
 *   replay FILE IN.pcap [...]       the real classifier over a capture
 */
#include <stdio.h>
#include <string.h>

#include <rte_common.h>

#include "policy_tool.h"

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *synopsis;
	const char *help;
} commands[] = {
	{ "check", op25b_tool_check, "check FILE",
	  "validate FILE, compile its tables as op25b does and print a summary "
	  "with their memory; errors as file:line:column" },
	{ "explain", op25b_tool_explain, "explain [--json] FILE SRC DST [PORT]",
	  "the verdict for one flow and which rule decided it" },
	{ "replay", op25b_tool_replay,
	  "replay FILE IN.pcap [--out OUT.pcap] [--replies R.pcap] [--json] "
	  "[--mbuf-size N]",
	  "classify a capture; OUT gets what would be forwarded upstream, R "
	  "the replies sent back (TCP resets; under block: notify SYN-ACKs "
	  "and RSTs)" },
};

void
op25b_tool_usage(FILE *out, const char *synopsis, const char *about,
		 const struct op25b_option *opts, size_t n,
		 const char *exit_status)
{
	fprintf(out, "usage: op25b-policy %s\n\n%s\noptions:\n", synopsis,
		about);
	op25b_options_help(out, opts, n, NULL, 20);
	fprintf(out, "\nexit status: %s\n", exit_status);
}

static void
usage(FILE *out)
{
	unsigned int i;

	fprintf(out, "usage: op25b-policy COMMAND ARGS...\n\ncommands:\n");
	for (i = 0; i < RTE_DIM(commands); i++)
		fprintf(out, "  %s\n      %s\n", commands[i].synopsis,
			commands[i].help);
	fprintf(out, "\nexit status: 0 ok, 1 the policy or input is bad, 2 "
		     "usage error\n");
}

int
main(int argc, char **argv)
{
	unsigned int i;
	int ret = op25b_subcommand_help(argc, argv, usage, 2);

	if (ret >= 0)
		return ret;
	for (i = 0; i < RTE_DIM(commands); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "op25b-policy: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
