/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Counters in shared memory: the writer (the appliance creates the segment
 * and its workers count into it), the reader (a consistent snapshot that
 * never blocks the writer), and the counter names made from
 * OP25B_OUTCOME_LIST.
 *
 * Concurrency, in short: counters are aligned 64-bit words that only grow,
 * each written by one worker, so any load of one is a value it really had.
 * The layout (names, slots in use, policy generation), and the drivers'
 * port figures with their time, change only between
 * op25b_stats_writer_layout_begin() and op25b_stats_writer_layout_end(), which make the
 * epoch odd then even again; a reader keeps a copy only if the epoch was
 * even before and unchanged after it (a sequence lock whose readers never
 * write).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "op25b_save.h"
#include "stats_priv.h"

#define NO_NAME "(none)"

/* How often create() replaces a stale segment before giving up: only a
 * process that keeps recreating the name under us makes it loop. */
#define CREATE_ATTEMPTS 4

_Static_assert(OP25B_OUTCOME_RESET - OP25B_OUTCOME_FORWARDED + 1 ==
		       OP25B_VERDICT_MAX,
	       "the verdict outcomes are the last four, in verdict order");
_Static_assert(sizeof(struct op25b_stats_header) % OP25B_STATS_ALIGN == 0,
	       "header fills whole cache lines");
_Static_assert(sizeof(struct op25b_stats_names) % OP25B_STATS_ALIGN == 0,
	       "names fill whole cache lines");
_Static_assert(sizeof(struct op25b_stats_worker) % OP25B_STATS_ALIGN == 0,
	       "a worker's block never shares a cache line with another's");
/* Names are copied as whole 64-bit words. */
_Static_assert(OP25B_STATS_NAME_MAX % 8 == 0, "whole words per name");
_Static_assert(offsetof(struct op25b_stats_names, class_name) % 8 == 0,
	       "class names start on a word");
_Static_assert(offsetof(struct op25b_stats_names, group_name) % 8 == 0,
	       "group names start on a word");
_Static_assert(sizeof(struct op25b_stats_counters) % 8 == 0 &&
		       offsetof(struct op25b_stats_worker, port) % 8 == 0,
	       "counters are summed as 64-bit words");
_Static_assert(OP25B_STATS_SLOTS - 1 >= 255,
	       "a uint8_t classifier slot always has a counter row");

/* ------------------------------------------------------------------ */
/* Names                                                               */

/*
 * The name and help functions of a counter list X(ENUM, name, help), the
 * same for every list: its tables in list order, which is the enum's (the
 * enum is made from the list), and "unknown" out of range.
 */
#define LIST_ENTRY_NAME(e, n, h) #n,
#define LIST_ENTRY_HELP(e, n, h) h,
/* clang-format off */
#define DEFINE_LIST_TEXT(LIST, MAX, name_fn, help_fn)                          \
	static const char *const name_fn##_table[MAX] = {                      \
		LIST(LIST_ENTRY_NAME)                                          \
	};                                                                     \
	static const char *const help_fn##_table[MAX] = {                      \
		LIST(LIST_ENTRY_HELP)                                          \
	};                                                                     \
	const char *                                                           \
	name_fn(unsigned int i)                                                \
	{                                                                      \
		return i < (MAX) ? name_fn##_table[i] : "unknown";             \
	}                                                                      \
	const char *                                                           \
	help_fn(unsigned int i)                                                \
	{                                                                      \
		return i < (MAX) ? help_fn##_table[i] : "unknown";             \
	}
/* clang-format on */

DEFINE_LIST_TEXT(OP25B_OUTCOME_LIST, OP25B_OUTCOME_MAX, op25b_outcome_name,
		 op25b_outcome_help)
DEFINE_LIST_TEXT(OP25B_FRAME_LIST, OP25B_FRAME_MAX, op25b_frame_counter_name,
		 op25b_frame_counter_help)
DEFINE_LIST_TEXT(OP25B_NOTIFY_LIST, OP25B_NOTIFY_MAX, op25b_notify_counter_name,
		 op25b_notify_counter_help)
DEFINE_LIST_TEXT(OP25B_CLASS_ADAPTIVE_LIST, OP25B_CLASS_ADAPTIVE_MAX,
		 op25b_class_adaptive_name, op25b_class_adaptive_help)

