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
 * A slot's parts lie in arrays of their own, by when a frame needs them,
 * so that a frame counted for a source in the table (the common case: a
 * bot sends many) touches ~100 bytes in three lines, not a 168-byte
 * record's two or three lines of a table far larger than the L2:
 *  - tags: a part of the source's hash (never 0; 0: free), with bit 1
 *    its family, so that a tag that matches is of the same family. A
 *    probe reads 8 of them from one or two lines of a 16 KB array that
 *    stays in L1 and touches a source only when its tag matches. A scan
 *    that fills the table pays that, not 8 sources' lines;
 *  - hot: what every frame reads (the source, to confirm the tag) and
 *    counts, and the last destination, which a source that keeps to its
 *    destinations matches without reading its set (32 bytes);
 *  - last: the last frame's time and figures, one line that every frame
 *    writes (60 of its bytes) and nothing reads until the record goes;
 *  - cold: the piece's start and its set of destinations, read when a
 *    frame goes to another destination than the last.
 */
/* A piece's segments before it is handed over: its counts are 32-bit
 * (the hot part stays 32 bytes), the merge's 64. A test builds the table
 * with a lower one. */
#ifndef OP25B_RECORDS_PIECE_SEGMENTS
#define OP25B_RECORDS_PIECE_SEGMENTS UINT32_MAX
#endif

struct records_hot {
	uint8_t src[16];
	uint32_t segments;
	uint32_t syns;
	uint64_t dst_last; /**< op25b_record_dst_key(); in dst_key[] */
};

struct records_last {
	_Alignas(64) uint64_t last_tsc;
	struct op25b_record_last last;
	uint32_t pad;
};

struct records_cold {
	uint64_t first_tsc;
	uint32_t interval;
	uint8_t n_dsts;
	uint8_t pad[3];
	uint64_t dst_key[OP25B_RECORD_DSTS];
};

struct op25b_records_table {
	uint32_t mask;
	uint32_t count;
	/* Where the last flush stopped: flushes in batches resume there. */
	uint32_t flush_at;
	uint32_t pad;
	/* The parts, after the header in the same memory (last first: its
	 * lines are aligned); the first RECORDS_PROBE tags again after the
	 * last, so that a probe's window of tags is one load that never
	 * wraps. */
	struct records_last *last;
	struct records_hot *hot;
	struct records_cold *cold;
	uint32_t *tags;
	uint64_t pad2[2];
};

_Static_assert(sizeof(struct records_hot) == 32 &&
		       sizeof(struct records_last) == 64 &&
		       sizeof(struct records_cold) == 80 &&
		       sizeof(struct op25b_records_table) == 64,
	       "a source's hot part is half a line, its last figures one "
	       "line, and the parts start cache lines (the caller's memory "
	       "is aligned)");

size_t
op25b_records_table_size(uint32_t capacity)
{
	if (capacity < 16 || capacity > (1u << 20) ||
	    (capacity & (capacity - 1)) != 0)
		return 0;
	return sizeof(struct op25b_records_table) +
	       (size_t)capacity *
		       (sizeof(struct records_last) +
			sizeof(struct records_hot) +
			sizeof(struct records_cold) + sizeof(uint32_t)) +
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
	/* Each part's size a multiple of 64 for 16 slots or more: every
	 * part starts a line. */
	t->last = (struct records_last *)(t + 1);
	t->hot = (struct records_hot *)&t->last[capacity];
	t->cold = (struct records_cold *)&t->hot[capacity];
	t->tags = (uint32_t *)&t->cold[capacity];
	return t;
}

uint32_t
op25b_records_table_count(const struct op25b_records_table *t)
{
	return t->count;
}

static inline bool
has_dst(const uint64_t *dst_key, unsigned int n_dsts, uint64_t key)
{
	unsigned int i;

	for (i = 0; i < n_dsts; i++)
		if (dst_key[i] == key)
			return true;
	return false;
}

/* A table with no room for the frame's source: the frame alone is the
 * record, its figures written once each rather than started and counted.
 * Every field is written once (no memset of the whole record, which
 * compilers make a `rep stos` that costs a scan more than the rest). */
