/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: any bytes as an Ethernet frame through the parser and
 * the classifier, alone and in a burst among fixed frames.
 *
 * What must hold for every input:
 *  - no read or write outside the frame (ASan: the frame is copied into a
 *    malloc'd buffer of exactly its length, behind a hand-built mbuf, since
 *    rte_malloc memory has no redzones);
 *  - a defined result: outcome < OP25B_OUTCOME_MAX, the disposition that
 *    outcome implies, slots only on policy verdicts;
 *  - the verdict the policy's reference matcher and precedence give for the
 *    addresses and flags op25b_classifier_describe() reports;
 *  - the same result alone and in a burst, and no effect on its neighbours;
 *  - the frame untouched unless the outcome is RESET, and then a well-formed
 *    RST+ACK (checksums, flags, swapped addresses) no longer than the SYN;
 *  - one outcome counted per packet;
 *  - the same result in a chain of three segments cut where the input
 *    says (each segment's bytes malloc'd to their exact length), and the
 *    same reply, or a drop when the first segment has no room for one.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include "op25b_classify.h"
#include "op25b_classify_path.h"
#include "op25b_craft.h"
#include "fuzz_check.h"
#include "op25b_policy.h"
#include "../unit/test_eal.h"

/* Classes with IPv4 and IPv6 prefixes, groups with and without an action,
 * per-group overrides, and block: reset so that blocked SYNs go through the
 * in-place RST rewrite. */
static const char fuzz_policy_yaml[] =
	"version: 1\n"
	"mode: enforce\n"
	"block: reset\n"
	"default: allow\n"
	"malformed: drop\n"
	"ports: {smtp: [25, 2525], submission: [587, 465]}\n"
	"sources:\n"
	"  dynamic: {action: block, prefixes: [198.18.0.0/16, "
	"2001:db8:1000::/36]}\n"
	"  static: {action: allow, prefixes: [198.18.20.0/24, "
	"2001:db8:1000:20::/64]}\n"
	"  watched: {action: count, prefixes: [198.19.0.0/24, "
	"2001:db8:3000::/48]}\n"
	"  mobile-only: {action: allow, to: {mobile-mx: block}, prefixes: "
	"[198.19.128.0/17, 2001:db8:4000::/34]}\n"
	"  strict: {action: block, to: {isp-relays: block}, prefixes: "
	"[198.19.1.0/24, 2001:db8:1000:30::/60]}\n"
	"destinations:\n"
	"  isp-relays: {action: allow, prefixes: [192.0.2.25/32, "
	"2001:db8::25/128]}\n"
	"  mobile-mx: {prefixes: [198.51.100.0/24, 2001:db8:5100::/40]}\n"
	"  blackhole: {action: block, prefixes: [203.0.113.66/32, "
	"2001:db8:ffff::66/128]}\n";

/* Neighbours in the burst: one of each kind of result. */
static const char *const fixed_specs[] = {
	"src=198.18.5.9 dst=203.0.113.9 dport=25 flags=S",
	"src=2001:db8:1000::9 dst=2001:db8:ffff::9 dport=25 flags=S",
	"src=198.18.20.7 dst=192.0.2.25 dport=25 flags=A payload=40",
	"src=198.18.5.9 dst=203.0.113.9 dport=443",
	"src=198.18.5.9 dst=203.0.113.9 vlan=100 pppoe=7 dport=587",
	"src=198.19.0.5 dst=203.0.113.66 dport=25 flags=A",
	"src=2001:db8:3000::5 dst=2001:db8:5100::1 dport=2525 flags=S qinq=1,2",
};
#define N_FIXED RTE_DIM(fixed_specs)
/* The fuzzed frame goes in twice, so the burst is longer than the
 * classifier's prefetch distance. */
#define BURST (N_FIXED + 2)

struct fixed_frame {
	uint8_t bytes[OP25B_CRAFT_FRAME_MAX];
	uint32_t len;
	struct op25b_classify_result result;
};

static struct op25b_policy *policy;
static struct op25b_classifier *classifier;
static struct fixed_frame fixed[N_FIXED];
static struct op25b_stats_counters counters;
static struct rte_mbuf mbufs[BURST];
static uint8_t *buffers[BURST];

/* A chain: a hand-built first segment (direct, so the RST may be written
 * into it) and two segments from a pool over external malloc'd buffers,
 * which the classifier frees when it answers with a RST. */
