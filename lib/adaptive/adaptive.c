/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The adaptive table: creation, the data-path account, and the control
 * lcore's views (lookup, clear, sweep, totals, walk).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_pause.h>
#include <rte_prefetch.h>

#include "adaptive_priv.h"

/* ------------------------------------------------------------------ */
/* Creation                                                            */

/* @s seconds in ticks of @hz, at most 2^62: the loader allows 2^32 - 1
 * seconds, which passes 2^64 on a clock over 4.29 GHz (a block of 136
 * years would wrap to a fraction of it), and deadlines are the clock plus
 * this. 2^62 ticks are decades at any such clock. */
static uint64_t
seconds_to_ticks(uint32_t s, uint64_t hz)
{
	const uint64_t most = UINT64_C(1) << 62;

	return hz != 0 && s > most / hz ? most : (uint64_t)s * hz;
}

static uint64_t
tsc_clock(void *ctx)
{
	(void)ctx;
	return rte_rdtsc();
}

struct op25b_adaptive_table *
op25b_adaptive_create(const struct op25b_adaptive_params *params)
{
	struct op25b_adaptive_table *t;
	uint32_t n_buckets;
	uint64_t n;
	size_t size;

	if (params == NULL || params->sz < sizeof(*params) ||
	    params->entries < OP25B_ADAPTIVE_MIN_ENTRIES ||
	    params->entries > (1u << 30) ||
	    (params->clock != NULL && params->hz == 0)) {
		rte_errno = EINVAL;
		return NULL;
	}
	n_buckets = (params->entries + ADAPTIVE_WAYS - 1) / ADAPTIVE_WAYS;
	n = (uint64_t)n_buckets * ADAPTIVE_WAYS;
	/* One block, so that nothing is half made: the table, then its keys,
	 * their entries and their destination records, each array on a
	 * cache line (the table fills whole lines, a bucket's keys one, an
	 * entry and a record one each). */
	size = sizeof(*t) +
	       n * (sizeof(*t->keys) + sizeof(*t->entries) + sizeof(*t->dests));
	t = rte_zmalloc_socket("op25b_adaptive", size, RTE_CACHE_LINE_SIZE,
			       params->socket_id);
	if (t == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	t->head.n_buckets = n_buckets;
	t->keys = (void *)(t + 1);
	t->head.keys = (const void *)t->keys;
	t->entries = (void *)(t->keys + n);
	t->dests = (void *)(t->entries + n);
	t->memory = size;
	t->single_writer = params->single_writer;
	if (params->clock != NULL) {
		t->clock = params->clock;
		t->clock_ctx = params->clock_ctx;
		t->hz = params->hz;
	} else {
		t->clock = tsc_clock;
		t->hz = rte_get_tsc_hz();
	}
	return t;
}

void
op25b_adaptive_free(struct op25b_adaptive_table *t)
{
	/* The keys, entries and records are in the table's block. */
	rte_free(t);
}

bool
op25b_adaptive_single_writer(const struct op25b_adaptive_table *t)
{
	return t->single_writer;
}

size_t
op25b_adaptive_memory(const struct op25b_adaptive_table *t)
{
	return t == NULL ? 0 : t->memory;
}

uint32_t
op25b_adaptive_capacity(const struct op25b_adaptive_table *t)
{
	return t == NULL ? 0 : t->head.n_buckets * ADAPTIVE_WAYS;
}

uint64_t
op25b_adaptive_now(const struct op25b_adaptive_table *t)
{
	return t->clock(t->clock_ctx);
}

uint64_t
op25b_adaptive_hz(const struct op25b_adaptive_table *t)
{
	return t->hz;
}

int
op25b_adaptive_rule_init(const struct op25b_adaptive_table *t,
			 const struct op25b_adaptive_limit *limit,
			 uint8_t class_slot, struct op25b_adaptive_rule *rule)
{
	if (t == NULL || limit == NULL || rule == NULL || class_slot == 0 ||
	    limit->connections == 0 || limit->per_seconds == 0 ||
	    limit->block_seconds == 0 ||
	    limit->destinations > OP25B_ADAPTIVE_MAX_DESTINATIONS ||
	    (limit->ipv6_key != 0 &&
	     (limit->ipv6_key < 32 || limit->ipv6_key > 64)))
		return -EINVAL;
	memset(rule, 0, sizeof(*rule));
	rule->per_ticks = seconds_to_ticks(limit->per_seconds, t->hz);
	rule->sub_ticks = rule->per_ticks / OP25B_ADAPTIVE_SUBWINDOWS;
	if (rule->sub_ticks == 0)
		rule->sub_ticks = 1;
	rule->sub_divisor = rte_reciprocal_value_u64(rule->sub_ticks);
	rule->block_ticks = seconds_to_ticks(limit->block_seconds, t->hz);
	rule->connections = limit->connections;
	rule->destinations = limit->destinations;
	rule->ipv6_key = limit->ipv6_key == 0 ? 64 : limit->ipv6_key;
	rule->class_slot = class_slot;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Data path                                                           */

/* The public op25b_adaptive_bucket(): the parse loop's inline prefetch
 * and the account must agree on the bucket. */
static inline uint32_t
bucket_of(const struct op25b_adaptive_table *t, uint64_t key)
{
	return op25b_adaptive_bucket(t, key);
}

/* The way a full bucket evicts first for @key: bits the bucket index does
 * not use, so that sources of one bucket spread their evictions. */
static inline unsigned int
evict_start(uint64_t key)
{
	return (unsigned int)(key * 0xff51afd7ed558ccdull >> 61);
}

/*
 * A compare-and-swap of a word of the table by the data path. @shared: any
 * number of threads account (the table's default): a locked CAS. Else one
 * thread alone (op25b_adaptive_params.single_writer): a load and a store,
 * without the locked instruction's drain of the store buffer. That is
 * exact because nothing else writes these words but the control lcore,
 * and it only ever swaps a source's key for 0 (clear, sweep): a claim's
 * store that overwrites such a 0 takes the way all the same, as the CAS
 * would have a moment later. @shared is a constant in each instance of
 * account_at(), so each has one of the two, without a test. One for
 * the 64-bit words (keys, blocked_until), one for the 32-bit ones.
 */
#define DEFINE_CAS(name, type)                                                 \
	static __rte_always_inline bool name(bool shared, _Atomic type *obj,   \
					     type *expected, type desired)     \
	{                                                                      \
		type v;                                                        \
                                                                               \
		if (shared)                                                    \
			return atomic_compare_exchange_strong(obj, expected,   \
							      desired);        \
		v = atomic_load_explicit(obj, memory_order_relaxed);           \
		if (v != *expected) {                                          \
			*expected = v;                                         \
			return false;                                          \
		}                                                              \
		atomic_store_explicit(obj, desired, memory_order_relaxed);     \
		return true;                                                   \
	}
DEFINE_CAS(cas64, uint64_t)
DEFINE_CAS(cas32, uint32_t)

/* A way claimed (its key ADAPTIVE_KEY_CLAIMING) before its entry is set
 * up: the CAS is ordered before the entry's stores; a single writer's
 * plain store gets the fence (a compiler barrier on x86), so that the
 * marker is out before them too. That keeps the sweep and clear, which
 * swap only a key they read in use, off a way being set up. (lookup and
 * walk read a key, then its entry, and may show an entry half reset for
 * a new source in either kind of table: views, not counts.) */
static __rte_always_inline void
claimed(bool shared)
{
	if (!shared)
		atomic_thread_fence(memory_order_release);
}

/* Start loading the entry of @key in the bucket at @base once its line
 * is in cache: its own, or the one claim() would take first for it (a
 * free way, else, the churn of a full table, the first it may evict). */
static inline void
prefetch_entry_at(const struct op25b_adaptive_table *t, uint64_t base,
		  uint64_t key, bool destinations)
{
	struct adaptive_ways m = adaptive_scan(&t->keys[base], key);
	const struct adaptive_entry *e;
	unsigned int w;

	if (m.match != 0)
		w = (unsigned int)__builtin_ctz(m.match);
	else if (m.free != 0)
		w = (unsigned int)__builtin_ctz(m.free);
	else
		w = evict_start(key);
	e = &t->entries[base + w];
	rte_prefetch0(e);
	if (destinations)
		rte_prefetch0(&t->dests[base + w]);
}

void
op25b_adaptive_prefetch_entry(const struct op25b_adaptive_table *t,
			      uint64_t key, bool destinations)
{
	prefetch_entry_at(t, (uint64_t)bucket_of(t, key) * ADAPTIVE_WAYS, key,
			  destinations);
}

static inline struct adaptive_lcore_counts *
lcore_counts(struct op25b_adaptive_table *t)
{
	unsigned int id = rte_lcore_id();

	return &t->counts[id < RTE_MAX_LCORE ? id : RTE_MAX_LCORE];
}

/* The first way of @m.match, or -1. Acquire: a key is stored (release)
 * after its entry is set up, so whoever finds it sees the entry ready. */
static inline int
found_way(struct adaptive_ways m)
{
	if (m.match == 0)
		return -1;
	atomic_thread_fence(memory_order_acquire);
	return __builtin_ctz(m.match);
}

/* The way of @key in its bucket, or -1. */
static inline int
find_way(const struct op25b_adaptive_table *t, uint64_t base, uint64_t key)
{
	return found_way(adaptive_scan(&t->keys[base], key));
}

/* The entry started anew under @rule, but for its block, which whoever
 * holds the entry sets (a claim: 0; entry_restart(): 0 once this is
 * done). The rule's sub-window and class go last, released: a worker that
 * reads them (acquire) as this rule's, and so does not restart the entry
 * itself, reads the cleared window too, not the old class's or `per`'s
 * counts (it blocked on those before). */
static void
entry_reset(struct adaptive_entry *e, _Atomic uint32_t *dest,
	    const struct op25b_adaptive_rule *rule, uint64_t now)
{
	atomic_store_explicit(&e->expire_at, now + rule->per_ticks,
			      memory_order_relaxed);
	adaptive_zero_words(e->window, OP25B_ADAPTIVE_SUBWINDOWS);
	atomic_store_explicit(&e->dest_valid, rule->destinations != 0,
			      memory_order_relaxed);
	if (rule->destinations != 0)
		adaptive_zero_words(dest, OP25B_ADAPTIVE_MAX_DESTINATIONS);
	atomic_store_explicit(&e->sub_ticks, rule->sub_ticks,
			      memory_order_release);
	atomic_store_explicit(&e->class_slot, rule->class_slot,
			      memory_order_release);
}

/* Whether @e counts under another rule than @rule: another class or
 * `per` (acquire: as entry_reset() released them, the cleared window with
 * them). */
static __rte_always_inline bool
entry_rule_changed(const struct adaptive_entry *e,
		   const struct op25b_adaptive_rule *rule)
{
	return atomic_load_explicit(&e->class_slot, memory_order_acquire) !=
		       rule->class_slot ||
	       atomic_load_explicit(&e->sub_ticks, memory_order_acquire) !=
		       rule->sub_ticks;
}

#ifdef OP25B_TEST_HOOKS
unsigned int op25b_adaptive_restart_spins = ADAPTIVE_RESTART_SPINS;
#define RESTART_SPINS op25b_adaptive_restart_spins
#else
#define RESTART_SPINS ADAPTIVE_RESTART_SPINS
#endif

/* What entry_restart() leaves a packet: its verdict, or to be counted. */
enum restart_outcome {
	RESTART_PASS = OP25B_ADAPTIVE_PASS,
	RESTART_BLOCK = OP25B_ADAPTIVE_BLOCK,
	RESTART_COUNT,
};

/*
 * A packet of a source whose entry is not plainly its rule's: blocked
 * (@blocked_until, read with acquire), its block over, or counted under
 * another class or `per` (a reload moved it). A blocked source's packet
 * is blocked, a segment of any other passes; a SYN starts the entry anew
 * (unless another worker did), then counts.
 *
 * One SYN restarts it: the one whose CAS swaps blocked_until for
 * ADAPTIVE_RESTARTING; blocked_until goes back to 0 (a CAS from the
 * marker, release) once the window is cleared. So no worker counts in the
 * old window after the block (its count, over the limit, blocked the
 * source again for a whole block_for) and no restart clears a SYN another
 * worker counted in the new one (N+1 passed): a SYN that meets the marker
 * waits for the restart (a few stores), then counts in the cleared
 * window. One whose wait runs out (the restarting worker preempted: two
 * workers on one CPU) passes uncounted: the block is over, or the source
 * was never blocked. The winner of a CAS from 0 looks again at the rule's
 * words: another worker may have restarted the entry between its reading
 * and the CAS, and a second restart would clear the SYNs counted since.
 * The final CAS leaves the entry alone if it went to another source
 * meanwhile (cleared by the control lcore, claimed again: its claim
 * stored 0, and maybe a block of its own since).
 */
static __rte_noinline enum restart_outcome
entry_restart(struct adaptive_entry *e, _Atomic uint32_t *dest,
	      const struct op25b_adaptive_rule *rule, uint64_t now,
	      uint64_t blocked_until, bool syn, bool shared)
{
	const unsigned int most = RESTART_SPINS;
	uint64_t expected;
	unsigned int i;

	/* Each turn reads blocked_until once (a wait for the marker, or a
	 * CAS another worker's change beat); the last reading is honoured.
	 * The XDP program's adaptive_restart() is the same loop. */
	for (i = 0;; i++) {
		if (blocked_until == ADAPTIVE_RESTARTING) {
			if (!syn || i == most)
				return RESTART_PASS;
			rte_pause();
			blocked_until = atomic_load_explicit(
				&e->blocked_until, memory_order_acquire);
			continue;
		}
		if (now < blocked_until)
			return RESTART_BLOCK;
		if (!syn)
			return RESTART_PASS;
		if (blocked_until == 0 && !entry_rule_changed(e, rule))
			return RESTART_COUNT;
		if (i == most)
			return RESTART_PASS;
		expected = blocked_until;
		if (cas64(shared, &e->blocked_until, &expected,
			  ADAPTIVE_RESTARTING))
			break;
		blocked_until = expected;
	}
	if (blocked_until != 0 || entry_rule_changed(e, rule))
		entry_reset(e, dest, rule, now);
	expected = ADAPTIVE_RESTARTING;
	if (shared)
		atomic_compare_exchange_strong_explicit(
			&e->blocked_until, &expected, 0, memory_order_release,
			memory_order_relaxed);
	else
		atomic_store_explicit(&e->blocked_until, 0,
				      memory_order_release);
	return RESTART_COUNT;
}

/*
 * Empty the words of @words (a free word, 0, is left; so is a folded
 * way's marker) of an entry whose window has expired: no SYN for `per`
 * up to @now (@expire_at). Every word it holds is then older than the
 * window, or another worker's SYN counted since the expiry: that worker
 * stored expire_at (past @now) before its CAS on the word, so a word read
 * with acquire whose expire_at, read after it, is still at or before
 * @now is none of those, and goes, in the window or not. So a SYN
 * counted meanwhile stays (clearing the whole window, as before, let N+1
 * pass), and a word of a source idle for a multiple of the 16-bit
 * sub-window index's range (65536 sub-windows: 2.3 h at per: 1s, with no
 * sweep to free the entry: op25b-policy replay), which reads as in the
 * window again, goes too.
 */
static __rte_noinline void
clear_expired(_Atomic uint32_t *words, unsigned int n, uint32_t epoch,
	      bool window, const _Atomic uint64_t *expire_at, uint64_t now,
	      bool shared)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint32_t v =
			atomic_load_explicit(&words[i], memory_order_acquire);

		if (v == 0 || (window && v == ADAPTIVE_WINDOW_FOLDED))
			continue;
		if (adaptive_word_in_window(v, epoch) &&
		    now < atomic_load_explicit(expire_at, memory_order_relaxed))
			continue; /* counted since the expiry */
		cas32(shared, &words[i], &v, 0);
	}
}

