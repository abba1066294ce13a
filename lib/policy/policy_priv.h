/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Private to lib/policy: what policy.c, prefix.c and yaml_load.c share.
 * Nothing here is part of the API; names keep the op25b_ prefix only so that
 * a static library cannot clash with its users.
 */
#ifndef OP25B_POLICY_PRIV_H
#define OP25B_POLICY_PRIV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "op25b_policy.h"

/**
 * The policy as the loader allocates it. The public part comes first so that
 * op25b_policy_free() can convert back; the prefixes' @c file pointers point
 * into @c files, which the policy owns.
 */
struct op25b_policy_owned {
	struct op25b_policy policy;
	char **files;          /* files[0] is policy.file */
	unsigned int n_files;
};

/** Growth step behind op25b_prefix_list_push(): doubles the allocation.
 * @return 0, -ENOMEM. */
int op25b_prefix_list_grow(struct op25b_prefix_list *list, size_t *capacity);

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

#endif /* OP25B_POLICY_PRIV_H */
