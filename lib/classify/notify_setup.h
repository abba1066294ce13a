/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What block: notify's two paths set up alike at load: the greeting made
 * from the policy's notice, and the cookies' key fixed by the test hook.
 * Plain C (no DPDK): lib/classify/notify.c and the XDP loader
 * (lib/xdp/notify.c, which op25b-stat links without DPDK) both include
 * it, so that the two paths send the same bytes and, under the hook, make
 * the same cookies.
 */
#ifndef OP25B_NOTIFY_SETUP_H
#define OP25B_NOTIFY_SETUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "op25b_policy.h"

/* "554-5.7.1 " and CRLF around each line of the notice. */
#define OP25B_NOTIFY_GREETING_MAX                                              \
	(OP25B_POLICY_NOTICE_MAX + 12 * OP25B_POLICY_NOTICE_LINES)

/*
 * The SMTP reply for @notice: "554 5.7.1 LINE\r\n" for its last line,
 * "554-5.7.1 LINE\r\n" before it for each other line (RFC 5321 4.2.1);
 * an empty notice says "blocked". Returns the length; at most @size bytes
 * are written (a length above @size: it did not fit).
 */
static inline size_t
op25b_notify_greeting(const char *notice, uint8_t *buf, size_t size)
{
	const char *line = *notice != '\0' ? notice : "blocked", *end;
	size_t len = 0;

	for (;;) {
		char head[16];
		size_t n, k;

		end = strchr(line, '\n');
		n = end != NULL ? (size_t)(end - line) : strlen(line);
		snprintf(head, sizeof(head), "554%c5.7.1 ",
			 end != NULL ? '-' : ' ');
		for (k = 0; head[k] != '\0'; k++, len++)
			if (len < size)
				buf[len] = (uint8_t)head[k];
		for (k = 0; k < n; k++, len++)
			if (len < size)
				buf[len] = (uint8_t)line[k];
		for (k = 0; k < 2; k++, len++)
			if (len < size)
				buf[len] = (uint8_t) "\r\n"[k];
		if (end == NULL)
			return len;
		line = end + 1;
	}
}

/*
 * The test hook OP25B_NOTIFY_TEST_KEY: 32 hex digits, key[0] then key[1],
 * each a 64-bit number. Returns false (and leaves @key) when it is unset
 * or not that. For tests only: whoever knows the key can forge a cookie,
 * so a build without the tests (the package) has no hook and always
 * returns false (meson.build, OP25B_TEST_HOOKS).
 */
static inline bool
op25b_notify_test_key(uint64_t key[2])
{
#ifdef OP25B_TEST_HOOKS
	const char *s = getenv("OP25B_NOTIFY_TEST_KEY");
	char word[17] = { 0 };

	if (s == NULL || strlen(s) != 32 ||
	    strspn(s, "0123456789abcdefABCDEF") != 32)
		return false;
	memcpy(word, s, 16);
	key[0] = strtoull(word, NULL, 16);
	memcpy(word, s + 16, 16);
	key[1] = strtoull(word, NULL, 16);
	return true;
#else
	(void)key;
	return false;
#endif
}

#endif /* OP25B_NOTIFY_SETUP_H */
