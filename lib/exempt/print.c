/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The list as operators read it: op25b's `exempt list [json]` and
 * op25b-xdp's `exempt list IFACE [--json]` print it here, so that both
 * show one table under the same names.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "op25b_exempt.h"
#include "op25b_json.h"

/* Whole seconds left, rounded up: "0s" only once it has expired. */
static uint64_t
seconds_left(uint64_t expires, uint64_t now_ms)
{
	if (expires == 0)
		return 0;
	return expires > now_ms ? (expires - now_ms + 999) / 1000 : 0;
}

static void
format_left(uint64_t expires, uint64_t now_ms, char *buf, size_t size)
{
	uint64_t s = seconds_left(expires, now_ms);

	if (expires == 0)
		snprintf(buf, size, "never");
	else if (s >= 86400)
		snprintf(buf, size, "%" PRIu64 "d%02" PRIu64 "h", s / 86400,
			 s % 86400 / 3600);
	else if (s >= 3600)
		snprintf(buf, size, "%" PRIu64 "h%02" PRIu64 "m", s / 3600,
			 s % 3600 / 60);
	else if (s >= 60)
		snprintf(buf, size, "%" PRIu64 "m%02" PRIu64 "s", s / 60,
			 s % 60);
	else
		snprintf(buf, size, "%" PRIu64 "s", s);
}

int
op25b_exempt_registry_print(const struct op25b_exempt_registry *reg,
			    uint64_t now_ms, bool json, FILE *out)
{
	const struct op25b_exempt_entry *e = op25b_exempt_registry_entries(reg);
	unsigned int i, n = op25b_exempt_registry_count(reg);
	char prefix[64], left[32], when[32];

	if (json)
		fputc('[', out);
	else if (n == 0)
		fputs("no exemptions\n", out);
	else
		fprintf(out, "%-44s %-9s %-20s %-6s %s\n", "prefix",
			"time left", "granted (UTC)", "uid", "reason");
	for (i = 0; i < n; i++) {
		time_t added = (time_t)(e[i].added / 1000);
		struct tm tm;

		op25b_prefix_format(&e[i].prefix, prefix, sizeof(prefix));
		format_left(e[i].expires, now_ms, left, sizeof(left));
		gmtime_r(&added, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		if (json) {
			fprintf(out,
				"%s{\"prefix\":\"%s\",\"ttl\":%" PRIu32
				",\"seconds_left\":%" PRIu64
				",\"granted\":\"%s\",\"uid\":%" PRIu32
				",\"reason\":",
				i ? "," : "", prefix, e[i].ttl,
				seconds_left(e[i].expires, now_ms), when,
				e[i].uid);
			op25b_json_escape(out, e[i].reason);
			fputc('}', out);
		} else {
			fprintf(out, "%-44s %-9s %-20s %-6" PRIu32 " %s\n",
				prefix, left, when, e[i].uid, e[i].reason);
		}
	}
	if (json)
		fputs("]\n", out);
	return ferror(out) ? -EIO : 0;
}
