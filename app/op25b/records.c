/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Block records in the appliance: each worker counts its blocked sources
 * in a table of its own (lib/records) and hands finished records to the
 * control lcore through a single-producer single-consumer ring of its
 * own; the control lcore merges them per source per interval and writes
 * them (JSON lines to a file, or syslog).
 *
 * Intervals: the control lcore ends one by raising records_epoch; each
 * worker, at the top of its next loop, empties its table into its ring
 * and says so (flushed, release). Once every worker has, the control
 * lcore has the whole interval (the ring's contents happen before the
 * release) and writes it. At exit the workers have stopped: the control
 * lcore empties their tables itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "op25b_app.h"
#include "op25b_classify_record.h"
#include "op25b_save.h"
#include "op25b_records.h"

/* Pieces taken from a worker's ring at a time. */
#define RECORDS_DRAIN_BURST 64
/* A reopen that keeps failing is said again this often. */
#define REOPEN_SAY_AGAIN_MS (3600u * 1000u)
/* The lines formatted before one write(2) to the file. */
#define RECORDS_CHUNK_LINES 256
#define RECORDS_CHUNK_BYTES (64 * 1024)

struct op25b_worker_records {
	struct op25b_records_table *table;
	struct rte_ring *ring;
	uint32_t epoch; /* the interval this worker counts in */
	/* The worker's: the interval it has flushed up to (release). */
	_Atomic uint32_t flushed;
	/* Records that did not fit the ring; the worker's plain stores,
	 * read relaxed by the control lcore. */
	uint64_t dropped;
	/* Free records in the ring as of the worker's last look: the
	 * consumer's index is read once a loop while the ring is full, not
	 * once a frame (its cache line is the control lcore's). */
	uint32_t room;
	/* Blocked frames over --block-records-rate: not counted into the
	 * table. The worker's relaxed stores, read relaxed. */
	uint64_t over_rate;
	struct op25b_records_budget budget;
} __rte_cache_aligned;

struct op25b_app_records {
	struct op25b_worker_records *workers; /* n_workers */
	_Atomic uint32_t epoch;		      /* raised by the control lcore */
	uint32_t pending;  /* intervals below it are written */
	uint64_t next_tsc; /* when the current interval ends */
	uint64_t written;  /* records written since start */
	uint64_t lost;	   /* merged records lost (no memory, write) */
	/* The workers' over_rate when it was last said (say_over_rate()). */
	uint64_t over_rate_said;
	/* The last (TSC, CLOCK_REALTIME) pair taken; each write takes
	 * another, and the view converts with the rate between the two. */
	uint64_t anchor_tsc, anchor_ns;
	struct op25b_records_merge *merge;
	/* The last interval's sources by syns, for show blocked top, and
	 * saved in top_path for op25b-stat --top. */
	struct op25b_records_top *top;
	unsigned int n_top;
	char top_path[OP25B_STATS_PATH_MAX + 8];
	int fd; /* the file, O_APPEND; -1 with syslog */
	/* When a failed reopen was last said (op25b_monotonic_ms()). */
	uint64_t reopen_said_ms;
	/* A reopen failed: the old file is kept, and the reopen is tried
	 * again before each interval is written. */
	bool reopen_failed;
	/* A write error left part of a line that could not be taken back
	 * out, or the file ended inside one when opened: the next line
	 * starts on a line of its own. */
	bool cut_line;
	/* An interval's write to a pipe that is full (write_wait()): when it
	 * began, and when the reader last took some (op25b_monotonic_ms()). */
	uint64_t write_began_ms, write_progress_ms;
	bool syslog;
	struct op25b_records_view view;
};

/* Whether a socket of @type connects to @addr: 0, or errno. */
static int
syslog_connects(const struct sockaddr_un *addr, int type)
{
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0), error = 0;

	if (fd < 0)
		return 0; /* no socket to try with: nothing to say */
	if (connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) != 0)
		error = errno;
	close(fd);
	return error;
}

/* syslog(3) says nothing of a record it could not deliver: with no
 * syslog daemon listening on its socket the records go nowhere and are
 * counted as written. Said once at start, where the operator looks. A
 * daemon on a stream socket (syslog-ng's unix-stream) refuses a datagram
 * with EPROTOTYPE, and glibc's syslog(3) then connects as a stream:
 * tried the same way. */
