/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Adaptive table tests, on a fake clock (1000 ticks a second): the window's
 * edges (N passes, N+1 blocks), its sliding and its precision, block_for's
 * expiry, distinct destinations, IPv6 /64 and /56 keys, eviction and a
 * table full of blocked sources, a reload with changed limits or class,
 * the sweep's gauges, clear, exactly N passes when two threads race,
 * the burst entry points against one account per packet, and the account
 * racing the control lcore's clear and sweep. All of it twice: the table
 * shared (locked compare-and-swaps) and with one writer (plain stores),
 * the burst account against a shared table's, the race of two accounting
 * threads on a shared table both times.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <limits.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_memory.h>
#include <rte_pause.h>

#include "adaptive_priv.h"
#include "op25b_adaptive.h"
#include "test_eal.h"
#include "test_fixture.h"

#define HZ 1000 /* ticks a second: 1 tick = 1 ms */

static uint64_t fake_now;

static uint64_t
fake_clock(void *ctx)
{
	(void)ctx;
	return fake_now;
}

/* The kind of table the tests run on: main() runs them on each. */
static struct table_kind {
	bool single_writer;
} kind;

static struct op25b_adaptive_table *
table_of(uint32_t entries, struct table_kind k)
{
	struct op25b_adaptive_params p = {
		.sz = sizeof(p),
		.entries = entries,
		.socket_id = SOCKET_ID_ANY,
		.hz = HZ,
		.clock = fake_clock,
		.single_writer = k.single_writer,
	};
	struct op25b_adaptive_table *t = op25b_adaptive_create(&p);

	assert_non_null(t);
	assert_int_equal(op25b_adaptive_single_writer(t), k.single_writer);
	fake_now = 1000000; /* far from 0: windows before it are empty */
	return t;
}

static struct op25b_adaptive_table *
table_new(uint32_t entries)
{
	return table_of(entries, kind);
}

/* The fixture of the tests on one table of 1024 entries. */
TEST_FIXTURE(table, table_new(1024), op25b_adaptive_free)
/* Two threads account in it: shared, whatever the kind's writers. */
TEST_FIXTURE(shared_table, table_of(1024, ((struct table_kind){ false })),
	     op25b_adaptive_free)

static struct op25b_adaptive_rule
rule_of(const struct op25b_adaptive_table *t, uint32_t connections,
	uint32_t per, uint32_t block_for, uint32_t destinations,
	uint8_t ipv6_key, uint8_t slot)
{
	struct op25b_adaptive_limit limit = {
		.connections = connections,
		.per_seconds = per,
		.block_seconds = block_for,
		.destinations = destinations,
		.ipv6_key = ipv6_key,
	};
	struct op25b_adaptive_rule r;

	assert_int_equal(op25b_adaptive_rule_init(t, &limit, slot, &r), 0);
	return r;
}

static uint64_t
key4(const char *text)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, text, &a), 1);
	return op25b_adaptive_key4(ntohl(a.s_addr));
}

static uint64_t
key6(const char *text, unsigned int length)
{
	uint8_t a[16];

	assert_int_equal(inet_pton(AF_INET6, text, a), 1);
	return op25b_adaptive_key6(a, length);
}

static enum op25b_adaptive_verdict
syn(struct op25b_adaptive_table *t, const struct op25b_adaptive_rule *r,
    uint64_t key, uint16_t dest)
{
	return op25b_adaptive_account(t, r, key, dest, true, fake_now);
}

/* One SYN from the IPv6 address @p text, keyed as @p r keys sources (its
 * /64 or /56). */
static enum op25b_adaptive_verdict
syn6(struct op25b_adaptive_table *t, const struct op25b_adaptive_rule *r,
     const char *text)
{
	return syn(t, r, key6(text, r->ipv6_key), 1);
}

/* One SYN of @p key to @p dest a letter of @p verdicts, each getting the
 * verdict its letter names: 'P' pass, 'B' block. */
static void
expect_syns(struct op25b_adaptive_table *t, const struct op25b_adaptive_rule *r,
	    uint64_t key, uint16_t dest, const char *verdicts)
{
	unsigned int i;

	for (i = 0; verdicts[i] != '\0'; i++) {
		enum op25b_adaptive_verdict want =
			verdicts[i] == 'B' ? OP25B_ADAPTIVE_BLOCK
					   : OP25B_ADAPTIVE_PASS;

		if (syn(t, r, key, dest) != want)
			fail_msg("SYN %u of %s: not %c", i + 1, verdicts,
				 verdicts[i]);
	}
}

static enum op25b_adaptive_verdict
segment(struct op25b_adaptive_table *t, const struct op25b_adaptive_rule *r,
	uint64_t key)
{
	return op25b_adaptive_account(t, r, key, 1, false, fake_now);
}

static struct op25b_adaptive_totals
totals_of(const struct op25b_adaptive_table *t)
{
	struct op25b_adaptive_totals x;

	op25b_adaptive_totals(t, &x, NULL);
	return x;
}

/* N SYNs pass, the (N+1)th is blocked and every later segment too. */
static void
test_window_edges(void **state)
{
	struct op25b_adaptive_table *t = *state;
	struct op25b_adaptive_rule r = rule_of(t, 3, 60, 3600, 0, 0, 1);
	uint64_t k = key4("198.18.0.9"), other = key4("198.18.0.10");
	unsigned int i;

	for (i = 0; i < 3; i++) {
		assert_int_equal(syn(t, &r, k, 1), OP25B_ADAPTIVE_PASS);
		fake_now += 1000;
	}
	assert_int_equal(totals_of(t).adaptive_triggered, 0);
	assert_int_equal(syn(t, &r, k, 1), OP25B_ADAPTIVE_BLOCK);
	assert_int_equal(totals_of(t).adaptive_triggered, 1);
	assert_int_equal(syn(t, &r, k, 1), OP25B_ADAPTIVE_BLOCK);
	assert_int_equal(segment(t, &r, k), OP25B_ADAPTIVE_BLOCK);
	/* Triggered once, however many SYNs it sends while blocked. */
	assert_int_equal(totals_of(t).adaptive_triggered, 1);
	/* Another source is not affected. */
	assert_int_equal(syn(t, &r, other, 1), OP25B_ADAPTIVE_PASS);
	/* A segment of an unknown source passes and is not tracked. */
	assert_int_equal(segment(t, &r, key4("198.18.0.11")),
			 OP25B_ADAPTIVE_PASS);
	{
		struct op25b_adaptive_info info;

		assert_int_equal(op25b_adaptive_lookup(t, key4("198.18.0.11"),
						       fake_now, &info),
				 -ENOENT);
		assert_int_equal(op25b_adaptive_lookup(t, k, fake_now, &info),
				 0);
		assert_int_equal(info.class_slot, 1);
		assert_int_equal(info.blocked_ticks_left, 3600 * HZ);
	}
}

/* block_for ends at its exact tick; the count then starts again. */
static void
test_block_expires(void **state)
{
	struct op25b_adaptive_table *t = *state;
	struct op25b_adaptive_rule r = rule_of(t, 2, 60, 2, 0, 0, 1);
	uint64_t k = key4("198.18.1.1"), blocked_at;

	expect_syns(t, &r, k, 1, "PPB");
	blocked_at = fake_now;
	fake_now = blocked_at + 2 * HZ - 1;
	assert_int_equal(syn(t, &r, k, 1), OP25B_ADAPTIVE_BLOCK);
	assert_int_equal(segment(t, &r, k), OP25B_ADAPTIVE_BLOCK);
	fake_now = blocked_at + 2 * HZ;
	assert_int_equal(segment(t, &r, k), OP25B_ADAPTIVE_PASS);
	/* Shown as the next SYN will count it: from zero (the window's
	 * three, over the limit of 2, are not the source's any more). */
	{
		struct op25b_adaptive_info info;

		assert_int_equal(op25b_adaptive_lookup(t, k, fake_now, &info),
				 0);
		assert_int_equal(info.blocked_ticks_left, 0);
		assert_int_equal(info.connections, 0);
	}
	/* Its count starts again: the two SYNs before the block are gone. */
	expect_syns(t, &r, k, 1, "PPB");
	assert_int_equal(totals_of(t).adaptive_triggered, 2);
}

/* The window slides: a connection counts for between 7/8 of `per` and
 * `per`, never longer. */
