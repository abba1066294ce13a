/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The exemption state file in memory, for the unit tests and the fuzz
 * targets (test/fuzz includes it too): write a registry to a string, read
 * one back from any bytes, count what a diff reports.
 */
#ifndef OP25B_TEST_EXEMPT_TEXT_H
#define OP25B_TEST_EXEMPT_TEXT_H

#include <stdio.h>
#include <stdlib.h>

#include "op25b_exempt.h"

/* The file @p reg writes, as a malloc'd string; NULL when it fails. */
static inline char *
test_exempt_written(const struct op25b_exempt_registry *reg)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	if (out == NULL)
		return NULL;
	if (op25b_exempt_registry_write(reg, out) != 0) {
		fclose(out);
		free(text);
		return NULL;
	}
	if (fclose(out) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* Read @p len bytes of @p text as a state file (zero bytes too); NULL on
 * error, @p err filled. A memory stream that cannot be opened aborts: it is
 * the test's fault, not the reader's. */
static inline struct op25b_exempt_registry *
test_exempt_read_text(const void *text, size_t len,
		      struct op25b_exempt_state_error *err)
{
	struct op25b_exempt_registry *reg;
	FILE *in;

	/* fmemopen() refuses a zero-length buffer. */
	in = fmemopen(len > 0 ? (void *)text : (void *)"", len > 0 ? len : 1,
		      "r");
	if (in == NULL)
		abort();
	if (len == 0)
		fgetc(in); /* now at the end: an empty file */
	reg = op25b_exempt_registry_read(in, err);
	fclose(in);
	return reg;
}

/* An op25b_exempt_registry_diff() callback: counts the changes in the
 * unsigned int @p arg points to. */
static inline void
test_exempt_count_diff(const struct op25b_exempt_entry *old,
		       const struct op25b_exempt_entry *new, void *arg)
{
	(void)old;
	(void)new;
	(*(unsigned int *)arg)++;
}

#endif /* OP25B_TEST_EXEMPT_TEXT_H */
