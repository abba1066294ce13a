/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The operator CLI's internals, shared by the files that define commands
 * (one per area: cli_show.c, cli_policy.c, cli_exempt.c) and cli.c, which
 * runs the sessions.
 *
 * Every command runs on the control lcore, between two turns of its loop:
 * commands never race each other, a reload or the workers' RCU.
 */
#ifndef OP25B_CLI_PRIV_H
#define OP25B_CLI_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_num.h>
#include <cmdline_parse_string.h>

#include "op25b_app.h"
#include "op25b_json.h"

/* cmdline_cirbuf.h defines dprintf() as its own debug macro (a no-op):
 * the POSIX function is the one meant here. */
#undef dprintf

/* A command's text tokens: one word, or the rest of the line. */
#define CLI_WORD_MAX STR_TOKEN_SIZE

/* A token of our own: a string token (any word) first, parsed with
 * @p token_ops into @p field of the result struct @p structure, then the
 * initializers of its other members. */
#define CLI_OWN_TOKEN(token_ops, structure, field, ...)                        \
	{                                                                      \
		.string = { .hdr = { .ops = &(token_ops),                      \
				     .offset = offsetof(structure, field) },   \
			    .string_data = { .str = NULL } },                  \
		__VA_ARGS__                                                    \
	}

/* A word naming a class or a destination group of the running policy
 * (cli.c): any word parses, as a string token into @p field; TAB offers
 * the names. */
enum cli_name_kind {
	CLI_NAME_CLASS,
	CLI_NAME_GROUP
};
struct cli_name_token {
	struct cmdline_token_string string; /* first: parsed as a string */
	enum cli_name_kind kind;
};
extern struct cmdline_token_ops cli_name_token_ops;
#define CLI_NAME_TOKEN(structure, field, name_kind)                            \
	CLI_OWN_TOKEN(cli_name_token_ops, structure, field, .kind = (name_kind))

/* A static string token @p var: @p word (or NULL: any word; "a#b": one
 * of them) into @p field of the result struct @p structure. */
#define CLI_WORD(var, structure, field, word)                                  \
	static cmdline_parse_token_string_t var =                              \
		TOKEN_STRING_INITIALIZER(structure, field, word)

/* The result of a command of plain words (help, show version, show
 * workers [json], show counters class NAME...): a field per word. */
struct cli_words {
	cmdline_fixed_string_t w0;
	cmdline_fixed_string_t w1;
	cmdline_fixed_string_t w2;
	cmdline_fixed_string_t w3;
};

/* "show" as w0 and "json" as w2 of struct cli_words (cli.c): the words
 * every `show X [json]` view of that struct begins and ends with. */
extern cmdline_parse_token_string_t cli_show_w0;
extern cmdline_parse_token_string_t cli_json_w2;

/* A static command @p name: @p fn runs with data @p form when a line
 * matches the tokens, given as (void *)&token, in order. */
#define CLI_INST(name, fn, form, help, ...)                                    \
	static cmdline_parse_inst_t name = {                                   \
		.f = (fn),                                                     \
		.data = (void *)(uintptr_t)(form),                             \
		.help_str = (help),                                            \
		.tokens = { __VA_ARGS__, NULL },                               \
	}

/* The data bit of a command's longer form (CLI_INST_OPTIONAL), such as
 * its JSON form (CLI_INST_JSON). */
#define CLI_LONGER_FORM 0x1
#define CLI_JSON_FORM CLI_LONGER_FORM

/*
 * A command @p name whose last token, @p last_token, may be left out:
 * @p name takes the other tokens, @p name##suffix takes them and then
 * @p last_token. Both run @p fn, the longer form with data
 * form | CLI_LONGER_FORM: one function and one token list serve both.
 */
#define CLI_INST_OPTIONAL(name, suffix, fn, form, help, help_longer,           \
			  last_token, ...)                                     \
	CLI_INST(name, fn, form, help, __VA_ARGS__);                           \
	CLI_INST(name##suffix, fn, (form) | CLI_LONGER_FORM, help_longer,      \
		 __VA_ARGS__, (void *)&(last_token))

/*
 * A command @p name and its JSON form @p name_json, which takes the same
 * tokens and then @p json_token (a "json" word): the `show X [json]`
 * shape of most views. The JSON form runs @p fn with data
 * form | CLI_JSON_FORM.
 */
