/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The schema of the policy file: one key table per mapping (the root,
 * ports, limit, a class, a group) and what fills the policy from each
 * key's value: for the common kinds of value (a number in a range, a
 * duration, a port list, one of a few names) the row itself says where the
 * value goes (enum key_kind); the others have a handler. Unknown and
 * duplicate keys are caught by op25b_loader_walk_mapping(), not here.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "policy_priv.h"

/* ctx of the prefixes and prefixes_file handlers; first member of the class
 * and group contexts so that both can be passed to them. */
struct prefix_target {
	struct op25b_prefix_list *list;
	size_t *capacity;
	const char *owner; /* the class's or group's name */
	bool destinations; /* a group's */
};

struct class_ctx {
	struct prefix_target target;
	struct op25b_policy_class *cls;
	yaml_node_t *action;
	yaml_node_t *limit_key;
};

struct group_ctx {
	struct prefix_target target;
	struct op25b_policy_group *grp;
};

/* ---- top-level scalars ------------------------------------------------ */

/* The values of the keys of kind KEY_CHOICE. */
static const struct name_value mode_names[] = {
	{ "enforce", OP25B_MODE_ENFORCE },
	{ "monitor", OP25B_MODE_MONITOR },
};
static const struct name_value block_names[] = {
	{ "drop", OP25B_BLOCK_DROP },
	{ "reset", OP25B_BLOCK_RESET },
	{ "notify", OP25B_BLOCK_NOTIFY },
};
static const struct name_value malformed_names[] = {
	{ "drop", OP25B_MALFORMED_DROP },
	{ "forward", OP25B_MALFORMED_FORWARD },
};

static int
parse_default(struct loader *ld, yaml_node_t *value, void *ctx)
{
	(void)ctx;
	return op25b_loader_parse_action(
		ld, value, "default",
		"default cannot be adaptive: it has no limit "
		"(allow|block|count)",
		&ld->policy->default_action);
}

/*
 * The notice becomes the text of an SMTP reply: printable ASCII only (a
 * control character could end the reply early or forge another), each
 * line a line of the reply, the whole small enough for one segment.
 * YAML's literal block (`|`) ends in a newline, which is not a line.
 */
static int
parse_notice(struct loader *ld, yaml_node_t *value, void *ctx)
{
	const char *text;
	size_t len, i;
	unsigned int lines = 1;
	bool words = false; /* the line so far holds more than blanks */

	(void)ctx;
	if (op25b_loader_expect(ld, value, YAML_SCALAR_NODE, "notice") < 0)
		return -1;
	text = op25b_node_text(value);
	len = value->data.scalar.length;
	if (len > 0 && text[len - 1] == '\n')
		len--;
	/* ~ and null are "empty" here as everywhere (the 554 reply was
	 * "~"); a quoted "~" is the text. */
	if (len == 0 || op25b_node_is_null(value))
		return op25b_loader_fail(ld, value,
					 "notice is empty: write what the "
					 "mail client should show");
	if (len > OP25B_POLICY_NOTICE_MAX)
		return op25b_loader_fail(
			ld, value,
			"notice is %zu characters long: at most %d (the 554 "
			"reply must fit one TCP segment)",
			len, OP25B_POLICY_NOTICE_MAX);
	for (i = 0; i <= len; i++) {
		unsigned char ch = i < len ? (unsigned char)text[i] : '\n';

		if (ch == '\n') {
			/* Blanks alone are empty too: the 554 reply
			 * would carry nothing to read. */
			if (!words)
				return op25b_loader_fail(
					ld, value,
					"notice: line %u is empty (or blank)",
					lines);
			if (i < len && ++lines > OP25B_POLICY_NOTICE_LINES)
				return op25b_loader_fail(
					ld, value,
					"notice has more than %d lines",
					OP25B_POLICY_NOTICE_LINES);
			words = false;
		} else if (ch < 0x20 || ch > 0x7e) {
			return op25b_loader_fail(
				ld, value,
				"notice: character %zu (byte 0x%02x) is not "
				"printable ASCII",
				i + 1, ch);
		} else if (ch != ' ') {
			words = true;
		}
	}
	memcpy(ld->policy->notice, text, len);
	ld->policy->notice[len] = '\0';
	ld->notice_node = value;
	return 0;
}

