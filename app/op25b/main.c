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
#include <pthread.h>
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
#include <rte_rcu_qsbr.h>

#include "op25b_app.h"
#include "op25b_classify_path.h"
#include "op25b_options.h"

#define MBUF_CACHE 256

/* Options as a table: getopt's array, --help and the plain fields of the
 * config are all made from it; parse_args() handles the rest. */
enum option_id {
	OPT_PAIRS = OP25B_OPTION_LONG_ONLY,
	OPT_STOP_AFTER_IDLE,
	OPT_STATUS_INTERVAL,
	OPT_CLASSIFIER_PATH,
	OPT_CLASSIFIER_PREPASS,
	OPT_HELP,
};

#define CFG struct op25b_config
/* Defaults as the help prints them, from the numbers the code sets. */
#define BURST_S RTE_STR(OP25B_DEFAULT_BURST)
#define INTERVAL_S RTE_STR(OP25B_RECORDS_INTERVAL_DEFAULT)
#define TABLE_S RTE_STR(OP25B_RECORDS_TABLE_DEFAULT)
#define RING_S RTE_STR(OP25B_RECORDS_RING_DEFAULT)
#define SOURCES_S RTE_STR(OP25B_RECORDS_SOURCES_DEFAULT)
#define RATE_S RTE_STR(OP25B_RECORDS_RATE_DEFAULT)

