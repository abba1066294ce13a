/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/policy: loading (every error at its line and column), prefixes_file,
 * precedence, the reference longest-prefix match, and the small parsers.
 *
 * Usage: test_policy [SOURCE_ROOT | config/op25b.yaml]; without an argument
 * the source root is $OP25B_SOURCE_ROOT, else the current directory.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "op25b_json.h"
#include "op25b_policy.h"
#include "test_fixture.h"

static char default_config[4096];
static char vectors_dir[4096 + 64]; /* test/vectors/policy */
static char tmp_dir[] = "/tmp/op25b-test-policy-XXXXXX";

/* ---- helpers ---------------------------------------------------------- */

static struct op25b_policy *
load_text(const char *yaml)
{
	struct op25b_policy_error error;
	struct op25b_policy *policy;
	char text[600];

	policy = op25b_policy_load_buffer("t.yaml", yaml, strlen(yaml), &error);
	if (policy == NULL) {
		op25b_policy_error_format(&error, text, sizeof(text));
		fail_msg("unexpected load error: %s", text);
	}
	return policy;
}

/* A macro, so that a failure names the caller's line. */
#define assert_load_error(yaml, want_line, want_column, want_message)          \
	do {                                                                   \
		struct op25b_policy_error error_;                              \
		const char *yaml_ = (yaml);                                    \
		errno = 0;                                                     \
		assert_null(op25b_policy_load_buffer("t.yaml", yaml_,          \
						     strlen(yaml_), &error_)); \
		assert_int_equal(errno, EINVAL);                               \
		assert_string_equal(error_.file, "t.yaml");                    \
		assert_string_equal(error_.message, (want_message));           \
		assert_int_equal(error_.line, (want_line));                    \
		assert_int_equal(error_.column, (want_column));                \
	} while (0)

static char *
tmp_path(const char *name)
{
	char *path;

	assert_true(asprintf(&path, "%s/%s", tmp_dir, name) > 0);
	return path;
}

/* Write @p len bytes to a file of the temporary directory; returns its
 * path (to free). */
static char *
write_tmp(const char *name, const char *text, size_t len)
{
	char *path = tmp_path(name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

static char *
write_tmp_string(const char *name, const char *text)
{
	return write_tmp(name, text, strlen(text));
}

static struct op25b_policy *
load_default(void)
{
	struct op25b_policy_error error;
	struct op25b_policy *policy;
	char text[600];

	policy = op25b_policy_load(default_config, &error);
	if (policy == NULL) {
		op25b_policy_error_format(&error, text, sizeof(text));
		fail_msg("%s does not load: %s", default_config, text);
	}
	return policy;
}

/* The fixture of the tests on the default policy (config/). */
TEST_FIXTURE(default_policy, load_default(), op25b_policy_free)

/* The index of the entry named @name among the @n @entries (classes or
 * groups) of @size bytes, each starting with its name; -1: none. */
static int
find_named(const void *entries, unsigned int n, size_t size, const char *name)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (strcmp((const char *)entries + i * size, name) == 0)
			return (int)i;
	return -1;
}

_Static_assert(offsetof(struct op25b_policy_class, name) == 0 &&
		       offsetof(struct op25b_policy_group, name) == 0,
	       "find_named() reads a class's or a group's name at its start");

static int
find_class(const struct op25b_policy *policy, const char *name)
{
	return find_named(policy->classes, policy->n_classes,
			  sizeof(*policy->classes), name);
}

static int
find_group(const struct op25b_policy *policy, const char *name)
{
	return find_named(policy->groups, policy->n_groups,
			  sizeof(*policy->groups), name);
}

static void
assert_prefix_text(const struct op25b_prefix *prefix, const char *text)
{
	char buf[64];

	assert_true(op25b_prefix_format(prefix, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, text);
}

/* @p prefix is @p text, written at @p line:@p column of its file. */
static void
expect_prefix_at(const struct op25b_prefix *prefix, const char *text,
		 unsigned int line, unsigned int column)
{
	assert_prefix_text(prefix, text);
	assert_int_equal(prefix->line, line);
	assert_int_equal(prefix->column, column);
}

/* @p policy's top-level settings. */
static void
expect_settings(const struct op25b_policy *policy, enum op25b_policy_mode mode,
		enum op25b_block_style block, enum op25b_action default_action,
		enum op25b_malformed_action malformed)
{
	assert_int_equal(policy->mode, mode);
	assert_int_equal(policy->block, block);
	assert_int_equal(policy->default_action, default_action);
	assert_int_equal(policy->malformed, malformed);
}

/* The ports of a policy without `ports`: smtp 25, submission 587 and
 * 465. */
static void
expect_default_ports(const struct op25b_policy *policy)
{
	assert_int_equal(policy->n_smtp_ports, 1);
	assert_int_equal(policy->smtp_ports[0], 25);
	assert_int_equal(policy->n_submission_ports, 2);
	assert_int_equal(policy->submission_ports[0], 587);
	assert_int_equal(policy->submission_ports[1], 465);
}

/* Which class the reference match gives @p text (an address). */
static int
source_of(const struct op25b_policy *policy, const char *text,
	  const struct op25b_prefix **match)
{
	struct op25b_prefix addr;

	assert_int_equal(op25b_prefix_parse(text, &addr, NULL), 0);
	return op25b_policy_match_source(policy, addr.family, addr.addr, match);
}

static int
destination_of(const struct op25b_policy *policy, const char *text,
	       const struct op25b_prefix **match)
{
	struct op25b_prefix addr;

	assert_int_equal(op25b_prefix_parse(text, &addr, NULL), 0);
	return op25b_policy_match_destination(policy, addr.family, addr.addr,
					      match);
}

/* ---- the default policy ----------------------------------------------- */

static void
test_default_config_loads(void **state)
{
	struct op25b_policy *policy = *state;
	const struct op25b_policy_class *cls;
	int mobile_only, hosting, isp_relays, mobile_mx;

	assert_int_equal(policy->version, 1);
	expect_settings(policy, OP25B_MODE_ENFORCE, OP25B_BLOCK_RESET,
			OP25B_ACTION_ALLOW, OP25B_MALFORMED_DROP);
	expect_default_ports(policy);

	assert_int_equal(policy->n_classes, 4);
	assert_string_equal(policy->classes[0].name, "dynamic");
	assert_string_equal(policy->classes[1].name, "static");
	assert_string_equal(policy->classes[2].name, "hosting");
	assert_string_equal(policy->classes[3].name, "mobile-only");
	assert_int_equal(policy->classes[0].action, OP25B_ACTION_BLOCK);
	assert_int_equal(policy->classes[1].action, OP25B_ACTION_ALLOW);
	assert_int_equal(policy->classes[2].action, OP25B_ACTION_ADAPTIVE);
	assert_int_equal(policy->classes[3].action, OP25B_ACTION_ALLOW);

	cls = &policy->classes[0];
	assert_int_equal(cls->prefixes.count, 2);
	expect_prefix_at(&cls->prefixes.prefixes[0], "198.18.0.0/16", 14, 16);
	expect_prefix_at(&cls->prefixes.prefixes[1], "2001:db8:1000::/36", 14,
			 31);
	assert_string_equal(cls->prefixes.prefixes[0].file, default_config);

	hosting = find_class(policy, "hosting");
	assert_int_equal(policy->classes[hosting].limit.connections, 10);
	assert_int_equal(policy->classes[hosting].limit.per_seconds, 60);
	assert_int_equal(policy->classes[hosting].limit.block_seconds, 3600);

	assert_int_equal(policy->n_groups, 2);
	isp_relays = find_group(policy, "isp-relays");
	mobile_mx = find_group(policy, "mobile-mx");
	assert_int_equal(isp_relays, 0);
	assert_int_equal(mobile_mx, 1);
	assert_int_equal(policy->groups[isp_relays].action, OP25B_ACTION_ALLOW);
	assert_int_equal(policy->groups[mobile_mx].action, OP25B_ACTION_NONE);
	assert_int_equal(policy->groups[isp_relays].prefixes.count, 2);
	assert_int_equal(policy->groups[mobile_mx].prefixes.count, 1);

	mobile_only = find_class(policy, "mobile-only");
	assert_int_equal(policy->classes[mobile_only].to[mobile_mx],
			 OP25B_ACTION_BLOCK);
	assert_int_equal(policy->classes[mobile_only].to[isp_relays],
			 OP25B_ACTION_NONE);
	assert_int_equal(policy->classes[0].to[mobile_mx], OP25B_ACTION_NONE);

	/* No warning: adaptive is enforced. */
	assert_int_equal(policy->n_warnings, 0);
}

static void
test_defaults_when_omitted(void **state)
{
	struct op25b_policy *policy = load_text("version: 1\n");

	(void)state;
	expect_settings(policy, OP25B_MODE_ENFORCE, OP25B_BLOCK_DROP,
			OP25B_ACTION_ALLOW, OP25B_MALFORMED_DROP);
	expect_default_ports(policy);
	assert_int_equal(policy->n_classes, 0);
	assert_int_equal(policy->n_groups, 0);
	assert_int_equal(policy->n_warnings, 0);
	assert_string_equal(policy->file, "t.yaml");
	/* Never NULL, so that &classes[0] is valid for the compiler. */
	assert_non_null(policy->classes);
	assert_non_null(policy->groups);
	op25b_policy_free(policy);
}

static void
test_top_level_settings(void **state)
{
	struct op25b_policy *policy = load_text("version: 1\n"
						"mode: monitor\n"
						"block: reset\n"
						"default: count\n"
						"malformed: forward\n"
						"ports:\n"
						"  smtp: [25, 2525]\n"
						"  submission: [587]\n");

	(void)state;
	expect_settings(policy, OP25B_MODE_MONITOR, OP25B_BLOCK_RESET,
			OP25B_ACTION_COUNT, OP25B_MALFORMED_FORWARD);
	assert_int_equal(policy->n_smtp_ports, 2);
	assert_int_equal(policy->smtp_ports[1], 2525);
	assert_int_equal(policy->n_submission_ports, 1);
	assert_int_equal(policy->submission_ports[0], 587);
	op25b_policy_free(policy);
}

/* block: notify, at the top and per class, with its notice and rate; the
 * class's block applies to its sources whatever rule blocked them, and
 * explain shows the notice only where a notify block decides. */
static void
test_notify_settings(void **state)
{
	static const char yaml[] =
		"version: 1\n"
		"block: reset\n"
		"notice: |\n"
		"  Port 25 is closed for dynamic addresses.\n"
		"  Send via smtp.example.net port 587.\n"
		"notify_rate: 250\n"
		"sources:\n"
		"  dynamic:\n"
		"    action: block\n"
		"    block: notify\n"
		"    prefixes: [198.18.0.0/16]\n"
		"  static: {action: block, prefixes: [198.19.0.0/16]}\n";
	struct op25b_policy *p = load_text(yaml);
	struct op25b_prefix dyn, stat, dst;
	struct op25b_explanation x;
	char text[1024];

	(void)state;
	assert_int_equal(p->block, OP25B_BLOCK_RESET);
	assert_string_equal(p->notice,
			    "Port 25 is closed for dynamic addresses.\n"
			    "Send via smtp.example.net port 587.");
	assert_int_equal(p->notify_rate, 250);
	assert_true(p->classes[0].block_set);
	assert_int_equal(p->classes[0].block, OP25B_BLOCK_NOTIFY);
	assert_false(p->classes[1].block_set);
	assert_int_equal(op25b_policy_block_of(p, 0), OP25B_BLOCK_NOTIFY);
	assert_int_equal(op25b_policy_block_of(p, 1), OP25B_BLOCK_RESET);
	assert_int_equal(op25b_policy_block_of(p, -1), OP25B_BLOCK_RESET);
	assert_string_equal(op25b_block_style_name(OP25B_BLOCK_NOTIFY),
			    "notify");

	assert_int_equal(op25b_prefix_parse("198.18.7.7", &dyn, NULL), 0);
	assert_int_equal(op25b_prefix_parse("198.19.7.7", &stat, NULL), 0);
	assert_int_equal(op25b_prefix_parse("203.0.113.9", &dst, NULL), 0);
	op25b_policy_explain(p, &dyn, &dst, 25, &x);
	assert_ptr_equal(x.notice, p->notice);
	op25b_explanation_text(&x, text, sizeof(text));
	assert_non_null(strstr(text, "block: notify -> the connection is "
				     "answered with 554 5.7.1 and the notice"));
	assert_non_null(strstr(text, "notice:      Port 25 is closed"));
	op25b_policy_explain(p, &stat, &dst, 25, &x);
	assert_null(x.notice);
	op25b_explanation_text(&x, text, sizeof(text));
	assert_non_null(strstr(text, "block: reset"));
	assert_null(strstr(text, "notice:"));
	op25b_policy_free(p);

	/* The defaults: drop, no notice, a generous rate. */
	p = load_text("version: 1\n");
	assert_int_equal(p->block, OP25B_BLOCK_DROP);
	assert_string_equal(p->notice, "");
	assert_int_equal(p->notify_rate, OP25B_POLICY_DEFAULT_NOTIFY_RATE);
	op25b_policy_free(p);
}

static void
test_null_containers_and_descriptions(void **state)
{
	struct op25b_policy *policy =
		load_text("version: 1\n"
			  "ports:\n"
			  "sources:\n"
			  "  d:\n"
			  "    action: block\n"
			  "    description: dynamic pools\n"
			  "    prefixes: [10.0.0.0/8]\n"
			  "    to:\n"
			  "destinations: ~\n");

	(void)state;
	assert_int_equal(policy->n_classes, 1);
	assert_int_equal(policy->classes[0].prefixes.count, 1);
	assert_int_equal(policy->n_groups, 0);
	assert_int_equal(policy->n_smtp_ports, 1);
	assert_int_equal(policy->n_warnings, 0);
	op25b_policy_free(policy);
}

/* ---- errors: the vectors ---------------------------------------------- */
/* The errors of a whole file live in test/vectors/policy/, one case a file;
 * what stays below builds its YAML (long names, many entries) or names the
 * file in its message. */

/* A whole file of test/vectors/policy (to free). */
static char *
read_vector(const char *name, size_t *len)
{
	char path[sizeof(vectors_dir) + 256];
	char *text;
	FILE *f;
	long size;

	snprintf(path, sizeof(path), "%s/%s", vectors_dir, name);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size >= 0);
	rewind(f);
	text = malloc((size_t)size + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)size, f), (size_t)size);
	text[size] = '\0';
	fclose(f);
	*len = (size_t)size;
	return text;
}