static inline void
record_one(struct op25b_record *r, const struct op25b_record_hint *h,
	   uint64_t tsc, uint32_t interval, uint64_t key)
{
	memcpy(r->src, h->src, sizeof(r->src));
	r->first_tsc = tsc;
	r->last_tsc = tsc;
	r->interval = interval;
	r->segments = 1;
	r->syns = h->syn;
	r->n_dsts = 1;
	memset(r->pad, 0, sizeof(r->pad));
	r->last = h->last;
	r->pad2 = 0;
	r->dst_key[0] = key;
	/* Beyond n_dsts, read by no one, but the ring copies them. */
	memset(&r->dst_key[1], 0, sizeof(r->dst_key) - sizeof(r->dst_key[0]));
}

/* Slot @k's source as a record, the same fields written as
 * record_one() writes. */
static void
slot_record(const struct op25b_records_table *t, uint32_t k,
	    struct op25b_record *r)
{
	const struct records_hot *hot = &t->hot[k];
	const struct records_last *last = &t->last[k];
	const struct records_cold *cold = &t->cold[k];

	memcpy(r->src, hot->src, sizeof(r->src));
	r->last_tsc = last->last_tsc;
	r->first_tsc = cold->first_tsc;
	r->segments = hot->segments;
	r->syns = hot->syns;
	r->interval = cold->interval;
	r->n_dsts = cold->n_dsts;
	memset(r->pad, 0, sizeof(r->pad));
	r->last = last->last;
	r->pad2 = 0;
	memcpy(r->dst_key, cold->dst_key, sizeof(r->dst_key));
}

/* Slot @k starts a piece of the frame's source with it. */
static inline void
slot_start(struct op25b_records_table *t, uint32_t k,
	   const struct op25b_record_hint *h, uint64_t tsc, uint32_t interval,
	   uint64_t key)
{
	struct records_hot *hot = &t->hot[k];
	struct records_cold *cold = &t->cold[k];

	memcpy(hot->src, h->src, sizeof(hot->src));
	hot->segments = 0;
	hot->syns = 0;
	hot->dst_last = key;
	cold->first_tsc = tsc;
	cold->interval = interval;
	cold->n_dsts = 1;
	memset(cold->pad, 0, sizeof(cold->pad));
	cold->dst_key[0] = key;
}

