/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Option tables: getopt_long's arrays and --help from one declaration.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "op25b_options.h"

static bool
is_short(int val)
{
	return val > 0 && val < OP25B_OPTION_LONG_ONLY &&
	       ((val >= 'a' && val <= 'z') || (val >= 'A' && val <= 'Z') ||
		(val >= '0' && val <= '9'));
}

static bool
selected(const struct op25b_option *o, const char *only)
{
	return only == NULL || (is_short(o->val) && strchr(only, o->val));
}

int
op25b_options_getopt(struct op25b_getopt *g, const struct op25b_option *opts,
		     size_t n, const char *only, const char *flags)
{
	size_t i, l = 0, s = 0;

	memset(g, 0, sizeof(*g));
	if (flags != NULL) {
		if (strlen(flags) > 2)
			return -E2BIG;
		s = strlen(flags);
		memcpy(g->shortopts, flags, s);
	}
	for (i = 0; i < n; i++) {
		const struct op25b_option *o = &opts[i];

		if (!selected(o, only))
			continue;
		if (l == OP25B_OPTIONS_MAX)
			return -E2BIG;
		g->longopts[l].name = o->name;
		g->longopts[l].has_arg = o->arg != NULL ? required_argument
							: no_argument;
		g->longopts[l].val = o->val;
		l++;
		/* An alias shares its letter with the option it stands for. */
		if (is_short(o->val) && strchr(g->shortopts, o->val) == NULL) {
			g->shortopts[s++] = (char)o->val;
			if (o->arg != NULL)
				g->shortopts[s++] = ':';
		}
	}
	return 0;
}

void
op25b_options_help_item(FILE *out, const char *left, int left_width,
			const char *text)
{
	int indent = 2 + left_width + 1, col = indent;
	const char *word = text;
	int len;

	if ((int)strlen(left) > left_width)
		fprintf(out, "  %s\n%*s", left, indent, "");
	else
		fprintf(out, "  %-*s ", left_width, left);
	while (*word != '\0') {
		len = (int)strcspn(word, " ");
		if (col > indent && col + 1 + len > OP25B_OPTIONS_HELP_WIDTH) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', out);
			col++;
		}
		fprintf(out, "%.*s", len, word);
		col += len;
		word += len;
		word += strspn(word, " ");
	}
	fputc('\n', out);
}

void
op25b_options_help(FILE *out, const struct op25b_option *opts, size_t n,
		   const char *only, int left_width)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct op25b_option *o = &opts[i];
		char left[96];

		if (!selected(o, only) || o->help == NULL)
			continue;
		if (is_short(o->val))
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->val,
				 o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
		else
			snprintf(left, sizeof(left), "--%s%s%s", o->name,
				 o->arg ? " " : "", o->arg ? o->arg : "");
		op25b_options_help_item(out, left, left_width, o->help);
	}
}

int
op25b_option_uint(const char *prog, const char *name, const char *arg,
		  unsigned long min, unsigned long max, const char *unit,
		  unsigned long *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	if (*arg != '\0' && *arg != '-') {
		v = strtoul(arg, &end, 10);
		if (errno == 0 && *end == '\0' && v >= min && v <= max) {
			*out = v;
			return 0;
		}
	}
	fprintf(stderr, "%s: --%s %s: expected %lu..%lu%s\n", prog, name, arg,
		min, max, unit != NULL ? unit : "");
	return -EINVAL;
}

int
op25b_option_instance(const char *prog, const char *arg, size_t max)
{
	size_t len = strnlen(arg, max);

	if (len > 0 && len < max && strchr(arg, '/') == NULL)
		return 0;
	fprintf(stderr, "%s: --name %s: 1..%zu characters, no '/'\n", prog, arg,
		max - 1);
	return -EINVAL;
}

int
op25b_subcommand_help(int argc, char **argv, void (*usage)(FILE *out),
		      int usage_status)
{
	if (argc < 2) {
		usage(stderr);
		return usage_status;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	return -1;
}

int
op25b_option_refused(const char *prog, const char *arg)
{
	fprintf(stderr, "%s: %s '%s' (try --help)\n", prog,
		optopt ? "missing the argument of" : "unknown option", arg);
	return -EINVAL;
}
