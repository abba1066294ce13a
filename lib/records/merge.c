/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control lcore's half: the workers' pieces merged per source per
 * interval. Off the data path: it allocates, and it may take its time.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "op25b_records.h"
#include "op25b_stats.h"
#include "siphash24.h"

struct merge_entry {
	struct op25b_records_merged m;
	/* Distinct destinations so far, at most
	 * OP25B_RECORD_DESTINATIONS_MAX: past it the count stays. */
	uint64_t *dsts;
	uint32_t n_dsts;
	uint32_t cap_dsts;
};

struct op25b_records_merge {
	struct merge_entry *entries;
	size_t n, cap;
	size_t max; /* sources held at most */
	/* Open-addressed index into entries (+1; 0: empty), twice as many
	 * slots as entries at most. */
	uint32_t *index;
	size_t index_size;
	/* The index's hash key, drawn at random: sources are the senders'
	 * choice, and an unkeyed hash let one subscriber pick thousands of
	 * its addresses onto one chain, each merge walking it. */
	uint64_t key[2];
};

struct op25b_records_merge *
op25b_records_merge_create(size_t max_sources)
{
	struct op25b_records_merge *m;
	ssize_t got;

	/* The index numbers entries in 32 bits, twice as many slots. */
	if (max_sources == 0 || max_sources > UINT32_MAX / 2) {
		errno = EINVAL;
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	got = getrandom(m->key, sizeof(m->key), 0);
	if (got != (ssize_t)sizeof(m->key)) {
		int err = got < 0 ? errno : EIO;

		free(m);
		errno = err;
		return NULL;
	}
	m->max = max_sources;
	return m;
}

static void
entries_clear(struct op25b_records_merge *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->entries[i].dsts);
	m->n = 0;
	if (m->index != NULL)
		memset(m->index, 0, m->index_size * sizeof(*m->index));
}

void
op25b_records_merge_free(struct op25b_records_merge *m)
{
	if (m == NULL)
		return;
	entries_clear(m);
	free(m->entries);
	free(m->index);
	free(m);
}

size_t
op25b_records_merge_count(const struct op25b_records_merge *m)
{
	return m->n;
}

static size_t
entry_hash(const struct op25b_records_merge *m, const struct op25b_record *r,
	   size_t mask)
{
	uint64_t words[3];

	memcpy(words, r->src, sizeof(r->src));
	words[2] = (uint64_t)r->interval << 8 | r->family;
	return (size_t)op25b_siphash24(m->key[0], m->key[1], words, 3) & mask;
}

static bool
same_source(const struct op25b_record *a, const struct op25b_record *b)
{
	return a->interval == b->interval && a->family == b->family &&
	       memcmp(a->src, b->src, sizeof(a->src)) == 0;
}

/* The slot of @r's source in the index: its entry, or the empty slot
 * where it goes. */
static uint32_t *
index_slot(struct op25b_records_merge *m, const struct op25b_record *r)
{
	size_t mask = m->index_size - 1, i = entry_hash(m, r, mask);

	while (m->index[i] != 0 &&
	       !same_source(&m->entries[m->index[i] - 1].m.r, r))
		i = (i + 1) & mask;
	return &m->index[i];
}

static int
index_grow(struct op25b_records_merge *m)
{
	size_t size = m->index_size == 0 ? 1024 : m->index_size * 2, i;
	uint32_t *index = calloc(size, sizeof(*index));

	if (index == NULL)
		return -ENOMEM;
	free(m->index);
	m->index = index;
	m->index_size = size;
	for (i = 0; i < m->n; i++)
		*index_slot(m, &m->entries[i].m.r) = (uint32_t)(i + 1);
	return 0;
}

static int
dst_add(struct merge_entry *e, uint64_t key)
{
	uint32_t i;

	if (e->m.destinations >= OP25B_RECORD_DESTINATIONS_MAX)
		return 0;
	for (i = 0; i < e->n_dsts; i++)
		if (e->dsts[i] == key)
			return 0;
	if (e->n_dsts == e->cap_dsts) {
		uint32_t cap = e->cap_dsts == 0 ? 8 : e->cap_dsts * 2;
		uint64_t *d = realloc(e->dsts, cap * sizeof(*d));

		if (d == NULL)
			return -ENOMEM;
		e->dsts = d;
		e->cap_dsts = cap;
	}
	e->dsts[e->n_dsts++] = key;
	e->m.destinations = e->n_dsts;
	return 0;
}

