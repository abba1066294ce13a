/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The policy file (YAML, version 1) into a struct op25b_policy: the entry
 * points. libyaml builds the node tree; yaml_schema.c walks it against the
 * schema with one key table per mapping, so that unknown and duplicate keys
 * are caught in one place. Every error points at the node that caused it and
 * nothing is returned unless the whole file is valid.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "policy_priv.h"

/* libyaml's complaint, at its mark; reader errors (bad UTF-8) only know a
 * byte offset, turned into line and column here. */
/* Whether @c starts a character: UTF-8 continuation bytes do not (the
 * reader has checked the encoding before any mark is made). */
static bool
starts_char(char c)
{
	return ((unsigned char)c & 0xc0) != 0x80;
}

/* The bytes of a UTF-8 byte order mark at the start of @text, which
 * libyaml reads past without counting it in its marks: 3 or 0. */
static size_t
bom_len(const char *text, size_t len)
{
	return len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
}

/* The byte where character @index of @text starts (libyaml's marks count
 * characters, not bytes, and not a byte order mark); @len when past the
 * end. */
static size_t
byte_of_char(const char *text, size_t len, size_t index)
{
	size_t i, chars = 0;

	for (i = bom_len(text, len); i < len; i++) {
		if (!starts_char(text[i]))
			continue;
		if (chars++ == index)
			return i;
	}
	return len;
}

static int
fail_yaml(struct loader *ld, const yaml_parser_t *parser, const char *text,
	  size_t len)
{
	const char *problem = parser->problem ? parser->problem : "YAML error";
	uint32_t line, column;

	if (parser->error == YAML_MEMORY_ERROR)
		return op25b_loader_fail_nomem(ld);
	if (parser->error == YAML_READER_ERROR) {
		size_t i, end = parser->problem_offset < len
					? parser->problem_offset
					: len;

		/* A bad trailing byte is reported where it is; the
		 * character at fault is the one its lead byte starts (and
		 * when the bad byte is a newline, on the line before it). */
		if (strcmp(problem, "invalid trailing UTF-8 octet") == 0 &&
		    end > 0) {
			end--;
			while (end > 0 && !starts_char(text[end]))
				end--;
		}
		/* Columns in characters, as libyaml's marks count them:
		 * the reader's offset is in bytes (a byte order mark's
		 * too). */
		line = 1;
		column = 1;
		for (i = bom_len(text, len); i < end; i++) {
			if (text[i] == '\n') {
				line++;
				column = 1;
			} else if (starts_char(text[i])) {
				column++;
			}
		}
	} else {
		line = (uint32_t)parser->problem_mark.line + 1;
		column = (uint32_t)parser->problem_mark.column + 1;
		/* libyaml only says "found character that cannot start any
		 * token": name the character and the fix. */
		size_t at = byte_of_char(text, len, parser->problem_mark.index);

		if (at < len && text[at] == '\t')
			return op25b_loader_fail_at(ld, line, column,
						    "found a tab: use spaces "
						    "(YAML does not indent "
						    "with tabs)");
	}
	if (parser->context != NULL)
		return op25b_loader_fail_at(
			ld, line, column, "%s (%s at line %zu)", problem,
			parser->context, parser->context_mark.line + 1);
	return op25b_loader_fail_at(ld, line, column, "%s", problem);
}

/* The anchor and tag of a node's event (NULL for any other). */
static void
event_names(const yaml_event_t *e, const yaml_char_t **anchor,
	    const yaml_char_t **tag)
{
	*anchor = *tag = NULL;
	if (e->type == YAML_SCALAR_EVENT) {
		*anchor = e->data.scalar.anchor;
		*tag = e->data.scalar.tag;
	} else if (e->type == YAML_SEQUENCE_START_EVENT) {
		*anchor = e->data.sequence_start.anchor;
		*tag = e->data.sequence_start.tag;
	} else if (e->type == YAML_MAPPING_START_EVENT) {
		*anchor = e->data.mapping_start.anchor;
		*tag = e->data.mapping_start.tag;
	}
}

