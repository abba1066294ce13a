/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Block records without EAL: the worker's table (counting in place,
 * pieces handed over when a source's destinations outgrow one, a full
 * table's frames handed over one by one, flushes), the control lcore's
 * merge (pieces of several workers and intervals, distinct destinations
 * exact up to 255, the order records come out in) and the exact JSON
 * line.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <cmocka.h>

#include "op25b_records.h"
#include "op25b_stats.h"
#include "test_fixture.h"

/* Two precedence steps a record may carry (enum op25b_rule's numbers, for
 * the view's names below: the library writes what the view names). */
#define RULE_CLASS_TO 0
#define RULE_CLASS 2

static struct op25b_record_hint
hint4(const char *src, const char *dst, uint16_t dport, bool syn)
{
	struct op25b_record_hint h;

	memset(&h, 0, sizeof(h));
	h.family = 4;
	assert_int_equal(inet_pton(AF_INET, src, h.src), 1);
	assert_int_equal(inet_pton(AF_INET, dst, h.dst), 1);
	h.dport = dport;
	h.syn = syn;
	h.outcome = OP25B_OUTCOME_BLOCKED;
	h.class_slot = 1;
	h.pppoe_session = -1;
	h.hash = op25b_record_source_hash(h.family, h.src);
	return h;
}

static struct op25b_records_table *
table_new(uint32_t capacity)
{
	size_t size = op25b_records_table_size(capacity);
	/* Slots start cache lines. */
	void *mem = aligned_alloc(64, (size + 63) & ~(size_t)63);
	struct op25b_records_table *t;

	assert_non_null(mem);
	t = op25b_records_table_init(mem, capacity);
	assert_ptr_equal(t, mem);
	return t;
}

/* A piece of one frame: counted once, to one destination, from @first_tsc. */
static void
assert_one_frame(const struct op25b_record *r, uint64_t first_tsc)
{
	assert_int_equal(r->segments, 1);
	assert_int_equal(r->n_dsts, 1);
	assert_int_equal(r->first_tsc, first_tsc);
}

/* The fixture of the tests on one table of 16 slots. */
TEST_FIXTURE(table, table_new(16), free)

static void
test_table_sizes(void **state)
{
	char mem[64];
	/* aligned_alloc() takes a multiple of the alignment. */
	void *t_aligned =
		aligned_alloc(64, (op25b_records_table_size(32) + 63) & ~63ul);

	(void)state;
	assert_non_null(t_aligned);
	assert_int_equal(op25b_records_table_size(15), 0);
	assert_int_equal(op25b_records_table_size(100), 0);
	assert_int_equal(op25b_records_table_size(1u << 21), 0);
	assert_true(op25b_records_table_size(16) > 16 * 160);
	errno = 0;
	assert_null(op25b_records_table_init(mem, 24));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(op25b_records_table_init((char *)t_aligned + 8, 16));
	assert_int_equal(errno, EINVAL);
	free(t_aligned);
}

/* A source's frames are counted in one slot: first and last times, the
 * last frame's figures, SYNs apart from other segments. */
static void
test_table_counts_in_place(void **state)
{
	struct op25b_records_table *t = *state;
	struct op25b_record_hint h = hint4("198.18.0.1", "203.0.113.5", 25, 1);
	struct op25b_record out[4];

	assert_int_equal(op25b_records_table_add(t, &h, 100, 0, out), 0);
	assert_int_equal(op25b_records_table_add(t, &h, 150, 0, out), 0);
	h = hint4("198.18.0.1", "203.0.113.6", 2525, 0);
	h.outcome = OP25B_OUTCOME_RESET;
	h.n_vlans = 2;
	h.vlan[0] = 100;
	h.vlan[1] = 7;
	h.pppoe_session = 0x1234;
	h.port = 3;
	assert_int_equal(op25b_records_table_add(t, &h, 170, 0, out), 0);
	h = hint4("198.18.0.2", "203.0.113.5", 25, 1);
	assert_int_equal(op25b_records_table_add(t, &h, 200, 0, out), 0);
	assert_int_equal(op25b_records_table_count(t), 2);

	assert_int_equal(op25b_records_table_flush(t, out, 4), 2);
	assert_int_equal(op25b_records_table_count(t), 0);
	assert_int_equal(op25b_records_table_flush(t, out, 4), 0);
	if (out[0].src[3] != 1) {
		struct op25b_record x = out[0];

		out[0] = out[1];
		out[1] = x;
	}
	assert_int_equal(out[0].first_tsc, 100);
	assert_int_equal(out[0].last_tsc, 170);
	assert_int_equal(out[0].segments, 3);
	assert_int_equal(out[0].syns, 2);
	assert_int_equal(out[0].n_dsts, 2);
	assert_int_equal(out[0].dport, 2525);
	assert_int_equal(out[0].dst[3], 6);
	assert_int_equal(out[0].outcome, OP25B_OUTCOME_RESET);
	assert_int_equal(out[0].n_vlans, 2);
	assert_int_equal(out[0].vlan[1], 7);
	assert_int_equal(out[0].pppoe_session, 0x1234);
	assert_int_equal(out[0].port, 3);
	assert_one_frame(&out[1], 200);
}

