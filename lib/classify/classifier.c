/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The data path: parse a burst, look its SMTP packets up in bulk, decide,
 * count. The tables it reads are built in compile.c.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_per_lcore.h>
#include <rte_prefetch.h>

#include "classify_priv.h"
#include "decide_count.h"
#include "notify.h"
#include "record_hint.h"
#include "vec_priv.h"

/* How far ahead of the packet being parsed its successors' first cache
 * line is requested: four packets cover the DRAM latency of one parse. */
#define PREFETCH_AHEAD 4

_Static_assert(sizeof(struct op25b_classify_result) == 4,
	       "results stay one word per packet");
_Static_assert(OP25B_OUTCOME_RESET - OP25B_OUTCOME_FORWARDED + 1 ==
		       OP25B_VERDICT_MAX,
	       "verdict outcomes are contiguous");
_Static_assert(OP25B_CLASSIFY_BURST_MAX <= LPM6_BULK_MAX,
	       "a burst's IPv6 addresses go to lpm6_lookup_bulk() at once");
_Static_assert(14 + 4 * OP25B_POLICY_MAX_VLAN_TAGS + 8 + 60 + 20 <=
		       OP25B_PARSE_DEPTH,
	       "any IPv4 header stack lies in the bytes the parser may read");
_Static_assert(14 + 4 * OP25B_POLICY_MAX_VLAN_TAGS + 8 + 40 + 20 <=
		       OP25B_PARSE_DEPTH,
	       "an IPv6 header stack without extensions does too");

/* ------------------------------------------------------------------ */
/* Lookups                                                             */

int
op25b_classifier_lookup(const struct op25b_classifier *c, int family,
			const uint8_t *src, const uint8_t *dst,
			uint8_t *class_slot, uint8_t *group_slot)
{
	if (family == AF_INET) {
		*class_slot =
			c->src4 ? (uint8_t)lpm4_lookup(c->src4, load_be32(src))
				: 0;
		*group_slot =
			c->dst4 ? (uint8_t)lpm4_lookup(c->dst4, load_be32(dst))
				: 0;
		return 0;
	}
	if (family == AF_INET6) {
		*class_slot = lpm6_lookup(c->src6, src);
		*group_slot = lpm6_lookup(c->dst6, dst);
		return 0;
	}
	return -EINVAL;
}

/* Whether @exempt (not NULL: decide_as() tests it first) holds the
 * source. */
static __rte_always_inline bool
exempt_source(const struct op25b_exempt_table *exempt, uint32_t src4,
	      const uint8_t *src6)
{
	return src6 == NULL ? op25b_exempt_table_match4(exempt, src4)
			    : op25b_exempt_table_match6(exempt, src6);
}

/*
 * A packet of an adaptive class: forwarded, or the policy's block when its
 * source is blocked (this SYN may be the one that blocks it). The table is
 * shared by every worker; the clock is read once per burst, at the first
 * adaptive packet. Out of line: only adaptive classes pay for it.
 */
static __rte_noinline uint8_t
adaptive_outcome(const struct op25b_classifier *c,
		 const struct op25b_exempt_table *exempt,
		 const struct pkt_meta *meta, uint32_t src4,
		 const uint8_t *src6, uint32_t dst4, const uint8_t *dst6,
		 uint16_t src_slot, uint64_t *now)
{
	const struct classify_adaptive *a = c->adaptive;
	const struct op25b_adaptive_rule *rule = &a->rule[src_slot];
	uint64_t key;
	uint16_t dest = 0;
	uint32_t be;

	/* An exempt source is not counted against its class's limit: the
	 * class's block, which decide_as() then exempts. */
	if (exempt != NULL && exempt_source(exempt, src4, src6))
		return a->block_outcome[src_slot];
	if (a->table == NULL)
		return OP25B_OUTCOME_FORWARDED;
	if (*now == 0)
		*now = op25b_adaptive_now(a->table);
	/* The destination's hash only for a class that limits them. */
	if (src6 == NULL) {
		key = op25b_adaptive_key4(src4);
		be = rte_cpu_to_be_32(dst4);
		if (rule->destinations != 0)
			dest = op25b_adaptive_dest_hash((const uint8_t *)&be,
							4);
	} else {
		key = op25b_adaptive_key6(src6, rule->ipv6_key);
		if (rule->destinations != 0)
			dest = op25b_adaptive_dest_hash(dst6, 16);
	}
	/* Only a bare SYN opens a connection; a SYN+ACK is not sent by a
	 * client. */
	return op25b_adaptive_account(a->table, rule, key, dest,
				      (meta->tcp_flags & (TCP_SYN | TCP_ACK)) ==
					      TCP_SYN,
				      *now) == OP25B_ADAPTIVE_BLOCK
		       ? a->block_outcome[src_slot]
		       : OP25B_OUTCOME_FORWARDED;
}