/* ---- ports ------------------------------------------------------------ */

static int
parse_port_list(struct loader *ld, yaml_node_t *value, const char *what,
		struct port_list *list)
{
	yaml_node_item_t *item;

	list->n = 0;
	list->node = value;
	if (op25b_node_is_null(value))
		return 0;
	if (op25b_loader_expect(ld, value, YAML_SEQUENCE_NODE, what) < 0)
		return -1;
	for (item = value->data.sequence.items.start;
	     item < value->data.sequence.items.top; item++) {
		yaml_node_t *node = op25b_loader_node(ld, *item);
		uint64_t port;
		unsigned int i;

		if (!op25b_node_parse_uint(node, 65535, &port) || port == 0)
			return op25b_loader_fail(
				ld, node,
				"bad port '%s' in %s: expected an integer "
				"1..65535",
				op25b_node_show(node).s, what);
		for (i = 0; i < list->n; i++)
			if (list->ports[i] == port)
				return op25b_loader_fail(
					ld, node,
					"port %u is listed twice in %s",
					(unsigned int)port, what);
		if (list->n == OP25B_POLICY_MAX_PORTS)
			return op25b_loader_fail(
				ld, node,
				"too many ports in %s (at most "
				"%d)",
				what, OP25B_POLICY_MAX_PORTS);
		list->ports[list->n++] = (uint16_t)port;
	}
	return 0;
}

static int
parse_ports(struct loader *ld, yaml_node_t *value, void *ctx)
{
	static const struct key_handler keys[] = {
		{ "smtp", KEY_PORTS, .offset = offsetof(struct loader, smtp),
		  .what = "ports.smtp" },
		{ "submission", KEY_PORTS,
		  .offset = offsetof(struct loader, submission),
		  .what = "ports.submission" },
	};

	(void)ctx;
	if (op25b_node_is_null(value))
		return 0;
	return op25b_loader_walk_mapping(ld, value, "ports", keys,
					 ARRAY_SIZE(keys), ld);
}

/* ---- the kinds of value ----------------------------------------------- */

_Static_assert(sizeof(enum op25b_policy_mode) == sizeof(int) &&
		       sizeof(enum op25b_block_style) == sizeof(int) &&
		       sizeof(enum op25b_malformed_action) == sizeof(int),
	       "KEY_CHOICE stores an int in each enum");
_Static_assert(sizeof(((struct op25b_policy *)0)->max_vlan_tags) ==
		       sizeof(uint32_t),
	       "KEY_UINT stores a uint32_t");

int
op25b_loader_parse_key(struct loader *ld, const struct key_handler *h,
		       yaml_node_t *value, void *ctx)
{
	const char *what = h->what != NULL ? h->what : h->name;
	uint64_t n;
	uint32_t u;
	int v = 0;

	switch (h->kind) {
	case KEY_CALL:
		return h->parse(ld, value, ctx);
	case KEY_SKIP:
		return 0;
	case KEY_TEXT:
		if (op25b_node_is_null(value))
			return 0;
		return op25b_loader_expect(ld, value, YAML_SCALAR_NODE, what);
	case KEY_UINT:
		if (!op25b_node_parse_uint(value, h->max, &n) || n == 0)
			return op25b_loader_fail(
				ld, value, "bad %s '%s': expected %s 1..%u",
				what, op25b_node_show(value).s, h->expected,
				h->max);
		u = (uint32_t)n;
		memcpy((char *)ctx + h->offset, &u, sizeof(u));
		return 0;
	case KEY_DURATION:
		if (value->type != YAML_SCALAR_NODE ||
		    strlen(op25b_node_text(value)) !=
			    value->data.scalar.length ||
		    op25b_duration_parse(op25b_node_text(value), &u) < 0)
			return op25b_loader_fail(
				ld, value,
				"bad %s '%s': expected a duration above 0, "
				"no leading zero (90, 90s, 15m, 1h, 2d)",
				what, op25b_node_show(value).s);
		memcpy((char *)ctx + h->offset, &u, sizeof(u));
		return 0;
	case KEY_PORTS:
		return parse_port_list(
			ld, value, what,
			(struct port_list *)((char *)ctx + h->offset));
	case KEY_CHOICE:
		if (op25b_loader_parse_choice(ld, value, what, h->names,
					      h->n_names, &v) < 0)
			return -1;
		memcpy((char *)ctx + h->offset, &v, sizeof(v));
		/* The notice it needs is checked once the file is read. */
		if (h->names == block_names && v == OP25B_BLOCK_NOTIFY &&
		    ld->notify_node == NULL)
			ld->notify_node = value;
		return 0;
	}
	return 0;
}

