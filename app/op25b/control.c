/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control lcore: publishes the policy's names to shared memory,
 * reloads the policy without stopping the workers, and runs the control
 * loop (signals, idleness, port figures, status lines).
 *
 * A reload loads and compiles the new policy off to the side, publishes the
 * new classifier with one pointer swap, and frees the old one after an RCU
 * grace period: a worker is never between two policies within a burst, and
 * never waits.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_rcu_qsbr.h>

#include "op25b_app.h"

int op25b_logtype = RTE_LOGTYPE_USER1;

/* Before main(), as DPDK's libraries register theirs: the EAL applies
 * --log-level op25b:LEVEL to it when it parses its arguments. */
RTE_INIT(op25b_log_register)
{
	int type = rte_log_register_type_and_pick_level("op25b", RTE_LOG_INFO);

	if (type >= 0)
		op25b_logtype = type;
}

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t reload_requested;
/* Who sent the last SIGHUP, for the audit line. */
static volatile sig_atomic_t reload_uid;
static volatile sig_atomic_t stop_by_command;

volatile sig_atomic_t op25b_reopen_requested;

static void
on_stop_signal(int signo)
{
	stop_signal = signo;
}

static void
on_reopen_signal(int signo)
{
	(void)signo;
	op25b_reopen_requested = 1;
}

static void
on_reload_signal(int signo, siginfo_t *info, void *context)
{
	(void)signo;
	(void)context;
	reload_uid = (sig_atomic_t)info->si_uid;
	reload_requested = 1;
}

/* First thing in main(), before the EAL's init and the policy's compile
 * (seconds): no signal op25b handles keeps its default action, which
 * kills, at any moment. A SIGHUP then reloads once the control loop runs,
 * a SIGTERM stops it as it starts, and a SIGUSR1 (logrotate's, sent to
 * every op25b unit) reopens the audit log and the block records. */
void
op25b_control_install_signals(void)
{
	struct sigaction sa = { 0 };

	/* SIGUSR1 and SIGHUP only set a flag, and a call they interrupt
	 * goes on (SA_RESTART: a start-up's fopen() of a FIFO given as
	 * --cmdline-file failed with EINTR at logrotate's SIGUSR1, and op25b
	 * exited 1); the control loop's poll() and sleeps are never
	 * restarted, and wake to read the flags. SIGTERM and SIGINT do
	 * interrupt: a start-up blocked on a FIFO stops (op25b_cli_run_file()
	 * reads the stop). */
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = on_reopen_signal;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_sigaction = on_reload_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_flags = 0;
	/* A CLI client that hangs up while we write to it must cost a
	 * write error, not the appliance; and a file at its size limit
	 * (RLIMIT_FSIZE: block records, a capture, the audit log) a write
	 * EFBIG, which each writer counts or reports. */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGXFSZ, &sa, NULL);
}

_Static_assert(OP25B_POLICY_NAME_MAX <= OP25B_STATS_NAME_MAX,
	       "every name a policy may hold has a counter slot's room");

/*
 * The counter slot of every class and group of @policy: a name keeps the
 * slot it had since start, a new name gets the next free one. Planned, not
 * given: activate() names them when the policy goes live. Returns 0, or
 * -ENOSPC past OP25B_STATS_SLOTS - 1 names since start (-EINVAL for a name
 * the loader would have refused).
 */
static int
plan_slots(const struct op25b_app *app, const struct op25b_policy *policy,
	   uint8_t *class_slots, uint8_t *group_slots)
{
	const char *classes[OP25B_POLICY_MAX_CLASSES];
	const char *groups[OP25B_POLICY_MAX_GROUPS];
	unsigned int i;

	for (i = 0; i < policy->n_classes; i++)
		classes[i] = policy->classes[i].name;
	for (i = 0; i < policy->n_groups; i++)
		groups[i] = policy->groups[i].name;
	return op25b_stats_writer_slots_plan(
		app->stats, classes, policy->n_classes, groups,
		policy->n_groups, class_slots, group_slots);
}

/* Mark the slots @policy uses as active, record its file, the mode and
 * block style in force (the file's, or the operator's switches: @policy
 * has them applied) and count a new generation: one layout change that
 * readers see whole, so that a reader never pairs a generation with the
 * mode of another. */
