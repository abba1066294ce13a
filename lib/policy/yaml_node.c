/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The loader's view of libyaml nodes: reading scalars, checking types and
 * names, walking a mapping against a key table, and reporting an error or
 * a warning at a node (libyaml marks are 0-based, messages 1-based).
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "policy_priv.h"

struct shown
op25b_node_show(const yaml_node_t *node)
{
	struct shown out;

	if (node->type == YAML_SCALAR_NODE)
		op25b_policy_quote(out.s, sizeof(out.s),
				   node->data.scalar.value,
				   node->data.scalar.length);
	else
		snprintf(out.s, sizeof(out.s), "(%s)",
			 node->type == YAML_MAPPING_NODE ? "mapping"
							 : "sequence");
	return out;
}

static const char *
node_kind(const yaml_node_t *node)
{
	switch (node->type) {
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SEQUENCE_NODE:
		return "a sequence";
	default:
		return "a scalar";
	}
}

static int
fail_at(struct loader *ld, uint32_t line, uint32_t column, int err,
	const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

static int
fail_at(struct loader *ld, uint32_t line, uint32_t column, int err,
	const char *fmt, va_list ap)
{
	op25b_policy_error_vset(ld->error, ld->file, line, column, fmt, ap);
	ld->err = err;
	return -1;
}

int
op25b_loader_fail_at(struct loader *ld, uint32_t line, uint32_t column,
		     const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = fail_at(ld, line, column, EINVAL, fmt, ap);
	va_end(ap);
	return rc;
}

int
op25b_loader_fail_mark(struct loader *ld, const yaml_mark_t *mark,
		       const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = fail_at(ld, (uint32_t)mark->line + 1, (uint32_t)mark->column + 1,
		     EINVAL, fmt, ap);
	va_end(ap);
	return rc;
}

int
op25b_loader_fail(struct loader *ld, const yaml_node_t *node, const char *fmt,
		  ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = fail_at(ld, (uint32_t)node->start_mark.line + 1,
		     (uint32_t)node->start_mark.column + 1, EINVAL, fmt, ap);
	va_end(ap);
	return rc;
}

int
op25b_loader_fail_errno(struct loader *ld, const yaml_node_t *node, int err,
			const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = fail_at(ld, node != NULL ? (uint32_t)node->start_mark.line + 1 : 0,
		     node != NULL ? (uint32_t)node->start_mark.column + 1 : 0,
		     err, fmt, ap);
	va_end(ap);
	return rc;
}

int
op25b_loader_fail_nomem(struct loader *ld)
{
	return op25b_loader_fail_errno(ld, NULL, ENOMEM, "out of memory");
}

int
op25b_loader_warn(struct loader *ld, const yaml_node_t *node, const char *fmt,
		  ...)
{
	char message[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	if (op25b_policy_warn(
		    ld->policy, ld->file, (uint32_t)node->start_mark.line + 1,
		    (uint32_t)node->start_mark.column + 1, "%s", message) < 0)
		return op25b_loader_fail_nomem(ld);
	return 0;
}

/* Whether @p text, written plain as an item of a flow sequence, would not
 * read back as itself: an indicator first, a flow indicator, ": " or " #"
 * inside, a space at either end, a colon at the end (2001:db8::, before
 * the closing bracket). */
static bool
flow_needs_quotes(const char *text)
{
	size_t n = strlen(text);

	return n == 0 || strchr("-?:,[]{}#&*!|>'%@`", text[0]) != NULL ||
	       strpbrk(text, ",[]{}") != NULL || strstr(text, ": ") != NULL ||
	       strstr(text, " #") != NULL || text[0] == ' ' ||
	       text[n - 1] == ' ' || text[n - 1] == ':';
}

/* The flow sequence @text means, in @buf: its items split at commas
 * ("25, 2525": [25, 2525]; a one-item list quoted whole would be read as
 * one bad port or prefix), each trimmed and quoted where plain would not
 * read back (flow_needs_quotes()), empty ones left out ("25,": [25]);
 * none left: @text whole, quoted. */
static const char *
flow_hint(const char *text, char *buf, size_t size)
{
	size_t len = 0;
	const char *item = text;
	unsigned int items = 0;

	for (;;) {
		const char *end = strchr(item, ',');
		size_t n = end != NULL ? (size_t)(end - item) : strlen(item);
		char one[sizeof(((struct shown *)0)->s)];
		size_t at;
		bool quote;

		while (n > 0 && item[0] == ' ') {
			item++;
			n--;
		}
		while (n > 0 && item[n - 1] == ' ')
			n--;
		if (n > 0) {
			snprintf(one, sizeof(one), "%.*s", (int)n, item);
			quote = flow_needs_quotes(one);
			at = len < size ? len : size;
			len += (size_t)snprintf(buf + at, size - at, "%s%s%s%s",
						items++ == 0 ? "" : ", ",
						quote ? "\"" : "", one,
						quote ? "\"" : "");
		}
		if (end == NULL)
			break;
		item = end + 1;
	}
	if (items == 0)
		snprintf(buf, size, "\"%s\"", text);
	return buf;
}

int
op25b_loader_expect(struct loader *ld, const yaml_node_t *node,
		    yaml_node_type_t type, const char *what)
{
	static const char *const names[] = {
		[YAML_SCALAR_NODE] = "a scalar",
		[YAML_SEQUENCE_NODE] = "a sequence",
		[YAML_MAPPING_NODE] = "a mapping",
	};

	if (node->type == type)
		return 0;
	/* "smtp: 25" for "smtp: [25]": show the fix, quoted where YAML
	 * would not read it plain inside [...] ("::/0"). */
	if (type == YAML_SEQUENCE_NODE && node->type == YAML_SCALAR_NODE &&
	    node->data.scalar.length > 0) {
		struct shown text = op25b_node_show(node);
		char hint[2 * sizeof(text.s)];

		/* A quote or backslash in it: no hint (it would need
		 * escapes, and is no port or prefix anyway). */
		if (strpbrk(text.s, "\"\\") == NULL)
			return op25b_loader_fail(
				ld, node,
				"%s: expected %s, found %s (write [%s])", what,
				names[type], node_kind(node),
				flow_hint(text.s, hint, sizeof(hint)));
	}
	return op25b_loader_fail(ld, node, "%s: expected %s, found %s", what,
				 names[type], node_kind(node));
}

/* Decimal, no sign, no leading zero (YAML 1.1 reads 025 as octal). */
bool
op25b_node_parse_uint(const yaml_node_t *node, uint64_t max, uint64_t *out)
{
	const yaml_char_t *s;
	uint64_t v = 0;
	size_t n, i;

	if (node->type != YAML_SCALAR_NODE)
		return false;
	s = node->data.scalar.value;
	n = node->data.scalar.length;
	if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > max)
			return false;
	}
	*out = v;
	return true;
}

