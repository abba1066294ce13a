/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The exemption state file, without EAL: the exact text written, round
 * trips, every kind of malformed line with its line number, times and
 * expiry, reason escaping, the atomic save; and the registry calls it
 * relies on (put, merge, diff); exempt list's table and JSON.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "op25b_exempt.h"
#include "test_exempt_text.h"
#include "op25b_policy.h"

/* 2026-12-31T23:59:59Z and 2028-02-29T00:00:00Z in milliseconds. */
#define T_2026_END 1798761599000ull
#define T_2028_LEAP 1835395200000ull

#define HEADER                                                                 \
	"# op25b exemptions, format 1: PREFIX EXPIRES GRANTED UID TTL "        \
	"\"REASON\" (doc/cli.md); the last line counts them\n"
/* The first line op25b wrote before it counted the exemptions. */
#define HEADER_UNCOUNTED                                                       \
	"# op25b exemptions, format 1: PREFIX EXPIRES GRANTED UID TTL "        \
	"\"REASON\" (doc/cli.md)\n"

static struct op25b_exempt_entry
entry_of(const char *prefix, uint64_t added, uint64_t expires, uint32_t ttl,
	 uint32_t uid, const char *reason)
{
	struct op25b_exempt_entry e;
	const char *why = NULL;

	memset(&e, 0, sizeof(e));
	if (op25b_prefix_parse(prefix, &e.prefix, &why) != 0)
		fail_msg("prefix '%s': %s", prefix, why);
	e.added = added;
	e.expires = expires;
	e.ttl = ttl;
	e.uid = uid;
	snprintf(e.reason, sizeof(e.reason), "%s", reason);
	return e;
}

static void
put_ok(struct op25b_exempt_registry *reg, struct op25b_exempt_entry e)
{
	int ret = op25b_exempt_registry_put(reg, &e, NULL);

	if (ret != 0)
		fail_msg("put: %d", ret);
}

/* ---- writing ---------------------------------------------------------- */

static void
test_write_exact_text(void **state)
{
	struct op25b_exempt_registry *reg = op25b_exempt_registry_create();
	char *text;

	(void)state;
	put_ok(reg, entry_of("2001:db8:1000::/48", T_2026_END - 86400000, 0, 0,
			     1000, ""));
	put_ok(reg, entry_of("198.18.5.9", T_2026_END - 2592000000ull + 7,
			     T_2026_END + 123, 2592000, 0, "own MX"));
	text = test_exempt_written(reg);
	/* IPv4 first (registry order), milliseconds always written. */
	assert_string_equal(text, HEADER
			    "198.18.5.9/32 2026-12-31T23:59:59.123Z "
			    "2026-12-01T23:59:59.007Z 0 2592000 \"own MX\"\n"
			    "2001:db8:1000::/48 never 2026-12-30T23:59:59.000Z "
			    "1000 0 \"\"\n"
			    "# end: 2 exemptions\n");
	free(text);
	op25b_exempt_registry_free(reg);
}

static void
test_write_empty(void **state)
{
	struct op25b_exempt_registry *reg = op25b_exempt_registry_create(),
				     *back;
	char *text;

	(void)state;
	text = test_exempt_written(reg);
	assert_string_equal(text, HEADER "# end: 0 exemptions\n");
	back = test_exempt_read_text(text, strlen(text), NULL);
	assert_non_null(back);
	assert_int_equal(op25b_exempt_registry_count(back), 0);
	/* A file of zero bytes is an empty list too. */
	op25b_exempt_registry_free(back);
	back = test_exempt_read_text("", 0, NULL);
	assert_non_null(back);
	assert_int_equal(op25b_exempt_registry_count(back), 0);
	free(text);
	op25b_exempt_registry_free(back);
	op25b_exempt_registry_free(reg);
}

/* ---- round trips ------------------------------------------------------ */

static void
test_round_trip(void **state)
{
	static const char *const reasons[] = {
		"",
		"customer runs its own MX",
		"say \"hi\" \\ bye",
		"\\\\\"\"",
		"caf\xc3\xa9 \xe2\x82\xac",
		"  leading and trailing  ",
		"# not a comment",
		"tab\there", /* the registry keeps it as '?' */
	};
	struct op25b_exempt_registry *reg = op25b_exempt_registry_create(),
				     *back;
	struct op25b_exempt_state_error err;
	char prefix[64], *text, *again;
	unsigned int i, diffs = 0;

	(void)state;
	for (i = 0; i < 200; i++) {
		uint64_t added = 1700000000000ull + i * 1234567ull;

		if (i % 2)
			snprintf(prefix, sizeof(prefix), "198.%u.%u.0/24",
				 18 + i % 2, i);
		else
			snprintf(prefix, sizeof(prefix), "2001:db8:%x::/48", i);
		put_ok(reg,
		       entry_of(prefix, added, i % 3 ? added + i * 1001ull : 0,
				i % 3 ? i : 0, i * 7, reasons[i % 8]));
	}
	put_ok(reg, entry_of("0.0.0.0/0", 0, 0, 0, 0, "everything"));
	put_ok(reg, entry_of("::/0", 0, UINT64_C(253402300799999), 1,
			     UINT32_MAX, "until 9999"));
	text = test_exempt_written(reg);
	back = test_exempt_read_text(text, strlen(text), &err);
	if (back == NULL)
		fail_msg("line %u: %s", err.line, err.message);
	assert_int_equal(op25b_exempt_registry_count(back),
			 op25b_exempt_registry_count(reg));
	op25b_exempt_registry_diff(reg, back, test_exempt_count_diff, &diffs);
	assert_int_equal(diffs, 0);
	again = test_exempt_written(back);
	assert_string_equal(text, again);
	free(again);
	free(text);
	op25b_exempt_registry_free(back);
	op25b_exempt_registry_free(reg);
}

