/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The adaptive table's window and destination words, for lib/adaptive
 * (adaptive_priv.h) and the XDP program (lib/xdp/op25b_xdp.bpf.c, which
 * includes this header: plain C and <stdint.h> only, for the BPF target
 * too), so that both read a window the same way.
 *
 * A word is a 16-bit count or destination hash above the 16-bit index of
 * its sub-window (modulo 65536); a window is ADAPTIVE_WORD_SUBWINDOWS of
 * them. Aliasing needs an entry idle for 65536 sub-windows (2.3 h at
 * per: 1s), and a sweep frees an idle entry within one pass (seconds).
 */
#ifndef OP25B_ADAPTIVE_WORD_H
#define OP25B_ADAPTIVE_WORD_H

#include <stdint.h>

#define ADAPTIVE_EPOCH_MASK 0xffffu
/* A window's sub-windows: op25b's OP25B_ADAPTIVE_SUBWINDOWS and the XDP
 * program's OP25B_XDP_ADAPTIVE_SUBWINDOWS (each asserts it). */
#define ADAPTIVE_WORD_SUBWINDOWS 8

/* @word's age at sub-window @epoch: 0 its own, 65535 one ahead. */
static inline uint32_t
adaptive_word_age(uint32_t word, uint32_t epoch)
{
	return (epoch - (word & ADAPTIVE_EPOCH_MASK)) & ADAPTIVE_EPOCH_MASK;
}

/* Whether @word counts in the window of @epoch: its sub-window one of the
 * last ADAPTIVE_WORD_SUBWINDOWS, or the one after it. Workers (CPUs) read
 * the clock once a burst (a packet), so one whose burst began just before
 * a sub-window's edge counts in sub-window E while another has counted in
 * E+1: that word stands where E-7's stood (the same slot), and left out,
 * the two SYNs would each miss the other (N+1 passing). A word two ahead
 * needs bursts a sub-window apart: never. */
static inline int
adaptive_word_in_window(uint32_t word, uint32_t epoch)
{
	uint32_t age = adaptive_word_age(word, epoch);

	return age < ADAPTIVE_WORD_SUBWINDOWS || age == ADAPTIVE_EPOCH_MASK;
}

/* Whether @word (not 0) has left the window of @epoch behind it: older
 * by ADAPTIVE_WORD_SUBWINDOWS to half the index's range. A word ahead of
 * @epoch (another worker's burst read the clock a little later, at a
 * sub-window's edge) is no stale word: it is left as it is. */
static inline int
adaptive_word_stale(uint32_t word, uint32_t epoch)
{
	uint32_t age = adaptive_word_age(word, epoch);

	return age >= ADAPTIVE_WORD_SUBWINDOWS &&
	       age <= ADAPTIVE_EPOCH_MASK / 2;
}

#endif /* OP25B_ADAPTIVE_WORD_H */
