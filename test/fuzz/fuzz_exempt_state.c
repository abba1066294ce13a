/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the exemption state-file reader (lib/exempt/state.c),
 * which reads what a crash, a full disk or an operator left on disk and
 * what `exempt import` is given.
 *
 * Every input is either refused with a line number inside the input and a
 * message, or read; what was read is written, and that text reads back to
 * the same registry and writes to the same text (the round trip restarts
 * and export -> import rely on).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "op25b_exempt.h"
#include "../unit/test_exempt_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What @p reg writes, its length in @p len. */
static char *
write_text(const struct op25b_exempt_registry *reg, size_t *len)
{
	char *text = test_exempt_written(reg);

	FUZZ_CHECK(text != NULL, "write: %s", strerror(errno));
	*len = strlen(text);
	return text;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct op25b_exempt_registry *reg, *back;
	struct op25b_exempt_state_error err;
	size_t len, len2, lines = 1, i;
	char *text, *text2;
	unsigned int diffs = 0;

	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	reg = test_exempt_read_text(data, size, &err);
	if (reg == NULL) {
		FUZZ_CHECK(errno == EINVAL, "errno %d", errno);
		FUZZ_CHECK(err.line >= 1 && err.line <= lines, "line %u of %zu",
			   err.line, lines);
		FUZZ_CHECK(err.message[0] != '\0', "no message");
		return 0;
	}
	text = write_text(reg, &len);
	back = test_exempt_read_text(text, len, &err);
	FUZZ_CHECK(back != NULL, "the written text is refused: line %u: %s",
		   err.line, err.message);
	op25b_exempt_registry_diff(reg, back, test_exempt_count_diff, &diffs);
	FUZZ_CHECK(diffs == 0, "%u entries changed in the round trip", diffs);
	text2 = write_text(back, &len2);
	FUZZ_CHECK(len == len2 && memcmp(text, text2, len) == 0,
		   "written twice, two texts");
	free(text2);
	free(text);
	op25b_exempt_registry_free(back);
	op25b_exempt_registry_free(reg);
	return 0;
}
