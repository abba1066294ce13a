/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Classifier tests: every encapsulation and malformed case of the parser,
 * the precedence, the RST reply field by field, exact counters, and the
 * compiled tables against the policy's reference matcher.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include "op25b_classify.h"
#include "op25b_classify_record.h"
#include "op25b_craft.h"
#include "op25b_policy.h"
#include "classify_priv.h" /* the tables a derived classifier shares */
#include "op25b_classify_path.h"
#include "vec_priv.h" /* the path's lookups, for the summaries */
#include "test_adaptive.h"
#include "test_eal.h"
#include "test_frames.h"
#include "test_mbuf.h"

/* Slots of test/vectors/classify.yaml: class k is slot k+1, in file
 * order. */
enum {
	C_NONE,
	C_DYNAMIC,
	C_STATIC,
	C_WATCHED,
	C_MOBILE,
	C_STRICT
};
enum {
	G_NONE,
	G_RELAYS,
	G_MOBILE_MX,
	G_BLACKHOLE
};

static struct rte_mempool *pool;
static struct op25b_policy *policy;
static struct op25b_classifier *classifier;

static struct op25b_policy *
load_policy(const char *yaml)
{
	return test_policy_of(yaml);
}

/* The policy most tests judge by: the one test/vectors/classify.vec's
 * cases are judged by (by the classifier, replay, the appliance and the
 * XDP program), so that the cases that are data stay there. */
static struct op25b_policy *
load_classify_policy(void)
{
	const char *root = getenv("OP25B_SOURCE_ROOT");
	struct op25b_policy_error err;
	struct op25b_policy *p;
	char path[1024];

	snprintf(path, sizeof(path), "%s/test/vectors/classify.yaml",
		 root ? root : ".");
	p = op25b_policy_load(path, &err);
	if (p == NULL)
		fprintf(stderr, "%s:%u:%u: %s\n", err.file, err.line,
			err.column, err.message);
	return p;
}

static int
group_setup(void **state)
{
	(void)state;
	if (test_eal_init() != 0)
		return -1;
	pool = rte_pktmbuf_pool_create(
		"test_classify", 1023, 0, 0,
		OP25B_CRAFT_FRAME_MAX + RTE_PKTMBUF_HEADROOM, SOCKET_ID_ANY);
	policy = load_classify_policy();
	if (policy == NULL || pool == NULL)
		return -1;
	classifier = op25b_classifier_create(policy, SOCKET_ID_ANY, NULL, NULL);
	return classifier ? 0 : -1;
}

static int
group_teardown(void **state)
{
	(void)state;
	test_classifier_free(classifier, policy);
	rte_mempool_free(pool);
	return 0;
}

static struct rte_mbuf *
mbuf_from_spec(const char *tokens)
{
	return test_mbuf_of(pool, tokens);
}

/* Classify one frame; the mbuf is freed unless @keep receives it. */
static struct op25b_classify_result
classify_with(const struct op25b_classifier *c, const char *tokens,
	      struct rte_mbuf **keep)
{
	struct op25b_classify_result r;
	struct rte_mbuf *m = mbuf_from_spec(tokens);

	assert_int_equal(
		op25b_classifier_classify_burst(c, NULL, &m, 1, &r, NULL), 1);
	if (keep != NULL)
		*keep = m;
	else
		rte_pktmbuf_free(m);
	return r;
}

/* @tokens through @c gets @want, or the failure names the frame; the
 * result, for what else is checked. */
static struct op25b_classify_result
expect_outcome(const struct op25b_classifier *c, const char *tokens,
	       enum op25b_outcome want)
{
	struct op25b_classify_result r = classify_with(c, tokens, NULL);

	if (r.outcome != want)
		fail_msg("'%s': %s, expected %s", tokens,
			 op25b_outcome_name(r.outcome),
			 op25b_outcome_name(want));
	return r;
}

