/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * GET /metrics over HTTP with libmicrohttpd: one internal thread polls the
 * sockets and answers each request with a fresh snapshot. Only that thread
 * touches the source and the snapshot buffer, so they need no lock.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "stat_tool.h"

#define METRICS_PATH "/metrics"
#define METRICS_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define TEXT_TYPE "text/plain; charset=utf-8"

/* Bounds for a scrape endpoint: a few scrapers, no slow client holds a
 * connection for long. MHD's timeout counts idle time only, so a client
 * that trickles a byte every few seconds keeps its connection: the limit
 * per address keeps one such host from taking every connection from the
 * scrapers (Prometheus opens one a target, an HA pair two). */
#define HTTP_MAX_CONNECTIONS 32u
#define HTTP_MAX_CONNECTIONS_PER_ADDRESS 4u
#define HTTP_TIMEOUT_SECONDS 10u
#define HTTP_BACKLOG 64

struct http_ctx {
	struct stat_source *src;
	struct op25b_stats_snapshot *snap;
	char last_error[256]; /* MHD's last complaint, for our one line */
};

int
stat_parse_listen(const char *text, void *storage, size_t *len)
{
	union {
		struct sockaddr_in v4;
		struct sockaddr_in6 v6;
	} *sa = storage;
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon, *port_text;
	size_t host_len, addr_len;
	unsigned long port;
	void *addr;
	char *end;
	int family;

	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (close == NULL || close[1] != ':')
			return -EINVAL;
		host_len = (size_t)(close - text - 1);
		if (host_len == 0 || host_len >= sizeof(host))
			return -EINVAL;
		memcpy(host, text + 1, host_len);
		port_text = close + 2;
	} else {
		colon = strrchr(text, ':');
		if (colon == NULL)
			return -EINVAL;
		host_len = (size_t)(colon - text);
		if (host_len == 0 || host_len >= sizeof(host))
			return -EINVAL;
		memcpy(host, text, host_len);
		port_text = colon + 1;
	}
	host[host_len] = '\0';
	if (port_text[0] < '0' || port_text[0] > '9')
		return -EINVAL;
	errno = 0;
	port = strtoul(port_text, &end, 10);
	if (errno != 0 || *end != '\0' || port == 0 || port > 65535)
		return -EINVAL;

	/* The families differ only in where the fields are: those are
	 * chosen first, then one conversion fills the address. */
	memset(sa, 0, sizeof(*sa));
	if (text[0] != '[') {
		family = AF_INET;
		sa->v4.sin_family = AF_INET;
		sa->v4.sin_port = htons((uint16_t)port);
		addr = &sa->v4.sin_addr;
		addr_len = sizeof(sa->v4);
	} else {
		family = AF_INET6;
		sa->v6.sin6_family = AF_INET6;
		sa->v6.sin6_port = htons((uint16_t)port);
		addr = &sa->v6.sin6_addr;
		addr_len = sizeof(sa->v6);
	}
	if (inet_pton(family, host, addr) != 1)
		return -EINVAL;
	*len = addr_len;
	return 0;
}

/* MHD hands us printf-style messages with its own format strings. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct http_ctx *ctx = cls;
	size_t n;

	vsnprintf(ctx->last_error, sizeof(ctx->last_error), fmt, ap);
	n = strlen(ctx->last_error);
	while (n > 0 && (ctx->last_error[n - 1] == '\n' ||
			 ctx->last_error[n - 1] == '.'))
		ctx->last_error[--n] = '\0';
}
#pragma GCC diagnostic pop

static enum MHD_Result
reply(struct MHD_Connection *conn, unsigned int status, char *body, size_t len,
      enum MHD_ResponseMemoryMode mode, const char *type, const char *allow)
{
	struct MHD_Response *response;
	enum MHD_Result ret;

	response = MHD_create_response_from_buffer(len, body, mode);
	if (response == NULL) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (allow != NULL)
		MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, allow);
	ret = MHD_queue_response(conn, status, response);
	MHD_destroy_response(response);
	return ret;
}

static enum MHD_Result
reply_static(struct MHD_Connection *conn, unsigned int status, const char *text,
	     const char *allow)
{
	/* PERSISTENT: MHD neither copies nor frees it (it is never
	 * written). */
	return reply(conn, status, (char *)(uintptr_t)text, strlen(text),
		     MHD_RESPMEM_PERSISTENT, TEXT_TYPE, allow);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
	   const char *method, const char *version, const char *upload_data,
	   size_t *upload_data_size, void **req_cls)
{
	struct http_ctx *ctx = cls;
	char why[512], *body = NULL;
	size_t len = 0;
	FILE *out;
	int ret;

	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)req_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return reply_static(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
				    "only GET " METRICS_PATH "\n", "GET, HEAD");
	if (strcmp(url, METRICS_PATH) != 0)
		return reply_static(
			conn, MHD_HTTP_NOT_FOUND,
			"not found: the metrics are at " METRICS_PATH "\n",
			NULL);

	ret = stat_source_read(ctx->src, ctx->snap, why, sizeof(why));
	if (ret != 0) {
		/* -ESRCH too: a dead writer's counters are not current, and
		 * 503 marks the target down rather than flat. */
		len = strlen(why);
		body = malloc(len + 2);
		if (body == NULL)
			return MHD_NO;
		memcpy(body, why, len);
		body[len++] = '\n';
		body[len] = '\0';
		return reply(conn, MHD_HTTP_SERVICE_UNAVAILABLE, body, len,
			     MHD_RESPMEM_MUST_FREE, TEXT_TYPE, NULL);
	}
	out = open_memstream(&body, &len);
	if (out == NULL)
		return MHD_NO;
	stat_print_prometheus(out, ctx->snap);
	if (fclose(out) != 0) {
		free(body);
		return MHD_NO;
	}
	return reply(conn, MHD_HTTP_OK, body, len, MHD_RESPMEM_MUST_FREE,
		     METRICS_TYPE, NULL);
}

