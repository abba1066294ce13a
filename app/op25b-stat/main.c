/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * op25b-stat: the counters of a running op25b, read from its shared
 * memory segment without disturbing it (no DPDK needed).
 *
 *   op25b-stat [--name NAME]                text, once
 *   op25b-stat --watch SECONDS [--count N]  text, redrawn, with rates
 *   op25b-stat --json | --prometheus        for scripts and scrapers, once
 *   op25b-stat --listen HOST:PORT           GET /metrics over HTTP
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "op25b_clock.h"
#include "op25b_options.h"
#include "op25b_records.h"
#include "op25b_save.h"
#include "stat_tool.h"

#define DEFAULT_NAME "op25b"
#define WATCH_MIN_SECONDS 0.1
#define WATCH_MAX_SECONDS 86400.0

/* Options as a table: getopt's array and --help are both made from it. */
enum option_id {
	OPT_JSON = OP25B_OPTION_LONG_ONLY,
	OPT_PROMETHEUS,
	OPT_WATCH,
	OPT_COUNT,
	OPT_LISTEN,
	OPT_XDP,
	OPT_TOP,
	OPT_OWNER,
	OPT_HELP,
};

enum output {
	OUTPUT_TEXT,
	OUTPUT_JSON,
	OUTPUT_PROMETHEUS,
};

struct config {
	const char *name;
	bool xdp;
	enum output output;
	bool output_set;
	double watch; /* seconds; 0: print once */
	unsigned long count;
	const char *listen;
	unsigned long top; /* --top N; 0: the counters */
	struct sockaddr_storage listen_addr;
	size_t listen_addr_len;
};

static const struct op25b_option stat_options[] = {
	OP25B_OPTION_NAME("the instance: op25b's --name (default " DEFAULT_NAME
			  ")",
			  struct config, name, OP25B_STATS_NAME_MAX),
	OP25B_OPTION("json", OPT_JSON, NULL,
		     "print one JSON object (the names of op25b --stats-json)"),
	OP25B_OPTION("prometheus", OPT_PROMETHEUS, NULL,
		     "print the Prometheus text format (op25b_* metrics)"),
	OP25B_OPTION("watch", OPT_WATCH, "SECONDS",
		     "redraw the text every SECONDS with per-second rates (the "
		     "ports' over the samples op25b takes each second), until "
		     "Ctrl-C"),
	OP25B_OPTION("count", OPT_COUNT, "N",
		     "with --watch: stop after N refreshes"),
	OP25B_OPTION("listen", OPT_LISTEN, "HOST:PORT",
		     "serve the Prometheus text at http://HOST:PORT/metrics "
		     "until SIGINT or SIGTERM; HOST is an address (127.0.0.1, "
		     "[::1]; [::] takes IPv4 as well); 503 while the instance "
		     "is not running; 32 connections, 4 from one address"),
	OP25B_OPTION("xdp", OPT_XDP, "NAME",
		     "the counters of the op25b-xdp instance NAME (its pinned "
		     "maps; op25b-xdp status lists them) instead of an op25b"),
	OP25B_OPTION("top", OPT_TOP, "N",
		     "the last block records interval's N sources with the "
		     "most blocked SYNs, with VLAN, PPPoE session and MAC "
		     "(op25b --block-records); --json: their records"),
	OP25B_OPTION("owner", OPT_OWNER, "USER",
		     "read the counters (and --top's list) of an op25b run "
		     "as USER (a name or uid): /dev/shm is every local "
		     "user's, so only root's files and your own are read "
		     "otherwise"),
	OP25B_OPTION("help", OPT_HELP, NULL, "this text"),
};

#define N_OPTIONS (sizeof(stat_options) / sizeof(stat_options[0]))

static void
usage(FILE *out)
{
	fputs("usage: op25b-stat [--name NAME] [--json | --prometheus]\n"
	      "       op25b-stat [--name NAME] --watch SECONDS [--count N]\n"
	      "       op25b-stat [--name NAME] --listen HOST:PORT\n"
	      "       op25b-stat [--name NAME] --top N [--json]\n"
	      "       op25b-stat --xdp NAME [--json | --prometheus |\n"
	      "                  --watch SECONDS | --listen HOST:PORT]\n\n"
	      "The counters of a running op25b, read from its shared memory\n"
	      "(/dev/shm/op25b.NAME) without disturbing it.\n\noptions:\n",
	      out);
	op25b_options_help(out, stat_options, N_OPTIONS, NULL, 22);
	fputs("\nexit status: 0 ok, 1 no such instance (or it cannot be read "
	      "or served),\n2 usage error\n",
	      out);
}