/* The class or group (@side) counter of @slot for @outcome's verdict. */
#define VERDICTS(cnt, side, slot, outcome)                                     \
	((cnt)->side##_verdict[slot][OP25B_VERDICT_OF(outcome)])

#define DYN "src=198.18.5.9 dst=203.0.113.9"
#define DYN6 "src=2001:db8:1000::9 dst=2001:db8:ffff::9"

/* ---- adaptive --------------------------------------------------------- */

static const char adaptive_yaml[] =
	TEST_ADAPTIVE_POLICY("connections: 2, per: 60s, block_for: 1h", "");

/* An adaptive class in the data path: N SYNs forwarded, the (N+1)th is
 * the policy's block (a reset), then every segment of the source; an
 * exemption overrides it; a group's action decides first and is never
 * counted; submission and
 * other sources are not affected; monitor mode only counts; without a
 * table an adaptive class acts as allow. */
static void
test_adaptive_enforced(void **state)
{
	struct op25b_adaptive_table *t = test_adaptive_table();
	struct op25b_policy *p;
	struct op25b_classifier *c = test_classifier_of(adaptive_yaml, &p);
	struct op25b_classifier *bare =
		op25b_classifier_create(p, SOCKET_ID_ANY, NULL, NULL);
	struct op25b_adaptive_totals x;
	unsigned int i;

#define HOST "src=198.18.0.9 dst=203.0.113.5 dport=25"
	(void)state;
	assert_non_null(t);
	assert_true(op25b_classifier_has_adaptive(c));
	assert_null(op25b_classifier_adaptive_rule(c, 1));
	assert_int_equal(op25b_classifier_set_adaptive(c, t), 0);
	assert_non_null(op25b_classifier_adaptive_rule(c, 1));
	test_adaptive_ms = 5000;
	/* Through a group that allows: decided before the class, and never
	 * counted. */
	for (i = 0; i < 5; i++)
		expect_outcome(c,
			       "src=198.18.0.9 dst=192.0.2.25 dport=25 flags=S",
			       OP25B_OUTCOME_FORWARDED);
	expect_outcome(c, HOST " flags=S", OP25B_OUTCOME_FORWARDED);
	/* Mid-flow segments and submission do not count. */
	expect_outcome(c, HOST " flags=A payload=10", OP25B_OUTCOME_FORWARDED);
	expect_outcome(c, "src=198.18.0.9 dst=203.0.113.5 dport=587 flags=S",
		       OP25B_OUTCOME_SUBMISSION);
	expect_outcome(c, HOST " flags=S", OP25B_OUTCOME_FORWARDED);
	/* The third: over the limit of 2. */
	expect_outcome(c, HOST " flags=S", OP25B_OUTCOME_RESET);
	expect_outcome(c, HOST " flags=A payload=10", OP25B_OUTCOME_BLOCKED);
	expect_outcome(c, "src=198.18.0.10 dst=203.0.113.5 dport=25 flags=S",
		       OP25B_OUTCOME_FORWARDED);
	/* IPv6: the /64 is the source. */
	for (i = 0; i < 2; i++)
		expect_outcome(c,
			       i == 0 ? "src=2001:db8:100:1::1 "
					"dst=2001:db8:ffff::9 dport=25 "
					"flags=S"
				      : "src=2001:db8:100:1::2 "
					"dst=2001:db8:ffff::9 dport=25 "
					"flags=S",
			       OP25B_OUTCOME_FORWARDED);
	expect_outcome(
		c,
		"src=2001:db8:100:1::3 dst=2001:db8:ffff::9 dport=25 flags=S",
		OP25B_OUTCOME_RESET);
	op25b_adaptive_totals(t, &x, NULL);
	assert_int_equal(x.adaptive_triggered, 2);
	/* A burst through the staged path: every packet counted once,
	 * under its own outcome. */
	{
		struct op25b_stats_counters *cnt = calloc(1, sizeof(*cnt));
		struct op25b_classify_result r[3];
		struct rte_mbuf *m[3] = {
			mbuf_from_spec("src=198.18.0.20 dst=203.0.113.5 "
				       "dport=25 flags=S"),
			mbuf_from_spec("src=198.18.0.21 dst=203.0.113.5 "
				       "dport=443 flags=S"),
			mbuf_from_spec(HOST " flags=S"),
		};

		assert_non_null(cnt);
		assert_int_equal(
			op25b_classifier_classify_burst(c, NULL, m, 3, r, cnt),
			3);
		assert_int_equal(cnt->outcome[OP25B_OUTCOME_FORWARDED], 1);
		assert_int_equal(cnt->outcome[OP25B_OUTCOME_NON_SMTP], 1);
		assert_int_equal(cnt->outcome[OP25B_OUTCOME_RESET], 1);
		assert_int_equal(r[2].outcome, OP25B_OUTCOME_RESET);
		rte_pktmbuf_free_bulk(m, 3);
		free(cnt);
	}
	/* An exemption overrides the block. */
	{
		struct op25b_exempt_registry *reg =
			op25b_exempt_registry_create();
		struct op25b_exempt_table *ex;
		struct op25b_classify_result r;
		struct op25b_prefix host;
		struct rte_mbuf *m = mbuf_from_spec(HOST " flags=S");

		assert_non_null(reg);
		assert_int_equal(op25b_prefix_parse("198.18.0.9", &host, NULL),
				 0);
		assert_int_equal(op25b_exempt_registry_add(reg, &host, 0,
							   "test", 0, 0, NULL),
				 0);
		ex = op25b_exempt_table_build(reg, SOCKET_ID_ANY);
		assert_non_null(ex);
		assert_int_equal(
			op25b_classifier_classify_burst(c, ex, &m, 1, &r, NULL),
			1);
		assert_int_equal(r.outcome, OP25B_OUTCOME_EXEMPTED);
		rte_pktmbuf_free(m);
		op25b_exempt_table_free(ex);
		op25b_exempt_registry_free(reg);
	}
	/* block_for over: forwarded again. */
	test_adaptive_ms += 3600 * 1000;
	expect_outcome(c, HOST " flags=S", OP25B_OUTCOME_FORWARDED);
	/* Without a table: allow. */
	for (i = 0; i < 4; i++)
		expect_outcome(bare, HOST " flags=S", OP25B_OUTCOME_FORWARDED);
	op25b_classifier_free(c);
	op25b_classifier_free(bare);

	/* Monitor: the block is counted, the packets forwarded. */
	p->mode = OP25B_MODE_MONITOR;
	c = op25b_classifier_create(p, SOCKET_ID_ANY, NULL, NULL);
	assert_int_equal(op25b_classifier_set_adaptive(c, t), 0);
	op25b_adaptive_clear_all(t, op25b_adaptive_now(t));
	expect_outcome(c, HOST " flags=S", OP25B_OUTCOME_FORWARDED);
	expect_outcome(c, HOST " flags=S", OP25B_OUTCOME_FORWARDED);
	expect_outcome(c, HOST " flags=S", OP25B_OUTCOME_COUNTED);
	expect_outcome(c, HOST " flags=A", OP25B_OUTCOME_COUNTED);
#undef HOST
	test_classifier_free(c, p);
	op25b_adaptive_free(t);
}

/* An adaptive class's blocked source gets the class's own block: the
 * notify class answers the (N+1)th SYN with a SYN-ACK sent back, the drop
 * class drops it, whatever the top-level block (reset). */
static void
test_adaptive_class_block(void **state)
{
	static const char yaml[] =
		"version: 1\n"
		"block: reset\n"
		"notice: \"Use port 587.\"\n"
		"sources:\n"
		"  told:\n"
		"    action: adaptive\n"
		"    block: notify\n"
		"    limit: {connections: 1, per: 60s, block_for: 1h}\n"
		"    prefixes: [198.18.1.0/24]\n"
		"  quiet:\n"
		"    action: adaptive\n"
		"    block: drop\n"
		"    limit: {connections: 1, per: 60s, block_for: 1h}\n"
		"    prefixes: [198.18.2.0/24]\n";
	struct op25b_adaptive_table *t = test_adaptive_table();
	struct op25b_policy *p;
	struct op25b_classifier *c = test_classifier_of(yaml, &p);
	struct op25b_classify_result r;
	struct rte_mbuf *m;

	(void)state;
	assert_non_null(t);
	assert_int_equal(op25b_classifier_set_adaptive(c, t), 0);
	test_adaptive_ms = 7000;
#define TOLD "src=198.18.1.9 dst=203.0.113.5 dport=25 flags=S"
#define QUIET "src=198.18.2.9 dst=203.0.113.5 dport=25 flags=S"
	expect_outcome(c, TOLD, OP25B_OUTCOME_FORWARDED);
	expect_outcome(c, QUIET, OP25B_OUTCOME_FORWARDED);
	/* Over the limit of 1: a SYN-ACK (flags 0x12) back, counted
	 * blocked. */
	r = classify_with(c, TOLD, &m);
	assert_int_equal(r.outcome, OP25B_OUTCOME_BLOCKED);
	assert_int_equal(r.disposition, OP25B_DISPOSITION_REPLY);
	assert_int_equal(rte_pktmbuf_mtod(m, uint8_t *)[14 + 20 + 13], 0x12);
	rte_pktmbuf_free(m);
	r = expect_outcome(c, QUIET, OP25B_OUTCOME_BLOCKED);
	assert_int_equal(r.disposition, OP25B_DISPOSITION_DROP);
#undef TOLD
#undef QUIET
	test_classifier_free(c, p);
	op25b_adaptive_free(t);
}

static void
test_vlan_stacks(void **state)
{
	static const char *const yaml_tags[] = {
		"version: 1\nmax_vlan_tags: 1\nsources:\n  d: {action: block, "
		"prefixes: [198.18.0.0/15]}\n",
		"version: 1\nmax_vlan_tags: 8\nsources:\n  d: {action: block, "
		"prefixes: [198.18.0.0/15]}\n",
	};
	struct op25b_policy *p1 = load_policy(yaml_tags[0]);
	struct op25b_policy *p8 = load_policy(yaml_tags[1]);
	struct op25b_classifier *c1, *c8;

	(void)state;
	/* max_vlan_tags bounds the walk both ways (the default, four tags,
	 * is in test/vectors/classify.vec). */
	assert_int_equal(p1->max_vlan_tags, 1);
	c1 = op25b_classifier_create(p1, SOCKET_ID_ANY, NULL, NULL);
	c8 = op25b_classifier_create(p8, SOCKET_ID_ANY, NULL, NULL);
	assert_non_null(c1);
	assert_non_null(c8);
	expect_outcome(c1, DYN " vlan=1", OP25B_OUTCOME_BLOCKED);
	expect_outcome(c1, DYN " qinq=1,2", OP25B_OUTCOME_MALFORMED);
	expect_outcome(c8,
		       DYN " vlan=1 vlan=2 vlan=3 vlan=4 vlan=5 "
			   "vlan=6 vlan=7 vlan=8",
		       OP25B_OUTCOME_BLOCKED);
	expect_outcome(c8,
		       DYN " vlan=1 vlan=2 vlan=3 vlan=4 vlan=5 "
			   "vlan=6 vlan=7 vlan=8 vlan=9",
		       OP25B_OUTCOME_MALFORMED);
	op25b_classifier_free(c1);
	op25b_classifier_free(c8);
	op25b_policy_free(p1);
	op25b_policy_free(p8);
}

/* describe() and frame_info() read frames as the data path does, tags
 * included whatever the verdict. */
static void
test_describe(void **state)
{
	static const struct {
		const char *tokens, *want;
	} cases[] = {
		{ DYN " vlan=1 vlan=2 vlan=3 flags=S",
		  "IPv4 198.18.5.9 -> 203.0.113.9 TCP 40000 -> 25 [S] vlan*3" },
		{ DYN " vlan=1 vlan=2 vlan=3 vlan=4 vlan=5",
		  "too many VLAN tags: frame of 74 bytes vlan*5" },
		{ DYN " pppoe=7 pfc=1 dport=443",
		  "IPv4 198.18.5.9 -> 203.0.113.9 pppoe-pfc" },
		{ DYN " vlan=9 pppoe=7 pfc=1 ethertype=0x2d",
		  "VJ-compressed PPP frame of 65 bytes vlan pppoe-pfc" },
		{ DYN " ethertype=0x8847", "MPLS frame of 54 bytes" },
		{ DYN " pppoe=7 ethertype=0x3d",
		  "unreadable IP (PPP Multilink, CCP, ECP or LLC/SNAP) frame "
		  "of 62 bytes pppoe" },
		/* No PPPoE session, whatever bytes 2..3 of the MAC hold. */
		{ DYN " snap=1 dmac=02:00:12:34:00:01",
		  "unreadable IP (PPP Multilink, CCP, ECP or LLC/SNAP) frame "
		  "of 62 bytes" },
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < RTE_DIM(cases); i++) {
		struct rte_mbuf *m = mbuf_from_spec(cases[i].tokens);
		struct op25b_frame_info f;
		char text[256];

		op25b_classifier_describe(
			classifier, rte_pktmbuf_mtod(m, const uint8_t *),
			rte_pktmbuf_data_len(m), text, sizeof(text));
		if (strcmp(text, cases[i].want) != 0)
			fail_msg("'%s': described as '%s', want '%s'",
				 cases[i].tokens, text, cases[i].want);
		op25b_classifier_frame_info(
			classifier, rte_pktmbuf_mtod(m, const uint8_t *),
			rte_pktmbuf_data_len(m), &f);
		if (i == 1) {
			assert_int_equal(f.n_vlans, 5);
			assert_int_equal(f.vlan_id[4], 5);
			assert_int_equal(f.frame_counter,
					 OP25B_FRAME_VLAN_TOO_DEEP);
		}
		if (i >= 5) {
			assert_int_equal(f.frame_counter,
					 OP25B_FRAME_OPAQUE_IP);
			assert_int_equal(f.pppoe_session, i == 5 ? 7 : -1);
		}
		rte_pktmbuf_free(m);
	}
}

/* ---- malformed headers --------------------------------------------------- */

/* Cut a frame at every length short of whole: each cut must be malformed,
 * and the parser must not read past the cut (ASan watches). */
static void
truncate_everywhere(const char *tokens)
{
	struct rte_mbuf *m = mbuf_from_spec(tokens);
	uint16_t full = rte_pktmbuf_data_len(m), cut;
	struct op25b_classify_result r;

	for (cut = 0; cut < full; cut++) {
		struct rte_mbuf *c = rte_pktmbuf_alloc(pool);
		uint8_t *tight;

		assert_non_null(c);
		/* The frame ends exactly at the end of the buffer. */
		tight = rte_pktmbuf_mtod(c, uint8_t *) +
			(rte_pktmbuf_tailroom(c) - cut);
		memcpy(tight, rte_pktmbuf_mtod(m, uint8_t *), cut);
		c->data_off = (uint16_t)(tight - (uint8_t *)c->buf_addr);
		c->data_len = cut;
		c->pkt_len = cut;
		op25b_classifier_classify_burst(classifier, NULL, &c, 1, &r,
						NULL);
		if (r.outcome != OP25B_OUTCOME_MALFORMED)
			fail_msg("'%s' cut to %u of %u: %s", tokens, cut, full,
				 op25b_outcome_name(r.outcome));
		rte_pktmbuf_free(c);
	}
	rte_pktmbuf_free(m);
}

static void
test_truncated_at_every_byte(void **state)
{
	(void)state;
	truncate_everywhere(DYN);
	truncate_everywhere(DYN " vlan=5 pppoe=3 ipopts=12 tcpopts=8");
	truncate_everywhere(DYN6 " qinq=1,2 ext=hbh,rt,dst");
	truncate_everywhere(DYN6 " pppoe=9 ext=dst,ah");
	truncate_everywhere(DYN " qinq=1,2 vlan=3 tpid=0x9100 vlan=4");
	truncate_everywhere(DYN6 " vlan=1 vlan=2 vlan=3 vlan=4 pppoe=9 pfc=1");
	truncate_everywhere(DYN " vlan=8 pppoe=3 pfc=1 ipopts=4");
}

static void
test_malformed_forward_policy(void **state)
{
	static const char yaml[] = "version: 1\nmalformed: forward\n"
				   "sources: {dyn: {action: block, prefixes: "
				   "[198.18.0.0/16]}}\n";
	struct op25b_policy *p;
	struct op25b_classifier *c = test_classifier_of(yaml, &p);
	struct op25b_classify_result r;

	(void)state;
	r = expect_outcome(c, DYN " doff=4", OP25B_OUTCOME_MALFORMED);
	assert_int_equal(r.disposition, OP25B_DISPOSITION_FORWARD);
	r = classify_with(classifier, DYN " doff=4", NULL);
	assert_int_equal(r.disposition, OP25B_DISPOSITION_DROP);
	/* block: drop (the default): a blocked SYN is dropped, not reset. */
	r = expect_outcome(c, DYN, OP25B_OUTCOME_BLOCKED);
	assert_int_equal(r.disposition, OP25B_DISPOSITION_DROP);
	test_classifier_free(c, p);
}

/* ---- precedence ---------------------------------------------------------- */

static void
test_only_bare_syn_is_reset(void **state)
{
	struct op25b_classify_result r;

	(void)state;
	r = expect_outcome(classifier, DYN " flags=A payload=100",
			   OP25B_OUTCOME_BLOCKED);
	assert_int_equal(r.disposition, OP25B_DISPOSITION_DROP);
	r = expect_outcome(classifier, DYN " flags=SA", OP25B_OUTCOME_BLOCKED);
	r = expect_outcome(classifier, DYN " flags=R", OP25B_OUTCOME_BLOCKED);
	r = expect_outcome(classifier, DYN " flags=S", OP25B_OUTCOME_RESET);
	assert_int_equal(r.disposition, OP25B_DISPOSITION_REPLY);
}

static void
test_monitor_mode_counts_every_block(void **state)
{
	static const char yaml[] =
		"version: 1\nmode: monitor\nblock: reset\n"
		"sources: {dyn: {action: block, to: {mx: block}, prefixes: "
		"[198.18.0.0/16]}}\n"
		"destinations: {mx: {action: block, prefixes: "
		"[203.0.113.0/24]}}\n";
	struct op25b_policy *p;
	struct op25b_classifier *c = test_classifier_of(yaml, &p);
	struct op25b_classify_result r;

	(void)state;
	r = expect_outcome(c, DYN, OP25B_OUTCOME_COUNTED);
	assert_int_equal(r.disposition, OP25B_DISPOSITION_FORWARD);
	r = expect_outcome(c, "src=192.0.2.1 dst=203.0.113.9",
			   OP25B_OUTCOME_COUNTED);
	test_classifier_free(c, p);
}

/*
 * set mode / set block: a classifier derived from the running one shares
 * its lookup tables and decides with its own verdicts; the tables outlive
 * whichever classifier is freed first.
 */
static void
test_derive_shares_tables(void **state)
{
	static const char yaml[] =
		"version: 1\nmode: enforce\nblock: drop\n"
		"sources: {dyn: {action: block, prefixes: [198.18.0.0/16, "
		"2001:db8:1000::/36]}}\n"
		"destinations: {relays: {action: allow, prefixes: "
		"[192.0.2.25/32, 2001:db8::25/128]}}\n";
	struct op25b_policy *p = load_policy(yaml);
	struct op25b_classifier *base, *monitor, *reset;

	(void)state;
	base = op25b_classifier_create(p, SOCKET_ID_ANY, NULL, NULL);
	assert_non_null(base);
	p->mode = OP25B_MODE_MONITOR;
	monitor = op25b_classifier_derive(base, p, SOCKET_ID_ANY, NULL, NULL,
					  NULL);
	p->mode = OP25B_MODE_ENFORCE;
	p->block = OP25B_BLOCK_RESET;
	reset = op25b_classifier_derive(monitor, p, SOCKET_ID_ANY, NULL, NULL,
					NULL);
	assert_non_null(monitor);
	assert_non_null(reset);
	assert_ptr_equal(monitor->src4, base->src4);
	assert_ptr_equal(monitor->dst6, base->dst6);
	assert_ptr_equal(reset->src6, base->src6);
	assert_int_equal(op25b_classifier_memory(monitor),
			 op25b_classifier_memory(base));

	/* The base freed first: the others still look up, each with its
	 * own verdicts (ASan would see a table freed early). */
	op25b_classifier_free(base);
	expect_outcome(monitor, DYN, OP25B_OUTCOME_COUNTED);
	expect_outcome(monitor, DYN6, OP25B_OUTCOME_COUNTED);
	expect_outcome(reset, DYN, OP25B_OUTCOME_RESET);
	expect_outcome(reset, DYN6, OP25B_OUTCOME_RESET);
	expect_outcome(reset, "src=198.18.5.9 dst=192.0.2.25",
		       OP25B_OUTCOME_FORWARDED);
	op25b_classifier_free(monitor);
	expect_outcome(reset, "src=2001:db8:1000::9 dst=2001:db8::25",
		       OP25B_OUTCOME_FORWARDED);
	op25b_classifier_free(reset);

	assert_null(op25b_classifier_derive(NULL, p, SOCKET_ID_ANY, NULL, NULL,
					    NULL));
	assert_int_equal(rte_errno, EINVAL);
	op25b_policy_free(p);
}

/* ---- the RST reply ------------------------------------------------------- */

/*
 * The same SYN in chains of mbufs (cut as net_pcap cuts a jumbo frame,
 * into 2 KB segments, and with a one-byte first segment, which makes the
 * classifier copy the headers out) gets the same reply, byte for byte,
 * in a single segment: the other segments are freed.
 */
static void
check_reset_chained(const char *tokens, const struct rte_mbuf *reply)
{
	static const uint16_t cuts[][2] = { { 2048, 2048 },
					    { 1, 9216 },
					    { 60, 64 } };
	struct rte_mbuf *single = mbuf_from_spec(tokens);
	const uint8_t *frame = rte_pktmbuf_mtod(single, const uint8_t *);
	unsigned int len = rte_pktmbuf_data_len(single), k;
	unsigned int free_before = rte_mempool_avail_count(pool);

	for (k = 0; k < RTE_DIM(cuts); k++) {
		struct op25b_classify_result r;
		struct rte_mbuf *head;

		if (cuts[k][0] >= len)
			continue;
		head = test_mbuf_chain(pool, frame, len, cuts[k][0],
				       cuts[k][1]);
		assert_non_null(head);
		assert_int_equal(op25b_classifier_classify_burst(
					 classifier, NULL, &head, 1, &r, NULL),
				 1);
		assert_int_equal(r.outcome, OP25B_OUTCOME_RESET);
		assert_int_equal(head->nb_segs, 1);
		assert_null(head->next);
		assert_int_equal(head->pkt_len, rte_pktmbuf_data_len(reply));
		assert_int_equal(head->data_len, head->pkt_len);
		assert_memory_equal(rte_pktmbuf_mtod(head, void *),
				    rte_pktmbuf_mtod(reply, void *),
				    head->data_len);
		rte_pktmbuf_free(head);
	}
	rte_pktmbuf_free(single);
	/* Every segment of every chain went back to the pool. */
	assert_int_equal(rte_mempool_avail_count(pool), free_before + 1);
}

/* A chain copy that could never end (segments after the first of 0
 * bytes) is refused at once, its first mbuf back in the pool; it took the
 * whole pool before and said the pool ran dry. */
static void
test_chain_copy_refuses_empty_segments(void **state)
{
	static const uint8_t frame[100];
	unsigned int free_before = rte_mempool_avail_count(pool);
	struct rte_mbuf *m;

	(void)state;
	rte_errno = 0;
	assert_null(op25b_mbuf_chain_copy(pool, frame, sizeof(frame), 60, 0));
	assert_int_equal(rte_errno, EINVAL);
	assert_int_equal(rte_mempool_avail_count(pool), free_before);
	/* A first segment of 0 bytes is a chain a driver may hand over. */
	m = op25b_mbuf_chain_copy(pool, frame, sizeof(frame), 0, 64);
	assert_non_null(m);
	assert_int_equal(m->nb_segs, 3);
	assert_int_equal(m->data_len, 0);
	assert_int_equal(m->pkt_len, sizeof(frame));
	rte_pktmbuf_free(m);
	/* A frame that fits the first segment needs no other. */
	m = op25b_mbuf_chain_copy(pool, frame, sizeof(frame), 100, 0);
	assert_non_null(m);
	assert_int_equal(m->nb_segs, 1);
	rte_pktmbuf_free(m);
	assert_int_equal(rte_mempool_avail_count(pool), free_before);
}

static void
check_reset(const char *tokens, unsigned int l3, int family,
	    unsigned int pppoe_off)
{
	struct rte_mbuf *orig = mbuf_from_spec(tokens), *m;
	struct op25b_classify_result r;
	uint8_t in[OP25B_CRAFT_FRAME_MAX];
	const uint8_t *p, *tcp;
	unsigned int ip_len = family == AF_INET ? 20 : 40, in_l4, in_payload;
	uint32_t in_seq, ack;
	uint16_t sum;

	memcpy(in, rte_pktmbuf_mtod(orig, void *), rte_pktmbuf_data_len(orig));
	rte_pktmbuf_free(orig);
	r = classify_with(classifier, tokens, &m);
	assert_int_equal(r.outcome, OP25B_OUTCOME_RESET);
	assert_int_equal(r.disposition, OP25B_DISPOSITION_REPLY);
	p = rte_pktmbuf_mtod(m, const uint8_t *);
	assert_int_equal(rte_pktmbuf_data_len(m), l3 + ip_len + 20);
	assert_int_equal(m->pkt_len, m->data_len);
	/* L2 mirrored, the PPPoE length covering the PPP protocol field (1
	 * or 2 bytes) and the RST, bare IP headers. */
	test_check_mirrored(p, in, l3, pppoe_off, family, 20);
	if (family == AF_INET) {
		unsigned int ihl = (in[l3] & 0xf) * 4;

		in_l4 = l3 + ihl;
		in_payload = ((in[l3 + 2] << 8) | in[l3 + 3]) - ihl;
	} else {
		unsigned int plen = (in[l3 + 4] << 8) | in[l3 + 5];
		unsigned int off = l3 + 40;
		uint8_t nh = in[l3 + 6];

		while (nh != 6) { /* skip the SYN's extension headers */
			unsigned int hl = nh == 44   ? 8
					  : nh == 51 ? (in[off + 1] + 2) * 4
						     : (in[off + 1] + 1) * 8;
			nh = in[off];
			off += hl;
		}
		in_l4 = off;
		in_payload = l3 + 40 + plen - off;
	}
	tcp = p + l3 + ip_len;
	in_seq = ((uint32_t)in[in_l4 + 4] << 24) | (in[in_l4 + 5] << 16) |
		 (in[in_l4 + 6] << 8) | in[in_l4 + 7];
	in_payload -= (in[in_l4 + 12] >> 4) * 4;
	assert_memory_equal(tcp, in + in_l4 + 2, 2);
	assert_memory_equal(tcp + 2, in + in_l4, 2);
	assert_int_equal(tcp[4] | tcp[5] | tcp[6] | tcp[7], 0);
	ack = ((uint32_t)tcp[8] << 24) | (tcp[9] << 16) | (tcp[10] << 8) |
	      tcp[11];
	assert_int_equal(ack, in_seq + 1 + in_payload);
	assert_int_equal(tcp[12], 5 << 4);
	assert_int_equal(tcp[13], 0x14);
	sum = op25b_craft_l4_checksum(
		family, p + l3 + (family == AF_INET ? 12 : 8),
		p + l3 + (family == AF_INET ? 16 : 24), 6, tcp, 20);
	/* Summing a segment that carries its own checksum gives 0. */
	assert_int_equal(sum, 0);
	check_reset_chained(tokens, m);
	rte_pktmbuf_free(m);
}

/* ---- block records' hints ---------------------------------------------- */

/* Blocked: port 25 (and 2525) from the dynamic pools, IPv4 and IPv6. */
static const char hints_policy_yaml[] =
	"version: 1\n"
	"block: drop\n"
	"ports: {smtp: [25, 2525], submission: [587]}\n"
	"sources:\n"
	"  dynamic: {action: block, prefixes: [198.18.0.0/16, "
	"2001:db8:1000::/36]}\n";

/* A classifier of hints_policy_yaml, its policy in @p p. */
static struct op25b_classifier *
hints_classifier(struct op25b_policy **p)
{
	struct op25b_classifier *c;

	*p = load_policy(hints_policy_yaml);
	c = op25b_classifier_create(*p, SOCKET_ID_ANY, NULL, NULL);
	assert_non_null(c);
	return c;
}

/* The hint of the one frame @p m (blocked: dropped under @p c; counted in
 * monitor mode). */
static struct op25b_record_hint
hint_of(const struct op25b_classifier *c, struct rte_mbuf *m)
{
	struct op25b_record_hint h;
	struct op25b_classify_result r;
	uint16_t n_hints = 1, n_wanted = 0;

	memset(&h, 0xa5, sizeof(h));
	assert_int_equal(
		op25b_classifier_classify_burst_hints(c, NULL, &m, 1, &r, NULL,
						      &h, &n_hints, &n_wanted),
		1);
	assert_true(r.outcome == OP25B_OUTCOME_BLOCKED ||
		    r.outcome == OP25B_OUTCOME_COUNTED);
	assert_int_equal(n_hints, 1);
	assert_int_equal(n_wanted, 1);
	return h;
}

/*
 * A worker over its records' rate asks for fewer hints than the burst's
 * blocked frames: the first of them in the burst's order get one, the
 * rest are only counted as wanted; forwarded frames are neither. With no
 * room at all (0), no hint is written and every blocked frame is counted.
 */
static void
test_record_hints_max(void **state)
{
	static const char *const burst[] = {
		DYN " dport=25 flags=S",
		DYN " dport=587 flags=S",
		"src=198.18.5.10 dst=203.0.113.9 dport=25 flags=S",
		DYN6 " dport=25 flags=S",
		DYN " dport=80 flags=S",
		"src=198.18.5.11 dst=203.0.113.9 dport=25 flags=S",
	};
	/* The blocked frames' sources, in order. */
	static const uint8_t blocked_last[] = { 9, 10, 9, 11 };
	static const uint16_t maxes[] = { 64, 4, 3, 1, 0 };
	struct op25b_policy *p;
	struct op25b_classifier *c = hints_classifier(&p);
	unsigned int i, k;

	(void)state;
	for (k = 0; k < RTE_DIM(maxes); k++) {
		struct rte_mbuf *m[RTE_DIM(burst)];
		struct op25b_classify_result r[RTE_DIM(burst)];
		struct op25b_record_hint h[RTE_DIM(burst)];
		uint16_t n_hints = maxes[k], n_wanted = 99;
		uint16_t want = RTE_MIN(maxes[k], (uint16_t)4);

		memset(h, 0xa5, sizeof(h));
		for (i = 0; i < RTE_DIM(burst); i++)
			m[i] = mbuf_from_spec(burst[i]);
		assert_int_equal(op25b_classifier_classify_burst_hints(
					 c, NULL, m, RTE_DIM(burst), r, NULL, h,
					 &n_hints, &n_wanted),
				 RTE_DIM(burst));
		assert_int_equal(n_wanted, 4);
		assert_int_equal(n_hints, want);
		for (i = 0; i < want; i++) {
			/* The IPv6 source's last byte is 9 too. */
			uint8_t last = h[i].family == 4 ? h[i].src[3]
							: h[i].src[15];

			assert_int_equal(h[i].family, i == 2 ? 6 : 4);
			assert_int_equal(last, blocked_last[i]);
			assert_int_equal(h[i].dport, 25);
		}
		/* Nothing written past the hints asked for. */
		for (; i < RTE_DIM(burst); i++)
			assert_int_equal(h[i].hash, 0xa5a5a5a5a5a5a5a5ull);
		for (i = 0; i < RTE_DIM(burst); i++)
			rte_pktmbuf_free(m[i]);
	}
	test_classifier_free(c, p);
}

/*
 * A hint names the precedence step of the classifier that decided its
 * frame: the same class and group, blocked by each step in turn under four
 * policies (a reload between a frame and its record must not rename the
 * step: the record is written from the hint), and the mode it was compiled
 * in (`set mode` before the record is written must not change it).
 */
static void
test_record_hints_rule(void **state)
{
	static const struct {
		const char *yaml;
		const char *tokens;
		uint8_t rule;
		const char *mode;
	} cases[] = {
		{ "  dynamic: {action: block, prefixes: [198.18.0.0/16]}\n"
		  "destinations:\n"
		  "  mobile: {prefixes: [203.0.113.0/24, 2001:db8:ffff::/48]}\n",
		  DYN, OP25B_RULE_CLASS, "enforce" },
		/* The mode the cell was compiled in rides with its step. */
		{ "  dynamic: {action: block, prefixes: [198.18.0.0/16]}\n"
		  "destinations:\n"
		  "  mobile: {prefixes: [203.0.113.0/24, 2001:db8:ffff::/48]}\n",
		  DYN, OP25B_RULE_CLASS | OP25B_RECORD_RULE_MONITOR,
		  "monitor" },
		{ "  dynamic: {action: block, prefixes: [198.18.0.0/16]}\n"
		  "destinations:\n"
		  "  mobile: {action: block, prefixes: [203.0.113.0/24]}\n",
		  DYN, OP25B_RULE_GROUP, "enforce" },
		{ "  dynamic: {action: allow, prefixes: [198.18.0.0/16, "
		  "2001:db8:1000::/36], to: {mobile: block}}\n"
		  "destinations:\n"
		  "  mobile: {prefixes: [203.0.113.0/24, 2001:db8:ffff::/48]}\n",
		  DYN6, OP25B_RULE_CLASS_TO, "enforce" },
		{ "  static: {action: allow, prefixes: [198.19.0.0/16]}\n"
		  "default: block\n",
		  DYN, OP25B_RULE_DEFAULT, "enforce" },
	};
	char yaml[512];
	unsigned int i;

	(void)state;
	for (i = 0; i < RTE_DIM(cases); i++) {
		struct op25b_policy *p;
		struct op25b_classifier *c;
		struct op25b_record_hint h;
		struct rte_mbuf *m;

		snprintf(yaml, sizeof(yaml),
			 "version: 1\nmode: %s\nblock: drop\nsources:\n%s",
			 cases[i].mode, cases[i].yaml);
		p = load_policy(yaml);
		c = op25b_classifier_create(p, SOCKET_ID_ANY, NULL, NULL);
		assert_non_null(c);
		m = mbuf_from_spec(cases[i].tokens);
		h = hint_of(c, m);
		rte_pktmbuf_free(m);
		if (h.rule != cases[i].rule)
			fail_msg("case %u: rule %u, want %u", i, h.rule,
				 cases[i].rule);
		test_classifier_free(c, p);
	}
}

/*
 * A blocked frame's record hint (src, dst, tags, PPPoE session, MAC, port)
 * is the same whether the frame came in one mbuf or in a chain cut inside
 * its headers (the hint is then read from a copy of the first bytes).
 */
static void
test_record_hints_chained(void **state)
{
	static const struct {
		const char *tokens;
		uint8_t n_vlans;
		uint16_t vlan[2];
		int32_t session;
	} cases[] = {
		{ DYN " dport=25 flags=S", 0, { 0, 0 }, -1 },
		{ DYN " dport=25 flags=S qinq=10,20 pppoe=7",
		  2,
		  { 10, 20 },
		  7 },
		{ DYN6 " dport=25 flags=S vlan=300 pppoe=9 pfc=1",
		  1,
		  { 300 },
		  9 },
		{ DYN6 " dport=2525 flags=PA", 0, { 0, 0 }, -1 },
	};
	static const uint16_t cuts[][2] = { { 1, 64 },
					    { 20, 2048 },
					    { 60, 64 } };
	struct op25b_policy *p;
	struct op25b_classifier *c = hints_classifier(&p);
	unsigned int i, k;

	(void)state;
	for (i = 0; i < RTE_DIM(cases); i++) {
		struct rte_mbuf *single = mbuf_from_spec(cases[i].tokens);
		const uint8_t *frame =
			rte_pktmbuf_mtod(single, const uint8_t *);
		unsigned int len = rte_pktmbuf_data_len(single);
		uint8_t src_mac[6];
		struct op25b_record_hint want;

		memcpy(src_mac, frame + 6, 6);
		want = hint_of(c, single);
		assert_int_equal(want.n_vlans, cases[i].n_vlans);
		for (k = 0; k < cases[i].n_vlans; k++)
			assert_int_equal(want.vlan[k], cases[i].vlan[k]);
		assert_int_equal(want.pppoe_session, cases[i].session);
		assert_memory_equal(want.src_mac, src_mac, 6);
		assert_int_equal(want.dport, i == 3 ? 2525 : 25);
		assert_int_equal(want.syn, i != 3);
		for (k = 0; k < RTE_DIM(cuts); k++) {
			struct rte_mbuf *head;
			struct op25b_record_hint got;

			if (cuts[k][0] >= len)
				continue;
			head = test_mbuf_chain(pool, frame, len, cuts[k][0],
					       cuts[k][1]);
			assert_non_null(head);
			assert_true(head->nb_segs > 1);
			got = hint_of(c, head);
			assert_memory_equal(&got, &want, sizeof(got));
			rte_pktmbuf_free(head);
		}
		rte_pktmbuf_free(single);
	}
	test_classifier_free(c, p);
}

static void
test_reset_ipv4(void **state)
{
	(void)state;
	check_reset(DYN " seq=1000", 14, AF_INET, 0);
	check_reset(DYN " seq=4294967295 payload=10", 14, AF_INET, 0);
	check_reset(DYN " vlan=100 ipopts=8 tcpopts=12", 18, AF_INET, 0);
	check_reset(DYN " qinq=1,2 pppoe=77", 30, AF_INET, 22);
	check_reset(DYN " vlan=1 vlan=2 tpid=0x9100 vlan=3", 26, AF_INET, 0);
	check_reset(DYN " vlan=1 vlan=2 vlan=3 vlan=4 pppoe=77", 38, AF_INET,
		    30);
	check_reset(DYN " pppoe=77 pfc=1", 21, AF_INET, 14);
	check_reset(DYN " vlan=5 pppoe=77 pfc=1 ipopts=8", 25, AF_INET, 18);
	/* Jumbo SYNs (TCP Fast Open can carry data): acknowledged whole. */
	check_reset(DYN " len=9000", 14, AF_INET, 0);
	check_reset(DYN " qinq=1,2 vlan=3 pppoe=77 pfc=1 len=9000", 33, AF_INET,
		    26);
	/* Bytes past the IP packet (a NIC's padding to 60 bytes, a trailer):
	 * in no segment, so not acknowledged, and not in the reply. */
	check_reset(DYN " trailer=6", 14, AF_INET, 0);
	check_reset(DYN " vlan=5 trailer=2", 18, AF_INET, 0);
	check_reset(DYN " pppoe=77 trailer=30", 22, AF_INET, 14);
}

static void
test_reset_ipv6(void **state)
{
	(void)state;
	check_reset(DYN6, 14, AF_INET6, 0);
	check_reset(DYN6 " pppoe=5 ext=hbh,dst", 22, AF_INET6, 14);
	check_reset(DYN6 " pppoe=5 pfc=1", 21, AF_INET6, 14);
	check_reset(DYN6 " vlan=1 vlan=2 vlan=3 pppoe=5 pfc=1 ext=dst", 33,
		    AF_INET6, 26);
	check_reset(DYN6 " vlan=1 vlan=2 vlan=3 len=8900", 26, AF_INET6, 0);
	check_reset(DYN6 " trailer=4", 14, AF_INET6, 0);
	check_reset(DYN6 " ext=hbh trailer=100", 14, AF_INET6, 0);
}

/* ---- counters and bursts --------------------------------------------------- */

static void
test_counters_exact(void **state)
{
	static const char *const burst[] = {
		DYN,				  /* reset, dyn */
		DYN " flags=A",			  /* blocked, dyn */
		"src=198.18.5.9 dst=192.0.2.25",  /* fwd, dyn, relays */
		"src=198.19.0.9 dst=203.0.113.9", /* counted, watched */
		DYN " dport=587",		  /* submission */
		DYN " dport=80",		  /* non_smtp */
		DYN " frag=9 payload=16",	  /* fragments */
		DYN " doff=3",			  /* malformed */
		DYN6,				  /* reset, dyn */
	};
	struct op25b_stats_counters *cnt = calloc(1, sizeof(*cnt));
	struct rte_mbuf *m[RTE_DIM(burst)];
	struct op25b_classify_result r[RTE_DIM(burst)];
	unsigned int i;

	(void)state;
	assert_non_null(cnt);
	for (i = 0; i < RTE_DIM(burst); i++)
		m[i] = mbuf_from_spec(burst[i]);
	assert_int_equal(op25b_classifier_classify_burst(
				 classifier, NULL, m, RTE_DIM(burst), r, cnt),
			 RTE_DIM(burst));
	assert_int_equal(cnt->outcome[OP25B_OUTCOME_RESET], 2);
	assert_int_equal(cnt->outcome[OP25B_OUTCOME_BLOCKED], 1);
	assert_int_equal(cnt->outcome[OP25B_OUTCOME_FORWARDED], 1);
	assert_int_equal(cnt->outcome[OP25B_OUTCOME_COUNTED], 1);
	assert_int_equal(cnt->outcome[OP25B_OUTCOME_SUBMISSION], 1);
	assert_int_equal(cnt->outcome[OP25B_OUTCOME_NON_SMTP], 1);
	assert_int_equal(cnt->outcome[OP25B_OUTCOME_FRAGMENTS], 1);
	assert_int_equal(cnt->outcome[OP25B_OUTCOME_MALFORMED], 1);
	assert_int_equal(VERDICTS(cnt, class, C_DYNAMIC, OP25B_OUTCOME_RESET),
			 2);
	assert_int_equal(VERDICTS(cnt, class, C_DYNAMIC, OP25B_OUTCOME_BLOCKED),
			 1);
	assert_int_equal(
		VERDICTS(cnt, class, C_DYNAMIC, OP25B_OUTCOME_FORWARDED), 1);
	assert_int_equal(VERDICTS(cnt, class, C_WATCHED, OP25B_OUTCOME_COUNTED),
			 1);
	assert_int_equal(
		VERDICTS(cnt, group, G_RELAYS, OP25B_OUTCOME_FORWARDED), 1);
	assert_int_equal(VERDICTS(cnt, group, G_NONE, OP25B_OUTCOME_RESET), 2);
	/* Non-SMTP packets touch no class or group counter. */
	assert_int_equal(cnt->class_verdict[C_NONE][0] +
				 cnt->class_verdict[C_NONE][1] +
				 cnt->class_verdict[C_NONE][2] +
				 cnt->class_verdict[C_NONE][3],
			 0);
	rte_pktmbuf_free_bulk(m, RTE_DIM(burst));
	free(cnt);
}

/* Exemptions: looked up only for what the policy would block or count;
 * an exempt SYN is forwarded untouched (no reset built), counted as
 * exempted and in no class or group verdict. */
static void
test_exempt_sources(void **state)
{
	static const char *const burst[] = {
		DYN,				   /* exempt /32: exempted */
		"src=198.18.5.10 dst=203.0.113.9", /* next door: reset */
		"src=198.19.0.9 dst=203.0.113.9", /* watched, count: exempted */
		"src=198.18.20.9 dst=203.0.113.9", /* static, allow: forwarded */
		DYN6,				   /* exempt /48: exempted */
		"src=2001:db8:1001::9 dst=2001:db8:ffff::9", /* dynamic, not
							      * exempt: reset */
		"src=198.18.5.9 dst=203.0.113.9 dport=80",   /* non_smtp */
	};
	static const uint8_t want[] = {
		OP25B_OUTCOME_EXEMPTED, OP25B_OUTCOME_RESET,
		OP25B_OUTCOME_EXEMPTED, OP25B_OUTCOME_FORWARDED,
		OP25B_OUTCOME_EXEMPTED, OP25B_OUTCOME_RESET,
		OP25B_OUTCOME_NON_SMTP,
	};
	const char *exempt[] = { "198.18.5.9/32", "198.19.0.0/24",
				 "2001:db8:1000::/48" };
	struct op25b_stats_counters *cnt = calloc(1, sizeof(*cnt));
	struct op25b_exempt_registry *reg = op25b_exempt_registry_create();
	struct op25b_exempt_table *table;
	struct rte_mbuf *m[RTE_DIM(burst)];
	struct op25b_classify_result r[RTE_DIM(burst)];
	uint8_t before[OP25B_CRAFT_FRAME_MAX];
	unsigned int i, v;

	(void)state;
	assert_non_null(cnt);
	assert_non_null(reg);
	for (i = 0; i < RTE_DIM(exempt); i++) {
		struct op25b_prefix p;

		assert_int_equal(op25b_prefix_parse(exempt[i], &p, NULL), 0);
		assert_int_equal(op25b_exempt_registry_add(reg, &p, 0, "test",
							   0, 0, NULL),
				 0);
	}
	table = op25b_exempt_table_build(reg, SOCKET_ID_ANY);
	assert_non_null(table);
	for (i = 0; i < RTE_DIM(burst); i++)
		m[i] = mbuf_from_spec(burst[i]);
	memcpy(before, rte_pktmbuf_mtod(m[0], void *), m[0]->data_len);
	assert_int_equal(op25b_classifier_classify_burst(
				 classifier, table, m, RTE_DIM(burst), r, cnt),
			 RTE_DIM(burst));
	for (i = 0; i < RTE_DIM(burst); i++) {
		if (r[i].outcome != want[i])
			fail_msg("'%s': outcome %s, want %s", burst[i],
				 op25b_outcome_name(r[i].outcome),
				 op25b_outcome_name(want[i]));
		assert_int_equal(r[i].disposition,
				 want[i] == OP25B_OUTCOME_RESET
					 ? OP25B_DISPOSITION_REPLY
					 : OP25B_DISPOSITION_FORWARD);
	}
	assert_int_equal(r[0].class_slot, C_DYNAMIC);
	/* Forwarded as it came: no reset written into the frame. */
	assert_memory_equal(rte_pktmbuf_mtod(m[0], void *), before,
			    m[0]->data_len);
	assert_int_equal(cnt->outcome[OP25B_OUTCOME_EXEMPTED], 3);
	assert_int_equal(cnt->outcome[OP25B_OUTCOME_RESET], 2);
	assert_int_equal(cnt->outcome[OP25B_OUTCOME_FORWARDED], 1);
	/* The policy's verdicts only: one reset each in v4 and v6. */
	for (v = 0; v < OP25B_VERDICT_MAX; v++)
		assert_int_equal(
			cnt->class_verdict[C_DYNAMIC][v],
			v == OP25B_VERDICT_OF(OP25B_OUTCOME_RESET) ? 2 : 0);
	assert_int_equal(VERDICTS(cnt, class, C_WATCHED, OP25B_OUTCOME_COUNTED),
			 0);

	/* Without the table the same burst is blocked again. */
	rte_pktmbuf_free_bulk(m, RTE_DIM(burst));
	m[0] = mbuf_from_spec(burst[0]);
	assert_int_equal(op25b_classifier_classify_burst(classifier, NULL, m, 1,
							 r, NULL),
			 1);
	assert_int_equal(r[0].outcome, OP25B_OUTCOME_RESET);
	rte_pktmbuf_free(m[0]);
	op25b_exempt_table_free(table);
	op25b_exempt_registry_free(reg);
	free(cnt);
}

static void
test_burst_is_capped(void **state)
{
	struct rte_mbuf *m[OP25B_CLASSIFY_BURST_MAX + 8];
	struct op25b_classify_result r[OP25B_CLASSIFY_BURST_MAX + 8];
	unsigned int i;

	(void)state;
	for (i = 0; i < RTE_DIM(m); i++)
		m[i] = mbuf_from_spec(i % 2 ? DYN6 : DYN " dport=443");
	assert_int_equal(op25b_classifier_classify_burst(classifier, NULL, m,
							 RTE_DIM(m), r, NULL),
			 OP25B_CLASSIFY_BURST_MAX);
	for (i = 0; i < OP25B_CLASSIFY_BURST_MAX; i++)
		assert_int_equal(r[i].outcome, i % 2 ? OP25B_OUTCOME_RESET
						     : OP25B_OUTCOME_NON_SMTP);
	rte_pktmbuf_free_bulk(m, RTE_DIM(m));
}

/* ---- tables against the reference matcher ---------------------------------- */

#define TEST_RNG_SEED 88172645463325252ull
#include "test_rng.h"

static void
random_prefix(char *buf, size_t size, int v6)
{
	uint8_t a[16];
	unsigned int len, i;

	for (i = 0; i < 16; i++)
		a[i] = (uint8_t)rng();
	if (!v6) {
		/* Mostly long prefixes in a narrow space, so that they nest
		 * and share /24s (tbl8 groups), plus a few short ones. */
		len = rng() % 8 == 0 ? rng() % 16 + 1 : 16 + rng() % 17;
		a[0] = 198;
		a[1] = (uint8_t)(18 + rng() % 2);
		if (len < 16)
			a[0] = (uint8_t)rng();
	} else {
		len = 16 + rng() % 113;
		a[0] = 0x20;
		a[1] = 0x01;
		a[2] = 0x0d;
		a[3] = 0xb8;
		a[4] = (uint8_t)(rng() % 4);
	}
	for (i = len; i < (v6 ? 128u : 32u); i++)
		a[i / 8] &= (uint8_t) ~(0x80 >> (i % 8));
	inet_ntop(v6 ? AF_INET6 : AF_INET, a, buf, (socklen_t)size);
	snprintf(buf + strlen(buf), size - strlen(buf), "/%u", len);
}

/* Build a policy text with random, distinct prefixes spread over classes
 * and groups; duplicates are skipped by keeping a list. */
static char *
random_policy_yaml(unsigned int n_classes, unsigned int per_class)
{
	size_t cap = 64 + (size_t)n_classes * 2 * (64 + per_class * 48);
	char *y = malloc(cap), (*seen)[48];
	unsigned int n_seen = 0, k, i, j;
	size_t len;

	seen = malloc((size_t)n_classes * 2 * per_class * sizeof(*seen));
	assert_non_null(y);
	assert_non_null(seen);
	len = (size_t)snprintf(y, cap, "version: 1\n");
	for (k = 0; k < 2; k++) {
		len += (size_t)snprintf(y + len, cap - len, "%s:\n",
					k ? "destinations" : "sources");
		for (i = 0; i < n_classes; i++) {
			len += (size_t)snprintf(y + len, cap - len,
						"  %s%u:\n%s    prefixes: [",
						k ? "g" : "c", i,
						k ? "" : "    action: block\n");
			unsigned int written = 0;

			for (j = 0; j < per_class; j++) {
				char p[48];
				unsigned int s;

				random_prefix(p, sizeof(p), rng() % 4 == 0);
				for (s = 0; s < n_seen; s++)
					if (strcmp(seen[s], p) == 0)
						break;
				if (s < n_seen)
					continue;
				strcpy(seen[n_seen++], p);
				len += (size_t)snprintf(
					y + len, cap - len, "%s%s",
					written++ ? ", " : "", p);
			}
			len += (size_t)snprintf(y + len, cap - len, "]\n");
		}
		n_seen =
			0; /* a prefix may be both a source and a destination */
	}
	free(seen);
	return y;
}

static void
random_address(uint8_t *a, int v6, const struct op25b_policy *p)
{
	unsigned int i;

	for (i = 0; i < 16; i++)
		a[i] = (uint8_t)rng();
	/* Half the time, land inside a configured prefix. */
	if (rng() % 2 && p->n_classes > 0) {
		const struct op25b_policy_class *c =
			&p->classes[rng() % p->n_classes];

		for (i = 0; i < c->prefixes.count; i++) {
			const struct op25b_prefix *pre =
				&c->prefixes.prefixes[(i + rng()) %
						      c->prefixes.count];
			unsigned int b;

			if ((pre->family == AF_INET6) != v6)
				continue;
			for (b = 0; b < pre->length; b++) {
				uint8_t bit = 0x80 >> (b % 8);

				a[b / 8] = (uint8_t)((a[b / 8] & ~bit) |
						     (pre->addr[b / 8] & bit));
			}
			return;
		}
	}
	if (!v6) {
		a[0] = 198;
		a[1] = (uint8_t)(18 + rng() % 2);
	} else {
		a[0] = 0x20, a[1] = 0x01, a[2] = 0x0d, a[3] = 0xb8;
		a[4] = (uint8_t)(rng() % 4);
	}
}

static void
test_tables_match_reference(void **state)
{
	unsigned int round;

	(void)state;
	for (round = 0; round < 4; round++) {
		char *yaml = random_policy_yaml(8, 400);
		struct op25b_policy *p;
		struct op25b_classifier *c = test_classifier_of(yaml, &p);
		unsigned int i;

		for (i = 0; i < 20000; i++) {
			int v6 = i % 3 == 0;
			uint8_t src[16], dst[16], cs, gs;
			int want_c, want_g;

			random_address(src, v6, p);
			random_address(dst, v6, p);
			want_c = op25b_policy_match_source(
				p, v6 ? AF_INET6 : AF_INET, src, NULL);
			want_g = op25b_policy_match_destination(
				p, v6 ? AF_INET6 : AF_INET, dst, NULL);
			assert_int_equal(op25b_classifier_lookup(
						 c, v6 ? AF_INET6 : AF_INET,
						 src, dst, &cs, &gs),
					 0);
			if (cs != want_c + 1 || gs != want_g + 1) {
				char a[64], b[64];

				inet_ntop(v6 ? AF_INET6 : AF_INET, src, a,
					  sizeof(a));
				inet_ntop(v6 ? AF_INET6 : AF_INET, dst, b,
					  sizeof(b));
				fail_msg("round %u: %s -> %s: tables say "
					 "class slot %u group slot %u, "
					 "reference %d %d",
					 round, a, b, cs, gs, want_c + 1,
					 want_g + 1);
			}
		}
		test_classifier_free(c, p);
		free(yaml);
	}
}

/* ---- lpm6.h's wide groups ----------------------------------------------- */

#define WIDE_16S 40

/* The longest of @n rules that holds @addr: its value, 0 if none. */
static uint8_t
lpm6_reference(const struct lpm6_rule *rules, size_t n, const uint8_t *addr)
{
	int best = -1;
	uint8_t value = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned int d = rules[i].depth, b;

		for (b = 0; b < d; b++)
			if ((addr[b / 8] ^ rules[i].addr[b / 8]) &
			    (0x80 >> (b % 8)))
				break;
		if (b == d && (int)d >= best) {
			best = (int)d;
			value = rules[i].value;
		}
	}
	return value;
}