/* Room for the names errors.txt lists (98 now). */
#define ERROR_VECTORS_MAX 512

/*
 * Every case of test/vectors/policy/errors.txt: the file, loaded under its
 * own name, fails (EINVAL) with exactly the error listed; every .yaml of
 * the folder is listed exactly once, so that a file cannot be left
 * untested (two lines of one file would hide another's missing line from
 * a count).
 */
static void
test_error_vectors(void **state)
{
	static char listed[ERROR_VECTORS_MAX][256];
	char path[sizeof(vectors_dir) + 16], line[1024], got[1024];
	unsigned int cases = 0, files = 0, lineno = 0, i, seen;
	struct dirent *entry;
	FILE *index;
	DIR *dir;

	(void)state;
	snprintf(path, sizeof(path), "%s/errors.txt", vectors_dir);
	index = fopen(path, "r");
	if (index == NULL)
		fail_msg("cannot open %s", path);
	while (fgets(line, sizeof(line), index) != NULL) {
		struct op25b_policy_error error;
		char name[256];
		size_t len, name_len;
		char *text;

		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		name_len = strcspn(line, ":");
		assert_true(name_len < sizeof(name));
		snprintf(name, sizeof(name), "%.*s", (int)name_len, line);
		assert_true(cases < ERROR_VECTORS_MAX);
		snprintf(listed[cases], sizeof(listed[cases]), "%s", name);
		text = read_vector(name, &len);
		errno = 0;
		if (op25b_policy_load_buffer(name, text, len, &error) != NULL)
			fail_msg("errors.txt:%u: %s loads", lineno, name);
		free(text);
		assert_int_equal(errno, EINVAL);
		op25b_policy_error_format(&error, got, sizeof(got));
		if (strcmp(got, line) != 0)
			fail_msg("errors.txt:%u: want %s\n got  %s", lineno,
				 line, got);
		cases++;
	}
	fclose(index);

	dir = opendir(vectors_dir);
	assert_non_null(dir);
	while ((entry = readdir(dir)) != NULL) {
		size_t n = strlen(entry->d_name);

		if (n <= 5 || strcmp(entry->d_name + n - 5, ".yaml") != 0)
			continue;
		files++;
		for (i = 0, seen = 0; i < cases; i++)
			seen += strcmp(listed[i], entry->d_name) == 0;
		if (seen != 1)
			fail_msg(
				"%s is listed %u times in errors.txt, want once",
				entry->d_name, seen);
	}
	closedir(dir);
	assert_true(cases > 0);
	assert_int_equal(cases, files);
}

/* ---- errors: classes and groups (the cases a file cannot hold) -------- */

static void
test_to_before_destinations(void **state)
{
	/* A group named in to: may be defined further down the file. */
	struct op25b_policy *policy =
		load_text("version: 1\n"
			  "sources:\n"
			  "  m:\n"
			  "    action: allow\n"
			  "    to: {b: block, a: count}\n"
			  "    prefixes: [198.19.128.0/17]\n"
			  "destinations:\n"
			  "  a: {prefixes: [192.0.2.0/24]}\n"
			  "  b: {prefixes: [198.51.100.0/24]}\n"
			  "  c: {prefixes: [203.0.113.0/24]}\n");

	(void)state;
	assert_int_equal(policy->n_groups, 3);
	assert_int_equal(policy->classes[0].to[0], OP25B_ACTION_COUNT);
	assert_int_equal(policy->classes[0].to[1], OP25B_ACTION_BLOCK);
	assert_int_equal(policy->classes[0].to[2], OP25B_ACTION_NONE);
	/* Saying what would apply anyway is fine: no warning. */
	assert_int_equal(policy->n_warnings, 0);
	op25b_policy_free(policy);
	/* A key given twice in to, before destinations has checked the
	 * names: shown as the other messages show file text (no control
	 * byte reaches the operator's terminal). */
	assert_load_error("version: 1\n"
			  "sources:\n"
			  "  m:\n"
			  "    action: allow\n"
			  "    to: {\"g\\e[31m\": allow, \"g\\e[31m\": block}\n"
			  "    prefixes: [198.19.128.0/17]\n"
			  "destinations:\n"
			  "  \"g\\e[31m\": {prefixes: [192.0.2.0/24]}\n",
			  5, 28,
			  "duplicate key 'g?[31m' in to (first at line 5)");
}

/* Positions and the tab hint after text that is not ASCII: libyaml's
 * marks count characters, the reader's offset bytes; the loader's columns
 * are characters either way, and it looks for the tab at the character
 * libyaml names (a byte index, six characters of two bytes before it,
 * named the tab in a string six bytes earlier, and missed a real tab). */
static void
test_error_columns_utf8(void **state)
{
	(void)state;
	assert_load_error("version: 1\n# \xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
			  "\xc3\xa9\xc3\xa9\nmode: \"\t\"    @x\n",
			  3, 14,
			  "found character that cannot start any token "
			  "(while scanning for the next token at line 3)");
	assert_load_error("version: 1\nmode: \"caf\xc3\xa9 \xff\"\n", 2, 13,
			  "invalid leading UTF-8 octet");
	/* A lead byte whose next byte is no trailing one: at the lead
	 * byte, on its own line even when the next byte is the newline
	 * (Latin-1's é in a comment). */
	assert_load_error("version: 1\n# caf\xe9\n\n\n", 2, 6,
			  "invalid trailing UTF-8 octet");
	assert_load_error("version: 1\n# \xc3\xa9t\xc3\xa9 \xe9x\n", 2, 7,
			  "invalid trailing UTF-8 octet");
	assert_load_error("version: 1\n# \xc3\xa9\xc3\xa9\xc3\xa9\nsources:\n"
			  "\tx: 1\n",
			  4, 1,
			  "found a tab: use spaces (YAML does not indent with "
			  "tabs)");
	/* A UTF-8 byte order mark, which editors on some systems write
	 * first, is no character of line 1: libyaml's marks do not count
	 * it, nor do the loader's columns. */
	assert_load_error(
		"\xef\xbb\xbfversion: 1\nmode: \"caf\xc3\xa9 \xff\"\n", 2, 13,
		"invalid leading UTF-8 octet");
	assert_load_error("\xef\xbb\xbfversion: \"1\xff\"\n", 1, 12,
			  "invalid leading UTF-8 octet");
	assert_load_error("\xef\xbb\xbf\tversion: 1\n", 1, 1,
			  "found a tab: use spaces (YAML does not indent with "
			  "tabs)");
	assert_load_error("\xef\xbb\xbfversion: 1\nsources:\n\tx: 1\n", 3, 1,
			  "found a tab: use spaces (YAML does not indent with "
			  "tabs)");
	op25b_policy_free(load_text("\xef\xbb\xbfversion: 1\n"));
}

static void
test_error_names(void **state)
{
	char yaml[256];

	(void)state;
	/* 63 characters is the longest name. */
	snprintf(yaml, sizeof(yaml),
		 "version: 1\nsources:\n  %.63s: {action: block, prefixes: "
		 "[10.0.0.0/8]}\n",
		 "abcdefghij_abcdefghij.abcdefghij-abcdefghij0123456789"
		 "ABCDEFGHIJKLMNOP");
	op25b_policy_free(load_text(yaml));
	snprintf(yaml, sizeof(yaml),
		 "version: 1\nsources:\n  %.64s: {action: block}\n",
		 "abcdefghij_abcdefghij.abcdefghij-abcdefghij0123456789"
		 "ABCDEFGHIJKLMNOP");
	assert_load_error(yaml, 3, 3,
			  "invalid class name 'abcdefghij_abcdefghij."
			  "abcdefghij-abcdefghij0123456789ABCDEFGHIJK': use 1 "
			  "to 63 letters, digits, '_', '.' or '-'");
}

static char *
many_entries(const char *section, unsigned int n, const char *body)
{
	size_t size = 64 + (size_t)n * (strlen(body) + 16), used;
	char *yaml = malloc(size);
	unsigned int i;

	assert_non_null(yaml);
	used = (size_t)snprintf(yaml, size, "version: 1\n%s:\n", section);
	for (i = 0; i < n; i++)
		used += (size_t)snprintf(yaml + used, size - used,
					 "  e%u: %s\n", i, body);
	return yaml;
}

static void
test_error_too_many_classes(void **state)
{
	struct op25b_policy *policy;
	char *yaml;

	(void)state;
	yaml = many_entries("sources", OP25B_POLICY_MAX_CLASSES,
			    "{action: block}");
	policy = load_text(yaml);
	assert_int_equal(policy->n_classes, OP25B_POLICY_MAX_CLASSES);
	assert_string_equal(policy->classes[254].name, "e254");
	op25b_policy_free(policy);
	free(yaml);

	yaml = many_entries("sources", OP25B_POLICY_MAX_CLASSES + 1,
			    "{action: block}");
	assert_load_error(yaml, 2 + OP25B_POLICY_MAX_CLASSES + 1, 3,
			  "too many classes (at most 255)");
	free(yaml);
}

static void
test_error_too_many_groups(void **state)
{
	struct op25b_policy *policy;
	char *yaml;

	(void)state;
	yaml = many_entries("destinations", OP25B_POLICY_MAX_GROUPS, "{}");
	policy = load_text(yaml);
	assert_int_equal(policy->n_groups, OP25B_POLICY_MAX_GROUPS);
	op25b_policy_free(policy);
	free(yaml);

	yaml = many_entries("destinations", OP25B_POLICY_MAX_GROUPS + 1, "{}");
	assert_load_error(yaml, 2 + OP25B_POLICY_MAX_GROUPS + 1, 3,
			  "too many groups (at most 255)");
	free(yaml);
}

/* The groups are counted before the sources are read: a class's to: names
 * are looked up among them, so a policy with too many is refused at the
 * first one too many, before anything the sources say (here a bad action,
 * which the walk would otherwise reach first). */
static void
test_error_too_many_groups_first(void **state)
{
	char *groups =
		many_entries("destinations", OP25B_POLICY_MAX_GROUPS + 1, "{}");
	char *yaml;

	(void)state;
	assert_true(asprintf(&yaml,
			     "version: 1\n"
			     "sources:\n"
			     "  a: {action: nonsense, to: {e0: forward}}\n"
			     "%s",
			     strchr(groups, '\n') + 1) > 0);
	assert_load_error(yaml, 4 + OP25B_POLICY_MAX_GROUPS + 1, 3,
			  "too many groups (at most 255)");
	free(yaml);
	free(groups);
}