/* Lines in any order, spaced as a person writes them, come back sorted
 * and exact. */
static void
test_read_hand_written(void **state)
{
	static const char text[] =
		"\n"
		"   # comment\n"
		"198.18.5.0/24\t never   2026-12-31T23:59:59Z 5 0\r\n"
		"198.18.5.9 2028-02-29T00:00:00.5Z 2026-12-31t23:59:59.123456789z 0 60 \"x\"   \n"
		"\t\n";
	struct op25b_exempt_state_error err;
	struct op25b_exempt_registry *reg =
		test_exempt_read_text(text, strlen(text), &err);
	const struct op25b_exempt_entry *e;
	char buf[64];

	(void)state;
	if (reg == NULL)
		fail_msg("line %u: %s", err.line, err.message);
	assert_int_equal(op25b_exempt_registry_count(reg), 2);
	e = op25b_exempt_registry_entries(reg);
	op25b_prefix_format(&e[0].prefix, buf, sizeof(buf));
	assert_string_equal(buf, "198.18.5.0/24");
	assert_int_equal(e[0].expires, 0);
	assert_int_equal(e[0].added, T_2026_END);
	assert_int_equal(e[0].uid, 5);
	assert_int_equal(e[0].ttl, 0);
	assert_string_equal(e[0].reason, "");
	op25b_prefix_format(&e[1].prefix, buf, sizeof(buf));
	assert_string_equal(buf, "198.18.5.9/32");
	assert_int_equal(e[1].expires, T_2028_LEAP + 500);
	assert_int_equal(e[1].added, T_2026_END + 123);
	assert_int_equal(e[1].ttl, 60);
	assert_string_equal(e[1].reason, "x");
	op25b_exempt_registry_free(reg);
}

/* A line whose expiry precedes its grant time (a renewal after the clock
 * stepped back, as an earlier op25b wrote it) is read: the expiry alone
 * decides. The whole file used to be refused for it, and moved aside at
 * start with every exemption in it. */
static void
test_read_expiry_before_grant(void **state)
{
	static const char text[] =
		"198.18.5.9 2026-12-31T23:59:58Z 2026-12-31T23:59:59Z 0 1\n"
		"2001:db8::/32 never 2026-12-31T23:59:59Z 0 0\n";
	struct op25b_exempt_state_error err;
	struct op25b_exempt_registry *reg =
		test_exempt_read_text(text, strlen(text), &err);

	(void)state;
	if (reg == NULL)
		fail_msg("line %u: %s", err.line, err.message);
	assert_int_equal(op25b_exempt_registry_count(reg), 2);
	assert_int_equal(op25b_exempt_registry_entries(reg)[0].expires,
			 T_2026_END - 1000);
	op25b_exempt_registry_free(reg);
}

/* An expiry of 1970-01-01T00:00:00Z is long past, not "never" (0 in an
 * entry): it was read as 0, imported as a lasting grant and written back
 * as never. */
static void
test_read_expiry_at_the_epoch(void **state)
{
	static const char text[] =
		"198.18.5.9 1970-01-01T00:00:00Z 2020-01-01T00:00:00Z 0 60\n"
		"198.18.5.10 1970-01-01T00:00:00.000Z 2020-01-01T00:00:00Z 0 "
		"60\n"
		"198.18.5.11 never 2020-01-01T00:00:00Z 0 0\n";
	struct op25b_exempt_state_error err;
	struct op25b_exempt_registry *reg =
		test_exempt_read_text(text, strlen(text), &err);
	const struct op25b_exempt_entry *e;

	(void)state;
	if (reg == NULL)
		fail_msg("line %u: %s", err.line, err.message);
	assert_int_equal(op25b_exempt_registry_count(reg), 3);
	e = op25b_exempt_registry_entries(reg);
	assert_int_equal(e[0].expires, 1);
	assert_int_equal(e[1].expires, 1);
	assert_int_equal(e[2].expires, 0);
	assert_int_equal(
		op25b_exempt_registry_expire(reg, T_2026_END, NULL, NULL), 2);
	assert_int_equal(op25b_exempt_registry_count(reg), 1);
	op25b_exempt_registry_free(reg);
}

/* A renewal after the clock stepped back past the first grant lowers the
 * grant time to now: no entry is written that expires before its grant. */
static void
test_renewal_after_clock_step_back(void **state)
{
	struct op25b_exempt_registry *reg = op25b_exempt_registry_create();
	struct op25b_prefix p = { .family = AF_INET, .length = 32 };
	const struct op25b_exempt_entry *e;
	bool replaced;

	(void)state;
	assert_non_null(reg);
	assert_int_equal(inet_pton(AF_INET, "198.18.5.9", p.addr), 1);
	assert_int_equal(op25b_exempt_registry_add(reg, &p, 3600, "r", 0,
						   T_2026_END, &replaced),
			 0);
	/* Renewed later: the first grant time stays. */
	assert_int_equal(op25b_exempt_registry_add(reg, &p, 3600, "r", 0,
						   T_2026_END + 5000,
						   &replaced),
			 0);
	assert_true(replaced);
	e = op25b_exempt_registry_entries(reg);
	assert_int_equal(e->added, T_2026_END);
	/* Renewed for a minute two hours before it (the clock stepped). */
	assert_int_equal(op25b_exempt_registry_add(reg, &p, 60, "r", 0,
						   T_2026_END - 7200000,
						   &replaced),
			 0);
	e = op25b_exempt_registry_entries(reg);
	assert_int_equal(e->added, T_2026_END - 7200000);
	assert_int_equal(e->expires, T_2026_END - 7200000 + 60000);
	op25b_exempt_registry_free(reg);
}