static int
usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One line on stderr; the caller exits with OP25B_EXIT_USAGE. */
static int
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("op25b-stat: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -EINVAL;
}

/* --owner USER: a user name, or a uid (digits), trusted as the owner of
 * the files read from /dev/shm (op25b_shm_trust_owner()). */
static int
parse_owner(const char *s)
{
	const struct passwd *pw = getpwnam(s);
	unsigned long v;
	char *end;

	if (pw != NULL) {
		op25b_shm_trust_owner(pw->pw_uid);
		return 0;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || s[0] < '0' || s[0] > '9' || *end != '\0' ||
	    v >= (unsigned long)(uid_t)-1)
		return -EINVAL;
	op25b_shm_trust_owner((uid_t)v);
	return 0;
}

/* @p s as a decimal 1..UINT_MAX (digits only) into @p out; -EINVAL if
 * it is not one. */
static int
parse_positive(const char *s, unsigned long *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || s[0] < '0' || s[0] > '9' || *end != '\0' || v == 0 ||
	    v > UINT_MAX)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Returns 0, 1 when --help was asked, or -EINVAL after printing why. */
static int
parse_args(int argc, char **argv, struct config *cfg)
{
	struct op25b_getopt g;
	char *end;
	int opt;

	op25b_options_getopt(&g, stat_options, N_OPTIONS, NULL, NULL);
	cfg->name = DEFAULT_NAME;
	/* One line per refusal, in our words (getopt's would be another). */
	opterr = 0;
	while ((opt = op25b_options_next(&g, "op25b-stat", argc, argv, cfg)) >
	       0) {
		switch (opt) {
		case OPT_JSON:
		case OPT_PROMETHEUS:
			if (cfg->output_set)
				return usage_error("--json and --prometheus: "
						   "choose one");
			cfg->output = opt == OPT_JSON ? OUTPUT_JSON
						      : OUTPUT_PROMETHEUS;
			cfg->output_set = true;
			break;
		case OPT_WATCH:
			errno = 0;
			cfg->watch = strtod(optarg, &end);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    !isfinite(cfg->watch) ||
			    cfg->watch < WATCH_MIN_SECONDS ||
			    cfg->watch > WATCH_MAX_SECONDS)
				return usage_error("--watch %s: expected "
						   "seconds, 0.1 to 86400",
						   optarg);
			break;
		case OPT_COUNT:
			if (parse_positive(optarg, &cfg->count) != 0)
				return usage_error("--count %s: expected a "
						   "number of refreshes, 1 or "
						   "more",
						   optarg);
			break;
		case OPT_LISTEN:
			if (stat_parse_listen(optarg, &cfg->listen_addr,
					      &cfg->listen_addr_len) != 0)
				return usage_error(
					"--listen %s: expected HOST:PORT with "
					"an IPv4 or bracketed IPv6 address "
					"(127.0.0.1:9125, [::1]:9125)",
					optarg);
			cfg->listen = optarg;
			break;
		case OPT_XDP:
			/* An instance name as --name's: it names a path. */
			if (op25b_option_instance("op25b-stat", "xdp", optarg,
						  OP25B_STATS_NAME_MAX) != 0)
				return -EINVAL;
			cfg->name = optarg;
			cfg->xdp = true;
			break;
		case OPT_TOP:
			if (parse_positive(optarg, &cfg->top) != 0)
				return usage_error(
					"--top %s: expected a number "
					"of sources, 1 or more",
					optarg);
			break;
		case OPT_OWNER:
			if (parse_owner(optarg) != 0)
				return usage_error("--owner %s: no such user "
						   "(a name or a uid)",
						   optarg);
			break;
		case OPT_HELP:
			return 1;
		default:
			return op25b_option_refused("op25b-stat",
						    argv[optind - 1]);
		}
	}
	if (opt < 0)
		return opt;
	if (optind < argc)
		return usage_error("unexpected argument '%s' (try --help)",
				   argv[optind]);
	if (cfg->top > 0 && (cfg->watch > 0 || cfg->listen != NULL ||
			     cfg->output == OUTPUT_PROMETHEUS))
		return usage_error("--top prints once, as text or --json");
	/* stat_options[0] is --name: with --xdp, one of them named the
	 * instance and the other was dropped without a word. */
	if (cfg->xdp && g.given[0])
		return usage_error("--name and --xdp: --xdp NAME names the "
				   "op25b-xdp instance; choose one");
	if (cfg->top > 0 && cfg->xdp)
		return usage_error("--top lists op25b's block records; "
				   "op25b-xdp keeps none");
	if (cfg->count > 0 && cfg->watch == 0)
		return usage_error("--count needs --watch");
	if (cfg->watch > 0 && cfg->output != OUTPUT_TEXT)
		return usage_error("--watch redraws the text view; --json and "
				   "--prometheus print once");
	if (cfg->listen != NULL &&
	    (cfg->watch > 0 || cfg->output == OUTPUT_JSON))
		return usage_error("--listen serves the Prometheus text; it "
				   "takes no --json or --watch");
	return 0;
}

