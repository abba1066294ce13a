/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * op25b-xdp's exemptions: the file (lib/exempt's state-file format, as
 * op25b keeps it) and `exempt add|del|list`, which change the file and the
 * running program's table together; list prints op25b's table of them
 * (lib/exempt's op25b_exempt_registry_print). Every change holds the instance's
 * lock (xdp_lock), as reload and run's SIGHUP do: a live update must land
 * in the generation that stays.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "xdp_tool.h"

/* op25b's default --state-dir: op25b-xdp keeps NAME.exemptions there too. */
#define XDP_STATE_DIR "/var/lib/op25b"

int
xdp_absolute_path(const char *path, char *buf, size_t size)
{
	char cwd[PATH_MAX];
	int n;

	if (path[0] == '/')
		n = snprintf(buf, size, "%s", path);
	else if (getcwd(cwd, sizeof(cwd)) == NULL)
		return -errno;
	else
		n = snprintf(buf, size, "%s/%s", cwd, path);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int
xdp_exempt_path(const struct xdp_args *a, const char *name, char *buf,
		size_t size)
{
	int n;

	if (a->exemptions == NULL)
		n = snprintf(buf, size, "%s/%s.exemptions", XDP_STATE_DIR,
			     name);
	else /* absolute: reload and exempt run from anywhere */
		n = xdp_absolute_path(a->exemptions, buf, size) == 0
			    ? (int)strlen(buf)
			    : -1;
	/* The instance records it in 255 bytes (op25b_xdp_apply()). */
	if (n < 0 || (size_t)n >= size || n > 255) {
		fprintf(stderr, "op25b-xdp: --exemptions %s: path too long\n",
			a->exemptions ? a->exemptions : name);
		return -ENAMETOOLONG;
	}
	return 0;
}

/* The registry of @path, read as op25b restores its file at start: an
 * empty file as none, one whose every line is good and whose count alone
 * is wrong as it reads, @damaged then set and @e saying what (e->line,
 * or 0 for an empty file). NULL: missing (errno ENOENT) or refused (@e). */
static struct op25b_exempt_registry *
exempt_read(const char *path, struct op25b_exempt_state_error *e, bool *damaged)
{
	struct op25b_exempt_registry *reg;
	struct stat st;

	*damaged = false;
	memset(e, 0, sizeof(*e));
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0) {
		*damaged = true;
		snprintf(e->message, sizeof(e->message),
			 "the file is empty (one op25b or op25b-xdp writes has "
			 "a first line and an end line)");
		return op25b_exempt_registry_create();
	}
	reg = op25b_exempt_registry_restore(path, e);
	if (reg != NULL && e->line != 0)
		*damaged = true;
	return reg;
}

struct op25b_exempt_registry *
xdp_exempt_load(const char *path, bool live)
{
	struct op25b_exempt_state_error e;
	struct op25b_exempt_registry *reg;
	bool bad;

	reg = exempt_read(path, &e, &bad);
	if (reg == NULL && errno == ENOENT)
		return op25b_exempt_registry_create(); /* none granted yet */
	if (reg == NULL) {
		if (e.line != 0)
			fprintf(stderr, "%s:%u: error: %s\n", path, e.line,
				e.message);
		else
			fprintf(stderr, "%s: error: %s\n", path,
				e.message[0] ? e.message : strerror(errno));
		return NULL;
	}
	if (bad && live) {
		/* A file cut short (a copy caught midway, a disk that filled)
		 * would replace the running exemptions by what is left of it,
		 * and a save would make that the file for good: refused,
		 * the running ones kept. */
		if (e.line != 0)
			fprintf(stderr,
				"%s:%u: error: %s; refused, the running "
				"exemptions stay (mend it: its end line "
				"'# end: N exemptions' counts its entries)\n",
				path, e.line, e.message);
		else
			fprintf(stderr,
				"%s: error: %s; refused, the running "
				"exemptions stay (delete it, then reload, for "
				"none)\n",
				path, e.message);
		op25b_exempt_registry_free(reg);
		return NULL;
	}
	/* At load (and exempt list, which writes nothing then), as op25b
	 * restores it at start: refused, every exemption in it would be
	 * lost to the program, and nothing better is left of the file. */
	if (bad && e.line != 0)
		fprintf(stderr,
			"%s:%u: warning: %s; its %u exemptions read as they "
			"are\n",
			path, e.line, e.message,
			op25b_exempt_registry_count(reg));
	else if (bad)
		fprintf(stderr,
			"%s: warning: the file is empty: read as no "
			"exemptions\n",
			path);
	return reg;
}

int
xdp_lock_dir(const char *dir, bool wait)
{
	return xdp_lock_dir_within(dir, wait ? -1 : 0);
}

int
xdp_lock_dir_within(const char *dir, int ms)
{
	const struct timespec step = { .tv_nsec = 50 * 1000000 };
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), waited;

	if (fd < 0)
		return -2; /* errno kept */
	if (flock(fd, LOCK_EX | (ms < 0 ? 0 : LOCK_NB)) == 0)
		return fd;
	/* A bounded wait: polled, as flock(2) has no timeout. */
	for (waited = 0; errno == EWOULDBLOCK && waited < ms; waited += 50) {
		nanosleep(&step, NULL);
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
	}
	if (errno == EWOULDBLOCK)
		fprintf(stderr,
			"op25b-xdp: %s: another op25b-xdp command holds it (a "
			"load in progress, or a reload): try again once it is "
			"done\n",
			dir);
	else
		fprintf(stderr, "op25b-xdp: %s: cannot lock: %s\n", dir,
			strerror(errno));
	close(fd);
	return -1;
}