static void
activate(struct op25b_app *app, const struct op25b_policy *policy,
	 const uint8_t *class_slots, const uint8_t *group_slots)
{
	struct op25b_stats_header *h = op25b_stats_writer_header(app->stats);
	struct op25b_stats_names *names = op25b_stats_writer_names(app->stats);
	unsigned int i;

	op25b_stats_writer_layout_begin(app->stats);
	/* The planned slots named (the names of a new policy appear with
	 * its generation, never before it), then marked in use. */
	for (i = 0; i < policy->n_classes; i++)
		RTE_VERIFY(op25b_stats_writer_class_slot(
				   app->stats, policy->classes[i].name) ==
			   class_slots[i]);
	for (i = 0; i < policy->n_groups; i++)
		RTE_VERIFY(op25b_stats_writer_group_slot(
				   app->stats, policy->groups[i].name) ==
			   group_slots[i]);
	memset(names->class_active + 1, 0, OP25B_STATS_SLOTS - 1);
	memset(names->group_active + 1, 0, OP25B_STATS_SLOTS - 1);
	for (i = 0; i < policy->n_classes; i++)
		names->class_active[class_slots[i]] = 1;
	for (i = 0; i < policy->n_groups; i++)
		names->group_active[group_slots[i]] = 1;
	snprintf(h->policy_file, sizeof(h->policy_file), "%s", policy->file);
	h->mode = op25b_policy_mode_stats(policy->mode);
	h->block = op25b_policy_block_stats(policy->block);
	h->policy_generation++;
	op25b_stats_writer_layout_end(app->stats);
}

/* Why a policy whose names do not all get a slot is refused. */
static void
names_refusal(const struct op25b_policy *policy, char *msg, size_t size)
{
	snprintf(msg, size,
		 "%s: more than %u class or group names since start "
		 "(restart op25b to renumber)",
		 policy->file, OP25B_STATS_SLOTS - 1);
	rte_errno = ENOSPC;
}

/*
 * Plan @policy's counter slots (in @class_slots, @group_slots) and compile
 * it with them; with @base (the running classifier, of the same prefixes:
 * a switch changed), its tables are shared, not built again. Nothing is
 * published. Returns NULL (rte_errno set, message in @msg) on failure.
 */
static struct op25b_classifier *
build(struct op25b_app *app, const struct op25b_policy *policy,
      const struct op25b_classifier *base, uint8_t *class_slots,
      uint8_t *group_slots, char *msg, size_t size)
{
	struct op25b_classifier_error error;
	struct op25b_classifier *c;

	if (plan_slots(app, policy, class_slots, group_slots) != 0) {
		names_refusal(policy, msg, size);
		return NULL;
	}
	if (base != NULL)
		c = op25b_classifier_derive(base, policy, (int)rte_socket_id(),
					    class_slots, group_slots, &error);
	else
		c = op25b_classifier_compile(policy, (int)rte_socket_id(),
					     class_slots, group_slots, &error);
	if (c == NULL) {
		/* As `op25b-policy check` reports it: at the prefix where a
		 * table's limit is reached. */
		op25b_policy_error_format(&error.where, msg, size);
		if (rte_errno == 0)
			rte_errno = EINVAL;
	}
	return c;
}

/*
 * build() @policy, attach the adaptive table and publish its names; the
 * caller swaps the classifier in. Returns NULL (rte_errno set, message in
 * @msg) on failure, with nothing published: the slots are only planned
 * until the policy goes live, so that a policy that fails names nothing
 * (named, its classes would show as removed and use up the names a run
 * may give).
 */
static struct op25b_classifier *
compile(struct op25b_app *app, const struct op25b_policy *policy,
	const struct op25b_classifier *base, char *msg, size_t size)
{
	uint8_t class_slots[OP25B_POLICY_MAX_CLASSES];
	uint8_t group_slots[OP25B_POLICY_MAX_GROUPS];
	struct op25b_classifier *c =
		build(app, policy, base, class_slots, group_slots, msg, size);

	if (c == NULL)
		return NULL;
	if (op25b_app_adaptive_attach(app, c, msg, size) != 0) {
		op25b_classifier_free(c);
		return NULL;
	}
	activate(app, policy, class_slots, group_slots);
	return c;
}