/* The ninth destination hands the piece over and starts the next. */
static void
test_table_piece_per_destinations(void **state)
{
	struct op25b_records_table *t = *state;
	struct op25b_record out, rest[2];
	char dst[32];
	unsigned int i;

	for (i = 0; i < OP25B_RECORD_DSTS; i++) {
		struct op25b_record_hint h;

		snprintf(dst, sizeof(dst), "203.0.113.%u", i + 1);
		h = hint4("198.18.0.1", dst, 25, 1);
		assert_int_equal(op25b_records_table_add(t, &h, i, 0, &out), 0);
		/* A destination seen again is no new one. */
		assert_int_equal(op25b_records_table_add(t, &h, i, 0, &out), 0);
	}
	{
		struct op25b_record_hint h =
			hint4("198.18.0.1", "203.0.113.99", 25, 1);

		assert_int_equal(op25b_records_table_add(t, &h, 50, 0, &out),
				 1);
	}
	assert_int_equal(out.n_dsts, OP25B_RECORD_DSTS);
	assert_int_equal(out.segments, 2 * OP25B_RECORD_DSTS);
	assert_int_equal(op25b_records_table_flush(t, rest, 2), 1);
	assert_one_frame(&rest[0], 50);
}

/* An IPv4 source and the IPv6 source of the same first four bytes (the
 * rest zero) are two sources; a source that goes back and forth between
 * two destinations has two, and its last frame's figures win. */
static void
test_table_families_and_destinations(void **state)
{
	struct op25b_records_table *t = *state;
	struct op25b_record_hint v4 = hint4("198.18.0.1", "203.0.113.1", 25, 1),
				 v6 = v4,
				 b = hint4("198.18.0.1", "203.0.113.2", 2525,
					   0);
	struct op25b_record out[4];
	unsigned int i, n;

	/* Its hash made the IPv4 source's: the same place and tag (a worst
	 * case; the table tells the families apart all the same). */
	v6.family = 6;
	for (i = 0; i < 4; i++) {
		assert_int_equal(
			op25b_records_table_add(t, &v4, 10 * i, 0, out), 0);
		assert_int_equal(
			op25b_records_table_add(t, &b, 10 * i + 1, 0, out), 0);
	}
	assert_int_equal(op25b_records_table_add(t, &v6, 100, 0, out), 0);
	assert_int_equal(op25b_records_table_count(t), 2);
	n = op25b_records_table_flush(t, out, 4);
	assert_int_equal(n, 2);
	for (i = 0; i < n; i++) {
		if (out[i].family == 6) {
			assert_one_frame(&out[i], 100);
			continue;
		}
		assert_int_equal(out[i].family, 4);
		assert_int_equal(out[i].segments, 8);
		assert_int_equal(out[i].syns, 4);
		assert_int_equal(out[i].n_dsts, 2);
		assert_int_equal(out[i].first_tsc, 0);
		assert_int_equal(out[i].last_tsc, 31);
		assert_int_equal(out[i].dport, 2525);
		assert_memory_equal(out[i].dst, b.dst, 16);
	}
}

/* Destination keys of IPv6 addresses that differ in one bit, any bit, are
 * distinct (and none an IPv4 key): a key is all the table and the merge
 * compare. The fold once merged addresses that differed in bit 63 of
 * either half, such as 2001:db8:1::25 and 2001:db8:1:80::25: one source
 * sending to both had one destination. */