static void
syslog_check(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int error;

	strcpy(addr.sun_path, _PATH_LOG);
	error = syslog_connects(&addr, SOCK_DGRAM);
	if (error == EPROTOTYPE)
		error = syslog_connects(&addr, SOCK_STREAM);
	if (error != 0)
		fprintf(stderr,
			"op25b: warning: --block-records syslog: %s: %s: no "
			"syslog daemon listens there, and syslog(3) drops "
			"what it cannot send without a word (records_written "
			"counts what op25b handed to it)\n",
			_PATH_LOG, strerror(error));
}

/* ------------------------------------------------------------------ */
/* Worker side                                                         */

/* wr->room is the ring's free space as the last enqueue left it; the
 * control lcore may have emptied the ring since. Looked at again only
 * when it would not do (near full), so that a record is dropped only when
 * the ring is full now. */
static unsigned int
room_for(struct op25b_worker_records *wr, unsigned int n)
{
	if (wr->room < n)
		wr->room = rte_ring_free_count(wr->ring);
	return RTE_MIN(wr->room, n);
}

static void
hand_over(struct op25b_worker_records *wr, struct op25b_record *r)
{
	unsigned int free_space = 0;

	if (room_for(wr, 1) == 0 ||
	    rte_ring_sp_enqueue_bulk_elem(wr->ring, r, sizeof(*r), 1,
					  &free_space) == 0) {
		wr->dropped++;
		return;
	}
	wr->room = free_space;
}

static void
table_flush(struct op25b_worker_records *wr)
{
	struct op25b_record out[16];
	unsigned int n, i;

	while ((n = op25b_records_table_flush(wr->table, out, RTE_DIM(out))) !=
	       0)
		for (i = 0; i < n; i++)
			hand_over(wr, &out[i]);
}

static uint64_t
tsc_now(void)
{
	return rte_rdtsc();
}

uint16_t
op25b_worker_records_budget(struct op25b_worker *w, uint16_t n, uint64_t *tsc)
{
	return op25b_records_budget_frames(&w->records->budget, n, tsc_now,
					   tsc);
}

uint64_t
op25b_worker_records_take(struct op25b_worker *w,
			  const struct op25b_record_hint *hints,
			  uint16_t n_hints, uint16_t n_wanted, uint64_t tsc)
{
	struct op25b_worker_records *wr = w->records;

	/* One clock read a burst with blocked frames (the budget's, when
	 * it read one): a record needs milliseconds, and the bucket the
	 * ticks that passed. */
	if (tsc == 0)
		tsc = rte_rdtsc();
	/* The ticks first: a full bucket then pays for the burst, and is
	 * never a burst over its second. */
	op25b_records_budget_refill(&wr->budget, tsc);
	op25b_records_budget_take(&wr->budget, n_hints);
	if (n_wanted != n_hints)
		__atomic_store_n(&wr->over_rate,
				 wr->over_rate + (n_wanted - n_hints),
				 __ATOMIC_RELAXED);
	if (n_hints != 0)
		op25b_records_table_prefetch(wr->table, hints, n_hints);
	return tsc;
}

void
op25b_worker_records_count(struct op25b_worker *w,
			   const struct op25b_record_hint *hints, uint16_t n,
			   uint64_t tsc)
{
	struct op25b_worker_records *wr = w->records;
	struct op25b_record out[OP25B_CLASSIFY_BURST_MAX];
	unsigned int k, sent, free_space = 0;

	/* A full ring (a scan from many sources) costs a record nothing
	 * more than finding that its source has no slot. */
	k = op25b_records_table_add_burst(wr->table, hints, n, tsc, wr->epoch,
					  out, room_for(wr, n), &wr->dropped);
	if (k == 0)
		return;
	sent = rte_ring_sp_enqueue_burst_elem(wr->ring, out, sizeof(out[0]), k,
					      &free_space);
	wr->dropped += k - sent;
	wr->room = free_space;
}

void
op25b_worker_records_tick(struct op25b_worker *w, struct op25b_app *app)
{
	struct op25b_worker_records *wr = w->records;
	uint32_t epoch = atomic_load_explicit(&app->records->epoch,
					      memory_order_relaxed);

	if (likely(epoch == wr->epoch))
		return;
	table_flush(wr);
	wr->epoch = epoch;
	/* Release: the records just enqueued are in the ring before the
	 * control lcore sees this. */
	atomic_store_explicit(&wr->flushed, epoch, memory_order_release);
}

/* ------------------------------------------------------------------ */
/* Names for the writer                                                */

static const char *
class_name(void *ctx, uint8_t slot)
{
	struct op25b_app *app = ctx;

	return slot == 0
		       ? NULL
		       : op25b_stats_writer_names(app->stats)->class_name[slot];
}

