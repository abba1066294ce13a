/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Files: reading a whole file (the policy, a prefixes_file) with a bound,
 * and a prefixes_file's name resolved and kept for the policy's lifetime.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy_priv.h"

const char *
op25b_policy_read_strerror(int err)
{
	return err == -EINVAL ? "not a regular file" : strerror(-err);
}

/* The read buffer's next capacity: doubled, never past the limit and the
 * two bytes (a byte past the limit is all it takes to refuse). */
static size_t
grown_capacity(size_t capacity)
{
	const size_t most = (size_t)OP25B_POLICY_FILE_MAX + 2;

	return capacity < most / 2 ? capacity * 2 : most;
}

/* Read a whole file; @return 0, or -errno (EISDIR for a directory, EINVAL
 * for a FIFO, a device or a socket, EFBIG past OP25B_POLICY_FILE_MAX).
 * Regular files only: the appliance reads a policy on its control loop
 * (SIGHUP, the CLI), and a FIFO would hold that loop up until a writer
 * came and went (its reads restarted after a signal: SIGTERM too); what
 * `check` reads is what the appliance would. Judged before it is opened
 * for reading: opening a device is its driver's open (/dev/watchdog, given
 * as a prefixes_file to a check run as root, armed the watchdog; a
 * terminal could become op25b's), and a FIFO's waits for a writer. An
 * O_PATH descriptor names the file without opening it; the regular file
 * it names is then opened through /proc/self/fd, the same inode, so that
 * nothing swapped in between is opened (where /proc is mounted). */