int
xdp_lock(const char *dir)
{
	int fd = xdp_lock_dir(dir, true);

	if (fd == -2)
		fprintf(stderr, "op25b-xdp: %s: cannot lock: %s\n", dir,
			strerror(errno));
	return fd < 0 ? -1 : fd;
}

/* Save @reg to @path, its directory made (mode 0750, as op25b's state
 * directory) when missing. Reported. */
static int
save(const struct op25b_exempt_registry *reg, const char *path)
{
	char dir[PATH_MAX];
	char *slash;
	int err;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
			fprintf(stderr, "op25b-xdp: %s: %s\n", dir,
				strerror(errno));
			return -1;
		}
	}
	err = op25b_exempt_registry_save(reg, path);
	if (err != 0)
		fprintf(stderr, "op25b-xdp: %s: %s; nothing changed\n", path,
			strerror(-err));
	return err;
}

/* Drop what has expired from @reg and from the program's table; whether
 * any went. */
static unsigned int
expire(struct op25b_exempt_registry *reg, struct op25b_xdp *x)
{
	const struct op25b_exempt_entry *e = op25b_exempt_registry_entries(reg);
	unsigned int i, n = op25b_exempt_registry_count(reg);
	uint64_t now = op25b_xdp_now_ms();

	for (i = 0; i < n; i++)
		if (e[i].expires != 0 && e[i].expires <= now)
			op25b_xdp_exempt_del(x, &e[i].prefix);
	return op25b_exempt_registry_expire(reg, now, NULL, NULL);
}

int
xdp_exempt_expire(struct op25b_xdp *x, const char *path, bool rewrite)
{
	struct op25b_exempt_registry *reg;
	const struct op25b_exempt_entry *e;
	unsigned int i, n;
	int err = -1;

	/* run calls this every second: what it meets is said once, when it
	 * starts (and that it ended). A file that does not parse is left
	 * alone (the SIGHUP or exempt command that meets it says so). One
	 * whose count alone is wrong (cut short, or a copy caught midway) is
	 * never saved, which would cut it for good: its expired entries
	 * leave the program's table all the same. A failing save is said
	 * once, and once it is written again. */
	static bool said_damaged, said_save;
	static char said_of[PATH_MAX];
	struct op25b_exempt_state_error why;
	unsigned int gone;
	bool damaged;

	/* Said of one file: a reload --exemptions may name another. */
	if (strcmp(said_of, path) != 0) {
		snprintf(said_of, sizeof(said_of), "%s", path);
		said_damaged = said_save = false;
	}
	reg = exempt_read(path, &why, &damaged);
	if (reg == NULL)
		return -1;
	if (damaged && !said_damaged) {
		char at[16] = "";

		if (why.line != 0)
			snprintf(at, sizeof(at), ":%u", why.line);
		fprintf(stderr,
			"%s%s: warning: %s: expired exemptions leave the "
			"program, not the file, until it is mended\n",
			path, at, why.message);
	} else if (!damaged && said_damaged) {
		fprintf(stderr, "%s: mended\n", path);
	}
	said_damaged = damaged;
	/* Damaged: -1 all the same, so that a clock step's rewrite is
	 * done again once it is mended (the file may lack entries the
	 * program holds). */
	gone = expire(reg, x);
	if (!damaged && gone == 0) {
		err = 0;
	} else if (!damaged) {
		err = op25b_exempt_registry_save(reg, path);
		/* Said once a failure, and again once it is written. */
		if (err != 0 && !said_save)
			fprintf(stderr,
				"op25b-xdp: %s: %s (retrying every second)\n",
				path, strerror(-err));
		else if (err == 0 && said_save)
			fprintf(stderr, "op25b-xdp: %s: written again\n", path);
		said_save = err != 0;
		err = err != 0 ? -1 : 0;
	}
	e = op25b_exempt_registry_entries(reg);
	n = op25b_exempt_registry_count(reg);
	for (i = 0; rewrite && i < n; i++)
		if (e[i].expires != 0 && op25b_xdp_exempt_set(x, &e[i]) != 0)
			err = -1;
	op25b_exempt_registry_free(reg);
	return err;
}

