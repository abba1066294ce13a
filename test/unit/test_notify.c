/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * block: notify through the classifier: the SYN-ACK and the 554 greeting
 * field by field for IPv4, IPv6 and each encapsulation, checksums summed
 * by lib/craft (not by the code under test); cookies accepted in their
 * slot and the next, refused after; RSTs for everything else; the
 * per-worker budget; exact counters. The clock is a variable.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <cmocka.h>
#include <rte_mbuf.h>

#include "classify_priv.h"
#include "notify.h"
#include "op25b_craft.h"
#include "test_eal.h"
#include "test_frames.h"
#include "test_mbuf.h"

#define HZ 1000u /* the fake clock's ticks a second */
#define NOTICE1 "Port 25 is closed for dynamic addresses."
#define NOTICE2 "Send via smtp.example.net port 587 with SMTP AUTH."
#define GREETING "554-5.7.1 " NOTICE1 "\r\n554 5.7.1 " NOTICE2 "\r\n"

static const char policy_yaml[] =
	"version: 1\n"
	"block: reset\n"
	"notice: |\n"
	"  " NOTICE1 "\n"
	"  " NOTICE2 "\n"
	"notify_rate: 3\n"
	"sources:\n"
	"  dyn:\n"
	"    action: block\n"
	"    block: notify\n"
	"    prefixes: [198.18.0.0/16, 2001:db8:1000::/36]\n"
	"  rst: {action: block, prefixes: [198.19.0.0/16]}\n";

#define DYN "src=198.18.5.9 dst=203.0.113.5"
#define DYN6 "src=2001:db8:1000::9 dst=2001:db8:ffff::25"
#define C_DYN 1
#define C_RST 2

static struct rte_mempool *pool;
static struct op25b_policy *policy;
static struct op25b_classifier *classifier;
static struct op25b_stats_counters counters;
static uint64_t now_ticks;

static uint64_t
fake_clock(void)
{
	return now_ticks;
}

static int
group_setup(void **state)
{
	(void)state;
	if (test_eal_init() < 0)
		return -1;
	pool = rte_pktmbuf_pool_create("test_notify", 1024, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE + 8192,
				       SOCKET_ID_ANY);
	if (pool == NULL)
		return -1;
	op25b_notify_set_clock(fake_clock, HZ);
	classifier = test_classifier_of(policy_yaml, &policy);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	test_classifier_free(classifier, policy);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return 0;
}

/* Each test starts at its own time, far from the budget of the last. */
static int
test_setup(void **state)
{
	(void)state;
	now_ticks += 1000u * HZ;
	memset(&counters, 0, sizeof(counters));
	return 0;
}

/* A frame from lib/craft tokens in an mbuf, and a copy in @frame (for
 * comparing). */
