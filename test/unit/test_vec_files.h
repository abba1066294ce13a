/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The test vector files (test/vectors/ *.vec) for the tests that run every
 * case: test_vectors (the classifier), test_xdp (the XDP program) and
 * test_vector_diff (every classifier path).
 */
#ifndef OP25B_TEST_VEC_FILES_H
#define OP25B_TEST_VEC_FILES_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>

#include "op25b_classify.h"
#include "op25b_craft.h"
#include "op25b_policy.h"
#include "test_eal.h"

static int
test_vec_compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of the .vec files of @dir (at most @max), sorted, each
 * strdup()ed into @names. Returns how many, or -1 (the reason on
 * stderr). */
static inline int
test_vec_files(const char *dir, char **names, unsigned int max)
{
	unsigned int n = 0;
	struct dirent *de;
	DIR *d = opendir(dir);

	if (d == NULL) {
		perror(dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL && n < max) {
		size_t len = strlen(de->d_name);

		if (len > 4 && strcmp(de->d_name + len - 4, ".vec") == 0)
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), test_vec_compare_names);
	return (int)n;
}

/* The start of a test that runs the vector files: their names as
 * test_vec_files() gives them, from $OP25B_SOURCE_ROOT/test/vectors (that
 * folder into @dir), the EAL, and @pool: @n_mbufs mbufs named @pool_name
 * with room for the longest frame. Returns the number of files, or -1. */
static inline int
test_vec_setup(char *dir, size_t dir_size, char **names, unsigned int max,
	       const char *pool_name, unsigned int n_mbufs,
	       struct rte_mempool **pool)
{
	const char *root = getenv("OP25B_SOURCE_ROOT");
	int n;

	snprintf(dir, dir_size, "%s/test/vectors", root ? root : ".");
	n = test_vec_files(dir, names, max);
	if (n <= 0 || test_eal_init() != 0)
		return -1;
	*pool = rte_pktmbuf_pool_create(
		pool_name, n_mbufs, 0, 0,
		OP25B_CRAFT_FRAME_MAX + RTE_PKTMBUF_HEADROOM, SOCKET_ID_ANY);
	return *pool != NULL ? n : -1;
}

/* The vector file @name of @dir (its path into @path) into @vf, its policy
 * into @policy and a classifier of that into @classifier. Returns 0, or -1
 * (the reason on stderr, but for a classifier that is not made). */
static inline int
test_vec_load(const char *dir, const char *name, char *path, size_t path_size,
	      struct op25b_vector_file *vf, struct op25b_policy **policy,
	      struct op25b_classifier **classifier)
{
	struct op25b_policy_error perr;
	char err[512];

	snprintf(path, path_size, "%s/%s", dir, name);
	if (op25b_vector_file_load(path, vf, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	*policy = op25b_policy_load(vf->policy_path, &perr);
	if (*policy == NULL) {
		fprintf(stderr, "%s:%u:%u: %s\n", perr.file, perr.line,
			perr.column, perr.message);
		return -1;
	}
	*classifier =
		op25b_classifier_create(*policy, SOCKET_ID_ANY, NULL, NULL);
	return *classifier != NULL ? 0 : -1;
}

/* Frees what test_vec_load() made (@classifier, @policy, @vf) and the
 * file's name @name, as test_vec_files() gave it. */
static inline void
test_vec_unload(struct op25b_vector_file *vf, struct op25b_policy *policy,
		struct op25b_classifier *classifier, char *name)
{
	op25b_classifier_free(classifier);
	op25b_policy_free(policy);
	op25b_vector_file_free(vf);
	free(name);
}

#endif /* OP25B_TEST_VEC_FILES_H */
