/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The adaptive table of the tests that drive adaptive classes on a clock of
 * their own (test_classify, test_xdp).
 */
#ifndef OP25B_TEST_ADAPTIVE_H
#define OP25B_TEST_ADAPTIVE_H

#include <stdint.h>

#include <rte_memory.h>

#include "op25b_adaptive.h"

/* A small adaptive table (1024 entries) on @clock, in milliseconds.
 * Returns it, or NULL (rte_errno set). */
static inline struct op25b_adaptive_table *
test_adaptive_table(op25b_adaptive_clock_fn_t clock)
{
	struct op25b_adaptive_params params = {
		.sz = sizeof(params),
		.entries = 1024,
		.socket_id = SOCKET_ID_ANY,
		.hz = 1000,
		.clock = clock,
	};

	return op25b_adaptive_create(&params);
}

#endif /* OP25B_TEST_ADAPTIVE_H */