static void
test_dst_keys_ipv6(void **state)
{
	struct op25b_records_table *t = *state;
	struct op25b_record_hint h = hint4("198.18.0.1", "203.0.113.1", 25, 1);
	uint64_t keys[129];
	uint8_t a[16];
	struct op25b_record out[2];
	unsigned int i, j;

	assert_int_equal(inet_pton(AF_INET6, "2001:db8:1::25", a), 1);
	keys[128] = op25b_record_dst_key(6, a);
	for (i = 0; i < 128; i++) {
		a[i / 8] ^= (uint8_t)(0x80 >> (i % 8));
		keys[i] = op25b_record_dst_key(6, a);
		a[i / 8] ^= (uint8_t)(0x80 >> (i % 8));
		assert_true(keys[i] >> 63);
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		for (j = i + 1; j < sizeof(keys) / sizeof(keys[0]); j++)
			if (keys[i] == keys[j])
				fail_msg("bits %u and %u: the same key", i, j);
	/* Through the table: two destinations. */
	h.family = 6;
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:1000::9", h.src), 1);
	h.hash = op25b_record_source_hash(6, h.src);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:1::25", h.dst), 1);
	assert_int_equal(op25b_records_table_add(t, &h, 1, 0, out), 0);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:1:80::25", h.dst), 1);
	assert_int_equal(op25b_records_table_add(t, &h, 2, 0, out), 0);
	assert_int_equal(op25b_records_table_flush(t, out, 2), 1);
	assert_int_equal(out[0].segments, 2);
	assert_int_equal(out[0].n_dsts, 2);
}

/* A burst is counted as its frames one by one, at tsc + i: records
 * finished beyond the caller's room are lost and counted. */
static void
test_table_burst(void **state)
{
	struct op25b_records_table *t = table_new(16), *u = table_new(16);
	struct op25b_record_hint h[40];
	struct op25b_record out[40], one, a[16], b[16];
	unsigned int i, k, handed = 0, na, nb;
	uint64_t lost = 0;
	char src[32];

	(void)state;
	for (i = 0; i < 40; i++) {
		/* 20 sources, twice each: the table fills, later ones go. */
		snprintf(src, sizeof(src), "198.18.0.%u", i % 20);
		h[i] = hint4(src, "203.0.113.1", 25, i < 20);
	}
	k = op25b_records_table_add_burst(t, h, 40, 1000, 3, out, 2, &lost);
	for (i = 0; i < 40; i++)
		handed += op25b_records_table_add(u, &h[i], 1000 + i, 3,
						  &one) == 1;
	assert_true(handed > 2);
	assert_int_equal(k, 2);
	assert_int_equal(lost, handed - 2);
	assert_int_equal(out[0].interval, 3);
	assert_int_equal(out[0].segments, 1);
	na = op25b_records_table_flush(t, a, 16);
	nb = op25b_records_table_flush(u, b, 16);
	assert_int_equal(na, nb);
	for (i = 0; i < na; i++) {
		assert_memory_equal(a[i].src, b[i].src, 16);
		assert_int_equal(a[i].segments, 2);
		assert_int_equal(a[i].syns, 1);
		assert_int_equal(a[i].first_tsc, b[i].first_tsc);
		assert_int_equal(a[i].last_tsc, b[i].last_tsc);
		assert_int_equal(a[i].last_tsc - a[i].first_tsc, 20);
	}
	free(t);
	free(u);
}

/* A full table hands each new source's frame over at once. */
static void
test_table_full(void **state)
{
	struct op25b_records_table *t = *state;
	struct op25b_record out;
	unsigned int i, handed = 0, held;
	char src[32];

	memset(&out, 0xa5, sizeof(out));
	for (i = 0; i < 1000; i++) {
		struct op25b_record_hint h;

		snprintf(src, sizeof(src), "198.18.%u.%u", i / 250, i % 250);
		h = hint4(src, "203.0.113.1", 25, 1);
		handed += (unsigned int)op25b_records_table_add(t, &h, i, 0,
								&out);
	}
	held = op25b_records_table_count(t);
	assert_true(held <= 16 && held >= 12);
	assert_int_equal(handed + held, 1000);
	assert_int_equal(out.segments, 1);
	/* A record of one frame is written whole: the ring copies it. */
	assert_int_equal(out.n_dsts, 1);
	for (i = 1; i < OP25B_RECORD_DSTS; i++)
		assert_int_equal(out.dst_key[i], 0);
	assert_int_equal(out.pad2, 0);
	/* Nowhere to hand it over (a full ring): lost, and said so; a
	 * source in the table is still counted. */
	{
		struct op25b_record_hint h =
			hint4("198.19.0.1", "203.0.113.1", 25, 1);
		struct op25b_record kept[16];
		unsigned int k, n;

		assert_int_equal(op25b_records_table_add(t, &h, 0, 0, NULL),
				 -ENOBUFS);
		n = op25b_records_table_flush(t, kept, 16);
		assert_int_equal(n, held);
		h = hint4("198.18.0.0", "203.0.113.1", 25, 1);
		memcpy(h.src, kept[0].src, 16);
		h.hash = op25b_record_source_hash(4, h.src);
		assert_int_equal(op25b_records_table_add(t, &h, 0, 0, NULL), 0);
		for (k = 0; k < n; k++)
			assert_int_equal(kept[k].segments, 1);
	}
}

static struct op25b_record
piece(const char *src, uint32_t interval, uint64_t first, uint64_t last,
      uint32_t segments, unsigned int dst_from, unsigned int n_dsts)
{
	struct op25b_record r;
	unsigned int i;

	memset(&r, 0, sizeof(r));
	r.family = 4;
	assert_int_equal(inet_pton(AF_INET, src, r.src), 1);
	r.interval = interval;
	r.first_tsc = first;
	r.last_tsc = last;
	r.segments = segments;
	r.syns = segments;
	r.dport = (uint16_t)(25 + last);
	r.pppoe_session = -1;
	for (i = 0; i < n_dsts; i++)
		r.dst_key[i] = dst_from + i;
	r.n_dsts = (uint8_t)n_dsts;
	return r;
}

static void
test_merge(void **state)
{
	struct op25b_records_merge *m = op25b_records_merge_create(1u << 20);
	struct op25b_records_merged *taken;
	struct op25b_record r;
	unsigned int i;

	(void)state;
	assert_non_null(m);
	/* Two workers' pieces of one source; another source; the next
	 * interval of the first. */
	r = piece("198.18.0.1", 0, 40, 90, 3, 0, 2);
	assert_int_equal(op25b_records_merge_add(m, &r), 0);
	r = piece("198.18.0.1", 0, 10, 60, 5, 1, 3);
	assert_int_equal(op25b_records_merge_add(m, &r), 0);
	r = piece("198.18.0.2", 0, 20, 20, 1, 0, 1);
	assert_int_equal(op25b_records_merge_add(m, &r), 0);
	r = piece("198.18.0.1", 1, 200, 210, 1, 0, 1);
	assert_int_equal(op25b_records_merge_add(m, &r), 0);
	assert_int_equal(op25b_records_merge_count(m), 3);

	assert_int_equal(op25b_records_merge_take(m, 0, &taken), 2);
	assert_int_equal(taken[0].r.src[3], 1); /* first 10 before 20 */
	assert_int_equal(taken[0].r.first_tsc, 10);
	assert_int_equal(taken[0].r.last_tsc, 90);
	assert_int_equal(taken[0].r.dport, 25 + 90); /* the last piece's */
	assert_int_equal(taken[0].segments, 8);
	assert_int_equal(taken[0].syns, 8);
	assert_int_equal(taken[0].destinations, 4); /* keys 0..3 */
	assert_int_equal(taken[1].r.src[3], 2);
	free(taken);
	assert_int_equal(op25b_records_merge_count(m), 1);
	assert_int_equal(op25b_records_merge_take(m, 0, &taken), 0);
	assert_null(taken);

	/* Destinations: exact up to 255, then 255. */
	for (i = 0; i < 40; i++) {
		r = piece("198.18.0.3", 1, 300 + i, 300 + i, 1, i * 8, 8);
		assert_int_equal(op25b_records_merge_add(m, &r), 0);
	}
	assert_int_equal(op25b_records_merge_take(m, UINT32_MAX, &taken), 2);
	assert_int_equal(taken[0].segments, 1);
	assert_int_equal(taken[1].destinations, 255);
	assert_int_equal(taken[1].segments, 40);
	free(taken);

	/* Pieces near 2^32 each (a source at line rate, handed over before
	 * its count wraps): the record's counts are their sum. */
	for (i = 0; i < 3; i++) {
		r = piece("198.18.0.4", 2, 400 + i, 400 + i, UINT32_MAX - i, 0,
			  1);
		assert_int_equal(op25b_records_merge_add(m, &r), 0);
	}
	assert_int_equal(op25b_records_merge_take(m, UINT32_MAX, &taken), 1);
	assert_true(taken[0].segments == 3 * (uint64_t)UINT32_MAX - 3);
	assert_true(taken[0].syns == 3 * (uint64_t)UINT32_MAX - 3);
	free(taken);
	op25b_records_merge_free(m);
}

/* Many sources: the index grows and keeps every source apart. */
static void
test_merge_many(void **state)
{
	struct op25b_records_merge *m = op25b_records_merge_create(1u << 20);
	struct op25b_records_merged *taken;
	struct op25b_record r;
	char src[32];
	unsigned int i;

	(void)state;
	for (i = 0; i < 5000; i++) {
		snprintf(src, sizeof(src), "198.18.%u.%u", i / 250, i % 250);
		r = piece(src, 0, i, i, 1, 0, 1);
		assert_int_equal(op25b_records_merge_add(m, &r), 0);
		assert_int_equal(op25b_records_merge_add(m, &r), 0);
	}
	assert_int_equal(op25b_records_merge_take(m, 0, &taken), 5000);
	for (i = 0; i < 5000; i++) {
		assert_int_equal(taken[i].r.first_tsc, i);
		assert_int_equal(taken[i].segments, 2);
	}
	free(taken);
	op25b_records_merge_free(m);
}

/* A merge of at most 3 sources: a fourth is refused (-ENOSPC: the
 * caller counts it dropped), pieces of the three still merge, and once
 * their interval is taken there is room again. */
static void
test_merge_bounded(void **state)
{
	struct op25b_records_merge *m = op25b_records_merge_create(3);
	struct op25b_records_merged *taken;
	struct op25b_record r;
	char src[32];
	unsigned int i;

	(void)state;
	assert_null(op25b_records_merge_create(0));
	assert_non_null(m);
	for (i = 0; i < 3; i++) {
		snprintf(src, sizeof(src), "198.18.0.%u", i + 1);
		r = piece(src, 0, i, i, 1, 0, 1);
		assert_int_equal(op25b_records_merge_add(m, &r), 0);
	}
	r = piece("198.18.0.4", 0, 9, 9, 1, 0, 1);
	assert_int_equal(op25b_records_merge_add(m, &r), -ENOSPC);
	/* The same source's next interval is another entry: refused too. */
	r = piece("198.18.0.1", 1, 10, 10, 1, 0, 1);
	assert_int_equal(op25b_records_merge_add(m, &r), -ENOSPC);
	r = piece("198.18.0.2", 0, 11, 11, 4, 1, 1);
	assert_int_equal(op25b_records_merge_add(m, &r), 0);
	assert_int_equal(op25b_records_merge_count(m), 3);
	assert_int_equal(op25b_records_merge_take(m, 0, &taken), 3);
	assert_true(taken[1].segments == 5);
	free(taken);
	r = piece("198.18.0.4", 1, 12, 12, 1, 0, 1);
	assert_int_equal(op25b_records_merge_add(m, &r), 0);
	op25b_records_merge_free(m);
}

static const char *
name_of(void *ctx, uint8_t slot)
{
	static const char *const names[] = { NULL, "dynamic", "mobile-mx",
					     "odd\"name]\\x" };

	(void)ctx;
	return slot < 4 ? names[slot] : "?";
}

static const char *
rule_of(void *ctx, uint8_t rule)
{
	(void)ctx;
	return rule == RULE_CLASS_TO ? "class.to" : "class.action";
}

typedef int (*record_writer_fn_t)(FILE *out,
				  const struct op25b_records_merged *rec,
				  const struct op25b_records_view *v);

static char *
text_of(record_writer_fn_t write, const struct op25b_records_merged *rec,
	const struct op25b_records_view *v)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(write(f, rec, v), 0);
	fclose(f);
	return text;
}

