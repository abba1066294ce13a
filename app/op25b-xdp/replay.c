/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * op25b-xdp replay: the XDP program itself (not a model of it) run on
 * every frame of a capture with BPF_PROG_TEST_RUN, printed as op25b-policy
 * replay prints the DPDK classifier's verdicts, so that the two compare
 * line by line (--exemptions FILE: with op25b-xdp's exemptions, as load
 * applies them). What the program decided is read from its own counters:
 * each run adds exactly one outcome, and a policy decision one class row
 * and one group row.
 */
#include <errno.h>
#include <sched.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "op25b_classify.h"
#include "replay_print.h"
#include "xdp_tool.h"

/* The longest frame read from a capture, as op25b-policy replay. */
#define REPLAY_FRAME_MAX 65535

/* What one run did, from the counters before and after it. */
static void
result_of(const struct op25b_stats_counters *before,
	  const struct op25b_stats_counters *after, uint32_t action,
	  struct op25b_classify_result *r)
{
	unsigned int i, v;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < OP25B_OUTCOME_MAX; i++)
		if (after->outcome[i] != before->outcome[i])
			r->outcome = (uint8_t)i;
	for (i = 0; i < OP25B_STATS_SLOTS; i++)
		for (v = 0; v < OP25B_VERDICT_MAX; v++) {
			if (after->class_verdict[i][v] !=
			    before->class_verdict[i][v])
				r->class_slot = (uint8_t)i;
			if (after->group_verdict[i][v] !=
			    before->group_verdict[i][v])
				r->group_slot = (uint8_t)i;
		}
	r->disposition = action == OP25B_XDP_PASS ? OP25B_DISPOSITION_FORWARD
			 : action == OP25B_XDP_TX ? OP25B_DISPOSITION_REPLY
						  : OP25B_DISPOSITION_DROP;
}

struct xdp_replay {
	struct op25b_replay_report report;
	struct op25b_xdp *x;
	struct op25b_replay_dumps dumps;
	struct op25b_replay_clock clock;
	uint64_t runts;	  /* shorter than Ethernet: no XDP run */
	uint64_t refused; /* longer than the kernel runs in one buffer */
	uint32_t refused_min;
};

static int
replay_frame(struct xdp_replay *r, const struct pcap_pkthdr *h,
	     const uint8_t *data)
{
	static uint8_t out[REPLAY_FRAME_MAX];
	static struct op25b_stats_counters before, after;
	struct op25b_classify_result res;
	struct op25b_xdp_run run;
	struct pcap_pkthdr oh;
	int err;

	if ((err = op25b_xdp_counters(r->x, &before)) != 0)
		return err;
	/* Adaptive classes count on the capture's clock, as op25b-policy
	 * replay's table: the frame's time (a capture at the epoch's very
	 * first microsecond would run on the kernel's). */
	err = op25b_xdp_set_clock(r->x,
				  op25b_replay_clock_at(&r->clock, &h->ts,
							r->report.packets + 1,
							"op25b-xdp") *
					  1000u);
	if (err != 0)
		return err;
	err = op25b_xdp_test_run(r->x, data, h->caplen, out, sizeof(out), 0,
				 &run);
	if (err == -EINVAL) {
		/* The kernel runs XDP on neither: a runt never reaches a
		 * program, and a frame over one page needs multi-buffer XDP,
		 * which this program does not declare. */
		if (h->caplen < 14) {
			r->runts++;
		} else {
			r->refused++;
			if (r->refused_min == 0 || h->caplen < r->refused_min)
				r->refused_min = h->caplen;
		}
		return 0;
	}
	if (err != 0 || (err = op25b_xdp_counters(r->x, &after)) != 0)
		return err;
	result_of(&before, &after, run.action, &res);
	r->report.packets++;
	op25b_replay_print_result(&r->report, r->report.packets, data,
				  h->caplen, &res);
	oh.ts = h->ts;
	oh.caplen = oh.len = run.out_len;
	if (res.disposition == OP25B_DISPOSITION_FORWARD && r->dumps.out)
		pcap_dump((u_char *)r->dumps.out, &oh, out);
	else if (res.disposition == OP25B_DISPOSITION_REPLY && r->dumps.replies)
		pcap_dump((u_char *)r->dumps.replies, &oh, out);
	return 0;
}

/* --exemptions FILE, as load reads it (expired entries left out by
 * op25b_xdp_apply); but a file that is not there is an error here: replay
 * has nothing that would create it later, so it is a typo. Reported. */
static struct op25b_exempt_registry *
replay_exemptions(const char *path)
{
	if (access(path, R_OK) != 0) {
		fprintf(stderr, "op25b-xdp: --exemptions %s: %s\n", path,
			strerror(errno));
		return NULL;
	}
	return xdp_exempt_load(path, false);
}

/* Whether op25b-policy replay would make an adaptive table (and print
 * its line). */
static int
replay_has_adaptive(const struct op25b_policy *policy)
{
	unsigned int i;

	for (i = 0; i < policy->n_classes; i++)
		if (policy->classes[i].action == OP25B_ACTION_ADAPTIVE)
			return 1;
	return 0;
}

