/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared by the registry and the state file inside lib/exempt: the order
 * entries are kept in, so that a file is read into a registry in one
 * sorted pass.
 */
#ifndef OP25B_EXEMPT_PRIV_H
#define OP25B_EXEMPT_PRIV_H

#include <stdbool.h>

#include "op25b_exempt.h"

/* Family, then address, then length: <0, 0, >0 as memcmp. */
int exempt_prefix_compare(const struct op25b_prefix *a,
			  const struct op25b_prefix *b);

/* Every field the same (reasons compared as text). */
bool exempt_entry_equal(const struct op25b_exempt_entry *a,
			const struct op25b_exempt_entry *b);

#endif /* OP25B_EXEMPT_PRIV_H */
