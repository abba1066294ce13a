/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <rte_errno.h>
#include <rte_lpm6.h>
#include <rte_malloc.h>
#include <rte_per_lcore.h>
#include <rte_prefetch.h>

#include "classify_priv.h"

/* How far ahead of the packet being parsed its successors' first cache
 * line is requested: four packets cover the DRAM latency of one parse. */
#define PREFETCH_AHEAD 4

_Static_assert(sizeof(struct op25b_classify_result) == 4,
	       "results stay one word per packet");
_Static_assert(OP25B_OUTCOME_RESET - OP25B_OUTCOME_FORWARDED + 1 ==
		       OP25B_VERDICT_MAX,
	       "verdict outcomes are contiguous");

/* ------------------------------------------------------------------ */
/* Compilation                                                         */

struct side_rules {
	struct lpm4_rule *v4;
	size_t n_v4;
	struct op25b_prefix **v6;
	uint32_t *v6_value;
	size_t n_v6;
};

static void
side_rules_free(struct side_rules *s)
{
	free(s->v4);
	free(s->v6);
	free(s->v6_value);
}

static int
side_rules_collect(struct side_rules *s, const struct op25b_prefix_list *lists,
		   size_t stride, unsigned int n_lists, const uint8_t *slots)
{
	size_t n_v4 = 0, n_v6 = 0, i;
	unsigned int k;

	memset(s, 0, sizeof(*s));
	for (k = 0; k < n_lists; k++) {
		const struct op25b_prefix_list *l =
			(const void *)((const char *)lists + k * stride);

		for (i = 0; i < l->count; i++) {
			if (l->prefixes[i].family == AF_INET)
				n_v4++;
			else
				n_v6++;
		}
	}
	s->v4 = malloc(n_v4 * sizeof(*s->v4) + 1);
	s->v6 = malloc(n_v6 * sizeof(*s->v6) + 1);
	s->v6_value = malloc(n_v6 * sizeof(*s->v6_value) + 1);
	if (s->v4 == NULL || s->v6 == NULL || s->v6_value == NULL) {
		side_rules_free(s);
		return -ENOMEM;
	}
	for (k = 0; k < n_lists; k++) {
		const struct op25b_prefix_list *l =
			(const void *)((const char *)lists + k * stride);

		for (i = 0; i < l->count; i++) {
			const struct op25b_prefix *p = &l->prefixes[i];

			if (p->family == AF_INET) {
				struct lpm4_rule *r = &s->v4[s->n_v4++];

				r->ip = load_be32(p->addr);
				r->depth = p->length;
				r->value = slots ? slots[k] : (uint8_t)(k + 1);
			} else {
				s->v6_value[s->n_v6] =
					slots ? slots[k] : k + 1;
				s->v6[s->n_v6++] = (struct op25b_prefix *)p;
			}
		}
	}
	return 0;
}

static int
compare_v6_addr(const void *a, const void *b)
{
	const struct op25b_prefix *pa = *(const struct op25b_prefix *const *)a;
	const struct op25b_prefix *pb = *(const struct op25b_prefix *const *)b;

	return memcmp(pa->addr, pb->addr, 16);
}

static int
prefix_bits_equal(const uint8_t *a, const uint8_t *b, unsigned int bits)
{
	unsigned int bytes = bits / 8;

	return memcmp(a, b, bytes) == 0;
}

/*
 * rte_lpm6 allocates its tbl8 groups up front. Each group covers 8 more
 * bits below the first 24, and prefixes that share those bits share the
 * group, so the exact need is the number of distinct truncations at each
 * 8-bit level among the prefixes longer than that level.
 */
static uint32_t
lpm6_groups_needed(struct op25b_prefix **v6, size_t n)
{
	uint32_t groups = 0;
	unsigned int level;
	size_t i;

	qsort(v6, n, sizeof(*v6), compare_v6_addr);
	for (level = 24; level < 128; level += 8) {
		const struct op25b_prefix *last = NULL;

		for (i = 0; i < n; i++) {
			if (v6[i]->length <= level)
				continue;
			if (last == NULL ||
			    !prefix_bits_equal(last->addr, v6[i]->addr, level))
				groups++;
			last = v6[i];
		}
	}
	return groups;
}