/*
 * 40 /16s, 3000:: to 3027::, the i-th with i + 1 /48s under it (longer
 * than /24: each wants a wide group), a /10 over them all (so that a wide
 * group starts as copies of a value, not of 0), a /20 and a /28 (its
 * host bits set) in some. With room for 2000 narrow groups a table gets
 * max(LPM6_WIDE_MIN, 2000 / 256) = 16 wide groups: the 16 /16s with the
 * most /48s; the others stay narrow. Every lookup of lpm6_lookup()
 * agrees with a longest match over the rules (the vector walks are held
 * to it by test_vector_diff, whose deep tables mix both kinds).
 */
static void
test_lpm6_wide_groups(void **state)
{
	struct lpm6_rule rules[1 + WIDE_16S * (WIDE_16S + 1) / 2 +
			       2 * (WIDE_16S / 9 + 1)],
		*copy;
	size_t n = 0, i, k;
	struct lpm6 *t;

	(void)state;
	rules[n++] =
		(struct lpm6_rule){ .addr = { 0x30 }, .depth = 10, .value = 1 };
	for (i = 0; i < WIDE_16S; i++) {
		for (k = 0; k <= i; k++)
			rules[n++] = (struct lpm6_rule){
				.addr = { 0x30, (uint8_t)i, 0x0d, 0xb8, 0,
					  (uint8_t)k },
				.depth = 48,
				.value = (uint8_t)(2 + (i + k) % 200)
			};
		if (i % 9 == 0) {
			rules[n++] = (struct lpm6_rule){
				/* host bits set: the table ignores them */
				.addr = { 0x30, (uint8_t)i, 0x0d, 0xb5 },
				.depth = 28,
				.value = 210
			};
			rules[n++] = (struct lpm6_rule){
				.addr = { 0x30, (uint8_t)i, 0x00 },
				.depth = 20,
				.value = 211
			};
		}
	}
	assert_true(n <= RTE_DIM(rules));
	copy = malloc(sizeof(rules));
	assert_non_null(copy);
	memcpy(copy, rules, n * sizeof(*rules));
	t = lpm6_build(copy, n, 2000, SOCKET_ID_ANY);
	assert_non_null(t);
	assert_int_equal(t->n_wide, LPM6_WIDE_MIN);
	for (i = 0; i < WIDE_16S; i++)
		assert_int_equal((t->tbl16[0x3000 + i] & LPM6_WIDE) != 0,
				 i >= WIDE_16S - LPM6_WIDE_MIN);
	for (i = 0; i < 200000; i++) {
		uint8_t a[16];

		for (k = 0; k < 16; k++)
			a[k] = (uint8_t)rng();
		/* Mostly under the rules: their /16s, /32s and /40s. */
		a[0] = 0x30;
		a[1] = (uint8_t)(rng() % (WIDE_16S + 2));
		if (rng() % 4 != 0) {
			a[2] = 0x0d;
			a[3] = rng() % 2 ? 0xb8 : (uint8_t)(0xb0 + rng() % 16);
			if (rng() % 2 != 0)
				a[4] = 0;
		}
		if (lpm6_lookup(t, a) != lpm6_reference(rules, n, a)) {
			char text[INET6_ADDRSTRLEN];

			inet_ntop(AF_INET6, a, text, sizeof(text));
			fail_msg("%s: %u, a longest match says %u", text,
				 lpm6_lookup(t, a),
				 lpm6_reference(rules, n, a));
		}
	}
	lpm6_free(t);
	free(copy);
}

