/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The subcommands of op25b-policy. Each takes the subcommand's own argv
 * (argv[0] is the subcommand name) and returns the process exit status:
 * 0 done, 1 the policy does not load, 2 a usage error.
 */
#ifndef OP25B_POLICY_TOOL_H
#define OP25B_POLICY_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "op25b_options.h"
#include "op25b_policy.h"

/** Exit statuses shared by every subcommand. */
#define OP25B_TOOL_OK 0
#define OP25B_TOOL_BAD_POLICY 1
#define OP25B_TOOL_USAGE 2

/**
 * `check FILE`: load and validate FILE; print a summary on stdout and the
 * warnings on stderr.
 * @return 0 valid, 1 invalid (the error on stderr as
 *   "file:line:column: error: message"), 2 usage error.
 */
int op25b_tool_check(int argc, char **argv);

/**
 * `explain [--json] FILE SRC DST [PORT]`: how the policy in FILE treats a
 * TCP flow from SRC to DST port PORT (default 25), rule by rule.
 * @return 0 explained, 1 the policy does not load, 2 usage error (bad
 *   address or port, SRC and DST of different families).
 */
int op25b_tool_explain(int argc, char **argv);

/**
 * `replay FILE IN.pcap [--out OUT.pcap] [--replies R.pcap] [--json]`: the
 * real classifier over a capture (replay.c).
 * @return 0 replayed, 1 the policy or a capture is bad, 2 usage error.
 */
int op25b_tool_replay(int argc, char **argv);

/**
 * A subcommand's help on @p out: "usage: op25b-policy SYNOPSIS", then
 * @p about (lines of at most 79 columns, each ending in a newline), the
 * @p n options of @p opts (op25b_options_help()) and the exit statuses.
 */
void op25b_tool_usage(FILE *out, const char *synopsis, const char *about,
		      const struct op25b_option *opts, size_t n,
		      const char *exit_status);

/**
 * Load @p path for a subcommand. A load error goes to stderr as
 * "file:line:column: error: message"; warnings too, as they are, when
 * @p show_warnings.
 * @return the policy, or NULL (already reported).
 */
struct op25b_policy *
op25b_tool_load_policy(const char *path, bool show_warnings);

/** Print @p error on stderr as "file:line:column: error: message", the
 * form editors and CI logs link to the line. */
void op25b_tool_print_error(const struct op25b_policy_error *error);

/**
 * Start the tools' private EAL (no PCI, no hugepages, no files shared with
 * a running op25b): the classifier's tables and the replay's mbufs live in
 * its memory. DPDK's own logs are quieted once it runs, so that a table
 * that does not fit is reported once, by the tool, at its prefix list.
 * @return 0, or -1 with the reason on stderr.
 */
int op25b_tool_eal_start(void);

#endif /* OP25B_POLICY_TOOL_H */