static struct rte_mbuf *
frame_of(const char *tokens, uint8_t *frame, unsigned int *len)
{
	struct rte_mbuf *m = test_mbuf_of(pool, tokens);

	*len = rte_pktmbuf_data_len(m);
	memcpy(frame, rte_pktmbuf_mtod(m, void *), *len);
	return m;
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static unsigned int
be16(const uint8_t *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

/* The frame's shape: where its IP header and PPPoE header lie. */
struct shape {
	const char *encap; /* craft tokens */
	unsigned int l3, pppoe;
};

static const struct shape shapes[] = {
	{ "", 14, 0 },
	{ " vlan=100", 18, 0 },
	{ " qinq=10,20", 22, 0 },
	{ " qinq=1,2 pppoe=77", 30, 22 },
	{ " pppoe=77 pfc=1", 21, 14 },
	{ " vlan=5 pppoe=77 pfc=1", 25, 18 },
};

/* What a reply must be, besides what every reply must be. */
struct want {
	uint8_t flags;
	uint32_t seq, ack;
	unsigned int window;
	const uint8_t *options;
	unsigned int options_len;
	const char *payload;
};

/* The reply in @m to the frame @in, field by field. */
static void
check_reply(const struct rte_mbuf *m, const uint8_t *in, const struct shape *s,
	    int family, const struct want *w)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	unsigned int ip_len = family == AF_INET ? 20 : 40, l3 = s->l3;
	unsigned int payload_len = w->payload ? strlen(w->payload) : 0;
	unsigned int tcp_len = 20 + w->options_len + payload_len;
	const uint8_t *tcp = p + l3 + ip_len, *in_tcp = in + l3 + ip_len;

	assert_int_equal(m->nb_segs, 1);
	assert_int_equal(rte_pktmbuf_data_len(m), l3 + ip_len + tcp_len);
	assert_int_equal(m->pkt_len, m->data_len);
	test_check_mirrored(p, in, l3, s->pppoe, family, tcp_len);
	assert_memory_equal(tcp, in_tcp + 2, 2);
	assert_memory_equal(tcp + 2, in_tcp, 2);
	assert_int_equal(be32(tcp + 4), w->seq);
	assert_int_equal(be32(tcp + 8), w->ack);
	assert_int_equal(tcp[12], ((20 + w->options_len) / 4) << 4);
	assert_int_equal(tcp[13], w->flags);
	assert_int_equal(be16(tcp + 14), w->window);
	assert_int_equal(be16(tcp + 18), 0);
	if (w->options_len)
		assert_memory_equal(tcp + 20, w->options, w->options_len);
	if (payload_len)
		assert_memory_equal(tcp + 20 + w->options_len, w->payload,
				    payload_len);
	assert_int_equal(op25b_craft_l4_checksum(
				 family, p + l3 + (family == AF_INET ? 12 : 8),
				 p + l3 + (family == AF_INET ? 16 : 24), 6, tcp,
				 tcp_len),
			 0);
}

/* Classify mbuf @m alone, in the tests' counters (@m is kept). */
static struct op25b_classify_result
classify_mbuf(struct rte_mbuf *m)
{
	struct op25b_classify_result r;

	assert_int_equal(op25b_classifier_classify_burst(classifier, NULL, &m,
							 1, &r, &counters),
			 1);
	return r;
}

/* Classify one frame; the mbuf is kept in @keep (NULL: freed). */
static struct op25b_classify_result
classify(const char *tokens, uint8_t *in, struct rte_mbuf **keep)
{
	static uint8_t scratch[OP25B_CRAFT_FRAME_MAX];
	struct op25b_classify_result r;
	unsigned int len;
	struct rte_mbuf *m = frame_of(tokens, in ? in : scratch, &len);

	r = classify_mbuf(m);
	if (keep != NULL)
		*keep = m;
	else
		rte_pktmbuf_free(m);
	return r;
}

static uint32_t
cookie_at(int family, const char *src, const char *dst, uint16_t sport,
	  uint64_t ticks)
{
	uint8_t s[16], d[16];

	assert_int_equal(inet_pton(family, src, s), 1);
	assert_int_equal(inet_pton(family, dst, d), 1);
	return op25b_notify_cookie(classifier->notify->key,
				   family == AF_INET ? 4 : 6, s, d, sport, 25,
				   ticks / (HZ * OP25B_NOTIFY_SLOT_SECONDS));
}

static uint32_t
cookie_of(int family)
{
	return family == AF_INET
		       ? cookie_at(AF_INET, "198.18.5.9", "203.0.113.5", 40000,
				   now_ticks)
		       : cookie_at(AF_INET6, "2001:db8:1000::9",
				   "2001:db8:ffff::25", 40000, now_ticks);
}

/* A SYN and the handshake's ACK under every shape, both families: the
 * SYN-ACK carries the cookie, MSS and a small window; the ACK gets the
 * greeting with FIN. */
static void
test_handshake_and_greeting(void **state)
{
	uint8_t in[OP25B_CRAFT_FRAME_MAX];
	unsigned int i, f, n = 0;

	(void)state;
	for (f = 0; f < 2; f++) {
		int family = f == 0 ? AF_INET : AF_INET6;
		const uint8_t mss[4] = { 2, 4, f == 0 ? 0x05 : 0x05,
					 f == 0 ? 0xb4 : 0xa0 };

		for (i = 0; i < RTE_DIM(shapes); i++) {
			char tokens[256];
			struct op25b_classify_result r;
			struct rte_mbuf *m;
			uint32_t cookie = cookie_of(family);
			struct want syn_ack = { 0x12, cookie, 1001, 1024,
						mss,  4,      NULL };
			struct want greeting = { 0x19,	  cookie + 1, 1001,
						 1024,	  NULL,	      0,
						 GREETING };

			/* Budget: 3 a second; a second per shape. */
			now_ticks += HZ;
			snprintf(tokens, sizeof(tokens), "%s seq=1000%s",
				 f == 0 ? DYN : DYN6, shapes[i].encap);
			r = classify(tokens, in, &m);
			assert_int_equal(r.outcome, OP25B_OUTCOME_BLOCKED);
			assert_int_equal(r.disposition,
					 OP25B_DISPOSITION_REPLY);
			assert_int_equal(r.class_slot, C_DYN);
			check_reply(m, in, &shapes[i], family, &syn_ack);
			rte_pktmbuf_free(m);

			snprintf(tokens, sizeof(tokens),
				 "%s flags=A seq=1001 ack=%u%s",
				 f == 0 ? DYN : DYN6, cookie + 1,
				 shapes[i].encap);
			r = classify(tokens, in, &m);
			assert_int_equal(r.outcome, OP25B_OUTCOME_BLOCKED);
			assert_int_equal(r.disposition,
					 OP25B_DISPOSITION_REPLY);
			check_reply(m, in, &shapes[i], family, &greeting);
			rte_pktmbuf_free(m);
			n++;
		}
	}
	assert_int_equal(counters.class_notify[C_DYN][OP25B_NOTIFY_SYN_ACK], n);
	assert_int_equal(counters.class_notify[C_DYN][OP25B_NOTIFY_NOTIFIED],
			 n);
	assert_int_equal(
		counters.class_notify[C_DYN][OP25B_NOTIFY_BAD_COOKIE] +
			counters.class_notify[C_DYN][OP25B_NOTIFY_OVER_BUDGET],
		0);
	assert_int_equal(counters.outcome[OP25B_OUTCOME_BLOCKED], 2 * n);
	assert_int_equal(counters.class_verdict[C_DYN][OP25B_VERDICT_OF(
				 OP25B_OUTCOME_BLOCKED)],
			 2 * n);
}

/* The craft tokens of a handshake from DYN: its SYN, then its ACK of the
 * SYN-ACK that carried @cookie. */
static void
handshake_tokens(char tokens[2][256], uint32_t cookie)
{
	snprintf(tokens[0], 256, DYN " seq=1000");
	snprintf(tokens[1], 256, DYN " flags=A seq=1001 ack=%u", cookie + 1);
}

/* The two frames of a handshake (SYN, ACK) had no room for their answer:
 * notify_no_room counts both, neither was a SYN-ACK nor a notice, both
 * went under @outcome. */
static void
expect_no_room(unsigned int outcome)
{
	assert_int_equal(counters.class_notify[C_DYN][OP25B_NOTIFY_SYN_ACK], 0);
	assert_int_equal(counters.class_notify[C_DYN][OP25B_NOTIFY_NOTIFIED],
			 0);
	assert_int_equal(counters.class_notify[C_DYN][OP25B_NOTIFY_NO_ROOM], 2);
	assert_int_equal(counters.outcome[outcome], 2);
}

/* A frame that cannot carry the answer (its mbuf shared: the reply is
 * built in place) is dropped unanswered, and counted as neither a SYN-ACK
 * nor a notice but as notify_no_room: the counters say what was sent. */
static void
test_unbuilt_answer_not_counted(void **state)
{
	char tokens[2][256];
	unsigned int i;

	(void)state;
	handshake_tokens(tokens, cookie_of(AF_INET));
	for (i = 0; i < RTE_DIM(tokens); i++) {
		struct op25b_classify_result r;
		unsigned int len;
		uint8_t in[OP25B_CRAFT_FRAME_MAX];
		struct rte_mbuf *m;

		m = frame_of(tokens[i], in, &len);
		rte_mbuf_refcnt_update(m, 1);
		r = classify_mbuf(m);
		assert_int_equal(r.outcome, OP25B_OUTCOME_BLOCKED);
		assert_int_equal(r.disposition, OP25B_DISPOSITION_DROP);
		/* Untouched. */
		assert_memory_equal(rte_pktmbuf_mtod(m, void *), in, len);
		rte_pktmbuf_free(m);
		rte_pktmbuf_free(m);
	}
	expect_no_room(OP25B_OUTCOME_BLOCKED);
}

/* A frame with no room past its own bytes (its data at the end of its
 * buffer, as a driver may give a small frame): neither the SYN-ACK (4
 * bytes of MSS longer than a bare SYN) nor the greeting fits, the RST
 * does (no longer than the segment it answers). The client is told at
 * once, not left waiting for an answer; notify_no_room counts it. */
static void
test_no_room_falls_back_to_reset(void **state)
{
	uint32_t cookie = cookie_of(AF_INET);
	char tokens[2][256];
	const struct want rst[2] = {
		{ 0x14, 0, 1001, 0, NULL, 0, NULL },
		{ 0x04, cookie + 1, 0, 0, NULL, 0, NULL },
	};
	unsigned int i;

	(void)state;
	handshake_tokens(tokens, cookie);
	for (i = 0; i < RTE_DIM(tokens); i++) {
		struct op25b_classify_result r;
		uint8_t in[OP25B_CRAFT_FRAME_MAX];
		unsigned int len;
		struct rte_mbuf *m = frame_of(tokens[i], in, &len);
		uint16_t end = (uint16_t)(m->buf_len - len);

		memmove((uint8_t *)m->buf_addr + end,
			rte_pktmbuf_mtod(m, void *), len);
		m->data_off = end;
		r = classify_mbuf(m);
		assert_int_equal(r.outcome, OP25B_OUTCOME_RESET);
		assert_int_equal(r.disposition, OP25B_DISPOSITION_REPLY);
		check_reply(m, in, &shapes[0], AF_INET, &rst[i]);
		rte_pktmbuf_free(m);
	}
	expect_no_room(OP25B_OUTCOME_RESET);
	/* Nothing was sent of notify_rate's 3 in this second: three
	 * SYN-ACKs still go, the fourth is over the budget. */
	for (i = 0; i < 4; i++) {
		struct op25b_classify_result r =
			classify(DYN " seq=1000", NULL, NULL);

		assert_int_equal(r.outcome, i < 3 ? OP25B_OUTCOME_BLOCKED
						  : OP25B_OUTCOME_RESET);
	}
	assert_int_equal(counters.class_notify[C_DYN][OP25B_NOTIFY_SYN_ACK], 3);
	assert_int_equal(counters.class_notify[C_DYN][OP25B_NOTIFY_OVER_BUDGET],
			 1);
}

/* The RST that answers a segment with ACK: seq = its ack, no ACK flag. */
static void
expect_rst(const char *tokens, uint32_t ack)
{
	uint8_t in[OP25B_CRAFT_FRAME_MAX];
	struct want rst = { 0x04, ack, 0, 0, NULL, 0, NULL };
	struct op25b_classify_result r;
	struct rte_mbuf *m;

	r = classify(tokens, in, &m);
	assert_int_equal(r.outcome, OP25B_OUTCOME_RESET);
	assert_int_equal(r.disposition, OP25B_DISPOSITION_REPLY);
	check_reply(m, in, &shapes[0],
		    strstr(tokens, "2001:") ? AF_INET6 : AF_INET, &rst);
	rte_pktmbuf_free(m);
}

/* A cookie is good in its slot and the next one, and refused after. */
static void
test_cookie_slots(void **state)
{
	uint64_t t0;
	uint32_t cookie;
	char tokens[256];
	unsigned int k;

	(void)state;
	/* The start of a slot, so that + 1 slot is the next one. */
	now_ticks -= now_ticks % (HZ * OP25B_NOTIFY_SLOT_SECONDS);
	t0 = now_ticks;
	cookie = cookie_of(AF_INET);
	for (k = 0; k < 2; k++) {
		struct op25b_classify_result r;

		/* The last tick of the cookie's slot, then of the next. */
		now_ticks = t0 + (k + 1) * HZ * OP25B_NOTIFY_SLOT_SECONDS - 1;
		snprintf(tokens, sizeof(tokens), DYN " flags=A seq=1001 ack=%u",
			 cookie + 1);
		r = classify(tokens, NULL, NULL);
		assert_int_equal(r.outcome, OP25B_OUTCOME_BLOCKED);
		assert_int_equal(r.disposition, OP25B_DISPOSITION_REPLY);
	}
	now_ticks = t0 + 2 * HZ * OP25B_NOTIFY_SLOT_SECONDS;
	expect_rst(tokens, cookie + 1);
	assert_int_equal(counters.class_notify[C_DYN][OP25B_NOTIFY_NOTIFIED],
			 2);
	assert_int_equal(counters.class_notify[C_DYN][OP25B_NOTIFY_BAD_COOKIE],
			 1);
	/* Another connection's cookie is not this one's. */
	snprintf(tokens, sizeof(tokens),
		 DYN " sport=40001 flags=A seq=1001 "
		     "ack=%u",
		 cookie_of(AF_INET) + 1);
	expect_rst(tokens, cookie_of(AF_INET) + 1);
	assert_int_equal(counters.class_notify[C_DYN][OP25B_NOTIFY_BAD_COOKIE],
			 2);
}

/* Whatever is not the handshake's ACK gets a RST, never the greeting. */
static void
test_everything_else_is_reset(void **state)
{
	uint32_t c4 = cookie_of(AF_INET), c6 = cookie_of(AF_INET6);
	unsigned int glen = strlen(GREETING);
	struct op25b_classify_result r;
	char t[256];

	(void)state;
	/* Wrong acknowledgement numbers: bad cookies. */
	snprintf(t, sizeof(t), DYN " flags=A seq=1001 ack=%u", c4 + 2);
	expect_rst(t, c4 + 2);
	snprintf(t, sizeof(t), DYN " flags=A seq=1001 ack=%u", c4);
	expect_rst(t, c4);
	snprintf(t, sizeof(t), DYN6 " flags=A seq=1001 ack=%u", c6 + 7);
	expect_rst(t, c6 + 7);
	/* A stray ACK and data with no handshake of ours. */
	expect_rst(DYN " flags=A seq=5 ack=12345", 12345);
	expect_rst(DYN " flags=PA seq=5 ack=12345 payload=20", 12345);
	assert_int_equal(counters.class_notify[C_DYN][OP25B_NOTIFY_BAD_COOKIE],
			 5);
	/* Data or a FIN on our handshake: the client's EHLO, QUIT, close. */
	snprintf(t, sizeof(t), DYN " flags=PA seq=1001 ack=%u payload=6",
		 c4 + 1);
	expect_rst(t, c4 + 1);
	snprintf(t, sizeof(t), DYN " flags=FA seq=1001 ack=%u", c4 + 1);
	expect_rst(t, c4 + 1);
	snprintf(t, sizeof(t), DYN " flags=PA seq=1001 ack=%u payload=6",
		 c4 + 2 + glen);
	expect_rst(t, c4 + 2 + glen);
	snprintf(t, sizeof(t), DYN6 " flags=FA seq=1001 ack=%u", c6 + 2 + glen);
	expect_rst(t, c6 + 2 + glen);
	assert_int_equal(counters.class_notify[C_DYN][OP25B_NOTIFY_BAD_COOKIE],
			 5);
	/* The bare ACK of the greeting and its FIN: nothing to say. */
	snprintf(t, sizeof(t), DYN " flags=A seq=1001 ack=%u", c4 + 2 + glen);
	r = classify(t, NULL, NULL);
	assert_int_equal(r.outcome, OP25B_OUTCOME_BLOCKED);
	assert_int_equal(r.disposition, OP25B_DISPOSITION_DROP);
	/* A RST is never answered, nor a segment without SYN or ACK. */
	snprintf(t, sizeof(t), DYN " flags=RA seq=1001 ack=%u", c4 + 1);
	r = classify(t, NULL, NULL);
	assert_int_equal(r.disposition, OP25B_DISPOSITION_DROP);
	r = classify(DYN " flags=F", NULL, NULL);
	assert_int_equal(r.disposition, OP25B_DISPOSITION_DROP);
	assert_int_equal(
		counters.class_notify[C_DYN][OP25B_NOTIFY_NOTIFIED] +
			counters.class_notify[C_DYN][OP25B_NOTIFY_SYN_ACK],
		0);
	assert_int_equal(counters.outcome[OP25B_OUTCOME_RESET], 9);
	assert_int_equal(counters.outcome[OP25B_OUTCOME_BLOCKED], 3);
}

/* notify_rate 3: the fourth reply within a second is a RST, counted; a
 * second later the budget is whole again. Other classes keep their own
 * block: reset. */
static void
test_budget_falls_back_to_reset(void **state)
{
	uint8_t in[OP25B_CRAFT_FRAME_MAX];
	struct want rst_ack = { 0x14, 0, 1001, 0, NULL, 0, NULL };
	struct op25b_classify_result r;
	struct rte_mbuf *m;
	unsigned int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		r = classify(DYN " seq=1000", NULL, NULL);
		assert_int_equal(r.outcome, OP25B_OUTCOME_BLOCKED);
		assert_int_equal(r.disposition, OP25B_DISPOSITION_REPLY);
	}
	r = classify(DYN " seq=1000", in, &m);
	assert_int_equal(r.outcome, OP25B_OUTCOME_RESET);
	check_reply(m, in, &shapes[0], AF_INET, &rst_ack);
	rte_pktmbuf_free(m);
	assert_int_equal(counters.class_notify[C_DYN][OP25B_NOTIFY_SYN_ACK], 3);
	assert_int_equal(counters.class_notify[C_DYN][OP25B_NOTIFY_OVER_BUDGET],
			 1);
	now_ticks += HZ;
	r = classify(DYN " seq=1000", NULL, NULL);
	assert_int_equal(r.disposition, OP25B_DISPOSITION_REPLY);
	assert_int_equal(r.outcome, OP25B_OUTCOME_BLOCKED);

	r = classify("src=198.19.0.1 dst=203.0.113.5", in, &m);
	assert_int_equal(r.outcome, OP25B_OUTCOME_RESET);
	assert_int_equal(r.class_slot, C_RST);
	rte_pktmbuf_free(m);
	assert_int_equal(counters.class_notify[C_RST][OP25B_NOTIFY_SYN_ACK], 0);
}