static const struct op25b_option app_options[] = {
	OP25B_OPTION_STR("policy", 0, "FILE", "the YAML policy (required)", CFG,
			 policy_path),
	OP25B_OPTION("pairs", OPT_PAIRS, "SUB:UP[,SUB:UP...]",
		     "port pairs: SUB is classified and sent to UP, UP goes "
		     "back to SUB untouched (default 0:1); a bond's port, "
		     "never its members"),
	OP25B_OPTION_UINT("burst", 0, "N",
			  "RX burst size, 1..64 (default " BURST_S "; a "
			  "multiple of 8 on PCI NICs, whose vector RX rounds "
			  "it down)",
			  CFG, burst, 1, OP25B_CLASSIFY_BURST_MAX, NULL),
	OP25B_OPTION("stop-after-idle", OPT_STOP_AFTER_IDLE, "MS",
		     "exit after MS milliseconds without a packet (pcap "
		     "replays; a worker stalled in a call is not idle)"),
	OP25B_OPTION("status-interval", OPT_STATUS_INTERVAL, "SECONDS",
		     "print a status line every SECONDS (default 5, 0: "
		     "never)"),
	OP25B_OPTION_STR("stats-json", 0, "FILE",
			 "write the final counters to FILE as JSON", CFG,
			 stats_json),
	OP25B_OPTION_NAME("instance name: counters in /dev/shm/op25b.NAME, "
			  "read by op25b-stat --name NAME (default op25b)",
			  CFG, instance, OP25B_STATS_NAME_MAX),
	OP25B_OPTION_FLAG("interactive", 'i',
			  "the op25b> command prompt on this terminal (quit "
			  "stops op25b); the status line is off unless asked "
			  "for",
			  CFG, interactive),
	OP25B_OPTION_STR("cmdline-file", 0, "FILE",
			 "run the CLI commands in FILE before the ports start; "
			 "one failing stops op25b, nothing forwarded",
			 CFG, cmdline_file),
	OP25B_OPTION_STR("cli-socket", 0, "PATH",
			 "the control socket op25b-cli connects to (default "
			 "/run/op25b/NAME.sock, mode 0600; none: no socket)",
			 CFG, cli_socket),
	OP25B_OPTION_UINT("mbufs", 0, "N",
			  "mbufs in the pool (default: one per descriptor of "
			  "every queue, plus bursts and caches; more for deep "
			  "NIC rings or net_pcap infinite_rx captures, which "
			  "keep one a frame: op25b says how many; fewer than "
			  "the RX rings and bursts hold is warned about)",
			  CFG, mbufs, 1024, 1u << 26, NULL),
	OP25B_OPTION_UINT("max-pkt-len", 0, "N",
			  "the longest frame, CRC included, 1518..65535 "
			  "(default 1526: MTU 1500 with two VLAN tags); every "
			  "port gets the MTU it implies, and chains of mbufs "
			  "when a frame does not fit one",
			  CFG, max_pkt_len, RTE_ETHER_MAX_LEN, UINT16_MAX,
			  " bytes"),
	OP25B_OPTION_UINT("mbuf-size", 0, "N",
			  "mbuf data room, headroom (128) included, "
			  "1024..65535 (default 2176); a port that cannot "
			  "chain mbufs needs one that holds a whole frame",
			  CFG, mbuf_size, 1024, UINT16_MAX, " bytes"),
	OP25B_OPTION_STR("audit-log", 0, "FILE",
			 "where exemptions, reloads and switches are logged "
			 "(default /var/log/op25b/NAME.audit.log)",
			 CFG, audit_log),
	OP25B_OPTION_STR("state-dir", 0, "DIR",
			 "exemptions are kept in DIR/NAME.exemptions, "
			 "rewritten before each change answers and restored "
			 "at start (default /var/lib/op25b, created if "
			 "missing)",
			 CFG, state_dir),
	OP25B_OPTION_UINT("adaptive-entries", 0, "N",
			  "sources the adaptive table tracks, 64..1073741824 "
			  "(default 1000000, 136 bytes each); made when a "
			  "policy first has an adaptive class",
			  CFG, adaptive_entries, OP25B_ADAPTIVE_MIN_ENTRIES,
			  1ul << 30, NULL),
	OP25B_OPTION_STR("block-records", 0, "FILE|syslog",
			 "one JSON line per blocked source per interval for "
			 "the abuse desk, appended to FILE (reopened on "
			 "SIGUSR1 or records reopen), or to syslog (RFC 5424's "
			 "MSGID and structured data at the head of the "
			 "message text, through syslog(3)); the "
			 "--block-records-* options below need it",
			 CFG, records_path),
	OP25B_OPTION_UINT(
		"block-records-interval", 0, "SECONDS",
		"the block records' interval, 1..86400 (default " INTERVAL_S
		")",
		CFG, records_interval_s, 1, 86400, " seconds"),
	OP25B_OPTION_UINT("block-records-table", 0, "N",
			  "sources each worker's block-records table holds in "
			  "an interval, 16..1048576, rounded up to a power of "
			  "two (default " TABLE_S ", 180 bytes each); the rest "
			  "are handed over frame by frame",
			  CFG, records_table, 16, 1u << 20, NULL),
	OP25B_OPTION_UINT("block-records-ring", 0, "N",
			  "records each worker's ring to the control lcore "
			  "holds, 1..1048576 (default " RING_S "); what does "
			  "not fit is counted as records_dropped",
			  CFG, records_ring, 1, 1u << 20, NULL),
	OP25B_OPTION_UINT("block-records-sources", 0, "N",
			  "sources the control lcore merges in an interval, "
			  "1024..16777216 (default " SOURCES_S ", about 300 "
			  "bytes each); records of further sources are counted "
			  "as records_dropped",
			  CFG, records_sources, 1024, 1u << 24, NULL),
	OP25B_OPTION_UINT("block-records-rate", 0, "N",
			  "blocked (and would-block) frames a second each "
			  "worker counts into block records, 0..1000000000 "
			  "(default " RATE_S ", 0: every frame; a second's "
			  "worth at once); a flood's frames over it are "
			  "counted as records_over_rate, in no record",
			  CFG, records_rate, 0, 1000000000u, " frames/s"),
	OP25B_OPTION("classifier-path", OPT_CLASSIFIER_PATH, "PATH",
		     "auto (default: the widest the CPU offers within the "
		     "EAL's --force-max-simd-bitwidth; without it 512 bits "
		     "on an AMD CPU and on Intel's Sapphire and Emerald "
		     "Rapids (no clock cost to show), 256 elsewhere; scalar "
		     "where Linux reports the GDS mitigation, which slows "
		     "gathers), avx2, avx512 (IPv4 and IPv6 "
		     "lookups by hardware gathers and the decisions after "
		     "them by vectors, 8 or 16 at a time) or scalar"),
	OP25B_OPTION("classifier-prepass", OPT_CLASSIFIER_PREPASS, NULL,
		     "on a vector path, also settle plain non-SMTP frames in "
		     "bulk before the parser (slower than the parser on the "
		     "machines we test, see doc/bench.md)"),
	OP25B_OPTION("help", OPT_HELP, NULL, "this text"),
};

