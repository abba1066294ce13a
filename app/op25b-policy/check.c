/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * op25b-policy check FILE: validate a policy before it reaches an appliance
 * (configuration management runs this) and summarise what it holds. Like
 * `nft -c`, it also compiles the tables the appliance would build, so that
 * their limits fail here and not at the appliance's start or reload.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>

#include "op25b_classify.h"
#include "policy_tool.h"

/* The classifier's tables (check, replay) and the replay's mbufs live in
 * rte_malloc memory, hence an EAL: no hugepages, no devices, no shared
 * files, so that it never meets a running appliance's. Tables above this
 * are refused here, though an appliance with more hugepage memory might
 * hold them. */
#define CHECK_EAL_MEMORY_MB "2048"

void
op25b_tool_print_error(const struct op25b_policy_error *error)
{
	struct op25b_policy_error where = *error;
	char location[sizeof(where.file) + 32];

	/* The library's "file:line:column: " with the message left out, so
	 * that "error: " goes between them. */
	where.message[0] = '\0';
	op25b_policy_error_format(&where, location, sizeof(location));
	fprintf(stderr, "%serror: %s\n", location, error->message);
}

struct op25b_policy *
op25b_tool_load_policy(const char *path, bool show_warnings)
{
	struct op25b_policy_error error;
	struct op25b_policy *policy;
	unsigned int i;

	policy = op25b_policy_load(path, &error);
	if (policy == NULL) {
		op25b_tool_print_error(&error);
		return NULL;
	}
	for (i = 0; show_warnings && i < policy->n_warnings; i++)
		fprintf(stderr, "%s\n", policy->warnings[i]);
	return policy;
}

static const struct op25b_option check_options[] = {
	OP25B_OPTION("help", 'h', NULL, "this text"),
};

static void
check_usage(FILE *out)
{
	op25b_tool_usage(out, "check FILE",
			 "Validate the policy FILE and compile its tables as "
			 "the appliance does; print\na summary with the table "
			 "memory, or the first error as file:line:column (a\n"
			 "table limit: at the prefix where it is reached).\n",
			 check_options, RTE_DIM(check_options),
			 "0 valid, 1 invalid, 2 usage error");
}

int
op25b_tool_eal_start(void)
{
	/* clang-format off */
	char *args[] = {
		"op25b-policy", "--no-pci", "--no-huge", "-m",
		CHECK_EAL_MEMORY_MB, "--no-shconf", "--no-telemetry", "-l", "0",
		"--log-level", "*:error",
	};
	/* clang-format on */

	if (rte_eal_init(RTE_DIM(args), args) < 0) {
		fprintf(stderr, "op25b-policy: EAL init failed: %s\n",
			rte_strerror(rte_errno));
		return -1;
	}
	/* A table that does not fit is reported once, at its prefix list:
	 * not also by the DPDK library that failed to allocate it. */
	rte_log_set_level_pattern("*", RTE_LOG_CRIT);
	return 0;
}

/*
 * Compile @policy as the appliance would (class i in slot i + 1, as on a
 * first start). Returns the table memory in bytes, or 0 with the error
 * printed as "file:line:column: error: message".
 */
static size_t
check_compile(const struct op25b_policy *policy)
{
	struct op25b_classifier_error error;
	struct op25b_classifier *c;
	size_t memory;

	c = op25b_classifier_compile(policy, SOCKET_ID_ANY, NULL, NULL, &error);
	if (c == NULL) {
		op25b_tool_print_error(&error.where);
		return 0;
	}
	memory = op25b_classifier_memory(c);
	op25b_classifier_free(c);
	return memory;
}

static void
count_families(const struct op25b_prefix_list *list, size_t *v4, size_t *v6)
{
	size_t i;

	*v4 = 0;
	*v6 = 0;
	for (i = 0; i < list->count; i++) {
		if (list->prefixes[i].family == AF_INET)
			(*v4)++;
		else
			(*v6)++;
	}
}

static void
print_ports(const char *label, const uint16_t *ports, unsigned int n)
{
	unsigned int i;

	printf("%s ports:", label);
	if (n == 0)
		printf(" none");
	for (i = 0; i < n; i++)
		printf(" %u", ports[i]);
}

/* Characters of @p n in decimal. */
static int
digits(size_t n)
{
	int d = 1;

	while (n >= 10) {
		n /= 10;
		d++;
	}
	return d;
}

/* Column widths: the example layout, widened when a name or a count (a
 * million-prefix pool) would not fit, so that columns never touch. */
struct columns {
	int name;
	int prefixes;
	int family;
};

