/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Compilation: a validated policy into the classifier's tables (source and
 * destination prefix tables, the verdict matrix, the port kinds). Runs on
 * the control lcore, off to the side of the data path, which only ever
 * sees a finished classifier.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "classify_priv.h"
#include "lpm_build.h"
#include "notify.h"
#include "op25b_records.h"

/* One side (sources or destinations) of the policy, as compile sees it. */
struct side_rules {
	const struct op25b_policy *policy;
	enum op25b_classifier_side side;
	struct lpm4_rule *v4;
	size_t n_v4;
	struct op25b_prefix **v6; /* in load order */
	uint32_t *v6_value;
	size_t n_v6;
};

/* Also after a failed side_rules_collect(), and twice: the caller frees
 * both sides whatever happened. */
static void
side_rules_free(struct side_rules *s)
{
	free(s->v4);
	free(s->v6);
	free(s->v6_value);
	s->v4 = NULL;
	s->v6 = NULL;
	s->v6_value = NULL;
}

static unsigned int
side_entries(const struct side_rules *s)
{
	return s->side == OP25B_CLASSIFIER_SIDE_SOURCES ? s->policy->n_classes
							: s->policy->n_groups;
}

static const struct op25b_prefix_list *
side_list(const struct side_rules *s, unsigned int k)
{
	return s->side == OP25B_CLASSIFIER_SIDE_SOURCES
		       ? &s->policy->classes[k].prefixes
		       : &s->policy->groups[k].prefixes;
}

static int
side_rules_collect(struct side_rules *s, const struct op25b_policy *policy,
		   enum op25b_classifier_side side, const uint8_t *slots)
{
	size_t n_v4 = 0, n_v6 = 0, i;
	unsigned int k;

	memset(s, 0, sizeof(*s));
	s->policy = policy;
	s->side = side;
	for (k = 0; k < side_entries(s); k++) {
		const struct op25b_prefix_list *l = side_list(s, k);

		for (i = 0; i < l->count; i++) {
			if (l->prefixes[i].family == AF_INET)
				n_v4++;
			else
				n_v6++;
		}
	}
	s->v4 = op25b_alloc_large(n_v4 * sizeof(*s->v4) + 1);
	s->v6 = op25b_alloc_large(n_v6 * sizeof(*s->v6) + 1);
	s->v6_value = op25b_alloc_large(n_v6 * sizeof(*s->v6_value) + 1);
	if (s->v4 == NULL || s->v6 == NULL || s->v6_value == NULL) {
		side_rules_free(s);
		return -ENOMEM;
	}
	for (k = 0; k < side_entries(s); k++) {
		const struct op25b_prefix_list *l = side_list(s, k);

		for (i = 0; i < l->count; i++) {
			const struct op25b_prefix *p = &l->prefixes[i];

			if (p->family == AF_INET) {
				struct lpm4_rule *r = &s->v4[s->n_v4++];

				r->ip = load_be32(p->addr);
				r->depth = p->length;
				r->value = slots ? slots[k] : (uint8_t)(k + 1);
			} else {
				s->v6_value[s->n_v6] = slots ? slots[k] : k + 1;
				s->v6[s->n_v6++] = (struct op25b_prefix *)p;
			}
		}
	}
	return 0;
}

/* The class or group that holds @p (a prefix of this side), or -1. */
static int
side_entry_of(const struct side_rules *s, const struct op25b_prefix *p)
{
	unsigned int k;

	for (k = 0; k < side_entries(s); k++) {
		const struct op25b_prefix_list *l = side_list(s, k);

		if (p >= l->prefixes && p < l->prefixes + l->count)
			return (int)k;
	}
	return -1;
}

/*
 * Where to point for a limit that the whole table reaches, not one prefix
 * (memory): the first @family prefix of the list that holds most of them,
 * the one an operator would shorten or split. Returns its entry, or -1.
 */
static int
side_largest_list(const struct side_rules *s, int family,
		  const struct op25b_prefix **first)
{
	size_t best = 0;
	unsigned int k;
	int entry = -1;
	size_t i;

	*first = NULL;
	for (k = 0; k < side_entries(s); k++) {
		const struct op25b_prefix_list *l = side_list(s, k);
		const struct op25b_prefix *f = NULL;
		size_t n = 0;

		for (i = 0; i < l->count; i++) {
			if (l->prefixes[i].family != family)
				continue;
			if (f == NULL)
				f = &l->prefixes[i];
			n++;
		}
		if (n > best) {
			best = n;
			entry = (int)k;
			*first = f;
		}
	}
	return entry;
}

