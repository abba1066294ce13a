/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every case of every test vector file (test/vectors/ *.vec) through the
 * classifier: one cmocka test per case, so a failure names the case. The
 * same files drive the replay tool and the appliance in test/integration.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <rte_mbuf.h>

#include "op25b_classify.h"
#include "op25b_craft.h"
#include "op25b_policy.h"
#include "test_eal.h"

struct vec_set {
	struct op25b_vector_file vf;
	struct op25b_policy *policy;
	struct op25b_classifier *classifier;
	char path[1024];
};

struct vec_case {
	const struct vec_set *set;
	const struct op25b_vector_case *c;
};

static struct rte_mempool *pool;

static const char *
slot_name(const struct op25b_policy *p, unsigned int slot, int is_class)
{
	if (slot == 0)
		return "-";
	return is_class ? p->classes[slot - 1].name : p->groups[slot - 1].name;
}

static void
run_case(void **state)
{
	const struct vec_case *vc = *state;
	const struct op25b_vector_case *c = vc->c;
	const struct op25b_policy *p = vc->set->policy;
	struct op25b_classify_result r;
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	const char *cls, *grp;

	assert_non_null(m);
	memcpy(rte_pktmbuf_mtod(m, void *), c->frame, c->frame_len);
	m->data_len = (uint16_t)c->frame_len;
	m->pkt_len = c->frame_len;
	assert_int_equal(op25b_classifier_classify_burst(vc->set->classifier, NULL,
							 &m, 1, &r, NULL),
			 1);
	rte_pktmbuf_free(m);
	cls = slot_name(p, r.class_slot, 1);
	grp = slot_name(p, r.group_slot, 0);
	if (strcmp(op25b_outcome_name(r.outcome), c->expect) != 0 ||
	    strcmp(cls, c->class_name) != 0 || strcmp(grp, c->group_name) != 0)
		fail_msg("%s:%u: %s: got %s class=%s group=%s, expected %s "
			 "class=%s group=%s",
			 vc->set->path, c->line, c->name,
			 op25b_outcome_name(r.outcome), cls, grp, c->expect,
			 c->class_name, c->group_name);
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
	const char *root = getenv("OP25B_SOURCE_ROOT");
	char dir[512], err[512], *names[64];
	struct vec_set sets[64];
	struct CMUnitTest *tests;
	struct vec_case *cases;
	unsigned int n_sets = 0, n_tests = 0, i, j;
	struct dirent *de;
	DIR *d;
	int failed;

	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "%s/test/vectors", root ? root : ".");
	d = opendir(dir);
	if (d == NULL) {
		perror(dir);
		return 1;
	}
	while ((de = readdir(d)) != NULL && n_sets < RTE_DIM(names)) {
		size_t len = strlen(de->d_name);

		if (len > 4 && strcmp(de->d_name + len - 4, ".vec") == 0)
			names[n_sets++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n_sets, sizeof(names[0]), compare_names);
	if (n_sets == 0 || test_eal_init() != 0)
		return 1;
	pool = rte_pktmbuf_pool_create("test_vectors", 63, 0, 0,
				       OP25B_CRAFT_FRAME_MAX +
					       RTE_PKTMBUF_HEADROOM,
				       SOCKET_ID_ANY);
	if (pool == NULL)
		return 1;

	for (i = 0; i < n_sets; i++) {
		struct vec_set *s = &sets[i];
		struct op25b_policy_error perr;

		snprintf(s->path, sizeof(s->path), "%s/%s", dir, names[i]);
		if (op25b_vector_file_load(s->path, &s->vf, err, sizeof(err))) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		s->policy = op25b_policy_load(s->vf.policy_path, &perr);
		if (s->policy == NULL) {
			fprintf(stderr, "%s:%u:%u: %s\n", perr.file, perr.line,
				perr.column, perr.message);
			return 1;
		}
		s->classifier =
			op25b_classifier_create(s->policy, SOCKET_ID_ANY, NULL, NULL);
		if (s->classifier == NULL)
			return 1;
		n_tests += s->vf.n_cases;
	}

	tests = calloc(n_tests, sizeof(*tests));
	cases = calloc(n_tests, sizeof(*cases));
	if (tests == NULL || cases == NULL)
		return 1;
	n_tests = 0;
	for (i = 0; i < n_sets; i++) {
		for (j = 0; j < sets[i].vf.n_cases; j++) {
			struct vec_case *vc = &cases[n_tests];
			char *name = malloc(256);

			vc->set = &sets[i];
			vc->c = &sets[i].vf.cases[j];
			snprintf(name, 256, "%s:%s", names[i], vc->c->name);
			tests[n_tests].name = name;
			tests[n_tests].test_func = run_case;
			tests[n_tests].initial_state = vc;
			n_tests++;
		}
	}
	failed = _cmocka_run_group_tests("vectors", tests, n_tests, NULL, NULL);

	for (i = 0; i < n_tests; i++)
		free((void *)tests[i].name);
	free(tests);
	free(cases);
	for (i = 0; i < n_sets; i++) {
		op25b_classifier_free(sets[i].classifier);
		op25b_policy_free(sets[i].policy);
		op25b_vector_file_free(&sets[i].vf);
		free(names[i]);
	}
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return failed;
}
