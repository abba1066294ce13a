/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * OP25B policy: the YAML file (version 1, see doc/policy.md) loaded into a
 * validated, immutable description of subscriber classes and destination
 * groups, plus the verdict precedence and a reference longest-prefix lookup.
 *
 * This module has no DPDK dependency: the operator's tools and the fuzzers
 * use it without EAL. Errors use errno values, never rte_errno.
 */
#ifndef OP25B_POLICY_H
#define OP25B_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Bounds that keep the compiled verdict matrix small enough for L1/L2. */
#define OP25B_POLICY_MAX_CLASSES 255
#define OP25B_POLICY_MAX_GROUPS 255
#define OP25B_POLICY_MAX_PORTS 64
/** max_vlan_tags: its default and the most it may be. Four covers a
 * service tag, a customer tag and the customer's own tags; a frame with
 * more is malformed (and counted as vlan_too_deep). */
#define OP25B_POLICY_DEFAULT_VLAN_TAGS 4u
#define OP25B_POLICY_MAX_VLAN_TAGS 8u
#define OP25B_POLICY_NAME_MAX 64
/** notice: at most this many characters and lines. The 554 reply it makes
 * ("554-5.7.1 " and CRLF around each line) is then at most 496 bytes, one
 * segment even at TCP's default MSS of 536. */
#define OP25B_POLICY_NOTICE_MAX 400
#define OP25B_POLICY_NOTICE_LINES 8
/** notify_rate: replies a second per worker, by default and at most. */
#define OP25B_POLICY_DEFAULT_NOTIFY_RATE 10000u
#define OP25B_POLICY_MAX_NOTIFY_RATE 10000000u

/** What the policy says about a flow. Values are stable: the classifier
 * stores them in its compiled tables. */
enum op25b_action {
	OP25B_ACTION_NONE = 0, /**< not set (a group without action, no `to`) */
	OP25B_ACTION_ALLOW,    /**< forward */
	OP25B_ACTION_BLOCK,    /**< drop, or RST a SYN when block: reset */
	OP25B_ACTION_COUNT,    /**< forward and count as would-block */
	OP25B_ACTION_ADAPTIVE, /**< forward until a burst, then block */
};

enum op25b_policy_mode {
	OP25B_MODE_ENFORCE = 0,
	OP25B_MODE_MONITOR, /**< every block acts as count */
};

enum op25b_block_style {
	OP25B_BLOCK_DROP = 0,
	OP25B_BLOCK_RESET,  /**< answer a blocked SYN with RST+ACK */
	OP25B_BLOCK_NOTIFY, /**< answer the connection with 554 and notice */
};

enum op25b_malformed_action {
	OP25B_MALFORMED_DROP = 0,
	OP25B_MALFORMED_FORWARD,
};

/** Which rule of the precedence decided a verdict (for explain). */
enum op25b_rule {
	OP25B_RULE_CLASS_TO = 0, /**< class.to[group] */
	OP25B_RULE_GROUP,	 /**< group.action */
	OP25B_RULE_CLASS,	 /**< class.action */
	OP25B_RULE_DEFAULT,	 /**< policy.default */
};

/** One prefix, host bits clear. @c line and @c column are 1-based and
 * refer to @c file (the policy file or a prefixes_file). */
struct op25b_prefix {
	uint8_t family;	  /**< AF_INET or AF_INET6 */
	uint8_t length;	  /**< 0..32 or 0..128 */
	uint8_t addr[16]; /**< network byte order; IPv4 in the first 4 bytes */
	uint32_t line;
	uint32_t column;
	const char *file; /**< owned by the policy */
};

struct op25b_prefix_list {
	struct op25b_prefix *prefixes;
	size_t count;
};

/** Adaptive limits: block a source that opens more than @c connections SMTP
 * connections (or talks to more than @c destinations addresses) within
 * @c per_seconds, for @c block_seconds. */
/*
 * The most connections an adaptive limit may allow. The table counts a
 * source's connections in 16-bit words, one an eighth of `per`, which stop
 * at 65,535: a limit under that is exceeded exactly (the word that would
 * pass 65,535 is already over the limit, and the source is blocked before
 * it fills); a larger one could be missed by a source that sends more than
 * 65,535 in one eighth of `per`, so it is refused.
 */
#define OP25B_POLICY_CONNECTIONS_MAX 65534u

