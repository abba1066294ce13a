/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Private to lib/policy: what its files share.
 * Nothing here is part of the API; names keep the op25b_ prefix only so that
 * a static library cannot clash with its users.
 */
#ifndef OP25B_POLICY_PRIV_H
#define OP25B_POLICY_PRIV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <yaml.h>

#include "op25b_policy.h"

/**
 * The policy as the loader allocates it. The public part comes first so that
 * op25b_policy_free() can convert back; the prefixes' @c file pointers point
 * into @c files, which the policy owns.
 */
struct op25b_policy_owned {
	struct op25b_policy policy;
	char **files; /* files[0] is policy.file */
	unsigned int n_files;
};

/** Growth step behind op25b_prefix_list_push(): doubles the allocation.
 * @return 0, -ENOMEM. */
int op25b_prefix_list_grow(struct op25b_prefix_list *list, size_t *capacity);

/** Make room in @p list for @p n prefixes in all, in one step (no doubling).
 * @return 0, -ENOMEM. */
int op25b_prefix_list_reserve(struct op25b_prefix_list *list, size_t *capacity,
			      size_t n);

/** Append a slot to @p list, whose allocation holds @p capacity prefixes.
 * Geometric growth: a million-line prefixes_file must not cost a million
 * reallocations. @return the new slot, or NULL (ENOMEM). */
static inline struct op25b_prefix *
op25b_prefix_list_push(struct op25b_prefix_list *list, size_t *capacity)
{
	if (list->count == *capacity &&
	    op25b_prefix_list_grow(list, capacity) < 0)
		return NULL;
	return &list->prefixes[list->count++];
}

/**
 * op25b_prefix_parse() on @p len bytes that need not end in NUL (a token in
 * a prefixes_file, a YAML scalar). When @p why is the host-bits message the
 * prefix is filled as written, so that the caller can suggest the network.
 */
int op25b_prefix_parse_text(const char *text, size_t len,
			    struct op25b_prefix *prefix, const char **why);

/** True when @p prefix covers @p addr (of @p family, network order). */
bool op25b_prefix_covers(const struct op25b_prefix *prefix, int family,
			 const uint8_t *addr);

/**
 * Parse the text of a prefixes_file (one prefix a line, '#' comments, blank
 * lines and surrounding blanks ignored) and append to @p list. Prefixes get
 * @p file (which must outlive them) and their 1-based line and column.
 *
 * @return 0; -EINVAL with @p error filled at the offending line and column
 *   of @p file; -ENOMEM.
 */
int op25b_prefix_file_parse(const char *file, const char *text, size_t len,
			    struct op25b_prefix_list *list, size_t *capacity,
			    struct op25b_policy_error *error);

/** Where the same prefix occurs twice among a set of lists. */
struct op25b_prefix_duplicate {
	unsigned int first_list;
	unsigned int later_list;
	const struct op25b_prefix *first;
	const struct op25b_prefix *later;
};

/**
 * Find a prefix present twice across @p lists (in load order: list by list,
 * each in its order). Sorts a temporary index, O(n log n). Of all the
 * duplicates it reports the one whose later occurrence comes first, which is
 * what a reader going down the file would stumble on first.
 *
 * @return 1 with @p dup filled, 0 when every prefix is unique, -ENOMEM.
 */
int op25b_prefix_find_duplicate(const struct op25b_prefix_list *const *lists,
				unsigned int n_lists,
				struct op25b_prefix_duplicate *dup);

/** Longest stretch of a value from a file that a message quotes. */
#define OP25B_POLICY_QUOTE_MAX 64

/**
 * Copy @p len bytes of a value from a file into @p buf for a message: at
 * most OP25B_POLICY_QUOTE_MAX of them, then "..."; control and non-ASCII
 * bytes as '?', so that a message cannot garble the operator's terminal.
 * @p size of OP25B_POLICY_QUOTE_MAX + 4 always suffices.
 */
void op25b_policy_quote(char *buf, size_t size, const void *text, size_t len);

/** Append "file:line:column: warning: ..." to @p policy. @return 0,
 * -ENOMEM. */
