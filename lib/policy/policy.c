/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The loaded policy: verdict precedence, port kinds, the reference
 * longest-prefix match, names, durations, warnings, the one error setter
 * and freeing. Loading is in yaml_load.c, prefixes in prefix.c.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "op25b_stats.h"
#include "policy_priv.h"

enum op25b_action
op25b_policy_decide(const struct op25b_policy *policy, int class_id,
		    int group_id, enum op25b_rule *rule)
{
	const struct op25b_policy_class *cls = NULL;
	const struct op25b_policy_group *grp = NULL;
	enum op25b_action action;
	enum op25b_rule decided;

	/* Out-of-range ids count as "none": the classifier passes slot - 1. */
	if (class_id >= 0 && (unsigned int)class_id < policy->n_classes)
		cls = &policy->classes[class_id];
	if (group_id >= 0 && (unsigned int)group_id < policy->n_groups)
		grp = &policy->groups[group_id];

	if (cls != NULL && grp != NULL && cls->to != NULL &&
	    cls->to[group_id] != OP25B_ACTION_NONE) {
		action = cls->to[group_id];
		decided = OP25B_RULE_CLASS_TO;
	} else if (grp != NULL && grp->action != OP25B_ACTION_NONE) {
		action = grp->action;
		decided = OP25B_RULE_GROUP;
	} else if (cls != NULL) {
		action = cls->action;
		decided = OP25B_RULE_CLASS;
	} else {
		action = policy->default_action;
		decided = OP25B_RULE_DEFAULT;
	}
	if (rule != NULL)
		*rule = decided;
	return action;
}

enum op25b_port_kind
op25b_policy_port_kind(const struct op25b_policy *policy, uint16_t port)
{
	unsigned int i;

	for (i = 0; i < policy->n_smtp_ports; i++)
		if (policy->smtp_ports[i] == port)
			return OP25B_PORT_SMTP;
	for (i = 0; i < policy->n_submission_ports; i++)
		if (policy->submission_ports[i] == port)
			return OP25B_PORT_SUBMISSION;
	return OP25B_PORT_OTHER;
}

/* Where @port lies in a port table (op25b_policy_port_table()). */
static uint16_t
port_index(uint16_t port, bool wire_order)
{
	return wire_order ? htons(port) : port;
}

void
op25b_policy_port_table(const struct op25b_policy *policy, uint8_t kind[65536],
			bool wire_order)
{
	unsigned int i;

	for (i = 0; i < policy->n_smtp_ports; i++)
		kind[port_index(policy->smtp_ports[i], wire_order)] =
			OP25B_PORT_SMTP;
	for (i = 0; i < policy->n_submission_ports; i++)
		kind[port_index(policy->submission_ports[i], wire_order)] =
			OP25B_PORT_SUBMISSION;
}

/* The longest prefix of @p list covering @p addr if longer than *best_len. */
static bool
longest_in_list(const struct op25b_prefix_list *list, int family,
		const uint8_t *addr, int *best_len,
		const struct op25b_prefix **best)
{
	bool found = false;
	size_t i;

	for (i = 0; i < list->count; i++) {
		const struct op25b_prefix *p = &list->prefixes[i];

		if ((int)p->length > *best_len &&
		    op25b_prefix_covers(p, family, addr)) {
			*best_len = p->length;
			*best = p;
			found = true;
		}
	}
	return found;
}

/*
 * The index of the entry, of the @p n that stand @p size bytes apart from
 * @p entries (classes or groups), whose prefix list (@p list_offset bytes
 * into an entry) holds the longest prefix covering @p addr, or -1; that
 * prefix in *@p match.
 */