/*
 * One pass of libyaml's events, each freed at once, before libyaml builds
 * its tree, refusing what would make the load cost more than the file's
 * size says, or read it otherwise than it means:
 *  - more than OP25B_POLICY_VALUES_MAX values (scalars, sequences,
 *    mappings): the tree takes about 160 bytes a value (an 8 MB file of
 *    "1," took 690 MB);
 *  - anchors and aliases (&L, *L): an alias is its anchor's values again
 *    (a 458 KB file naming one 20,000-prefix list in 255 classes took 288
 *    MB; 2M prefixes so would take 40 GB), and libyaml compares each
 *    anchor with every one before it (1.9M anchors: hours);
 *  - nesting deeper than POLICY_DEPTH_MAX: libyaml's scanner walks every
 *    open flow level at each token (a 1.8 MB "[[[...": over 10 minutes);
 *  - explicit tags (!!str 1, !!binary ...): op25b reads a value by its
 *    key, not its tag, so a tagged value would mean one thing to YAML and
 *    another to op25b.
 * All of that holds the control lcore on a reload, as a FIFO would. It
 * costs a third of a load. Syntax errors are left to the load that
 * follows, which reports them as it always has.
 */
#define POLICY_DEPTH_MAX 64

static int
prescan(struct loader *ld, const char *text, size_t len)
{
	const yaml_char_t *anchor, *tag;
	yaml_parser_t parser;
	yaml_event_t event;
	uint32_t n = 0, depth = 0;
	int rc = 0;

	if (!yaml_parser_initialize(&parser))
		return op25b_loader_fail_nomem(ld);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (yaml_parser_parse(&parser, &event)) {
		yaml_event_type_t type = event.type;

		event_names(&event, &anchor, &tag);
		if (type == YAML_SEQUENCE_START_EVENT ||
		    type == YAML_MAPPING_START_EVENT)
			depth++;
		else if (type == YAML_SEQUENCE_END_EVENT ||
			 type == YAML_MAPPING_END_EVENT)
			depth--;
		if ((type == YAML_SCALAR_EVENT ||
		     type == YAML_SEQUENCE_START_EVENT ||
		     type == YAML_MAPPING_START_EVENT) &&
		    ++n > OP25B_POLICY_VALUES_MAX)
			rc = op25b_loader_fail_mark(
				ld, &event.start_mark,
				"more than %u values (scalars, lists, "
				"mappings) in the policy: put a long prefix "
				"list in a prefixes_file",
				OP25B_POLICY_VALUES_MAX);
		else if (type == YAML_ALIAS_EVENT || anchor != NULL)
			rc = op25b_loader_fail_mark(
				ld, &event.start_mark,
				"YAML anchors and aliases (&NAME, "
				"*NAME) are not taken: write the "
				"values out, or share a prefix list "
				"as a prefixes_file");
		else if (tag != NULL)
			rc = op25b_loader_fail_mark(
				ld, &event.start_mark,
				"explicit YAML tags (!!str, !!int, "
				"...) are not taken: op25b reads a "
				"value by its key; write it plainly");
		else if (depth > POLICY_DEPTH_MAX)
			rc = op25b_loader_fail_mark(
				ld, &event.start_mark,
				"lists and mappings nested more than %u deep",
				POLICY_DEPTH_MAX);
		yaml_event_delete(&event);
		if (rc != 0 || type == YAML_STREAM_END_EVENT)
			break;
	}
	yaml_parser_delete(&parser);
	return rc;
}

static int
parse_text(struct loader *ld, const char *text, size_t len)
{
	yaml_document_t doc, extra;
	yaml_parser_t parser;
	yaml_node_t *root;
	int rc = -1;

	/* libyaml reads UTF-16 after its byte order mark, but every line
	 * and column here, and the tab's hint, counts UTF-8: refused, with
	 * the fix, rather than pointed at the wrong place. */
	if (len >= 2 && (memcmp(text, "\xff\xfe", 2) == 0 ||
			 memcmp(text, "\xfe\xff", 2) == 0))
		return op25b_loader_fail_at(ld, 1, 1,
					    "the file is UTF-16 (its byte "
					    "order mark): save it as UTF-8");
	if (prescan(ld, text, len) != 0)
		return -1;
	if (!yaml_parser_initialize(&parser))
		return op25b_loader_fail_nomem(ld);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		fail_yaml(ld, &parser, text, len);
		goto delete_parser;
	}
	ld->doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (root == NULL) {
		op25b_loader_fail_at(ld, 1, 1,
				     "empty policy file (it needs at least "
				     "version: 1)");
		goto delete_doc;
	}
	/* A second document would be silently ignored: refuse it. */
	if (!yaml_parser_load(&parser, &extra)) {
		fail_yaml(ld, &parser, text, len);
		goto delete_doc;
	}
	/* Said at its "---" when it has one: an empty second document's
	 * node (a null) sits past the file's last line. */
	if (yaml_document_get_root_node(&extra) != NULL) {
		op25b_loader_fail_mark(
			ld,
			extra.start_implicit
				? &yaml_document_get_root_node(&extra)
					   ->start_mark
				: &extra.start_mark,
			"a policy file holds one YAML document, this is a "
			"second one");
		yaml_document_delete(&extra);
		goto delete_doc;
	}
	yaml_document_delete(&extra);
	rc = op25b_loader_parse_root(ld, root);

