/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker's table: sources of blocked frames, counted in place until
 * the interval ends. Open addressing with a short probe: a table that is
 * full (a scan from a million sources) hands frames over one by one
 * rather than search or evict, so a frame never costs more than
 * RECORDS_PROBE slot compares.
 */
#include <errno.h>
#include <string.h>

#include "op25b_records.h"

/* Slots compared for one source: 8 keeps a lookup within a few cache
 * lines, and a table at three quarters full still finds a free slot
 * nearly always. */
#define RECORDS_PROBE 8

/*
 * A slot's tag (a part of its source's hash, never 0; 0: free) lies in an
 * array of its own: a probe reads 8 tags from one or two cache lines of a
 * 16 KB array that stays in L1, and touches a record only when its tag
 * matches. A scan that fills the table pays that, not 8 records' lines.
 */
struct records_slot {
	struct op25b_record r;
};

struct op25b_records_table {
	uint32_t mask;
	uint32_t count;
	/* Where the last flush stopped: flushes in batches resume there. */
	uint32_t flush_at;
	uint32_t pad;
	uint32_t *tags; /* after the slots, in the same memory */
	uint64_t pad2[5];
	struct records_slot slots[];
};

uint64_t
op25b_record_dst_key(uint8_t family, const uint8_t *addr)
{
	uint64_t hi, lo;

	if (family == 4) {
		uint32_t a;

		memcpy(&a, addr, 4);
		return a;
	}
	memcpy(&hi, addr, 8);
	memcpy(&lo, addr + 8, 8);
	/* A multiplicative fold: two addresses of one /64 differ in lo,
	 * which the multiplication spreads over the whole word. The top bit
	 * is set so that no IPv6 key equals an IPv4 one. */
	return ((hi * 0x9e3779b97f4a7c15ull) ^ (lo * 0xc2b2ae3d27d4eb4full) ^
		(lo >> 29)) |
	       (1ull << 63);
}

/* The high half places a source, the low half (never 0) is its tag. */
static inline uint64_t
source_hash(uint8_t family, const uint8_t *src)
{
	return (op25b_record_dst_key(family, src) * 0x9e3779b97f4a7c15ull) | 1;
}

size_t
op25b_records_table_size(uint32_t capacity)
{
	if (capacity < 16 || capacity > (1u << 20) ||
	    (capacity & (capacity - 1)) != 0)
		return 0;
	return sizeof(struct op25b_records_table) +
	       (size_t)capacity *
		       (sizeof(struct records_slot) + sizeof(uint32_t));
}

struct op25b_records_table *
op25b_records_table_init(void *mem, uint32_t capacity)
{
	size_t size = op25b_records_table_size(capacity);
	struct op25b_records_table *t = mem;

	if (mem == NULL || size == 0) {
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
static void
record_start(struct op25b_record *r, const struct op25b_record_hint *h,
	     uint64_t tsc, uint32_t interval)
{
	memcpy(r->src, h->src, sizeof(r->src));
	r->family = h->family;
	r->first_tsc = tsc;
	r->interval = interval;
	r->segments = 0;
	r->syns = 0;
	r->n_dsts = 0;
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

/* The frame's own figures (the last frame's win) and its destination,
 * which the caller has made room for. */
static void
record_count(struct op25b_record *r, const struct op25b_record_hint *h,
	     uint64_t tsc, uint64_t key)
{
	r->last_tsc = tsc;
	memcpy(r->dst, h->dst, sizeof(r->dst));
	r->segments++;
	r->syns += h->syn;
	r->dport = h->dport;
	r->port = h->port;
	r->outcome = h->outcome;
	r->class_slot = h->class_slot;
	r->group_slot = h->group_slot;
	r->pppoe_session = h->pppoe_session;
	r->n_vlans = h->n_vlans;
	memcpy(r->vlan, h->vlan, sizeof(r->vlan));
	memcpy(r->src_mac, h->src_mac, sizeof(r->src_mac));
	if (!has_dst(r, key))
		r->dst_key[r->n_dsts++] = key;
}

int
op25b_records_table_add(struct op25b_records_table *t,
			const struct op25b_record_hint *h, uint64_t tsc,
			uint32_t interval, struct op25b_record *out)
{
	uint64_t hash = source_hash(h->family, h->src);
	uint32_t i = (uint32_t)(hash >> 32), tag = (uint32_t)hash, n;
	uint64_t key = op25b_record_dst_key(h->family, h->dst);
	struct op25b_record *r = out;
	int handed = 1;

	for (n = 0; n < RECORDS_PROBE; n++, i++) {
		uint32_t k = i & t->mask;
		struct records_slot *s = &t->slots[k];

		/* Slots are only ever emptied all at once (a flush), so a
		 * source lies before the first free slot of its probe. */
		if (t->tags[k] == 0) {
			t->tags[k] = tag;
			t->count++;
			r = &s->r;
			break;
		}
		if (t->tags[k] != tag || s->r.family != h->family ||
		    memcmp(s->r.src, h->src, sizeof(s->r.src)) != 0)
			continue;
		if (s->r.n_dsts < OP25B_RECORD_DSTS || has_dst(&s->r, key)) {
			record_count(&s->r, h, tsc, key);
			return 0;
		}
		/* The piece is full of destinations: it goes, and this
		 * frame starts the next one. */
		if (out != NULL)
			*out = s->r;
		else
			handed = -ENOBUFS;
		record_start(&s->r, h, tsc, interval);
		record_count(&s->r, h, tsc, key);
		return handed;
	}
	/* No room, nowhere to hand it: lost, without building it. */
	if (r == NULL)
		return -ENOBUFS;
	/* A new source in a free slot; or, with no room, this frame alone
	 * is the record. */
	record_start(r, h, tsc, interval);
	record_count(r, h, tsc, key);
	return r == out;
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
		t->tags[i] = 0;
		t->count--;
	}
	/* Nothing left, or the rest lies past i: resume there. */
	t->flush_at = t->count == 0 ? 0 : i;
	return n;
}
