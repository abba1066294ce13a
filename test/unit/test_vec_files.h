/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The test vector files (test/vectors/ *.vec) for the tests that run every
 * case: test_vectors (the classifier) and test_xdp (the XDP program).
 */
#ifndef OP25B_TEST_VEC_FILES_H
#define OP25B_TEST_VEC_FILES_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

#endif /* OP25B_TEST_VEC_FILES_H */
