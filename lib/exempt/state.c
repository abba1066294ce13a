/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The exemption state file: the registry as text, so that exemptions
 * outlive a restart and move between appliances (`exempt export` /
 * `import`). One exemption a line:
 *
 *   PREFIX EXPIRES GRANTED UID TTL "REASON"
 *   198.18.5.9/32 2026-12-31T23:59:59.000Z 2026-12-01T23:59:59.000Z 0 \
 *     2592000 "own MX"          (one line)
 *
 * EXPIRES is `never` or an RFC 3339 UTC time (`Z`, optional fraction;
 * milliseconds are kept), GRANTED the same, UID and TTL decimal, REASON
 * (optional) in double quotes with \" \\ and \xHH escapes. Blank lines and
 * lines starting with '#' are skipped. doc/cli.md is the reference.
 *
 * No DPDK here: tools and tests read and write the format without EAL.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "exempt_priv.h"
#include "op25b_exempt.h"

/* The first line of a file op25b writes, which says that its last line
 * counts the exemptions (STATE_END): a file that begins so and has no such
 * end was cut short, even at a line's end. Files without it (written by
 * hand, or by op25b before the count) are read as they are. The count is
 * a comment: an op25b that knows no count reads these files as before. */
#define STATE_HEADER_TEXT                                                      \
	"# op25b exemptions, format 1: PREFIX EXPIRES GRANTED UID TTL "        \
	"\"REASON\" (doc/cli.md); the last line counts them"
#define STATE_HEADER STATE_HEADER_TEXT "\n"
#define STATE_END "# end: %u exemptions\n"

/* ------------------------------------------------------------------ */
/* Times                                                               */