static void
test_window_slides(void **state)
{
	struct op25b_adaptive_table *t = *state;
	/* per 8 s: sub-windows of 1 s. */
	struct op25b_adaptive_rule r = rule_of(t, 2, 8, 60, 0, 0, 1);
	uint64_t k = key4("198.18.2.1"), start;

	fake_now = 2000000; /* a sub-window boundary */
	start = fake_now;
	assert_int_equal(syn(t, &r, k, 1), OP25B_ADAPTIVE_PASS);
	fake_now = start + 4 * HZ;
	assert_int_equal(syn(t, &r, k, 1), OP25B_ADAPTIVE_PASS);
	/* 8 s after the first: it left the window, one is left in it. */
	fake_now = start + 8 * HZ;
	assert_int_equal(syn(t, &r, k, 1), OP25B_ADAPTIVE_PASS);
	/* Three within 7 s (4, 8, 11): over the limit of 2. */
	fake_now = start + 11 * HZ;
	assert_int_equal(syn(t, &r, k, 1), OP25B_ADAPTIVE_BLOCK);

	/* Precision: SYNs 7.5 s back (more than 7/8 of per, less than per)
	 * may be forgotten, never ones within 7 s. */
	k = key4("198.18.2.2");
	fake_now = 3000000 + 500;
	start = fake_now;
	expect_syns(t, &r, k, 1, "PP");
	fake_now = start + 7500;
	assert_int_equal(syn(t, &r, k, 1), OP25B_ADAPTIVE_PASS);
	k = key4("198.18.2.3");
	fake_now = start;
	expect_syns(t, &r, k, 1, "PP");
	fake_now = start + 6999;
	assert_int_equal(syn(t, &r, k, 1), OP25B_ADAPTIVE_BLOCK);
}

static void
test_destinations(void **state)
{
	struct op25b_adaptive_table *t = *state;
	struct op25b_adaptive_rule r = rule_of(t, 100, 60, 60, 2, 0, 1);
	struct op25b_adaptive_rule max =
		rule_of(t, 100, 60, 60, OP25B_ADAPTIVE_MAX_DESTINATIONS, 0, 1);
	uint64_t k = key4("198.18.3.1");
	struct op25b_adaptive_info info;
	unsigned int i;

	assert_int_equal(syn(t, &r, k, 10), OP25B_ADAPTIVE_PASS);
	assert_int_equal(syn(t, &r, k, 20), OP25B_ADAPTIVE_PASS);
	/* The same two again and again: not more destinations. */
	for (i = 0; i < 10; i++)
		assert_int_equal(syn(t, &r, k, 10 + 10 * (i % 2)),
				 OP25B_ADAPTIVE_PASS);
	assert_int_equal(op25b_adaptive_lookup(t, k, fake_now, &info), 0);
	assert_int_equal(info.connections, 12);
	assert_int_equal(info.destinations, 2);
	assert_int_equal(syn(t, &r, k, 30), OP25B_ADAPTIVE_BLOCK);
	/* Without `destinations`, any number of them. */
	k = key4("198.18.3.2");
	r = rule_of(t, 100, 60, 60, 0, 0, 1);
	for (i = 0; i < 50; i++)
		assert_int_equal(syn(t, &r, k, (uint16_t)(i + 1)),
				 OP25B_ADAPTIVE_PASS);
	/* The largest limit: 16 destinations pass, the 17th is blocked. */
	k = key4("198.18.3.3");
	for (i = 0; i < OP25B_ADAPTIVE_MAX_DESTINATIONS; i++)
		assert_int_equal(syn(t, &max, k, (uint16_t)(i + 1)),
				 OP25B_ADAPTIVE_PASS);
	assert_int_equal(syn(t, &max, k, 99), OP25B_ADAPTIVE_BLOCK);
	/* The destinations leave the window with their SYNs. */
	k = key4("198.18.3.4");
	assert_int_equal(syn(t, &r, k, 1), OP25B_ADAPTIVE_PASS);
	r = rule_of(t, 100, 60, 60, 1, 0, 1);
	fake_now += 61 * HZ;
	assert_int_equal(syn(t, &r, k, 2), OP25B_ADAPTIVE_PASS);
	assert_int_equal(syn(t, &r, k, 3), OP25B_ADAPTIVE_BLOCK);
}

/* IPv6: one key per /64 by default (a subscriber rotates addresses in
 * it), per /56 with ipv6_key: /56. */
static void
test_ipv6_keys(void **state)
{
	struct op25b_adaptive_table *t = *state;
	struct op25b_adaptive_rule r64 = rule_of(t, 2, 60, 60, 0, 0, 1);
	struct op25b_adaptive_rule r56 = rule_of(t, 2, 60, 60, 0, 56, 2);
	char text[64];

	assert_int_equal(r64.ipv6_key, 64);
	assert_true(key6("2001:db8:1:2::1", 64) ==
		    key6("2001:db8:1:2:ffff::9", 64));
	assert_true(key6("2001:db8:1:2::1", 64) != key6("2001:db8:1:3::1", 64));
	assert_true(key6("2001:db8:1:2::1", 56) == key6("2001:db8:1:3::1", 56));
	assert_true(key6("2001:db8:1:2::1", 56) !=
		    key6("2001:db8:1:102::1", 56));
	/* Rotating inside a /64 does not help. */
	assert_int_equal(syn6(t, &r64, "2001:db8:1:2::1"), OP25B_ADAPTIVE_PASS);
	assert_int_equal(syn6(t, &r64, "2001:db8:1:2::2"), OP25B_ADAPTIVE_PASS);
	assert_int_equal(syn6(t, &r64, "2001:db8:1:2::3"),
			 OP25B_ADAPTIVE_BLOCK);
	/* Another /64 of the same /56 is another source under /64 ... */
	assert_int_equal(syn6(t, &r64, "2001:db8:1:3::1"), OP25B_ADAPTIVE_PASS);
	/* ... and the same under /56. */
	assert_int_equal(syn6(t, &r56, "2001:db8:2:1::1"), OP25B_ADAPTIVE_PASS);
	assert_int_equal(syn6(t, &r56, "2001:db8:2:2::1"), OP25B_ADAPTIVE_PASS);
	assert_int_equal(syn6(t, &r56, "2001:db8:2:3::1"),
			 OP25B_ADAPTIVE_BLOCK);
	/* IPv4 and IPv6 keys never meet. */
	assert_true(key4("0.0.0.0") != 0);
	assert_true((key4("255.255.255.255") >> 56) == 0xff);
	op25b_adaptive_key_format(key6("2001:db8:2:3::1", 56), 56, text,
				  sizeof(text));
	assert_string_equal(text, "2001:db8:2::/56");
	op25b_adaptive_key_format(key4("198.18.0.9"), 64, text, sizeof(text));
	assert_string_equal(text, "198.18.0.9");
}

/* Sources no subscriber prefix holds: ::/N (the IPv4-mapped ::ffff:0:0/96
 * among them, which a policy may name) and multicast ff00::/8 (never a
 * source: forged). Each is tracked, under a key of its own that meets no
 * IPv4 source's, nor another kind's. */
