/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * op25b-policy replay: the real classifier over a capture, without ports.
 * A dry run of a new policy on real traffic before it goes live.
 *
 * Frames reach the classifier in the mbuf layout the appliance gives them:
 * mbufs of op25b's default data room (or --mbuf-size), a frame longer than
 * one segment in a chain of them, each segment filled as net_pcap and
 * scattered RX fill theirs. So the dry run and the appliance parse the same
 * bytes the same way, whatever the frame size.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include "notify.h"
#include "op25b_classify.h"
#include "op25b_policy.h"
#include "policy_tool.h"
#include "replay_print.h"

#define REPLAY_BURST 32
/* The longest frame replayed: an IP packet of 64 KB (TSO/GRO captures hold
 * frames of that size). Longer ones are skipped and counted. */
#define REPLAY_FRAME_MAX 65535
/* op25b's own lower bound for --mbuf-size: a first segment always holds a
 * TCP reset's headers, so the verdict never depends on the size. */
#define REPLAY_MBUF_SIZE_MIN 1024

struct replay {
	const char *policy_path;
	const char *in_path;
	const char *out_path;
	const char *replies_path;
	int json;
	unsigned int mbuf_size; /* data room with headroom, as op25b's */
	struct op25b_policy *policy;
	struct op25b_classifier *classifier;
	struct rte_mempool *pool;
	struct op25b_replay_dumps dumps;
	struct op25b_replay_report report;
	/* Adaptive classes count in a table whose clock is the capture's:
	 * the timestamp of the frame being classified, in microseconds. */
	struct op25b_adaptive_table *adaptive;
	uint64_t now_us;
	struct op25b_replay_clock clock;
};

static uint64_t
capture_clock(void *ctx)
{
	return ((const struct replay *)ctx)->now_us;
}

/* block: notify's cookies and budget run on the capture's clock too (as
 * op25b-xdp replay's), so that a replay gives the same answers whenever
 * it is run; notify.c's clock takes no context. */
static const struct replay *notify_replay;

static uint64_t
notify_capture_clock(void)
{
	return notify_replay->now_us;
}

/* Whether a class blocks with notify: then each frame is its own burst,
 * judged at its own time, as with an adaptive table. */
static bool
replay_notifies(const struct op25b_policy *policy)
{
	unsigned int i;

	if (policy->mode == OP25B_MODE_MONITOR)
		return false;
	for (i = 0; i < policy->n_classes; i++)
		if (op25b_policy_block_of(policy, (int)i) == OP25B_BLOCK_NOTIFY)
			return true;
	return policy->block == OP25B_BLOCK_NOTIFY;
}

/* Write a frame, whole, whatever its segments. */
static void
dump(pcap_dumper_t *d, const struct rte_mbuf *m, const struct timeval *ts)
{
	static uint8_t linear[REPLAY_FRAME_MAX];
	struct pcap_pkthdr h;
	const void *bytes;

	if (d == NULL)
		return;
	h.ts = *ts;
	h.caplen = h.len = rte_pktmbuf_pkt_len(m);
	bytes = rte_pktmbuf_read(m, 0, h.caplen, linear);
	if (bytes != NULL)
		pcap_dump((u_char *)d, &h, bytes);
}

/* Who would have been blocked: the adaptive table's counters. */
static void
print_adaptive(const struct replay *r)
{
	struct op25b_adaptive_totals x;

	op25b_adaptive_totals(r->adaptive, &x, NULL);
	op25b_replay_print_adaptive(&r->report, x.adaptive_triggered,
				    x.adaptive_evicted, x.adaptive_table_full);
}

static void
flush_burst(struct replay *r, struct rte_mbuf **pkts, struct timeval *ts,
	    uint8_t (*orig)[REPLAY_FRAME_MAX], const uint32_t *orig_len,
	    uint16_t n)
{
	struct op25b_classify_result res[REPLAY_BURST];
	uint16_t i;

	/* With an adaptive table bursts are of one frame (see run_capture),
	 * so that each is judged at its own time. */
	r->now_us = op25b_replay_clock_at(
		&r->clock, &ts[0], r->report.packets + 1, "op25b-policy");
	op25b_classifier_classify_burst(r->classifier, NULL, pkts, n, res,
					&r->report.counters);
	for (i = 0; i < n; i++) {
		r->report.packets++;
		/* Describe the frame as it came in, not its RST rewrite. */
		op25b_replay_print_result(&r->report, r->report.packets,
					  orig[i], orig_len[i], &res[i]);
		if (res[i].disposition == OP25B_DISPOSITION_FORWARD)
			dump(r->dumps.out, pkts[i], &ts[i]);
		else if (res[i].disposition == OP25B_DISPOSITION_REPLY)
			dump(r->dumps.replies, pkts[i], &ts[i]);
	}
	rte_pktmbuf_free_bulk(pkts, n);
}

