/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The XDP program (lib/xdp) against the DPDK classifier, frame by frame,
 * through BPF_PROG_TEST_RUN: every case of test/vectors/ *.vec (one cmocka
 * test per case), the classify fuzz corpus, and random mutations of the
 * vectors' frames. For each frame: the same outcome, class and group, the
 * same disposition (forward = XDP_PASS, drop = XDP_DROP, reply = XDP_TX),
 * the same counters (but `chained`, an mbuf matter) and the same bytes out.
 * Adaptive classes: a sequence of SYNs and reloads on both sides, the
 * classifier's table on a test clock and the program's set to the same
 * time.
 *
 * block: notify: both sides on one fixed clock (notify_ns) and one key
 * (the test hook OP25B_NOTIFY_TEST_KEY), so that the SYN-ACKs' cookies and
 * the greetings are the same bytes; a handshake step by step.
 *
 * Skipped, and counted: frames shorter than an Ethernet header, on which
 * the kernel never runs XDP (BPF_PROG_TEST_RUN refuses them). Needs root
 * (CAP_BPF); without it every test is skipped.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <net/if.h>
#include <sys/wait.h>

#include <cmocka.h>
#include <rte_mbuf.h>

#include "notify.h"
#include "op25b_adaptive.h"
#include "op25b_classify.h"
#include "op25b_craft.h"
#include "op25b_exempt.h"
#include "op25b_policy.h"
#include "op25b_xdp.h"
#include "test_adaptive.h"
#include "test_eal.h"
#include "test_frames.h"
#include "test_vec.h"
#include "test_vec_files.h"
#include "test_mbuf.h"

/* Random frames: mutations of every vector's frame, from a fixed seed. */
#define MUTATIONS_PER_FRAME 64

struct vec_set {
	struct op25b_vector_file vf;
	struct op25b_policy *policy;
	struct op25b_classifier *classifier;
	struct op25b_xdp *xdp;
	/* the DPDK side's exemptions, as applied to the program (NULL:
	 * none) */
	struct op25b_exempt_table *exempt;
	char path[1024];
};

static struct rte_mempool *pool;
static unsigned int runts_skipped, frames_compared;

/* What one side did to a frame. */
struct verdict {
	struct op25b_classify_result r;
	struct op25b_stats_counters counters;
	uint8_t out[OP25B_CRAFT_FRAME_MAX];
	uint32_t out_len;
};

static int
run_dpdk(struct vec_set *s, const uint8_t *frame, uint32_t len,
	 struct verdict *v)
{
	struct rte_mbuf *m = test_mbuf_chain(pool, frame, len, len, len);
	const uint8_t *bytes;

	if (m == NULL)
		return -ENOMEM;
	memset(&v->counters, 0, sizeof(v->counters));
	op25b_classifier_classify_burst(s->classifier, s->exempt, &m, 1, &v->r,
					&v->counters);
	v->out_len = rte_pktmbuf_pkt_len(m);
	bytes = rte_pktmbuf_read(m, 0, v->out_len, v->out);
	if (bytes != v->out)
		memcpy(v->out, bytes, v->out_len);
	rte_pktmbuf_free(m);
	return 0;
}

/* The program's verdict, read from its counters before and after. */
static int
run_xdp(struct vec_set *s, const uint8_t *frame, uint32_t len,
	struct verdict *v)
{
	static struct op25b_stats_counters before, after;
	struct op25b_xdp_run run;
	uint64_t *b = (uint64_t *)&before, *a = (uint64_t *)&after,
		 *d = (uint64_t *)&v->counters;
	size_t i;
	int err;

	if ((err = op25b_xdp_counters(s->xdp, &before)) != 0 ||
	    (err = op25b_xdp_test_run(s->xdp, frame, len, v->out,
				      sizeof(v->out), 0, &run)) != 0 ||
	    (err = op25b_xdp_counters(s->xdp, &after)) != 0)
		return err;
	for (i = 0; i < sizeof(before) / sizeof(uint64_t); i++)
		d[i] = a[i] - b[i];
	memset(&v->r, 0, sizeof(v->r));
	for (i = 0; i < OP25B_OUTCOME_MAX; i++)
		if (v->counters.outcome[i] != 0)
			v->r.outcome = (uint8_t)i;
	for (i = 0; i < OP25B_STATS_SLOTS; i++) {
		unsigned int k;

		for (k = 0; k < OP25B_VERDICT_MAX; k++) {
			if (v->counters.class_verdict[i][k])
				v->r.class_slot = (uint8_t)i;
			if (v->counters.group_verdict[i][k])
				v->r.group_slot = (uint8_t)i;
		}
	}
	v->r.disposition =
		run.action == OP25B_XDP_PASS   ? OP25B_DISPOSITION_FORWARD
		: run.action == OP25B_XDP_TX   ? OP25B_DISPOSITION_REPLY
		: run.action == OP25B_XDP_DROP ? OP25B_DISPOSITION_DROP
					       : 0xff;
	v->out_len = run.out_len;
	return 0;
}

/* Compare both sides on one frame; a message in @why when they differ. */
static int
compare(struct vec_set *s, const uint8_t *frame, uint32_t len, char *why,
	size_t size)
{
	static struct verdict d, x;
	unsigned int i;

	if (len < 14) {
		runts_skipped++;
		return 0;
	}
	if (run_dpdk(s, frame, len, &d) != 0 ||
	    run_xdp(s, frame, len, &x) != 0) {
		snprintf(why, size, "a run failed: %s", strerror(errno));
		return -1;
	}
	frames_compared++;
	/* `chained` counts mbuf chains: a frame in one mbuf, never. */
	d.counters.frame[OP25B_FRAME_CHAINED] = 0;
	/* The program's class and group are read from its verdict counters,
	 * which an exempted packet is in none of (on both sides): only the
	 * outcome tells. */
	if (x.r.outcome == OP25B_OUTCOME_EXEMPTED &&
	    d.r.outcome == OP25B_OUTCOME_EXEMPTED) {
		x.r.class_slot = d.r.class_slot;
		x.r.group_slot = d.r.group_slot;
	}
	if (memcmp(&d.r, &x.r, sizeof(d.r)) != 0) {
		snprintf(why, size,
			 "dpdk %s/%u class %u group %u, xdp %s/%u class %u "
			 "group %u",
			 op25b_outcome_name(d.r.outcome), d.r.disposition,
			 d.r.class_slot, d.r.group_slot,
			 op25b_outcome_name(x.r.outcome), x.r.disposition,
			 x.r.class_slot, x.r.group_slot);
		return -1;
	}
	for (i = 0; i < OP25B_FRAME_MAX; i++)
		if (d.counters.frame[i] != x.counters.frame[i]) {
			snprintf(why, size,
				 "counter %s: dpdk %" PRIu64 ", xdp %" PRIu64,
				 op25b_frame_counter_name(i),
				 d.counters.frame[i], x.counters.frame[i]);
			return -1;
		}
	if (memcmp(&d.counters, &x.counters, sizeof(d.counters)) != 0) {
		snprintf(why, size, "the counters differ");
		return -1;
	}
	if (d.r.disposition != OP25B_DISPOSITION_DROP &&
	    (d.out_len != x.out_len || memcmp(d.out, x.out, d.out_len) != 0)) {
		snprintf(why, size, "bytes out differ (dpdk %u, xdp %u bytes)",
			 d.out_len, x.out_len);
		return -1;
	}
	return 0;
}

static void
run_case(void **state)
{
	const struct test_vec_case *vc = *state;
	struct vec_set *set = vc->set;
	char why[256];

	if (set->xdp == NULL)
		skip();
	if (vc->c->frame_len < 14) {
		print_message("%s: %u bytes, shorter than an Ethernet header: "
			      "the kernel runs no XDP program on it\n",
			      vc->c->name, vc->c->frame_len);
		skip();
	}
	if (compare(set, vc->c->frame, vc->c->frame_len, why, sizeof(why)) != 0)
		fail_msg("%s:%u: %s: %s", set->path, vc->c->line, vc->c->name,
			 why);
}

static struct vec_set sets[64];
static unsigned int n_sets;

/* The fuzzer's classify corpus under the first set's policy (enforce:
 * block: reset, classes and groups on both families). */
static void
run_corpus(void **state)
{
	static uint8_t frame[OP25B_CRAFT_FRAME_MAX];
	const char *root = getenv("OP25B_SOURCE_ROOT");
	struct vec_set *s = &sets[0];
	char dir[1024], path[2048], why[256];
	unsigned int n = 0, failed = 0;
	struct dirent *de;
	DIR *d;

	(void)state;
	if (s->xdp == NULL)
		skip();
	snprintf(dir, sizeof(dir), "%s/test/fuzz/corpus/classify",
		 root ? root : ".");
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		FILE *f;
		size_t len;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		f = fopen(path, "rb");
		assert_non_null(f);
		len = fread(frame, 1, sizeof(frame), f);
		fclose(f);
		n++;
		if (compare(s, frame, (uint32_t)len, why, sizeof(why)) != 0) {
			print_message("%s: %s\n", path, why);
			failed++;
		}
	}
	closedir(d);
	print_message("corpus: %u frames, %u differ\n", n, failed);
	assert_true(n > 0);
	assert_int_equal(failed, 0);
}

/* Mutations: bytes flipped in the headers' first 128 bytes, the frame cut
 * or grown; every vector set's policy, a fixed seed. */