/* ---- escaping --------------------------------------------------------- */

static void
test_reason_escapes(void **state)
{
	static const char text[] =
		"198.18.5.9 never 2026-12-31T23:59:59Z 0 0 "
		"\"a \\\"b\\\" c\\\\d \\x41\\x1b[31m\\x7f\\xc3\\xa9\"\n";
	struct op25b_exempt_registry *reg, *plain;
	struct op25b_exempt_state_error err;
	char *out;

	(void)state;
	reg = test_exempt_read_text(text, strlen(text), &err);
	if (reg == NULL)
		fail_msg("line %u: %s", err.line, err.message);
	/* Control bytes become '?' in the registry, as from exempt add: a
	 * reason goes into audit lines and onto terminals. */
	assert_string_equal(op25b_exempt_registry_entries(reg)[0].reason,
			    "a \"b\" c\\d A?[31m?\xc3\xa9");
	out = test_exempt_written(reg);
	assert_non_null(
		strstr(out, " \"a \\\"b\\\" c\\\\d A?[31m?\xc3\xa9\"\n"));
	free(out);

	/* The writer escapes control bytes should an entry hold any. */
	plain = op25b_exempt_registry_create();
	put_ok(plain, entry_of("198.18.5.9", 0, 0, 0, 0, "ok"));
	out = test_exempt_written(plain);
	assert_non_null(strstr(out, " \"ok\"\n"));
	free(out);
	op25b_exempt_registry_free(plain);
	op25b_exempt_registry_free(reg);
}

static void
test_reason_length_bound(void **state)
{
	char text[512], reason[200];
	struct op25b_exempt_state_error err;
	struct op25b_exempt_registry *reg;

	(void)state;
	memset(reason, 'r', 127);
	reason[127] = '\0';
	snprintf(text, sizeof(text),
		 "198.18.5.9 never 2026-12-31T23:59:59Z 0 0 \"%s\"\n", reason);
	reg = test_exempt_read_text(text, strlen(text), &err);
	assert_non_null(reg);
	assert_string_equal(op25b_exempt_registry_entries(reg)[0].reason,
			    reason);
	op25b_exempt_registry_free(reg);
	/* 127 bytes as escapes are 127 bytes too. */
	snprintf(text, sizeof(text),
		 "198.18.5.9 never 2026-12-31T23:59:59Z 0 0 \"\\x41%s\"\n",
		 reason + 1);
	reg = test_exempt_read_text(text, strlen(text), &err);
	assert_non_null(reg);
	op25b_exempt_registry_free(reg);
	snprintf(text, sizeof(text),
		 "198.18.5.9 never 2026-12-31T23:59:59Z 0 0 \"%sr\"\n", reason);
	assert_null(test_exempt_read_text(text, strlen(text), &err));
	assert_int_equal(errno, EINVAL);
	assert_int_equal(err.line, 1);
	assert_string_equal(err.message, "the reason is longer than 127 bytes");
}

/* ---- malformed lines -------------------------------------------------- */

struct bad_case {
	const char *line; /* without its newline */
	const char *message;
};

#define GOOD "198.18.7.0/24 never 2026-12-31T23:59:59Z 0 0 \"good\""
#define GOOD_LATER "198.18.8.0/24 never 2026-12-31T23:59:59Z 0 0"
#define T "2026-12-31T23:59:59Z"

static const struct bad_case bad_cases[] = {
	{ "garbage", "no expiry: expected PREFIX EXPIRES GRANTED UID TTL "
		     "\"REASON\"" },
	{ "198.18.5.9 never " T " 0", "no ttl: expected PREFIX EXPIRES "
				      "GRANTED UID TTL \"REASON\"" },
	{ "198.18.5.9/33 never " T " 0 0", "bad prefix '198.18.5.9/33': " },
	{ "198.18.5.1/16 never " T " 0 0", "bad prefix '198.18.5.1/16': " },
	{ "not-an-address never " T " 0 0", "bad prefix 'not-an-address': " },
	{ "198.18.5.9 tomorrow " T " 0 0",
	  "bad expiry 'tomorrow': expected never or a UTC time like "
	  "2026-12-31T23:59:59Z" },
	{ "198.18.5.9 2026-13-01T00:00:00Z " T " 0 0", "bad expiry " },
	{ "198.18.5.9 2026-02-29T00:00:00Z " T " 0 0", "bad expiry " },
	{ "198.18.5.9 2026-04-31T00:00:00Z " T " 0 0", "bad expiry " },
	{ "198.18.5.9 2026-12-31T24:00:00Z " T " 0 0", "bad expiry " },
	{ "198.18.5.9 2026-12-31T23:59:60Z " T " 0 0", "bad expiry " },
	{ "198.18.5.9 2026-12-31T23:59:59+01:00 " T " 0 0", "bad expiry " },
	{ "198.18.5.9 2026-12-31T23:59:59 " T " 0 0", "bad expiry " },
	{ "198.18.5.9 2026-12-31T23:59:59.Z " T " 0 0", "bad expiry " },
	{ "198.18.5.9 2026-12-31T23:59:59.1234567890Z " T " 0 0",
	  "bad expiry " },
	{ "198.18.5.9 1969-12-31T23:59:59Z " T " 0 0", "bad expiry " },
	{ "198.18.5.9 never never 0 0",
	  "bad grant time 'never': expected a UTC time like "
	  "2026-12-31T23:59:59Z" },
	{ "198.18.5.9 never 2026-12-31 0 0", "bad grant time '2026-12-31'" },
	{ "198.18.5.9 never " T " -1 0",
	  "bad uid '-1': expected 0..4294967295" },
	{ "198.18.5.9 never " T " 4294967296 0", "bad uid '4294967296'" },
	{ "198.18.5.9 never " T " root 0", "bad uid 'root'" },
	{ "198.18.5.9 never " T " 0 30d",
	  "bad ttl '30d': expected seconds 0..4294967295 (0: none)" },
	{ "198.18.5.9 never " T " 0 0 reason",
	  "expected the reason in double quotes" },
	{ "198.18.5.9 never " T " 0 0 \"open",
	  "the reason has no closing quote" },
	{ "198.18.5.9 never " T " 0 0 \"a\\nb\"",
	  "a bad escape in the reason (\\\", \\\\ and \\xHH only)" },
	{ "198.18.5.9 never " T " 0 0 \"a\\x4\"",
	  "a bad escape in the reason" },
	{ "198.18.5.9 never " T " 0 0 \"a\\x00b\"", "\\x00 in the reason" },
	{ "198.18.5.9 never " T " 0 0 \"a\tb\"",
	  "a control character in the reason (write it as \\xHH)" },
	{ "198.18.5.9 never " T " 0 0 \"a\x1b b\"",
	  "a control character in the reason" },
	{ "198.18.5.9 never " T " 0 0 \"a\" \"b\"", "unexpected '\"b\"' after "
						    "the reason" },
	{ "198.18.7.0/24 never " T " 1 1 \"again\"",
	  "198.18.7.0/24 is listed twice (first on line 3)" },
};