/*
 * The matrix already holds the final outcome of the policy; RESET there
 * means "reset if this is a bare SYN". Only a bare SYN gets a reset: it
 * makes the client fail at once instead of retrying for minutes; anything
 * else mid-flow is dropped, as a reset there could tear down a flow that
 * began before the policy changed.
 *
 * An exemption is looked up only for what the policy would block or count:
 * the common verdicts never pay for it. It is checked before a reset is
 * built, which rewrites the frame. Exempted packets count under their own
 * outcome, not in a class's or group's verdicts, which stay what the
 * policy decided.
 *
 * Counters are incremented here and in the parse loop, not in a loop of
 * their own: there, increments of one counter would wait on each other;
 * here the lookups' latency hides them. (The common outcomes do not come
 * here: decide_slots() counts them by runs.)
 */
static __rte_always_inline void
decide_as(const struct op25b_classifier *c,
	  const struct op25b_exempt_table *exempt, struct rte_mbuf *m,
	  const struct pkt_meta *meta, uint32_t src4, const uint8_t *src6,
	  uint8_t outcome, uint16_t src_slot, uint16_t dst_slot,
	  struct op25b_classify_result *r,
	  struct op25b_stats_counters *counters)
{
	enum op25b_notify_answer notify = OP25B_NOTIFY_ANSWER_DROP;

	/* The table first: without one (no exemption loaded), a blocked
	 * packet pays one test, not two. */
	if (unlikely(exempt != NULL) && outcome >= OP25B_OUTCOME_COUNTED &&
	    exempt_source(exempt, src4, src6)) {
		*r = c->settled_result[OP25B_OUTCOME_EXEMPTED];
		r->class_slot = (uint8_t)src_slot;
		r->group_slot = (uint8_t)dst_slot;
		counters->outcome[OP25B_OUTCOME_EXEMPTED]++;
		return;
	}
	/* Reset and notify, the two that may answer, lie above every other
	 * outcome (the caller has resolved MATRIX_ADAPTIVE): one test keeps
	 * forwarded, counted and blocked clear of both (syn4, blocked:
	 * -2.0 instructions a packet). */
	_Static_assert(OP25B_OUTCOME_RESET + 1 == OP25B_OUTCOME_MAX &&
			       MATRIX_NOTIFY > OP25B_OUTCOME_RESET,
		       "reset and notify are the outcomes above blocked");
	if (unlikely(outcome >= OP25B_OUTCOME_RESET)) {
		if (outcome == OP25B_OUTCOME_RESET) {
			if ((meta->tcp_flags & (TCP_SYN | TCP_ACK | TCP_RST |
						TCP_FIN)) != TCP_SYN ||
			    op25b_reset_build(m, meta) != 0)
				outcome = OP25B_OUTCOME_BLOCKED;
		} else {
			notify = op25b_notify_answer(
				c->notify, m, meta,
				counters->class_notify[src_slot]);
			outcome = notify == OP25B_NOTIFY_ANSWER_RESET
					  ? OP25B_OUTCOME_RESET
					  : OP25B_OUTCOME_BLOCKED;
		}
	}
	*r = c->settled_result[outcome];
	/* A SYN-ACK or greeting counts as blocked, and goes back. */
	if (unlikely(notify == OP25B_NOTIFY_ANSWER_REPLY))
		r->disposition = OP25B_DISPOSITION_REPLY;
	r->class_slot = (uint8_t)src_slot;
	r->group_slot = (uint8_t)dst_slot;
	count_verdicts(counters, outcome, src_slot, dst_slot, 1);
}

/*
 * The decision of one packet with its slots @s and @d (@ng: the matrix's
 * row length, read once a burst by the caller; the packet, its meta and
 * addresses by pointer, read only on the slow path): a packet whose
 * outcome needs only its result word and counters (forwarded, counted,
 * blocked, with no exemption table: below @slow, see slow_outcome()) in
 * a few instructions, without reading the packet (a decide() that took
 * the mbuf, its meta and the addresses by value had gcc load them for
 * every packet, for the rare branches); the others (reset,
 * notify, adaptive; any outcome an exemption table may change) through
 * decide_as(), an adaptive cell's outcome resolved first.
 */
static __rte_always_inline void
decide_slots(const struct op25b_classifier *c,
	     const struct op25b_exempt_table *exempt, uint8_t slow, uint16_t ng,
	     struct rte_mbuf *const *m, const struct pkt_meta *meta,
	     const uint32_t *src4, const uint8_t *src6, const uint32_t *dst4,
	     const uint8_t *dst6, uint8_t s, uint8_t d, uint64_t *now,
	     struct op25b_classify_result *r, struct count_run *run,
	     struct op25b_stats_counters *counters)
{
	uint8_t outcome = c->matrix[s * ng + d];

	if (unlikely(outcome >= slow)) {
		uint32_t s4 = src4 != NULL ? *src4 : 0;

		if (unlikely(outcome == MATRIX_ADAPTIVE))
			outcome = adaptive_outcome(c, exempt, meta, s4, src6,
						   dst4 != NULL ? *dst4 : 0,
						   dst6, s, now);
		decide_as(c, exempt, *m, meta, s4, src6, outcome, s, d, r,
			  counters);
		return;
	}
	*r = c->settled_result[outcome];
	r->class_slot = s;
	r->group_slot = d;
	count_run_add(run, outcome, s, d, counters);
}

