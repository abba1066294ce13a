/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the loader checks beyond one key: the version before anything else,
 * then, once every key is read, the defaults, ports in both lists and
 * prefixes given twice.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "policy_priv.h"

/* The node of @p port in an explicit list, for pointing at it. */
static yaml_node_t *
port_node(struct loader *ld, const struct port_list *list, uint16_t port)
{
	yaml_node_item_t *items;
	unsigned int i;

	if (list->node == NULL)
		return NULL;
	/* Every item became a port, so item i is port i. */
	items = list->node->data.sequence.items.start;
	for (i = 0; i < list->n; i++)
		if (list->ports[i] == port)
			return op25b_loader_node(ld, items[i]);
	return NULL;
}

/* A port is either SMTP (classified) or submission (always forwarded). */
static int
check_port_overlap(struct loader *ld)
{
	unsigned int i, j;

	for (i = 0; i < ld->smtp.n; i++) {
		for (j = 0; j < ld->submission.n; j++) {
			uint16_t port = ld->smtp.ports[i];
			yaml_node_t *in_smtp, *in_submission;

			if (port != ld->submission.ports[j])
				continue;
			in_smtp = port_node(ld, &ld->smtp, port);
			in_submission = port_node(ld, &ld->submission, port);
			if (in_submission == NULL)
				return op25b_loader_fail(
					ld, in_smtp,
					"port %u is both smtp and "
					"submission (submission defaults "
					"to 587 and 465: set "
					"ports.submission)",
					port);
			if (in_smtp == NULL)
				return op25b_loader_fail(
					ld, in_submission,
					"port %u is both smtp and "
					"submission (smtp defaults to 25: "
					"set ports.smtp)",
					port);
			/* Point at whichever the reader meets second. */
			if (in_smtp->start_mark.index <
			    in_submission->start_mark.index)
				return op25b_loader_fail(
					ld, in_submission,
					"port %u is both smtp and "
					"submission (smtp at line %zu)",
					port, in_smtp->start_mark.line + 1);
			return op25b_loader_fail(
				ld, in_smtp,
				"port %u is both smtp and submission "
				"(submission at line %zu)",
				port, in_submission->start_mark.line + 1);
		}
	}
	return 0;
}

int
op25b_loader_check_version(struct loader *ld, yaml_node_t *root)
{
	yaml_node_t *value = op25b_loader_find_key(ld, root, "version", NULL);
	uint64_t v;

	/* At the top, where the fix goes, wherever the first key is. */
	if (value == NULL)
		return op25b_loader_fail_at(ld, 1, 1,
					    "missing version: add 'version: 1' "
					    "as the first line");
	if (op25b_loader_expect(ld, value, YAML_SCALAR_NODE, "version") < 0)
		return -1;
	if (!op25b_node_parse_uint(value, UINT32_MAX, &v))
		return op25b_loader_fail(
			ld, value, "bad version '%s': expected an integer (1)",
			op25b_node_show(value).s);
	if (v != 1)
		return op25b_loader_fail(
			ld, value,
			"unsupported version %u: this op25b reads "
			"version 1",
			(unsigned int)v);
	ld->policy->version = 1;
	return 0;
}

static int
check_duplicates(struct loader *ld)
{
	const struct op25b_prefix_list
		*lists[OP25B_POLICY_MAX_CLASSES + OP25B_POLICY_MAX_GROUPS];
	struct op25b_policy *policy = ld->policy;
	struct op25b_prefix_duplicate dup;
	char text[64];
	unsigned int i;
	int side, rc;

	/* A prefix may be once among sources and once among destinations:
	 * the two sides are different tables. */
	for (side = 0; side < 2; side++) {
		unsigned int n = side == 0 ? policy->n_classes
					   : policy->n_groups;

		for (i = 0; i < n; i++)
			lists[i] = side == 0 ? &policy->classes[i].prefixes
					     : &policy->groups[i].prefixes;
		rc = op25b_prefix_find_duplicate(lists, n, &dup);
		if (rc < 0)
			return op25b_loader_fail_nomem(ld);
		if (rc == 0)
			continue;
		op25b_prefix_format(dup.later, text, sizeof(text));
		op25b_policy_error_set(
			ld->error, dup.later->file, dup.later->line,
			dup.later->column,
			"duplicate prefix %s: already in %s '%s' at %s:%u:%u",
			text, side == 0 ? "class" : "group",
			side == 0 ? policy->classes[dup.first_list].name
				  : policy->groups[dup.first_list].name,
			dup.first->file, dup.first->line, dup.first->column);
		ld->err = EINVAL;
		return -1;
	}
	return 0;
}

