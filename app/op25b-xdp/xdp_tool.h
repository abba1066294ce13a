/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * op25b-xdp's commands (iface.c: load, reload, unload, status; replay.c).
 */
#ifndef OP25B_XDP_TOOL_H
#define OP25B_XDP_TOOL_H

#include "op25b_options.h"
#include "op25b_policy.h"
#include "op25b_xdp.h"

/* The command line, parsed once for every command. */
struct xdp_args {
	const char *policy;
	const char *mode;
	const char *name;
	const char *out;
	const char *replies;
	const char *exemptions;
	const char *ttl;
	const char *reason;
	int force;
	int json;
	int all;		   /* unload --all */
	uint32_t adaptive_entries; /* 0: the default */
	int argc;		   /* the operands */
	char **argv;
	const char *synopsis;
};

int xdp_cmd_load(const struct xdp_args *a);
int xdp_cmd_reload(const struct xdp_args *a);
int xdp_cmd_unload(const struct xdp_args *a);
int xdp_cmd_status(const struct xdp_args *a);
int xdp_cmd_replay(const struct xdp_args *a);
int xdp_cmd_exempt(const struct xdp_args *a);
int xdp_cmd_run(const struct xdp_args *a);

/* "usage: op25b-xdp SYNOPSIS" on stderr; returns OP25B_EXIT_USAGE. */
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
struct op25b_xdp *xdp_program_load(uint32_t adaptive_entries);

/* IFACE/--name's pin directory into @p buf. Returns 0 or -EINVAL
 * (reported). */
int xdp_pin_dir(const struct xdp_args *a, const char *iface, char *buf,
		size_t size);

/* The single operand IFACE: its pin directory and index. Returns 0, or
 * the exit status (reported). */
int xdp_iface_operand(const struct xdp_args *a, char *dir, size_t size,
		      int *ifindex);

/* The instance pinned at @p dir, or NULL (reported). */
struct op25b_xdp *xdp_open_instance(const char *dir);

/* load's work: the policy and exemptions checked, the program loaded,
 * filled, pinned at @p dir and attached to @p ifindex. Returns it, or
 * NULL (reported; nothing left pinned or attached). */
struct op25b_xdp *
xdp_instance_up(const struct xdp_args *a, const char *dir, int ifindex);

/* reload's work: @p policy_path (NULL: the file loaded last) and
 * @p exempt_path (NULL: the instance's) switched in together. The caller
 * holds the lock. Returns 0, or -1 (reported in one line; the running
 * policy and exemptions stay). */
int xdp_instance_reload(struct op25b_xdp *x, const char *iface,
			const char *policy_path, const char *exempt_path);

/* unload's work: detached (if it is ours) and unpinned; an interface
 * gone (@p ifindex 0, or no longer there) is only unpinned. A program
 * attached in another network namespace: its pins kept, the command to
 * run there said; with @p anywhere (unload --all), detached there. 0 or
 * -1 (reported). */
int xdp_instance_down(struct op25b_xdp *x, const char *iface, int ifindex,
		      const char *dir, bool pins_taken, bool anywhere);

/* Whether the pins under @p dir are no longer @p x's: gone (another
 * command unloaded it) or another program's (unloaded and loaded again).
 * Said in one line when so. */
bool xdp_pins_taken(struct op25b_xdp *x, const char *iface, const char *dir);

/* The exemptions file of instance @p name into @p buf (absolute):
 * --exemptions, else /var/lib/op25b/NAME.exemptions, op25b's state file
 * convention. 0 or -ENAMETOOLONG (reported). */
/* @path made absolute from the working directory, its symbolic links
 * kept (not realpath(3)): 0, or -errno. */
int xdp_absolute_path(const char *path, char *buf, size_t size);
int xdp_exempt_path(const struct xdp_args *a, const char *name, char *buf,
		    size_t size);

/* The exemptions file @p path (missing: none granted yet), or NULL with
 * "FILE:LINE: error: message" on stderr. A damaged one (empty, or every
 * line good and its count alone wrong: cut short, a copy caught midway,
 * an edit) is refused when @p live (reload, exempt add and del: the
 * running exemptions stay), else read as it is with "FILE:LINE: warning:
 * message" (load, as op25b's start restores it; exempt list). */
struct op25b_exempt_registry *xdp_exempt_load(const char *path, bool live);

/* Remove what has expired from the file @p path and from @p x's table,
 * and with @p rewrite write every other expiring entry into the table
 * again (the wall clock stepped: its expiry on the program's clock moved).
 * A damaged file (xdp_exempt_load()) is never written: its expired
 * entries leave the table only. The caller holds the lock. 0, or -1 (a
 * file that does not load, or a damaged one: said once; a save that
 * failed: said once, and its recovery). */
int xdp_exempt_expire(struct op25b_xdp *x, const char *path, bool rewrite);

/* Take the instance's lock (flock of its pin directory), which every
 * change of its maps holds, and a load from its mkdir to its attach: an
 * fd to close, or -1 (reported). */
int xdp_lock(const char *dir);

/* The same, waiting for it or not (@wait): an fd; -2 when there is no
 * directory (errno kept, not reported); -1 when another command holds
 * it (without @wait) or it cannot be taken (reported). */
int xdp_lock_dir(const char *dir, bool wait);

/* The same, waiting for it at most @p ms milliseconds (-1: for ever; 0:
 * not at all). */
int xdp_lock_dir_within(const char *dir, int ms);

#endif /* OP25B_XDP_TOOL_H */
