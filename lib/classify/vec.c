/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The choice of the classifier's path (its IPv4 and IPv6 lookups, the
 * decisions after them and, when asked, the burst loop's pre-pass): made
 * once, at start, from the CPU's flags and vendor and the EAL's maximum
 * SIMD width; the scalar path is always there.
 */
/* rte_vect_get/set_max_simd_bitwidth() are still experimental in 22.11;
 * they are the EAL's --force-max-simd-bitwidth, which DPDK's own paths
 * obey. */
#define ALLOW_EXPERIMENTAL_API

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cpuflags.h>
#include <rte_log.h>
#include <rte_vect.h>
#if defined(RTE_ARCH_X86)
#include <cpuid.h>
#endif

#include "op25b_classify_path.h"
#include "vec_priv.h"

/* The scalar path's pre-pass: every frame is the parser's. */
static uint64_t
vec_prepass_scalar(const struct op25b_classifier *c, struct rte_mbuf **pkts,
		   unsigned int n, struct op25b_classify_result *results)
{
	RTE_SET_USED(c);
	RTE_SET_USED(pkts);
	RTE_SET_USED(results);
	return vec_burst_mask(n);
}

vec_prepass_fn_t classify_prepass = vec_prepass_scalar;
vec_lookup4_fn_t classify_lookup4;
vec_lookup6_fn_t classify_lookup6;
vec_decide_fn_t classify_decide;

/* A pre-pass the compiler could not build (no flags for it) is NULL. */
#ifndef OP25B_VEC_AVX2
#define vec_prepass_avx2 NULL
#define vec_lookup4_avx2 NULL
#define vec_lookup6_avx2 NULL
#define vec_decide_avx2 NULL
#endif
#ifndef OP25B_VEC_AVX512
#define vec_prepass_avx512 NULL
#define vec_lookup4_avx512 NULL
#define vec_lookup6_avx512 NULL
#define vec_decide_avx512 NULL
#endif

static const struct {
	const char *name;
	vec_prepass_fn_t fn;	  /* NULL: not built in */
	vec_lookup4_fn_t lookup4; /* NULL: the scalar stages */
	vec_lookup6_fn_t lookup6; /* NULL: lpm6_lookup_bulk2() */
	vec_decide_fn_t decide;	  /* NULL: decide_slots() alone */
	uint16_t bits;		  /* the SIMD width it needs */
} paths[OP25B_CLASSIFY_PATH_MAX] = {
	[OP25B_CLASSIFY_PATH_SCALAR] = { "scalar", vec_prepass_scalar, NULL,
					 NULL, NULL, 0 },
	[OP25B_CLASSIFY_PATH_AVX2] = { "avx2", vec_prepass_avx2,
				       vec_lookup4_avx2, vec_lookup6_avx2,
				       vec_decide_avx2, RTE_VECT_SIMD_256 },
	[OP25B_CLASSIFY_PATH_AVX512] = { "avx512", vec_prepass_avx512,
					 vec_lookup4_avx512, vec_lookup6_avx512,
					 vec_decide_avx512, RTE_VECT_SIMD_512 },
};

static enum op25b_classify_path current = OP25B_CLASSIFY_PATH_SCALAR;
static bool prepass_on;

/* The pointers the burst loop reads, from the path and the pre-pass's
 * switch. */
static void
apply(void)
{
	classify_prepass = prepass_on ? paths[current].fn : vec_prepass_scalar;
	classify_lookup4 = paths[current].lookup4;
	classify_lookup6 = paths[current].lookup6;
	classify_decide = paths[current].decide;
}

const char *
op25b_classify_path_name(enum op25b_classify_path path)
{
	return (unsigned int)path < OP25B_CLASSIFY_PATH_MAX ? paths[path].name
							    : NULL;
}

bool
op25b_classify_path_available(enum op25b_classify_path path)
{
	if ((unsigned int)path >= OP25B_CLASSIFY_PATH_MAX ||
	    paths[path].fn == NULL)
		return false;
#if defined(RTE_ARCH_X86)
	/* And the OS's registers (XCR0): DPDK 22.11 reads CPUID alone,
	 * which says what the silicon has, not what Linux enabled (GDS
	 * "force" without its microcode turns AVX off, clearcpuid=, some
	 * hypervisors): the first gather was a SIGILL. gcc's
	 * __builtin_cpu_supports() checks both. */
	if (path == OP25B_CLASSIFY_PATH_AVX2)
		return rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX2) > 0 &&
		       __builtin_cpu_supports("avx2");
	if (path == OP25B_CLASSIFY_PATH_AVX512)
		return rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX512F) > 0 &&
		       rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX512BW) > 0 &&
		       rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX512DQ) > 0 &&
		       rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX512VL) > 0 &&
		       __builtin_cpu_supports("avx512f") &&
		       __builtin_cpu_supports("avx512bw") &&
		       __builtin_cpu_supports("avx512dq") &&
		       __builtin_cpu_supports("avx512vl");
#endif
	return path == OP25B_CLASSIFY_PATH_SCALAR;
}

int
op25b_classify_path_set(enum op25b_classify_path path)
{
	if ((unsigned int)path >= OP25B_CLASSIFY_PATH_MAX)
		return -EINVAL;
	if (!op25b_classify_path_available(path))
		return -ENOTSUP;
	current = path;
	apply();
	return 0;
}

/*
 * Whether Linux reports the GDS ("Downfall") microcode mitigation on this
 * CPU: it makes every gather several times slower (Intel's 6th to 11th
 * generation cores and their Xeons), and the vector paths' lookups are
 * gathers. A build with the tests reads OP25B_TEST_GDS_STATUS's file
 * instead (test/integration/vector.sh).
 */
