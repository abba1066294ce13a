/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every case of every test vector file (test/vectors/ *.vec) through the
 * classifier: one cmocka test per case, so a failure names the case. The
 * same files drive the replay tool and the appliance in test/integration.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <rte_mbuf.h>

#include "op25b_classify.h"
#include "op25b_craft.h"
#include "op25b_policy.h"
#include "test_eal.h"
#include "test_vec.h"
#include "test_vec_files.h"
#include "test_mbuf.h"

struct vec_set {
	struct op25b_vector_file vf;
	struct op25b_policy *policy;
	struct op25b_classifier *classifier;
	char path[1024];
};

static struct rte_mempool *pool;

/*
 * Each case runs in one segment, then in chains of mbufs cut at every
 * place a header boundary can fall (inside the Ethernet header, between
 * tags, inside PPPoE, IP and TCP, at the parser's depth), then in 64-byte
 * segments: a frame's verdict, counters and reply may not depend on how a
 * NIC or a PMD cut it.
 */
static const unsigned int first_segment_lens[] = {
	1,  13, 14, 15, 17, 18, 21, 22,	 26,  30,   33,	  38,
	42, 54, 58, 62, 70, 74, 94, 100, 128, 1023, 1024, 2048,
};
#define LAYOUT_SINGLE 0
#define LAYOUT_SEGMENTS_64 1
#define LAYOUT_FIRST_SEGMENT 2
#define N_LAYOUTS (LAYOUT_FIRST_SEGMENT + RTE_DIM(first_segment_lens))

static const char *
slot_name(const struct op25b_policy *p, unsigned int slot, int is_class)
{
	if (slot == 0)
		return "-";
	return is_class ? p->classes[slot - 1].name : p->groups[slot - 1].name;
}

/* Whether the layout cuts the frame at all, and how, for messages. */
static bool
layout_of(unsigned int layout, unsigned int len, unsigned int *first,
	  unsigned int *rest, char *what, size_t size)
{
	if (layout == LAYOUT_SINGLE) {
		*first = *rest = len;
		snprintf(what, size, "one segment");
		return true;
	}
	if (layout == LAYOUT_SEGMENTS_64) {
		*first = *rest = 64;
		snprintf(what, size, "64-byte segments");
		return len > 64;
	}
	*first = first_segment_lens[layout - LAYOUT_FIRST_SEGMENT];
	*rest = len;
	snprintf(what, size, "first segment %u bytes", *first);
	return *first < len;
}

/* The TCP flags of the reply in @m, in the order S R F P A (scapy's for
 * these), as the vector's reply= writes them; "-" when @r is no reply. */
static void
reply_flags(const struct op25b_classifier *c,
	    const struct op25b_classify_result *r, const struct rte_mbuf *m,
	    char *buf, size_t size)
{
	static const struct {
		int bit;
		char letter;
	} order[] = { { 0x02, 'S' },
		      { 0x04, 'R' },
		      { 0x01, 'F' },
		      { 0x08, 'P' },
		      { 0x10, 'A' } };
	struct op25b_frame_info info;
	size_t n = 0, i;

	snprintf(buf, size, "-");
	if (r->disposition != OP25B_DISPOSITION_REPLY || m->nb_segs != 1)
		return;
	op25b_classifier_frame_info(c, rte_pktmbuf_mtod(m, const uint8_t *),
				    rte_pktmbuf_data_len(m), &info);
	snprintf(buf, size, "?");
	if (info.tcp_flags < 0)
		return;
	for (i = 0; i < RTE_DIM(order) && n + 1 < size; i++)
		if (info.tcp_flags & order[i].bit)
			buf[n++] = order[i].letter;
	buf[n] = '\0';
}

