/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A policy compile (and a `set mode` derive) under every allocation
 * failure: the linker wraps the allocators the classifier's library calls
 * (meson.build: -Wl,--wrap), and the test makes the first, the second, ...
 * of them fail in turn. Each failed compile must say ENOMEM, give back
 * every byte of EAL memory it took, and free nothing twice (the sanitizer
 * build's ASan says so for the C library's memory); the compile that meets
 * no failure must decide as one that never met any.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <cmocka.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "test_eal.h"
#include "test_frames.h"

/* The allocation to fail (0: none), counted from arm(). */
static unsigned long fail_at, calls;

static void
arm(unsigned long n)
{
	calls = 0;
	fail_at = n;
}

/* Whether this allocation is the one to fail. */
static int
failing(void)
{
	return fail_at != 0 && ++calls == fail_at;
}

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void *__real_op25b_alloc_large(size_t size);
void *__real_rte_malloc_socket(const char *type, size_t size,
			       unsigned int align, int socket);
void *__real_rte_zmalloc_socket(const char *type, size_t size,
				unsigned int align, int socket);

void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
void *__wrap_op25b_alloc_large(size_t size);
void *__wrap_rte_malloc_socket(const char *type, size_t size,
			       unsigned int align, int socket);
void *__wrap_rte_zmalloc_socket(const char *type, size_t size,
				unsigned int align, int socket);

void *
__wrap_malloc(size_t size)
{
	return failing() ? NULL : __real_malloc(size);
}

void *
__wrap_calloc(size_t n, size_t size)
{
	return failing() ? NULL : __real_calloc(n, size);
}

void *
__wrap_realloc(void *p, size_t size)
{
	return failing() ? NULL : __real_realloc(p, size);
}

void *
__wrap_op25b_alloc_large(size_t size)
{
	return failing() ? NULL : __real_op25b_alloc_large(size);
}

void *
__wrap_rte_malloc_socket(const char *type, size_t size, unsigned int align,
			 int socket)
{
	return failing() ? NULL
			 : __real_rte_malloc_socket(type, size, align, socket);
}

void *
__wrap_rte_zmalloc_socket(const char *type, size_t size, unsigned int align,
			  int socket)
{
	return failing() ? NULL
			 : __real_rte_zmalloc_socket(type, size, align, socket);
}

/* Both families on both sides; /28s and /32s under a few /16s, so that
 * the IPv4 sources get wide /16s and second- and third-level groups, and
 * IPv6 prefixes deep enough for groups; an adaptive class (its limits are
 * allocated too). */
static const char policy_yaml[] =
	"version: 1\nblock: reset\ndefault: allow\n"
	"sources:\n"
	"  dynamic: {action: block, prefixes: [198.18.0.0/16, 198.18.1.16/28,"
	" 198.18.2.32/28, 198.18.77.5/32, 198.19.3.0/24, 198.19.3.128/25,"
	" 10.1.2.0/23, 10.2.0.0/16, 10.2.9.64/26, 2001:db8:1000::/36,"
	" 2001:db8:1000:5::/64, 2001:db8:1000:5:1::/80, 2001:db8:77::1/128]}\n"
	"  static: {action: allow, prefixes: [198.18.20.0/24, 198.18.20.7/32,"
	" 2001:db8:1000:20::/64]}\n"
	"  hosting:\n"
	"    action: adaptive\n"
	"    limit: {connections: 10, per: 60s, block_for: 1h}\n"
	"    prefixes: [198.19.0.0/17, 198.19.0.64/27, 2001:db8:2000::/48]\n"
	"destinations:\n"
	"  relays: {action: allow, prefixes: [192.0.2.25/32, 192.0.2.0/28,"
	" 2001:db8::25/128, 2001:db8::/120]}\n"
	"  mobile-mx: {prefixes: [198.51.100.0/24, 198.51.100.128/26,"
	" 2001:db8:51::/48]}\n";

/* The addresses the two classifiers are compared at: every prefix's
 * start and end and one past, whatever the family. */