/*
 * Fill @error (may be NULL) for a failure at @prefix of entry @entry of
 * side @s (NULL, -1 and NULL: not a list's doing); the message names the
 * class or group first. Returns -@errnum for the caller to pass on.
 */
static int __attribute__((format(printf, 7, 8)))
compile_fail(struct op25b_classifier_error *error,
	     const struct op25b_policy *policy, const struct side_rules *s,
	     int family, int entry, const struct op25b_prefix *prefix,
	     const char *fmt, ...)
{
	struct op25b_policy_error *w;
	int errnum = rte_errno;
	size_t used = 0;
	va_list ap;

	if (error == NULL)
		return -errnum;
	memset(error, 0, sizeof(*error));
	error->errnum = errnum;
	error->side = s ? s->side : OP25B_CLASSIFIER_SIDE_NONE;
	error->family = family;
	error->entry = entry;
	error->prefix = prefix;
	w = &error->where;
	snprintf(w->file, sizeof(w->file), "%s",
		 prefix ? prefix->file : policy->file);
	w->line = prefix ? prefix->line : 0;
	w->column = prefix ? prefix->column : 0;
	if (s != NULL && entry >= 0) {
		int n = snprintf(w->message, sizeof(w->message), "%s '%s': ",
				 s->side == OP25B_CLASSIFIER_SIDE_SOURCES
					 ? "class"
					 : "group",
				 s->side == OP25B_CLASSIFIER_SIDE_SOURCES
					 ? policy->classes[entry].name
					 : policy->groups[entry].name);

		used = n > 0 && (size_t)n < sizeof(w->message) ? (size_t)n : 0;
	}
	va_start(ap, fmt);
	vsnprintf(w->message + used, sizeof(w->message) - used, fmt, ap);
	va_end(ap);
	return -errnum;
}

static const char *
side_table_name(const struct side_rules *s)
{
	return s->side == OP25B_CLASSIFIER_SIDE_SOURCES ? "source"
							: "destination";
}

struct v6_ref {
	const struct op25b_prefix *prefix;
	size_t order; /* index in load order */
};

static int
compare_v6_ref(const void *a, const void *b)
{
	const struct v6_ref *ra = a, *rb = b;

	return memcmp(ra->prefix->addr, rb->prefix->addr, 16);
}

/*
 * The IPv6 table (lpm6.h) allocates its groups up front. Each group covers
 * 8 more bits below the first 16, and prefixes that share those bits share
 * the group, so the exact need is the number of distinct truncations at
 * each 8-bit level among the prefixes longer than that level.
 *
 * Each group is charged to the first prefix, in load order, that needs
 * it: the running total over the load order is then what the table would
 * need had the lists stopped there, and @over (SIZE_MAX: never) is the
 * first prefix at which it passes @limit, the line an operator reads as
 * "from here the table is full". O(n log n) for the sort, then 14 passes.
 */
static int
lpm6_groups_needed(struct op25b_prefix *const *v6, size_t n, uint64_t limit,
		   uint64_t *groups, size_t *over)
{
	struct v6_ref *refs = malloc(n * sizeof(*refs) + 1);
	uint8_t *charged = calloc(n + 1, 1);
	unsigned int level;
	uint64_t total = 0;
	size_t i;

	*groups = 0;
	*over = SIZE_MAX;
	if (lpm_scratch_pair(refs, charged) != 0)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		refs[i].prefix = v6[i];
		refs[i].order = i;
	}
	qsort(refs, n, sizeof(*refs), compare_v6_ref);
	for (level = 16; level < 128; level += 8) {
		const struct v6_ref *run = NULL;
		size_t first = 0;

		/* Prefixes sharing the top @level bits are contiguous in
		 * address order; shorter ones in between do not break a
		 * run, as they need no group at this level. */
		for (i = 0; i < n; i++) {
			if (refs[i].prefix->length <= level)
				continue;
			if (run == NULL ||
			    memcmp(run->prefix->addr, refs[i].prefix->addr,
				   level / 8) != 0) {
				if (run != NULL)
					charged[first]++;
				first = refs[i].order;
			} else if (refs[i].order < first) {
				first = refs[i].order;
			}
			run = &refs[i];
		}
		if (run != NULL)
			charged[first]++;
	}
	for (i = 0; i < n; i++) {
		total += charged[i];
		if (total > limit && *over == SIZE_MAX)
			*over = i;
	}
	*groups = total;
	free(refs);
	free(charged);
	return 0;
}