/* A verdict is named after its outcome, so the two cannot drift apart. */
const char *
op25b_verdict_name(unsigned int verdict)
{
	return verdict < OP25B_VERDICT_MAX
		       ? op25b_outcome_name(OP25B_OUTCOME_FORWARDED + verdict)
		       : "unknown";
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

/* Copy @p size bytes (a multiple of 8) as 64-bit words between memory
 * another thread or process reads or writes and a private copy: each word
 * is loaded and stored once and whole, never torn, and never re-read by
 * the compiler. The private side is words too (a uint64_t buffer, or a
 * snapshot from op25b_stats_snapshot_alloc(), which has no declared
 * type), and a relaxed access to it costs what a plain one does, so the
 * writer and the reader share this one copy. */
static void
copy_words(void *dst, const void *src, size_t size)
{
	const uint64_t *s = src;
	uint64_t *d = dst;
	size_t i;

	for (i = 0; i < size / 8; i++)
		__atomic_store_n(&d[i],
				 __atomic_load_n(&s[i], __ATOMIC_RELAXED),
				 __ATOMIC_RELAXED);
}

static void
add_words(uint64_t *dst, const uint64_t *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] += __atomic_load_n(&src[i], __ATOMIC_RELAXED);
}

static size_t
align_up(size_t v)
{
	return (v + OP25B_STATS_ALIGN - 1) & ~(size_t)(OP25B_STATS_ALIGN - 1);
}

struct layout {
	size_t names_offset;
	size_t workers_offset;
	size_t total_size;
};

static void
layout_of(unsigned int n_workers, struct layout *l)
{
	l->names_offset = align_up(sizeof(struct op25b_stats_header));
	l->workers_offset = l->names_offset +
			    align_up(sizeof(struct op25b_stats_names));
	l->total_size = l->workers_offset +
			(size_t)n_workers * sizeof(struct op25b_stats_worker);
}

static int
check_instance(const char *instance)
{
	size_t len;

	if (instance == NULL)
		return -EINVAL;
	len = strnlen(instance, OP25B_STATS_NAME_MAX);
	if (len == 0 || len >= OP25B_STATS_NAME_MAX ||
	    strchr(instance, '/') != NULL)
		return -EINVAL;
	return 0;
}

/* "/dev/shm/" @kind @instance, @instance checked. */
static int
shm_path(const char *kind, const char *instance, char *buf, size_t size)
{
	int n, ret;

	ret = check_instance(instance);
	if (ret != 0)
		return ret;
	if (buf == NULL)
		return -EINVAL;
	n = snprintf(buf, size, "%s%s%s", OP25B_STATS_SHM_DIR, kind, instance);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

int
op25b_stats_path(const char *instance, char *buf, size_t size)
{
	return shm_path(OP25B_STATS_FILE_PREFIX, instance, buf, size);
}

int
op25b_stats_top_path(const char *instance, char *buf, size_t size)
{
	return shm_path("op25b-top.", instance, buf, size);
}

/* A process that exists, whoever owns it (EPERM: it does exist). Only
 * meaningful within one PID namespace, like the pid in the header. */
static bool
pid_alive(uint64_t pid)
{
	if (pid == 0 || pid > INT_MAX)
		return false;
	if (kill((pid_t)pid, 0) == 0)
		return true;
	return errno == EPERM;
}

/* Whether the writer of the segment open at @fd (another open file
 * description than the writer's own) holds its lock: 1 yes, 0 no, -1
 * cannot tell (flock failed otherwise). A shared lock taken to test is
 * given back at once. */
static int
writer_locked(int fd)
{
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		flock(fd, LOCK_UN);
		return 0;
	}
	return errno == EWOULDBLOCK ? 1 : -1;
}

/* Whether the writer of a segment of layout @version, open at @fd, lives:
 * its lock from OP25B_STATS_LOCKED_SINCE (its pid alone took a reused
 * pid, or a zombie's, for a live writer), its @pid before it or where
 * flock() cannot tell. The one rule of segment_owned() and
 * op25b_stats_reader_check(). */
static bool
writer_lives(int fd, uint32_t version, uint64_t pid)
{
	int locked = version >= OP25B_STATS_LOCKED_SINCE ? writer_locked(fd)
							 : -1;

	return locked >= 0 ? locked == 1 : pid_alive(pid);
}

/* ------------------------------------------------------------------ */
/* Writer                                                              */

