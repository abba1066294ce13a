/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * For targets linked with -Wl,--wrap=open64 -Wl,--wrap=open: every open()
 * the code under test makes goes through refuse_path(), which the target
 * defines before including this, so that a fuzzed file name can never
 * reach /dev/zero, a FIFO or the rest of the machine.
 */
#ifndef OP25B_FUZZ_OPEN_H
#define OP25B_FUZZ_OPEN_H

#include <errno.h>

static int refuse_path(const char *path);

int __real_open64(const char *path, int flags, ...);
int __wrap_open64(const char *path, int flags, ...);
int __real_open(const char *path, int flags, ...);
int __wrap_open(const char *path, int flags, ...);

/* The code under test only reads: a mode argument is never passed. */
int
__wrap_open64(const char *path, int flags, ...)
{
	if (refuse_path(path)) {
		errno = ENOENT;
		return -1;
	}
	return __real_open64(path, flags);
}

int
__wrap_open(const char *path, int flags, ...)
{
	if (refuse_path(path)) {
		errno = ENOENT;
		return -1;
	}
	return __real_open(path, flags);
}

#endif /* OP25B_FUZZ_OPEN_H */