static struct lpm6 *
side_build6(struct side_rules *s, int socket_id,
	    struct op25b_classifier_error *error)
{
	const struct op25b_prefix *at;
	struct lpm6_rule *rules;
	struct lpm6 *t;
	uint64_t groups;
	size_t i, over;
	int entry, ret;

	ret = lpm6_groups_needed(s->v6, s->n_v6, LPM6_MAX_GROUPS, &groups,
				 &over);
	if (ret < 0) {
		rte_errno = -ret;
		compile_fail(error, s->policy, s, AF_INET6, -1, NULL,
			     "no memory to plan the IPv6 %s table",
			     side_table_name(s));
		return NULL;
	}
	if (over != SIZE_MAX) {
		rte_errno = ENOSPC;
		compile_fail(error, s->policy, s, AF_INET6,
			     side_entry_of(s, s->v6[over]), s->v6[over],
			     "the IPv6 %s table runs out of groups from this "
			     "prefix on (%" PRIu64 " needed, at most %u)",
			     side_table_name(s), groups, LPM6_MAX_GROUPS);
		return NULL;
	}
	rules = malloc(s->n_v6 * sizeof(*rules) + 1);
	if (rules == NULL) {
		rte_errno = ENOMEM;
		compile_fail(error, s->policy, s, AF_INET6, -1, NULL,
			     "no memory to build the IPv6 %s table",
			     side_table_name(s));
		return NULL;
	}
	for (i = 0; i < s->n_v6; i++) {
		memcpy(rules[i].addr, s->v6[i]->addr, 16);
		rules[i].depth = s->v6[i]->length;
		rules[i].value = (uint8_t)s->v6_value[i];
	}
	t = lpm6_build(rules, s->n_v6, groups, socket_id);
	free(rules);
	if (t == NULL) {
		entry = side_largest_list(s, AF_INET6, &at);
		compile_fail(
			error, s->policy, s, AF_INET6, entry, at,
			"the IPv6 %s table (%zu prefixes, at least %" PRIu64
			" MB) cannot be allocated: %s",
			side_table_name(s), s->n_v6, (groups + 257) >> 10,
			rte_strerror(rte_errno));
		return NULL;
	}
	return t;
}

/* The outcome of a policy decision as compiled into the matrix: monitor
 * mode turns a block into a count, block: reset makes it a reset
 * candidate (decide_as() checks for a bare SYN), block: notify hands it to
 * op25b_notify_answer(). */
static uint8_t
outcome_of_action(const struct op25b_policy *policy, enum op25b_action action,
		  enum op25b_block_style block)
{
	switch (action) {
	case OP25B_ACTION_BLOCK:
		if (policy->mode == OP25B_MODE_MONITOR)
			return OP25B_OUTCOME_COUNTED;
		return block == OP25B_BLOCK_NOTIFY  ? MATRIX_NOTIFY
		       : block == OP25B_BLOCK_RESET ? OP25B_OUTCOME_RESET
						    : OP25B_OUTCOME_BLOCKED;
	case OP25B_ACTION_COUNT:
		return OP25B_OUTCOME_COUNTED;
	case OP25B_ACTION_ADAPTIVE:
		return MATRIX_ADAPTIVE;
	case OP25B_ACTION_ALLOW:
	default:
		return OP25B_OUTCOME_FORWARDED;
	}
}

/* The limits of the adaptive classes, by slot; none: no table is ever
 * touched. */
static int
adaptive_compile(struct op25b_classifier *c, const struct op25b_policy *policy,
		 const int16_t *class_of_slot, unsigned int n_class_slots,
		 int socket_id)
{
	struct classify_adaptive *a = NULL;
	unsigned int i;

	for (i = 1; i < n_class_slots; i++) {
		const struct op25b_policy_class *cls;

		if (class_of_slot[i] < 0)
			continue;
		cls = &policy->classes[class_of_slot[i]];
		if (cls->action != OP25B_ACTION_ADAPTIVE)
			continue;
		if (a == NULL) {
			a = rte_zmalloc_socket("op25b_adaptive_limits",
					       sizeof(*a), RTE_CACHE_LINE_SIZE,
					       socket_id);
			if (a == NULL)
				return -ENOMEM;
		}
		a->is_adaptive[i] = true;
		a->limit[i] = cls->limit;
		/* A blocked source gets its class's block: drop, reset or
		 * notify (counted only in monitor mode). */
		a->block_outcome[i] = outcome_of_action(
			policy, OP25B_ACTION_BLOCK,
			op25b_policy_block_of(policy, class_of_slot[i]));
	}
	c->adaptive = a;
	return 0;
}

