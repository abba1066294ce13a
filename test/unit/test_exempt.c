/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Exemption tests: the registry's contract (replace, delete, bound, order,
 * reason scrubbing, expiry at its exact boundary) and the data-path table
 * against hand-picked edges and against a linear reference scan.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_memory.h>

#include "op25b_exempt.h"
#include "op25b_policy.h"
#include "test_eal.h"
#include "test_fixture.h"

/* ---- helpers --------------------------------------------------------- */

static struct op25b_prefix
prefix_of(const char *text)
{
	struct op25b_prefix p;
	const char *why = NULL;

	if (op25b_prefix_parse(text, &p, &why) != 0)
		fail_msg("prefix '%s': %s", text, why);
	return p;
}

static struct op25b_exempt_registry *
registry_new(void)
{
	struct op25b_exempt_registry *reg = op25b_exempt_registry_create();

	assert_non_null(reg);
	return reg;
}

/* The fixture of the tests on one registry. */
TEST_FIXTURE(registry, registry_new(), op25b_exempt_registry_free)

static void
add_ok(struct op25b_exempt_registry *reg, const char *text, uint32_t ttl,
       const char *reason, uint64_t now)
{
	struct op25b_prefix p = prefix_of(text);
	int ret = op25b_exempt_registry_add(reg, &p, ttl, reason, 1000, now,
					    NULL);

	if (ret != 0)
		fail_msg("add %s: %d", text, ret);
}

/* Adding @p p to @p reg (no TTL, reason or uid) returns @p want. */
static void
expect_add(struct op25b_exempt_registry *reg, const struct op25b_prefix *p,
	   int want)
{
	assert_int_equal(op25b_exempt_registry_add(reg, p, 0, NULL, 0, 0, NULL),
			 want);
}

static const char *
format_prefix(const struct op25b_prefix *p, char *buf, size_t size)
{
	assert_true(op25b_prefix_format(p, buf, size) > 0);
	return buf;
}

static struct op25b_exempt_table *
table_of(const char *const *prefixes, size_t n)
{
	struct op25b_exempt_registry *reg = registry_new();
	struct op25b_exempt_table *t;
	size_t i;

	for (i = 0; i < n; i++)
		add_ok(reg, prefixes[i], 0, "test", 0);
	t = op25b_exempt_table_build(reg, SOCKET_ID_ANY);
	if (t == NULL)
		fail_msg("table_build: %s", rte_strerror(rte_errno));
	op25b_exempt_registry_free(reg);
	return t;
}

/* Whether @p text (IPv4 or IPv6) is exempt in @p t. */
static bool
exempt(const struct op25b_exempt_table *t, const char *text)
{
	uint8_t a[16];

	if (strchr(text, ':') != NULL) {
		assert_int_equal(inet_pton(AF_INET6, text, a), 1);
		return op25b_exempt_table_match6(t, a);
	}
	assert_int_equal(inet_pton(AF_INET, text, a), 1);
	return op25b_exempt_table_match4(
		t, ((uint32_t)a[0] << 24) | ((uint32_t)a[1] << 16) |
			   ((uint32_t)a[2] << 8) | a[3]);
}

struct expectation {
	const char *addr;
	bool exempt;
};

/* The table of the @p n_prefixes @p prefixes answers each of the @p n
 * cases @p e as it says. */
static void
expect_table(const char *const *prefixes, size_t n_prefixes,
	     const struct expectation *e, size_t n)
{
	struct op25b_exempt_table *t = table_of(prefixes, n_prefixes);
	size_t i;

	for (i = 0; i < n; i++)
		if (exempt(t, e[i].addr) != e[i].exempt)
			fail_msg("%s: %s, expected %s", e[i].addr,
				 e[i].exempt ? "not exempt" : "exempt",
				 e[i].exempt ? "exempt" : "not exempt");
	op25b_exempt_table_free(t);
}

/* ---- registry -------------------------------------------------------- */

static void
test_registry_empty(void **state)
{
	struct op25b_exempt_registry *reg = *state;

	assert_int_equal(op25b_exempt_registry_count(reg), 0);
	assert_non_null(op25b_exempt_registry_entries(reg));
	assert_int_equal(op25b_exempt_registry_next_expiry(reg), 0);
	assert_int_equal(
		op25b_exempt_registry_expire(reg, UINT64_MAX, NULL, NULL), 0);
	op25b_exempt_registry_free(NULL);
}

/* Granting @p p (@p ttl, @p reason, @p uid at @p now) leaves it the only
 * entry of @p reg, which is returned; @p replaced: whether the grant
 * replaced one of the same prefix. */
static const struct op25b_exempt_entry *
grant_only(struct op25b_exempt_registry *reg, const struct op25b_prefix *p,
	   uint32_t ttl, const char *reason, uint32_t uid, uint64_t now,
	   bool replaced)
{
	bool was = !replaced; /* the call must write it */

	assert_int_equal(
		op25b_exempt_registry_add(reg, p, ttl, reason, uid, now, &was),
		0);
	assert_int_equal(was, replaced);
	assert_int_equal(op25b_exempt_registry_count(reg), 1);
	return op25b_exempt_registry_entries(reg);
}

