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
#include <fcntl.h>
#include <stdarg.h>

static int refuse_path(const char *path);

int __real_open64(const char *path, int flags, ...);
int __wrap_open64(const char *path, int flags, ...);
int __real_open(const char *path, int flags, ...);
int __wrap_open(const char *path, int flags, ...);

/* The mode is passed on when there is one: the exemption state file is
 * created with O_CREAT. */
static unsigned int
fuzz_open_mode(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE
		       ? va_arg(ap, unsigned int)
		       : 0;
}

/* __wrap_NAME: a refused path fails as a missing file; any other goes to
 * __real_NAME with its mode. */
#define FUZZ_OPEN_WRAPPER(name)                                                \
	int __wrap_##name(const char *path, int flags, ...)                    \
	{                                                                      \
		unsigned int mode;                                             \
		va_list ap;                                                    \
                                                                               \
		va_start(ap, flags);                                           \
		mode = fuzz_open_mode(flags, ap);                              \
		va_end(ap);                                                    \
		if (refuse_path(path)) {                                       \
			errno = ENOENT;                                        \
			return -1;                                             \
		}                                                              \
		return __real_##name(path, flags, mode);                       \
	}

FUZZ_OPEN_WRAPPER(open64)
FUZZ_OPEN_WRAPPER(open)

#endif /* OP25B_FUZZ_OPEN_H */