/* A way for a new source, held as ADAPTIVE_KEY_CLAIMING: a free one (of
 * @free, the scan's), else the first (from a place the key picks) whose
 * source is not blocked, which is evicted when its window still counts.
 * Blocked sources are never evicted: a table full of them leaves new
 * sources untracked (table_full). Inlined: a churning table claims for
 * every other SYN, and the call cost 13 instructions a packet.
 * @return the way, or -1. */
static __rte_always_inline int
claim(struct op25b_adaptive_table *t, uint64_t base, uint32_t free,
      uint64_t key, uint64_t now, bool shared)
{
	struct adaptive_lcore_counts *cnt;
	unsigned int start = evict_start(key);
	unsigned int i;
	uint64_t old;
	int w;

	for (; free != 0; free &= free - 1) {
		w = __builtin_ctz(free);
		old = 0;
		if (cas64(shared, &t->keys[base + w], &old,
			  ADAPTIVE_KEY_CLAIMING)) {
			claimed(shared);
			return w;
		}
	}
	cnt = lcore_counts(t);
	for (i = 0; i < ADAPTIVE_WAYS; i++) {
		struct adaptive_entry *e;

		w = (int)((start + i) % ADAPTIVE_WAYS);
		e = &t->entries[base + w];
		old = atomic_load_explicit(&t->keys[base + w],
					   memory_order_relaxed);
		/* Not a way being set up, nor the source itself (another
		 * worker published it since the scan: evicting it would
		 * lose its SYN and count an eviction that is none; the
		 * duplicate this leaves is folded, fold_duplicates()). */
		if (old == ADAPTIVE_KEY_CLAIMING || old == key ||
		    now < atomic_load_explicit(&e->blocked_until,
					       memory_order_relaxed))
			continue;
		if (!cas64(shared, &t->keys[base + w], &old,
			   ADAPTIVE_KEY_CLAIMING))
			continue;
		claimed(shared);
		if (old != 0 &&
		    now < atomic_load_explicit(&e->expire_at,
					       memory_order_relaxed))
			cnt->evicted++;
		return w;
	}
	cnt->table_full++;
	return -1;
}