static void
test_limit_values(void **state)
{
	struct op25b_policy *policy = load_text(
		"version: 1\n"
		"sources:\n"
		"  h:\n"
		"    limit: {block_for: 2d, connections: 65534, per: 90}\n"
		"    action: adaptive\n"
		"    prefixes: [198.19.0.0/17]\n");

	(void)state;
	assert_int_equal(policy->classes[0].action, OP25B_ACTION_ADAPTIVE);
	assert_int_equal(policy->classes[0].limit.connections, 65534);
	assert_int_equal(policy->classes[0].limit.per_seconds, 90);
	assert_int_equal(policy->classes[0].limit.block_seconds, 172800);
	/* Optional keys: absent is 0 (no destination limit, /64). */
	assert_int_equal(policy->classes[0].limit.destinations, 0);
	assert_int_equal(policy->classes[0].limit.ipv6_key, 0);
	op25b_policy_free(policy);

	policy = load_text("version: 1\n"
			   "sources:\n"
			   "  h:\n"
			   "    action: adaptive\n"
			   "    limit: {connections: 10, per: 60s, block_for: "
			   "1h, destinations: 16, ipv6_key: /56}\n");
	assert_int_equal(policy->classes[0].limit.destinations, 16);
	assert_int_equal(policy->classes[0].limit.ipv6_key, 56);
	op25b_policy_free(policy);
}

/* ---- errors: prefixes ------------------------------------------------- */

static void
test_error_bad_prefixes(void **state)
{
	static const struct {
		const char *prefix;
		const char *message;
	} cases[] = {
		{ "198.18.0.1/16", "198.18.0.1/16: host bits set (did you mean "
				   "198.18.0.0/16?)" },
		{ "2001:db8::1/32",
		  "2001:db8::1/32: host bits set (did you mean "
		  "2001:db8::/32?)" },
		{ "10.0.0.0/33", "10.0.0.0/33: prefix length above 32" },
		{ "2001:db8::/129", "2001:db8::/129: prefix length above 128" },
		{ "010.1.1.0/24",
		  "010.1.1.0/24: leading zero in an IPv4 address (octal or "
		  "decimal?)" },
		{ "10.0.0.0/8x", "10.0.0.0/8x: bad prefix length" },
		{ "example.com", "example.com: not an IPv4 or IPv6 address" },
		{ "'10.0.0.0 /8'", "10.0.0.0 /8: not an IPv4 or IPv6 address" },
		/* inet_pton() would have read up to the NUL: 2001:db8::/32. */
		{ "\"2001:db8::\\0 junk/32\"",
		  "2001:db8::? junk/32: not an IPv4 or IPv6 address" },
		{ "\"198.18.0.0\\0/16\"",
		  "198.18.0.0?/16: not an IPv4 or IPv6 address" },
		/* Cut at 64 characters. */
		{ "10.0.0.000000000000000000000000000000000"
		  "00000000000000000000000000000000/8",
		  "10.0.0.000000000000000000000000000000000"
		  "000000000000000000000000...: leading zero in an IPv4 "
		  "address (octal or decimal?)" },
	};
	char yaml[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(yaml, sizeof(yaml),
			 "version: 1\n"
			 "sources:\n"
			 "  d:\n"
			 "    action: block\n"
			 "    prefixes: [%s]\n",
			 cases[i].prefix);
		assert_load_error(yaml, 5, 16, cases[i].message);
	}
}

static void
test_error_duplicate_prefixes(void **state)
{
	(void)state;
	assert_load_error("version: 1\n"
			  "sources:\n"
			  "  dynamic:\n"
			  "    action: block\n"
			  "    prefixes: [198.18.0.0/16]\n"
			  "  static:\n"
			  "    action: allow\n"
			  "    prefixes: [198.18.20.0/24, 198.18.0.0/16]\n",
			  8, 32,
			  "duplicate prefix 198.18.0.0/16: already in class "
			  "'dynamic' at t.yaml:5:16");
	assert_load_error("version: 1\n"
			  "sources:\n"
			  "  d:\n"
			  "    action: block\n"
			  "    prefixes: [10.0.0.0/8, 10.0.0.0/8]\n",
			  5, 28,
			  "duplicate prefix 10.0.0.0/8: already in class 'd' "
			  "at t.yaml:5:16");
	/* Compared as numbers: another spelling is the same prefix. */
	assert_load_error("version: 1\n"
			  "destinations:\n"
			  "  a:\n"
			  "    prefixes: [2001:db8::25/128]\n"
			  "  b:\n"
			  "    prefixes: [2001:0db8:0:0::25]\n",
			  6, 16,
			  "duplicate prefix 2001:db8::25/128: already in group "
			  "'a' at t.yaml:4:16");
}

static void
test_error_duplicate_reports_first_repeat(void **state)
{
	(void)state;
	/* Two repeats: 10/8 sorts first, but 11/8 comes first in the file. */
	assert_load_error("version: 1\n"
			  "sources:\n"
			  "  a: {action: block, prefixes: [10.0.0.0/8]}\n"
			  "  b: {action: block, prefixes: [11.0.0.0/8]}\n"
			  "  c: {action: block, prefixes: [11.0.0.0/8, "
			  "10.0.0.0/8]}\n",
			  5, 33,
			  "duplicate prefix 11.0.0.0/8: already in class 'b' "
			  "at t.yaml:4:33");
	/* Three times: the second one is the error, naming the first. */
	assert_load_error("version: 1\n"
			  "sources:\n"
			  "  a: {action: block, prefixes: [10.0.0.0/8]}\n"
			  "  b: {action: block, prefixes: [10.0.0.0/8]}\n"
			  "  c: {action: block, prefixes: [10.0.0.0/8]}\n",
			  4, 33,
			  "duplicate prefix 10.0.0.0/8: already in class 'a' "
			  "at t.yaml:3:33");
}

static void
test_same_prefix_source_and_destination(void **state)
{
	/* Different tables: once among sources and once among
	 * destinations is fine. */
	struct op25b_policy *policy =
		load_text("version: 1\n"
			  "sources:\n"
			  "  d: {action: block, prefixes: [192.0.2.0/24]}\n"
			  "destinations:\n"
			  "  g: {action: allow, prefixes: [192.0.2.0/24]}\n");

	(void)state;
	assert_int_equal(policy->classes[0].prefixes.count, 1);
	assert_int_equal(policy->groups[0].prefixes.count, 1);
	op25b_policy_free(policy);
}

/* ---- errors: ports ---------------------------------------------------- */

static void
test_error_ports(void **state)
{
	static const char *const bad[] = { "0",	  "65536", "25x", "-1",
					   "2.5", "025",   "\"\"" };
	char yaml[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char message[128];

		snprintf(yaml, sizeof(yaml),
			 "version: 1\nports: {smtp: [%s]}\n", bad[i]);
		snprintf(message, sizeof(message),
			 "bad port '%s' in ports.smtp: expected an integer "
			 "1..65535",
			 strcmp(bad[i], "\"\"") == 0 ? "" : bad[i]);
		assert_load_error(yaml, 2, 16, message);
	}
}

static void
test_error_too_many_ports(void **state)
{
	char yaml[1024], message[64];
	size_t used;
	unsigned int i;
	char *last;

	(void)state;
	used = (size_t)snprintf(yaml, sizeof(yaml),
				"version: 1\nports:\n  smtp: [");
	for (i = 1; i <= OP25B_POLICY_MAX_PORTS + 1; i++)
		used += (size_t)snprintf(yaml + used, sizeof(yaml) - used,
					 "%s%u", i > 1 ? ", " : "", 1000 + i);
	snprintf(yaml + used, sizeof(yaml) - used, "]\n");
	last = strstr(yaml, "1065");
	assert_non_null(last);
	snprintf(message, sizeof(message),
		 "too many ports in ports.smtp (at most %d)",
		 OP25B_POLICY_MAX_PORTS);
	assert_load_error(yaml, 3,
			  (unsigned int)(last - strstr(yaml, "  smtp")) + 1,
			  message);
}

/* ---- prefixes_file ---------------------------------------------------- */

/* A UTF-8 byte order mark before the first prefix (a Windows editor's,
 * as CRLF): no part of it, columns counted after it. It was "???198..."
 * and refused. */
static void
test_prefixes_file_bom(void **state)
{
	struct op25b_policy_error error;
	struct op25b_policy *policy;
	char *pools_path, *policy_path;

	(void)state;
	pools_path = write_tmp_string("bom.txt", "\xef\xbb\xbf"
						 "198.18.0.0/16\r\n"
						 "198.19.0.0/17\r\n");
	policy_path = write_tmp_string("bom.yaml",
				       "version: 1\n"
				       "sources:\n"
				       "  dynamic:\n"
				       "    action: block\n"
				       "    prefixes_file: bom.txt\n");
	policy = op25b_policy_load(policy_path, &error);
	assert_non_null(policy);
	assert_int_equal(policy->classes[0].prefixes.count, 2);
	expect_prefix_at(&policy->classes[0].prefixes.prefixes[0],
			 "198.18.0.0/16", 1, 1);
	op25b_policy_free(policy);
	free(pools_path);
	free(policy_path);
}

static void
test_prefixes_file_good(void **state)
{
	static const char pools[] = "# dynamic pools\n"
				    "198.18.0.0/16\n"
				    "  198.19.0.0/17   # trailing comment\n"
				    "\n"
				    "2001:db8:1000::/36\r\n"
				    "\t10.0.0.0/8\n"
				    "   \t \n"
				    "#10.1.0.0/16\n"
				    "203.0.113.0/24";
	struct op25b_policy_error error;
	struct op25b_policy *policy;
	const struct op25b_prefix *p;
	char *pools_path, *policy_path;

	(void)state;
	pools_path = write_tmp_string("pools.txt", pools);
	policy_path = write_tmp_string("policy.yaml",
				       "version: 1\n"
				       "sources:\n"
				       "  dynamic:\n"
				       "    action: block\n"
				       "    prefixes: [192.0.2.0/24]\n"
				       "    prefixes_file: pools.txt\n");
	/* Relative to the policy's directory, not to the cwd. */
	policy = op25b_policy_load(policy_path, &error);
	assert_non_null(policy);
	assert_int_equal(policy->classes[0].prefixes.count, 6);
	p = policy->classes[0].prefixes.prefixes;
	expect_prefix_at(&p[0], "192.0.2.0/24", 5, 16);
	assert_string_equal(p[0].file, policy_path);

	expect_prefix_at(&p[1], "198.18.0.0/16", 2, 1);
	assert_string_equal(p[1].file, pools_path);
	expect_prefix_at(&p[2], "198.19.0.0/17", 3, 3);
	expect_prefix_at(&p[3], "2001:db8:1000::/36", 5, 1);
	expect_prefix_at(&p[4], "10.0.0.0/8", 6, 2);
	expect_prefix_at(&p[5], "203.0.113.0/24", 9, 1);
	assert_int_equal(policy->n_warnings, 0);
	op25b_policy_free(policy);
	free(pools_path);
	free(policy_path);
}

/* op25b_prefix_list_load(): a prefixes file on its own (op25b-gen's
 * pool lists), read by the policy's parser with its errors. */
static void
test_prefix_list_load(void **state)
{
	struct op25b_policy_error error;
	struct op25b_prefix_list list;
	char *path;

	(void)state;
	path = write_tmp_string("list.txt", "# pools\n198.18.0.0/16\n"
					    "  2001:db8::/32 # v6\n\n"
					    "198.19.0.1\n");
	assert_int_equal(op25b_prefix_list_load(path, &list, &error), 0);
	assert_int_equal(list.count, 3);
	assert_prefix_text(&list.prefixes[0], "198.18.0.0/16");
	assert_prefix_text(&list.prefixes[1], "2001:db8::/32");
	assert_string_equal(list.prefixes[1].file, path);
	assert_int_equal(list.prefixes[1].line, 3);
	assert_int_equal(list.prefixes[1].column, 3);
	assert_prefix_text(&list.prefixes[2], "198.19.0.1/32");
	op25b_prefix_list_free(&list);
	assert_null(list.prefixes);
	assert_int_equal(list.count, 0);
	free(path);

	/* One bad line and nothing is kept. */
	path = write_tmp_string("list.txt", "198.18.0.0/16\n10.1.2.3/8\n");
	assert_int_equal(op25b_prefix_list_load(path, &list, &error), -EINVAL);
	assert_null(list.prefixes);
	assert_int_equal(list.count, 0);
	assert_string_equal(error.file, path);
	assert_int_equal(error.line, 2);
	assert_int_equal(error.column, 1);
	assert_string_equal(error.message,
			    "10.1.2.3/8: host bits set (did you mean "
			    "10.0.0.0/8?)");
	assert_int_equal(op25b_prefix_list_load(path, &list, NULL), -EINVAL);
	free(path);

	path = tmp_path("no-such-list.txt");
	assert_int_equal(op25b_prefix_list_load(path, &list, &error), -ENOENT);
	assert_null(list.prefixes);
	assert_int_equal(error.line, 0);
	assert_string_equal(error.message, strerror(ENOENT));
	assert_int_equal(op25b_prefix_list_load(tmp_dir, &list, &error),
			 -EISDIR);
	free(path);
	op25b_prefix_list_free(NULL);
}

/* Load a policy in the temporary directory whose class takes
 * prefixes_file: pools.txt holding @p pools; expect an error. */