int op25b_policy_warn(struct op25b_policy *policy, const char *file,
		      uint32_t line, uint32_t column, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/**
 * Fill @p error, the one writer of a struct op25b_policy_error: the message
 * from @p fmt at @p line and @p column of @p file (1-based; 0 when unknown),
 * every byte of the old contents cleared.
 */
void op25b_policy_error_set(struct op25b_policy_error *error, const char *file,
			    uint32_t line, uint32_t column, const char *fmt,
			    ...) __attribute__((format(printf, 5, 6)));

/** op25b_policy_error_set() with a va_list. */
void op25b_policy_error_vset(struct op25b_policy_error *error, const char *file,
			     uint32_t line, uint32_t column, const char *fmt,
			     va_list ap) __attribute__((format(printf, 5, 0)));

/* Larger than any real policy or pool list (a million prefixes is ~20 MB):
 * a bound, so that a prefixes_file naming /dev/zero fails instead of
 * eating all memory. */
#define OP25B_POLICY_FILE_MAX (256u << 20)
/* The values a policy file may hold (yaml_load.c, count_values()):
 * inline prefixes included, each a value. */
#define OP25B_POLICY_VALUES_MAX 2000000u

/**
 * Read a whole file into a NUL-terminated buffer (to free).
 * @return 0; -errno from open(2) or read(2); -EISDIR for a directory;
 *   -EFBIG past OP25B_POLICY_FILE_MAX; -ENOMEM.
 */
int op25b_policy_read_file(const char *path, char **text, size_t *len);
/* What a failure of op25b_policy_read_file() says (-errno in @err). */
const char *op25b_policy_read_strerror(int err);

/*
 * ---- The YAML loader ---------------------------------------------------
 * yaml_load.c: the entry points and libyaml; yaml_node.c: node helpers and
 * error reporting; yaml_schema.c: the key tables and their handlers;
 * yaml_check.c: what is checked across keys; policy_file.c: prefixes_file.
 * The helpers report an error through op25b_loader_fail() (at a node) and
 * return -1; the entry point then returns NULL with errno = ld->err.
 */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The most keys a mapping of the schema has (the root has 11). */
#define OP25B_POLICY_KEYS_MAX 16

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
	int err; /* errno to return once an error is filled */
	/* to: entries name groups that may be defined further down the file:
	 * they are looked up among the keys of this mapping, whose order is
	 * the order of policy->groups. */
	yaml_node_t *destinations;
	unsigned int n_group_names;
	struct port_list smtp, submission;
	yaml_node_t *key; /* whose value op25b_loader_walk_mapping() parses */
	/* The first `block: notify` (top level or a class) and the notice:
	 * one needs the other (op25b_loader_finish()). */
	yaml_node_t *notify_node;
	yaml_node_t *notice_node;
	size_t class_capacity[OP25B_POLICY_MAX_CLASSES];
	size_t group_capacity[OP25B_POLICY_MAX_GROUPS];
	/* The prefixes_files read, one at most a class or group: a file
	 * named again on the same side is not read again (its prefixes
	 * could only be duplicates there; op25b_loader_read_prefixes_file).
	 */
	struct prefixes_file_read {
		dev_t dev;
		ino_t ino;
		bool destinations;
		const char *owner; /* the class's or group's name */
		size_t line;	   /* of its prefixes_file key, 1-based */
		size_t n_prefixes; /* what it added */
	} files_read[OP25B_POLICY_MAX_CLASSES + OP25B_POLICY_MAX_GROUPS];
	unsigned int n_files_read;
};

/* The key being parsed is ld->key. */
typedef int (*op25b_key_parse_fn_t)(struct loader *ld, yaml_node_t *value,
				    void *ctx);

/* What a key's value is. KEY_CALL goes to the key's own parser; the others
 * are checked by op25b_loader_parse_key() and stored at the key's offset
 * in the ctx of its mapping's walk. */
enum key_kind {
	KEY_CALL,
	KEY_SKIP,     /* checked elsewhere */
	KEY_TEXT,     /* a scalar or nothing, not stored (a comment) */
	KEY_UINT,     /* uint32_t, 1..max */
	KEY_DURATION, /* uint32_t seconds, above 0 */
	KEY_PORTS,    /* struct port_list */
	KEY_CHOICE,   /* an int-sized enum, one of names */
};

struct key_handler {
	const char *name;
	enum key_kind kind;
	op25b_key_parse_fn_t parse; /* KEY_CALL */
	size_t offset;
	const char *what;     /* in messages; NULL: name */
	uint32_t max;	      /* KEY_UINT */
	const char *expected; /* KEY_UINT: "bad WHAT 'v': expected %s 1..max" */
	const struct name_value *names; /* KEY_CHOICE */
	size_t n_names;
};

struct name_value {
	const char *name;
	int value;
};

/* Parse @p value by @p h into @p ctx (see enum key_kind). */
int op25b_loader_parse_key(struct loader *ld, const struct key_handler *h,
			   yaml_node_t *value, void *ctx);

/* A value from the file, fit to quote in a message. C11 keeps the
 * temporary alive until the end of the enclosing printf. */
struct shown {
	char s[OP25B_POLICY_QUOTE_MAX + 4];
};

/* Fit a value from the file to quote in a message (op25b_policy_quote()). */
struct shown op25b_node_show(const yaml_node_t *node);

static inline yaml_node_t *
op25b_loader_node(struct loader *ld, int index)
{
	return yaml_document_get_node(ld->doc, index);
}

static inline const char *
op25b_node_text(const yaml_node_t *node)
{
	return (const char *)node->data.scalar.value;
}

static inline bool
op25b_node_is(const yaml_node_t *node, const char *text)
{
	size_t len = strlen(text);

	return node->type == YAML_SCALAR_NODE &&
	       node->data.scalar.length == len &&
	       memcmp(node->data.scalar.value, text, len) == 0;
}