/* Whether the segment at @p path belongs to a live process other than us:
 * 1, or -EPERM when that file is another user's (not root's, not ours:
 * op25b_shm_owner_trusted()), 0 when it is stale. A segment of any layout
 * version since 4 names its writer at the same offset (op25b_stats.h): an
 * op25b of another build under the same name is alive too, and its name
 * is not ours to take (writer_lives(): a pid alone made op25b refuse to
 * start under its own name after a crash). (Versions 1-3, of the first
 * days, had the TSC's rate there: never a live pid, so stale.) Anything
 * else (garbage, a file too short) names no owner we could ask: stale.
 * Another user's file whose writer lives is said as such, not taken as
 * an op25b's (/dev/shm is every local user's: a file planted there, its
 * lock held, said "another op25b runs under that name"), nor taken over
 * (it may be an op25b that user runs under the same name). */
static int
segment_owned(const char *path)
{
	/* The words every layout since 4 keeps in place: magic, version,
	 * pid. */
	enum {
		PID = offsetof(struct op25b_stats_header, pid) / 8
	};
	uint64_t head[PID + 1];
	uint32_t version;
	int owned = 0;
	struct stat st;
	int fd;

	/* O_NONBLOCK: a FIFO planted at the name (/dev/shm is any local
	 * user's) held op25b's start in open() until a writer came. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    pread(fd, head, sizeof(head), 0) == (ssize_t)sizeof(head) &&
	    head[0] == OP25B_STATS_MAGIC && head[PID] != (uint64_t)getpid()) {
		memcpy(&version,
		       (const char *)head + offsetof(struct op25b_stats_header,
						     layout_version),
		       sizeof(version));
		if (writer_lives(fd, version, head[PID]))
			owned = op25b_shm_owner_trusted(&st) ? 1 : -EPERM;
	}
	close(fd);
	return owned;
}

static void
writer_fill(struct op25b_stats_writer *w, const struct layout *l,
	    const char *instance, unsigned int n_workers, uint64_t tsc_hz)
{
	struct op25b_stats_header *h = w->header;
	struct op25b_stats_names *names = w->names;
	struct timespec now;

	/* The file is new and zero-filled, and nobody can open it before
	 * link() publishes it: plain stores will do. */
	clock_gettime(CLOCK_REALTIME, &now);
	h->magic = OP25B_STATS_MAGIC;
	h->layout_version = OP25B_STATS_LAYOUT_VERSION;
	h->header_size = sizeof(*h);
	h->total_size = l->total_size;
	h->epoch = 0;
	h->start_time_ns = (uint64_t)now.tv_sec * 1000000000u +
			   (uint64_t)now.tv_nsec;
	h->tsc_hz = tsc_hz;
	h->pid = (uint64_t)getpid();
	h->names_offset = l->names_offset;
	h->workers_offset = l->workers_offset;
	h->worker_size = sizeof(struct op25b_stats_worker);
	h->n_workers = n_workers;
	snprintf(h->instance, sizeof(h->instance), "%s", instance);
	names->n_class_slots = 1;
	names->n_group_slots = 1;
	names->class_active[0] = 1;
	names->group_active[0] = 1;
	snprintf(names->class_name[0], OP25B_STATS_NAME_MAX, NO_NAME);
	snprintf(names->group_name[0], OP25B_STATS_NAME_MAX, NO_NAME);
}

