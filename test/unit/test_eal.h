/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A private EAL for unit tests: no PCI, no hugepages, no files shared with
 * anything else, one lcore.
 */
#ifndef OP25B_TEST_EAL_H
#define OP25B_TEST_EAL_H

#include <rte_common.h>
#include <rte_eal.h>

static inline int
test_eal_init(void)
{
	char *args[] = { "op25b-test", "--no-pci",    "--no-huge",	"-m",
			 "1024",       "--no-shconf", "--no-telemetry", "-l",
			 "0",	       "--log-level", "*:error" };

	return rte_eal_init(RTE_DIM(args), args) < 0 ? -1 : 0;
}

#endif /* OP25B_TEST_EAL_H */