struct op25b_adaptive_limit {
	uint32_t connections; /**< 1..OP25B_POLICY_CONNECTIONS_MAX */
	uint32_t per_seconds;
	uint32_t block_seconds;
	uint32_t destinations; /**< 0: not limited; else 1..16 */
	uint8_t ipv6_key;      /**< IPv6 source key length 32..64; 0: 64 */
};

struct op25b_policy_class {
	char name[OP25B_POLICY_NAME_MAX];
	enum op25b_action action;	   /**< never NONE */
	struct op25b_adaptive_limit limit; /**< set when action is ADAPTIVE */
	/** The class's own `block:` when @c block_set, else the policy's
	 * applies (op25b_policy_block_of()). */
	enum op25b_block_style block;
	bool block_set;
	/** to[g]: the action towards group g, or NONE. Length: n_groups. */
	enum op25b_action *to;
	struct op25b_prefix_list prefixes;
};

struct op25b_policy_group {
	char name[OP25B_POLICY_NAME_MAX];
	enum op25b_action action; /**< may be NONE */
	struct op25b_prefix_list prefixes;
};

struct op25b_policy {
	char *file;
	uint32_t version;
	enum op25b_policy_mode mode;
	enum op25b_block_style block;
	/** The words of the 554 reply (block: notify): printable ASCII,
	 * lines separated by '\n'; empty when not given. */
	char notice[OP25B_POLICY_NOTICE_MAX + 1];
	uint32_t notify_rate; /**< notify replies a second per worker */
	enum op25b_action default_action; /**< ALLOW, BLOCK or COUNT */
	enum op25b_malformed_action malformed;
	/** VLAN tags walked before PPPoE or IP, 1..OP25B_POLICY_MAX_VLAN_TAGS */
	unsigned int max_vlan_tags;
	uint16_t smtp_ports[OP25B_POLICY_MAX_PORTS];
	unsigned int n_smtp_ports;
	uint16_t submission_ports[OP25B_POLICY_MAX_PORTS];
	unsigned int n_submission_ports;
	struct op25b_policy_class *classes;
	unsigned int n_classes;
	struct op25b_policy_group *groups;
	unsigned int n_groups;
	/** Non-fatal findings, each "file:line:column: warning: text". */
	char **warnings;
	unsigned int n_warnings;
};

/** Where and why a load failed. The file and a message that quotes a
 * path hold any path Linux opens (PATH_MAX, 4096 bytes), and the reason
 * after it: cut short at 256, a deep prefixes_file's error named a
 * folder, and "cannot read prefixes_file PATH: REASON" lost the reason. */
struct op25b_policy_error {
	char file[4096];
	uint32_t line;	 /**< 1-based; 0 when the file could not be read */
	uint32_t column; /**< 1-based; 0 when unknown */
	char message[4096 + 256];
};

/** Room for op25b_policy_error_format()'s text of any error, and for a
 * sentence around it (a reload's "reload failed: ...; generation N
 * stays"). */
#define OP25B_POLICY_ERROR_TEXT_MAX                                            \
	(sizeof(((struct op25b_policy_error *)0)->file) +                      \
	 sizeof(((struct op25b_policy_error *)0)->message) + 512)

/**
 * Load and validate a policy file.
 *
 * Relative @c prefixes_file paths are resolved against the directory of
 * @p path. Nothing is returned unless the whole file is valid.
 *
 * @param path
 *   The YAML file.
 * @param error
 *   Filled on failure (may be NULL).
 * @return
 *   The policy, or NULL with errno set: EINVAL (the file is invalid, see
 *   @p error), ENOENT/EACCES/EISDIR (cannot read a file), ENOMEM.
 */
struct op25b_policy *
op25b_policy_load(const char *path, struct op25b_policy_error *error);

/**
 * Load a policy from memory; @p name stands for the file in messages and
 * relative prefixes_file paths resolve against the current directory.
 * Same contract as op25b_policy_load().
 */
struct op25b_policy *
op25b_policy_load_buffer(const char *name, const char *text, size_t len,
			 struct op25b_policy_error *error);

/** Free a policy; NULL is accepted. */
void op25b_policy_free(struct op25b_policy *policy);

/**
 * Format @p error as "file:line:column: message" (line and column left out
 * when 0) into @p buf.
 * @return snprintf's return value.
 */
int op25b_policy_error_format(const struct op25b_policy_error *error, char *buf,
			      size_t size);