static void
run_random(void **state)
{
	static uint8_t frame[OP25B_CRAFT_FRAME_MAX];
	uint64_t seed = 0x6f703235622d7864ull;
	unsigned int i, j, k, n = 0, failed = 0;
	char why[256];

	(void)state;
	if (sets[0].xdp == NULL)
		skip();
	for (i = 0; i < n_sets; i++) {
		struct vec_set *s = &sets[i];

		if (s->xdp == NULL) /* a policy the program refuses */
			continue;
		for (j = 0; j < s->vf.n_cases; j++) {
			const struct op25b_vector_case *c = &s->vf.cases[j];

			for (k = 0; k < MUTATIONS_PER_FRAME; k++) {
				uint32_t len = c->frame_len, flips, f;

				memcpy(frame, c->frame, len);
				seed = seed * 6364136223846793005ull +
				       1442695040888963407ull;
				flips = 1 + (uint32_t)(seed >> 61);
				for (f = 0; f < flips && len > 0; f++) {
					seed = seed * 6364136223846793005ull +
					       1442695040888963407ull;
					frame[(seed >> 33) %
					      (len < 128 ? len : 128)] ^=
						(uint8_t)(1u << ((seed >> 20) &
								 7));
				}
				if ((seed >> 40) % 8 == 0 && len > 14)
					len -= (uint32_t)((seed >> 44) % 16);
				n++;
				if (compare(s, frame, len, why, sizeof(why)) !=
				    0) {
					if (failed++ < 10)
						print_message(
							"%s: %s mutation %u: %s\n",
							s->path, c->name, k,
							why);
				}
			}
		}
	}
	print_message("random: %u frames, %u differ; %u compared in all, %u "
		      "runts skipped\n",
		      n, failed, frames_compared, runts_skipped);
	assert_int_equal(failed, 0);
}

/* The set of enforce.vec (blocks and resets on both families). */
static struct vec_set *
enforce_set(void)
{
	unsigned int i;

	for (i = 0; i < n_sets; i++)
		if (strstr(sets[i].path, "/enforce.vec") != NULL)
			return sets[i].xdp != NULL ? &sets[i] : NULL;
	return NULL;
}

static const struct op25b_vector_case *
find_case(const struct vec_set *s, const char *name)
{
	unsigned int i;

	for (i = 0; i < s->vf.n_cases; i++)
		if (strcmp(s->vf.cases[i].name, name) == 0)
			return &s->vf.cases[i];
	fail_msg("%s: no case %s", s->path, name);
	return NULL;
}

static void
add_exempt(struct op25b_exempt_registry *reg, const char *text, uint32_t ttl)
{
	struct op25b_prefix p;

	assert_int_equal(op25b_prefix_parse(text, &p, NULL), 0);
	assert_int_equal(op25b_exempt_registry_add(reg, &p, ttl, "test", 0,
						   op25b_xdp_now_ms(), NULL),
			 0);
}

/* The program's action and outcome on case @name. */
static void
xdp_on(struct vec_set *s, const char *name, uint32_t *action,
       unsigned int *outcome)
{
	const struct op25b_vector_case *c = find_case(s, name);
	static uint8_t out[OP25B_CRAFT_FRAME_MAX];
	struct op25b_stats_counters before, after;
	struct op25b_xdp_run run;
	unsigned int i;

	assert_int_equal(op25b_xdp_counters(s->xdp, &before), 0);
	assert_int_equal(op25b_xdp_test_run(s->xdp, c->frame, c->frame_len, out,
					    sizeof(out), 0, &run),
			 0);
	assert_int_equal(op25b_xdp_counters(s->xdp, &after), 0);
	*action = run.action;
	*outcome = OP25B_OUTCOME_MAX;
	for (i = 0; i < OP25B_OUTCOME_MAX; i++)
		if (after.outcome[i] != before.outcome[i])
			*outcome = i;
	/* An exempt frame leaves untouched. */
	if (*outcome == OP25B_OUTCOME_EXEMPTED) {
		assert_int_equal(run.out_len, c->frame_len);
		assert_memory_equal(out, c->frame, c->frame_len);
	}
}

#define assert_xdp(s, name, act, out)                                          \
	do {                                                                   \
		uint32_t a_;                                                   \
		unsigned int o_;                                               \
		xdp_on(s, name, &a_, &o_);                                     \
		if (a_ != (act) || o_ != (out))                                \
			fail_msg("%s: action %u outcome %s, expected %u %s",   \
				 name, a_,                                     \
				 o_ < OP25B_OUTCOME_MAX                        \
					 ? op25b_outcome_name(o_)              \
					 : "none",                             \
				 (unsigned int)(act),                          \
				 op25b_outcome_name(out));                     \
	} while (0)

/*
 * Exemptions applied with the policy (op25b_xdp_apply): every case of
 * enforce.vec against the DPDK classifier given the same exemptions, then
 * a blocked and a reset source forwarded untouched as `exempted`.
 */
static void
run_exempt_apply(void **state)
{
	static const char *const prefixes[] = { "198.18.5.9", "198.18.8.0/22",
						"198.19.200.0/24",
						"2001:db8:1000::/48" };
	struct vec_set *s = enforce_set();
	struct op25b_exempt_registry *reg;
	unsigned int i, failed = 0;
	char why[256];

	(void)state;
	if (s == NULL)
		skip();
	reg = op25b_exempt_registry_create();
	assert_non_null(reg);
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		add_exempt(reg, prefixes[i], 0);
	s->exempt = op25b_exempt_table_build(reg, SOCKET_ID_ANY);
	assert_non_null(s->exempt);
	assert_int_equal(op25b_xdp_apply(s->xdp, s->policy, reg, NULL), 0);
	for (i = 0; i < s->vf.n_cases; i++)
		if (compare(s, s->vf.cases[i].frame, s->vf.cases[i].frame_len,
			    why, sizeof(why)) != 0) {
			print_message("%s: %s\n", s->vf.cases[i].name, why);
			failed++;
		}
	assert_int_equal(failed, 0);
	assert_xdp(s, "dyn-syn-outside", OP25B_XDP_PASS,
		   OP25B_OUTCOME_EXEMPTED);
	assert_xdp(s, "dyn-data-outside", OP25B_XDP_PASS,
		   OP25B_OUTCOME_EXEMPTED);
	assert_xdp(s, "dyn-to-mobile-mx", OP25B_XDP_PASS,
		   OP25B_OUTCOME_EXEMPTED);
	assert_xdp(s, "v6-dyn-syn", OP25B_XDP_PASS, OP25B_OUTCOME_EXEMPTED);
	/* Not covered: still reset. */
	assert_xdp(s, "dyn-next-to-static", OP25B_XDP_TX, OP25B_OUTCOME_RESET);
	/* A reload without them: enforced again. */
	op25b_exempt_table_free(s->exempt);
	s->exempt = NULL;
	assert_int_equal(op25b_xdp_apply(s->xdp, s->policy, NULL, NULL), 0);
	assert_xdp(s, "dyn-syn-outside", OP25B_XDP_TX, OP25B_OUTCOME_RESET);
	op25b_exempt_registry_free(reg);
}

/* An expiry in milliseconds whose nanoseconds are, modulo 2^64, the
 * wall clock a second ago (a multiple of 64 ns: 2^64 and 10^6 share 2^6,
 * so only those have such an expiry; 2^64 mod 10^6 = 551616). */
static uint64_t
wrapping_expiry_ms(void)
{
	uint64_t target = (op25b_xdp_now_ms() - 1000) * 1000000 & ~63ull;
	unsigned int k;

	for (k = 1; k < 1000000; k++)
		if ((target % 1000000 + (uint64_t)k * 551616) % 1000000 == 0)
			break;
	/* (target + k * 2^64) / 10^6, without 128 bits: 2^64 / 10^6 is
	 * 18446744073709 rest 551616. */
	return target / 1000000 + (uint64_t)k * 18446744073709ull +
	       (target % 1000000 + (uint64_t)k * 551616) / 1000000;
}

/*
 * Live changes (op25b_xdp_exempt_set/del, as op25b-xdp exempt add/del) and
 * expiry: an expired exemption no longer applies, a shorter one under it
 * still does.
 */
static void
run_exempt_live(void **state)
{
	struct vec_set *s = enforce_set();
	struct op25b_exempt_entry e = { 0 }, wide = { 0 };

	(void)state;
	if (s == NULL)
		skip();
	assert_int_equal(op25b_xdp_apply(s->xdp, s->policy, NULL, NULL), 0);
	assert_int_equal(op25b_prefix_parse("198.18.5.9", &e.prefix, NULL), 0);
	assert_int_equal(op25b_xdp_exempt_set(s->xdp, &e), 0);
	assert_xdp(s, "dyn-syn-outside", OP25B_XDP_PASS,
		   OP25B_OUTCOME_EXEMPTED);
	assert_int_equal(op25b_xdp_exempt_del(s->xdp, &e.prefix), 0);
	assert_xdp(s, "dyn-syn-outside", OP25B_XDP_TX, OP25B_OUTCOME_RESET);
	/* A /32 expiring in 300 ms over a /16 that never does, then alone. */
	e.expires = op25b_xdp_now_ms() + 300;
	assert_int_equal(op25b_xdp_exempt_set(s->xdp, &e), 0);
	assert_int_equal(
		op25b_prefix_parse("198.18.0.0/16", &wide.prefix, NULL), 0);
	assert_int_equal(op25b_xdp_exempt_set(s->xdp, &wide), 0);
	assert_xdp(s, "dyn-syn-outside", OP25B_XDP_PASS,
		   OP25B_OUTCOME_EXEMPTED);
	usleep(400 * 1000);
	assert_xdp(s, "dyn-syn-outside", OP25B_XDP_PASS,
		   OP25B_OUTCOME_EXEMPTED);
	assert_int_equal(op25b_xdp_exempt_del(s->xdp, &wide.prefix), 0);
	assert_xdp(s, "dyn-syn-outside", OP25B_XDP_TX, OP25B_OUTCOME_RESET);
	/* Already expired: deleted, not put. */
	e.expires = op25b_xdp_now_ms() - 1;
	assert_int_equal(op25b_xdp_exempt_set(s->xdp, &e), 0);
	assert_xdp(s, "dyn-syn-outside", OP25B_XDP_TX, OP25B_OUTCOME_RESET);
	/* A deletion of what is not there is no error. */
	assert_int_equal(op25b_xdp_exempt_del(s->xdp, &e.prefix), 0);
	/* An expiry past 2262, whose nanoseconds wrap 64 bits to a second
	 * ago on the wall clock: the program's clock read it as expired (a
	 * state file takes years to 9999). That far, it is never. */
	e.expires = wrapping_expiry_ms();
	assert_true(e.expires > (uint64_t)INT64_MAX / 1000000);
	assert_int_equal(op25b_xdp_exempt_set(s->xdp, &e), 0);
	assert_xdp(s, "dyn-syn-outside", OP25B_XDP_PASS,
		   OP25B_OUTCOME_EXEMPTED);
	assert_int_equal(op25b_xdp_exempt_del(s->xdp, &e.prefix), 0);
}

