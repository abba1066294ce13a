/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Explain a flow: which class and group it falls in, which rule of the
 * precedence decided, and what the appliance then does with the packets.
 * Shared by `op25b-policy explain` and the appliance's `explain` command,
 * so that the desk and the operator read the same words.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "op25b_json.h"
#include "op25b_policy.h"
/* tcp_reply_allowed(): which flows a reply never answers, header-only C
 * shared by the classifier and the XDP program, so that explain says
 * what both do. */
#include "../classify/tcp_seen.h"

const char *
op25b_port_kind_name(enum op25b_port_kind kind)
{
	switch (kind) {
	case OP25B_PORT_SMTP:
		return "smtp";
	case OP25B_PORT_SUBMISSION:
		return "submission";
	case OP25B_PORT_OTHER:
		break;
	}
	return "other";
}

/* The address without its /32 or /128. */
static void
format_address(const struct op25b_prefix *addr, char *buf, size_t size)
{
	char *slash;

	op25b_prefix_format(addr, buf, size);
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash = '\0';
}

/* What the appliance does once the rule has spoken: mode and block style
 * apply here, after op25b_policy_decide(), as in the classifier. */
static void
settle_verdict(const struct op25b_policy *policy,
	       const struct op25b_prefix *src, const struct op25b_prefix *dst,
	       struct op25b_explanation *x)
{
	static const uint8_t unicast_macs[12];
	enum op25b_block_style block = op25b_policy_block_of(
		policy, x->cls != NULL ? (int)(x->cls - policy->classes) : -1);

	if (x->port_kind == OP25B_PORT_OTHER) {
		x->verdict = "forward";
		x->note = "not SMTP: forwarded untouched";
		return;
	}
	if (x->port_kind == OP25B_PORT_SUBMISSION) {
		x->verdict = "forward";
		x->note = "submission ports are always forwarded";
		return;
	}
	switch (x->action) {
	case OP25B_ACTION_BLOCK:
		if (policy->mode == OP25B_MODE_MONITOR) {
			x->verdict = "count";
			x->note = "block -> count (mode: monitor): forwarded "
				  "and counted as would-block";
		} else if (block != OP25B_BLOCK_DROP &&
			   !tcp_reply_allowed(src->family == AF_INET ? 4 : 6,
					      src->addr, dst->addr,
					      unicast_macs)) {
			/* As reset.c, notify.c and the XDP program: the
			 * addresses decide, the frame's MACs aside. */
			x->verdict = "block";
			x->note = block == OP25B_BLOCK_NOTIFY
					  ? "block: notify -> dropped without "
					    "an answer: none goes to or from a "
					    "multicast, broadcast, unspecified "
					    "or loopback address (RFC 1122)"
					  : "block: reset -> dropped without "
					    "a RST: none goes to or from a "
					    "multicast, broadcast, unspecified "
					    "or loopback address (RFC 1122)";
		} else if (block == OP25B_BLOCK_NOTIFY) {
			x->verdict = "block";
			x->note = "block: notify -> the connection is answered "
				  "with 554 5.7.1 and the notice";
			x->notice = policy->notice;
		} else if (block == OP25B_BLOCK_RESET) {
			x->verdict = "block";
			x->note = "block: reset -> a SYN is answered with TCP "
				  "RST";
		} else {
			x->verdict = "block";
			x->note = "block: drop -> the packets are dropped";
		}
		break;
	case OP25B_ACTION_COUNT:
		x->verdict = "count";
		x->note = "forwarded and counted as would-block";
		break;
	case OP25B_ACTION_ADAPTIVE:
		x->verdict = "adaptive";
		x->note = policy->mode == OP25B_MODE_MONITOR
				  ? "forwarded; a source over the class's "
				    "limit is counted as would-block for "
				    "block_for (mode: monitor)"
				  : "forwarded until the source opens more "
				    "than limit.connections SMTP connections "
				    "(or talks to more than "
				    "limit.destinations) within limit.per; "
				    "then blocked for limit.block_for";
		break;
	case OP25B_ACTION_ALLOW:
	case OP25B_ACTION_NONE:
		x->verdict = "allow";
		x->note = "forwarded";
		break;
	}
}

void
op25b_policy_explain(const struct op25b_policy *policy,
		     const struct op25b_prefix *src,
		     const struct op25b_prefix *dst, uint16_t port,
		     struct op25b_explanation *x)
{
	int class_id, group_id;