/* The outcomes from which decide_slots() takes decide_as(): an exemption
 * table makes counted and blocked such too. */
static __rte_always_inline uint8_t
slow_outcome(const struct op25b_exempt_table *exempt)
{
	return exempt != NULL ? OP25B_OUTCOME_COUNTED : OP25B_OUTCOME_RESET;
}

/*
 * The IPv4 decisions of a burst, under a policy without adaptive classes,
 * from the entries the lookups left in @es/@ed: @final values when
 * gathered (lpm4_vec.h), decided first by the path's @decide, else the
 * last stage is read here
 * (lpm4_stage_value() in @src_table/@dst_table; an absent table's entries
 * are 0, which it passes through without reading the table).
 */
static __rte_always_inline void
decide_plain4(const struct op25b_classifier *c,
	      const struct op25b_exempt_table *exempt, struct rte_mbuf **pkts,
	      const struct pkt_meta *meta, const uint16_t *idx4,
	      const uint32_t *src4, const uint32_t *dst4, const uint32_t *es,
	      const uint32_t *ed, bool final, vec_decide_fn_t decide,
	      const struct lpm4 *src_table, const struct lpm4 *dst_table,
	      unsigned int n4, uint64_t *now,
	      struct op25b_classify_result *results,
	      struct op25b_stats_counters *counters)
{
	uint8_t slow = slow_outcome(exempt);
	uint16_t ng = c->n_group_slots;
	struct count_run run = { 0, 0 };
	unsigned int i;
	uint64_t left;

	if (final) {
		/* Gathered: the path's vector decisions first, then what
		 * they left, one by one. */
		left = decide(c, slow, es, ed, idx4, n4, results, counters);
		for (; left != 0; left &= left - 1) {
			i = (unsigned int)__builtin_ctzll(left);
			decide_slots(c, exempt, slow, ng, &pkts[idx4[i]],
				     &meta[idx4[i]], &src4[i], NULL, &dst4[i],
				     NULL, (uint8_t)es[i], (uint8_t)ed[i], now,
				     &results[idx4[i]], &run, counters);
		}
		count_run_end(&run, counters);
		return;
	}
	for (i = 0; i < n4; i++) {
		unsigned int k = idx4[i];
		uint8_t s = lpm4_stage_value(src_table, es[i], src4[i]);
		uint8_t d = lpm4_stage_value(dst_table, ed[i], dst4[i]);

		decide_slots(c, exempt, slow, ng, &pkts[k], &meta[k], &src4[i],
			     NULL, &dst4[i], NULL, s, d, now, &results[k], &run,
			     counters);
	}
	count_run_end(&run, counters);
}

/*
 * The IPv4 decisions of a burst under a policy with adaptive classes: the
 * table's lines are far apart in memory (a DRAM miss each), so they are
 * requested a stage ahead for the whole burst: the bucket's keys in the
 * parse loop, the entry here; then the burst's adaptive packets are
 * accounted in one call, in order (no call, argument passing or bucket
 * hash per packet: the same counts as one account per packet), and the
 * decisions come after, as dpdk's bulk lookups stage theirs. Accounting
 * before deciding changes nothing: a decision never touches the table.
 * Only bursts of such policies pay for the extra passes.
 */
static __rte_noinline void
decide_adaptive4(const struct op25b_classifier *c,
		 const struct op25b_exempt_table *exempt,
		 struct rte_mbuf **pkts, const struct pkt_meta *meta,
		 const uint16_t *idx4, const uint32_t *src4,
		 const uint32_t *dst4, const uint32_t *es, const uint32_t *ed,
		 unsigned int n4, uint64_t *now,
		 struct op25b_classify_result *results,
		 struct op25b_stats_counters *counters)
{
	const struct classify_adaptive *a = c->adaptive;
	uint16_t ss[OP25B_CLASSIFY_BURST_MAX], ds[OP25B_CLASSIFY_BURST_MAX];
	uint8_t outcome[OP25B_CLASSIFY_BURST_MAX];
	struct op25b_adaptive_req req[OP25B_CLASSIFY_BURST_MAX];
	uint8_t verdict[OP25B_CLASSIFY_BURST_MAX];
	unsigned int i, n_req = 0;