#define CHAIN_TAIL 2
static struct rte_mempool *tail_pool;
static struct rte_mbuf chain_head;
static uint8_t *chain_buffers[1 + CHAIN_TAIL];
static struct rte_mbuf_ext_shared_info chain_shinfo[CHAIN_TAIL];

/* An mbuf over a private, malloc'd copy of @p len bytes: direct, one
 * segment, refcnt 1, so the RST rewrite may write it. */
static struct rte_mbuf *
frame_mbuf(unsigned int i, const uint8_t *data, uint32_t len)
{
	struct rte_mbuf *m = &mbufs[i];

	/* malloc(0) still returns a distinct block, which ASan guards. */
	buffers[i] = malloc(len);
	FUZZ_CHECK(buffers[i] != NULL, "out of memory");
	memcpy(buffers[i], data, len);
	memset(m, 0, sizeof(*m));
	m->buf_addr = buffers[i];
	m->buf_len = (uint16_t)len;
	m->data_off = 0;
	m->data_len = (uint16_t)len;
	m->pkt_len = len;
	m->nb_segs = 1;
	m->ol_flags = 0;
	m->next = NULL;
	rte_mbuf_refcnt_set(m, 1);
	return m;
}

static void
ext_buffer_free(void *addr, void *opaque)
{
	(void)addr;
	(void)opaque; /* chain_free() frees the buffers */
}

/* @p data as three segments: @p first bytes, then the rest halved. */
static struct rte_mbuf *
chain_mbuf(const uint8_t *data, uint32_t len, uint32_t first)
{
	struct rte_mbuf *m = &chain_head, *prev = m;
	uint32_t off = first, k;

	chain_buffers[0] = malloc(first);
	FUZZ_CHECK(chain_buffers[0] != NULL, "out of memory");
	memcpy(chain_buffers[0], data, first);
	memset(m, 0, sizeof(*m));
	m->buf_addr = chain_buffers[0];
	m->buf_len = (uint16_t)first;
	m->data_len = (uint16_t)first;
	m->pkt_len = len;
	m->nb_segs = 1;
	rte_mbuf_refcnt_set(m, 1);
	for (k = 0; k < CHAIN_TAIL; k++) {
		uint32_t n = k + 1 < CHAIN_TAIL ? (len - first) / 2 : len - off;
		struct rte_mbuf *seg = rte_pktmbuf_alloc(tail_pool);

		FUZZ_CHECK(seg != NULL, "tail pool empty");
		chain_buffers[1 + k] = malloc(n);
		FUZZ_CHECK(chain_buffers[1 + k] != NULL, "out of memory");
		memcpy(chain_buffers[1 + k], data + off, n);
		chain_shinfo[k].free_cb = ext_buffer_free;
		rte_mbuf_ext_refcnt_set(&chain_shinfo[k], 1);
		rte_pktmbuf_attach_extbuf(seg, chain_buffers[1 + k], 0,
					  (uint16_t)n, &chain_shinfo[k]);
		seg->data_off = 0;
		seg->data_len = (uint16_t)n;
		prev->next = seg;
		prev = seg;
		m->nb_segs++;
		off += n;
	}
	return m;
}

static void
chain_free(void)
{
	unsigned int k;

	/* The tail is gone already when a RST was built. */
	if (chain_head.next != NULL)
		rte_pktmbuf_free(chain_head.next);
	for (k = 0; k < 1 + CHAIN_TAIL; k++) {
		free(chain_buffers[k]);
		chain_buffers[k] = NULL;
	}
}

static void
frames_free(unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		free(buffers[i]);
		buffers[i] = NULL;
	}
}

static uint64_t
outcomes_counted(void)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < OP25B_OUTCOME_MAX; i++)
		sum += counters.outcome[i];
	return sum;
}

/* What the frame's description says: family, addresses, TCP flags.
 * Returns 0 unless the description is of an SMTP candidate ("IPv4 S -> D
 * TCP sp -> dp [flags]..."). */
struct described {
	int family;
	uint8_t src[16], dst[16];
	char flags[8];
	bool group; /* a group, unspecified or loopback address, or a group
		     * MAC: no reply */
};

/* Whether an address can be neither answered nor answered from: IPv4
 * 0.0.0.0/8, 127.0.0.0/8 (loopback) and 224.0.0.0 up; IPv6 multicast,
 * and an IPv4 address in IPv6 form (IPv4-mapped ::ffff:0:0/96,
 * IPv4-compatible ::/96, :: and ::1 among them) that IPv4 refuses
 * (RFC 1122, 4291). */