/*
 * Empty the words of @words (but @keep) that are out of the window of
 * @epoch. A word is rewritten only when a SYN falls in its sub-window:
 * left alone, an out-of-window word of a source that stays active (its
 * SYNs less than `per` apart, so its entry never resets) would come back
 * into the window when the 16-bit sub-window index wraps (65536
 * sub-windows: 2.3 h at per: 1s) and count again. Emptied here, it
 * never lives that long. A lost race leaves the word to the next call.
 */
static __rte_noinline void
clear_stale(_Atomic uint32_t *words, unsigned int n, uint32_t epoch,
	    unsigned int keep, bool shared)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint32_t v =
			atomic_load_explicit(&words[i], memory_order_relaxed);

		/* A folded way's marker stays: a late SYN must meet it. */
		if (i != keep && v != 0 && v != ADAPTIVE_WINDOW_FOLDED &&
		    adaptive_word_stale(v, epoch))
			cas32(shared, &words[i], &v, 0);
	}
}

/* Count one SYN in the sub-window of @epoch; return the SYNs in the
 * window, this one included. Its own sub-window's count is the one its
 * CAS wrote, not a later reading: two SYNs racing in one sub-window then
 * see N and N+1, never both N+1, so the block is exact. The first SYN of
 * a sub-window empties the words that have left the window (clear_stale():
 * once a sub-window, off the per-SYN path). 0 (shared tables): the way was
 * folded into another since this SYN found it, nothing counted here; the
 * SYN looks its source up again. */
