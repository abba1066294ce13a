/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The program's adaptive state seen from user space: its events summed
 * over CPUs, its gauges by a walk of the LRU hash, and the clock the
 * tests set; and what a reload forgets of it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "adaptive_key.h"
#include "op25b_policy.h"
#include "op25b_xdp.skel.h"
#include "xdp_priv.h"

int
op25b_xdp_set_clock(struct op25b_xdp *x, uint64_t ns)
{
	/* The .bss is reached through the skeleton's mapping: only an
	 * instance loaded here has one (tests and replay). */
	if (x == NULL || x->skel == NULL || x->skel->bss == NULL)
		return -EINVAL;
	x->skel->bss->op25b_clock_ns = ns;
	return 0;
}

uint32_t
op25b_xdp_adaptive_capacity(struct op25b_xdp *x)
{
	struct bpf_map_info info = { 0 };
	uint32_t len = sizeof(info);

	if (x == NULL || x->map_fd[XDP_MAP_ADAPTIVE] < 0 ||
	    bpf_obj_get_info_by_fd(x->map_fd[XDP_MAP_ADAPTIVE], &info, &len) !=
		    0)
		return 0;
	return info.max_entries;
}

uint64_t
op25b_xdp_clock_now(void)
{
	struct timespec t;

	/* bpf_ktime_get_boot_ns()'s clock. */
	clock_gettime(CLOCK_BOOTTIME, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* Sum the per-CPU event counts into @t and @per_class. */
static int
adaptive_events(struct op25b_xdp *x, struct op25b_xdp_adaptive_totals *t,
		uint64_t (*per_class)[OP25B_CLASS_ADAPTIVE_MAX])
{
	int ncpus = libbpf_num_possible_cpus();
	struct op25b_xdp_adaptive_counts *per;
	uint32_t zero = 0;
	unsigned int s, k;
	int cpu, err = 0;

	if (ncpus <= 0)
		return ncpus < 0 ? ncpus : -EINVAL;
	per = calloc((size_t)ncpus, sizeof(*per));
	if (per == NULL)
		return -ENOMEM;
	if (bpf_map_lookup_elem(x->map_fd[XDP_MAP_ADAPTIVE_COUNTS], &zero,
				per) != 0) {
		err = -errno;
		goto out;
	}
	for (cpu = 0; cpu < ncpus; cpu++) {
		t->adaptive_table_full += per[cpu].table_full;
		for (s = 0; s < OP25B_STATS_SLOTS; s++) {
			t->adaptive_triggered +=
				per[cpu].class_adaptive
					[s][OP25B_CLASS_ADAPTIVE_TRIGGERED];
			for (k = 0;
			     per_class != NULL && k < OP25B_CLASS_ADAPTIVE_MAX;
			     k++)
				per_class[s][k] +=
					per[cpu].class_adaptive[s][k];
		}
	}
out:
	free(per);
	return err;
}

/* Entries read a batch: a hash bucket never holds that many. */
#define GAUGE_BATCH 4096

static void
gauge_add(const struct op25b_xdp_adaptive_entry *e, uint64_t now_ns,
	  struct op25b_xdp_adaptive_totals *t)
{
	if (now_ns < e->blocked_until &&
	    e->blocked_until != OP25B_XDP_ADAPTIVE_RESTARTING)
		t->adaptive_blocked++;
	if (now_ns < e->blocked_until || now_ns < e->expire_at)
		t->adaptive_tracked++;
}

/* What a walk of the map calls for each entry. */
typedef void (*entry_fn)(uint64_t key, const struct op25b_xdp_adaptive_entry *e,
			 void *ctx);

/* The map's entries in batches (BPF_MAP_LOOKUP_BATCH: one syscall for
 * 4,096 sources, bucket by bucket; key by key, a full map of 131,072 took
 * two syscalls each), or key by key where the kernel has no batches for
 * it. Key by key, a key the LRU evicted meanwhile makes the kernel start
 * again from the first bucket (a flood of new sources would keep the
 * walk from ending): at most @max_visits entries then. */
static int
adaptive_walk(int fd, uint64_t max_visits, entry_fn fn, void *ctx)
{
	struct op25b_xdp_adaptive_entry *vals, e;
	uint64_t *keys, token = 0, key, next, visits = 0;
	void *in = NULL, *prev = NULL;
	uint32_t n, i;
	int err = 0, ret;

	keys = calloc(GAUGE_BATCH, sizeof(*keys));
	vals = calloc(GAUGE_BATCH, sizeof(*vals));
	if (keys == NULL || vals == NULL) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		LIBBPF_OPTS(bpf_map_batch_opts, opts);

		n = GAUGE_BATCH;
		ret = bpf_map_lookup_batch(fd, in, &token, keys, vals, &n,
					   &opts);
		if (ret != 0 && errno != ENOENT)
			break;
		for (i = 0; i < n; i++)
			fn(keys[i], &vals[i], ctx);
		if (ret != 0) /* ENOENT: the last batch */
			goto out;
		in = &token;
	}
	if (in != NULL ||
	    (errno != EINVAL && errno != ENOTSUP && errno != EOPNOTSUPP)) {
		err = -errno;
		goto out;
	}
	while (visits++ < max_visits &&
	       bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &e) == 0)
			fn(key, &e, ctx);
	}