static const char *
group_name(void *ctx, uint8_t slot)
{
	struct op25b_app *app = ctx;

	return slot == 0
		       ? NULL
		       : op25b_stats_writer_names(app->stats)->group_name[slot];
}

/* The step the classifier that decided the frame gave (not the running
 * policy's: a reload may have come in between). */
static const char *
rule_name(void *ctx, uint8_t rule)
{
	(void)ctx;
	return op25b_rule_name((enum op25b_rule)rule);
}

/* ------------------------------------------------------------------ */
/* Control side                                                        */

/*
 * The file at @path for appending records: its descriptor, or -errno
 * (-ENXIO: a FIFO with no reader). O_NONBLOCK, kept: a FIFO whose reader
 * is gone or slow must not stall the control lcore (the CLI, expiries,
 * the stop) in open(2) or write(2); write_some() waits for it a
 * bounded time. @cut: the file ends inside a line (a run killed in a
 * write, a disk that filled), so the next record starts on a line of its
 * own rather than finish that one.
 */
static int
open_output(const char *path, bool *cut)
{
	/* 0640: the records name subscribers (addresses, MACs, PPPoE
	 * sessions), as the exemptions and the top list do; a umask of
	 * 022 left them every local user's. */
	int fd = open(path,
		      O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK,
		      0640);
	struct stat st;
	char last;

	*cut = false;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
		int in = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

		/* Unreadable (write-only to op25b): taken as whole. */
		if (in >= 0) {
			*cut = pread(in, &last, 1, st.st_size - 1) == 1 &&
			       last != '\n';
			close(in);
		}
	}
	return fd;
}

/* Why @path could not be opened for records (open_output()'s -errno):
 * ENXIO is a FIFO's with no reader, or a socket's or a device's. */
static const char *
open_error(const char *path, int err)
{
	struct stat st;

	return err == -ENXIO && stat(path, &st) == 0 && S_ISFIFO(st.st_mode)
		       ? "a FIFO with no reader (start its reader first)"
		       : strerror(-err);
}

/* How long an interval's write waits for a pipe's reader (a FIFO, a
 * socket) that takes nothing, and in all: the control lcore answers the
 * CLI and expires exemptions meanwhile. */
#define RECORDS_WRITE_STALL_MS 250
#define RECORDS_WRITE_CAP_MS 5000

/* The wall clock of the TSC, anchored again: the TSC's rate as DPDK
 * states it is rounded (to 10 MHz when calibrated), and the wall clock
 * follows NTP; a rate measured over the last interval between two
 * (TSC, CLOCK_REALTIME) pairs keeps records within a millisecond of it
 * however long op25b runs. */
static void
anchor_clock(struct op25b_app_records *rec)
{
	struct timespec ts;
	uint64_t tsc, ns;

	clock_gettime(CLOCK_REALTIME, &ts);
	tsc = rte_rdtsc();
	ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	/* A second at least, a clock that went forward, and a rate within
	 * 0.5% of the stated one: a step of the wall clock in the interval
	 * (NTP setting it, an operator) would measure anything (an hour's
	 * step in a minute: 60 times off); then the stated rate stands. */
	if (rec->anchor_tsc != 0 && ns > rec->anchor_ns + 1000000000u &&
	    tsc > rec->anchor_tsc) {
		uint64_t hz = (uint64_t)((__int128)(tsc - rec->anchor_tsc) *
					 1000000000 / (ns - rec->anchor_ns));
		uint64_t stated = rte_get_tsc_hz();

		rec->view.tsc_hz = hz > stated - stated / 200 &&
						   hz < stated + stated / 200
					   ? hz
					   : stated;
	}
	rec->anchor_tsc = tsc;
	rec->anchor_ns = ns;
	rec->view.tsc0 = tsc;
	rec->view.wall_ns0 = ns;
}

