/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * XDP program micro-benchmark (not a test: it asserts nothing about speed).
 *
 * Loads the program, fills its maps from a policy (typically one whose
 * dynamic pool is a million-prefix prefixes_file), timing the fill and a
 * reload into the other generation, and reports the maps' memory (the
 * kernel's memlock figure of each map); then, for each capture given, the
 * mean ns per frame of BPF_PROG_TEST_RUN with --repeat runs of every frame
 * (the kernel's own timing around the program, its per-run set-up
 * included).
 *
 * usage: bench_xdp POLICY [--repeat N] [TRACE.pcap...]
 * Needs root.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "op25b_clock.h"
#include "op25b_policy.h"
#include "op25b_xdp.h"

static int
bench_trace(struct op25b_xdp *x, const char *path, uint32_t repeat)
{
	static uint8_t out[65536];
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	double ns = 0;
	uint64_t frames = 0, skipped = 0;
	pcap_t *in = pcap_open_offline(path, errbuf);

	if (in == NULL) {
		fprintf(stderr, "bench_xdp: %s: %s\n", path, errbuf);
		return -1;
	}
	while (pcap_next_ex(in, &h, &data) == 1) {
		struct op25b_xdp_run run;

		if (op25b_xdp_test_run(x, data, h->caplen, out, sizeof(out),
				       repeat, &run) != 0) {
			skipped++;
			continue;
		}
		ns += run.duration;
		frames++;
	}
	pcap_close(in);
	printf("%s: %" PRIu64 " frames x %u runs: %.1f ns/frame "
	       "(%" PRIu64 " not run)\n",
	       path, frames, repeat, frames ? ns / (double)frames : 0.0,
	       skipped);
	return 0;
}

int
main(int argc, char **argv)
{
	struct op25b_policy_error perr;
	struct op25b_policy *policy;
	struct op25b_xdp_state st;
	struct op25b_xdp *x;
	uint32_t repeat = 1000;
	char log[2048];
	double t0, t1, t2, t3;
	int i, err;

	if (argc < 2) {
		fprintf(stderr,
			"usage: bench_xdp POLICY [--repeat N] [TRACE.pcap...]\n");
		return 2;
	}
	t0 = op25b_monotonic_seconds();
	policy = op25b_policy_load(argv[1], &perr);
	if (policy == NULL) {
		fprintf(stderr, "%s:%u:%u: %s\n", perr.file, perr.line,
			perr.column, perr.message);
		return 1;
	}
	t1 = op25b_monotonic_seconds();
	x = op25b_xdp_load(log, sizeof(log));
	if (x == NULL) {
		fprintf(stderr, "bench_xdp: %s\n%s", strerror(errno), log);
		return 1;
	}
	t2 = op25b_monotonic_seconds();
	err = op25b_xdp_apply(x, policy, NULL, NULL);
	t3 = op25b_monotonic_seconds();
	if (err != 0 || op25b_xdp_state(x, &st) != 0) {
		fprintf(stderr, "bench_xdp: apply: %s\n", strerror(-err));
		return 1;
	}
	printf("policy load (YAML, prefixes_file): %.2f s\n", t1 - t0);
	printf("maps filled: %" PRIu64 " prefixes in %.2f s\n", st.prefixes,
	       t3 - t2);
	printf("map memory: %.1f MB\n", (double)op25b_xdp_memory(x) / 1048576);
	t2 = op25b_monotonic_seconds();
	err = op25b_xdp_apply(x, policy, NULL, NULL);
	t3 = op25b_monotonic_seconds();
	if (err != 0) {
		fprintf(stderr, "bench_xdp: reload: %s\n", strerror(-err));
		return 1;
	}
	printf("reload into the other generation (fill, switch, clear the "
	       "old): %.2f s\n",
	       t3 - t2);
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
			repeat = (uint32_t)strtoul(argv[++i], NULL, 10);
			continue;
		}
		bench_trace(x, argv[i], repeat);
	}
	op25b_xdp_close(x);
	op25b_policy_free(policy);
	return 0;
}
