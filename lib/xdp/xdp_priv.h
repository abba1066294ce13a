/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/xdp internals: an instance's handles, loaded here or opened from its
 * pins.
 */
#ifndef OP25B_XDP_PRIV_H
#define OP25B_XDP_PRIV_H

#include "op25b_xdp.h"
#include "op25b_xdp_kern_user.h"

enum xdp_map {
	XDP_MAP_SRC4,
	XDP_MAP_DST4,
	XDP_MAP_SRC6,
	XDP_MAP_DST6,
	XDP_MAP_EXEMPT4,
	XDP_MAP_EXEMPT6,
	XDP_MAP_POLICY,
	XDP_MAP_ACTIVE,
	XDP_MAP_COUNTERS,
	XDP_MAP_NAMES,
	XDP_MAP_ADAPTIVE,
	XDP_MAP_ADAPTIVE_COUNTS,
	XDP_MAP_NOTIFY,
	XDP_MAP_NOTIFY_KEY,
	XDP_MAP_NOTIFY_BUDGET,
	XDP_MAP_MAX
};

/* The name of the program's pin next to the maps'. */
#define XDP_PROG_PIN "op25b_xdp"

extern const char *const op25b_xdp_map_names[XDP_MAP_MAX];

struct op25b_xdp_bpf;

struct op25b_xdp {
	struct op25b_xdp_bpf *skel; /* NULL: opened from pins */
	int prog_fd;
	int map_fd[XDP_MAP_MAX];
	/* The first map of another layout than this build's (-1: none):
	 * op25b_xdp_open_pinned_any(). */
	int foreign_map;
	/* The instance directory's flock, held from op25b_xdp_pin()'s
	 * mkdir until op25b_xdp_pin_release() (after the attach): 0 when
	 * none (calloc), else the fd + 1. */
	int pin_lock;
	/* The sources the last op25b_xdp_apply() forgot
	 * (op25b_xdp_forgotten()). */
	uint64_t forgotten;
	/* Whether the last op25b_xdp_apply() switched (op25b_xdp_switched()). */
	bool switched;
};

struct op25b_policy;

/* The map in slot @gen of the map of maps @outer (a per-generation
 * table): an fd the caller closes, or -errno (-ENOENT: the slot is
 * empty). xdp.c. */
int xdp_inner_map(int outer, uint32_t gen);

/* block: notify's entry of generation @gen from @policy (greeting, its
 * sum, rate), and the cookies' key if the instance has none yet (random,
 * or OP25B_NOTIFY_TEST_KEY). Returns 0 or -errno. notify.c. */
int xdp_notify_fill(struct op25b_xdp *x, const struct op25b_policy *policy,
		    uint32_t gen);

struct op25b_xdp_policy;

/* After a switch to @v (made from @policy, class k in counter slot
 * @class_slot[k]): delete the adaptive sources the new generation would
 * never count, as op25b's reload (op25b_adaptive_forget()). Returns how
 * many were tracked, or -errno. adaptive.c. */
int64_t
xdp_adaptive_forget(struct op25b_xdp *x, const struct op25b_policy *policy,
		    const uint8_t *class_slot,
		    const struct op25b_xdp_policy *v);

#endif /* OP25B_XDP_PRIV_H */
