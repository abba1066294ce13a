/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * load, reload, unload, status: the program on an interface, its maps
 * pinned under /sys/fs/bpf/op25b/NAME (or $OP25B_XDP_BPFFS/op25b/NAME) so
 * that every command finds them.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <inttypes.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "op25b_json.h"
#include "xdp_tool.h"

int
xdp_usage_error(const struct xdp_args *a)
{
	fprintf(stderr, "usage: op25b-xdp %s\n(op25b-xdp --help)\n",
		a->synopsis);
	return OP25B_EXIT_USAGE;
}

struct op25b_policy *
xdp_policy_load(const char *path)
{
	struct op25b_policy_error error;
	struct op25b_policy *policy;
	char msg[512], where[sizeof(error.file) + 32];
	unsigned int i;

	policy = op25b_policy_load(path, &error);
	if (policy == NULL) {
		char text[sizeof(error.message)];

		/* "file:line:column: error: message", as op25b-policy. */
		snprintf(text, sizeof(text), "%s", error.message);
		error.message[0] = '\0';
		op25b_policy_error_format(&error, where, sizeof(where));
		fprintf(stderr, "%serror: %s\n", where, text);
		return NULL;
	}
	for (i = 0; i < policy->n_warnings; i++)
		fprintf(stderr, "%s\n", policy->warnings[i]);
	if (op25b_xdp_policy_supported(policy, msg, sizeof(msg)) != 0) {
		fprintf(stderr, "%s\n", msg);
		op25b_policy_free(policy);
		return NULL;
	}
	return policy;
}

struct op25b_xdp *
xdp_program_load(uint32_t adaptive_entries)
{
	char log[4096], why[1024];
	struct op25b_xdp *x =
		op25b_xdp_load_sized(adaptive_entries, log, sizeof(log));
	int err = errno;

	if (x == NULL) {
		op25b_xdp_log_summary(log, 3, why, sizeof(why));
		fprintf(stderr,
			"op25b-xdp: the kernel refuses the program (%s)%s%s\n",
			strerror(err), why[0] ? ": " : "", why);
	}
	return x;
}