/* Not an error, but likely a mistake: an IPv4-mapped IPv6 prefix
 * (::ffff:198.51.100.0/120) is in the IPv6 table, which IPv4 packets are
 * not looked up in; it matches only IPv6 packets with IPv4-mapped
 * addresses, which are not forwarded (RFC 6890) and so are forged. One
 * warning a class or group, at its first such prefix, with the IPv4
 * prefix meant. */
static int
warn_ipv4_mapped(struct loader *ld, const struct op25b_prefix_list *list,
		 const char *kind, const char *name)
{
	const struct op25b_prefix *first = NULL;
	char text[64], others[48] = "";
	size_t i, more = 0;

	for (i = 0; i < list->count; i++)
		if (op25b_prefix_ipv4_mapped(&list->prefixes[i], NULL)) {
			if (first == NULL)
				first = &list->prefixes[i];
			else
				more++;
		}
	if (first == NULL)
		return 0;
	op25b_prefix_format(first, text, sizeof(text));
	if (more > 0)
		snprintf(others, sizeof(others), " (and %zu more in it)", more);
	if (op25b_policy_warn(
		    ld->policy, first->file, first->line, first->column,
		    "%s in %s '%s' is an IPv4-mapped IPv6 prefix%s: it "
		    "never matches an IPv4 packet, only IPv6 ones with such "
		    "addresses, which networks do not forward (RFC 6890); "
		    "for IPv4 write %u.%u.%u.%u/%u%s",
		    text, kind, name, others, first->addr[12], first->addr[13],
		    first->addr[14], first->addr[15], first->length - 96,
		    first->length == 96 ? " (every IPv4 address)" : "") < 0)
		return op25b_loader_fail_nomem(ld);
	return 0;
}

/* Give back the spare room of the geometric growth: the policy lives as long
 * as the appliance runs. */
static void
shrink_list(struct op25b_prefix_list *list)
{
	struct op25b_prefix *exact;

	if (list->count == 0) {
		free(list->prefixes);
		list->prefixes = NULL;
		return;
	}
	exact = realloc(list->prefixes, list->count * sizeof(*exact));
	if (exact != NULL)
		list->prefixes = exact;
}

int
op25b_loader_finish(struct loader *ld)
{
	static const uint16_t default_smtp[] = { 25 };
	static const uint16_t default_submission[] = { 587, 465 };
	struct op25b_policy *policy = ld->policy;
	unsigned int i;

	if (ld->smtp.node == NULL) {
		memcpy(ld->smtp.ports, default_smtp, sizeof(default_smtp));
		ld->smtp.n = ARRAY_SIZE(default_smtp);
	}
	if (ld->submission.node == NULL) {
		memcpy(ld->submission.ports, default_submission,
		       sizeof(default_submission));
		ld->submission.n = ARRAY_SIZE(default_submission);
	}
	if (check_port_overlap(ld) < 0)
		return -1;
	memcpy(policy->smtp_ports, ld->smtp.ports,
	       ld->smtp.n * sizeof(ld->smtp.ports[0]));
	policy->n_smtp_ports = ld->smtp.n;
	memcpy(policy->submission_ports, ld->submission.ports,
	       ld->submission.n * sizeof(ld->submission.ports[0]));
	policy->n_submission_ports = ld->submission.n;
	if (policy->n_smtp_ports == 0 &&
	    op25b_loader_warn(
		    ld, ld->smtp.node,
		    "no smtp ports: the policy applies to no traffic") < 0)
		return -1;

	if (ld->notify_node != NULL && ld->notice_node == NULL)
		return op25b_loader_fail(ld, ld->notify_node,
					 "block: notify needs a notice: the "
					 "words of the 554 reply");
	if (check_duplicates(ld) < 0)
		return -1;
	for (i = 0; i < policy->n_classes; i++) {
		if (warn_ipv4_mapped(ld, &policy->classes[i].prefixes, "class",
				     policy->classes[i].name) < 0)
			return -1;
		shrink_list(&policy->classes[i].prefixes);
	}
	for (i = 0; i < policy->n_groups; i++) {
		if (warn_ipv4_mapped(ld, &policy->groups[i].prefixes, "group",
				     policy->groups[i].name) < 0)
			return -1;
		shrink_list(&policy->groups[i].prefixes);
	}
	return 0;
}
