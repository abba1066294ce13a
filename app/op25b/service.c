/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telling the service manager how op25b is doing: systemd's notify
 * protocol (sd_notify(3)), a datagram of "KEY=VALUE" lines to the socket
 * named by $NOTIFY_SOCKET. The protocol is a stable interface that
 * systemd's documentation invites programs to speak themselves; doing so
 * here keeps libsystemd out of the appliance's dependencies for one
 * sendto(). Without $NOTIFY_SOCKET (a terminal, a test, another
 * supervisor) nothing is sent.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "op25b_app.h"

int
op25b_service_notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un addr;
	size_t len;
	ssize_t sent;
	int fd, err;

	if (path == NULL || path[0] == '\0')
		return 0;
	len = strlen(path);
	/* A path, or "@name" for the abstract namespace (a leading NUL). */
	if ((path[0] != '/' && path[0] != '@') || len >= sizeof(addr.sun_path))
		return -EINVAL;
	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	memcpy(addr.sun_path, path, len);
	if (path[0] == '@')
		addr.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	do
		sent = sendto(
			fd, state, strlen(state), MSG_NOSIGNAL,
			(const struct sockaddr *)&addr,
			(socklen_t)(offsetof(struct sockaddr_un, sun_path) +
				    len));
	while (sent < 0 && errno == EINTR);
	err = sent < 0 ? -errno : 0;
	close(fd);
	return err;
}