static __rte_always_inline uint32_t
count_syn(struct adaptive_entry *e, uint32_t epoch, bool shared)
{
	unsigned int own = epoch % OP25B_ADAPTIVE_SUBWINDOWS;
	_Atomic uint32_t *slot = &e->window[own];
	uint32_t old = atomic_load_explicit(slot, memory_order_relaxed);
	uint32_t next;

	do {
		if (shared && unlikely(old == ADAPTIVE_WINDOW_FOLDED))
			return 0;
		if ((old & ADAPTIVE_EPOCH_MASK) == epoch && old != 0)
			next = (old >> 16) < ADAPTIVE_COUNT_MAX
				       ? old + (1u << 16)
				       : old;
		else
			next = 1u << 16 | epoch;
	} while (!cas32(shared, slot, &old, next));
	if (unlikely(next >> 16 == 1))
		clear_stale(e->window, OP25B_ADAPTIVE_SUBWINDOWS, epoch, own,
			    shared);
	return (next >> 16) + adaptive_window_sum(e->window, epoch, own);
}

/* Note destination @dest at @epoch; return the distinct destinations in
 * the window, this one included (OP25B_ADAPTIVE_MAX_DESTINATIONS + 1 when
 * there is no room left for it). */
static __rte_always_inline uint32_t
count_dest(_Atomic uint32_t *words, uint16_t dest, uint32_t epoch, bool shared)
{
	uint32_t word = (uint32_t)dest << 16 | epoch;
	unsigned int tries, i;

	for (tries = 0; tries < 4; tries++) {
		uint32_t distinct = 1, v, free_v = 0;
		int found = -1, free_at = -1;
		bool stale = false;

		for (i = 0; i < OP25B_ADAPTIVE_MAX_DESTINATIONS; i++) {
			v = atomic_load_explicit(&words[i],
						 memory_order_relaxed);
			if (v != 0 && (v >> 16) == dest) {
				found = (int)i;
				continue;
			}
			if (v != 0 && adaptive_word_in_window(v, epoch))
				distinct++;
			else if (free_at < 0) {
				free_at = (int)i;
				free_v = v;
			}
			stale |= v != 0 && adaptive_word_stale(v, epoch);
		}
		/* Out-of-window words: emptied before the index wraps them
		 * back in (clear_stale()); the free word this SYN takes is
		 * written below. */
		if (unlikely(stale))
			clear_stale(words, OP25B_ADAPTIVE_MAX_DESTINATIONS,
				    epoch,
				    found < 0 && free_at >= 0
					    ? (unsigned int)free_at
					    : OP25B_ADAPTIVE_MAX_DESTINATIONS,
				    shared);
		/* Release: clear_expired() reads expire_at, stored before,
		 * after a word it finds in the window. */
		if (found >= 0) {
			atomic_store_explicit(&words[found], word,
					      memory_order_release);
			return distinct;
		}
		if (free_at < 0)
			return OP25B_ADAPTIVE_MAX_DESTINATIONS + 1;
		if (cas32(shared, &words[free_at], &free_v, word))
			return distinct;
	}
	/* Lost four races for a free record to other workers' SYNs of the
	 * same source: it is spraying. */
	return OP25B_ADAPTIVE_MAX_DESTINATIONS + 1;
}

/* Whether window or destination word @a is of a later sub-window than
 * @b (by up to half the index's range, as adaptive_word_stale() judges). */
static inline bool
word_newer(uint32_t a, uint32_t b)
{
	uint32_t d = (a - b) & ADAPTIVE_EPOCH_MASK;

	return d != 0 && d <= ADAPTIVE_EPOCH_MASK / 2;
}

/* Add window word @v (of another way of the same source) into @words:
 * summed with the word of the same sub-window, or in its place when that
 * one is older. A word left behind the window of @epoch is not added; one
 * ahead of it is (another worker's burst read the clock a little later).
 * Returns false when @words are a folded way's (fold_into()). */
static bool
merge_window_word(_Atomic uint32_t *words, uint32_t v, uint32_t epoch)
{
	_Atomic uint32_t *slot;
	uint32_t old, next, count;

	if (v == 0 || v == ADAPTIVE_WINDOW_FOLDED ||
	    adaptive_word_stale(v, epoch))
		return true;
	slot = &words[(v & ADAPTIVE_EPOCH_MASK) % OP25B_ADAPTIVE_SUBWINDOWS];
	old = atomic_load_explicit(slot, memory_order_relaxed);
	do {
		if (old == ADAPTIVE_WINDOW_FOLDED)
			return false;
		if (old != 0 &&
		    (old & ADAPTIVE_EPOCH_MASK) == (v & ADAPTIVE_EPOCH_MASK)) {
			count = (old >> 16) + (v >> 16);
			next = (RTE_MIN(count, ADAPTIVE_COUNT_MAX) << 16) |
			       (old & ADAPTIVE_EPOCH_MASK);
		} else if (old == 0 || word_newer(v, old)) {
			next = v;
		} else {
			return true; /* a newer sub-window holds the word */
		}
	} while (!atomic_compare_exchange_weak(slot, &old, next));
	return true;
}

/* Add destination word @d (of another way of the same source) into
 * @words: a destination they share keeps the newer sub-window of the
 * two, a new one takes a free word or one left behind the window of
 * @epoch. (count_dest() would judge at @d's own sub-window: newer words
 * would look stale to it.) */
static void
merge_dest_word(_Atomic uint32_t *words, uint32_t d, uint32_t epoch)
{
	int free_at = -1;
	uint32_t free_v = 0, v;
	unsigned int i;

	if (d == 0 || adaptive_word_stale(d, epoch))
		return;
	for (i = 0; i < OP25B_ADAPTIVE_MAX_DESTINATIONS; i++) {
		v = atomic_load_explicit(&words[i], memory_order_relaxed);
		if (v != 0 && (v >> 16) == (d >> 16)) {
			if (word_newer(d, v))
				atomic_compare_exchange_strong(&words[i], &v,
							       d);
			return;
		}
		if (free_at < 0 && (v == 0 || adaptive_word_stale(v, epoch))) {
			free_at = (int)i;
			free_v = v;
		}
	}
	if (free_at >= 0)
		atomic_compare_exchange_strong(&words[free_at], &free_v, d);
}