out:
	free(keys);
	free(vals);
	return err;
}

struct gauges {
	uint64_t now_ns;
	struct op25b_xdp_adaptive_totals *t;
};

static void
gauge_entry(uint64_t key, const struct op25b_xdp_adaptive_entry *e, void *ctx)
{
	struct gauges *g = ctx;

	(void)key;
	gauge_add(e, g->now_ns, g->t);
}

int
op25b_xdp_adaptive(struct op25b_xdp *x, uint64_t now_ns,
		   struct op25b_xdp_adaptive_totals *t,
		   uint64_t (*per_class)[OP25B_CLASS_ADAPTIVE_MAX])
{
	int err;

	if (x == NULL || t == NULL)
		return -EINVAL;
	memset(t, 0, sizeof(*t));
	if (per_class != NULL)
		memset(per_class, 0, OP25B_STATS_SLOTS * sizeof(*per_class));
	/* Pinned by an op25b-xdp without adaptive: nothing to count. */
	if (x->map_fd[XDP_MAP_ADAPTIVE] < 0 ||
	    x->map_fd[XDP_MAP_ADAPTIVE_COUNTS] < 0)
		return 0;
	err = adaptive_events(x, t, per_class);
	if (err != 0)
		return err;
	/* The gauges as lib/adaptive's sweep counts them: a source is
	 * tracked while its window holds SYNs or it is blocked. A walk of a
	 * table that changes meanwhile may see a source twice or miss one:
	 * a gauge. */
	{
		struct gauges g = { .now_ns = now_ns, .t = t };

		return adaptive_walk(x->map_fd[XDP_MAP_ADAPTIVE],
				     2ull * op25b_xdp_adaptive_capacity(x),
				     gauge_entry, &g);
	}
}

uint64_t
op25b_xdp_forgotten(const struct op25b_xdp *x)
{
	return x != NULL ? x->forgotten : 0;
}

/* The program's clock as it reads it: the test clock when one is set. */
static uint64_t
program_now(const struct op25b_xdp *x)
{
	if (x->skel != NULL && x->skel->bss != NULL &&
	    x->skel->bss->op25b_clock_ns != 0)
		return x->skel->bss->op25b_clock_ns;
	return op25b_xdp_clock_now();
}

/* Whether generation @v (of @policy) keeps the source of @key, counted
 * under @slot: adaptive_key_kept()'s rule, as op25b's (lib/classify),
 * with the generation's rules and the policy's lookup. */