/* What op25b-stat --xdp shows as the mode and block style: the applied
 * generation's, read back from the program's maps, for every vector file's
 * policy (monitor.vec's monitor, enforce.vec's reset, notify.vec's
 * notify among them). */
static void
run_switches(void **state)
{
	unsigned int i, mode, block, seen_mode = 0, seen_block = 0;

	(void)state;
	for (i = 0; i < n_sets; i++) {
		struct vec_set *s = &sets[i];

		if (s->xdp == NULL)
			continue;
		assert_int_equal(op25b_xdp_apply(s->xdp, s->policy, NULL, NULL),
				 0);
		assert_int_equal(op25b_xdp_switches(s->xdp, &mode, &block), 0);
		assert_int_equal(mode,
				 op25b_policy_mode_stats(s->policy->mode));
		assert_int_equal(block,
				 op25b_policy_block_stats(s->policy->block));
		seen_mode |= 1u << mode;
		seen_block |= 1u << block;
	}
	if (seen_mode == 0)
		skip();
	assert_int_equal(seen_mode, (1u << OP25B_STATS_MODE_MAX) - 1);
	assert_true(seen_block & (1u << OP25B_STATS_BLOCK_RESET));
	assert_true(seen_block & (1u << OP25B_STATS_BLOCK_NOTIFY));
}

/* Whether @names has @name among the active classes (@group: groups). */
static bool
name_active(const struct op25b_stats_names *names, const char *name, bool group)
{
	unsigned int i;

	for (i = 1; i < OP25B_STATS_SLOTS; i++)
		if (strcmp(group ? names->group_name[i] : names->class_name[i],
			   name) == 0)
			return group ? names->group_active[i]
				     : names->class_active[i];
	return false;
}

/* An apply refused after it wrote the new names (a map full at its last
 * update; the test hook stands for it): the names are those of before,
 * byte for byte, the running policy still enforces, and the same policy
 * applied afterwards names its class and group. */
static void
run_names_rollback(void **state)
{
	static const char yaml[] = "version: 1\n"
				   "sources:\n"
				   "  rollback-class:\n"
				   "    action: block\n"
				   "    prefixes: [198.18.99.0/24]\n"
				   "destinations:\n"
				   "  rollback-group:\n"
				   "    action: allow\n"
				   "    prefixes: [192.0.2.99/32]\n";
	struct vec_set *s = enforce_set();
	struct op25b_stats_names *before, *after;
	struct op25b_policy *p;

	(void)state;
	if (s == NULL)
		skip();
	before = malloc(sizeof(*before));
	after = malloc(sizeof(*after));
	assert_non_null(before);
	assert_non_null(after);
	p = test_policy_of(yaml);
	assert_int_equal(op25b_xdp_apply(s->xdp, s->policy, NULL, NULL), 0);
	assert_int_equal(op25b_xdp_names(s->xdp, before), 0);
	assert_int_equal(setenv("OP25B_XDP_TEST_APPLY_FAIL", "1", 1), 0);
	assert_int_equal(op25b_xdp_apply(s->xdp, p, NULL, NULL), -ENOSPC);
	assert_false(op25b_xdp_switched(s->xdp));
	assert_int_equal(unsetenv("OP25B_XDP_TEST_APPLY_FAIL"), 0);
	assert_int_equal(op25b_xdp_names(s->xdp, after), 0);
	assert_memory_equal(before, after, sizeof(*before));
	/* Refused before the names were read: nothing is put back (the
	 * copy of before was unread memory, and went into the map). */
	assert_int_equal(setenv("OP25B_XDP_TEST_NAMES_UNREAD", "1", 1), 0);
	assert_int_equal(op25b_xdp_apply(s->xdp, p, NULL, NULL), -EIO);
	assert_int_equal(unsetenv("OP25B_XDP_TEST_NAMES_UNREAD"), 0);
	assert_int_equal(op25b_xdp_names(s->xdp, after), 0);
	assert_memory_equal(before, after, sizeof(*before));
	assert_xdp(s, "dyn-syn-outside", OP25B_XDP_TX, OP25B_OUTCOME_RESET);
	assert_int_equal(op25b_xdp_apply(s->xdp, p, NULL, NULL), 0);
	assert_true(op25b_xdp_switched(s->xdp));
	assert_int_equal(op25b_xdp_names(s->xdp, after), 0);
	assert_true(name_active(after, "rollback-class", false));
	assert_true(name_active(after, "rollback-group", true));
	assert_int_equal(op25b_xdp_apply(s->xdp, s->policy, NULL, NULL), 0);
	assert_xdp(s, "dyn-syn-outside", OP25B_XDP_TX, OP25B_OUTCOME_RESET);
	op25b_policy_free(p);
	free(before);
	free(after);
}

/* The exemptions file an apply records switches with its policy, in the
 * same store: NULL keeps the one recorded; one over 255 bytes is refused
 * before anything changes. A failure after the switch says it switched
 * (the test hook stands for the names' update or an old table's delete):
 * the new policy enforces, counted as a reload. */
static void
run_apply_exempt_file(void **state)
{
	static const char allow[] = "version: 1\n"
				    "default: allow\n";
	struct vec_set *s = enforce_set();
	struct op25b_xdp_state st;
	struct op25b_policy *p;
	char long_path[300];
	uint64_t reloads;

	(void)state;
	if (s == NULL)
		skip();
	p = test_policy_of(allow);
	assert_int_equal(op25b_xdp_apply(s->xdp, s->policy, NULL, "/a/x"), 0);
	assert_int_equal(op25b_xdp_state(s->xdp, &st), 0);
	assert_string_equal(st.exemptions, "/a/x");
	assert_int_equal(op25b_xdp_apply(s->xdp, s->policy, NULL, NULL), 0);
	assert_int_equal(op25b_xdp_state(s->xdp, &st), 0);
	assert_string_equal(st.exemptions, "/a/x");
	memset(long_path, 'a', sizeof(long_path) - 1);
	long_path[0] = '/';
	long_path[sizeof(long_path) - 1] = '\0';
	assert_int_equal(op25b_xdp_apply(s->xdp, p, NULL, long_path),
			 -ENAMETOOLONG);
	assert_false(op25b_xdp_switched(s->xdp));
	assert_int_equal(op25b_xdp_state(s->xdp, &st), 0);
	assert_string_equal(st.exemptions, "/a/x");
	assert_string_equal(st.policy, s->policy->file);
	assert_xdp(s, "dyn-syn-outside", OP25B_XDP_TX, OP25B_OUTCOME_RESET);
	reloads = st.reloads;
	assert_int_equal(setenv("OP25B_XDP_TEST_APPLY_FAIL_SWITCHED", "1", 1),
			 0);
	assert_int_equal(op25b_xdp_apply(s->xdp, p, NULL, ""), -EIO);
	assert_int_equal(unsetenv("OP25B_XDP_TEST_APPLY_FAIL_SWITCHED"), 0);
	assert_true(op25b_xdp_switched(s->xdp));
	assert_int_equal(op25b_xdp_state(s->xdp, &st), 0);
	assert_string_equal(st.exemptions, "");
	assert_string_equal(st.policy, p->file);
	assert_int_equal(st.reloads, reloads + 1);
	assert_int_equal(st.reload_failed, 0);
	assert_xdp(s, "dyn-syn-outside", OP25B_XDP_PASS,
		   OP25B_OUTCOME_FORWARDED);
	assert_int_equal(op25b_xdp_apply(s->xdp, s->policy, NULL, NULL), 0);
	assert_xdp(s, "dyn-syn-outside", OP25B_XDP_TX, OP25B_OUTCOME_RESET);
	op25b_policy_free(p);
}

