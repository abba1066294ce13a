/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Saving a file whole, for the reports and lists other programs read while
 * op25b runs.
 */
#ifndef OP25B_SAVE_H
#define OP25B_SAVE_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

/** Writes the content to @p f; returns 0 or -errno. */
typedef int (*op25b_save_fn_t)(FILE *f, const void *arg);

/**
 * Write @p path by @p write_fn under a new file ".BASE.XXXXXX" beside it
 * (mkstemp(3): never a name another user made first, nor a link; the dot
 * keeps it apart from every file op25b saves, another instance's too)
 * and rename that over @p path, mode @p mode under the umask as open(2)
 * would make it, so that a reader sees the old content or the new, never
 * half of it. On error the temporary file is removed and @p path is as
 * it was.
 * @return 0; -ENAMETOOLONG; -errno from mkstemp(3), fchmod(2), fclose(3),
 *   rename(2); or what @p write_fn returned.
 */
int op25b_save_file(const char *path, op25b_save_fn_t write_fn, const void *arg,
		    mode_t mode);

/**
 * Remove @p path and the temporary files op25b_save_file() may have left
 * beside it (a process killed between writing and renaming one), for a
 * file only this process writes (the top list of an instance, whose name
 * no other op25b holds). Another file's, another instance's among them,
 * are left.
 */
void op25b_save_file_remove(const char *path);

/**
 * Whether a file op25b reads from /dev/shm (@p st, its fstat(2)) may be
 * one an op25b wrote: owned by root, by this process's effective user,
 * or by the user op25b_shm_trust_owner() named. /dev/shm is every local
 * user's: any of them may put a file at an instance's name before op25b
 * starts (counters made up, a writer's lock held so that op25b would
 * not start under its name).
 */
bool op25b_shm_owner_trusted(const struct stat *st);

/** Trust the files of user @p uid too (op25b-stat --owner: an op25b run
 * as that user). */
void op25b_shm_trust_owner(uid_t uid);

#endif /* OP25B_SAVE_H */
