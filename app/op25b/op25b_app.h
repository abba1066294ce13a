/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The appliance's wiring: configuration, port pairs, workers.
 */
#ifndef OP25B_APP_H
#define OP25B_APP_H

#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_log.h>
#include <rte_mempool.h>

#include "op25b_classify.h"
#include "op25b_exempt.h"
#include "op25b_policy.h"
#include "op25b_stats.h"

struct rte_rcu_qsbr;
struct op25b_cli;
struct op25b_app_records;
struct op25b_worker_records;
struct op25b_records_top;

/* The appliance's one DPDK log type, "op25b" (--log-level op25b:debug),
 * registered in control.c before main(). The lines operators and scripts
 * read (errors, the start-up summary, reload and switch results) stay on
 * stdout and stderr as they are; this carries the control lcore's detail.
 * The data path never logs: it counts. */
extern int op25b_logtype;
#define RTE_LOGTYPE_OP25B op25b_logtype
#define OP25B_LOG(level, fmt, ...)                                             \
	RTE_LOG(level, OP25B, fmt "\n", ##__VA_ARGS__)

#define OP25B_MAX_PAIRS 16
#define OP25B_MAX_PORTS OP25B_STATS_MAX_PORTS
/* Frames a worker reads a burst: the most the classifier takes, whose
 * staged lookups and per-burst costs a full burst of 64 spreads best
 * (doc/bench.md, "Bursts of 64"). */
#define OP25B_DEFAULT_BURST 64
/* Sources a worker's block-records table holds in one interval by default
 * (--block-records-table): 8192 sources of 180 bytes are 1.4 MB a
 * worker; the rest of a scan is handed over frame by frame (and dropped
 * when the ring is full). About twice the sources a worker sees in an
 * interval: a source's window of 8 slots fills before the table does (a
 * table of 4096 found 82% of the frames of bench.sh's 4,093 sources, and
 * the others' records went to a full ring). */
#define OP25B_RECORDS_TABLE_DEFAULT 8192
/* A worker's ring of records holds two whole tables of the default size:
 * an interval's flush fits while the control lcore, which drains every
 * 10 ms, is busy. */
#define OP25B_RECORDS_RING_DEFAULT 16384
/* Sources the control lcore merges at a time (--block-records-sources):
 * about 300 bytes each, 40 MB at most by default. Far more than the
 * sources a busy access network blocks in a minute; a flood of spoofed
 * sources fills it and the rest are counted as records_dropped instead
 * of growing the merge without bound. */
#define OP25B_RECORDS_SOURCES_DEFAULT 131072
/* Blocked frames a second a worker counts into its records table
 * (--block-records-rate). A frame counted costs the worker its source's
 * table lines (misses, in a scan from many sources): unbounded, a flood
 * of blocked SYNs at line rate took 40-48% of a worker's forwarding
 * (doc/records.md). A million a second is about 20 ms of a worker's
 * second at the ~20 ns a counted frame costs in that flood, and far
 * above what bots behind one worker send: the flood's frames over it are
 * counted (records_over_rate), not described. */
#define OP25B_RECORDS_RATE_DEFAULT 1000000
#define OP25B_RECORDS_INTERVAL_DEFAULT 60
#define OP25B_RX_DESC 1024
#define OP25B_TX_DESC 1024
/* The longest frame by default, CRC included: a standard Ethernet frame
 * with two VLAN tags (QinQ), MTU 1500. */
#define OP25B_DEFAULT_MAX_PKT_LEN (RTE_ETHER_MAX_LEN + 2 * RTE_VLAN_HLEN)

struct op25b_pair {
	uint16_t sub; /* subscriber side: classified */
	uint16_t up;  /* upstream side: passed back untouched */
};

struct op25b_config {
	const char *policy_path;
	struct op25b_pair pairs[OP25B_MAX_PAIRS];
	unsigned int n_pairs;
	uint16_t burst;
	uint32_t mbufs;		     /* --mbufs; 0: sized for the queues */
	uint32_t max_pkt_len;	     /* --max-pkt-len: longest frame, CRC in */
	uint16_t mbuf_size;	     /* --mbuf-size: data room, headroom in */
	uint32_t stop_after_idle_ms; /* 0: run until a signal */
	uint32_t status_interval_s;  /* 0: no periodic status line */
	const char *stats_json;
	const char *instance;	    /* --name: /dev/shm/op25b.NAME */
	bool interactive;	    /* -i: the op25b> prompt on stdin */
	int classifier_path;	    /* --classifier-path: a path, -1 auto */
	bool classifier_prepass;    /* --classifier-prepass */
	const char *cmdline_file;   /* commands run at start-up */
	const char *cli_socket;	    /* default /run/op25b/NAME.sock */
	const char *audit_log;	    /* default /var/log/op25b/NAME.audit.log */
	const char *state_dir;	    /* default /var/lib/op25b */
	char policy_path_buf[4096]; /* policy reload FILE replaces the path */
	uint32_t adaptive_entries;  /* --adaptive-entries */
	const char *records_path;   /* --block-records FILE|syslog; NULL: off */
	uint32_t records_interval_s; /* --block-records-interval */
	uint32_t records_ring;	     /* --block-records-ring */
	uint32_t records_table;	     /* --block-records-table */
	uint32_t records_sources;    /* --block-records-sources */
	uint32_t records_rate;	     /* --block-records-rate; 0: no limit */
};

/* One worker lcore. Its counters live in shared memory (@stats), written
 * by this worker only, with plain stores; the control lcore and
 * op25b-stat read them. */
struct op25b_worker {
	struct op25b_stats_worker *stats;
	unsigned int lcore_id;
	uint16_t queue;
	unsigned int rcu_id;
	struct op25b_worker_records *records; /* NULL: no block records */
} __rte_cache_aligned;

/* One line a worker, in an array: no two lcores write the same line. */
_Static_assert(sizeof(struct op25b_worker) == RTE_CACHE_LINE_SIZE &&
		       _Alignof(struct op25b_worker) == RTE_CACHE_LINE_SIZE,
	       "a worker is one cache line");

struct op25b_app {
	struct op25b_config config;
	/* The policy the current classifier was compiled from; the control
	 * lcore's alone. */
	struct op25b_policy *policy;
	/* Workers load it once per loop (acquire); the control lcore swaps it
	 * on reload and frees the old one after an RCU grace period. */
	_Atomic(struct op25b_classifier *) classifier;
	struct rte_rcu_qsbr *qsbr;
	struct rte_mempool *pool;
	struct op25b_worker *workers;
	unsigned int n_workers;
	uint16_t ports[OP25B_MAX_PORTS];
	/* Names are kept: a closed port has none left to ask for. */
	char port_names[OP25B_MAX_PORTS][RTE_ETH_NAME_MAX_LEN];
	unsigned int n_ports;
	/* Each port's link as last published (op25b_ports_publish_stats()),
	 * to log its changes: 0 down, 1 up, -1 not seen yet. */
	int8_t link_seen[OP25B_MAX_PORTS];
	struct op25b_stats_writer *stats;
	atomic_bool stop;
	uint64_t start_tsc;
	/* The mode and block style the operator set (set mode, set block);
	 * -1: the policy file's. They outlive reloads, as the operator would
	 * expect of a switch flipped during an incident, until set ... file
	 * or the file's own value hands the switch back to the file. */
	int mode_override;
	int block_override;
	/* What the running policy file itself says. */
	enum op25b_policy_mode file_mode;
	enum op25b_block_style file_block;
	uint64_t policy_loaded_ns; /* CLOCK_REALTIME of the last load */
	/* Exemptions: the registry is the control lcore's; workers read the
	 * table, swapped like the classifier (NULL: none). */
	struct op25b_exempt_registry *exempts;
	_Atomic(struct op25b_exempt_table *) exempt;
	FILE *audit;
	/* STATE_DIR/NAME.exemptions: rewritten before every exemption
	 * change is answered; "" when op25b_app_exempt_start() did not run. */
	char state_path[4096];
	/* An expiry the file does not show yet (a save failed): retried
	 * every tick. */
	bool state_dirty;
	/* The file at state_path could not be read nor moved aside: it is
	 * never written over, so changes fail until it is moved. */
	bool state_keep_out;
	/* The file at state_path exists but cannot be read (permissions, an
	 * I/O error: this errno; 0: none): not moved aside nor written
	 * over, read again once a second, changes fail until it is. */
	int state_unread;
	/* The file op25b last read or wrote at state_path: another one put
	 * there since (a moved-aside copy put back, a backup restored, a
	 * provisioning tool's) is not written over, as one that cannot be
	 * read is not: changes fail until it is imported or moved away.
	 * known false: op25b has read or written none there. */
	struct op25b_state_seen {
		bool known;
		dev_t dev;
		ino_t ino;
		off_t size;
		struct timespec mtime;
	} state_seen;
	struct op25b_cli *cli;
	/* Adaptive sources, shared by every worker; made when a policy
	 * first has an adaptive class, kept across reloads (NULL: none). */
	struct op25b_adaptive_table *adaptive;
	int exit_code; /* EXIT_FAILURE when the -i prompt could not start */
	struct op25b_app_records *records; /* NULL: no block records */
};

/* service.c: STATE ("READY=1", "STOPPING=1") to systemd's $NOTIFY_SOCKET,
 * when there is one; 0, or a negative errno. */
int op25b_service_notify(const char *state);

/* ports.c */
int op25b_ports_check(struct op25b_app *app);
/* The mbufs the longest frame takes: 1 when it fits one data room, else
 * the length of its chain. */
unsigned int op25b_ports_segments(const struct op25b_config *cfg);
/* The mbufs a received frame may take: the longest with the QinQ
 * allowance (8 bytes) the NICs that turn scatter on by themselves count,
 * so that --max-pkt-len 2044 in a 2048-byte data room may come as a chain
 * of 2. */
unsigned int op25b_ports_rx_segments(const struct op25b_config *cfg);
int op25b_ports_start(struct op25b_app *app);
void op25b_ports_stop(struct op25b_app *app);

void op25b_ports_publish_stats(struct op25b_app *app);

/* worker.c */
int op25b_worker_main(void *arg);
extern struct op25b_app *op25b_worker_app;

/* control.c: each change returns 0 or -errno and puts one line saying
 * what happened (or why nothing did) in @msg; it is also logged. */
int op25b_control_start(struct op25b_app *app);
void op25b_control_install_signals(void);
/* Set by SIGUSR1: at the next tick the audit log is closed (opened afresh
 * at its next line) and the block records' file reopened. */
extern volatile sig_atomic_t op25b_reopen_requested;
void op25b_control_request_stop(void);
/* The SIGTERM or SIGINT received and not acted on yet (0: none). */
int op25b_control_stop_signal(void);
/* To stdout, after the start's or a reload's line: the dry run's note
 * when @policy is in monitor mode and drops malformed frames. */
void op25b_control_monitor_note(const struct op25b_policy *policy);
/* @by: who asked ("cli", "SIGHUP"), @uid: as whom; both for the audit
 * line, which every reload writes in one format. */
int op25b_control_reload(struct op25b_app *app, const char *path,
			 const char *by, uint32_t uid, char *msg, size_t size);
/* What op25b_control_reload() would refuse @policy for (loaded by the
 * caller, which has shown its warnings), asked without changing anything:
 * the switches in force applied to it, the names a run may give, the
 * compile, the adaptive table. Returns 0 with the tables' bytes in
 * @memory, or -errno with the reason in @msg. */
int op25b_control_check(struct op25b_app *app, struct op25b_policy *policy,
			size_t *memory, char *msg, size_t size);
/* The value of a switch that means "what the policy file says". */
#define OP25B_SWITCH_FILE (-1)
/* @mode: an enum op25b_policy_mode, or OP25B_SWITCH_FILE; the file's value
 * clears the override (later reloads follow the file again). */
int
op25b_control_set_mode(struct op25b_app *app, int mode, char *msg, size_t size);
/* @block: an enum op25b_block_style, or OP25B_SWITCH_FILE; as set mode. */
int op25b_control_set_block(struct op25b_app *app, int block, char *msg,
			    size_t size);
void op25b_control_loop(struct op25b_app *app);

/* adaptive.c */
int op25b_app_adaptive_attach(struct op25b_app *app,
			      struct op25b_classifier *classifier, char *msg,
			      size_t size);
/* What op25b_app_adaptive_attach() would refuse @classifier for (a table
 * that cannot be allocated, a limit its clock cannot express), asked
 * without keeping anything: a table made for the question is freed. */
int op25b_app_adaptive_check(const struct op25b_app *app,
			     struct op25b_classifier *classifier, char *msg,
			     size_t size);
/* After a reload swapped @classifier in: forget the sources its rules no
 * longer count (a class no longer adaptive). Returns how many were
 * tracked. */
uint64_t op25b_app_adaptive_reloaded(struct op25b_app *app,
				     const struct op25b_classifier *classifier);
void op25b_app_adaptive_tick(struct op25b_app *app);
/* At stop, after the workers: the table aged whole, its gauges exact for
 * the report. */
void op25b_app_adaptive_final(struct op25b_app *app);
void op25b_app_adaptive_stop(struct op25b_app *app);

/* exempt.c */
int op25b_app_exempt_start(struct op25b_app *app);
void op25b_app_exempt_stop(struct op25b_app *app);
int
op25b_app_exempt_add(struct op25b_app *app, const struct op25b_prefix *prefix,
		     uint32_t ttl, const char *reason, uint32_t uid, char *msg,
		     size_t size);
int
op25b_app_exempt_del(struct op25b_app *app, const struct op25b_prefix *prefix,
		     uint32_t uid, char *msg, size_t size);
/* @force: the file may exempt 0.0.0.0/0 or ::/0 (as exempt add's). */
int
op25b_app_exempt_import(struct op25b_app *app, const char *path, bool replace,
			bool force, uint32_t uid, char *msg, size_t size);
/* Expire what is due; returns how many went. */
unsigned int op25b_app_exempt_tick(struct op25b_app *app);

/* audit.c */
/* Check that the audit log (--audit-log, or the default one, whose
 * directory it creates) can be written; it is opened at the first line.
 * Returns 0 or -errno, said on stderr. */
int op25b_audit_start(struct op25b_app *app);
void op25b_audit_stop(struct op25b_app *app);
/* One audit line: "TIME EVENT key=value...", flushed. */
void op25b_audit(struct op25b_app *app, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* @text for a key="..." audit field, in @buf: quotes and backslashes
 * escaped, control characters as '?'. Returns @buf. */
const char *op25b_audit_quoted(const char *text, char *buf, size_t size);
/* @text for a key=value audit field whose value is a path: as it is when
 * it is one word of printable ASCII without quotes or backslashes (every
 * ordinary path), else "..." as op25b_audit_quoted() writes it, so that
 * no path (a CLI argument may hold ESC, \v, a quote) breaks the line or
 * forges a field. Returns @buf. */
const char *op25b_audit_word(const char *text, char *buf, size_t size);
/* Room for op25b_audit_word() of any path: each byte escaped, quotes, NUL. */
#define OP25B_AUDIT_WORD_MAX (2 * PATH_MAX + 3)
/* CLOCK_REALTIME in milliseconds: dates, and times kept in files. */
uint64_t op25b_now_ms(void);
/* CLOCK_MONOTONIC in milliseconds: how long since, which a step of the
 * wall clock (NTP, an operator's date) must not stretch or cut short. */
uint64_t op25b_monotonic_ms(void);

/* cli.c */
int op25b_cli_start(struct op25b_app *app);
/* Wait up to @timeout_ms for CLI input and serve it. */
void op25b_cli_poll(struct op25b_app *app, int timeout_ms);
/* Run one command line as the start-up file does, its output to @out_fd.
 * Returns 0, 1 for a blank line or comment, -1 when the command failed. */
int op25b_cli_execute(struct op25b_app *app, const char *line, int out_fd);
/* Run --cmdline-file (none: @path NULL); returns 0, 1 after quit, or -1
 * after a command failed (its reason on stderr, with FILE:LINE). */
int op25b_cli_run_file(struct op25b_app *app, const char *path);
/* The -i prompt, if asked for; 0 or -1. */
int op25b_cli_start_terminal(struct op25b_app *app);
void op25b_cli_stop(struct op25b_app *app);

struct op25b_record_hint;

/* records.c: block records (NULL app->records: off, and every call
 * but start does nothing). */
/* Rings, tables and the output; 0 or -errno, said on stderr. */
int op25b_records_start(struct op25b_app *app);
/* The data path's (w->records set): how many of a burst's @n blocked
 * frames the worker's --block-records-rate lets it describe now; @tsc is
 * set when the clock was read for it (short of credit), else left. */
uint16_t
op25b_worker_records_budget(struct op25b_worker *w, uint16_t n, uint64_t *tsc);
/* Then, for a burst whose classification found @n_wanted such frames and
 * described the first @n_hints: spend their credit, count the rest as
 * over the rate, request the hints' table lines; the burst's TSC (@tsc
 * if the budget read it, 0: read now). */
uint64_t
op25b_worker_records_take(struct op25b_worker *w,
			  const struct op25b_record_hint *hints,
			  uint16_t n_hints, uint16_t n_wanted, uint64_t tsc);
/* Then, as late as the burst allows: count them, seen from @tsc on;
 * hand over finished records, never wait. */
void op25b_worker_records_count(struct op25b_worker *w,
				const struct op25b_record_hint *hints,
				uint16_t n, uint64_t tsc);
/* Once a worker loop: at an interval's end, empty the table into the
 * ring. */
void op25b_worker_records_tick(struct op25b_worker *w, struct op25b_app *app);
/* The control loop's: end the interval when due, merge, write, publish
 * records_written, records_dropped and records_over_rate (said on stderr
 * when it grew); SIGUSR1 reopens. */
void op25b_records_tick(struct op25b_app *app, uint64_t now_tsc);
/* End the current interval now (records flush). */
void op25b_records_end_interval(struct op25b_app *app);
/* After the workers stopped: write everything they counted. */
void op25b_records_stop(struct op25b_app *app);
void op25b_records_free(struct op25b_app *app);
/* Reopen the file (log rotation); 0 or -errno, one line in @msg. */
int op25b_records_reopen(struct op25b_app *app, char *msg, size_t size);
/* The last interval's records, most SYNs first: the count, or -ENOENT
 * without block records. */
int op25b_records_top(const struct op25b_app *app,
		      const struct op25b_records_top **top);

/* telemetry.c */
void op25b_telemetry_register(struct op25b_app *app);

/* port_figures.c */
/* The driver figures of @port_id into @p's OP25B_PORT_DRIVER_LIST fields
 * (its id, role and name are left alone). Returns 0, or -EIO when the
 * driver gives no statistics. */
int op25b_port_figures(uint16_t port_id, struct op25b_stats_port *p);
/* The link of @port_id as every view shows it: what the driver says
 * without waiting, or up at an unknown speed when it cannot tell (then
 * the driver's error is returned). */
int op25b_port_link(uint16_t port_id, struct rte_eth_link *link);
/* The speed of @p link in Mbit/s as the views give it: 0 while it is down
 * or when the driver does not know. */
uint32_t op25b_link_speed_mbps(const struct rte_eth_link *link);

/* report.c */
void op25b_report_print(const struct op25b_stats_snapshot *snap, FILE *out);
/* A snapshot of this op25b's counters, read by its writer's own mapping
 * (op25b_stats_writer_reader()), never by the segment's name, which may
 * be gone or another op25b's since; the reader's @tries. Allocated: free()
 * it. NULL with *@err set (-errno). For the report at exit, the status
 * line and the CLI (not telemetry's thread, which outlives the writer). */
struct op25b_stats_snapshot *
op25b_app_snapshot(const struct op25b_app *app, unsigned int tries, int *err);
/* A snapshot read from @r (NULL: opening it failed, errno set), which it
 * closes: the one body of op25b_app_snapshot() and telemetry's, by the
 * segment's name. NULL with *@err set (-errno). */
struct op25b_stats_snapshot *
op25b_report_snapshot(struct op25b_stats_reader *r, unsigned int tries,
		      int *err);
int op25b_report_json(const struct op25b_stats_snapshot *snap,
		      const struct rte_mempool *pool, const char *path);
void
op25b_report_status_line(const struct op25b_stats_snapshot *snap, FILE *out);

#endif /* OP25B_APP_H */
