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
 *   (c) the same for IPv6 when the pool file has IPv6 prefixes;
 * or, with --trace, the frames of a capture (the same trace that
 * scripts/bench.sh feeds to the appliance, to dpdk-test-acl and to
 * dpdk-test-fib).
 *
 * --churn N adds worst-adaptive against worst in the same run: port-25
 * SYNs whose sources are rewritten, burst by burst, from N distinct pool
 * addresses (so a working set of 4096 mbufs carries N sources), through
 * the policy as is (the pool blocked: "worst") and with the pool class
 * adaptive over a table of N entries ("worst-adaptive": every SYN is
 * looked up, most are new, the table churns). The rewrite is in both
 * timings, so their ratio is the adaptive table's cost.
 *
 * The packets are a working set that stays in cache (4096 by default), as
 * after a PMD's RX burst has just written the mbufs. So do the lines of
 * the tables that those packets' addresses touch, after the first pass:
 * a trace of 4096 sources reads at most a few thousand lines however
 * large the pool (about 1 MB for IPv4: in the L2 of current x86 cores).
 * --churn N rewrites the sources per burst from N distinct ones: the
 * cold figure.
 *
 * usage: bench_classify [EAL options] -- --pools FILE [--burst N | --bursts
 *        N,N,...] [--packets N] [--rounds N] [--only non-smtp|syn4|syn6]
 *        [--trace FILE.pcap] [--compile-only] [--kv] [--churn N]
 *        [--path scalar|avx2|avx512|all] [--prepass] [--block drop|reset]
 * (--path: the classifier path measured; default op25b's auto (the best
 * the CPU offers within the EAL's SIMD width, 512 bits on AMD and Intel's
 * Sapphire and Emerald Rapids unless the width is given); all: every path
 * the CPU has,
 * one after the other, on the same packets; --prepass: the vector paths
 * with their pre-pass)
 * (--block reset: the policy answers blocked SYNs with RSTs, rewritten in
 * place, so each packet is classified once, in one pass: for callgrind's
 * instructions/packet of a reset SYN, not for cycles)
 * (--only with valgrind --tool=callgrind gives exact instructions/packet,
 * --only churn-worst or churn-adaptive with --churn those of one side;
 * --kv adds one "kv ..." line of key=value pairs per figure for scripts)
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
#include "op25b_classify_path.h"
#include "op25b_craft.h"
#include "op25b_policy.h"

#define MAX_BURSTS 8

enum profile {
	PROFILE_NON_SMTP,
	PROFILE_SYN4,
	PROFILE_SYN6,
	PROFILE_TRACE,
	/* --only churn-worst|churn-adaptive: one side of --churn alone, for
	 * callgrind (the difference is the adaptive path's instructions). */
	PROFILE_CHURN_WORST,
	PROFILE_CHURN_ADAPTIVE
};

struct options {
	const char *pools;
	const char *trace;
	unsigned int bursts[MAX_BURSTS];
	unsigned int n_bursts;
	unsigned int packets;
	unsigned int rounds;
	int only; /* -1: every profile */
	int compile_only;
	int kv;
	unsigned int churn; /* 0: no worst-adaptive comparison */
	/* -1: the path op25b picks; OP25B_CLASSIFY_PATH_MAX: all */
	int path;
	bool prepass; /* --prepass */
	int reset;    /* --block reset */
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
		len = op25b_craft_build(&spec,
					rte_pktmbuf_mtod(m[i], uint8_t *),
					rte_pktmbuf_tailroom(m[i]));
		if (len < 0)
			return len;
		m[i]->data_len = (uint16_t)len;
		m[i]->pkt_len = (uint32_t)len;
	}
	return 0;
}

/* pcap file and record headers (libpcap's format, either byte order, with
 * microsecond or nanosecond stamps: only the lengths are used here). */
#define PCAP_MAGIC_US 0xa1b2c3d4u
#define PCAP_MAGIC_NS 0xa1b23c4du

static uint32_t
pcap_u32(const uint8_t *p, int swapped)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return swapped ? __builtin_bswap32(v) : v;
}

/* Count the frames of @path, or copy them into mbufs from @mp when @m is
 * not NULL (at most @max). @return the number of frames, or -errno. */
