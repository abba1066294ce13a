/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker's table: sources of blocked frames, counted in place until
 * the interval ends. Open addressing with a short probe: a table that is
 * full (a scan from a million sources) hands frames over one by one
 * rather than search or evict, so a frame never costs more than
 * RECORDS_PROBE slot compares.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "op25b_records.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Slots compared for one source: 8 keeps a lookup within a few cache
 * lines, and a table at three quarters full still finds a free slot
 * nearly always. */
#define RECORDS_PROBE 8
_Static_assert(RECORDS_PROBE == 8, "probe() compares 8 tags: two SSE2 words");

/*
 * A slot's tag (a part of its source's hash, never 0; 0: free) lies in an
 * array of its own: a probe reads 8 tags from one or two cache lines of a
 * 16 KB array that stays in L1, and touches a record only when its tag
 * matches. A scan that fills the table pays that, not 8 records' lines.
 * A slot starts a cache line: a frame counted for a source in the table
 * touches the first two lines of its record (struct op25b_record).
 */
struct records_slot {
	_Alignas(64) struct op25b_record r;
};

struct op25b_records_table {
	uint32_t mask;
	uint32_t count;
	/* Where the last flush stopped: flushes in batches resume there. */
	uint32_t flush_at;
	uint32_t pad;
	/* After the slots, in the same memory; the first RECORDS_PROBE tags
	 * again after the last, so that a probe's window of tags is one
	 * load that never wraps. */
	uint32_t *tags;
	uint64_t pad2[5];
	struct records_slot slots[];
};

_Static_assert(sizeof(struct records_slot) == 192 &&
		       offsetof(struct op25b_records_table, slots) == 64,
	       "slots start cache lines (the caller's memory is aligned)");

size_t
op25b_records_table_size(uint32_t capacity)
{
	if (capacity < 16 || capacity > (1u << 20) ||
	    (capacity & (capacity - 1)) != 0)
		return 0;
	return sizeof(struct op25b_records_table) +
	       (size_t)capacity *
		       (sizeof(struct records_slot) + sizeof(uint32_t)) +
	       RECORDS_PROBE * sizeof(uint32_t);
}

struct op25b_records_table *
op25b_records_table_init(void *mem, uint32_t capacity)
{
	size_t size = op25b_records_table_size(capacity);
	struct op25b_records_table *t = mem;

	if (mem == NULL || size == 0 || ((uintptr_t)mem & 63) != 0) {
		errno = EINVAL;
		return NULL;
	}
	memset(t, 0, size);
	t->mask = capacity - 1;
	t->tags = (uint32_t *)&t->slots[capacity];
	return t;
}

uint32_t
op25b_records_table_count(const struct op25b_records_table *t)
{
	return t->count;
}

/* Every field is written here or by record_count(): no memset, which
 * compilers make a `rep stos` that costs a scan more than the rest. */
static inline void
record_start(struct op25b_record *r, const struct op25b_record_hint *h,
	     uint64_t tsc, uint32_t interval)
{
	memcpy(r->src, h->src, sizeof(r->src));
	r->first_tsc = tsc;
	r->interval = interval;
	r->segments = 0;
	r->syns = 0;
	r->n_dsts = 0;
	memset(r->pad, 0, sizeof(r->pad));
	r->pad2 = 0;
}

static inline bool
has_dst(const struct op25b_record *r, uint64_t key)
{
	unsigned int i;

	for (i = 0; i < r->n_dsts; i++)
		if (r->dst_key[i] == key)
			return true;
	return false;
}

/* The frame's own figures (the last frame's win: one block) and its
 * destination, which the caller has made room for. */
static inline void
record_count(struct op25b_record *r, const struct op25b_record_hint *h,
	     uint64_t tsc, uint64_t key)
{
	r->last_tsc = tsc;
	r->segments++;
	r->syns += h->syn;
	r->last = h->last;
	if (!has_dst(r, key))
		r->dst_key[r->n_dsts++] = key;
}

/*
 * The probe: a source lies in one of the RECORDS_PROBE slots from its
 * hash's place on, before the first free one (slots are only ever emptied
 * all at once, by a flush). The window's tags are compared at once: bit j
 * of *match says tag j is the source's, bit j of the return that slot j
 * is free.
 */