	for (i = 0; i < n4; i++) {
		const struct op25b_adaptive_rule *rule;
		struct op25b_adaptive_req *q;
		uint32_t be;

		ss[i] = lpm4_stage_value(c->src4, es[i], src4[i]);
		ds[i] = lpm4_stage_value(c->dst4, ed[i], dst4[i]);
		outcome[i] = c->matrix[ss[i] * c->n_group_slots + ds[i]];
		if (outcome[i] != MATRIX_ADAPTIVE)
			continue;
		/* As decide_slots(): an exempt source is not counted. */
		if (exempt != NULL && exempt_source(exempt, src4[i], NULL)) {
			outcome[i] = a->block_outcome[ss[i]];
			continue;
		}
		rule = &a->rule[ss[i]];
		q = &req[n_req++];
		q->key = op25b_adaptive_key4(src4[i]);
		q->rule = (uint8_t)ss[i];
		/* As adaptive_outcome(): a bare SYN opens a connection; the
		 * destination's hash only for a class that limits them. */
		q->syn = (meta[idx4[i]].tcp_flags & (TCP_SYN | TCP_ACK)) ==
			 TCP_SYN;
		q->dest = 0;
		if (rule->destinations != 0) {
			be = rte_cpu_to_be_32(dst4[i]);
			q->dest = op25b_adaptive_dest_hash((const uint8_t *)&be,
							   4);
		}
	}
	if (n_req > 0) {
		op25b_adaptive_prefetch_burst(a->table, a->rule, req, n_req);
		if (*now == 0)
			*now = op25b_adaptive_now(a->table);
		op25b_adaptive_account_burst(a->table, a->rule, req, n_req,
					     *now, verdict);
	}
	for (i = 0, n_req = 0; i < n4; i++) {
		unsigned int k = idx4[i];
		uint8_t o = outcome[i];

		if (o == MATRIX_ADAPTIVE)
			o = verdict[n_req++] == OP25B_ADAPTIVE_BLOCK
				    ? a->block_outcome[ss[i]]
				    : OP25B_OUTCOME_FORWARDED;
		decide_as(c, exempt, pkts[k], &meta[k], src4[i], NULL, o, ss[i],
			  ds[i], &results[k], counters);
	}
}

/*
 * The bytes of a frame in a chain of mbufs that the parser may read: in
 * place when the first segment holds them (any 2 KB data room does),
 * else copied out into @copy. Out of line: chains are rare next to
 * single segments, which must not pay for them.
 */
static __rte_noinline const uint8_t *
chained_headers(const struct rte_mbuf *m, uint8_t *copy)
{
	uint32_t want =
		RTE_MIN(rte_pktmbuf_pkt_len(m), (uint32_t)OP25B_PARSE_DEPTH);

	if (rte_pktmbuf_data_len(m) >= want)
		return rte_pktmbuf_mtod(m, const uint8_t *);
	/* want <= pkt_len: NULL cannot come back from a PMD's chain. */
	return rte_pktmbuf_read(m, 0, want, copy);
}

/* What the parse loop gathers for the lookups and decisions after it. */
struct burst_gather {
	struct pkt_meta meta[OP25B_CLASSIFY_BURST_MAX];
	uint32_t src4[OP25B_CLASSIFY_BURST_MAX], dst4[OP25B_CLASSIFY_BURST_MAX];
	uint16_t idx4[OP25B_CLASSIFY_BURST_MAX], idx6[OP25B_CLASSIFY_BURST_MAX];
	uint8_t src6[OP25B_CLASSIFY_BURST_MAX][16];
	uint8_t dst6[OP25B_CLASSIFY_BURST_MAX][16];
	/* A chained frame's headers when its first segment is too short. */
	uint8_t header_copy[OP25B_PARSE_DEPTH];
};

/* What the parse loop counts: kept apart from the arrays, whose address
 * escapes, so that the counts can live in registers. */
struct burst_counts {
	/* Parse codes settled by parsing alone, but for non_smtp: the common
	 * case is derived at the end instead of counted packet by packet. */
	uint32_t settled[PARSE_CODE_MAX];
	uint32_t chained;
	unsigned int n4, n6;
	/* Whether settled[] or chained hold anything: a burst of plain
	 * traffic skips their sums. */
	bool any_settled;
};

/* Parse frame @i of the burst: its result when parsing settles it, else
 * its addresses gathered per family for the bulk lookups. One body for
 * the two parse loops of classify_burst(). @early4: @prefetch_lpm4 or an
 * adaptive table, so that a vector path without one tests one flag an
 * IPv4 SMTP frame, not two. */
static __rte_always_inline void
parse_one(const struct op25b_classifier *c, struct rte_mbuf **pkts,
	  unsigned int i, struct op25b_classify_result *results,
	  struct op25b_adaptive_table *adaptive, struct burst_gather *g,
	  struct burst_counts *counts, bool early4, bool prefetch_lpm4,
	  struct op25b_classify_result non_smtp)
{
	struct rte_mbuf *m = pkts[i];
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	struct pkt_meta *meta = &g->meta[i];
	uint8_t code;