static int
run_capture(struct replay *r, pcap_t *in)
{
	static uint8_t orig[REPLAY_BURST][REPLAY_FRAME_MAX];
	struct rte_mbuf *pkts[REPLAY_BURST];
	struct timeval ts[REPLAY_BURST];
	uint32_t orig_len[REPLAY_BURST];
	struct pcap_pkthdr *h;
	const u_char *data;
	uint16_t n = 0,
		 burst = r->adaptive != NULL || replay_notifies(r->policy)
				 ? 1
				 : REPLAY_BURST;
	int ret;

	while ((ret = pcap_next_ex(in, &h, &data)) == 1) {
		struct rte_mbuf *m;
		uint32_t len = h->caplen;

		if (h->caplen < h->len)
			r->report.truncated++;
		if (len > REPLAY_FRAME_MAX) {
			r->report.oversize++;
			continue;
		}
		m = op25b_mbuf_chain_copy(r->pool, data, len, UINT32_MAX,
					  UINT32_MAX);
		if (m == NULL) {
			fprintf(stderr,
				"op25b-policy: %s: frame %" PRIu64 " of %u "
				"bytes: the mbuf pool is exhausted\n",
				r->in_path, r->report.packets + n + 1, len);
			rte_pktmbuf_free_bulk(pkts, n);
			return -ENOMEM;
		}
		memcpy(orig[n], data, len);
		orig_len[n] = len;
		ts[n] = h->ts;
		pkts[n++] = m;
		if (n == burst) {
			flush_burst(r, pkts, ts, orig, orig_len, n);
			n = 0;
		}
	}
	if (n > 0)
		flush_burst(r, pkts, ts, orig, orig_len, n);
	if (ret == -1) {
		fprintf(stderr, "op25b-policy: %s: %s\n", r->in_path,
			pcap_geterr(in));
		return -EIO;
	}
	return 0;
}

/* The default --help states. */
_Static_assert(RTE_MBUF_DEFAULT_BUF_SIZE == 2176, "replay --help: default");

static const struct op25b_option replay_options[] = {
	OP25B_OPTION_STR("out", 0, "OUT.pcap",
			 "write what would be forwarded upstream",
			 struct replay, out_path),
	OP25B_OPTION_STR("replies", 0, "R.pcap",
			 "write the TCP resets op25b would send back",
			 struct replay, replies_path),
	OP25B_OPTION_FLAG("json", 0,
			  "one JSON object a packet on standard output, the "
			  "totals as the last (the text summary goes to "
			  "standard error)",
			  struct replay, json),
	OP25B_OPTION_UINT("mbuf-size", 0, "N",
			  "mbuf data room, headroom included, as op25b's "
			  "--mbuf-size (default 2176): frames longer than one "
			  "segment are chained",
			  struct replay, mbuf_size, REPLAY_MBUF_SIZE_MIN,
			  UINT16_MAX, NULL),
	OP25B_OPTION("help", 'h', NULL, "this text"),
};

static int
replay_usage(FILE *out)
{
	op25b_tool_usage(out,
			 "replay FILE IN.pcap [--out OUT.pcap] [--replies "
			 "R.pcap]\n                           [--json] "
			 "[--mbuf-size N]",
			 "Classify every frame of IN.pcap with the policy FILE "
			 "as op25b would, without\nports.\n",
			 replay_options, RTE_DIM(replay_options),
			 "0 replayed, 1 the policy or a capture is bad, 2 "
			 "usage error");
	return out == stdout ? OP25B_TOOL_OK : OP25B_TOOL_USAGE;
}