/* ---- prefixes --------------------------------------------------------- */

static int
parse_prefixes(struct loader *ld, yaml_node_t *value, void *ctx)
{
	struct prefix_target *target = ctx;
	yaml_node_item_t *item;

	if (op25b_node_is_null(value))
		return 0;
	if (op25b_loader_expect(ld, value, YAML_SEQUENCE_NODE, "prefixes") < 0)
		return -1;
	for (item = value->data.sequence.items.start;
	     item < value->data.sequence.items.top; item++) {
		yaml_node_t *node = op25b_loader_node(ld, *item);
		struct op25b_prefix *slot;
		const char *why;

		if (op25b_loader_expect(ld, node, YAML_SCALAR_NODE,
					"prefixes") < 0)
			return -1;
		slot = op25b_prefix_list_push(target->list, target->capacity);
		if (slot == NULL)
			return op25b_loader_fail_nomem(ld);
		if (op25b_prefix_parse_text(op25b_node_text(node),
					    node->data.scalar.length, slot,
					    &why) < 0) {
			char message[sizeof(ld->error->message)];

			op25b_prefix_error_message(
				message, sizeof(message), op25b_node_text(node),
				node->data.scalar.length, slot, why);
			target->list->count--;
			return op25b_loader_fail(ld, node, "%s", message);
		}
		slot->file = ld->file;
		slot->line = (uint32_t)node->start_mark.line + 1;
		slot->column = (uint32_t)node->start_mark.column + 1;
	}
	return 0;
}

static int
parse_prefixes_file(struct loader *ld, yaml_node_t *value, void *ctx)
{
	struct prefix_target *target = ctx;

	return op25b_loader_read_prefixes_file(ld, value, target->list,
					       target->capacity, target->owner,
					       target->destinations);
}

/* ---- sources ---------------------------------------------------------- */

static int
parse_class_action(struct loader *ld, yaml_node_t *value, void *ctx)
{
	struct class_ctx *c = ctx;

	c->action = value;
	return op25b_loader_parse_action(ld, value, "action", NULL,
					 &c->cls->action);
}

static int
parse_class_block(struct loader *ld, yaml_node_t *value, void *ctx)
{
	static const struct key_handler block = {
		"block",
		KEY_CHOICE,
		.offset = offsetof(struct op25b_policy_class, block),
		.names = block_names,
		.n_names = ARRAY_SIZE(block_names),
	};
	struct class_ctx *c = ctx;

	c->cls->block_set = true;
	return op25b_loader_parse_key(ld, &block, value, c->cls);
}

/* Where @p name is among the destinations (the future group id), or -1. */
static int
group_index(struct loader *ld, const yaml_node_t *name)
{
	yaml_node_pair_t *first, *pair;

	if (ld->destinations == NULL)
		return -1;
	first = ld->destinations->data.mapping.pairs.start;
	for (pair = first; pair < ld->destinations->data.mapping.pairs.top;
	     pair++)
		if (op25b_node_same(op25b_loader_node(ld, pair->key), name))
			return (int)(pair - first);
	return -1;
}