/* The instance's pin directory: --name, else the interface's name. */
int
xdp_pin_dir(const struct xdp_args *a, const char *iface, char *buf, size_t size)
{
	const char *name = a->name ? a->name : iface;
	const char *c;

	for (c = name; *c; c++)
		if (!(*c == '-' || *c == '_' || *c == '.' ||
		      (*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') ||
		      (*c >= 'A' && *c <= 'Z')))
			break;
	if (*name == '\0' || *c != '\0' || name[0] == '.' ||
	    strlen(name) > 64) {
		fprintf(stderr,
			"op25b-xdp: --name %s: letters, digits, '-', '_' "
			"and '.' only\n",
			name);
		return -EINVAL;
	}
	snprintf(buf, size, "%s/%s", op25b_xdp_pin_root(), name);
	return 0;
}

static int
iface_index(const char *iface)
{
	int ifindex = (int)if_nametoindex(iface);

	if (ifindex == 0)
		fprintf(stderr, "op25b-xdp: %s: no such interface\n", iface);
	return ifindex;
}

/* The operand IFACE of load and run: its pin directory and index.
 * Returns 0, or the exit status (reported). */
int
xdp_iface_operand(const struct xdp_args *a, char *dir, size_t size,
		  int *ifindex)
{
	if (a->argc != 1)
		return xdp_usage_error(a);
	if (xdp_pin_dir(a, a->argv[0], dir, size) != 0)
		return OP25B_EXIT_USAGE;
	*ifindex = iface_index(a->argv[0]);
	return *ifindex == 0 ? EXIT_FAILURE : 0;
}

/* Why an instance in @dir did not open (errno @err), in a line. */
static const char *
open_error(int err)
{
	if (err == ENOENT)
		return "no instance is loaded there (op25b-xdp load)";
	if (err == EPROTO)
		return "an op25b-xdp of another version loaded it: its maps "
		       "are not of this one's layout (op25b-xdp unload, then "
		       "load it again)";
	return strerror(err);
}

struct op25b_xdp *
xdp_open_instance(const char *dir)
{
	struct op25b_xdp *x = op25b_xdp_open_pinned(dir);

	if (x == NULL)
		fprintf(stderr, "op25b-xdp: %s: %s\n", dir, open_error(errno));
	return x;
}

/* The instance's name: --name, else the interface's. */
static const char *
instance_name(const struct xdp_args *a, const char *iface)
{
	return a->name != NULL ? a->name : iface;
}

struct op25b_xdp *
xdp_instance_up(const struct xdp_args *a, const char *dir, int ifindex)
{
	struct op25b_exempt_registry *reg = NULL;
	char path[PATH_MAX], exempt[PATH_MAX], note[512];
	struct op25b_xdp_vlan_undo undo = { 0 };
	struct op25b_policy *policy;
	struct op25b_xdp *x = NULL;
	struct op25b_xdp_state st;
	const char *other_mode;
	uint32_t other;
	int err, offload;

	/* Absolute, so that reload finds it from any directory; its
	 * symbolic links kept, as check and op25b read the path: a relative
	 * prefixes_file is found beside the link, and a reload after the
	 * link is switched reads the file it now names. */
	err = xdp_absolute_path(a->policy, path, sizeof(path));
	if (err != 0) {
		fprintf(stderr, "%s: error: %s\n", a->policy, strerror(-err));
		return NULL;
	}
	/* The program keeps the path for reload and SIGHUP in 255 bytes:
	 * a longer one would be reloaded cut short. */
	if (strlen(path) >= OP25B_XDP_POLICY_PATH_MAX) {
		fprintf(stderr,
			"%s: error: the policy's path is longer than %u bytes "
			"(a reload reads it back)\n",
			path, OP25B_XDP_POLICY_PATH_MAX - 1);
		return NULL;
	}
	if (xdp_exempt_path(a, instance_name(a, a->argv[0]), exempt,
			    sizeof(exempt)) != 0)
		return NULL;
	policy = xdp_policy_load(path);
	if (policy == NULL)
		return NULL;
	reg = xdp_exempt_load(exempt, false);
	if (reg == NULL)
		goto fail;
	x = xdp_program_load(a->adaptive_entries);
	if (x == NULL)
		goto fail;
	err = op25b_xdp_apply(x, policy, reg, exempt);
	if (err != 0) {
		fprintf(stderr, "op25b-xdp: %s: the maps refuse it: %s\n", path,
			strerror(-err));
		goto fail;
	}
	err = op25b_xdp_pin(x, dir);
	if (err != 0) {
		fprintf(stderr, "op25b-xdp: %s: %s\n", dir,
			err == -ESTALE
				? "an unload removed the directory as it was "
				  "made (load again)"
			: err == -EEXIST ? "an instance of that name is loaded "
					   "already (reload or unload it)"
			: err == -EXDEV
				? "no bpffs is mounted there, and this "
				  "command runs in a mount namespace of its "
				  "own (ip netns exec remounts /sys): pins "
				  "mounted here would go with it; mount a "
				  "bpffs every command sees and give it in "
				  "OP25B_XDP_BPFFS"
				: strerror(-err));
		goto fail;
	}
	/* Another program on the interface (native or generic: the kernel
	 * takes one of them, beside an offloaded one at most) refuses the
	 * attach: said before the offloads, which would otherwise go off
	 * and on again for nothing (a NIC reset on i40e, ixgbe, mlx5),
	 * and, were they off for that program, on again under it. */
	err = op25b_xdp_query(ifindex, &other, &other_mode);
	if (err == 0 && other != 0 && strcmp(other_mode, "offload") != 0) {
		fprintf(stderr,
			"op25b-xdp: %s: cannot attach in %s mode: another XDP "
			"program is attached (program %" PRIu32 ", %s)\n",
			a->argv[0], a->mode, other, other_mode);
		op25b_xdp_unpin(dir);
		goto fail;
	}
	/* The VLAN receive offloads off once pinned: the pin is the name's
	 * lock, so a load that loses a race for the name stops before it
	 * touches them (it would turn them back on under the winner's
	 * program). What this turns off is turned back on if the load
	 * fails after (the attach), so that a failed load leaves the
	 * interfaces as it found them. Said once attached. */
	offload = op25b_xdp_vlan_offload_off(a->argv[0], note, sizeof(note),
					     &undo);
	if (offload < 0) {
		fprintf(stderr,
			"op25b-xdp: %s: its VLAN receive offloads cannot be "
			"read or set: %s\n",
			a->argv[0], strerror(-offload));
		op25b_xdp_unpin(dir);
		goto fail;
	}
	/* The interface noted before the attach: an attached program whose
	 * note failed would be left filtering with nothing pinned. */
	err = op25b_xdp_set_ifindex(x, ifindex);
	if (err == 0)
		err = op25b_xdp_attach(x, ifindex,
				       strcmp(a->mode, "generic") == 0);
	if (err != 0) {
		fprintf(stderr, "op25b-xdp: %s: cannot attach in %s mode: %s\n",
			a->argv[0], a->mode,
			err == -EBUSY || err == -EEXIST
				? "another XDP program is attached"
				: strerror(-err));
		op25b_xdp_unpin(dir);
		goto fail;
	}
	/* Attached: the directory is an instance's now (run keeps @x for
	 * its life; reload and exempt take the lock in turn). */
	op25b_xdp_pin_release(x);
	if (offload > 0)
		fprintf(stderr, "op25b-xdp: warning: %s\n", note);
	else if (note[0] != '\0')
		printf("op25b-xdp: %s\n", note);
	/* The exemptions in force, as status and reload count them. */
	if (op25b_xdp_state(x, &st) != 0)
		st.n_exemptions = 0;
	printf("op25b-xdp: %s on %s (%s XDP), program %" PRIu32
	       ", pinned at %s; %" PRIu32 " exemptions from %s\n",
	       path, a->argv[0], a->mode, op25b_xdp_prog_id(x), dir,
	       st.n_exemptions, exempt);
	op25b_exempt_registry_free(reg);
	op25b_policy_free(policy);
	return x;

fail:
	err = op25b_xdp_vlan_offload_undo(&undo, note, sizeof(note));
	if (err != 0)
		fprintf(stderr,
			"op25b-xdp: warning: %s: the VLAN receive offloads "
			"this load turned off stay off: %s (`ethtool -K DEVICE "
			"rxvlan on rx-vlan-stag-hw-parse on`)\n",
			a->argv[0],
			err == -ENOSPC	  ? "more devices than it could note"
			: note[0] != '\0' ? note
					  : strerror(-err));
	op25b_xdp_close(x);
	op25b_exempt_registry_free(reg);
	op25b_policy_free(policy);
	return NULL;
}

int
xdp_cmd_load(const struct xdp_args *a)
{
	char dir[PATH_MAX];
	struct op25b_xdp *x;
	int ifindex, ret;

	if (a->policy == NULL)
		return xdp_usage_error(a);
	ret = xdp_iface_operand(a, dir, sizeof(dir), &ifindex);
	if (ret != 0)
		return ret;
	x = xdp_instance_up(a, dir, ifindex);
	if (x == NULL)
		return EXIT_FAILURE;
	op25b_xdp_close(x);
	return EXIT_SUCCESS;
}

int
xdp_instance_reload(struct op25b_xdp *x, const char *iface,
		    const char *policy_path, const char *exempt_path)
{
	struct op25b_exempt_registry *reg = NULL;
	struct op25b_policy *policy = NULL;
	struct op25b_xdp_state st;
	const char *too_long;
	bool switched = false;
	int err, ret = -1;

	err = op25b_xdp_state(x, &st);
	if (err != 0) {
		fprintf(stderr, "op25b-xdp: %s: %s\n", iface, strerror(-err));
		return -1;
	}
	if (exempt_path == NULL)
		exempt_path = st.exemptions;
	/* The instance keeps both paths in 255 bytes for the next reload:
	 * refused before anything changes, not kept cut short (nor the
	 * policy switched and then the exemptions file refused). */
	too_long = policy_path != NULL && strlen(policy_path) >=
						  OP25B_XDP_POLICY_PATH_MAX
			   ? policy_path
		   : strlen(exempt_path) >= sizeof(st.exemptions) ? exempt_path
								  : NULL;
	if (too_long != NULL) {
		fprintf(stderr,
			"%s: error: the path is longer than %zu bytes (a "
			"reload reads it back); the running policy stays\n",
			too_long, sizeof(st.exemptions) - 1);
		goto out;
	}
	policy = xdp_policy_load(policy_path ? policy_path : st.policy);
	if (policy == NULL)
		goto out;
	if (exempt_path[0] != '\0') {
		reg = xdp_exempt_load(exempt_path, true);
		if (reg == NULL)
			goto out;
	}
	err = op25b_xdp_apply(x, policy, reg,
			      exempt_path != st.exemptions ? exempt_path
							   : NULL);
	switched = op25b_xdp_switched(x);
	if (err != 0 && switched) {
		/* In force, and counted as a reload: not a refused one. */
		char gen[48] = "";

		if (op25b_xdp_state(x, &st) == 0)
			snprintf(gen, sizeof(gen), " (generation %" PRIu64 ")",
				 st.reloads + 1);
		fprintf(stderr,
			"op25b-xdp: %s: %s is in force%s, but a step after the "
			"switch failed: %s (the next reload completes it)\n",
			iface, policy->file, gen, strerror(-err));
		goto out;
	}
	if (err != 0) {
		fprintf(stderr,
			"op25b-xdp: %s: the maps refuse it: %s; the running "
			"policy stays%s\n",
			policy->file, strerror(-err),
			err == -EPROTO ? " (maps of another op25b-xdp "
					 "version: unload and load it)"
			: err == -ENOSPC
				? " (more than 255 class or group names since "
				  "the instance was loaded, each keeping its "
				  "counters: unload and load it to renumber)"
				: "");
		goto out;
	}
	op25b_xdp_state(x, &st);
	/* Generation as op25b and op25b-stat count it: 1 for the policy
	 * loaded first, one more a reload (st.gen is the maps' slot); the
	 * exemptions in force, as status counts them (a file's expired
	 * entries are not written). */
	printf("op25b-xdp: %s reloaded from %s: generation %" PRIu64
	       ", %" PRIu64 " prefixes, %" PRIu32 " exemptions",
	       iface, st.policy, st.reloads + 1, st.prefixes, st.n_exemptions);
	if (op25b_xdp_forgotten(x) != 0)
		printf("; %" PRIu64 " adaptive sources forgotten (their class "
		       "is no longer adaptive, or keys them anew)",
		       op25b_xdp_forgotten(x));
	printf("\n");
	fflush(stdout);
	ret = 0;
out:
	/* Counted as op25b counts reload_failed: whatever refused it. */
	if (ret != 0 && !switched && (err = op25b_xdp_reload_failed(x)) != 0)
		fprintf(stderr,
			"op25b-xdp: %s: counting the failed reload: %s\n",
			iface, strerror(-err));
	op25b_exempt_registry_free(reg);
	op25b_policy_free(policy);
	return ret;
}

int
xdp_cmd_reload(const struct xdp_args *a)
{
	char dir[PATH_MAX], path[PATH_MAX], exempt[PATH_MAX];
	struct op25b_xdp *x;
	int lock, ret = EXIT_FAILURE, err;

	if (a->argc != 1)
		return xdp_usage_error(a);
	if (xdp_pin_dir(a, a->argv[0], dir, sizeof(dir)) != 0)
		return OP25B_EXIT_USAGE;
	x = xdp_open_instance(dir);
	if (x == NULL)
		return EXIT_FAILURE;
	/* The count of refused reloads shares the active slot's word with
	 * the generation: it is written under the lock like a reload. */
	lock = xdp_lock(dir);
	/* The instance opened may have gone while the lock was waited for
	 * (a load whose attach failed, an unload): not reloaded then. */
	if (lock >= 0 && xdp_pins_taken(x, a->argv[0], dir)) {
		close(lock);
		lock = -1;
	}
	if (lock < 0) {
		op25b_xdp_close(x);
		return EXIT_FAILURE;
	}
	if (a->policy != NULL &&
	    (err = xdp_absolute_path(a->policy, path, sizeof(path))) != 0) {
		fprintf(stderr, "%s: error: %s\n", a->policy, strerror(-err));
	} else if (a->exemptions == NULL ||
		   xdp_exempt_path(a, a->argv[0], exempt, sizeof(exempt)) ==
			   0) {
		/* Counted there when refused. */
		if (xdp_instance_reload(x, a->argv[0], a->policy ? path : NULL,
					a->exemptions ? exempt : NULL) == 0)
			ret = EXIT_SUCCESS;
		goto out;
	}
	/* Refused before it (a policy path that does not resolve, an
	 * exemptions path too long): counted all the same, as doc/xdp.md
	 * says of a reload refused for any reason. */
	err = op25b_xdp_reload_failed(x);
	if (err != 0)
		fprintf(stderr,
			"op25b-xdp: %s: counting the failed reload: %s\n",
			a->argv[0], strerror(-err));
out:
	close(lock);
	op25b_xdp_close(x);
	return ret;
}

bool
xdp_pins_taken(struct op25b_xdp *x, const char *iface, const char *dir)
{
	uint32_t pinned, own = op25b_xdp_prog_id(x);
	int err = op25b_xdp_pinned_prog_id(dir, &pinned);

	if (err == -ENOENT) {
		fprintf(stderr,
			"op25b-xdp: %s: unloaded by another command (%s is "
			"gone)\n",
			iface, dir);
		return true;
	}
	if (err == 0 && pinned != own) {
		fprintf(stderr,
			"op25b-xdp: %s: %s is another instance's now (program "
			"%u, this one's %u): left to it\n",
			iface, dir, pinned, own);
		return true;
	}
	return false;
}

static int program_located(struct op25b_xdp *x, const char *iface, int *ifindex,
			   int *there, char *there_name);

/* This thread into the network namespace @there (an fd) and back (@home,
 * from the first call): 0, or -1 (said; back failing ends the command:
 * nothing may go on in another namespace). */
static int
netns_enter(int there, int *home, const char *iface)
{
	*home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (*home < 0 || setns(there, CLONE_NEWNET) != 0) {
		fprintf(stderr,
			"op25b-xdp: %s: cannot enter the program's network "
			"namespace: %s\n",
			iface, strerror(errno));
		if (*home >= 0)
			close(*home);
		*home = -1;
		return -1;
	}
	return 0;
}

/* This thread back into its namespace @home, or the command ends: in
 * another namespace for good, nothing here may go on. */
static void
netns_back(int home)
{
	if (setns(home, CLONE_NEWNET) != 0) {
		fprintf(stderr, "op25b-xdp: cannot return to this command's "
				"network namespace\n");
		exit(EXIT_FAILURE);
	}
}

static void
netns_leave(int home)
{
	if (home < 0)
		return;
	netns_back(home);
	close(home);
}

int
xdp_instance_down(struct op25b_xdp *x, const char *iface, int ifindex,
		  const char *dir, bool pins_taken, bool anywhere)
{
	char there_name[PATH_MAX] = "", ifname[IF_NAMESIZE] = "?";
	uint32_t attached = 0;
	const char *mode;
	int err, there = -1, home = -1;
	bool elsewhere, ours;

	/* Not where it was loaded: found where it is, or its pins kept
	 * (@anywhere: taken off in the namespace where it runs). */
	if (program_located(x, iface, &ifindex, anywhere ? &there : NULL,
			    there_name) != 0)
		return -1;
	elsewhere = there >= 0;
	if (elsewhere) {
		err = netns_enter(there, &home, iface);
		close(there);
		if (err != 0)
			return -1;
	}
	/* Only our own program comes off the interface. */
	err = ifindex == 0 ? -ENODEV
			   : op25b_xdp_query(ifindex, &attached, &mode);
	ours = err == 0 && attached != 0 && attached == op25b_xdp_prog_id(x);
	if (ours) {
		if_indextoname((unsigned int)ifindex, ifname);
		err = op25b_xdp_detach(x, ifindex);
		if (err == -EEXIST)
			fprintf(stderr,
				"op25b-xdp: %s: another program was attached "
				"in this instance's place meanwhile: left "
				"attached\n",
				iface);
	}
	netns_leave(home);
	/* Found in that namespace a moment ago, not there now (moved on,
	 * or its interface did): its pins stay, the one handle left. */
	if (elsewhere && !ours) {
		fprintf(stderr,
			"op25b-xdp: %s: the program left the network namespace "
			"of %s meanwhile: its pins stay (unload it again)\n",
			iface, there_name);
		return -1;
	}
	if (elsewhere && err == 0)
		printf("op25b-xdp: %s: attached to %s in the network namespace "
		       "of %s: taken off there\n",
		       iface, ifname, there_name);
	/* The interface is gone, and its program with it: only the pins
	 * are left to remove. So when another program replaced ours
	 * between the query and the detach (-EEXIST: the detach names
	 * ours): it stays, as when it was there before the query. */
	if (err == -ENODEV || err == -EEXIST)
		err = 0;
	if (err != 0) {
		fprintf(stderr, "op25b-xdp: %s: cannot detach: %s\n", iface,
			strerror(-err));
		return -1;
	}
	/* Nor another's pins: unloaded and loaded again under this name
	 * while a `run` waited, the directory is the new instance's, which
	 * would be left attached with nothing to status, reload or unload
	 * it by. (@pins_taken: the caller found so already, and said it.) */
	if (pins_taken || xdp_pins_taken(x, iface, dir))
		return -1;
	err = op25b_xdp_unpin(dir);
	if (err != 0) {
		fprintf(stderr, "op25b-xdp: %s: %s\n", dir, strerror(-err));
		return -1;
	}
	printf("op25b-xdp: unloaded from %s\n", iface);
	return 0;
}

/* The interface program @prog_id is attached to, or 0 (none here: its
 * interface is gone, with the program). */
static int
iface_of_prog(uint32_t prog_id)
{
	struct if_nameindex *all = if_nameindex(), *i;
	const char *mode;
	uint32_t id;
	int found = 0;

	for (i = all; i != NULL && i->if_index != 0 && found == 0; i++)
		if (op25b_xdp_query((int)i->if_index, &id, &mode) == 0 &&
		    id != 0 && id == prog_id)
			found = (int)i->if_index;
	if (all != NULL)
		if_freenameindex(all);
	return found;
}

/* Where an instance's program runs when not where it was loaded. */
struct elsewhere {
	int ifindex;	   /* in this command's namespace; 0: another's */
	int ifindex_there; /* in the namespace @netns names */
	/* That namespace, as looked in (an fd the caller closes; -1: none):
	 * entered again by its path, a /proc/PID one may be another
	 * process's by then. */
	int netns_fd;
	char ifname[IF_NAMESIZE];
	char netns[PATH_MAX]; /* "": this command's namespace */
};

/* One network namespace to look in: @path, unless it is ours or one
 * looked in already (@seen, @n_seen: their inodes). 1 with @where set
 * when program @prog_id is attached to an interface there; 0 not. */
static int
look_in(const char *path, int home, const struct stat *self, ino_t *seen,
	size_t *n_seen, size_t max_seen, uint32_t prog_id,
	struct elsewhere *where)
{
	char name[IF_NAMESIZE] = "?";
	struct stat st;
	int fd, found;
	size_t k;

	if (stat(path, &st) != 0 ||
	    (st.st_dev == self->st_dev && st.st_ino == self->st_ino))
		return 0;
	for (k = 0; k < *n_seen; k++)
		if (seen[k] == st.st_ino)
			return 0;
	if (*n_seen < max_seen)
		seen[(*n_seen)++] = st.st_ino;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (setns(fd, CLONE_NEWNET) != 0) {
		close(fd);
		return 0;
	}
	found = iface_of_prog(prog_id);
	if (found != 0)
		if_indextoname((unsigned int)found, name);
	netns_back(home);
	if (found == 0) {
		close(fd);
		return 0;
	}
	snprintf(where->ifname, sizeof(where->ifname), "%s", name);
	snprintf(where->netns, sizeof(where->netns), "%s", path);
	where->ifindex_there = found;
	where->netns_fd = fd;
	return 1;
}

/*
 * Where program @prog_id is attached, not being on the interface its
 * instance recorded: another interface of this namespace (its index
 * changed: moved to another namespace and back), else another network
 * namespace, the named ones (ip netns, /run/netns) first, then those of
 * running processes. An instance loaded by `ip netns exec NS` and
 * unloaded from outside would lose its pins while its program stays
 * attached there, with nothing left to status, reload or unload it by.
 * 1 with @where naming the interface and the namespace; 0 none found.
 */
static int
prog_elsewhere(uint32_t prog_id, struct elsewhere *where)
{
	static const char *const dirs[] = { "/run/netns", "/proc" };
	ino_t seen[256];
	size_t n_seen = 0, d;
	struct stat self;
	char path[PATH_MAX];
	int home, ret = 0;

	memset(where, 0, sizeof(*where));
	where->netns_fd = -1;
	ret = iface_of_prog(prog_id);
	if (ret != 0) {
		where->ifindex = ret;
		if (if_indextoname((unsigned int)ret, where->ifname) == NULL)
			snprintf(where->ifname, sizeof(where->ifname), "?");
		return 1;
	}
	home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (home < 0 || fstat(home, &self) != 0) {
		if (home >= 0)
			close(home);
		return 0;
	}
	for (d = 0; d < sizeof(dirs) / sizeof(dirs[0]) && ret == 0; d++) {
		DIR *dir = opendir(dirs[d]);
		struct dirent *e;

		while (dir != NULL && ret == 0 && (e = readdir(dir)) != NULL) {
			if (e->d_name[0] == '.' ||
			    (d == 1 &&
			     (e->d_name[0] < '1' || e->d_name[0] > '9')))
				continue;
			snprintf(path, sizeof(path),
				 d == 0 ? "%s/%s" : "%s/%s/ns/net", dirs[d],
				 e->d_name);
			ret = look_in(path, home, &self, seen, &n_seen,
				      sizeof(seen) / sizeof(seen[0]), prog_id,
				      where);
		}
		if (dir != NULL)
			closedir(dir);
	}
	close(home);
	return ret;
}

/* Whether @x's program is attached to @ifindex (0: none) here. */
static bool
attached_at(struct op25b_xdp *x, int ifindex)
{
	const char *mode;
	uint32_t id;

	return ifindex != 0 && op25b_xdp_query(ifindex, &id, &mode) == 0 &&
	       id != 0 && id == op25b_xdp_prog_id(x);
}

/* Whether @dir holds the program's pin (op25b_xdp_pin() pins it last):
 * false only when it is certainly not there. */
static bool
prog_pinned(const char *dir)
{
	uint32_t id;

	return op25b_xdp_pinned_prog_id(dir, &id) != -ENOENT;
}

/* Where @x's program is to come off: @ifindex, where it was loaded, or
 * where it is now in this namespace (its index changed: the interface
 * moved away and back). 0; -1 (said) when it runs in another namespace:
 * its pins stay, and the command to run there is said (nsenter keeps
 * this mount namespace, so its bpffs: ip netns exec remounts /sys). */
static int
program_located(struct op25b_xdp *x, const char *iface, int *ifindex,
		int *there, char *there_name)
{
	struct elsewhere where;

	if (attached_at(x, *ifindex) ||
	    prog_elsewhere(op25b_xdp_prog_id(x), &where) != 1)
		return 0;
	if (where.netns[0] == '\0') {
		*ifindex = where.ifindex;
		return 0;
	}
	/* unload --all: off in that namespace (its fd for the caller). */
	if (there != NULL) {
		*there = where.netns_fd;
		*ifindex = where.ifindex_there;
		snprintf(there_name, PATH_MAX, "%s", where.netns);
		return 0;
	}
	close(where.netns_fd);
	fprintf(stderr,
		"op25b-xdp: %s: the program is attached to %s in the network "
		"namespace of %s: unload it there (nsenter --net=%s op25b-xdp "
		"unload ...; or ip link set %s xdp off there); its pins "
		"stay\n",
		iface, where.ifname, where.netns, where.netns, where.ifname);
	return -1;
}

/* unload of the instance pinned at @dir, named @iface in messages (and
 * its interface by that name when it recorded none); @anywhere: taken
 * off in the network namespace where it runs. An exit status. */
static int
unload_one(const char *iface, const char *dir, bool anywhere)
{
	char name[IF_NAMESIZE];
	struct op25b_xdp_state st;
	struct op25b_xdp *x;
	int ifindex, err, lock;

	/* Held to the end: a load holds it from its mkdir until it has
	 * attached, so that its pins, all or some, are not taken for a
	 * dead load's (its program would be attached after they went, with
	 * nothing left to unload it by); a reload or an exemption change
	 * holds it a moment too. unload --all (the package's removal) waits
	 * a while for those, rather than leave a program attached with no
	 * op25b-xdp to unload it. */
	lock = xdp_lock_dir_within(dir, anywhere ? 10000 : 0);
	if (lock == -2)
		fprintf(stderr, "op25b-xdp: %s: %s\n", dir, open_error(errno));
	if (lock < 0)
		return EXIT_FAILURE;
	/* Also an instance another version loaded: only its program's id
	 * is read then. */
	x = op25b_xdp_open_pinned_any(dir);
	if (x == NULL) {
		int err_open = errno;

		/* A load killed between its mkdir and its last pin (SIGKILL,
		 * the OOM killer) leaves a directory of some maps or none:
		 * load refuses the name ("loaded already"), and this would
		 * say nothing is loaded, for good. The program is pinned
		 * last and attached after that, so without its pin nothing
		 * of this instance filters: the rest goes. */
		err = EXIT_FAILURE;
		if (err_open == ENOENT && !prog_pinned(dir) &&
		    op25b_xdp_unpin(dir) == 0) {
			printf("op25b-xdp: %s: the pins of a load cut short "
			       "removed (no program was pinned, so none is "
			       "attached)\n",
			       dir);
			err = EXIT_SUCCESS;
		} else {
			fprintf(stderr, "op25b-xdp: %s: %s\n", dir,
				open_error(err_open));
		}
		close(lock);
		return err;
	}
	/* The interface by the index recorded at load: renamed since (ip
	 * link set NAME name NEW), its name finds nothing, and the program
	 * would stay on it without its pins. An interface deleted under its
	 * program (the index gone): the pins still go. Another version's
	 * record is not read: the interface its program is attached to. */
	if (op25b_xdp_foreign_map(x) != NULL)
		ifindex = iface_of_prog(op25b_xdp_prog_id(x));
	else if (op25b_xdp_state(x, &st) == 0 && st.ifindex > 0)
		ifindex = if_indextoname((unsigned int)st.ifindex, name) != NULL
				  ? st.ifindex
				  : 0;
	else
		ifindex = (int)if_nametoindex(iface);
	err = xdp_instance_down(x, iface, ifindex, dir, false, anywhere);
	op25b_xdp_close(x);
	close(lock);
	return err == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* The next entry of the pin root @d that may be an instance (a
 * directory: anything else someone put there is none, nor a reason to
 * fail): its name, its path in @dir; NULL at the end. */
static const char *
next_instance(DIR *d, char *dir, size_t size)
{
	struct dirent *de;

	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' &&
		    (de->d_type == DT_DIR || de->d_type == DT_UNKNOWN) &&
		    snprintf(dir, size, "%s/%s", op25b_xdp_pin_root(),
			     de->d_name) < (int)size)
			return de->d_name;
	return NULL;
}

/* unload --all: every instance under the pin root, each where its
 * program runs (what the package's removal runs: a program left
 * attached would filter on with no op25b-xdp left to unload it). */
static int
unload_all(void)
{
	char dir[PATH_MAX];
	const char *name;
	int ret = EXIT_SUCCESS, n = 0;
	DIR *d = opendir(op25b_xdp_pin_root());

	if (d == NULL) {
		if (errno == ENOENT) {
			printf("op25b-xdp: no instance is loaded\n");
			return EXIT_SUCCESS;
		}
		fprintf(stderr, "op25b-xdp: %s: %s\n", op25b_xdp_pin_root(),
			strerror(errno));
		return EXIT_FAILURE;
	}
	while ((name = next_instance(d, dir, sizeof(dir))) != NULL) {
		n++;
		if (unload_one(name, dir, true) != EXIT_SUCCESS)
			ret = EXIT_FAILURE;
	}
	closedir(d);
	if (n == 0)
		printf("op25b-xdp: no instance is loaded\n");
	return ret;
}

int
xdp_cmd_unload(const struct xdp_args *a)
{
	char dir[PATH_MAX];

	if (a->all)
		return a->argc == 0 && a->name == NULL ? unload_all()
						       : xdp_usage_error(a);
	if (a->argc != 1)
		return xdp_usage_error(a);
	if (xdp_pin_dir(a, a->argv[0], dir, sizeof(dir)) != 0)
		return OP25B_EXIT_USAGE;
	return unload_one(a->argv[0], dir, false);
}

/*
 * The name of the program's value @v of the header's STATE figure @key
 * (mode, block: lib/stats's names); NULL when the program does not say
 * (UINT_MAX: loaded by an op25b-xdp from before it kept them).
 */
static const char *
switch_name(const char *key, unsigned int v)
{
	unsigned int i;

	if (v == UINT_MAX)
		return NULL;
	for (i = 0; i < OP25B_HEADER_FIELDS; i++)
		if (strcmp(op25b_stats_header_fields[i].key, key) == 0)
			return op25b_stats_state_name(
				&op25b_stats_header_fields[i], v);
	return NULL;
}

static void
print_status(const char *name, struct op25b_xdp *x, int json, int first)
{
	struct op25b_stats_counters c;
	struct op25b_xdp_adaptive_totals ad;
	struct op25b_xdp_state st = { 0 };
	uint32_t capacity;
	char ifname[IF_NAMESIZE] = "-", netns[PATH_MAX] = "";
	struct elsewhere where;
	uint32_t attached = 0;
	const char *mode = "none";
	uint64_t notify[OP25B_NOTIFY_MAX] = { 0 };
	unsigned int i, k, pmode = UINT_MAX, pblock = UINT_MAX;
	const char *mode_name, *block_name;

	op25b_xdp_state(x, &st);
	/* The program's mode and block, whatever its policy file says now. */
	if (op25b_xdp_switches(x, &pmode, &pblock) != 0)
		pmode = pblock = UINT_MAX;
	mode_name = switch_name("mode", pmode);
	block_name = switch_name("block", pblock);
	if (op25b_xdp_counters(x, &c) != 0)
		memset(&c, 0, sizeof(c));
	/* block: notify's counters of every class, summed (op25b-stat --xdp
	 * has them by class). */
	for (i = 0; i < OP25B_STATS_SLOTS; i++)
		for (k = 0; k < OP25B_NOTIFY_MAX; k++)
			notify[k] += c.class_notify[i][k];
	if (op25b_xdp_adaptive(x, op25b_xdp_clock_now(), &ad, NULL) != 0)
		memset(&ad, 0, sizeof(ad));
	capacity = op25b_xdp_adaptive_capacity(x);
	if (st.ifindex != 0 &&
	    if_indextoname((unsigned int)st.ifindex, ifname) != NULL) {
		op25b_xdp_query(st.ifindex, &attached, &mode);
		/* Someone else's program is not ours to report. */
		if (attached != op25b_xdp_prog_id(x))
			mode = "detached";
	}
	/* Not where it was loaded (the index finds another interface, or
	 * none): say where it runs, this namespace's interface of another
	 * index, or another namespace's. */
	if (strcmp(mode, "detached") == 0 || strcmp(mode, "none") == 0) {
		int found = prog_elsewhere(op25b_xdp_prog_id(x), &where);

		if (found == 1 && where.netns_fd >= 0)
			close(where.netns_fd);
		if (found != 1) {
			if (strcmp(mode, "none") == 0)
				snprintf(ifname, sizeof(ifname), "-");
		} else if (where.netns[0] == '\0') {
			snprintf(ifname, sizeof(ifname), "%s", where.ifname);
			op25b_xdp_query(where.ifindex, &attached, &mode);
		} else {
			snprintf(ifname, sizeof(ifname), "%s", where.ifname);
			snprintf(netns, sizeof(netns), "%s", where.netns);
			mode = "elsewhere";
		}
	}
	if (json) {
		/* Escaped: the paths are any file's, and Linux takes any
		 * byte but '/', blanks and NUL in an interface's name (and
		 * --name in the instance's), '"' and '\\' among them. */
		printf("%s{\"name\": ", first ? "" : ",\n");
		op25b_json_escape(stdout, name);
		printf(", \"interface\": ");
		op25b_json_escape(stdout, ifname);
		printf(", \"netns\": ");
		if (netns[0] != '\0')
			op25b_json_escape(stdout, netns);
		else
			printf("null");
		printf(", \"mode\": \"%s\", \"program_id\": %" PRIu32 ", "
		       "\"policy\": ",
		       mode, op25b_xdp_prog_id(x));
		op25b_json_escape(stdout, st.policy);
		printf(", \"generation\": %" PRIu64 ", "
		       "\"policy_mode\": %s%s%s, \"block\": %s%s%s, "
		       "\"prefixes\": %" PRIu64 ", \"reloads\": %" PRIu64
		       ", \"reload_ok\": %" PRIu64
		       ", \"reload_failed\": %" PRIu32
		       ", \"exemptions\": %" PRIu32 ", \"exemptions_file\": ",
		       st.reloads + 1, mode_name ? "\"" : "",
		       mode_name ? mode_name : "null", mode_name ? "\"" : "",
		       block_name ? "\"" : "", block_name ? block_name : "null",
		       block_name ? "\"" : "", st.prefixes, st.reloads,
		       st.reloads, st.reload_failed, st.n_exemptions);
		op25b_json_escape(stdout, st.exemptions);
		printf(", \"packets\": {");
		for (i = 0; i < OP25B_OUTCOME_MAX; i++)
			printf("%s\"%s\": %" PRIu64, i ? ", " : "",
			       op25b_outcome_name(i), c.outcome[i]);
		printf("}, \"frames\": {");
		for (i = 0; i + 1 < OP25B_FRAME_MAX; i++)
			printf("%s\"%s\": %" PRIu64, i ? ", " : "",
			       op25b_frame_counter_name(i), c.frame[i]);
		printf("}");
#define STATUS_JSON(field, key, prom, kind, help)                              \
	printf(", \"%s\": %" PRIu64, #key, ad.field);
		OP25B_ADAPTIVE_LIST(STATUS_JSON)
#undef STATUS_JSON
		printf(", \"adaptive_entries\": %" PRIu32, capacity);
		for (k = 0; k < OP25B_NOTIFY_MAX; k++)
			printf(", \"%s\": %" PRIu64,
			       op25b_notify_counter_name(k), notify[k]);
		printf("}");
		return;
	}
	printf("%s: interface %s%s%s (%s), program %" PRIu32 "\n", name, ifname,
	       netns[0] != '\0' ? " in the network namespace of " : "", netns,
	       mode, op25b_xdp_prog_id(x));
	printf("  policy %s, generation %" PRIu64
	       ", mode %s, block %s, %" PRIu64 " prefixes, %" PRIu64
	       " reloads (%" PRIu32 " failed)\n",
	       st.policy, st.reloads + 1, mode_name ? mode_name : "-",
	       block_name ? block_name : "-", st.prefixes, st.reloads,
	       st.reload_failed);
	printf("  exemptions %" PRIu32 " in force, file %s\n", st.n_exemptions,
	       st.exemptions[0] ? st.exemptions : "-");
	printf("  packets:");
	for (i = 0; i < OP25B_OUTCOME_MAX; i++)
		printf(" %s %" PRIu64, op25b_outcome_name(i), c.outcome[i]);
	/* chained is an mbuf matter: XDP frames are never chained here. */
	printf("\n  frames:");
	for (i = 0; i + 1 < OP25B_FRAME_MAX; i++)
		printf(" %s %" PRIu64, op25b_frame_counter_name(i), c.frame[i]);
	printf("\n  adaptive (%" PRIu32 " sources at most):", capacity);
#define STATUS_TEXT(field, key, prom, kind, help)                              \
	printf(" %s %" PRIu64, #key, ad.field);
	OP25B_ADAPTIVE_LIST(STATUS_TEXT)
#undef STATUS_TEXT
	printf("\n  notify:");
	for (k = 0; k < OP25B_NOTIFY_MAX; k++)
		printf(" %s %" PRIu64, op25b_notify_counter_name(k), notify[k]);
	printf("\n");
}

int
xdp_cmd_status(const struct xdp_args *a)
{
	char dir[PATH_MAX];
	struct op25b_xdp *x;
	const char *name;
	int n = 0, unshown = 0, noted = 0;
	DIR *d;

	if (a->argc > 1)
		return xdp_usage_error(a);
	if (a->argc == 1 || a->name != NULL) {
		if (xdp_pin_dir(a, a->argc ? a->argv[0] : a->name, dir,
				sizeof(dir)) != 0)
			return OP25B_EXIT_USAGE;
		x = xdp_open_instance(dir);
		if (x == NULL)
			return EXIT_FAILURE;
		print_status(strrchr(dir, '/') + 1, x, a->json, 1);
		if (a->json)
			printf("\n");
		op25b_xdp_close(x);
		return EXIT_SUCCESS;
	}
	/* None there: nothing was ever loaded (or the bpffs is not
	 * mounted). Unreadable (a user who is not root): said, exit status
	 * 1, not taken for "no instance". */
	d = opendir(op25b_xdp_pin_root());
	if (d == NULL && errno != ENOENT) {
		fprintf(stderr, "op25b-xdp: %s: %s\n", op25b_xdp_pin_root(),
			strerror(errno));
		return EXIT_FAILURE;
	}
	if (a->json)
		printf("[");
	while (d != NULL &&
	       (name = next_instance(d, dir, sizeof(dir))) != NULL) {
		x = op25b_xdp_open_pinned(dir);
		if (x == NULL) {
			/* Gone since the listing, or a load or unload under
			 * way (no program pinned): not an instance. Any
			 * other (another version's, one this user cannot
			 * read): said, and the exit status 1. */
			int err = errno;

			if (err != ENOENT && err != ENOTDIR) {
				fprintf(stderr, "op25b-xdp: %s: %s\n", dir,
					open_error(err));
				unshown++;
				continue;
			}
			/* Without its program: what a load killed midway
			 * left, which refuses `load` of the name (or a load
			 * under way, a moment). Said, not an instance. */
			if (err == ENOENT && access(dir, F_OK) == 0 &&
			    !prog_pinned(dir)) {
				fprintf(stderr,
					"op25b-xdp: %s: no program pinned: a "
					"load cut short (op25b-xdp unload IFACE "
					"--name %s removes it), or one under "
					"way\n",
					dir, name);
				noted++;
			}
			continue;
		}
		print_status(name, x, a->json, n == 0);
		op25b_xdp_close(x);
		n++;
	}
	if (d != NULL)
		closedir(d);
	if (a->json)
		printf("]\n");
	else if (n == 0 && unshown == 0 && noted == 0)
		printf("op25b-xdp: no instance is loaded\n");
	return unshown == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
