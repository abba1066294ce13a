/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/stats: the segment's life (create, stale and live owners, destroy),
 * slots, the reader's refusals, exact sums over workers, and a reader
 * racing a writer that keeps changing the layout under it.
 *
 * No DPDK. Every test uses its own instance name (with our pid) and its
 * teardown removes the segment, even when the test failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "op25b_json.h"
#include "op25b_save.h"
#include "op25b_stats.h"

/* ---- fixture ---------------------------------------------------------- */

struct fixture {
	char name[OP25B_STATS_NAME_MAX];
	char path[OP25B_STATS_PATH_MAX];
	struct op25b_stats_writer *w;
	struct op25b_stats_reader *r;
	struct op25b_stats_snapshot *snap;
	pid_t child;
	int go_fd; /* closing it lets the child go on */
};

static int
setup(void **state)
{
	static unsigned int serial;
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->name, sizeof(f->name), "test-stats-%ld-%u", (long)getpid(),
		 serial++);
	if (op25b_stats_path(f->name, f->path, sizeof(f->path)) != 0)
		return -1;
	f->snap = op25b_stats_snapshot_alloc();
	if (f->snap == NULL)
		return -1;
	f->child = -1;
	f->go_fd = -1;
	unlink(f->path);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	if (f->go_fd >= 0)
		close(f->go_fd);
	if (f->child > 0) {
		kill(f->child, SIGKILL);
		waitpid(f->child, NULL, 0);
	}
	op25b_stats_reader_close(f->r);
	op25b_stats_writer_destroy(f->w);
	unlink(f->path);
	free(f->snap);
	free(f);
	return 0;
}

static bool
exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* A pid that is certainly not running: a child we reaped. */
static pid_t
dead_pid(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	return pid;
}

static void
write_file(const char *path, const void *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, size), (ssize_t)size);
	assert_int_equal(close(fd), 0);
}

/* ---- names and paths -------------------------------------------------- */

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(op25b_outcome_name(OP25B_OUTCOME_NON_SMTP),
			    "non_smtp");
	assert_string_equal(op25b_outcome_name(OP25B_OUTCOME_RESET), "reset");
	assert_string_equal(op25b_outcome_name(OP25B_OUTCOME_MAX), "unknown");
	assert_true(strlen(op25b_outcome_help(OP25B_OUTCOME_BLOCKED)) > 10);
	assert_true(strlen(op25b_outcome_help(OP25B_OUTCOME_MALFORMED)) > 10);
	assert_string_equal(op25b_outcome_help(OP25B_OUTCOME_MAX), "unknown");
	assert_string_equal(op25b_verdict_name(0), "forwarded");
	assert_string_equal(op25b_verdict_name(1), "counted");
	assert_string_equal(op25b_verdict_name(2), "blocked");
	assert_string_equal(op25b_verdict_name(3), "reset");
	assert_string_equal(op25b_verdict_name(OP25B_VERDICT_MAX), "unknown");
	assert_int_equal(OP25B_VERDICT_OF(OP25B_OUTCOME_BLOCKED), 2);
}

/* The family lists, as every view names them: one key per figure, in list
 * order, and a Prometheus name that is the key with its unit. */
static void
test_field_names(void **state)
{
	static const char *const port_keys[] = {
		"rx",	     "tx",	  "rx_bytes",  "tx_bytes", "rx_missed",
		"rx_errors", "rx_nombuf", "tx_errors", "link_up",  "speed_mbps",
	};
	static const char *const port_prom[] = {
		"port_rx_packets_total",
		"port_tx_packets_total",
		"port_rx_bytes_total",
		"port_tx_bytes_total",
		"port_rx_missed_packets_total",
		"port_rx_errors_total",
		"port_rx_nombuf_total",
		"port_tx_errors_total",
		"port_link_up",
		"port_link_speed_mbps",
	};
	static const char *const app_keys[] = { "worker_rx", "worker_tx",
						"tx_dropped" };
	static const char *const header_keys[] = {
		"generation",
		"reload_ok",
		"reload_failed",
		"exemptions",
		"mode",
		"block",
		"records_written",
		"records_dropped",
		"records_over_rate",
		"adaptive_tracked",
		"adaptive_blocked",
		"adaptive_triggered",
		"adaptive_evicted",
		"adaptive_table_full",
	};
	/* The port entries whose fields are set below, each to its index
	 * + 1. */
	static const unsigned int port_set[] = { 0, 3, 6, 7 };
	/* STATE figures (mode, block): one name per value. */
	static const struct {
		unsigned int field, value;
		const char *name;
	} states[] = {
		{ 4, OP25B_STATS_MODE_MONITOR, "monitor" },
		{ 4, 0, "enforce" },
		{ 5, OP25B_STATS_BLOCK_RESET, "reset" },
		{ 5, 0, "drop" },
		{ 5, 2, "notify" },
		{ 5, 3, "unknown" },
	};
	struct op25b_stats_header h;
	struct op25b_stats_port p;
	unsigned int i;

	(void)state;
	assert_int_equal(OP25B_PORT_DRIVER_FIELDS, 10);
	assert_int_equal(OP25B_PORT_APP_FIELDS, 3);
	assert_int_equal(OP25B_HEADER_FIELDS, 14);
	for (i = 0; i < OP25B_PORT_DRIVER_FIELDS; i++) {
		const struct op25b_stats_field *f =
			&op25b_stats_port_driver_fields[i];

		assert_string_equal(f->key, port_keys[i]);
		assert_string_equal(f->prometheus, port_prom[i]);
		/* The link is a level, the rest counts. */
		assert_int_equal(f->kind, i < 8 ? OP25B_STATS_COUNTER
						: OP25B_STATS_GAUGE);
		assert_true(strlen(f->help) > 10);
	}
	for (i = 0; i < OP25B_PORT_APP_FIELDS; i++)
		assert_string_equal(op25b_stats_port_app_fields[i].key,
				    app_keys[i]);
	assert_string_equal(op25b_stats_port_app_fields[2].prometheus,
			    "port_tx_dropped_packets_total");
	for (i = 0; i < OP25B_HEADER_FIELDS; i++)
		assert_string_equal(op25b_stats_header_fields[i].key,
				    header_keys[i]);
	assert_string_equal(op25b_stats_header_fields[1].prometheus,
			    "reloads_total{result=\"ok\"}");
	assert_int_equal(op25b_stats_header_fields[0].kind, OP25B_STATS_GAUGE);
	assert_int_equal(op25b_stats_header_fields[2].kind,
			 OP25B_STATS_COUNTER);
	/* The adaptive list: gauges, then counters with their unit. */
	assert_int_equal(op25b_stats_header_fields[9].kind, OP25B_STATS_GAUGE);
	assert_string_equal(op25b_stats_header_fields[11].prometheus,
			    "adaptive_triggered_total");
	assert_int_equal(op25b_stats_header_fields[13].kind,
			 OP25B_STATS_COUNTER);
	/* The records list before it: counters. */
	assert_string_equal(op25b_stats_header_fields[6].prometheus,
			    "records_written_total");
	assert_int_equal(op25b_stats_header_fields[7].kind,
			 OP25B_STATS_COUNTER);
	assert_string_equal(op25b_stats_header_fields[8].prometheus,
			    "records_over_rate_total");
	assert_int_equal(op25b_stats_header_fields[8].kind,
			 OP25B_STATS_COUNTER);

	/* Each entry reads its own field. */
	memset(&p, 0, sizeof(p));
	p.rx = 1;
	p.tx_bytes = 4;
	p.rx_nombuf = 7;
	p.tx_errors = 8;
	for (i = 0; i < sizeof(port_set) / sizeof(port_set[0]); i++)
		assert_int_equal(
			op25b_stats_field_get(
				&op25b_stats_port_driver_fields[port_set[i]],
				&p),
			port_set[i] + 1);
	memset(&h, 0, sizeof(h));
	h.policy_generation = 3;
	h.mode = OP25B_STATS_MODE_MONITOR;
	h.block = OP25B_STATS_BLOCK_RESET;
	assert_int_equal(
		op25b_stats_field_get(&op25b_stats_header_fields[0], &h), 3);

	assert_int_equal(op25b_stats_header_fields[4].kind, OP25B_STATS_STATE);
	assert_int_equal(op25b_stats_header_fields[4].n_names, 2);
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		assert_string_equal(
			op25b_stats_state_name(
				&op25b_stats_header_fields[states[i].field],
				states[i].value),
			states[i].name);
	assert_null(op25b_stats_header_fields[3].names);
}

