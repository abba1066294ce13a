/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Command-line options as a table, for op25b and its tools: getopt_long's
 * arrays and the --help lines are both made from one table, so that an
 * option is declared once and its help cannot go missing (xdp-tools'
 * DEFINE_OPTION does the same). No DPDK: the tools that run without it use
 * this too.
 */
#ifndef OP25B_OPTIONS_H
#define OP25B_OPTIONS_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The exit status of a usage error, in op25b and every tool (0 and 1
 * are stdlib's EXIT_SUCCESS and EXIT_FAILURE). */
#define OP25B_EXIT_USAGE 2

/** The most options one table (or one subcommand's share of it) has. */
#define OP25B_OPTIONS_MAX 32

/** Where --help lines end: at most this many columns. */
#define OP25B_OPTIONS_HELP_WIDTH 79

/** What op25b_options_next() does with an option by itself. */
enum op25b_option_kind {
	OP25B_OPTION_CALLER, /**< nothing: it is returned to the caller */
	OP25B_OPTION_STRING, /**< its argument goes to a const char * */
	OP25B_OPTION_SET,    /**< an integer or bool field becomes 1 */
	OP25B_OPTION_UINT,   /**< op25b_option_uint() into an unsigned field */
	OP25B_OPTION_INSTANCE, /**< op25b_option_instance(), then as STRING */
};

/** One option. */
struct op25b_option {
	const char *name; /**< the long name, without "--" */
	/** getopt_long's value: a letter is also accepted as -LETTER;
	 * OP25B_OPTION_LONG_ONLY and above name a long-only option; 0 (an
	 * option the caller never sees) gets one of its own. */
	int val;
	const char *arg;  /**< its argument in --help; NULL: takes none */
	const char *help; /**< NULL: an alias, left out of --help */
	enum op25b_option_kind kind;
	size_t offset;	   /**< of the field in the caller's struct */
	size_t size;	   /**< of that field: 1, 2, 4 or 8 bytes */
	unsigned long min; /**< UINT: the range */
	unsigned long max; /**< UINT: the range; INSTANCE: the buffer size */
	const char *unit;  /**< UINT: after the range in a refusal */
};

/** The first value of a long-only option (above every letter). */
#define OP25B_OPTION_LONG_ONLY 256

/** The values given to options declared with 0 (above the callers'). */
#define OP25B_OPTION_AUTO 1024

/** A table entry: OP25B_OPTION("out", 'o', "FILE", "write here"). */
#define OP25B_OPTION(name, val, arg, help)                                     \
	{                                                                      \
		(name), (val), (arg), (help)                                   \
	}

/** The field @p field of struct @p type, as the table entries below
 * store into it. */
#define OP25B_OPTION_FIELD(type, field)                                        \
	.offset = offsetof(type, field), .size = sizeof(((type *)0)->field)

/** An option whose argument is stored in a const char * field. */
#define OP25B_OPTION_STR(name_, val_, arg_, help_, type, field)                \
	{                                                                      \
		.name = (name_), .val = (val_), .arg = (arg_),                 \
		.help = (help_), .kind = OP25B_OPTION_STRING,                  \
		OP25B_OPTION_FIELD(type, field)                                \
	}

/** An option without an argument that sets an integer or bool field. */
#define OP25B_OPTION_FLAG(name_, val_, help_, type, field)                     \
	{                                                                      \
		.name = (name_), .val = (val_), .help = (help_),               \
		.kind = OP25B_OPTION_SET, OP25B_OPTION_FIELD(type, field)      \
	}

/** An option whose argument is a decimal in @p min_..@p max_ (refused as
 * op25b_option_uint() says, with @p unit_), stored in an unsigned field. */
#define OP25B_OPTION_UINT(name_, val_, arg_, help_, type, field, min_, max_,   \
			  unit_)                                               \
	{                                                                      \
		.name = (name_), .val = (val_), .arg = (arg_),                 \
		.help = (help_), .kind = OP25B_OPTION_UINT,                    \
		OP25B_OPTION_FIELD(type, field), .min = (min_), .max = (max_), \
		.unit = (unit_)                                                \
	}

/** --name NAME checked by op25b_option_instance() (buffer @p max_), stored
 * in a const char * field. */
#define OP25B_OPTION_NAME(help_, type, field, max_)                            \
	{                                                                      \
		.name = "name", .arg = "NAME", .help = (help_),                \
		.kind = OP25B_OPTION_INSTANCE,                                 \
		OP25B_OPTION_FIELD(type, field), .max = (max_)                 \
	}