static void
test_add_fields_and_replace(void **state)
{
	struct op25b_exempt_registry *reg = *state;
	struct op25b_prefix p = prefix_of("198.51.100.0/24");
	const struct op25b_exempt_entry *e;

	/* Whatever the caller's prefix refers to, the entry refers to no
	 * file: the registry outlives policies. */
	p.file = "policy.yaml";
	p.line = 7;
	p.column = 3;
	e = grant_only(reg, &p, 3600, "own MX", 1001, 5000, false);
	assert_int_equal(e->prefix.family, AF_INET);
	assert_int_equal(e->prefix.length, 24);
	assert_memory_equal(e->prefix.addr, p.addr, 16);
	assert_null(e->prefix.file);
	assert_int_equal(e->prefix.line, 0);
	assert_int_equal(e->prefix.column, 0);
	assert_int_equal(e->added, 5000);
	assert_int_equal(e->expires, 5000 + 3600 * 1000);
	assert_int_equal(e->ttl, 3600);
	assert_int_equal(e->uid, 1001);
	assert_string_equal(e->reason, "own MX");

	/* Granted again: TTL, reason and uid are the new grant's. */
	e = grant_only(reg, &p, 0, "permanent", 1002, 9000, true);
	assert_int_equal(e->expires, 0);
	assert_int_equal(e->ttl, 0);
	assert_int_equal(e->uid, 1002);
	assert_string_equal(e->reason, "permanent");
	assert_int_equal(e->added, 5000);
	assert_int_equal(op25b_exempt_registry_next_expiry(reg), 0);

	/* Extended with a TTL again: the expiry counts from the new now. */
	assert_int_equal(
		op25b_exempt_registry_add(reg, &p, 60, NULL, 1002, 9100, NULL),
		0);
	assert_int_equal(op25b_exempt_registry_entries(reg)->expires,
			 9100 + 60 * 1000);

	/* Same address, other length; same bytes and length, other
	 * family (c633:64:: is 198.51.100 as IPv6). */
	add_ok(reg, "198.51.100.0/25", 0, NULL, 0);
	add_ok(reg, "c633:6400::/24", 0, NULL, 0);
	add_ok(reg, "0.0.0.0/24", 0, NULL, 0);
	assert_int_equal(op25b_exempt_registry_count(reg), 4);
}

static void
test_add_normalizes_ipv4_tail(void **state)
{
	struct op25b_exempt_registry *reg = *state;
	struct op25b_prefix dirty = prefix_of("203.0.113.0/24");
	struct op25b_prefix clean = dirty;
	const struct op25b_exempt_entry *e;
	bool replaced;

	/* A caller that filled only the first four bytes of an IPv4
	 * prefix: the rest is not part of the address. */
	memset(dirty.addr + 4, 0xa5, 12);
	expect_add(reg, &dirty, 0);
	e = op25b_exempt_registry_entries(reg);
	assert_memory_equal(e->prefix.addr, clean.addr, 16);
	assert_int_equal(op25b_exempt_registry_add(reg, &clean, 0, NULL, 0, 0,
						   &replaced),
			 0);
	assert_true(replaced);
	assert_int_equal(op25b_exempt_registry_count(reg), 1);
	assert_int_equal(op25b_exempt_registry_del(reg, &dirty, NULL), 0);
	assert_int_equal(op25b_exempt_registry_count(reg), 0);
}

