/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * op25b: Outbound Port 25 Blocking, inline, on DPDK ports.
 *
 * The main lcore is the control lcore (set-up, signals, status, shutdown);
 * every other lcore is a worker that owns one RX and one TX queue on every
 * port.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "op25b_app.h"

#define MBUF_CACHE 256

static volatile sig_atomic_t signal_received;

static void
on_signal(int signo)
{
	signal_received = signo;
}

/* Options as a table: getopt's array and --help are both made from it. */
enum option_id {
	OPT_POLICY = 256,
	OPT_PAIRS,
	OPT_BURST,
	OPT_STOP_AFTER_IDLE,
	OPT_STATUS_INTERVAL,
	OPT_STATS_JSON,
	OPT_HELP,
};

static const struct app_option {
	const char *name;
	const char *arg;
	enum option_id id;
	const char *help;
} app_options[] = {
	{"policy", "FILE", OPT_POLICY, "the YAML policy (required)"},
	{"pairs", "SUB:UP[,SUB:UP...]", OPT_PAIRS,
	 "port pairs: SUB is classified and sent to UP, UP goes back to SUB "
	 "untouched (default 0:1)"},
	{"burst", "N", OPT_BURST, "RX burst size, 1..64 (default 32)"},
	{"stop-after-idle", "MS", OPT_STOP_AFTER_IDLE,
	 "exit after MS milliseconds without a packet (pcap replays)"},
	{"status-interval", "SECONDS", OPT_STATUS_INTERVAL,
	 "print a status line every SECONDS (default 5, 0: never)"},
	{"stats-json", "FILE", OPT_STATS_JSON,
	 "write the final counters to FILE as JSON"},
	{"help", NULL, OPT_HELP, "this text"},
};

static void
usage(FILE *out, const char *prog)
{
	unsigned int i;

	fprintf(out,
		"usage: %s [EAL options] -- --policy FILE [options]\n\n"
		"Outbound Port 25 Blocking between port pairs. Each worker lcore "
		"(every lcore\nbut the main one) polls one queue on every port.\n\n"
		"options:\n",
		prog);
	for (i = 0; i < RTE_DIM(app_options); i++) {
		char left[64];

		snprintf(left, sizeof(left), "--%s%s%s", app_options[i].name,
			 app_options[i].arg ? " " : "",
			 app_options[i].arg ? app_options[i].arg : "");
		fprintf(out, "  %-34s %s\n", left, app_options[i].help);
	}
	fprintf(out,
		"\nexample (no NIC needed):\n"
		"  %s -l 0-1 --no-pci --no-huge -m 1024 \\\n"
		"      --vdev net_pcap0,rx_pcap=in.pcap,tx_pcap=replies.pcap \\\n"
		"      --vdev net_pcap1,tx_pcap=out.pcap \\\n"
		"      -- --policy config/op25b.yaml --stop-after-idle 500\n",
		prog);
}

static int
parse_uint(const char *s, unsigned long min, unsigned long max,
	   unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	if (*s == '\0' || *s == '-')
		return -EINVAL;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int
parse_pairs(const char *text, struct op25b_config *cfg)
{
	char buf[512], *save = NULL, *tok;

	if (strlen(text) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, text);
	cfg->n_pairs = 0;
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(tok, ':');
		unsigned long sub, up;

		if (colon == NULL || cfg->n_pairs == OP25B_MAX_PAIRS)
			return -EINVAL;
		*colon = '\0';
		if (parse_uint(tok, 0, RTE_MAX_ETHPORTS - 1, &sub) != 0 ||
		    parse_uint(colon + 1, 0, RTE_MAX_ETHPORTS - 1, &up) != 0 ||
		    sub == up)
			return -EINVAL;
		cfg->pairs[cfg->n_pairs].sub = (uint16_t)sub;
		cfg->pairs[cfg->n_pairs].up = (uint16_t)up;
		cfg->n_pairs++;
	}
	return cfg->n_pairs > 0 ? 0 : -EINVAL;
}

