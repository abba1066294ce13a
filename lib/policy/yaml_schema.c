/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The schema of the policy file: one key table per mapping (the root,
 * ports, limit, a class, a group) and the handlers that fill the policy
 * from each key's value. Unknown and duplicate keys are caught by
 * op25b_loader_walk_mapping(), not here.
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

static int
parse_version_key(struct loader *ld, yaml_node_t *key, yaml_node_t *value,
		  void *ctx)
{
	(void)ld;
	(void)key;
	(void)value;
	(void)ctx;
	/* Checked before the walk: see op25b_loader_check_version(). */
	return 0;
}

/* The top-level keys whose value is one of a few names, each stored in its
 * enum of struct op25b_policy. */
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

static const struct top_choice {
	const char *key;
	const struct name_value *names;
	size_t n_names;
	size_t offset; /* of the enum in struct op25b_policy */
} top_choices[] = {
	{ "mode", mode_names, ARRAY_SIZE(mode_names),
	  offsetof(struct op25b_policy, mode) },
	{ "block", block_names, ARRAY_SIZE(block_names),
	  offsetof(struct op25b_policy, block) },
	{ "malformed", malformed_names, ARRAY_SIZE(malformed_names),
	  offsetof(struct op25b_policy, malformed) },
};

_Static_assert(sizeof(enum op25b_policy_mode) == sizeof(int) &&
		       sizeof(enum op25b_block_style) == sizeof(int) &&
		       sizeof(enum op25b_malformed_action) == sizeof(int),
	       "parse_top_choice() stores an int in each enum");

static int
parse_top_choice(struct loader *ld, yaml_node_t *key, yaml_node_t *value,
		 void *ctx)
{
	const struct top_choice *choice = top_choices;
	int v = 0;

	(void)ctx;
	/* The key table sends only the keys listed here. */
	while (!op25b_node_is(key, choice->key))
		choice++;
	if (op25b_loader_parse_choice(ld, value, choice->key, choice->names,
				      choice->n_names, &v) < 0)
		return -1;
	memcpy((char *)ld->policy + choice->offset, &v, sizeof(v));
	if (choice->names == block_names && v == OP25B_BLOCK_NOTIFY &&
	    ld->notify_node == NULL)
		ld->notify_node = value;
	return 0;
}

static int
parse_default(struct loader *ld, yaml_node_t *key, yaml_node_t *value,
	      void *ctx)
{
	(void)key;
	(void)ctx;
	return op25b_loader_parse_action(
		ld, value, "default",
		"default cannot be adaptive: it has no limit "
		"(allow|block|count)",
		&ld->policy->default_action);
}

static int
parse_max_vlan_tags(struct loader *ld, yaml_node_t *key, yaml_node_t *value,
		    void *ctx)
{
	uint64_t v;

	(void)key;
	(void)ctx;
	if (!op25b_node_parse_uint(value, OP25B_POLICY_MAX_VLAN_TAGS, &v) ||
	    v == 0)
		return op25b_loader_fail(
			ld, value,
			"bad max_vlan_tags '%s': expected an integer 1..%u",
			op25b_node_show(value).s, OP25B_POLICY_MAX_VLAN_TAGS);
	ld->policy->max_vlan_tags = (unsigned int)v;
	return 0;
}

static int
parse_notify_rate(struct loader *ld, yaml_node_t *key, yaml_node_t *value,
		  void *ctx)
{
	uint64_t v;

	(void)key;
	(void)ctx;
	if (!op25b_node_parse_uint(value, OP25B_POLICY_MAX_NOTIFY_RATE, &v) ||
	    v == 0)
		return op25b_loader_fail(
			ld, value,
			"bad notify_rate '%s': expected replies a second per "
			"worker, 1..%u",
			op25b_node_show(value).s, OP25B_POLICY_MAX_NOTIFY_RATE);
	ld->policy->notify_rate = (uint32_t)v;
	return 0;
}

/*
 * The notice becomes the text of an SMTP reply: printable ASCII only (a
 * control character could end the reply early or forge another), each
 * line a line of the reply, the whole small enough for one segment.
 * YAML's literal block (`|`) ends in a newline, which is not a line.
 */
