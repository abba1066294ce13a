/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The adaptive table's layout: keys apart from state, so that a probe
 * reads one cache line of eight keys and only the matching entry's state.
 */
#ifndef OP25B_ADAPTIVE_PRIV_H
#define OP25B_ADAPTIVE_PRIV_H

#include <stdatomic.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_lcore.h>
#include <rte_vect.h>

#include "adaptive_word.h"
#include "op25b_adaptive.h"

/* Ways of a bucket: eight 64-bit keys fill one cache line. */
#define ADAPTIVE_WAYS 8
/* A way being set up: no source has this key (an IPv6 key in ff00::/8 is
 * multicast; IPv4 keys have 32 zero bits above the address). */
#define ADAPTIVE_KEY_CLAIMING UINT64_MAX

/* Window and destination words: adaptive_word.h. */
_Static_assert(OP25B_ADAPTIVE_SUBWINDOWS == ADAPTIVE_WORD_SUBWINDOWS,
	       "a window is the sub-windows adaptive_word.h reads");
#define ADAPTIVE_COUNT_MAX 0xffffu
_Static_assert(OP25B_POLICY_CONNECTIONS_MAX < ADAPTIVE_COUNT_MAX,
	       "a sub-window's count reaches past any limit the policy allows");
/* A window word of a way folded into another (fold_duplicates()): a
 * count of 0, which no counted word has (a word is 0 or counts at least
 * 1). A SYN whose CAS meets it counts again in the way the fold kept. */
#define ADAPTIVE_WINDOW_FOLDED ADAPTIVE_EPOCH_MASK
/* blocked_until of an entry one SYN is starting anew (its block ended, or
 * a reload changed its class or `per`: entry_restart()): later than any
 * clock, so that no other SYN counts in the entry until the window is
 * cleared (nor evicts it). Views read it as not blocked. */
#define ADAPTIVE_RESTARTING UINT64_MAX
/* How long (rte_pause()s) a SYN waits for another worker's restart of its
 * source, tens of stores, before it passes uncounted: only a worker
 * preempted midway (two on one CPU) holds one longer. */
#define ADAPTIVE_RESTART_SPINS 1024

struct adaptive_entry {
	/* Ticks until which the source is blocked; 0: not blocked. */
	_Atomic uint64_t blocked_until;
	/* Ticks at which its window is empty (last counted SYN + per). */
	_Atomic uint64_t expire_at;
	_Atomic uint32_t class_slot;
	/* 1 when the destination record (struct adaptive_dests) was cleared
	 * with the window: a class without a destination limit never writes
	 * (nor misses on) that line. */
	_Atomic uint32_t dest_valid;
	/* The rule's sub-window when the window was started: a reload that
	 * changes `per` restarts the window rather than misread it. */
	_Atomic uint64_t sub_ticks;
	/* window[i]: SYNs of sub-window epoch << 16 | epoch, at i = epoch % 8 */
	_Atomic uint32_t window[OP25B_ADAPTIVE_SUBWINDOWS];
} __rte_cache_aligned;

/* An entry's destinations, in an array of their own: a class without a
 * destination limit (the common case) never brings this line, nor the
 * hardware's prefetch of the line next to an entry's, into the cache:
 * a churning table's entries are half the memory they were. */
struct adaptive_dests {
	/* hash << 16 | epoch of its last SYN; 0: empty */
	_Atomic uint32_t word[OP25B_ADAPTIVE_MAX_DESTINATIONS];
} __rte_cache_aligned;

_Static_assert(sizeof(struct adaptive_entry) == RTE_CACHE_LINE_SIZE &&
		       sizeof(struct adaptive_dests) == RTE_CACHE_LINE_SIZE,
	       "an entry's counts are one cache line, its destinations "
	       "another, in another array");

/* Counted by the lcore that saw the event: no line is shared by two
 * writers. Slot RTE_MAX_LCORE is for threads that are not EAL lcores. */
struct adaptive_lcore_counts {
	uint64_t triggered;
	uint64_t evicted;
	uint64_t table_full;
	uint64_t class_triggered[OP25B_STATS_SLOTS];
} __rte_cache_aligned;