/* The one line of a refusal: the verifier's last lines, statistics out. */
static void
run_log_summary(void **state)
{
	static const char framed[] =
		"libbpf: prog 'op25b_xdp': BPF program load failed: Permission "
		"denied\n"
		"libbpf: prog 'op25b_xdp': -- BEGIN PROG LOAD LOG --\n"
		"0: R1=ctx() R10=fp0\n"
		"0: (61) r2 = *(u32 *)(r1 +0)\n"
		"1: (71) r0 = *(u8 *)(r2 +0)\t\t ; R2=pkt(r=0)\n"
		"invalid access to packet, off=0 size=1, R2(id=0,off=0,r=0)\n"
		"R2 offset is outside of the packet\n"
		"processed 2 insns (limit 1000000) max_states_per_insn 0\n"
		"-- END PROG LOAD LOG --\n"
		"libbpf: prog 'op25b_xdp': failed to load: -13\n"
		"libbpf: failed to load object 'op25b_xdp_bpf'\n";
	/* The head lost to the tail buffer: no BEGIN. */
	static const char cut[] =
		"ate r=0)\nR2 offset is outside of the packet\nverification time "
		"12 usec\n-- END PROG LOAD LOG --\nlibbpf: failed\n";
	static const char bare[] = "libbpf: elf: skipping section\n"
				   "libbpf: failed to open object: -22\n\n";
	char out[256], tiny[12];

	(void)state;
	op25b_xdp_log_summary(framed, 3, out, sizeof(out));
	assert_string_equal(out, "1: (71) r0 = *(u8 *)(r2 +0) ; R2=pkt(r=0) | "
				 "invalid access to packet, off=0 size=1, "
				 "R2(id=0,off=0,r=0) | R2 offset is outside "
				 "of the packet");
	op25b_xdp_log_summary(framed, 1, out, sizeof(out));
	assert_string_equal(out, "R2 offset is outside of the packet");
	op25b_xdp_log_summary(cut, 3, out, sizeof(out));
	assert_string_equal(out,
			    "ate r=0) | R2 offset is outside of the packet");
	op25b_xdp_log_summary(bare, 3, out, sizeof(out));
	assert_string_equal(out, "elf: skipping section | failed to open "
				 "object: -22");
	op25b_xdp_log_summary("", 3, out, sizeof(out));
	assert_string_equal(out, "");
	op25b_xdp_log_summary(framed, 3, tiny, sizeof(tiny));
	assert_string_equal(tiny, "1: (71) r0 ");
}

/* A real refusal (OP25B_XDP_TEST_REJECT: the object loaded as a socket
 * filter): NULL, and the verifier's reason in the log. */
static void
run_reject(void **state)
{
	char log[4096], out[1024];
	struct op25b_xdp *x;

	(void)state;
	if (sets[0].xdp == NULL)
		skip();
	setenv("OP25B_XDP_TEST_REJECT", "1", 1);
	x = op25b_xdp_load(log, sizeof(log));
	unsetenv("OP25B_XDP_TEST_REJECT");
	assert_null(x);
	assert_true(errno == EINVAL || errno == EACCES);
	op25b_xdp_log_summary(log, 3, out, sizeof(out));
	if (strstr(out, "cannot use helper") == NULL)
		fail_msg("no reason in '%s'", out);
	assert_null(strchr(out, '\n'));
}

/* ---- detach: this instance's program, nothing else -------------------- */

/* The steps of run_detach_own() in a child: on lo of a network namespace
 * of its own, two instances' programs in turn. 0, 77 (no namespace to
 * make: skipped), or the step that failed. */