static int
unknown_group(struct loader *ld, yaml_node_t *key)
{
	char groups[160] = "";
	size_t used = 0;
	yaml_node_pair_t *pair;

	if (ld->destinations == NULL || ld->n_group_names == 0)
		return op25b_loader_fail(
			ld, key,
			"unknown group '%s' in to: (no destinations are "
			"defined)",
			op25b_node_show(key).s);
	for (pair = ld->destinations->data.mapping.pairs.start;
	     pair < ld->destinations->data.mapping.pairs.top &&
	     used < sizeof(groups);
	     pair++) {
		yaml_node_t *name = op25b_loader_node(ld, pair->key);

		if (name->type == YAML_SCALAR_NODE)
			used += (size_t)snprintf(
				groups + used, sizeof(groups) - used, "%s%s",
				used > 0 ? ", " : "", op25b_node_show(name).s);
	}
	return op25b_loader_fail(ld, key,
				 "unknown group '%s' in to: (groups: %s)",
				 op25b_node_show(key).s, groups);
}

static int
parse_to(struct loader *ld, yaml_node_t *value, void *ctx)
{
	struct class_ctx *c = ctx;
	yaml_node_pair_t *pair;

	if (op25b_node_is_null(value))
		return 0;
	if (op25b_loader_expect(ld, value, YAML_MAPPING_NODE, "to") < 0)
		return -1;
	for (pair = value->data.mapping.pairs.start;
	     pair < value->data.mapping.pairs.top; pair++) {
		yaml_node_t *group = op25b_loader_node(ld, pair->key);
		yaml_node_t *first;
		int g;

		if (op25b_loader_expect(ld, group, YAML_SCALAR_NODE, "key") < 0)
			return -1;
		g = group_index(ld, group);
		if (g < 0)
			return unknown_group(ld, group);
		first = op25b_loader_earlier_key(ld, value, pair);
		if (first != NULL)
			return op25b_loader_fail(
				ld, group,
				"duplicate key '%s' in to (first at line "
				"%zu)",
				/* Shown escaped: the groups' names may not be
				 * checked yet (destinations come later). */
				op25b_node_show(group).s,
				first->start_mark.line + 1);
		if (op25b_loader_parse_action(
			    ld, op25b_loader_node(ld, pair->value), "action",
			    "adaptive is not allowed in to: "
			    "(allow|block|count)",
			    &c->cls->to[g]) < 0)
			return -1;
	}
	return 0;
}

static int
parse_ipv6_key(struct loader *ld, yaml_node_t *value, void *ctx)
{
	struct op25b_adaptive_limit *limit = ctx;
	const char *text = op25b_node_text(value);
	char *end = NULL;
	long v = -1;

	/* No leading zero, as for integers (/048 is a typo, or octal); no
	 * NUL inside (a quoted "\0" would end the text early). */
	if (value->type == YAML_SCALAR_NODE &&
	    strlen(text) == value->data.scalar.length && text[0] == '/' &&
	    text[1] >= '1' && text[1] <= '9')
		v = strtol(text + 1, &end, 10);
	if (v < 32 || v > 64 || end == NULL || *end != '\0')
		return op25b_loader_fail(
			ld, value,
			"bad limit.ipv6_key '%s': expected a prefix length "
			"/32../64 (/64: an address's subnet, /56: a "
			"customer's delegation)",
			op25b_node_show(value).s);
	limit->ipv6_key = (uint8_t)v;
	return 0;
}

static int
parse_limit(struct loader *ld, yaml_node_t *value, void *ctx)
{
	static const struct key_handler keys[] = {
		{ "connections", KEY_UINT,
		  .offset = offsetof(struct op25b_adaptive_limit, connections),
		  .what = "limit.connections",
		  .max = OP25B_POLICY_CONNECTIONS_MAX,
		  .expected = "an integer" },
		{ "per", KEY_DURATION,
		  .offset = offsetof(struct op25b_adaptive_limit, per_seconds),
		  .what = "limit.per" },
		{ "block_for", KEY_DURATION,
		  .offset =
			  offsetof(struct op25b_adaptive_limit, block_seconds),
		  .what = "limit.block_for" },
		/* An entry of the adaptive table tells 16 destinations apart. */
		{ "destinations", KEY_UINT,
		  .offset = offsetof(struct op25b_adaptive_limit, destinations),
		  .what = "limit.destinations", .max = 16,
		  .expected = "an integer" },
		{ "ipv6_key", KEY_CALL, parse_ipv6_key },
	};
	struct class_ctx *c = ctx;
	struct op25b_adaptive_limit *limit = &c->cls->limit;
	const char *missing;

	c->limit_key = ld->key;
	if (op25b_loader_walk_mapping(ld, value, "limit", keys,
				      ARRAY_SIZE(keys), limit) < 0)
		return -1;
	/* Every kind above refuses 0, so 0 means absent. */
	missing = limit->connections == 0     ? "connections"
		  : limit->per_seconds == 0   ? "per"
		  : limit->block_seconds == 0 ? "block_for"
					      : NULL;
	if (missing != NULL)
		return op25b_loader_fail(
			ld, value,
			"limit: missing %s (limit: {connections: N, per: "
			"DURATION, block_for: DURATION})",
			missing);
	return 0;
}