	/* Lengths are the whole frame's, whatever its segments. */
	if (unlikely(m->nb_segs != 1)) {
		counts->chained++;
		counts->any_settled = true;
		p = chained_headers(m, g->header_copy);
		code = p == NULL ? OP25B_OUTCOME_MALFORMED
				 : parse_frame(c, p, rte_pktmbuf_pkt_len(m),
					       meta);
	} else {
		code = parse_frame(c, p, rte_pktmbuf_data_len(m), meta);
	}
	/* non_smtp, most frames, apart: its result is then a load at a
	 * constant offset, the parse's return paths jump straight to it. */
	if (likely(code == OP25B_OUTCOME_NON_SMTP)) {
		results[i] = non_smtp;
		return;
	}
	if (likely(code != PARSE_SMTP)) {
		counts->settled[code]++;
		counts->any_settled = true;
		results[i] = c->settled_result[code];
		return;
	}
	if (meta->family == 4) {
		g->src4[counts->n4] = load_be32(p + meta->l3 + 12);
		g->dst4[counts->n4] = load_be32(p + meta->l3 + 16);
		/* The first lookup stage starts here, as soon as the
		 * addresses are known; gathers (a vector path) need no
		 * prefetch: a gather's loads are in flight together, and
		 * the first level (256 KB) mostly in L2. */
		if (unlikely(early4)) {
			if (prefetch_lpm4) {
				lpm4_prefetch_first(c->src4,
						    g->src4[counts->n4]);
				lpm4_prefetch_first(c->dst4,
						    g->dst4[counts->n4]);
			}
			/* And the adaptive table's bucket, before the class is
			 * known: a DRAM miss that must start early to be hidden
			 * (only policies with an adaptive class pay for it). */
			if (adaptive != NULL)
				op25b_adaptive_prefetch(
					adaptive, op25b_adaptive_key4(
							  g->src4[counts->n4]));
		}
		g->idx4[counts->n4++] = (uint16_t)i;
	} else {
		memcpy(g->src6[counts->n6], p + meta->l3 + 8, 16);
		memcpy(g->dst6[counts->n6], p + meta->l3 + 24, 16);
		g->idx6[counts->n6++] = (uint16_t)i;
	}
}

/* parse_one() out of line, for the frames a pre-pass left. */
static __rte_noinline void
parse_one_outline(const struct op25b_classifier *c, struct rte_mbuf **pkts,
		  unsigned int i, struct op25b_classify_result *results,
		  struct op25b_adaptive_table *adaptive, struct burst_gather *g,
		  struct burst_counts *counts, bool prefetch_lpm4)
{
	parse_one(c, pkts, i, results, adaptive, g, counts,
		  prefetch_lpm4 || adaptive != NULL, prefetch_lpm4,
		  c->settled_result[OP25B_OUTCOME_NON_SMTP]);
}

/* Where counts go when the caller keeps none: one block per lcore, so
 * that the data path never tests for NULL per packet. */
static RTE_DEFINE_PER_LCORE(struct op25b_stats_counters, discarded);

/* Frames counted under the outcomes block records take. */
static __rte_always_inline uint64_t
records_outcomes(const struct op25b_stats_counters *counters)
{
	uint64_t sum = 0;
	unsigned int o;

	/* Folded to the few outcomes at compile time. */
	for (o = 0; o < OP25B_OUTCOME_MAX; o++)
		if (op25b_records_wanted(o))
			sum += counters->outcome[o];
	return sum;
}

/* The burst; @hints (NULL: none) also gets the record hints of its
 * blocked frames. Inlined into both entry points, so that the constant NULL
 * takes the records' block out of the plain one. */
