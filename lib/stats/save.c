/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "op25b_save.h"

/* The process's umask, read without changing it (umask(2) sets it: a
 * window another thread's files would be made in); 022 where Linux does
 * not say (before 4.7). */
static mode_t
current_umask(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[128];
	unsigned int mask = 022;

	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "Umask: %o", &mask) == 1)
			break;
	if (f != NULL)
		fclose(f);
	return (mode_t)mask;
}

int
op25b_save_file(const char *path, op25b_save_fn_t write_fn, const void *arg)
{
	char tmp[4096];
	FILE *f;
	int fd, err;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >=
	    sizeof(tmp))
		return -ENAMETOOLONG;
	/* A new file of a name no one could have made first: the list
	 * lives in /dev/shm, where anyone may create a name op25b (root)
	 * would then open, or follow were it a symbolic link. mkstemp()
	 * makes it 0600; it gets what fopen() would have given it, 0666
	 * under the umask (0644 by default: op25b-stat of any user reads
	 * the list; an operator's umask 077 keeps a report to root). */
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, 0666 & ~current_umask()) != 0 ||
	    (f = fdopen(fd, "w")) == NULL) {
		err = -errno;
		close(fd);
		unlink(tmp);
		return err;
	}
	err = write_fn(f, arg);
	if (fclose(f) != 0 && err == 0)
		err = -errno;
	if (err == 0 && rename(tmp, path) != 0)
		err = -errno;
	if (err != 0)
		unlink(tmp);
	return err;
}

void
op25b_save_file_remove(const char *path)
{
	char pattern[4096];
	glob_t g;
	size_t i;

	unlink(path);
	/* mkstemp()'s six characters; a path with glob characters of its
	 * own matches nothing of ours, which is left. */
	if ((size_t)snprintf(pattern, sizeof(pattern), "%s.??????", path) >=
		    sizeof(pattern) ||
	    glob(pattern, GLOB_NOSORT, NULL, &g) != 0)
		return;
	for (i = 0; i < g.gl_pathc; i++)
		unlink(g.gl_pathv[i]);
	globfree(&g);
}