/* What a fold took from a way: its window words (0 once added), its
 * destination words (when it kept them) and its block. */
struct folded_way {
	uint32_t window[OP25B_ADAPTIVE_SUBWINDOWS];
	uint32_t dests[OP25B_ADAPTIVE_MAX_DESTINATIONS];
	bool has_dests;
	uint64_t blocked_until;
};

/* Add @f into way @lo of @key's bucket. A third worker may fold that way
 * into a lower one meanwhile: a window word that meets its marker is
 * added to the way the bucket then has for @key (the destinations and
 * block again too: both merges keep what is there). The destinations go
 * first, and the block, so that such a fold, whose exchange takes a word
 * after this merge's CAS on it, reads them after they are written.
 * Returns the way that holds them, or -1 when the source is gone
 * (cleared). */
static int
fold_into(struct op25b_adaptive_table *t, uint64_t base, uint64_t key,
	  unsigned int lo, struct folded_way *f, uint32_t epoch)
{
	unsigned int tries, i;

	for (tries = 0; tries < 4; tries++) {
		struct adaptive_entry *to = &t->entries[base + lo];
		_Atomic uint32_t *to_dests = t->dests[base + lo].word;
		struct adaptive_ways m;
		uint64_t expected;
		bool moved = false;

		if (f->has_dests)
			for (i = 0; i < OP25B_ADAPTIVE_MAX_DESTINATIONS; i++)
				merge_dest_word(to_dests, f->dests[i], epoch);
		expected = atomic_load_explicit(&to->blocked_until,
						memory_order_relaxed);
		while (f->blocked_until > expected &&
		       !atomic_compare_exchange_weak(
			       &to->blocked_until, &expected, f->blocked_until))
			;
		for (i = 0; i < OP25B_ADAPTIVE_SUBWINDOWS; i++) {
			if (merge_window_word(to->window, f->window[i], epoch))
				f->window[i] = 0;
			else
				moved = true;
		}
		if (!moved)
			return (int)lo;
		m = adaptive_scan(&t->keys[base], key);
		if (m.match == 0)
			return -1;
		lo = (unsigned int)__builtin_ctz(m.match);
	}
	return (int)lo; /* four folds stacked on one source: left */
}

/*
 * Two workers that see a new source's first SYNs at once both miss its
 * key and claim a way each: two ways of one key, the later lookups find
 * the lower one, and the SYNs counted in the other would be forgotten
 * (with RSS spreading a burst over two queues, up to twice the limit
 * passed). After publishing its key a worker looks again (after a full
 * fence: of two workers that publish at once, at least one sees the
 * other's key) and folds every higher way of the key into the lowest:
 * the way is held (ADAPTIVE_KEY_CLAIMING: no claim, lookup, sweep or
 * clear takes it) while its window, destinations and block are added to
 * the lowest's (fold_into()), then freed; one CAS decides who folds it.
 * Returns the way the source now has (-1: none, it was cleared). Shared
 * tables only: one writer has no race.
 *
 * A worker that found the higher way a moment before may still be
 * counting in it: each window word is taken by an exchange that leaves
 * ADAPTIVE_WINDOW_FOLDED, so that worker's CAS either came first (and its
 * SYN is in the word taken) or meets the marker and counts again in the
 * lowest way (count_syn()). account_at() notes the destination before
 * the SYN, so a destination noted in the higher way is there before the
 * word is taken, and read here after it.
 */
static __rte_noinline int
fold_duplicates(struct op25b_adaptive_table *t, uint64_t base, uint64_t key,
		uint32_t epoch, uint32_t match)
{
	int lo = __builtin_ctz(match);
	unsigned int i;

	for (match &= match - 1; match != 0 && lo >= 0; match &= match - 1) {
		unsigned int w = (unsigned int)__builtin_ctz(match);
		struct adaptive_entry *from = &t->entries[base + w];
		_Atomic uint32_t *from_dests = t->dests[base + w].word;
		uint64_t expected = key;
		struct folded_way f;

		/* A rescan (fold_into()) may have made a later way of
		 * @match the lowest: it is the one kept. */
		if ((int)w == lo || !atomic_compare_exchange_strong(
					    &t->keys[base + w], &expected,
					    ADAPTIVE_KEY_CLAIMING))
			continue; /* another worker folds it */
		for (i = 0; i < OP25B_ADAPTIVE_SUBWINDOWS; i++)
			f.window[i] = atomic_exchange(&from->window[i],
						      ADAPTIVE_WINDOW_FOLDED);
		f.has_dests = atomic_load_explicit(&from->dest_valid,
						   memory_order_relaxed);
		if (f.has_dests)
			for (i = 0; i < OP25B_ADAPTIVE_MAX_DESTINATIONS; i++)
				f.dests[i] = atomic_load_explicit(
					&from_dests[i], memory_order_relaxed);
		f.blocked_until = atomic_load_explicit(&from->blocked_until,
						       memory_order_relaxed);
		if (f.blocked_until == ADAPTIVE_RESTARTING)
			f.blocked_until = 0; /* a restart is no block */
		lo = fold_into(t, base, key, (unsigned int)lo, &f, epoch);
		atomic_store_explicit(&t->keys[base + w], 0,
				      memory_order_release);
	}
	return lo;
}

#ifdef OP25B_TEST_HOOKS
int
op25b_adaptive_fold_test(struct op25b_adaptive_table *t, uint64_t key,
			 uint32_t epoch, uint32_t match)
{
	return fold_duplicates(
		t, (uint64_t)op25b_adaptive_bucket(t, key) * ADAPTIVE_WAYS, key,
		epoch, match);
}
#endif

/* The sub-window of @now under @rule (modulo 65536). */
static inline uint32_t
epoch_of(const struct op25b_adaptive_rule *rule, uint64_t now)
{
	return (uint32_t)rte_reciprocal_divide_u64(now, &rule->sub_divisor) &
	       ADAPTIVE_EPOCH_MASK;
}

/* op25b_adaptive_account() on the bucket at @base, @key's (inlined into
 * the one-packet and the burst entry points: the same code for both);
 * @epoch is epoch_of(@rule, @now), which a burst computes once per rule. */