/** getopt_long's arrays made from a table, the table, and which of its
 * options op25b_options_next() has met. */
struct op25b_getopt {
	struct option longopts[OP25B_OPTIONS_MAX + 1];
	char shortopts[2 * OP25B_OPTIONS_MAX + 4];
	const struct op25b_option *opts;
	size_t n;
	bool given[OP25B_OPTIONS_MAX]; /**< by the table's index */
};

/**
 * Fill @p g from the @p n options of @p opts, or only those whose value
 * is a letter of @p only (NULL: all): every one goes to @c longopts, those
 * whose value is a letter to @c shortopts too, after @p flags ("+" to stop
 * at the first non-option, ":" to tell a missing argument apart; "" or
 * NULL: none). More than OP25B_OPTIONS_MAX options in @p opts, or
 * @p flags longer than two characters, are a bug in the table: abort().
 */
void
op25b_options_getopt(struct op25b_getopt *g, const struct op25b_option *opts,
		     size_t n, const char *only, const char *flags);

/**
 * The next option of @p argv for the caller (getopt_long() with @p g,
 * from optind): the options of kinds other than OP25B_OPTION_CALLER are
 * stored into the struct at @p target on the way, as their entries say;
 * a refused one is a line on stderr that begins with "PROG: ".
 * @return the value of an OP25B_OPTION_CALLER option, or '?' or ':' as
 *   getopt_long() returns them; 0 after the last option; -EINVAL after
 *   a refusal.
 */
int op25b_options_next(struct op25b_getopt *g, const char *prog, int argc,
		       char **argv, void *target);

/**
 * Whether op25b_options_next() has met an option of value @p val (a
 * letter: an alias sharing it counts), whatever its kind: for a tool
 * whose commands each require some.
 */
bool op25b_options_given(const struct op25b_getopt *g, int val);

/**
 * The --help lines of the options op25b_options_getopt() would take (same
 * @p only): "  -X, --name ARG" (or "  --name ARG") in a column
 * @p left_width wide, then the help wrapped at word boundaries under
 * itself before OP25B_OPTIONS_HELP_WIDTH. Aliases (help NULL) are left
 * out.
 */
void op25b_options_help(FILE *out, const struct op25b_option *opts, size_t n,
			const char *only, int left_width);

/**
 * One --help item as op25b_options_help() prints an option: "  LEFT" in a
 * column @p left_width wide, then @p text wrapped under itself (a LEFT
 * wider than the column puts the text on the next line).
 */
void op25b_options_help_item(FILE *out, const char *left, int left_width,
			     const char *text);

/**
 * @p arg, the argument of --@p name, as a decimal number in
 * @p min..@p max (no sign) into @p out. A refusal is one line on stderr:
 * "PROG: --NAME ARG: expected MIN..MAX" and then @p unit (NULL: nothing),
 * as " seconds".
 * @return 0, or -EINVAL after that line.
 */
int op25b_option_uint(const char *prog, const char *name, const char *arg,
		      unsigned long min, unsigned long max, const char *unit,
		      unsigned long *out);

/**
 * @p arg, the argument of --@p option (--name, op25b-stat's --xdp), as an
 * instance name: 1 to @p max - 1 characters, no '/' (it names a path:
 * /dev/shm/op25b.NAME, a pin directory). A refusal is one line on
 * stderr: "PROG: --OPTION ARG: 1..MAX-1 characters, no '/'".
 * @return 0, or -EINVAL after that line.
 */
int op25b_option_instance(const char *prog, const char *option, const char *arg,
			  size_t max);

/**
 * The start of a tool with subcommands: without one, @p usage to stderr
 * and @p usage_status; with "--help", "-h" or "help", @p usage to stdout
 * and 0.
 * @return that status, or -1 when argv[1] is for the caller to look up.
 */
int op25b_subcommand_help(int argc, char **argv, void (*usage)(FILE *out),
			  int usage_status);

/**
 * The line for getopt_long's '?' (opterr 0): "PROG: missing the argument
 * of 'ARG' (try --help)" for a known option that lacks its argument
 * (getopt sets optopt only then), "PROG: unknown option 'ARG' ..." for
 * the rest. @p arg is argv[optind - 1].
 * @return -EINVAL.
 */
int op25b_option_refused(const char *prog, const char *arg);

#ifdef __cplusplus
}
#endif

#endif /* OP25B_OPTIONS_H */
