/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * op25b-gen: test vectors, synthetic traffic and pool lists as files.
 *
 * Commands and options are declared in two tables; getopt_long's option
 * array, the checks for required options and the --help text are all made
 * from them, so a new option is one line in one place.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "op25b_options.h"

#define MAX_POSITIONAL 1

struct gen_args {
	struct gen_opts opts;
	const char *positional[MAX_POSITIONAL];
	unsigned int n_positional;
};

#define OPTS struct gen_opts

/* The counts (-n, -s, -6) come back to parse_args(): k/M suffixes. */
static const struct op25b_option gen_options[] = {
	OP25B_OPTION_STR("out", 'o', "FILE",
			 "write the output here (\"-\": standard output)", OPTS,
			 out_path),
	OP25B_OPTION_STR(
		"expect", 'e', "FILE",
		"vectors: also write NAME EXPECT CLASS GROUP LEN REPLY "
		"COUNTER per case",
		OPTS, expect_path),
	OP25B_OPTION_STR("profile", 'p', "NAME",
			 "traffic: the traffic profile (see below)", OPTS,
			 profile),
	OP25B_OPTION(
		"count", 'n', "N",
		"packets (traffic) or IPv4 prefixes (pools); k/M suffixes"),
	OP25B_OPTION("seed", 's', "S",
		     "PRNG seed (default 1): same seed, same bytes"),
	OP25B_OPTION_STR("pools", 'P', "FILE",
			 "traffic: draw subscriber sources from this pool list",
			 OPTS, pools_path),
	OP25B_OPTION("v6", '6', "M",
		     "pools: also M IPv6 prefixes from 2001:db8::/32"),
	OP25B_OPTION_FLAG("quiet", 'q', "no progress reports on standard error",
			  OPTS, quiet),
	OP25B_OPTION("help", 'h', NULL, "show this help"),
};

#undef OPTS

#define N_OPTIONS (sizeof(gen_options) / sizeof(gen_options[0]))

struct gen_command {
	const char *name;
	const char *synopsis;
	const char *description;
	const char *options;  /* short names it accepts */
	const char *required; /* short names it needs */
	unsigned int n_positional;
	int (*run)(const struct gen_args *args); /* -> exit status */
};

static int run_vectors(const struct gen_args *args);
static int run_traffic(const struct gen_args *args);
static int run_pools(const struct gen_args *args);

static const struct gen_command gen_commands[] = {
	{ "vectors", "FILE.vec --out OUT.pcap [--expect OUT.txt]",
	  "Build every case of a test vector file into a pcap, in file\n"
	  "order, one frame per case. --expect writes one line per case:\n"
	  "NAME EXPECT CLASS GROUP LEN REPLY COUNTER (\"-\" for no class,\n"
	  "group, reply or counter; REPLY: the reply's TCP flags; COUNTER:\n"
	  "the frame counter the case moves), for the replay tests to\n"
	  "compare verdicts and counters against.",
	  "oeh", "o", 1, run_vectors },
	{ "traffic",
	  "--profile NAME --count N [--seed S] [--pools FILE] --out OUT.pcap",
	  "Synthetic subscriber-side traffic, N packets, deterministic for a\n"
	  "seed. Frames under 60 bytes get an Ethernet trailer up to 60 (a\n"
	  "\"64-byte frame\" with its 4-byte FCS). Sources come from the pool\n"
	  "list of --pools when given (IPv4 and IPv6 lines apart).",
	  "pnsPoqh", "pno", 0, run_traffic },
	{ "pools", "--count N [--v6 M] [--seed S] --out FILE",
	  "A pool list for benchmarks: N distinct IPv4 prefixes from\n"
	  "10.0.0.0/8, 100.64.0.0/10 and 172.16.0.0/12 (~80% /20-/24, ~15%\n"
	  "/25-/28, ~5% /29-/32; lengths move longer when a length's space\n"
	  "runs short), then M IPv6 prefixes from 2001:db8::/32 (/40-/56).\n"
	  "Host bits clear, sorted, no duplicates. Table data only: these\n"
	  "ranges are private, CGNAT and documentation space.",
	  "n6soqh", "no", 0, run_pools },
};

#define N_COMMANDS (sizeof(gen_commands) / sizeof(gen_commands[0]))

void
gen_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, GEN_NAME ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

FILE *
gen_open_out(const char *path)
{
	FILE *f;

	if (strcmp(path, "-") == 0)
		return stdout;
	f = fopen(path, "wb");
	if (f == NULL)
		gen_error("%s: %s", path, strerror(errno));
	return f;
}