/* The classifier of the policy at start. */
int
op25b_control_start(struct op25b_app *app)
{
	struct op25b_classifier *c;
	char msg[OP25B_POLICY_ERROR_TEXT_MAX];

	app->file_mode = app->policy->mode;
	app->file_block = app->policy->block;
	app->mode_override = -1;
	app->block_override = -1;
	app->policy_loaded_ns = op25b_now_ms() * 1000000ull;
	c = compile(app, app->policy, NULL, msg, sizeof(msg));
	if (c == NULL) {
		/* "file:line:column: message", as a policy that fails to
		 * load is reported. */
		fprintf(stderr, "%s\n", msg);
		return -rte_errno;
	}
	atomic_store_explicit(&app->classifier, c, memory_order_release);
	return 0;
}

static double
elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1e3 +
	       (t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static size_t
prefix_count(const struct op25b_policy *p)
{
	size_t n = 0;
	unsigned int i;

	for (i = 0; i < p->n_classes; i++)
		n += p->classes[i].prefixes.count;
	for (i = 0; i < p->n_groups; i++)
		n += p->groups[i].prefixes.count;
	return n;
}

static void
reload_failed(struct op25b_app *app, const char *path, const char *by,
	      uint32_t uid, const char *why, char *msg, size_t size)
{
	struct op25b_stats_header *h = op25b_stats_writer_header(app->stats);
	/* The reason quoted: a backslash before each quote or backslash. */
	char q[2 * OP25B_POLICY_ERROR_TEXT_MAX], file[OP25B_AUDIT_WORD_MAX];

	__atomic_fetch_add(&h->reload_failed, 1, __ATOMIC_RELAXED);
	op25b_audit_word(path, file, sizeof(file));
	snprintf(msg, size,
		 "reload failed: %s; policy generation %" PRIu64 " stays", why,
		 h->policy_generation);
	fprintf(stderr, "op25b: %s\n", msg);
	op25b_audit(app,
		    "reload by=%s uid=%" PRIu32 " file=%s result=failed "
		    "reason=\"%s\"",
		    by, uid, file, op25b_audit_quoted(why, q, sizeof(q)));
}

/* Publish @next and free the classifier it replaces once no worker can be
 * reading it. */
static void
swap_in(struct op25b_app *app, struct op25b_classifier *next)
{
	struct op25b_classifier *old;

	/* Release: the tables are complete before a worker can see them. */
	old = atomic_exchange_explicit(&app->classifier, next,
				       memory_order_acq_rel);
	/* Every worker has passed a quiescent state since the swap: none is
	 * still inside a burst classified with the old tables. */
	rte_rcu_qsbr_synchronize(app->qsbr, RTE_QSBR_THRID_INVALID);
	op25b_classifier_free(old);
	OP25B_LOG(DEBUG,
		  "classifier swapped in (%zu bytes of tables); the "
		  "old one freed after the grace period",
		  op25b_classifier_memory(next));
}

/* The operator's switches win over the file's mode and block style
 * (@file_mode, @file_block); a switch not set is the file's. */
static void
apply_overrides(const struct op25b_app *app, struct op25b_policy *policy,
		enum op25b_policy_mode file_mode,
		enum op25b_block_style file_block)
{
	policy->mode = app->mode_override >= 0
			       ? (enum op25b_policy_mode)app->mode_override
			       : file_mode;
	policy->block = app->block_override >= 0
				? (enum op25b_block_style)app->block_override
				: file_block;
}

static const char *
mode_text(int mode)
{
	return mode == OP25B_MODE_MONITOR ? "monitor" : "enforce";
}

static const char *
block_text(int block)
{
	return op25b_block_style_name((enum op25b_block_style)block);
}

/* "; overridden: none", or each switch set apart from the file, with
 * what the file says: the tail of every reload and switch line. */
static void
append_overrides(const struct op25b_app *app, char *msg, size_t size)
{
	size_t len = strnlen(msg, size);
	char mode[48] = "", block[48] = "";

	if (app->mode_override >= 0)
		snprintf(mode, sizeof(mode), "mode %s (the file says %s)",
			 mode_text(app->mode_override),
			 mode_text(app->file_mode));
	if (app->block_override >= 0)
		snprintf(block, sizeof(block), "block %s (the file says %s)",
			 block_text(app->block_override),
			 block_text(app->file_block));
	if (len + 1 < size)
		snprintf(msg + len, size - len, "; overridden: %s%s%s",
			 mode[0] != '\0' || block[0] != '\0' ? mode : "none",
			 mode[0] != '\0' && block[0] != '\0' ? ", " : "",
			 block);
}

/* A policy the switches in force cannot apply to: 0, or -EINVAL with the
 * reason in @msg. */
static int
switch_refusal(const struct op25b_app *app, const struct op25b_policy *policy,
	       char *msg, size_t size)
{
	if (app->block_override == OP25B_BLOCK_NOTIFY &&
	    policy->notice[0] == '\0') {
		/* The file first, as every other reason a reload gives. */
		snprintf(msg, size,
			 "%s: set block notify is in force and the file has "
			 "no notice (add notice:, or set block file first)",
			 policy->file);
		return -EINVAL;
	}
	return 0;
}

int
op25b_control_check(struct op25b_app *app, struct op25b_policy *policy,
		    size_t *memory, char *msg, size_t size)
{
	uint8_t class_slots[OP25B_POLICY_MAX_CLASSES];
	uint8_t group_slots[OP25B_POLICY_MAX_GROUPS];
	struct op25b_classifier *c;
	int err;

	err = switch_refusal(app, policy, msg, size);
	if (err != 0)
		return err;
	apply_overrides(app, policy, policy->mode, policy->block);
	/* Built as a reload builds it, in the same memory and with the same
	 * slots, so that a names' or table's limit shows here and not at
	 * the reload. */
	c = build(app, policy, NULL, class_slots, group_slots, msg, size);
	if (c == NULL)
		return -rte_errno;
	err = op25b_app_adaptive_check(app, c, msg, size);
	*memory = op25b_classifier_memory(c);
	op25b_classifier_free(c);
	return err;
}

void
op25b_control_monitor_note(const struct op25b_policy *policy)
{
	const char *note =
		op25b_policy_monitor_note(policy->mode, policy->malformed);

	if (note != NULL)
		printf("op25b: %s\n", note);
}

/*
 * Load @path and make it the running policy. On any failure the running
 * policy stays, `reload_failed` counts it and the reason is given as
 * file:line:column: message. Either way one audit line says who (@by,
 * @uid), which file and, on failure, why. Returns 0 or -errno.
 */
int
op25b_control_reload(struct op25b_app *app, const char *path, const char *by,
		     uint32_t uid, char *msg, size_t size)
{
	struct op25b_stats_header *h = op25b_stats_writer_header(app->stats);
	enum op25b_policy_mode file_mode;
	enum op25b_block_style file_block;
	struct op25b_classifier *next;
	struct op25b_policy_error perr;
	struct op25b_policy *policy;
	struct timespec t0;
	char why[OP25B_POLICY_ERROR_TEXT_MAX], file[OP25B_AUDIT_WORD_MAX];
	uint64_t forgotten;
	unsigned int i;
	int err;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	policy = op25b_policy_load(path, &perr);
	if (policy == NULL) {
		err = -errno;
		op25b_policy_error_format(&perr, why, sizeof(why));
		reload_failed(app, path, by, uid, why, msg, size);
		return err;
	}
	for (i = 0; i < policy->n_warnings; i++)
		fprintf(stderr, "%s\n", policy->warnings[i]);
	file_mode = policy->mode;
	file_block = policy->block;
	if (switch_refusal(app, policy, why, sizeof(why)) != 0) {
		op25b_policy_free(policy);
		reload_failed(app, path, by, uid, why, msg, size);
		return -EINVAL;
	}
	apply_overrides(app, policy, file_mode, file_block);
	next = compile(app, policy, NULL, why, sizeof(why));
	if (next == NULL) {
		err = -rte_errno;
		op25b_policy_free(policy);
		reload_failed(app, path, by, uid, why, msg, size);
		return err;
	}
	swap_in(app, next);
	forgotten = op25b_app_adaptive_reloaded(app, next);
	op25b_policy_free(app->policy);
	app->policy = policy;
	app->file_mode = file_mode;
	app->file_block = file_block;
	app->policy_loaded_ns = op25b_now_ms() * 1000000ull;
	__atomic_fetch_add(&h->reload_ok, 1, __ATOMIC_RELAXED);
	snprintf(msg, size,
		 "policy %s loaded: generation %" PRIu64
		 ", %u classes, %u destination groups, %zu prefixes, %zu KB of "
		 "tables, %.0f ms",
		 path, h->policy_generation, policy->n_classes,
		 policy->n_groups, prefix_count(policy),
		 op25b_classifier_memory(next) / 1024, elapsed_ms(&t0));
	append_overrides(app, msg, size);
	if (forgotten != 0 && strnlen(msg, size) + 1 < size) {
		size_t len = strnlen(msg, size);

		snprintf(msg + len, size - len,
			 "; %" PRIu64 " adaptive sources forgotten (their "
			 "class is no longer adaptive, or keys them anew)",
			 forgotten);
	}
	printf("op25b: %s\n", msg);
	op25b_control_monitor_note(policy);
	fflush(stdout);
	op25b_audit(app,
		    "reload by=%s uid=%" PRIu32 " file=%s result=ok "
		    "generation=%" PRIu64,
		    by, uid, op25b_audit_word(path, file, sizeof(file)),
		    h->policy_generation);
	return 0;
}

/* Recompile the running policy after a switch changed: nothing is read
 * from disk, and the lookup tables, which a switch does not change, are
 * shared with the running classifier; only the verdicts are built. The
 * control thread is the only writer of app->classifier, so the one it
 * loads stays alive until its own swap_in() below. */
static int
recompile(struct op25b_app *app, const char *what, char *msg, size_t size)
{
	struct op25b_classifier *next;
	struct timespec t0;
	char why[OP25B_POLICY_ERROR_TEXT_MAX];

	clock_gettime(CLOCK_MONOTONIC, &t0);
	apply_overrides(app, app->policy, app->file_mode, app->file_block);
	next = compile(
		app, app->policy,
		atomic_load_explicit(&app->classifier, memory_order_acquire),
		why, sizeof(why));
	if (next == NULL) {
		snprintf(msg, size, "%s failed: %s; nothing changed", what,
			 why);
		fprintf(stderr, "op25b: %s\n", msg);
		return -rte_errno;
	}
	swap_in(app, next);
	snprintf(msg, size, "%s: live (policy generation %" PRIu64 ", %.0f ms)",
		 what, op25b_stats_writer_header(app->stats)->policy_generation,
		 elapsed_ms(&t0));
	append_overrides(app, msg, size);
	printf("op25b: %s\n", msg);
	fflush(stdout);
	return 0;
}

/*
 * Set the mode switch (@is_mode) or the block switch to @value and
 * recompile. The file's value, or OP25B_SWITCH_FILE, clears the override:
 * later reloads follow the file again. On failure the switch and the
 * policy go back to what they were.
 */
static int
set_switch(struct op25b_app *app, bool is_mode, int value, char *msg,
	   size_t size)
{
	int *override = is_mode ? &app->mode_override : &app->block_override;
	int file_value = is_mode ? (int)app->file_mode : (int)app->file_block;
	const char *(*text)(int) = is_mode ? mode_text : block_text;
	int old = *override;
	char what[40];
	int ret;

	/* The 554's words come from the file: without them there is
	 * nothing to say. */
	if (!is_mode && value == OP25B_BLOCK_NOTIFY &&
	    app->policy->notice[0] == '\0') {
		snprintf(msg, size,
			 "set block notify: %s has no notice (add notice: "
			 "to the file); nothing changed",
			 app->policy->file);
		rte_errno = EINVAL;
		return -EINVAL;
	}

	snprintf(what, sizeof(what), "%s %s%s", is_mode ? "mode" : "block",
		 text(value == OP25B_SWITCH_FILE ? file_value : value),
		 value == OP25B_SWITCH_FILE ? " (the file's)" : "");
	*override = value == OP25B_SWITCH_FILE || value == file_value ? -1
								      : value;
	ret = recompile(app, what, msg, size);
	if (ret != 0) {
		*override = old;
		apply_overrides(app, app->policy, app->file_mode,
				app->file_block);
	}
	return ret;
}

int
op25b_control_set_mode(struct op25b_app *app, int mode, char *msg, size_t size)
{
	return set_switch(app, true, mode, msg, size);
}

int
op25b_control_set_block(struct op25b_app *app, int block, char *msg,
			size_t size)
{
	return set_switch(app, false, block, msg, size);
}

/* What the control loop saw of each worker at its last tick. */
struct idle_watch {
	uint64_t seen_loops[OP25B_STATS_MAX_WORKERS];
	uint64_t seen_busy[OP25B_STATS_MAX_WORKERS];
	uint64_t busy_tsc[OP25B_STATS_MAX_WORKERS]; /* when busy moved */
};

/*
 * The TSC of the workers' last sign of traffic, for --stop-after-idle: the
 * tick at which a worker's busy loops (loops that received packets) were
 * seen to have moved: the first tick (every 10 ms or more) after its last
 * packet;
 * or now while a worker has not finished a loop since the last look (a
 * loop takes microseconds; one stalled for this control tick, in a PMD's
 * blocking write or off its CPU, may have packets still to take: stopping
 * then cut pcap replays short under load). @now: this tick's TSC; @iw
 * what the last tick saw, updated.
 */
static uint64_t
last_activity_tsc(const struct op25b_app *app, struct idle_watch *iw,
		  uint64_t now)
{
	uint64_t last = app->start_tsc;
	unsigned int i;

	for (i = 0; i < app->n_workers; i++) {
		const struct op25b_stats_worker *w = app->workers[i].stats;
		uint64_t loops = __atomic_load_n(&w->loops, __ATOMIC_RELAXED);
		uint64_t busy =
			__atomic_load_n(&w->busy_loops, __ATOMIC_RELAXED);
		uint64_t t;

		if (busy != iw->seen_busy[i])
			iw->busy_tsc[i] = now;
		iw->seen_busy[i] = busy;
		t = loops == iw->seen_loops[i] ? now : iw->busy_tsc[i];
		iw->seen_loops[i] = loops;
		if (t > last)
			last = t;
	}
	return last;
}

static void
status_line(struct op25b_app *app)
{
	int err;
	struct op25b_stats_snapshot *snap = op25b_app_snapshot(app, 100, &err);

	if (snap != NULL)
		op25b_report_status_line(snap, stdout);
	free(snap);
}

int
op25b_control_stop_signal(void)
{
	return stop_by_command ? 0 : stop_signal;
}

void
op25b_control_request_stop(void)
{
	stop_signal = SIGTERM;
	stop_by_command = 1;
}

/* Wake at least every 10 ms for CLI input, signals, reloads, expiring
 * exemptions, idleness, port figures and the status line; then stop the
 * workers. */
void
op25b_control_loop(struct op25b_app *app)
{
	const struct op25b_config *cfg = &app->config;
	uint64_t hz = rte_get_tsc_hz();
	uint64_t next_status = app->start_tsc + cfg->status_interval_s * hz;
	/* The ports' first sample at once: until it, op25b-stat has no
	 * driver figures to show (no link_up), and a scrape or a CLI answer
	 * right after the start would see none. */
	uint64_t next_ports = 0;
	struct idle_watch idle = { { 0 }, { 0 }, { 0 } };

	for (;;) {
		uint64_t now;

		op25b_cli_poll(app, 10);
		if (stop_signal) {
			if (stop_by_command)
				printf("op25b: quit, stopping\n");
			else
				printf("op25b: %s, stopping\n",
				       strsignal(stop_signal));
			break;
		}
		if (reload_requested) {
			char msg[OP25B_POLICY_ERROR_TEXT_MAX];

			reload_requested = 0;
			op25b_control_reload(app, cfg->policy_path, "SIGHUP",
					     (uint32_t)reload_uid, msg,
					     sizeof(msg));
		}
		/* logrotate's SIGUSR1, after it renamed the files: the
		 * audit log is opened afresh at its next line, the block
		 * records at once. */
		if (op25b_reopen_requested) {
			char msg[512];

			op25b_reopen_requested = 0;
			op25b_audit_stop(app);
			if (app->records != NULL)
				op25b_records_reopen(app, msg, sizeof(msg));
		}
		op25b_app_exempt_tick(app);
		op25b_app_adaptive_tick(app);
		now = rte_rdtsc();
		op25b_records_tick(app, now);
		if (cfg->stop_after_idle_ms != 0 &&
		    now - last_activity_tsc(app, &idle, now) >
			    /* 128 bits: 2^32 ms at a TSC over 4.3 GHz
			     * passes 2^64. */
			    (uint64_t)((unsigned __int128)
					       cfg->stop_after_idle_ms *
				       hz / 1000)) {
			printf("op25b: idle for %" PRIu32 " ms, stopping\n",
			       cfg->stop_after_idle_ms);
			break;
		}
		if (now >= next_ports) {
			op25b_ports_publish_stats(app);
			next_ports = now + hz;
		}
		if (cfg->status_interval_s != 0 && now >= next_status) {
			status_line(app);
			next_status = now + cfg->status_interval_s * hz;
		}
	}
	atomic_store_explicit(&app->stop, true, memory_order_relaxed);
	rte_eal_mp_wait_lcore();
}