static void
load_with_pools(const char *pools, struct op25b_policy_error *error)
{
	char *pools_path = write_tmp_string("pools.txt", pools);
	char *policy_path = write_tmp_string("policy.yaml",
					     "version: 1\n"
					     "sources:\n"
					     "  dynamic:\n"
					     "    action: block\n"
					     "    prefixes: [198.18.0.0/16]\n"
					     "    prefixes_file: pools.txt\n");

	errno = 0;
	assert_null(op25b_policy_load(policy_path, error));
	assert_int_equal(errno, EINVAL);
	free(pools_path);
	free(policy_path);
}

/* load_with_pools() and the error it must give: in pools.txt, at
 * @p line:@p column, @p message. */
static void
expect_pools_error(const char *pools, unsigned int line, unsigned int column,
		   const char *message)
{
	struct op25b_policy_error error;
	char *pools_path = tmp_path("pools.txt");

	load_with_pools(pools, &error);
	assert_string_equal(error.file, pools_path);
	assert_int_equal(error.line, line);
	assert_int_equal(error.column, column);
	assert_string_equal(error.message, message);
	free(pools_path);
}

static void
test_prefixes_file_bad_line(void **state)
{
	(void)state;
	expect_pools_error("# pools\n198.19.0.0/16\n  10.1.2.3/8\n", 3, 3,
			   "10.1.2.3/8: host bits set (did you mean "
			   "10.0.0.0/8?)");
	expect_pools_error("198.19.0.0/16 198.20.0.0/16\n", 1, 15,
			   "unexpected text after the prefix (one prefix a "
			   "line)");
	expect_pools_error("\n\n2001:db8::/129 # too long\n", 3, 1,
			   "2001:db8::/129: prefix length above 128");
}

/* The policy at @p policy_path refused (EINVAL) with @p message at
 * @p file:@p line:@p column. */
static void
expect_refused_at(const char *policy_path, const char *file, unsigned int line,
		  unsigned int column, const char *message)
{
	struct op25b_policy_error error;

	errno = 0;
	assert_null(op25b_policy_load(policy_path, &error));
	assert_int_equal(errno, EINVAL);
	assert_string_equal(error.file, file);
	assert_int_equal(error.line, line);
	assert_int_equal(error.column, column);
	assert_string_equal(error.message, message);
}

/* A NUL in a line (a corrupt or binary file) is refused where it is,
 * not read as the end of the address before it. */
static void
test_prefixes_file_nul(void **state)
{
	static const char pools[] = "198.19.0.0/16\n2001:db8:1::\0garbage\n";
	char *pools_path = write_tmp("pools.txt", pools, sizeof(pools) - 1);
	char *policy_path = write_tmp_string("policy.yaml",
					     "version: 1\n"
					     "sources:\n"
					     "  dynamic:\n"
					     "    action: block\n"
					     "    prefixes_file: pools.txt\n");

	(void)state;
	expect_refused_at(policy_path, pools_path, 2, 1,
			  "2001:db8:1::?garbage: not an IPv4 or IPv6 address");
	free(pools_path);
	free(policy_path);
}

/* The first token is judged first: a bad prefix at its column, not
 * "text after the prefix" at the second word. */
static void
test_prefixes_file_first_token(void **state)
{
	(void)state;
	expect_pools_error("foo bar\n", 1, 1,
			   "foo: not an IPv4 or IPv6 address");
}

static void
test_prefixes_file_long_line(void **state)
{
	char *garbage;
	size_t i;

	(void)state;
	/* A 300,000-byte line of junk words: the first, quoted short. */
	garbage = malloc(300001);
	assert_non_null(garbage);
	for (i = 0; i < 300000; i++)
		garbage[i] = i % 100 == 99 ? ' ' : 'g';
	garbage[300000] = '\0';
	expect_pools_error(garbage, 1, 1,
			   "gggggggggggggggggggggggggggggggggggggggggggggggg"
			   "gggggggggggggggg...: not an IPv4 or IPv6 address");
	free(garbage);
}

static void
test_prefixes_file_comma(void **state)
{
	(void)state;
	expect_pools_error("198.18.0.0/16,198.19.0.0/16\n", 1, 14,
			   "one prefix a line (found ',')");
}

static void
test_prefixes_file_duplicate(void **state)
{
	char *policy_path = tmp_path("policy.yaml");
	char message[512];

	(void)state;
	/* The YAML has 198.18.0.0/16 already; the file repeats it. */
	snprintf(message, sizeof(message),
		 "duplicate prefix 198.18.0.0/16: already in class 'dynamic' "
		 "at %s:5:16",
		 policy_path);
	expect_pools_error("198.19.0.0/16\n198.18.0.0/16\n", 2, 1, message);
	free(policy_path);
}

/* One prefixes_file named by two classes (or two groups) is refused at the
 * second, without reading it again (its prefixes could only be duplicates
 * there); a class and a group may share one, and an empty one adds nothing
 * wherever it is named. The same file by another name is the same file. */
static void
test_prefixes_file_shared(void **state)
{
	static const struct {
		const char *yaml;
		unsigned int line, column;
		const char *message;
	} refused[] = {
		{ "version: 1\n"
		  "sources:\n"
		  "  a:\n"
		  "    action: block\n"
		  "    prefixes_file: shared.txt\n"
		  "  b:\n"
		  "    action: count\n"
		  "    prefixes_file: ./shared.txt\n",
		  8, 20,
		  "prefixes_file ./shared.txt is already the list of class "
		  "'a' (line 5): a prefix may be in one class only" },
		{ "version: 1\n"
		  "destinations:\n"
		  "  x: {prefixes_file: shared.txt}\n"
		  "  y: {prefixes_file: shared.txt}\n",
		  4, 22,
		  "prefixes_file shared.txt is already the list of group "
		  "'x' (line 3): a prefix may be in one group only" },
	};
	struct op25b_policy_error error;
	struct op25b_policy *policy;
	char *shared, *empty, *policy_path;
	size_t i;

	(void)state;
	shared = write_tmp_string("shared.txt",
				  "198.18.0.0/16\n198.19.0.0/16\n");
	empty = write_tmp_string("empty.txt", "# nothing yet\n");

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		policy_path = write_tmp_string("policy.yaml", refused[i].yaml);
		expect_refused_at(policy_path, policy_path, refused[i].line,
				  refused[i].column, refused[i].message);
		free(policy_path);
	}

	policy_path = write_tmp_string("policy.yaml",
				       "version: 1\n"
				       "sources:\n"
				       "  a: {action: block, prefixes_file: "
				       "shared.txt}\n"
				       "  b: {action: count, prefixes_file: "
				       "empty.txt}\n"
				       "  c: {action: allow, prefixes_file: "
				       "empty.txt}\n"
				       "destinations:\n"
				       "  x: {prefixes_file: shared.txt}\n");
	policy = op25b_policy_load(policy_path, &error);
	assert_non_null(policy);
	assert_int_equal(policy->classes[0].prefixes.count, 2);
	assert_int_equal(policy->classes[1].prefixes.count, 0);
	assert_int_equal(policy->classes[2].prefixes.count, 0);
	assert_int_equal(policy->groups[0].prefixes.count, 2);
	expect_prefix_at(&policy->groups[0].prefixes.prefixes[1],
			 "198.19.0.0/16", 2, 1);
	op25b_policy_free(policy);
	free(policy_path);
	free(shared);
	free(empty);
}

static void
test_prefixes_file_unreadable(void **state)
{
	struct op25b_policy_error error;
	char *policy_path, *dir_policy, *missing;
	char message[512];

	(void)state;
	policy_path = write_tmp_string("policy.yaml",
				       "version: 1\n"
				       "sources:\n"
				       "  dynamic:\n"
				       "    action: block\n"
				       "    prefixes: [198.18.0.0/16]\n"
				       "    prefixes_file: missing.txt\n");
	missing = tmp_path("missing.txt");
	errno = 0;
	assert_null(op25b_policy_load(policy_path, &error));
	assert_int_equal(errno, ENOENT);
	assert_string_equal(error.file, policy_path);
	assert_int_equal(error.line, 6);
	assert_int_equal(error.column, 20);
	snprintf(message, sizeof(message),
		 "cannot read prefixes_file %s: No such file or directory",
		 missing);
	assert_string_equal(error.message, message);

	/* A directory opens, then fails to read: EISDIR either way. */
	dir_policy = write_tmp_string("dir.yaml", "version: 1\n"
						  "destinations:\n"
						  "  g: {prefixes_file: /}\n");
	errno = 0;
	assert_null(op25b_policy_load(dir_policy, &error));
	assert_int_equal(errno, EISDIR);
	assert_int_equal(error.line, 3);
	assert_int_equal(error.column, 22);
	assert_string_equal(error.message,
			    "cannot read prefixes_file /: Is a directory");
	/* A FIFO (no writer: a blocking open would wait for one, a reload
	 * on the control loop with it) is refused at once, as a device. */
	{
		char fifo[1024], *fifo_policy;

		snprintf(fifo, sizeof(fifo), "%s/pool.fifo", tmp_dir);
		unlink(fifo);
		assert_int_equal(mkfifo(fifo, 0600), 0);
		fifo_policy = write_tmp_string(
			"fifo.yaml", "version: 1\n"
				     "destinations:\n"
				     "  g: {prefixes_file: pool.fifo}\n");
		errno = 0;
		assert_null(op25b_policy_load(fifo_policy, &error));
		assert_int_equal(errno, EINVAL);
		assert_int_equal(error.line, 3);
		assert_non_null(strstr(error.message,
				       "pool.fifo: not a regular "
				       "file"));
		errno = 0;
		assert_null(op25b_policy_load(fifo, &error));
		assert_string_equal(error.message,
				    "cannot read: not a regular file");
		assert_null(op25b_policy_load("/dev/zero", &error));
		assert_string_equal(error.message,
				    "cannot read: not a regular file");
		/* Judged without being opened: a writer waiting in the
		 * FIFO's open stays waiting (opening it for reading let
		 * the writer through, as opening a device is its driver's
		 * open: /dev/watchdog armed). */
		{
			pid_t writer = fork();
			int status, rd;

			assert_true(writer >= 0);
			if (writer == 0) {
				int wr = open(fifo, O_WRONLY);

				_exit(wr >= 0 ? 0 : 1);
			}
			usleep(100 * 1000); /* the writer in its open */
			assert_null(op25b_policy_load(fifo_policy, &error));
			usleep(100 * 1000);
			assert_int_equal(waitpid(writer, &status, WNOHANG), 0);
			rd = open(fifo, O_RDONLY); /* lets it through */
			assert_true(rd >= 0);
			assert_int_equal(waitpid(writer, &status, 0), writer);
			close(rd);
		}
		unlink(fifo);
		free(fifo_policy);
	}
	/* A control byte in a prefixes_file's name is shown as '?' in what
	 * the messages give (a newline forged a log line), the file itself
	 * read by its real name. */
	{
		char odd[1024], want[1100], *odd_policy;
		FILE *f;

		snprintf(odd, sizeof(odd), "%s/pool\nop25b: forged\033[2J",
			 tmp_dir);
		f = fopen(odd, "w");
		assert_non_null(f);
		fputs("198.18.0.0/24\nbogus\n", f);
		fclose(f);
		odd_policy = write_tmp_string(
			"odd.yaml", "version: 1\n"
				    "destinations:\n"
				    "  g: {prefixes_file: \"pool\\nop25b: "
				    "forged\\e[2J\"}\n");
		assert_null(op25b_policy_load(odd_policy, &error));
		snprintf(want, sizeof(want), "%s/pool?op25b: forged?[2J",
			 tmp_dir);
		assert_string_equal(error.file, want);
		assert_int_equal(error.line, 2);
		unlink(odd);
		free(odd_policy);
	}
	free(policy_path);
	free(dir_policy);
	free(missing);
}

/*
 * A file past the limit (256 MB) is refused by its size, before anything
 * is read or allocated: a prefixes_file or policy of 64 GB (sparse) was
 * read 2 GB at a time into a buffer of its size first (on a reload, the
 * control lcore's memory), or refused as "Cannot allocate memory". One
 * byte past the limit is refused too; the limit itself is not (below,
 * test_prefixes_file_large reads a large one).
 */