/**
 * The precedence of doc/policy.md for a source in class @p class_id and a
 * destination in group @p group_id (-1: none):
 *   class.to[group] > group.action > class.action > policy.default.
 * Mode (monitor) and block style are NOT applied here; the caller applies
 * them so that explain can say both what the rule says and what happens.
 *
 * @param rule
 *   Set to the rule that decided (may be NULL).
 * @return the action, never OP25B_ACTION_NONE.
 */
enum op25b_action
op25b_policy_decide(const struct op25b_policy *policy, int class_id,
		    int group_id, enum op25b_rule *rule);

/**
 * What a block does to sources of class @p class_id (-1: no class): the
 * class's own `block:` if it has one, else the policy's.
 */
enum op25b_block_style
op25b_policy_block_of(const struct op25b_policy *policy, int class_id);

/** "drop", "reset" or "notify". */
const char *op25b_block_style_name(enum op25b_block_style block);

/**
 * The note an operator of a dry run should not miss, when @p mode is
 * monitor and @p malformed drop: monitor mode only counts what it would
 * block, but malformed frames are still dropped. NULL otherwise. One
 * sentence for op25b-policy check, op25b's load and reload lines and
 * `set mode monitor`.
 */
const char *op25b_policy_monitor_note(enum op25b_policy_mode mode,
				      enum op25b_malformed_action malformed);

/** The mode and block style under the values the counters' header gives
 * them (enum op25b_stats_mode, enum op25b_stats_block): one mapping for
 * op25b, op25b-xdp and op25b-stat. */
unsigned int op25b_policy_mode_stats(enum op25b_policy_mode mode);
unsigned int op25b_policy_block_stats(enum op25b_block_style block);

/** Which kind of port @p port is for this policy. */
enum op25b_port_kind {
	OP25B_PORT_OTHER = 0,
	OP25B_PORT_SMTP,
	OP25B_PORT_SUBMISSION,
};
enum op25b_port_kind
op25b_policy_port_kind(const struct op25b_policy *policy, uint16_t port);

/**
 * The same as a table of one byte per port, for the data paths (the
 * classifier's and the XDP program's port_kind): @p kind[port] set to
 * OP25B_PORT_SMTP or OP25B_PORT_SUBMISSION for the policy's ports; the
 * other entries are left as they are (the callers zeroed the table).
 * @p wire_order: each port at the index its two bytes make as they lie
 * in a frame, read as a host integer (the classifier's: no byte swap a
 * frame), else at its value (the XDP program's).
 */
void op25b_policy_port_table(const struct op25b_policy *policy,
			     uint8_t kind[65536], bool wire_order);

/**
 * Reference longest-prefix match, by linear scan: the class whose prefix
 * covers @p addr with the longest length.
 *
 * @param family AF_INET or AF_INET6; @p addr in network byte order.
 * @param match Set to the matching prefix (may be NULL).
 * @return class index, or -1 when no class matches.
 */
int op25b_policy_match_source(const struct op25b_policy *policy, int family,
			      const uint8_t *addr,
			      const struct op25b_prefix **match);

/** The same for destination groups. */
int op25b_policy_match_destination(const struct op25b_policy *policy,
				   int family, const uint8_t *addr,
				   const struct op25b_prefix **match);

/**
 * Parse "a.b.c.d/len", "x:y::/len" or a bare address (a host prefix).
 * @return 0, or -EINVAL with a static description in @p why (may be NULL):
 *   not an address, bad length, host bits set.
 */
int op25b_prefix_parse(const char *text, struct op25b_prefix *prefix,
		       const char **why);

/**
 * Describe a prefix that op25b_prefix_parse() refused (@p len bytes of
 * @p text, @p parsed and @p why as it left them), as "TEXT: why", plus
 * "(did you mean NETWORK?)" when only host bits are wrong: the policy
 * loader's words, for every tool that takes a prefix.
 */
void
op25b_prefix_error_message(char *buf, size_t size, const char *text, size_t len,
			   const struct op25b_prefix *parsed, const char *why);