static bool
keep_source(uint64_t key, uint32_t slot, const struct op25b_policy *policy,
	    const uint8_t *class_slot, const struct op25b_xdp_policy *v)
{
	unsigned int own = 0, now = 0;
	uint8_t addr[16];
	int family = adaptive_key_address(key, addr), k;

	if (slot < OP25B_STATS_SLOTS && v->adaptive[slot].per_ns != 0)
		own = v->adaptive[slot].ipv6_key;
	if (family != 0) {
		k = op25b_policy_match_source(
			policy, family == 4 ? AF_INET : AF_INET6, addr, NULL);
		if (k >= 0 && v->adaptive[class_slot[k]].per_ns != 0)
			now = v->adaptive[class_slot[k]].ipv6_key;
	}
	return adaptive_key_kept(key, addr, family, own, now);
}

/* The sources a reload forgets, gathered by the walk and deleted after
 * it: a deleted key would start a key-by-key walk again. */
struct forget {
	const struct op25b_policy *policy;
	const uint8_t *class_slot;
	const struct op25b_xdp_policy *v;
	uint64_t now;
	struct gone {
		uint64_t key;
		bool live;
	} * gone;
	size_t n, cap;
	int err;
};

static void
forget_entry(uint64_t key, const struct op25b_xdp_adaptive_entry *e, void *ctx)
{
	struct forget *f = ctx;

	if (f->err != 0 ||
	    keep_source(key, e->class_slot, f->policy, f->class_slot, f->v))
		return;
	if (f->n == f->cap) {
		size_t c = f->cap == 0 ? 1024 : f->cap * 2;
		struct gone *g = realloc(f->gone, c * sizeof(*g));

		if (g == NULL) {
			f->err = -ENOMEM;
			return;
		}
		f->gone = g;
		f->cap = c;
	}
	f->gone[f->n].key = key;
	f->gone[f->n].live = f->now < e->blocked_until || f->now < e->expire_at;
	f->n++;
}

int64_t
xdp_adaptive_forget(struct op25b_xdp *x, const struct op25b_policy *policy,
		    const uint8_t *class_slot, const struct op25b_xdp_policy *v)
{
	struct forget f = { .policy = policy,
			    .class_slot = class_slot,
			    .v = v,
			    .now = program_now(x) };
	int fd = x->map_fd[XDP_MAP_ADAPTIVE];
	int64_t forgotten = 0;
	size_t i;
	int err;

	if (fd < 0)
		return 0;
	err = adaptive_walk(fd, 2ull * op25b_xdp_adaptive_capacity(x),
			    forget_entry, &f);
	if (err == 0)
		err = f.err;
	/* A key seen twice (a walk started again) is deleted once: counted
	 * where its delete took it. */
	for (i = 0; i < f.n; i++)
		if (bpf_map_delete_elem(fd, &f.gone[i].key) == 0 &&
		    f.gone[i].live)
			forgotten++;
	free(f.gone);
	return err != 0 ? err : forgotten;
}

#ifdef OP25B_TEST_HOOKS
_Static_assert(OP25B_XDP_ADAPTIVE_TEST_RESTARTING ==
		       OP25B_XDP_ADAPTIVE_RESTARTING,
	       "the test's marker is the program's");

int
op25b_xdp_adaptive_test_swap_block(struct op25b_xdp *x, uint64_t key,
				   uint64_t *blocked_until)
{
	struct op25b_xdp_adaptive_entry e;
	int fd = x->map_fd[XDP_MAP_ADAPTIVE];
	uint64_t old;

	if (bpf_map_lookup_elem(fd, &key, &e) != 0)
		return -errno;
	old = e.blocked_until;
	e.blocked_until = *blocked_until;
	if (bpf_map_update_elem(fd, &key, &e, BPF_EXIST) != 0)
		return -errno;
	*blocked_until = old;
	return 0;
}
#endif
