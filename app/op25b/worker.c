/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker loop: RX a burst on every port of every pair, classify what
 * the subscriber side sent, and TX each mbuf where its disposition says.
 * No locks, allocation, syscalls or logs in here: only counters.
 */
#include <stddef.h>
#include <string.h>

#include <emmintrin.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include "op25b_app.h"
#include "op25b_classify_record.h"
#include "op25b_records.h"

struct op25b_app *op25b_worker_app;

static inline void
send_burst(struct op25b_worker *w, uint16_t port, struct rte_mbuf **pkts,
	   uint16_t n)
{
	uint16_t sent;

	if (n == 0)
		return;
	sent = rte_eth_tx_burst(port, w->queue, pkts, n);
	w->stats->port[port].tx += sent;
	if (unlikely(sent < n)) {
		w->stats->port[port].tx_dropped += n - sent;
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	}
}

/*
 * Blocked frames back to their pool in one call, as a PMD's TX fast free
 * returns its mbufs: they are op25b's own RX mbufs, direct, one segment,
 * referenced once, all from one pool, so rte_pktmbuf_free_bulk()'s work a
 * segment (reference count, detach, chain walk, pool compare, in a library
 * call) has nothing to do. A frame that is otherwise (a chain the PMD
 * built, another pool) sends the whole burst the general way.
 */
static inline void
free_dropped(struct rte_mbuf **pkts, uint16_t n)
{
	struct rte_mempool *mp = pkts[0]->pool;
	uint16_t i;

	for (i = 0; i < n; i++) {
		const struct rte_mbuf *m = pkts[i];

		if (unlikely(m->pool != mp || m->next != NULL ||
			     !RTE_MBUF_DIRECT(m) ||
			     rte_mbuf_refcnt_read(m) != 1)) {
			rte_pktmbuf_free_bulk(pkts, n);
			return;
		}
	}
	rte_mempool_put_bulk(mp, (void **)pkts, n);
}

/*
 * Which frames of a burst are not forwarded, bit i for results[i], and of
 * them which are answered (*reply). A disposition is 0 (forward), 1 (drop)
 * or 2 (reply): its two bits, shifted to the top of each 4-byte result,
 * are picked up by movemask four results a step (SSE2, any x86-64; the
 * OR/AND pass it replaces cost 4.5 instructions a frame). Most bursts are
 * all forwarded (subscribers' traffic) or all dropped (a bot's SYNs) and
 * go whole after a compare or three; a mixed one (`mix`: a blocked SYN in
 * most bursts of 64) is split by its few bits (split_burst()), not by a
 * branch a frame. The classifier writes no other disposition.
 */
_Static_assert(OP25B_CLASSIFY_BURST_MAX <= 64,
	       "a burst's frames fit one 64-bit mask");
_Static_assert(sizeof(struct op25b_classify_result) == 4 &&
		       offsetof(struct op25b_classify_result, disposition) == 1,
	       "burst_masks() reads a result's disposition as bits 8..9");
_Static_assert(OP25B_DISPOSITION_FORWARD == 0 && OP25B_DISPOSITION_DROP == 1 &&
		       OP25B_DISPOSITION_REPLY == 2,
	       "burst_masks() reads drop as bit 0, reply as bit 1");

/* Bit i for each frame of a burst of @n (n <= 64). */
static inline uint64_t
all_frames(uint16_t n)
{
	return n >= 64 ? UINT64_MAX : (UINT64_C(1) << n) - 1;
}

static inline uint64_t
burst_masks(const struct op25b_classify_result *results, uint16_t n,
	    uint64_t *reply)
{
	uint64_t drop = 0, answer = 0;
	unsigned int i;

	for (i = 0; i + 4 <= n; i += 4) {
		__m128i r = _mm_loadu_si128((const __m128i *)&results[i]);

		drop |= (uint64_t)_mm_movemask_ps(
				_mm_castsi128_ps(_mm_slli_epi32(r, 31 - 8)))
			<< i;
		answer |= (uint64_t)_mm_movemask_ps(
				  _mm_castsi128_ps(_mm_slli_epi32(r, 31 - 9)))
			  << i;
	}
	for (; i < n; i++) {
		drop |= (uint64_t)(results[i].disposition & 1) << i;
		answer |= (uint64_t)(results[i].disposition >> 1) << i;
	}
	*reply = answer;
	return drop | answer;
}

/*
 * A mixed burst: its forwarded frames moved down over the others in
 * place, in their order, run by run between the set bits of @out (the
 * frames not forwarded: few, in a subscriber's traffic), which go to
 * @reply (bit set in @answer) or @drop. Returns the forwarded count.
 * @out is not 0: the frames before its first bit stay where they are.
 */
static inline uint16_t
split_burst(struct rte_mbuf **pkts, uint16_t n, uint64_t out, uint64_t answer,
	    struct rte_mbuf **reply, uint16_t *n_reply, struct rte_mbuf **drop,
	    uint16_t *n_drop)
{
	unsigned int i, to = (unsigned int)__builtin_ctzll(out), next;

	while (out != 0) {
		i = (unsigned int)__builtin_ctzll(out);
		if (answer >> i & 1)
			reply[(*n_reply)++] = pkts[i];
		else
			drop[(*n_drop)++] = pkts[i];
		out &= out - 1;
		next = out != 0 ? (unsigned int)__builtin_ctzll(out) : n;
		/* A long run in one copy; a short one (frames blocked close
		 * together) without the call. */
		if (next - i - 1 > 8) {
			memmove(&pkts[to], &pkts[i + 1],
				(next - i - 1) * sizeof(pkts[0]));
			to += next - i - 1;
		} else {
			for (i++; i < next; i++)
				pkts[to++] = pkts[i];
		}
	}
	return (uint16_t)to;
}