static char *
line_of(const struct op25b_records_merged *rec,
	const struct op25b_records_view *v)
{
	return text_of(op25b_records_write_json, rec, v);
}

/* The writers' tests' clock (2026-12-03T18:00:00Z at TSC 5000, 1 kHz)
 * and names. */
static struct op25b_records_view
view_of(void)
{
	return (struct op25b_records_view){
		.class_name = name_of,
		.group_name = name_of,
		.rule = rule_of,
		.tsc_hz = 1000,
		.tsc0 = 5000,
		.wall_ns0 = 1796320800000000000ull,
	};
}

/* 198.18.0.9 in PPPoE session 4660 under VLANs 100 and 4095: 12
 * segments, 10 SYNs, 3 destinations from +1.234 s to +60.999 s. */
static void
sample_record(struct op25b_records_merged *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->r.family = 4;
	inet_pton(AF_INET, "198.18.0.9", rec->r.src);
	inet_pton(AF_INET, "203.0.113.5", rec->r.dst);
	rec->r.first_tsc = 6234;
	rec->r.last_tsc = 65999;
	rec->r.outcome = OP25B_OUTCOME_BLOCKED;
	rec->r.class_slot = 1;
	rec->r.rule = RULE_CLASS;
	rec->r.dport = 25;
	rec->segments = 12;
	rec->syns = 10;
	rec->r.n_vlans = 2;
	rec->r.vlan[0] = 100;
	rec->r.vlan[1] = 4095;
	rec->r.pppoe_session = 4660;
	memcpy(rec->r.src_mac, "\x02\x00\x00\x00\x0a\xff", 6);
	rec->destinations = 3;
}