static __rte_always_inline enum op25b_adaptive_verdict
account_at(struct op25b_adaptive_table *t,
	   const struct op25b_adaptive_rule *rule, uint64_t base, uint64_t key,
	   uint16_t dest, bool syn, uint64_t now, uint32_t epoch, bool shared)
{
	uint64_t blocked_until, expected;
	enum restart_outcome restart;
	struct adaptive_ways m;
	struct adaptive_entry *e;
	_Atomic uint32_t *dwords;
	uint32_t conns, dests = 0;
	unsigned int lookups = 0;
	int w;

again:
	/* One read of the bucket: the key's way, or the free ways a new
	 * source claims from. */
	m = adaptive_scan(&t->keys[base], key);
	w = found_way(m);
	if (w < 0) {
		if (!syn)
			return OP25B_ADAPTIVE_PASS;
		w = claim(t, base, m.free, key, now, shared);
		if (w < 0)
			return OP25B_ADAPTIVE_PASS;
		e = &t->entries[base + w];
		dwords = t->dests[base + w].word;
		atomic_store_explicit(&e->blocked_until, 0,
				      memory_order_relaxed);
		entry_reset(e, dwords, rule, now);
		if (!shared) {
			/* A new source: its entry starts with this SYN
			 * counted. One SYN and one destination are within
			 * any limit (both are at least 1): no window to
			 * sum. */
			atomic_store_explicit(
				&e->window[epoch % OP25B_ADAPTIVE_SUBWINDOWS],
				1u << 16 | epoch, memory_order_relaxed);
			if (rule->destinations != 0)
				atomic_store_explicit(&dwords[0],
						      (uint32_t)dest << 16 |
							      epoch,
						      memory_order_relaxed);
			atomic_store_explicit(&t->keys[base + w], key,
					      memory_order_release);
			return OP25B_ADAPTIVE_PASS;
		}
		/* Shared: published empty; this SYN counts below, by the
		 * CAS every SYN of the source counts with, which orders it
		 * among other workers' (counted before publishing, its
		 * verdict was read from a sum, and two workers could each
		 * see the other's SYN: both blocked under a limit of 1).
		 * Another worker may have claimed a way for the same new
		 * source meanwhile (fold_duplicates()); the SYN counts in
		 * the way the source keeps. */
		atomic_store_explicit(&t->keys[base + w], key,
				      memory_order_release);
		atomic_thread_fence(memory_order_seq_cst);
		m = adaptive_scan(&t->keys[base], key);
		if (unlikely((m.match & (m.match - 1)) != 0))
			w = fold_duplicates(t, base, key, epoch, m.match);
		else
			w = m.match != 0 ? __builtin_ctz(m.match) : -1;
		if (w < 0)
			return OP25B_ADAPTIVE_PASS; /* cleared meanwhile */
	}
	e = &t->entries[base + w];
	dwords = t->dests[base + w].word;
	/* Blocked, its block over, or counted under another class or `per`
	 * (a reload moved the source, or one key stands for sources of two
	 * classes: an IPv6 /56 key and another class's /64 inside it): its
	 * count does not carry over, but a block runs on; lifting it would
	 * let a source unblock itself through a SYN of the other class. */
	blocked_until =
		atomic_load_explicit(&e->blocked_until, memory_order_acquire);
	/* entry_rule_changed() spelled out: through it gcc gave the burst
	 * loop 3.9 more instructions a packet (callgrind, --churn 65536). */
	if (unlikely(
		    blocked_until != 0 ||
		    atomic_load_explicit(&e->class_slot,
					 memory_order_acquire) !=
			    rule->class_slot ||
		    atomic_load_explicit(&e->sub_ticks, memory_order_acquire) !=
			    rule->sub_ticks)) {
		if (likely(now < blocked_until) &&
		    blocked_until != ADAPTIVE_RESTARTING)
			return OP25B_ADAPTIVE_BLOCK;
		restart = entry_restart(e, dwords, rule, now, blocked_until,
					syn, shared);
		if (restart != RESTART_COUNT)
			return (enum op25b_adaptive_verdict)restart;
	}
	if (!syn)
		return OP25B_ADAPTIVE_PASS;
	/* No SYN for `per`: the words left are out of the window (or a
	 * racing worker's SYN, in it, which stays). */
	if (unlikely(now >= atomic_load_explicit(&e->expire_at,
						 memory_order_relaxed))) {
		clear_expired(e->window, OP25B_ADAPTIVE_SUBWINDOWS, epoch, true,
			      &e->expire_at, now, shared);
		if (rule->destinations != 0 &&
		    atomic_load_explicit(&e->dest_valid, memory_order_relaxed))
			clear_expired(dwords, OP25B_ADAPTIVE_MAX_DESTINATIONS,
				      epoch, false, &e->expire_at, now, shared);
	}
	atomic_store_explicit(&e->expire_at, now + rule->per_ticks,
			      memory_order_relaxed);
	/* Destination first: a fold whose exchange takes this SYN's word
	 * reads this destination too (fold_duplicates()). */
	if (rule->destinations != 0) {
		/* Counted so far without destinations (a reload added the
		 * limit): they start now. */
		if (unlikely(!atomic_load_explicit(&e->dest_valid,
						   memory_order_relaxed))) {
			adaptive_zero_words(dwords,
					    OP25B_ADAPTIVE_MAX_DESTINATIONS);
			atomic_store_explicit(&e->dest_valid, 1,
					      memory_order_relaxed);
		}
		dests = count_dest(dwords, dest, epoch, shared);
	}
	conns = count_syn(e, epoch, shared);
	if (shared && unlikely(conns == 0)) {
		/* The way was folded into the source's lowest meanwhile: this
		 * SYN counts there. A fold frees the way it marks, so a
		 * second look finds the lowest; only folds stacked four deep
		 * on one source would reach the bound (the SYN then passes
		 * uncounted). */
		if (++lookups < 4)
			goto again;
		return OP25B_ADAPTIVE_PASS;
	}
	if (likely(conns <= rule->connections && dests <= rule->destinations))
		return OP25B_ADAPTIVE_PASS;
	expected = 0;
	if (cas64(shared, &e->blocked_until, &expected,
		  now + rule->block_ticks)) {
		struct adaptive_lcore_counts *cnt = lcore_counts(t);

		/* Shared: the way may have gone to another source since it
		 * was found (evicted by a worker whose check of
		 * blocked_until came before this block, or cleared and
		 * claimed again); that source is not this one to block. The
		 * key is read again once the block is visible; if it
		 * changed, the block is taken back (if still this one's)
		 * and the SYN looked up again. */
		if (shared) {
			atomic_thread_fence(memory_order_seq_cst);
			if (unlikely(atomic_load_explicit(
					     &t->keys[base + w],
					     memory_order_relaxed) != key)) {
				expected = now + rule->block_ticks;
				cas64(shared, &e->blocked_until, &expected, 0);
				if (++lookups < 4)
					goto again;
				return OP25B_ADAPTIVE_PASS;
			}
		}
		cnt->triggered++;
		cnt->class_triggered[rule->class_slot]++;
	}
	return OP25B_ADAPTIVE_BLOCK;
}

