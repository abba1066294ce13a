/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Compilation: a validated policy into the classifier's tables (source and
 * destination prefix tables, the verdict matrix, the port kinds). Runs on
 * the control lcore, off to the side of the data path, which only ever
 * sees a finished classifier.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_errno.h>
#include <rte_lpm6.h>
#include <rte_malloc.h>

#include "classify_priv.h"

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
	/* 0: a policy made without the loader gets the loader's default. */
	c->max_vlan_tags = (uint8_t)(policy->max_vlan_tags == 0
					     ? OP25B_POLICY_DEFAULT_VLAN_TAGS
					     : RTE_MIN(policy->max_vlan_tags,
						       OP25B_POLICY_MAX_VLAN_TAGS));
	for (i = 0; i < PARSE_CODE_MAX; i++) {
		uint8_t outcome = parse_code_outcome(i);

		c->settled_result[i].outcome = outcome;
		c->settled_result[i].disposition =
			outcome == OP25B_OUTCOME_MALFORMED
				? c->malformed_disposition
			: outcome == OP25B_OUTCOME_BLOCKED ? OP25B_DISPOSITION_DROP
			: outcome == OP25B_OUTCOME_RESET   ? OP25B_DISPOSITION_REPLY
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