static void
test_json_line(void **state)
{
	struct op25b_records_view v = view_of();
	struct op25b_records_merged rec;
	char *text;

	(void)state;
	sample_record(&rec);
	text = line_of(&rec, &v);
	assert_string_equal(
		text,
		"{\"time\":\"2026-12-03T18:01:00.999Z\","
		"\"first\":\"2026-12-03T18:00:01.234Z\",\"src\":\"198.18.0.9\","
		"\"class\":\"dynamic\",\"group\":null,\"rule\":\"class.action\","
		"\"action\":\"drop\",\"dport\":25,\"dst\":\"203.0.113.5\","
		"\"destinations\":3,\"segments\":12,\"syns\":10,"
		"\"vlan\":[100,4095],\"pppoe_session\":4660,"
		"\"src_mac\":\"02:00:00:00:0a:ff\",\"port\":0,"
		"\"mode\":\"enforce\"}\n");
	free(text);

	/* IPv6, no encapsulation, a group, monitor mode. */
	memset(&rec.r.src, 0, 16);
	inet_pton(AF_INET6, "2001:db8:1000::9", rec.r.src);
	inet_pton(AF_INET6, "2001:db8:ffff::25", rec.r.dst);
	rec.r.family = 6;
	rec.r.n_vlans = 0;
	rec.r.pppoe_session = -1;
	rec.r.group_slot = 2;
	/* The mode is the rule's: the classifier that judged the last
	 * frame was compiled in monitor mode. */
	rec.r.rule = RULE_CLASS_TO | OP25B_RECORD_RULE_MONITOR;
	rec.r.outcome = OP25B_OUTCOME_COUNTED;
	rec.r.port = 2;
	/* Past 2^32: the merge's 64-bit sums. */
	rec.segments = 8589934560ull;
	rec.syns = 4294967296ull;
	text = line_of(&rec, &v);
	assert_non_null(strstr(text, "\"segments\":8589934560,"
				     "\"syns\":4294967296,"));
	assert_non_null(strstr(text,
			       "\"src\":\"2001:db8:1000::9\","
			       "\"class\":\"dynamic\","
			       "\"group\":\"mobile-mx\","
			       "\"rule\":\"class.to\",\"action\":\"count\""));
	assert_non_null(strstr(text, "\"dst\":\"2001:db8:ffff::25\""));
	assert_non_null(strstr(text, "\"vlan\":[],\"pppoe_session\":null,"));
	assert_non_null(strstr(text, "\"port\":2,\"mode\":\"monitor\"}\n"));
	free(text);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(op25b_records_action_name(OP25B_OUTCOME_BLOCKED),
			    "drop");
	assert_string_equal(op25b_records_action_name(OP25B_OUTCOME_RESET),
			    "reset");
	assert_string_equal(op25b_records_action_name(OP25B_OUTCOME_COUNTED),
			    "count");
	assert_string_equal(
		op25b_records_action_name(OP25B_RECORD_OUTCOME_NOTIFY),
		"notify");
	assert_false(op25b_records_wanted(OP25B_OUTCOME_FORWARDED));
	assert_false(op25b_records_wanted(OP25B_OUTCOME_EXEMPTED));
	assert_true(op25b_records_wanted(OP25B_OUTCOME_COUNTED));
	assert_true(op25b_records_wanted(OP25B_OUTCOME_RESET));
	assert_false(op25b_records_wanted(OP25B_OUTCOME_MAX));
}