int
op25b_classifier_set_adaptive(struct op25b_classifier *c,
			      struct op25b_adaptive_table *table)
{
	struct classify_adaptive *a;
	unsigned int i;
	int err;

	if (c == NULL)
		return -EINVAL;
	a = c->adaptive;
	if (a == NULL)
		return 0;
	for (i = 1; table != NULL && i < OP25B_STATS_SLOTS; i++) {
		if (!a->is_adaptive[i])
			continue;
		err = op25b_adaptive_rule_init(table, &a->limit[i], (uint8_t)i,
					       &a->rule[i]);
		if (err != 0)
			return err;
	}
	a->table = table;
	return 0;
}

bool
op25b_classifier_has_adaptive(const struct op25b_classifier *c)
{
	return c != NULL && c->adaptive != NULL;
}

const struct op25b_adaptive_rule *
op25b_classifier_adaptive_rule(const struct op25b_classifier *c,
			       uint8_t class_slot)
{
	if (c == NULL || c->adaptive == NULL || c->adaptive->table == NULL ||
	    !c->adaptive->is_adaptive[class_slot])
		return NULL;
	return &c->adaptive->rule[class_slot];
}

/* Whether @classifier keeps a source its table holds, counted under
 * @class_slot: adaptive_key_kept()'s rule, with this classifier's
 * rules and lookup. */
static bool
adaptive_keeps(uint64_t key, uint8_t class_slot, void *ctx)
{
	const struct op25b_classifier *c = ctx;
	const struct op25b_adaptive_rule *rule =
		op25b_classifier_adaptive_rule(c, class_slot);
	const struct op25b_adaptive_rule *now = NULL;
	uint8_t addr[16], none[16] = { 0 }, slot, group;
	int family = adaptive_key_address(key, addr);

	if (family != 0 &&
	    op25b_classifier_lookup(c, family == 4 ? AF_INET : AF_INET6, addr,
				    none, &slot, &group) == 0)
		now = op25b_classifier_adaptive_rule(c, slot);
	return adaptive_key_kept(key, addr, family,
				 rule != NULL ? rule->ipv6_key : 0,
				 now != NULL ? now->ipv6_key : 0);
}

uint64_t
op25b_classifier_adaptive_forget(const struct op25b_classifier *c,
				 struct op25b_adaptive_table *table,
				 uint64_t now)
{
	if (c == NULL || table == NULL)
		return 0;
	return op25b_adaptive_forget(table, now, adaptive_keeps, (void *)c);
}

/* Whether any class (or the default) blocks with notify, in enforce mode:
 * only then is there a greeting to keep. */
static bool
uses_notify(const struct op25b_policy *policy)
{
	unsigned int i;

	if (policy->mode == OP25B_MODE_MONITOR)
		return false;
	if (policy->block == OP25B_BLOCK_NOTIFY)
		return true;
	for (i = 0; i < policy->n_classes; i++)
		if (op25b_policy_block_of(policy, (int)i) == OP25B_BLOCK_NOTIFY)
			return true;
	return false;
}

static int
build_side(struct side_rules *s, int socket_id, struct lpm4 **t4,
	   struct lpm6 **t6, struct op25b_classifier_error *error)
{
	const struct op25b_prefix *at;
	int entry;