static inline uint16_t
subscriber_burst(struct op25b_worker *w,
		 const struct op25b_classifier *classifier,
		 const struct op25b_exempt_table *exempt,
		 const struct op25b_pair *pair, uint16_t burst)
{
	struct rte_mbuf *pkts[OP25B_CLASSIFY_BURST_MAX];
	struct rte_mbuf *reply[OP25B_CLASSIFY_BURST_MAX];
	struct rte_mbuf *drop[OP25B_CLASSIFY_BURST_MAX];
	struct op25b_classify_result results[OP25B_CLASSIFY_BURST_MAX];
	struct op25b_record_hint hints[OP25B_CLASSIFY_BURST_MAX];
	uint16_t n, n_fwd, n_reply = 0, n_drop = 0, n_hints = 0, n_wanted = 0;
	uint64_t tsc = 0, out, answer;

	n = rte_eth_rx_burst(pair->sub, w->queue, pkts, burst);
	if (n == 0)
		return 0;
	w->stats->port[pair->sub].rx += n;
	if (w->records == NULL) {
		op25b_classifier_classify_burst(classifier, exempt, pkts, n,
						results, &w->stats->counters);
	} else {
		/* Blocked and would-block frames' hints, from the parse, as
		 * many as the worker's records rate lets it describe. One
		 * clock read a burst (a record needs milliseconds); the
		 * table keeps the frames of a burst in their order, a tick
		 * (under a ns) apart. Their sources' table lines are
		 * requested now and counted after the burst is sent and
		 * freed: a scan's sources miss the caches, and the sending
		 * covers the misses. */
		n_hints = op25b_worker_records_budget(w, n, &tsc);
		op25b_classifier_classify_burst_hints(
			classifier, exempt, pkts, n, results,
			&w->stats->counters, hints, &n_hints, &n_wanted);
		if (n_wanted != 0)
			tsc = op25b_worker_records_take(w, hints, n_hints,
							n_wanted, tsc);
	}
	out = burst_masks(results, n, &answer);
	if (out == 0) {
		send_burst(w, pair->up, pkts, n);
	} else if (out == all_frames(n) && answer == 0) {
		free_dropped(pkts, n);
	} else {
		n_fwd = split_burst(pkts, n, out, answer, reply, &n_reply, drop,
				    &n_drop);
		send_burst(w, pair->up, pkts, n_fwd);
		send_burst(w, pair->sub, reply, n_reply);
		if (n_drop > 0)
			free_dropped(drop, n_drop);
	}
	if (n_hints != 0)
		op25b_worker_records_count(w, hints, n_hints, tsc);
	return n;
}

static inline uint16_t
upstream_burst(struct op25b_worker *w, const struct op25b_pair *pair,
	       uint16_t burst)
{
	struct rte_mbuf *pkts[OP25B_CLASSIFY_BURST_MAX];
	uint16_t n;

	n = rte_eth_rx_burst(pair->up, w->queue, pkts, burst);
	if (n == 0)
		return 0;
	w->stats->port[pair->up].rx += n;
	w->stats->upstream += n;
	send_burst(w, pair->sub, pkts, n);
	return n;
}

int
op25b_worker_main(void *arg)
{
	struct op25b_worker *w = arg;
	struct op25b_app *app = op25b_worker_app;
	const struct op25b_config *cfg = &app->config;
	struct op25b_stats_worker *stats = w->stats;
	uint16_t burst = cfg->burst;

	stats->lcore_id = w->lcore_id;
	rte_rcu_qsbr_thread_online(app->qsbr, w->rcu_id);
	while (!atomic_load_explicit(&app->stop, memory_order_relaxed)) {
		/* Acquire: the tables behind the pointer were written before
		 * it was published. */
		const struct op25b_classifier *classifier =
			atomic_load_explicit(&app->classifier,
					     memory_order_acquire);
		const struct op25b_exempt_table *exempt = atomic_load_explicit(
			&app->exempt, memory_order_acquire);
		uint32_t got = 0;
		unsigned int i;

		for (i = 0; i < cfg->n_pairs; i++) {
			got += subscriber_burst(w, classifier, exempt,
						&cfg->pairs[i], burst);
			got += upstream_burst(w, &cfg->pairs[i], burst);
		}
		/* Done with this loop's classifier and exemptions: a reload
		 * waiting to free the old ones needs only this. */
		rte_rcu_qsbr_quiescent(app->qsbr, w->rcu_id);
		if (w->records != NULL)
			op25b_worker_records_tick(w, app);
		/* Relaxed stores: the control lcore reads both (a stalled
		 * worker's loops do not move; busy loops that move are
		 * traffic) while this lcore writes them. No clock read here:
		 * RDTSC took 2.5% of this lcore on 64-byte frames, and the
		 * control lcore's tick dates the traffic well enough. */
		__atomic_store_n(&stats->loops, stats->loops + 1,
				 __ATOMIC_RELAXED);
		if (got != 0)
			__atomic_store_n(&stats->busy_loops,
					 stats->busy_loops + 1,
					 __ATOMIC_RELAXED);
	}
	rte_rcu_qsbr_thread_offline(app->qsbr, w->rcu_id);
	return 0;
}