struct op25b_stats_writer *
op25b_stats_writer_create(const char *instance, unsigned int n_workers,
			  uint64_t tsc_hz)
{
	char tmp[OP25B_STATS_FILE_MAX + 32];
	struct op25b_stats_writer *w;
	unsigned int attempt;
	struct layout l;
	struct stat st;
	int fd, err;

	if (n_workers == 0 || n_workers > OP25B_STATS_MAX_WORKERS) {
		errno = EINVAL;
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return NULL;
	err = op25b_stats_path(instance, w->path, sizeof(w->path));
	if (err != 0)
		goto free_writer;
	layout_of(n_workers, &l);

	/* Built under a hidden name, then published whole with link(): a
	 * reader never maps a half-filled header, and link() refuses an
	 * existing name as O_EXCL would. The hidden name is never an
	 * instance's, which all begin with "op25b.". */
	snprintf(tmp, sizeof(tmp), "%s.op25b-new.%ld.%s", OP25B_STATS_SHM_DIR,
		 (long)getpid(), instance);
	unlink(tmp); /* left by a crashed process that had our pid */
	fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		  0644);
	if (fd < 0) {
		err = -errno;
		goto free_writer;
	}
	/* Held for the writer's life, released by the kernel however it
	 * ends: what readers and the next op25b ask (writer_locked()). A
	 * new file: nobody else can hold it. */
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		err = -errno;
		goto unlink_tmp;
	}
	/* 0644 whatever the umask: the counters are for every reader, the
	 * exporter (op25b-stat@, a dynamic user) among them, which a
	 * hardened unit's UMask=0077 left with EACCES, answering 503. */
	if (fchmod(fd, 0644) != 0 || ftruncate(fd, (off_t)l.total_size) != 0 ||
	    fstat(fd, &st) != 0) {
		err = -errno;
		goto unlink_tmp;
	}
	/* MAP_POPULATE: the pages are allocated now, not on a worker's first
	 * increment in the data path. */
	w->base = mmap(NULL, l.total_size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, fd, 0);
	if (w->base == MAP_FAILED) {
		err = -errno;
		goto unlink_tmp;
	}
	w->size = l.total_size;
	w->dev = st.st_dev;
	w->ino = st.st_ino;
	w->header = w->base;
	w->names = (void *)((char *)w->base + l.names_offset);
	w->workers = (char *)w->base + l.workers_offset;
	writer_fill(w, &l, instance, n_workers, tsc_hz);

	for (attempt = 1;; attempt++) {
		if (link(tmp, w->path) == 0)
			break;
		err = -errno;
		if (err != -EEXIST || attempt == CREATE_ATTEMPTS)
			goto unmap;
		switch (segment_owned(w->path)) {
		case 1:
			goto unmap; /* err is -EEXIST */
		case -EPERM:
			err = -EPERM;
			goto unmap;
		default:
			break;
		}
		/* Stale: its writer died without removing it. */
		if (unlink(w->path) != 0 && errno != ENOENT) {
			err = -errno;
			goto unmap;
		}
	}
	unlink(tmp);
	w->fd = fd;
	return w;

unmap:
	munmap(w->base, w->size);
unlink_tmp:
	unlink(tmp);
	close(fd);
free_writer:
	free(w);
	errno = -err;
	return NULL;
}

struct op25b_stats_header *
op25b_stats_writer_header(struct op25b_stats_writer *w)
{
	return w->header;
}

struct op25b_stats_names *
op25b_stats_writer_names(struct op25b_stats_writer *w)
{
	return w->names;
}

struct op25b_stats_worker *
op25b_stats_writer_worker(struct op25b_stats_writer *w, unsigned int worker)
{
	if (worker >= w->header->n_workers)
		return NULL;
	return (void *)(w->workers +
			(size_t)worker * sizeof(struct op25b_stats_worker));
}

void
op25b_stats_writer_layout_begin(struct op25b_stats_writer *w)
{
	uint64_t epoch = w->header->epoch; /* only we change it */

	__atomic_store_n(&w->header->epoch, epoch + 1, __ATOMIC_RELAXED);
	/* The odd epoch is ordered before every store of the change that
	 * follows: a reader whose copy caught any of those stores loads a
	 * changed epoch after its own acquire fence, and retries. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

void
op25b_stats_writer_layout_end(struct op25b_stats_writer *w)
{
	uint64_t epoch = w->header->epoch;

	/* Release: a reader that loads this even epoch (acquire) sees the
	 * whole change. */
	__atomic_store_n(&w->header->epoch, epoch + 1, __ATOMIC_RELEASE);
}

/* The length of @name when a slot may bear it (1..OP25B_STATS_NAME_MAX -
 * 1 bytes), else 0. */
static size_t
name_len(const char *name)
{
	size_t len = name != NULL ? strnlen(name, OP25B_STATS_NAME_MAX) : 0;

	return len < OP25B_STATS_NAME_MAX ? len : 0;
}

/* The slot of the first @n_slots that bears @name; @n_slots: none. */
static uint32_t
slot_named(uint32_t n_slots, const char (*names)[OP25B_STATS_NAME_MAX],
	   const char *name)
{
	uint32_t s;

	for (s = 1; s < n_slots; s++)
		if (strncmp(names[s], name, OP25B_STATS_NAME_MAX) == 0)
			break;
	return s;
}