delete_doc:
	yaml_document_delete(&doc);
	ld->doc = NULL;
delete_parser:
	yaml_parser_delete(&parser);
	return rc;
}

static struct op25b_policy *
load_text(const char *name, const char *text, size_t len, const char *base_dir,
	  struct op25b_policy_error *error)
{
	struct op25b_policy_error ignored;
	struct op25b_policy_owned *owned;
	struct loader *ld;
	char *file;
	int err = ENOMEM;

	if (error == NULL)
		error = &ignored;
	memset(error, 0, sizeof(*error));
	/* The loader is large (capacities of every list): keep it off the
	 * stack of whatever thread reloads the policy. */
	ld = calloc(1, sizeof(*ld));
	owned = calloc(1, sizeof(*owned));
	file = strdup(name);
	if (ld == NULL || owned == NULL || file == NULL)
		goto nomem;
	owned->files = malloc(sizeof(*owned->files));
	if (owned->files == NULL)
		goto nomem;
	owned->files[owned->n_files++] = file;
	file = NULL;

	ld->owned = owned;
	ld->policy = &owned->policy;
	ld->file = owned->files[0];
	ld->base_dir = base_dir;
	ld->error = error;
	ld->err = EINVAL;
	ld->policy->file = owned->files[0];
	ld->policy->mode = OP25B_MODE_ENFORCE;
	ld->policy->block = OP25B_BLOCK_DROP;
	ld->policy->default_action = OP25B_ACTION_ALLOW;
	ld->policy->malformed = OP25B_MALFORMED_DROP;
	ld->policy->max_vlan_tags = OP25B_POLICY_DEFAULT_VLAN_TAGS;
	ld->policy->notify_rate = OP25B_POLICY_DEFAULT_NOTIFY_RATE;
	/* Never NULL, even when empty, so &classes[0] is always valid. */
	ld->policy->classes = calloc(1, sizeof(*ld->policy->classes));
	ld->policy->groups = calloc(1, sizeof(*ld->policy->groups));
	if (ld->policy->classes == NULL || ld->policy->groups == NULL)
		goto nomem;

	if (parse_text(ld, text, len) < 0) {
		err = ld->err;
		goto free_policy;
	}
	free(ld);
	return &owned->policy;

nomem:
	op25b_policy_error_set(error, name, 0, 0, "out of memory");
free_policy:
	free(file);
	free(ld);
	op25b_policy_free(owned != NULL ? &owned->policy : NULL);
	errno = err;
	return NULL;
}

struct op25b_policy *
op25b_policy_load_buffer(const char *name, const char *text, size_t len,
			 struct op25b_policy_error *error)
{
	if (name == NULL)
		name = "<buffer>";
	if (text == NULL && len > 0) {
		if (error != NULL)
			op25b_policy_error_set(error, name, 0, 0, "no text");
		errno = EINVAL;
		return NULL;
	}
	return load_text(name, text != NULL ? text : "", len, NULL, error);
}

struct op25b_policy *
op25b_policy_load(const char *path, struct op25b_policy_error *error)
{
	struct op25b_policy *policy;
	const char *slash;
	char *base_dir = NULL;
	char *text;
	size_t len;
	int rc, err;

	rc = op25b_policy_read_file(path, &text, &len);
	if (rc < 0) {
		if (error != NULL)
			op25b_policy_error_set(error, path, 0, 0,
					       "cannot read: %s",
					       op25b_policy_read_strerror(rc));
		errno = -rc;
		return NULL;
	}
	slash = strrchr(path, '/');
	if (slash != NULL) {
		/* "/etc/x.yaml" -> "/", "config/x.yaml" -> "config". */
		size_t dir_len = slash == path ? 1 : (size_t)(slash - path);

		base_dir = strndup(path, dir_len);
		if (base_dir == NULL) {
			free(text);
			if (error != NULL)
				op25b_policy_error_set(error, path, 0, 0,
						       "out of memory");
			errno = ENOMEM;
			return NULL;
		}
	}
	policy = load_text(path, text, len, base_dir, error);
	err = errno;
	free(base_dir);
	free(text);
	errno = err;
	return policy;
}
