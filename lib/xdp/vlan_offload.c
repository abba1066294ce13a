/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The interface's VLAN receive offloads, turned off for the program.
 *
 * A NIC that parses VLAN tags in hardware (rx-vlan-hw-parse,
 * rx-vlan-stag-hw-parse: on by default on i40e, ice, ixgbe, mlx5 and
 * veth) takes the outer tag out of the frame before XDP runs, into the
 * descriptor: the program would judge a tagged subscriber's frame as
 * untagged (max_vlan_tags one short) and its RST, SYN-ACK or greeting
 * would leave by XDP_TX without the tag, on the wrong VLAN. op25b's DPDK
 * side never asks a PMD to strip. Through the ethtool ioctl (what
 * `ethtool -K IFACE rxvlan off rx-vlan-stag-hw-parse off` does), with no
 * library beyond the kernel's headers.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "op25b_xdp.h"

/* The features, by the names the kernel gives them (ETH_SS_FEATURES). */
static const char *const vlan_rx_features[] = {
	"rx-vlan-hw-parse",
	"rx-vlan-stag-hw-parse",
};

struct features {
	int fd;
	struct ifreq ifr;
	uint32_t n;			 /* features the interface has */
	struct ethtool_gstrings *names;	 /* their names */
	struct ethtool_gfeatures *state; /* their state */
};

static int
ethtool(struct features *f, void *cmd)
{
	f->ifr.ifr_data = cmd;
	return ioctl(f->fd, SIOCETHTOOL, &f->ifr) < 0 ? -errno : 0;
}

static int
state_read(struct features *f)
{
	uint32_t blocks = (f->n + 31) / 32;

	memset(f->state, 0,
	       sizeof(*f->state) + blocks * sizeof(f->state->features[0]));
	f->state->cmd = ETHTOOL_GFEATURES;
	f->state->size = blocks;
	return ethtool(f, f->state);
}

/* The interface's features, names and state (-EOPNOTSUPP: it has none
 * the ethtool ioctl tells). */
static int
features_read(struct features *f)
{
	struct {
		struct ethtool_sset_info hdr;
		uint32_t count;
	} sset = { .hdr = { .cmd = ETHTOOL_GSSET_INFO,
			    .sset_mask = 1ull << ETH_SS_FEATURES } };
	int err = ethtool(f, &sset);

	if (err != 0)
		return err;
	if (sset.hdr.sset_mask == 0 || sset.count == 0)
		return -EOPNOTSUPP;
	f->n = sset.count;
	f->names = calloc(1, sizeof(*f->names) + f->n * ETH_GSTRING_LEN);
	f->state = calloc(1, sizeof(*f->state) +
				     ((f->n + 31) / 32) *
					     sizeof(f->state->features[0]));
	if (f->names == NULL || f->state == NULL)
		return -ENOMEM;
	f->names->cmd = ETHTOOL_GSTRINGS;
	f->names->string_set = ETH_SS_FEATURES;
	f->names->len = f->n;
	err = ethtool(f, f->names);
	return err != 0 ? err : state_read(f);
}

/* The index of feature @name, or -1. */
static int
feature_index(const struct features *f, const char *name)
{
	uint32_t i;

	for (i = 0; i < f->n; i++)
		if (strncmp((const char *)f->names->data + i * ETH_GSTRING_LEN,
			    name, ETH_GSTRING_LEN) == 0)
			return (int)i;
	return -1;
}

static int
active(const struct features *f, int i)
{
	return (f->state->features[i / 32].active >> (i % 32)) & 1;
}

/* Ask the kernel to turn the features at @index (-1: none) off, or on
 * with @on. */
static int
turn(struct features *f, const int *index, unsigned int count, bool on)
{
	uint32_t blocks = (f->n + 31) / 32;
	struct ethtool_sfeatures *set;
	unsigned int k;
	int err;

	set = calloc(1, sizeof(*set) + blocks * sizeof(set->features[0]));
	if (set == NULL)
		return -ENOMEM;
	set->cmd = ETHTOOL_SFEATURES;
	set->size = blocks;
	for (k = 0; k < count; k++)
		if (index[k] >= 0) {
			set->features[index[k] / 32].valid |=
				1u << (index[k] % 32);
			if (on)
				set->features[index[k] / 32].requested |=
					1u << (index[k] % 32);
		}
	/* ETHTOOL_F_WISH and friends say some were not taken: the state
	 * read after says which. */
	err = ethtool(f, set);
	free(set);
	return err;
}

