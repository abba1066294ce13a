/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * op25b-xdp: the op25b policy as an XDP program on a Linux interface
 * (lib/xdp), for edges that route subscribers with the kernel rather than
 * DPDK. load, reload, unload and status work on the program and maps
 * pinned under /sys/fs/bpf/op25b/NAME; replay runs the program on a
 * capture with BPF_PROG_TEST_RUN, without an interface.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "op25b_options.h"
#include "op25b_xdp.h"
#include "xdp_tool.h"

#define DIM(a) (sizeof(a) / sizeof((a)[0]))

#define ARGS struct xdp_args

static const struct op25b_option options[] = {
	OP25B_OPTION_STR("policy", 'p', "FILE",
			 "the policy (load, run, reload)", ARGS, policy),
	OP25B_OPTION_STR("exemptions", 0, "FILE",
			 "load, run, reload, replay: the exemptions file, "
			 "op25b's state-file format (default "
			 "/var/lib/op25b/NAME.exemptions, as op25b's; reload: "
			 "the instance's)",
			 ARGS, exemptions),
	OP25B_OPTION_STR("ttl", 0, "DURATION",
			 "exempt add: expire after DURATION (90, 90s, 15m, "
			 "12h, 30d); default never",
			 ARGS, ttl),
	OP25B_OPTION_STR("reason", 0, "TEXT",
			 "exempt add: why it was granted (kept in the file)",
			 ARGS, reason),
	OP25B_OPTION_FLAG("force", 0,
			  "exempt add: allow 0.0.0.0/0 or ::/0 (OP25B off)",
			  ARGS, force),
	OP25B_OPTION("mode", 'm', "native|generic",
		     "load: XDP in the driver (default) or generic (skb) XDP"),
	OP25B_OPTION_STR("name", 'n', "NAME",
			 "the instance: pinned under /sys/fs/bpf/op25b/NAME "
			 "($OP25B_XDP_BPFFS for another bpffs than "
			 "/sys/fs/bpf; default NAME: the interface's name)",
			 ARGS, name),
	OP25B_OPTION_STR("out", 0, "OUT.pcap",
			 "replay: write the frames the program passes "
			 "(XDP_PASS)",
			 ARGS, out),
	OP25B_OPTION_STR("replies", 0, "R.pcap",
			 "replay: write the frames it sends back (XDP_TX: "
			 "resets; block: notify's SYN-ACKs and greetings)",
			 ARGS, replies),
	OP25B_OPTION_FLAG("all", 0,
			  "unload: every instance, each taken off where its "
			  "program runs (another network namespace too)",
			  ARGS, all),
	OP25B_OPTION_FLAG("json", 0,
			  "status, replay, exempt list: JSON on standard "
			  "output",
			  ARGS, json),
	OP25B_OPTION_UINT("adaptive-entries", 0, "N",
			  "load, run, replay: sources the adaptive state "
			  "holds, 64..16777216 (default 131072; about 200 "
			  "bytes each)",
			  ARGS, adaptive_entries,
			  OP25B_XDP_ADAPTIVE_ENTRIES_MIN,
			  OP25B_XDP_ADAPTIVE_ENTRIES_MAX, " sources"),
	OP25B_OPTION("help", 'h', NULL, "this text"),
};

#undef ARGS

