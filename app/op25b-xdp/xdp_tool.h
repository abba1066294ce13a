/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * op25b-xdp's commands (iface.c: load, reload, unload, status; replay.c).
 */
#ifndef OP25B_XDP_TOOL_H
#define OP25B_XDP_TOOL_H

#include "op25b_options.h"
#include "op25b_policy.h"
#include "op25b_xdp.h"

#define XDP_EXIT_OK 0
#define XDP_EXIT_FAILED 1
#define XDP_EXIT_USAGE 2

enum xdp_option {
	XDP_OPT_OUT = OP25B_OPTION_LONG_ONLY,
	XDP_OPT_REPLIES,
	XDP_OPT_JSON,
};

/* The command line, parsed once for every command. */
struct xdp_args {
	const char *policy;
	const char *mode;
	const char *name;
	const char *out;
	const char *replies;
	int json;
	int argc; /* the operands */
	char **argv;
	const char *synopsis;
};

int xdp_cmd_load(const struct xdp_args *a);
int xdp_cmd_reload(const struct xdp_args *a);
int xdp_cmd_unload(const struct xdp_args *a);
int xdp_cmd_status(const struct xdp_args *a);
int xdp_cmd_replay(const struct xdp_args *a);

/* "usage: op25b-xdp SYNOPSIS" on stderr; returns XDP_EXIT_USAGE. */
int xdp_usage_error(const struct xdp_args *a);

/*
 * Load the policy @p path and check that the XDP program enforces all of
 * it. Errors on stderr in one line: "file:line:column: error: message",
 * or what the program cannot do yet.
 * @return the policy, or NULL (reported).
 */
struct op25b_policy *xdp_policy_load(const char *path);

/* Load the program, its verifier's last lines on stderr on a refusal.
 * @return it, or NULL (reported). */
struct op25b_xdp *xdp_program_load(void);

#endif /* OP25B_XDP_TOOL_H */