static __attribute__((always_inline)) inline unsigned int
probe(const struct op25b_records_table *t, uint32_t at, uint32_t tag,
      unsigned int *match)
{
	const uint32_t *w = &t->tags[at];
#ifdef __SSE2__
	__m128i lo = _mm_loadu_si128((const __m128i *)w);
	__m128i hi = _mm_loadu_si128((const __m128i *)(w + 4));
	__m128i want = _mm_set1_epi32((int)tag), zero = _mm_setzero_si128();

	*match = (unsigned int)(_mm_movemask_ps(_mm_castsi128_ps(
					_mm_cmpeq_epi32(lo, want))) |
				_mm_movemask_ps(_mm_castsi128_ps(
					_mm_cmpeq_epi32(hi, want)))
					<< 4);
	return (unsigned int)(_mm_movemask_ps(_mm_castsi128_ps(
				      _mm_cmpeq_epi32(lo, zero))) |
			      _mm_movemask_ps(_mm_castsi128_ps(
				      _mm_cmpeq_epi32(hi, zero)))
				      << 4);
#else
	unsigned int j, free_slots = 0;

	*match = 0;
	for (j = 0; j < RECORDS_PROBE; j++) {
		*match |= (unsigned int)(w[j] == tag) << j;
		free_slots |= (unsigned int)(w[j] == 0) << j;
	}
	return free_slots;
#endif
}

static inline void
tag_set(struct op25b_records_table *t, uint32_t k, uint32_t tag)
{
	t->tags[k] = tag;
	if (k < RECORDS_PROBE)
		t->tags[t->mask + 1 + k] = tag;
}

static __attribute__((always_inline)) inline int
table_add(struct op25b_records_table *t, const struct op25b_record_hint *h,
	  uint64_t tsc, uint32_t interval, struct op25b_record *out)
{
	uint32_t at = (uint32_t)(h->hash >> 32) & t->mask,
		 tag = (uint32_t)h->hash;
	uint64_t key = op25b_record_dst_key(h->family, h->dst);
	unsigned int match, free_slots = probe(t, at, tag, &match);
	struct op25b_record *r = out;
	int handed = 1;

	/* Only tags before the first free slot can be the source's. */
	match &= free_slots != 0 ? (free_slots & -free_slots) - 1 : 0xffu;
	while (match != 0) {
		struct op25b_record *s =
			&t->slots[(at + (unsigned int)__builtin_ctz(match)) &
				  t->mask]
				 .r;

		match &= match - 1;
		if (s->family != h->family ||
		    memcmp(s->src, h->src, sizeof(s->src)) != 0)
			continue;
		if (s->n_dsts < OP25B_RECORD_DSTS || has_dst(s, key)) {
			record_count(s, h, tsc, key);
			return 0;
		}
		/* The piece is full of destinations: it goes, and this
		 * frame starts the next one. */
		if (out != NULL)
			*out = *s;
		else
			handed = -ENOBUFS;
		record_start(s, h, tsc, interval);
		record_count(s, h, tsc, key);
		return handed;
	}
	if (free_slots != 0) {
		uint32_t k = (at + (unsigned int)__builtin_ctz(free_slots)) &
			     t->mask;

		tag_set(t, k, tag);
		t->count++;
		r = &t->slots[k].r;
	} else if (r == NULL) {
		/* No room, nowhere to hand it: lost, without building it. */
		return -ENOBUFS;
	}
	/* A new source in a free slot; or, with no room, this frame alone
	 * is the record. */
	record_start(r, h, tsc, interval);
	record_count(r, h, tsc, key);
	return r == out;
}

int
op25b_records_table_add(struct op25b_records_table *t,
			const struct op25b_record_hint *h, uint64_t tsc,
			uint32_t interval, struct op25b_record *out)
{
	return table_add(t, h, tsc, interval, out);
}

/*
 * A burst's sources are far apart in the table (a scan: a miss each), so
 * their tag and their record's first two lines are requested for the
 * whole burst before the first is counted, as DPDK's bulk lookups stage
 * theirs; the hash came with the hint.
 */
unsigned int
op25b_records_table_add_burst(struct op25b_records_table *t,
			      const struct op25b_record_hint *h, unsigned int n,
			      uint64_t tsc, uint32_t interval,
			      struct op25b_record *out, unsigned int room,
			      uint64_t *lost)
{
	unsigned int i, k = 0;

	for (i = 0; i < n; i++) {
		uint32_t s = (uint32_t)(h[i].hash >> 32) & t->mask;

		__builtin_prefetch(&t->tags[s], 1);
		__builtin_prefetch(&t->slots[s], 1);
		__builtin_prefetch((const char *)&t->slots[s] + 64, 1);
	}
	for (i = 0; i < n; i++) {
		int ret = table_add(t, &h[i], tsc + i, interval,
				    k < room ? &out[k] : NULL);

		if (ret > 0)
			k++;
		else if (ret < 0)
			(*lost)++;
	}
	return k;
}

unsigned int
op25b_records_table_flush(struct op25b_records_table *t,
			  struct op25b_record *out, unsigned int max)
{
	unsigned int n = 0;
	uint32_t i;

	for (i = t->flush_at; i <= t->mask && n < max && t->count > 0; i++) {
		if (t->tags[i] == 0)
			continue;
		out[n++] = t->slots[i].r;
		tag_set(t, i, 0);
		t->count--;
	}
	/* Nothing left, or the rest lies past i: resume there. */
	t->flush_at = t->count == 0 ? 0 : i;
	return n;
}