int
op25b_records_start(struct op25b_app *app)
{
	const struct op25b_config *cfg = &app->config;
	struct op25b_app_records *rec;
	uint32_t sources, ring;
	char top_path[OP25B_STATS_PATH_MAX + 8];
	char rate[64] = "every blocked frame counted (no rate)";
	unsigned int i;
	int err;

	/* A top list an op25b of this name left (killed, or a save cut
	 * short) is not this one's: op25b-stat --top would show a dead
	 * run's sources as the last interval's, with records off too. The
	 * name is ours: the counters' segment is. */
	if (op25b_stats_top_path(cfg->instance, top_path, sizeof(top_path)) ==
	    0)
		op25b_save_file_remove(top_path);
	if (cfg->records_path == NULL)
		return 0;
	rec = rte_zmalloc("op25b_records", sizeof(*rec), RTE_CACHE_LINE_SIZE);
	if (rec == NULL)
		return -ENOMEM;
	app->records = rec;
	rec->syslog = strcmp(cfg->records_path, "syslog") == 0;
	rec->fd = rec->syslog ? -1
			      : open_output(cfg->records_path, &rec->cut_line);
	if (rec->fd < 0 && !rec->syslog) {
		err = rec->fd;
		fprintf(stderr, "op25b: --block-records %s: %s\n",
			cfg->records_path, open_error(cfg->records_path, err));
		return err;
	}
	if (rec->syslog) {
		/* Facility 0 keeps the process's, which EAL set for DPDK's
		 * own lines (--syslog FACILITY, daemon by default); each
		 * record names daemon itself (write_syslog()). */
		openlog("op25b", LOG_PID | LOG_NDELAY, 0);
		syslog_check();
	}
	rec->merge = op25b_records_merge_create(cfg->records_sources);
	if (rec->merge == NULL) {
		/* Said: its key's getrandom() may fail too (ENOSYS under a
		 * seccomp filter), not only the memory. */
		err = -errno;
		fprintf(stderr,
			"op25b: block records: the merge of %u "
			"sources cannot be made: %s\n",
			cfg->records_sources, strerror(errno));
		return err;
	}
	rec->top = calloc(OP25B_RECORDS_TOP_MAX, sizeof(*rec->top));
	rec->workers = rte_zmalloc("op25b_worker_records",
				   app->n_workers * sizeof(*rec->workers),
				   RTE_CACHE_LINE_SIZE);
	if (op25b_stats_top_path(cfg->instance, rec->top_path,
				 sizeof(rec->top_path)) != 0 ||
	    rec->top == NULL || rec->workers == NULL) {
		fprintf(stderr, "op25b: block records: out of memory\n");
		return -ENOMEM;
	}
	/* The table's slots are a power of two (its hash masks). */
	sources = rte_align32pow2(cfg->records_table);
	ring = cfg->records_ring;
	/* The ring's memory as DPDK sizes it: an exact-size ring of N has
	 * the power of two above N slots (16384 records take 32768). */
	if (cfg->records_rate != 0)
		snprintf(rate, sizeof(rate), "%u frames a second a worker",
			 cfg->records_rate);
	printf("op25b: block records: each worker a table of %u sources "
	       "(%zu KB) and a ring of %u (%zd KB); merged: %u sources at "
	       "most; %s\n",
	       sources, op25b_records_table_size(sources) / 1024, ring,
	       rte_ring_get_memsize_elem(sizeof(struct op25b_record),
					 rte_align32pow2(ring + 1)) /
		       1024,
	       cfg->records_sources, rate);
	for (i = 0; i < app->n_workers; i++) {
		struct op25b_worker_records *wr = &rec->workers[i];
		int socket =
			(int)rte_lcore_to_socket_id(app->workers[i].lcore_id);
		size_t size = op25b_records_table_size(sources);
		char name[RTE_RING_NAMESIZE];
		void *mem = rte_zmalloc_socket("op25b_records_table", size,
					       RTE_CACHE_LINE_SIZE, socket);

		wr->table = op25b_records_table_init(mem, sources);
		snprintf(name, sizeof(name), "op25b_rec_%u", i);
		wr->ring = rte_ring_create_elem(
			name, sizeof(struct op25b_record), ring, socket,
			RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
		if (wr->table == NULL || wr->ring == NULL) {
			fprintf(stderr,
				"op25b: block records of worker %u: %s\n", i,
				rte_strerror(rte_errno));
			return -ENOMEM;
		}
		wr->room = rte_ring_free_count(wr->ring);
		op25b_records_budget_init(&wr->budget, cfg->records_rate,
					  rte_get_tsc_hz(), rte_rdtsc());
		app->workers[i].records = wr;
	}
	rec->view = (struct op25b_records_view){
		.class_name = class_name,
		.group_name = group_name,
		.rule = rule_name,
		.ctx = app,
		.tsc_hz = rte_get_tsc_hz(),
	};
	anchor_clock(rec);
	rec->next_tsc = rec->view.tsc0 +
			cfg->records_interval_s * rte_get_tsc_hz();
	return 0;
}

/* Pieces into the merge; one that finds no memory is lost (counted). */
static void
merge_pieces(struct op25b_app_records *rec, const struct op25b_record *in,
	     unsigned int n)
{
	unsigned int k;

	for (k = 0; k < n; k++)
		if (op25b_records_merge_add(rec->merge, &in[k]) != 0)
			rec->lost++;
}

/* The records the workers' rings hold now into the merge: what each
 * worker enqueued before this call, and no more. A worker that hands
 * records over faster than the merge takes them (a scan at line rate)
 * must not keep the control lcore here: the CLI, the ticks and a stop
 * wait behind it. What it enqueues meanwhile waits for the next call, and
 * a ring that fills drops, counted. Called after a worker's `flushed`
 * was read, it takes every record of the interval that worker closed. */
static void
drain(struct op25b_app *app)
{
	struct op25b_app_records *rec = app->records;
	struct op25b_record in[RECORDS_DRAIN_BURST];
	unsigned int i, n, left;

	for (i = 0; i < app->n_workers; i++) {
		struct rte_ring *ring = rec->workers[i].ring;

		for (left = rte_ring_count(ring); left > 0; left -= n) {
			n = rte_ring_sc_dequeue_burst_elem(
				ring, in, sizeof(in[0]),
				RTE_MIN(left, (unsigned int)RTE_DIM(in)), NULL);
			if (n == 0)
				break;
			merge_pieces(rec, in, n);
		}
	}
}

static int
by_syns(const void *a, const void *b)
{
	const struct op25b_records_merged *x = a, *y = b;

	if (x->syns != y->syns)
		return x->syns > y->syns ? -1 : 1;
	return 0;
}

/* What show blocked top and op25b-stat --top list: the newest interval
 * of the @n records @taken (a worker that flushed late makes one take
 * cover two: a source would be listed twice), most SYNs first; none when
 * it had none (the list of an interval before would pass for the last
 * one's). */
static void
save_top(struct op25b_app *app, struct op25b_records_merged *taken,
	 unsigned int n)
{
	struct op25b_app_records *rec = app->records;
	uint32_t newest = 0;
	unsigned int i, k = 0;

	for (i = 0; i < n; i++)
		if (taken[i].r.interval > newest)
			newest = taken[i].r.interval;
	for (i = 0; i < n; i++)
		if (taken[i].r.interval == newest)
			taken[k++] = taken[i];
	n = k;
	if (n > 0)
		qsort(taken, n, sizeof(*taken), by_syns);
	n = RTE_MIN(n, (unsigned int)OP25B_RECORDS_TOP_MAX);
	for (i = 0; i < n; i++)
		op25b_records_top_resolve(&rec->top[i], &taken[i], &rec->view);
	rec->n_top = n;
	if (op25b_records_top_save(rec->top_path, rec->top, n) != 0)
		OP25B_LOG(WARNING, "%s: cannot write", rec->top_path);
}

/*
 * A pipe full (EAGAIN): wait until its reader takes some. 0 (write
 * again), or -ETIMEDOUT (nothing taken for RECORDS_WRITE_STALL_MS) or
 * -EAGAIN (RECORDS_WRITE_CAP_MS since the interval's write began: a
 * reader slower than the records). A signal (logrotate's SIGUSR1, a
 * SIGHUP) only wakes the wait early.
 */
static int
write_wait(struct op25b_app_records *rec)
{
	struct pollfd pfd = { .fd = rec->fd, .events = POLLOUT };

	for (;;) {
		uint64_t now = op25b_monotonic_ms();
		uint64_t stall = rec->write_progress_ms +
				 RECORDS_WRITE_STALL_MS;
		uint64_t cap = rec->write_began_ms + RECORDS_WRITE_CAP_MS;
		uint64_t until = stall < cap ? stall : cap;
		int r;

		if (now >= until)
			return now >= cap ? -EAGAIN : -ETIMEDOUT;
		r = poll(&pfd, 1, (int)(until - now));
		/* POLLOUT, or POLLERR (the reader gone: the write says
		 * EPIPE). */
		if (r == 1)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

/* write(2) of records to @rec's file, waiting for a pipe's reader
 * (write_wait()): the bytes written, or -errno. */
static ssize_t
write_some(struct op25b_app_records *rec, const char *buf, size_t len)
{
	for (;;) {
		ssize_t w = write(rec->fd, buf, len);
		int err;

		if (w > 0)
			rec->write_progress_ms = op25b_monotonic_ms();
		if (w >= 0)
			return w;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -errno;
		err = write_wait(rec);
		if (err != 0)
			return err;
	}
}

/*
 * Append @len bytes of whole lines (@ends[k]: where line k ends) to @fd.
 * Returns how many of the lines reached the file whole. A write error can
 * leave part of a line: it is cut back out, so that the file holds whole
 * lines only (when it cannot be, the next line starts on its own: a
 * reader loses the cut line, not the next one too).
 */
static unsigned int
append_lines(struct op25b_app_records *rec, const char *buf, size_t len,
	     const size_t *ends, unsigned int n, int *err)
{
	size_t done = 0, whole;
	unsigned int k;
	struct stat st;

	*err = 0;
	if (rec->cut_line) {
		ssize_t w = write_some(rec, "\n", 1);

		if (w != 1) {
			*err = w < 0 ? (int)w : -EIO;
			return 0;
		}
		rec->cut_line = false;
	}
	while (done < len) {
		ssize_t w = write_some(rec, buf + done, len - done);

		if (w <= 0) {
			*err = w < 0 ? (int)w : -EIO;
			break;
		}
		done += (size_t)w;
	}
	for (k = 0; k < n && ends[k] <= done; k++)
		;
	whole = k == 0 ? 0 : ends[k - 1];
	if (done > whole &&
	    (fstat(rec->fd, &st) != 0 || st.st_size < (off_t)(done - whole) ||
	     ftruncate(rec->fd, st.st_size - (off_t)(done - whole)) != 0))
		rec->cut_line = true;
	return k;
}

/* @n records as JSON lines into the file: formatted a chunk at a time
 * and written with one write(2) each, so that what is counted written is
 * what reached the file (stdio's buffer would count lines an error later
 * throws away). */
static void
write_json(struct op25b_app_records *rec,
	   const struct op25b_records_merged *taken, unsigned int n)
{
	size_t ends[RECORDS_CHUNK_LINES];
	unsigned int i = 0, k, ok;

	while (i < n) {
		char *buf = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&buf, &len);
		int err = m == NULL ? -ENOMEM : 0, werr = 0;

		for (k = 0; err == 0 && k < RECORDS_CHUNK_LINES && i + k < n &&
			    (k == 0 || ends[k - 1] < RECORDS_CHUNK_BYTES);
		     k++) {
			err = op25b_records_write_json(m, &taken[i + k],
						       &rec->view);
			if (err == 0)
				err = fflush(m) == 0 ? 0 : -ENOMEM;
			ends[k] = len;
		}
		if (m != NULL)
			fclose(m);
		/* A line that could not be formatted (no memory) goes
		 * uncounted as written: the chunk before it is written. */
		if (err != 0 && k > 0)
			k--;
		ok = k == 0 ? 0
			    : append_lines(rec, buf, ends[k - 1], ends, k,
					   &werr);
		/* A formatting failure is the one to tell. */
		if (err == 0)
			err = werr;
		free(buf);
		rec->written += ok;
		if (err != 0) {
			/* The file refused (or memory ran out): this
			 * chunk's rest and every later record are lost. */
			rec->lost += n - i - ok;
			OP25B_LOG(
				ERR,
				"block records: %u of %u records not "
				"written: %s",
				n - i - ok, n,
				err == -ETIMEDOUT
					? "its reader took nothing for " RTE_STR(
						  RECORDS_WRITE_STALL_MS) " ms"
				: err == -EAGAIN
					? "its reader took less than the "
					  "records in " RTE_STR(
						  RECORDS_WRITE_CAP_MS) " ms"
					: strerror(-err));
			return;
		}
		i += k;
	}
}

/* @n records through syslog(3). */
static void
write_syslog(struct op25b_app_records *rec,
	     const struct op25b_records_merged *taken, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		char *line = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&line, &len);
		/* RFC 5424's MSGID and STRUCTURED-DATA through syslog(3):
		 * doc/records.md says why not a datagram of our own. */
		int err = m == NULL ? -ENOMEM
				    : op25b_records_write_sd(m, &taken[i],
							     &rec->view);

		if (m != NULL)
			fclose(m);
		if (err == 0 && line != NULL) {
			syslog(LOG_DAEMON | LOG_NOTICE, "%s", line);
			rec->written++;
		} else {
			rec->lost++;
		}
		free(line);
	}
}