/* The syslog form: RFC 5424's MSGID and one SD element with the JSON's
 * members; nulls left out; '"', '\\' and ']' escaped (6.3.3). */
static void
test_sd_element(void **state)
{
	struct op25b_records_view v = view_of();
	struct op25b_records_merged rec;
	char *text;

	(void)state;
	sample_record(&rec);
	rec.r.outcome = OP25B_OUTCOME_RESET;
	rec.r.class_slot = 3;
	text = text_of(op25b_records_write_sd, &rec, &v);
	assert_string_equal(
		text,
		"block-record [op25b@32473 time=\"2026-12-03T18:01:00.999Z\" "
		"first=\"2026-12-03T18:00:01.234Z\" src=\"198.18.0.9\" "
		"class=\"odd\\\"name\\]\\\\x\" rule=\"class.action\" "
		"action=\"reset\" dport=\"25\" dst=\"203.0.113.5\" "
		"destinations=\"3\" segments=\"12\" syns=\"10\" "
		"vlan=\"100,4095\" pppoe_session=\"4660\" "
		"src_mac=\"02:00:00:00:0a:ff\" port=\"0\" mode=\"enforce\"]");
	free(text);

	/* Untagged, no session, a group: vlan "", pppoe_session left out. */
	rec.r.n_vlans = 0;
	rec.r.pppoe_session = -1;
	rec.r.class_slot = 1;
	rec.r.group_slot = 2;
	rec.r.rule = RULE_CLASS_TO;
	text = text_of(op25b_records_write_sd, &rec, &v);
	assert_non_null(strstr(text, " class=\"dynamic\" group=\"mobile-mx\" "
				     "rule=\"class.to\" "));
	assert_non_null(strstr(text, " vlan=\"\" src_mac="));
	assert_null(strstr(text, "pppoe_session"));
	free(text);
}

/* The top file is in /dev/shm, where another program may write: a
 * reader takes names that end in their entry, and at most
 * OP25B_RECORDS_TOP_MAX entries (a name without its NUL was read past
 * the entry, found by a second reader under ASan). */