/* Each bad line after two comments and a good line: line 4 must be named,
 * and nothing returned. */
static void
test_malformed_lines(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct op25b_exempt_state_error err;
		char text[1024];

		snprintf(text, sizeof(text),
			 "# one\n\n" GOOD "\n%s\n" GOOD_LATER "\n",
			 bad_cases[i].line);
		errno = 0;
		if (test_exempt_read_text(text, strlen(text), &err) != NULL)
			fail_msg("case %u '%s' was accepted", i,
				 bad_cases[i].line);
		if (errno != EINVAL || err.line != 4 ||
		    strncmp(err.message, bad_cases[i].message,
			    strlen(bad_cases[i].message)) != 0)
			fail_msg("case %u '%s': errno %d line %u '%s', want "
				 "line 4 '%s...'",
				 i, bad_cases[i].line, errno, err.line,
				 err.message, bad_cases[i].message);
	}
}

/* The same prefix written two ways is one prefix; the later line is
 * named, the earliest duplicate first. */
static void
test_duplicates(void **state)
{
	static const char text[] = "198.18.5.9/32 never " T " 0 0\n"
				   "2001:db8::1 never " T " 0 0\n"
				   "2001:DB8:0::1/128 never " T " 0 0\n"
				   "198.18.5.9 never " T " 0 0\n";
	struct op25b_exempt_state_error err;

	(void)state;
	assert_null(test_exempt_read_text(text, strlen(text), &err));
	assert_int_equal(err.line, 3);
	assert_string_equal(
		err.message,
		"2001:db8::1/128 is listed twice (first on line 2)");
}

static void
test_bytes_that_are_no_text(void **state)
{
	static const char nul[] = "198.18.5.9 never " T " 0 0\n\0garbage\n";
	static const char cut[] = "198.18.5.9 never " T " 0 0\n"
				  "198.18.5.10 never 2026-12-3";
	struct op25b_exempt_state_error err;
	char *long_line;

	(void)state;
	assert_null(test_exempt_read_text(nul, sizeof(nul) - 1, &err));
	assert_int_equal(err.line, 2);
	assert_string_equal(err.message, "a NUL byte: not an exemptions file");

	assert_null(test_exempt_read_text(cut, strlen(cut), &err));
	assert_int_equal(err.line, 2);
	assert_string_equal(err.message,
			    "the last line has no newline: the file is cut "
			    "short");

	long_line = malloc(4000);
	assert_non_null(long_line);
	memset(long_line, '#', 3998);
	long_line[3998] = '\n';
	long_line[3999] = '\0';
	assert_null(test_exempt_read_text(long_line, strlen(long_line), &err));
	assert_int_equal(err.line, 1);
	assert_string_equal(err.message, "a line longer than 1023 bytes");
	free(long_line);
}

/* A file op25b wrote says in its first line that its last counts the
 * exemptions: cut at a line's end (a copy interrupted there, a disk full
 * at a block's end), it is refused, where a file without the promise
 * (written by hand, or by op25b before it counted) reads as it is. */
