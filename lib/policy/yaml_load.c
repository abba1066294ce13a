/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The policy file (YAML, version 1) into a struct op25b_policy.
 *
 * libyaml builds the node tree; this file walks it against the schema with
 * one key table per mapping, so that unknown and duplicate keys are caught in
 * one place. Every error points at the node that caused it (libyaml marks
 * are 0-based, messages 1-based) and nothing is returned unless the whole
 * file is valid.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "policy_priv.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The most keys a mapping of the schema has (the root has 9). */
#define KEYS_MAX 16

struct port_list {
	uint16_t ports[OP25B_POLICY_MAX_PORTS];
	unsigned int n;
	yaml_node_t *node; /* the sequence; NULL: the default applies */
};

struct loader {
	struct op25b_policy_owned *owned;
	struct op25b_policy *policy;
	yaml_document_t *doc;
	const char *file;     /* the policy file, as named in messages */
	const char *base_dir; /* for relative prefixes_file; NULL: cwd */
	struct op25b_policy_error *error;
	int err;              /* errno to return once an error is filled */
	/* to: entries name groups that may be defined further down the file:
	 * they are looked up among the keys of this mapping, whose order is
	 * the order of policy->groups. */
	yaml_node_t *destinations;
	unsigned int n_group_names;
	struct port_list smtp, submission;
	size_t class_capacity[OP25B_POLICY_MAX_CLASSES];
	size_t group_capacity[OP25B_POLICY_MAX_GROUPS];
};

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

typedef int (*op25b_key_parse_fn_t)(struct loader *ld, yaml_node_t *key,
				    yaml_node_t *value, void *ctx);

struct key_handler {
	const char *name;
	op25b_key_parse_fn_t parse;
};

struct name_value {
	const char *name;
	int value;
};

/* A value from the file, fit to quote in a message. C11 keeps the
 * temporary alive until the end of the enclosing printf. */
struct shown {
	char s[OP25B_POLICY_QUOTE_MAX + 4];
};

static struct shown
show(const yaml_node_t *node)
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
fail_at(struct loader *ld, const char *file, uint32_t line, uint32_t column,
	int err, const char *fmt, va_list ap)
	__attribute__((format(printf, 6, 0)));

static int
fail_at(struct loader *ld, const char *file, uint32_t line, uint32_t column,
	int err, const char *fmt, va_list ap)
{
	snprintf(ld->error->file, sizeof(ld->error->file), "%s", file);
	ld->error->line = line;
	ld->error->column = column;
	vsnprintf(ld->error->message, sizeof(ld->error->message), fmt, ap);
	ld->err = err;
	return -1;
}

