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

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "op25b_adaptive.h"
#include "op25b_exempt.h"
#include "op25b_policy.h"
#include "op25b_stats.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The largest burst classify_burst() accepts (scratch arrays are sized by
 * it, on the stack). */
#define OP25B_CLASSIFY_BURST_MAX 64

/** What the caller does with the mbuf. */
enum op25b_disposition {
	OP25B_DISPOSITION_FORWARD = 0, /**< send out of the paired port */
	OP25B_DISPOSITION_DROP,	       /**< free it */
	OP25B_DISPOSITION_REPLY,       /**< rewritten in place into a TCP
					* reply (a RST; under block: notify
					* also a SYN-ACK or the 554
					* greeting): send back out of the
					* ingress port */
};

/** Slot 0 means "no class" / "no group"; see op25b_classifier_create() for
 * the others. Counters are indexed by slot (struct op25b_stats_counters). */
struct op25b_classify_result {
	uint8_t outcome;     /**< enum op25b_outcome */
	uint8_t disposition; /**< enum op25b_disposition */
	uint8_t class_slot;
	uint8_t group_slot;
};

struct op25b_classifier;

/** Which prefix lists a compile failure lies in. */
enum op25b_classifier_side {
	OP25B_CLASSIFIER_SIDE_NONE = 0,	    /**< no list's doing (a slot,
					     * the verdict matrix) */
	OP25B_CLASSIFIER_SIDE_SOURCES,	    /**< the classes' prefixes */
	OP25B_CLASSIFIER_SIDE_DESTINATIONS, /**< the groups' prefixes */
};

/** Why op25b_classifier_compile() failed, and where in the policy. */
struct op25b_classifier_error {
	int errnum; /**< what rte_errno is set to */
	enum op25b_classifier_side side;
	int family; /**< AF_INET or AF_INET6 table; 0: none */
	int entry;  /**< class or group index in the policy; -1: none */
	/** The prefix at which a limit is crossed, pointing into the policy
	 * (NULL: none). */
	const struct op25b_prefix *prefix;
	/** The position of @c prefix (the policy file, line 0, without one)
	 * and a one-line message naming the class or group and the limit:
	 * op25b_policy_error_format() makes it "file:line:column: message". */
	struct op25b_policy_error where;
};

/**
 * Compile @p policy into lookup tables on @p socket_id.
 *
 * The policy is not referenced afterwards. Large prefix lists are built in
 * one pass (sorted by length), not prefix by prefix. `0.0.0.0/0` and `::/0`
 * are accepted and lose to every longer prefix.
 *
 * @param class_slots
 *   The counter slot (1..255) of each class of the policy, so that a class
 *   keeps its counters across reloads (see op25b_stats.h); NULL: class i
 *   is slot i + 1.
 * @param group_slots
 *   The same for destination groups.
 * @return
 *   The classifier, or NULL with rte_errno set: EINVAL (bad argument or
 *   slot), ENOMEM (table memory), ENOSPC (more IPv6 groups than the table
 *   takes); op25b_classifier_compile() says where.
 */
struct op25b_classifier *
op25b_classifier_create(const struct op25b_policy *policy, int socket_id,
			const uint8_t *class_slots, const uint8_t *group_slots);

/**
 * op25b_classifier_create(), telling what failed: the tables' limits
 * (the IPv6 table's groups, memory) are reached at a prefix of one class or
 * group, which @p error names with its position in the policy's files.
 *
 * @param error
 *   Filled on failure (may be NULL).
 * @return
 *   The classifier, or NULL with rte_errno set: EINVAL (bad argument or
 *   slot), ENOMEM (table memory), ENOSPC (more IPv6 groups than the
 *   table takes).
 */
struct op25b_classifier *
op25b_classifier_compile(const struct op25b_policy *policy, int socket_id,
			 const uint8_t *class_slots, const uint8_t *group_slots,
			 struct op25b_classifier_error *error);