static void
test_cut_at_a_line_end(void **state)
{
	static const char whole[] = HEADER "198.18.5.9 never " T " 0 0\n"
					   "198.18.5.10 never " T " 0 0\n"
					   "# end: 2 exemptions\n";
	static const char cut[] = HEADER "198.18.5.9 never " T " 0 0\n";
	static const char header_only[] = HEADER;
	static const char edited[] = HEADER "198.18.5.9 never " T " 0 0\n"
					    "198.18.5.10 never " T " 0 0\n"
					    "198.18.5.11 never " T " 0 0\n"
					    "# end: 2 exemptions\n";
	static const char after_end[] = HEADER "198.18.5.9 never " T " 0 0\n"
					       "# end: 1 exemptions\n"
					       "\n"
					       "198.18.5.10 never " T " 0 0\n";
	static const char uncounted[] = HEADER_UNCOUNTED "198.18.5.9 never " T
							 " 0 0\n";
	static const char counted_by_hand[] = "198.18.5.9 never " T " 0 0\n"
					      "# end: 2 exemptions\n";
	static const char crlf[] = "# op25b exemptions, format 1: PREFIX "
				   "EXPIRES GRANTED UID TTL \"REASON\" "
				   "(doc/cli.md); the last line counts "
				   "them\r\n"
				   "198.18.5.9 never " T " 0 0\r\n"
				   "# end: 1 exemptions\r\n\r\n";
	struct op25b_exempt_state_error err;
	struct op25b_exempt_registry *reg;

	(void)state;
	reg = test_exempt_read_text(whole, strlen(whole), &err);
	assert_non_null(reg);
	assert_int_equal(op25b_exempt_registry_count(reg), 2);
	op25b_exempt_registry_free(reg);
	reg = test_exempt_read_text(crlf, strlen(crlf), &err);
	assert_non_null(reg);
	assert_int_equal(op25b_exempt_registry_count(reg), 1);
	op25b_exempt_registry_free(reg);

	assert_null(test_exempt_read_text(cut, strlen(cut), &err));
	assert_int_equal(err.line, 2);
	assert_string_equal(err.message,
			    "no end line ('# end: N exemptions', which the "
			    "first line promises): the file is cut short");
	assert_null(
		test_exempt_read_text(header_only, strlen(header_only), &err));
	assert_int_equal(err.line, 1);
	assert_null(test_exempt_read_text(edited, strlen(edited), &err));
	assert_int_equal(err.line, 5);
	assert_string_equal(err.message,
			    "the end line counts 2 exemptions, the file holds "
			    "3: cut short or edited (an edited file: correct "
			    "the count)");
	assert_null(test_exempt_read_text(after_end, strlen(after_end), &err));
	assert_int_equal(err.line, 5);
	assert_string_equal(err.message, "a line after the end line (line 3)");
	assert_null(test_exempt_read_text(counted_by_hand,
					  strlen(counted_by_hand), &err));
	assert_int_equal(err.line, 2);

	reg = test_exempt_read_text(uncounted, strlen(uncounted), &err);
	assert_non_null(reg);
	assert_int_equal(op25b_exempt_registry_count(reg), 1);
	op25b_exempt_registry_free(reg);
}

/* An end line with blanks after it is one; one misspelt is refused in a
 * file that promised it (read as a comment in one that did not). */
static void
test_end_line_forms(void **state)
{
	static const char blanks[] = HEADER "198.18.5.9 never " T " 0 0\n"
					    "# end: 1 exemptions \t\n";
	static const char misspelt[] = HEADER "198.18.5.9 never " T " 0 0\n"
					      "# end: 1 exemption\n";
	static const char hand[] = "198.18.5.9 never " T " 0 0\n"
				   "# end: of the business list\n";
	struct op25b_exempt_state_error err;
	struct op25b_exempt_registry *reg;

	(void)state;
	reg = test_exempt_read_text(blanks, strlen(blanks), &err);
	assert_non_null(reg);
	op25b_exempt_registry_free(reg);
	assert_null(test_exempt_read_text(misspelt, strlen(misspelt), &err));
	assert_int_equal(err.line, 3);
	assert_string_equal(err.message,
			    "a malformed end line: expected '# end: N "
			    "exemptions'");
	reg = test_exempt_read_text(hand, strlen(hand), &err);
	assert_non_null(reg);
	op25b_exempt_registry_free(reg);
}

/* The file @fd holds @text, and nothing else. */
static void
file_holds(int fd, const char *text)
{
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(pwrite(fd, text, strlen(text), 0),
			 (ssize_t)strlen(text));
}

/* restore() of @path gives @n exemptions and the fault @message at @line
 * (NULL, 0: none said). */
static void
assert_restored(const char *path, unsigned int n, unsigned int line,
		const char *message)
{
	struct op25b_exempt_state_error err;
	struct op25b_exempt_registry *reg =
		op25b_exempt_registry_restore(path, &err);

	assert_non_null(reg);
	assert_int_equal(op25b_exempt_registry_count(reg), n);
	assert_int_equal(err.line, line);
	if (message != NULL)
		assert_string_equal(err.message, message);
	op25b_exempt_registry_free(reg);
}

/* At start, a file whose lines are all good and whose count is not comes
 * back as it reads, the fault in the error; load() refuses it; a bad line
 * is refused by both. */