static void
test_top_file_untrusted(void **state)
{
	static struct op25b_records_top many[OP25B_RECORDS_TOP_MAX + 1];
	struct op25b_records_top e, *t = NULL;
	char path[] = "/tmp/op25b-test-top.XXXXXX", *out = NULL;
	size_t len = 0;
	FILE *m;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	memset(&e, 0, sizeof(e));
	e.m.r.family = 4;
	e.m.r.pppoe_session = -1;
	memset(e.class_name, 'A', sizeof(e.class_name));
	memset(e.group_name, 'B', sizeof(e.group_name));
	memset(e.rule, 'C', sizeof(e.rule));
	memset(e.mode, 'D', sizeof(e.mode));
	e.has_class = e.has_group = 1;
	assert_int_equal(op25b_records_top_save(path, &e, 1), 0);
	assert_int_equal(op25b_records_top_load(path, &t), 1);
	assert_int_equal(strlen(t[0].class_name), sizeof(e.class_name) - 1);
	assert_int_equal(strlen(t[0].group_name), sizeof(e.group_name) - 1);
	assert_int_equal(strlen(t[0].rule), sizeof(e.rule) - 1);
	assert_int_equal(strlen(t[0].mode), sizeof(e.mode) - 1);
	m = open_memstream(&out, &len);
	assert_non_null(m);
	assert_int_equal(op25b_records_top_json(m, t, 1), 0);
	fclose(m);
	assert_non_null(strstr(out, "\"mode\":\"DDDDDDDDDDDDDDD\"}"));
	free(out);
	free(t);
	t = NULL;
	/* More entries than a list holds: not such a file. */
	assert_int_equal(
		op25b_records_top_save(path, many, OP25B_RECORDS_TOP_MAX + 1),
		0);
	assert_int_equal(op25b_records_top_load(path, &t), -EPROTO);
	assert_null(t);
	assert_int_equal(
		op25b_records_top_save(path, many, OP25B_RECORDS_TOP_MAX), 0);
	assert_int_equal(op25b_records_top_load(path, &t),
			 OP25B_RECORDS_TOP_MAX);
	free(t);
	t = NULL;
	/* Another user's file at the name (root can make one to test):
	 * not a list an op25b wrote. */
	if (geteuid() == 0) {
		assert_int_equal(chown(path, 12345, 12345), 0);
		assert_int_equal(op25b_records_top_load(path, &t), -EPERM);
		assert_null(t);
	}
	unlink(path);
}

/* A fake TSC for the bucket: the tick the test says. */
static uint64_t fake_tsc;
static unsigned int fake_reads;

static uint64_t
fake_clock(void)
{
	fake_reads++;
	return fake_tsc;
}

/* op25b_records_budget_frames() on the fake clock at @p now. */
static uint16_t
budget_frames(struct op25b_records_budget *b, uint16_t n, uint64_t now)
{
	uint64_t read = 0;
	uint16_t k;

	fake_tsc = now;
	k = op25b_records_budget_frames(b, n, fake_clock, &read);
	assert_true(read == 0 || read == now);
	return k;
}

/*
 * --block-records-rate's bucket, on a TSC of 1000 ticks a second and a
 * rate of 10 frames a second (100 ticks a frame): full at start (one
 * second, 10 frames), empty after them, refilled by the ticks that pass
 * (looked at only when short of a burst's credit), never above one
 * second however long it idles; the first burst after a quiet spell is
 * judged on the credit the spell gave; 0 takes everything; a rate the
 * TSC does not divide is not rounded.
 */