/**
 * Read the prefixes file at @p path, in the format of a policy's
 * prefixes_file (one prefix a line, '#' comments, blank lines ignored),
 * into @p list, which is emptied first. Every prefix's @c file is
 * @p path, which must outlive the list. Nothing is kept unless every line
 * is valid.
 * @return 0; -EINVAL with @p error (may be NULL) at the offending line and
 *   column; -errno of open(2) or read(2) (-ENOENT, -EACCES, ...), -EISDIR,
 *   -EFBIG (larger than any pool list), with @p error saying which;
 *   -ENOMEM.
 */
int op25b_prefix_list_load(const char *path, struct op25b_prefix_list *list,
			   struct op25b_policy_error *error);

/** Free the prefixes of @p list and empty it; NULL is accepted. */
void op25b_prefix_list_free(struct op25b_prefix_list *list);

/**
 * Whether @p p is an IPv4-mapped IPv6 prefix (::ffff:0:0/96 or longer),
 * which no forwarded packet carries (RFC 6890): then, unless @p v4 is
 * NULL, the IPv4 prefix it maps (::ffff:198.18.0.0/112: 198.18.0.0/16),
 * what was meant.
 */
bool
op25b_prefix_ipv4_mapped(const struct op25b_prefix *p, struct op25b_prefix *v4);

/** Format a prefix as text into @p buf (INET6_ADDRSTRLEN + 4 is enough). */
int
op25b_prefix_format(const struct op25b_prefix *prefix, char *buf, size_t size);

/** Names for actions, modes and rules, as in the YAML and in counters. */
const char *op25b_action_name(enum op25b_action action);
const char *op25b_rule_name(enum op25b_rule rule);

/**
 * Parse a duration: "90", "90s", "15m", "1h", "2d".
 * @return 0 and *seconds, or -EINVAL (also on overflow or zero).
 */
int op25b_duration_parse(const char *text, uint32_t *seconds);

/** "smtp", "submission" or "other". */
const char *op25b_port_kind_name(enum op25b_port_kind kind);

/** How a policy treats one TCP flow: what explain tells the support desk. */
struct op25b_explanation {
	char src[64]; /**< the addresses as text */
	char dst[64];
	uint16_t port;
	enum op25b_port_kind port_kind;
	const struct op25b_policy_class *cls; /**< NULL: no class */
	const struct op25b_prefix *class_prefix;
	const struct op25b_policy_group *grp; /**< NULL: no group */
	const struct op25b_prefix *group_prefix;
	bool decided; /**< false: not an SMTP port, no rule applies */
	enum op25b_rule rule;
	enum op25b_action action;
	const char *verdict; /**< "forward", "allow", "count", "block" or
			     * "adaptive" */
	const char *note;    /**< one line on what happens to the packets */
	/** block: notify: the notice the client is told; else NULL. */
	const char *notice;
};

/**
 * Explain the flow @p src -> @p dst port @p port (same family; host
 * prefixes) under @p policy, with the reference matcher; mode and block
 * style applied as the classifier applies them. The result points into
 * @p policy.
 */
void op25b_policy_explain(const struct op25b_policy *policy,
			  const struct op25b_prefix *src,
			  const struct op25b_prefix *dst, uint16_t port,
			  struct op25b_explanation *x);

/**
 * The explanation as text: one "label: value" line each for flow, source,
 * destination, rule and verdict; a match with its prefix and where the
 * policy lists it (FILE:LINE:COLUMN).
 * @return snprintf's return value (the length it needed).
 */
int op25b_explanation_text(const struct op25b_explanation *x, char *buf,
			   size_t size);

struct op25b_json;

/**
 * The explanation as members of the JSON object @p j has open (the caller
 * opens and closes it, and may add its own members): the fields of the
 * text, each match as "class_prefix" and "class_location" ({"file",
 * "line", "column"}), likewise for the group; null where the text says
 * "no class", "no group" or "none". Errors stick to the stream
 * (op25b_json_end()).
 */
void
op25b_explanation_json(const struct op25b_explanation *x, struct op25b_json *j);

/**
 * malloc() for a large buffer about to be written from end to end (a
 * prefixes_file's text, its list, the duplicate search's keys, and
 * lib/classify's compile-time copies of the rules): from 4 MB on, 2
 * MB-aligned with transparent huge pages asked for, since a million
 * prefixes fault ~20,000 4 KB pages and a fault is slow in a guest. Free
 * or realloc() it as any malloc()'d buffer. @return NULL on ENOMEM.
 */
void *op25b_alloc_large(size_t size);

#ifdef __cplusplus
}
#endif

#endif /* OP25B_POLICY_H */