static int
read_trace(const char *path, struct rte_mempool *mp, struct rte_mbuf **m,
	   unsigned int max)
{
	uint8_t hdr[24], rec[16];
	unsigned int n = 0;
	int swapped, ret = 0;
	uint32_t magic;
	FILE *f;

	f = fopen(path, "rb");
	if (f == NULL)
		return -errno;
	if (fread(hdr, sizeof(hdr), 1, f) != 1) {
		ret = -EINVAL;
		goto out;
	}
	magic = pcap_u32(hdr, 0);
	swapped = magic != PCAP_MAGIC_US && magic != PCAP_MAGIC_NS;
	magic = pcap_u32(hdr, swapped);
	if (magic != PCAP_MAGIC_US && magic != PCAP_MAGIC_NS) {
		ret = -EINVAL;
		goto out;
	}
	while (fread(rec, sizeof(rec), 1, f) == 1) {
		uint32_t caplen = pcap_u32(rec + 8, swapped);

		if (m == NULL) {
			if (fseek(f, caplen, SEEK_CUR) != 0) {
				ret = -EIO;
				goto out;
			}
			n++;
			continue;
		}
		if (n == max)
			break;
		m[n] = rte_pktmbuf_alloc(mp);
		if (m[n] == NULL) {
			ret = -ENOMEM;
			goto out;
		}
		if (caplen > rte_pktmbuf_tailroom(m[n]) ||
		    fread(rte_pktmbuf_mtod(m[n], uint8_t *), caplen, 1, f) !=
			    1) {
			rte_pktmbuf_free(m[n]);
			ret = -EINVAL;
			goto out;
		}
		m[n]->data_len = (uint16_t)caplen;
		m[n]->pkt_len = caplen;
		n++;
	}
	ret = (int)n;
out:
	if (ret < 0 && m != NULL)
		rte_pktmbuf_free_bulk(m, n);
	fclose(f);
	return ret;
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
 * noise), the median shows how noisy the run was, the mean is comparable
 * with tools that time one long loop (dpdk-test-acl). @return the number
 * of packets classified, the warm-up pass included (for callgrind).
 */
static uint64_t
measure(const struct op25b_classifier *c, struct rte_mbuf **m, unsigned int n,
	unsigned int burst, unsigned int rounds,
	struct op25b_stats_counters *counters, double *min, double *median,
	double *mean)
{
	struct op25b_classify_result results[OP25B_CLASSIFY_BURST_MAX];
	double cpp[REPEATS];
	unsigned int k, r, i;
	uint64_t per_pass = (uint64_t)(n / burst) * burst;

	/* One warm-up pass: page-in and caches as in steady state. */
	for (i = 0; i + burst <= n; i += burst)
		op25b_classifier_classify_burst(c, NULL, m + i, (uint16_t)burst,
						results, counters);
	for (k = 0; k < REPEATS; k++) {
		uint64_t start = rte_rdtsc_precise();

		for (r = 0; r < rounds; r++)
			for (i = 0; i + burst <= n; i += burst)
				op25b_classifier_classify_burst(
					c, NULL, m + i, (uint16_t)burst,
					results, counters);
		cpp[k] = (double)(rte_rdtsc_precise() - start) /
			 ((double)rounds * per_pass);
	}
	*mean = 0;
	for (k = 0; k < REPEATS; k++)
		*mean += cpp[k] / REPEATS;
	qsort(cpp, REPEATS, sizeof(cpp[0]), compare_double);
	*min = cpp[0];
	*median = cpp[REPEATS / 2];
	return per_pass * (1 + (uint64_t)REPEATS * rounds);
}

/*
 * measure() for --block reset: a reset rewrites its SYN in place, so the
 * packets are classified once, in one timed pass (caches warm from the
 * build). @return the number of packets classified.
 */
static uint64_t
measure_once(const struct op25b_classifier *c, struct rte_mbuf **m,
	     unsigned int n, unsigned int burst,
	     struct op25b_stats_counters *counters, double *cpp)
{
	struct op25b_classify_result results[OP25B_CLASSIFY_BURST_MAX];
	uint64_t per_pass = (uint64_t)(n / burst) * burst;
	uint64_t start = rte_rdtsc_precise();
	unsigned int i;

