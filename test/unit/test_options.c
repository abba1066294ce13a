/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * app/common's option tables: what op25b_options_next() stores by itself,
 * what it hands back to the caller, and its refusals (the tools' own
 * messages, checked end to end by tools.sh and stat.sh).
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "op25b_options.h"

#define DIM(a) (sizeof(a) / sizeof((a)[0]))

enum {
	OPT_OWN = OP25B_OPTION_LONG_ONLY
};

struct args {
	const char *out;
	const char *name;
	bool quiet;
	int json;
	uint16_t burst;
	uint32_t ring;
	uint64_t big;
};

static const struct op25b_option opts[] = {
	OP25B_OPTION_STR("out", 'o', "FILE", "write here", struct args, out),
	OP25B_OPTION_STR("output", 0, "FILE", NULL, struct args, out),
	OP25B_OPTION_FLAG("quiet", 'q', "say less", struct args, quiet),
	OP25B_OPTION_FLAG("json", 0, "JSON", struct args, json),
	OP25B_OPTION_UINT("burst", 0, "N", "burst", struct args, burst, 1, 64,
			  NULL),
	OP25B_OPTION_UINT("ring", 'r', "N", "ring", struct args, ring, 0,
			  UINT32_MAX, " slots"),
	OP25B_OPTION_UINT("big", 0, "N", "big", struct args, big, 1, ULONG_MAX,
			  NULL),
	OP25B_OPTION_NAME("instance", struct args, name, 8),
	OP25B_OPTION("own", OPT_OWN, "X", "the caller's"),
	OP25B_OPTION("help", 'h', NULL, "this text"),
};

/* Parse @p argv (NULL-terminated, argv[0] included) into @p a; returns
 * what the last op25b_options_next() call did, with the caller's
 * options' values in @p seen (up to 4). */
static int
parse(char **argv, struct args *a, int *seen)
{
	struct op25b_getopt g;
	int argc = 0, opt, n = 0;

	while (argv[argc] != NULL)
		argc++;
	op25b_options_getopt(&g, opts, DIM(opts), NULL, NULL);
	optind = 1;
	opterr = 0;
	memset(a, 0, sizeof(*a));
	while ((opt = op25b_options_next(&g, "t", argc, argv, a)) > 0 && n < 4)
		seen[n++] = opt;
	return opt;
}

static void
test_stores(void **state)
{
	char *argv[] = { "t",
			 "-o",
			 "x.pcap",
			 "--quiet",
			 "--json",
			 "--burst",
			 "64",
			 "-r",
			 "4294967295",
			 "--big",
			 "18446744073709551615",
			 "--name",
			 "abc",
			 NULL };
	int seen[4] = { 0 };
	struct args a;

	(void)state;
	assert_int_equal(parse(argv, &a, seen), 0);
	assert_string_equal(a.out, "x.pcap");
	assert_true(a.quiet);
	assert_int_equal(a.json, 1);
	assert_int_equal(a.burst, 64);
	assert_int_equal(a.ring, UINT32_MAX);
	assert_true(a.big == UINT64_MAX);
	assert_string_equal(a.name, "abc");
	assert_int_equal(seen[0], 0);
}

/* An alias stores into the same field; the caller's options come back,
 * in order, with the stored ones between them done. */
static void
test_caller_and_alias(void **state)
{
	char *argv[] = { "t",  "--own", "1", "--output", "y",
			 "-h", "--own", "2", "-q",	 NULL };
	int seen[4] = { 0 };
	struct args a;

	(void)state;
	assert_int_equal(parse(argv, &a, seen), 0);
	assert_int_equal(seen[0], OPT_OWN);
	assert_int_equal(seen[1], 'h');
	assert_int_equal(seen[2], OPT_OWN);
	assert_string_equal(a.out, "y");
	assert_true(a.quiet);
}

static void
test_refusals(void **state)
{
	char *range[] = { "t", "--burst", "65", NULL };
	char *zero[] = { "t", "--burst", "0", NULL };
	char *sign[] = { "t", "--burst", "-1", NULL };
	char *junk[] = { "t", "-r", "5x", NULL };
	char *slash[] = { "t", "--name", "a/b", NULL };
	char *longname[] = { "t", "--name", "12345678", NULL };
	char *unknown[] = { "t", "--nope", NULL };
	char *missing[] = { "t", "--out", NULL };
	int seen[4] = { 0 };
	struct args a;

	(void)state;
	assert_int_equal(parse(range, &a, seen), -EINVAL);
	assert_int_equal(a.burst, 0); /* a refusal stores nothing */
	assert_int_equal(parse(zero, &a, seen), -EINVAL);
	assert_int_equal(parse(sign, &a, seen), -EINVAL);
	assert_int_equal(parse(junk, &a, seen), -EINVAL);
	assert_int_equal(parse(slash, &a, seen), -EINVAL);
	assert_null(a.name);
	assert_int_equal(parse(longname, &a, seen), -EINVAL);
	/* getopt's own refusals are the caller's to word. */
	assert_int_equal(parse(unknown, &a, seen), 0);
	assert_int_equal(seen[0], '?');
	assert_int_equal(parse(missing, &a, seen), 0);
	assert_int_equal(seen[0], '?');
}

/* Every option met is given, stored or handed back; the others are not
 * (op25b-gen's required options). */
static void
test_given(void **state)
{
	char *argv[] = { "t", "-q", "--own", "1", "-r", "5", NULL };
	struct op25b_getopt g;
	struct args a;

	(void)state;
	op25b_options_getopt(&g, opts, DIM(opts), NULL, NULL);
	optind = 1;
	opterr = 0;
	memset(&a, 0, sizeof(a));
	assert_int_equal(op25b_options_next(&g, "t", 6, argv, &a), OPT_OWN);
	assert_true(op25b_options_given(&g, 'q'));
	assert_true(op25b_options_given(&g, OPT_OWN));
	assert_false(op25b_options_given(&g, 'r'));
	assert_int_equal(op25b_options_next(&g, "t", 6, argv, &a), 0);
	assert_true(op25b_options_given(&g, 'r'));
	assert_false(op25b_options_given(&g, 'o'));
	assert_false(op25b_options_given(&g, 'h'));
}

/* Long-only entries declared with 0 get values of their own, above the
 * callers' enums, and the letters go to the short-option string once. */
static void
test_getopt_arrays(void **state)
{
	struct op25b_getopt g;
	size_t i;

	(void)state;
	op25b_options_getopt(&g, opts, DIM(opts), NULL, "+");
	assert_string_equal(g.shortopts, "+o:qr:h");
	for (i = 0; i < DIM(opts); i++) {
		assert_string_equal(g.longopts[i].name, opts[i].name);
		if (opts[i].val == 0)
			assert_int_equal(g.longopts[i].val,
					 OP25B_OPTION_AUTO + (int)i);
		else
			assert_int_equal(g.longopts[i].val, opts[i].val);
	}
	assert_null(g.longopts[DIM(opts)].name);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stores),
		cmocka_unit_test(test_caller_and_alias),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_getopt_arrays),
		cmocka_unit_test(test_given),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