static void
test_restore_as_it_reads(void **state)
{
	static const char cut[] = HEADER "198.18.5.9 never " T " 0 0\n"
					 "198.18.5.10 never " T " 0 0\n";
	static const char bad[] = HEADER "198.18.5.9 never " T " 0 0\n"
					 "198.18.5.10 nevermore\n";
	static const char misspelt[] = HEADER "198.18.5.9 never " T " 0 0\n"
					      "# end: 1 exemption\n";
	char path[] = "/tmp/op25b-test-restore-XXXXXX";
	struct op25b_exempt_state_error err;
	struct op25b_exempt_registry *reg_empty;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	file_holds(fd, cut);
	assert_null(op25b_exempt_registry_load(path, &err));
	assert_int_equal(errno, EINVAL);
	assert_restored(path, 2, 3,
			"no end line ('# end: N exemptions', which the first "
			"line promises): the file is cut short");
	/* A whole file: no fault said. */
	file_holds(fd, HEADER "# end: 0 exemptions\n");
	assert_restored(path, 0, 0, NULL);
	/* A mistyped end line is a count fault like a missing one. */
	file_holds(fd, misspelt);
	assert_null(op25b_exempt_registry_load(path, &err));
	assert_restored(path, 1, 3,
			"a malformed end line: expected '# end: N "
			"exemptions'");
	file_holds(fd, bad);
	assert_null(op25b_exempt_registry_restore(path, &err));
	assert_int_equal(errno, EINVAL);
	assert_int_equal(err.line, 3);
	/* An empty file is no state op25b wrote: refused at start, while
	 * a file to import may be empty. */
	file_holds(fd, "");
	assert_null(op25b_exempt_registry_restore(path, &err));
	assert_int_equal(errno, EINVAL);
	assert_int_equal(err.line, 0);
	assert_string_equal(err.message,
			    "the file is empty: cut short or emptied (op25b "
			    "writes its first line and an end line even with "
			    "no exemptions)");
	reg_empty = op25b_exempt_registry_load(path, &err);
	assert_non_null(reg_empty);
	assert_int_equal(op25b_exempt_registry_count(reg_empty), 0);
	op25b_exempt_registry_free(reg_empty);
	close(fd);
	unlink(path);
}

static void
test_too_many(void **state)
{
	size_t size = 0, i;
	char *text = NULL;
	FILE *out = open_memstream(&text, &size);
	struct op25b_exempt_registry *reg;
	struct op25b_exempt_state_error err;

	(void)state;
	for (i = 0; i < OP25B_EXEMPT_MAX; i++)
		fprintf(out, "10.%zu.%zu.0/24 never " T " 0 0\n", i >> 8,
			i & 255);
	fflush(out);
	reg = test_exempt_read_text(text, size, &err);
	assert_non_null(reg);
	assert_int_equal(op25b_exempt_registry_count(reg), OP25B_EXEMPT_MAX);
	op25b_exempt_registry_free(reg);
	fprintf(out, "11.0.0.0/24 never " T " 0 0\n");
	fclose(out);
	assert_null(test_exempt_read_text(text, size, &err));
	assert_int_equal(err.line, OP25B_EXEMPT_MAX + 1);
	assert_string_equal(err.message, "more than 65536 exemptions");
	free(text);
}

/* ---- expiry ----------------------------------------------------------- */

/* Entries come back expired or not; the caller's expire pass drops the
 * ones due, at their exact millisecond. */
static void
test_expired_entries_are_returned(void **state)
{
	static const char text[] =
		"198.18.5.1 2026-12-31T23:59:59.000Z 2026-12-01T00:00:00Z 0 1\n"
		"198.18.5.2 2026-12-31T23:59:59.001Z 2026-12-01T00:00:00Z 0 1\n"
		"198.18.5.3 never 2026-12-01T00:00:00Z 0 0\n";
	struct op25b_exempt_registry *reg =
		test_exempt_read_text(text, strlen(text), NULL);
	const struct op25b_exempt_entry *e;

	(void)state;
	assert_non_null(reg);
	assert_int_equal(op25b_exempt_registry_count(reg), 3);
	assert_int_equal(op25b_exempt_registry_next_expiry(reg), T_2026_END);
	assert_int_equal(
		op25b_exempt_registry_expire(reg, T_2026_END, NULL, NULL), 1);
	e = op25b_exempt_registry_entries(reg);
	assert_int_equal(op25b_exempt_registry_count(reg), 2);
	assert_int_equal(e[0].expires, T_2026_END + 1);
	assert_int_equal(e[1].expires, 0);
	op25b_exempt_registry_free(reg);
}

/* ---- files ------------------------------------------------------------ */

static char tmpdir[256];

static int
setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/op25b-test-state.XXXXXX");
	return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static int
teardown_dir(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
test_save_and_load(void **state)
{
	struct op25b_exempt_registry *reg = op25b_exempt_registry_create(),
				     *back;
	struct op25b_exempt_state_error err;
	char path[300], tmp[310], *text;
	unsigned int diffs = 0;
	struct stat st;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/a.exemptions", tmpdir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);

	errno = 0;
	assert_null(op25b_exempt_registry_load(path, &err));
	assert_int_equal(errno, ENOENT);

	put_ok(reg, entry_of("198.18.5.9", 5, 9, 1, 2, "x"));
	/* A temporary file left by a crash is replaced. */
	f = fopen(tmp, "w");
	assert_non_null(f);
	fputs("half a fil", f);
	fclose(f);
	assert_int_equal(op25b_exempt_registry_save(reg, path), 0);
	assert_int_equal(access(tmp, F_OK), -1);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	back = op25b_exempt_registry_load(path, &err);
	assert_non_null(back);
	op25b_exempt_registry_diff(reg, back, test_exempt_count_diff, &diffs);
	assert_int_equal(diffs, 0);
	op25b_exempt_registry_free(back);

	/* Saved over: the new list, nothing else. */
	put_ok(reg, entry_of("198.18.5.10", 5, 0, 0, 2, "y"));
	assert_int_equal(op25b_exempt_registry_save(reg, path), 0);
	back = op25b_exempt_registry_load(path, NULL);
	assert_non_null(back);
	assert_int_equal(op25b_exempt_registry_count(back), 2);
	op25b_exempt_registry_free(back);
	text = test_exempt_written(reg);
	f = fopen(path, "r");
	{
		char buf[1024];
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);

		buf[n] = '\0';
		assert_string_equal(buf, text);
	}
	fclose(f);
	free(text);

	/* A directory that does not exist: an error, nothing created. */
	snprintf(path, sizeof(path), "%s/missing/a.exemptions", tmpdir);
	assert_int_equal(op25b_exempt_registry_save(reg, path), -ENOENT);
	op25b_exempt_registry_free(reg);
}