/* Report an error at @p node of the policy file; always returns -1. */
static int
fail(struct loader *ld, const yaml_node_t *node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
fail(struct loader *ld, const yaml_node_t *node, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = fail_at(ld, ld->file, (uint32_t)node->start_mark.line + 1,
		     (uint32_t)node->start_mark.column + 1, EINVAL, fmt, ap);
	va_end(ap);
	return rc;
}

static int
fail_errno(struct loader *ld, const yaml_node_t *node, int err,
	   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
fail_errno(struct loader *ld, const yaml_node_t *node, int err,
	   const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = fail_at(ld, ld->file,
		     node != NULL ? (uint32_t)node->start_mark.line + 1 : 0,
		     node != NULL ? (uint32_t)node->start_mark.column + 1 : 0,
		     err, fmt, ap);
	va_end(ap);
	return rc;
}

static int
fail_nomem(struct loader *ld)
{
	return fail_errno(ld, NULL, ENOMEM, "out of memory");
}

static int
warn(struct loader *ld, const yaml_node_t *node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
warn(struct loader *ld, const yaml_node_t *node, const char *fmt, ...)
{
	char message[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	if (op25b_policy_warn(ld->policy, ld->file,
			      (uint32_t)node->start_mark.line + 1,
			      (uint32_t)node->start_mark.column + 1, "%s",
			      message) < 0)
		return fail_nomem(ld);
	return 0;
}

static yaml_node_t *
node_at(struct loader *ld, int index)
{
	return yaml_document_get_node(ld->doc, index);
}

static const char *
scalar(const yaml_node_t *node)
{
	return (const char *)node->data.scalar.value;
}

static bool
scalar_is(const yaml_node_t *node, const char *text)
{
	size_t len = strlen(text);

	return node->type == YAML_SCALAR_NODE &&
	       node->data.scalar.length == len &&
	       memcmp(node->data.scalar.value, text, len) == 0;
}

static bool
same_scalar(const yaml_node_t *a, const yaml_node_t *b)
{
	return a->type == YAML_SCALAR_NODE && b->type == YAML_SCALAR_NODE &&
	       a->data.scalar.length == b->data.scalar.length &&
	       memcmp(a->data.scalar.value, b->data.scalar.value,
		      a->data.scalar.length) == 0;
}

/* "key:" with nothing after it, or ~ / null: an empty container. */
static bool
is_null(const yaml_node_t *node)
{
	return node->type == YAML_SCALAR_NODE &&
	       node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       (node->data.scalar.length == 0 || scalar_is(node, "~") ||
		scalar_is(node, "null") || scalar_is(node, "Null") ||
		scalar_is(node, "NULL"));
}

static int
expect(struct loader *ld, const yaml_node_t *node, yaml_node_type_t type,
       const char *what)
{
	static const char *const names[] = {
		[YAML_SCALAR_NODE] = "a scalar",
		[YAML_SEQUENCE_NODE] = "a sequence",
		[YAML_MAPPING_NODE] = "a mapping",
	};

	if (node->type == type)
		return 0;
	return fail(ld, node, "%s: expected %s, found %s", what, names[type],
		    node_kind(node));
}

/* Decimal, no sign, no leading zero (YAML 1.1 reads 025 as octal). */
static bool
parse_uint(const yaml_node_t *node, uint64_t max, uint64_t *out)
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

static int
parse_choice(struct loader *ld, const yaml_node_t *node, const char *what,
	     const struct name_value *choices, size_t n, int *out)
{
	char expected[64] = "";
	size_t i, used = 0;

	if (expect(ld, node, YAML_SCALAR_NODE, what) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (scalar_is(node, choices[i].name)) {
			*out = choices[i].value;
			return 0;
		}
		used += (size_t)snprintf(expected + used,
					 sizeof(expected) - used, "%s%s",
					 i > 0 ? "|" : "", choices[i].name);
	}
	if (node->data.scalar.length == 0)
		return fail(ld, node, "%s: missing value (%s)", what,
			    expected);
	return fail(ld, node, "unknown %s '%s' (%s)", what, show(node).s,
		    expected);
}

static const struct name_value action_names[] = {
	{ "allow", OP25B_ACTION_ALLOW },
	{ "block", OP25B_ACTION_BLOCK },
	{ "count", OP25B_ACTION_COUNT },
	{ "adaptive", OP25B_ACTION_ADAPTIVE }, /* keep last: see below */
};

/* An action; @p refuse_adaptive, when set, is why adaptive is wrong here
 * (it needs per-source state, so it only exists for a subscriber class). */
static int
parse_action(struct loader *ld, const yaml_node_t *node, const char *what,
	     const char *refuse_adaptive, enum op25b_action *action)
{
	size_t n = ARRAY_SIZE(action_names);
	int v = 0;

	if (refuse_adaptive != NULL) {
		if (scalar_is(node, "adaptive"))
			return fail(ld, node, "%s", refuse_adaptive);
		n--;
	}
	if (parse_choice(ld, node, what, action_names, n, &v) < 0)
		return -1;
	*action = (enum op25b_action)v;
	return 0;
}

/*
 * Walk a mapping whose keys come from @p keys: a key not in the table or
 * given twice is an error at that key; the others go to their handler in
 * file order.
 */
static int
walk_mapping(struct loader *ld, yaml_node_t *node, const char *what,
	     const struct key_handler *keys, size_t n_keys, void *ctx)
{
	yaml_node_t *seen[KEYS_MAX] = { NULL };
	yaml_node_pair_t *pair;
	size_t i;

	assert(n_keys <= KEYS_MAX);
	if (expect(ld, node, YAML_MAPPING_NODE, what) < 0)
		return -1;
	for (pair = node->data.mapping.pairs.start;
	     pair < node->data.mapping.pairs.top; pair++) {
		yaml_node_t *key = node_at(ld, pair->key);
		yaml_node_t *value = node_at(ld, pair->value);

		if (expect(ld, key, YAML_SCALAR_NODE, "key") < 0)
			return -1;
		for (i = 0; i < n_keys; i++)
			if (scalar_is(key, keys[i].name))
				break;
		if (i == n_keys) {
			char allowed[128] = "";
			size_t used = 0, k;

			for (k = 0; k < n_keys; k++)
				used += (size_t)snprintf(
					allowed + used, sizeof(allowed) - used,
					"%s%s", k > 0 ? ", " : "",
					keys[k].name);
			return fail(ld, key,
				    "unknown key '%s' in %s (expected: %s)",
				    show(key).s, what, allowed);
		}
		if (seen[i] != NULL)
			return fail(ld, key,
				    "duplicate key '%s' in %s (first at line "
				    "%zu)",
				    keys[i].name, what,
				    seen[i]->start_mark.line + 1);
		seen[i] = key;
		if (keys[i].parse(ld, key, value, ctx) < 0)
			return -1;
	}
	return 0;
}

/* The first earlier key of @p mapping equal to @p pair's key, if any. */
static yaml_node_t *
earlier_key(struct loader *ld, yaml_node_t *mapping, yaml_node_pair_t *pair)
{
	yaml_node_t *key = node_at(ld, pair->key);
	yaml_node_pair_t *p;

	for (p = mapping->data.mapping.pairs.start; p < pair; p++) {
		yaml_node_t *k = node_at(ld, p->key);

		if (same_scalar(k, key))
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
static int
check_entry_name(struct loader *ld, yaml_node_t *mapping,
		 yaml_node_pair_t *pair, const char *kind)
{
	yaml_node_t *key = node_at(ld, pair->key);
	yaml_node_t *first;

	if (expect(ld, key, YAML_SCALAR_NODE, "key") < 0)
		return -1;
	if (!valid_name(key))
		return fail(ld, key,
			    "invalid %s name '%s': use 1 to %d letters, "
			    "digits, '_', '.' or '-'",
			    kind, show(key).s, OP25B_POLICY_NAME_MAX - 1);
	first = earlier_key(ld, mapping, pair);
	if (first != NULL)
		return fail(ld, key,
			    "duplicate %s '%s' (first at line %zu)", kind,
			    scalar(key), first->start_mark.line + 1);
	return 0;
}

/* ---- top-level scalars ------------------------------------------------ */

static int
parse_version_key(struct loader *ld, yaml_node_t *key, yaml_node_t *value,
		  void *ctx)
{
	(void)ld;
	(void)key;
	(void)value;
	(void)ctx;
	/* Checked before the walk: see check_version(). */
	return 0;
}

static int
parse_mode(struct loader *ld, yaml_node_t *key, yaml_node_t *value,
	   void *ctx)
{
	static const struct name_value names[] = {
		{ "enforce", OP25B_MODE_ENFORCE },
		{ "monitor", OP25B_MODE_MONITOR },
	};
	int v = 0;

	(void)key;
	(void)ctx;
	if (parse_choice(ld, value, "mode", names, ARRAY_SIZE(names), &v) < 0)
		return -1;
	ld->policy->mode = (enum op25b_policy_mode)v;
	return 0;
}

static int
parse_block(struct loader *ld, yaml_node_t *key, yaml_node_t *value,
	    void *ctx)
{
	static const struct name_value names[] = {
		{ "drop", OP25B_BLOCK_DROP },
		{ "reset", OP25B_BLOCK_RESET },
	};
	int v = 0;

	(void)key;
	(void)ctx;
	if (parse_choice(ld, value, "block", names, ARRAY_SIZE(names), &v) < 0)
		return -1;
	ld->policy->block = (enum op25b_block_style)v;
	return 0;
}

static int
parse_default(struct loader *ld, yaml_node_t *key, yaml_node_t *value,
	      void *ctx)
{
	(void)key;
	(void)ctx;
	return parse_action(ld, value, "default",
			    "default cannot be adaptive: it has no limit "
			    "(allow|block|count)",
			    &ld->policy->default_action);
}

static int
parse_malformed(struct loader *ld, yaml_node_t *key, yaml_node_t *value,
		void *ctx)
{
	static const struct name_value names[] = {
		{ "drop", OP25B_MALFORMED_DROP },
		{ "forward", OP25B_MALFORMED_FORWARD },
	};
	int v = 0;

	(void)key;
	(void)ctx;
	if (parse_choice(ld, value, "malformed", names, ARRAY_SIZE(names),
			 &v) < 0)
		return -1;
	ld->policy->malformed = (enum op25b_malformed_action)v;
	return 0;
}

static int
parse_max_vlan_tags(struct loader *ld, yaml_node_t *key, yaml_node_t *value,
		    void *ctx)
{
	uint64_t v;

	(void)key;
	(void)ctx;
	if (!parse_uint(value, OP25B_POLICY_MAX_VLAN_TAGS, &v) || v == 0)
		return fail(ld, value,
			    "bad max_vlan_tags '%s': expected an integer 1..%u",
			    show(value).s, OP25B_POLICY_MAX_VLAN_TAGS);
	ld->policy->max_vlan_tags = (unsigned int)v;
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
	if (is_null(value))
		return 0;
	if (expect(ld, value, YAML_SEQUENCE_NODE, what) < 0)
		return -1;
	for (item = value->data.sequence.items.start;
	     item < value->data.sequence.items.top; item++) {
		yaml_node_t *node = node_at(ld, *item);
		uint64_t port;
		unsigned int i;

		if (!parse_uint(node, 65535, &port) || port == 0)
			return fail(ld, node,
				    "bad port '%s' in %s: expected an integer "
				    "1..65535",
				    show(node).s, what);
		for (i = 0; i < list->n; i++)
			if (list->ports[i] == port)
				return fail(ld, node,
					    "port %u is listed twice in %s",
					    (unsigned int)port, what);
		if (list->n == OP25B_POLICY_MAX_PORTS)
			return fail(ld, node, "too many ports in %s (at most "
				    "%d)", what, OP25B_POLICY_MAX_PORTS);
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
parse_submission_ports(struct loader *ld, yaml_node_t *key,
		       yaml_node_t *value, void *ctx)
{
	(void)key;
	(void)ctx;
	return parse_port_list(ld, value, "ports.submission", &ld->submission);
}

/* The node of @p port in an explicit list, for pointing at it. */
static yaml_node_t *
port_node(struct loader *ld, const struct port_list *list, uint16_t port)
{
	yaml_node_item_t *items;
	unsigned int i;

	if (list->node == NULL)
		return NULL;
	/* Every item became a port, so item i is port i. */
	items = list->node->data.sequence.items.start;
	for (i = 0; i < list->n; i++)
		if (list->ports[i] == port)
			return node_at(ld, items[i]);
	return NULL;
}

/* A port is either SMTP (classified) or submission (always forwarded). */
static int
check_port_overlap(struct loader *ld)
{
	unsigned int i, j;

	for (i = 0; i < ld->smtp.n; i++) {
		for (j = 0; j < ld->submission.n; j++) {
			uint16_t port = ld->smtp.ports[i];
			yaml_node_t *in_smtp, *in_submission;

			if (port != ld->submission.ports[j])
				continue;
			in_smtp = port_node(ld, &ld->smtp, port);
			in_submission = port_node(ld, &ld->submission, port);
			if (in_submission == NULL)
				return fail(ld, in_smtp,
					    "port %u is both smtp and "
					    "submission (submission defaults "
					    "to 587 and 465: set "
					    "ports.submission)",
					    port);
			if (in_smtp == NULL)
				return fail(ld, in_submission,
					    "port %u is both smtp and "
					    "submission (smtp defaults to 25: "
					    "set ports.smtp)",
					    port);
			/* Point at whichever the reader meets second. */
			if (in_smtp->start_mark.index <
			    in_submission->start_mark.index)
				return fail(ld, in_submission,
					    "port %u is both smtp and "
					    "submission (smtp at line %zu)",
					    port, in_smtp->start_mark.line + 1);
			return fail(ld, in_smtp,
				    "port %u is both smtp and submission "
				    "(submission at line %zu)",
				    port, in_submission->start_mark.line + 1);
		}
	}
	return 0;
}

static int
parse_ports(struct loader *ld, yaml_node_t *key, yaml_node_t *value,
	    void *ctx)
{
	static const struct key_handler keys[] = {
		{ "smtp", parse_smtp_ports },
		{ "submission", parse_submission_ports },
	};

	(void)key;
	(void)ctx;
	if (is_null(value))
		return 0;
	return walk_mapping(ld, value, "ports", keys, ARRAY_SIZE(keys), NULL);
}

/* ---- prefixes --------------------------------------------------------- */

static int
parse_prefixes(struct loader *ld, yaml_node_t *key, yaml_node_t *value,
	       void *ctx)
{
	struct prefix_target *target = ctx;
	yaml_node_item_t *item;

	(void)key;
	if (is_null(value))
		return 0;
	if (expect(ld, value, YAML_SEQUENCE_NODE, "prefixes") < 0)
		return -1;
	for (item = value->data.sequence.items.start;
	     item < value->data.sequence.items.top; item++) {
		yaml_node_t *node = node_at(ld, *item);
		struct op25b_prefix *slot;
		const char *why;

		if (expect(ld, node, YAML_SCALAR_NODE, "prefixes") < 0)
			return -1;
		slot = op25b_prefix_list_push(target->list, target->capacity);
		if (slot == NULL)
			return fail_nomem(ld);
		if (op25b_prefix_parse_text(scalar(node),
					    node->data.scalar.length, slot,
					    &why) < 0) {
			char message[sizeof(ld->error->message)];

			op25b_prefix_error_message(message, sizeof(message),
						   scalar(node),
						   node->data.scalar.length,
						   slot, why);
			target->list->count--;
			return fail(ld, node, "%s", message);
		}
		slot->file = ld->file;
		slot->line = (uint32_t)node->start_mark.line + 1;
		slot->column = (uint32_t)node->start_mark.column + 1;
	}
	return 0;
}

/* Larger than any real policy or pool list (a million prefixes is ~20 MB):
 * a bound, so that a prefixes_file naming /dev/zero fails instead of
 * eating all memory. */
#define POLICY_FILE_MAX (256u << 20)

/* Read a whole file; @return 0, or -errno (EISDIR for a directory, EFBIG
 * past POLICY_FILE_MAX). */
static int
read_file(const char *path, char **text, size_t *len)
{
	size_t size = 0, capacity;
	struct stat st;
	char *buf = NULL;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		err = -errno;
		goto close_fd;
	}
	if (S_ISDIR(st.st_mode)) {
		err = -EISDIR;
		goto close_fd;
	}
	/* st_size is a hint: a pipe or /proc file says 0 and still has data. */
	capacity = S_ISREG(st.st_mode) && st.st_size > 0
			   ? (size_t)st.st_size + 1
			   : 65536;
	for (;;) {
		ssize_t got;

		if (size + 1 >= capacity || buf == NULL) {
			char *grown;

			if (buf != NULL)
				capacity *= 2;
			grown = realloc(buf, capacity);
			if (grown == NULL) {
				err = -ENOMEM;
				goto free_buf;
			}
			buf = grown;
		}
		got = read(fd, buf + size, capacity - size - 1);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			goto free_buf;
		}
		if (got == 0)
			break;
		size += (size_t)got;
		if (size > POLICY_FILE_MAX) {
			err = -EFBIG;
			goto free_buf;
		}
	}
	buf[size] = '\0';
	close(fd);
	*text = buf;
	*len = size;
	return 0;

free_buf:
	free(buf);
close_fd:
	close(fd);
	return err;
}

/* Keep @p path for the policy's lifetime: its prefixes point at it. */
static int
own_file_name(struct loader *ld, char *path)
{
	struct op25b_policy_owned *owned = ld->owned;
	char **grown;

	grown = realloc(owned->files, (owned->n_files + 1) * sizeof(*grown));
	if (grown == NULL)
		return -ENOMEM;
	owned->files = grown;
	owned->files[owned->n_files++] = path;
	return 0;
}

static int
parse_prefixes_file(struct loader *ld, yaml_node_t *key, yaml_node_t *value,
		    void *ctx)
{
	struct prefix_target *target = ctx;
	char *path, *text;
	size_t len;
	int rc;

	(void)key;
	if (expect(ld, value, YAML_SCALAR_NODE, "prefixes_file") < 0)
		return -1;
	if (value->data.scalar.length == 0 ||
	    strlen(scalar(value)) != value->data.scalar.length)
		return fail(ld, value, "prefixes_file: expected a file name");
	if (scalar(value)[0] == '/' || ld->base_dir == NULL)
		path = strdup(scalar(value));
	else if (asprintf(&path, "%s%s%s", ld->base_dir,
			  ld->base_dir[strlen(ld->base_dir) - 1] == '/' ? ""
									: "/",
			  scalar(value)) < 0)
		path = NULL;
	if (path == NULL)
		return fail_nomem(ld);
	if (own_file_name(ld, path) < 0) {
		free(path);
		return fail_nomem(ld);
	}
	rc = read_file(path, &text, &len);
	if (rc < 0)
		return fail_errno(ld, value, -rc,
				  "cannot read prefixes_file %s: %s", path,
				  strerror(-rc));
	rc = op25b_prefix_file_parse(path, text, len, target->list,
				     target->capacity, ld->error);
	free(text);
	if (rc == -ENOMEM)
		return fail_nomem(ld);
	if (rc < 0) {
		ld->err = -rc;
		return -1;
	}
	return 0;
}

static int
parse_description(struct loader *ld, yaml_node_t *key, yaml_node_t *value,
		  void *ctx)
{
	(void)key;
	(void)ctx;
	if (is_null(value))
		return 0;
	return expect(ld, value, YAML_SCALAR_NODE, "description");
}

/* ---- sources ---------------------------------------------------------- */

static int
parse_class_action(struct loader *ld, yaml_node_t *key, yaml_node_t *value,
		   void *ctx)
{
	struct class_ctx *c = ctx;

	(void)key;
	c->action = value;
	return parse_action(ld, value, "action", NULL, &c->cls->action);
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
		if (same_scalar(node_at(ld, pair->key), name))
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
		return fail(ld, key,
			    "unknown group '%s' in to: (no destinations are "
			    "defined)",
			    show(key).s);
	for (pair = ld->destinations->data.mapping.pairs.start;
	     pair < ld->destinations->data.mapping.pairs.top &&
	     used < sizeof(groups);
	     pair++) {
		yaml_node_t *name = node_at(ld, pair->key);

		if (name->type == YAML_SCALAR_NODE)
			used += (size_t)snprintf(groups + used,
						 sizeof(groups) - used,
						 "%s%s", used > 0 ? ", " : "",
						 show(name).s);
	}
	return fail(ld, key, "unknown group '%s' in to: (groups: %s)",
		    show(key).s, groups);
}

static int
parse_to(struct loader *ld, yaml_node_t *key, yaml_node_t *value, void *ctx)
{
	struct class_ctx *c = ctx;
	yaml_node_pair_t *pair;

	(void)key;
	if (is_null(value))
		return 0;
	if (expect(ld, value, YAML_MAPPING_NODE, "to") < 0)
		return -1;
	for (pair = value->data.mapping.pairs.start;
	     pair < value->data.mapping.pairs.top; pair++) {
		yaml_node_t *group = node_at(ld, pair->key);
		yaml_node_t *first;
		int g;

		if (expect(ld, group, YAML_SCALAR_NODE, "key") < 0)
			return -1;
		g = group_index(ld, group);
		if (g < 0)
			return unknown_group(ld, group);
		first = earlier_key(ld, value, pair);
		if (first != NULL)
			return fail(ld, group,
				    "duplicate key '%s' in to (first at line "
				    "%zu)",
				    scalar(group), first->start_mark.line + 1);
		if (parse_action(ld, node_at(ld, pair->value), "action",
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
	if (!parse_uint(value, UINT32_MAX, &v) || v == 0)
		return fail(ld, value,
			    "bad limit.connections '%s': expected an integer "
			    "1..%u",
			    show(value).s, UINT32_MAX);
	limit->connections = (uint32_t)v;
	return 0;
}

static int
parse_limit_duration(struct loader *ld, yaml_node_t *value, const char *what,
		     uint32_t *seconds)
{
	if (value->type != YAML_SCALAR_NODE ||
	    strlen(scalar(value)) != value->data.scalar.length ||
	    op25b_duration_parse(scalar(value), seconds) < 0)
		return fail(ld, value,
			    "bad limit.%s '%s': expected a duration above 0 "
			    "(90, 90s, 15m, 1h, 2d)",
			    what, show(value).s);
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
parse_limit(struct loader *ld, yaml_node_t *key, yaml_node_t *value,
	    void *ctx)
{
	static const struct key_handler keys[] = {
		{ "connections", parse_connections },
		{ "per", parse_per },
		{ "block_for", parse_block_for },
	};
	struct class_ctx *c = ctx;
	struct op25b_adaptive_limit *limit = &c->cls->limit;
	const char *missing;

	c->limit_key = key;
	if (walk_mapping(ld, value, "limit", keys, ARRAY_SIZE(keys), limit) <
	    0)
		return -1;
	/* Every parser above refuses 0, so 0 means absent. */
	missing = limit->connections == 0   ? "connections"
		  : limit->per_seconds == 0 ? "per"
		  : limit->block_seconds == 0 ? "block_for"
					      : NULL;
	if (missing != NULL)
		return fail(ld, value,
			    "limit: missing %s (limit: {connections: N, per: "
			    "DURATION, block_for: DURATION})",
			    missing);
	return 0;
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
		{ "description", parse_description },
	};
	struct class_ctx c = {
		.target = { &cls->prefixes, capacity },
		.cls = cls,
	};
	char what[OP25B_POLICY_NAME_MAX + 16];

	snprintf(what, sizeof(what), "class '%s'", cls->name);
	if (!is_null(body) &&
	    walk_mapping(ld, body, what, keys, ARRAY_SIZE(keys), &c) < 0)
		return -1;
	if (c.action == NULL)
		return fail(ld, name,
			    "class '%s' has no action "
			    "(allow|block|count|adaptive)",
			    cls->name);
	if (cls->action == OP25B_ACTION_ADAPTIVE && c.limit_key == NULL)
		return fail(ld, c.action,
			    "action adaptive needs a limit: {connections: N, "
			    "per: DURATION, block_for: DURATION}");
	if (cls->action != OP25B_ACTION_ADAPTIVE && c.limit_key != NULL)
		return fail(ld, c.limit_key,
			    "limit applies only to action adaptive (class "
			    "'%s' is %s)",
			    cls->name, op25b_action_name(cls->action));
	if (cls->prefixes.count == 0 &&
	    warn(ld, name, "class '%s' has no prefixes: it matches no source",
		 cls->name) < 0)
		return -1;
	if (cls->action == OP25B_ACTION_ADAPTIVE &&
	    warn(ld, c.action,
		 "class '%s': adaptive is not enforced yet: acts as allow",
		 cls->name) < 0)
		return -1;
	return 0;
}

static unsigned int
mapping_size(const yaml_node_t *node)
{
	return (unsigned int)(node->data.mapping.pairs.top -
			      node->data.mapping.pairs.start);
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

/* Returns the zeroed array (NULL after fail()). */
static void *
alloc_entries(struct loader *ld, yaml_node_t *value, const char *section,
	      unsigned int max, size_t entry_size)
{
	unsigned int n;
	void *entries;

	if (expect(ld, value, YAML_MAPPING_NODE, section) < 0)
		return NULL;
	n = mapping_size(value);
	if (n > max)
		n = max;
	entries = calloc(n > 0 ? n : 1, entry_size);
	if (entries == NULL)
		fail_nomem(ld);
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
		yaml_node_t *name = node_at(ld, pair->key);

		if (*count == max)
			return fail(ld, name, "too many %s (at most %u)", kinds,
				    max);
		if (check_entry_name(ld, value, pair, kind) < 0)
			return -1;
		memcpy((char *)entries + (size_t)*count * entry_size,
		       scalar(name), name->data.scalar.length);
		(*count)++;
		if (parse_entry(ld, name, node_at(ld, pair->value),
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
		return fail_nomem(ld);
	return parse_class(ld, name, body, cls, &ld->class_capacity[index]);
}

static int
parse_sources(struct loader *ld, yaml_node_t *key, yaml_node_t *value,
	      void *ctx)
{
	struct op25b_policy *policy = ld->policy;

	(void)key;
	(void)ctx;
	if (is_null(value))
		return 0;
	free(policy->classes);
	policy->classes = alloc_entries(ld, value, "sources",
					OP25B_POLICY_MAX_CLASSES,
					sizeof(*policy->classes));
	if (policy->classes == NULL)
		return -1;
	return parse_named_entries(ld, value, "class", "classes",
				   OP25B_POLICY_MAX_CLASSES, policy->classes,
				   sizeof(*policy->classes),
				   &policy->n_classes, parse_source_entry);
}

/* ---- destinations ----------------------------------------------------- */

static int
parse_group_action(struct loader *ld, yaml_node_t *key, yaml_node_t *value,
		   void *ctx)
{
	struct group_ctx *g = ctx;

	(void)key;
	return parse_action(ld, value, "action",
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
	char what[OP25B_POLICY_NAME_MAX + 16];

	snprintf(what, sizeof(what), "group '%s'", grp->name);
	if (!is_null(body) &&
	    walk_mapping(ld, body, what, keys, ARRAY_SIZE(keys), &g) < 0)
		return -1;
	if (grp->prefixes.count == 0 &&
	    warn(ld, name,
		 "group '%s' has no prefixes: it matches no destination",
		 grp->name) < 0)
		return -1;
	return 0;
}

static int
parse_destination_entry(struct loader *ld, yaml_node_t *name,
			yaml_node_t *body, unsigned int index)
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
	if (is_null(value))
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

/* ---- the document ----------------------------------------------------- */

static yaml_node_t *
find_key(struct loader *ld, yaml_node_t *mapping, const char *name,
	 yaml_node_t **key)
{
	yaml_node_pair_t *pair;

	for (pair = mapping->data.mapping.pairs.start;
	     pair < mapping->data.mapping.pairs.top; pair++) {
		if (scalar_is(node_at(ld, pair->key), name)) {
			if (key != NULL)
				*key = node_at(ld, pair->key);
			return node_at(ld, pair->value);
		}
	}
	return NULL;
}

/* First of all: a file of another version fails on its version, not on
 * whatever key that version added. */
static int
check_version(struct loader *ld, yaml_node_t *root)
{
	yaml_node_t *value = find_key(ld, root, "version", NULL);
	uint64_t v;

	if (value == NULL)
		return fail(ld, root, "missing version: 1 (the policy format)");
	if (expect(ld, value, YAML_SCALAR_NODE, "version") < 0)
		return -1;
	if (!parse_uint(value, UINT32_MAX, &v))
		return fail(ld, value,
			    "bad version '%s': expected an integer (1)",
			    show(value).s);
	if (v != 1)
		return fail(ld, value,
			    "unsupported version %u: this op25b reads "
			    "version 1",
			    (unsigned int)v);
	ld->policy->version = 1;
	return 0;
}

static int
check_duplicates(struct loader *ld)
{
	const struct op25b_prefix_list *lists[OP25B_POLICY_MAX_CLASSES +
					      OP25B_POLICY_MAX_GROUPS];
	struct op25b_policy *policy = ld->policy;
	struct op25b_prefix_duplicate dup;
	char text[64];
	unsigned int i;
	int side, rc;

	/* A prefix may be once among sources and once among destinations:
	 * the two sides are different tables. */
	for (side = 0; side < 2; side++) {
		unsigned int n = side == 0 ? policy->n_classes
					   : policy->n_groups;

		for (i = 0; i < n; i++)
			lists[i] = side == 0 ? &policy->classes[i].prefixes
					     : &policy->groups[i].prefixes;
		rc = op25b_prefix_find_duplicate(lists, n, &dup);
		if (rc < 0)
			return fail_nomem(ld);
		if (rc == 0)
			continue;
		op25b_prefix_format(dup.later, text, sizeof(text));
		snprintf(ld->error->file, sizeof(ld->error->file), "%s",
			 dup.later->file);
		ld->error->line = dup.later->line;
		ld->error->column = dup.later->column;
		snprintf(ld->error->message, sizeof(ld->error->message),
			 "duplicate prefix %s: already in %s '%s' at %s:%u:%u",
			 text, side == 0 ? "class" : "group",
			 side == 0 ? policy->classes[dup.first_list].name
				   : policy->groups[dup.first_list].name,
			 dup.first->file, dup.first->line, dup.first->column);
		ld->err = EINVAL;
		return -1;
	}
	return 0;
}

/* Give back the spare room of the geometric growth: the policy lives as long
 * as the appliance runs. */
static void
shrink_list(struct op25b_prefix_list *list)
{
	struct op25b_prefix *exact;

	if (list->count == 0) {
		free(list->prefixes);
		list->prefixes = NULL;
		return;
	}
	exact = realloc(list->prefixes, list->count * sizeof(*exact));
	if (exact != NULL)
		list->prefixes = exact;
}

static int
finish(struct loader *ld)
{
	static const uint16_t default_smtp[] = { 25 };
	static const uint16_t default_submission[] = { 587, 465 };
	struct op25b_policy *policy = ld->policy;
	unsigned int i;

	if (ld->smtp.node == NULL) {
		memcpy(ld->smtp.ports, default_smtp, sizeof(default_smtp));
		ld->smtp.n = ARRAY_SIZE(default_smtp);
	}
	if (ld->submission.node == NULL) {
		memcpy(ld->submission.ports, default_submission,
		       sizeof(default_submission));
		ld->submission.n = ARRAY_SIZE(default_submission);
	}
	if (check_port_overlap(ld) < 0)
		return -1;
	memcpy(policy->smtp_ports, ld->smtp.ports,
	       ld->smtp.n * sizeof(ld->smtp.ports[0]));
	policy->n_smtp_ports = ld->smtp.n;
	memcpy(policy->submission_ports, ld->submission.ports,
	       ld->submission.n * sizeof(ld->submission.ports[0]));
	policy->n_submission_ports = ld->submission.n;
	if (policy->n_smtp_ports == 0 &&
	    warn(ld, ld->smtp.node,
		 "no smtp ports: the policy applies to no traffic") < 0)
		return -1;

	if (check_duplicates(ld) < 0)
		return -1;
	for (i = 0; i < policy->n_classes; i++)
		shrink_list(&policy->classes[i].prefixes);
	for (i = 0; i < policy->n_groups; i++)
		shrink_list(&policy->groups[i].prefixes);
	return 0;
}

static int
parse_root(struct loader *ld, yaml_node_t *root)
{
	static const struct key_handler keys[] = {
		{ "version", parse_version_key },
		{ "mode", parse_mode },
		{ "block", parse_block },
		{ "default", parse_default },
		{ "malformed", parse_malformed },
		{ "max_vlan_tags", parse_max_vlan_tags },
		{ "ports", parse_ports },
		{ "sources", parse_sources },
		{ "destinations", parse_destinations },
	};
	yaml_node_t *destinations;

	if (expect(ld, root, YAML_MAPPING_NODE, "policy") < 0)
		return -1;
	if (check_version(ld, root) < 0)
		return -1;
	destinations = find_key(ld, root, "destinations", NULL);
	if (destinations != NULL && destinations->type == YAML_MAPPING_NODE) {
		ld->destinations = destinations;
		ld->n_group_names = mapping_size(destinations);
	}
	if (walk_mapping(ld, root, "the policy", keys, ARRAY_SIZE(keys),
			 NULL) < 0)
		return -1;
	return finish(ld);
}

/* libyaml's complaint, at its mark; reader errors (bad UTF-8) only know a
 * byte offset, turned into line and column here. */
static int
fail_yaml(struct loader *ld, const yaml_parser_t *parser, const char *text,
	  size_t len)
{
	char message[sizeof(ld->error->message)];
	uint32_t line, column;

	if (parser->error == YAML_MEMORY_ERROR)
		return fail_nomem(ld);
	if (parser->error == YAML_READER_ERROR) {
		size_t i, end = parser->problem_offset < len
					? parser->problem_offset
					: len;

		line = 1;
		column = 1;
		for (i = 0; i < end; i++) {
			if (text[i] == '\n') {
				line++;
				column = 1;
			} else {
				column++;
			}
		}
	} else {
		line = (uint32_t)parser->problem_mark.line + 1;
		column = (uint32_t)parser->problem_mark.column + 1;
	}
	if (parser->context != NULL)
		snprintf(message, sizeof(message), "%s (%s at line %zu)",
			 parser->problem ? parser->problem : "YAML error",
			 parser->context, parser->context_mark.line + 1);
	else
		snprintf(message, sizeof(message), "%s",
			 parser->problem ? parser->problem : "YAML error");
	snprintf(ld->error->file, sizeof(ld->error->file), "%s", ld->file);
	ld->error->line = line;
	ld->error->column = column;
	snprintf(ld->error->message, sizeof(ld->error->message), "%s",
		 message);
	ld->err = EINVAL;
	return -1;
}

static int
parse_text(struct loader *ld, const char *text, size_t len)
{
	yaml_document_t doc, extra;
	yaml_parser_t parser;
	yaml_node_t *root;
	int rc = -1;

	if (!yaml_parser_initialize(&parser))
		return fail_nomem(ld);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text,
				     len);
	if (!yaml_parser_load(&parser, &doc)) {
		fail_yaml(ld, &parser, text, len);
		goto delete_parser;
	}
	ld->doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (root == NULL) {
		snprintf(ld->error->file, sizeof(ld->error->file), "%s",
			 ld->file);
		ld->error->line = 1;
		ld->error->column = 1;
		snprintf(ld->error->message, sizeof(ld->error->message),
			 "empty policy file (it needs at least version: 1)");
		ld->err = EINVAL;
		goto delete_doc;
	}
	/* A second document would be silently ignored: refuse it. */
	if (!yaml_parser_load(&parser, &extra)) {
		fail_yaml(ld, &parser, text, len);
		goto delete_doc;
	}
	if (yaml_document_get_root_node(&extra) != NULL) {
		fail(ld, yaml_document_get_root_node(&extra),
		     "a policy file holds one YAML document, this is a "
		     "second one");
		yaml_document_delete(&extra);
		goto delete_doc;
	}
	yaml_document_delete(&extra);
	rc = parse_root(ld, root);

delete_doc:
	yaml_document_delete(&doc);
	ld->doc = NULL;
delete_parser:
	yaml_parser_delete(&parser);
	return rc;
}

static struct op25b_policy *
load_text(const char *name, const char *text, size_t len,
	  const char *base_dir, struct op25b_policy_error *error)
{
	struct op25b_policy_error ignored;
	struct op25b_policy_owned *owned;
	struct loader *ld;
	char *file;
	int err = ENOMEM;

	if (error == NULL)
		error = &ignored;
	memset(error, 0, sizeof(*error));
	/* The loader is large (capacities of every list): keep it off the
	 * stack of whatever thread reloads the policy. */
	ld = calloc(1, sizeof(*ld));
	owned = calloc(1, sizeof(*owned));
	file = strdup(name);
	if (ld == NULL || owned == NULL || file == NULL)
		goto nomem;
	owned->files = malloc(sizeof(*owned->files));
	if (owned->files == NULL)
		goto nomem;
	owned->files[owned->n_files++] = file;
	file = NULL;

	ld->owned = owned;
	ld->policy = &owned->policy;
	ld->file = owned->files[0];
	ld->base_dir = base_dir;
	ld->error = error;
	ld->err = EINVAL;
	ld->policy->file = owned->files[0];
	ld->policy->mode = OP25B_MODE_ENFORCE;
	ld->policy->block = OP25B_BLOCK_DROP;
	ld->policy->default_action = OP25B_ACTION_ALLOW;
	ld->policy->malformed = OP25B_MALFORMED_DROP;
	ld->policy->max_vlan_tags = OP25B_POLICY_DEFAULT_VLAN_TAGS;
	/* Never NULL, even when empty, so &classes[0] is always valid. */
	ld->policy->classes = calloc(1, sizeof(*ld->policy->classes));
	ld->policy->groups = calloc(1, sizeof(*ld->policy->groups));
	if (ld->policy->classes == NULL || ld->policy->groups == NULL)
		goto nomem;

	if (parse_text(ld, text, len) < 0) {
		err = ld->err;
		goto free_policy;
	}
	free(ld);
	return &owned->policy;

nomem:
	snprintf(error->file, sizeof(error->file), "%s", name);
	snprintf(error->message, sizeof(error->message), "out of memory");
free_policy:
	free(file);
	free(ld);
	op25b_policy_free(owned != NULL ? &owned->policy : NULL);
	errno = err;
	return NULL;
}

struct op25b_policy *
op25b_policy_load_buffer(const char *name, const char *text, size_t len,
			 struct op25b_policy_error *error)
{
	if (name == NULL)
		name = "<buffer>";
	if (text == NULL && len > 0) {
		if (error != NULL) {
			memset(error, 0, sizeof(*error));
			snprintf(error->file, sizeof(error->file), "%s", name);
			snprintf(error->message, sizeof(error->message),
				 "no text");
		}
		errno = EINVAL;
		return NULL;
	}
	return load_text(name, text != NULL ? text : "", len, NULL, error);
}

struct op25b_policy *
op25b_policy_load(const char *path, struct op25b_policy_error *error)
{
	struct op25b_policy *policy;
	const char *slash;
	char *base_dir = NULL;
	char *text;
	size_t len;
	int rc, err;

	rc = read_file(path, &text, &len);
	if (rc < 0) {
		if (error != NULL) {
			memset(error, 0, sizeof(*error));
			snprintf(error->file, sizeof(error->file), "%s", path);
			snprintf(error->message, sizeof(error->message),
				 "cannot read: %s", strerror(-rc));
		}
		errno = -rc;
		return NULL;
	}
	slash = strrchr(path, '/');
	if (slash != NULL) {
		/* "/etc/x.yaml" -> "/", "config/x.yaml" -> "config". */
		size_t dir_len = slash == path ? 1 : (size_t)(slash - path);

		base_dir = strndup(path, dir_len);
		if (base_dir == NULL) {
			free(text);
			if (error != NULL) {
				memset(error, 0, sizeof(*error));
				snprintf(error->file, sizeof(error->file),
					 "%s", path);
				snprintf(error->message,
					 sizeof(error->message),
					 "out of memory");
			}
			errno = ENOMEM;
			return NULL;
		}
	}
	policy = load_text(path, text, len, base_dir, error);
	err = errno;
	free(base_dir);
	free(text);
	errno = err;
	return policy;
}