/*
 * The listening socket is made here rather than by MHD so that [::] takes
 * IPv4 as well (as 0.0.0.0 and [::] do for most daemons on Linux; MHD
 * would set IPV6_V6ONLY) and a bind error says why with the address the
 * operator gave. Returns the socket, or -1 with errno set.
 */
static int
listen_socket(const struct sockaddr *sa, size_t len)
{
	const int on = 1, off = 0;
	int fd, err;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0)
		goto fail;
	if (sa->sa_family == AF_INET6 &&
	    IN6_IS_ADDR_UNSPECIFIED(
		    &((const struct sockaddr_in6 *)(const void *)sa)
			     ->sin6_addr) &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) != 0)
		goto fail;
	if (bind(fd, sa, (socklen_t)len) != 0 || listen(fd, HTTP_BACKLOG) != 0)
		goto fail;
	return fd;
fail:
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

int
stat_serve(struct stat_source *src, const char *listen, const void *sockaddr,
	   size_t sockaddr_len)
{
	const struct sockaddr *sa = sockaddr;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD |
			     MHD_USE_ERROR_LOG;
	struct MHD_Daemon *daemon;
	struct http_ctx ctx;
	char why[512];
	sigset_t stop;
	int signo, fd, status = 0;

	fd = listen_socket(sa, sockaddr_len);
	if (fd < 0) {
		fprintf(stderr, "op25b-stat: cannot serve on %s: %s\n", listen,
			strerror(errno));
		return 1;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.src = src;
	ctx.snap = op25b_stats_snapshot_alloc();
	if (ctx.snap == NULL) {
		fprintf(stderr, "op25b-stat: out of memory\n");
		close(fd);
		return 1;
	}
	/* Started anyway when the instance is not there yet (an exporter may
	 * start before op25b): /metrics answers 503 until it is. */
	if (stat_source_read(src, ctx.snap, why, sizeof(why)) != 0)
		fprintf(stderr, "op25b-stat: %s (answering 503 meanwhile)\n",
			why);

	if (sa->sa_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	daemon = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, &ctx,
		MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_EXTERNAL_LOGGER,
		on_mhd_log, &ctx, MHD_OPTION_CONNECTION_LIMIT,
		HTTP_MAX_CONNECTIONS, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		HTTP_MAX_CONNECTIONS_PER_ADDRESS, MHD_OPTION_CONNECTION_TIMEOUT,
		HTTP_TIMEOUT_SECONDS, MHD_OPTION_END);
	if (daemon == NULL) {
		/* The socket is MHD's once handed over: it closes it itself
		 * when it fails to start. */
		fprintf(stderr, "op25b-stat: cannot serve on %s%s%s\n", listen,
			ctx.last_error[0] ? ": " : "", ctx.last_error);
		status = 1;
		goto free_snap;
	}
	printf("op25b-stat: serving " METRICS_PATH " on %s\n", listen);
	fflush(stdout);

	/* The caller blocked these in every thread (MHD's too), so they
	 * arrive here and nowhere else. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	while (sigwait(&stop, &signo) != 0)
		;
	MHD_stop_daemon(daemon);
free_snap:
	free(ctx.snap);
	return status;
}