/*
 * Scattered long prefixes get no wide group: 1,000 /128s, each in a /16
 * of its own, and LPM6_WIDE_RULES_MIN - 1 more under one /16, leave every
 * /16 narrow (each wide one took 256 KB for nothing, doubling the table);
 * one more prefix there makes that /16 wide. Lookups agree with a longest
 * match either way.
 */
static void
test_lpm6_scattered_stay_narrow(void **state)
{
	enum {
		SCATTERED = 1000,
		N = SCATTERED + LPM6_WIDE_RULES_MIN
	};
	struct lpm6_rule rules[N], copy[N];
	struct lpm6 *t;
	size_t i, n;
	int round;

	(void)state;
	for (i = 0; i < SCATTERED; i++) {
		rules[i] =
			(struct lpm6_rule){ .depth = 128,
					    .value = (uint8_t)(1 + i % 200) };
		rules[i].addr[0] = (uint8_t)(0x20 + i / 256);
		rules[i].addr[1] = (uint8_t)i;
		rules[i].addr[15] = 0x25;
	}
	for (i = 0; i < LPM6_WIDE_RULES_MIN; i++) {
		rules[SCATTERED + i] = (struct lpm6_rule){
			.addr = { 0x3f, 0xfe, 0x0d, 0xb8, (uint8_t)i },
			.depth = 40,
			.value = (uint8_t)(201 + i % 50)
		};
	}
	for (round = 0; round < 2; round++) {
		n = round == 0 ? N - 1 : N;
		memcpy(copy, rules, n * sizeof(*rules));
		t = lpm6_build(copy, n, 1u << 15, SOCKET_ID_ANY);
		assert_non_null(t);
		assert_int_equal(t->n_wide, round == 0 ? 0 : 1);
		assert_int_equal((t->tbl16[0x3ffe] & LPM6_WIDE) != 0,
				 round == 1);
		for (i = 0; i < n; i++) {
			uint8_t a[16];

			memcpy(a, rules[i].addr, 16);
			assert_int_equal(lpm6_lookup(t, a), rules[i].value);
			a[15] ^= 1; /* beside a /128; inside a /40 */
			assert_int_equal(lpm6_lookup(t, a),
					 lpm6_reference(rules, n, a));
		}
		lpm6_free(t);
	}
}

