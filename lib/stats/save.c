/* SPDX-License-Identifier: BSD-3-Clause */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* The temporary name of @path: ".BASE.XXXXXX" in its directory. The dot
 * keeps it from every final name op25b saves (those start "op25b"), and
 * so from another instance's: "op25b-top.bras" and "op25b-top.bras.s01"
 * were both "PATH.XXXXXX" to each other's clean-up, which removed the
 * other's live list. @return the length of the name up to the X's, or
 * -ENAMETOOLONG. */
static int
temp_name(const char *path, char *tmp, size_t size, size_t *dir_len)
{
	const char *slash = strrchr(path, '/');
	size_t dir = slash != NULL ? (size_t)(slash - path) + 1 : 0;
	int n;

	n = snprintf(tmp, size, "%.*s.%s.XXXXXX", (int)dir, path, path + dir);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	*dir_len = dir;
	return n - 6;
}

/* The user op25b_shm_trust_owner() named; (uid_t)-1: none. */
static uid_t trusted_owner = (uid_t)-1;

bool
op25b_shm_owner_trusted(const struct stat *st)
{
	return st->st_uid == 0 || st->st_uid == geteuid() ||
	       st->st_uid == trusted_owner;
}

void
op25b_shm_trust_owner(uid_t uid)
{
	trusted_owner = uid;
}

int
op25b_save_file(const char *path, op25b_save_fn_t write_fn, const void *arg,
		mode_t mode)
{
	char tmp[4096];
	size_t dir;
	FILE *f;
	int fd, err;

	err = temp_name(path, tmp, sizeof(tmp), &dir);
	if (err < 0)
		return err;
	/* A new file of a name no one could have made first: the list
	 * lives in /dev/shm, where anyone may create a name op25b (root)
	 * would then open, or follow were it a symbolic link. mkstemp()
	 * makes it 0600; it gets @mode under the umask, as open() would
	 * have given it. */
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, mode & ~current_umask()) != 0 ||
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
	char tmp[4096], dir_path[4096];
	struct dirent *e;
	size_t dir, prefix;
	int n;
	DIR *d;

	unlink(path);
	n = temp_name(path, tmp, sizeof(tmp), &dir);
	if (n < 0)
		return;
	/* Names compared as they are, not as a glob pattern: an instance's
	 * name may hold '*' or '?'. A temporary name is the prefix and
	 * mkstemp()'s six characters, exactly. */
	prefix = (size_t)n - dir;
	/* A name without a directory is the working directory's ("%.*s"
	 * of "." with a precision of 0 would be ""). */
	snprintf(dir_path, sizeof(dir_path), "%.*s", dir != 0 ? (int)dir : 1,
		 dir != 0 ? path : ".");
	d = opendir(dir_path);
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strlen(e->d_name) != prefix + 6 ||
		    strncmp(e->d_name, tmp + dir, prefix) != 0)
			continue;
		memcpy(tmp + dir + prefix, e->d_name + prefix, 6);
		unlink(tmp);
	}
	closedir(d);
}