static int
parse_notice(struct loader *ld, yaml_node_t *key, yaml_node_t *value, void *ctx)
{
	const char *text;
	size_t len, i, line_start = 0;
	unsigned int lines = 1;

	(void)key;
	(void)ctx;
	if (op25b_loader_expect(ld, value, YAML_SCALAR_NODE, "notice") < 0)
		return -1;
	text = op25b_node_text(value);
	len = value->data.scalar.length;
	if (len > 0 && text[len - 1] == '\n')
		len--;
	if (len == 0)
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
			if (i == line_start)
				return op25b_loader_fail(
					ld, value, "notice: line %u is empty",
					lines);
			if (i < len && ++lines > OP25B_POLICY_NOTICE_LINES)
				return op25b_loader_fail(
					ld, value,
					"notice has more than %d lines",
					OP25B_POLICY_NOTICE_LINES);
			line_start = i + 1;
		} else if (ch < 0x20 || ch > 0x7e) {
			return op25b_loader_fail(
				ld, value,
				"notice: character %zu (byte 0x%02x) is not "
				"printable ASCII",
				i + 1, ch);
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
parse_smtp_ports(struct loader *ld, yaml_node_t *key, yaml_node_t *value,
		 void *ctx)
{
	(void)key;
	(void)ctx;
	return parse_port_list(ld, value, "ports.smtp", &ld->smtp);
}

static int
parse_submission_ports(struct loader *ld, yaml_node_t *key, yaml_node_t *value,
		       void *ctx)
{
	(void)key;
	(void)ctx;
	return parse_port_list(ld, value, "ports.submission", &ld->submission);
}

static int
parse_ports(struct loader *ld, yaml_node_t *key, yaml_node_t *value, void *ctx)
{
	static const struct key_handler keys[] = {
		{ "smtp", parse_smtp_ports },
		{ "submission", parse_submission_ports },
	};

	(void)key;
	(void)ctx;
	if (op25b_node_is_null(value))
		return 0;
	return op25b_loader_walk_mapping(ld, value, "ports", keys,
					 ARRAY_SIZE(keys), NULL);
}

/* ---- prefixes --------------------------------------------------------- */

static int
parse_prefixes(struct loader *ld, yaml_node_t *key, yaml_node_t *value,
	       void *ctx)
{
	struct prefix_target *target = ctx;
	yaml_node_item_t *item;

	(void)key;
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
parse_prefixes_file(struct loader *ld, yaml_node_t *key, yaml_node_t *value,
		    void *ctx)
{
	struct prefix_target *target = ctx;

	(void)key;
	return op25b_loader_read_prefixes_file(ld, value, target->list,
					       target->capacity);
}

static int
parse_description(struct loader *ld, yaml_node_t *key, yaml_node_t *value,
		  void *ctx)
{
	(void)key;
	(void)ctx;
	if (op25b_node_is_null(value))
		return 0;
	return op25b_loader_expect(ld, value, YAML_SCALAR_NODE, "description");
}

/* ---- sources ---------------------------------------------------------- */

static int
parse_class_action(struct loader *ld, yaml_node_t *key, yaml_node_t *value,
		   void *ctx)
{
	struct class_ctx *c = ctx;

	(void)key;
	c->action = value;
	return op25b_loader_parse_action(ld, value, "action", NULL,
					 &c->cls->action);
}

static int
parse_class_block(struct loader *ld, yaml_node_t *key, yaml_node_t *value,
		  void *ctx)
{
	struct class_ctx *c = ctx;
	int v = 0;

	(void)key;
	if (op25b_loader_parse_choice(ld, value, "block", block_names,
				      ARRAY_SIZE(block_names), &v) < 0)
		return -1;
	c->cls->block = (enum op25b_block_style)v;
	c->cls->block_set = true;
	if (v == OP25B_BLOCK_NOTIFY && ld->notify_node == NULL)
		ld->notify_node = value;
	return 0;
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
parse_to(struct loader *ld, yaml_node_t *key, yaml_node_t *value, void *ctx)
{
	struct class_ctx *c = ctx;
	yaml_node_pair_t *pair;

	(void)key;
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
				op25b_node_text(group),
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
parse_connections(struct loader *ld, yaml_node_t *key, yaml_node_t *value,
		  void *ctx)
{
	struct op25b_adaptive_limit *limit = ctx;
	uint64_t v;

	(void)key;
	if (!op25b_node_parse_uint(value, UINT32_MAX, &v) || v == 0)
		return op25b_loader_fail(
			ld, value,
			"bad limit.connections '%s': expected an integer "
			"1..%u",
			op25b_node_show(value).s, UINT32_MAX);
	limit->connections = (uint32_t)v;
	return 0;
}

static int
parse_limit_duration(struct loader *ld, yaml_node_t *value, const char *what,
		     uint32_t *seconds)
{
	if (value->type != YAML_SCALAR_NODE ||
	    strlen(op25b_node_text(value)) != value->data.scalar.length ||
	    op25b_duration_parse(op25b_node_text(value), seconds) < 0)
		return op25b_loader_fail(
			ld, value,
			"bad limit.%s '%s': expected a duration above 0 "
			"(90, 90s, 15m, 1h, 2d)",
			what, op25b_node_show(value).s);
	return 0;
}

static int
parse_per(struct loader *ld, yaml_node_t *key, yaml_node_t *value, void *ctx)
{
	struct op25b_adaptive_limit *limit = ctx;

	(void)key;
	return parse_limit_duration(ld, value, "per", &limit->per_seconds);
}

static int
parse_block_for(struct loader *ld, yaml_node_t *key, yaml_node_t *value,
		void *ctx)
{
	struct op25b_adaptive_limit *limit = ctx;

	(void)key;
	return parse_limit_duration(ld, value, "block_for",
				    &limit->block_seconds);
}

static int
parse_limit_destinations(struct loader *ld, yaml_node_t *key,
			 yaml_node_t *value, void *ctx)
{
	struct op25b_adaptive_limit *limit = ctx;
	uint64_t v;

	(void)key;
	/* An entry of the adaptive table tells 16 destinations apart. */
	if (!op25b_node_parse_uint(value, 16, &v) || v == 0)
		return op25b_loader_fail(
			ld, value,
			"bad limit.destinations '%s': expected an integer "
			"1..16",
			op25b_node_show(value).s);
	limit->destinations = (uint32_t)v;
	return 0;
}

static int
parse_ipv6_key(struct loader *ld, yaml_node_t *key, yaml_node_t *value,
	       void *ctx)
{
	struct op25b_adaptive_limit *limit = ctx;
	const char *text = op25b_node_text(value);
	char *end = NULL;
	long v = -1;

	(void)key;
	if (value->type == YAML_SCALAR_NODE && text[0] == '/' &&
	    text[1] >= '0' && text[1] <= '9')
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
parse_limit(struct loader *ld, yaml_node_t *key, yaml_node_t *value, void *ctx)
{
	static const struct key_handler keys[] = {
		{ "connections", parse_connections },
		{ "per", parse_per },
		{ "block_for", parse_block_for },
		{ "destinations", parse_limit_destinations },
		{ "ipv6_key", parse_ipv6_key },
	};
	struct class_ctx *c = ctx;
	struct op25b_adaptive_limit *limit = &c->cls->limit;
	const char *missing;

	c->limit_key = key;
	if (op25b_loader_walk_mapping(ld, value, "limit", keys,
				      ARRAY_SIZE(keys), limit) < 0)
		return -1;
	/* Every parser above refuses 0, so 0 means absent. */
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

static int
parse_class(struct loader *ld, yaml_node_t *name, yaml_node_t *body,
	    struct op25b_policy_class *cls, size_t *capacity)
{
	static const struct key_handler keys[] = {
		{ "action", parse_class_action },
		{ "prefixes", parse_prefixes },
		{ "prefixes_file", parse_prefixes_file },
		{ "to", parse_to },
		{ "limit", parse_limit },
		{ "block", parse_class_block },
		{ "description", parse_description },
	};
	struct class_ctx c = {
		.target = { &cls->prefixes, capacity },
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
	if (cls->prefixes.count == 0 &&
	    op25b_loader_warn(
		    ld, name,
		    "class '%s' has no prefixes: it matches no source",
		    cls->name) < 0)
		return -1;
	return 0;
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
parse_sources(struct loader *ld, yaml_node_t *key, yaml_node_t *value,
	      void *ctx)
{
	struct op25b_policy *policy = ld->policy;

	(void)key;
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
parse_group_action(struct loader *ld, yaml_node_t *key, yaml_node_t *value,
		   void *ctx)
{
	struct group_ctx *g = ctx;

	(void)key;
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
		{ "action", parse_group_action },
		{ "prefixes", parse_prefixes },
		{ "prefixes_file", parse_prefixes_file },
		{ "description", parse_description },
	};
	struct group_ctx g = {
		.target = { &grp->prefixes, capacity },
		.grp = grp,
	};

	if (walk_entry(ld, body, "group", grp->name, keys, ARRAY_SIZE(keys),
		       &g) < 0)
		return -1;
	if (grp->prefixes.count == 0 &&
	    op25b_loader_warn(
		    ld, name,
		    "group '%s' has no prefixes: it matches no destination",
		    grp->name) < 0)
		return -1;
	return 0;
}

static int
parse_destination_entry(struct loader *ld, yaml_node_t *name, yaml_node_t *body,
			unsigned int index)
{
	return parse_group(ld, name, body, &ld->policy->groups[index],
			   &ld->group_capacity[index]);
}

static int
parse_destinations(struct loader *ld, yaml_node_t *key, yaml_node_t *value,
		   void *ctx)
{
	struct op25b_policy *policy = ld->policy;

	(void)key;
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
		{ "version", parse_version_key },
		{ "mode", parse_top_choice },
		{ "block", parse_top_choice },
		{ "default", parse_default },
		{ "malformed", parse_top_choice },
		{ "max_vlan_tags", parse_max_vlan_tags },
		{ "notice", parse_notice },
		{ "notify_rate", parse_notify_rate },
		{ "ports", parse_ports },
		{ "sources", parse_sources },
		{ "destinations", parse_destinations },
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
	}
	if (op25b_loader_walk_mapping(ld, root, "the policy", keys,
				      ARRAY_SIZE(keys), NULL) < 0)
		return -1;
	return op25b_loader_finish(ld);
}