/* The body of a class or a group (@p kind named @p name): a mapping by
 * @p keys, or nothing. */
static int
walk_entry(struct loader *ld, yaml_node_t *body, const char *kind,
	   const char *name, const struct key_handler *keys, size_t n_keys,
	   void *ctx)
{
	char what[OP25B_POLICY_NAME_MAX + 16];

	if (op25b_node_is_null(body))
		return 0;
	snprintf(what, sizeof(what), "%s '%s'", kind, name);
	return op25b_loader_walk_mapping(ld, body, what, keys, n_keys, ctx);
}

/* Not an error, but likely a mistake: a class or group (@p kind named
 * @p name, at @p node) that matches no address. */
static int
warn_no_prefixes(struct loader *ld, yaml_node_t *node, const char *kind,
		 const char *name, const struct op25b_prefix_list *prefixes,
		 const char *matched)
{
	if (prefixes->count > 0)
		return 0;
	return op25b_loader_warn(ld, node,
				 "%s '%s' has no prefixes: it matches no %s",
				 kind, name, matched);
}

static int
parse_class(struct loader *ld, yaml_node_t *name, yaml_node_t *body,
	    struct op25b_policy_class *cls, size_t *capacity)
{
	static const struct key_handler keys[] = {
		{ "action", KEY_CALL, parse_class_action },
		{ "prefixes", KEY_CALL, parse_prefixes },
		{ "prefixes_file", KEY_CALL, parse_prefixes_file },
		{ "to", KEY_CALL, parse_to },
		{ "limit", KEY_CALL, parse_limit },
		{ "block", KEY_CALL, parse_class_block },
		{ "description", KEY_TEXT },
	};
	struct class_ctx c = {
		.target = { &cls->prefixes, capacity, cls->name, false },
		.cls = cls,
	};

	if (walk_entry(ld, body, "class", cls->name, keys, ARRAY_SIZE(keys),
		       &c) < 0)
		return -1;
	if (c.action == NULL)
		return op25b_loader_fail(ld, name,
					 "class '%s' has no action "
					 "(allow|block|count|adaptive)",
					 cls->name);
	if (cls->action == OP25B_ACTION_ADAPTIVE && c.limit_key == NULL)
		return op25b_loader_fail(
			ld, c.action,
			"action adaptive needs a limit: {connections: N, "
			"per: DURATION, block_for: DURATION}");
	if (cls->action != OP25B_ACTION_ADAPTIVE && c.limit_key != NULL)
		return op25b_loader_fail(
			ld, c.limit_key,
			"limit applies only to action adaptive (class "
			"'%s' is %s)",
			cls->name, op25b_action_name(cls->action));
	return warn_no_prefixes(ld, name, "class", cls->name, &cls->prefixes,
				"source");
}

/*
 * The entries of `sources` or `destinations`: a mapping of names, each to
 * its body. alloc_entries() checks the mapping and allocates room for its
 * entries (at most @p max); parse_named_entries() checks and copies each
 * name (the first member of both entry types) into @p entries and counts
 * the entry before @p parse_entry builds the rest, so that a failure
 * leaves it to op25b_policy_free(). @p kind names one entry, @p kinds
 * several.
 */
typedef int (*parse_entry_fn)(struct loader *ld, yaml_node_t *name,
			      yaml_node_t *body, unsigned int index);

