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

/* The policy of the adaptive tests, block: reset: the adaptive class
 * hosting (slot 1, 198.18.0.0/16 and 2001:db8:100::/40) with @limit (the
 * flow mapping's inside), the classes of @more after it, and the group
 * relays (192.0.2.25/32) that allows. */
#define TEST_ADAPTIVE_POLICY(limit, more)                                      \
	"version: 1\n"                                                         \
	"block: reset\n"                                                       \
	"ports: {smtp: [25], submission: [587]}\n"                             \
	"sources:\n"                                                           \
	"  hosting:\n"                                                         \
	"    action: adaptive\n"                                               \
	"    limit: {" limit "}\n"                                             \
	"    prefixes: [198.18.0.0/16, 2001:db8:100::/40]\n" more              \
	"destinations:\n"                                                      \
	"  relays:\n"                                                          \
	"    action: allow\n"                                                  \
	"    prefixes: [192.0.2.25/32]\n"

/* The tests' clock, in milliseconds: what they set it to. */
static uint64_t test_adaptive_ms;

static uint64_t
test_adaptive_clock(void *ctx)
{
	(void)ctx;
	return test_adaptive_ms;
}

/* A small adaptive table (1024 entries) on test_adaptive_ms. Returns it,
 * or NULL (rte_errno set). */
static inline struct op25b_adaptive_table *
test_adaptive_table(void)
{
	struct op25b_adaptive_params params = {
		.sz = sizeof(params),
		.entries = 1024,
		.socket_id = SOCKET_ID_ANY,
		.hz = 1000,
		.clock = test_adaptive_clock,
	};

	return op25b_adaptive_create(&params);
}

#endif /* OP25B_TEST_ADAPTIVE_H */