static void
test_add_invalid(void **state)
{
	struct op25b_exempt_registry *reg = *state;
	struct op25b_prefix p;
	bool replaced = true;

	assert_int_equal(
		op25b_exempt_registry_add(reg, NULL, 0, NULL, 0, 0, &replaced),
		-EINVAL);
	assert_false(replaced);
	p = prefix_of("198.51.100.0/24");
	expect_add(NULL, &p, -EINVAL);
	p.family = 0;
	expect_add(reg, &p, -EINVAL);
	p.family = AF_UNIX;
	expect_add(reg, &p, -EINVAL);
	/* Lengths past the family's bits, and host bits set in a whole byte
	 * or in the byte the length cuts (198.18.0.0/15 is the network,
	 * 198.19.0.0/15 is not). */
	static const struct {
		const char *address;
		uint8_t length;
		int want;
	} cases[] = {
		{ "198.51.100.0", 33, -EINVAL },
		{ "2001:db8::", 129, -EINVAL },
		{ "198.51.100.1", 24, -EINVAL },
		{ "198.51.100.192", 25, -EINVAL },
		{ "198.19.0.0", 15, -EINVAL },
		{ "198.18.0.0", 15, 0 },
		{ "2001:db8::1", 64, -EINVAL },
		{ "0.0.0.1", 0, -EINVAL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p = prefix_of(cases[i].address);
		p.length = cases[i].length;
		expect_add(reg, &p, cases[i].want);
	}
	/* Only the valid 198.18.0.0/15 got in. */
	assert_int_equal(op25b_exempt_registry_count(reg), 1);
}

static void
test_del(void **state)
{
	struct op25b_exempt_registry *reg = *state;
	struct op25b_prefix a = prefix_of("203.0.113.0/24");
	struct op25b_prefix b = prefix_of("2001:db8:5::/48");
	struct op25b_prefix other;
	struct op25b_exempt_entry removed;
	char buf[64];

	assert_int_equal(
		op25b_exempt_registry_add(reg, &a, 60, "a", 7, 100, NULL), 0);
	assert_int_equal(
		op25b_exempt_registry_add(reg, &b, 0, "b", 8, 200, NULL), 0);

	/* Only the exact prefix: not a covering, covered or sibling one. */
	assert_non_null(op25b_exempt_registry_find(reg, &a));
	assert_string_equal(op25b_exempt_registry_find(reg, &a)->reason, "a");
	assert_string_equal(op25b_exempt_registry_find(reg, &b)->reason, "b");
	other = prefix_of("203.0.113.0/25");
	assert_null(op25b_exempt_registry_find(reg, &other));
	assert_int_equal(op25b_exempt_registry_del(reg, &other, NULL), -ENOENT);
	other = prefix_of("203.0.112.0/23");
	assert_int_equal(op25b_exempt_registry_del(reg, &other, NULL), -ENOENT);
	other = prefix_of("2001:db8:6::/48");
	assert_int_equal(op25b_exempt_registry_del(reg, &other, NULL), -ENOENT);
	other = prefix_of("::/24");
	memcpy(other.addr, a.addr, 4); /* a's bytes as IPv6 */
	assert_int_equal(op25b_exempt_registry_del(reg, &other, NULL), -ENOENT);
	assert_int_equal(op25b_exempt_registry_count(reg), 2);

	assert_int_equal(op25b_exempt_registry_del(reg, &a, &removed), 0);
	assert_null(op25b_exempt_registry_find(reg, &a));
	assert_string_equal(format_prefix(&removed.prefix, buf, sizeof(buf)),
			    "203.0.113.0/24");
	assert_int_equal(removed.expires, 100 + 60 * 1000);
	assert_int_equal(removed.uid, 7);
	assert_string_equal(removed.reason, "a");
	assert_int_equal(op25b_exempt_registry_count(reg), 1);
	assert_string_equal(
		format_prefix(&op25b_exempt_registry_entries(reg)->prefix, buf,
			      sizeof(buf)),
		"2001:db8:5::/48");
	assert_int_equal(op25b_exempt_registry_del(reg, &a, &removed), -ENOENT);
	assert_int_equal(op25b_exempt_registry_del(reg, &b, NULL), 0);
	assert_int_equal(op25b_exempt_registry_count(reg), 0);
	assert_int_equal(op25b_exempt_registry_del(reg, &b, NULL), -ENOENT);
}

/* The reason of the entry op25b_exempt_registry_lookup() picks for @p text, or
 * NULL. */
static const char *
lookup(const struct op25b_exempt_registry *reg, const char *text)
{
	const struct op25b_exempt_entry *e;
	uint8_t a[16];
	int family = strchr(text, ':') != NULL ? AF_INET6 : AF_INET;

	assert_int_equal(inet_pton(family, text, a), 1);
	e = op25b_exempt_registry_lookup(reg, family, a);
	return e != NULL ? e->reason : NULL;
}

/* Nested exemptions: the longest covering prefix wins, as in the data
 * path (a /16 over a /30 over the /32 the customer was given), whatever
 * the registry's order (it lists the /16 first). */
static void
test_lookup_longest(void **state)
{
	struct op25b_exempt_registry *reg = *state;
	uint8_t a[16] = { 198, 18, 5, 9 };

	assert_null(lookup(reg, "198.18.5.9"));
	add_ok(reg, "198.18.0.0/16", 0, "pool", 0);
	add_ok(reg, "198.18.5.8/30", 0, "block", 0);
	add_ok(reg, "198.18.5.9/32", 0, "host", 0);
	add_ok(reg, "2001:db8::/32", 0, "v6 wide", 0);
	add_ok(reg, "2001:db8:4711::/48", 0, "v6 customer", 0);
	add_ok(reg, "::/0", 0, "v6 all", 0);
	assert_string_equal(lookup(reg, "198.18.5.9"), "host");
	assert_string_equal(lookup(reg, "198.18.5.10"), "block");
	assert_string_equal(lookup(reg, "198.18.5.11"), "block");
	assert_string_equal(lookup(reg, "198.18.5.12"), "pool");
	assert_string_equal(lookup(reg, "198.18.255.255"), "pool");
	assert_null(lookup(reg, "198.19.0.0"));
	assert_null(lookup(reg, "10.0.0.1"));
	assert_string_equal(lookup(reg, "2001:db8:4711::25"), "v6 customer");
	assert_string_equal(lookup(reg, "2001:db8:4712::25"), "v6 wide");
	assert_string_equal(lookup(reg, "2001:db9::1"), "v6 all");
	/* The bytes of an IPv4 exemption, as an IPv6 address: only ::/0. */
	assert_non_null(op25b_exempt_registry_lookup(reg, AF_INET6, a));
	assert_string_equal(
		op25b_exempt_registry_lookup(reg, AF_INET6, a)->reason,
		"v6 all");
	assert_null(op25b_exempt_registry_lookup(reg, AF_UNIX, a));
	assert_null(op25b_exempt_registry_lookup(NULL, AF_INET, a));
	assert_null(op25b_exempt_registry_lookup(reg, AF_INET, NULL));
	add_ok(reg, "0.0.0.0/0", 0, "v4 all", 0);
	assert_string_equal(lookup(reg, "10.0.0.1"), "v4 all");
	assert_string_equal(lookup(reg, "198.18.5.9"), "host");
}

/* Against a linear scan for the longest covering prefix, on random nested
 * sets. */
static void
test_lookup_matches_reference(void **state)
{
	unsigned int round, i, k;

	(void)state;
	srand(20);
	for (round = 0; round < 20; round++) {
		struct op25b_exempt_registry *reg = registry_new();
		const struct op25b_exempt_entry *e;
		unsigned int n;

		for (i = 0; i < 40; i++) {
			struct op25b_prefix p = { .family = AF_INET };
			uint32_t addr = 0xc6120000u |
					(uint32_t)(rand() & 0xffff);
			unsigned int len = 16 + (unsigned int)(rand() % 17);

			addr &= len == 0 ? 0 : ~0u << (32 - len);
			p.length = (uint8_t)len;
			p.addr[0] = (uint8_t)(addr >> 24);
			p.addr[1] = (uint8_t)(addr >> 16);
			p.addr[2] = (uint8_t)(addr >> 8);
			p.addr[3] = (uint8_t)addr;
			assert_int_equal(op25b_exempt_registry_add(
						 reg, &p, 0, NULL, 0, 0, NULL),
					 0);
		}
		e = op25b_exempt_registry_entries(reg);
		n = op25b_exempt_registry_count(reg);
		for (k = 0; k < 2000; k++) {
			uint32_t addr = 0xc6120000u |
					(uint32_t)(rand() & 0xffff);
			uint8_t a[4] = { (uint8_t)(addr >> 24),
					 (uint8_t)(addr >> 16),
					 (uint8_t)(addr >> 8), (uint8_t)addr };
			const struct op25b_exempt_entry *want = NULL;

			for (i = 0; i < n; i++) {
				uint32_t net =
					(uint32_t)e[i].prefix.addr[0] << 24 |
					(uint32_t)e[i].prefix.addr[1] << 16 |
					(uint32_t)e[i].prefix.addr[2] << 8 |
					e[i].prefix.addr[3];
				unsigned int len = e[i].prefix.length;
				uint32_t mask = len == 0 ? 0
							 : ~0u << (32 - len);

				if ((addr & mask) == net &&
				    (want == NULL || len > want->prefix.length))
					want = &e[i];
			}
			assert_ptr_equal(
				op25b_exempt_registry_lookup(reg, AF_INET, a),
				want);
		}
		op25b_exempt_registry_free(reg);
	}
}

static void
test_full_registry(void **state)
{
	struct op25b_exempt_registry *reg = *state;
	struct op25b_prefix p = prefix_of("2001:db8::/64");
	bool replaced;
	unsigned int i;

	/* 2001:db8:0:i::/64 in ascending order: every add appends. */
	for (i = 0; i < OP25B_EXEMPT_MAX; i++) {
		p.addr[6] = (uint8_t)(i >> 8);
		p.addr[7] = (uint8_t)i;
		if (op25b_exempt_registry_add(reg, &p, 0, NULL, 0, 0, NULL) !=
		    0)
			fail_msg("add %u failed", i);
	}
	assert_int_equal(op25b_exempt_registry_count(reg), OP25B_EXEMPT_MAX);

	/* One more, of either family, does not fit... */
	p = prefix_of("2001:db8:1::/64");
	assert_int_equal(
		op25b_exempt_registry_add(reg, &p, 0, NULL, 0, 0, &replaced),
		-ENOSPC);
	assert_false(replaced);
	p = prefix_of("198.51.100.0/24");
	expect_add(reg, &p, -ENOSPC);
	assert_int_equal(op25b_exempt_registry_count(reg), OP25B_EXEMPT_MAX);

	/* ...but extending a grant needs no room. */
	p = prefix_of("2001:db8:0:1234::/64");
	assert_int_equal(
		op25b_exempt_registry_add(reg, &p, 60, "ext", 0, 10, &replaced),
		0);
	assert_true(replaced);
	assert_int_equal(op25b_exempt_registry_next_expiry(reg),
			 10 + 60 * 1000);

	/* Deleting one makes room for one. */
	assert_int_equal(op25b_exempt_registry_del(reg, &p, NULL), 0);
	p = prefix_of("198.51.100.0/24");
	expect_add(reg, &p, 0);
	assert_int_equal(op25b_exempt_registry_count(reg), OP25B_EXEMPT_MAX);
	assert_int_equal(op25b_exempt_registry_entries(reg)[0].prefix.family,
			 AF_INET);
}

static void
test_sort_order(void **state)
{
	static const char *const added[] = {
		"2001:db8::/48",     "198.51.100.128/25", "2001:db8::/32",
		"203.0.113.7",	     "198.51.100.0/25",	  "::/0",
		"198.18.0.0/15",     "198.51.100.0/24",	  "0.0.0.0/0",
		"2001:db8:0:1::/64", "2001:db8::1",	  "203.0.113.0/24",
	};
	static const char *const sorted[] = {
		"0.0.0.0/0",	     "198.18.0.0/15",
		"198.51.100.0/24",   "198.51.100.0/25",
		"198.51.100.128/25", "203.0.113.0/24",
		"203.0.113.7/32",    "::/0",
		"2001:db8::/32",     "2001:db8::/48",
		"2001:db8::1/128",   "2001:db8:0:1::/64",
	};
	struct op25b_exempt_registry *reg = *state;
	const struct op25b_exempt_entry *e;
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(added) / sizeof(added[0]); i++)
		add_ok(reg, added[i], 0, NULL, 0);
	assert_int_equal(op25b_exempt_registry_count(reg),
			 sizeof(sorted) / sizeof(sorted[0]));
	e = op25b_exempt_registry_entries(reg);
	for (i = 0; i < sizeof(sorted) / sizeof(sorted[0]); i++)
		assert_string_equal(
			format_prefix(&e[i].prefix, buf, sizeof(buf)),
			sorted[i]);

	/* Order survives a delete in the middle. */
	add_ok(reg, "198.51.100.0/25", 0, NULL, 0);
	{
		struct op25b_prefix p = prefix_of("198.51.100.0/24");

		assert_int_equal(op25b_exempt_registry_del(reg, &p, NULL), 0);
	}
	e = op25b_exempt_registry_entries(reg);
	assert_string_equal(format_prefix(&e[2].prefix, buf, sizeof(buf)),
			    "198.51.100.0/25");
	assert_string_equal(format_prefix(&e[3].prefix, buf, sizeof(buf)),
			    "198.51.100.128/25");
}

