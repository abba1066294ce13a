/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Exemptions on the control lcore: the registry the operator edits, the
 * table the workers read (rebuilt and swapped under RCU after every
 * change, never patched in place), expiry, and the audit log that records
 * every change with who made it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
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

uint64_t
op25b_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Opened at the first change, so that an appliance nobody touches (and
 * every test run of one) leaves no file behind; op25b_exempt_start()
 * made sure it can be created. */
static FILE *
audit_file(struct op25b_app *app)
{
	if (app->audit == NULL) {
		app->audit = fopen(app->config.audit_log, "a");
		if (app->audit == NULL)
			fprintf(stderr, "op25b: audit log %s: %s\n",
				app->config.audit_log, strerror(errno));
	}
	return app->audit;
}

void
op25b_audit(struct op25b_app *app, const char *fmt, ...)
{
	char when[32];
	struct tm tm;
	time_t now = time(NULL);
	FILE *out = audit_file(app);
	va_list ap;

	if (out == NULL)
		return;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(out, "%s instance=%s ", when, app->config.instance);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
	/* An audit line that is lost when the appliance dies is no audit. */
	fflush(out);
}

/* Create the audit log's directory when it is the default one. */
static int
make_parent(const char *path)
{
	char dir[4096];
	char *slash;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0750) != 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Refuses to start when the audit log could not be written: better now
 * than at the first exemption. */
int
op25b_exempt_start(struct op25b_app *app)
{
	static char default_path[4096];
	const char *path = app->config.audit_log;
	int err;

	if (path == NULL) {
		snprintf(default_path, sizeof(default_path),
			 "/var/log/op25b/%s.audit.log", app->config.instance);
		path = default_path;
		app->config.audit_log = path;
		err = make_parent(path);
		if (err != 0) {
			fprintf(stderr, "op25b: audit log %s: %s\n", path,
				strerror(-err));
			return err;
		}
	}
	if (access(path, W_OK) != 0 && errno != ENOENT) {
		err = -errno;
		fprintf(stderr, "op25b: audit log %s: %s (give --audit-log "
				"FILE)\n",
			path, strerror(errno));
		return err;
	}
	if (access(path, F_OK) != 0) {
		char dir[4096], *slash;

		snprintf(dir, sizeof(dir), "%s", path);
		slash = strrchr(dir, '/');
		if (slash == dir)
			slash[1] = '\0';
		else if (slash != NULL)
			*slash = '\0';
		else
			strcpy(dir, ".");
		if (access(dir, W_OK | X_OK) != 0) {
			err = -errno;
			fprintf(stderr,
				"op25b: audit log %s: cannot create it in %s: "
				"%s (give --audit-log FILE)\n",
				path, dir, strerror(errno));
			return err;
		}
	}
	app->exempts = op25b_exempt_registry_create();
	return app->exempts == NULL ? -ENOMEM : 0;
}

