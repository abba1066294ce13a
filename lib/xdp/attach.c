/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Pins under bpffs (so that reload and status work from another process)
 * and attachment to an interface.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdp_priv.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

static const char *
bpffs(void)
{
	const char *env = getenv("OP25B_XDP_BPFFS");

	return env != NULL && env[0] != '\0' ? env : OP25B_XDP_BPFFS_DEFAULT;
}

const char *
op25b_xdp_pin_root(void)
{
	static char root[PATH_MAX];

	snprintf(root, sizeof(root), "%s/op25b", bpffs());
	return root;
}

/* Whether this process's mount namespace is not its system's (or
 * container's): PID 1's. Unknown (no /proc, no access): false. */
static bool
private_mounts(void)
{
	struct stat self, init;

	return stat("/proc/self/ns/mnt", &self) == 0 &&
	       stat("/proc/1/ns/mnt", &init) == 0 &&
	       (self.st_ino != init.st_ino || self.st_dev != init.st_dev);
}

/* The bpffs, mounted when it is not (a container, a minimal system), but
 * not in a mount namespace of this command's own (`ip netns exec`
 * remounts /sys): the pins would go with the command, and the program
 * stay attached with nothing to status, reload or unload it by. */
static int
bpffs_ensure(void)
{
	struct statfs fs;

	if (statfs(bpffs(), &fs) == 0 && fs.f_type == BPF_FS_MAGIC)
		return 0;
	if (private_mounts())
		return -EXDEV;
	if (mkdir(bpffs(), 0700) != 0 && errno != EEXIST)
		return -errno;
	if (mount("bpf", bpffs(), "bpf", 0, "mode=0700") != 0)
		return -errno;
	return 0;
}