static void
test_ipv6_keys_apart(void **state)
{
	struct op25b_adaptive_table *t = *state;
	struct op25b_adaptive_rule r64 = rule_of(t, 2, 60, 60, 0, 0, 1);
	struct op25b_adaptive_rule r4 = rule_of(t, 2, 60, 60, 0, 0, 2);
	struct op25b_adaptive_rule r32 = rule_of(t, 2, 60, 60, 0, 32, 3);
	char text[64];

	/* A multicast source whose bits 32..63 are an IPv4 address had
	 * 198.18.0.5's key: three forged SYNs blocked its first. */
	assert_true(key6("ff00:0:c612:5::1", 64) != key4("198.18.0.5"));
	assert_true(key6("ff00:0:c612:5::1", 32) != key4("0.0.0.0"));
	assert_int_equal(syn6(t, &r64, "ff00:0:c612:5::1"),
			 OP25B_ADAPTIVE_PASS);
	assert_int_equal(syn6(t, &r64, "ff00:0:c612:5::1"),
			 OP25B_ADAPTIVE_PASS);
	assert_int_equal(syn6(t, &r64, "ff00:0:c612:5::1"),
			 OP25B_ADAPTIVE_BLOCK);
	assert_int_equal(syn(t, &r4, key4("198.18.0.5"), 0),
			 OP25B_ADAPTIVE_PASS);
	/* ffff:ffff:ffff:ffff::/64 was UINT64_MAX, the claim's marker. */
	assert_true(key6("ffff:ffff:ffff:ffff::", 64) != UINT64_MAX);
	assert_true(key6("ff02::1", 64) != key6("ff02:0:0:1::1", 64));
	/* ::/64 was key 0, never tracked: an adaptive class of
	 * ::ffff:198.18.0.0/112 let every SYN pass. Now one key an
	 * address. */
	assert_true(key6("::ffff:198.18.0.5", 64) != 0);
	assert_true(key6("::ffff:198.18.0.5", 64) !=
		    key6("::ffff:198.18.0.6", 64));
	assert_true(key6("::ffff:198.18.0.5", 64) != key4("198.18.0.5"));
	assert_true(key6("::ffff:198.18.0.5", 64) != key6("::1", 64));
	assert_true(key6("::1", 64) != 0 && key6("::", 64) != 0);
	/* Under /32 a source of ::/32 whose bits 32..63 are not 0 is one
	 * too, apart from its neighbours. */
	assert_true(key6("0:0:1::", 32) != key6("0:0:2::", 32));
	assert_true(key6("0:0:1::", 32) != 0);
	/* A source of ::/48 whose bits 48..63 are not 0 does not pass for
	 * an IPv4-mapped address (whose key is exact). */
	assert_true(key6("0:0:0:1:0:ffff:c612:4", 48) !=
		    key6("::ffff:198.18.0.5", 48));
	op25b_adaptive_key_format(key6("0:0:0:1:0:ffff:c612:4", 48), 48, text,
				  sizeof(text));
	assert_string_equal(text, "::/48#ffffc6120005");
	assert_int_equal(syn6(t, &r64, "::ffff:198.18.0.5"),
			 OP25B_ADAPTIVE_PASS);
	assert_int_equal(syn6(t, &r64, "::ffff:198.18.0.5"),
			 OP25B_ADAPTIVE_PASS);
	assert_int_equal(syn6(t, &r64, "::ffff:198.18.0.6"),
			 OP25B_ADAPTIVE_PASS);
	assert_int_equal(syn6(t, &r64, "::ffff:198.18.0.5"),
			 OP25B_ADAPTIVE_BLOCK);
	assert_int_equal(syn6(t, &r32, "0:0:1::9"), OP25B_ADAPTIVE_PASS);
	/* Named as an operator finds them. */
	op25b_adaptive_key_format(key6("::ffff:198.18.0.5", 64), 64, text,
				  sizeof(text));
	assert_string_equal(text, "::ffff:198.18.0.5");
	op25b_adaptive_key_format(key6("::1", 64), 64, text, sizeof(text));
	assert_string_equal(text, "::/64#000000000001");
	op25b_adaptive_key_format(key6("ff00:0:c612:5::1", 64), 64, text,
				  sizeof(text));
	assert_string_equal(text, "ff00::/8#0000c612ff05");
}

/* A full table evicts live sources (counted), never blocked ones: when
 * every way holds a blocked source a new one is not tracked. */
static void
test_eviction(void **state)
{
	struct op25b_adaptive_table *t = table_new(OP25B_ADAPTIVE_MIN_ENTRIES);
	struct op25b_adaptive_rule r = rule_of(t, 1, 60, 60, 0, 0, 1);
	struct op25b_adaptive_totals x;
	struct op25b_adaptive_info info;
	uint32_t cap = op25b_adaptive_capacity(t), i, n;
	uint64_t held[OP25B_ADAPTIVE_MIN_ENTRIES], k;

	(void)state;
	assert_int_equal(cap, 64);
	/* Four times as many sources as entries, one SYN each. */
	for (i = 0; i < 4 * cap; i++)
		assert_int_equal(
			syn(t, &r, op25b_adaptive_key4(0xc6120000 + i), 1),
			OP25B_ADAPTIVE_PASS);
	x = totals_of(t);
	assert_int_equal(x.adaptive_evicted, 3 * cap);
	assert_int_equal(x.adaptive_table_full, 0);
	/* The table holds cap of them: block each. */
	for (i = 0, n = 0; i < 4 * cap; i++) {
		k = op25b_adaptive_key4(0xc6120000 + i);
		if (op25b_adaptive_lookup(t, k, fake_now, &info) != 0)
			continue;
		held[n++] = k;
		assert_int_equal(syn(t, &r, k, 1), OP25B_ADAPTIVE_BLOCK);
	}
	assert_int_equal(n, cap);
	x = totals_of(t);
	assert_int_equal(x.adaptive_triggered, cap);
	/* Now no room: a new source passes untracked; the blocked stay. */
	expect_syns(t, &r, key4("198.19.0.1"), 1, "PP");
	x = totals_of(t);
	assert_int_equal(x.adaptive_table_full, 2);
	assert_int_equal(x.adaptive_evicted, 3 * cap);
	for (i = 0; i < n; i++)
		assert_int_equal(segment(t, &r, held[i]), OP25B_ADAPTIVE_BLOCK);
	op25b_adaptive_free(t);
}

/* A reload: the new limits apply to the running counts; a source whose
 * class changed starts again; a changed `per` restarts the window. */
static void
test_reload(void **state)
{
	struct op25b_adaptive_table *t = *state;
	struct op25b_adaptive_rule old = rule_of(t, 5, 60, 60, 0, 0, 1);
	struct op25b_adaptive_rule tighter = rule_of(t, 3, 60, 60, 0, 0, 1);
	struct op25b_adaptive_rule moved = rule_of(t, 3, 60, 60, 0, 0, 2);
	struct op25b_adaptive_rule longer = rule_of(t, 3, 120, 60, 0, 0, 1);
	uint64_t a = key4("198.18.4.1"), b = key4("198.18.4.2");
	uint64_t c = key4("198.18.4.3");
	unsigned int i;

	for (i = 0; i < 3; i++) {
		assert_int_equal(syn(t, &old, a, 1), OP25B_ADAPTIVE_PASS);
		assert_int_equal(syn(t, &old, b, 1), OP25B_ADAPTIVE_PASS);
		assert_int_equal(syn(t, &old, c, 1), OP25B_ADAPTIVE_PASS);
	}
	/* Same class, limit 5 -> 3: the fourth is over the new limit. */
	assert_int_equal(syn(t, &tighter, a, 1), OP25B_ADAPTIVE_BLOCK);
	/* Class changed: b's three SYNs no longer count. */
	expect_syns(t, &moved, b, 1, "PPPB");
	/* Another per: the window starts again. */
	assert_int_equal(syn(t, &longer, c, 1), OP25B_ADAPTIVE_PASS);
	/* a is blocked (class 1); a SYN or a segment under class 2 (a
	 * reload moved it, or a source of another class with its key) does
	 * not lift the block: blocked until block_for ends, then counted
	 * under class 2 from nothing. */
	assert_int_equal(syn(t, &moved, a, 1), OP25B_ADAPTIVE_BLOCK);
	assert_int_equal(segment(t, &moved, a), OP25B_ADAPTIVE_BLOCK);
	assert_int_equal(syn(t, &tighter, a, 1), OP25B_ADAPTIVE_BLOCK);
	fake_now += 60 * HZ;
	expect_syns(t, &moved, a, 1, "PPPB");
}