/* Append feature @name to @list (", " between features). */
static void
feature_add(char *list, size_t size, const char *name)
{
	size_t len = strlen(list);

	if (len < size)
		snprintf(list + len, size - len, "%s%s", len != 0 ? ", " : "",
			 name);
}

/* Append "@name: @what" to @list ("; " between devices). */
static void
list_add(char *list, size_t size, const char *name, const char *what)
{
	size_t len = strlen(list);

	if (len < size)
		snprintf(list + len, size - len, "%s%s: %s",
			 len != 0 ? "; " : "", name, what);
}

_Static_assert(sizeof(((struct op25b_xdp_vlan_undo *)0)->dev[0].ifname) ==
		       IFNAMSIZ,
	       "an undo entry holds a device's name");
_Static_assert(sizeof(vlan_rx_features) / sizeof(vlan_rx_features[0]) <= 8,
	       "an undo entry's features fit its byte");

/* @f for device @ifname: its ioctl socket. 0, or -errno. */
static int
features_open(struct features *f, const char *ifname)
{
	if (strlen(ifname) >= IFNAMSIZ)
		return -ENODEV;
	f->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (f->fd < 0)
		return -errno;
	memcpy(f->ifr.ifr_name, ifname, strlen(ifname) + 1);
	return 0;
}

static void
features_close(struct features *f)
{
	free(f->names);
	free(f->state);
	if (f->fd >= 0)
		close(f->fd);
}

/* Note in @undo that @ifname's features @bits were turned off. */
static void
undo_add(struct op25b_xdp_vlan_undo *undo, const char *ifname, uint8_t bits)
{
	if (undo == NULL || bits == 0)
		return;
	if (undo->n == OP25B_XDP_VLAN_UNDO_MAX) {
		undo->full = true;
		return;
	}
	memcpy(undo->dev[undo->n].ifname, ifname, strlen(ifname) + 1);
	undo->dev[undo->n++].features = bits;
}

/* One device's offloads off: what was turned off goes into @off and
 * @undo, what stays on (fixed) into @stuck. 0, or -errno of the ioctl. */
static int
device_off(const char *ifname, char *off, size_t off_size, char *stuck,
	   size_t stuck_size, struct op25b_xdp_vlan_undo *undo)
{
	struct features f = { .fd = -1 };
	int index[sizeof(vlan_rx_features) / sizeof(vlan_rx_features[0])];
	unsigned int k, count = sizeof(index) / sizeof(index[0]), on = 0;
	char was[96] = "", still[96] = "";
	uint8_t turned = 0;
	int err;

	err = features_open(&f, ifname);
	if (err != 0)
		return err;
	err = features_read(&f);
	if (err == -EOPNOTSUPP) {
		/* No ethtool features (a device without them parses
		 * nothing in hardware). */
		err = 0;
		goto out;
	}
	if (err != 0)
		goto out;
	for (k = 0; k < count; k++) {
		index[k] = feature_index(&f, vlan_rx_features[k]);
		if (index[k] >= 0 && active(&f, index[k])) {
			on++;
			feature_add(was, sizeof(was), vlan_rx_features[k]);
		} else {
			index[k] = -1;
		}
	}
	if (on == 0)
		goto out;
	err = turn(&f, index, count, false);
	if (err == 0)
		err = state_read(&f);
	if (err != 0) {
		/* Which went off is not known: all of them are turned back
		 * on if the load fails. */
		for (k = 0; k < count; k++)
			if (index[k] >= 0)
				turned |= (uint8_t)(1u << k);
		goto out;
	}
	was[0] = '\0';
	for (k = 0; k < count; k++) {
		if (index[k] < 0)
			continue;
		if (active(&f, index[k])) {
			feature_add(still, sizeof(still), vlan_rx_features[k]);
		} else {
			feature_add(was, sizeof(was), vlan_rx_features[k]);
			turned |= (uint8_t)(1u << k);
		}
	}
	if (still[0] != '\0')
		list_add(stuck, stuck_size, ifname, still);
	if (was[0] != '\0')
		list_add(off, off_size, ifname, was);
out:
	undo_add(undo, ifname, turned);
	features_close(&f);
	return err;
}

/* Turn @ifname's features @bits back on; those that stay off go into
 * @failed. 0, -EIO (the kernel kept one off: the ioctl says so only in
 * flags, the state read after tells), or -errno. */