static void
test_file_too_large(void **state)
{
	static const off_t sizes[] = { (256 << 20) + 1, (off_t)64 << 30 };
	struct op25b_policy_error error;
	char *pools, *policy_path, *big_policy;
	char message[1024];
	unsigned int i;

	(void)state;
	pools = tmp_path("huge.txt");
	big_policy = tmp_path("huge.yaml");
	policy_path = write_tmp_string("huge-pools.yaml",
				       "version: 1\n"
				       "sources:\n"
				       "  dynamic:\n"
				       "    action: block\n"
				       "    prefixes_file: huge.txt\n");
	for (i = 0; i < 2; i++) {
		struct rusage before, after;

		free(write_tmp("huge.txt", "", 0));
		assert_int_equal(truncate(pools, sizes[i]), 0);
		errno = 0;
		assert_int_equal(getrusage(RUSAGE_SELF, &before), 0);
		assert_null(op25b_policy_load(policy_path, &error));
		/* Refused by its size: nothing read. Read first, the peak
		 * grew by 256 MB (2 GB for the 64 GB file where the
		 * allocation did not fail). */
		assert_int_equal(getrusage(RUSAGE_SELF, &after), 0);
		if (after.ru_maxrss - before.ru_maxrss > 64 * 1024)
			fail_msg(
				"refusing %lld bytes raised the peak by %ld KB",
				(long long)sizes[i],
				after.ru_maxrss - before.ru_maxrss);
		assert_int_equal(errno, EFBIG);
		assert_int_equal(error.line, 5);
		assert_int_equal(error.column, 20);
		snprintf(message, sizeof(message),
			 "cannot read prefixes_file %s: File too large", pools);
		assert_string_equal(error.message, message);

		assert_int_equal(rename(pools, big_policy), 0);
		errno = 0;
		assert_null(op25b_policy_load(big_policy, &error));
		assert_int_equal(errno, EFBIG);
		assert_string_equal(error.message,
				    "cannot read: File too large");
		unlink(big_policy);
	}
	free(pools);
	free(big_policy);
	free(policy_path);
}

/*
 * The hint for a scalar where a list is wanted is YAML that reads back:
 * pasted in place of the scalar, the policy loads (quoted where plain
 * would not read inside [...]: "::/0", a colon before the bracket; an
 * address without a length is a host's).
 */
static void
test_scalar_hint_loads(void **state)
{
	static const char *const scalars[] = { "::/0", "\"2001:db8::/32\"",
					       "\"2001:db8::\"", "10.0.0.0/8" };
	struct op25b_policy_error error;
	struct op25b_policy *p;
	char yaml[256], hint[128];
	const char *at, *end;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++) {
		snprintf(yaml, sizeof(yaml),
			 "version: 1\nsources:\n  d:\n    action: block\n"
			 "    prefixes: %s\n",
			 scalars[i]);
		assert_null(op25b_policy_load_buffer("t.yaml", yaml,
						     strlen(yaml), &error));
		at = strstr(error.message, "(write ");
		end = strrchr(error.message, ')');
		if (at == NULL || end == NULL || end < at + 7)
			fail_msg("%s: no hint in '%s'", scalars[i],
				 error.message);
		snprintf(hint, sizeof(hint), "%.*s", (int)(end - at - 7),
			 at + 7);
		snprintf(yaml, sizeof(yaml),
			 "version: 1\nsources:\n  d:\n    action: block\n"
			 "    prefixes: %s\n",
			 hint);
		p = op25b_policy_load_buffer("t.yaml", yaml, strlen(yaml),
					     &error);
		if (p == NULL)
			fail_msg("%s: the hint %s does not load: %s",
				 scalars[i], hint, error.message);
		op25b_policy_free(p);
	}
}

/*
 * At most 2,000,000 values: the one past them is refused where it stands,
 * before libyaml builds a tree of them all (about 160 bytes a value: a
 * file of 256 MB could take tens of GB). Exactly 2,000,000 load as far as
 * the schema, which refuses the key x.
 */
static void
test_values_max(void **state)
{
	/* The mapping, version, 1, x and the list: 5 values, then the
	 * list's. */
	const size_t n = 2000000 - 5;
	char *yaml = malloc(16 + 2 * n + 4), message[160];
	size_t i, o;

	(void)state;
	assert_non_null(yaml);
	o = (size_t)sprintf(yaml, "version: 1\nx: [");
	for (i = 0; i + 1 < n; i++) {
		yaml[o++] = '1';
		yaml[o++] = ',';
	}
	strcpy(yaml + o, "1]\n");
	assert_load_error(yaml, 2, 1,
			  "unknown key 'x' in the policy (expected: version, "
			  "mode, block, default, malformed, max_vlan_tags, "
			  "notice, notify_rate, ports, sources, destinations)");
	/* One more: the last, at column 5 + 2 * (n - 1) + 2. */
	strcpy(yaml + o, "1,1]\n");
	snprintf(message, sizeof(message),
		 "more than 2000000 values (scalars, lists, mappings) in the "
		 "policy: put a long prefix list in a prefixes_file");
	assert_load_error(yaml, 2, (uint32_t)(5 + 2 * n), message);
	free(yaml);
}

/*
 * A prefixes_file deep in folders (a path of 1,000 bytes and more; Linux
 * opens 4,096): its errors name the whole file, and "cannot read" keeps
 * its reason. Cut at 256 bytes, the file named a folder and the reason
 * was lost.
 */
static void
test_long_paths(void **state)
{
	struct op25b_policy_error error;
	char dir[2048], path[2200], message[2400], *yaml, *policy_path;
	unsigned int i;
	size_t n;
	FILE *f;

	(void)state;
	n = (size_t)snprintf(dir, sizeof(dir), "%s", tmp_dir);
	for (i = 0; i < 20; i++) {
		n += (size_t)snprintf(dir + n, sizeof(dir) - n, "/%050u", i);
		assert_true(mkdir(dir, 0700) == 0 || errno == EEXIST);
	}
	assert_true(n > 1000);
	snprintf(path, sizeof(path), "%s/pools.txt", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("10.0.0.1/8\n", f);
	fclose(f);
	assert_true(asprintf(&yaml,
			     "version: 1\n"
			     "sources:\n"
			     "  d: {action: block, prefixes_file: %s}\n",
			     path) > 0);
	policy_path = write_tmp_string("long.yaml", yaml);
	assert_null(op25b_policy_load(policy_path, &error));
	assert_string_equal(error.file, path);
	assert_int_equal(error.line, 1);
	assert_string_equal(error.message, "10.0.0.1/8: host bits set (did "
					   "you mean 10.0.0.0/8?)");
	unlink(path);
	assert_null(op25b_policy_load(policy_path, &error));
	assert_string_equal(error.file, policy_path);
	snprintf(message, sizeof(message),
		 "cannot read prefixes_file %s: No such file or directory",
		 path);
	assert_string_equal(error.message, message);
	/* The folders, deepest first (the group's teardown removes
	 * files). */
	for (i = 0; i < 20; i++) {
		assert_int_equal(rmdir(dir), 0);
		*strrchr(dir, '/') = '\0';
	}
	free(yaml);
	free(policy_path);
}

static void
test_prefixes_file_buffer_resolves_to_cwd(void **state)
{
	static const char yaml[] =
		"version: 1\n"
		"destinations:\n"
		"  g: {prefixes_file: op25b-no-such-pools.txt}\n";
	struct op25b_policy_error error;

	(void)state;
	errno = 0;
	assert_null(
		op25b_policy_load_buffer("t.yaml", yaml, strlen(yaml), &error));
	assert_int_equal(errno, ENOENT);
	assert_string_equal(error.message,
			    "cannot read prefixes_file "
			    "op25b-no-such-pools.txt: No such file or "
			    "directory");
	assert_int_equal(error.line, 3);
	assert_int_equal(error.column, 22);
}

static void
test_prefixes_file_large(void **state)
{
	/* The fast path: 200,000 lines of a generated pool list. */
	const unsigned int n = 200000;
	size_t size = (size_t)n * 24 + 64, used = 0;
	struct op25b_policy_error error;
	struct op25b_policy *policy;
	const struct op25b_prefix *p;
	char *text = malloc(size), *pools_path, *policy_path, *yaml;
	unsigned int i;

	(void)state;
	assert_non_null(text);
	used += (size_t)snprintf(text + used, size - used, "# generated\n");
	for (i = 0; i < n; i++) {
		if (i % 10 == 9)
			used += (size_t)snprintf(text + used, size - used,
						 "2001:db8:%x:%x::/64\n",
						 i >> 16, i & 0xffff);
		else
			used += (size_t)snprintf(
				text + used, size - used, "%u.%u.%u.0/24\n",
				10 + (i >> 16), (i >> 8) & 255, i & 255);
	}
	pools_path = write_tmp("big.txt", text, used);
	assert_true(asprintf(&yaml,
			     "version: 1\n"
			     "sources:\n"
			     "  pools: {action: block, prefixes_file: %s}\n",
			     pools_path) > 0);
	policy_path = write_tmp_string("big.yaml", yaml);
	policy = op25b_policy_load(policy_path, &error);
	assert_non_null(policy);
	assert_int_equal(policy->classes[0].prefixes.count, n);
	p = policy->classes[0].prefixes.prefixes;
	assert_prefix_text(&p[0], "10.0.0.0/24");
	assert_int_equal(p[0].line, 2);
	assert_prefix_text(&p[9], "2001:db8:0:9::/64");
	assert_prefix_text(&p[n - 1], "2001:db8:3:d3f::/64");
	assert_int_equal(p[n - 1].line, n + 1);
	assert_prefix_text(&p[n - 2], "13.13.62.0/24");
	op25b_policy_free(policy);
	free(text);
	free(yaml);
	free(pools_path);
	free(policy_path);
}

/* The sorted duplicate search against the obvious quadratic one, on random
 * lists dense enough that about half the rounds have repeats. */
enum {
	RANDOM_LISTS = 3,
	RANDOM_PER_LIST = 120
};

/* In load order (list by list), the first line that repeats an earlier
 * one, and that earlier one; line numbers count from 0 across the lists. */
static bool
naive_first_repeat(char (*text)[24], unsigned int n, unsigned int *later,
		   unsigned int *first)
{
	unsigned int k, e;

	for (k = 0; k < n; k++) {
		for (e = 0; e < k; e++) {
			if (strcmp(text[e], text[k]) == 0) {
				*later = k;
				*first = e;
				return true;
			}
		}
	}
	return false;
}

static void
test_duplicate_search_matches_naive(void **state)
{
	enum {
		N = RANDOM_LISTS * RANDOM_PER_LIST,
		ROUNDS = 40
	};
	static char text[N][24];
	struct op25b_policy_error error;
	unsigned int round, k, later, first, rounds_with_repeat = 0;
	char want_file[48], first_at[48];
	char *policy_path, *suffix;

	(void)state;
	srand(25);
	policy_path = write_tmp_string(
		"random.yaml", "version: 1\n"
			       "sources:\n"
			       "  a: {action: block, prefixes_file: r0.txt}\n"
			       "  b: {action: block, prefixes_file: r1.txt}\n"
			       "  c: {action: block, prefixes_file: r2.txt}\n");
	for (round = 0; round < ROUNDS; round++) {
		struct op25b_policy *policy;

		for (k = 0; k < N; k++) {
			/* 360 draws from 2 x 46,000: a repeat in about half
			 * the rounds (birthday bound). */
			unsigned int b = (unsigned int)rand() % 46000;

			if (rand() % 2 == 0)
				snprintf(text[k], sizeof(text[k]),
					 "10.%u.%u.0/24", b / 256, b % 256);
			else
				snprintf(text[k], sizeof(text[k]),
					 "2001:db8:%x::/48", b);
		}
		for (k = 0; k < RANDOM_LISTS; k++) {
			char body[RANDOM_PER_LIST * 24], name[48];
			size_t used = 0;
			unsigned int i;

			for (i = 0; i < RANDOM_PER_LIST; i++)
				used += (size_t)snprintf(
					body + used, sizeof(body) - used,
					"%s\n", text[k * RANDOM_PER_LIST + i]);
			snprintf(name, sizeof(name), "r%u.txt", k);
			free(write_tmp(name, body, used));
		}

		policy = op25b_policy_load(policy_path, &error);
		if (!naive_first_repeat(text, N, &later, &first)) {
			assert_non_null(policy);
			op25b_policy_free(policy);
			continue;
		}
		rounds_with_repeat++;
		assert_null(policy);
		snprintf(want_file, sizeof(want_file), "/r%u.txt",
			 later / RANDOM_PER_LIST);
		snprintf(first_at, sizeof(first_at), "/r%u.txt:%u:1",
			 first / RANDOM_PER_LIST, first % RANDOM_PER_LIST + 1);
		assert_non_null(strstr(error.file, want_file));
		assert_int_equal(error.line, later % RANDOM_PER_LIST + 1);
		assert_int_equal(error.column, 1);
		suffix = strstr(error.message, first_at);
		assert_non_null(suffix);
		assert_string_equal(suffix, first_at);
	}
	/* The generator must exercise both outcomes. */
	assert_true(rounds_with_repeat >= ROUNDS / 5);
	assert_true(rounds_with_repeat <= ROUNDS * 4 / 5);
	free(policy_path);
}

static void
test_load_unreadable_policy(void **state)
{
	struct op25b_policy_error error;

	(void)state;
	errno = 0;
	assert_null(op25b_policy_load("/nonexistent/op25b.yaml", &error));
	assert_int_equal(errno, ENOENT);
	assert_string_equal(error.file, "/nonexistent/op25b.yaml");
	assert_int_equal(error.line, 0);
	assert_int_equal(error.column, 0);
	assert_string_equal(error.message,
			    "cannot read: No such file or directory");

	errno = 0;
	assert_null(op25b_policy_load(tmp_dir, &error));
	assert_int_equal(errno, EISDIR);
	assert_string_equal(error.message, "cannot read: Is a directory");
	/* And the error argument is optional. */
	assert_null(op25b_policy_load("/nonexistent/op25b.yaml", NULL));
	assert_null(op25b_policy_load_buffer("t.yaml", "version: 9", 10, NULL));
	assert_int_equal(errno, EINVAL);
}

/* ---- warnings --------------------------------------------------------- */

static void
test_warnings(void **state)
{
	struct op25b_policy *policy = load_text(
		"version: 1\n"
		"sources:\n"
		"  empty:\n"
		"    action: block\n"
		"  hosting:\n"
		"    action: adaptive\n"
		"    limit: {connections: 10, per: 60s, block_for: 1h}\n"
		"    prefixes: [198.19.0.0/17]\n"
		"destinations:\n"
		"  nothing:\n"
		"    action: allow\n");

	(void)state;
	assert_int_equal(policy->n_warnings, 2);
	assert_string_equal(policy->warnings[0],
			    "t.yaml:3:3: warning: class 'empty' has no "
			    "prefixes: it matches no source");
	assert_string_equal(policy->warnings[1],
			    "t.yaml:10:3: warning: group 'nothing' has no "
			    "prefixes: it matches no destination");
	op25b_policy_free(policy);
}

/* An IPv4-mapped IPv6 prefix never matches an IPv4 packet: a warning at
 * the first of a class's or group's, from a prefixes_file too, naming
 * the IPv4 prefix meant and whether there are more; a prefix that only
 * covers the mapped range (::/64) or stops short of it is none. */
static void
test_warning_ipv4_mapped(void **state)
{
	struct op25b_policy_error error;
	struct op25b_policy *policy;
	char *pools_path, *policy_path, *want;

	(void)state;
	policy = load_text(
		"version: 1\n"
		"sources:\n"
		"  dyn:\n"
		"    action: block\n"
		"    prefixes: [198.18.0.0/15, '::/64', '::fffe:0:0/95',\n"
		"      '::ffff:198.51.100.0/120', '::ffff:10.0.0.0/104',\n"
		"      '::ffff:10.1.0.0/112']\n"
		"destinations:\n"
		"  relays:\n"
		"    action: allow\n"
		"    prefixes: ['::ffff:192.0.2.25/128']\n");
	assert_int_equal(policy->n_warnings, 2);
	assert_string_equal(
		policy->warnings[0],
		"t.yaml:6:7: warning: ::ffff:198.51.100.0/120 in class 'dyn' "
		"is an IPv4-mapped IPv6 prefix (and 2 more in it): it never "
		"matches an IPv4 packet, only IPv6 ones with such addresses, "
		"which networks do not forward (RFC 6890); for IPv4 write "
		"198.51.100.0/24");
	assert_string_equal(
		policy->warnings[1],
		"t.yaml:11:16: warning: ::ffff:192.0.2.25/128 in group "
		"'relays' is an IPv4-mapped IPv6 prefix: it never matches an "
		"IPv4 packet, only IPv6 ones with such addresses, which "
		"networks do not forward (RFC 6890); for IPv4 write "
		"192.0.2.25/32");
	op25b_policy_free(policy);

	pools_path = write_tmp_string("mapped.txt",
				      "198.18.0.0/16\n"
				      "::ffff:0:0/96\n"
				      "  ::ffff:203.0.113.0/120\n");
	policy_path = write_tmp_string("mapped.yaml",
				       "version: 1\n"
				       "sources:\n"
				       "  dyn:\n"
				       "    action: block\n"
				       "    prefixes_file: mapped.txt\n");
	policy = op25b_policy_load(policy_path, &error);
	assert_non_null(policy);
	assert_int_equal(policy->n_warnings, 1);
	assert_true(
		asprintf(&want,
			 "%s:2:1: warning: ::ffff:0.0.0.0/96 in class 'dyn' "
			 "is an IPv4-mapped IPv6 prefix (and 1 more in "
			 "it): it never matches an IPv4 packet, only IPv6 "
			 "ones with such addresses, which networks do not "
			 "forward (RFC 6890); for IPv4 write 0.0.0.0/0 "
			 "(every IPv4 address)",
			 pools_path) > 0);
	assert_string_equal(policy->warnings[0], want);
	free(want);
	op25b_policy_free(policy);
	free(pools_path);
	free(policy_path);
}

static void
test_warning_no_smtp_ports(void **state)
{
	struct op25b_policy *policy = load_text("version: 1\n"
						"ports: {smtp: []}\n");

	(void)state;
	assert_int_equal(policy->n_smtp_ports, 0);
	assert_int_equal(policy->n_submission_ports, 2);
	assert_int_equal(policy->n_warnings, 1);
	assert_string_equal(policy->warnings[0],
			    "t.yaml:2:15: warning: no smtp ports: the policy "
			    "applies to no traffic");
	assert_int_equal(op25b_policy_port_kind(policy, 25), OP25B_PORT_OTHER);
	op25b_policy_free(policy);
}

/* ---- precedence ------------------------------------------------------- */

static const char precedence_yaml[] = "version: 1\n"
				      "default: count\n"
				      "sources:\n"
				      "  dyn:\n"
				      "    action: block\n"
				      "    to: {mob: allow, relay: count}\n"
				      "    prefixes: [10.0.0.0/8]\n"
				      "  stat:\n"
				      "    action: allow\n"
				      "    prefixes: [10.1.0.0/16]\n"
				      "destinations:\n"
				      "  relay:\n"
				      "    action: block\n"
				      "    prefixes: [192.0.2.0/24]\n"
				      "  mob:\n"
				      "    prefixes: [198.51.100.0/24]\n"
				      "  plain:\n"
				      "    prefixes: [203.0.113.0/24]\n";

/* What op25b_policy_decide() gives for a class and a group, by name (NULL:
 * none), and the rule that decides. */
struct decision {
	const char *class, *group;
	enum op25b_action action;
	enum op25b_rule rule;
};

static void
expect_decisions(const struct op25b_policy *policy, const struct decision *d,
		 size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int class_id = d[i].class ? find_class(policy, d[i].class) : -1;
		int group_id = d[i].group ? find_group(policy, d[i].group) : -1;
		enum op25b_rule rule = (enum op25b_rule) - 1;

		/* A misspelt name must not pass as "none". */
		assert_true(d[i].class == NULL || class_id >= 0);
		assert_true(d[i].group == NULL || group_id >= 0);
		assert_int_equal(
			op25b_policy_decide(policy, class_id, group_id, &rule),
			d[i].action);
		assert_int_equal(rule, d[i].rule);
	}
}