int
op25b_loader_parse_choice(struct loader *ld, const yaml_node_t *node,
			  const char *what, const struct name_value *choices,
			  size_t n, int *out)
{
	char expected[64] = "";
	size_t i, used = 0;

	if (op25b_loader_expect(ld, node, YAML_SCALAR_NODE, what) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (op25b_node_is(node, choices[i].name)) {
			*out = choices[i].value;
			return 0;
		}
		used += (size_t)snprintf(expected + used,
					 sizeof(expected) - used, "%s%s",
					 i > 0 ? "|" : "", choices[i].name);
	}
	if (node->data.scalar.length == 0)
		return op25b_loader_fail(ld, node, "%s: missing value (%s)",
					 what, expected);
	return op25b_loader_fail(ld, node, "unknown %s '%s' (%s)", what,
				 op25b_node_show(node).s, expected);
}

static const struct name_value action_names[] = {
	{ "allow", OP25B_ACTION_ALLOW },
	{ "block", OP25B_ACTION_BLOCK },
	{ "count", OP25B_ACTION_COUNT },
	{ "adaptive", OP25B_ACTION_ADAPTIVE }, /* keep last: see below */
};

/* An action; @p refuse_adaptive, when set, is why adaptive is wrong here
 * (it needs per-source state, so it only exists for a subscriber class). */
int
op25b_loader_parse_action(struct loader *ld, const yaml_node_t *node,
			  const char *what, const char *refuse_adaptive,
			  enum op25b_action *action)
{
	size_t n = ARRAY_SIZE(action_names);
	int v = 0;

	if (refuse_adaptive != NULL) {
		if (op25b_node_is(node, "adaptive"))
			return op25b_loader_fail(ld, node, "%s",
						 refuse_adaptive);
		n--;
	}
	if (op25b_loader_parse_choice(ld, node, what, action_names, n, &v) < 0)
		return -1;
	*action = (enum op25b_action)v;
	return 0;
}

/*
 * Walk a mapping whose keys come from @p keys: a key not in the table or
 * given twice is an error at that key; the others go to their handler in
 * file order.
 */