static bool
group_address(int family, const uint8_t *a)
{
	static const uint8_t compatible[12];
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (family == AF_INET)
		return a[0] == 0 || a[0] == 127 || a[0] >= 224;
	if (a[0] == 0xff)
		return true;
	if (memcmp(a, compatible, 12) == 0 || memcmp(a, mapped, 12) == 0)
		return group_address(AF_INET, a + 12);
	return false;
}

static int
describe(const uint8_t *frame, uint32_t len, struct described *d)
{
	char text[256], src[64], dst[64], version;
	unsigned int sport, dport;

	op25b_classifier_describe(classifier, frame, len, text, sizeof(text));
	memset(d, 0, sizeof(*d));
	if (sscanf(text, "IPv%c %63s -> %63s TCP %u -> %u [%7[SAFR]]", &version,
		   src, dst, &sport, &dport, d->flags) < 5)
		return 0;
	d->family = version == '4' ? AF_INET : AF_INET6;
	FUZZ_CHECK(inet_pton(d->family, src, d->src) == 1 &&
			   inet_pton(d->family, dst, d->dst) == 1,
		   "describe gave '%s'", text);
	/* A described frame has its Ethernet header. */
	d->group = ((frame[0] | frame[6]) & 1) != 0 ||
		   group_address(d->family, d->src) ||
		   group_address(d->family, d->dst);
	return 1;
}

/* The outcome the policy's reference matcher and precedence give. */
static uint8_t
reference_outcome(const struct described *d, uint8_t *class_slot,
		  uint8_t *group_slot)
{
	int cls = op25b_policy_match_source(policy, d->family, d->src, NULL);
	int grp =
		op25b_policy_match_destination(policy, d->family, d->dst, NULL);
	enum op25b_action action = op25b_policy_decide(policy, cls, grp, NULL);

	*class_slot = (uint8_t)(cls + 1);
	*group_slot = (uint8_t)(grp + 1);
	switch (action) {
	case OP25B_ACTION_BLOCK:
		/* The fixed policy: enforce, block: reset; no reply from or
		 * to a group or loopback address. */
		return strcmp(d->flags, "S") == 0 && !d->group
			       ? OP25B_OUTCOME_RESET
			       : OP25B_OUTCOME_BLOCKED;
	case OP25B_ACTION_COUNT:
		return OP25B_OUTCOME_COUNTED;
	default:
		return OP25B_OUTCOME_FORWARDED;
	}
}

static void
check_result(const struct op25b_classify_result *r, const char *where)
{
	uint8_t expected;

	FUZZ_CHECK(r->outcome < OP25B_OUTCOME_MAX, "%s: outcome %u", where,
		   r->outcome);
	FUZZ_CHECK(r->disposition <= OP25B_DISPOSITION_REPLY,
		   "%s: disposition %u", where, r->disposition);
	expected = r->outcome == OP25B_OUTCOME_RESET ? OP25B_DISPOSITION_REPLY
		   : r->outcome == OP25B_OUTCOME_BLOCKED ||
				   r->outcome == OP25B_OUTCOME_MALFORMED
			   ? OP25B_DISPOSITION_DROP
			   : OP25B_DISPOSITION_FORWARD;
	FUZZ_CHECK(r->disposition == expected,
		   "%s: outcome %s with disposition %u", where,
		   op25b_outcome_name(r->outcome), r->disposition);
	FUZZ_CHECK(r->class_slot <= policy->n_classes &&
			   r->group_slot <= policy->n_groups,
		   "%s: slots %u/%u", where, r->class_slot, r->group_slot);
	if (r->outcome < OP25B_OUTCOME_FORWARDED)
		FUZZ_CHECK(r->class_slot == 0 && r->group_slot == 0,
			   "%s: %s with slots %u/%u", where,
			   op25b_outcome_name(r->outcome), r->class_slot,
			   r->group_slot);
}