#define CLI_INST_JSON(name, fn, form, help, help_json, json_token, ...)        \
	CLI_INST_OPTIONAL(name, _json, fn, form, help, help_json, json_token,  \
			  __VA_ARGS__)

/*
 * The view `show @p word [json]` of plain words (struct cli_words): the
 * token @p word_token (other forms of the view may take it too) and the
 * commands @p name and @p name_json (CLI_INST_JSON), which run @p fn
 * with data 0 and CLI_JSON_FORM.
 */
#define CLI_SHOW_VIEW(name, word_token, word, fn, help, help_json)             \
	CLI_WORD(word_token, struct cli_words, w1, word);                      \
	CLI_INST_JSON(name, fn, 0, help, help_json, cli_json_w2,               \
		      (void *)&cli_show_w0, (void *)&(word_token))

/* Any word but the ones of @p words (a NULL-terminated list), which are
 * other forms' (cmdline calls a line that two forms take ambiguous): a
 * string token into @p field. */
struct cli_word_token {
	struct cmdline_token_string string; /* first: parsed as a string */
	const char *const *except;
};
extern struct cmdline_token_ops cli_word_token_ops;
#define CLI_WORD_EXCEPT(structure, field, words)                               \
	CLI_OWN_TOKEN(cli_word_token_ops, structure, field, .except = (words))

/* NULL-terminated command lists, one per area. */
extern cmdline_parse_inst_t *op25b_cli_show_commands[];
extern cmdline_parse_inst_t *op25b_cli_policy_commands[];
extern cmdline_parse_inst_t *op25b_cli_exempt_commands[];
extern cmdline_parse_inst_t *op25b_cli_adaptive_commands[];
extern cmdline_parse_inst_t *op25b_cli_records_commands[];

/* The appliance the commands act on. */
struct op25b_app *cli_app(void);

/* Print to the session of @cl. */
void cli_printf(struct cmdline *cl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* One line saying why the command did nothing; marks the command failed
 * (a one-shot op25b-cli exits non-zero). */
void cli_fail(struct cmdline *cl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The one-line answer of a control function that fills @p msg: "MSG"
 * and a newline when @p ret is 0, else cli_fail("MSG"). */
void cli_reply(struct cmdline *cl, int ret, const char *msg);

/* Who is at the other end of @cl: the socket peer's uid, or ours for the
 * terminal and the start-up file. */
uint32_t cli_uid(struct cmdline *cl);

/* Whether @p cl is a control-socket session: its client's working
 * directory is not ours, so a relative path from it means nothing here. */
bool cli_is_socket(struct cmdline *cl);

/* The reply of the command being run, as a stream (op25b_json writes to
 * it): sent in one write when the command returns. NULL when there is no
 * session to answer or no memory (then print nothing). */
FILE *cli_out(struct cmdline *cl);

/*
 * A FILE from a socket session must be absolute: op25b's working
 * directory is not the client's (op25b-cli makes a relative path absolute
 * before it sends it). The terminal and --cmdline-file are op25b's own,
 * where a relative path means what it says. Returns 0, or -1 after
 * cli_fail() ("@what @path: a relative path, ...").
 */
int cli_check_path(struct cmdline *cl, const char *what, const char *path);

/* @s as a JSON string (op25b_json_escape): quotes, backslashes and
 * control characters escaped (reasons and paths are the operator's
 * text). */
void cli_json_string(struct cmdline *cl, const char *s);

/* Whether the command ends with the word "json". */
bool cli_is_json(const char *word);

/* Add @len bytes of @text to the reply. */
void cli_write(struct cmdline *cl, const char *text, size_t len);

/* The exemption that applies to @addr (a host prefix): the longest
 * covering one, as in the data path; or NULL. */
const struct op25b_exempt_entry *
cli_exempt_covering(const struct op25b_prefix *addr);

/* A snapshot of the counters (free() it), or NULL after cli_fail(). */
struct op25b_stats_snapshot *cli_snapshot(struct cmdline *cl);

/* The live adaptive state of @p src for explain: text lines, or an
 * "adaptive" member of @p j; nothing when its class is not adaptive. */
void cli_adaptive_explain(struct cmdline *cl, const struct op25b_prefix *src,
			  struct op25b_json *j);

#endif /* OP25B_CLI_PRIV_H */
