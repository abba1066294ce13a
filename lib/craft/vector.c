/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test vector files: one case a line, each a name, its expected outcome and
 * a craft spec. Everything wrong is reported as "file:line: message" so
 * that a broken vector points at itself.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "craft_priv.h"
#include "op25b_craft.h"

static const char *const vector_outcomes[] = {
	"non_smtp",  "submission", "fragments", "malformed",
	"forwarded", "counted",	   "blocked",	"reset",
};

/* Keys the loader reads itself; the spec parser skips them. */
static const char *const vector_keys[] = { "expect",  "class", "group",
					   "counter", "reply", NULL };

#define BLANKS " \t\r\n"

struct vector_load {
	const char *path;
	unsigned int line;
	char *err;
	size_t err_size;
	size_t cap; /* cases allocated */
};

static int vector_error(struct vector_load *vl, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
vector_error(struct vector_load *vl, int ret, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	craft_set_error(vl->err, vl->err_size, "%s:%u: %s", vl->path, vl->line,
			msg);
	return ret;
}

static bool
outcome_valid(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(vector_outcomes) / sizeof(vector_outcomes[0]);
	     i++)
		if (strcmp(s, vector_outcomes[i]) == 0)
			return true;
	return false;
}

/* Copy @p value into a fixed field, or fail if it would not fit. */
static int
copy_field(struct vector_load *vl, char *dst, size_t size, const char *key,
	   const char *value)
{
	if (value[0] == '\0')
		return vector_error(vl, -EINVAL, "empty value for '%s'", key);
	if (strlen(value) >= size)
		return vector_error(vl, -EINVAL,
				    "'%s' is longer than %zu bytes", key,
				    size - 1);
	strcpy(dst, value);
	return 0;
}

/* Join the policy path to the .vec file's directory unless absolute. */
static int
resolve_policy(struct vector_load *vl, struct op25b_vector_file *vf,
	       const char *file)
{
	const char *slash = strrchr(vl->path, '/');
	int dir_len = slash == NULL ? 0 : (int)(slash - vl->path);
	int n;

	if (file[0] == '/' || slash == NULL)
		n = snprintf(vf->policy_path, sizeof(vf->policy_path), "%s",
			     file);
	else
		n = snprintf(vf->policy_path, sizeof(vf->policy_path),
			     "%.*s/%s", dir_len, vl->path, file);
	if (n < 0 || (size_t)n >= sizeof(vf->policy_path))
		return vector_error(vl, -ENAMETOOLONG,
				    "policy path is too long");
	return 0;
}

static int
parse_policy_line(struct vector_load *vl, struct op25b_vector_file *vf,
		  char *rest)
{
	char *file, *extra, *save = NULL;

	if (vf->policy_path[0] != '\0')
		return vector_error(vl, -EINVAL, "'policy' given twice");
	file = strtok_r(rest, BLANKS, &save);
	if (file == NULL)
		return vector_error(vl, -EINVAL, "'policy' needs a file name");
	extra = strtok_r(NULL, BLANKS, &save);
	if (extra != NULL)
		return vector_error(vl, -EINVAL,
				    "unexpected '%s' after the policy file",
				    extra);
	return resolve_policy(vl, vf, file);
}

static struct op25b_vector_case *
new_case(struct vector_load *vl, struct op25b_vector_file *vf)
{
	struct op25b_vector_case *cases;
	size_t cap;

	if (vf->n_cases == vl->cap) {
		cap = vl->cap ? vl->cap * 2 : 16;
		cases = realloc(vf->cases, cap * sizeof(*cases));
		if (cases == NULL)
			return NULL;
		vf->cases = cases;
		vl->cap = cap;
	}
	return &vf->cases[vf->n_cases];
}

/* Read expect=, class=, group=, counter= and reply= from the case's
 * tokens. */
static int
parse_case_keys(struct vector_load *vl, struct op25b_vector_case *vc,
		const char *tokens)
{
	char *copy, *tok, *save = NULL, *value;
	bool have_expect = false;
	unsigned int given = 0, k;
	int ret = 0;

	copy = strdup(tokens);
	if (copy == NULL)
		return vector_error(vl, -ENOMEM, "out of memory");
	for (tok = strtok_r(copy, BLANKS, &save); tok != NULL;
	     tok = strtok_r(NULL, BLANKS, &save)) {
		value = strchr(tok, '=');
		if (value == NULL)
			continue; /* the spec parser reports it */
		*value++ = '\0';
		/* Given twice, the last would win unseen. */
		for (k = 0; vector_keys[k] != NULL; k++)
			if (strcmp(tok, vector_keys[k]) == 0)
				break;
		if (vector_keys[k] != NULL) {
			if (given & (1u << k)) {
				ret = vector_error(vl, -EINVAL,
						   "'%s' given twice", tok);
				goto out_free_copy;
			}
			given |= 1u << k;
		}
		if (strcmp(tok, "expect") == 0) {
			if (!outcome_valid(value)) {
				ret = vector_error(
					vl, -EINVAL,
					"unknown outcome '%s' (one of: non_smtp "
					"submission fragments malformed "
					"forwarded counted blocked reset)",
					value);
				goto out_free_copy;
			}
			strcpy(vc->expect, value);
			have_expect = true;
		} else if (strcmp(tok, "class") == 0) {
			ret = copy_field(vl, vc->class_name,
					 sizeof(vc->class_name), tok, value);
		} else if (strcmp(tok, "group") == 0) {
			ret = copy_field(vl, vc->group_name,
					 sizeof(vc->group_name), tok, value);
		} else if (strcmp(tok, "counter") == 0) {
			ret = copy_field(vl, vc->counter, sizeof(vc->counter),
					 tok, value);
		} else if (strcmp(tok, "reply") == 0) {
			if (strcmp(value, "-") != 0 &&
			    (value[0] == '\0' ||
			     strspn(value, "SAFRP") != strlen(value))) {
				ret = vector_error(vl, -EINVAL,
						   "bad reply '%s': TCP flags "
						   "(SAFRP) or -",
						   value);
				goto out_free_copy;
			}
			ret = copy_field(vl, vc->reply, sizeof(vc->reply), tok,
					 value);
		}
		if (ret < 0)
			goto out_free_copy;
	}
	if (!have_expect)
		ret = vector_error(vl, -EINVAL,
				   "case '%s' has no expect=", vc->name);
	else if (vc->reply[0] == '\0')
		strcpy(vc->reply,
		       strcmp(vc->expect, "reset") == 0 ? "RA" : "-");

out_free_copy:
	free(copy);
	return ret;
}