/*
 * Whether the records file was moved away, deleted or replaced at its path
 * without a reopen (SIGUSR1, `records reopen`: a rotation whose signal
 * was lost, a file removed by hand): said, and the caller reopens it, or
 * the records would go to a file nobody reads, or none, counted written.
 * Only a regular file: a FIFO or a device is what it is.
 */
static bool
path_moved(struct op25b_app *app)
{
	const char *path = app->config.records_path;
	struct stat open_st, path_st;

	if (fstat(app->records->fd, &open_st) != 0 || !S_ISREG(open_st.st_mode))
		return false;
	if (stat(path, &path_st) == 0) {
		if (path_st.st_dev == open_st.st_dev &&
		    path_st.st_ino == open_st.st_ino)
			return false;
	} else if (errno != ENOENT) {
		return false;
	}
	OP25B_LOG(WARNING,
		  "block records: %s is not the file op25b writes any more "
		  "(%s without records reopen or SIGUSR1): reopening it",
		  path,
		  open_st.st_nlink == 0 ? "deleted" : "moved or replaced");
	return true;
}

/* Whether the file open for records is deleted (no name left). */
static bool
unlinked(const struct op25b_app_records *rec)
{
	struct stat st;

	return fstat(rec->fd, &st) == 0 && S_ISREG(st.st_mode) &&
	       st.st_nlink == 0;
}

