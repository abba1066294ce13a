/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: any bytes as a policy file.
 *
 * What must hold for every input: op25b_policy_load_buffer() returns either
 * a policy that keeps every promise of op25b_policy.h, or NULL with errno
 * set and a "file:line:column: message" error whose message is not empty;
 * and nothing leaks (LeakSanitizer, after every input).
 *
 * Hermetic: relative prefixes_file names resolve against the current
 * directory, so LLVMFuzzerInitialize() moves into a fresh directory holding
 * a few small prefix files, and open64() is wrapped at link time
 * (-Wl,--wrap=open64) so that any name with a '/' in it (/dev/zero,
 * /dev/stdin, ../x) fails with ENOENT instead of reading the machine.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_check.h"
#include "op25b_policy.h"

/* The name the buffer stands for in messages. */
#define FUZZ_NAME "fuzz.yaml"
/* Bounds on the per-input checks, so that a policy of thousands of
 * prefixes does not make one input take seconds. */
#define CHECK_PREFIXES_MAX 64
#define CHECK_IDS_MAX 16

/* Files a fuzzed policy may name in prefixes_file (the seeds do). */
static const struct {
	const char *name;
	const char *text;
} prefix_files[] = {
	{ "pools.txt", "# pools\n198.18.0.0/16\n  2001:db8:1000::/36  # v6\n"
		       "\n198.19.0.0/24\r\n192.0.2.1\n" },
	{ "bad.txt", "198.18.0.0/16\n198.18.0.1/16\n" },
	{ "junk.txt", "198.18.0.0/16 198.19.0.0/16\n" },
	{ "empty.txt", "" },
};

static char fuzz_dir[256];

static int
refuse_path(const char *path)
{
	return strchr(path, '/') != NULL;
}

#include "fuzz_open.h"

static void
fuzz_dir_remove(void)
{
	unsigned int i;

	if (fuzz_dir[0] == '\0' || chdir(fuzz_dir) != 0)
		return;
	for (i = 0; i < sizeof(prefix_files) / sizeof(prefix_files[0]); i++)
		unlink(prefix_files[i].name);
	if (chdir("..") == 0)
		rmdir(fuzz_dir);
}

static void
fuzz_dir_create(void)
{
	const char *tmp = getenv("TMPDIR");
	unsigned int i;

	snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/op25b-fuzz-policy.XXXXXX",
		 tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	FUZZ_CHECK(mkdtemp(fuzz_dir) != NULL, "mkdtemp %s: %s", fuzz_dir,
		   strerror(errno));
	FUZZ_CHECK(chdir(fuzz_dir) == 0, "chdir %s: %s", fuzz_dir,
		   strerror(errno));
	atexit(fuzz_dir_remove);
	for (i = 0; i < sizeof(prefix_files) / sizeof(prefix_files[0]); i++) {
		FILE *f = fopen(prefix_files[i].name, "w");

		FUZZ_CHECK(f != NULL && fputs(prefix_files[i].text, f) >= 0 &&
				   fclose(f) == 0,
			   "cannot write %s", prefix_files[i].name);
	}
}