/* ---- lpm4.h's wide /16s ------------------------------------------------- */

/* The longest of @n rules that holds @ip: its value, 0 if none. */
static uint8_t
lpm4_reference(const struct lpm4_rule *rules, size_t n, uint32_t ip)
{
	int best = -1;
	uint8_t value = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		uint32_t mask = (uint32_t)(UINT64_C(0xffffffff)
					   << (32 - rules[i].depth));

		if (((ip ^ rules[i].ip) & mask) == 0 &&
		    (int)rules[i].depth >= best) {
			best = rules[i].depth;
			value = rules[i].value;
		}
	}
	return value;
}

/* A rule of @depth over @ip (host bits cleared). */
static struct lpm4_rule
lpm4_rule_of(uint32_t ip, uint8_t depth, uint8_t value)
{
	uint32_t mask = (uint32_t)(UINT64_C(0xffffffff) << (32 - depth));

	return (struct lpm4_rule){ .ip = ip & mask,
				   .depth = depth,
				   .value = value };
}

/* Rules whose addresses have host bits set cover their prefix, not the
 * range from the address on: lpm4_build() clears them (a /8 at
 * 255.255.0.0 wrote past the first level, a /8 at 10.1.2.3 covered
 * 10.1/16..11.0/16). */
static void
test_lpm4_host_bits(void **state)
{
	struct lpm4_rule rules[] = {
		{ .ip = 0x0a010203, .depth = 8, .value = 1 }, /* 10.1.2.3/8 */
		{ .ip = 0xffff0000,
		  .depth = 8,
		  .value = 2 }, /* 255.255.0.0/8 */
		{ .ip = 0xc0a80155,
		  .depth = 24,
		  .value = 3 }, /* 192.168.1.85/24 */
		{ .ip = 0xc0a801ff, .depth = 30, .value = 4 }, /* .255/30 */
		{ .ip = 0x00000005, .depth = 0, .value = 5 },  /* 0.0.0.5/0 */
	};
	static const struct {
		uint32_t ip;
		uint8_t value;
	} cases[] = {
		{ 0x0a000000, 1 }, { 0x0a010202, 1 }, { 0x0affffff, 1 },
		{ 0x0b000000, 5 }, { 0x09ffffff, 5 }, { 0xff000000, 2 },
		{ 0xfffeffff, 2 }, { 0xffffffff, 2 }, { 0xc0a80100, 3 },
		{ 0xc0a801fb, 3 }, { 0xc0a801fc, 4 }, { 0xc0a801ff, 4 },
		{ 0xc0a80200, 5 }, { 0x00000000, 5 },
	};
	struct lpm4 *t = lpm4_build(rules, RTE_DIM(rules), SOCKET_ID_ANY);
	size_t i;

	(void)state;
	assert_non_null(t);
	for (i = 0; i < RTE_DIM(cases); i++)
		assert_int_equal(lpm4_lookup(t, cases[i].ip), cases[i].value);
	lpm4_free(t);
}