	if (s->n_v4 > 0) {
		size_t n = s->n_v4;

		*t4 = lpm4_build(s->v4, s->n_v4, socket_id);
		/* Destinations come from the whole Internet (lpm4.h). */
		if (*t4 != NULL &&
		    s->side == OP25B_CLASSIFIER_SIDE_DESTINATIONS &&
		    lpm4_summarize(*t4, socket_id) != 0) {
			lpm4_free(*t4);
			*t4 = NULL;
			rte_errno = ENOMEM;
		}
		if (*t4 == NULL) {
			entry = side_largest_list(s, AF_INET, &at);
			return compile_fail(
				error, s->policy, s, AF_INET, entry, at,
				"the IPv4 %s table (%zu prefixes) "
				"cannot be allocated: %s",
				side_table_name(s), n, rte_strerror(rte_errno));
		}
	}
	if (s->n_v6 > 0) {
		*t6 = side_build6(s, socket_id, error);
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

/* Compile @policy; with @base, share its tables instead of building them
 * (the caller vouches that the prefixes and slots are the same). */
static struct op25b_classifier *
classifier_compile(const struct op25b_policy *policy, int socket_id,
		   const uint8_t *class_slots, const uint8_t *group_slots,
		   const struct op25b_classifier *base,
		   struct op25b_classifier_error *error)
{
	int16_t class_of_slot[OP25B_STATS_SLOTS],
		group_of_slot[OP25B_STATS_SLOTS];
	struct side_rules src = { 0 }, dst = { 0 };
	struct op25b_classifier *c;
	unsigned int i, j, n_class_slots, n_group_slots;
	uint8_t *rules;
	int err;

	if (policy == NULL) {
		rte_errno = EINVAL;
		if (error != NULL) {
			memset(error, 0, sizeof(*error));
			error->errnum = EINVAL;
			error->entry = -1;
			snprintf(error->where.message,
				 sizeof(error->where.message), "no policy");
		}
		return NULL;
	}
	if (policy->n_classes > OP25B_POLICY_MAX_CLASSES ||
	    policy->n_groups > OP25B_POLICY_MAX_GROUPS ||
	    slots_invert(class_slots, policy->n_classes, class_of_slot,
			 &n_class_slots) != 0 ||
	    slots_invert(group_slots, policy->n_groups, group_of_slot,
			 &n_group_slots) != 0) {
		rte_errno = EINVAL;
		compile_fail(error, policy, NULL, 0, -1, NULL,
			     "more than %u classes or groups, or a counter "
			     "slot given twice",
			     OP25B_POLICY_MAX_CLASSES);
		return NULL;
	}
	c = rte_zmalloc_socket("op25b_classifier", sizeof(*c),
			       RTE_CACHE_LINE_SIZE, socket_id);
	if (c == NULL) {
		rte_errno = ENOMEM;
		compile_fail(error, policy, NULL, 0, -1, NULL,
			     "the classifier (%zu KB) cannot be allocated",
			     sizeof(*c) >> 10);
		return NULL;
	}
	c->n_class_slots = (uint16_t)n_class_slots;
	op25b_policy_port_table(policy, c->port_kind, true);
	c->malformed_disposition = policy->malformed == OP25B_MALFORMED_FORWARD
					   ? OP25B_DISPOSITION_FORWARD
					   : OP25B_DISPOSITION_DROP;
	/* 0: a policy made without the loader gets the loader's default. */
	c->max_vlan_tags =
		(uint8_t)(policy->max_vlan_tags == 0
				  ? OP25B_POLICY_DEFAULT_VLAN_TAGS
				  : RTE_MIN(policy->max_vlan_tags,
					    OP25B_POLICY_MAX_VLAN_TAGS));
	for (i = 0; i < PARSE_CODE_MAX; i++) {
		uint8_t outcome = parse_code_outcome(i);

		c->settled_result[i].outcome = outcome;
		c->settled_result[i].disposition =
			outcome == OP25B_OUTCOME_MALFORMED
				? c->malformed_disposition
			: outcome == OP25B_OUTCOME_BLOCKED
				? OP25B_DISPOSITION_DROP
			: outcome == OP25B_OUTCOME_RESET
				? OP25B_DISPOSITION_REPLY
				: OP25B_DISPOSITION_FORWARD;
	}

	/* Slots of names no longer in the policy never come out of the
	 * tables; their cells hold what "no class"/"no group" would get. */
	c->n_group_slots = (uint16_t)n_group_slots;
	c->matrix = rte_zmalloc_socket("op25b_matrix",
				       classifier_matrix_bytes(c),
				       RTE_CACHE_LINE_SIZE, socket_id);
	if (c->matrix == NULL) {
		rte_errno = ENOMEM;
		err = compile_fail(error, policy, NULL, 0, -1, NULL,
				   "the verdict matrix cannot be allocated");
		goto fail;
	}
	if (uses_notify(policy)) {
		c->notify = op25b_notify_create(policy, socket_id);
		if (c->notify == NULL) {
			err = compile_fail(
				error, policy, NULL, 0, -1, NULL,
				"the notify state cannot be allocated");
			goto fail;
		}
	}
	rules = classifier_rules(c);
	for (i = 0; i < n_class_slots; i++) {
		for (j = 0; j < c->n_group_slots; j++) {
			enum op25b_rule rule;
			enum op25b_action action =
				op25b_policy_decide(policy, class_of_slot[i],
						    group_of_slot[j], &rule);

			c->matrix[i * c->n_group_slots + j] = outcome_of_action(
				policy, action,
				op25b_policy_block_of(policy,
						      class_of_slot[i]));
			/* With the mode the cell was compiled in, for
			 * the records of the frames it decides. */
			rules[i * c->n_group_slots + j] =
				(uint8_t)(rule |
					  (policy->mode == OP25B_MODE_MONITOR
						   ? OP25B_RECORD_RULE_MONITOR
						   : 0));
		}
	}

	err = adaptive_compile(c, policy, class_of_slot, n_class_slots,
			       socket_id);
	if (err != 0) {
		rte_errno = -err;
		compile_fail(error, policy, NULL, 0, -1, NULL,
			     "the adaptive limits cannot be allocated");
		goto fail;
	}
	/* A derived classifier (a switch) has limits of its own: its
	 * block outcome follows the switch. */
	if (base != NULL) {
		c->src4 = lpm4_ref(base->src4);
		c->dst4 = lpm4_ref(base->dst4);
		c->src6 = lpm6_ref(base->src6);
		c->dst6 = lpm6_ref(base->dst6);
		return c;
	}
	err = side_rules_collect(&src, policy, OP25B_CLASSIFIER_SIDE_SOURCES,
				 class_slots);
	if (err == 0)
		err = side_rules_collect(&dst, policy,
					 OP25B_CLASSIFIER_SIDE_DESTINATIONS,
					 group_slots);
	if (err != 0) {
		rte_errno = -err;
		compile_fail(error, policy, NULL, 0, -1, NULL,
			     "no memory to gather the prefixes");
	}
	if (err == 0)
		err = build_side(&src, socket_id, &c->src4, &c->src6, error);
	if (err == 0)
		err = build_side(&dst, socket_id, &c->dst4, &c->dst6, error);
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

struct op25b_classifier *
op25b_classifier_compile(const struct op25b_policy *policy, int socket_id,
			 const uint8_t *class_slots, const uint8_t *group_slots,
			 struct op25b_classifier_error *error)
{
	return classifier_compile(policy, socket_id, class_slots, group_slots,
				  NULL, error);
}

struct op25b_classifier *
op25b_classifier_derive(const struct op25b_classifier *base,
			const struct op25b_policy *policy, int socket_id,
			const uint8_t *class_slots, const uint8_t *group_slots,
			struct op25b_classifier_error *error)
{
	if (base == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	return classifier_compile(policy, socket_id, class_slots, group_slots,
				  base, error);
}

struct op25b_classifier *
op25b_classifier_create(const struct op25b_policy *policy, int socket_id,
			const uint8_t *class_slots, const uint8_t *group_slots)
{
	return op25b_classifier_compile(policy, socket_id, class_slots,
					group_slots, NULL);
}

void
op25b_classifier_free(struct op25b_classifier *c)
{
	if (c == NULL)
		return;
	lpm4_free(c->src4);
	lpm4_free(c->dst4);
	lpm6_free(c->src6);
	lpm6_free(c->dst6);
	rte_free(c->matrix);
	rte_free(c->adaptive);
	op25b_notify_free((struct op25b_notify *)(uintptr_t)c->notify);
	rte_free(c);
}

size_t
op25b_classifier_memory(const struct op25b_classifier *c)
{
	size_t memory;

	if (c == NULL)
		return 0;
	memory = sizeof(*c) + classifier_matrix_bytes(c);
	memory += (c->src4 ? c->src4->memory : 0) +
		  (c->dst4 ? c->dst4->memory : 0) +
		  (c->src6 ? c->src6->memory : 0) +
		  (c->dst6 ? c->dst6->memory : 0);
	if (c->adaptive != NULL)
		memory += sizeof(*c->adaptive);
	if (c->notify != NULL)
		memory += sizeof(*c->notify);
	return memory;
}
