/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A private EAL for unit tests and fuzz targets: no PCI, no hugepages, no files shared with
 * anything else, one lcore.
 */
#ifndef OP25B_TEST_EAL_H
#define OP25B_TEST_EAL_H

#include <rte_common.h>
#include <rte_eal.h>

/* The EAL as @p prog with @p memory_mb of memory. */
static inline int
test_eal_init_as(const char *prog, const char *memory_mb)
{
	/* clang-format off */
	char *args[] = {
		(char *)prog, "--no-pci", "--no-huge", "-m", (char *)memory_mb,
		"--no-shconf", "--no-telemetry", "-l", "0",
		"--log-level", "*:error",
	};
	/* clang-format on */

	return rte_eal_init(RTE_DIM(args), args) < 0 ? -1 : 0;
}

static inline int
test_eal_init(void)
{
	return test_eal_init_as("op25b-test", "1024");
}

/* cmocka group set-up and tear-down for a test that needs the EAL alone. */
static inline int
test_eal_group_setup(void **state)
{
	(void)state;
	return test_eal_init();
}

static inline int
test_eal_group_teardown(void **state)
{
	(void)state;
	rte_eal_cleanup();
	return 0;
}

#endif /* OP25B_TEST_EAL_H */