/* The clock is the caller's: rules are in its ticks, now is its value. */
static void
test_clock(void **state)
{
	struct op25b_adaptive_table *t = *state;
	struct op25b_adaptive_rule r = rule_of(t, 1, 90, 3600, 0, 0, 1);
	struct op25b_adaptive_params bad = { .sz = sizeof(bad),
					     .entries = 1024,
					     .clock = fake_clock };

	fake_now = 42;
	assert_int_equal(op25b_adaptive_now(t), 42);
	assert_int_equal(op25b_adaptive_hz(t), HZ);
	assert_int_equal(r.per_ticks, 90 * HZ);
	assert_int_equal(r.sub_ticks, 90 * HZ / 8);
	assert_int_equal(r.block_ticks, 3600 * HZ);
	/* The longest durations the loader allows (2^32 - 1 s) on a clock
	 * over 4.29 GHz: at most 2^62 ticks, not wrapped past 2^64. */
	{
		struct op25b_adaptive_params fast = { .sz = sizeof(fast),
						      .entries = 1024,
						      .socket_id =
							      SOCKET_ID_ANY,
						      .hz = 5000000000ull,
						      .clock = fake_clock };
		struct op25b_adaptive_limit longest = { 1, UINT32_MAX,
							UINT32_MAX, 0, 0 };
		struct op25b_adaptive_table *f = op25b_adaptive_create(&fast);
		struct op25b_adaptive_rule x;

		assert_non_null(f);
		assert_int_equal(op25b_adaptive_rule_init(f, &longest, 1, &x),
				 0);
		assert_true(x.block_ticks == UINT64_C(1) << 62);
		assert_true(x.per_ticks == UINT64_C(1) << 62);
		op25b_adaptive_free(f);
	}
	/* A clock without its rate, and sizes out of range, are refused. */
	assert_null(op25b_adaptive_create(&bad));
	assert_int_equal(rte_errno, EINVAL);
	bad.hz = HZ;
	bad.entries = OP25B_ADAPTIVE_MIN_ENTRIES - 1;
	assert_null(op25b_adaptive_create(&bad));
	{
		struct op25b_adaptive_limit limit = { 1, 1, 1, 17, 0 };
		struct op25b_adaptive_rule x;

		assert_int_equal(op25b_adaptive_rule_init(t, &limit, 1, &x),
				 -EINVAL);
		limit.destinations = 0;
		assert_int_equal(op25b_adaptive_rule_init(t, &limit, 0, &x),
				 -EINVAL);
	}
	/* Memory: the keys, an entry's line and its destination line. */
	assert_true(op25b_adaptive_memory(t) >= 1024 * (8 + 128));
}

/* The sweep frees expired entries and counts the tracked and blocked;
 * clear forgets a source (it is unblocked). */
static void
test_sweep_and_clear(void **state)
{
	struct op25b_adaptive_table *t = *state;
	struct op25b_adaptive_rule r = rule_of(t, 1, 10, 100, 0, 0, 1);
	struct op25b_adaptive_totals x;
	uint64_t a = key4("198.18.5.1"), b = key4("198.18.5.2");
	uint64_t c = key4("198.18.5.3");
	uint32_t cap = op25b_adaptive_capacity(t);

	syn(t, &r, a, 1);
	syn(t, &r, b, 1);
	assert_int_equal(syn(t, &r, b, 1), OP25B_ADAPTIVE_BLOCK);
	syn(t, &r, c, 1);
	assert_int_equal(op25b_adaptive_sweep(t, fake_now, cap), 0);
	x = totals_of(t);
	assert_int_equal(x.adaptive_tracked, 3);
	assert_int_equal(x.adaptive_blocked, 1);
	/* 10 s on: a and c are idle, b still blocked. */
	fake_now += 10 * HZ;
	assert_int_equal(op25b_adaptive_sweep(t, fake_now, cap), 2);
	x = totals_of(t);
	assert_int_equal(x.adaptive_tracked, 1);
	assert_int_equal(x.adaptive_blocked, 1);
	/* The abuse desk unblocks b. */
	assert_int_equal(op25b_adaptive_clear(t, b), 0);
	assert_int_equal(op25b_adaptive_clear(t, b), -ENOENT);
	/* c counted, then idle past its window, not swept yet. */
	syn(t, &r, c, 1);
	fake_now += 10 * HZ;
	assert_int_equal(syn(t, &r, b, 1), OP25B_ADAPTIVE_PASS);
	syn(t, &r, a, 1);
	/* a and b forgotten; c is cleared too but was no source tracked
	 * (it made "3 sources forgotten"). */
	assert_int_equal(op25b_adaptive_clear_all(t, fake_now), 2);
	assert_int_equal(syn(t, &r, a, 1), OP25B_ADAPTIVE_PASS);
	assert_int_equal(op25b_adaptive_clear(t, c), -ENOENT);
}

/* The report at exit sweeps two tables' worth (op25b_app_adaptive_final()):
 * from wherever the pass stands, that counts every source; one table's
 * worth missed those added behind the cursor (102 of 200 here). */
static void
test_sweep_twice_exact(void **state)
{
	struct op25b_adaptive_table *t = *state;
	struct op25b_adaptive_rule r = rule_of(t, 100, 10, 100, 0, 0, 1);
	struct op25b_adaptive_totals x;
	uint32_t n = op25b_adaptive_capacity(t), i;
	char a[32];

	op25b_adaptive_sweep(t, fake_now, n / 2);
	for (i = 0; i < 200; i++) {
		snprintf(a, sizeof(a), "198.18.9.%u", i + 1);
		syn(t, &r, key4(a), 1);
	}
	op25b_adaptive_sweep(t, fake_now, 2 * n);
	x = totals_of(t);
	assert_int_equal(x.adaptive_tracked, 200);
}

/* The address each kind of key stands for, as a reload asks for it. */
static void
test_key_address(void **state)
{
	uint8_t addr[16], want[16];

	(void)state;
	assert_int_equal(op25b_adaptive_key_address(key4("198.18.5.1"), addr),
			 AF_INET);
	assert_int_equal(inet_pton(AF_INET, "198.18.5.1", want), 1);
	assert_memory_equal(addr, want, 4);
	assert_int_equal(
		op25b_adaptive_key_address(key6("2001:db8:1:2:3::9", 56), addr),
		AF_INET6);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:1::", want), 1);
	assert_memory_equal(addr, want, 16);
	assert_int_equal(
		op25b_adaptive_key_address(key6("::ffff:198.18.0.5", 64), addr),
		AF_INET6);
	assert_int_equal(inet_pton(AF_INET6, "::ffff:198.18.0.5", want), 1);
	assert_memory_equal(addr, want, 16);
	/* Folded kinds, and no key. */
	assert_int_equal(op25b_adaptive_key_address(key6("::1", 64), addr), 0);
	assert_int_equal(op25b_adaptive_key_address(key6("ff02::1", 64), addr),
			 0);
	assert_int_equal(op25b_adaptive_key_address(0, addr), 0);
	assert_int_equal(op25b_adaptive_key_address(UINT64_MAX, addr), 0);
}

/* Keep only class slot 1's sources (a reload made slot 2 allow). */
static bool
keep_slot1(uint64_t key, uint8_t class_slot, void *ctx)
{
	unsigned int *calls = ctx;

	(void)key;
	(*calls)++;
	return class_slot == 1;
}

/* A reload forgets what its keep function does not keep, blocked or not,
 * and counts what was tracked. */
static void
test_forget(void **state)
{
	struct op25b_adaptive_table *t = *state;
	struct op25b_adaptive_rule r1 = rule_of(t, 1, 10, 100, 0, 0, 1);
	struct op25b_adaptive_rule r2 = rule_of(t, 1, 10, 100, 0, 0, 2);
	struct op25b_adaptive_info info;
	uint64_t a = key4("198.18.6.1"), b = key4("198.18.6.2");
	uint64_t c = key6("2001:db8:6::1", 64), d = key4("198.18.6.4");
	unsigned int calls = 0;

	syn(t, &r1, a, 1);
	assert_int_equal(syn(t, &r1, a, 1), OP25B_ADAPTIVE_BLOCK);
	syn(t, &r2, b, 1);
	assert_int_equal(syn(t, &r2, b, 1), OP25B_ADAPTIVE_BLOCK);
	syn(t, &r2, c, 1);
	/* d: counted, then idle past its window, not swept: forgotten,
	 * not counted as tracked. */
	syn(t, &r2, d, 1);
	fake_now += 20 * HZ;
	assert_int_equal(op25b_adaptive_forget(t, fake_now, keep_slot1, &calls),
			 1);
	assert_int_equal(calls, 4);
	assert_int_equal(op25b_adaptive_lookup(t, a, fake_now, &info), 0);
	assert_true(info.blocked_ticks_left > 0);
	assert_int_equal(op25b_adaptive_lookup(t, b, fake_now, &info), -ENOENT);
	assert_int_equal(op25b_adaptive_clear(t, c), -ENOENT);
	assert_int_equal(op25b_adaptive_clear(t, d), -ENOENT);
	/* b counts from one again: not blocked by its old block. */
	assert_int_equal(syn(t, &r2, b, 1), OP25B_ADAPTIVE_PASS);
}

/* Threads of the racing tests, each on a CPU of its own where the machine
 * has them: the EAL pins the main thread to CPU 0, and threads inherit
 * that, so that two of them would never run at once. */
/* The CPUs the process may run on, taken before the EAL's init pinned
 * the main thread (a cpuset or taskset may leave fewer than the machine
 * has). */
static cpu_set_t allowed_cpus;