struct exempt_cmd {
	const char *verb;
	struct op25b_prefix prefix;
	uint32_t ttl;
};

/* add or del on a loaded registry, then the file, then the program; the
 * file is put back when the program refuses. Reported. */
static int
change(const struct xdp_args *a, const struct exempt_cmd *c,
       struct op25b_exempt_registry *reg, struct op25b_xdp *x, const char *path)
{
	struct op25b_exempt_entry old;
	const struct op25b_exempt_entry *e;
	char text[64];
	bool had;
	int err;

	op25b_prefix_format(&c->prefix, text, sizeof(text));
	e = op25b_exempt_registry_find(reg, &c->prefix);
	had = e != NULL;
	if (had)
		old = *e;
	if (strcmp(c->verb, "del") == 0) {
		if (!had) {
			fprintf(stderr,
				"op25b-xdp: exempt del: no exemption "
				"for %s\n",
				text);
			return -1;
		}
		op25b_exempt_registry_del(reg, &c->prefix, NULL);
	} else {
		err = op25b_exempt_registry_add(reg, &c->prefix, c->ttl,
						a->reason, (uint32_t)getuid(),
						op25b_xdp_now_ms(), NULL);
		if (err != 0) {
			fprintf(stderr, "op25b-xdp: exempt add %s: %s\n", text,
				err == -ENOSPC ? "the list is full (65,536)"
				: err == -E2BIG
					? "the reason is longer than 127 bytes"
					: strerror(-err));
			return -1;
		}
	}
	if (save(reg, path) != 0)
		return -1;
	e = op25b_exempt_registry_find(reg, &c->prefix);
	err = e != NULL ? op25b_xdp_exempt_set(x, e)
			: op25b_xdp_exempt_del(x, &c->prefix);
	if (err != 0) {
		fprintf(stderr,
			"op25b-xdp: exempt %s %s: the program's table refuses "
			"it: %s\n",
			c->verb, text, strerror(-err));
		if (had)
			op25b_exempt_registry_put(reg, &old, NULL);
		else
			op25b_exempt_registry_del(reg, &c->prefix, NULL);
		err = op25b_exempt_registry_save(reg, path);
		if (err != 0)
			fprintf(stderr,
				"op25b-xdp: %s: cannot put it back (%s): it "
				"still holds the change the program refused\n",
				path, strerror(-err));
		return -1;
	}
	if (e == NULL)
		printf("op25b-xdp: %s: exemption %s deleted\n", a->argv[1],
		       text);
	else if (c->ttl != 0)
		printf("op25b-xdp: %s: %s exempt for %" PRIu32 " s%s\n",
		       a->argv[1], text, c->ttl, had ? " (renewed)" : "");
	else
		printf("op25b-xdp: %s: %s exempt, no expiry%s\n", a->argv[1],
		       text, had ? " (replaced)" : "");
	return 0;
}