/**
 * op25b_classifier_compile() for a policy whose prefix lists and counter
 * slots are those @p base was compiled from, which differs only in what
 * the lists decide (mode, block, malformed, actions): the verdict matrix
 * and the settled results are built, the lookup tables are shared with
 * @p base (read-only, freed with the last classifier that uses them). A
 * `set mode` or `set block` costs microseconds instead of a table build.
 *
 * @return
 *   The classifier, or NULL with rte_errno set: EINVAL (no @p base, bad
 *   argument or slot), ENOMEM.
 */
struct op25b_classifier *
op25b_classifier_derive(const struct op25b_classifier *base,
			const struct op25b_policy *policy, int socket_id,
			const uint8_t *class_slots, const uint8_t *group_slots,
			struct op25b_classifier_error *error);

/**
 * Attach the adaptive table its adaptive classes count in (before the
 * classifier is published: it is read without locks afterwards). Without
 * one an adaptive class acts as allow (tools that only check a policy).
 * @return 0, or -EINVAL (NULL classifier, or a limit the table's clock
 *   cannot express).
 */
int op25b_classifier_set_adaptive(struct op25b_classifier *classifier,
				  struct op25b_adaptive_table *table);

/** Whether the policy has an adaptive class (then it needs a table). */
bool op25b_classifier_has_adaptive(const struct op25b_classifier *classifier);

/** The compiled rule of class slot @p class_slot, or NULL when the class
 * is not adaptive or no table is attached. */
const struct op25b_adaptive_rule *
op25b_classifier_adaptive_rule(const struct op25b_classifier *classifier,
			       uint8_t class_slot);

/**
 * After @p classifier replaced the one whose rules counted the sources
 * of @p table (a reload): forget those its rules would never count (a
 * class no longer adaptive, unless the source is in an adaptive class
 * now; IPv6 prefixes a shorter ipv6_key no longer makes). Once no thread
 * classifies with the old one (its grace period).
 * @return how many were tracked at @p now (blocked, or counting).
 */
uint64_t
op25b_classifier_adaptive_forget(const struct op25b_classifier *classifier,
				 struct op25b_adaptive_table *table,
				 uint64_t now);

/** Free a classifier; NULL is accepted. */
void op25b_classifier_free(struct op25b_classifier *classifier);

/**
 * Classify a burst.
 *
 * Parses every frame, whole (a chain of segments is judged on pkt_len and
 * its headers read across segments), looks sources and destinations of
 * SMTP packets up in bulk, and fills one result per mbuf. A blocked SYN
 * under `block: reset` is rewritten in place into its RST+ACK reply (in
 * the first segment; a chain's other segments are freed) and gets
 * OP25B_DISPOSITION_REPLY. Under `block: notify` a SYN becomes a SYN-ACK
 * with a cookie, the ACK that returns it the greeting `554 5.7.1
 * <notice>` with FIN (both outcome blocked, disposition REPLY), and any
 * other segment a RST (outcome reset); counted per class in
 * counters->class_notify. No allocation, lock, syscall or log.
 *
 * @param exempt
 *   Exempt sources (NULL: none). A packet the policy would block or count
 *   whose source it covers is forwarded with outcome `exempted`.
 * @param pkts
 *   Up to OP25B_CLASSIFY_BURST_MAX mbufs (more are not looked at).
 * @param results
 *   One per mbuf.
 * @param counters
 *   Incremented per outcome, frame counter, class and group (may be
 *   NULL).
 * @return
 *   The number of mbufs classified.
 */
uint16_t
op25b_classifier_classify_burst(const struct op25b_classifier *classifier,
				const struct op25b_exempt_table *exempt,
				struct rte_mbuf **pkts, uint16_t n,
				struct op25b_classify_result *results,
				struct op25b_stats_counters *counters);

/**
 * Look one address pair up in the compiled tables (for tests and tools).
 * @param family AF_INET or AF_INET6; addresses in network byte order.
 * @return 0, or -EINVAL for an unknown family.
 */