struct op25b_adaptive_table {
	/* First: op25b_adaptive_prefetch() reads it through the table's
	 * pointer (head.keys is keys, untyped). */
	struct op25b_adaptive_head head;
	_Atomic uint64_t *keys; /* head.n_buckets * ADAPTIVE_WAYS */
	struct adaptive_entry *entries;
	struct adaptive_dests *dests; /* entries[i]'s are dests[i] */
	uint64_t hz;
	/* op25b_adaptive_params.single_writer */
	bool single_writer;
	op25b_adaptive_clock_fn_t clock;
	void *clock_ctx;
	size_t memory;
	/* The sweep's place and running sums, and the gauges of its last
	 * full pass (read by other threads: atomic). */
	uint64_t sweep_next;
	uint64_t sweep_tracked, sweep_blocked;
	_Atomic uint64_t tracked, blocked;
	struct adaptive_lcore_counts counts[RTE_MAX_LCORE + 1];
};

_Static_assert(
	offsetof(struct op25b_adaptive_table, head) == 0,
	"op25b_adaptive_prefetch() finds the head at the table's address");
_Static_assert(ADAPTIVE_WAYS * sizeof(uint64_t) == RTE_CACHE_LINE_SIZE,
	       "op25b_adaptive_prefetch() steps a line a bucket");
_Static_assert(sizeof(struct op25b_adaptive_table) % RTE_CACHE_LINE_SIZE == 0,
	       "the keys after the table start on a cache line");

/* What one read of a bucket's line says about a key: bit w of @match is
 * set when way w holds it, of @free when way w is free (key 0). */
struct adaptive_ways {
	uint32_t match;
	uint32_t free;
};

/* The reference reading: eight relaxed loads. */
static inline struct adaptive_ways
adaptive_scan_scalar(const _Atomic uint64_t *line, uint64_t key)
{
	struct adaptive_ways m = { 0, 0 };
	unsigned int w;

	for (w = 0; w < ADAPTIVE_WAYS; w++) {
		uint64_t k =
			atomic_load_explicit(&line[w], memory_order_relaxed);

		m.match |= (uint32_t)(k == key) << w;
		m.free |= (uint32_t)(k == 0) << w;
	}
	return m;
}

/*
 * The same from vector compares of the whole line (one instruction with
 * AVX-512, two with AVX2, four with SSE4.1, which op25b's baseline,
 * DPDK's -march=corei7, has): the data path reads a bucket once or twice
 * a SYN. A vector load of the 64-byte aligned line reads each aligned
 * 64-bit key whole (x86 never tears an aligned 8-byte element), which is
 * all the relaxed loads promised; whoever needs the acquire of a found
 * key puts a fence after the scan. The masks are adaptive_scan_scalar()'s
 * (test_adaptive compares them).
 */
static inline struct adaptive_ways
adaptive_scan(const _Atomic uint64_t *line, uint64_t key)
{
#if defined(__AVX512F__)
	__m512i v = _mm512_load_si512((const void *)line);
	struct adaptive_ways m = {
		_mm512_cmpeq_epi64_mask(v, _mm512_set1_epi64((long long)key)),
		_mm512_cmpeq_epi64_mask(v, _mm512_setzero_si512()),
	};

	return m;
#elif defined(__AVX2__)
	const __m256i *p = (const __m256i *)(const void *)line;
	__m256i a = _mm256_load_si256(p), b = _mm256_load_si256(p + 1);
	__m256i k = _mm256_set1_epi64x((long long)key);
	__m256i z = _mm256_setzero_si256();
	struct adaptive_ways m;

#define MASK4(x) ((uint32_t)_mm256_movemask_pd(_mm256_castsi256_pd(x)))
	m.match = MASK4(_mm256_cmpeq_epi64(a, k)) |
		  MASK4(_mm256_cmpeq_epi64(b, k)) << 4;
	m.free = MASK4(_mm256_cmpeq_epi64(a, z)) |
		 MASK4(_mm256_cmpeq_epi64(b, z)) << 4;
#undef MASK4
	return m;
#elif defined(__SSE4_1__)
	const __m128i *p = (const __m128i *)(const void *)line;
	__m128i v0 = _mm_load_si128(p), v1 = _mm_load_si128(p + 1);
	__m128i v2 = _mm_load_si128(p + 2), v3 = _mm_load_si128(p + 3);
	__m128i k = _mm_set1_epi64x((long long)key);
	__m128i z = _mm_setzero_si128();
	struct adaptive_ways m;

	/* A 64-bit compare is two equal 32-bit halves: packed to 16 bits,
	 * ways 0-3 (4-7) are the four 32-bit lanes of one vector, whose sign
	 * bits movmskps gathers. */
#define MASK8(a, b, c, d)                                                      \
	((uint32_t)_mm_movemask_ps(_mm_castsi128_ps(_mm_packs_epi32(a, b))) |  \
	 (uint32_t)_mm_movemask_ps(_mm_castsi128_ps(_mm_packs_epi32(c, d)))    \
		 << 4)
	m.match = MASK8(_mm_cmpeq_epi64(v0, k), _mm_cmpeq_epi64(v1, k),
			_mm_cmpeq_epi64(v2, k), _mm_cmpeq_epi64(v3, k));
	m.free = MASK8(_mm_cmpeq_epi64(v0, z), _mm_cmpeq_epi64(v1, z),
		       _mm_cmpeq_epi64(v2, z), _mm_cmpeq_epi64(v3, z));
#undef MASK8
	return m;
#else
	return adaptive_scan_scalar(line, key);
#endif
}