static int
bounded_string(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

static void
check_error(const struct op25b_policy_error *err, int load_errno, size_t size)
{
	char line[600];

	FUZZ_CHECK(load_errno != 0, "NULL policy with errno 0");
	FUZZ_CHECK(bounded_string(err->file, sizeof(err->file)) &&
			   bounded_string(err->message, sizeof(err->message)),
		   "unterminated error strings");
	FUZZ_CHECK(err->message[0] != '\0', "empty error message (errno %d)",
		   load_errno);
	FUZZ_CHECK(err->file[0] != '\0', "no file in '%s'", err->message);
	/* Positions in the buffer itself: a line needs at least one byte. */
	if (strcmp(err->file, FUZZ_NAME) == 0)
		FUZZ_CHECK(err->line <= size + 1 && err->column <= size + 1,
			   "position %u:%u in %zu bytes: %s", err->line,
			   err->column, size, err->message);
	FUZZ_CHECK(err->line != 0 || err->column == 0,
		   "column %u without a line: %s", err->column, err->message);
	FUZZ_CHECK(op25b_policy_error_format(err, line, sizeof(line)) > 0,
		   "error_format");
}

static int
action_valid(enum op25b_action action)
{
	return action >= OP25B_ACTION_NONE && action <= OP25B_ACTION_ADAPTIVE;
}

static void
check_prefix(const struct op25b_prefix *p)
{
	struct op25b_prefix again;
	unsigned int max, i;
	char text[INET6_ADDRSTRLEN + 8];

	FUZZ_CHECK(p->family == AF_INET || p->family == AF_INET6,
		   "prefix family %u", p->family);
	max = p->family == AF_INET ? 32 : 128;
	FUZZ_CHECK(p->length <= max, "prefix length %u", p->length);
	for (i = p->length; i < max; i++)
		FUZZ_CHECK(!(p->addr[i / 8] & (0x80 >> (i % 8))),
			   "host bit %u set in a /%u", i, p->length);
	FUZZ_CHECK(p->file != NULL && p->line >= 1 && p->column >= 1,
		   "prefix position %u:%u", p->line, p->column);
	/* Formatting and parsing back is the identity. */
	FUZZ_CHECK(op25b_prefix_format(p, text, sizeof(text)) > 0,
		   "prefix_format");
	FUZZ_CHECK(op25b_prefix_parse(text, &again, NULL) == 0 &&
			   again.family == p->family &&
			   again.length == p->length &&
			   memcmp(again.addr, p->addr, 16) == 0,
		   "'%s' does not parse back", text);
}

/* The reference matcher finds, for the address of a listed prefix, an
 * entry with a prefix at least as long that covers it. */
static void
check_match(const struct op25b_policy *policy, const struct op25b_prefix *p,
	    int is_source)
{
	const struct op25b_prefix *match = NULL;
	unsigned int n = is_source ? policy->n_classes : policy->n_groups;
	int id;

	id = is_source ? op25b_policy_match_source(policy, p->family, p->addr,
						   &match)
		       : op25b_policy_match_destination(policy, p->family,
							p->addr, &match);
	FUZZ_CHECK(id >= 0 && (unsigned int)id < n && match != NULL &&
			   match->family == p->family &&
			   match->length >= p->length,
		   "%s match of a listed prefix: id %d",
		   is_source ? "source" : "destination", id);
}

static void
check_policy(const struct op25b_policy *policy)
{
	static const uint8_t probe4[4] = { 198, 18, 5, 9 };
	static const uint8_t probe6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x10 };
	unsigned int i, j, checked = 0;
	int c, g;

	FUZZ_CHECK(policy->file != NULL && strcmp(policy->file, FUZZ_NAME) == 0,
		   "policy file name");
	FUZZ_CHECK(policy->version == 1, "version %u", policy->version);
	FUZZ_CHECK(policy->mode <= OP25B_MODE_MONITOR, "mode %d", policy->mode);
	FUZZ_CHECK(policy->block <= OP25B_BLOCK_NOTIFY, "block %d",
		   policy->block);
	FUZZ_CHECK(policy->block != OP25B_BLOCK_NOTIFY ||
			   policy->notice[0] != '\0',
		   "block: notify without a notice");
	FUZZ_CHECK(policy->default_action == OP25B_ACTION_ALLOW ||
			   policy->default_action == OP25B_ACTION_BLOCK ||
			   policy->default_action == OP25B_ACTION_COUNT,
		   "default %d", policy->default_action);
	FUZZ_CHECK(policy->malformed <= OP25B_MALFORMED_FORWARD, "malformed %d",
		   policy->malformed);
	FUZZ_CHECK(policy->n_smtp_ports <= OP25B_POLICY_MAX_PORTS &&
			   policy->n_submission_ports <= OP25B_POLICY_MAX_PORTS,
		   "ports %u/%u", policy->n_smtp_ports,
		   policy->n_submission_ports);
	FUZZ_CHECK(policy->n_classes <= OP25B_POLICY_MAX_CLASSES &&
			   policy->n_groups <= OP25B_POLICY_MAX_GROUPS,
		   "%u classes, %u groups", policy->n_classes,
		   policy->n_groups);
	FUZZ_CHECK(policy->classes != NULL && policy->groups != NULL,
		   "NULL class or group array");
	for (i = 0; i < policy->n_smtp_ports; i++)
		FUZZ_CHECK(
			op25b_policy_port_kind(policy, policy->smtp_ports[i]) ==
				OP25B_PORT_SMTP,
			"smtp port %u", policy->smtp_ports[i]);
	for (i = 0; i < policy->n_submission_ports; i++)
		FUZZ_CHECK(op25b_policy_port_kind(
				   policy, policy->submission_ports[i]) !=
				   OP25B_PORT_OTHER,
			   "submission port %u", policy->submission_ports[i]);
	for (i = 0; i < policy->n_warnings; i++)
		FUZZ_CHECK(policy->warnings[i] != NULL &&
				   policy->warnings[i][0] != '\0',
			   "warning %u", i);

	for (i = 0; i < policy->n_classes; i++) {
		const struct op25b_policy_class *cls = &policy->classes[i];

		FUZZ_CHECK(bounded_string(cls->name, sizeof(cls->name)) &&
				   cls->name[0] != '\0',
			   "class %u name", i);
		FUZZ_CHECK(action_valid(cls->action) &&
				   cls->action != OP25B_ACTION_NONE,
			   "class '%s' action %d", cls->name, cls->action);
		FUZZ_CHECK(cls->block <= OP25B_BLOCK_NOTIFY &&
				   (op25b_policy_block_of(policy, (int)i) !=
					    OP25B_BLOCK_NOTIFY ||
				    policy->notice[0] != '\0'),
			   "class '%s' block %d without a notice", cls->name,
			   cls->block);
		if (cls->action == OP25B_ACTION_ADAPTIVE)
			FUZZ_CHECK(cls->limit.connections > 0 &&
					   cls->limit.per_seconds > 0 &&
					   cls->limit.block_seconds > 0,
				   "class '%s' limit", cls->name);
		for (j = 0; cls->to != NULL && j < policy->n_groups; j++)
			FUZZ_CHECK(action_valid(cls->to[j]),
				   "class '%s' to[%u] %d", cls->name, j,
				   cls->to[j]);
		for (j = 0;
		     j < cls->prefixes.count && checked < CHECK_PREFIXES_MAX;
		     j++, checked++) {
			check_prefix(&cls->prefixes.prefixes[j]);
			check_match(policy, &cls->prefixes.prefixes[j], 1);
		}
	}
	for (i = 0; i < policy->n_groups; i++) {
		const struct op25b_policy_group *grp = &policy->groups[i];

		FUZZ_CHECK(bounded_string(grp->name, sizeof(grp->name)) &&
				   grp->name[0] != '\0',
			   "group %u name", i);
		FUZZ_CHECK(action_valid(grp->action), "group '%s' action %d",
			   grp->name, grp->action);
		for (j = 0;
		     j < grp->prefixes.count && checked < CHECK_PREFIXES_MAX;
		     j++, checked++) {
			check_prefix(&grp->prefixes.prefixes[j]);
			check_match(policy, &grp->prefixes.prefixes[j], 0);
		}
	}

	/* The precedence always decides, "none" (-1) and out-of-range ids
	 * included. */
	for (c = -1; c <= (int)policy->n_classes && c < CHECK_IDS_MAX; c++) {
		for (g = -1; g <= (int)policy->n_groups && g < CHECK_IDS_MAX;
		     g++) {
			enum op25b_rule rule;
			enum op25b_action action =
				op25b_policy_decide(policy, c, g, &rule);

			FUZZ_CHECK(action_valid(action) &&
					   action != OP25B_ACTION_NONE &&
					   rule <= OP25B_RULE_DEFAULT,
				   "decide(%d, %d): action %d rule %d", c, g,
				   action, rule);
		}
	}
	c = op25b_policy_match_source(policy, AF_INET, probe4, NULL);
	FUZZ_CHECK(c >= -1 && c < (int)policy->n_classes, "source %d", c);
	c = op25b_policy_match_source(policy, AF_INET6, probe6, NULL);
	FUZZ_CHECK(c >= -1 && c < (int)policy->n_classes, "source %d", c);
	g = op25b_policy_match_destination(policy, AF_INET, probe4, NULL);
	FUZZ_CHECK(g >= -1 && g < (int)policy->n_groups, "destination %d", g);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char escape[] =
		"version: 1\nsources:\n  a:\n    action: block\n"
		"    prefixes_file: /etc/hostname\n";
	struct op25b_policy_error err;
	struct op25b_policy *policy;

	(void)argc;
	(void)argv;
	fuzz_dir_create();
	/* The wrap must be in place, or fuzzing would read the machine. */
	policy = op25b_policy_load_buffer(FUZZ_NAME, escape, strlen(escape),
					  &err);
	FUZZ_CHECK(policy == NULL && errno == ENOENT,
		   "a prefixes_file outside the fuzz directory was read "
		   "(open64 not wrapped?)");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct op25b_policy_error err;
	struct op25b_policy *policy;

	errno = 0;
	memset(&err, 0xa5, sizeof(err));
	policy = op25b_policy_load_buffer(FUZZ_NAME, (const char *)data, size,
					  &err);
	if (policy == NULL) {
		check_error(&err, errno, size);
		return 0;
	}
	check_policy(policy);
	op25b_policy_free(policy);
	return 0;
}