	for (i = 0; i + burst <= n; i += burst)
		op25b_classifier_classify_burst(c, NULL, m + i, (uint16_t)burst,
						results, counters);
	*cpp = (double)(rte_rdtsc_precise() - start) / (double)per_pass;
	return per_pass;
}

/*
 * measure() for --churn: before each burst its mbufs get the next sources
 * of @srcs (IPv4, host order) in turn, so @n mbufs carry all @n_srcs
 * sources. Timed the same way; the rewrite (a load and a store a packet)
 * is in the figure.
 */
static void
measure_churn(const struct op25b_classifier *c, struct rte_mbuf **m,
	      unsigned int n, unsigned int burst, unsigned int rounds,
	      const uint32_t *srcs, unsigned int n_srcs,
	      struct op25b_stats_counters *counters, double *min,
	      double *median)
{
	struct op25b_classify_result results[OP25B_CLASSIFY_BURST_MAX];
	double cpp[REPEATS];
	unsigned int k, r, i, j, next = 0;
	uint64_t per_pass = (uint64_t)(n / burst) * burst;

	for (k = 0; k <= REPEATS; k++) {
		uint64_t start = rte_rdtsc_precise();

		/* Pass 0 is the warm-up (k == 0, one round). */
		for (r = 0; r < (k == 0 ? 1 : rounds); r++)
			for (i = 0; i + burst <= n; i += burst) {
				for (j = i; j < i + burst; j++) {
					uint32_t be =
						rte_cpu_to_be_32(srcs[next]);

					memcpy(rte_pktmbuf_mtod_offset(
						       m[j], uint8_t *, 26),
					       &be, 4);
					if (++next == n_srcs)
						next = 0;
				}
				op25b_classifier_classify_burst(
					c, NULL, m + i, (uint16_t)burst,
					results, counters);
			}
		if (k > 0)
			cpp[k - 1] = (double)(rte_rdtsc_precise() - start) /
				     ((double)rounds * per_pass);
	}
	qsort(cpp, REPEATS, sizeof(cpp[0]), compare_double);
	*min = cpp[0];
	*median = cpp[REPEATS / 2];
}

/* worst and worst-adaptive on the same churning sources (see --churn). */
static int
run_churn(const struct options *o, struct op25b_policy *policy,
	  const struct op25b_classifier *worst, struct rte_mempool *mp,
	  struct rte_mbuf **m, struct op25b_stats_counters *counters)
{
	const struct op25b_adaptive_limit limit = {
		.connections = 10,
		.per_seconds = 60,
		.block_seconds = 3600,
	};
	struct op25b_adaptive_params ap = {
		.sz = sizeof(ap),
		.entries = o->churn,
		.socket_id = (int)rte_socket_id(),
		/* One lcore classifies, as op25b with one worker. */
		.single_writer = true,
	};
	struct op25b_adaptive_table *table = NULL;
	struct op25b_classifier *adaptive = NULL;
	struct op25b_adaptive_totals x;
	double min[2], median[2];
	uint32_t *srcs;
	uint8_t addr[16];
	unsigned int i, burst = o->bursts[0];
	int ret = -ENOMEM;