int
op25b_tool_replay(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct op25b_getopt g;
	struct replay r = { 0 };
	struct op25b_classifier_error compile_error;
	pcap_t *in = NULL;
	unsigned int n_mbufs;
	int opt, ret = 1;

	op25b_options_getopt(&g, replay_options, RTE_DIM(replay_options), NULL,
			     NULL);
	r.mbuf_size = RTE_MBUF_DEFAULT_BUF_SIZE;
	optind = 1;
	opt = op25b_options_next(&g, "op25b-policy", argc, argv, &r);
	if (opt == 'h')
		return replay_usage(stdout);
	if (opt < 0)
		return OP25B_TOOL_USAGE;
	if (opt > 0)
		return replay_usage(stderr);
	if (argc - optind != 2)
		return replay_usage(stderr);
	r.policy_path = argv[optind];
	r.in_path = argv[optind + 1];

	r.policy = op25b_tool_load_policy(r.policy_path, true);
	if (r.policy == NULL)
		return OP25B_TOOL_BAD_POLICY;
	in = pcap_open_offline(r.in_path, errbuf);
	if (in == NULL) {
		/* libpcap names the file in some messages, not in others. */
		if (strncmp(errbuf, r.in_path, strlen(r.in_path)) == 0)
			fprintf(stderr, "op25b-policy: %s\n", errbuf);
		else
			fprintf(stderr, "op25b-policy: %s: %s\n", r.in_path,
				errbuf);
		goto out_policy;
	}
	if (pcap_datalink(in) != DLT_EN10MB) {
		fprintf(stderr,
			"op25b-policy: %s: link type %s; only Ethernet "
			"captures can be replayed\n",
			r.in_path,
			pcap_datalink_val_to_name(pcap_datalink(in)));
		goto out_pcap;
	}
	if (op25b_tool_eal_start() != 0)
		goto out_pcap;
	notify_replay = &r;
	op25b_notify_set_clock(notify_capture_clock, 1000000);
	r.classifier = op25b_classifier_compile(r.policy, SOCKET_ID_ANY, NULL,
						NULL, &compile_error);
	if (r.classifier == NULL) {
		/* At the prefix list that broke a table limit, as check. */
		op25b_tool_print_error(&compile_error.where);
		goto out_eal;
	}
	if (op25b_classifier_has_adaptive(r.classifier)) {
		struct op25b_adaptive_params ap = {
			.sz = sizeof(ap),
			.entries = OP25B_ADAPTIVE_DEFAULT_ENTRIES,
			.socket_id = SOCKET_ID_ANY,
			.hz = 1000000,
			.clock = capture_clock,
			.clock_ctx = &r,
			/* The replay accounts in one thread. */
			.single_writer = true,
		};

		r.adaptive = op25b_adaptive_create(&ap);
		if (r.adaptive == NULL ||
		    op25b_classifier_set_adaptive(r.classifier, r.adaptive) !=
			    0) {
			fprintf(stderr,
				"op25b-policy: the adaptive table: %s\n",
				rte_strerror(rte_errno));
			goto out_eal;
		}
	}
	/* A burst of the longest frames, in segments of the data room. */
	n_mbufs = REPLAY_BURST *
		  (REPLAY_FRAME_MAX / (r.mbuf_size - RTE_PKTMBUF_HEADROOM) + 1);
	r.pool = rte_pktmbuf_pool_create("replay", n_mbufs, 0, 0,
					 (uint16_t)r.mbuf_size, SOCKET_ID_ANY);
	if (r.pool == NULL) {
		fprintf(stderr,
			"op25b-policy: a pool of %u mbufs of %u bytes: %s\n",
			n_mbufs, r.mbuf_size, rte_strerror(rte_errno));
		goto out_eal;
	}
	if (op25b_replay_dumps_open(&r.dumps, "op25b-policy", r.out_path,
				    r.replies_path, REPLAY_FRAME_MAX) != 0)
		goto out_dump;

	r.report.policy = r.policy;
	r.report.classifier = r.classifier;
	r.report.json = r.json;
	r.report.frame_max = REPLAY_FRAME_MAX;
	if (run_capture(&r, in) == 0) {
		op25b_replay_print_totals(&r.report);
		if (r.adaptive != NULL)
			print_adaptive(&r);
		ret = 0;
	}

out_dump:
	if (op25b_replay_dumps_close(&r.dumps) != 0)
		ret = 1;
out_eal:
	rte_mempool_free(r.pool);
	op25b_classifier_free(r.classifier);
	op25b_adaptive_free(r.adaptive);
	rte_eal_cleanup();
out_pcap:
	pcap_close(in);
out_policy:
	op25b_policy_free(r.policy);
	return ret;
}