/* The SYNs in the window of @epoch: the counts of the words in it
 * (adaptive_word_in_window(); a free word, 0, counts 0 whatever its age),
 * word @skip left out (a SYN counts its own word from its CAS;
 * OP25B_ADAPTIVE_SUBWINDOWS: none left out). */
static inline uint32_t
adaptive_window_sum_scalar(const _Atomic uint32_t *window, uint32_t epoch,
			   unsigned int skip)
{
	uint32_t sum = 0, v;
	unsigned int i;

	for (i = 0; i < OP25B_ADAPTIVE_SUBWINDOWS; i++) {
		if (i == skip)
			continue;
		v = atomic_load_explicit(&window[i], memory_order_relaxed);
		if (adaptive_word_in_window(v, epoch))
			sum += v >> 16;
	}
	return sum;
}

/* The same, four words at a time (a vector load reads each aligned
 * 32-bit word whole, as the relaxed loads did). */
static inline uint32_t
adaptive_window_sum(const _Atomic uint32_t *window, uint32_t epoch,
		    unsigned int skip)
{
#if defined(__SSE4_1__)
	const __m128i *p = (const __m128i *)(const void *)window;
	__m128i mask = _mm_set1_epi32(ADAPTIVE_EPOCH_MASK);
	__m128i ep = _mm_set1_epi32((int)epoch);
	__m128i lim = _mm_set1_epi32(OP25B_ADAPTIVE_SUBWINDOWS);
	__m128i lane = _mm_setr_epi32(0, 1, 2, 3);
	__m128i sk = _mm_set1_epi32((int)skip);
	__m128i sum = _mm_setzero_si128();
	unsigned int i;

	for (i = 0; i < OP25B_ADAPTIVE_SUBWINDOWS / 4; i++) {
		__m128i v = _mm_loadu_si128(p + i);
		__m128i age = _mm_and_si128(
			_mm_sub_epi32(ep, _mm_and_si128(v, mask)), mask);
		__m128i in = _mm_andnot_si128(
			_mm_cmpeq_epi32(lane, sk),
			_mm_or_si128(_mm_cmplt_epi32(age, lim),
				     _mm_cmpeq_epi32(age, mask)));

		sum = _mm_add_epi32(sum,
				    _mm_and_si128(_mm_srli_epi32(v, 16), in));
		lane = _mm_add_epi32(lane, _mm_set1_epi32(4));
	}
	sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, 0x4e));
	sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, 0xb1));
	return (uint32_t)_mm_cvtsi128_si32(sum);
#else
	return adaptive_window_sum_scalar(window, epoch, skip);
#endif
}

/* Zero @n (a multiple of 4) 16-byte aligned words: four at a time with
 * vector stores, which write each aligned 32-bit word whole, as the
 * relaxed stores did (an entry reset on every new source of a churning
 * table paid 8 to 24 stores for it). */
static inline void
adaptive_zero_words(_Atomic uint32_t *words, unsigned int n)
{
	unsigned int i;

#if defined(__SSE2__)
	for (i = 0; i < n; i += 4)
		_mm_store_si128((__m128i *)(void *)&words[i],
				_mm_setzero_si128());
#else
	for (i = 0; i < n; i++)
		atomic_store_explicit(&words[i], 0, memory_order_relaxed);
#endif
}

#ifdef OP25B_TEST_HOOKS
/* The restart's wait (ADAPTIVE_RESTART_SPINS), which the racing tests of
 * test_adaptive lift: a thread preempted in a restart (a busy machine,
 * valgrind) would make a trial's count uncertain. */
extern unsigned int op25b_adaptive_restart_spins;
/* fold_duplicates() on @key's bucket, for test_adaptive to replay the
 * steps of racing folds one at a time (a build with the tests only). */
int op25b_adaptive_fold_test(struct op25b_adaptive_table *t, uint64_t key,
			     uint32_t epoch, uint32_t match);
#endif

#endif /* OP25B_ADAPTIVE_PRIV_H */