	srcs = malloc(o->churn * sizeof(*srcs));
	if (srcs == NULL)
		return -ENOMEM;
	for (i = 0; i < o->churn; i++) {
		if (random_source(&policy->classes[0].prefixes, AF_INET,
				  addr) != 0) {
			ret = -ENOENT;
			goto out;
		}
		srcs[i] = (uint32_t)addr[0] << 24 | (uint32_t)addr[1] << 16 |
			  (uint32_t)addr[2] << 8 | addr[3];
	}
	ret = build_mbufs(mp, m, o->packets, PROFILE_SYN4,
			  &policy->classes[0].prefixes);
	if (ret < 0)
		goto out;
	policy->classes[0].action = OP25B_ACTION_ADAPTIVE;
	policy->classes[0].limit = limit;
	table = op25b_adaptive_create(&ap);
	adaptive = op25b_classifier_create(policy, (int)rte_socket_id(), NULL,
					   NULL);
	if (table == NULL || adaptive == NULL ||
	    op25b_classifier_set_adaptive(adaptive, table) != 0) {
		fprintf(stderr, "worst-adaptive: %s\n",
			rte_strerror(rte_errno));
		ret = -ENOMEM;
		goto out_free_mbufs;
	}
	printf("churn:        %u sources over %u mbufs, adaptive table %.1f "
	       "MiB\n",
	       o->churn, o->packets, op25b_adaptive_memory(table) / 1048576.0);
	min[0] = median[0] = min[1] = median[1] = 0;
	memset(counters, 0, sizeof(*counters));
	if (o->only != PROFILE_CHURN_ADAPTIVE)
		measure_churn(worst, m, o->packets, burst, o->rounds, srcs,
			      o->churn, counters, &min[0], &median[0]);
	memset(counters, 0, sizeof(*counters));
	if (o->only != PROFILE_CHURN_WORST)
		measure_churn(adaptive, m, o->packets, burst, o->rounds, srcs,
			      o->churn, counters, &min[1], &median[1]);
	if (o->kv && o->only >= PROFILE_CHURN_WORST)
		printf("kv profile=%s classified=%" PRIu64 "\n",
		       o->only == PROFILE_CHURN_WORST ? "churn-worst"
						      : "churn-adaptive",
		       (uint64_t)(o->packets / burst) * burst *
			       (1 + (uint64_t)REPEATS * o->rounds));
	op25b_adaptive_totals(table, &x, NULL);
	printf("  %-32s burst %2u %6.1f cycles/packet (median of %u: %.1f)\n",
	       "worst, churning sources", burst, min[0], REPEATS, median[0]);
	printf("  %-32s burst %2u %6.1f cycles/packet (median of %u: %.1f; "
	       "%" PRIu64 " forwarded, %" PRIu64 " evicted, %" PRIu64
	       " triggered)\n",
	       "worst-adaptive", burst, min[1], REPEATS, median[1],
	       counters->outcome[OP25B_OUTCOME_FORWARDED], x.adaptive_evicted,
	       x.adaptive_triggered);
	printf("  worst-adaptive / worst throughput: %.2f (median %.2f)\n",
	       min[0] / min[1], median[0] / median[1]);
	if (o->kv)
		printf("kv profile=churn burst=%u sources=%u worst_min=%.2f "
		       "adaptive_min=%.2f worst_median=%.2f "
		       "adaptive_median=%.2f ratio=%.3f\n",
		       burst, o->churn, min[0], min[1], median[0], median[1],
		       min[0] / min[1]);
	ret = 0;
out_free_mbufs:
	rte_pktmbuf_free_bulk(m, o->packets);
	op25b_classifier_free(adaptive);
	op25b_adaptive_free(table);
out:
	free(srcs);
	return ret;
}

static int
parse_bursts(const char *text, struct options *o)
{
	char *end;

	o->n_bursts = 0;
	for (;;) {
		unsigned long b = strtoul(text, &end, 10);

		if (end == text || o->n_bursts == MAX_BURSTS || b < 1 ||
		    b > OP25B_CLASSIFY_BURST_MAX)
			return -EINVAL;
		o->bursts[o->n_bursts++] = (unsigned int)b;
		if (*end == '\0')
			return 0;
		if (*end != ',')
			return -EINVAL;
		text = end + 1;
	}
}