/* Monitor mode answers nothing and keeps no notify state; a recompile
 * keeps the key. */
static void
test_monitor_answers_nothing(void **state)
{
	static const char yaml[] = "version: 1\nmode: monitor\n"
				   "block: notify\nnotice: closed\n"
				   "sources: {dyn: {action: block, prefixes: "
				   "[198.18.0.0/16]}}\n";
	struct op25b_policy *p;
	struct op25b_classifier *c = test_classifier_of(yaml, &p);
	struct op25b_classify_result r;
	struct rte_mbuf *m = NULL;
	unsigned int len;
	uint8_t in[OP25B_CRAFT_FRAME_MAX];

	(void)state;
	assert_null(c->notify);
	/* A reload compiles anew and keeps the start's key, so that the
	 * handshakes in flight survive it; the key is not all zeros. */
	{
		struct op25b_classifier *again = op25b_classifier_create(
			policy, SOCKET_ID_ANY, NULL, NULL);

		assert_non_null(again);
		assert_memory_equal(again->notify->key, classifier->notify->key,
				    sizeof(again->notify->key));
		assert_true((again->notify->key[0] | again->notify->key[1]) !=
			    0);
		op25b_classifier_free(again);
	}
	m = frame_of(DYN, in, &len);
	assert_int_equal(
		op25b_classifier_classify_burst(c, NULL, &m, 1, &r, &counters),
		1);
	assert_int_equal(r.outcome, OP25B_OUTCOME_COUNTED);
	assert_int_equal(r.disposition, OP25B_DISPOSITION_FORWARD);
	assert_memory_equal(rte_pktmbuf_mtod(m, void *), in, len);
	rte_pktmbuf_free(m);
	test_classifier_free(c, p);
}