/* The JSON writer: separators, nesting, escapes, compact and indented. */
static void
test_json_writer(void **state)
{
	struct op25b_json j;
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	(void)state;
	out = open_memstream(&text, &len);
	assert_non_null(out);
	op25b_json_init(&j, out, 0);
	op25b_json_object(&j, NULL);
	op25b_json_string(&j, "s", "a\"b\\c\n\x01");
	op25b_json_array(&j, "a");
	op25b_json_u64(&j, NULL, 18446744073709551615ull);
	op25b_json_int(&j, NULL, -3);
	op25b_json_object(&j, NULL);
	op25b_json_close(&j);
	op25b_json_array(&j, NULL);
	op25b_json_close(&j);
	op25b_json_close(&j);
	op25b_json_bool(&j, "t", true);
	op25b_json_null(&j, "n");
	op25b_json_string(&j, "z", NULL);
	op25b_json_seconds(&j, "x", 1.5);
	op25b_json_raw(&j, NULL, "\"raw\": 1");
	assert_int_equal(op25b_json_end(&j), 0);
	fclose(out);
	assert_string_equal(text,
			    "{\"s\":\"a\\\"b\\\\c\\u000a\\u0001\",\"a\":"
			    "[18446744073709551615,-3,{},[]],\"t\":true,"
			    "\"n\":null,\"z\":null,\"x\":1.500,\"raw\": 1}\n");
	free(text);

	text = NULL;
	out = open_memstream(&text, &len);
	assert_non_null(out);
	op25b_json_init(&j, out, 1);
	op25b_json_object(&j, NULL);
	op25b_json_u64(&j, "a", 1);
	op25b_json_object(&j, "b");
	op25b_json_u64(&j, "c", 2);
	op25b_json_u64(&j, "d", 3);
	assert_int_equal(op25b_json_end(&j), 0);
	fclose(out);
	assert_string_equal(text, "{\n  \"a\": 1,\n  \"b\": {\"c\": 2, "
				  "\"d\": 3}\n}\n");
	free(text);

	/* UTF-8: valid sequences of 2, 3 and 4 bytes kept; a Latin-1 byte,
	 * a sequence cut short (by the end or another byte), an overlong
	 * form, a surrogate and past U+10FFFF each become U+FFFD. */
	text = NULL;
	out = open_memstream(&text, &len);
	assert_non_null(out);
	op25b_json_escape(out, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa7 "
			       "caf\xe9 \xe2\x82 \xc0\xaf \xed\xa0\x80 "
			       "\xf4\x90\x80\x80 \xe2");
	fclose(out);
	assert_string_equal(text, "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa7 "
				  "caf\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd "
				  "\xef\xbf\xbd\xef\xbf\xbd "
				  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd "
				  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
				  "\xef\xbf\xbd \xef\xbf\xbd\"");
	free(text);
	assert_int_equal(op25b_utf8_len("\xc3\xa9"), 2);
	assert_int_equal(op25b_utf8_len("\xf4\x8f\xbf\xbf"), 4);
	assert_int_equal(op25b_utf8_len("\xe9"), 0);
}

