/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One cmocka test per vector case, for the tests that run every case of
 * the vector files (test_vectors, test_xdp): each test is named
 * "file:case", so a failure names the case.
 */
#ifndef OP25B_TEST_VEC_H
#define OP25B_TEST_VEC_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "op25b_craft.h"

/* The state of one case's test: the set it belongs to (the test's own
 * struct) and the case. */
struct test_vec_case {
	void *set;
	const struct op25b_vector_case *c;
};

/* Room in *@tests for the tests of @n_cases cases and @n_more others,
 * and in *@cases for the states of the cases. Returns 0, or -1. */
static inline int
test_vec_alloc(unsigned int n_cases, unsigned int n_more,
	       struct CMUnitTest **tests, struct test_vec_case **cases)
{
	*tests = calloc(n_cases + n_more, sizeof(**tests));
	*cases = calloc(n_cases, sizeof(**cases));
	return *tests != NULL && *cases != NULL ? 0 : -1;
}

/* Adds a test @run for each case of @vf (the file @file of the set @set)
 * to @tests from *@n on, with its state in @cases[*@n]; *@n counts them. */
static inline void
test_vec_add_cases(struct CMUnitTest *tests, struct test_vec_case *cases,
		   unsigned int *n, void *set, const char *file,
		   const struct op25b_vector_file *vf, CMUnitTestFunction run)
{
	unsigned int j;

	for (j = 0; j < vf->n_cases; j++) {
		struct test_vec_case *vc = &cases[*n];
		char *name = malloc(256);

		vc->set = set;
		vc->c = &vf->cases[j];
		snprintf(name, 256, "%s:%s", file, vc->c->name);
		tests[*n].name = name;
		tests[*n].test_func = run;
		tests[*n].initial_state = vc;
		(*n)++;
	}
}

/* Frees the names of the @n tests of @tests, then @tests. */
static inline void
test_vec_free_tests(struct CMUnitTest *tests, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		free((void *)tests[i].name);
	free(tests);
}

#endif /* OP25B_TEST_VEC_H */