static int
longest_match(const void *entries, unsigned int n, size_t size,
	      size_t list_offset, int family, const uint8_t *addr,
	      const struct op25b_prefix **match)
{
	const struct op25b_prefix *best = NULL;
	int best_len = -1, best_id = -1;
	unsigned int i;

	for (i = 0; i < n; i++) {
		const void *list = (const char *)entries + i * size +
				   list_offset;

		if (longest_in_list(list, family, addr, &best_len, &best))
			best_id = (int)i;
	}
	if (match != NULL)
		*match = best;
	return best_id;
}

int
op25b_policy_match_source(const struct op25b_policy *policy, int family,
			  const uint8_t *addr,
			  const struct op25b_prefix **match)
{
	return longest_match(policy->classes, policy->n_classes,
			     sizeof(*policy->classes),
			     offsetof(struct op25b_policy_class, prefixes),
			     family, addr, match);
}

int
op25b_policy_match_destination(const struct op25b_policy *policy, int family,
			       const uint8_t *addr,
			       const struct op25b_prefix **match)
{
	return longest_match(policy->groups, policy->n_groups,
			     sizeof(*policy->groups),
			     offsetof(struct op25b_policy_group, prefixes),
			     family, addr, match);
}

const char *
op25b_action_name(enum op25b_action action)
{
	switch (action) {
	case OP25B_ACTION_ALLOW:
		return "allow";
	case OP25B_ACTION_BLOCK:
		return "block";
	case OP25B_ACTION_COUNT:
		return "count";
	case OP25B_ACTION_ADAPTIVE:
		return "adaptive";
	case OP25B_ACTION_NONE:
		break;
	}
	return "none";
}

enum op25b_block_style
op25b_policy_block_of(const struct op25b_policy *policy, int class_id)
{
	if (class_id >= 0 && (unsigned int)class_id < policy->n_classes &&
	    policy->classes[class_id].block_set)
		return policy->classes[class_id].block;
	return policy->block;
}

const char *
op25b_policy_monitor_note(enum op25b_policy_mode mode,
			  enum op25b_malformed_action malformed)
{
	return mode == OP25B_MODE_MONITOR && malformed == OP25B_MALFORMED_DROP
		       ? "note: the policy's malformed: drop still drops "
			 "malformed frames in monitor mode (malformed: "
			 "forward passes them)"
		       : NULL;
}

const char *
op25b_block_style_name(enum op25b_block_style block)
{
	switch (block) {
	case OP25B_BLOCK_DROP:
		return "drop";
	case OP25B_BLOCK_RESET:
		return "reset";
	case OP25B_BLOCK_NOTIFY:
		return "notify";
	}
	return "unknown";
}

unsigned int
op25b_policy_mode_stats(enum op25b_policy_mode mode)
{
	return mode == OP25B_MODE_MONITOR ? OP25B_STATS_MODE_MONITOR
					  : OP25B_STATS_MODE_ENFORCE;
}

unsigned int
op25b_policy_block_stats(enum op25b_block_style block)
{
	return block == OP25B_BLOCK_NOTIFY  ? OP25B_STATS_BLOCK_NOTIFY
	       : block == OP25B_BLOCK_RESET ? OP25B_STATS_BLOCK_RESET
					    : OP25B_STATS_BLOCK_DROP;
}

const char *
op25b_rule_name(enum op25b_rule rule)
{
	switch (rule) {
	case OP25B_RULE_CLASS_TO:
		return "class.to";
	case OP25B_RULE_GROUP:
		return "group.action";
	case OP25B_RULE_CLASS:
		return "class.action";
	case OP25B_RULE_DEFAULT:
		break;
	}
	return "default";
}