static int
slot_of(uint32_t *n_slots, char (*names)[OP25B_STATS_NAME_MAX],
	const char *name)
{
	uint64_t word_name[OP25B_STATS_NAME_MAX / 8];
	uint32_t n = *n_slots, s;
	size_t len = name_len(name);

	if (len == 0)
		return -EINVAL;
	s = slot_named(n, (const char(*)[OP25B_STATS_NAME_MAX])names, name);
	if (s < n)
		return (int)s;
	if (n >= OP25B_STATS_SLOTS)
		return -ENOSPC;
	/* Whole words, zero-padded: what a reader's copy_words() gets. */
	memset(word_name, 0, sizeof(word_name));
	memcpy(word_name, name, len);
	copy_words(names[n], word_name, sizeof(word_name));
	__atomic_store_n(n_slots, n + 1, __ATOMIC_RELAXED);
	return (int)n;
}

/* The slots slot_of() would give @names[0..n) (distinct), in turn, in
 * @slots: 0, or -ENOSPC, -EINVAL as slot_of(). */
static int
slots_of(uint32_t n_slots, const char (*table)[OP25B_STATS_NAME_MAX],
	 const char *const *names, unsigned int n, uint8_t *slots)
{
	uint32_t next = n_slots, s;
	unsigned int i, k;

	for (i = 0; i < n; i++) {
		if (name_len(names[i]) == 0)
			return -EINVAL;
		s = slot_named(n_slots, table, names[i]);
		/* A name given twice gets the slot planned the first time,
		 * as slot_of() would (a policy's names are distinct). */
		for (k = 0; s == n_slots && k < i; k++)
			if (strncmp(names[k], names[i], OP25B_STATS_NAME_MAX) ==
			    0)
				break;
		if (s == n_slots && k < i) {
			s = slots[k];
		} else if (s == n_slots) {
			if (next >= OP25B_STATS_SLOTS)
				return -ENOSPC;
			s = next++;
		}
		slots[i] = (uint8_t)s;
	}
	return 0;
}

int
op25b_stats_writer_slots_plan(const struct op25b_stats_writer *w,
			      const char *const *classes,
			      unsigned int n_classes, const char *const *groups,
			      unsigned int n_groups, uint8_t *class_slots,
			      uint8_t *group_slots)
{
	const struct op25b_stats_names *n = w->names;
	int ret = slots_of(n->n_class_slots, n->class_name, classes, n_classes,
			   class_slots);

	return ret != 0 ? ret
			: slots_of(n->n_group_slots, n->group_name, groups,
				   n_groups, group_slots);
}

int
op25b_stats_writer_class_slot(struct op25b_stats_writer *w, const char *name)
{
	return slot_of(&w->names->n_class_slots, w->names->class_name, name);
}

int
op25b_stats_writer_group_slot(struct op25b_stats_writer *w, const char *name)
{
	return slot_of(&w->names->n_group_slots, w->names->group_name, name);
}

void
op25b_stats_writer_destroy(struct op25b_stats_writer *w)
{
	struct stat st;

	if (w == NULL)
		return;
	/* Remove the name only while it is still ours, never a segment that
	 * has replaced it since. */
	if (stat(w->path, &st) == 0 && st.st_dev == w->dev &&
	    st.st_ino == w->ino)
		unlink(w->path);
	munmap(w->base, w->size);
	close(w->fd);
	free(w);
}

/* ------------------------------------------------------------------ */
/* Reader                                                              */

/* The fields a reader trusts to find its way are fixed at creation; check
 * them once, against the file's real size, so that no offset can point
 * outside the mapping. */
static int
reader_validate(struct op25b_stats_reader *r)
{
	const struct op25b_stats_header *h = r->base;
	uint64_t workers_end;

	if (h->magic != OP25B_STATS_MAGIC ||
	    h->layout_version != OP25B_STATS_LAYOUT_VERSION ||
	    h->header_size != sizeof(*h) || h->total_size != r->size)
		return -EPROTO;
	if (h->names_offset % OP25B_STATS_ALIGN != 0 ||
	    h->names_offset < sizeof(*h) ||
	    h->workers_offset % OP25B_STATS_ALIGN != 0 ||
	    h->workers_offset < h->names_offset ||
	    h->workers_offset - h->names_offset <
		    sizeof(struct op25b_stats_names) ||
	    h->worker_size != sizeof(struct op25b_stats_worker) ||
	    h->n_workers == 0 || h->n_workers > OP25B_STATS_MAX_WORKERS)
		return -EPROTO;
	workers_end = h->workers_offset +
		      (uint64_t)h->n_workers * h->worker_size;
	if (workers_end > r->size)
		return -EPROTO;
	r->header = h;
	r->names = (const void *)((const char *)r->base + h->names_offset);
	r->workers = (const char *)r->base + h->workers_offset;
	r->n_workers = h->n_workers;
	return 0;
}

