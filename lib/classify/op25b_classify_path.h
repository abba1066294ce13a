/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Which implementation of the burst loop's pre-pass runs: the scalar
 * parser alone, or a vector pre-pass (AVX2, AVX-512) that settles plain
 * non-SMTP frames in bulk before it. Chosen once, at start.
 */
#ifndef OP25B_CLASSIFY_PATH_H
#define OP25B_CLASSIFY_PATH_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The classifier's paths, slowest first. */
enum op25b_classify_path {
	OP25B_CLASSIFY_PATH_SCALAR = 0, /**< the parser for every frame */
	OP25B_CLASSIFY_PATH_AVX2,	/**< 8 frames a step, 256-bit */
	OP25B_CLASSIFY_PATH_AVX512,	/**< 16 frames a step, 512-bit */
	OP25B_CLASSIFY_PATH_MAX,
};

/** The path's name ("scalar", "avx2", "avx512"); NULL if out of range. */
const char *op25b_classify_path_name(enum op25b_classify_path path);

/**
 * Whether @p path is built in and this CPU runs it (CPU flags only: the
 * EAL's --force-max-simd-bitwidth is applied by
 * op25b_classify_path_select()). The scalar path always is.
 */
bool op25b_classify_path_available(enum op25b_classify_path path);

/**
 * Make @p path the one every classifier of the process runs. Call it
 * before any worker classifies (the choice is read once per burst,
 * without synchronisation).
 * @return 0, -EINVAL for an unknown path, -ENOTSUP when
 *   op25b_classify_path_available() says no.
 */
int op25b_classify_path_set(enum op25b_classify_path path);

/**
 * Set the best path that the CPU offers and that fits the EAL's maximum
 * SIMD width (rte_vect_get_max_simd_bitwidth(): 256 unless
 * --force-max-simd-bitwidth says otherwise, so AVX-512 needs
 * --force-max-simd-bitwidth=512, as DPDK's own AVX-512 paths do): what
 * op25b's --classifier-path auto runs.
 * @return the path now in use.
 */
enum op25b_classify_path op25b_classify_path_select(void);

/** The path in use (scalar until one is set or selected). */
enum op25b_classify_path op25b_classify_path_get(void);

#ifdef __cplusplus
}
#endif

#endif /* OP25B_CLASSIFY_PATH_H */