int
op25b_loader_walk_mapping(struct loader *ld, yaml_node_t *node,
			  const char *what, const struct key_handler *keys,
			  size_t n_keys, void *ctx)
{
	yaml_node_t *seen[OP25B_POLICY_KEYS_MAX] = { NULL };
	yaml_node_pair_t *pair;
	size_t i;

	assert(n_keys <= OP25B_POLICY_KEYS_MAX);
	if (op25b_loader_expect(ld, node, YAML_MAPPING_NODE, what) < 0)
		return -1;
	for (pair = node->data.mapping.pairs.start;
	     pair < node->data.mapping.pairs.top; pair++) {
		yaml_node_t *key = op25b_loader_node(ld, pair->key);
		yaml_node_t *value = op25b_loader_node(ld, pair->value);

		if (op25b_loader_expect(ld, key, YAML_SCALAR_NODE, "key") < 0)
			return -1;
		for (i = 0; i < n_keys; i++)
			if (op25b_node_is(key, keys[i].name))
				break;
		if (i == n_keys) {
			char allowed[256] = "";
			size_t used = 0, k;

			/* Stopped at the end of the buffer: snprintf()
			 * says what it would have written, and a list
			 * longer than the buffer (the root's is 106 bytes)
			 * took used past it, size - used wrapping. */
			for (k = 0; k < n_keys && used < sizeof(allowed); k++)
				used += (size_t)snprintf(
					allowed + used, sizeof(allowed) - used,
					"%s%s", k > 0 ? ", " : "",
					keys[k].name);
			return op25b_loader_fail(
				ld, key,
				"unknown key '%s' in %s (expected: %s)",
				op25b_node_show(key).s, what, allowed);
		}
		if (seen[i] != NULL)
			return op25b_loader_fail(
				ld, key,
				"duplicate key '%s' in %s (first at line "
				"%zu)",
				keys[i].name, what,
				seen[i]->start_mark.line + 1);
		seen[i] = key;
		ld->key = key;
		if (op25b_loader_parse_key(ld, &keys[i], value, ctx) < 0)
			return -1;
	}
	return 0;
}

/* The first earlier key of @p mapping equal to @p pair's key, if any. */
yaml_node_t *
op25b_loader_earlier_key(struct loader *ld, yaml_node_t *mapping,
			 yaml_node_pair_t *pair)
{
	yaml_node_t *key = op25b_loader_node(ld, pair->key);
	yaml_node_pair_t *p;

	for (p = mapping->data.mapping.pairs.start; p < pair; p++) {
		yaml_node_t *k = op25b_loader_node(ld, p->key);

		if (op25b_node_same(k, key))
			return k;
	}
	return NULL;
}

static bool
valid_name(const yaml_node_t *node)
{
	size_t n = node->data.scalar.length, i;

	if (n == 0 || n >= OP25B_POLICY_NAME_MAX)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = node->data.scalar.value[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		      c == '-'))
			return false;
	}
	return true;
}

/* The key of a class or a group: a valid name, not seen before in
 * @p mapping. */
int
op25b_loader_check_entry_name(struct loader *ld, yaml_node_t *mapping,
			      yaml_node_pair_t *pair, const char *kind)
{
	yaml_node_t *key = op25b_loader_node(ld, pair->key);
	yaml_node_t *first;

	if (op25b_loader_expect(ld, key, YAML_SCALAR_NODE, "key") < 0)
		return -1;
	if (!valid_name(key))
		return op25b_loader_fail(
			ld, key,
			"invalid %s name '%s': use 1 to %d letters, "
			"digits, '_', '.' or '-'",
			kind, op25b_node_show(key).s,
			OP25B_POLICY_NAME_MAX - 1);
	first = op25b_loader_earlier_key(ld, mapping, pair);
	if (first != NULL)
		return op25b_loader_fail(
			ld, key, "duplicate %s '%s' (first at line %zu)", kind,
			op25b_node_text(key), first->start_mark.line + 1);
	return 0;
}

yaml_node_t *
op25b_loader_find_key(struct loader *ld, yaml_node_t *mapping, const char *name,
		      yaml_node_t **key)
{
	yaml_node_pair_t *pair;

	for (pair = mapping->data.mapping.pairs.start;
	     pair < mapping->data.mapping.pairs.top; pair++) {
		if (op25b_node_is(op25b_loader_node(ld, pair->key), name)) {
			if (key != NULL)
				*key = op25b_loader_node(ld, pair->key);
			return op25b_loader_node(ld, pair->value);
		}
	}
	return NULL;
}