/* A RESET result: the mbuf now holds the RST+ACK answering @p syn. */
static void
check_reply(const struct rte_mbuf *m, uint32_t syn_len,
	    const struct described *syn)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m);
	uint32_t ip_len = syn->family == AF_INET ? 40 : 60;
	uint32_t l3, alen = syn->family == AF_INET ? 4 : 16;
	const uint8_t *src, *dst, *tcp;

	FUZZ_CHECK(m->pkt_len == len, "pkt_len %u, data_len %u", m->pkt_len,
		   len);
	FUZZ_CHECK(len <= syn_len && len >= 14 + ip_len,
		   "reply of %u bytes for a SYN of %u", len, syn_len);
	l3 = len - ip_len;
	if (syn->family == AF_INET) {
		FUZZ_CHECK(p[l3] == 0x45 && p[l3 + 9] == IPPROTO_TCP,
			   "IPv4 reply header %02x proto %u", p[l3], p[l3 + 9]);
		FUZZ_CHECK(op25b_craft_ip_checksum(p + l3, 20) == 0,
			   "IPv4 reply header checksum");
		src = p + l3 + 12;
	} else {
		FUZZ_CHECK((p[l3] >> 4) == 6 && p[l3 + 6] == IPPROTO_TCP,
			   "IPv6 reply header %02x next %u", p[l3], p[l3 + 6]);
		src = p + l3 + 8;
	}
	dst = src + alen;
	tcp = p + l3 + ip_len - 20;
	FUZZ_CHECK(memcmp(src, syn->dst, alen) == 0 &&
			   memcmp(dst, syn->src, alen) == 0,
		   "reply addresses not swapped");
	FUZZ_CHECK(tcp[12] == 5 << 4 && tcp[13] == 0x14,
		   "reply TCP doff %u flags %#x", tcp[12] >> 4, tcp[13]);
	FUZZ_CHECK(op25b_craft_l4_checksum(syn->family, src, dst, IPPROTO_TCP,
					   tcp, 20) == 0,
		   "reply TCP checksum");
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct op25b_policy_error err;
	unsigned int i;

	(void)argc;
	(void)argv;
	FUZZ_CHECK(test_eal_init_as("fuzz_classify", "512") == 0,
		   "EAL init failed");
	/* The path the appliance would take here: the vector pre-pass reads
	 * frames too, and only here in buffers ASan guards to the byte. */
	op25b_classify_path_select();
	tail_pool = rte_pktmbuf_pool_create("fuzz_tail", 63, 0, 0, 0,
					    SOCKET_ID_ANY);
	FUZZ_CHECK(tail_pool != NULL, "tail pool: %s", rte_strerror(rte_errno));
	policy = op25b_policy_load_buffer("fuzz.yaml", fuzz_policy_yaml,
					  strlen(fuzz_policy_yaml), &err);
	FUZZ_CHECK(policy != NULL, "%s:%u:%u: %s", err.file, err.line,
		   err.column, err.message);
	classifier = op25b_classifier_create(policy, SOCKET_ID_ANY, NULL, NULL);
	FUZZ_CHECK(classifier != NULL, "classifier: %s",
		   rte_strerror(rte_errno));

	for (i = 0; i < N_FIXED; i++) {
		struct op25b_craft_spec spec;
		char why[256];
		struct rte_mbuf *m;
		int len;

		op25b_craft_spec_init(&spec);
		FUZZ_CHECK(op25b_craft_spec_parse(&spec, fixed_specs[i], NULL,
						  why, sizeof(why)) == 0,
			   "'%s': %s", fixed_specs[i], why);
		len = op25b_craft_build(&spec, fixed[i].bytes,
					sizeof(fixed[i].bytes));
		FUZZ_CHECK(len > 0, "'%s': cannot build", fixed_specs[i]);
		fixed[i].len = (uint32_t)len;
		m = frame_mbuf(0, fixed[i].bytes, fixed[i].len);
		op25b_classifier_classify_burst(classifier, NULL, &m, 1,
						&fixed[i].result, &counters);
		frames_free(1);
		check_result(&fixed[i].result, fixed_specs[i]);
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct op25b_classify_result alone, chained, results[BURST];
	static uint8_t reply[UINT16_MAX];
	struct rte_mbuf *burst[BURST], *chain;
	struct described d;
	uint32_t len, reply_len = 0, first;
	uint64_t before;
	unsigned int i, pos, k;

	/* data_len is 16 bits; a longer frame is not a frame an mbuf holds. */
	if (size > UINT16_MAX)
		return -1;
	len = (uint32_t)size;

	/* Alone. */
	before = outcomes_counted();
	burst[0] = frame_mbuf(0, data, len);
	FUZZ_CHECK(op25b_classifier_classify_burst(classifier, NULL, burst, 1,
						   &alone, &counters) == 1,
		   "alone: not classified");
	check_result(&alone, "alone");
	FUZZ_CHECK(outcomes_counted() == before + 1, "alone: counted %llu",
		   (unsigned long long)(outcomes_counted() - before));
	if (describe(data, len, &d) &&
	    alone.outcome >= OP25B_OUTCOME_FORWARDED) {
		uint8_t class_slot, group_slot;
		uint8_t outcome =
			reference_outcome(&d, &class_slot, &group_slot);

		FUZZ_CHECK(alone.outcome == outcome &&
				   alone.class_slot == class_slot &&
				   alone.group_slot == group_slot,
			   "got %s %u/%u, reference %s %u/%u",
			   op25b_outcome_name(alone.outcome), alone.class_slot,
			   alone.group_slot, op25b_outcome_name(outcome),
			   class_slot, group_slot);
	} else {
		FUZZ_CHECK(alone.outcome < OP25B_OUTCOME_FORWARDED,
			   "a verdict (%s) for a frame describe() does not "
			   "see as TCP",
			   op25b_outcome_name(alone.outcome));
	}
	if (alone.outcome == OP25B_OUTCOME_RESET) {
		check_reply(burst[0], len, &d);
		reply_len = rte_pktmbuf_data_len(burst[0]);
		memcpy(reply, rte_pktmbuf_mtod(burst[0], void *), reply_len);
	} else {
		FUZZ_CHECK(rte_pktmbuf_data_len(burst[0]) == len &&
				   memcmp(buffers[0], data, len) == 0,
			   "frame modified without a RESET");
	}
	frames_free(1);

	/* In a chain, cut where the input's last byte says. */
	if (len >= 2 + CHAIN_TAIL) {
		first = 1 + data[len - 1] % (len - CHAIN_TAIL);
		chain = chain_mbuf(data, len, first);
		FUZZ_CHECK(op25b_classifier_classify_burst(classifier, NULL,
							   &chain, 1, &chained,
							   &counters) == 1,
			   "chained: not classified");
		if (alone.outcome == OP25B_OUTCOME_RESET &&
		    chained.outcome == OP25B_OUTCOME_BLOCKED) {
			/* Legitimate only when the first segment cannot hold
			 * the reply. */
			FUZZ_CHECK(
				first < reply_len,
				"chained: blocked, not reset, with a %u-byte "
				"first segment for a %u-byte reply",
				first, reply_len);
		} else {
			FUZZ_CHECK(memcmp(&chained, &alone, sizeof(alone)) == 0,
				   "chained (first %u of %u): %s %u/%u, alone "
				   "%s %u/%u",
				   first, len,
				   op25b_outcome_name(chained.outcome),
				   chained.class_slot, chained.group_slot,
				   op25b_outcome_name(alone.outcome),
				   alone.class_slot, alone.group_slot);
		}
		if (chained.outcome == OP25B_OUTCOME_RESET)
			FUZZ_CHECK(chain->nb_segs == 1 && chain->next == NULL &&
					   chain->pkt_len == reply_len &&
					   chain->data_len == reply_len &&
					   memcmp(chain_buffers[0], reply,
						  reply_len) == 0,
				   "chained: another reply than alone's");
		chain_free();
		FUZZ_CHECK(rte_mempool_full(tail_pool),
			   "chained: %u segments "
			   "not freed",
			   63 - rte_mempool_avail_count(tail_pool));
	}

	/* In a burst: at a position the input picks, and last. */
	pos = len % (N_FIXED + 1);
	for (i = 0, k = 0; i < BURST; i++) {
		if (i == pos || i == BURST - 1) {
			burst[i] = frame_mbuf(i, data, len);
		} else {
			burst[i] = frame_mbuf(i, fixed[k].bytes, fixed[k].len);
			k++;
		}
	}
	before = outcomes_counted();
	FUZZ_CHECK(op25b_classifier_classify_burst(classifier, NULL, burst,
						   BURST, results,
						   &counters) == BURST,
		   "burst: not all classified");
	FUZZ_CHECK(outcomes_counted() == before + BURST, "burst: counted %llu",
		   (unsigned long long)(outcomes_counted() - before));
	for (i = 0, k = 0; i < BURST; i++) {
		const struct op25b_classify_result *want =
			i == pos || i == BURST - 1 ? &alone
						   : &fixed[k++].result;

		FUZZ_CHECK(memcmp(&results[i], want, sizeof(*want)) == 0,
			   "burst[%u]: %s %u/%u, alone %s %u/%u", i,
			   op25b_outcome_name(results[i].outcome),
			   results[i].class_slot, results[i].group_slot,
			   op25b_outcome_name(want->outcome), want->class_slot,
			   want->group_slot);
	}
	if (alone.outcome == OP25B_OUTCOME_RESET) {
		check_reply(burst[pos], len, &d);
		check_reply(burst[BURST - 1], len, &d);
	}
	frames_free(BURST);
	return 0;
}