static void
test_precedence(void **state)
{
	static const struct decision cases[] = {
		/* class.to beats everything, even a group with an action. */
		{ "dyn", "mob", OP25B_ACTION_ALLOW, OP25B_RULE_CLASS_TO },
		{ "dyn", "relay", OP25B_ACTION_COUNT, OP25B_RULE_CLASS_TO },
		/* group.action beats class.action and the default. */
		{ "stat", "relay", OP25B_ACTION_BLOCK, OP25B_RULE_GROUP },
		{ NULL, "relay", OP25B_ACTION_BLOCK, OP25B_RULE_GROUP },
		/* A group without action leaves it to the class. */
		{ "dyn", "plain", OP25B_ACTION_BLOCK, OP25B_RULE_CLASS },
		{ "stat", "mob", OP25B_ACTION_ALLOW, OP25B_RULE_CLASS },
		{ "dyn", NULL, OP25B_ACTION_BLOCK, OP25B_RULE_CLASS },
		/* No class, no group action: the default. */
		{ NULL, "mob", OP25B_ACTION_COUNT, OP25B_RULE_DEFAULT },
		{ NULL, NULL, OP25B_ACTION_COUNT, OP25B_RULE_DEFAULT },
	};
	struct op25b_policy *policy = load_text(precedence_yaml);

	(void)state;
	expect_decisions(policy, cases, sizeof(cases) / sizeof(cases[0]));
	/* rule may be NULL. */
	assert_int_equal(op25b_policy_decide(policy, find_class(policy, "dyn"),
					     -1, NULL),
			 OP25B_ACTION_BLOCK);
	op25b_policy_free(policy);
}

static void
test_precedence_default_policy(void **state)
{
	static const struct decision cases[] = {
		{ "dynamic", "isp-relays", OP25B_ACTION_ALLOW,
		  OP25B_RULE_GROUP },
		{ "dynamic", "mobile-mx", OP25B_ACTION_BLOCK,
		  OP25B_RULE_CLASS },
		{ "mobile-only", "mobile-mx", OP25B_ACTION_BLOCK,
		  OP25B_RULE_CLASS_TO },
		{ "mobile-only", NULL, OP25B_ACTION_ALLOW, OP25B_RULE_CLASS },
		{ "hosting", NULL, OP25B_ACTION_ADAPTIVE, OP25B_RULE_CLASS },
		{ NULL, NULL, OP25B_ACTION_ALLOW, OP25B_RULE_DEFAULT },
	};
	struct op25b_policy *policy = *state;

	expect_decisions(policy, cases, sizeof(cases) / sizeof(cases[0]));
}

/* ---- reference longest-prefix match ----------------------------------- */

/* One source address: the class the reference match gives it (NULL: none)
 * and, when given, the prefix that matched. */
struct source_case {
	const char *address;
	const char *class_name;
	const char *prefix;
};

static void
assert_sources(const struct op25b_policy *policy,
	       const struct source_case *cases, size_t n)
{
	const struct op25b_prefix *match;

	for (size_t i = 0; i < n; i++) {
		const struct source_case *c = &cases[i];

		assert_int_equal(
			source_of(policy, c->address, &match),
			c->class_name ? find_class(policy, c->class_name) : -1);
		if (c->class_name == NULL)
			assert_null(match);
		else if (c->prefix != NULL)
			assert_prefix_text(match, c->prefix);
	}
}