static int
detach_own_child(void)
{
	char log[4096] = "";
	struct op25b_xdp *a, *b;
	const char *mode;
	uint32_t id;
	int lo, step = 0;

	if (unshare(CLONE_NEWNET) != 0)
		return 77;
	lo = (int)if_nametoindex("lo");
	a = op25b_xdp_load(log, sizeof(log));
	b = op25b_xdp_load(log, sizeof(log));
	if (lo == 0 || a == NULL || b == NULL) {
		fprintf(stderr, "detach: lo %d, a load: %s\n", lo, log);
		return 1;
	}
#define DETACH_STEP(cond)                                                      \
	do {                                                                   \
		step++;                                                        \
		if (!(cond)) {                                                 \
			fprintf(stderr, "detach step %d: %s\n", step, #cond);  \
			return 1 + step;                                       \
		}                                                              \
	} while (0)
	DETACH_STEP(op25b_xdp_attach(a, lo, 1) == 0);
	DETACH_STEP(op25b_xdp_detach(a, lo) == 0);
	DETACH_STEP(op25b_xdp_query(lo, &id, &mode) == 0 && id == 0);
	/* b's in a's place: a's detach leaves it (the old code took it). */
	DETACH_STEP(op25b_xdp_attach(b, lo, 1) == 0);
	DETACH_STEP(op25b_xdp_detach(a, lo) == -EEXIST);
	DETACH_STEP(op25b_xdp_query(lo, &id, &mode) == 0 &&
		    id == op25b_xdp_prog_id(b) && id != 0);
	DETACH_STEP(op25b_xdp_detach(b, lo) == 0);
	DETACH_STEP(op25b_xdp_query(lo, &id, &mode) == 0 && id == 0);
	/* Nothing attached: nothing to do. */
	DETACH_STEP(op25b_xdp_detach(a, lo) == 0);
#undef DETACH_STEP
	op25b_xdp_close(a);
	op25b_xdp_close(b);
	return 0;
}

/* op25b_xdp_detach() takes its own program off an interface, and leaves
 * one attached in its place since the caller looked (XDP_FLAGS_REPLACE):
 * op25b-xdp unload compares the attached id with its own, then detaches. */
static void
run_detach_own(void **state)
{
	pid_t pid;
	int st;

	(void)state;
	if (sets[0].xdp == NULL)
		skip();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(detach_own_child());
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* ---- adaptive: both sides on one clock, across reloads ---------------- */

/* Two adaptive classes (slots 1 and 2 on both sides: the same order in
 * every policy below), block: reset. %u: hosting's connections, per (s);
 * other's prefixes. */
static const char adaptive_fmt[] = TEST_ADAPTIVE_POLICY(
	"connections: %u, per: %us, block_for: 1h",
	"  other:\n"
	"    action: adaptive\n"
	"    limit: {connections: 2, per: 60s, block_for: 1h}\n"
	"    prefixes: [%s]\n");

/* A step: at @ms, a reload to @conns/@per/@other when @conns, else the
 * frame of @spec, which must come out as @expect on both sides; @times
 * such frames 100 ms apart when above 1. */
struct adaptive_step {
	uint64_t ms;
	unsigned int conns, per;
	const char *other;
	const char *spec;
	uint8_t expect;
	unsigned int times;
};

#define AD_SYN(src) "src=" src " dst=203.0.113.5 dport=25 flags=S"
#define AD_SYN6(src) "src=" src " dst=2001:db8:ffff::9 dport=25 flags=S"
#define AD_F OP25B_OUTCOME_FORWARDED
#define AD_R OP25B_OUTCOME_RESET

static const struct adaptive_step adaptive_steps[] = {
	{ 1000, 2, 60, "198.19.0.0/16", NULL, 0 },
	{ 5000, 0, 0, NULL, AD_SYN("198.18.0.9"), AD_F, 2 },
	/* A reload that raises the limit: the count carries over. */
	{ 5200, 3, 60, "198.19.0.0/16", NULL, 0 },
	{ 5300, 0, 0, NULL, AD_SYN("198.18.0.9"), AD_F },
	{ 5400, 0, 0, NULL, AD_SYN("198.18.0.9"), AD_R },
	{ 5500, 0, 0, NULL,
	  "src=198.18.0.9 dst=203.0.113.5 dport=25 flags=A payload=10",
	  OP25B_OUTCOME_BLOCKED },
	{ 5600, 0, 0, NULL, "src=198.18.0.9 dst=192.0.2.25 dport=25 flags=S",
	  AD_F },
	{ 5700, 0, 0, NULL, "src=198.18.0.9 dst=203.0.113.5 dport=587 flags=S",
	  OP25B_OUTCOME_SUBMISSION },
	/* 198.18.7.7 moves to the other class: it starts from zero. */
	{ 6000, 0, 0, NULL, AD_SYN("198.18.7.7"), AD_F, 2 },
	{ 6200, 3, 60, "198.19.0.0/16, 198.18.7.0/24", NULL, 0 },
	{ 6300, 0, 0, NULL, AD_SYN("198.18.7.7"), AD_F, 2 },
	{ 6500, 0, 0, NULL, AD_SYN("198.18.7.7"), AD_R },
	/* A new `per` starts the window again. */
	{ 7000, 0, 0, NULL, AD_SYN("198.18.0.20"), AD_F, 2 },
	{ 7200, 3, 120, "198.19.0.0/16, 198.18.7.0/24", NULL, 0 },
	{ 7300, 0, 0, NULL, AD_SYN("198.18.0.20"), AD_F, 3 },
	{ 7600, 0, 0, NULL, AD_SYN("198.18.0.20"), AD_R },
	/* IPv6: one /64 is one source. */
	{ 8000, 0, 0, NULL,
	  "src=2001:db8:100:1::1 dst=2001:db8:ffff::9 dport=25 flags=S", AD_F },
	{ 8100, 0, 0, NULL,
	  "src=2001:db8:100:1::2 dst=2001:db8:ffff::9 dport=25 flags=S", AD_F },
	{ 8200, 0, 0, NULL,
	  "src=2001:db8:100:1::3 dst=2001:db8:ffff::9 dport=25 flags=S", AD_F },
	{ 8300, 0, 0, NULL,
	  "src=2001:db8:100:1::4 dst=2001:db8:ffff::9 dport=25 flags=S", AD_R },
	{ 8400, 0, 0, NULL,
	  "src=2001:db8:100:2::1 dst=2001:db8:ffff::9 dport=25 flags=S", AD_F },
	/* 198.18.0.20, blocked at 7.6 s, moved to the other class: the
	 * block runs on there (a SYN and a segment), its count would start
	 * again once it ends. */
	{ 9000, 3, 120, "198.19.0.0/16, 198.18.7.0/24, 198.18.0.20/32", NULL,
	  0 },
	{ 9100, 0, 0, NULL, AD_SYN("198.18.0.20"), AD_R },
	{ 9200, 0, 0, NULL,
	  "src=198.18.0.20 dst=203.0.113.5 dport=25 flags=A payload=10",
	  OP25B_OUTCOME_BLOCKED },
	/* Sources no subscriber prefix holds (adaptive_key.h): a forged
	 * multicast one is a source of its own, not 198.18.0.5 (whose key
	 * it had); an IPv4-mapped one is counted (key 0: it never was). */
	{ 9300, 3, 120,
	  "198.19.0.0/16, 198.18.7.0/24, 198.18.0.20/32, "
	  "\"::ffff:198.18.0.0/112\", \"ff00::/8\"",
	  NULL, 0 },
	{ 9400, 0, 0, NULL, AD_SYN6("ff00:0:c612:5::1"), AD_F, 2 },
	/* Blocked at its third SYN: dropped, as no reply goes to a group
	 * address. */
	{ 9600, 0, 0, NULL, AD_SYN6("ff00:0:c612:5::1"),
	  OP25B_OUTCOME_BLOCKED },
	{ 9700, 0, 0, NULL, AD_SYN("198.18.0.5"), AD_F },
	{ 9800, 0, 0, NULL, AD_SYN6("::ffff:198.18.0.5"), AD_F, 2 },
	{ 10000, 0, 0, NULL, AD_SYN6("::ffff:198.18.0.5"), AD_R },
	/* Blocked for 1 h from 5.4 s; 198.18.0.9 starts again after it. */
	{ 3605300, 0, 0, NULL, AD_SYN("198.18.0.9"), AD_R },
	{ 3605500, 0, 0, NULL, AD_SYN("198.18.0.9"), AD_F },
};

/* Both sides' clocks at @ms. */
static void
adaptive_at(struct vec_set *s, uint64_t ms)
{
	test_adaptive_ms = ms;
	assert_int_equal(op25b_xdp_set_clock(s->xdp, ms * 1000000u), 0);
}

/* The frame of @st at @ms through both sides of @s: the same verdicts,
 * counters and bytes (compare()), and @st's expected outcome. */
static void
adaptive_frame(struct vec_set *s, const struct adaptive_step *st, uint64_t ms)
{
	static struct op25b_stats_counters before, after;
	uint8_t frame[OP25B_CRAFT_FRAME_MAX];
	struct op25b_craft_spec spec;
	char why[256];
	int len;

	adaptive_at(s, ms);
	op25b_craft_spec_init(&spec);
	assert_int_equal(
		op25b_craft_spec_parse(&spec, st->spec, NULL, why, sizeof(why)),
		0);
	len = op25b_craft_build(&spec, frame, sizeof(frame));
	assert_true(len > 0);
	/* The expected outcome from the program's counters: compare() has
	 * made sure the classifier's is the same. */
	assert_int_equal(op25b_xdp_counters(s->xdp, &before), 0);
	if (compare(s, frame, (uint32_t)len, why, sizeof(why)) != 0)
		fail_msg("at %" PRIu64 " ms (%s): %s", ms, st->spec, why);
	assert_int_equal(op25b_xdp_counters(s->xdp, &after), 0);
	if (after.outcome[st->expect] != before.outcome[st->expect] + 1)
		fail_msg("at %" PRIu64 " ms (%s): not %s", ms, st->spec,
			 op25b_outcome_name(st->expect));
}

/* A set of both sides for the adaptive runs, named @name: the program
 * loaded, and the classifiers' table (returned) on test_adaptive_ms. */
static struct op25b_adaptive_table *
adaptive_set_open(struct vec_set *s, const char *name)
{
	struct op25b_adaptive_table *t = test_adaptive_table();
	char log[2048];

	assert_non_null(t);
	s->xdp = op25b_xdp_load(log, sizeof(log));
	assert_non_null(s->xdp);
	snprintf(s->path, sizeof(s->path), "%s", name);
	return t;
}

/* Policy @p on both sides of @s: the classifier (on table @t) made again,
 * the program's maps applied. */
static void
adaptive_set_apply(struct vec_set *s, struct op25b_adaptive_table *t,
		   const struct op25b_policy *p)
{
	op25b_classifier_free(s->classifier);
	s->classifier = op25b_classifier_create(p, SOCKET_ID_ANY, NULL, NULL);
	assert_non_null(s->classifier);
	assert_int_equal(op25b_classifier_set_adaptive(s->classifier, t), 0);
	assert_int_equal(op25b_xdp_apply(s->xdp, p, NULL, NULL), 0);
}

/* The classifier with a table on test_adaptive_ms and the program with its
 * clock set to the same time, step by step: the same verdicts, counters
 * and bytes, the expected outcome, and the same adaptive_triggered per
 * class. */
static void
run_adaptive(void **state)
{
	static uint64_t xdp_class[OP25B_STATS_SLOTS][OP25B_CLASS_ADAPTIVE_MAX];
	static uint64_t dpdk_class[OP25B_STATS_SLOTS];
	struct op25b_xdp_adaptive_totals xt;
	struct op25b_adaptive_totals dt;
	struct op25b_adaptive_table *t;
	struct op25b_policy *p = NULL;
	struct vec_set s = { 0 };
	char yaml[1024];
	unsigned int i, k;

	(void)state;
	if (sets[0].xdp == NULL)
		skip();
	t = adaptive_set_open(&s, "adaptive");
	for (i = 0; i < RTE_DIM(adaptive_steps); i++) {
		const struct adaptive_step *st = &adaptive_steps[i];

		if (st->conns == 0) {
			for (k = 0; k < RTE_MAX(st->times, 1u); k++)
				adaptive_frame(&s, st, st->ms + 100 * k);
			continue;
		}
		adaptive_at(&s, st->ms);
		snprintf(yaml, sizeof(yaml), adaptive_fmt, st->conns, st->per,
			 st->other);
		op25b_classifier_free(s.classifier);
		s.classifier = NULL;
		op25b_policy_free(p);
		p = test_policy_of(yaml);
		adaptive_set_apply(&s, t, p);
	}
	op25b_adaptive_totals(t, &dt, dpdk_class);
	assert_int_equal(op25b_xdp_adaptive(s.xdp, 3605500ull * 1000000u, &xt,
					    xdp_class),
			 0);
	assert_int_equal(xt.adaptive_triggered, dt.adaptive_triggered);
	assert_int_equal(xt.adaptive_triggered, 6);
	for (i = 0; i < OP25B_STATS_SLOTS; i++)
		assert_int_equal(xdp_class[i][OP25B_CLASS_ADAPTIVE_TRIGGERED],
				 dpdk_class[i]);
	assert_int_equal(dpdk_class[1], 3);
	assert_int_equal(dpdk_class[2], 3);
	/* Blocked now: 198.18.0.20, 198.18.7.7, the /64, the multicast and
	 * the IPv4-mapped source (for 1 h from 6.5, 7.6, 8.3, 9.6, 10 s);
	 * 198.18.0.9 is tracked again; 198.18.0.5's window (120 s) has
	 * ended. */
	assert_int_equal(xt.adaptive_blocked, 5);
	assert_int_equal(xt.adaptive_tracked, 6);
	op25b_classifier_free(s.classifier);
	op25b_policy_free(p);
	op25b_xdp_close(s.xdp);
	op25b_adaptive_free(t);
}

/* What a reload forgets, on both sides alike (op25b_classifier_adaptive_
 * forget(), the program's at op25b_xdp_apply(, NULL)): phases of a policy, the
 * sources forgotten at its reload (the same number on each side), and
 * frames after it. Without the walk, each "counted from one" frame below
 * came out reset: the old block back. */
/* Every policy names the same four classes in one order, so that a class
 * has one counter slot on both sides (the program's by name, the test's
 * classifier by position): hosting's action and limit, its prefixes,
 * pinned's prefixes, v6's action and limit, its prefixes. */
#define FORGET_POLICY(hosting, hosting_prefixes, pinned, v6, v6_prefixes)      \
	"version: 1\n"                                                         \
	"block: reset\n"                                                       \
	"ports: {smtp: [25], submission: [587]}\n"                             \
	"sources:\n"                                                           \
	"  hosting:\n"                                                         \
	"    " hosting "\n"                                                    \
	"    prefixes: [" hosting_prefixes "]\n"                               \
	"  other:\n"                                                           \
	"    action: adaptive\n"                                               \
	"    limit: {connections: 2, per: 60s, block_for: 1h}\n"               \
	"    prefixes: [198.19.0.0/16]\n"                                      \
	"  pinned:\n"                                                          \
	"    action: allow\n"                                                  \
	"    prefixes: [" pinned "]\n"                                         \
	"  v6:\n"                                                              \
	"    " v6 "\n"                                                         \
	"    prefixes: [" v6_prefixes "]\n"                                    \
	"destinations:\n"                                                      \
	"  relays:\n"                                                          \
	"    action: allow\n"                                                  \
	"    prefixes: [192.0.2.25/32]\n"
#define FORGET_ADAPTIVE                                                        \
	"action: adaptive\n"                                                   \
	"    limit: {connections: 2, per: 60s, block_for: 1h}"
#define FORGET_ADAPTIVE56                                                      \
	"action: adaptive\n"                                                   \
	"    limit: {connections: 2, per: 60s, block_for: 1h, ipv6_key: /56}"

static const char forget_start[] =
	FORGET_POLICY(FORGET_ADAPTIVE, "198.18.0.0/16, 2001:db8:100::/40",
		      "198.20.0.0/16", "action: allow", "2001:db8:200::/40");
/* hosting made allow. */
static const char forget_allow[] =
	FORGET_POLICY("action: allow", "198.18.0.0/16, 2001:db8:100::/40",
		      "198.20.0.0/16", "action: allow", "2001:db8:200::/40");
/* hosting still adaptive; 198.18.0.9 moved to pinned, which allows. */
static const char forget_moved[] = FORGET_POLICY(
	FORGET_ADAPTIVE, "198.18.0.0/16, 2001:db8:100::/40",
	"198.20.0.0/16, 198.18.0.9/32", "action: allow", "2001:db8:200::/40");
/* hosting allows, IPv4 only; its IPv6 prefix moved to v6, adaptive and
 * keyed by /56: a /64 key of hosting is no key of it. */
static const char forget_v6[] = FORGET_POLICY(
	"action: allow", "198.18.0.0/16", "198.20.0.0/16", FORGET_ADAPTIVE56,
	"2001:db8:100::/40, 2001:db8:200::/40");

struct forget_phase {
	const char *yaml;
	uint64_t ms;
	unsigned int forgotten;
	struct adaptive_step steps[6];
};

static const struct forget_phase forget_phases[] = {
	{ forget_start,
	  500,
	  0,
	  { { 1000, 0, 0, NULL, AD_SYN("198.18.0.9"), AD_F, 2 },
	    { 1200, 0, 0, NULL, AD_SYN("198.18.0.9"), AD_R },
	    { 1300, 0, 0, NULL, AD_SYN("198.19.0.9"), AD_F, 2 },
	    { 1500, 0, 0, NULL, AD_SYN("198.19.0.9"), AD_R },
	    { 1600, 0, 0, NULL, AD_SYN6("2001:db8:100:1::1"), AD_F, 2 },
	    { 1800, 0, 0, NULL, AD_SYN6("2001:db8:100:1::2"), AD_R } } },
	/* hosting made allow: its two blocked sources go, other's stays. */
	{ forget_allow,
	  2000,
	  2,
	  { { 3000, 0, 0, NULL, AD_SYN("198.18.0.9"), AD_F },
	    { 3100, 0, 0, NULL, AD_SYN("198.19.0.9"), AD_R } } },
	/* Adaptive again: counted from one. */
	{ forget_start,
	  4000,
	  0,
	  { { 5000, 0, 0, NULL, AD_SYN("198.18.0.9"), AD_F, 2 },
	    { 5200, 0, 0, NULL, AD_SYN("198.18.0.9"), AD_R },
	    { 5300, 0, 0, NULL, AD_SYN6("2001:db8:100:1::3"), AD_F, 2 },
	    { 5500, 0, 0, NULL, AD_SYN6("2001:db8:100:1::5"), AD_R } } },
	/* 198.18.0.9 moved to an allow class, hosting still adaptive: it
	 * goes; the /64 stays with hosting. */
	{ forget_moved,
	  6000,
	  1,
	  { { 6100, 0, 0, NULL, AD_SYN("198.18.0.9"), AD_F },
	    { 6200, 0, 0, NULL, AD_SYN6("2001:db8:100:1::6"), AD_R } } },
	/* Back: 198.18.0.9 counted from one, the /64 still blocked. */
	{ forget_start,
	  8000,
	  0,
	  { { 8100, 0, 0, NULL, AD_SYN("198.18.0.9"), AD_F },
	    { 8200, 0, 0, NULL, AD_SYN6("2001:db8:100:1::7"), AD_R } } },
	/* hosting's IPv6 prefix to a class keyed by /56: the /64 key goes,
	 * and so does 198.18.0.9 (hosting allows it now). */
	{ forget_v6,
	  10000,
	  2,
	  { { 10100, 0, 0, NULL, AD_SYN6("2001:db8:100:1::8"), AD_F } } },
	/* Back: the /64 counted from one (the /56 key, the first /64 of
	 * its prefix, is hosting's key of 2001:db8:100::/64: kept). */
	{ forget_start,
	  12000,
	  0,
	  { { 12100, 0, 0, NULL, AD_SYN6("2001:db8:100:1::9"), AD_F } } },
};

static void
run_adaptive_forget(void **state)
{
	struct op25b_policy *p[RTE_DIM(forget_phases)] = { 0 };
	struct op25b_adaptive_table *t;
	struct vec_set s = { 0 };
	unsigned int i, j, k;
	uint64_t n;

	(void)state;
	if (sets[0].xdp == NULL)
		skip();
	t = adaptive_set_open(&s, "adaptive-forget");
	for (i = 0; i < RTE_DIM(forget_phases); i++) {
		const struct forget_phase *ph = &forget_phases[i];

		p[i] = test_policy_of(ph->yaml);
		adaptive_at(&s, ph->ms);
		adaptive_set_apply(&s, t, p[i]);
		n = op25b_classifier_adaptive_forget(s.classifier, t,
						     test_adaptive_ms);
		if (n != ph->forgotten ||
		    op25b_xdp_forgotten(s.xdp) != ph->forgotten)
			fail_msg("phase %u: forgotten %" PRIu64 " (op25b), "
				 "%" PRIu64 " (XDP), want %u",
				 i, n, op25b_xdp_forgotten(s.xdp),
				 ph->forgotten);
		for (j = 0; j < RTE_DIM(ph->steps) && ph->steps[j].spec; j++)
			for (k = 0; k < RTE_MAX(ph->steps[j].times, 1u); k++)
				adaptive_frame(&s, &ph->steps[j],
					       ph->steps[j].ms + 100 * k);
	}
	op25b_classifier_free(s.classifier);
	for (i = 0; i < RTE_DIM(p); i++)
		op25b_policy_free(p[i]);
	op25b_xdp_close(s.xdp);
	op25b_adaptive_free(t);
}

/* A source that stays active never sees an old sub-window's count again
 * (test_adaptive's test_window_never_aliases on both sides): limit 10 a
 * second, 9 SYNs at once, one 875 ms later, then one every 500 ms past
 * the 16-bit sub-window index's wrap (65536 sub-windows of 125 ms): every
 * SYN forwarded by the classifier and the program alike. */
static void
run_adaptive_no_alias(void **state)
{
	static const struct adaptive_step syn = {
		0, 0, 0, NULL, AD_SYN("198.18.0.9"), AD_F
	};
	struct op25b_adaptive_table *t;
	struct op25b_policy *p;
	struct vec_set s = { 0 };
	uint64_t ms, start = 1000000;
	unsigned int i;

	(void)state;
	if (sets[0].xdp == NULL)
		skip();
	t = adaptive_set_open(&s, "adaptive-alias");
	adaptive_at(&s, start);
	p = test_policy_of(TEST_ADAPTIVE_POLICY(
		"connections: 10, per: 1s, block_for: 1h", ""));
	adaptive_set_apply(&s, t, p);
	for (i = 0; i < 9; i++)
		adaptive_frame(&s, &syn, start);
	adaptive_frame(&s, &syn, start + 875);
	for (ms = start + 1375; ms < start + (65536 + 40) * 125; ms += 500)
		adaptive_frame(&s, &syn, ms);
	op25b_classifier_free(s.classifier);
	op25b_policy_free(p);
	op25b_xdp_close(s.xdp);
	op25b_adaptive_free(t);
}

/* The frame of @spec at @ms through the program alone: outcome @expect. */
static void
xdp_frame(struct vec_set *s, const char *spec_text, uint64_t ms, uint8_t expect)
{
	static struct op25b_stats_counters before, after;
	uint8_t frame[OP25B_CRAFT_FRAME_MAX], out[OP25B_CRAFT_FRAME_MAX];
	struct op25b_craft_spec spec;
	struct op25b_xdp_run run;
	char why[256];
	int len;

	assert_int_equal(op25b_xdp_set_clock(s->xdp, ms * 1000000u), 0);
	op25b_craft_spec_init(&spec);
	assert_int_equal(op25b_craft_spec_parse(&spec, spec_text, NULL, why,
						sizeof(why)),
			 0);
	len = op25b_craft_build(&spec, frame, sizeof(frame));
	assert_true(len > 0);
	assert_int_equal(op25b_xdp_counters(s->xdp, &before), 0);
	assert_int_equal(op25b_xdp_test_run(s->xdp, frame, (uint32_t)len, out,
					    sizeof(out), 0, &run),
			 0);
	assert_int_equal(op25b_xdp_counters(s->xdp, &after), 0);
	if (after.outcome[expect] != before.outcome[expect] + 1)
		fail_msg("at %" PRIu64 " ms (%s): not %s", ms, spec_text,
			 op25b_outcome_name(expect));
}

/* Another CPU's restart of a source whose block is over (the program's
 * adaptive_restart(), lib/adaptive's entry_restart()), planted: it is
 * nanoseconds wide. Limit 2 a minute, a block of 1 s. A SYN that meets
 * the marker reads again, and when the readings run out passes uncounted
 * (the block is over); a segment passes; the gauge counts no block. Once
 * the marker is gone (here: the ended block back, as if that restart had
 * never begun), a SYN restarts the count itself, the window of 3 SYNs
 * cleared: 2 pass, the third is blocked. */
static void
run_adaptive_restart_marker(void **state)
{
	static const char seg[] =
		"src=198.18.0.9 dst=203.0.113.5 dport=25 flags=A payload=10";
	struct op25b_xdp_adaptive_totals xt;
	struct op25b_policy *p;
	struct vec_set s = { 0 };
	uint64_t key = op25b_adaptive_key4(0xc6120009u); /* 198.18.0.9 */
	uint64_t block = OP25B_XDP_ADAPTIVE_TEST_RESTARTING;
	char log[2048];

	(void)state;
	if (sets[0].xdp == NULL)
		skip();
	s.xdp = op25b_xdp_load(log, sizeof(log));
	assert_non_null(s.xdp);
	p = test_policy_of(TEST_ADAPTIVE_POLICY(
		"connections: 2, per: 60s, block_for: 1s", ""));
	assert_int_equal(op25b_xdp_apply(s.xdp, p, NULL, NULL), 0);
	xdp_frame(&s, AD_SYN("198.18.0.9"), 5000, AD_F);
	xdp_frame(&s, AD_SYN("198.18.0.9"), 5100, AD_F);
	xdp_frame(&s, AD_SYN("198.18.0.9"), 5200, AD_R);
	assert_int_equal(op25b_xdp_adaptive_test_swap_block(s.xdp, key, &block),
			 0);
	assert_true(block == 6200 * 1000000ull); /* ended at 6.2 s */
	xdp_frame(&s, AD_SYN("198.18.0.9"), 6300, AD_F);
	xdp_frame(&s, seg, 6300, AD_F);
	assert_int_equal(
		op25b_xdp_adaptive(s.xdp, 6300 * 1000000ull, &xt, NULL), 0);
	assert_int_equal(xt.adaptive_blocked, 0);
	assert_int_equal(xt.adaptive_tracked, 1);
	assert_int_equal(op25b_xdp_adaptive_test_swap_block(s.xdp, key, &block),
			 0);
	assert_true(block == OP25B_XDP_ADAPTIVE_TEST_RESTARTING);
	xdp_frame(&s, AD_SYN("198.18.0.9"), 6400, AD_F);
	xdp_frame(&s, AD_SYN("198.18.0.9"), 6500, AD_F);
	xdp_frame(&s, AD_SYN("198.18.0.9"), 6600, AD_R);
	assert_int_equal(
		op25b_xdp_adaptive(s.xdp, 6600 * 1000000ull, &xt, NULL), 0);
	assert_int_equal(xt.adaptive_triggered, 2);
	assert_int_equal(xt.adaptive_blocked, 1);
	op25b_policy_free(p);
	op25b_xdp_close(s.xdp);
}

/* A source idle for exactly the 16-bit sub-window index's range (65536
 * sub-windows of 125 ms: limit 2 a second), on both sides: its old words
 * read as in the window again, but its window has expired, so they go
 * (no sweep here frees the entry: the LRU keeps it). 2 SYNs, then after
 * the idle time 2 pass and the third is blocked. */
static void
run_adaptive_alias_after_idle(void **state)
{
	static const struct adaptive_step syn = {
		0, 0, 0, NULL, AD_SYN("198.18.0.9"), AD_F
	};
	static const struct adaptive_step third = {
		0, 0, 0, NULL, AD_SYN("198.18.0.9"), AD_R
	};
	struct op25b_adaptive_table *t;
	struct op25b_policy *p;
	struct vec_set s = { 0 };
	uint64_t start = 1000000, later = start + 65536ull * 125;

	(void)state;
	if (sets[0].xdp == NULL)
		skip();
	t = adaptive_set_open(&s, "adaptive-idle");
	adaptive_at(&s, start);
	p = test_policy_of(TEST_ADAPTIVE_POLICY(
		"connections: 2, per: 1s, block_for: 1h", ""));
	adaptive_set_apply(&s, t, p);
	adaptive_frame(&s, &syn, start);
	adaptive_frame(&s, &syn, start + 10);
	adaptive_frame(&s, &syn, later);
	adaptive_frame(&s, &syn, later + 10);
	adaptive_frame(&s, &third, later + 20);
	op25b_classifier_free(s.classifier);
	op25b_policy_free(p);
	op25b_xdp_close(s.xdp);
	op25b_adaptive_free(t);
}

/* ---- adaptive: one source's SYNs on two CPUs at once -------------------- */

/* SYNs a CPU, and the limit: under both CPUs' SYNs, and under a
 * sub-window's most (65535), all being at one time. */
#define RACE_SYNS 40000
#define RACE_LIMIT 50000u

static pthread_barrier_t race_start;

struct race_cpu {
	struct op25b_xdp *x;
	const uint8_t *frame;
	uint32_t len;
	int cpu;
	int err;
	uint8_t out[OP25B_CRAFT_FRAME_MAX];
};

static void *
race_run(void *arg)
{
	struct race_cpu *r = arg;
	struct op25b_xdp_run run;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(r->cpu, &set);
	/* Pinned: each thread's runs on its own CPU, at the same time. */
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	pthread_barrier_wait(&race_start);
	r->err = op25b_xdp_test_run(r->x, r->frame, r->len, r->out,
				    sizeof(r->out), RACE_SYNS, &run);
	return NULL;
}

/* The same source's SYNs from two CPUs at once, at one time (the clock
 * set): exactly `connections` of them forwarded, the others dropped, one
 * trigger, as lib/adaptive's CAS loops make it in op25b. */
static void
run_adaptive_race(void **state)
{
	static const char yaml[] =
		"version: 1\n"
		"block: drop\n"
		"sources:\n"
		"  hosting:\n"
		"    action: adaptive\n"
		"    limit: {connections: 50000, per: 60s, block_for: 1h}\n"
		"    prefixes: [198.18.0.0/16]\n";
	static struct race_cpu r[2];
	static struct op25b_stats_counters c;
	struct op25b_xdp_adaptive_totals t;
	struct op25b_craft_spec spec;
	uint8_t frame[OP25B_CRAFT_FRAME_MAX];
	struct op25b_policy *p;
	pthread_t th[2];
	char err[256], log[2048];
	int len, i, cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);

	(void)state;
	if (sets[0].xdp == NULL)
		skip();
	p = test_policy_of(yaml);
	op25b_craft_spec_init(&spec);
	assert_int_equal(
		op25b_craft_spec_parse(&spec,
				       "src=198.18.0.9 dst=203.0.113.5 "
				       "dport=25 flags=S",
				       NULL, err, sizeof(err)),
		0);
	len = op25b_craft_build(&spec, frame, sizeof(frame));
	assert_true(len > 0);
	r[0].x = op25b_xdp_load(log, sizeof(log));
	assert_non_null(r[0].x);
	assert_int_equal(op25b_xdp_apply(r[0].x, p, NULL, NULL), 0);
	assert_int_equal(op25b_xdp_set_clock(r[0].x, 5000000000ull), 0);
	assert_int_equal(pthread_barrier_init(&race_start, NULL, 2), 0);
	for (i = 0; i < 2; i++) {
		r[i].x = r[0].x;
		r[i].frame = frame;
		r[i].len = (uint32_t)len;
		r[i].cpu = i % (cpus > 0 ? cpus : 1);
		assert_int_equal(pthread_create(&th[i], NULL, race_run, &r[i]),
				 0);
	}
	for (i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(r[i].err, 0);
	}
	pthread_barrier_destroy(&race_start);
	assert_int_equal(op25b_xdp_counters(r[0].x, &c), 0);
	assert_int_equal(c.outcome[OP25B_OUTCOME_FORWARDED], RACE_LIMIT);
	assert_int_equal(c.outcome[OP25B_OUTCOME_BLOCKED],
			 2 * RACE_SYNS - RACE_LIMIT);
	assert_int_equal(op25b_xdp_adaptive(r[0].x, 5000000000ull, &t, NULL),
			 0);
	assert_int_equal(t.adaptive_triggered, 1);
	assert_int_equal(t.adaptive_blocked, 1);
	op25b_xdp_close(r[0].x);
	op25b_policy_free(p);
}

/* ---- block: notify ------------------------------------------------------ */

/* The cookies' key of both sides (OP25B_NOTIFY_TEST_KEY) and their one
 * clock: 1000 slots of 64 s and 5 s, in ns (hz 10^9). */
#define NOTIFY_TEST_KEY "0123456789abcdef0fedcba987654321"
static const uint64_t notify_key[2] = { 0x0123456789abcdefull,
					0x0fedcba987654321ull };
static uint64_t notify_ns = (64000ull + 5) * 1000000000ull;

static uint64_t
notify_clock(void)
{
	return notify_ns;
}

/* Whether @p answers with block: notify somewhere (enforce mode). */
static int
policy_notifies(const struct op25b_policy *p)
{
	unsigned int i;

	for (i = 0; i < p->n_classes; i++)
		if (op25b_policy_block_of(p, (int)i) == OP25B_BLOCK_NOTIFY)
			return p->mode != OP25B_MODE_MONITOR;
	return 0;
}

/* One segment of a notify handshake on both sides (compare(): the same
 * verdicts, counters and bytes), with the outcome and class counter it
 * must have; @reload: the program reloaded after it, without the test key
 * (a key drawn again would be random), so that the handshake must
 * complete with the key kept, in the new generation. */
static void
notify_step(struct vec_set *s, const char *const framing[3], const char *flags,
	    uint32_t seq, uint32_t ack, const char *extra, uint8_t outcome,
	    int counter, int reload)
{
	static struct op25b_stats_counters before, after;
	struct op25b_craft_spec spec;
	uint8_t frame[OP25B_CRAFT_FRAME_MAX];
	char tokens[256], why[256];
	int len;

	snprintf(tokens, sizeof(tokens),
		 "src=%s dst=%s dport=25 sport=40000 flags=%s seq=%u ack=%u "
		 "%s %s",
		 framing[0], framing[1], flags, seq, ack, extra, framing[2]);
	op25b_craft_spec_init(&spec);
	assert_int_equal(
		op25b_craft_spec_parse(&spec, tokens, NULL, why, sizeof(why)),
		0);
	len = op25b_craft_build(&spec, frame, sizeof(frame));
	assert_true(len > 0);
	assert_int_equal(op25b_xdp_counters(s->xdp, &before), 0);
	if (compare(s, frame, (uint32_t)len, why, sizeof(why)) != 0)
		fail_msg("%s: %s", tokens, why);
	assert_int_equal(op25b_xdp_counters(s->xdp, &after), 0);
	if (after.outcome[outcome] != before.outcome[outcome] + 1)
		fail_msg("%s: not %s", tokens, op25b_outcome_name(outcome));
	if (counter >= 0 && after.class_notify[1][counter] !=
				    before.class_notify[1][counter] + 1)
		fail_msg("%s: %s not counted", tokens,
			 op25b_notify_counter_name((unsigned int)counter));
	if (reload) {
		unsetenv("OP25B_NOTIFY_TEST_KEY");
		assert_int_equal(op25b_xdp_apply(s->xdp, s->policy, NULL, NULL),
				 0);
		setenv("OP25B_NOTIFY_TEST_KEY", NOTIFY_TEST_KEY, 1);
	}
}

/* A handshake of notify.vec's policy under each framing (IPv4, QinQ and
 * PPPoE with a compressed protocol field, IP and TCP options, IPv6 with a
 * tag, PPPoE and extension headers), segment by segment (notify_step()),
 * the program reloaded after each SYN-ACK. */
static void
run_notify_handshake(void **state)
{
	/* the handshake under each framing: addresses, then L2/L3 tokens */
	static const char *const framings[][3] = {
		{ "198.18.5.9", "203.0.113.9", "" },
		{ "198.18.5.9", "203.0.113.9", "qinq=10,20 pppoe=7 pfc=1" },
		{ "198.18.5.9", "203.0.113.9", "vlan=100 ipopts=8 tcpopts=12" },
		{ "2001:db8:1000::9", "2001:db8:ffff::9",
		  "vlan=5 pppoe=7 ext=hbh,dst" },
	};
	static const struct {
		const char *flags;
		int64_t ack; /* from the cookie + 1; INT64_MIN: 0 */
		const char *extra;
		uint8_t outcome;
		int counter; /* OP25B_NOTIFY_*, -1: none */
	} steps[] = {
		{ "S", INT64_MIN, "", OP25B_OUTCOME_BLOCKED,
		  OP25B_NOTIFY_SYN_ACK },
		{ "A", 0, "", OP25B_OUTCOME_BLOCKED, OP25B_NOTIFY_NOTIFIED },
		{ "A", 0, "", OP25B_OUTCOME_BLOCKED, OP25B_NOTIFY_NOTIFIED },
		{ "A", 7, "", OP25B_OUTCOME_RESET, OP25B_NOTIFY_BAD_COOKIE },
		{ "PA", 0, "payload=12", OP25B_OUTCOME_RESET, -1 },
		{ "A", -1, "", OP25B_OUTCOME_BLOCKED, -1 }, /* greeting's ACK */
		{ "FA", -2, "", OP25B_OUTCOME_RESET, -1 },
	};
	struct vec_set *s = NULL;
	uint8_t frame[OP25B_CRAFT_FRAME_MAX], src[16], dst[16];
	uint32_t cookie, glen;
	unsigned int i, f;
	int family;

	(void)state;
	for (i = 0; i < n_sets; i++)
		if (policy_notifies(sets[i].policy))
			s = &sets[i];
	if (s == NULL || s->xdp == NULL)
		skip();
	glen = (uint32_t)op25b_notify_greeting(s->policy->notice, frame,
					       sizeof(frame));
	for (f = 0; f < RTE_DIM(framings); f++) {
		family = strchr(framings[f][0], ':') != NULL ? 6 : 4;
		assert_int_equal(inet_pton(family == 4 ? AF_INET : AF_INET6,
					   framings[f][0], src),
				 1);
		assert_int_equal(inet_pton(family == 4 ? AF_INET : AF_INET6,
					   framings[f][1], dst),
				 1);
		cookie = op25b_notify_cookie(
			notify_key, family, src, dst, 40000, 25,
			notify_ns / (64ull * 1000000000ull));
		for (i = 0; i < RTE_DIM(steps); i++)
			notify_step(
				s, framings[f], steps[i].flags,
				steps[i].ack == INT64_MIN ? 1000 : 1001,
				steps[i].ack == INT64_MIN ? 0
				: steps[i].ack >= 0
					? cookie + 1 + (uint32_t)steps[i].ack
					: cookie + 1 + glen +
						  (uint32_t)(-steps[i].ack - 1),
				steps[i].extra, steps[i].outcome,
				steps[i].counter, i == 0);
	}
}

/* The tests after the vector cases. */
static const struct CMUnitTest more_tests[] = {
	{ .name = "fuzz corpus (classify)", .test_func = run_corpus },
	{ .name = "detach takes its own program only",
	  .test_func = run_detach_own },
	{ .name = "random mutations of the vectors", .test_func = run_random },
	{ .name = "exemptions applied with the policy",
	  .test_func = run_exempt_apply },
	{ .name = "exemptions changed live, expiry",
	  .test_func = run_exempt_live },
	{ .name = "adaptive: the same verdicts on one clock, across reloads",
	  .test_func = run_adaptive },
	{ .name = "adaptive: a class made allow and adaptive again forgets its sources",
	  .test_func = run_adaptive_forget },
	{ .name = "adaptive: no false block past the sub-window index's wrap",
	  .test_func = run_adaptive_no_alias },
	{ .name = "adaptive: one source's SYNs on two CPUs at once",
	  .test_func = run_adaptive_race },
	{ .name = "adaptive: a SYN that meets another CPU's restart",
	  .test_func = run_adaptive_restart_marker },
	{ .name = "adaptive: no old count back after an idle index range",
	  .test_func = run_adaptive_alias_after_idle },
	{ .name = "notify: a handshake, the greeting and RSTs",
	  .test_func = run_notify_handshake },
	{ .name = "mode and block read back from the maps",
	  .test_func = run_switches },
	{ .name = "names back after a refused apply",
	  .test_func = run_names_rollback },
	{ .name = "the exemptions file switches with the policy",
	  .test_func = run_apply_exempt_file },
	{ .name = "verifier log: one line", .test_func = run_log_summary },
	{ .name = "verifier rejection reported", .test_func = run_reject },
};

int
main(void)
{
	char dir[512], err[512], log[2048], *names[64];
	struct CMUnitTest *tests;
	struct test_vec_case *cases;
	unsigned int n_tests = 0, i;
	int failed, ret;

	ret = test_vec_setup(dir, sizeof(dir), names, RTE_DIM(names),
			     "test_xdp", 63, &pool);
	if (ret < 0)
		return 1;
	n_sets = (unsigned int)ret;
	/* block: notify: one key and one clock on both sides, set before
	 * the first classifier draws the key. */
	setenv("OP25B_NOTIFY_TEST_KEY", NOTIFY_TEST_KEY, 1);
	op25b_notify_set_clock(notify_clock, 1000000000ull);
	for (i = 0; i < n_sets; i++) {
		struct vec_set *s = &sets[i];

		if (test_vec_load(dir, names[i], s->path, sizeof(s->path),
				  &s->vf, &s->policy, &s->classifier) != 0)
			return 1;
		/* A policy the program refuses: its cases are listed and
		 * skipped, as without a program. */
		if (op25b_xdp_policy_supported(s->policy, err, sizeof(err)) !=
		    0) {
			fprintf(stderr, "test_xdp: %s: skipped: %s\n", names[i],
				err);
			n_tests += s->vf.n_cases;
			continue;
		}
		/* One program per set: each run reads its own counters. */
		s->xdp = op25b_xdp_load(log, sizeof(log));
		if (s->xdp == NULL) {
			/* A program that does not load is a failure (a
			 * verifier refusal is a bug), unless the machine
			 * cannot run XDP at all and the caller says so. */
			const char *allow = getenv("OP25B_TEST_ALLOW_NO_XDP");
			bool allowed = allow != NULL && strcmp(allow, "1") == 0;

			fprintf(stderr,
				"test_xdp: the program does not load "
				"(%s)%s%s%s\n",
				strerror(errno),
				allowed ? ": skipped (OP25B_TEST_ALLOW_NO_XDP=1)"
					: "",
				log[0] ? "; the kernel said:\n" : "", log);
			if (!allowed)
				return 1;
		} else if (op25b_xdp_apply(s->xdp, s->policy, NULL, NULL) !=
				   0 ||
			   (policy_notifies(s->policy) &&
			    op25b_xdp_set_clock(s->xdp, notify_ns) != 0))
			return 1;
		n_tests += s->vf.n_cases;
	}
	if (test_vec_alloc(n_tests, RTE_DIM(more_tests), &tests, &cases) != 0)
		return 1;
	n_tests = 0;
	for (i = 0; i < n_sets; i++)
		test_vec_add_cases(tests, cases, &n_tests, &sets[i], names[i],
				   &sets[i].vf, run_case);
	for (i = 0; i < RTE_DIM(more_tests); i++) {
		tests[n_tests].name = strdup(more_tests[i].name);
		tests[n_tests++].test_func = more_tests[i].test_func;
	}
	failed = _cmocka_run_group_tests("xdp", tests, n_tests, NULL, NULL);

	test_vec_free_tests(tests, n_tests);
	free(cases);
	for (i = 0; i < n_sets; i++) {
		op25b_xdp_close(sets[i].xdp);
		test_vec_unload(&sets[i].vf, sets[i].policy, sets[i].classifier,
				names[i]);
	}
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return failed;
}
