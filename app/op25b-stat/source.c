/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Snapshots of one instance, whatever happened to it since the last one:
 * opened on first use, reopened when a new op25b replaced the segment, and
 * every failure told in one line for the operator.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include "stat_tool.h"

void
stat_owner_refused(const char *path, const char *what, char *why, size_t size)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		snprintf(why, size, "%s: %s", path, strerror(EPERM));
		return;
	}
	snprintf(why, size,
		 "%s belongs to uid %u, neither root nor you: not read as "
		 "an op25b's %s (any local user may put a file in "
		 "/dev/shm); for an op25b run as that user, say --owner %u",
		 path, (unsigned int)st.st_uid, what, (unsigned int)st.st_uid);
}

static void
describe(const struct stat_source *src, int err, uint64_t pid, char *why,
	 size_t size)
{
	switch (err) {
	case -ENOENT:
		snprintf(why, size,
			 "no op25b instance '%s' (%s): is op25b running with "
			 "--name %s?",
			 src->name, src->path, src->name);
		break;
	case -EPROTO:
		snprintf(why, size,
			 "%s is not an op25b counters segment of layout "
			 "version %d",
			 src->path, OP25B_STATS_LAYOUT_VERSION);
		break;
	case -EPERM:
		stat_owner_refused(src->path, "counters", why, size);
		break;
	case -EAGAIN:
		snprintf(why, size,
			 "the counters of '%s' kept changing layout; try again",
			 src->name);
		break;
	case -ESRCH:
		snprintf(why, size,
			 "op25b instance '%s' (pid %" PRIu64
			 ") is not running: %s holds its last counters",
			 src->name, pid, src->path);
		break;
	case -EINPROGRESS:
		snprintf(why, size,
			 "op25b instance '%s' is starting: no policy is in "
			 "force yet, its counters are not published (try "
			 "again in a moment)",
			 src->name);
		break;
	case -EOWNERDEAD:
		snprintf(why, size,
			 "op25b instance '%s' died while changing its "
			 "counters' layout (a reload or a switch): %s holds "
			 "no whole copy of them; remove it, or start op25b "
			 "again",
			 src->name, src->path);
		break;
	default:
		snprintf(why, size, "%s: %s", src->path, strerror(-err));
		break;
	}
}

static int
read_rounds(struct stat_source *src, struct op25b_stats_snapshot *snap)
{
	const struct timespec pause = { 0, 1000000 };
	unsigned int round;
	int ret = -EAGAIN;

	for (round = 0; round < STAT_READ_ROUNDS && ret == -EAGAIN; round++) {
		if (round > 0)
			nanosleep(&pause, NULL);
		ret = op25b_stats_reader_read(src->reader, snap,
					      STAT_READ_TRIES);
	}
	return ret;
}

int
stat_source_read(struct stat_source *src, struct op25b_stats_snapshot *snap,
		 char *why, size_t why_size)
{
	unsigned int attempt;
	int ret = 0;

	if (src->xdp)
		return stat_xdp_read(src, snap, why, why_size);
	if (src->path[0] == '\0' &&
	    op25b_stats_path(src->name, src->path, sizeof(src->path)) != 0) {
		snprintf(why, why_size, "bad instance name '%s'", src->name);
		return -EINVAL;
	}
	/* Twice at most: a segment we had open may have been replaced (or
	 * removed) since; then the name is opened afresh. */
	for (attempt = 0; attempt < 2; attempt++) {
		if (src->reader == NULL) {
			src->reader = op25b_stats_reader_open(src->name);
			if (src->reader == NULL) {
				ret = -errno;
				break;
			}
		}
		ret = read_rounds(src, snap);
		if (ret == 0)
			ret = op25b_stats_reader_check(src->reader);
		/* A layout change that never ends: its writer died in it
		 * (an odd epoch for good), not a busy one. */
		else if (ret == -EAGAIN &&
			 op25b_stats_reader_check(src->reader) == -ESRCH)
			ret = -EOWNERDEAD;
		if (ret != -EPROTO && ret != -ENOENT)
			break;
		stat_source_close(src);
	}
	/* The segment is made before the policy is compiled: until its
	 * first generation, its mode, block style and policy are the
	 * zeros of none (a scrape took "enforce" for a monitor-mode
	 * policy's), so nothing of it is shown. */
	if (ret == 0 && snap->header.policy_generation == 0)
		ret = -EINPROGRESS;
	/* A dead writer's uptime ends at its last sample (ports_updated,
	 * about once a second), not now: it is no longer up. */
	snap->stopped_ns = ret != -ESRCH ? 0
			   : snap->header.ports_updated_ns != 0
				   ? snap->header.ports_updated_ns
				   : snap->header.start_time_ns;
	if (ret != 0)
		describe(src, ret, ret == -ESRCH ? snap->header.pid : 0, why,
			 why_size);
	return ret;
}

void
stat_source_close(struct stat_source *src)
{
	op25b_stats_reader_close(src->reader);
	src->reader = NULL;
}