static void
test_match_longest_prefix_ipv4(void **state)
{
	/* The static /24 inside the dynamic /16. */
	static const struct source_case cases[] = {
		{ "198.18.20.5", "static", "198.18.20.0/24" },
		{ "198.18.21.5", "dynamic", "198.18.0.0/16" },
		{ "198.18.255.255", "dynamic", NULL },
		{ "198.19.127.255", "hosting", NULL },
		{ "198.19.128.0", "mobile-only", NULL },
		{ "198.17.255.255", NULL, NULL },
		{ "198.20.0.0", NULL, NULL },
	};

	assert_sources(*state, cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_match_longest_prefix_ipv6(void **state)
{
	/* The static /64 inside the dynamic /36. */
	static const struct source_case cases[] = {
		{ "2001:db8:1000:20::1", "static", "2001:db8:1000:20::/64" },
		{ "2001:db8:1000:21::1", "dynamic", "2001:db8:1000::/36" },
		{ "2001:db8:1fff:ffff::1", "dynamic", NULL },
		{ "2001:db8:2000::1", NULL, NULL },
		{ "2001:db8:fff:ffff::1", NULL, NULL },
	};

	assert_sources(*state, cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_match_families_apart(void **state)
{
	struct op25b_policy *policy = load_text(
		"version: 1\n"
		"sources:\n"
		"  all6: {action: block, prefixes: ['::/0']}\n"
		"  mapped: {action: allow, prefixes: ['::ffff:0:0/96']}\n"
		"destinations:\n"
		"  all4: {action: allow, prefixes: [0.0.0.0/0]}\n");
	const struct op25b_prefix *match;

	(void)state;
	/* An IPv4 address never matches an IPv6 prefix, even ::/0 or the
	 * v4-mapped range, and the other way round. */
	assert_int_equal(source_of(policy, "198.18.0.1", &match), -1);
	assert_null(match);
	assert_int_equal(source_of(policy, "0.0.0.0", NULL), -1);
	assert_int_equal(source_of(policy, "::ffff:198.18.0.1", &match), 1);
	assert_prefix_text(match, "::ffff:0.0.0.0/96");
	assert_int_equal(source_of(policy, "2001:db8::1", NULL), 0);
	assert_int_equal(destination_of(policy, "198.51.100.1", &match), 0);
	assert_prefix_text(match, "0.0.0.0/0");
	assert_int_equal(destination_of(policy, "2001:db8::1", &match), -1);
	assert_null(match);
	op25b_policy_free(policy);
}

static void
test_match_destination(void **state)
{
	struct op25b_policy *policy = *state;
	const struct op25b_prefix *match;

	assert_int_equal(destination_of(policy, "192.0.2.25", &match),
			 find_group(policy, "isp-relays"));
	assert_prefix_text(match, "192.0.2.25/32");
	assert_int_equal(destination_of(policy, "192.0.2.26", &match), -1);
	assert_int_equal(destination_of(policy, "2001:db8::25", &match),
			 find_group(policy, "isp-relays"));
	assert_int_equal(destination_of(policy, "198.51.100.200", &match),
			 find_group(policy, "mobile-mx"));
	assert_int_equal(match->line, 31);
	assert_int_equal(match->column, 16);
}

/* ---- small parsers and names ------------------------------------------ */

static void
test_prefix_parse_good(void **state)
{
	static const struct {
		const char *text;
		int family;
		unsigned int length;
		const char *canonical;
	} cases[] = {
		{ "10.0.0.0/8", AF_INET, 8, "10.0.0.0/8" },
		{ "192.0.2.25", AF_INET, 32, "192.0.2.25/32" },
		{ "0.0.0.0/0", AF_INET, 0, "0.0.0.0/0" },
		{ "255.255.255.255/32", AF_INET, 32, "255.255.255.255/32" },
		{ "198.18.128.0/17", AF_INET, 17, "198.18.128.0/17" },
		{ "0.0.0.0", AF_INET, 32, "0.0.0.0/32" },
		{ "2001:db8::/32", AF_INET6, 32, "2001:db8::/32" },
		{ "::/0", AF_INET6, 0, "::/0" },
		{ "::1", AF_INET6, 128, "::1/128" },
		{ "2001:DB8:1000::/36", AF_INET6, 36, "2001:db8:1000::/36" },
		{ "2001:0db8:0000:0000:0000:0000:0000:0000/32", AF_INET6, 32,
		  "2001:db8::/32" },
		{ "::ffff:192.0.2.0/120", AF_INET6, 120,
		  "::ffff:192.0.2.0/120" },
	};
	struct op25b_prefix prefix;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *why = "untouched";

		assert_int_equal(
			op25b_prefix_parse(cases[i].text, &prefix, &why), 0);
		assert_string_equal(why, "untouched");
		assert_int_equal(prefix.family, cases[i].family);
		assert_int_equal(prefix.length, cases[i].length);
		assert_prefix_text(&prefix, cases[i].canonical);
	}
	assert_int_equal(op25b_prefix_parse("198.18.1.0/24", &prefix, NULL), 0);
	assert_memory_equal(prefix.addr, "\xc6\x12\x01\x00", 4);
}

static void
test_prefix_parse_rejects(void **state)
{
	static const struct {
		const char *text;
		const char *why;
	} cases[] = {
		{ "", "not an IPv4 or IPv6 address" },
		{ "10.0.0", "not an IPv4 or IPv6 address" },
		{ "10.0.0.0.0", "not an IPv4 or IPv6 address" },
		{ "256.0.0.0/8", "not an IPv4 or IPv6 address" },
		{ "1.2.3.4x", "not an IPv4 or IPv6 address" },
		{ " 10.0.0.0/8", "not an IPv4 or IPv6 address" },
		{ "10..0.0/8", "not an IPv4 or IPv6 address" },
		{ "fe80::1%eth0", "not an IPv4 or IPv6 address" },
		{ "::g", "not an IPv4 or IPv6 address" },
		{ "/8", "not an IPv4 or IPv6 address" },
		{ "010.1.1.1",
		  "leading zero in an IPv4 address (octal or decimal?)" },
		{ "10.01.1.1",
		  "leading zero in an IPv4 address (octal or decimal?)" },
		{ "10.0.0.0/33", "prefix length above 32" },
		{ "10.0.0.0/999", "prefix length above 32" },
		{ "2001:db8::/129", "prefix length above 128" },
		{ "10.0.0.0/", "bad prefix length" },
		{ "10.0.0.0/08", "bad prefix length" },
		{ "10.0.0.0/8 ", "bad prefix length" },
		{ "10.0.0.0/8x", "bad prefix length" },
		{ "10.0.0.0/-1", "bad prefix length" },
		{ "10.0.0.0/+8", "bad prefix length" },
		{ "10.0.0.0/1000", "bad prefix length" },
		{ "10.0.0.0/8/8", "bad prefix length" },
		{ "10.0.0.1/8", "host bits set" },
		{ "10.64.0.0/9", "host bits set" },
		{ "2001:db8::1/64", "host bits set" },
		{ "2001:db8:4000::/33", "host bits set" },
	};
	struct op25b_prefix prefix;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *why = NULL;

		assert_int_equal(
			op25b_prefix_parse(cases[i].text, &prefix, &why),
			-EINVAL);
		assert_non_null(why);
		assert_string_equal(why, cases[i].why);
	}
	assert_int_equal(op25b_prefix_parse("10.0.0.1/8", &prefix, NULL),
			 -EINVAL);
}

static void
test_prefix_format(void **state)
{
	struct op25b_prefix prefix;
	char buf[8];

	(void)state;
	assert_int_equal(op25b_prefix_parse("198.18.0.0/16", &prefix, NULL), 0);
	/* snprintf's contract: the length it needed, truncated output. */
	assert_int_equal(op25b_prefix_format(&prefix, buf, sizeof(buf)), 13);
	assert_string_equal(buf, "198.18.");
	prefix.family = 99;
	assert_int_equal(op25b_prefix_format(&prefix, buf, sizeof(buf)),
			 -EINVAL);
}

static void
test_duration_parse(void **state)
{
	static const struct {
		const char *text;
		uint32_t seconds;
	} good[] = {
		{ "90", 90 },
		{ "90s", 90 },
		{ "15m", 900 },
		{ "1h", 3600 },
		{ "2d", 172800 },
		{ "1", 1 },
		{ "4294967295", UINT32_MAX },
		{ "4294967295s", UINT32_MAX },
		{ "71582788m", 4294967280u },
		{ "49710d", 4294944000u },
	};
	static const char *const bad[] = {
		"0",
		"0s",
		"0d",
		"",
		"s",
		"1x",
		"1hh",
		"-1",
		"+1",
		" 1",
		"1 ",
		"1.5h",
		"1H",
		"4294967296",
		"71582789m",
		"49711d",
		"99999999999999999999999999",
		"1h30m",
		/* A leading zero, as in an integer: YAML 1.1 reads 060 as
		 * 48. */
		"007",
		"060s",
		"00",
	};
	uint32_t seconds;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		seconds = 0;
		assert_int_equal(op25b_duration_parse(good[i].text, &seconds),
				 0);
		assert_int_equal(seconds, good[i].seconds);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		seconds = 12345;
		assert_int_equal(op25b_duration_parse(bad[i], &seconds),
				 -EINVAL);
		assert_int_equal(seconds, 12345);
	}
}

static void
test_port_kinds(void **state)
{
	struct op25b_policy *policy = *state;
	struct op25b_policy *custom =
		load_text("version: 1\n"
			  "ports: {smtp: [25, 2525], submission: []}\n");

	assert_int_equal(op25b_policy_port_kind(policy, 25), OP25B_PORT_SMTP);
	assert_int_equal(op25b_policy_port_kind(policy, 587),
			 OP25B_PORT_SUBMISSION);
	assert_int_equal(op25b_policy_port_kind(policy, 465),
			 OP25B_PORT_SUBMISSION);
	assert_int_equal(op25b_policy_port_kind(policy, 80), OP25B_PORT_OTHER);
	assert_int_equal(op25b_policy_port_kind(policy, 0), OP25B_PORT_OTHER);
	assert_int_equal(op25b_policy_port_kind(policy, 2525),
			 OP25B_PORT_OTHER);
	assert_int_equal(op25b_policy_port_kind(custom, 2525), OP25B_PORT_SMTP);
	assert_int_equal(op25b_policy_port_kind(custom, 587), OP25B_PORT_OTHER);
	assert_int_equal(custom->n_submission_ports, 0);
	op25b_policy_free(custom);
}

/* The data paths' tables: by value (XDP) and as the two bytes lie in a
 * frame (the classifier's, no byte swap). */
static void
test_port_tables(void **state)
{
	struct op25b_policy *policy = *state;
	static uint8_t by_value[65536], wire[65536];
	const uint8_t smtp_in_frame[2] = { 0, 25 }, sub_in_frame[2] = { 2, 75 };
	uint16_t smtp_raw, sub_raw;
	unsigned int port, n_value = 0, n_wire = 0;

	memset(by_value, 0, sizeof(by_value));
	memset(wire, 0, sizeof(wire));
	op25b_policy_port_table(policy, by_value, false);
	op25b_policy_port_table(policy, wire, true);
	memcpy(&smtp_raw, smtp_in_frame, 2);
	memcpy(&sub_raw, sub_in_frame, 2); /* 587 */
	assert_int_equal(by_value[25], OP25B_PORT_SMTP);
	assert_int_equal(by_value[587], OP25B_PORT_SUBMISSION);
	assert_int_equal(wire[smtp_raw], OP25B_PORT_SMTP);
	assert_int_equal(wire[sub_raw], OP25B_PORT_SUBMISSION);
	/* The same ports, no other. */
	for (port = 0; port < 65536; port++) {
		const uint8_t bytes[2] = { (uint8_t)(port >> 8),
					   (uint8_t)port };
		uint16_t raw;

		n_value += by_value[port] != OP25B_PORT_OTHER;
		n_wire += wire[port] != OP25B_PORT_OTHER;
		memcpy(&raw, bytes, 2);
		assert_int_equal(wire[raw], by_value[port]);
	}
	assert_int_equal(n_value, 3); /* 25, 587, 465 */
	assert_int_equal(n_wire, 3);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(op25b_action_name(OP25B_ACTION_NONE), "none");
	assert_string_equal(op25b_action_name(OP25B_ACTION_ALLOW), "allow");
	assert_string_equal(op25b_action_name(OP25B_ACTION_BLOCK), "block");
	assert_string_equal(op25b_action_name(OP25B_ACTION_COUNT), "count");
	assert_string_equal(op25b_action_name(OP25B_ACTION_ADAPTIVE),
			    "adaptive");
	assert_string_equal(op25b_action_name((enum op25b_action)42), "none");
	assert_string_equal(op25b_rule_name(OP25B_RULE_CLASS_TO), "class.to");
	assert_string_equal(op25b_rule_name(OP25B_RULE_GROUP), "group.action");
	assert_string_equal(op25b_rule_name(OP25B_RULE_CLASS), "class.action");
	assert_string_equal(op25b_rule_name(OP25B_RULE_DEFAULT), "default");
}

static void
test_error_format(void **state)
{
	struct op25b_policy_error error = {
		.file = "a.yaml",
		.line = 3,
		.column = 7,
		.message = "boom",
	};
	char buf[64];

	(void)state;
	assert_int_equal(op25b_policy_error_format(&error, buf, sizeof(buf)),
			 strlen("a.yaml:3:7: boom"));
	assert_string_equal(buf, "a.yaml:3:7: boom");
	error.column = 0;
	op25b_policy_error_format(&error, buf, sizeof(buf));
	assert_string_equal(buf, "a.yaml:3: boom");
	error.line = 0;
	op25b_policy_error_format(&error, buf, sizeof(buf));
	assert_string_equal(buf, "a.yaml: boom");
	op25b_policy_free(NULL);
}

/* ---- main ------------------------------------------------------------- */

static int
setup_tmp_dir(void **state)
{
	(void)state;
	return mkdtemp(tmp_dir) != NULL ? 0 : -1;
}

static int
teardown_tmp_dir(void **state)
{
	DIR *dir = opendir(tmp_dir);
	struct dirent *entry;

	(void)state;
	if (dir == NULL)
		return -1;
	while ((entry = readdir(dir)) != NULL) {
		char *path;

		if (entry->d_name[0] == '.')
			continue;
		path = tmp_path(entry->d_name);
		unlink(path);
		free(path);
	}
	closedir(dir);
	return rmdir(tmp_dir);
}

/* ---- explain ---------------------------------------------------------- */

/* The JSON of an explanation (the caller's object around it, as the tools
 * write it). */
static char *
explanation_json(const struct op25b_explanation *x)
{
	struct op25b_json j;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	assert_non_null(out);
	op25b_json_init(&j, out, 0);
	op25b_json_object(&j, NULL);
	op25b_explanation_json(x, &j);
	op25b_json_close(&j);
	assert_int_equal(op25b_json_end(&j), 0);
	fclose(out);
	return text;
}

/* explain --json says where each match is written, as the text does
 * (issue 20.8), and null where there is no match. */
static void
test_explanation_json_locations(void **state)
{
	static const char yaml[] =
		"version: 1\n"
		"sources:\n"
		"  dynamic:\n"
		"    action: block\n"
		"    prefixes: [198.18.0.0/16]\n"
		"destinations:\n"
		"  relays: {action: allow, prefixes: [192.0.2.25/32]}\n";
	struct op25b_policy *p = load_text(yaml);
	struct op25b_prefix src, dst, other;
	struct op25b_explanation x;
	char text[1024];
	char *json;

	(void)state;
	assert_int_equal(op25b_prefix_parse("198.18.7.7", &src, NULL), 0);
	assert_int_equal(op25b_prefix_parse("192.0.2.25", &dst, NULL), 0);
	assert_int_equal(op25b_prefix_parse("203.0.113.9", &other, NULL), 0);

	op25b_policy_explain(p, &src, &dst, 25, &x);
	op25b_explanation_text(&x, text, sizeof(text));
	assert_non_null(strstr(text, "class dynamic (prefix 198.18.0.0/16, "
				     "t.yaml:5:16)"));
	assert_non_null(strstr(text, "group relays (prefix 192.0.2.25/32, "
				     "t.yaml:7:38)"));
	json = explanation_json(&x);
	assert_string_equal(
		json,
		"{\"src\":\"198.18.7.7\",\"dst\":\"192.0.2.25\",\"port\":25,"
		"\"port_kind\":\"smtp\",\"class\":\"dynamic\","
		"\"class_prefix\":\"198.18.0.0/16\",\"class_location\":"
		"{\"file\":\"t.yaml\",\"line\":5,\"column\":16},"
		"\"group\":\"relays\",\"group_prefix\":\"192.0.2.25/32\","
		"\"group_location\":{\"file\":\"t.yaml\",\"line\":7,"
		"\"column\":38},\"rule\":\"group.action\",\"action\":\"allow\","
		"\"verdict\":\"allow\",\"note\":\"forwarded\"}\n");
	free(json);

	op25b_policy_explain(p, &other, &other, 587, &x);
	json = explanation_json(&x);
	assert_string_equal(
		json,
		"{\"src\":\"203.0.113.9\",\"dst\":\"203.0.113.9\",\"port\":587,"
		"\"port_kind\":\"submission\",\"class\":null,"
		"\"class_prefix\":null,\"class_location\":null,\"group\":null,"
		"\"group_prefix\":null,\"group_location\":null,\"rule\":null,"
		"\"action\":null,\"verdict\":\"forward\",\"note\":"
		"\"submission ports are always forwarded\"}\n");
	free(json);
	op25b_policy_free(p);
}

/* The list is sized once from the file's newline count: lines of every
 * length from 1 to 19 bytes (newlines at every offset of the 8-byte count),
 * comments and blanks among them, no newline at the end; then inline
 * prefixes after the file, which must grow the exactly sized list. */
static void
test_prefixes_file_sized_once(void **state)
{
	char text[4096], inline_list[1024], *pools_path, *policy_path, *yaml;
	size_t used = 0, inl = 0;
	struct op25b_policy_error error;
	struct op25b_policy *policy;
	const struct op25b_prefix *p;
	unsigned int i, n = 0;

	(void)state;
	for (i = 0; i < 120; i++) {
		if (i % 7 == 3) /* a comment, 1 to 19 bytes with its newline */
			used += (size_t)snprintf(
				text + used, sizeof(text) - used, "#%.*s\n",
				(int)(i % 18), "xxxxxxxxxxxxxxxxxx");
		else if (i % 7 == 5)
			used += (size_t)snprintf(text + used,
						 sizeof(text) - used, "\n");
		else
			used += (size_t)snprintf(
				text + used, sizeof(text) - used,
				"%.*s198.18.%u.%u%s\n", (int)(i % 3), "  ",
				i / 4, (i % 4) * 64, i % 2 ? "/26" : "/32");
	}
	used += (size_t)snprintf(text + used, sizeof(text) - used,
				 "198.19.0.0/16");
	for (i = 0; i < 40; i++)
		inl += (size_t)snprintf(inline_list + inl,
					sizeof(inline_list) - inl,
					"%s2001:db8:%x::/48", i ? ", " : "", i);
	pools_path = write_tmp("sized.txt", text, used);
	assert_true(asprintf(&yaml,
			     "version: 1\n"
			     "sources:\n"
			     "  pools:\n"
			     "    action: block\n"
			     "    prefixes_file: %s\n"
			     "    prefixes: [%s]\n",
			     pools_path, inline_list) > 0);
	policy_path = write_tmp_string("sized.yaml", yaml);
	policy = op25b_policy_load(policy_path, &error);
	assert_non_null(policy);
	for (i = 0; i < 120; i++)
		n += i % 7 != 3 && i % 7 != 5;
	assert_int_equal(policy->classes[0].prefixes.count, n + 1 + 40);
	p = policy->classes[0].prefixes.prefixes;
	expect_prefix_at(&p[0], "198.18.0.0/32", 1, 1);
	expect_prefix_at(&p[1], "198.18.0.64/26", 2, 2);
	expect_prefix_at(&p[n - 1], "198.18.29.192/26", 120, 3);
	expect_prefix_at(&p[n], "198.19.0.0/16", 121, 1);
	assert_string_equal(p[n].file, pools_path);
	assert_prefix_text(&p[n + 1], "2001:db8::/48");
	assert_prefix_text(&p[n + 40], "2001:db8:27::/48");
	assert_string_equal(p[n + 40].file, policy_path);
	op25b_policy_free(policy);
	free(yaml);
	free(pools_path);
	free(policy_path);
}

/* A pool list's plain IPv4 lines take a one-pass path; an indented line
 * takes the general one. The two must agree on every line: the same prefix,
 * or the same error (one column further right when indented). */
static void
test_prefixes_file_plain_ipv4_path(void **state)
{
	/* Valid entries first (7 octets, 2 lengths that never leave host
	 * bits, 3 that may), then invalid ones. */
	static const char *const octets[] = {
		"0",  "0",  "7",   "10",  "99",	  "100", "255",
		"00", "01", "256", "999", "1000", "",
	};
	static const char *const lengths[] = {
		"",    "/32", "/24", "/8",   "/0",  "/",
		"/00", "/08", "/33", "/100", "/3x", "/-1",
	};
	static const char *const tails[] = { "",   "",	 "",  "x", " ",
					     "#c", "\r", ",", ".", ":" };
	static const char mutations[] = "0123456789./:x #";
	unsigned int round, accepted = 0, refused = 0;

	(void)state;
	srand(15);
	for (round = 0; round < 3000; round++) {
		struct op25b_prefix_list plain, general;
		struct op25b_policy_error e_plain, e_general;
		char line[64], indented[72];
		char *path_plain, *path_general;
		int rc_plain, rc_general, i;
		size_t n;

		/* Mostly valid parts. */
		n = (size_t)snprintf(line, sizeof(line), "%s.%s.%s.%s%s%s",
				     octets[rand() % (rand() % 4 ? 7 : 13)],
				     octets[rand() % (rand() % 4 ? 7 : 13)],
				     octets[rand() % (rand() % 4 ? 7 : 13)],
				     octets[rand() % (rand() % 4 ? 7 : 13)],
				     lengths[rand() % (rand() % 2 ? 2 : 12)],
				     tails[rand() % 10]);
		if (n > 0 && rand() % 4 == 0)
			line[rand() % (int)n] = mutations[rand() % 16];
		snprintf(indented, sizeof(indented), " %s\n", line);
		i = (int)strlen(line);
		line[i] = '\n';
		line[i + 1] = '\0';
		path_plain = write_tmp_string("plain.txt", line);
		path_general = write_tmp_string("general.txt", indented);
		rc_plain = op25b_prefix_list_load(path_plain, &plain, &e_plain);
		rc_general = op25b_prefix_list_load(path_general, &general,
						    &e_general);
		assert_int_equal(rc_plain, rc_general);
		if (rc_plain == 0) {
			assert_int_equal(plain.count, general.count);
			if (plain.count == 1) {
				accepted++;
				assert_int_equal(plain.prefixes[0].family,
						 general.prefixes[0].family);
				assert_int_equal(plain.prefixes[0].length,
						 general.prefixes[0].length);
				assert_memory_equal(plain.prefixes[0].addr,
						    general.prefixes[0].addr,
						    16);
				assert_int_equal(plain.prefixes[0].column + 1,
						 general.prefixes[0].column);
			}
		} else {
			refused++;
			assert_int_equal(e_plain.line, e_general.line);
			assert_int_equal(e_plain.column + 1, e_general.column);
			assert_string_equal(e_plain.message, e_general.message);
		}
		op25b_prefix_list_free(&plain);
		op25b_prefix_list_free(&general);
		free(path_plain);
		free(path_general);
	}
	/* Both outcomes, often. */
	assert_true(accepted >= 300);
	assert_true(refused >= 300);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		FIXTURE_TEST(default_policy, test_default_config_loads),
		cmocka_unit_test(test_defaults_when_omitted),
		cmocka_unit_test(test_top_level_settings),
		cmocka_unit_test(test_null_containers_and_descriptions),
		cmocka_unit_test(test_error_vectors),
		cmocka_unit_test(test_to_before_destinations),
		cmocka_unit_test(test_error_columns_utf8),
		cmocka_unit_test(test_error_names),
		cmocka_unit_test(test_error_too_many_classes),
		cmocka_unit_test(test_error_too_many_groups),
		cmocka_unit_test(test_error_too_many_groups_first),
		cmocka_unit_test(test_limit_values),
		cmocka_unit_test(test_error_bad_prefixes),
		cmocka_unit_test(test_error_duplicate_prefixes),
		cmocka_unit_test(test_error_duplicate_reports_first_repeat),
		cmocka_unit_test(test_same_prefix_source_and_destination),
		cmocka_unit_test(test_error_ports),
		cmocka_unit_test(test_error_too_many_ports),
		cmocka_unit_test(test_prefixes_file_good),
		cmocka_unit_test(test_prefixes_file_bom),
		cmocka_unit_test(test_prefixes_file_bad_line),
		cmocka_unit_test(test_prefixes_file_nul),
		cmocka_unit_test(test_prefixes_file_first_token),
		cmocka_unit_test(test_prefixes_file_long_line),
		cmocka_unit_test(test_prefixes_file_comma),
		cmocka_unit_test(test_prefixes_file_duplicate),
		cmocka_unit_test(test_prefixes_file_shared),
		cmocka_unit_test(test_prefixes_file_unreadable),
		cmocka_unit_test(test_file_too_large),
		cmocka_unit_test(test_values_max),
		cmocka_unit_test(test_scalar_hint_loads),
		cmocka_unit_test(test_long_paths),
		cmocka_unit_test(test_prefixes_file_buffer_resolves_to_cwd),
		cmocka_unit_test(test_prefixes_file_large),
		cmocka_unit_test(test_prefix_list_load),
		cmocka_unit_test(test_duplicate_search_matches_naive),
		cmocka_unit_test(test_load_unreadable_policy),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_warning_no_smtp_ports),
		cmocka_unit_test(test_warning_ipv4_mapped),
		cmocka_unit_test(test_precedence),
		FIXTURE_TEST(default_policy, test_precedence_default_policy),
		FIXTURE_TEST(default_policy, test_match_longest_prefix_ipv4),
		FIXTURE_TEST(default_policy, test_match_longest_prefix_ipv6),
		cmocka_unit_test(test_match_families_apart),
		FIXTURE_TEST(default_policy, test_match_destination),
		cmocka_unit_test(test_prefix_parse_good),
		cmocka_unit_test(test_prefix_parse_rejects),
		cmocka_unit_test(test_prefix_format),
		cmocka_unit_test(test_duration_parse),
		FIXTURE_TEST(default_policy, test_port_kinds),
		FIXTURE_TEST(default_policy, test_port_tables),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_error_format),
		cmocka_unit_test(test_explanation_json_locations),
		cmocka_unit_test(test_notify_settings),
		cmocka_unit_test(test_prefixes_file_sized_once),
		cmocka_unit_test(test_prefixes_file_plain_ipv4_path),
	};
	const char *root = getenv("OP25B_SOURCE_ROOT");
	struct stat st;

	if (root == NULL || root[0] == '\0')
		root = ".";
	/* argv[1]: the source root, or the default policy file itself. */
	if (argc > 1)
		root = argv[1];
	if (stat(root, &st) == 0 && S_ISREG(st.st_mode)) {
		char dir[sizeof(default_config)];

		snprintf(default_config, sizeof(default_config), "%s", root);
		snprintf(dir, sizeof(dir), "%s", root);
		snprintf(vectors_dir, sizeof(vectors_dir),
			 "%s/../test/vectors/policy", dirname(dir));
	} else {
		snprintf(default_config, sizeof(default_config),
			 "%s/config/op25b.yaml", root);
		snprintf(vectors_dir, sizeof(vectors_dir),
			 "%s/test/vectors/policy", root);
	}
	return cmocka_run_group_tests(tests, setup_tmp_dir, teardown_tmp_dir);
}