enum op25b_adaptive_verdict
op25b_adaptive_account(struct op25b_adaptive_table *t,
		       const struct op25b_adaptive_rule *rule, uint64_t key,
		       uint16_t dest, bool syn, uint64_t now)
{
	uint64_t base;

	if (unlikely(key == 0 || key == ADAPTIVE_KEY_CLAIMING))
		return OP25B_ADAPTIVE_PASS;
	base = (uint64_t)bucket_of(t, key) * ADAPTIVE_WAYS;
	if (t->single_writer)
		return account_at(t, rule, base, key, dest, syn, now,
				  epoch_of(rule, now), false);
	return account_at(t, rule, base, key, dest, syn, now,
			  epoch_of(rule, now), true);
}

void
op25b_adaptive_prefetch_burst(const struct op25b_adaptive_table *t,
			      const struct op25b_adaptive_rule *rules,
			      struct op25b_adaptive_req *reqs, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct op25b_adaptive_req *q = &reqs[i];

		q->base = bucket_of(t, q->key) * ADAPTIVE_WAYS;
		prefetch_entry_at(t, q->base, q->key,
				  rules[q->rule].destinations != 0);
	}
}

/* The burst account's loop, of one table kind (@shared, a constant). */
static __rte_always_inline void
account_burst(struct op25b_adaptive_table *t,
	      const struct op25b_adaptive_rule *rules,
	      const struct op25b_adaptive_req *reqs, unsigned int n,
	      uint64_t now, uint8_t *verdicts, bool shared)
{
	unsigned int i, first = reqs[0].rule;
	uint32_t first_epoch = epoch_of(&rules[first], now);

	for (i = 0; i < n; i++) {
		const struct op25b_adaptive_req *q = &reqs[i];
		const struct op25b_adaptive_rule *rule = &rules[q->rule];

		verdicts[i] =
			unlikely(q->key == 0 || q->key == ADAPTIVE_KEY_CLAIMING)
				? OP25B_ADAPTIVE_PASS
				: (uint8_t)account_at(
					  t, rule, q->base, q->key, q->dest,
					  q->syn, now,
					  likely(q->rule == first)
						  ? first_epoch
						  : epoch_of(rule, now),
					  shared);
	}
}

/* One packet after another, in order, each with its own scan: a source
 * twice in a burst finds the entry its first SYN claimed, so the counts
 * are those of op25b_adaptive_account() packet by packet. The sub-window
 * is the same for every packet of one rule (one clock reading a burst):
 * divided once for the rule of the first request (a burst's adaptive
 * packets are mostly of one class), per packet for the others (callgrind's
 * churn: 476.6 -> 471.6 instructions a packet; a running "last rule" kept
 * two more registers live and cost as much as it saved). */
void
op25b_adaptive_account_burst(struct op25b_adaptive_table *t,
			     const struct op25b_adaptive_rule *rules,
			     const struct op25b_adaptive_req *reqs,
			     unsigned int n, uint64_t now, uint8_t *verdicts)
{
	if (n == 0)
		return;
	if (t->single_writer)
		account_burst(t, rules, reqs, n, now, verdicts, false);
	else
		account_burst(t, rules, reqs, n, now, verdicts, true);
}

/* ------------------------------------------------------------------ */
/* Control lcore                                                       */

/* An entry's block as the views show it: a restart under way
 * (ADAPTIVE_RESTARTING) is a block over. */
static uint64_t
view_blocked_until(const struct adaptive_entry *e)
{
	uint64_t blocked_until = atomic_load(&e->blocked_until);

	return blocked_until == ADAPTIVE_RESTARTING ? 0 : blocked_until;
}

static void
entry_info(const struct adaptive_entry *e, const _Atomic uint32_t *dest,
	   uint64_t key, uint64_t now, struct op25b_adaptive_info *info)
{
	uint64_t blocked_until = view_blocked_until(e);
	uint64_t expire_at = atomic_load(&e->expire_at);
	uint64_t sub_ticks = atomic_load(&e->sub_ticks);
	uint32_t epoch, v;
	unsigned int i;

	memset(info, 0, sizeof(*info));
	info->key = key;
	info->class_slot = (uint8_t)atomic_load(&e->class_slot);
	info->sub_ticks = sub_ticks;
	if (now < blocked_until)
		info->blocked_ticks_left = blocked_until - now;
	if (now < expire_at)
		info->idle_ticks_left = expire_at - now;
	else
		return;
	/* A block over: the next SYN starts the count from zero (the data
	 * path's reset), so the old window's count, over the limit, is
	 * no longer the source's (show adaptive said "6 connections, not
	 * blocked" under a limit of 5, and top ranked it so). */
	if (blocked_until != 0 && now >= blocked_until)
		return;
	/* The window as a SYN now would see it. */
	epoch = (uint32_t)(now / (sub_ticks ? sub_ticks : 1)) &
		ADAPTIVE_EPOCH_MASK;
	info->connections = adaptive_window_sum(e->window, epoch,
						OP25B_ADAPTIVE_SUBWINDOWS);
	for (i = 0;
	     atomic_load(&e->dest_valid) && i < OP25B_ADAPTIVE_MAX_DESTINATIONS;
	     i++) {
		v = atomic_load(&dest[i]);
		if (v != 0 && adaptive_word_in_window(v, epoch))
			info->destinations++;
	}
}

/* A key that names a source (not a free way, not one being set up). */
static inline bool
key_in_use(uint64_t k)
{
	return k != 0 && k != ADAPTIVE_KEY_CLAIMING;
}

static bool
entry_live(const struct adaptive_entry *e, uint64_t now)
{
	/* A restart under way is live: the sweep leaves it to finish. */
	return now < atomic_load(&e->blocked_until) ||
	       now < atomic_load(&e->expire_at);
}

int
op25b_adaptive_lookup(const struct op25b_adaptive_table *t, uint64_t key,
		      uint64_t now, struct op25b_adaptive_info *info)
{
	uint64_t base;
	int w;

	if (t == NULL || info == NULL)
		return -EINVAL;
	if (key == 0 || key == ADAPTIVE_KEY_CLAIMING)
		return -ENOENT;
	base = (uint64_t)bucket_of(t, key) * ADAPTIVE_WAYS;
	w = find_way(t, base, key);
	if (w < 0 || !entry_live(&t->entries[base + w], now))
		return -ENOENT;
	entry_info(&t->entries[base + w], t->dests[base + w].word, key, now,
		   info);
	return 0;
}