#undef CFG

static void
usage(FILE *out, const char *prog)
{
	fprintf(out,
		"usage: %s [EAL options] -- --policy FILE [options]\n\n"
		"Outbound Port 25 Blocking between port pairs. Each worker lcore "
		"(every lcore\nbut the main one) polls one queue on every port.\n\n"
		"options:\n",
		prog);
	op25b_options_help(out, app_options, RTE_DIM(app_options), NULL, 26);
	fprintf(out,
		"\nSIGHUP reloads the policy file without stopping traffic; "
		"SIGINT or SIGTERM\nstop; SIGUSR1 reopens the audit log and "
		"the block records' file (logrotate).\nCounters: op25b-stat "
		"--name NAME, "
		"DPDK telemetry /op25b/stats.\n"
		"Commands (help lists them): -i here, or op25b-cli --name NAME "
		"from anywhere.\n"
		"\nexample (no NIC needed; the policy the package installs, "
		"config/op25b.yaml in a\nsource tree):\n"
		"  %s -l 0-1 --no-pci --no-huge -m 1024 \\\n"
		"      --vdev net_pcap0,rx_pcap=in.pcap,tx_pcap=replies.pcap \\\n"
		"      --vdev net_pcap1,tx_pcap=out.pcap \\\n"
		"      -- --policy /etc/op25b/op25b.yaml --stop-after-idle 500\n",
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
/* --classifier-path NAME: a path of op25b_classify_path.h, or auto (-1). */
static int
parse_classifier_path(const char *arg, int *path)
{
	int p;

	if (strcmp(arg, "auto") == 0) {
		*path = -1;
		return 0;
	}
	for (p = 0; p < OP25B_CLASSIFY_PATH_MAX; p++)
		if (strcmp(arg, op25b_classify_path_name(p)) == 0) {
			*path = p;
			return 0;
		}
	fprintf(stderr,
		"op25b: --classifier-path %s: expected scalar, avx2, avx512 or "
		"auto\n",
		arg);
	return -EINVAL;
}

/* A --block-records-* option given without --block-records (the first in
 * the options' table, --help's order), or
 * NULL: alone it changes nothing, and an operator who forgot the file
 * would believe records were kept. */
static const char *
records_option_alone(const struct op25b_getopt *g,
		     const struct op25b_config *cfg)
{
	static const char prefix[] = "block-records-";
	size_t i;

	if (cfg->records_path != NULL)
		return NULL;
	for (i = 0; i < g->n; i++)
		if (g->given[i] &&
		    strncmp(g->opts[i].name, prefix, sizeof(prefix) - 1) == 0)
			return g->opts[i].name;
	return NULL;
}

static int
parse_args(int argc, char **argv, struct op25b_config *cfg)
{
	struct op25b_getopt g;
	const char *alone;
	unsigned long v;
	int opt;

	op25b_options_getopt(&g, app_options, RTE_DIM(app_options), NULL, NULL);
	cfg->pairs[0].sub = 0;
	cfg->pairs[0].up = 1;
	cfg->n_pairs = 1;
	cfg->burst = OP25B_DEFAULT_BURST;
	cfg->adaptive_entries = OP25B_ADAPTIVE_DEFAULT_ENTRIES;
	cfg->max_pkt_len = OP25B_DEFAULT_MAX_PKT_LEN;
	cfg->mbuf_size = RTE_MBUF_DEFAULT_BUF_SIZE;
	cfg->status_interval_s = 5;
	cfg->instance = "op25b";
	cfg->records_interval_s = OP25B_RECORDS_INTERVAL_DEFAULT;
	cfg->records_table = OP25B_RECORDS_TABLE_DEFAULT;
	cfg->records_ring = OP25B_RECORDS_RING_DEFAULT;
	cfg->records_sources = OP25B_RECORDS_SOURCES_DEFAULT;
	cfg->records_rate = OP25B_RECORDS_RATE_DEFAULT;
	cfg->classifier_path = -1;
	bool status_given = false;
	optind = 1;
	/* One line per refusal, in our words: getopt's own message would be a
	 * second one, prefixed with the full program path. */
	opterr = 0;
	while ((opt = op25b_options_next(&g, "op25b", argc, argv, cfg)) > 0) {
		switch (opt) {
		case OPT_PAIRS:
			if (parse_pairs(optarg, cfg) != 0) {
				fprintf(stderr,
					"op25b: --pairs %s: expected SUB:UP[,SUB:UP...] "
					"with distinct port ids (at most %u pairs)\n",
					optarg, OP25B_MAX_PAIRS);
				return -EINVAL;
			}
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
			if (op25b_option_uint("op25b", "status-interval",
					      optarg, 0, 86400, " seconds",
					      &v) != 0)
				return -EINVAL;
			cfg->status_interval_s = (uint32_t)v;
			status_given = true;
			break;
		case OPT_CLASSIFIER_PATH:
			if (parse_classifier_path(optarg,
						  &cfg->classifier_path) != 0)
				return -EINVAL;
			break;
		case OPT_CLASSIFIER_PREPASS:
			cfg->classifier_prepass = true;
			break;
		case OPT_HELP:
			return 1;
		default:
			return op25b_option_refused("op25b", argv[optind - 1]);
		}
	}
	if (opt < 0)
		return opt;
	if (optind < argc) {
		fprintf(stderr, "op25b: unexpected argument '%s'\n",
			argv[optind]);
		return -EINVAL;
	}
	if (cfg->policy_path == NULL) {
		fprintf(stderr,
			"op25b: --policy FILE is required (try --help)\n");
		return -EINVAL;
	}
	alone = records_option_alone(&g, cfg);
	if (alone != NULL) {
		fprintf(stderr,
			"op25b: --%s needs --block-records FILE|syslog: "
			"without it no block records are kept\n",
			alone);
		return -EINVAL;
	}
	/* Status lines would write over the prompt. */
	if (cfg->interactive && !status_given)
		cfg->status_interval_s = 0;
	return 0;
}

static struct op25b_policy *
load_policy(const char *path)
{
	struct op25b_policy_error err;
	struct op25b_policy *p;
	char msg[OP25B_POLICY_ERROR_TEXT_MAX];
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
	 * each worker's burst in flight and the per-lcore caches. A frame of
	 * several segments takes one RX descriptor per segment on a NIC, but
	 * whole frames sit in a software TX ring (net_ring) and in a burst:
	 * those count every segment a received frame may take. */
	unsigned int segs = op25b_ports_rx_segments(&app->config);
	unsigned int bursts = (app->n_workers + 1) *
			      (OP25B_CLASSIFY_BURST_MAX * segs + MBUF_CACHE);
	unsigned int rx = app->n_ports * app->n_workers * OP25B_RX_DESC;
	unsigned int n = app->n_ports * app->n_workers * OP25B_TX_DESC * segs +
			 rx + bursts + 1024;

	/* Fewer than the RX rings and the bursts hold: a NIC fills its
	 * rings at start and may refuse to (ENOMEM), or receive into what
	 * is left and count rx_nombuf. A vdev without rings runs with
	 * fewer, so this is said, not refused. */
	if (app->config.mbufs != 0 && app->config.mbufs < rx + bursts)
		fprintf(stderr,
			"op25b: warning: --mbufs %u is fewer than the %u the "
			"ports' RX rings (%u port(s) x %u queue(s) x %u "
			"descriptors) and the bursts hold: a NIC may refuse "
			"to start or drop frames as rx_nombuf, and its TX "
			"rings hold more under load (the default, without "
			"--mbufs: %u)\n",
			app->config.mbufs, rx + bursts, app->n_ports,
			app->n_workers, OP25B_RX_DESC, n);
	if (app->config.mbufs != 0)
		n = app->config.mbufs;

	app->pool = rte_pktmbuf_pool_create("op25b_mbufs", n, MBUF_CACHE, 0,
					    app->config.mbuf_size,
					    (int)rte_socket_id());
	if (app->pool == NULL) {
		fprintf(stderr, "op25b: mbuf pool of %u x %u bytes: %s\n", n,
			app->config.mbuf_size, rte_strerror(rte_errno));
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
	if (app->n_workers > OP25B_STATS_MAX_WORKERS) {
		fprintf(stderr, "op25b: at most %d worker lcores\n",
			OP25B_STATS_MAX_WORKERS);
		return -EINVAL;
	}
	app->workers = rte_zmalloc("op25b_workers",
				   app->n_workers * sizeof(*app->workers),
				   RTE_CACHE_LINE_SIZE);
	if (app->workers == NULL)
		return -ENOMEM;
	RTE_LCORE_FOREACH_WORKER (lcore) {
		app->workers[i].lcore_id = lcore;
		app->workers[i].queue = (uint16_t)i;
		app->workers[i].rcu_id = i;
		i++;
	}
	return 0;
}

/* The shared-memory segment: the workers' counter blocks, and the ports
 * as the header describes them. */
static int
create_stats(struct op25b_app *app)
{
	struct op25b_stats_header *h;
	unsigned int i, k;

	app->stats = op25b_stats_writer_create(
		app->config.instance, app->n_workers, rte_get_tsc_hz());
	if (app->stats == NULL) {
		char path[OP25B_STATS_PATH_MAX];
		int err = -errno;

		if (err == -EEXIST)
			fprintf(stderr,
				"op25b: another op25b runs as '%s' (give this "
				"one --name)\n",
				app->config.instance);
		else if (err == -EPERM &&
			 op25b_stats_path(app->config.instance, path,
					  sizeof(path)) == 0)
			fprintf(stderr,
				"op25b: %s belongs to another user, not root, "
				"and a process holds it: not an op25b of ours "
				"(/dev/shm is every local user's); remove it, "
				"or give this one --name\n",
				path);
		else
			fprintf(stderr, "op25b: shared memory for '%s': %s\n",
				app->config.instance, strerror(-err));
		return err;
	}
	for (i = 0; i < app->n_workers; i++)
		app->workers[i].stats =
			op25b_stats_writer_worker(app->stats, i);
	h = op25b_stats_writer_header(app->stats);
	op25b_stats_writer_layout_begin(app->stats);
	h->n_ports = app->n_ports;
	for (i = 0; i < app->n_ports; i++) {
		h->ports[i].port_id = app->ports[i];
		snprintf(h->ports[i].name, sizeof(h->ports[i].name), "%s",
			 app->port_names[i]);
		for (k = 0; k < app->config.n_pairs; k++)
			if (app->config.pairs[k].sub == app->ports[i])
				h->ports[i].is_subscriber = 1;
	}
	/* Each block's lcore now, in the layout's change, not when its
	 * worker starts: the policy's compile and the ports' start come
	 * first, and every worker read as lcore 0 until then (two
	 * worker_*_total{lcore="0"} series in a scrape). The worker
	 * writes the same again. */
	for (i = 0; i < app->n_workers; i++)
		app->workers[i].stats->lcore_id = app->workers[i].lcore_id;
	op25b_stats_writer_layout_end(app->stats);
	return 0;
}

/* Workers report a quiescent state once a loop; a reload waits for all of
 * them before it frees the tables they might still be reading. */
static int
create_rcu(struct op25b_app *app)
{
	size_t size = rte_rcu_qsbr_get_memsize(app->n_workers);
	unsigned int i;

	app->qsbr = rte_zmalloc("op25b_qsbr", size, RTE_CACHE_LINE_SIZE);
	if (app->qsbr == NULL ||
	    rte_rcu_qsbr_init(app->qsbr, app->n_workers) != 0)
		return -ENOMEM;
	for (i = 0; i < app->n_workers; i++)
		if (rte_rcu_qsbr_thread_register(app->qsbr, i) != 0)
			return -EINVAL;
	return 0;
}

/* The final report, from a snapshot of the segment (as op25b-stat sees
 * it), by op25b's own mapping of it: its name may be gone (removed by
 * hand) or another op25b's. Returns 0 or -errno. */
static int
final_report(struct op25b_app *app)
{
	int err;
	struct op25b_stats_snapshot *snap = op25b_app_snapshot(app, 1000, &err);

	if (snap == NULL) {
		fprintf(stderr,
			"op25b: reading the final counters failed: %s\n",
			strerror(-err));
		return -EIO;
	}
	op25b_report_print(snap, stdout);
	printf("mempool: %u of %u mbufs free\n",
	       rte_mempool_avail_count(app->pool), app->pool->size);
	printf("classifier path: %s\n",
	       op25b_classify_path_name(op25b_classify_path_get()));
	if (app->config.stats_json != NULL) {
		err = op25b_report_json(snap, app->pool,
					app->config.stats_json);
		if (err != 0)
			fprintf(stderr, "op25b: %s: %s\n",
				app->config.stats_json, strerror(-err));
	}
	free(snap);
	return err;
}

int
main(int argc, char **argv)
{
	static struct op25b_app app;
	unsigned int lcore, i;
	int ret, signo, eal_args, exit_code = EXIT_FAILURE;
	sigset_t control_signals;

	for (i = 1; i < (unsigned int)argc; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			usage(stdout, argv[0]);
			return EXIT_SUCCESS;
		}
		if (strcmp(argv[i], "--") == 0)
			break;
	}
	op25b_control_install_signals();
	/* Blocked while the EAL makes its threads (lcores, interrupts,
	 * telemetry, which inherit the mask): only this one, the control
	 * lcore, takes them. A signal that landed on the telemetry thread
	 * would end its accept() with EINTR, and the thread with it. One
	 * sent meanwhile waits, and is taken below. */
	sigemptyset(&control_signals);
	sigaddset(&control_signals, SIGHUP);
	sigaddset(&control_signals, SIGINT);
	sigaddset(&control_signals, SIGTERM);
	sigaddset(&control_signals, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &control_signals, NULL);
	eal_args = rte_eal_init(argc, argv);
	pthread_sigmask(SIG_UNBLOCK, &control_signals, NULL);
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

	/* Before any worker classifies: the path is read once per burst. */
	if (app.config.classifier_path < 0)
		op25b_classify_path_select();
	else if (op25b_classify_path_set(app.config.classifier_path) != 0) {
		fprintf(stderr,
			"op25b: --classifier-path %s: this CPU does not offer "
			"it (try auto)\n",
			op25b_classify_path_name(app.config.classifier_path));
		goto out_eal;
	}
	op25b_classify_prepass_set(app.config.classifier_prepass);
	app.policy = load_policy(app.config.policy_path);
	if (app.policy == NULL)
		goto out_eal;
	if (op25b_ports_check(&app) != 0 || create_workers(&app) != 0 ||
	    create_stats(&app) != 0)
		goto out_workers;
	if (create_rcu(&app) != 0 || op25b_control_start(&app) != 0 ||
	    create_pool(&app) != 0)
		goto out_classifier;
	op25b_telemetry_register(&app);
	if (op25b_records_start(&app) != 0)
		goto out_records;
	if (op25b_app_exempt_start(&app) != 0)
		goto out_records;
	if (op25b_cli_start(&app) != 0)
		goto out_exempt;
	/* The start-up commands before the ports start: no packet passes
	 * under a policy, switch or exemption list the file was about to
	 * change, and a file that fails forwards nothing. */
	ret = op25b_cli_run_file(&app, app.config.cmdline_file);
	if (ret > 0) {
		printf("op25b: quit, stopping\n");
		exit_code = EXIT_SUCCESS;
	}
	/* A SIGTERM or SIGINT during the start-up (the EAL's init, the
	 * policy's compile: seconds; `systemctl stop` of a unit still
	 * starting) stops it here, before a port forwards a frame. */
	if (ret == 0 && (signo = op25b_control_stop_signal()) != 0) {
		printf("op25b: %s during the start-up, stopping before the "
		       "ports start\n",
		       strsignal(signo));
		exit_code = EXIT_SUCCESS;
		ret = 1;
	}
	/* A stop asked for (quit in the start-up file, a signal): to a
	 * Type=notify unit, an exit before READY=1 is a failure it would
	 * restart; ready and stopping at once make it a clean stop. */
	if (ret > 0)
		op25b_service_notify("READY=1\nSTOPPING=1");
	if (ret != 0 || op25b_ports_start(&app) != 0)
		goto out_cli;

	printf("op25b: policy %s: %u classes, %u destination groups, %zu KB "
	       "of tables; %u worker(s), %u port pair(s); counters in "
	       "/dev/shm/op25b.%s\n",
	       app.config.policy_path, app.policy->n_classes,
	       app.policy->n_groups,
	       op25b_classifier_memory(atomic_load(&app.classifier)) / 1024,
	       app.n_workers, app.config.n_pairs, app.config.instance);
	op25b_control_monitor_note(app.policy);
	printf("op25b: commands: op25b-cli --name %s (socket %s); audit log "
	       "%s; exemptions kept in %s\n",
	       app.config.instance, app.config.cli_socket, app.config.audit_log,
	       app.state_path);
	printf("op25b: classifier path %s%s%s\n",
	       op25b_classify_path_name(op25b_classify_path_get()),
	       op25b_classify_prepass_get() ? " with the pre-pass" : "",
	       op25b_classify_path_gathers_slow()
		       ? " (auto: Linux reports the GDS mitigation, which "
			 "slows the vector paths' gathers; --classifier-path "
			 "avx2 or avx512 takes them anyway)"
		       : "");
	fflush(stdout);

	op25b_worker_app = &app;
	app.start_tsc = rte_rdtsc();
	i = 0;
	RTE_LCORE_FOREACH_WORKER (lcore) {
		rte_eal_remote_launch(op25b_worker_main, &app.workers[i],
				      lcore);
		i++;
	}
	if (op25b_cli_start_terminal(&app) != 0) {
		op25b_control_request_stop();
		app.exit_code = EXIT_FAILURE;
	}
	/* Ready once the ports forward under the policy and the workers
	 * run: `systemctl start` (Type=notify) returns now, and fails when
	 * op25b exits before this (a policy, port or start-up command that
	 * failed) rather than say it started. */
	ret = op25b_service_notify("READY=1");
	if (ret != 0)
		fprintf(stderr, "op25b: cannot notify $NOTIFY_SOCKET: %s\n",
			strerror(-ret));
	op25b_control_loop(&app);
	op25b_service_notify("STOPPING=1");
	/* Every record out before the report, as the abuse desk's file
	 * and the counters must agree. */
	op25b_records_stop(&app);
	op25b_cli_stop(&app);

	/* Driver figures before the ports close; the report after, when
	 * every mbuf is back in the pool. */
	op25b_ports_publish_stats(&app);
	op25b_app_adaptive_final(&app);
	op25b_ports_stop(&app);
	exit_code = final_report(&app) == 0 ? app.exit_code : EXIT_FAILURE;
	if (rte_mempool_avail_count(app.pool) != app.pool->size) {
		fprintf(stderr, "op25b: %u mbufs were not returned\n",
			app.pool->size - rte_mempool_avail_count(app.pool));
		exit_code = EXIT_FAILURE;
	}

	op25b_app_exempt_stop(&app);
	op25b_records_free(&app);
	goto out_pool;
out_cli:
	op25b_cli_stop(&app);
out_exempt:
	op25b_app_exempt_stop(&app);
out_records:
	op25b_records_free(&app);
out_pool:
	rte_mempool_free(app.pool);
out_classifier:
	op25b_classifier_free(atomic_load(&app.classifier));
	op25b_app_adaptive_stop(&app);
	rte_free(app.qsbr);
out_workers:
	op25b_stats_writer_destroy(app.stats);
	rte_free(app.workers);
	op25b_policy_free(app.policy);
out_eal:
	rte_eal_cleanup();
	return exit_code;
}