/*
 * 40 /16s, 10.0/16 to 10.39/16, the i-th with i + 2 /24s holding a
 * longer prefix (i + 1 /25../32s, and a /32 at the /16's last address),
 * a /8 over them all (so that a wide run starts as copies of a value,
 * not of 0), and in some a /16, a /20 and a /24 (prefixes a wide /16
 * writes into its run). The third-level groups are 860:
 * max(LPM4_WIDE_MIN, 860 / 256) = 16 wide /16s, the 16 with the most;
 * the others stay narrow, and the levels are sized exactly (24
 * second-level groups; the narrow /16s' 324 third-level ones and 16 runs
 * of 256). Every lookup, lpm4_lookup() and the staged one the scalar
 * classifier runs, agrees with a longest match over the rules (the
 * gathered lookups are held to the staged one by test_vector_diff).
 */
static void
test_lpm4_wide_groups(void **state)
{
	struct lpm4_rule rules[2 + WIDE_16S * (WIDE_16S + 1) / 2 + WIDE_16S +
			       3 * (WIDE_16S / 7 + 1)],
		*copy;
	uint32_t ip[64], ea[64], eb[64];
	size_t n = 0, i, k;
	struct lpm4 *t;

	(void)state;
	rules[n++] = lpm4_rule_of(0x0a000000, 8, 1);
	/* Outside the /16s: a table's other first-level entries. */
	rules[n++] = lpm4_rule_of(0xc0a80000, 16, 2);
	for (i = 0; i < WIDE_16S; i++) {
		uint32_t base = 0x0a000000 | (uint32_t)i << 16;

		for (k = 0; k <= i; k++)
			rules[n++] = lpm4_rule_of(base | (uint32_t)k << 8 |
							  (uint32_t)(k * 8),
						  (uint8_t)(25 + k % 8),
						  (uint8_t)(3 + (i + k) % 200));
		rules[n++] = lpm4_rule_of(base | 0xffff, 32, 220);
		if (i % 7 == 0) {
			rules[n++] = lpm4_rule_of(base, 16, 230);
			rules[n++] = lpm4_rule_of(base | 0x1000, 20, 231);
			rules[n++] = lpm4_rule_of(base | 0x0200, 24, 232);
		}
	}
	assert_true(n <= RTE_DIM(rules));
	copy = malloc(sizeof(rules));
	assert_non_null(copy);
	memcpy(copy, rules, n * sizeof(*rules));
	t = lpm4_build(copy, n, SOCKET_ID_ANY);
	assert_non_null(t);
	assert_int_equal(t->n_wide, LPM4_WIDE_MIN);
	/* Every group the build made is one it counted, and no more. */
	assert_int_equal(t->n_groups_a, WIDE_16S - LPM4_WIDE_MIN);
	assert_int_equal(t->n_groups_b, 324 + LPM4_WIDE_MIN * 256);
	assert_int_equal(t->memory,
			 sizeof(*t) + LPM4_TBL16_ENTRIES * sizeof(uint32_t) +
				 (t->n_groups_a + 1) * 256 * sizeof(uint32_t) +
				 (t->n_groups_b + 1) * 256 + LPM4_TBL8B_PAD);
	for (i = 0; i < WIDE_16S; i++)
		assert_int_equal((t->tbl16[0x0a00 + i] & LPM4_WIDE) != 0,
				 i >= WIDE_16S - LPM4_WIDE_MIN);
	for (i = 0; i < 200000; i += RTE_DIM(ip)) {
		for (k = 0; k < RTE_DIM(ip); k++) {
			/* Mostly under the rules' /16s and /24s. */
			ip[k] = (uint32_t)rng();
			if (rng() % 8 != 0)
				ip[k] = 0x0a000000 |
					(uint32_t)(rng() % (WIDE_16S + 2))
						<< 16 |
					(rng() % 2 ? (uint32_t)(rng() % 48) << 8
						   : 0) |
					(ip[k] & 0xffff);
		}
		lpm4_stage_tbl16(t, ip, ea, t, ip, eb, RTE_DIM(ip));
		lpm4_stage_tbl8a(t, ip, ea, t, ip, eb, RTE_DIM(ip));
		for (k = 0; k < RTE_DIM(ip); k++) {
			uint8_t want = lpm4_reference(rules, n, ip[k]);

			if (lpm4_lookup(t, ip[k]) != want ||
			    lpm4_stage_value(t, ea[k], ip[k]) != want)
				fail_msg("%u.%u.%u.%u: %u (staged %u), a "
					 "longest match says %u",
					 ip[k] >> 24, ip[k] >> 16 & 0xff,
					 ip[k] >> 8 & 0xff, ip[k] & 0xff,
					 lpm4_lookup(t, ip[k]),
					 lpm4_stage_value(t, ea[k], ip[k]),
					 want);
		}
	}
	lpm4_free(t);
	free(copy);
}

/* ---- lpm4.h's summary of the first level --------------------------------- */

/* Whether @bits, the summary of @tbl16, are exactly "the entry is not
 * @background", @want_set of them. */
static void
assert_summary_of(const uint32_t *tbl16, const uint32_t *bits,
		  uint32_t background, unsigned int want_set)
{
	unsigned int i, set = 0;

	assert_non_null(bits);
	for (i = 0; i < LPM4_TBL16_ENTRIES; i++) {
		bool bit = bits[i / 32] >> (i % 32) & 1;

		if (bit != (tbl16[i] != background))
			fail_msg("/16 %u: bit %d, entry %#x, background %u", i,
				 bit, tbl16[i], background);
		set += bit;
	}
	assert_int_equal(set, want_set);
}

/* A random address, mostly under the /16s of @near (n of them, top 16
 * bits), else anywhere. */
static uint32_t
summary_addr(const uint16_t *near, size_t n)
{
	uint32_t ip = (uint32_t)rng();

	if (rng() % 2 == 0)
		ip = (uint32_t)near[rng() % n] << 16 | (ip & 0xffff);
	return ip;
}

/*
 * A destination table's summary: its background is the value most /16s
 * hold (here a /0's, 3, not 0), its bits are set exactly where the first
 * level holds something else (a /8 below it: 256 bits; a /16 of another
 * value; a /16 that holds a /32 or a /25: a group), and every vector
 * lookup (each path this CPU has), through the summary for one table and
 * the whole first level for the other, gives what a longest match over
 * the rules gives, for addresses under those /16s and anywhere else.
 * A level where more than a sixteenth of the /16s differ gets none.
 */