int
op25b_adaptive_clear(struct op25b_adaptive_table *t, uint64_t key)
{
	uint64_t base, old = key;
	int w;

	if (t == NULL || key == 0 || key == ADAPTIVE_KEY_CLAIMING)
		return -ENOENT;
	base = (uint64_t)bucket_of(t, key) * ADAPTIVE_WAYS;
	w = find_way(t, base, key);
	if (w < 0 ||
	    !atomic_compare_exchange_strong(&t->keys[base + w], &old, 0))
		return -ENOENT;
	return 0;
}

uint64_t
op25b_adaptive_clear_all(struct op25b_adaptive_table *t, uint64_t now)
{
	return op25b_adaptive_forget(t, now, NULL, NULL);
}

int
op25b_adaptive_key_address(uint64_t key, uint8_t addr[16])
{
	int v = adaptive_key_address(key, addr);

	return v == 4 ? AF_INET : v == 6 ? AF_INET6 : 0;
}

uint64_t
op25b_adaptive_forget(struct op25b_adaptive_table *t, uint64_t now,
		      op25b_adaptive_keep_fn_t keep, void *ctx)
{
	uint64_t i, n = op25b_adaptive_capacity(t), k, forgotten = 0;
	bool live;

	if (t == NULL)
		return 0;
	for (i = 0; i < n; i++) {
		k = atomic_load(&t->keys[i]);
		if (!key_in_use(k) ||
		    (keep != NULL &&
		     keep(k, (uint8_t)atomic_load(&t->entries[i].class_slot),
			  ctx)))
			continue;
		/* Read before the key goes: "N sources forgotten" counts
		 * what show adaptive counted as tracked, not the expired
		 * entries the sweep had not reached. */
		live = entry_live(&t->entries[i], now);
		if (atomic_compare_exchange_strong(&t->keys[i], &k, 0) && live)
			forgotten++;
	}
	return forgotten;
}

uint32_t
op25b_adaptive_sweep(struct op25b_adaptive_table *t, uint64_t now, uint32_t max)
{
	uint64_t n = op25b_adaptive_capacity(t), k;
	uint32_t done, freed = 0;

	for (done = 0; done < max; done++) {
		uint64_t i = t->sweep_next;
		const struct adaptive_entry *e = &t->entries[i];

		k = atomic_load(&t->keys[i]);
		if (key_in_use(k)) {
			if (!entry_live(e, now)) {
				if (atomic_compare_exchange_strong(&t->keys[i],
								   &k, 0))
					freed++;
			} else {
				t->sweep_tracked++;
				if (now < view_blocked_until(e))
					t->sweep_blocked++;
			}
		}
		if (++t->sweep_next == n) {
			atomic_store(&t->tracked, t->sweep_tracked);
			atomic_store(&t->blocked, t->sweep_blocked);
			t->sweep_next = 0;
			t->sweep_tracked = t->sweep_blocked = 0;
		}
	}
	return freed;
}

void
op25b_adaptive_totals(const struct op25b_adaptive_table *t,
		      struct op25b_adaptive_totals *totals,
		      uint64_t per_class[OP25B_STATS_SLOTS])
{
	unsigned int i, s;

	memset(totals, 0, sizeof(*totals));
	if (per_class != NULL)
		memset(per_class, 0, OP25B_STATS_SLOTS * sizeof(*per_class));
	if (t == NULL)
		return;
	totals->adaptive_tracked = atomic_load(&t->tracked);
	totals->adaptive_blocked = atomic_load(&t->blocked);
	/* Plain loads of another lcore's aligned 64-bit words: each read is
	 * whole, at worst one event behind. */
	for (i = 0; i <= RTE_MAX_LCORE; i++) {
		const struct adaptive_lcore_counts *c = &t->counts[i];

		totals->adaptive_triggered += c->triggered;
		totals->adaptive_evicted += c->evicted;
		totals->adaptive_table_full += c->table_full;
		if (per_class != NULL)
			for (s = 0; s < OP25B_STATS_SLOTS; s++)
				per_class[s] += c->class_triggered[s];
	}
}

uint64_t
op25b_adaptive_walk(const struct op25b_adaptive_table *t, uint64_t now,
		    int (*fn)(const struct op25b_adaptive_info *info,
			      void *ctx),
		    void *ctx)
{
	struct op25b_adaptive_info info;
	uint64_t i, n = op25b_adaptive_capacity(t), k, visited = 0;

	for (i = 0; i < n; i++) {
		k = atomic_load(&t->keys[i]);
		if (!key_in_use(k) || !entry_live(&t->entries[i], now))
			continue;
		entry_info(&t->entries[i], t->dests[i].word, k, now, &info);
		visited++;
		if (fn(&info, ctx) != 0)
			break;
	}
	return visited;
}

int
op25b_adaptive_key_format(uint64_t key, unsigned int ipv6_key, char *buf,
			  size_t size)
{
	char text[INET6_ADDRSTRLEN];
	uint8_t addr[16] = { 0 };
	uint64_t be, low = key & ADAPTIVE_KEY_LOW48;

	if ((key >> 32) == ADAPTIVE_KEY_IPV4 >> 32) {
		uint32_t a = htonl((uint32_t)key);

		inet_ntop(AF_INET, &a, text, sizeof(text));
		return snprintf(buf, size, "%s", text);
	}
	/* An IPv4-mapped address is its key; the other sources of ::/N
	 * and multicast ones are folded (adaptive_key.h). */
	if (key - low == ADAPTIVE_KEY_IPV6_MAPPED) {
		be = __builtin_bswap64(low | 0xffff00000000ull);
		memcpy(addr + 8, &be, sizeof(be));
		inet_ntop(AF_INET6, addr, text, sizeof(text));
		return snprintf(buf, size, "%s", text);
	}
	if (key - low == ADAPTIVE_KEY_IPV6_ZERO)
		return snprintf(buf, size, "::/%u#%012" PRIx64, ipv6_key, low);
	if (key - low == ADAPTIVE_KEY_IPV6_MULTICAST)
		return snprintf(buf, size, "ff00::/8#%012" PRIx64, low);
	be = __builtin_bswap64(key);
	memcpy(addr, &be, sizeof(be));
	inet_ntop(AF_INET6, addr, text, sizeof(text));
	return snprintf(buf, size, "%s/%u", text, ipv6_key);
}
