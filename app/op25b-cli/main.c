/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * op25b-cli: the operator's client for a running op25b's control socket.
 *
 *   op25b-cli [--name NAME | --cli-socket PATH] [--timeout S] [COMMAND...]
 * (--socket PATH: the same as --cli-socket, its name before op25b's)
 *
 * With COMMAND: run it once and exit 0 (done) or 1 (the command failed).
 * Without, on a terminal: the op25b> prompt of the appliance itself
 * (completion, history and help come from op25b's librte_cmdline); on a
 * pipe: one command a line, exit 1 if any failed. 2: usage or connection
 * error. The wire protocol is in app/op25b/cli.c and doc/cli.md.
 * A relative FILE of `exempt export|import` and `policy check|reload` is
 * made absolute from our working directory before it is sent
 * (absolute_file()).
 *
 * No DPDK here: the client runs anywhere the socket is reachable.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "op25b_options.h"

#define BATCH_MARK 0x1e
#define PROMPT "op25b> "
/* Exit statuses (--help): 0 done, 1 a command failed, 2 usage or no
 * connection, the one op25b and every tool give a usage error. */
#define EXIT_DONE EXIT_SUCCESS
#define EXIT_FAILED EXIT_FAILURE
#define EXIT_USAGE OP25B_EXIT_USAGE

enum option_id {
	OPT_NAME = OP25B_OPTION_LONG_ONLY,
	OPT_TIMEOUT,
	OPT_HELP = 'h',
};

/* What the options say. */
struct cli_args {
	const char *name;
	const char *socket_path;
};

static const struct op25b_option cli_options[] = {
	OP25B_OPTION("name", OPT_NAME, "NAME",
		     "the instance (op25b --name; default op25b)"),
	OP25B_OPTION_STR("cli-socket", 0, "PATH",
			 "a socket elsewhere, as given to op25b --cli-socket "
			 "(--socket PATH is the same)",
			 struct cli_args, socket_path),
	/* op25b-cli's name for it before op25b's; kept. */
	OP25B_OPTION_STR("socket", 0, "PATH", NULL, struct cli_args,
			 socket_path),
	OP25B_OPTION("timeout", OPT_TIMEOUT, "S",
		     "give up on a command after S seconds (default 60)"),
	OP25B_OPTION("help", OPT_HELP, NULL, "this text"),
};

#define N_OPTIONS (sizeof(cli_options) / sizeof(cli_options[0]))

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: op25b-cli [--name NAME | --cli-socket PATH] "
		"[--timeout SECONDS]\n                 [COMMAND...]\n\n"
		"Talk to a running op25b over its control socket "
		"(/run/op25b/NAME.sock).\n"
		"  COMMAND          run one command (e.g. show port stats all) "
		"and exit\n"
		"  (none, a tty)    the op25b> prompt: TAB completes, help "
		"lists, quit or\n"
		"                   Ctrl-D ends the session (op25b keeps "
		"running)\n"
		"  (none, a pipe)   one command a line from standard input\n"
		"An answer is read whole before it is printed: a pager may "
		"wait as long as\nit likes.\n\n"
		"options:\n");
	op25b_options_help(out, cli_options, N_OPTIONS, NULL, 22);
	fprintf(out,
		"\nA relative FILE in exempt export|import FILE and policy "
		"check|reload FILE\nis taken from this directory (at the "
		"interactive prompt, give an absolute path).\n\n"
		"exit status: 0 done, 1 a command failed, 2 usage or "
		"connection error\n");
}

static int
connect_socket(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "op25b-cli: %s: path too long\n", path);
		return -1;
	}
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		fprintf(stderr, "op25b-cli: %s: %s%s\n", path, strerror(errno),
			errno == ENOENT || errno == ECONNREFUSED
				? " (is op25b running with that --name?)"
				: "");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The longest word op25b's command parser takes (librte_cmdline's
 * STR_TOKEN_SIZE, NUL included). */
#define WORD_MAX 128

/*
 * `exempt export FILE`, `exempt import FILE ...`, `policy check FILE` and
 * `policy reload FILE` name a file that op25b opens, in its own working
 * directory: a relative FILE is made absolute
 * here, from ours, so that it means what the operator typed (op25b
 * refuses a relative path from the socket). Rewrites @p line in place;
 * returns 0, or -1 after saying why.
 */
