/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The operator CLI's sessions, on DPDK's librte_cmdline (the library
 * testpmd's prompt uses: completion, history, help):
 *
 *  - the terminal (-i): an op25b> prompt on stdin; `quit` stops op25b;
 *  - the control socket (/run/op25b/NAME.sock, 0600, root or our own uid
 *    only): one session per connection, up to CLI_MAX_SESSIONS at once;
 *    `quit` ends the session, never the appliance;
 *  - --cmdline-file: commands run once at start-up, before the ports
 *    start; a failure's reason goes to stderr with FILE:LINE.
 *
 * Nothing here blocks the control lcore for long: the control loop polls
 * every descriptor with its 10 ms tick, and a session's input is fed to
 * its cmdline as it arrives. Socket sessions never wait for their client:
 * what a command prints is kept in the session's output and sent as the
 * socket takes it (POLLOUT), and the session's next input waits until
 * its client has read it all. So a client that reads slowly holds back
 * only itself, never the ports' figures, the other sessions, signals or
 * expiry; one that stops reading for CLI_STUCK_MS loses its session.
 * cmdline writes its echo and prompts into a pipe, which joins the
 * replies in that output in order.
 *
 * A socket session starts interactive: op25b prints the prompt as soon as
 * it accepts the connection, so that socat or nc -U work as they are. A
 * client that sends 0x1e (RS) as its first byte turns it into a batch
 * session (doc/cli.md): no prompt, no echo, one command a line, and after
 * each command's output RS, '0' (done) or '1' (failed), '\n'. op25b-cli
 * reads the prompt, sends RS, and uses batch for one-shot commands.
 */
/* cmdline_get_rdline() and cmdline_parse_check(), for op25b's own keys
 * and error words at the prompt, are experimental in DPDK 22.11. */
#define ALLOW_EXPERIMENTAL_API

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmdline_socket.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_version.h>

#include "cli_priv.h"

#define CLI_MAX_SESSIONS 16
#define CLI_LINE_MAX 4096
#define CLI_PROMPT "op25b> "
#define CLI_BATCH_MARK 0x1e
/* A socket session whose client reads none of its output for this long
 * ends: it would hold a session and its reply's memory for ever. */
#define CLI_STUCK_S 10
#define CLI_STUCK_MS (CLI_STUCK_S * 1000)
/* With every session taken, a new connection takes the place of the one
 * idle longest, if it has sent nothing for this long and waits for
 * nothing: sixteen forgotten prompts do not lock the operators out. */
#define CLI_IDLE_YIELD_MS 60000
/* The most a session's input is read at once. */
#define CLI_READ_MAX 4096
/* The most keys given to cmdline before its pipe is emptied: a '?'
 * lists up to every command's help (4 KB now), and the pipe is made to
 * hold 256 KB (64 KB at least). */
#define CLI_KEYS_STEP 8
#define CLI_ECHO_PIPE (256 * 1024)
/* A session's output buffer kept for the next reply up to this size;
 * a larger one (a long list) is freed once sent. */
#define CLI_OUT_KEEP 65536
/* What one session may take of a turn of the control loop: one command,
 * and keys for this long (a '?' writes its 4 KB of help a byte at a
 * time: a pasted run of them held the loop 24 s). The input left runs
 * in the next turns, which come at once (op25b_cli_poll()). */
#define CLI_TURN_US 2000

enum session_kind {
	SESSION_FREE = 0,
	SESSION_NEW,	     /* prompt shown, no byte received yet */
	SESSION_INTERACTIVE, /* socket, prompt and line editing */
	SESSION_BATCH,	     /* socket, a status after each command */
	SESSION_TERMINAL,    /* -i */
	SESSION_FILE,	     /* --cmdline-file */
};

struct session {
	enum session_kind kind;
	int fd;
	/* A socket session's pipe from cmdline (-1: none), which writes
	 * its echo, prompts and completions there one character at a
	 * time: they join @out in order with the replies. */
	int echo_fd;
	struct cmdline *cl;
	uint32_t uid;
	uint64_t last_input; /* monotonic ms: accepted, or input last read */
	bool failed;	     /* the command being run failed */
	bool closing;	     /* quit: end the session after this command */
	bool stuck; /* a socket whose client stopped reading: shut down */
	/* The start-up file's session: why its command failed (the first
	 * cli_fail()), said on stderr with FILE:LINE, not to stdout. */
	char why[1024];
	char line[CLI_LINE_MAX];
	size_t len;
	bool too_long;
	bool has_nul; /* batch: the line has a NUL byte */
	/* The line editor's line reached its end: keys were (or may have
	 * been) dropped, and Enter refuses the line (feed_input()). */
	bool edit_full;
	/* The reply of the command being run: the commands print into it
	 * and it goes out in one write when the command ends (one system
	 * call per reply, not per printf or character). */
	FILE *reply;
	char *reply_text;
	size_t reply_len;
	/* A socket session's output its client has not read yet,
	 * out[out_sent..out_len), and when it last read some or the wait
	 * began (monotonic ms). */
	char *out;
	size_t out_len, out_sent, out_size;
	uint64_t out_since;
	/* Input read and not run yet, in[in_used..in_len): what follows a
	 * command whose output still waits for the client. */
	char in[CLI_READ_MAX];
	size_t in_len, in_used;
};

struct op25b_cli {
	struct op25b_app *app;
	cmdline_parse_ctx_t *ctx;
	unsigned int n_commands;
	int listen_fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	/* The socket file bound at path: removed at stop only while it is
	 * still that one, not another instance's bound there since. */
	dev_t path_dev;
	ino_t path_ino;
	struct session terminal;
	struct session file;
	struct session sessions[CLI_MAX_SESSIONS];
};

static struct op25b_cli cli_state = { .listen_fd = -1 };

struct op25b_app *
cli_app(void)
{
	return cli_state.app;
}

static struct session *
session_of(struct cmdline *cl)
{
	unsigned int i;

	if (cli_state.terminal.cl == cl)
		return &cli_state.terminal;
	if (cli_state.file.cl == cl)
		return &cli_state.file;
	for (i = 0; i < CLI_MAX_SESSIONS; i++)
		if (cli_state.sessions[i].cl == cl)
			return &cli_state.sessions[i];
	return NULL;
}

/* Whether @p s is a socket session (non-blocking, may be given up). */
static bool
is_socket(const struct session *s)
{
	return s->kind == SESSION_NEW || s->kind == SESSION_INTERACTIVE ||
	       s->kind == SESSION_BATCH;
}

/* @p s as a free slot: no descriptor, no pipe, nothing kept. */
static void
session_clear(struct session *s)
{
	memset(s, 0, sizeof(*s)); /* SESSION_FREE */
	s->fd = -1;
	s->echo_fd = -1;
}

/* A socket session whose client does not read (@why, logged), or is
 * gone (NULL: nothing to tell): shut down, its output dropped (and what
 * cmdline writes from now on), and closed by the caller that runs its
 * input or sends its output. */
static void
session_give_up(struct session *s, const char *why)
{
	if (s->stuck)
		return;
	s->stuck = true;
	s->closing = true;
	s->out_len = s->out_sent = 0;
	shutdown(s->fd, SHUT_RDWR);
	if (why != NULL)
		OP25B_LOG(WARNING, "CLI session (uid %u) closed: %s", s->uid,
			  why);
}

/* Whether @p s has output its client has not read. */
static bool
session_pending(const struct session *s)
{
	return s->out_sent < s->out_len;
}

/* Send what the socket takes of @p s's output, without waiting. */
static void
session_send(struct session *s)
{
	while (session_pending(s)) {
		ssize_t n = send(s->fd, s->out + s->out_sent,
				 s->out_len - s->out_sent, MSG_NOSIGNAL);

		if (n > 0) {
			s->out_sent += (size_t)n;
			s->out_since = op25b_monotonic_ms();
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		/* The client hung up (EPIPE): the rest is lost. */
		session_give_up(s, NULL);
		return;
	}
	s->out_len = s->out_sent = 0;
	if (s->out_size > CLI_OUT_KEEP) {
		free(s->out);
		s->out = NULL;
		s->out_size = 0;
	}
}

/* Add @p len bytes of @p text to @p s's output. */
static void
session_queue(struct session *s, const char *text, size_t len)
{
	if (s->stuck || len == 0)
		return;
	/* The client's time to read starts when output starts to wait. */
	if (!session_pending(s))
		s->out_since = op25b_monotonic_ms();
	if (len > s->out_size - s->out_len) {
		/* Doubled, and 4 KB at least. */
		size_t size = RTE_MAX(s->out_size * 2, s->out_len + len);
		char *p;

		size = RTE_MAX(size, (size_t)4096);
		p = realloc(s->out, size);
		if (p == NULL) {
			session_give_up(s, "no memory for its reply");
			return;
		}
		s->out = p;
		s->out_size = size;
	}
	memcpy(s->out + s->out_len, text, len);
	s->out_len += len;
}

/* Move what cmdline wrote for @p s (echo, prompt) to its output, after
 * what is there: called before each reply joins it and after each
 * step of input, so that the client sees them in the order written. */
static void
session_pull_echo(struct session *s)
{
	char buf[4096];
	ssize_t n;

	if (s->echo_fd < 0)
		return;
	while ((n = read(s->echo_fd, buf, sizeof(buf))) > 0)
		session_queue(s, buf, (size_t)n);
}

/*
 * Write all of @p text to @p s. A socket session's goes to its output,
 * sent as its client reads; the terminal's and the start-up file's are
 * written at once, blocking as stdout does.
 */
static void
session_write(struct session *s, const char *text, size_t len)
{
	if (is_socket(s)) {
		session_pull_echo(s);
		session_queue(s, text, len);
		session_send(s);
		return;
	}
	while (len > 0) {
		ssize_t n = write(s->fd, text, len);

		if (n > 0) {
			text += n;
			len -= (size_t)n;
		} else if (n == 0 || errno != EINTR) {
			return;
		}
	}
}

/* printf() to @p s's descriptor through session_write(). */
static void __attribute__((format(printf, 2, 3)))
session_dprintf(struct session *s, const char *fmt, ...)
{
	char text[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n > 0)
		session_write(s, text, RTE_MIN((size_t)n, sizeof(text) - 1));
}

/* The stream the command being run replies into; NULL when there is no
 * memory for it (then each piece is written as it comes). */
static FILE *
reply_of(struct session *s)
{
	if (s->reply == NULL)
		s->reply = open_memstream(&s->reply_text, &s->reply_len);
	return s->reply;
}

/* Send the reply gathered so far, in one write. */
static void
reply_flush(struct session *s)
{
	if (s->reply == NULL)
		return;
	fclose(s->reply); /* sets reply_text and reply_len */
	s->reply = NULL;
	if (s->fd >= 0)
		session_write(s, s->reply_text, s->reply_len);
	free(s->reply_text);
	s->reply_text = NULL;
	s->reply_len = 0;
}

static void
session_vprintf(struct session *s, const char *fmt, va_list ap)
{
	FILE *out;

	if (s->fd < 0)
		return;
	out = reply_of(s);
	if (out != NULL) {
		vfprintf(out, fmt, ap);
	} else {
		/* No memory for a reply: the piece as it comes. */
		char text[1024];
		int n = vsnprintf(text, sizeof(text), fmt, ap);

		if (n > 0)
			session_write(s, text,
				      RTE_MIN((size_t)n, sizeof(text) - 1));
	}
}

void
cli_printf(struct cmdline *cl, const char *fmt, ...)
{
	struct session *s = session_of(cl);
	va_list ap;

	if (s == NULL)
		return;
	va_start(ap, fmt);
	session_vprintf(s, fmt, ap);
	va_end(ap);
}

void
cli_reply(struct cmdline *cl, int ret, const char *msg)
{
	if (ret != 0)
		cli_fail(cl, "%s", msg);
	else
		cli_printf(cl, "%s\n", msg);
}

void
cli_fail(struct cmdline *cl, const char *fmt, ...)
{
	struct session *s = session_of(cl);
	va_list ap;

	if (s == NULL)
		return;
	if (s->kind == SESSION_FILE) {
		if (!s->failed) {
			va_start(ap, fmt);
			vsnprintf(s->why, sizeof(s->why), fmt, ap);
			va_end(ap);
		}
		s->failed = true;
		return;
	}
	s->failed = true;
	va_start(ap, fmt);
	session_vprintf(s, fmt, ap);
	va_end(ap);
	cli_printf(cl, "\n");
}

void
cli_write(struct cmdline *cl, const char *text, size_t len)
{
	struct session *s = session_of(cl);
	FILE *out;

	if (s == NULL || s->fd < 0)
		return;
	out = reply_of(s);
	if (out != NULL)
		fwrite(text, 1, len, out);
	else
		session_write(s, text, len);
}

FILE *
cli_out(struct cmdline *cl)
{
	struct session *s = session_of(cl);

	if (s == NULL || s->fd < 0)
		return NULL;
	return reply_of(s);
}

uint32_t
cli_uid(struct cmdline *cl)
{
	struct session *s = session_of(cl);

	return s != NULL ? s->uid : (uint32_t)getuid();
}

bool
cli_is_socket(struct cmdline *cl)
{
	struct session *s = session_of(cl);

	return s != NULL &&
	       (s->kind == SESSION_NEW || s->kind == SESSION_INTERACTIVE ||
		s->kind == SESSION_BATCH);
}

int
cli_check_path(struct cmdline *cl, const char *what, const char *path)
{
	if (path[0] != '/' && cli_is_socket(cl)) {
		cli_fail(cl,
			 "%s %s: a relative path, and op25b does not run in "
			 "your directory: give an absolute path (op25b-cli "
			 "COMMAND from a shell makes one absolute; its "
			 "prompt does not)",
			 what, path);
		return -1;
	}
	return 0;
}

void
cli_json_string(struct cmdline *cl, const char *s)
{
	FILE *out = cli_out(cl);

	if (out != NULL)
		op25b_json_escape(out, s);
}

bool
cli_is_json(const char *word)
{
	return strcmp(word, "json") == 0;
}

struct op25b_stats_snapshot *
cli_snapshot(struct cmdline *cl)
{
	int err;
	struct op25b_stats_snapshot *snap =
		op25b_app_snapshot(cli_app(), 1000, &err);

	if (snap == NULL)
		cli_fail(cl, "reading the counters failed: %s", strerror(-err));
	return snap;
}

/* ------------------------------------------------------------------ */
/* Commands of no particular area: help, show version, quit            */

static void
cmd_help_parsed(void *parsed, struct cmdline *cl, void *data)
{
	cmdline_parse_ctx_t *ctx = cli_state.ctx;
	unsigned int i;

	cli_printf(cl, "op25b commands (TAB completes, ? lists the choices "
		       "at a point):\n");
	for (i = 0; ctx[i] != NULL; i++)
		cli_printf(cl, "  %s\n", ctx[i]->help_str);
}

cmdline_parse_token_string_t cli_show_w0 =
	TOKEN_STRING_INITIALIZER(struct cli_words, w0, "show");
cmdline_parse_token_string_t cli_json_w2 =
	TOKEN_STRING_INITIALIZER(struct cli_words, w2, "json");

CLI_WORD(cmd_help_w0, struct cli_words, w0, "help");
CLI_INST(cmd_help, cmd_help_parsed, 0, "help: this list", (void *)&cmd_help_w0);

static void
cmd_version_parsed(void *parsed, struct cmdline *cl, void *data)
{
	cli_printf(cl, "op25b %s, %s\n", OP25B_VERSION, rte_version());
}

CLI_WORD(cmd_version_w1, struct cli_words, w1, "version");
CLI_INST(cmd_version, cmd_version_parsed, 0,
	 "show version: op25b's and DPDK's versions", (void *)&cli_show_w0,
	 (void *)&cmd_version_w1);

static void
cmd_quit_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct session *s = session_of(cl);

	if (s == NULL)
		return;
	s->closing = true;
	if (s->kind == SESSION_TERMINAL || s->kind == SESSION_FILE) {
		op25b_audit(cli_app(), "quit uid=%u", s->uid);
		op25b_control_request_stop();
	}
}

CLI_WORD(cmd_quit_w0, struct cli_words, w0, "quit");
CLI_INST(cmd_quit, cmd_quit_parsed, 0,
	 "quit: end this session (on the -i terminal: stop op25b)",
	 (void *)&cmd_quit_w0);

static cmdline_parse_inst_t *general_commands[] = {
	&cmd_help,
	&cmd_version,
	&cmd_quit,
	NULL,
};

/* ------------------------------------------------------------------ */
/* Running commands                                                    */

/* Every command runs through here: its reply is sent whole when it
 * returns, before cmdline shows the next prompt. @p data is the command
 * as its area defined it. */
static void
run_command(void *parsed, struct cmdline *cl, void *data)
{
	const cmdline_parse_inst_t *inst = data;
	struct session *s = session_of(cl);

	inst->f(parsed, cl, inst->data);
	if (s != NULL)
		reply_flush(s);
}

/* A copy of @p inst that runs through run_command(). */
static cmdline_parse_inst_t *
wrap_command(cmdline_parse_inst_t *inst)
{
	cmdline_parse_inst_t *w;
	unsigned int n = 0;

	while (inst->tokens[n] != NULL)
		n++;
	w = malloc(sizeof(*w) + (n + 1) * sizeof(w->tokens[0]));
	if (w == NULL)
		return NULL;
	w->f = run_command;
	w->data = inst;
	w->help_str = inst->help_str;
	memcpy(w->tokens, inst->tokens, (n + 1) * sizeof(w->tokens[0]));
	return w;
}

static void
free_context(struct op25b_cli *cli)
{
	unsigned int i;

	if (cli->ctx == NULL)
		return;
	for (i = 0; i < cli->n_commands; i++)
		free(cli->ctx[i]);
	free(cli->ctx);
	cli->ctx = NULL;
	cli->n_commands = 0;
}

static int
build_context(struct op25b_cli *cli)
{
	cmdline_parse_inst_t **lists[] = {
		op25b_cli_show_commands,    op25b_cli_policy_commands,
		op25b_cli_exempt_commands,  op25b_cli_adaptive_commands,
		op25b_cli_records_commands, /* cli_records.c */
		general_commands,
	};
	unsigned int i, j, n = 0;

	for (i = 0; i < RTE_DIM(lists); i++)
		for (j = 0; lists[i][j] != NULL; j++)
			n++;
	cli->ctx = calloc(n + 1, sizeof(*cli->ctx));
	if (cli->ctx == NULL)
		return -ENOMEM;
	cli->n_commands = 0;
	for (i = 0; i < RTE_DIM(lists); i++)
		for (j = 0; lists[i][j] != NULL; j++) {
			cli->ctx[cli->n_commands] = wrap_command(lists[i][j]);
			if (cli->ctx[cli->n_commands] == NULL) {
				free_context(cli);
				return -ENOMEM;
			}
			cli->n_commands++;
		}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Lines that run no command                                           */

/* How many tokens of @p inst match the start of @p line; *@p at: where
 * the first token that does not match starts (or the rest of the line
 * after a command fully matched). Parsed as cmdline parses, without
 * results. */
static unsigned int
match_depth(const cmdline_parse_inst_t *inst, const char *line, const char **at)
{
	const char *p = line;
	unsigned int i;

	for (i = 0; inst->tokens[i] != NULL; i++) {
		cmdline_parse_token_hdr_t *tk = inst->tokens[i];
		int n;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '\n' || *p == '\r' || *p == '#')
			break;
		n = tk->ops->parse(tk, p, NULL, 0);
		if (n < 0)
			break;
		p += n;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	*at = p;
	return i;
}

/* Add the fixed words @p tk takes to @p list ("a|b|c"); false when it
 * takes any word (an address, a name, a file). */
static bool
add_choices(cmdline_parse_token_hdr_t *tk, char *list, size_t size)
{
	const struct cmdline_token_string *ts = (const void *)tk;
	const char *w, *end;

	if (tk->ops != &cmdline_token_string_ops || ts->string_data.str == NULL)
		return false;
	for (w = ts->string_data.str; *w != '\0'; w = *end ? end + 1 : end) {
		size_t n, used = strlen(list);
		const char *hit;

		end = strchr(w, '#');
		if (end == NULL)
			end = w + strlen(w);
		n = (size_t)(end - w);
		/* Each word once, though several commands offer it. */
		for (hit = strstr(list, w); hit != NULL;
		     hit = strstr(hit + 1, w))
			if ((hit == list || hit[-1] == '|') &&
			    (hit[n] == '|' || hit[n] == '\0'))
				break;
		if (hit == NULL && used + n + 2 < size)
			snprintf(list + used, size - used, "%s%.*s",
				 used ? "|" : "", (int)n, w);
	}
	return true;
}

/*
 * Why @p buf (one line) ran no command, in one line that names the word
 * that is wrong and what would do there, from the command table itself:
 * "set mode dryrun: mode is enforce|monitor|file". @p err is cmdline's
 * CMDLINE_PARSE_ code.
 */
static void
report_parse_failure(struct cmdline *cl, const char *buf, int err)
{
	cmdline_parse_ctx_t *ctx = cli_state.ctx;
	const cmdline_parse_inst_t *first = NULL;
	unsigned int i, depth, best = 0;
	char line[CLI_LINE_MAX], choices[512] = "", prev[CLI_WORD_MAX] = "";
	const char *at, *stop = NULL, *w, *word;
	bool extra = false, any = false;
	size_t len;

	for (len = 0; buf[len] != '\0' && buf[len] != '\n' &&
		      buf[len] != '\r' && len + 1 < sizeof(line);
	     len++)
		line[len] = buf[len];
	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	line[len] = '\0';
	w = line;
	while (*w == ' ' || *w == '\t')
		w++;
	if (err == CMDLINE_PARSE_AMBIGUOUS) {
		cli_fail(cl, "ambiguous command: %s", w);
		return;
	}
	for (i = 0; ctx[i] != NULL; i++) {
		depth = match_depth(ctx[i], buf, &at);
		if (depth > best) {
			best = depth;
			first = NULL;
			choices[0] = '\0';
			extra = any = false;
		}
		if (depth == 0 || depth < best)
			continue;
		if (first == NULL) {
			first = ctx[i];
			stop = at;
		}
		if (ctx[i]->tokens[depth] == NULL)
			extra = true;
		else if (!add_choices(ctx[i]->tokens[depth], choices,
				      sizeof(choices)))
			any = true;
	}
	if (first == NULL) {
		cli_fail(cl, "unknown command: %s (try help)", w);
		return;
	}
	/* The last word that matched names the argument that follows. */
	for (at = stop; at > buf && (at[-1] == ' ' || at[-1] == '\t'); at--)
		;
	for (word = at; word > buf && word[-1] != ' ' && word[-1] != '\t';
	     word--)
		;
	snprintf(prev, sizeof(prev), "%.*s", (int)(at - word), word);
	if (choices[0] != '\0' && !any && !extra)
		cli_fail(cl, "%s: %s is %s", w, prev, choices);
	else if (choices[0] != '\0' && !any)
		cli_fail(cl, "%s: unexpected '%.*s': %s takes %s or nothing", w,
			 (int)strcspn(stop, " \t\r\n"), stop, prev, choices);
	else if (*stop != '\0' && *stop != '\n' && *stop != '\r' && !any &&
		 extra)
		cli_fail(cl, "%s: unexpected '%.*s' (%.*s)", w,
			 (int)strcspn(stop, " \t\r\n"), stop,
			 (int)strcspn(first->help_str, ":"), first->help_str);
	else
		cli_fail(cl, "%s: %s (%.*s; try help)", w,
			 *stop == '\0' || *stop == '\n' || *stop == '\r'
				 ? "incomplete"
				 : "bad arguments",
			 (int)strcspn(first->help_str, ":"), first->help_str);
}

/* ------------------------------------------------------------------ */
/* Names of the running policy, offered by TAB                          */

static const char *
policy_name(const struct cli_name_token *t, unsigned int i)
{
	const struct op25b_policy *p =
		cli_state.app != NULL ? cli_state.app->policy : NULL;

	if (p == NULL)
		return NULL;
	if (t->kind == CLI_NAME_CLASS)
		return i < p->n_classes ? p->classes[i].name : NULL;
	return i < p->n_groups ? p->groups[i].name : NULL;
}

static int
name_count(cmdline_parse_token_hdr_t *tk)
{
	const struct cli_name_token *t = (const void *)tk;
	unsigned int n = 0;

	while (policy_name(t, n) != NULL)
		n++;
	return (int)n;
}

static int
name_element(cmdline_parse_token_hdr_t *tk, int idx, char *dst,
	     unsigned int size)
{
	const char *name = policy_name((const void *)tk, (unsigned int)idx);

	if (name == NULL || (size_t)snprintf(dst, size, "%s", name) >= size)
		return -1;
	return 0;
}

static int
name_help(cmdline_parse_token_hdr_t *tk, char *dst, unsigned int size)
{
	const struct cli_name_token *t = (const void *)tk;

	snprintf(dst, size, "%s",
		 t->kind == CLI_NAME_CLASS ? "CLASS" : "GROUP");
	return 0;
}

/* Any word parses (the command says when there is no such name, and a
 * name the policy dropped still has counters); TAB offers the running
 * policy's names. */
struct cmdline_token_ops cli_name_token_ops = {
	.parse = cmdline_parse_string,
	.complete_get_nb = name_count,
	.complete_get_elt = name_element,
	.get_help = name_help,
};

/* A word of a struct cli_word_token: none of its except words. */
static int
parse_word_except(cmdline_parse_token_hdr_t *tk, const char *buf, void *res,
		  unsigned int size)
{
	const struct cli_word_token *t = (const void *)tk;
	size_t n = strcspn(buf, " \t\r\n#");
	unsigned int i;

	for (i = 0; t->except[i] != NULL; i++)
		if (strlen(t->except[i]) == n &&
		    strncmp(buf, t->except[i], n) == 0)
			return -1;
	return cmdline_parse_string(tk, buf, res, size);
}

struct cmdline_token_ops cli_word_token_ops = {
	.parse = parse_word_except,
	.complete_get_nb = cmdline_complete_get_nb_string,
	.complete_get_elt = cmdline_complete_get_elt_string,
	.get_help = cmdline_get_help_string,
};

/* Run one line outside line editing (batch sessions, the start-up file).
 * Returns 0, 1 for a blank line or comment, -1 when the command failed. */
static int
run_line(struct session *s, const char *line)
{
	char buf[CLI_LINE_MAX + 2];
	const char *p = line;
	int ret;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '#')
		return 1;
	snprintf(buf, sizeof(buf), "%s\n", p);
	s->failed = false;
	s->why[0] = '\0';
	/* The length parsed on success, a CMDLINE_PARSE_ code (< 0) when
	 * nothing ran. */
	ret = cmdline_parse(s->cl, buf);
	if (ret < 0)
		report_parse_failure(s->cl, buf, ret);
	reply_flush(s);
	return s->failed ? -1 : 0;
}

static void
session_close(struct session *s)
{
	reply_flush(s);
	if (s->cl != NULL)
		cmdline_free(s->cl); /* closes the socket and pipe end too */
	else if (s->fd >= 0)
		close(s->fd);
	if (s->echo_fd >= 0)
		close(s->echo_fd);
	free(s->out);
	session_clear(s);
}

/* Batch input: up to one complete line, run and answered with its
 * status. Returns the bytes of @p buf used. */
static size_t
batch_input(struct session *s, const char *buf, size_t n)
{
	size_t i;
	int ret;

	for (i = 0; i < n; i++) {
		char c = buf[i];

		if (c == '\n')
			break;
		if (c == '\r')
			continue;
		if (c == '\0')
			s->has_nul = true;
		if (s->len + 1 < sizeof(s->line))
			s->line[s->len++] = c;
		else
			s->too_long = true;
	}
	if (i == n)
		return n;
	s->line[s->len] = '\0';
	if (s->too_long) {
		s->failed = true;
		session_dprintf(s, "command longer than %d bytes: refused\n",
				CLI_LINE_MAX - 1);
		ret = -1;
	} else if (s->has_nul) {
		/* Run, it would be the C string before the NUL: "exempt add
		 * X \0ttl 1h" granted X for ever. */
		s->failed = true;
		session_dprintf(s, "a NUL byte in the command: refused\n");
		ret = -1;
	} else {
		ret = run_line(s, s->line);
	}
	session_dprintf(s, "%c%d\n", CLI_BATCH_MARK, ret < 0 ? 1 : 0);
	s->len = 0;
	s->too_long = false;
	s->has_nul = false;
	return i + 1;
}

/*
 * Feed typed input to @p s's line editor, for the terminal and interactive
 * socket sessions: up to the first Enter or Ctrl-U, so that a socket
 * session's next command waits for the output of the one before. Two
 * keys are op25b's own: Ctrl-U clears the line (rdline has no binding for
 * it: Ctrl-A then Ctrl-K, so that Ctrl-Y brings it back), and Enter on a
 * line that runs no command says which word is wrong
 * (report_parse_failure()) instead of rdline's bare "Bad arguments".
 * Sets @p used to the bytes of @p buf used; returns cmdline_in()'s value:
 * < 0 when the session ends.
 */
/* The longest line rdline edits: DPDK 22.11's RDLINE_BUF_SIZE (512, in
 * a private header) less the room for "\n" and NUL. A key typed beyond it
 * is dropped without a word, and Enter ran the rest: a 518-byte
 * "exempt add ... reason <478 bytes> ttl 1h" ran without its ttl, a
 * permanent exemption. A line that reaches the end is refused whole,
 * as batch mode refuses one over CLI_LINE_MAX. */
#define CLI_EDIT_MAX 510

static size_t
edit_length(struct rdline *rdl)
{
	const char *line = rdline_get_buffer(rdl);
	size_t len = line != NULL ? strlen(line) : 0;

	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	return len;
}

/* The TSC at which a turn that starts now ends for one session. */
static uint64_t
turn_end(void)
{
	return rte_get_tsc_cycles() + rte_get_tsc_hz() / 1000000 * CLI_TURN_US;
}

/* @until: the TSC past which the keys before the line's end wait for the
 * next turn (UINT64_MAX: none; the terminal). */
static int
feed_input(struct session *s, const char *buf, size_t n, size_t *used,
	   uint64_t until)
{
	struct rdline *rdl = cmdline_get_rdline(s->cl);
	const char *line;
	size_t i, from;
	int ret = 0;

	for (i = 0; i < n; i++)
		if (buf[i] == 0x15 || buf[i] == '\r' || buf[i] == '\n')
			break;
	*used = i < n ? i + 1 : n;
	/* A few keys at a time, the pipe emptied after each: a pasted
	 * run of '?' or TABs lists the choices again and again, more than
	 * the pipe holds, and cmdline drops what it refuses. */
	for (from = 0; from < i && ret >= 0 && !s->stuck;
	     from += CLI_KEYS_STEP) {
		ret = cmdline_in(s->cl, buf + from,
				 (int)RTE_MIN(i - from, (size_t)CLI_KEYS_STEP));
		/* At the end of the line: what is typed now is dropped.
		 * Below it again (keys deleted, the line cleared or taken
		 * from the history), the line is what the screen shows. */
		s->edit_full = edit_length(rdl) >= CLI_EDIT_MAX;
		session_pull_echo(s);
		/* Output the client has not taken stops the keys too,
		 * not only the commands: 4 KB of '?' would be 16 MB. */
		if (s->out_len - s->out_sent > CLI_OUT_KEEP) {
			session_send(s);
			if (session_pending(s) && from + CLI_KEYS_STEP < i) {
				*used = from + CLI_KEYS_STEP;
				return ret;
			}
		}
		/* So does the end of the turn. */
		if (from + CLI_KEYS_STEP < i && rte_get_tsc_cycles() > until) {
			*used = from + CLI_KEYS_STEP;
			return ret;
		}
	}
	/* A session given up runs no more of its input. */
	if (i == n || ret < 0 || s->stuck)
		return ret;
	if (buf[i] == 0x15) {
		s->edit_full = false;
		return cmdline_in(s->cl, "\x01\x0b", 2);
	}
	line = rdline_get_buffer(rdl);
	if (s->edit_full) {
		s->edit_full = false;
		session_write(s, "\r\n", 2);
		s->failed = false;
		cli_fail(s->cl,
			 "a line of %u characters or more: refused whole (the "
			 "prompt edits up to %u; op25b-cli COMMAND takes up "
			 "to %u bytes)",
			 CLI_EDIT_MAX, CLI_EDIT_MAX - 1, CLI_LINE_MAX - 2);
		reply_flush(s);
		rdline_newline(rdl, CLI_PROMPT);
		return 0;
	}
	ret = line != NULL ? cmdline_parse_check(s->cl, line) : 0;
	if (ret >= 0)
		return cmdline_in(s->cl, buf + i, 1);
	/* What rdline does on Enter, with our words for the error. */
	session_write(s, "\r\n", 2);
	s->failed = false;
	report_parse_failure(s->cl, line, ret);
	reply_flush(s);
	if (strlen(line) > 1)
		rdline_add_history(rdl, line);
	rdline_newline(rdl, CLI_PROMPT);
	return 0;
}

/*
 * Run @p s's input read so far, a command at a time, until it is all
 * run or a command's output waits for the client; then send what the
 * socket takes. Closes the session once it has ended (quit, Ctrl-D, a
 * client given up) and its output is sent.
 */
static void
session_run(struct session *s)
{
	uint64_t until = turn_end();
	bool turn_over = false;

	do {
		while (s->in_used < s->in_len && !s->closing &&
		       !session_pending(s) && !turn_over) {
			const char *p = s->in + s->in_used;
			size_t n = s->in_len - s->in_used, used;

			if (s->kind == SESSION_BATCH) {
				used = batch_input(s, p, n);
			} else if (feed_input(s, p, n, &used, until) < 0) {
				s->closing = true; /* Ctrl-D */
			}
			s->in_used += used;
			/* One line a turn (a command, or Enter on a
			 * refused one), and keys until the turn's end: the
			 * rest runs in the next turns, between the control
			 * loop's other work and the other sessions'. */
			turn_over = (used > 0 && (p[used - 1] == '\n' ||
						  p[used - 1] == '\r')) ||
				    rte_get_tsc_cycles() > until;
		}
		session_pull_echo(s);
		session_send(s);
		/* The client may have read the whole reply meanwhile: then
		 * nothing waits for POLLOUT and no POLLIN comes for the
		 * input left, which runs now (or, its turn over, in the
		 * next: session_has_input()). */
	} while (s->in_used < s->in_len && !s->closing && !s->stuck &&
		 !session_pending(s) && !turn_over);
	if (s->stuck || (s->closing && !session_pending(s)))
		session_close(s);
}

/* Whether @p s has input read and not yet run, which runs in the next
 * turn without waiting for more (its buffer is not read into meanwhile). */
static bool
session_has_input(const struct session *s)
{
	return s->kind != SESSION_FREE && s->in_used < s->in_len &&
	       !s->closing && !s->stuck && !session_pending(s);
}

/* Input on a socket session with no output waiting. */
static void
session_input(struct session *s)
{
	ssize_t n;

	n = read(s->fd, s->in, sizeof(s->in));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		session_close(s);
		return;
	}
	s->in_len = (size_t)n;
	s->in_used = 0;
	s->last_input = op25b_monotonic_ms();
	if (s->kind == SESSION_NEW) {
		s->kind = SESSION_INTERACTIVE;
		if (s->in[0] == CLI_BATCH_MARK) {
			/* The same cmdline, driven line by line: the prompt
			 * would only be noise between answers. */
			cmdline_set_prompt(s->cl, "");
			s->kind = SESSION_BATCH;
			s->in_used = 1;
		}
	}
	session_run(s);
}