/* Returns 0, 1 when --help was asked, or -EINVAL after printing why. */
static int
parse_args(int argc, char **argv, struct op25b_config *cfg)
{
	struct option longopts[RTE_DIM(app_options) + 1];
	unsigned long v;
	unsigned int i;
	int opt;

	memset(longopts, 0, sizeof(longopts));
	for (i = 0; i < RTE_DIM(app_options); i++) {
		longopts[i].name = app_options[i].name;
		longopts[i].has_arg = app_options[i].arg ? required_argument
							 : no_argument;
		longopts[i].val = app_options[i].id;
	}
	cfg->pairs[0].sub = 0;
	cfg->pairs[0].up = 1;
	cfg->n_pairs = 1;
	cfg->burst = OP25B_DEFAULT_BURST;
	cfg->status_interval_s = 5;
	optind = 1;
	/* One line per refusal, in our words: getopt's own message would be a
	 * second one, prefixed with the full program path. */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_POLICY:
			cfg->policy_path = optarg;
			break;
		case OPT_PAIRS:
			if (parse_pairs(optarg, cfg) != 0) {
				fprintf(stderr,
					"op25b: --pairs %s: expected SUB:UP[,SUB:UP...] "
					"with distinct port ids (at most %u pairs)\n",
					optarg, OP25B_MAX_PAIRS);
				return -EINVAL;
			}
			break;
		case OPT_BURST:
			if (parse_uint(optarg, 1, OP25B_CLASSIFY_BURST_MAX, &v)) {
				fprintf(stderr, "op25b: --burst %s: expected 1..%u\n",
					optarg, OP25B_CLASSIFY_BURST_MAX);
				return -EINVAL;
			}
			cfg->burst = (uint16_t)v;
			break;
		case OPT_STOP_AFTER_IDLE:
			if (parse_uint(optarg, 1, UINT32_MAX, &v)) {
				fprintf(stderr,
					"op25b: --stop-after-idle %s: expected "
					"milliseconds > 0\n",
					optarg);
				return -EINVAL;
			}
			cfg->stop_after_idle_ms = (uint32_t)v;
			break;
		case OPT_STATUS_INTERVAL:
			if (parse_uint(optarg, 0, 86400, &v)) {
				fprintf(stderr,
					"op25b: --status-interval %s: expected "
					"0..86400 seconds\n",
					optarg);
				return -EINVAL;
			}
			cfg->status_interval_s = (uint32_t)v;
			break;
		case OPT_STATS_JSON:
			cfg->stats_json = optarg;
			break;
		case OPT_HELP:
			return 1;
		default:
			/* getopt sets optopt only for a known option that
			 * lacks its argument. */
			fprintf(stderr, "op25b: %s '%s' (try --help)\n",
				optopt ? "missing the argument of"
				       : "unknown option",
				argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "op25b: unexpected argument '%s'\n",
			argv[optind]);
		return -EINVAL;
	}
	if (cfg->policy_path == NULL) {
		fprintf(stderr, "op25b: --policy FILE is required (try --help)\n");
		return -EINVAL;
	}
	return 0;
}

static struct op25b_policy *
load_policy(const char *path)
{
	struct op25b_policy_error err;
	struct op25b_policy *p;
	char msg[600];
	unsigned int i;

	p = op25b_policy_load(path, &err);
	if (p == NULL) {
		op25b_policy_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "%s\n", msg);
		return NULL;
	}
	for (i = 0; i < p->n_warnings; i++)
		fprintf(stderr, "%s\n", p->warnings[i]);
	return p;
}

static int
create_pool(struct op25b_app *app)
{
	/* Enough for every descriptor of every queue to hold an mbuf, plus
	 * each worker's burst in flight and the per-lcore caches. */
	unsigned int n = app->n_ports * app->n_workers *
				 (OP25B_RX_DESC + OP25B_TX_DESC) +
			 (app->n_workers + 1) *
				 (OP25B_CLASSIFY_BURST_MAX + MBUF_CACHE) +
			 1024;

	app->pool = rte_pktmbuf_pool_create("op25b_mbufs", n, MBUF_CACHE, 0,
					    RTE_MBUF_DEFAULT_BUF_SIZE,
					    (int)rte_socket_id());
	if (app->pool == NULL) {
		fprintf(stderr, "op25b: mbuf pool of %u: %s\n", n,
			rte_strerror(rte_errno));
		return -rte_errno;
	}
	return 0;
}

static int
create_workers(struct op25b_app *app)
{
	unsigned int lcore, i = 0;

	app->n_workers = rte_lcore_count() - 1;
	if (app->n_workers == 0) {
		fprintf(stderr,
			"op25b: no worker lcore: give EAL at least two lcores "
			"(e.g. -l 0-1); the main lcore only controls\n");
		return -EINVAL;
	}
	app->workers = rte_zmalloc("op25b_workers",
				   app->n_workers * sizeof(*app->workers),
				   RTE_CACHE_LINE_SIZE);
	if (app->workers == NULL)
		return -ENOMEM;
	RTE_LCORE_FOREACH_WORKER(lcore) {
		app->workers[i].lcore_id = lcore;
		app->workers[i].queue = (uint16_t)i;
		i++;
	}
	return 0;
}

static uint64_t
last_activity_tsc(const struct op25b_app *app)
{
	uint64_t last = app->start_tsc;
	unsigned int i;

	for (i = 0; i < app->n_workers; i++) {
		uint64_t t = __atomic_load_n(&app->workers[i].last_rx_tsc,
					     __ATOMIC_RELAXED);

		if (t > last)
			last = t;
	}
	return last;
}