int
gen_close_out(FILE *f, const char *path)
{
	int ret = 0;

	if (fflush(f) != 0 || ferror(f)) {
		ret = errno ? -errno : -EIO;
		gen_error("%s: write failed: %s", path, strerror(-ret));
	}
	if (f != stdout && fclose(f) != 0 && ret == 0) {
		ret = -errno;
		gen_error("%s: %s", path, strerror(errno));
	}
	return ret;
}

void
gen_progress_init(struct gen_progress *p, const char *what, uint64_t total,
		  bool quiet)
{
	p->what = what;
	p->total = total;
	p->step = 1;
	p->next = total / 10 ? total / 10 : 1;
	p->enabled = !quiet && total >= GEN_PROGRESS_MIN;
}

void
gen_progress_report(struct gen_progress *p, uint64_t done)
{
	fprintf(stderr, GEN_NAME ": %s: %u0%% (%" PRIu64 "/%" PRIu64 ")\n",
		p->what, p->step, done, p->total);
	p->step++;
	p->next = p->total / 10 * p->step;
	if (p->step > 10)
		p->enabled = false;
}

static void
print_profiles(FILE *f)
{
	const char *name, *help;
	unsigned int i;

	fprintf(f, "\nTraffic profiles:\n");
	for (i = 0; (name = gen_traffic_profile_name(i, &help)) != NULL; i++)
		op25b_options_help_item(f, name, 14, help);
}

static void
print_command_help(FILE *f, const struct gen_command *c)
{
	fprintf(f, "Usage: " GEN_NAME " %s %s\n\n%s\n\nOptions:\n", c->name,
		c->synopsis, c->description);
	op25b_options_help(f, gen_options, N_OPTIONS, c->options, 19);
	if (strcmp(c->name, "traffic") == 0)
		print_profiles(f);
}

static void
print_help(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: " GEN_NAME " COMMAND [OPTIONS]\n"
		"       " GEN_NAME " help [COMMAND]\n\n"
		"Test vectors, synthetic traffic (pcap) and pool lists for op25b\n"
		"tests, demos and benchmarks. The same command and seed always\n"
		"give the same bytes.\n\nCommands:\n");
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %s %s\n", gen_commands[i].name,
			gen_commands[i].synopsis);
	fprintf(f, "\nOptions:\n");
	op25b_options_help(f, gen_options, N_OPTIONS, NULL, 19);
	print_profiles(f);
	fprintf(f,
		"\nExit status: 0 done, 1 failed (I/O, a bad input file), 2 usage"
		" error.\n\n"
		"Examples:\n"
		"  " GEN_NAME
		" vectors test/vectors/classify.vec --out classify.pcap"
		" --expect basic.txt\n"
		"  " GEN_NAME " traffic --profile demo --count 10000 --out"
		" demo.pcap\n"
		"  " GEN_NAME " pools --count 1M --v6 10k --out pools.txt\n"
		"  " GEN_NAME " traffic --profile worst --count 1M --pools"
		" pools.txt --out worst.pcap\n"
		"Run '" GEN_NAME " help COMMAND' for one command's details.\n");
}

static const struct gen_command *
find_command(const char *name)
{
	size_t i;

	for (i = 0; i < N_COMMANDS; i++)
		if (strcmp(gen_commands[i].name, name) == 0)
			return &gen_commands[i];
	return NULL;
}

static const struct op25b_option *
find_option(int short_name)
{
	size_t i;

	for (i = 0; i < N_OPTIONS; i++)
		if (gen_options[i].val == short_name)
			return &gen_options[i];
	return NULL;
}

/* A count: decimal, with an optional k (1000) or M (1000000) suffix. */
static int
parse_count(const char *s, uint64_t *out)
{
	unsigned long long v;
	uint64_t mult = 1;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -EINVAL;
	if (*end == 'k' || *end == 'K')
		mult = 1000;
	else if (*end == 'M' || *end == 'm')
		mult = 1000000;
	if (mult != 1)
		end++;
	if (*end != '\0' || v > UINT64_MAX / mult)
		return -EINVAL;
	*out = v * mult;
	return 0;
}

static int
parse_args(const struct gen_command *cmd, int argc, char **argv,
	   struct gen_args *args)
{
	struct op25b_getopt g;
	uint64_t *target;
	size_t i;
	int c;