/* Returns the zeroed array (NULL after op25b_loader_fail()). */
static void *
alloc_entries(struct loader *ld, yaml_node_t *value, const char *section,
	      unsigned int max, size_t entry_size)
{
	unsigned int n;
	void *entries;

	if (op25b_loader_expect(ld, value, YAML_MAPPING_NODE, section) < 0)
		return NULL;
	n = op25b_node_mapping_size(value);
	if (n > max)
		n = max;
	entries = calloc(n > 0 ? n : 1, entry_size);
	if (entries == NULL)
		op25b_loader_fail_nomem(ld);
	return entries;
}

static int
parse_named_entries(struct loader *ld, yaml_node_t *value, const char *kind,
		    const char *kinds, unsigned int max, void *entries,
		    size_t entry_size, unsigned int *count,
		    parse_entry_fn parse_entry)
{
	yaml_node_pair_t *pair;

	for (pair = value->data.mapping.pairs.start;
	     pair < value->data.mapping.pairs.top; pair++) {
		yaml_node_t *name = op25b_loader_node(ld, pair->key);

		if (*count == max)
			return op25b_loader_fail(ld, name,
						 "too many %s (at most %u)",
						 kinds, max);
		if (op25b_loader_check_entry_name(ld, value, pair, kind) < 0)
			return -1;
		memcpy((char *)entries + (size_t)*count * entry_size,
		       op25b_node_text(name), name->data.scalar.length);
		(*count)++;
		if (parse_entry(ld, name, op25b_loader_node(ld, pair->value),
				*count - 1) < 0)
			return -1;
	}
	return 0;
}

_Static_assert(offsetof(struct op25b_policy_class, name) == 0 &&
		       offsetof(struct op25b_policy_group, name) == 0,
	       "parse_named_entries() copies the name to an entry's start");

static int
parse_source_entry(struct loader *ld, yaml_node_t *name, yaml_node_t *body,
		   unsigned int index)
{
	struct op25b_policy_class *cls = &ld->policy->classes[index];

	/* Sized by the names under destinations, which become the groups in
	 * that order; at least one so it is never NULL. */
	cls->to = calloc(ld->n_group_names > 0 ? ld->n_group_names : 1,
			 sizeof(*cls->to));
	if (cls->to == NULL)
		return op25b_loader_fail_nomem(ld);
	return parse_class(ld, name, body, cls, &ld->class_capacity[index]);
}

static int
parse_sources(struct loader *ld, yaml_node_t *value, void *ctx)
{
	struct op25b_policy *policy = ld->policy;

	(void)ctx;
	if (op25b_node_is_null(value))
		return 0;
	free(policy->classes);
	policy->classes = alloc_entries(ld, value, "sources",
					OP25B_POLICY_MAX_CLASSES,
					sizeof(*policy->classes));
	if (policy->classes == NULL)
		return -1;
	return parse_named_entries(ld, value, "class", "classes",
				   OP25B_POLICY_MAX_CLASSES, policy->classes,
				   sizeof(*policy->classes), &policy->n_classes,
				   parse_source_entry);
}

/* ---- destinations ----------------------------------------------------- */

static int
parse_group_action(struct loader *ld, yaml_node_t *value, void *ctx)
{
	struct group_ctx *g = ctx;

	return op25b_loader_parse_action(
		ld, value, "action",
		"adaptive is only for sources: a group's action "
		"is allow, block or count",
		&g->grp->action);
}

static int
parse_group(struct loader *ld, yaml_node_t *name, yaml_node_t *body,
	    struct op25b_policy_group *grp, size_t *capacity)
{
	static const struct key_handler keys[] = {
		{ "action", KEY_CALL, parse_group_action },
		{ "prefixes", KEY_CALL, parse_prefixes },
		{ "prefixes_file", KEY_CALL, parse_prefixes_file },
		{ "description", KEY_TEXT },
	};
	struct group_ctx g = {
		.target = { &grp->prefixes, capacity, grp->name, true },
		.grp = grp,
	};

	if (walk_entry(ld, body, "group", grp->name, keys, ARRAY_SIZE(keys),
		       &g) < 0)
		return -1;
	return warn_no_prefixes(ld, name, "group", grp->name, &grp->prefixes,
				"destination");
}