int
op25b_records_merge_add(struct op25b_records_merge *m,
			const struct op25b_record *r)
{
	struct merge_entry *e;
	uint32_t *slot;
	unsigned int i;
	int err = 0;

	if ((m->n + 1) * 2 > m->index_size && m->n < m->max &&
	    index_grow(m) != 0)
		return -ENOMEM;
	slot = index_slot(m, r);
	if (*slot == 0) {
		if (m->n >= m->max)
			return -ENOSPC;
		if (m->n == m->cap) {
			size_t cap = m->cap == 0 ? 256 : m->cap * 2;
			struct merge_entry *n =
				realloc(m->entries, cap * sizeof(*n));

			if (n == NULL)
				return -ENOMEM;
			m->entries = n;
			m->cap = cap;
		}
		e = &m->entries[m->n];
		memset(e, 0, sizeof(*e));
		e->m.r = *r;
		*slot = (uint32_t)++m->n;
	} else {
		e = &m->entries[*slot - 1];
		if (r->first_tsc < e->m.r.first_tsc)
			e->m.r.first_tsc = r->first_tsc;
		/* The last frame's figures: from the piece that ends last. */
		if (r->last_tsc >= e->m.r.last_tsc) {
			uint64_t first = e->m.r.first_tsc;

			e->m.r = *r;
			e->m.r.first_tsc = first;
		}
	}
	e->m.segments += r->segments;
	e->m.syns += r->syns;
	/* No memory for a destination: the count stays short of it, the
	 * piece's counts are in. */
	for (i = 0; i < r->n_dsts && i < OP25B_RECORD_DSTS && err == 0; i++)
		err = dst_add(e, r->dst_key[i]);
	return 0;
}

static int
by_first(const void *a, const void *b)
{
	const struct op25b_records_merged *x = a, *y = b;

	if (x->r.first_tsc != y->r.first_tsc)
		return x->r.first_tsc < y->r.first_tsc ? -1 : 1;
	if (x->r.family != y->r.family)
		return x->r.family < y->r.family ? -1 : 1;
	return memcmp(x->r.src, y->r.src, sizeof(x->r.src));
}

int
op25b_records_merge_take(struct op25b_records_merge *m, uint32_t interval,
			 struct op25b_records_merged **out)
{
	struct op25b_records_merged *taken;
	size_t i, n = 0, kept = 0;

	*out = NULL;
	for (i = 0; i < m->n; i++)
		n += m->entries[i].m.r.interval <= interval;
	if (n == 0)
		return 0;
	taken = malloc(n * sizeof(*taken));
	if (taken == NULL)
		return -ENOMEM;
	n = 0;
	for (i = 0; i < m->n; i++) {
		struct merge_entry *e = &m->entries[i];

		if (e->m.r.interval <= interval) {
			taken[n++] = e->m;
			free(e->dsts);
		} else {
			m->entries[kept++] = *e;
		}
	}
	m->n = kept;
	memset(m->index, 0, m->index_size * sizeof(*m->index));
	for (i = 0; i < m->n; i++)
		*index_slot(m, &m->entries[i].m.r) = (uint32_t)(i + 1);
	qsort(taken, n, sizeof(*taken), by_first);
	*out = taken;
	return (int)n;
}

const char *
op25b_records_action_name(unsigned int outcome)
{
	switch (outcome) {
	case OP25B_OUTCOME_BLOCKED:
		return "drop";
	case OP25B_OUTCOME_RESET:
		return "reset";
	case OP25B_OUTCOME_COUNTED:
		return "count";
	case OP25B_RECORD_OUTCOME_NOTIFY:
		return "notify";
	default:
		return op25b_outcome_name(outcome);
	}
}
