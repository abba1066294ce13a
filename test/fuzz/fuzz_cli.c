/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the operator CLI's whole command set, parser and
 * handlers, run against a real appliance without ports (policy compiled,
 * shared memory, exemptions, RCU), one fuzzed line after another.
 *
 * After every input: the appliance still holds a policy and a classifier,
 * the exemption table is there exactly when the registry has entries, and
 * the gauge in shared memory says how many. Then the state is put back
 * (exemptions removed, switches reset) so that inputs stay independent.
 *
 * Files: a fuzzed `policy check|reload FILE` or `exempt import|export FILE`
 * may open only the harness's own policy file and the exemption state file
 * in its own temporary directory (open() is wrapped), never /dev/zero, a
 * FIFO or the rest of the machine; so every exemption change is written to
 * the state file there, as in the appliance.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "fuzz_check.h"
#include "op25b_app.h"
#include "../unit/test_eal.h"
#include "../unit/test_exempt_text.h"

/* IPv4 only: a recompile (set mode, set block, reload) then builds two
 * small tables. */
static const char policy_yaml[] =
	"version: 1\n"
	"mode: enforce\n"
	"block: reset\n"
	"sources:\n"
	"  dynamic: {action: block, prefixes: [198.18.0.0/16]}\n"
	"  static: {action: allow, prefixes: [198.18.20.0/24]}\n"
	"  watched: {action: count, prefixes: [198.19.0.0/24]}\n"
	"destinations:\n"
	"  isp-relays: {action: allow, prefixes: [192.0.2.25/32]}\n";

#define MAX_LINES 16

static struct op25b_app app;
static char dir[256], policy_path[300], instance[64];
static char state_path[400], state_tmp[410];
static int devnull = -1;
static int files_locked; /* after start-up: only policy_path opens */

static int
refuse_path(const char *path)
{
	return files_locked && strcmp(path, policy_path) != 0 &&
	       strcmp(path, state_path) != 0 && strcmp(path, state_tmp) != 0 &&
	       strcmp(path, dir) != 0;
}

#include "fuzz_open.h"

static void
cleanup(void)
{
	op25b_cli_stop(&app);
	op25b_stats_writer_destroy(app.stats);
	app.stats = NULL;
	unlink(policy_path);
	unlink(state_path);
	unlink(state_tmp);
	rmdir(dir);
}