static int
absolute_file(char *line, size_t size)
{
	char words[3][WORD_MAX], cwd[4096], out[4096];
	const char *p = line, *rest;
	unsigned int n;
	size_t len;

	for (n = 0; n < 3; n++) {
		while (*p == ' ' || *p == '\t')
			p++;
		/* '#' ends a word and starts a comment, as in op25b's
		 * parser: `policy reload # after deploy` names no file. */
		len = strcspn(p, " \t#");
		if (len == 0 || len >= WORD_MAX)
			return 0;
		memcpy(words[n], p, len);
		words[n][len] = '\0';
		p += len;
	}
	rest = p;
	if (words[2][0] == '/' || !((strcmp(words[0], "exempt") == 0 &&
				     (strcmp(words[1], "export") == 0 ||
				      strcmp(words[1], "import") == 0)) ||
				    (strcmp(words[0], "policy") == 0 &&
				     (strcmp(words[1], "check") == 0 ||
				      strcmp(words[1], "reload") == 0))))
		return 0;
	if (getcwd(cwd, sizeof(cwd)) == NULL) {
		fprintf(stderr, "op25b-cli: %s: the working directory: %s\n",
			words[2], strerror(errno));
		return -1;
	}
	/* Put in the line, a '#' would start a comment there and a blank
	 * end the word: in /tmp/exp#1, "exempt export out" wrote /tmp/exp. */
	if (strpbrk(cwd, "# \t") != NULL) {
		fprintf(stderr,
			"op25b-cli: %s: the working directory %s holds '#' or "
			"a blank, which op25b's command line reads apart: "
			"use a file in a directory without them\n",
			words[2], cwd);
		return -1;
	}
	len = (size_t)snprintf(out, sizeof(out), "%s/%s", cwd, words[2]);
	/* librte_cmdline's word token takes STR_TOKEN_SIZE - 2 characters
	 * (126): one more and op25b answers only "bad arguments". */
	if (len > WORD_MAX - 2) {
		fprintf(stderr,
			"op25b-cli: %s/%s: longer than %d characters, which "
			"op25b's command line takes: give a shorter path\n",
			cwd, words[2], WORD_MAX - 2);
		return -1;
	}
	if ((size_t)snprintf(out, sizeof(out), "%s %s %s/%s%s", words[0],
			     words[1], cwd, words[2], rest) >= size) {
		fprintf(stderr, "op25b-cli: command too long\n");
		return -1;
	}
	strcpy(line, out);
	return 0;
}

/* Write the @p len bytes of @p text a command answered to stdout; 0, or
 * -1 after saying why (a full disk under `exempt export > FILE`: the
 * exit status must not let `&& exempt import FILE` go on). */
static int
print_answer(const char *text, size_t len)
{
	if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0) {
		fprintf(stderr, "op25b-cli: writing the answer: %s\n",
			strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Send @p line and print its answer, the output before its status (RS, a
 * digit, a newline); returns EXIT_DONE or EXIT_FAILED from the status, or
 * EXIT_USAGE when the connection failed. The answer is read whole before
 * any of it is printed: a stdout that blocks (a pager, a full pipe) holds
 * back only this process, while op25b would end a session that reads
 * nothing for 10 s.
 */
static int
run_command(int fd, const char *line, int timeout_s)
{
	/* 0: output, 1: after RS (the digit), 2: after the digit (the
	 * newline). */
	int state = 0, status = EXIT_FAILED;
	char buf[4096], *text = NULL;
	size_t len = 0;
	FILE *answer;

	if (write_all(fd, line, strlen(line)) != 0 || write_all(fd, "\n", 1)) {
		fprintf(stderr, "op25b-cli: sending: %s\n", strerror(errno));
		return EXIT_USAGE;
	}
	answer = open_memstream(&text, &len);
	if (answer == NULL) {
		fprintf(stderr, "op25b-cli: %s\n", strerror(errno));
		return EXIT_USAGE;
	}
	while (state != 3) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n, i;

		if (poll(&p, 1, timeout_s * 1000) == 0) {
			status = EXIT_USAGE;
			break;
		}
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fclose(answer);
			(void)print_answer(text, len);
			free(text);
			/* Refusals (permission, too many sessions) come as a
			 * line and a close. */
			fprintf(stderr,
				"op25b-cli: op25b closed the connection\n");
			return EXIT_USAGE;
		}
		/* The server answers one command at a time: nothing of the
		 * next answer can follow the newline in this read. */
		for (i = 0; i < n && state != 3; i++) {
			if (state == 0 && buf[i] == BATCH_MARK) {
				state = 1;
			} else if (state == 0) {
				fputc(buf[i], answer);
			} else if (state == 1) {
				status = buf[i] == '0' ? EXIT_DONE
						       : EXIT_FAILED;
				state = 2;
			} else {
				state = 3;
			}
		}
	}
	fclose(answer);
	if (print_answer(text, len) != 0 && status == EXIT_DONE)
		status = EXIT_FAILED;
	free(text);
	if (state != 3)
		fprintf(stderr, "op25b-cli: no answer within %d s\n",
			timeout_s);
	return status;
}