static __rte_always_inline uint16_t
classify_burst(const struct op25b_classifier *c,
	       const struct op25b_exempt_table *exempt, struct rte_mbuf **pkts,
	       uint16_t n, struct op25b_classify_result *results,
	       struct op25b_stats_counters *counters,
	       struct op25b_record_hint *hints, uint16_t *n_hints,
	       uint16_t *n_wanted)
{
	struct burst_gather g;
	struct burst_counts counts = { 0 };
	struct pkt_meta *meta = g.meta;
	uint32_t *src4 = g.src4, *dst4 = g.dst4;
	uint16_t *idx4 = g.idx4, *idx6 = g.idx6;
	uint32_t src_val[OP25B_CLASSIFY_BURST_MAX];
	uint32_t dst_val[OP25B_CLASSIFY_BURST_MAX];
	uint32_t counted = 0;
	unsigned int i, n4, n6;
	/* The adaptive table's clock, read at the burst's first adaptive
	 * packet (0: not yet). */
	uint64_t now = 0;
	struct op25b_adaptive_table *adaptive =
		c->adaptive != NULL ? c->adaptive->table : NULL;
	/* The frames the parser reads: a vector path has settled the others
	 * (plain non-SMTP frames, which non_smtp counts below as the rest). */
	uint64_t unread, ahead;
	/* The path's IPv4 and IPv6 lookups (NULL: the scalar ones), read
	 * once. */
	vec_lookup4_fn_t lookup4 = classify_lookup4;
	vec_lookup6_fn_t lookup6 = classify_lookup6;
	/* Its decisions after gathered lookups (set with them: never NULL
	 * when they are not). */
	vec_decide_fn_t decide = classify_decide;
	/* The outcomes records take, counted before the burst. */
	uint64_t wanted_before = 0;

	if (n > OP25B_CLASSIFY_BURST_MAX)
		n = OP25B_CLASSIFY_BURST_MAX;
	if (counters == NULL)
		counters = &RTE_PER_LCORE(discarded);
	if (hints != NULL)
		wanted_before = records_outcomes(counters);
	/* Unrolled for the full bursts a busy port delivers. */
	if (likely(n >= PREFETCH_AHEAD)) {
		for (i = 0; i < PREFETCH_AHEAD; i++)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	} else {
		for (i = 0; i < n; i++)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	}

	unread = classify_prepass(c, pkts, n, results);

	/* Pass 1: parse; gather SMTP packets per family for bulk lookups.
	 * The frames that have a successor PREFETCH_AHEAD away first, each
	 * prefetching it, then the last ones: the bound is tested once a
	 * burst, not once a packet. Every frame, the common case (no
	 * pre-pass), in counted loops; the frames a pre-pass left, by their
	 * bits, through an out-of-line parse_one() (two more inlined copies
	 * of the parser would crowd the instruction cache for a path that
	 * is off by default). */
	if (likely(unread == vec_burst_mask(n))) {
		/* In a register: the results' stores could alias the
		 * classifier's copy, which gcc then loads for every frame. */
		const struct op25b_classify_result non_smtp =
			c->settled_result[OP25B_OUTCOME_NON_SMTP];
		const bool early4 = lookup4 == NULL || adaptive != NULL;

		for (i = 0; i + PREFETCH_AHEAD < n; i++) {
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_AHEAD],
						       void *));
			parse_one(c, pkts, i, results, adaptive, &g, &counts,
				  early4, lookup4 == NULL, non_smtp);
		}
		for (; i < n; i++)
			parse_one(c, pkts, i, results, adaptive, &g, &counts,
				  early4, lookup4 == NULL, non_smtp);
	} else {
		ahead = n > PREFETCH_AHEAD
				? unread & ((UINT64_C(1)
					     << (n - PREFETCH_AHEAD)) -
					    1)
				: 0;
		for (unread &= ~ahead; ahead != 0; ahead &= ahead - 1) {
			i = (unsigned int)__builtin_ctzll(ahead);
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_AHEAD],
						       void *));
			parse_one_outline(c, pkts, i, results, adaptive, &g,
					  &counts, lookup4 == NULL);
		}
		for (; unread != 0; unread &= unread - 1)
			parse_one_outline(c, pkts,
					  (unsigned int)__builtin_ctzll(unread),
					  results, adaptive, &g, &counts,
					  lookup4 == NULL);
	}
	n4 = counts.n4;
	n6 = counts.n6;

	/* Pass 2: bulk lookups and decisions. */
	if (n4 > 0) {
		uint32_t es[OP25B_CLASSIFY_BURST_MAX],
			ed[OP25B_CLASSIFY_BURST_MAX];
		/* Read once: the results' byte stores would make the loop
		 * read them again from the classifier for every packet. */
		const struct lpm4 *src_table = c->src4, *dst_table = c->dst4;

		/* Staged over both tables together (see lpm4.h), the first
		 * stage in the parse loop, the decision fused into the last.
		 * Gathers for a full step of lanes at least: a gather's fixed
		 * cost makes a few addresses cheaper in the scalar stages
		 * (`mix`, 2% SMTP: 3% slower without this). */
		bool gathered = lookup4 != NULL && n4 >= LOOKUP4_VEC_MIN &&
				lpm4_vec_fits(src_table) &&
				lpm4_vec_fits(dst_table);

		if (gathered) {
			lookup4(src_table, src4, es, dst_table, dst4, ed, n4);
		} else {
			lpm4_stage_tbl16(src_table, src4, es, dst_table, dst4,
					 ed, n4);
			lpm4_stage_tbl8a(src_table, src4, es, dst_table, dst4,
					 ed, n4);
		}
		/* Gathered entries are final values, which
		 * lpm4_stage_value() passes through. */
		if (unlikely(adaptive != NULL)) {
			decide_adaptive4(c, exempt, pkts, meta, idx4, src4,
					 dst4, es, ed, n4, &now, results,
					 counters);
		} else if (gathered) {
			decide_plain4(c, exempt, pkts, meta, idx4, src4, dst4,
				      es, ed, true, decide, src_table,
				      dst_table, n4, &now, results, counters);
		} else {
			decide_plain4(c, exempt, pkts, meta, idx4, src4, dst4,
				      es, ed, false, NULL, src_table, dst_table,
				      n4, &now, results, counters);
		}
	}
	if (n6 > 0) {
		/* C converts no pointer to an array to one to a const
		 * array by itself. */
		const uint8_t(*src6)[16] = (const uint8_t(*)[16])g.src6;
		const uint8_t(*dst6)[16] = (const uint8_t(*)[16])g.dst6;

		uint8_t slow = slow_outcome(exempt);
		uint16_t ng = c->n_group_slots;
		struct count_run run = { 0, 0 };
		/* The packets decide_slots() decides. */
		uint64_t left = vec_burst_mask(n6);

		/* Gathers for a full step of lanes at least, as for IPv4;
		 * then the vector decisions. */
		if (lookup6 != NULL && n6 >= LOOKUP6_VEC_MIN) {
			lookup6(c->src6, src6, src_val, c->dst6, dst6, dst_val,
				n6);
			left = decide(c, slow, src_val, dst_val, idx6, n6,
				      results, counters);
		} else {
			lpm6_lookup_bulk2(c->src6, src6, src_val, c->dst6, dst6,
					  dst_val, n6);
		}
		for (; left != 0; left &= left - 1) {
			unsigned int k;

			i = (unsigned int)__builtin_ctzll(left);
			k = idx6[i];
			decide_slots(c, exempt, slow, ng, &pkts[k], &meta[k],
				     NULL, g.src6[i], NULL, g.dst6[i],
				     (uint8_t)src_val[i], (uint8_t)dst_val[i],
				     &now, &results[k], &run, counters);
		}
		count_run_end(&run, counters);
	}
	/* Frame counters, each under its outcome too; then the outcomes
	 * parsing settled; non_smtp is what is left. */
	if (unlikely(counts.any_settled)) {
		for (i = OP25B_OUTCOME_MAX; i < PARSE_CODE_MAX; i++) {
			counters->frame[i - OP25B_OUTCOME_MAX] +=
				counts.settled[i];
			counters->outcome[parse_code_outcome(i)] +=
				counts.settled[i];
			counted += counts.settled[i];
		}
		counters->frame[OP25B_FRAME_CHAINED] += counts.chained;
		for (i = 0; i < OP25B_OUTCOME_FORWARDED; i++) {
			counters->outcome[i] += counts.settled[i];
			counted += counts.settled[i];
		}
	}
	counters->outcome[OP25B_OUTCOME_NON_SMTP] += n - n4 - n6 - counted;
	/* Block records: only blocked frames' hints, from the parse's
	 * offsets (record_hint.c). */
	if (hints != NULL) {
		/* The burst's frames records take, from the outcome counters
		 * (each frame counts its outcome once: test_vectors), not a
		 * pass over the results: a worker over its rate describes
		 * few of them or none. */
		*n_wanted =
			(uint16_t)(records_outcomes(counters) - wanted_before);
		*n_hints = *n_wanted == 0
				   ? 0
				   : record_hints_fill(
					     c, pkts, results, meta, n, hints,
					     RTE_MIN(*n_hints, *n_wanted));
	}
	return n;
}