static void
start_on_cpu(pthread_t *th, unsigned int i, void *(*fn)(void *), void *arg)
{
	int n = CPU_COUNT(&allowed_cpus), cpu, k = -1;
	pthread_attr_t attr;
	cpu_set_t cpus;

	/* The (i % n)th allowed CPU; none known: unpinned. */
	for (cpu = 0; n > 0 && cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &allowed_cpus) &&
		    ++k == (int)(i % (unsigned int)n))
			break;
	assert_int_equal(pthread_attr_init(&attr), 0);
	if (n > 0 && cpu < CPU_SETSIZE) {
		CPU_ZERO(&cpus);
		CPU_SET(cpu, &cpus);
		assert_int_equal(
			pthread_attr_setaffinity_np(&attr, sizeof(cpus), &cpus),
			0);
	}
	if (pthread_create(th, &attr, fn, arg) != 0)
		assert_int_equal(pthread_create(th, NULL, fn, arg), 0);
	pthread_attr_destroy(&attr);
}

struct racer {
	struct op25b_adaptive_table *t;
	const struct op25b_adaptive_rule *r;
	uint64_t key;
	unsigned int passed;
};

static void *
race(void *arg)
{
	struct racer *x = arg;
	unsigned int i;

	for (i = 0; i < 20000; i++)
		if (op25b_adaptive_account(x->t, x->r, x->key, 1, true,
					   fake_now) == OP25B_ADAPTIVE_PASS)
			x->passed++;
	return NULL;
}

/* Two threads, one source: exactly N pass between them. */
static void
test_two_threads_exact(void **state)
{
	struct op25b_adaptive_table *t = *state;
	struct op25b_adaptive_rule r = rule_of(t, 15000, 60, 60, 0, 0, 1);
	struct racer x[2];
	pthread_t th[2];
	unsigned int i;

	for (i = 0; i < 2; i++) {
		x[i] = (struct racer){ t, &r, key4("198.18.6.1"), 0 };
		start_on_cpu(&th[i], i, race, &x[i]);
	}
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(x[0].passed + x[1].passed, 15000);
	assert_int_equal(totals_of(t).adaptive_triggered, 1);
}

static uint64_t
trial_key(unsigned int trial)
{
	return op25b_adaptive_key4(0xc6120000u + trial); /* 198.18.x.y */
}

/* Another worker's restart of a source whose block is over, planted (it
 * is nanoseconds wide; entry_restart()): a SYN that meets the marker
 * waits, and when the wait runs out passes uncounted (the block is
 * over); a segment passes; lookup and the sweep's gauge show no block,
 * and the sweep leaves the entry. Once the marker is gone (here: the
 * ended block back, as if the restart had never begun), a SYN restarts
 * the count itself: 2 pass, the third is blocked. */
static void
test_restart_marker(void **state)
{
	struct op25b_adaptive_table *t = *state;
	struct op25b_adaptive_rule r = rule_of(t, 2, 60, 1, 0, 0, 1);
	uint64_t k = key4("198.18.0.30"), base, ended;
	struct op25b_adaptive_info info;
	struct adaptive_entry *e;
	struct adaptive_ways m;

	expect_syns(t, &r, k, 1, "PPB");
	base = (uint64_t)op25b_adaptive_bucket(t, k) * ADAPTIVE_WAYS;
	m = adaptive_scan_scalar(&t->keys[base], k);
	assert_int_equal(__builtin_popcount(m.match), 1);
	e = &t->entries[base + (unsigned int)__builtin_ctz(m.match)];
	fake_now += 1 * HZ + 1;
	ended = atomic_load(&e->blocked_until);
	assert_true(ended != 0 && ended < fake_now);
	atomic_store(&e->blocked_until, ADAPTIVE_RESTARTING);
	expect_syns(t, &r, k, 1, "P");
	assert_int_equal(segment(t, &r, k), OP25B_ADAPTIVE_PASS);
	assert_int_equal(op25b_adaptive_lookup(t, k, fake_now, &info), 0);
	assert_int_equal(info.blocked_ticks_left, 0);
	assert_int_equal(op25b_adaptive_sweep(t, fake_now + 3600 * HZ,
					      op25b_adaptive_capacity(t)),
			 0);
	assert_int_equal(totals_of(t).adaptive_blocked, 0);
	assert_int_equal(totals_of(t).adaptive_tracked, 1);
	atomic_store(&e->blocked_until, ended);
	expect_syns(t, &r, k, 1, "PPB");
	assert_int_equal(totals_of(t).adaptive_triggered, 2);
}

/* A source idle for exactly the 16-bit sub-window index's range (65536
 * sub-windows of 125 ms), with no sweep to free its entry (op25b-policy
 * replay has none): its old words read as in the window again. The
 * window has expired, so they go: its SYN passes. (On the code before,
 * which kept every in-window word of an expired window, it was blocked;
 * the code before that cleared the whole window.) */
static void
test_window_alias_after_idle(void **state)
{
	struct op25b_adaptive_table *t = *state;
	struct op25b_adaptive_rule r = rule_of(t, 2, 1, 3600, 2, 0, 1);
	uint64_t k = key4("198.18.0.40");

	expect_syns(t, &r, k, 1, "P");
	expect_syns(t, &r, k, 2, "P");
	fake_now += 65536 * 125;
	expect_syns(t, &r, k, 3, "PP");
	expect_syns(t, &r, k, 3, "B");
}

/* The edges of a source's count, raced: two workers at once send the
 * first SYNs after its block ended, after its window emptied, or as it
 * is new. Thread 0 sets each trial up (pre-SYNs, clock) while the other
 * waits, both send their SYNs at once, thread 0 clears the source. */
#define EDGE_TRIALS 20000

struct edge_race {
	struct op25b_adaptive_table *t;
	/* The rule of the SYNs before the race, of those raced. */
	const struct op25b_adaptive_rule *r, *raced;
	/* SYNs before the race (one thread), the clock step after them
	 * (ticks), SYNs each thread sends at once. */
	unsigned int before, each;
	uint64_t step;
	atomic_uint arrived, passed[EDGE_TRIALS];
	atomic_uint id;
};

/* Both threads past the @n-th meeting: a spin, not pthread_barrier_wait(),
 * whose wake-up takes microseconds, so that the two release within
 * nanoseconds of each other, as two workers' bursts do (yielding after a
 * while, for a machine that runs them on one CPU). */
static void
edge_meet(struct edge_race *x, unsigned int n)
{
	unsigned int spins = 0;

	atomic_fetch_add(&x->arrived, 1);
	while (atomic_load(&x->arrived) < 2 * n)
		if (++spins % 4096 == 0)
			sched_yield();
		else
			rte_pause();
}

static void *
edge_racer(void *arg)
{
	struct edge_race *x = arg;
	unsigned int id = atomic_fetch_add(&x->id, 1);
	unsigned int trial, i;

	for (trial = 0; trial < EDGE_TRIALS; trial++) {
		uint64_t k = trial_key(trial);

		if (id == 0) {
			for (i = 0; i < x->before; i++)
				syn(x->t, x->r, k, 1);
			fake_now += x->step;
		}
		edge_meet(x, 2 * trial + 1);
		for (i = 0; i < x->each; i++)
			if (op25b_adaptive_account(x->t, x->raced, k, 1, true,
						   fake_now) ==
			    OP25B_ADAPTIVE_PASS)
				atomic_fetch_add(&x->passed[trial], 1);
		edge_meet(x, 2 * trial + 2);
		if (id == 0)
			op25b_adaptive_clear(x->t, k);
	}
	return NULL;
}

/* @want of the 2 x @each raced SYNs pass in every trial, and the source
 * is blocked @triggered times a trial in all. */
static void
edge_race_rules(struct op25b_adaptive_table *t,
		const struct op25b_adaptive_rule *r,
		const struct op25b_adaptive_rule *raced, unsigned int before,
		uint64_t step, unsigned int each, unsigned int want,
		unsigned int triggered)
{
	static struct edge_race x;
	uint64_t triggered0 = totals_of(t).adaptive_triggered;
	unsigned int i, wrong = 0;
	pthread_t th[2];

	memset(&x, 0, sizeof(x));
	x.t = t;
	x.r = r;
	x.raced = raced;
	x.before = before;
	x.step = step;
	x.each = each;
	/* A thread preempted in a restart (a busy machine) is waited for,
	 * not passed uncounted, so that every trial's count is exact. */
	op25b_adaptive_restart_spins = UINT_MAX;
	for (i = 0; i < 2; i++)
		start_on_cpu(&th[i], i, edge_racer, &x);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	op25b_adaptive_restart_spins = ADAPTIVE_RESTART_SPINS;
	for (i = 0; i < EDGE_TRIALS; i++)
		if (atomic_load(&x.passed[i]) != want && wrong++ < 5)
			print_message("trial %u: %u of %u passed, not %u\n", i,
				      atomic_load(&x.passed[i]), 2 * each,
				      want);
	assert_int_equal(wrong, 0);
	assert_int_equal(totals_of(t).adaptive_triggered - triggered0,
			 (uint64_t)triggered * EDGE_TRIALS);
}