/* A socket session whose output waits: the socket takes more (or is
 * gone). Once it is all sent, the input left runs. */
static void
session_output(struct session *s)
{
	session_send(s);
	if (s->stuck)
		session_close(s);
	else if (!session_pending(s))
		session_run(s);
}

/* Whether @p s's client has sent bytes op25b has not read yet: a command
 * typed in the poll round in which the new connection came (the listening
 * socket is polled first), so the session is not idle. */
static bool
input_waits(const struct session *s)
{
	char c;

	return recv(s->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

static uint64_t
idle_yield_ms(void)
{
#ifdef OP25B_TEST_HOOKS
	/* The tests' stand-in for a minute (not in the package). */
	const char *ms = getenv("OP25B_TEST_CLI_IDLE_YIELD_MS");

	if (ms != NULL)
		return strtoull(ms, NULL, 10);
#endif
	return CLI_IDLE_YIELD_MS;
}

/*
 * Every session taken: close the one idle longest, if it has sent nothing
 * for idle_yield_ms() and has no reply or input waiting, telling its
 * client why. Returns its index, now free, or CLI_MAX_SESSIONS.
 */
static unsigned int
yield_idle_session(struct op25b_cli *cli)
{
	uint64_t now = op25b_monotonic_ms(), idle = idle_yield_ms();
	unsigned int i, oldest = CLI_MAX_SESSIONS;
	struct session *s;

	for (i = 0; i < CLI_MAX_SESSIONS; i++) {
		s = &cli->sessions[i];
		if (s->kind == SESSION_FREE || s->closing || s->stuck ||
		    session_pending(s) || s->in_used < s->in_len ||
		    now - s->last_input < idle || input_waits(s))
			continue;
		if (oldest == CLI_MAX_SESSIONS ||
		    s->last_input < cli->sessions[oldest].last_input)
			oldest = i;
	}
	if (oldest == CLI_MAX_SESSIONS)
		return oldest;
	s = &cli->sessions[oldest];
	OP25B_LOG(WARNING,
		  "CLI session (uid %u) closed: idle %" PRIu64
		  " s, its place taken by a new one (%d sessions at most)",
		  s->uid, (now - s->last_input) / 1000, CLI_MAX_SESSIONS);
	/* Best effort: the socket is non-blocking and nothing waits in it. */
	dprintf(s->fd,
		"\nop25b: session closed: idle %" PRIu64
		" s, and a new session needed its place\n",
		(now - s->last_input) / 1000);
	session_close(s);
	return oldest;
}

static void
accept_session(struct op25b_cli *cli)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct session *s;
	unsigned int i;
	int fd, echo[2];

	/* Non-blocking: the control loop sends a reply as the client
	 * reads it. */
	fd = accept4(cli->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	/* The socket file is 0600 already; the peer's credentials are the
	 * check that does not depend on the file's mode. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
	    (cred.uid != 0 && cred.uid != geteuid())) {
		dprintf(fd, "op25b: permission denied: root only\n");
		close(fd);
		return;
	}
	for (i = 0; i < CLI_MAX_SESSIONS; i++)
		if (cli->sessions[i].kind == SESSION_FREE)
			break;
	if (i == CLI_MAX_SESSIONS)
		i = yield_idle_session(cli);
	if (i == CLI_MAX_SESSIONS) {
		dprintf(fd,
			"op25b: %d CLI sessions already, none idle for "
			"%" PRIu64 " s: try later\n",
			CLI_MAX_SESSIONS, idle_yield_ms() / 1000);
		close(fd);
		return;
	}
	/* cmdline writes a character at a time, and drops what a full
	 * pipe refuses rather than wait: the pipe is emptied after every
	 * CLI_KEYS_STEP keys, which echo far less than it holds. */
	if (pipe2(echo, O_NONBLOCK | O_CLOEXEC) != 0) {
		dprintf(fd, "op25b: no session: %s\n", strerror(errno));
		close(fd);
		return;
	}
	fcntl(echo[1], F_SETPIPE_SZ, CLI_ECHO_PIPE); /* else 64 KB */
	s = &cli->sessions[i];
	/* cmdline_new() shows the prompt. */
	s->cl = cmdline_new(cli->ctx, CLI_PROMPT, fd, echo[1]);
	if (s->cl == NULL) {
		dprintf(fd, "op25b: out of memory for a session\n");
		close(fd);
		close(echo[0]);
		close(echo[1]);
		return;
	}
	s->kind = SESSION_NEW;
	s->fd = fd;
	s->echo_fd = echo[0];
	s->uid = cred.uid;
	s->last_input = op25b_monotonic_ms();
	session_pull_echo(s);
	session_send(s);
	if (s->stuck)
		session_close(s);
}

static void
terminal_input(struct op25b_cli *cli)
{
	struct session *s = &cli->terminal;
	char buf[256];
	size_t used, done = 0;
	ssize_t n;
	int ret = 0;

	n = read(STDIN_FILENO, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	while (n > 0 && (size_t)n > done && ret >= 0 && !s->closing) {
		ret = feed_input(s, buf + done, (size_t)n - done, &used,
				 UINT64_MAX);
		done += used;
	}
	/* Ctrl-D, the end of a piped stdin and quit all stop the appliance,
	 * as in testpmd. */
	if (n <= 0 || ret < 0 || s->closing) {
		if (!s->closing)
			op25b_control_request_stop();
		cmdline_stdin_exit(s->cl);
		session_clear(s);
	}
}

/* Socket sessions whose client has read nothing for CLI_STUCK_MS end. */
static void
give_up_stuck(struct op25b_cli *cli)
{
	uint64_t now = op25b_monotonic_ms();
	unsigned int i;

	for (i = 0; i < CLI_MAX_SESSIONS; i++) {
		struct session *s = &cli->sessions[i];

		if (s->kind == SESSION_FREE || !session_pending(s) ||
		    now - s->out_since < CLI_STUCK_MS)
			continue;
		session_give_up(
			s, "the client did not read its replies for " RTE_STR(
				   CLI_STUCK_S) " s");
		session_close(s);
	}
}

void
op25b_cli_poll(struct op25b_app *app, int timeout_ms)
{
	struct op25b_cli *cli = app->cli;
	struct pollfd fds[CLI_MAX_SESSIONS + 2];
	struct session *owner[CLI_MAX_SESSIONS + 2];
	bool left[CLI_MAX_SESSIONS] = { false };
	unsigned int i, n = 0;

	if (cli == NULL) {
		poll(NULL, 0, timeout_ms);
		return;
	}
	if (cli->listen_fd >= 0) {
		fds[n] = (struct pollfd){ .fd = cli->listen_fd,
					  .events = POLLIN };
		owner[n++] = NULL;
	}
	if (cli->terminal.kind == SESSION_TERMINAL) {
		fds[n] =
			(struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
		owner[n++] = &cli->terminal;
	}
	/* A session with output waiting is read no further until its
	 * client has taken it; one with input left to run is not read
	 * either (its buffer holds it), and the poll does not wait. */
	for (i = 0; i < CLI_MAX_SESSIONS; i++) {
		struct session *s = &cli->sessions[i];

		if (s->kind == SESSION_FREE)
			continue;
		left[i] = session_has_input(s);
		if (left[i]) {
			timeout_ms = 0;
			continue;
		}
		fds[n] = (struct pollfd){ .fd = s->fd,
					  .events = session_pending(s)
							    ? POLLOUT
							    : POLLIN };
		owner[n++] = s;
	}
	if (poll(fds, n, timeout_ms) > 0) {
		for (i = 0; i < n; i++) {
			if (fds[i].revents == 0)
				continue;
			if (owner[i] == NULL)
				accept_session(cli);
			else if (owner[i] == &cli->terminal)
				terminal_input(cli);
			else if (owner[i]->kind == SESSION_FREE)
				continue;
			else if (fds[i].events == POLLOUT)
				session_output(owner[i]);
			else
				session_input(owner[i]);
		}
	}
	/* The input left by the last turn's budget, a turn's worth each
	 * (not polled above, so run once this turn). */
	for (i = 0; i < CLI_MAX_SESSIONS; i++)
		if (left[i] && session_has_input(&cli->sessions[i]))
			session_run(&cli->sessions[i]);
	give_up_stuck(cli);
}

/* ------------------------------------------------------------------ */
/* Start and stop                                                      */

static int
listen_socket(struct op25b_cli *cli, const struct op25b_config *cfg)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old_mask;
	int fd, err;

	if (cfg->cli_socket != NULL) {
		if (strlen(cfg->cli_socket) >= sizeof(cli->path)) {
			fprintf(stderr,
				"op25b: --cli-socket %s: longer than "
				"%zu characters\n",
				cfg->cli_socket, sizeof(cli->path) - 1);
			return -ENAMETOOLONG;
		}
		strcpy(cli->path, cfg->cli_socket);
	} else {
		if (mkdir("/run/op25b", 0755) != 0 && errno != EEXIST) {
			err = -errno;
			fprintf(stderr,
				"op25b: /run/op25b: %s (give "
				"--cli-socket PATH)\n",
				strerror(errno));
			return err;
		}
		snprintf(cli->path, sizeof(cli->path), "/run/op25b/%s.sock",
			 cfg->instance);
	}
	strcpy(addr.sun_path, cli->path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* A live owner answers; a stale file from a killed op25b does not
	 * (the shared-memory name already proved no op25b of this name
	 * runs, but --cli-socket may point anywhere). */
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0) {
		fprintf(stderr, "op25b: %s: another process serves it\n",
			cli->path);
		close(fd);
		return -EADDRINUSE;
	}
	close(fd);
	/* Only a socket is ours to replace: a typo of --cli-socket naming
	 * a policy or any other file must not delete it. */
	if (lstat(cli->path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			fprintf(stderr,
				"op25b: --cli-socket %s: not a socket (a file "
				"is there): give another path\n",
				cli->path);
			return -EEXIST;
		}
		unlink(cli->path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* Created 0600 from the start: no moment at which others may
	 * connect. */
	old_mask = umask(0177);
	err = bind(fd, (struct sockaddr *)&addr, sizeof(addr));
	umask(old_mask);
	if (err != 0 || listen(fd, CLI_MAX_SESSIONS) != 0) {
		err = -errno;
		fprintf(stderr, "op25b: CLI socket %s: %s\n", cli->path,
			strerror(errno));
		close(fd);
		return err;
	}
	if (lstat(cli->path, &st) == 0) {
		cli->path_dev = st.st_dev;
		cli->path_ino = st.st_ino;
	}
	cli->listen_fd = fd;
	return 0;
}

int
op25b_cli_start(struct op25b_app *app)
{
	struct op25b_cli *cli = &cli_state;
	unsigned int i;
	int err;

	cli->app = app;
	cli->listen_fd = -1;
	session_clear(&cli->terminal);
	session_clear(&cli->file);
	for (i = 0; i < CLI_MAX_SESSIONS; i++)
		session_clear(&cli->sessions[i]);
	err = build_context(cli);
	if (err != 0)
		return err;
	if (app->config.cli_socket != NULL &&
	    strcmp(app->config.cli_socket, "none") == 0) {
		app->cli = cli; /* -i and --cmdline-file only */
		return 0;
	}
	err = listen_socket(cli, &app->config);
	if (err != 0) {
		free_context(cli);
		return err;
	}
	app->cli = cli;
	app->config.cli_socket = cli->path;
	return 0;
}

/* The prompt comes up once the appliance has said it is up. */
int
op25b_cli_start_terminal(struct op25b_app *app)
{
	struct op25b_cli *cli = app->cli;

	if (!app->config.interactive)
		return 0;
	fflush(stdout);
	cli->terminal.cl = cmdline_stdin_new(cli->ctx, CLI_PROMPT);
	if (cli->terminal.cl == NULL)
		return -ENOMEM;
	cli->terminal.kind = SESSION_TERMINAL;
	cli->terminal.fd = STDOUT_FILENO;
	cli->terminal.uid = (uint32_t)getuid();
	return 0;
}

int
op25b_cli_execute(struct op25b_app *app, const char *line, int out_fd)
{
	struct session *s = &app->cli->file;
	int ret;

	if (s->cl == NULL) {
		s->kind = SESSION_FILE;
		s->uid = (uint32_t)getuid();
		s->cl = cmdline_new(app->cli->ctx, "", -1, out_fd);
		if (s->cl == NULL)
			return -1;
	}
	s->fd = out_fd;
	s->closing = false;
	ret = run_line(s, line);
	return ret;
}

/* The start-up file's session ends with the file. */
static void
file_session_close(struct op25b_cli *cli)
{
	struct session *s = &cli->file;

	reply_flush(s);
	if (s->cl != NULL)
		cmdline_free(s->cl); /* its descriptors are -1 and ours */
	session_clear(s);
}

/*
 * One line of @f into @line (@size bytes; its newline dropped), a byte at
 * a time, so that a read a signal interrupts loses nothing: EINTR (a
 * FIFO's slow writer, and logrotate's SIGUSR1 or a SIGHUP, whose handlers
 * interrupt reads) reads on where it was, where fgets() would drop what it
 * had read of the line (then `#set mode mon` EINTR `itor` ran as two
 * lines, and a line commented out could run as its tail); with a SIGTERM
 * or SIGINT pending it is the end. Returns 1 (a line: the last may lack
 * its newline), 0 (the end), -1 (an error, errno set), -2 (a line of
 * @size - 1 bytes or more) or -3 (a line with a NUL byte).
 */
static int
file_line(FILE *f, char *line, size_t size)
{
	size_t len = 0;
	bool nul = false;
	int c;

	for (;;) {
		errno = 0;
		c = getc(f);
		if (c == EOF) {
			/* A SIGTERM or SIGINT ends the file here: the
			 * start-up stops (main()). */
			if (ferror(f) && errno == EINTR &&
			    op25b_control_stop_signal() == 0) {
				clearerr(f);
				continue;
			}
			if (ferror(f) && errno == EINTR)
				return 0;
			if (ferror(f)) {
				if (errno == 0)
					errno = EIO;
				return -1;
			}
			if (len == 0)
				return 0;
			break;
		}
		if (c == '\n')
			break;
		if (len + 2 >= size)
			return -2;
		/* Kept, the line would run as the C string before it: a
		 * NUL before "ttl 1h" granted a permanent exemption. */
		if (c == '\0')
			nul = true;
		line[len++] = (char)c;
	}
	line[len] = '\0';
	return nul ? -3 : 1;
}

int
op25b_cli_run_file(struct op25b_app *app, const char *path)
{
	struct op25b_cli *cli = app->cli;
	struct session *s = &cli->file;
	char line[CLI_LINE_MAX];
	unsigned int lineno = 0;
	int ret = 0;
	FILE *f;

	if (path == NULL)
		return 0;
	/* A FIFO's open waits for its writer: a SIGTERM or SIGINT meanwhile
	 * is the start-up's stop (main() acts on it), not a failure; one
	 * that came before (the EAL's init, the compile) is acted on now. */
	if (op25b_control_stop_signal() != 0)
		return 0;
	while ((f = fopen(path, "r")) == NULL && errno == EINTR &&
	       op25b_control_stop_signal() == 0)
		;
	if (f == NULL && errno == EINTR)
		return 0;
	if (f == NULL) {
		fprintf(stderr, "op25b: --cmdline-file %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	for (;;) {
		int r = file_line(f, line, sizeof(line));

		if (r == 0)
			break;
		/* Not the end (a directory, an I/O error): what is left
		 * would go unrun, and op25b forward. */
		if (r == -1) {
			fprintf(stderr,
				"op25b: --cmdline-file %s: %s after line %u; "
				"stopping (the start-up commands must all "
				"succeed)\n",
				path, strerror(errno), lineno);
			ret = -1;
			break;
		}
		lineno++;
		if (r == -2) {
			fprintf(stderr,
				"op25b: %s:%u: a line longer than %zu bytes; "
				"stopping (the start-up commands must all "
				"succeed)\n",
				path, lineno, sizeof(line) - 2);
			ret = -1;
			break;
		}
		if (r == -3) {
			fprintf(stderr,
				"op25b: %s:%u: a NUL byte in the line; "
				"stopping (the start-up commands must all "
				"succeed)\n",
				path, lineno);
			ret = -1;
			break;
		}
		fflush(stdout);
		r = op25b_cli_execute(app, line, STDOUT_FILENO);
		if (r == 1)
			continue;
		if (r < 0) {
			fflush(stdout);
			fprintf(stderr,
				"op25b: %s:%u: '%s' failed: %s; stopping (the "
				"start-up commands must all succeed)\n",
				path, lineno, line,
				s->why[0] != '\0' ? s->why : "no reason given");
			ret = -1;
			break;
		}
		if (s->closing) {
			ret = 1;
			break;
		}
	}
	fclose(f);
	file_session_close(cli);
	printf("op25b: %s: %u lines run\n", path, lineno);
	fflush(stdout);
	return ret;
}

void
op25b_cli_stop(struct op25b_app *app)
{
	struct op25b_cli *cli = app->cli;
	unsigned int i;

	if (cli == NULL)
		return;
	file_session_close(cli);
	if (cli->terminal.cl != NULL) {
		cmdline_stdin_exit(cli->terminal.cl);
		cli->terminal.cl = NULL;
		printf("\n");
	}
	for (i = 0; i < CLI_MAX_SESSIONS; i++)
		if (cli->sessions[i].kind != SESSION_FREE)
			session_close(&cli->sessions[i]);
	if (cli->listen_fd >= 0) {
		struct stat st;

		close(cli->listen_fd);
		/* Ours, unless someone put a file there since: another
		 * op25b's socket, bound after ours was removed, is its. */
		if (lstat(cli->path, &st) == 0 && S_ISSOCK(st.st_mode) &&
		    st.st_dev == cli->path_dev && st.st_ino == cli->path_ino)
			unlink(cli->path);
		cli->listen_fd = -1;
	}
	free_context(cli);
	app->cli = NULL;
}