static int
device_on(const char *ifname, uint8_t bits, char *failed, size_t size)
{
	struct features f = { .fd = -1 };
	int index[sizeof(vlan_rx_features) / sizeof(vlan_rx_features[0])];
	unsigned int k, count = sizeof(index) / sizeof(index[0]);
	char off[96] = "";
	int err = features_open(&f, ifname);

	for (k = 0; k < count; k++)
		index[k] = -1;
	if (err == 0)
		err = features_read(&f);
	if (err == 0) {
		for (k = 0; k < count; k++)
			if (bits >> k & 1)
				index[k] =
					feature_index(&f, vlan_rx_features[k]);
		err = turn(&f, index, count, true);
	}
	if (err == 0)
		err = state_read(&f);
	for (k = 0; k < count; k++)
		if ((bits >> k & 1) != 0 &&
		    (err != 0 || index[k] < 0 || !active(&f, index[k])))
			feature_add(off, sizeof(off), vlan_rx_features[k]);
	if (off[0] != '\0') {
		list_add(failed, size, ifname, off);
		if (err == 0)
			err = -EIO;
	}
	features_close(&f);
	return err;
}

int
op25b_xdp_vlan_offload_undo(const struct op25b_xdp_vlan_undo *undo,
			    char *failed, size_t size)
{
	unsigned int i;
	int err = 0, e;

	if (size > 0)
		failed[0] = '\0';
	for (i = 0; i < undo->n; i++) {
		e = device_on(undo->dev[i].ifname, undo->dev[i].features,
			      failed, size);
		if (err == 0)
			err = e;
	}
	return err != 0 ? err : undo->full ? -ENOSPC : 0;
}

/* Whether /sys/class/net/@ifname is this network namespace's device:
 * sysfs shows the namespace of whoever mounted it (nsenter --net keeps
 * another's), and the ioctl acts in ours. */
static bool
sysfs_is_ours(const char *ifname)
{
	char path[64 + IFNAMSIZ], text[32] = "";
	unsigned int index = if_nametoindex(ifname);
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/ifindex", ifname);
	f = fopen(path, "re");
	if (f == NULL)
		return false;
	if (fgets(text, sizeof(text), f) == NULL)
		text[0] = '\0';
	fclose(f);
	return index != 0 && strtoul(text, NULL, 10) == index;
}

/* @ifname's offloads off, and those of the devices below it
 * (/sys/class/net/IFNAME/lower_*: a bond's members, where native XDP
 * runs; a macvlan's or VLAN device's parent, which parses the tag before
 * the frame reaches it), @depth levels at most, where sysfs shows this
 * namespace's devices (else the named device alone). */
static int
tree_off(const char *ifname, unsigned int depth, char *off, size_t off_size,
	 char *stuck, size_t stuck_size, struct op25b_xdp_vlan_undo *undo)
{
	char path[64 + IFNAMSIZ];
	struct dirent *e;
	DIR *dir;
	int err = device_off(ifname, off, off_size, stuck, stuck_size, undo);

	if (err != 0 || depth == 0 || !sysfs_is_ours(ifname))
		return err;
	snprintf(path, sizeof(path), "/sys/class/net/%s", ifname);
	dir = opendir(path);
	while (dir != NULL && err == 0 && (e = readdir(dir)) != NULL)
		if (strncmp(e->d_name, "lower_", 6) == 0 &&
		    strlen(e->d_name + 6) < IFNAMSIZ)
			err = tree_off(e->d_name + 6, depth - 1, off, off_size,
				       stuck, stuck_size, undo);
	if (dir != NULL)
		closedir(dir);
	return err;
}

int
op25b_xdp_vlan_offload_off(const char *ifname, char *note, size_t size,
			   struct op25b_xdp_vlan_undo *undo)
{
	char off[256] = "", stuck[256] = "";
	int err;

	note[0] = '\0';
	if (undo != NULL) {
		undo->n = 0;
		undo->full = false;
	}
	err = tree_off(ifname, 4, off, sizeof(off), stuck, sizeof(stuck), undo);
	if (err != 0)
		return err;
	if (stuck[0] != '\0') {
		/* Not refused: an untagged access network loses nothing,
		 * and some NICs (hv_netvsc) have it fixed on. */
		snprintf(note, size,
			 "%s%s%s: VLAN tags are taken out of the frame before "
			 "XDP and this cannot be turned off (%s): the program "
			 "judges a tagged frame without its outer tag, and its "
			 "replies to one leave untagged",
			 off[0] != '\0' ? off : "",
			 off[0] != '\0' ? " turned off; but " : "", ifname,
			 stuck);
		return 1;
	}
	if (off[0] != '\0')
		snprintf(note, size,
			 "%s turned off (the program reads VLAN tags in the "
			 "frame; the NIC would take them out before it; "
			 "`ethtool -k IFACE` shows them, unload leaves them "
			 "off)",
			 off);
	return 0;
}
