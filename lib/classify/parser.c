/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A classifier without tables, for describing frames in tools that run
 * without EAL: the parser needs only the port kinds and max_vlan_tags.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "classify_priv.h"

struct op25b_classifier *
op25b_classifier_parser_create(const struct op25b_policy *policy)
{
	struct op25b_classifier *c;

	c = aligned_alloc(RTE_CACHE_LINE_SIZE, sizeof(*c));
	if (c == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	memset(c, 0, sizeof(*c));
	op25b_policy_port_table(policy, c->port_kind, true);
	c->max_vlan_tags =
		(uint8_t)(policy->max_vlan_tags == 0
				  ? OP25B_POLICY_DEFAULT_VLAN_TAGS
				  : RTE_MIN(policy->max_vlan_tags,
					    OP25B_POLICY_MAX_VLAN_TAGS));
	return c;
}

void
op25b_classifier_parser_free(struct op25b_classifier *parser)
{
	free(parser);
}
