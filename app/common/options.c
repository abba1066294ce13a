/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Option tables: getopt_long's arrays and --help from one declaration.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
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

/* The short options of the last op25b_options_getopt(), for
 * op25b_option_refused(): a process parses one command line. */
static const char *last_shortopts;

void
op25b_options_getopt(struct op25b_getopt *g, const struct op25b_option *opts,
		     size_t n, const char *only, const char *flags)
{
	size_t i, l = 0, s = 0;

	if (n > OP25B_OPTIONS_MAX)
		abort(); /* given[] has room for OP25B_OPTIONS_MAX */
	memset(g, 0, sizeof(*g));
	g->opts = opts;
	g->n = n;
	if (flags != NULL) {
		if (strlen(flags) > 2)
			abort(); /* shortopts has room for two */
		s = strlen(flags);
		memcpy(g->shortopts, flags, s);
	}
	for (i = 0; i < n; i++) {
		const struct op25b_option *o = &opts[i];

		if (!selected(o, only))
			continue;
		g->longopts[l].name = o->name;
		g->longopts[l].has_arg = o->arg != NULL ? required_argument
							: no_argument;
		g->longopts[l].val = o->val != 0 ? o->val
						 : OP25B_OPTION_AUTO + (int)i;
		l++;
		/* An alias shares its letter with the option it stands for. */
		if (is_short(o->val) && strchr(g->shortopts, o->val) == NULL) {
			g->shortopts[s++] = (char)o->val;
			if (o->arg != NULL)
				g->shortopts[s++] = ':';
		}
	}
	last_shortopts = g->shortopts;
}

/* @p v into the unsigned field of @p size bytes at @p field. */
static void
store_uint(void *field, size_t size, unsigned long v)
{
	switch (size) {
	case 1:
		*(uint8_t *)field = (uint8_t)v;
		break;
	case 2:
		*(uint16_t *)field = (uint16_t)v;
		break;
	case 4:
		*(uint32_t *)field = (uint32_t)v;
		break;
	default:
		*(uint64_t *)field = v;
		break;
	}
}

/* The entry getopt_long() returned @p val for; NULL: none of ours. */
static const struct op25b_option *
entry_of(const struct op25b_getopt *g, int val)
{
	size_t i;

	if (val >= OP25B_OPTION_AUTO)
		return (size_t)(val - OP25B_OPTION_AUTO) < g->n
			       ? &g->opts[val - OP25B_OPTION_AUTO]
			       : NULL;
	for (i = 0; i < g->n; i++)
		if (g->opts[i].val == val)
			return &g->opts[i];
	return NULL;
}

int
op25b_options_next(struct op25b_getopt *g, const char *prog, int argc,
		   char **argv, void *target)
{
	const struct op25b_option *o;
	unsigned long v;
	char *field;
	int opt;

	while ((opt = getopt_long(argc, argv, g->shortopts, g->longopts,
				  NULL)) != -1) {
		o = entry_of(g, opt);
		if (o != NULL)
			g->given[o - g->opts] = true;
		if (o == NULL || o->kind == OP25B_OPTION_CALLER)
			return opt;
		field = (char *)target + o->offset;
		switch (o->kind) {
		case OP25B_OPTION_SET:
			store_uint(field, o->size, 1);
			break;
		case OP25B_OPTION_UINT:
			if (op25b_option_uint(prog, o->name, optarg, o->min,
					      o->max, o->unit, &v) != 0)
				return -EINVAL;
			store_uint(field, o->size, v);
			break;
		case OP25B_OPTION_INSTANCE:
			if (op25b_option_instance(prog, o->name, optarg,
						  o->max) != 0)
				return -EINVAL;
			/* fall through */
		default:
			*(const char **)field = optarg;
			break;
		}
	}
	return 0;
}

bool
op25b_options_given(const struct op25b_getopt *g, int val)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (g->opts[i].val == val && g->given[i])
			return true;
	return false;
}

void
op25b_options_help_item(FILE *out, const char *left, int left_width,
			const char *text)
{
	/* Two spaces at least between a term and its text: help2man (the
	 * man pages) reads a term by them, and fused one followed by a
	 * single space with its text. */
	int indent = 2 + left_width + 2, col = indent;
	const char *word = text;
	int len;

	if ((int)strlen(left) > left_width)
		fprintf(out, "  %s\n%*s", left, indent, "");
	else
		fprintf(out, "  %-*s  ", left_width, left);
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
op25b_option_instance(const char *prog, const char *option, const char *arg,
		      size_t max)
{
	size_t len = strnlen(arg, max);

	if (len > 0 && len < max && strchr(arg, '/') == NULL)
		return 0;
	fprintf(stderr, "%s: --%s %s: 1..%zu characters, no '/'\n", prog,
		option, arg, max - 1);
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
	/* getopt sets optopt for a known option without its argument (its
	 * value: a letter, or above 255 for a long option of no letter),
	 * and for an unknown letter too (-z): a letter is missing its
	 * argument only if it is ours and takes one. */
	const char *letter = optopt > 0 && optopt < 128 && isalnum(optopt) &&
					     last_shortopts != NULL
				     ? strchr(last_shortopts, optopt)
				     : NULL;
	bool missing = optopt > 255 || (letter != NULL && letter[1] == ':');

	fprintf(stderr, "%s: %s '%s' (try --help)\n", prog,
		missing ? "missing the argument of" : "unknown option", arg);
	return -EINVAL;
}