/* The control loop: wake every 10 ms for signals, idleness and status. */
static void
control_loop(struct op25b_app *app)
{
	const struct op25b_config *cfg = &app->config;
	uint64_t hz = rte_get_tsc_hz();
	uint64_t next_status = app->start_tsc + cfg->status_interval_s * hz;

	for (;;) {
		uint64_t now;

		usleep(10000);
		if (signal_received) {
			printf("op25b: %s, stopping\n",
			       strsignal(signal_received));
			break;
		}
		now = rte_rdtsc();
		if (cfg->stop_after_idle_ms != 0 &&
		    now - last_activity_tsc(app) >
			    cfg->stop_after_idle_ms * hz / 1000) {
			printf("op25b: idle for %" PRIu32 " ms, stopping\n",
			       cfg->stop_after_idle_ms);
			break;
		}
		if (cfg->status_interval_s != 0 && now >= next_status) {
			op25b_report_status_line(app, stdout);
			next_status = now + cfg->status_interval_s * hz;
		}
	}
	atomic_store_explicit(&app->stop, true, memory_order_relaxed);
	rte_eal_mp_wait_lcore();
}

int
main(int argc, char **argv)
{
	static struct op25b_app app;
	struct rte_eth_stats stats[OP25B_MAX_PORTS];
	struct op25b_classifier *classifier;
	unsigned int lcore, i;
	int ret, eal_args, exit_code = EXIT_FAILURE;

	for (i = 1; i < (unsigned int)argc; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			usage(stdout, argv[0]);
			return EXIT_SUCCESS;
		}
		if (strcmp(argv[i], "--") == 0)
			break;
	}
	eal_args = rte_eal_init(argc, argv);
	if (eal_args < 0) {
		fprintf(stderr, "op25b: EAL init failed: %s\n",
			rte_strerror(rte_errno));
		return EXIT_FAILURE;
	}
	argv[eal_args] = argv[0];
	ret = parse_args(argc - eal_args, argv + eal_args, &app.config);
	if (ret != 0) {
		if (ret > 0) {
			usage(stdout, argv[0]);
			exit_code = EXIT_SUCCESS;
		}
		goto out_eal;
	}

	app.policy = load_policy(app.config.policy_path);
	if (app.policy == NULL)
		goto out_eal;
	classifier = op25b_classifier_create(app.policy, (int)rte_socket_id());
	if (classifier == NULL) {
		fprintf(stderr, "op25b: %s: compiling the tables failed: %s\n",
			app.config.policy_path, rte_strerror(rte_errno));
		goto out_policy;
	}
	atomic_store_explicit(&app.classifier, classifier,
			      memory_order_release);
	if (op25b_ports_check(&app) != 0 || create_workers(&app) != 0 ||
	    create_pool(&app) != 0)
		goto out_classifier;
	if (op25b_ports_start(&app) != 0)
		goto out_pool;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("op25b: policy %s: %u classes, %u destination groups, %zu KB "
	       "of tables; %u worker(s), %u port pair(s)\n",
	       app.config.policy_path, app.policy->n_classes,
	       app.policy->n_groups, op25b_classifier_memory(classifier) / 1024,
	       app.n_workers, app.config.n_pairs);
	fflush(stdout);

	op25b_worker_app = &app;
	app.start_tsc = rte_rdtsc();
	i = 0;
	RTE_LCORE_FOREACH_WORKER(lcore) {
		rte_eal_remote_launch(op25b_worker_main, &app.workers[i], lcore);
		i++;
	}
	control_loop(&app);

	op25b_ports_stop(&app, stats);
	op25b_report_print(&app, stats, stdout);
	printf("mempool: %u of %u mbufs free\n",
	       rte_mempool_avail_count(app.pool), app.pool->size);
	exit_code = EXIT_SUCCESS;
	if (app.config.stats_json != NULL) {
		ret = op25b_report_json(&app, stats, app.config.stats_json);
		if (ret != 0) {
			fprintf(stderr, "op25b: %s: %s\n", app.config.stats_json,
				strerror(-ret));
			exit_code = EXIT_FAILURE;
		}
	}
	if (rte_mempool_avail_count(app.pool) != app.pool->size) {
		fprintf(stderr, "op25b: %u mbufs were not returned\n",
			app.pool->size - rte_mempool_avail_count(app.pool));
		exit_code = EXIT_FAILURE;
	}
	goto out_pool;

out_pool:
	rte_mempool_free(app.pool);
out_classifier:
	rte_free(app.workers);
	op25b_classifier_free(atomic_load(&app.classifier));
out_policy:
	op25b_policy_free(app.policy);
out_eal:
	rte_eal_cleanup();
	return exit_code;
}