static void
test_load_refuses_other_files(void **state)
{
	struct op25b_exempt_state_error err;
	char path[300];

	(void)state;
	errno = 0;
	assert_null(op25b_exempt_registry_load(tmpdir, &err));
	assert_int_equal(errno, EINVAL);
	assert_int_equal(err.line, 0);
	assert_string_equal(err.message, "not a regular file");
	/* A FIFO with no writer: refused at once, not waited on. */
	snprintf(path, sizeof(path), "%s/fifo", tmpdir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_null(op25b_exempt_registry_load(path, &err));
	assert_int_equal(errno, EINVAL);
	assert_string_equal(err.message, "not a regular file");
	unlink(path);
}

/* ---- registry: put, merge, diff --------------------------------------- */

static void
test_put_keeps_every_field(void **state)
{
	struct op25b_exempt_registry *reg = op25b_exempt_registry_create();
	struct op25b_exempt_entry e =
		entry_of("198.18.5.9", 11, 22, 33, 44, "a\nb");
	const struct op25b_exempt_entry *got;
	bool replaced = true;

	(void)state;
	e.prefix.line = 7;
	assert_int_equal(op25b_exempt_registry_put(reg, &e, &replaced), 0);
	assert_false(replaced);
	got = op25b_exempt_registry_entries(reg);
	assert_int_equal(got->added, 11);
	assert_int_equal(got->expires, 22);
	assert_int_equal(got->ttl, 33);
	assert_int_equal(got->uid, 44);
	assert_string_equal(got->reason, "a?b");
	assert_int_equal(got->prefix.line, 0);
	e.uid = 45;
	assert_int_equal(op25b_exempt_registry_put(reg, &e, &replaced), 0);
	assert_true(replaced);
	assert_int_equal(op25b_exempt_registry_count(reg), 1);
	assert_int_equal(op25b_exempt_registry_entries(reg)->uid, 45);
	e.prefix.length = 16; /* host bits set */
	assert_int_equal(op25b_exempt_registry_put(reg, &e, NULL), -EINVAL);
	assert_int_equal(op25b_exempt_registry_put(NULL, &e, NULL), -EINVAL);
	assert_int_equal(op25b_exempt_registry_put(reg, NULL, NULL), -EINVAL);
	op25b_exempt_registry_free(reg);
}

struct diff_log {
	char lines[8][96];
	unsigned int n;
};

static void
log_diff(const struct op25b_exempt_entry *old,
	 const struct op25b_exempt_entry *new, void *arg)
{
	struct diff_log *log = arg;
	char text[64];

	op25b_prefix_format(old != NULL ? &old->prefix : &new->prefix, text,
			    sizeof(text));
	assert_true(log->n < 8);
	snprintf(log->lines[log->n++], sizeof(log->lines[0]), "%s %s", text,
		 old == NULL   ? "added"
		 : new == NULL ? "removed"
			       : "changed");
}

static void
test_merge_and_diff(void **state)
{
	struct op25b_exempt_registry *base = op25b_exempt_registry_create(),
				     *over = op25b_exempt_registry_create(),
				     *out;
	struct diff_log log = { .n = 0 };
	const struct op25b_exempt_entry *e;

	(void)state;
	put_ok(base, entry_of("198.18.5.1", 1, 0, 0, 1, "base only"));
	put_ok(base, entry_of("198.18.5.2", 1, 0, 0, 1, "both, base"));
	put_ok(base, entry_of("198.18.5.3", 1, 0, 0, 1, "same"));
	put_ok(over, entry_of("198.18.5.2", 2, 0, 0, 2, "both, over"));
	put_ok(over, entry_of("198.18.5.3", 1, 0, 0, 1, "same"));
	put_ok(over, entry_of("2001:db8::/32", 2, 0, 0, 2, "over only"));
	out = op25b_exempt_registry_merge(base, over);
	assert_non_null(out);
	assert_int_equal(op25b_exempt_registry_count(out), 4);
	e = op25b_exempt_registry_entries(out);
	assert_string_equal(e[0].reason, "base only");
	assert_string_equal(e[1].reason, "both, over");
	assert_string_equal(e[2].reason, "same");
	assert_string_equal(e[3].reason, "over only");
	op25b_exempt_registry_diff(base, out, log_diff, &log);
	assert_int_equal(log.n, 2);
	assert_string_equal(log.lines[0], "198.18.5.2/32 changed");
	assert_string_equal(log.lines[1], "2001:db8::/32 added");
	log.n = 0;
	op25b_exempt_registry_diff(out, over, log_diff, &log);
	assert_int_equal(log.n, 1);
	assert_string_equal(log.lines[0], "198.18.5.1/32 removed");
	log.n = 0;
	op25b_exempt_registry_diff(NULL, NULL, log_diff, &log);
	assert_int_equal(log.n, 0);
	errno = 0;
	assert_null(op25b_exempt_registry_merge(NULL, over));
	assert_int_equal(errno, EINVAL);
	op25b_exempt_registry_free(out);
	op25b_exempt_registry_free(over);
	op25b_exempt_registry_free(base);
}

static void
test_merge_bound(void **state)
{
	struct op25b_exempt_registry *a = op25b_exempt_registry_create(),
				     *b = op25b_exempt_registry_create(), *m;
	char prefix[32];
	unsigned int i;

	(void)state;
	for (i = 0; i < OP25B_EXEMPT_MAX; i++) {
		snprintf(prefix, sizeof(prefix), "10.%u.%u.0/24", i >> 8,
			 i & 255);
		put_ok(a, entry_of(prefix, 0, 0, 0, 0, ""));
	}
	/* The same prefixes: still 65536. */
	m = op25b_exempt_registry_merge(a, a);
	assert_non_null(m);
	assert_int_equal(op25b_exempt_registry_count(m), OP25B_EXEMPT_MAX);
	op25b_exempt_registry_free(m);
	put_ok(b, entry_of("11.0.0.0/24", 0, 0, 0, 0, ""));
	errno = 0;
	assert_null(op25b_exempt_registry_merge(a, b));
	assert_int_equal(errno, ENOSPC);
	op25b_exempt_registry_free(a);
	op25b_exempt_registry_free(b);
}

/* ---- exempt list's table (op25b's CLI and op25b-xdp print it) --------- */

static char *
printed(const struct op25b_exempt_registry *reg, uint64_t now, bool json)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	assert_non_null(out);
	assert_int_equal(op25b_exempt_registry_print(reg, now, json, out), 0);
	fclose(out);
	return text;
}