static int
pin_path(char *buf, size_t size, const char *dir, const char *name)
{
	int n = snprintf(buf, size, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static bool
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Remove directory @dir if it is still @made (not another load's). */
static void
rmdir_if(const char *dir, const struct stat *made)
{
	struct stat now;

	if (stat(dir, &now) == 0 && same_file(&now, made))
		rmdir(dir);
}

/* A test hook (builds with the tests only): the command in environment
 * variable @name, run where another command's unload and load of the
 * name could run (xdp_replay.sh's pin races); its status. 0 elsewhere. */
static int
test_hook(const char *name)
{
#ifdef OP25B_TEST_HOOKS
	const char *cmd = getenv(name);

	return cmd != NULL ? system(cmd) : 0;
#else
	(void)name;
	return 0;
#endif
}

int
op25b_xdp_pin(struct op25b_xdp *x, const char *dir)
{
	struct stat made, mine, now;
	char path[PATH_MAX];
	int i, err, fd;

	err = bpffs_ensure();
	if (err != 0)
		return err;
	if (mkdir(op25b_xdp_pin_root(), 0700) != 0 && errno != EEXIST)
		return -errno;
	if (mkdir(dir, 0700) != 0)
		return -errno;
	/* The directory made, to tell it from one another load makes under
	 * the name should an unload remove ours before the lock below (it
	 * takes a directory without the program's pin for a dead load's). */
	if (test_hook("OP25B_XDP_TEST_AFTER_MKDIR") != 0) {
		rmdir(dir);
		return -ECANCELED;
	}
	if (stat(dir, &made) != 0)
		return errno == ENOENT ? -ESTALE : -errno;
	if (test_hook("OP25B_XDP_TEST_BEFORE_LOCK") != 0) {
		rmdir_if(dir, &made);
		return -ECANCELED;
	}
	/* Held until the attach (op25b_xdp_pin_release()): an unload that
	 * finds the directory without the program's pin tells a load in
	 * progress from one killed (op25b_xdp_pins_busy()). An unload that
	 * removed the directory first: -ESTALE, nothing pinned. */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESTALE : -errno;
	if (flock(fd, LOCK_EX) != 0) {
		err = -errno;
		close(fd);
		rmdir_if(dir, &made);
		return err;
	}
	/* Still the directory made above, locked: an unload that took it
	 * for a dead load's removed it, and another load may have made the
	 * name again since (its pins are not ours to pin over, nor to
	 * clean). */
	if (fstat(fd, &mine) != 0 || stat(dir, &now) != 0 ||
	    !same_file(&mine, &made) || !same_file(&mine, &now)) {
		close(fd);
		return -ESTALE;
	}
	op25b_xdp_pin_release(x);
	x->pin_lock = fd + 1;
	for (i = 0; i < XDP_MAP_MAX; i++) {
		err = pin_path(path, sizeof(path), dir, op25b_xdp_map_names[i]);
		if (err == 0 && bpf_obj_pin(x->map_fd[i], path) != 0)
			err = -errno;
		if (err != 0)
			goto fail;
	}
	err = pin_path(path, sizeof(path), dir, XDP_PROG_PIN);
	if (err == 0 && bpf_obj_pin(x->prog_fd, path) != 0)
		err = -errno;
	if (err == 0)
		return 0;
fail:
	/* Only the pins this call made (maps 0..i-1), and the directory if
	 * that leaves it empty: the checks above pass when an unload
	 * removed our directory between the mkdir and its stat, and another
	 * load made the name again and attached (the stat found its
	 * directory); its pins are where ours failed with -EEXIST, and they
	 * are its program's only handle. */
	while (i-- > 0)
		if (pin_path(path, sizeof(path), dir, op25b_xdp_map_names[i]) ==
		    0)
			unlink(path);
	rmdir_if(dir, &made);
	op25b_xdp_pin_release(x);
	return err;
}

void
op25b_xdp_pin_release(struct op25b_xdp *x)
{
	if (x != NULL && x->pin_lock > 0) {
		close(x->pin_lock - 1);
		x->pin_lock = 0;
	}
}

int
op25b_xdp_unpin(const char *dir)
{
	char path[PATH_MAX];
	int i;

	/* The program's pin first (every caller detached it, or never
	 * attached it): a command killed midway leaves a directory without
	 * it, which unload takes for a load cut short and removes. */
	if (pin_path(path, sizeof(path), dir, XDP_PROG_PIN) == 0)
		unlink(path);
	for (i = 0; i < XDP_MAP_MAX; i++)
		if (pin_path(path, sizeof(path), dir, op25b_xdp_map_names[i]) ==
		    0)
			unlink(path);
	return rmdir(dir) == 0 ? 0 : -errno;
}

int
op25b_xdp_pinned_prog_id(const char *dir, uint32_t *id)
{
	struct bpf_prog_info info = { 0 };
	uint32_t len = sizeof(info);
	char path[PATH_MAX];
	int fd, err;

	*id = 0;
	err = pin_path(path, sizeof(path), dir, XDP_PROG_PIN);
	if (err != 0)
		return err;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	err = bpf_obj_get_info_by_fd(fd, &info, &len) != 0 ? -errno : 0;
	close(fd);
	*id = info.id;
	return err;
}

/*
 * Each map's key and value sizes as this build's object defines them
 * (op25b_xdp.bpf.c); for the per-generation tables, arrays of maps whose
 * values are map ids, also those of their inner maps (inner_key,
 * inner_value), which the readers copy entries of (status counts the
 * exemptions). A per-CPU map's value_size is one CPU's. An instance
 * another op25b-xdp pinned may hold values of another layout: the kernel
 * copies a map's own value_size into the caller's buffer, so reading its
 * counters with this build's struct would sum words at the wrong
 * offsets, or write past the buffer when the other's are larger.
 */
static const struct {
	uint32_t key, value, inner_key, inner_value;
} map_sizes[XDP_MAP_MAX] = {
	[XDP_MAP_SRC4] = { 4, 4, sizeof(struct op25b_xdp_key4), 1 },
	[XDP_MAP_DST4] = { 4, 4, sizeof(struct op25b_xdp_key4), 1 },
	[XDP_MAP_SRC6] = { 4, 4, sizeof(struct op25b_xdp_key6), 1 },
	[XDP_MAP_DST6] = { 4, 4, sizeof(struct op25b_xdp_key6), 1 },
	[XDP_MAP_EXEMPT4] = { 4, 4, sizeof(struct op25b_xdp_key4),
			      sizeof(struct op25b_xdp_exempt) },
	[XDP_MAP_EXEMPT6] = { 4, 4, sizeof(struct op25b_xdp_key6),
			      sizeof(struct op25b_xdp_exempt) },
	[XDP_MAP_POLICY] = { 4, sizeof(struct op25b_xdp_policy) },
	[XDP_MAP_ACTIVE] = { 4, sizeof(struct op25b_xdp_active) },
	[XDP_MAP_COUNTERS] = { 4, sizeof(struct op25b_stats_counters) },
	[XDP_MAP_NAMES] = { 4, sizeof(struct op25b_stats_names) },
	[XDP_MAP_ADAPTIVE] = { 8, sizeof(struct op25b_xdp_adaptive_entry) },
	[XDP_MAP_ADAPTIVE_COUNTS] = { 4, sizeof(struct
						op25b_xdp_adaptive_counts) },
	[XDP_MAP_NOTIFY] = { 4, sizeof(struct op25b_xdp_notify) },
	[XDP_MAP_NOTIFY_KEY] = { 4, sizeof(struct op25b_xdp_notify_key) },
	[XDP_MAP_NOTIFY_BUDGET] = { 4, sizeof(struct op25b_xdp_notify_budget) },
};

/* Whether map @fd has @key and @value sizes: 0, -EPROTO, or -errno. */
static int
sizes_check(int fd, uint32_t key, uint32_t value)
{
	struct bpf_map_info info = { 0 };
	uint32_t len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0)
		return -errno;
	return info.key_size == key && info.value_size == value ? 0 : -EPROTO;
}

/* Whether the map @fd (map @i) has this build's key and value sizes, and
 * so have the inner maps of every generation of a per-generation table. */
static int
map_layout_check(int fd, int i)
{
	uint32_t gen;
	int err = sizes_check(fd, map_sizes[i].key, map_sizes[i].value), in;

	for (gen = 0; err == 0 && map_sizes[i].inner_key != 0 &&
		      gen < OP25B_XDP_GENERATIONS;
	     gen++) {
		in = xdp_inner_map(fd, gen);
		if (in == -ENOENT)
			continue; /* no table in that generation yet */
		if (in < 0)
			return in;
		err = sizes_check(in, map_sizes[i].inner_key,
				  map_sizes[i].inner_value);
		close(in);
	}
	return err;
}

struct op25b_xdp *
op25b_xdp_open_pinned(const char *dir)
{
	struct op25b_xdp *x = op25b_xdp_open_pinned_any(dir);

	if (x != NULL && x->foreign_map >= 0) {
		op25b_xdp_close(x);
		errno = EPROTO;
		return NULL;
	}
	return x;
}

struct op25b_xdp *
op25b_xdp_open_pinned_any(const char *dir)
{
	struct op25b_xdp *x = calloc(1, sizeof(*x));
	char path[PATH_MAX];
	int i, err = 0;

	if (x == NULL)
		return NULL;
	x->prog_fd = -1;
	x->foreign_map = -1;
	for (i = 0; i < XDP_MAP_MAX; i++)
		x->map_fd[i] = -1;
	/* The program's pin first: a load pins it last, so that with it
	 * every map of the loading version is pinned (a reader between
	 * two of a load's pins would take a missing one for another
	 * layout); without it, nothing is loaded (or a load was cut short,
	 * or an unload is under way: it unpins the program first). */
	err = pin_path(path, sizeof(path), dir, XDP_PROG_PIN);
	if (err == 0) {
		x->prog_fd = bpf_obj_get(path);
		if (x->prog_fd < 0)
			err = -errno;
	}
	for (i = 0; i < XDP_MAP_MAX && err == 0; i++) {
		err = pin_path(path, sizeof(path), dir, op25b_xdp_map_names[i]);
		if (err == 0) {
			x->map_fd[i] = bpf_obj_get(path);
			if (x->map_fd[i] < 0)
				err = -errno;
		}
		if (err == 0) {
			err = map_layout_check(x->map_fd[i], i);
			if (err == -EPROTO) {
				if (x->foreign_map < 0)
					x->foreign_map = i;
				err = 0;
			}
		}
		/* A map this version has and the instance lacks: one of
		 * another version (the names, adaptive, notify came later),
		 * which only unload takes (it needs the program's id
		 * alone) - unless the program's pin went meanwhile (an
		 * unload under way). */
		if (err == -ENOENT &&
		    pin_path(path, sizeof(path), dir, XDP_PROG_PIN) == 0 &&
		    access(path, F_OK) == 0) {
			if (x->foreign_map < 0)
				x->foreign_map = i;
			err = 0;
		}
	}
	if (err != 0) {
		op25b_xdp_close(x);
		errno = -err;
		return NULL;
	}
	return x;
}

const char *
op25b_xdp_foreign_map(const struct op25b_xdp *x)
{
	return x->foreign_map >= 0 ? op25b_xdp_map_names[x->foreign_map] : NULL;
}

int
op25b_xdp_attach(struct op25b_xdp *x, int ifindex, int generic)
{
	__u32 flags = XDP_FLAGS_UPDATE_IF_NOEXIST |
		      (generic ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE);

	if (bpf_xdp_attach(ifindex, x->prog_fd, flags, NULL) != 0)
		return -errno;
	return 0;
}

int
op25b_xdp_query(int ifindex, uint32_t *prog_id, const char **mode)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	*prog_id = 0;
	*mode = "none";
	if (bpf_xdp_query(ifindex, 0, &q) != 0)
		return -errno;
	*prog_id = q.prog_id;
	/* An offloaded program beside a driver's or a generic one (the
	 * kernel then names no single id): the one op25b may have
	 * attached, the other's. */
	if (q.attach_mode == XDP_ATTACHED_MULTI) {
		*prog_id = q.drv_prog_id != 0 ? q.drv_prog_id : q.skb_prog_id;
		*mode = q.drv_prog_id != 0 ? "native" : "generic";
		return 0;
	}
	switch (q.attach_mode) {
	case XDP_ATTACHED_DRV:
		*mode = "native";
		break;
	case XDP_ATTACHED_SKB:
		*mode = "generic";
		break;
	case XDP_ATTACHED_HW:
		*mode = "offload";
		break;
	default:
		break;
	}
	return 0;
}

int
op25b_xdp_detach(struct op25b_xdp *x, int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	/* old_prog_fd sets XDP_FLAGS_REPLACE: the kernel detaches only the
	 * program it names, so that one attached by someone else since the
	 * caller looked (the id it compared) stays where it is. */
	LIBBPF_OPTS(bpf_xdp_attach_opts, ours, .old_prog_fd = x->prog_fd);
	uint32_t own = op25b_xdp_prog_id(x);
	__u32 flags;

	if (bpf_xdp_query(ifindex, 0, &q) != 0)
		return -errno;
	if (q.attach_mode == XDP_ATTACHED_NONE)
		return 0;
	/* Ours unknown (its fd gives no id): nothing is taken off. */
	if (own == 0)
		return -EBADF;
	/* A detach names the mode our program is attached in (one of two
	 * beside an offloaded program); in none of them: another's. */
	flags = q.skb_prog_id == own   ? XDP_FLAGS_SKB_MODE
		: q.drv_prog_id == own ? XDP_FLAGS_DRV_MODE
		: q.hw_prog_id == own  ? XDP_FLAGS_HW_MODE
				       : 0;
	if (flags == 0)
		return -EEXIST;
	if (bpf_xdp_detach(ifindex, flags, &ours) != 0)
		return -errno;
	return 0;
}
