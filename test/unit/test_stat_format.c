/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * op25b-stat's Prometheus view (app/op25b-stat/format.c, built in here) on
 * snapshots made by hand: what a scrape shows before op25b has sampled its
 * ports' drivers, and after.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../app/op25b-stat/stat_tool.h"

/* Two ports, a subscriber and an upstream one, as op25b names them. */
static struct op25b_stats_snapshot *
snapshot(uint64_t ports_updated_ns)
{
	struct op25b_stats_snapshot *s = calloc(1, sizeof(*s));
	unsigned int i;

	assert_non_null(s);
	s->header.ports_updated_ns = ports_updated_ns;
	s->header.n_ports = 2;
	for (i = 0; i < 2; i++) {
		s->header.ports[i].port_id = i;
		s->header.ports[i].is_subscriber = i == 0;
		snprintf(s->header.ports[i].name,
			 sizeof(s->header.ports[i].name), "net_null%u", i);
	}
	s->header.ports[0].link_up = 1;
	s->port_app[0].rx = 7;
	return s;
}

static char *
prometheus(const struct op25b_stats_snapshot *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	stat_print_prometheus(f, s);
	fclose(f);
	return text;
}

/*
 * Before op25b's first sample of its ports (about a second after start),
 * the drivers' figures are not there: exported as zeros they were a
 * link_up 0, a false link down at every restart. The worker's own port
 * figures are, and the sample time says 0. After it, both.
 */
static void
test_ports_before_first_sample(void **state)
{
	struct op25b_stats_snapshot *s = snapshot(0);
	char *text = prometheus(s);

	(void)state;
	assert_null(strstr(text, "op25b_port_link_up"));
	assert_null(strstr(text, "op25b_port_rx_packets_total"));
	assert_non_null(strstr(text, "op25b_ports_updated_seconds 0.000\n"));
	assert_non_null(strstr(text, "op25b_port_worker_rx_packets_total{"
				     "port=\"0\",name=\"net_null0\","
				     "role=\"subscriber\"} 7\n"));
	free(text);
	free(s);

	s = snapshot(1796313509727000000ull);
	text = prometheus(s);
	assert_non_null(strstr(text, "op25b_port_link_up{port=\"0\","
				     "name=\"net_null0\",role=\"subscriber\"} "
				     "1\n"));
	assert_non_null(strstr(text, "op25b_port_link_up{port=\"1\","
				     "name=\"net_null1\",role=\"upstream\"} "
				     "0\n"));
	free(text);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ports_before_first_sample),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