/* The same, all SYNs under one rule. */
static void
edge_race_run(struct op25b_adaptive_table *t,
	      const struct op25b_adaptive_rule *r, unsigned int before,
	      uint64_t step, unsigned int each, unsigned int want,
	      unsigned int triggered)
{
	edge_race_rules(t, r, r, before, step, each, want, triggered);
}

/* Right after a block of 1 s ends (its window of 60 s still holds the 11
 * SYNs that set it), 8 SYNs on each of two workers: the count starts
 * again, so exactly 10 pass and one block is set. On the code before,
 * the worker that lost the block's reset counted in the old window and
 * blocked the source again at once, or its SYN was zeroed by the reset. */
static void
test_block_end_two_threads(void **state)
{
	struct op25b_adaptive_table *t = *state;
	struct op25b_adaptive_rule r = rule_of(t, 10, 60, 1, 0, 0, 1);

	edge_race_run(t, &r, 11, 1 * HZ + 1, 8, 10, 2);
	/* Fewer SYNs than the limit after the block: all of them pass, no
	 * second block. */
	edge_race_run(t, &r, 11, 1 * HZ + 1, 4, 8, 1);
}

/* A window emptied (5 SYNs, then `per` without one), 8 SYNs on each of
 * two workers: exactly 10 pass. On the code before, both reset the
 * entry, and the later reset zeroed a SYN the other had counted. */
static void
test_window_end_two_threads(void **state)
{
	struct op25b_adaptive_table *t = *state;
	struct op25b_adaptive_rule r = rule_of(t, 10, 1, 3600, 0, 0, 1);

	edge_race_run(t, &r, 5, 1 * HZ + 1, 8, 10, 1);
}

/* A reload changed the class's `per` (60 s to 30 s) after 9 SYNs: the
 * count starts again under the new rule, 8 SYNs on each of two workers,
 * exactly 10 pass. On the code before, both reset the entry, and the
 * later reset zeroed a SYN the other had counted. */
static void
test_rule_change_two_threads(void **state)
{
	struct op25b_adaptive_table *t = *state;
	struct op25b_adaptive_rule r = rule_of(t, 10, 60, 3600, 0, 0, 1);
	struct op25b_adaptive_rule r2 = rule_of(t, 10, 30, 3600, 0, 0, 1);

	edge_race_rules(t, &r, &r2, 9, 1, 8, 10, 1);
}

/* A new source's first SYN on each of two workers, limit 1: exactly one
 * passes, one block. */
static void
test_new_source_limit_one(void **state)
{
	struct op25b_adaptive_table *t = *state;
	struct op25b_adaptive_rule r = rule_of(t, 1, 60, 3600, 0, 0, 1);

	edge_race_run(t, &r, 0, 0, 1, 1, 1);
}

/* Two workers see a new source's first SYNs at once (RSS spreads its
 * connections over both queues), each 8 of them, limit 10: both miss the
 * key and claim a way each; the two ways must become one, so that exactly
 * 10 of the 16 SYNs pass, trial after trial (on the code before, up to
 * all 16 passed in a third of them, on two CPUs). */
static void
test_new_source_two_threads(void **state)
{
	struct op25b_adaptive_table *t = *state;
	struct op25b_adaptive_rule r = rule_of(t, 10, 60, 3600, 0, 0, 1);

	edge_race_run(t, &r, 0, 0, 8, 10, 1);
}

struct control_lcore {
	struct op25b_adaptive_table *t;
	uint64_t key; /* cleared by key, besides clear all */
	uint64_t now;
	atomic_bool stop;
	atomic_uint passes;
};

/* What the control lcore does to a table while a worker accounts: clear
 * one source, clear all, sweep (with a clock far ahead: everything idle
 * is freed), until told to stop. */
static void *
control_loop(void *arg)
{
	struct control_lcore *x = arg;

	while (!atomic_load(&x->stop)) {
		op25b_adaptive_clear(x->t, x->key);
		op25b_adaptive_clear_all(x->t, fake_now);
		op25b_adaptive_sweep(x->t, x->now, 256);
		atomic_fetch_add(&x->passes, 1);
	}
	return NULL;
}

/* A one-writer table's worker against the control lcore's clear and sweep
 * (the only other writes the one-writer table allows): a clear only ever
 * forgets SYNs, so no block starts before the (N+1)th SYN of a count; no
 * way is left claimed; and the table works after (N pass, N+1 blocks).
 * Run on the shared kind too (then with locked CASes). */
static void
test_account_with_control(void **state)
{
	struct op25b_adaptive_table *t = table_new(64);
	struct op25b_adaptive_rule r = rule_of(t, 5, 60, 3600, 0, 0, 1);
	struct control_lcore x = { .t = t, .key = key4("198.18.9.0") };
	struct op25b_adaptive_rule rules[2] = { r, r };
	struct op25b_adaptive_req req[30];
	uint8_t verdict[30];
	static unsigned int passed[300];
	unsigned int i, blocked = 0;
	time_t deadline;
	pthread_t th;
	uint64_t w;

	(void)state;
	memset(passed, 0, sizeof(passed));
	x.now = fake_now + 3600 * HZ;
	assert_int_equal(pthread_create(&th, NULL, control_loop, &x), 0);
	/* 300 sources over 64 entries, round robin: claims that evict, in
	 * the same instant as the control lcore's swaps to 0. One packet at
	 * a time, and in bursts of 30 (prefetch_burst, account_burst).
	 * The race must happen: the control thread has begun before the
	 * worker does, and the worker goes on past its 300,000 SYNs, 30,000
	 * at a time, until the control made 100 passes and a source reached
	 * its block between two clears (a loaded machine, a sanitizer, one
	 * CPU for both: the control's clears can come faster than 6 SYNs of
	 * one source), within 20 s. */
	deadline = time(NULL) + 20;
	while (atomic_load(&x.passes) == 0 && time(NULL) < deadline)
		sched_yield();
	assert_true(atomic_load(&x.passes) > 0);
	for (i = 0;
	     i < 300000 || (i % 30000 != 0 ||
			    ((atomic_load(&x.passes) < 100 || blocked == 0) &&
			     time(NULL) < deadline));
	     i++) {
		unsigned int s = i % 300;
		enum op25b_adaptive_verdict v;

		if (i / 30000 % 2 == 0) {
			v = syn(t, &r, op25b_adaptive_key4(0xc6120900u + s), 1);
		} else {
			unsigned int j = i % 30;

			if (j == 0) {
				for (j = 0; j < 30; j++)
					req[j] = (struct op25b_adaptive_req){
						.key = op25b_adaptive_key4(
							0xc6120900u + s + j),
						.dest = 1,
						.rule = 1,
						.syn = true,
					};
				op25b_adaptive_prefetch_burst(t, rules, req,
							      30);
				op25b_adaptive_account_burst(t, rules, req, 30,
							     fake_now, verdict);
				j = 0;
			}
			v = verdict[j];
		}
		if (v == OP25B_ADAPTIVE_BLOCK) {
			/* A block starts at the 6th SYN of a count at the
			 * earliest: 5 passed since the last block (a clear
			 * or sweep starts the count again, and passes). */
			if (passed[s] != 0)
				assert_true(passed[s] >= 5);
			passed[s] = 0;
			blocked++;
		} else {
			passed[s]++;
		}
	}
	atomic_store(&x.stop, true);
	pthread_join(th, NULL);
	assert_true(atomic_load(&x.passes) >= 100);
	for (w = 0; w < op25b_adaptive_capacity(t); w++)
		assert_true(atomic_load(&t->keys[w]) != ADAPTIVE_KEY_CLAIMING);
	assert_true(blocked > 0);
	op25b_adaptive_clear_all(t, fake_now);
	for (i = 0; i < 6; i++)
		assert_int_equal(syn(t, &r, key4("198.18.10.1"), 1),
				 i < 5 ? OP25B_ADAPTIVE_PASS
				       : OP25B_ADAPTIVE_BLOCK);
	print_message("account against the control lcore: %u control "
		      "passes, %u SYNs blocked\n",
		      atomic_load(&x.passes), blocked);
	op25b_adaptive_free(t);
}