static int
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "pools", required_argument, NULL, 'p' },
		{ "burst", required_argument, NULL, 'b' },
		{ "bursts", required_argument, NULL, 'B' },
		{ "packets", required_argument, NULL, 'n' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "only", required_argument, NULL, 'o' },
		{ "trace", required_argument, NULL, 't' },
		{ "compile-only", no_argument, NULL, 'c' },
		{ "kv", no_argument, NULL, 'k' },
		{ "churn", required_argument, NULL, 'C' },
		{ "path", required_argument, NULL, 'P' },
		{ "prepass", no_argument, NULL, 'Q' },
		{ "block", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, bad = 0;

	o->bursts[0] = 32;
	o->n_bursts = 1;
	o->packets = 4096;
	o->rounds = 50;
	o->only = -1;
	o->path = -1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			o->pools = optarg;
			break;
		case 'b':
		case 'B':
			bad |= parse_bursts(optarg, o) != 0;
			break;
		case 'n':
			o->packets = (unsigned int)atoi(optarg);
			break;
		case 'r':
			o->rounds = (unsigned int)atoi(optarg);
			break;
		case 'o':
			o->only = strcmp(optarg, "non-smtp") == 0
					  ? PROFILE_NON_SMTP
				  : strcmp(optarg, "syn4") == 0 ? PROFILE_SYN4
				  : strcmp(optarg, "syn6") == 0 ? PROFILE_SYN6
				  : strcmp(optarg, "churn-worst") == 0
					  ? PROFILE_CHURN_WORST
				  : strcmp(optarg, "churn-adaptive") == 0
					  ? PROFILE_CHURN_ADAPTIVE
					  : -2;
			bad |= o->only == -2;
			break;
		case 't':
			o->trace = optarg;
			break;
		case 'c':
			o->compile_only = 1;
			break;
		case 'k':
			o->kv = 1;
			break;
		case 'C':
			o->churn = (unsigned int)atoi(optarg);
			bad |= o->churn < OP25B_ADAPTIVE_MIN_ENTRIES;
			break;
		case 'P':
			o->path = strcmp(optarg, "all") == 0
					  ? OP25B_CLASSIFY_PATH_MAX
					  : -2;
			for (opt = 0; opt < OP25B_CLASSIFY_PATH_MAX; opt++)
				if (strcmp(optarg,
					   op25b_classify_path_name(opt)) == 0)
					o->path = opt;
			bad |= o->path == -2 ||
			       (o->path < OP25B_CLASSIFY_PATH_MAX &&
				!op25b_classify_path_available(o->path));
			break;
		case 'Q':
			o->prepass = true;
			break;
		case 'L':
			o->reset = strcmp(optarg, "reset") == 0;
			bad |= !o->reset && strcmp(optarg, "drop") != 0;
			break;
		default:
			bad = 1;
		}
	}
	/* --block reset rewrites the SYNs into RSTs as it classifies them:
	 * a second burst size, path or churn pass would measure RSTs. */
	if (!bad && o->reset &&
	    (o->n_bursts > 1 || o->churn != 0 ||
	     o->path == OP25B_CLASSIFY_PATH_MAX)) {
		fprintf(stderr,
			"bench_classify: --block reset rewrites the SYNs "
			"it classifies: one burst size, one path, no "
			"--churn\n");
		return -EINVAL;
	}
	if (bad || o->pools == NULL || o->packets < OP25B_CLASSIFY_BURST_MAX ||
	    o->rounds < 1) {
		fprintf(stderr,
			"usage: bench_classify [EAL options] -- --pools FILE "
			"[--burst 1..%u | --bursts N,N,...] [--packets N >= %u] "
			"[--rounds N] [--only non-smtp|syn4|syn6|churn-worst|"
			"churn-adaptive] "
			"[--trace FILE.pcap] [--compile-only] [--kv] "
			"[--churn N >= 64] "
			"[--path scalar|avx2|avx512|all (one this CPU has)] "
			"[--prepass] [--block drop|reset]\n",
			OP25B_CLASSIFY_BURST_MAX, OP25B_CLASSIFY_BURST_MAX);
		return -EINVAL;
	}
	return 0;
}

/* The path measured, "+prepass" when a vector path runs its pre-pass. */
static const char *
path_label(void)
{
	static char label[32];
	enum op25b_classify_path p = op25b_classify_path_get();

	snprintf(label, sizeof(label), "%s%s", op25b_classify_path_name(p),
		 op25b_classify_prepass_get() ? "+prepass" : "");
	return label;
}

/* Whether to measure @path; if so it is made the classifier's path. */
static bool
select_path(const struct options *o, int path)
{
	if (o->path < 0) /* op25b's default: the best the CPU offers */
		return path == (int)op25b_classify_path_select();
	if (o->path != OP25B_CLASSIFY_PATH_MAX && path != o->path)
		return false;
	return op25b_classify_path_set((enum op25b_classify_path)path) == 0;
}

