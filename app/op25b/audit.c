/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The audit log: one line per change an operator made (exemptions,
 * reloads, set, quit), "TIME instance=NAME EVENT key=value...", each
 * flushed as it is written; and the wall clock the exemptions and the
 * reports read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "op25b_app.h"

uint64_t
op25b_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t
op25b_monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Opened at the first change, so that an appliance nobody touches (and
 * every test run of one) leaves no file behind; op25b_audit_start() made
 * sure it can be created. Opened again after a write failed: a line that
 * write left torn is ended first, so that the next one starts a line. */
static FILE *
audit_file(struct op25b_app *app)
{
	FILE *f;
	int fd, last;

	if (app->audit != NULL)
		return app->audit;
	/* 0640, not fopen()'s 0666 under the umask: the trail names
	 * customers (exemption reasons, sources cleared). */
	fd = open(app->config.audit_log,
		  O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	f = fd < 0 ? NULL : fdopen(fd, "a+");
	if (f == NULL) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	last = fseek(f, -1, SEEK_END) == 0 ? fgetc(f) : '\n';
	fseek(f, 0, SEEK_END); /* between a read and a write */
	if (last != '\n')
		fputc('\n', f);
	app->audit = f;
	return f;
}

void
op25b_audit(struct op25b_app *app, const char *fmt, ...)
{
	char when[32], *event = NULL;
	struct tm tm;
	time_t now = time(NULL);
	FILE *out = audit_file(app);
	va_list ap;
	int err = out == NULL ? errno : 0;

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	va_start(ap, fmt);
	if (vasprintf(&event, fmt, ap) < 0)
		event = NULL;
	va_end(ap);
	if (out != NULL) {
		fprintf(out, "%s instance=%s %s\n", when, app->config.instance,
			event != NULL ? event : fmt);
		/* An audit line that is lost when the appliance dies is no
		 * audit: out at once, and checked. */
		if (fflush(out) != 0 || ferror(out)) {
			err = errno != 0 ? errno : EIO;
			fclose(out);
			app->audit = NULL;
		}
	}
	/* Not in the file (no space, an I/O error, a file that cannot be
	 * opened): the line goes to stderr, the journal, whole, rather
	 * than nowhere. */
	if (out == NULL || app->audit == NULL)
		fprintf(stderr,
			"op25b: audit log %s: %s; the line not written: %s "
			"instance=%s %s\n",
			app->config.audit_log, strerror(err), when,
			app->config.instance, event != NULL ? event : fmt);
	free(event);
}

/* Text as one quoted audit field: quotes and backslashes escaped (the
 * registry already replaced control characters in reasons; elsewhere they
 * become '?' here, so that no text forges a line). */
const char *
op25b_audit_quoted(const char *text, char *buf, size_t size)
{
	size_t o = 0;

	for (; *text != '\0' && o + 3 < size; text++) {
		if (*text == '"' || *text == '\\')
			buf[o++] = '\\';
		buf[o++] = (unsigned char)*text < 0x20 || *text == 0x7f ? '?'
									: *text;
	}
	buf[o] = '\0';
	return buf;
}

const char *
op25b_audit_word(const char *text, char *buf, size_t size)
{
	const char *c;

	for (c = text; *c != '\0'; c++)
		if (*c <= ' ' || *c > '~' || *c == '"' || *c == '\\')
			break;
	if (*c == '\0' && c != text) {
		snprintf(buf, size, "%s", text);
		return buf;
	}
	if (size < 3) {
		buf[0] = '\0';
		return buf;
	}
	buf[0] = '"';
	op25b_audit_quoted(text, buf + 1, size - 2);
	strcat(buf, "\"");
	return buf;
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
op25b_audit_start(struct op25b_app *app)
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
		fprintf(stderr,
			"op25b: audit log %s: %s (give --audit-log "
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
	return 0;
}

void
op25b_audit_stop(struct op25b_app *app)
{
	if (app->audit != NULL) {
		fclose(app->audit);
		app->audit = NULL;
	}
}
