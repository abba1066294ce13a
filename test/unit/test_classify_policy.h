/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The start of the policy the classifier's unit tests and its fuzz target
 * both judge frames by: the top-level keys, the ports, and the dynamic and
 * static classes over IPv4 and IPv6. Each goes on with its own classes
 * and groups (the fuzz target's have IPv6 prefixes too).
 */
#ifndef OP25B_TEST_CLASSIFY_POLICY_H
#define OP25B_TEST_CLASSIFY_POLICY_H

#define TEST_CLASSIFY_POLICY_HEAD                                              \
	"version: 1\n"                                                         \
	"mode: enforce\n"                                                      \
	"block: reset\n"                                                       \
	"default: allow\n"                                                     \
	"malformed: drop\n"                                                    \
	"ports: {smtp: [25, 2525], submission: [587, 465]}\n"                  \
	"sources:\n"                                                           \
	"  dynamic: {action: block, prefixes: [198.18.0.0/16, "                \
	"2001:db8:1000::/36]}\n"                                               \
	"  static: {action: allow, prefixes: [198.18.20.0/24, "                \
	"2001:db8:1000:20::/64]}\n"

#endif /* OP25B_TEST_CLASSIFY_POLICY_H */