static void
test_greeting_text(void **state)
{
	uint8_t buf[OP25B_NOTIFY_GREETING_MAX];
	size_t n;

	(void)state;
	n = op25b_notify_greeting("closed, use 587", buf, sizeof(buf));
	assert_int_equal(n, strlen("554 5.7.1 closed, use 587\r\n"));
	assert_memory_equal(buf, "554 5.7.1 closed, use 587\r\n", n);
	n = op25b_notify_greeting("a\nb\nc", buf, sizeof(buf));
	assert_memory_equal(buf,
			    "554-5.7.1 a\r\n554-5.7.1 b\r\n554 5.7.1 c\r\n", n);
	assert_int_equal(n, 39);
	/* The longest notice the loader takes fits the buffer. */
	assert_true(OP25B_NOTIFY_GREETING_MAX <= 536 - 40);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_handshake_and_greeting, test_setup),
		cmocka_unit_test_setup(test_unbuilt_answer_not_counted,
				       test_setup),
		cmocka_unit_test_setup(test_no_room_falls_back_to_reset,
				       test_setup),
		cmocka_unit_test_setup(test_cookie_slots, test_setup),
		cmocka_unit_test_setup(test_everything_else_is_reset,
				       test_setup),
		cmocka_unit_test_setup(test_budget_falls_back_to_reset,
				       test_setup),
		cmocka_unit_test_setup(test_monitor_answers_nothing,
				       test_setup),
		cmocka_unit_test(test_greeting_text),
	};

	return cmocka_run_group_tests_name("notify", tests, group_setup,
					   group_teardown);
}