/* The frame counted in slot @k, whose set has its destination. */
static inline void
slot_count(struct op25b_records_table *t, uint32_t k,
	   const struct op25b_record_hint *h, uint64_t tsc)
{
	struct records_hot *hot = &t->hot[k];
	struct records_last *last = &t->last[k];

	hot->segments++;
	hot->syns += h->syn;
	last->last_tsc = tsc;
	last->last = h->last;
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

/* A hint's tag: its hash's low half (odd: never 0) with bit 1 its
 * family, so that sources of two families never share a tag. */
static inline uint32_t
hint_tag(const struct op25b_record_hint *h)
{
	return ((uint32_t)h->hash & ~2u) | (h->family == 6 ? 2u : 0u);
}

static __attribute__((always_inline)) inline int
table_add(struct op25b_records_table *t, const struct op25b_record_hint *h,
	  uint64_t tsc, uint32_t interval, struct op25b_record *out)
{
	uint32_t at = (uint32_t)(h->hash >> 32) & t->mask, tag = hint_tag(h);
	uint64_t key = op25b_record_dst_key(h->family, h->dst);
	unsigned int match, free_slots = probe(t, at, tag, &match);
	int handed = 1;

	/* Only tags before the first free slot can be the source's; with
	 * none free, the mask wraps to all ones. */
	match &= (free_slots & -free_slots) - 1;
	while (match != 0) {
		uint32_t k = (at + (unsigned int)__builtin_ctz(match)) &
			     t->mask;
		struct records_hot *hot = &t->hot[k];
		struct records_cold *cold;
		bool known;

		match &= match - 1;
		/* The tag matched: the same family. */
		if (memcmp(hot->src, h->src, sizeof(hot->src)) != 0)
			continue;
		if (__builtin_expect(
			    key == hot->dst_last &&
				    hot->segments <
					    OP25B_RECORDS_PIECE_SEGMENTS,
			    1)) {
			slot_count(t, k, h, tsc);
			return 0;
		}
		cold = &t->cold[k];
		known = has_dst(cold->dst_key, cold->n_dsts, key);
		if (hot->segments >= OP25B_RECORDS_PIECE_SEGMENTS ||
		    (!known && cold->n_dsts == OP25B_RECORD_DSTS)) {
			/* The piece is full, of segments (its count would
			 * wrap) or of destinations: it goes, and this
			 * frame starts the next one. */
			if (out != NULL)
				slot_record(t, k, out);
			else
				handed = -ENOBUFS;
			slot_start(t, k, h, tsc, interval, key);
			slot_count(t, k, h, tsc);
			return handed;
		}
		if (!known)
			cold->dst_key[cold->n_dsts++] = key;
		hot->dst_last = key;
		slot_count(t, k, h, tsc);
		return 0;
	}
	if (free_slots != 0) {
		uint32_t k = (at + (unsigned int)__builtin_ctz(free_slots)) &
			     t->mask;

		tag_set(t, k, tag);
		t->count++;
		slot_start(t, k, h, tsc, interval, key);
		slot_count(t, k, h, tsc);
		return 0;
	}
	if (out == NULL)
		/* No room, nowhere to hand it: lost, without building it. */
		return -ENOBUFS;
	/* No room: this frame alone is the record. */
	record_one(out, h, tsc, interval, key);
	return 1;
}

int
op25b_records_table_add(struct op25b_records_table *t,
			const struct op25b_record_hint *h, uint64_t tsc,
			uint32_t interval, struct op25b_record *out)
{
	return table_add(t, h, tsc, interval, out);
}

/*
 * A burst's sources are far apart in the table (a miss each), so their
 * tags and the two parts a frame counted for them touches (hot and last)
 * are requested for the whole burst at once, as DPDK's bulk lookups stage
 * theirs, and counted later (add_burst); the hash came with the hint. The
 * cold part is not: a frame needs it only for a new source or another
 * destination, and requesting it for every frame costs a scan a line.
 */
void
op25b_records_table_prefetch(const struct op25b_records_table *t,
			     const struct op25b_record_hint *h, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint32_t s = (uint32_t)(h[i].hash >> 32) & t->mask;

		__builtin_prefetch(&t->tags[s], 1);
		__builtin_prefetch(&t->hot[s], 1);
		__builtin_prefetch(&t->last[s], 1);
	}
}

unsigned int
op25b_records_table_add_burst(struct op25b_records_table *t,
			      const struct op25b_record_hint *h, unsigned int n,
			      uint64_t tsc, uint32_t interval,
			      struct op25b_record *out, unsigned int room,
			      uint64_t *lost)
{
	/* The header copied for the burst: the records written through @out
	 * could alias it, so the table's own would be read again each frame
	 * (only count changes). */
	struct op25b_records_table burst = *t;
	struct op25b_record *next = out, *end = out + room;
	unsigned int i;

	for (i = 0; i < n; i++) {
		int ret = table_add(&burst, &h[i], tsc + i, interval,
				    next < end ? next : NULL);

		if (ret > 0)
			next++;
		else if (ret < 0)
			(*lost)++;
	}
	t->count = burst.count;
	return (unsigned int)(next - out);
}

unsigned int
op25b_records_table_flush(struct op25b_records_table *t,
			  struct op25b_record *out, unsigned int max)
{
	unsigned int n = 0, pass;
	uint32_t i;

	/* Two passes at most: sources added between two calls may sit
	 * before flush_at, and the table's end then wraps to its start (a
	 * return of 0 must mean an empty table). */
	for (pass = 0; pass < 2 && n < max && t->count > 0; pass++) {
		for (i = t->flush_at; i <= t->mask && n < max && t->count > 0;
		     i++) {
			if (t->tags[i] == 0)
				continue;
			slot_record(t, i, &out[n++]);
			tag_set(t, i, 0);
			t->count--;
		}
		/* Nothing left, or the rest lies past i: resume there. */
		t->flush_at = t->count == 0 || i > t->mask ? 0 : i;
	}
	return n;
}