/* The operands and options of add and del; 0 or the exit status. */
static int
parse(const struct xdp_args *a, struct exempt_cmd *c)
{
	const char *why = NULL;
	char msg[256];

	c->verb = a->argc > 0 ? a->argv[0] : "";
	if (strcmp(c->verb, "list") == 0)
		return a->argc == 2 && a->ttl == NULL && a->reason == NULL &&
				       !a->force
			       ? 0
			       : xdp_usage_error(a);
	if ((strcmp(c->verb, "add") != 0 && strcmp(c->verb, "del") != 0) ||
	    a->argc != 3 || a->json)
		return xdp_usage_error(a);
	if (strcmp(c->verb, "del") == 0 &&
	    (a->ttl != NULL || a->reason != NULL || a->force))
		return xdp_usage_error(a);
	if (op25b_prefix_parse(a->argv[2], &c->prefix, &why) != 0) {
		/* The policy loader's words, "did you mean" included. */
		op25b_prefix_error_message(msg, sizeof(msg), a->argv[2],
					   strlen(a->argv[2]), &c->prefix, why);
		fprintf(stderr, "op25b-xdp: exempt %s: bad prefix %s\n",
			c->verb, msg);
		return EXIT_FAILURE;
	}
	/* A mapped address matches no packet: said as op25b's CLI says
	 * it. (del takes one, from a file of before this check.) */
	if (strcmp(c->verb, "add") == 0 &&
	    op25b_exempt_mapped_refused(&c->prefix, msg, sizeof(msg))) {
		fprintf(stderr, "op25b-xdp: exempt add %s: %s\n", a->argv[2],
			msg);
		return EXIT_FAILURE;
	}
	if (strcmp(c->verb, "add") == 0 && c->prefix.length == 0 && !a->force) {
		fprintf(stderr,
			"op25b-xdp: exempt add %s: every source of the family "
			"would be exempt, switching OP25B off: --force if you "
			"mean it\n",
			a->argv[2]);
		return EXIT_FAILURE;
	}
	c->ttl = 0;
	if (a->ttl != NULL && op25b_duration_parse(a->ttl, &c->ttl) != 0) {
		fprintf(stderr,
			"op25b-xdp: exempt add: bad duration '%s': a number "
			"of seconds, or with s, m, h or d (90, 15m, 12h, 30d)\n",
			a->ttl);
		return EXIT_FAILURE;
	}
	return 0;
}

int
xdp_cmd_exempt(const struct xdp_args *a)
{
	struct op25b_exempt_registry *reg = NULL;
	char dir[PATH_MAX];
	struct op25b_xdp_state st;
	struct exempt_cmd c = { 0 };
	struct op25b_xdp *x;
	int lock, ret;
	bool list;

	ret = parse(a, &c);
	if (ret != 0)
		return ret;
	if (xdp_pin_dir(a, a->argv[1], dir, sizeof(dir)) != 0)
		return OP25B_EXIT_USAGE;
	x = xdp_open_instance(dir);
	if (x == NULL)
		return EXIT_FAILURE;
	ret = EXIT_FAILURE;
	lock = xdp_lock(dir);
	/* Gone while the lock was waited for (xdp_cmd_reload()'s note). */
	if (lock >= 0 && xdp_pins_taken(x, a->argv[1], dir)) {
		close(lock);
		lock = -1;
	}
	if (lock < 0)
		goto out;
	if (op25b_xdp_state(x, &st) != 0 || st.exemptions[0] == '\0') {
		fprintf(stderr,
			"op25b-xdp: %s: the instance has no exemptions "
			"file\n",
			dir);
		goto out;
	}
	/* list writes nothing: it shows a damaged file as it reads, with
	 * a warning; add and del refuse one (they would write what is left
	 * of it for good). */
	list = strcmp(c.verb, "list") == 0;
	reg = xdp_exempt_load(st.exemptions, !list);
	if (reg == NULL)
		goto out;
	/* What expired goes first, as op25b expires its list: from the
	 * file and the table (add, del); list shows it gone. */
	if (list)
		op25b_exempt_registry_expire(reg, op25b_xdp_now_ms(), NULL,
					     NULL);
	else if (expire(reg, x) != 0 && save(reg, st.exemptions) != 0)
		goto out;
	if (list) {
		/* op25b's exempt list, column for column (lib/exempt); the
		 * file itself is a cat away (status names it). Printed
		 * after the lock goes: a reader that stalls the output (a
		 * pager) must not hold run's tick and its SIGTERM. */
		close(lock);
		lock = -1;
		ret = op25b_exempt_registry_print(reg, op25b_xdp_now_ms(),
						  a->json, stdout) == 0
			      ? EXIT_SUCCESS
			      : EXIT_FAILURE;
		goto out;
	}
	if (change(a, &c, reg, x, st.exemptions) == 0)
		ret = EXIT_SUCCESS;
out:
	if (lock >= 0)
		close(lock);
	op25b_exempt_registry_free(reg);
	op25b_xdp_close(x);
	return ret;
}
