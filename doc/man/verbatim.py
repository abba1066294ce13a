#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Keep the line breaks of the literal blocks of a help2man page.

help2man fills an indented block of --help (a list of usage lines, the
commands of a tool, an example) into one paragraph, and makes each line
of a shell example continued with a backslash a paragraph of its own, so
that neither reads or pastes as --help prints it. Here an indented
paragraph (.IP) of more than one line is set without filling (.nf/.fi),
and the .HP paragraphs help2man made of a continued example's lines join
it, indented as in --help.

Usage: verbatim.py IN.1 OUT.1
"""
import sys


def verbatim(lines):
    out = []
    i = 0
    while i < len(lines):
        if lines[i] != ".IP":
            out.append(lines[i])
            i += 1
            continue
        j = i + 1
        block = []
        while j < len(lines) and not lines[j].startswith("."):
            block.append(lines[j])
            j += 1
        # A shell line continued by "\" (\e in roff): its next lines
        # came out as .HP paragraphs of one line each.
        while (block and block[-1].endswith("\\e") and j + 1 < len(lines)
               and lines[j] == ".HP" and not lines[j + 1].startswith(".")):
            block.append("    " + lines[j + 1])
            j += 2
        if len(block) > 1:
            out += [".IP", ".nf"] + block + [".fi"]
        else:
            out += [".IP"] + block
        i = j
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[-1])
    with open(sys.argv[1], encoding="utf-8") as f:
        lines = f.read().split("\n")
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        f.write("\n".join(verbatim(lines)))


if __name__ == "__main__":
    main()
