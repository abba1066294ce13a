/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the classifier's tests build their cases from: a policy from YAML
 * text and a frame from lib/craft tokens, in an mbuf. Include after
 * cmocka.h; a bad policy or spec fails the test with the loader's or the
 * parser's words.
 */
#ifndef OP25B_TEST_FRAMES_H
#define OP25B_TEST_FRAMES_H

#include <stdint.h>
#include <string.h>

#include <rte_mbuf.h>

#include "op25b_craft.h"
#include "op25b_policy.h"

/* The policy of @p yaml, named "test.yaml" in messages. */
static inline struct op25b_policy *
test_policy_of(const char *yaml)
{
	struct op25b_policy_error err;
	struct op25b_policy *p;

	p = op25b_policy_load_buffer("test.yaml", yaml, strlen(yaml), &err);
	if (p == NULL)
		fail_msg("%s:%u:%u: %s", err.file, err.line, err.column,
			 err.message);
	return p;
}

/* The frame of lib/craft @p tokens in one mbuf of @p pool (whose data room
 * holds OP25B_CRAFT_FRAME_MAX bytes). */
static inline struct rte_mbuf *
test_mbuf_of(struct rte_mempool *pool, const char *tokens)
{
	struct op25b_craft_spec spec;
	char err[256];
	struct rte_mbuf *m;
	int len;

	op25b_craft_spec_init(&spec);
	if (op25b_craft_spec_parse(&spec, tokens, NULL, err, sizeof(err)) != 0)
		fail_msg("spec '%s': %s", tokens, err);
	m = rte_pktmbuf_alloc(pool);
	assert_non_null(m);
	len = op25b_craft_build(&spec, rte_pktmbuf_mtod(m, uint8_t *),
				OP25B_CRAFT_FRAME_MAX);
	assert_true(len >= 0);
	m->data_len = (uint16_t)len;
	m->pkt_len = (uint32_t)len;
	return m;
}

#endif /* OP25B_TEST_FRAMES_H */
