/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The monotonic clock as seconds in a double, for the tools that time or
 * rate something by subtracting two readings (op25b-stat --watch,
 * bench_xdp). Not the wall clock: a step of the system time must not make
 * an interval negative.
 */
#ifndef OP25B_CLOCK_H
#define OP25B_CLOCK_H

#include <time.h>

static inline double
op25b_monotonic_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif /* OP25B_CLOCK_H */
