/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * op25b-xdp run: load as `load` does, then stay in the foreground (a
 * systemd service, a supervisor): SIGHUP reloads the policy and the
 * exemptions (a bad file keeps the running ones), SIGTERM and SIGINT
 * detach and unpin, expired exemptions leave the file and the table
 * within a second. Signals are taken synchronously (sigtimedwait): no
 * handler runs amid a map update.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xdp_tool.h"

int
xdp_cmd_run(const struct xdp_args *a)
{
	const struct timespec tick = { .tv_sec = 1 };
	/* The wall clock's offset the exemptions' expiries were last
	 * written with (op25b_xdp_wall_offset_ns()); a step of more than a
	 * second since (NTP correcting a clock, by hand) writes them again,
	 * or a step back would end them early on the program's clock, and
	 * one forward keep them past their end (till the file's expiry
	 * removes them). A slew (under 0.5 ms a second) never reaches it. */
	int64_t written = 0, offset;
	bool rewrite, taken = false;
	char dir[PATH_MAX];
	struct op25b_xdp_state st;
	struct op25b_xdp *x;
	sigset_t set;
	int ifindex, ret, sig, lock, lock_err;

	if (a->policy == NULL)
		return xdp_usage_error(a);
	ret = xdp_iface_operand(a, dir, sizeof(dir), &ifindex);
	if (ret != 0)
		return ret;
	/* Blocked before the program is attached: a SIGTERM from then on
	 * waits for the loop, which unloads. */
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	written = op25b_xdp_wall_offset_ns();
	x = xdp_instance_up(a, dir, ifindex);
	if (x == NULL)
		return EXIT_FAILURE;
	printf("op25b-xdp: running (pid %ld): SIGHUP reloads, SIGTERM "
	       "unloads\n",
	       (long)getpid());
	fflush(stdout);
	for (;;) {
		sig = sigtimedwait(&set, NULL, &tick);
		if (sig == SIGTERM || sig == SIGINT)
			break;
		/* Unloaded by another command, perhaps loaded again: this
		 * run has nothing left to keep (it printed "cannot lock"
		 * every second, or ticked the new instance's maps). Looked
		 * at under the lock, as reload and exempt do: an unload that
		 * held it while this waited has finished (a look before the
		 * wait would reload an instance unloaded meanwhile). */
		lock = xdp_lock_dir(dir, true);
		lock_err = errno;
		taken = xdp_pins_taken(x, a->argv[0], dir);
		if (taken) {
			if (lock >= 0)
				close(lock);
			break;
		}
		if (lock == -2)
			fprintf(stderr, "op25b-xdp: %s: cannot lock: %s\n", dir,
				strerror(lock_err));
		if (lock < 0)
			continue;
		offset = op25b_xdp_wall_offset_ns();
		rewrite = offset - written > 1000000000 ||
			  written - offset > 1000000000;
		if (sig == SIGHUP) {
			/* Errors are printed; the running policy stays (or,
			 * failed after its switch, the new one is said in
			 * force). A reload writes every exemption anew. */
			if (xdp_instance_reload(x, a->argv[0], NULL, NULL) == 0)
				written = offset;
		} else if (op25b_xdp_state(x, &st) == 0 &&
			   st.exemptions[0] != '\0') {
			if (xdp_exempt_expire(x, st.exemptions, rewrite) == 0 &&
			    rewrite)
				written = offset;
		}
		fflush(stdout);
		fflush(stderr);
		close(lock);
	}
	/* Under the directory's lock, as unload: a reload or exemption
	 * change of another command finishes first. */
	lock = taken ? -1 : xdp_lock(dir);
	ret = xdp_instance_down(x, a->argv[0], ifindex, dir, taken, false) == 0
		      ? EXIT_SUCCESS
		      : EXIT_FAILURE;
	if (lock >= 0)
		close(lock);
	op25b_xdp_close(x);
	return ret;
}