/* Map the file open at @r->fd read-only and validate it: 0, or -errno
 * (the caller closes the descriptor). */
static int
reader_map(struct op25b_stats_reader *r)
{
	struct stat st;
	int err;

	if (fstat(r->fd, &st) != 0)
		return -errno;
	if (!S_ISREG(st.st_mode) ||
	    st.st_size < (off_t)sizeof(struct op25b_stats_header))
		return -EPROTO;
	/* Another user's file at the name: made up counters, not op25b's. */
	if (!op25b_shm_owner_trusted(&st))
		return -EPERM;
	r->size = (size_t)st.st_size;
	r->dev = st.st_dev;
	r->ino = st.st_ino;
	r->base = mmap(NULL, r->size, PROT_READ, MAP_SHARED, r->fd, 0);
	if (r->base == MAP_FAILED)
		return -errno;
	err = reader_validate(r);
	if (err != 0)
		munmap((void *)r->base, r->size);
	return err;
}

struct op25b_stats_reader *
op25b_stats_reader_open(const char *instance)
{
	struct op25b_stats_reader *r;
	int err;

	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	err = op25b_stats_path(instance, r->path, sizeof(r->path));
	if (err != 0)
		goto free_reader;
	/* O_NONBLOCK: a FIFO at the name would hold the reader (and
	 * op25b-stat's exporter, before it listens) in open();
	 * reader_map() refuses anything but a regular file. */
	r->fd = open(r->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (r->fd < 0) {
		/* ELOOP: a symbolic link where a segment should be. */
		err = errno == ELOOP ? -EPROTO : -errno;
		goto free_reader;
	}
	err = reader_map(r);
	if (err == 0)
		return r;
	close(r->fd);
free_reader:
	free(r);
	errno = -err;
	return NULL;
}

struct op25b_stats_reader *
op25b_stats_writer_reader(const struct op25b_stats_writer *w)
{
	struct op25b_stats_reader *r;
	char via[64];
	int err;

	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	snprintf(r->path, sizeof(r->path), "%s", w->path);
	/* A file description of its own (a dup() would share the writer's,
	 * and a flock() on it would change the writer's lock): the same
	 * file, opened again through the descriptor. */
	snprintf(via, sizeof(via), "/proc/self/fd/%d", w->fd);
	r->fd = open(via, O_RDONLY | O_CLOEXEC);
	err = r->fd < 0 ? -errno : reader_map(r);
	if (err == 0)
		return r;
	if (r->fd >= 0)
		close(r->fd);
	free(r);
	errno = -err;
	return NULL;
}

static void
sum_workers(const struct op25b_stats_reader *r,
	    struct op25b_stats_snapshot *snap)
{
	unsigned int w;

	memset(&snap->totals, 0, sizeof(snap->totals));
	memset(snap->port_app, 0, sizeof(snap->port_app));
	snap->upstream = 0;
	for (w = 0; w < r->n_workers; w++) {
		const struct op25b_stats_worker *wk =
			(const void *)(r->workers + (size_t)w * sizeof(*wk));

		add_words((uint64_t *)&snap->totals,
			  (const uint64_t *)&wk->counters,
			  sizeof(wk->counters) / 8);
		add_words((uint64_t *)snap->port_app,
			  (const uint64_t *)wk->port, sizeof(wk->port) / 8);
		snap->upstream +=
			__atomic_load_n(&wk->upstream, __ATOMIC_RELAXED);
		snap->workers[w].lcore_id =
			__atomic_load_n(&wk->lcore_id, __ATOMIC_RELAXED);
		snap->workers[w].loops =
			__atomic_load_n(&wk->loops, __ATOMIC_RELAXED);
		snap->workers[w].busy_loops =
			__atomic_load_n(&wk->busy_loops, __ATOMIC_RELAXED);
	}
}

static void
terminate(char *s, size_t size)
{
	s[size - 1] = '\0';
}

int
op25b_stats_snapshot_finish(struct op25b_stats_snapshot *snap,
			    unsigned int n_workers)
{
	struct op25b_stats_header *h = &snap->header;
	struct op25b_stats_names *names = &snap->names;
	unsigned int i;

	if (names->n_class_slots == 0 ||
	    names->n_class_slots > OP25B_STATS_SLOTS ||
	    names->n_group_slots == 0 ||
	    names->n_group_slots > OP25B_STATS_SLOTS)
		return -EPROTO;
	if (h->n_ports > OP25B_STATS_MAX_PORTS)
		h->n_ports = OP25B_STATS_MAX_PORTS;
	terminate(h->instance, sizeof(h->instance));
	terminate(h->policy_file, sizeof(h->policy_file));
	for (i = 0; i < OP25B_STATS_MAX_PORTS; i++)
		terminate(h->ports[i].name, sizeof(h->ports[i].name));
	for (i = 0; i < OP25B_STATS_SLOTS; i++) {
		terminate(names->class_name[i], OP25B_STATS_NAME_MAX);
		terminate(names->group_name[i], OP25B_STATS_NAME_MAX);
	}
	snap->n_workers = n_workers;
	memset(&snap->workers[n_workers], 0,
	       sizeof(snap->workers[0]) *
		       (OP25B_STATS_MAX_WORKERS - n_workers));
	return 0;
}

int
op25b_stats_reader_read(struct op25b_stats_reader *r,
			struct op25b_stats_snapshot *snap,
			unsigned int max_tries)
{
	struct stat st;
	unsigned int t;

	if (r == NULL || snap == NULL)
		return -EINVAL;
	/* A segment is never resized in place: another size means the file
	 * is no longer the one we validated (and pages past a shrunk end
	 * would raise SIGBUS). */
	if (fstat(r->fd, &st) != 0)
		return -errno;
	if ((size_t)st.st_size != r->size)
		return -EPROTO;
	if (max_tries == 0)
		max_tries = 1;
	for (t = 0; t < max_tries; t++) {
		uint64_t e1, e2;

		/* Acquire: everything the writer stored before it made the
		 * epoch even is visible to the copies below. */
		e1 = __atomic_load_n(&r->header->epoch, __ATOMIC_ACQUIRE);
		if (e1 & 1) {
			/* The writer is mid-change; let it run (it may share
			 * our CPU). */
			sched_yield();
			continue;
		}
		copy_words(&snap->header, r->header, sizeof(snap->header));
		copy_words(&snap->names, r->names, sizeof(snap->names));
		sum_workers(r, snap);
		/* The copies complete before the epoch is loaded again: a
		 * change that overlapped any of them shows as a new epoch. */
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		e2 = __atomic_load_n(&r->header->epoch, __ATOMIC_RELAXED);
		if (e1 == e2) {
			snap->header.epoch = e1;
			return op25b_stats_snapshot_finish(snap, r->n_workers);
		}
	}
	return -EAGAIN;
}

int
op25b_stats_reader_check(struct op25b_stats_reader *r)
{
	struct stat st;

	if (r == NULL)
		return -EINVAL;
	if (stat(r->path, &st) != 0)
		return -errno;
	if (st.st_dev != r->dev || st.st_ino != r->ino)
		return -EPROTO;
	/* Tested on the reader's own open file description: a reader the
	 * writer's process made by its descriptor shares no lock with it
	 * (op25b_stats_writer_reader()). */
	if (!writer_lives(r->fd, r->header->layout_version,
			  __atomic_load_n(&r->header->pid, __ATOMIC_RELAXED)))
		return -ESRCH;
	return 0;
}

void
op25b_stats_reader_close(struct op25b_stats_reader *r)
{
	if (r == NULL)
		return;
	munmap((void *)r->base, r->size);
	close(r->fd);
	free(r);
}

struct op25b_stats_snapshot *
op25b_stats_snapshot_alloc(void)
{
	struct op25b_stats_snapshot *snap;

	/* sizeof is a multiple of the alignment, as aligned_alloc wants. */
	snap = aligned_alloc(_Alignof(struct op25b_stats_snapshot),
			     sizeof(*snap));
	if (snap == NULL)
		return NULL;
	memset(snap, 0, sizeof(*snap));
	return snap;
}