static const char *const probes[] = {
	"198.18.0.0",
	"198.18.1.16",
	"198.18.1.31",
	"198.18.1.32",
	"198.18.2.33",
	"198.18.77.5",
	"198.18.77.6",
	"198.19.3.127",
	"198.19.3.128",
	"198.19.0.64",
	"198.19.0.96",
	"10.1.3.255",
	"10.1.4.0",
	"10.2.9.64",
	"10.2.9.128",
	"198.18.20.7",
	"198.18.20.8",
	"192.0.2.25",
	"192.0.2.15",
	"192.0.2.16",
	"198.51.100.130",
	"198.51.100.1",
	"203.0.113.1",
	"2001:db8:1000::1",
	"2001:db8:1000:5::1",
	"2001:db8:1000:5:1::9",
	"2001:db8:77::1",
	"2001:db8:77::2",
	"2001:db8:1000:20::5",
	"2001:db8:2000::7",
	"2001:db8::25",
	"2001:db8::ff",
	"2001:db8::100",
	"2001:db8:51::1",
	"2001:db9::1",
};

static size_t
eal_bytes_in_use(void)
{
	struct rte_malloc_socket_stats s;

	memset(&s, 0, sizeof(s));
	assert_int_equal(rte_malloc_get_socket_stats(0, &s), 0);
	return s.heap_allocsz_bytes;
}

/* Every probe against every probe (as source and destination, one family
 * at a time): @a and @b find the same class and group. */
static void
assert_same_lookups(const struct op25b_classifier *a,
		    const struct op25b_classifier *b)
{
	size_t i, j;

	for (i = 0; i < RTE_DIM(probes); i++) {
		for (j = 0; j < RTE_DIM(probes); j++) {
			uint8_t src[16], dst[16], ca, ga, cb, gb;
			int fs = strchr(probes[i], ':') ? AF_INET6 : AF_INET;
			int fd = strchr(probes[j], ':') ? AF_INET6 : AF_INET;

			if (fs != fd)
				continue;
			assert_int_equal(inet_pton(fs, probes[i], src), 1);
			assert_int_equal(inet_pton(fd, probes[j], dst), 1);
			assert_int_equal(op25b_classifier_lookup(a, fs, src,
								 dst, &ca, &ga),
					 0);
			assert_int_equal(op25b_classifier_lookup(b, fs, src,
								 dst, &cb, &gb),
					 0);
			assert_int_equal(ca, cb);
			assert_int_equal(ga, gb);
		}
	}
}

/* Compile (@base NULL) or derive from @base, failing each allocation in
 * turn; returns how many failed compiles there were. */
static unsigned long
fail_each_allocation(const struct op25b_policy *p,
		     const struct op25b_classifier *base,
		     const struct op25b_classifier *reference)
{
	unsigned long n;

	for (n = 1;; n++) {
		struct op25b_classifier_error err;
		struct op25b_classifier *c;
		size_t before = eal_bytes_in_use();

		memset(&err, 0, sizeof(err));
		arm(n);
		c = base == NULL
			    ? op25b_classifier_compile(p, SOCKET_ID_ANY, NULL,
						       NULL, &err)
			    : op25b_classifier_derive(base, p, SOCKET_ID_ANY,
						      NULL, NULL, &err);
		arm(0);
		if (c != NULL) {
			/* n - 1 allocations failed one at a time; this run
			 * met none. */
			assert_same_lookups(c, reference);
			op25b_classifier_free(c);
			assert_int_equal(eal_bytes_in_use(), before);
			return n - 1;
		}
		assert_int_equal(err.errnum, ENOMEM);
		assert_int_equal(rte_errno, ENOMEM);
		assert_true(err.where.message[0] != '\0');
		/* Nothing of the EAL's memory kept. */
		assert_int_equal(eal_bytes_in_use(), before);
		assert_true(n < 100000);
	}
}

static void
test_compile_every_failure(void **state)
{
	struct op25b_policy *p = test_policy_of(policy_yaml);
	struct op25b_classifier *reference;
	unsigned long failed;

	(void)state;
	reference =
		op25b_classifier_compile(p, SOCKET_ID_ANY, NULL, NULL, NULL);
	assert_non_null(reference);
	failed = fail_each_allocation(p, NULL, reference);
	/* The allocations of a compile: the classifier, its matrix, the
	 * adaptive limits, the prefixes gathered per side, the sorts and
	 * levels of four tables. */
	assert_true(failed >= 20);
	/* A derive (set mode) allocates the classifier and its matrix and
	 * shares the tables. */
	failed = fail_each_allocation(p, reference, reference);
	assert_true(failed >= 2);
	op25b_classifier_free(reference);
	op25b_policy_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compile_every_failure),
	};

	return cmocka_run_group_tests_name("compile_nomem", tests,
					   test_eal_group_setup,
					   test_eal_group_teardown);
}