static void
test_reason_refused_long_and_scrubbed(void **state)
{
	struct op25b_exempt_registry *reg = *state;
	char long_reason[300], expected[OP25B_EXEMPT_REASON_MAX];
	const struct op25b_exempt_entry *e;
	struct op25b_prefix p = prefix_of("198.51.100.7");
	size_t i;

	expect_add(reg, &p, 0);
	e = op25b_exempt_registry_entries(reg);
	assert_string_equal(e->reason, "");

	/* Exactly the longest kept. */
	for (i = 0; i < OP25B_EXEMPT_REASON_MAX - 1; i++)
		long_reason[i] = (char)('a' + i % 26);
	long_reason[i] = '\0';
	assert_int_equal(
		op25b_exempt_registry_add(reg, &p, 0, long_reason, 0, 0, NULL),
		0);
	assert_string_equal(e->reason, long_reason);

	/* Longer: refused, the entry as it was (cut, it could end inside a
	 * UTF-8 character: "é" is two bytes); by one byte too. */
	for (i = 0; i + 2 < sizeof(long_reason); i += 2)
		memcpy(long_reason + i, "\xc3\xa9", 2);
	long_reason[i] = '\0';
	assert_int_equal(
		op25b_exempt_registry_add(reg, &p, 0, long_reason, 0, 0, NULL),
		-E2BIG);
	long_reason[OP25B_EXEMPT_REASON_MAX] = '\0';
	assert_int_equal(
		op25b_exempt_registry_add(reg, &p, 0, long_reason, 0, 0, NULL),
		-E2BIG);
	for (i = 0; i < OP25B_EXEMPT_REASON_MAX - 1; i++)
		expected[i] = (char)('a' + i % 26);
	expected[i] = '\0';
	assert_string_equal(e->reason, expected);
	assert_int_equal(op25b_exempt_registry_count(reg), 1);

	/* Every control byte, DEL included; UTF-8 and printable kept. */
	assert_int_equal(
		op25b_exempt_registry_add(reg, &p, 0,
					  "mx\nFAKE LOG LINE\r\x1b[2J"
					  "\x01\x1f\x7f ok ~ caf\xc3\xa9",
					  0, 0, NULL),
		0);
	assert_string_equal(e->reason,
			    "mx?FAKE LOG LINE??[2J??? ok ~ caf\xc3\xa9");
}

struct expired_log {
	char prefix[16][64];
	char reason[16][OP25B_EXEMPT_REASON_MAX];
	unsigned int calls;
};

static void
record_expired(const struct op25b_exempt_entry *e, void *arg)
{
	struct expired_log *log = arg;

	assert_true(log->calls < 16);
	format_prefix(&e->prefix, log->prefix[log->calls],
		      sizeof(log->prefix[0]));
	strcpy(log->reason[log->calls], e->reason);
	log->calls++;
}

/* Expiring @p reg at @p now (the expired in @p log unless NULL) ends
 * @p expired entries and leaves @p left. */