static void
test_print_table(void **state)
{
	/* Two days, three hours and half a second before the first one's
	 * end (2026-12-29T20:59:58.500Z). */
	const uint64_t now = T_2026_END - 183600000ull - 500;
	struct op25b_exempt_registry *reg = op25b_exempt_registry_create();
	char *text;

	(void)state;
	text = printed(reg, now, false);
	assert_string_equal(text, "no exemptions\n");
	free(text);
	text = printed(reg, now, true);
	assert_string_equal(text, "[]\n");
	free(text);
	put_ok(reg, entry_of("198.18.5.9", T_2026_END - 2592000000ull,
			     T_2026_END, 2592000, 0, "own MX"));
	put_ok(reg, entry_of("198.18.6.0/24", now - 1000, now + 5400000, 5400,
			     7, ""));
	/* 61.5 s: the seconds are rounded up, as the time is not up. */
	put_ok(reg,
	       entry_of("198.18.7.1", now - 1000, now + 61500, 62, 7, "x"));
	put_ok(reg, entry_of("198.18.8.1", now - 9000, now - 1, 8, 7, "gone"));
	put_ok(reg, entry_of("2001:db8:1000::/48", T_2026_END - 86400000, 0, 0,
			     1000, "say \"hi\""));
	text = printed(reg, now, false);
	assert_string_equal(
		text, "prefix                                       time left "
		      "granted (UTC)        uid    reason\n"
		      "198.18.5.9/32                                2d03h     "
		      "2026-12-01T23:59:59Z 0      own MX\n"
		      "198.18.6.0/24                                1h30m     "
		      "2026-12-29T20:59:57Z 7      \n"
		      "198.18.7.1/32                                1m02s     "
		      "2026-12-29T20:59:57Z 7      x\n"
		      "198.18.8.1/32                                0s        "
		      "2026-12-29T20:59:49Z 7      gone\n"
		      "2001:db8:1000::/48                           never     "
		      "2026-12-30T23:59:59Z 1000   say \"hi\"\n");
	free(text);
	text = printed(reg, now, true);
	assert_string_equal(
		text,
		"[{\"prefix\":\"198.18.5.9/32\",\"ttl\":2592000,"
		"\"seconds_left\":183601,\"granted\":\"2026-12-01T23:59:59Z\","
		"\"uid\":0,\"reason\":\"own MX\"},"
		"{\"prefix\":\"198.18.6.0/24\",\"ttl\":5400,\"seconds_left\":"
		"5400,\"granted\":\"2026-12-29T20:59:57Z\",\"uid\":7,"
		"\"reason\":\"\"},"
		"{\"prefix\":\"198.18.7.1/32\",\"ttl\":62,\"seconds_left\":62,"
		"\"granted\":\"2026-12-29T20:59:57Z\",\"uid\":7,\"reason\":"
		"\"x\"},"
		"{\"prefix\":\"198.18.8.1/32\",\"ttl\":8,\"seconds_left\":0,"
		"\"granted\":\"2026-12-29T20:59:49Z\",\"uid\":7,\"reason\":"
		"\"gone\"},"
		"{\"prefix\":\"2001:db8:1000::/48\",\"ttl\":0,\"seconds_left\":"
		"0,\"granted\":\"2026-12-30T23:59:59Z\",\"uid\":1000,"
		"\"reason\":\"say \\\"hi\\\"\"}]\n");
	free(text);
	op25b_exempt_registry_free(reg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_exact_text),
		cmocka_unit_test(test_write_empty),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_read_hand_written),
		cmocka_unit_test(test_read_expiry_before_grant),
		cmocka_unit_test(test_read_expiry_at_the_epoch),
		cmocka_unit_test(test_renewal_after_clock_step_back),
		cmocka_unit_test(test_reason_escapes),
		cmocka_unit_test(test_reason_length_bound),
		cmocka_unit_test(test_malformed_lines),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_bytes_that_are_no_text),
		cmocka_unit_test(test_cut_at_a_line_end),
		cmocka_unit_test(test_end_line_forms),
		cmocka_unit_test(test_restore_as_it_reads),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_expired_entries_are_returned),
		cmocka_unit_test_setup_teardown(test_save_and_load, setup_dir,
						teardown_dir),
		cmocka_unit_test_setup_teardown(test_load_refuses_other_files,
						setup_dir, teardown_dir),
		cmocka_unit_test(test_put_keeps_every_field),
		cmocka_unit_test(test_merge_and_diff),
		cmocka_unit_test(test_merge_bound),
		cmocka_unit_test(test_print_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