static struct rte_lpm6 *
lpm6_build(struct side_rules *s, int socket_id, size_t *memory)
{
	static atomic_uint instance;
	struct rte_lpm6_config config = {0};
	struct op25b_prefix **order;
	struct rte_lpm6 *lpm;
	char name[RTE_LPM6_NAMESIZE];
	unsigned int depth;
	size_t i;

	if (s->n_v6 == 0)
		return NULL;
	/* Values ride with the prefix pointer through the sort. */
	order = malloc(s->n_v6 * sizeof(*order));
	if (order == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	memcpy(order, s->v6, s->n_v6 * sizeof(*order));
	config.max_rules = (uint32_t)s->n_v6;
	config.number_tbl8s = lpm6_groups_needed(order, s->n_v6) + 1;
	free(order);
	snprintf(name, sizeof(name), "op25b6_%u",
		 atomic_fetch_add(&instance, 1));
	lpm = rte_lpm6_create(name, socket_id, &config);
	if (lpm == NULL)
		return NULL;
	*memory += (size_t)config.number_tbl8s * 256 * 4 + (1u << 24) * 4 +
		   (size_t)config.max_rules * 32;
	/* Shortest first: fewer tbl8 rewrites as longer prefixes split them. */
	for (depth = 0; depth <= 128; depth++) {
		for (i = 0; i < s->n_v6; i++) {
			int ret;

			if (s->v6[i]->length != depth)
				continue;
			ret = rte_lpm6_add(lpm, s->v6[i]->addr, (uint8_t)depth,
					   s->v6_value[i]);
			if (ret < 0) {
				rte_lpm6_free(lpm);
				rte_errno = -ret;
				return NULL;
			}
		}
	}
	return lpm;
}

/* The outcome of a policy decision as compiled into the matrix: monitor
 * mode turns a block into a count, block: reset makes it a reset
 * candidate (decide() checks for a bare SYN). */
static uint8_t
outcome_of_action(const struct op25b_policy *policy, enum op25b_action action)
{
	switch (action) {
	case OP25B_ACTION_BLOCK:
		if (policy->mode == OP25B_MODE_MONITOR)
			return OP25B_OUTCOME_COUNTED;
		return policy->block == OP25B_BLOCK_RESET
			       ? OP25B_OUTCOME_RESET
			       : OP25B_OUTCOME_BLOCKED;
	case OP25B_ACTION_COUNT:
		return OP25B_OUTCOME_COUNTED;
	case OP25B_ACTION_ADAPTIVE: /* not enforced yet: the loader warns */
	case OP25B_ACTION_ALLOW:
	default:
		return OP25B_OUTCOME_FORWARDED;
	}
}

static int
build_side(struct side_rules *s, int socket_id, struct lpm4 **t4,
	   struct rte_lpm6 **t6, size_t *memory)
{
	if (s->n_v4 > 0) {
		*t4 = lpm4_build(s->v4, s->n_v4, socket_id);
		if (*t4 == NULL)
			return -rte_errno;
		*memory += (*t4)->memory;
	}
	if (s->n_v6 > 0) {
		*t6 = lpm6_build(s, socket_id, memory);
		if (*t6 == NULL)
			return -rte_errno;
	}
	return 0;
}

/*
 * Which policy entry each slot holds (-1: none), from the caller's slot
 * map; the number of slots the matrix needs is one more than the highest.
 * Returns -EINVAL for a slot 0 or a slot used twice.
 */
static int
slots_invert(const uint8_t *slots, unsigned int n, int16_t *entry_of_slot,
	     unsigned int *n_slots)
{
	unsigned int i;

	for (i = 0; i < OP25B_STATS_SLOTS; i++)
		entry_of_slot[i] = -1;
	*n_slots = n + 1;
	for (i = 0; i < n; i++) {
		unsigned int slot = slots ? slots[i] : i + 1;

		if (slot == 0 || entry_of_slot[slot] != -1)
			return -EINVAL;
		entry_of_slot[slot] = (int16_t)i;
		if (slot + 1 > *n_slots)
			*n_slots = slot + 1;
	}
	return 0;
}

struct op25b_classifier *
op25b_classifier_create(const struct op25b_policy *policy, int socket_id,
			const uint8_t *class_slots, const uint8_t *group_slots)
{
	int16_t class_of_slot[OP25B_STATS_SLOTS], group_of_slot[OP25B_STATS_SLOTS];
	struct side_rules src = {0}, dst = {0};
	struct op25b_classifier *c;
	unsigned int i, j, n_class_slots, n_group_slots;
	int err;

	if (policy == NULL || policy->n_classes > OP25B_POLICY_MAX_CLASSES ||
	    policy->n_groups > OP25B_POLICY_MAX_GROUPS ||
	    slots_invert(class_slots, policy->n_classes, class_of_slot,
			 &n_class_slots) != 0 ||
	    slots_invert(group_slots, policy->n_groups, group_of_slot,
			 &n_group_slots) != 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	c = rte_zmalloc_socket("op25b_classifier", sizeof(*c),
			       RTE_CACHE_LINE_SIZE, socket_id);
	if (c == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	c->memory = sizeof(*c);
	for (i = 0; i < policy->n_smtp_ports; i++)
		c->port_kind[policy->smtp_ports[i]] = OP25B_PORT_SMTP;
	for (i = 0; i < policy->n_submission_ports; i++)
		c->port_kind[policy->submission_ports[i]] =
			OP25B_PORT_SUBMISSION;
	c->malformed_disposition = policy->malformed == OP25B_MALFORMED_FORWARD
					   ? OP25B_DISPOSITION_FORWARD
					   : OP25B_DISPOSITION_DROP;
	for (i = 0; i < OP25B_OUTCOME_MAX; i++) {
		c->settled_result[i].outcome = (uint8_t)i;
		c->settled_result[i].disposition =
			i == OP25B_OUTCOME_MALFORMED ? c->malformed_disposition
			: i == OP25B_OUTCOME_BLOCKED ? OP25B_DISPOSITION_DROP
			: i == OP25B_OUTCOME_RESET   ? OP25B_DISPOSITION_REPLY
						     : OP25B_DISPOSITION_FORWARD;
	}

	/* Slots of names no longer in the policy never come out of the
	 * tables; their cells hold what "no class"/"no group" would get. */
	c->n_group_slots = (uint16_t)n_group_slots;
	c->matrix = rte_zmalloc_socket("op25b_matrix",
				       (size_t)n_class_slots * c->n_group_slots,
				       RTE_CACHE_LINE_SIZE, socket_id);
	if (c->matrix == NULL) {
		err = -ENOMEM;
		goto fail;
	}
	c->memory += (size_t)n_class_slots * c->n_group_slots;
	for (i = 0; i < n_class_slots; i++)
		for (j = 0; j < c->n_group_slots; j++)
			c->matrix[i * c->n_group_slots + j] = outcome_of_action(
				policy, op25b_policy_decide(policy,
							    class_of_slot[i],
							    group_of_slot[j],
							    NULL));

	err = side_rules_collect(&src,
				 policy->n_classes ? &policy->classes[0].prefixes
						   : NULL,
				 sizeof(policy->classes[0]), policy->n_classes,
				 class_slots);
	if (err == 0)
		err = side_rules_collect(&dst,
					 policy->n_groups
						 ? &policy->groups[0].prefixes
						 : NULL,
					 sizeof(policy->groups[0]),
					 policy->n_groups, group_slots);
	if (err == 0)
		err = build_side(&src, socket_id, &c->src4, &c->src6,
				 &c->memory);
	if (err == 0)
		err = build_side(&dst, socket_id, &c->dst4, &c->dst6,
				 &c->memory);
	side_rules_free(&src);
	side_rules_free(&dst);
	if (err != 0)
		goto fail;
	return c;

fail:
	op25b_classifier_free(c);
	rte_errno = -err;
	return NULL;
}

void
op25b_classifier_free(struct op25b_classifier *c)
{
	if (c == NULL)
		return;
	lpm4_free(c->src4);
	lpm4_free(c->dst4);
	rte_lpm6_free(c->src6);
	rte_lpm6_free(c->dst6);
	rte_free(c->matrix);
	rte_free(c);
}

size_t
op25b_classifier_memory(const struct op25b_classifier *c)
{
	return c == NULL ? 0 : c->memory;
}

/* ------------------------------------------------------------------ */
/* Lookups                                                             */

static inline uint8_t
lpm6_slot(const struct rte_lpm6 *t, const uint8_t *addr)
{
	uint32_t hop;

	if (t == NULL || rte_lpm6_lookup(t, addr, &hop) != 0)
		return 0;
	return (uint8_t)hop;
}

int
op25b_classifier_lookup(const struct op25b_classifier *c, int family,
			const uint8_t *src, const uint8_t *dst,
			uint8_t *class_slot, uint8_t *group_slot)
{
	if (family == AF_INET) {
		*class_slot = c->src4 ? (uint8_t)lpm4_lookup(c->src4,
							     load_be32(src))
				      : 0;
		*group_slot = c->dst4 ? (uint8_t)lpm4_lookup(c->dst4,
							     load_be32(dst))
				      : 0;
		return 0;
	}
	if (family == AF_INET6) {
		*class_slot = lpm6_slot(c->src6, src);
		*group_slot = lpm6_slot(c->dst6, dst);
		return 0;
	}
	return -EINVAL;
}

static inline void
lookup_v6(const struct rte_lpm6 *t, uint8_t (*addrs)[16], uint16_t *val,
	  unsigned int n)
{
	int32_t hops[OP25B_CLASSIFY_BURST_MAX];
	unsigned int i;

	if (t == NULL) {
		memset(val, 0, n * sizeof(*val));
		return;
	}
	rte_lpm6_lookup_bulk_func(t, addrs, hops, n);
	for (i = 0; i < n; i++)
		val[i] = hops[i] < 0 ? 0 : (uint16_t)hops[i];
}

/*
 * The matrix already holds the final outcome of the policy; RESET there
 * means "reset if this is a bare SYN". Only a bare SYN gets a reset: it
 * makes the client fail at once instead of retrying for minutes; anything
 * else mid-flow is dropped, as a reset there could tear down a flow that
 * began before the policy changed.
 *
 * Counters are incremented here and in the parse loop, not in a loop of
 * their own: there, increments of one counter would wait on each other;
 * here the lookups' latency hides them.
 */
static __rte_always_inline bool
exempt_source(const struct op25b_exempt_table *exempt, uint32_t src4,
	      const uint8_t *src6)
{
	if (exempt == NULL)
		return false;
	return src6 == NULL ? op25b_exempt_match4(exempt, src4)
			    : op25b_exempt_match6(exempt, src6);
}

/*
 * An exemption is looked up only for what the policy would block or count:
 * the common verdicts never pay for it. It is checked before a reset is
 * built, which rewrites the frame. Exempted packets count under their own
 * outcome, not in a class's or group's verdicts, which stay what the
 * policy decided.
 */
static __rte_always_inline void
decide(const struct op25b_classifier *c,
       const struct op25b_exempt_table *exempt, struct rte_mbuf *m,
       const struct pkt_meta *meta, uint32_t src4, const uint8_t *src6,
       uint16_t src_slot, uint16_t dst_slot, struct op25b_classify_result *r,
       struct op25b_stats_counters *counters)
{
	uint8_t outcome = c->matrix[src_slot * c->n_group_slots + dst_slot];

	if (unlikely(outcome >= OP25B_OUTCOME_COUNTED) &&
	    exempt_source(exempt, src4, src6)) {
		*r = c->settled_result[OP25B_OUTCOME_EXEMPTED];
		r->class_slot = (uint8_t)src_slot;
		r->group_slot = (uint8_t)dst_slot;
		counters->outcome[OP25B_OUTCOME_EXEMPTED]++;
		return;
	}
	if (unlikely(outcome == OP25B_OUTCOME_RESET) &&
	    ((meta->tcp_flags & (TCP_SYN | TCP_ACK | TCP_RST | TCP_FIN)) !=
		     TCP_SYN ||
	     op25b_reset_build(m, meta) != 0))
		outcome = OP25B_OUTCOME_BLOCKED;
	*r = c->settled_result[outcome];
	r->class_slot = (uint8_t)src_slot;
	r->group_slot = (uint8_t)dst_slot;
	counters->outcome[outcome]++;
	counters->class_verdict[src_slot][OP25B_VERDICT_OF(outcome)]++;
	counters->group_verdict[dst_slot][OP25B_VERDICT_OF(outcome)]++;
}

/* Where counts go when the caller keeps none: one block per lcore, so
 * that the data path never tests for NULL per packet. */
static RTE_DEFINE_PER_LCORE(struct op25b_stats_counters, discarded);

uint16_t
op25b_classifier_classify_burst(const struct op25b_classifier *c,
				const struct op25b_exempt_table *exempt,
				struct rte_mbuf **pkts, uint16_t n,
				struct op25b_classify_result *results,
				struct op25b_stats_counters *counters)
{
	struct pkt_meta meta[OP25B_CLASSIFY_BURST_MAX];
	uint32_t src4[OP25B_CLASSIFY_BURST_MAX], dst4[OP25B_CLASSIFY_BURST_MAX];
	uint16_t idx4[OP25B_CLASSIFY_BURST_MAX], idx6[OP25B_CLASSIFY_BURST_MAX];
	uint16_t src_val[OP25B_CLASSIFY_BURST_MAX];
	uint16_t dst_val[OP25B_CLASSIFY_BURST_MAX];
	uint8_t src6[OP25B_CLASSIFY_BURST_MAX][16];
	uint8_t dst6[OP25B_CLASSIFY_BURST_MAX][16];
	/* Outcomes settled by parsing alone, but for non_smtp: the common case
	 * is derived at the end instead of counted packet by packet. */
	uint32_t settled[OP25B_OUTCOME_MAX] = {0};
	unsigned int i, n4 = 0, n6 = 0;

	if (n > OP25B_CLASSIFY_BURST_MAX)
		n = OP25B_CLASSIFY_BURST_MAX;
	if (counters == NULL)
		counters = &RTE_PER_LCORE(discarded);
	for (i = 0; i < n && i < PREFETCH_AHEAD; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));

	/* Pass 1: parse; gather SMTP packets per family for bulk lookups. */
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
		struct op25b_classify_result *r = &results[i];
		uint8_t outcome;

		if (i + PREFETCH_AHEAD < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_AHEAD],
						       void *));
		outcome = parse_frame(c, p, rte_pktmbuf_data_len(m), &meta[i]);
		if (likely(outcome != PARSE_SMTP)) {
			if (outcome != OP25B_OUTCOME_NON_SMTP)
				settled[outcome]++;
			*r = c->settled_result[outcome];
			continue;
		}
		if (meta[i].family == 4) {
			src4[n4] = load_be32(p + meta[i].l3 + 12);
			dst4[n4] = load_be32(p + meta[i].l3 + 16);
			/* The first lookup stage starts here, as soon as the
			 * addresses are known. */
			lpm4_prefetch_first(c->src4, src4[n4]);
			lpm4_prefetch_first(c->dst4, dst4[n4]);
			idx4[n4++] = (uint16_t)i;
		} else {
			memcpy(src6[n6], p + meta[i].l3 + 8, 16);
			memcpy(dst6[n6], p + meta[i].l3 + 24, 16);
			idx6[n6++] = (uint16_t)i;
		}
	}

	/* Pass 2: bulk lookups and decisions. */
	if (n4 > 0) {
		uint32_t es[OP25B_CLASSIFY_BURST_MAX], ed[OP25B_CLASSIFY_BURST_MAX];

		/* Staged over both tables together (see lpm4.h), the first
		 * stage in the parse loop, the decision fused into the last. */
		lpm4_stage_tbl16(c->src4, src4, es, c->dst4, dst4, ed, n4);
		lpm4_stage_tbl8a(c->src4, src4, es, c->dst4, dst4, ed, n4);
		for (i = 0; i < n4; i++) {
			unsigned int k = idx4[i];

			decide(c, exempt, pkts[k], &meta[k], src4[i], NULL,
			       lpm4_stage_value(c->src4, es[i], src4[i]),
			       lpm4_stage_value(c->dst4, ed[i], dst4[i]),
			       &results[k], counters);
		}
	}
	if (n6 > 0) {
		lookup_v6(c->src6, src6, src_val, n6);
		lookup_v6(c->dst6, dst6, dst_val, n6);
		for (i = 0; i < n6; i++)
			decide(c, exempt, pkts[idx6[i]], &meta[idx6[i]], 0,
			       src6[i], src_val[i], dst_val[i],
			       &results[idx6[i]], counters);
	}
	settled[OP25B_OUTCOME_NON_SMTP] = n - n4 - n6 -
					  settled[OP25B_OUTCOME_SUBMISSION] -
					  settled[OP25B_OUTCOME_FRAGMENTS] -
					  settled[OP25B_OUTCOME_MALFORMED];
	for (i = 0; i < OP25B_OUTCOME_FORWARDED; i++)
		counters->outcome[i] += settled[i];
	return n;
}