int
op25b_policy_read_file(const char *path, char **text, size_t *len)
{
	size_t size = 0, capacity;
	char via[64];
	struct stat st;
	char *buf = NULL;
	int fd, err, named;

	named = open(path, O_PATH | O_CLOEXEC);
	if (named < 0)
		return -errno;
	if (fstat(named, &st) < 0) {
		err = -errno;
		close(named);
		return err;
	}
	if (!S_ISREG(st.st_mode)) {
		close(named);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	snprintf(via, sizeof(via), "/proc/self/fd/%d", named);
	fd = open(via, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	/* No /proc (a chroot): the path itself, judged regular above; a
	 * file swapped in between is opened there, then refused below. */
	if (fd < 0 && errno == ENOENT)
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	err = fd < 0 ? -errno : 0;
	close(named);
	if (fd < 0)
		return err;
	if (fstat(fd, &st) < 0) {
		err = -errno;
		goto close_fd;
	}
	if (!S_ISREG(st.st_mode)) {
		err = -EINVAL;
		goto close_fd;
	}
	/* Refused before a byte is allocated: a reload must not take
	 * gigabytes of the control lcore's memory to say so. */
	if (st.st_size > OP25B_POLICY_FILE_MAX) {
		err = -EFBIG;
		goto close_fd;
	}
	/* st_size is a hint: a /proc file says 0 and still has data, a file
	 * may grow while it is read. Room for the NUL and one byte more, so
	 * that the read that meets the end of an unchanged file asks for a
	 * byte: with the buffer full, it would double it and copy the whole
	 * file first. */
	capacity = st.st_size > 0 ? (size_t)st.st_size + 2 : 65536;
	for (;;) {
		ssize_t got;

		if (size + 1 >= capacity || buf == NULL) {
			char *grown;

			if (buf != NULL)
				capacity = grown_capacity(capacity);
			grown = buf != NULL ? realloc(buf, capacity)
					    : op25b_alloc_large(capacity);
			if (grown == NULL) {
				err = -ENOMEM;
				goto free_buf;
			}
			buf = grown;
		}
		got = read(fd, buf + size, capacity - size - 1);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			goto free_buf;
		}
		if (got == 0)
			break;
		size += (size_t)got;
		if (size > OP25B_POLICY_FILE_MAX) {
			err = -EFBIG;
			goto free_buf;
		}
	}
	buf[size] = '\0';
	close(fd);
	*text = buf;
	*len = size;
	return 0;

free_buf:
	free(buf);
close_fd:
	close(fd);
	return err;
}

/* Keep @p path for the policy's lifetime: its prefixes point at it. */
static int
own_file_name(struct loader *ld, char *path)
{
	struct op25b_policy_owned *owned = ld->owned;
	char **grown;

	grown = realloc(owned->files, (owned->n_files + 1) * sizeof(*grown));
	if (grown == NULL)
		return -ENOMEM;
	owned->files = grown;
	owned->files[owned->n_files++] = path;
	return 0;
}

/* The earlier read of the file at @p st on the same side, if any. */
static const struct prefixes_file_read *
read_before(const struct loader *ld, const struct stat *st, bool destinations)
{
	unsigned int i;

	for (i = 0; i < ld->n_files_read; i++) {
		const struct prefixes_file_read *r = &ld->files_read[i];

		if (r->dev == st->st_dev && r->ino == st->st_ino &&
		    r->destinations == destinations)
			return r;
	}
	return NULL;
}

int
op25b_loader_read_prefixes_file(struct loader *ld, yaml_node_t *value,
				struct op25b_prefix_list *list,
				size_t *capacity, const char *owner,
				bool destinations)
{
	const struct prefixes_file_read *before = NULL;
	const char *kind = destinations ? "group" : "class";
	size_t len, count = list->count;
	char *path, *shown, *at, *text;
	struct stat st;
	bool known;
	int rc;

	if (op25b_loader_expect(ld, value, YAML_SCALAR_NODE, "prefixes_file") <
	    0)
		return -1;
	if (value->data.scalar.length == 0 ||
	    strlen(op25b_node_text(value)) != value->data.scalar.length)
		return op25b_loader_fail(ld, value,
					 "prefixes_file: expected a file name");
	if (op25b_node_text(value)[0] == '/' || ld->base_dir == NULL)
		path = strdup(op25b_node_text(value));
	else if (asprintf(&path, "%s%s%s", ld->base_dir,
			  ld->base_dir[strlen(ld->base_dir) - 1] == '/' ? ""
									: "/",
			  op25b_node_text(value)) < 0)
		path = NULL;
	if (path == NULL)
		return op25b_loader_fail_nomem(ld);
	/* A file named again on the same side is not read again: its
	 * prefixes, already in another class (group), could only be
	 * duplicates, and read once for each of 255 classes a large file
	 * took the memory of 255 copies before that was said. Empty, it
	 * adds nothing either time. (A class and a group may share one:
	 * the sides' tables are apart.) */
	known = stat(path, &st) == 0;
	if (known)
		before = read_before(ld, &st, destinations);
	if (before != NULL) {
		free(path);
		if (before->n_prefixes == 0)
			return 0;
		return op25b_loader_fail(
			ld, value,
			"prefixes_file %s is already the list of %s '%s' "
			"(line %zu): a prefix may be in one %s only",
			op25b_node_show(value).s, kind, before->owner,
			before->line, kind);
	}
	/* The name messages give (its errors' FILE:LINE:COLUMN, where a
	 * prefix came from): a control byte in it as '?', so that a
	 * newline cannot forge a line of the log, nor an escape sequence
	 * reach the operator's terminal. The file opened is the path. */
	shown = strdup(path);
	if (shown == NULL || own_file_name(ld, shown) < 0) {
		free(shown);
		free(path);
		return op25b_loader_fail_nomem(ld);
	}
	for (at = shown; *at != '\0'; at++)
		if ((unsigned char)*at < ' ' || *at == 0x7f)
			*at = '?';
	rc = op25b_policy_read_file(path, &text, &len);
	free(path);
	if (rc < 0)
		return op25b_loader_fail_errno(
			ld, value, -rc, "cannot read prefixes_file %s: %s",
			shown, op25b_policy_read_strerror(rc));
	rc = op25b_prefix_file_parse(shown, text, len, list, capacity,
				     ld->error);
	free(text);
	if (rc == -ENOMEM)
		return op25b_loader_fail_nomem(ld);
	if (rc < 0) {
		ld->err = -rc;
		return -1;
	}
	/* One prefixes_file key a class or group: the array holds them
	 * all. */
	if (known && ld->n_files_read < ARRAY_SIZE(ld->files_read))
		ld->files_read[ld->n_files_read++] =
			(struct prefixes_file_read){
				.dev = st.st_dev,
				.ino = st.st_ino,
				.destinations = destinations,
				.owner = owner,
				.line = value->start_mark.line + 1,
				.n_prefixes = list->count - count,
			};
	return 0;
}

int
op25b_prefix_list_load(const char *path, struct op25b_prefix_list *list,
		       struct op25b_policy_error *error)
{
	struct op25b_policy_error scratch;
	size_t capacity = 0, len;
	char *text;
	int rc;

	if (error == NULL)
		error = &scratch;
	*list = (struct op25b_prefix_list){ .prefixes = NULL };
	rc = op25b_policy_read_file(path, &text, &len);
	if (rc < 0) {
		op25b_policy_error_set(error, path, 0, 0, "%s",
				       op25b_policy_read_strerror(rc));
		return rc;
	}
	rc = op25b_prefix_file_parse(path, text, len, list, &capacity, error);
	free(text);
	if (rc < 0) {
		if (rc == -ENOMEM)
			op25b_policy_error_set(error, path, 0, 0, "%s",
					       strerror(ENOMEM));
		op25b_prefix_list_free(list);
	}
	return rc;
}

void
op25b_prefix_list_free(struct op25b_prefix_list *list)
{
	if (list != NULL) {
		free(list->prefixes);
		*list = (struct op25b_prefix_list){ .prefixes = NULL };
	}
}