/* Write the records of intervals up to @interval. */
static void
write_up_to(struct op25b_app *app, uint32_t interval)
{
	struct op25b_app_records *rec = app->records;
	struct op25b_records_merged *taken;
	int n;

	if (rec->reopen_failed || (!rec->syslog && path_moved(app))) {
		char msg[512];

		op25b_records_reopen(app, msg, sizeof(msg));
	}
	rec->write_began_ms = op25b_monotonic_ms();
	rec->write_progress_ms = rec->write_began_ms;
	/* On no memory the records stay merged: the next write takes them. */
	n = op25b_records_merge_take(rec->merge, interval, &taken);
	if (n == 0)
		save_top(app, NULL, 0);
	if (n <= 0)
		return;
	anchor_clock(rec);
	if (rec->syslog) {
		write_syslog(rec, taken, (unsigned int)n);
	} else if (unlinked(rec)) {
		/* Deleted, and no file at its path could be opened (the
		 * reopen said why): written, they would be counted for a
		 * file nobody can read. */
		rec->lost += (unsigned int)n;
		OP25B_LOG(ERR,
			  "block records: %d records not written: %s was "
			  "deleted and cannot be opened again",
			  n, app->config.records_path);
	} else {
		write_json(rec, taken, (unsigned int)n);
	}
	save_top(app, taken, (unsigned int)n);
	free(taken);
}

