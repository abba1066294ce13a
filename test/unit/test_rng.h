/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The tests' random numbers: xorshift64 (Marsaglia), the same sequence on
 * every run and machine, so that a failing random case fails again. A test
 * file defines TEST_RNG_SEED (non-zero) before including this.
 */
#ifndef OP25B_TEST_RNG_H
#define OP25B_TEST_RNG_H

#include <stdint.h>

static uint64_t rng_state = TEST_RNG_SEED;

static inline uint64_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

#endif /* OP25B_TEST_RNG_H */