uint16_t
op25b_classifier_classify_burst(const struct op25b_classifier *c,
				const struct op25b_exempt_table *exempt,
				struct rte_mbuf **pkts, uint16_t n,
				struct op25b_classify_result *results,
				struct op25b_stats_counters *counters)
{
	return classify_burst(c, exempt, pkts, n, results, counters, NULL, NULL,
			      NULL);
}

uint16_t
op25b_classifier_classify_burst_hints(const struct op25b_classifier *c,
				      const struct op25b_exempt_table *exempt,
				      struct rte_mbuf **pkts, uint16_t n,
				      struct op25b_classify_result *results,
				      struct op25b_stats_counters *counters,
				      struct op25b_record_hint *hints,
				      uint16_t *n_hints, uint16_t *n_wanted)
{
	return classify_burst(c, exempt, pkts, n, results, counters, hints,
			      n_hints, n_wanted);
}

void
op25b_classifier_frame_info(const struct op25b_classifier *c,
			    const uint8_t *frame, uint32_t len,
			    struct op25b_frame_info *info)
{
	struct pkt_meta meta = { 0 };
	struct l2_walk w = { 0 };
	uint8_t code = parse_frame(c, frame, len, &meta);
	uint8_t l2 = OP25B_OUTCOME_MALFORMED;
	uint32_t off = 14, alen, l4 = 0;
	unsigned int i;

