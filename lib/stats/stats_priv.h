/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/stats internals: the handles behind the public writer and reader.
 */
#ifndef OP25B_STATS_PRIV_H
#define OP25B_STATS_PRIV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "op25b_stats.h"

/* The folder shm_open() uses on Linux; we name files in it directly so
 * that a finished segment can be published under its name with link(). */
#define OP25B_STATS_SHM_DIR "/dev/shm/"
#define OP25B_STATS_FILE_PREFIX "op25b."
/* "/dev/shm/op25b." + a name of at most OP25B_STATS_NAME_MAX - 1 bytes. */
#define OP25B_STATS_FILE_MAX                                                   \
	(sizeof(OP25B_STATS_SHM_DIR OP25B_STATS_FILE_PREFIX) +                 \
	 OP25B_STATS_NAME_MAX)

#define OP25B_STATS_ALIGN 64

struct op25b_stats_writer {
	char path[OP25B_STATS_FILE_MAX];
	int fd; /* kept: op25b_stats_writer_reader() maps the file by it */
	void *base;
	size_t size;
	dev_t dev; /* of the file we published, to remove only that one */
	ino_t ino;
	struct op25b_stats_header *header;
	struct op25b_stats_names *names;
	char *workers;
};

struct op25b_stats_reader {
	char path[OP25B_STATS_FILE_MAX];
	int fd;
	const void *base;
	size_t size;
	dev_t dev;
	ino_t ino;
	unsigned int n_workers;
	const struct op25b_stats_header *header;
	const struct op25b_stats_names *names;
	const char *workers;
};

#endif /* OP25B_STATS_PRIV_H */