static const struct command {
	const char *name;
	int (*run)(const struct xdp_args *a);
	const char *synopsis;
	const char *help;
} commands[] = {
	{ "load", xdp_cmd_load,
	  "load IFACE --policy FILE [--exemptions FILE] [--mode "
	  "native|generic] [--name NAME] [--adaptive-entries N]",
	  "load the program with FILE's policy and the exemptions, pin it and "
	  "attach it to IFACE (its VLAN receive offloads turned off: the "
	  "program reads the tags in the frame)" },
	{ "reload", xdp_cmd_reload,
	  "reload IFACE [--policy FILE] [--exemptions FILE] [--name NAME]",
	  "switch the running program to FILE (default: the file loaded "
	  "last) and the exemptions file (default: the instance's) "
	  "atomically; a bad file changes nothing" },
	{ "run", xdp_cmd_run,
	  "run IFACE --policy FILE [--exemptions FILE] [--mode native|generic] "
	  "[--name NAME] [--adaptive-entries N]",
	  "load as load does and stay in the foreground: SIGHUP reloads the "
	  "policy and exemptions (an error keeps the running ones), "
	  "SIGTERM/SIGINT unload; expired exemptions go within a second" },
	{ "exempt", xdp_cmd_exempt,
	  "exempt add|del|list IFACE [PREFIX] [--ttl DURATION] [--reason TEXT] "
	  "[--force] [--name NAME] [--json]",
	  "forward SMTP from PREFIX whatever the policy says (add), end it "
	  "(del): the instance's exemptions file and its running program at "
	  "once; list: op25b's exempt list table (--json: its JSON)" },
	{ "unload", xdp_cmd_unload, "unload IFACE [--name NAME] | unload --all",
	  "detach the program from IFACE and remove its pins (--all: every "
	  "instance's, as the package's removal does)" },
	{ "status", xdp_cmd_status, "status [IFACE] [--name NAME] [--json]",
	  "what runs on IFACE (every instance without one): program, mode, "
	  "policy, generation, counters, adaptive figures, block: notify's "
	  "counters" },
	{ "replay", xdp_cmd_replay,
	  "replay POLICY IN.pcap [--exemptions FILE] [--out OUT.pcap] "
	  "[--replies R.pcap] [--json] [--adaptive-entries N]",
	  "run the program on every frame of a capture (BPF_PROG_TEST_RUN, no "
	  "interface), with FILE's exemptions if given, adaptive classes and "
	  "block: notify on the capture's clock; the output of op25b-policy "
	  "replay" },
};

static void
usage(FILE *out)
{
	unsigned int i;

	fprintf(out, "usage: op25b-xdp COMMAND ARGS...\n\n"
		     "The op25b policy as an XDP program (libbpf); needs root "
		     "(CAP_BPF, CAP_NET_ADMIN).\n\ncommands:\n");
	for (i = 0; i < DIM(commands); i++)
		fprintf(out, "  %s\n      %s\n", commands[i].synopsis,
			commands[i].help);
	fprintf(out, "\noptions:\n");
	op25b_options_help(out, options, DIM(options), NULL, 24);
	fprintf(out, "\nexit status: 0 ok, 1 failed (bad policy, unknown "
		     "interface, verifier rejection, ...), 2 usage error\n");
}

int
main(int argc, char **argv)
{
	const struct command *cmd = NULL;
	struct op25b_getopt g;
	struct xdp_args a = { 0 };
	unsigned int i;
	int opt, ret;

	ret = op25b_subcommand_help(argc, argv, usage, OP25B_EXIT_USAGE);
	if (ret >= 0)
		return ret;
	for (i = 0; i < DIM(commands); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			cmd = &commands[i];
	if (cmd == NULL) {
		fprintf(stderr, "op25b-xdp: unknown command '%s'\n", argv[1]);
		usage(stderr);
		return OP25B_EXIT_USAGE;
	}
	op25b_options_getopt(&g, options, DIM(options), NULL, NULL);
	a.mode = "native";
	optind = 2;
	while ((opt = op25b_options_next(&g, "op25b-xdp", argc, argv, &a)) >
	       0) {
		switch (opt) {
		case 'm':
			if (strcmp(optarg, "native") != 0 &&
			    strcmp(optarg, "generic") != 0) {
				fprintf(stderr,
					"op25b-xdp: --mode %s: expected native "
					"or generic\n",
					optarg);
				return OP25B_EXIT_USAGE;
			}
			a.mode = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return OP25B_EXIT_USAGE;
		}
	}
	/* A refused option (its one line already said): the command must not
	 * run on what was parsed before it. */
	if (opt < 0)
		return OP25B_EXIT_USAGE;
	a.argc = argc - optind;
	a.argv = argv + optind;
	a.synopsis = cmd->synopsis;
	return cmd->run(&a);
}