static inline bool
op25b_node_same(const yaml_node_t *a, const yaml_node_t *b)
{
	return a->type == YAML_SCALAR_NODE && b->type == YAML_SCALAR_NODE &&
	       a->data.scalar.length == b->data.scalar.length &&
	       memcmp(a->data.scalar.value, b->data.scalar.value,
		      a->data.scalar.length) == 0;
}

/* "key:" with nothing after it, or ~ / null: an empty container. */
static inline bool
op25b_node_is_null(const yaml_node_t *node)
{
	return node->type == YAML_SCALAR_NODE &&
	       node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       (node->data.scalar.length == 0 || op25b_node_is(node, "~") ||
		op25b_node_is(node, "null") || op25b_node_is(node, "Null") ||
		op25b_node_is(node, "NULL"));
}

static inline unsigned int
op25b_node_mapping_size(const yaml_node_t *node)
{
	return (unsigned int)(node->data.mapping.pairs.top -
			      node->data.mapping.pairs.start);
}

/** Report an error at @p node of the policy file. @return -1. */
int
op25b_loader_fail(struct loader *ld, const yaml_node_t *node, const char *fmt,
		  ...) __attribute__((format(printf, 3, 4)));

/** Report an error at libyaml's @p mark (0-based) of the policy file:
 * an event's, before any node is made. @return -1. */
int op25b_loader_fail_mark(struct loader *ld, const yaml_mark_t *mark,
			   const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** Report an error at @p line and @p column (1-based) of the policy file.
 * @return -1. */
int op25b_loader_fail_at(struct loader *ld, uint32_t line, uint32_t column,
			 const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/** op25b_loader_fail() with errno @p err; @p node NULL: no position.
 * @return -1. */
int op25b_loader_fail_errno(struct loader *ld, const yaml_node_t *node, int err,
			    const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/** "out of memory", ENOMEM. @return -1. */
int op25b_loader_fail_nomem(struct loader *ld);

/** A warning at @p node. @return 0; -1 (out of memory). */
int
op25b_loader_warn(struct loader *ld, const yaml_node_t *node, const char *fmt,
		  ...) __attribute__((format(printf, 3, 4)));

/** 0 when @p node is of @p type, else an error naming @p what. @return 0,
 * -1. */
int op25b_loader_expect(struct loader *ld, const yaml_node_t *node,
			yaml_node_type_t type, const char *what);

/** Decimal, no sign, no leading zero, at most @p max. @return true when
 * @p out was set. */
bool
op25b_node_parse_uint(const yaml_node_t *node, uint64_t max, uint64_t *out);

/** One of @p n @p choices, by name. @return 0, -1. */
int
op25b_loader_parse_choice(struct loader *ld, const yaml_node_t *node,
			  const char *what, const struct name_value *choices,
			  size_t n, int *out);

/** An action; @p refuse_adaptive, when set, is why adaptive is wrong here.
 * @return 0, -1. */
int op25b_loader_parse_action(struct loader *ld, const yaml_node_t *node,
			      const char *what, const char *refuse_adaptive,
			      enum op25b_action *action);

/**
 * Walk a mapping whose keys come from @p keys: a key not in the table or
 * given twice is an error at that key; the others go to their handler in
 * file order, with @p ctx. @return 0, -1.
 */
int op25b_loader_walk_mapping(struct loader *ld, yaml_node_t *node,
			      const char *what, const struct key_handler *keys,
			      size_t n_keys, void *ctx);

/** The first earlier key of @p mapping equal to @p pair's key, or NULL. */
yaml_node_t *op25b_loader_earlier_key(struct loader *ld, yaml_node_t *mapping,
				      yaml_node_pair_t *pair);

/** The key of a class or a group (@p kind): a valid name, not seen before
 * in @p mapping. @return 0, -1. */
int op25b_loader_check_entry_name(struct loader *ld, yaml_node_t *mapping,
				  yaml_node_pair_t *pair, const char *kind);

/** The value of key @p name in @p mapping (and the key in @p key, unless
 * NULL), or NULL. */
yaml_node_t *op25b_loader_find_key(struct loader *ld, yaml_node_t *mapping,
				   const char *name, yaml_node_t **key);

/** The root mapping, by the schema's tables. @return 0, -1. */
int op25b_loader_parse_root(struct loader *ld, yaml_node_t *root);

/** Before the walk: a file of another version fails on its version, not on
 * whatever key that version added. @return 0, -1. */
int op25b_loader_check_version(struct loader *ld, yaml_node_t *root);

/** After the walk: defaults, what involves several keys (port overlap,
 * duplicate prefixes), the lists shrunk to size. @return 0, -1. */
int op25b_loader_finish(struct loader *ld);

/** Read the prefixes_file named by @p value (relative to the policy's
 * directory) into @p list, the list of class or group @p owner (a group:
 * @p destinations). @return 0, -1. */
int op25b_loader_read_prefixes_file(struct loader *ld, yaml_node_t *value,
				    struct op25b_prefix_list *list,
				    size_t *capacity, const char *owner,
				    bool destinations);

#endif /* OP25B_POLICY_PRIV_H */
