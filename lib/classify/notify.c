/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * block: notify: cookies, the per-worker budget and the answers (see
 * notify.h). The replies are written by op25b_tcp_reply_build().
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_per_lcore.h>
#include <rte_tcp.h>

#include "notify.h"
#include "siphash24.h"

static op25b_notify_clock_fn_t notify_clock;
static uint64_t notify_clock_hz;

/* One key per start: a reload keeps it, so that a handshake in flight
 * survives the reload. */
static uint64_t start_key[2];
static bool start_key_set;

void
op25b_notify_set_clock(op25b_notify_clock_fn_t clock, uint64_t hz)
{
	notify_clock = clock;
	notify_clock_hz = hz;
}

static inline uint64_t
notify_now(void)
{
	return notify_clock != NULL ? notify_clock() : rte_rdtsc();
}

struct op25b_notify *
op25b_notify_create(const struct op25b_policy *policy, int socket_id)
{
	struct op25b_notify *n;

	n = rte_zmalloc_socket("op25b_notify", sizeof(*n), RTE_CACHE_LINE_SIZE,
			       socket_id);
	if (n == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	/* The cookies' key from the kernel's generator, as op25b-xdp's:
	 * rte_rand() is no cryptographic generator, seeded from 64 bits, so
	 * that the 128-bit key held 64 at most. */
	if (!start_key_set) {
		if (!op25b_notify_test_key(start_key) &&
		    getrandom(start_key, sizeof(start_key), 0) !=
			    (ssize_t)sizeof(start_key)) {
			rte_errno = errno != 0 ? errno : EIO;
			rte_free(n);
			return NULL;
		}
		start_key_set = true;
	}
	n->key[0] = start_key[0];
	n->key[1] = start_key[1];
	n->hz = notify_clock != NULL ? notify_clock_hz : rte_get_tsc_hz();
	/* Never 0: the data path divides by it. */
	n->slot_ticks = RTE_MAX(n->hz * OP25B_NOTIFY_SLOT_SECONDS, (uint64_t)1);
	n->rate = policy->notify_rate != 0 ? policy->notify_rate
					   : OP25B_POLICY_DEFAULT_NOTIFY_RATE;
	n->greeting_len = (uint16_t)op25b_notify_greeting(
		policy->notice, n->greeting, sizeof(n->greeting));
	if (n->greeting_len > sizeof(n->greeting)) {
		/* Only a policy made without the loader can get here. */
		rte_free(n);
		rte_errno = EINVAL;
		return NULL;
	}
	return n;
}

void
op25b_notify_free(struct op25b_notify *notify)
{
	rte_free(notify);
}

uint32_t
op25b_notify_cookie(const uint64_t key[2], int family, const uint8_t *src,
		    const uint8_t *dst, uint16_t sport, uint16_t dport,
		    uint64_t slot)
{
	uint64_t words[6] = { 0 };
	size_t alen = family == 4 ? 4 : 16;

	memcpy(&words[0], src, alen);
	memcpy(&words[2], dst, alen);
	words[4] = (uint64_t)family << 32 | (uint64_t)sport << 16 | dport;
	words[5] = slot;
	return (uint32_t)op25b_siphash24(key[0], key[1], words, RTE_DIM(words));
}

/*
 * The per-worker budget: a token bucket of one second's replies, in units
 * of 1/hz of a reply so that refills need no division. Per lcore, since
 * a worker is one lcore; it outlives reloads (a new rate applies from the
 * next refill).
 */
struct notify_budget {
	uint64_t units;
	uint64_t last;
	bool started; /* a clock may read 0 (a replay's capture time) */
};
static RTE_DEFINE_PER_LCORE(struct notify_budget, notify_budget);

static bool
budget_take(const struct op25b_notify *n, uint64_t now)
{
	struct notify_budget *b = &RTE_PER_LCORE(notify_budget);
	uint64_t full = n->rate * n->hz, elapsed;

	elapsed = now > b->last ? now - b->last : 0;
	if (!b->started || elapsed >= n->hz)
		b->units = full;
	else
		b->units = RTE_MIN(full, b->units + elapsed * n->rate);
	b->started = true;
	b->last = now;
	if (b->units < n->hz)
		return false;
	b->units -= n->hz;
	return true;
}

/* A reply budget_take() paid for could not be built (no room in the
 * frame): nothing of the rate was sent. */
static void
budget_give_back(const struct op25b_notify *n)
{
	struct notify_budget *b = &RTE_PER_LCORE(notify_budget);

	b->units = RTE_MIN(n->rate * n->hz, b->units + n->hz);
}

/* RFC 9293 3.10.7.1: a RST answers a segment with ACK from its
 * acknowledgement number, one without from 0, acknowledging it all. */
static enum op25b_notify_answer
answer_reset(struct rte_mbuf *m, const struct pkt_meta *meta,
	     const struct tcp_seen *seen)
{
	struct tcp_reply r = { .flags = RTE_TCP_RST_FLAG };

	if (seen->flags & TCP_ACK) {
		r.seq = seen->ack;
	} else {
		r.ack = seen->seq + seen->seg_len;
		r.flags |= RTE_TCP_ACK_FLAG;
	}
	return op25b_tcp_reply_build(m, meta, seen, &r) == 0
		       ? OP25B_NOTIFY_ANSWER_RESET
		       : OP25B_NOTIFY_ANSWER_DROP;
}

static enum op25b_notify_answer
answer_syn(const struct op25b_notify *n, struct rte_mbuf *m,
	   const struct pkt_meta *meta, const struct tcp_seen *seen,
	   uint64_t slot)
{
	uint16_t mss = meta->family == 4 ? OP25B_NOTIFY_MSS4
					 : OP25B_NOTIFY_MSS6;
	/* Kind 2 (MSS), length 4: the only option; no window scale, no SACK,
	 * no timestamps, which a stateless answer could not honour. */
	const uint8_t options[4] = { 2, 4, (uint8_t)(mss >> 8), (uint8_t)mss };
	struct tcp_reply r = {
		.seq = op25b_notify_cookie(n->key, meta->family, seen->src,
					   seen->dst, seen->sport, seen->dport,
					   slot),
		.ack = seen->seq + 1,
		.window = OP25B_NOTIFY_WINDOW,
		.flags = RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG,
		.options_len = sizeof(options),
		.options = options,
	};

	return op25b_tcp_reply_build(m, meta, seen, &r) == 0
		       ? OP25B_NOTIFY_ANSWER_REPLY
		       : OP25B_NOTIFY_ANSWER_DROP;
}

enum op25b_notify_answer
op25b_notify_answer(const struct op25b_notify *n, struct rte_mbuf *m,
		    const struct pkt_meta *meta, uint64_t *counters)
{
	enum op25b_notify_answer answer;
	struct tcp_seen seen;
	enum notify_segment segment;
	uint64_t now, slot;
	unsigned int k;

	/* No answer from or to a group or loopback address
	 * (tcp_reply_allowed()): dropped before any of notify's counters, as
	 * the XDP program does. */
	if (!op25b_reply_allowed(m, meta) ||
	    op25b_tcp_seen_read(m, meta, &seen) != 0)
		return OP25B_NOTIFY_ANSWER_DROP;
	segment = notify_segment_of(seen.flags);
	if (segment == NOTIFY_SEGMENT_DROP)
		return OP25B_NOTIFY_ANSWER_DROP;
	now = notify_now();
	slot = now / n->slot_ticks;
	if (segment == NOTIFY_SEGMENT_SYN) {
		if (!budget_take(n, now)) {
			counters[OP25B_NOTIFY_OVER_BUDGET]++;
			return answer_reset(m, meta, &seen);
		}
		/* Counted once built. A frame that cannot carry it (a
		 * shared mbuf) gets the RST where it can take that. */
		answer = answer_syn(n, m, meta, &seen, slot);
		if (answer == OP25B_NOTIFY_ANSWER_REPLY) {
			counters[OP25B_NOTIFY_SYN_ACK]++;
			return answer;
		}
		budget_give_back(n);
		counters[OP25B_NOTIFY_NO_ROOM]++;
		return answer_reset(m, meta, &seen);
	}
	if (segment == NOTIFY_SEGMENT_BAD_COOKIE)
		goto bad_cookie;
	/* The cookie's slot and the one before it; slot 0 has none. */
	for (k = 0; k < 2 && k <= slot; k++) {
		uint32_t cookie = op25b_notify_cookie(
			n->key, meta->family, seen.src, seen.dst, seen.sport,
			seen.dport, slot - k);

		enum notify_ack ack =
			notify_ack_of(&seen, cookie, n->greeting_len);

		if (ack == NOTIFY_ACK_HANDSHAKE) {
			struct tcp_reply r = {
				.seq = cookie + 1,
				.ack = seen.seq,
				.window = OP25B_NOTIFY_WINDOW,
				.flags = RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG |
					 RTE_TCP_FIN_FLAG,
				.payload = n->greeting,
				.payload_len = n->greeting_len,
			};

			if (!budget_take(n, now)) {
				counters[OP25B_NOTIFY_OVER_BUDGET]++;
				return answer_reset(m, meta, &seen);
			}
			if (op25b_tcp_reply_build(m, meta, &seen, &r) != 0) {
				budget_give_back(n);
				counters[OP25B_NOTIFY_NO_ROOM]++;
				return answer_reset(m, meta, &seen);
			}
			counters[OP25B_NOTIFY_NOTIFIED]++;
			return OP25B_NOTIFY_ANSWER_REPLY;
		}
		if (ack == NOTIFY_ACK_BARE)
			return OP25B_NOTIFY_ANSWER_DROP;
		if (ack == NOTIFY_ACK_RESET)
			return answer_reset(m, meta, &seen);
	}
bad_cookie:
	counters[OP25B_NOTIFY_BAD_COOKIE]++;
	return answer_reset(m, meta, &seen);
}