static bool
gathers_mitigated(void)
{
	const char *path =
		"/sys/devices/system/cpu/vulnerabilities/gather_data_sampling";
	static const char mitigated[] = "Mitigation: Microcode";
	/* GDS "force" without the microcode: Linux turned AVX off (the
	 * XCR0 test above keeps the paths away; said here too, so that the
	 * start's line names the reason). */
	static const char avx_off[] = "Mitigation: AVX disabled";
	char line[80] = "";
	FILE *f;

#ifdef OP25B_TEST_HOOKS
	if (getenv("OP25B_TEST_GDS_STATUS") != NULL)
		path = getenv("OP25B_TEST_GDS_STATUS");
#endif
	f = fopen(path, "r");
	if (f == NULL)
		return false;
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	fclose(f);
	return strncmp(line, mitigated, sizeof(mitigated) - 1) == 0 ||
	       strncmp(line, avx_off, sizeof(avx_off) - 1) == 0;
}

/*
 * Whether AVX-512 is op25b's default on this CPU, for its own paths. DPDK
 * caps its paths at 256 bits for the clock Intel's cores of the Skylake
 * and Cascade Lake generations lower under 512-bit work. AMD's cores
 * (Zen 4, their first with AVX-512, and later) have no frequency levels
 * for vector width; Intel's Sapphire Rapids and Emerald Rapids Xeons
 * (family 6, models 143 and 207: Golden Cove and Raptor Cove cores) drop
 * too little under op25b's integer loads, gathers and compares to show:
 * on both, measured (doc/bench.md, "AVX-512 by default"), the AVX-512
 * path classifies a port-25 SYN in fewer cycles than the AVX2 one.
 * Other Intel models keep the cap: not measured. A build with the tests
 * reads the vendor from OP25B_TEST_CPU_VENDOR and a family 6 model from
 * OP25B_TEST_CPU_MODEL when set (test/integration/vector.sh).
 */
static bool
avx512_full_clock(void)
{
	char vendor[13] = "";
	unsigned int family = 0, model = 0;
#if defined(RTE_ARCH_X86)
	unsigned int a, b, c, d;

	if (__get_cpuid(0, &a, &b, &c, &d) != 0) {
		memcpy(vendor, &b, 4);
		memcpy(vendor + 4, &d, 4);
		memcpy(vendor + 8, &c, 4);
	}
	/* The base family (only 6 is compared) and the display model, as
	 * /proc/cpuinfo shows it. */
	if (__get_cpuid(1, &a, &b, &c, &d) != 0) {
		family = a >> 8 & 0xf;
		model = a >> 4 & 0xf;
		if (family == 6 || family == 15)
			model |= (a >> 16 & 0xf) << 4;
	}
#endif
#ifdef OP25B_TEST_HOOKS
	if (getenv("OP25B_TEST_CPU_VENDOR") != NULL)
		snprintf(vendor, sizeof(vendor), "%s",
			 getenv("OP25B_TEST_CPU_VENDOR"));
	if (getenv("OP25B_TEST_CPU_MODEL") != NULL) {
		family = 6;
		model = (unsigned int)strtoul(getenv("OP25B_TEST_CPU_MODEL"),
					      NULL, 10);
	}
#endif
	if (strcmp(vendor, "AuthenticAMD") == 0)
		return true;
	return strcmp(vendor, "GenuineIntel") == 0 && family == 6 &&
	       (model == 143 || model == 207);
}

/*
 * Whether the EAL's --force-max-simd-bitwidth set the width: setting it to
 * what it is changes nothing, and the EAL refuses it only then. Its
 * refusal is a notice in the EAL's log, expected here: not shown.
 */
static bool
simd_width_forced(void)
{
	int level = rte_log_get_level(RTE_LOGTYPE_EAL);
	bool quieter = level > (int)RTE_LOG_WARNING;
	int ret;

	if (quieter)
		rte_log_set_level(RTE_LOGTYPE_EAL, RTE_LOG_WARNING);
	ret = rte_vect_set_max_simd_bitwidth(rte_vect_get_max_simd_bitwidth());
	if (quieter)
		rte_log_set_level(RTE_LOGTYPE_EAL, (uint32_t)level);
	return ret == -EPERM;
}

static bool passed_over; /* the last select's: gathers_mitigated() */

enum op25b_classify_path
op25b_classify_path_select(void)
{
	uint16_t width = rte_vect_get_max_simd_bitwidth();
	int p;

	/* DPDK's default width is 256 for Intel's clock; where 512 bits cost
	 * no clock, op25b's own default is the AVX-512 path (measured:
	 * doc/bench.md), unless the operator set the width. */
	if (width < RTE_VECT_SIMD_512 && avx512_full_clock() &&
	    !simd_width_forced())
		width = RTE_VECT_SIMD_512;
	passed_over = false;
	for (p = OP25B_CLASSIFY_PATH_MAX - 1; p > OP25B_CLASSIFY_PATH_SCALAR;
	     p--) {
		if (paths[p].bits > width ||
		    !op25b_classify_path_available((enum op25b_classify_path)p))
			continue;
		/* Asked once, and only where a vector path would be taken. */
		if (gathers_mitigated()) {
			passed_over = true;
			break;
		}
		op25b_classify_path_set((enum op25b_classify_path)p);
		return current;
	}
	op25b_classify_path_set(OP25B_CLASSIFY_PATH_SCALAR);
	return current;
}

enum op25b_classify_path
op25b_classify_path_get(void)
{
	return current;
}

void
op25b_classify_prepass_set(bool on)
{
	prepass_on = on;
	apply();
}

bool
op25b_classify_prepass_get(void)
{
	return prepass_on && current != OP25B_CLASSIFY_PATH_SCALAR;
}

bool
op25b_classify_path_gathers_slow(void)
{
	return passed_over;
}
