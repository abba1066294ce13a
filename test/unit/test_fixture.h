/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmocka fixtures for the tests that run on one object made afresh for
 * each (a table, a registry, a policy): the object in *state, freed after
 * the test however it ends, so that each test is its body.
 */
#ifndef OP25B_TEST_FIXTURE_H
#define OP25B_TEST_FIXTURE_H

/*
 * TEST_FIXTURE(name, make, release): name_setup() puts the result of the
 * expression @make in *state (NULL fails the test), name_teardown()
 * passes it to @release.
 */
#define TEST_FIXTURE(name, make, release)                                      \
	static int name##_setup(void **state)                                  \
	{                                                                      \
		*state = (make);                                               \
		return *state != NULL ? 0 : -1;                                \
	}                                                                      \
	static int name##_teardown(void **state)                               \
	{                                                                      \
		release(*state);                                               \
		return 0;                                                      \
	}

/* The test function @f run on fixture @name's object. */
#define FIXTURE_TEST(name, f)                                                  \
	cmocka_unit_test_setup_teardown(f, name##_setup, name##_teardown)

#endif /* OP25B_TEST_FIXTURE_H */
