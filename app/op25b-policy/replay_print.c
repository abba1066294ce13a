/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a replay prints, one line (or JSON object) a packet and the totals:
 * op25b-policy replay (the DPDK classifier) and op25b-xdp replay (the XDP
 * program) print the same, so that their outputs compare line by line.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <sys/socket.h>

#include "replay_print.h"

static const char *const disposition_names[] = { "forward", "drop", "reply" };

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
print_frame_fields(const struct op25b_replay_report *r, const uint8_t *frame,
		   uint32_t len)
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

void
op25b_replay_print_result(const struct op25b_replay_report *r, uint64_t n,
			  const uint8_t *frame, uint32_t len,
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
print_json_summary(const struct op25b_replay_report *r)
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
print_summary(const struct op25b_replay_report *r)
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
			r->truncated, r->oversize, r->frame_max);
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

void
op25b_replay_print_totals(const struct op25b_replay_report *r)
{
	if (r->json)
		print_json_summary(r);
	else
		print_summary(r);
}

static pcap_dumper_t *
dump_open(pcap_t *dead, const char *tool, const char *path, int *failed)
{
	pcap_dumper_t *d;

	if (path == NULL)
		return NULL;
	d = pcap_dump_open(dead, path);
	if (d == NULL) {
		/* pcap_geterr() names the path itself. */
		fprintf(stderr, "%s: %s\n", tool, pcap_geterr(dead));
		*failed = 1;
	}
	return d;
}

int
op25b_replay_dumps_open(struct op25b_replay_dumps *d, const char *tool,
			const char *out, const char *replies,
			unsigned int snaplen)
{
	int failed = 0;

	memset(d, 0, sizeof(*d));
	d->tool = tool;
	d->out_path = out;
	d->replies_path = replies;
	d->dead = pcap_open_dead(DLT_EN10MB, (int)snaplen);
	if (d->dead == NULL) {
		fprintf(stderr, "%s: no memory for the captures\n", tool);
		return -1;
	}
	d->out = dump_open(d->dead, tool, out, &failed);
	d->replies = dump_open(d->dead, tool, replies, &failed);
	return failed ? -1 : 0;
}

/* Flush and close @dp (@path's); 0, or -1 after saying why. pcap_dump()
 * says nothing of a failed write: the stream's error flag keeps it. */
static int
dump_close(pcap_dumper_t *dp, const char *tool, const char *path)
{
	int bad;

	errno = 0;
	bad = pcap_dump_flush(dp) != 0 || ferror(pcap_dump_file(dp));
	if (bad)
		fprintf(stderr, "%s: %s: write failed: %s\n", tool, path,
			strerror(errno != 0 ? errno : EIO));
	pcap_dump_close(dp);
	return bad ? -1 : 0;
}

int
op25b_replay_dumps_close(struct op25b_replay_dumps *d)
{
	int ret = 0;

	if (d->out && dump_close(d->out, d->tool, d->out_path) != 0)
		ret = -1;
	if (d->replies && dump_close(d->replies, d->tool, d->replies_path) != 0)
		ret = -1;
	if (d->dead)
		pcap_close(d->dead);
	errno = 0;
	if (d->tool != NULL && (fflush(stdout) != 0 || ferror(stdout))) {
		fprintf(stderr, "%s: standard output: write failed: %s\n",
			d->tool, strerror(errno != 0 ? errno : EIO));
		ret = -1;
	}
	memset(d, 0, sizeof(*d));
	return ret;
}

void
op25b_replay_print_adaptive(const struct op25b_replay_report *r,
			    uint64_t triggered, uint64_t evicted,
			    uint64_t table_full)
{
	fprintf(r->json ? stderr : stdout,
		"adaptive: %" PRIu64 " sources blocked for going over a limit "
		"(adaptive_triggered), %" PRIu64 " evicted, %" PRIu64
		" untracked (table full)\n",
		triggered, evicted, table_full);
}

uint64_t
op25b_replay_clock_at(struct op25b_replay_clock *c, const struct timeval *ts,
		      uint64_t packet, const char *tool)
{
	uint64_t now = (uint64_t)ts->tv_sec * 1000000u + (uint64_t)ts->tv_usec;

	if (now >= c->latest_us) {
		c->latest_us = now;
		return now;
	}
	/* Taken as it is, it took a sub-window's slot of the adaptive
	 * table and the counts in it. */
	if (!c->said)
		fprintf(stderr,
			"%s: warning: the capture's time goes back %.6f s at "
			"packet %" PRIu64
			": such frames are judged at the latest time seen\n",
			tool, (double)(c->latest_us - now) / 1e6, packet);
	c->said = true;
	return c->latest_us;
}