/* The workers' frames over --block-records-rate since start. */
static uint64_t
over_rate(const struct op25b_app *app)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < app->n_workers; i++)
		n += __atomic_load_n(&app->records->workers[i].over_rate,
				     __ATOMIC_RELAXED);
	return n;
}

/* Records that count less than their sources sent, for the rate, are
 * said where the operator looks, once an interval at most: the counter
 * alone would leave the abuse desk trusting them. */
static void
say_over_rate(struct op25b_app *app)
{
	struct op25b_app_records *rec = app->records;
	uint64_t n = over_rate(app);

	if (n == rec->over_rate_said)
		return;
	fprintf(stderr,
		"op25b: warning: block records: %" PRIu64 " more blocked "
		"frames over --block-records-rate (%u a second a worker) are "
		"in no record (records_over_rate %" PRIu64 "): their "
		"sources' records count less than they sent, or are "
		"missing\n",
		n - rec->over_rate_said, app->config.records_rate, n);
	rec->over_rate_said = n;
}

static void
publish(struct op25b_app *app)
{
	struct op25b_app_records *rec = app->records;
	struct op25b_stats_header *h = op25b_stats_writer_header(app->stats);
	uint64_t dropped = rec->lost;
	unsigned int i;

	for (i = 0; i < app->n_workers; i++)
		dropped += __atomic_load_n(&rec->workers[i].dropped,
					   __ATOMIC_RELAXED);
	__atomic_store_n(&h->records_dropped, dropped, __ATOMIC_RELAXED);
	__atomic_store_n(&h->records_written, rec->written, __ATOMIC_RELAXED);
	__atomic_store_n(&h->records_over_rate, over_rate(app),
			 __ATOMIC_RELAXED);
}

void
op25b_records_end_interval(struct op25b_app *app)
{
	struct op25b_app_records *rec = app->records;

	if (rec == NULL)
		return;
	atomic_fetch_add_explicit(&rec->epoch, 1, memory_order_relaxed);
	/* The stated rate: an interval is the TSC's, whatever the wall
	 * clock did. */
	rec->next_tsc = rte_rdtsc() +
			app->config.records_interval_s * rte_get_tsc_hz();
}