/* The vector readings of a bucket and of a window give what the scalar
 * references give: keys equal to the one looked up, free ways and others
 * in every mix, and window words of every age around the window's edge,
 * across the 16-bit epoch's wrap. */
static void
test_vector_readings(void **state)
{
	_Alignas(64) _Atomic uint64_t line[ADAPTIVE_WAYS];
	_Alignas(64) _Atomic uint32_t window[OP25B_ADAPTIVE_SUBWINDOWS];
	uint64_t rnd = 0x2545f4914f6cdd1dull, key = 0xff000000c6120009ull;
	unsigned int round, w;

	(void)state;
	for (round = 0; round < 20000; round++) {
		struct adaptive_ways v, s;
		uint32_t epoch;

		for (w = 0; w < ADAPTIVE_WAYS; w++) {
			rnd ^= rnd << 13, rnd ^= rnd >> 7, rnd ^= rnd << 17;
			/* a third each: the key, free, another (or CLAIMING) */
			atomic_store(&line[w], rnd % 3 == 0   ? key
					       : rnd % 3 == 1 ? 0
					       : (rnd & 8)
						       ? ADAPTIVE_KEY_CLAIMING
						       : key ^ (rnd >> 4 | 1));
		}
		v = adaptive_scan(line, key);
		s = adaptive_scan_scalar(line, key);
		assert_int_equal(v.match, s.match);
		assert_int_equal(v.free, s.free);

		epoch = (uint32_t)(rnd >> 40) & ADAPTIVE_EPOCH_MASK;
		for (w = 0; w < OP25B_ADAPTIVE_SUBWINDOWS; w++) {
			uint32_t age;

			rnd ^= rnd << 13, rnd ^= rnd >> 7, rnd ^= rnd << 17;
			age = (uint32_t)(rnd % 12); /* 0..11: edge at 8 */
			atomic_store(&window[w],
				     rnd & 16 ? 0
					      : (uint32_t)(rnd >> 48) << 16 |
							((epoch - age) &
							 ADAPTIVE_EPOCH_MASK));
		}
		for (w = 0; w <= OP25B_ADAPTIVE_SUBWINDOWS; w++)
			assert_int_equal(
				adaptive_window_sum(window, epoch, w),
				adaptive_window_sum_scalar(window, epoch, w));
	}
	/* The plain cases, by hand. */
	for (w = 0; w < ADAPTIVE_WAYS; w++)
		atomic_store(&line[w], w == 5 ? key : w == 2 ? 0 : 7);
	assert_int_equal(adaptive_scan(line, key).match, 1u << 5);
	assert_int_equal(adaptive_scan(line, key).free, 1u << 2);
	for (w = 0; w < OP25B_ADAPTIVE_SUBWINDOWS; w++)
		atomic_store(&window[w], 3u << 16 | ((1 - w) & 0xffff));
	/* epoch 1: ages 0..7 are in (8 x 3); epoch 2: age 8 is out. */
	assert_int_equal(adaptive_window_sum(window, 1, 8), 24);
	assert_int_equal(adaptive_window_sum(window, 2, 8), 21);
	assert_int_equal(adaptive_window_sum(window, 1, 3), 21);
}

/* The burst entry points give what one account per packet gives, in the
 * same order: verdicts, blocks, evictions and per-class counts, with a
 * source several times in one burst (its (N+1)th SYN of the burst
 * blocked), more sources than entries, segments, destinations, key 0.
 * The one account per packet is a shared table's: a table with one
 * writer gives the same. */
static void
test_burst_same_as_one_by_one(void **state)
{
	struct op25b_adaptive_table *a = table_new(64);
	struct op25b_adaptive_table *b =
		table_of(64, (struct table_kind){ false });
	struct op25b_adaptive_rule rules[3];
	struct op25b_adaptive_req req[32];
	struct op25b_adaptive_totals xa, xb;
	uint64_t ca[OP25B_STATS_SLOTS], cb[OP25B_STATS_SLOTS];
	uint8_t verdict[32];
	uint32_t lcg = 1;
	unsigned int burst, i, blocked = 0;

	(void)state;
	memset(rules, 0, sizeof(rules));
	rules[1] = rule_of(a, 3, 60, 3600, 0, 0, 1);
	rules[2] = rule_of(a, 5, 60, 3600, 2, 0, 2);
	/* One new source's four SYNs in one burst: the 4th is blocked. */
	for (i = 0; i < 4; i++)
		req[i] = (struct op25b_adaptive_req){ .key = key4("198.18.7.7"),
						      .dest = 1,
						      .rule = 1,
						      .syn = true };
	op25b_adaptive_prefetch_burst(a, rules, req, 4);
	op25b_adaptive_account_burst(a, rules, req, 4, fake_now, verdict);
	for (i = 0; i < 4; i++)
		assert_int_equal(verdict[i], i < 3 ? OP25B_ADAPTIVE_PASS
						   : OP25B_ADAPTIVE_BLOCK);
	for (i = 0; i < 4; i++)
		assert_int_equal(syn(b, &rules[1], req[i].key, 1), verdict[i]);
	for (burst = 0; burst < 200; burst++) {
		for (i = 0; i < 32; i++) {
			struct op25b_adaptive_req *q = &req[i];

			lcg = lcg * 1103515245u + 12345u;
			/* 160 sources over 64 entries; now and then key 0. */
			q->key = (lcg >> 8) % 97 == 0
					 ? 0
					 : op25b_adaptive_key4(0xc6120000u +
							       (lcg >> 16) %
								       160);
			q->rule = (uint8_t)(1 + (lcg >> 12) % 2);
			q->dest = (uint16_t)(1 + (lcg >> 4) % 4);
			q->syn = (lcg >> 20) % 8 != 0;
		}
		op25b_adaptive_prefetch_burst(a, rules, req, 32);
		op25b_adaptive_account_burst(a, rules, req, 32, fake_now,
					     verdict);
		for (i = 0; i < 32; i++) {
			assert_int_equal(
				op25b_adaptive_account(b, &rules[req[i].rule],
						       req[i].key, req[i].dest,
						       req[i].syn, fake_now),
				verdict[i]);
			blocked += verdict[i] == OP25B_ADAPTIVE_BLOCK;
		}
		fake_now += 700;
	}
	op25b_adaptive_totals(a, &xa, ca);
	op25b_adaptive_totals(b, &xb, cb);
	/* The sequence exercises what it compares. */
	assert_true(blocked > 100);
	assert_true(xa.adaptive_evicted > 100);
	assert_true(ca[1] > 0 && ca[2] > 0);
	assert_int_equal(xa.adaptive_triggered, xb.adaptive_triggered);
	assert_int_equal(xa.adaptive_evicted, xb.adaptive_evicted);
	assert_int_equal(xa.adaptive_table_full, xb.adaptive_table_full);
	assert_memory_equal(ca, cb, sizeof(ca));
	op25b_adaptive_free(a);
	op25b_adaptive_free(b);
}

/*
 * A source that stays active never sees an old sub-window's count again.
 * Limit 10 a second (sub-windows of 125 ms): 9 SYNs at once, one 875 ms
 * later, then one every 500 ms: always 2 in the window, and the SYNs'
 * sub-windows alternate between two words, so the 9's word is never
 * rewritten by a SYN. Its 16-bit sub-window index wrapped after 65536
 * sub-windows (2.3 h) and it counted again: 9 + 2, a false block. Run
 * past the wrap, every SYN passes.
 */
static void
test_window_never_aliases(void **state)
{
	struct op25b_adaptive_table *t = *state;
	struct op25b_adaptive_rule r = rule_of(t, 10, 1, 3600, 0, 0, 1);
	uint64_t k = key4("198.18.0.9"), start = fake_now;
	unsigned int i;

	assert_int_equal(r.sub_ticks, 125);
	expect_syns(t, &r, k, 1, "PPPPPPPPP");
	fake_now = start + 875;
	assert_int_equal(syn(t, &r, k, 1), OP25B_ADAPTIVE_PASS);
	fake_now = start + 1375;
	for (i = 0; fake_now < start + (65536 + 40) * 125; i++) {
		if (syn(t, &r, k, 1) != OP25B_ADAPTIVE_PASS)
			fail_msg("SYN %u, %" PRIu64 " sub-windows on: blocked",
				 i, (fake_now - start) / 125);
		fake_now += 500;
	}
	assert_int_equal(totals_of(t).adaptive_triggered, 0);
}

