/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "op25b_save.h"

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
	 * makes it 0600; readers of every user read it (op25b-stat). */
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, 0644) != 0 || (f = fdopen(fd, "w")) == NULL) {
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