static void
print_outcomes(const struct op25b_stats_counters *counters)
{
	const char *sep = "";
	unsigned int i;

	printf(" outcomes=");
	for (i = 0; i < OP25B_OUTCOME_MAX; i++) {
		if (counters->outcome[i] == 0)
			continue;
		printf("%s%s:%" PRIu64, sep, op25b_outcome_name(i),
		       counters->outcome[i]);
		sep = ",";
	}
	if (*sep == '\0')
		printf("none");
}

/* Build the packets of one profile (or the trace) into @m. @return how
 * many, or -errno. */
static int
load_packets(const struct options *o, enum profile profile,
	     struct rte_mempool *mp, struct rte_mbuf **m,
	     const struct op25b_prefix_list *pool)
{
	int ret;

	if (profile == PROFILE_TRACE)
		return read_trace(o->trace, mp, m, o->packets);
	ret = build_mbufs(mp, m, o->packets, profile, pool);
	return ret < 0 ? ret : (int)o->packets;
}

static int
run_profile(const struct options *o, const struct op25b_classifier *c,
	    enum profile profile, struct rte_mempool *mp, struct rte_mbuf **m,
	    const struct op25b_prefix_list *pool,
	    struct op25b_stats_counters *counters)
{
	static const char *const labels[] = { "non-SMTP (TCP 443, UDP 53)",
					      "port-25 SYN, IPv4 pool source",
					      "port-25 SYN, IPv6 pool source",
					      "trace" };
	static const char *const keys[] = { "non-smtp", "syn4", "syn6",
					    "trace" };
	unsigned int b;
	int n;

	n = load_packets(o, profile, mp, m, pool);
	if (n < 0) {
		fprintf(stderr, "building packets failed: %s\n", strerror(-n));
		return n;
	}
	for (b = 0; b < o->n_bursts; b++) {
		unsigned int burst = o->bursts[b];
		double min, median, mean;
		uint64_t classified;

		if ((unsigned int)n < burst)
			continue;
		memset(counters, 0, sizeof(*counters));
		if (o->reset) {
			classified = measure_once(c, m, (unsigned int)n, burst,
						  counters, &min);
			median = mean = min;
		} else {
			classified = measure(c, m, (unsigned int)n, burst,
					     o->rounds, counters, &min, &median,
					     &mean);
		}
		printf("  %-32s burst %2u %-14s %6.1f cycles/packet (median of "
		       "%u: %.1f; %" PRIu64 " blocked, %" PRIu64 " non-SMTP)\n",
		       profile == PROFILE_TRACE ? o->trace : labels[profile],
		       burst, path_label(), min, REPEATS, median,
		       counters->outcome[OP25B_OUTCOME_BLOCKED],
		       counters->outcome[OP25B_OUTCOME_NON_SMTP]);
		if (o->kv) {
			printf("kv profile=%s burst=%u path=%s packets=%d "
			       "cycles_min=%.2f cycles_median=%.2f "
			       "cycles_mean=%.2f classified=%" PRIu64,
			       keys[profile], burst, path_label(), n, min,
			       median, mean, classified);
			print_outcomes(counters);
			printf("\n");
		}
		fflush(stdout);
	}
	rte_pktmbuf_free_bulk(m, (unsigned int)n);
	return 0;
}

/*
 * What `set mode` and `set block` cost live: the classifier derived from
 * @base for the policy with the mode, then the block action, changed (the
 * tables shared, as op25b's control lcore does it). The larger of the two,
 * in ms; negative when a derive fails.
 */
static double
derive_ms(const struct op25b_classifier *base, struct op25b_policy *policy)
{
	enum op25b_policy_mode mode = policy->mode;
	enum op25b_block_style block = policy->block;
	struct op25b_classifier *d;
	double worst = 0, t;
	int i;

	for (i = 0; i < 2; i++) {
		if (i == 0)
			policy->mode = OP25B_MODE_MONITOR;
		else
			policy->block = block == OP25B_BLOCK_RESET
						? OP25B_BLOCK_DROP
						: OP25B_BLOCK_RESET;
		t = now_ms();
		d = op25b_classifier_derive(base, policy, (int)rte_socket_id(),
					    NULL, NULL, NULL);
		t = now_ms() - t;
		policy->mode = mode;
		policy->block = block;
		if (d == NULL)
			return -1;
		op25b_classifier_free(d);
		worst = RTE_MAX(worst, t);
	}
	return worst;
}