/* op25b greets every connection with its prompt: wait for it (or for the
 * line that refuses us) before switching to batch. */
static int
await_prompt(int fd, int timeout_s)
{
	char buf[512];
	size_t len = 0;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, timeout_s * 1000) == 0) {
			fprintf(stderr, "op25b-cli: no prompt within %d s\n",
				timeout_s);
			return -1;
		}
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			buf[len] = '\0';
			fprintf(stderr, "op25b-cli: %s",
				len ? buf : "op25b closed the connection\n");
			return -1;
		}
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, PROMPT) != NULL)
			return 0;
		if (len == sizeof(buf) - 1)
			len = 0;
	}
}

/*
 * Append @arg to the command @line (@len used of @size), after a space
 * unless first. The shell took the quotes off a reason's text: the
 * argument after `reason` (@text), when it holds a blank, is quoted again
 * (\" and \\ inside), so that `reason "ticket 1"` reaches op25b as one
 * text; one already in double quotes (the shell's '"ticket 1"') goes as
 * it is, as does every other argument (`op25b-cli "show version"`, a
 * whole command in one argument, is a line as before). Refused: a control
 * character (a newline would run what follows as a second command, its
 * answer never read) and '#' (the CLI's comment: the rest would go).
 * Returns 0, or -1 after saying why.
 */
static int
append_arg(char *line, size_t size, size_t *len, const char *arg, int first,
	   int text)
{
	size_t n = strlen(arg), need = n * 2 + 4;
	int quote = text && strpbrk(arg, " \t") != NULL &&
		    !(n >= 2 && arg[0] == '"' && arg[n - 1] == '"');
	const unsigned char *c;

	for (c = (const unsigned char *)arg; *c != '\0'; c++) {
		if (*c < 0x20 || *c == 0x7f) {
			fprintf(stderr,
				"op25b-cli: argument '%s' holds a control "
				"character (byte 0x%02x): refused\n",
				arg, *c);
			return -1;
		}
		if (*c == '#') {
			fprintf(stderr,
				"op25b-cli: argument '%s' holds '#', which "
				"starts a comment in op25b's CLI: leave it "
				"out\n",
				arg);
			return -1;
		}
	}
	if (*len + need >= size) {
		fprintf(stderr, "op25b-cli: command too long\n");
		return -1;
	}
	if (!first)
		line[(*len)++] = ' ';
	if (quote)
		line[(*len)++] = '"';
	for (c = (const unsigned char *)arg; *c != '\0'; c++) {
		if (quote && (*c == '"' || *c == '\\'))
			line[(*len)++] = '\\';
		line[(*len)++] = (char)*c;
	}
	if (quote)
		line[(*len)++] = '"';
	line[*len] = '\0';
	return 0;
}

static int
batch(int fd, int argc, char **argv, int timeout_s)
{
	char mark = BATCH_MARK, line[4096], *in = NULL;
	int status = EXIT_DONE, r, i;
	size_t cap = 0;
	ssize_t got;

	if (await_prompt(fd, timeout_s) != 0 || write_all(fd, &mark, 1) != 0)
		return EXIT_USAGE;
	if (argc > 0) {
		size_t len = 0;

		line[0] = '\0';
		for (i = 0; i < argc; i++)
			if (append_arg(line, sizeof(line), &len, argv[i],
				       i == 0,
				       i > 0 && strcmp(argv[i - 1], "reason") ==
							0) != 0)
				return EXIT_USAGE;
		if (absolute_file(line, sizeof(line)) != 0)
			return EXIT_FAILED;
		return run_command(fd, line, timeout_s);
	}
	while ((got = getline(&in, &cap, stdin)) != -1) {
		size_t n = (size_t)got;
		const char *bad;

		if (n > 0 && in[n - 1] == '\n')
			n--;
		if (n > 0 && in[n - 1] == '\r')
			n--;
		/* A line longer than the buffer, refused whole as op25b
		 * refuses one over 4095 bytes: cut, its head would run and
		 * its tail run as a second command. */
		if (n > sizeof(line) - 2) {
			fprintf(stderr,
				"op25b-cli: a line longer than %zu bytes: "
				"refused, not sent\n",
				sizeof(line) - 2);
			status = EXIT_FAILED;
			continue;
		}
		/* A control byte, refused as in an argument: op25b would
		 * run the text before a NUL, and echo a 0x1e into its
		 * answer, where it would read as the status mark
		 * ('frobnicate\x1e0' exited 0). A tab separates words. */
		for (bad = in; bad < in + n; bad++)
			if (((unsigned char)*bad < 0x20 && *bad != '\t') ||
			    *bad == 0x7f)
				break;
		if (bad < in + n) {
			fprintf(stderr,
				"op25b-cli: a line with a control character "
				"(byte 0x%02x): refused, not sent\n",
				(unsigned char)*bad);
			status = EXIT_FAILED;
			continue;
		}
		memcpy(line, in, n);
		line[n] = '\0';
		if (absolute_file(line, sizeof(line)) != 0) {
			status = EXIT_FAILED;
			continue;
		}
		r = run_command(fd, line, timeout_s);
		if (r == EXIT_USAGE) {
			free(in);
			return r;
		}
		if (r != EXIT_DONE)
			status = r;
	}
	free(in);
	return status;
}