/* Where the IP header starts under VLAN tags and PPPoE, for describe():
 * 0 when there is no IP header to show. */
static uint32_t
describe_l3(const uint8_t *p, uint32_t len, int *family, const char **encap)
{
	uint32_t off = 14;
	uint16_t type;

	*encap = "";
	if (len < 14)
		return 0;
	type = load_be16(p + 12);
	while ((type == ETHER_TYPE_VLAN || type == ETHER_TYPE_QINQ ||
		type == ETHER_TYPE_QINQ_OLD) && off + 4 <= len) {
		type = load_be16(p + off + 2);
		off += 4;
		*encap = " vlan";
	}
	if (type == ETHER_TYPE_PPPOE_SESSION && off + 8 <= len) {
		uint16_t proto = load_be16(p + off + 6);

		type = proto == PPP_PROTO_IPV4	 ? ETHER_TYPE_IPV4
		       : proto == PPP_PROTO_IPV6 ? ETHER_TYPE_IPV6
						 : 0;
		off += 8;
		*encap = *encap[0] ? " vlan pppoe" : " pppoe";
	}
	if (type == ETHER_TYPE_IPV4 && off + 20 <= len) {
		*family = AF_INET;
		return off;
	}
	if (type == ETHER_TYPE_IPV6 && off + 40 <= len) {
		*family = AF_INET6;
		return off;
	}
	return 0;
}

