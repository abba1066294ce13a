/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Exemptions on the control lcore: the registry the operator edits, the
 * table the workers read (rebuilt and swapped under RCU after every
 * change, never patched in place), expiry (every change audited, with
 * who made it: audit.c), and the state file that keeps the registry
 * across restarts.
 *
 * Every change goes: registry, then state file, then table. The file is
 * on disk before the command answers (a SIGKILL after the answer loses
 * nothing); a change the file cannot take is undone before the data path
 * ever sees it, and the command says nothing changed.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_rcu_qsbr.h>

#include "op25b_app.h"

/* ------------------------------------------------------------------ */
/* The state file                                                      */

static int publish(struct op25b_app *app);
static void format_ttl(uint32_t ttl, char *buf, size_t size);

/* mkdir -p: the state directory and any parent missing, 0750. */
static int
make_dirs(const char *path)
{
	char dir[4096];
	struct stat st;
	size_t i, len;

	len = strlen(path);
	if (len == 0)
		return -ENOENT;
	if (len >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, path, len + 1);
	for (i = 1; i <= len; i++) {
		if (dir[i] != '/' && dir[i] != '\0')
			continue;
		dir[i] = '\0';
		if (mkdir(dir, 0750) != 0 && errno != EEXIST)
			return -errno;
		dir[i] = path[i];
	}
	if (stat(path, &st) != 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

/* Refuses to start when the state directory cannot take the file: a
 * grant that would vanish at the next restart is no grant. */
static int
state_open(struct op25b_app *app)
{
	const char *dir = app->config.state_dir != NULL ? app->config.state_dir
							: "/var/lib/op25b";
	int err;

	err = make_dirs(dir);
	if (err == 0 && access(dir, W_OK | X_OK) != 0)
		err = -errno;
	if (err == 0 &&
	    snprintf(app->state_path, sizeof(app->state_path),
		     "%s/%s.exemptions", dir,
		     app->config.instance) >= (int)sizeof(app->state_path))
		err = -ENAMETOOLONG;
	if (err != 0) {
		app->state_path[0] = '\0';
		fprintf(stderr,
			"op25b: --state-dir %s: %s (exemptions are kept there "
			"across restarts: give a directory op25b can write)\n",
			dir, strerror(-err));
	}
	return err;
}

/*
 * A file beside @p path, PATH.TAG-TIME (PATH.TAG-TIME.N when that is
 * taken: an earlier one is never replaced), made by @p make(@p path, the
 * name, @p ctx): 0, -EEXIST (the name taken: try the next) or -errno. Its
 * name in @p aside.
 */
static int
beside(const char *path, const char *tag, char *aside, size_t size,
       int (*make)(const char *path, const char *aside, void *ctx), void *ctx)
{
	time_t now = time(NULL);
	char when[32];
	struct tm tm;
	unsigned int i;
	int err;

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", &tm);
	for (i = 0; i < 100; i++) {
		if (i == 0)
			snprintf(aside, size, "%s.%s-%s", path, tag, when);
		else
			snprintf(aside, size, "%s.%s-%s.%u", path, tag, when,
				 i);
		err = make(path, aside, ctx);
		if (err != -EEXIST)
			return err;
	}
	return -EEXIST;
}

static int
rename_to(const char *path, const char *aside, void *ctx)
{
	(void)ctx;
	return renameat2(AT_FDCWD, path, AT_FDCWD, aside, RENAME_NOREPLACE) == 0
		       ? 0
		       : -errno;
}

/* Rename the file at @p path to PATH.corrupt-TIME, its new name in
 * @p aside. */
static int
move_aside(const char *path, char *aside, size_t size)
{
	return beside(path, "corrupt", aside, size, rename_to, NULL);
}

/* The file now at state_path is op25b's: it has just read or written it. */
static void
state_seen_set(struct op25b_app *app)
{
	struct stat st;

	app->state_seen.known = lstat(app->state_path, &st) == 0;
	if (!app->state_seen.known)
		return;
	app->state_seen.dev = st.st_dev;
	app->state_seen.ino = st.st_ino;
	app->state_seen.size = st.st_size;
	app->state_seen.mtime = st.st_mtim;
}

/* Whether a file at state_path is one op25b did not read or write: not
 * the one it last did (another file, or that one changed in place). None
 * there is not, nor a path that cannot be looked at (the save says why). */
static bool
state_foreign(const struct op25b_app *app)
{
	struct stat st;

	if (lstat(app->state_path, &st) != 0)
		return false;
	return !app->state_seen.known || st.st_dev != app->state_seen.dev ||
	       st.st_ino != app->state_seen.ino ||
	       st.st_size != app->state_seen.size ||
	       st.st_mtim.tv_sec != app->state_seen.mtime.tv_sec ||
	       st.st_mtim.tv_nsec != app->state_seen.mtime.tv_nsec;
}

/* A file at state_path op25b did not read (state_foreign()), and what to
 * do: the words of the refused change and of the log. */
#define STATE_FOREIGN                                                          \
	"was put there since op25b last wrote it: exempt import it "           \
	"(merge), or move it away"

/* Why a save failed, for op25b's log (the file's path before it). */
static const char *
save_failure(int err)
{
	return err == -ESTALE ? "the file " STATE_FOREIGN : strerror(-err);
}

/* The registry to the state file; 0 or -errno (-ESTALE: a file op25b did
 * not read is there, state_foreign()). */
static int
state_save(struct op25b_app *app)
{
	char aside[4200];
	int err;

	if (app->state_path[0] == '\0')
		return 0;
	/* Written over, it would lose the exemptions it holds. */
	if (app->state_unread != 0)
		return -EAGAIN;
	if (app->state_keep_out) {
		/* Still there, unread: moved now or not written over. */
		err = move_aside(app->state_path, aside, sizeof(aside));
		if (err != 0 && err != -ENOENT)
			return -EEXIST;
		app->state_keep_out = false;
		if (err == 0)
			op25b_audit(app, "state-moved file=%s moved=%s",
				    app->state_path, aside);
	}
	if (state_foreign(app)) {
		app->state_dirty = true;
		return -ESTALE;
	}
	err = op25b_exempt_registry_save(app->exempts, app->state_path);
	app->state_dirty = err != 0;
	if (err == 0)
		state_seen_set(app);
	return err;
}

/*
 * Why the registry is in no file a restart would read (NULL: it is): the
 * file op25b last read or wrote at state_path is gone (deleted, moved
 * away) or another one was put there. The tick asks once a second: a stop
 * would otherwise bring the next start up without the exemptions in force,
 * or with another file's in their place, and nothing said.
 */
static const char *
state_lost(const struct op25b_app *app)
{
	struct stat st;

	/* Not read (state_unread, state_keep_out) or never written: no file
	 * of op25b's to lose. */
	if (app->state_path[0] == '\0' || app->state_unread != 0 ||
	    app->state_keep_out || !app->state_seen.known)
		return NULL;
	if (lstat(app->state_path, &st) != 0)
		return errno == ENOENT ? "gone" : NULL;
	return state_foreign(app) ? "replaced" : NULL;
}

/*
 * At stop, the registry when the state file is another's (state_save()
 * -ESTALE): left as it is, the next start reads that one, so the
 * exemptions in force go beside it, PATH.at-stop-TIME, for an `exempt
 * import` to bring back. 0 and @aside named, or -errno.
 */
static int
export_to(const char *path, const char *aside, void *ctx)
{
	struct stat st;

	(void)path;
	if (lstat(aside, &st) == 0)
		return -EEXIST;
	return errno == ENOENT ? op25b_exempt_registry_export(ctx, aside)
			       : -errno;
}

static int
state_save_aside(struct op25b_app *app, char *aside, size_t size)
{
	return beside(app->state_path, "at-stop", aside, size, export_to,
		      app->exempts);
}

/* "state file PATH: why" for the messages of failed changes. */
static const char *
state_error_text(const struct op25b_app *app, int err, char *buf, size_t size)
{
	if (err == -EEXIST)
		snprintf(buf, size,
			 "state file %s could not be read nor moved aside: "
			 "move it away",
			 app->state_path);
	else if (err == -EAGAIN && app->state_unread != 0)
		snprintf(buf, size,
			 "state file %s cannot be read (%s): fix it first",
			 app->state_path, strerror(app->state_unread));
	else if (err == -ESTALE)
		snprintf(buf, size, "state file %s " STATE_FOREIGN,
			 app->state_path);
	else
		snprintf(buf, size, "state file %s: %s", app->state_path,
			 strerror(-err));
	return buf;
}

/* A state file that could not be read: one line, moved aside, audited;
 * op25b goes on without those exemptions. */
static void
state_refuse_file(struct op25b_app *app,
		  const struct op25b_exempt_state_error *e)
{
	char where[4200], aside[4200], q[2 * sizeof(e->message)];
	int err;

	if (e->line > 0)
		snprintf(where, sizeof(where), "%s:%u", app->state_path,
			 e->line);
	else
		snprintf(where, sizeof(where), "%s", app->state_path);
	err = move_aside(app->state_path, aside, sizeof(aside));
	if (err == 0) {
		fprintf(stderr,
			"op25b: %s: %s; moved aside to %s, starting without "
			"its exemptions\n",
			where, e->message, aside);
	} else {
		app->state_keep_out = true;
		snprintf(aside, sizeof(aside), "(not moved: %s)",
			 strerror(-err));
		fprintf(stderr,
			"op25b: %s: %s; could not move it aside (%s): it is "
			"not written over, exemption changes fail until it "
			"is moved\n",
			where, e->message, strerror(-err));
	}
	op25b_audit(app,
		    "state-unreadable file=%s line=%u error=\"%s\" "
		    "moved=%s",
		    app->state_path, e->line,
		    op25b_audit_quoted(e->message, q, sizeof(q)), aside);
}

static void
audit_expired_while_stopped(const struct op25b_exempt_entry *e, void *arg)
{
	struct op25b_app *app = arg;
	char text[64], ttl[32], when[32], q[2 * OP25B_EXEMPT_REASON_MAX];
	time_t at = (time_t)(e->expires / 1000);
	struct tm tm;

	op25b_prefix_format(&e->prefix, text, sizeof(text));
	format_ttl(e->ttl, ttl, sizeof(ttl));
	gmtime_r(&at, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	op25b_audit(app,
		    "expire prefix=%s ttl=%s uid=%" PRIu32 " reason=\"%s\" "
		    "expired=%s while=stopped",
		    text, ttl, e->uid,
		    op25b_audit_quoted(e->reason, q, sizeof(q)), when);
	printf("op25b: exemption %s expired at %s, while op25b was "
	       "stopped\n",
	       text, when);
}

/*
 * The exemptions of the last run, in force before the first packet: the
 * workers are launched after this. Entries that expired in between are
 * dropped and audited; the rest keep their grant time and expiry. A file
 * that is there but cannot be read (permissions, an I/O error) is left as
 * it is, neither moved aside nor written over: its exemptions are the
 * customers', and a fixed permission brings them back (the tick reads it
 * again every second, through here).
 */
static int
state_restore(struct op25b_app *app)
{
	struct op25b_exempt_state_error e;
	struct op25b_exempt_registry *loaded;
	unsigned int expired, n;
	int err;

	/* A file whose lines are all good but whose count is not (cut at a
	 * line's end, or edited by hand) is restored as it reads, loudly:
	 * moved aside, it would take every exemption with it. */
	loaded = op25b_exempt_registry_restore(app->state_path, &e);
	if (loaded == NULL) {
		int error = errno;

		if (error == ENOMEM) {
			fprintf(stderr, "op25b: %s: %s\n", app->state_path,
				strerror(ENOMEM));
			return -ENOMEM;
		}
		if (error != ENOENT && error != EINVAL) {
			char q[2 * sizeof(e.message)];

			if (app->state_unread != error) {
				fprintf(stderr,
					"op25b: %s: %s: its exemptions are "
					"not in force until it can be read "
					"(tried again every second); not "
					"moved, not written over\n",
					app->state_path, strerror(error));
				op25b_audit(app,
					    "state-unreadable file=%s line=0 "
					    "error=\"%s\" moved=no",
					    app->state_path,
					    op25b_audit_quoted(strerror(error),
							       q, sizeof(q)));
			}
			app->state_unread = error;
			return 0;
		}
		app->state_unread = 0;
		if (error == EINVAL)
			state_refuse_file(app, &e);
		return 0;
	}
	if (app->state_unread != 0)
		fprintf(stderr, "op25b: %s: read\n", app->state_path);
	app->state_unread = 0;
	state_seen_set(app);
	if (e.line != 0) {
		char q[2 * sizeof(e.message)];

		fprintf(stderr,
			"op25b: %s:%u: %s; its %u exemptions restored as "
			"they are\n",
			app->state_path, e.line, e.message,
			op25b_exempt_registry_count(loaded));
		op25b_audit(app,
			    "state-count file=%s line=%u error=\"%s\" "
			    "exemptions=%u",
			    app->state_path, e.line,
			    op25b_audit_quoted(e.message, q, sizeof(q)),
			    op25b_exempt_registry_count(loaded));
	}
	expired = op25b_exempt_registry_expire(
		loaded, op25b_now_ms(), audit_expired_while_stopped, app);
	op25b_exempt_registry_free(app->exempts);
	app->exempts = loaded;
	n = op25b_exempt_registry_count(loaded);
	err = publish(app);
	if (err != 0) {
		/* The file is untouched: the next start tries again. */
		fprintf(stderr,
			"op25b: %s: building the table of %u exemptions "
			"failed: %s\n",
			app->state_path, n, strerror(-err));
		return err;
	}
	if (expired > 0 && (err = state_save(app)) != 0)
		fprintf(stderr,
			"op25b: %s: dropping the expired exemptions failed: "
			"%s (retrying)\n",
			app->state_path, save_failure(err));
	if (n > 0 || expired > 0) {
		op25b_audit(app, "restore file=%s exemptions=%u expired=%u",
			    app->state_path, n, expired);
		printf("op25b: %u exemption%s restored from %s (%u expired "
		       "while op25b was stopped)\n",
		       n, n == 1 ? "" : "s", app->state_path, expired);
	}
	fflush(stdout);
	return 0;
}

int
op25b_app_exempt_start(struct op25b_app *app)
{
	int err;

	err = op25b_audit_start(app);
	if (err != 0)
		return err;
	app->exempts = op25b_exempt_registry_create();
	if (app->exempts == NULL)
		return -ENOMEM;
	err = state_open(app);
	if (err == 0)
		err = state_restore(app);
	if (err != 0) {
		op25b_exempt_registry_free(app->exempts);
		app->exempts = NULL;
	}
	return err;
}

void
op25b_app_exempt_stop(struct op25b_app *app)
{
	int err;

	/* A save that failed is retried once a second while op25b runs;
	 * the last try is now, or the file would come back at the next
	 * start with what the registry no longer holds (or without what
	 * it gained). */
	if (app->exempts != NULL && !app->state_dirty && state_lost(app))
		app->state_dirty = true;
	if (app->exempts != NULL && app->state_dirty) {
		char aside[4200];

		err = state_save(app);
		if (err == 0) {
			fprintf(stderr, "op25b: %s: written again at stop\n",
				app->state_path);
		} else if (err == -ESTALE) {
			unsigned int n =
				op25b_exempt_registry_count(app->exempts);
			char kept[4400] = "";

			/* None in force: nothing to keep beside it. */
			if (n > 0 &&
			    (err = state_save_aside(app, aside,
						    sizeof(aside))) == 0) {
				snprintf(kept, sizeof(kept),
					 "; the %u exemptions in force are in "
					 "%s (exempt import it merge)",
					 n, aside);
				op25b_audit(app,
					    "state-kept file=%s kept=%s "
					    "exemptions=%u",
					    app->state_path, aside, n);
			} else if (n > 0) {
				snprintf(kept, sizeof(kept),
					 "; the %u exemptions in force could "
					 "not be written beside it: %s",
					 n, strerror(-err));
			}
			fprintf(stderr,
				"op25b: %s: not written at stop: a file op25b "
				"did not read is there, left as it is (the "
				"next start reads it)%s\n",
				app->state_path, kept);
		} else
			fprintf(stderr, "op25b: %s: not written at stop: %s\n",
				app->state_path, save_failure(err));
	}
	op25b_audit_stop(app);
	op25b_exempt_table_free(atomic_load(&app->exempt));
	atomic_store(&app->exempt, NULL);
	op25b_exempt_registry_free(app->exempts);
	app->exempts = NULL;
}

/* Build the table of the registry as it now is and swap it in; the old
 * one is freed once no worker can hold it. */
static int
publish(struct op25b_app *app)
{
	struct op25b_exempt_table *next = NULL, *old;

	if (op25b_exempt_registry_count(app->exempts) > 0) {
		next = op25b_exempt_table_build(app->exempts,
						(int)rte_socket_id());
		if (next == NULL)
			return -rte_errno;
	}
	/* Release: a worker that sees the pointer sees a complete table. */
	old = atomic_exchange_explicit(&app->exempt, next,
				       memory_order_acq_rel);
	rte_rcu_qsbr_synchronize(app->qsbr, RTE_QSBR_THRID_INVALID);
	op25b_exempt_table_free(old);
	OP25B_LOG(DEBUG, "exemption table swapped in: exemptions %u, %zu bytes",
		  op25b_exempt_registry_count(app->exempts),
		  op25b_exempt_table_memory(next));
	/* A gauge: one aligned word, outside the layout epoch. */
	__atomic_store_n(&op25b_stats_writer_header(app->stats)->exemptions,
			 op25b_exempt_registry_count(app->exempts),
			 __ATOMIC_RELAXED);
	return 0;
}

/* A TTL as the operator would write it: 30d, 12h, 90s. */
static void
format_ttl(uint32_t ttl, char *buf, size_t size)
{
	if (ttl == 0)
		snprintf(buf, size, "none");
	else if (ttl % 86400 == 0)
		snprintf(buf, size, "%" PRIu32 "d", ttl / 86400);
	else if (ttl % 3600 == 0)
		snprintf(buf, size, "%" PRIu32 "h", ttl / 3600);
	else if (ttl % 60 == 0)
		snprintf(buf, size, "%" PRIu32 "m", ttl / 60);
	else
		snprintf(buf, size, "%" PRIu32 "s", ttl);
}

/* Put the registry back as it was before a change to @p prefix: @p before
 * is the entry it held (NULL: none). */
static void
undo(struct op25b_app *app, const struct op25b_prefix *prefix,
     const struct op25b_exempt_entry *before)
{
	if (before != NULL)
		op25b_exempt_registry_put(app->exempts, before, NULL);
	else
		op25b_exempt_registry_del(app->exempts, prefix, NULL);
}

/*
 * The registry changed: to the state file, then to the data path. On
 * failure the caller undoes the registry change, and when the file had
 * taken it (*saved) writes the file again (commit_undone()). Returns 0 or
 * -errno, with the reason in @p why.
 */
static int
commit(struct op25b_app *app, bool *saved, char *why, size_t size)
{
	int err = state_save(app);

	*saved = err == 0;
	if (err != 0) {
		state_error_text(app, err, why, size);
		return err;
	}
	err = publish(app);
	if (err != 0)
		snprintf(why, size, "building the exemption table: %s",
			 strerror(-err));
	return err;
}

/* After an undo: the file shows the registry as it is again (the change
 * may have reached it before the table failed). */
static void
commit_undone(struct op25b_app *app)
{
	int err = state_save(app);

	if (err != 0)
		fprintf(stderr, "op25b: %s: %s (retrying)\n", app->state_path,
			save_failure(err));
}

int
op25b_app_exempt_add(struct op25b_app *app, const struct op25b_prefix *prefix,
		     uint32_t ttl, const char *reason, uint32_t uid, char *msg,
		     size_t size)
{
	const struct op25b_exempt_entry *e;
	struct op25b_exempt_entry before;
	char text[64], ttl_text[32], q[2 * OP25B_EXEMPT_REASON_MAX];
	char why[4200];
	bool replaced = false, saved;
	unsigned int n;
	int err;

	op25b_prefix_format(prefix, text, sizeof(text));
	e = op25b_exempt_registry_find(app->exempts, prefix);
	if (e != NULL)
		before = *e;
	err = op25b_exempt_registry_add(app->exempts, prefix, ttl, reason, uid,
					op25b_now_ms(), &replaced);
	if (err != 0) {
		snprintf(msg, size, "exempt add %s: %s%s; nothing changed",
			 text,
			 err == -E2BIG ? "the reason is longer than 127 bytes"
				       : strerror(-err),
			 err == -ENOSPC ? " (the registry is full)" : "");
		return err;
	}
	err = commit(app, &saved, why, sizeof(why));
	if (err != 0) {
		undo(app, prefix, replaced ? &before : NULL);
		if (saved)
			commit_undone(app);
		snprintf(msg, size, "exempt add %s: %s; nothing changed", text,
			 why);
		return err;
	}
	/* The reason as kept (cut and scrubbed), not as typed. */
	e = op25b_exempt_registry_find(app->exempts, prefix);
	n = op25b_exempt_registry_count(app->exempts);
	format_ttl(ttl, ttl_text, sizeof(ttl_text));
	op25b_audit(
		app, "%s prefix=%s ttl=%s uid=%" PRIu32 " reason=\"%s\"",
		replaced ? "replace" : "add", text, ttl_text, uid,
		op25b_audit_quoted(e != NULL ? e->reason : "", q, sizeof(q)));
	snprintf(msg, size, "exempt %s: %s (ttl %s)%s", text,
		 replaced ? "renewed" : "added", ttl_text,
		 n == 1 ? "; 1 exemption" : "");
	return 0;
}

int
op25b_app_exempt_del(struct op25b_app *app, const struct op25b_prefix *prefix,
		     uint32_t uid, char *msg, size_t size)
{
	struct op25b_exempt_entry removed;
	char text[64], q[2 * OP25B_EXEMPT_REASON_MAX], why[4200];
	bool saved;
	int err;

	op25b_prefix_format(prefix, text, sizeof(text));
	err = op25b_exempt_registry_del(app->exempts, prefix, &removed);
	if (err == -ENOENT) {
		snprintf(msg, size,
			 "exempt del %s: no such exemption (see exempt list)",
			 text);
		return err;
	}
	err = commit(app, &saved, why, sizeof(why));
	if (err != 0) {
		/* Put it back as it was, its expiry included: the data
		 * path still holds it. */
		undo(app, prefix, &removed);
		if (saved)
			commit_undone(app);
		snprintf(msg, size, "exempt del %s: %s; nothing changed", text,
			 why);
		return err;
	}
	op25b_audit(app, "del prefix=%s uid=%" PRIu32 " reason=\"%s\"", text,
		    uid, op25b_audit_quoted(removed.reason, q, sizeof(q)));
	snprintf(msg, size, "exempt %s: deleted", text);
	return 0;
}

/* What an import changed, counted and audited entry by entry. */
struct import_tally {
	struct op25b_app *app;
	uint32_t uid;
	unsigned int added, replaced, removed;
};

static void
audit_import(const struct op25b_exempt_entry *old,
	     const struct op25b_exempt_entry *new, void *arg)
{
	struct import_tally *t = arg;
	const struct op25b_exempt_entry *e = new != NULL ? new : old;
	char text[64], ttl[32], q[2 * OP25B_EXEMPT_REASON_MAX];

	op25b_prefix_format(&e->prefix, text, sizeof(text));
	format_ttl(e->ttl, ttl, sizeof(ttl));
	if (old == NULL)
		t->added++;
	else if (new == NULL)
		t->removed++;
	else
		t->replaced++;
	op25b_audit(t->app,
		    "import-%s prefix=%s ttl=%s uid=%" PRIu32
		    " granted_by=%" PRIu32 " reason=\"%s\"",
		    old == NULL	  ? "add"
		    : new == NULL ? "del"
				  : "replace",
		    text, ttl, t->uid, e->uid,
		    op25b_audit_quoted(e->reason, q, sizeof(q)));
}

int
op25b_app_exempt_import(struct op25b_app *app, const char *path, bool replace,
			bool force, uint32_t uid, char *msg, size_t size)
{
	struct op25b_exempt_registry *loaded, *next, *old = app->exempts;
	struct import_tally tally = { .app = app, .uid = uid };
	struct op25b_exempt_state_error e;
	unsigned int expired, n, i;
	char why[4200], file[OP25B_AUDIT_WORD_MAX];
	struct op25b_state_seen seen;
	struct stat imported, at_path;
	bool saved, own;
	int err;

	/* The state file itself, put there since op25b wrote it (what
	 * state_error_text() tells to import): read as op25b reads it at
	 * start, a wrong count taken as it reads (said, as there) and an
	 * IPv4-mapped entry kept, so that the import that mends the
	 * refusal is not refused too. Any other file is read strictly:
	 * the whole file is checked before anything changes. */
	own = app->state_path[0] != '\0' && stat(path, &imported) == 0 &&
	      lstat(app->state_path, &at_path) == 0 &&
	      imported.st_dev == at_path.st_dev &&
	      imported.st_ino == at_path.st_ino;
	loaded = own ? op25b_exempt_registry_restore(path, &e)
		     : op25b_exempt_registry_load(path, &e);
	if (loaded != NULL && own && e.line != 0)
		fprintf(stderr,
			"op25b: %s:%u: %s; its %u exemptions imported as "
			"they are\n",
			path, e.line, e.message,
			op25b_exempt_registry_count(loaded));
	if (loaded == NULL) {
		err = -errno;
		if (e.line > 0)
			snprintf(msg, size,
				 "exempt import %s:%u: %s; nothing changed",
				 path, e.line, e.message);
		else
			snprintf(msg, size,
				 "exempt import %s: %s; nothing changed", path,
				 e.message);
		return err;
	}
	/* Granted elsewhere and over by now: never in force here. */
	expired = op25b_exempt_registry_expire(loaded, op25b_now_ms(), NULL,
					       NULL);
	n = op25b_exempt_registry_count(loaded);
	/* An IPv4-mapped address, refused as exempt add refuses it (a file
	 * of before that check may hold one; del takes it out), but in the
	 * state file itself, which op25b restores with it at start. */
	for (i = 0; i < n && !own; i++) {
		const struct op25b_exempt_entry *x =
			&op25b_exempt_registry_entries(loaded)[i];
		char text[INET6_ADDRSTRLEN + 4], refused[160];

		if (!op25b_exempt_mapped_refused(&x->prefix, refused,
						 sizeof(refused)))
			continue;
		op25b_prefix_format(&x->prefix, text, sizeof(text));
		snprintf(msg, size, "exempt import %s: %s: %s; nothing changed",
			 path, text, refused);
		op25b_exempt_registry_free(loaded);
		return -EINVAL;
	}
	/* Every source of a family, which turns OP25B off: only with force,
	 * as exempt add (a template's slip would do it fleet-wide). */
	for (i = 0; i < n && !force; i++) {
		const struct op25b_exempt_entry *x =
			&op25b_exempt_registry_entries(loaded)[i];

		if (x->prefix.length != 0)
			continue;
		snprintf(msg, size,
			 "exempt import %s: %s exempts every %s source, which "
			 "turns OP25B off: add force if that is meant; "
			 "nothing changed",
			 path,
			 x->prefix.family == AF_INET ? "0.0.0.0/0" : "::/0",
			 x->prefix.family == AF_INET ? "IPv4" : "IPv6");
		op25b_exempt_registry_free(loaded);
		return -EPERM;
	}
	/* A replace by a file that holds nothing in force deletes every
	 * exemption: an empty template pushed to a fleet would. Only with
	 * force too. */
	if (replace && n == 0 && op25b_exempt_registry_count(old) > 0 &&
	    !force) {
		snprintf(msg, size,
			 "exempt import %s replace: the file holds no "
			 "exemption in force, so replacing would delete all "
			 "%u: add force if that is meant; nothing changed",
			 path, op25b_exempt_registry_count(old));
		op25b_exempt_registry_free(loaded);
		return -EPERM;
	}
	if (replace) {
		next = loaded;
	} else {
		next = op25b_exempt_registry_merge(old, loaded);
		err = -errno;
		op25b_exempt_registry_free(loaded);
		if (next == NULL) {
			snprintf(msg, size,
				 "exempt import %s: %s%s; nothing changed",
				 path, strerror(-err),
				 err == -ENOSPC ? " (more than 65536 "
						  "exemptions together)"
						: "");
			return err;
		}
	}
	/* The state file itself, put there since op25b wrote it: now read,
	 * so it may be written over with what it holds and the rest. */
	seen = app->state_seen;
	if (own)
		state_seen_set(app);
	app->exempts = next;
	err = commit(app, &saved, why, sizeof(why));
	if (err != 0) {
		app->state_seen = seen;
		app->exempts = old;
		op25b_exempt_registry_free(next);
		if (saved)
			commit_undone(app);
		snprintf(msg, size, "exempt import %s: %s; nothing changed",
			 path, why);
		return err;
	}
	op25b_exempt_registry_diff(old, next, audit_import, &tally);
	op25b_exempt_registry_free(old);
	op25b_audit(app,
		    "import file=%s mode=%s uid=%" PRIu32
		    " entries=%u added=%u replaced=%u deleted=%u expired=%u",
		    op25b_audit_word(path, file, sizeof(file)),
		    replace ? "replace" : "merge", uid, n, tally.added,
		    tally.replaced, tally.removed, expired);
	snprintf(msg, size,
		 "exempt import %s (%s): %u added, %u replaced, %u deleted, "
		 "%u unchanged, %u already expired; %u exemptions",
		 path, replace ? "replace" : "merge", tally.added,
		 tally.replaced, tally.removed,
		 n - tally.added - tally.replaced, expired,
		 op25b_exempt_registry_count(app->exempts));
	return 0;
}

static void
audit_expiry(const struct op25b_exempt_entry *e, void *arg)
{
	struct op25b_app *app = arg;
	char text[64], ttl[32], q[2 * OP25B_EXEMPT_REASON_MAX];

	op25b_prefix_format(&e->prefix, text, sizeof(text));
	format_ttl(e->ttl, ttl, sizeof(ttl));
	op25b_audit(
		app, "expire prefix=%s ttl=%s uid=%" PRIu32 " reason=\"%s\"",
		text, ttl, e->uid, op25b_audit_quoted(e->reason, q, sizeof(q)));
	printf("op25b: exemption %s expired (ttl %s)\n", text, ttl);
	fflush(stdout);
}

unsigned int
op25b_app_exempt_tick(struct op25b_app *app)
{
	/* Set when expired entries left the registry but the table that
	 * drops them could not be built: retried every tick. */
	static bool stale;
	static uint64_t last_retry, last_read;
	static uint64_t last_look;
	uint64_t next = op25b_exempt_registry_next_expiry(app->exempts);
	const char *lost;
	bool was_dirty;
	uint64_t now;
	unsigned int n = 0;
	int err;

	/* The file gone or replaced: written again (at once when gone; once
	 * the other file is moved away or imported when replaced, as
	 * state_save() never writes over it), said once. */
	if (!app->state_dirty && op25b_monotonic_ms() >= last_look + 1000) {
		last_look = op25b_monotonic_ms();
		lost = state_lost(app);
		if (lost != NULL) {
			app->state_dirty = true;
			last_retry = 0;
			if (strcmp(lost, "gone") == 0)
				fprintf(stderr,
					"op25b: %s: gone since op25b wrote "
					"it: writing it again\n",
					app->state_path);
			else
				fprintf(stderr,
					"op25b: %s " STATE_FOREIGN "; op25b "
					"writes its own there once it is "
					"gone\n",
					app->state_path);
			op25b_audit(app, "state-lost file=%s why=%s",
				    app->state_path, lost);
		}
	}
	was_dirty = app->state_dirty;

	if (next != 0 && (now = op25b_now_ms()) >= next)
		n = op25b_exempt_registry_expire(app->exempts, now,
						 audit_expiry, app);
	/* The file may show an expired entry a while longer: a restart
	 * drops it anyway, so the data path is not held back for it. */
	/* A failing disk is retried once a second, not every tick. */
	/* Timed by the monotonic clock: the wall clock stepped back an
	 * hour held the retries (and every change meanwhile) that hour. */
	if (n > 0 || (was_dirty && op25b_monotonic_ms() >= last_retry + 1000)) {
		last_retry = op25b_monotonic_ms();
		err = state_save(app);
		/* Said once a failure, and for each expiry the file could
		 * not take (it keeps the expired entry meanwhile), not for
		 * every retry. */
		if (err != 0 && (!was_dirty || n > 0))
			fprintf(stderr, "op25b: %s: %s (retrying)\n",
				app->state_path, save_failure(err));
		else if (err == 0 && was_dirty)
			fprintf(stderr, "op25b: %s: written again\n",
				app->state_path);
	}
	/* A state file that could not be read at start: read again. */
	if (app->state_unread != 0 &&
	    op25b_monotonic_ms() >= last_read + 1000) {
		last_read = op25b_monotonic_ms();
		/* Read, but its table not built: rebuilt below, every tick,
		 * until it is. */
		if (state_restore(app) != 0)
			stale = true;
	}
	if (n > 0 || stale) {
		stale = publish(app) != 0;
		if (stale)
			fprintf(stderr,
				"op25b: rebuilding the exemption table "
				"failed: %s (retrying)\n",
				rte_strerror(rte_errno));
	}
	return n;
}