static int
print_once(struct stat_source *src, const struct config *cfg)
{
	struct op25b_stats_snapshot *snap;
	struct stat_view view;
	char why[512];
	int ret;

	snap = op25b_stats_snapshot_alloc();
	if (snap == NULL) {
		fprintf(stderr, "op25b-stat: out of memory\n");
		return 1;
	}
	ret = stat_source_read(src, snap, why, sizeof(why));
	if (ret != 0 && ret != -ESRCH) {
		fprintf(stderr, "op25b-stat: %s\n", why);
		free(snap);
		return 1;
	}
	/* A dead writer's last counters are still worth reading (after a
	 * crash), with a warning, but not as a scrape: a textfile collector
	 * would export them as a live appliance's, flat, link up. The
	 * Prometheus text is refused, as --listen answers 503. */
	if (ret == -ESRCH && cfg->output == OUTPUT_PROMETHEUS) {
		fprintf(stderr,
			"op25b-stat: %s: no Prometheus text of a dead "
			"appliance's counters\n",
			why);
		free(snap);
		return 1;
	}
	if (ret == -ESRCH)
		fprintf(stderr, "op25b-stat: warning: %s\n", why);
	switch (cfg->output) {
	case OUTPUT_JSON:
		stat_print_json(stdout, snap);
		break;
	case OUTPUT_PROMETHEUS:
		stat_print_prometheus(stdout, snap);
		break;
	case OUTPUT_TEXT:
		memset(&view, 0, sizeof(view));
		view.snap = snap;
		stat_print_text(stdout, &view);
		break;
	}
	free(snap);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* --top: the list the appliance saves next to its counters at the end of
 * each block records interval. */
static int
print_top(struct stat_source *src, const struct config *cfg)
{
	struct op25b_stats_snapshot *snap;
	struct op25b_records_top *top;
	char path[OP25B_STATS_PATH_MAX + 8], why[512];
	int n, live;

	if (op25b_stats_top_path(cfg->name, path, sizeof(path)) != 0) {
		fprintf(stderr, "op25b-stat: bad instance name '%s'\n",
			cfg->name);
		return 1;
	}
	n = op25b_records_top_load(path, &top);
	if (n == -EPERM) {
		stat_owner_refused(path, "block records list", why,
				   sizeof(why));
		fprintf(stderr, "op25b-stat: %s\n", why);
		return 1;
	}
	if (n < 0) {
		fprintf(stderr, "op25b-stat: %s: %s\n", path,
			n == -ENOENT
				? "no block records (op25b --name NAME "
				  "--block-records ...: written at the end "
				  "of each interval)"
			: n == -EACCES ? "permission denied (the list names "
					 "subscribers: mode 0640, for root)"
				       : strerror(-n));
		return 1;
	}
	/* A list op25b left behind (killed: it removes it at a clean exit)
	 * names the last interval's sources, not current ones: said, as
	 * the counters' views say a dead writer's. */
	snap = op25b_stats_snapshot_alloc();
	live = snap != NULL ? stat_source_read(src, snap, why, sizeof(why)) : 0;
	free(snap);
	if (live == -ESRCH || live == -ENOENT || live == -EOWNERDEAD)
		fprintf(stderr,
			"op25b-stat: warning: op25b instance '%s' is not "
			"running: %s holds the sources of its last interval\n",
			cfg->name, path);
	if ((unsigned long)n > cfg->top)
		n = (int)cfg->top;
	if (cfg->output == OUTPUT_JSON)
		op25b_records_top_json(stdout, top, (unsigned int)n);
	else
		op25b_records_top_text(stdout, top, (unsigned int)n);
	free(top);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* Rates compare two snapshots of one writer: a restarted op25b starts its
 * counters from zero again. The start times within a millisecond: an XDP
 * program's (pid 0) is the kernel's load time put on the wall clock by
 * two clock reads (lib/xdp), which moves by some nanoseconds from one
 * read to the next, and an exact compare took half the refreshes of
 * --watch for a new program, without rates. No program is loaded again
 * within a millisecond of the last. */
static bool
same_writer(const struct op25b_stats_snapshot *a,
	    const struct op25b_stats_snapshot *b)
{
	uint64_t ta = a->header.start_time_ns, tb = b->header.start_time_ns;

	return a->header.pid == b->header.pid &&
	       (ta > tb ? ta - tb : tb - ta) < 1000000;
}

static int
watch(struct stat_source *src, const struct config *cfg, const sigset_t *stop)
{
	struct op25b_stats_snapshot *snap, *prev, *swap;
	struct timespec pause;
	double t_prev = 0, t;
	bool tty = isatty(STDOUT_FILENO) == 1, starting_said = false;
	unsigned long n;
	int status = 0;
	char why[512];

	snap = op25b_stats_snapshot_alloc();
	prev = op25b_stats_snapshot_alloc();
	if (snap == NULL || prev == NULL) {
		fprintf(stderr, "op25b-stat: out of memory\n");
		status = 1;
		goto free_snapshots;
	}
	pause.tv_sec = (time_t)cfg->watch;
	pause.tv_nsec = (long)((cfg->watch - (double)pause.tv_sec) * 1e9);
	for (n = 0; cfg->count == 0 || n < cfg->count; n++) {
		struct stat_view view;
		char *block = NULL;
		size_t len = 0;
		FILE *out;
		int ret;

		ret = stat_source_read(src, snap, why, sizeof(why));
		t = op25b_monotonic_seconds();
		/* Starting: watched until it is up, said once. */
		if (ret == -EINPROGRESS) {
			if (!starting_said)
				fprintf(stderr, "op25b-stat: %s\n", why);
			starting_said = true;
			if (sigtimedwait(stop, NULL, &pause) > 0)
				break;
			n--; /* not a view: --count counts views */
			continue;
		}
		if (ret != 0) {
			/* Gone, stale or unreadable: watching it further
			 * would show nothing new. */
			fprintf(stderr, "op25b-stat: %s\n", why);
			status = 1;
			break;
		}
		memset(&view, 0, sizeof(view));
		view.snap = snap;
		view.rates = true;
		if (n > 0 && same_writer(snap, prev)) {
			view.prev = prev;
			view.interval = t - t_prev;
		}
		/* The block is composed first and written at once, so that a
		 * terminal never shows half a refresh. */
		out = open_memstream(&block, &len);
		if (out == NULL) {
			status = 1;
			break;
		}
		if (tty)
			fputs("\033[H\033[2J", out);
		else if (n > 0)
			fputc('\n', out);
		stat_print_text(out, &view);
		if (fclose(out) != 0) {
			free(block);
			status = 1;
			break;
		}
		fwrite(block, 1, len, stdout);
		free(block);
		if (fflush(stdout) != 0) {
			status = 1;
			break;
		}
		swap = prev;
		prev = snap;
		snap = swap;
		t_prev = t;
		if (cfg->count != 0 && n + 1 == cfg->count)
			break;
		/* The pause is the wait for Ctrl-C: no signal is lost between
		 * a check and a sleep. */
		if (sigtimedwait(stop, NULL, &pause) > 0)
			break;
	}
free_snapshots:
	free(snap);
	free(prev);
	return status;
}

int
main(int argc, char **argv)
{
	struct stat_source src;
	struct config cfg;
	sigset_t stop;
	int ret;

	memset(&cfg, 0, sizeof(cfg));
	ret = parse_args(argc, argv, &cfg);
	if (ret == 1) {
		usage(stdout);
		return 0;
	}
	if (ret != 0)
		return OP25B_EXIT_USAGE;

	memset(&src, 0, sizeof(src));
	src.name = cfg.name;
	if (cfg.top > 0) {
		ret = print_top(&src, &cfg);
		stat_source_close(&src);
		return ret;
	}
	src.xdp = cfg.xdp;
	if (cfg.listen == NULL && cfg.watch == 0) {
		ret = print_once(&src, &cfg);
		stat_source_close(&src);
		return ret;
	}

	/* Blocked here, before any thread starts, so that SIGINT and SIGTERM
	 * are only ever taken by sigwait()/sigtimedwait() in this thread. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	if (cfg.listen != NULL)
		ret = stat_serve(&src, cfg.listen, &cfg.listen_addr,
				 cfg.listen_addr_len);
	else
		ret = watch(&src, &cfg, &stop);
	stat_source_close(&src);
	return ret;
}
