/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * op25b-stat --xdp NAME: an op25b-xdp instance's counters as a snapshot of
 * the shared-memory layout, so that the text, JSON and Prometheus views
 * (and their names) are the very ones of an op25b instance: the slot
 * names are the instance's own (op25b_xdp_names()).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "stat_tool.h"

#ifdef OP25B_STAT_XDP
#include "op25b_policy.h"
#include "op25b_xdp.h"

/* The adaptive figures into the header, where op25b publishes them:
 * the totals under OP25B_ADAPTIVE_LIST's names, triggered per class. */
static int
xdp_adaptive_read(struct op25b_xdp *x, struct op25b_stats_header *h)
{
	struct op25b_xdp_adaptive_totals t;
	int err;

	err = op25b_xdp_adaptive(x, op25b_xdp_clock_now(), &t,
				 h->class_adaptive);
	if (err != 0)
		return err;
#define XDP_ADAPTIVE_COPY(field, key, prom, kind, help) h->field = t.field;
	OP25B_ADAPTIVE_LIST(XDP_ADAPTIVE_COPY)
#undef XDP_ADAPTIVE_COPY
	return 0;
}

int
stat_xdp_read(struct stat_source *src, struct op25b_stats_snapshot *snap,
	      char *why, size_t why_size)
{
	struct op25b_policy *policy;
	struct op25b_xdp_state st;
	unsigned int mode = UINT_MAX, block = UINT_MAX;
	struct op25b_stats_header *h = &snap->header;
	char dir[PATH_MAX];
	struct op25b_xdp *x;
	int err;

	snprintf(dir, sizeof(dir), "%s/%s", op25b_xdp_pin_root(), src->name);
	x = op25b_xdp_open_pinned(dir);
	if (x == NULL) {
		err = -errno;
		snprintf(why, why_size, "%s: %s", dir,
			 err == -ENOENT
				 ? "no op25b-xdp instance is loaded there"
			 : err == -EPROTO
				 ? "an op25b-xdp of another version loaded "
				   "it: its maps are not of this op25b-stat's "
				   "layout"
				 : strerror(-err));
		return err;
	}
	memset(snap, 0, sizeof(*snap));
	err = op25b_xdp_state(x, &st);
	if (err == 0)
		err = op25b_xdp_names(x, &snap->names);
	if (err == 0)
		err = op25b_xdp_counters(x, &snap->totals);
	if (err == 0)
		err = xdp_adaptive_read(x, h);
	if (err == 0) {
		/* The program's own (-ENODATA: an older one's, below). */
		err = op25b_xdp_switches(x, &mode, &block);
		if (err == -ENODATA)
			err = 0;
	}
	op25b_xdp_close(x);
	/* The names map is any writer's (root's): checked and ended as a
	 * shared-memory snapshot is, before any view reads it. No workers. */
	if (err == 0)
		err = op25b_stats_snapshot_finish(snap, 0);
	if (err != 0) {
		snprintf(why, why_size, "%s: %s", dir, strerror(-err));
		return err;
	}
	h->magic = OP25B_STATS_MAGIC;
	h->layout_version = OP25B_STATS_LAYOUT_VERSION;
	h->header_size = sizeof(*h);
	h->start_time_ns = st.loaded_ns;
	h->policy_generation = st.reloads + 1;
	h->reload_ok = st.reloads;
	h->reload_failed = st.reload_failed;
	h->exemptions = st.n_exemptions;
	snprintf(h->instance, sizeof(h->instance), "%s", src->name);
	snprintf(h->policy_file, sizeof(h->policy_file), "%s", st.policy);
	if (mode != UINT_MAX) {
		h->mode = mode;
		h->block = block;
		return 0;
	}
	/* A program an older op25b-xdp loaded keeps no mode or block: the
	 * file applied last says them (unless it changed on disk since). */
	policy = op25b_policy_load(st.policy, NULL);
	if (policy != NULL) {
		h->mode = op25b_policy_mode_stats(policy->mode);
		h->block = op25b_policy_block_stats(policy->block);
		op25b_policy_free(policy);
	}
	return 0;
}

#else

int
stat_xdp_read(struct stat_source *src, struct op25b_stats_snapshot *snap,
	      char *why, size_t why_size)
{
	(void)src;
	(void)snap;
	snprintf(why, why_size,
		 "--xdp: this op25b-stat was built without XDP (-Dxdp)");
	return -ENOTSUP;
}

#endif
