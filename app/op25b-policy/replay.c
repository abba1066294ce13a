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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include "op25b_classify.h"
#include "op25b_policy.h"
#include "policy_tool.h"

#define REPLAY_BURST 32
/* The longest frame replayed: an IP packet of 64 KB (TSO/GRO captures hold
 * frames of that size). Longer ones are skipped and counted. */
#define REPLAY_FRAME_MAX 65535
/* op25b's own lower bound for --mbuf-size: a first segment always holds a
 * TCP reset's headers, so the verdict never depends on the size. */
#define REPLAY_MBUF_SIZE_MIN 1024

static const char *const disposition_names[] = { "forward", "drop", "reply" };

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
	pcap_dumper_t *out;
	pcap_dumper_t *replies;
	struct op25b_stats_counters counters;
	uint64_t packets;
	uint64_t truncated;
	uint64_t oversize;
};

static const char *
slot_name(const struct op25b_policy *p, unsigned int slot, int is_class)
{
	if (slot == 0)
		return NULL;
	return is_class ? p->classes[slot - 1].name : p->groups[slot - 1].name;
}

static void
print_json_int(const char *key, int v)
{
	if (v < 0)
		printf("\"%s\": null, ", key);
	else
		printf("\"%s\": %d, ", key, v);
}

/* What the parser read, as JSON members: addresses, protocol, ports,
 * flags, the tags and the PPPoE session; null where a field is not there
 * or was not read. */
static void
print_frame_fields(const struct replay *r, const uint8_t *frame, uint32_t len)
{
	static const char letters[] = "FSRPAUEC";
	struct op25b_frame_info f;
	char addr[INET6_ADDRSTRLEN], flags[9];
	unsigned int i, k = 0;

	op25b_classifier_frame_info(r->classifier, frame, len, &f);
	if (f.family != 0) {
		inet_ntop(f.family, f.src, addr, sizeof(addr));
		printf("\"family\": %d, \"src\": \"%s\", ",
		       f.family == AF_INET ? 4 : 6, addr);
		inet_ntop(f.family, f.dst, addr, sizeof(addr));
		printf("\"dst\": \"%s\", ", addr);
	} else {
		printf("\"family\": null, \"src\": null, \"dst\": null, ");
	}
	print_json_int("proto", f.proto);
	print_json_int("sport", f.sport);
	print_json_int("dport", f.dport);
	if (f.tcp_flags >= 0) {
		for (i = 0; i < 8; i++)
			if (f.tcp_flags & (1 << i))
				flags[k++] = letters[i];
		flags[k] = '\0';
		printf("\"tcp_flags\": \"%s\", ", flags);
	} else {
		printf("\"tcp_flags\": null, ");
	}
	printf("\"vlan\": [");
	for (i = 0; i < f.n_vlans; i++)
		printf("%s%u", i ? ", " : "", f.vlan_id[i]);
	printf("], ");
	print_json_int("pppoe_session", f.pppoe_session);
	printf("\"ppp_compressed\": %s, \"frame_counter\": ",
	       f.ppp_compressed ? "true" : "false");
	if (f.frame_counter < OP25B_FRAME_MAX)
		printf("\"%s\", ", op25b_frame_counter_name(f.frame_counter));
	else
		printf("null, ");
}

