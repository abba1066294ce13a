/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker's table hands a source's piece over before its 32-bit counts
 * wrap: built here with a piece of 5 segments (meson.build) instead of
 * 2^32 - 1, a sixth frame to the same destination hands the five over and
 * starts the next piece, and the merge's sum is every frame.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <cmocka.h>

#include "op25b_records.h"

static void
test_piece_before_wrap(void **state)
{
	size_t size = op25b_records_table_size(16);
	void *mem = aligned_alloc(64, (size + 63) & ~(size_t)63);
	struct op25b_records_table *t = op25b_records_table_init(mem, 16);
	struct op25b_records_merge *m = op25b_records_merge_create(1u << 20);
	struct op25b_records_merged *taken;
	struct op25b_record_hint h;
	struct op25b_record out[4];
	uint64_t i;

	(void)state;
	assert_int_equal(OP25B_RECORDS_PIECE_SEGMENTS, 5);
	assert_non_null(t);
	assert_non_null(m);
	memset(&h, 0, sizeof(h));
	h.family = 4;
	assert_int_equal(inet_pton(AF_INET, "198.18.0.1", h.src), 1);
	assert_int_equal(inet_pton(AF_INET, "203.0.113.1", h.dst), 1);
	h.dport = 25;
	h.syn = 1;
	h.outcome = OP25B_OUTCOME_BLOCKED;
	h.pppoe_session = -1;
	h.hash = op25b_record_source_hash(h.family, h.src);
	for (i = 0; i < 5; i++)
		assert_int_equal(op25b_records_table_add(t, &h, i, 0, out), 0);
	/* The sixth: the five go, the sixth starts the next piece. */
	assert_int_equal(op25b_records_table_add(t, &h, 5, 0, out), 1);
	assert_int_equal(out[0].segments, 5);
	assert_int_equal(out[0].syns, 5);
	assert_int_equal(out[0].first_tsc, 0);
	assert_int_equal(out[0].last_tsc, 4);
	assert_int_equal(op25b_records_merge_add(m, &out[0]), 0);
	for (i = 6; i < 8; i++)
		assert_int_equal(op25b_records_table_add(t, &h, i, 0, out), 0);
	assert_int_equal(op25b_records_table_flush(t, out, 4), 1);
	assert_int_equal(out[0].segments, 3);
	assert_int_equal(out[0].first_tsc, 5);
	assert_int_equal(op25b_records_merge_add(m, &out[0]), 0);
	assert_int_equal(op25b_records_merge_take(m, 0, &taken), 1);
	assert_true(taken[0].segments == 8);
	assert_true(taken[0].syns == 8);
	assert_int_equal(taken[0].r.first_tsc, 0);
	assert_int_equal(taken[0].r.last_tsc, 7);
	assert_int_equal(taken[0].destinations, 1);
	free(taken);
	op25b_records_merge_free(m);
	free(mem);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_piece_before_wrap),
	};

	return cmocka_run_group_tests_name("records_piece", tests, NULL, NULL);
}
