/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a fuzz target asserts: a broken promise aborts with the condition
 * and a message, so libFuzzer saves the input that broke it.
 */
#ifndef OP25B_FUZZ_CHECK_H
#define OP25B_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond, ...)                                                  \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s: check failed: %s: ", __FILE__,    \
				#cond);                                        \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
			abort();                                               \
		}                                                              \
	} while (0)

#endif /* OP25B_FUZZ_CHECK_H */
