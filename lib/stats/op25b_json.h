/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * A small streaming JSON writer: members and elements in order, commas and
 * escapes done here, onto a stdio stream (a file, or open_memstream() for
 * a reply written whole). The one escaper of op25b: every view that puts
 * an operator's text (a path, a name, a reason) into JSON goes through it.
 *
 * No DPDK, no allocation. Errors stick to the stream: check
 * op25b_json_end() (ferror) once at the end.
 *
 * Keys are NULL for array elements and for the outermost value.
 */
#ifndef OP25B_JSON_H
#define OP25B_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The deepest nesting the writer keeps track of (the CLI and the stats
 * need 4): a document nested deeper comes out malformed. */
#define OP25B_JSON_DEPTH_MAX 16

struct op25b_json {
	FILE *out;
	/** Members of containers at depth 1..indent go on their own line,
	 * indented by two spaces a level; deeper ones stay on the line with
	 * ", " between them. 0: compact, no spaces at all. */
	unsigned int indent;
	unsigned int depth;
	bool nonempty[OP25B_JSON_DEPTH_MAX];
	char closer[OP25B_JSON_DEPTH_MAX]; /**< '}' or ']' by depth */
};

/** Start writing to @p out (see struct op25b_json for @p indent). */
void op25b_json_init(struct op25b_json *j, FILE *out, unsigned int indent);

/** Open an object or array (member @p key of the enclosing object). */
void op25b_json_object(struct op25b_json *j, const char *key);
void op25b_json_array(struct op25b_json *j, const char *key);
/** Close the innermost object or array. */
void op25b_json_close(struct op25b_json *j);

void op25b_json_u64(struct op25b_json *j, const char *key, uint64_t v);
void op25b_json_int(struct op25b_json *j, const char *key, long long v);
/** A number with 3 decimals (seconds). */
void op25b_json_seconds(struct op25b_json *j, const char *key, double v);
/** A string, escaped; NULL is written as null. */
void op25b_json_string(struct op25b_json *j, const char *key, const char *s);
void op25b_json_bool(struct op25b_json *j, const char *key, bool v);
void op25b_json_null(struct op25b_json *j, const char *key);
/** @p text, already JSON, as the value of @p key (or as members
 * "\"k\": v, ..." of the current object when @p key is NULL). */
void op25b_json_raw(struct op25b_json *j, const char *key, const char *text);

/**
 * End the document: a line feed after the outermost value.
 * @return 0, or -EIO when the stream has an error.
 */
int op25b_json_end(struct op25b_json *j);

/** Write @p s as a JSON string: quotes, backslash and control characters
 * escaped, a byte that starts no valid UTF-8 sequence as U+FFFD. */
void op25b_json_escape(FILE *out, const char *s);

/**
 * The length of the valid UTF-8 sequence (RFC 3629: no overlong form, no
 * surrogate, nothing past U+10FFFF) at @p s, 1..4; 0 when @p s starts
 * none. What JSON and Prometheus take: a policy path or a port name
 * in Latin-1 must not make a whole document or scrape invalid.
 */
size_t op25b_utf8_len(const char *s);

/** U+FFFD, what a byte that starts no valid sequence is written as. */
#define OP25B_UTF8_REPLACEMENT "\xef\xbf\xbd"

#ifdef __cplusplus
}
#endif

#endif /* OP25B_JSON_H */