	/* ':' first: a missing argument is reported apart. */
	op25b_options_getopt(&g, gen_options, N_OPTIONS, cmd->options, ":");
	memset(args, 0, sizeof(*args));
	args->opts.seed = 1;
	optind = 1;
	opterr = 0;
	while ((c = op25b_options_next(&g, GEN_NAME, argc, argv, &args->opts)) >
	       0) {
		if (c == '?') {
			if (optopt)
				gen_error("%s: unknown option '-%c'", cmd->name,
					  optopt);
			else
				gen_error("%s: unknown option '%s'", cmd->name,
					  argv[optind - 1]);
			return -EINVAL;
		}
		if (c == ':') {
			gen_error("%s: option '%s' needs a value", cmd->name,
				  argv[optind - 1]);
			return -EINVAL;
		}
		if (c == 'h') {
			print_command_help(stdout, cmd);
			exit(EXIT_SUCCESS);
		}
		target = c == 'n'   ? &args->opts.count
			 : c == 's' ? &args->opts.seed
				    : &args->opts.count_v6;
		if (parse_count(optarg, target) < 0) {
			gen_error("%s: bad value for --%s: '%s'", cmd->name,
				  find_option(c)->name, optarg);
			return -EINVAL;
		}
	}
	for (i = (size_t)optind; i < (size_t)argc; i++) {
		if (args->n_positional >= cmd->n_positional) {
			gen_error("%s: unexpected argument '%s'", cmd->name,
				  argv[i]);
			return -EINVAL;
		}
		args->positional[args->n_positional++] = argv[i];
	}
	if (args->n_positional < cmd->n_positional) {
		gen_error("%s: missing argument (usage: " GEN_NAME " %s %s)",
			  cmd->name, cmd->name, cmd->synopsis);
		return -EINVAL;
	}
	for (i = 0; cmd->required[i] != '\0'; i++) {
		if (!op25b_options_given(&g, cmd->required[i])) {
			gen_error("%s: --%s is required (usage: " GEN_NAME
				  " %s %s)",
				  cmd->name,
				  find_option(cmd->required[i])->name,
				  cmd->name, cmd->synopsis);
			return -EINVAL;
		}
	}
	return 0;
}

static int
run_vectors(const struct gen_args *args)
{
	return gen_vectors(args->positional[0], &args->opts) < 0 ? EXIT_FAILURE
								 : EXIT_SUCCESS;
}

static int
run_traffic(const struct gen_args *args)
{
	const struct gen_opts *opts = &args->opts;

	if (!gen_traffic_profile_valid(opts->profile)) {
		char names[128] = "";
		const char *name;
		size_t used = 0;
		unsigned int i;

		for (i = 0;
		     (name = gen_traffic_profile_name(i, NULL)) != NULL &&
		     used < sizeof(names);
		     i++)
			used += (size_t)snprintf(names + used,
						 sizeof(names) - used, "%s%s",
						 i > 0 ? " " : "", name);
		gen_error("traffic: unknown profile '%s' (one of: %s)",
			  opts->profile, names);
		return OP25B_EXIT_USAGE;
	}
	if (opts->count == 0) {
		gen_error("traffic: --count must be at least 1");
		return OP25B_EXIT_USAGE;
	}
	return gen_traffic(opts) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

static int
run_pools(const struct gen_args *args)
{
	int ret;

	if (args->opts.count == 0 && args->opts.count_v6 == 0) {
		gen_error("pools: --count (or --v6) must be at least 1");
		return OP25B_EXIT_USAGE;
	}
	ret = gen_pools(&args->opts);
	if (ret == -ERANGE)
		return OP25B_EXIT_USAGE;
	return ret < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

int
main(int argc, char **argv)
{
	const struct gen_command *cmd;
	struct gen_args args;

	if (argc < 2) {
		gen_error(
			"missing command (vectors, traffic or pools); try '" GEN_NAME
			" --help'");
		return OP25B_EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		print_help(stdout);
		return EXIT_SUCCESS;
	}
	if (strcmp(argv[1], "help") == 0) {
		if (argc < 3) {
			print_help(stdout);
			return EXIT_SUCCESS;
		}
		cmd = find_command(argv[2]);
		if (cmd == NULL) {
			gen_error("help: unknown command '%s'", argv[2]);
			return OP25B_EXIT_USAGE;
		}
		print_command_help(stdout, cmd);
		return EXIT_SUCCESS;
	}
	cmd = find_command(argv[1]);
	if (cmd == NULL) {
		gen_error("unknown command '%s' (one of: vectors traffic pools "
			  "help); try '" GEN_NAME " --help'",
			  argv[1]);
		return OP25B_EXIT_USAGE;
	}
	if (parse_args(cmd, argc - 1, argv + 1, &args) < 0)
		return OP25B_EXIT_USAGE;
	return cmd->run(&args);
}