static void
expect_expire(struct op25b_exempt_registry *reg, uint64_t now,
	      struct expired_log *log, int expired, unsigned int left)
{
	assert_int_equal(op25b_exempt_registry_expire(
				 reg, now, log ? record_expired : NULL, log),
			 expired);
	assert_int_equal(op25b_exempt_registry_count(reg), left);
}

static void
test_expire_boundaries(void **state)
{
	struct op25b_exempt_registry *reg = *state;
	struct expired_log log = { .calls = 0 };
	const uint64_t now = 1700000000;

	add_ok(reg, "203.0.113.0/24", 10, "c, +10", now);
	add_ok(reg, "2001:db8::/32", 0, "never", now);
	add_ok(reg, "198.51.100.0/24", 5, "b, +5", now);
	add_ok(reg, "198.18.0.0/15", 10, "a, +10", now);
	add_ok(reg, "2001:db8:1::/48", 11, "d, +11", now);
	assert_int_equal(op25b_exempt_registry_next_expiry(reg),
			 now + 5 * 1000);

	expect_expire(reg, now + 5 * 1000 - 1, &log, 0, 5);
	assert_int_equal(log.calls, 0);

	/* One millisecond short of the TTL: still there; expires == now:
	 * gone. */
	expect_expire(reg, now + 5 * 1000, &log, 1, 4);
	assert_int_equal(log.calls, 1);
	assert_string_equal(log.prefix[0], "198.51.100.0/24");
	assert_string_equal(log.reason[0], "b, +5");
	assert_int_equal(op25b_exempt_registry_next_expiry(reg),
			 now + 10 * 1000);

	/* Two at once, in the registry's order; now+11 stays (now+1). */
	expect_expire(reg, now + 10 * 1000, &log, 2, 2);
	assert_int_equal(log.calls, 3);
	assert_string_equal(log.prefix[1], "198.18.0.0/15");
	assert_string_equal(log.reason[1], "a, +10");
	assert_string_equal(log.prefix[2], "203.0.113.0/24");
	assert_string_equal(log.reason[2], "c, +10");
	assert_int_equal(op25b_exempt_registry_next_expiry(reg),
			 now + 11 * 1000);
	{
		char buf[64];
		const struct op25b_exempt_entry *e =
			op25b_exempt_registry_entries(reg);

		assert_string_equal(
			format_prefix(&e[0].prefix, buf, sizeof(buf)),
			"2001:db8::/32");
		assert_string_equal(e[0].reason, "never");
		assert_string_equal(
			format_prefix(&e[1].prefix, buf, sizeof(buf)),
			"2001:db8:1::/48");
	}

	/* Again at the same time: nothing left to expire. */
	expect_expire(reg, now + 10 * 1000, &log, 0, 2);
	assert_int_equal(log.calls, 3);

	/* Without a callback. */
	expect_expire(reg, now + 11 * 1000, NULL, 1, 1);
	assert_int_equal(op25b_exempt_registry_next_expiry(reg), 0);

	/* A TTL of 0 never expires, however late. */
	expect_expire(reg, UINT64_MAX, &log, 0, 1);
}

static void
test_expire_everything_and_keep_order(void **state)
{
	struct op25b_exempt_registry *reg = *state;
	const struct op25b_exempt_entry *e;
	char text[64];
	unsigned int i;

	/* Odd /32s expire at 100 s (in ms), even ones never: compaction must
	 * keep the survivors sorted and intact. */
	for (i = 0; i < 200; i++) {
		snprintf(text, sizeof(text), "198.18.%u.%u", i / 100, i % 100);
		add_ok(reg, text, i % 2 ? 100 : 0, text, 0);
	}
	assert_int_equal(op25b_exempt_registry_next_expiry(reg), 100 * 1000);
	assert_int_equal(
		op25b_exempt_registry_expire(reg, 100 * 1000 - 1, NULL, NULL),
		0);
	assert_int_equal(
		op25b_exempt_registry_expire(reg, 100 * 1000, NULL, NULL), 100);
	assert_int_equal(op25b_exempt_registry_count(reg), 100);
	e = op25b_exempt_registry_entries(reg);
	for (i = 0; i < 100; i++) {
		unsigned int n = i * 2;

		snprintf(text, sizeof(text), "198.18.%u.%u", n / 100, n % 100);
		assert_string_equal(e[i].reason, text);
		assert_int_equal(e[i].expires, 0);
	}
}

/* ---- table ----------------------------------------------------------- */

/* A table of @p reg, empty or NULL, is refused: NULL and EINVAL. */
static void
expect_build_einval(const struct op25b_exempt_registry *reg)
{
	rte_errno = 0;
	assert_null(op25b_exempt_table_build(reg, SOCKET_ID_ANY));
	assert_int_equal(rte_errno, EINVAL);
}

static void
test_table_build_empty_is_einval(void **state)
{
	struct op25b_exempt_registry *reg = *state;
	struct op25b_prefix p = prefix_of("198.51.100.0/24");

	expect_build_einval(reg);
	expect_build_einval(NULL);
	/* Emptied again. */
	expect_add(reg, &p, 0);
	assert_int_equal(op25b_exempt_registry_del(reg, &p, NULL), 0);
	expect_build_einval(reg);
	op25b_exempt_table_free(NULL);
}

/* What the table of each list of prefixes must answer (test_table()). */
static const char *const ipv4_prefixes[] = { "203.0.113.7/32",
					     "198.51.100.0/24",
					     "198.18.0.0/15" };
static const struct expectation ipv4_cases[] = {
	{ "203.0.113.7", true },
	{ "203.0.113.6", false },
	{ "203.0.113.8", false },
	{ "203.0.112.7", false },
	{ "198.51.100.0", true },
	{ "198.51.100.255", true },
	{ "198.51.99.255", false },
	{ "198.51.101.0", false },
	{ "198.18.0.0", true },
	{ "198.19.255.255", true },
	{ "198.17.255.255", false },
	{ "198.20.0.0", false },
	{ "0.0.0.0", false },
	{ "255.255.255.255", false },
	/* Nothing IPv6 is exempt in an IPv4-only table. */
	{ "::", false },
	{ "2001:db8::1", false },
	{ "::ffff:203.0.113.7", false },
};

