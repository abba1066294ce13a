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
#include <sys/socket.h>

#include <rte_mbuf.h>

#include "op25b_classify.h"
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

/* The classifier of policy @p yaml (test_policy_of()), with the policy in
 * @p policy: both are the caller's, for test_classifier_free(). */
static inline struct op25b_classifier *
test_classifier_of(const char *yaml, struct op25b_policy **policy)
{
	struct op25b_classifier *c;

	*policy = test_policy_of(yaml);
	c = op25b_classifier_create(*policy, SOCKET_ID_ANY, NULL, NULL);
	assert_non_null(c);
	return c;
}

/* The classifier @p c, then the policy it was compiled from. */
static inline void
test_classifier_free(struct op25b_classifier *c, struct op25b_policy *policy)
{
	op25b_classifier_free(c);
	op25b_policy_free(policy);
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

/*
 * The L2 and IP headers of the reply @p p that op25b wrote over frame
 * @p in (IP header at @p l3, PPPoE header at @p pppoe, 0: none): MACs
 * swapped; tags, session and PPP protocol kept; the PPPoE length covering
 * the protocol field and the reply; a bare IP header with the addresses
 * swapped, TTL or hop limit 64, IPv4 with DF and a right checksum,
 * carrying @p tcp_len bytes of TCP.
 */
static inline void
test_check_mirrored(const uint8_t *p, const uint8_t *in, unsigned int l3,
		    unsigned int pppoe, int family, unsigned int tcp_len)
{
	unsigned int ip_len = family == AF_INET ? 20 : 40;

	assert_memory_equal(p, in + 6, 6);
	assert_memory_equal(p + 6, in, 6);
	if (pppoe) {
		assert_memory_equal(p + 12, in + 12, pppoe + 4 - 12);
		assert_int_equal((p[pppoe + 4] << 8) | p[pppoe + 5],
				 l3 - pppoe - 6 + ip_len + tcp_len);
		assert_memory_equal(p + pppoe + 6, in + pppoe + 6,
				    l3 - pppoe - 6);
	} else {
		assert_memory_equal(p + 12, in + 12, l3 - 12);
	}
	if (family == AF_INET) {
		assert_int_equal(p[l3], 0x45);
		assert_int_equal((p[l3 + 2] << 8) | p[l3 + 3], 20 + tcp_len);
		assert_int_equal((p[l3 + 6] << 8) | p[l3 + 7], 0x4000);
		assert_int_equal(p[l3 + 8], 64);
		assert_int_equal(p[l3 + 9], 6);
		assert_memory_equal(p + l3 + 12, in + l3 + 16, 4);
		assert_memory_equal(p + l3 + 16, in + l3 + 12, 4);
		assert_int_equal(op25b_craft_ip_checksum(p + l3, 20), 0);
	} else {
		assert_int_equal(p[l3] >> 4, 6);
		assert_int_equal((p[l3 + 4] << 8) | p[l3 + 5], tcp_len);
		assert_int_equal(p[l3 + 6], 6);
		assert_int_equal(p[l3 + 7], 64);
		assert_memory_equal(p + l3 + 8, in + l3 + 24, 16);
		assert_memory_equal(p + l3 + 24, in + l3 + 8, 16);
	}
}

#endif /* OP25B_TEST_FRAMES_H */