static void
replay_one_cpu(void)
{
	int cpu = sched_getcpu();
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	(void)sched_setaffinity(0, sizeof(set), &set);
}

int
xdp_cmd_replay(const struct xdp_args *a)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct xdp_replay r = { 0 };
	struct op25b_policy *policy;
	struct op25b_classifier *parser = NULL;
	struct op25b_exempt_registry *reg = NULL;
	struct pcap_pkthdr *h;
	char *file;
	const u_char *data;
	pcap_t *in;
	int ret = EXIT_FAILURE, n, err;

	if (a->argc != 2)
		return xdp_usage_error(a);
	policy = xdp_policy_load(a->argv[0]);
	if (policy == NULL)
		return EXIT_FAILURE;
	in = pcap_open_offline(a->argv[1], errbuf);
	if (in == NULL) {
		fprintf(stderr, "op25b-xdp: %s: %s\n", a->argv[1], errbuf);
		goto out_policy;
	}
	if (pcap_datalink(in) != DLT_EN10MB) {
		fprintf(stderr,
			"op25b-xdp: %s: link type %s; only Ethernet captures "
			"can be replayed\n",
			a->argv[1],
			pcap_datalink_val_to_name(pcap_datalink(in)));
		goto out_pcap;
	}
	/* One CPU, as op25b-policy replay is one worker: block: notify's
	 * budget is per CPU (a failure only spreads it). */
	replay_one_cpu();
	r.x = xdp_program_load(a->adaptive_entries);
	if (r.x == NULL)
		goto out_pcap;
	if (a->exemptions != NULL) {
		reg = replay_exemptions(a->exemptions);
		if (reg == NULL)
			goto out_x;
	}
	/* The maps keep the policy's path for a later reload, which a
	 * replay never does: a path too long for them (a deep CI
	 * workspace's) refused the replay. Its last part is kept instead. */
	file = policy->file;
	if (strlen(file) >= OP25B_XDP_POLICY_PATH_MAX &&
	    strrchr(file, '/') != NULL)
		policy->file = strrchr(file, '/') + 1;
	err = op25b_xdp_apply(r.x, policy, reg, NULL);
	policy->file = file;
	parser = op25b_classifier_parser_create(policy);
	if (err != 0 || parser == NULL) {
		fprintf(stderr, "op25b-xdp: %s: %s\n", a->argv[0],
			strerror(err ? -err : errno));
		goto out_x;
	}
	r.report.policy = policy;
	r.report.classifier = parser;
	r.report.json = a->json;
	r.report.frame_max = REPLAY_FRAME_MAX;
	if (op25b_replay_dumps_open(&r.dumps, "op25b-xdp", a->out, a->replies,
				    REPLAY_FRAME_MAX) != 0)
		goto out_dump;
	while ((n = pcap_next_ex(in, &h, &data)) == 1) {
		if (h->caplen < h->len)
			r.report.truncated++;
		if (h->caplen > REPLAY_FRAME_MAX) {
			r.report.oversize++;
			continue;
		}
		err = replay_frame(&r, h, data);
		if (err != 0) {
			fprintf(stderr, "op25b-xdp: BPF_PROG_TEST_RUN: %s\n",
				strerror(-err));
			goto out_dump;
		}
	}
	if (n == -1) {
		fprintf(stderr, "op25b-xdp: %s: %s\n", a->argv[1],
			pcap_geterr(in));
		goto out_dump;
	}
	/* The program's own counters, from fresh maps: every run's. */
	if (op25b_xdp_counters(r.x, &r.report.counters) != 0)
		goto out_dump;
	op25b_replay_print_totals(&r.report);
	if (replay_has_adaptive(policy)) {
		struct op25b_xdp_adaptive_totals at;

		if (op25b_xdp_adaptive(r.x, 0, &at, NULL) != 0)
			goto out_dump;
		op25b_replay_print_adaptive(&r.report, at.adaptive_triggered,
					    at.adaptive_evicted,
					    at.adaptive_table_full);
	}
	/* Each kind only when there is one: a count of none has no size to
	 * name ("0 frames of 0 bytes or more"). */
	if (r.runts || r.refused) {
		fprintf(stderr, "note: not run (the kernel runs XDP on no such "
				"frame):");
		if (r.runts)
			fprintf(stderr,
				" %" PRIu64
				" frames shorter than an Ethernet header%s",
				r.runts, r.refused ? "," : "");
		if (r.refused)
			fprintf(stderr,
				" %" PRIu64 " frames of %" PRIu32
				" bytes or more (multi-buffer)",
				r.refused, r.refused_min);
		fprintf(stderr, "\n");
	}
	ret = EXIT_SUCCESS;
out_dump:
	if (op25b_replay_dumps_close(&r.dumps) != 0)
		ret = EXIT_FAILURE;
out_x:
	op25b_exempt_registry_free(reg);
	op25b_classifier_parser_free(parser);
	op25b_xdp_close(r.x);
out_pcap:
	pcap_close(in);
out_policy:
	op25b_policy_free(policy);
	return ret;
}