static bool
is_leap(unsigned int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar
 * (Howard Hinnant's days_from_civil): no timegm(), no TZ environment. */
static int64_t
days_from_civil(int64_t y, unsigned int m, unsigned int d)
{
	int64_t era;
	unsigned int yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned int)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* @p n digits (at most 19) at @p s as a number; false if any is not a
 * digit. */
static bool
digits(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

/*
 * "YYYY-MM-DDTHH:MM:SS[.fraction]Z" as CLOCK_REALTIME milliseconds (a
 * fraction past milliseconds is cut). Years 1970..9999: a time before the
 * epoch cannot be a grant. Only UTC: the file says when, wherever it is
 * read.
 */
static bool
parse_time(const char *s, size_t len, uint64_t *ms)
{
	static const unsigned int month_days[] = { 31, 28, 31, 30, 31, 30,
						   31, 31, 30, 31, 30, 31 };
	uint64_t y, mo, d, h, mi, sec;
	unsigned int frac = 0, scale = 100;
	size_t i;

	if (len < 20 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':' ||
	    (s[len - 1] != 'Z' && s[len - 1] != 'z'))
		return false;
	if (!digits(s, 4, &y) || !digits(s + 5, 2, &mo) ||
	    !digits(s + 8, 2, &d) || !digits(s + 11, 2, &h) ||
	    !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &sec))
		return false;
	if (len > 20) {
		/* ".d" up to ".ddddddddd" between the seconds and the Z */
		if (s[19] != '.' || len < 22 || len > 30)
			return false;
		for (i = 20; i < len - 1; i++) {
			if (s[i] < '0' || s[i] > '9')
				return false;
			frac += (unsigned int)(s[i] - '0') * scale;
			scale /= 10;
		}
	}
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 ||
	    sec > 59)
		return false;
	if (d > month_days[mo - 1] + (mo == 2 && is_leap(y)))
		return false;
	*ms = ((uint64_t)days_from_civil(y, mo, d) * 86400 + h * 3600u +
	       mi * 60u + sec) *
		      1000 +
	      frac;
	return true;
}

static void
format_time(uint64_t ms, char *buf, size_t size)
{
	time_t sec = (time_t)(ms / 1000);
	struct tm tm;
	size_t n;

	gmtime_r(&sec, &tm);
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%03uZ", (unsigned int)(ms % 1000));
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */

/* One entry read, with its line for the duplicate check. */
struct read_entry {
	struct op25b_exempt_entry entry;
	unsigned int line;
};

static int
read_entry_compare(const void *a, const void *b)
{
	const struct read_entry *x = a, *y = b;
	int cmp = exempt_prefix_compare(&x->entry.prefix, &y->entry.prefix);

	if (cmp != 0)
		return cmp;
	return (x->line > y->line) - (x->line < y->line);
}

static void
error_set(struct op25b_exempt_state_error *err, unsigned int line,
	  const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
error_set(struct op25b_exempt_state_error *err, unsigned int line,
	  const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
}

/* A field as it was written, cut and made printable for a message. */
static const char *
shown(const char *s, size_t len, char *buf, size_t size)
{
	size_t i, o = 0;

	for (i = 0; i < len && o + 4 < size; i++)
		buf[o++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?'
								      : s[i];
	if (i < len) {
		buf[o++] = '.';
		buf[o++] = '.';
		buf[o++] = '.';
	}
	buf[o] = '\0';
	return buf;
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The next blank-separated field at *pos: its start and length (0 at the
 * end of the line). */
static size_t
next_field(const char *line, size_t *pos, const char **start)
{
	size_t p = *pos, begin;

	while (is_blank(line[p]))
		p++;
	begin = p;
	while (line[p] != '\0' && !is_blank(line[p]))
		p++;
	*start = line + begin;
	*pos = p;
	return p - begin;
}

static bool
parse_u32(const char *s, size_t len, uint32_t *out)
{
	uint64_t v;

	if (len == 0 || len > 10 || !digits(s, len, &v) || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The quoted reason at line[*pos]: decoded into @p out. NULL, or what is
 * wrong with it. */
static const char *
parse_reason(const char *line, size_t *pos, char out[OP25B_EXEMPT_REASON_MAX])
{
	size_t p = *pos, o = 0;

	if (line[p] != '"')
		return "expected the reason in double quotes";
	for (p++; line[p] != '"'; p++) {
		char c = line[p];

		if (c == '\0')
			return "the reason has no closing quote";
		if ((unsigned char)c < 0x20 || c == 0x7f)
			return "a control character in the reason (write it "
			       "as \\xHH)";
		if (c == '\\') {
			int hi, lo;

			p++;
			if (line[p] == '"' || line[p] == '\\') {
				c = line[p];
			} else if (line[p] == 'x' &&
				   (hi = hex_value(line[p + 1])) >= 0 &&
				   (lo = hex_value(line[p + 2])) >= 0) {
				c = (char)(hi * 16 + lo);
				p += 2;
			} else {
				return "a bad escape in the reason (\\\", \\\\ "
				       "and \\xHH only)";
			}
			if (c == '\0')
				return "\\x00 in the reason";
		}
		if (o == OP25B_EXEMPT_REASON_MAX - 1)
			return "the reason is longer than 127 bytes";
		out[o++] = c;
	}
	out[o] = '\0';
	*pos = p + 1;
	return NULL;
}

/*
 * One exemption line into @p e. Returns 0, or -EINVAL with the message set
 * in @p err.
 */
static int
parse_line(const char *line, unsigned int lineno, struct op25b_exempt_entry *e,
	   struct op25b_exempt_state_error *err)
{
	static const char *const names[] = { "prefix", "expiry", "grant time",
					     "uid", "ttl" };
	/* What each field but the prefix should have been. */
	static const char *const expected[] = {
		NULL,
		"never or a UTC time like 2026-12-31T23:59:59Z",
		"a UTC time like 2026-12-31T23:59:59Z",
		"0..4294967295",
		"seconds 0..4294967295 (0: none)",
	};
	const char *field[5], *why = NULL;
	size_t len[5], pos = 0;
	unsigned int i, bad = 0;
	char show[64];

	memset(e, 0, sizeof(*e));
	for (i = 0; i < 5; i++) {
		len[i] = next_field(line, &pos, &field[i]);
		if (len[i] == 0) {
			error_set(err, lineno,
				  "no %s: expected PREFIX EXPIRES GRANTED UID "
				  "TTL \"REASON\"",
				  names[i]);
			return -EINVAL;
		}
	}
	{
		char text[64];

		if (len[0] >= sizeof(text)) {
			why = "too long";
		} else {
			memcpy(text, field[0], len[0]);
			text[len[0]] = '\0';
			op25b_prefix_parse(text, &e->prefix, &why);
		}
		if (why != NULL) {
			error_set(err, lineno, "bad prefix '%s': %s",
				  shown(field[0], len[0], show, sizeof(show)),
				  why);
			return -EINVAL;
		}
	}
	/* "never" leaves expires 0, as memset() made it. */
	if (!(len[1] == 5 && memcmp(field[1], "never", 5) == 0) &&
	    !parse_time(field[1], len[1], &e->expires))
		bad = 1;
	else if (!parse_time(field[2], len[2], &e->added))
		bad = 2;
	else if (!parse_u32(field[3], len[3], &e->uid))
		bad = 3;
	else if (!parse_u32(field[4], len[4], &e->ttl))
		bad = 4;
	/* 1970-01-01T00:00:00Z is a time, long past, not "never" (which is
	 * 0 in an entry): 1 ms, so that it reads as expired. */
	if (bad == 0 && e->expires == 0 &&
	    !(len[1] == 5 && memcmp(field[1], "never", 5) == 0))
		e->expires = 1;
	if (bad != 0) {
		error_set(err, lineno, "bad %s '%s': expected %s", names[bad],
			  shown(field[bad], len[bad], show, sizeof(show)),
			  expected[bad]);
		return -EINVAL;
	}
	/* An expiry before the grant time is no error: a renewal after the
	 * clock stepped back wrote one before op25b lowered the grant time
	 * (registry.c), and the expiry alone decides. */
	while (is_blank(line[pos]))
		pos++;
	/* The reason may be left out: "" */
	if (line[pos] != '\0') {
		why = parse_reason(line, &pos, e->reason);
		if (why != NULL) {
			error_set(err, lineno, "%s", why);
			return -EINVAL;
		}
		while (is_blank(line[pos]))
			pos++;
		if (line[pos] != '\0') {
			error_set(err, lineno,
				  "unexpected '%s' after the reason",
				  shown(line + pos, strlen(line + pos), show,
					sizeof(show)));
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * The next line into @p buf without its newline. Returns 1 for a line, 0
 * at the end of the file, -EINVAL (the message set) for a line that is too
 * long, holds a NUL byte or is cut short, -EIO for a read error.
 */
static int
read_line(FILE *in, char buf[OP25B_EXEMPT_STATE_LINE_MAX], unsigned int lineno,
	  struct op25b_exempt_state_error *err)
{
	size_t len = 0;
	int c;

	while ((c = getc_unlocked(in)) != EOF && c != '\n') {
		if (c == '\0') {
			error_set(err, lineno,
				  "a NUL byte: not an exemptions file");
			return -EINVAL;
		}
		if (len == OP25B_EXEMPT_STATE_LINE_MAX - 1) {
			error_set(err, lineno, "a line longer than %d bytes",
				  OP25B_EXEMPT_STATE_LINE_MAX - 1);
			return -EINVAL;
		}
		buf[len++] = (char)c;
	}
	if (ferror(in)) {
		error_set(err, 0, "read error: %s", strerror(EIO));
		return -EIO;
	}
	if (c == EOF && len == 0)
		return 0;
	if (c == EOF) {
		/* The writer ends every line: a file that stops inside one
		 * was cut (a full disk, a copy interrupted). */
		error_set(err, lineno,
			  "the last line has no newline: the file is cut "
			  "short");
		return -EINVAL;
	}
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	buf[len] = '\0';
	return 1;
}

/* Whether the comment @p is an end line ("# end: ", a count of
 * 0..OP25B_EXEMPT_MAX, " exemptions", blanks after it): 1 with its count
 * in @count; 0 for any other comment; -1 for a comment that begins as an
 * end line does and is none (a sealed file refuses it). */
static int
end_of(const char *p, unsigned int *count)
{
	static const char head[] = "# end:", tail[] = " exemptions";
	size_t n = 0;
	uint64_t v;

	if (strncmp(p, head, sizeof(head) - 1) != 0)
		return 0;
	p += sizeof(head) - 1;
	if (*p++ != ' ')
		return -1;
	while (p[n] >= '0' && p[n] <= '9')
		n++;
	if (n == 0 || n > 6 || !digits(p, n, &v) || v > OP25B_EXEMPT_MAX ||
	    strncmp(p + n, tail, sizeof(tail) - 1) != 0)
		return -1;
	for (p += n + sizeof(tail) - 1; is_blank(*p); p++)
		;
	if (*p != '\0')
		return -1;
	*count = (unsigned int)v;
	return 1;
}

/* The file's count: whether a sealed file has its end line, whether the
 * count is what the file holds. What is wrong goes in @err (the first
 * thing only); returns whether all is well. */
static bool
count_checked(bool sealed, unsigned int end_line, unsigned int end_count,
	      unsigned int after_end, unsigned int n, unsigned int last_line,
	      struct op25b_exempt_state_error *err)
{
	if (after_end != 0) {
		error_set(err, after_end, "a line after the end line (line %u)",
			  end_line);
		return false;
	}
	if (sealed && end_line == 0) {
		error_set(err, last_line,
			  "no end line ('# end: N exemptions', which the first "
			  "line promises): the file is cut short");
		return false;
	}
	if (end_line != 0 && end_count != n) {
		error_set(err, end_line,
			  "the end line counts %u exemptions, the file holds "
			  "%u: cut short or edited (an edited file: correct "
			  "the count)",
			  end_count, n);
		return false;
	}
	return true;
}

/* op25b_exempt_registry_read(), and with @lenient the registry of a file
 * whose every line is good and whose count alone is wrong (see
 * op25b_exempt_registry_restore()). */
static struct op25b_exempt_registry *
registry_read(FILE *in, struct op25b_exempt_state_error *err, bool lenient)
{
	struct read_entry *entries = NULL;
	struct op25b_exempt_registry *reg = NULL;
	char line[OP25B_EXEMPT_STATE_LINE_MAX];
	unsigned int lineno = 0, n = 0, capacity = 0, i, dup = 0;
	unsigned int end_line = 0, end_count = 0, after_end = 0;
	bool sealed = false, counted_wrong = false;
	int ret, error = EINVAL, end;

	if (err != NULL)
		memset(err, 0, sizeof(*err));
	while ((ret = read_line(in, line, ++lineno, err)) == 1) {
		const char *p = line;

		if (lineno == 1 && strcmp(line, STATE_HEADER_TEXT) == 0)
			sealed = true;
		while (is_blank(*p))
			p++;
		if (*p == '\0')
			continue;
		if (end_line != 0 && after_end == 0)
			after_end = lineno;
		if (*p == '#') {
			end = end_of(p, &end_count);
			/* A count fault, lenient: kept (the first one) and
			 * the reading goes on. */
			if (end < 0 && sealed && !counted_wrong) {
				error_set(err, lineno,
					  "a malformed end line: expected '# "
					  "end: N exemptions'");
				counted_wrong = true;
				if (!lenient)
					goto fail;
			}
			if (end > 0 && end_line == 0) {
				end_line = lineno;
				after_end = 0;
			}
			continue;
		}
		if (n == OP25B_EXEMPT_MAX) {
			error_set(err, lineno, "more than %u exemptions",
				  OP25B_EXEMPT_MAX);
			goto fail;
		}
		if (n == capacity) {
			unsigned int more = capacity ? capacity * 2 : 64;
			struct read_entry *grown =
				realloc(entries, more * sizeof(*entries));

			if (grown == NULL) {
				error = ENOMEM;
				error_set(err, 0, "%s", strerror(ENOMEM));
				goto fail;
			}
			entries = grown;
			capacity = more;
		}
		if (parse_line(p, lineno, &entries[n].entry, err) != 0)
			goto fail;
		entries[n].line = lineno;
		n++;
	}
	if (ret < 0) {
		error = -ret;
		goto fail;
	}
	/* Lenient, the count's fault stays in @err beside the registry. */
	if (!counted_wrong &&
	    !count_checked(sealed, end_line, end_count, after_end, n,
			   lineno - 1, err) &&
	    !lenient)
		goto fail;
	/* Sorted as the registry keeps them, each entry goes in at the end:
	 * no tail to move, whatever order the file was written in. */
	if (n > 0)
		qsort(entries, n, sizeof(*entries), read_entry_compare);
	for (i = 1; i < n; i++)
		if (exempt_prefix_compare(&entries[i - 1].entry.prefix,
					  &entries[i].entry.prefix) == 0 &&
		    (dup == 0 || entries[i].line < entries[dup].line))
			dup = i;
	if (dup != 0) {
		char text[64];

		op25b_prefix_format(&entries[dup].entry.prefix, text,
				    sizeof(text));
		error_set(err, entries[dup].line,
			  "%s is listed twice (first on line %u)", text,
			  entries[dup - 1].line);
		goto fail;
	}
	reg = op25b_exempt_registry_create();
	if (reg == NULL) {
		error = ENOMEM;
		error_set(err, 0, "%s", strerror(ENOMEM));
		goto fail;
	}
	for (i = 0; i < n; i++) {
		ret = op25b_exempt_registry_put(reg, &entries[i].entry, NULL);
		if (ret != 0) {
			error = -ret;
			error_set(err, entries[i].line, "%s", strerror(-ret));
			goto fail_free_registry;
		}
	}
	free(entries);
	return reg;

fail_free_registry:
	op25b_exempt_registry_free(reg);
fail:
	free(entries);
	errno = error;
	return NULL;
}

struct op25b_exempt_registry *
op25b_exempt_registry_read(FILE *in, struct op25b_exempt_state_error *err)
{
	return registry_read(in, err, false);
}

static struct op25b_exempt_registry *
registry_load(const char *path, struct op25b_exempt_state_error *err,
	      bool lenient)
{
	struct op25b_exempt_registry *reg;
	struct stat st;
	FILE *in;
	int fd, error;

	if (err != NULL)
		memset(err, 0, sizeof(*err));
	/* O_NONBLOCK: a FIFO must not stall the control lcore in open(). */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		error = errno;
		error_set(err, 0, "%s", strerror(error));
		errno = error;
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		error_set(err, 0, "not a regular file");
		errno = EINVAL;
		return NULL;
	}
	/* op25b's own file is never empty (its first line and end line
	 * are written for no exemptions too): an empty one was cut, or
	 * emptied from outside, and is refused, not read as no exemptions
	 * without a word. A file to import may be empty. */
	if (lenient && st.st_size == 0) {
		close(fd);
		error_set(err, 0,
			  "the file is empty: cut short or emptied (op25b "
			  "writes its first line and an end line even with "
			  "no exemptions)");
		errno = EINVAL;
		return NULL;
	}
	in = fdopen(fd, "r");
	if (in == NULL) {
		error = errno;
		close(fd);
		error_set(err, 0, "%s", strerror(error));
		errno = error;
		return NULL;
	}
	reg = registry_read(in, err, lenient);
	error = errno;
	fclose(in);
	errno = error;
	return reg;
}

struct op25b_exempt_registry *
op25b_exempt_registry_load(const char *path,
			   struct op25b_exempt_state_error *err)
{
	return registry_load(path, err, false);
}

struct op25b_exempt_registry *
op25b_exempt_registry_restore(const char *path,
			      struct op25b_exempt_state_error *err)
{
	return registry_load(path, err, true);
}

/* ------------------------------------------------------------------ */
/* Writing                                                             */

static void
write_reason(const char *reason, FILE *out)
{
	size_t i;

	putc('"', out);
	for (i = 0; i < OP25B_EXEMPT_REASON_MAX && reason[i] != '\0'; i++) {
		unsigned char c = (unsigned char)reason[i];

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\x%02x", c);
		else
			putc(c, out);
	}
	putc('"', out);
}

int
op25b_exempt_registry_write(const struct op25b_exempt_registry *reg, FILE *out)
{
	const struct op25b_exempt_entry *e = op25b_exempt_registry_entries(reg);
	unsigned int i, n = op25b_exempt_registry_count(reg);
	char prefix[64], expires[40], added[40];

	fputs(STATE_HEADER, out);
	for (i = 0; i < n; i++) {
		op25b_prefix_format(&e[i].prefix, prefix, sizeof(prefix));
		if (e[i].expires == 0)
			snprintf(expires, sizeof(expires), "never");
		else
			format_time(e[i].expires, expires, sizeof(expires));
		format_time(e[i].added, added, sizeof(added));
		fprintf(out, "%s %s %s %" PRIu32 " %" PRIu32 " ", prefix,
			expires, added, e[i].uid, e[i].ttl);
		write_reason(e[i].reason, out);
		putc('\n', out);
	}
	fprintf(out, STATE_END, n);
	/* fflush() leaves the reason in errno (ENOSPC); an earlier write
	 * that failed left only the stream's error flag. */
	if (fflush(out) != 0)
		return errno != 0 ? -errno : -EIO;
	return ferror(out) ? -EIO : 0;
}

/* fsync the directory holding @p path, so that the rename is on disk
 * too, not only the data it points at. */
static int
sync_parent(const char *path)
{
	char dir[4096];
	char *slash;
	int fd, err = 0;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	slash = strrchr(dir, '/');
	if (slash == NULL)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) != 0)
		err = -errno;
	close(fd);
	return err;
}

/* op25b_exempt_registry_save(), and _export() (@tmp_ours false). */
static int
save_to(const struct op25b_exempt_registry *reg, const char *path,
	bool tmp_ours)
{
	char tmp[4096];
	FILE *out;
	int fd, err;

	if (reg == NULL || path == NULL)
		return -EINVAL;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	/* O_EXCL | O_NOFOLLOW: never write through a link someone left at
	 * our temporary name. Beside the state file, a regular file there
	 * is ours, from a crash between this open and the rename: replaced
	 * once. Beside an export it may be anyone's: left alone. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0640);
	if (fd < 0 && errno == EEXIST && tmp_ours && unlink(tmp) == 0)
		fd = open(tmp,
			  O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			  0640);
	if (fd < 0)
		return -errno;
	out = fdopen(fd, "w");
	if (out == NULL) {
		err = -errno;
		close(fd);
		goto fail_unlink;
	}
	err = op25b_exempt_registry_write(reg, out);
	/* The data on disk before the name points at it: otherwise a crash
	 * after the rename could leave an empty file under the real name. */
	if (err == 0 && fsync(fd) != 0)
		err = -errno;
	if (fclose(out) != 0 && err == 0)
		err = -errno;
	if (err != 0)
		goto fail_unlink;
	if (rename(tmp, path) != 0) {
		err = -errno;
		goto fail_unlink;
	}
	/* The name now points at the new file, which holds the change: a
	 * directory that cannot be synced leaves the rename's durability to
	 * the file system's next sync, and is no failure to report (the
	 * caller would undo in memory what the file holds). */
	(void)sync_parent(path);
	return 0;

fail_unlink:
	unlink(tmp);
	return err;
}

int
op25b_exempt_registry_save(const struct op25b_exempt_registry *reg,
			   const char *path)
{
	return save_to(reg, path, true);
}

int
op25b_exempt_registry_export(const struct op25b_exempt_registry *reg,
			     const char *path)
{
	return save_to(reg, path, false);
}