static void
start_appliance(void)
{
	const char *tmp = getenv("TMPDIR");
	struct op25b_policy_error err;
	size_t qsize;
	FILE *f;

	FUZZ_CHECK(test_eal_init_as("fuzz_cli", "512") == 0, "EAL: %s",
		   rte_strerror(rte_errno));
	snprintf(dir, sizeof(dir), "%s/op25b-fuzz-cli.XXXXXX",
		 tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	FUZZ_CHECK(mkdtemp(dir) != NULL, "mkdtemp: %s", strerror(errno));
	snprintf(policy_path, sizeof(policy_path), "%s/policy.yaml", dir);
	f = fopen(policy_path, "w");
	FUZZ_CHECK(f != NULL && fputs(policy_yaml, f) >= 0 && fclose(f) == 0,
		   "%s: %s", policy_path, strerror(errno));
	snprintf(instance, sizeof(instance), "fuzz-cli-%ld", (long)getpid());
	snprintf(state_path, sizeof(state_path), "%s/%s.exemptions", dir,
		 instance);
	snprintf(state_tmp, sizeof(state_tmp), "%s.tmp", state_path);

	app.config.policy_path = policy_path;
	app.config.instance = instance;
	app.config.cli_socket = "none";
	app.config.audit_log = "/dev/null";
	app.config.state_dir = dir;
	app.config.burst = 32;
	app.config.n_pairs = 0;
	app.policy = op25b_policy_load(policy_path, &err);
	FUZZ_CHECK(app.policy != NULL, "%s:%u:%u: %s", err.file, err.line,
		   err.column, err.message);
	/* One worker that never comes online: RCU waits for nobody, and
	 * show workers has a row. */
	app.n_workers = 1;
	app.workers = rte_zmalloc("fuzz_workers", sizeof(*app.workers), 64);
	qsize = rte_rcu_qsbr_get_memsize(1);
	app.qsbr = rte_zmalloc("fuzz_qsbr", qsize, 64);
	FUZZ_CHECK(app.workers != NULL && app.qsbr != NULL &&
			   rte_rcu_qsbr_init(app.qsbr, 1) == 0,
		   "RCU");
	app.stats = op25b_stats_writer_create(instance, 1, 1000000000ull);
	FUZZ_CHECK(app.stats != NULL, "stats: %s", strerror(errno));
	app.workers[0].stats = op25b_stats_writer_worker(app.stats, 0);
	FUZZ_CHECK(op25b_control_start(&app) == 0, "compile");
	FUZZ_CHECK(op25b_app_exempt_start(&app) == 0, "exemptions");
	FUZZ_CHECK(op25b_cli_start(&app) == 0, "cli");
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	FUZZ_CHECK(devnull >= 0, "/dev/null");
	atexit(cleanup);
	files_locked = 1;
}

/* The state every input starts from. */
static void
reset_state(void)
{
	char msg[512];

	while (op25b_exempt_registry_count(app.exempts) > 0) {
		struct op25b_prefix p =
			op25b_exempt_registry_entries(app.exempts)[0].prefix;

		FUZZ_CHECK(op25b_app_exempt_del(&app, &p, 0, msg,
						sizeof(msg)) == 0,
			   "exempt del: %s", msg);
	}
	if (app.mode_override >= 0 || app.block_override >= 0) {
		FUZZ_CHECK(op25b_control_set_mode(&app, OP25B_SWITCH_FILE, msg,
						  sizeof(msg)) == 0,
			   "set mode file: %s", msg);
		FUZZ_CHECK(op25b_control_set_block(&app, OP25B_SWITCH_FILE, msg,
						   sizeof(msg)) == 0,
			   "set block file: %s", msg);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	start_appliance();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *line, *save = NULL;
	unsigned int n = 0;
	unsigned int count;

	FUZZ_CHECK(text != NULL, "out of memory");
	memcpy(text, data, size);
	text[size] = '\0';
	for (line = strtok_r(text, "\n", &save); line != NULL && n < MAX_LINES;
	     line = strtok_r(NULL, "\n", &save), n++) {
		int r = op25b_cli_execute(&app, line, devnull);

		FUZZ_CHECK(r >= -1 && r <= 1, "execute returned %d", r);
	}
	free(text);

	count = op25b_exempt_registry_count(app.exempts);
	FUZZ_CHECK(app.policy != NULL, "no policy");
	FUZZ_CHECK(atomic_load(&app.classifier) != NULL, "no classifier");
	FUZZ_CHECK((count == 0) == (atomic_load(&app.exempt) == NULL),
		   "%u exemptions but table %p", count,
		   (void *)atomic_load(&app.exempt));
	FUZZ_CHECK(
		op25b_stats_writer_header(app.stats)->exemptions == count,
		"gauge %lu, registry %u",
		(unsigned long)op25b_stats_writer_header(app.stats)->exemptions,
		count);
	/* What the command answered is on disk: the state file holds the
	 * registry exactly (nothing at all before the first change). */
	if (!app.state_dirty) {
		struct op25b_exempt_state_error err;
		struct op25b_exempt_registry *saved =
			op25b_exempt_registry_load(state_path, &err);
		unsigned int diffs = 0;

		FUZZ_CHECK(saved != NULL || (errno == ENOENT && count == 0),
			   "state file: %u: %s", err.line, err.message);
		op25b_exempt_registry_diff(saved, app.exempts,
					   test_exempt_count_diff, &diffs);
		FUZZ_CHECK(diffs == 0, "state file and registry differ in %u",
			   diffs);
		op25b_exempt_registry_free(saved);
	}
	reset_state();
	return 0;
}