static const char *const ipv4_mixed_lengths_prefixes[] = {
	"198.51.100.64/26", "198.51.100.128/25", "203.0.113.0/28",
	"203.0.113.16/30",  "203.0.113.21",	 "198.18.128.0/17",
	"198.18.64.0/18",   "198.19.0.0/31",
};
static const struct expectation ipv4_mixed_lengths_cases[] = {
	{ "198.51.100.0", false },  { "198.51.100.63", false },
	{ "198.51.100.64", true },  { "198.51.100.127", true },
	{ "198.51.100.128", true }, { "198.51.100.255", true },
	{ "198.51.101.0", false },  { "203.0.113.0", true },
	{ "203.0.113.15", true },   { "203.0.113.16", true },
	{ "203.0.113.19", true },   { "203.0.113.20", false },
	{ "203.0.113.21", true },   { "203.0.113.22", false },
	{ "198.18.0.0", false },    { "198.18.63.255", false },
	{ "198.18.64.0", true },    { "198.18.127.255", true },
	{ "198.18.128.0", true },   { "198.18.255.255", true },
	{ "198.19.0.0", true },	    { "198.19.0.1", true },
	{ "198.19.0.2", false },
};

static const char *const ipv4_default_route_prefixes[] = { "0.0.0.0/0" };
static const struct expectation ipv4_default_route_cases[] = {
	{ "0.0.0.0", true },	  { "255.255.255.255", true },
	{ "198.51.100.1", true }, { "::", false },
	{ "2001:db8::1", false },
};

static const char *const ipv6_prefixes[] = {
	"2001:db8:1:2::5/128",
	"2001:db8:aaaa:bbbb::/64",
	"2001:db8:cc::/48",
	"2001:db8:f000::/36",
};
static const struct expectation ipv6_cases[] = {
	{ "2001:db8:1:2::5", true },
	{ "2001:db8:1:2::4", false },
	{ "2001:db8:1:2::6", false },
	{ "2001:db8:1:2:8000::5", false },
	{ "2001:db8:aaaa:bbbb::", true },
	{ "2001:db8:aaaa:bbbb:ffff:ffff:ffff:ffff", true },
	{ "2001:db8:aaaa:bbba:ffff:ffff:ffff:ffff", false },
	{ "2001:db8:aaaa:bbbc::", false },
	{ "2001:db8:cc::", true },
	{ "2001:db8:cc:ffff:ffff:ffff:ffff:ffff", true },
	{ "2001:db8:cb:ffff:ffff:ffff:ffff:ffff", false },
	{ "2001:db8:cd::", false },
	{ "2001:db8:f000::", true },
	{ "2001:db8:ffff:ffff::1", true },
	{ "2001:db8:efff:ffff:ffff:ffff:ffff:ffff", false },
	{ "2001:db9::", false },
	{ "::", false },
	/* Nothing IPv4 is exempt in an IPv6-only table, even the
	 * first four bytes of an exempt prefix (32.1.13.184). */
	{ "32.1.13.184", false },
	{ "0.0.0.0", false },
};

static const char *const ipv6_default_route_prefixes[] = { "::/0" };
static const struct expectation ipv6_default_route_cases[] = {
	{ "::", true },
	{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true },
	{ "2001:db8::1", true },
	{ "0.0.0.0", false },
	{ "203.0.113.1", false },
};

static const char *const families_not_confused_prefixes[] = {
	"198.51.100.0/24", "203.0.113.7/32",  "198.18.0.0/15",
	"2001:db8::/32",   "2001:db8:7::/48",
};
static const struct expectation families_not_confused_cases[] = {
	/* IPv6 addresses whose first four bytes are exempt IPv4
	 * networks: 198.51.100.x, 203.0.113.7, 198.18.x.x. */
	{ "c633:6400::", false },
	{ "c633:6401::1", false },
	{ "cb00:7107::", false },
	{ "c612::", false },
	/* And the IPv4 addresses spelled like 2001:db8:: and
	 * 2001:db8:7::. */
	{ "32.1.13.184", false },
	{ "32.1.13.185", false },
	/* Both families still match their own. */
	{ "198.51.100.1", true },
	{ "203.0.113.7", true },
	{ "198.19.1.1", true },
	{ "2001:db8:7::1", true },
	{ "2001:db8:ffff::1", true },
};

/* One of those lists and its answers: a test_table() case. */
struct table_case {
	const char *const *prefixes;
	size_t n_prefixes;
	const struct expectation *cases;
	size_t n_cases;
};