int
op25b_classifier_describe(const struct op25b_classifier *c,
			  const uint8_t *frame, uint32_t len, char *buf,
			  size_t size)
{
	struct pkt_meta meta = {0};
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	const char *encap;
	uint8_t outcome = parse_frame(c, frame, len, &meta);
	int family = 0;
	uint32_t l3 = describe_l3(frame, len, &family, &encap);
	uint32_t a = family == AF_INET6 ? 8 : 12, alen = family == AF_INET6 ? 16
									     : 4;
	char flags[8];
	unsigned int n = 0;

	if (l3 == 0)
		return snprintf(buf, size, "%s frame of %u bytes%s",
				outcome == OP25B_OUTCOME_MALFORMED ? "malformed"
								   : "non-IP",
				len, encap);
	inet_ntop(family, frame + l3 + a, src, sizeof(src));
	inet_ntop(family, frame + l3 + a + alen, dst, sizeof(dst));
	if (outcome != PARSE_SMTP)
		return snprintf(buf, size, "IPv%c %s -> %s%s",
				family == AF_INET ? '4' : '6', src, dst, encap);
	if (meta.tcp_flags & TCP_SYN)
		flags[n++] = 'S';
	if (meta.tcp_flags & TCP_ACK)
		flags[n++] = 'A';
	if (meta.tcp_flags & TCP_FIN)
		flags[n++] = 'F';
	if (meta.tcp_flags & TCP_RST)
		flags[n++] = 'R';
	flags[n] = '\0';
	return snprintf(buf, size, "IPv%c %s -> %s TCP %u -> %u [%s]%s",
			family == AF_INET ? '4' : '6', src, dst,
			load_be16(frame + meta.l4), load_be16(frame + meta.l4 + 2),
			flags, encap);
}