static void
test_path(void **state)
{
	char buf[OP25B_STATS_PATH_MAX], long_name[OP25B_STATS_NAME_MAX + 1];

	(void)state;
	assert_int_equal(op25b_stats_path("op25b", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/dev/shm/op25b.op25b");
	assert_int_equal(op25b_stats_path("", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(op25b_stats_path("a/b", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(op25b_stats_path(NULL, buf, sizeof(buf)), -EINVAL);
	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	assert_int_equal(op25b_stats_path(long_name, buf, sizeof(buf)),
			 -EINVAL);
	long_name[OP25B_STATS_NAME_MAX - 1] = '\0'; /* 63: the longest */
	assert_int_equal(op25b_stats_path(long_name, buf, sizeof(buf)), 0);
	assert_int_equal(op25b_stats_path("op25b", buf, 10), -ENAMETOOLONG);
}

/* ---- the segment's life ----------------------------------------------- */

static void
test_create_destroy(void **state)
{
	struct fixture *f = *state;
	const struct op25b_stats_header *h;
	const struct op25b_stats_names *n;
	struct op25b_stats_worker *w0, *w1;
	struct timespec now;
	struct stat st;

	mode_t saved_mask;

	clock_gettime(CLOCK_REALTIME, &now);
	/* 0644 under a hardened unit's umask too: the exporter reads it. */
	saved_mask = umask(077);
	f->w = op25b_stats_writer_create(f->name, 2, 2000000000u);
	umask(saved_mask);
	assert_non_null(f->w);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	h = op25b_stats_writer_header(f->w);
	n = op25b_stats_writer_names(f->w);
	assert_true(h->magic == OP25B_STATS_MAGIC);
	assert_int_equal(h->layout_version, OP25B_STATS_LAYOUT_VERSION);
	assert_int_equal(h->header_size, sizeof(*h));
	assert_int_equal(h->total_size, st.st_size);
	assert_int_equal(h->epoch, 0);
	assert_int_equal(h->pid, getpid());
	assert_int_equal(h->tsc_hz, 2000000000u);
	assert_int_equal(h->n_workers, 2);
	assert_int_equal(h->worker_size, sizeof(struct op25b_stats_worker));
	assert_string_equal(h->instance, f->name);
	assert_true(h->start_time_ns / 1000000000u + 1 >= (uint64_t)now.tv_sec);
	/* Every part starts on a cache line and lies inside the file. */
	assert_int_equal(h->names_offset % 64, 0);
	assert_int_equal(h->workers_offset % 64, 0);
	assert_true(h->names_offset >= sizeof(*h));
	assert_true(h->workers_offset >=
		    h->names_offset + sizeof(struct op25b_stats_names));
	assert_int_equal(h->workers_offset +
				 2 * sizeof(struct op25b_stats_worker),
			 h->total_size);
	assert_ptr_equal((const char *)n, (const char *)h + h->names_offset);
	w0 = op25b_stats_writer_worker(f->w, 0);
	w1 = op25b_stats_writer_worker(f->w, 1);
	assert_ptr_equal((char *)w0, (const char *)h + h->workers_offset);
	assert_int_equal((char *)w1 - (char *)w0,
			 sizeof(struct op25b_stats_worker));
	assert_null(op25b_stats_writer_worker(f->w, 2));
	assert_int_equal(n->n_class_slots, 1);
	assert_int_equal(n->n_group_slots, 1);
	assert_int_equal(n->class_active[0], 1);
	assert_int_equal(n->group_active[0], 1);
	assert_string_equal(n->class_name[0], "(none)");
	assert_string_equal(n->group_name[0], "(none)");
	assert_int_equal(w0->counters.outcome[0], 0);

	op25b_stats_writer_destroy(f->w);
	f->w = NULL;
	assert_false(exists(f->path));
	op25b_stats_writer_destroy(NULL);
}

static void
test_create_invalid(void **state)
{
	char long_name[OP25B_STATS_NAME_MAX + 1];

	(void)state;
	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	errno = 0;
	assert_null(op25b_stats_writer_create("", 1, 0));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(op25b_stats_writer_create("a/b", 1, 0));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(op25b_stats_writer_create(long_name, 1, 0));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(op25b_stats_writer_create("test-stats-invalid", 0, 0));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(op25b_stats_writer_create("test-stats-invalid",
					      OP25B_STATS_MAX_WORKERS + 1, 0));
	assert_int_equal(errno, EINVAL);
	assert_false(exists("/dev/shm/op25b.test-stats-invalid"));
}

/* A child owns the segment and waits; while it lives, the name is taken. */
static void
test_live_owner(void **state)
{
	struct fixture *f = *state;
	int ready[2], go[2], status;
	char byte;

	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(go), 0);
	f->child = fork();
	assert_true(f->child >= 0);
	if (f->child == 0) {
		struct op25b_stats_writer *w;

		close(ready[0]);
		close(go[1]);
		w = op25b_stats_writer_create(f->name, 1, 0);
		if (w == NULL)
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(2);
		/* Until the parent closes its end (or dies). */
		while (read(go[0], &byte, 1) > 0)
			;
		op25b_stats_writer_destroy(w);
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	f->go_fd = go[1];
	assert_int_equal(read(ready[0], &byte, 1), 1);
	close(ready[0]);

	errno = 0;
	assert_null(op25b_stats_writer_create(f->name, 1, 0));
	assert_int_equal(errno, EEXIST);
	/* The child's segment is intact and live. */
	f->r = op25b_stats_reader_open(f->name);
	assert_non_null(f->r);
	assert_int_equal(op25b_stats_reader_check(f->r), 0);
	assert_int_equal(op25b_stats_reader_read(f->r, f->snap, 10), 0);
	assert_int_equal(f->snap->header.pid, f->child);

	close(f->go_fd);
	f->go_fd = -1;
	assert_int_equal(waitpid(f->child, &status, 0), f->child);
	f->child = -1;
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_false(exists(f->path));
	assert_int_equal(op25b_stats_reader_check(f->r), -ENOENT);

	f->w = op25b_stats_writer_create(f->name, 1, 0);
	assert_non_null(f->w);
}

/* A segment whose writer is dead, or that is not a segment at all, is
 * replaced. */
static void
test_stale_replaced(void **state)
{
	struct fixture *f = *state;
	struct op25b_stats_header fake;
	char garbage[100];

	memset(&fake, 0, sizeof(fake));
	fake.magic = OP25B_STATS_MAGIC;
	fake.layout_version = OP25B_STATS_LAYOUT_VERSION;
	fake.header_size = sizeof(fake);
	fake.pid = (uint64_t)dead_pid();
	write_file(f->path, &fake, sizeof(fake));
	f->w = op25b_stats_writer_create(f->name, 1, 0);
	assert_non_null(f->w);
	assert_int_equal(op25b_stats_writer_header(f->w)->pid, getpid());
	op25b_stats_writer_destroy(f->w);
	f->w = NULL;
	assert_false(exists(f->path));

	memset(garbage, 'x', sizeof(garbage));
	write_file(f->path, garbage, sizeof(garbage));
	f->w = op25b_stats_writer_create(f->name, 1, 0);
	assert_non_null(f->w);
	assert_true(op25b_stats_writer_header(f->w)->magic ==
		    OP25B_STATS_MAGIC);
}

/*
 * A segment of another layout version whose writer lives (an op25b of
 * another build, started under the same --name) is that writer's: taking
 * its name would hide it from op25b-stat, and share its exemptions and
 * audit log. The pid is where every version keeps it (offset 48). Its
 * writer dead, it is stale like any other.
 */
static void
test_other_layout_owner(void **state)
{
	struct fixture *f = *state;
	struct op25b_stats_header fake;
	unsigned int i;
	static const uint32_t versions[] = { OP25B_STATS_LAYOUT_VERSION - 1,
					     OP25B_STATS_LAYOUT_VERSION + 1 };

	for (i = 0; i < 2; i++) {
		int lock = -1;

		memset(&fake, 0, sizeof(fake));
		fake.magic = OP25B_STATS_MAGIC;
		fake.layout_version = versions[i];
		/* Alive, and not us; a writer of a locking layout holds its
		 * lock (another open file description than create's). */
		fake.pid = (uint64_t)getppid();
		write_file(f->path, &fake, sizeof(fake));
		if (versions[i] >= OP25B_STATS_LOCKED_SINCE) {
			lock = open(f->path, O_RDONLY);
			assert_true(lock >= 0);
			assert_int_equal(flock(lock, LOCK_EX), 0);
		}
		assert_null(op25b_stats_writer_create(f->name, 1, 0));
		assert_int_equal(errno, EEXIST);
		assert_true(exists(f->path));
		if (lock >= 0)
			close(lock);

		fake.pid = (uint64_t)dead_pid();
		write_file(f->path, &fake, sizeof(fake));
		f->w = op25b_stats_writer_create(f->name, 1, 0);
		assert_non_null(f->w);
		op25b_stats_writer_destroy(f->w);
		f->w = NULL;
	}
}

/*
 * A file of another user (not root, not ours) at an instance's name, a
 * whole segment whose writer looks alive (a live pid, the lock held): one
 * a local user put in /dev/shm, /dev/shm being every user's. A reader
 * refuses it (EPERM: made-up counters) unless told to trust that user
 * (op25b-stat --owner); op25b refuses to start beside it with EPERM (it
 * said EEXIST: "another op25b runs as NAME"), and takes it over once its
 * writer is gone. Root only (chown).
 */
static void
test_other_user_segment(void **state)
{
	struct fixture *f = *state;
	struct op25b_stats_header h;
	char *buf;
	int lock;

	if (geteuid() != 0)
		skip();
	f->w = op25b_stats_writer_create(f->name, 1, 0);
	assert_non_null(f->w);
	memcpy(&h, op25b_stats_writer_header(f->w), sizeof(h));
	op25b_stats_writer_destroy(f->w);
	f->w = NULL;
	buf = calloc(1, h.total_size);
	assert_non_null(buf);
	h.pid = (uint64_t)getppid();
	memcpy(buf, &h, sizeof(h));
	write_file(f->path, buf, h.total_size);
	free(buf);
	lock = open(f->path, O_RDONLY);
	assert_true(lock >= 0);
	assert_int_equal(flock(lock, LOCK_EX), 0);
	/* Ours (root's): read, and its writer alive. */
	f->r = op25b_stats_reader_open(f->name);
	assert_non_null(f->r);
	op25b_stats_reader_close(f->r);
	f->r = NULL;
	assert_int_equal(chown(f->path, 12345, 12345), 0);
	errno = 0;
	assert_null(op25b_stats_reader_open(f->name));
	assert_int_equal(errno, EPERM);
	op25b_shm_trust_owner(12345);
	f->r = op25b_stats_reader_open(f->name);
	op25b_shm_trust_owner((uid_t)-1);
	assert_non_null(f->r);
	op25b_stats_reader_close(f->r);
	f->r = NULL;
	errno = 0;
	assert_null(op25b_stats_writer_create(f->name, 1, 0));
	assert_int_equal(errno, EPERM);
	assert_true(exists(f->path));
	/* Its writer gone: stale, taken over. */
	close(lock);
	f->w = op25b_stats_writer_create(f->name, 1, 0);
	assert_non_null(f->w);
	assert_int_equal(op25b_stats_writer_header(f->w)->pid, getpid());
	f->r = op25b_stats_reader_open(f->name);
	assert_non_null(f->r);
}

/*
 * A writer that died without removing its segment, whose pid still
 * answers: a zombie (its parent has not reaped it; a container without an
 * init), or a pid reused since. op25b refused to start under its own name
 * ("a live process owns that name") and op25b-stat showed the counters as
 * live. Its lock went with it: stale, replaced, and a reader says -ESRCH.
 */
static void
test_zombie_writer_stale(void **state)
{
	struct fixture *f = *state;
	int ready[2], status;
	char byte;

	assert_int_equal(pipe(ready), 0);
	f->child = fork();
	assert_true(f->child >= 0);
	if (f->child == 0) {
		close(ready[0]);
		if (op25b_stats_writer_create(f->name, 1, 0) == NULL)
			_exit(1);
		/* Ends without destroying: the segment stays. */
		_exit(write(ready[1], "r", 1) == 1 ? 0 : 2);
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &byte, 1), 1);
	close(ready[0]);
	/* Exited, not reaped (WNOWAIT): kill(pid, 0) still finds it. */
	for (;;) {
		siginfo_t info = { 0 };

		assert_int_equal(waitid(P_PID, (id_t)f->child, &info,
					WEXITED | WNOHANG | WNOWAIT),
				 0);
		if (info.si_pid == f->child)
			break;
		usleep(1000);
	}
	assert_int_equal(kill(f->child, 0), 0);
	f->r = op25b_stats_reader_open(f->name);
	assert_non_null(f->r);
	assert_int_equal(op25b_stats_reader_check(f->r), -ESRCH);
	f->w = op25b_stats_writer_create(f->name, 1, 0);
	assert_non_null(f->w);
	assert_int_equal(op25b_stats_writer_header(f->w)->pid, getpid());
	assert_int_equal(waitpid(f->child, &status, 0), f->child);
	f->child = -1;
}

/* Our own earlier segment is not a live owner (the spec: "not us"); the
 * first writer's destroy then leaves the second's segment alone. */
static void
test_replace_own(void **state)
{
	struct fixture *f = *state;
	struct op25b_stats_writer *first;

	first = op25b_stats_writer_create(f->name, 1, 0);
	assert_non_null(first);
	f->w = op25b_stats_writer_create(f->name, 1, 0);
	assert_non_null(f->w);
	op25b_stats_writer_destroy(first);
	assert_true(exists(f->path));
	f->r = op25b_stats_reader_open(f->name);
	assert_non_null(f->r);
}

/* A writer that died without destroy: readers see -ESRCH; a new writer
 * replaces the segment and old readers see -EPROTO (reopen). */
static void
test_reader_check(void **state)
{
	struct fixture *f = *state;
	int status;

	f->child = fork();
	assert_true(f->child >= 0);
	if (f->child == 0)
		_exit(op25b_stats_writer_create(f->name, 1, 0) == NULL ? 1 : 0);
	assert_int_equal(waitpid(f->child, &status, 0), f->child);
	f->child = -1;
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(exists(f->path));

	f->r = op25b_stats_reader_open(f->name);
	assert_non_null(f->r);
	assert_int_equal(op25b_stats_reader_check(f->r), -ESRCH);
	/* Its last counters stay readable. */
	assert_int_equal(op25b_stats_reader_read(f->r, f->snap, 10), 0);

	f->w = op25b_stats_writer_create(f->name, 3, 0);
	assert_non_null(f->w);
	assert_int_equal(op25b_stats_reader_check(f->r), -EPROTO);
	op25b_stats_reader_close(f->r);
	f->r = op25b_stats_reader_open(f->name);
	assert_non_null(f->r);
	assert_int_equal(op25b_stats_reader_check(f->r), 0);
	assert_int_equal(op25b_stats_reader_read(f->r, f->snap, 10), 0);
	assert_int_equal(f->snap->n_workers, 3);
	assert_int_equal(op25b_stats_reader_check(NULL), -EINVAL);
}

/* ---- slots ------------------------------------------------------------ */

static void
test_slots(void **state)
{
	struct fixture *f = *state;
	const struct op25b_stats_names *n;
	char name[OP25B_STATS_NAME_MAX + 1];
	unsigned int i;

	f->w = op25b_stats_writer_create(f->name, 1, 0);
	assert_non_null(f->w);
	n = op25b_stats_writer_names(f->w);
	op25b_stats_writer_layout_begin(f->w);
	assert_int_equal(op25b_stats_writer_class_slot(f->w, "dynamic"), 1);
	assert_int_equal(op25b_stats_writer_class_slot(f->w, "static"), 2);
	assert_int_equal(op25b_stats_writer_class_slot(f->w, "dynamic"), 1);
	/* Groups have their own slots. */
	assert_int_equal(op25b_stats_writer_group_slot(f->w, "static"), 1);
	assert_int_equal(op25b_stats_writer_group_slot(f->w, "isp-relays"), 2);
	op25b_stats_writer_layout_end(f->w);
	assert_int_equal(op25b_stats_writer_header(f->w)->epoch, 2);
	assert_int_equal(n->n_class_slots, 3);
	assert_int_equal(n->n_group_slots, 3);
	assert_string_equal(n->class_name[1], "dynamic");
	assert_string_equal(n->class_name[2], "static");
	assert_string_equal(n->group_name[2], "isp-relays");
	/* Activity is the appliance's business. */
	assert_int_equal(n->class_active[1], 0);

	assert_int_equal(op25b_stats_writer_class_slot(f->w, ""), -EINVAL);
	assert_int_equal(op25b_stats_writer_class_slot(f->w, NULL), -EINVAL);
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_int_equal(op25b_stats_writer_class_slot(f->w, name), -EINVAL);
	name[OP25B_STATS_NAME_MAX - 1] = '\0';
	assert_int_equal(op25b_stats_writer_class_slot(f->w, name), 3);
	assert_string_equal(n->class_name[3], name);

	/* Fill every slot: 255 names, then no more, and the old ones stay
	 * where they were. Planned before the last one: the slot it gets,
	 * twice (a plan gives none), and no room for one more after it. */
	for (i = 4; i < OP25B_STATS_SLOTS; i++) {
		snprintf(name, sizeof(name), "class-%u", i);
		if (i == OP25B_STATS_SLOTS - 1) {
			const char *classes[] = { "static", name };
			const char *two[] = { name, "class-256" };
			const char *groups[] = { "isp-relays", "new-group" };
			uint8_t cs[2] = { 0, 0 }, gs[2] = { 0, 0 };
			unsigned int k;

			for (k = 0; k < 2; k++) {
				assert_int_equal(op25b_stats_writer_slots_plan(
							 f->w, classes, 2,
							 groups, 2, cs, gs),
						 0);
				assert_int_equal(cs[0], 2);
				assert_int_equal(cs[1], i);
				assert_int_equal(gs[0], 2);
				assert_int_equal(gs[1], 3);
			}
			assert_int_equal(op25b_stats_writer_slots_plan(
						 f->w, two, 2, NULL, 0, cs, gs),
					 -ENOSPC);
			assert_int_equal(n->n_class_slots, i);
			assert_int_equal(n->n_group_slots, 3);
		}
		assert_int_equal(op25b_stats_writer_class_slot(f->w, name), i);
	}
	{
		const char *known[] = { "dynamic", "class-255" };
		const char *one_more[] = { "dynamic", "one-too-many" };
		const char *empty[] = { "" };
		uint8_t cs[2], gs[1];

		/* Names already given keep their slots, a new class has
		 * none left; a name the loader refuses is refused. */
		assert_int_equal(op25b_stats_writer_slots_plan(f->w, known, 2,
							       NULL, 0, cs, gs),
				 0);
		assert_int_equal(cs[0], 1);
		assert_int_equal(cs[1], 255);
		assert_int_equal(op25b_stats_writer_slots_plan(
					 f->w, one_more, 2, NULL, 0, cs, gs),
				 -ENOSPC);
		assert_int_equal(op25b_stats_writer_slots_plan(
					 f->w, NULL, 0, empty, 1, cs, gs),
				 -EINVAL);
	}
	{
		const char *twice[] = { "new-a", "static", "new-a" };
		uint8_t gs[3];

		/* A name given twice is planned one slot, as class_slot()
		 * would give it. */
		assert_int_equal(op25b_stats_writer_slots_plan(
					 f->w, NULL, 0, twice, 3, NULL, gs),
				 0);
		assert_int_equal(gs[0], 3);
		assert_int_equal(gs[1], 1);
		assert_int_equal(gs[2], 3);
	}
	assert_int_equal(n->n_class_slots, OP25B_STATS_SLOTS);
	assert_int_equal(op25b_stats_writer_class_slot(f->w, "one-too-many"),
			 -ENOSPC);
	assert_int_equal(op25b_stats_writer_class_slot(f->w, "static"), 2);
	assert_int_equal(op25b_stats_writer_class_slot(f->w, "class-255"), 255);
	assert_int_equal(n->n_class_slots, OP25B_STATS_SLOTS);
	assert_int_equal(op25b_stats_writer_group_slot(f->w, "still-room"), 3);
}

/* ---- reader ----------------------------------------------------------- */

static void
test_open_errors(void **state)
{
	struct fixture *f = *state;
	struct op25b_stats_header h;
	char *buf;
	size_t size;

	errno = 0;
	assert_null(op25b_stats_reader_open(f->name));
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_null(op25b_stats_reader_open("a/b"));
	assert_int_equal(errno, EINVAL);

	/* Too short for a header. */
	write_file(f->path, "op25b", 5);
	errno = 0;
	assert_null(op25b_stats_reader_open(f->name));
	assert_int_equal(errno, EPROTO);

	/* Long enough, but garbage. */
	size = 128 * 1024;
	buf = malloc(size);
	assert_non_null(buf);
	memset(buf, 'x', size);
	write_file(f->path, buf, size);
	errno = 0;
	assert_null(op25b_stats_reader_open(f->name));
	assert_int_equal(errno, EPROTO);

	/* A real header in a file of another size. */
	f->w = op25b_stats_writer_create(f->name, 1, 0);
	assert_non_null(f->w);
	memcpy(&h, op25b_stats_writer_header(f->w), sizeof(h));
	op25b_stats_writer_destroy(f->w);
	f->w = NULL;
	memcpy(buf, &h, sizeof(h));
	write_file(f->path, buf, size);
	errno = 0;
	assert_null(op25b_stats_reader_open(f->name));
	assert_int_equal(errno, EPROTO);

	/* The right size, another layout version. */
	h.layout_version = OP25B_STATS_LAYOUT_VERSION + 1;
	memcpy(buf, &h, sizeof(h));
	write_file(f->path, buf, h.total_size);
	errno = 0;
	assert_null(op25b_stats_reader_open(f->name));
	assert_int_equal(errno, EPROTO);
	h.layout_version = OP25B_STATS_LAYOUT_VERSION;
	memcpy(buf, &h, sizeof(h));
	write_file(f->path, buf, h.total_size);
	f->r = op25b_stats_reader_open(f->name);
	assert_non_null(f->r);

	/* Resized under an open reader. */
	assert_int_equal(truncate(f->path, (off_t)h.total_size + 64), 0);
	assert_int_equal(op25b_stats_reader_read(f->r, f->snap, 1), -EPROTO);
	free(buf);
	op25b_stats_reader_close(NULL);
}

/* Port 0 of @p h: the subscriber side, net_pcap0, 35 frames received. */
static void
subscriber_port0(struct op25b_stats_header *h)
{
	h->ports[0].port_id = 0;
	h->ports[0].is_subscriber = 1;
	snprintf(h->ports[0].name, sizeof(h->ports[0].name), "net_pcap0");
	h->ports[0].rx = 35;
}

static void
test_snapshot_sums(void **state)
{
	struct fixture *f = *state;
	struct op25b_stats_snapshot *s = f->snap;
	struct op25b_stats_header *h;
	unsigned int w, i, v;
	int dynamic;

	f->w = op25b_stats_writer_create(f->name, 3, 1000);
	assert_non_null(f->w);
	h = op25b_stats_writer_header(f->w);
	op25b_stats_writer_layout_begin(f->w);
	dynamic = op25b_stats_writer_class_slot(f->w, "dynamic");
	assert_int_equal(dynamic, 1);
	assert_int_equal(op25b_stats_writer_group_slot(f->w, "isp-relays"), 1);
	assert_int_equal(op25b_stats_writer_group_slot(f->w, "mobile-mx"), 2);
	op25b_stats_writer_names(f->w)->class_active[1] = 1;
	h->policy_generation = 1;
	snprintf(h->policy_file, sizeof(h->policy_file), "config/op25b.yaml");
	op25b_stats_writer_layout_end(f->w);
	h->n_ports = 2;
	subscriber_port0(h);
	h->ports[1].port_id = 1;
	snprintf(h->ports[1].name, sizeof(h->ports[1].name), "net_pcap1");
	h->ports[1].tx = 22;

	for (w = 0; w < 3; w++) {
		struct op25b_stats_worker *wk =
			op25b_stats_writer_worker(f->w, w);

		for (i = 0; i < OP25B_OUTCOME_MAX; i++)
			wk->counters.outcome[i] = (w + 1) * 100 + i;
		for (v = 0; v < OP25B_VERDICT_MAX; v++) {
			wk->counters.class_verdict[1][v] = w * 10 + v;
			wk->counters.class_verdict[255][v] = 1;
		}
		wk->counters.group_verdict[2][3] = w + 1;
		wk->port[0].rx = 1000 * (w + 1);
		wk->port[1].tx_dropped = w;
		wk->port[31].tx = 5;
		wk->upstream = w + 7;
		wk->loops = 1000 + w;
		wk->busy_loops = w;
		wk->lcore_id = w + 1;
	}

	f->r = op25b_stats_reader_open(f->name);
	assert_non_null(f->r);
	assert_int_equal(op25b_stats_reader_read(f->r, s, 1), 0);
	assert_int_equal(s->n_workers, 3);
	assert_int_equal(s->header.epoch, 2);
	assert_int_equal(s->header.policy_generation, 1);
	assert_int_equal(s->header.tsc_hz, 1000);
	assert_string_equal(s->header.instance, f->name);
	assert_string_equal(s->header.policy_file, "config/op25b.yaml");
	assert_int_equal(s->header.n_ports, 2);
	assert_string_equal(s->header.ports[0].name, "net_pcap0");
	assert_int_equal(s->header.ports[0].is_subscriber, 1);
	assert_int_equal(s->header.ports[0].rx, 35);
	assert_int_equal(s->header.ports[1].tx, 22);
	assert_int_equal(s->names.n_class_slots, 2);
	assert_int_equal(s->names.n_group_slots, 3);
	assert_string_equal(s->names.class_name[0], "(none)");
	assert_string_equal(s->names.class_name[1], "dynamic");
	assert_string_equal(s->names.group_name[2], "mobile-mx");
	assert_int_equal(s->names.class_active[1], 1);
	assert_int_equal(s->names.group_active[1], 0);

	for (i = 0; i < OP25B_OUTCOME_MAX; i++)
		assert_int_equal(s->totals.outcome[i], 600 + 3 * i);
	for (v = 0; v < OP25B_VERDICT_MAX; v++) {
		assert_int_equal(s->totals.class_verdict[1][v], 30 + 3 * v);
		assert_int_equal(s->totals.class_verdict[255][v], 3);
		assert_int_equal(s->totals.class_verdict[0][v], 0);
	}
	assert_int_equal(s->totals.group_verdict[2][3], 6);
	assert_int_equal(s->totals.group_verdict[2][2], 0);
	assert_int_equal(s->port_app[0].rx, 6000);
	assert_int_equal(s->port_app[0].tx, 0);
	assert_int_equal(s->port_app[1].tx_dropped, 3);
	assert_int_equal(s->port_app[31].tx, 15);
	assert_int_equal(s->upstream, 7 + 8 + 9);
	for (w = 0; w < 3; w++) {
		assert_int_equal(s->workers[w].lcore_id, w + 1);
		assert_int_equal(s->workers[w].loops, 1000 + w);
		assert_int_equal(s->workers[w].busy_loops, w);
	}
	assert_int_equal(s->workers[3].loops, 0);

	/* Counters move without any epoch change; a new read sees them. */
	op25b_stats_writer_worker(f->w, 2)->counters.outcome[0] += 5;
	assert_int_equal(op25b_stats_reader_read(f->r, s, 1), 0);
	assert_int_equal(s->totals.outcome[0], 605);
	assert_int_equal(op25b_stats_reader_read(NULL, s, 1), -EINVAL);
}

/* A hook that marks every extra cell with the counter it was given. */
static void
mark_head(FILE *out, const char *column, int width, void *ctx)
{
	(void)ctx;
	fprintf(out, " %*s<", width, column);
}

static void
mark_cell(FILE *out, const uint64_t *value, int width, void *ctx)
{
	(void)ctx;
	fprintf(out, " %*" PRIu64 "<", width, *value);
}

static char *
render(const struct op25b_stats_snapshot *s, bool json,
       const struct op25b_stats_text_hook *hook)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	assert_non_null(out);
	if (json)
		assert_int_equal(op25b_stats_print_json(out, s, "\"x\": 1"), 0);
	else
		assert_int_equal(op25b_stats_print_text(out, s, hook), 0);
	fclose(out);
	return text;
}

/* The JSON and text views of a snapshot: the header figures with mode and
 * block by name, every port figure, the sample time of the port figures,
 * and the columns a hook adds. */
static void
test_views(void **state)
{
	struct fixture *f = *state;
	struct op25b_stats_snapshot *s = f->snap;
	struct op25b_stats_text_hook hook = { .head = mark_head,
					      .cell = mark_cell };
	struct op25b_stats_header *h;
	char *text;

	f->w = op25b_stats_writer_create(f->name, 1, 1000);
	assert_non_null(f->w);
	h = op25b_stats_writer_header(f->w);
	op25b_stats_writer_layout_begin(f->w);
	h->policy_generation = 2;
	h->mode = OP25B_STATS_MODE_MONITOR;
	h->block = OP25B_STATS_BLOCK_RESET;
	snprintf(h->policy_file, sizeof(h->policy_file), "p.yaml");
	op25b_stats_writer_layout_end(f->w);
	h->reload_ok = 1;
	h->n_ports = 1;
	subscriber_port0(h);
	h->ports[0].rx_bytes = 123456;
	h->ports[0].rx_nombuf = 2;
	h->adaptive_triggered = 3;
	op25b_stats_writer_worker(f->w, 0)->port[0].tx_dropped = 9;
	f->r = op25b_stats_reader_open(f->name);
	assert_non_null(f->r);
	assert_int_equal(op25b_stats_reader_read(f->r, s, 1), 0);

	text = render(s, true, NULL);
	assert_non_null(strstr(
		text, "\n  \"generation\": 2,\n  \"reload_ok\": 1,"
		      "\n  \"reload_failed\": 0,\n  \"exemptions\": 0,"
		      "\n  \"mode\": \"monitor\",\n  \"block\": \"reset\","
		      "\n  \"records_written\": 0,\n  \"records_dropped\": 0,"
		      "\n  \"records_over_rate\": 0,"
		      "\n  \"adaptive_tracked\": 0,\n  \"adaptive_blocked\": 0,"
		      "\n  \"adaptive_triggered\": 3,"
		      "\n  \"adaptive_evicted\": 0,"
		      "\n  \"adaptive_table_full\": 0,"
		      "\n  \"ports_updated_seconds\": null,"));
	/* Not sampled yet: the driver's figures are none, not zeros (a
	 * link_up 0 reads as a link down); the workers' are counted. */
	assert_non_null(strstr(text,
			       "{\"port\": 0, \"name\": \"net_pcap0\", "
			       "\"role\": \"subscriber\", \"rx\": null, "
			       "\"tx\": null, \"rx_bytes\": null, "
			       "\"tx_bytes\": null, \"rx_missed\": null, "
			       "\"rx_errors\": null, \"rx_nombuf\": null, "
			       "\"tx_errors\": null, \"link_up\": null, "
			       "\"speed_mbps\": null, \"worker_rx\": 0, "
			       "\"worker_tx\": 0, \"tx_dropped\": 9}"));
	assert_non_null(strstr(text, ",\n  \"x\": 1\n}\n"));
	free(text);

	text = render(s, false, NULL);
	assert_non_null(strstr(text,
			       "\npolicy p.yaml, generation 2, reload_ok 1, "
			       "reload_failed 0, exemptions 0, mode monitor, "
			       "block reset, records_written 0, "
			       "records_dropped 0, records_over_rate 0\n"
			       "adaptive_tracked 0, "
			       "adaptive_blocked 0, adaptive_triggered 3, "
			       "adaptive_evicted 0, adaptive_table_full 0\n"));
	assert_non_null(strstr(text, "\nports (driver figures not sampled "
				     "yet)\n"));
	assert_non_null(strstr(text, "\nrx_bytes             123456\n"));
	assert_non_null(strstr(text, "\ntx_dropped                9\n"));
	assert_null(strchr(text, '<'));
	free(text);

	/* A sample time, and the hook's columns beside each counter. */
	h->ports_updated_ns = 1796313509727000000ull;
	assert_int_equal(op25b_stats_reader_read(f->r, s, 1), 0);
	text = render(s, true, NULL);
	assert_non_null(
		strstr(text, "\n  \"ports_updated_seconds\": 1796313509.727,"));
	assert_non_null(
		strstr(text, "{\"port\": 0, \"name\": \"net_pcap0\", "
			     "\"role\": \"subscriber\", \"rx\": 35, \"tx\": 0, "
			     "\"rx_bytes\": 123456, \"tx_bytes\": 0, "
			     "\"rx_missed\": 0, \"rx_errors\": 0, "
			     "\"rx_nombuf\": 2, \"tx_errors\": 0, "
			     "\"link_up\": 0, \"speed_mbps\": 0, "
			     "\"worker_rx\": 0, \"worker_tx\": 0, "
			     "\"tx_dropped\": 9}"));
	free(text);
	text = render(s, false, &hook);
	assert_non_null(strstr(text, "\nports (driver figures sampled "
				     "2026-12-03T15:58:29.727Z, "));
	assert_non_null(strstr(
		text, "\nrx_bytes             123456         123456<\n"));
	assert_non_null(strstr(text, "\npackets                       total"
				     "        total<\n"));
	assert_non_null(strstr(text, "     blocked<       reset<\n"));
	free(text);
}

/* A per-class family's names: the @p n @p names in list order, "unknown"
 * past them; and help for the first. */
static void
expect_family_names(const char *(*name)(unsigned int),
		    const char *(*help)(unsigned int), const char *const *names,
		    unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		assert_string_equal(name(i), names[i]);
	assert_string_equal(name(n), "unknown");
	assert_true(strlen(help(0)) > 10);
}

/* What @p f's reader reads now, in the text view, has no @p absent. */
static void
expect_text_without(struct fixture *f, const char *absent)
{
	char *text;

	assert_int_equal(op25b_stats_reader_read(f->r, f->snap, 1), 0);
	text = render(f->snap, false, NULL);
	assert_null(strstr(text, absent));
	free(text);
}

/* A segment of @p n_workers with classes @p a (slot 1) and @p b (slot 2)
 * in the policy, and its reader. */
static void
two_classes(struct fixture *f, unsigned int n_workers, const char *a,
	    const char *b)
{
	f->w = op25b_stats_writer_create(f->name, n_workers, 1000);
	assert_non_null(f->w);
	op25b_stats_writer_layout_begin(f->w);
	assert_int_equal(op25b_stats_writer_class_slot(f->w, a), 1);
	assert_int_equal(op25b_stats_writer_class_slot(f->w, b), 2);
	op25b_stats_writer_names(f->w)->class_active[1] = 1;
	op25b_stats_writer_names(f->w)->class_active[2] = 1;
	op25b_stats_writer_layout_end(f->w);
	f->r = op25b_stats_reader_open(f->name);
	assert_non_null(f->r);
}

/* block: notify's counters, per class: summed over workers, in the JSON
 * row of their class under their one name, and in the text view only
 * where a class has answered something. */
static void
test_notify_views(void **state)
{
	static const char *const names[] = { "notify_syn_ack", "notified",
					     "notify_bad_cookie",
					     "notify_over_budget",
					     "notify_no_room" };
	struct fixture *f = *state;
	struct op25b_stats_snapshot *s = f->snap;
	unsigned int w, i;
	char *text;

	expect_family_names(op25b_notify_counter_name,
			    op25b_notify_counter_help, names,
			    sizeof(names) / sizeof(names[0]));

	two_classes(f, 2, "dynamic", "static");

	/* Nothing answered: the text view has no notify table. */
	expect_text_without(f, "notified");

	for (w = 0; w < 2; w++)
		for (i = 0; i < OP25B_NOTIFY_MAX; i++)
			op25b_stats_writer_worker(f->w, w)
				->counters.class_notify[1][i] = 10 * w + i + 1;
	assert_int_equal(op25b_stats_reader_read(f->r, s, 1), 0);
	for (i = 0; i < OP25B_NOTIFY_MAX; i++)
		assert_int_equal(s->totals.class_notify[1][i], 2 * i + 12);
	text = render(s, true, NULL);
	assert_non_null(strstr(
		text,
		"\n  \"notify\": {\n    \"dynamic\": {\"notify_syn_ack\": "
		"12, \"notified\": 14, \"notify_bad_cookie\": 16, "
		"\"notify_over_budget\": 18, \"notify_no_room\": 20},\n"
		"    \"static\": "
		"{\"notify_syn_ack\": 0, "));
	/* The verdict rows keep their four keys. */
	assert_non_null(strstr(text, "\"dynamic\": {\"forwarded\": 0, "
				     "\"counted\": 0, \"blocked\": 0, "
				     "\"reset\": 0}"));
	free(text);
	text = render(s, false, NULL);
	assert_non_null(strstr(text,
			       "\nclass (block: notify)        notify_syn_ack"
			       "           notified  notify_bad_cookie "
			       "notify_over_budget     notify_no_room\n"
			       "dynamic                 "
			       "                 12                 14"
			       "                 16                 18"
			       "                 20\n\n"));
	free(text);
}

/* Adaptive blocking per class: the control lcore's figures in the header,
 * in the JSON row of their class under the name of their instance total,
 * and in the text view only where a class has triggered. */
static void
test_class_adaptive_views(void **state)
{
	static const char *const names[] = { "adaptive_triggered" };
	struct fixture *f = *state;
	struct op25b_stats_snapshot *s = f->snap;
	char *text;

	assert_int_equal(OP25B_CLASS_ADAPTIVE_MAX, 1);
	expect_family_names(op25b_class_adaptive_name,
			    op25b_class_adaptive_help, names, 1);

	two_classes(f, 1, "home", "hosting");

	/* Nothing triggered: the text view has no adaptive table. */
	expect_text_without(f, "class (adaptive)");

	op25b_stats_writer_header(f->w)
		->class_adaptive[2][OP25B_CLASS_ADAPTIVE_TRIGGERED] = 7;
	op25b_stats_writer_header(f->w)->adaptive_triggered = 7;
	assert_int_equal(op25b_stats_reader_read(f->r, s, 1), 0);
	text = render(s, true, NULL);
	assert_non_null(strstr(text,
			       "\n  \"adaptive\": {\n    \"home\": "
			       "{\"adaptive_triggered\": 0},\n    "
			       "\"hosting\": {\"adaptive_triggered\": 7},"
			       "\n    \"(none)\": {\"adaptive_triggered\": "
			       "0}\n  },"));
	free(text);
	text = render(s, false, NULL);
	assert_non_null(strstr(text, "\nclass (adaptive)         "
				     "adaptive_triggered\nhosting          "
				     "                         7\n\n"));
	assert_null(strstr(text, "\nhome                              "
				 "        0\n"));
	free(text);
}

/* While the writer holds the epoch odd, no snapshot is taken. */
static void
test_read_during_change(void **state)
{
	struct fixture *f = *state;

	f->w = op25b_stats_writer_create(f->name, 1, 0);
	assert_non_null(f->w);
	f->r = op25b_stats_reader_open(f->name);
	assert_non_null(f->r);
	op25b_stats_writer_layout_begin(f->w);
	assert_int_equal(op25b_stats_reader_read(f->r, f->snap, 5), -EAGAIN);
	assert_int_equal(op25b_stats_reader_read(f->r, f->snap, 0), -EAGAIN);
	op25b_stats_writer_layout_end(f->w);
	assert_int_equal(op25b_stats_reader_read(f->r, f->snap, 0), 0);
	assert_int_equal(f->snap->header.epoch, 2);
}

/* ---- a reader racing a layout-changing writer ------------------------- */

#define RACE_SECONDS 1.5
/* The run goes on past RACE_SECONDS, up to this, until the race has
 * happened as often as the test asks (a loaded machine, a sanitizer): a
 * count seen in a fixed window made the test fail under a load of 10. */
#define RACE_MAX_SECONDS 30
#define RACE_MIN_CHANGES 100
#define RACE_MIN_SNAPSHOTS 100
#define RACE_MIN_GENERATIONS 50
/* A layout change every 100 us, far more often than any reload: copies
 * overlap changes often enough that a reader that skipped the epoch check
 * is caught in every run (some 20 mixed snapshots out of 30,000 on two
 * CPUs; at one change a millisecond, only one or two). */
#define RACE_CHANGE_NS 100000
#define RACE_WORKERS 2

/* Layout number g names class slot s "c<g>_<s>" and group slot s
 * "g<g>_<s>", uses this many slots, and has policy generation g and epoch
 * 2g: a snapshot that mixes two layouts has a name, a count or a
 * generation from another g. */
static uint32_t
race_class_slots(uint64_t g)
{
	return g == 0 ? 1 : 1 + (uint32_t)(g * 37 % (OP25B_STATS_SLOTS - 1));
}

static uint32_t
race_group_slots(uint64_t g)
{
	return g == 0 ? 1 : 1 + (uint32_t)(g * 101 % 200);
}

struct race {
	struct op25b_stats_writer *w;
	struct op25b_stats_reader *r;
	struct op25b_stats_snapshot *snap, *prev;
	int stop;
	/* writer's */
	uint64_t changes;
	/* reader's */
	uint64_t snapshots, eagain, generations_seen, errors, violations;
	char first_violation[256];
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The writer's stores are atomic, as the appliance's plain aligned stores
 * are on the hardware: so that TSan judges the protocol, not the
 * compiler's freedom with plain stores. */
static void
race_store_name(char *dst, char prefix, uint64_t g, unsigned int s)
{
	char buf[OP25B_STATS_NAME_MAX];
	uint64_t word;
	unsigned int i;

	memset(buf, 0, sizeof(buf));
	snprintf(buf, sizeof(buf), "%c%" PRIu64 "_%u", prefix, g, s);
	for (i = 0; i < sizeof(buf); i += 8) {
		memcpy(&word, buf + i, 8);
		__atomic_store_n((uint64_t *)(void *)(dst + i), word,
				 __ATOMIC_RELAXED);
	}
}

static void
race_increment(uint64_t *counter, uint64_t by)
{
	__atomic_store_n(counter, *counter + by, __ATOMIC_RELAXED);
}

static void *
race_writer(void *arg)
{
	struct race *race = arg;
	struct op25b_stats_header *h = op25b_stats_writer_header(race->w);
	struct op25b_stats_names *n = op25b_stats_writer_names(race->w);
	uint64_t g = 0, next_change = now_ns(), k = 0, snapshots_then = 0;

	while (!__atomic_load_n(&race->stop, __ATOMIC_RELAXED)) {
		unsigned int i;

		for (i = 0; i < 256; i++, k++) {
			struct op25b_stats_worker *wk =
				op25b_stats_writer_worker(race->w,
							  k % RACE_WORKERS);

			struct op25b_stats_counters *c = &wk->counters;

			race_increment(&c->outcome[k % OP25B_OUTCOME_MAX], 1);
			race_increment(
				&c->class_verdict[k % OP25B_STATS_SLOTS][k % 4],
				k % 3);
			race_increment(
				&c->group_verdict[(k * 7) % OP25B_STATS_SLOTS]
						 [(k / 4) % 4],
				1);
			race_increment(&wk->port[k % OP25B_STATS_MAX_PORTS].rx,
				       2);
			race_increment(&wk->upstream, 1);
			race_increment(&wk->loops, 1);
		}
		/* Not before the reader has taken a snapshot of the last
		 * layout: a copy slower than the interval (under a sanitizer)
		 * would otherwise never complete, which tests nothing. */
		if (now_ns() < next_change ||
		    __atomic_load_n(&race->snapshots, __ATOMIC_RELAXED) ==
			    snapshots_then)
			continue;
		snapshots_then =
			__atomic_load_n(&race->snapshots, __ATOMIC_RELAXED);
		next_change = now_ns() + RACE_CHANGE_NS;
		g++;
		op25b_stats_writer_layout_begin(race->w);
		__atomic_store_n(&h->policy_generation, g, __ATOMIC_RELAXED);
		for (i = 1; i < race_class_slots(g); i++) {
			race_store_name(n->class_name[i], 'c', g, i);
			/* A writer preempted mid-change: readers must wait
			 * or retry, never take half of it. */
			if (i == 64)
				sched_yield();
		}
		for (i = 1; i < race_group_slots(g); i++)
			race_store_name(n->group_name[i], 'g', g, i);
		__atomic_store_n(&n->n_class_slots, race_class_slots(g),
				 __ATOMIC_RELAXED);
		__atomic_store_n(&n->n_group_slots, race_group_slots(g),
				 __ATOMIC_RELAXED);
		op25b_stats_writer_layout_end(race->w);
		/* Progress, for the test's wait (see RACE_MAX_SECONDS). */
		__atomic_store_n(&race->changes, g, __ATOMIC_RELAXED);
	}
	__atomic_store_n(&race->changes, g, __ATOMIC_RELAXED);
	return NULL;
}

static void race_violation(struct race *race, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
race_violation(struct race *race, const char *fmt, ...)
{
	va_list ap;

	if (race->violations++ > 0)
		return;
	va_start(ap, fmt);
	vsnprintf(race->first_violation, sizeof(race->first_violation), fmt,
		  ap);
	va_end(ap);
}

/* Every total at least what it was: compared word by word. */
static void
race_check_growth(struct race *race)
{
	const struct op25b_stats_snapshot *s = race->snap, *p = race->prev;
	const uint64_t *cur = (const uint64_t *)&s->totals;
	const uint64_t *old = (const uint64_t *)&p->totals;
	unsigned int i;

	for (i = 0; i < sizeof(s->totals) / 8; i++)
		if (cur[i] < old[i]) {
			race_violation(race,
				       "counter word %u went back from %" PRIu64
				       " to %" PRIu64,
				       i, old[i], cur[i]);
			return;
		}
	for (i = 0; i < OP25B_STATS_MAX_PORTS; i++)
		if (s->port_app[i].rx < p->port_app[i].rx)
			race_violation(race, "port %u rx went back", i);
	if (s->upstream < p->upstream)
		race_violation(race, "upstream went back");
	for (i = 0; i < RACE_WORKERS; i++)
		if (s->workers[i].loops < p->workers[i].loops)
			race_violation(race, "worker %u loops went back", i);
}

/* Slots 1 to @p n - 1 of @p names (@p kind: "class" or "group") are named
 * as generation @p g named them: c<g>_<slot>, g<g>_<slot>. */
static void
race_check_names(struct race *race, uint64_t g, const char *kind,
		 const char (*names)[OP25B_STATS_NAME_MAX], unsigned int n)
{
	char want[OP25B_STATS_NAME_MAX];
	unsigned int i;

	for (i = 1; i < n; i++) {
		snprintf(want, sizeof(want), "%c%" PRIu64 "_%u", kind[0], g, i);
		if (strcmp(names[i], want) != 0) {
			race_violation(race,
				       "generation %" PRIu64 ": %s slot %u "
				       "is '%s'",
				       g, kind, i, names[i]);
			break;
		}
	}
}

static void
race_check_layout(struct race *race)
{
	const struct op25b_stats_snapshot *s = race->snap;
	uint64_t g = s->header.policy_generation;

	if (s->header.epoch != 2 * g)
		race_violation(race,
			       "epoch %" PRIu64 " with generation %" PRIu64,
			       s->header.epoch, g);
	if (s->names.n_class_slots != race_class_slots(g) ||
	    s->names.n_group_slots != race_group_slots(g))
		race_violation(race,
			       "generation %" PRIu64 " with %u class and %u "
			       "group slots, want %u and %u",
			       g, s->names.n_class_slots,
			       s->names.n_group_slots, race_class_slots(g),
			       race_group_slots(g));
	if (strcmp(s->names.class_name[0], "(none)") != 0)
		race_violation(race, "slot 0 renamed");
	race_check_names(race, g, "class", s->names.class_name,
			 s->names.n_class_slots);
	race_check_names(race, g, "group", s->names.group_name,
			 s->names.n_group_slots);
}

static void *
race_reader(void *arg)
{
	struct race *race = arg;
	uint64_t last_g = UINT64_MAX;

	while (!__atomic_load_n(&race->stop, __ATOMIC_RELAXED)) {
		struct op25b_stats_snapshot *t;
		int ret = op25b_stats_reader_read(race->r, race->snap, 1000);

		if (ret == -EAGAIN) {
			race->eagain++;
			continue;
		}
		if (ret != 0) {
			race->errors++;
			continue;
		}
		race_check_layout(race);
		if (race->snapshots > 0)
			race_check_growth(race);
		if (race->snap->header.policy_generation != last_g) {
			last_g = race->snap->header.policy_generation;
			__atomic_store_n(&race->generations_seen,
					 race->generations_seen + 1,
					 __ATOMIC_RELAXED);
		}
		__atomic_store_n(&race->snapshots, race->snapshots + 1,
				 __ATOMIC_RELAXED);
		t = race->prev;
		race->prev = race->snap;
		race->snap = t;
	}
	return NULL;
}

/* Whether the race has happened as often as the test asks. */
static bool
race_enough(const struct race *race)
{
	return __atomic_load_n(&race->changes, __ATOMIC_RELAXED) >=
		       RACE_MIN_CHANGES &&
	       __atomic_load_n(&race->snapshots, __ATOMIC_RELAXED) >=
		       RACE_MIN_SNAPSHOTS &&
	       __atomic_load_n(&race->generations_seen, __ATOMIC_RELAXED) >=
		       RACE_MIN_GENERATIONS;
}

static void
test_concurrent_layout(void **state)
{
	struct fixture *f = *state;
	struct timespec run = { (time_t)RACE_SECONDS,
				(long)((RACE_SECONDS - (time_t)RACE_SECONDS) *
				       1e9) };
	struct timespec step = { 0, 50000000 }; /* 50 ms */
	pthread_t writer, reader;
	unsigned int waited;
	struct race race;

	memset(&race, 0, sizeof(race));
	f->w = op25b_stats_writer_create(f->name, RACE_WORKERS, 0);
	assert_non_null(f->w);
	f->r = op25b_stats_reader_open(f->name);
	assert_non_null(f->r);
	race.w = f->w;
	race.r = f->r;
	race.snap = f->snap;
	race.prev = op25b_stats_snapshot_alloc();
	assert_non_null(race.prev);

	/* No assertion runs in the threads: they count, we judge after
	 * joining them (cmocka's failures jump out of the calling thread). */
	assert_int_equal(pthread_create(&writer, NULL, race_writer, &race), 0);
	if (pthread_create(&reader, NULL, race_reader, &race) != 0) {
		__atomic_store_n(&race.stop, 1, __ATOMIC_RELAXED);
		pthread_join(writer, NULL);
		free(race.prev);
		fail_msg("pthread_create failed");
	}
	nanosleep(&run, NULL);
	for (waited = 0; waited < RACE_MAX_SECONDS * 20 && !race_enough(&race);
	     waited++)
		nanosleep(&step, NULL);
	__atomic_store_n(&race.stop, 1, __ATOMIC_RELAXED);
	pthread_join(writer, NULL);
	pthread_join(reader, NULL);
	/* The reader swapped its two buffers: free the one that is not the
	 * fixture's. */
	free(race.snap == f->snap ? race.prev : race.snap);

	print_message("%" PRIu64 " layout changes, %" PRIu64
		      " snapshots over %" PRIu64 " generations, %" PRIu64
		      " gave up (EAGAIN), %" PRIu64 " mixed or backwards\n",
		      race.changes, race.snapshots, race.generations_seen,
		      race.eagain, race.violations);
	if (race.violations > 0)
		fail_msg("%" PRIu64 " bad snapshots; first: %s",
			 race.violations, race.first_violation);
	assert_int_equal(race.errors, 0);
	/* The race really happened. */
	assert_true(race.changes >= RACE_MIN_CHANGES);
	assert_true(race.snapshots >= RACE_MIN_SNAPSHOTS);
	assert_true(race.generations_seen >= RACE_MIN_GENERATIONS);
}

static int
save_text(FILE *f, const void *arg)
{
	return fputs(arg, f) < 0 ? -EIO : 0;
}

static int
save_fails(FILE *f, const void *arg)
{
	(void)f;
	(void)arg;
	return -EIO;
}

/* The whole content of @p path, or NULL. */
static char *
slurp(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/*
 * op25b_save_file() writes a file of its own and renames it over the
 * path: a name another user made first where the list lives (/dev/shm),
 * such as PATH.tmp as a link to another file, is neither written nor
 * followed; the result is the mode asked for under the umask (0666: 0644
 * under 022, 0600 under 077; 0640: 0640 under 022), as open() makes it; a
 * failed write leaves the path as it was and nothing else behind.
 */
static void
test_save_file(void **state)
{
	char dir[] = "/tmp/op25b-save.XXXXXX", path[64], link[80], victim[80];
	mode_t saved_mask = umask(022);
	struct stat st;
	char *text;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/list", dir);
	snprintf(link, sizeof(link), "%s/list.tmp", dir);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	f = fopen(victim, "w");
	assert_non_null(f);
	fputs("keep\n", f);
	fclose(f);
	assert_int_equal(symlink(victim, link), 0);

	assert_int_equal(op25b_save_file(path, save_text, "new\n", 0666), 0);
	text = slurp(victim);
	assert_non_null(text);
	assert_string_equal(text, "keep\n");
	text = slurp(path);
	assert_non_null(text);
	assert_string_equal(text, "new\n");
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0644);
	umask(077);
	assert_int_equal(op25b_save_file(path, save_text, "new\n", 0666), 0);
	umask(022);
	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(op25b_save_file(path, save_text, "new\n", 0640), 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);

	assert_int_equal(op25b_save_file(path, save_fails, NULL, 0666), -EIO);
	text = slurp(path);
	assert_non_null(text);
	assert_string_equal(text, "new\n");
	/* The list, the victim and the link, and no temporary file: the
	 * folder is empty without them. */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(unlink(link), 0);
	assert_int_equal(unlink(victim), 0);
	assert_int_equal(rmdir(dir), 0);
	umask(saved_mask);
}

/* op25b_save_file_remove(): the file and what a save killed before its
 * rename left (.BASE.XXXXXX beside it), nothing else: not another
 * instance's list whose name is this one's and six characters more
 * (op25b-top.bras and op25b-top.bras.s01), nor its leftovers; and a name
 * with glob characters ('*') is a name, not a pattern. */
static void
test_save_file_remove(void **state)
{
	char dir[] = "/tmp/op25b-save.XXXXXX", path[64], left[80], other[80];
	char longer[80], longer_left[96], star[64], star_left[80];
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/list", dir);
	snprintf(left, sizeof(left), "%s/.list.XXXXXX", dir);
	snprintf(other, sizeof(other), "%s.keep-it", path);
	snprintf(longer, sizeof(longer), "%s.site01", path);
	snprintf(longer_left, sizeof(longer_left), "%s/.list.site01.XXXXXX",
		 dir);
	snprintf(star, sizeof(star), "%s/l*", dir);
	snprintf(star_left, sizeof(star_left), "%s/.l*.XXXXXX", dir);
	assert_int_equal(op25b_save_file(path, save_text, "x\n", 0666), 0);
	assert_int_equal(op25b_save_file(longer, save_text, "x\n", 0666), 0);
	/* As a save killed before its rename leaves it. */
	fd = mkstemp(left);
	assert_true(fd >= 0);
	close(fd);
	fd = mkstemp(longer_left);
	assert_true(fd >= 0);
	close(fd);
	write_file(other, "y", 1);
	op25b_save_file_remove(star);
	assert_true(exists(path) && exists(left) && exists(longer) &&
		    exists(longer_left));
	op25b_save_file_remove(path);
	assert_false(exists(path));
	assert_false(exists(left));
	assert_true(exists(other));
	assert_true(exists(longer));
	assert_true(exists(longer_left));
	fd = mkstemp(star_left);
	assert_true(fd >= 0);
	close(fd);
	op25b_save_file_remove(star);
	assert_false(exists(star_left));
	op25b_save_file_remove(longer);
	assert_false(exists(longer));
	assert_false(exists(longer_left));
	/* A bare name: its leftovers in the working directory. */
	{
		char cwd[4096];

		assert_non_null(getcwd(cwd, sizeof(cwd)));
		assert_int_equal(chdir(dir), 0);
		assert_int_equal(
			op25b_save_file("bare", save_text, "x\n", 0666), 0);
		snprintf(left, sizeof(left), ".bare.XXXXXX");
		fd = mkstemp(left);
		assert_true(fd >= 0);
		close(fd);
		op25b_save_file_remove("bare");
		assert_false(exists("bare"));
		assert_false(exists(left));
		assert_int_equal(chdir(cwd), 0);
	}
	assert_int_equal(unlink(other), 0);
	assert_int_equal(rmdir(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_field_names),
		cmocka_unit_test(test_json_writer),
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_save_file),
		cmocka_unit_test(test_save_file_remove),
		cmocka_unit_test_setup_teardown(test_create_destroy, setup,
						teardown),
		cmocka_unit_test(test_create_invalid),
		cmocka_unit_test_setup_teardown(test_live_owner, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stale_replaced, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_zombie_writer_stale, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_other_user_segment, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_other_layout_owner, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_replace_own, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reader_check, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_slots, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_views, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notify_views, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_class_adaptive_views,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_sums, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_read_during_change, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_layout, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
