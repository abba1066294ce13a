/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Classifier micro-benchmark (not a test: it asserts nothing about speed).
 *
 * Loads a policy whose dynamic pool is a prefixes_file (typically a million
 * prefixes from `op25b-gen pools`), compiles it, then measures with rdtsc
 * the cycles per packet of op25b_classifier_classify_burst() over
 * pre-built mbufs:
 *   (a) non-SMTP traffic (TCP 443 and UDP 53),
 *   (b) port-25 SYNs from random sources inside random pool prefixes, to
 *       random destinations (the worst case: every packet takes both
 *       lookups),
 *   (c) the same for IPv6 when the pool file has IPv6 prefixes.
 *
 * The packets are a working set that stays in cache (4096 by default), as
 * after a PMD's RX burst has just written the mbufs; the tables are not:
 * their misses are what this measures.
 *
 * usage: bench_classify [EAL options] -- --pools FILE [--burst N]
 *        [--packets N] [--rounds N] [--only non-smtp|syn4|syn6]
 * (--only with valgrind --tool=callgrind gives exact instructions/packet)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include "op25b_classify.h"
#include "op25b_craft.h"
#include "op25b_policy.h"

struct options {
	const char *pools;
	unsigned int burst;
	unsigned int packets;
	unsigned int rounds;
	int only; /* -1: every profile */
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t
rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* A random address inside a random prefix of @family from the pool. */
static int
random_source(const struct op25b_prefix_list *pool, int family, uint8_t *addr)
{
	static const struct op25b_prefix **of_family[2];
	static size_t n_of_family[2];
	int f = family == AF_INET6;
	const struct op25b_prefix *p;
	unsigned int b;
	size_t i;

	if (of_family[f] == NULL) {
		of_family[f] = calloc(pool->count + 1, sizeof(*of_family[f]));
		if (of_family[f] == NULL)
			return -1;
		for (i = 0; i < pool->count; i++)
			if (pool->prefixes[i].family == family)
				of_family[f][n_of_family[f]++] =
					&pool->prefixes[i];
	}
	if (n_of_family[f] == 0)
		return -1;
	p = of_family[f][rng() % n_of_family[f]];
	for (b = 0; b < 16; b++)
		addr[b] = (uint8_t)rng();
	for (b = 0; b < p->length; b++) {
		uint8_t bit = 0x80 >> (b % 8);

		addr[b / 8] = (uint8_t)((addr[b / 8] & ~bit) |
					(p->addr[b / 8] & bit));
	}
	return 0;
}

enum profile { PROFILE_NON_SMTP, PROFILE_SYN4, PROFILE_SYN6 };

static int
build_mbufs(struct rte_mempool *mp, struct rte_mbuf **m, unsigned int n,
	    enum profile profile, const struct op25b_prefix_list *pool)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct op25b_craft_spec spec;
		int len, b;

		op25b_craft_spec_init(&spec);
		spec.family = profile == PROFILE_SYN6 ? AF_INET6 : AF_INET;
		for (b = 0; b < 16; b++) {
			spec.src[b] = (uint8_t)rng();
			spec.dst[b] = (uint8_t)rng();
		}
		if (profile == PROFILE_NON_SMTP) {
			spec.dport = 443;
			if (i % 4 == 3) {
				spec.proto = 17;
				spec.dport = 53;
			}
		} else if (random_source(pool, spec.family, spec.src) != 0) {
			return -ENOENT;
		}
		spec.sport = (uint16_t)(1024 + rng() % 60000);
		m[i] = rte_pktmbuf_alloc(mp);
		if (m[i] == NULL)
			return -ENOMEM;
		len = op25b_craft_build(&spec, rte_pktmbuf_mtod(m[i], uint8_t *),
					rte_pktmbuf_tailroom(m[i]));
		if (len < 0)
			return len;
		m[i]->data_len = (uint16_t)len;
		m[i]->pkt_len = (uint32_t)len;
	}
	return 0;
}

#define REPEATS 9

static int
compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Cycles per packet over @rounds passes of all @n mbufs in bursts, timed
 * REPEATS times: the minimum is the figure (a shared guest only ever adds
 * noise), the median shows how noisy the run was.
 */
static void
measure(const struct op25b_classifier *c, struct rte_mbuf **m, unsigned int n,
	unsigned int burst, unsigned int rounds,
	struct op25b_stats_counters *counters, double *min, double *median)
{
	struct op25b_classify_result results[OP25B_CLASSIFY_BURST_MAX];
	double cpp[REPEATS];
	unsigned int k, r, i;

	/* One warm-up pass: page-in and caches as in steady state. */
	for (i = 0; i + burst <= n; i += burst)
		op25b_classifier_classify_burst(c, NULL, m + i, (uint16_t)burst,
						results, counters);
	for (k = 0; k < REPEATS; k++) {
		uint64_t start = rte_rdtsc_precise();

		for (r = 0; r < rounds; r++)
			for (i = 0; i + burst <= n; i += burst)
				op25b_classifier_classify_burst(
					c, NULL, m + i, (uint16_t)burst, results,
					counters);
		cpp[k] = (double)(rte_rdtsc_precise() - start) /
			 ((double)rounds * (n / burst) * burst);
	}
	qsort(cpp, REPEATS, sizeof(cpp[0]), compare_double);
	*min = cpp[0];
	*median = cpp[REPEATS / 2];
}