static void
test_lpm4_summary(void **state)
{
	struct lpm4_rule rules[] = {
		lpm4_rule_of(0x00000000, 0, 3),
		lpm4_rule_of(0x0a000000, 8, 4),
		lpm4_rule_of(0xc6330000, 16, 9),
		lpm4_rule_of(0xc0000219, 32, 7),
		lpm4_rule_of(0xcb007180, 25, 5),
		lpm4_rule_of(0x0a0a0a00, 24, 6),
	};
	static const uint16_t near[] = { 0x0a00, 0x0a0a, 0x0aff, 0xc633,
					 0xc000, 0xcb00, 0x0b00, 0x09ff };
	struct lpm4_rule copy[RTE_DIM(rules)], *dense;
	enum op25b_classify_path was = op25b_classify_path_get();
	struct lpm4 *plain, *t;
	uint32_t ip[64], ea[64], eb[64];
	size_t memory;
	unsigned int i, k, path;

	(void)state;
	memcpy(copy, rules, sizeof(rules));
	plain = lpm4_build(copy, RTE_DIM(copy), SOCKET_ID_ANY);
	memcpy(copy, rules, sizeof(rules));
	t = lpm4_build(copy, RTE_DIM(copy), SOCKET_ID_ANY);
	assert_non_null(plain);
	assert_non_null(t);
	assert_null(t->summary);
	memory = t->memory;
	assert_int_equal(lpm4_summarize(t, SOCKET_ID_ANY), 0);
	assert_int_equal(t->background, 3);
	assert_summary_of(t->tbl16, t->summary, 3, 256 + 3);
	assert_int_equal(t->memory, memory + LPM4_SUMMARY_WORDS * 4);
	assert_int_equal(lpm4_summarize(t, SOCKET_ID_ANY), 0);
	assert_int_equal(t->memory, memory + LPM4_SUMMARY_WORDS * 4);
	/* The summary is what settles a clear /16: its first-level entry,
	 * made something else here, is not read (the scalar lookup, which
	 * reads it, says 8). Put back before the lookups below. */
	assert_int_equal(t->tbl16[0x0b00], 3);
	t->tbl16[0x0b00] = 8;
	assert_int_equal(lpm4_lookup(t, 0x0b000001), 8);
	for (path = OP25B_CLASSIFY_PATH_AVX2; path < OP25B_CLASSIFY_PATH_MAX;
	     path++) {
		if (!op25b_classify_path_available(path))
			continue;
		assert_int_equal(op25b_classify_path_set(path), 0);
		ip[0] = 0x0b000001;
		ip[1] = 0xc0000219;
		classify_lookup4(plain, ip, ea, t, ip, eb, 2);
		assert_int_equal(eb[0], 3);
		assert_int_equal(eb[1], 7);
		assert_int_equal(ea[0], 3);
	}
	t->tbl16[0x0b00] = 3;
	for (path = OP25B_CLASSIFY_PATH_AVX2; path < OP25B_CLASSIFY_PATH_MAX;
	     path++) {
		if (!op25b_classify_path_available(path))
			continue;
		assert_int_equal(op25b_classify_path_set(path), 0);
		for (i = 0; i < 2000; i++) {
			unsigned int n = 1 + (unsigned int)(rng() % 64);

			for (k = 0; k < n; k++)
				ip[k] = summary_addr(near, RTE_DIM(near));
			/* What lies past n stays as it was. */
			for (k = n; k < RTE_DIM(ea); k++)
				ea[k] = eb[k] = 0xdead;
			classify_lookup4(plain, ip, ea, t, ip, eb, n);
			for (k = n; k < RTE_DIM(ea); k++)
				if (ea[k] != 0xdead || eb[k] != 0xdead)
					fail_msg("%s n %u: [%u] written",
						 op25b_classify_path_name(path),
						 n, k);
			for (k = 0; k < n; k++) {
				uint8_t want = lpm4_reference(
					rules, RTE_DIM(rules), ip[k]);

				if (ea[k] != want || eb[k] != want)
					fail_msg("%s %#x: %u, summarized %u, "
						 "a longest match %u",
						 op25b_classify_path_name(path),
						 ip[k], ea[k], eb[k], want);
			}
		}
	}
	assert_int_equal(op25b_classify_path_set(was), 0);
	lpm4_free(t);
	lpm4_free(plain);

	/* A sixteenth of the /16s differing still gets one; one more not. */
	dense = calloc(LPM4_SUMMARY_MAX_SET + 1, sizeof(*dense));
	assert_non_null(dense);
	for (k = LPM4_SUMMARY_MAX_SET; k <= LPM4_SUMMARY_MAX_SET + 1; k++) {
		for (i = 0; i < k; i++)
			dense[i] = lpm4_rule_of(i * 7919 % 65536 << 16, 16, 1);
		t = lpm4_build(dense, k, SOCKET_ID_ANY);
		assert_non_null(t);
		memory = t->memory;
		assert_int_equal(lpm4_summarize(t, SOCKET_ID_ANY), 0);
		if (k == LPM4_SUMMARY_MAX_SET) {
			assert_int_equal(t->background, 0);
			assert_summary_of(t->tbl16, t->summary, 0, k);
		} else {
			assert_null(t->summary);
			assert_int_equal(t->memory, memory);
		}
		lpm4_free(t);
	}
	free(dense);
}

/* A compiled classifier summarizes its IPv4 destination table, not its
 * source table (lpm4.h says why). */
static void
test_summary_destinations_only(void **state)
{
	static const char yaml[] =
		"version: 1\nsources:\n"
		"  dyn: {action: block, prefixes: [198.18.0.0/15, "
		"2001:db8:1::/48]}\n"
		"destinations:\n"
		"  relays: {action: allow, prefixes: [198.19.255.25/32, "
		"2001:db8:ffff::25/128]}\n";
	struct op25b_policy *p;
	struct op25b_classifier *c = test_classifier_of(yaml, &p);

	(void)state;
	assert_null(c->src4->summary);
	assert_summary_of(c->dst4->tbl16, c->dst4->summary, 0, 1);
	test_classifier_free(c, p);
}

/* rte_fib DIR24_8 in DPDK 22.11 returns wrong next hops when a covering
 * prefix is added after adjacent more-specific ones ending at
 * 255.255.255.255 (these three, in this order: 10.0.0.1 then resolves to
 * the /2); op25b's own tables must not. */
static void
test_tables_adjacent_top_prefixes(void **state)
{
	static const char yaml[] =
		"version: 1\nsources:\n"
		"  a: {action: block, prefixes: [248.0.0.0/6]}\n"
		"  b: {action: block, prefixes: [252.0.0.0/6]}\n"
		"  c: {action: block, prefixes: [192.0.0.0/2]}\n";
	struct op25b_policy *p;
	struct op25b_classifier *c = test_classifier_of(yaml, &p);
	static const struct {
		const char *addr;
		uint8_t slot;
	} cases[] = { { "10.0.0.1", 0 },	{ "192.0.0.0", 3 },
		      { "247.255.255.255", 3 }, { "248.0.0.0", 1 },
		      { "251.255.255.255", 1 }, { "252.0.0.0", 2 },
		      { "255.255.255.255", 2 }, { "191.255.255.255", 0 } };
	unsigned int i;

	(void)state;
	for (i = 0; i < RTE_DIM(cases); i++) {
		uint8_t a[4], cs, gs;

		inet_pton(AF_INET, cases[i].addr, a);
		op25b_classifier_lookup(c, AF_INET, a, a, &cs, &gs);
		if (cs != cases[i].slot)
			fail_msg("%s: slot %u, expected %u", cases[i].addr, cs,
				 cases[i].slot);
	}
	test_classifier_free(c, p);
}

/* ---- default routes: 0.0.0.0/0 and ::/0 ---------------------------------- */

static const char default_routes_yaml[] =
	"version: 1\nblock: drop\nsources:\n"
	"  anyone: {action: block, prefixes: [0.0.0.0/0, '::/0']}\n"
	"  static: {action: allow, prefixes: [198.18.20.0/24, "
	"2001:db8:1000::/36]}\n"
	"  upper: {action: count, prefixes: [8000::/1, 224.0.0.0/3]}\n"
	"destinations:\n"
	"  anywhere: {prefixes: [0.0.0.0/0, '::/0']}\n"
	"  relays: {action: allow, prefixes: [192.0.2.25/32, "
	"2001:db8::25/128]}\n";

/* Every address matches a /0; a longer prefix, a /1 included, wins where
 * it applies; both through the scalar lookup and through a burst (bulk
 * lookups), and as the reference matcher says. */
static void
test_default_routes(void **state)
{
	static const struct {
		const char *src, *dst;
		uint8_t class_slot, group_slot;
		enum op25b_outcome outcome;
	} cases[] = {
		{ "203.0.113.9", "203.0.113.10", 1, 1, OP25B_OUTCOME_BLOCKED },
		{ "0.0.0.0", "0.0.0.1", 1, 1, OP25B_OUTCOME_BLOCKED },
		{ "127.255.255.255", "192.0.2.25", 1, 2,
		  OP25B_OUTCOME_FORWARDED },
		{ "198.18.20.7", "203.0.113.9", 2, 1, OP25B_OUTCOME_FORWARDED },
		{ "223.255.255.255", "255.255.255.255", 1, 1,
		  OP25B_OUTCOME_BLOCKED },
		{ "224.0.0.0", "255.255.255.255", 3, 1, OP25B_OUTCOME_COUNTED },
		{ "2001:db8:2000::1", "2001:db8:ffff::9", 1, 1,
		  OP25B_OUTCOME_BLOCKED },
		{ "::", "::1", 1, 1, OP25B_OUTCOME_BLOCKED },
		{ "7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db8::25", 1,
		  2, OP25B_OUTCOME_FORWARDED },
		{ "2001:db8:1000:20::1", "2001:db8::24", 2, 1,
		  OP25B_OUTCOME_FORWARDED },
		{ "8000::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 3, 1,
		  OP25B_OUTCOME_COUNTED },
	};
	struct op25b_policy *p;
	struct op25b_classifier *c =
		test_classifier_of(default_routes_yaml, &p);
	unsigned int i;

	(void)state;
	for (i = 0; i < RTE_DIM(cases); i++) {
		int family = strchr(cases[i].src, ':') ? AF_INET6 : AF_INET;
		uint8_t src[16], dst[16], cs, gs;
		struct op25b_classify_result r;
		char spec[160];

		assert_int_equal(inet_pton(family, cases[i].src, src), 1);
		assert_int_equal(inet_pton(family, cases[i].dst, dst), 1);
		assert_int_equal(
			op25b_classifier_lookup(c, family, src, dst, &cs, &gs),
			0);
		if (cs != cases[i].class_slot || gs != cases[i].group_slot)
			fail_msg("%s -> %s: lookup says %u %u, expected %u %u",
				 cases[i].src, cases[i].dst, cs, gs,
				 cases[i].class_slot, cases[i].group_slot);
		assert_int_equal(
			op25b_policy_match_source(p, family, src, NULL) + 1,
			cases[i].class_slot);
		assert_int_equal(
			op25b_policy_match_destination(p, family, dst, NULL) +
				1,
			cases[i].group_slot);
		snprintf(spec, sizeof(spec), "src=%s dst=%s dport=25 flags=S",
			 cases[i].src, cases[i].dst);
		r = classify_with(c, spec, NULL);
		if (r.outcome != cases[i].outcome ||
		    r.class_slot != cases[i].class_slot ||
		    r.group_slot != cases[i].group_slot)
			fail_msg("'%s': %s class %u group %u, expected %s "
				 "class %u group %u",
				 spec, op25b_outcome_name(r.outcome),
				 r.class_slot, r.group_slot,
				 op25b_outcome_name(cases[i].outcome),
				 cases[i].class_slot, cases[i].group_slot);
	}
	test_classifier_free(c, p);
}

/* A /0 alone on a side, and a random policy with /0s on both sides,
 * against the reference matcher. */