/* Relay keystrokes and screen both ways; op25b does the line editing. */
static int
interactive(int fd)
{
	struct termios old, raw;
	char buf[4096];
	int status = EXIT_DONE;
	/* Whether op25b's prompt came: a connection closed before it was
	 * refused (too many sessions, not permitted), a connection error
	 * (exit 2, as in one-shot mode), not a quit. */
	bool greeted = false;

	if (tcgetattr(STDIN_FILENO, &old) != 0)
		return EXIT_USAGE;
	raw = old;
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ISIG);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	while (status == EXIT_DONE) {
		struct pollfd p[2] = { { .fd = STDIN_FILENO, .events = POLLIN },
				       { .fd = fd, .events = POLLIN } };
		ssize_t n;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents) {
			n = read(fd, buf, sizeof(buf));
			if (n <= 0) {
				/* quit or Ctrl-D: op25b closed; before its
				 * prompt: refused. */
				if (!greeted)
					status = EXIT_USAGE;
				break;
			}
			if (memmem(buf, (size_t)n, "> ", 2) != NULL)
				greeted = true;
			if (write_all(STDOUT_FILENO, buf, (size_t)n) != 0)
				break;
		}
		if (p[0].revents) {
			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n <= 0 || write_all(fd, buf, (size_t)n) != 0)
				break;
		}
	}
	tcsetattr(STDIN_FILENO, TCSANOW, &old);
	write_all(STDOUT_FILENO, "\n", 1);
	return status;
}

int
main(int argc, char **argv)
{
	struct cli_args args = { .name = "op25b" };
	char path[256];
	int timeout_s = 60, opt, fd, status;
	unsigned long timeout;
	struct op25b_getopt g;

	/* "+": options end at the first word of the command, so that a
	 * command's own words are never taken for ours. */
	op25b_options_getopt(&g, cli_options, N_OPTIONS, NULL, "+");
	while ((opt = op25b_options_next(&g, "op25b-cli", argc, argv, &args)) >
	       0) {
		switch (opt) {
		case OPT_NAME:
			if (optarg[0] == '\0' || strchr(optarg, '/') != NULL) {
				fprintf(stderr,
					"op25b-cli: --name %s: no '/'\n",
					optarg);
				return EXIT_USAGE;
			}
			args.name = optarg;
			break;
		case OPT_TIMEOUT:
			/* Range-checked before the cast: strtol() into an
			 * int took 4294967297 for 1. */
			if (op25b_option_uint("op25b-cli", "timeout", optarg, 1,
					      86400, " seconds", &timeout) != 0)
				return EXIT_USAGE;
			timeout_s = (int)timeout;
			break;
		case OPT_HELP:
			usage(stdout);
			return EXIT_DONE;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (args.socket_path == NULL) {
		snprintf(path, sizeof(path), "/run/op25b/%s.sock", args.name);
		args.socket_path = path;
	}
	signal(SIGPIPE, SIG_IGN);
	fd = connect_socket(args.socket_path);
	if (fd < 0)
		return EXIT_USAGE;
	if (optind == argc && isatty(STDIN_FILENO))
		status = interactive(fd);
	else
		status = batch(fd, argc - optind, argv + optind, timeout_s);
	close(fd);
	return status;
}