static int
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{"pools", required_argument, NULL, 'p'},
		{"burst", required_argument, NULL, 'b'},
		{"packets", required_argument, NULL, 'n'},
		{"rounds", required_argument, NULL, 'r'},
		{"only", required_argument, NULL, 'o'},
		{NULL, 0, NULL, 0},
	};
	int opt;

	o->burst = 32;
	o->packets = 4096;
	o->rounds = 50;
	o->only = -1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			o->pools = optarg;
			break;
		case 'b':
			o->burst = (unsigned int)atoi(optarg);
			break;
		case 'n':
			o->packets = (unsigned int)atoi(optarg);
			break;
		case 'r':
			o->rounds = (unsigned int)atoi(optarg);
			break;
		case 'o':
			o->only = strcmp(optarg, "non-smtp") == 0 ? PROFILE_NON_SMTP
				  : strcmp(optarg, "syn4") == 0	  ? PROFILE_SYN4
				  : strcmp(optarg, "syn6") == 0	  ? PROFILE_SYN6
								  : -2;
			if (o->only == -2)
				return -EINVAL;
			break;
		default:
			return -EINVAL;
		}
	}
	if (o->pools == NULL || o->burst < 1 ||
	    o->burst > OP25B_CLASSIFY_BURST_MAX || o->packets < o->burst ||
	    o->rounds < 1) {
		fprintf(stderr,
			"usage: bench_classify [EAL options] -- --pools FILE "
			"[--burst 1..%u] [--packets N] [--rounds N] "
			"[--only non-smtp|syn4|syn6]\n",
			OP25B_CLASSIFY_BURST_MAX);
		return -EINVAL;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const char *const profile_names[] = {
		"non-SMTP (TCP 443, UDP 53)", "port-25 SYN, IPv4 pool source",
		"port-25 SYN, IPv6 pool source"};
	struct op25b_stats_counters *counters;
	struct op25b_policy_error err;
	struct op25b_classifier *c;
	struct op25b_policy *policy;
	struct rte_mempool *mp;
	struct rte_mbuf **m;
	struct options o = {0};
	char yaml[1024];
	size_t n_v4 = 0, n_v6 = 0, i;
	double t0, t1, t2;
	int eal, profile;

	eal = rte_eal_init(argc, argv);
	if (eal < 0) {
		fprintf(stderr, "EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	argv[eal] = argv[0];
	optind = 1;
	if (parse_options(argc - eal, argv + eal, &o) != 0)
		return 2;

	/* block: drop so that the SYNs stay SYNs round after round (a reset
	 * would rewrite them in place). */
	snprintf(yaml, sizeof(yaml),
		 "version: 1\nblock: drop\n"
		 "sources:\n  dynamic: {action: block, prefixes_file: \"%s\"}\n"
		 "destinations:\n  isp-relays: {action: allow, prefixes: "
		 "[192.0.2.25/32, 2001:db8::25/128]}\n",
		 o.pools);
	printf("== loading %s\n", o.pools);
	fflush(stdout);
	t0 = now_ms();
	policy = op25b_policy_load_buffer("bench.yaml", yaml, strlen(yaml),
					  &err);
	if (policy == NULL) {
		fprintf(stderr, "%s:%u:%u: %s\n", err.file, err.line,
			err.column, err.message);
		return 1;
	}
	t1 = now_ms();
	c = op25b_classifier_create(policy, (int)rte_socket_id(), NULL, NULL);
	t2 = now_ms();
	if (c == NULL) {
		fprintf(stderr, "compile: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	for (i = 0; i < policy->classes[0].prefixes.count; i++) {
		if (policy->classes[0].prefixes.prefixes[i].family == AF_INET)
			n_v4++;
		else
			n_v6++;
	}
	printf("policy load:  %zu IPv4 + %zu IPv6 prefixes in %.0f ms\n", n_v4,
	       n_v6, t1 - t0);
	printf("compile:      %.0f ms, table memory %.1f MB\n", t2 - t1,
	       op25b_classifier_memory(c) / 1048576.0);

	mp = rte_pktmbuf_pool_create("bench", o.packets + 1024, 256, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE,
				     (int)rte_socket_id());
	m = calloc(o.packets, sizeof(*m));
	counters = calloc(1, sizeof(*counters));
	if (mp == NULL || m == NULL || counters == NULL) {
		fprintf(stderr, "out of memory for %u mbufs\n", o.packets);
		return 1;
	}
	printf("classifier:   burst %u, %u packets x %u rounds, TSC %.2f GHz\n",
	       o.burst, o.packets, o.rounds, rte_get_tsc_hz() / 1e9);
	for (profile = PROFILE_NON_SMTP; profile <= PROFILE_SYN6; profile++) {
		double min, median;

		if (o.only >= 0 && profile != o.only)
			continue;
		if (profile == PROFILE_SYN4 && n_v4 == 0)
			continue;
		if (profile == PROFILE_SYN6 && n_v6 == 0)
			continue;
		if (build_mbufs(mp, m, o.packets, profile,
				&policy->classes[0].prefixes) != 0) {
			fprintf(stderr, "building packets failed\n");
			return 1;
		}
		memset(counters, 0, sizeof(*counters));
		measure(c, m, o.packets, o.burst, o.rounds, counters, &min,
			&median);
		printf("  %-32s %6.1f cycles/packet (median of %u: %.1f; %" PRIu64
		       " blocked, %" PRIu64 " non-SMTP)\n",
		       profile_names[profile], min, REPEATS, median,
		       counters->outcome[OP25B_OUTCOME_BLOCKED],
		       counters->outcome[OP25B_OUTCOME_NON_SMTP]);
		fflush(stdout);
		rte_pktmbuf_free_bulk(m, o.packets);
	}
	free(counters);
	free(m);
	rte_mempool_free(mp);
	op25b_classifier_free(c);
	op25b_policy_free(policy);
	rte_eal_cleanup();
	return 0;
}