void
op25b_records_tick(struct op25b_app *app, uint64_t now)
{
	struct op25b_app_records *rec = app->records;
	uint32_t epoch, done;
	unsigned int i;

	if (rec == NULL)
		return;
	if (now >= rec->next_tsc)
		op25b_records_end_interval(app);
	drain(app);
	epoch = atomic_load_explicit(&rec->epoch, memory_order_relaxed);
	if (rec->pending == epoch)
		goto out;
	/* Acquire: what a worker enqueued before it said so is in its
	 * ring. */
	done = epoch;
	for (i = 0; i < app->n_workers; i++) {
		uint32_t f = atomic_load_explicit(&rec->workers[i].flushed,
						  memory_order_acquire);

		if (f < done)
			done = f;
	}
	if (done == rec->pending)
		goto out;
	drain(app);
	write_up_to(app, done - 1);
	say_over_rate(app);
	rec->pending = done;
out:
	publish(app);
}

void
op25b_records_stop(struct op25b_app *app)
{
	struct op25b_app_records *rec = app->records;
	unsigned int i;

	if (rec == NULL)
		return;
	/* The workers have stopped: their tables are the control lcore's
	 * now, and what is in them goes straight to the merge. */
	drain(app);
	for (i = 0; i < app->n_workers; i++) {
		struct op25b_record out[16];
		unsigned int n;

		while ((n = op25b_records_table_flush(rec->workers[i].table,
						      out, RTE_DIM(out))) != 0)
			merge_pieces(rec, out, n);
	}
	write_up_to(app, UINT32_MAX);
	say_over_rate(app);
	/* What stayed merged (no memory to take it) has no next write. */
	rec->lost += op25b_records_merge_count(rec->merge);
	publish(app);
}

void
op25b_records_free(struct op25b_app *app)
{
	struct op25b_app_records *rec = app->records;
	unsigned int i;

	if (rec == NULL)
		return;
	for (i = 0; rec->workers != NULL && i < app->n_workers; i++) {
		rte_free(rec->workers[i].table);
		rte_ring_free(rec->workers[i].ring);
		app->workers[i].records = NULL;
	}
	rte_free(rec->workers);
	op25b_records_merge_free(rec->merge);
	free(rec->top);
	if (rec->top_path[0] != '\0')
		op25b_save_file_remove(rec->top_path);
	if (rec->fd >= 0)
		close(rec->fd);
	if (rec->syslog)
		closelog();
	rte_free(rec);
	app->records = NULL;
}

int
op25b_records_reopen(struct op25b_app *app, char *msg, size_t size)
{
	struct op25b_app_records *rec = app->records;
	const char *path = app->config.records_path;
	struct stat was, now_open;
	uint64_t now;
	bool cut;
	int err, fd;

	if (rec == NULL) {
		snprintf(msg, size, "no block records (--block-records)");
		return -ENOENT;
	}
	if (rec->syslog) {
		snprintf(msg, size,
			 "block records go to syslog: nothing to "
			 "reopen");
		return 0;
	}
	/* The new file first: when it cannot be opened, records go on
	 * into the old one (renamed by the rotation, still ours), and the
	 * reopen is tried again before the next interval is written. */
	fd = open_output(path, &cut);
	if (fd < 0) {
		err = fd;
		snprintf(msg, size,
			 "block records: reopen %s: %s (still writing to the "
			 "file opened before)",
			 path, open_error(path, err));
		/* Said when it starts failing, and again each hour while it
		 * does, not each interval: logrotate's delaycompress takes
		 * the old file the next day, with what goes into it. */
		now = op25b_monotonic_ms();
		if (!rec->reopen_failed ||
		    now - rec->reopen_said_ms >= REOPEN_SAY_AGAIN_MS) {
			OP25B_LOG(ERR, "%s", msg);
			rec->reopen_said_ms = now;
		}
		rec->reopen_failed = true;
		return err;
	}
	/* The part of a line a write error left (cut_line) is still at the
	 * end of the file when the reopen opens the same one again (not
	 * rotated; a pipe or a device): the next record must still start
	 * on a line of its own. A new file starts clean. */
	if (fstat(rec->fd, &was) == 0 && fstat(fd, &now_open) == 0 &&
	    (was.st_dev != now_open.st_dev || was.st_ino != now_open.st_ino))
		rec->cut_line = cut;
	else
		rec->cut_line = rec->cut_line || cut;
	close(rec->fd);
	rec->fd = fd;
	rec->reopen_failed = false;
	snprintf(msg, size, "block records: reopened %s", path);
	OP25B_LOG(INFO, "%s", msg);
	return 0;
}

int
op25b_records_top(const struct op25b_app *app,
		  const struct op25b_records_top **top)
{
	const struct op25b_app_records *rec = app->records;

	if (rec == NULL)
		return -ENOENT;
	*top = rec->top;
	return (int)rec->n_top;
}
