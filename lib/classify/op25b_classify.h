/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The OP25B classifier: a policy compiled into lookup tables, and the
 * batched data-path function that gives every packet of a burst an outcome.
 *
 * A compiled classifier is immutable: workers read it without locks while
 * the control lcore builds the next one off to the side.
 */
#ifndef OP25B_CLASSIFY_H
#define OP25B_CLASSIFY_H

#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "op25b_policy.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The largest burst classify_burst() accepts (scratch arrays are sized by
 * it, on the stack). */
#define OP25B_CLASSIFY_BURST_MAX 64

/**
 * Every packet of a burst gets exactly one outcome, so that
 * rx = sum of outcomes holds by construction. One list feeds the enum, the
 * counter names and their help text.
 *   X(ENUM, name, help)
 */
#define OP25B_OUTCOME_LIST(X)                                                  \
	X(NON_SMTP, non_smtp,                                                  \
	  "not TCP to an SMTP or submission port: forwarded untouched")       \
	X(SUBMISSION, submission,                                              \
	  "TCP to a submission port: always forwarded")                        \
	X(FRAGMENTS, fragments, "non-first IP fragments: forwarded")          \
	X(MALFORMED, malformed,                                                \
	  "truncated or inconsistent headers: dropped or forwarded by policy") \
	X(FORWARDED, forwarded, "SMTP packets allowed by policy: forwarded")   \
	X(COUNTED, counted,                                                    \
	  "SMTP packets that would be blocked (count, monitor): forwarded")    \
	X(BLOCKED, blocked, "SMTP packets blocked: dropped")                   \
	X(RESET, reset, "blocked SYNs answered with a TCP RST+ACK")

enum op25b_outcome {
#define OP25B_OUTCOME_ENUM(e, n, h) OP25B_OUTCOME_##e,
	OP25B_OUTCOME_LIST(OP25B_OUTCOME_ENUM)
#undef OP25B_OUTCOME_ENUM
	OP25B_OUTCOME_MAX
};

/** The four outcomes of a policy decision, counted per class and group:
 * verdict index = outcome - OP25B_OUTCOME_FORWARDED. */
#define OP25B_VERDICT_MAX 4
#define OP25B_VERDICT_OF(outcome) ((outcome) - OP25B_OUTCOME_FORWARDED)

/** Counter name of an outcome ("non_smtp", ..., "reset"). */
const char *op25b_outcome_name(enum op25b_outcome outcome);
/** One line of help for an outcome counter. */
const char *op25b_outcome_help(enum op25b_outcome outcome);

/** What the caller does with the mbuf. */
enum op25b_disposition {
	OP25B_DISPOSITION_FORWARD = 0, /**< send out of the paired port */
	OP25B_DISPOSITION_DROP,        /**< free it */
	OP25B_DISPOSITION_REPLY,       /**< rewritten in place into a TCP RST:
					* send back out of the ingress port */
};

/** Slot 0 means "no class" / "no group"; slot k is class/group k-1. */
struct op25b_classify_result {
	uint8_t outcome;     /**< enum op25b_outcome */
	uint8_t disposition; /**< enum op25b_disposition */
	uint8_t class_slot;
	uint8_t group_slot;
};

/**
 * Per-worker counters, written by one worker only. Class and group verdict
 * counters are indexed by slot and by OP25B_VERDICT_OF(outcome).
 */
struct op25b_classify_counters {
	uint64_t outcome[OP25B_OUTCOME_MAX];
	uint64_t class_verdict[OP25B_POLICY_MAX_CLASSES + 1][OP25B_VERDICT_MAX];
	uint64_t group_verdict[OP25B_POLICY_MAX_GROUPS + 1][OP25B_VERDICT_MAX];
} __rte_cache_aligned;

struct op25b_classifier;

/**
 * Compile @p policy into lookup tables on @p socket_id.
 *
 * The policy is not referenced afterwards. Large prefix lists are built in
 * one pass (sorted by length), not prefix by prefix.
 *
 * @return
 *   The classifier, or NULL with rte_errno set: EINVAL (bad argument),
 *   ENOMEM (table memory), ENOSPC (IPv6 table full).
 */
struct op25b_classifier *
op25b_classifier_create(const struct op25b_policy *policy, int socket_id);

/** Free a classifier; NULL is accepted. */
void op25b_classifier_free(struct op25b_classifier *classifier);

/**
 * Classify a burst.
 *
 * Parses every frame (first segment only), looks sources and destinations
 * of SMTP packets up in bulk, and fills one result per mbuf. A blocked SYN
 * under `block: reset` is rewritten in place into its RST+ACK reply and gets
 * OP25B_DISPOSITION_REPLY. No allocation, lock, syscall or log.
 *
 * @param pkts
 *   Up to OP25B_CLASSIFY_BURST_MAX mbufs (more are not looked at).
 * @param results
 *   One per mbuf.
 * @param counters
 *   Incremented per outcome, class and group (may be NULL).
 * @return
 *   The number of mbufs classified.
 */
uint16_t op25b_classifier_classify_burst(
	const struct op25b_classifier *classifier, struct rte_mbuf **pkts,
	uint16_t n, struct op25b_classify_result *results,
	struct op25b_classify_counters *counters);

/**
 * Look one address pair up in the compiled tables (for tests and tools).
 * @param family AF_INET or AF_INET6; addresses in network byte order.
 * @return 0, or -EINVAL for an unknown family.
 */
int op25b_classifier_lookup(const struct op25b_classifier *classifier,
			    int family, const uint8_t *src, const uint8_t *dst,
			    uint8_t *class_slot, uint8_t *group_slot);

/**
 * Describe a frame as the parser sees it ("IPv4 198.18.0.9 -> 203.0.113.5
 * TCP 40000 -> 25 [S]", with VLAN/PPPoE), for tools and logs off the data
 * path.
 * @return snprintf's return value.
 */
int op25b_classifier_describe(const struct op25b_classifier *classifier,
			      const uint8_t *frame, uint32_t len, char *buf,
			      size_t size);

/** Bytes of table memory the classifier holds. */
size_t op25b_classifier_memory(const struct op25b_classifier *classifier);

#ifdef __cplusplus
}
#endif

#endif /* OP25B_CLASSIFY_H */