int
op25b_duration_parse(const char *text, uint32_t *seconds)
{
	uint64_t value = 0, unit = 1;
	const char *p = text;

	/* No leading zero, as for integers: YAML 1.1 reads 060 as 48. */
	if (text == NULL || !(*p >= '0' && *p <= '9') ||
	    (p[0] == '0' && p[1] >= '0' && p[1] <= '9'))
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		value = value * 10 + (uint64_t)(*p - '0');
		/* Stop before uint64_t could wrap on absurdly long input. */
		if (value > UINT32_MAX)
			return -EINVAL;
	}
	switch (*p) {
	case '\0':
		break;
	case 's':
		p++;
		break;
	case 'm':
		unit = 60;
		p++;
		break;
	case 'h':
		unit = 3600;
		p++;
		break;
	case 'd':
		unit = 86400;
		p++;
		break;
	default:
		return -EINVAL;
	}
	if (*p != '\0' || value == 0 || value * unit > UINT32_MAX)
		return -EINVAL;
	*seconds = (uint32_t)(value * unit);
	return 0;
}

int
op25b_policy_error_format(const struct op25b_policy_error *error, char *buf,
			  size_t size)
{
	if (error->line == 0)
		return snprintf(buf, size, "%s: %s", error->file,
				error->message);
	if (error->column == 0)
		return snprintf(buf, size, "%s:%u: %s", error->file,
				error->line, error->message);
	return snprintf(buf, size, "%s:%u:%u: %s", error->file, error->line,
			error->column, error->message);
}

void
op25b_policy_error_vset(struct op25b_policy_error *error, const char *file,
			uint32_t line, uint32_t column, const char *fmt,
			va_list ap)
{
	memset(error, 0, sizeof(*error));
	snprintf(error->file, sizeof(error->file), "%s", file);
	error->line = line;
	error->column = column;
	vsnprintf(error->message, sizeof(error->message), fmt, ap);
}

void
op25b_policy_error_set(struct op25b_policy_error *error, const char *file,
		       uint32_t line, uint32_t column, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	op25b_policy_error_vset(error, file, line, column, fmt, ap);
	va_end(ap);
}

void
op25b_policy_quote(char *buf, size_t size, const void *text, size_t len)
{
	const unsigned char *in = text;
	size_t i, n = len;

	if (n > OP25B_POLICY_QUOTE_MAX)
		n = OP25B_POLICY_QUOTE_MAX;

	if (size == 0)
		return;
	if (n > size - 1)
		n = size - 1;
	for (i = 0; i < n; i++)
		buf[i] = in[i] >= ' ' && in[i] < 0x7f ? (char)in[i] : '?';
	buf[n] = '\0';
	if (len > n)
		snprintf(buf + n, size - n, "...");
}

int
op25b_policy_warn(struct op25b_policy *policy, const char *file, uint32_t line,
		  uint32_t column, const char *fmt, ...)
{
	char message[512];
	char **grown;
	char *text;
	va_list ap;
	int len;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	len = asprintf(&text, "%s:%u:%u: warning: %s", file, line, column,
		       message);
	if (len < 0)
		return -ENOMEM;
	/* Warnings are few (one per class at most): no geometric growth. */
	grown = realloc(policy->warnings,
			(policy->n_warnings + 1) * sizeof(*grown));
	if (grown == NULL) {
		free(text);
		return -ENOMEM;
	}
	policy->warnings = grown;
	policy->warnings[policy->n_warnings++] = text;
	return 0;
}

void
op25b_policy_free(struct op25b_policy *policy)
{
	struct op25b_policy_owned *owned = (struct op25b_policy_owned *)policy;
	unsigned int i;

	if (policy == NULL)
		return;
	if (policy->classes != NULL) {
		for (i = 0; i < policy->n_classes; i++) {
			free(policy->classes[i].to);
			free(policy->classes[i].prefixes.prefixes);
		}
		free(policy->classes);
	}
	if (policy->groups != NULL) {
		for (i = 0; i < policy->n_groups; i++)
			free(policy->groups[i].prefixes.prefixes);
		free(policy->groups);
	}
	for (i = 0; i < policy->n_warnings; i++)
		free(policy->warnings[i]);
	free(policy->warnings);
	for (i = 0; i < owned->n_files; i++)
		free(owned->files[i]);
	free(owned->files);
	free(owned);
}