static void
test_default_routes_match_reference(void **state)
{
	static const char alone[] =
		"version: 1\nsources: {all: {action: block, prefixes: ['::/0']}}\n"
		"destinations: {all: {prefixes: [0.0.0.0/0]}}\n";
	struct op25b_policy *p;
	struct op25b_classifier *c = test_classifier_of(alone, &p);
	uint8_t a[16], cs, gs;
	unsigned int round, i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		uint64_t r = rng();

		memcpy(a, &r, 8);
		r = rng();
		memcpy(a + 8, &r, 8);
		op25b_classifier_lookup(c, AF_INET6, a, a, &cs, &gs);
		assert_int_equal(cs, 1);
		assert_int_equal(gs, 0);
		op25b_classifier_lookup(c, AF_INET, a, a, &cs, &gs);
		assert_int_equal(cs, 0);
		assert_int_equal(gs, 1);
	}
	test_classifier_free(c, p);

	for (round = 0; round < 2; round++) {
		char *base = random_policy_yaml(4, 300), *yaml;
		size_t len = strlen(base) + 256;
		char *at;

		/* The first class and group also take the whole space. */
		yaml = malloc(len);
		assert_non_null(yaml);
		snprintf(yaml, len, "%s", base);
		at = strstr(yaml, "prefixes: [");
		assert_non_null(at);
		snprintf(at + 11, len - (size_t)(at + 11 - yaml),
			 "0.0.0.0/0, '::/0', %s",
			 strstr(base, "prefixes: [") + 11);
		at = strstr(strstr(yaml, "destinations:"), "prefixes: [");
		memmove(at + 11 + 19, at + 11, strlen(at + 11) + 1);
		memcpy(at + 11, "0.0.0.0/0, '::/0', ", 19);
		p = load_policy(yaml);
		c = op25b_classifier_create(p, SOCKET_ID_ANY, NULL, NULL);
		assert_non_null(c);
		for (i = 0; i < 20000; i++) {
			int v6 = i % 2, family = v6 ? AF_INET6 : AF_INET;
			uint8_t src[16], dst[16];

			random_address(src, v6, p);
			random_address(dst, v6, p);
			if (i % 4 < 2) { /* anywhere at all */
				uint64_t r = rng();

				memcpy(src, &r, 8);
				memcpy(dst + 8, &r, 8);
			}
			op25b_classifier_lookup(c, family, src, dst, &cs, &gs);
			assert_int_equal(cs, op25b_policy_match_source(
						     p, family, src, NULL) +
						     1);
			assert_int_equal(gs, op25b_policy_match_destination(
						     p, family, dst, NULL) +
						     1);
			assert_true(cs != 0 && gs != 0);
		}
		test_classifier_free(c, p);
		free(yaml);
		free(base);
	}
}

/* ---- compile-time limits, with where they are reached ------------------- */

/*
 * A class of @n IPv6 /128s from "pools.txt", prefix i at line i + 1:
 * 2001:db8:(i & 0xffff):(i >> 16 << 8)::1. Each needs 9 tbl8 groups of its
 * own (levels 56..120), the first 65536 one more (level 48), every 256th
 * of those one more (level 40), the first two more (levels 24, 32).
 */
static struct op25b_prefix *
pool_prefixes(size_t n)
{
	struct op25b_prefix *v = calloc(n, sizeof(*v));
	size_t i;

	assert_non_null(v);
	for (i = 0; i < n; i++) {
		static const uint8_t top[4] = { 0x20, 0x01, 0x0d, 0xb8 };

		v[i].family = AF_INET6;
		v[i].length = 128;
		memcpy(v[i].addr, top, 4);
		v[i].addr[4] = (uint8_t)(i >> 8);
		v[i].addr[5] = (uint8_t)i;
		v[i].addr[6] = (uint8_t)(i >> 16);
		v[i].addr[15] = 1;
		v[i].file = "pools.txt";
		v[i].line = (uint32_t)i + 1;
		v[i].column = 1;
	}
	return v;
}

/* A policy by hand: the limits need more prefixes than a YAML text in a
 * unit test should hold. Class 0 "small": one prefix, at policy.yaml:@p
 * line:@p column, beside big[0xff00] (it shares that one's groups down to
 * level 48 and brings 9 of its own, which come first in load order);
 * class 1 "big": the @p n of pool_prefixes(), to be freed. */
struct pools {
	struct op25b_policy p;
	struct op25b_policy_class cls[2];
	struct op25b_prefix small, *big;
	/* Why it does not compile (expect_big_fails()). */
	struct op25b_classifier_error err;
	char text[600];
};

static void
pools_init(struct pools *pl, size_t n, uint32_t line, uint32_t column)
{
	struct op25b_policy *p = &pl->p;
	struct op25b_policy_class *cls = pl->cls;
	struct op25b_prefix *small = &pl->small, *big = pool_prefixes(n);

	pl->big = big;
	*small = big[0];
	small->addr[4] = 0xff;
	small->addr[6] = 0xff;
	small->line = line;
	small->column = column;
	small->file = "policy.yaml";
	memset(p, 0, sizeof(*p));
	memset(cls, 0, 2 * sizeof(*cls));
	p->file = (char *)"policy.yaml";
	p->version = 1;
	p->default_action = OP25B_ACTION_ALLOW;
	p->classes = cls;
	p->n_classes = 2;
	snprintf(cls[0].name, sizeof(cls[0].name), "small");
	cls[0].action = OP25B_ACTION_BLOCK;
	cls[0].prefixes.prefixes = small;
	cls[0].prefixes.count = 1;
	snprintf(cls[1].name, sizeof(cls[1].name), "big");
	cls[1].action = OP25B_ACTION_BLOCK;
	cls[1].prefixes.prefixes = big;
	cls[1].prefixes.count = n;
}

/* Compiling @pl fails with @errnum at big's prefix @at (the sources'
 * class 1); the error and its message in @pl. */
static void
expect_big_fails(struct pools *pl, int errnum, size_t at)
{
	assert_null(op25b_classifier_compile(&pl->p, SOCKET_ID_ANY, NULL, NULL,
					     &pl->err));
	assert_int_equal(rte_errno, errnum);
	assert_int_equal(pl->err.errnum, errnum);
	assert_int_equal(pl->err.side, OP25B_CLASSIFIER_SIDE_SOURCES);
	assert_int_equal(pl->err.entry, 1);
	assert_ptr_equal(pl->err.prefix, &pl->big[at]);
	op25b_policy_error_format(&pl->err.where, pl->text, sizeof(pl->text));
}

static void
test_compile_error_lpm6_groups(void **state)
{
	/* Alone, big needs 3 + 256 + 65536 + 9 * (i + 1) groups up to its
	 * prefix i (one each under 2001, 2001:0d and 2001:db8, 256 under
	 * 2001:db8:XX, 65536 under 2001:db8:XXXX, then 9 of its own): past
	 * 2^21 at i = 225706. */
	struct pools pl;

	(void)state;
	pools_init(&pl, 230000, 7, 18);
	/* small's groups come first: the limit moves one prefix forward. */
	expect_big_fails(&pl, ENOSPC, 225705);
	assert_int_equal(pl.err.family, AF_INET6);
	assert_string_equal(pl.text,
			    "pools.txt:225706:1: class 'big': the IPv6 source "
			    "table runs out of groups from this prefix on "
			    "(2135804 needed, at most 2097152)");
	/* Without the error argument: the same errno. */
	assert_null(op25b_classifier_create(&pl.p, SOCKET_ID_ANY, NULL, NULL));
	assert_int_equal(rte_errno, ENOSPC);
	free(pl.big);
}

/* A table larger than the EAL's memory (1 GB in test_eal.h): pointed at
 * the list that holds most of its prefixes. */
static void
test_compile_error_memory(void **state)
{
	struct pools pl;

	(void)state;
	/* small at big[0]'s place in pools.txt: line 1, column 1. */
	pools_init(&pl, 120000, 1, 1);
	expect_big_fails(&pl, ENOMEM, 0);
	assert_non_null(strstr(pl.text, "pools.txt:1:1: class 'big': the IPv6 "
					"source table (120001 prefixes, at "
					"least "));
	assert_non_null(strstr(pl.text, " MB) cannot be allocated"));
	free(pl.big);
}

/* What is no list's doing is reported at the policy file. */
static void
test_compile_error_bad_slots(void **state)
{
	static const uint8_t twice[2] = { 1, 1 };
	struct op25b_policy *p = load_policy(default_routes_yaml);
	struct op25b_classifier_error err;

	(void)state;
	assert_null(
		op25b_classifier_compile(p, SOCKET_ID_ANY, twice, NULL, &err));
	assert_int_equal(err.errnum, EINVAL);
	assert_int_equal(err.side, OP25B_CLASSIFIER_SIDE_NONE);
	assert_int_equal(err.entry, -1);
	assert_null(err.prefix);
	assert_string_equal(err.where.file, "test.yaml");
	assert_int_equal(err.where.line, 0);
	op25b_policy_free(p);
}

/*
 * The reset of a single-segment SYN comes from a header template with
 * checksums summed from the SYN's fields (reset.c); a chained SYN's is
 * written field by field and summed whole. Random addresses, ports,
 * sequence numbers and payloads, both families: the same bytes, so every
 * checksum (its 0xffff/0 folds included) comes out as the full sum does.
 */
static void
test_reset_template_random(void **state)
{
	char tokens[256];
	unsigned int i;

	(void)state;
	for (i = 0; i < 2000; i++) {
		struct op25b_classify_result r;
		struct rte_mbuf *m;
		unsigned int sport = 1 + (unsigned int)(rng() % 65535);
		unsigned int payload = rng() % 4 == 0 ? rng() % 64 : 0;
		uint32_t seq = (uint32_t)rng();

		if (i % 2 == 0)
			/* dynamic, not static (198.18.20.0/24) */
			snprintf(tokens, sizeof(tokens),
				 "src=198.18.%u.%u dst=203.0.113.%u sport=%u "
				 "seq=%u payload=%u",
				 (unsigned int)(rng() % 20),
				 (unsigned int)(rng() % 256),
				 (unsigned int)(rng() % 66), sport, seq,
				 payload);
		else
			snprintf(tokens, sizeof(tokens),
				 "src=2001:db8:1%03x:%x::%x "
				 "dst=2001:db8:ffff:%x::%x sport=%u seq=%u "
				 "payload=%u",
				 1 + (unsigned int)(rng() % 0xfff),
				 (unsigned int)(rng() % 0x10000),
				 (unsigned int)(rng() % 0x10000),
				 (unsigned int)(rng() % 0x10000),
				 (unsigned int)(rng() % 0x10000), sport, seq,
				 payload);
		r = classify_with(classifier, tokens, &m);
		assert_int_equal(r.outcome, OP25B_OUTCOME_RESET);
		check_reset_chained(tokens, m);
		rte_pktmbuf_free(m);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vlan_stacks),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_truncated_at_every_byte),
		cmocka_unit_test(test_malformed_forward_policy),
		cmocka_unit_test(test_only_bare_syn_is_reset),
		cmocka_unit_test(test_monitor_mode_counts_every_block),
		cmocka_unit_test(test_reset_ipv4),
		cmocka_unit_test(test_reset_ipv6),
		cmocka_unit_test(test_reset_template_random),
		cmocka_unit_test(test_record_hints_chained),
		cmocka_unit_test(test_record_hints_max),
		cmocka_unit_test(test_record_hints_rule),
		cmocka_unit_test(test_counters_exact),
		cmocka_unit_test(test_exempt_sources),
		cmocka_unit_test(test_burst_is_capped),
		cmocka_unit_test(test_tables_match_reference),
		cmocka_unit_test(test_lpm6_wide_groups),
		cmocka_unit_test(test_lpm6_scattered_stay_narrow),
		cmocka_unit_test(test_chain_copy_refuses_empty_segments),
		cmocka_unit_test(test_lpm4_wide_groups),
		cmocka_unit_test(test_lpm4_host_bits),
		cmocka_unit_test(test_lpm4_summary),
		cmocka_unit_test(test_summary_destinations_only),
		cmocka_unit_test(test_tables_adjacent_top_prefixes),
		cmocka_unit_test(test_default_routes),
		cmocka_unit_test(test_default_routes_match_reference),
		cmocka_unit_test(test_compile_error_lpm6_groups),
		cmocka_unit_test(test_derive_shares_tables),
		cmocka_unit_test(test_compile_error_memory),
		cmocka_unit_test(test_compile_error_bad_slots),
		cmocka_unit_test(test_adaptive_enforced),
		cmocka_unit_test(test_adaptive_class_block),
	};

	return cmocka_run_group_tests_name("classify", tests, group_setup,
					   group_teardown);
}
