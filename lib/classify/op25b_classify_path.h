/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Which implementation of the classifier runs: scalar, or a vector path
 * (AVX2, AVX-512) whose IPv4 source and destination lookups are hardware
 * gathers, a batch's addresses 8 or 16 at a time, and which can also run
 * a pre-pass that settles plain non-SMTP frames in bulk before the parser
 * (off unless asked: slower than the parser on the machines we test, see
 * doc/bench.md). Chosen once, at start.
 */
#ifndef OP25B_CLASSIFY_PATH_H
#define OP25B_CLASSIFY_PATH_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The classifier's paths, slowest first. */
enum op25b_classify_path {
	OP25B_CLASSIFY_PATH_SCALAR = 0, /**< scalar lookups, no pre-pass */
	OP25B_CLASSIFY_PATH_AVX2,	/**< 8 lanes a step, 256-bit */
	OP25B_CLASSIFY_PATH_AVX512,	/**< 16 lanes a step, 512-bit */
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
 * --force-max-simd-bitwidth says otherwise, for the clock Intel's CPUs
 * lower under 512-bit work), or 512 bits on an AMD CPU or an Intel
 * Sapphire or Emerald Rapids when the width was not given (no clock cost
 * to show there, and the AVX-512 path measured faster: doc/bench.md): what
 * op25b's --classifier-path auto runs. The scalar
 * path where Linux reports the GDS ("Downfall") microcode mitigation,
 * which slows the vector paths' gathers several times
 * (op25b_classify_path_gathers_slow() then says so).
 * @return the path now in use.
 */
enum op25b_classify_path op25b_classify_path_select(void);

/**
 * Whether the last op25b_classify_path_select() passed over the vector
 * paths because of the GDS mitigation.
 */
bool op25b_classify_path_gathers_slow(void);

/** The path in use (scalar until one is set or selected). */
enum op25b_classify_path op25b_classify_path_get(void);

/**
 * Whether a vector path also runs its pre-pass (plain non-SMTP frames
 * settled in bulk before the parser); the scalar path has none. Off until
 * set. Call it, like op25b_classify_path_set(), before any worker
 * classifies.
 */
void op25b_classify_prepass_set(bool on);

/** Whether the pre-pass runs: asked for (op25b_classify_prepass_set())
 * and a vector path in use. */
bool op25b_classify_prepass_get(void);

#ifdef __cplusplus
}
#endif

#endif /* OP25B_CLASSIFY_PATH_H */