static void
widen(struct columns *w, const char *name, const struct op25b_prefix_list *list)
{
	size_t v4, v6;

	count_families(list, &v4, &v6);
	if ((int)strlen(name) + 2 > w->name)
		w->name = (int)strlen(name) + 2;
	if (digits(list->count) > w->prefixes)
		w->prefixes = digits(list->count);
	if (digits(v4) + 2 > w->family)
		w->family = digits(v4) + 2;
	if (digits(v6) + 2 > w->family)
		w->family = digits(v6) + 2;
}

static void
print_row(const struct columns *w, const char *name, const char *action,
	  const struct op25b_prefix_list *list)
{
	size_t v4, v6;

	count_families(list, &v4, &v6);
	printf("%-*s%-10s%*zu%*zu%*zu", w->name, name, action, w->prefixes,
	       list->count, w->family, v4, w->family, v6);
}

static void
print_summary(const struct op25b_policy *policy, size_t memory)
{
	struct columns w = { .name = 7, .prefixes = 8, .family = 6 };
	const char *note;
	unsigned int i, g;

	printf("%s: OK (version %u, mode %s, block %s, default %s, "
	       "malformed %s)\n",
	       policy->file, policy->version,
	       policy->mode == OP25B_MODE_MONITOR ? "monitor" : "enforce",
	       op25b_block_style_name(policy->block),
	       op25b_action_name(policy->default_action),
	       policy->malformed == OP25B_MALFORMED_FORWARD ? "forward"
							    : "drop");
	note = op25b_policy_monitor_note(policy->mode, policy->malformed);
	if (note != NULL)
		printf("%s\n", note);
	print_ports("smtp", policy->smtp_ports, policy->n_smtp_ports);
	printf("   ");
	print_ports("submission", policy->submission_ports,
		    policy->n_submission_ports);
	printf("\n");

	/* One set of widths for both tables, so that they line up. */
	for (i = 0; i < policy->n_classes; i++)
		widen(&w, policy->classes[i].name,
		      &policy->classes[i].prefixes);
	for (i = 0; i < policy->n_groups; i++)
		widen(&w, policy->groups[i].name, &policy->groups[i].prefixes);

	printf("%-*s%-10s%*s%*s%*s  to\n", w.name, "class", "action",
	       w.prefixes, "prefixes", w.family, "ipv4", w.family, "ipv6");
	for (i = 0; i < policy->n_classes; i++) {
		const struct op25b_policy_class *cls = &policy->classes[i];
		const char *separator = "  ";

		print_row(&w, cls->name, op25b_action_name(cls->action),
			  &cls->prefixes);
		for (g = 0; g < policy->n_groups; g++) {
			if (cls->to[g] == OP25B_ACTION_NONE)
				continue;
			printf("%s%s=%s", separator, policy->groups[g].name,
			       op25b_action_name(cls->to[g]));
			separator = " ";
		}
		printf("\n");
	}
	printf("%-*s%-10s%*s%*s%*s\n", w.name, "group", "action", w.prefixes,
	       "prefixes", w.family, "ipv4", w.family, "ipv6");
	for (i = 0; i < policy->n_groups; i++) {
		const struct op25b_policy_group *grp = &policy->groups[i];

		print_row(&w, grp->name,
			  grp->action == OP25B_ACTION_NONE
				  ? "-"
				  : op25b_action_name(grp->action),
			  &grp->prefixes);
		printf("\n");
	}
	printf("tables: %zu KB\n", memory / 1024);
}

int
op25b_tool_check(int argc, char **argv)
{
	struct op25b_policy *policy;
	int ret = OP25B_TOOL_BAD_POLICY;
	struct op25b_getopt g;
	size_t memory = 0;
	int opt;

	op25b_options_getopt(&g, check_options, RTE_DIM(check_options), NULL,
			     NULL);
	/* The usage text says what is wrong: no getopt line before it. */
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, g.shortopts, g.longopts, NULL)) !=
	       -1) {
		if (opt == 'h') {
			check_usage(stdout);
			return OP25B_TOOL_OK;
		}
		check_usage(stderr);
		return OP25B_TOOL_USAGE;
	}
	if (argc - optind != 1) {
		check_usage(stderr);
		return OP25B_TOOL_USAGE;
	}
	policy = op25b_tool_load_policy(argv[optind], true);
	if (policy == NULL)
		return OP25B_TOOL_BAD_POLICY;
	if (op25b_tool_eal_start() == 0) {
		memory = check_compile(policy);
		rte_eal_cleanup();
	}
	if (memory > 0) {
		print_summary(policy, memory);
		ret = OP25B_TOOL_OK;
	}
	op25b_policy_free(policy);
	return ret;
}