static int
parse_destination_entry(struct loader *ld, yaml_node_t *name, yaml_node_t *body,
			unsigned int index)
{
	return parse_group(ld, name, body, &ld->policy->groups[index],
			   &ld->group_capacity[index]);
}

static int
parse_destinations(struct loader *ld, yaml_node_t *value, void *ctx)
{
	struct op25b_policy *policy = ld->policy;

	(void)ctx;
	if (op25b_node_is_null(value))
		return 0;
	free(policy->groups);
	policy->groups = alloc_entries(ld, value, "destinations",
				       OP25B_POLICY_MAX_GROUPS,
				       sizeof(*policy->groups));
	if (policy->groups == NULL)
		return -1;
	return parse_named_entries(ld, value, "group", "groups",
				   OP25B_POLICY_MAX_GROUPS, policy->groups,
				   sizeof(*policy->groups), &policy->n_groups,
				   parse_destination_entry);
}

int
op25b_loader_parse_root(struct loader *ld, yaml_node_t *root)
{
	static const struct key_handler keys[] = {
		/* Checked before the walk: op25b_loader_check_version(). */
		{ "version", KEY_SKIP },
		{ "mode", KEY_CHOICE,
		  .offset = offsetof(struct op25b_policy, mode),
		  .names = mode_names, .n_names = ARRAY_SIZE(mode_names) },
		{ "block", KEY_CHOICE,
		  .offset = offsetof(struct op25b_policy, block),
		  .names = block_names, .n_names = ARRAY_SIZE(block_names) },
		{ "default", KEY_CALL, parse_default },
		{ "malformed", KEY_CHOICE,
		  .offset = offsetof(struct op25b_policy, malformed),
		  .names = malformed_names,
		  .n_names = ARRAY_SIZE(malformed_names) },
		{ "max_vlan_tags", KEY_UINT,
		  .offset = offsetof(struct op25b_policy, max_vlan_tags),
		  .max = OP25B_POLICY_MAX_VLAN_TAGS, .expected = "an integer" },
		{ "notice", KEY_CALL, parse_notice },
		{ "notify_rate", KEY_UINT,
		  .offset = offsetof(struct op25b_policy, notify_rate),
		  .max = OP25B_POLICY_MAX_NOTIFY_RATE,
		  .expected = "replies a second per worker," },
		{ "ports", KEY_CALL, parse_ports },
		{ "sources", KEY_CALL, parse_sources },
		{ "destinations", KEY_CALL, parse_destinations },
	};
	yaml_node_t *destinations;

	if (op25b_loader_expect(ld, root, YAML_MAPPING_NODE, "policy") < 0)
		return -1;
	if (op25b_loader_check_version(ld, root) < 0)
		return -1;
	destinations = op25b_loader_find_key(ld, root, "destinations", NULL);
	if (destinations != NULL && destinations->type == YAML_MAPPING_NODE) {
		ld->destinations = destinations;
		ld->n_group_names = op25b_node_mapping_size(destinations);
		/* Said now, at the first group too many, as the walk below
		 * would when it came to it: each name in a class's to: is
		 * looked up among these, and sources come first, so 500,000
		 * groups held the control loop for most of an hour before
		 * the refusal (a 60,000-group file: 39 s). */
		if (ld->n_group_names > OP25B_POLICY_MAX_GROUPS)
			return op25b_loader_fail(
				ld,
				op25b_loader_node(
					ld,
					destinations->data.mapping.pairs
						.start[OP25B_POLICY_MAX_GROUPS]
						.key),
				"too many groups (at most %u)",
				OP25B_POLICY_MAX_GROUPS);
	} else if (destinations != NULL && !op25b_node_is_null(destinations)) {
		/* Said at the key now: the sources' to: entries, read
		 * before it, would each name an unknown group ("no
		 * destinations are defined") instead. (A null value is no
		 * groups.) */
		return op25b_loader_expect(ld, destinations, YAML_MAPPING_NODE,
					   "destinations");
	}
	if (op25b_loader_walk_mapping(ld, root, "the policy", keys,
				      ARRAY_SIZE(keys), ld->policy) < 0)
		return -1;
	return op25b_loader_finish(ld);
}