	memset(x, 0, sizeof(*x));
	format_address(src, x->src, sizeof(x->src));
	format_address(dst, x->dst, sizeof(x->dst));
	x->port = port;
	x->port_kind = op25b_policy_port_kind(policy, port);
	/* Looked up for every port: the desk wants to know who the customer
	 * is even when the appliance never asks. */
	class_id = op25b_policy_match_source(policy, src->family, src->addr,
					     &x->class_prefix);
	group_id = op25b_policy_match_destination(policy, dst->family,
						  dst->addr, &x->group_prefix);
	if (class_id >= 0)
		x->cls = &policy->classes[class_id];
	if (group_id >= 0)
		x->grp = &policy->groups[group_id];
	if (x->port_kind == OP25B_PORT_SMTP) {
		x->action = op25b_policy_decide(policy, class_id, group_id,
						&x->rule);
		x->decided = true;
	}
	settle_verdict(policy, src, dst, x);
}

/* snprintf that appends and keeps counting past the end of @buf. */
struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void __attribute__((format(printf, 2, 3)))
put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->len < o->size ? o->buf + o->len : NULL,
		      o->len < o->size ? o->size - o->len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

static void
put_match(struct out *o, const char *label, const char *kind, const char *none,
	  const char *name, const struct op25b_prefix *prefix)
{
	char text[64];

	if (name == NULL) {
		put(o, "%-13s%s\n", label, none);
		return;
	}
	op25b_prefix_format(prefix, text, sizeof(text));
	put(o, "%-13s%s %s (prefix %s, %s:%u:%u)\n", label, kind, name, text,
	    prefix->file, prefix->line, prefix->column);
}

int
op25b_explanation_text(const struct op25b_explanation *x, char *buf,
		       size_t size)
{
	struct out o = { buf, size, 0 };

	if (size > 0)
		buf[0] = '\0';
	put(&o, "%-13s%s -> %s port %u (%s)\n", "flow:", x->src, x->dst,
	    x->port, op25b_port_kind_name(x->port_kind));
	put_match(&o, "source:", "class", "no class",
		  x->cls != NULL ? x->cls->name : NULL, x->class_prefix);
	put_match(&o, "destination:", "group", "no group",
		  x->grp != NULL ? x->grp->name : NULL, x->group_prefix);
	if (!x->decided) {
		put(&o, "%-13snone (only smtp ports are classified)\n",
		    "rule:");
	} else {
		const char *action = op25b_action_name(x->action);

		put(&o, "%-13s%s (", "rule:", op25b_rule_name(x->rule));
		switch (x->rule) {
		case OP25B_RULE_CLASS_TO:
			put(&o, "%s.to.%s: %s", x->cls->name, x->grp->name,
			    action);
			break;
		case OP25B_RULE_GROUP:
			put(&o, "%s: %s", x->grp->name, action);
			break;
		case OP25B_RULE_CLASS:
			put(&o, "%s: %s", x->cls->name, action);
			break;
		case OP25B_RULE_DEFAULT:
			put(&o, "default: %s", action);
			break;
		}
		put(&o, ")\n");
	}
	put(&o, "%-13s%s (%s)\n", "verdict:", x->verdict, x->note);
	if (x->notice != NULL)
		put(&o, "%-13s%s\n", "notice:", x->notice);
	return (int)o.len;
}

/* A match as "..._prefix" and "..._location" members: the prefix and
 * where the policy lists it, the position the text shows. */
static void
json_match(struct op25b_json *j, const char *prefix_key,
	   const char *location_key, const struct op25b_prefix *prefix)
{
	char text[64];

	if (prefix == NULL) {
		op25b_json_null(j, prefix_key);
		op25b_json_null(j, location_key);
		return;
	}
	op25b_prefix_format(prefix, text, sizeof(text));
	op25b_json_string(j, prefix_key, text);
	op25b_json_object(j, location_key);
	op25b_json_string(j, "file", prefix->file);
	op25b_json_u64(j, "line", prefix->line);
	op25b_json_u64(j, "column", prefix->column);
	op25b_json_close(j);
}

void
op25b_explanation_json(const struct op25b_explanation *x, struct op25b_json *j)
{
	op25b_json_string(j, "src", x->src);
	op25b_json_string(j, "dst", x->dst);
	op25b_json_u64(j, "port", x->port);
	op25b_json_string(j, "port_kind", op25b_port_kind_name(x->port_kind));
	op25b_json_string(j, "class", x->cls != NULL ? x->cls->name : NULL);
	json_match(j, "class_prefix", "class_location",
		   x->cls != NULL ? x->class_prefix : NULL);
	op25b_json_string(j, "group", x->grp != NULL ? x->grp->name : NULL);
	json_match(j, "group_prefix", "group_location",
		   x->grp != NULL ? x->group_prefix : NULL);
	op25b_json_string(j, "rule",
			  x->decided ? op25b_rule_name(x->rule) : NULL);
	op25b_json_string(j, "action",
			  x->decided ? op25b_action_name(x->action) : NULL);
	op25b_json_string(j, "verdict", x->verdict);
	op25b_json_string(j, "note", x->note);
	/* Only under block: notify, so that other answers keep their form. */
	if (x->notice != NULL)
		op25b_json_string(j, "notice", x->notice);
}
