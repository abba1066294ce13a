/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `op25b-gen vectors`: a vector file as a pcap (one frame per case, in file
 * order) plus the expectations the replay tests compare verdicts against.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "op25b_craft.h"

static int
write_expectations(const struct op25b_vector_file *vf, const char *path)
{
	const struct op25b_vector_case *vc;
	unsigned int i;
	FILE *f;

	f = gen_open_out(path);
	if (f == NULL)
		return -EIO;
	for (i = 0; i < vf->n_cases; i++) {
		vc = &vf->cases[i];
		fprintf(f, "%s %s %s %s %u %s %s\n", vc->name, vc->expect,
			vc->class_name, vc->group_name, vc->frame_len,
			vc->reply, vc->counter);
	}
	return gen_close_out(f, path);
}

int
gen_vectors(const char *vec_path, const struct gen_opts *opts)
{
	struct op25b_vector_file vf;
	char err[768];
	unsigned int i;
	FILE *f;
	int ret;

	ret = op25b_vector_file_load(vec_path, &vf, err, sizeof(err));
	if (ret < 0) {
		gen_error("%s", err);
		return ret;
	}
	f = gen_open_out(opts->out_path);
	if (f == NULL) {
		ret = -EIO;
		goto out_free_vectors;
	}
	ret = op25b_pcap_write_header(f);
	/* One microsecond apart: the replay tool can name a case by its
	 * timestamp as well as by its index. */
	for (i = 0; ret == 0 && i < vf.n_cases; i++)
		ret = op25b_pcap_write_frame(f, vf.cases[i].frame,
					     vf.cases[i].frame_len,
					     GEN_PCAP_EPOCH_USEC + i);
	if (ret < 0)
		gen_error("%s: write failed: %s", opts->out_path,
			  strerror(-ret));
	if (gen_close_out(f, opts->out_path) < 0 && ret == 0)
		ret = -EIO;
	if (ret == 0 && opts->expect_path != NULL)
		ret = write_expectations(&vf, opts->expect_path);

out_free_vectors:
	op25b_vector_file_free(&vf);
	return ret;
}