static int
parse_case_line(struct vector_load *vl, struct op25b_vector_file *vf,
		const char *name, const char *tokens)
{
	struct op25b_craft_spec spec;
	struct op25b_vector_case *vc;
	char msg[256];
	unsigned int i;
	int ret;

	if (strchr(name, '=') != NULL)
		return vector_error(vl, -EINVAL,
				    "a case starts with its name, not '%s'",
				    name);
	if (strlen(name) >= sizeof(vc->name))
		return vector_error(vl, -EINVAL,
				    "case name is longer than %zu bytes",
				    sizeof(vc->name) - 1);
	for (i = 0; i < vf->n_cases; i++)
		if (strcmp(vf->cases[i].name, name) == 0)
			return vector_error(vl, -EINVAL,
					    "duplicate case '%s' (first on "
					    "line %u)",
					    name, vf->cases[i].line);

	vc = new_case(vl, vf);
	if (vc == NULL)
		return vector_error(vl, -ENOMEM, "out of memory");
	memset(vc, 0, offsetof(struct op25b_vector_case, frame));
	strcpy(vc->name, name);
	strcpy(vc->class_name, "-");
	strcpy(vc->group_name, "-");
	strcpy(vc->counter, "-");
	vc->line = vl->line;

	ret = parse_case_keys(vl, vc, tokens);
	if (ret < 0)
		return ret;
	op25b_craft_spec_init(&spec);
	ret = op25b_craft_spec_parse(&spec, tokens, vector_keys, msg,
				     sizeof(msg));
	if (ret < 0)
		return vector_error(vl, ret, "%s", msg);
	ret = op25b_craft_build(&spec, vc->frame, sizeof(vc->frame));
	if (ret < 0)
		return vector_error(vl, ret, "case '%s' cannot be built: %s",
				    name, strerror(-ret));
	vc->frame_len = (unsigned int)ret;
	vf->n_cases++;
	return 0;
}

static int
parse_line(struct vector_load *vl, struct op25b_vector_file *vf, char *line)
{
	char *hash = strchr(line, '#');
	char *first, *rest;
	size_t len;

	if (hash != NULL)
		*hash = '\0';
	first = line + strspn(line, BLANKS);
	if (*first == '\0')
		return 0;
	len = strcspn(first, BLANKS);
	rest = first + len;
	if (*rest != '\0')
		*rest++ = '\0';
	if (strcmp(first, "policy") == 0)
		return parse_policy_line(vl, vf, rest);
	return parse_case_line(vl, vf, first, rest);
}

/**
 * Read a vector file and build every case's frame. A file without a
 * `policy` line loads with an empty policy_path. On failure @p vf is left
 * empty (nothing to free).
 * @return 0, or -errno with "file:line: message" (or "file: message" when
 *   it cannot be read) in @p err: -EINVAL for a bad line, -ENOSPC/-EINVAL
 *   for a case that cannot be built, -ENAMETOOLONG, -ENOMEM, or the errno
 *   of fopen/read.
 */
int
op25b_vector_file_load(const char *path, struct op25b_vector_file *vf,
		       char *err, size_t err_size)
{
	struct vector_load vl = { .path = path,
				  .err = err,
				  .err_size = err_size };
	size_t line_cap = 0;
	char *line = NULL;
	FILE *f;
	int ret = 0;

	memset(vf, 0, sizeof(*vf));
	f = fopen(path, "r");
	if (f == NULL) {
		ret = -errno;
		craft_set_error(err, err_size, "%s: %s", path, strerror(errno));
		return ret;
	}
	while (getline(&line, &line_cap, f) >= 0) {
		vl.line++;
		ret = parse_line(&vl, vf, line);
		if (ret < 0)
			goto out_free_cases;
	}
	if (ferror(f)) {
		ret = -EIO;
		craft_set_error(err, err_size, "%s: read error", path);
		goto out_free_cases;
	}
	goto out_close;

out_free_cases:
	op25b_vector_file_free(vf);
out_close:
	free(line);
	fclose(f);
	return ret;
}

/** Free the cases of @p vf and leave it empty; safe on an empty one. */
void
op25b_vector_file_free(struct op25b_vector_file *vf)
{
	free(vf->cases);
	memset(vf, 0, sizeof(*vf));
}