int
main(int argc, char **argv)
{
	struct op25b_stats_counters *counters;
	struct op25b_policy_error err;
	struct op25b_classifier *c;
	struct op25b_policy *policy;
	struct rte_mempool *mp;
	struct rte_mbuf **m;
	struct options o = { 0 };
	char yaml[1024];
	size_t n_v4 = 0, n_v6 = 0, i;
	double t0, t1, t2, t3;
	int eal, profile, path, ret = 0;

	eal = rte_eal_init(argc, argv);
	if (eal < 0) {
		fprintf(stderr, "EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	argv[eal] = argv[0];
	optind = 1;
	if (parse_options(argc - eal, argv + eal, &o) != 0)
		return 2;
	if (o.trace != NULL) {
		int n = read_trace(o.trace, NULL, NULL, 0);

		if (n <= 0) {
			fprintf(stderr, "%s: not a pcap file with frames\n",
				o.trace);
			return 1;
		}
		o.packets = (unsigned int)n;
	}

	/* block: drop so that the SYNs stay SYNs round after round (a reset
	 * rewrites them in place: --block reset measures one pass). */
	snprintf(yaml, sizeof(yaml),
		 "version: 1\nblock: %s\n"
		 "sources:\n  dynamic: {action: block, prefixes_file: \"%s\"}\n"
		 "destinations:\n  isp-relays: {action: allow, prefixes: "
		 "[192.0.2.25/32, 2001:db8::25/128]}\n",
		 o.reset ? "reset" : "drop", o.pools);
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
	printf("compile:      %.0f ms, table memory %.1f MiB\n", t2 - t1,
	       op25b_classifier_memory(c) / 1048576.0);
	t3 = derive_ms(c, policy);
	if (t3 < 0) {
		fprintf(stderr, "derive: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	printf("set mode/block: %.3f ms (tables shared)\n", t3);
	if (o.kv)
		printf("kv compile prefixes_v4=%zu prefixes_v6=%zu load_ms=%.1f "
		       "compile_ms=%.1f derive_ms=%.3f memory_bytes=%zu "
		       "tsc_hz=%" PRIu64 "\n",
		       n_v4, n_v6, t1 - t0, t2 - t1, t3,
		       op25b_classifier_memory(c), rte_get_tsc_hz());
	fflush(stdout);
	if (o.compile_only)
		goto out_free_classifier;

	mp = rte_pktmbuf_pool_create("bench", o.packets + 1024, 256, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE,
				     (int)rte_socket_id());
	m = calloc(o.packets, sizeof(*m));
	counters = calloc(1, sizeof(*counters));
	if (mp == NULL || m == NULL || counters == NULL) {
		fprintf(stderr, "out of memory for %u mbufs\n", o.packets);
		return 1;
	}
	printf("classifier:   %u packets x %u rounds, TSC %.2f GHz\n",
	       o.packets, o.rounds, rte_get_tsc_hz() / 1e9);
	op25b_classify_prepass_set(o.prepass);
	for (path = 0; ret >= 0 && path < OP25B_CLASSIFY_PATH_MAX; path++) {
		if (!select_path(&o, path))
			continue;
		for (profile = PROFILE_NON_SMTP; profile <= PROFILE_TRACE;
		     profile++) {
			if ((o.trace != NULL) != (profile == PROFILE_TRACE))
				continue;
			if (o.only >= 0 && profile != PROFILE_TRACE &&
			    profile != o.only)
				continue;
			if (profile == PROFILE_SYN4 && n_v4 == 0)
				continue;
			if (profile == PROFILE_SYN6 && n_v6 == 0)
				continue;
			ret = run_profile(&o, c, (enum profile)profile, mp, m,
					  &policy->classes[0].prefixes,
					  counters);
			if (ret < 0)
				break;
		}
	}
	if (ret >= 0 && o.churn != 0 && n_v4 != 0)
		ret = run_churn(&o, policy, c, mp, m, counters);
	free(counters);
	free(m);
	rte_mempool_free(mp);
out_free_classifier:
	op25b_classifier_free(c);
	op25b_policy_free(policy);
	rte_eal_cleanup();
	return ret < 0 ? 1 : 0;
}