static void
test_budget(void **state)
{
	struct op25b_records_budget b;

	(void)state;
	op25b_records_budget_init(&b, 10, 1000, 5000);
	fake_reads = 0;
	/* A full bucket (it can gain nothing) and a burst within the
	 * credit read no clock. */
	assert_int_equal(budget_frames(&b, 64, 5000), 10);
	assert_int_equal(budget_frames(&b, 4, 5000), 4);
	assert_int_equal(fake_reads, 0);
	/* A burst of 8 taken: 2 left. */
	op25b_records_budget_take(&b, 8);
	assert_int_equal(budget_frames(&b, 64, 5000), 2);
	op25b_records_budget_take(&b, 2);
	assert_int_equal(budget_frames(&b, 64, 5000), 0);
	/* 99 ticks: not one frame yet (the clock read, short of credit);
	 * 1 more: one. */
	fake_reads = 0;
	assert_int_equal(budget_frames(&b, 64, 5099), 0);
	assert_int_equal(fake_reads, 1);
	assert_int_equal(budget_frames(&b, 64, 5100), 1);
	/* That one taken, 350 ticks on: 3 frames, and half of one kept
	 * (50 more ticks make it a frame). */
	op25b_records_budget_take(&b, 1);
	assert_int_equal(budget_frames(&b, 64, 5450), 3);
	op25b_records_budget_take(&b, 3);
	assert_int_equal(budget_frames(&b, 64, 5500), 1);
	/* An hour quiet: the first burst after it gets a full second, 10
	 * frames, no more. */
	op25b_records_budget_take(&b, 1);
	assert_int_equal(budget_frames(&b, 3, 5500 + 3600 * 1000ull), 3);
	assert_int_equal(budget_frames(&b, 64, 5500 + 3600 * 1000ull), 10);
	/* A refill by the clock read after a burst, and one that went back
	 * (never, on one lcore), which adds nothing. */
	op25b_records_budget_take(&b, 10);
	op25b_records_budget_refill(&b, 5000);
	assert_int_equal(budget_frames(&b, 64, 5000), 0);
	/* Taking more than there is leaves it empty, not full. */
	op25b_records_budget_take(&b, 64);
	assert_int_equal(budget_frames(&b, 64, 5000), 0);

	/* No limit: everything, no clock read. */
	op25b_records_budget_init(&b, 0, 1000, 0);
	fake_reads = 0;
	op25b_records_budget_take(&b, 64);
	assert_int_equal(budget_frames(&b, 64, 1), 64);
	assert_int_equal(fake_reads, 0);
	/* 3 frames a second on a 1000-tick TSC (333.3 ticks a frame): 3
	 * frames in the second after the bucket ran dry, not 3.003. */
	op25b_records_budget_init(&b, 3, 1000, 0);
	op25b_records_budget_take(&b, 3);
	assert_int_equal(budget_frames(&b, 64, 333), 0);
	assert_int_equal(budget_frames(&b, 64, 334), 1);
	assert_int_equal(budget_frames(&b, 64, 1000), 3);
	/* A rate faster than the TSC ticks is kept (two frames a tick). */
	op25b_records_budget_init(&b, 2000, 1000, 0);
	op25b_records_budget_take(&b, 1990);
	assert_int_equal(budget_frames(&b, 64, 0), 10);
	assert_int_equal(budget_frames(&b, 64, 1), 12);
	/* At the default rate on a 2.6 GHz TSC: from an empty bucket, 39
	 * frames 39 us on. */
	op25b_records_budget_init(&b, 1000000, 2600000000ull, 0);
	op25b_records_budget_take(&b, 64);
	b.credit = 0;
	assert_int_equal(budget_frames(&b, 64, 39 * 2600), 39);
	/* The most a second of credit holds: a rate beyond it is cut to
	 * it, not wrapped. */
	op25b_records_budget_init(&b, UINT64_MAX / 1000, 1000, 0);
	assert_true(b.depth <= UINT64_MAX / 2 && b.rate > 0);
}

/* Sources added between two calls of a flush are handed over before it
 * returns 0: it stopped at the table's end, leaving them (and every later
 * source) in the table for good. */
static void
test_table_flush_in_parts(void **state)
{
	struct op25b_records_table *t = table_new(64);
	struct op25b_record out[16];
	struct op25b_record_hint h;
	unsigned int i, n, total = 0, added = 0;
	char src[32];

	(void)state;
	for (i = 0; i < 40; i++) {
		snprintf(src, sizeof(src), "198.18.7.%u", i + 1);
		h = hint4(src, "203.0.113.1", 25, 1);
		if (op25b_records_table_add(t, &h, i, 0, out) == 0)
			added++;
	}
	n = op25b_records_table_flush(
		t, out, (unsigned int)(sizeof(out) / sizeof(out[0])));
	assert_int_equal(n, 16);
	total += n;
	for (i = 0; i < 30; i++) {
		snprintf(src, sizeof(src), "198.18.8.%u", i + 1);
		h = hint4(src, "203.0.113.1", 25, 1);
		if (op25b_records_table_add(t, &h, 100 + i, 0, out) == 0)
			added++;
	}
	while ((n = op25b_records_table_flush(
			t, out,
			(unsigned int)(sizeof(out) / sizeof(out[0])))) != 0)
		total += n;
	assert_int_equal(op25b_records_table_count(t), 0);
	assert_int_equal(total, added);
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_sizes),
		cmocka_unit_test(test_budget),
		FIXTURE_TEST(table, test_table_counts_in_place),
		FIXTURE_TEST(table, test_table_piece_per_destinations),
		FIXTURE_TEST(table, test_table_families_and_destinations),
		FIXTURE_TEST(table, test_dst_keys_ipv6),
		cmocka_unit_test(test_table_burst),
		FIXTURE_TEST(table, test_table_full),
		cmocka_unit_test(test_table_flush_in_parts),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_merge_many),
		cmocka_unit_test(test_merge_bounded),
		cmocka_unit_test(test_json_line),
		cmocka_unit_test(test_sd_element),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_top_file_untrusted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