void
op25b_exempt_stop(struct op25b_app *app)
{
	if (app->audit != NULL) {
		fclose(app->audit);
		app->audit = NULL;
	}
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

	if (op25b_exempt_count(app->exempts) > 0) {
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
	/* A gauge: one aligned word, outside the layout epoch. */
	__atomic_store_n(&op25b_stats_header(app->stats)->exemptions,
			 op25b_exempt_count(app->exempts), __ATOMIC_RELAXED);
	return 0;
}

/* A reason as one audit field: quotes and backslashes escaped (the
 * registry already replaced control characters). */
static const char *
quoted(const char *text, char *buf, size_t size)
{
	size_t o = 0;

	for (; *text != '\0' && o + 3 < size; text++) {
		if (*text == '"' || *text == '\\')
			buf[o++] = '\\';
		buf[o++] = *text;
	}
	buf[o] = '\0';
	return buf;
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

int
op25b_control_exempt_add(struct op25b_app *app,
			 const struct op25b_prefix *prefix, uint32_t ttl,
			 const char *reason, uint32_t uid, char *msg,
			 size_t size)
{
	const struct op25b_exempt_entry *e;
	char text[64], ttl_text[32], q[2 * OP25B_EXEMPT_REASON_MAX];
	bool replaced = false;
	unsigned int n;
	int err;

	op25b_prefix_format(prefix, text, sizeof(text));
	err = op25b_exempt_add(app->exempts, prefix, ttl, reason, uid,
			       op25b_now_ms(), &replaced);
	if (err == 0)
		err = publish(app);
	if (err != 0) {
		/* A table that failed to build leaves the registry one entry
		 * ahead of the data path: take it back out. */
		if (err != -ENOSPC && err != -EINVAL && !replaced)
			op25b_exempt_del(app->exempts, prefix, NULL);
		snprintf(msg, size, "exempt add %s: %s%s; nothing changed",
			 text, strerror(-err),
			 err == -ENOSPC ? " (the registry is full)" : "");
		return err;
	}
	/* The reason as kept (cut and scrubbed), not as typed. */
	e = op25b_exempt_find(app->exempts, prefix);
	n = op25b_exempt_count(app->exempts);
	format_ttl(ttl, ttl_text, sizeof(ttl_text));
	op25b_audit(app, "%s prefix=%s ttl=%s uid=%" PRIu32 " reason=\"%s\"",
		    replaced ? "replace" : "add", text, ttl_text, uid,
		    quoted(e != NULL ? e->reason : "", q, sizeof(q)));
	snprintf(msg, size, "exempt %s: %s (ttl %s)%s", text,
		 replaced ? "renewed" : "added", ttl_text,
		 n == 1 ? "; 1 exemption" : "");
	return 0;
}

int
op25b_control_exempt_del(struct op25b_app *app,
			 const struct op25b_prefix *prefix, uint32_t uid,
			 char *msg, size_t size)
{
	struct op25b_exempt_entry removed;
	char text[64], q[2 * OP25B_EXEMPT_REASON_MAX];
	int err;

	op25b_prefix_format(prefix, text, sizeof(text));
	err = op25b_exempt_del(app->exempts, prefix, &removed);
	if (err == -ENOENT) {
		snprintf(msg, size,
			 "exempt del %s: no such exemption (see exempt list)",
			 text);
		return err;
	}
	err = publish(app);
	if (err != 0) {
		/* Put it back, with the time it had left: the data path
		 * still holds it. */
		uint64_t now = op25b_now_ms();
		uint32_t left = removed.expires == 0 ? 0
				: removed.expires > now
					? (uint32_t)((removed.expires - now +
						      999) / 1000)
					: 1;

		op25b_exempt_add(app->exempts, &removed.prefix, left,
				 removed.reason, removed.uid, now, NULL);
		snprintf(msg, size, "exempt del %s: %s; nothing changed",
			 text, strerror(-err));
		return err;
	}
	op25b_audit(app, "del prefix=%s uid=%" PRIu32 " reason=\"%s\"", text,
		    uid, quoted(removed.reason, q, sizeof(q)));
	snprintf(msg, size, "exempt %s: deleted", text);
	return 0;
}

static void
audit_expiry(const struct op25b_exempt_entry *e, void *arg)
{
	struct op25b_app *app = arg;
	char text[64], ttl[32], q[2 * OP25B_EXEMPT_REASON_MAX];

	op25b_prefix_format(&e->prefix, text, sizeof(text));
	format_ttl(e->ttl, ttl, sizeof(ttl));
	op25b_audit(app, "expire prefix=%s ttl=%s uid=%" PRIu32 " reason=\"%s\"",
		    text, ttl, e->uid, quoted(e->reason, q, sizeof(q)));
	printf("op25b: exemption %s expired (ttl %s)\n", text, ttl);
	fflush(stdout);
}

unsigned int
op25b_control_exempt_tick(struct op25b_app *app)
{
	/* Set when expired entries left the registry but the table that
	 * drops them could not be built: retried every tick. */
	static bool stale;
	uint64_t next = op25b_exempt_next_expiry(app->exempts);
	uint64_t now;
	unsigned int n = 0;

	if (next != 0 && (now = op25b_now_ms()) >= next)
		n = op25b_exempt_expire(app->exempts, now, audit_expiry, app);
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