#define TABLE_CASE(name)                                                       \
	static struct table_case table_##name = { name##_prefixes,             \
						  RTE_DIM(name##_prefixes),    \
						  name##_cases,                \
						  RTE_DIM(name##_cases) }

TABLE_CASE(ipv4);
TABLE_CASE(ipv4_mixed_lengths);
TABLE_CASE(ipv4_default_route);
TABLE_CASE(ipv6);
TABLE_CASE(ipv6_default_route);
TABLE_CASE(families_not_confused);

static void
test_table(void **state)
{
	const struct table_case *c = *state;

	expect_table(c->prefixes, c->n_prefixes, c->cases, c->n_cases);
}

/* test_table() as test_table_NAME on the lists NAME_prefixes and
 * NAME_cases. */
#define TABLE_TEST(name)                                                       \
	{                                                                      \
		"test_table_" #name, test_table, NULL, NULL, &table_##name     \
	}

static void
test_table_is_a_snapshot(void **state)
{
	struct op25b_exempt_registry *reg = *state;
	struct op25b_exempt_table *before, *after, *again;
	struct op25b_prefix p = prefix_of("203.0.113.0/24");

	add_ok(reg, "203.0.113.0/24", 0, NULL, 0);
	add_ok(reg, "2001:db8::/32", 0, NULL, 0);
	before = op25b_exempt_table_build(reg, SOCKET_ID_ANY);
	assert_non_null(before);
	assert_int_equal(op25b_exempt_registry_del(reg, &p, NULL), 0);
	add_ok(reg, "198.51.100.0/24", 0, NULL, 0);
	/* The old table lives on (readers in their grace period) while
	 * its successors are built: names must not collide. */
	after = op25b_exempt_table_build(reg, SOCKET_ID_ANY);
	assert_non_null(after);
	again = op25b_exempt_table_build(reg, SOCKET_ID_ANY);
	assert_non_null(again);

	assert_true(exempt(before, "203.0.113.9"));
	assert_false(exempt(before, "198.51.100.9"));
	assert_false(exempt(after, "203.0.113.9"));
	assert_true(exempt(after, "198.51.100.9"));
	assert_true(exempt(again, "198.51.100.9"));
	assert_true(exempt(before, "2001:db8::9"));
	assert_true(exempt(after, "2001:db8::9"));
	op25b_exempt_table_free(before);
	op25b_exempt_table_free(after);
	op25b_exempt_table_free(again);
}

static void
test_table_memory(void **state)
{
	struct op25b_exempt_registry *reg = *state;
	struct op25b_exempt_table *small, *large;
	char text[64];
	size_t small_bytes, large_bytes;
	unsigned int i;

	add_ok(reg, "198.51.100.0/24", 0, NULL, 0);
	small = op25b_exempt_table_build(reg, SOCKET_ID_ANY);
	assert_non_null(small);
	for (i = 0; i < 10000; i++) {
		snprintf(text, sizeof(text), "2001:db8:%x::/48", i);
		add_ok(reg, text, 0, NULL, 0);
	}
	large = op25b_exempt_table_build(reg, SOCKET_ID_ANY);
	assert_non_null(large);
	small_bytes = op25b_exempt_table_memory(small);
	large_bytes = op25b_exempt_table_memory(large);
	/* At least a key a prefix; not more than a few hundred bytes per
	 * prefix plus a fixed part. */
	assert_true(small_bytes >= 64 * 20);
	assert_true(small_bytes < 64 * 1024);
	assert_true(large_bytes >= 10001 * 20);
	assert_true(large_bytes < 10001 * 256 + 64 * 1024);
	assert_true(large_bytes > small_bytes);
	for (i = 0; i < 10000; i += 97) {
		snprintf(text, sizeof(text), "2001:db8:%x::1", i);
		assert_true(exempt(large, text));
		assert_false(exempt(small, text));
	}
	op25b_exempt_table_free(small);
	op25b_exempt_table_free(large);
}

/* ---- table against a linear reference -------------------------------- */

#define TEST_RNG_SEED 0x9e3779b97f4a7c15ull
#include "test_rng.h"

/* A prefix as the reference scan sees it: masks precomputed, host order. */
struct reference_prefix {
	struct op25b_prefix prefix;
	uint64_t value[2];
	uint64_t mask[2];
};

static uint64_t
load_be64(const uint8_t *p)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void
reference_fill(struct reference_prefix *r)
{
	unsigned int length = r->prefix.length, bits, half;

	if (r->prefix.family == AF_INET)
		length += 96; /* compare IPv4 as the last 32 of 128 bits */
	for (half = 0; half < 2; half++) {
		bits = length > 64 * half ? length - 64 * half : 0;
		if (bits > 64)
			bits = 64;
		r->mask[half] = bits == 0 ? 0 : UINT64_MAX << (64 - bits);
	}
	if (r->prefix.family == AF_INET) {
		r->value[0] = 0;
		r->value[1] = load_be64(r->prefix.addr) >> 32;
		/* The top 96 bits of the mask cover nothing but zeros. */
	} else {
		r->value[0] = load_be64(r->prefix.addr);
		r->value[1] = load_be64(r->prefix.addr + 8);
	}
}

static bool
reference_match(const struct reference_prefix *refs, size_t n, int family,
		const uint8_t *addr)
{
	uint64_t a[2];
	size_t i;

	if (family == AF_INET) {
		a[0] = 0;
		a[1] = load_be64(addr) >> 32;
	} else {
		a[0] = load_be64(addr);
		a[1] = load_be64(addr + 8);
	}
	for (i = 0; i < n; i++)
		if (refs[i].prefix.family == family &&
		    (a[0] & refs[i].mask[0]) == refs[i].value[0] &&
		    (a[1] & refs[i].mask[1]) == refs[i].value[1])
			return true;
	return false;
}

static void
clear_host_bits(uint8_t *a, unsigned int length, unsigned int bytes)
{
	unsigned int b;

	for (b = length; b < bytes * 8; b++)
		a[b / 8] &= (uint8_t) ~(0x80u >> (b % 8));
}

/*
 * Random prefixes that nest and sit side by side: most in one dense
 * region per family (198.0.0.0/8, 2001:db8::/32), long enough to leave
 * about half of it uncovered; the short ones (one in sixteen) stay out of
 * it, in 0.0.0.0/1 and 8000::/1, or they would cover it all.
 */
static void
random_prefix(struct op25b_prefix *p)
{
	unsigned int i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < 16; i++)
		p->addr[i] = (uint8_t)rng();
	if (rng() % 3 != 0) {
		p->family = AF_INET;
		if (rng() % 16 == 0) {
			p->length = (uint8_t)(2 + rng() % 14);
			p->addr[0] &= 0x7f;
		} else {
			p->length = (uint8_t)(16 + rng() % 17);
			p->addr[0] = 198;
		}
		memset(p->addr + 4, 0, 12);
		clear_host_bits(p->addr, p->length, 4);
	} else {
		p->family = AF_INET6;
		if (rng() % 16 == 0) {
			p->length = (uint8_t)(2 + rng() % 30);
			p->addr[0] |= 0x80;
		} else {
			p->length = (uint8_t)(40 + rng() % 89);
			p->addr[0] = 0x20;
			p->addr[1] = 0x01;
			p->addr[2] = 0x0d;
			p->addr[3] = 0xb8;
		}
		clear_host_bits(p->addr, p->length, 16);
	}
}

/* Random bits under @p p's network bits. */
static void
address_inside(const struct op25b_prefix *p, uint8_t *a)
{
	unsigned int b;

	for (b = 0; b < 16; b++)
		a[b] = (uint8_t)rng();
	for (b = 0; b < p->length; b++) {
		uint8_t bit = (uint8_t)(0x80u >> (b % 8));

		a[b / 8] =
			(uint8_t)((a[b / 8] & ~bit) | (p->addr[b / 8] & bit));
	}
}

static void
test_table_matches_reference(void **state)
{
	enum {
		N_PREFIXES = 2000,
		N_ADDRESSES = 100000
	};
	struct op25b_exempt_registry *reg = *state;
	struct reference_prefix *refs = calloc(N_PREFIXES, sizeof(*refs));
	struct op25b_exempt_table *t;
	unsigned int n_refs = 0, i, hits = 0, misses = 0;
	unsigned int near_misses = 0;

	assert_non_null(refs);
	for (i = 0; i < N_PREFIXES; i++) {
		struct op25b_prefix p;
		bool replaced, known = false;
		unsigned int k;

		random_prefix(&p);
		for (k = 0; k < n_refs && !known; k++)
			known = refs[k].prefix.family == p.family &&
				refs[k].prefix.length == p.length &&
				memcmp(refs[k].prefix.addr, p.addr, 16) == 0;
		assert_int_equal(op25b_exempt_registry_add(reg, &p, 0, NULL, 0,
							   0, &replaced),
				 0);
		assert_int_equal(replaced, known);
		if (!known) {
			refs[n_refs].prefix = p;
			reference_fill(&refs[n_refs]);
			n_refs++;
		}
	}
	assert_int_equal(op25b_exempt_registry_count(reg), n_refs);
	t = op25b_exempt_table_build(reg, SOCKET_ID_ANY);
	assert_non_null(t);

	for (i = 0; i < N_ADDRESSES; i++) {
		const struct op25b_prefix *near = &refs[rng() % n_refs].prefix;
		int family;
		uint8_t a[16];
		bool want, got;

		if (i % 2 == 0) {
			/* Inside a random entry. */
			family = near->family;
			address_inside(near, a);
		} else if (i % 4 == 1 && near->length > 0) {
			/* Just outside one: its last network bit flipped. */
			unsigned int b = near->length - 1u;

			family = near->family;
			address_inside(near, a);
			a[b / 8] ^= (uint8_t)(0x80u >> (b % 8));
			near_misses++;
		} else {
			/* Anywhere in the dense regions, or anywhere. */
			struct op25b_prefix region;

			family = rng() % 2 ? AF_INET : AF_INET6;
			region = prefix_of(family == AF_INET ? "198.0.0.0/8"
							     : "2001:db8::/32");
			if (rng() % 4 == 0)
				region.length = 0;
			address_inside(&region, a);
		}
		if (family == AF_INET)
			memset(a + 4, 0, 12);
		want = reference_match(refs, n_refs, family, a);
		got = family == AF_INET
			      ? op25b_exempt_table_match4(
					t, ((uint32_t)a[0] << 24) |
						   ((uint32_t)a[1] << 16) |
						   ((uint32_t)a[2] << 8) | a[3])
			      : op25b_exempt_table_match6(t, a);
		if (got != want) {
			char text[INET6_ADDRSTRLEN];

			inet_ntop(family, a, text, sizeof(text));
			fail_msg("address %u, %s: table says %s, reference %s",
				 i, text, got ? "exempt" : "not exempt",
				 want ? "exempt" : "not exempt");
		}
		if (want)
			hits++;
		else
			misses++;
	}
	/* The comparison means something only if both answers were
	 * common. */
	print_message("%u prefixes, %u exempt, %u not exempt\n", n_refs, hits,
		      misses);
	assert_true(hits >= N_ADDRESSES / 2);
	assert_true(misses >= N_ADDRESSES / 10);
	assert_true(near_misses > 0);
	op25b_exempt_table_free(t);
	free(refs);
}

/* ---- several readers at once ------------------------------------------- */

struct reader {
	const struct op25b_exempt_table *table;
	unsigned int wrong;
};

static void *
reader_run(void *arg)
{
	struct reader *r = arg;
	unsigned int i;

	for (i = 0; i < 50000; i++) {
		uint32_t host = 0xc6336400u | (i & 0x1ff); /* 198.51.100/23 */
		uint8_t a6[16] = {
			0x20, 0x01, 0x0d, 0xb8, 0, (uint8_t)(i & 1)
		};

		a6[15] = (uint8_t)i;
		if (op25b_exempt_table_match4(r->table, host) !=
		    ((i & 0x100) == 0))
			r->wrong++;
		if (op25b_exempt_table_match6(r->table, a6) != ((i & 1) == 0))
			r->wrong++;
	}
	return NULL;
}

static void
test_table_concurrent_readers(void **state)
{
	static const char *const prefixes[] = { "198.51.100.0/24",
						"2001:db8::/48",
						"203.0.113.5" };
	struct op25b_exempt_table *t = table_of(prefixes, 3);
	struct reader readers[4];
	pthread_t threads[4];
	unsigned int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		readers[i].table = t;
		readers[i].wrong = 0;
		assert_int_equal(pthread_create(&threads[i], NULL, reader_run,
						&readers[i]),
				 0);
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(threads[i], NULL), 0);
		assert_int_equal(readers[i].wrong, 0);
	}
	op25b_exempt_table_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		FIXTURE_TEST(registry, test_registry_empty),
		FIXTURE_TEST(registry, test_add_fields_and_replace),
		FIXTURE_TEST(registry, test_add_normalizes_ipv4_tail),
		FIXTURE_TEST(registry, test_add_invalid),
		FIXTURE_TEST(registry, test_del),
		FIXTURE_TEST(registry, test_lookup_longest),
		cmocka_unit_test(test_lookup_matches_reference),
		FIXTURE_TEST(registry, test_full_registry),
		FIXTURE_TEST(registry, test_sort_order),
		FIXTURE_TEST(registry, test_reason_refused_long_and_scrubbed),
		FIXTURE_TEST(registry, test_expire_boundaries),
		FIXTURE_TEST(registry, test_expire_everything_and_keep_order),
		FIXTURE_TEST(registry, test_table_build_empty_is_einval),
		TABLE_TEST(ipv4),
		TABLE_TEST(ipv4_mixed_lengths),
		TABLE_TEST(ipv4_default_route),
		TABLE_TEST(ipv6),
		TABLE_TEST(ipv6_default_route),
		TABLE_TEST(families_not_confused),
		FIXTURE_TEST(registry, test_table_is_a_snapshot),
		FIXTURE_TEST(registry, test_table_memory),
		FIXTURE_TEST(registry, test_table_matches_reference),
		cmocka_unit_test(test_table_concurrent_readers),
	};

	return cmocka_run_group_tests_name(
		"exempt", tests, test_eal_group_setup, test_eal_group_teardown);
}