static void
print_result(struct replay *r, uint64_t n, const uint8_t *frame, uint32_t len,
	     const struct op25b_classify_result *res)
{
	const char *cls = slot_name(r->policy, res->class_slot, 1);
	const char *grp = slot_name(r->policy, res->group_slot, 0);
	char what[256];

	op25b_classifier_describe(r->classifier, frame, len, what,
				  sizeof(what));
	if (r->json) {
		/* Names are [A-Za-z0-9_.-] (the loader's rule) and the
		 * summary plain ASCII: nothing to escape. */
		printf("{\"packet\": %" PRIu64 ", \"outcome\": \"%s\", "
		       "\"disposition\": \"%s\", ",
		       n, op25b_outcome_name(res->outcome),
		       disposition_names[res->disposition]);
		printf(cls ? "\"class\": \"%s\", " : "\"class\": null, ", cls);
		printf(grp ? "\"group\": \"%s\", " : "\"group\": null, ", grp);
		print_frame_fields(r, frame, len);
		printf("\"length\": %u, \"summary\": \"%s\"}\n", len, what);
		return;
	}
	printf("%6" PRIu64 "  %-10s %-8s %-16s %-16s %s\n", n,
	       op25b_outcome_name(res->outcome),
	       disposition_names[res->disposition], cls ? cls : "-",
	       grp ? grp : "-", what);
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

static void
flush_burst(struct replay *r, struct rte_mbuf **pkts, struct timeval *ts,
	    uint8_t (*orig)[REPLAY_FRAME_MAX], const uint32_t *orig_len,
	    uint16_t n)
{
	struct op25b_classify_result res[REPLAY_BURST];
	uint16_t i;

	op25b_classifier_classify_burst(r->classifier, NULL, pkts, n, res,
					&r->counters);
	for (i = 0; i < n; i++) {
		r->packets++;
		/* Describe the frame as it came in, not its RST rewrite. */
		print_result(r, r->packets, orig[i], orig_len[i], &res[i]);
		if (res[i].disposition == OP25B_DISPOSITION_FORWARD)
			dump(r->out, pkts[i], &ts[i]);
		else if (res[i].disposition == OP25B_DISPOSITION_REPLY)
			dump(r->replies, pkts[i], &ts[i]);
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
	uint16_t n = 0;
	int ret;

	while ((ret = pcap_next_ex(in, &h, &data)) == 1) {
		struct rte_mbuf *m;
		uint32_t len = h->caplen;

		if (h->caplen < h->len)
			r->truncated++;
		if (len > REPLAY_FRAME_MAX) {
			r->oversize++;
			continue;
		}
		m = op25b_mbuf_chain_copy(r->pool, data, len, UINT32_MAX,
					  UINT32_MAX);
		if (m == NULL) {
			fprintf(stderr,
				"op25b-policy: %s: frame %" PRIu64 " of %u "
				"bytes: the mbuf pool is exhausted\n",
				r->in_path, r->packets + n + 1, len);
			rte_pktmbuf_free_bulk(pkts, n);
			return -ENOMEM;
		}
		memcpy(orig[n], data, len);
		orig_len[n] = len;
		ts[n] = h->ts;
		pkts[n++] = m;
		if (n == REPLAY_BURST) {
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

/* Class or group rows as the stats JSON has them: named slots in policy
 * order, then "(none)". */
static void
print_json_verdicts(const struct op25b_policy *p, int is_class,
		    const uint64_t (*table)[OP25B_VERDICT_MAX])
{
	unsigned int n = is_class ? p->n_classes : p->n_groups, i, v;

	printf("{");
	for (i = 0; i <= n; i++) {
		unsigned int slot = (i + 1) % (n + 1);
		const char *name = slot_name(p, slot, is_class);

		printf("%s\"%s\": {", i ? ", " : "", name ? name : "(none)");
		for (v = 0; v < OP25B_VERDICT_MAX; v++)
			printf("%s\"%s\": %" PRIu64, v ? ", " : "",
			       op25b_verdict_name(v), table[slot][v]);
		printf("}");
	}
	printf("}");
}

/* The totals as one JSON object, the last line of --json output: the
 * members packets, frames, classes and groups are those of op25b's
 * --stats-json. */
static void
print_json_summary(const struct replay *r)
{
	unsigned int i;

	printf("{\"totals\": {\"packets\": {");
	for (i = 0; i < OP25B_OUTCOME_MAX; i++)
		printf("%s\"%s\": %" PRIu64, i ? ", " : "",
		       op25b_outcome_name(i), r->counters.outcome[i]);
	printf("}, \"frames\": {");
	for (i = 0; i < OP25B_FRAME_MAX; i++)
		printf("%s\"%s\": %" PRIu64, i ? ", " : "",
		       op25b_frame_counter_name(i), r->counters.frame[i]);
	printf("}, \"classes\": ");
	print_json_verdicts(r->policy, 1, r->counters.class_verdict);
	printf(", \"groups\": ");
	print_json_verdicts(r->policy, 0, r->counters.group_verdict);
	printf(", \"truncated\": %" PRIu64 ", \"skipped\": %" PRIu64 "}}\n",
	       r->truncated, r->oversize);
}

static void
print_summary(const struct replay *r)
{
	const struct op25b_policy *p = r->policy;
	FILE *out = r->json ? stderr : stdout;
	unsigned int i, v;

	fprintf(out, "\n%" PRIu64 " packets:", r->packets);
	for (i = 0; i < OP25B_OUTCOME_MAX; i++)
		fprintf(out, " %s %" PRIu64, op25b_outcome_name(i),
			r->counters.outcome[i]);
	fputs("\nframes:", out);
	for (i = 0; i < OP25B_FRAME_MAX; i++)
		fprintf(out, " %s %" PRIu64, op25b_frame_counter_name(i),
			r->counters.frame[i]);
	fputc('\n', out);
	if (r->truncated || r->oversize)
		fprintf(out,
			"note: %" PRIu64
			" frames were cut short by the capture's "
			"snap length (classified as captured), %" PRIu64
			" frames over %u bytes were skipped\n",
			r->truncated, r->oversize, REPLAY_FRAME_MAX);
	fprintf(out, "%-24s %10s %10s %10s %10s\n", "class", "forwarded",
		"counted", "blocked", "reset");
	for (i = 0; i <= p->n_classes; i++) {
		unsigned int slot = (i + 1) % (p->n_classes + 1);
		const char *name = slot_name(p, slot, 1);

		fprintf(out, "%-24s", name ? name : "(none)");
		for (v = 0; v < OP25B_VERDICT_MAX; v++)
			fprintf(out, " %10" PRIu64,
				r->counters.class_verdict[slot][v]);
		fputc('\n', out);
	}
}

static pcap_dumper_t *
open_dump(pcap_t *dead, const char *path)
{
	pcap_dumper_t *d;

	if (path == NULL)
		return NULL;
	d = pcap_dump_open(dead, path);
	if (d == NULL)
		fprintf(stderr, "op25b-policy: %s: %s\n", path,
			pcap_geterr(dead));
	return d;
}

/* The default --help states. */
_Static_assert(RTE_MBUF_DEFAULT_BUF_SIZE == 2176, "replay --help: default");

enum replay_option {
	REPLAY_OUT = OP25B_OPTION_LONG_ONLY,
	REPLAY_REPLIES,
	REPLAY_JSON,
	REPLAY_MBUF_SIZE,
	REPLAY_HELP = 'h',
};

static const struct op25b_option replay_options[] = {
	OP25B_OPTION("out", REPLAY_OUT, "OUT.pcap",
		     "write what would be forwarded upstream"),
	OP25B_OPTION("replies", REPLAY_REPLIES, "R.pcap",
		     "write the TCP resets op25b would send back"),
	OP25B_OPTION("json", REPLAY_JSON, NULL,
		     "one JSON object a packet on standard output, the totals "
		     "as the last (the text summary goes to standard error)"),
	OP25B_OPTION("mbuf-size", REPLAY_MBUF_SIZE, "N",
		     "mbuf data room, headroom included, as op25b's "
		     "--mbuf-size (default 2176): frames longer than one "
		     "segment are chained"),
	OP25B_OPTION("help", REPLAY_HELP, NULL, "this text"),
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
	pcap_t *in = NULL, *dead = NULL;
	unsigned int n_mbufs;
	char *end;
	int opt, ret = 1;

	if (op25b_options_getopt(&g, replay_options, RTE_DIM(replay_options),
				 NULL, NULL) != 0)
		abort(); /* the table outgrew OP25B_OPTIONS_MAX: a bug */
	r.mbuf_size = RTE_MBUF_DEFAULT_BUF_SIZE;
	optind = 1;
	while ((opt = getopt_long(argc, argv, g.shortopts, g.longopts, NULL)) !=
	       -1) {
		switch (opt) {
		case REPLAY_OUT:
			r.out_path = optarg;
			break;
		case REPLAY_REPLIES:
			r.replies_path = optarg;
			break;
		case REPLAY_JSON:
			r.json = 1;
			break;
		case REPLAY_HELP:
			return replay_usage(stdout);
		case REPLAY_MBUF_SIZE: {
			unsigned long v;

			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    v < REPLAY_MBUF_SIZE_MIN || v > UINT16_MAX) {
				fprintf(stderr,
					"op25b-policy: --mbuf-size %s: expected "
					"%u..%u\n",
					optarg, REPLAY_MBUF_SIZE_MIN,
					UINT16_MAX);
				return OP25B_TOOL_USAGE;
			}
			r.mbuf_size = (unsigned int)v;
			break;
		}
		default:
			return replay_usage(stderr);
		}
	}
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
	r.classifier = op25b_classifier_compile(r.policy, SOCKET_ID_ANY, NULL,
						NULL, &compile_error);
	if (r.classifier == NULL) {
		/* At the prefix list that broke a table limit, as check. */
		op25b_tool_print_error(&compile_error.where);
		goto out_eal;
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
	dead = pcap_open_dead(DLT_EN10MB, REPLAY_FRAME_MAX);
	r.out = open_dump(dead, r.out_path);
	r.replies = open_dump(dead, r.replies_path);
	if ((r.out_path && r.out == NULL) ||
	    (r.replies_path && r.replies == NULL))
		goto out_dump;

	if (run_capture(&r, in) == 0) {
		if (r.json)
			print_json_summary(&r);
		else
			print_summary(&r);
		ret = 0;
	}

out_dump:
	if (r.out)
		pcap_dump_close(r.out);
	if (r.replies)
		pcap_dump_close(r.replies);
	if (dead)
		pcap_close(dead);
out_eal:
	rte_mempool_free(r.pool);
	op25b_classifier_free(r.classifier);
	rte_eal_cleanup();
out_pcap:
	pcap_close(in);
out_policy:
	op25b_policy_free(r.policy);
	return ret;
}