	memset(info, 0, sizeof(*info));
	info->outcome = code < OP25B_OUTCOME_MAX ? code
						 : parse_code_outcome(code);
	info->frame_counter = code >= OP25B_OUTCOME_MAX && code < PARSE_CODE_MAX
				      ? (uint8_t)(code - OP25B_OUTCOME_MAX)
				      : OP25B_FRAME_MAX;
	info->proto = info->sport = info->dport = info->tcp_flags = -1;
	info->pppoe_session = -1;
	if (len < 14)
		return;
	l2 = walk_l2(c, frame, len, load_raw16(frame + 12), &w);
	/* The tags the walk passed (a too-deep stack: the ones it read). */
	for (i = 0; i < OP25B_POLICY_MAX_VLAN_TAGS && off + 4 <= len &&
		    is_vlan_tpid(load_raw16(frame + off - 2));
	     i++, off += 4) {
		info->vlan_tpid[i] = load_be16(frame + off - 2);
		info->vlan_id[i] = load_be16(frame + off) & 0x0fff;
	}
	info->n_vlans = RTE_MIN(i, (unsigned int)w.tags);
	if (l2 != PARSE_SMTP) {
		/* A PPPoE session's frame (VJ, control, Multilink, ...);
		 * not IP behind LLC/SNAP, whose code it shares. */
		if (w.pppoe != 0) {
			info->pppoe_session = load_be16(frame + w.pppoe + 2);
			info->ppp_compressed = w.ppp_compressed;
		}
		return;
	}
	if (w.pppoe != 0) {
		info->pppoe_session = load_be16(frame + w.pppoe + 2);
		info->ppp_compressed = w.ppp_compressed;
	}
	info->family = w.type == RTE_BE16(ETHER_TYPE_IPV6) ? AF_INET6 : AF_INET;
	alen = info->family == AF_INET6 ? 16 : 4;
	if (w.l3 + (info->family == AF_INET6 ? 8 : 12) + 2 * alen > len) {
		info->family = 0;
		return;
	}
	memcpy(info->src, frame + w.l3 + (info->family == AF_INET6 ? 8 : 12),
	       alen);
	memcpy(info->dst, frame + w.l3 + (info->family == AF_INET6 ? 24 : 16),
	       alen);
	if (code == PARSE_SMTP) {
		info->proto = IPPROTO_TCP;
		l4 = meta.l4;
		info->tcp_flags = meta.tcp_flags;
	} else if (info->family == AF_INET) {
		info->proto = frame[w.l3 + 9];
		l4 = w.l3 + (frame[w.l3] & 0x0f) * 4u;
		/* A later fragment carries no L4 header. */
		if (code == OP25B_OUTCOME_FRAGMENTS)
			l4 = 0;
	} else {
		info->proto = frame[w.l3 + 6];
		/* Ports only without extension headers: the walk above did
		 * not stop at one. */
		if (info->proto == IPPROTO_TCP || info->proto == IPPROTO_UDP)
			l4 = w.l3 + 40;
	}
	if (l4 != 0 && l4 + 4 <= len &&
	    (info->proto == IPPROTO_TCP || info->proto == IPPROTO_UDP)) {
		info->sport = load_be16(frame + l4);
		info->dport = load_be16(frame + l4 + 2);
		if (info->proto == IPPROTO_TCP && info->tcp_flags < 0 &&
		    l4 + 14 <= len)
			info->tcp_flags = frame[l4 + 13];
	}
}

/* The encapsulation of a frame in words (" vlan", " vlan*3 pppoe-pfc"). */
static void
describe_encap(const struct op25b_frame_info *f, char *buf, size_t size)
{
	int n = 0;

	buf[0] = '\0';
	if (f->n_vlans == 1)
		n = snprintf(buf, size, " vlan");
	else if (f->n_vlans > 1)
		n = snprintf(buf, size, " vlan*%u", f->n_vlans);
	if (f->pppoe_session >= 0 && n >= 0 && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n, " pppoe%s",
			 f->ppp_compressed ? "-pfc" : "");
}

int
op25b_classifier_describe(const struct op25b_classifier *c,
			  const uint8_t *frame, uint32_t len, char *buf,
			  size_t size)
{
	static const char *const kinds[] = {
		[OP25B_FRAME_NON_IP_ARP] = "ARP",
		[OP25B_FRAME_NON_IP_MPLS] = "MPLS",
		[OP25B_FRAME_NON_IP_PPP] = "PPP control",
		[OP25B_FRAME_NON_IP_OTHER] = "non-IP",
		[OP25B_FRAME_VLAN_TOO_DEEP] = "too many VLAN tags:",
		[OP25B_FRAME_PPP_VJ] = "VJ-compressed PPP",
		[OP25B_FRAME_OPAQUE_IP] =
			"unreadable IP (PPP Multilink, CCP, ECP or LLC/SNAP)",
	};
	struct op25b_frame_info f;
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], encap[32];
	char flags[8];
	unsigned int n = 0;

	op25b_classifier_frame_info(c, frame, len, &f);
	describe_encap(&f, encap, sizeof(encap));
	if (f.frame_counter < OP25B_FRAME_CHAINED)
		return snprintf(buf, size, "%s frame of %u bytes%s",
				kinds[f.frame_counter], len, encap);
	if (f.family == 0)
		return snprintf(buf, size, "%s frame of %u bytes%s",
				f.outcome == OP25B_OUTCOME_MALFORMED
					? "malformed"
					: "non-IP",
				len, encap);
	inet_ntop(f.family, f.src, src, sizeof(src));
	inet_ntop(f.family, f.dst, dst, sizeof(dst));
	if (f.outcome != OP25B_OUTCOME_FORWARDED)
		return snprintf(buf, size, "IPv%c %s -> %s%s",
				f.family == AF_INET ? '4' : '6', src, dst,
				encap);
	if (f.tcp_flags & TCP_SYN)
		flags[n++] = 'S';
	if (f.tcp_flags & TCP_ACK)
		flags[n++] = 'A';
	if (f.tcp_flags & TCP_FIN)
		flags[n++] = 'F';
	if (f.tcp_flags & TCP_RST)
		flags[n++] = 'R';
	flags[n] = '\0';
	return snprintf(buf, size, "IPv%c %s -> %s TCP %d -> %d [%s]%s",
			f.family == AF_INET ? '4' : '6', src, dst, f.sport,
			f.dport, flags, encap);
}