static void
run_case(void **state)
{
	const struct test_vec_case *vc = *state;
	const struct vec_set *set = vc->set;
	const struct op25b_vector_case *c = vc->c;
	const struct op25b_policy *p = set->policy;
	static uint8_t reply_single[OP25B_CRAFT_FRAME_MAX];
	static uint8_t out[OP25B_CRAFT_FRAME_MAX];
	unsigned int reply_single_len = 0, layout, i;
	int counter = -1;

	if (strcmp(c->counter, "-") != 0) {
		for (i = 0; i < OP25B_FRAME_MAX; i++)
			if (strcmp(op25b_frame_counter_name(i), c->counter) ==
			    0)
				counter = (int)i;
		if (counter < 0 || counter == OP25B_FRAME_CHAINED)
			fail_msg("%s:%u: %s: unknown counter '%s'", set->path,
				 c->line, c->name, c->counter);
	}
	for (layout = 0; layout < N_LAYOUTS; layout++) {
		struct op25b_stats_counters counters;
		struct op25b_classify_result r;
		unsigned int first, rest, sum = 0;
		const char *cls, *grp;
		const uint8_t *bytes;
		char flags[8];
		struct rte_mbuf *m;
		char what[64];
		bool chained;

		if (!layout_of(layout, c->frame_len, &first, &rest, what,
			       sizeof(what)))
			continue;
		m = test_mbuf_chain(pool, c->frame, c->frame_len, first, rest);
		assert_non_null(m);
		chained = m->nb_segs > 1;
		memset(&counters, 0, sizeof(counters));
		assert_int_equal(
			op25b_classifier_classify_burst(set->classifier, NULL,
							&m, 1, &r, &counters),
			1);
		cls = slot_name(p, r.class_slot, 1);
		grp = slot_name(p, r.group_slot, 0);
		if (strcmp(op25b_outcome_name(r.outcome), c->expect) != 0 ||
		    strcmp(cls, c->class_name) != 0 ||
		    strcmp(grp, c->group_name) != 0)
			fail_msg("%s:%u: %s (%s): got %s class=%s group=%s, "
				 "expected %s class=%s group=%s",
				 set->path, c->line, c->name, what,
				 op25b_outcome_name(r.outcome), cls, grp,
				 c->expect, c->class_name, c->group_name);
		/* Exactly one outcome, the frame counters named, no other. */
		for (i = 0; i < OP25B_OUTCOME_MAX; i++)
			sum += (unsigned int)counters.outcome[i];
		if (sum != 1 || counters.outcome[r.outcome] != 1)
			fail_msg("%s:%u: %s (%s): %u outcomes counted",
				 set->path, c->line, c->name, what, sum);
		for (i = 0; i < OP25B_FRAME_MAX; i++) {
			uint64_t want = i == OP25B_FRAME_CHAINED
						? chained
						: (int)i == counter;

			if (counters.frame[i] != want)
				fail_msg(
					"%s:%u: %s (%s): counter %s is %" PRIu64
					", expected %" PRIu64,
					set->path, c->line, c->name, what,
					op25b_frame_counter_name(i),
					counters.frame[i], want);
		}
		/* What leaves: the frame byte for byte, or the same reply
		 * whatever the layout was. */
		bytes = rte_pktmbuf_read(m, 0, rte_pktmbuf_pkt_len(m), out);
		assert_non_null(bytes);
		reply_flags(set->classifier, &r, m, flags, sizeof(flags));
		if (strcmp(flags, c->reply) != 0)
			fail_msg("%s:%u: %s (%s): reply %s, expected %s",
				 set->path, c->line, c->name, what, flags,
				 c->reply);
		if (r.disposition == OP25B_DISPOSITION_REPLY) {
			assert_int_equal(m->nb_segs, 1);
			if (layout == LAYOUT_SINGLE) {
				reply_single_len = rte_pktmbuf_pkt_len(m);
				memcpy(reply_single, bytes, reply_single_len);
			} else if (rte_pktmbuf_pkt_len(m) != reply_single_len ||
				   memcmp(bytes, reply_single,
					  reply_single_len) != 0) {
				fail_msg(
					"%s:%u: %s (%s): the reply differs from "
					"the one-segment reply",
					set->path, c->line, c->name, what);
			}
		} else if (rte_pktmbuf_pkt_len(m) != c->frame_len ||
			   memcmp(bytes, c->frame, c->frame_len) != 0) {
			fail_msg("%s:%u: %s (%s): the frame was changed",
				 set->path, c->line, c->name, what);
		}
		rte_pktmbuf_free(m);
	}
}

int
main(int argc, char **argv)
{
	char dir[512], *names[64];
	struct vec_set sets[64];
	struct CMUnitTest *tests;
	struct test_vec_case *cases;
	unsigned int n_sets = 0, n_tests = 0, i;
	int failed, ret;

	(void)argc;
	(void)argv;
	/* Enough mbufs for the longest frame in 64-byte segments. */
	ret = test_vec_setup(dir, sizeof(dir), names, RTE_DIM(names),
			     "test_vectors", 511, &pool);
	if (ret < 0)
		return 1;
	n_sets = (unsigned int)ret;

	for (i = 0; i < n_sets; i++) {
		struct vec_set *s = &sets[i];

		if (test_vec_load(dir, names[i], s->path, sizeof(s->path),
				  &s->vf, &s->policy, &s->classifier) != 0)
			return 1;
		n_tests += s->vf.n_cases;
	}

	if (test_vec_alloc(n_tests, 0, &tests, &cases) != 0)
		return 1;
	n_tests = 0;
	for (i = 0; i < n_sets; i++)
		test_vec_add_cases(tests, cases, &n_tests, &sets[i], names[i],
				   &sets[i].vf, run_case);
	failed = _cmocka_run_group_tests("vectors", tests, n_tests, NULL, NULL);

	test_vec_free_tests(tests, n_tests);
	free(cases);
	for (i = 0; i < n_sets; i++)
		test_vec_unload(&sets[i].vf, sets[i].policy, sets[i].classifier,
				names[i]);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return failed;
}