/* Workers read the clock once a burst, so one may count a SYN a
 * sub-window behind another's: the words of the later sub-window are
 * ahead of its, not stale, and stay (emptying them lost their SYNs).
 * Limit 4 a second: 3 SYNs in sub-window E+1, one in E (a lagging
 * clock), the fifth in E+1 is blocked. */
static void
test_window_word_ahead_kept(void **state)
{
	struct op25b_adaptive_table *t = *state;
	struct op25b_adaptive_rule r = rule_of(t, 4, 1, 3600, 0, 0, 1);
	uint64_t k = key4("198.18.0.10"), start = fake_now;

	fake_now = start + 125;
	expect_syns(t, &r, k, 1, "PPP");
	fake_now = start;
	expect_syns(t, &r, k, 1, "P");
	fake_now = start + 125;
	expect_syns(t, &r, k, 1, "B");
}

/* The lagging worker's SYN sees the SYNs counted a sub-window ahead of
 * its clock: limit 3 a second, 3 SYNs in sub-window E+1, the fourth, in
 * E, is blocked (it saw none of them before: N+1 passed). The same in
 * each of the sub-windows' positions (the slot of E+1 is E-7's). */
static void
test_window_word_ahead_counted(void **state)
{
	struct op25b_adaptive_table *t = *state;
	struct op25b_adaptive_rule r = rule_of(t, 3, 1, 3600, 0, 0, 1);
	uint64_t start = fake_now;
	char name[32];
	unsigned int i;

	for (i = 0; i < OP25B_ADAPTIVE_SUBWINDOWS; i++) {
		snprintf(name, sizeof(name), "198.18.0.%u", 20 + i);
		fake_now = start + 125 * (i + 1);
		expect_syns(t, &r, key4(name), 1, "PPP");
		fake_now = start + 125 * i;
		expect_syns(t, &r, key4(name), 1, "B");
		/* A lookup at the later clock sees all four. */
		{
			struct op25b_adaptive_info info;

			assert_int_equal(op25b_adaptive_lookup(
						 t, key4(name),
						 start + 125 * (i + 1), &info),
					 0);
			assert_int_equal(info.connections, 4);
		}
	}
}

/* The ways of @key's bucket, and their window words at sub-window @epoch
 * set to @syns[w] SYNs (0: way @w left free). */
static uint64_t
fold_bucket(struct op25b_adaptive_table *t, uint64_t key, uint32_t epoch,
	    const unsigned int *syns, unsigned int n)
{
	uint64_t base = (uint64_t)op25b_adaptive_bucket(t, key) * ADAPTIVE_WAYS;
	unsigned int w;

	for (w = 0; w < n; w++) {
		if (syns[w] == 0)
			continue;
		atomic_store(&t->keys[base + w], key);
		atomic_store(
			&t->entries[base + w]
				 .window[epoch % OP25B_ADAPTIVE_SUBWINDOWS],
			syns[w] << 16 | epoch);
	}
	return base;
}

static unsigned int
way_syns(const struct op25b_adaptive_table *t, uint64_t way, uint32_t epoch)
{
	return adaptive_window_sum_scalar(t->entries[way].window, epoch,
					  OP25B_ADAPTIVE_SUBWINDOWS);
}

/* Folds replayed a step at a time (the races are nanoseconds wide). Three
 * workers claimed a way each for one new source (1, 1 and 3 SYNs): Y saw
 * ways 1 and 2 and holds way 2 to fold it into 1; Z saw all three, leaves
 * way 2 to Y and folds way 1 into 0; then Y adds way 2 to way 1, which is
 * Z's folded way by then: the 3 SYNs must reach way 0, not a freed way. A
 * folded way's words are the marker, its key free. */
static void
test_fold_races(void **state)
{
	struct op25b_adaptive_table *t = *state;
	const unsigned int syns[3] = { 1, 1, 3 };
	uint64_t k = key4("198.18.7.1"), base;
	uint32_t epoch = 100;
	unsigned int i;

	base = fold_bucket(t, k, epoch, syns, 3);
	atomic_store(&t->keys[base + 2], ADAPTIVE_KEY_CLAIMING); /* Y's */
	assert_int_equal(op25b_adaptive_fold_test(t, k, epoch, 0x7), 0);
	assert_int_equal(way_syns(t, base, epoch), 2);
	assert_int_equal(atomic_load(&t->keys[base + 1]), 0);
	for (i = 0; i < OP25B_ADAPTIVE_SUBWINDOWS; i++)
		assert_int_equal(atomic_load(&t->entries[base + 1].window[i]),
				 ADAPTIVE_WINDOW_FOLDED);
	atomic_store(&t->keys[base + 2], k); /* Y's CAS again, replayed */
	assert_int_equal(op25b_adaptive_fold_test(t, k, epoch, 0x6), 0);
	assert_int_equal(way_syns(t, base, epoch), 5);
	assert_int_equal(atomic_load(&t->keys[base + 2]), 0);
	assert_int_equal(adaptive_scan_scalar(&t->keys[base], k).match, 1);
	assert_int_equal(op25b_adaptive_clear(t, k), 0);

	/* The folder's burst read the clock a sub-window before the
	 * worker whose way it folds: that way's word, one ahead of the
	 * folder's sub-window, is kept, not dropped. */
	base = fold_bucket(t, k, epoch, (const unsigned int[]){ 1 }, 1);
	atomic_store(&t->keys[base + 1], k);
	atomic_store(&t->entries[base + 1]
			      .window[(epoch + 1) % OP25B_ADAPTIVE_SUBWINDOWS],
		     2u << 16 | (epoch + 1));
	assert_int_equal(op25b_adaptive_fold_test(t, k, epoch, 0x3), 0);
	assert_int_equal(way_syns(t, base, epoch + 1), 3);
	assert_int_equal(op25b_adaptive_clear(t, k), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		FIXTURE_TEST(table, test_window_edges),
		FIXTURE_TEST(table, test_block_expires),
		FIXTURE_TEST(table, test_window_slides),
		FIXTURE_TEST(table, test_window_never_aliases),
		FIXTURE_TEST(table, test_window_alias_after_idle),
		FIXTURE_TEST(table, test_window_word_ahead_kept),
		FIXTURE_TEST(table, test_window_word_ahead_counted),
		FIXTURE_TEST(table, test_destinations),
		FIXTURE_TEST(table, test_ipv6_keys),
		FIXTURE_TEST(table, test_ipv6_keys_apart),
		cmocka_unit_test(test_eviction),
		FIXTURE_TEST(table, test_reload),
		FIXTURE_TEST(table, test_clock),
		FIXTURE_TEST(table, test_sweep_and_clear),
		FIXTURE_TEST(table, test_sweep_twice_exact),
		cmocka_unit_test(test_key_address),
		FIXTURE_TEST(table, test_forget),
		FIXTURE_TEST(shared_table, test_two_threads_exact),
		FIXTURE_TEST(shared_table, test_new_source_two_threads),
		FIXTURE_TEST(shared_table, test_fold_races),
		FIXTURE_TEST(table, test_restart_marker),
		FIXTURE_TEST(shared_table, test_block_end_two_threads),
		FIXTURE_TEST(shared_table, test_window_end_two_threads),
		FIXTURE_TEST(shared_table, test_rule_change_two_threads),
		FIXTURE_TEST(shared_table, test_new_source_limit_one),
		cmocka_unit_test(test_vector_readings),
		cmocka_unit_test(test_burst_same_as_one_by_one),
		cmocka_unit_test(test_account_with_control),
	};

	static const struct table_kind kinds[] = { { false }, { true } };
	unsigned int i;
	int failed = 0;

	if (sched_getaffinity(0, sizeof(allowed_cpus), &allowed_cpus) != 0)
		CPU_ZERO(&allowed_cpus);
	if (test_eal_init() != 0)
		return 1;
	for (i = 0; i < RTE_DIM(kinds); i++) {
		const char *name = kinds[i].single_writer ? "one writer"
							  : "shared";

		kind = kinds[i];
		printf("# adaptive table, %s\n", name);
		fflush(stdout);
		failed += cmocka_run_group_tests_name(name, tests, NULL, NULL);
	}
	rte_eal_cleanup();
	return failed;
}
