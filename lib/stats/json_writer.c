/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The JSON writer of op25b_json.h: the separators of a value depend only
 * on whether its container already holds one, which is all the state kept.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "op25b_json.h"

void
op25b_json_init(struct op25b_json *j, FILE *out, unsigned int indent)
{
	j->out = out;
	j->indent = indent;
	j->depth = 0;
	j->nonempty[0] = false;
}

size_t
op25b_utf8_len(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (u[0] < 0x80)
		return 1;
	if (u[0] >= 0xc2 && u[0] <= 0xdf)
		n = 2;
	else if (u[0] >= 0xe0 && u[0] <= 0xef)
		n = 3;
	else if (u[0] >= 0xf0 && u[0] <= 0xf4)
		n = 4;
	else
		return 0;
	/* The second byte's range: no overlong form (E0, F0), no surrogate
	 * (ED), nothing past U+10FFFF (F4). */
	if (u[0] == 0xe0)
		lo = 0xa0;
	else if (u[0] == 0xed)
		hi = 0x9f;
	else if (u[0] == 0xf0)
		lo = 0x90;
	else if (u[0] == 0xf4)
		hi = 0x8f;
	if (u[1] < lo || u[1] > hi)
		return 0;
	/* A NUL is no continuation byte: the string's end stops it. */
	for (i = 2; i < n; i++)
		if (u[i] < 0x80 || u[i] > 0xbf)
			return 0;
	return n;
}

void
op25b_json_escape(FILE *out, const char *s)
{
	fputc('"', out);
	while (*s != '\0') {
		unsigned char ch = (unsigned char)*s;
		size_t n = op25b_utf8_len(s);

		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(out, "\\u%04x", ch);
		else if (n == 0)
			fputs(OP25B_UTF8_REPLACEMENT, out);
		else
			fwrite(s, 1, n, out);
		s += n == 0 ? 1 : n;
	}
	fputc('"', out);
}

/* The separator before a value at the current depth, and its key. */
static void
begin_value(struct op25b_json *j, const char *key)
{
	bool lines = j->depth > 0 && j->depth <= j->indent;

	if (j->depth > 0) {
		if (j->nonempty[j->depth])
			fputs(lines || j->indent == 0 ? "," : ", ", j->out);
		if (lines)
			fprintf(j->out, "\n%*s", (int)j->depth * 2, "");
		j->nonempty[j->depth] = true;
	}
	if (key != NULL) {
		op25b_json_escape(j->out, key);
		fputs(j->indent ? ": " : ":", j->out);
	}
}

static void
open_container(struct op25b_json *j, const char *key, char open, char close)
{
	begin_value(j, key);
	fputc(open, j->out);
	if (j->depth + 1 < OP25B_JSON_DEPTH_MAX) {
		j->depth++;
		j->nonempty[j->depth] = false;
		j->closer[j->depth] = close;
	}
}

void
op25b_json_object(struct op25b_json *j, const char *key)
{
	open_container(j, key, '{', '}');
}

void
op25b_json_array(struct op25b_json *j, const char *key)
{
	open_container(j, key, '[', ']');
}

void
op25b_json_close(struct op25b_json *j)
{
	if (j->depth == 0)
		return;
	if (j->nonempty[j->depth] && j->depth <= j->indent)
		fprintf(j->out, "\n%*s", (int)(j->depth - 1) * 2, "");
	fputc(j->closer[j->depth], j->out);
	j->depth--;
}

void
op25b_json_u64(struct op25b_json *j, const char *key, uint64_t v)
{
	begin_value(j, key);
	fprintf(j->out, "%" PRIu64, v);
}

void
op25b_json_int(struct op25b_json *j, const char *key, long long v)
{
	begin_value(j, key);
	fprintf(j->out, "%lld", v);
}

void
op25b_json_seconds(struct op25b_json *j, const char *key, double v)
{
	begin_value(j, key);
	fprintf(j->out, "%.3f", v);
}

void
op25b_json_string(struct op25b_json *j, const char *key, const char *s)
{
	begin_value(j, key);
	if (s == NULL)
		fputs("null", j->out);
	else
		op25b_json_escape(j->out, s);
}

void
op25b_json_bool(struct op25b_json *j, const char *key, bool v)
{
	begin_value(j, key);
	fputs(v ? "true" : "false", j->out);
}

void
op25b_json_null(struct op25b_json *j, const char *key)
{
	begin_value(j, key);
	fputs("null", j->out);
}

void
op25b_json_raw(struct op25b_json *j, const char *key, const char *text)
{
	begin_value(j, key);
	fputs(text, j->out);
}

int
op25b_json_end(struct op25b_json *j)
{
	while (j->depth > 0)
		op25b_json_close(j);
	fputc('\n', j->out);
	return ferror(j->out) ? -EIO : 0;
}