int op25b_classifier_lookup(const struct op25b_classifier *classifier,
			    int family, const uint8_t *src, const uint8_t *dst,
			    uint8_t *class_slot, uint8_t *group_slot);

/** A frame as the parser sees it, for tools off the data path. */
struct op25b_frame_info {
	/** What the parser settled it as, or OP25B_OUTCOME_FORWARDED when the
	 * policy decides (an SMTP packet). */
	uint8_t outcome;
	/** The frame counter it increments (OP25B_FRAME_LIST), or
	 * OP25B_FRAME_MAX for none. */
	uint8_t frame_counter;
	int family;		  /**< AF_INET, AF_INET6, or 0: no IP header */
	uint8_t src[16], dst[16]; /**< network byte order */
	int proto;	      /**< IPv4 protocol / IPv6 next header after the
			       * walked extensions; -1: unknown */
	int sport, dport;     /**< TCP/UDP ports; -1: not read */
	int tcp_flags;	      /**< -1: not TCP (or not read) */
	unsigned int n_vlans; /**< tags, outermost first */
	uint16_t vlan_tpid[OP25B_POLICY_MAX_VLAN_TAGS];
	uint16_t vlan_id[OP25B_POLICY_MAX_VLAN_TAGS];
	int pppoe_session;  /**< -1: not PPPoE */
	int ppp_compressed; /**< 1: one-byte PPP protocol (RFC 1661 PFC) */
};

/**
 * Fill @p info with what the parser reads from @p frame (@p len bytes,
 * linear): the same walk as the data path's, so the two cannot disagree.
 */
void op25b_classifier_frame_info(const struct op25b_classifier *classifier,
				 const uint8_t *frame, uint32_t len,
				 struct op25b_frame_info *info);

/**
 * Describe a frame as the parser sees it ("IPv4 198.18.0.9 -> 203.0.113.5
 * TCP 40000 -> 25 [S]", with VLAN/PPPoE), for tools and logs off the data
 * path.
 * @return snprintf's return value.
 */
int op25b_classifier_describe(const struct op25b_classifier *classifier,
			      const uint8_t *frame, uint32_t len, char *buf,
			      size_t size);

/**
 * Copy @p len bytes of @p frame into a chain of mbufs of @p pool: the
 * first segment takes at most @p first bytes, every other at most @p rest,
 * each at most its tailroom (UINT32_MAX for both: segments filled to their
 * tailroom, as a PMD with RX scatter fills them). Not for the data path.
 * @return the head, or NULL with everything freed and rte_errno ENOMEM
 *   when the pool runs dry, EINVAL when a segment after the first would
 *   take nothing (@p rest 0, no tailroom) or the chain would pass 65,535
 *   segments.
 */
struct rte_mbuf *
op25b_mbuf_chain_copy(struct rte_mempool *pool, const uint8_t *frame,
		      uint32_t len, uint32_t first, uint32_t rest);

/** Bytes of table memory the classifier holds. */
size_t op25b_classifier_memory(const struct op25b_classifier *classifier);

/**
 * A classifier that only parses: the port kinds and max_vlan_tags of
 * @p policy, no prefix tables and no verdict matrix, in plain memory (no
 * EAL). For op25b_classifier_frame_info() and op25b_classifier_describe()
 * in tools that judge frames elsewhere (op25b-xdp replay); never for
 * op25b_classifier_classify_burst().
 *
 * @return the parser, or NULL with errno set: ENOMEM.
 */
struct op25b_classifier *
op25b_classifier_parser_create(const struct op25b_policy *policy);

/** Free a parser made by op25b_classifier_parser_create(); NULL is
 * accepted. */
void op25b_classifier_parser_free(struct op25b_classifier *parser);

#ifdef __cplusplus
}
#endif

#endif /* OP25B_CLASSIFY_H */
